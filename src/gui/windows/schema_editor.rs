//! The schema editor: labels (name, colour, key, description, attributes) and relation types.
//! Every change is an undoable workspace edit; removing something in use asks first.

use egui::{Color32, RichText};

use crate::core::Workspace;
use crate::core::schema::{AttributeDef, AttributeKind, LabelDef, RelationDef, Schema};
use crate::gui::action::Action;

/// Colours offered to new labels, in turn (Tableau 10).

#[derive(Debug, Default)]
pub struct SchemaEditor {
    /// Label names being typed, by label index (committed on Enter / leaving the field).
    names: Vec<String>,
    descriptions: Vec<String>,
    new_label: String,
    new_attribute: NewAttribute,
    new_relation: NewRelation,
    /// Values being typed for choice attributes, by (label index, attribute index).
    new_values: std::collections::HashMap<(usize, usize), String>,
    /// A destructive change waiting for "Remove" / "Cancel".
    confirm: Option<(String, Action)>,
}

#[derive(Debug, Default)]
struct NewAttribute {
    label: usize,
    name: String,
    /// 0 choice, 1 flag, 2 text.
    kind: usize,
    values: String,
}

#[derive(Debug, Default)]
struct NewRelation {
    name: String,
    from: String,
    to: String,
}

/// A small "Remove" button whose accessible name says what it removes.
fn remove_button(ui: &mut egui::Ui, what: String) -> bool {
    let response = ui.small_button("Remove").on_hover_text(&what);
    response.widget_info(move || egui::WidgetInfo::labeled(egui::Role::Button, true, &what));
    response.clicked()
}

