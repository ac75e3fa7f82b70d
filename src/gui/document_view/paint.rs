//! Painting the visible blocks: colleagues' spans (faint), fills, the selection, review
//! outlines, suggestions and overlap bars, then the text over them all (so no decoration covers
//! part of a letter: Arabic dots below a letter reach into the bars' row), the caret; relation
//! arcs last.

use std::collections::HashMap;
use std::ops::Range;

use egui::{Color32, FontId, Rect, Sense, Stroke, pos2, vec2};

use super::{
    BAR_STEP, BAR_THICKNESS, DocumentView, FONT_SIZE, LINE_HEIGHT, MAX_BAR_LEVELS, ViewInput,
};
use crate::core::Schema;

impl DocumentView {
    /// Paints the visible text and its marks; returns how many colleagues' pieces it drew.
    pub(super) fn paint(&self, ui: &egui::Ui, input: &ViewInput<'_>) -> usize {
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
                        .flat_map(|p| vb.layout.range_rects(local_range(&block_range, p)))
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
            // Each span's pieces on screen, computed once for its fill and its bars.
            let spans: Vec<(&crate::core::Annotation, Vec<Rect>)> = input
                .layer
                .into_iter()
                .flat_map(|layer| {
                    layer.overlapping(block.char_start, block.char_end.max(block.char_start + 1))
                })
                .map(|a| {
                    let pieces = a
                        .pieces()
                        .flat_map(|p| vb.layout.range_rects(local_range(&block_range, p)))
                        .collect();
                    (a, pieces)
                })
                .collect();
            for (a, pieces) in &spans {
                let [r, g, b] = label_rgb(input.schema, &a.label);
                let alpha = if input.selected == Some(a.id.as_str()) {
                    170
                } else {
                    90
                };
                let fill = Color32::from_rgba_unmultiplied(r, g, b, alpha);
                for rect in pieces {
                    painter.rect_filled(text_band(*rect).translate(vb.origin.to_vec2()), 2.0, fill);
                }
            }
            // The pending selection, or the drag in progress.
            let live = match (self.drag_anchor, self.drag_head, &self.drag_swept) {
                (Some(_), Some(_), Some(swept)) => Some(swept.clone()),
                (Some(a), Some(h), None) => Some(a.min(h)..a.max(h)),
                _ => input.selection.clone(),
            };
            if let Some(sel) = live {
                for rect in vb.layout.range_rects(local_range(&block_range, sel)) {
                    painter.rect_filled(
                        text_band(rect).translate(vb.origin.to_vec2()),
                        0.0,
                        selection_fill,
                    );
                }
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
                for rect in vb
                    .layout
                    .range_rects(local_range(&block_range, m.range.clone()))
                {
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
            // Suggestions: dashed outlines in the label's colour (never annotations).
            let first = input
                .suggestions
                .partition_point(|s| s.range.end <= block.char_start);
            for (i, s) in input.suggestions[first..]
                .iter()
                .enumerate()
                .take_while(|(_, s)| s.range.start < block.char_end.max(block.char_start + 1))
            {
                let width = if input.focused_suggestion == Some(first + i) {
                    2.5
                } else {
                    1.2
                };
                let [red, green, blue] = label_rgb(input.schema, &s.label);
                let color = Color32::from_rgb(red, green, blue);
                for rect in vb
                    .layout
                    .range_rects(local_range(&block_range, s.range.clone()))
                {
                    let r = text_band(rect)
                        .translate(vb.origin.to_vec2())
                        .expand2(vec2(1.0, 2.0));
                    painter.extend(egui::Shape::dashed_line(
                        &[
                            r.left_top(),
                            r.right_top(),
                            r.right_bottom(),
                            r.left_bottom(),
                            r.left_top(),
                        ],
                        Stroke::new(width, color),
                        4.0,
                        3.0,
                    ));
                }
            }
            // Bars under the text, one level per overlap depth; the selected span outlined.
            if let Some(layer) = input.layer {
                for &(a, ref pieces) in &spans {
                    let [r, g, b] = label_rgb(input.schema, &a.label);
                    let color = Color32::from_rgb(r, g, b);
                    let level = self.level_of(layer, a);
                    let is_selected = input.selected == Some(a.id.as_str());
                    let is_target = input.link_target == Some(a.id.as_str());
                    // Arcs leave from and arrive at the span's start. In bidi text its first
                    // piece on screen (leftmost) need not hold its first letter: anchor on the
                    // letter itself.
                    if matches!(vb.layout, super::block::BlockLayout::Bidi(_))
                        && block_range.contains(&a.start)
                        && let Some(letter) = vb
                            .layout
                            .range_rects(local_range(&block_range, a.start..a.start + 1))
                            .first()
                    {
                        anchors
                            .entry(a.id.as_str())
                            .or_insert(text_band(*letter).translate(vb.origin.to_vec2()));
                    }
                    for rect in pieces {
                        let band = text_band(*rect).translate(vb.origin.to_vec2());
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
            // The glyphs last, over every fill, bar and outline: nothing is painted across a
            // letter (Arabic dots below a letter reach into the bars' row).
            vb.layout
                .paint(ui, vb.origin, ui.visuals().strong_text_color());
            // The keyboard caret.
            if let Some(caret) = input.caret
                && self.drag_anchor.is_none()
                && (block_range.contains(&caret)
                    || (caret == block.char_end && vb.index + 1 == text.blocks().len()))
            {
                let rect = vb
                    .layout
                    .caret_rect(caret - block.char_start, self.caret_at_row_end);
                let band = text_band(rect).translate(vb.origin.to_vec2());
                painter.line_segment(
                    [band.left_top(), band.left_bottom()],
                    Stroke::new(2.0, ui.visuals().text_cursor.stroke.color),
                );
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
}

/// A relation drawn as an arc over the text from the source span's start to the target's,
/// with an arrow tip and the type's name at the top (on a background when `label_bg`).
pub(super) fn relation_arc(
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
pub(super) fn hover_ui(
    ui: &mut egui::Ui,
    schema: &Schema,
    entities: &crate::core::entities::Registry,
    annotations: &[&crate::core::Annotation],
) {
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
        crate::gui::bidi::quote_label(ui, &format!("“{shown}{more}”"));
        for (name, value) in &a.attributes {
            // The entity by its name, not its id.
            let shown = match value {
                crate::core::schema::AttributeValue::Text(id)
                    if name == crate::core::schema::ENTITY_ATTRIBUTE =>
                {
                    entities
                        .get(id)
                        .map_or_else(|| id.clone(), |e| e.name.clone())
                }
                other => other.to_string(),
            };
            ui.label(format!("{name}: {shown}"));
        }
        if let Some(note) = &a.note() {
            ui.label(format!("Note: {note}"));
        }
    }
}

/// A label's colour; grey for a label missing from the schema.
pub(super) fn label_rgb(schema: &Schema, label: &str) -> [u8; 3] {
    schema
        .get(label)
        .map_or([0x99; 3], crate::core::LabelDef::rgb)
}

/// `range` (document chars) as a range local to the block, clamped; may be empty.
pub(super) fn local_range(block: &Range<usize>, range: Range<usize>) -> Range<usize> {
    let start = range.start.clamp(block.start, block.end) - block.start;
    let end = range.end.clamp(block.start, block.end) - block.start;
    start..end
}

/// The part of a row's rectangle the glyphs occupy (rows are taller than the font, to leave
/// room for the bars).
pub(super) fn text_band(row_rect: Rect) -> Rect {
    let pad = (LINE_HEIGHT - FONT_SIZE * 1.25) / 2.0;
    Rect::from_x_y_ranges(
        row_rect.x_range(),
        row_rect.min.y + pad..=row_rect.max.y - pad,
    )
}
