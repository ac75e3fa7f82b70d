//! Editing in the text: selecting, tagging, the keyboard, undo, relations, the schema editor.

use super::*;

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
        .project()
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
            .note()
            .map(str::to_owned)
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
        .note()
        .map(str::to_owned);
    assert_eq!(layer_note, None);
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
    assert_eq!(a.note(), Some("Secretary of State 1"));
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
