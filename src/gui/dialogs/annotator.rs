//! "Who is annotating?": the annotator name, asked on the first run and from the status bar.
//! The field has keyboard focus when the dialog opens; Enter or OK sets the name, Esc keeps the
//! current one.

use crate::gui::action::{Action, ActionQueue};

#[derive(Debug)]
pub struct AnnotatorDialog {
    pub draft: String,
    /// The name in use when the dialog opened (Esc keeps it, and says so).
    current: String,
    /// Focus the field on the first frame only (asking every frame would fight the user).
    focus: bool,
}

impl AnnotatorDialog {
    pub fn new(current: &str) -> Self {
        Self {
            draft: current.to_owned(),
            current: current.to_owned(),
            focus: true,
        }
    }

    /// Draws the dialog; `false` once it is done (a name set, or Esc).
    pub fn ui(&mut self, ctx: &egui::Context, actions: &mut ActionQueue) -> bool {
        let mut done = None;
        let modal = egui::Modal::new(egui::Id::unique("annotator_modal")).show(ctx, |ui| {
            ui.set_max_width(480.0);
            ui.heading("Who is annotating?");
            ui.label("Your annotations are saved under this name, apart from your colleagues'.");
            let label = ui.label("Annotator name");
            let mut output = egui::TextEdit::singleline(&mut self.draft).show(ui);
            let response = egui::Response::clone(&output.response).labelled_by(label.id);
            if std::mem::take(&mut self.focus) {
                // Focused and selected: typing replaces the suggested name.
                response.request_focus();
                output
                    .state
                    .cursor
                    .set_char_range(Some(egui::text::CCursorRange::select_all_str(&self.draft)));
                output.state.store(ui.ctx(), response.id);
            }
            let problem = crate::core::project::valid_annotator_name(&self.draft).err();
            if let Some(problem) = &problem {
                ui.colored_label(ui.visuals().error_fg_color, problem);
            }
            let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let ok = ui
                .add_enabled(problem.is_none(), egui::Button::new("OK"))
                .clicked();
            if (ok || enter) && problem.is_none() {
                done = Some(self.draft.clone());
            }
        });
        if let Some(name) = done {
            actions.push(Action::SetAnnotator(name));
            return false;
        }
        // Esc keeps the name in use (on the first run: the default one), and says so: a name
        // is never taken silently.
        let closed =
            ctx.input(|i| i.key_pressed(egui::Key::Escape)) || modal.backdrop_response.clicked();
        if closed {
            actions.say(
                format!(
                    "Annotating as \"{}\" (kept). Click the name in the status bar to change it.",
                    self.current
                ),
                false,
            );
        }
        !closed
    }
}

impl super::Dialog for AnnotatorDialog {
    fn urgency(&self) -> u8 {
        10
    }

    fn show(&mut self, ctx: &egui::Context, fc: &mut crate::gui::state::FrameCtx) -> bool {
        self.ui(ctx, fc.actions)
    }
}
