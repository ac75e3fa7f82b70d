//! The app driven through `egui_kittest`: real widgets, real input events, no GPU needed.

use egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use tagdesk::core::LayerKey;
use tagdesk::core::Project;
use tagdesk::gui::{Action, App, Options};

use crate::support::{char_offset_of, sample_copy};

const DOC: &str = "000_6960b4d936e3359c.txt";

fn open_app(root: &std::path::Path, annotator: &str) -> Harness<'static, App> {
    open_app_on(root, DOC, annotator)
}

/// The app on `document` of the project at `root`, as `annotator`, once it is open.
fn open_app_on(root: &std::path::Path, document: &str, annotator: &str) -> Harness<'static, App> {
    open_app_with(
        root,
        document,
        annotator,
        Harness::builder().with_size(vec2(1280.0, 800.0)),
    )
}

/// As [`open_app_on`], with the harness built from `builder` (a size, a frame time).
fn open_app_with(
    root: &std::path::Path,
    document: &str,
    annotator: &str,
    builder: egui_kittest::HarnessBuilder<App>,
) -> Harness<'static, App> {
    let options = Options {
        path: Some(root.to_owned()),
        document: Some(document.to_owned()),
        annotator: Some(annotator.to_owned()),
        frame_stats: None,
        builtin_file_dialog: true,
    };
    let mut harness = builder.build_eframe(move |cc| App::new(cc, options));
    wait_for_project(&mut harness);
    steps(&mut harness, 4);
    harness
}

/// Projects open on a background thread: step until one is open.
fn wait_for_project(harness: &mut Harness<'_, App>) {
    for _ in 0..200 {
        steps(harness, 1);
        if harness.state().workspace().is_some() && harness.state().current_document().is_some() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the project did not open: {:?}", harness.state().alerts());
}

/// A few frames: the app keeps asking for repaints (autosave timer, background scan), so
/// `run()` would not settle.
fn steps(harness: &mut Harness<'_, App>, n: usize) {
    harness.run_steps(n);
    // A document's text is read, and saves are written, on threads: let them finish before
    // the test looks.
    for _ in 0..5000 {
        if !harness.state().text_pending() && !harness.state().saving() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
        harness.run_steps(1);
    }
    // What a finished job brought is taken in at the end of a frame: draw it.
    harness.run_steps(1);
}

fn source(root: &std::path::Path) -> String {
    std::fs::read_to_string(root.join("sources").join(DOC)).unwrap()
}

/// Drags from the caret before `start` to the caret before `end`, as a user would.
fn drag_select(harness: &mut Harness<'_, App>, start: usize, end: usize) {
    let from = harness
        .state()
        .caret_screen_pos(start)
        .expect("start visible");
    let to = harness.state().caret_screen_pos(end).expect("end visible");
    // Start a little inside the first letter and end a little inside the last one: word
    // snapping must still give exactly the words.
    harness.drag_at(from + vec2(3.0, 0.0));
    steps(harness, 1);
    harness.hover_at(from + (to - from) * 0.5);
    steps(harness, 1);
    harness.hover_at(to - vec2(3.0, 0.0));
    steps(harness, 1);
    harness.drop_at(to - vec2(3.0, 0.0));
    steps(harness, 2);
}

/// Drag-selects `start..end` and presses a label key: the usual way a span is made.
fn tag(harness: &mut Harness<'_, App>, start: usize, end: usize, key: Key) {
    drag_select(harness, start, end);
    harness.key_press(key);
    steps(harness, 2);
}

#[test]
fn drag_select_press_1_save_and_reload_from_disk() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    assert_eq!(harness.state().current_document(), Some(DOC));
    assert!(
        harness.state().alerts().is_empty(),
        "{:?}",
        harness.state().alerts()
    );

    let text = source(&root);
    let start = char_offset_of(&text, "John Kerry", 0);
    let end = start + "John Kerry".chars().count();
    drag_select(&mut harness, start, end);
    assert_eq!(
        harness.state().pending_selection(),
        Some(start..end),
        "snapped to the words"
    );

    harness.key_press(Key::Num1);
    steps(&mut harness, 2);
    assert!(
        harness.state().window_title().starts_with('●'),
        "title shows unsaved changes"
    );
    // Ctrl+S writes on a thread; the status bar says when it is done.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    steps(&mut harness, 2);
    assert!(
        !harness.state().window_title().starts_with('●'),
        "saved by Ctrl+S; alerts: {:?}, still saving: {}",
        harness.state().alerts(),
        harness.state().saving()
    );
    assert!(
        harness.query_by_label("Saved 1 file(s)").is_some(),
        "status: {:?}",
        harness.state().status_text()
    );
    // Nothing left to save: no "Saving…" that never ends.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    steps(&mut harness, 2);
    assert!(harness.query_by_label("Saving…").is_none());

    let project = Project::open(&root).unwrap();
    let layer = project
        .layers
        .get(&LayerKey::new(DOC.to_owned(), "tester".to_owned()))
        .expect("the tester's annotation file");
    assert_eq!(layer.len(), 1);
    let a = &layer.annotations()[0];
    assert_eq!((a.start, a.end), (start, end));
    assert_eq!(a.label, "actor");
    assert_eq!(a.text, "John Kerry");
    assert_eq!(a.author, "tester");
}

#[test]
fn undo_redo_delete_and_relabel_from_the_keyboard() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    let start = char_offset_of(&text, "Geneva", 0);
    let end = start + "Geneva".len();
    let count = |h: &Harness<'_, App>| {
        h.state()
            .workspace()
            .unwrap()
            .layer(DOC, "tester")
            .map_or(0, tagdesk::core::AnnotationLayer::len)
    };
    let label_of_selected = |h: &Harness<'_, App>| {
        let id = h.state().selected_annotation()?;
        Some(
            h.state()
                .workspace()?
                .layer(DOC, "tester")?
                .get(id)?
                .label
                .clone(),
        )
    };

    tag(&mut harness, start, end, Key::Num1);
    assert_eq!(count(&harness), 1);
    assert_eq!(
        label_of_selected(&harness).as_deref(),
        Some("actor"),
        "the new span is selected"
    );

    harness.key_press(Key::Num2); // a label key on a selected span relabels it
    steps(&mut harness, 2);
    assert_eq!(label_of_selected(&harness).as_deref(), Some("claim"));

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(
        label_of_selected(&harness).as_deref(),
        Some("actor"),
        "undo relabel"
    );

    harness.key_press(Key::Escape);
    steps(&mut harness, 1);
    assert_eq!(harness.state().selected_annotation(), None);

    // Click the highlight to select it, then Delete.
    let middle = harness.state().char_screen_pos(start + 2).unwrap();
    harness.hover_at(middle);
    harness.drag_at(middle);
    steps(&mut harness, 1);
    harness.drop_at(middle);
    steps(&mut harness, 2);
    assert_eq!(
        label_of_selected(&harness).as_deref(),
        Some("actor"),
        "clicked"
    );
    harness.key_press(Key::Delete);
    steps(&mut harness, 2);
    assert_eq!(count(&harness), 0);

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(count(&harness), 1, "undo delete");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(count(&harness), 0, "redo with Ctrl+Shift+Z");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    steps(&mut harness, 2);
    assert_eq!(count(&harness), 1, "redo with Ctrl+Y");
}

#[test]
fn clicking_a_label_button_tags_the_selection() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    let start = char_offset_of(&text, "Russia's foreign minister", 0);
    let end = start + "Russia's foreign minister".len();
    drag_select(&mut harness, start, end);
    harness.get_by_label("[3] disagreement").click();
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    let layer = ws.layer(DOC, "tester").unwrap();
    assert_eq!(layer.annotations()[0].label, "disagreement");
    assert_eq!(layer.annotations()[0].text, "Russia's foreign minister");
    // The clicked button keeps focus; the keyboard must still work.
    harness.key_press(Key::Num2);
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    assert_eq!(
        ws.layer(DOC, "tester").unwrap().annotations()[0].label,
        "claim"
    );
    harness.key_press(Key::Delete);
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    assert!(ws.layer(DOC, "tester").unwrap().is_empty());
}

