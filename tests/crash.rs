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
