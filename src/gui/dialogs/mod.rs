//! Modal dialogs. Each is a struct in its own file that implements [`Dialog`]; the registry
//! ([`Dialogs`]) holds the open ones and draws one at a time, the most urgent first (each
//! dialog states its [`Dialog::urgency`]). Esc closes every one of them (but the disk-conflict
//! choice, which must be made). A dialog only repaints when input comes.
//!
//! A new dialog: its file here (a struct, `impl Dialog`), `pub mod` below, and the line that
//! opens it (`app.dialogs.open(MyDialog { … })`, usually in a command's arm in app/apply.rs).

use std::any::Any;

use crate::gui::state::FrameCtx;

pub mod about;
pub mod alerts;
pub mod annotator;
pub mod chooser;
pub mod conflict;
pub mod init;
pub mod palette;
pub mod relation_choice;
pub mod welcome;

/// A modal dialog, as the registry sees it.
pub trait Dialog: Any {
    /// Its place in the order of urgency: of the open dialogs, the one with the lowest number
    /// is drawn, and has the keyboard, until it closes.
    fn urgency(&self) -> u8;
    /// Draws the dialog; `false` once it closed (its buttons, Esc, a click beside it). What
    /// the user chose goes to `fc.actions`.
    fn show(&mut self, ctx: &egui::Context, fc: &mut FrameCtx) -> bool;
}

/// The open dialogs.
#[derive(Default)]
pub struct Dialogs {
    /// Messages waiting to be read: drawn before any dialog (a queue, never "opened").
    pub alerts: alerts::AlertsDialog,
    open: Vec<Box<dyn Dialog>>,
}

impl Dialogs {
    /// Opens a dialog (one of a kind: an open one of the same type is replaced).
    pub fn open<T: Dialog>(&mut self, dialog: T) {
        self.close::<T>();
        self.open.push(Box::new(dialog));
    }

    pub fn close<T: Dialog>(&mut self) {
        self.open.retain(|d| !(d.as_ref() as &dyn Any).is::<T>());
    }

    pub fn get<T: Dialog>(&self) -> Option<&T> {
        self.open
            .iter()
            .find_map(|d| (d.as_ref() as &dyn Any).downcast_ref::<T>())
    }

    pub fn is_open<T: Dialog>(&self) -> bool {
        self.get::<T>().is_some()
    }

    /// A dialog is open (or a disk conflict waits): the keyboard belongs to it.
    pub fn any_open(&self, conflicts: bool) -> bool {
        !self.alerts.is_empty() || !self.open.is_empty() || conflicts
    }

    /// Draws the most urgent: alerts, then a disk conflict (it comes from the session, and
    /// must be settled), then the open dialog with the lowest urgency.
    pub fn ui(&mut self, ctx: &egui::Context, fc: &mut FrameCtx) {
        if !self.alerts.is_empty() {
            self.alerts.ui(ctx);
            return;
        }
        if let Some(key) = fc.session.and_then(|s| s.disk_conflicts.first()) {
            conflict::conflict_ui(ctx, key, fc.actions);
            return;
        }
        let Some(front) = (0..self.open.len()).min_by_key(|&i| self.open[i].urgency()) else {
            return;
        };
        if !self.open[front].show(ctx, fc) {
            self.open.remove(front);
        }
    }
}

/// Closes when Esc is pressed or the backdrop clicked.
pub fn closed_by_user(response: &egui::ModalResponse<()>) -> bool {
    response.should_close()
}
