//! The keyboard caret: where a motion takes it (characters and words by the text, rows and
//! pages by the layout on screen), and scrolling just enough to keep it in view.

use super::{DocumentView, LINE_HEIGHT, Motion};
use crate::core::SourceText;

impl DocumentView {
    /// Where the caret goes from `caret` by `motion`: characters and words by the text, rows
    /// and pages by the layout on screen (a page scrolls the view with it).
    pub fn moved_caret(&mut self, text: &SourceText, caret: usize, motion: Motion) -> usize {
        use crate::core::text::EdgeUnit;
        self.ensure_text(text);
        let caret = caret.min(text.char_len());
        if !matches!(motion, Motion::Up | Motion::Down) {
            self.caret_x = None;
        }
        let from_row_end = std::mem::replace(&mut self.caret_at_row_end, motion == Motion::LineEnd);
        let step = |forward: bool, unit: EdgeUnit| {
            text.edge_step(caret, forward, unit).unwrap_or(if forward {
                text.char_len()
            } else {
                0
            })
        };
        match motion {
            Motion::Left => step(false, EdgeUnit::Grapheme),
            Motion::Right => step(true, EdgeUnit::Grapheme),
            Motion::WordLeft => step(false, EdgeUnit::WordStart),
            Motion::WordRight => step(true, EdgeUnit::WordEnd),
            Motion::DocumentStart => 0,
            Motion::DocumentEnd => text.char_len(),
            Motion::Up | Motion::Down => {
                self.row_step(text, caret, motion == Motion::Down, from_row_end)
            }
            Motion::LineStart | Motion::LineEnd => {
                let block_index = text.block_index_at_char(caret);
                let block = text.blocks()[block_index];
                let local = caret - block.char_start;
                match self.visible.iter().find(|v| v.index == block_index) {
                    Some(vb) => {
                        block.char_start
                            + vb.layout
                                .row_edge(local, from_row_end, motion == Motion::LineEnd)
                    }
                    None if motion == Motion::LineStart => block.char_start,
                    None => block.char_end,
                }
            }
            Motion::PageUp | Motion::PageDown => {
                let page = self
                    .visible_rect
                    .map_or(400.0, |r| (r.height() - LINE_HEIGHT).max(LINE_HEIGHT));
                let page = if motion == Motion::PageDown {
                    page
                } else {
                    -page
                };
                if self.prefix_dirty {
                    self.rebuild_prefix();
                }
                let block_index = text.block_index_at_char(caret);
                #[expect(clippy::cast_possible_truncation)]
                let caret_y = self.prefix.get(block_index).copied().unwrap_or(0.0) as f32;
                let target_y = f64::from((caret_y + page).max(0.0));
                let target = self
                    .prefix
                    .partition_point(|&y| y <= target_y)
                    .saturating_sub(1)
                    .min(text.blocks().len().saturating_sub(1));
                self.pending_scroll = Some((self.scroll_offset + page).max(0.0));
                text.blocks().get(target).map_or(caret, |b| b.char_start)
            }
        }
    }

    /// A row up or down: the same column on the next row of the layout (into the neighbouring
    /// line when the caret is on its first or last row).
    pub(super) fn row_step(
        &mut self,
        text: &SourceText,
        caret: usize,
        down: bool,
        from_row_end: bool,
    ) -> usize {
        let block_index = text.block_index_at_char(caret);
        let block = text.blocks()[block_index];
        let Some(vb) = self.visible.iter().find(|v| v.index == block_index) else {
            // Not on screen: the neighbouring line's start.
            let next = if down {
                block_index + 1
            } else {
                block_index.saturating_sub(1)
            };
            return text.blocks().get(next).map_or(caret, |b| b.char_start);
        };
        let local = caret - block.char_start;
        let row = vb.layout.row_of(local, from_row_end);
        let x = *self
            .caret_x
            .get_or_insert_with(|| vb.layout.caret_rect(local, from_row_end).center().x);
        let last_row = vb.layout.row_count().saturating_sub(1);
        if (down && row < last_row) || (!down && row > 0) {
            let target = if down { row + 1 } else { row - 1 };
            return block.char_start + vb.layout.cursor_in_row(target, x);
        }
        let next = if down {
            block_index + 1
        } else {
            match block_index.checked_sub(1) {
                Some(i) => i,
                None => return 0,
            }
        };
        let Some(next_block) = text.blocks().get(next).copied() else {
            return text.char_len();
        };
        match self.visible.iter().find(|v| v.index == next) {
            Some(nb) => {
                let row = if down {
                    0
                } else {
                    nb.layout.row_count().saturating_sub(1)
                };
                next_block.char_start + nb.layout.cursor_in_row(row, x)
            }
            None => next_block.char_start,
        }
    }

    /// Scrolls (next frame) as little as needed to show the row of `char_offset`.
    pub fn keep_in_view(&mut self, text: &SourceText, char_offset: usize) {
        self.ensure_text(text);
        if self.prefix_dirty {
            self.rebuild_prefix();
        }
        let block_index = text.block_index_at_char(char_offset);
        #[expect(clippy::cast_possible_truncation)]
        let block_top = self.prefix.get(block_index).copied().unwrap_or(0.0) as f32;
        let Some(vb) = self.visible.iter().find(|v| v.index == block_index) else {
            // Far away (Ctrl+End, a page): positions there are estimates until laid out, so
            // jump as a search hit does, with corrections.
            self.scroll_to_char(text, char_offset);
            return;
        };
        let local = char_offset - text.blocks()[block_index].char_start;
        let rect = vb.layout.caret_rect(local, true);
        let (row_top, row_bottom) = (block_top + rect.min.y, block_top + rect.min.y + LINE_HEIGHT);
        let height = self.visible_rect.map_or(400.0, |r| r.height());
        let offset = self.pending_scroll.unwrap_or(self.scroll_offset);
        if row_top < offset {
            self.pending_scroll = Some(row_top);
        } else if row_bottom > offset + height {
            self.pending_scroll = Some(row_bottom - height);
        }
    }

    /// The first character on screen (where a caret starts when there is none yet).
    pub fn first_visible_char(&self, text: &SourceText) -> Option<usize> {
        let vb = self.visible.first()?;
        Some(text.blocks()[vb.index].char_start)
    }
}
