//! What runs every frame before drawing, and also while the window is hidden (eframe calls
//! `App::logic` then, and no `ui`): finished jobs are taken in, the current text is read and
//! its spans re-anchored on jobs, disk changes are taken in, autosave runs, closing is handled.

use std::sync::Arc;

use super::App;
use crate::gui::action::{Action, Done};

impl App {
    /// The frame's logic. Public so tests can run it as eframe does for a hidden window.
    pub fn logic_step(&mut self, ctx: &egui::Context) {
        let done = self.jobs.drain();
        self.actions.extend(done);
        self.apply_queued(ctx);
        self.start_text_job(ctx);
        self.start_reanchor_job(ctx);
        self.take_in_disk_changes(ctx);
        self.start_waiting_export(ctx);
        self.team_logic(ctx);
        self.team_arrived(ctx);
        let blocked = !self.dialogs.alerts.is_empty();
        let annotator = self.layer_name().to_owned();
        if let Some(session) = &mut self.session {
            // A sync reads and merges the files: autosave waits for it (edits stay in memory
            // and in the journal meanwhile).
            let blocked = blocked || session.team.syncing.is_some();
            session.autosave(ctx, blocked, &mut self.actions);
            session
                .learning
                .refresh(ctx, &session.ws, &annotator, &session.suggestions.settings);
            let generation = session.learning.generation;
            session.suggestions.refresh(
                ctx,
                &session.ws,
                &annotator,
                self.state.current_doc.as_deref(),
                session.learning.model.as_ref().map(|m| (m, generation)),
            );
        }
        self.handle_close(ctx);
        self.apply_queued(ctx);
        self.update_title(ctx);
    }

    /// Applies every queued action, in order (an action may queue more: those too).
    pub(super) fn apply_queued(&mut self, ctx: &egui::Context) {
        for _ in 0..8 {
            if self.actions.is_empty() {
                return;
            }
            for action in self.actions.take() {
                self.apply(ctx, action);
            }
        }
    }

    /// Takes in a finished job.
    pub(super) fn take_in(&mut self, ctx: &egui::Context, done: Done) {
        match done {
            Done::ProjectOpened { ticket, result } => {
                if self
                    .state
                    .opening
                    .as_ref()
                    .is_none_or(|o| o.ticket != ticket)
                {
                    return; // Another project was asked for meanwhile.
                }
                let Some(opening) = self.state.opening.take() else {
                    return;
                };
                match result {
                    Ok(opened) => self.finish_open(ctx, &opening, opened),
                    Err(err) => self.alert(format!("Cannot open the project: {err}")),
                }
            }
            Done::TextLoaded { document, result } => {
                let Some(session) = &mut self.session else {
                    return;
                };
                if session.loading_text.as_deref() == Some(document.as_str()) {
                    session.loading_text = None;
                }
                if session.ws.project().document(&document).is_some() {
                    session.ws.insert_text(&document, result.map(Arc::new));
                }
                if self.state.current_doc.as_deref() == Some(document.as_str())
                    && let Some((char_offset, at_top)) = self.state.pending_reveal.take()
                    && let Some(text) = self.current_text()
                {
                    self.panels
                        .document
                        .view
                        .scroll_to(&text.text, char_offset, at_top);
                }
            }
            Done::Reanchored(planned) => self.finish_reanchor(planned),
            Done::PlacesPlanned(planned) => self.finish_annotate_many(*planned),
            Done::Probed {
                ticket,
                probes,
                finished,
            } => {
                let Some(session) = &mut self.session else {
                    return;
                };
                if session.probing != Some(ticket) {
                    return;
                }
                session.probes.extend(probes);
                if finished {
                    session.probing = None;
                }
            }
            Done::FoundDisagreement(found) => {
                if let Some(session) = &mut self.session {
                    session.stepping = false;
                }
                match found {
                    Some((doc, range)) => {
                        self.say("", false);
                        self.go_to_disagreement(&doc, range);
                    }
                    None => self.say("No disagreements among the compared layers", false),
                }
            }
            Done::Picked(path) => {
                if let Some(path) = path {
                    self.actions.push(Action::OpenPath(path, None));
                }
            }
            Done::NoFileDialog(why) => self.open_chooser(Some(why)),
        }
    }

    /// The current document's text is read on a thread the first time it is shown (a 10 MB
    /// file takes tens of milliseconds); the view says "Loading…" meanwhile.
    fn start_text_job(&mut self, ctx: &egui::Context) {
        let (Some(session), Some(doc)) = (&mut self.session, self.state.current_doc.clone()) else {
            return;
        };
        if session.ws.cached_text(&doc).is_some()
            || session.loading_text.as_deref() == Some(doc.as_str())
        {
            return;
        }
        if session.ws.project().document(&doc).is_none() {
            // Not in the source folder (an orphaned layer): nothing to read.
            let text = session.ws.project().read_text(&doc).map(Arc::new);
            session.ws.insert_text(&doc, text);
            return;
        }
        let file = session.ws.project().document_file(&doc);
        let document = doc.clone();
        let started = self.jobs.run(ctx, "text", move || Done::TextLoaded {
            document,
            result: crate::core::project::load_text_file(&file),
        });
        match started {
            Ok(()) => session.loading_text = Some(doc),
            // No thread to be had: read it here rather than not at all.
            Err(_) => {
                let _ = session.ws.text(&doc);
            }
        }
    }

