//! Annotates the sample project (`projects/syria-talks`) through the app itself: for each span
//! it scrolls to the phrase, drags over it with the pointer, and presses the label's key, then
//! saves with Ctrl+S — the same input path a user takes. Two annotators, who agree on most
//! actors and differ on some claims, so review has something to show.
//!
//! `cargo run --example annotate_sample` (rewrites `projects/syria-talks/annotations/`).

#![allow(clippy::expect_used, clippy::unwrap_used)] // A generator: stop loudly on any surprise.

use egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use tagdesk::core::entities::EntityKind;
use tagdesk::gui::{Action, App, Options};

/// (document prefix, phrase, context the phrase is found in — empty for its first occurrence, label key).
type Span = (&'static str, &'static str, &'static str, Key);

const A: Key = Key::Num1; // actor
const C: Key = Key::Num2; // claim
const D: Key = Key::Num3; // disagreement

const MARIA: &[Span] = &[
    ("000", "Michele Kelemen", "", A),
    ("000", "John Kerry", "", A),
    ("000", "Sergey Lavrov", "", A),
    (
        "000",
        "condemned this and said they have to get the Security Council to go back and really implement the resolutions",
        "",
        C,
    ),
    ("000", "Bashar al-Assad", "", A),
    ("000", "they back different sides", "", D),
    ("000", "the U.S. has really little leverage here", "", C),
    ("000", "Pentagon officials", "", A),
    ("000", "they're very skeptical about this", "", D),
    ("001", "John Kerry", "", A),
    (
        "001",
        "Russia needs to change its targeting in Syria",
        "",
        C,
    ),
    (
        "001",
        "Kerry says that the Russians have been dropping dumb bombs in Aleppo",
        "",
        D,
    ),
    ("001", "Kerry", "Kerry says that the Russians", A),
    ("001", "the Russians", "Kerry says that the Russians", A),
    ("001", "Sergei Lavrov", "", A),
    ("001", "is a road to nowhere", "", C),
    (
        "001",
        "everyone should stop demonizing Assad and focus on ISIS",
        "",
        C,
    ),
    ("001", "Philip Hammond", "", A),
    ("002", "The Kremlin", "", A),
    ("002", "dismissed talk of compromise", "", D),
    ("002", "Russia is disappointed by", "", D),
    ("002", "Vitaly Churkin", "", A),
    ("002", "Christopher Phillips", "", A),
    (
        "002",
        "the Russians feel they can ride out any American pressure",
        "",
        C,
    ),
    (
        "002",
        "his government is willing to negotiate with its opponents, but not terrorist organizations",
        "",
        C,
    ),
    ("003", "დონალდ ტრამპი", "", A),
    ("003", "მელანია ტრამპი", "", A),
    ("003", "John Kerry", "", A),
    ("003", "Vladimir Putin", "", A),
    ("003", "Angela Stent", "", A),
    ("003", "Dmitri Peskov", "", A),
    (
        "003",
        "Russian-American relations are experiencing a difficult period, caused by the purposefully unfriendly actions of Washington",
        "",
        D,
    ),
    ("004", "John Kerry", "", A),
    ("004", "Sergei Lavrov", "", A),
    ("004", "Mark Katz", "", A),
    (
        "004",
        "the chances of a breakthrough during Kerry's visit are minimal",
        "",
        C,
    ),
    (
        "004",
        "Russia and China have blocked bids for toughened UN action against Damascus",
        "",
        D,
    ),
];

const SAM: &[Span] = &[
    ("000", "Michele Kelemen", "", A),
    ("000", "John Kerry", "", A),
    ("000", "Sergey Lavrov", "", A),
    ("000", "Security Council", "", A),
    ("000", "Bashar al-Assad", "", A),
    ("000", "the U.S. has really little leverage", "", C),
    ("000", "Pentagon officials", "", A),
    ("000", "they're very skeptical about this", "", C),
    ("001", "John Kerry", "", A),
    ("001", "Russia needs to change its targeting", "", C),
    ("001", "Sergei Lavrov", "", A),
    ("001", "is a road to nowhere", "", D),
    ("001", "Philip Hammond", "", A),
    ("002", "The Kremlin", "", A),
    ("002", "dismissed talk of compromise", "", D),
    ("002", "Putin", "", A),
    ("002", "Vitaly Churkin", "", A),
    ("002", "Christopher Phillips", "", A),
    ("003", "დონალდ ტრამპი", "", A),
    ("003", "John Kerry", "", A),
    ("003", "Vladimir Putin", "", A),
    ("003", "Sergei Lavrov", "", A),
    ("003", "Dmitri Peskov", "", A),
    (
        "003",
        "Russian-American relations are experiencing a difficult period",
        "",
        D,
    ),
    ("004", "John Kerry", "", A),
    ("004", "Vladimir Putin", "", A),
    ("004", "Sergei Lavrov", "", A),
    ("004", "Mark Katz", "", A),
    (
        "004",
        "the chances of a breakthrough during Kerry's visit are minimal",
        "",
        C,
    ),
];

/// (document prefix, source span text, target span text): linked by clicking the target after R.
type Link = (&'static str, &'static str, &'static str);
/// (document prefix, span text, palette entry): e.g. "stance oppose".
type Attribute = (&'static str, &'static str, &'static str);

const MARIA_LINKS: &[Link] = &[
    (
        "000",
        "the U.S. has really little leverage here",
        "Michele Kelemen",
    ),
    (
        "000",
        "they're very skeptical about this",
        "Pentagon officials",
    ),
    (
        "001",
        "Russia needs to change its targeting in Syria",
        "John Kerry",
    ),
    (
        "001",
        "Kerry says that the Russians have been dropping dumb bombs in Aleppo",
        "Kerry",
    ),
    (
        "001",
        "Kerry says that the Russians have been dropping dumb bombs in Aleppo",
        "the Russians",
    ),
    ("001", "is a road to nowhere", "Sergei Lavrov"),
    (
        "001",
        "everyone should stop demonizing Assad and focus on ISIS",
        "Sergei Lavrov",
    ),
    ("002", "dismissed talk of compromise", "The Kremlin"),
    (
        "002",
        "the Russians feel they can ride out any American pressure",
        "Christopher Phillips",
    ),
    (
        "004",
        "the chances of a breakthrough during Kerry's visit are minimal",
        "Mark Katz",
    ),
];

const MARIA_ATTRIBUTES: &[Attribute] = &[
    (
        "000",
        "the U.S. has really little leverage here",
        "stance neutral",
    ),
    (
        "001",
        "Russia needs to change its targeting in Syria",
        "stance support",
    ),
    ("001", "is a road to nowhere", "stance oppose"),
    (
        "001",
        "everyone should stop demonizing Assad and focus on ISIS",
        "stance oppose",
    ),
    (
        "002",
        "the Russians feel they can ride out any American pressure",
        "stance neutral",
    ),
    (
        "004",
        "the chances of a breakthrough during Kerry's visit are minimal",
        "stance oppose",
    ),
];

const SAM_LINKS: &[Link] = &[
    (
        "000",
        "the U.S. has really little leverage",
        "Michele Kelemen",
    ),
    (
        "000",
        "they're very skeptical about this",
        "Pentagon officials",
    ),
    ("001", "is a road to nowhere", "Sergei Lavrov"),
    (
        "004",
        "the chances of a breakthrough during Kerry's visit are minimal",
        "Mark Katz",
    ),
];

const SAM_ATTRIBUTES: &[Attribute] = &[
    (
        "000",
        "the U.S. has really little leverage",
        "stance oppose",
    ),
    ("000", "they're very skeptical about this", "stance oppose"),
    (
        "004",
        "the chances of a breakthrough during Kerry's visit are minimal",
        "stance neutral",
    ),
];

/// (document prefix, span text, entity): who is who and what a claim is about, so the
/// discourse network (Review → Network) has statements to draw. "Sergey" and "Sergei" Lavrov
/// are one actor; claims worded differently share a concept.
type EntityLink = (&'static str, &'static str, &'static str);

/// The concepts the sample's claims are about.
const DIPLOMACY: &str = "US diplomacy with Russia will bring results";
const CHANGE_COURSE: &str = "Russia must change course in Syria";
const PRECONDITIONS: &str = "Preconditions before negotiating";

const MARIA_ENTITIES: &[EntityLink] = &[
    ("000", "Michele Kelemen", "Michele Kelemen"),
    ("000", "John Kerry", "John Kerry"),
    ("000", "Sergey Lavrov", "Sergei Lavrov"),
    ("000", "Pentagon officials", "Pentagon"),
    ("000", "the U.S. has really little leverage here", DIPLOMACY),
    ("001", "John Kerry", "John Kerry"),
    ("001", "Kerry", "John Kerry"),
    ("001", "Sergei Lavrov", "Sergei Lavrov"),
    // The disagreement Kelemen reports is `between` Kerry and "the Russians": linked, it is
    // an observed conflict in the network.
    ("001", "the Russians", "Russia"),
    (
        "001",
        "Russia needs to change its targeting in Syria",
        CHANGE_COURSE,
    ),
    (
        "001",
        "everyone should stop demonizing Assad and focus on ISIS",
        CHANGE_COURSE,
    ),
    ("001", "is a road to nowhere", PRECONDITIONS),
    ("002", "Christopher Phillips", "Christopher Phillips"),
    (
        "002",
        "the Russians feel they can ride out any American pressure",
        DIPLOMACY,
    ),
    ("004", "John Kerry", "John Kerry"),
    ("004", "Sergei Lavrov", "Sergei Lavrov"),
    ("004", "Mark Katz", "Mark Katz"),
    (
        "004",
        "the chances of a breakthrough during Kerry's visit are minimal",
        DIPLOMACY,
    ),
];
const SAM_ENTITIES: &[EntityLink] = &[
    ("000", "Michele Kelemen", "Michele Kelemen"),
    ("000", "John Kerry", "John Kerry"),
    ("000", "Sergey Lavrov", "Sergei Lavrov"),
    ("000", "Pentagon officials", "Pentagon"),
    ("000", "the U.S. has really little leverage", DIPLOMACY),
    ("000", "they're very skeptical about this", DIPLOMACY),
    ("001", "Sergei Lavrov", "Sergei Lavrov"),
    ("004", "Mark Katz", "Mark Katz"),
    (
        "004",
        "the chances of a breakthrough during Kerry's visit are minimal",
        DIPLOMACY,
    ),
];

/// The actors' attributes (the schema's `type` and `country`), set in the Entities window.
const ENTITY_ATTRIBUTES: &[(&str, &str, &str)] = &[
    ("John Kerry", "person", "United States"),
    ("Sergei Lavrov", "person", "Russia"),
    ("Michele Kelemen", "person", "United States"),
    ("Christopher Phillips", "person", "United Kingdom"),
    ("Mark Katz", "person", "United States"),
    ("Pentagon", "government", "United States"),
    ("Russia", "government", "Russia"),
];

/// What one annotator does.
struct Work {
    annotator: &'static str,
    spans: &'static [Span],
    links: &'static [Link],
    attributes: &'static [Attribute],
    entities: &'static [EntityLink],
    done: &'static [&'static str],
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/syria-talks");
    // Start from the texts alone: no annotations, no journal or kept copies of an earlier run.
    for dir in ["annotations", ".tagdesk"] {
        let dir = root.join(dir);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("remove the old annotations");
        }
    }
    let registry = root.join("entities.json");
    if registry.exists() {
        std::fs::remove_file(&registry).expect("remove the old entities");
    }
    let work = [
        Work {
            annotator: "maria",
            spans: MARIA,
            links: MARIA_LINKS,
            attributes: MARIA_ATTRIBUTES,
            entities: MARIA_ENTITIES,
            done: &["000", "001", "003"],
        },
        Work {
            annotator: "sam",
            spans: SAM,
            links: SAM_LINKS,
            attributes: SAM_ATTRIBUTES,
            entities: SAM_ENTITIES,
            done: &["000", "004"],
        },
    ];
    for w in &work {
        annotate(&root, w);
    }
    set_entity_attributes(&root);
    println!("Annotated {}", root.display());
}

/// The app on the sample project as `annotator`, its first document open.
fn open(root: &std::path::Path, annotator: &str) -> Harness<'static, App> {
    let options = Options {
        path: Some(root.to_owned()),
        annotator: Some(annotator.to_owned()),
        ..Options::default()
    };
    let mut harness = Harness::builder()
        .with_size(vec2(1280.0, 900.0))
        .build_eframe(move |cc| App::new(cc, options));
    for _ in 0..500 {
        harness.run_steps(1);
        if harness.state().current_document().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    harness
}

/// Sets the actors' attributes through the app's actions, then saves.
fn set_entity_attributes(root: &std::path::Path) {
    let mut harness = open(root, "maria");
    for &(name, kind, country) in ENTITY_ATTRIBUTES {
        let id = harness
            .state()
            .workspace()
            .and_then(|ws| ws.project().entities.called(EntityKind::Actor, name))
            .expect(name)
            .id
            .clone();
        for (attribute, value) in [("type", kind), ("country", country)] {
            harness.state_mut().push_action(Action::SetEntityAttribute {
                id: id.clone(),
                name: attribute.to_owned(),
                value: Some(value.to_owned()),
            });
            harness.run_steps(1);
        }
    }
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_steps(2);
    let ws = harness.state().workspace().expect("workspace");
    assert!(!ws.is_dirty(), "saved");
    assert_eq!(
        ws.project()
            .entities
            .called(EntityKind::Actor, "Russia")
            .map(|e| e.attributes["type"].as_str()),
        Some("government")
    );
}

fn annotate(root: &std::path::Path, work: &Work) {
    let (annotator, spans, done) = (work.annotator, work.spans, work.done);
    let mut harness = open(root, annotator);
    let documents: Vec<String> = harness
        .state()
        .workspace()
        .expect("the sample project opens")
        .project()
        .documents
        .iter()
        .map(|d| d.path.clone())
        .collect();
    for doc in &documents {
        let prefix = &doc[..3];
        harness
            .state_mut()
            .push_action(Action::SelectDocument(doc.clone()));
        harness.run_steps(3);
        let text = std::fs::read_to_string(root.join("sources").join(doc)).expect("source text");
        for &(_, phrase, context, key) in spans.iter().filter(|s| s.0 == prefix) {
            let context_at = if context.is_empty() {
                0
            } else {
                text.find(context).expect(context)
            };
            let byte = context_at + text[context_at..].find(phrase).expect(phrase);
            let start = text[..byte].chars().count();
            let end = start + phrase.chars().count();
            harness.state_mut().push_action(Action::RevealChar(start));
            harness.run_steps(4);
            let from = harness
                .state()
                .caret_screen_pos(start)
                .expect("start visible");
            let to = harness.state().caret_screen_pos(end).expect("end visible");
            harness.drag_at(from + vec2(2.0, 0.0));
            harness.run_steps(1);
            harness.hover_at(to - vec2(2.0, 0.0));
            harness.run_steps(1);
            harness.drop_at(to - vec2(2.0, 0.0));
            harness.run_steps(2);
            assert_eq!(
                harness.state().pending_selection(),
                Some(start..end),
                "{annotator} {doc}: selecting {phrase:?}"
            );
            harness.key_press(key);
            harness.run_steps(2);
        }
        for &(_, from, to) in work.links.iter().filter(|l| l.0 == prefix) {
            let count = |h: &Harness<'_, App>| {
                h.state()
                    .workspace()
                    .and_then(|w| w.layer(doc, annotator))
                    .map_or(0, |l| l.relations().len())
            };
            let before = count(&harness);
            link(&mut harness, doc, annotator, from, to);
            assert_eq!(
                count(&harness),
                before + 1,
                "{annotator} {doc}: linking {from:?} to {to:?}"
            );
        }
        for &(_, span, entry) in work.attributes.iter().filter(|a| a.0 == prefix) {
            select(&mut harness, doc, annotator, span);
            harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::P);
            harness.run_steps(2);
            harness.event(egui::Event::Text(entry.into()));
            harness.run_steps(1);
            harness.key_press(Key::Enter);
            harness.run_steps(2);
        }
        for &(_, span, name) in work.entities.iter().filter(|e| e.0 == prefix) {
            link_entity(&mut harness, doc, annotator, span, name);
        }
        if done.contains(&prefix) {
            harness.key_press_modifiers(Modifiers::COMMAND, Key::D);
            harness.run_steps(2);
        }
    }
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_steps(2);
    let ws = harness.state().workspace().expect("workspace");
    assert!(!ws.is_dirty(), "saved");
    let relations: usize = documents
        .iter()
        .filter_map(|d| ws.layer(d, annotator))
        .map(|l| l.relations().len())
        .sum();
    assert_eq!(
        relations,
        work.links.len(),
        "{annotator}: every relation made"
    );
    let total: usize = documents
        .iter()
        .filter_map(|d| ws.layer(d, annotator))
        .map(tagdesk::core::AnnotationLayer::len)
        .sum();
    assert_eq!(total, spans.len(), "{annotator}: every span made");
    println!("{annotator}: {total} annotations");
}

