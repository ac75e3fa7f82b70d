//! The layering rule: only `src/gui/` may use egui, eframe or rfd.

use std::path::{Path, PathBuf};

const GUI_CRATES: [&str; 3] = ["egui", "eframe", "rfd"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Shell and Python scripts under `dir` (the ones that make fixtures).
fn scripts(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scripts(&path, out);
        } else if path.extension().is_some_and(|e| e == "sh" || e == "py") {
            out.push(path);
        }
    }
}

/// Line numbers (1-based) of code (not comments) naming a GUI crate as a whole word.
fn gui_uses(source: &str) -> Vec<usize> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split("//").next().unwrap_or_default();
            GUI_CRATES.iter().any(|name| {
                code.match_indices(name).any(|(i, _)| {
                    !code[..i].chars().next_back().is_some_and(is_ident)
                        && !code[i + name.len()..].chars().next().is_some_and(is_ident)
                })
            })
        })
        .map(|(n, _)| n + 1)
        .collect()
}

#[test]
fn only_the_gui_module_names_egui_eframe_or_rfd() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let gui = src.join("gui");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 10, "found only {files:?}");
    let mut offenders = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&gui)) {
        let text = std::fs::read_to_string(file).unwrap();
        for line in gui_uses(&text) {
            offenders.push(format!("{}:{line}", file.display()));
        }
    }
    assert!(
        offenders.is_empty(),
        "GUI crates used outside src/gui: {offenders:?}"
    );
}

#[test]
fn the_scan_catches_uses_and_ignores_comments_and_longer_words() {
    let source = "use egui::Ui;\n// egui in a comment\nlet x = eframe::run_native;\nlet rfdx = 1;\nfn f(ui: &mut egui::Ui) {}\n";
    assert_eq!(gui_uses(source), vec![1, 3, 5]);
}

/// The team's folder beside the repository (what a fresh clone does not have).
const SHARED: &str = "shar\u{65}d";

/// Places in code (not comments) that reach outside the repository: a path built from a
/// literal starting with `..` (`join("../…")` on the manifest dir), the manifest dir's parent,
/// or the team's shared folders beside the repository.
fn outside_paths(source: &str) -> Vec<usize> {
    // Spelled in pieces, so that this file does not hold the paths it looks for.
    let shared = ["testdata", "seeds"].map(|d| format!("{SHARED}/{d}"));
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split("//").next().unwrap_or_default();
            ["join(\"..", "Path::new(\"..", "PathBuf::from(\".."]
                .iter()
                .any(|p| code.contains(p))
                || shared.iter().any(|s| code.contains(s.as_str()))
                || (code.contains("CARGO_MANIFEST_DIR") && code.contains(".parent()"))
        })
        .map(|(n, _)| n + 1)
        .collect()
}

#[test]
fn tests_benches_and_examples_read_nothing_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "examples", "fuzz/fuzz_targets"] {
        if root.join(dir).is_dir() {
            rust_files(&root.join(dir), &mut files);
        }
    }
    files.push(root.join("build.rs"));
    // Scripts that make test data count too: a fresh clone has nothing beside it.
    for dir in ["tests", "benches", "examples"] {
        if root.join(dir).is_dir() {
            scripts(&root.join(dir), &mut files);
        }
    }
    // This file spells the patterns it looks for.
    let this = root.join("tests/architecture.rs");
    assert!(files.len() > 30, "found only {files:?}");
    let mut offenders = Vec::new();
    for file in files.iter().filter(|f| **f != this) {
        let text = std::fs::read_to_string(file).unwrap();
        for line in outside_paths(&text) {
            offenders.push(format!("{}:{line}", file.display()));
        }
    }
    assert!(
        offenders.is_empty(),
        "paths outside the repository (copy the data into tests/data with its provenance): {offenders:?}"
    );
}

#[test]
fn the_outside_path_scan_catches_parent_joins_and_shared_folders() {
    let source = format!(
        "let a = dir.join(\"../{SHARED}/testdata\");\n// join(\"../in a comment\")\nlet b = root.join(\"tests/data\");\nassert_eq!(m[\"sources\"], \"../texts\");\nlet c = Path::new(\"/work/{SHARED}/seeds/001.txt\");\nlet d = Path::new(env!(\"CARGO_MANIFEST_DIR\")).parent();\n"
    );
    assert_eq!(outside_paths(&source), vec![1, 5, 6]);
}

/// The layers, bottom up, and what each may use (besides itself). `gui` alone names egui.
const ALLOWED: &[(&str, &[&str])] = &[
    ("core", &[]),
    ("synth", &["core"]),
    ("formats", &["core"]),
    ("cli", &["core", "formats", "synth"]),
    ("gui", &["core", "formats"]),
    ("build_info", &[]),
];

