//! The project's recommender: the span model for the short labels and a sentence model for
//! each label coded on whole sentences, trained together, stored together.
//!
//! Which kind a label gets is read from the coding, not asked: a label whose spans cover (the
//! median span) at least half of their sentence is a sentence label. Claims come out as
//! sentence labels and actors as span labels in every project we have seen.
//!
//! The stored form (`.tagdesk/models/`, per machine, rebuilt when missing) is one line of
//! JSON — the format, the span model's labels and gazetteer, the sentence models, the size of
//! what follows — then the CRF's weights (`crf::Weights::to_bytes`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::sentence::SentenceModel;
use super::spans::{SpanHeader, SpanModel};
use super::{Example, Found, RecommendError, Span, Training, covered, sentences};

const FORMAT: &str = "tagdesk-model";
const VERSION: u32 = 1;

/// How a label is suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Words and names, by the CRF.
    Span,
    /// Whole sentences, by the sentence classifier.
    Sentence,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Span => "span",
            Self::Sentence => "sentence",
        }
    }
}

/// The trained recommenders of a project.
pub struct Recommender {
    spans: Option<SpanModel>,
    sentences: Vec<SentenceModel>,
    kinds: BTreeMap<String, Kind>,
    /// Each label's cross-validated F1, once measured (stored with the model, so a stored
    /// model speaks at once when the project is opened again).
    pub f1: BTreeMap<String, f64>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    kinds: BTreeMap<String, Kind>,
    #[serde(default)]
    f1: BTreeMap<String, f64>,
    spans: Option<SpanHeader>,
    sentences: Vec<SentenceModel>,
    crf_bytes: usize,
}

