//! What exists while a project is open: the workspace, this instance's lock on the annotator,
//! the folder watcher, what changed on disk, the save flow, and the state of the background
//! work on the project. It reports to the user through the [`ActionQueue`] (status messages,
//! alerts) and never draws.

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::action::{Action, ActionQueue, DocProbe};
use crate::core::Workspace;
use crate::core::lock::{AnnotatorLock, LockError};
use crate::core::project::LayerKey;

/// Autosave runs this long after the last edit.
pub const AUTOSAVE_DELAY: Duration = Duration::from_secs(3);

/// Saves asked for and what waits on them.
#[derive(Debug, Default)]
pub struct SaveFlow {
    /// Ctrl+S came while changed files were being read: saving follows once they are in.
    pub requested: bool,
    /// An export waits for the save of unsaved edits (it reads the saved files).
    pub export_waiting: bool,
    /// The last save reported errors.
    pub last_failed: bool,
}

pub struct Session {
    pub ws: Workspace,
    /// This instance's claim on the current annotator in the project.
    pub lock: Option<AnnotatorLock>,
    /// Why the lock could not be taken (the window is then read-only for the annotator).
    pub lock_error: Option<LockError>,
    /// Watches the project and source folders for changes made by others.
    pub watcher: Option<super::watcher::FolderWatcher>,
    /// Changed paths not yet taken in (debounced), and when the last one came.
    pub disk_changes: (Vec<PathBuf>, Option<Instant>),
    /// Annotation files changed on disk under unsaved edits: the user chooses, one at a time.
    pub disk_conflicts: Vec<LayerKey>,
    pub save_flow: SaveFlow,
    /// When the last edit was made (autosave follows [`AUTOSAVE_DELAY`] later).
    pub last_edit: Option<Instant>,
    /// The workspace's revision autosave last saw: every change passes the workspace's one
    /// door, which counts it, so nothing here has to be told about an edit.
    seen_revision: u64,
    /// Every document decoded once in the background, to flag unusable ones.
    pub probes: HashMap<String, DocProbe>,
    /// The probe job's ticket while it runs, and its stop flag.
    pub probing: Option<super::jobs::Ticket>,
    pub probe_cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The document whose text is being read on a thread.
    pub loading_text: Option<String>,
    /// The layer being re-anchored to its changed text on a thread, and how many spans.
    pub reanchoring: Option<(LayerKey, usize)>,
    /// A layer whose re-anchoring to the text with this hash could not be applied, or was
    /// undone: not done again (until the text changes once more).
    pub reanchor_refused: Option<(LayerKey, String)>,
    /// F8 is looking through the other documents on a thread.
    pub stepping: bool,
    /// The last disagreement stepped to or focused (document, range).
    pub focus: Option<(String, Range<usize>)>,
    /// What the coding so far proposes (dashed outlines; F4, Enter, Delete).
    pub suggestions: super::suggestions::Suggestions,
    /// The model learned from the coding, trained in the background.
    pub learning: super::learning::Learning,
    /// Where the project stands with the team (git), and a sync under way.
    pub team: super::team::TeamState,
}

