//! Document → Entities (Ctrl+Shift+E): every entity with its kind, names and how many spans
//! link to it; rename one, set its attributes (those the schema defines for its kind: a
//! choice list or free text), or merge one into another (every link follows, one undo step).

use egui::RichText;

use crate::core::Workspace;
use crate::gui::action::Action;

#[derive(Debug, Default)]
pub struct EntitiesWindow {
    pub filter: String,
    /// The entity being renamed, and the new name typed so far.
    renaming: Option<(String, String)>,
    /// Free-text attributes being typed: (entity, attribute) → the text so far.
    typing: std::collections::BTreeMap<(String, String), String>,
}

impl EntitiesWindow {
    pub fn ui(&mut self, ui: &mut egui::Ui, ws: &Workspace) -> Vec<Action> {
        let mut actions = Vec::new();
        let registry = &ws.project().entities;
        let usage = ws.entity_usage();
        ui.horizontal(|ui| {
            let label = ui.label("Filter");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("name or alias")
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
            ui.label(RichText::new(format!("{} entities", registry.entities().len())).weak());
        });
        if registry.is_empty() {
            ui.label(
                RichText::new(
                    "No entities yet. Select a span and type who (or what) it is in its Entity \
                     field.",
                )
                .weak(),
            );
            return actions;
        }
        let needle = self.filter.to_lowercase();
        egui::ScrollArea::both()
            .auto_shrink([false, true])
            .show(ui, |ui| {
                egui::Grid::new("entities")
                    .striped(true)
                    .num_columns(6)
                    .show(ui, |ui| {
                        for title in ["Kind", "Name", "Also called", "Attributes", "Spans", ""] {
                            ui.strong(title);
                        }
                        ui.end_row();
                        for entity in registry.entities() {
                            if !needle.is_empty()
                                && !std::iter::once(&entity.name)
                                    .chain(&entity.aliases)
                                    .any(|n| n.to_lowercase().contains(&needle))
                            {
                                continue;
                            }
                            ui.label(entity.kind.as_str());
                            match &mut self.renaming {
                                Some((id, draft)) if *id == entity.id => {
                                    let label = ui.label("New name");
                                    let response = ui
                                        .add(egui::TextEdit::singleline(draft).desired_width(180.0))
                                        .labelled_by(label.id);
                                    if response.lost_focus()
                                        && ui.input(|i| i.key_pressed(egui::Key::Enter))
                                    {
                                        actions.push(Action::RenameEntity {
                                            id: id.clone(),
                                            name: draft.clone(),
                                        });
                                        self.renaming = None;
                                    }
                                }
                                _ => short_cell(ui, RichText::new(&entity.name), 220.0),
                            }
                            // Concepts collect the claims' words as aliases: long. Cut, and
                            // whole on hover, so the counts and buttons stay in view.
                            short_cell(ui, RichText::new(entity.aliases.join(", ")).weak(), 160.0);
                            let summary = entity
                                .attributes
                                .iter()
                                .map(|(k, v)| format!("{k}: {v}"))
                                .collect::<Vec<_>>()
                                .join(", ");
                            short_cell(ui, RichText::new(summary), 170.0);
                            ui.label(usage.get(&entity.id).copied().unwrap_or(0).to_string());
                            ui.horizontal(|ui| {
                                if ui.small_button("Rename").clicked() {
                                    self.renaming = Some((entity.id.clone(), entity.name.clone()));
                                }
                                let defs: Vec<_> = ws
                                    .project()
                                    .schema()
                                    .entity_attributes(entity.kind)
                                    .collect();
                                if !defs.is_empty() {
                                    ui.menu_button("Attributes…", |ui| {
                                        attributes_menu(
                                            ui,
                                            entity,
                                            &defs,
                                            &mut self.typing,
                                            &mut actions,
                                        );
                                    })
                                    .response
                                    .on_hover_text(format!(
                                        "Set {}'s attributes (defined in the schema)",
                                        entity.name
                                    ));
                                }
                                let others = registry
                                    .entities()
                                    .iter()
                                    .any(|o| o.id != entity.id && o.kind == entity.kind);
                                ui.add_enabled_ui(others, |ui| {
                                    ui.menu_button("Merge into…", |ui| {
                                        for other in registry.entities() {
                                            if other.id == entity.id || other.kind != entity.kind {
                                                continue;
                                            }
                                            if ui.button(&other.name).clicked() {
                                                actions.push(Action::MergeEntities {
                                                    keep: other.id.clone(),
                                                    drop: entity.id.clone(),
                                                });
                                                ui.close();
                                            }
                                        }
                                    })
                                    .response
                                    .on_hover_text(format!(
                                        "Merge {} into another {}: its spans follow",
                                        entity.name,
                                        entity.kind.as_str()
                                    ));
                                });
                            });
                            ui.end_row();
                        }
                    });
            });
        actions
    }
}

