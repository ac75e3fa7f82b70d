//! The "Learned suggestions" part of the Suggestion settings window: on or off, where
//! training stands, each label's quality by cross-validation (precision, recall and F1 of the
//! model beside string matching), whether it is heard or silent under the F1 floor, how each
//! label is suggested (by span or by sentence), the floors, how often to retrain, and the
//! "least sure first" order of Next document.

use egui::RichText;

use crate::core::Workspace;
use crate::core::recommend::{Counts, Kind};
use crate::core::suggest::Settings;
use crate::gui::learning::{Learning, Status};

/// Shows the part; changes go into `next`. `true` when "Train now" was clicked.
pub fn ui(ui: &mut egui::Ui, ws: &Workspace, next: &mut Settings, learning: &Learning) -> bool {
    let mut train = false;
    ui.separator();
    ui.strong("Learned suggestions");
    ui.checkbox(
        &mut next.learned.enabled,
        "Learn from my coding (a model trained on this computer; nothing leaves it)",
    );
    ui.add_enabled_ui(next.learned.enabled, |ui| {
        ui.horizontal(|ui| {
            use crate::core::suggest::LearnFrom;
            ui.label("Learn from");
            egui::ComboBox::from_id_salt("learn_from")
                .selected_text(next.learned.from.name())
                .show_ui(ui, |ui| {
                    for from in [LearnFrom::Mine, LearnFrom::Curated, LearnFrom::Everyone] {
                        ui.selectable_value(&mut next.learned.from, from, from.name());
                    }
                });
        });
        status_ui(ui, learning);
        let evaluation = learning
            .trained
            .as_ref()
            .and_then(|t| t.evaluation.as_ref().ok());
        let floor = f64::from(next.learned.min_f1_percent) / 100.0;
        egui::Grid::new("learned_labels")
            .striped(true)
            .show(ui, |ui| {
                for title in ["Label", "By", "Precision", "Recall", "F1", "Strings F1", ""] {
                    ui.strong(title);
                }
                ui.end_row();
                for label in &ws.project().schema().labels {
                    let name = &label.name;
                    ui.label(name);
                    let learned_kind = learning
                        .model
                        .as_ref()
                        .and_then(|m| m.kinds().get(name).copied());
                    kind_ui(ui, name, next, learned_kind);
                    let counts = evaluation.and_then(|e| e.model.per_label.get(name));
                    let strings = evaluation.and_then(|e| e.strings.per_label.get(name));
                    let figure = |c: Option<&Counts>, f: fn(&Counts) -> f64| {
                        c.map_or_else(|| "—".to_owned(), |c| format!("{:.2}", f(c)))
                    };
                    ui.label(figure(counts, Counts::precision));
                    ui.label(figure(counts, Counts::recall));
                    ui.label(figure(counts, Counts::f1));
                    ui.label(figure(strings, Counts::f1));
                    let f1 = learning.model.as_ref().and_then(|m| m.f1.get(name));
                    let heard = match f1 {
                        _ if next.off_labels.contains(name) => RichText::new("off").weak(),
                        Some(&x) if x >= floor && x > 0.0 => RichText::new("suggests"),
                        Some(_) => RichText::new("silent: F1 below the floor").weak(),
                        None => RichText::new("not learned").weak(),
                    };
                    ui.label(heard);
                    ui.end_row();
                }
            });
        if let Some(e) = evaluation {
            ui.label(
                RichText::new(format!(
                    "{}-fold cross-validation on {} coded documents; a sentence label is measured by sentence.",
                    e.folds, e.documents
                ))
                .weak(),
            );
        } else if let Some(Err(why)) = learning.trained.as_ref().map(|t| &t.evaluation) {
            ui.label(RichText::new(format!("Not measured yet: {why}.")).weak());
        }
        ui.horizontal(|ui| {
            ui.label("Silent below F1");
            ui.add(egui::Slider::new(&mut next.learned.min_f1_percent, 0..=100).suffix(" %"));
        });
        ui.horizontal(|ui| {
            ui.label("Show when at least");
            ui.add(
                egui::Slider::new(&mut next.learned.min_confidence_percent, 0..=100)
                    .suffix(" % sure"),
            );
        });
        ui.horizontal(|ui| {
            ui.label("Train again after");
            ui.add(egui::DragValue::new(&mut next.learned.retrain_after).range(1..=10_000));
            ui.label("edits");
        });
        ui.checkbox(
            &mut next.learned.next_least_sure,
            "Next document goes to the one the model is least sure of",
        );
        train = ui
            .add_enabled(!learning.is_running(), egui::Button::new("Train now"))
            .clicked();
    });
    train
}

fn status_ui(ui: &mut egui::Ui, learning: &Learning) {
    match &learning.status {
        Status::Training => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Training on your coding…");
            });
        }
        Status::Refused(why) => {
            ui.label(RichText::new(format!("Not trained: {why}.")).weak());
        }
        Status::Failed(why) => {
            ui.colored_label(ui.visuals().error_fg_color, why);
        }
        Status::Idle => match &learning.trained {
            Some(t) => {
                let spans: usize = t.labels.values().sum();
                ui.label(format!(
                    "Trained on {spans} spans in {} coded documents.",
                    t.documents
                ));
                if !t.skipped.is_empty() {
                    let names: Vec<String> = t
                        .skipped
                        .iter()
                        .map(|(l, n)| format!("{l} ({n})"))
                        .collect();
                    ui.label(
                        RichText::new(format!(
                            "Too few spans to learn: {} — two are needed.",
                            names.join(", ")
                        ))
                        .weak(),
                    );
                }
                if let Err(e) = &t.stored {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        format!("The model is not kept for next time: {e}"),
                    );
                }
            }
            None if learning.model.is_some() => {
                ui.label("The model kept from last time suggests; it is trained again soon.");
            }
            None => {
                ui.label(RichText::new("Not trained yet.").weak());
            }
        },
    }
}

/// How a label is suggested: as read from the coding, or fixed by the user.
fn kind_ui(ui: &mut egui::Ui, label: &str, next: &mut Settings, learned: Option<Kind>) {
    let chosen = next.learned.kinds.get(label).copied();
    let auto = format!("auto ({})", learned.map_or("—", Kind::name));
    let text = chosen.map_or(auto.clone(), |k| k.name().to_owned());
    egui::ComboBox::from_id_salt(("learned_kind", label))
        .selected_text(text)
        .show_ui(ui, |ui| {
            let mut pick = chosen;
            ui.selectable_value(&mut pick, None, auto);
            ui.selectable_value(&mut pick, Some(Kind::Span), "span");
            ui.selectable_value(&mut pick, Some(Kind::Sentence), "sentence");
            if pick != chosen {
                match pick {
                    Some(k) => next.learned.kinds.insert(label.to_owned(), k),
                    None => next.learned.kinds.remove(label),
                };
            }
        });
}
