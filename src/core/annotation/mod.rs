//! Annotations, annotation layers (one per annotator per document) and the edits on them.
//!
//! Edits are values. [`AnnotationLayer::apply`] applies one and returns its exact inverse, so
//! undo/redo is a history of inverses — never a copy of the store.

use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::schema::Attributes;

mod layer;

pub use layer::AnnotationLayer;

/// The strings of an annotation: up to 24 bytes (ids, labels, authors, timestamps, most covered
/// texts and contexts) live inside the struct with no heap allocation, which keeps a
/// million-annotation project within its memory budget. Derefs to `str`.
pub type Str = compact_str::CompactString;

/// One labelled span. On disk its fields come in this order, with what few spans have (see
/// [`More`]) where it always stood: `fragments` after `end`, `review` after `suffix`,
/// `modified_by` and `note` last.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "Wire")]
pub struct Annotation {
    /// Stable, unique: never reused, never renumbered.
    pub id: Str,
    pub label: Str,
    /// Code-point offset, inclusive.
    pub start: usize,
    /// Code-point offset, exclusive.
    pub end: usize,
    /// The covered text (the pieces' texts joined by a space when discontinuous), as it was when the span was made or last changed.
    pub text: Str,
    /// Up to [`CONTEXT_CHARS`] characters before the span, to find it again when the source
    /// text changes (as a W3C `TextQuoteSelector` does).
    pub prefix: Str,
    /// Up to [`CONTEXT_CHARS`] characters after the span.
    pub suffix: Str,
    /// Schema-defined attribute values (e.g. a claim's `stance`).
    pub attributes: Attributes,
    pub author: Str,
    /// RFC 3339, UTC.
    pub created: Str,
    /// RFC 3339, UTC.
    pub modified: Str,
    /// What few spans have, out of line (`None` when it would be empty): a span costs 96 bytes
    /// less, which a million-span project feels in memory and in time. Read and changed
    /// through [`Annotation::fragments`], [`Annotation::set_fragments`] and the like.
    pub more: Option<Box<More>>,
}

/// The rarely set parts of an [`Annotation`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct More {
    /// A discontinuous span's pieces, `[start, end]` each, sorted and apart (brat's `0 5;10 15`);
    /// `start` is the first piece's start and `end` the last piece's end. Empty when continuous.
    pub fragments: Vec<[usize; 2]>,
    /// Set when the source text changed and the span could not be placed with certainty:
    /// why. The span keeps its last known position until a person checks it.
    pub review: Option<String>,
    /// Who last changed the span, when not its author (a curator who took it into the curated
    /// layer or changed it there): "added by sam, changed by maria".
    pub modified_by: Option<Str>,
    pub note: Option<String>,
}

/// An annotation as it is on disk (what is read; see [`Annotation`]'s `Serialize`).
#[derive(Deserialize)]
struct Wire {
    id: Str,
    label: Str,
    start: usize,
    end: usize,
    #[serde(default)]
    fragments: Vec<[usize; 2]>,
    text: Str,
    #[serde(default)]
    prefix: Str,
    #[serde(default)]
    suffix: Str,
    #[serde(default)]
    review: Option<String>,
    #[serde(default)]
    attributes: Attributes,
    author: Str,
    created: Str,
    modified: Str,
    #[serde(default)]
    modified_by: Option<Str>,
    #[serde(default)]
    note: Option<String>,
}

impl More {
    /// As an annotation's `more`: `None` when empty.
    pub fn boxed(self) -> Option<Box<Self>> {
        (self != Self::default()).then(|| Box::new(self))
    }
}

impl From<Wire> for Annotation {
    fn from(w: Wire) -> Self {
        let more = More {
            fragments: w.fragments,
            review: w.review,
            modified_by: w.modified_by,
            note: w.note,
        };
        Self {
            id: w.id,
            label: w.label,
            start: w.start,
            end: w.end,
            text: w.text,
            prefix: w.prefix,
            suffix: w.suffix,
            attributes: w.attributes,
            author: w.author,
            created: w.created,
            modified: w.modified,
            more: more.boxed(),
        }
    }
}

impl Serialize for Annotation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Annotation", 15)?;
        out.serialize_field("id", &self.id)?;
        out.serialize_field("label", &self.label)?;
        out.serialize_field("start", &self.start)?;
        out.serialize_field("end", &self.end)?;
        if !self.fragments().is_empty() {
            out.serialize_field("fragments", self.fragments())?;
        }
        out.serialize_field("text", &self.text)?;
        if !self.prefix.is_empty() {
            out.serialize_field("prefix", &self.prefix)?;
        }
        if !self.suffix.is_empty() {
            out.serialize_field("suffix", &self.suffix)?;
        }
        if let Some(review) = self.review() {
            out.serialize_field("review", review)?;
        }
        if !self.attributes.is_empty() {
            out.serialize_field("attributes", &self.attributes)?;
        }
        out.serialize_field("author", &self.author)?;
        out.serialize_field("created", &self.created)?;
        out.serialize_field("modified", &self.modified)?;
        if let Some(who) = self.modified_by() {
            out.serialize_field("modified_by", who)?;
        }
        if let Some(note) = self.note() {
            out.serialize_field("note", note)?;
        }
        out.end()
    }
}