/// Every module of the crate (`core::workspace::save`), with its source file.
fn modules(src: &Path) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files
        .into_iter()
        .filter_map(|file| {
            let rel = file.strip_prefix(src).ok()?.with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            let name = parts.join("::");
            (!name.is_empty() && name != "lib" && name != "main").then_some((name, file))
        })
        .collect()
}

/// The code of a file without comments and without its `#[cfg(test)]` part.
fn code_only(source: &str) -> String {
    let source = source.split("#[cfg(test)]").next().unwrap_or_default();
    source
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a module names (`crate::core::text::x`, `super::project::Y`), with
/// `use super::{a, b::c}` groups spread out.
fn named_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let is_path_char = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        let starts = (rest.starts_with("crate::") || rest.starts_with("super::"))
            && (i == 0 || !is_path_char(bytes[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len() && is_path_char(bytes[j]) {
            j += 1;
        }
        let prefix: String = bytes[i..j].iter().collect();
        if prefix.ends_with("::") && bytes.get(j) == Some(&'{') {
            let close = bytes[j..]
                .iter()
                .position(|&c| c == '}')
                .map_or(j, |p| j + p);
            let group: String = bytes[j + 1..close].iter().collect();
            for item in group.split(',') {
                let item = item.trim().split(" as ").next().unwrap_or_default();
                let item: String = item.chars().take_while(|&c| is_path_char(c)).collect();
                if !item.is_empty() && item != "self" {
                    paths.push(format!("{prefix}{item}"));
                }
            }
            i = close;
        } else {
            paths.push(prefix.trim_end_matches(':').to_owned());
            i = j;
        }
    }
    paths
}

/// The module a path names from inside `module`: the longest known prefix.
fn resolve(module: &str, path: &str, known: &std::collections::BTreeSet<String>) -> Option<String> {
    let mut segments: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = module.split("::").collect();
    match segments.first() {
        Some(&"crate") => {
            base.clear();
            segments.remove(0);
        }
        Some(&"super") => {
            while segments.first() == Some(&"super") {
                base.pop();
                segments.remove(0);
            }
        }
        _ => return None,
    }
    base.extend(segments);
    (1..=base.len())
        .rev()
        .map(|n| base[..n].join("::"))
        .find(|candidate| known.contains(candidate))
}

/// (from, to) for every module that names another (not its own parent or child).
fn module_edges(src: &Path) -> std::collections::BTreeSet<(String, String)> {
    let modules = modules(src);
    let known: std::collections::BTreeSet<String> =
        modules.iter().map(|(m, _)| m.clone()).collect();
    let mut edges = std::collections::BTreeSet::new();
    for (module, file) in &modules {
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        for path in named_paths(&code) {
            let Some(target) = resolve(module, &path, &known) else {
                continue;
            };
            let related = target == *module
                || target.starts_with(&format!("{module}::"))
                || module.starts_with(&format!("{target}::"));
            if !related {
                edges.insert((module.clone(), target));
            }
        }
    }
    edges
}

/// Groups of modules that name each other in a circle (Tarjan's strongly connected
/// components of more than one module).
fn cycles(edges: &std::collections::BTreeSet<(String, String)>) -> Vec<Vec<String>> {
    use std::collections::BTreeMap;
    struct Tarjan<'a> {
        graph: BTreeMap<&'a str, Vec<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            for w in self.graph.get(v).cloned().unwrap_or_default() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.stack.contains(&w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut group = Vec::new();
                while let Some(w) = self.stack.pop() {
                    group.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    self.found.push(group);
                }
            }
        }
    }
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        graph.entry(a.as_str()).or_default().push(b.as_str());
    }
    let nodes: Vec<&str> = graph.keys().copied().collect();
    let mut tarjan = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in nodes {
        if !tarjan.index.contains_key(v) {
            tarjan.visit(v);
        }
    }
    tarjan.found
}

