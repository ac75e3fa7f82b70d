//! Malformed project files: each gives a clear error naming the file, none panics, none changes
//! a file. Hand-written cases plus random corruptions of a real annotation file.

use proptest::prelude::*;
use tagdesk::core::project::{Project, parse_layer};

use crate::support::sample_copy;

/// A real annotation file of the sample project.
fn sample_layer() -> String {
    let path =
        crate::support::sample_project().join("annotations/maria/001_966120f5ee3f0c58.txt.json");
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn hand_written_bad_annotation_files_are_refused_with_their_place() {
    let path = std::path::Path::new("annotations/ana/a.txt.json");
    let good = sample_layer();
    let deep = format!("{{\"a\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(String, &str)> = vec![
        (good[..good.len() / 3].to_owned(), "EOF while parsing"),
        (String::new(), "EOF while parsing"),
        ("[]".to_owned(), "expected a JSON object"),
        (
            good.replace("\"start\": ", "\"start\": \"x"),
            "control character",
        ),
        (
            good.replacen("\"start\": ", "\"start\": \"x\", \"y\": ", 1),
            "invalid type: string",
        ),
        (
            good.replacen("\"start\": ", "\"start\": 99999999999999999999999", 1),
            "expected usize",
        ),
        (
            good.replacen("\"start\": ", "\"start\": -", 1),
            "invalid value",
        ),
        (
            good.replace("\"version\": 1", "\"version\": 7"),
            "newer than this tagdesk",
        ),
        (
            good.replace("tagdesk-annotations", "something-else"),
            "\"format\" must be",
        ),
        (deep, "\"format\" must be"),
        ("\u{0}\u{1}binary".to_owned(), "expected a JSON object"),
    ];
    for (text, expected) in cases {
        let err = parse_layer(path, &text).expect_err(expected).to_string();
        assert!(err.contains(expected), "{err} (wanted {expected})");
        assert!(err.contains("a.txt.json"), "names the file: {err}");
    }
    // An inverted span parses as JSON but is refused.
    let inverted = good.replacen("\"end\": ", "\"end\": 0, \"x\": ", 1);
    let err = parse_layer(path, &inverted).unwrap_err().to_string();
    assert!(err.contains("empty or inverted"), "{err}");
}

#[test]
fn invalid_utf8_in_an_annotation_file_is_reported_and_left_alone() {
    let (_dir, root) = sample_copy();
    let file = root.join("annotations/maria/001_966120f5ee3f0c58.txt.json");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.insert(40, 0xff);
    std::fs::write(&file, &bytes).unwrap();
    let project = Project::open(&root).unwrap();
    assert_eq!(project.layer_errors.len(), 1);
    assert!(
        project.layer_errors[0]
            .message
            .contains("001_966120f5ee3f0c58.txt.json")
    );
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any corruption of a real file: an error or a valid layer, never a panic.
    #[test]
    fn corrupted_annotation_files_never_panic(
        cut in 0usize..20_000,
        flips in proptest::collection::vec((0usize..20_000, any::<u8>()), 0..8),
    ) {
        let good = sample_layer();
        let mut bytes = good.into_bytes();
        for (at, byte) in flips {
            if !bytes.is_empty() {
                let i = at % bytes.len();
                bytes[i] = byte;
            }
        }
        bytes.truncate(cut.min(bytes.len()));
        let text = String::from_utf8_lossy(&bytes);
        let path = std::path::Path::new("annotations/ana/a.txt.json");
        if let Err(err) = parse_layer(path, &text) {
            prop_assert!(err.to_string().contains("a.txt.json"));
        }
    }

    /// Any corruption of a real `project.qde` (the sample exported as REFI-QDA): an error that
    /// names the file, or a corpus — never a panic.
    #[test]
    fn corrupted_refi_qda_projects_never_panic(
        cut in 0usize..60_000,
        flips in proptest::collection::vec((0usize..60_000, any::<u8>()), 0..8),
    ) {
        use std::io::Write as _;
        let mut bytes = sample_project_qde().into_bytes();
        for (at, byte) in flips {
            let i = at % bytes.len();
            bytes[i] = byte;
        }
        bytes.truncate(cut.min(bytes.len()));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.qdpx");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        zip.start_file("project.qde", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(&bytes).unwrap();
        zip.finish().unwrap();
        if let Err(err) = tagdesk::formats::read(tagdesk::formats::Format::RefiQda, &path) {
            prop_assert!(err.to_string().contains("broken.qdpx"), "{}", err);
        }
    }

    /// Any corruption of a real UIMA CAS XMI file (the sample's first document as exported):
    /// an error that names the file, or a corpus — never a panic.
    #[test]
    fn corrupted_xmi_files_never_panic(
        cut in 0usize..20_000,
        flips in proptest::collection::vec((0usize..20_000, any::<u8>()), 0..8),
    ) {
        let mut bytes = sample_xmi().into_bytes();
        for (at, byte) in flips {
            let i = at % bytes.len();
            bytes[i] = byte;
        }
        bytes.truncate(cut.min(bytes.len()));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.xmi");
        std::fs::write(&path, &bytes).unwrap();
        if let Err(err) = tagdesk::formats::read(tagdesk::formats::Format::UimaXmi, &path) {
            prop_assert!(err.to_string().contains("broken.xmi"), "{}", err);
        }
    }

    /// Any corruption of the manifest: `Project::open` fails cleanly or opens; the file is
    /// never rewritten.
    #[test]
    fn corrupted_manifests_never_panic_and_are_never_rewritten(
        cut in 0usize..3_000,
        flips in proptest::collection::vec((0usize..3_000, any::<u8>()), 0..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "text").unwrap();
        Project::init(dir.path(), None, Some("m")).unwrap();
        let manifest = dir.path().join("tagdesk.json");
        let mut bytes = std::fs::read(&manifest).unwrap();
        for (at, byte) in flips {
            let i = at % bytes.len();
            bytes[i] = byte;
        }
        bytes.truncate(cut.min(bytes.len()));
        std::fs::write(&manifest, &bytes).unwrap();
        if let Err(err) = Project::open(dir.path()) {
            prop_assert!(err.to_string().contains("tagdesk.json") || err.to_string().contains("source folder"), "{}", err);
        }
        prop_assert_eq!(std::fs::read(&manifest).unwrap(), bytes);
    }
}

#[test]
fn offsets_past_the_end_are_reported_not_trusted() {
    let (_dir, root) = sample_copy();
    let file = root.join("annotations/maria/001_966120f5ee3f0c58.txt.json");
    let json = std::fs::read_to_string(&file).unwrap();
    let broken = json.replacen("\"end\": ", "\"end\": 99999", 1);
    std::fs::write(&file, &broken).unwrap();
    let project = Project::open(&root).unwrap();
    let problems = tagdesk::core::validate::validate(&project);
    assert!(
        problems
            .iter()
            .any(|p| p.to_string().contains("past the end of the text")),
        "{problems:?}"
    );
    // Exporting skips it with a warning rather than writing a bad span.
    let mut ws = tagdesk::core::Workspace::new(project);
    let mut out = Vec::new();
    let report = tagdesk::formats::export(
        &mut ws,
        tagdesk::formats::Format::Jsonl,
        &tagdesk::formats::ExportFilter::default(),
        tagdesk::formats::Sink::Stream(Box::new(&mut out)),
    )
    .unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("ends past the text"))
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        broken,
        "nothing rewritten"
    );
}

