//! An annotation file changed on disk under unsaved edits: keep mine or take theirs. Nothing
//! is lost whichever is chosen (the other version is copied to `.tagdesk/conflicts/`); the choice must be made (Esc does not skip it:
//! saving waits on it).

use crate::core::project::LayerKey;
use crate::core::workspace::Resolution;
use crate::gui::action::{Action, ActionQueue};

pub fn conflict_ui(ctx: &egui::Context, key: &LayerKey, actions: &mut ActionQueue) {
    egui::Modal::new(egui::Id::unique("disk_conflict")).show(ctx, |ui| {
        ui.set_max_width(560.0);
        ui.heading("Changed on disk");
        ui.label(format!(
            "The annotations of {} on {} changed on disk (another tagdesk, git, a sync client) \
             while you have unsaved edits on them. Nothing has been overwritten. Whichever you \
             choose, the other version is copied to .tagdesk/conflicts/ in the project first, \
             and the status bar says where.",
            key.annotator, key.document
        ));
        ui.horizontal_wrapped(|ui| {
            let choices = [
                (
                    "Keep mine",
                    "Save your version over the file; theirs is copied to .tagdesk/conflicts/",
                    Resolution::KeepMine,
                ),
                (
                    "Take theirs",
                    "Load the file on disk; your version, with its unsaved edits, is copied to \
                     .tagdesk/conflicts/",
                    Resolution::TakeTheirs,
                ),
            ];
            for (title, hint, resolution) in choices {
                if ui.button(title).on_hover_text(hint).clicked() {
                    actions.push(Action::ResolveConflict(key.clone(), resolution));
                }
            }
        });
    });
}
