//! The document view: the text with highlights, virtualised.
//!
//! The text is cut into blocks (lines; see `core::text`). Each block is laid out as its own
//! galley, and only the blocks inside the viewport are laid out and painted
//! (`ScrollArea::show_viewport` plus our own prefix sums of block heights: estimated until a
//! block is first laid out, then measured). Galleys depend only on the text and the wrap width,
//! so adding or removing an annotation repaints without any re-layout: highlights are painted
//! as rectangles behind the text (fills) and stacked bars under it (one level per overlap
//! depth), so nested and crossing spans all stay visible and clickable.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use egui::text::{CCursor, CharIndex, LayoutJob};
use egui::{Color32, FontId, Galley, Pos2, Rect, Sense, Stroke, TextFormat, pos2, vec2};

use crate::core::{AnnotationLayer, Schema, SourceText};

const FONT_SIZE: f32 = 16.0;
/// Rows are taller than the font: room under the text for overlap bars, above it for arcs.
const LINE_HEIGHT: f32 = 34.0;
const MARGIN_X: f32 = 12.0;
const BAR_THICKNESS: f32 = 2.0;
const BAR_STEP: f32 = 3.0;
/// Most stacked bars drawn under a row; deeper spans still get their fill and stay clickable.
const MAX_BAR_LEVELS: u8 = 4;

/// What the user did in the view this frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewEvent {
    /// A finished drag selection, already snapped (to words, or graphemes with Alt).
    Selected(Range<usize>),
    /// A click on a highlight.
    ClickedAnnotation(String),
    /// A click on plain text.
    ClickedEmpty,
    /// The selected span's edge is being dragged: its new range.
    ResizeSelected(Range<usize>),
    /// A Ctrl+drag with a span selected: add this piece to it (a discontinuous span).
    AddFragment(Range<usize>),
    /// The edge drag ended.
    ResizeEnded,
    /// A click put the caret here (before this character).
    Caret(usize),
}

/// How the keyboard moves the caret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Motion {
    Left,
    Right,
    WordLeft,
    WordRight,
    Up,
    Down,
    LineStart,
    LineEnd,
    DocumentStart,
    DocumentEnd,
    PageUp,
    PageDown,
}

/// Which edge of the selected span a drag moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    Start,
    End,
}

/// What the view shows this frame.
pub struct ViewInput<'a> {
    pub text: &'a SourceText,
    pub layer: Option<&'a AnnotationLayer>,
    pub schema: &'a Schema,
    pub selected: Option<&'a str>,
    pub selection: Option<Range<usize>>,
    /// While linking: the candidate target span, outlined in its own colour.
    pub link_target: Option<&'a str>,
    /// The keyboard caret (before this character), drawn as a bar.
    pub caret: Option<usize>,
    /// Colleagues' layers of this document, drawn faint and read-only ("Show colleagues").
    pub others: &'a [&'a AnnotationLayer],
    /// Outlined ranges (review: where the compared layers disagree), sorted by start and apart.
    pub marks: &'a [super::panels::review::Mark],
}

#[derive(Clone)]
struct VisibleBlock {
    index: usize,
    /// Screen position of the galley's top-left.
    origin: Pos2,
    galley: Arc<Galley>,
}

/// Per-frame numbers for `--frame-stats`.
#[derive(Debug, Default, Clone, Copy)]
pub struct ViewStats {
    pub blocks_total: usize,
    pub blocks_visible: usize,
    pub blocks_laid_out: usize,
    /// Colleagues' span pieces drawn ("Show colleagues").
    pub colleague_pieces: usize,
}

