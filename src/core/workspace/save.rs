//! Saving: every unsaved layer written atomically (in place, or on a job so the UI never
//! waits), a file changed on disk by someone else never overwritten.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Job, Workspace};
use crate::core::journal::{Entry, Journal};
use crate::core::project::{LayerKey, LayerWrite, Project, ProjectError, StagedLayers};

/// What a save did.
#[derive(Debug, Default)]
pub struct SaveReport {
    pub saved: Vec<PathBuf>,
    pub errors: Vec<String>,
}

impl SaveReport {
    pub(super) fn merge(&mut self, other: Self) {
        self.saved.extend(other.saved);
        self.errors.extend(other.errors);
    }
}

/// Layers being written (on a thread, or already written in place), and what happened to
/// them meanwhile.
pub(super) struct BackgroundSave {
    pub(super) writes: Job<Vec<crate::core::project::LayerWritten>>,
    /// Each layer written, with its revision when it was copied.
    pub(super) revisions: Vec<(LayerKey, u64)>,
    /// Edits applied to those layers while they were written, as journaled.
    pub(super) later: HashMap<LayerKey, Vec<Entry>>,
}

impl Workspace {
    /// Writes every changed layer to disk, here and now (after a save under way on a thread:
    /// two writers never race on a file). Layers that fail stay unsaved and are reported.
    pub fn save(&mut self) -> SaveReport {
        let mut report = self.finish_background_save(true).unwrap_or_default();
        report.merge(self.start_save(false));
        if let Some(done) = self.finish_background_save(true) {
            report.merge(done);
        }
        report
    }

    pub(super) fn save_manifest_now(&mut self, report: &mut SaveReport) {
        match self.project.save_manifest() {
            Ok(()) => {
                self.manifest_dirty = false;
                self.forget_journal(&self.journal.manifest_path());
                report
                    .saved
                    .push(Project::manifest_path(&self.project.root));
            }
            Err(err @ ProjectError::ChangedOnDisk { .. }) => {
                // Our schema is kept aside; the manifest on disk wins on reopening.
                self.manifest_dirty = false;
                self.forget_journal(&self.journal.manifest_path());
                report.errors.push(err.to_string());
            }
            Err(err) => report.errors.push(err.to_string()),
        }
    }

    pub(super) fn save_entities_now(&mut self, report: &mut SaveReport) {
        match self.project.save_entities() {
            Ok(()) => {
                self.entities_dirty = false;
                self.forget_journal(&self.journal.entities_path());
                report
                    .saved
                    .push(Project::entities_path(&self.project.root));
            }
            Err(err @ ProjectError::ChangedOnDisk { .. }) => {
                // Ours is kept aside; the file on disk wins on reopening.
                self.entities_dirty = false;
                self.forget_journal(&self.journal.entities_path());
                report.errors.push(err.to_string());
            }
            Err(err) => report.errors.push(err.to_string()),
        }
    }

    /// Whether a [`Self::save_in_background`] is under way.
    pub fn saving_in_background(&self) -> bool {
        self.background.is_some()
    }

    /// Starts saving the unsaved layers on a thread (copies of them; editing goes on). The
    /// manifest, small, is written here. Returns what could not even start (locked or
    /// conflicting layers) — `None` when a save or a disk check is already under way. Take the outcome in with
    /// [`Self::finish_background_save`]; [`Self::save`] waits for it.
    pub fn save_in_background(&mut self) -> Option<SaveReport> {
        // Not while changed files are read either: the check could read our file before the
        // save is taken in and take it for someone else's.
        (self.background.is_none() && self.disk_check.is_none()).then(|| self.start_save(true))
    }

    /// Prepares a write of every unsaved layer and runs them on a thread (`threaded`: each
    /// layer copied first) or here; [`Self::finish_background_save`] takes the outcome in.
    pub(super) fn start_save(&mut self, threaded: bool) -> SaveReport {
        let (report, jobs, revisions) = self.prepare_writes(threaded);
        if jobs.is_empty() {
            return report;
        }
        // Many layers are one commit (one sync, all or nothing): see `project::write_layers`.
        let root = self.project.root.clone();
        let writes = if threaded {
            Job::start("tagdesk-save", (root, jobs), |(root, jobs)| {
                crate::core::project::write_layers(&root, jobs)
            })
        } else {
            Job::Done(crate::core::project::write_layers(&root, jobs))
        };
        self.background = Some(BackgroundSave {
            writes,
            revisions,
            later: HashMap::new(),
        });
        report
    }

    /// Writes every changed layer to a temporary file beside its own, into `staged`, to be
    /// put in place together with other workspaces' by [`commit_staged`]: all or none. The
    /// manifest, when changed, is staged with them (a manifest staged earlier is replaced);
    /// the entities, when changed, are written now (as [`Self::save`] does). The workspace is
    /// to be dropped after this: its layers stay unsaved in it. The import that takes one
    /// annotator at a time (`tagdesk import --annotator-folders`) stages each annotator's
    /// layers and drops them, so only one annotator's are ever in memory.
    pub fn stage_save(&mut self, staged: &mut StagedLayers) -> SaveReport {
        // Two writers never race on a file: a save under way on a thread finishes first.
        let mut report = self.finish_background_save(true).unwrap_or_default();
        if self.manifest_dirty {
            // Into the commit: labels an import adds land with its layers or not at all.
            match self.project.stage_manifest(staged) {
                Ok(()) => self.manifest_dirty = false,
                Err(err) => report.errors.push(err.to_string()),
            }
        }
        let (more, jobs, _) = self.prepare_writes(true);
        report.merge(more);
        staged.stage(jobs);
        report
    }

