//! The picture: edges (width weight, green agree, red disagree; observed conflicts dashed red),
//! nodes (size statements, colour group; concepts grey squares) and their names. A click picks
//! the node or tie under the pointer; hovering names it. Only the strongest ties are drawn when
//! there are very many (the list has them all), so frames stay short.

use egui::{Color32, Pos2, Rect, Sense, Stroke, pos2, vec2};

use super::{Chosen, Drawn};
use crate::core::entities::EntityKind;
use crate::core::network::picture;

/// Ties drawn at most (the strongest; edges are sorted strongest first).
pub const MAX_DRAWN_TIES: usize = 4000;

fn color([r, g, b]: [u8; 3]) -> Color32 {
    Color32::from_rgb(r, g, b)
}

/// Distance from `p` to the segment `a`–`b`.
fn to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let t = if ab.length_sq() > 0.0 {
        ((p - a).dot(ab) / ab.length_sq()).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (a + ab * t).distance(p)
}

/// A node's name on the picture: long ones (concepts are often sentences) cut with "…"; the
/// whole name shows on hover.
fn short_name(name: &str) -> std::borrow::Cow<'_, str> {
    const MAX_CHARS: usize = 28;
    match name.char_indices().nth(MAX_CHARS) {
        Some((byte, _)) => format!("{}…", &name[..byte]).into(),
        None => name.into(),
    }
}

/// Draws the network into a `size` area; returns where.
pub fn draw(
    ui: &mut egui::Ui,
    size: egui::Vec2,
    drawn: &Drawn,
    chosen: &mut Option<Chosen>,
) -> Rect {
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
    // Names are written to the right of their node: keep room for them.
    let inner = egui::Rect::from_min_max(
        rect.min + vec2(24.0, 24.0),
        rect.max - vec2((rect.width() * 0.25).clamp(24.0, 160.0), 24.0),
    );
    let at = |i: usize| {
        let p = drawn.positions.get(i).copied().unwrap_or([0.5, 0.5]);
        pos2(
            inner.left() + p[0] * inner.width(),
            inner.top() + p[1] * inner.height(),
        )
    };
    let network = &drawn.network;
    let strongest = picture::strongest(network);
    let shown = network.edges.len().min(MAX_DRAWN_TIES);
    for (k, e) in network.edges.iter().take(shown).enumerate() {
        let (a, b) = (at(e.source), at(e.target));
        let picked = *chosen == Some(Chosen::Edge(k));
        if e.weight != 0.0 {
            let c = if e.weight > 0.0 {
                picture::AGREE
            } else {
                picture::DISAGREE
            };
            let w = picture::width(e.weight, strongest);
            painter.line_segment(
                [a, b],
                Stroke::new(if picked { w + 2.5 } else { w }, color(c)),
            );
        }
        if e.observed_conflicts > 0 {
            painter.add(egui::Shape::dashed_line(
                &[a, b],
                Stroke::new(if picked { 4.0 } else { 2.0 }, color(picture::DISAGREE)),
                6.0,
                4.0,
            ));
        }
    }
    let text_color = ui.visuals().text_color();
    for (i, node) in network.nodes.iter().enumerate() {
        let p = at(i);
        let r = picture::radius(node.statements);
        let fill = if node.kind == EntityKind::Concept {
            color(picture::CONCEPT)
        } else {
            color(picture::group_color(node.group))
        };
        if node.kind == EntityKind::Concept {
            painter.rect_filled(Rect::from_center_size(p, vec2(2.0 * r, 2.0 * r)), 0.0, fill);
        } else {
            painter.circle_filled(p, r, fill);
        }
        if *chosen == Some(Chosen::Node(i)) {
            painter.circle_stroke(p, r + 3.0, Stroke::new(2.0, ui.visuals().selection.bg_fill));
        }
        painter.text(
            p + vec2(r + 3.0, 0.0),
            egui::Align2::LEFT_CENTER,
            short_name(&node.name),
            egui::FontId::proportional(12.0),
            text_color,
        );
    }
    if shown < network.edges.len() {
        painter.text(
            rect.left_bottom() + vec2(6.0, -6.0),
            egui::Align2::LEFT_BOTTOM,
            format!(
                "showing the {shown} strongest of {} ties (raise the minimum weight)",
                network.edges.len()
            ),
            egui::FontId::proportional(11.0),
            ui.visuals().weak_text_color(),
        );
    }
    // What is under the pointer: a node first, else the nearest tie within a few points.
    let under = |p: Pos2| -> Option<Chosen> {
        let node = network
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (i, at(i).distance(p) - picture::radius(n.statements)))
            .filter(|(_, d)| *d <= 3.0)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, _)) = node {
            return Some(Chosen::Node(i));
        }
        network
            .edges
            .iter()
            .take(shown)
            .enumerate()
            .map(|(k, e)| (k, to_segment(p, at(e.source), at(e.target))))
            .filter(|(_, d)| *d <= 5.0)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, _)| Chosen::Edge(k))
    };
    if let Some(p) = response
        .interact_pointer_pos()
        .filter(|_| response.clicked())
    {
        *chosen = under(p);
    }
    if let Some(p) = response.hover_pos()
        && let Some(what) = under(p)
    {
        let text = match what {
            Chosen::Node(i) => {
                let n = &network.nodes[i];
                format!("{} · {} statements", n.name, n.statements)
            }
            Chosen::Edge(k) => {
                let e = &network.edges[k];
                format!(
                    "{} — {}: {:+.2}{}",
                    network.nodes[e.source].name,
                    network.nodes[e.target].name,
                    e.weight,
                    if e.observed_conflicts > 0 {
                        format!(", {} observed conflict(s)", e.observed_conflicts)
                    } else {
                        String::new()
                    }
                )
            }
        };
        response.on_hover_text_at_pointer(text);
    }
    rect
}
