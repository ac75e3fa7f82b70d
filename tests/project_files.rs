//! The project on disk: stable files, exact reloads, refusals that change nothing.

use tagdesk::core::LayerKey;
use tagdesk::core::project::{LayerFile, Project, layer_to_json};
use tagdesk::core::{DocStatus, Workspace};

use crate::support::{char_offset_of, project_with, sample_copy};

fn two_docs() -> (tempfile::TempDir, std::path::PathBuf) {
    project_with(&[
        (
            "news/a.txt",
            "John Kerry met Sergey Lavrov in Geneva.".as_bytes(),
        ),
        ("b.txt", "Talks failed.".as_bytes()),
    ])
}

#[test]
fn documents_are_listed_recursively_with_slash_paths_skipping_project_folders() {
    let (_dir, root) = two_docs();
    std::fs::create_dir_all(root.join("annotations/ana")).unwrap();
    std::fs::write(root.join("annotations/ana/stray.txt"), "not a source").unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join(".git/x.txt"), "hidden").unwrap();
    std::fs::write(root.join("notes.md"), "not .txt").unwrap();
    let project = Project::open(&root).unwrap();
    let paths: Vec<_> = project.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths, ["b.txt", "news/a.txt"]);
}

#[test]
fn save_then_reload_is_identical_and_files_are_stable() {
    let (_dir, root) = two_docs();
    let mut ws = Workspace::open(&root).unwrap();
    let kerry = ws.add_span("news/a.txt", "ana", 0..10, "actor").unwrap();
    ws.add_span("news/a.txt", "ana", 15..28, "actor").unwrap();
    ws.add_span("news/a.txt", "ana", 0..39, "claim").unwrap();
    ws.set_note(
        &LayerKey::new("news/a.txt", "ana"),
        &kerry,
        Some("US Secretary of State".into()),
    )
    .unwrap();
    assert!(ws.save().errors.is_empty());
    let file = root.join("annotations/ana/news/a.txt.json");
    let first = std::fs::read_to_string(&file).unwrap();

    let reloaded = Workspace::open(&root).unwrap();
    let before = ws.layer("news/a.txt", "ana").unwrap();
    let after = reloaded.layer("news/a.txt", "ana").unwrap();
    assert_eq!(before.annotations(), after.annotations());
    assert_eq!(before.status, DocStatus::InProgress);
    assert_eq!(after.status, before.status);
    assert_eq!(after.source_sha256, before.source_sha256);
    assert!(after.source_sha256.starts_with("sha256:"));

    // Writing again gives the same bytes; annotations are sorted by (start, end, label, id).
    assert_eq!(layer_to_json(after), first);
    let parsed: LayerFile = serde_json::from_str(&first).unwrap();
    let keys: Vec<_> = parsed
        .annotations
        .iter()
        .map(|a| (a.start, a.end, a.label.to_string()))
        .collect();
    assert_eq!(
        keys,
        [
            (0, 10, "actor".to_owned()),
            (0, 39, "claim".to_owned()),
            (15, 28, "actor".to_owned())
        ]
    );
    // One field order; each annotation compact on its own line (v2).
    let id_at = first.find("\"id\"").unwrap();
    let label_at = first.find("\"label\"").unwrap();
    let start_at = first.find("\"start\"").unwrap();
    assert!(id_at < label_at && label_at < start_at);
    assert!(first.ends_with("}\n"));
}

