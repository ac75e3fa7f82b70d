//! How good the suggestions are: k-fold cross-validation by document on one annotator's
//! coding. Documents (sorted by path) go round-robin into `folds` folds; each fold's documents
//! are predicted by a model trained on all the others, and compared span for span (exact
//! extent and label) with what the annotator coded. Today's string-matching suggestions
//! (`core::suggest`, built from the same training documents) are scored on the same folds, so
//! the two figures compare like with like.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::model::kinds;
use super::sentence::coded_sentences;
use super::{
    Coding, Example, Kind, RecommendError, Recommender, Span, Training, coding_of, registry_names,
};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::core::AnnotationLayer;
use crate::core::entities::Registry as Entities;
use crate::core::project::{LayerKey, Project};
use crate::core::suggest::{Settings, Suggester};
use crate::core::text::SourceText;

/// Matches and misses of one label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Suggested and coded (same extent, same label).
    pub tp: usize,
    /// Suggested, not coded.
    pub fp: usize,
    /// Coded, not suggested.
    #[serde(rename = "fn")]
    pub missed: usize,
}

impl Counts {
    fn add(&mut self, other: Self) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.missed += other.missed;
    }

    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.missed)
    }

    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.missed)
    }
}

#[allow(clippy::cast_precision_loss)]
fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Counts per label, summed over the folds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scores {
    pub per_label: BTreeMap<String, Counts>,
}

impl Scores {
    /// Every label's counts summed (micro-averaged figures).
    pub fn micro(&self) -> Counts {
        let mut all = Counts::default();
        for c in self.per_label.values() {
            all.add(*c);
        }
        all
    }

    fn score(&mut self, labels: &[String], gold: &BTreeSet<Span>, found: &BTreeSet<Span>) {
        for label in labels {
            let of = |set: &BTreeSet<Span>| -> BTreeSet<Span> {
                set.iter().filter(|s| &s.label == label).cloned().collect()
            };
            let (g, f) = (of(gold), of(found));
            let tp = g.intersection(&f).count();
            self.per_label
                .entry(label.clone())
                .or_default()
                .add(Counts {
                    tp,
                    fp: f.len() - tp,
                    missed: g.len() - tp,
                });
        }
    }
}

/// What [`evaluate`] found.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub annotator: String,
    pub folds: usize,
    pub documents: usize,
    pub labels: Vec<String>,
    /// How each label is suggested (a sentence label is measured by sentence: a suggested
    /// sentence is right when the annotator's spans of the label cover half of it).
    pub kinds: BTreeMap<String, Kind>,
    /// The learned recommenders.
    pub model: Scores,
    /// Today's string-matching suggestions.
    pub strings: Scores,
}

/// One coded document of a cross-validation.
pub struct Coded<'a> {
    pub key: &'a LayerKey,
    pub layer: &'a AnnotationLayer,
    pub text: &'a SourceText,
}

/// Cross-validates the recommenders on `annotator`'s coding of `labels` (every label they
/// coded when empty) in `folds` folds by document.
pub fn evaluate(
    project: &Project,
    annotator: &str,
    labels: &[String],
    folds: usize,
    training: Training,
) -> Result<Evaluation, RecommendError> {
    let keys: Vec<&LayerKey> = project
        .layers
        .keys()
        .filter(|k| k.annotator == annotator)
        .collect();
    let mut texts = Vec::new();
    for key in &keys {
        let text = project
            .read_text(&key.document)
            .map_err(|e| RecommendError::Crf(format!("cannot read {}: {e}", key.document)))?;
        texts.push(text.text);
    }
    let docs: Vec<Coded<'_>> = keys
        .iter()
        .zip(&texts)
        .map(|(key, text)| Coded {
            key,
            layer: &project.layers[*key],
            text,
        })
        .collect();
    let never = AtomicBool::new(false);
    cross_validate(
        &docs,
        &project.entities,
        annotator,
        labels,
        folds,
        training,
        &BTreeMap::new(),
        &never,
    )
}

