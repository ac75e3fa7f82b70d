//! Data safety at the edges (issue 31): an export never writes into a project, a window that
//! does not hold an annotator never writes for them, a torn journal loses nothing after it, and
//! a command never claims success after a failure. Disk-full cases run through the fault layer
//! under the project's writes (`tagdesk::core::faults`, `TAGDESK_INJECT_FAULT` for the binary).

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use tagdesk::core::faults::{self, Fault, Plan};
use tagdesk::core::{LayerKey, Workspace};

use crate::support::{layers_summary, project_with};

fn tagdesk(args: &[&str], fault: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tagdesk"));
    command.args(args);
    if let Some(fault) = fault {
        command.env("TAGDESK_INJECT_FAULT", fault);
    }
    command.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A plain-folder project (its sources are its own folder) with one document annotated by two
/// annotators: what turned an export into the project into new documents.
fn two_annotators() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = project_with(&[("news.txt", b"John Kerry met Sergey Lavrov in Geneva.")]);
    let mut ws = Workspace::open(&root).unwrap();
    ws.add_span("news.txt", "nadia", 0..10, "actor").unwrap();
    ws.add_span("news.txt", "sam", 15..28, "actor").unwrap();
    assert!(ws.save().errors.is_empty());
    (dir, root)
}

/// Every file under `root` with its bytes (to show nothing changed).
fn snapshot(root: &Path) -> Vec<(String, Vec<u8>)> {
    crate::support::files_under(root)
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            (rel, std::fs::read(&path).unwrap())
        })
        .collect()
}

#[test]
fn an_export_into_the_project_or_its_sources_is_refused_and_changes_nothing() {
    let (dir, root) = two_annotators();
    let before = snapshot(&root);
    let sub = root.join("exports");
    let sneaky = dir.path().join("proj/../proj/brat");
    for (format, out) in [
        ("brat", root.as_path()),
        ("brat", sub.as_path()),
        ("brat", sneaky.as_path()),
        ("jsonl", &root.join("out.jsonl")),
        ("conll", &root.join("news.conll")),
    ] {
        let result = tagdesk(
            &["export", s(&root), "--format", format, "-o", s(out)],
            None,
        );
        assert_eq!(result.status.code(), Some(1), "{format} {}", out.display());
        let message = stderr(&result);
        assert!(message.contains("inside the project folder"), "{message}");
        assert!(message.contains("Choose a place outside it"), "{message}");
        assert!(!message.contains("Exported"), "no success line: {message}");
    }
    assert_eq!(snapshot(&root), before, "nothing in the project changed");
    let stats = tagdesk(&["stats", s(&root), "--json"], None);
    let json: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(json["documents"], 1, "{json}");
    // Beside the project it works.
    let beside = dir.path().join("proj-brat");
    let result = tagdesk(
        &["export", s(&root), "--format", "brat", "-o", s(&beside)],
        None,
    );
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(beside.join("nadia/news.ann").is_file());
}

#[test]
fn a_source_folder_outside_the_project_is_protected_too() {
    let dir = tempfile::tempdir().unwrap();
    let sources = dir.path().join("texts");
    std::fs::create_dir_all(&sources).unwrap();
    std::fs::write(sources.join("a.txt"), "John Kerry").unwrap();
    let root = dir.path().join("proj");
    tagdesk::core::Project::init(&root, Some(&sources), None).unwrap();
    let out = tagdesk(
        &["export", s(&root), "--format", "brat", "-o", s(&sources)],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("source folder"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&sources).unwrap().count(), 1);
}