/// One row per attribute the schema defines for the entity's kind: a choice list, or a text
/// field (Enter sets it).
fn attributes_menu(
    ui: &mut egui::Ui,
    entity: &crate::core::entities::Entity,
    defs: &[&crate::core::schema::EntityAttributeDef],
    typing: &mut std::collections::BTreeMap<(String, String), String>,
    actions: &mut Vec<Action>,
) {
    egui::Grid::new("entity_attributes").show(ui, |ui| {
        for def in defs {
            let current = entity.attributes.get(&def.name).cloned();
            if def.values.is_empty() {
                let label = ui.label(&def.name);
                let draft = typing
                    .entry((entity.id.clone(), def.name.clone()))
                    .or_insert_with(|| current.clone().unwrap_or_default());
                let response = ui
                    .add(egui::TextEdit::singleline(draft).desired_width(160.0))
                    .labelled_by(label.id);
                if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    let value = draft.trim().to_owned();
                    actions.push(Action::SetEntityAttribute {
                        id: entity.id.clone(),
                        name: def.name.clone(),
                        value: (!value.is_empty()).then_some(value),
                    });
                }
            } else {
                // A submenu (a combo box's popup would close the menu around it).
                let shown = format!("{}: {}", def.name, current.as_deref().unwrap_or("—"));
                ui.menu_button(shown, |ui| {
                    let mut chosen = current.clone();
                    if ui.selectable_label(chosen.is_none(), "—").clicked() {
                        chosen = None;
                    }
                    for v in &def.values {
                        if ui.selectable_label(chosen.as_ref() == Some(v), v).clicked() {
                            chosen = Some(v.clone());
                        }
                    }
                    if chosen != current {
                        actions.push(Action::SetEntityAttribute {
                            id: entity.id.clone(),
                            name: def.name.clone(),
                            value: chosen,
                        });
                        ui.close();
                    }
                });
                ui.label("");
            }
            ui.end_row();
        }
    });
}

/// A grid cell at most `max_width` wide: text beyond it is cut with "…" and shown whole on hover.
fn short_cell(ui: &mut egui::Ui, text: RichText, max_width: f32) {
    ui.scope(|ui| {
        ui.set_max_width(max_width);
        let whole = text.text().to_owned();
        let response = ui.add(egui::Label::new(text).truncate());
        if !whole.is_empty() {
            response.on_hover_text(whole);
        }
    });
}

impl super::Window for EntitiesWindow {
    fn title(&self) -> &'static str {
        super::ENTITIES
    }

    fn default_size(&self) -> Option<egui::Vec2> {
        Some(egui::vec2(940.0, 420.0))
    }

    fn show(&mut self, ui: &mut egui::Ui, fc: &mut crate::gui::state::FrameCtx) {
        let Some(ws) = fc.ws() else { return };
        let actions = self.ui(ui, ws);
        fc.actions.extend(actions);
    }
}
