//! Suggestions from what is already coded: matching (whole words, case, CRLF and emoji
//! offsets, overlaps and nesting), entity aliases, rejections kept across reopening.

use tagdesk::core::suggest::{Provenance, Settings, Suggester};
use tagdesk::core::{LayerKey, Workspace};

const TEXT: &str =
    "Lavrov 👋 spoke.\r\nThen LAVROV left; Lavrovsky stayed.\r\nSergey Lavrov and the Kremlin.";

fn at(needle: &str, n: usize) -> std::ops::Range<usize> {
    let start = crate::support::char_offset_of(TEXT, needle, n);
    start..start + needle.chars().count()
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf, Workspace) {
    let (dir, root) = crate::support::project_with(&[
        ("a.txt", TEXT.as_bytes()),
        ("b.txt", "The Kremlin said nothing. Lavrov did.".as_bytes()),
    ]);
    let ws = Workspace::open(&root).unwrap();
    (dir, root, ws)
}

#[test]
fn every_other_whole_word_occurrence_is_proposed_with_its_label() {
    let (_dir, _root, mut ws) = setup();
    ws.add_span("a.txt", "ana", at("Lavrov", 0), "actor")
        .unwrap();
    let settings = Settings::default();
    let suggester = Suggester::new(ws.project(), "ana", &settings);
    let text = ws.text("a.txt").unwrap();
    let found = suggester.suggest("a.txt", &text.text, ws.layer("a.txt", "ana"), &settings);
    let ranges: Vec<_> = found.iter().map(|s| s.range.clone()).collect();
    // LAVROV (any case), the Lavrov in "Sergey Lavrov"; not Lavrovsky (not a whole word), not
    // the tagged one.
    assert_eq!(ranges, [at("LAVROV", 0), at("Lavrov", 2)]);
    assert!(found.iter().all(|s| s.label == "actor"));
    assert_eq!(
        found[0].provenance,
        Provenance::Span {
            document: "a.txt".into(),
            start: at("Lavrov", 0).start
        }
    );
    // In another document too, with the code-point offsets of that text.
    let b = ws.text("b.txt").unwrap();
    let in_b = suggester.suggest("b.txt", &b.text, ws.layer("b.txt", "ana"), &settings);
    assert_eq!(in_b.len(), 1);
    assert_eq!(b.text.slice(in_b[0].range.clone()), "Lavrov");
    // Case-sensitive: LAVROV is no longer proposed.
    let mut exact = Settings::default();
    exact.case_sensitive = true;
    let suggester = Suggester::new(ws.project(), "ana", &exact);
    let found = suggester.suggest("a.txt", &text.text, ws.layer("a.txt", "ana"), &exact);
    assert_eq!(found.len(), 1);
}

#[test]
fn a_span_of_that_label_over_the_place_stops_the_suggestion_and_labels_can_be_switched_off() {
    let (_dir, _root, mut ws) = setup();
    ws.add_span("a.txt", "ana", at("Lavrov", 0), "actor")
        .unwrap();
    // "Sergey Lavrov" is tagged as an actor: the Lavrov inside it is not proposed (nested).
    ws.add_span("a.txt", "ana", at("Sergey Lavrov", 0), "actor")
        .unwrap();
    let settings = Settings::default();
    let suggester = Suggester::new(ws.project(), "ana", &settings);
    let text = ws.text("a.txt").unwrap();
    let found = suggester.suggest("a.txt", &text.text, ws.layer("a.txt", "ana"), &settings);
    assert_eq!(
        found.iter().map(|s| s.range.clone()).collect::<Vec<_>>(),
        [at("LAVROV", 0)]
    );
    // The longer tagged text wins where both match.
    let b = ws.text("b.txt").unwrap();
    assert!(suggester.suggest("b.txt", &b.text, None, &settings).len() == 1);
    let mut off = Settings::default();
    off.off_labels.insert("actor".to_owned());
    assert!(Suggester::new(ws.project(), "ana", &off).is_empty());
    // Colleagues' spans only when asked.
    assert!(Suggester::new(ws.project(), "ben", &Settings::default()).is_empty());
    let mut everyone = Settings::default();
    everyone.from_everyone = true;
    assert!(!Suggester::new(ws.project(), "ben", &everyone).is_empty());
}

#[test]
fn entity_aliases_are_proposed_linked_and_rejections_survive_reopening() {
    let (_dir, root, mut ws) = setup();
    let key = LayerKey::new("a.txt", "ana");
    let span = ws
        .add_span("a.txt", "ana", at("Kremlin", 0), "actor")
        .unwrap();
    let entity = ws
        .link_new_entity(
            &key,
            &span,
            tagdesk::core::entities::EntityKind::Actor,
            "Russia",
        )
        .unwrap();
    let alias = tagdesk::core::entities::Registry::from_entities(
        ws.project().entities.entities().iter().cloned(),
    )
    .with_alias(&entity, "Moscow")
    .unwrap();
    ws.replace_entities(alias, "alias").unwrap();
    let mut settings = Settings::default();
    let suggester = Suggester::new(ws.project(), "ana", &settings);
    let b = ws.text("b.txt").unwrap();
    let found = suggester.suggest("b.txt", &b.text, None, &settings);
    let kremlin = found
        .iter()
        .find(|s| b.text.slice(s.range.clone()) == "Kremlin")
        .unwrap();
    assert_eq!(kremlin.entity.as_deref(), Some(entity.as_str()));
    // Reject it: kept in suggestions.json, and not proposed again after reopening.
    settings.reject("b.txt", kremlin);
    settings.accepted("actor", 2);
    settings.save(&root).unwrap();
    let reopened = Settings::load(&root).unwrap();
    assert_eq!(reopened.tally["actor"].rejected, 1);
    assert_eq!(reopened.tally["actor"].accepted, 2);
    let again = suggester.suggest("b.txt", &b.text, None, &reopened);
    assert!(
        again
            .iter()
            .all(|s| b.text.slice(s.range.clone()) != "Kremlin")
    );
    // A broken file is an error naming it, never replaced silently.
    std::fs::write(root.join("suggestions.json"), "{ nope").unwrap();
    let err = Settings::load(&root).unwrap_err();
    assert!(
        err.contains("suggestions.json") && err.contains("line 1"),
        "{err}"
    );
}