/// Scrolls through every line of every document: the harness panics on any glyph missing from
/// the fonts, so this proves every seed (Georgian included) renders completely.
#[test]
fn every_sample_document_renders_without_missing_glyphs() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let documents: Vec<String> = harness
        .state()
        .workspace()
        .unwrap()
        .project
        .documents
        .iter()
        .map(|d| d.path.clone())
        .collect();
    assert_eq!(documents.len(), 5);
    for doc in documents {
        harness
            .state_mut()
            .push_action(Action::SelectDocument(doc.clone()));
        steps(&mut harness, 2);
        let text = std::fs::read_to_string(root.join("sources").join(&doc)).unwrap();
        let len = text.chars().count();
        let mut offset = 0;
        while offset < len {
            harness.state_mut().push_action(Action::RevealChar(offset));
            steps(&mut harness, 3);
            assert!(
                harness.state().char_screen_pos(offset).is_some(),
                "{doc}: {offset} shown"
            );
            offset += 400;
        }
    }
}

#[test]
#[should_panic(expected = "No glyph for \"პ\" (U+10DE)")]
fn without_the_bundled_fonts_georgian_would_be_missing() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    harness.ctx.set_fonts(egui::FontDefinitions::default());
    harness
        .state_mut()
        .push_action(Action::SelectDocument("003_3a31fb68b867da90.txt".into()));
    steps(&mut harness, 6);
}

#[test]
fn overlapping_spans_are_each_clickable() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    let outer_start = char_offset_of(&text, "Secretary of State John Kerry", 0);
    let outer_end = outer_start + "Secretary of State John Kerry".len();
    let inner_start = char_offset_of(&text, "John Kerry", 0);
    let inner_end = inner_start + "John Kerry".len();
    tag(&mut harness, outer_start, outer_end, Key::Num1);
    tag(&mut harness, inner_start, inner_end, Key::Num1);
    harness.key_press(Key::Escape);
    steps(&mut harness, 1);
    let selected_range = |h: &Harness<'_, App>| {
        let id = h.state().selected_annotation()?;
        let a = h
            .state()
            .workspace()?
            .layer(DOC, "tester")?
            .get(id)?
            .clone();
        Some((a.start, a.end))
    };
    let click = |h: &mut Harness<'_, App>, offset: usize| {
        let p = h.state().char_screen_pos(offset).unwrap();
        h.hover_at(p);
        h.drag_at(p);
        steps(h, 1);
        h.drop_at(p);
        steps(h, 2);
    };
    // Inside both: the innermost first, then the next click cycles to the outer one.
    click(&mut harness, inner_start + 1);
    assert_eq!(selected_range(&harness), Some((inner_start, inner_end)));
    click(&mut harness, inner_start + 1);
    assert_eq!(selected_range(&harness), Some((outer_start, outer_end)));
    // Only in the outer one.
    harness.key_press(Key::Escape);
    steps(&mut harness, 1);
    click(&mut harness, outer_start + 1);
    assert_eq!(selected_range(&harness), Some((outer_start, outer_end)));
}

#[test]
fn the_note_field_edits_the_selected_annotation_and_undo_restores_it() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    let start = char_offset_of(&text, "Geneva", 0);
    tag(&mut harness, start, start + 6, Key::Num1);
    harness.get_by_label("Note").focus();
    steps(&mut harness, 1);
    harness.get_by_label("Note").type_text("the talks' venue");
    steps(&mut harness, 3);
    let note = |h: &Harness<'_, App>| {
        let id = h.state().selected_annotation()?;
        h.state()
            .workspace()?
            .layer(DOC, "tester")?
            .get(id)?
            .note
            .clone()
    };
    assert_eq!(note(&harness).as_deref(), Some("the talks' venue"));
    // Leave the field, then one undo takes the whole note back.
    harness.key_press(Key::Escape);
    steps(&mut harness, 1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    let layer_note = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "tester")
        .unwrap()
        .annotations()[0]
        .note
        .clone();
    assert_eq!(layer_note, None);
}

#[test]
fn the_annotator_is_asked_once_when_unknown() {
    let (_dir, root) = sample_copy();
    let options = Options {
        path: Some(root.clone()),
        ..Options::default()
    };
    let mut harness = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(move |cc| App::new(cc, options));
    wait_for_project(&mut harness);
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
        harness.state().workspace().unwrap().project.name(),
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
fn alt_drag_selects_exact_characters() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    // "Kerr" of "John Kerry": inside a word, so word snapping would grow it.
    let start = char_offset_of(&text, "John Kerry", 0) + 5;
    let end = start + 4;
    let from = harness.state().caret_screen_pos(start).unwrap();
    let to = harness.state().caret_screen_pos(end).unwrap();
    harness.event(egui::Event::ModifiersChanged(Modifiers::ALT));
    harness.drag_at(from);
    steps(&mut harness, 1);
    harness.hover_at(to);
    steps(&mut harness, 1);
    harness.drop_at(to);
    steps(&mut harness, 2);
    harness.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    assert_eq!(harness.state().pending_selection(), Some(start..end));
    harness.key_press(Key::Num1);
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    assert_eq!(
        ws.layer(DOC, "tester").unwrap().annotations()[0].text,
        "Kerr"
    );
}

/// The selected annotation's (start, end, text).
fn selected_span(h: &Harness<'_, App>) -> Option<(usize, usize, String)> {
    let id = h.state().selected_annotation()?;
    let a = h
        .state()
        .workspace()?
        .layer(DOC, "tester")?
        .get(id)?
        .clone();
    Some((a.start, a.end, a.text.to_string()))
}

#[test]
fn spans_resize_from_the_keyboard_and_one_undo_restores_them() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    let start = char_offset_of(&text, "John Kerry", 0);
    tag(&mut harness, start, start + 10, Key::Num1);
    harness.key_press_modifiers(Modifiers::SHIFT, Key::ArrowRight);
    steps(&mut harness, 1);
    assert_eq!(selected_span(&harness).unwrap().2, "John Kerry,");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::ArrowLeft);
    steps(&mut harness, 1);
    assert_eq!(
        selected_span(&harness).unwrap().2,
        "John Kerry",
        "back to the previous word end"
    );
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::ArrowLeft);
    steps(&mut harness, 1);
    assert_eq!(selected_span(&harness).unwrap().2, "John");
    harness.key_press_modifiers(Modifiers::ALT | Modifiers::SHIFT, Key::ArrowLeft);
    steps(&mut harness, 1);
    assert_eq!(
        selected_span(&harness).unwrap().2,
        " John",
        "start grows by a character"
    );
    harness.key_press_modifiers(
        Modifiers::COMMAND | Modifiers::ALT | Modifiers::SHIFT,
        Key::ArrowLeft,
    );
    steps(&mut harness, 1);
    assert_eq!(
        selected_span(&harness).unwrap().2,
        "State John",
        "start grows by a word"
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(
        selected_span(&harness),
        Some((start, start + 10, "John Kerry".to_owned())),
        "the resizes of one span are one undo step"
    );
}

