//! Krippendorff's alpha for unitizing (αU, 1995/2004) on the characters, the documents laid
//! end to end as one continuum.

use std::collections::BTreeMap;

use super::super::annotation::Str;
use super::Study;
use super::indexed::IDoc;

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
    super::Report::compute(study, super::Tokens::default()).unitizing
}

/// One document's share of αU: its length, and for each of its labels every rater's units
/// (merged where they overlap) with the observed disagreement inside the document.
///
/// The continuum's observed disagreement is a sum over overlapping segments, and units never
/// cross a document's end (a span past it is cut there), so it is the documents' sums added up: a gap running on into the
/// next document is cut at the boundary, and a unit inside it is inside its piece. The expected
/// disagreement needs every unit's length and every gap's length on the whole continuum, so the
/// units go to the tally, which joins a gap running across documents ([`UnitizingTally::add`]).
/// The sums are integers (squared code-point distances): exact, whatever the order.
pub(super) struct UnitizingPart {
    chars: u64,
    /// `(label, each rater's units, observed)` for the document's labels with units.
    labels: Vec<(u32, Vec<Continuum>, u128)>,
}

pub(super) fn measure(doc: &IDoc) -> Option<UnitizingPart> {
    if !doc.has_text {
        return None;
    }
    let length = doc.chars as u64;
    let labels = doc.runs.first().map_or(0, |r| r.len() - 1);
    let mut out = Vec::new();
    for l in 0..labels {
        let raters: Vec<Continuum> = (0..doc.units.len())
            .map(|r| {
                // Within the document: a span past the text's end (a text that was shortened
                // since) ends with the text, never spills into the next document.
                let mut units: Continuum = doc
                    .of(r, l)
                    .iter()
                    .map(|u| ((u.start as u64).min(length), (u.end as u64).min(length)))
                    .filter(|(s, e)| s < e)
                    .collect();
                units.sort_unstable();
                merge(units)
            })
            .collect();
        if raters.iter().all(Vec::is_empty) {
            continue;
        }
        let observed = observed_sum(&raters, length);
        out.push((u32::try_from(l).unwrap_or(u32::MAX), raters, observed));
    }
    Some(UnitizingPart {
        chars: length,
        labels: out,
    })
}

