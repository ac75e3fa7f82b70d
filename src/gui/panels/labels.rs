//! The labels panel (right): the schema's labels with their keys and counts, the document's
//! status, the selected annotation (label, text, note, attributes, relations, what the curator
//! decided) and the list of the document's annotations.

use egui::{Color32, RichText};

use crate::core::DocStatus;
use crate::core::schema::{AttributeKind, AttributeValue};
use crate::gui::action::Action;
use crate::gui::commands::Command;
use crate::gui::state::FrameCtx;

/// How the annotation list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOrder {
    #[default]
    Position,
    Label,
}

/// The panel's own state: the note being typed, the list's order.
#[derive(Debug, Default)]
pub struct LabelsPanel {
    note_draft: String,
    note_for: Option<String>,
    /// Move keyboard focus to the note field on the next frame (Enter).
    pub focus_note: bool,
    list_order: ListOrder,
    /// The annotation list's order by label (indices into the layer), at its revision.
    label_order: (Option<u64>, Vec<usize>),
    /// The selected span's entity.
    entity: super::entity_picker::EntityPicker,
}

impl LabelsPanel {
    /// Forget the note being typed (the selection changed under it).
    pub fn forget_note(&mut self) {
        self.note_for = None;
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx) {
        egui::Panel::right("labels")
            .resizable(true)
            .default_size(300.0)
            .size_range(240.0..=520.0)
            .show(ui, |ui| {
                let Some(ws) = fc.session.map(|s| &s.ws) else { return };
                let key = fc.current_key();
                let layer = key.as_ref().and_then(|k| ws.project().layers.get(k));
                // Kept by the layer itself: a handful of entries, not a walk over the spans.
                let counts = layer.map(crate::core::AnnotationLayer::count_by_label).unwrap_or_default();
                ui.heading("Labels");
                ui.label(
                    RichText::new("Select text, then press a label's key or click it.")
                        .small()
                        .weak(),
                );
                for label in &ws.project().schema().labels {
                    ui.horizontal(|ui| {
                        let [r, g, b] = label.rgb();
                        let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
                        ui.painter().rect_filled(rect, 3.0, Color32::from_rgb(r, g, b));
                        let key = label.hotkey.as_deref().map(|k| format!("[{k}] ")).unwrap_or_default();
                        let count = counts.get(label.name.as_str()).copied().unwrap_or(0);
                        let response = ui
                            .button(format!("{key}{}", label.name))
                            .on_hover_text(&label.description);
                        if response.clicked() {
                            fc.actions.push(Action::ApplyLabel(label.name.clone()));
                        }
                        ui.label(RichText::new(count.to_string()).weak());
                    });
                }
                ui.separator();
                if let (Some(key), Some(layer_status)) =
                    (key.as_ref(), key.as_ref().map(|k| ws.project().layers.get(k).map_or(DocStatus::New, |l| l.status)))
                {
                    ui.horizontal(|ui| {
                        ui.label("Document status:");
                        for status in DocStatus::ALL {
                            if ui.selectable_label(layer_status == status, status.as_str()).clicked() {
                                fc.actions.push(Action::SetStatus(status));
                            }
                        }
                    });
                    if ws.project().is_locked(key) {
                        ui.colored_label(
                            ui.visuals().error_fg_color,
                            "Your annotation file for this document could not be read; it is read-only \
                             until fixed (see tagdesk validate).",
                        );
                    }
                    ui.separator();
                }
                self.selected_annotation_ui(ui, fc);
                ui.separator();
                self.annotation_list_ui(ui, fc);
            });
    }

