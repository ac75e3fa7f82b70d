//! The app and the disk: first run, folders, files changed outside, locks, autosave, reopening, choosers.

use super::*;

/// The app on the sample as on a first start: no annotator known, nothing stored.
fn first_start(root: &std::path::Path) -> Harness<'static, App> {
    let options = Options {
        path: Some(root.to_owned()),
        ..Options::default()
    };
    let mut harness = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(move |cc| App::new(cc, options));
    wait_for_project(&mut harness);
    harness
}

#[test]
fn the_annotator_is_asked_once_when_unknown() {
    let (_dir, root) = sample_copy();
    let mut harness = first_start(&root);
    harness.get_by_label("Annotator name").focus();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_by_label("Annotator name")
        .type_text("new-person");
    steps(&mut harness, 2);
    harness.get_by_label("OK").click();
    steps(&mut harness, 2);
    assert_eq!(harness.state().annotator(), "new-person");
    assert!(
        harness.query_by_label("Annotator name").is_none(),
        "the dialog closed"
    );
}

#[test]
fn the_first_start_teaches_how_to_annotate_until_got_it() {
    let (_dir, root) = sample_copy();
    let mut harness = first_start(&root);
    // The name first (the suggested one), then the overlay.
    harness.get_by_label("OK").click();
    steps(&mut harness, 10);
    harness.get_by_label("How to annotate");
    // It names the sample's label keys and keys from the command table.
    harness.get_by_label_contains("1 actor, 2 claim, 3 disagreement");
    harness.get_by_label_contains("F1 lists every key");
    assert!(!harness.state().welcomed());
    harness.get_by_label("Got it").click();
    steps(&mut harness, 2);
    assert!(harness.state().welcomed(), "dismissed for good");
    assert!(harness.query_by_label("How to annotate").is_none());
    // Help → How to annotate… brings it back; Esc closes it (and it stays dismissed).
    harness.get_by_label("Help").click();
    steps(&mut harness, 3);
    harness.get_by_label_contains("How to annotate…").click();
    steps(&mut harness, 2);
    harness.get_by_label("How to annotate");
    harness.key_press(Key::Escape);
    steps(&mut harness, 2);
    assert!(harness.query_by_label("How to annotate").is_none());
}

#[test]
fn a_plain_folder_is_offered_to_become_a_project() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("note.txt"), "John Kerry met Sergey Lavrov.").unwrap();
    let options = Options {
        path: Some(dir.path().to_owned()),
        annotator: Some("tester".into()),
        ..Options::default()
    };
    let mut harness = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(move |cc| App::new(cc, options));
    steps(&mut harness, 3);
    assert!(harness.state().workspace().is_none());
    harness.get_by_label("Make it a project").click();
    steps(&mut harness, 1);
    wait_for_project(&mut harness);
    assert!(dir.path().join("tagdesk.json").is_file());
    assert_eq!(harness.state().current_document(), Some("note.txt"));
}

#[test]
fn a_folder_dropped_on_the_window_opens() {
    #[derive(Debug)]
    struct Dropped(std::path::PathBuf);
    impl egui::DroppedFile for Dropped {
        fn path(&self) -> &std::path::Path {
            &self.0
        }
        fn bytes(&self) -> Result<Vec<u8>, String> {
            Err("a folder".into())
        }
    }
    let (_dir, root) = sample_copy();
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("x.txt"), "text").unwrap();
    tagdesk::core::Project::init(other.path(), None, Some("dropped")).unwrap();
    let mut harness = open_app(&root, "tester");
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(other.path().to_owned())));
    steps(&mut harness, 1);
    wait_for_project(&mut harness);
    assert_eq!(
        harness.state().workspace().unwrap().project().name(),
        "dropped"
    );
}

#[test]
fn unusable_documents_are_listed_with_the_reason_and_not_opened() {
    let (_dir, root) = crate::support::project_with(&[
        (
            "a-good.txt",
            "John Kerry 😊 👍🏽 said “no” — in Genève; ✓ ☎ ★".as_bytes(),
        ),
        ("b-latin1.txt", b"caf\xE9"),
        ("c-empty.txt", b""),
        ("d-binary.txt", b"PK\x03\x04\0\0"),
    ]);
    let options = Options {
        path: Some(root.clone()),
        annotator: Some("tester".into()),
        ..Options::default()
    };
    let mut harness = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(move |cc| App::new(cc, options));
    // Let the background scan finish.
    for _ in 0..50 {
        steps(&mut harness, 1);
        if harness.query_by_label_contains("binary file").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        harness.state().current_document(),
        Some("a-good.txt"),
        "emoji render"
    );
    assert!(harness.query_by_label_contains("not UTF-8").is_some());
    assert!(harness.query_by_label_contains("empty file").is_some());
    assert!(harness.query_by_label_contains("binary file").is_some());
    harness
        .state_mut()
        .push_action(Action::SelectDocument("b-latin1.txt".into()));
    steps(&mut harness, 2);
    assert!(
        harness
            .query_by_label_contains("This document cannot be opened: b-latin1.txt: not UTF-8")
            .is_some()
    );
    assert_eq!(
        std::fs::read(root.join("b-latin1.txt")).unwrap(),
        b"caf\xE9"
    );
}

