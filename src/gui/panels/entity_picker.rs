//! The selected span's entity: which actor (or, for a claim, which concept) it is. A type-ahead
//! field: the registry's entities whose name or an alias contains what is typed are offered;
//! Enter links the one the name fits, or makes a new entity of that name. A span whose text
//! is already an entity's alias is offered that entity at once.

use egui::RichText;

use crate::core::Annotation;
use crate::core::entities::EntityKind;
use crate::core::schema::{AttributeValue, ENTITY_ATTRIBUTE};
use crate::gui::action::Action;
use crate::gui::state::FrameCtx;

/// Entities offered under the field at most.
const OFFERED: usize = 6;

#[derive(Debug, Default)]
pub struct EntityPicker {
    query: String,
    /// The span the query was typed for.
    for_span: Option<String>,
}

impl EntityPicker {
    pub fn ui(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx, annotation: &Annotation) {
        let Some(ws) = fc.session.map(|s| &s.ws) else {
            return;
        };
        if self.for_span.as_deref() != Some(annotation.id.as_str()) {
            self.for_span = Some(annotation.id.to_string());
            self.query.clear();
        }
        let registry = &ws.project().entities;
        let kind = EntityKind::for_label(&annotation.label);
        let span = annotation.id.to_string();
        let linked = match annotation.attributes.get(ENTITY_ATTRIBUTE) {
            Some(AttributeValue::Text(id)) => Some(id.as_str()),
            _ => None,
        };
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            ui.strong(match kind {
                EntityKind::Actor => "Actor",
                EntityKind::Concept => "About",
            });
            match linked.map(|id| (id, registry.get(id))) {
                Some((_, Some(entity))) => {
                    ui.label(&entity.name)
                        .on_hover_text(if entity.aliases.is_empty() {
                            "No other names yet".to_owned()
                        } else {
                            format!("Also: {}", entity.aliases.join(", "))
                        });
                }
                Some((id, None)) => {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        format!("{id} (not in the registry)"),
                    );
                }
                None => {
                    ui.label(RichText::new("no entity").weak());
                }
            }
            if linked.is_some()
                && ui
                    .small_button("unlink")
                    .on_hover_text("This span refers to no entity")
                    .clicked()
            {
                fc.actions.push(Action::LinkEntity {
                    id: span.clone(),
                    entity: None,
                });
            }
        });
        // Its text already names an entity: offer it at once.
        if linked.is_none()
            && let Some(entity) = registry.called(kind, &annotation.text)
            && ui
                .button(format!("Link to {}", entity.name))
                .on_hover_text("The span's text is one of its names")
                .clicked()
        {
            fc.actions.push(Action::LinkEntity {
                id: span.clone(),
                entity: Some(entity.id.clone()),
            });
        }
        let field_label = ui.label(RichText::new("Entity").weak());
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut self.query)
                    .hint_text(match kind {
                        EntityKind::Actor => "who is it? (Enter links or adds)",
                        EntityKind::Concept => "what is it about? (Enter links or adds)",
                    })
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(field_label.id);
        let query = self.query.trim().to_owned();
        if query.is_empty() {
            return;
        }
        let offered = registry.matching(kind, &query);
        for entity in offered.iter().take(OFFERED) {
            if linked == Some(entity.id.as_str()) {
                continue;
            }
            if ui
                .selectable_label(false, format!("→ {}", entity.name))
                .clicked()
            {
                fc.actions.push(Action::LinkEntity {
                    id: span.clone(),
                    entity: Some(entity.id.clone()),
                });
                self.query.clear();
            }
        }
        if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            let action = match registry.called(kind, &query) {
                Some(entity) => Action::LinkEntity {
                    id: span,
                    entity: Some(entity.id.clone()),
                },
                None => Action::NewEntity {
                    id: span,
                    kind,
                    name: query,
                },
            };
            fc.actions.push(action);
            self.query.clear();
        } else if registry.called(kind, &query).is_none() {
            ui.label(RichText::new(format!("Enter: a new {} “{query}”", kind.as_str())).weak());
        }
    }
}