#[test]
fn tab_walks_annotations_and_enter_edits_the_note() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    let kerry = char_offset_of(&text, "John Kerry", 0);
    let geneva = char_offset_of(&text, "Geneva", 0);
    tag(&mut harness, geneva, geneva + 6, Key::Num1);
    tag(&mut harness, kerry, kerry + 10, Key::Num1);
    harness.key_press(Key::Escape);
    steps(&mut harness, 2);
    assert_eq!(harness.state().selected_annotation(), None);
    harness.key_press(Key::Tab);
    steps(&mut harness, 1);
    // "Geneva" first appears in the headline, before "John Kerry".
    assert!(geneva < kerry);
    assert_eq!(
        selected_span(&harness).unwrap().2,
        "Geneva",
        "first in document order"
    );
    harness.key_press(Key::Tab);
    steps(&mut harness, 2);
    assert_eq!(selected_span(&harness).unwrap().2, "John Kerry");
    harness.key_press(Key::Tab);
    steps(&mut harness, 2);
    assert_eq!(selected_span(&harness).unwrap().2, "Geneva", "wraps around");
    harness.key_press_modifiers(Modifiers::SHIFT, Key::Tab);
    steps(&mut harness, 2);
    assert_eq!(selected_span(&harness).unwrap().2, "John Kerry");

    harness.key_press(Key::Enter);
    steps(&mut harness, 2);
    harness.event(egui::Event::Text("Secretary of State".into()));
    steps(&mut harness, 2);
    // Keys typed in the note do not act on the document (1 is text here, not "actor").
    harness.event(egui::Event::Text(" 1".into()));
    harness.key_press(Key::Num1);
    steps(&mut harness, 2);
    let id = harness.state().selected_annotation().unwrap().to_owned();
    let ws = harness.state().workspace().unwrap();
    let a = ws.layer(DOC, "tester").unwrap().get(&id).unwrap();
    assert_eq!(a.note.as_deref(), Some("Secretary of State 1"));
    assert_eq!(a.label, "actor");
}

#[test]
fn the_command_palette_runs_an_action() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::P);
    steps(&mut harness, 2);
    assert!(
        harness.query_by_label("Command").is_some(),
        "the palette is open"
    );
    assert!(harness.query_by_label_contains("Next document").is_some());
    harness.event(egui::Event::Text("next doc".into()));
    steps(&mut harness, 2);
    harness.key_press(Key::Enter);
    steps(&mut harness, 3);
    assert_eq!(
        harness.state().current_document(),
        Some("001_966120f5ee3f0c58.txt")
    );
    assert!(
        harness.query_by_label("Command").is_none(),
        "the palette closed"
    );
}

#[test]
fn the_annotation_list_selects_and_shows_a_span() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    // maria's last annotation in document 000 is far down the text.
    let last = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "maria")
        .unwrap()
        .annotations()
        .last()
        .unwrap()
        .clone();
    assert!(
        harness.state().char_screen_pos(last.start).is_none(),
        "not visible at first"
    );
    harness.get_by_label_contains(&last.text).click();
    steps(&mut harness, 5);
    assert_eq!(
        harness.state().selected_annotation(),
        Some(last.id.as_str())
    );
    assert!(
        harness.state().char_screen_pos(last.start).is_some(),
        "scrolled into view"
    );
}

#[test]
fn a_relation_is_made_from_the_keyboard_and_deleted_with_its_span() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    let kerry = char_offset_of(&text, "John Kerry", 0);
    let claim_text = "both condemned this";
    let claim = char_offset_of(&text, claim_text, 0);
    tag(&mut harness, kerry, kerry + 10, Key::Num1);
    tag(&mut harness, claim, claim + claim_text.len(), Key::Num2);
    assert_eq!(selected_span(&harness).unwrap().2, claim_text);

    // R, then Tab to the target, Enter: the only type from claim to actor is said_by.
    harness.key_press(Key::R);
    steps(&mut harness, 1);
    harness.key_press(Key::Tab);
    steps(&mut harness, 2);
    harness.key_press(Key::Enter);
    steps(&mut harness, 3);
    let layer = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "tester")
        .unwrap()
        .clone();
    assert_eq!(layer.relations().len(), 1);
    let relation = &layer.relations()[0];
    assert_eq!(relation.kind, "said_by");
    assert_eq!(layer.get(&relation.from).unwrap().text, claim_text);
    assert_eq!(layer.get(&relation.to).unwrap().text, "John Kerry");
    assert!(
        harness
            .query_by_label_contains("said_by → “John Kerry”")
            .is_some(),
        "listed on the span"
    );

    // The stance, from the palette.
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::P);
    steps(&mut harness, 2);
    harness.event(egui::Event::Text("stance oppose".into()));
    steps(&mut harness, 1);
    harness.key_press(Key::Enter);
    steps(&mut harness, 3);
    let id = harness.state().selected_annotation().unwrap().to_owned();
    let ws = harness.state().workspace().unwrap();
    assert_eq!(
        ws.layer(DOC, "tester")
            .unwrap()
            .get(&id)
            .unwrap()
            .attributes
            .get("stance"),
        Some(&tagdesk::core::schema::AttributeValue::Text(
            "oppose".into()
        ))
    );

    // Deleting the actor deletes the relation too; one undo brings both back.
    harness
        .state_mut()
        .push_action(Action::SelectAnnotation(Some(relation.to.clone())));
    steps(&mut harness, 1);
    harness.key_press(Key::Delete);
    steps(&mut harness, 2);
    let layer = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "tester")
        .unwrap()
        .clone();
    assert!(layer.relations().is_empty());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    let layer = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "tester")
        .unwrap()
        .clone();
    assert_eq!(layer.relations().len(), 1);
}

#[test]
fn find_steps_through_matches_and_a_label_key_tags_the_match() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    let first = char_offset_of(&text, "Geneva", 0);
    let second = char_offset_of(&text, "Geneva", 1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::F);
    steps(&mut harness, 2);
    harness.event(egui::Event::Text("geneva".into()));
    steps(&mut harness, 1);
    harness.key_press(Key::Enter);
    steps(&mut harness, 2);
    assert_eq!(harness.state().pending_selection(), Some(first..first + 6));
    assert!(harness.query_by_label_contains("1 of 4").is_some());
    harness.key_press(Key::Enter);
    steps(&mut harness, 2);
    assert_eq!(
        harness.state().pending_selection(),
        Some(second..second + 6)
    );
    // Typing "1" in the field is text; leave the field first, then 1 tags the match.
    harness.key_press(Key::Escape);
    steps(&mut harness, 1);
    assert_eq!(
        harness.state().pending_selection(),
        Some(second..second + 6),
        "Esc only left the field"
    );
    harness.key_press(Key::Num1);
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    let a = &ws.layer(DOC, "tester").unwrap().annotations()[0];
    assert_eq!((a.start, a.label.as_str()), (second, "actor"));
    // F3 goes on to the next match; the bar's button labels it.
    harness.key_press(Key::F3);
    steps(&mut harness, 2);
    harness.get_by_label("as claim").click();
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    let third = char_offset_of(&text, "Geneva", 2);
    assert!(
        ws.layer(DOC, "tester")
            .unwrap()
            .annotations()
            .iter()
            .any(|a| a.start == third && a.label == "claim")
    );
}

#[test]
fn renaming_a_label_in_the_schema_editor_relabels_and_undo_restores() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    let actors = |h: &Harness<'_, App>, label: &str| {
        let ws = h.state().workspace().unwrap();
        ws.project
            .layers
            .values()
            .flat_map(tagdesk::core::AnnotationLayer::annotations)
            .filter(|a| a.label == label)
            .count()
    };
    let before = actors(&harness, "actor");
    assert!(before > 20, "both annotators' actors");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::L);
    steps(&mut harness, 2);
    let field = harness.get_by_label("Name of label actor");
    field.focus();
    steps(&mut harness, 1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_by_label("Name of label actor")
        .type_text("speaker");
    steps(&mut harness, 1);
    harness.key_press(Key::Enter);
    steps(&mut harness, 3);
    assert_eq!(
        actors(&harness, "speaker"),
        before,
        "every layer relabelled"
    );
    assert_eq!(actors(&harness, "actor"), 0);
    assert!(
        harness
            .state()
            .workspace()
            .unwrap()
            .project
            .schema()
            .get("speaker")
            .is_some()
    );
    assert!(
        harness.query_by_label_contains("[1] speaker").is_some(),
        "the palette shows it"
    );

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 3);
    assert_eq!(
        actors(&harness, "actor"),
        before,
        "one undo restores every layer"
    );
    assert!(
        harness
            .state()
            .workspace()
            .unwrap()
            .project
            .schema()
            .get("speaker")
            .is_none()
    );
}