#[test]
fn one_new_annotation_is_a_small_diff() {
    let (_dir, root) = two_docs();
    let mut ws = Workspace::open(&root).unwrap();
    ws.add_span("news/a.txt", "ana", 0..10, "actor").unwrap();
    ws.add_span("news/a.txt", "ana", 32..38, "actor").unwrap();
    ws.save();
    let file = root.join("annotations/ana/news/a.txt.json");
    let before = std::fs::read_to_string(&file).unwrap();
    ws.add_span("news/a.txt", "ana", 15..28, "actor").unwrap();
    ws.save();
    let after = std::fs::read_to_string(&file).unwrap();
    let before_lines: Vec<_> = before.lines().collect();
    let after_lines: Vec<_> = after.lines().collect();
    // Everything before stays, in order; the new annotation is one line (layer files v2), and
    // the line before it gains its comma only if it was the last.
    let added = after_lines.len() - before_lines.len();
    assert_eq!(added, 1, "one annotation, one line:\n{after}");
    assert!(after.contains("\"version\": 2"));
    let common_prefix = before_lines
        .iter()
        .zip(&after_lines)
        .take_while(|(a, b)| a == b)
        .count();
    let common_suffix = before_lines
        .iter()
        .rev()
        .zip(after_lines.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    assert!(
        common_prefix + common_suffix >= before_lines.len(),
        "only an insertion, no rewrite"
    );
}

#[test]
fn undo_and_redo_restore_exact_states() {
    let (_dir, root) = two_docs();
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new("news/a.txt".to_owned(), "ana".to_owned());
    let id = ws.add_span("news/a.txt", "ana", 0..10, "actor").unwrap();
    let after_add = ws.layer("news/a.txt", "ana").unwrap().clone();
    ws.relabel(&key, &id, "claim").unwrap();
    ws.resize(&key, &id, 0..4).unwrap();
    ws.set_note(&key, &id, Some("n".into())).unwrap();
    ws.set_note(&key, &id, Some("no".into())).unwrap();
    ws.set_note(&key, &id, Some("note".into())).unwrap();
    let end_state = ws.layer("news/a.txt", "ana").unwrap().clone();
    assert_eq!(end_state.get(&id).unwrap().text, "John");

    assert_eq!(
        ws.undo().and_then(|r| r.document).as_deref(),
        Some("news/a.txt"),
        "the three note edits are one step"
    );
    assert_eq!(
        ws.layer("news/a.txt", "ana")
            .unwrap()
            .get(&id)
            .unwrap()
            .note(),
        None
    );
    ws.undo(); // resize
    ws.undo(); // relabel
    assert_eq!(
        ws.layer("news/a.txt", "ana").unwrap().annotations(),
        after_add.annotations()
    );
    ws.undo(); // add (and the status change with it)
    let layer = ws.layer("news/a.txt", "ana").unwrap();
    assert!(layer.is_empty());
    assert_eq!(layer.status, DocStatus::New);
    assert_eq!(ws.undo(), None);
    for _ in 0..4 {
        ws.redo().unwrap();
    }
    assert_eq!(
        ws.layer("news/a.txt", "ana").unwrap().annotations(),
        end_state.annotations()
    );
    assert_eq!(ws.redo(), None);
    // A new edit clears the redo stack.
    ws.undo();
    ws.remove_span(&key, &id).unwrap();
    assert_eq!(ws.redo(), None);
}

#[test]
fn a_newer_manifest_is_refused_and_left_unchanged() {
    let (_dir, root) = two_docs();
    let manifest = root.join("tagdesk.json");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("\"version\": 1", "\"version\": 99");
    std::fs::write(&manifest, &text).unwrap();
    let err = Project::open(&root).unwrap_err().to_string();
    assert!(err.contains("version 99 is newer"), "{err}");
    assert!(err.contains("tagdesk.json"), "{err}");
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), text);
}

#[test]
fn a_broken_annotation_file_names_its_place_and_is_never_overwritten() {
    let (_dir, root) = two_docs();
    let mut ws = Workspace::open(&root).unwrap();
    ws.add_span("news/a.txt", "ana", 0..10, "actor").unwrap();
    ws.add_span("b.txt", "ana", 0..5, "actor").unwrap();
    ws.save();
    let broken = root.join("annotations/ana/news/a.txt.json");
    let text = std::fs::read_to_string(&broken).unwrap();
    let truncated = &text[..text.len() / 2];
    std::fs::write(&broken, truncated).unwrap();

    let mut ws = Workspace::open(&root).unwrap();
    assert_eq!(ws.project().layer_errors.len(), 1);
    let message = &ws.project().layer_errors[0].message;
    assert!(message.contains("a.txt.json:"), "{message}");
    assert!(
        message.contains(&format!(":{}:", truncated.lines().count())),
        "line of the error in {message}"
    );
    // The rest of the project is open.
    assert_eq!(ws.layer("b.txt", "ana").unwrap().len(), 1);
    // Editing that layer is refused; saving never touches the file.
    let refused = ws
        .add_span("news/a.txt", "ana", 0..4, "actor")
        .unwrap_err()
        .to_string();
    assert!(refused.contains("read-only"), "{refused}");
    ws.add_span("b.txt", "ana", 6..12, "claim").unwrap();
    assert!(ws.save().errors.is_empty());
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), truncated);
}

#[test]
fn unusable_sources_are_listed_with_the_reason() {
    let (_dir, root) = project_with(&[
        ("good.txt", "fine".as_bytes()),
        ("latin1.txt", b"caf\xE9 au lait"),
        ("empty.txt", b""),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\0\0"),
    ]);
    let mut ws = Workspace::open(&root).unwrap();
    assert_eq!(ws.project().documents.len(), 4, "listed, not hidden");
    assert!(ws.text("good.txt").is_ok());
    let reason = |ws: &mut Workspace, doc: &str| ws.text(doc).unwrap_err().to_string();
    assert!(reason(&mut ws, "latin1.txt").contains("not UTF-8 (invalid byte at line 1, byte 3)"));
    assert!(reason(&mut ws, "empty.txt").contains("empty file"));
    assert!(reason(&mut ws, "binary.txt").contains("binary file"));
}

#[test]
fn init_refuses_an_existing_project_and_a_plain_folder_becomes_one_in_place() {
    let (_dir, root) = two_docs();
    assert!(Project::init(&root, None, None).is_err_and(|e| e.to_string().contains("already")));
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("x.txt"), "text").unwrap();
    assert!(!Project::is_project(plain.path()));
    let project = Project::init(plain.path(), None, None).unwrap();
    assert_eq!(project.documents.len(), 1);
    assert_eq!(project.manifest.sources, ".");
    assert_eq!(
        std::fs::read_to_string(plain.path().join("x.txt")).unwrap(),
        "text"
    );
}

