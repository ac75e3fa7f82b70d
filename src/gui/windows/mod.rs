//! Floating windows (schema editor, import/export, agreement, corpus search, network, entities,
//! suggestion settings, keyboard reference). Each is a struct in its own file that implements
//! [`Window`]; the registry ([`Windows`]) holds the open ones, draws them, and closes the one in
//! front on Esc ([`Windows::close_front`]). They remember their size (egui memory).
//!
//! A new window: its file here (a struct, `impl Window`), `pub mod` below, and the line that
//! opens it (`app.windows.toggle(MyWindow::default)`, usually in a command's arm).

pub mod add_sources;
pub mod agreement;
pub mod corpus_search;
pub mod entities;
pub mod interchange;
pub mod keys;
pub mod label_all;
mod learned;
pub mod network;
pub mod refresh_sources;
pub mod schema_editor;
pub mod suggestions;
pub mod team;

use std::any::Any;

use crate::gui::action::Action;
use crate::gui::state::FrameCtx;

const SCHEMA: &str = "Schema";
const ENTITIES: &str = "Entities";
const NETWORK: &str = "Network";
const SUGGESTIONS: &str = "Suggestion settings";
const KEYS: &str = "Keyboard reference";
const AGREEMENT: &str = "Agreement";
const SEARCH: &str = "Search all documents";
const EXPORT: &str = "Export annotations";
const IMPORT: &str = "Import annotations";

/// A floating window, as the registry sees it.
pub trait Window: Any {
    /// Its title, which also names it (its place and size are kept under it).
    fn title(&self) -> &'static str;
    /// Its size when first opened (each side cut to what fits); `None`: as its content needs.
    fn default_size(&self) -> Option<egui::Vec2> {
        Some(egui::vec2(560.0, 480.0))
    }
    /// Anything else about its frame (position, folding, resizing); `screen`: the app window's
    /// content area.
    fn frame<'a>(&self, window: egui::Window<'a>, _screen: egui::Rect) -> egui::Window<'a> {
        window
    }
    /// Draws its content; what the user asks for goes to `fc.actions`.
    fn show(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx);
    /// After its frame was drawn: a change to the frame itself (folding it) goes here, since
    /// the frame keeps its state while it draws.
    fn drawn(&mut self, _ctx: &egui::Context) {}
    /// Whether it may close now (an import or export under way may not).
    fn can_close(&self) -> bool {
        true
    }
    /// It was closed: it stops its work.
    fn closed(&mut self) {}
    /// It is about the open project (closed with it; not drawn without one).
    fn needs_project(&self) -> bool {
        true
    }
}

/// The open windows, in the order they were opened.
#[derive(Default)]
pub struct Windows {
    open: Vec<Box<dyn Window>>,
}

impl Windows {
    /// Where a window is on screen (last frame), by title.
    pub fn rect(ctx: &egui::Context, title: &str) -> Option<egui::Rect> {
        ctx.memory(|m| m.area_rect(window_id(title)))
    }

    pub fn any_open(&self) -> bool {
        !self.open.is_empty()
    }

    /// Opens a window (one of a kind: an open one of the same type is replaced, unless it may
    /// not close now, as an import under way: then it stays, and the new one is not opened).
    pub fn open<T: Window>(&mut self, window: T) {
        self.close::<T>();
        if !self.is_open::<T>() {
            self.open.push(Box::new(window));
        }
    }

    /// Opens the window if it is closed, closes it if it is open.
    pub fn toggle<T: Window>(&mut self, make: impl FnOnce() -> T) {
        if self.is_open::<T>() {
            self.close::<T>();
        } else {
            self.open(make());
        }
    }

    /// Closes a window of this type, if open and it may close.
    pub fn close<T: Window>(&mut self) {
        if let Some(i) = self.position::<T>()
            && self.open[i].can_close()
        {
            self.open.remove(i).closed();
        }
    }

    /// The window of this type, opened first if it is not.
    pub fn shown<T: Window>(&mut self, make: impl FnOnce() -> T) -> Option<&mut T> {
        if !self.is_open::<T>() {
            self.open(make());
        }
        self.get_mut::<T>()
    }

    pub fn is_open<T: Window>(&self) -> bool {
        self.position::<T>().is_some()
    }

    pub fn get<T: Window>(&self) -> Option<&T> {
        self.open
            .iter()
            .find_map(|w| (w.as_ref() as &dyn Any).downcast_ref::<T>())
    }

    pub fn get_mut<T: Window>(&mut self) -> Option<&mut T> {
        self.open
            .iter_mut()
            .find_map(|w| (w.as_mut() as &mut dyn Any).downcast_mut::<T>())
    }

    fn position<T: Window>(&self) -> Option<usize> {
        self.open
            .iter()
            .position(|w| (w.as_ref() as &dyn Any).is::<T>())
    }

