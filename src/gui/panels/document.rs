//! The central panel: the current document's text (the [`DocumentView`]), the find bar over it,
//! and what stands in while a project opens, a text loads or spans are placed again.

use std::ops::Range;

use egui::RichText;

use crate::core::{LayerKey, SourceText};
use crate::gui::action::Action;
use crate::gui::action::ActionQueue;
use crate::gui::commands::Command;
use crate::gui::document_view::{DocumentView, ViewEvent, ViewInput};
use crate::gui::state::FrameCtx;

/// Find in document: the query, its matches in the current document, the current one.
#[derive(Debug, Clone, Default)]
pub struct FindBar {
    pub query: String,
    /// The document and query the matches were computed for.
    matched: Option<(String, String)>,
    pub matches: Vec<Range<usize>>,
    pub current: Option<usize>,
    /// Give the query field keyboard focus on the next frame.
    pub focus: bool,
}

impl FindBar {
    /// A new find bar with the query field focused.
    pub fn focused() -> Self {
        Self {
            focus: true,
            ..Self::default()
        }
    }

    /// Recomputes the matches when the query or the document changed.
    fn refresh(&mut self, doc: &str, text: &SourceText) {
        let key = (doc.to_owned(), self.query.clone());
        if self.matched.as_ref() != Some(&key) {
            self.matches = crate::core::search::find_all(text, &self.query);
            self.current = None;
            self.matched = Some(key);
        }
    }
}

#[derive(Default)]
pub struct DocumentPanel {
    pub view: DocumentView,
    /// The find bar, when open.
    pub find: Option<FindBar>,
    /// The find bar last closed: F3 and Ctrl+F bring it back with its query.
    closed_find: Option<FindBar>,
}

impl DocumentPanel {
    /// Opens the find bar (with the last query, if it was closed), its field focused.
    pub fn open_find(&mut self) -> &mut FindBar {
        let find = self
            .find
            .get_or_insert_with(|| self.closed_find.take().unwrap_or_default());
        find.focus = true;
        find
    }

    /// Closes the find bar, keeping its query and place for F3.
    pub fn close_find(&mut self) {
        self.closed_find = self.find.take();
    }

