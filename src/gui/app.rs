//! The application: state, frame loop, panels, dialogs. UI code pushes [`Action`]s; they are
//! applied at the end of the frame, in order.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use egui::{Color32, RichText};

use super::Options;
use super::commands::{Command, pressed_commands};
use super::document_view::{DocumentView, ViewEvent, ViewInput};
use super::frame_stats::FrameStats;
use crate::core::project::{LayerKey, Project};
use crate::core::schema::{AttributeKind, AttributeValue};
use crate::core::text::EdgeUnit;
use crate::core::{DocStatus, Workspace};

/// Autosave runs this long after the last edit.
const AUTOSAVE_DELAY: Duration = Duration::from_secs(3);
const STORAGE_ANNOTATOR: &str = "annotator";
const STORAGE_LAST_PROJECT: &str = "last_project";
const STORAGE_RECENT: &str = "recent_projects";

/// Everything the UI can ask for. Applied at the end of the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Command(Command),
    OpenPath(PathBuf, Option<String>),
    InitProject(PathBuf),
    SelectDocument(String),
    ApplyLabel(String),
    SelectAnnotation(Option<String>),
    SetSelection(Option<Range<usize>>),
    SetNote {
        id: String,
        note: String,
    },
    SetStatus(DocStatus),
    SetAnnotator(String),
    /// Sets (or clears) an attribute of an annotation of the current layer.
    SetAttribute {
        id: String,
        name: String,
        value: Option<AttributeValue>,
    },
    /// Moves a span's edges (dragging an edge; consecutive moves are one undo step).
    ResizeSpan {
        id: String,
        range: Range<usize>,
    },
    /// Clears a span's "needs review" flag.
    MarkReviewed(String),
    /// Adds a piece to a span (Ctrl+drag), making it discontinuous.
    AddFragment {
        id: String,
        range: Range<usize>,
    },
    /// A drag gesture ended: the next edit starts a new undo step.
    EndGesture,
    /// Replaces the schema (pruning what it no longer allows).
    SetSchema {
        schema: crate::core::Schema,
        description: String,
        coalesce: Option<String>,
    },
    RenameLabel {
        old: String,
        new: String,
    },
    RemoveLabel(String),
    /// Links two annotations of the current layer.
    AddRelation {
        kind: String,
        from: String,
        to: String,
    },
    RemoveRelation(String),
    /// Scrolls the document view so this character is near the top.
    RevealChar(usize),
}

/// A relation being made: its source, and the target candidate (Tab moves it).
#[derive(Debug, Clone)]
struct Linking {
    from: String,
    target: Option<String>,
}

/// Relation types to choose from for a source and target.
#[derive(Debug, Clone)]
struct RelationChoice {
    from: String,
    to: String,
    kinds: Vec<String>,
}

/// A project being opened in the background.
struct Opening {
    path: PathBuf,
    document: Option<String>,
    /// Who the lock was taken for (the annotator may be changed while the project loads).
    annotator: String,
    result: Receiver<Result<Opened, String>>,
}

/// What the opening thread hands over: the project, and the annotator's lock and the folder
/// watcher (each costs milliseconds of disk work the UI thread should not wait for).
struct Opened {
    ws: Workspace,
    lock: Result<crate::core::lock::AnnotatorLock, crate::core::lock::LockError>,
    watcher: Result<super::watcher::FolderWatcher, String>,
}

/// Keyboard focus bookkeeping across frames.
#[derive(Debug, Default)]
struct KeyboardFocus {
    /// Move keyboard focus to the note field on the next frame (Enter).
    focus_note: bool,
    /// A text field had keyboard focus at the end of the last frame. egui drops focus on
    /// Escape before the frame's code runs, so this is what tells "Esc left the field" from
    /// "Esc clears the selection".
    was_typing: bool,
}

/// Find in document: the query, its matches in the current document, the current one.
#[derive(Debug, Clone, Default)]
struct FindBar {
    query: String,
    /// The document and query the matches were computed for.
    matched: Option<(String, String)>,
    matches: Vec<Range<usize>>,
    current: Option<usize>,
    /// Give the query field keyboard focus on the next frame.
    focus: bool,
}

/// How the annotation list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListOrder {
    Position,
    Label,
}

/// A document's text read off the UI thread.
/// Saves asked for and what waits on them.
#[derive(Debug, Default)]
struct SaveFlow {
    /// Ctrl+S came while changed files were being read: saving follows once they are in.
    requested: bool,
    /// An export waits for the save of unsaved edits (it reads the saved files).
    export_waiting: bool,
    /// The last save reported errors.
    last_failed: bool,
}

/// Spans being placed in a changed text on a background thread.
struct ReanchorJob {
    key: LayerKey,
    spans: usize,
    result: Receiver<crate::core::workspace::PlannedReanchor>,
}

struct TextJob {
    document: String,
    result: Receiver<Result<crate::core::project::LoadedText, crate::core::project::DocumentError>>,
}

/// What the background scan found out about a document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DocProbe {
    Ok { chars: usize },
    Unusable(String),
}

#[derive(Debug, Clone)]
struct StatusMessage {
    text: String,
    is_error: bool,
}

pub struct App {
    workspace: Option<Workspace>,
    annotator: String,
    /// `Some` while the annotator dialog is open (the name being typed).
    annotator_draft: Option<String>,
    current_doc: Option<String>,
    view: DocumentView,
    selected: Option<String>,
    selection: Option<Range<usize>>,
    note_draft: String,
    note_for: Option<String>,
    actions: Vec<Action>,
    probes: HashMap<String, DocProbe>,
    probe_rx: Option<Receiver<(String, DocProbe)>>,
    /// The current document's text being read on a background thread.
    text_job: Option<TextJob>,
    /// Saves asked for and waited on.
    save_flow: SaveFlow,
    /// The current layer being re-anchored to its changed text.
    reanchoring: Option<ReanchorJob>,
    /// F8 looking through the other documents on a thread.
    step_job: Option<Receiver<Option<crate::core::review::Found>>>,
    /// A layer whose re-anchoring to the text with this hash could not be applied, or was
    /// undone: not done again (until the text changes once more).
    reanchor_refused: Option<(LayerKey, String)>,
    /// The annotation list's order by label (indices into the layer), at its revision.
    label_order: (Option<u64>, Vec<usize>),
    dialog_tx: SyncSender<Action>,
    dialog_rx: Receiver<Action>,
    last_edit: Option<Instant>,
    status: Option<StatusMessage>,
    /// Errors the user must acknowledge (a modal).
    alerts: Vec<String>,
    /// A plain folder the user opened: offer to make it a project.
    offer_init: Option<PathBuf>,
    show_about: bool,
    palette: Option<super::palette::Palette>,
    keyboard: KeyboardFocus,
    list_order: ListOrder,
    /// Choosing the target of a new relation (after R).
    linking: Option<Linking>,
    /// Several relation types fit: the user picks one.
    relation_choice: Option<RelationChoice>,
    /// The find bar, when open.
    find: Option<FindBar>,
    /// The schema editor window, when open.
    schema_editor: Option<super::schema_editor::SchemaEditor>,
    /// The import or export window, when open.
    interchange: Option<super::interchange::Interchange>,
    /// The review panel, when open.
    review: Option<super::review::Review>,
    /// The agreement window, when open.
    agreement: Option<super::agreement::AgreementWindow>,
    /// The corpus search window, when open.
    corpus_search: Option<super::corpus_search::CorpusSearch>,
    /// Watches the project and source folders for changes made by others.
    watcher: Option<super::watcher::FolderWatcher>,
    /// Changed paths not yet taken in (debounced), and when the last one came.
    disk_changes: (Vec<PathBuf>, Option<Instant>),
    /// Annotation files changed on disk under unsaved edits: the user chooses, one at a time.
    disk_conflicts: Vec<LayerKey>,
    /// This instance's claim on the current annotator in the open project.
    lock: Option<crate::core::lock::AnnotatorLock>,
    /// A project being read on a background thread.
    opening: Option<Opening>,
    recent: Vec<PathBuf>,
    frame_stats: Option<FrameStats>,
    window_title: String,
    close_confirmed: bool,
}

impl App {
    /// Creates the app inside eframe: fonts, stored preferences, the project to open.
    pub fn new(cc: &eframe::CreationContext<'_>, options: Options) -> Self {
        super::fonts::install(&cc.egui_ctx);
        let storage = cc.storage;
        let stored = |key: &str| storage.and_then(|s| s.get_string(key));
        let recent: Vec<PathBuf> = storage
            .and_then(|s| eframe::get_value::<Vec<PathBuf>>(s, STORAGE_RECENT))
            .unwrap_or_default();
        let path = options
            .path
            .clone()
            .or_else(|| {
                stored(STORAGE_LAST_PROJECT)
                    .map(PathBuf::from)
                    .filter(|p| p.is_dir())
            })
            .or_else(super::sample_project);
        let mut app = Self::with_annotator(
            options
                .annotator
                .clone()
                .or_else(|| stored(STORAGE_ANNOTATOR)),
        );
        app.recent = recent;
        if let Some(path) = &options.frame_stats {
            match FrameStats::create(path) {
                Ok(stats) => app.frame_stats = Some(stats),
                Err(err) => app.alerts.push(format!(
                    "cannot write frame stats: {err}: {}",
                    path.display()
                )),
            }
        }
        if let Some(path) = path {
            app.actions.push(Action::OpenPath(path, options.document));
        }
        app
    }

    /// An app with no project open. With no annotator name, the first frame asks for one.
    pub fn with_annotator(annotator: Option<String>) -> Self {
        let (dialog_tx, dialog_rx) = sync_channel(8);
        let (annotator, annotator_draft) = match annotator {
            Some(name) if crate::core::project::valid_annotator_name(&name).is_ok() => (name, None),
            _ => {
                let default = default_annotator_name();
                (default.clone(), Some(default))
            }
        };
        Self {
            workspace: None,
            annotator,
            annotator_draft,
            current_doc: None,
            view: DocumentView::default(),
            selected: None,
            selection: None,
            note_draft: String::new(),
            note_for: None,
            actions: Vec::new(),
            probes: HashMap::new(),
            probe_rx: None,
            text_job: None,
            save_flow: SaveFlow::default(),
            reanchoring: None,
            step_job: None,
            reanchor_refused: None,
            label_order: (None, Vec::new()),
            dialog_tx,
            dialog_rx,
            last_edit: None,
            status: None,
            alerts: Vec::new(),
            offer_init: None,
            show_about: false,
            palette: None,
            keyboard: KeyboardFocus::default(),
            list_order: ListOrder::Position,
            linking: None,
            relation_choice: None,
            find: None,
            schema_editor: None,
            interchange: None,
            review: None,
            agreement: None,
            corpus_search: None,
            watcher: None,
            disk_changes: (Vec::new(), None),
            disk_conflicts: Vec::new(),
            lock: None,
            opening: None,
            recent: Vec::new(),
            frame_stats: None,
            window_title: String::new(),
            close_confirmed: false,
        }
    }

    // ---- Read access, for tests and the frame-stats line. ----

    pub fn workspace(&self) -> Option<&Workspace> {
        self.workspace.as_ref()
    }

    pub fn current_document(&self) -> Option<&str> {
        self.current_doc.as_deref()
    }

    pub fn annotator(&self) -> &str {
        &self.annotator
    }

