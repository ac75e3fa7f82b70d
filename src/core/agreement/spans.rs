//! Span level, as bratiaa reports it: F1 per annotator pair (exact or overlapping spans, or
//! tokens), per label and document, then the mean and SD over the pairs.

use std::collections::BTreeMap;

use super::super::annotation::Str;
use super::indexed::{self, IDoc, IUnit};
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
    let report = super::Report::compute(study, tokens);
    match matching {
        Matching::Exact => report.exact,
        Matching::Overlap => report.overlap,
        Matching::Tokens => report.token_f1,
    }
}

/// One document's matches: `[p * labels + l]` for pair `p` and the document's label `l`
/// (matching needs the same label, so every pair and label is matched on its own); `None`
/// for token matching without a text.
pub(super) fn measure(
    doc: &IDoc,
    pairs: &[(usize, usize)],
    labels: usize,
    matching: Matching,
) -> Option<Vec<Counts>> {
    let mut out = Vec::with_capacity(pairs.len() * labels);
    if matching == Matching::Tokens {
        // Each layer's token pieces once per label, not once per pair.
        let tokens = doc.tokens.as_deref()?;
        let ids: Vec<Vec<Vec<u32>>> = (0..doc.units.len())
            .map(|a| {
                (0..labels)
                    .map(|l| indexed::token_ids(doc.of(a, l), tokens))
                    .collect()
            })
            .collect();
        for &(i, j) in pairs {
            for (ta, tb) in ids[i].iter().zip(&ids[j]) {
                let matched = indexed::merge_count(ta, tb);
                out.push(Counts {
                    matched,
                    only_a: ta.len() - matched,
                    only_b: tb.len() - matched,
                });
            }
        }
        return Some(out);
    }
    for &(i, j) in pairs {
        for l in 0..labels {
            out.push(match_label(doc.of(i, l), doc.of(j, l), matching));
        }
    }
    Some(out)
}

/// One matching's counts over the documents added so far.
pub(super) struct SpanTally {
    documents: Vec<String>,
    per_document: BTreeMap<String, MeanSd>,
    /// Per pair.
    totals: Vec<Counts>,
    /// `[label][pair]`, labels by their ids in the tally.
    by_label: Vec<Vec<Counts>>,
}

impl SpanTally {
    pub fn new(pairs: usize) -> Self {
        Self {
            documents: Vec::new(),
            per_document: BTreeMap::new(),
            totals: vec![Counts::default(); pairs],
            by_label: Vec::new(),
        }
    }

    /// Adds a document's [`measure`]; `global[l]` is the tally's id of the document's label `l`.
    pub fn add(&mut self, path: &str, counts: &[Counts], global: &[u32]) {
        let pairs = self.totals.len();
        let labels = global.len();
        self.documents.push(path.to_owned());
        let mut f1s = Vec::with_capacity(pairs);
        for (p, total) in self.totals.iter_mut().enumerate() {
            let mut in_doc = Counts::default();
            for (l, c) in counts[p * labels..(p + 1) * labels].iter().enumerate() {
                in_doc.add(*c);
                let g = global[l] as usize;
                if self.by_label.len() <= g {
                    self.by_label.resize(g + 1, vec![Counts::default(); pairs]);
                }
                self.by_label[g][p].add(*c);
            }
            total.add(in_doc);
            if let Some(f1) = in_doc.f1() {
                f1s.push(f1);
            }
        }
        if let Some(s) = mean_sd(&f1s) {
            self.per_document.insert(path.to_owned(), s);
        }
    }

    /// The figures: `labels` are the tally's labels by id, `order` their ids sorted by name.
    pub fn finish(
        mut self,
        annotators: &[String],
        pairs_ij: &[(usize, usize)],
        labels: &[Str],
        order: &[u32],
    ) -> SpanAgreement {
        self.by_label
            .resize(labels.len(), vec![Counts::default(); pairs_ij.len()]);
        let mut pairs = Vec::new();
        let mut overall = Vec::new();
        let mut per_label: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for (p, &(i, j)) in pairs_ij.iter().enumerate() {
            for &g in order {
                if let Some(f1) = self.by_label[g as usize][p].f1() {
                    per_label
                        .entry(labels[g as usize].to_string())
                        .or_default()
                        .push(f1);
                }
            }
            if let Some(f1) = self.totals[p].f1() {
                overall.push(f1);
            }
            pairs.push(PairScore {
                a: annotators[i].clone(),
                b: annotators[j].clone(),
                overall: self.totals[p].into(),
                per_label: order
                    .iter()
                    .map(|&g| {
                        (
                            labels[g as usize].to_string(),
                            self.by_label[g as usize][p].into(),
                        )
                    })
                    .collect(),
            });
        }
        SpanAgreement {
            annotators: annotators.to_vec(),
            documents: self.documents,
            overall: mean_sd(&overall),
            per_label: summarise(per_label),
            per_document: self.per_document,
            pairs,
        }
    }
}

/// One label's units of two layers on one document, matched (exact or overlapping extents).
fn match_label(a: &[IUnit], b: &[IUnit], matching: Matching) -> Counts {
    let (matched, len_a, len_b) = match matching {
        Matching::Overlap => (indexed::overlap(a, b), a.len(), b.len()),
        _ => indexed::exact(a, b),
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
