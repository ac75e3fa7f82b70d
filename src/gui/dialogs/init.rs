//! A plain folder was opened: offer to make it a project in place.

use std::path::PathBuf;

use crate::gui::action::{Action, ActionQueue};

#[derive(Debug)]
pub struct InitDialog {
    pub folder: PathBuf,
}

impl InitDialog {
    pub fn ui(&mut self, ctx: &egui::Context, actions: &mut ActionQueue) -> bool {
        let mut open = true;
        let modal = egui::Modal::new(egui::Id::unique("init_modal")).show(ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading("Make this folder a project?");
            ui.label(format!(
                "{} has no {}. tagdesk can make it a project in place: it adds the manifest and \
                 an annotations/ folder, and never changes your .txt files.",
                self.folder.display(),
                crate::core::project::MANIFEST_FILE
            ));
            ui.horizontal(|ui| {
                if ui.button("Make it a project").clicked() {
                    actions.push(Action::InitProject(self.folder.clone()));
                    open = false;
                }
                if ui.button("Cancel").clicked() {
                    open = false;
                }
            });
        });
        open && !super::closed_by_user(&modal)
    }
}

impl super::Dialog for InitDialog {
    fn urgency(&self) -> u8 {
        30
    }

    fn show(&mut self, ctx: &egui::Context, fc: &mut crate::gui::state::FrameCtx) -> bool {
        self.ui(ctx, fc.actions)
    }
}
