//! The crash journal: every applied edit is appended (and fsynced) to a per-layer file under
//! `.tagdesk/journal/` before the GUI shows it, and the file is deleted once the layer is saved.
//! After a crash, opening the project replays what was not saved.
//!
//! A journal file starts with the hash of the annotation file it builds on; if that file changed
//! since (a colleague's write, a git pull), the journal is not replayed but moved aside, and the
//! user is told.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::annotation::Edit;
use super::project::{LayerKey, PRIVATE_DIR};
use super::schema::Schema;

/// One line of a journal file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// First line: the hash of the file the edits apply to (empty when there was none).
    Base(String),
    /// Edits applied to the layer, in order.
    Edits(Vec<Edit>),
    /// The schema after a change (manifest journal only).
    Schema(Schema),
    /// The entity registry after a change (entities journal only).
    Entities(Vec<std::sync::Arc<super::entities::Entity>>),
    /// Written by a save just before its new annotation file replaces the old one: the file
    /// with this hash holds the first `entries` `Edits` lines. After a crash between the
    /// replacement and the app taking the save in, recovery replays only the lines after them.
    Saved { sha256: String, entries: usize },
}

#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
}

impl Journal {
    pub fn new(project_root: &Path) -> Self {
        Self {
            dir: project_root.join(PRIVATE_DIR).join("journal"),
        }
    }

    pub fn layer_path(&self, key: &LayerKey) -> PathBuf {
        self.dir
            .join(&key.annotator)
            .join(format!("{}.jsonl", key.document))
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.dir.join("_manifest.jsonl")
    }

    pub fn entities_path(&self) -> PathBuf {
        self.dir.join("_entities.jsonl")
    }

    /// Appends entries to a journal file (creating it with its base line), then fsyncs.
    pub fn append(&self, path: &Path, base: &str, entries: &[Entry]) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let new = !path.exists();
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        let mut buffer = Vec::new();
        if new {
            serde_json::to_writer(&mut buffer, &Entry::Base(base.to_owned()))?;
            buffer.push(b'\n');
        }
        for entry in entries {
            serde_json::to_writer(&mut buffer, entry)?;
            buffer.push(b'\n');
        }
        file.write_all(&buffer)?;
        file.sync_data()
    }

    /// Replaces a journal with a new base and these entries, atomically (after a save that the
    /// layer outran: the edits made while it was written now build on the new file).
    pub fn replace(&self, path: &Path, base: &str, entries: &[Entry]) -> std::io::Result<()> {
        let mut buffer = Vec::new();
        serde_json::to_writer(&mut buffer, &Entry::Base(base.to_owned()))?;
        buffer.push(b'\n');
        for entry in entries {
            serde_json::to_writer(&mut buffer, entry)?;
            buffer.push(b'\n');
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        super::project::write_atomic(path, &buffer)
    }

    /// Records that the annotation file with `sha256` holds the journal's first `entries` edit
    /// lines (see [`Entry::Saved`]); fsynced before the caller replaces the file. Only an
    /// existing journal is written to (none: nothing to recover anyway).
    pub fn checkpoint(path: &Path, sha256: &str, entries: usize) -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
        let mut line = serde_json::to_vec(&Entry::Saved {
            sha256: sha256.to_owned(),
            entries,
        })?;
        line.push(b'\n');
        file.write_all(&line)?;
        file.sync_data()
    }

    /// Forgets a journal (its edits are saved).
    pub fn clear(path: &Path) {
        // Nothing to do when it does not exist; a failure only means a replay that finds
        // nothing new, since the base hash will not match the saved file.
        let _ = std::fs::remove_file(path);
    }

    /// Every layer journal on disk: (key, path).
    pub fn layer_journals(&self) -> Vec<(LayerKey, PathBuf)> {
        let mut out = Vec::new();
        let Ok(annotators) = std::fs::read_dir(&self.dir) else {
            return out;
        };
        for annotator in annotators.filter_map(Result::ok) {
            if !annotator.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let Some(name) = annotator.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            collect(&annotator.path(), "", &mut |rel, path| {
                if let Some(doc) = rel.strip_suffix(".jsonl") {
                    out.push((LayerKey::new(doc.to_owned(), name.clone()), path.to_owned()));
                }
            });
        }
        out.sort();
        out
    }

    /// Reads a journal file: its base hash and entries. Stops at the first line that does not
    /// parse (a write cut short by the crash), which is reported in `torn`.
    pub fn read(path: &Path) -> std::io::Result<JournalFile> {
        Ok(Self::parse(&std::fs::read_to_string(path)?))
    }

    /// Parses a journal file's text (see [`Self::read`]).
    pub fn parse(text: &str) -> JournalFile {
        let mut base = None;
        let mut entries = Vec::new();
        let mut torn = false;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            match serde_json::from_str::<Entry>(line) {
                Ok(Entry::Base(hash)) if base.is_none() => base = Some(hash),
                Ok(entry) => entries.push(entry),
                Err(_) => {
                    torn = true;
                    break;
                }
            }
        }
        JournalFile {
            base: base.unwrap_or_default(),
            entries,
            torn,
        }
    }

    /// Moves a journal that cannot be replayed next to the other kept copies.
    pub fn set_aside(&self, path: &Path) -> PathBuf {
        let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            .to_string()
            .replace(':', "-");
        let rel = path.strip_prefix(&self.dir).unwrap_or(path);
        let target = self
            .dir
            .with_file_name("conflicts")
            .join(format!("{}.{stamp}", rel.display()));
        if let Some(dir) = target.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        match std::fs::rename(path, &target) {
            Ok(()) => target,
            Err(_) => path.to_owned(),
        }
    }
}