#[test]
fn removing_a_label_in_use_asks_first() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    harness
        .state_mut()
        .push_action(Action::Command(tagdesk::gui::commands::Command::EditSchema));
    steps(&mut harness, 4);
    harness.get_by_label("Remove label disagreement").click();
    steps(&mut harness, 2);
    assert!(
        harness
            .query_by_label_contains("Remove label disagreement? 10 annotations carry it")
            .is_some()
    );
    assert!(
        harness
            .state()
            .workspace()
            .unwrap()
            .project
            .schema()
            .get("disagreement")
            .is_some()
    );
    harness.get_by_label("Remove").click();
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    assert!(ws.project.schema().get("disagreement").is_none());
    assert_eq!(ws.label_usage("disagreement"), 0);
    assert!(
        ws.project.schema().relation("between").is_none(),
        "its relation types went too"
    );
}

#[test]
fn dragging_a_selected_span_edge_resizes_it_in_one_undo_step() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    let start = char_offset_of(&text, "John Kerry", 0);
    tag(&mut harness, start, start + 10, Key::Num1);
    // Grab the end edge and drag it past ", who's".
    let edge = harness.state().caret_screen_pos(start + 10).unwrap();
    let target = harness.state().caret_screen_pos(start + 17).unwrap();
    harness.hover_at(edge);
    steps(&mut harness, 1);
    harness.drag_at(edge);
    steps(&mut harness, 1);
    harness.hover_at(edge + (target - edge) * 0.5);
    steps(&mut harness, 1);
    harness.hover_at(target);
    steps(&mut harness, 1);
    harness.drop_at(target);
    steps(&mut harness, 2);
    assert_eq!(selected_span(&harness).unwrap().2, "John Kerry, who's");
    assert_eq!(
        harness.state().pending_selection(),
        None,
        "an edge drag does not select text"
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(
        selected_span(&harness).unwrap().2,
        "John Kerry",
        "the whole drag is one step"
    );
}

#[test]
fn ctrl_drag_adds_a_piece_to_the_selected_span() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    let start = char_offset_of(&text, "Kerry got the news", 0);
    tag(&mut harness, start, start + 5, Key::Num1);
    let piece = char_offset_of(&text, "he says", 0);
    harness.event(egui::Event::ModifiersChanged(Modifiers::COMMAND));
    drag_select(&mut harness, piece, piece + 7);
    harness.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    steps(&mut harness, 1);
    let (s, e, covered) = selected_span(&harness).unwrap();
    assert_eq!((s, e), (start, piece + 7));
    assert_eq!(covered, "Kerry he says");
    assert_eq!(harness.state().pending_selection(), None);
}

#[test]
fn attribute_values_are_added_and_removed_in_the_schema_editor() {
    use tagdesk::core::schema::{AttributeKind, AttributeValue};
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    let stance_values = |h: &Harness<'_, App>| {
        let schema = h.state().workspace().unwrap().project.schema().clone();
        match &schema.get("claim").unwrap().attributes[0].kind {
            AttributeKind::Choice { values } => values.clone(),
            _ => Vec::new(),
        }
    };
    let opposed = |h: &Harness<'_, App>| {
        h.state()
            .workspace()
            .unwrap()
            .project
            .layers
            .values()
            .flat_map(tagdesk::core::AnnotationLayer::annotations)
            .filter(|a| a.attributes.get("stance") == Some(&AttributeValue::Text("oppose".into())))
            .count()
    };
    let before = opposed(&harness);
    assert!(before >= 3);
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::L);
    steps(&mut harness, 4);
    harness.get_by_label("New value of stance").focus();
    harness
        .get_by_label("New value of stance")
        .type_text("mixed");
    steps(&mut harness, 1);
    harness.key_press(Key::Enter);
    steps(&mut harness, 3);
    assert_eq!(
        stance_values(&harness),
        ["support", "oppose", "neutral", "mixed"]
    );

    harness
        .get_by_label("Remove value oppose of stance")
        .click();
    steps(&mut harness, 2);
    assert!(
        harness
            .query_by_label_contains("annotations lose a value")
            .is_some(),
        "asks first"
    );
    harness.get_by_label("Remove").click();
    steps(&mut harness, 2);
    assert_eq!(stance_values(&harness), ["support", "neutral", "mixed"]);
    assert_eq!(opposed(&harness), 0);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(opposed(&harness), before, "undo gives the values back");
}

