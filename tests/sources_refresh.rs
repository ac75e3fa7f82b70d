//! Sources converted again (`tagdesk sources refresh`): an unchanged original gives the same
//! text and every span stays exactly; a changed one gives the new text, the old is kept and the
//! spans follow through re-anchoring; a missing original or a vanished article is named and left
//! as it is; a failure midway leaves everything as it was.

use std::path::{Path, PathBuf};
use std::process::Command;

use tagdesk::core::Workspace;
use tagdesk::core::faults::{self, Fault, Plan};
use tagdesk::formats::sources::{self, Refreshed, Why};

use crate::support::{project_with, testdata};

fn tagdesk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args(args)
        .output()
        .unwrap()
}

/// A new project and, beside it (not inside), a folder of originals holding these files.
fn project_and_originals(files: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, root) = project_with(&[("placeholder.txt", b"a first document\n")]);
    let originals = dir.path().join("downloads");
    std::fs::create_dir_all(&originals).unwrap();
    for (name, bytes) in files {
        std::fs::write(originals.join(name), bytes).unwrap();
    }
    (dir, root, originals)
}

fn add(root: &Path, files: &[PathBuf]) {
    let plan = sources::plan(files).unwrap();
    let mut ws = Workspace::open(root).unwrap();
    sources::add(&mut ws, &plan, true).unwrap();
}

/// Tags every occurrence of these words in the document; the spans as (start, end, label, text).
fn tag(root: &Path, document: &str, words: &[&str]) -> Vec<(usize, usize, String, String)> {
    let mut ws = Workspace::open(root).unwrap();
    let text = ws.text(document).unwrap().text.as_str().to_owned();
    for word in words {
        for (byte, _) in text.match_indices(word) {
            let start = text[..byte].chars().count();
            let end = start + word.chars().count();
            ws.add_span(document, "ana", start..end, "actor").unwrap();
        }
    }
    assert!(ws.save().errors.is_empty());
    spans(root, document)
}

fn spans(root: &Path, document: &str) -> Vec<(usize, usize, String, String)> {
    let mut ws = Workspace::open(root).unwrap();
    let text = ws.text(document).unwrap();
    let chars: Vec<char> = text.text.as_str().chars().collect();
    let mut out: Vec<_> = ws
        .layer(document, "ana")
        .unwrap()
        .annotations()
        .iter()
        .map(|a| {
            (
                a.start,
                a.end,
                a.label.to_string(),
                chars[a.start..a.end].iter().collect::<String>(),
            )
        })
        .collect();
    out.sort();
    out
}

fn refresh(root: &Path, force: bool) -> Vec<sources::Refresh> {
    let ws = Workspace::open(root).unwrap();
    sources::RefreshInput::of(ws.project(), force).run()
}

