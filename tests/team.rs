//! Team work through git, against real repositories on this machine: a bare repository as the
//! remote, clones as annotators. Every interleaving of two annotators' edits and syncs ends
//! with both having everything; schemas changed on both sides merge by meaning; a rename on
//! both sides waits for a choice; a push race is retried; offline keeps the work; a broken
//! commit is refused naming its author; no credential is written.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use tagdesk::core::Workspace;
use tagdesk::core::team;

use crate::support::{copy_tree, sample_project};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tagdesk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args(args)
        .output()
        .unwrap()
}

/// A bare remote and the sample project shared to it by maria; `maria`'s clone is the project.
pub(crate) struct Setup {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) remote: PathBuf,
    pub(crate) maria: PathBuf,
}

pub(crate) fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let remote = dir.path().join("remote.git");
    git(
        dir.path(),
        &["init", "--quiet", "--bare", remote.to_str().unwrap()],
    );
    let maria = dir.path().join("maria");
    copy_tree(&sample_project(), &maria);
    team::share(&maria, Some(remote.to_str().unwrap()), "maria").unwrap();
    Setup { dir, remote, maria }
}

impl Setup {
    pub(crate) fn join(&self, name: &str) -> PathBuf {
        let at = self.dir.path().join(name);
        team::join(self.remote.to_str().unwrap(), &at).unwrap();
        at
    }
}

pub(crate) fn sync(root: &Path, who: &str) -> team::SyncReport {
    team::sync(root, who).unwrap_or_else(|e| panic!("{who}'s sync: {e}"))
}

/// Tags every whole occurrence of `word` in the first document that has it, as `who`; saved.
pub(crate) fn tag(root: &Path, who: &str, word: &str, label: &str) {
    let mut ws = Workspace::open(root).unwrap();
    let docs: Vec<String> = ws
        .project()
        .documents
        .iter()
        .map(|d| d.path.clone())
        .collect();
    for doc in docs {
        let text = ws.text(&doc).unwrap().text.as_str().to_owned();
        if let Some(byte) = text.find(word) {
            let start = text[..byte].chars().count();
            ws.add_span(&doc, who, start..start + word.chars().count(), label)
                .unwrap();
            break;
        }
    }
    assert!(ws.save().errors.is_empty());
}

/// Every span of the project: (annotator, document, start, end, label).
fn spans(root: &Path) -> BTreeSet<(String, String, usize, usize, String)> {
    let ws = Workspace::open(root).unwrap();
    ws.project()
        .layers
        .iter()
        .flat_map(|(key, layer)| {
            layer.annotations().iter().map(move |a| {
                (
                    key.annotator.clone(),
                    key.document.clone(),
                    a.start,
                    a.end,
                    a.label.to_string(),
                )
            })
        })
        .collect()
}

/// The project's tracked files and their contents (what each machine has).
fn tree(root: &Path) -> Vec<(String, String)> {
    git(root, &["ls-files"])
        .lines()
        .map(|f| (f.to_owned(), std::fs::read_to_string(root.join(f)).unwrap()))
        .collect()
}

#[test]
fn two_annotators_editing_concurrently_end_with_everything_in_every_interleaving() {
    // Every order of four events: maria tags, sam tags, maria syncs, sam syncs; then each
    // syncs once more (maria, sam, maria) and both must hold everything, file for file.
    let events = ["tag maria", "tag sam", "sync maria", "sync sam"];
    let mut orders = Vec::new();
    for a in 0..4 {
        for b in 0..4 {
            for c in 0..4 {
                for d in 0..4 {
                    let o = [a, b, c, d];
                    if (0..4).all(|i| o.contains(&i)) {
                        orders.push(o.map(|i| events[i]));
                    }
                }
            }
        }
    }
    assert_eq!(orders.len(), 24);
    for order in orders {
        let s = setup();
        let sam = s.join("sam");
        let root = |who: &str| {
            if who == "maria" {
                s.maria.clone()
            } else {
                sam.clone()
            }
        };
        for event in order {
            let (what, who) = event.split_once(' ').unwrap();
            if what == "tag" {
                let word = if who == "maria" { "Lavrov" } else { "Kerry" };
                tag(&root(who), who, word, "claim");
            } else {
                sync(&root(who), who);
            }
        }
        for who in ["maria", "sam", "maria"] {
            sync(&root(who), who);
        }
        let (m, s2) = (spans(&s.maria), spans(&sam));
        assert_eq!(m, s2, "{order:?}: both have the same spans");
        for who in ["maria", "sam"] {
            assert!(
                m.iter().any(|(a, _, _, _, l)| a == who && l == "claim"),
                "{order:?}: {who}'s spans arrived"
            );
        }
        assert_eq!(
            m.len(),
            spans(&sample_copy_of(&s)).len() + 2,
            "{order:?}: the two new spans and nothing else"
        );
        assert_eq!(tree(&s.maria), tree(&sam), "{order:?}: the same files");
    }
}

