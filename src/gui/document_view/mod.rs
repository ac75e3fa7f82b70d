//! The document view: the text with highlights, virtualised.
//!
//! The text is cut into blocks (lines; see `core::text`). Each block is laid out on its own (an
//! epaint galley, or a parley layout when it holds right-to-left text: `block.rs`), and only
//! the blocks inside the viewport are laid out and painted (`ScrollArea::show_viewport` plus
//! our own prefix sums of block heights: estimated until a block is first laid out, then
//! measured). Layouts depend only on the text and the wrap width,
//! so adding or removing an annotation repaints without any re-layout: highlights are painted
//! as rectangles behind the text (fills) and stacked bars under it (one level per overlap
//! depth), so nested and crossing spans all stay visible and clickable.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use egui::text::LayoutJob;
use egui::{FontId, Pos2, Rect, Sense, TextFormat, vec2};

use crate::core::{AnnotationLayer, Schema, SourceText};
use block::BlockLayout;

mod block;
mod caret;
mod paint;
mod pointer;

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
    /// The registry, to name linked entities on hover.
    pub entities: &'a crate::core::entities::Registry,
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
    /// Suggested spans, dashed in their label's colour, sorted by start. Only those on screen
    /// are looked at (a synthetic 10 MB text can have 100,000).
    pub suggestions: &'a [crate::core::suggest::Suggestion],
    /// The suggestion F4 went to (an index into `suggestions`): drawn thicker.
    pub focused_suggestion: Option<usize>,
}

#[derive(Clone)]
struct VisibleBlock {
    index: usize,
    /// Screen position of the block's top-left.
    origin: Pos2,
    layout: BlockLayout,
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
    /// Laid-out blocks near the viewport (their layout depends only on text and width).
    layouts: HashMap<usize, BlockLayout>,
    /// Bar level per annotation id, for the layer revision it was computed at.
    levels: Vec<u8>,
    levels_key: u64,
    drag_anchor: Option<usize>,
    drag_head: Option<usize>,
    /// In a mixed-direction row: what the drag swept over (see `BlockLayout::swept`), which
    /// the selection follows instead of the logical range between anchor and head.
    drag_swept: Option<Range<usize>>,
    /// Dragging an edge of the selected span (instead of selecting text).
    edge_drag: Option<Edge>,
    pending_scroll: Option<f32>,
    /// A block being scrolled to, how many corrections are left (positions above it are
    /// estimates until laid out, so the first jump can land a little off), and whether it goes
    /// to the very top.
    reveal: Option<(usize, u8, bool)>,
    visible: Vec<VisibleBlock>,
    /// The part of the screen the text is shown in (last frame); `None` before the first.
    visible_rect: Option<Rect>,
    text_len: usize,
    /// The vertical scroll offset of the last frame.
    scroll_offset: f32,
    /// The caret's x while it moves up and down, so it comes back to the same column.
    caret_x: Option<f32>,
    /// The caret sits at the end of a wrapped row (after End), not at the start of the next
    /// one: the same character index, shown and moved from the row it belongs to.
    caret_at_row_end: bool,
    pub stats: ViewStats,
}
impl DocumentView {
    /// Forgets everything about the previous document.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Scrolls so that `char_offset` is near the top on the next frame.
    pub fn scroll_to_char(&mut self, text: &SourceText, char_offset: usize) {
        self.scroll_to(text, char_offset, false);
    }

    /// Scrolls so the block holding `char_offset` is a few lines below the top (`at_top`
    /// false: it is seen with what leads to it) or at the very top (restoring a place).
    pub fn scroll_to(&mut self, text: &SourceText, char_offset: usize, at_top: bool) {
        self.ensure_text(text);
        let block = text.block_index_at_char(char_offset);
        if self.prefix_dirty {
            self.rebuild_prefix();
        }
        self.pending_scroll = Some(self.reveal_offset(block, at_top));
        self.reveal = Some((block, 4, at_top));
    }

    /// The scroll offset that shows `block` a few lines below the top, or (`at_top`) at it.
    fn reveal_offset(&self, block: usize, at_top: bool) -> f32 {
        #[expect(clippy::cast_possible_truncation)]
        let y = self.prefix.get(block).copied().unwrap_or(0.0) as f32;
        let margin = if at_top { 0.0 } else { 3.0 * LINE_HEIGHT };
        (y - margin).max(0.0)
    }

