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

/// Places in code (not comments) that reach outside the repository: a path built from a
/// literal starting with `..` (`join("../…")` on the manifest dir), the manifest dir's parent,
/// or the team's shared folders beside the repository.
fn outside_paths(source: &str) -> Vec<usize> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split("//").next().unwrap_or_default();
            ["join(\"..", "Path::new(\"..", "PathBuf::from(\".."]
                .iter()
                .any(|p| code.contains(p))
                || code.contains("shared/testdata")
                || code.contains("shared/seeds")
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
    let source = "let a = dir.join(\"../shared/testdata\");\n// join(\"../in a comment\")\nlet b = root.join(\"tests/data\");\nassert_eq!(m[\"sources\"], \"../texts\");\nlet c = Path::new(\"/work/shared/seeds/001.txt\");\nlet d = Path::new(env!(\"CARGO_MANIFEST_DIR\")).parent();\n";
    assert_eq!(outside_paths(source), vec![1, 5, 6]);
}
