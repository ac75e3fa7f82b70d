//! Team work in the window: sync (save, then `core::team::sync` on a task — autosave waits
//! meanwhile — then what arrived is taken in: the changed layers and texts like any change on
//! disk, the project reopened where it was when shared files changed), and the team status the
//! status bar shows, read again on a task after each save and sync (never while idle).

use std::path::PathBuf;

use super::App;
use crate::core::team::{self, SyncReport};
use crate::gui::jobs::Task;

impl App {
    /// Saves, then syncs on a task. Refused in a window that does not hold the annotator (the
    /// one that does syncs).
    pub(super) fn team_sync(&mut self, ctx: &egui::Context) {
        let annotator = self.prefs.annotator.clone();
        let Some(session) = &mut self.session else {
            return;
        };
        if session.team.syncing.is_some() {
            return;
        }
        if session.read_only(&annotator) {
            self.alert(format!(
                "This window cannot write {annotator}'s files, so it does not sync: sync in the \
                 window that holds {annotator}, or change the annotator."
            ));
            return;
        }
        let errors = session.save_now();
        if !errors.is_empty() {
            self.alert(format!(
                "The project could not be saved, so nothing was synced:\n{}",
                errors.join("\n")
            ));
            return;
        }
        let root = session.ws.project().root.clone();
        session.team.failed = None;
        session.team.last_attempt = Some(std::time::Instant::now());
        session.team.syncing = Some(Task::spawn(ctx, "tagdesk-team-sync", move || {
            team::sync(&root, &annotator)
        }));
        self.say("Syncing with the team…", false);
    }

    /// Takes in a finished sync and keeps the status fresh (every frame; cheap when idle).
    pub(super) fn team_logic(&mut self, ctx: &egui::Context) {
        let Some(session) = &mut self.session else {
            return;
        };
        if let Some(result) = session.team.checking.as_mut().and_then(Task::poll) {
            session.team.checking = None;
            session.team.status = result.ok().and_then(Result::ok);
        }
        if let Some(result) = session.team.syncing.as_mut().and_then(Task::poll) {
            session.team.syncing = None;
            session.team.checked_at = None;
            // What arrived is read again (two syncs in one second record the same time).
            session.team.arrived_for = None;
            session.team.reading_arrived = None;
            if std::mem::take(&mut session.team.close_after_sync) {
                // Closing waited for this sync. Whatever it says, nothing is lost: the work was
                // saved before it began (and committed here unless git itself failed).
                self.chrome.close_confirmed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                return;
            }
            match result {
                Ok(Ok(report)) => self.synced(ctx, &report),
                Ok(Err(e)) => {
                    let text = format!("Sync failed: {e}");
                    session.team.failed = Some(text.clone());
                    self.alert(text);
                }
                Err(e) => {
                    let text = format!("Sync failed: it stopped unexpectedly ({e})");
                    session.team.failed = Some(text.clone());
                    self.alert(text);
                }
            }
            return;
        }
        // Syncing by itself every N minutes (a wake-up then, nothing in between).
        let minutes = self.prefs.team_sync_minutes;
        let Some(session) = &mut self.session else {
            return;
        };
        if minutes > 0
            && session.team.syncing.is_none()
            && let Some(status) = &session.team.status
        {
            let period = std::time::Duration::from_secs(u64::from(minutes) * 60);
            let synced = status
                .last_sync
                .as_deref()
                .and_then(|t| humantime::parse_rfc3339(t).ok())
                .and_then(|t| t.elapsed().ok())
                .unwrap_or(period);
            let tried = session.team.last_attempt.map_or(period, |t| t.elapsed());
            let since = synced.min(tried);
            if since >= period && session.team.failed.is_none() {
                self.team_sync(ctx);
                return;
            }
            ctx.request_repaint_after(period.saturating_sub(since));
        }
        let Some(session) = &mut self.session else {
            return;
        };
        // The status is read again once the workspace is saved after a change (and at open).
        let revision = session.ws.revision();
        if session.team.checking.is_none()
            && session.team.syncing.is_none()
            && session.team.checked_at != Some(revision)
            && !session.ws.is_dirty()
            && !session.ws.saving_in_background()
        {
            // The first look after opening asks the remote too (what is incoming); offline, it
            // says what is known here.
            let fetch = session.team.checked_at.is_none() && !session.team.fetched;
            session.team.fetched = true;
            session.team.checked_at = Some(revision);
            let root = session.ws.project().root.clone();
            session.team.checking =
                Some(Task::spawn(
                    ctx,
                    "tagdesk-team-status",
                    move || match team::status(&root, fetch) {
                        Err(e) if e.is_offline() => team::status(&root, false),
                        other => other,
                    },
                ));
        }
    }

    /// The team's actions (see `apply`).
    pub(super) fn team_action(&mut self, ctx: &egui::Context, action: crate::gui::action::Action) {
        use crate::gui::action::Action;
        match action {
            Action::TeamChanged => self.team_changed(),
            Action::SetTeamSyncMinutes(m) => self.prefs.team_sync_minutes = m,
            Action::TeamChoose { index, theirs } => self.team_choose(ctx, index, theirs),
            Action::ReviewArrived {
                document,
                annotator,
            } => self.review_arrived(&document, &annotator),
            _ => {}
        }
    }

