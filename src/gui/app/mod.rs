//! The application: a few parts, each in its own room.
//!
//! * `mod.rs` (here): the `App` and its parts, start-up, read access for tests, eframe glue.
//! * `logic.rs`: what runs every frame without drawing — also while the window is hidden
//!   (eframe's `App::logic`): finished jobs, starting the text and re-anchoring jobs, disk
//!   changes, autosave, closing, the title.
//! * `ui.rs`: one frame of drawing: keyboard, panels, dialogs, windows; then the queue.
//! * `apply.rs`: applying [`Action`]s and commands — the only code that changes the workspace.
//! * `open.rs`: opening projects (on a job), the annotator and their lock, file dialogs.

mod annotate;
mod apply;
mod linking;
mod logic;
mod navigate;
mod open;
mod review;
mod suggest;
mod team;
mod ui;

use std::ops::Range;
use std::sync::Arc;

use super::Options;
use super::action::{Action, ActionQueue};
use super::commands::Availability;
use super::dialogs::Dialogs;
use super::frame_stats::FrameStats;
use super::jobs::Jobs;
use super::panels::Panels;
use super::session::Session;
use super::state::{Prefs, UiState};
use super::windows::Windows;
use crate::core::Workspace;
use crate::core::project::{LayerKey, LoadedText};

/// The smallest text the UI draws, in points at zoom 1.
pub const MIN_TEXT_SIZE: f32 = 11.0;

/// The window's bookkeeping: title, frame statistics, whether closing was agreed.
#[derive(Default)]
struct Chrome {
    frame_stats: Option<FrameStats>,
    window_title: String,
    close_confirmed: bool,
}

pub struct App {
    prefs: Prefs,
    state: UiState,
    /// Exists while a project is open.
    session: Option<Session>,
    panels: Panels,
    dialogs: Dialogs,
    windows: Windows,
    actions: ActionQueue,
    jobs: Jobs<Action>,
    chrome: Chrome,
}

