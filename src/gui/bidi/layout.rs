//! One laid-out paragraph of bidi text and the questions the document view asks of it, in
//! character offsets local to the paragraph (parley counts bytes).

use std::borrow::Cow;
use std::ops::Range;

use egui::{Pos2, Rect, Vec2, pos2, vec2};
use parley::{
    Affinity, Alignment, AlignmentOptions, Cluster, Cursor, FontFamily, FontFamilyName, LineHeight,
    PositionedLayoutItem, Selection, StyleProperty,
};

use super::Engine;

/// A run's colour; `None`: the colour the layout is painted with.
pub(super) type Brush = Option<egui::Color32>;
use super::atlas::{Atlas, SUBPIXEL_BINS};

pub struct BidiLayout {
    layout: parley::Layout<Brush>,
    /// The byte offset of each character, then the text's length.
    char_bytes: Vec<u32>,
    size: Vec2,
}

impl std::fmt::Debug for BidiLayout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BidiLayout")
            .field("chars", &self.char_len())
            .field("rows", &self.layout.len())
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

fn rect(b: parley::BoundingBox) -> Rect {
    #[expect(clippy::cast_possible_truncation)]
    Rect::from_min_max(
        pos2(b.x0 as f32, b.y0 as f32),
        pos2(b.x1 as f32, b.y1 as f32),
    )
}

impl BidiLayout {
    pub(super) fn new(
        engine: &mut Engine,
        text: &str,
        font_size: f32,
        line_height: f32,
        wrap_width: Option<f32>,
        colors: &[(Range<usize>, egui::Color32)],
    ) -> Self {
        let families: Vec<FontFamilyName<'_>> = engine
            .families
            .iter()
            .map(|name| FontFamilyName::Named(Cow::Borrowed(name.as_str())))
            .collect();
        let mut builder = engine
            .layouts
            .ranged_builder(&mut engine.fonts, text, 1.0, true);
        builder.push_default(StyleProperty::FontFamily(FontFamily::List(Cow::Owned(
            families,
        ))));
        builder.push_default(StyleProperty::FontSize(font_size));
        builder.push_default(StyleProperty::LineHeight(LineHeight::Absolute(line_height)));
        for (bytes, color) in colors {
            builder.push(StyleProperty::Brush(Some(*color)), bytes.clone());
        }
        let mut layout: parley::Layout<Brush> = builder.build(text);
        layout.break_all_lines(wrap_width);
        // Start: the right edge for a right-to-left paragraph.
        layout.align(Alignment::Start, AlignmentOptions::default());
        let mut char_bytes: Vec<u32> = text
            .char_indices()
            .map(|(b, _)| u32::try_from(b).unwrap_or(u32::MAX))
            .collect();
        char_bytes.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        let size = vec2(
            wrap_width
                .unwrap_or_else(|| layout.width())
                .max(layout.width()),
            layout.height().max(line_height),
        );
        Self {
            layout,
            char_bytes,
            size,
        }
    }

    pub fn size(&self) -> Vec2 {
        self.size
    }

    /// Is the paragraph right-to-left (its first strong character)?
    pub fn is_rtl(&self) -> bool {
        self.layout.is_rtl()
    }

    fn char_len(&self) -> usize {
        self.char_bytes.len() - 1
    }

    fn byte(&self, c: usize) -> usize {
        self.char_bytes[c.min(self.char_len())] as usize
    }

    /// The character starting at or after byte `b`.
    fn char_of(&self, b: usize) -> usize {
        self.char_bytes.partition_point(|&x| (x as usize) < b)
    }

    /// Rectangles covering characters `range`: one per visual run of each row, so a span that
    /// crosses a direction change is several pieces.
    pub fn range_rects(&self, range: Range<usize>) -> Vec<Rect> {
        let mut rects = Vec::new();
        if range.is_empty() {
            return rects;
        }
        let l = &self.layout;
        let start = Cursor::from_byte_index(l, self.byte(range.start), Affinity::Downstream);
        let end = Cursor::from_byte_index(l, self.byte(range.end), Affinity::Upstream);
        Selection::new(start, end).geometry_with(l, |b, _| {
            let r = rect(b);
            if r.width() > 0.0 {
                // Pieces of one row that touch are one piece.
                match rects.last_mut() {
                    Some(last)
                        if (last.max.x - r.min.x).abs() < 0.5
                            && (last.min.y - r.min.y).abs() < 0.5 =>
                    {
                        last.max.x = r.max.x;
                    }
                    _ => rects.push(r),
                }
            }
        });
        rects
    }