/// The sample as it was shared (the remote's first commit), checked out beside.
fn sample_copy_of(s: &Setup) -> PathBuf {
    let at = s.dir.path().join("first");
    if !at.exists() {
        copy_tree(&sample_project(), &at);
    }
    at
}

#[test]
fn a_commit_says_who_changed_what() {
    let s = setup();
    tag(&s.maria, "maria", "Lavrov", "actor");
    let report = sync(&s.maria, "maria");
    assert_eq!(
        report.committed.as_deref(),
        Some("maria: 1 span added in 1 document")
    );
    assert!(report.pushed);
    let log = git(&s.remote, &["log", "-1", "--format=%an|%s", "main"]);
    assert_eq!(log.trim(), "maria|maria: 1 span added in 1 document");
    // The document's history names who did it and what.
    let doc = "000_6960b4d936e3359c.txt";
    let history = team::history::document_history(&s.maria, doc).unwrap();
    assert_eq!(history[0].author, "maria");
    assert_eq!(
        (
            history[0].changes[0].annotator.as_str(),
            history[0].changes[0].added
        ),
        ("maria", 1)
    );
    let out = tagdesk(&["team", "history", s.maria.to_str().unwrap(), doc]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("maria: 1 added, 0 changed, 0 removed"));
}

fn add_label(root: &Path, name: &str, hotkey: &str) {
    let mut ws = Workspace::open(root).unwrap();
    let mut schema = ws.project().schema().clone();
    let mut label = schema.labels[0].clone();
    label.name = name.to_owned();
    label.hotkey = Some(hotkey.to_owned());
    label.attributes.clear();
    schema.labels.push(label);
    ws.set_schema(schema, "add a label", None).unwrap();
    assert!(ws.save().errors.is_empty());
}

#[test]
fn labels_added_on_both_sides_are_both_kept_and_a_shared_key_goes_to_the_first() {
    let s = setup();
    let sam = s.join("sam");
    add_label(&s.maria, "frame", "4");
    add_label(&sam, "issue", "4");
    let first = sync(&s.maria, "maria");
    assert_eq!(
        first.committed.as_deref(),
        Some("schema: label 'frame' added")
    );
    let second = sync(&sam, "sam");
    assert!(
        second
            .attention
            .iter()
            .any(|a| a.contains("both given the key 4")),
        "{second:?}"
    );
    sync(&s.maria, "maria");
    for root in [&s.maria, &sam] {
        let ws = Workspace::open(root).unwrap();
        let names: Vec<&str> = ws
            .project()
            .schema()
            .labels
            .iter()
            .map(|l| l.name.as_str())
            .collect();
        assert_eq!(names, ["actor", "claim", "disagreement", "frame", "issue"]);
        let keys: Vec<Option<&str>> = ws
            .project()
            .schema()
            .labels
            .iter()
            .map(|l| l.hotkey.as_deref())
            .collect();
        assert_eq!(keys[3..], [Some("4"), None]);
    }
}