    /// Moves to the next (or previous) match after the current one, wrapping around; the match
    /// becomes the pending selection, so a label key tags it.
    pub fn step_match(
        &mut self,
        doc: &str,
        text: &SourceText,
        forward: bool,
        actions: &mut ActionQueue,
    ) {
        let Some(find) = &mut self.find else { return };
        find.refresh(doc, text);
        let count = find.matches.len();
        if count == 0 {
            return;
        }
        let next = match (find.current, forward) {
            (Some(i), true) => (i + 1) % count,
            (Some(i), false) => (i + count - 1) % count,
            (None, true) => 0,
            (None, false) => count - 1,
        };
        find.current = Some(next);
        let range = find.matches[next].clone();
        actions.push(Action::SelectAnnotation(None));
        actions.push(Action::SetSelection(Some(range.clone())));
        if self.view.caret_screen_pos(text, range.start).is_none() {
            actions.push(Action::RevealChar(range.start));
        }
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        fc: &mut FrameCtx,
        review: Option<&mut super::review::Review>,
    ) {
        let state = fc.state;
        if let Some(opening) = &state.opening {
            ui.vertical_centered(|ui| {
                ui.add_space(80.0);
                ui.spinner();
                ui.label(format!("Opening {}…", opening.path.display()));
            });
            return;
        }
        let Some(session) = fc.session else {
            ui.vertical_centered(|ui| {
                ui.add_space(80.0);
                ui.heading("tagdesk");
                ui.label("Open a project, or a folder of .txt files, to start annotating.");
                ui.add_space(12.0);
                for command in [Command::OpenProject, Command::OpenFolder] {
                    if ui.button(command.title()).clicked() {
                        fc.actions.push(Action::Command(command));
                    }
                }
                ui.label(RichText::new("…or drop a folder on this window.").weak());
            });
            return;
        };
        let ws = &session.ws;
        let Some(doc) = state.current_doc.clone() else {
            ui.label("This project has no documents: add .txt files to its source folder.");
            return;
        };
        let cached = ws.cached_text(&doc).cloned();
        ui.horizontal(|ui| {
            ui.strong(&doc);
            if let Some(Ok(text)) = &cached {
                ui.label(
                    RichText::new(format!(
                        "{} characters · {} lines",
                        text.text.char_len(),
                        text.text.blocks().len()
                    ))
                    .weak(),
                );
            }
        });
        ui.separator();
        if state.curating {
            // A banner while the label keys edit the gold layer, not one's own.
            egui::Frame::new()
                .fill(ui.visuals().warn_fg_color.gamma_multiply(0.25))
                .inner_margin(egui::Margin::symmetric(8, 4))
                .corner_radius(3.0)
                .show(ui, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(
                            RichText::new(
                                "Editing the curated layer: label keys, Delete and resizing change \
                                 the gold standard, not your own annotations.",
                            )
                            .color(ui.visuals().strong_text_color()),
                        );
                        if ui.button("Back to my layer").clicked() {
                            fc.actions.push(Action::SetCurating(false));
                        }
                    });
                });
        }
        let text = match cached {
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("Loading {doc}…"));
                });
                return;
            }
            Some(Ok(text)) => text,
            Some(Err(err)) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("This document cannot be opened: {doc}: {err}"),
                );
                return;
            }
        };
        if self.find.is_some() {
            self.find_bar_ui(ui, fc, &doc, &text.text);
            ui.separator();
        }
        let key = LayerKey::new(doc.clone(), fc.layer_name());
        if let Some((_, spans)) = session.reanchoring.as_ref().filter(|(k, _)| *k == key) {
            // Not shown at the old places meanwhile: they may no longer be right.
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!(
                    "The text of {doc} changed on disk: finding its {spans} annotations again…"
                ));
            });
            return;
        }
        let marks = review
            .filter(|r| r.compare.len() >= 2)
            .map(|r| r.marks(ui.ctx(), ws, &doc))
            .unwrap_or_default();
        // Colleagues' layers, when asked for: drawn faint, read-only.
        let others: Vec<&crate::core::AnnotationLayer> = if fc.prefs.show_colleagues {
            ws.project()
                .layers_of(&doc)
                .filter(|(annotator, _)| *annotator != key.annotator)
                .map(|(_, layer)| layer)
                .collect()
        } else {
            Vec::new()
        };
        let (suggestions, focused_suggestion) =
            if session.suggestions.document.as_deref() == Some(doc.as_str()) {
                (
                    session.suggestions.here.as_slice(),
                    session.suggestions.focused,
                )
            } else {
                (&[][..], None)
            };
        let input = ViewInput {
            text: &text.text,
            layer: ws.project().layers.get(&key),
            schema: ws.project().schema(),
            entities: &ws.project().entities,
            selected: state.selected.as_deref(),
            selection: state.selection.clone(),
            link_target: state.linking.as_ref().and_then(|l| l.target.as_deref()),
            caret: state.caret,
            others: &others,
            marks: &marks,
            suggestions,
            focused_suggestion,
        };
        for event in self.view.show(ui, &input) {
            let actions = &mut *fc.actions;
            match event {
                ViewEvent::Selected(range) => {
                    actions.push(Action::SelectAnnotation(None));
                    actions.push(Action::SetSelection(Some(range)));
                }
                ViewEvent::ClickedAnnotation(id) => match &state.linking {
                    Some(linking) if linking.from != id => actions.push(Action::Link {
                        from: linking.from.clone(),
                        to: id,
                    }),
                    Some(_) => {}
                    None => {
                        actions.push(Action::SetSelection(None));
                        actions.push(Action::SelectAnnotation(Some(id)));
                    }
                },
                ViewEvent::ResizeSelected(range) => {
                    if let Some(id) = state.selected.clone() {
                        actions.push(Action::ResizeSpan { id, range });
                    }
                }
                ViewEvent::ResizeEnded => actions.push(Action::EndGesture),
                ViewEvent::Caret(c) => actions.push(Action::SetCaret(c)),
                ViewEvent::AddFragment(range) => {
                    if let Some(id) = state.selected.clone() {
                        actions.push(Action::AddFragment { id, range });
                    }
                }
                ViewEvent::ClickedEmpty => {
                    actions.push(Action::SetSelection(None));
                    actions.push(Action::SelectAnnotation(None));
                }
            }
        }
    }

    /// The find bar over the document: query, "n of m", next/previous, label the match. It
    /// wraps onto more lines when the column is narrow; Esc (in the field) or Close closes it.
    fn find_bar_ui(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx, doc: &str, text: &SourceText) {
        let labels = fc.label_keys();
        let Some(find) = &mut self.find else { return };
        find.refresh(doc, text);
        let mut step = None;
        let mut close = false;
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Find");
            let width = (ui.available_width() - 260.0).clamp(80.0, 220.0);
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut find.query)
                        .desired_width(width)
                        .hint_text("text in this document"),
                )
                .labelled_by(label.id);
            if std::mem::take(&mut find.focus) {
                response.request_focus();
            }
            if response.has_focus() {
                let (enter, shift, escape) = ui.input_mut(|i| {
                    let shift = i.modifiers.shift;
                    (
                        i.consume_key(egui::Modifiers::SHIFT, egui::Key::Enter)
                            || i.consume_key(egui::Modifiers::NONE, egui::Key::Enter),
                        shift,
                        i.consume_key(egui::Modifiers::NONE, egui::Key::Escape),
                    )
                });
                if enter {
                    step = Some(!shift);
                }
                close |= escape;
            } else if response.lost_focus() {
                if ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    // Enter in a single-line field ends editing: treat it as "next" and go on.
                    step = Some(!ui.input(|i| i.modifiers.shift));
                    find.focus = true;
                } else if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    // egui drops focus on Esc before this code runs: Esc in the field closes.
                    close = true;
                }
            }
            let count = find.matches.len();
            let place = match (find.current, count) {
                (_, 0) if !find.query.is_empty() => "no matches".to_owned(),
                (_, 0) => String::new(),
                (Some(i), n) => format!("{} of {n}", i + 1),
                (None, n) => format!("{n} matches"),
            };
            ui.label(RichText::new(place).weak());
            if ui
                .button("⏶")
                .on_hover_text("Previous (Shift+F3)")
                .clicked()
            {
                step = Some(false);
            }
            if ui.button("⏷").on_hover_text("Next (F3)").clicked() {
                step = Some(true);
            }
            if ui
                .button("✖")
                .on_hover_text("Close the find bar (Esc)")
                .clicked()
            {
                close = true;
            }
            if count > 0 {
                ui.menu_button(format!("Label all {count}…"), |ui| {
                    for (name, _) in &labels {
                        if ui.button(name).clicked() {
                            fc.actions.push(Action::LabelAllInDocument {
                                query: find.query.clone(),
                                label: name.clone(),
                            });
                            ui.close();
                        }
                    }
                })
                .response
                .on_hover_text(
                    "Every match in this document: see them first, then label them in one step",
                );
            }
            if find.current.is_some() {
                ui.label("Label the match");
                for (name, hotkey) in &labels {
                    let hint = hotkey.as_ref().map_or_else(String::new, |k| {
                        format!("Or leave the field (Esc) and press {k}")
                    });
                    if ui
                        .small_button(format!("as {name}"))
                        .on_hover_text(hint)
                        .clicked()
                    {
                        fc.actions.push(Action::ApplyLabel(name.clone()));
                    }
                }
            }
        });
        if let Some(forward) = step {
            self.step_match(doc, text, forward, fc.actions);
        }
        if close {
            self.close_find();
        }
    }
}
