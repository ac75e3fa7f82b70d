//! One laid-out block of the document, as the view asks about it: an epaint galley for
//! left-to-right text, a parley layout ([`crate::gui::bidi`]) for a block with right-to-left
//! characters. All positions are local to the block's top-left; all offsets are characters
//! local to the block.

use std::ops::Range;
use std::sync::Arc;

use egui::text::{CCursor, CharIndex};
use egui::{Galley, Pos2, Rect, Vec2, pos2, vec2};

use crate::gui::bidi::BidiLayout;

#[derive(Clone)]
pub(super) enum BlockLayout {
    Galley(Arc<Galley>),
    Bidi(Arc<BidiLayout>),
}

impl BlockLayout {
    pub fn size(&self) -> Vec2 {
        match self {
            Self::Galley(g) => g.size(),
            Self::Bidi(b) => b.size(),
        }
    }

    /// Rectangles covering chars `range`: one per row, or per visual run of a row in bidi text.
    pub fn range_rects(&self, range: Range<usize>) -> Vec<Rect> {
        match self {
            Self::Galley(g) => galley_range_rects(g, range),
            Self::Bidi(b) => b.range_rects(range),
        }
    }

    /// The caret before char `c`, a zero-width rectangle the row's height; at a wrapped row's
    /// break, on the earlier row when `at_row_end`.
    pub fn caret_rect(&self, c: usize, at_row_end: bool) -> Rect {
        match self {
            Self::Galley(g) => g.pos_from_cursor(caret_in_row(c, at_row_end)),
            Self::Bidi(b) => b.caret_rect(c, at_row_end),
        }
    }

    /// The middle of char `c` (for a right-to-left letter, still its own middle).
    pub fn char_center(&self, c: usize) -> Pos2 {
        match self {
            Self::Galley(g) => {
                let left = g.pos_from_cursor(CCursor::new(c));
                let right = g.pos_from_cursor(CCursor::new(c + 1));
                let x = if (right.center().y - left.center().y).abs() < 1.0 {
                    f32::midpoint(left.center().x, right.center().x)
                } else {
                    left.center().x + 2.0
                };
                pos2(x, left.center().y)
            }
            Self::Bidi(b) => b
                .range_rects(c..c + 1)
                .first()
                .map_or_else(|| b.caret_rect(c, false).center(), egui::Rect::center),
        }
    }

    /// The caret position (a char boundary) nearest to `pos`.
    pub fn cursor_at(&self, pos: Vec2) -> usize {
        match self {
            Self::Galley(g) => g.cursor_from_pos(pos).index.0,
            Self::Bidi(b) => b.cursor_at(pos),
        }
    }

    /// The char under `pos` and the rectangle of its row, if `pos` is on a glyph's row.
    pub fn char_at(&self, pos: Vec2) -> Option<(usize, Rect)> {
        match self {
            Self::Galley(g) => {
                let mut row_start = 0usize;
                for row in &g.rows {
                    if pos.y >= row.min_y() && pos.y < row.max_y() {
                        let x = pos.x - row.pos.x;
                        let glyph = row
                            .glyphs
                            .iter()
                            .position(|g| g.logical_rect().x_range().contains(x))?;
                        return Some((row_start + glyph, row.rect()));
                    }
                    row_start += row.char_count_including_newline().0;
                }
                None
            }
            Self::Bidi(b) => b.char_at(pos),
        }
    }

    pub fn row_count(&self) -> usize {
        match self {
            Self::Galley(g) => g.rows.len(),
            Self::Bidi(b) => b.row_count(),
        }
    }

    /// The row the caret before `c` is on.
    pub fn row_of(&self, c: usize, at_row_end: bool) -> usize {
        match self {
            Self::Galley(g) => g.layout_from_cursor(caret_in_row(c, at_row_end)).row,
            Self::Bidi(b) => b.row_of(c, at_row_end),
        }
    }