/// Links the span with this text to the entity of that name, making the entity if it is new —
/// what the Entity field of the selected span does.
fn link_entity(harness: &mut Harness<'_, App>, doc: &str, annotator: &str, span: &str, name: &str) {
    let (id, _) = select(harness, doc, annotator, span);
    let ws = harness.state().workspace().expect("workspace");
    let label = ws
        .layer(doc, annotator)
        .and_then(|l| l.get(&id))
        .expect(span)
        .label
        .clone();
    let kind = EntityKind::for_label(&label);
    let action = match ws.project().entities.called(kind, name) {
        Some(entity) => Action::LinkEntity {
            id: id.clone(),
            entity: Some(entity.id.clone()),
        },
        None => Action::NewEntity {
            id: id.clone(),
            kind,
            name: name.to_owned(),
        },
    };
    harness.state_mut().push_action(action);
    harness.run_steps(2);
    let ws = harness.state().workspace().expect("workspace");
    let linked = ws
        .layer(doc, annotator)
        .and_then(|l| l.get(&id))
        .expect(span)
        .attributes[tagdesk::core::schema::ENTITY_ATTRIBUTE]
        .to_string();
    assert_eq!(
        ws.project().entities.get(&linked).map(|e| e.name.as_str()),
        Some(name),
        "{annotator} {doc}: {span:?} linked to {name:?}"
    );
}

