//! A network ready to draw or write: nodes with their kind, entity attributes, statement count
//! and group; edges with their weight and, for actor networks, the congruence and conflict
//! parts it is made of and how many observed conflicts (disagreement spans) tie the two.

use std::collections::BTreeMap;

use super::statements::Extracted;
use super::{
    Aggregation, Levels, Matrix, Normalization, ObservedConflict, Statement, TwoModeAggregation,
    TwoModeNormalization, one_mode_parts, two_mode,
};
use crate::core::entities::EntityKind;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub name: String,
    pub kind: EntityKind,
    pub attributes: BTreeMap<String, String>,
    /// Statements made (actors) or made about it (concepts).
    pub statements: usize,
    /// The group the congruence network puts it in (see [`super::groups`]), once computed.
    pub group: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub source: usize,
    pub target: usize,
    pub weight: f64,
    /// One-mode: the agreement and disagreement parts (normalised like the weight).
    pub congruence: f64,
    pub conflict: f64,
    /// Disagreement spans coded `between` the two actors.
    pub observed_conflicts: usize,
}

impl Edge {
    /// −1, 0 or 1.
    pub fn sign(&self) -> i8 {
        if self.weight > 0.0 {
            1
        } else if self.weight < 0.0 {
            -1
        } else {
            0
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// Actors first, then (two-mode) concepts.
    pub nodes: Vec<Node>,
    /// Each pair once (source < target for one-mode; actor → concept for two-mode), strongest
    /// first, ties by node order.
    pub edges: Vec<Edge>,
    pub one_mode: bool,
    /// The matrix the edges were read off (rows actors; columns actors or concepts).
    pub matrix: Matrix,
}

fn node(name: &str, kind: EntityKind, extracted: &Extracted, statements: usize) -> Node {
    Node {
        name: name.to_owned(),
        kind,
        attributes: extracted
            .entities
            .get(name)
            .map(|e| e.attributes.clone())
            .unwrap_or_default(),
        statements,
        group: None,
    }
}

impl Network {
    /// The actor × actor network: an edge per pair with a non-zero weight; observed conflicts
    /// add edges of their own when the statements give the pair no tie.
    pub fn actors(
        extracted: &Extracted,
        statements: &[Statement],
        conflicts: &[ObservedConflict],
        levels: &Levels,
        aggregation: Aggregation,
        normalization: Normalization,
    ) -> Self {
        let parts = one_mode_parts(statements, levels, normalization);
        let matrix = parts.get(aggregation);
        let n = matrix.rows.len();
        let mut made: BTreeMap<&str, usize> = BTreeMap::new();
        for s in statements {
            *made.entry(s.actor.as_str()).or_insert(0) += 1;
        }
        let mut nodes: Vec<Node> = matrix
            .rows
            .iter()
            .map(|name| {
                let count = made.get(name.as_str()).copied().unwrap_or(0);
                node(name, EntityKind::Actor, extracted, count)
            })
            .collect();
        // Actors only in observed conflicts are nodes too.
        let mut index: BTreeMap<String, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        for c in conflicts {
            for name in [&c.a, &c.b] {
                if !index.contains_key(name) {
                    index.insert(name.clone(), nodes.len());
                    nodes.push(node(name, EntityKind::Actor, extracted, 0));
                }
            }
        }
        let mut observed: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for c in conflicts {
            let (a, b) = (index[&c.a], index[&c.b]);
            *observed.entry((a.min(b), a.max(b))).or_insert(0) += 1;
        }
        let mut edges = Vec::new();
        // The parts are written whatever the aggregation (with `ignore` too: issue 36, 3).
        for i in 0..nodes.len() {
            for j in i + 1..nodes.len() {
                let weight = if j < n { matrix.values[i][j] } else { 0.0 };
                let (congruence, conflict) = if j < n {
                    (parts.congruence[i * n + j], parts.conflict[i * n + j])
                } else {
                    (0.0, 0.0)
                };
                let observed_conflicts = observed.get(&(i, j)).copied().unwrap_or(0);
                // Agreement and disagreement that net to zero (subtract) are a tie all the same
                // (issue 36, 5); in the other aggregations a zero weight is no tie.
                let nets_to_zero =
                    aggregation == Aggregation::Subtract && (congruence != 0.0 || conflict != 0.0);
                if weight != 0.0 || nets_to_zero || observed_conflicts > 0 {
                    edges.push(Edge {
                        source: i,
                        target: j,
                        weight,
                        congruence,
                        conflict,
                        observed_conflicts,
                    });
                }
            }
        }
        sort_edges(&mut edges);
        Self {
            nodes,
            edges,
            one_mode: true,
            matrix,
        }
    }

    /// The actor × concept network.
    pub fn actors_and_concepts(
        extracted: &Extracted,
        statements: &[Statement],
        levels: &Levels,
        aggregation: TwoModeAggregation,
        normalization: TwoModeNormalization,
    ) -> Self {
        let matrix = two_mode(statements, levels, aggregation, normalization);
        let mut nodes: Vec<Node> = matrix
            .rows
            .iter()
            .map(|name| {
                let n = statements.iter().filter(|s| &s.actor == name).count();
                node(name, EntityKind::Actor, extracted, n)
            })
            .collect();
        let actors = nodes.len();
        nodes.extend(matrix.columns.iter().map(|name| {
            let n = statements.iter().filter(|s| &s.concept == name).count();
            node(name, EntityKind::Concept, extracted, n)
        }));
        let mut edges = Vec::new();
        for (i, row) in matrix.values.iter().enumerate() {
            for (c, &weight) in row.iter().enumerate() {
                if weight != 0.0 {
                    edges.push(Edge {
                        source: i,
                        target: actors + c,
                        weight,
                        congruence: 0.0,
                        conflict: 0.0,
                        observed_conflicts: 0,
                    });
                }
            }
        }
        sort_edges(&mut edges);
        Self {
            nodes,
            edges,
            one_mode: false,
            matrix,
        }
    }

    /// Drops nodes without an edge (and renumbers the edges).
    pub fn drop_isolates(&mut self) {
        let mut tied = vec![false; self.nodes.len()];
        for e in &self.edges {
            tied[e.source] = true;
            tied[e.target] = true;
        }
        let mut new_index = vec![usize::MAX; self.nodes.len()];
        let mut kept = Vec::new();
        for (i, node) in std::mem::take(&mut self.nodes).into_iter().enumerate() {
            if tied[i] {
                new_index[i] = kept.len();
                kept.push(node);
            }
        }
        self.nodes = kept;
        for e in &mut self.edges {
            e.source = new_index[e.source];
            e.target = new_index[e.target];
        }
    }

    /// Edges over possible edges (pairs of actors; actor–concept pairs for two-mode).
    pub fn density(&self) -> f64 {
        let actors = self
            .nodes
            .iter()
            .filter(|n| n.kind == EntityKind::Actor)
            .count();
        let possible = if self.one_mode {
            actors * actors.saturating_sub(1) / 2
        } else {
            actors * (self.nodes.len() - actors)
        };
        if possible == 0 {
            return 0.0;
        }
        #[expect(clippy::cast_precision_loss)]
        let density = self.edges.len() as f64 / possible as f64;
        density
    }

    /// Σ |weight| of each node's edges.
    pub fn weighted_degree(&self) -> Vec<f64> {
        let mut degree = vec![0.0; self.nodes.len()];
        for e in &self.edges {
            degree[e.source] += e.weight.abs();
            degree[e.target] += e.weight.abs();
        }
        degree
    }

    /// Keeps only edges with |weight| ≥ `minimum` (observed conflicts stay).
    pub fn keep_edges_from(&mut self, minimum: f64) {
        self.edges
            .retain(|e| e.weight.abs() >= minimum || e.observed_conflicts > 0);
    }
}

fn sort_edges(edges: &mut [Edge]) {
    edges.sort_by(|a, b| {
        b.weight
            .abs()
            .total_cmp(&a.weight.abs())
            .then(b.observed_conflicts.cmp(&a.observed_conflicts))
            .then((a.source, a.target).cmp(&(b.source, b.target)))
    });
}
