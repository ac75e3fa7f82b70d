//! Annotates the sample project (`projects/syria-talks`) through the app itself: for each span
//! it scrolls to the phrase, drags over it with the pointer, and presses the label's key, then
//! saves with Ctrl+S — the same input path a user takes. Two annotators, who agree on most
//! actors and differ on some claims, so review has something to show.
//!
//! `cargo run --example annotate_sample` (rewrites `projects/syria-talks/annotations/`).

#![allow(clippy::expect_used, clippy::unwrap_used)] // A generator: stop loudly on any surprise.

use egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
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

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/syria-talks");
    let annotations = root.join("annotations");
    if annotations.exists() {
        std::fs::remove_dir_all(&annotations).expect("remove the old annotations");
    }
    for (annotator, spans, done) in [
        ("maria", MARIA, &["000", "001", "003"][..]),
        ("sam", SAM, &["000", "004"][..]),
    ] {
        annotate(&root, annotator, spans, done);
    }
    println!("Annotated {}", root.display());
}

fn annotate(root: &std::path::Path, annotator: &str, spans: &[Span], done: &[&str]) {
    let options = Options {
        path: Some(root.to_owned()),
        annotator: Some(annotator.to_owned()),
        ..Options::default()
    };
    let mut harness = Harness::builder()
        .with_size(vec2(1280.0, 900.0))
        .build_eframe(move |cc| App::new(cc, options));
    harness.run_steps(4);
    let documents: Vec<String> = harness
        .state()
        .workspace()
        .expect("the sample project opens")
        .project
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
        if done.contains(&prefix) {
            harness.key_press_modifiers(Modifiers::COMMAND, Key::D);
            harness.run_steps(2);
        }
    }
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_steps(2);
    let ws = harness.state().workspace().expect("workspace");
    assert!(!ws.is_dirty(), "saved");
    let total: usize = documents
        .iter()
        .filter_map(|d| ws.layer(d, annotator))
        .map(tagdesk::core::AnnotationLayer::len)
        .sum();
    assert_eq!(total, spans.len(), "{annotator}: every span made");
    println!("{annotator}: {total} annotations");
}