    /// The project closed: its windows go.
    pub fn close_project_windows(&mut self) {
        let (keep, close): (Vec<_>, Vec<_>) = std::mem::take(&mut self.open)
            .into_iter()
            .partition(|w| !w.needs_project());
        self.open = keep;
        for mut w in close {
            w.closed();
        }
    }

    /// Esc: closes the window in front (the one last clicked or opened), if it may close.
    /// `true` if one was.
    pub fn close_front(&mut self, ctx: &egui::Context) -> bool {
        let titles: Vec<&str> = self.open.iter().map(|w| w.title()).collect();
        // The front-most of the open windows, by egui's layer order; else the last opened.
        let front = ctx
            .memory(|m| {
                let layers: Vec<egui::LayerId> = m.layer_ids().collect();
                layers
                    .into_iter()
                    .rev()
                    .find_map(|layer| titles.iter().position(|t| window_id(t) == layer.id))
            })
            .or_else(|| titles.len().checked_sub(1));
        match front {
            Some(i) if self.open[i].can_close() => {
                self.open.remove(i).closed();
                true
            }
            _ => false,
        }
    }

    pub fn ui(&mut self, ctx: &egui::Context, fc: &mut FrameCtx) {
        let max = ctx.content_rect().size() - egui::vec2(40.0, 80.0);
        let has_project = fc.session.is_some();
        let mut i = 0;
        while i < self.open.len() {
            let window = &mut self.open[i];
            if window.needs_project() && !has_project {
                i += 1;
                continue;
            }
            let title = window.title();
            let mut open = true;
            let mut frame = egui::Window::new(title).id(window_id(title)).max_size(max);
            if let Some(size) = window.default_size() {
                frame = frame.default_size(size.min(max));
            }
            window
                .frame(frame, ctx.content_rect())
                .open(&mut open)
                .show(ctx, |ui| window.show(ui, fc));
            window.drawn(ctx);
            if !open && window.can_close() {
                self.open.remove(i).closed();
            } else {
                i += 1;
            }
        }
    }
}

fn window_id(title: &str) -> egui::Id {
    egui::Id::unique(("tagdesk-window", title))
}

/// Folds the Network window to its title bar (`fold`) or unfolds it; returns whether it was
/// folded before.
pub fn fold_network(ctx: &egui::Context, fold: bool) -> bool {
    let id = window_id(NETWORK).with("collapsing");
    let mut state = egui::collapsing_header::CollapsingState::load_with_default_open(ctx, id, true);
    let was_folded = !state.is_open();
    state.set_open(!fold);
    state.store(ctx);
    was_folded
}

/// The keyboard reference (it needs no project).
#[derive(Debug, Default)]
pub struct KeysWindow;

impl Window for KeysWindow {
    fn title(&self) -> &'static str {
        KEYS
    }

    fn default_size(&self) -> Option<egui::Vec2> {
        Some(egui::vec2(460.0, 520.0))
    }

    fn show(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx) {
        keys::ui(ui, fc.ws());
    }

    fn needs_project(&self) -> bool {
        false
    }
}

/// The suggestion settings.
#[derive(Debug, Default)]
pub struct SuggestionsWindow;

impl Window for SuggestionsWindow {
    fn title(&self) -> &'static str {
        SUGGESTIONS
    }

    fn default_size(&self) -> Option<egui::Vec2> {
        None
    }

    fn frame<'a>(&self, window: egui::Window<'a>, screen: egui::Rect) -> egui::Window<'a> {
        // Its contents scroll on a short screen (900 × 600): the floors and Train now stay
        // in reach. A scrolling window does not grow to its contents by itself: it is given
        // the height they take on a usual screen, or the screen's (the registry caps it).
        window
            .resizable(false)
            .vscroll(true)
            .min_height((screen.height() - 90.0).max(160.0))
    }

    fn show(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx) {
        let Some(session) = fc.session else { return };
        let (settings, train) = suggestions::ui(
            ui,
            &session.ws,
            &session.suggestions.settings,
            &session.learning,
        );
        if let Some(settings) = settings {
            fc.actions
                .push(Action::SetSuggestionSettings(Box::new(settings)));
        }
        if train {
            fc.actions.push(Action::Command(
                crate::gui::commands::Command::TrainSuggestions,
            ));
        }
    }
}

/// A window's last outcome, under its controls: what was done, or what failed (in the error
/// colour).
pub fn outcome_ui(ui: &mut egui::Ui, message: Option<&Result<String, String>>) {
    match message {
        Some(Ok(m)) => {
            ui.label(m);
        }
        Some(Err(m)) => {
            ui.colored_label(ui.visuals().error_fg_color, m);
        }
        None => {}
    }
}
