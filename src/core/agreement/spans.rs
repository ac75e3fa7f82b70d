//! Span level, as bratiaa reports it: F1 per annotator pair (exact or overlapping spans, or
//! tokens), per label and document, then the mean and SD over the pairs.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::indexed::{self, IUnit, Indexed};
use super::{Counts, Matching, MeanSd, PairScore, Study, Tokens, mean_sd};

/// Pairwise F1 agreement as bratiaa reports it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SpanAgreement {
    pub annotators: Vec<String>,
    pub documents: Vec<String>,
    pub overall: Option<MeanSd>,
    pub per_label: BTreeMap<String, MeanSd>,
    pub per_document: BTreeMap<String, MeanSd>,
    /// Precision, recall and F1 of each pair, overall and per label.
    pub pairs: Vec<PairScore>,
}

impl SpanAgreement {
    /// The F1 of `a` and `b` (either order) over everything.
    pub fn pair_f1(&self, a: &str, b: &str) -> Option<f64> {
        self.pairs
            .iter()
            .find(|p| (p.a == a && p.b == b) || (p.a == b && p.b == a))
            .and_then(|p| p.overall.f1)
    }
}

/// Pairwise span agreement (exact or overlap matching), or bratiaa's token-based F1 with
/// [`Matching::Tokens`] (documents without a text are then left out).
pub fn span_agreement(study: &Study, matching: Matching, tokens: Tokens) -> SpanAgreement {
    span_agreement_of(study, &Indexed::new(study, tokens), matching)
}

/// [`span_agreement`] on the indexed study. Matching needs the same label, so every
/// (pair, document, label) is matched on its own — on all cores, document by document — and
/// the overall and per-document counts are their sums.
pub(super) fn span_agreement_of(study: &Study, ix: &Indexed, matching: Matching) -> SpanAgreement {
    let annotators = &study.annotators;
    let pairs_ij: Vec<(usize, usize)> = (0..annotators.len())
        .flat_map(|i| (i + 1..annotators.len()).map(move |j| (i, j)))
        .collect();
    let labels = ix.labels.len();
    // counts[d][p * labels + l]: document d, pair p, label l; None for a document left out.
    let counts: Vec<Option<Vec<Counts>>> = ix
        .docs
        .par_iter()
        .map(|doc| {
            let tokens = match matching {
                Matching::Tokens => Some(doc.tokens.as_deref()?),
                _ => None,
            };
            let mut out = Vec::with_capacity(pairs_ij.len() * labels);
            for &(i, j) in &pairs_ij {
                for l in 0..labels {
                    out.push(match_label(doc.of(i, l), doc.of(j, l), matching, tokens));
                }
            }
            Some(out)
        })
        .collect();
    let mut documents = Vec::new();
    let mut per_document: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut totals = vec![Counts::default(); pairs_ij.len()];
    let mut by_label = vec![Counts::default(); pairs_ij.len() * labels];
    for (doc, counts) in study.documents.iter().zip(&counts) {
        let Some(counts) = counts else { continue };
        documents.push(doc.path.clone());
        for (p, total) in totals.iter_mut().enumerate() {
            let mut in_doc = Counts::default();
            for (l, c) in counts[p * labels..(p + 1) * labels].iter().enumerate() {
                in_doc.add(*c);
                by_label[p * labels + l].add(*c);
            }
            total.add(in_doc);
            if let Some(f1) = in_doc.f1() {
                per_document.entry(doc.path.clone()).or_default().push(f1);
            }
        }
    }
    let mut pairs = Vec::new();
    let mut overall = Vec::new();
    let mut per_label: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (p, &(i, j)) in pairs_ij.iter().enumerate() {
        let pair_labels = &by_label[p * labels..(p + 1) * labels];
        for (name, counts) in ix.labels.iter().zip(pair_labels) {
            if let Some(f1) = counts.f1() {
                per_label.entry(name.clone()).or_default().push(f1);
            }
        }
        if let Some(f1) = totals[p].f1() {
            overall.push(f1);
        }
        pairs.push(PairScore {
            a: annotators[i].clone(),
            b: annotators[j].clone(),
            overall: totals[p].into(),
            per_label: ix
                .labels
                .iter()
                .zip(pair_labels)
                .map(|(k, c)| (k.clone(), (*c).into()))
                .collect(),
        });
    }
    SpanAgreement {
        annotators: annotators.clone(),
        documents,
        overall: mean_sd(&overall),
        per_label: summarise(per_label),
        per_document: summarise(per_document),
        pairs,
    }
}

/// One label's units of two layers on one document, matched.
fn match_label(
    a: &[IUnit],
    b: &[IUnit],
    matching: Matching,
    tokens: Option<&[[u32; 2]]>,
) -> Counts {
    let (matched, len_a, len_b) = match (matching, tokens) {
        (Matching::Exact, _) => indexed::exact(a, b),
        (Matching::Overlap, _) => (indexed::overlap(a, b), a.len(), b.len()),
        (Matching::Tokens, tokens) => {
            let tokens = tokens.unwrap_or_default();
            let (ta, tb) = (indexed::token_ids(a, tokens), indexed::token_ids(b, tokens));
            (indexed::merge_count(&ta, &tb), ta.len(), tb.len())
        }
    };
    Counts {
        matched,
        only_a: len_a - matched,
        only_b: len_b - matched,
    }
}

pub(super) fn summarise(m: BTreeMap<String, Vec<f64>>) -> BTreeMap<String, MeanSd> {
    m.into_iter()
        .filter_map(|(k, v)| mean_sd(&v).map(|s| (k, s)))
        .collect()
}