/// Steps frames (with real time passing) until `done` holds, for at most two seconds.
fn wait_until(harness: &mut Harness<'_, App>, done: impl Fn(&Harness<'_, App>) -> bool) -> bool {
    for _ in 0..40 {
        steps(harness, 1);
        if done(harness) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
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
            .project
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
        wait_until(&mut harness, |h| h.query_by_label("Keep both").is_some()),
        "the conflict dialog opens"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        theirs,
        "nothing overwritten meanwhile"
    );
    harness.get_by_label("Keep both").click();
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
        .filter(|a| a.review.is_some())
        .collect();
    assert_eq!(flagged.len(), 1, "only the edited span needs a person");
    assert_eq!(flagged[0].text, "Pentagon officials");
    for a in layer.annotations().iter().filter(|a| a.review.is_none()) {
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
    assert!(layer.annotations().iter().all(|a| a.review.is_none()));
}

#[test]
fn a_second_tagdesk_for_the_same_annotator_is_read_only() {
    let (_dir, root) = sample_copy();
    // Another live process (pid 1 always runs) holds the lock for "tester" on this machine.
    let lock = tagdesk::core::lock::AnnotatorLock::path(&root, "tester");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    let host = tagdesk::core::lock::this_host();
    std::fs::write(
        &lock,
        format!(r#"{{"pid": 1, "host": "{host}", "since": "2026-01-01T00:00:00Z"}}"#),
    )
    .unwrap();
    let mut harness = open_app(&root, "tester");
    assert!(
        harness
            .state()
            .alerts()
            .iter()
            .any(|a| a.contains("another tagdesk")),
        "{:?}",
        harness.state().alerts()
    );
    harness.get_by_label("OK").click();
    steps(&mut harness, 2);
    let text = source(&root);
    let start = char_offset_of(&text, "John Kerry", 0);
    tag(&mut harness, start, start + 10, Key::Num1);
    assert!(
        harness
            .state()
            .workspace()
            .unwrap()
            .layer(DOC, "tester")
            .is_none(),
        "nothing was written"
    );
    assert!(
        harness
            .query_all_by_label_contains("read-only: another tagdesk holds")
            .next()
            .is_some(),
        "the status bar says this window is read-only, also after the alert is gone"
    );
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
            .project
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

/// Opens the first drop-down list on screen.
fn open_first_combo(harness: &mut Harness<'_, App>) {
    harness
        .get_all_by_role(egui::accesskit::Role::ComboBox)
        .next()
        .expect("a drop-down list")
        .click();
    steps(harness, 2);
}

/// Steps until `done` holds (background jobs report through channels).
fn wait_for(harness: &mut Harness<'_, App>, what: &str, done: impl Fn(&Harness<'_, App>) -> bool) {
    for _ in 0..500 {
        steps(harness, 1);
        if done(harness) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn export_window_writes_brat_in_the_background_and_reports() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    // An unsaved edit: the export saves it first (on a thread) and includes it.
    let text = source(&root);
    let start = char_offset_of(&text, "Geneva", 0);
    harness.state_mut().push_action(Action::SetSelection(Some(
        start..start + "Geneva".chars().count(),
    )));
    steps(&mut harness, 1);
    harness.key_press(Key::Num1);
    steps(&mut harness, 2);
    assert!(harness.state().window_title().starts_with('●'));
    // (Deselected, so the window's format list is the first drop-down.)
    harness
        .state_mut()
        .push_action(Action::SelectAnnotation(None));
    steps(&mut harness, 1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    steps(&mut harness, 2);
    // Choose brat in the format list (the first list of the window).
    open_first_combo(&mut harness);
    steps(&mut harness, 2);
    harness.get_by_label("brat standoff (folder)").click();
    steps(&mut harness, 2);
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("brat-out");
    harness.get_by_label("Folder").focus();
    steps(&mut harness, 1);
    harness
        .get_by_label("Folder")
        .type_text(&target.display().to_string());
    steps(&mut harness, 2);
    harness.get_by_label("Export").click();
    wait_for(&mut harness, "the export report", |h| {
        h.query_by_label_contains("Exported 67 annotations")
            .is_some()
    });
    assert!(
        !harness.state().window_title().starts_with('●'),
        "saved first"
    );
    let ann =
        std::fs::read_to_string(target.join("maria").join(DOC).with_extension("ann")).unwrap();
    assert!(ann.contains("actor") && ann.contains("\tGeneva"), "{ann}");
    // Two annotators: one folder each, with the schema as annotation.conf.
    assert!(target.join("annotation.conf").is_file());
    assert!(
        target
            .join("maria")
            .join(DOC)
            .with_extension("ann")
            .is_file()
    );
    assert!(target.join("sam").join(DOC).with_extension("txt").is_file());
}

#[test]
fn import_window_brings_in_a_colleagues_file_as_one_undo_step() {
    let (_dir, root) = sample_copy();
    // A colleague's doccano file for the sample document, made from maria's spans.
    let text = source(&root);
    let kerry = char_offset_of(&text, "Kerry", 0);
    let line = serde_json::json!({
        "text": text,
        "label": [[kerry, kerry + 5, "actor"]],
        "document": DOC,
        "annotator": "colleague",
    });
    let input = root.join("colleague.jsonl");
    std::fs::write(&input, format!("{line}\n")).unwrap();
    let mut harness = open_app(&root, "maria");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::I);
    steps(&mut harness, 2);
    open_first_combo(&mut harness);
    harness.get_by_label("doccano JSONL").click();
    steps(&mut harness, 2);
    // The file says who made it.
    harness
        .get_by_label("Use the annotators the input names")
        .click();
    harness.get_by_label("Input").focus();
    steps(&mut harness, 1);
    harness
        .get_by_label("Input")
        .type_text(&input.display().to_string());
    steps(&mut harness, 2);
    harness.get_by_label("Import").click();
    wait_for(&mut harness, "the import report", |h| {
        h.query_all_by_label_contains("Imported 1 annotations")
            .next()
            .is_some()
    });
    let ws = harness.state().workspace().unwrap();
    let layer = ws.layer(DOC, "colleague").unwrap();
    assert_eq!(layer.annotations()[0].text, "Kerry");
    // Undo takes it all back.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    assert!(
        ws.layer(DOC, "colleague")
            .is_none_or(tagdesk::core::AnnotationLayer::is_empty)
    );
}

#[test]
fn review_accepts_a_disagreement_into_the_curated_layer_and_undo_takes_it_back() {
    use tagdesk::core::review::CURATED;
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    let before: Vec<_> = ["maria", "sam"]
        .iter()
        .map(|a| {
            harness
                .state()
                .workspace()
                .unwrap()
                .layer(DOC, a)
                .unwrap()
                .clone()
        })
        .collect();
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::R);
    steps(&mut harness, 3);
    assert!(harness.state().reviewing());
    // Opening the review does not switch the label keys to the curated layer: only the
    // explicit choice does, and the status bar says so while it is on.
    assert_eq!(harness.state().layer_name(), "maria");
    harness.get_by_label("Edit the curated layer").click();
    steps(&mut harness, 2);
    assert_eq!(harness.state().layer_name(), CURATED);
    assert!(
        harness
            .query_by_label_contains("editing the curated layer")
            .is_some()
    );
    // And a banner over the text, with the way back.
    assert!(
        harness
            .query_by_label_contains("Editing the curated layer: label keys")
            .is_some()
    );
    assert!(harness.query_by_label("Back to my layer").is_some());
    // F8 jumps to the first disagreement: maria's claim against sam's actor.
    harness.key_press(Key::F8);
    steps(&mut harness, 3);
    assert!(harness.get_all_by_label("label differs").count() >= 1);
    // The row stepped to is marked as the focused one.
    assert!(harness.query_by_label_contains("▶ ").is_some());
    // The first ✔ is maria's version of it.
    harness.get_all_by_label("✔").next().unwrap().click();
    steps(&mut harness, 3);
    let ws = harness.state().workspace().unwrap();
    let curated = ws.layer(DOC, CURATED).unwrap();
    assert_eq!(curated.len(), 1);
    let accepted = &curated.annotations()[0];
    let source = before[0]
        .annotations()
        .iter()
        .find(|a| a.start == accepted.start && a.end == accepted.end)
        .expect("the accepted span is maria's");
    assert_eq!(
        (&accepted.label, &accepted.text),
        (&source.label, &source.text)
    );
    // The annotators' layers did not change.
    assert_eq!(ws.layer(DOC, "maria").unwrap(), &before[0]);
    assert_eq!(ws.layer(DOC, "sam").unwrap(), &before[1]);
    // Ctrl+Z takes the decision back.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    assert!(
        ws.layer(DOC, CURATED)
            .is_none_or(tagdesk::core::AnnotationLayer::is_empty)
    );
    // Everything both agree on, in one click; then saved under annotations/_curated.
    harness.get_by_label("Accept all agreed").click();
    steps(&mut harness, 2);
    let agreed = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, CURATED)
        .unwrap()
        .len();
    assert!(agreed >= 1);
    // A relation only one of them made: the last ✖ (relation rows follow the span rows)
    // rejects it; the rejection is kept in the curated layer, and undo takes it back.
    let relation_rejections = |h: &Harness<'_, App>| {
        h.state()
            .workspace()
            .unwrap()
            .layer(DOC, CURATED)
            .unwrap()
            .relation_rejections()
            .len()
    };
    // Scroll the review list down to it, as a user would (only rows in view are laid out).
    for _ in 0..20 {
        if harness
            .query_all_by_label_contains("relation in some layers")
            .last()
            .is_some_and(|n| n.rect().max.y < 760.0)
        {
            break;
        }
        harness.get_all_by_label("✔").next().unwrap().scroll_down();
        steps(&mut harness, 2);
    }
    // Scrolling glides: let it settle before clicking.
    steps(&mut harness, 20);
    harness.get_all_by_label("✖").last().unwrap().click();
    steps(&mut harness, 2);
    assert_eq!(relation_rejections(&harness), 1);
    harness.get_by_label_contains("relation in some layers · decided");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(relation_rejections(&harness), 0);
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(relation_rejections(&harness), 1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    steps(&mut harness, 2);
    let saved = Project::open(&root).unwrap();
    let saved_curated = &saved.layers[&LayerKey::new(DOC.to_owned(), CURATED.to_owned())];
    assert_eq!(saved_curated.len(), agreed);
    assert_eq!(saved_curated.relation_rejections().len(), 1);
    // As maria again: her span shows the curator's decision, read-only.
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::R);
    steps(&mut harness, 2);
    assert_eq!(harness.state().layer_name(), "maria");
}

#[test]
fn the_agreement_window_computes_in_the_background_and_saves_csv() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::A);
    steps(&mut harness, 2);
    harness.get_by_label("Compute").click();
    wait_for(&mut harness, "the agreement report", |h| {
        h.query_by_label("Krippendorff's α").is_some() && h.query_by_label("maria – sam").is_some()
    });
    // The span F1 of maria and sam, as `tagdesk agree` prints it (summary and pair table), and
    // maria's precision and recall against sam.
    assert_eq!(harness.query_all_by_label("0.606").count(), 2);
    harness.get_by_label("0.541");
    harness.get_by_label("0.690");
    harness.get_by_label("Save CSV").click();
    steps(&mut harness, 2);
    let csv = std::fs::read_to_string(root.join("agreement.csv")).unwrap();
    assert!(csv.contains("f1_exact,overall,,,,0.606061"), "{csv}");
    // Saving again asks before replacing.
    harness.get_by_label("Save CSV").click();
    steps(&mut harness, 2);
    assert!(
        harness
            .query_by_label_contains("press Save again")
            .is_some()
    );
}

