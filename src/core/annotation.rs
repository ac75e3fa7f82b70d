//! Annotations, annotation layers (one per annotator per document) and the edits on them.
//!
//! Edits are values. [`AnnotationLayer::apply`] applies one and returns its exact inverse, so
//! undo/redo is a history of inverses — never a copy of the store.

use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::schema::Attributes;

/// The strings of an annotation: up to 24 bytes (ids, labels, authors, timestamps, most covered
/// texts and contexts) live inside the struct with no heap allocation, which keeps a
/// million-annotation project within its memory budget. Derefs to `str`.
pub type Str = compact_str::CompactString;

/// One labelled span. Field order here is the field order on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// Stable, unique: never reused, never renumbered.
    pub id: Str,
    pub label: Str,
    /// Code-point offset, inclusive.
    pub start: usize,
    /// Code-point offset, exclusive.
    pub end: usize,
    /// A discontinuous span's pieces, `[start, end]` each, sorted and apart (brat's `0 5;10 15`);
    /// `start` is the first piece's start and `end` the last piece's end. Empty when continuous.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fragments: Vec<[usize; 2]>,
    /// The covered text (the pieces' texts joined by a space when discontinuous), as it was when the span was made or last changed.
    pub text: Str,
    /// Up to [`CONTEXT_CHARS`] characters before the span, to find it again when the source
    /// text changes (as a W3C `TextQuoteSelector` does).
    #[serde(default, skip_serializing_if = "Str::is_empty")]
    pub prefix: Str,
    /// Up to [`CONTEXT_CHARS`] characters after the span.
    #[serde(default, skip_serializing_if = "Str::is_empty")]
    pub suffix: Str,
    /// Set when the source text changed and the span could not be placed with certainty:
    /// why. The span keeps its last known position until a person checks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
    /// Schema-defined attribute values (e.g. a claim's `stance`).
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
    pub author: Str,
    /// RFC 3339, UTC.
    pub created: Str,
    /// RFC 3339, UTC.
    pub modified: Str,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Annotation {
    /// The order annotations are kept in, in memory and on disk.
    pub fn sort_key(&self) -> (usize, usize, &str, &str) {
        (self.start, self.end, &self.label, &self.id)
    }

    pub fn contains(&self, char_offset: usize) -> bool {
        self.pieces().any(|p| p.contains(&char_offset))
    }

    /// The covered ranges: the fragments, or the one range `start..end`.
    pub fn pieces(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let whole = self.fragments.is_empty().then_some(self.start..self.end);
        whole
            .into_iter()
            .chain(self.fragments.iter().map(|&[s, e]| s..e))
    }

    /// Whether the fragments are well formed: none, or at least two, each non-empty, sorted,
    /// apart, and framing `start..end`.
    pub fn fragments_ok(&self) -> bool {
        if self.fragments.is_empty() {
            return true;
        }
        self.fragments.len() >= 2
            && self.fragments.iter().all(|[s, e]| s < e)
            && self.fragments.windows(2).all(|w| w[0][1] < w[1][0])
            && self.fragments.first().is_some_and(|f| f[0] == self.start)
            && self.fragments.last().is_some_and(|f| f[1] == self.end)
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

pub use super::text::CONTEXT_CHARS;

/// A new unique annotation id: 16 hex digits (64 random bits).
pub fn new_annotation_id() -> String {
    format!("{:016x}", fastrand::u64(..))
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
            && self.fragments == annotation.fragments
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
        id: String,
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

/// The annotations of one annotator on one document.
#[derive(Debug, Clone)]
pub struct AnnotationLayer {
    pub document: String,
    pub annotator: String,
    /// `sha256:<hex>` of the source file's bytes when the layer was last saved against it.
    pub source_sha256: String,
    pub status: DocStatus,
    /// Sorted by [`Annotation::sort_key`]. Shared copy-on-write: cloning a layer (a snapshot
    /// for the background save) is free; the first edit after it copies the vector only if the
    /// snapshot is still alive.
    annotations: Arc<Vec<Annotation>>,
    /// Sorted by [`Relation::sort_key`]. Shared like `annotations`.
    relations: Arc<Vec<Relation>>,
    /// The curator's rejections (only the curated layer has any), sorted by extent.
    rejections: Vec<Rejection>,
    /// The curator's rejections of relations, sorted by signature.
    relation_rejections: Vec<RelationRejection>,
    /// An upper bound on the longest span (never lowered on removal; still a bound), so an
    /// overlap query only looks at spans starting within that distance before it.
    max_span_len: usize,
    /// Spans per label, kept up to date by every edit (the side panel shows them each frame;
    /// counting 100k spans cold took 4–8 ms).
    label_counts: std::collections::BTreeMap<Str, usize>,
    revision: u64,
}

/// A process-wide counter behind [`AnnotationLayer::revision`].
fn next_revision() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Equal content: bookkeeping (revision, the span-length bound) does not count.
impl PartialEq for AnnotationLayer {
    fn eq(&self, other: &Self) -> bool {
        self.document == other.document
            && self.annotator == other.annotator
            && self.source_sha256 == other.source_sha256
            && self.status == other.status
            && self.annotations == other.annotations
            && self.relations == other.relations
            && self.rejections == other.rejections
            && self.relation_rejections == other.relation_rejections
    }
}

impl Eq for AnnotationLayer {}

impl AnnotationLayer {
    pub fn new(document: impl Into<String>, annotator: impl Into<String>) -> Self {
        Self {
            document: document.into(),
            annotator: annotator.into(),
            source_sha256: String::new(),
            status: DocStatus::New,
            annotations: Arc::default(),
            relations: Arc::default(),
            rejections: Vec::new(),
            relation_rejections: Vec::new(),
            max_span_len: 0,
            label_counts: std::collections::BTreeMap::new(),
            revision: next_revision(),
        }
    }

    /// Builds a layer from annotations in any order (they are sorted).
    #[must_use]
    pub fn with_annotations(mut self, mut annotations: Vec<Annotation>) -> Self {
        annotations.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        // A parsed file's vector grew by doubling: up to half of it is slack.
        annotations.shrink_to_fit();
        self.max_span_len = annotations.iter().map(Annotation::len).max().unwrap_or(0);
        self.label_counts = count_labels(&annotations);
        self.annotations = Arc::new(annotations);
        self
    }

    pub fn annotations(&self) -> &[Annotation] {
        &self.annotations
    }

    pub fn relations(&self) -> &[Relation] {
        &self.relations
    }

    /// Builds a layer's relations from any order (they are sorted). Relations are not checked
    /// against the annotations here; `tagdesk validate` reports dangling ones.
    #[must_use]
    pub fn with_relations(mut self, mut relations: Vec<Relation>) -> Self {
        relations.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.relations = Arc::new(relations);
        self
    }

    pub fn rejections(&self) -> &[Rejection] {
        &self.rejections
    }

    /// The rejection answering `annotation`, if any.
    pub fn rejection_of(&self, annotation: &Annotation) -> Option<&Rejection> {
        self.rejections.iter().find(|r| r.is_for(annotation))
    }

    /// Builds a layer's rejections from any order (they are sorted).
    #[must_use]
    pub fn with_rejections(mut self, mut rejections: Vec<Rejection>) -> Self {
        rejections.sort_by(|a, b| (a.start, a.end, &a.label).cmp(&(b.start, b.end, &b.label)));
        self.rejections = rejections;
        self
    }

    pub fn relation_rejections(&self) -> &[RelationRejection] {
        &self.relation_rejections
    }

    /// The rejection of relations with this signature, if any.
    pub fn relation_rejection_of(
        &self,
        signature: &RelationSignature,
    ) -> Option<&RelationRejection> {
        self.relation_rejections
            .binary_search_by(|r| r.relation.cmp(signature))
            .ok()
            .map(|i| &self.relation_rejections[i])
    }

    /// Builds a layer's relation rejections from any order (they are sorted).
    #[must_use]
    pub fn with_relation_rejections(mut self, mut rejections: Vec<RelationRejection>) -> Self {
        rejections.sort_by(|a, b| a.relation.cmp(&b.relation));
        rejections.dedup_by(|a, b| a.relation == b.relation);
        self.relation_rejections = rejections;
        self
    }

    /// What `relation` (of this layer) links, or `None` if an end is missing.
    pub fn signature_of(&self, relation: &Relation) -> Option<RelationSignature> {
        Some(RelationSignature {
            kind: relation.kind.clone(),
            from: SpanRef::of(self.get(&relation.from)?),
            to: SpanRef::of(self.get(&relation.to)?),
        })
    }

    /// The relation with this id.
    pub fn relation(&self, id: &str) -> Option<&Relation> {
        self.relations.iter().find(|r| r.id == id)
    }

    /// This layer's relations that link what `signature` names.
    pub fn relations_like<'a>(
        &'a self,
        signature: &'a RelationSignature,
    ) -> impl Iterator<Item = &'a Relation> {
        self.relations
            .iter()
            .filter(move |r| self.signature_of(r).as_ref() == Some(signature))
    }

    /// Relations from or to an annotation.
    pub fn relations_of<'a>(
        &'a self,
        annotation_id: &'a str,
    ) -> impl Iterator<Item = &'a Relation> {
        self.relations
            .iter()
            .filter(move |r| r.touches(annotation_id))
    }

    pub fn len(&self) -> usize {
        self.annotations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.annotations.is_empty()
    }

    /// Changed by every applied edit, and unique across all layers of the process (a layer
    /// reloaded from disk gets a new one too), so caches can key on it alone.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn get(&self, id: &str) -> Option<&Annotation> {
        self.annotations.iter().find(|a| a.id == id)
    }

    /// Annotations overlapping the char range `[start, end)` (or touching `start` when empty).
    /// O(log n + spans starting within the longest span's length before `start`).
    pub fn overlapping(&self, start: usize, end: usize) -> impl Iterator<Item = &Annotation> {
        // Sorted by start: everything starting at or after `end` is out, and so is everything
        // starting so early that even the longest span would end before `start`.
        let upto = self
            .annotations
            .partition_point(|a| a.start < end.max(start + 1));
        let earliest = start.saturating_sub(self.max_span_len);
        let from = self.annotations[..upto].partition_point(|a| a.start < earliest);
        self.annotations[from..upto]
            .iter()
            .filter(move |a| a.end > start)
    }

    /// Applies `edit` and returns its inverse.
    pub fn apply(&mut self, edit: Edit) -> Result<Edit, EditError> {
        let inverse = match edit {
            Edit::Add(annotation) => {
                check_span(&annotation)?;
                if self.get(&annotation.id).is_some() {
                    return Err(EditError::DuplicateId(annotation.id.to_string()));
                }
                let id = annotation.id.clone();
                self.insert_sorted(annotation);
                Edit::Remove { id: id.to_string() }
            }
            Edit::Remove { id } => {
                let index = self.index_of(&id)?;
                if self.relations.iter().any(|r| r.touches(&id)) {
                    return Err(EditError::HasRelations(id));
                }
                Edit::Add(self.remove_at(index))
            }
            Edit::Replace(annotation) => {
                check_span(&annotation)?;
                let index = self.index_of(&annotation.id)?;
                Edit::Replace(self.replace_at(index, annotation))
            }
            Edit::ReplaceMany(annotations) => Edit::ReplaceMany(self.replace_many(annotations)?),
            Edit::SetSpans(spans) => Edit::SetSpans(self.set_spans(spans)?),
            Edit::SetStatus(status) => Edit::SetStatus(std::mem::replace(&mut self.status, status)),
            Edit::SetSourceHash(hash) => {
                Edit::SetSourceHash(std::mem::replace(&mut self.source_sha256, hash))
            }
            Edit::AddRelation(relation) => {
                for end in [&relation.from, &relation.to] {
                    if self.get(end).is_none() {
                        return Err(EditError::DanglingRelation(end.clone()));
                    }
                }
                if self.relations.iter().any(|r| r.id == relation.id) {
                    return Err(EditError::DuplicateId(relation.id));
                }
                let id = relation.id.clone();
                let at = self
                    .relations
                    .partition_point(|r| r.sort_key() < relation.sort_key());
                Arc::make_mut(&mut self.relations).insert(at, relation);
                Edit::RemoveRelation { id }
            }
            Edit::RemoveRelation { id } => {
                let index = self
                    .relations
                    .iter()
                    .position(|r| r.id == id)
                    .ok_or(EditError::UnknownId(id))?;
                Edit::AddRelation(Arc::make_mut(&mut self.relations).remove(index))
            }
            Edit::Reject(rejection) => {
                if self.rejections.iter().any(|r| r.same_target(&rejection)) {
                    return Err(EditError::AlreadyRejected {
                        label: rejection.label,
                        start: rejection.start,
                        end: rejection.end,
                    });
                }
                let key = (rejection.start, rejection.end, rejection.label.clone());
                let at = self
                    .rejections
                    .partition_point(|r| (r.start, r.end, r.label.clone()) < key);
                self.rejections.insert(at, rejection.clone());
                Edit::Unreject(rejection)
            }
            Edit::Unreject(rejection) => {
                let index = self
                    .rejections
                    .iter()
                    .position(|r| r.same_target(&rejection))
                    .ok_or(EditError::NotRejected {
                        label: rejection.label,
                        start: rejection.start,
                        end: rejection.end,
                    })?;
                Edit::Reject(self.rejections.remove(index))
            }
            Edit::RejectRelation(rejection) => {
                match self
                    .relation_rejections
                    .binary_search_by(|r| r.relation.cmp(&rejection.relation))
                {
                    Ok(_) => {
                        return Err(EditError::RelationAlreadyRejected(
                            rejection.relation.to_string(),
                        ));
                    }
                    Err(at) => self.relation_rejections.insert(at, rejection.clone()),
                }
                Edit::UnrejectRelation(rejection)
            }
            Edit::UnrejectRelation(rejection) => {
                let index = self
                    .relation_rejections
                    .binary_search_by(|r| r.relation.cmp(&rejection.relation))
                    .map_err(|_| EditError::RelationNotRejected(rejection.relation.to_string()))?;
                Edit::RejectRelation(self.relation_rejections.remove(index))
            }
        };
        self.revision = next_revision();
        Ok(inverse)
    }

    fn index_of(&self, id: &str) -> Result<usize, EditError> {
        self.annotations
            .iter()
            .position(|a| a.id == id)
            .ok_or_else(|| EditError::UnknownId(id.to_owned()))
    }

    fn count_out(&mut self, label: &str) {
        if let Some(count) = self.label_counts.get_mut(label) {
            *count -= 1;
            if *count == 0 {
                self.label_counts.remove(label);
            }
        }
    }

    fn count_in(&mut self, annotation: &Annotation) {
        self.max_span_len = self.max_span_len.max(annotation.len());
        *self
            .label_counts
            .entry(annotation.label.clone())
            .or_default() += 1;
    }

    /// See [`Edit::SetSpans`]; returns the spans it replaces. The new spans must be in order,
    /// non-empty and of unique ids (checked: a journal could have been edited by hand).
    fn set_spans(
        &mut self,
        spans: Arc<Vec<Annotation>>,
    ) -> Result<Arc<Vec<Annotation>>, EditError> {
        // Ids are short strings from our own files: a fast hasher (FxHash) halves this pass.
        let mut ids: rustc_hash::FxHashSet<&str> =
            rustc_hash::FxHashSet::with_capacity_and_hasher(spans.len(), rustc_hash::FxBuildHasher);
        // One pass over the spans (they are tens of megabytes): checks, counts, longest span.
        let mut counter = LabelCounter::default();
        let mut max_len = 0;
        for (i, a) in spans.iter().enumerate() {
            check_span(a)?;
            if !ids.insert(a.id.as_str()) {
                return Err(EditError::DuplicateId(a.id.to_string()));
            }
            if i > 0 && spans[i - 1].sort_key() > a.sort_key() {
                return Err(EditError::Unordered(a.id.to_string()));
            }
            counter.add(&a.label);
            max_len = max_len.max(a.len());
        }
        // Relations must still find both ends.
        for r in self.relations.iter() {
            for end in [&r.from, &r.to] {
                if !ids.contains(end.as_str()) {
                    return Err(EditError::DanglingRelation(end.clone()));
                }
            }
        }
        drop(ids);
        self.label_counts = counter.finish();
        self.max_span_len = max_len;
        Ok(std::mem::replace(&mut self.annotations, spans))
    }

    /// See [`Edit::ReplaceMany`]; returns the replaced spans. Checks everything first: on an
    /// error nothing has changed.
    fn replace_many(&mut self, annotations: Vec<Annotation>) -> Result<Vec<Annotation>, EditError> {
        let mut wanted: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::with_capacity(annotations.len());
        for (i, a) in annotations.iter().enumerate() {
            check_span(a)?;
            if wanted.insert(a.id.as_str(), i).is_some() {
                return Err(EditError::DuplicateId(a.id.to_string()));
            }
        }
        let mut at = vec![usize::MAX; annotations.len()];
        for (index, a) in self.annotations.iter().enumerate() {
            if let Some(&i) = wanted.get(a.id.as_str()) {
                at[i] = index;
            }
        }
        if let Some(i) = at.iter().position(|&index| index == usize::MAX) {
            return Err(EditError::UnknownId(annotations[i].id.to_string()));
        }
        drop(wanted);
        let mut old = Vec::with_capacity(annotations.len());
        let spans = Arc::make_mut(&mut self.annotations);
        let mut relabelled = Vec::new();
        for (a, index) in annotations.into_iter().zip(at) {
            self.max_span_len = self.max_span_len.max(a.len());
            let replaced = std::mem::replace(&mut spans[index], a);
            if replaced.label != spans[index].label {
                relabelled.push((replaced.label.clone(), spans[index].label.clone()));
            }
            old.push(replaced);
        }
        for (from, to) in relabelled {
            self.count_out(&from);
            *self.label_counts.entry(to).or_default() += 1;
        }
        // Mostly in order still: the sort has little to do.
        Arc::make_mut(&mut self.annotations).sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        Ok(old)
    }

    fn remove_at(&mut self, index: usize) -> Annotation {
        let removed = Arc::make_mut(&mut self.annotations).remove(index);
        self.count_out(&removed.label);
        removed
    }

    /// Puts `annotation` where the span at `index` was and moves it to its place in the order:
    /// only the spans between its old and new place shift (a relabel or a resize moves a few,
    /// where removing and inserting moved half the vector twice).
    fn replace_at(&mut self, index: usize, annotation: Annotation) -> Annotation {
        self.count_in(&annotation);
        let spans = Arc::make_mut(&mut self.annotations);
        let old = std::mem::replace(&mut spans[index], annotation);
        let (before, after) = {
            let key = spans[index].sort_key();
            let before = spans[..index].partition_point(|a| a.sort_key() < key);
            let after = index + 1 + spans[index + 1..].partition_point(|a| a.sort_key() < key);
            (before, after)
        };
        if before < index {
            spans[before..=index].rotate_right(1);
        } else if after > index + 1 {
            spans[index..after].rotate_left(1);
        }
        self.count_out(&old.label);
        old
    }

    fn insert_sorted(&mut self, annotation: Annotation) {
        self.count_in(&annotation);
        let at = self
            .annotations
            .partition_point(|a| a.sort_key() < annotation.sort_key());
        Arc::make_mut(&mut self.annotations).insert(at, annotation);
    }

    /// Count of annotations per label name (kept by every edit: O(labels)).
    pub fn count_by_label(&self) -> std::collections::BTreeMap<&str, usize> {
        self.label_counts
            .iter()
            .map(|(label, &n)| (label.as_str(), n))
            .collect()
    }
}