impl Drop for Session {
    fn drop(&mut self) {
        // A probe still reading the closed project's files stops.
        self.probe_cancel
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Session {
    pub fn new(ws: Workspace) -> Self {
        Self {
            suggestions: super::suggestions::Suggestions::load(&ws),
            ws,
            lock: None,
            lock_error: None,
            watcher: None,
            disk_changes: (Vec::new(), None),
            disk_conflicts: Vec::new(),
            save_flow: SaveFlow::default(),
            last_edit: None,
            seen_revision: 0,
            probes: HashMap::new(),
            probing: None,
            probe_cancel: std::sync::Arc::default(),
            loading_text: None,
            reanchoring: None,
            reanchor_refused: None,
            stepping: false,
            focus: None,
            team: super::team::TeamState::default(),
            learning: super::learning::Learning::default(),
        }
    }

    /// Autosave counts from now (after a change, or a save that failed and is retried).
    fn restart_autosave_clock(&mut self) {
        self.last_edit = Some(Instant::now());
    }

    /// A save is being written, or changed files read, in the background (or a save waits
    /// for such a read to end).
    pub fn saving(&self) -> bool {
        self.save_flow.requested || self.ws.saving_in_background() || self.ws.checking_disk()
    }

    /// Ctrl+S: everything unsaved is written on a thread (after a save under way, which may
    /// predate the latest edits); the status bar says when it is done.
    pub fn save_soon(&mut self, out: &mut ActionQueue) {
        if self.ws.checking_disk() {
            // Changed files are being read: the save starts once they are taken in.
            self.save_flow.requested = true;
            return;
        }
        self.save_flow.requested = false;
        if let Some(report) = self.ws.finish_background_save(true) {
            self.save_report(&report, out);
        }
        if let Some(report) = self.ws.save_in_background() {
            self.last_edit = None;
            let writing = self.ws.saving_in_background();
            if report.errors.is_empty() && writing {
                out.say("Saving…", false);
            } else {
                // Nothing went to the thread (nothing unsaved, or only the manifest).
                self.save_report(&report, out);
            }
        }
    }

    /// Takes in what a save did.
    fn save_report(&mut self, report: &crate::core::workspace::SaveReport, out: &mut ActionQueue) {
        self.save_flow.last_failed = !report.errors.is_empty();
        if report.errors.is_empty() {
            if !report.saved.is_empty() {
                out.say(format!("Saved {} file(s)", report.saved.len()), false);
            }
        } else {
            out.push(Action::Alert(format!(
                "Some annotations could not be saved. They stay in memory; saving is retried.\n{}",
                report.errors.join("\n")
            )));
            self.restart_autosave_clock();
        }
    }

    /// Autosave writes on a thread (a 100k-span layer is tens of megabytes of JSON); edits go
    /// on meanwhile, and what they changed stays unsaved for the next round. `blocked`: a
    /// dialog about saving is open (alerts, conflicts), so it waits.
    pub fn autosave(&mut self, ctx: &egui::Context, blocked: bool, out: &mut ActionQueue) {
        if self.ws.revision() != self.seen_revision {
            self.seen_revision = self.ws.revision();
            self.restart_autosave_clock();
        }
        if self.ws.saving_in_background() {
            let Some(report) = self.ws.finish_background_save(false) else {
                ctx.request_repaint_after(Duration::from_millis(30));
                return;
            };
            self.save_report(&report, out);
            // Taken in after this frame was drawn: show it.
            ctx.request_repaint();
        }
        if self.save_flow.requested {
            if self.ws.checking_disk() {
                ctx.request_repaint_after(Duration::from_millis(20));
            } else {
                self.save_soon(out);
            }
        }
        let Some(last) = self.last_edit else { return };
        if !self.ws.is_dirty() {
            self.last_edit = None;
            return;
        }
        let elapsed = last.elapsed();
        if elapsed >= AUTOSAVE_DELAY && !blocked && self.disk_conflicts.is_empty() {
            self.save_soon(out);
            ctx.request_repaint_after(Duration::from_millis(30));
        } else {
            ctx.request_repaint_after(
                AUTOSAVE_DELAY
                    .saturating_sub(elapsed)
                    .max(Duration::from_millis(50)),
            );
        }
    }

    /// Saves everything now, in place (closing, opening another project). The errors, if any.
    pub fn save_now(&mut self) -> Vec<String> {
        if self.ws.is_dirty() {
            self.ws.save().errors
        } else {
            Vec::new()
        }
    }

    /// Every path the watcher covers, for a full look after lost events.
    fn every_watched_path(&self) -> Vec<PathBuf> {
        let project = self.ws.project();
        let mut paths = vec![project.source_dir.clone()];
        paths.extend(
            project
                .documents
                .iter()
                .map(|d| project.document_file(&d.path)),
        );
        paths.extend(project.layers.keys().map(|k| project.layer_file(k)));
        paths
    }

    /// Collects what the folder watcher saw; 300 ms after the last event, hands it to the
    /// workspace (files are read on a thread) and reports what it found once that is in.
    pub fn take_in_disk_changes(
        &mut self,
        ctx: &egui::Context,
        out: &mut ActionQueue,
    ) -> Option<crate::core::workspace::SyncReport> {
        const SETTLE: Duration = Duration::from_millis(300);
        if let Some(watcher) = &self.watcher {
            for change in watcher.drain() {
                let paths = match change {
                    super::watcher::Change::Paths(paths) => paths,
                    super::watcher::Change::Everything => self.every_watched_path(),
                };
                self.disk_changes.0.extend(paths);
                self.disk_changes.1 = Some(Instant::now());
            }
        }
        if let Some(last) = self.disk_changes.1 {
            if last.elapsed() < SETTLE {
                ctx.request_repaint_after(SETTLE.saturating_sub(last.elapsed()));
            } else if !self.ws.checking_disk() {
                let mut paths = std::mem::take(&mut self.disk_changes.0);
                paths.sort();
                paths.dedup();
                // Files are read on a thread; not while our own save is under way (it must
                // land and be recorded before files are compared): the next frames try again.
                if self.ws.check_disk_in_background(&paths) {
                    self.disk_changes.1 = None;
                } else {
                    self.disk_changes.0 = paths;
                    ctx.request_repaint_after(Duration::from_millis(20));
                }
            }
        }
        let Some(report) = self.ws.finish_disk_check(false) else {
            if self.ws.checking_disk() {
                ctx.request_repaint_after(Duration::from_millis(10));
            }
            return None;
        };
        if report.is_empty() {
            return None;
        }
        // Taken in after this frame was drawn: show it.
        ctx.request_repaint();
        let mut parts = Vec::new();
        if !report.documents_added.is_empty() {
            parts.push(format!(
                "{} document(s) added",
                report.documents_added.len()
            ));
        }
        if !report.documents_removed.is_empty() {
            parts.push(format!(
                "{} removed (their annotations are kept)",
                report.documents_removed.len()
            ));
        }
        if !report.documents_changed.is_empty() {
            parts.push(format!(
                "{} text(s) changed",
                report.documents_changed.len()
            ));
        }
        if !report.layers_reloaded.is_empty() {
            parts.push(format!(
                "{} annotation file(s) reloaded",
                report.layers_reloaded.len()
            ));
        }
        if !parts.is_empty() {
            out.say(format!("On disk: {}", parts.join(", ")), false);
        }
        self.disk_conflicts.extend(report.conflicts.iter().cloned());
        Some(report)
    }

    /// Holds the lock taken for `annotator`, or shows why their files are read-only.
    pub fn adopt_lock(
        &mut self,
        annotator: &str,
        lock: Result<AnnotatorLock, LockError>,
        out: &mut ActionQueue,
    ) {
        // Who is at the keyboard: a span they change in someone else's layer (the curated
        // one) records them.
        self.ws.set_editor(Some(annotator));
        match lock {
            Ok(lock) => {
                self.ws.set_held_elsewhere(annotator, false);
                if let Some(old) = &lock.took_over {
                    out.say(
                        format!(
                            "Took over the lock of a tagdesk that ended without closing (process {}).",
                            old.pid
                        ),
                        false,
                    );
                }
                self.lock = Some(lock);
                self.lock_error = None;
            }
            Err(err) => {
                self.ws.set_held_elsewhere(annotator, true);
                out.push(Action::Alert(err.to_string()));
                self.lock_error = Some(err);
            }
        }
    }

    /// Claims `annotator` in this project (releasing the previous claim first).
    pub fn take_lock(&mut self, annotator: &str, out: &mut ActionQueue) {
        self.lock = None;
        let lock = AnnotatorLock::acquire(&self.ws.project().root, annotator);
        self.adopt_lock(annotator, lock, out);
    }

    /// Whether this window may not write the annotator's files (another tagdesk holds them).
    pub fn read_only(&self, annotator: &str) -> bool {
        self.lock.is_none() && self.ws.is_held_elsewhere(annotator)
    }
}