#[test]
fn the_sample_project_opens_clean_with_two_annotators() {
    let (_dir, root) = sample_copy();
    let project = Project::open(&root).unwrap();
    assert_eq!(project.documents.len(), 5);
    assert!(project.layer_errors.is_empty());
    assert!(
        project.annotators().len() >= 2,
        "{:?}",
        project.annotators()
    );
    assert!(tagdesk::core::validate::validate(&project).is_empty());
    let georgian = project.read_text("003_3a31fb68b867da90.txt").unwrap();
    let at = char_offset_of(georgian.text.as_str(), "დონალდ", 0);
    assert_eq!(georgian.text.slice(at..at + 6), "დონალდ");
}

#[cfg(unix)]
#[test]
fn saved_files_are_readable_by_others_and_keep_their_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let (_dir, root) = two_docs();
    let mut ws = Workspace::open(&root).unwrap();
    ws.add_span("b.txt", "ana", 0..5, "actor").unwrap();
    ws.save();
    let file = root.join("annotations/ana/b.txt.json");
    let mode = |f: &std::path::Path| std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o644);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o664)).unwrap();
    ws.add_span("b.txt", "ana", 6..12, "claim").unwrap();
    ws.save();
    assert_eq!(mode(&file), 0o664);
}

#[test]
fn relations_attributes_and_statuses_survive_save_and_reload() {
    use tagdesk::core::schema::AttributeValue;
    let (_dir, root) = project_with(&[(
        "a.txt",
        "John Kerry said the talks failed; Lavrov disagreed.".as_bytes(),
    )]);
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new("a.txt".to_owned(), "ana".to_owned());
    let kerry = ws.add_span("a.txt", "ana", 0..10, "actor").unwrap();
    let claim = ws.add_span("a.txt", "ana", 16..32, "claim").unwrap();
    let lavrov = ws.add_span("a.txt", "ana", 34..40, "actor").unwrap();
    let dispute = ws.add_span("a.txt", "ana", 34..50, "disagreement").unwrap();
    ws.add_relation(&key, "said_by", &claim, &kerry).unwrap();
    ws.add_relation(&key, "disputes", &dispute, &claim).unwrap();
    ws.add_relation(&key, "between", &dispute, &lavrov).unwrap();
    let refused = ws
        .add_relation(&key, "said_by", &kerry, &claim)
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("no relation type \"said_by\" goes from actor to claim")
    );
    ws.set_attribute(
        &key,
        &claim,
        "stance",
        Some(AttributeValue::Text("oppose".into())),
    )
    .unwrap();
    assert!(
        ws.set_attribute(
            &key,
            &claim,
            "stance",
            Some(AttributeValue::Text("maybe".into()))
        )
        .is_err()
    );
    assert!(
        ws.set_attribute(
            &key,
            &kerry,
            "stance",
            Some(AttributeValue::Text("oppose".into()))
        )
        .is_err()
    );
    ws.set_status(&key, DocStatus::Done).unwrap();
    assert!(ws.save().errors.is_empty());

    let reloaded = Workspace::open(&root).unwrap();
    assert_eq!(reloaded.layer("a.txt", "ana"), ws.layer("a.txt", "ana"));
    let layer = reloaded.layer("a.txt", "ana").unwrap();
    assert_eq!(layer.relations().len(), 3);
    assert_eq!(layer.status, DocStatus::Done);
    assert_eq!(
        layer.get(&claim).unwrap().attributes.get("stance"),
        Some(&AttributeValue::Text("oppose".into()))
    );
    let json = std::fs::read_to_string(root.join("annotations/ana/a.txt.json")).unwrap();
    assert!(json.contains("\"type\":\"said_by\""), "{json}");
    assert!(json.contains("\"stance\":\"oppose\""));
}

