//! The sentence recommender, for claims and other labels coded on whole sentences: "this
//! sentence is a claim", and, where the project gives its claims attribute values (a stance,
//! a concept), the likeliest value of each.
//!
//! A logistic regression over each sentence's words and word pairs, lowercased, with the
//! spans of the short labels (the actors) abstracted to one word per label ("⟨actor⟩ said
//! that…"), so that what is learned is how a claim is phrased, not who made it. Trained by
//! stochastic gradient descent in a seeded order (the same coding trains the same model),
//! with the classes weighted by their size (claims are a minority of sentences). Attribute
//! values are one logistic regression per value, on the sentences that are claims.
//!
//! Why by hand and not `linfa`: the model is some forty lines; `linfa-logistic` brings
//! `ndarray` and an optimiser crate for a dense problem, and these features are sparse
//! (a few dozen of a vocabulary of tens of thousands per sentence).
//!
//! A sentence is a claim (for training and for measuring) when the label's spans cover at
//! least half of its words' characters.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Example, Found, Span, Word, sentences};

const EPOCHS: usize = 10;
const RATE: f64 = 0.1;

/// A binary logistic regression over sparse binary features.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Logistic {
    weights: BTreeMap<String, f64>,
    bias: f64,
}

impl Logistic {
    fn probability(&self, features: &[String]) -> f64 {
        let z = self.bias
            + features
                .iter()
                .filter_map(|f| self.weights.get(f))
                .sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }

    /// Trains on `(features, class)` samples, the classes weighted by their size.
    fn train(samples: &[(&[String], bool)], seed: u64) -> Self {
        let mut model = Self::default();
        let positives = samples.iter().filter(|(_, y)| *y).count();
        let negatives = samples.len() - positives;
        if positives == 0 || negatives == 0 {
            model.bias = if positives == 0 { -5.0 } else { 5.0 };
            return model;
        }
        #[allow(clippy::cast_precision_loss)]
        let (wp, wn) = (
            samples.len() as f64 / (2.0 * positives as f64),
            samples.len() as f64 / (2.0 * negatives as f64),
        );
        let mut order: Vec<usize> = (0..samples.len()).collect();
        let mut state = seed | 1;
        for epoch in 0..EPOCHS {
            super::shuffle(&mut order, &mut state);
            #[allow(clippy::cast_precision_loss)]
            let rate = RATE / (1.0 + epoch as f64 * 0.5);
            for &i in &order {
                let (features, y) = samples[i];
                let p = model.probability(features);
                let (target, weight) = if y { (1.0, wp) } else { (0.0, wn) };
                let step = rate * weight * (target - p);
                model.bias += step;
                for f in features {
                    *model.weights.entry(f.clone()).or_default() += step;
                }
            }
        }
        model.weights.retain(|_, w| w.abs() > 1e-6);
        model
    }
}

/// A trained sentence recommender for one label.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentenceModel {
    label: String,
    /// The labels whose spans are abstracted to one word.
    abstracted: BTreeSet<String>,
    is: Logistic,
    /// Per attribute, one model per value.
    values: BTreeMap<String, BTreeMap<String, Logistic>>,
}

