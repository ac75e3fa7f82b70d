//! The groups an actor network falls into: Louvain modularity on the agreement (congruence)
//! ties, from the maintained `graphrs` crate, seeded so the same network always gives the
//! same groups. Groups are numbered by size (0 the largest), ties by their first node.

use std::sync::Arc;

use graphrs::{Edge as GEdge, Graph, GraphSpecs, Node as GNode, algorithms::community};

use super::Network;

/// Sets every node's group and returns how many groups there are. Only agreement counts
/// (a one-mode edge's congruence part, or a positive weight); a node with none is a group
/// of its own.
pub fn assign(network: &mut Network) -> usize {
    let n = network.nodes.len();
    let ties: Vec<(usize, usize, f64)> = network
        .edges
        .iter()
        .map(|e| {
            let w = if network.one_mode && (e.congruence > 0.0 || e.conflict > 0.0) {
                e.congruence
            } else {
                e.weight
            };
            (e.source, e.target, w)
        })
        .filter(|t| t.2 > 0.0)
        .collect();
    let mut group_of: Vec<Option<usize>> = vec![None; n];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    if !ties.is_empty() {
        let nodes: Vec<Arc<GNode<usize, ()>>> = (0..n).map(GNode::from_name).collect();
        let edges: Vec<Arc<GEdge<usize, ()>>> = ties
            .iter()
            .map(|&(a, b, w)| GEdge::with_weight(a, b, w))
            .collect();
        if let Ok(graph) =
            Graph::new_from_nodes_and_edges(nodes, edges, GraphSpecs::undirected_create_missing())
            && let Ok(found) =
                community::louvain::louvain_communities(&graph, true, None, None, Some(7))
        {
            for set in found {
                let mut members: Vec<usize> = set.into_iter().collect();
                members.sort_unstable();
                groups.push(members);
            }
        }
    }
    for g in &groups {
        for &m in g {
            group_of[m] = Some(0);
        }
    }
    for (i, g) in group_of.iter().enumerate() {
        if g.is_none() {
            groups.push(vec![i]);
        }
    }
    groups.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    for (number, members) in groups.iter().enumerate() {
        for &m in members {
            network.nodes[m].group = Some(number);
        }
    }
    groups.len()
}
