//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// Parses the span notation `"[John Kerry]{actor} said [the talks failed]{claim}"` into the
/// plain text and its spans as (start, end, label) in code points.
pub fn marked(notation: &str) -> (String, Vec<(usize, usize, String)>) {
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut chars = notation.chars().peekable();
    let mut pos = 0;
    while let Some(c) = chars.next() {
        match c {
            '[' => open.push(pos),
            ']' => {
                let start = open.pop().expect("unbalanced ]");
                assert_eq!(chars.next(), Some('{'), "] must be followed by {{label}}");
                let label: String = chars.by_ref().take_while(|&c| c != '}').collect();
                spans.push((start, pos, label));
            }
            _ => {
                text.push(c);
                pos += 1;
            }
        }
    }
    spans.sort();
    (text, spans)
}

/// The repository's sample project.
pub fn sample_project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/syria-talks")
}

/// The third-party conformance data copied into the repository (`tests/data/PROVENANCE.md`).
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `root` (recursively), sorted.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A copy of the sample project in a temporary folder.
pub fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("syria-talks");
    copy_tree(&sample_project(), &root);
    (dir, root)
}

/// A new project whose folder is its own source folder, holding these files.
pub fn project_with(files: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    for (path, bytes) in files {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, bytes).unwrap();
    }
    tagdesk::core::Project::init(&root, None, Some("test")).unwrap();
    (dir, root)
}

/// Every span (document, annotator, extent, label, attributes, note) and relation (type and the
/// texts it joins) of a workspace, sorted: what a lossless round trip keeps.
pub fn layers_summary(ws: &tagdesk::core::Workspace) -> Vec<String> {
    let mut out = Vec::new();
    for (key, layer) in &ws.project().layers {
        let text = |id: &str| {
            layer
                .annotations()
                .iter()
                .find(|a| *a.id == *id)
                .map(|a| a.text.to_string())
                .unwrap_or_default()
        };
        for a in layer.annotations() {
            out.push(format!(
                "{} {} {}-{} {} {:?} {:?}",
                key.document,
                key.annotator,
                a.start,
                a.end,
                a.label,
                a.attributes,
                a.note()
            ));
        }
        for r in layer.relations() {
            out.push(format!(
                "{} {} {} {} -> {}",
                key.document,
                key.annotator,
                r.kind,
                text(&r.from),
                text(&r.to)
            ));
        }
    }
    out.sort();
    out
}

/// The `project.qde` inside a `.qdpx` (a zip), as text.
pub fn project_qde_of(qdpx: &[u8]) -> String {
    use std::io::Read as _;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(qdpx)).unwrap();
    let mut qde = String::new();
    zip.by_name("project.qde")
        .unwrap()
        .read_to_string(&mut qde)
        .unwrap();
    qde
}

/// Code-point offset of the `n`th occurrence of `needle` in `text`.
pub fn char_offset_of(text: &str, needle: &str, n: usize) -> usize {
    let (byte, _) = text.match_indices(needle).nth(n).expect("needle not found");
    text[..byte].chars().count()
}

#[test]
fn notation_parses_nested_spans() {
    let (text, spans) = marked("[[John Kerry]{actor} said [no]{claim}]{disagreement}");
    assert_eq!(text, "John Kerry said no");
    assert_eq!(
        spans,
        vec![
            (0, 10, "actor".to_owned()),
            (0, 18, "disagreement".to_owned()),
            (16, 18, "claim".to_owned())
        ]
    );
}

/// Four short texts where names come in the same company ("Minister X said"): a learned
/// model finds a name never coded (Merkel, in c.txt) from two coded documents (a.txt, b.txt).
pub const MINISTERS: [(&str, &str); 4] = [
    (
        "a.txt",
        "Minister Lavrov said the talks failed. Minister Kerry said the plan works. The weather was fine.",
    ),
    (
        "b.txt",
        "Minister Zarif said nothing new. Minister Kerry said it again. Lunch was served late.",
    ),
    (
        "c.txt",
        "Minister Merkel said the border stays open. The hall was full.",
    ),
    ("d.txt", "The rooms were cold. Minister Lavrov said so."),
];

/// Runs the tagdesk binary with `args`, fails the test (with its error output) unless it
/// succeeds, and returns what it printed on standard output.
pub fn tagdesk_ok(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
