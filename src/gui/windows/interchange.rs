//! File → Import / Export: a window to pick the format, annotator and path; the work runs on a
//! background thread with progress, and ends in a report of what was converted, what was
//! skipped and why.
//!
//! Export reads the saved project afresh on its thread (the app saves first), so the UI
//! thread never waits on disk. Import reads and parses the input on its thread; the checked
//! plan is applied on the UI thread as one undo step.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::core::Workspace;
use crate::formats::import::{ImportOptions, ImportReport};
use crate::formats::{self, Corpus, ExportFilter, ExportReport, Format};
use crate::gui::action::Action;
use crate::gui::jobs::Task;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Import,
    Export,
}

enum Message {
    Picked(PathBuf),
    /// The system file dialog could not be shown.
    NoDialog,
    /// The export's (done, total) documents; its result comes from its task.
    Progress(usize, usize),
}

/// Import: whose layers the input's annotations go to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whose {
    /// All into the one annotator typed in the window.
    Into,
    /// Each into the annotator the input names (Label Studio, doccano, `WebAnno`'s layout).
    Named,
    /// The input has a folder per annotator, named after them (`Lisa/a.ann`).
    Folders,
}

pub struct Interchange {
    pub mode: Mode,
    pub format: Format,
    /// Export: empty for every annotator. Import: the layer to import into.
    pub annotator: String,
    /// Import: whose layers the input's annotations go to.
    pub whose: Whose,
    pub path: String,
    pub add_documents: bool,
    pub add_labels: bool,
    /// (done, total) while a job runs.
    running: Option<(usize, usize)>,
    /// The last outcome, shown in the window.
    pub outcome: Option<Result<String, String>>,
    /// Something to ask of the app on the next frame (the system dialog failed: the app's own
    /// chooser).
    asks: Option<Action>,
    /// A corpus read on the background thread, to hand to the app.
    pending_corpus: Option<Corpus>,
    /// The input being read (import).
    reading: Option<Task<Result<Corpus, String>>>,
    /// A DNA database being read (import), and one read, waiting to be applied.
    reading_dna: Option<Task<Result<crate::formats::dna::Database, String>>>,
    pending_dna: Option<crate::formats::dna::Database>,
    /// The export being written.
    exporting: Option<Task<Result<ExportReport, String>>>,
    /// Where the last export of this session went (the chooser starts there).
    pub last_export_dir: Option<PathBuf>,
    tx: Sender<Message>,
    rx: Receiver<Message>,
}

