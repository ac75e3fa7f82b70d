//! Krippendorff's alpha for unitizing (αU, 1995/2004) on the characters, the documents laid
//! end to end as one continuum.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::Study;
use super::indexed::Indexed;

/// Krippendorff's alpha for unitizing, per label and overall.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnitizingAgreement {
    /// Characters in the continuum (the documents' lengths added up).
    pub length: usize,
    /// `1 − mean D_o / mean D_e` over the labels, as `DKPro` Statistics (and `INCEpTION`) do.
    pub overall: Option<f64>,
    pub per_label: BTreeMap<String, UnitizingLabel>,
}

#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct UnitizingLabel {
    pub observed: f64,
    pub expected: f64,
    pub alpha: Option<f64>,
}

/// One rater's units of one category on a continuum `[0, length)`: `(start, end)`, sorted,
/// overlaps merged.
pub(super) type Continuum = Vec<(u64, u64)>;

/// αU on the characters of the study's documents (those with a text), laid end to end.
pub fn unitizing_agreement(study: &Study) -> UnitizingAgreement {
    unitizing_agreement_of(study, &Indexed::new(study, super::Tokens::default()))
}

/// [`unitizing_agreement`] on the indexed study; the labels on all cores.
pub(super) fn unitizing_agreement_of(study: &Study, ix: &Indexed) -> UnitizingAgreement {
    let raters = study.annotators.len();
    let labels = ix.labels.len();
    let mut length: u64 = 0;
    // by_label[l][r]: rater r's units of label l on the continuum.
    let mut by_label: Vec<Vec<Continuum>> = vec![vec![Vec::new(); raters]; labels];
    for doc in &ix.docs {
        if !doc.has_text {
            continue;
        }
        for (r, units) in doc.units.iter().enumerate() {
            for u in units {
                by_label[u.label as usize][r]
                    .push((length + u.start as u64, length + u.end as u64));
            }
        }
        length += doc.chars as u64;
    }
    let per_label: BTreeMap<String, UnitizingLabel> = by_label
        .into_par_iter()
        .zip(ix.labels.par_iter())
        .filter(|(units, _)| units.iter().any(|u| !u.is_empty()))
        .map(|(mut raters_units, label)| {
            for units in &mut raters_units {
                units.sort_unstable();
                let mut merged: Continuum = Vec::with_capacity(units.len());
                for &(s, e) in units.iter() {
                    match merged.last_mut() {
                        Some(last) if s < last.1 => last.1 = last.1.max(e),
                        _ => merged.push((s, e)),
                    }
                }
                *units = merged;
            }
            let (observed, expected) = unitizing_disagreement(&raters_units, length);
            let alpha = alpha_of(observed, expected);
            (
                label.clone(),
                UnitizingLabel {
                    observed,
                    expected,
                    alpha,
                },
            )
        })
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let overall = (!per_label.is_empty()).then(|| {
        let n = per_label.len() as f64;
        let o = per_label.values().map(|l| l.observed).sum::<f64>() / n;
        let e = per_label.values().map(|l| l.expected).sum::<f64>() / n;
        alpha_of(o, e)
    });
    UnitizingAgreement {
        length: usize::try_from(length).unwrap_or(usize::MAX),
        overall: overall.flatten(),
        per_label,
    }
}

/// `1 − D_o / D_e`; 0 when both are equal (as `DKPro` does), undefined when `D_e` is 0.
pub(super) fn alpha_of(observed: f64, expected: f64) -> Option<f64> {
    if (observed - expected).abs() < f64::EPSILON {
        Some(0.0)
    } else if expected == 0.0 {
        None
    } else {
        Some(1.0 - observed / expected)
    }
}

/// A stretch of a rater's continuum: `(start, end, is_unit)`.
pub(super) fn segments(units: &[(u64, u64)], length: u64) -> Vec<(u64, u64, bool)> {
    let mut out = Vec::with_capacity(2 * units.len() + 1);
    let mut pos = 0;
    for &(s, e) in units {
        if s > pos {
            out.push((pos, s, false));
        }
        out.push((s, e, true));
        pos = e;
    }
    if pos < length {
        out.push((pos, length, false));
    }
    out
}

/// δ² of two overlapping segments (Krippendorff 1995): two units differ by their ends; a unit
/// inside the other's gap costs its length squared; anything else agrees.
#[allow(clippy::cast_precision_loss)]
pub fn unitizing_distance(g: (u64, u64, bool), h: (u64, u64, bool)) -> f64 {
    let d = |a: u64, b: u64| (a as f64 - b as f64).powi(2);
    match (g.2, h.2) {
        (true, true) if g.0 < h.1 && h.0 < g.1 => d(g.0, h.0) + d(g.1, h.1),
        (true, false) if h.0 <= g.0 && g.1 <= h.1 => d(g.1, g.0),
        (false, true) if g.0 <= h.0 && h.1 <= g.1 => d(h.1, h.0),
        _ => 0.0,
    }
}

/// Observed and expected disagreement of one category (Krippendorff 2004, as `DKPro`
/// Statistics computes them).
#[allow(clippy::cast_precision_loss, clippy::many_single_char_names)]
pub fn unitizing_disagreement(raters_units: &[Continuum], length: u64) -> (f64, f64) {
    let r = raters_units.len() as f64;
    let l = length as f64;
    let segs: Vec<Vec<(u64, u64, bool)>> =
        raters_units.iter().map(|u| segments(u, length)).collect();
    // Observed: every overlapping pair of segments of every two raters.
    let mut observed = 0.0;
    for i in 0..segs.len() {
        for j in i + 1..segs.len() {
            let (a, b) = (&segs[i], &segs[j]);
            let (mut p, mut q) = (0, 0);
            while p < a.len() && q < b.len() {
                observed += unitizing_distance(a[p], b[q]);
                match a[p].1.cmp(&b[q].1) {
                    std::cmp::Ordering::Less => p += 1,
                    std::cmp::Ordering::Greater => q += 1,
                    std::cmp::Ordering::Equal => {
                        p += 1;
                        q += 1;
                    }
                }
            }
        }
    }
    let observed = 2.0 * observed / (r * (r - 1.0) * l * l);
    // Expected: every unit against every possible placement among all units and gaps.
    let unit_lengths: Vec<f64> = raters_units
        .iter()
        .flatten()
        .map(|&(s, e)| (e - s) as f64)
        .collect();
    let mut gaps: Vec<f64> = segs
        .iter()
        .flatten()
        .filter(|s| !s.2)
        .map(|s| (s.1 - s.0) as f64)
        .collect();
    gaps.sort_unstable_by(|a, b| b.total_cmp(a));
    // prefix[k] = sum of the k longest gaps.
    let mut prefix = Vec::with_capacity(gaps.len() + 1);
    prefix.push(0.0);
    for g in &gaps {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + g);
    }
    let n_c = unit_lengths.len() as f64;
    let mut sum = 0.0;
    for &lu in &unit_lengths {
        let within = (n_c - 1.0) * (2.0 * lu.powi(3) - 3.0 * lu.powi(2) + lu) / 3.0;
        // Gaps at least as long as the unit: Σ (gap − lu + 1).
        let k = gaps.partition_point(|&g| g >= lu);
        let fits = prefix[k] - k as f64 * (lu - 1.0);
        sum += within + lu * lu * fits;
    }
    let squared: f64 = unit_lengths.iter().map(|lu| lu * (lu - 1.0)).sum();
    let expected = sum * (2.0 / l) / (r * l * (r * l - 1.0) - squared);
    (observed, expected)
}
