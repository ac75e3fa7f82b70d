//! Suggestions: spans the annotator has not made yet, proposed from what is already coded —
//! every other occurrence of a text the annotator (or, when asked, anyone) tagged, and every
//! name and alias of an entity their spans link to, with the label (and entity) it had there.
//! One multi-pattern pass (Aho–Corasick) over a text, whole words only. Suggestions are never
//! annotations: they are not saved in annotation files, not exported, not counted.
//!
//! What the user decides is kept per project in `suggestions.json`: suggestions switched off
//! (for the project, or per label), the ones rejected (never proposed again), and how many were
//! accepted and rejected per label.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

use super::Project;
use super::annotation::AnnotationLayer;
use super::schema::{AttributeValue, ENTITY_ATTRIBUTE};
use super::text::SourceText;

pub const SUGGESTIONS_FILE: &str = "suggestions.json";
const FORMAT_NAME: &str = "tagdesk-suggestions";
const FORMAT_VERSION: u32 = 1;

/// Where a suggestion comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// The same text tagged in this document at this code point.
    Span { document: String, start: usize },
    /// A name or alias of this entity.
    Alias { entity: String },
    /// The model learned from the coding (`core::recommend`), this sure of it.
    Learned { percent: u8 },
}

impl std::fmt::Display for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Span { document, start } => write!(f, "tagged in {document} at {start}"),
            Self::Alias { entity } => write!(f, "a name of {entity}"),
            Self::Learned { percent } => write!(f, "learned from your coding, {percent}% sure"),
        }
    }
}

/// A proposed span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// Code points.
    pub range: Range<usize>,
    pub label: String,
    pub entity: Option<String>,
    pub provenance: Provenance,
    /// Attribute values proposed with it (a learned claim's stance).
    pub attributes: Vec<(String, String)>,
}

/// A rejected suggestion: never proposed again.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Rejected {
    pub document: String,
    pub start: usize,
    pub end: usize,
    pub label: String,
}

/// Accepted and rejected suggestions of one label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub accepted: u64,
    pub rejected: u64,
}

/// The project's choices about suggestions (`suggestions.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    format: String,
    version: u32,
    /// Suggestions are shown at all.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Labels never proposed.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub off_labels: BTreeSet<String>,
    /// Also propose what colleagues and the curated layer tagged.
    #[serde(default)]
    pub from_everyone: bool,
    /// Upper and lower case must match.
    #[serde(default)]
    pub case_sensitive: bool,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub rejected: BTreeSet<Rejected>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tally: BTreeMap<String, Tally>,
    /// The suggestions learned from the coding.
    #[serde(default)]
    pub learned: Learning,
}

/// The choices about the suggestions learned from the coding (`core::recommend`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Learning {
    /// A model is trained (in the background) and suggests.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// A label whose cross-validated F1 is below this (in percent) is not suggested.
    #[serde(default = "min_f1")]
    pub min_f1_percent: u8,
    /// A suggestion the model is less sure of than this (in percent) is not shown.
    #[serde(default = "min_confidence")]
    pub min_confidence_percent: u8,
    /// The model is trained again after this many edits.
    #[serde(default = "retrain_after")]
    pub retrain_after: u32,
    /// "Next document" goes to the document the model is least sure of.
    #[serde(default)]
    pub next_least_sure: bool,
    /// Labels whose kind (span or sentence) the user chose, instead of the one read from
    /// the coding.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub kinds: BTreeMap<String, super::recommend::Kind>,
    /// Whose coding the model learns from.
    #[serde(default)]
    pub from: LearnFrom,
}

/// Whose coding the model learns from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LearnFrom {
    /// The annotator's own spans.
    #[default]
    Mine,
    /// The curated (gold) layer's.
    Curated,
    /// Every annotator's and the curated layer's, each layer an example of its own.
    Everyone,
}

impl LearnFrom {
    pub fn name(self) -> &'static str {
        match self {
            Self::Mine => "my coding",
            Self::Curated => "the curated layer",
            Self::Everyone => "everyone's coding",
        }
    }
}

fn min_f1() -> u8 {
    30
}

fn min_confidence() -> u8 {
    50
}

fn retrain_after() -> u32 {
    5
}

impl Default for Learning {
    fn default() -> Self {
        Self {
            enabled: true,
            min_f1_percent: min_f1(),
            min_confidence_percent: min_confidence(),
            retrain_after: retrain_after(),
            next_least_sure: false,
            kinds: BTreeMap::new(),
            from: LearnFrom::Mine,
        }
    }
}