impl App {
    /// Creates the app inside eframe: fonts, stored preferences, the project to open.
    pub fn new(cc: &eframe::CreationContext<'_>, options: Options) -> Self {
        super::fonts::install(&cc.egui_ctx);
        // No text under 11 points at zoom 1 (egui's small style is 9); Ctrl+= / Ctrl+- zoom
        // the whole UI (egui's keyboard zoom, also in the View menu).
        cc.egui_ctx.all_styles_mut(|style| {
            style.text_styles.insert(
                egui::TextStyle::Small,
                egui::FontId::proportional(MIN_TEXT_SIZE),
            );
            // A steady text cursor: a blinking one repaints twice a second forever, and an
            // idle window (a name prompt left open) should use no CPU at all.
            style.visuals.text_cursor.blink = false;
        });
        let (prefs, stored_annotator) = Prefs::load(cc.storage);
        let path = options
            .path
            .clone()
            .or_else(|| prefs.last_project.clone().filter(|p| p.is_dir()))
            .or_else(super::sample_project);
        let first_start = options.annotator.is_none() && stored_annotator.is_none();
        let mut app = Self::with_annotator(options.annotator.clone().or(stored_annotator));
        // Everything stored but the annotator, which was settled above.
        app.prefs = Prefs {
            annotator: std::mem::take(&mut app.prefs.annotator),
            ..prefs
        };
        // "How to annotate" on the first start (after the name prompt), and at later starts
        // until "Got it".
        if (first_start || app.prefs.welcome_again) && !app.prefs.welcomed {
            app.dialogs
                .open(crate::gui::dialogs::welcome::WelcomeDialog);
        }
        app.state.builtin_file_dialog = options.builtin_file_dialog;
        app.jobs.count_tasks_of(&cc.egui_ctx);
        if let Some(path) = &options.frame_stats {
            match FrameStats::create(path) {
                Ok(stats) => app.chrome.frame_stats = Some(stats),
                Err(err) => app.dialogs.alerts.push(format!(
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
        let mut dialogs = Dialogs::default();
        let annotator = match annotator {
            Some(name) if crate::core::project::valid_annotator_name(&name).is_ok() => name,
            _ => {
                let default = default_annotator_name();
                dialogs.open(super::dialogs::annotator::AnnotatorDialog::new(&default));
                default
            }
        };
        Self {
            prefs: Prefs {
                annotator,
                ..Prefs::default()
            },
            state: UiState::default(),
            session: None,
            panels: Panels::default(),
            dialogs,
            windows: Windows::default(),
            actions: ActionQueue::default(),
            jobs: Jobs::default(),
            chrome: Chrome::default(),
        }
    }

    // ---- Read access, for tests and the frame-stats line. ----

    pub fn workspace(&self) -> Option<&Workspace> {
        self.session.as_ref().map(|s| &s.ws)
    }

    pub fn current_document(&self) -> Option<&str> {
        self.state.current_doc.as_deref()
    }

    pub fn annotator(&self) -> &str {
        &self.prefs.annotator
    }

    /// "How to annotate" was dismissed for good.
    pub fn welcomed(&self) -> bool {
        self.prefs.welcomed
    }

    pub fn selected_annotation(&self) -> Option<&str> {
        self.state.selected.as_deref()
    }

    /// The learned suggestions' model and training (for tests and tools).
    pub fn learning(&self) -> Option<&crate::gui::learning::Learning> {
        self.session.as_ref().map(|s| &s.learning)
    }

    /// The suggestions of the open project (for tests and tools).
    pub fn suggestions(&self) -> Option<&crate::gui::suggestions::Suggestions> {
        self.session.as_ref().map(|s| &s.suggestions)
    }

    /// The keyboard caret in the current document (before this character).
    pub fn caret(&self) -> Option<usize> {
        self.state.caret
    }

    pub fn pending_selection(&self) -> Option<Range<usize>> {
        self.state.selection.clone()
    }

    /// While linking (after R): the chosen target span.
    pub fn link_target(&self) -> Option<&str> {
        self.state
            .linking
            .as_ref()
            .and_then(|l| l.target.as_deref())
    }

    pub fn alerts(&self) -> &[String] {
        self.dialogs.alerts.alerts()
    }

    /// The status bar's message, if any.
    pub fn status_text(&self) -> Option<&str> {
        self.state.status.as_ref().map(|s| s.text.as_str())
    }

    /// Queues an action as if the UI had asked for it.
    pub fn push_action(&mut self, action: Action) {
        self.actions.push(action);
    }

    /// Screen position of the middle of a character of the current document, if visible.
    pub fn char_screen_pos(&self, char_offset: usize) -> Option<egui::Pos2> {
        let text = self.current_text()?;
        self.panels
            .document
            .view
            .char_screen_pos(&text.text, char_offset)
    }

    /// The screen rectangles the document view highlights for a range of the current
    /// document (several for a range that crosses a direction change), where visible.
    pub fn range_screen_rects(&self, range: std::ops::Range<usize>) -> Vec<egui::Rect> {
        self.current_text().map_or_else(Vec::new, |text| {
            self.panels
                .document
                .view
                .range_screen_rects(&text.text, range)
        })
    }

    /// Screen position of the caret before a character of the current document, if visible.
    pub fn caret_screen_pos(&self, char_offset: usize) -> Option<egui::Pos2> {
        let text = self.current_text()?;
        self.panels
            .document
            .view
            .caret_screen_pos(&text.text, char_offset)
    }

    /// The layer the document view shows and edits: one's own, or the curated layer while
    /// curating.
    pub fn layer_name(&self) -> &str {
        self.state.layer_name(&self.prefs.annotator)
    }

    /// A save is being written, or changed files read, in the background (or a save waits
    /// for such a read to end).
    pub fn saving(&self) -> bool {
        self.session.as_ref().is_some_and(Session::saving)
    }

    /// The current document is still being read, re-anchored or compared (in the background).
    pub fn text_pending(&self) -> bool {
        let Some(session) = &self.session else {
            return false;
        };
        session.reanchoring.is_some()
            || self
                .panels
                .review
                .as_ref()
                .is_some_and(super::panels::review::Review::comparing)
            || self
                .state
                .current_doc
                .as_ref()
                .is_some_and(|doc| session.ws.cached_text(doc).is_none())
    }

    /// Where a floating window is on screen, by title (`None` when closed or not drawn yet).
    pub fn window_rect(&self, ctx: &egui::Context, title: &str) -> Option<egui::Rect> {
        super::windows::Windows::rect(ctx, title)
    }

    /// What the document view drew in the last frame.
    pub fn view_stats(&self) -> super::document_view::ViewStats {
        self.panels.document.view.stats
    }

    pub fn reviewing(&self) -> bool {
        self.panels.review.is_some()
    }

    /// The first character on screen in the current document (where it is left).
    pub fn first_visible_char(&self) -> Option<usize> {
        let text = self.current_text()?;
        self.panels.document.view.first_visible_char(&text.text)
    }

    /// Whether closing was let through (after saving, and syncing when that is on).
    pub fn close_confirmed(&self) -> bool {
        self.chrome.close_confirmed
    }

    /// Background jobs still running (tests wait for them).
    pub fn jobs_running(&self) -> usize {
        self.jobs.running()
    }

    /// The window title as last sent (shows "●" when there are unsaved changes).
    pub fn window_title(&self) -> &str {
        &self.chrome.window_title
    }

    /// Stores preferences (not project data) in eframe's storage, with where the open project
    /// was left.
    pub fn store_preferences(&self, storage: &mut dyn eframe::Storage) {
        let mut prefs = self.prefs.clone();
        if let Some((root, place)) = self.position() {
            prefs.positions.insert(root, place);
        }
        prefs.store(storage, self.workspace());
    }

    /// The open project (its canonical root) and where it is: the document and the first
    /// character on screen.
    fn position(&self) -> Option<(std::path::PathBuf, (String, usize))> {
        let ws = self.ws()?;
        let doc = self.state.current_doc.clone()?;
        let first = self
            .current_text()
            .and_then(|t| self.panels.document.view.first_visible_char(&t.text))
            .unwrap_or(0);
        let root = ws
            .project()
            .root
            .canonicalize()
            .unwrap_or_else(|_| ws.project().root.clone());
        Some((root, (doc, first)))
    }

    /// Saves unsaved work; used when the app exits.
    pub fn save_on_exit(&mut self) {
        if let Some(session) = &mut self.session {
            for err in session.save_now() {
                eprintln!("error: {err}");
            }
        }
    }

    // ---- Helpers for the other rooms. ----

    fn ws(&self) -> Option<&Workspace> {
        self.session.as_ref().map(|s| &s.ws)
    }

    fn current_text(&self) -> Option<Arc<LoadedText>> {
        let doc = self.state.current_doc.as_ref()?;
        self.ws()?.cached_text(doc)?.as_ref().ok().cloned()
    }

    fn current_key(&self) -> Option<LayerKey> {
        Some(LayerKey::new(
            self.state.current_doc.clone()?,
            self.layer_name().to_owned(),
        ))
    }

    fn current_layer(&self) -> Option<&crate::core::AnnotationLayer> {
        let key = self.current_key()?;
        self.ws()?.project().layers.get(&key)
    }

    fn say(&mut self, text: impl Into<String>, is_error: bool) {
        self.state.say(text, is_error);
    }

    fn alert(&mut self, text: impl Into<String>) {
        self.dialogs.alerts.push(text.into());
    }

    /// Which commands can run now.
    fn availability(&self) -> Availability {
        let ws = self.ws();
        Availability {
            project_open: ws.is_some(),
            unsaved: ws.is_some_and(Workspace::is_dirty),
            can_undo: ws.is_some_and(|w| w.history().can_undo()),
            can_redo: ws.is_some_and(|w| w.history().can_redo()),
            span_selected: self.state.selected.is_some(),
            text_selected: self.state.selection.is_some(),
            layer_has_spans: self.current_layer().is_some_and(|l| !l.is_empty()),
            suggestions_here: self.session.as_ref().is_some_and(|s| {
                s.suggestions.document == self.state.current_doc && !s.suggestions.here.is_empty()
            }),
            suggestion_focused: self.state.selected.is_none()
                && self.session.as_ref().is_some_and(|s| {
                    s.suggestions
                        .focused_in(self.state.current_doc.as_deref())
                        .is_some()
                }),
        }
    }

    fn modal_open(&self) -> bool {
        self.dialogs.any_open(
            self.session
                .as_ref()
                .is_some_and(|s| !s.disk_conflicts.is_empty()),
        )
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.logic_step(ctx);
    }

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
