//! Moving through the text from the keyboard: a caret moved by characters, words, rows, lines
//! and pages; with Shift, a selection grows from where it started, snapped to words as a drag
//! is; a label key then tags it. The view scrolls to keep the caret on screen.

use super::App;
use crate::gui::commands::Command;
use crate::gui::document_view::Motion;

impl App {
    /// Moves the caret for `command`; `extend`: the selection follows (Shift).
    pub(super) fn move_caret(&mut self, command: Command, extend: bool) {
        let motion = match command {
            Command::CaretLeft | Command::ShrinkEnd => Motion::Left,
            Command::CaretRight | Command::GrowEnd => Motion::Right,
            Command::CaretWordLeft | Command::ShrinkEndWord => Motion::WordLeft,
            Command::CaretWordRight | Command::GrowEndWord => Motion::WordRight,
            Command::CaretUp | Command::ExtendUp => Motion::Up,
            Command::CaretDown | Command::ExtendDown => Motion::Down,
            Command::LineStart | Command::ExtendLineStart => Motion::LineStart,
            Command::LineEnd | Command::ExtendLineEnd => Motion::LineEnd,
            Command::DocumentStart => Motion::DocumentStart,
            Command::DocumentEnd => Motion::DocumentEnd,
            Command::PageUp => Motion::PageUp,
            Command::PageDown => Motion::PageDown,
            _ => return,
        };
        let Some(text) = self.current_text() else {
            return;
        };
        // No caret yet: it starts at the selection, the selected span, or the top of the view.
        let selected_start = self
            .state
            .selected
            .as_deref()
            .and_then(|id| self.current_layer()?.get(id))
            .map(|a| a.start);
        let Some(caret) = self
            .state
            .caret
            .or(self.state.selection.as_ref().map(|s| s.end))
            .or(selected_start)
            .or_else(|| self.panels.document.view.first_visible_char(&text.text))
        else {
            return;
        };
        let view = &mut self.panels.document.view;
        let moved = view.moved_caret(&text.text, caret, motion);
        view.keep_in_view(&text.text, moved);
        self.state.selected = None;
        self.state.caret = Some(moved);
        if extend {
            let anchor = *self.state.caret_anchor.get_or_insert(caret);
            // Back where it started: nothing selected (an empty range would snap to a word).
            self.state.selection = (anchor != moved)
                .then(|| {
                    text.text
                        .snap_to_words(anchor.min(moved)..anchor.max(moved))
                })
                .flatten();
        } else {
            self.state.caret_anchor = None;
            self.state.selection = None;
        }
    }
}

impl App {
    pub(super) fn step_document(&mut self, delta: isize) {
        if delta > 0
            && let Some(session) = &self.session
            && session.suggestions.settings.learned.next_least_sure
            && let Some(doc) = session.learning.least_sure(
                &session.ws,
                self.layer_name(),
                self.state.current_doc.as_deref(),
            )
        {
            self.say(
                format!("{doc}: the document the learned suggestions are least sure of"),
                false,
            );
            self.select_document(&doc);
            return;
        }
        let Some(ws) = self.ws() else { return };
        let docs = &ws.project().documents;
        if docs.is_empty() {
            return;
        }
        let current = self
            .state
            .current_doc
            .as_deref()
            .and_then(|d| docs.iter().position(|x| x.path == d));
        let next = match current {
            Some(i) => i.saturating_add_signed(delta).min(docs.len() - 1),
            None => 0,
        };
        let path = docs[next].path.clone();
        self.select_document(&path);
    }

    pub(super) fn select_document(&mut self, doc: &str) {
        if self.state.current_doc.as_deref() == Some(doc) {
            return;
        }
        self.state.current_doc = Some(doc.to_owned());
        self.state.selected = None;
        self.state.selection = None;
        self.state.caret = None;
        self.state.caret_anchor = None;
        self.state.pending_reveal = None;
        self.state.linking = None;
        self.panels.labels.forget_note();
        self.panels.document.view.reset();
        if let Some(session) = &mut self.session {
            session.ws.break_coalescing();
            // The text is read on a job (logic); a known failure shows now.
            if let Some(Err(err)) = session.ws.cached_text(doc) {
                let message = format!("{doc}: {err}");
                self.say(message, true);
            }
        }
    }

    /// Clears the selection if the selected span no longer exists (after undo or a reload).
    pub(super) fn forget_vanished_selection(&mut self) {
        if let Some(id) = &self.state.selected
            && self.current_layer().and_then(|l| l.get(id)).is_none()
        {
            self.state.selected = None;
        }
    }
}