#[test]
fn deleting_a_span_deletes_its_relations_in_the_same_undo_step() {
    let (_dir, root) = project_with(&[("a.txt", "John Kerry said no.".as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new("a.txt".to_owned(), "ana".to_owned());
    let kerry = ws.add_span("a.txt", "ana", 0..10, "actor").unwrap();
    let claim = ws.add_span("a.txt", "ana", 16..18, "claim").unwrap();
    ws.add_relation(&key, "said_by", &claim, &kerry).unwrap();
    let before = ws.layer("a.txt", "ana").unwrap().clone();
    ws.remove_span(&key, &kerry).unwrap();
    let after = ws.layer("a.txt", "ana").unwrap();
    assert!(after.relations().is_empty());
    assert_eq!(after.len(), 1);
    ws.undo().unwrap();
    assert_eq!(ws.layer("a.txt", "ana").unwrap(), &before);
}

#[test]
fn schema_renames_and_removals_change_every_layer_and_undo_in_one_step() {
    let (_dir, root) = project_with(&[("a.txt", "John Kerry said no.".as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new("a.txt".to_owned(), "ana".to_owned());
    let kerry = ws.add_span("a.txt", "ana", 0..10, "actor").unwrap();
    ws.add_span("a.txt", "ben", 0..4, "actor").unwrap();
    let claim = ws.add_span("a.txt", "ana", 16..18, "claim").unwrap();
    ws.add_relation(&key, "said_by", &claim, &kerry).unwrap();
    ws.save();

    ws.rename_label("actor", "speaker").unwrap();
    assert!(ws.layer("a.txt", "ana").unwrap().get(&kerry).unwrap().label == "speaker");
    assert!(ws.layer("a.txt", "ben").unwrap().annotations()[0].label == "speaker");
    assert_eq!(
        ws.project().schema().relation("said_by").unwrap().to,
        ["speaker"]
    );
    assert!(ws.manifest_dirty());
    assert!(ws.save().errors.is_empty());
    let manifest = std::fs::read_to_string(root.join("tagdesk.json")).unwrap();
    assert!(manifest.contains("\"name\": \"speaker\""));
    assert_eq!(Workspace::open(&root).unwrap().label_usage("speaker"), 2);

    ws.undo().unwrap();
    assert_eq!(ws.label_usage("actor"), 2);
    assert!(ws.project().schema().get("speaker").is_none());

    assert_eq!(ws.label_usage("claim"), 1);
    ws.remove_label("claim").unwrap();
    assert_eq!(ws.label_usage("claim"), 0);
    assert!(ws.project().schema().get("claim").is_none());
    assert!(
        ws.project().schema().relation("said_by").is_none(),
        "a type without its source label goes"
    );
    assert!(ws.layer("a.txt", "ana").unwrap().relations().is_empty());
    ws.undo().unwrap();
    assert_eq!(ws.label_usage("claim"), 1);
    assert_eq!(ws.layer("a.txt", "ana").unwrap().relations().len(), 1);
}

#[test]
fn discontinuous_spans_merge_resize_save_reload_and_export() {
    use tagdesk::formats::{self, ExportFilter, Format};
    let (_dir, root) = project_with(&[("a.txt", "Kerry, after a pause, said no.".as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new("a.txt".to_owned(), "ana".to_owned());
    let id = ws.add_span("a.txt", "ana", 0..5, "actor").unwrap();
    ws.add_fragment(&key, &id, 22..26).unwrap(); // "said"
    let a = ws.layer("a.txt", "ana").unwrap().get(&id).unwrap().clone();
    assert_eq!((a.start, a.end), (0, 26));
    assert_eq!(a.fragments(), vec![[0, 5], [22, 26]]);
    assert_eq!(a.text, "Kerry said");
    assert!(a.contains(23) && !a.contains(10));
    // A piece touching another merges with it.
    ws.add_fragment(&key, &id, 26..29).unwrap();
    let a = ws.layer("a.txt", "ana").unwrap().get(&id).unwrap().clone();
    assert_eq!(a.fragments(), vec![[0, 5], [22, 29]]);
    assert_eq!(a.text, "Kerry said no");
    // Resizing moves the outer edges.
    ws.resize(&key, &id, 0..30).unwrap();
    let a = ws.layer("a.txt", "ana").unwrap().get(&id).unwrap().clone();
    assert_eq!(a.fragments(), vec![[0, 5], [22, 30]]);
    assert_eq!(a.text, "Kerry said no.");
    assert!(ws.save().errors.is_empty());

    let mut reloaded = Workspace::open(&root).unwrap();
    assert_eq!(reloaded.layer("a.txt", "ana"), ws.layer("a.txt", "ana"));
    assert!(tagdesk::core::validate::validate(reloaded.project()).is_empty());
    let mut out = Vec::new();
    formats::export(
        &mut reloaded,
        Format::Jsonl,
        &ExportFilter::default(),
        formats::Sink::Stream(Box::new(&mut out)),
    )
    .unwrap();
    let record: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(record["spans"][0]["text"], "Kerry said no.");
    assert_eq!(
        record["spans"][0]["fragments"],
        serde_json::json!([[0, 5], [22, 30]])
    );
    assert_eq!(
        record["label"],
        serde_json::json!([[0, 5, "actor"], [22, 30, "actor"]])
    );

    // Undo walks back through each change.
    ws.undo();
    ws.undo();
    assert_eq!(
        ws.layer("a.txt", "ana").unwrap().get(&id).unwrap().text,
        "Kerry said"
    );
    ws.undo();
    let a = ws.layer("a.txt", "ana").unwrap().get(&id).unwrap().clone();
    assert!(a.fragments().is_empty());
    assert_eq!(a.text, "Kerry");
}

#[test]
fn a_refused_first_edit_leaves_no_layer_behind() {
    use tagdesk::core::Edit;
    let (_dir, root) = two_docs();
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new("b.txt".to_owned(), "ana".to_owned());
    let refused = ws.apply(
        &key,
        "remove",
        None,
        vec![Edit::Remove { id: "nope".into() }],
    );
    assert!(refused.is_err());
    assert!(
        ws.project().layers.is_empty(),
        "no empty layer is left to be saved or exported"
    );
    assert!(!ws.is_dirty());
    ws.set_status(&key, DocStatus::Done).unwrap();
    assert_eq!(ws.project().layers.len(), 1);
    assert_eq!(ws.dirty_layers().len(), 1);
}

#[test]
fn a_same_size_change_on_disk_is_seen_even_when_size_and_time_are_trusted() {
    let (_dir, root) = two_docs();
    let key = LayerKey::new("b.txt".to_owned(), "ana".to_owned());
    {
        let mut ws = Workspace::open(&root).unwrap();
        ws.add_span("b.txt", "ana", 0..5, "actor").unwrap();
        assert!(ws.save().errors.is_empty());
    }
    // Old enough that its size and time are trusted when the project opens.
    std::thread::sleep(std::time::Duration::from_millis(80));
    let mut ws = Workspace::open(&root).unwrap();
    assert!(!ws.layer_file_changed(&key));
    std::thread::sleep(std::time::Duration::from_millis(80));
    // A colleague's change of the same length ("actor" → "claim"): the time moved.
    let file = root.join("annotations/ana/b.txt.json");
    let before = std::fs::read_to_string(&file).unwrap();
    let theirs = before.replace("\"actor\"", "\"claim\"");
    assert_eq!(theirs.len(), before.len());
    std::fs::write(&file, &theirs).unwrap();
    assert!(ws.layer_file_changed(&key));
    let id = ws.layer("b.txt", "ana").unwrap().annotations()[0]
        .id
        .clone();
    ws.set_note(&key, &id, Some("mine".into())).unwrap();
    assert_eq!(ws.save().errors.len(), 1, "never overwritten");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), theirs);
}

#[test]
fn a_file_changed_on_disk_is_never_overwritten_and_our_edits_are_kept_aside() {
    let (_dir, root) = two_docs();
    let mut ws = Workspace::open(&root).unwrap();
    ws.add_span("b.txt", "ana", 0..5, "actor").unwrap();
    assert!(ws.save().errors.is_empty());
    // Saving again after our own write is fine (no false conflict).
    ws.add_span("b.txt", "ana", 6..12, "claim").unwrap();
    assert!(ws.save().errors.is_empty());

    // Someone else rewrites the file (git pull, a sync client)…
    let file = root.join("annotations/ana/b.txt.json");
    let theirs = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"claim\"", "\"disagreement\"");
    std::fs::write(&file, &theirs).unwrap();
    // …while we have an unsaved edit.
    let key = LayerKey::new("b.txt".to_owned(), "ana".to_owned());
    let id = ws.layer("b.txt", "ana").unwrap().annotations()[0]
        .id
        .clone();
    ws.set_note(&key, &id, Some("mine".into())).unwrap();
    let report = ws.save();
    assert_eq!(report.errors.len(), 1);
    assert!(
        report.errors[0].contains("changed on disk"),
        "{}",
        report.errors[0]
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        theirs,
        "theirs is untouched"
    );
    let kept = ws.project().conflicts.get(&key).unwrap().clone();
    assert!(
        std::fs::read_to_string(&kept)
            .unwrap()
            .contains("\"note\":\"mine\""),
        "ours is kept"
    );
    assert!(
        kept.starts_with(root.join(".tagdesk")),
        "in the private folder git ignores"
    );
    // The layer is read-only now; nothing retries or loops.
    assert!(ws.set_note(&key, &id, Some("more".into())).is_err());
    assert!(ws.save().errors.is_empty());
    // Reopening loads theirs, and the kept copy is not taken for an annotation file.
    let reopened = Workspace::open(&root).unwrap();
    assert_eq!(
        reopened.layer("b.txt", "ana").unwrap().annotations()[1].label,
        "disagreement"
    );
    assert!(reopened.project().layer_errors.is_empty());
}

#[test]
fn a_manifest_changed_on_disk_is_not_overwritten_by_a_schema_edit() {
    let (_dir, root) = two_docs();
    let mut ws = Workspace::open(&root).unwrap();
    let manifest = root.join("tagdesk.json");
    let theirs = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("\"name\": \"test\"", "\"name\": \"renamed\"");
    std::fs::write(&manifest, &theirs).unwrap();
    let mut schema = ws.project().schema().clone();
    schema.labels[0].color = "#000000".into();
    ws.set_schema(schema, "recolour", None).unwrap();
    let report = ws.save();
    assert!(
        report.errors.iter().any(|e| e.contains("changed on disk")),
        "{:?}",
        report.errors
    );
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), theirs);
    // Our own saves do not trip the check.
    let (_dir2, root2) = two_docs();
    let mut ws2 = Workspace::open(&root2).unwrap();
    let mut schema = ws2.project().schema().clone();
    schema.labels[0].color = "#000000".into();
    ws2.set_schema(schema.clone(), "recolour", None).unwrap();
    assert!(ws2.save().errors.is_empty());
    schema.labels[0].color = "#111111".into();
    ws2.set_schema(schema, "recolour", None).unwrap();
    assert!(ws2.save().errors.is_empty());
}

#[test]
fn edits_survive_a_crash_through_the_journal() {
    let (_dir, root) = two_docs();
    let key = LayerKey::new("news/a.txt".to_owned(), "ana".to_owned());
    let expected = {
        let mut ws = Workspace::open(&root).unwrap();
        let kerry = ws.add_span("news/a.txt", "ana", 0..10, "actor").unwrap();
        ws.save();
        // Unsaved edits of every kind, then the process "dies" (the workspace is dropped
        // without saving).
        let lavrov = ws.add_span("news/a.txt", "ana", 15..28, "actor").unwrap();
        let claim = ws.add_span("news/a.txt", "ana", 0..39, "claim").unwrap();
        ws.add_relation(&key, "said_by", &claim, &kerry).unwrap();
        ws.set_note(&key, &lavrov, Some("Russian FM".into()))
            .unwrap();
        ws.remove_span(&key, &kerry).unwrap();
        ws.undo().unwrap(); // undo and redo are journaled too
        ws.relabel(&key, &lavrov, "disagreement").unwrap();
        let mut schema = ws.project().schema().clone();
        schema.labels[0].color = "#123456".into();
        ws.set_schema(schema, "recolour", None).unwrap();
        (
            ws.layer("news/a.txt", "ana").unwrap().clone(),
            ws.project().schema().clone(),
        )
    };
    let mut ws = Workspace::open(&root).unwrap();
    assert_ne!(
        ws.layer("news/a.txt", "ana").unwrap(),
        &expected.0,
        "the file has only the saved edit"
    );
    let report = ws.recover();
    assert!(report.iter().any(|l| l.contains("recovered")), "{report:?}");
    assert_eq!(
        ws.layer("news/a.txt", "ana").unwrap().annotations(),
        expected.0.annotations()
    );
    assert_eq!(
        ws.layer("news/a.txt", "ana").unwrap().relations(),
        expected.0.relations()
    );
    assert_eq!(ws.project().schema(), &expected.1);
    assert!(ws.is_dirty());
    assert!(ws.save().errors.is_empty());
    // Saved: the journal is gone, nothing is replayed twice.
    let mut again = Workspace::open(&root).unwrap();
    assert!(again.recover().is_empty());
    assert_eq!(
        again.layer("news/a.txt", "ana").unwrap().annotations(),
        expected.0.annotations()
    );
}

#[test]
fn a_journal_over_a_file_that_changed_is_set_aside_not_replayed() {
    let (_dir, root) = two_docs();
    {
        let mut ws = Workspace::open(&root).unwrap();
        ws.add_span("b.txt", "ana", 0..5, "actor").unwrap();
        ws.save();
        ws.add_span("b.txt", "ana", 6..12, "claim").unwrap(); // unsaved, journaled
    }
    let file = root.join("annotations/ana/b.txt.json");
    let theirs = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"actor\"", "\"claim\"");
    std::fs::write(&file, &theirs).unwrap();
    let mut ws = Workspace::open(&root).unwrap();
    let report = ws.recover();
    assert!(
        report.iter().any(|l| l.contains("not replayed")),
        "{report:?}"
    );
    assert_eq!(ws.layer("b.txt", "ana").unwrap().len(), 1);
    assert!(root.join(".tagdesk/conflicts/ana").is_dir());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), theirs);
}

#[test]
fn a_failed_save_keeps_the_edits_in_memory_and_in_the_journal_and_a_retry_succeeds() {
    let (_dir, root) = two_docs();
    // Something that is not a folder stands where the annotator's folder must go (as a full
    // disk or a read-only folder would, the write fails).
    std::fs::create_dir_all(root.join("annotations")).unwrap();
    std::fs::write(root.join("annotations/ana"), "in the way").unwrap();
    let mut ws = Workspace::open(&root).unwrap();
    ws.add_span("b.txt", "ana", 0..5, "actor").unwrap();
    let report = ws.save();
    assert_eq!(report.errors.len(), 1);
    assert!(
        report.errors[0].contains("cannot save"),
        "{}",
        report.errors[0]
    );
    assert!(
        report.errors[0].contains("b.txt.json"),
        "names the file: {}",
        report.errors[0]
    );
    assert!(ws.is_dirty(), "the edit is still there, unsaved");
    assert!(
        root.join(".tagdesk/journal/ana/b.txt.jsonl").is_file(),
        "and journaled"
    );
    std::fs::remove_file(root.join("annotations/ana")).unwrap();
    assert!(ws.save().errors.is_empty(), "the retry writes it");
    assert_eq!(
        Workspace::open(&root)
            .unwrap()
            .layer("b.txt", "ana")
            .unwrap()
            .len(),
        1
    );
}

#[cfg(unix)]
#[test]
fn symlinks_never_lead_outside_the_project() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "outside text").unwrap();
    std::fs::create_dir_all(outside.path().join("dir")).unwrap();
    std::fs::write(outside.path().join("dir/more.txt"), "more").unwrap();
    let (_dir, root) = two_docs();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), root.join("link.txt")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("dir"), root.join("linked-dir")).unwrap();
    std::fs::create_dir_all(root.join("annotations/ana")).unwrap();
    std::fs::write(outside.path().join("x.txt.json"), "{}").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("x.txt.json"),
        root.join("annotations/ana/b.txt.json"),
    )
    .unwrap();
    let project = Project::open(&root).unwrap();
    let paths: Vec<_> = project.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        ["b.txt", "news/a.txt"],
        "linked files and folders are not followed"
    );
    assert!(
        project.layers.is_empty() && project.layer_errors.is_empty(),
        "nor linked annotation files"
    );
    assert!(Workspace::open(&root).unwrap().text("link.txt").is_err());
}

