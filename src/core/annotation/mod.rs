//! Annotations, annotation layers (one per annotator per document) and the edits on them.
//!
//! Edits are values. [`AnnotationLayer::apply`] applies one and returns its exact inverse, so
//! undo/redo is a history of inverses — never a copy of the store.

use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

mod attributes;
mod layer;
mod name;
mod span;
mod times;

pub use attributes::SpanAttributes;
pub use layer::AnnotationLayer;
pub use name::Name;
pub use span::{Annotation, More, fragments_frame, with_pieces};
pub use times::{Stamp, Times};

/// The strings of an annotation: up to 24 bytes (ids, labels, authors, timestamps, most covered
/// texts and contexts) live inside the struct with no heap allocation, which keeps a
/// million-annotation project within its memory budget. Derefs to `str`.
pub type Str = compact_str::CompactString;

pub use super::text::CONTEXT_CHARS;

/// A new unique annotation id: 16 hex digits (64 random bits).
pub fn new_annotation_id() -> String {
    format!("{:016x}", fastrand::u64(..))
}

/// [`new_annotation_id`] as a [`Str`] (inline: no allocation).
pub fn new_annotation_str() -> Str {
    compact_str::format_compact!("{:016x}", fastrand::u64(..))
}

/// The current time as RFC 3339 (UTC, whole seconds).
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// A typed, directed link between two annotations of the same layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    pub id: String,
    /// The relation type's name in the schema (e.g. `said_by`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Source annotation id.
    pub from: String,
    /// Target annotation id.
    pub to: String,
    pub author: String,
    pub created: String,
}

impl Relation {
    pub fn sort_key(&self) -> (&str, &str, &str, &str) {
        (&self.from, &self.to, &self.kind, &self.id)
    }

    pub fn touches(&self, annotation_id: &str) -> bool {
        self.from == annotation_id || self.to == annotation_id
    }
}

/// A curator's "no" to a span an annotator made: kept in the curated layer so the decision
/// shows (read-only) to the annotators and review can skip what is decided. Identified by
/// label and extent, not by id: every annotator's identical span gets the same answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub label: String,
    pub start: usize,
    pub end: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fragments: Vec<[usize; 2]>,
    /// The covered text when rejected.
    pub text: String,
    /// Who made the rejected span.
    pub from: Vec<String>,
    /// Who rejected it.
    pub by: String,
    /// RFC 3339, UTC.
    pub at: String,
}

impl Rejection {
    /// Whether it is the answer to `annotation` (same label and extent).
    pub fn is_for(&self, annotation: &Annotation) -> bool {
        self.label == annotation.label
            && self.start == annotation.start
            && self.end == annotation.end
            && self.fragments == annotation.fragments()
    }

    fn same_target(&self, other: &Self) -> bool {
        self.label == other.label
            && self.start == other.start
            && self.end == other.end
            && self.fragments == other.fragments
    }
}

/// One end of a relation named by what it is (label and extent), not by id: ids differ
/// between annotators' layers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SpanRef {
    pub label: String,
    pub start: usize,
    pub end: usize,
}

impl SpanRef {
    pub fn of(annotation: &Annotation) -> Self {
        Self {
            label: annotation.label.to_string(),
            start: annotation.start,
            end: annotation.end,
        }
    }
}

/// What a relation links, independent of ids: type, and both ends' label and extent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RelationSignature {
    #[serde(rename = "type")]
    pub kind: String,
    pub from: SpanRef,
    pub to: SpanRef,
}

impl std::fmt::Display for RelationSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} from {} at {}..{} to {} at {}..{}",
            self.kind,
            self.from.label,
            self.from.start,
            self.from.end,
            self.to.label,
            self.to.start,
            self.to.end
        )
    }
}

/// A curator's "no" to a relation annotators made, kept in the curated layer beside the span
/// rejections. Identified by its [`RelationSignature`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationRejection {
    #[serde(flatten)]
    pub relation: RelationSignature,
    /// Who made the rejected relation.
    pub annotators: Vec<String>,
    /// Who rejected it.
    pub by: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// Where an annotator stands with a document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum DocStatus {
    #[default]
    New,
    InProgress,
    Done,
}

impl DocStatus {
    pub const ALL: [Self; 3] = [Self::New, Self::InProgress, Self::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::InProgress => "in progress",
            Self::Done => "done",
        }
    }
}

/// An edit of one layer. Applying it returns its inverse. Serialisable: the crash journal
/// stores edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edit {
    /// Add a span (its id must be new to the layer).
    Add(Annotation),
    /// Remove the span with this id.
    Remove {
        id: Str,
    },
    /// Replace the span with the same id by this value: relabel, resize, note.
    Replace(Annotation),
    /// Replace many spans at once, each the one with its id (re-anchoring a whole layer after
    /// its text changed: one pass and one sort, where one `Replace` each would search the
    /// layer for every span).
    ReplaceMany(Vec<Annotation>),
    /// All the layer's spans at once, in order (re-anchoring that moved most of them): applying
    /// it swaps the shared vector, and its inverse holds the old one — no span is copied.
    SetSpans(Arc<Vec<Annotation>>),
    SetStatus(DocStatus),
    /// Add a relation (both ends must exist in the layer).
    AddRelation(Relation),
    /// Remove the relation with this id.
    RemoveRelation {
        id: String,
    },
    /// Record the source text the layer now matches (after re-anchoring).
    SetSourceHash(String),
    /// Record a curator's rejection (the curated layer).
    Reject(Rejection),
    /// Take back the rejection of the same label and extent.
    Unreject(Rejection),
    /// Record a curator's rejection of a relation (the curated layer).
    RejectRelation(RelationRejection),
    /// Take back the rejection of the relation with the same signature.
    UnrejectRelation(RelationRejection),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("annotation {0} is still linked by a relation")]
    HasRelations(String),
    #[error("a relation needs both of its annotations ({0} is missing)")]
    DanglingRelation(String),
    #[error("an annotation with id {0} already exists")]
    DuplicateId(String),
    #[error("no annotation with id {0}")]
    UnknownId(String),
    #[error("empty or inverted span {start}..{end}")]
    EmptySpan { start: usize, end: usize },
    #[error("annotation {0}: its fragments must be sorted, apart, and frame its start and end")]
    BadFragments(String),
    #[error("{label} at {start}..{end} is already rejected")]
    AlreadyRejected {
        label: String,
        start: usize,
        end: usize,
    },
    #[error("{label} at {start}..{end} is not rejected")]
    NotRejected {
        label: String,
        start: usize,
        end: usize,
    },
    #[error("the relation {0} is already rejected")]
    RelationAlreadyRejected(String),
    #[error("the relation {0} is not rejected")]
    RelationNotRejected(String),
    #[error("span {0} is out of order")]
    Unordered(String),
}

#[cfg(test)]
pub(crate) mod tests;
