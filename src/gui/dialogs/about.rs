//! Help → About: version, commit, build date, fonts and their licence.

#[derive(Debug, Default)]
pub struct AboutDialog;

impl AboutDialog {
    /// Draws the dialog; `false` once closed (Close, Esc, a click beside it).
    pub fn ui(&mut self, ctx: &egui::Context) -> bool {
        let mut open = true;
        let modal = egui::Modal::new(egui::Id::unique("about_modal")).show(ctx, |ui| {
            ui.heading("tagdesk");
            ui.label("A native desktop annotation workbench.");
            ui.label(format!(
                "Version {} · commit {} · built {}",
                crate::build_info::VERSION,
                crate::build_info::GIT_COMMIT,
                crate::build_info::BUILD_DATE
            ));
            ui.label(
                "Fonts: Noto Sans Georgian, Arabic, Hebrew, Armenian, Symbols 2, Math and Noto \
                 Emoji (SIL Open Font License).",
            );
            if ui.button("Close").clicked() {
                open = false;
            }
        });
        open && !super::closed_by_user(&modal)
    }
}

impl super::Dialog for AboutDialog {
    fn urgency(&self) -> u8 {
        70
    }

    fn show(&mut self, ctx: &egui::Context, _fc: &mut crate::gui::state::FrameCtx) -> bool {
        self.ui(ctx)
    }
}