    pub fn selected_annotation(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    pub fn pending_selection(&self) -> Option<Range<usize>> {
        self.selection.clone()
    }

    /// While linking (after R): the chosen target span.
    pub fn link_target(&self) -> Option<&str> {
        self.linking.as_ref().and_then(|l| l.target.as_deref())
    }

    pub fn alerts(&self) -> &[String] {
        &self.alerts
    }

    /// The status bar's message, if any.
    pub fn status_text(&self) -> Option<&str> {
        self.status.as_ref().map(|s| s.text.as_str())
    }

    /// Queues an action as if the UI had asked for it.
    pub fn push_action(&mut self, action: Action) {
        self.actions.push(action);
    }

    /// Screen position of the middle of a character of the current document, if visible.
    pub fn char_screen_pos(&self, char_offset: usize) -> Option<egui::Pos2> {
        let text = self.current_text()?;
        self.view.char_screen_pos(&text.text, char_offset)
    }

    /// Screen position of the caret before a character of the current document, if visible.
    pub fn caret_screen_pos(&self, char_offset: usize) -> Option<egui::Pos2> {
        let text = self.current_text()?;
        self.view.caret_screen_pos(&text.text, char_offset)
    }

    fn current_text(&self) -> Option<std::sync::Arc<crate::core::project::LoadedText>> {
        let ws = self.workspace.as_ref()?;
        let doc = self.current_doc.as_ref()?;
        ws.cached_text(doc)?.as_ref().ok().cloned()
    }

    fn current_key(&self) -> Option<LayerKey> {
        Some((self.current_doc.clone()?, self.layer_name().to_owned()))
    }

    /// The layer the document view shows and edits: one's own, or the curated layer while
    /// curating.
    pub fn layer_name(&self) -> &str {
        if self.review.as_ref().is_some_and(|r| r.curating) {
            crate::core::review::CURATED
        } else {
            &self.annotator
        }
    }

    /// A save is being written, or changed files read, in the background (or a save waits
    /// for such a read to end).
    pub fn saving(&self) -> bool {
        self.save_flow.requested
            || self
                .workspace
                .as_ref()
                .is_some_and(|ws| ws.saving_in_background() || ws.checking_disk())
    }

    /// The current document is still being read, re-anchored or compared (in the background).
    pub fn text_pending(&self) -> bool {
        self.reanchoring.is_some()
            || self
                .review
                .as_ref()
                .is_some_and(super::review::Review::comparing)
            || match (&self.workspace, &self.current_doc) {
                (Some(ws), Some(doc)) => ws.cached_text(doc).is_none(),
                _ => false,
            }
    }

    pub fn reviewing(&self) -> bool {
        self.review.is_some()
    }

    /// Whether the user is typing in a text field (a focused button does not count: label keys
    /// must keep working after clicking one).
    fn text_has_focus(ctx: &egui::Context) -> bool {
        ctx.text_edit_focused()
    }

    fn modal_open(&self) -> bool {
        self.annotator_draft.is_some()
            || !self.alerts.is_empty()
            || self.offer_init.is_some()
            || self.show_about
            || self.palette.is_some()
            || self.relation_choice.is_some()
            || !self.disk_conflicts.is_empty()
    }

    // ---- The frame. ----

    /// One frame: input, panels, dialogs, then the queued actions.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let started = Instant::now();
        let ctx = ui.ctx().clone();
        self.poll_background(&ctx);
        self.keyboard(&ctx);
        self.dropped_files(&ctx);

        self.menu_bar_ui(ui);
        self.status_bar_ui(ui);
        self.documents_panel_ui(ui);
        self.side_panel_ui(ui);
        self.review_panel_ui(ui);
        egui::CentralPanel::default().show(ui, |ui| self.central_ui(ui));
        self.modals_ui(&ctx);
        self.agreement_ui(&ctx);
        self.corpus_search_ui(&ctx);

        let actions = std::mem::take(&mut self.actions);
        for action in actions {
            self.apply(&ctx, action);
        }
        self.keyboard.was_typing = Self::text_has_focus(&ctx);
        self.take_in_disk_changes(&ctx);
        self.autosave(&ctx);
        self.handle_close(&ctx);
        self.update_title(&ctx);
        if let Some(stats) = &mut self.frame_stats {
            stats.record(started.elapsed(), self.view.stats);
        }
    }

    fn poll_background(&mut self, ctx: &egui::Context) {
        if let Some(opening) = &self.opening {
            match opening.result.try_recv() {
                Ok(result) => {
                    let Some(opening) = self.opening.take() else {
                        return;
                    };
                    match result {
                        Ok(opened) => {
                            self.finish_open(ctx, &opening, opened);
                        }
                        Err(err) => self.alerts.push(format!("Cannot open the project: {err}")),
                    }
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    ctx.request_repaint_after(Duration::from_millis(50));
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.opening = None;
                    self.alerts
                        .push("Opening the project failed unexpectedly.".to_owned());
                }
            }
        }
        while let Ok(action) = self.dialog_rx.try_recv() {
            self.actions.push(action);
        }
        self.poll_text(ctx);
        self.poll_reanchor(ctx);
        self.poll_step(ctx);
        if let Some(rx) = &self.probe_rx {
            let mut got = false;
            while let Ok((path, probe)) = rx.try_recv() {
                self.probes.insert(path, probe);
                got = true;
            }
            if got {
                ctx.request_repaint();
            }
        }
    }

