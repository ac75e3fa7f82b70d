//! Team → Team…: where the project stands with the team (the remote, what is waiting to be
//! sent or taken in, the last sync), Sync, the changes both sides made differently with a
//! choice each, what colleagues' work brought in the last sync, and everyone's progress. A
//! project not shared yet is shared from here (the remote's URL pasted in). Also
//! Team → Join…: a shared project cloned into the data folder and opened.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::core::team::{self, Choice, history::Change};
use crate::gui::action::Action;
use crate::gui::commands::Command;
use crate::gui::jobs::Task;
use crate::gui::state::FrameCtx;

pub const TITLE: &str = "Team";

/// What the window shows from the commits (read on a task).
#[derive(Debug, Default)]
struct Commits {
    choices: Vec<Choice>,
    /// The open document's history: (its name, the commits that changed its annotations).
    history: Option<(String, Vec<team::history::Event>)>,
    arrived: Vec<Change>,
    last: BTreeMap<String, String>,
}

#[derive(Default)]
pub struct TeamWindow {
    /// The remote's URL, to share a project not shared yet.
    pub url: String,
    sharing: Option<Task<Result<String, team::TeamError>>>,
    reading: Option<Task<Commits>>,
    commits: Option<Commits>,
    /// What the commits were read for (the last sync, the choices waiting): read again when
    /// they change.
    read_for: Option<(Option<String>, usize, Option<String>)>,
    message: Option<Result<String, String>>,
}

impl TeamWindow {
    fn read(&mut self, ctx: &egui::Context, root: PathBuf, me: String, document: Option<String>) {
        self.reading = Some(Task::spawn(ctx, "tagdesk-team-read", move || Commits {
            history: document.map(|d| {
                let events = team::history::document_history(&root, &d).unwrap_or_default();
                (d, events)
            }),
            choices: team::pending_choices(&root),
            arrived: team::history::arrived(&root, &me).unwrap_or_default(),
            last: team::history::last_commits(&root).unwrap_or_default(),
        }));
    }

    fn share_ui(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx) {
        ui.label(
            "This project is not shared yet. Sharing makes it a git repository (its per-machine \
             files left out) and sends it to a remote your team can reach: a GitHub, GitLab or \
             Gitea repository, or a bare repository on a shared drive. Create an empty one there \
             and paste its address.",
        );
        let label = ui.label("Remote URL");
        ui.add(
            egui::TextEdit::singleline(&mut self.url)
                .desired_width(f32::INFINITY)
                .hint_text("git@github.com:team/study.git"),
        )
        .labelled_by(label.id);
        ui.weak(
            "Your own git setup signs in (SSH key, credential helper); tagdesk never asks for \
             or stores a password.",
        );
        let busy = self.sharing.is_some();
        ui.horizontal(|ui| {
            if ui.add_enabled(!busy, egui::Button::new("Share")).clicked()
                && let Some(ws) = fc.ws()
            {
                let root = ws.project().root.clone();
                let url = self.url.trim().to_owned();
                let me = fc.annotator().to_owned();
                self.message = None;
                self.sharing = Some(Task::spawn(ui.ctx(), "tagdesk-team-share", move || {
                    team::share(&root, (!url.is_empty()).then_some(url.as_str()), &me)
                }));
            }
            if busy {
                ui.spinner();
                ui.label("Sharing…");
            }
        });
    }

    fn take_shared(&mut self, fc: &mut FrameCtx) {
        if let Some(result) = self.sharing.as_mut().and_then(Task::poll) {
            self.sharing = None;
            self.message = Some(match result {
                Ok(Ok(said)) => Ok(format!("Shared: {said}.")),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(format!("Sharing failed: {e}")),
            });
            fc.actions.push(Action::TeamChanged);
        }
    }

