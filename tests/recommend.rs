//! Suggestions that learn (`core::recommend`), run as a user would: the CoNLL-2002 Spanish
//! documents imported as one annotator's coding, then `tagdesk suggest --evaluate`.

use std::path::Path;
use std::process::Command;

use crate::support::testdata;

fn tagdesk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args(args)
        .output()
        .unwrap()
}

fn conll_project(dir: &Path) -> std::path::PathBuf {
    let corpus = testdata().join("brat_corpora/CoNLL-ST_2002/esp");
    let root = dir.join("esp");
    for args in [
        vec![
            "init",
            root.to_str().unwrap(),
            "--sources",
            corpus.to_str().unwrap(),
        ],
        vec![
            "import",
            root.to_str().unwrap(),
            "--format",
            "brat",
            "--annotator",
            "gold",
            "--add-labels",
            corpus.to_str().unwrap(),
        ],
    ] {
        let out = tagdesk(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    root
}

/// 5-fold cross-validation by document on the ten documents gives the committed table, figure
/// for figure (training is deterministic), for the learned recommender and for string matching.
#[test]
fn the_cross_validation_of_the_conll_documents_gives_the_committed_figures() {
    let dir = tempfile::tempdir().unwrap();
    let root = conll_project(dir.path());
    let out = tagdesk(&["suggest", root.to_str().unwrap(), "--evaluate", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(testdata().join("recommend/conll2002-esp-5fold.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(got, want);
    // The table says the same in words.
    let out = tagdesk(&[
        "suggest",
        root.to_str().unwrap(),
        "--evaluate",
        "--folds",
        "5",
    ]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("5-fold cross-validation by document (10 documents)"),
        "{table}"
    );
    assert!(
        table.lines().any(|l| l.starts_with("all (micro)")),
        "{table}"
    );
}

/// A label with too few coded spans, too many folds, or an unknown annotator are refused with
/// what to do, and exit non-zero.
#[test]
fn evaluating_what_cannot_be_learned_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let root = conll_project(dir.path());
    let root = root.to_str().unwrap();
    for (args, says) in [
        (
            vec!["--label", "nothing"],
            "label \"nothing\" has 0 coded span(s)",
        ),
        (vec!["--folds", "11"], "11 folds need at least 11 documents"),
        (vec!["--annotator", "nobody"], "no annotator \"nobody\""),
    ] {
        let mut all = vec!["suggest", root, "--evaluate"];
        all.extend(args);
        let out = tagdesk(&all);
        assert!(!out.status.success());
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains(says), "{said}");
    }
}