#[test]
fn changes_on_disk_show_up_and_a_conflict_asks_the_user() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    // A document added by another program appears within a second or two.
    std::fs::write(
        root.join("sources/005_new.txt"),
        "Lavrov and Kerry met again.",
    )
    .unwrap();
    assert!(
        wait_until(&mut harness, |h| h
            .state()
            .workspace()
            .unwrap()
            .project()
            .document("005_new.txt")
            .is_some()),
        "the new document is listed"
    );
    // Our unsaved edit, then someone else writes the same annotation file.
    let text = source(&root);
    let start = char_offset_of(&text, "John Kerry", 0);
    tag(&mut harness, start, start + 10, Key::Num1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    steps(&mut harness, 2);
    tag(&mut harness, start + 30, start + 36, Key::Num1);
    let file = root.join("annotations/tester").join(format!("{DOC}.json"));
    let theirs = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"actor\"", "\"claim\"");
    std::fs::write(&file, &theirs).unwrap();
    assert!(
        wait_until(&mut harness, |h| h.query_by_label("Take theirs").is_some()),
        "the conflict dialog opens"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        theirs,
        "nothing overwritten meanwhile"
    );
    harness.get_by_label("Take theirs").click();
    steps(&mut harness, 2);
    let layer = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "tester")
        .unwrap()
        .clone();
    assert_eq!(layer.len(), 1);
    assert_eq!(layer.annotations()[0].label, "claim", "theirs is loaded");
    let kept = std::fs::read_dir(root.join(".tagdesk/conflicts/tester"))
        .unwrap()
        .count();
    assert_eq!(kept, 1, "ours is kept as a copy");
}

#[test]
fn a_changed_source_is_reanchored_on_opening_and_flagged_spans_can_be_reviewed() {
    let (_dir, root) = sample_copy();
    let file = root.join("sources").join(DOC);
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = format!(
        "Transcript corrected.\n{}",
        text.replace("Pentagon officials", "Defense officials")
    );
    std::fs::write(&file, &edited).unwrap();
    let mut harness = open_app(&root, "maria");
    assert!(
        harness
            .query_by_label_contains("moved with their text")
            .is_some(),
        "the user is told: {:?}",
        harness.state().alerts()
    );
    harness.get_by_label("OK").click();
    steps(&mut harness, 2);
    let layer = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "maria")
        .unwrap()
        .clone();
    // Ctrl+Z takes the re-anchoring back, and it stays back (not redone for the same text);
    // Ctrl+Shift+Z redoes it.
    let before = Project::open(&root).unwrap().layers
        [&LayerKey::new(DOC.to_owned(), "maria".to_owned())]
        .clone();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 4);
    let undone = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "maria")
        .unwrap()
        .clone();
    assert_eq!(undone.annotations(), before.annotations());
    assert!(
        harness.state().alerts().is_empty(),
        "{:?}",
        harness.state().alerts()
    );
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    steps(&mut harness, 4);
    assert_eq!(
        harness
            .state()
            .workspace()
            .unwrap()
            .layer(DOC, "maria")
            .unwrap()
            .annotations(),
        layer.annotations()
    );
    let chars: Vec<char> = edited.chars().collect();
    let flagged: Vec<_> = layer
        .annotations()
        .iter()
        .filter(|a| a.review().is_some())
        .collect();
    assert_eq!(flagged.len(), 1, "only the edited span needs a person");
    assert_eq!(flagged[0].text, "Pentagon officials");
    for a in layer.annotations().iter().filter(|a| a.review().is_none()) {
        assert_eq!(chars[a.start..a.end].iter().collect::<String>(), a.text);
    }
    harness
        .get_by_label_contains("[review] Pentagon officials")
        .click();
    steps(&mut harness, 5);
    harness.get_by_label("Mark reviewed").click();
    steps(&mut harness, 2);
    let layer = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "maria")
        .unwrap()
        .clone();
    assert!(layer.annotations().iter().all(|a| a.review().is_none()));
}

