//! Taking in what changed on disk: the files are read and hashed on a job
//! ([`Workspace::check_disk_in_background`]), then compared with the workspace as it is by
//! then; conflicts with unsaved edits are settled by the user ([`Workspace::resolve_conflict`]).

use std::path::PathBuf;

use super::{Job, Workspace, WorkspaceError};
use crate::core::project::LayerKey;

/// What [`Workspace::sync_from_disk`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub documents_added: Vec<String>,
    pub documents_removed: Vec<String>,
    /// Documents whose text changed on disk (reloaded when next shown).
    pub documents_changed: Vec<String>,
    /// Layers reloaded from disk (no unsaved edits of ours).
    pub layers_reloaded: Vec<LayerKey>,
    /// Layers changed on disk while we have unsaved edits: the user chooses.
    pub conflicts: Vec<LayerKey>,
}

impl SyncReport {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Adds an earlier report's findings (a later one's win where both name something).
    pub(super) fn merge(&mut self, earlier: Self) {
        fn add<T: PartialEq>(to: &mut Vec<T>, from: Vec<T>) {
            for x in from {
                if !to.contains(&x) {
                    to.push(x);
                }
            }
        }
        add(&mut self.documents_added, earlier.documents_added);
        add(&mut self.documents_removed, earlier.documents_removed);
        add(&mut self.documents_changed, earlier.documents_changed);
        add(&mut self.layers_reloaded, earlier.layers_reloaded);
        add(&mut self.conflicts, earlier.conflicts);
    }
}

/// What checking changed files needs, taken from the workspace so it can run on a thread.
pub(super) struct DiskCheck {
    /// Root and source folder, when something under the sources changed: listed again.
    pub(super) rescan: Option<(PathBuf, PathBuf)>,
    /// Loaded texts whose files changed: (document, file).
    pub(super) texts: Vec<(String, PathBuf)>,
    pub(super) layers: Vec<crate::core::project::LayerCheck>,
    /// Annotators' folders named as a whole: (folder, annotator, what the project knows of
    /// the annotator's layers); every layer file in them is checked.
    pub(super) folders: Vec<(PathBuf, String, Vec<crate::core::project::LayerCheck>)>,
}

/// What a [`DiskCheck`] read.
#[derive(Default)]
pub(super) struct DiskFindings {
    pub(super) documents: Option<Vec<crate::core::project::DocumentEntry>>,
    /// Each text's hash now (`None`: unreadable).
    pub(super) texts: Vec<(String, Option<String>)>,
    pub(super) layers: Vec<(LayerKey, crate::core::project::LayerOnDisk)>,
}

impl DiskCheck {
    pub(super) fn run(self) -> DiskFindings {
        DiskFindings {
            documents: self.rescan.and_then(|(root, sources)| {
                crate::core::project::scan_documents(&root, &sources).ok()
            }),
            texts: self
                .texts
                .into_iter()
                .map(|(doc, file)| {
                    let hash = std::fs::read(&file)
                        .ok()
                        .map(|b| crate::core::project::content_hash(&b));
                    (doc, hash)
                })
                .collect(),
            layers: {
                let mut checks = self.layers;
                let mut named: std::collections::HashSet<LayerKey> =
                    checks.iter().map(|c| c.key.clone()).collect();
                for (folder, annotator, known) in self.folders {
                    let inside =
                        crate::core::project::LayerCheck::in_folder(&folder, &annotator, known);
                    checks.extend(inside.into_iter().filter(|c| named.insert(c.key.clone())));
                }
                checks
                    .into_iter()
                    .map(|check| (check.key.clone(), check.run()))
                    .collect()
            },
        }
    }
}

/// How to settle an annotation file that changed on disk under unsaved edits. Whichever is
/// chosen, the version that loses is copied to `.tagdesk/conflicts/` first: nothing is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Ours is saved over theirs (theirs is copied to `.tagdesk/conflicts/` first).
    KeepMine,
    /// Theirs is loaded; ours, with the unsaved edits, is copied to `.tagdesk/conflicts/`.
    TakeTheirs,
}

impl Workspace {
    /// Takes in changes made on disk by others (a watcher saw these paths change): the document
    /// list, changed texts, and annotation files — reloaded when we have no unsaved edits on
    /// them, reported as conflicts when we do. Our own writes are recognised by their hash.
    /// Reads the files here; [`Self::check_disk_in_background`] reads them on a thread.
    pub fn sync_from_disk(&mut self, paths: &[PathBuf]) -> SyncReport {
        if let Some(report) = self.finish_disk_check(true) {
            // One under way lands first (its findings are older).
            let mut later = self.sync_from_disk(paths);
            later.merge(report);
            return later;
        }
        let findings = self.disk_check_for(paths).run();
        self.take_in_disk(findings)
    }

    /// Starts reading what changed at these paths on a thread; the window goes on.
    /// [`Self::finish_disk_check`] takes the findings in. Returns `false` (nothing started)
    /// while a save or another check runs: our own writes must land before files are compared.
    pub fn check_disk_in_background(&mut self, paths: &[PathBuf]) -> bool {
        if self.background.is_some() || self.disk_check.is_some() {
            return false;
        }
        let check = self.disk_check_for(paths);
        self.disk_check = Some(Job::start("tagdesk-disk", check, DiskCheck::run));
        true
    }