/// The sample project's `project.qde` as the REFI-QDA export writes it (made once).
fn sample_project_qde() -> String {
    static QDE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    QDE.get_or_init(|| {
        let mut ws = tagdesk::core::Workspace::open(&crate::support::sample_project()).unwrap();
        let mut bytes = Vec::new();
        tagdesk::formats::export(
            &mut ws,
            tagdesk::formats::Format::RefiQda,
            &tagdesk::formats::ExportFilter {
                annotator: None,
                ..Default::default()
            },
            tagdesk::formats::Sink::Stream(Box::new(&mut bytes)),
        )
        .unwrap();
        crate::support::project_qde_of(&bytes)
    })
    .clone()
}

/// The sample's first document of maria as the UIMA XMI export writes it (made once).
fn sample_xmi() -> String {
    static XMI: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    XMI.get_or_init(|| {
        let mut ws = tagdesk::core::Workspace::open(&crate::support::sample_project()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        tagdesk::formats::export(
            &mut ws,
            tagdesk::formats::Format::UimaXmi,
            &tagdesk::formats::ExportFilter {
                annotator: Some("maria".into()),
                ..Default::default()
            },
            tagdesk::formats::Sink::Folder(dir.path().to_owned()),
        )
        .unwrap();
        std::fs::read_to_string(dir.path().join("maria/000_6960b4d936e3359c.xmi")).unwrap()
    })
    .clone()
}