    /// The caret before character `c` (a thin rectangle the row's height). At a wrapped row's
    /// break, on the earlier row when `at_row_end`.
    pub fn caret_rect(&self, c: usize, at_row_end: bool) -> Rect {
        let affinity = if at_row_end {
            Affinity::Upstream
        } else {
            Affinity::Downstream
        };
        let cursor = Cursor::from_byte_index(&self.layout, self.byte(c), affinity);
        let r = rect(cursor.geometry(&self.layout, 0.0));
        Rect::from_x_y_ranges(r.min.x..=r.min.x, r.y_range())
    }

    /// The caret position nearest to `pos` (layout coordinates).
    pub fn cursor_at(&self, pos: Vec2) -> usize {
        let cursor = Cursor::from_point(&self.layout, pos.x, pos.y);
        self.char_of(cursor.index())
    }

    /// The character under `pos` and its row's rectangle, if `pos` is on a glyph.
    pub fn char_at(&self, pos: Vec2) -> Option<(usize, Rect)> {
        let (cluster, _) = Cluster::from_point_exact(&self.layout, pos.x, pos.y)?;
        let c = self.char_of(cluster.text_range().start);
        let m = *cluster.line().metrics();
        let row = Rect::from_x_y_ranges(0.0..=self.size.x, m.block_min_coord..=m.block_max_coord);
        row.y_range().contains(pos.y).then_some((c, row))
    }

    pub fn row_count(&self) -> usize {
        self.layout.len()
    }

    /// The row holding the caret before `c`.
    pub fn row_of(&self, c: usize, at_row_end: bool) -> usize {
        let b = self.byte(c);
        self.layout
            .lines()
            .position(|line| {
                let r = line.text_range();
                b < r.end || (at_row_end && b == r.end)
            })
            .unwrap_or(self.row_count().saturating_sub(1))
    }

    /// The characters of row `row`.
    pub fn row_chars(&self, row: usize) -> Range<usize> {
        self.layout.get(row).map_or(0..0, |line| {
            let r = line.text_range();
            self.char_of(r.start)..self.char_of(r.end)
        })
    }

    pub fn row_center_y(&self, row: usize) -> f32 {
        self.layout.get(row).map_or(0.0, |line| {
            let m = line.metrics();
            f32::midpoint(m.block_min_coord, m.block_max_coord)
        })
    }

    /// Paints the glyphs with their top-left at `origin`, pixel-aligned vertically and to a
    /// quarter pixel horizontally.
    pub(super) fn paint(
        &self,
        atlas: &mut Atlas,
        painter: &egui::Painter,
        origin: Pos2,
        color: egui::Color32,
    ) {
        let ctx = painter.ctx();
        let ppp = ctx.pixels_per_point();
        let clip = painter.clip_rect();
        let mut quads: Vec<(Rect, [usize; 2], Vec2, egui::Color32)> = Vec::new();
        for line in self.layout.lines() {
            let m = line.metrics();
            if origin.y + m.block_max_coord < clip.min.y
                || origin.y + m.block_min_coord > clip.max.y
            {
                continue;
            }
            for item in line.items() {
                let PositionedLayoutItem::GlyphRun(run) = item else {
                    continue;
                };
                let font = run.run().font().clone();
                let color = run.style().brush.unwrap_or(color);
                let size_px = run.run().font_size() * ppp;
                for g in run.positioned_glyphs() {
                    let x = (origin.x + g.x) * ppp;
                    let mut x_floor = x.floor();
                    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let mut bin = ((x - x_floor) * SUBPIXEL_BINS).round() as u8;
                    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    if bin >= SUBPIXEL_BINS as u8 {
                        bin = 0;
                        x_floor += 1.0;
                    }
                    let y = ((origin.y + g.y) * ppp).round();
                    if let Some(entry) = atlas.glyph(ctx, &font, size_px, g.id, bin) {
                        let min = pos2(x_floor + entry.offset.x, y + entry.offset.y) / ppp;
                        quads.push((
                            Rect::from_min_size(min, entry.size / ppp),
                            entry.at,
                            entry.size,
                            color,
                        ));
                    }
                }
            }
        }
        if quads.is_empty() {
            return;
        }
        // uv last: placing a glyph may have grown the atlas.
        let atlas_size = atlas.size();
        let mut mesh = egui::Mesh::with_texture(atlas.texture_id(ctx));
        for (r, at, size, color) in quads {
            #[expect(clippy::cast_precision_loss)]
            let uv_min = pos2(at[0] as f32, at[1] as f32);
            let uv = Rect::from_min_size(uv_min, size);
            let uv = Rect::from_min_max(
                (uv.min.to_vec2() / atlas_size).to_pos2(),
                (uv.max.to_vec2() / atlas_size).to_pos2(),
            );
            mesh.add_rect_with_uv(r, uv, color);
        }
        painter.add(egui::Shape::mesh(mesh));
    }
}