#[derive(Default)]
pub struct DocumentView {
    /// Identity of the text shown (its address), to reset caches when it changes.
    text_id: usize,
    wrap_width: f32,
    heights: Vec<f32>,
    prefix: Vec<f64>,
    prefix_dirty: bool,
    galleys: HashMap<usize, Arc<Galley>>,
    /// Bar level per annotation id, for the layer revision it was computed at.
    levels: Vec<u8>,
    levels_key: u64,
    drag_anchor: Option<usize>,
    drag_head: Option<usize>,
    /// Dragging an edge of the selected span (instead of selecting text).
    edge_drag: Option<Edge>,
    pending_scroll: Option<f32>,
    /// A block being scrolled to, and how many corrections are left: positions above it are
    /// estimates until laid out, so the first jump can land a little off.
    reveal: Option<(usize, u8)>,
    visible: Vec<VisibleBlock>,
    /// The part of the screen the text is shown in (last frame); `None` before the first.
    visible_rect: Option<Rect>,
    text_len: usize,
    /// The vertical scroll offset of the last frame.
    scroll_offset: f32,
    /// The caret's x while it moves up and down, so it comes back to the same column.
    caret_x: Option<f32>,
    pub stats: ViewStats,
}

impl DocumentView {
    /// Forgets everything about the previous document.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Scrolls so that `char_offset` is near the top on the next frame.
    pub fn scroll_to_char(&mut self, text: &SourceText, char_offset: usize) {
        self.ensure_text(text);
        let block = text.block_index_at_char(char_offset);
        if self.prefix_dirty {
            self.rebuild_prefix();
        }
        self.pending_scroll = Some(self.reveal_offset(block));
        self.reveal = Some((block, 4));
    }

    /// The scroll offset that shows `block` a few lines below the top.
    fn reveal_offset(&self, block: usize) -> f32 {
        #[expect(clippy::cast_possible_truncation)]
        let y = self.prefix.get(block).copied().unwrap_or(0.0) as f32;
        (y - 3.0 * LINE_HEIGHT).max(0.0)
    }

    /// Screen position of the middle of the character at `char_offset`, if it is visible.
    pub fn char_screen_pos(&self, text: &SourceText, char_offset: usize) -> Option<Pos2> {
        let block_index = text.block_index_at_char(char_offset);
        let vb = self.visible.iter().find(|v| v.index == block_index)?;
        let block = text.blocks()[block_index];
        let local = char_offset.checked_sub(block.char_start)?;
        let left = vb.galley.pos_from_cursor(CCursor::new(local));
        let right = vb.galley.pos_from_cursor(CCursor::new(local + 1));
        let x = if (right.center().y - left.center().y).abs() < 1.0 {
            f32::midpoint(left.center().x, right.center().x)
        } else {
            left.center().x + 2.0
        };
        let pos = vb.origin + vec2(x, left.center().y);
        self.visible_rect
            .is_some_and(|r| r.contains(pos))
            .then_some(pos)
    }

    /// Screen position of the caret before `char_offset`, if visible (for drag tests).
    pub fn caret_screen_pos(&self, text: &SourceText, char_offset: usize) -> Option<Pos2> {
        let block_index = text.block_index_at_char(char_offset);
        let vb = self.visible.iter().find(|v| v.index == block_index)?;
        let local = char_offset.checked_sub(text.blocks()[block_index].char_start)?;
        let pos = vb.origin
            + vb.galley
                .pos_from_cursor(CCursor::new(local))
                .center()
                .to_vec2();
        self.visible_rect
            .is_some_and(|r| r.contains(pos))
            .then_some(pos)
    }