#[test]
fn a_background_save_that_edits_outran_keeps_them_dirty_and_journaled_on_the_new_file() {
    let (_dir, root) = two_docs();
    let key = LayerKey::new("news/a.txt".to_owned(), "ana".to_owned());
    let file = root.join("annotations/ana/news/a.txt.json");
    let mut ws = Workspace::open(&root).unwrap();
    ws.add_span("news/a.txt", "ana", 0..10, "actor").unwrap();
    // Nothing edited while it runs: saved, clean, journal gone.
    let started = ws.save_in_background().unwrap();
    assert!(started.errors.is_empty());
    assert!(ws.saving_in_background());
    assert!(ws.save_in_background().is_none(), "one at a time");
    let report = ws.finish_background_save(true).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.saved, vec![file.clone()]);
    assert!(!ws.is_dirty());
    assert!(!root.join(".tagdesk/journal/ana/news/a.txt.jsonl").exists());
    assert_eq!(
        Project::open(&root).unwrap().layers[&key],
        *ws.layer("news/a.txt", "ana").unwrap()
    );

    // An edit made while the copy is written: the file has the copy, the edit stays unsaved
    // and journaled against the new file, so a crash now loses nothing.
    ws.add_span("news/a.txt", "ana", 15..28, "actor").unwrap();
    ws.save_in_background().unwrap();
    ws.add_span("news/a.txt", "ana", 32..38, "actor").unwrap();
    let report = ws.finish_background_save(true).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(ws.is_dirty(), "the later edit is not in the file");
    let on_disk = Project::open(&root).unwrap();
    assert_eq!(on_disk.layers[&key].len(), 2);
    let expected = ws.layer("news/a.txt", "ana").unwrap().clone();
    assert_eq!(expected.len(), 3);
    drop(ws); // the process "dies"
    let mut ws = Workspace::open(&root).unwrap();
    let recovered = ws.recover();
    assert!(
        recovered.iter().any(|l| l.contains("recovered 1 unsaved")),
        "{recovered:?}"
    );
    assert_eq!(
        ws.layer("news/a.txt", "ana").unwrap().annotations(),
        expected.annotations()
    );
    // A plain save waits for one under way and writes everything.
    ws.save_in_background().unwrap();
    ws.add_span("b.txt", "ana", 0..5, "claim").unwrap();
    let report = ws.save();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(!ws.is_dirty());
    assert!(!ws.saving_in_background());
    let reopened = Project::open(&root).unwrap();
    assert_eq!(reopened.layers[&key].len(), 3);
    assert_eq!(
        reopened.layers[&LayerKey::new("b.txt".to_owned(), "ana".to_owned())].len(),
        1
    );
}