/// A span may be in a layer: not empty, its pieces in order.
fn check_span(a: &Annotation) -> Result<(), EditError> {
    if a.is_empty() {
        return Err(EditError::EmptySpan {
            start: a.start,
            end: a.end,
        });
    }
    if !a.fragments_ok() {
        return Err(EditError::BadFragments(a.id.to_string()));
    }
    Ok(())
}

/// Spans per label, counted once when a layer is built.
fn count_labels(annotations: &[Annotation]) -> std::collections::BTreeMap<Str, usize> {
    let mut counter = LabelCounter::default();
    for a in annotations {
        counter.add(&a.label);
    }
    counter.finish()
}

/// Counts spans per label. A schema has a handful of labels: a short list searched from the
/// last hit beats a map lookup per span.
#[derive(Default)]
struct LabelCounter<'a> {
    counts: Vec<(&'a str, usize)>,
    last: usize,
}

impl<'a> LabelCounter<'a> {
    fn add(&mut self, label: &'a str) {
        if self.counts.get(self.last).is_none_or(|(l, _)| *l != label) {
            self.last = self
                .counts
                .iter()
                .position(|(l, _)| *l == label)
                .unwrap_or_else(|| {
                    self.counts.push((label, 0));
                    self.counts.len() - 1
                });
        }
        self.counts[self.last].1 += 1;
    }

