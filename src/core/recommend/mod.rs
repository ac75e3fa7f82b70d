//! Suggestions that learn from the project's own coding: a span recommender — a linear-chain
//! CRF over the words of each sentence, trained with the averaged perceptron
//! ([`perceptron`]) and decoded with confidences ([`crf`]) — for the short labels (actors),
//! and a sentence recommender ([`sentence`]) for labels coded on whole sentences (claims), with
//! their attribute values. [`Recommender`] holds both; [`learn`] trains them from a project
//! snapshot, measures them and stores them.
//!
//! Why a CRF: the names analysts code (actors, places, organisations) are recognised from
//! their shape and company as much as from a list — capitals, the word before ("minister",
//! "said"), the word's ending, its place in the sentence — and a CRF weighs exactly those,
//! with the tags of neighbouring words, on a few hundred examples, in seconds, with no model
//! to download. The `crfs` crate (`CRFsuite` in Rust) was tried first and measured
//! (BENCHMARKS.md, "Suggestions that learn"): its L-BFGS was 15 times slower than its
//! averaged perceptron for 0.01 F1, and its perceptron on 1,000 documents took 18 s and 420 MB,
//! where the trainer here takes 6 s and 110 MB for the same F1 — and gives the marginals its
//! tagger did not. Training is deterministic: the same coding trains the same model, so the
//! same suggestions.
//!
//! Each word is tagged `B-label`, `I-label` or `O` (the BIO scheme); a span is a `B` and the
//! `I`s of the same label after it. Words are UAX #29 word pieces (spaces and punctuation
//! between them dropped), sentences UAX #29 sentences. Offsets are code points, as
//! everywhere in the project.
//!
//! [`evaluate`] measures it by k-fold cross-validation by document, beside today's
//! string-matching suggestions on the same folds.

mod crf;
mod evaluate;
mod features;
mod learn;
mod model;
mod perceptron;
mod sentence;
mod spans;

use std::ops::Range;

pub use evaluate::{Coded, Counts, Evaluation, Scores, cross_validate, evaluate};
pub use learn::{FOLDS, Learned, NOT_MEASURED, Snapshot, learn, load_model, model_path};
pub use model::{Kind, Recommender};
pub use sentence::SentenceModel;
pub use spans::SpanModel;
use unicode_segmentation::UnicodeSegmentation;

/// A word of a text: its code-point range and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'t> {
    pub range: Range<usize>,
    pub text: &'t str,
}

/// The sentences of `text`, each as its words (UAX #29; pieces of only spaces or punctuation
/// are not words, but punctuation is kept as a word of its own when it is not space).
pub fn sentences(text: &str) -> Vec<Vec<Word<'_>>> {
    let mut out = Vec::new();
    let mut chars = 0;
    for sentence in text.split_sentence_bounds() {
        let mut words = Vec::new();
        for piece in sentence.split_word_bounds() {
            let n = piece.chars().count();
            if !piece.trim().is_empty() {
                words.push(Word {
                    range: chars..chars + n,
                    text: piece,
                });
            }
            chars += n;
        }
        if !words.is_empty() {
            out.push(words);
        }
    }
    out
}

/// A coded span as the recommender sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Span {
    pub range: Range<usize>,
    pub label: String,
}

impl Ord for Span {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.range.start, self.range.end, &self.label).cmp(&(
            other.range.start,
            other.range.end,
            &other.label,
        ))
    }
}

impl PartialOrd for Span {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// One coded document to learn from: its text, its spans (of the labels learned and of the
/// others, which the sentence recommender abstracts) and their attribute values.
#[derive(Debug, Clone, Default)]
pub struct Example<'a> {
    pub text: &'a str,
    pub spans: Vec<Span>,
    /// `(span, attribute, value)`: the values the spans were given.
    pub values: Vec<(Span, String, String)>,
    /// Learn only from the sentences that overlap these ranges (a document that is not
    /// coded, whose rejected suggestions are negative evidence); all sentences when `None`.
    pub only: Option<Vec<Range<usize>>>,
}

impl<'a> Example<'a> {
    /// A coded document: every sentence is learned from.
    pub fn coded(text: &'a str, spans: Vec<Span>) -> Self {
        Self {
            text,
            spans,
            values: Vec::new(),
            only: None,
        }
    }

    /// The sentences learned from.
    pub fn sentences(&self) -> Vec<Vec<Word<'a>>> {
        let mut all = sentences(self.text);
        if let Some(only) = &self.only {
            all.retain(|words| {
                let (Some(first), Some(last)) = (words.first(), words.last()) else {
                    return false;
                };
                only.iter()
                    .any(|r| r.start < last.range.end && first.range.start < r.end)
            });
        }
        all
    }
}

