//! File → Add sources and File → Convert sources again, in the window.

use super::*;

/// File → Add sources with a Nexis Uni DOCX: the preview shows its ten articles before anything
/// is written; Add makes ten documents with their dates, and the list shows their headlines.
#[test]
fn adding_a_nexis_batch_previews_ten_articles_and_makes_ten_dated_documents() {
    let (_dir, root) = sample_copy();
    let batch = crate::support::testdata().join("nexis/sample.DOCX");
    let mut harness = open_app(&root, "maria");
    let before = harness
        .state()
        .workspace()
        .unwrap()
        .project()
        .documents
        .len();
    harness
        .state_mut()
        .push_action(Action::Command(tagdesk::gui::commands::Command::AddSources));
    steps(&mut harness, 2);
    harness.get_by_label("Files").focus();
    steps(&mut harness, 1);
    harness
        .get_by_label("Files")
        .type_text(&batch.display().to_string());
    steps(&mut harness, 1);
    harness.get_by_label("Inspect").click();
    wait_for(&mut harness, "the preview", |h| {
        h.query_by_label_contains("10 documents from 1 file")
            .is_some()
    });
    // Ten rows, nothing written yet.
    assert_eq!(
        harness.query_all_by_label("The Guardian(London)").count(),
        10
    );
    harness.get_by_label("Sample Headline");
    assert_eq!(
        harness
            .state()
            .workspace()
            .unwrap()
            .project()
            .documents
            .len(),
        before
    );
    harness.get_by_label("Add 10 documents").click();
    wait_for(&mut harness, "the documents", |h| {
        h.query_by_label_contains("Added 10 documents with their metadata")
            .is_some()
    });
    let ws = harness.state().workspace().unwrap();
    assert_eq!(ws.project().documents.len(), before + 10);
    let dated = ws
        .project()
        .metadata
        .documents()
        .iter()
        .filter(|(d, m)| d.starts_with("sample-") && m.date.starts_with("2019-07-0"))
        .count();
    assert_eq!(dated, 10);
    // The document list shows the headline, not the file name.
    steps(&mut harness, 2);
    assert!(
        harness
            .query_all_by_label_contains("What is Wikipedia")
            .next()
            .is_some(),
        "the list names the article by its headline"
    );
    // The same batch again: its documents exist, so nothing is written over or added (the
    // files are written on the window's task, which says why).
    harness.get_by_label("Inspect").click();
    wait_for(&mut harness, "the preview again", |h| {
        h.query_by_label("Add 10 documents").is_some()
    });
    harness.get_by_label("Add 10 documents").click();
    wait_for(&mut harness, "the refusal", |h| {
        h.query_all_by_label_contains("already exists; it is not replaced")
            .next()
            .is_some()
    });
    assert_eq!(
        harness
            .state()
            .workspace()
            .unwrap()
            .project()
            .documents
            .len(),
        before + 10
    );
}

/// File → Convert sources again: an original that changed is listed with what converting it
/// gives; "Convert 1 document again" writes the new text, the old one is kept, and the span on the open
/// document moves with its word.
#[test]
fn a_changed_original_is_listed_and_converted_again_and_its_span_follows() {
    let (dir, root) = crate::support::project_with(&[("placeholder.txt", b"first\n")]);
    let original = dir.path().join("talks.html");
    std::fs::write(&original, "<p>Lavrov met Kerry in Geneva.</p>").unwrap();
    {
        let plan = tagdesk::formats::sources::plan(std::slice::from_ref(&original)).unwrap();
        let mut ws = tagdesk::core::Workspace::open(&root).unwrap();
        tagdesk::formats::sources::add(&mut ws, &plan, false).unwrap();
        ws.add_span("talks.txt", "ana", 11..16, "actor").unwrap();
        assert!(ws.save().errors.is_empty());
    }
    std::fs::write(
        &original,
        "<p>Late news.</p><p>Lavrov met Kerry in Geneva.</p>",
    )
    .unwrap();
    let mut harness = open_app_on(&root, "placeholder.txt", "ana");
    harness.state_mut().push_action(Action::Command(
        tagdesk::gui::commands::Command::RefreshSources,
    ));
    wait_for(&mut harness, "the originals looked at", |h| {
        h.query_by_label("Convert 1 document again").is_some()
    });
    harness.get_by_label("the original changed");
    harness.get_by_label_contains("a new text (7 words)");
    harness.get_by_label("Convert 1 document again").click();
    wait_for(&mut harness, "the new text", |h| {
        h.query_by_label_contains("1 document took a new text")
            .is_some()
    });
    assert!(
        std::fs::read_to_string(root.join("talks.txt"))
            .unwrap()
            .starts_with("Late news.\n"),
        "the new text is the document's"
    );
    assert_eq!(
        std::fs::read_dir(root.join(".tagdesk/replaced"))
            .unwrap()
            .count(),
        1,
        "the old text is kept"
    );
    // Opening the document moves its span onto "Kerry" again ("Late news.\n" before it).
    harness.key_press(Key::Escape);
    harness
        .state_mut()
        .push_action(Action::SelectDocument("talks.txt".into()));
    wait_for(&mut harness, "the span re-anchored", |h| {
        h.state()
            .workspace()
            .unwrap()
            .layer("talks.txt", "ana")
            .is_some_and(|l| {
                l.annotations()
                    .first()
                    .is_some_and(|a| (a.start, a.end) == (22, 27))
            })
    });
}

/// Opening a downloads folder that is not a project yet: once it is made one, the Add sources
/// preview shows what its Word files and batches make, before anything is written.
#[test]
fn a_new_project_over_a_downloads_folder_previews_its_sources() {
    let (_dir, root) = sample_copy();
    let downloads = tempfile::tempdir().unwrap();
    std::fs::write(downloads.path().join("a.txt"), "A text.").unwrap();
    std::fs::copy(
        crate::support::testdata().join("nexis/sample.DOCX"),
        downloads.path().join("batch.docx"),
    )
    .unwrap();
    let mut harness = open_app(&root, "maria");
    harness
        .state_mut()
        .push_action(Action::InitProject(downloads.path().to_owned()));
    wait_for(&mut harness, "the preview", |h| {
        h.query_by_label_contains("10 documents from 1 file")
            .is_some()
    });
    let ws = harness.state().workspace().unwrap();
    assert_eq!(ws.project().root, downloads.path());
    assert_eq!(ws.project().documents.len(), 1, "nothing added before Add");
    harness.get_by_label("Add 10 documents").click();
    wait_for(&mut harness, "the documents", |h| {
        h.state()
            .workspace()
            .is_some_and(|ws| ws.project().documents.len() == 11)
    });
}
