//! Annotating every match at once: the core step (snapping, duplicates, offsets with CRLF and
//! emoji, one undo step) and `tagdesk annotate`.

use std::process::Command;

use tagdesk::core::Workspace;
use tagdesk::core::workspace::Clash;

const TEXT: &str =
    "Lavrov 👋 spoke.\r\nThen LAVROV left; Lavrovsky stayed.\r\nSergey Lavrov again.";

fn project() -> (tempfile::TempDir, std::path::PathBuf) {
    crate::support::project_with(&[("a.txt", TEXT.as_bytes()), ("b.txt", b"No one here.")])
}

fn chars_of(needle: &str, n: usize) -> std::ops::Range<usize> {
    let start = crate::support::char_offset_of(TEXT, needle, n);
    start..start + needle.chars().count()
}

#[test]
fn many_places_become_spans_in_one_undo_step_snapped_to_words() {
    let (_dir, root) = project();
    let mut ws = Workspace::open(&root).unwrap();
    let full = ws
        .add_span("a.txt", "ana", chars_of("Sergey Lavrov", 0), "actor")
        .unwrap();
    // A place inside a word ("avro" of the second Lavrov) snaps to the whole word.
    let second = chars_of("LAVROV", 0);
    let places = vec![
        ("a.txt".to_owned(), chars_of("Lavrov", 0)),
        ("a.txt".to_owned(), second.start + 1..second.end - 1),
        // The same place twice is added once.
        ("a.txt".to_owned(), chars_of("Lavrov", 0)),
    ];
    assert_eq!(
        ws.clash("a.txt", "ana", &chars_of("Lavrov", 2), "actor"),
        Some(Clash::Overlaps("actor".to_owned()))
    );
    let report = ws.annotate_many("ana", "actor", None, &places).unwrap();
    assert_eq!(report.total(), 2);
    assert_eq!(report.duplicates, 1);
    let layer = ws.layer("a.txt", "ana").unwrap();
    let texts: Vec<&str> = layer
        .annotations()
        .iter()
        .map(|a| a.text.as_str())
        .collect();
    assert_eq!(texts, ["Lavrov", "LAVROV", "Sergey Lavrov"]);
    // Offsets are code points: the emoji and CRLF before LAVROV count one and two.
    let lavrov = layer
        .annotations()
        .iter()
        .find(|a| a.text == "LAVROV")
        .unwrap();
    assert_eq!(lavrov.start..lavrov.end, second);
    // Doing it again adds nothing: every place is a duplicate now.
    let again = ws.annotate_many("ana", "actor", None, &places).unwrap();
    assert_eq!((again.total(), again.duplicates), (0, 3));
    // One undo takes both back; the span made before stays.
    ws.undo().unwrap();
    let layer = ws.layer("a.txt", "ana").unwrap();
    assert_eq!(layer.len(), 1);
    assert_eq!(layer.annotations()[0].id, full.as_str());
    // Saved like any edit: reopening shows the spans.
    ws.redo().unwrap();
    assert!(ws.save().errors.is_empty());
    let reopened = Workspace::open(&root).unwrap();
    assert_eq!(reopened.layer("a.txt", "ana").unwrap().len(), 3);
}

#[test]
fn an_entity_link_comes_with_every_new_span_and_an_unknown_one_is_refused() {
    let (_dir, root) = project();
    let mut ws = Workspace::open(&root).unwrap();
    let key = tagdesk::core::LayerKey::new("a.txt", "ana");
    let first = ws
        .add_span("a.txt", "ana", chars_of("Lavrov", 0), "actor")
        .unwrap();
    let entity = ws
        .link_new_entity(
            &key,
            &first,
            tagdesk::core::entities::EntityKind::Actor,
            "Sergey Lavrov",
        )
        .unwrap();
    let report = ws
        .annotate_many(
            "ana",
            "actor",
            Some(&entity),
            &[("a.txt".to_owned(), chars_of("LAVROV", 0))],
        )
        .unwrap();
    assert_eq!(report.total(), 1);
    let linked = ws
        .layer("a.txt", "ana")
        .unwrap()
        .annotations()
        .iter()
        .filter(|a| {
            a.attributes.get(tagdesk::core::schema::ENTITY_ATTRIBUTE)
                == Some(&tagdesk::core::schema::AttributeValue::Text(entity.clone()))
        })
        .count();
    assert_eq!(linked, 2);
    assert!(
        ws.annotate_many("ana", "actor", Some("e-none"), &[])
            .is_err()
    );
    assert!(ws.annotate_many("ana", "no-such-label", None, &[]).is_err());
}

