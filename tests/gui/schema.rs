//! The schema editor: labels renamed and removed, attribute values added and removed.

use super::*;

#[test]
fn renaming_a_label_in_the_schema_editor_relabels_and_undo_restores() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    let actors = |h: &Harness<'_, App>, label: &str| {
        let ws = h.state().workspace().unwrap();
        ws.project()
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
            .project()
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
            .project()
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
            .project()
            .schema()
            .get("disagreement")
            .is_some()
    );
    harness.get_by_label("Remove").click();
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    assert!(ws.project().schema().get("disagreement").is_none());
    assert_eq!(ws.label_usage("disagreement"), 0);
    assert!(
        ws.project().schema().relation("between").is_none(),
        "its relation types went too"
    );
}

#[test]
fn attribute_values_are_added_and_removed_in_the_schema_editor() {
    use tagdesk::core::schema::{AttributeKind, AttributeValue};
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    let stance_values = |h: &Harness<'_, App>| {
        let schema = h.state().workspace().unwrap().project().schema().clone();
        match &schema.get("claim").unwrap().attributes[0].kind {
            AttributeKind::Choice { values } => values.clone(),
            _ => Vec::new(),
        }
    };
    let opposed = |h: &Harness<'_, App>| {
        h.state()
            .workspace()
            .unwrap()
            .project()
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
