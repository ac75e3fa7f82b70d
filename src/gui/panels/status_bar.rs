//! The status bar: who annotates, whether this window may write their files, what is unsaved,
//! the last message.

use egui::RichText;

use crate::gui::action::Action;
use crate::gui::commands::Command;
use crate::gui::state::FrameCtx;

pub fn status_bar_ui(ui: &mut egui::Ui, fc: &mut FrameCtx) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        // One line at any width: the last items (a warning, the message) are cut with "…" and
        // whole on hover.
        ui.horizontal(|ui| {
            if ui
                .button(format!("Annotator: {}", fc.annotator()))
                .on_hover_text("The annotator you annotate as. Click to change.")
                .clicked()
            {
                fc.actions.push(Action::Command(Command::ChangeAnnotator));
            }
            if fc.layer_name() == crate::core::review::CURATED {
                ui.label(
                    RichText::new("✎ editing the curated layer").color(ui.visuals().warn_fg_color),
                );
            }
            if let Some(session) = fc.session {
                if session.read_only(fc.annotator()) {
                    let (reason, hint) = match &session.lock_error {
                        Some(err @ crate::core::lock::LockError::Io(_)) => (
                            err.short_reason(),
                            "tagdesk could not write its lock file in the project's .tagdesk \
                             folder, so it does not write this annotator's files. Free space (or \
                             fix the folder's permissions), then reopen the project.",
                        ),
                        Some(err) => (
                            err.short_reason(),
                            "Another running tagdesk annotates as this name in this project. \
                             Change the annotator (click the name) or close the other window.",
                        ),
                        None => (
                            "another tagdesk holds this annotator".to_owned(),
                            "Another running tagdesk annotates as this name in this project.",
                        ),
                    };
                    ui.label(
                        RichText::new(format!("🔒 read-only: {reason}"))
                            .color(ui.visuals().warn_fg_color),
                    )
                    .on_hover_text(hint);
                }
                ui.separator();
                let unsaved = session.ws.dirty_layers().len();
                if unsaved > 0 || session.ws.is_dirty() {
                    ui.label(
                        RichText::new(format!("• {} unsaved", unsaved.max(1)))
                            .color(ui.visuals().warn_fg_color),
                    );
                } else {
                    ui.label("All changes saved");
                }
                ui.separator();
                team_ui(ui, fc, session);
                let suggestions = &session.suggestions;
                if let Some(failed) = &suggestions.failed {
                    // Before the count: what is shown may be from before the failed update.
                    ui.label(RichText::new("Suggestions failed").color(ui.visuals().warn_fg_color))
                        .on_hover_text(failed);
                    ui.separator();
                } else if suggestions.settings.enabled
                    && (suggestions.corpus > 0 || !suggestions.here.is_empty())
                {
                    let here = if suggestions.document == fc.state.current_doc {
                        suggestions.here.len()
                    } else {
                        0
                    };
                    if ui
                        .add(
                            egui::Button::new(format!(
                                "{here} suggestions here · {} in the corpus",
                                suggestions.corpus
                            ))
                            .frame(false),
                        )
                        .on_hover_text(
                            "Spans proposed from what you tagged (dashed). F4 goes to the next; \
                             Enter accepts, Delete rejects. Click to go to the next.",
                        )
                        .clicked()
                    {
                        fc.actions.push(Action::Command(Command::NextSuggestion));
                    }
                    ui.separator();
                } else if let Some(problem) = &suggestions.problem {
                    ui.label(
                        RichText::new("Suggestions off (suggestions.json)")
                            .color(ui.visuals().warn_fg_color),
                    )
                    .on_hover_text(problem);
                    ui.separator();
                }
                if session.learning.status == crate::gui::learning::Status::Training {
                    // No spinner: training may take a while and the bar must not repaint
                    // for it; the text goes when the model comes in (the task wakes the UI).
                    if ui
                        .add(
                            egui::Button::new(RichText::new("Learning from your coding…").weak())
                                .frame(false),
                        )
                        .on_hover_text(
                            "A model of your coding is being trained in the background; its \
                             suggestions come with a percentage. Click for the settings.",
                        )
                        .clicked()
                    {
                        fc.actions
                            .push(Action::Command(Command::SuggestionSettings));
                    }
                    ui.separator();
                }
                if let Some(err) = session.ws.journal_error() {
                    ui.add(
                        egui::Label::new(RichText::new(err).color(ui.visuals().error_fg_color))
                            .truncate(),
                    );
                    ui.separator();
                }
            }
            if let Some(status) = &fc.state.status {
                let color = if status.is_error {
                    ui.visuals().error_fg_color
                } else {
                    ui.visuals().text_color()
                };
                ui.add(egui::Label::new(RichText::new(&status.text).color(color)).truncate());
            }
        });
    });
}

/// The team state at a glance (shared projects only): in sync, changes to send, incoming,
/// offline, needs attention, and when the last sync was. A click syncs (or, when something
/// needs the user, opens the Team window).
fn team_ui(ui: &mut egui::Ui, fc: &mut FrameCtx, session: &crate::gui::session::Session) {
    let team = &session.team;
    let Some(status) = &team.status else {
        if team.syncing.is_some() {
            ui.spinner();
            ui.label("Syncing…");
            ui.separator();
        }
        return;
    };
    let warn = ui.visuals().warn_fg_color;
    let (text, attention) = if team.syncing.is_some() {
        ("⟳ Syncing…".to_owned(), false)
    } else if team.failed.is_some() || status.choices > 0 {
        ("⚠ Team: needs attention".to_owned(), true)
    } else if team.offline.is_some() {
        (format!("Offline · {} to send", status.ahead), true)
    } else if status.local_changes > 0 || status.ahead > 0 {
        (
            format!(
                "↑ {} to send",
                if status.local_changes > 0 {
                    format!("{} changed files", status.local_changes)
                } else {
                    format!("{} commits", status.ahead)
                }
            ),
            false,
        )
    } else if status.behind > 0 {
        (format!("↓ {} incoming", status.behind), false)
    } else {
        ("✓ In sync".to_owned(), false)
    };
    let when = status
        .last_sync
        .as_deref()
        .and_then(|t| humantime::parse_rfc3339(t).ok())
        .and_then(|t| t.elapsed().ok())
        .map(|d| match d.as_secs() {
            s if s < 90 => " · just now".to_owned(),
            s if s < 5400 => format!(" · {} min ago", s / 60),
            s if s < 172_800 => format!(" · {} h ago", s / 3600),
            s => format!(" · {} days ago", s / 86_400),
        })
        .unwrap_or_default();
    let label = RichText::new(format!("{text}{when}"));
    let label = if attention { label.color(warn) } else { label };
    let hover = team
        .failed
        .clone()
        .or_else(|| team.offline.clone())
        .unwrap_or_else(|| {
            format!(
                "Shared with {}. Click to sync (Ctrl+Shift+Y): your work is saved and sent, \
                 your colleagues' taken in.",
                status.remote.as_deref().unwrap_or("no remote")
            )
        });
    if ui
        .add(egui::Button::new(label).frame(false))
        .on_hover_text(hover)
        .clicked()
    {
        fc.actions.push(Action::Command(if attention {
            Command::TeamWindow
        } else {
            Command::TeamSync
        }));
    }
    ui.separator();
}