    /// Screen position of the middle of the character at `char_offset`, if it is visible.
    pub fn char_screen_pos(&self, text: &SourceText, char_offset: usize) -> Option<Pos2> {
        let block_index = text.block_index_at_char(char_offset);
        let vb = self.visible.iter().find(|v| v.index == block_index)?;
        let block = text.blocks()[block_index];
        let local = char_offset.checked_sub(block.char_start)?;
        let pos = vb.origin + vb.layout.char_center(local).to_vec2();
        self.visible_rect
            .is_some_and(|r| r.contains(pos))
            .then_some(pos)
    }

    /// The screen rectangles the view highlights for chars `range` (one per row, or per visual
    /// run of a row in bidi text), in the blocks on screen.
    pub fn range_screen_rects(&self, text: &SourceText, range: Range<usize>) -> Vec<Rect> {
        let mut rects = Vec::new();
        for vb in &self.visible {
            let block = text.blocks()[vb.index];
            let local = paint::local_range(&block.char_range(), range.clone());
            rects.extend(
                vb.layout
                    .range_rects(local)
                    .into_iter()
                    .map(|r| r.translate(vb.origin.to_vec2())),
            );
        }
        rects
    }

    /// Screen position of the caret before `char_offset`, if visible (for drag tests).
    pub fn caret_screen_pos(&self, text: &SourceText, char_offset: usize) -> Option<Pos2> {
        let block_index = text.block_index_at_char(char_offset);
        let vb = self.visible.iter().find(|v| v.index == block_index)?;
        let local = char_offset.checked_sub(text.blocks()[block_index].char_start)?;
        let pos = vb.origin + vb.layout.caret_rect(local, true).center().to_vec2();
        self.visible_rect
            .is_some_and(|r| r.contains(pos))
            .then_some(pos)
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
            self.layouts.clear();
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
            let layout = if let Some(l) = self.layouts.get(&index) {
                l.clone()
            } else {
                let block = &text.blocks()[index];
                let block_text = text.block_text(block);
                let layout = if crate::gui::bidi::needs_bidi(block_text) {
                    BlockLayout::Bidi(Arc::new(crate::gui::bidi::with_engine(
                        ui.ctx(),
                        |engine| {
                            engine.layout(block_text, FONT_SIZE, LINE_HEIGHT, Some(wrap_width))
                        },
                    )))
                } else {
                    let mut job = LayoutJob::single_section(
                        block_text.to_owned(),
                        TextFormat {
                            font_id: font_id.clone(),
                            color: text_color,
                            line_height: Some(LINE_HEIGHT),
                            ..TextFormat::default()
                        },
                    );
                    job.wrap.max_width = wrap_width;
                    BlockLayout::Galley(ui.painter().layout_job(job))
                };
                self.layouts.insert(index, layout.clone());
                self.stats.blocks_laid_out += 1;
                layout
            };
            let height = layout.size().y.max(LINE_HEIGHT);
            if (height - self.heights[index]).abs() > 0.5 {
                self.heights[index] = height;
                self.prefix_dirty = true;
            }
            #[expect(clippy::cast_possible_truncation)]
            let origin = content_origin + vec2(MARGIN_X, top as f32);
            self.visible.push(VisibleBlock {
                index,
                origin,
                layout,
            });
            top += f64::from(height);
            index += 1;
        }
        self.stats.blocks_visible = self.visible.len();
        // Keep the cache to what is near the viewport.
        if self.layouts.len() > 4 * self.visible.len() + 64 {
            let keep: Range<usize> = first.saturating_sub(64)..index + 64;
            self.layouts.retain(|i, _| keep.contains(i));
        }
        if self.prefix_dirty {
            // Heights measured this frame take effect in the total size now and in positions
            // next frame (no jump within a frame).
            self.rebuild_prefix();
            ui.ctx().request_repaint();
        }
        if let Some((block, corrections, at_top)) = self.reveal {
            // Heights measured this frame may have moved the target: correct the scroll.
            #[expect(clippy::cast_possible_truncation)]
            let max_offset =
                (self.prefix.last().copied().unwrap_or(0.0) as f32 - viewport.height()).max(0.0);
            let wanted = self.reveal_offset(block, at_top).min(max_offset);
            if (wanted - viewport.min.y).abs() > 1.0 && corrections > 0 {
                self.pending_scroll = Some(wanted);
                self.reveal = Some((block, corrections - 1, at_top));
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
}