    fn choices_ui(ui: &mut egui::Ui, fc: &mut FrameCtx, choices: &[Choice]) {
        ui.heading("For you to choose");
        ui.label("You and a colleague changed these differently. Until you choose, the project holds one of the two.");
        egui::Grid::new("team-choices")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                for (i, c) in choices.iter().enumerate() {
                    ui.label(format!("{} ({})", c.place, c.file))
                        .on_hover_text(format!(
                            "yours: {}\n{}'s: {}",
                            c.ours, c.theirs_by, c.theirs
                        ));
                    if ui
                        .button(format!("Keep yours: {}", short(&c.ours)))
                        .clicked()
                    {
                        fc.actions.push(Action::TeamChoose {
                            index: i,
                            theirs: false,
                        });
                    }
                    if ui
                        .button(format!("Take {}'s: {}", c.theirs_by, short(&c.theirs)))
                        .clicked()
                    {
                        fc.actions.push(Action::TeamChoose {
                            index: i,
                            theirs: true,
                        });
                    }
                    ui.end_row();
                }
            });
    }

    fn progress_ui(ui: &mut egui::Ui, fc: &FrameCtx, last: &BTreeMap<String, String>) {
        let Some(ws) = fc.ws() else { return };
        // (documents done, in progress, spans) per annotator.
        let mut rows: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
        for (key, layer) in &ws.project().layers {
            let row = rows.entry(key.annotator.as_str()).or_default();
            match layer.status {
                crate::core::annotation::DocStatus::Done => row.0 += 1,
                crate::core::annotation::DocStatus::InProgress => row.1 += 1,
                crate::core::annotation::DocStatus::New => {}
            }
            row.2 += layer.annotations().len();
        }
        let documents = ws.project().documents.len();
        ui.heading("Progress");
        egui::Grid::new("team-progress")
            .striped(true)
            .num_columns(5)
            .show(ui, |ui| {
                for head in ["Annotator", "Done", "In progress", "Spans", "Last sent"] {
                    ui.strong(head);
                }
                ui.end_row();
                for (who, (done, progress, spans)) in rows {
                    ui.label(who);
                    ui.label(format!("{done} of {documents}"));
                    ui.label(progress.to_string());
                    ui.label(spans.to_string());
                    ui.label(last.get(who).map_or_else(
                        || "—".to_owned(),
                        |w| w.get(..16).unwrap_or(w).replace('T', " "),
                    ));
                    ui.end_row();
                }
            });
    }
}

impl TeamWindow {
    fn history_ui(ui: &mut egui::Ui, document: &str, events: &[team::history::Event]) {
        ui.heading("This document's history");
        if events.is_empty() {
            ui.label(format!(
                "No commit has changed the annotations of {document} yet."
            ));
            return;
        }
        egui::Grid::new("team-history")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                for e in events.iter().take(50) {
                    ui.label(e.when.get(..16).unwrap_or(&e.when).replace('T', " "));
                    ui.label(&e.author);
                    let what: Vec<String> = e
                        .changes
                        .iter()
                        .map(|c| {
                            format!(
                                "{}'s spans: {} added, {} changed, {} removed",
                                c.annotator, c.added, c.changed, c.removed
                            )
                        })
                        .collect();
                    ui.label(if what.is_empty() {
                        e.subject.clone()
                    } else {
                        what.join("; ")
                    })
                    .on_hover_text(&e.subject);
                    ui.end_row();
                }
            });
    }
}

fn short(v: &serde_json::Value) -> String {
    let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    if text.chars().count() > 28 {
        format!("{}…", text.chars().take(27).collect::<String>())
    } else {
        text
    }
}

impl super::Window for TeamWindow {
    fn title(&self) -> &'static str {
        TITLE
    }

    fn default_size(&self) -> Option<egui::Vec2> {
        Some(egui::vec2(640.0, 520.0))
    }

    fn show(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx) {
        self.take_shared(fc);
        if let Some(commits) = self.reading.as_mut().and_then(Task::poll) {
            self.reading = None;
            self.commits = commits.ok();
        }
        let Some(session) = fc.session else { return };
        let Some(status) = session.team.status.clone() else {
            if session.team.failed.is_none() {
                self.share_ui(ui, fc);
            }
            self.message_ui(ui);
            return;
        };
        let document = fc.state.current_doc.clone();
        let key = (status.last_sync.clone(), status.choices, document.clone());
        if self.read_for.as_ref() != Some(&key) && self.reading.is_none() {
            self.read_for = Some(key);
            self.read(
                ui.ctx(),
                session.ws.project().root.clone(),
                fc.annotator().to_owned(),
                document,
            );
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.label(format!(
                "Shared with {} (branch {}).",
                status.remote.as_deref().unwrap_or("no remote yet"),
                status.branch
            ));
            ui.label(format!(
                "{} files changed here and not sent · {} commits to send · {} to take in · last sync {}",
                status.local_changes,
                status.ahead,
                status.behind,
                status.last_sync.as_deref().unwrap_or("never")
            ));
            if let Some(why) = &session.team.offline {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("The last sync could not reach the remote: {why}. Your work is committed here and goes with the next sync."),
                );
            }
            ui.horizontal(|ui| {
                let syncing = session.team.syncing.is_some();
                if ui
                    .add_enabled(!syncing, egui::Button::new("Sync now"))
                    .on_hover_text("Saves, sends your work, takes in your colleagues' (Ctrl+Shift+Y)")
                    .clicked()
                {
                    fc.actions.push(Action::Command(Command::TeamSync));
                }
                if syncing {
                    ui.spinner();
                    ui.label("Syncing…");
                }
                let minutes = fc.prefs.team_sync_minutes;
                let name = |m: u32| {
                    if m == 0 {
                        "Sync when I ask".to_owned()
                    } else {
                        format!("Sync every {m} minutes")
                    }
                };
                egui::ComboBox::from_id_salt("team-auto-sync")
                    .selected_text(name(minutes))
                    .show_ui(ui, |ui| {
                        for m in [0, 5, 15, 30, 60] {
                            if ui.selectable_label(m == minutes, name(m)).clicked() && m != minutes {
                                fc.actions.push(Action::SetTeamSyncMinutes(m));
                            }
                        }
                    });
            });
            ui.separator();
            if let Some(commits) = &self.commits {
                if !commits.choices.is_empty() {
                    Self::choices_ui(ui, fc, &commits.choices);
                    ui.separator();
                }
                ui.heading("In your last sync");
                if commits.arrived.is_empty() {
                    ui.label("Nothing of your colleagues' arrived.");
                } else {
                    egui::Grid::new("team-arrived")
                        .striped(true)
                        .num_columns(4)
                        .show(ui, |ui| {
                            for c in &commits.arrived {
                                ui.label(&c.annotator);
                                ui.label(&c.document);
                                ui.label(format!(
                                    "{} added, {} changed, {} removed",
                                    c.added, c.changed, c.removed
                                ));
                                let review = ui
                                    .add_enabled(!c.ids.is_empty(), egui::Button::new("Review ▸"))
                                    .on_hover_text(format!(
                                        "Open {} in the review panel: your layer beside {}'s, \
                                         only what arrived",
                                        c.document, c.annotator
                                    ));
                                if review.clicked() {
                                    fc.actions.push(Action::ReviewArrived {
                                        document: c.document.clone(),
                                        annotator: c.annotator.clone(),
                                    });
                                }
                                ui.end_row();
                            }
                        });
                }
                ui.separator();
                Self::progress_ui(ui, fc, &commits.last);
                if let Some((document, events)) = &commits.history {
                    ui.separator();
                    Self::history_ui(ui, document, events);
                }
            } else {
                ui.spinner();
            }
        });
        self.message_ui(ui);
    }
}