/// Words and word pairs of a sentence, the spans of `abstracted` labels as one word each.
fn features(words: &[Word<'_>], spans: &[Span], abstracted: &BTreeSet<String>) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    let mut inside: Option<&Span> = None;
    for w in words {
        let covering = spans.iter().find(|s| {
            abstracted.contains(&s.label)
                && s.range.start <= w.range.start
                && w.range.end <= s.range.end
        });
        match covering {
            Some(s) if inside == Some(s) => {}
            Some(s) => {
                inside = Some(s);
                tokens.push(format!("⟨{}⟩", s.label));
            }
            None => {
                inside = None;
                if w.text.chars().any(char::is_alphanumeric) {
                    tokens.push(w.text.to_lowercase());
                }
            }
        }
    }
    let mut out: Vec<String> = tokens.iter().map(|t| format!("u:{t}")).collect();
    out.extend(tokens.windows(2).map(|p| format!("b:{}|{}", p[0], p[1])));
    out.sort_unstable();
    out.dedup();
    out
}

/// The range a sentence suggestion covers: its first word to its last.
fn extent(words: &[Word<'_>]) -> std::ops::Range<usize> {
    words.first().map_or(0, |w| w.range.start)..words.last().map_or(0, |w| w.range.end)
}

/// The span of `label` that covers at least half of the sentence's word characters, if any
/// (the one covering most).
fn coded<'s>(words: &[Word<'_>], spans: &'s [Span], label: &str) -> Option<&'s Span> {
    let total: usize = words.iter().map(|w| w.range.len()).sum();
    let mut best: Option<(&Span, usize)> = None;
    let mut covered = 0;
    for s in spans.iter().filter(|s| s.label == label) {
        let c = super::covered(words, &s.range);
        covered += c;
        if best.is_none_or(|(_, b)| c > b) {
            best = Some((s, c));
        }
    }
    (total > 0 && covered * 2 >= total)
        .then_some(best.map(|(s, _)| s))
        .flatten()
}

/// The sentences of `text` that are coded as `label` (for measuring): their extents.
pub fn coded_sentences(text: &str, spans: &[Span], label: &str) -> Vec<Span> {
    sentences(text)
        .iter()
        .filter(|words| coded(words, spans, label).is_some())
        .map(|words| Span {
            range: extent(words),
            label: label.to_owned(),
        })
        .collect()
}

impl SentenceModel {
    /// Trains the model of `label` on `examples`, abstracting the spans of `abstracted`.
    pub fn train(
        examples: &[Example<'_>],
        label: &str,
        abstracted: &BTreeSet<String>,
        seed: u64,
    ) -> Self {
        let mut samples: Vec<(Vec<String>, bool)> = Vec::new();
        // The values of the claims, per attribute: (sample index, value).
        let mut values: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
        for example in examples {
            for words in example.sentences() {
                let claim = coded(&words, &example.spans, label);
                if let Some(span) = claim {
                    for (s, name, value) in &example.values {
                        if s == span {
                            values
                                .entry(name.clone())
                                .or_default()
                                .push((samples.len(), value.clone()));
                        }
                    }
                }
                samples.push((
                    features(&words, &example.spans, abstracted),
                    claim.is_some(),
                ));
            }
        }
        let all: Vec<(&[String], bool)> = samples.iter().map(|(f, y)| (f.as_slice(), *y)).collect();
        let is = Logistic::train(&all, seed);
        let mut models = BTreeMap::new();
        for (name, coded) in values {
            let distinct: BTreeSet<&String> = coded.iter().map(|(_, v)| v).collect();
            if distinct.len() < 2 {
                continue;
            }
            let per_value = distinct
                .into_iter()
                .map(|value| {
                    let samples: Vec<(&[String], bool)> = coded
                        .iter()
                        .map(|(i, v)| (samples[*i].0.as_slice(), v == value))
                        .collect();
                    (value.clone(), Logistic::train(&samples, seed))
                })
                .collect();
            models.insert(name, per_value);
        }
        Self {
            label: label.to_owned(),
            abstracted: abstracted.clone(),
            is,
            values: models,
        }
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    /// The sentences of `text` it takes for claims (probability ≥ ½), with the likeliest
    /// value of each attribute; `spans` are the text's spans of the abstracted labels (coded
    /// or suggested). And how unsure it is of the text: the mean over sentences of one less
    /// the distance of the probability from ½, doubled.
    pub fn find(&self, text: &str, spans: &[Span]) -> (Vec<Found>, f64) {
        let mut out = Vec::new();
        let (mut unsure, mut n) = (0.0, 0usize);
        for words in sentences(text) {
            let f = features(&words, spans, &self.abstracted);
            let p = self.is.probability(&f);
            unsure += 1.0 - (2.0 * p - 1.0).abs();
            n += 1;
            if p < 0.5 {
                continue;
            }
            let attributes = self
                .values
                .iter()
                .filter_map(|(name, per_value)| {
                    per_value
                        .iter()
                        .map(|(v, m)| (v, m.probability(&f)))
                        .max_by(|a, b| a.1.total_cmp(&b.1))
                        .map(|(v, _)| (name.clone(), v.clone()))
                })
                .collect();
            out.push(Found {
                span: Span {
                    range: extent(&words),
                    label: self.label.clone(),
                },
                confidence: p,
                attributes,
            });
        }
        #[allow(clippy::cast_precision_loss)]
        let unsure = if n == 0 { 0.0 } else { unsure / n as f64 };
        (out, unsure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::span_at as span;

    /// Claims are learned by how they are phrased, actors abstracted; a stance comes with them.
    #[test]
    fn a_claim_is_recognised_by_its_phrasing_with_its_stance() {
        let texts = [
            "Lavrov said the ceasefire must hold. The weather was fine.",
            "Kerry said the talks must go on. Lunch was served late.",
            "Assad said the rebels must leave. The hall was full.",
            "Zarif said sanctions must end. The cars were parked.",
        ];
        let stances = ["support", "support", "oppose", "oppose"];
        let examples: Vec<Example<'_>> = texts
            .iter()
            .zip(stances)
            .map(|(t, stance)| {
                let first = t.split(". ").next().unwrap();
                let actor = span(t, first.split(' ').next().unwrap(), "actor");
                let claim = span(t, &format!("{first}."), "claim");
                Example {
                    text: t,
                    spans: vec![actor, claim.clone()],
                    values: vec![(claim, "stance".to_owned(), stance.to_owned())],
                    only: None,
                }
            })
            .collect();
        let abstracted: BTreeSet<String> = ["actor".to_owned()].into();
        let model = SentenceModel::train(&examples, "claim", &abstracted, 7);
        let text = "Merkel said the border must close. The room was cold.";
        let actor = span(text, "Merkel", "actor");
        let (found, _) = model.find(text, &[actor]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].span,
            span(text, "Merkel said the border must close.", "claim")
        );
        assert!(found[0].confidence >= 0.5);
        assert_eq!(found[0].attributes.len(), 1);
        assert_eq!(found[0].attributes[0].0, "stance");
        // The same coding and seed, the same model.
        let again = SentenceModel::train(&examples, "claim", &abstracted, 7);
        assert_eq!(
            serde_json::to_string(&model).unwrap(),
            serde_json::to_string(&again).unwrap()
        );
    }
}