    fn finish(self) -> std::collections::BTreeMap<Str, usize> {
        self.counts
            .into_iter()
            .map(|(l, n)| (Str::from(l), n))
            .collect()
    }
}

/// `annotation` covering `pieces` (sorted, apart): extent, fragments and covered text follow.
pub fn with_pieces(
    mut annotation: Annotation,
    pieces: &[std::ops::Range<usize>],
    text: &super::SourceText,
) -> Annotation {
    annotation.start = pieces.first().map_or(annotation.start, |p| p.start);
    annotation.end = pieces.last().map_or(annotation.end, |p| p.end);
    annotation.fragments = if pieces.len() > 1 {
        pieces.iter().map(|p| [p.start, p.end]).collect()
    } else {
        Vec::new()
    };
    annotation.text = super::text::covered_text(text, pieces.iter().cloned()).into();
    annotation.prefix = super::text::context_before(text, annotation.start).into();
    annotation.suffix = super::text::context_after(text, annotation.end).into();
    annotation.review = None;
    annotation.modified = now_rfc3339().into();
    annotation
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: &str, label: &str, start: usize, end: usize) -> Annotation {
        Annotation {
            id: id.into(),
            label: label.into(),
            start,
            end,
            text: "x".repeat(end - start).into(),
            fragments: Vec::new(),
            prefix: Str::default(),
            suffix: Str::default(),
            review: None,
            attributes: Attributes::new(),
            author: "ana".into(),
            created: "2026-01-01T00:00:00Z".into(),
            modified: "2026-01-01T00:00:00Z".into(),
            note: None,
        }
    }

    #[test]
    fn counts_spans_per_label_in_any_order() {
        let layer = AnnotationLayer::new("d", "a").with_annotations(vec![
            span("1", "actor", 0, 5),
            span("2", "claim", 1, 5),
            span("3", "actor", 2, 5),
            span("4", "disagreement", 3, 5),
            span("5", "claim", 4, 5),
            span("6", "claim", 6, 9),
        ]);
        let counts: Vec<(&str, usize)> = layer.count_by_label().into_iter().collect();
        assert_eq!(
            counts,
            vec![("actor", 2), ("claim", 3), ("disagreement", 1)]
        );
        assert!(AnnotationLayer::new("d", "a").count_by_label().is_empty());
    }

    proptest::proptest! {
        /// Replacing moves only the spans between the old and new place, and the order is the
        /// one a fresh sort gives (checked against re-sorting the edited list).
        #[test]
        fn replacing_keeps_the_layer_in_order(
            spans in proptest::collection::vec((0usize..50, 1usize..8, 0usize..3), 1..40),
            edits in proptest::collection::vec((0usize..40, 0usize..50, 1usize..8, 0usize..3), 1..20),
        ) {
            const LABELS: [&str; 3] = ["actor", "claim", "disagreement"];
            let spans: Vec<Annotation> = spans
                .iter()
                .enumerate()
                .map(|(i, &(start, len, l))| span(&i.to_string(), LABELS[l], start, start + len))
                .collect();
            let mut layer = AnnotationLayer::new("d", "a").with_annotations(spans.clone());
            let mut model = spans;
            for (which, start, len, l) in edits {
                let id = (which % model.len()).to_string();
                let new = span(&id, LABELS[l], start, start + len);
                layer.apply(Edit::Replace(new.clone())).unwrap();
                let at = model.iter().position(|a| a.id == id).unwrap();
                model[at] = new;
                model.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                proptest::prop_assert_eq!(layer.annotations(), model.as_slice());
                proptest::prop_assert_eq!(layer.len(), model.len());
                for a in &model {
                    proptest::prop_assert!(layer.overlapping(a.start, a.end).any(|b| b.id == a.id));
                }
            }
        }
    }

    #[test]
    fn all_spans_are_set_at_once_checked_and_undone() {
        let mut layer = AnnotationLayer::new("d", "a")
            .with_annotations(vec![span("1", "actor", 0, 5), span("2", "claim", 6, 9)])
            .with_relations(vec![Relation {
                id: "r".to_owned(),
                kind: "said_by".to_owned(),
                from: "2".to_owned(),
                to: "1".to_owned(),
                author: "ana".to_owned(),
                created: String::new(),
            }]);
        let before = layer.clone();
        let moved = vec![span("1", "actor", 2, 7), span("2", "actor", 8, 11)];
        let inverse = layer
            .apply(Edit::SetSpans(Arc::new(moved.clone())))
            .unwrap();
        assert_eq!(layer.annotations(), moved.as_slice());
        assert_eq!(
            layer.count_by_label().into_iter().collect::<Vec<_>>(),
            [("actor", 2)]
        );
        assert_eq!(layer.overlapping(9, 10).count(), 1);
        layer.apply(inverse).unwrap();
        assert_eq!(layer, before);
        // Refused, and nothing changed: out of order, a repeated id, a relation's end gone.
        for bad in [
            vec![span("2", "actor", 8, 11), span("1", "actor", 2, 7)],
            vec![span("1", "actor", 2, 7), span("1", "claim", 8, 11)],
            vec![span("1", "actor", 2, 7)],
        ] {
            assert!(layer.apply(Edit::SetSpans(Arc::new(bad))).is_err());
            assert_eq!(layer, before);
        }
    }

    #[test]
    fn label_counts_follow_every_edit_and_its_undo() {
        let mut layer = AnnotationLayer::new("d", "a")
            .with_annotations(vec![span("1", "actor", 0, 5), span("2", "claim", 1, 5)]);
        let recount = |layer: &AnnotationLayer| {
            let mut counts = std::collections::BTreeMap::new();
            for a in layer.annotations() {
                *counts.entry(a.label.to_string()).or_insert(0) += 1;
            }
            counts
        };
        let kept = |layer: &AnnotationLayer| {
            layer
                .count_by_label()
                .into_iter()
                .map(|(l, n)| (l.to_owned(), n))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let mut relabelled = span("1", "claim", 0, 5);
        relabelled.text = "xxxxx".into();
        let edits = vec![
            Edit::Add(span("3", "disagreement", 6, 9)),
            Edit::Replace(relabelled),
            Edit::ReplaceMany(vec![
                span("2", "disagreement", 1, 5),
                span("3", "actor", 0, 3),
            ]),
            Edit::Remove { id: "2".to_owned() },
            Edit::Remove { id: "3".to_owned() },
        ];
        let mut inverses = Vec::new();
        for edit in edits {
            inverses.push(layer.apply(edit).unwrap());
            assert_eq!(kept(&layer), recount(&layer));
        }
        assert_eq!(kept(&layer), [("claim".to_owned(), 1)].into());
        // A snapshot shares the spans; editing after it copies them and leaves it alone.
        let snapshot = layer.clone();
        while let Some(inverse) = inverses.pop() {
            layer.apply(inverse).unwrap();
            assert_eq!(kept(&layer), recount(&layer));
        }
        assert_eq!(
            kept(&layer),
            [("actor".to_owned(), 1), ("claim".to_owned(), 1)].into()
        );
        assert_eq!(snapshot.len(), 1);
        assert_eq!(kept(&snapshot), [("claim".to_owned(), 1)].into());
    }

    #[test]
    fn fragments_cover_only_their_pieces() {
        let mut a = span("d", "actor", 0, 15);
        a.fragments = vec![[0, 5], [10, 15]];
        assert!(a.fragments_ok());
        assert!(a.contains(3) && !a.contains(7) && a.contains(12));
        assert_eq!(a.pieces().collect::<Vec<_>>(), vec![0..5, 10..15]);
        a.fragments = vec![[0, 5], [5, 15]];
        assert!(!a.fragments_ok(), "touching pieces are one piece");
        a.fragments = vec![[0, 15]];
        assert!(!a.fragments_ok(), "one piece is a continuous span");
        let mut layer = AnnotationLayer::new("a.txt", "ana");
        assert_eq!(
            layer.apply(Edit::Add(a)),
            Err(EditError::BadFragments("d".into()))
        );
    }

    fn link(id: &str, kind: &str, from: &str, to: &str) -> Relation {
        Relation {
            id: id.into(),
            kind: kind.into(),
            from: from.into(),
            to: to.into(),
            author: "ana".into(),
            created: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn relations_need_both_ends_and_hold_their_annotations() {
        let mut layer = AnnotationLayer::new("a.txt", "ana")
            .with_annotations(vec![span("c", "claim", 0, 9), span("a", "actor", 10, 15)]);
        assert_eq!(
            layer.apply(Edit::AddRelation(link("r", "said_by", "c", "zz"))),
            Err(EditError::DanglingRelation("zz".into()))
        );
        let inverse = layer
            .apply(Edit::AddRelation(link("r", "said_by", "c", "a")))
            .unwrap();
        assert_eq!(layer.relations_of("a").count(), 1);
        assert_eq!(
            layer.apply(Edit::Remove { id: "a".into() }),
            Err(EditError::HasRelations("a".into()))
        );
        layer.apply(inverse).unwrap();
        assert!(layer.relations().is_empty());
        assert!(layer.apply(Edit::Remove { id: "a".into() }).is_ok());
    }

    #[test]
    fn each_edit_and_its_inverse_restore_the_layer() {
        let mut layer = AnnotationLayer::new("a.txt", "ana")
            .with_annotations(vec![span("b", "claim", 5, 9), span("a", "actor", 0, 4)]);
        assert_eq!(layer.annotations()[0].id, "a", "kept sorted");
        let edits = vec![
            Edit::Add(span("c", "actor", 2, 3)),
            Edit::Remove { id: "b".into() },
            Edit::Replace(Annotation {
                label: "disagreement".into(),
                note: Some("n".into()),
                ..span("a", "actor", 0, 7)
            }),
            Edit::SetStatus(DocStatus::Done),
        ];
        for edit in edits {
            let before = layer.clone();
            let inverse = layer.apply(edit).unwrap();
            assert!(
                layer.annotations() != before.annotations() || layer.status != before.status,
                "the edit changed nothing: {inverse:?}"
            );
            layer.apply(inverse).unwrap();
            assert_eq!(layer.annotations(), before.annotations());
            assert_eq!(layer.status, before.status);
        }
    }

    #[test]
    fn bad_edits_are_refused_and_change_nothing() {
        let mut layer =
            AnnotationLayer::new("a.txt", "ana").with_annotations(vec![span("a", "actor", 0, 4)]);
        let before = layer.clone();
        assert_eq!(
            layer.apply(Edit::Add(span("a", "claim", 1, 2))),
            Err(EditError::DuplicateId("a".into()))
        );
        assert_eq!(
            layer.apply(Edit::Remove { id: "zz".into() }),
            Err(EditError::UnknownId("zz".into()))
        );
        assert!(layer.apply(Edit::Add(span("e", "claim", 3, 3))).is_err());
        assert_eq!(layer, before);
    }

    #[test]
    fn overlapping_finds_nested_and_crossing_spans() {
        let layer = AnnotationLayer::new("a.txt", "ana").with_annotations(vec![
            span("outer", "claim", 0, 20),
            span("inner", "actor", 5, 10),
            span("later", "actor", 30, 35),
        ]);
        let ids: Vec<_> = layer.overlapping(6, 7).map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["outer", "inner"]);
        let ids: Vec<_> = layer.overlapping(10, 31).map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["outer", "later"]);
    }
}
