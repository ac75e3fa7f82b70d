//! Who changed what, from the commits: what arrived in the last sync (per colleague and
//! document), when each annotator last sent work, and a document's history.

use std::collections::BTreeMap;
use std::path::Path;

use super::error::TeamError;
use super::files::{self, Kind};
use super::repo::Repo;
use super::status::last_sync;

/// Spans one annotator's file of one document gained, changed and lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub annotator: String,
    pub document: String,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    /// The ids of the spans added or changed (what there is to review), sorted.
    pub ids: Vec<String>,
}

fn spans_of(text: Option<&str>) -> BTreeMap<String, serde_json::Value> {
    files::parse(text)
        .and_then(|v| v.get("annotations").and_then(|a| a.as_array()).cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| Some((a.get("id")?.as_str()?.to_owned(), a)))
        .collect()
}

/// The span changes to annotation files between two commits.
fn changes(repo: &Repo, from: &str, to: &str) -> Result<Vec<Change>, TeamError> {
    let mut out = Vec::new();
    for path in repo.changed_paths(from, to)? {
        let Kind::Layer {
            annotator,
            document,
        } = files::kind_of(&path)
        else {
            continue;
        };
        let (before, after) = (
            spans_of(repo.show(from, &path).as_deref()),
            spans_of(repo.show(to, &path).as_deref()),
        );
        let added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
        let changed: Vec<&String> = after
            .iter()
            .filter(|(k, v)| before.get(*k).is_some_and(|b| b != *v))
            .map(|(k, _)| k)
            .collect();
        let mut ids: Vec<String> = added.iter().chain(&changed).map(|k| (*k).clone()).collect();
        ids.sort();
        let change = Change {
            annotator,
            document,
            added: added.len(),
            changed: changed.len(),
            removed: before.keys().filter(|k| !after.contains_key(*k)).count(),
            ids,
        };
        if change.added + change.changed + change.removed > 0 {
            out.push(change);
        }
    }
    Ok(out)
}

/// What colleagues' commits brought in the last sync (the user's own files left out).
pub fn arrived(root: &Path, me: &str) -> Result<Vec<Change>, TeamError> {
    let repo = Repo::find(root)?;
    let Some((_, end, start)) = last_sync(root) else {
        return Ok(Vec::new());
    };
    if start.is_empty() || start == end {
        return Ok(Vec::new());
    }
    let mut out = changes(&repo, &start, &end)?;
    out.retain(|c| c.annotator != me);
    Ok(out)
}

/// When each author last committed (RFC 3339), by name.
pub fn last_commits(root: &Path) -> Result<BTreeMap<String, String>, TeamError> {
    let repo = Repo::find(root)?;
    let log = repo
        .git
        .run(&["log", "--format=%an%x1f%aI", "--", "."])
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    for line in log.lines() {
        if let Some((who, when)) = line.split_once('\u{1f}') {
            out.entry(who.to_owned()).or_insert_with(|| when.to_owned());
        }
    }
    Ok(out)
}

/// One commit that changed a document's annotations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub author: String,
    /// RFC 3339.
    pub when: String,
    pub subject: String,
    pub changes: Vec<Change>,
}

/// The commits that changed a document's annotations, newest first, with what each did.
pub fn document_history(root: &Path, document: &str) -> Result<Vec<Event>, TeamError> {
    let repo = Repo::find(root)?;
    // Pathspecs are relative to the project folder, where git runs.
    let pattern = format!(
        "{}/*/{document}.json",
        crate::core::project::ANNOTATIONS_DIR
    );
    let log = repo.git.run(&[
        "log",
        "--no-merges",
        "--format=%H%x1f%P%x1f%an%x1f%aI%x1f%s",
        "--",
        &format!(":(glob){pattern}"),
    ])?;
    let mut out = Vec::new();
    for line in log.lines() {
        let parts: Vec<&str> = line.split('\u{1f}').collect();
        let [hash, parents, author, when, subject] = parts[..] else {
            continue;
        };
        let parent = parents.split(' ').next().filter(|p| !p.is_empty());
        let changes = match parent {
            Some(parent) => changes(&repo, parent, hash)?,
            None => Vec::new(),
        };
        out.push(Event {
            author: author.to_owned(),
            when: when.to_owned(),
            subject: subject.to_owned(),
            changes: changes
                .into_iter()
                .filter(|c| c.document == document)
                .collect(),
        });
    }
    Ok(out)
}
