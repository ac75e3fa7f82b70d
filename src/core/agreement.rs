//! Inter-annotator agreement.
//!
//! * Span level (as bratiaa reports it): for every pair of annotators, F1 of one layer against
//!   the other — exact (same label, same extent) or overlap (same label, overlapping, matched
//!   one to one) — per label, per document and overall; then the mean and the (population)
//!   standard deviation over the pairs.
//! * Coefficients over coded items (nominal): Cohen's kappa and Scott's pi for two coders,
//!   Fleiss' kappa and Krippendorff's alpha for any number.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::Project;

/// A span for agreement: label and extent in code points.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Unit {
    pub label: String,
    pub start: usize,
    pub end: usize,
}

/// Matches of one layer against another.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub matched: usize,
    /// In the first layer only.
    pub only_a: usize,
    /// In the second layer only.
    pub only_b: usize,
}

impl Counts {
    pub fn add(&mut self, other: Self) {
        self.matched += other.matched;
        self.only_a += other.only_a;
        self.only_b += other.only_b;
    }

    /// F1 (= Dice); `None` when both layers are empty.
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    pub fn f1(self) -> Option<f64> {
        let denominator = 2 * self.matched + self.only_a + self.only_b;
        (denominator > 0).then(|| (2 * self.matched) as f64 / denominator as f64)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matching {
    Exact,
    /// Same label and overlapping extents, each span matched at most once.
    Overlap,
}

/// Matches two sets of units.
pub fn compare(a: &[Unit], b: &[Unit], matching: Matching) -> Counts {
    match matching {
        Matching::Exact => {
            let set_a: BTreeSet<&Unit> = a.iter().collect();
            let set_b: BTreeSet<&Unit> = b.iter().collect();
            let matched = set_a.intersection(&set_b).count();
            Counts {
                matched,
                only_a: set_a.len() - matched,
                only_b: set_b.len() - matched,
            }
        }
        Matching::Overlap => {
            // Exact matches first, then the largest overlaps, greedily.
            let mut used_b = vec![false; b.len()];
            let mut matched = 0;
            let mut unmatched_a = Vec::new();
            for x in a {
                if let Some(j) = b.iter().enumerate().position(|(j, y)| !used_b[j] && y == x) {
                    used_b[j] = true;
                    matched += 1;
                } else {
                    unmatched_a.push(x);
                }
            }
            let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
            for (i, x) in unmatched_a.iter().enumerate() {
                for (j, y) in b.iter().enumerate() {
                    if !used_b[j] && x.label == y.label && x.start < y.end && y.start < x.end {
                        let overlap = x.end.min(y.end) - x.start.max(y.start);
                        candidates.push((overlap, i, j));
                    }
                }
            }
            candidates.sort_by(|p, q| q.0.cmp(&p.0).then((p.1, p.2).cmp(&(q.1, q.2))));
            let mut used_a = vec![false; unmatched_a.len()];
            for (_, i, j) in candidates {
                if !used_a[i] && !used_b[j] {
                    used_a[i] = true;
                    used_b[j] = true;
                    matched += 1;
                }
            }
            Counts {
                matched,
                only_a: a.len() - matched,
                only_b: b.len() - matched,
            }
        }
    }
}

/// Mean and population standard deviation.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MeanSd {
    pub mean: f64,
    pub sd: f64,
    /// How many values (annotator pairs).
    pub n: usize,
}

#[allow(clippy::cast_precision_loss)] // a handful of pairs
pub fn mean_sd(values: &[f64]) -> Option<MeanSd> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Some(MeanSd {
        mean,
        sd: var.sqrt(),
        n: values.len(),
    })
}

/// Span-level agreement of a project.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SpanAgreement {
    pub annotators: Vec<String>,
    pub documents: Vec<String>,
    pub overall: Option<MeanSd>,
    pub per_label: BTreeMap<String, MeanSd>,
    pub per_document: BTreeMap<String, MeanSd>,
    /// F1 of each pair over everything: (a, b, F1).
    pub pairs: Vec<(String, String, Option<f64>)>,
}

