//! Inter-annotator agreement.
//!
//! * Span level (as bratiaa reports it): for every pair of annotators, F1 of one layer against
//!   the other — exact (same label, same extent) or overlap (same label, overlapping, matched
//!   one to one) — per label, per document and overall; then the mean and the (population)
//!   standard deviation over the pairs.
//! * Token level: bratiaa's token-based F1 (a span counts once per token it touches), and
//!   Cohen's kappa per pair, Fleiss' kappa and Krippendorff's alpha (nominal) over every token,
//!   with `O` for a token nobody tagged — per label (that label or `O`) and overall.
//! * Krippendorff's alpha for unitizing (αU, 1995/2004) on the characters: per label and overall,
//!   the documents laid end to end as one continuum.
//! * Coefficients over coded items (nominal): Cohen's kappa and Scott's pi for two coders,
//!   Fleiss' kappa and Krippendorff's alpha for any number.
//!
//! Everything is computed from a [`Study`]: the spans of the chosen annotators on the documents
//! all of them annotated, with the texts. It owns its data, so the app computes on a thread.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use unicode_segmentation::UnicodeSegmentation;

use super::{LayerKey, Project, SourceText};

/// A span for agreement: label and extent in code points.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Unit {
    pub label: String,
    pub start: usize,
    pub end: usize,
}

/// Matches of one layer against another.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
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

    /// The first layer's precision with the second as reference; `None` when the first is empty.
    #[allow(clippy::cast_precision_loss)]
    pub fn precision(self) -> Option<f64> {
        let n = self.matched + self.only_a;
        (n > 0).then(|| self.matched as f64 / n as f64)
    }

    /// The first layer's recall with the second as reference; `None` when the second is empty.
    #[allow(clippy::cast_precision_loss)]
    pub fn recall(self) -> Option<f64> {
        let n = self.matched + self.only_b;
        (n > 0).then(|| self.matched as f64 / n as f64)
    }
}

/// One pair's precision, recall and F1 (the first annotator against the second as reference),
/// with the counts they come from.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PairFigures {
    #[serde(flatten)]
    pub counts: Counts,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

impl From<Counts> for PairFigures {
    fn from(counts: Counts) -> Self {
        Self {
            counts,
            precision: counts.precision(),
            recall: counts.recall(),
            f1: counts.f1(),
        }
    }
}

/// One pair of annotators: over everything and per label.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PairScore {
    pub a: String,
    pub b: String,
    pub overall: PairFigures,
    pub per_label: BTreeMap<String, PairFigures>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matching {
    Exact,
    /// Same label and overlapping extents, each span matched at most once.
    Overlap,
    /// Units are (label, token) pieces and counted as a multiset, as bratiaa's token-based F1
    /// does: a span becomes one unit per token it touches.
    Tokens,
}

