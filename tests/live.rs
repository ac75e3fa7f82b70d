//! Changes made on disk by others while a project is open: documents come and go, colleagues'
//! files reload, and our unsaved edits are never overwritten silently.

use tagdesk::core::Workspace;
use tagdesk::core::workspace::Resolution;

use crate::support::project_with;

#[test]
fn documents_added_removed_and_changed_on_disk_are_taken_in() {
    let (_dir, root) = project_with(&[
        ("a.txt", b"John Kerry spoke."),
        ("b.txt", b"Lavrov answered."),
    ]);
    let mut ws = Workspace::open(&root).unwrap();
    ws.add_span("b.txt", "ana", 0..6, "actor").unwrap();
    ws.save();
    assert_eq!(ws.text("a.txt").unwrap().text.as_str(), "John Kerry spoke.");

    std::fs::write(root.join("c.txt"), "New text.").unwrap();
    std::fs::remove_file(root.join("b.txt")).unwrap();
    std::fs::write(root.join("a.txt"), "John Kerry spoke again.").unwrap();
    let report = ws.sync_from_disk(&[root.join("c.txt"), root.join("b.txt"), root.join("a.txt")]);
    assert_eq!(report.documents_added, ["c.txt"]);
    assert_eq!(report.documents_removed, ["b.txt"]);
    assert_eq!(report.documents_changed, ["a.txt"]);
    assert_eq!(
        ws.text("a.txt").unwrap().text.as_str(),
        "John Kerry spoke again."
    );
    // The removed document's annotations are kept, as an orphan.
    assert_eq!(ws.layer("b.txt", "ana").unwrap().len(), 1);
    let orphans: Vec<_> = ws.project.orphaned_layers().into_iter().cloned().collect();
    assert_eq!(orphans, [("b.txt".to_owned(), "ana".to_owned())]);
}

#[test]
fn a_colleagues_changed_file_reloads_and_our_own_writes_are_not_mistaken_for_changes() {
    let (_dir, root) = project_with(&[("a.txt", b"John Kerry met Sergey Lavrov.")]);
    let mut ben = Workspace::open(&root).unwrap();
    ben.add_span("a.txt", "ben", 0..10, "actor").unwrap();
    ben.save();
    let mut ana = Workspace::open(&root).unwrap();
    ana.add_span("a.txt", "ana", 15..28, "actor").unwrap();
    ana.save();
    let ana_file = root.join("annotations/ana/a.txt.json");
    assert!(
        ana.sync_from_disk(&[ana_file]).is_empty(),
        "our own save is not a change"
    );

    ben.add_span("a.txt", "ben", 15..28, "actor").unwrap();
    ben.save();
    let report = ana.sync_from_disk(&[root.join("annotations/ben/a.txt.json")]);
    assert_eq!(
        report.layers_reloaded,
        [("a.txt".to_owned(), "ben".to_owned())]
    );
    assert_eq!(ana.layer("a.txt", "ben").unwrap().len(), 2);
}

fn conflict_setup() -> (tempfile::TempDir, std::path::PathBuf, Workspace) {
    let (dir, root) = project_with(&[("a.txt", b"John Kerry met Sergey Lavrov.")]);
    let mut ws = Workspace::open(&root).unwrap();
    ws.add_span("a.txt", "ana", 0..10, "actor").unwrap();
    ws.save();
    ws.add_span("a.txt", "ana", 15..28, "claim").unwrap(); // unsaved: ours
    // Another writer (the same annotator on a second machine, synced) changes the file.
    let file = root.join("annotations/ana/a.txt.json");
    let theirs = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"actor\"", "\"disagreement\"");
    std::fs::write(&file, theirs).unwrap();
    let report = ws.sync_from_disk(&[file]);
    assert_eq!(report.conflicts, [("a.txt".to_owned(), "ana".to_owned())]);
    assert_eq!(
        ws.layer("a.txt", "ana").unwrap().len(),
        2,
        "ours is untouched until the user chooses"
    );
    (dir, root, ws)
}

fn labels(ws: &Workspace) -> Vec<String> {
    ws.layer("a.txt", "ana")
        .unwrap()
        .annotations()
        .iter()
        .map(|a| a.label.clone())
        .collect()
}

#[test]
fn a_conflict_resolved_keep_mine_saves_ours_and_keeps_theirs_aside() {
    let (_dir, root, mut ws) = conflict_setup();
    let key = ("a.txt".to_owned(), "ana".to_owned());
    let kept = ws
        .resolve_conflict(&key, Resolution::KeepMine)
        .unwrap()
        .unwrap();
    assert!(
        std::fs::read_to_string(kept)
            .unwrap()
            .contains("disagreement")
    );
    assert!(ws.save().errors.is_empty());
    assert_eq!(labels(&Workspace::open(&root).unwrap()), ["actor", "claim"]);
}

#[test]
fn a_conflict_resolved_take_theirs_or_keep_both() {
    let key = ("a.txt".to_owned(), "ana".to_owned());
    let (_dir, _root, mut ws) = conflict_setup();
    assert_eq!(
        ws.resolve_conflict(&key, Resolution::TakeTheirs).unwrap(),
        None
    );
    assert_eq!(labels(&ws), ["disagreement"]);
    assert!(!ws.is_dirty());

    let (_dir, _root, mut ws) = conflict_setup();
    let kept = ws
        .resolve_conflict(&key, Resolution::KeepBoth)
        .unwrap()
        .unwrap();
    assert_eq!(labels(&ws), ["disagreement"]);
    let ours = std::fs::read_to_string(kept).unwrap();
    assert!(
        ours.contains("\"claim\"") && ours.contains("\"actor\""),
        "{ours}"
    );
}