/// What a layer holds for the recommender: its spans, and the attribute values given to them.
#[derive(Debug, Clone, Default)]
pub struct Coding {
    pub spans: Vec<Span>,
    pub values: Vec<(Span, String, String)>,
}

/// The spans of a layer and their text attribute values (a stance, the entity linked…).
pub fn coding_of(layer: &crate::core::AnnotationLayer) -> Coding {
    let mut out = Coding::default();
    for a in layer.annotations() {
        let span = Span {
            range: a.start..a.end,
            label: a.label.to_string(),
        };
        for (name, value) in &a.attributes {
            if let crate::core::schema::AttributeValue::Text(v) = value {
                out.values.push((span.clone(), name.clone(), v.clone()));
            }
        }
        out.spans.push(span);
    }
    out
}

/// The names and aliases of the project's entities, each with the labels of the spans that
/// link to it in `layers` — or, for an entity no span links to, the label named as its kind
/// (`actor`) when that label is among `labels`. For the span model's gazetteer.
pub fn registry_names<'a>(
    entities: &crate::core::entities::Registry,
    layers: impl Iterator<Item = &'a crate::core::AnnotationLayer>,
    labels: &[String],
) -> Vec<(String, String)> {
    use crate::core::schema::{AttributeValue, ENTITY_ATTRIBUTE};
    let mut linked: std::collections::BTreeMap<&str, std::collections::BTreeSet<String>> =
        std::collections::BTreeMap::new();
    for layer in layers {
        for a in layer.annotations() {
            if let Some(AttributeValue::Text(id)) = a.attributes.get(ENTITY_ATTRIBUTE) {
                linked
                    .entry(id.as_str())
                    .or_default()
                    .insert(a.label.to_string());
            }
        }
    }
    let mut out = Vec::new();
    for e in entities.entities() {
        let kind = e.kind.as_str().to_owned();
        let labels_of: Vec<String> = match linked.get(e.id.as_str()) {
            Some(l) => l.iter().cloned().collect(),
            None if labels.contains(&kind) => vec![kind],
            None => Vec::new(),
        };
        for label in labels_of {
            for name in std::iter::once(&e.name).chain(&e.aliases) {
                out.push((name.clone(), label.clone()));
            }
        }
    }
    out
}

/// A suggestion of a recommender: a span, how sure the model is of it (0–1), and the
/// attribute values it proposes with it (the sentence recommender's stance, concept…).
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub span: Span,
    pub confidence: f64,
    pub attributes: Vec<(String, String)>,
}

/// Why a model cannot be trained.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecommendError {
    #[error(
        "label \"{label}\" has {found} coded span(s) in the documents learned from; the model needs at least {MIN_EXAMPLES}"
    )]
    TooFewExamples { label: String, found: usize },
    #[error("no label to learn: choose one or more labels")]
    NoLabels,
    #[error("{0}")]
    Crf(String),
    #[error("cancelled")]
    Cancelled,
}

/// Spans a label needs before a model is trained on it.
pub const MIN_EXAMPLES: usize = 2;