#[test]
fn a_crash_after_a_background_save_replaced_the_file_replays_only_the_later_edits() {
    let (_dir, root) = two_docs();
    let key = LayerKey::new("news/a.txt".to_owned(), "ana".to_owned());
    let file = root.join("annotations/ana/news/a.txt.json");
    let journal = root.join(".tagdesk/journal/ana/news/a.txt.jsonl");
    let mut ws = Workspace::open(&root).unwrap();
    ws.add_span("news/a.txt", "ana", 0..10, "actor").unwrap();
    ws.add_span("news/a.txt", "ana", 15..28, "claim").unwrap();
    ws.save_in_background().unwrap();
    // The writer replaces the file; the app never takes the save in (it dies first), but an
    // edit made meanwhile is journaled.
    let mut waited = 0;
    while Project::open(&root)
        .ok()
        .and_then(|p| p.layers.get(&key).map(tagdesk::core::AnnotationLayer::len))
        != Some(2)
    {
        std::thread::sleep(std::time::Duration::from_millis(5));
        waited += 1;
        assert!(
            waited < 2000,
            "the background save never wrote {}",
            file.display()
        );
    }
    ws.add_span("news/a.txt", "ana", 32..38, "disagreement")
        .unwrap();
    let expected = ws.layer("news/a.txt", "ana").unwrap().clone();
    assert_eq!(expected.len(), 3);
    let journal_text = std::fs::read_to_string(&journal).unwrap();
    assert!(journal_text.contains("\"saved\""), "{journal_text}");
    std::mem::forget(ws); // the process "dies": no finishing, no lock release

    for round in 0..2 {
        let mut ws = Workspace::open(&root).unwrap();
        let recovered = ws.recover();
        assert_eq!(
            recovered,
            vec![
                "news/a.txt (ana): recovered 1 unsaved edits from a session that ended without saving"
            ],
            "round {round}: nothing set aside, only the edit the file lacks replayed"
        );
        assert_eq!(
            ws.layer("news/a.txt", "ana").unwrap().annotations(),
            expected.annotations()
        );
        assert!(!root.join(".tagdesk/conflicts").exists());
        // The journal now builds on the saved file, so a second crash replays the same.
        drop(ws);
    }
    let mut ws = Workspace::open(&root).unwrap();
    ws.recover();
    assert!(ws.save().errors.is_empty());
    assert_eq!(Project::open(&root).unwrap().layers[&key], expected);
    assert!(!journal.exists());
}

