//! The network's picture, as the Network window draws it: colours and sizes (shared by the
//! window and the SVG export, so the file looks like the screen), and the SVG writer.

use std::fmt::Write as _;

use super::Network;

/// Agreement (positive weight) green, disagreement red, as RGB.
pub const AGREE: [u8; 3] = [89, 161, 79];
pub const DISAGREE: [u8; 3] = [225, 87, 89];
/// Concepts (two-mode) are drawn as squares in this grey.
pub const CONCEPT: [u8; 3] = [140, 140, 140];

/// A colour per group (Tableau 10), cycling.
pub fn group_color(group: Option<usize>) -> [u8; 3] {
    const PALETTE: [[u8; 3]; 10] = [
        [78, 121, 167],
        [242, 142, 43],
        [118, 183, 178],
        [237, 201, 72],
        [176, 122, 161],
        [255, 157, 167],
        [156, 117, 95],
        [186, 176, 172],
        [89, 161, 79],
        [225, 87, 89],
    ];
    group.map_or([90, 90, 90], |g| PALETTE[g % PALETTE.len()])
}

/// A node's radius in points: grows with the square root of its statements.
#[expect(clippy::cast_precision_loss)]
pub fn radius(statements: usize) -> f32 {
    4.0 + 2.0 * (statements as f32).sqrt()
}

/// An edge's width in points: 1 to 6, by |weight| over the strongest.
#[expect(clippy::cast_possible_truncation)]
pub fn width(weight: f64, strongest: f64) -> f32 {
    1.0 + 5.0 * (weight.abs() / strongest.max(1e-9)) as f32
}

/// The strongest |weight|.
pub fn strongest(network: &Network) -> f64 {
    network
        .edges
        .iter()
        .map(|e| e.weight.abs())
        .fold(0.0, f64::max)
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The picture as SVG, `width` × `height` points, nodes at `positions` (the unit square, as
/// the layout gives them). Observed conflicts are dashed red lines.
pub fn svg(network: &Network, positions: &[[f32; 2]], width_px: f32, height_px: f32) -> String {
    // Names are written right of their node: more room on that side.
    let (margin, right) = (40.0, (width_px * 0.2).clamp(40.0, 220.0));
    let at = |i: usize| {
        let p = positions.get(i).copied().unwrap_or([0.5, 0.5]);
        (
            margin + p[0] * (width_px - margin - right),
            margin + p[1] * (height_px - 2.0 * margin),
        )
    };
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width_px}\" height=\"{height_px}\" viewBox=\"0 0 {width_px} {height_px}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    let strongest = strongest(network);
    for e in &network.edges {
        let (a, b) = (at(e.source), at(e.target));
        if e.weight != 0.0 {
            let color = if e.weight > 0.0 { AGREE } else { DISAGREE };
            let _ = writeln!(
                out,
                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"{:.2}\" stroke-opacity=\"0.8\"><title>{} — {}: {}</title></line>",
                a.0,
                a.1,
                b.0,
                b.1,
                hex(color),
                width(e.weight, strongest),
                escape(&network.nodes[e.source].name),
                escape(&network.nodes[e.target].name),
                e.weight
            );
        }
        if e.observed_conflicts > 0 {
            let _ = writeln!(
                out,
                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"><title>{} observed conflict(s)</title></line>",
                a.0,
                a.1,
                b.0,
                b.1,
                hex(DISAGREE),
                e.observed_conflicts
            );
        }
    }
    for (i, node) in network.nodes.iter().enumerate() {
        let (x, y) = at(i);
        let r = radius(node.statements);
        if node.kind == crate::core::entities::EntityKind::Concept {
            let _ = writeln!(
                out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/>",
                x - r,
                y - r,
                2.0 * r,
                2.0 * r,
                hex(CONCEPT)
            );
        } else {
            let _ = writeln!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" fill=\"{}\"/>",
                hex(group_color(node.group))
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" dominant-baseline=\"middle\">{}</text>",
            x + r + 3.0,
            y,
            escape(&node.name)
        );
    }
    out.push_str("</svg>\n");
    out
}
