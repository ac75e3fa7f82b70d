//! Document → Suggestion settings: on or off, from whom (your spans, or also colleagues' and
//! the curated layer), the case rule, and per label: proposed or not, with how many of its
//! suggestions were accepted and rejected (so the team sees how far to trust them). Every
//! change is written to `suggestions.json` at once. Below, the learned suggestions
//! ([`super::learned`]).

use egui::RichText;

use crate::core::Workspace;
use crate::core::suggest::Settings;

/// The settings to keep, when something was changed; and whether "Train now" was clicked.
pub fn ui(
    ui: &mut egui::Ui,
    ws: &Workspace,
    settings: &Settings,
    learning: &crate::gui::learning::Learning,
) -> (Option<Settings>, bool) {
    let mut train = false;
    let mut next = settings.clone();
    ui.checkbox(&mut next.enabled, "Show suggestions (dashed outlines)");
    ui.add_enabled_ui(next.enabled, |ui| {
        ui.checkbox(
            &mut next.from_everyone,
            "Also from colleagues' spans and the curated layer",
        );
        ui.checkbox(&mut next.case_sensitive, "Upper and lower case must match");
        ui.separator();
        egui::Grid::new("suggestion_labels")
            .striped(true)
            .show(ui, |ui| {
                ui.strong("Label");
                ui.strong("Accepted");
                ui.strong("Rejected");
                ui.end_row();
                for label in &ws.project().schema().labels {
                    let mut on = !next.off_labels.contains(&label.name);
                    if ui.checkbox(&mut on, &label.name).changed() {
                        if on {
                            next.off_labels.remove(&label.name);
                        } else {
                            next.off_labels.insert(label.name.clone());
                        }
                    }
                    let tally = next.tally.get(&label.name).copied().unwrap_or_default();
                    ui.label(tally.accepted.to_string());
                    ui.label(tally.rejected.to_string());
                    ui.end_row();
                }
            });
        ui.label(
            RichText::new(format!(
                "{} suggestions rejected (never proposed again).",
                next.rejected.len()
            ))
            .weak(),
        );
        if !next.rejected.is_empty() && ui.button("Propose rejected ones again").clicked() {
            next.rejected.clear();
        }
        train = super::learned::ui(ui, ws, &mut next, learning);
    });
    ((next != *settings).then_some(next), train)
}