#[test]
fn searching_all_documents_streams_hits_and_a_click_selects_the_match() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::F);
    steps(&mut harness, 2);
    harness.event(egui::Event::Text("lavrov".into()));
    steps(&mut harness, 1);
    harness.key_press(Key::Enter);
    wait_for(&mut harness, "the search to finish", |h| {
        h.query_by_label_contains("matches in 5 documents")
            .is_some()
    });
    // The CLI finds the same matches.
    let project = Project::open(&root).unwrap();
    let documents: Vec<(String, std::path::PathBuf)> = project
        .documents
        .iter()
        .map(|d| (d.path.clone(), project.document_file(&d.path)))
        .collect();
    let query = tagdesk::core::search::Query {
        pattern: "lavrov".into(),
        ..Default::default()
    };
    let summary = tagdesk::core::search::search_corpus(
        &documents,
        &query.compile().unwrap(),
        1000,
        &std::sync::atomic::AtomicBool::new(false),
        &mut |_| {},
    );
    harness.get_by_label(&format!("{} matches in 5 documents", summary.hits));
    // A hit in another document: the click opens it with the match selected.
    let place = harness
        .query_all_by_label_contains("001_966120f5ee3f0c58.txt:")
        .next()
        .unwrap()
        .accesskit_node()
        .label()
        .unwrap();
    let [_, line, column] = place.split(':').collect::<Vec<_>>()[..] else {
        panic!("{place}")
    };
    harness.get_by_label(&place).click();
    steps(&mut harness, 3);
    assert_eq!(
        harness.state().current_document(),
        Some("001_966120f5ee3f0c58.txt")
    );
    let selected = harness.state().pending_selection().unwrap();
    let text = project.read_text("001_966120f5ee3f0c58.txt").unwrap().text;
    assert_eq!(text.slice(selected.clone()).to_lowercase(), "lavrov");
    let line: usize = line.parse().unwrap();
    let column: usize = column.parse().unwrap();
    let line_start = text
        .as_str()
        .split('\n')
        .take(line - 1)
        .map(|l| l.chars().count() + 1)
        .sum::<usize>();
    assert_eq!(selected.start, line_start + column - 1);
    // The window does not cover the match it selected.
    let ctx = harness.ctx.clone();
    let window = harness
        .state()
        .window_rect(&ctx, "Search all documents")
        .expect("the search window is open");
    let hit = harness
        .state()
        .char_screen_pos(selected.start)
        .expect("the match is on screen");
    assert!(
        !window.contains(hit),
        "{hit:?} is under the window {window:?}"
    );
}

#[test]
fn big_layers_are_compared_on_a_thread_while_the_window_goes_on() {
    let words: Vec<String> = (0..20_000).map(|i| format!("w{i}")).collect();
    let text = words.join(" ");
    let (_dir, root) = crate::support::project_with(&[("a.txt", text.as_bytes())]);
    {
        // Two annotators, 12,000 spans each (over the size compared in the frame); the second
        // agrees except for every tenth span relabelled.
        let source = tagdesk::core::SourceText::new(text.clone());
        let first = tagdesk::synth::annotations(&source, "ana", 12_000, 5);
        let second: Vec<_> = first
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut a = a.clone();
                if i % 10 == 0 {
                    a.label = if a.label == "actor" { "claim" } else { "actor" }.into();
                }
                a
            })
            .collect();
        let mut project = Project::open(&root).unwrap();
        for (name, spans) in [("ana", first), ("ben", second)] {
            let key = LayerKey::new("a.txt".to_owned(), name.to_owned());
            let layer = tagdesk::core::AnnotationLayer::new("a.txt", name).with_annotations(spans);
            project.layers.insert(key.clone(), layer);
            project.save_layer(&key).unwrap();
        }
    }
    let mut harness = open_app_on(&root, "a.txt", "ana");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::R);
    // The command is applied at the end of the frame that reads the key; the panel is drawn
    // in the next one at the latest. That frame is drawn at once; the comparison runs
    // meanwhile (its result is taken in by a later frame).
    harness.run_steps(1);
    if harness.query_by_label("Compare:").is_none() {
        harness.run_steps(1);
    }
    assert!(harness.query_by_label("Comparing the layers…").is_some());
    assert!(harness.state().text_pending());
    steps(&mut harness, 2);
    assert!(harness.query_by_label("Comparing the layers…").is_none());
    assert!(
        harness.query_all_by_label_contains("label differs").count() >= 1,
        "the counts and rows are shown once compared"
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
fn an_idle_window_asks_for_no_repaints_and_esc_closes_the_window_in_front() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    // Let the background probe of every document finish, then the frame loop must settle.
    for _ in 0..500 {
        if harness.state().jobs_running() == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
        harness.run_steps(1);
    }
    harness
        .try_run()
        .expect("the idle main window keeps repainting");
    for (open, title) in [
        ((Modifiers::COMMAND | Modifiers::SHIFT, Key::L), "Schema"),
        ((Modifiers::COMMAND | Modifiers::SHIFT, Key::A), "Agreement"),
        ((Modifiers::COMMAND, Key::E), "Export annotations"),
    ] {
        harness.key_press_modifiers(open.0, open.1);
        steps(&mut harness, 3);
        assert!(harness.query_by_label(title).is_some(), "{title} opened");
        // Wait for what the window computes in the background (the agreement figures).
        for _ in 0..500 {
            if harness.state().jobs_running() == 0 && harness.try_run().is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        harness
            .try_run()
            .unwrap_or_else(|e| panic!("the window {title} keeps repainting: {e:?}"));
        harness.key_press(Key::Escape);
        steps(&mut harness, 2);
        assert!(
            harness.query_by_label(title).is_none(),
            "Esc closed {title}"
        );
    }
    // The palette and About close with Esc too.
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::P);
    steps(&mut harness, 2);
    harness
        .try_run()
        .expect("the open palette keeps repainting");
    harness.key_press(Key::Escape);
    steps(&mut harness, 2);
    assert!(harness.query_by_label("Command").is_none());
    // Ctrl+F opens the find bar; Esc in its field closes it.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::F);
    steps(&mut harness, 2);
    assert!(harness.query_by_label("Find").is_some());
    harness.key_press(Key::Escape);
    steps(&mut harness, 2);
    assert!(
        harness.query_by_label("Find").is_none(),
        "Esc closed the find bar"
    );
}

#[test]
fn undo_and_redo_give_back_the_selection_of_their_step() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    let start = char_offset_of(&text, "John Kerry", 0);
    tag(&mut harness, start, start + 10, Key::Num1);
    let id = harness
        .state()
        .selected_annotation()
        .expect("the new span is selected")
        .to_owned();
    harness.key_press(Key::Delete);
    steps(&mut harness, 2);
    assert_eq!(harness.state().selected_annotation(), None);
    // Undoing the delete brings the span back selected, as it was before the delete.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(harness.state().selected_annotation(), Some(id.as_str()));
    // Undoing the tagging gives back the selected text, ready to be tagged again.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(harness.state().selected_annotation(), None);
    assert_eq!(harness.state().pending_selection(), Some(start..start + 10));
    // Redo shows the state after the step: the span, selected.
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(harness.state().selected_annotation(), Some(id.as_str()));
    assert_eq!(harness.state().pending_selection(), None);
}

