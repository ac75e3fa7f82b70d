//! Crash safety, with the real binary: a scripted series of edits is killed with SIGKILL at random
//! moments, restarted, and every acknowledged edit must be there — many times over.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use tagdesk::core::Workspace;

use crate::support::project_with;

/// The spans the workspace holds for `ana` on `a.txt`, after replaying any journal.
fn spans_after_recovery(root: &std::path::Path) -> BTreeSet<(usize, usize, String)> {
    let mut ws = Workspace::open(root).unwrap();
    ws.recover();
    ws.layer("a.txt", "ana")
        .map(|l| {
            l.annotations()
                .iter()
                .map(|a| (a.start, a.end, a.label.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn nothing_acknowledged_is_lost_to_sigkill_at_random_moments() {
    let words: Vec<String> = (0..400).map(|i| format!("word{i:03}")).collect();
    let text = words.join(" ");
    let (_dir, root) = project_with(&[("a.txt", text.as_bytes())]);
    // One span per word, each label in turn: 120 edits.
    let labels = ["actor", "claim", "disagreement"];
    let lines: Vec<(usize, usize, String)> = (0..120)
        .map(|i| (i * 8, i * 8 + 7, labels[i % 3].to_owned()))
        .collect();
    let script = root.join("script.txt");
    let mut body = String::new();
    for (s, e, l) in &lines {
        writeln!(body, "add a.txt {s} {e} {l}").unwrap();
    }
    std::fs::write(&script, body).unwrap();

    let mut rng = fastrand::Rng::with_seed(42);
    let mut acked = 0usize;
    let mut kills = 0;
    while acked < lines.len() {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .args([
                "script",
                root.to_str().unwrap(),
                script.to_str().unwrap(),
                "--annotator",
                "ana",
            ])
            .args([
                "--from",
                &(acked + 1).to_string(),
                "--save-every",
                "13",
                "--delay-ms",
                "5",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("ack ").and_then(|n| n.parse::<usize>().ok()))
                .max()
        });
        // Kill at a random moment until the last few lines; then let it finish.
        let finish = acked + 10 >= lines.len();
        if !finish {
            std::thread::sleep(Duration::from_millis(rng.u64(5..60)));
            child.kill().unwrap(); // SIGKILL on Unix
            kills += 1;
        }
        child.wait().unwrap();
        if let Some(last) = reader.join().unwrap() {
            acked = acked.max(last);
        }
        // Every acknowledged edit is there after a restart, nothing twice.
        let present = spans_after_recovery(&root);
        for line in &lines[..acked] {
            assert!(
                present.contains(line),
                "acknowledged {line:?} lost after {kills} kills"
            );
        }
        assert!(
            present.len() <= acked + 1,
            "at most the one edit in flight beyond the acknowledged"
        );
    }
    assert!(
        kills >= 8,
        "the test killed the process at random moments ({kills} times)"
    );
    let all: BTreeSet<_> = lines.into_iter().collect();
    assert_eq!(spans_after_recovery(&root), all);
}

/// A project of `n` documents and a brat folder annotating each of them once.
fn project_and_brat(n: usize) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let texts: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                format!("d{i:02}.txt"),
                format!("Kerry met Lavrov in Geneva, day {i}."),
            )
        })
        .collect();
    let files: Vec<(&str, &[u8])> = texts
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_bytes()))
        .collect();
    let (dir, root) = project_with(&files);
    let brat = dir.path().join("brat");
    std::fs::create_dir_all(&brat).unwrap();
    for (name, text) in &texts {
        std::fs::write(brat.join(name), text).unwrap();
        std::fs::write(
            brat.join(name.replace(".txt", ".ann")),
            "T1\tactor 0 5\tKerry\nT2\tactor 10 16\tLavrov\n",
        )
        .unwrap();
    }
    (dir, root, brat)
}

