//! File → Convert sources again: the documents made from Word, PDF, RTF, HTML… files whose
//! original changed since (or that a newer converter reads) are found on a task and listed
//! with what converting them again gives; "Convert again" writes the new texts on a task (the
//! old ones kept under `.tagdesk/replaced/`), then the app takes them in. Spans follow a
//! changed text through re-anchoring, as for any source text that changed.

use std::sync::Arc;

use crate::formats::sources::{self, Refresh, Refreshed};
use crate::gui::action::Action;
use crate::gui::jobs::Task;
use crate::gui::state::FrameCtx;

pub const TITLE: &str = "Convert sources again";

#[derive(Default)]
pub struct RefreshSources {
    /// Every document converted again, not only those whose original changed.
    force: bool,
    /// The originals being looked at.
    task: Option<Task<Vec<Refresh>>>,
    /// What was found (documents with nothing to do left out).
    found: Option<Arc<Vec<Refresh>>>,
    /// How many documents were looked at.
    looked_at: usize,
    /// The new texts being written (then the app takes them in).
    writing: Option<Task<Result<sources::Written, String>>>,
    /// The last failure, or what the last "Convert again" did.
    message: Option<Result<String, String>>,
    started: bool,
}

impl RefreshSources {
    fn look(&mut self, ctx: &egui::Context, fc: &FrameCtx) {
        let Some(ws) = fc.ws() else { return };
        let input = sources::RefreshInput::of(ws.project(), self.force);
        self.looked_at = input.len();
        self.found = None;
        self.task = Some(Task::spawn(ctx, "tagdesk-sources-refresh", move || {
            input
                .run()
                .into_iter()
                .filter(|r| r.outcome != Refreshed::Current)
                .collect()
        }));
    }

    fn take_found(&mut self) {
        if let Some(result) = self.task.as_mut().and_then(Task::poll) {
            self.task = None;
            match result {
                Ok(found) => self.found = Some(Arc::new(found)),
                Err(e) => {
                    self.message = Some(Err(format!("Looking at the originals failed: {e}")));
                }
            }
        }
    }

    fn write(&mut self, ctx: &egui::Context, root: std::path::PathBuf) {
        let Some(found) = self.found.take() else {
            return;
        };
        let refreshes = Arc::unwrap_or_clone(found);
        self.message = None;
        self.writing = Some(Task::spawn(
            ctx,
            "tagdesk-sources-refresh-write",
            move || sources::refresh::write_texts(&root, refreshes),
        ));
    }

    fn take_written(&mut self, fc: &mut FrameCtx) {
        let Some(result) = self.writing.as_mut().and_then(Task::poll) else {
            return;
        };
        self.writing = None;
        match result {
            Ok(Ok(written)) => fc.actions.push(Action::SourcesRefreshed(Box::new(written))),
            Ok(Err(e)) => self.message = Some(Err(format!("Nothing was changed: {e}"))),
            Err(e) => {
                self.message = Some(Err(format!("Writing the new texts failed: {e}")));
            }
        }
    }

    /// What converting again did (the app calls this once it took the texts in).
    pub fn refreshed(&mut self, result: Result<sources::Applied, String>) {
        self.message = Some(match result {
            Ok(applied) => Ok(format!(
                "{} {} took a new text{}; {} converted to the same text.{}",
                applied.reconverted.len(),
                if applied.reconverted.len() == 1 {
                    "document"
                } else {
                    "documents"
                },
                if applied.reconverted.is_empty() {
                    ""
                } else {
                    " (spans move with the text when each is opened)"
                },
                applied.same,
                if applied.kept.is_empty() {
                    String::new()
                } else {
                    " The old texts are kept in .tagdesk/replaced/.".to_owned()
                }
            )),
            Err(e) => Err(format!("Nothing was changed: {e}")),
        });
        self.found = None;
    }

    fn table(ui: &mut egui::Ui, found: &[Refresh]) {
        use egui_extras::{Column, TableBuilder};
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        let height = (ui.available_height() - 64.0).clamp(100.0, 320.0);
        TableBuilder::new(ui)
            .id_salt("refresh-sources-table")
            .striped(true)
            .max_scroll_height(height)
            .column(Column::initial(180.0).clip(true))
            .column(Column::initial(150.0).clip(true))
            .column(Column::remainder().at_least(200.0).clip(true))
            .header(row_height, |mut header| {
                for head in ["Document", "Why", "Converted again"] {
                    header.col(|ui| {
                        ui.strong(head);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, found.len(), |mut row| {
                    let r = &found[row.index()];
                    row.col(|ui| {
                        ui.label(&r.document)
                            .on_hover_text(r.original.display().to_string());
                    });
                    row.col(|ui| {
                        ui.label(r.why.map_or("", sources::Why::describe));
                    });
                    row.col(|ui| match &r.outcome {
                        Refreshed::Current => {}
                        Refreshed::SameText => {
                            ui.weak("the same text");
                        }
                        Refreshed::NewText(text) => {
                            ui.label(format!(
                                "a new text ({} words)",
                                text.split_whitespace().count()
                            ));
                        }
                        Refreshed::Skipped(why) => {
                            ui.colored_label(ui.visuals().warn_fg_color, why)
                                .on_hover_text(why);
                        }
                    });
                });
            });
    }
}

impl super::Window for RefreshSources {
    fn title(&self) -> &'static str {
        TITLE
    }

    fn default_size(&self) -> Option<egui::Vec2> {
        Some(egui::vec2(720.0, 360.0))
    }

    /// Not while the new texts are written: they are taken in when that ends.
    fn can_close(&self) -> bool {
        self.writing.is_none()
    }

    fn show(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx) {
        if !std::mem::replace(&mut self.started, true) {
            self.look(ui.ctx(), fc);
        }
        self.take_found();
        self.take_written(fc);
        ui.label(
            "Documents made from Word, PDF, RTF, HTML, EPUB or news-database files are converted \
             again when their original changed, or when a newer tagdesk reads it differently.",
        );
        ui.horizontal(|ui| {
            let busy = self.task.is_some() || self.writing.is_some();
            if ui
                .add_enabled(
                    !busy,
                    egui::Checkbox::new(&mut self.force, "Every document, even unchanged"),
                )
                .changed()
                || ui
                    .add_enabled(!busy, egui::Button::new("Look again"))
                    .clicked()
            {
                self.message = None;
                self.look(ui.ctx(), fc);
            }
        });
        ui.separator();
        if self.task.is_some() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!(
                    "Looking at the originals of {} documents…",
                    self.looked_at
                ));
            });
        } else if self.writing.is_some() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Writing the new texts…");
            });
        } else if let Some(found) = self.found.clone() {
            let changing = found.iter().filter(|r| r.changes()).count();
            if self.looked_at == 0 {
                ui.label(
                    "No document of this project was made from a source file (File → Add sources).",
                );
            } else if found.is_empty() {
                ui.label(format!(
                    "All {} documents made from sources are up to date.",
                    self.looked_at
                ));
            } else {
                Self::table(ui, &found);
                let root = fc.ws().map(|ws| ws.project().root.clone());
                if let Some(root) = root
                    && ui
                        .add_enabled(
                            changing > 0,
                            egui::Button::new(format!(
                                "Convert {changing} {} again",
                                if changing == 1 {
                                    "document"
                                } else {
                                    "documents"
                                }
                            )),
                        )
                        .clicked()
                {
                    self.write(ui.ctx(), root);
                }
            }
        }
        super::outcome_ui(ui, self.message.as_ref());
    }
}