#[test]
fn an_entity_renamed_on_both_sides_waits_for_a_choice_and_the_choice_is_sent() {
    let s = setup();
    let sam = s.join("sam");
    let kerry = "e628ed14c560a40ba";
    for (root, name) in [(&s.maria, "Secretary Kerry"), (&sam, "J. Kerry")] {
        let mut ws = Workspace::open(root).unwrap();
        ws.rename_entity(kerry, name).unwrap();
        assert!(ws.save().errors.is_empty());
    }
    sync(&s.maria, "maria");
    let report = sync(&sam, "sam");
    assert_eq!(report.choices, 1, "{report:?}");
    let choices = team::pending_choices(&sam);
    assert_eq!(choices[0].place, format!("entities › {kerry} › name"));
    assert_eq!(choices[0].ours, "J. Kerry");
    assert_eq!(choices[0].theirs, "Secretary Kerry");
    assert_eq!(choices[0].theirs_by, "maria");
    // Sam takes maria's name; the next syncs bring both to it.
    let out = tagdesk(&["team", "choose", sam.to_str().unwrap(), "1", "theirs"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(team::pending_choices(&sam).is_empty());
    sync(&sam, "sam");
    sync(&s.maria, "maria");
    for root in [&s.maria, &sam] {
        let ws = Workspace::open(root).unwrap();
        assert_eq!(
            ws.project().entities.get(kerry).unwrap().name,
            "Secretary Kerry"
        );
    }
}

#[test]
fn a_push_race_is_taken_in_and_sent_again() {
    let s = setup();
    let sam = s.join("sam");
    let ana = s.join("ana");
    tag(&ana, "ana", "Syria", "actor");
    git(&ana, &["add", "-A"]);
    git(&ana, &["commit", "-q", "-m", "ana's work"]);
    // Sam's push finds that ana pushed between sam's fetch and push (a hook in sam's clone
    // makes it happen there, once).
    let hook = sam.join(".git/hooks/pre-push");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\n[ -e '{marker}' ] && exit 0\ntouch '{marker}'\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\ngit -C '{}' push -q origin HEAD:main >/dev/null 2>&1\nexit 0\n",
            ana.display(),
            marker = s.dir.path().join("raced").display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    tag(&sam, "sam", "Kerry", "actor");
    let report = sync(&sam, "sam");
    assert!(report.pushed, "{report:?}");
    assert!(
        report.from.contains("test"),
        "ana's commit was taken in: {report:?}"
    );
    let log = git(&s.remote, &["log", "--format=%s", "main"]);
    assert!(
        log.contains("ana's work") && log.contains("sam: 1 span added"),
        "{log}"
    );
}

#[test]
fn offline_keeps_the_work_committed_and_the_next_sync_sends_it() {
    let s = setup();
    tag(&s.maria, "maria", "Lavrov", "actor");
    let away = s.dir.path().join("away.git");
    std::fs::rename(&s.remote, &away).unwrap();
    let out = tagdesk(&[
        "team",
        "sync",
        s.maria.to_str().unwrap(),
        "--annotator",
        "maria",
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(said.contains("offline"), "{said}");
    assert!(said.contains("committed \"maria: 1 span added"), "{said}");
    let status = team::status(&s.maria, false).unwrap();
    assert_eq!((status.local_changes, status.ahead), (0, 1));
    std::fs::rename(&away, &s.remote).unwrap();
    let report = sync(&s.maria, "maria");
    assert!(report.pushed && report.committed.is_none(), "{report:?}");
    assert_eq!(team::status(&s.maria, true).unwrap().ahead, 0);
}

#[test]
fn a_commit_that_would_break_the_project_is_refused_with_its_author() {
    let s = setup();
    let sam = s.join("sam");
    let layer = "annotations/maria/000_6960b4d936e3359c.txt.json";
    let broken = std::fs::read_to_string(sam.join(layer)).unwrap().replacen(
        "\"end\": 220",
        "\"end\": 100",
        1,
    );
    std::fs::write(sam.join(layer), broken).unwrap();
    git(&sam, &["commit", "-q", "-am", "oops"]);
    git(&sam, &["push", "-q", "origin", "HEAD:main"]);
    tag(&s.maria, "maria", "Lavrov", "actor");
    let before = tree(&s.maria);
    let err = team::sync(&s.maria, "maria").unwrap_err().to_string();
    assert!(err.contains("by test (oops)"), "{err}");
    assert!(err.contains(layer), "{err}");
    assert!(err.contains("Nothing was taken in"), "{err}");
    // Maria's work is committed, nothing of sam's arrived.
    let after = tree(&s.maria);
    assert_eq!(
        after.iter().find(|(f, _)| f == layer),
        before.iter().find(|(f, _)| f == layer)
    );
    assert!(git(&s.maria, &["log", "-1", "--format=%s"]).starts_with("maria: 1 span"));
}

#[test]
fn no_credential_is_ever_written() {
    let s = setup();
    let err = team::share(
        &s.maria,
        Some("https://maria:hunter2@git.example.org/t.git"),
        "maria",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("password"), "{err}");
    let join = s.dir.path().join("joined");
    assert!(team::join("https://maria:hunter2@git.example.org/t.git", &join).is_err());
    assert!(!join.exists());
    // Nothing under the project (git's configuration included) holds it.
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(&s.maria) {
        let entry = entry.unwrap();
        if entry.file_type().is_file()
            && std::fs::read(entry.path()).is_ok_and(|b| b.windows(7).any(|w| w == b"hunter2"))
        {
            found.push(entry.path().to_owned());
        }
    }
    assert!(found.is_empty(), "{found:?}");
    // A URL that asks for credentials fails at once with git's words (no prompt, no hang).
    let t = std::time::Instant::now();
    let err = team::join("https://127.0.0.1:9/nothing.git", &join).unwrap_err();
    assert!(err.is_offline(), "{err}");
    assert!(t.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn an_entity_merged_by_one_and_edited_and_linked_by_the_other_stays_merged() {
    let s = setup();
    let sam = s.join("sam");
    let (kerry, pentagon) = ("e628ed14c560a40ba", "e481f9b30fa50f39f");
    // Maria merges the Pentagon into Kerry (every span linked to it follows, in her copy).
    {
        let mut ws = Workspace::open(&s.maria).unwrap();
        ws.merge_entities(kerry, pentagon).unwrap();
        assert!(ws.save().errors.is_empty());
    }
    // Meanwhile sam renames the Pentagon and links a new span of his to it.
    let doc = "001_966120f5ee3f0c58.txt";
    {
        let mut ws = Workspace::open(&sam).unwrap();
        ws.rename_entity(pentagon, "US Department of Defense")
            .unwrap();
        let text = ws.text(doc).unwrap().text.as_str().to_owned();
        let byte = text.find("Russia").unwrap();
        let start = text[..byte].chars().count();
        let id = ws.add_span(doc, "sam", start..start + 6, "actor").unwrap();
        let key = tagdesk::core::LayerKey::new(doc.to_owned(), "sam".to_owned());
        ws.link_entity(&key, &id, Some(pentagon)).unwrap();
        assert!(ws.save().errors.is_empty());
    }
    sync(&s.maria, "maria");
    sync(&sam, "sam");
    sync(&s.maria, "maria");
    for root in [&s.maria, &sam] {
        let ws = Workspace::open(root).unwrap();
        let entities = &ws.project().entities;
        assert!(entities.get(pentagon).is_none(), "the merge stays");
        let k = entities.get(kerry).unwrap();
        assert!(
            k.is_called("US Department of Defense") && k.is_called("Pentagon"),
            "the edit followed the merge: {k:?}"
        );
        let linked: Vec<String> = ws
            .project()
            .layers
            .values()
            .flat_map(|l| l.annotations().iter())
            .filter_map(|a| match a.attributes.get("entity") {
                Some(tagdesk::core::schema::AttributeValue::Text(id)) => Some(id.clone()),
                _ => None,
            })
            .collect();
        assert!(
            !linked.iter().any(|id| id == pentagon),
            "no link to the merged-away entity"
        );
        let sams = ws.layer(doc, "sam").unwrap();
        assert!(sams.annotations().iter().any(|a| a.attributes.get("entity")
            == Some(&tagdesk::core::schema::AttributeValue::Text(
                kerry.to_owned()
            ))));
    }
    assert_eq!(tree(&s.maria), tree(&sam));
}
