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
//! Everything is computed document by document ([`Tally`]): each document's spans (of the
//! chosen annotators, on a document all of them annotated) and text are measured on their own
//! and the parts added up, so a corpus read from files is never held whole. A [`Study`] holds
//! the documents at once, for the app's panel (which has the project open anyway); it owns its
//! data, so the app computes on a thread.

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
mod tally;
mod tokens;
mod unitizing;

pub use coefficients::{cohen_kappa, fleiss_kappa, krippendorff_alpha_nominal, scott_pi};
pub use spans::{SpanAgreement, span_agreement};
pub use tally::{DocumentPart, Tally};
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
        use rayon::prelude::*;
        let failures: Vec<String> = self
            .documents
            .par_iter_mut()
            .filter(|doc| doc.text.is_none())
            .filter_map(|doc| match read_text(source_dir, &doc.path) {
                Ok(text) => {
                    doc.text = Some(text);
                    None
                }
                Err(warning) => Some(warning),
            })
            .collect();
        self.warnings.extend(failures);
    }
}

/// A document's text for the token and character measures, or the warning that leaves it out.
fn read_text(source_dir: &Path, document: &str) -> Result<Arc<SourceText>, String> {
    let path = source_dir.join(document);
    std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|b| SourceText::from_bytes(&b).map_err(|e| e.to_string()))
        .map(Arc::new)
        .map_err(|err| {
            format!(
                "{}: {err}; left out of the token and character measures",
                path.display()
            )
        })
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
    /// Every measure, on all cores: each document measured on its own, the parts added up in
    /// the study's order ([`Tally`]).
    pub fn compute(study: &Study, tokens: Tokens) -> Self {
        use rayon::prelude::*;
        let mut tally = Tally::new(study.annotators.clone(), tokens);
        let parts: Vec<DocumentPart> = study
            .documents
            .par_iter()
            .map(|doc| tally.measure(doc))
            .collect();
        for part in parts {
            tally.add(part);
        }
        for w in &study.warnings {
            tally.warn(w.clone());
        }
        tally.finish()
    }

    /// Agreement straight from the project's files, document by document ([`Tally`]): of
    /// `annotators` (optionally only `labels`), on the documents every one of them has a layer
    /// for, each file parsed for labels and extents only ([`read_layer_spans`]). Memory holds a
    /// few documents' spans and texts at a time, never the corpus's. A layer file that cannot
    /// be read leaves its document out, named in the warnings; the second value names those
    /// files, each with why.
    pub fn read(
        project: &Project,
        annotators: &[String],
        labels: Option<&[String]>,
        tokens: Tokens,
    ) -> (Self, Vec<String>) {
        let files = project.layer_files();
        let mut by_document: BTreeMap<&str, Vec<Option<&Path>>> = BTreeMap::new();
        for (key, path) in &files {
            if let Some(a) = annotators.iter().position(|a| *a == key.annotator) {
                by_document
                    .entry(key.document.as_str())
                    .or_insert_with(|| vec![None; annotators.len()])[a] = Some(path);
            }
        }
        let documents: Vec<(&str, Vec<&Path>)> = by_document
            .into_iter()
            .filter_map(|(doc, paths)| Some((doc, paths.into_iter().collect::<Option<_>>()?)))
            .collect();
        let wanted = |label: &str| labels.is_none_or(|ls| ls.iter().any(|l| l == label));
        let left_out = std::sync::Mutex::new(Vec::new());
        let mut tally = Tally::new(annotators.to_vec(), tokens);
        let read = tally.add_all(&documents, |(doc, paths)| {
            let mut units = Vec::with_capacity(paths.len());
            for path in paths {
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
                    Err(err) => {
                        if let Ok(mut left_out) = left_out.lock() {
                            left_out.push((err.to_string(), Some((*doc).to_owned())));
                        }
                        return Ok(None);
                    }
                }
            }
            let text = read_text(&project.source_dir, doc)
                .map_err(|warning| {
                    if let Ok(mut left_out) = left_out.lock() {
                        left_out.push((warning, None));
                    }
                })
                .ok();
            Ok::<_, std::convert::Infallible>(Some(StudyDocument {
                path: (*doc).to_owned(),
                text,
                units,
            }))
        });
        let Ok(()) = read;
        let mut unreadable = Vec::new();
        let mut left_out = left_out.into_inner().unwrap_or_default();
        left_out.sort();
        for (message, document) in left_out {
            match document {
                Some(doc) => {
                    tally.warn(format!("{message}; {doc} is left out of agreement"));
                    unreadable.push(message);
                }
                None => tally.warn(message),
            }
        }
        (tally.finish(), unreadable)
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