#[test]
fn a_failed_folder_export_leaves_nothing_behind_and_says_no_success() {
    let (dir, root) = two_annotators();
    let out_dir = dir.path().join("brat-out");
    let out = tagdesk(
        &["export", s(&root), "--format", "brat", "-o", s(&out_dir)],
        Some("nospace@1+"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("No space left"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("Exported"), "{}", stderr(&out));
    assert!(!out_dir.exists(), "the folder it made is gone");
    // A folder that was there stays, as it was.
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("keep.txt"), "mine").unwrap();
    let out = tagdesk(
        &["export", s(&root), "--format", "brat", "-o", s(&out_dir)],
        Some("short@2"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        snapshot(&out_dir),
        [("keep.txt".to_owned(), b"mine".to_vec())]
    );
}

#[test]
fn an_import_onto_a_full_disk_prints_no_success_line() {
    let (dir, root) = two_annotators();
    let brat = dir.path().join("in");
    std::fs::create_dir_all(&brat).unwrap();
    std::fs::write(
        brat.join("news.txt"),
        "John Kerry met Sergey Lavrov in Geneva.",
    )
    .unwrap();
    std::fs::write(brat.join("news.ann"), "T1\tactor 32 38\tGeneva\n").unwrap();
    let before = snapshot(&root);
    let out = tagdesk(
        &[
            "import",
            s(&root),
            "--format",
            "brat",
            "--annotator",
            "omar",
            s(&brat),
        ],
        Some("nospace@1+"),
    );
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(!message.contains("Imported"), "{message}");
    assert!(message.contains("nothing was imported"), "{message}");
    assert_eq!(snapshot(&root), before);
}

#[test]
fn reports_on_a_project_with_an_unreadable_annotation_file_fail_unless_told_to_skip() {
    let (_dir, root) = two_annotators();
    let file = root.join("annotations/sam/news.txt.json");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap(); // truncated
    let commands: [&[&str]; 4] = [
        &["stats"],
        &["export", "--format", "jsonl"],
        &["agree"],
        &["network", "--annotator", "nadia", "--format", "edges"],
    ];
    for args in commands {
        let mut full = vec![args[0], s(&root)];
        full.extend_from_slice(&args[1..]);
        let out = tagdesk(&full, None);
        let message = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{full:?}: {message}");
        assert!(
            message.contains("news.txt.json") && message.contains("--skip-broken"),
            "{full:?} names the file and the way out: {message}"
        );
        assert!(out.stdout.is_empty(), "{full:?} wrote nothing");
        full.push("--skip-broken");
        let out = tagdesk(&full, None);
        let message = stderr(&out);
        if args[0] == "agree" {
            // Only one readable annotator is left: agreement says why it cannot run.
            assert!(message.contains("left out"), "{message}");
        } else {
            assert_eq!(out.status.code(), Some(0), "{full:?}: {message}");
            assert!(message.contains("left out (--skip-broken)"), "{message}");
        }
    }
}

/// An export to a file reads each document's layers as it goes (not the project first): an
/// unreadable file found on the way still fails it, names the file, and writes nothing.
#[test]
fn an_export_to_a_file_that_meets_an_unreadable_layer_writes_nothing_unless_told_to_skip() {
    let (dir, root) = two_annotators();
    let file = root.join("annotations/sam/news.txt.json");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap(); // truncated
    let out_file = dir.path().join("out.jsonl");
    let export = |skip: bool| {
        let mut args = vec!["export", s(&root), "--format", "jsonl", "-o", s(&out_file)];
        if skip {
            args.push("--skip-broken");
        }
        tagdesk(&args, None)
    };
    let failed = export(false);
    let message = stderr(&failed);
    assert_eq!(failed.status.code(), Some(1), "{message}");
    assert!(message.contains("news.txt.json"), "{message}");
    assert!(message.contains("--skip-broken"), "{message}");
    assert!(!message.contains("Exported"), "no success line: {message}");
    assert!(!out_file.exists(), "nothing written");
    let skipped = export(true);
    let message = stderr(&skipped);
    assert_eq!(skipped.status.code(), Some(0), "{message}");
    assert!(message.contains("left out (--skip-broken)"), "{message}");
    let written = std::fs::read_to_string(&out_file).unwrap();
    assert!(written.contains("\"nadia\""), "{written}");
    assert!(!written.contains("\"sam\""), "{written}");
}

/// Adds one span per word of `text` (as "add" lines would), returning their extents.
fn words(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.chars().chain(std::iter::once(' ')).enumerate() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    out
}

const TEXT: &str = "Kerry met Lavrov in Geneva and they said the talks on Syria \
                    went well though the ceasefire was not agreed by anyone there yet";

/// A workspace that made `n` edits with a fault armed as `plan` under its project, then
/// "crashed" (dropped without saving); what reopening recovers, against what it showed.
fn edits_through_a_fault(
    plan: Plan,
    n: usize,
    save_at: Option<usize>,
) -> (Vec<String>, Vec<String>) {
    let (_dir, root) = project_with(&[("a.txt", TEXT.as_bytes())]);
    let extents = words(TEXT);
    let shown = {
        let mut ws = Workspace::open(&root).unwrap();
        let armed = faults::arm(&root, plan);
        for (i, extent) in extents.iter().take(n).enumerate() {
            ws.add_span("a.txt", "ana", extent.clone(), "actor")
                .unwrap();
            if save_at == Some(i) {
                let _ = ws.save();
            }
        }
        drop(armed);
        // One more edit once the disk has room again: the journal catches up.
        ws.add_span("a.txt", "ana", extents[n].clone(), "claim")
            .unwrap();
        ws.finish_journal();
        assert!(
            ws.journal_error().is_none(),
            "the warning clears once the journal writes again: {:?}",
            ws.journal_error()
        );
        let shown = layers_summary(&ws);
        std::mem::forget(ws); // a crash: nothing saved on the way out
        shown
    };
    let mut reopened = Workspace::open(&root).unwrap();
    reopened.recover();
    (shown, layers_summary(&reopened))
}

#[test]
fn a_journal_append_cut_short_by_a_full_disk_loses_no_edit_after_it() {
    // The case: 18 edits, the disk full in the middle; the next append is glued onto
    // the cut one. Every edit shown is recovered.
    for fault in [Fault::Short, Fault::NoSpace, Fault::Io] {
        let (shown, recovered) = edits_through_a_fault(
            Plan {
                fault,
                at: 9,
                persistent: false,
            },
            17,
            None,
        );
        assert_eq!(shown.len(), 18);
        assert_eq!(recovered, shown, "{fault:?}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(40))]
    /// Whatever write fails — a journal record, a save's file, a checkpoint — and however, once
    /// the disk has room again every edit that was shown is on disk after a crash.
    #[test]
    fn after_any_failed_write_every_edit_shown_survives_a_crash(
        at in 1usize..30,
        fault in 0usize..3,
        stays_full_for in 0usize..4,
        n in 3usize..14,
        save_at in proptest::option::of(0usize..14),
    ) {
        let fault = [Fault::Short, Fault::NoSpace, Fault::Io][fault];
        let plan = Plan { fault, at, persistent: stays_full_for > 0 };
        let (shown, recovered) = edits_through_a_fault(plan, n, save_at);
        proptest::prop_assert_eq!(recovered, shown);
    }
}

#[test]
fn take_theirs_keeps_the_dropped_edits_where_the_status_bar_says() {
    let (_dir, root) = project_with(&[("a.txt", TEXT.as_bytes())]);
    let key = LayerKey::new("a.txt", "ana");
    let mut ws = Workspace::open(&root).unwrap();
    ws.add_span("a.txt", "ana", 0..5, "actor").unwrap();
    assert!(ws.save().errors.is_empty());
    ws.add_span("a.txt", "ana", 10..16, "actor").unwrap(); // unsaved: Lavrov
    let file = root.join("annotations/ana/a.txt.json");
    let theirs = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"actor\"", "\"claim\"");
    std::fs::write(&file, theirs).unwrap();
    let report = ws.sync_from_disk(std::slice::from_ref(&file));
    assert_eq!(report.conflicts, std::slice::from_ref(&key));
    let kept = ws
        .resolve_conflict(&key, tagdesk::core::workspace::Resolution::TakeTheirs)
        .unwrap()
        .unwrap();
    assert!(kept.starts_with(root.join(".tagdesk/conflicts")));
    assert!(std::fs::read_to_string(&kept).unwrap().contains("Lavrov"));
}

/// A second process annotating as `annotator`: `tagdesk script` holds the annotator's lock
/// as a window does and journals each edit; it acknowledges each on stdout.
fn live_session(root: &Path, annotator: &str, lines: usize) -> std::process::Child {
    let script = root.join(".script.txt");
    let mut body = String::new();
    for w in words(TEXT).iter().take(lines) {
        writeln!(body, "add a.txt {} {} actor", w.start, w.end).unwrap();
    }
    std::fs::write(&script, body).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args(["script", s(root), s(&script), "--annotator", annotator])
        .args(["--delay-ms", "60000"]) // one edit, then a long pause: alive, unsaved
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first.trim(), "ack 1", "the live session journaled an edit");
    child
}

#[test]
fn a_workspace_beside_a_live_session_neither_replays_nor_touches_its_journal() {
    let (_dir, root) = project_with(&[("a.txt", TEXT.as_bytes())]);
    let mut live = live_session(&root, "ana", 5);
    let journal = root.join(".tagdesk/journal/ana/a.txt.jsonl");
    let bytes = std::fs::read(&journal).unwrap();
    let mut ws = Workspace::open(&root).unwrap();
    let report = ws.recover();
    assert!(
        report
            .iter()
            .any(|l| l.contains("ana is being annotated in the tagdesk of process")),
        "{report:?}"
    );
    assert!(!ws.is_dirty(), "nothing replayed");
    assert!(ws.save().errors.is_empty());
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        bytes,
        "its journal untouched"
    );
    assert!(
        !root.join("annotations/ana/a.txt.json").exists(),
        "nothing written"
    );
    live.kill().unwrap();
    live.wait().unwrap();
    // Gone without saving: now its journal is for whoever opens the project next.
    let mut ws = Workspace::open(&root).unwrap();
    let report = ws.recover();
    assert!(
        report
            .iter()
            .any(|l| l.contains("unsaved edits from a session that ended without saving")),
        "{report:?}"
    );
    assert_eq!(
        ws.layer("a.txt", "ana").unwrap().annotations()[0]
            .text
            .as_str(),
        "Kerry"
    );
}
