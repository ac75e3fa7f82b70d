//! Suggestions that learn, in the window: trained in the background as the annotator codes,
//! shown dashed with how sure the model is, accepted with Enter; the training stops when the
//! project is closed.

use super::*;
use tagdesk::core::suggest::Provenance;

use crate::support::MINISTERS as TEXTS;

fn tag_word(harness: &mut Harness<'_, App>, text: &str, word: &str) {
    let start = char_offset_of(text, word, 0);
    tag(harness, start, start + word.chars().count(), Key::Num1);
}

fn learned_here(h: &Harness<'_, App>) -> Vec<(std::ops::Range<usize>, u8)> {
    h.state().suggestions().map_or_else(Vec::new, |s| {
        s.here
            .iter()
            .filter_map(|x| match x.provenance {
                Provenance::Learned { percent } => Some((x.range.clone(), percent)),
                _ => None,
            })
            .collect()
    })
}

#[test]
fn suggestions_from_the_model_appear_after_coding_and_are_accepted_with_enter() {
    let files: Vec<(&str, &[u8])> = TEXTS.iter().map(|(p, t)| (*p, t.as_bytes())).collect();
    let (_dir, root) = crate::support::project_with(&files);
    // Train again after every four edits.
    let mut settings = tagdesk::core::suggest::Settings::default();
    settings.learned.retrain_after = 4;
    settings.save(&root).unwrap();
    let mut harness = open_app_on(&root, "a.txt", "ana");
    wait_for(
        &mut harness,
        "the first training (nothing coded yet)",
        |h| {
            let l = h.state().learning().unwrap();
            !l.is_running() && l.status != tagdesk::gui::learning::Status::Idle
        },
    );
    assert!(harness.state().learning().unwrap().model.is_none());
    // Four spans in two documents, tagged in the window.
    tag_word(&mut harness, TEXTS[0].1, "Lavrov");
    tag_word(&mut harness, TEXTS[0].1, "Kerry");
    harness
        .state_mut()
        .push_action(Action::SelectDocument("b.txt".into()));
    steps(&mut harness, 3);
    tag_word(&mut harness, TEXTS[1].1, "Zarif");
    tag_word(&mut harness, TEXTS[1].1, "Kerry");
    wait_for(&mut harness, "a model trained on the four spans", |h| {
        let l = h.state().learning().unwrap();
        !l.is_running()
            && l.trained
                .as_ref()
                .is_some_and(|t| t.labels.get("actor") == Some(&4))
    });
    assert!(
        root.join(".tagdesk/models/ana.model").is_file(),
        "kept under .tagdesk"
    );
    // A name never coded, found by its company.
    harness
        .state_mut()
        .push_action(Action::SelectDocument("c.txt".into()));
    let merkel = char_offset_of(TEXTS[2].1, "Merkel", 0);
    wait_for(&mut harness, "the learned suggestion", |h| {
        learned_here(h)
            .iter()
            .any(|(r, _)| *r == (merkel..merkel + 6))
    });
    let (_, percent) = learned_here(&harness)[0].clone();
    assert!((50..=100).contains(&percent), "{percent}% sure");
    harness.key_press(Key::F4);
    steps(&mut harness, 2);
    harness.key_press(Key::Enter);
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    let made = ws
        .layer("c.txt", "ana")
        .unwrap()
        .annotations()
        .iter()
        .any(|a| a.start == merkel && a.label == "actor");
    assert!(made, "accepted with Enter");
    // Next document, least sure first: from a.txt, Alt+Down skips the coded b.txt and c.txt
    // and goes to the one document left to code.
    let mut settings = harness.state().suggestions().unwrap().settings.clone();
    settings.learned.next_least_sure = true;
    harness
        .state_mut()
        .push_action(Action::SetSuggestionSettings(Box::new(settings)));
    harness
        .state_mut()
        .push_action(Action::SelectDocument("a.txt".into()));
    // Asking for that order trains again, ranking the documents not coded.
    wait_for(&mut harness, "the documents ranked", |h| {
        let l = h.state().learning().unwrap();
        !l.is_running() && !l.unsure.is_empty()
    });
    harness.key_press_modifiers(Modifiers::ALT, Key::ArrowDown);
    steps(&mut harness, 3);
    assert_eq!(harness.state().current_document(), Some("d.txt"));
    let saved = tagdesk::core::suggest::Settings::load(&root).unwrap();
    assert!(saved.learned.next_least_sure, "kept in suggestions.json");
}

#[test]
fn closing_the_project_stops_the_training_and_stores_nothing() {
    let (_dir, root) = sample_copy();
    let (_other_dir, other) = crate::support::project_with(&[("x.txt", b"another project")]);
    let options = Options {
        path: None,
        document: None,
        annotator: Some("sam".to_owned()),
        frame_stats: None,
        builtin_file_dialog: true,
    };
    let mut harness = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(move |cc| App::new(cc, options));
    let gate = tagdesk::gui::jobs::hold_tasks_named(&harness.ctx, "learn");
    harness
        .state_mut()
        .push_action(Action::OpenPath(root.clone(), None));
    wait_for_project(&mut harness);
    wait_for(&mut harness, "the training to start", |h| {
        h.state().learning().unwrap().status == tagdesk::gui::learning::Status::Training
    });
    // The status bar says so while it trains.
    steps(&mut harness, 2);
    harness.get_by_label_contains("Learning from your coding");
    let cancel = harness.state().learning().unwrap().cancel_flag();
    harness
        .state_mut()
        .push_action(Action::OpenPath(other, None));
    wait_for_project(&mut harness);
    assert!(
        cancel.load(std::sync::atomic::Ordering::Relaxed),
        "cancelled"
    );
    gate.open();
    wait_for(&mut harness, "the held task to end", |h| {
        h.state().jobs_running() == 0
    });
    assert!(
        !root.join(".tagdesk/models/sam.model").exists(),
        "nothing stored after the project was closed"
    );
}

#[test]
fn another_annotator_gets_a_model_of_their_own_coding() {
    let files: Vec<(&str, &[u8])> = TEXTS.iter().map(|(p, t)| (*p, t.as_bytes())).collect();
    let (_dir, root) = crate::support::project_with(&files);
    let mut ws = tagdesk::core::Workspace::open(&root).unwrap();
    for (doc, w) in [(0, "Lavrov"), (0, "Kerry"), (1, "Zarif"), (1, "Kerry")] {
        let start = char_offset_of(TEXTS[doc].1, w, 0);
        ws.add_span(TEXTS[doc].0, "ana", start..start + w.len(), "actor")
            .unwrap();
    }
    assert!(ws.save().errors.is_empty());
    drop(ws);
    let mut harness = open_app_on(&root, "c.txt", "ana");
    wait_for(&mut harness, "ana's model and its suggestion", |h| {
        !learned_here(h).is_empty()
    });
    harness
        .state_mut()
        .push_action(Action::SetAnnotator("bob".into()));
    wait_for(&mut harness, "bob's training (nothing coded)", |h| {
        let l = h.state().learning().unwrap();
        !l.is_running() && matches!(l.status, tagdesk::gui::learning::Status::Refused(_))
    });
    assert!(harness.state().learning().unwrap().model.is_none());
    steps(&mut harness, 4);
    wait_for(&mut harness, "no learned suggestion for bob", |h| {
        learned_here(h).is_empty() && !h.state().suggestions().unwrap().is_running()
    });
}