impl TeamWindow {
    fn message_ui(&self, ui: &mut egui::Ui) {
        super::outcome_ui(ui, self.message.as_ref());
    }
}

pub const JOIN_TITLE: &str = "Join a team project";

/// Team → Join…: clones a shared project and opens it.
#[derive(Default)]
pub struct JoinWindow {
    pub url: String,
    pub folder: String,
    joining: Option<Task<Result<PathBuf, team::TeamError>>>,
    message: Option<Result<String, String>>,
    focus: bool,
}

impl super::Window for JoinWindow {
    fn title(&self) -> &'static str {
        JOIN_TITLE
    }

    fn default_size(&self) -> Option<egui::Vec2> {
        Some(egui::vec2(560.0, 260.0))
    }

    fn needs_project(&self) -> bool {
        false
    }

    fn can_close(&self) -> bool {
        self.joining.is_none()
    }

    fn show(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx) {
        if let Some(result) = self.joining.as_mut().and_then(Task::poll) {
            self.joining = None;
            match result {
                Ok(Ok(dir)) => {
                    self.message = Some(Ok(format!("Joined: opened {}.", dir.display())));
                    fc.actions.push(Action::OpenPath(dir, None));
                }
                Ok(Err(e)) => self.message = Some(Err(e.to_string())),
                Err(e) => self.message = Some(Err(format!("Joining failed: {e}"))),
            }
        }
        ui.label("The address of the project your team shared (ask whoever shared it).");
        let label = ui.label("Remote URL");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut self.url)
                    .desired_width(f32::INFINITY)
                    .hint_text("git@github.com:team/study.git"),
            )
            .labelled_by(label.id);
        if !std::mem::replace(&mut self.focus, true) {
            field.request_focus();
        }
        let default = team::default_join_dir(self.url.trim())
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        let label = ui.label("Folder");
        ui.add(
            egui::TextEdit::singleline(&mut self.folder)
                .desired_width(f32::INFINITY)
                .hint_text(&default),
        )
        .labelled_by(label.id);
        let busy = self.joining.is_some();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    !busy && !self.url.trim().is_empty(),
                    egui::Button::new("Join"),
                )
                .clicked()
            {
                let url = self.url.trim().to_owned();
                let dir = if self.folder.trim().is_empty() {
                    PathBuf::from(&default)
                } else {
                    PathBuf::from(self.folder.trim())
                };
                self.message = None;
                self.joining = Some(Task::spawn(ui.ctx(), "tagdesk-team-join", move || {
                    team::join(&url, &dir)
                }));
            }
            if busy {
                ui.spinner();
                ui.label("Copying the project…");
            }
        });
        super::outcome_ui(ui, self.message.as_ref());
    }
}