#[test]
fn a_second_tagdesk_for_the_same_annotator_is_read_only_and_writes_nothing() {
    let (_dir, root) = sample_copy();
    let text = source(&root);
    let kerry = char_offset_of(&text, "John Kerry", 0);
    // Another process annotates as "tester" (`tagdesk script` holds the lock as a window
    // does): one edit journaled, unsaved, then it waits.
    let script = root.join(".script.txt");
    std::fs::write(
        &script,
        format!(
            "add {DOC} {kerry} {} actor\nadd {DOC} 0 1 actor\n",
            kerry + 10
        ),
    )
    .unwrap();
    let mut first = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args(["script", root.to_str().unwrap(), script.to_str().unwrap()])
        .args(["--annotator", "tester", "--delay-ms", "60000"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut ack = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(first.stdout.take().unwrap()),
        &mut ack,
    )
    .unwrap();
    assert_eq!(ack.trim(), "ack 1");
    let journal = root
        .join(".tagdesk/journal/tester")
        .join(format!("{DOC}.jsonl"));
    let journaled = std::fs::read(&journal).unwrap();
    let file = root.join("annotations/tester").join(format!("{DOC}.json"));

    let mut harness = open_app(&root, "tester");
    let alerts = harness.state().alerts().join("\n");
    assert!(alerts.contains("another tagdesk"), "{alerts}");
    assert!(
        alerts.contains("tester is being annotated in the tagdesk of process"),
        "says whose session holds the journal: {alerts}"
    );
    assert!(
        !alerts.contains("ended without saving"),
        "no false crash: {alerts}"
    );
    while harness.query_by_label("OK").is_some() {
        harness.get_by_label("OK").click();
        steps(&mut harness, 2);
    }
    tag(&mut harness, kerry, kerry + 10, Key::Num1);
    assert!(
        harness
            .state()
            .workspace()
            .unwrap()
            .layer(DOC, "tester")
            .is_none(),
        "refused, nothing replayed"
    );
    // Past the autosave delay: this window still writes nothing for tester.
    let until = std::time::Instant::now() + tagdesk::gui::session::AUTOSAVE_DELAY;
    while std::time::Instant::now() < until + std::time::Duration::from_millis(500) {
        steps(&mut harness, 1);
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        !file.exists(),
        "no annotation file written by the read-only window"
    );
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        journaled,
        "its journal untouched"
    );
    assert!(
        harness
            .query_all_by_label_contains("read-only: another tagdesk holds this annotator")
            .next()
            .is_some(),
        "the status bar says this window is read-only, also after the alert is gone"
    );
    assert!(!harness.state().workspace().unwrap().is_dirty());
    first.kill().unwrap();
    first.wait().unwrap();
}

#[test]
fn a_source_deleted_and_a_text_changed_while_open_are_noticed() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    let removed = "004_3227888d328b7612.txt";
    std::fs::remove_file(root.join("sources").join(removed)).unwrap();
    assert!(
        wait_until(&mut harness, |h| h
            .state()
            .workspace()
            .unwrap()
            .project()
            .document(removed)
            .is_none()),
        "the deleted document leaves the list"
    );
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    assert!(
        ws.layer(removed, "maria").is_some(),
        "its annotations are kept"
    );
    assert!(
        harness.query_by_label_contains("(missing)").is_some(),
        "and listed as missing"
    );
    // The open document's text changes: it is re-read and the spans re-anchored.
    // Saved the way many editors do: a temporary file renamed over the original.
    let file = root.join("sources").join(DOC);
    let text = std::fs::read_to_string(&file).unwrap();
    let temp = root.join("sources").join(".editor-save.tmp");
    std::fs::write(&temp, format!("A new first line.\n{text}")).unwrap();
    std::fs::rename(&temp, &file).unwrap();
    assert!(
        wait_until(&mut harness, |h| h
            .query_by_label_contains("moved with their text")
            .is_some()),
        "{:?}",
        harness.state().alerts()
    );
}

#[test]
fn autosave_runs_while_the_window_is_hidden() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    let start = char_offset_of(&text, "John Kerry", 0);
    tag(&mut harness, start, start + 10, Key::Num1);
    assert!(harness.state().workspace().unwrap().is_dirty());
    let file = root.join("annotations/tester").join(format!("{DOC}.json"));
    let saved = |file: &std::path::Path| {
        std::fs::read_to_string(file).is_ok_and(|t| t.contains("\"actor\""))
    };
    assert!(!saved(&file), "not saved before the autosave delay");
    // The window is minimised from here on: eframe runs no `ui`, only `App::logic` when a
    // repaint was asked for (the autosave timer asks for one).
    std::thread::sleep(
        tagdesk::gui::session::AUTOSAVE_DELAY + std::time::Duration::from_millis(100),
    );
    let ctx = harness.ctx.clone();
    for _ in 0..500 {
        let _output = ctx.run_logic(&egui::RawInput::default(), |ctx| {
            harness.state_mut().logic_step(ctx);
        });
        if saved(&file) && !harness.state().saving() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(
        saved(&file),
        "autosave wrote {} with no ui pass",
        file.display()
    );
    assert!(!harness.state().workspace().unwrap().is_dirty());
}

