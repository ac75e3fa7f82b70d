//! Layer files version 2 (issue 37): one annotation per line. v1 files still load; a v1 layer
//! saved comes back as v2 with the same content; a one-span edit is a one-line git diff; v1 and
//! v2 of any layer read back equal (any Unicode, any attributes).

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;
use tagdesk::core::annotation::{Annotation, More};
use tagdesk::core::project::{LayerFile, read_layer_spans, to_pretty_json};
use tagdesk::core::schema::AttributeValue;
use tagdesk::core::{LayerKey, Workspace};

use crate::support::sample_copy;

const DOC: &str = "000_6960b4d936e3359c.txt";

#[test]
fn a_v1_layer_loads_and_comes_back_as_v2_with_the_same_content() {
    let (_dir, root) = sample_copy();
    let file = root.join("annotations/maria").join(format!("{DOC}.json"));
    let v1 = std::fs::read_to_string(&file).unwrap();
    assert!(v1.contains("\"version\": 1"), "the sample is v1");
    let before = Workspace::open(&root)
        .unwrap()
        .layer(DOC, "maria")
        .unwrap()
        .clone();
    // An edit and its undo: the layer is as it was, and saving writes it as v2.
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new(DOC.to_owned(), "maria".to_owned());
    let id = ws.add_span(DOC, "maria", 0..4, "actor").unwrap();
    ws.remove_span(&key, &id).unwrap();
    assert!(ws.save().errors.is_empty());
    let v2 = std::fs::read_to_string(&file).unwrap();
    assert!(v2.contains("\"version\": 2"), "{v2}");
    // Smaller (here 3,239 bytes for 4,245: the covered texts and contexts are most of it).
    assert!(v2.len() < v1.len(), "v2 is smaller than v1");
    let after = Workspace::open(&root)
        .unwrap()
        .layer(DOC, "maria")
        .unwrap()
        .clone();
    assert_eq!(after.annotations(), before.annotations());
    assert_eq!(after.relations(), before.relations());
    assert_eq!(after.status, before.status);
    // Untouched layers keep their v1 bytes (no surprise diffs).
    let sam = root.join("annotations/sam").join(format!("{DOC}.json"));
    assert!(
        std::fs::read_to_string(sam)
            .unwrap()
            .contains("\"version\": 1")
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_one_span_edit_is_a_one_line_git_diff() {
    let (_dir, root) = sample_copy();
    // The layer saved once as v2, committed.
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new(DOC.to_owned(), "maria".to_owned());
    let id = ws.add_span(DOC, "maria", 0..4, "actor").unwrap();
    assert!(ws.save().errors.is_empty());
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "v2"]);
    // One span relabelled.
    ws.relabel(&key, &id, "claim").unwrap();
    assert!(ws.save().errors.is_empty());
    let stat = git(&root, &["diff", "--numstat"]);
    assert_eq!(
        stat.trim(),
        format!("1\t1\tannotations/maria/{DOC}.json"),
        "one line out, one line in"
    );
}

fn text() -> impl Strategy<Value = String> {
    // Any Unicode, control characters, quotes and backslashes included.
    proptest::collection::vec(any::<char>(), 0..12).prop_map(|c| c.into_iter().collect())
}

