//! Token level: every token is an item coded with a label or `O`; Cohen's kappa per pair,
//! Fleiss' kappa and Krippendorff's alpha over all, per label and overall.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::super::annotation::Str;
use super::indexed::{self, IDoc};
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
    super::Report::compute(study, tokens).token
}

/// One document's tokens as rows of values, one per annotator: 0 for `O`, else the set of the
/// document's labels on the token (`values[v]`); how often each row occurs.
pub(super) struct TokenPart {
    items: u64,
    /// The document's label sets; `values[0]` is the empty set (`O`).
    values: Vec<Vec<u32>>,
    rows: Vec<(Box<[u32]>, u64)>,
}

/// [`TokenPart`] of a document, `None` without a text. Each annotator's value of each token:
/// every (token, label) a unit touches, sorted, a token's labels taken together.
pub(super) fn measure(doc: &IDoc, raters: usize) -> Option<TokenPart> {
    let cut = doc.tokens.as_ref()?;
    // 0 for O, 1 + l for label l alone, then the combinations that occur.
    let labels = doc.runs.first().map_or(0, |r| r.len() - 1);
    let mut values: Vec<Vec<u32>> = std::iter::once(Vec::new())
        .chain((0..labels).map(|l| vec![u32::try_from(l).unwrap_or(u32::MAX)]))
        .collect();
    let mut ids: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
    // codes[a * tokens + t]: annotator a's value of token t.
    let mut codes = vec![0u32; raters * cut.len()];
    let mut touched: Vec<(u32, u32)> = Vec::new();
    for (a, units) in doc.units.iter().enumerate() {
        touched.clear();
        for u in units {
            touched
                .extend(indexed::touched(cut, u).map(|t| (u32::try_from(t).unwrap_or(0), u.label)));
        }
        touched.sort_unstable();
        touched.dedup();
        let column = &mut codes[a * cut.len()..(a + 1) * cut.len()];
        let mut k = 0;
        while k < touched.len() {
            let token = touched[k].0;
            let mut end = k + 1;
            while end < touched.len() && touched[end].0 == token {
                end += 1;
            }
            column[token as usize] = if end == k + 1 {
                touched[k].1 + 1
            } else {
                let set: Vec<u32> = touched[k..end].iter().map(|p| p.1).collect();
                let next = u32::try_from(values.len()).unwrap_or(u32::MAX);
                *ids.entry(set).or_insert_with_key(|set| {
                    values.push(set.clone());
                    next
                })
            };
            k = end;
        }
    }
    let mut rows: FxHashMap<Box<[u32]>, u64> = FxHashMap::default();
    let mut outside = 0u64;
    let mut row = vec![0u32; raters];
    for t in 0..cut.len() {
        for (a, v) in row.iter_mut().enumerate() {
            *v = codes[a * cut.len() + t];
        }
        if row.iter().all(|&v| v == 0) {
            outside += 1;
        } else if let Some(n) = rows.get_mut(row.as_slice()) {
            *n += 1;
        } else {
            rows.insert(row.clone().into_boxed_slice(), 1);
        }
    }
    let mut rows: Vec<(Box<[u32]>, u64)> = rows.into_iter().collect();
    if outside > 0 {
        rows.push((vec![0; raters].into_boxed_slice(), outside));
    }
    Some(TokenPart {
        items: cut.len() as u64,
        values,
        rows,
    })
}

/// The rows of the documents added so far, their values as sets of the tally's label ids.
#[derive(Default)]
pub(super) struct TokenTally {
    items: u64,
    /// `values[0]` is `O`.
    values: Vec<Vec<u32>>,
    ids: FxHashMap<Vec<u32>, u32>,
    rows: FxHashMap<Box<[u32]>, u64>,
}

impl TokenTally {
    /// Adds a document's [`measure`]; `global[l]` is the tally's id of the document's label `l`.
    pub fn add(&mut self, part: TokenPart, global: &[u32]) {
        if self.values.is_empty() {
            self.values.push(Vec::new());
            self.ids.insert(Vec::new(), 0);
        }
        self.items += part.items;
        let to_tally: Vec<u32> = part
            .values
            .into_iter()
            .map(|set| {
                let mut set: Vec<u32> = set.iter().map(|&l| global[l as usize]).collect();
                set.sort_unstable();
                let next = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
                *self.ids.entry(set).or_insert_with_key(|set| {
                    self.values.push(set.clone());
                    next
                })
            })
            .collect();
        for (row, count) in part.rows {
            let row: Box<[u32]> = row.iter().map(|&v| to_tally[v as usize]).collect();
            *self.rows.entry(row).or_insert(0) += count;
        }
    }

    /// The coefficients: `labels` are the tally's labels by id, `order` their ids sorted by
    /// name. The values are numbered canonically first — `O`, each label alone in label
    /// order, then the combinations in label order — so the figures do not depend on the
    /// order the documents came in.
    pub fn finish(
        self,
        annotators: &[String],
        labels: &[Str],
        order: &[u32],
        tokens: Tokens,
    ) -> TokenAgreement {
        let raters = annotators.len();
        let mut rank = vec![0usize; labels.len()];
        for (r, &g) in order.iter().enumerate() {
            rank[g as usize] = r;
        }
        let mut values: Vec<(usize, Vec<usize>, usize)> = self
            .values
            .iter()
            .enumerate()
            .map(|(v, set)| {
                let ranks: Vec<usize> = {
                    let mut r: Vec<usize> = set.iter().map(|&g| rank[g as usize]).collect();
                    r.sort_unstable();
                    r
                };
                (set.len().min(2), ranks, v)
            })
            .collect();
        values.sort_unstable();
        let mut renumber = vec![0u32; values.len()];
        for (new, (_, _, old)) in values.iter().enumerate() {
            renumber[*old] = u32::try_from(new).unwrap_or(u32::MAX);
        }
        let sets: Vec<&Vec<u32>> = values.iter().map(|(_, _, v)| &self.values[*v]).collect();
        let owned: Vec<(Box<[u32]>, u64)> = self
            .rows
            .into_iter()
            .map(|(row, n)| (row.iter().map(|&v| renumber[v as usize]).collect(), n))
            .collect();
        let rows: Vec<(&[u32], u64)> = owned.iter().map(|(r, n)| (&**r, *n)).collect();
        let coefficients = |map: &[u32], k: usize| -> Coefficients {
            let mut cohen = Vec::new();
            for i in 0..raters {
                for j in i + 1..raters {
                    cohen.push((
                        annotators[i].clone(),
                        annotators[j].clone(),
                        defined(complete::cohen_kappa(&rows, i, j, map, k)),
                    ));
                }
            }
            let kappas: Vec<f64> = cohen.iter().filter_map(|c| c.2).collect();
            let (fleiss, alpha) = complete::fleiss_and_alpha(&rows, raters, map, k);
            Coefficients {
                cohen_mean: mean_sd(&kappas),
                cohen,
                fleiss: defined(fleiss),
                alpha: defined(alpha),
            }
        };
        let k = sets.len();
        let identity: Vec<u32> = (0..u32::try_from(k).unwrap_or(u32::MAX)).collect();
        let overall = coefficients(&identity, k);
        let per_label = order
            .iter()
            .map(|&g| {
                // That label (1) or O (0).
                let map: Vec<u32> = sets.iter().map(|s| u32::from(s.contains(&g))).collect();
                (labels[g as usize].to_string(), coefficients(&map, 2))
            })
            .collect();
        TokenAgreement {
            tokens,
            items: usize::try_from(self.items).unwrap_or(usize::MAX),
            overall,
            per_label,
        }
    }
}

pub(super) fn defined(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
