//! One frame of drawing: the keyboard, the panels, the dialogs and windows; then the actions
//! they queued are applied.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::App;
use crate::gui::action::Action;
use crate::gui::commands::{Command, pressed_commands};
use crate::gui::panels;
use crate::gui::state::FrameCtx;

impl App {
    /// One frame: input, panels, dialogs, windows, then the queued actions.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let started = Instant::now();
        let ctx = ui.ctx().clone();
        self.keyboard(&ctx);
        self.dropped_files(&ctx);

        let mut fc = FrameCtx {
            session: self.session.as_ref(),
            state: &self.state,
            prefs: &self.prefs,
            now: self.availability(),
            actions: &mut self.actions,
        };
        panels::menu_bar::menu_bar_ui(ui, &mut fc);
        panels::status_bar::status_bar_ui(ui, &mut fc);
        self.panels.documents.ui(ui, &mut fc);
        self.panels.labels.ui(ui, &mut fc);
        if let Some(review) = &mut self.panels.review {
            review.panel_ui(ui, &mut fc);
        }
        let document = &mut self.panels.document;
        let review = self.panels.review.as_mut();
        egui::CentralPanel::default().show(ui, |ui| document.ui(ui, &mut fc, review));
        self.windows.ui(&ctx, &mut fc);
        self.dialogs.ui(&ctx, &mut fc);

        self.apply_queued(&ctx);
        self.state.was_typing = ctx.text_edit_focused();
        if let Some(stats) = &mut self.chrome.frame_stats {
            stats.record(started.elapsed(), self.panels.document.view.stats);
        }
    }

    fn keyboard(&mut self, ctx: &egui::Context) {
        if self.modal_open() {
            // Quitting (which saves) still works with a dialog open.
            if ctx.input_mut(|i| i.consume_shortcut(&Command::Quit.shortcuts()[0])) {
                self.actions.push(Action::Command(Command::Quit));
            }
            return;
        }
        let text_focused = ctx.text_edit_focused() || self.state.was_typing;
        // Esc closes the window in front before it clears a selection.
        if !text_focused
            && self.windows.any_open()
            && ctx.input(|i| i.key_pressed(egui::Key::Escape))
            && self.windows.close_front(ctx)
        {
            ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape));
        }
        // A widget of a floating window (not the panels') has the keyboard: Tab is its.
        let window_focused = ctx
            .memory(egui::Memory::focused)
            .and_then(|id| ctx.read_response(id))
            .is_some_and(|r| r.layer_id.order == egui::Order::Middle);
        for command in pressed_commands(ctx, text_focused, window_focused) {
            self.actions.push(Action::Command(command));
        }
        if text_focused {
            return;
        }
        let Some(ws) = self.ws() else { return };
        let keys: Vec<egui::Key> = ctx.input(|i| {
            i.events
                .iter()
                .filter_map(|e| match e {
                    egui::Event::Key {
                        key,
                        pressed: true,
                        modifiers,
                        ..
                    } if modifiers.is_none() || *modifiers == egui::Modifiers::SHIFT => Some(*key),
                    _ => None,
                })
                .collect()
        });
        let labels: Vec<String> = keys
            .into_iter()
            .filter_map(|key| ws.project().schema().by_hotkey(key.name()))
            .map(|label| label.name.clone())
            .collect();
        for label in labels {
            self.actions.push(Action::ApplyLabel(label));
        }
    }

    fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .collect()
        });
        // Source files dropped on an open project: the Add sources window reads them.
        let sources: Vec<PathBuf> = dropped
            .iter()
            .filter(|p| p.is_file() && crate::formats::sources::is_source(p))
            .cloned()
            .collect();
        if self.session.is_some() && !sources.is_empty() {
            self.windows
                .open(crate::gui::windows::add_sources::AddSources::with_files(
                    ctx, &sources,
                ));
            return;
        }
        if let Some(path) = dropped.into_iter().next() {
            let folder = if path.is_dir() {
                path
            } else {
                path.parent().map(Path::to_owned).unwrap_or(path)
            };
            self.actions.push(Action::OpenPath(folder, None));
        }
    }
}