    /// The current document's text is read on a thread the first time it is shown (a 10 MB
    /// file takes tens of milliseconds); the view says "Loading…" meanwhile.
    fn poll_text(&mut self, ctx: &egui::Context) {
        let Some(ws) = &mut self.workspace else {
            self.text_job = None;
            return;
        };
        if let Some(job) = &self.text_job {
            match job.result.try_recv() {
                Ok(result) => {
                    let document = job.document.clone();
                    self.text_job = None;
                    ws.insert_text(&document, result.map(std::sync::Arc::new));
                    ctx.request_repaint();
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => self.text_job = None,
            }
        }
        let Some(doc) = self.current_doc.clone() else {
            return;
        };
        if ws.cached_text(&doc).is_some()
            || self.text_job.as_ref().is_some_and(|j| j.document == doc)
        {
            return;
        }
        if ws.project.document(&doc).is_none() {
            // Not in the source folder (an orphaned layer): nothing to read.
            ws.insert_text(&doc, ws.project.read_text(&doc).map(std::sync::Arc::new));
            return;
        }
        let file = ws.project.document_file(&doc);
        let (tx, rx) = sync_channel(1);
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("tagdesk-text".to_owned())
            .spawn(move || {
                let _ = tx.send(crate::core::project::load_text_file(&file));
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.text_job = Some(TextJob {
                    document: doc,
                    result: rx,
                });
            }
            // No thread to be had: read it here rather than not at all.
            Err(_) => {
                let _ = ws.text(&doc);
            }
        }
    }

    fn keyboard(&mut self, ctx: &egui::Context) {
        if self.modal_open() {
            // Quitting (which saves) still works with a dialog open.
            if ctx.input_mut(|i| i.consume_shortcut(&Command::Quit.shortcuts()[0])) {
                self.actions.push(Action::Command(Command::Quit));
            }
            return;
        }
        let text_focused = Self::text_has_focus(ctx) || self.keyboard.was_typing;
        for command in pressed_commands(ctx, text_focused) {
            self.actions.push(Action::Command(command));
        }
        if text_focused {
            return;
        }
        let Some(ws) = &self.workspace else { return };
        let keys: Vec<egui::Key> = ctx.input(|i| {
            i.events
                .iter()
                .filter_map(|e| match e {
                    egui::Event::Key {
                        key,
                        pressed: true,
                        modifiers,
                        ..
                    } if modifiers.is_none() || *modifiers == egui::Modifiers::SHIFT => Some(*key),
                    _ => None,
                })
                .collect()
        });
        for key in keys {
            if let Some(label) = ws.project.schema().by_hotkey(key.name()) {
                self.actions.push(Action::ApplyLabel(label.name.clone()));
            }
        }
    }

    fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            let folder = if path.is_dir() {
                path
            } else {
                path.parent().map(Path::to_owned).unwrap_or(path)
            };
            self.actions.push(Action::OpenPath(folder, None));
        }
    }

    // ---- Panels. ----

    fn menu_bar_ui(&mut self, ui: &mut egui::Ui) {
        egui::Panel::top("menu_bar").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                ui.menu_button("File", |ui| {
                    self.command_button(ui, Command::OpenProject);
                    self.command_button(ui, Command::OpenFolder);
                    if !self.recent.is_empty() {
                        ui.menu_button("Open recent", |ui| {
                            for path in self.recent.clone() {
                                if ui.button(path.display().to_string()).clicked() {
                                    self.actions.push(Action::OpenPath(path, None));
                                }
                            }
                        });
                    }
                    ui.separator();
                    self.command_button(ui, Command::Save);
                    self.command_button(ui, Command::Import);
                    self.command_button(ui, Command::Export);
                    ui.separator();
                    self.command_button(ui, Command::Quit);
                });
                ui.menu_button("Edit", |ui| {
                    self.command_button(ui, Command::Undo);
                    self.command_button(ui, Command::Redo);
                    ui.separator();
                    self.command_button(ui, Command::DeleteAnnotation);
                    self.command_button(ui, Command::ClearSelection);
                    ui.separator();
                    self.command_button(ui, Command::NextAnnotation);
                    self.command_button(ui, Command::PreviousAnnotation);
                    self.command_button(ui, Command::EditNote);
                    ui.menu_button("Resize span", |ui| {
                        for command in [
                            Command::GrowEnd,
                            Command::ShrinkEnd,
                            Command::GrowEndWord,
                            Command::ShrinkEndWord,
                            Command::GrowStart,
                            Command::ShrinkStart,
                            Command::GrowStartWord,
                            Command::ShrinkStartWord,
                        ] {
                            self.command_button(ui, command);
                        }
                    });
                    ui.separator();
                    self.command_button(ui, Command::Find);
                    self.command_button(ui, Command::SearchCorpus);
                });
                ui.menu_button("Document", |ui| {
                    self.command_button(ui, Command::NextDocument);
                    self.command_button(ui, Command::PreviousDocument);
                    self.command_button(ui, Command::MarkDone);
                    self.command_button(ui, Command::EditSchema);
                    ui.separator();
                    self.command_button(ui, Command::ChangeAnnotator);
                });
                ui.menu_button("Review", |ui| {
                    self.command_button(ui, Command::Review);
                    self.command_button(ui, Command::NextDisagreement);
                    self.command_button(ui, Command::PreviousDisagreement);
                    ui.separator();
                    self.command_button(ui, Command::Agreement);
                });
                ui.menu_button("Help", |ui| {
                    self.command_button(ui, Command::CommandPalette);
                    self.command_button(ui, Command::About);
                });
            });
        });
    }

    fn command_button(&mut self, ui: &mut egui::Ui, command: Command) {
        let enabled = self.command_enabled(command);
        let mut title = command.title().to_owned();
        if let Some(ws) = &self.workspace {
            let detail = match command {
                Command::Undo => ws.history().undo_description(),
                Command::Redo => ws.history().redo_description(),
                _ => None,
            };
            if let Some(detail) = detail {
                title = format!("{title} {detail}");
            }
        }
        let button = egui::Button::new(title).shortcut_text(command.shortcut_text(ui.ctx()));
        if ui.add_enabled(enabled, button).clicked() {
            self.actions.push(Action::Command(command));
            ui.close();
        }
    }

    fn command_enabled(&self, command: Command) -> bool {
        let ws = self.workspace.as_ref();
        match command {
            Command::Save => ws.is_some_and(Workspace::is_dirty),
            Command::Export
            | Command::Import
            | Command::NextDocument
            | Command::PreviousDocument
            | Command::MarkDone
            | Command::Review
            | Command::Agreement
            | Command::SearchCorpus
            | Command::NextDisagreement
            | Command::PreviousDisagreement => ws.is_some(),
            Command::Undo => ws.is_some_and(|w| w.history().can_undo()),
            Command::Redo => ws.is_some_and(|w| w.history().can_redo()),
            Command::DeleteAnnotation
            | Command::GrowEnd
            | Command::ShrinkEnd
            | Command::GrowEndWord
            | Command::ShrinkEndWord
            | Command::GrowStart
            | Command::ShrinkStart
            | Command::GrowStartWord
            | Command::ShrinkStartWord
            | Command::EditNote
            | Command::LinkRelation => self.selected.is_some(),
            Command::NextAnnotation | Command::PreviousAnnotation => self
                .current_key()
                .and_then(|k| ws?.project.layers.get(&k))
                .is_some_and(|l| !l.is_empty()),
            Command::ClearSelection => self.selected.is_some() || self.selection.is_some(),
            _ => true,
        }
    }

    fn status_bar_ui(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                if ui
                    .button(format!("Annotator: {}", self.annotator))
                    .on_hover_text("The annotator you annotate as. Click to change.")
                    .clicked()
                {
                    self.actions.push(Action::Command(Command::ChangeAnnotator));
                }
                if self.layer_name() == crate::core::review::CURATED {
                    ui.label(
                        RichText::new("✎ editing the curated layer")
                            .color(ui.visuals().warn_fg_color),
                    );
                }
                ui.separator();
                if let Some(ws) = &self.workspace {
                    let unsaved = ws.dirty_layers().len();
                    if unsaved > 0 {
                        ui.label(
                            RichText::new(format!("• {unsaved} unsaved"))
                                .color(ui.visuals().warn_fg_color),
                        );
                    } else {
                        ui.label("All changes saved");
                    }
                    ui.separator();
                }
                if let Some(err) = self.workspace.as_ref().and_then(Workspace::journal_error) {
                    ui.label(RichText::new(err).color(ui.visuals().error_fg_color));
                    ui.separator();
                }
                if let Some(status) = &self.status {
                    let color = if status.is_error {
                        ui.visuals().error_fg_color
                    } else {
                        ui.visuals().text_color()
                    };
                    ui.label(RichText::new(&status.text).color(color));
                }
            });
        });
    }

    fn documents_panel_ui(&mut self, ui: &mut egui::Ui) {
        egui::Panel::left("documents")
            .resizable(true)
            .default_size(300.0)
            .min_size(200.0)
            .show(ui, |ui| {
                let Some(ws) = &self.workspace else {
                    ui.label("No project open.");
                    return;
                };
                ui.heading(ws.project.name());
                ui.label(
                    RichText::new(format!("{} documents", ws.project.documents.len()))
                        .small()
                        .weak(),
                );
                // The list is usable at once; every file is read in the background to flag
                // the unusable ones.
                let total = ws.project.documents.len();
                let checked = self.probes.len().min(total);
                if self.probe_rx.is_some() && checked < total {
                    #[expect(clippy::cast_precision_loss)]
                    let fraction = checked as f32 / total as f32;
                    ui.add(
                        egui::ProgressBar::new(fraction)
                            .desired_height(12.0)
                            .text(RichText::new(format!("reading {checked} of {total}")).small()),
                    )
                    .on_hover_text("Each file is read in the background to find unusable ones");
                } else {
                    let unusable = self
                        .probes
                        .values()
                        .filter(|p| matches!(p, DocProbe::Unusable(_)))
                        .count();
                    if unusable > 0 {
                        ui.label(
                            RichText::new(format!("{unusable} cannot be opened"))
                                .small()
                                .color(ui.visuals().warn_fg_color),
                        );
                    }
                }
                ui.separator();
                let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
                let orphans: Vec<String> = ws
                    .project
                    .orphaned_layers()
                    .into_iter()
                    .filter(|(_, annotator)| *annotator == self.annotator)
                    .map(|(doc, _)| doc.clone())
                    .collect();
                if !orphans.is_empty() {
                    ui.label(
                        RichText::new("Missing from the source folder (annotations kept):")
                            .small()
                            .color(ui.visuals().warn_fg_color),
                    );
                    for doc in orphans {
                        let selected = self.current_doc.as_deref() == Some(doc.as_str());
                        if ui
                            .add(
                                egui::Button::selectable(selected, format!("{doc} (missing)"))
                                    .truncate(),
                            )
                            .clicked()
                        {
                            self.actions.push(Action::SelectDocument(doc));
                        }
                    }
                    ui.separator();
                }
                let docs = &ws.project.documents;
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show_rows(ui, row_height, docs.len(), |ui, rows| {
                        for doc in &docs[rows] {
                            let key = (doc.path.clone(), self.annotator.clone());
                            let layer = ws.project.layers.get(&key);
                            let count = layer.map_or(0, crate::core::AnnotationLayer::len);
                            let (status, weak) = match self.probes.get(&doc.path) {
                                Some(DocProbe::Unusable(reason)) => (reason.clone(), true),
                                _ if ws.project.is_locked(&key) => {
                                    ("annotation file unreadable".to_owned(), true)
                                }
                                _ => (
                                    layer
                                        .map_or(DocStatus::New, |l| l.status)
                                        .as_str()
                                        .to_owned(),
                                    false,
                                ),
                            };
                            let dirty = if ws.dirty_layers().contains(&key) {
                                " •"
                            } else {
                                ""
                            };
                            let selected = self.current_doc.as_deref() == Some(doc.path.as_str());
                            let response = ui
                                .horizontal(|ui| {
                                    ui.with_layout(
                                        egui::Layout::right_to_left(egui::Align::Center),
                                        |ui| {
                                            let info = RichText::new(format!("{count} · {status}"))
                                                .small();
                                            let info = if weak {
                                                info.color(ui.visuals().warn_fg_color)
                                            } else {
                                                info.weak()
                                            };
                                            ui.add(egui::Label::new(info).truncate());
                                            ui.with_layout(
                                                egui::Layout::left_to_right(egui::Align::Center),
                                                |ui| {
                                                    ui.add(
                                                        egui::Button::selectable(
                                                            selected,
                                                            format!("{}{dirty}", doc.path),
                                                        )
                                                        .truncate(),
                                                    )
                                                },
                                            )
                                            .inner
                                        },
                                    )
                                    .inner
                                })
                                .inner;
                            if let Some(DocProbe::Unusable(reason)) = self.probes.get(&doc.path) {
                                response
                                    .clone()
                                    .on_hover_text(format!("Cannot be opened: {reason}"));
                            }
                            if response.clicked() {
                                self.actions.push(Action::SelectDocument(doc.path.clone()));
                            }
                        }
                    });
            });
    }

    fn side_panel_ui(&mut self, ui: &mut egui::Ui) {
        egui::Panel::right("labels")
            .resizable(true)
            .default_size(300.0)
            .size_range(240.0..=520.0)
            .show(ui, |ui| {
                let Some(ws) = &self.workspace else { return };
                let key = self.current_key();
                let layer = key.as_ref().and_then(|k| ws.project.layers.get(k));
                // Kept by the layer itself: a handful of entries, not a walk over the spans.
                let counts = layer.map(crate::core::AnnotationLayer::count_by_label).unwrap_or_default();
                ui.heading("Labels");
                ui.label(
                    RichText::new("Select text, then press a label's key or click it.")
                        .small()
                        .weak(),
                );
                for label in &ws.project.schema().labels {
                    ui.horizontal(|ui| {
                        let [r, g, b] = label.rgb();
                        let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
                        ui.painter().rect_filled(rect, 3.0, Color32::from_rgb(r, g, b));
                        let key = label.hotkey.as_deref().map(|k| format!("[{k}] ")).unwrap_or_default();
                        let count = counts.get(label.name.as_str()).copied().unwrap_or(0);
                        let response = ui
                            .button(format!("{key}{}", label.name))
                            .on_hover_text(&label.description);
                        if response.clicked() {
                            self.actions.push(Action::ApplyLabel(label.name.clone()));
                        }
                        ui.label(RichText::new(count.to_string()).weak());
                    });
                }
                ui.separator();
                if let (Some(key), Some(layer_status)) =
                    (key.as_ref(), key.as_ref().map(|k| ws.project.layers.get(k).map_or(DocStatus::New, |l| l.status)))
                {
                    ui.horizontal(|ui| {
                        ui.label("Document status:");
                        for status in DocStatus::ALL {
                            if ui.selectable_label(layer_status == status, status.as_str()).clicked() {
                                self.actions.push(Action::SetStatus(status));
                            }
                        }
                    });
                    if ws.project.is_locked(key) {
                        ui.colored_label(
                            ui.visuals().error_fg_color,
                            "Your annotation file for this document could not be read; it is read-only \
                             until fixed (see tagdesk validate).",
                        );
                    }
                    ui.separator();
                }
                self.selected_annotation_ui(ui);
                ui.separator();
                self.annotation_list_ui(ui);
            });
    }

    fn selected_annotation_ui(&mut self, ui: &mut egui::Ui) {
        ui.heading("Annotation");
        let Some(ws) = &self.workspace else { return };
        let annotation = self
            .current_key()
            .and_then(|k| ws.project.layers.get(&k))
            .and_then(|l| self.selected.as_deref().and_then(|id| l.get(id)))
            .cloned();
        let Some(annotation) = annotation else {
            let hint = match &self.selection {
                Some(sel) => format!(
                    "Selected characters {}–{}. Press a label key to tag them.",
                    sel.start, sel.end
                ),
                None => "Click a highlight to select it.".to_owned(),
            };
            ui.label(RichText::new(hint).weak());
            return;
        };
        if self.note_for.as_deref() != Some(annotation.id.as_str()) {
            self.note_for = Some(annotation.id.to_string());
            self.note_draft = annotation.note.clone().unwrap_or_default();
        }
        let curator_decision = self
            .current_doc
            .as_deref()
            .filter(|doc| {
                self.layer_name() != crate::core::review::CURATED
                    && ws.layer(doc, crate::core::review::CURATED).is_some()
            })
            .map(|doc| crate::core::review::decision(&ws.project, doc, &annotation));
        egui::Grid::new("annotation_grid")
            .num_columns(2)
            .show(ui, |ui| {
                ui.label("Label");
                let mut label = annotation.label.clone();
                egui::ComboBox::from_id_salt("annotation_label")
                    .selected_text(&*label)
                    .show_ui(ui, |ui| {
                        for def in &ws.project.schema().labels {
                            ui.selectable_value(&mut label, def.name.clone().into(), &def.name);
                        }
                    });
                if label != annotation.label {
                    self.actions.push(Action::ApplyLabel(label.to_string()));
                }
                ui.end_row();
                ui.label("Characters");
                ui.label(format!("{}–{}", annotation.start, annotation.end));
                ui.end_row();
                ui.label("By");
                ui.label(format!("{} · {}", annotation.author, annotation.modified));
                ui.end_row();
                // What the curator decided about one's own span (read-only).
                if let Some(decision) = &curator_decision {
                    ui.label("Curator");
                    ui.colored_label(
                        super::review::decision_color(ui, decision),
                        decision.describe(),
                    );
                    ui.end_row();
                }
            });
        let shown: String = annotation.text.chars().take(400).collect();
        let ellipsis = if annotation.text.chars().count() > 400 {
            "…"
        } else {
            ""
        };
        ui.add(egui::Label::new(RichText::new(format!("“{shown}{ellipsis}”")).italics()).wrap());
        ui.add_space(4.0);
        let note_label = ui.label("Note");
        let response = ui.add(
            egui::TextEdit::multiline(&mut self.note_draft)
                .desired_rows(3)
                .hint_text("A note on this annotation")
                .desired_width(f32::INFINITY),
        );
        let response = response.labelled_by(note_label.id);
        if std::mem::take(&mut self.keyboard.focus_note) {
            response.request_focus();
        }
        if response.changed() {
            self.actions.push(Action::SetNote {
                id: annotation.id.to_string(),
                note: self.note_draft.clone(),
            });
        }
        if response.lost_focus()
            && let Some(ws) = &mut self.workspace
        {
            ws.break_coalescing();
        }
        if let Some(why) = &annotation.review {
            ui.colored_label(ui.visuals().warn_fg_color, format!("Needs review: {why}"));
            if ui
                .button("Mark reviewed")
                .on_hover_text("Its place and text are right now")
                .clicked()
            {
                self.actions
                    .push(Action::MarkReviewed(annotation.id.to_string()));
            }
        }
        self.attributes_ui(ui, &annotation);
        self.relations_ui(ui, &annotation);
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui
                .button("Link…")
                .on_hover_text("Link this span to another (R)")
                .clicked()
            {
                self.actions.push(Action::Command(Command::LinkRelation));
            }
            if ui.button("Delete annotation").clicked() {
                self.actions
                    .push(Action::Command(Command::DeleteAnnotation));
            }
        });
    }

    /// The schema's attributes for the selected span's label, editable.
    fn attributes_ui(&mut self, ui: &mut egui::Ui, annotation: &crate::core::Annotation) {
        let Some(ws) = &self.workspace else { return };
        let Some(label) = ws.project.schema().get(&annotation.label) else {
            return;
        };
        for def in &label.attributes {
            let current = annotation.attributes.get(&def.name);
            let set = |value: Option<AttributeValue>| Action::SetAttribute {
                id: annotation.id.to_string(),
                name: def.name.clone(),
                value,
            };
            ui.horizontal_wrapped(|ui| {
                let name = ui.label(&def.name).on_hover_text(&def.description);
                match &def.kind {
                    AttributeKind::Choice { values } => {
                        for value in values {
                            let on = current == Some(&AttributeValue::Text(value.clone()));
                            if ui.selectable_label(on, value).clicked() {
                                self.actions
                                    .push(set((!on).then(|| AttributeValue::Text(value.clone()))));
                            }
                        }
                    }
                    AttributeKind::Flag => {
                        let mut on = current == Some(&AttributeValue::Flag(true));
                        if ui.checkbox(&mut on, "").labelled_by(name.id).changed() {
                            self.actions
                                .push(set(on.then_some(AttributeValue::Flag(true))));
                        }
                    }
                    AttributeKind::Text => {
                        let mut text = match current {
                            Some(AttributeValue::Text(t)) => t.clone(),
                            _ => String::new(),
                        };
                        let response = ui.text_edit_singleline(&mut text).labelled_by(name.id);
                        if response.changed() {
                            self.actions.push(set(
                                (!text.is_empty()).then(|| AttributeValue::Text(text.clone()))
                            ));
                        }
                    }
                }
            });
        }
    }

    /// "Set stance: oppose"-style palette entries for the selected span: attributes from the
    /// keyboard.
    fn attribute_palette_entries(&self) -> Vec<super::palette::Entry> {
        let Some(ws) = &self.workspace else {
            return Vec::new();
        };
        let Some(annotation) = self
            .current_key()
            .and_then(|k| ws.project.layers.get(&k))
            .and_then(|l| l.get(self.selected.as_deref()?))
        else {
            return Vec::new();
        };
        let Some(label) = ws.project.schema().get(&annotation.label) else {
            return Vec::new();
        };
        let mut entries = Vec::new();
        for def in &label.attributes {
            let set = |value: Option<AttributeValue>| Action::SetAttribute {
                id: annotation.id.to_string(),
                name: def.name.clone(),
                value,
            };
            let values: Vec<(String, Option<AttributeValue>)> = match &def.kind {
                AttributeKind::Choice { values } => values
                    .iter()
                    .map(|v| (v.clone(), Some(AttributeValue::Text(v.clone()))))
                    .collect(),
                AttributeKind::Flag => vec![
                    ("yes".to_owned(), Some(AttributeValue::Flag(true))),
                    ("no".to_owned(), None),
                ],
                AttributeKind::Text => Vec::new(),
            };
            for (shown, value) in values {
                entries.push(super::palette::Entry {
                    title: format!("Set {}: {shown}", def.name),
                    shortcut: String::new(),
                    action: set(value),
                    enabled: true,
                });
            }
            entries.push(super::palette::Entry {
                title: format!("Clear {}", def.name),
                shortcut: String::new(),
                action: set(None),
                enabled: annotation.attributes.contains_key(&def.name),
            });
        }
        entries
    }

    /// Relations from and to the selected span: click one to go to its other end.
    fn relations_ui(&mut self, ui: &mut egui::Ui, annotation: &crate::core::Annotation) {
        let Some(layer) = self
            .current_key()
            .and_then(|k| self.workspace.as_ref()?.project.layers.get(&k))
        else {
            return;
        };
        let relations: Vec<_> = layer.relations_of(&annotation.id).cloned().collect();
        if relations.is_empty() {
            return;
        }
        // What the curator decided about each (read-only), when one is curating this document.
        let ws = self.workspace.as_ref();
        let decisions: Vec<Option<crate::core::review::Decision>> = relations
            .iter()
            .map(|r| {
                let ws = ws?;
                let doc = self.current_doc.as_deref()?;
                let annotator = self.layer_name();
                (annotator != crate::core::review::CURATED
                    && ws.layer(doc, crate::core::review::CURATED).is_some())
                .then(|| crate::core::review::relation_decision(&ws.project, doc, annotator, r))
            })
            .collect();
        ui.add_space(4.0);
        ui.strong("Relations");
        for (r, decision) in relations.into_iter().zip(decisions) {
            let outgoing = r.from == annotation.id;
            let other_id = if outgoing { &r.to } else { &r.from };
            let Some(other) = layer.get(other_id) else {
                continue;
            };
            let shown: String = other.text.chars().take(40).collect();
            let text = if outgoing {
                format!("{} → “{shown}”", r.kind)
            } else {
                format!("“{shown}” → {} → this", r.kind)
            };
            let (other_id, other_start) = (other.id.clone(), other.start);
            ui.horizontal(|ui| {
                if ui
                    .small_button("delete")
                    .on_hover_text("Delete this relation")
                    .clicked()
                {
                    self.actions.push(Action::RemoveRelation(r.id.clone()));
                }
                if ui.link(text).clicked() {
                    self.actions
                        .push(Action::SelectAnnotation(Some(other_id.to_string())));
                    self.actions.push(Action::RevealChar(other_start));
                }
                if let Some(decision) = &decision {
                    ui.colored_label(
                        super::review::decision_color(ui, decision),
                        RichText::new(decision.describe()).small(),
                    );
                }
            });
        }
    }

    /// Every annotation of the current document, sortable; a click selects and shows it.
    fn annotation_list_ui(&mut self, ui: &mut egui::Ui) {
        let Some(layer) = self
            .current_key()
            .and_then(|k| self.workspace.as_ref()?.project.layers.get(&k))
        else {
            return;
        };
        let schema = &self
            .workspace
            .as_ref()
            .map(|w| w.project.schema().clone())
            .unwrap_or_default();
        ui.horizontal(|ui| {
            ui.strong(format!("Annotations ({})", layer.len()));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.selectable_value(&mut self.list_order, ListOrder::Label, "by label");
                ui.selectable_value(&mut self.list_order, ListOrder::Position, "by position");
            });
        });
        let annotations = layer.annotations();
        // Sorting 100k spans by label each frame would cost milliseconds: the order is kept
        // until the layer changes. By position is the layer's own order.
        let by_label = self.list_order == ListOrder::Label;
        if by_label && self.label_order.0 != Some(layer.revision()) {
            let mut order: Vec<usize> = (0..annotations.len()).collect();
            order.sort_by_key(|&i| (annotations[i].label.as_str(), annotations[i].start));
            self.label_order = (Some(layer.revision()), order);
        }
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        let mut clicked = None;
        egui::ScrollArea::vertical()
            .id_salt("annotation_list")
            .auto_shrink([false, false])
            .show_rows(ui, row_height, annotations.len(), |ui, rows| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
                for row in rows {
                    let a = &annotations[if by_label {
                        self.label_order.1[row]
                    } else {
                        row
                    }];
                    ui.horizontal(|ui| {
                        let [r, g, b] = schema
                            .get(&a.label)
                            .map_or([0x99; 3], crate::core::LabelDef::rgb);
                        let (swatch, _) =
                            ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                        ui.painter()
                            .rect_filled(swatch, 2.0, Color32::from_rgb(r, g, b));
                        let selected = self.selected.as_deref() == Some(a.id.as_str());
                        let flag = if a.review.is_some() { "[review] " } else { "" };
                        let text = format!(
                            "{:>6}  {flag}{}",
                            a.start,
                            a.text.replace(['\n', '\r'], " ")
                        );
                        if ui
                            .add(egui::Button::selectable(selected, text).truncate())
                            .clicked()
                        {
                            clicked = Some((a.id.clone(), a.start));
                        }
                    });
                }
            });
        if let Some((id, start)) = clicked {
            self.actions.push(Action::SetSelection(None));
            self.actions
                .push(Action::SelectAnnotation(Some(id.to_string())));
            self.actions.push(Action::RevealChar(start));
        }
    }

    fn central_ui(&mut self, ui: &mut egui::Ui) {
        if let Some(opening) = &self.opening {
            ui.vertical_centered(|ui| {
                ui.add_space(80.0);
                ui.spinner();
                ui.label(format!("Opening {}…", opening.path.display()));
            });
            return;
        }
        let Some(ws) = &mut self.workspace else {
            ui.vertical_centered(|ui| {
                ui.add_space(80.0);
                ui.heading("tagdesk");
                ui.label("Open a project, or a folder of .txt files, to start annotating.");
                ui.add_space(12.0);
                if ui.button(Command::OpenProject.title()).clicked() {
                    self.actions.push(Action::Command(Command::OpenProject));
                }
                if ui.button(Command::OpenFolder.title()).clicked() {
                    self.actions.push(Action::Command(Command::OpenFolder));
                }
                ui.label(RichText::new("…or drop a folder on this window.").weak());
            });
            return;
        };
        let Some(doc) = self.current_doc.clone() else {
            ui.label("This project has no documents: add .txt files to its source folder.");
            return;
        };
        ui.horizontal(|ui| {
            ui.strong(&doc);
            if let Some(Ok(text)) = ws.cached_text(&doc) {
                ui.label(
                    RichText::new(format!(
                        "{} characters · {} lines",
                        text.text.char_len(),
                        text.text.blocks().len()
                    ))
                    .weak(),
                );
            }
        });
        ui.separator();
        if self.find.is_some() {
            self.find_bar_ui(ui);
            ui.separator();
        }
        let layer_name = self.layer_name().to_owned();
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let text = match ws.cached_text(&doc).cloned() {
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("Loading {doc}…"));
                });
                return;
            }
            Some(Ok(text)) => text,
            Some(Err(err)) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("This document cannot be opened: {doc}: {err}"),
                );
                return;
            }
        };
        let key = (doc.clone(), layer_name);
        let refused = self
            .reanchor_refused
            .as_ref()
            .is_some_and(|(k, sha)| *k == key && *sha == text.sha256);
        if self.reanchoring.is_none()
            && !refused
            && !ws.project.is_locked(&key)
            && let Some(plan) = ws.reanchor_plan(&key)
        {
            // Placing 100k spans takes a moment: on a thread, the window goes on.
            let (tx, rx) = sync_channel(1);
            let spans = plan.len();
            let thread_ctx = ui.ctx().clone();
            let spawned = std::thread::Builder::new()
                .name("tagdesk-reanchor".to_owned())
                .spawn(move || {
                    let _ = tx.send(plan.run());
                    thread_ctx.request_repaint();
                });
            if spawned.is_ok() {
                self.reanchoring = Some(ReanchorJob {
                    key: key.clone(),
                    spans,
                    result: rx,
                });
            }
        }
        if let Some(job) = self.reanchoring.as_ref().filter(|j| j.key == key) {
            // Not shown at the old places meanwhile: they may no longer be right.
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!(
                    "The text of {doc} changed on disk: finding its {} annotations again…",
                    job.spans
                ));
            });
            return;
        }
        let marks = self
            .review
            .as_mut()
            .filter(|r| r.compare.len() >= 2)
            .map(|r| r.marks(ui.ctx(), ws, &doc))
            .unwrap_or_default();
        let input = ViewInput {
            text: &text.text,
            layer: ws.project.layers.get(&key),
            schema: ws.project.schema(),
            selected: self.selected.as_deref(),
            selection: self.selection.clone(),
            link_target: self.linking.as_ref().and_then(|l| l.target.as_deref()),
            marks: &marks,
        };
        for event in self.view.show(ui, &input) {
            match event {
                ViewEvent::Selected(range) => {
                    self.actions.push(Action::SelectAnnotation(None));
                    self.actions.push(Action::SetSelection(Some(range)));
                }
                ViewEvent::ClickedAnnotation(id) => {
                    if let Some(linking) = self.linking.clone() {
                        if linking.from != id {
                            self.finish_link(&linking.from, &id);
                        }
                    } else {
                        self.actions.push(Action::SetSelection(None));
                        self.actions.push(Action::SelectAnnotation(Some(id)));
                    }
                }
                ViewEvent::ResizeSelected(range) => {
                    if let Some(id) = self.selected.clone() {
                        self.actions.push(Action::ResizeSpan { id, range });
                    }
                }
                ViewEvent::ResizeEnded => self.actions.push(Action::EndGesture),
                ViewEvent::AddFragment(range) => {
                    if let Some(id) = self.selected.clone() {
                        self.actions.push(Action::AddFragment { id, range });
                    }
                }
                ViewEvent::ClickedEmpty => {
                    self.actions.push(Action::SetSelection(None));
                    self.actions.push(Action::SelectAnnotation(None));
                }
            }
        }
    }

    fn modals_ui(&mut self, ctx: &egui::Context) {
        if let Some(draft) = &mut self.annotator_draft {
            let mut done = None;
            egui::Modal::new(egui::Id::unique("annotator_modal")).show(ctx, |ui| {
                ui.heading("Who is annotating?");
                ui.label(
                    "Your annotations are saved under this name, apart from your colleagues'.",
                );
                let label = ui.label("Annotator name");
                let response = ui
                    .add(egui::TextEdit::singleline(draft))
                    .labelled_by(label.id);
                response.request_focus();
                let problem = crate::core::project::valid_annotator_name(draft).err();
                if let Some(problem) = &problem {
                    ui.colored_label(ui.visuals().error_fg_color, problem);
                }
                let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if (ui
                    .add_enabled(problem.is_none(), egui::Button::new("OK"))
                    .clicked()
                    || enter)
                    && problem.is_none()
                {
                    done = Some(draft.clone());
                }
            });
            if let Some(name) = done {
                self.actions.push(Action::SetAnnotator(name));
            }
        }
        if let Some(folder) = self.offer_init.clone() {
            egui::Modal::new(egui::Id::unique("init_modal")).show(ctx, |ui| {
                ui.heading("Make this folder a project?");
                ui.label(format!(
                    "{} has no {}. tagdesk can make it a project in place: it adds the manifest and \
                     an annotations/ folder, and never changes your .txt files.",
                    folder.display(),
                    crate::core::project::MANIFEST_FILE
                ));
                ui.horizontal(|ui| {
                    if ui.button("Make it a project").clicked() {
                        self.actions.push(Action::InitProject(folder.clone()));
                        self.offer_init = None;
                    }
                    if ui.button("Cancel").clicked() {
                        self.offer_init = None;
                    }
                });
            });
        }
        if !self.alerts.is_empty() {
            egui::Modal::new(egui::Id::unique("alerts_modal")).show(ctx, |ui| {
                ui.heading("Please note");
                egui::ScrollArea::vertical()
                    .max_height(320.0)
                    .show(ui, |ui| {
                        for alert in &self.alerts {
                            ui.label(alert);
                            ui.add_space(4.0);
                        }
                    });
                if ui.button("OK").clicked() {
                    self.alerts.clear();
                }
            });
        }
        self.interchange_ui(ctx);
        if let Some(mut editor) = self.schema_editor.take() {
            let mut open = true;
            let mut actions = Vec::new();
            if let Some(ws) = &self.workspace {
                egui::Window::new("Schema")
                    .open(&mut open)
                    .default_size([720.0, 480.0])
                    .show(ctx, |ui| actions = editor.ui(ui, ws));
            }
            self.actions.extend(actions);
            if open && self.workspace.is_some() {
                self.schema_editor = Some(editor);
            }
        }
        if let Some(key) = self.disk_conflicts.first().cloned() {
            let mut choice = None;
            egui::Modal::new(egui::Id::unique("disk_conflict")).show(ctx, |ui| {
                ui.heading("Changed on disk");
                ui.label(format!(
                    "The annotations of {} on {} changed on disk (another tagdesk, git, a sync \
                     client) while you have unsaved edits on them. Nothing has been overwritten.",
                    key.1, key.0
                ));
                ui.horizontal(|ui| {
                    if ui.button("Keep mine").on_hover_text("Save your version; theirs is copied to .tagdesk/conflicts").clicked() {
                        choice = Some(crate::core::workspace::Resolution::KeepMine);
                    }
                    if ui.button("Take theirs").on_hover_text("Load the file on disk; your unsaved edits are dropped").clicked() {
                        choice = Some(crate::core::workspace::Resolution::TakeTheirs);
                    }
                    if ui.button("Keep both").on_hover_text("Load the file on disk; your version is kept as a copy in .tagdesk/conflicts").clicked() {
                        choice = Some(crate::core::workspace::Resolution::KeepBoth);
                    }
                });
            });
            if let Some(resolution) = choice
                && let Some(ws) = &mut self.workspace
            {
                self.disk_conflicts.remove(0);
                match ws.resolve_conflict(&key, resolution) {
                    Ok(Some(kept)) => {
                        self.set_status(format!("A copy was kept in {}", kept.display()), false);
                    }
                    Ok(None) => self.set_status("Settled.", false),
                    Err(err) => self.alerts.push(err.to_string()),
                }
                self.selected = None;
                self.last_edit = Some(Instant::now());
            }
        }
        if let Some(choice) = self.relation_choice.clone() {
            let mut picked = None;
            let mut cancel = false;
            egui::Modal::new(egui::Id::unique("relation_choice")).show(ctx, |ui| {
                ui.heading("Which relation?");
                for (i, kind) in choice.kinds.iter().enumerate() {
                    let description = self
                        .workspace
                        .as_ref()
                        .and_then(|w| w.project.schema().relation(kind))
                        .map(|r| r.description.clone())
                        .unwrap_or_default();
                    let number = i + 1;
                    if ui
                        .button(format!("{number}  {kind}"))
                        .on_hover_text(description)
                        .clicked()
                    {
                        picked = Some(kind.clone());
                    }
                }
                if ui.button("Cancel").clicked() {
                    cancel = true;
                }
                ui.input_mut(|input| {
                    for (i, key) in [
                        egui::Key::Num1,
                        egui::Key::Num2,
                        egui::Key::Num3,
                        egui::Key::Num4,
                        egui::Key::Num5,
                        egui::Key::Num6,
                        egui::Key::Num7,
                        egui::Key::Num8,
                        egui::Key::Num9,
                    ]
                    .into_iter()
                    .enumerate()
                    {
                        if input.consume_key(egui::Modifiers::NONE, key)
                            && let Some(kind) = choice.kinds.get(i)
                        {
                            picked = Some(kind.clone());
                        }
                    }
                    if input.consume_key(egui::Modifiers::NONE, egui::Key::Escape) {
                        cancel = true;
                    }
                });
            });
            if let Some(kind) = picked {
                self.actions.push(Action::AddRelation {
                    kind,
                    from: choice.from.clone(),
                    to: choice.to.clone(),
                });
                self.relation_choice = None;
            } else if cancel {
                self.relation_choice = None;
            }
        }
        if let Some(mut palette) = self.palette.take() {
            let labels = self.label_keys();
            let mut entries = super::palette::entries(ctx, |c| self.command_enabled(c), &labels);
            entries.extend(self.attribute_palette_entries());
            let (run, close) = palette.ui(ctx, &entries);
            if let Some(action) = run {
                self.actions.push(action);
            }
            if !close {
                self.palette = Some(palette);
            }
        }
        if self.show_about {
            egui::Modal::new(egui::Id::unique("about_modal")).show(ctx, |ui| {
                ui.heading("tagdesk");
                ui.label("A native desktop annotation workbench.");
                ui.label(format!(
                    "Version {} · commit {} · built {}",
                    crate::build_info::VERSION,
                    crate::build_info::GIT_COMMIT,
                    crate::build_info::BUILD_DATE
                ));
                ui.label(
                    "Fonts: Noto Sans Georgian, Arabic, Hebrew, Armenian, Symbols 2, Math and Noto Emoji \
                     (SIL Open Font License).",
                );
                if ui.button("Close").clicked() {
                    self.show_about = false;
                }
            });
        }
    }

    // ---- Applying actions. ----

    fn apply(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::Command(command) => self.run_command(ctx, command),
            Action::OpenPath(path, doc) => self.open_path(ctx, &path, doc.as_deref()),
            Action::InitProject(path) => match Project::init(&path, None, None) {
                Ok(_) => self.open_path(ctx, &path, None),
                Err(err) => self.alerts.push(err.to_string()),
            },
            Action::SelectDocument(doc) => self.select_document(&doc),
            Action::ApplyLabel(label) => self.apply_label(&label),
            Action::SelectAnnotation(id) => {
                self.selected = id;
                if let Some(ws) = &mut self.workspace {
                    ws.break_coalescing();
                }
            }
            Action::SetSelection(range) => self.selection = range,
            Action::SetNote { id, note } => {
                let note = (!note.trim().is_empty()).then_some(note);
                self.edit(|ws, key| ws.set_note(key, &id, note));
            }
            Action::SetStatus(status) => {
                self.edit(|ws, key| ws.set_status(key, status));
            }
            Action::SetAnnotator(name) => self.set_annotator(&name),
            Action::SetAttribute { id, name, value } => {
                self.edit(|ws, key| ws.set_attribute(key, &id, &name, value));
            }
            Action::AddRelation { kind, from, to } => {
                let Some(key) = self.current_key() else {
                    return;
                };
                let Some(ws) = self.workspace.as_mut() else {
                    return;
                };
                match ws.add_relation(&key, &kind, &from, &to) {
                    Ok(_) => {
                        self.last_edit = Some(Instant::now());
                        self.set_status(format!("Linked: {kind}"), false);
                    }
                    Err(err) => self.set_status(err.to_string(), true),
                }
            }
            Action::RemoveRelation(id) => self.edit(|ws, key| ws.remove_relation(key, &id)),
            Action::ResizeSpan { id, range } => self.edit(|ws, key| ws.resize(key, &id, range)),
            Action::MarkReviewed(id) => self.edit(|ws, key| ws.mark_reviewed(key, &id)),
            Action::AddFragment { id, range } => {
                self.edit(|ws, key| ws.add_fragment(key, &id, range));
            }
            Action::EndGesture => {
                if let Some(ws) = &mut self.workspace {
                    ws.break_coalescing();
                }
            }
            Action::SetSchema {
                schema,
                description,
                coalesce,
            } => self.schema_edit(|ws| ws.set_schema(schema, &description, coalesce)),
            Action::RenameLabel { old, new } => self.schema_edit(|ws| ws.rename_label(&old, &new)),
            Action::RemoveLabel(name) => self.schema_edit(|ws| ws.remove_label(&name)),
            Action::RevealChar(char_offset) => {
                if let Some(text) = self.current_text() {
                    self.view.scroll_to_char(&text.text, char_offset);
                }
            }
        }
    }

    fn run_command(&mut self, ctx: &egui::Context, command: Command) {
        if self.linking.is_some() && self.linking_command(command) {
            return;
        }
        if !self.command_enabled(command) {
            return;
        }
        match command {
            Command::OpenProject | Command::OpenFolder => {
                let title = if command == Command::OpenProject {
                    "Open a tagdesk project"
                } else {
                    "Open a folder of .txt files"
                };
                self.spawn_dialog(ctx, title);
            }
            Command::Save => self.save_soon(),
            Command::Export | Command::Import => {
                let mode = if command == Command::Export {
                    super::interchange::Mode::Export
                } else {
                    super::interchange::Mode::Import
                };
                if self.interchange.as_ref().is_none_or(|w| w.mode != mode) {
                    self.interchange =
                        Some(super::interchange::Interchange::new(mode, &self.annotator));
                }
            }
            Command::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            Command::Undo | Command::Redo => self.undo_redo(command == Command::Undo),
            Command::DeleteAnnotation => {
                if let Some(id) = self.selected.take() {
                    self.edit(|ws, key| ws.remove_span(key, &id));
                }
            }
            Command::ClearSelection => {
                self.selected = None;
                self.selection = None;
            }
            Command::NextDocument | Command::PreviousDocument => {
                self.step_document(if command == Command::NextDocument {
                    1
                } else {
                    -1
                });
            }
            Command::MarkDone => self.edit(|ws, key| ws.set_status(key, DocStatus::Done)),
            Command::ChangeAnnotator => self.annotator_draft = Some(self.annotator.clone()),
            Command::About => self.show_about = true,
            Command::NextAnnotation | Command::PreviousAnnotation => {
                self.step_annotation(command == Command::NextAnnotation);
            }
            Command::GrowEnd => self.move_edge(false, true, EdgeUnit::Grapheme),
            Command::ShrinkEnd => self.move_edge(false, false, EdgeUnit::Grapheme),
            Command::GrowEndWord => self.move_edge(false, true, EdgeUnit::WordEnd),
            Command::ShrinkEndWord => self.move_edge(false, false, EdgeUnit::WordEnd),
            Command::GrowStart => self.move_edge(true, false, EdgeUnit::Grapheme),
            Command::ShrinkStart => self.move_edge(true, true, EdgeUnit::Grapheme),
            Command::GrowStartWord => self.move_edge(true, false, EdgeUnit::WordStart),
            Command::ShrinkStartWord => self.move_edge(true, true, EdgeUnit::WordStart),
            Command::EditNote => self.keyboard.focus_note = true,
            Command::EditSchema => {
                if self.schema_editor.is_none() {
                    self.schema_editor = Some(super::schema_editor::SchemaEditor::default());
                }
            }
            Command::Find => {
                let find = self.find.get_or_insert_with(FindBar::default);
                find.focus = true;
            }
            Command::FindNext | Command::FindPrevious => {
                if self.find.is_none() {
                    self.find = Some(FindBar {
                        focus: true,
                        ..FindBar::default()
                    });
                } else {
                    self.step_match(command == Command::FindNext);
                }
            }
            Command::LinkRelation => {
                if let Some(from) = self.selected.clone() {
                    self.linking = Some(Linking { from, target: None });
                    self.set_status(
                        "Linking: click the target span, or Tab to it and press Enter (Esc cancels).",
                        false,
                    );
                }
            }
            Command::Review => {
                self.review = match (self.review.take(), &self.workspace) {
                    (None, Some(ws)) => Some(super::review::Review::new(ws)),
                    _ => None,
                };
                self.selected = None;
            }
            Command::NextDisagreement | Command::PreviousDisagreement => {
                if self.review.is_none()
                    && let Some(ws) = &self.workspace
                {
                    self.review = Some(super::review::Review::new(ws));
                }
                self.review_intent(
                    ctx,
                    super::review::Intent::Step(command == Command::NextDisagreement),
                );
            }
            Command::SearchCorpus => {
                if self.workspace.is_some() {
                    self.corpus_search
                        .get_or_insert_with(super::corpus_search::CorpusSearch::default)
                        .focus = true;
                }
            }
            Command::Agreement => {
                self.agreement = match (self.agreement.take(), &self.workspace) {
                    (None, Some(ws)) => Some(super::agreement::AgreementWindow::new(ws)),
                    _ => None,
                };
            }
            Command::CommandPalette => self.palette = Some(super::palette::Palette::default()),
        }
    }

    /// Runs an edit on the current layer; reports failures in the status bar.
    fn edit(
        &mut self,
        f: impl FnOnce(&mut Workspace, &LayerKey) -> Result<(), crate::core::workspace::WorkspaceError>,
    ) {
        let Some(key) = self.current_key() else {
            return;
        };
        let Some(ws) = self.workspace.as_mut() else {
            return;
        };
        match f(ws, &key) {
            Ok(()) => self.last_edit = Some(Instant::now()),
            Err(err) => self.set_status(err.to_string(), true),
        }
    }

    /// While linking, Tab/Shift+Tab move the target, Enter confirms, Esc cancels. Returns
    /// whether the command was used up.
    fn linking_command(&mut self, command: Command) -> bool {
        let Some(linking) = self.linking.clone() else {
            return false;
        };
        match command {
            Command::NextAnnotation | Command::PreviousAnnotation => {
                let forward = command == Command::NextAnnotation;
                let Some(layer) = self
                    .current_key()
                    .and_then(|k| self.workspace.as_ref()?.project.layers.get(&k))
                else {
                    return true;
                };
                let all: Vec<&crate::core::Annotation> = layer
                    .annotations()
                    .iter()
                    .filter(|a| a.id != linking.from)
                    .collect();
                if all.is_empty() {
                    return true;
                }
                let anchor = linking.target.as_deref().unwrap_or(&linking.from);
                let anchor_key = layer.get(anchor).map(|a| (a.start, a.end));
                let next = if forward {
                    all.iter()
                        .find(|a| Some((a.start, a.end)) > anchor_key)
                        .or(all.first())
                } else {
                    all.iter()
                        .rev()
                        .find(|a| Some((a.start, a.end)) < anchor_key)
                        .or(all.last())
                };
                if let Some(next) = next {
                    let (id, start) = (next.id.clone(), next.start);
                    if self.char_screen_pos(start).is_none() {
                        self.actions.push(Action::RevealChar(start));
                    }
                    self.linking = Some(Linking {
                        from: linking.from,
                        target: Some(id.to_string()),
                    });
                }
                true
            }
            Command::EditNote => {
                if let Some(target) = linking.target {
                    self.finish_link(&linking.from, &target);
                }
                true
            }
            Command::ClearSelection => {
                self.linking = None;
                self.set_status("Linking cancelled.", false);
                true
            }
            _ => false,
        }
    }

    /// Links `from` to `to` with the one relation type that fits, or asks which.
    fn finish_link(&mut self, from: &str, to: &str) {
        self.linking = None;
        let Some(key) = self.current_key() else {
            return;
        };
        let Some(ws) = &self.workspace else { return };
        let layer = ws.project.layers.get(&key);
        let labels =
            layer.and_then(|l| Some((l.get(from)?.label.clone(), l.get(to)?.label.clone())));
        let Some((from_label, to_label)) = labels else {
            return;
        };
        let kinds: Vec<String> = ws
            .project
            .schema()
            .relations_between(&from_label, &to_label)
            .iter()
            .map(|r| r.name.clone())
            .collect();
        match kinds.as_slice() {
            [] => self.set_status(
                format!("No relation type goes from {from_label} to {to_label} (see the schema)."),
                true,
            ),
            [kind] => self.actions.push(Action::AddRelation {
                kind: kind.clone(),
                from: from.to_owned(),
                to: to.to_owned(),
            }),
            _ => {
                self.relation_choice = Some(RelationChoice {
                    from: from.to_owned(),
                    to: to.to_owned(),
                    kinds,
                });
            }
        }
    }

    /// The schema's labels with their keys, for menus of labels.
    fn label_keys(&self) -> Vec<(String, Option<String>)> {
        self.workspace
            .as_ref()
            .map(|w| {
                w.project
                    .schema()
                    .labels
                    .iter()
                    .map(|l| (l.name.clone(), l.hotkey.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Recomputes the find bar's matches when the query or the document changed.
    fn refresh_matches(&mut self) {
        let (Some(doc), Some(text)) = (self.current_doc.clone(), self.current_text()) else {
            return;
        };
        let Some(find) = &mut self.find else { return };
        let key = (doc, find.query.clone());
        if find.matched.as_ref() != Some(&key) {
            find.matches = crate::core::search::find_all(&text.text, &find.query);
            find.current = None;
            find.matched = Some(key);
        }
    }

    /// Moves to the next (or previous) match after the current one, wrapping around; the match
    /// becomes the pending selection, so a label key tags it.
    fn step_match(&mut self, forward: bool) {
        self.refresh_matches();
        let Some(find) = &mut self.find else { return };
        let count = find.matches.len();
        if count == 0 {
            return;
        }
        let next = match (find.current, forward) {
            (Some(i), true) => (i + 1) % count,
            (Some(i), false) => (i + count - 1) % count,
            (None, true) => 0,
            (None, false) => count - 1,
        };
        find.current = Some(next);
        let range = find.matches[next].clone();
        self.selected = None;
        self.selection = Some(range.clone());
        if self.caret_screen_pos(range.start).is_none() {
            self.actions.push(Action::RevealChar(range.start));
        }
    }

    /// The find bar over the document: query, "n of m", next/previous, label the match.
    fn find_bar_ui(&mut self, ui: &mut egui::Ui) {
        self.refresh_matches();
        let labels = self.label_keys();
        let Some(find) = &mut self.find else { return };
        let mut step = None;
        let mut close = false;
        ui.horizontal(|ui| {
            let label = ui.label("Find");
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut find.query)
                        .desired_width(220.0)
                        .hint_text("text in this document"),
                )
                .labelled_by(label.id);
            if std::mem::take(&mut find.focus) {
                response.request_focus();
            }
            if response.has_focus() {
                let (enter, shift, escape) = ui.input_mut(|i| {
                    let shift = i.modifiers.shift;
                    (
                        i.consume_key(egui::Modifiers::SHIFT, egui::Key::Enter)
                            || i.consume_key(egui::Modifiers::NONE, egui::Key::Enter),
                        shift,
                        i.consume_key(egui::Modifiers::NONE, egui::Key::Escape),
                    )
                });
                if enter {
                    step = Some(!shift);
                }
                close |= escape;
            } else if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                // Enter in a single-line field ends editing: treat it as "next" and keep going.
                step = Some(!ui.input(|i| i.modifiers.shift));
                find.focus = true;
            }
            let count = find.matches.len();
            let place = match (find.current, count) {
                (_, 0) if !find.query.is_empty() => "no matches".to_owned(),
                (_, 0) => String::new(),
                (Some(i), n) => format!("{} of {n}", i + 1),
                (None, n) => format!("{n} matches"),
            };
            ui.label(RichText::new(place).weak());
            if ui.button("Previous").clicked() {
                step = Some(false);
            }
            if ui.button("Next").clicked() {
                step = Some(true);
            }
            if find.current.is_some() {
                ui.separator();
                ui.label("Label the match");
                for (name, hotkey) in &labels {
                    let hint = hotkey.as_ref().map_or_else(String::new, |k| {
                        format!("Or leave the field (Esc) and press {k}")
                    });
                    if ui
                        .small_button(format!("as {name}"))
                        .on_hover_text(hint)
                        .clicked()
                    {
                        self.actions.push(Action::ApplyLabel(name.clone()));
                    }
                }
            }
            if ui.small_button("Close").clicked() {
                close = true;
            }
        });
        if let Some(forward) = step {
            self.step_match(forward);
        }
        if close {
            self.find = None;
        }
    }

    /// Selects the next (or previous) annotation in document order, scrolling to it if needed.
    fn step_annotation(&mut self, forward: bool) {
        let Some(key) = self.current_key() else {
            return;
        };
        let Some(layer) = self
            .workspace
            .as_ref()
            .and_then(|w| w.project.layers.get(&key))
        else {
            return;
        };
        let all = layer.annotations();
        if all.is_empty() {
            return;
        }
        let current = self
            .selected
            .as_deref()
            .and_then(|id| all.iter().position(|a| a.id == id));
        let next = match (current, forward) {
            (Some(i), true) => (i + 1) % all.len(),
            (Some(i), false) => (i + all.len() - 1) % all.len(),
            (None, true) => 0,
            (None, false) => all.len() - 1,
        };
        let Some(target) = all.get(next) else { return };
        let (id, start) = (target.id.clone(), target.start);
        self.selected = Some(id.to_string());
        self.selection = None;
        if self.char_screen_pos(start).is_none() {
            self.actions.push(Action::RevealChar(start));
        }
    }

    /// Moves one edge of the selected span by a grapheme or a word (Shift+arrows).
    fn move_edge(&mut self, start_edge: bool, forward: bool, unit: EdgeUnit) {
        let (Some(key), Some(id), Some(text)) = (
            self.current_key(),
            self.selected.clone(),
            self.current_text(),
        ) else {
            return;
        };
        let Some(annotation) = self
            .workspace
            .as_ref()
            .and_then(|w| w.project.layers.get(&key))
            .and_then(|l| l.get(&id))
        else {
            return;
        };
        let (start, end) = (annotation.start, annotation.end);
        let edge = if start_edge { start } else { end };
        let Some(moved) = text.text.edge_step(edge, forward, unit) else {
            return;
        };
        let range = if start_edge { moved..end } else { start..moved };
        if range.start < range.end {
            self.edit(|ws, key| ws.resize(key, &id, range));
        }
    }

    /// Runs a schema edit; reports failures (e.g. a duplicate name) in the status bar.
    fn schema_edit(
        &mut self,
        f: impl FnOnce(&mut Workspace) -> Result<(), crate::core::workspace::WorkspaceError>,
    ) {
        let Some(ws) = self.workspace.as_mut() else {
            return;
        };
        match f(ws) {
            Ok(()) => self.last_edit = Some(Instant::now()),
            Err(err) => self.set_status(err.to_string(), true),
        }
    }

    fn apply_label(&mut self, label: &str) {
        let layer = self.layer_name().to_owned();
        let (Some(ws), Some(doc)) = (self.workspace.as_mut(), self.current_doc.clone()) else {
            return;
        };
        if let Some(range) = self.selection.clone() {
            match ws.add_span(&doc, &layer, range, label) {
                Ok(id) => {
                    self.selected = Some(id);
                    self.selection = None;
                    self.last_edit = Some(Instant::now());
                }
                Err(err) => self.set_status(err.to_string(), true),
            }
        } else if let Some(id) = self.selected.clone() {
            let relations = |app: &Self| {
                app.current_key()
                    .and_then(|k| app.workspace.as_ref()?.project.layers.get(&k))
                    .map_or(0, |l| l.relations().len())
            };
            let before = relations(self);
            self.edit(|ws, key| ws.relabel(key, &id, label));
            let dropped = before.saturating_sub(relations(self));
            if dropped > 0 {
                self.set_status(
                    format!("Relabelled as {label}; {dropped} relation(s) that no longer fit were removed (Ctrl+Z undoes)."),
                    false,
                );
            }
        } else {
            self.set_status(
                "Select some text first (drag over it), then press the label's key.",
                false,
            );
        }
    }

    fn undo_redo(&mut self, undo: bool) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let changed = if undo { ws.undo() } else { ws.redo() };
        let Some(replayed) = changed else { return };
        self.last_edit = Some(Instant::now());
        if let Some(doc) = &replayed.document
            && self.current_doc.as_deref() != Some(doc.as_str())
        {
            self.select_document(doc);
        }
        // An undone re-anchoring stays undone: not redone at once for the same text.
        if let Some(key) = self.current_key()
            && let Some(ws) = &mut self.workspace
            && ws.source_changed(&key)
            && let Some(Ok(text)) = ws.cached_text(&key.0)
        {
            self.reanchor_refused = Some((key, text.sha256.clone()));
        }
        let verb = if undo { "Undid" } else { "Redid" };
        self.set_status(format!("{verb}: {}", replayed.description), false);
        // The selected annotation may be gone now.
        self.forget_vanished_selection();
        self.note_for = None;
    }

    fn step_document(&mut self, delta: isize) {
        let Some(ws) = &self.workspace else { return };
        let docs = &ws.project.documents;
        if docs.is_empty() {
            return;
        }
        let current = self
            .current_doc
            .as_deref()
            .and_then(|d| docs.iter().position(|x| x.path == d));
        let next = match current {
            Some(i) => i.saturating_add_signed(delta).min(docs.len() - 1),
            None => 0,
        };
        let path = docs[next].path.clone();
        self.select_document(&path);
    }

    fn select_document(&mut self, doc: &str) {
        if self.current_doc.as_deref() == Some(doc) {
            return;
        }
        self.current_doc = Some(doc.to_owned());
        self.selected = None;
        self.selection = None;
        self.note_for = None;
        self.view.reset();
        if let Some(ws) = &mut self.workspace {
            ws.break_coalescing();
            // The text is read in the background (`poll_text`); a known failure shows now.
            if let Some(Err(err)) = ws.cached_text(doc) {
                let message = format!("{doc}: {err}");
                self.set_status(message, true);
            }
        }
    }

    fn open_path(&mut self, ctx: &egui::Context, path: &Path, doc: Option<&str>) {
        let path = if path.is_file() {
            path.parent().map(Path::to_owned).unwrap_or_default()
        } else {
            path.to_owned()
        };
        if !path.is_dir() {
            self.alerts
                .push(format!("Cannot open: no such folder: {}", path.display()));
            return;
        }
        if !Project::is_project(&path) {
            self.offer_init = Some(path);
            return;
        }
        // Save the open project first; if that fails, stay (nothing may be lost).
        if let Some(ws) = &mut self.workspace
            && ws.is_dirty()
        {
            let report = ws.save();
            if !report.errors.is_empty() {
                self.alerts.push(format!(
                    "Could not save the current project, so it stays open:\n{}",
                    report.errors.join("\n")
                ));
                return;
            }
        }
        // Reading a big project takes a while: it happens on its own thread, the window stays
        // responsive, and `poll_background` finishes the job. The previous project's lock is
        // released first: the thread may take the same one again.
        self.lock = None;
        let (tx, rx) = sync_channel(1);
        let (thread_path, thread_ctx) = (path.clone(), ctx.clone());
        let annotator = self.annotator.clone();
        let spawned = std::thread::Builder::new()
            .name("tagdesk-open".to_owned())
            .spawn(move || {
                let result = Workspace::open(&thread_path)
                    .map(|ws| Opened {
                        lock: crate::core::lock::AnnotatorLock::acquire(
                            &ws.project.root,
                            &annotator,
                        ),
                        watcher: super::watcher::FolderWatcher::start(
                            &thread_ctx,
                            &ws.project.root,
                            &ws.project.source_dir,
                        ),
                        ws,
                    })
                    .map_err(|e| e.to_string());
                let _ = tx.send(result);
                thread_ctx.request_repaint();
            });
        match spawned {
            Ok(_) => {
                // The previous project is saved (above) and closed: nothing can be edited in it
                // while the next one loads.
                self.workspace = None;
                self.watcher = None;
                self.current_doc = None;
                self.selected = None;
                self.selection = None;
                self.set_status(format!("Opening {}…", path.display()), false);
                self.opening = Some(Opening {
                    path,
                    document: doc.map(str::to_owned),
                    annotator: self.annotator.clone(),
                    result: rx,
                });
            }
            Err(err) => {
                self.take_annotator_lock(); // The open project stays: claim it again.
                self.alerts.push(format!("Cannot open the project: {err}"));
            }
        }
    }

    /// Takes in a project read on the background thread.
    fn finish_open(&mut self, ctx: &egui::Context, opening: &Opening, opened: Opened) {
        let Opened {
            mut ws,
            lock,
            watcher,
        } = opened;
        let (path, doc) = (opening.path.clone(), opening.document.as_deref());
        for err in &ws.project.layer_errors {
            self.alerts.push(format!(
                "{}\nThis annotation file was not loaded and will not be overwritten; the rest of \
                 the project is open.",
                err.message
            ));
        }
        self.alerts.extend(ws.project.warnings.iter().cloned());
        let recovered = ws.recover();
        if !recovered.is_empty() {
            self.alerts.push(format!(
                "The last session ended without saving. From its journal:\n{}\n\nThe recovered \
                 edits are not saved yet; they will be with the next save.",
                recovered.join("\n")
            ));
            self.last_edit = Some(Instant::now());
        }
        self.start_probe(ctx, &ws.project);
        self.disk_changes = (Vec::new(), None);
        self.disk_conflicts.clear();
        self.watcher = match watcher {
            Ok(watcher) => {
                if watcher.polling {
                    self.set_status(
                        "This folder gives no change events: it is polled every second.",
                        false,
                    );
                }
                Some(watcher)
            }
            Err(err) => {
                self.alerts.push(format!(
                    "Changes made on disk by others will not show until the project is reopened: {err}"
                ));
                None
            }
        };
        let first = doc
            .map(str::to_owned)
            .or_else(|| ws.project.documents.first().map(|d| d.path.clone()));
        if let Some(doc) = &doc
            && ws.project.document(doc).is_none()
        {
            self.alerts.push(format!(
                "There is no document \"{doc}\" in {}; opened the first one instead.",
                ws.project.source_dir.display()
            ));
        }
        let canonical = path.canonicalize().unwrap_or(path);
        self.recent.retain(|p| *p != canonical);
        self.recent.insert(0, canonical);
        self.recent.truncate(10);
        self.set_status(
            format!(
                "Opened {} ({} documents)",
                ws.project.name(),
                ws.project.documents.len()
            ),
            false,
        );
        self.workspace = Some(ws);
        if opening.annotator == self.annotator {
            self.adopt_lock(lock);
        } else {
            drop(lock); // Taken for the annotator chosen before; released here.
            self.take_annotator_lock();
        }
        self.current_doc = None;
        let first = first.filter(|d| {
            self.workspace
                .as_ref()
                .is_some_and(|w| w.project.document(d).is_some())
        });
        let first = first.or_else(|| {
            self.workspace
                .as_ref()
                .and_then(|w| w.project.documents.first().map(|d| d.path.clone()))
        });
        if let Some(first) = first {
            self.select_document(&first);
        }
    }

    /// Collects what the folder watcher saw; 300 ms after the last event, hands it to the
    /// workspace and shows the result. Conflicts (our unsaved edits vs. a changed file) go to a
    /// dialog.
    fn take_in_disk_changes(&mut self, ctx: &egui::Context) {
        const SETTLE: Duration = Duration::from_millis(300);
        let Some(watcher) = &self.watcher else { return };
        for change in watcher.drain() {
            let paths = match change {
                super::watcher::Change::Paths(paths) => paths,
                super::watcher::Change::Everything => self.every_watched_path(),
            };
            self.disk_changes.0.extend(paths);
            self.disk_changes.1 = Some(Instant::now());
        }
        let Some(ws) = &mut self.workspace else {
            return;
        };
        if let Some(last) = self.disk_changes.1 {
            if last.elapsed() < SETTLE {
                ctx.request_repaint_after(SETTLE.saturating_sub(last.elapsed()));
            } else if !ws.checking_disk() {
                let mut paths = std::mem::take(&mut self.disk_changes.0);
                paths.sort();
                paths.dedup();
                // Files are read on a thread; not while our own save is under way (it must
                // land and be recorded before files are compared): the next frames try again.
                if ws.check_disk_in_background(&paths) {
                    self.disk_changes.1 = None;
                } else {
                    self.disk_changes.0 = paths;
                    ctx.request_repaint_after(Duration::from_millis(20));
                }
            }
        }
        let Some(report) = ws.finish_disk_check(false) else {
            if ws.checking_disk() {
                ctx.request_repaint_after(Duration::from_millis(10));
            }
            return;
        };
        if report.is_empty() {
            return;
        }
        // Taken in after this frame was drawn: show it.
        ctx.request_repaint();
        if (!report.documents_added.is_empty() || !report.documents_removed.is_empty())
            && let Some(ws) = &self.workspace
        {
            let documents: Vec<(String, PathBuf)> = ws
                .project
                .documents
                .iter()
                .map(|d| (d.path.clone(), ws.project.document_file(&d.path)))
                .collect();
            self.probe_files(ctx, documents);
        }
        if let Some(doc) = &self.current_doc
            && (report.documents_changed.contains(doc) || report.documents_removed.contains(doc))
        {
            self.view.reset();
        }
        // The selected span may have gone with a reloaded file.
        self.forget_vanished_selection();
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
            self.set_status(format!("On disk: {}", parts.join(", ")), false);
        }
        self.disk_conflicts.extend(report.conflicts);
    }

    /// Clears the selection if the selected span no longer exists (after undo or a reload).
    fn forget_vanished_selection(&mut self) {
        if let (Some(id), Some(key)) = (&self.selected, self.current_key())
            && self
                .workspace
                .as_ref()
                .and_then(|w| w.project.layers.get(&key))
                .and_then(|l| l.get(id))
                .is_none()
        {
            self.selected = None;
        }
    }

    /// Every path the watcher covers, for a full look after lost events.
    fn every_watched_path(&self) -> Vec<PathBuf> {
        let Some(ws) = &self.workspace else {
            return Vec::new();
        };
        let mut paths = vec![ws.project.source_dir.clone()];
        paths.extend(
            ws.project
                .documents
                .iter()
                .map(|d| ws.project.document_file(&d.path)),
        );
        paths.extend(ws.project.layers.keys().map(|k| ws.project.layer_file(k)));
        paths
    }

    /// Reads every document in the background to list unusable ones (binary, not UTF-8, empty).
    fn start_probe(&mut self, ctx: &egui::Context, project: &Project) {
        self.probes.clear();
        let files: Vec<(String, PathBuf)> = project
            .documents
            .iter()
            .map(|d| (d.path.clone(), project.document_file(&d.path)))
            .collect();
        self.probe_files(ctx, files);
    }

    /// Shows a disagreement found by F8: its document, the cluster focused in the panel, the
    /// text scrolled to it.
    fn go_to_disagreement(&mut self, doc: &str, range: Range<usize>) {
        if self.current_doc.as_deref() != Some(doc) {
            self.select_document(doc);
        }
        if let Some(r) = self.review.as_mut() {
            r.focus = Some(range.clone());
        }
        self.actions.push(Action::RevealChar(range.start));
    }

    /// Takes in where an F8 search over the other documents landed.
    fn poll_step(&mut self, ctx: &egui::Context) {
        let Some(rx) = &self.step_job else { return };
        let found = match rx.try_recv() {
            Ok(found) => found,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
        };
        self.step_job = None;
        ctx.request_repaint();
        match found {
            Some((doc, range)) => {
                self.set_status("", false);
                self.go_to_disagreement(&doc, range);
            }
            None => self.set_status("No disagreements among the compared layers", false),
        }
    }

    /// Takes in a re-anchoring planned on a thread: applied as one undo step, or planned again
    /// if the layer or its text changed meanwhile.
    fn poll_reanchor(&mut self, ctx: &egui::Context) {
        let Some(job) = &self.reanchoring else { return };
        let planned = match job.result.try_recv() {
            Ok(planned) => planned,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.reanchoring = None;
                return;
            }
        };
        self.reanchoring = None;
        ctx.request_repaint();
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let doc = planned.key.0.clone();
        let key = planned.key.clone();
        match ws.apply_reanchor(planned) {
            Ok(report) => {
                self.alerts.push(format!(
                    "The text of {doc} changed since your annotations were made. {} spans are \
                     where they were, {} moved with their text, {} need review (marked \
                     [review] in the annotation list; their last position is kept). \
                     Ctrl+Z undoes this.",
                    report.unchanged,
                    report.moved.len(),
                    report.needs_review.len()
                ));
                self.last_edit = Some(Instant::now());
            }
            // Edited meanwhile: the next frame plans again.
            Err(crate::core::workspace::WorkspaceError::Stale) => {}
            Err(err) => {
                self.reanchor_refused = ws
                    .cached_text(&key.0)
                    .and_then(|t| t.as_ref().ok())
                    .map(|t| (key.clone(), t.sha256.clone()));
                self.set_status(err.to_string(), true);
            }
        }
    }

    /// Decodes these documents on a background thread, reporting each as usable or not.
    fn probe_files(&mut self, ctx: &egui::Context, files: Vec<(String, PathBuf)>) {
        let (tx, rx) = sync_channel(256);
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("tagdesk-probe".to_owned())
            .spawn(move || {
                for (path, file) in files {
                    let probe = match std::fs::read(&file) {
                        Ok(bytes) => match crate::core::SourceText::from_bytes(&bytes) {
                            Ok(text) => DocProbe::Ok {
                                chars: text.char_len(),
                            },
                            Err(err) => DocProbe::Unusable(err.to_string()),
                        },
                        Err(err) => DocProbe::Unusable(format!("cannot read: {err}")),
                    };
                    if tx.send((path, probe)).is_err() {
                        return; // Another project was opened.
                    }
                    ctx.request_repaint();
                }
            });
        self.probe_rx = spawned.is_ok().then_some(rx);
    }

    /// Native dialogs block, so they run on their own thread and answer with an action.
    fn spawn_dialog(&mut self, ctx: &egui::Context, title: &'static str) {
        let tx = self.dialog_tx.clone();
        let ctx = ctx.clone();
        let start_dir = self
            .workspace
            .as_ref()
            .map(|w| w.project.root.clone())
            .or_else(|| std::env::current_dir().ok());
        let spawned = std::thread::Builder::new()
            .name("tagdesk-dialog".to_owned())
            .spawn(move || {
                let mut dialog = rfd::FileDialog::new().set_title(title);
                if let Some(dir) = start_dir {
                    dialog = dialog.set_directory(dir);
                }
                let action = dialog.pick_folder().map(|p| Action::OpenPath(p, None));
                if let Some(action) = action {
                    let _ = tx.send(action);
                    ctx.request_repaint();
                }
            });
        if let Err(err) = spawned {
            self.set_status(format!("Cannot open a dialog: {err}"), true);
        }
    }

    /// Ctrl+S: everything unsaved is written on a thread (after a save under way, which may
    /// predate the latest edits); the status bar says when it is done.
    fn save_soon(&mut self) {
        if self
            .workspace
            .as_ref()
            .is_some_and(Workspace::checking_disk)
        {
            // Changed files are being read: the save starts once they are taken in.
            self.save_flow.requested = true;
            return;
        }
        self.save_flow.requested = false;
        if let Some(ws) = &mut self.workspace
            && let Some(report) = ws.finish_background_save(true)
        {
            self.save_report(&report);
        }
        let Some(ws) = &mut self.workspace else {
            return;
        };
        if let Some(report) = ws.save_in_background() {
            self.last_edit = None;
            let writing = ws.saving_in_background();
            if report.errors.is_empty() && writing {
                self.set_status("Saving…", false);
            } else {
                // Nothing went to the thread (nothing unsaved, or only the manifest).
                self.save_report(&report);
            }
        }
    }

    /// Takes in what a background save did (see `autosave`).
    fn save_report(&mut self, report: &crate::core::workspace::SaveReport) {
        self.save_flow.last_failed = !report.errors.is_empty();
        if report.errors.is_empty() {
            if !report.saved.is_empty() {
                self.set_status(format!("Saved {} file(s)", report.saved.len()), false);
            }
        } else {
            self.alerts.push(format!(
                "Some annotations could not be saved. They stay in memory; saving is retried.\n{}",
                report.errors.join("\n")
            ));
            self.last_edit = Some(Instant::now());
        }
    }

    /// Autosave writes on a thread (a 100k-span layer is tens of megabytes of JSON); edits go
    /// on meanwhile, and what they changed stays unsaved for the next round.
    fn autosave(&mut self, ctx: &egui::Context) {
        if let Some(ws) = &mut self.workspace
            && ws.saving_in_background()
        {
            let Some(report) = ws.finish_background_save(false) else {
                ctx.request_repaint_after(Duration::from_millis(30));
                return;
            };
            self.save_report(&report);
            // Taken in after this frame was drawn: show it.
            ctx.request_repaint();
        }
        if self.save_flow.requested {
            if self
                .workspace
                .as_ref()
                .is_some_and(Workspace::checking_disk)
            {
                ctx.request_repaint_after(Duration::from_millis(20));
            } else {
                self.save_soon();
            }
        }
        let Some(last) = self.last_edit else { return };
        if !self.workspace.as_ref().is_some_and(Workspace::is_dirty) {
            self.last_edit = None;
            return;
        }
        let elapsed = last.elapsed();
        if elapsed >= AUTOSAVE_DELAY && self.alerts.is_empty() && self.disk_conflicts.is_empty() {
            self.save_soon();
            ctx.request_repaint_after(Duration::from_millis(30));
        } else {
            ctx.request_repaint_after(
                AUTOSAVE_DELAY
                    .saturating_sub(elapsed)
                    .max(Duration::from_millis(50)),
            );
        }
    }

    fn handle_close(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) || self.close_confirmed {
            return;
        }
        if let Some(ws) = &mut self.workspace
            && ws.is_dirty()
        {
            let report = ws.save();
            if !report.errors.is_empty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.alerts.push(format!(
                    "Not closing: these annotations could not be saved and would be lost.\n{}",
                    report.errors.join("\n")
                ));
                return;
            }
        }
        self.close_confirmed = true;
    }

    /// Claims the current annotator in the open project; if another live tagdesk holds them,
    /// their layers are read-only here and the user is told.
    fn take_annotator_lock(&mut self) {
        self.lock = None; // Releases the previous claim first.
        let Some(ws) = &self.workspace else {
            return;
        };
        let lock = crate::core::lock::AnnotatorLock::acquire(&ws.project.root, &self.annotator);
        self.adopt_lock(lock);
    }

    /// Holds the lock taken for the current annotator, or shows why their files are read-only.
    fn adopt_lock(
        &mut self,
        lock: Result<crate::core::lock::AnnotatorLock, crate::core::lock::LockError>,
    ) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        match lock {
            Ok(lock) => {
                ws.set_held_elsewhere(&self.annotator, false);
                if let Some(old) = &lock.took_over {
                    self.status = Some(StatusMessage {
                        text: format!(
                            "Took over the lock of a tagdesk that ended without closing (process {}).",
                            old.pid
                        ),
                        is_error: false,
                    });
                }
                self.lock = Some(lock);
            }
            Err(err) => {
                ws.set_held_elsewhere(&self.annotator, true);
                self.alerts.push(err.to_string());
            }
        }
    }

    fn set_annotator(&mut self, name: &str) {
        if crate::core::project::valid_annotator_name(name).is_err() {
            return;
        }
        if let Some(ws) = &mut self.workspace {
            ws.set_held_elsewhere(&self.annotator, false);
        }
        self.annotator = name.to_owned();
        self.take_annotator_lock();
        self.annotator_draft = None;
        self.selected = None;
        self.selection = None;
        self.note_for = None;
        self.set_status(format!("Annotating as {name}"), false);
    }

    /// The import / export window, and what it asks for.
    fn interchange_ui(&mut self, ctx: &egui::Context) {
        let Some(mut window) = self.interchange.take() else {
            return;
        };
        let Some(ws) = &self.workspace else {
            return;
        };
        if self.save_flow.export_waiting && !self.saving() {
            self.save_flow.export_waiting = false;
            if self.save_flow.last_failed {
                window.outcome = Some(Err(
                    "The project could not be saved; the export would miss unsaved edits. \
                     Nothing was exported."
                        .to_owned(),
                ));
            } else {
                window.start_export(ctx, ws.project.root.clone());
            }
        } else if self.save_flow.export_waiting {
            ctx.request_repaint_after(Duration::from_millis(20));
        }
        let mut open = true;
        let title = match window.mode {
            super::interchange::Mode::Export => "Export annotations",
            super::interchange::Mode::Import => "Import annotations",
        };
        let mut intent = None;
        egui::Window::new(title)
            .open(&mut open)
            .collapsible(false)
            .default_width(560.0)
            .show(ctx, |ui| intent = window.ui(ui, ws));
        match intent {
            Some(super::interchange::Intent::Export) => {
                // The export reads the saved files: unsaved edits are saved first, on a
                // thread like any save; the export starts once that is done (below).
                if self.workspace.as_ref().is_some_and(Workspace::is_dirty) {
                    self.save_soon();
                }
                self.save_flow.export_waiting = true;
                window.outcome = None;
            }
            Some(super::interchange::Intent::Import(corpus, options)) => {
                if let Some(ws) = &mut self.workspace {
                    let result = crate::formats::import::plan(ws, corpus, &options)
                        .and_then(|plan| crate::formats::import::apply(ws, plan))
                        .map_err(|e| e.to_string());
                    if let Ok(report) = &result {
                        self.last_edit = Some(Instant::now());
                        self.set_status(
                            format!(
                                "Imported {} annotations (Ctrl+Z undoes the import)",
                                report.annotations
                            ),
                            false,
                        );
                    }
                    window.imported(result);
                }
            }
            None => {}
        }
        if open || window.is_running() {
            self.interchange = Some(window);
        }
    }

    fn review_panel_ui(&mut self, ui: &mut egui::Ui) {
        let (Some(mut review), Some(ws), Some(doc)) = (
            self.review.take(),
            self.workspace.as_ref(),
            self.current_doc.clone(),
        ) else {
            return;
        };
        let mut intents = Vec::new();
        egui::Panel::bottom("review")
            .resizable(true)
            .default_size(230.0)
            .size_range(120.0..=600.0)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.heading("Review");
                    ui.label(
                        RichText::new(
                            "Colleagues' layers are read-only; ✔ and ✖ decide into the curated \
                             layer (Ctrl+Z undoes).",
                        )
                        .weak(),
                    );
                });
                intents = review.ui(ui, ws, &doc);
            });
        self.review = Some(review);
        let ctx = ui.ctx().clone();
        for intent in intents {
            self.review_intent(&ctx, intent);
        }
    }

    fn review_intent(&mut self, ctx: &egui::Context, intent: super::review::Intent) {
        use super::review::Intent;
        use crate::core::review;
        let (Some(ws), Some(doc)) = (self.workspace.as_mut(), self.current_doc.clone()) else {
            return;
        };
        let Some(r) = self.review.as_mut() else {
            return;
        };
        let result = match intent {
            Intent::Accept { annotator, ids } => review::accept(ws, &doc, &annotator, &ids)
                .map(|n| format!("Accepted {n} span(s) from {annotator}")),
            Intent::AcceptRelation { annotator, id } => {
                review::accept_relation(ws, &doc, &annotator, &id)
                    .map(|()| format!("Accepted a relation from {annotator}"))
            }
            Intent::Reject { annotator, id } => review::reject(ws, &doc, &annotator, &id)
                .map(|()| format!("Rejected a span of {annotator}")),
            Intent::RejectRelation { annotator, id } => {
                review::reject_relation(ws, &doc, &annotator, &id)
                    .map(|()| format!("Rejected a relation of {annotator}"))
            }
            Intent::AcceptAgreed { all_documents } => {
                let documents: Vec<String> = if all_documents {
                    ws.project
                        .documents
                        .iter()
                        .map(|d| d.path.clone())
                        .collect()
                } else {
                    vec![doc.clone()]
                };
                let annotators: Vec<String> = r
                    .compare
                    .iter()
                    .filter(|a| *a != review::CURATED)
                    .cloned()
                    .collect();
                review::accept_agreed(ws, &documents, &annotators).map(|done| {
                    format!(
                        "Accepted {} agreed spans and {} relations in {} document(s) (Ctrl+Z undoes)",
                        done.spans, done.relations, done.documents
                    )
                })
            }
            Intent::Focus(range) => {
                r.focus = Some(range.clone());
                self.actions.push(Action::RevealChar(range.start));
                return;
            }
            Intent::Step(forward) => {
                let from = r.focus.as_ref().map_or(0, |f| f.start);
                let from = if r.focus.is_none() && !forward {
                    usize::MAX
                } else {
                    from
                };
                // This document first, from the panel's diff; the others (their diffs may be
                // big) on a thread.
                if let Some(range) = r
                    .current_diff(&doc)
                    .and_then(|d| review::next_in_document(d, from, forward, r.undecided_only))
                {
                    self.go_to_disagreement(&doc, range);
                    return;
                }
                let search = review::StepSearch::new(
                    &ws.project,
                    &r.compare,
                    (&doc, from),
                    forward,
                    r.undecided_only,
                );
                let (tx, rx) = sync_channel(1);
                let ctx = ctx.clone();
                let spawned = std::thread::Builder::new()
                    .name("tagdesk-step".to_owned())
                    .spawn(move || {
                        let _ = tx.send(search.run());
                        ctx.request_repaint();
                    });
                if spawned.is_ok() {
                    self.step_job = Some(rx);
                    self.set_status("Looking for the next disagreement…", false);
                }
                return;
            }
        };
        match result {
            Ok(message) => {
                self.last_edit = Some(Instant::now());
                self.set_status(message, false);
            }
            Err(err) => self.set_status(err.to_string(), true),
        }
    }

    fn corpus_search_ui(&mut self, ctx: &egui::Context) {
        let (Some(mut search), Some(ws)) = (self.corpus_search.take(), self.workspace.as_ref())
        else {
            return;
        };
        let mut open = true;
        let picked = egui::Window::new("Search all documents")
            .open(&mut open)
            .default_width(760.0)
            .default_height(420.0)
            .show(ctx, |ui| search.ui(ui, ws))
            .and_then(|r| r.inner)
            .flatten();
        if let Some(hit) = picked {
            self.actions.push(Action::SelectDocument(hit.document));
            self.actions
                .push(Action::SetSelection(Some(hit.range.clone())));
            self.actions.push(Action::RevealChar(hit.range.start));
        }
        if open {
            self.corpus_search = Some(search);
        } else {
            search.stop();
        }
    }

    fn agreement_ui(&mut self, ctx: &egui::Context) {
        let (Some(mut window), Some(ws)) = (self.agreement.take(), self.workspace.as_ref()) else {
            return;
        };
        let mut open = true;
        egui::Window::new("Agreement")
            .open(&mut open)
            .default_width(720.0)
            .default_height(560.0)
            .show(ctx, |ui| window.ui(ui, ws));
        if open {
            self.agreement = Some(window);
        }
    }

    fn set_status(&mut self, text: impl Into<String>, is_error: bool) {
        self.status = Some(StatusMessage {
            text: text.into(),
            is_error,
        });
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let mut title = String::from("tagdesk");
        if let Some(ws) = &self.workspace {
            title = format!("{} — {title}", ws.project.name());
            if let Some(doc) = &self.current_doc {
                title = format!("{doc} — {title}");
            }
            if ws.is_dirty() {
                title = format!("● {title}");
            }
        }
        if title != self.window_title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.window_title = title;
        }
    }

    /// The window title as last sent (shows "●" when there are unsaved changes).
    pub fn window_title(&self) -> &str {
        &self.window_title
    }

    /// Stores preferences (not project data) in eframe's storage.
    pub fn store_preferences(&self, storage: &mut dyn eframe::Storage) {
        storage.set_string(STORAGE_ANNOTATOR, self.annotator.clone());
        if let Some(ws) = &self.workspace {
            let root = ws
                .project
                .root
                .canonicalize()
                .unwrap_or_else(|_| ws.project.root.clone());
            storage.set_string(STORAGE_LAST_PROJECT, root.display().to_string());
        }
        eframe::set_value(storage, STORAGE_RECENT, &self.recent);
    }

    /// Saves unsaved work; used when the app exits.
    pub fn save_on_exit(&mut self) {
        if let Some(ws) = &mut self.workspace
            && ws.is_dirty()
        {
            let report = ws.save();
            for err in report.errors {
                eprintln!("error: {err}");
            }
        }
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.store_preferences(storage);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.save_on_exit();
    }
}

/// The OS user name, else "annotator".
fn default_annotator_name() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok())
        .filter(|n| crate::core::project::valid_annotator_name(n).is_ok())
        .unwrap_or_else(|| "annotator".to_owned())
}