/// Selects the span with this text and shows it.
fn select(
    harness: &mut Harness<'_, App>,
    doc: &str,
    annotator: &str,
    text: &str,
) -> (String, usize) {
    let layer = harness
        .state()
        .workspace()
        .and_then(|w| w.layer(doc, annotator))
        .expect("layer");
    let span = layer
        .annotations()
        .iter()
        .find(|a| a.text == text)
        .expect(text);
    let (id, start) = (span.id.clone(), span.start);
    harness
        .state_mut()
        .push_action(Action::SelectAnnotation(Some(id.to_string())));
    harness.state_mut().push_action(Action::RevealChar(start));
    harness.run_steps(4);
    (id.to_string(), start)
}

/// R on the source span, then a click on the target span: the way a user links two spans.
fn link(harness: &mut Harness<'_, App>, doc: &str, annotator: &str, from: &str, to: &str) {
    select(harness, doc, annotator, from);
    let layer = harness
        .state()
        .workspace()
        .and_then(|w| w.layer(doc, annotator))
        .expect("layer");
    let target = layer.annotations().iter().find(|a| a.text == to).expect(to);
    // Click inside the target, away from any span nested in it.
    let (at, target_id) = (target.start + 1, target.id.clone());
    harness.key_press(Key::R);
    harness.run_steps(1);
    if let Some(pos) = harness.state().char_screen_pos(at) {
        harness.hover_at(pos);
        harness.drag_at(pos);
        harness.run_steps(1);
        harness.drop_at(pos);
    } else {
        // Off screen: Tab through the spans to it, then Enter.
        for _ in 0..200 {
            if harness.state().link_target() == Some(target_id.as_str()) {
                break;
            }
            harness.key_press(Key::Tab);
            harness.run_steps(1);
        }
        harness.key_press(Key::Enter);
    }
    harness.run_steps(3);
}