fn yes() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            format: FORMAT_NAME.to_owned(),
            version: FORMAT_VERSION,
            enabled: true,
            off_labels: BTreeSet::new(),
            from_everyone: false,
            case_sensitive: false,
            rejected: BTreeSet::new(),
            tally: BTreeMap::new(),
            learned: Learning::default(),
        }
    }
}

impl Settings {
    pub fn path(root: &Path) -> PathBuf {
        root.join(SUGGESTIONS_FILE)
    }

    /// The project's settings; defaults when there is no file. A file that cannot be read
    /// is an error naming it (it is never overwritten silently).
    pub fn load(root: &Path) -> Result<Self, String> {
        let path = Self::path(root);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let settings: Self =
            super::versioned::read(&text, FORMAT_NAME, FORMAT_VERSION, "suggestions")
                .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(settings)
    }

    pub fn save(&self, root: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        super::project::write_atomic(&Self::path(root), text.as_bytes())
    }

    /// The learned model's findings in `document` that are shown: labels switched on whose
    /// measured F1 (`f1`) reaches the floor, as sure as asked, not coded already (a span of
    /// the label overlapping it, or any span of the same extent), not rejected, and not
    /// suggested already by string matching (`strings`). In order of start.
    pub fn admit_learned(
        &self,
        document: &str,
        found: &[super::recommend::Found],
        f1: &BTreeMap<String, f64>,
        layer: Option<&AnnotationLayer>,
        strings: &[Suggestion],
    ) -> Vec<Suggestion> {
        let floor = f64::from(self.learned.min_f1_percent) / 100.0;
        let sure = f64::from(self.learned.min_confidence_percent) / 100.0;
        found
            .iter()
            .filter(|f| {
                let (range, label) = (&f.span.range, f.span.label.as_str());
                !self.off_labels.contains(label)
                    && f1.get(label).is_some_and(|&x| x >= floor && x > 0.0)
                    && f.confidence >= sure
                    && !layer.is_some_and(|l| {
                        l.overlapping(range.start, range.end).any(|a| {
                            a.label == label || (a.start == range.start && a.end == range.end)
                        })
                    })
                    && !self.is_rejected(document, range, label)
                    && !strings
                        .iter()
                        .any(|s| s.range == *range && s.label == label)
            })
            .map(|f| Suggestion {
                range: f.span.range.clone(),
                label: f.span.label.clone(),
                entity: None,
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                provenance: Provenance::Learned {
                    percent: (f.confidence * 100.0).round().clamp(0.0, 100.0) as u8,
                },
                attributes: f.attributes.clone(),
            })
            .collect()
    }

    pub fn is_rejected(&self, document: &str, range: &Range<usize>, label: &str) -> bool {
        self.rejected.contains(&Rejected {
            document: document.to_owned(),
            start: range.start,
            end: range.end,
            label: label.to_owned(),
        })
    }

    pub fn reject(&mut self, document: &str, suggestion: &Suggestion) {
        self.rejected.insert(Rejected {
            document: document.to_owned(),
            start: suggestion.range.start,
            end: suggestion.range.end,
            label: suggestion.label.clone(),
        });
        self.tally
            .entry(suggestion.label.clone())
            .or_default()
            .rejected += 1;
    }

    pub fn accepted(&mut self, label: &str, count: u64) {
        self.tally.entry(label.to_owned()).or_default().accepted += count;
    }
}

/// One pattern: a text and what it proposes.
#[derive(Debug, Clone)]
struct Pattern {
    label: String,
    entity: Option<String>,
    provenance: Provenance,
}

/// The patterns of a project, compiled once; matching a text is one pass.
pub struct Suggester {
    automaton: Option<AhoCorasick>,
    patterns: Vec<Pattern>,
    case_sensitive: bool,
}

/// Shortest text proposed (one-letter tags would propose every "a").
const MIN_CHARS: usize = 2;

impl Suggester {
    /// The patterns from `annotator`'s layers (every layer's with `from_everyone`), for the
    /// labels not switched off: each tagged text, and each name and alias of a linked entity.
    /// A text tagged with several labels proposes the one it was given most often.
    pub fn new(project: &Project, annotator: &str, settings: &Settings) -> Self {
        Self::from_layers(
            project.layers.iter(),
            &project.entities,
            annotator,
            settings,
        )
    }