    /// Whether a [`Self::check_disk_in_background`] is under way (or done and not taken in).
    pub fn checking_disk(&self) -> bool {
        self.disk_check.is_some()
    }

    /// Takes in a disk check once it is done (with `wait`, waits for it); `None` while it
    /// runs, or when there is none.
    pub fn finish_disk_check(&mut self, wait: bool) -> Option<SyncReport> {
        if !wait && !self.disk_check.as_ref()?.is_finished() {
            return None;
        }
        let findings = self.disk_check.take()?.wait().unwrap_or_default();
        Some(self.take_in_disk(findings))
    }

    /// What checking these paths needs, taken from the workspace.
    pub(super) fn disk_check_for(&self, paths: &[PathBuf]) -> DiskCheck {
        let rescan = paths
            .iter()
            .any(|p| p.starts_with(&self.project.source_dir))
            .then(|| (self.project.root.clone(), self.project.source_dir.clone()));
        let mut texts = Vec::new();
        let mut layers: Vec<crate::core::project::LayerCheck> = Vec::new();
        // An annotator's folder that arrived whole (another tagdesk's import of a new
        // annotator renames it into place): the watcher names the folder, not its files. It
        // is listed on the check's thread, with what the project knows of its layers.
        let annotations = self
            .project
            .root
            .join(crate::core::project::ANNOTATIONS_DIR);
        let folders: Vec<(PathBuf, String, Vec<crate::core::project::LayerCheck>)> = paths
            .iter()
            .filter(|p| p.parent() == Some(annotations.as_path()))
            .filter_map(|folder| {
                let annotator = folder.file_name()?.to_str()?;
                crate::core::project::valid_layer_name(annotator).ok()?;
                let known = self
                    .project
                    .layers
                    .keys()
                    .filter(|k| k.annotator == annotator)
                    .map(|k| self.project.layer_check(k))
                    .collect();
                Some((folder.clone(), annotator.to_owned(), known))
            })
            .collect();
        for path in paths {
            if let Some(doc) = self.project.document_for_path(path)
                && self.project.document(&doc).is_some()
                && matches!(self.texts.get(&doc), Some(Ok(_)))
                && !texts.iter().any(|(d, _)| *d == doc)
            {
                texts.push((doc, path.clone()));
            }
            if let Some(key) = self.project.layer_key_for_path(path)
                && !layers.iter().any(|c| c.key == key)
            {
                layers.push(self.project.layer_check(&key));
            }
        }
        DiskCheck {
            rescan,
            texts,
            layers,
            folders,
        }
    }

    /// Compares what a [`DiskCheck`] read with the workspace as it is now (edits and saves may
    /// have happened since) and takes in what changed.
    pub(super) fn take_in_disk(&mut self, findings: DiskFindings) -> SyncReport {
        use crate::core::project::LayerOnDisk;
        let mut report = SyncReport::default();
        if let Some(documents) = findings.documents {
            (report.documents_added, report.documents_removed) =
                self.project.set_documents(documents);
        }
        for (doc, hash) in findings.texts {
            if self.project.document(&doc).is_some()
                && let Some(Ok(loaded)) = self.texts.get(&doc)
                && hash.as_deref() != Some(loaded.sha256.as_str())
            {
                self.texts.remove(&doc);
                report.documents_changed.push(doc);
            }
        }
        for (key, found) in findings.layers {
            match found {
                LayerOnDisk::Unchanged => {}
                LayerOnDisk::Same { hash, stamp } => {
                    self.project.note_layer_unchanged(&key, &hash, stamp);
                }
                LayerOnDisk::Changed(read) => {
                    let hash = match &read {
                        crate::core::project::LayerRead::Gone => None,
                        crate::core::project::LayerRead::Read { hash, .. } => Some(hash.as_str()),
                    };
                    if hash == self.project.disk_hash(&key) {
                        continue; // Our own save, landed since the check started.
                    }
                    if self.dirty.contains(&key) {
                        report.conflicts.push(key);
                    } else {
                        self.project.install_layer(&key, read);
                        report.layers_reloaded.push(key);
                    }
                }
            }
        }
        for doc in &report.documents_removed {
            self.texts.remove(doc);
        }
        report
    }

    /// Settles a layer that changed on disk under unsaved edits. Returns where a copy was kept.
    pub fn resolve_conflict(
        &mut self,
        key: &LayerKey,
        resolution: Resolution,
    ) -> Result<Option<PathBuf>, WorkspaceError> {
        let kept = match resolution {
            Resolution::KeepMine => {
                let kept = self
                    .project
                    .adopt_disk_version_as_base(key)
                    .map_err(|e| WorkspaceError::Disk(e.to_string()))?;
                self.mark_dirty(super::Dirty::Layer(key.clone()));
                kept
            }
            Resolution::TakeTheirs => {
                // Ours first: if the copy cannot be written, nothing is dropped.
                let kept = self
                    .project
                    .keep_copy(key)
                    .map_err(|e| WorkspaceError::Disk(e.to_string()))?;
                self.project.reload_layer(key);
                self.dirty.remove(key);
                self.clear_journal(key);
                Some(kept)
            }
        };
        self.history.break_coalescing();
        Ok(kept)
    }
}