    /// The first (`end` false) or last caret position of the row the caret before `c` is on,
    /// in logical order (Home and End).
    pub fn row_edge(&self, c: usize, at_row_end: bool, end: bool) -> usize {
        match self {
            Self::Galley(g) => {
                let at = caret_in_row(c, at_row_end);
                let edge = if end {
                    g.cursor_end_of_row(&at)
                } else {
                    g.cursor_begin_of_row(&at)
                };
                edge.index.0
            }
            Self::Bidi(b) => {
                let chars = b.row_chars(b.row_of(c, at_row_end));
                if end { chars.end } else { chars.start }
            }
        }
    }

    /// The characters a drag from `from` to `to` swept over when both lie on one row of a
    /// mixed-direction block: every character whose middle lies between the two x positions,
    /// as the logical range from the first to the last of them (what the pointer passed over,
    /// in visual order, as a selection in a browser covers it). `None` for left-to-right
    /// blocks and drags across rows: there the logical range between the carets is what was
    /// swept.
    pub fn swept(&self, from: Vec2, to: Vec2) -> Option<Range<usize>> {
        let Self::Bidi(b) = self else {
            return None;
        };
        let row_at = |p: Vec2| b.row_of(b.cursor_at(p), false);
        let row = row_at(from);
        if row != row_at(to) {
            return None;
        }
        let (left, right) = (from.x.min(to.x), from.x.max(to.x));
        let mut swept: Option<Range<usize>> = None;
        for c in b.row_chars(row) {
            let Some(r) = b.range_rects(c..c + 1).into_iter().next() else {
                continue;
            };
            if (left..=right).contains(&r.center().x) {
                swept = Some(match swept {
                    Some(s) => s.start.min(c)..s.end.max(c + 1),
                    None => c..c + 1,
                });
            }
        }
        swept
    }

    /// The caret position on row `row` nearest to `x`.
    pub fn cursor_in_row(&self, row: usize, x: f32) -> usize {
        let y = match self {
            Self::Galley(g) => g.rows.get(row).map_or(0.0, |r| r.rect().center().y),
            Self::Bidi(b) => b.row_center_y(row),
        };
        self.cursor_at(vec2(x, y))
    }

    /// Paints the text with the block's top-left at `origin`.
    pub fn paint(&self, ui: &egui::Ui, origin: Pos2, color: egui::Color32) {
        match self {
            Self::Galley(g) => ui
                .painter()
                .galley(origin, g.clone(), ui.visuals().text_color()),
            Self::Bidi(b) => crate::gui::bidi::with_engine(ui.ctx(), |engine| {
                engine.paint(ui.painter(), b, origin, color);
            }),
        }
    }
}

/// The caret as egui places it: at a wrapped row's break, on the next row (where Down and
/// clicks put it) unless it was put at the row's end (End).
fn caret_in_row(local: usize, at_row_end: bool) -> CCursor {
    CCursor {
        prefer_next_row: !at_row_end,
        ..CCursor::new(local)
    }
}

/// Rectangles (galley coordinates) covering chars `range` of a galley, one per row.
fn galley_range_rects(galley: &Galley, range: Range<usize>) -> Vec<Rect> {
    let mut rects = Vec::new();
    if range.is_empty() {
        return rects;
    }
    let mut row_start = 0usize;
    for row in &galley.rows {
        let row_end = row_start + row.char_count_excluding_newline().0;
        let start = range.start.max(row_start);
        let end = range.end.min(row_end);
        if start < end {
            let x0 = row.pos.x + row.x_offset(CharIndex(start - row_start));
            let x1 = row.pos.x + row.x_offset(CharIndex(end - row_start));
            rects.push(Rect::from_min_max(
                pos2(x0, row.min_y()),
                pos2(x1, row.max_y()),
            ));
        }
        row_start += row.char_count_including_newline().0;
        if row_start >= range.end {
            break;
        }
    }
    rects
}
