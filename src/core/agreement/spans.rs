//! Span level, as bratiaa reports it: F1 per annotator pair (exact or overlapping spans, or
//! tokens), per label and document, then the mean and SD over the pairs.

use std::collections::BTreeMap;

use super::{Counts, Matching, MeanSd, PairScore, Study, Tokens, Unit, compare, mean_sd};

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
    let mut documents = Vec::new();
    // Per document: per annotator, its units.
    let mut layer_units: Vec<Vec<Vec<Unit>>> = Vec::new();
    for doc in &study.documents {
        if matching == Matching::Tokens {
            let Some(text) = &doc.text else { continue };
            let cut = tokens.cut(text.as_str());
            layer_units.push(doc.units.iter().map(|us| token_units(us, &cut)).collect());
        } else {
            layer_units.push(doc.units.clone());
        }
        documents.push(doc.path.clone());
    }
    let all_labels = study.labels();
    let annotators = &study.annotators;
    let mut pairs = Vec::new();
    let mut overall = Vec::new();
    let mut per_label: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut per_document: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for i in 0..annotators.len() {
        for j in i + 1..annotators.len() {
            let mut total = Counts::default();
            let mut by_label: BTreeMap<&str, Counts> = BTreeMap::new();
            for (d, doc) in documents.iter().enumerate() {
                let (ua, ub) = (&layer_units[d][i], &layer_units[d][j]);
                let counts = compare(ua, ub, matching);
                total.add(counts);
                if let Some(f1) = counts.f1() {
                    per_document.entry(doc.clone()).or_default().push(f1);
                }
                for label in &all_labels {
                    let pick = |u: &[Unit]| -> Vec<Unit> {
                        u.iter().filter(|x| &x.label == label).cloned().collect()
                    };
                    by_label
                        .entry(label)
                        .or_default()
                        .add(compare(&pick(ua), &pick(ub), matching));
                }
            }
            for (label, counts) in &by_label {
                if let Some(f1) = counts.f1() {
                    per_label.entry((*label).to_owned()).or_default().push(f1);
                }
            }
            if let Some(f1) = total.f1() {
                overall.push(f1);
            }
            pairs.push(PairScore {
                a: annotators[i].clone(),
                b: annotators[j].clone(),
                overall: total.into(),
                per_label: by_label
                    .into_iter()
                    .map(|(k, c)| (k.to_owned(), c.into()))
                    .collect(),
            });
        }
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

pub(super) fn summarise(m: BTreeMap<String, Vec<f64>>) -> BTreeMap<String, MeanSd> {
    m.into_iter()
        .filter_map(|(k, v)| mean_sd(&v).map(|s| (k, s)))
        .collect()
}

/// The tokens each unit touches (overlaps by at least one character), as units.
pub(super) fn token_units(units: &[Unit], tokens: &[[usize; 2]]) -> Vec<Unit> {
    let mut out = Vec::new();
    for u in units {
        let first = tokens.partition_point(|t| t[1] <= u.start);
        for t in tokens[first..].iter().take_while(|t| t[0] < u.end) {
            out.push(Unit {
                label: u.label.clone(),
                start: t[0],
                end: t[1],
            });
        }
    }
    out
}
