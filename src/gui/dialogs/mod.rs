//! Modal dialogs: each a struct with `ui(…) -> bool` (still open) that pushes actions; Esc
//! closes every one of them (but the disk-conflict choice, which must be made). A dialog only
//! repaints when input comes: none asks for continuous repaints.

pub mod about;
pub mod alerts;
pub mod annotator;
pub mod chooser;
pub mod conflict;
pub mod init;
pub mod palette;
pub mod relation_choice;
pub mod welcome;

/// The dialogs that may be open; at most one is drawn at a time, in this order of urgency.
#[derive(Default)]
pub struct Dialogs {
    pub alerts: alerts::AlertsDialog,
    pub annotator: Option<annotator::AnnotatorDialog>,
    pub welcome: Option<welcome::WelcomeDialog>,
    pub init: Option<init::InitDialog>,
    pub relation_choice: Option<relation_choice::RelationChoice>,
    pub palette: Option<palette::Palette>,
    pub about: Option<about::AboutDialog>,
    pub chooser: Option<chooser::FolderChooser>,
}

impl Dialogs {
    /// A dialog is open: the keyboard belongs to it.
    pub fn any_open(&self, conflicts: bool) -> bool {
        !self.alerts.is_empty()
            || self.annotator.is_some()
            || self.welcome.is_some()
            || self.init.is_some()
            || self.relation_choice.is_some()
            || self.palette.is_some()
            || self.about.is_some()
            || self.chooser.is_some()
            || conflicts
    }
}

/// Closes when Esc is pressed or the backdrop clicked.
pub fn closed_by_user(response: &egui::ModalResponse<()>) -> bool {
    response.should_close()
}
