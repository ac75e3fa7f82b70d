//! `x(i, c, k)`, how often actor `i` made a statement on concept `c` at level `k`, in one
//! dense array (actor-major, then concept, then level), and the one-mode weights of a pair
//! read off it.

use std::collections::BTreeSet;

use super::{Levels, Normalization, Statement};

pub(super) struct Counts {
    pub actors: Vec<String>,
    pub concepts: Vec<String>,
    /// The levels the array has a slot for (the schema's and any observed), lowest first.
    levels: Vec<i64>,
    /// `|k − k'| / range` for every pair of level slots.
    distance: Vec<f64>,
    x: Vec<f64>,
    /// `Σ_k x(i, c, k)`, actor-major.
    on: Vec<f64>,
    /// `Σ_c Σ_k x(i, c, k)`.
    activity: Vec<f64>,
    /// The length of each actor's concept-count vector.
    length: Vec<f64>,
    /// The concepts each actor spoke on.
    spoke_on: Vec<Vec<usize>>,
}

fn sorted_names<'a>(names: impl Iterator<Item = &'a String>) -> Vec<String> {
    names
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

impl Counts {
    pub fn new(statements: &[Statement], levels: &Levels) -> Self {
        let actors = sorted_names(statements.iter().map(|s| &s.actor));
        let concepts = sorted_names(statements.iter().map(|s| &s.concept));
        let slots: Vec<i64> = levels
            .values()
            .iter()
            .copied()
            .chain(statements.iter().map(|s| s.level))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        #[expect(clippy::cast_precision_loss)]
        let range = levels.range() as f64;
        let distance = slots
            .iter()
            .flat_map(|&a| {
                slots.iter().map(move |&b| {
                    #[expect(clippy::cast_precision_loss)]
                    let d = (a - b).abs() as f64;
                    if range > 0.0 {
                        (d / range).min(1.0)
                    } else {
                        0.0
                    }
                })
            })
            .collect();
        let (actor_count, concept_count, slot_count) = (actors.len(), concepts.len(), slots.len());
        let mut x = vec![0.0; actor_count * concept_count * slot_count];
        for s in statements {
            let (Ok(actor), Ok(concept), Ok(slot)) = (
                actors.binary_search(&s.actor),
                concepts.binary_search(&s.concept),
                slots.binary_search(&s.level),
            ) else {
                continue;
            };
            x[(actor * concept_count + concept) * slot_count + slot] += 1.0;
        }
        let on: Vec<f64> = x
            .chunks(slot_count.max(1))
            .map(|cell| cell.iter().sum())
            .collect();
        let row = |i: usize| &on[i * concept_count..(i + 1) * concept_count];
        let activity = (0..actor_count).map(|i| row(i).iter().sum()).collect();
        let length = (0..actor_count)
            .map(|i| row(i).iter().map(|v| v * v).sum::<f64>().sqrt())
            .collect();
        let spoke_on = (0..actor_count)
            .map(|i| {
                (0..concept_count)
                    .filter(|&c| on[i * concept_count + c] > 0.0)
                    .collect()
            })
            .collect();
        Self {
            actors,
            concepts,
            levels: slots,
            distance,
            x,
            on,
            activity,
            length,
            spoke_on,
        }
    }

    fn cell(&self, i: usize, c: usize) -> &[f64] {
        let l = self.levels.len();
        let at = (i * self.concepts.len() + c) * l;
        &self.x[at..at + l]
    }

    /// The (level, count) pairs of a cell with a count.
    pub fn cell_levels(&self, i: usize, c: usize) -> impl Iterator<Item = (i64, f64)> + '_ {
        self.levels
            .iter()
            .zip(self.cell(i, c))
            .filter(|(_, x)| **x > 0.0)
            .map(|(&k, &x)| (k, x))
    }

    /// `Σ_k x(i, c, k)`.
    pub fn on(&self, i: usize, c: usize) -> f64 {
        self.on[i * self.concepts.len() + c]
    }

    /// `Σ_c Σ_k x(i, c, k)`: the actor's statements.
    pub fn activity(&self, i: usize) -> f64 {
        self.activity[i]
    }

    /// Congruence, conflict and co-occurrence of actors `i` and `j`, normalised.
    pub fn pair(&self, i: usize, j: usize, normalization: Normalization) -> [f64; 3] {
        let slots = self.levels.len();
        let (mut congruence, mut conflict, mut ignore) = (0.0, 0.0, 0.0);
        // Jaccard over (concept, level) cells: only one of them, or the product of both.
        let (mut m10, mut m01, mut m11) = (0.0, 0.0, 0.0);
        let (a_on, b_on) = (&self.spoke_on[i], &self.spoke_on[j]);
        let (mut at_i, mut at_j) = (0, 0);
        // Walk the two sorted concept lists together: shared concepts give ties; for
        // Jaccard the others count as "only one of them".
        while at_i < a_on.len() || at_j < b_on.len() {
            let (ca, cb) = (a_on.get(at_i).copied(), b_on.get(at_j).copied());
            match (ca, cb) {
                (Some(a), Some(b)) if a == b => {
                    let (cell_i, cell_j) = (self.cell(i, a), self.cell(j, a));
                    ignore += self.on(i, a) * self.on(j, a);
                    for (k1, &xu) in cell_i.iter().enumerate() {
                        if xu == 0.0 {
                            continue;
                        }
                        for (k2, &yv) in cell_j.iter().enumerate() {
                            if yv == 0.0 {
                                continue;
                            }
                            let distance = self.distance[k1 * slots + k2];
                            congruence += xu * yv * (1.0 - distance);
                            conflict += xu * yv * distance;
                        }
                    }
                    for (&xu, &yv) in cell_i.iter().zip(cell_j) {
                        if yv == 0.0 {
                            m10 += xu;
                        }
                        if xu == 0.0 {
                            m01 += yv;
                        }
                        if xu > 0.0 && yv > 0.0 {
                            m11 += xu * yv;
                        }
                    }
                    at_i += 1;
                    at_j += 1;
                }
                (Some(a), b) if b.is_none_or(|b| a < b) => {
                    m10 += self.on(i, a);
                    at_i += 1;
                }
                (_, Some(b)) => {
                    m01 += self.on(j, b);
                    at_j += 1;
                }
                _ => break,
            }
        }
        let norm = match normalization {
            Normalization::None => 1.0,
            Normalization::Average => f64::midpoint(self.activity[i], self.activity[j]),
            Normalization::Jaccard => m10 + m01 + m11,
            Normalization::Cosine => self.length[i] * self.length[j],
            Normalization::DnaCosine => self.activity[i] * self.activity[j],
        };
        let scale = |w: f64| if norm == 0.0 { 0.0 } else { w / norm };
        [scale(congruence), scale(conflict), scale(ignore)]
    }
}
