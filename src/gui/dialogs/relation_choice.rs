//! Several relation types fit between two spans: pick one (by number or click); Esc cancels.

use crate::core::Schema;
use crate::gui::action::{Action, ActionQueue};

#[derive(Debug, Clone)]
pub struct RelationChoice {
    pub from: String,
    pub to: String,
    pub kinds: Vec<String>,
}

impl RelationChoice {
    pub fn ui(&mut self, ctx: &egui::Context, schema: &Schema, actions: &mut ActionQueue) -> bool {
        let mut picked = None;
        let mut cancel = false;
        let modal = egui::Modal::new(egui::Id::unique("relation_choice")).show(ctx, |ui| {
            ui.heading("Which relation?");
            for (i, kind) in self.kinds.iter().enumerate() {
                let description = schema
                    .relation(kind)
                    .map(|r| r.description.clone())
                    .unwrap_or_default();
                if ui
                    .button(format!("{}  {kind}", i + 1))
                    .on_hover_text(description)
                    .clicked()
                {
                    picked = Some(kind.clone());
                }
            }
            if ui.button("Cancel").clicked() {
                cancel = true;
            }
            ui.input_mut(|input| {
                for (i, key) in [
                    egui::Key::Num1,
                    egui::Key::Num2,
                    egui::Key::Num3,
                    egui::Key::Num4,
                    egui::Key::Num5,
                    egui::Key::Num6,
                    egui::Key::Num7,
                    egui::Key::Num8,
                    egui::Key::Num9,
                ]
                .into_iter()
                .enumerate()
                {
                    if input.consume_key(egui::Modifiers::NONE, key)
                        && let Some(kind) = self.kinds.get(i)
                    {
                        picked = Some(kind.clone());
                    }
                }
            });
        });
        if let Some(kind) = picked {
            actions.push(Action::AddRelation {
                kind,
                from: self.from.clone(),
                to: self.to.clone(),
            });
            return false;
        }
        !cancel && !super::closed_by_user(&modal)
    }
}

impl super::Dialog for RelationChoice {
    fn urgency(&self) -> u8 {
        50
    }

    fn show(&mut self, ctx: &egui::Context, fc: &mut crate::gui::state::FrameCtx) -> bool {
        let schema = fc
            .session
            .map(|s| s.ws.project().schema().clone())
            .unwrap_or_default();
        self.ui(ctx, &schema, fc.actions)
    }
}