/// The units of one layer, optionally only some labels.
fn units(project: &Project, doc: &str, annotator: &str, labels: Option<&[String]>) -> Vec<Unit> {
    project
        .layers
        .get(&(doc.to_owned(), annotator.to_owned()))
        .map(|l| {
            l.annotations()
                .iter()
                .filter(|a| labels.is_none_or(|ls| ls.contains(&a.label)))
                .map(|a| Unit {
                    label: a.label.clone(),
                    start: a.start,
                    end: a.end,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Pairwise span agreement among `annotators` on the documents every one of them annotated
/// (has a layer for).
pub fn span_agreement(
    project: &Project,
    annotators: &[String],
    labels: Option<&[String]>,
    matching: Matching,
) -> SpanAgreement {
    let documents: Vec<String> = project
        .layers
        .keys()
        .map(|(d, _)| d.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|d| {
            annotators
                .iter()
                .all(|a| project.layers.contains_key(&(d.clone(), a.clone())))
        })
        .collect();
    let mut all_labels: BTreeSet<String> = BTreeSet::new();
    let mut layer_units: HashMap<(usize, usize), Vec<Unit>> = HashMap::new();
    for (d, doc) in documents.iter().enumerate() {
        for (a, annotator) in annotators.iter().enumerate() {
            let u = units(project, doc, annotator, labels);
            all_labels.extend(u.iter().map(|x| x.label.clone()));
            layer_units.insert((d, a), u);
        }
    }
    let mut pairs = Vec::new();
    let mut overall = Vec::new();
    let mut per_label: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut per_document: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for i in 0..annotators.len() {
        for j in i + 1..annotators.len() {
            let mut total = Counts::default();
            let mut by_label: BTreeMap<&str, Counts> = BTreeMap::new();
            for (d, doc) in documents.iter().enumerate() {
                let (ua, ub) = (&layer_units[&(d, i)], &layer_units[&(d, j)]);
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
            for (label, counts) in by_label {
                if let Some(f1) = counts.f1() {
                    per_label.entry(label.to_owned()).or_default().push(f1);
                }
            }
            if let Some(f1) = total.f1() {
                overall.push(f1);
            }
            pairs.push((annotators[i].clone(), annotators[j].clone(), total.f1()));
        }
    }
    let summarise = |m: BTreeMap<String, Vec<f64>>| -> BTreeMap<String, MeanSd> {
        m.into_iter()
            .filter_map(|(k, v)| mean_sd(&v).map(|s| (k, s)))
            .collect()
    };
    SpanAgreement {
        annotators: annotators.to_vec(),
        documents,
        overall: mean_sd(&overall),
        per_label: summarise(per_label),
        per_document: summarise(per_document),
        pairs,
    }
}

/// Cohen's kappa for two coders; `items` are (coder 1's value, coder 2's value).
#[allow(clippy::cast_precision_loss)]
pub fn cohen_kappa(items: &[(String, String)]) -> f64 {
    let n = items.len() as f64;
    let observed = items.iter().filter(|(a, b)| a == b).count() as f64 / n;
    let mut pa: HashMap<&str, f64> = HashMap::new();
    let mut pb: HashMap<&str, f64> = HashMap::new();
    for (a, b) in items {
        *pa.entry(a).or_default() += 1.0 / n;
        *pb.entry(b).or_default() += 1.0 / n;
    }
    let expected: f64 = pa
        .iter()
        .map(|(k, p)| p * pb.get(k).copied().unwrap_or(0.0))
        .sum();
    (observed - expected) / (1.0 - expected)
}

/// Scott's pi for two coders (expected agreement from the pooled distribution).
#[allow(clippy::cast_precision_loss)]
pub fn scott_pi(items: &[(String, String)]) -> f64 {
    let n = items.len() as f64;
    let observed = items.iter().filter(|(a, b)| a == b).count() as f64 / n;
    let mut pooled: HashMap<&str, f64> = HashMap::new();
    for (a, b) in items {
        *pooled.entry(a).or_default() += 0.5 / n;
        *pooled.entry(b).or_default() += 0.5 / n;
    }
    let expected: f64 = pooled.values().map(|p| p * p).sum();
    (observed - expected) / (1.0 - expected)
}

/// Fleiss' kappa; every item has the same number (≥ 2) of values.
#[allow(clippy::cast_precision_loss)]
pub fn fleiss_kappa(items: &[Vec<String>]) -> f64 {
    let n_items = items.len() as f64;
    let raters = items.first().map_or(0, Vec::len) as f64;
    let mut totals: HashMap<&str, f64> = HashMap::new();
    let mut p_bar = 0.0;
    for item in items {
        let mut counts: HashMap<&str, f64> = HashMap::new();
        for v in item {
            *counts.entry(v).or_default() += 1.0;
            *totals.entry(v).or_default() += 1.0;
        }
        let agree: f64 = counts.values().map(|c| c * (c - 1.0)).sum();
        p_bar += agree / (raters * (raters - 1.0));
    }
    p_bar /= n_items;
    let p_e: f64 = totals
        .values()
        .map(|c| (c / (n_items * raters)).powi(2))
        .sum();
    (p_bar - p_e) / (1.0 - p_e)
}

/// Krippendorff's alpha, nominal; each item lists the values the coders gave it (missing
/// values simply absent). Items with fewer than two values are not pairable and ignored.
#[allow(clippy::cast_precision_loss)]
pub fn krippendorff_alpha_nominal(items: &[Vec<String>]) -> f64 {
    // Coincidence matrix o[c][k].
    let mut o: HashMap<(&str, &str), f64> = HashMap::new();
    for item in items {
        let m = item.len();
        if m < 2 {
            continue;
        }
        for (i, a) in item.iter().enumerate() {
            for (j, b) in item.iter().enumerate() {
                if i != j {
                    *o.entry((a, b)).or_default() += 1.0 / (m as f64 - 1.0);
                }
            }
        }
    }
    let mut n_c: HashMap<&str, f64> = HashMap::new();
    for ((c, _), v) in &o {
        *n_c.entry(c).or_default() += v;
    }
    let n: f64 = n_c.values().sum();
    let observed: f64 = o
        .iter()
        .filter(|((c, k), _)| c != k)
        .map(|(_, v)| v)
        .sum::<f64>();
    let expected: f64 = n_c
        .iter()
        .flat_map(|(c, nc)| {
            n_c.iter()
                .filter(move |(k, _)| *k != c)
                .map(move |(_, nk)| nc * nk)
        })
        .sum::<f64>()
        / (n - 1.0);
    1.0 - observed / expected
}