#[test]
fn tagdesk_annotate_labels_every_match_dry_run_first() {
    let (_dir, root) = project();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .arg("annotate")
            .arg(&root)
            .args(["--annotator", "ana", "--label", "actor"])
            .args(args)
            .output()
            .unwrap()
    };
    // Whole words only with a regex; case-insensitive by default.
    let dry = run(&["--pattern", r"\blavrov\b", "--regex", "--dry-run"]);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let out = String::from_utf8_lossy(&dry.stdout);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.contains("would add actor [LAVROV]"), "{out}");
    assert!(!out.contains("Lavrovsky"));
    assert!(
        Workspace::open(&root)
            .unwrap()
            .layer("a.txt", "ana")
            .is_none(),
        "a dry run changes nothing"
    );
    // Case-sensitive literal: only the two "Lavrov"s (the one in "Lavrovsky" snaps to the word).
    let done = run(&["--literal", "Lavrov", "--case-sensitive", "--json"]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&done.stdout).unwrap();
    let added: Vec<&str> = report["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(added, ["Lavrov", "Lavrovsky", "Lavrov"]);
    let ws = Workspace::open(&root).unwrap();
    assert_eq!(ws.layer("a.txt", "ana").unwrap().len(), 3);
    // Again: everything is already there.
    let again = run(&["--literal", "Lavrov", "--case-sensitive"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("3 already there"));
    // Nothing matched: exit 1.
    let none = run(&["--literal", "Putin"]);
    assert_eq!(none.status.code(), Some(1));
    // A label the schema does not have is refused, naming the ones it has.
    let bad = Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .arg("annotate")
        .arg(&root)
        .args([
            "--annotator",
            "ana",
            "--label",
            "person",
            "--literal",
            "Lavrov",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no label \"person\""));
}

#[test]
fn a_plan_made_off_the_ui_thread_leaves_out_what_was_added_meanwhile() {
    let (_dir, root) = project();
    let mut ws = Workspace::open(&root).unwrap();
    let place = |needle: &str| tagdesk::core::workspace::Place {
        document: "a.txt".into(),
        range: chars_of(needle, 0),
        label: "actor".into(),
        entity: None,
        attributes: Vec::new(),
        snap: true,
    };
    let job = ws
        .plan_places("ana", vec![place("Lavrov"), place("LAVROV")], "add actor")
        .unwrap();
    // The job runs on its own thread, as in the app; meanwhile the annotator tags one of them.
    let planned = std::thread::spawn(move || job.run())
        .join()
        .unwrap()
        .unwrap();
    ws.add_span("a.txt", "ana", chars_of("LAVROV", 0), "actor")
        .unwrap();
    let report = ws.apply_planned(planned).unwrap();
    assert_eq!((report.total(), report.duplicates), (1, 1));
    assert_eq!(ws.layer("a.txt", "ana").unwrap().len(), 2);
    // One undo takes back the planned step only.
    ws.undo().unwrap();
    assert_eq!(ws.layer("a.txt", "ana").unwrap().len(), 1);
    // A text that changed on disk after the plan read it refuses the step.
    let job = ws
        .plan_places("ana", vec![place("Lavrov")], "add actor")
        .unwrap();
    let planned = job.run().unwrap();
    std::fs::write(root.join("a.txt"), "Completely different now.").unwrap();
    let mut fresh = Workspace::open(&root).unwrap();
    fresh.text("a.txt").unwrap();
    assert!(matches!(
        fresh.apply_planned(planned),
        Err(tagdesk::core::workspace::WorkspaceError::TextChanged(_))
    ));
}

#[test]
fn labelling_across_many_documents_is_journaled_and_comes_back_after_a_crash() {
    // 20 documents: more than the journal writes in line, so the entries go to a thread.
    let names: Vec<String> = (0..20).map(|i| format!("d{i:02}.txt")).collect();
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), b"Lavrov met Kerry. Lavrov left.".as_slice()))
        .collect();
    let (_dir, root) = crate::support::project_with(&files);
    let mut ws = Workspace::open(&root).unwrap();
    let places: Vec<(String, std::ops::Range<usize>)> =
        names.iter().map(|n| (n.clone(), 0..6)).collect();
    let report = ws.annotate_many("ana", "actor", None, &places).unwrap();
    assert_eq!(report.total(), 20);
    // The entries were written on a thread; once it is done, a crash loses nothing.
    ws.finish_journal();
    assert!(ws.journal_error().is_none());
    // The session ends without saving (a crash): reopening recovers every span.
    std::mem::forget(ws);
    let mut again = Workspace::open(&root).unwrap();
    let lines = again.recover();
    assert!(!lines.is_empty(), "recovery reported");
    for n in &names {
        let layer = again.layer(n, "ana").expect("recovered layer");
        assert_eq!(layer.len(), 1, "{n}");
        assert_eq!(layer.annotations()[0].text.as_str(), "Lavrov");
    }
}