    /// The writes of every unsaved layer (each layer copied first with `copies`, to be
    /// serialised where it is written), and the manifest and entities written now.
    #[allow(clippy::type_complexity)]
    fn prepare_writes(
        &mut self,
        copies: bool,
    ) -> (SaveReport, Vec<LayerWrite>, Vec<(LayerKey, u64)>) {
        // Checkpoints count the journal's lines: the last one must be written.
        self.settle_journal();
        let mut report = SaveReport::default();
        let mut jobs = Vec::new();
        let mut revisions = Vec::new();
        let dirty: Vec<LayerKey> = self.dirty.iter().cloned().collect();
        let many = dirty.len() >= crate::core::project::BATCH;
        for key in &dirty {
            if let Some(Ok(text)) = self.texts.get(&key.document)
                && let Some(layer) = self.project.layers.get_mut(key)
            {
                layer.source_sha256.clone_from(&text.sha256);
            }
        }
        for key in dirty {
            if self.held_elsewhere.contains(&key.annotator) {
                // Never written from a window another tagdesk holds the annotator in.
                report.errors.push(format!(
                    "{}: not saved, another tagdesk holds {}",
                    self.project.layer_file(&key).display(),
                    key.annotator
                ));
                continue;
            }
            let Some(layer) = self.project.layers.get(&key) else {
                continue;
            };
            let revision = layer.revision();
            // A copy (its spans are shared, not copied) is serialised where it is written: on
            // the save job, or — many layers saved here and now — on all cores, one at a time
            // per core, so their JSON is never all in memory at once.
            let snapshot = (copies || many).then(|| layer.clone());
            match self.project.prepare_layer_write(&key, snapshot) {
                Ok(Some(job)) => {
                    let journaled = self.journaled.get(&key).copied().unwrap_or(0);
                    jobs.push(if journaled > 0 {
                        let journal = self.journal.layer_path(&key);
                        job.with_checkpoint(move |hash| {
                            // Should this fail, a crash right after the rename leaves a journal
                            // on the old file: recovery sets it aside and says so.
                            let _ = Journal::checkpoint(&journal, hash, journaled);
                        })
                    } else {
                        job
                    });
                    revisions.push((key, revision));
                }
                Ok(None) => {}
                Err(err) => report.errors.push(err.to_string()),
            }
        }
        if self.manifest_dirty {
            self.save_manifest_now(&mut report);
        }
        if self.entities_dirty {
            self.save_entities_now(&mut report);
        }
        (report, jobs, revisions)
    }

    /// Forgets a layer's crash journal (its edits are saved, or given up for the disk's).
    pub(super) fn clear_journal(&mut self, key: &LayerKey) {
        self.settle_journal();
        self.journaled.remove(key);
        self.forget_journal(&self.journal.layer_path(key));
    }

    /// Takes in a background save once it is done (or, with `wait`, waits for it): layers not
    /// edited meanwhile become saved and their journals go; a layer edited meanwhile stays
    /// unsaved and its journal keeps just the later edits, on the new file. `None` while it
    /// runs, or when there is none.
    pub fn finish_background_save(&mut self, wait: bool) -> Option<SaveReport> {
        if !wait && !self.background.as_ref()?.writes.is_finished() {
            return None;
        }
        let bg = self.background.take()?;
        // The journals are replaced or cleared below: nothing may still be appending to them.
        self.settle_journal();
        let mut report = SaveReport::default();
        let Some(written) = bg.writes.wait() else {
            report
                .errors
                .push("saving stopped unexpectedly; your edits are kept".to_owned());
            return Some(report);
        };
        let mut later = bg.later;
        for w in written {
            let key = w.key.clone();
            let path = self.project.layer_file(&key);
            let journal = self.journal.layer_path(&key);
            let revision = bg
                .revisions
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, r)| *r);
            match self.project.finish_layer_write(w) {
                Ok(()) => {
                    let unchanged = self
                        .project
                        .layers
                        .get(&key)
                        .is_some_and(|l| Some(l.revision()) == revision);
                    if unchanged {
                        self.dirty.remove(&key);
                        self.clear_journal(&key);
                    } else {
                        let base = self.project.disk_hash(&key).unwrap_or_default().to_owned();
                        let entries = later.remove(&key).unwrap_or_default();
                        self.journaled.insert(key.clone(), entries.len());
                        match self.journal.replace(&journal, &base, &entries) {
                            Ok(()) => {
                                // Those entries include any that waited to be written.
                                self.journal_backlog.remove(&journal);
                                self.journal_caught_up();
                            }
                            Err(err) => self.journal_failed(&err.to_string()),
                        }
                    }
                    report.saved.push(path);
                }
                Err(err @ ProjectError::ChangedOnDisk { .. }) => {
                    // Our version is kept aside (whole); retrying would only repeat the conflict.
                    self.dirty.remove(&key);
                    self.clear_journal(&key);
                    report.errors.push(err.to_string());
                }
                Err(err) => report.errors.push(err.to_string()),
            }
        }
        Some(report)
    }
}

/// Puts the layers staged by [`Workspace::stage_save`] in place as one commit (one sync of the
/// file system, all or none across a crash) and says what was saved and what was not.
pub fn commit_staged(root: &std::path::Path, staged: StagedLayers) -> SaveReport {
    let mut report = SaveReport::default();
    let committed = staged.commit(root);
    for (path, error) in committed.files {
        match error {
            None => report.saved.push(path),
            Some(err) => report.errors.push(err),
        }
    }
    for written in committed.layers {
        match written.error() {
            None => report.saved.push(Project::layer_path(root, &written.key)),
            Some(err) => report.errors.push(err.to_string()),
        }
    }
    report
}
