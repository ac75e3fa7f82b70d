//! The command palette (Ctrl+Shift+P): every command with its shortcut, plus one entry per
//! label, filtered as you type; ↑/↓ choose, Enter runs, Esc closes.

use egui::{Key, RichText};

use crate::core::schema::{AttributeKind, AttributeValue};
use crate::gui::action::Action;
use crate::gui::commands::{Availability, Command};
use crate::gui::state::FrameCtx;

/// One line of the palette.
#[derive(Debug)]
pub struct Entry {
    pub title: String,
    pub shortcut: String,
    pub action: Action,
    pub enabled: bool,
}

#[derive(Debug, Default)]
pub struct Palette {
    pub filter: String,
    pub chosen: usize,
}

impl Palette {
    /// Draws the palette; returns the action to run and whether it should close.
    pub fn ui(&mut self, ctx: &egui::Context, entries: Vec<Entry>) -> (Option<Action>, bool) {
        let needle = self.filter.to_lowercase();
        let shown: Vec<usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                needle
                    .split_whitespace()
                    .all(|w| e.title.to_lowercase().contains(w))
            })
            .map(|(i, _)| i)
            .collect();
        self.chosen = self.chosen.min(shown.len().saturating_sub(1));
        let mut run = None;
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("command_palette")).show(ctx, |ui| {
            ui.set_width(460.0);
            let label = ui.label("Command");
            let response = ui
                .add(egui::TextEdit::singleline(&mut self.filter).hint_text("Type to filter…"))
                .labelled_by(label.id);
            if !response.has_focus() && !ui.ctx().memory(|m| m.focused().is_some()) {
                response.request_focus();
            }
            if response.changed() {
                self.chosen = 0;
            }
            let (down, up, enter, escape) = ui.input_mut(|i| {
                (
                    i.consume_key(egui::Modifiers::NONE, Key::ArrowDown),
                    i.consume_key(egui::Modifiers::NONE, Key::ArrowUp),
                    i.consume_key(egui::Modifiers::NONE, Key::Enter),
                    i.consume_key(egui::Modifiers::NONE, Key::Escape),
                )
            });
            if down {
                self.chosen = (self.chosen + 1).min(shown.len().saturating_sub(1));
            }
            if up {
                self.chosen = self.chosen.saturating_sub(1);
            }
            if shown.is_empty() {
                ui.label(RichText::new(format!("No command matches “{}”.", self.filter)).weak());
            }
            egui::ScrollArea::vertical()
                .max_height(360.0)
                .min_scrolled_height(360.0)
                .show(ui, |ui| {
                    for (i, &index) in shown.iter().enumerate() {
                        let entry = &entries[index];
                        let text = if entry.enabled {
                            RichText::new(&entry.title)
                        } else {
                            RichText::new(&entry.title).weak()
                        };
                        let button = egui::Button::selectable(i == self.chosen, text)
                            .shortcut_text(entry.shortcut.clone());
                        let response = ui.add_sized([ui.available_width(), 20.0], button);
                        if i == self.chosen && (down || up) {
                            response.scroll_to_me(None);
                        }
                        if response.clicked() && entry.enabled {
                            run = Some(index);
                        }
                    }
                });
            if enter
                && let Some(&index) = shown.get(self.chosen)
                && entries[index].enabled
            {
                run = Some(index);
            }
            close = escape;
        });
        close |= modal.should_close() || run.is_some();
        let run = run
            .and_then(|i| entries.into_iter().nth(i))
            .map(|e| e.action);
        (run, close)
    }
}

/// Every command, then one "Label as …" entry per label.
pub fn entries(
    ctx: &egui::Context,
    now: &Availability,
    labels: &[(String, Option<String>)],
) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Command::all()
        .filter(|&c| c != Command::CommandPalette)
        .map(|c| Entry {
            title: c.title().trim_end_matches('…').to_owned(),
            shortcut: c.shortcut_text(ctx),
            action: Action::Command(c),
            enabled: c.available(now),
        })
        .collect();
    entries.extend(labels.iter().map(|(name, hotkey)| Entry {
        title: format!("Label as {name}"),
        shortcut: hotkey.clone().unwrap_or_default(),
        action: Action::ApplyLabel(name.clone()),
        enabled: true,
    }));
    entries
}

/// "Set stance: oppose"-style palette entries for the selected span: attributes from the
/// keyboard.
fn attribute_entries(fc: &FrameCtx) -> Vec<Entry> {
    let Some(ws) = fc.session.map(|s| &s.ws) else {
        return Vec::new();
    };
    let Some(annotation) = fc
        .current_layer()
        .and_then(|l| l.get(fc.state.selected.as_deref()?))
    else {
        return Vec::new();
    };
    let Some(label) = ws.project().schema().get(&annotation.label) else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    for def in &label.attributes {
        let set = |value: Option<AttributeValue>| Action::SetAttribute {
            id: annotation.id.to_string(),
            name: def.name.clone(),
            value,
        };
        let values: Vec<(String, Option<AttributeValue>)> = match &def.kind {
            AttributeKind::Choice { values } => values
                .iter()
                .map(|v| (v.clone(), Some(AttributeValue::Text(v.clone()))))
                .collect(),
            AttributeKind::Flag => vec![
                ("yes".to_owned(), Some(AttributeValue::Flag(true))),
                ("no".to_owned(), None),
            ],
            AttributeKind::Text => Vec::new(),
        };
        for (shown, value) in values {
            entries.push(Entry {
                title: format!("Set {}: {shown}", def.name),
                shortcut: String::new(),
                action: set(value),
                enabled: true,
            });
        }
        entries.push(Entry {
            title: format!("Clear {}", def.name),
            shortcut: String::new(),
            action: set(None),
            enabled: annotation.attributes.contains_key(&def.name),
        });
    }
    entries
}

impl super::Dialog for Palette {
    fn urgency(&self) -> u8 {
        60
    }

    fn show(&mut self, ctx: &egui::Context, fc: &mut FrameCtx) -> bool {
        let labels = fc.label_keys();
        let mut entries = entries(ctx, &fc.now, &labels);
        entries.extend(attribute_entries(fc));
        let (run, close) = self.ui(ctx, entries);
        fc.actions.extend(run);
        !close
    }
}
