//! Token level: every token is an item coded with a label or `O`; Cohen's kappa per pair,
//! Fleiss' kappa and Krippendorff's alpha over all, per label and overall.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::indexed::{self, Indexed};
use super::{MeanSd, Study, Tokens, complete, mean_sd};

/// Chance-corrected coefficients over the tokens, for one label or overall.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Coefficients {
    /// Cohen's kappa of each pair: (a, b, kappa); `None` when undefined (one value only).
    pub cohen: Vec<(String, String, Option<f64>)>,
    /// Mean and SD of the pairs' kappas.
    pub cohen_mean: Option<MeanSd>,
    pub fleiss: Option<f64>,
    pub alpha: Option<f64>,
}

/// Token-level agreement: every token gets, from each annotator, the label of the spans that
/// touch it (several joined by `+`), or `O`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenAgreement {
    pub tokens: Tokens,
    /// How many tokens were coded (each by every annotator).
    pub items: usize,
    pub overall: Coefficients,
    /// That label against `O` (any other label counts as `O`).
    pub per_label: BTreeMap<String, Coefficients>,
}

/// The value `O`: no label on the token.
pub const OUTSIDE: &str = "O";

pub fn token_agreement(study: &Study, tokens: Tokens) -> TokenAgreement {
    token_agreement_of(study, &Indexed::new(study, tokens), tokens)
}

/// [`token_agreement`] on the indexed study. Each annotator's value of each token is a number:
/// 0 for `O`, `1 + l` for label `l` alone, and numbers past those for the label combinations
/// that occur; the coefficients count those numbers.
pub(super) fn token_agreement_of(study: &Study, ix: &Indexed, tokens: Tokens) -> TokenAgreement {
    let raters = study.annotators.len();
    let labels = ix.labels.len();
    // sets[v]: the labels value v stands for.
    let mut sets: Vec<Vec<u32>> = std::iter::once(Vec::new())
        .chain((0..labels).map(|l| vec![u32::try_from(l).unwrap_or(u32::MAX)]))
        .collect();
    let mut combinations: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
    // codes[a][t]: annotator a's value of token t (tokens of all documents, end to end).
    let items: usize = ix
        .docs
        .iter()
        .filter_map(|d| d.tokens.as_ref())
        .map(Vec::len)
        .sum();
    let mut codes: Vec<Vec<u32>> = vec![Vec::with_capacity(items); raters];
    let mut touched: Vec<(u32, u32)> = Vec::new();
    for doc in &ix.docs {
        let Some(cut) = &doc.tokens else { continue };
        for (a, units) in doc.units.iter().enumerate() {
            // (token, label) for every token a unit touches; units are grouped by label.
            touched.clear();
            for u in units {
                touched.extend(
                    indexed::touched(cut, u).map(|t| (u32::try_from(t).unwrap_or(0), u.label)),
                );
            }
            touched.sort_unstable();
            touched.dedup();
            let column = &mut codes[a];
            let base = column.len();
            column.resize(base + cut.len(), 0);
            let mut k = 0;
            while k < touched.len() {
                let token = touched[k].0;
                let mut end = k + 1;
                while end < touched.len() && touched[end].0 == token {
                    end += 1;
                }
                column[base + token as usize] = if end == k + 1 {
                    touched[k].1 + 1
                } else {
                    let set: Vec<u32> = touched[k..end].iter().map(|p| p.1).collect();
                    let next = u32::try_from(sets.len()).unwrap_or(u32::MAX);
                    *combinations.entry(set.clone()).or_insert_with(|| {
                        sets.push(set);
                        next
                    })
                };
                k = end;
            }
        }
    }
    let values = sets.len();
    let coefficients = |map: &[u32], k: usize| -> Coefficients {
        let mut cohen = Vec::new();
        for i in 0..raters {
            for j in i + 1..raters {
                cohen.push((
                    study.annotators[i].clone(),
                    study.annotators[j].clone(),
                    defined(complete::cohen_kappa(&codes[i], &codes[j], map, k)),
                ));
            }
        }
        let kappas: Vec<f64> = cohen.iter().filter_map(|c| c.2).collect();
        let (fleiss, alpha) = complete::fleiss_and_alpha(&codes, map, k);
        Coefficients {
            cohen_mean: mean_sd(&kappas),
            cohen,
            fleiss: defined(fleiss),
            alpha: defined(alpha),
        }
    };
    let identity: Vec<u32> = (0..u32::try_from(values).unwrap_or(u32::MAX)).collect();
    let (overall, per_label) = rayon::join(
        || coefficients(&identity, values),
        || {
            (0..labels)
                .into_par_iter()
                .map(|l| {
                    // That label (1) or O (0).
                    let label = u32::try_from(l).unwrap_or(u32::MAX);
                    let map: Vec<u32> =
                        sets.iter().map(|s| u32::from(s.contains(&label))).collect();
                    (ix.labels[l].clone(), coefficients(&map, 2))
                })
                .collect::<BTreeMap<_, _>>()
        },
    );
    TokenAgreement {
        tokens,
        items: codes.first().map_or(0, Vec::len),
        overall,
        per_label,
    }
}

pub(super) fn defined(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
