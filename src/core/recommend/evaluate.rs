//! How good the suggestions are: k-fold cross-validation by document on one annotator's
//! coding. Documents (sorted by path) go round-robin into `folds` folds; each fold's documents
//! are predicted by a model trained on all the others, and compared span for span (exact
//! extent and label) with what the annotator coded. Today's string-matching suggestions
//! (`core::suggest`, built from the same training documents) are scored on the same folds, so
//! the two figures compare like with like.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Example, RecommendError, Span, SpanModel, Training};
use crate::core::project::{LayerKey, Project};
use crate::core::suggest::{Settings, Suggester};

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
    /// The learned span recommender.
    pub model: Scores,
    /// Today's string-matching suggestions.
    pub strings: Scores,
}

/// Cross-validates the span recommender on `annotator`'s coding of `labels` (every label they
/// coded when empty) in `folds` folds by document.
pub fn evaluate(
    project: &Project,
    annotator: &str,
    labels: &[String],
    folds: usize,
    training: Training,
) -> Result<Evaluation, RecommendError> {
    use rayon::prelude::*;
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
    let labels: Vec<String> = if labels.is_empty() {
        keys.iter()
            .flat_map(|k| project.layers[*k].annotations())
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
    if folds < 2 || folds > keys.len() {
        return Err(RecommendError::Crf(format!(
            "{folds} folds need at least {folds} documents coded by {annotator} (there are {}), and two or more folds",
            keys.len()
        )));
    }
    let wanted: BTreeSet<&str> = labels.iter().map(String::as_str).collect();
    let gold: Vec<BTreeSet<Span>> = keys
        .iter()
        .map(|k| {
            project.layers[*k]
                .annotations()
                .iter()
                .filter(|a| wanted.contains(a.label.as_str()))
                .map(|a| Span {
                    range: a.start..a.end,
                    label: a.label.to_string(),
                })
                .collect()
        })
        .collect();
    let mut settings = Settings::default();
    settings.off_labels = project
        .schema()
        .labels
        .iter()
        .map(|l| l.name.clone())
        .filter(|l| !wanted.contains(l.as_str()))
        .collect();
    let results: Vec<Result<(Scores, Scores), RecommendError>> = (0..folds)
        .into_par_iter()
        .map(|fold| {
            let held_out = |i: usize| i % folds == fold;
            let examples: Vec<Example<'_>> = (0..keys.len())
                .filter(|&i| !held_out(i))
                .map(|i| Example {
                    text: texts[i].as_str(),
                    spans: gold[i].iter().cloned().collect(),
                })
                .collect();
            let model = SpanModel::train(&examples, &labels, training)?;
            let strings = Suggester::from_layers(
                keys.iter()
                    .enumerate()
                    .filter(|(i, _)| !held_out(*i))
                    .map(|(_, k)| (*k, &project.layers[*k])),
                &project.entities,
                annotator,
                &settings,
            );
            let (mut learned, mut matched) = (Scores::default(), Scores::default());
            for i in (0..keys.len()).filter(|&i| held_out(i)) {
                let found: BTreeSet<Span> = model.predict(texts[i].as_str()).into_iter().collect();
                learned.score(&labels, &gold[i], &found);
                let found: BTreeSet<Span> = strings
                    .suggest(&keys[i].document, &texts[i], None, &settings)
                    .into_iter()
                    .map(|s| Span {
                        range: s.range,
                        label: s.label,
                    })
                    .collect();
                matched.score(&labels, &gold[i], &found);
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
        documents: keys.len(),
        labels,
        model,
        strings,
    })
}