    /// The Team menu's commands.
    pub(super) fn team_command(
        &mut self,
        ctx: &egui::Context,
        command: crate::gui::commands::Command,
    ) {
        use crate::gui::commands::Command;
        use crate::gui::windows::team::{JoinWindow, TeamWindow};
        match command {
            Command::TeamSync => self.team_sync(ctx),
            Command::TeamWindow | Command::TeamShare => self.windows.toggle(TeamWindow::default),
            Command::TeamJoin => self.windows.toggle(JoinWindow::default),
            _ => {}
        }
    }

    /// Reads what arrived in the last sync (for the review panel) once per sync, on a task.
    pub(super) fn team_arrived(&mut self, ctx: &egui::Context) {
        let me = self.prefs.annotator.clone();
        let Some(session) = &mut self.session else {
            return;
        };
        let team = &mut session.team;
        if let Some((stamp, task)) = &mut team.reading_arrived
            && let Some(result) = task.poll()
        {
            team.arrived_for = Some(stamp.clone());
            team.arrived = Some(std::sync::Arc::new(result.unwrap_or_default()));
            team.reading_arrived = None;
        }
        let Some(status) = &team.status else {
            return;
        };
        let stamp = status.last_sync.clone().unwrap_or_default();
        if team.reading_arrived.is_none() && team.arrived_for.as_ref() != Some(&stamp) {
            let root = session.ws.project().root.clone();
            let task = Task::spawn(ctx, "tagdesk-team-arrived", move || {
                team::history::arrived(&root, &me).unwrap_or_default()
            });
            team.reading_arrived = Some((stamp, task));
        }
    }

    /// The Team window's "Review" on what a colleague's work brought to a document: the
    /// document, and the review panel comparing the user's layer with the colleague's, showing
    /// only what arrived.
    pub(super) fn review_arrived(&mut self, document: &str, annotator: &str) {
        let me = self.prefs.annotator.clone();
        if self.state.current_doc.as_deref() != Some(document) {
            self.select_document(document);
        }
        if self.panels.review.is_none() {
            self.panels.review = self.ws().map(crate::gui::panels::review::Review::new);
        }
        let Some(review) = self.panels.review.as_mut() else {
            return;
        };
        review.compare = vec![me, annotator.to_owned()];
        review.since_sync = true;
        review.focus = None;
        // The Team window would stand over the panel.
        self.windows
            .close::<crate::gui::windows::team::TeamWindow>();
    }

    fn synced(&mut self, ctx: &egui::Context, report: &SyncReport) {
        let Some(session) = &mut self.session else {
            return;
        };
        session.team.offline.clone_from(&report.offline);
        let root = session.ws.project().root.clone();
        self.say(
            format!("Synced: {}", report.summary()),
            report.offline.is_some(),
        );
        let Some(session) = &mut self.session else {
            return;
        };
        // Shared files (schema, entities, metadata) are read at open: reopen where we are.
        let shared_changed = report.changed.iter().any(|f| {
            !matches!(
                team::files::kind_of(f),
                team::files::Kind::Layer { .. } | team::files::Kind::Other
            )
        });
        if shared_changed {
            let doc = self.state.current_doc.clone();
            self.open_path(ctx, &root, doc.as_deref());
        } else if !report.changed.is_empty() {
            let paths: Vec<PathBuf> = report.changed.iter().map(|f| root.join(f)).collect();
            session.disk_changes.0.extend(paths);
            session.disk_changes.1 = Some(std::time::Instant::now());
            ctx.request_repaint();
        }
        if report.choices > 0 {
            self.windows
                .open(crate::gui::windows::team::TeamWindow::default());
        }
    }

    /// Reads the team status again (after sharing, or a choice).
    pub(super) fn team_changed(&mut self) {
        if let Some(session) = &mut self.session {
            session.team.checked_at = None;
            session.team.failed = None;
        }
    }

    /// Settles a choice: the shared file takes ours or theirs, and the project is read again
    /// where it was (the next sync sends the choice).
    pub(super) fn team_choose(&mut self, ctx: &egui::Context, index: usize, theirs: bool) {
        let Some(session) = &mut self.session else {
            return;
        };
        let errors = session.save_now();
        if !errors.is_empty() {
            self.alert(format!(
                "The project could not be saved, so nothing was chosen:\n{}",
                errors.join("\n")
            ));
            return;
        }
        let root = session.ws.project().root.clone();
        match team::apply_choice(&root, index, theirs) {
            Ok(_) => {
                let doc = self.state.current_doc.clone();
                self.open_path(ctx, &root, doc.as_deref());
                self.windows
                    .open(crate::gui::windows::team::TeamWindow::default());
                self.say("Chosen: the next sync sends it to the team", false);
            }
            Err(e) => self.alert(format!("Could not apply the choice: {e}")),
        }
    }

    /// A DNA database the Import window read, imported as one undo step. (Here beside team
    /// work: both bring a whole project's worth of others' coding in.)
    pub(super) fn import_dna(&mut self, db: &crate::formats::dna::Database) {
        let Some(session) = &mut self.session else {
            return;
        };
        let ws = &mut session.ws;
        let result =
            crate::formats::dna::plan(ws, db).and_then(|plan| crate::formats::dna::apply(ws, plan));
        if let Ok(report) = &result {
            self.say(format!("Imported from DNA: {}", report.summary()), false);
        }
        if let Some(window) = self
            .windows
            .get_mut::<crate::gui::windows::interchange::Interchange>()
        {
            window.imported_dna(result);
        }
    }
}