/// Sorted units with the overlapping ones merged.
fn merge(units: Continuum) -> Continuum {
    let mut merged: Continuum = Vec::with_capacity(units.len());
    for (s, e) in units {
        match merged.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Σ δ² over every overlapping pair of segments of every two raters on `[0, length)`.
fn observed_sum(raters_units: &[Continuum], length: u64) -> u128 {
    let segs: Vec<Vec<(u64, u64, bool)>> =
        raters_units.iter().map(|u| segments(u, length)).collect();
    let mut observed = 0u128;
    for i in 0..segs.len() {
        for j in i + 1..segs.len() {
            let (a, b) = (&segs[i], &segs[j]);
            let (mut p, mut q) = (0, 0);
            while p < a.len() && q < b.len() {
                observed += distance(a[p], b[q]);
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
    observed
}

/// One label's continuum over the documents added so far.
struct LabelContinuum {
    /// Where each rater's last unit ended, on the continuum.
    last_end: Vec<u64>,
    observed: u128,
    /// How many units (of any rater) have each length.
    units: BTreeMap<u64, u64>,
    /// How many gaps (of any rater) have each length.
    gaps: BTreeMap<u64, u64>,
}

/// The continuum of the documents added so far, label by label (labels by the tally's ids).
#[derive(Default)]
pub(super) struct UnitizingTally {
    length: u64,
    labels: Vec<Option<LabelContinuum>>,
}

impl UnitizingTally {
    /// Adds a document's [`measure`], laid after the documents before it; `global[l]` is the
    /// tally's id of the document's label `l`.
    pub fn add(&mut self, part: UnitizingPart, global: &[u32]) {
        let offset = self.length;
        for (l, raters, observed) in part.labels {
            let g = global[l as usize] as usize;
            if self.labels.len() <= g {
                self.labels.resize_with(g + 1, || None);
            }
            let c = self.labels[g].get_or_insert_with(|| LabelContinuum {
                last_end: vec![0; raters.len()],
                observed: 0,
                units: BTreeMap::new(),
                gaps: BTreeMap::new(),
            });
            c.observed += observed;
            for (r, units) in raters.iter().enumerate() {
                for &(s, e) in units {
                    let (s, e) = (offset + s, offset + e);
                    if s > c.last_end[r] {
                        *c.gaps.entry(s - c.last_end[r]).or_insert(0) += 1;
                    }
                    *c.units.entry(e - s).or_insert(0) += 1;
                    c.last_end[r] = e;
                }
            }
        }
        self.length += part.chars;
    }

    /// The figures: `labels` are the tally's labels by id, `order` their ids sorted by name.
    #[allow(clippy::cast_precision_loss)]
    pub fn finish(self, labels: &[Str], order: &[u32]) -> UnitizingAgreement {
        let length = self.length;
        let mut per_label = BTreeMap::new();
        let mut by_id = self.labels;
        for &g in order {
            let Some(Some(mut c)) = by_id.get_mut(g as usize).map(Option::take) else {
                continue;
            };
            for &end in &c.last_end {
                if length > end {
                    *c.gaps.entry(length - end).or_insert(0) += 1;
                }
            }
            let raters = c.last_end.len();
            let (observed, expected) = disagreement(&c, raters, length);
            per_label.insert(
                labels[g as usize].to_string(),
                UnitizingLabel {
                    observed,
                    expected,
                    alpha: alpha_of(observed, expected),
                },
            );
        }
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
}

/// Observed and expected disagreement of one label's whole continuum, as
/// [`unitizing_disagreement`] defines them, from the units' and gaps' lengths: every unit
/// against every placement within units of its rater-pooled kind (`(n − 1) · l(l − 1)(2l − 1)/3`)
/// and inside every gap at least as long (`l² · Σ (gap − l + 1)`), summed exactly.
#[allow(clippy::cast_precision_loss, clippy::many_single_char_names)]
fn disagreement(c: &LabelContinuum, raters: usize, length: u64) -> (f64, f64) {
    let r = raters as f64;
    let l = length as f64;
    let observed = 2.0 * c.observed as f64 / (r * (r - 1.0) * l * l);
    let n_c: u128 = c.units.values().map(|&n| u128::from(n)).sum();
    // Gaps from the longest down, with the count and sum of those at least as long.
    let mut gaps = c.gaps.iter().rev().peekable();
    let (mut k, mut total) = (0u128, 0u128);
    let (mut sum, mut squared) = (0u128, 0u128);
    for (&lu, &count) in c.units.iter().rev() {
        while let Some(&(&g, &n)) = gaps.peek() {
            if g < lu {
                break;
            }
            k += u128::from(n);
            total += u128::from(g) * u128::from(n);
            gaps.next();
        }
        let lu = u128::from(lu);
        let within = (n_c - 1) * (lu * lu.saturating_sub(1) * (2 * lu).saturating_sub(1) / 3);
        // Σ over those gaps of (gap − lu + 1), each term ≥ 1.
        let fits = total + k - k * lu;
        sum += u128::from(count) * (within + lu * lu * fits);
        squared += u128::from(count) * lu * lu.saturating_sub(1);
    }
    let expected = sum as f64 * (2.0 / l) / (r * l * (r * l - 1.0) - squared as f64);
    (observed, expected)
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
    distance(g, h) as f64
}

/// [`unitizing_distance`] in integers.
fn distance(g: (u64, u64, bool), h: (u64, u64, bool)) -> u128 {
    let d = |a: u64, b: u64| u128::from(a.abs_diff(b)).pow(2);
    match (g.2, h.2) {
        (true, true) if g.0 < h.1 && h.0 < g.1 => d(g.0, h.0) + d(g.1, h.1),
        (true, false) if h.0 <= g.0 && g.1 <= h.1 => d(g.1, g.0),
        (false, true) if g.0 <= h.0 && h.1 <= g.1 => d(h.1, h.0),
        _ => 0,
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
    let observed = 2.0 * observed_sum(raters_units, length) as f64 / (r * (r - 1.0) * l * l);
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