/// Refuses training with no label, or a label with fewer than [`MIN_EXAMPLES`] spans.
fn check_examples(examples: &[Example<'_>], labels: &[String]) -> Result<(), RecommendError> {
    if labels.is_empty() {
        return Err(RecommendError::NoLabels);
    }
    for label in labels {
        let found = examples
            .iter()
            .flat_map(|e| &e.spans)
            .filter(|s| &s.label == label)
            .count();
        if found < MIN_EXAMPLES {
            return Err(RecommendError::TooFewExamples {
                label: label.clone(),
                found,
            });
        }
    }
    Ok(())
}

/// How many of the words' characters `range` covers.
fn covered(words: &[Word<'_>], range: &Range<usize>) -> usize {
    words
        .iter()
        .map(|w| {
            w.range
                .end
                .min(range.end)
                .saturating_sub(w.range.start.max(range.start))
        })
        .sum()
}

/// Shuffles `order` in place (Fisher–Yates with xorshift): the same `state` gives the same
/// order, and is advanced for the next pass.
fn shuffle(order: &mut [usize], state: &mut u64) {
    for i in (1..order.len()).rev() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        #[allow(clippy::cast_possible_truncation)]
        let j = (*state % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
}

/// Training settings (the default is what BENCHMARKS.md measured).
#[derive(Debug, Clone, Copy)]
pub struct Training {
    /// Passes of the averaged perceptron over the coded sentences.
    pub iterations: usize,
    /// The seed of the order the sentences are visited in, each pass: the same seed and the
    /// same coding train the same model.
    pub seed: u64,
}

impl Default for Training {
    /// Eight passes. On the `CoNLL` Spanish documents (5-fold, BENCHMARKS.md) the F1 was 0.549
    /// after 5 passes, 0.571 after 8, 0.560 after 12, 0.570 after 20 (on bratiaa's documents
    /// 0.408, 0.449, 0.452, 0.446): past 8 it only costs time. `crfs`'s L-BFGS (tried first)
    /// trained 15 times slower than a perceptron for 0.01 F1, too slow to retrain a model as
    /// the analyst codes.
    fn default() -> Self {
        Self {
            iterations: 8,
            seed: 2002,
        }
    }
}

/// Each word's tag for the gold `spans`: `B-label` on the word a span starts in, `I-label` on
/// the words after it that it covers, `O` elsewhere.
fn bio_tags(words: &[Word<'_>], spans: &[&Span]) -> Vec<String> {
    words
        .iter()
        .map(|w| {
            spans
                .iter()
                .find(|s| s.range.start < w.range.end && w.range.start < s.range.end)
                .map_or_else(
                    || "O".to_owned(),
                    |s| {
                        if s.range.start >= w.range.start {
                            format!("B-{}", s.label)
                        } else {
                            format!("I-{}", s.label)
                        }
                    },
                )
        })
        .collect()
}

/// The spans a tag sequence marks: a `B-x` and the `I-x`s right after it (an `I-x` with no `B`
/// before it starts one too, as `CoNLL`'s evaluation reads it).
fn spans_of(words: &[Word<'_>], tags: &[&str]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut open: Option<Span> = None;
    for (w, tag) in words.iter().zip(tags) {
        let (kind, label) = tag.split_once('-').unwrap_or((tag, ""));
        match (kind, &mut open) {
            ("I", Some(span)) if span.label == label => span.range.end = w.range.end,
            ("B" | "I", _) => {
                out.extend(open.take());
                open = Some(Span {
                    range: w.range.clone(),
                    label: label.to_owned(),
                });
            }
            _ => out.extend(open.take()),
        }
    }
    out.extend(open);
    out
}

/// The span of `label` over the first `part` of `text` (for tests).
#[cfg(test)]
fn span_at(text: &str, part: &str, label: &str) -> Span {
    let byte = text.find(part).unwrap_or(0);
    let start = text[..byte].chars().count();
    Span {
        range: start..start + part.chars().count(),
        label: label.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::span_at as span;

    #[test]
    fn words_and_tags_round_trip_a_span() {
        let text = "Sergei Lavrov met John Kerry in Geneva.";
        let words = &sentences(text)[0];
        assert_eq!(
            words.iter().map(|w| w.text).collect::<Vec<_>>(),
            [
                "Sergei", "Lavrov", "met", "John", "Kerry", "in", "Geneva", "."
            ]
        );
        let gold = [
            span(text, "Sergei Lavrov", "actor"),
            span(text, "Geneva", "place"),
        ];
        let tags = bio_tags(words, &gold.iter().collect::<Vec<_>>());
        assert_eq!(tags[..3], ["B-actor", "I-actor", "O"]);
        let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
        assert_eq!(spans_of(words, &tags), gold);
    }

    #[test]
    fn too_few_examples_are_refused_in_plain_words() {
        let text = "Lavrov spoke.";
        let one = [Example::coded(text, vec![span(text, "Lavrov", "actor")])];
        let err = SpanModel::train(&one, &["actor".to_owned()], Training::default())
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "label \"actor\" has 1 coded span(s) in the documents learned from; the model needs at least 2"
        );
        assert!(SpanModel::train(&one, &[], Training::default()).is_err());
    }

    /// The same coding and seed train the same model: the same bytes, the same suggestions.
    #[test]
    fn training_is_deterministic_and_finds_an_unseen_name_by_its_company() {
        let texts = [
            "Minister Lavrov said the talks failed.",
            "Minister Kerry said the plan works.",
            "Minister Lavrov said nothing.",
            "Minister Kerry said it again.",
        ];
        let examples: Vec<Example<'_>> = texts
            .iter()
            .map(|t| Example::coded(t, vec![span(t, t.split(' ').nth(1).unwrap(), "actor")]))
            .collect();
        let labels = ["actor".to_owned()];
        let a = SpanModel::train(&examples, &labels, Training::default()).unwrap();
        let b = SpanModel::train(&examples, &labels, Training::default()).unwrap();
        assert_eq!(a.parts().1, b.parts().1);
        assert!(!a.parts().1.is_empty());
        let text = "Minister Zarif said the talks failed.";
        assert_eq!(a.predict(text), vec![span(text, "Zarif", "actor")]);
        let (found, unsure) = a.find(text);
        assert!(found[0].confidence > 0.5 && found[0].confidence <= 1.0);
        assert!((0.0..1.0).contains(&unsure));
    }
}
