//! The span recommender: a linear-chain CRF over the words of each sentence, trained with
//! the averaged perceptron ([`super::perceptron`]), decoded with confidences by [`super::crf`].

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::crf::{Decoded, Weights};
use super::features::{Casing, Gazetteer, sentence_features};
use super::perceptron::Trainer;
use super::{Example, Found, RecommendError, Span, Training, bio_tags, sentences};

/// A trained span recommender: the CRF's weights and the words it knows as names (the
/// gazetteer: every word of every coded span, by label).
pub struct SpanModel {
    weights: Weights,
    gazetteer: Gazetteer,
    labels: Vec<String>,
}

/// What is stored beside the CRF's bytes.
#[derive(Serialize, Deserialize)]
pub(super) struct SpanHeader {
    pub labels: Vec<String>,
    pub gazetteer: Gazetteer,
}

impl SpanModel {
    /// Trains on `examples`, for `labels` (spans of other labels are left out). Refused when a
    /// label has fewer than [`MIN_EXAMPLES`] spans.
    pub fn train(
        examples: &[Example<'_>],
        labels: &[String],
        training: Training,
    ) -> Result<Self, RecommendError> {
        Self::train_with_names(examples, labels, training, &[])
    }

    /// As [`Self::train`], with the entity registry's names and aliases and their labels
    /// (see [`super::registry_names`]) in the gazetteer.
    pub fn train_with_names(
        examples: &[Example<'_>],
        labels: &[String],
        training: Training,
        names: &[(String, String)],
    ) -> Result<Self, RecommendError> {
        super::check_examples(examples, labels)?;
        let wanted: BTreeSet<&str> = labels.iter().map(String::as_str).collect();
        let own: Vec<Gazetteer> = examples
            .iter()
            .map(|e| Gazetteer::of_one(e, &wanted))
            .collect();
        let mut gazetteer = Gazetteer::default();
        for g in &own {
            gazetteer.add(g);
        }
        gazetteer.add_names(names);

        let mut trainer = Trainer::new();
        for (example, own) in examples.iter().zip(&own) {
            // The gazetteer of the other documents (see `Gazetteer`).
            let minus = Some(own);
            let spans: Vec<&Span> = example
                .spans
                .iter()
                .filter(|s| wanted.contains(s.label.as_str()))
                .collect();
            let casing = Casing::of(example.text);
            for words in example.sentences() {
                let tags = bio_tags(&words, &spans);
                trainer.append(sentence_features(&words, &gazetteer, minus, &casing), &tags);
            }
        }
        Ok(Self {
            weights: trainer.train(training.iterations, training.seed),
            gazetteer,
            labels: labels.to_vec(),
        })
    }

    /// A model from its stored parts; the weights must read.
    pub(super) fn from_parts(weights: &[u8], header: SpanHeader) -> Result<Self, RecommendError> {
        let weights = Weights::from_bytes(weights)
            .map_err(|e| RecommendError::Crf(format!("bad model: {e}")))?;
        Ok(Self {
            weights,
            gazetteer: header.gazetteer,
            labels: header.labels,
        })
    }

    /// The stored parts: the header and the weights' bytes.
    pub(super) fn parts(&self) -> (SpanHeader, Vec<u8>) {
        (
            SpanHeader {
                labels: self.labels.clone(),
                gazetteer: self.gazetteer.clone(),
            },
            self.weights.to_bytes(),
        )
    }

    /// The labels it was trained for.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The spans it finds in `text`, in order.
    pub fn predict(&self, text: &str) -> Vec<Span> {
        self.find(text).0.into_iter().map(|f| f.span).collect()
    }

    /// The spans it finds in `text`, in order, each with the model's confidence (the lowest
    /// probability of its words' tags, from the CRF's marginals); and how unsure it is of
    /// the text (the mean over sentences of one less the best tagging's probability).
    pub fn find(&self, text: &str) -> (Vec<Found>, f64) {
        let mut out = Vec::new();
        let (mut unsure, mut n) = (0.0, 0usize);
        let casing = Casing::of(text);
        for words in sentences(text) {
            let x = sentence_features(&words, &self.gazetteer, None, &casing);
            let Decoded {
                tags,
                confidence,
                sequence,
            } = self.weights.decode(&x);
            unsure += 1.0 - sequence;
            n += 1;
            let tags: Vec<&str> = tags
                .iter()
                .map(|&t| self.weights.labels[t].as_str())
                .collect();
            for span in super::spans_of(&words, &tags) {
                let confidence = words
                    .iter()
                    .zip(&confidence)
                    .filter(|(w, _)| {
                        span.range.start <= w.range.start && w.range.end <= span.range.end
                    })
                    .map(|(_, &p)| p)
                    .fold(1.0, f64::min);
                out.push(Found {
                    span,
                    confidence,
                    attributes: Vec::new(),
                });
            }
        }
        #[allow(clippy::cast_precision_loss)]
        let unsure = if n == 0 { 0.0 } else { unsure / n as f64 };
        (out, unsure)
    }
}
