//! A force-directed layout (Fruchterman–Reingold) for drawing a network: deterministic (nodes
//! start on a circle; no randomness), positions in the unit square. Pure and GUI-free, so the
//! app runs it on a job.

/// From this many nodes on, only nodes within `2k` repel each other (Fruchterman and
/// Reingold's grid variant): linear per step instead of quadratic.
const GRID_FROM: usize = 150;

/// Repulsion between nodes closer than `2k`, found through a grid of `2k` cells.
fn repel_nearby(pos: &[[f64; 2]], k: f64, shift: &mut [[f64; 2]]) {
    let reach = 2.0 * k;
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let cells = ((1.0 / reach).ceil() as usize).max(1);
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let cell_of = |v: f64| ((v / reach) as usize).min(cells - 1);
    let mut grid: Vec<Vec<usize>> = vec![Vec::new(); cells * cells];
    for (i, p) in pos.iter().enumerate() {
        grid[cell_of(p[1]) * cells + cell_of(p[0])].push(i);
    }
    for (i, p) in pos.iter().enumerate() {
        let (cx, cy) = (cell_of(p[0]), cell_of(p[1]));
        for y in cy.saturating_sub(1)..=(cy + 1).min(cells - 1) {
            for x in cx.saturating_sub(1)..=(cx + 1).min(cells - 1) {
                for &j in &grid[y * cells + x] {
                    if j == i {
                        continue;
                    }
                    let d = [p[0] - pos[j][0], p[1] - pos[j][1]];
                    let dist = (d[0] * d[0] + d[1] * d[1]).sqrt().max(1e-4);
                    if dist > reach {
                        continue;
                    }
                    let push = k * k / dist;
                    for c in 0..2 {
                        shift[i][c] += d[c] / dist * push;
                    }
                }
            }
        }
    }
}

/// Positions in [0, 1]² for `n` nodes tied by `edges` (a, b, weight ≥ 0 pulls harder).
pub fn force_layout(n: usize, edges: &[(usize, usize, f64)], iterations: usize) -> Vec<[f32; 2]> {
    if n == 0 {
        return Vec::new();
    }
    #[expect(clippy::cast_precision_loss)]
    let nf = n as f64;
    let mut pos: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            #[expect(clippy::cast_precision_loss)]
            let angle = std::f64::consts::TAU * i as f64 / nf;
            [0.5 + 0.4 * angle.cos(), 0.5 + 0.4 * angle.sin()]
        })
        .collect();
    let k = 0.5 * (1.0 / nf).sqrt();
    let mut temperature = 0.1;
    #[expect(clippy::cast_precision_loss)]
    let cooling = temperature / iterations.max(1) as f64;
    for _ in 0..iterations {
        let mut shift = vec![[0.0f64; 2]; n];
        if n <= GRID_FROM {
            for i in 0..n {
                for j in (i + 1)..n {
                    let d = [pos[i][0] - pos[j][0], pos[i][1] - pos[j][1]];
                    let dist = (d[0] * d[0] + d[1] * d[1]).sqrt().max(1e-4);
                    let push = k * k / dist;
                    for c in 0..2 {
                        shift[i][c] += d[c] / dist * push;
                        shift[j][c] -= d[c] / dist * push;
                    }
                }
            }
        } else {
            repel_nearby(&pos, k, &mut shift);
        }
        for &(a, b, w) in edges {
            if a >= n || b >= n || a == b {
                continue;
            }
            let d = [pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]];
            let dist = (d[0] * d[0] + d[1] * d[1]).sqrt().max(1e-4);
            let pull = dist * dist / k * w.abs().clamp(0.1, 4.0);
            for c in 0..2 {
                shift[a][c] -= d[c] / dist * pull;
                shift[b][c] += d[c] / dist * pull;
            }
        }
        // Gravity to the middle: parts that share no tie stay in view instead of drifting to
        // the edges.
        for (p, s) in pos.iter().zip(shift.iter_mut()) {
            for c in 0..2 {
                s[c] += (0.5 - p[c]) * 4.0 * k;
            }
        }
        for (p, s) in pos.iter_mut().zip(&shift) {
            let len = (s[0] * s[0] + s[1] * s[1]).sqrt().max(1e-9);
            for c in 0..2 {
                p[c] = (p[c] + s[c] / len * len.min(temperature)).clamp(0.02, 0.98);
            }
        }
        temperature = (temperature - cooling).max(0.002);
    }
    #[expect(clippy::cast_possible_truncation)]
    pos.into_iter().map(|[x, y]| [x as f32, y as f32]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tied_nodes_end_closer_than_untied_ones_and_the_layout_repeats() {
        let edges = [(0, 1, 1.0)];
        let a = force_layout(3, &edges, 200);
        let b = force_layout(3, &edges, 200);
        assert_eq!(a, b, "deterministic");
        let dist =
            |p: [f32; 2], q: [f32; 2]| ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt();
        assert!(dist(a[0], a[1]) < dist(a[0], a[2]));
        assert!(a.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
    }

    #[test]
    #[expect(clippy::cast_precision_loss)]
    fn big_networks_use_the_grid_and_still_separate_two_camps() {
        // Two cliques of 100 with no tie between them.
        let mut edges = Vec::new();
        for camp in [0, 100] {
            for i in camp..camp + 100 {
                for j in i + 1..camp + 100 {
                    edges.push((i, j, 1.0));
                }
            }
        }
        let p = force_layout(200, &edges, 150);
        assert_eq!(p, force_layout(200, &edges, 150), "deterministic");
        let centre = |r: std::ops::Range<usize>| {
            let n = r.len() as f32;
            let (x, y) = r.fold((0.0, 0.0), |(x, y), i| (x + p[i][0], y + p[i][1]));
            [x / n, y / n]
        };
        let (a, b) = (centre(0..100), centre(100..200));
        let apart = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
        let spread = |r: std::ops::Range<usize>, c: [f32; 2]| {
            let n = r.len() as f32;
            r.map(|i| ((p[i][0] - c[0]).powi(2) + (p[i][1] - c[1]).powi(2)).sqrt())
                .sum::<f32>()
                / n
        };
        assert!(apart > spread(0..100, a), "camps apart: {apart}");
    }
}