impl Interchange {
    pub fn new(mode: Mode, annotator: &str) -> Self {
        let (tx, rx) = channel();
        Self {
            mode,
            format: if mode == Mode::Export {
                Format::Jsonl
            } else {
                Format::Brat
            },
            annotator: if mode == Mode::Export {
                String::new()
            } else {
                annotator.to_owned()
            },
            whose: Whose::Into,
            path: String::new(),
            add_documents: false,
            add_labels: true,
            running: None,
            outcome: None,
            pending_corpus: None,
            reading: None,
            reading_dna: None,
            pending_dna: None,
            exporting: None,
            last_export_dir: None,
            asks: None,
            tx,
            rx,
        }
    }

    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// The window's contents. Returns what the app must do.
    /// `builtin`: choose paths in the app's own chooser, not the system's dialog.
    pub fn ui(&mut self, ui: &mut egui::Ui, ws: &Workspace, builtin: bool) -> Option<Action> {
        self.poll(ui.ctx());
        let mut intent = self.asks.take();
        let running = self.running.is_some();
        ui.add_enabled_ui(!running, |ui| {
            egui::Grid::new("interchange")
                .num_columns(2)
                .show(ui, |ui| {
                    let format_label = ui.label("Format");
                    egui::ComboBox::from_id_salt("format")
                        .selected_text(self.format.title())
                        // Every format visible at once (eleven rows), no scrolling.
                        .height(360.0)
                        .show_ui(ui, |ui| {
                            for f in Format::all() {
                                if self.mode == Mode::Import && !f.can_import() {
                                    continue;
                                }
                                ui.selectable_value(&mut self.format, f, f.title());
                            }
                        })
                        .response
                        .labelled_by(format_label.id);
                    ui.end_row();
                    let annotator_label = ui.label("Annotator");
                    match self.mode {
                        Mode::Export => {
                            let shown = if self.annotator.is_empty() {
                                "All annotators".to_owned()
                            } else {
                                self.annotator.clone()
                            };
                            egui::ComboBox::from_id_salt("annotator")
                                .selected_text(shown)
                                .show_ui(ui, |ui| {
                                    ui.selectable_value(
                                        &mut self.annotator,
                                        String::new(),
                                        "All annotators",
                                    );
                                    for a in ws.project().annotators() {
                                        ui.selectable_value(&mut self.annotator, a.clone(), a);
                                    }
                                })
                                .response
                                .labelled_by(annotator_label.id);
                        }
                        Mode::Import => {
                            ui.vertical(|ui| {
                                ui.horizontal(|ui| {
                                    ui.radio_value(&mut self.whose, Whose::Into, "Into");
                                    ui.add_enabled(
                                        self.whose == Whose::Into,
                                        egui::TextEdit::singleline(&mut self.annotator)
                                            .desired_width(200.0),
                                    )
                                    .labelled_by(annotator_label.id);
                                });
                                ui.radio_value(
                                    &mut self.whose,
                                    Whose::Named,
                                    "Use the annotators the input names",
                                );
                                ui.radio_value(
                                    &mut self.whose,
                                    Whose::Folders,
                                    "One folder per annotator, named after them",
                                )
                                .on_hover_text(
                                    "Lisa/a.ann, Max/a.ann, …: the layout brat-iaa reads and \
                                     tagdesk's brat, WebAnno and UIMA exports of several \
                                     annotators write",
                                );
                            });
                        }
                    }
                    ui.end_row();
                    let what = match (self.mode, self.format.writes_folder()) {
                        (Mode::Export, true) => "Folder",
                        (Mode::Export, false) => "File",
                        (Mode::Import, _) => "Input",
                    };
                    let path_label = ui.label(what);
                    ui.horizontal(|ui| {
                        ui.add(
                            egui::TextEdit::singleline(&mut self.path)
                                .desired_width(320.0)
                                .hint_text(match self.mode {
                                    Mode::Export => "where to write",
                                    Mode::Import => "file or folder to read",
                                }),
                        )
                        .labelled_by(path_label.id);
                        if ui.button("Choose…").clicked() {
                            intent = if builtin {
                                Some(Action::ChooseInterchangePath { why: String::new() })
                            } else {
                                self.pick(ui.ctx(), ws)
                            };
                        }
                    });
                    ui.end_row();
                    if self.mode == Mode::Import {
                        ui.label("");
                        ui.vertical(|ui| {
                            ui.checkbox(
                                &mut self.add_documents,
                                "Add documents the project does not have",
                            );
                            ui.checkbox(
                                &mut self.add_labels,
                                "Add labels, relation types and attributes the schema lacks",
                            );
                        });
                        ui.end_row();
                    }
                });
            ui.add_space(6.0);
            let verb = match self.mode {
                Mode::Export => "Export",
                Mode::Import => "Import",
            };
            if ui
                .add_enabled(!self.path.trim().is_empty(), egui::Button::new(verb))
                .clicked()
            {
                self.outcome = None;
                match self.mode {
                    Mode::Export => {
                        // Refused at once (before saving) when it points into the project.
                        match formats::export::check_destination(
                            ws.project(),
                            self.format,
                            std::path::Path::new(self.path.trim()),
                        ) {
                            Ok(()) => intent = Some(Action::ExportAfterSave),
                            Err(why) => self.outcome = Some(Err(why)),
                        }
                    }
                    Mode::Import => self.start_read(ui.ctx()),
                }
            }
        });
        if let Some((done, total)) = self.running {
            #[allow(clippy::cast_precision_loss)] // a progress fraction
            let fraction = if total == 0 {
                0.0
            } else {
                done as f32 / total as f32
            };
            ui.add(
                egui::ProgressBar::new(fraction)
                    .text(format!("{done} of {total} documents"))
                    .animate(true),
            );
        }
        if let Some(outcome) = &self.outcome {
            ui.separator();
            let (text, color) = match outcome {
                Ok(text) => (text, ui.visuals().text_color()),
                Err(text) => (text, ui.visuals().error_fg_color),
            };
            egui::ScrollArea::vertical()
                .max_height(220.0)
                .show(ui, |ui| ui.colored_label(color, text));
        }
        if let Some(db) = self.pending_dna.take() {
            intent = Some(Action::ImportDna(Box::new(db)));
        }
        if self.mode == Mode::Import
            && let Some(corpus) = self.take_read()
        {
            let options = ImportOptions {
                annotator: (self.whose == Whose::Into).then(|| self.annotator.trim().to_owned()),
                add_documents: self.add_documents,
                add_labels: self.add_labels,
            };
            intent = Some(Action::Import(Box::new(corpus), options));
        }
        intent
    }

