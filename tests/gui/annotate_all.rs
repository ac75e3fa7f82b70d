//! Labelling every match at once, from the corpus search window.

use super::*;

fn spans_of(harness: &Harness<'_, App>, annotator: &str, label: &str) -> usize {
    let ws = harness.state().workspace().unwrap();
    ws.project()
        .layers
        .iter()
        .filter(|(k, _)| k.annotator == annotator)
        .map(|(_, l)| l.annotations().iter().filter(|a| a.label == label).count())
        .sum()
}

#[test]
fn label_all_matches_previews_marks_overlaps_applies_in_one_step_and_undoes() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    let before = spans_of(&harness, "maria", "actor");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::F);
    steps(&mut harness, 2);
    harness.event(egui::Event::Text("Lavrov".into()));
    steps(&mut harness, 1);
    harness.key_press(Key::Enter);
    wait_for(&mut harness, "the search to finish", |h| {
        h.query_by_label_contains("matches in 5 documents")
            .is_some()
    });
    harness.get_by_label("Label all 14 matches as").click();
    steps(&mut harness, 2);
    // Three mentions are inside "Sergey/Sergei Lavrov" spans maria made: marked, unticked.
    harness.get_by_label("Label 11 of 14 matches as actor");
    assert_eq!(
        harness
            .query_all_by_label_contains("overlaps a span (actor)")
            .count(),
        3
    );
    harness.get_by_label("Apply (11)").click();
    // The spans are prepared on a job, then applied as one step.
    wait_for(&mut harness, "the spans", |h| {
        spans_of(h, "maria", "actor") == before + 11
    });
    harness.get_by_label_contains("Labelled 11 place(s) in 4 document(s)");
    // Every new span covers the word (snapped), and one Ctrl+Z takes all eleven back.
    let ws = harness.state().workspace().unwrap();
    let lavrovs = ws
        .project()
        .layers
        .iter()
        .filter(|(k, _)| k.annotator == "maria")
        .flat_map(|(_, l)| l.annotations().iter())
        .filter(|a| a.text.eq_ignore_ascii_case("lavrov") && a.label == "actor")
        .count();
    assert!(lavrovs >= 11, "{lavrovs}");
    harness.key_press(Key::Escape);
    steps(&mut harness, 1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(spans_of(&harness, "maria", "actor"), before);
}

#[test]
fn label_all_from_the_find_bar_stays_in_the_document() {
    let (_dir, root) = sample_copy();
    let doc = "001_966120f5ee3f0c58.txt";
    let mut harness = open_app_on(&root, doc, "maria");
    let before = spans_of(&harness, "maria", "actor");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::F);
    steps(&mut harness, 2);
    harness.event(egui::Event::Text("Lavrov".into()));
    steps(&mut harness, 2);
    harness.get_by_label("Label all 4…").click();
    steps(&mut harness, 1);
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "actor")
        .click();
    wait_for(&mut harness, "the preview", |h| {
        h.query_by_label_contains("matches as actor").is_some()
    });
    // One of the four is inside maria's "Sergei Lavrov": unticked.
    harness.get_by_label("Label 3 of 4 matches as actor");
    harness.get_by_label_contains(&format!("In {doc} only"));
    harness.get_by_label("Apply (3)").click();
    wait_for(&mut harness, "the spans", |h| {
        spans_of(h, "maria", "actor") == before + 3
    });
    let ws = harness.state().workspace().unwrap();
    let other_docs: usize = ws
        .project()
        .layers
        .iter()
        .filter(|(k, _)| k.annotator == "maria" && k.document != doc)
        .flat_map(|(_, l)| l.annotations().iter())
        .filter(|a| a.text.eq_ignore_ascii_case("lavrov"))
        .count();
    assert_eq!(other_docs, 0, "only this document");
}

fn suggestions_here(harness: &Harness<'_, App>) -> usize {
    harness.state().suggestions().map_or(0, |s| s.here.len())
}