/// A journal file as read.
#[derive(Debug, Clone)]
pub struct JournalFile {
    pub base: String,
    pub entries: Vec<Entry>,
    /// The last line was cut short (ignored).
    pub torn: bool,
}

impl JournalFile {
    /// The edit lines still to replay onto the annotation file whose hash is `current`: all of
    /// them when it is the journal's base; those after a save's checkpoint when it is the file
    /// that save wrote; `None` when the file is neither (changed by someone else).
    pub fn edits_after(&self, current: &str) -> Option<Vec<&Vec<Edit>>> {
        let edits: Vec<&Vec<Edit>> = self
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Edits(edits) => Some(edits),
                _ => None,
            })
            .collect();
        if self.base == current {
            return Some(edits);
        }
        let saved = self.entries.iter().rev().find_map(|e| match e {
            Entry::Saved { sha256, entries } if sha256 == current => Some(*entries),
            _ => None,
        })?;
        Some(edits.into_iter().skip(saved).collect())
    }
}

fn collect(dir: &Path, prefix: &str, found: &mut dyn FnMut(&str, &Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            collect(&path, &rel, found);
        } else {
            found(&rel, &path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(s: crate::core::DocStatus) -> Vec<Edit> {
        vec![Edit::SetStatus(s)]
    }

    #[test]
    fn replays_from_the_base_or_after_the_save_that_holds_the_first_edits() {
        use crate::core::DocStatus::{Done, InProgress, New};
        let file = JournalFile {
            base: "sha256:old".to_owned(),
            entries: vec![
                Entry::Edits(status(InProgress)),
                Entry::Edits(status(Done)),
                Entry::Saved {
                    sha256: "sha256:new".to_owned(),
                    entries: 1,
                },
                Entry::Edits(status(New)),
            ],
            torn: false,
        };
        // The save never replaced the file (crash before its rename): everything.
        assert_eq!(
            file.edits_after("sha256:old").unwrap(),
            vec![&status(InProgress), &status(Done), &status(New)]
        );
        // It did: only what it did not hold, wherever the checkpoint line fell.
        assert_eq!(
            file.edits_after("sha256:new").unwrap(),
            vec![&status(Done), &status(New)]
        );
        // Someone else's file: nothing is replayed onto it.
        assert!(file.edits_after("sha256:theirs").is_none());
        let parsed = Journal::parse(
            &[
                r#"{"base":"sha256:old"}"#,
                r#"{"saved":{"sha256":"sha256:new","entries":0}}"#,
            ]
            .join("\n"),
        );
        assert!(!parsed.torn);
        assert_eq!(parsed.edits_after("sha256:new").unwrap().len(), 0);
    }
}