impl Annotation {
    /// A discontinuous span's pieces (empty when continuous); see [`More::fragments`].
    pub fn fragments(&self) -> &[[usize; 2]] {
        self.more.as_ref().map_or(&[], |m| &m.fragments)
    }

    /// Why the span needs a person to check it, if it does.
    pub fn review(&self) -> Option<&str> {
        self.more.as_ref().and_then(|m| m.review.as_deref())
    }

    pub fn note(&self) -> Option<&str> {
        self.more.as_ref().and_then(|m| m.note.as_deref())
    }

    /// Who last changed the span, when not its author.
    pub fn modified_by(&self) -> Option<&str> {
        self.more.as_ref().and_then(|m| m.modified_by.as_deref())
    }

    pub fn set_fragments(&mut self, fragments: Vec<[usize; 2]>) {
        self.change_more(|m| m.fragments = fragments);
    }

    pub fn set_review(&mut self, review: Option<String>) {
        self.change_more(|m| m.review = review);
    }

    pub fn set_note(&mut self, note: Option<String>) {
        self.change_more(|m| m.note = note);
    }

    pub fn set_modified_by(&mut self, who: Option<Str>) {
        self.change_more(|m| m.modified_by = who);
    }

    /// Changes the rare parts, keeping `more` `None` whenever they are all empty (so equal
    /// spans compare equal).
    fn change_more(&mut self, change: impl FnOnce(&mut More)) {
        let mut more = self.more.take().unwrap_or_default();
        change(&mut more);
        if *more != More::default() {
            self.more = Some(more);
        }
    }
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
        let whole = self.fragments().is_empty().then_some(self.start..self.end);
        whole
            .into_iter()
            .chain(self.fragments().iter().map(|&[s, e]| s..e))
    }

    /// Whether the fragments are well formed: none, or at least two, each non-empty, sorted,
    /// apart, and framing `start..end`.
    pub fn fragments_ok(&self) -> bool {
        fragments_frame(self.fragments(), self.start, self.end)
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

/// `annotation` covering `pieces` (sorted, apart): extent, fragments and covered text follow.
pub fn with_pieces(
    mut annotation: Annotation,
    pieces: &[std::ops::Range<usize>],
    text: &super::SourceText,
) -> Annotation {
    annotation.start = pieces.first().map_or(annotation.start, |p| p.start);
    annotation.end = pieces.last().map_or(annotation.end, |p| p.end);
    annotation.set_fragments(if pieces.len() > 1 {
        pieces.iter().map(|p| [p.start, p.end]).collect()
    } else {
        Vec::new()
    });
    annotation.text = super::text::covered_text(text, pieces.iter().cloned()).into();
    annotation.prefix = super::text::context_before(text, annotation.start).into();
    annotation.suffix = super::text::context_after(text, annotation.end).into();
    annotation.set_review(None);
    annotation.modified = now_rfc3339().into();
    annotation
}

/// Whether a span's fragments are well formed: none, or at least two, each non-empty, sorted,
/// apart, and framing `start..end`.
pub fn fragments_frame(fragments: &[[usize; 2]], start: usize, end: usize) -> bool {
    if fragments.is_empty() {
        return true;
    }
    fragments.len() >= 2
        && fragments.iter().all(|[s, e]| s < e)
        && fragments.windows(2).all(|w| w[0][1] < w[1][0])
        && fragments.first().is_some_and(|f| f[0] == start)
        && fragments.last().is_some_and(|f| f[1] == end)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A span by `ana` with a placeholder covered text (other modules' tests use it too).
    pub(crate) fn span(id: &str, label: &str, start: usize, end: usize) -> Annotation {
        Annotation {
            id: id.into(),
            label: label.into(),
            start,
            end,
            text: "x".repeat(end - start).into(),
            more: None,
            prefix: Str::default(),
            suffix: Str::default(),
            attributes: Attributes::new(),
            author: "ana".into(),
            created: "2026-01-01T00:00:00Z".into(),
            modified: "2026-01-01T00:00:00Z".into(),
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

    proptest::proptest! {
        /// A batch (runs of additions and removals taken in one pass) does what applying its
        /// edits one by one does: the same layer, the same inverses, the same error — and on
        /// an error the layer as it was. Its inverses, applied as a batch, restore the layer.
        #[test]
        fn a_batch_is_its_edits_one_by_one(
            start in proptest::collection::vec((0usize..12, 0usize..30, 1usize..6, 0usize..2), 0..12),
            edits in proptest::collection::vec((0usize..4, 0usize..16, 0usize..30, 1usize..6, 0usize..2), 0..30),
            related in 0usize..16,
        ) {
            const LABELS: [&str; 2] = ["actor", "claim"];
            let mut spans: Vec<Annotation> = start
                .iter()
                .map(|&(id, s, len, l)| span(&id.to_string(), LABELS[l], s, s + len))
                .collect();
            spans.sort_by(|a, b| a.id.cmp(&b.id));
            spans.dedup_by(|a, b| a.id == b.id);
            let first = spans.first().map(|a| a.id.to_string());
            let mut layer = AnnotationLayer::new("d", "a").with_annotations(spans);
            // A relation pins one span (its removal is refused).
            if let Some(id) = first.filter(|_| related % 2 == 0) {
                layer = layer.with_relations(vec![Relation {
                    id: "r".to_owned(),
                    kind: "k".to_owned(),
                    from: id.clone(),
                    to: id,
                    author: "ana".to_owned(),
                    created: String::new(),
                }]);
            }
            let edits: Vec<Edit> = edits
                .iter()
                .map(|&(kind, id, s, len, l)| match kind {
                    0 | 1 => Edit::Add(span(&id.to_string(), LABELS[l], s, s + len)),
                    2 => Edit::Remove { id: id.to_string() },
                    _ => Edit::SetStatus(if l == 0 { DocStatus::Done } else { DocStatus::InProgress }),
                })
                .collect();
            let before = layer.clone();
            let mut one_by_one = layer.clone();
            let mut expected: Result<Vec<Edit>, EditError> = Ok(Vec::new());
            for edit in edits.clone() {
                match one_by_one.apply(edit) {
                    Ok(inverse) => expected.as_mut().unwrap().push(inverse),
                    Err(err) => {
                        expected = Err(err);
                        one_by_one = before.clone();
                        break;
                    }
                }
            }
            let got = layer.apply_all(edits);
            proptest::prop_assert_eq!(&got, &expected);
            proptest::prop_assert_eq!(&layer, &one_by_one);
            proptest::prop_assert_eq!(layer.count_by_label(), one_by_one.count_by_label());
            if let Ok(inverses) = got {
                layer.apply_all(inverses.into_iter().rev().collect()).unwrap();
                proptest::prop_assert_eq!(&layer, &before);
                proptest::prop_assert_eq!(layer.count_by_label(), before.count_by_label());
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
        a.set_fragments(vec![[0, 5], [10, 15]]);
        assert!(a.fragments_ok());
        assert!(a.contains(3) && !a.contains(7) && a.contains(12));
        assert_eq!(a.pieces().collect::<Vec<_>>(), vec![0..5, 10..15]);
        a.set_fragments(vec![[0, 5], [5, 15]]);
        assert!(!a.fragments_ok(), "touching pieces are one piece");
        a.set_fragments(vec![[0, 15]]);
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

    /// What few spans have lives out of line: a span is 256 bytes (a million-span project's
    /// memory budget counts on it), and an emptied `more` is dropped, so equal spans compare
    /// equal and write the same.
    #[test]
    fn the_rare_parts_of_a_span_are_out_of_line_and_dropped_when_empty() {
        assert!(std::mem::size_of::<Annotation>() <= 256);
        let mut a = span("a", "actor", 0, 4);
        a.set_note(Some("n".into()));
        a.set_modified_by(Some("maria".into()));
        assert_eq!(a.note(), Some("n"));
        let json = serde_json::to_string(&a).unwrap();
        assert!(
            json.ends_with(r#""modified_by":"maria","note":"n"}"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Annotation>(&json).unwrap(), a);
        a.set_note(None);
        a.set_modified_by(None);
        assert!(a.more.is_none());
        assert_eq!(a, span("a", "actor", 0, 4));
    }

    #[test]
    fn each_edit_and_its_inverse_restore_the_layer() {
        let mut layer = AnnotationLayer::new("a.txt", "ana")
            .with_annotations(vec![span("b", "claim", 5, 9), span("a", "actor", 0, 4)]);
        assert_eq!(layer.annotations()[0].id, "a", "kept sorted");
        let edits = vec![
            Edit::Add(span("c", "actor", 2, 3)),
            Edit::Remove { id: "b".into() },
            Edit::Replace({
                let mut a = Annotation {
                    label: "disagreement".into(),
                    ..span("a", "actor", 0, 7)
                };
                a.set_note(Some("n".into()));
                a
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