/// Presses and releases the mouse at `pos` `n` times in quick succession (a double click is 2).
fn click_times(harness: &mut Harness<'_, App>, pos: egui::Pos2, n: usize, modifiers: Modifiers) {
    harness.event(egui::Event::ModifiersChanged(modifiers));
    harness.hover_at(pos);
    for _ in 0..n {
        for pressed in [true, false] {
            harness.event(egui::Event::PointerButton {
                pos,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers,
            });
            harness.run_steps(1);
        }
    }
    steps(harness, 2);
    harness.event(egui::Event::ModifiersChanged(Modifiers::NONE));
}

#[test]
fn the_keyboard_moves_through_the_text_and_shift_selects_words_to_tag() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    // A click puts the caret before "John Kerry".
    let start = char_offset_of(&text, "John Kerry", 0);
    let pos = harness.state().caret_screen_pos(start).unwrap();
    click_times(&mut harness, pos + vec2(1.0, 0.0), 1, Modifiers::NONE);
    // Ctrl+Shift+→ twice: "John", then "John Kerry", selected as a drag would (whole words).
    for _ in 0..2 {
        harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::ArrowRight);
        steps(&mut harness, 1);
    }
    assert_eq!(harness.state().pending_selection(), Some(start..start + 10));
    harness.key_press(Key::Num1);
    steps(&mut harness, 2);
    let layer = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "tester")
        .unwrap();
    assert_eq!(layer.annotations()[0].text, "John Kerry");
    // PgDn pages down: the first line leaves the screen; Ctrl+Home comes back to it.
    for _ in 0..3 {
        harness.key_press(Key::PageDown);
        steps(&mut harness, 2);
    }
    assert!(
        harness.state().char_screen_pos(0).is_none(),
        "PgDn scrolled"
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Home);
    steps(&mut harness, 3);
    assert!(
        harness.state().char_screen_pos(0).is_some(),
        "Ctrl+Home scrolled back"
    );
    // Ctrl+End reaches the end, arrows move one character at a time.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::End);
    steps(&mut harness, 3);
    let last = text.trim_end().chars().count() - 1;
    assert!(
        harness.state().char_screen_pos(last).is_some(),
        "Ctrl+End scrolled to the end"
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Home);
    steps(&mut harness, 2);
    // The text opens "© 2023 WFAE": four characters right is inside "2023".
    for _ in 0..4 {
        harness.key_press(Key::ArrowRight);
    }
    steps(&mut harness, 1);
    // Shift+End selects from there to the end of the line, snapped to whole words.
    harness.key_press_modifiers(Modifiers::SHIFT, Key::End);
    steps(&mut harness, 1);
    let first_line = text.lines().next().unwrap().trim_end().chars().count();
    assert_eq!(harness.state().pending_selection(), Some(2..first_line));
}

#[test]
fn double_click_selects_a_word_triple_click_a_line_shift_click_extends() {
    let (_dir, root) = sample_copy();
    // Frames a sixtieth of a second apart, as a person's clicks are (egui counts a double
    // click within 0.3 s).
    let builder = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .with_step_dt(1.0 / 60.0);
    let mut harness = open_app_with(&root, DOC, "tester", builder);
    let text = source(&root);
    let kerry = char_offset_of(&text, "Kerry", 0);
    let pos = harness.state().char_screen_pos(kerry + 2).unwrap();
    click_times(&mut harness, pos, 2, Modifiers::NONE);
    assert_eq!(harness.state().pending_selection(), Some(kerry..kerry + 5));
    // Shift+click further on extends it there, to whole words.
    let geneva = char_offset_of(&text, "Geneva", 1);
    let far = harness.state().char_screen_pos(geneva + 2).unwrap();
    click_times(&mut harness, far, 1, Modifiers::SHIFT);
    assert_eq!(harness.state().pending_selection(), Some(kerry..geneva + 6));
    // Triple click: the whole line.
    click_times(&mut harness, pos, 3, Modifiers::NONE);
    let line_start = text[..text.find("John Kerry").unwrap()]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = harness
        .state()
        .pending_selection()
        .expect("a line is selected");
    assert_eq!(line.start, text[..line_start].chars().count());
    assert!(line.end > geneva, "{line:?}");
}

#[test]
fn a_newcomer_sees_colleagues_work_in_the_list_and_on_demand_in_the_text() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "newcomer");
    // The list shows what maria and sam did, though the newcomer has nothing yet.
    assert!(
        harness
            .query_all_by_label_contains("0 · new · +")
            .next()
            .is_some(),
        "colleagues' counts in the document list"
    );
    assert_eq!(harness.state().view_stats().colleague_pieces, 0);
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::C);
    steps(&mut harness, 2);
    assert!(
        harness.state().view_stats().colleague_pieces > 0,
        "their spans are drawn, faint"
    );
    // Read-only: a label key with nothing selected tags nothing in their layers.
    let before = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "maria")
        .unwrap()
        .clone();
    harness.key_press(Key::Num1);
    steps(&mut harness, 2);
    assert_eq!(
        harness
            .state()
            .workspace()
            .unwrap()
            .layer(DOC, "maria")
            .unwrap(),
        &before
    );
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::C);
    steps(&mut harness, 2);
    assert_eq!(harness.state().view_stats().colleague_pieces, 0);
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
}

/// A copy of the sample with four annotators (lisa and max copy maria's and sam's files).
fn four_annotators() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = sample_copy();
    for (from, to) in [("maria", "lisa"), ("sam", "max")] {
        let target = root.join("annotations").join(to);
        std::fs::create_dir_all(&target).unwrap();
        for entry in std::fs::read_dir(root.join("annotations").join(from)).unwrap() {
            let path = entry.unwrap().path();
            let json = std::fs::read_to_string(&path).unwrap().replace(
                &format!("\"annotator\": \"{from}\""),
                &format!("\"annotator\": \"{to}\""),
            );
            std::fs::write(target.join(path.file_name().unwrap()), json).unwrap();
        }
    }
    (dir, root)
}

#[test]
fn at_900x600_1280x800_and_1920x1080_nothing_is_cut_or_covered() {
    let (_dir, root) = four_annotators();
    for size in [
        vec2(900.0, 600.0),
        vec2(1280.0, 800.0),
        vec2(1920.0, 1080.0),
    ] {
        let builder = Harness::builder().with_size(size);
        let mut harness = open_app_with(&root, DOC, "maria", builder);
        let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, size);
        let rect_of = |h: &Harness<'_, App>, label: &str| {
            h.query_all_by_label(label)
                .next()
                .unwrap_or_else(|| panic!("{label} at {size:?}"))
                .rect()
        };
        let inside = |r: egui::Rect, area: egui::Rect, what: &str| {
            assert!(
                area.expand(0.5).contains_rect(r),
                "{what} at {size:?}: {r:?} leaves {area:?}"
            );
        };
        // Review with four annotators and the find bar, both open.
        harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::R);
        steps(&mut harness, 3);
        harness.key_press_modifiers(Modifiers::COMMAND, Key::F);
        steps(&mut harness, 3);
        let text = rect_of(&harness, "Document text");
        let labels_left = rect_of(&harness, "Labels").left();
        let list_right = rect_of(&harness, "US–Russia talks on Syria").right();
        // The text keeps a usable column, between the document list and the labels.
        assert!(
            text.width() >= 250.0 && text.height() >= 90.0,
            "the text column at {size:?} is {text:?}"
        );
        let column = egui::Rect::from_x_y_ranges(list_right..=labels_left, 0.0..=size.y);
        for label in [
            "Edit the curated layer",
            "Skip decided",
            "Accept all agreed",
            "… in all documents",
            "lisa",
            "max",
            "sam",
            "curated",
            "Find",
        ] {
            let r = rect_of(&harness, label);
            inside(r, screen, label);
            inside(r, column, label);
        }
        inside(rect_of(&harness, "[1] actor"), screen, "the label buttons");
        harness.key_press(Key::Escape);
        harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::R);
        steps(&mut harness, 2);
        // The schema editor and the palette fit the window.
        harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::L);
        steps(&mut harness, 3);
        let ctx = harness.ctx.clone();
        let schema = harness
            .state()
            .window_rect(&ctx, "Schema")
            .expect("schema editor");
        inside(schema, screen, "the schema editor");
        inside(rect_of(&harness, "Add label"), screen, "Add label");
        harness.key_press(Key::Escape);
        steps(&mut harness, 2);
        harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::P);
        steps(&mut harness, 2);
        inside(rect_of(&harness, "Command"), screen, "the palette's field");
        harness.key_press(Key::Escape);
        steps(&mut harness, 2);
        // A dialog: About.
        harness
            .state_mut()
            .push_action(Action::Command(tagdesk::gui::commands::Command::About));
        steps(&mut harness, 2);
        inside(rect_of(&harness, "Close"), screen, "the About box");
        harness.key_press(Key::Escape);
        steps(&mut harness, 2);
    }
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
            .is_some_and(|w| w.project.root == other)
    });
    // In the export window, Choose… fills the path from the same chooser (files listed too).
    harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    steps(&mut harness, 2);
    harness.get_by_label("Choose…").click();
    steps(&mut harness, 2);
    harness.get_by_label("Folder").focus();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    let target = other.join("out.jsonl");
    harness
        .get_by_label("Folder")
        .type_text(&target.display().to_string());
    steps(&mut harness, 1);
    harness.get_by_label("Choose").click();
    steps(&mut harness, 2);
    assert_eq!(
        harness
            .get_by_role_and_label(egui::accesskit::Role::TextInput, "File")
            .value()
            .as_deref(),
        Some(target.display().to_string().as_str()),
        "the export path is filled in"
    );
}