#[test]
fn a_big_reanchoring_journaled_on_a_thread_is_replayed_in_order_after_a_crash() {
    let words: Vec<String> = (0..7000).map(|i| format!("w{i}")).collect();
    let text = words.join(" ");
    let (_dir, root) = project_with(&[("a.txt", text.as_bytes())]);
    let key = LayerKey::new("a.txt".to_owned(), "ana".to_owned());
    {
        // 6,000 spans, saved against this text.
        let source = tagdesk::core::SourceText::new(text.clone());
        let spans = tagdesk::synth::annotations(&source, "ana", 6000, 3);
        let mut layer = tagdesk::core::AnnotationLayer::new("a.txt", "ana").with_annotations(spans);
        layer.source_sha256 = tagdesk::core::project::content_hash(text.as_bytes());
        let mut project = Project::open(&root).unwrap();
        project.layers.insert(key.clone(), layer);
        project.save_layer(&key).unwrap();
    }
    // The text changes: every span moves by 6 characters.
    std::fs::write(root.join("a.txt"), format!("Intro {text}")).unwrap();
    let mut ws = Workspace::open(&root).unwrap();
    let report = ws.reanchor(&key).unwrap().unwrap();
    assert_eq!(report.moved.len(), 6000);
    // The next edits wait for the big entry, so the journal keeps their order (a relabel of a
    // re-anchored span replayed before the re-anchoring would be undone by it).
    ws.add_span("a.txt", "ana", 0..5, "actor").unwrap();
    let moved = ws.layer("a.txt", "ana").unwrap().annotations()[3000].clone();
    let other = if moved.label == "claim" {
        "actor"
    } else {
        "claim"
    };
    ws.relabel(&key, &moved.id, other).unwrap();
    let expected = ws.layer("a.txt", "ana").unwrap().clone();
    assert!(ws.journal_error().is_none());
    std::mem::forget(ws); // the process "dies"

    let mut ws = Workspace::open(&root).unwrap();
    let recovered = ws.recover();
    assert!(
        recovered
            .iter()
            // the re-anchoring, its hash, the span, the status, the relabel
            .any(|l| l.contains("recovered 5 unsaved edits")),
        "{recovered:?}"
    );
    assert_eq!(
        ws.layer("a.txt", "ana").unwrap().annotations(),
        expected.annotations()
    );
    assert!(ws.save().errors.is_empty());
    assert_eq!(Project::open(&root).unwrap().layers[&key], expected);
}

