//! The menu bar, built from [`commands::MENUS`](super::super::commands::MENUS): every entry a
//! command with its shortcut, greyed out when it cannot run.

use crate::gui::action::{Action, ActionQueue};
use crate::gui::commands::{Availability, Command, MENUS};
use crate::gui::state::FrameCtx;

pub fn menu_bar_ui(ui: &mut egui::Ui, fc: &mut FrameCtx) {
    let ws = fc.session.map(|s| &s.ws);
    egui::Panel::top("menu_bar").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            for (title, items) in MENUS {
                ui.menu_button(*title, |ui| {
                    for item in *items {
                        let Some(command) = *item else {
                            ui.separator();
                            continue;
                        };
                        let detail = ws.and_then(|ws| match command {
                            Command::Undo => ws.history().undo_description(),
                            Command::Redo => ws.history().redo_description(),
                            _ => None,
                        });
                        if command == Command::ShowColleagues {
                            // A toggle: a tick shows whether it is on.
                            let mut on = fc.prefs.show_colleagues;
                            if ui.checkbox(&mut on, command.title()).clicked() {
                                fc.actions.push(Action::Command(command));
                                ui.close();
                            }
                            continue;
                        }
                        command_button_ui(ui, command, &fc.now, detail, fc.actions);
                        if command == Command::OpenFolder && !fc.prefs.recent.is_empty() {
                            ui.menu_button("Open recent", |ui| {
                                for path in &fc.prefs.recent {
                                    if ui.button(path.display().to_string()).clicked() {
                                        fc.actions.push(Action::OpenPath(path.clone(), None));
                                        ui.close();
                                    }
                                }
                            });
                        }
                    }
                });
            }
            ui.menu_button("View", egui::gui_zoom::zoom_menu_buttons);
        });
    });
}

/// A menu entry for a command: its title (with `detail`, e.g. what Undo would undo), its
/// shortcut, greyed out when unavailable; a click queues it and closes the menu.
pub fn command_button_ui(
    ui: &mut egui::Ui,
    command: Command,
    now: &Availability,
    detail: Option<&str>,
    actions: &mut ActionQueue,
) {
    let title = match detail {
        Some(detail) => format!("{} {detail}", command.title()),
        None => command.title().to_owned(),
    };
    let button = egui::Button::new(title).shortcut_text(command.shortcut_text(ui.ctx()));
    if ui.add_enabled(command.available(now), button).clicked() {
        actions.push(Action::Command(command));
        ui.close();
    }
}