/// Matches two sets of units.
pub fn compare(a: &[Unit], b: &[Unit], matching: Matching) -> Counts {
    match matching {
        Matching::Tokens => {
            let mut sa: Vec<&Unit> = a.iter().collect();
            let mut sb: Vec<&Unit> = b.iter().collect();
            sa.sort_unstable();
            sb.sort_unstable();
            let (mut i, mut j, mut matched) = (0, 0, 0);
            while i < sa.len() && j < sb.len() {
                match sa[i].cmp(sb[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        matched += 1;
                        i += 1;
                        j += 1;
                    }
                }
            }
            Counts {
                matched,
                only_a: a.len() - matched,
                only_b: b.len() - matched,
            }
        }
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

/// How a text is cut into tokens for the token-level measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tokens {
    /// Runs of non-whitespace (`\S+`), as bratiaa cuts them.
    #[default]
    Whitespace,
    /// Unicode words and punctuation (UAX #29), whitespace left out.
    Words,
}

impl Tokens {
    /// Tokens of `text` as `[start, end)` code-point ranges, in order.
    pub fn cut(self, text: &str) -> Vec<[usize; 2]> {
        let mut out = Vec::new();
        let mut chars = 0;
        match self {
            Self::Whitespace => {
                let mut start = None;
                for c in text.chars() {
                    match (c.is_whitespace(), start) {
                        (false, None) => start = Some(chars),
                        (true, Some(s)) => {
                            out.push([s, chars]);
                            start = None;
                        }
                        _ => {}
                    }
                    chars += 1;
                }
                if let Some(s) = start {
                    out.push([s, chars]);
                }
            }
            Self::Words => {
                for word in text.split_word_bounds() {
                    let n = word.chars().count();
                    if !word.chars().all(char::is_whitespace) {
                        out.push([chars, chars + n]);
                    }
                    chars += n;
                }
            }
        }
        out
    }
}

/// One document of a [`Study`].
#[derive(Debug, Clone)]
pub struct StudyDocument {
    pub path: String,
    /// The text, when it could be read (the token and character measures need it).
    pub text: Option<Arc<SourceText>>,
    /// Each annotator's units (in [`Study::annotators`] order); a discontinuous span gives one
    /// unit per piece.
    pub units: Vec<Vec<Unit>>,
}

/// What agreement is computed on: the chosen annotators' spans on the documents every one of
/// them has a layer for. Owns its data.
#[derive(Debug, Clone, Default)]
pub struct Study {
    pub annotators: Vec<String>,
    pub documents: Vec<StudyDocument>,
    /// Documents left out of the token and character measures, and why.
    pub warnings: Vec<String>,
}

impl Study {
    /// Takes the spans (optionally only `labels`) of `annotators` from `project`. Texts are not
    /// read here: see [`Self::load_texts`].
    pub fn from_project(
        project: &Project,
        annotators: &[String],
        labels: Option<&[String]>,
    ) -> Self {
        let documents = project
            .layers
            .keys()
            .map(|k| k.document.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter(|d| {
                annotators.iter().all(|a| {
                    project
                        .layers
                        .contains_key(&LayerKey::new((*d).to_owned(), a.clone()))
                })
            })
            .map(|doc| StudyDocument {
                path: doc.to_owned(),
                text: None,
                units: annotators
                    .iter()
                    .map(|a| units(project, doc, a, labels))
                    .collect(),
            })
            .collect();
        Self {
            annotators: annotators.to_vec(),
            documents,
            warnings: Vec::new(),
        }
    }

    /// Reads the texts not given yet from `source_dir`; one that cannot be read is named in
    /// [`Self::warnings`] and left out of the token and character measures.
    pub fn load_texts(&mut self, source_dir: &Path) {
        for doc in &mut self.documents {
            if doc.text.is_some() {
                continue;
            }
            let path = source_dir.join(&doc.path);
            match std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|b| SourceText::from_bytes(&b).map_err(|e| e.to_string()))
            {
                Ok(text) => doc.text = Some(Arc::new(text)),
                Err(err) => self.warnings.push(format!(
                    "{}: {err}; left out of the token and character measures",
                    path.display()
                )),
            }
        }
    }

    /// Every label used by any annotator in the study.
    pub fn labels(&self) -> BTreeSet<String> {
        self.documents
            .iter()
            .flat_map(|d| d.units.iter().flatten().map(|u| u.label.clone()))
            .collect()
    }
}

/// The units of one layer, optionally only some labels; one per piece of a discontinuous span.
fn units(project: &Project, doc: &str, annotator: &str, labels: Option<&[String]>) -> Vec<Unit> {
    project
        .layers
        .get(&LayerKey::new(doc.to_owned(), annotator.to_owned()))
        .map(|l| {
            l.annotations()
                .iter()
                .filter(|a| labels.is_none_or(|ls| ls.iter().any(|l| *l == a.label)))
                .flat_map(|a| {
                    let whole = a.fragments.is_empty().then_some([a.start, a.end]);
                    whole
                        .into_iter()
                        .chain(a.fragments.iter().copied())
                        .map(|[start, end]| Unit {
                            label: a.label.to_string(),
                            start,
                            end,
                        })
                })
                .collect()
        })
        .unwrap_or_default()
}

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

fn summarise(m: BTreeMap<String, Vec<f64>>) -> BTreeMap<String, MeanSd> {
    m.into_iter()
        .filter_map(|(k, v)| mean_sd(&v).map(|s| (k, s)))
        .collect()
}

/// The tokens each unit touches (overlaps by at least one character), as units.
fn token_units(units: &[Unit], tokens: &[[usize; 2]]) -> Vec<Unit> {
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

fn defined(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

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
type Continuum = Vec<(u64, u64)>;

/// αU on the characters of the study's documents (those with a text), laid end to end.
pub fn unitizing_agreement(study: &Study) -> UnitizingAgreement {
    let raters = study.annotators.len();
    let mut length: u64 = 0;
    let mut by_label: BTreeMap<String, Vec<Continuum>> = BTreeMap::new();
    for doc in &study.documents {
        let Some(text) = &doc.text else { continue };
        for (r, units) in doc.units.iter().enumerate() {
            for u in units {
                by_label
                    .entry(u.label.clone())
                    .or_insert_with(|| vec![Vec::new(); raters])[r]
                    .push((length + u.start as u64, length + u.end as u64));
            }
        }
        length += text.char_len() as u64;
    }
    let per_label: BTreeMap<String, UnitizingLabel> = by_label
        .into_iter()
        .map(|(label, mut raters_units)| {
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
                label,
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
fn alpha_of(observed: f64, expected: f64) -> Option<f64> {
    if (observed - expected).abs() < f64::EPSILON {
        Some(0.0)
    } else if expected == 0.0 {
        None
    } else {
        Some(1.0 - observed / expected)
    }
}

/// A stretch of a rater's continuum: `(start, end, is_unit)`.
fn segments(units: &[(u64, u64)], length: u64) -> Vec<(u64, u64, bool)> {
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

/// One figure of a [`Report`]: a CSV row.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub measure: &'static str,
    /// `overall`, `label`, `document` or `pair`.
    pub scope: &'static str,
    /// The label or document.
    pub key: String,
    pub pair: Option<(String, String)>,
    pub value: Option<f64>,
    /// Mean and SD over pairs, for the averaged figures.
    pub spread: Option<MeanSd>,
}

/// Everything `tagdesk agree` and the agreement panel show.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub annotators: Vec<String>,
    pub documents: Vec<String>,
    pub exact: SpanAgreement,
    pub overlap: SpanAgreement,
    /// bratiaa's token-based F1.
    pub token_f1: SpanAgreement,
    pub token: TokenAgreement,
    pub unitizing: UnitizingAgreement,
    pub warnings: Vec<String>,
}

impl Report {
    pub fn compute(study: &Study, tokens: Tokens) -> Self {
        Self {
            annotators: study.annotators.clone(),
            documents: study.documents.iter().map(|d| d.path.clone()).collect(),
            exact: span_agreement(study, Matching::Exact, tokens),
            overlap: span_agreement(study, Matching::Overlap, tokens),
            token_f1: span_agreement(study, Matching::Tokens, tokens),
            token: token_agreement(study, tokens),
            unitizing: unitizing_agreement(study),
            warnings: study.warnings.clone(),
        }
    }

    /// Every figure as a row, in the order `to_csv` writes them.
    pub fn rows(&self) -> Vec<Figure> {
        let mut rows = Vec::new();
        let mut row = |measure: &'static str,
                       scope: &'static str,
                       key: &str,
                       pair: Option<(&str, &str)>,
                       value: Option<f64>,
                       spread: Option<&MeanSd>| {
            rows.push(Figure {
                measure,
                scope,
                key: key.to_owned(),
                pair: pair.map(|(a, b)| (a.to_owned(), b.to_owned())),
                value,
                spread: spread.copied(),
            });
        };
        for (measure, precision, recall, f1) in [
            ("f1_exact", "precision_exact", "recall_exact", &self.exact),
            (
                "f1_overlap",
                "precision_overlap",
                "recall_overlap",
                &self.overlap,
            ),
            (
                "f1_token",
                "precision_token",
                "recall_token",
                &self.token_f1,
            ),
        ] {
            let o = f1.overall.as_ref();
            row(measure, "overall", "", None, o.map(|s| s.mean), o);
            for (k, s) in &f1.per_label {
                row(measure, "label", k, None, Some(s.mean), Some(s));
            }
            for (k, s) in &f1.per_document {
                row(measure, "document", k, None, Some(s.mean), Some(s));
            }
            for p in &f1.pairs {
                let pair = Some((p.a.as_str(), p.b.as_str()));
                let labels = p.per_label.iter().map(|(k, f)| ("label", k.as_str(), f));
                for (scope, key, f) in std::iter::once(("overall", "", &p.overall)).chain(labels) {
                    row(measure, scope, key, pair, f.f1, None);
                    row(precision, scope, key, pair, f.precision, None);
                    row(recall, scope, key, pair, f.recall, None);
                }
            }
        }
        let token = std::iter::once(("overall", "", &self.token.overall)).chain(
            self.token
                .per_label
                .iter()
                .map(|(k, c)| ("label", k.as_str(), c)),
        );
        for (scope, key, c) in token {
            let m = c.cohen_mean.as_ref();
            row("cohen_kappa", scope, key, None, m.map(|s| s.mean), m);
            for (a, b, v) in &c.cohen {
                row("cohen_kappa", scope, key, Some((a, b)), *v, None);
            }
            row("fleiss_kappa", scope, key, None, c.fleiss, None);
            row("krippendorff_alpha", scope, key, None, c.alpha, None);
        }
        row(
            "alpha_unitizing",
            "overall",
            "",
            None,
            self.unitizing.overall,
            None,
        );
        for (k, l) in &self.unitizing.per_label {
            row("alpha_unitizing", "label", k, None, l.alpha, None);
        }
        rows
    }

    /// One row per figure: `measure,scope,key,annotator_a,annotator_b,value,sd,pairs`.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "measure",
            "scope",
            "key",
            "annotator_a",
            "annotator_b",
            "value",
            "sd",
            "pairs",
        ]);
        let num = |x: Option<f64>| x.map_or_else(String::new, |x| format!("{x:.6}"));
        for f in self.rows() {
            let (a, b) = f.pair.unwrap_or_default();
            let _ = w.write_record([
                f.measure,
                f.scope,
                &f.key,
                &a,
                &b,
                &num(f.value),
                &num(f.spread.map(|s| s.sd)),
                &f.spread.map_or_else(String::new, |s| s.n.to_string()),
            ]);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
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