#[test]
fn down_and_shift_end_follow_the_rows_of_a_wrapped_line() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "tester");
    let text = source(&root);
    // "NPR's Michele Kelemen is traveling … Hi, Michele." wraps onto a second row at 1280×800.
    let start = char_offset_of(&text, "NPR's Michele", 0);
    let pos = harness.state().caret_screen_pos(start).unwrap();
    click_times(&mut harness, pos + vec2(1.0, 0.0), 1, Modifiers::NONE);
    harness.key_press(Key::ArrowDown);
    harness.key_press_modifiers(Modifiers::SHIFT, Key::End);
    steps(&mut harness, 1);
    let selection = harness.state().pending_selection().expect("a selection");
    let chars: Vec<char> = text.chars().collect();
    let selected: String = chars[selection.clone()].iter().collect();
    assert!(
        selected.ends_with("Michele") && !selected.contains("NPR"),
        "the second row from its start to its end, not the first: {selected:?}"
    );
}

#[test]
fn a_span_is_linked_to_an_entity_by_typing_and_the_next_one_is_offered_it() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    let text = source(&root);
    let kelemen = char_offset_of(&text, "Michele Kelemen", 0);
    let first = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "maria")
        .unwrap()
        .annotations()
        .iter()
        .find(|a| a.start == kelemen)
        .expect("maria tagged Michele Kelemen")
        .id
        .to_string();
    harness
        .state_mut()
        .push_action(Action::SelectAnnotation(Some(first.clone())));
    steps(&mut harness, 2);
    harness.get_by_label("Entity").focus();
    harness.get_by_label("Entity").type_text("Michele Kelemen");
    steps(&mut harness, 1);
    harness.get_by_label_contains("Enter: a new actor");
    harness.key_press(Key::Enter);
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    let entity = ws
        .project
        .entities
        .called(
            tagdesk::core::entities::EntityKind::Actor,
            "michele kelemen",
        )
        .expect("a new entity")
        .id
        .clone();
    let linked = ws
        .layer(DOC, "maria")
        .unwrap()
        .get(&first)
        .unwrap()
        .attributes[tagdesk::core::schema::ENTITY_ATTRIBUTE]
        .to_string();
    assert_eq!(linked, entity);
    // Another annotator tags the same words: the entity is offered at once.
    harness
        .state_mut()
        .push_action(Action::SetAnnotator("tester".into()));
    steps(&mut harness, 2);
    tag(&mut harness, kelemen, kelemen + 15, Key::Num1);
    harness.get_by_label("Link to Michele Kelemen").click();
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    assert_eq!(ws.entity_usage()[&entity], 2);
    // Ctrl+Z unlinks it again; the entity stays (maria's span still links to it).
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(
        harness.state().workspace().unwrap().entity_usage()[&entity],
        1
    );
}

#[test]
fn the_entities_window_renames_and_merges_and_every_link_follows() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    let spans: Vec<String> = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "maria")
        .unwrap()
        .annotations()
        .iter()
        .filter(|a| a.label == "actor")
        .take(2)
        .map(|a| a.id.to_string())
        .collect();
    for (span, name) in spans.iter().zip(["Kelemen", "Michele K."]) {
        harness.state_mut().push_action(Action::NewEntity {
            id: span.clone(),
            kind: tagdesk::core::entities::EntityKind::Actor,
            name: name.into(),
        });
        steps(&mut harness, 1);
    }
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::E);
    steps(&mut harness, 2);
    harness.get_by_label("Merge Michele K. into…").click();
    steps(&mut harness, 1);
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Kelemen")
        .click();
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    assert_eq!(ws.project.entities.entities().len(), 1);
    let kept = ws.project.entities.entities()[0].clone();
    assert!(kept.is_called("Michele K."));
    assert_eq!(ws.entity_usage()[&kept.id], 2);
    // Rename it from the window.
    harness.get_by_label("Rename").click();
    steps(&mut harness, 1);
    harness.get_by_label("New name").focus();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_by_label("New name")
        .type_text("Michele Kelemen");
    harness.key_press(Key::Enter);
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    let renamed = ws.project.entities.get(&kept.id).unwrap();
    assert_eq!(renamed.name, "Michele Kelemen");
    assert!(renamed.is_called("Kelemen"));
    // Esc closes it; one Ctrl+Z takes the rename back, the next the merge.
    harness.key_press(Key::Escape);
    steps(&mut harness, 1);
    assert!(harness.query_by_label("Rename").is_none());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(
        harness
            .state()
            .workspace()
            .unwrap()
            .project
            .entities
            .entities()
            .len(),
        2
    );
}

#[test]
fn the_network_window_shows_who_agrees_and_a_tie_leads_to_its_claims() {
    let (_dir, root) = crate::network::coded_project();
    let mut harness = open_app_on(&root, "a.txt", "ana");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::N);
    wait_for(&mut harness, "the network", |h| {
        h.query_by_label_contains("Kerry — Lavrov").is_some()
    });
    harness.get_by_label_contains("3 statements, 3 actors, 3 ties");
    // Agree minus disagree: the two who back the ceasefire +1, Assad against each −1.
    harness.get_by_label("Kerry — Lavrov  +1.00");
    harness.get_by_label("Assad — Kerry  -1.00");
    harness.get_by_label("Assad — Lavrov  -1.00");
    // The statements behind a tie, and from one to the claim in the text.
    harness.get_by_label("Assad — Kerry  -1.00").click();
    steps(&mut harness, 2);
    harness
        .get_by_label_contains("Assad on ceasefire (-1)")
        .click();
    steps(&mut harness, 2);
    let selected = harness
        .state()
        .selected_annotation()
        .expect("the claim")
        .to_owned();
    let ws = harness.state().workspace().unwrap();
    let claim = ws.layer("a.txt", "ana").unwrap().get(&selected).unwrap();
    assert_eq!(claim.text, "the ceasefire is a lie");
    // Only disagreement: the window follows the choice.
    harness.get_by_label("disagree").click();
    wait_for(&mut harness, "the conflict network", |h| {
        h.query_by_label("Assad — Kerry  +1.00").is_some()
    });
    assert!(harness.query_by_label_contains("Kerry — Lavrov").is_none());
}
