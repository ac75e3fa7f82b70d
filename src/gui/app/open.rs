//! Opening a project (read on a job while the window stays responsive), choosing a folder
//! (the native dialog on a thread, or the in-app chooser where the system has none), the
//! annotator and their lock, the background probe of every document.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use super::App;
use crate::core::Project;
use crate::gui::action::{DocProbe, Done, Opened};
use crate::gui::session::Session;
use crate::gui::state::Opening;

/// Probe results are sent in batches of this many documents.
const PROBE_BATCH: usize = 64;

impl App {
    pub(super) fn open_path(&mut self, ctx: &egui::Context, path: &Path, doc: Option<&str>) {
        let path = if path.is_file() {
            path.parent().map(Path::to_owned).unwrap_or_default()
        } else {
            path.to_owned()
        };
        if !path.is_dir() {
            self.alert(format!("Cannot open: no such folder: {}", path.display()));
            return;
        }
        if !Project::is_project(&path) {
            self.dialogs
                .open(crate::gui::dialogs::init::InitDialog { folder: path });
            return;
        }
        // Save the open project first; if that fails, stay (nothing may be lost).
        if let Some(session) = &mut self.session {
            let errors = session.save_now();
            if !errors.is_empty() {
                self.alert(format!(
                    "Could not save the current project, so it stays open:\n{}",
                    errors.join("\n")
                ));
                return;
            }
        }
        // Where this project was left, for the next time it is opened.
        if let Some((root, place)) = self.position() {
            self.prefs.positions.insert(root, place);
        }
        // Reading a big project takes a while: it happens on a job, the window stays
        // responsive. The previous project is closed first (its lock released: the job may
        // take the same one again); nothing can be edited while the next one loads.
        self.session = None;
        self.windows.close_project_windows();
        self.state.current_doc = None;
        self.state.selected = None;
        self.state.selection = None;
        self.state.linking = None;
        let ticket = self.jobs.ticket();
        let annotator = self.prefs.annotator.clone();
        let (job_path, job_ctx, job_annotator) = (path.clone(), ctx.clone(), annotator.clone());
        let started = self.jobs.run(ctx, "open", move || {
            let result = crate::core::Workspace::open(&job_path)
                .map(|ws| {
                    Box::new(Opened {
                        lock: crate::core::lock::AnnotatorLock::acquire(
                            &ws.project().root,
                            &job_annotator,
                        ),
                        watcher: crate::gui::watcher::FolderWatcher::start(
                            &job_ctx,
                            &ws.project().root,
                            &ws.project().source_dir,
                        ),
                        ws,
                    })
                })
                .map_err(|e| e.to_string());
            Done::ProjectOpened { ticket, result }
        });
        match started {
            Ok(()) => {
                self.say(format!("Opening {}…", path.display()), false);
                self.state.opening = Some(Opening {
                    ticket,
                    path,
                    document: doc.map(str::to_owned),
                    annotator,
                });
            }
            Err(err) => self.alert(format!("Cannot open the project: {err}")),
        }
    }

    /// Takes in a project read on its job.
    pub(super) fn finish_open(
        &mut self,
        ctx: &egui::Context,
        opening: &Opening,
        opened: Box<Opened>,
    ) {
        let Opened { ws, lock, watcher } = *opened;
        let (path, doc) = (opening.path.clone(), opening.document.as_deref());
        for err in &ws.project().layer_errors {
            self.alert(format!(
                "{}\nThis annotation file was not loaded and will not be overwritten; the rest of \
                 the project is open.",
                err.message
            ));
        }
        for warning in ws.project().warnings.clone() {
            self.alert(warning);
        }
        let mut session = Session::new(ws);
        // The lock first: recovery belongs to whoever holds an annotator, and a window that
        // does not must neither replay nor remove another live window's journal.
        let annotator = self.prefs.annotator.clone();
        if opening.annotator == annotator {
            session.adopt_lock(&annotator, lock, &mut self.actions);
        } else {
            drop(lock); // Taken for the annotator chosen before; released here.
            session.take_lock(&annotator, &mut self.actions);
        }
        let recovered = session.ws.recover();
        if session.ws.dirty_layers().is_empty() && !session.ws.is_dirty() {
            if !recovered.is_empty() {
                self.alert(format!(
                    "About crash journals in this project:\n{}",
                    recovered.join("\n")
                ));
            }
        } else {
            self.alert(format!(
                "A session that ended without saving left unsaved edits. From its journal:\n{}\n\n\
                 The recovered edits are not saved yet; they will be with the next save.",
                recovered.join("\n")
            ));
        }
        session.watcher = match watcher {
            Ok(watcher) => {
                if watcher.polling {
                    self.say(
                        "This folder gives no change events: it is polled every second.",
                        false,
                    );
                }
                Some(watcher)
            }
            Err(err) => {
                self.alert(format!(
                    "Changes made on disk by others will not show until the project is reopened: {err}"
                ));
                None
            }
        };
        if let Some(doc) = doc
            && session.ws.project().document(doc).is_none()
        {
            self.alert(format!(
                "There is no document \"{doc}\" in {}; opened the first one instead.",
                session.ws.project().source_dir.display()
            ));
        }
        // Reopened without a document asked for: where it was left last time.
        let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
        let left_at = self
            .prefs
            .positions
            .get(&canonical)
            .filter(|(d, _)| doc.is_none() && session.ws.project().document(d).is_some())
            .cloned();
        let first = doc
            .filter(|d| session.ws.project().document(d).is_some())
            .map(str::to_owned)
            .or_else(|| left_at.as_ref().map(|(d, _)| d.clone()))
            .or_else(|| {
                session
                    .ws
                    .project()
                    .documents
                    .first()
                    .map(|d| d.path.clone())
            });
        self.prefs.opened(path);
        self.say(
            format!(
                "Opened {} ({})",
                session.ws.project().name(),
                crate::gui::count(
                    session.ws.project().documents.len(),
                    "document",
                    "documents"
                )
            ),
            false,
        );
        self.session = Some(session);
        self.state.current_doc = None;
        self.start_probe(ctx);
        if let Some(first) = first {
            self.select_document(&first);
            if let Some((_, char_offset)) = left_at.filter(|(d, _)| *d == first) {
                self.actions
                    .push(crate::gui::action::Action::RestorePlace(char_offset));
            }
        }
    }