    /// If the current text changed since its spans were made, places them again on a job (the
    /// view says so meanwhile; the old places may be wrong).
    fn start_reanchor_job(&mut self, ctx: &egui::Context) {
        let Some(key) = self.current_key() else {
            return;
        };
        let Some(session) = &mut self.session else {
            return;
        };
        if session.reanchoring.is_some() || session.ws.project().is_locked(&key) {
            return;
        }
        let Some(Ok(text)) = session.ws.cached_text(&key.document) else {
            return;
        };
        let refused = session
            .reanchor_refused
            .as_ref()
            .is_some_and(|(k, sha)| *k == key && *sha == text.sha256);
        if refused {
            return;
        }
        let Some(plan) = session.ws.reanchor_plan(&key) else {
            return;
        };
        // Placing 100k spans takes a moment: on a thread, the window goes on.
        let spans = plan.len();
        if self
            .jobs
            .run(ctx, "reanchor", move || Done::Reanchored(plan.run()))
            .is_ok()
        {
            session.reanchoring = Some((key, spans));
        }
    }

    /// Takes in a re-anchoring planned on a thread: applied as one undo step, or planned again
    /// if the layer or its text changed meanwhile.
    fn finish_reanchor(&mut self, planned: crate::core::reanchor::PlannedReanchor) {
        let Some(session) = &mut self.session else {
            return;
        };
        session.reanchoring = None;
        let key = planned.key.clone();
        let doc = key.document.clone();
        match session.ws.apply_reanchor(planned) {
            Ok(report) => {
                self.alert(format!(
                    "The text of {doc} changed since your annotations were made. {} spans are \
                     where they were, {} moved with their text, {} need review (marked \
                     [review] in the annotation list; their last position is kept). \
                     Ctrl+Z undoes this.",
                    report.unchanged,
                    report.moved.len(),
                    report.needs_review.len()
                ));
            }
            // Edited meanwhile: the next frame plans again.
            Err(crate::core::workspace::WorkspaceError::Stale) => {}
            Err(err) => {
                session.reanchor_refused = session
                    .ws
                    .cached_text(&key.document)
                    .and_then(|t| t.as_ref().ok())
                    .map(|t| (key.clone(), t.sha256.clone()));
                self.say(err.to_string(), true);
            }
        }
    }

    /// What the folder watcher saw, once the files are read: documents listed again, the view
    /// reset if its text changed, conflicts to the dialog.
    fn take_in_disk_changes(&mut self, ctx: &egui::Context) {
        let Some(session) = &mut self.session else {
            return;
        };
        let Some(report) = session.take_in_disk_changes(ctx, &mut self.actions) else {
            return;
        };
        if !report.documents_added.is_empty() || !report.documents_removed.is_empty() {
            self.start_probe(ctx);
        }
        if let Some(doc) = &self.state.current_doc
            && (report.documents_changed.contains(doc) || report.documents_removed.contains(doc))
        {
            self.panels.document.view.reset();
        }
        // The selected span may have gone with a reloaded file.
        self.forget_vanished_selection();
    }

    /// An export waits for the save of unsaved edits: start it once that is done.
    fn start_waiting_export(&mut self, ctx: &egui::Context) {
        let Some(session) = &mut self.session else {
            return;
        };
        if !session.save_flow.export_waiting {
            return;
        }
        if session.saving() {
            ctx.request_repaint_after(std::time::Duration::from_millis(20));
            return;
        }
        session.save_flow.export_waiting = false;
        let Some(window) = self
            .windows
            .get_mut::<crate::gui::windows::interchange::Interchange>()
        else {
            return;
        };
        if session.save_flow.last_failed {
            window.outcome = Some(Err(
                "The project could not be saved; the export would miss unsaved edits. Nothing \
                 was exported."
                    .to_owned(),
            ));
        } else {
            window.start_export(ctx, session.ws.project().root.clone());
        }
    }

    fn handle_close(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) || self.chrome.close_confirmed {
            return;
        }
        if let Some(session) = &mut self.session {
            let errors = session.save_now();
            if !errors.is_empty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.alert(format!(
                    "Not closing: these annotations could not be saved and would be lost.\n{}",
                    errors.join("\n")
                ));
                return;
            }
            // Syncing by itself is on: the work goes to the team before the window closes. The
            // window stays until the sync ends (offline or not: the work is committed either
            // way); asking to close again closes at once.
            if self.prefs.team_sync_minutes > 0
                && session.team.is_shared()
                && !session.team.close_after_sync
                && session.team.failed.is_none()
            {
                session.team.close_after_sync = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.team_sync(ctx);
                self.say(
                    "Sending your work to the team before closing… (close again to skip)",
                    false,
                );
                return;
            }
        }
        self.chrome.close_confirmed = true;
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let mut title = String::from("tagdesk");
        if let Some(ws) = self.ws() {
            title = format!("{} — {title}", ws.project().name());
            if let Some(doc) = &self.state.current_doc {
                title = format!("{doc} — {title}");
            }
            if ws.is_dirty() {
                title = format!("● {title}");
            }
        }
        if title != self.chrome.window_title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.chrome.window_title = title;
        }
    }
}
