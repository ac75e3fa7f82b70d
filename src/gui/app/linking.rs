//! Making a relation from the keyboard or the pointer: the linking mode's commands and the
//! link itself (one undo step).

use super::App;
use crate::gui::action::Action;
use crate::gui::commands::Command;
use crate::gui::state::Linking;

impl App {
    /// While linking, Tab/Shift+Tab move the target, Enter confirms, Esc cancels. Returns
    /// whether the command was used up.
    pub(super) fn linking_command(&mut self, command: Command) -> bool {
        let Some(linking) = self.state.linking.clone() else {
            return false;
        };
        match command {
            Command::NextAnnotation | Command::PreviousAnnotation => {
                let forward = command == Command::NextAnnotation;
                let Some(layer) = self.current_layer() else {
                    return true;
                };
                let all: Vec<&crate::core::Annotation> = layer
                    .annotations()
                    .iter()
                    .filter(|a| a.id != linking.from)
                    .collect();
                if all.is_empty() {
                    return true;
                }
                let anchor = linking.target.as_deref().unwrap_or(&linking.from);
                let anchor_key = layer.get(anchor).map(|a| (a.start, a.end));
                let next = if forward {
                    all.iter()
                        .find(|a| Some((a.start, a.end)) > anchor_key)
                        .or(all.first())
                } else {
                    all.iter()
                        .rev()
                        .find(|a| Some((a.start, a.end)) < anchor_key)
                        .or(all.last())
                };
                if let Some(next) = next {
                    let (id, start) = (next.id.to_string(), next.start);
                    if self.char_screen_pos(start).is_none() {
                        self.actions.push(Action::RevealChar(start));
                    }
                    self.state.linking = Some(Linking {
                        from: linking.from,
                        target: Some(id),
                    });
                }
                true
            }
            Command::EditNote => {
                if let Some(target) = linking.target {
                    self.link(&linking.from, &target);
                }
                true
            }
            Command::ClearSelection => {
                self.state.linking = None;
                self.say("Linking cancelled.", false);
                true
            }
            _ => false,
        }
    }

    /// Links `from` to `to` with the one relation type that fits, or asks which.
    pub(super) fn link(&mut self, from: &str, to: &str) {
        self.state.linking = None;
        let (Some(ws), Some(layer)) = (self.ws(), self.current_layer()) else {
            return;
        };
        let labels = (|| Some((layer.get(from)?.label.clone(), layer.get(to)?.label.clone())))();
        let Some((from_label, to_label)) = labels else {
            return;
        };
        let kinds: Vec<String> = ws
            .project()
            .schema()
            .relations_between(&from_label, &to_label)
            .iter()
            .map(|r| r.name.clone())
            .collect();
        match kinds.as_slice() {
            [] => self.say(
                format!("No relation type goes from {from_label} to {to_label} (see the schema)."),
                true,
            ),
            [kind] => self.actions.push(Action::AddRelation {
                kind: kind.clone(),
                from: from.to_owned(),
                to: to.to_owned(),
            }),
            _ => {
                self.dialogs
                    .open(crate::gui::dialogs::relation_choice::RelationChoice {
                        from: from.to_owned(),
                        to: to.to_owned(),
                        kinds,
                    });
            }
        }
    }
}