#[test]
fn spans_on_a_converted_document_survive_reconversion_of_an_unchanged_original_exactly() {
    let docx = std::fs::read(testdata().join("sources/english.docx")).unwrap();
    let batch = std::fs::read(testdata().join("nexis/sample.DOCX")).unwrap();
    let (_dir, root, originals) =
        project_and_originals(&[("english.docx", &docx), ("batch.docx", &batch)]);
    add(
        &root,
        &[originals.join("english.docx"), originals.join("batch.docx")],
    );
    let before_text = std::fs::read(root.join("english.txt")).unwrap();
    let before = tag(&root, "english.txt", &["Kerry", "Lavrov", "Geneva"]);
    let before_batch = tag(&root, "batch-03.txt", &["Lorem", "ipsum"]);
    assert!(before.len() > 5 && before_batch.len() > 2);
    // Nothing changed: nothing to do.
    let looked = refresh(&root, false);
    assert_eq!(looked.len(), 11, "the docx and the batch's ten articles");
    assert!(
        looked.iter().all(|r| r.outcome == Refreshed::Current),
        "{looked:?}"
    );
    // Converted again anyway: the same text, so the spans stay where they are, exactly.
    let forced = refresh(&root, true);
    assert!(forced.iter().all(|r| r.why == Some(Why::Asked)));
    assert!(
        forced.iter().all(|r| r.outcome == Refreshed::SameText),
        "{forced:?}"
    );
    let mut ws = Workspace::open(&root).unwrap();
    let applied = sources::refresh::apply(&mut ws, forced).unwrap();
    assert!(applied.reconverted.is_empty());
    assert_eq!(applied.same, 11);
    assert!(applied.kept.is_empty());
    drop(ws);
    assert_eq!(
        std::fs::read(root.join("english.txt")).unwrap(),
        before_text
    );
    assert_eq!(spans(&root, "english.txt"), before);
    assert_eq!(spans(&root, "batch-03.txt"), before_batch);
    // And through the CLI.
    let out = tagdesk(&["sources", "refresh", root.to_str().unwrap(), "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("0 documents took a new text, 11 the same text")
    );
    assert_eq!(spans(&root, "english.txt"), before);
}

const BEFORE: &str = "<html><body><h1>Talks in Geneva</h1>\
    <p>Lavrov met Kerry in Geneva on Friday.</p>\
    <p>Both spoke of a ceasefire in Syria.</p></body></html>";

const AFTER: &str = "<html><body><h1>Talks in Geneva</h1>\
    <p>Updated: the talks ran late.</p>\
    <p>Lavrov met Kerry in Geneva on Friday.</p>\
    <p>Both spoke of a ceasefire in Syria.</p></body></html>";

#[test]
fn a_changed_original_gives_the_new_text_keeps_the_old_and_the_spans_follow() {
    let (_dir, root, originals) = project_and_originals(&[("talks.html", BEFORE.as_bytes())]);
    add(&root, &[originals.join("talks.html")]);
    let meta = Workspace::open(&root)
        .unwrap()
        .project()
        .metadata
        .get("talks.txt")
        .unwrap()
        .clone();
    assert!(
        Path::new(&meta.extra["original"]).is_absolute(),
        "an original outside the project is recorded by its whole path"
    );
    let before = tag(&root, "talks.txt", &["Kerry", "Syria"]);
    let old_text = std::fs::read(root.join("talks.txt")).unwrap();
    std::fs::write(originals.join("talks.html"), AFTER).unwrap();
    // --dry-run says what would happen and writes nothing.
    let dry = tagdesk(&["sources", "refresh", root.to_str().unwrap(), "--dry-run"]);
    assert!(dry.status.success());
    let said = String::from_utf8_lossy(&dry.stdout);
    assert!(
        said.contains("talks.txt (the original changed): a new text"),
        "{said}"
    );
    assert!(said.contains("would be converted again"), "{said}");
    assert_eq!(std::fs::read(root.join("talks.txt")).unwrap(), old_text);
    // Applied: the new text, the old one kept, the spans moved onto the same words.
    let out = tagdesk(&["sources", "refresh", root.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    let notes = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}{notes}");
    assert!(notes.contains("spans re-anchored"), "{notes}");
    assert!(said.contains("1 documents took a new text"), "{said}");
    let text = std::fs::read_to_string(root.join("talks.txt")).unwrap();
    assert!(text.contains("Updated: the talks ran late."), "{text}");
    let after = spans(&root, "talks.txt");
    assert_eq!(after.len(), before.len());
    for (a, b) in after.iter().zip(&before) {
        assert_eq!((&a.2, &a.3), (&b.2, &b.3), "the same word, the same label");
        assert!(a.0 > b.0, "moved down by the new paragraph");
    }
    let kept: Vec<_> = std::fs::read_dir(root.join(".tagdesk/replaced"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        std::fs::read(&kept[0]).unwrap(),
        old_text,
        "the old text is kept"
    );
    // The record now names the new original: nothing more to do.
    assert!(
        refresh(&root, false)
            .iter()
            .all(|r| r.outcome == Refreshed::Current)
    );
}

#[test]
fn a_missing_original_or_a_vanished_article_is_named_and_left_as_it_is() {
    let batch = std::fs::read(testdata().join("nexis/sample.TXT")).unwrap();
    let (_dir, root, originals) =
        project_and_originals(&[("batch.txt", &batch), ("talks.html", BEFORE.as_bytes())]);
    add(
        &root,
        &[originals.join("batch.txt"), originals.join("talks.html")],
    );
    let texts_before: Vec<_> = (1..=10)
        .map(|i| std::fs::read(root.join(format!("batch-{i:02}.txt"))).unwrap())
        .collect();
    std::fs::remove_file(originals.join("talks.html")).unwrap();
    // The batch delivered again without its eighth article (the only one with its headline).
    let text = String::from_utf8(batch).unwrap();
    let eighth = text.find("8 of 383 DOCUMENTS").unwrap();
    let ninth = text.find("9 of 10 DOCUMENTS").unwrap();
    let (eighth, ninth) = (
        text[..eighth].rfind('\n').unwrap(),
        text[..ninth].rfind('\n').unwrap(),
    );
    let without = format!("{}{}", &text[..eighth], &text[ninth..]);
    std::fs::write(originals.join("batch.txt"), &without).unwrap();
    let looked = refresh(&root, false);
    let talks = looked.iter().find(|r| r.document == "talks.txt").unwrap();
    assert!(
        matches!(&talks.outcome, Refreshed::Skipped(why) if why.contains("talks.html") && why.contains("not there")),
        "{talks:?}"
    );
    let gone = looked
        .iter()
        .find(|r| r.document == "batch-08.txt")
        .unwrap();
    assert!(
        matches!(&gone.outcome, Refreshed::Skipped(why) if why.contains("no longer in the batch")),
        "{gone:?}"
    );
    let out = tagdesk(&["sources", "refresh", root.to_str().unwrap()]);
    assert!(!out.status.success(), "the user is told some were left");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("2 documents could not be converted again"),
        "{said}"
    );
    // The other articles are found again by their headlines: same texts, nothing lost.
    for (i, before) in texts_before.iter().enumerate() {
        let looked_at = &looked[i];
        assert!(
            i == 7 || looked_at.outcome == Refreshed::SameText,
            "{looked_at:?}"
        );
        assert_eq!(
            &std::fs::read(root.join(format!("batch-{:02}.txt", i + 1))).unwrap(),
            before
        );
    }
}

#[test]
fn a_failure_midway_leaves_every_text_and_the_metadata_as_they_were() {
    let (_dir, root, originals) = project_and_originals(&[
        ("one.html", BEFORE.as_bytes()),
        ("two.html", BEFORE.as_bytes()),
    ]);
    add(
        &root,
        &[originals.join("one.html"), originals.join("two.html")],
    );
    std::fs::write(originals.join("one.html"), AFTER).unwrap();
    std::fs::write(originals.join("two.html"), AFTER).unwrap();
    let texts = |root: &Path| {
        ["one.txt", "two.txt", "metadata.json"].map(|f| std::fs::read(root.join(f)).unwrap())
    };
    let before = texts(&root);
    // Writes: kept copy 1, text 1, kept copy 2, text 2, metadata — each one failing in turn.
    for (at, fault) in [
        (1, Fault::NoSpace),
        (2, Fault::Short),
        (4, Fault::Io),
        (5, Fault::NoSpace),
    ] {
        let mut ws = Workspace::open(&root).unwrap();
        let plan = sources::RefreshInput::of(ws.project(), false).run();
        assert_eq!(plan.iter().filter(|r| r.changes()).count(), 2);
        let armed = faults::arm(
            &root,
            Plan {
                fault,
                at,
                persistent: false,
            },
        );
        let result = sources::refresh::apply(&mut ws, plan);
        drop(armed);
        let err = result.expect_err("the injected fault fails the refresh");
        assert!(err.contains("nothing was converted again"), "{at}: {err}");
        assert_eq!(texts(&root), before, "{at}: everything as it was");
        assert!(
            std::fs::read_dir(root.join(".tagdesk/replaced")).map_or(0, Iterator::count) == 0,
            "{at}: no kept copy of a text that was not replaced"
        );
    }
}