    /// A corpus read and waiting to be applied.
    fn take_read(&mut self) -> Option<Corpus> {
        self.pending_corpus.take()
    }

    fn poll(&mut self, ctx: &egui::Context) {
        while let Ok(message) = self.rx.try_recv() {
            match message {
                Message::Picked(path) => self.path = path.display().to_string(),
                Message::NoDialog => {
                    self.asks = Some(Action::ChooseInterchangePath {
                        why: "The system's file dialog could not be shown: choose here.".to_owned(),
                    });
                }
                Message::Progress(done, total) => {
                    if self.running.is_some() {
                        self.running = Some((done, total));
                    }
                }
            }
            ctx.request_repaint();
        }
        // A task that panicked ends as an error here: the window never waits forever.
        if let Some(result) = self.exporting.as_mut().and_then(Task::poll) {
            self.exporting = None;
            self.running = None;
            self.outcome = Some(match result {
                Ok(Ok(report)) => Ok(export_summary(&report, &self.path)),
                Ok(Err(e)) => Err(e),
                Err(e) => Err(format!(
                    "The export failed: {e}. A file is put in place only when complete, and a \
                     folder's files all or none, so nothing half-written was left."
                )),
            });
        }
        if let Some(result) = self.reading_dna.as_mut().and_then(Task::poll) {
            self.reading_dna = None;
            self.running = None;
            match result {
                Ok(Ok(db)) => self.pending_dna = Some(db),
                Ok(Err(e)) => self.outcome = Some(Err(format!("Nothing was imported.\n{e}"))),
                Err(e) => {
                    self.outcome = Some(Err(format!(
                        "Nothing was imported: reading the database failed: {e}."
                    )));
                }
            }
        }
        if let Some(result) = self.reading.as_mut().and_then(Task::poll) {
            self.reading = None;
            self.running = None;
            match result {
                Ok(Ok(corpus)) => self.pending_corpus = Some(corpus),
                Ok(Err(e)) => self.outcome = Some(Err(format!("Nothing was imported.\n{e}"))),
                Err(e) => {
                    self.outcome = Some(Err(format!(
                        "Nothing was imported: reading the input failed: {e}."
                    )));
                }
            }
        }
        if self.running.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
    }

    /// The system's file dialog on a thread; where there is none, the app's own chooser (the
    /// returned action asks for it).
    fn pick(&self, ctx: &egui::Context, ws: &Workspace) -> Option<Action> {
        if let Some(why) = crate::gui::dialogs::chooser::native_dialog_missing() {
            return Some(Action::ChooseInterchangePath { why });
        }
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let (mode, format) = (self.mode, self.format);
        let start = start_folder(ws, mode, &self.path, self.last_export_dir.as_deref());
        let name = format!("{}.{}", ws.project().name(), format.file_extension());
        let _ = crate::core::job::spawn("tagdesk-dialog", move || {
            let asked = std::time::Instant::now();
            let dialog = rfd::FileDialog::new().set_directory(start);
            let picked = match (mode, format.writes_folder() || format == Format::WebannoTsv) {
                (_, true) => dialog.pick_folder(),
                (Mode::Export, false) => dialog.set_file_name(name).save_file(),
                (Mode::Import, false) => dialog.pick_file(),
            };
            let message = match picked {
                Some(path) => Message::Picked(path),
                // No answer at once: the dialog could not be shown at all.
                None if asked.elapsed() < std::time::Duration::from_millis(150) => {
                    Message::NoDialog
                }
                None => return,
            };
            let _ = tx.send(message);
            ctx.request_repaint();
        });
        None
    }

    fn start_read(&mut self, ctx: &egui::Context) {
        let (format, path) = (self.format, PathBuf::from(self.path.trim()));
        if format == Format::Dna {
            self.running = Some((0, 1));
            self.reading_dna = Some(Task::spawn(ctx, "tagdesk-import", move || {
                crate::formats::dna::read(&path)
            }));
            return;
        }
        let folders = self.whose == Whose::Folders;
        self.running = Some((0, 1));
        self.reading = Some(Task::spawn(ctx, "tagdesk-import", move || {
            formats::read(format, &path)
                .and_then(|mut corpus| {
                    if folders {
                        formats::annotators_from_folders(&mut corpus)?;
                    }
                    Ok(corpus)
                })
                .map_err(|e| e.to_string())
        }));
    }