#[test]
fn a_project_opened_read_only_reads_the_same_and_refuses_to_save() {
    let (_dir, root) = two_docs();
    let mut ws = Workspace::open(&root).unwrap();
    ws.add_span("b.txt", "ana", 0..5, "actor").unwrap();
    assert!(ws.save().errors.is_empty());
    let file = root.join("annotations/ana/b.txt.json");
    let before = std::fs::read(&file).unwrap();
    let mut ro = Workspace::open_read_only(&root).unwrap();
    assert_eq!(ro.project().layers, ws.project().layers);
    ro.add_span("b.txt", "ana", 6..12, "claim").unwrap();
    let report = ro.save();
    assert_eq!(report.errors.len(), 1);
    assert!(
        report.errors[0].contains("read-only"),
        "{:?}",
        report.errors
    );
    assert_eq!(std::fs::read(&file).unwrap(), before, "nothing written");
    assert!(
        !root.join(".tagdesk/journal/ana/b.txt.jsonl").exists(),
        "nor journaled"
    );
}

/// One opener, with options: the named openers are its common cases, and each option does
/// what it says (read-only refuses to save, `Only` loads those annotators, `None` no layer).
#[test]
fn the_one_opener_loads_what_its_options_ask_for() {
    use tagdesk::core::project::{Layers, OpenOptions};
    let (_dir, root) = crate::support::sample_copy();
    let all = tagdesk::core::Project::open_with(&root, &OpenOptions::default()).unwrap();
    assert!(!all.is_read_only());
    assert!(all.layers.keys().any(|k| k.annotator == "sam"));
    let only = tagdesk::core::Project::open_with(
        &root,
        &OpenOptions {
            read_only: true,
            layers: Layers::Only(vec!["maria".to_owned()]),
        },
    )
    .unwrap();
    assert!(only.is_read_only());
    assert!(!only.layers.is_empty());
    assert!(only.layers.keys().all(|k| k.annotator == "maria"));
    assert!(only.holds_annotator("maria") && !only.holds_annotator("sam"));
    let none = tagdesk::core::Project::open_with(
        &root,
        &OpenOptions {
            read_only: true,
            layers: Layers::None,
        },
    )
    .unwrap();
    assert!(none.layers.is_empty() && none.documents.len() == all.documents.len());
    assert_eq!(
        tagdesk::core::Project::open(&root).unwrap().layers.len(),
        all.layers.len()
    );
}