    fn selected_annotation_ui(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx) {
        ui.heading("Annotation");
        let Some(ws) = fc.session.map(|s| &s.ws) else {
            return;
        };
        let annotation = fc
            .current_layer()
            .and_then(|l| fc.state.selected.as_deref().and_then(|id| l.get(id)))
            .cloned();
        let Some(annotation) = annotation else {
            let hint = match &fc.state.selection {
                Some(sel) => format!(
                    "Selected characters {}–{}. Press a label key to tag them.",
                    sel.start, sel.end
                ),
                None => "Click a highlight to select it.".to_owned(),
            };
            ui.label(RichText::new(hint).weak());
            return;
        };
        if self.note_for.as_deref() != Some(annotation.id.as_str()) {
            self.note_for = Some(annotation.id.to_string());
            self.note_draft = annotation.note().unwrap_or_default().to_owned();
        }
        let curator_decision = fc
            .state
            .current_doc
            .as_deref()
            .filter(|doc| {
                fc.layer_name() != crate::core::review::CURATED
                    && ws.layer(doc, crate::core::review::CURATED).is_some()
            })
            .map(|doc| crate::core::review::decision(ws.project(), doc, &annotation));
        egui::Grid::new("annotation_grid")
            .num_columns(2)
            .show(ui, |ui| {
                let name = ui.label("Label");
                let mut label = annotation.label.clone();
                egui::ComboBox::from_id_salt("annotation_label")
                    .selected_text(&*label)
                    .show_ui(ui, |ui| {
                        for def in &ws.project().schema().labels {
                            ui.selectable_value(&mut label, def.name.clone().into(), &def.name);
                        }
                    })
                    .response
                    .labelled_by(name.id);
                if label != annotation.label {
                    fc.actions.push(Action::ApplyLabel(label.to_string()));
                }
                ui.end_row();
                ui.label("Characters");
                ui.label(format!("{}–{}", annotation.start, annotation.end));
                ui.end_row();
                ui.label("By");
                // "added by sam on 2026-03-03, changed by maria on 2026-03-05" (the day, from
                // the span; "by" when someone else changed it last).
                let day = |t: &str| t.get(..10).unwrap_or(t).to_owned();
                let added = format!(
                    "added by {} on {}",
                    annotation.author,
                    day(&annotation.created())
                );
                let by = annotation
                    .modified_by()
                    .as_ref()
                    .map(|who| format!(" by {who}"))
                    .unwrap_or_default();
                ui.label(
                    if by.is_empty() && day(&annotation.modified()) == day(&annotation.created()) {
                        added
                    } else {
                        format!("{added}, changed{by} on {}", day(&annotation.modified()))
                    },
                )
                .on_hover_text(format!(
                    "created {} · last changed {}",
                    annotation.created(),
                    annotation.modified()
                ));
                ui.end_row();
                // What the curator decided about one's own span (read-only).
                if let Some(decision) = &curator_decision {
                    ui.label("Curator");
                    ui.colored_label(
                        super::review::decision_color(ui, decision),
                        decision.describe(),
                    );
                    ui.end_row();
                }
            });
        let shown: String = annotation.text.chars().take(400).collect();
        let ellipsis = if annotation.text.chars().count() > 400 {
            "…"
        } else {
            ""
        };
        crate::gui::bidi::quote_label(ui, &format!("“{shown}{ellipsis}”"));
        ui.add_space(4.0);
        let note_label = ui.label("Note");
        let response = ui.add(
            egui::TextEdit::multiline(&mut self.note_draft)
                .desired_rows(3)
                .hint_text("A note on this annotation")
                .desired_width(f32::INFINITY),
        );
        let response = response.labelled_by(note_label.id);
        if std::mem::take(&mut self.focus_note) {
            response.request_focus();
        }
        if response.changed() {
            fc.actions.push(Action::SetNote {
                id: annotation.id.to_string(),
                note: self.note_draft.clone(),
            });
        }
        if response.lost_focus() {
            fc.actions.push(Action::EndGesture);
        }
        if let Some(why) = &annotation.review() {
            ui.colored_label(ui.visuals().warn_fg_color, format!("Needs review: {why}"));
            if ui
                .button("Mark reviewed")
                .on_hover_text("Its place and text are right now")
                .clicked()
            {
                fc.actions
                    .push(Action::MarkReviewed(annotation.id.to_string()));
            }
        }
        Self::attributes_ui(ui, fc, &annotation);
        self.entity.ui(ui, fc, &annotation);
        Self::relations_ui(ui, fc, &annotation);
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui
                .button("Link…")
                .on_hover_text("Link this span to another (R)")
                .clicked()
            {
                fc.actions.push(Action::Command(Command::LinkRelation));
            }
            if ui.button("Delete annotation").clicked() {
                fc.actions.push(Action::Command(Command::DeleteAnnotation));
            }
        });
    }

    /// The schema's attributes for the selected span's label, editable.
    fn attributes_ui(ui: &mut egui::Ui, fc: &mut FrameCtx, annotation: &crate::core::Annotation) {
        let Some(ws) = fc.session.map(|s| &s.ws) else {
            return;
        };
        let Some(label) = ws.project().schema().get(&annotation.label) else {
            return;
        };
        for def in &label.attributes {
            let current = annotation.attributes.get(&def.name);
            let set = |value: Option<AttributeValue>| Action::SetAttribute {
                id: annotation.id.to_string(),
                name: def.name.clone(),
                value,
            };
            ui.horizontal_wrapped(|ui| {
                let name = ui.label(&def.name).on_hover_text(&def.description);
                match &def.kind {
                    AttributeKind::Choice { values } => {
                        for value in values {
                            let on = current == Some(&AttributeValue::Text(value.clone()));
                            if ui.selectable_label(on, value).clicked() {
                                fc.actions
                                    .push(set((!on).then(|| AttributeValue::Text(value.clone()))));
                            }
                        }
                    }
                    AttributeKind::Flag => {
                        let mut on = current == Some(&AttributeValue::Flag(true));
                        if ui.checkbox(&mut on, "").labelled_by(name.id).changed() {
                            fc.actions
                                .push(set(on.then_some(AttributeValue::Flag(true))));
                        }
                    }
                    AttributeKind::Text => {
                        let mut text = match current {
                            Some(AttributeValue::Text(t)) => t.clone(),
                            _ => String::new(),
                        };
                        let response = ui.text_edit_singleline(&mut text).labelled_by(name.id);
                        if response.changed() {
                            fc.actions.push(set(
                                (!text.is_empty()).then(|| AttributeValue::Text(text.clone()))
                            ));
                        }
                    }
                }
            });
        }
    }

    /// Relations from and to the selected span: click one to go to its other end.
    fn relations_ui(ui: &mut egui::Ui, fc: &mut FrameCtx, annotation: &crate::core::Annotation) {
        let Some(layer) = fc.current_layer() else {
            return;
        };
        let relations: Vec<_> = layer.relations_of(&annotation.id).cloned().collect();
        if relations.is_empty() {
            return;
        }
        // What the curator decided about each (read-only), when one is curating this document.
        let ws = fc.session.map(|s| &s.ws);
        let decisions: Vec<Option<crate::core::review::Decision>> = relations
            .iter()
            .map(|r| {
                let ws = ws?;
                let doc = fc.state.current_doc.as_deref()?;
                let annotator = fc.layer_name();
                (annotator != crate::core::review::CURATED
                    && ws.layer(doc, crate::core::review::CURATED).is_some())
                .then(|| crate::core::review::relation_decision(ws.project(), doc, annotator, r))
            })
            .collect();
        ui.add_space(4.0);
        ui.strong("Relations");
        for (r, decision) in relations.into_iter().zip(decisions) {
            let outgoing = r.from == annotation.id;
            let other_id = if outgoing { &r.to } else { &r.from };
            let Some(other) = layer.get(other_id) else {
                continue;
            };
            let shown: String = other.text.chars().take(40).collect();
            let shown = crate::gui::bidi::for_egui(&shown);
            let text = if outgoing {
                format!("{} → “{shown}”", r.kind)
            } else {
                format!("“{shown}” → {} → this", r.kind)
            };
            let (other_id, other_start) = (other.id.clone(), other.start);
            ui.horizontal(|ui| {
                if ui
                    .small_button("delete")
                    .on_hover_text("Delete this relation")
                    .clicked()
                {
                    fc.actions.push(Action::RemoveRelation(r.id.clone()));
                }
                if ui.link(text).clicked() {
                    fc.actions
                        .push(Action::SelectAnnotation(Some(other_id.to_string())));
                    fc.actions.push(Action::RevealChar(other_start));
                }
                if let Some(decision) = &decision {
                    ui.colored_label(
                        super::review::decision_color(ui, decision),
                        RichText::new(decision.describe()).small(),
                    );
                }
            });
        }
    }

    /// Every annotation of the current document, sortable; a click selects and shows it.
    fn annotation_list_ui(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx) {
        let Some(layer) = fc.current_layer() else {
            return;
        };
        let schema = &fc
            .session
            .map(|s| &s.ws)
            .map(|w| w.project().schema().clone())
            .unwrap_or_default();
        ui.horizontal(|ui| {
            ui.strong(format!("Annotations ({})", layer.len()));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.selectable_value(&mut self.list_order, ListOrder::Label, "by label");
                ui.selectable_value(&mut self.list_order, ListOrder::Position, "by position");
            });
        });
        let annotations = layer.annotations();
        // Sorting 100k spans by label each frame would cost milliseconds: the order is kept
        // until the layer changes. By position is the layer's own order.
        let by_label = self.list_order == ListOrder::Label;
        if by_label && self.label_order.0 != Some(layer.revision()) {
            let mut order: Vec<usize> = (0..annotations.len()).collect();
            order.sort_by_key(|&i| (annotations[i].label.as_str(), annotations[i].start));
            self.label_order = (Some(layer.revision()), order);
        }
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        let mut clicked = None;
        egui::ScrollArea::vertical()
            .id_salt("annotation_list")
            .auto_shrink([false, false])
            .show_rows(ui, row_height, annotations.len(), |ui, rows| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
                for row in rows {
                    let a = &annotations[if by_label {
                        self.label_order.1[row]
                    } else {
                        row
                    }];
                    ui.horizontal(|ui| {
                        let [r, g, b] = schema
                            .get(&a.label)
                            .map_or([0x99; 3], crate::core::LabelDef::rgb);
                        let (swatch, _) =
                            ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                        ui.painter()
                            .rect_filled(swatch, 2.0, Color32::from_rgb(r, g, b));
                        let selected = fc.state.selected.as_deref() == Some(a.id.as_str());
                        let flag = if a.review().is_some() {
                            "[review] "
                        } else {
                            ""
                        };
                        let text = format!("{:>6}  {flag}{}", a.start, list_text(&a.text));
                        if ui
                            .add(egui::Button::selectable(selected, text).truncate())
                            .clicked()
                        {
                            clicked = Some((a.id.clone(), a.start));
                        }
                    });
                }
            });
        if let Some((id, start)) = clicked {
            fc.actions.push(Action::SetSelection(None));
            fc.actions
                .push(Action::SelectAnnotation(Some(id.to_string())));
            fc.actions.push(Action::RevealChar(start));
        }
    }
}

/// A span's text for its row in the list: on one line, and in bidi order. Right-to-left text is
/// cut at its logical end first (the row elides at its right edge, which there is the start).
fn list_text(text: &str) -> String {
    let one_line = text.replace(['\n', '\r'], " ");
    if !crate::gui::bidi::needs_bidi(&one_line) || one_line.chars().count() <= 34 {
        return crate::gui::bidi::for_egui(&one_line).into_owned();
    }
    let cut: String = one_line.chars().take(32).collect();
    crate::gui::bidi::for_egui(&format!("{cut}…")).into_owned()
}
