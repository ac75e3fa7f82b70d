//! The crash journal: every applied edit is appended (fsynced) before it is shown; big entries
//! go to a job; [`Workspace::recover`] replays what a crashed session did not save.

use std::path::PathBuf;

use super::{Applied, Job, Workspace, apply_all};
use crate::core::annotation::{AnnotationLayer, Edit};
use crate::core::journal::{Entry, Journal};
use crate::core::project::LayerKey;

/// A journal entry touching this many spans or more is written on a thread.
const BIG_JOURNAL_ENTRY: usize = 5_000;

/// A step touching more layers than this (e.g. "label all" across a corpus) has its journal
/// entries written on a thread: one fsync per layer file adds up.
const MANY_LAYERS: usize = 16;

/// How many spans a batch of edits carries (a measure of its journal entry's size).
fn spans_in(edits: &[Edit]) -> usize {
    edits
        .iter()
        .map(|e| match e {
            Edit::ReplaceMany(spans) => spans.len(),
            Edit::SetSpans(spans) => spans.len(),
            _ => 1,
        })
        .sum()
}

/// Records for one journal file: those its earlier appends could not write, then the new ones.
pub(super) struct JournalWrite {
    path: PathBuf,
    base: String,
    entries: Vec<Entry>,
}

/// Writes each file's records in turn (a job's work); returns those that failed, with why.
fn write_journals((journal, writes): (Journal, Vec<JournalWrite>)) -> Vec<(JournalWrite, String)> {
    writes
        .into_iter()
        .filter_map(|w| {
            journal
                .append(&w.path, &w.base, &w.entries)
                .err()
                .map(|err| (w, err.to_string()))
        })
        .collect()
}

impl Workspace {
    /// Appends what was just applied to the crash journal, before the caller shows it. A
    /// record that cannot be written (a full disk) is kept in order and written first by the
    /// next append to its file: the journal never skips an edit that later ones build on.
    pub(super) fn write_journal(&mut self, applied: Vec<Applied>) {
        if self.project.is_read_only() || !self.journaling {
            return; // Never saved, or saved at once as one commit: nothing to recover.
        }
        // A big entry still being written goes first: the journal keeps the edits' order.
        self.settle_journal();
        let layers = applied
            .iter()
            .filter(|a| matches!(a, Applied::Layer(..)))
            .count();
        let applied = if layers > MANY_LAYERS {
            self.journal_layers_on_a_job(applied)
        } else {
            applied
        };
        for a in applied {
            match a {
                Applied::Layer(key, edits) => {
                    let (path, base) = self.count_layer_entry(&key, &edits);
                    let big = spans_in(&edits) >= BIG_JOURNAL_ENTRY;
                    let write = self.with_backlog(path, base, Entry::Edits(edits));
                    if big {
                        // Re-anchoring 100k spans is tens of megabytes to write and fsync: on a
                        // thread. Whatever is journaled next waits for it (`settle_journal`), so
                        // a crash meanwhile loses only edits that nothing later builds on.
                        self.journal_job = Some(Job::start(
                            "tagdesk-journal",
                            (self.journal.clone(), vec![write]),
                            write_journals,
                        ));
                    } else {
                        self.append_journal(write);
                    }
                }
                Applied::Schema(schema) => {
                    let write = self.with_backlog(
                        self.journal.manifest_path(),
                        self.project.manifest_hash().to_owned(),
                        Entry::Schema(schema),
                    );
                    self.append_journal(write);
                }
                Applied::Entities(registry) => {
                    let write = self.with_backlog(
                        self.journal.entities_path(),
                        self.project.entities_hash().to_owned(),
                        Entry::Entities(registry.entities().to_vec()),
                    );
                    self.append_journal(write);
                }
            }
        }
    }

    /// Counts a layer's journal entry (written now or later: a save's checkpoint counts every
    /// edit its file holds) and notes it for a save under way; its journal file and base.
    fn count_layer_entry(&mut self, key: &LayerKey, edits: &[Edit]) -> (PathBuf, String) {
        if let Some(bg) = &mut self.background
            && bg.revisions.iter().any(|(k, _)| k == key)
        {
            bg.later
                .entry(key.clone())
                .or_default()
                .push(Entry::Edits(edits.to_vec()));
        }
        *self.journaled.entry(key.clone()).or_default() += 1;
        let base = self.project.disk_hash(key).unwrap_or_default().to_owned();
        (self.journal.layer_path(key), base)
    }

    /// `entry` after whatever earlier appends to `path` could not write.
    fn with_backlog(&mut self, path: PathBuf, base: String, entry: Entry) -> JournalWrite {
        let (base, mut entries) = self
            .journal_backlog
            .remove(&path)
            .unwrap_or((base, Vec::new()));
        entries.push(entry);
        JournalWrite {
            path,
            base,
            entries,
        }
    }