fn annotation() -> impl Strategy<Value = Annotation> {
    (
        0usize..1000,
        1usize..50,
        text(),
        proptest::collection::btree_map("[a-z]{1,6}", text(), 0..3),
        proptest::option::of(text()),
        any::<bool>(),
        (text(), text(), proptest::option::of(text()), any::<bool>()),
    )
        .prop_map(
            |(start, len, covered, attributes, note, flag, (prefix, suffix, review, split))| {
                let mut attributes: std::collections::BTreeMap<String, AttributeValue> = attributes
                    .into_iter()
                    .map(|(k, v)| (k, AttributeValue::Text(v)))
                    .collect();
                attributes.insert("flag".to_owned(), AttributeValue::Flag(flag));
                Annotation {
                    id: format!("{start:016x}").into(),
                    label: "actor".into(),
                    start,
                    end: start + len,
                    text: covered.as_str().into(),
                    prefix: prefix.as_str().into(),
                    suffix: suffix.as_str().into(),
                    attributes: attributes.into_iter().collect(),
                    author: "ana".into(),
                    times: tagdesk::core::annotation::Times::new(
                        "2026-12-06T00:00:00Z",
                        "2026-12-06T00:00:00Z",
                    ),
                    more: More {
                        modified_by: flag.then(|| "maria".into()),
                        note,
                        review,
                        // A discontinuous span now and then: its pieces frame start..end.
                        fragments: if split && len >= 3 {
                            vec![[start, start + 1], [start + 2, start + len]]
                        } else {
                            Vec::new()
                        },
                    }
                    .boxed(),
                }
            },
        )
}

/// Version 2 as docs/FORMAT.md lays it out, spelled out plainly: the header fields one per
/// line, each annotation's compact JSON on a line of its own.
fn v2_as_documented(file: &LayerFile) -> String {
    fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }
    let mut fields = vec![
        format!("  \"format\": {}", json(&file.format)),
        format!("  \"version\": {}", file.version),
        format!("  \"document\": {}", json(&file.document)),
        format!("  \"annotator\": {}", json(&file.annotator)),
        format!("  \"source_sha256\": {}", json(&file.source_sha256)),
        format!("  \"status\": {}", json(&file.status)),
    ];
    if file.annotations.is_empty() {
        fields.push("  \"annotations\": []".to_owned());
    } else {
        let lines: Vec<String> = file
            .annotations
            .iter()
            .map(|a| format!("    {}", serde_json::to_string(a).unwrap()))
            .collect();
        fields.push(format!("  \"annotations\": [\n{}\n  ]", lines.join(",\n")));
    }
    format!("{{\n{}\n}}\n", fields.join(",\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn v1_and_v2_of_any_layer_read_back_equal(
        annotations in proptest::collection::vec(annotation(), 0..8),
        document in text(),
    ) {
        let document = format!("{}.txt", document.replace(['/', '\\', '\0'], "_"));
        let layer = tagdesk::core::AnnotationLayer::new(document, "ana").with_annotations(annotations);
        let file = LayerFile::from_layer(&layer);
        let v1 = to_pretty_json(&file);
        let v2 = file.to_json();
        let from_v1: LayerFile = serde_json::from_str(&v1).unwrap();
        let from_v2: LayerFile = serde_json::from_str(&v2).unwrap();
        prop_assert_eq!(&from_v1, &from_v2);
        prop_assert_eq!(&from_v2, &file);
        // Deterministic, and each annotation on a line of its own.
        prop_assert_eq!(&v2, &from_v2.to_json());
        prop_assert_eq!(
            v2.lines().filter(|l| l.starts_with("    {")).count(),
            file.annotations.len()
        );
        // Byte for byte the layout FORMAT.md gives (the writer serialises into one buffer).
        prop_assert_eq!(&v2, &v2_as_documented(&file));
        // What agreement reads: the same spans from v2 (scanned, unless a label has an escape)
        // and from v1 (serde), one piece per fragment.
        let dir = tempfile::tempdir().unwrap();
        let (p1, p2) = (dir.path().join("v1.json"), dir.path().join("v2.json"));
        std::fs::write(&p1, &v1).unwrap();
        std::fs::write(&p2, &v2).unwrap();
        let expected: Vec<(String, usize, usize)> = file
            .annotations
            .iter()
            .flat_map(|a| a.pieces().map(|p| (a.label.to_string(), p.start, p.end)))
            .collect();
        let pieces = |path: &Path| -> Vec<(String, usize, usize)> {
            read_layer_spans(path)
                .unwrap()
                .into_iter()
                .map(|p| (p.label.to_string(), p.start, p.end))
                .collect()
        };
        prop_assert_eq!(&pieces(&p2), &expected);
        prop_assert_eq!(&pieces(&p1), &expected);
    }
}
