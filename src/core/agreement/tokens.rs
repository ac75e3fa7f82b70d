//! Token level: every token is an item coded with a label or `O`; Cohen's kappa per pair,
//! Fleiss' kappa and Krippendorff's alpha over all, per label and overall.

use std::collections::BTreeMap;

use super::{
    MeanSd, Study, Tokens, cohen_kappa, fleiss_kappa, krippendorff_alpha_nominal, mean_sd,
};

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
    // items[t][a]: the labels annotator a gave token t (sorted, deduplicated).
    let mut items: Vec<Vec<Vec<&str>>> = Vec::new();
    for doc in &study.documents {
        let Some(text) = &doc.text else { continue };
        let cut = tokens.cut(text.as_str());
        let base = items.len();
        items.extend(std::iter::repeat_n(
            vec![Vec::new(); study.annotators.len()],
            cut.len(),
        ));
        for (a, units) in doc.units.iter().enumerate() {
            for u in units {
                let first = cut.partition_point(|t| t[1] <= u.start);
                for (k, _) in cut[first..]
                    .iter()
                    .enumerate()
                    .take_while(|(_, t)| t[0] < u.end)
                {
                    items[base + first + k][a].push(u.label.as_str());
                }
            }
        }
    }
    for item in &mut items {
        for labels in item.iter_mut() {
            labels.sort_unstable();
            labels.dedup();
        }
    }
    let coefficients = |value: &dyn Fn(&[&str]) -> String| -> Coefficients {
        let coded: Vec<Vec<String>> = items
            .iter()
            .map(|item| item.iter().map(|ls| value(ls)).collect())
            .collect();
        let n = study.annotators.len();
        let mut cohen = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                let pairs: Vec<(String, String)> =
                    coded.iter().map(|c| (c[i].clone(), c[j].clone())).collect();
                cohen.push((
                    study.annotators[i].clone(),
                    study.annotators[j].clone(),
                    defined(cohen_kappa(&pairs)),
                ));
            }
        }
        let kappas: Vec<f64> = cohen.iter().filter_map(|c| c.2).collect();
        Coefficients {
            cohen_mean: mean_sd(&kappas),
            cohen,
            fleiss: defined(fleiss_kappa(&coded)),
            alpha: defined(krippendorff_alpha_nominal(&coded)),
        }
    };
    let overall = coefficients(&|ls: &[&str]| {
        if ls.is_empty() {
            OUTSIDE.to_owned()
        } else {
            ls.join("+")
        }
    });
    let per_label = study
        .labels()
        .into_iter()
        .map(|label| {
            let c = coefficients(&|ls: &[&str]| {
                if ls.contains(&label.as_str()) {
                    label.clone()
                } else {
                    OUTSIDE.to_owned()
                }
            });
            (label, c)
        })
        .collect();
    TokenAgreement {
        tokens,
        items: items.len(),
        overall,
        per_label,
    }
}

pub(super) fn defined(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
