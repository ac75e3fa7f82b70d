//! "How to annotate": a short overlay on the first start (after the name prompt), and from
//! Help → How to annotate…. "Got it" (or Enter) dismisses it for good; "Show it next time" or
//! Esc close it, and it comes back at the next start. The keys it names come from the command table and the project's schema, so the
//! overlay cannot teach a key that does not exist.

use crate::gui::action::{Action, ActionQueue};
use crate::gui::commands::Command;

#[derive(Debug, Default)]
pub struct WelcomeDialog;

/// The steps, as (what to do, how), with the keys of `labels` (name, hotkey) and the commands.
pub fn steps(labels: &[(String, Option<String>)]) -> Vec<(&'static str, String)> {
    let keyed: Vec<String> = labels
        .iter()
        .filter_map(|(name, key)| key.as_ref().map(|k| format!("{k} {name}")))
        .take(4)
        .collect();
    let label_keys = if keyed.is_empty() {
        "the label's key".to_owned()
    } else {
        keyed.join(", ")
    };
    vec![
        (
            "Pick a document",
            format!(
                "in the list on the left; {} and {} step through them.",
                first_key(Command::NextDocument),
                first_key(Command::PreviousDocument)
            ),
        ),
        (
            "Select the words",
            "with the mouse: the selection snaps to whole words (Shift+arrows fine-tune it)."
                .to_owned(),
        ),
        (
            "Tag them",
            format!("press a label's key ({label_keys}) or click the label on the right."),
        ),
        (
            "Change a span",
            format!(
                "click its highlight: relabel it with a key, drag its edges, add a note ({}), \
                 link it to another span ({}), or delete it ({}).",
                first_key(Command::EditNote),
                first_key(Command::LinkRelation),
                first_key(Command::DeleteAnnotation)
            ),
        ),
        (
            "Nothing to save by hand",
            format!(
                "your work is saved as you go, and {} undoes anything. {} lists every key.",
                first_key(Command::Undo),
                first_key(Command::KeyboardReference)
            ),
        ),
    ]
}

/// A command's first shortcut ("Alt+Down"), as the keyboard reference writes it.
fn first_key(command: Command) -> String {
    command
        .shortcuts()
        .first()
        .map(|s| s.format(&egui::ModifierNames::NAMES, false))
        .unwrap_or_default()
}

impl WelcomeDialog {
    /// Draws the overlay; `false` once it is closed.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        labels: &[(String, Option<String>)],
        actions: &mut ActionQueue,
    ) -> bool {
        let mut open = true;
        let mut for_good = false;
        let modal = egui::Modal::new(egui::Id::unique("welcome_modal")).show(ctx, |ui| {
            ui.set_max_width(520.0);
            ui.heading("How to annotate");
            ui.add_space(4.0);
            egui::Grid::new("welcome_steps")
                .num_columns(2)
                .min_col_width(0.0)
                .spacing([10.0, 8.0])
                .show(ui, |ui| {
                    for (n, (what, how)) in steps(labels).into_iter().enumerate() {
                        ui.label(egui::RichText::new(format!("{}.", n + 1)).strong());
                        ui.horizontal_wrapped(|ui| {
                            ui.label(egui::RichText::new(what).strong());
                            ui.label(how);
                        });
                        ui.end_row();
                    }
                });
            ui.add_space(6.0);
            ui.label(
                egui::RichText::new(
                    "The manual (docs/manual in the source, /usr/share/doc/tagdesk when \
                     installed) explains review, agreement, curation and every format.",
                )
                .weak(),
            );
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let got_it = ui.button("Got it");
                if got_it.clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    for_good = true;
                    open = false;
                }
                if ui.button("Show it next time").clicked() {
                    open = false;
                }
            });
        });
        if open && super::closed_by_user(&modal) {
            open = false;
        }
        if !open {
            actions.push(Action::Welcomed { for_good });
        }
        open
    }
}

impl super::Dialog for WelcomeDialog {
    fn urgency(&self) -> u8 {
        20
    }

    fn show(&mut self, ctx: &egui::Context, fc: &mut crate::gui::state::FrameCtx) -> bool {
        self.ui(ctx, &fc.label_keys(), fc.actions)
    }
}
