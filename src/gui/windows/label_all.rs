//! "Label all matches" (from the corpus search window): a preview of every hit with its
//! context and a tick box; hits that would duplicate a span of the annotator (same extent,
//! same label) or overlap one are marked and unticked; counts per document. Applying the
//! ticked ones is one undo step across documents (`Workspace::annotate_many`).

use std::collections::BTreeMap;
use std::ops::Range;

use egui::RichText;

use crate::core::Workspace;
use crate::core::search::Hit;
use crate::core::workspace::Clash;

pub struct Row {
    pub hit: Hit,
    pub clash: Option<Clash>,
    pub ticked: bool,
}

pub struct Preview {
    pub label: String,
    pub annotator: String,
    pub rows: Vec<Row>,
}

/// What the preview asks for.
pub enum Outcome {
    Apply {
        label: String,
        places: Vec<(String, Range<usize>)>,
    },
    Cancel,
}

impl Preview {
    /// Every hit, checked against `annotator`'s spans.
    pub fn new(ws: &Workspace, annotator: &str, label: &str, hits: &[Hit]) -> Self {
        let mut preview = Self {
            label: label.to_owned(),
            annotator: annotator.to_owned(),
            rows: Vec::new(),
        };
        preview.extend(ws, hits);
        preview
    }

    /// Adds hits found since (the preview fills while the search streams).
    pub fn extend(&mut self, ws: &Workspace, hits: &[Hit]) {
        for hit in hits {
            let clash = ws.clash(&hit.document, &self.annotator, &hit.range, &self.label);
            self.rows.push(Row {
                hit: hit.clone(),
                ticked: clash.is_none(),
                clash,
            });
        }
    }

    pub fn ticked(&self) -> usize {
        self.rows.iter().filter(|r| r.ticked).count()
    }

    /// `searching`: hits are still coming (Apply waits for the last one).
    pub fn ui(&mut self, ui: &mut egui::Ui, searching: bool) -> Option<Outcome> {
        let mut outcome = None;
        let duplicates = self
            .rows
            .iter()
            .filter(|r| r.clash == Some(Clash::Duplicate))
            .count();
        let overlapping = self
            .rows
            .iter()
            .filter(|r| matches!(r.clash, Some(Clash::Overlaps(_))))
            .count();
        let mut per_document: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for r in &self.rows {
            let entry = per_document.entry(r.hit.document.clone()).or_default();
            entry.1 += 1;
            if r.ticked {
                entry.0 += 1;
            }
        }
        ui.horizontal_wrapped(|ui| {
            ui.strong(format!(
                "Label {} of {} matches as {}",
                self.ticked(),
                self.rows.len(),
                self.label
            ));
            if duplicates > 0 {
                ui.label(RichText::new(format!("· {duplicates} already tagged")).weak());
            }
            if searching {
                ui.spinner();
                ui.label(RichText::new("still searching: the list fills as it goes").weak());
            }
            if overlapping > 0 {
                ui.label(RichText::new(format!("· {overlapping} overlap a span")).weak());
            }
        });
        ui.horizontal(|ui| {
            let ticked = self.ticked();
            if ui
                .add_enabled(
                    ticked > 0 && !searching,
                    egui::Button::new(format!("Apply ({ticked})")),
                )
                .on_hover_text("One step: Ctrl+Z takes it all back")
                .clicked()
            {
                outcome = Some(Outcome::Apply {
                    label: self.label.clone(),
                    places: self
                        .rows
                        .iter()
                        .filter(|r| r.ticked)
                        .map(|r| (r.hit.document.clone(), r.hit.range.clone()))
                        .collect(),
                });
            }
            if ui.button("Cancel").clicked() {
                outcome = Some(Outcome::Cancel);
            }
            if ui.button("Tick all").clicked() {
                for r in &mut self.rows {
                    r.ticked = true;
                }
            }
            if ui.button("Tick none").clicked() {
                for r in &mut self.rows {
                    r.ticked = false;
                }
            }
        });
        egui::CollapsingHeader::new(crate::gui::count(
            per_document.len(),
            "document",
            "documents",
        ))
        .id_salt("label_all_documents")
        .show(ui, |ui| {
            for (document, (ticked, all)) in &per_document {
                ui.label(format!("{document}: {ticked} of {all}"));
            }
        });
        ui.separator();
        let row_height = ui.spacing().interact_size.y;
        egui::ScrollArea::both()
            .id_salt("label_all_rows")
            .auto_shrink([false, false])
            .show_rows(ui, row_height, self.rows.len(), |ui, range| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
                for row in &mut self.rows[range] {
                    ui.horizontal(|ui| {
                        let place =
                            format!("{}:{}:{}", row.hit.document, row.hit.line, row.hit.column);
                        ui.checkbox(&mut row.ticked, RichText::new(place).monospace());
                        match &row.clash {
                            Some(Clash::Duplicate) => {
                                ui.colored_label(ui.visuals().warn_fg_color, "already tagged");
                            }
                            Some(Clash::Overlaps(label)) => {
                                ui.colored_label(
                                    ui.visuals().warn_fg_color,
                                    format!("overlaps a span ({label})"),
                                );
                            }
                            None => {}
                        }
                        let mut job = egui::text::LayoutJob::default();
                        let font = egui::TextStyle::Body.resolve(ui.style());
                        let weak = ui.visuals().weak_text_color();
                        let strong = ui.visuals().strong_text_color();
                        for (part, color) in [
                            (&row.hit.before, weak),
                            (&row.hit.matched, strong),
                            (&row.hit.after, weak),
                        ] {
                            job.append(part, 0.0, egui::TextFormat::simple(font.clone(), color));
                        }
                        crate::gui::bidi::job_label(ui, job, egui::Sense::hover());
                    });
                }
            });
        outcome
    }
}
