//! Changes made on disk by others while a project is open: documents come and go, colleagues'
//! files reload, and our unsaved edits are never overwritten silently.

use tagdesk::core::LayerKey;
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
    let orphans: Vec<_> = ws
        .project()
        .orphaned_layers()
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(orphans, [LayerKey::new("b.txt", "ana")]);
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
    assert_eq!(report.layers_reloaded, [LayerKey::new("a.txt", "ben")]);
    assert_eq!(ana.layer("a.txt", "ben").unwrap().len(), 2);
}

#[test]
fn changed_files_are_read_on_a_thread_and_taken_in_against_the_workspace_as_it_is_then() {
    let (_dir, root) = project_with(&[
        ("a.txt", b"John Kerry met Sergey Lavrov."),
        ("b.txt", b"Lavrov answered."),
    ]);
    let mut ben = Workspace::open(&root).unwrap();
    ben.add_span("a.txt", "ben", 0..10, "actor").unwrap();
    ben.add_span("b.txt", "ben", 0..6, "actor").unwrap();
    assert!(ben.save().errors.is_empty());
    let mut ana = Workspace::open(&root).unwrap();
    ana.add_span("a.txt", "ana", 15..28, "actor").unwrap();
    assert_eq!(
        ana.text("a.txt").unwrap().text.as_str(),
        "John Kerry met Sergey Lavrov."
    );

    // Ben edits both his files; a text changes; a document appears.
    ben.add_span("a.txt", "ben", 15..28, "actor").unwrap();
    ben.add_span("b.txt", "ben", 7..15, "claim").unwrap();
    assert!(ben.save().errors.is_empty());
    std::fs::write(root.join("a.txt"), "John Kerry met Sergey Lavrov today.").unwrap();
    std::fs::write(root.join("c.txt"), "New.").unwrap();
    let paths = [
        root.join("annotations/ben/a.txt.json"),
        root.join("annotations/ben/b.txt.json"),
        root.join("a.txt"),
        root.join("c.txt"),
    ];
    assert!(ana.check_disk_in_background(&paths));
    assert!(ana.checking_disk());
    assert!(!ana.check_disk_in_background(&paths), "one at a time");
    assert!(
        ana.save_in_background().is_none(),
        "no save while files are read: it could be mistaken for a change"
    );
    // Ana edits while the files are read.
    ana.add_span("a.txt", "ana", 0..4, "actor").unwrap();
    let report = ana.finish_disk_check(true).unwrap();
    assert!(!ana.checking_disk());
    assert_eq!(report.documents_added, ["c.txt"]);
    assert_eq!(report.documents_changed, ["a.txt"]);
    assert_eq!(
        report.layers_reloaded,
        [LayerKey::new("a.txt", "ben"), LayerKey::new("b.txt", "ben")]
    );
    assert!(report.conflicts.is_empty());
    assert_eq!(ana.layer("a.txt", "ben").unwrap().len(), 2);
    assert_eq!(ana.layer("b.txt", "ben").unwrap().len(), 2);
    assert_eq!(
        ana.layer("a.txt", "ana").unwrap().len(),
        2,
        "her edits stay"
    );
    assert_eq!(
        ana.text("a.txt").unwrap().text.as_str(),
        "John Kerry met Sergey Lavrov today."
    );

    // While her save runs, no check starts; afterwards her own file is not a change.
    assert!(ana.save_in_background().is_some());
    let ana_file = root.join("annotations/ana/a.txt.json");
    assert!(!ana.check_disk_in_background(std::slice::from_ref(&ana_file)));
    assert!(ana.finish_background_save(true).unwrap().errors.is_empty());
    assert!(ana.check_disk_in_background(&[ana_file]));
    assert!(ana.finish_disk_check(true).unwrap().is_empty());
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
    assert_eq!(report.conflicts, [LayerKey::new("a.txt", "ana")]);
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
        .map(|a| a.label.to_string())
        .collect()
}

