//! Labelling every match at once, from the corpus search window.

use super::*;

fn spans_of(harness: &Harness<'_, App>, annotator: &str, label: &str) -> usize {
    let ws = harness.state().workspace().unwrap();
    ws.project
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
    steps(&mut harness, 3);
    assert_eq!(spans_of(&harness, "maria", "actor"), before + 11);
    harness.get_by_label_contains("Labelled 11 place(s) as actor in 4 document(s)");
    // Every new span covers the word (snapped), and one Ctrl+Z takes all eleven back.
    let ws = harness.state().workspace().unwrap();
    let lavrovs = ws
        .project
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
    steps(&mut harness, 3);
    assert_eq!(spans_of(&harness, "maria", "actor"), before + 3);
    let ws = harness.state().workspace().unwrap();
    let other_docs: usize = ws
        .project
        .layers
        .iter()
        .filter(|(k, _)| k.annotator == "maria" && k.document != doc)
        .flat_map(|(_, l)| l.annotations().iter())
        .filter(|a| a.text.eq_ignore_ascii_case("lavrov"))
        .count();
    assert_eq!(other_docs, 0, "only this document");
}
