//! The app driven through `egui_kittest`: real widgets, real input events, no GPU needed.

use egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use tagdesk::core::LayerKey;
use tagdesk::core::Project;
use tagdesk::gui::{Action, App, Options};

use crate::support::{char_offset_of, sample_copy};

const DOC: &str = "000_6960b4d936e3359c.txt";

mod analysis;
mod annotate_all;
mod disk;
mod editing;
mod jobs;
mod learned;
mod rtl;
mod schema;
mod sources;
mod team;
mod windows;

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

/// Opens the first drop-down list on screen.
fn open_first_combo(harness: &mut Harness<'_, App>) {
    // (Not the document list's "Sort by", which is always there.)
    harness
        .get_all_by_role(egui::accesskit::Role::ComboBox)
        .find(|n| {
            use egui_kittest::kittest::NodeT as _;
            n.accesskit_node().label().as_deref() != Some("Sort by")
        })
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