/// Names a text field for screen readers (and tests).
fn named(response: &egui::Response, name: String) {
    response.widget_info(move || egui::WidgetInfo::labeled(egui::Role::TextInput, true, &name));
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

impl SchemaEditor {
    /// Draws the editor into `ui`; returns the edits to apply.
    pub fn ui(&mut self, ui: &mut egui::Ui, ws: &Workspace) -> Vec<Action> {
        let schema = ws.project().schema().clone();
        let mut actions = Vec::new();
        self.sync_drafts(ui, &schema);
        if let Some((message, action)) = self.confirm.take() {
            ui.colored_label(ui.visuals().warn_fg_color, &message);
            let (mut remove, mut cancel) = (false, false);
            ui.horizontal(|ui| {
                remove = ui.button("Remove").clicked();
                cancel = ui.button("Cancel").clicked();
            });
            if remove {
                actions.push(action);
            } else if !cancel {
                self.confirm = Some((message, action));
            }
            ui.separator();
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading("Labels");
            self.labels_ui(ui, ws, &schema, &mut actions);
            ui.separator();
            ui.heading("Relation types");
            self.relations_ui(ui, ws, &schema, &mut actions);
        });
        actions
    }

    /// Keeps the drafts in step with the schema, except the field being typed in.
    fn sync_drafts(&mut self, ui: &egui::Ui, schema: &Schema) {
        let typing = ui.ctx().text_edit_focused();
        if self.names.len() != schema.labels.len() || !typing {
            self.names = schema.labels.iter().map(|l| l.name.clone()).collect();
            self.descriptions = schema
                .labels
                .iter()
                .map(|l| l.description.clone())
                .collect();
        }
    }

    fn set(schema: Schema, description: &str, coalesce: Option<String>) -> Action {
        Action::SetSchema {
            schema,
            description: description.to_owned(),
            coalesce,
        }
    }

    /// Applies `schema` now, or asks first when it would remove attribute values or relations.
    fn set_or_confirm(
        &mut self,
        ws: &Workspace,
        schema: Schema,
        description: &str,
        actions: &mut Vec<Action>,
    ) {
        let impact = ws.schema_impact(&schema);
        let action = Self::set(schema, description, None);
        if impact.annotations + impact.relations == 0 {
            actions.push(action);
        } else {
            self.confirm = Some((
                format!(
                    "{description}: {} annotations lose a value and {} relations are deleted. \
                     Undo brings them back.",
                    impact.annotations, impact.relations
                ),
                action,
            ));
        }
    }

    fn labels_ui(
        &mut self,
        ui: &mut egui::Ui,
        ws: &Workspace,
        schema: &Schema,
        actions: &mut Vec<Action>,
    ) {
        egui::Grid::new("schema_labels").num_columns(5).striped(true).show(ui, |ui| {
            ui.strong("Colour");
            ui.strong("Name");
            ui.strong("Key");
            ui.strong("Description");
            ui.strong("In use");
            ui.end_row();
            for (i, label) in schema.labels.iter().enumerate() {
                let mut rgb = label.rgb();
                if ui.color_edit_button_srgb(&mut rgb).changed() {
                    let mut next = schema.clone();
                    next.labels[i].color = format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]);
                    actions.push(Self::set(next, &format!("recolour {}", label.name), Some(format!("colour:{}", label.name))));
                }
                let response = ui.add_sized([130.0, 20.0], egui::TextEdit::singleline(&mut self.names[i]));
                named(&response, format!("Name of label {}", label.name));
                if response.lost_focus() {
                    let new = self.names[i].trim().to_owned();
                    if !new.is_empty() && new != label.name {
                        actions.push(Action::RenameLabel { old: label.name.clone(), new });
                    }
                }
                let mut key = label.hotkey.clone().unwrap_or_default();
                let response = ui.add(egui::TextEdit::singleline(&mut key).desired_width(24.0).char_limit(1));
                named(&response, format!("Key of label {}", label.name));
                if response.changed() {
                    let mut next = schema.clone();
                    next.labels[i].hotkey = (!key.is_empty()).then_some(key);
                    actions.push(Self::set(next, &format!("re-key {}", label.name), None));
                }
                let response = ui.add_sized([300.0, 20.0], egui::TextEdit::singleline(&mut self.descriptions[i]));
                named(&response, format!("Description of label {}", label.name));
                if response.lost_focus() && self.descriptions[i] != label.description {
                    let mut next = schema.clone();
                    next.labels[i].description.clone_from(&self.descriptions[i]);
                    actions.push(Self::set(next, &format!("describe {}", label.name), None));
                }
                let used = ws.label_usage(&label.name);
                ui.horizontal(|ui| {
                    ui.label(used.to_string());
                    if remove_button(ui, format!("Remove label {}", label.name)) {
                        let action = Action::RemoveLabel(label.name.clone());
                        if used == 0 {
                            actions.push(action);
                        } else {
                            self.confirm = Some((
                                format!(
                                    "Remove label {}? {used} annotations carry it; they are deleted \
                                     with it (undo brings them back).",
                                    label.name
                                ),
                                action,
                            ));
                        }
                    }
                });
                ui.end_row();
                for (a, attribute) in label.attributes.iter().enumerate() {
                    ui.label("");
                    ui.label(RichText::new(format!("  {}", attribute.name)).italics());
                    ui.label("");
                    match &attribute.kind {
                        AttributeKind::Choice { values } => {
                            // One line: a wrapped cell would overlap the next row of the grid.
                            ui.horizontal(|ui| {
                                ui.label(RichText::new("choice:").weak());
                                for (v, value) in values.iter().enumerate() {
                                    let response = ui
                                        .small_button(format!("{value} ×"))
                                        .on_hover_text(format!("Remove the value {value}"));
                                    let what = format!("Remove value {value} of {}", attribute.name);
                                    response.widget_info(move || {
                                        egui::WidgetInfo::labeled(egui::Role::Button, true, &what)
                                    });
                                    if response.clicked() {
                                        let mut next = schema.clone();
                                        if let AttributeKind::Choice { values } = &mut next.labels[i].attributes[a].kind {
                                            values.remove(v);
                                        }
                                        self.set_or_confirm(ws, next, &format!("remove value {value}"), actions);
                                    }
                                }
                            });
                        }
                        AttributeKind::Flag => {
                            ui.label(RichText::new("flag").weak());
                        }
                        AttributeKind::Text => {
                            ui.label(RichText::new("text").weak());
                        }
                    }
                    // The last column: a new value (choices) and Remove, on one line.
                    let remove = ui
                        .horizontal(|ui| {
                            if let AttributeKind::Choice { values } = &attribute.kind {
                                    let draft = self.new_values.entry((i, a)).or_default();
                                    let response = ui.add(egui::TextEdit::singleline(draft).hint_text("new value").desired_width(80.0));
                                    named(&response, format!("New value of {}", attribute.name));
                                    let value = draft.trim().to_owned();
                                    if response.lost_focus() && !value.is_empty() && !values.contains(&value) {
                                        let mut next = schema.clone();
                                        if let AttributeKind::Choice { values } = &mut next.labels[i].attributes[a].kind {
                                            values.push(value.clone());
                                        }
                                        actions.push(Self::set(next, &format!("add value {value}"), None));
                                        draft.clear();
                                    }
                            }
                            remove_button(
                                ui,
                                format!("Remove attribute {} of {}", attribute.name, label.name),
                            )
                        })
                        .inner;
                    if remove {
                        let mut next = schema.clone();
                        next.labels[i].attributes.remove(a);
                        self.set_or_confirm(ws, next, &format!("remove attribute {}", attribute.name), actions);
                    }
                    ui.end_row();
                }
            }
        });
        ui.horizontal(|ui| {
            let response = ui.add(
                egui::TextEdit::singleline(&mut self.new_label)
                    .hint_text("new label")
                    .desired_width(140.0),
            );
            named(&response, "New label name".to_owned());
            let name = self.new_label.trim().to_owned();
            let ok = !name.is_empty() && schema.get(&name).is_none();
            if ui.add_enabled(ok, egui::Button::new("Add label")).clicked() {
                let mut next = schema.clone();
                let hotkey = (1..=9)
                    .map(|d| d.to_string())
                    .find(|k| schema.by_hotkey(k).is_none());
                next.labels.push(LabelDef {
                    name: name.clone(),
                    color: schema.unused_color(),
                    hotkey,
                    description: String::new(),
                    attributes: Vec::new(),
                });
                actions.push(Self::set(next, &format!("add label {name}"), None));
                self.new_label.clear();
            }
        });
        self.new_attribute_ui(ui, schema, actions);
    }

    fn new_attribute_ui(&mut self, ui: &mut egui::Ui, schema: &Schema, actions: &mut Vec<Action>) {
        let new = &mut self.new_attribute;
        if schema.labels.is_empty() {
            return;
        }
        new.label = new.label.min(schema.labels.len() - 1);
        ui.horizontal_wrapped(|ui| {
            let on_label = ui.label("Attribute on");
            let on = egui::ComboBox::from_id_salt("new_attribute_label")
                .selected_text(&schema.labels[new.label].name)
                .show_ui(ui, |ui| {
                    for (i, l) in schema.labels.iter().enumerate() {
                        ui.selectable_value(&mut new.label, i, &l.name);
                    }
                });
            on.response.labelled_by(on_label.id);
            let response = ui.add(
                egui::TextEdit::singleline(&mut new.name)
                    .hint_text("name")
                    .desired_width(90.0),
            );
            named(&response, "New attribute name".to_owned());
            let kind = egui::ComboBox::from_id_salt("new_attribute_kind")
                .selected_text(["choice", "flag", "text"][new.kind])
                .show_ui(ui, |ui| {
                    for (i, k) in ["choice", "flag", "text"].iter().enumerate() {
                        ui.selectable_value(&mut new.kind, i, *k);
                    }
                });
            kind.response.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Kind of the new attribute")
            });
            if new.kind == 0 {
                let response = ui.add(
                    egui::TextEdit::singleline(&mut new.values)
                        .hint_text("values, comma-separated")
                        .desired_width(160.0),
                );
                named(&response, "New attribute values".to_owned());
            }
            let name = new.name.trim().to_owned();
            let label = &schema.labels[new.label];
            let values = split_list(&new.values);
            let ok = !name.is_empty()
                && label.attributes.iter().all(|a| a.name != name)
                && (new.kind != 0 || !values.is_empty());
            if ui
                .add_enabled(ok, egui::Button::new("Add attribute"))
                .clicked()
            {
                let kind = match new.kind {
                    0 => AttributeKind::Choice { values },
                    1 => AttributeKind::Flag,
                    _ => AttributeKind::Text,
                };
                let mut next = schema.clone();
                next.labels[new.label].attributes.push(AttributeDef {
                    name: name.clone(),
                    kind,
                    description: String::new(),
                    levels: std::collections::BTreeMap::new(),
                });
                actions.push(Self::set(next, &format!("add attribute {name}"), None));
                new.name.clear();
                new.values.clear();
            }
        });
    }

    fn relations_ui(
        &mut self,
        ui: &mut egui::Ui,
        ws: &Workspace,
        schema: &Schema,
        actions: &mut Vec<Action>,
    ) {
        egui::Grid::new("schema_relations")
            .num_columns(4)
            .striped(true)
            .show(ui, |ui| {
                ui.strong("Type");
                ui.strong("From");
                ui.strong("To");
                ui.label("");
                ui.end_row();
                for (i, relation) in schema.relations.iter().enumerate() {
                    ui.label(&relation.name)
                        .on_hover_text(&relation.description);
                    ui.label(relation.from.join(", "));
                    ui.label(relation.to.join(", "));
                    if remove_button(ui, format!("Remove relation type {}", relation.name)) {
                        let mut next = schema.clone();
                        next.relations.remove(i);
                        self.set_or_confirm(
                            ws,
                            next,
                            &format!("remove relation type {}", relation.name),
                            actions,
                        );
                    }
                    ui.end_row();
                }
            });
        let new = &mut self.new_relation;
        ui.horizontal_wrapped(|ui| {
            for (field, hint, name) in [
                (&mut new.name, "type", "New relation type name"),
                (
                    &mut new.from,
                    "from labels",
                    "New relation type source labels",
                ),
                (&mut new.to, "to labels", "New relation type target labels"),
            ] {
                let response = ui.add(
                    egui::TextEdit::singleline(field)
                        .hint_text(hint)
                        .desired_width(110.0),
                );
                named(&response, name.to_owned());
            }
            let name = new.name.trim().to_owned();
            let (from, to) = (split_list(&new.from), split_list(&new.to));
            let known = from.iter().chain(&to).all(|l| schema.get(l).is_some());
            let ok = !name.is_empty() && schema.relation(&name).is_none() && known;
            if !known {
                ui.colored_label(Color32::from_rgb(0xe1, 0x57, 0x59), "unknown label");
            }
            if ui
                .add_enabled(ok, egui::Button::new("Add relation type"))
                .clicked()
            {
                let mut next = schema.clone();
                next.relations.push(RelationDef {
                    name: name.clone(),
                    from,
                    to,
                    description: String::new(),
                });
                actions.push(Self::set(next, &format!("add relation type {name}"), None));
                *new = NewRelation::default();
            }
        });
    }
}

impl super::Window for SchemaEditor {
    fn title(&self) -> &'static str {
        super::SCHEMA
    }

    fn default_size(&self) -> Option<egui::Vec2> {
        Some(egui::vec2(720.0, 480.0))
    }

    fn show(&mut self, ui: &mut egui::Ui, fc: &mut crate::gui::state::FrameCtx) {
        let Some(ws) = fc.ws() else { return };
        let actions = self.ui(ui, ws);
        fc.actions.extend(actions);
    }
}