#[test]
fn a_project_reopens_at_the_document_and_place_it_was_left() {
    let (_dir, root) = sample_copy();
    let (_other_dir, other) = crate::support::project_with(&[("x.txt", b"another project")]);
    let mut harness = open_app(&root, "tester");
    let doc3 = "003_3a31fb68b867da90.txt";
    harness
        .state_mut()
        .push_action(Action::SelectDocument(doc3.into()));
    steps(&mut harness, 3);
    for _ in 0..2 {
        harness.key_press(Key::PageDown);
        steps(&mut harness, 2);
    }
    assert!(
        harness.state().char_screen_pos(0).is_none(),
        "scrolled down"
    );
    let left_at = harness.state().first_visible_char();
    // Another project, then this one again with no document named.
    harness
        .state_mut()
        .push_action(Action::OpenPath(other, None));
    wait_for_project(&mut harness);
    harness
        .state_mut()
        .push_action(Action::OpenPath(root.clone(), None));
    for _ in 0..200 {
        steps(&mut harness, 1);
        if harness.state().current_document() == Some(doc3) {
            break;
        }
    }
    steps(&mut harness, 4);
    assert_eq!(harness.state().current_document(), Some(doc3));
    assert!(
        harness.state().char_screen_pos(0).is_none(),
        "back where it was, not at the top"
    );
    assert_eq!(
        harness.state().first_visible_char(),
        left_at,
        "exactly where it was: no drift from one start to the next"
    );
}

#[test]
fn open_and_choose_use_the_app_s_own_chooser_where_there_is_no_system_dialog() {
    let (_dir, root) = sample_copy();
    let (_other_dir, other) = crate::support::project_with(&[("x.txt", b"another project")]);
    // The harness runs as `--builtin-file-dialog` (as a system without a portal or zenity).
    let mut harness = open_app(&root, "tester");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
    steps(&mut harness, 2);
    harness.get_by_label("Folder").focus();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_by_label("Folder")
        .type_text(&other.display().to_string());
    steps(&mut harness, 1);
    harness.get_by_label("Open").click();
    wait_for(&mut harness, "the other project", |h| {
        h.state()
            .workspace()
            .is_some_and(|w| w.project().root == other)
    });
    // In the export window, Choose… saves a file: a folder (outside the project), a file name
    // (the format's extension added), and a question before replacing a file.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    steps(&mut harness, 2);
    harness.get_by_label("Choose…").click();
    steps(&mut harness, 2);
    harness.get_by_label("Save the export as");
    let start = harness.get_by_label("Folder").value().unwrap_or_default();
    assert!(
        !std::path::Path::new(&start).starts_with(&other),
        "the chooser never starts in the project: {start}"
    );
    assert_eq!(
        harness
            .get_by_label("File name (.jsonl)")
            .value()
            .as_deref(),
        Some("proj.jsonl"),
        "named after the project's folder"
    );
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("old.jsonl"), "kept?").unwrap();
    harness.get_by_label("Folder").focus();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_by_label("Folder")
        .type_text(&out.path().display().to_string());
    steps(&mut harness, 1);
    harness.get_by_label("File name (.jsonl)").focus();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_label("File name (.jsonl)").type_text("old");
    steps(&mut harness, 1);
    harness.get_by_label("Save").click();
    steps(&mut harness, 2);
    harness.get_by_label_contains("exists. Replace it?");
    harness.get_by_label("Replace").click();
    steps(&mut harness, 2);
    let target = out.path().join("old.jsonl");
    assert_eq!(
        harness
            .get_by_role_and_label(egui::accesskit::Role::TextInput, "File")
            .value()
            .as_deref(),
        Some(target.display().to_string().as_str()),
        "the export path is filled in"
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "kept?",
        "not written yet"
    );
}

#[test]
fn on_a_full_disk_the_window_says_the_real_reason_it_is_read_only() {
    use tagdesk::core::faults::{self, Fault, Plan};
    let (_dir, root) = sample_copy();
    let _full = faults::arm(
        &root,
        Plan {
            fault: Fault::NoSpace,
            at: 1,
            persistent: true,
        },
    );
    let harness = open_app(&root, "tester");
    let alerts = harness.state().alerts().join("\n");
    assert!(alerts.contains("No space left on device"), "{alerts}");
    assert!(!alerts.contains("another tagdesk"), "{alerts}");
    assert!(
        harness
            .query_all_by_label_contains("read-only: cannot write the lock file")
            .next()
            .is_some(),
        "the status bar gives the real reason"
    );
    assert!(
        harness
            .query_all_by_label_contains("another tagdesk holds")
            .next()
            .is_none()
    );
}
