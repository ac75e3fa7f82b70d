//! File → Add sources: Word, RTF, PDF, `OpenDocument`, EPUB, HTML and text files, and news-database batches
//! (Nexis, Nexis Uni) split into articles. The files are read on a task and shown as a table
//! (what each would make: date, outlet, headline, words, duplicates) before anything is
//! written; "Add" makes the documents with their metadata, all or nothing.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

use crate::formats::sources::{self, Planned};
use crate::gui::action::Action;
use crate::gui::jobs::Task;
use crate::gui::state::FrameCtx;

pub const TITLE: &str = "Add sources";

pub struct AddSources {
    /// The files, one per line (typed, pasted, or dropped on the window).
    pub paths: String,
    /// The field takes the keyboard when the window opens.
    focus: bool,
    task: Option<Task<Result<Vec<Planned>, String>>>,
    /// The new documents' files being written (then the app takes them in).
    writing: Option<Task<Result<sources::Prepared, String>>>,
    /// The running task's progress (files done) and its Cancel, with how many files it reads.
    progress: Option<(Arc<sources::Progress>, usize)>,
    plan: Option<Arc<Vec<Planned>>>,
    keep_duplicates: bool,
    /// The last failure, or what the last "Add" did.
    message: Option<Result<String, String>>,
    /// Files picked in the system's file dialog (it runs on a thread of its own).
    picked: Option<Receiver<Vec<PathBuf>>>,
}

impl Default for AddSources {
    fn default() -> Self {
        Self {
            paths: String::new(),
            focus: true,
            task: None,
            writing: None,
            progress: None,
            plan: None,
            keep_duplicates: false,
            message: None,
            picked: None,
        }
    }
}

impl AddSources {
    /// The window with these files, read at once.
    pub fn with_files(ctx: &egui::Context, files: &[PathBuf]) -> Self {
        let mut window = Self {
            paths: files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join("\n"),
            focus: false,
            ..Self::default()
        };
        window.inspect(ctx);
        window
    }

    fn files(&self) -> Vec<PathBuf> {
        self.paths
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(PathBuf::from)
            .collect()
    }

    fn inspect(&mut self, ctx: &egui::Context) {
        let files = self.files();
        self.plan = None;
        self.message = None;
        let progress = Arc::new(sources::Progress::default());
        self.progress = Some((progress.clone(), files.len()));
        self.task = Some(Task::spawn(ctx, "tagdesk-sources", move || {
            sources::plan_watched(&files, &progress).map_err(|e| e.to_string())
        }));
    }