#[test]
fn a_conflict_resolved_keep_mine_saves_ours_and_keeps_theirs_aside() {
    let (_dir, root, mut ws) = conflict_setup();
    let key = LayerKey::new("a.txt", "ana");
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
fn a_conflict_resolved_take_theirs_keeps_our_version_aside() {
    let key = LayerKey::new("a.txt", "ana");
    let (_dir, root, mut ws) = conflict_setup();
    let kept = ws
        .resolve_conflict(&key, Resolution::TakeTheirs)
        .unwrap()
        .expect("our version is kept");
    assert_eq!(labels(&ws), ["disagreement"], "theirs is loaded");
    assert!(!ws.is_dirty());
    assert!(
        kept.starts_with(root.join(".tagdesk/conflicts")),
        "{}",
        kept.display()
    );
    let ours = std::fs::read_to_string(kept).unwrap();
    assert!(
        ours.contains("\"claim\"") && ours.contains("\"actor\""),
        "the dropped unsaved edits are in the copy: {ours}"
    );
}

mod reanchoring {
    use proptest::prelude::*;
    use tagdesk::core::SourceText;
    use tagdesk::core::reanchor::plan_reanchor;
    use tagdesk::core::{AnnotationLayer, Workspace};

    use crate::support::project_with;

    /// A text of unique tokens: every span's text occurs once, so placement is never ambiguous
    /// unless an edit touches the span.
    fn text() -> String {
        (0..60)
            .map(|i| format!("tok{i:02}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Spans over tokens 5, 15, 25, 35, 45, and one over 50–52.
    fn layer_for(source: &str) -> AnnotationLayer {
        let (_dir, root) = project_with(&[("a.txt", source.as_bytes())]);
        let mut ws = Workspace::open(&root).unwrap();
        for i in [5usize, 15, 25, 35, 45] {
            ws.add_span("a.txt", "ana", i * 6..i * 6 + 5, "actor")
                .unwrap();
        }
        ws.add_span("a.txt", "ana", 50 * 6..52 * 6 + 5, "claim")
            .unwrap();
        ws.layer("a.txt", "ana").unwrap().clone()
    }

    #[derive(Debug, Clone)]
    enum Change {
        Insert(usize, String),
        Delete(usize, usize),
        Replace(usize, usize, String),
    }

    fn apply(text: &str, change: &Change) -> String {
        let chars: Vec<char> = text.chars().collect();
        let clamp = |i: usize| i.min(chars.len());
        let (at, cut, with) = match change {
            Change::Insert(at, s) => (clamp(*at), 0, s.clone()),
            Change::Delete(at, n) => (clamp(*at), *n, String::new()),
            Change::Replace(at, n, s) => (clamp(*at), *n, s.clone()),
        };
        let end = clamp(at + cut);
        chars[..at].iter().collect::<String>() + &with + &chars[end..].iter().collect::<String>()
    }

    fn change() -> impl Strategy<Value = Change> {
        let n = text().chars().count();
        prop_oneof![
            (0..=n, "[a-z ]{1,12}").prop_map(|(at, s)| Change::Insert(at, s)),
            (0..n, 1..10usize).prop_map(|(at, k)| Change::Delete(at, k)),
            (0..n, 1..6usize, "[A-Z]{1,6}").prop_map(|(at, k, s)| Change::Replace(at, k, s)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// After any edits: nothing is dropped, every span either covers exactly its text again
        /// or needs review; spans the edits did not touch are never flagged.
        #[test]
        fn spans_follow_inserted_deleted_and_edited_text(changes in proptest::collection::vec(change(), 1..4)) {
            let old = text();
            let layer = layer_for(&old);
            let mut new = old.clone();
            for c in &changes {
                new = apply(&new, c);
            }
            let source = SourceText::new(new.clone());
            let (report, edits) = plan_reanchor(&layer, &source);
            prop_assert_eq!(report.unchanged + report.moved.len() + report.needs_review.len(), layer.len());
            let mut after = layer.clone();
            for edit in edits {
                after.apply(edit).unwrap();
            }
            prop_assert_eq!(after.len(), layer.len());
            let chars: Vec<char> = new.chars().collect();
            for a in after.annotations() {
                if a.review().is_none() {
                    prop_assert!(a.end <= chars.len());
                    prop_assert_eq!(chars[a.start..a.end].iter().collect::<String>(), a.text.clone());
                } else {
                    // Flagged only when its own text is no longer there intact.
                    prop_assert_ne!(new.matches(a.text.as_str()).count(), 1, "{} was findable", a.text);
                }
            }
        }
    }

    #[test]
    fn edits_before_inside_and_after_spans() {
        let old = text();
        let layer = layer_for(&old);
        let place = |new: String| {
            let source = SourceText::new(new);
            let (report, edits) = plan_reanchor(&layer, &source);
            let mut after = layer.clone();
            for edit in edits {
                after.apply(edit).unwrap();
            }
            (report, after)
        };
        // Before every span: all move by the inserted length.
        let (report, after) = place(format!("NEW TEXT {old}"));
        assert_eq!(report.moved.len(), 6);
        assert!(after.annotations().iter().all(|a| a.review().is_none()));
        // After every span: nothing moves.
        let (report, _) = place(format!("{old} THE END"));
        assert_eq!(report.unchanged, 6);
        // Deleted before a span: it moves back.
        let (report, after) = place(old.replacen("tok10 ", "", 1));
        assert_eq!(report.moved.len(), 5);
        assert_eq!(after.annotations()[0].start, 30);
        // Inside a span: flagged, kept where it was.
        let (report, after) = place(old.replacen("tok25", "tokXX", 1));
        assert_eq!(report.needs_review.len(), 1);
        let flagged = after
            .annotations()
            .iter()
            .find(|a| a.review().is_some())
            .unwrap();
        assert_eq!((flagged.start, flagged.text.as_str()), (150, "tok25"));
    }
}

/// Another tagdesk saves a new annotator's many layers as one folder renamed into place: the
/// watcher names only the folder, and the disk check takes in every layer inside it.
#[test]
fn a_new_annotators_folder_that_arrives_whole_is_read_file_by_file() {
    let names: Vec<String> = (0..9).map(|n| format!("d{n}.txt")).collect();
    let docs: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), b"John Kerry met Sergey Lavrov.".as_slice()))
        .collect();
    let (_dir, root) = project_with(&docs);
    let mut ana = Workspace::open(&root).unwrap();
    let mut ben = Workspace::open(&root).unwrap();
    for name in &names {
        ben.add_span(name, "ben", 0..10, "actor").unwrap();
    }
    // Nine layers: one commit, the new folder staged whole and renamed into place.
    assert!(ben.save().errors.is_empty());
    let folder = root.join("annotations/ben");
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), names.len());
    assert!(
        std::fs::read_dir(root.join("annotations"))
            .unwrap()
            .all(|e| !e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".tagdesk-tmp-")),
        "no temporary folder left"
    );
    assert!(ana.check_disk_in_background(&[folder]));
    let report = ana.finish_disk_check(true).unwrap();
    assert_eq!(report.layers_reloaded.len(), names.len());
    assert_eq!(ana.layer("d3.txt", "ben").unwrap().len(), 1);
}

/// Two saves gathered into one commit, both for an annotator with no folder yet: one staged
/// folder takes both, and every layer lands.
#[test]
fn two_saves_of_a_new_annotator_in_one_commit_share_its_folder() {
    let names: Vec<String> = (0..18).map(|n| format!("d{n:02}.txt")).collect();
    let docs: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), b"John Kerry met Sergey Lavrov.".as_slice()))
        .collect();
    let (_dir, root) = project_with(&docs);
    let mut staged = tagdesk::core::project::StagedLayers::default();
    for half in names.chunks(9) {
        let mut ws = Workspace::open(&root).unwrap();
        ws.save_each_step_at_once();
        for name in half {
            ws.add_span(name, "ben", 0..10, "actor").unwrap();
        }
        assert!(ws.stage_save(&mut staged).errors.is_empty());
    }
    assert_eq!(staged.len(), names.len());
    let report = tagdesk::core::workspace::commit_staged(&root, staged);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let ws = Workspace::open(&root).unwrap();
    for name in &names {
        assert_eq!(ws.layer(name, "ben").unwrap().len(), 1, "{name}");
    }
}