/// Cross-validates on `docs` (the annotator's coded documents, sorted by path); `overrides`
/// fix the kind of some labels; stops with [`RecommendError::Cancelled`] between folds when
/// `cancel` is set.
#[allow(clippy::too_many_arguments)]
pub fn cross_validate(
    docs: &[Coded<'_>],
    entities: &Entities,
    annotator: &str,
    labels: &[String],
    folds: usize,
    training: Training,
    overrides: &BTreeMap<String, Kind>,
    cancel: &AtomicBool,
) -> Result<Evaluation, RecommendError> {
    use rayon::prelude::*;
    let labels: Vec<String> = if labels.is_empty() {
        docs.iter()
            .flat_map(|d| d.layer.annotations())
            .map(|a| a.label.to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        labels.to_vec()
    };
    if labels.is_empty() {
        return Err(RecommendError::NoLabels);
    }
    // Folds go by document: the layers of one document (several annotators' when learning
    // from everyone) are held out together, or a model would be measured on what it learned.
    let mut doc_of = Vec::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        let same = i > 0 && docs[i - 1].key.document == d.key.document;
        let last = doc_of.last().copied().unwrap_or(0);
        doc_of.push(if i == 0 || same { last } else { last + 1 });
    }
    let documents = doc_of.last().map_or(0, |&n| n + 1);
    if folds < 2 || folds > documents {
        return Err(RecommendError::Crf(format!(
            "{folds} folds need at least {folds} documents coded by {annotator} (there are {documents}), and two or more folds"
        )));
    }
    let wanted: BTreeSet<&str> = labels.iter().map(String::as_str).collect();
    // Every span the annotator coded (the sentence models abstract the other labels' spans),
    // and what is measured: the wanted labels' spans, a sentence label's as its sentences.
    let coding: Vec<Coding> = docs.iter().map(|d| coding_of(d.layer)).collect();
    let examples_of = |i: usize| Example {
        text: docs[i].text.as_str(),
        spans: coding[i].spans.clone(),
        values: coding[i].values.clone(),
        only: None,
    };
    let all: Vec<Example<'_>> = (0..docs.len()).map(examples_of).collect();
    let kinds = kinds(&all, &labels, overrides);
    let measured = |i: usize, spans: &[Span]| -> BTreeSet<Span> {
        let mut out = BTreeSet::new();
        for (label, kind) in &kinds {
            match kind {
                Kind::Span => out.extend(spans.iter().filter(|s| &s.label == label).cloned()),
                Kind::Sentence => out.extend(coded_sentences(docs[i].text.as_str(), spans, label)),
            }
        }
        out
    };
    let gold: Vec<BTreeSet<Span>> = (0..docs.len())
        .map(|i| measured(i, &coding[i].spans))
        .collect();
    // String matching from the same layers as the model (they are the chosen ones already).
    let mut settings = Settings::default();
    settings.from_everyone = true;
    settings.off_labels = docs
        .iter()
        .flat_map(|d| d.layer.annotations())
        .map(|a| a.label.to_string())
        .filter(|l| !wanted.contains(l.as_str()))
        .collect();
    let results: Vec<Result<(Scores, Scores), RecommendError>> = (0..folds)
        .into_par_iter()
        .map(|fold| {
            if cancel.load(Ordering::Relaxed) {
                return Err(RecommendError::Cancelled);
            }
            let held_out = |i: usize| doc_of[i] % folds == fold;
            let examples: Vec<Example<'_>> = (0..docs.len())
                .filter(|&i| !held_out(i))
                .map(examples_of)
                .collect();
            // The registry as the training documents' links name it.
            let names = registry_names(
                entities,
                (0..docs.len())
                    .filter(|&i| !held_out(i))
                    .map(|i| docs[i].layer),
                &labels,
            );
            let model =
                Recommender::train_with_names(&examples, &labels, training, overrides, &names)?;
            let strings = Suggester::from_layers(
                docs.iter()
                    .enumerate()
                    .filter(|(i, _)| !held_out(*i))
                    .map(|(_, d)| (d.key, d.layer)),
                entities,
                annotator,
                &settings,
            );
            let (mut learned, mut matched) = (Scores::default(), Scores::default());
            for i in (0..docs.len()).filter(|&i| held_out(i)) {
                let found: Vec<Span> = model
                    .find(docs[i].text.as_str(), &[])
                    .0
                    .into_iter()
                    .map(|f| f.span)
                    .collect();
                learned.score(&labels, &gold[i], &measured(i, &found));
                let found: Vec<Span> = strings
                    .suggest(&docs[i].key.document, docs[i].text, None, &settings)
                    .into_iter()
                    .map(|s| Span {
                        range: s.range,
                        label: s.label,
                    })
                    .collect();
                matched.score(&labels, &gold[i], &measured(i, &found));
            }
            Ok((learned, matched))
        })
        .collect();
    let (mut model, mut strings) = (Scores::default(), Scores::default());
    for result in results {
        let (learned, matched) = result?;
        for (label, c) in learned.per_label {
            model.per_label.entry(label).or_default().add(c);
        }
        for (label, c) in matched.per_label {
            strings.per_label.entry(label).or_default().add(c);
        }
    }
    Ok(Evaluation {
        annotator: annotator.to_owned(),
        folds,
        documents,
        labels,
        kinds,
        model,
        strings,
    })
}