    /// Stops the files being read (those under way finish; nothing is written either way).
    fn cancel(&self) {
        if let Some((progress, _)) = &self.progress {
            progress
                .cancel
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Writes the new documents' files on a task (the app prepared them).
    pub fn write(&mut self, ctx: &egui::Context, prepared: sources::Prepared) {
        self.message = None;
        self.writing = Some(Task::spawn(ctx, "tagdesk-sources-write", move || {
            crate::core::workspace::write_new_files(&prepared.files)
                .map(|()| prepared)
                .map_err(|e| e.to_string())
        }));
    }

    /// The files written (the app is told), or why nothing was.
    fn take_written(&mut self, fc: &mut FrameCtx) {
        let Some(result) = self.writing.as_mut().and_then(Task::poll) else {
            return;
        };
        self.writing = None;
        match result {
            Ok(Ok(prepared)) => fc.actions.push(Action::SourcesWritten(Box::new(prepared))),
            Ok(Err(e)) => self.message = Some(Err(format!("Nothing was added: {e}"))),
            Err(e) => self.message = Some(Err(format!("Writing the documents failed: {e}"))),
        }
    }

    /// What adding did (the app calls this).
    pub fn added(&mut self, result: Result<usize, String>) {
        self.message = Some(result.map(|n| {
            format!("Added {n} documents with their metadata (they are in the document list).")
        }));
        if self.message.as_ref().is_some_and(Result::is_ok) {
            self.plan = None;
        }
    }

    /// The system's file dialog for sources, on a thread of its own (it is the user's, not
    /// background work); where there is none, the window says how else to give the files.
    fn choose(&mut self, ctx: &egui::Context) {
        if let Some(why) = crate::gui::dialogs::chooser::native_dialog_missing() {
            self.message = Some(Err(format!(
                "{why} Type or paste the files' paths above, or drop the files on the window."
            )));
            return;
        }
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        let extensions: Vec<&'static str> = sources::CONVERTERS
            .iter()
            .flat_map(|c| c.extensions().iter().copied())
            .collect();
        let _ = crate::core::job::spawn("tagdesk-dialog", move || {
            let picked = rfd::FileDialog::new()
                .set_title("Add sources")
                .add_filter("Sources", &extensions)
                .pick_files()
                .unwrap_or_default();
            let _ = tx.send(picked);
            ctx.request_repaint();
        });
        self.picked = Some(rx);
    }

    fn take_picked(&mut self, ctx: &egui::Context) {
        let Some(picked) = self.picked.as_ref().and_then(|rx| rx.try_recv().ok()) else {
            return;
        };
        self.picked = None;
        if picked.is_empty() {
            return;
        }
        let mut paths = self.paths.trim_end().to_owned();
        for p in picked {
            if !paths.is_empty() {
                paths.push('\n');
            }
            paths.push_str(&p.display().to_string());
        }
        self.paths = paths;
        self.inspect(ctx);
    }

    fn take_result(&mut self) {
        if let Some(result) = self.task.as_mut().and_then(Task::poll) {
            self.task = None;
            self.progress = None;
            match result {
                Ok(Ok(plan)) => self.plan = Some(Arc::new(plan)),
                Ok(Err(e)) if e.ends_with("not read: cancelled") => {
                    self.message = Some(Err("Cancelled: nothing was written.".to_owned()));
                }
                Ok(Err(e)) => self.message = Some(Err(format!("Nothing was read: {e}"))),
                Err(e) => self.message = Some(Err(format!("Reading the files failed: {e}"))),
            }
        }
    }

    /// The preview, one row per document; only the rows on screen are drawn (a folder of
    /// batches makes thousands).
    fn table(ui: &mut egui::Ui, plan: &[Planned]) {
        use egui_extras::{Column, TableBuilder};
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        let height = (ui.available_height() - 64.0).clamp(120.0, 320.0);
        TableBuilder::new(ui)
            .id_salt("add-sources-table")
            .striped(true)
            // Room below for the duplicates box and the Add button.
            .max_scroll_height(height)
            .column(Column::exact(36.0))
            .column(Column::exact(130.0))
            .column(Column::initial(160.0).clip(true))
            .column(Column::remainder().at_least(200.0).clip(true))
            .column(Column::exact(56.0))
            .column(Column::initial(220.0).clip(true))
            .header(row_height, |mut header| {
                for head in ["#", "Date", "Outlet", "Headline", "Words", ""] {
                    header.col(|ui| {
                        ui.strong(head);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, plan.len(), |mut row| {
                    let p = &plan[row.index()];
                    row.col(|ui| {
                        ui.label(p.article.position.to_string());
                    });
                    row.col(|ui| {
                        ui.label(&p.article.date);
                    });
                    row.col(|ui| {
                        ui.label(&p.article.outlet);
                    });
                    row.col(|ui| {
                        ui.label(&p.article.title).on_hover_text(format!(
                            "{}\n{} — {}",
                            p.article.title,
                            p.document,
                            p.file.display()
                        ));
                    });
                    row.col(|ui| {
                        ui.label(p.words().to_string());
                    });
                    row.col(|ui| {
                        if let Some((first, similarity)) = p.duplicate_of {
                            ui.weak(format!(
                                "duplicate of {} ({:.0} % alike)",
                                plan[first].document,
                                similarity * 100.0
                            ));
                        }
                    });
                });
            });
    }
}

impl super::Window for AddSources {
    fn closed(&mut self) {
        self.cancel();
    }

    /// Not while the new documents are written: they are taken in when that ends.
    fn can_close(&self) -> bool {
        self.writing.is_none()
    }

    fn title(&self) -> &'static str {
        TITLE
    }

    fn default_size(&self) -> Option<egui::Vec2> {
        Some(egui::vec2(820.0, 480.0))
    }

    fn show(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx) {
        self.take_result();
        self.take_written(fc);
        self.take_picked(ui.ctx());
        ui.label(
            "Word, RTF, PDF, OpenDocument, EPUB, HTML or text files, one per line; a Nexis, Nexis Uni or Factiva batch \
             is split into its articles. You can also drop files on the window.",
        );
        let label = ui.label("Files");
        let field = egui::ScrollArea::vertical()
            .id_salt("add-sources-files")
            .max_height(96.0)
            .show(ui, |ui| {
                ui.add(
                    egui::TextEdit::multiline(&mut self.paths)
                        .desired_rows(2)
                        .desired_width(f32::INFINITY)
                        .hint_text("/home/me/Downloads/Nexis batch.docx"),
                )
                .labelled_by(label.id)
            })
            .inner;
        if std::mem::take(&mut self.focus) {
            field.request_focus();
        }
        let running = self.task.is_some();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    !running && self.picked.is_none(),
                    egui::Button::new("Choose files…"),
                )
                .clicked()
            {
                self.choose(ui.ctx());
            }
            if ui
                .add_enabled(
                    !running && !self.files().is_empty(),
                    egui::Button::new("Inspect"),
                )
                .clicked()
            {
                self.inspect(ui.ctx());
            }
            if running {
                if let Some((progress, total)) = &self.progress {
                    let done = progress.done.load(std::sync::atomic::Ordering::Relaxed);
                    #[expect(clippy::cast_precision_loss)]
                    let fraction = done as f32 / (*total).max(1) as f32;
                    ui.add(
                        egui::ProgressBar::new(fraction)
                            .desired_width(240.0)
                            .text(format!("Reading {done} of {total} files…")),
                    );
                    if ui.button("Cancel").clicked() {
                        self.cancel();
                    }
                }
                // The bar moves while the files are read (the task wakes the window at its end).
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(100));
            }
        });
        if let Some(plan) = self.plan.clone() {
            let duplicates = plan.iter().filter(|p| p.duplicate_of.is_some()).count();
            ui.separator();
            ui.label(format!(
                "{} {} from {} {}{}",
                plan.len(),
                if plan.len() == 1 {
                    "document"
                } else {
                    "documents"
                },
                self.files().len(),
                if self.files().len() == 1 {
                    "file"
                } else {
                    "files"
                },
                if duplicates > 0 {
                    format!(", {duplicates} of them duplicates")
                } else {
                    String::new()
                }
            ));
            Self::table(ui, &plan);
            if duplicates > 0 {
                ui.checkbox(&mut self.keep_duplicates, "Add the duplicates too");
            }
            let adding = if self.keep_duplicates {
                plan.len()
            } else {
                plan.len() - duplicates
            };
            if self.writing.is_some() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("Writing {adding} documents…"));
                });
            } else if ui
                .add_enabled(
                    adding > 0,
                    egui::Button::new(format!("Add {adding} documents")),
                )
                .clicked()
            {
                fc.actions.push(Action::AddSources {
                    plan,
                    keep_duplicates: self.keep_duplicates,
                });
            }
        }
        super::outcome_ui(ui, self.message.as_ref());
    }
}