#[test]
fn suggestions_are_stepped_accepted_and_rejected_from_the_keyboard() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    wait_for(&mut harness, "the suggestions", |h| suggestions_here(h) > 0);
    let before = spans_of(&harness, "maria", "actor");
    let count = suggestions_here(&harness);
    harness.get_by_label_contains(&format!("{count} suggestions here"));
    // F4: the first suggestion after the caret is selected; Enter accepts it.
    harness.key_press(Key::F4);
    steps(&mut harness, 2);
    let first = harness.state().pending_selection().expect("F4 selects it");
    let label = harness.state().suggestions().unwrap().here
        [harness.state().suggestions().unwrap().focused.unwrap()]
    .label
    .clone();
    harness.key_press(Key::Enter);
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    let made = ws
        .layer(DOC, "maria")
        .unwrap()
        .annotations()
        .iter()
        .any(|a| a.start == first.start && a.end == first.end && a.label == label.as_str());
    assert!(made, "accepted as {label}");
    wait_for(&mut harness, "fewer suggestions", |h| {
        suggestions_here(h) == count - 1 && !h.state().suggestions().unwrap().is_running()
    });
    // F4, Delete: rejected, written to suggestions.json, not proposed again.
    harness.key_press(Key::F4);
    steps(&mut harness, 2);
    let rejected = harness.state().pending_selection().unwrap();
    harness.key_press(Key::Delete);
    steps(&mut harness, 2);
    let settings = tagdesk::core::suggest::Settings::load(&root).unwrap();
    assert!(
        settings
            .rejected
            .iter()
            .any(|r| r.document == DOC && r.start == rejected.start && r.end == rejected.end)
    );
    assert_eq!(settings.tally.values().map(|t| t.accepted).sum::<u64>(), 1);
    wait_for(&mut harness, "the rejected one gone", |h| {
        !h.state().suggestions().unwrap().is_running()
            && h.state()
                .suggestions()
                .unwrap()
                .here
                .iter()
                .all(|s| s.range != rejected)
    });
    // Accept every suggestion in the document: one step, one Ctrl+Z.
    let left = suggestions_here(&harness);
    let spans = |h: &Harness<'_, App>| {
        h.state()
            .workspace()
            .unwrap()
            .layer(DOC, "maria")
            .unwrap()
            .len()
    };
    let before_all = spans(&harness);
    harness
        .state_mut()
        .push_action(Action::Command(tagdesk::gui::Command::AcceptAllSuggestions));
    steps(&mut harness, 2);
    assert_eq!(spans(&harness), before_all + left);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(spans(&harness), before_all);
    assert!(spans_of(&harness, "maria", "actor") >= before);
}

#[test]
fn suggestion_settings_switch_a_label_off_and_are_kept_in_the_project() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    wait_for(&mut harness, "the suggestions", |h| suggestions_here(h) > 0);
    assert!(
        harness
            .state()
            .suggestions()
            .unwrap()
            .here
            .iter()
            .any(|s| s.label == "actor")
    );
    harness
        .state_mut()
        .push_action(Action::Command(tagdesk::gui::Command::SuggestionSettings));
    steps(&mut harness, 2);
    harness
        .get_by_role_and_label(egui::accesskit::Role::CheckBox, "actor")
        .click();
    steps(&mut harness, 2);
    wait_for(&mut harness, "no actor suggestions", |h| {
        let s = h.state().suggestions().unwrap();
        !s.is_running() && s.here.iter().all(|s| s.label != "actor")
    });
    let saved = tagdesk::core::suggest::Settings::load(&root).unwrap();
    assert!(saved.off_labels.contains("actor"));
    // Off altogether: nothing is proposed, the counter goes.
    harness
        .get_by_label("Show suggestions (dashed outlines)")
        .click();
    steps(&mut harness, 2);
    assert_eq!(suggestions_here(&harness), 0);
    assert!(
        harness
            .query_by_label_contains("suggestions here")
            .is_none()
    );
    harness.key_press(Key::Escape);
    steps(&mut harness, 1);
    assert!(harness.query_by_label("Suggestion settings").is_none());
}