    /// Starts the export of the saved project at `root` on a background thread.
    pub fn start_export(&mut self, ctx: &egui::Context, root: PathBuf) {
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let format = self.format;
        let path = PathBuf::from(self.path.trim());
        self.last_export_dir = path.parent().map(std::path::Path::to_owned);
        // Where the layers come from is `run_export`'s choice (`open_for_export`).
        let filter = ExportFilter {
            annotator: (!self.annotator.is_empty()).then(|| self.annotator.clone()),
            ..ExportFilter::default()
        };
        self.running = Some((0, 0));
        let progress_ctx = ctx.clone();
        self.exporting = Some(Task::spawn(&ctx, "tagdesk-export", move || {
            run_export(&root, format, &filter, &path, &|done, total| {
                let _ = tx.send(Message::Progress(done, total));
                progress_ctx.request_repaint();
            })
        }));
    }

    /// Shows the outcome of an import applied by the app.
    /// What importing a DNA database did (the app calls this).
    pub fn imported_dna(&mut self, result: Result<crate::formats::dna::DnaReport, String>) {
        self.outcome = Some(match result {
            Ok(report) => Ok(format!(
                "Imported {} (Ctrl+Z undoes the import). Review → Network draws every coder's statements, as DNA does.",
                report.summary()
            )),
            Err(e) => Err(format!("Nothing was imported.\n{e}")),
        });
    }

    pub fn imported(&mut self, result: Result<ImportReport, String>) {
        self.outcome = Some(match result {
            Ok(report) => Ok(report.summary()),
            Err(e) => Err(format!("Nothing was imported.\n{e}")),
        });
    }
}

/// Where a file dialog starts. Export: the folder of the path typed, the last export's folder,
/// or the user's documents folder — never inside the project (an export there is refused).
/// Import: the project.
pub fn start_folder(
    ws: &Workspace,
    mode: Mode,
    typed: &str,
    last: Option<&std::path::Path>,
) -> PathBuf {
    if mode == Mode::Import {
        return ws.project().root.clone();
    }
    let typed = std::path::Path::new(typed.trim());
    let documents = std::env::var_os("HOME").map(PathBuf::from).map(|home| {
        let docs = home.join("Documents");
        if docs.is_dir() { docs } else { home }
    });
    [
        typed
            .parent()
            .filter(|p| p.is_dir())
            .map(std::path::Path::to_owned),
        last.map(std::path::Path::to_owned),
        documents,
        ws.project().root.parent().map(std::path::Path::to_owned),
    ]
    .into_iter()
    .flatten()
    .find(|dir| {
        dir.is_dir()
            && formats::export::check_destination(ws.project(), Format::Brat, &dir.join("x"))
                .is_ok()
    })
    .unwrap_or_else(std::env::temp_dir)
}

fn export_summary(report: &ExportReport, path: &str) -> String {
    let mut s = format!(
        "Exported {} annotations and {} relations in {} records to {path}.",
        report.annotations, report.relations, report.records
    );
    for w in &report.warnings {
        s.push_str("\nwarning: ");
        s.push_str(w);
    }
    for b in &report.broken {
        s.push_str("\nleft out (cannot be read): ");
        s.push_str(b);
    }
    s
}

fn run_export(
    root: &std::path::Path,
    format: Format,
    filter: &ExportFilter,
    path: &std::path::Path,
    progress: &dyn Fn(usize, usize),
) -> Result<ExportReport, String> {
    // Read-only: an export reads the saved project and writes only where it was told. Each
    // document's layers are read as it is exported; an unreadable file is left out and named.
    let (mut ws, layers) =
        formats::export::open_for_export(root, format, true).map_err(|e| e.to_string())?;
    let filter = ExportFilter {
        layers,
        ..filter.clone()
    };
    formats::export::export_to_path(&mut ws, format, &filter, path, progress)
}

impl super::Window for Interchange {
    fn title(&self) -> &'static str {
        match self.mode {
            Mode::Export => super::EXPORT,
            Mode::Import => super::IMPORT,
        }
    }

    fn default_size(&self) -> Option<egui::Vec2> {
        None
    }

    fn frame<'a>(&self, window: egui::Window<'a>, screen: egui::Rect) -> egui::Window<'a> {
        window
            .collapsible(false)
            .default_width(560.0_f32.min(screen.width() - 40.0))
    }

    fn show(&mut self, ui: &mut egui::Ui, fc: &mut crate::gui::state::FrameCtx) {
        let Some(ws) = fc.ws() else { return };
        if let Some(action) = self.ui(ui, ws, fc.state.builtin_file_dialog) {
            fc.actions.push(action);
        }
    }

    fn can_close(&self) -> bool {
        !self.is_running()
    }
}
