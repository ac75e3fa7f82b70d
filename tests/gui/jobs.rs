//! Every background task runs through one facility (`gui::jobs::Task`): a task that panics
//! ends as an error its window shows, the window still closes with Esc, and nothing waits
//! forever. Each kind is made to panic by `jobs::panic_tasks_named`.

use super::*;
use tagdesk::gui::jobs::{panic_tasks_named, stop_panicking};

/// Waits for `error`, then Esc closes the window titled `title` (if it is a window).
fn shows_and_closes(harness: &mut Harness<'static, App>, error: &str, title: Option<&str>) {
    wait_for(harness, error, |h| {
        h.query_all_by_label_contains(error).next().is_some()
    });
    wait_for(harness, "nothing left running", |h| {
        h.state().jobs_running() == 0
    });
    if let Some(title) = title {
        assert!(harness.query_by_label(title).is_some(), "{title} is open");
        harness.key_press(Key::Escape);
        steps(harness, 2);
        assert!(
            harness.query_by_label(title).is_none(),
            "Esc closed {title}"
        );
    }
}

#[test]
fn a_panicking_agreement_job_is_shown_and_its_window_closes() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    panic_tasks_named(&harness.ctx, "tagdesk-agreement");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::A);
    steps(&mut harness, 2);
    harness.get_by_label("Compute").click();
    shows_and_closes(
        &mut harness,
        "The agreement failed: it stopped unexpectedly",
        Some("Agreement"),
    );
}

#[test]
fn a_panicking_network_job_is_shown_and_its_window_closes() {
    let (_dir, root) = crate::network::coded_project();
    let mut harness = open_app_on(&root, "a.txt", "ana");
    panic_tasks_named(&harness.ctx, "network");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::N);
    shows_and_closes(
        &mut harness,
        "Computing the network failed: it stopped unexpectedly",
        Some("Network"),
    );
}

#[test]
fn a_panicking_search_is_shown_and_its_window_closes() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    panic_tasks_named(&harness.ctx, "tagdesk-search");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::F);
    steps(&mut harness, 2);
    harness.event(egui::Event::Text("Lavrov".into()));
    steps(&mut harness, 1);
    harness.key_press(Key::Enter);
    shows_and_closes(
        &mut harness,
        "The search failed: it stopped unexpectedly",
        Some("Search all documents"),
    );
}

#[test]
fn a_panicking_comparison_is_shown_in_the_review_panel() {
    let (_dir, root) = super::windows::two_big_layers();
    let mut harness = open_app_on(&root, "a.txt", "ana");
    panic_tasks_named(&harness.ctx, "tagdesk-compare");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::R);
    shows_and_closes(
        &mut harness,
        "Comparing the layers failed: it stopped unexpectedly",
        None,
    );
    // Not stuck: once the fault is gone, the next comparison runs.
    stop_panicking(&harness.ctx);
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::R);
    steps(&mut harness, 2);
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::R);
    wait_for(&mut harness, "the comparison", |h| {
        h.query_all_by_label_contains("label differs")
            .next()
            .is_some()
    });
}

#[test]
fn a_panicking_export_is_shown_and_its_window_closes() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    panic_tasks_named(&harness.ctx, "tagdesk-export");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    steps(&mut harness, 2);
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("out.jsonl");
    open_first_combo(&mut harness);
    steps(&mut harness, 2);
    harness.get_by_label_contains("doccano JSONL").click();
    steps(&mut harness, 2);
    let file = egui::accesskit::Role::TextInput;
    harness.get_by_role_and_label(file, "File").focus();
    steps(&mut harness, 1);
    harness
        .get_by_role_and_label(file, "File")
        .type_text(&target.display().to_string());
    steps(&mut harness, 2);
    harness.get_by_label("Export").click();
    shows_and_closes(
        &mut harness,
        "The export failed: it stopped unexpectedly",
        Some("Export annotations"),
    );
    assert!(!target.exists(), "nothing half-written");
}

#[test]
fn a_panicking_import_read_is_shown_and_its_window_closes() {
    let (_dir, root) = sample_copy();
    let input = root.parent().unwrap().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"text\": \"Kerry\", \"label\": [[0, 5, \"actor\"]]}\n",
    )
    .unwrap();
    let mut harness = open_app(&root, "maria");
    panic_tasks_named(&harness.ctx, "tagdesk-import");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::I);
    steps(&mut harness, 2);
    open_first_combo(&mut harness);
    steps(&mut harness, 2);
    harness.get_by_label("doccano JSONL").click();
    steps(&mut harness, 2);
    harness.get_by_label("Input").focus();
    steps(&mut harness, 1);
    harness
        .get_by_label("Input")
        .type_text(&input.display().to_string());
    steps(&mut harness, 2);
    harness.get_by_label("Import").click();
    shows_and_closes(
        &mut harness,
        "Nothing was imported: reading the input failed: it stopped unexpectedly",
        Some("Import annotations"),
    );
}

#[test]
fn a_panicking_suggestion_job_is_shown_in_the_status_bar() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    wait_for(&mut harness, "nothing running", |h| {
        h.state().jobs_running() == 0
    });
    panic_tasks_named(&harness.ctx, "suggestions");
    // An edit: the suggestions are computed again, and that task dies.
    let text = source(&root);
    let start = char_offset_of(&text, "Geneva", 0);
    harness.state_mut().push_action(Action::SetSelection(Some(
        start..start + "Geneva".chars().count(),
    )));
    steps(&mut harness, 1);
    harness.key_press(Key::Num1);
    shows_and_closes(&mut harness, "Suggestions failed", None);
    let failed = harness.state().suggestions().and_then(|s| s.failed.clone());
    assert!(
        failed.is_some_and(|f| f.starts_with("Computing suggestions failed: it stopped unexpectedly")),
        "the reason is kept for the tooltip"
    );
}