    /// Reads every document on a job to list unusable ones (binary, not UTF-8, empty).
    pub(super) fn start_probe(&mut self, ctx: &egui::Context) {
        let Some(session) = &mut self.session else {
            return;
        };
        session.probe_cancel.store(true, Ordering::Relaxed);
        session.probe_cancel = std::sync::Arc::default();
        session.probes.clear();
        let cancel = std::sync::Arc::clone(&session.probe_cancel);
        let project = session.ws.project();
        let files: Vec<(String, PathBuf)> = project
            .documents
            .iter()
            .map(|d| (d.path.clone(), project.document_file(&d.path)))
            .collect();
        let ticket = self.jobs.ticket();
        let started = self.jobs.spawn(ctx, "probe", move |sender| {
            let mut batch = Vec::new();
            for (path, file) in files {
                if cancel.load(Ordering::Relaxed) {
                    return; // Another project was opened, or the list changed.
                }
                let probe = match std::fs::read(&file) {
                    Ok(bytes) => match crate::core::SourceText::from_bytes(&bytes) {
                        Ok(text) => DocProbe::Ok {
                            chars: text.char_len(),
                            first_line: crate::core::text::first_line(text.as_str()),
                        },
                        Err(err) => DocProbe::Unusable(err.to_string()),
                    },
                    Err(err) => DocProbe::Unusable(format!("cannot read: {err}")),
                };
                batch.push((path, probe));
                if batch.len() == PROBE_BATCH {
                    let probes = std::mem::take(&mut batch);
                    let finished = false;
                    if !sender.send(Done::Probed {
                        ticket,
                        probes,
                        finished,
                    }) {
                        return;
                    }
                }
            }
            sender.send(Done::Probed {
                ticket,
                probes: batch,
                finished: true,
            });
        });
        session.probing = started.is_ok().then_some(ticket);
    }

    pub(super) fn set_annotator(&mut self, name: &str) {
        if crate::core::project::valid_annotator_name(name).is_err() {
            return;
        }
        let old = std::mem::replace(&mut self.prefs.annotator, name.to_owned());
        if let Some(session) = &mut self.session {
            session.ws.set_held_elsewhere(&old, false);
            session.take_lock(name, &mut self.actions);
        }
        self.dialogs
            .close::<crate::gui::dialogs::annotator::AnnotatorDialog>();
        self.state.selected = None;
        self.state.selection = None;
        self.panels.labels.forget_note();
        self.say(format!("Annotating as {name}"), false);
    }

    /// Open project / Open folder: the system's folder dialog on a thread (it blocks), or the
    /// in-app chooser when the system has no dialog to show.
    pub(super) fn choose_folder(&mut self, ctx: &egui::Context, title: &'static str) {
        if self.state.builtin_file_dialog {
            self.open_chooser(None);
            return;
        }
        if let Some(why) = crate::gui::dialogs::chooser::native_dialog_missing() {
            self.open_chooser(Some(why));
            return;
        }
        let start_dir = self.start_dir();
        let sender = self.jobs.sender(ctx);
        let spawned = crate::core::job::spawn("tagdesk-dialog", move || {
            let asked = std::time::Instant::now();
            let mut dialog = rfd::FileDialog::new().set_title(title);
            if let Some(dir) = start_dir {
                dialog = dialog.set_directory(dir);
            }
            let picked = dialog.pick_folder();
            // No answer at once: the dialog could not be shown at all.
            if picked.is_none() && asked.elapsed() < std::time::Duration::from_millis(150) {
                sender.send(Done::NoFileDialog(
                    "The system's file dialog could not be shown.".to_owned(),
                ));
            } else {
                sender.send(Done::Picked(picked));
            }
        });
        if spawned.is_err() {
            self.open_chooser(Some("No thread for the system's file dialog.".to_owned()));
        }
    }

    /// The in-app folder chooser, saying why it stands in for the system's dialog.
    pub(super) fn open_chooser(&mut self, why: Option<String>) {
        let start = self
            .start_dir()
            .unwrap_or_else(|| PathBuf::from(std::path::MAIN_SEPARATOR_STR));
        self.dialogs
            .open(crate::gui::dialogs::chooser::FolderChooser::new(
                &start,
                why,
                crate::gui::dialogs::chooser::Purpose::Open,
            ));
    }

    fn start_dir(&self) -> Option<PathBuf> {
        self.ws()
            .and_then(|w| w.project().root.parent().map(Path::to_owned))
            .or_else(|| std::env::current_dir().ok())
    }
}