fn import(root: &std::path::Path, brat: &std::path::Path, crash_after: Option<&str>) -> bool {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tagdesk"));
    cmd.args(["import", root.to_str().unwrap(), "--format", "brat"])
        .args(["--annotator", "ana", "--add-labels", brat.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(point) = crash_after {
        cmd.env("TAGDESK_TEST_CRASH_AFTER", point);
    }
    cmd.status().unwrap().success()
}

/// How many of `ana`'s layers hold the two imported spans, after opening (which finishes an
/// interrupted commit); and what opening said.
fn imported_layers(root: &std::path::Path) -> (usize, Vec<String>) {
    let ws = Workspace::open(root).unwrap();
    let n = ws
        .project()
        .layers
        .iter()
        .filter(|(k, l)| k.annotator == "ana" && l.annotations().len() == 2)
        .count();
    (n, ws.project().warnings.clone())
}

/// An import of many documents is one commit: a crash at any point of it leaves, once the
/// project is opened again, all of its layers or none — never some.
#[test]
fn a_many_layer_import_is_all_or_nothing_across_a_crash() {
    const N: usize = 20;
    // A new annotator's folder goes into place by one rename; into a folder that is there,
    // the files go one by one.
    for (point, expected, folder_there) in [
        ("staged", 0, false),
        ("recorded", N, false),
        ("renamed:1", N, false),
        ("staged", 0, true),
        ("recorded", N, true),
        ("renamed:1", N, true),
        ("renamed:13", N, true),
        ("renamed:20", N, true),
    ] {
        let (_dir, root, brat) = project_and_brat(N);
        if folder_there {
            std::fs::create_dir_all(root.join("annotations/ana")).unwrap();
        }
        assert!(
            !import(&root, &brat, Some(point)),
            "{point}: the process crashed"
        );
        let (n, warnings) = imported_layers(&root);
        assert_eq!(
            n, expected,
            "{point}: layers after reopening ({warnings:?})"
        );
        if point != "staged"
            && point != "renamed:20"
            // A new folder's one rename done: nothing was left to finish.
            && (folder_there || point != "renamed:1")
        {
            assert!(
                warnings.iter().any(|w| w.contains("finished saving")),
                "{point}: opening says it finished the save: {warnings:?}"
            );
        }
        // Nothing left to finish; opening again changes nothing.
        let commits = root.join(".tagdesk/commits");
        assert_eq!(
            std::fs::read_dir(&commits).map_or(0, Iterator::count),
            0,
            "{point}"
        );
        assert_eq!(imported_layers(&root).0, expected, "{point}: stable");
        // And the import can be done (again) in full.
        if expected == 0 {
            assert!(import(&root, &brat, None));
            assert_eq!(imported_layers(&root).0, N);
        }
    }
}

/// A file someone else changed between the crash and the next open is not replaced by the
/// interrupted save: theirs stays, ours is kept aside, and opening says so.
#[test]
fn finishing_an_interrupted_commit_never_overwrites_a_file_changed_since() {
    let (_dir, root, brat) = project_and_brat(12);
    assert!(!import(&root, &brat, Some("recorded")));
    // Someone else writes one of the files the commit was about to put in place.
    let theirs = root.join("annotations/ana/d03.txt.json");
    std::fs::create_dir_all(theirs.parent().unwrap()).unwrap();
    let layer = tagdesk::core::AnnotationLayer::new("d03.txt", "ana");
    let json = tagdesk::core::project::layer_to_json(&layer);
    std::fs::write(&theirs, &json).unwrap();
    let (n, warnings) = imported_layers(&root);
    assert_eq!(n, 11, "every other layer is in place");
    assert_eq!(
        std::fs::read_to_string(&theirs).unwrap(),
        json,
        "theirs stays"
    );
    let said = warnings.join("\n");
    assert!(said.contains("kept aside"), "{said}");
    let aside: Vec<_> = std::fs::read_dir(root.join(".tagdesk/conflicts"))
        .unwrap()
        .filter_map(Result::ok)
        .collect();
    assert_eq!(aside.len(), 1);
    let kept = std::fs::read_to_string(aside[0].path()).unwrap();
    assert!(
        kept.contains("Kerry") || kept.contains("\"start\": 0"),
        "ours is kept: {kept}"
    );
}

/// `tagdesk import --annotator` opens only that annotator's layers: another annotator's unsaved
/// edits (a crashed session's journal) are neither replayed into the import nor set aside, and
/// come back whole when the project is opened as usual.
#[test]
fn an_import_for_one_annotator_leaves_the_others_journals_alone() {
    let (_dir, root, brat) = project_and_brat(10);
    {
        let mut ws = Workspace::open(&root).unwrap();
        ws.add_span("d01.txt", "eve", 0..5, "actor").unwrap();
        ws.save();
        ws.add_span("d01.txt", "eve", 10..16, "actor").unwrap();
        // The session "dies": eve's second span is only in the journal.
    }
    assert!(import(&root, &brat, None), "ana's import");
    let mut ws = Workspace::open(&root).unwrap();
    let said = ws.recover();
    assert!(
        said.iter().all(|s| !s.contains("not replayed")),
        "eve's journal was not set aside: {said:?}"
    );
    assert_eq!(ws.layer("d01.txt", "eve").unwrap().annotations().len(), 2);
    assert_eq!(imported_layers(&root).0, 10);
}