    /// Appends here and now; on failure the records wait in the backlog.
    fn append_journal(&mut self, write: JournalWrite) {
        match self
            .journal
            .append(&write.path, &write.base, &write.entries)
        {
            Ok(()) => self.journal_caught_up(),
            Err(err) => self.journal_write_failed(write, &err.to_string()),
        }
    }

    fn journal_write_failed(&mut self, write: JournalWrite, err: &str) {
        self.journal_backlog
            .insert(write.path, (write.base, write.entries));
        self.journal_failed(err);
    }

    /// Clears the warning once nothing waits to be journaled.
    pub(super) fn journal_caught_up(&mut self) {
        if self.journal_backlog.is_empty() {
            self.journal_error = None;
        }
    }

    /// Forgets a journal file and what waits to be written to it (its edits are saved, or given
    /// up for the disk's).
    pub(super) fn forget_journal(&mut self, path: &std::path::Path) {
        Journal::clear(path);
        self.journal_backlog.remove(path);
        self.journal_caught_up();
    }

    /// Waits for a journal entry being written on a thread, if any.
    pub(super) fn settle_journal(&mut self) {
        let Some(job) = self.journal_job.take() else {
            return;
        };
        let Some(failed) = job.wait() else {
            self.journal_failed("the journal writer stopped");
            return;
        };
        if failed.is_empty() {
            self.journal_caught_up();
        }
        for (write, err) in failed {
            self.journal_write_failed(write, &err);
        }
    }

    /// Writes the layer entries of a step that touches many layers on one thread (each file
    /// appended and fsynced in turn); returns the rest (schema, entities) to write here. As
    /// with a big entry, whatever is journaled next waits for it.
    fn journal_layers_on_a_job(&mut self, applied: Vec<Applied>) -> Vec<Applied> {
        let mut rest = Vec::new();
        let mut writes = Vec::new();
        for a in applied {
            match a {
                Applied::Layer(key, edits) => {
                    let (path, base) = self.count_layer_entry(&key, &edits);
                    writes.push(self.with_backlog(path, base, Entry::Edits(edits)));
                }
                other => rest.push(other),
            }
        }
        self.journal_job = Some(Job::start(
            "tagdesk-journal",
            (self.journal.clone(), writes),
            write_journals,
        ));
        rest
    }

    /// For a command that saves every step at once and exits (see the `journaling` field):
    /// no crash journal is written, the step lives only until [`Self::save`].
    pub fn save_each_step_at_once(&mut self) {
        self.journaling = false;
    }

    pub(super) fn journal_failed(&mut self, err: &str) {
        self.journal_error = Some(format!(
            "cannot write the crash journal ({err}); unsaved edits would be lost in a crash"
        ));
    }

    /// Waits for journal entries being written on a thread (a big step's); after this every
    /// applied edit is on disk in the journal.
    pub fn finish_journal(&mut self) {
        self.settle_journal();
    }

    /// Why the crash journal could not be written, if it could not.
    pub fn journal_error(&self) -> Option<&str> {
        self.journal_error.as_deref()
    }

