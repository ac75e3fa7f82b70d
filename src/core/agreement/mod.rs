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

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use unicode_segmentation::UnicodeSegmentation;

use super::annotation::Str;
use super::project::read_layer_spans;
use super::{LayerKey, Project, SourceText};

mod coefficients;
mod complete;
mod indexed;
mod spans;
mod tokens;
mod unitizing;

pub use coefficients::{cohen_kappa, fleiss_kappa, krippendorff_alpha_nominal, scott_pi};
pub use spans::{SpanAgreement, span_agreement};
pub use tokens::{Coefficients, OUTSIDE, TokenAgreement, token_agreement};
pub use unitizing::{
    UnitizingAgreement, UnitizingLabel, unitizing_agreement, unitizing_disagreement,
    unitizing_distance,
};

/// A span for agreement: label and extent in code points.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Unit {
    /// Inline up to 24 bytes: a project's hundreds of thousands of units allocate nothing.
    pub label: Str,
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

/// Matches two sets of units: the plain definition of each matching (quadratic for overlaps),
/// kept as the reference the measures' indexed matchers are tested against.
pub fn compare(a: &[Unit], b: &[Unit], matching: Matching) -> Counts {
    match matching {
        Matching::Tokens => {
            let mut sa: Vec<&Unit> = a.iter().collect();
            let mut sb: Vec<&Unit> = b.iter().collect();
            sa.sort_unstable();
            sb.sort_unstable();
            let matched = indexed::merge_count(&sa, &sb);
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
    /// Annotation files that could not be read ([`Self::read`]), each named with why; their
    /// documents are left out (and named in `warnings`).
    pub unreadable: Vec<String>,
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
            unreadable: Vec::new(),
        }
    }

    /// Reads from the project's files only what agreement needs — the spans of `annotators`
    /// (optionally only `labels`) on the documents every one of them has a layer for — on all
    /// cores, each file parsed for labels and extents only ([`read_layer_spans`]): a tenth of
    /// the memory of opening the project. A file that cannot be read is named in
    /// [`Self::warnings`], and its document left out. Texts: [`Self::load_texts`].
    pub fn read(project: &Project, annotators: &[String], labels: Option<&[String]>) -> Self {
        use rayon::prelude::*;
        let files = project.layer_files();
        let mut by_document: BTreeMap<&str, Vec<Option<&Path>>> = BTreeMap::new();
        for (key, path) in &files {
            if let Some(a) = annotators.iter().position(|a| *a == key.annotator) {
                by_document
                    .entry(key.document.as_str())
                    .or_insert_with(|| vec![None; annotators.len()])[a] = Some(path);
            }
        }
        let wanted = |label: &str| labels.is_none_or(|ls| ls.iter().any(|l| l == label));
        let read: Vec<Result<StudyDocument, (String, &str)>> = by_document
            .into_par_iter()
            .filter_map(|(doc, paths)| {
                let paths: Option<Vec<&Path>> = paths.into_iter().collect();
                let mut units = Vec::with_capacity(annotators.len());
                for path in paths? {
                    match read_layer_spans(path) {
                        Ok(pieces) => units.push(
                            pieces
                                .into_iter()
                                .filter(|p| wanted(&p.label))
                                .map(|p| Unit {
                                    label: p.label,
                                    start: p.start,
                                    end: p.end,
                                })
                                .collect(),
                        ),
                        Err(err) => return Some(Err((err.to_string(), doc))),
                    }
                }
                Some(Ok(StudyDocument {
                    path: doc.to_owned(),
                    text: None,
                    units,
                }))
            })
            .collect();
        let mut study = Self {
            annotators: annotators.to_vec(),
            ..Self::default()
        };
        for r in read {
            match r {
                Ok(doc) => study.documents.push(doc),
                Err((err, doc)) => {
                    study
                        .warnings
                        .push(format!("{err}; {doc} is left out of agreement"));
                    study.unreadable.push(err);
                }
            }
        }
        study
    }

    /// Reads the texts not given yet from `source_dir`; one that cannot be read is named in
    /// [`Self::warnings`] and left out of the token and character measures.
    pub fn load_texts(&mut self, source_dir: &Path) {
        use rayon::prelude::*;
        let failures: Vec<String> = self
            .documents
            .par_iter_mut()
            .filter(|doc| doc.text.is_none())
            .filter_map(|doc| {
                let path = source_dir.join(&doc.path);
                match std::fs::read(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|b| SourceText::from_bytes(&b).map_err(|e| e.to_string()))
                {
                    Ok(text) => {
                        doc.text = Some(Arc::new(text));
                        None
                    }
                    Err(err) => Some(format!(
                        "{}: {err}; left out of the token and character measures",
                        path.display()
                    )),
                }
            })
            .collect();
        self.warnings.extend(failures);
    }

    /// Every label used by any annotator in the study.
    pub fn labels(&self) -> BTreeSet<String> {
        self.documents
            .iter()
            .flat_map(|d| d.units.iter().flatten().map(|u| u.label.as_str()))
            .collect::<BTreeSet<&str>>()
            .into_iter()
            .map(str::to_owned)
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
                    let whole = a.fragments().is_empty().then_some([a.start, a.end]);
                    whole
                        .into_iter()
                        .chain(a.fragments().iter().copied())
                        .map(|[start, end]| Unit {
                            label: a.label.as_str().into(),
                            start,
                            end,
                        })
                })
                .collect()
        })
        .unwrap_or_default()
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
    /// Every measure, on all cores: the study indexed once, then the measures side by side,
    /// each of them document by document or label by label.
    pub fn compute(study: &Study, tokens: Tokens) -> Self {
        let ix = indexed::Indexed::new(study, tokens);
        let span = |m| spans::span_agreement_of(study, &ix, m);
        let ((exact, overlap), (token_f1, (token, unitizing))) = rayon::join(
            || rayon::join(|| span(Matching::Exact), || span(Matching::Overlap)),
            || {
                rayon::join(
                    || span(Matching::Tokens),
                    || {
                        rayon::join(
                            || tokens::token_agreement_of(study, &ix, tokens),
                            || unitizing::unitizing_agreement_of(study, &ix),
                        )
                    },
                )
            },
        );
        Self {
            annotators: study.annotators.clone(),
            documents: study.documents.iter().map(|d| d.path.clone()).collect(),
            exact,
            overlap,
            token_f1,
            token,
            unitizing,
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
