//! The pointer over the text: drags select (snapped to words) or move a span's edge, clicks
//! pick a span (innermost first, cycling) or put the caret, double and triple clicks select a
//! word or a line, Shift+click extends.

use egui::Pos2;

use super::paint::{hover_ui, text_band};
use super::{
    BAR_STEP, DocumentView, Edge, FONT_SIZE, LINE_HEIGHT, ViewEvent, ViewInput, VisibleBlock,
};
use crate::core::SourceText;

impl DocumentView {
    /// The caret (char offset) nearest to a screen position in the visible text, as a drag uses.
    pub fn char_at_screen_pos(&self, text: &SourceText, pos: Pos2) -> Option<usize> {
        self.caret_at(text, pos)
    }

    pub(super) fn handle_pointer(
        &mut self,
        ui: &egui::Ui,
        response: &egui::Response,
        input: &ViewInput<'_>,
    ) -> Vec<ViewEvent> {
        let mut events = Vec::new();
        if response.hovered()
            && self.drag_anchor.is_none()
            && let Some(pos) = response.hover_pos()
            && let Some((char_offset, _)) = self.char_under(input.text, pos)
        {
            let mut here: Vec<_> = input
                .layer
                .into_iter()
                .flat_map(|layer| layer.overlapping(char_offset, char_offset + 1))
                .filter(|a| a.contains(char_offset))
                .collect();
            if !here.is_empty() {
                here.sort_by_key(|a| (a.len(), a.start));
                response
                    .clone()
                    .on_hover_ui_at_pointer(|ui| hover_ui(ui, input.schema, input.entities, &here));
            } else if let Some(s) = input
                .suggestions
                .iter()
                .find(|s| s.range.contains(&char_offset))
            {
                // What it proposes and where that comes from, on hover.
                let linked = s.entity.as_deref().or_else(|| {
                    s.attributes
                        .iter()
                        .find(|(k, _)| k == crate::core::schema::ENTITY_ATTRIBUTE)
                        .map(|(_, v)| v.as_str())
                });
                let entity = linked
                    .and_then(|id| input.entities.get(id))
                    .map(|e| format!(" → {}", e.name))
                    .unwrap_or_default();
                // A learned claim's proposed values (its stance…).
                let values: String = s
                    .attributes
                    .iter()
                    .filter(|(k, _)| k != crate::core::schema::ENTITY_ATTRIBUTE)
                    .fold(String::new(), |mut out, (k, v)| {
                        use std::fmt::Write as _;
                        let _ = write!(out, ", {k}: {v}");
                        out
                    });
                response.clone().on_hover_text_at_pointer(format!(
                    "Suggested: {}{entity}{values} ({}). F4 goes to it; Enter accepts, Delete rejects.",
                    s.label, s.provenance
                ));
            }
        }
        let edge_under_pointer =
            |view: &Self, pos: Option<Pos2>| pos.and_then(|p| view.edge_at(input, p));
        if self.drag_anchor.is_none()
            && self.edge_drag.is_none()
            && edge_under_pointer(self, response.hover_pos()).is_some()
        {
            ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeHorizontal);
        }
        if response.drag_started() {
            // Anchor where the button went down: the pointer has already moved by now.
            let origin = ui.input(|i| i.pointer.press_origin());
            self.edge_drag = edge_under_pointer(self, origin);
            if self.edge_drag.is_none() {
                self.drag_anchor = origin.and_then(|p| self.caret_at(input.text, p));
                self.drag_head = self.drag_anchor;
                self.drag_swept = None;
            }
        }
        if let Some(edge) = self.edge_drag {
            ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeHorizontal);
            if response.dragged()
                && let Some(pos) = response.interact_pointer_pos()
                && let Some(c) = self.caret_at(input.text, pos)
                && let Some(selected) = input.selected.and_then(|id| input.layer?.get(id))
            {
                let c = input.text.snap_to_graphemes(c..c).start;
                let range = match edge {
                    Edge::Start => c..selected.end,
                    Edge::End => selected.start..c,
                };
                if range.start < range.end && range != (selected.start..selected.end) {
                    events.push(ViewEvent::ResizeSelected(range));
                }
            }
            if response.drag_stopped() {
                self.edge_drag = None;
                events.push(ViewEvent::ResizeEnded);
            }
            return events;
        }
        if response.dragged()
            && let Some(pos) = response.interact_pointer_pos()
            && let Some(c) = self.caret_at(input.text, pos)
        {
            self.drag_head = Some(c);
            let origin = ui.input(|i| i.pointer.press_origin());
            self.drag_swept = origin.and_then(|origin| self.swept(input.text, origin, pos));
        }
        if response.drag_stopped() {
            let swept = self.drag_swept.take();
            if let (Some(anchor), Some(head)) = (self.drag_anchor.take(), self.drag_head.take()) {
                let raw = swept.unwrap_or(anchor.min(head)..anchor.max(head));
                let exact = ui.input(|i| i.modifiers.alt);
                let snapped = if exact {
                    Some(input.text.snap_to_graphemes(raw)).filter(|r| !r.is_empty())
                } else {
                    input.text.snap_to_words(raw)
                };
                let add_piece = ui.input(|i| i.modifiers.command) && input.selected.is_some();
                match snapped {
                    Some(range) if add_piece => events.push(ViewEvent::AddFragment(range)),
                    Some(range) => events.push(ViewEvent::Selected(range)),
                    None => {}
                }
            }
        } else if let Some(pos) = response
            .interact_pointer_pos()
            .filter(|_| response.clicked())
        {
            let at = self.caret_at(input.text, pos);
            let shift = ui.input(|i| i.modifiers.shift);
            if response.triple_clicked()
                && let Some(c) = at
            {
                // The whole line (paragraph).
                let block = input.text.blocks()[input.text.block_index_at_char(c)];
                let line = input.text.snap_to_words(block.char_start..block.char_end);
                events.extend(line.map(ViewEvent::Selected));
            } else if response.double_clicked()
                && let Some((c, _)) = self.char_under(input.text, pos)
            {
                // The word under the pointer.
                events.extend(input.text.snap_to_words(c..c + 1).map(ViewEvent::Selected));
            } else if shift
                && let Some(c) = at
                && let Some(from) = input.selection.as_ref().map(|s| s.start).or(input.caret)
            {
                // Shift+click extends the selection (or from the caret), snapped like a drag.
                events.extend(input.text.snap_to_words(from..c).map(ViewEvent::Selected));
            } else {
                self.caret_at_row_end = false;
                events.extend(at.map(ViewEvent::Caret));
                events.push(self.click(input, pos));
            }
        }
        events
    }

    /// The edge of the selected span within a few points of `pos`, if any.
    pub(super) fn edge_at(&self, input: &ViewInput<'_>, pos: Pos2) -> Option<Edge> {
        let selected = input.selected.and_then(|id| input.layer?.get(id))?;
        // The grab zone is the edge and just outside it: pressing on the span's first letter
        // starts a selection (of a nested span, say), not a resize.
        let near = |p: Option<Pos2>, outward: f32| {
            p.is_some_and(|p| {
                let dx = (pos.x - p.x) * outward;
                (-1.0..=4.0).contains(&dx) && (p.y - pos.y).abs() <= FONT_SIZE * 0.7
            })
        };
        // Outward is away from the span's letter next to the edge: left of its start in
        // left-to-right text, right of it in right-to-left text, and mirrored at its end.
        let outward = |caret: Option<Pos2>, letter: usize| {
            match (caret, self.char_screen_pos(input.text, letter)) {
                (Some(caret), Some(letter)) if letter.x < caret.x => 1.0,
                (Some(_), Some(_)) => -1.0,
                // Not on screen: as in left-to-right text.
                _ if letter == selected.start => -1.0,
                _ => 1.0,
            }
        };
        let start = self.caret_screen_pos(input.text, selected.start);
        let end = self.caret_screen_pos(input.text, selected.end);
        if near(start, outward(start, selected.start)) {
            Some(Edge::Start)
        } else if near(end, outward(end, selected.end.saturating_sub(1))) {
            Some(Edge::End)
        } else {
            None
        }
    }

    /// Which annotation a click picks: the bar under the pointer if any, else the innermost
    /// span at the character; clicking again on a selected span cycles to the next one there.
    pub(super) fn click(&self, input: &ViewInput<'_>, pos: Pos2) -> ViewEvent {
        let Some(layer) = input.layer else {
            return ViewEvent::ClickedEmpty;
        };
        let Some((char_offset, bar_level)) = self.char_under(input.text, pos) else {
            return ViewEvent::ClickedEmpty;
        };
        let mut here: Vec<_> = layer
            .overlapping(char_offset, char_offset + 1)
            .filter(|a| a.contains(char_offset))
            .collect();
        if here.is_empty() {
            return ViewEvent::ClickedEmpty;
        }
        if let Some(level) = bar_level
            && let Some(a) = here.iter().find(|a| self.level_of(layer, a) == level)
        {
            return ViewEvent::ClickedAnnotation(a.id.to_string());
        }
        here.sort_by_key(|a| (a.len(), a.start));
        let next = match input
            .selected
            .and_then(|s| here.iter().position(|a| a.id == s))
        {
            Some(i) => here[(i + 1) % here.len()],
            None => here[0],
        };
        ViewEvent::ClickedAnnotation(next.id.to_string())
    }

    /// The caret position (a char boundary) nearest to a screen position.
    /// What a drag from `from` to `to` swept in a mixed-direction row (see
    /// `BlockLayout::swept`), as document offsets.
    fn swept(&self, text: &SourceText, from: Pos2, to: Pos2) -> Option<std::ops::Range<usize>> {
        let vb = self.block_at_y(from.y)?;
        if !std::ptr::eq(vb, self.block_at_y(to.y)?) {
            return None;
        }
        let start = text.blocks()[vb.index].char_start;
        let local = vb.layout.swept(from - vb.origin, to - vb.origin)?;
        Some(start + local.start..start + local.end)
    }

    pub(super) fn caret_at(&self, text: &SourceText, pos: Pos2) -> Option<usize> {
        let vb = self.block_at_y(pos.y)?;
        let block = text.blocks()[vb.index];
        let local = vb.layout.cursor_at(pos - vb.origin);
        Some((block.char_start + local).min(block.char_end))
    }

    /// The character under a screen position, and the bar level if the pointer is on the bars.
    pub(super) fn char_under(&self, text: &SourceText, pos: Pos2) -> Option<(usize, Option<u8>)> {
        let vb = self.block_at_y(pos.y)?;
        let block = text.blocks()[vb.index];
        let (local, row) = vb.layout.char_at(pos - vb.origin)?;
        let band = text_band(row);
        let below = pos.y - vb.origin.y - band.max.y - 1.0;
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let level = (below >= 0.0).then(|| (below / BAR_STEP) as u8);
        Some((block.char_start + local, level))
    }

    pub(super) fn block_at_y(&self, y: f32) -> Option<&VisibleBlock> {
        let found = self
            .visible
            .iter()
            .find(|v| y < v.origin.y + v.layout.size().y.max(LINE_HEIGHT));
        found.or_else(|| self.visible.last())
    }
}