#[test]
fn modules_form_no_cycle_and_each_layer_uses_only_the_ones_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = module_edges(&src);
    assert!(edges.len() > 50, "the scan found only {edges:?}");
    assert!(
        edges.contains(&("gui::app::apply".to_owned(), "core::workspace".to_owned())),
        "the scan misses a known edge: {edges:?}"
    );
    let circles = cycles(&edges);
    assert!(
        circles.is_empty(),
        "modules that depend on each other: {circles:?}"
    );
    let layer = |m: &str| m.split("::").next().unwrap_or_default().to_owned();
    let mut wrong = Vec::new();
    for (from, to) in &edges {
        let (a, b) = (layer(from), layer(to));
        if a == b {
            continue;
        }
        let allowed = ALLOWED
            .iter()
            .find(|(name, _)| *name == a)
            .is_some_and(|(_, may)| may.contains(&b.as_str()));
        if !allowed {
            wrong.push(format!("{from} -> {to}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "a layer uses one it may not (see ALLOWED): {wrong:?}"
    );
}

#[test]
fn the_module_scan_resolves_paths_and_finds_a_circle() {
    let code = "use super::{a, b::C};\nlet x = crate::core::text::f();\n";
    assert_eq!(
        named_paths(code),
        vec!["super::a", "super::b::C", "crate::core::text::f"]
    );
    let known = ["core", "core::text", "core::a", "core::b"]
        .map(str::to_owned)
        .into_iter()
        .collect();
    assert_eq!(
        resolve("core::b", "super::a", &known).as_deref(),
        Some("core::a")
    );
    assert_eq!(
        resolve("gui", "crate::core::text::f", &known).as_deref(),
        Some("core::text")
    );
    let edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]
        .map(|(x, y)| (x.to_owned(), y.to_owned()))
        .into_iter()
        .collect();
    assert_eq!(cycles(&edges), vec![vec!["a", "b", "c"]]);
}

/// Where in `text` (code only) each needle occurs, as (line, needle).
fn occurrences<'a>(text: &str, needles: &[&'a str]) -> Vec<(usize, &'a str)> {
    let code = code_only(text);
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        for needle in needles {
            if line.contains(needle) {
                found.push((n + 1, *needle));
            }
        }
    }
    found
}

/// The one door (docs/ARCHITECTURE.md, "core"): what is to be saved is marked, and the change
/// counted, in `Workspace::mark_dirty` only; the project is not reachable for writing from
/// outside the workspace; nothing in the GUI has to announce an edit by hand.
#[test]
fn the_workspace_changes_through_one_door() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let door = [
        "self.dirty.insert",
        "manifest_dirty = true",
        "entities_dirty = true",
        "self.revision +=",
    ];
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut outside = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let found = occurrences(&text, &door);
        if file.ends_with("core/workspace/mod.rs") {
            let code = code_only(&text);
            let start = code
                .lines()
                .position(|l| l.contains("fn mark_dirty("))
                .expect("Workspace::mark_dirty exists")
                + 1;
            let end = start
                + code
                    .lines()
                    .skip(start)
                    .position(|l| l.starts_with("    }"))
                    .unwrap();
            for (line, needle) in found {
                if line <= start || line > end + 1 {
                    outside.push(format!("{}:{line}: {needle}", file.display()));
                }
            }
        } else {
            outside.extend(
                found
                    .into_iter()
                    .map(|(line, needle)| format!("{}:{line}: {needle}", file.display())),
            );
        }
        let code = code_only(&text);
        if file.ends_with("core/workspace/mod.rs") {
            assert!(
                !code.contains("pub project:"),
                "Workspace.project must stay private"
            );
        }
        if file.starts_with(src.join("gui")) {
            assert!(
                !code.contains(".edited()"),
                "{}: edits are counted by the workspace, not announced",
                file.display()
            );
        }
    }
    assert!(
        outside.is_empty(),
        "changes marked outside Workspace::mark_dirty: {outside:?}"
    );
}

/// "A file that grows past ~700 lines is asking to be split along a responsibility": the code
/// of every source file (its `#[cfg(test)]` part aside) stays under 720 lines.
#[test]
fn no_source_file_holds_more_than_one_room() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let big: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let lines = text.split("#[cfg(test)]").next().unwrap().lines().count();
            (lines > 720).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(
        big.is_empty(),
        "split these along a responsibility: {big:?}"
    );
}

/// One job facility (docs/ARCHITECTURE.md, "Jobs"): in the GUI, threads start only in
/// `gui/jobs.rs`, but for the hand-offs to the system (its file dialog, a viewer for the
/// manual), which are the user's, not background work, and have nothing to lose.
#[test]
fn gui_threads_start_only_in_the_job_facility() {
    let gui = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/gui");
    let mut files = Vec::new();
    rust_files(&gui, &mut files);
    let mut stray = Vec::new();
    for file in files.iter().filter(|f| !f.ends_with("gui/jobs.rs")) {
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        for (n, line) in code.lines().enumerate() {
            let starts = line.contains("thread::spawn")
                || line.contains("job::spawn(")
                || line.contains("thread::Builder");
            let hand_off = line.contains("\"tagdesk-dialog\"") || line.contains("\"open-manual\"");
            if starts && !hand_off {
                stray.push(format!("{}:{}", file.display(), n + 1));
            }
        }
    }
    assert!(
        stray.is_empty(),
        "threads started outside gui::jobs: {stray:?}"
    );
}
