//! A force-directed layout (Fruchterman–Reingold) for drawing a network: deterministic (nodes
//! start on a circle; no randomness), positions in the unit square. Pure and GUI-free, so the
//! app runs it on a job.

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
}