/// The kind of each label, from how its spans sit in their sentences.
/// The kind of each label, from how its spans sit in their sentences, unless `overrides`
/// fixes it.
pub fn kinds(
    examples: &[Example<'_>],
    labels: &[String],
    overrides: &BTreeMap<String, Kind>,
) -> BTreeMap<String, Kind> {
    let mut shares: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for example in examples {
        if example.spans.is_empty() {
            continue;
        }
        for words in sentences(example.text) {
            let (Some(first), Some(last)) = (words.first(), words.last()) else {
                continue;
            };
            let total: usize = words.iter().map(|w| w.range.len()).sum();
            for s in &example.spans {
                if s.range.start >= first.range.start && s.range.start < last.range.end {
                    let covered = covered(&words, &s.range);
                    #[allow(clippy::cast_precision_loss)]
                    shares
                        .entry(s.label.as_str())
                        .or_default()
                        .push(covered as f64 / total.max(1) as f64);
                }
            }
        }
    }
    labels
        .iter()
        .map(|label| {
            if let Some(kind) = overrides.get(label) {
                return (label.clone(), *kind);
            }
            let mut s = shares.remove(label.as_str()).unwrap_or_default();
            s.sort_by(f64::total_cmp);
            let median = s.get(s.len() / 2).copied().unwrap_or(0.0);
            let kind = if median >= 0.5 {
                Kind::Sentence
            } else {
                Kind::Span
            };
            (label.clone(), kind)
        })
        .collect()
}

impl Recommender {
    /// Trains on `examples` for `labels`; each label needs [`MIN_EXAMPLES`] spans.
    pub fn train(
        examples: &[Example<'_>],
        labels: &[String],
        training: Training,
        overrides: &BTreeMap<String, Kind>,
    ) -> Result<Self, RecommendError> {
        Self::train_with_names(examples, labels, training, overrides, &[])
    }

    /// As [`Self::train`], with the entity registry's names in the span model's gazetteer
    /// ([`super::registry_names`]).
    pub fn train_with_names(
        examples: &[Example<'_>],
        labels: &[String],
        training: Training,
        overrides: &BTreeMap<String, Kind>,
        names: &[(String, String)],
    ) -> Result<Self, RecommendError> {
        super::check_examples(examples, labels)?;
        let all_labels: Vec<String> = examples
            .iter()
            .flat_map(|e| e.spans.iter().map(|s| s.label.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let every_kind = kinds(examples, &all_labels, overrides);
        let kinds: BTreeMap<String, Kind> = labels
            .iter()
            .map(|l| (l.clone(), every_kind.get(l).copied().unwrap_or(Kind::Span)))
            .collect();
        let span_labels: Vec<String> = kinds
            .iter()
            .filter(|(_, k)| **k == Kind::Span)
            .map(|(l, _)| l.clone())
            .collect();
        let abstracted: BTreeSet<String> = every_kind
            .iter()
            .filter(|(_, k)| **k == Kind::Span)
            .map(|(l, _)| l.clone())
            .collect();
        let spans = if span_labels.is_empty() {
            None
        } else {
            Some(SpanModel::train_with_names(
                examples,
                &span_labels,
                training,
                names,
            )?)
        };
        let sentences = kinds
            .iter()
            .filter(|(_, k)| **k == Kind::Sentence)
            .map(|(l, _)| SentenceModel::train(examples, l, &abstracted, training.seed))
            .collect();
        Ok(Self {
            spans,
            sentences,
            kinds,
            f1: BTreeMap::new(),
        })
    }

    /// The labels it suggests, with their kinds.
    pub fn kinds(&self) -> &BTreeMap<String, Kind> {
        &self.kinds
    }

    /// What it suggests in `text`, in order of start, and how unsure it is of the text (the
    /// largest of its models' figures); `coded` are the text's spans already coded (the
    /// actors the sentence models abstract).
    pub fn find(&self, text: &str, coded: &[Span]) -> (Vec<Found>, f64) {
        let (mut out, mut unsure) = self
            .spans
            .as_ref()
            .map_or((Vec::new(), 0.0), |m| m.find(text));
        if !self.sentences.is_empty() {
            let mut known: Vec<Span> = coded.to_vec();
            known.extend(out.iter().map(|f| f.span.clone()));
            for model in &self.sentences {
                let (found, u) = model.find(text, &known);
                out.extend(found);
                unsure = f64::max(unsure, u);
            }
        }
        out.sort_by(|a, b| a.span.cmp(&b.span));
        (out, unsure)
    }

    /// The stored form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let (spans, crf) = match &self.spans {
            Some(m) => {
                let (h, bytes) = m.parts();
                (Some(h), bytes)
            }
            None => (None, Vec::new()),
        };
        let header = Header {
            format: FORMAT.to_owned(),
            version: VERSION,
            kinds: self.kinds.clone(),
            f1: self.f1.clone(),
            spans,
            sentences: self.sentences.clone(),
            crf_bytes: crf.len(),
        };
        let mut out = serde_json::to_vec(&header).unwrap_or_default();
        out.push(b'\n');
        out.extend_from_slice(&crf);
        out
    }

    /// A stored recommender; what is wrong with it otherwise.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let line = memchr::memchr(b'\n', bytes).ok_or("no header line")?;
        let header: Header = serde_json::from_slice(&bytes[..line])
            .map_err(|e| format!("header unreadable: {e}"))?;
        if header.format != FORMAT || header.version != VERSION {
            return Err(format!(
                "a {} version {} file, not a {FORMAT} version {VERSION}",
                header.format, header.version
            ));
        }
        let crf = &bytes[line + 1..];
        if crf.len() != header.crf_bytes {
            return Err(format!(
                "the model is {} bytes long, its header says {}",
                crf.len(),
                header.crf_bytes
            ));
        }
        let spans = match header.spans {
            Some(h) => Some(SpanModel::from_parts(crf, h).map_err(|e| e.to_string())?),
            None => None,
        };
        Ok(Self {
            spans,
            sentences: header.sentences,
            kinds: header.kinds,
            f1: header.f1,
        })
    }
}
