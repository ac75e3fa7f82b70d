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