    /// Replays the crash journal of a session that ended without saving: the edits come back
    /// (unsaved, outside the undo history). Returns one line per journal, for the user. A journal
    /// whose annotation file changed since is not replayed but set aside under
    /// `.tagdesk/conflicts/`.
    ///
    /// Recovery belongs to whoever may write the files: a journal of an annotator another live
    /// tagdesk holds (see [`Self::set_held_elsewhere`] and the lock files) is that session's
    /// unsaved work, neither replayed nor touched here; nor are the shared journals (schema,
    /// entities) while any other tagdesk is open on the project.
    pub fn recover(&mut self) -> Vec<String> {
        let mut report = Vec::new();
        let others = crate::core::lock::AnnotatorLock::others_in(&self.project.root);
        let mut told = std::collections::BTreeSet::new();
        for (key, path) in self.journal.layer_journals() {
            if !self.project.holds_annotator(&key.annotator) {
                continue; // not loaded here: left for whoever opens the project whole
            }
            let holder = others.iter().find(|(a, _)| *a == key.annotator);
            if holder.is_some() || self.held_elsewhere.contains(&key.annotator) {
                if told.insert(key.annotator.clone()) {
                    let who = holder.map_or_else(
                        || "another tagdesk".to_owned(),
                        |(_, i)| format!("the tagdesk of process {} on {}", i.pid, i.host),
                    );
                    report.push(format!(
                        "{} is being annotated in {who}, which is still open and has unsaved \
                         edits in its crash journal: they are its to save, so this window \
                         neither replays nor touches them",
                        key.annotator
                    ));
                }
                continue;
            }
            let Ok(file) = Journal::read(&path) else {
                continue;
            };
            let current = self.project.disk_hash(&key).unwrap_or_default().to_owned();
            let to_replay = if self.project.is_locked(&key) {
                None
            } else {
                file.edits_after(&current)
            };
            let Some(to_replay) = to_replay else {
                let kept = self.journal.set_aside(&path);
                report.push(format!(
                    "{} ({}): unsaved edits from an earlier session were not replayed because the \
                     annotation file changed since; they are kept in {}",
                    key.document,
                    key.annotator,
                    kept.display()
                ));
                continue;
            };
            let to_replay: Vec<Vec<Edit>> = to_replay.into_iter().cloned().collect();
            if file.base != current {
                // The session crashed just after a save replaced the file: the journal now
                // builds on that file, with the edits the save did not hold.
                let entries: Vec<Entry> = to_replay.iter().cloned().map(Entry::Edits).collect();
                if let Err(err) = self.journal.replace(&path, &current, &entries) {
                    self.journal_error = Some(format!(
                        "cannot write the crash journal ({err}); unsaved edits would be lost in a crash"
                    ));
                }
            }
            self.journaled.insert(key.clone(), to_replay.len());
            // A layer first made in the lost session is made against the text as it is.
            let source_sha256 = if self.project.layers.contains_key(&key) {
                String::new()
            } else {
                self.text(&key.document)
                    .map(|t| t.sha256.clone())
                    .unwrap_or_default()
            };
            let layer = self.project.layers.entry(key.clone()).or_insert_with(|| {
                let mut layer = AnnotationLayer::new(key.document.clone(), key.annotator.clone());
                layer.source_sha256 = source_sha256;
                layer
            });
            let mut count = 0;
            let mut failed = None;
            for edits in to_replay {
                let n = edits.len();
                match apply_all(layer, edits) {
                    Ok(_) => count += n,
                    Err(err) => {
                        failed = Some(err);
                        break;
                    }
                }
            }
            if count > 0 {
                self.mark_dirty(super::Dirty::Layer(key.clone()));
                report.push(format!(
                    "{} ({}): recovered {count} unsaved edits from a session that ended without saving",
                    key.document, key.annotator
                ));
            }
            if let Some(err) = failed {
                report.push(format!(
                    "{} ({}): the rest of the journal could not be replayed: {err}",
                    key.document, key.annotator
                ));
            }
            if file.torn > 0 {
                report.push(format!(
                    "{} ({}): {} journal record(s) cut short by a failed write were skipped; \
                     every complete record before and after them was replayed",
                    key.document, key.annotator, file.torn
                ));
            }
        }
        let manifest_journal = self.journal.manifest_path();
        if !others.is_empty() {
            let open = self.journal.entities_path().exists() || manifest_journal.exists();
            if open {
                report.push(
                    "another tagdesk is open on this project with unsaved changes to the schema or \
                     the entities; they are its to save, so this window leaves them alone"
                        .to_owned(),
                );
            }
            return report;
        }
        if let Ok(file) = Journal::read(&manifest_journal) {
            if file.base == self.project.manifest_hash() {
                let last = file.entries.into_iter().rev().find_map(|e| match e {
                    Entry::Schema(schema) => Some(schema),
                    _ => None,
                });
                if let Some(schema) = last
                    && schema.problems().is_empty()
                {
                    self.project.manifest.schema = schema;
                    self.mark_dirty(super::Dirty::Manifest);
                    report.push("recovered an unsaved schema change".to_owned());
                }
            } else {
                let kept = self.journal.set_aside(&manifest_journal);
                report.push(format!(
                    "an unsaved schema change was not replayed because tagdesk.json changed since; kept in {}",
                    kept.display()
                ));
            }
        }
        let entities_journal = self.journal.entities_path();
        if let Ok(file) = Journal::read(&entities_journal) {
            if file.base == self.project.entities_hash() {
                let last = file.entries.into_iter().rev().find_map(|e| match e {
                    Entry::Entities(entities) => Some(entities),
                    _ => None,
                });
                if let Some(entities) = last {
                    self.project.entities =
                        crate::core::entities::Registry::from_entities(entities);
                    self.mark_dirty(super::Dirty::Entities);
                    report.push("recovered unsaved changes to the entities".to_owned());
                }
            } else {
                let kept = self.journal.set_aside(&entities_journal);
                report.push(format!(
                    "unsaved changes to the entities were not replayed because entities.json changed since; kept in {}",
                    kept.display()
                ));
            }
        }
        report
    }
}