    /// Where the caret goes from `caret` by `motion`: characters and words by the text, rows
    /// and pages by the layout on screen (a page scrolls the view with it).
    pub fn moved_caret(&mut self, text: &SourceText, caret: usize, motion: Motion) -> usize {
        use crate::core::text::EdgeUnit;
        self.ensure_text(text);
        let caret = caret.min(text.char_len());
        if !matches!(motion, Motion::Up | Motion::Down) {
            self.caret_x = None;
        }
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
            Motion::Up | Motion::Down => self.row_step(text, caret, motion == Motion::Down),
            Motion::LineStart | Motion::LineEnd => {
                let block_index = text.block_index_at_char(caret);
                let block = text.blocks()[block_index];
                let local = caret - block.char_start;
                match self.visible.iter().find(|v| v.index == block_index) {
                    Some(vb) => {
                        let at = CCursor::new(local);
                        let row_edge = if motion == Motion::LineStart {
                            vb.galley.cursor_begin_of_row(&at)
                        } else {
                            vb.galley.cursor_end_of_row(&at)
                        };
                        block.char_start + row_edge.index.0
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
    fn row_step(&mut self, text: &SourceText, caret: usize, down: bool) -> usize {
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
        let at = CCursor::new(caret - block.char_start);
        let row = vb.galley.layout_from_cursor(at).row;
        let x = *self
            .caret_x
            .get_or_insert_with(|| vb.galley.pos_from_cursor(at).center().x);
        let last_row = vb.galley.rows.len().saturating_sub(1);
        if (down && row < last_row) || (!down && row > 0) {
            let (moved, _) = if down {
                vb.galley.cursor_down_one_row(&at, Some(x))
            } else {
                vb.galley.cursor_up_one_row(&at, Some(x))
            };
            return block.char_start + moved.index.0;
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
                    nb.galley.rows.len().saturating_sub(1)
                };
                let y = nb.galley.rows.get(row).map_or(0.0, |r| r.rect().center().y);
                let cursor = nb.galley.cursor_from_pos(vec2(x, y));
                next_block.char_start + cursor.index.0
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
        let rect = vb.galley.pos_from_cursor(CCursor::new(local));
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

    /// The caret (char offset) nearest to a screen position in the visible text, as a drag uses.
    pub fn char_at_screen_pos(&self, text: &SourceText, pos: Pos2) -> Option<usize> {
        self.caret_at(text, pos)
    }

    fn ensure_text(&mut self, text: &SourceText) {
        let id = std::ptr::from_ref(text) as usize;
        if self.text_id != id || self.heights.len() != text.blocks().len() {
            let pending_scroll = self.pending_scroll;
            self.reset();
            // A new text starts at the top (the scroll area remembers the old offset).
            self.pending_scroll = pending_scroll.or(Some(0.0));
            self.text_id = id;
            self.text_len = text.char_len();
            self.heights = vec![0.0; text.blocks().len()];
            self.estimate_heights(text);
        }
    }

    fn estimate_heights(&mut self, text: &SourceText) {
        let width = if self.wrap_width > 0.0 {
            self.wrap_width
        } else {
            800.0
        };
        // ~0.5 em per character for proportional Latin text.
        let chars_per_row = (width / (FONT_SIZE * 0.5)).max(1.0);
        for (height, block) in self.heights.iter_mut().zip(text.blocks()) {
            #[expect(clippy::cast_precision_loss)]
            let rows = (block.char_len() as f32 / chars_per_row).ceil().max(1.0);
            *height = rows * LINE_HEIGHT;
        }
        self.prefix_dirty = true;
    }

    fn rebuild_prefix(&mut self) {
        self.prefix.clear();
        self.prefix.reserve(self.heights.len() + 1);
        let mut y = 0.0f64;
        self.prefix.push(y);
        for &h in &self.heights {
            y += f64::from(h);
            self.prefix.push(y);
        }
        self.prefix_dirty = false;
    }

    fn levels_for(&mut self, layer: Option<&AnnotationLayer>) {
        // Revisions are unique in the process: 0 stands for "no layer".
        let key = layer.map_or(0, AnnotationLayer::revision);
        if key == self.levels_key {
            return;
        }
        self.levels_key = key;
        self.levels.clear();
        let Some(layer) = layer else { return };
        // Greedy interval colouring: each span takes the lowest level free at its start. One
        // byte per span, in the layer's order (no id strings: 100k spans cost ~1 ms).
        self.levels.reserve(layer.len());
        let mut level_ends: Vec<usize> = Vec::new();
        for a in layer.annotations() {
            let level = if let Some(level) = level_ends.iter().position(|&end| end <= a.start) {
                level_ends[level] = a.end;
                level
            } else {
                level_ends.push(a.end);
                level_ends.len() - 1
            };
            self.levels.push(u8::try_from(level).unwrap_or(u8::MAX));
        }
    }

    /// The bar level of a span of `layer` (the one [`Self::levels_for`] saw).
    fn level_of(&self, layer: &AnnotationLayer, a: &crate::core::Annotation) -> u8 {
        layer
            .annotations()
            .binary_search_by(|x| x.sort_key().cmp(&a.sort_key()))
            .ok()
            .and_then(|i| self.levels.get(i).copied())
            .unwrap_or(0)
    }

    pub fn show(&mut self, ui: &mut egui::Ui, input: &ViewInput<'_>) -> Vec<ViewEvent> {
        self.ensure_text(input.text);
        self.levels_for(input.layer);
        self.stats = ViewStats {
            blocks_total: input.text.blocks().len(),
            ..ViewStats::default()
        };
        let mut events = Vec::new();
        let mut scroll = egui::ScrollArea::vertical()
            .id_salt("document_scroll")
            .auto_shrink([false, false]);
        if let Some(offset) = self.pending_scroll.take() {
            // Stay inside the content: an offset past its end would make egui rubber-band back,
            // and that motion would carry on past later jumps.
            #[expect(clippy::cast_possible_truncation)]
            let total = self.prefix.last().copied().unwrap_or(0.0) as f32;
            let view_height = self.visible_rect.map_or(0.0, |r| r.height());
            scroll =
                scroll.vertical_scroll_offset(offset.clamp(0.0, (total - view_height).max(0.0)));
        }
        scroll.show_viewport(ui, |ui, viewport| {
            events = self.viewport_ui(ui, viewport, input);
        });
        events
    }

    fn viewport_ui(
        &mut self,
        ui: &mut egui::Ui,
        viewport: Rect,
        input: &ViewInput<'_>,
    ) -> Vec<ViewEvent> {
        let text = input.text;
        let content_origin = ui.max_rect().min;
        let wrap_width = (ui.max_rect().width() - 2.0 * MARGIN_X).max(50.0);
        if (wrap_width - self.wrap_width).abs() > 0.5 {
            self.wrap_width = wrap_width;
            self.galleys.clear();
            self.estimate_heights(text);
        }
        if self.prefix_dirty {
            self.rebuild_prefix();
        }

        // Lay out the visible blocks, measuring their real heights.
        let font_id = FontId::proportional(FONT_SIZE);
        let text_color = ui.visuals().strong_text_color();
        let first = self
            .prefix
            .partition_point(|&y| y <= f64::from(viewport.min.y))
            .saturating_sub(1);
        self.visible.clear();
        let mut index = first;
        let mut top = self.prefix.get(first).copied().unwrap_or(0.0);
        while index < text.blocks().len() && top <= f64::from(viewport.max.y) {
            let galley = if let Some(g) = self.galleys.get(&index) {
                g.clone()
            } else {
                let block = &text.blocks()[index];
                let mut job = LayoutJob::single_section(
                    text.block_text(block).to_owned(),
                    TextFormat {
                        font_id: font_id.clone(),
                        color: text_color,
                        line_height: Some(LINE_HEIGHT),
                        ..TextFormat::default()
                    },
                );
                job.wrap.max_width = wrap_width;
                let galley = ui.painter().layout_job(job);
                self.galleys.insert(index, galley.clone());
                self.stats.blocks_laid_out += 1;
                galley
            };
            let height = galley.size().y.max(LINE_HEIGHT);
            if (height - self.heights[index]).abs() > 0.5 {
                self.heights[index] = height;
                self.prefix_dirty = true;
            }
            #[expect(clippy::cast_possible_truncation)]
            let origin = content_origin + vec2(MARGIN_X, top as f32);
            self.visible.push(VisibleBlock {
                index,
                origin,
                galley,
            });
            top += f64::from(height);
            index += 1;
        }
        self.stats.blocks_visible = self.visible.len();
        // Keep the cache to what is near the viewport.
        if self.galleys.len() > 4 * self.visible.len() + 64 {
            let keep: Range<usize> = first.saturating_sub(64)..index + 64;
            self.galleys.retain(|i, _| keep.contains(i));
        }
        if self.prefix_dirty {
            // Heights measured this frame take effect in the total size now and in positions
            // next frame (no jump within a frame).
            self.rebuild_prefix();
            ui.ctx().request_repaint();
        }
        if let Some((block, corrections)) = self.reveal {
            // Heights measured this frame may have moved the target: correct the scroll.
            #[expect(clippy::cast_possible_truncation)]
            let max_offset =
                (self.prefix.last().copied().unwrap_or(0.0) as f32 - viewport.height()).max(0.0);
            let wanted = self.reveal_offset(block).min(max_offset);
            if (wanted - viewport.min.y).abs() > 1.0 && corrections > 0 {
                self.pending_scroll = Some(wanted);
                self.reveal = Some((block, corrections - 1));
                ui.ctx().request_repaint();
            } else {
                self.reveal = None;
            }
        }
        #[expect(clippy::cast_possible_truncation)]
        let total_height = self.prefix.last().copied().unwrap_or(0.0) as f32;
        ui.set_min_size(vec2(ui.max_rect().width(), total_height));

        let visible_rect =
            Rect::from_min_size(content_origin + viewport.min.to_vec2(), viewport.size());
        self.visible_rect = Some(visible_rect);
        self.scroll_offset = viewport.min.y;
        let response = ui.interact(
            visible_rect,
            ui.make_persistent_id("document_text"),
            Sense::click_and_drag(),
        );
        response
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Document, true, "Document text"));
        if response.hovered() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::Text);
        }

        self.stats.colleague_pieces = self.paint(ui, input);
        self.handle_pointer(ui, &response, input)
    }

    /// Paints the visible text and its marks; returns how many colleagues' pieces it drew.
    fn paint(&self, ui: &egui::Ui, input: &ViewInput<'_>) -> usize {
        let mut colleague_pieces = 0;
        let painter = ui.painter();
        let text = input.text;
        let selection_fill = ui.visuals().selection.bg_fill;
        let outline = ui.visuals().strong_text_color();
        let target_outline = ui.visuals().warn_fg_color;
        // Where each visible span starts on screen: the anchor of its relation arcs.
        let mut anchors: HashMap<&str, Rect> = HashMap::new();
        for vb in &self.visible {
            let block = text.blocks()[vb.index];
            let block_range = block.char_range();
            // Colleagues' spans: a faint fill and a thin line along the bottom, under ours.
            for other in input.others {
                for a in
                    other.overlapping(block.char_start, block.char_end.max(block.char_start + 1))
                {
                    let [r, g, b] = label_rgb(input.schema, &a.label);
                    let faint = Color32::from_rgba_unmultiplied(r, g, b, 36);
                    for rect in a
                        .pieces()
                        .flat_map(|p| range_rects(&vb.galley, local_range(&block_range, p)))
                    {
                        let band = text_band(rect).translate(vb.origin.to_vec2());
                        colleague_pieces += 1;
                        painter.rect_filled(band, 2.0, faint);
                        painter.line_segment(
                            [band.left_bottom(), band.right_bottom()],
                            Stroke::new(1.0, Color32::from_rgba_unmultiplied(r, g, b, 120)),
                        );
                    }
                }
            }
            // Fills.
            if let Some(layer) = input.layer {
                for a in
                    layer.overlapping(block.char_start, block.char_end.max(block.char_start + 1))
                {
                    let [r, g, b] = label_rgb(input.schema, &a.label);
                    let alpha = if input.selected == Some(a.id.as_str()) {
                        170
                    } else {
                        90
                    };
                    let fill = Color32::from_rgba_unmultiplied(r, g, b, alpha);
                    for rect in a
                        .pieces()
                        .flat_map(|p| range_rects(&vb.galley, local_range(&block_range, p)))
                    {
                        painter.rect_filled(
                            text_band(rect).translate(vb.origin.to_vec2()),
                            2.0,
                            fill,
                        );
                    }
                }
            }
            // The pending selection, or the drag in progress.
            let live = match (self.drag_anchor, self.drag_head) {
                (Some(a), Some(h)) => Some(a.min(h)..a.max(h)),
                _ => input.selection.clone(),
            };
            if let Some(sel) = live {
                for rect in range_rects(&vb.galley, local_range(&block_range, sel)) {
                    painter.rect_filled(
                        text_band(rect).translate(vb.origin.to_vec2()),
                        0.0,
                        selection_fill,
                    );
                }
            }
            painter.galley(vb.origin, vb.galley.clone(), ui.visuals().text_color());
            // The keyboard caret.
            if let Some(caret) = input.caret
                && self.drag_anchor.is_none()
                && (block_range.contains(&caret)
                    || (caret == block.char_end && vb.index + 1 == text.blocks().len()))
            {
                let rect = vb
                    .galley
                    .pos_from_cursor(CCursor::new(caret - block.char_start));
                let band = text_band(rect).translate(vb.origin.to_vec2());
                painter.line_segment(
                    [band.left_top(), band.left_bottom()],
                    Stroke::new(2.0, ui.visuals().text_cursor.stroke.color),
                );
            }
            // Review outlines.
            let first = input
                .marks
                .partition_point(|m| m.range.end <= block.char_start);
            for m in input.marks[first..]
                .iter()
                .take_while(|m| m.range.start < block.char_end.max(block.char_start + 1))
            {
                let width = if m.strong { 3.0 } else { 1.5 };
                for rect in range_rects(&vb.galley, local_range(&block_range, m.range.clone())) {
                    painter.rect_stroke(
                        // Around the text, not over its neighbours' letters.
                        text_band(rect)
                            .translate(vb.origin.to_vec2())
                            .expand2(vec2(0.5, 2.0)),
                        3.0,
                        Stroke::new(width, m.color),
                        egui::StrokeKind::Outside,
                    );
                }
            }
            // Bars under the text, one level per overlap depth; the selected span outlined.
            if let Some(layer) = input.layer {
                for a in
                    layer.overlapping(block.char_start, block.char_end.max(block.char_start + 1))
                {
                    let [r, g, b] = label_rgb(input.schema, &a.label);
                    let color = Color32::from_rgb(r, g, b);
                    let level = self.level_of(layer, a);
                    let is_selected = input.selected == Some(a.id.as_str());
                    let is_target = input.link_target == Some(a.id.as_str());
                    for rect in a
                        .pieces()
                        .flat_map(|p| range_rects(&vb.galley, local_range(&block_range, p)))
                    {
                        let band = text_band(rect).translate(vb.origin.to_vec2());
                        anchors.entry(a.id.as_str()).or_insert(band);
                        if is_target {
                            painter.rect_stroke(
                                band.expand(2.0),
                                2.0,
                                Stroke::new(2.0, target_outline),
                                egui::StrokeKind::Outside,
                            );
                        }
                        if level < MAX_BAR_LEVELS {
                            let y = band.max.y + 1.0 + f32::from(level) * BAR_STEP;
                            let bar = Rect::from_x_y_ranges(band.x_range(), y..=y + BAR_THICKNESS);
                            painter.rect_filled(bar, 0.0, color);
                        }
                        if is_selected {
                            painter.rect_stroke(
                                band.expand(1.0),
                                2.0,
                                Stroke::new(1.5, outline),
                                egui::StrokeKind::Outside,
                            );
                        }
                    }
                }
            }
        }
        if let Some(layer) = input.layer {
            let text_color = ui.visuals().text_color();
            let background = ui.visuals().extreme_bg_color;
            for r in layer.relations() {
                let (Some(from), Some(to)) =
                    (anchors.get(r.from.as_str()), anchors.get(r.to.as_str()))
                else {
                    continue;
                };
                let focused = input.selected.is_some_and(|id| r.touches(id));
                let color = if focused {
                    target_outline
                } else {
                    text_color.gamma_multiply(0.8)
                };
                relation_arc(painter, *from, *to, &r.kind, color, background, focused);
            }
        }
        colleague_pieces
    }

    fn handle_pointer(
        &mut self,
        ui: &egui::Ui,
        response: &egui::Response,
        input: &ViewInput<'_>,
    ) -> Vec<ViewEvent> {
        let mut events = Vec::new();
        if response.hovered()
            && self.drag_anchor.is_none()
            && let Some(layer) = input.layer
            && let Some(pos) = response.hover_pos()
            && let Some((char_offset, _)) = self.char_under(input.text, pos)
        {
            let mut here: Vec<_> = layer
                .overlapping(char_offset, char_offset + 1)
                .filter(|a| a.contains(char_offset))
                .collect();
            if !here.is_empty() {
                here.sort_by_key(|a| (a.len(), a.start));
                response
                    .clone()
                    .on_hover_ui_at_pointer(|ui| hover_ui(ui, input.schema, &here));
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
        }
        if response.drag_stopped() {
            if let (Some(anchor), Some(head)) = (self.drag_anchor.take(), self.drag_head.take()) {
                let raw = anchor.min(head)..anchor.max(head);
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
                events.extend(at.map(ViewEvent::Caret));
                events.push(self.click(input, pos));
            }
        }
        events
    }

    /// The edge of the selected span within a few points of `pos`, if any.
    fn edge_at(&self, input: &ViewInput<'_>, pos: Pos2) -> Option<Edge> {
        let selected = input.selected.and_then(|id| input.layer?.get(id))?;
        // The grab zone is the edge and just outside it: pressing on the span's first letter
        // starts a selection (of a nested span, say), not a resize.
        let near = |p: Option<Pos2>, outward: f32| {
            p.is_some_and(|p| {
                let dx = (pos.x - p.x) * outward;
                (-1.0..=4.0).contains(&dx) && (p.y - pos.y).abs() <= FONT_SIZE * 0.7
            })
        };
        if near(self.caret_screen_pos(input.text, selected.start), -1.0) {
            Some(Edge::Start)
        } else if near(self.caret_screen_pos(input.text, selected.end), 1.0) {
            Some(Edge::End)
        } else {
            None
        }
    }

    /// Which annotation a click picks: the bar under the pointer if any, else the innermost
    /// span at the character; clicking again on a selected span cycles to the next one there.
    fn click(&self, input: &ViewInput<'_>, pos: Pos2) -> ViewEvent {
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
    fn caret_at(&self, text: &SourceText, pos: Pos2) -> Option<usize> {
        let vb = self.block_at_y(pos.y)?;
        let block = text.blocks()[vb.index];
        let local = vb.galley.cursor_from_pos(pos - vb.origin).index.0;
        Some((block.char_start + local).min(block.char_end))
    }

    /// The character under a screen position, and the bar level if the pointer is on the bars.
    fn char_under(&self, text: &SourceText, pos: Pos2) -> Option<(usize, Option<u8>)> {
        let vb = self.block_at_y(pos.y)?;
        let block = text.blocks()[vb.index];
        let local_pos = pos - vb.origin;
        let mut row_start = 0usize;
        for row in &vb.galley.rows {
            if local_pos.y >= row.min_y() && local_pos.y < row.max_y() {
                let x = local_pos.x - row.pos.x;
                let glyph = row
                    .glyphs
                    .iter()
                    .position(|g| g.logical_rect().x_range().contains(x))?;
                let band = text_band(row.rect());
                let below = local_pos.y - band.max.y - 1.0;
                #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let level = (below >= 0.0).then(|| (below / BAR_STEP) as u8);
                return Some((block.char_start + row_start + glyph, level));
            }
            row_start += row.char_count_including_newline().0;
        }
        None
    }

    fn block_at_y(&self, y: f32) -> Option<&VisibleBlock> {
        let found = self
            .visible
            .iter()
            .find(|v| y < v.origin.y + v.galley.size().y.max(LINE_HEIGHT));
        found.or_else(|| self.visible.last())
    }
}

/// A relation drawn as an arc over the text from the source span's start to the target's,
/// with an arrow tip and the type's name at the top (on a background when `label_bg`).
fn relation_arc(
    painter: &egui::Painter,
    from: Rect,
    to: Rect,
    kind: &str,
    color: Color32,
    label_bg: Color32,
    focused: bool,
) {
    // Leave from the middle of the source's first piece, arrive near the target's start, so
    // spans that start together still get a visible arc.
    let start = pos2(from.center().x, from.min.y);
    let end = pos2(to.min.x + (to.width() / 2.0).min(8.0), to.min.y);
    // Within the gap between this row's text and the row above (bars and padding), so the
    // arc never crosses a line of text.
    let gap = LINE_HEIGHT - FONT_SIZE * 1.25;
    let rise = (6.0 + (end.x - start.x).abs() / 40.0).min(gap - 2.0);
    let top = start.y.min(end.y) - rise;
    let c1 = pos2(start.x, top);
    let c2 = pos2(end.x, top);
    let stroke = Stroke::new(if focused { 2.0 } else { 1.2 }, color);
    painter.add(egui::epaint::CubicBezierShape::from_points_stroke(
        [start, c1, c2, end],
        false,
        Color32::TRANSPARENT,
        stroke,
    ));
    // Arrow tip pointing down into the target.
    let tip = [
        end,
        pos2(end.x - 4.0, end.y - 7.0),
        pos2(end.x + 4.0, end.y - 7.0),
    ];
    painter.add(egui::Shape::convex_polygon(
        tip.to_vec(),
        color,
        Stroke::NONE,
    ));
    // Its type is written only for the selected span's relations (the side panel lists them
    // all): a label on every arc would sit on the text above.
    if !focused {
        return;
    }
    let apex = pos2(
        f32::midpoint(start.x, end.x),
        top + 0.25 * (start.y.min(end.y) - top),
    );
    let font = FontId::proportional(11.0);
    let galley = painter.layout_no_wrap(kind.to_owned(), font, color);
    let rect = Rect::from_center_size(apex, galley.size()).expand(2.0);
    painter.rect_filled(rect, 3.0, label_bg);
    painter.galley(rect.min + vec2(2.0, 2.0), galley, color);
}

/// The tooltip over a highlight: each span under the pointer, innermost first.
fn hover_ui(ui: &mut egui::Ui, schema: &Schema, annotations: &[&crate::core::Annotation]) {
    for (i, a) in annotations.iter().enumerate() {
        if i > 0 {
            ui.separator();
        }
        let [r, g, b] = label_rgb(schema, &a.label);
        ui.horizontal(|ui| {
            let (swatch, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), Sense::hover());
            ui.painter()
                .rect_filled(swatch, 2.0, Color32::from_rgb(r, g, b));
            ui.strong(&*a.label);
            ui.weak(format!("{}–{}", a.start, a.end));
        });
        let shown: String = a.text.chars().take(120).collect();
        let more = if a.text.chars().count() > 120 {
            "…"
        } else {
            ""
        };
        ui.label(egui::RichText::new(format!("“{shown}{more}”")).italics());
        for (name, value) in &a.attributes {
            ui.label(format!("{name}: {value}"));
        }
        if let Some(note) = &a.note {
            ui.label(format!("Note: {note}"));
        }
    }
}

/// A label's colour; grey for a label missing from the schema.
fn label_rgb(schema: &Schema, label: &str) -> [u8; 3] {
    schema
        .get(label)
        .map_or([0x99; 3], crate::core::LabelDef::rgb)
}

/// `range` (document chars) as a range local to the block, clamped; may be empty.
fn local_range(block: &Range<usize>, range: Range<usize>) -> Range<usize> {
    let start = range.start.clamp(block.start, block.end) - block.start;
    let end = range.end.clamp(block.start, block.end) - block.start;
    start..end
}

/// Rectangles (galley coordinates) covering chars `range` of a galley, one per row.
fn range_rects(galley: &Galley, range: Range<usize>) -> Vec<Rect> {
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

/// The part of a row's rectangle the glyphs occupy (rows are taller than the font, to leave
/// room for the bars).
fn text_band(row_rect: Rect) -> Rect {
    let pad = (LINE_HEIGHT - FONT_SIZE * 1.25) / 2.0;
    Rect::from_x_y_ranges(
        row_rect.x_range(),
        row_rect.min.y + pad..=row_rect.max.y - pad,
    )
}
