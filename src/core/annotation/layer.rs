//! One annotator's layer of one document: spans sorted by (start, end, label, id), relations,
//! rejections, label counts kept by every edit, and a revision unique in the process.
//! [`AnnotationLayer::apply`] applies an [`Edit`] and returns its exact inverse.

use std::sync::Arc;

use super::{
    Annotation, DocStatus, Edit, EditError, Rejection, Relation, RelationRejection,
    RelationSignature, SpanRef,
};

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
    label_counts: std::collections::BTreeMap<super::Name, usize>,
    revision: u64,
}

/// A process-wide counter behind [`AnnotationLayer::revision`].
pub(super) fn next_revision() -> u64 {
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
        // Files keep them sorted: checking is cheaper than sorting (which takes a buffer).
        if !annotations.is_sorted_by(|a, b| a.sort_key() <= b.sort_key()) {
            annotations.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        }
        // A vector that grew by doubling, or was sized from a guess, may carry slack: only a
        // quarter or more is worth a copy.
        if annotations.capacity() - annotations.len() > annotations.len() / 4 {
            annotations.shrink_to_fit();
        }
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
                Edit::Remove { id }
            }
            Edit::Remove { id } => {
                let index = self.index_of(&id)?;
                if self.relations.iter().any(|r| r.touches(&id)) {
                    return Err(EditError::HasRelations(id.to_string()));
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

    /// Applies edits in order, all or nothing: on failure the layer is as it was and the
    /// error is returned; on success, the inverses in the order applied. Runs of additions and
    /// of removals (an import, its undo) go in one pass each — checked against an id set,
    /// then one sort or one sweep — where one by one each paid a scan of the layer
    /// (quadratic: 100,000 spans into one document meant 100,000 scans of a growing layer).
    pub fn apply_all(&mut self, edits: Vec<Edit>) -> Result<Vec<Edit>, EditError> {
        let mut inverses: Vec<Edit> = Vec::with_capacity(edits.len());
        let mut edits = edits.into_iter().peekable();
        let mut outcome = Ok(());
        while let Some(edit) = edits.next() {
            let step = match edit {
                Edit::Add(first) if matches!(edits.peek(), Some(Edit::Add(_))) => {
                    // An import's run is most of the edits: room for them at once.
                    let mut run = Vec::with_capacity(edits.len() + 1);
                    run.push(first);
                    while let Some(Edit::Add(_)) = edits.peek() {
                        let Some(Edit::Add(a)) = edits.next() else {
                            unreachable!()
                        };
                        run.push(a);
                    }
                    self.add_many(run).map(|done| inverses.extend(done))
                }
                Edit::Remove { id: first } if matches!(edits.peek(), Some(Edit::Remove { .. })) => {
                    let mut run = vec![first];
                    while let Some(Edit::Remove { .. }) = edits.peek() {
                        let Some(Edit::Remove { id }) = edits.next() else {
                            unreachable!()
                        };
                        run.push(id);
                    }
                    self.remove_many(&run).map(|done| inverses.extend(done))
                }
                edit => self.apply(edit).map(|inverse| inverses.push(inverse)),
            };
            if let Err(err) = step {
                outcome = Err(err);
                break;
            }
        }
        if let Err(err) = outcome {
            for inverse in inverses.into_iter().rev() {
                // The inverse of an edit just applied always applies.
                let _ = self.apply(inverse);
            }
            return Err(err);
        }
        Ok(inverses)
    }

    /// Adds annotations as one `Edit::Add` each would, in one pass: all or none.
    fn add_many(&mut self, added: Vec<Annotation>) -> Result<Vec<Edit>, EditError> {
        let mut ids: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::with_capacity_and_hasher(
            self.annotations.len() + added.len(),
            rustc_hash::FxBuildHasher,
        );
        ids.extend(self.annotations.iter().map(|a| a.id.as_str()));
        for a in &added {
            check_span(a)?;
            if !ids.insert(a.id.as_str()) {
                return Err(EditError::DuplicateId(a.id.to_string()));
            }
        }
        drop(ids);
        let inverses = added
            .iter()
            .map(|a| Edit::Remove { id: a.id.clone() })
            .collect();
        for a in &added {
            self.count_in(a);
        }
        let spans = Arc::make_mut(&mut self.annotations);
        let old_len = spans.len();
        spans.extend(added);
        // Sort keys are unique (they end with the id): the order is the one inserting each
        // in turn gave. The old spans are one sorted run already.
        if spans[old_len..].is_sorted_by(|a, b| a.sort_key() < b.sort_key())
            && (old_len == 0 || spans[old_len - 1].sort_key() < spans[old_len].sort_key())
        {
            // Appended in order: nothing to do.
        } else {
            spans.sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        }
        self.revision = next_revision();
        Ok(inverses)
    }

    /// Removes annotations as one `Edit::Remove` each would, in one pass: all or none.
    fn remove_many(&mut self, ids: &[super::Str]) -> Result<Vec<Edit>, EditError> {
        let touched: rustc_hash::FxHashSet<&str> = self
            .relations
            .iter()
            .flat_map(|r| [r.from.as_str(), r.to.as_str()])
            .collect();
        let present: rustc_hash::FxHashSet<&str> =
            self.annotations.iter().map(|a| a.id.as_str()).collect();
        let mut wanted: rustc_hash::FxHashMap<&str, usize> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(ids.len(), rustc_hash::FxBuildHasher);
        // Checked in order, so the error is the one the first failing removal gives.
        for (n, id) in ids.iter().enumerate() {
            // Removed just before, or never there: unknown.
            if !present.contains(id.as_str()) || wanted.insert(id.as_str(), n).is_some() {
                return Err(EditError::UnknownId(id.to_string()));
            }
            if touched.contains(id.as_str()) {
                return Err(EditError::HasRelations(id.to_string()));
            }
        }
        drop((present, touched));
        // The removed spans, in the order their removals were asked for (their inverses).
        let order = wanted;
        let spans = Arc::make_mut(&mut self.annotations);
        let mut removed: Vec<(usize, Annotation)> = Vec::with_capacity(ids.len());
        let mut kept = Vec::with_capacity(spans.len() - ids.len());
        for a in std::mem::take(spans) {
            match order.get(a.id.as_str()) {
                Some(&n) => removed.push((n, a)),
                None => kept.push(a),
            }
        }
        *spans = kept;
        removed.sort_unstable_by_key(|(n, _)| *n);
        for (_, a) in &removed {
            self.count_out(&a.label);
        }
        self.revision = next_revision();
        Ok(removed.into_iter().map(|(_, a)| Edit::Add(a)).collect())
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
pub(super) fn check_span(a: &Annotation) -> Result<(), EditError> {
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
pub(super) fn count_labels(
    annotations: &[Annotation],
) -> std::collections::BTreeMap<super::Name, usize> {
    let mut counter = LabelCounter::default();
    for a in annotations {
        counter.add(&a.label);
    }
    counter.finish()
}

/// Counts spans per label. A schema has a handful of labels: a short list searched from the
/// last hit beats a map lookup per span.
#[derive(Default)]
pub(super) struct LabelCounter<'a> {
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

    fn finish(self) -> std::collections::BTreeMap<super::Name, usize> {
        self.counts
            .into_iter()
            .map(|(l, n)| (super::Name::new(l), n))
            .collect()
    }
}
