//! The documents panel (left): the project's documents with each one's annotation count and
//! status for the current annotator; a click opens one.

use std::fmt::Write as _;

use egui::RichText;

use crate::core::{DocStatus, LayerKey};
use crate::gui::action::Action;
use crate::gui::action::DocProbe;
use crate::gui::state::FrameCtx;

pub fn documents_panel_ui(ui: &mut egui::Ui, fc: &mut FrameCtx) {
    egui::Panel::left("documents")
        .resizable(true)
        .default_size(260.0)
        .min_size(160.0)
        .show(ui, |ui| {
            let Some(session) = fc.session else {
                ui.label("No project open.");
                return;
            };
            let ws = &session.ws;
            let annotator = fc.prefs.annotator.as_str();
            let current = fc.state.current_doc.as_deref();
            ui.heading(ws.project.name());
            ui.label(
                RichText::new(crate::gui::count(
                    ws.project.documents.len(),
                    "document",
                    "documents",
                ))
                .weak(),
            );
            // The list is usable at once; every file is read in the background to flag
            // the unusable ones.
            let total = ws.project.documents.len();
            let checked = session.probes.len().min(total);
            if session.probing.is_some() && checked < total {
                #[expect(clippy::cast_precision_loss)]
                let fraction = checked as f32 / total as f32;
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_height(14.0)
                        .text(format!("reading {checked} of {total}")),
                )
                .on_hover_text("Each file is read in the background to find unusable ones");
            } else {
                let unusable = session
                    .probes
                    .values()
                    .filter(|p| matches!(p, DocProbe::Unusable(_)))
                    .count();
                if unusable > 0 {
                    ui.label(
                        RichText::new(format!("{unusable} cannot be opened"))
                            .color(ui.visuals().warn_fg_color),
                    );
                }
            }
            ui.separator();
            let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
            let orphans: Vec<String> = ws
                .project
                .orphaned_layers()
                .into_iter()
                .filter(|k| k.annotator == annotator)
                .map(|k| k.document.clone())
                .collect();
            if !orphans.is_empty() {
                ui.label(
                    RichText::new("Missing from the source folder (annotations kept):")
                        .color(ui.visuals().warn_fg_color),
                );
                for doc in orphans {
                    let selected = current == Some(doc.as_str());
                    if ui
                        .add(
                            egui::Button::selectable(selected, format!("{doc} (missing)"))
                                .truncate(),
                        )
                        .clicked()
                    {
                        fc.actions.push(Action::SelectDocument(doc));
                    }
                }
                ui.separator();
            }
            let docs = &ws.project.documents;
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show_rows(ui, row_height, docs.len(), |ui, rows| {
                    for doc in &docs[rows] {
                        let key = LayerKey::new(doc.path.clone(), annotator);
                        let layer = ws.project.layers.get(&key);
                        let count = layer.map_or(0, crate::core::AnnotationLayer::len);
                        // Colleagues' work on it (and the curated layer's), so a project
                        // annotated by others never looks empty.
                        let others: Vec<(&str, usize)> = ws
                            .project
                            .layers_of(&doc.path)
                            .filter(|(a, l)| *a != annotator && !l.is_empty())
                            .map(|(a, l)| (a, l.len()))
                            .collect();
                        let others_total: usize = others.iter().map(|(_, n)| n).sum();
                        let (status, weak) = match session.probes.get(&doc.path) {
                            Some(DocProbe::Unusable(reason)) => (reason.clone(), true),
                            _ if ws.project.is_locked(&key) => {
                                ("annotation file unreadable".to_owned(), true)
                            }
                            _ => (
                                layer
                                    .map_or(DocStatus::New, |l| l.status)
                                    .as_str()
                                    .to_owned(),
                                false,
                            ),
                        };
                        let dirty = if ws.dirty_layers().contains(&key) {
                            " •"
                        } else {
                            ""
                        };
                        let selected = current == Some(doc.path.as_str());
                        let response = ui
                            .horizontal(|ui| {
                                ui.with_layout(
                                    egui::Layout::right_to_left(egui::Align::Center),
                                    |ui| {
                                        // The name keeps at least half the row; the status
                                        // is cut first.
                                        let half = ui.available_width() / 2.0;
                                        let info = if others_total > 0 {
                                            format!("{count} · {status} · +{others_total}")
                                        } else {
                                            format!("{count} · {status}")
                                        };
                                        let info = RichText::new(info);
                                        let info = if weak {
                                            info.color(ui.visuals().warn_fg_color)
                                        } else {
                                            info.weak()
                                        };
                                        ui.scope(|ui| {
                                            ui.set_max_width(half);
                                            ui.add(egui::Label::new(info).truncate());
                                        });
                                        ui.with_layout(
                                            egui::Layout::left_to_right(egui::Align::Center),
                                            |ui| {
                                                ui.add(
                                                    egui::Button::selectable(
                                                        selected,
                                                        format!("{}{dirty}", doc.path),
                                                    )
                                                    .truncate(),
                                                )
                                            },
                                        )
                                        .inner
                                    },
                                )
                                .inner
                            })
                            .inner;
                        let response = if let Some(DocProbe::Unusable(reason)) =
                            session.probes.get(&doc.path)
                        {
                            response
                                .on_hover_text(format!("{}: cannot be opened: {reason}", doc.path))
                        } else {
                            let mut hover =
                                format!("{}\nyou ({annotator}): {count} · {status}", doc.path);
                            for (who, n) in &others {
                                let who = if *who == crate::core::review::CURATED {
                                    "curated"
                                } else {
                                    who
                                };
                                let _ = write!(hover, "\n{who}: {n}");
                            }
                            response.on_hover_text(hover)
                        };
                        if response.clicked() {
                            fc.actions.push(Action::SelectDocument(doc.path.clone()));
                        }
                    }
                });
        });
}