    /// As [`Self::new`], from layers and a registry (a job's snapshot).
    pub fn from_layers<'a>(
        layers: impl Iterator<Item = (&'a super::LayerKey, &'a AnnotationLayer)>,
        entities: &super::entities::Registry,
        annotator: &str,
        settings: &Settings,
    ) -> Self {
        // text (as matched) → label → (count, entity, provenance)
        type Seen = BTreeMap<String, BTreeMap<String, (usize, Option<String>, Provenance)>>;
        let mut seen: Seen = BTreeMap::new();
        let fold = |t: &str| {
            let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
            if settings.case_sensitive {
                t
            } else {
                t.to_lowercase()
            }
        };
        let mut add = |text: &str, label: &str, entity: Option<&str>, provenance: Provenance| {
            let key = fold(text);
            if key.chars().count() < MIN_CHARS {
                return;
            }
            let entry = seen
                .entry(key)
                .or_default()
                .entry(label.to_owned())
                .or_insert((0, entity.map(str::to_owned), provenance));
            entry.0 += 1;
            if entry.1.is_none() {
                entry.1 = entity.map(str::to_owned);
            }
        };
        for (key, layer) in layers {
            if !settings.from_everyone && key.annotator != annotator {
                continue;
            }
            for a in layer.annotations() {
                if settings.off_labels.contains(a.label.as_str()) || !a.fragments().is_empty() {
                    continue;
                }
                let entity = match a.attributes.get(ENTITY_ATTRIBUTE) {
                    Some(AttributeValue::Text(id)) => Some(id.as_str()),
                    _ => None,
                };
                add(
                    &a.text,
                    &a.label,
                    entity,
                    Provenance::Span {
                        document: key.document.clone(),
                        start: a.start,
                    },
                );
                if let Some(e) = entity.and_then(|id| entities.get(id)) {
                    for name in std::iter::once(&e.name).chain(&e.aliases) {
                        add(
                            name,
                            &a.label,
                            Some(&e.id),
                            Provenance::Alias {
                                entity: e.name.clone(),
                            },
                        );
                    }
                }
            }
        }
        let mut texts = Vec::new();
        let mut patterns = Vec::new();
        for (text, labels) in seen {
            let Some((label, (_, entity, provenance))) = labels
                .into_iter()
                .max_by(|a, b| a.1.0.cmp(&b.1.0).then_with(|| b.0.cmp(&a.0)))
            else {
                continue;
            };
            texts.push(text);
            patterns.push(Pattern {
                label,
                entity,
                provenance,
            });
        }
        let automaton = (!texts.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&texts)
                    .ok()
            })
            .flatten();
        Self {
            automaton,
            patterns,
            case_sensitive: settings.case_sensitive,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The suggestions for one text: whole-word matches that the annotator's `layer` has no
    /// span of that label over (same extent or overlapping), not rejected.
    pub fn suggest(
        &self,
        document: &str,
        text: &SourceText,
        layer: Option<&AnnotationLayer>,
        settings: &Settings,
    ) -> Vec<Suggestion> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let haystack = text.as_str();
        // Case-insensitive matching on a lowercased copy only where lowercasing keeps every
        // byte offset (it does for ASCII and most scripts; where it does not, the text is
        // matched as it is).
        let lowered;
        let searched = if self.case_sensitive {
            haystack
        } else {
            lowered = haystack.to_lowercase();
            if lowered.len() == haystack.len() {
                lowered.as_str()
            } else {
                haystack
            }
        };
        let mut out = Vec::new();
        for m in automaton.find_iter(searched) {
            let (start_byte, end_byte) = (m.start(), m.end());
            let before = searched[..start_byte].chars().next_back();
            let after = searched[end_byte..].chars().next();
            if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let pattern = &self.patterns[m.pattern().as_usize()];
            let range = text.char_of_byte(start_byte)..text.char_of_byte(end_byte);
            if let Some(layer) = layer
                && layer.overlapping(range.start, range.end).any(|a| {
                    a.label == pattern.label.as_str()
                        || (a.start == range.start && a.end == range.end)
                })
            {
                continue;
            }
            if settings.is_rejected(document, &range, &pattern.label) {
                continue;
            }
            out.push(Suggestion {
                range,
                label: pattern.label.clone(),
                entity: pattern.entity.clone(),
                provenance: pattern.provenance.clone(),
                attributes: Vec::new(),
            });
        }
        out
    }
}
