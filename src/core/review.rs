//! Review: colleagues' layers side by side, and adjudication into the curated layer.
//!
//! * [`diff`] compares two or more layers of a document. Spans that overlap across the layers
//!   form a [`Cluster`]; a cluster is a disagreement unless every layer has the same spans
//!   (label, extent and attributes) in it. Relations are compared by what they link (type, and
//!   both ends' label and extent), since ids differ between layers.
//! * The curated layer ([`CURATED`]) is an ordinary layer with a reserved name, so exports,
//!   agreement and the editor treat it as any annotator. [`accept`] copies annotators' spans or
//!   relations into it, [`reject`] records a "no" (a [`Rejection`], kept in the curated file),
//!   [`accept_agreed`] takes everything all the compared annotators agree on. Each is one undo
//!   step, and none of them ever changes an annotator's layer.
//! * [`decision`] tells an annotator what the curator decided about one of their spans.

use std::collections::BTreeSet;
use std::ops::Range;

use super::annotation::{
    Annotation, AnnotationLayer, DocStatus, Edit, Rejection, Relation, RelationRejection,
};
use super::annotation::{new_annotation_id, now_rfc3339};
use super::project::{LayerKey, Project};
use super::workspace::{Pending, Workspace, WorkspaceError};

pub use super::annotation::{RelationSignature, SpanRef};
pub use super::project::CURATED;

/// How the layers differ in one cluster. Ordered from agreeing to most different.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    /// Every layer has the same spans here.
    Agree,
    /// Same labels and extents, different attribute values.
    Attributes,
    /// Same labels, different extents.
    Extent,
    /// Different labels.
    Label,
    /// Some layer has nothing here.
    Missing,
}

impl DiffKind {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Agree => "match",
            Self::Attributes => "attributes differ",
            Self::Extent => "extent differs",
            Self::Label => "label differs",
            Self::Missing => "only in some layers",
        }
    }
}

/// Spans of the compared layers that overlap one another (transitively).
#[derive(Debug, Clone)]
pub struct Cluster {
    /// From the first start to the last end, in code points.
    pub range: Range<usize>,
    /// Per compared layer (in [`DocDiff::layers`] order), its spans here.
    pub spans: Vec<Vec<Annotation>>,
    pub kind: DiffKind,
    /// The curated layer already has a span here, or rejected every span here.
    pub decided: bool,
}

impl Cluster {
    pub fn is_disagreement(&self) -> bool {
        self.kind != DiffKind::Agree
    }
}

/// A relation not in every compared layer.
#[derive(Debug, Clone)]
pub struct RelationDiff {
    pub signature: RelationSignature,
    /// Per compared layer, its relation with that signature, if it has one.
    pub present: Vec<Option<Relation>>,
    /// The curated layer has this relation, or rejected it.
    pub decided: bool,
}

/// The comparison of some layers of one document.
#[derive(Debug, Clone, Default)]
pub struct DocDiff {
    pub document: String,
    pub layers: Vec<String>,
    pub clusters: Vec<Cluster>,
    /// Relations that some layers lack; relations all layers share are not listed.
    pub relations: Vec<RelationDiff>,
    /// Relations every layer has.
    pub shared_relations: usize,
}

impl DocDiff {
    pub fn disagreements(&self) -> impl Iterator<Item = &Cluster> {
        self.clusters.iter().filter(|c| c.is_disagreement())
    }
}

fn signature_key(a: &Annotation) -> (String, usize, usize, Vec<[usize; 2]>) {
    (a.label.to_string(), a.start, a.end, a.fragments.clone())
}

/// Compares `layers` (annotators, or [`CURATED`]) on `document`. A missing layer counts as
/// empty.
pub fn diff(project: &Project, document: &str, layers: &[String]) -> DocDiff {
    let got: Vec<Option<&AnnotationLayer>> = layers
        .iter()
        .map(|a| {
            project
                .layers
                .get(&LayerKey::new(document.to_owned(), a.clone()))
        })
        .collect();
    let curated = project
        .layers
        .get(&LayerKey::new(document.to_owned(), CURATED.to_owned()));
    diff_layers(document, layers, &got, curated)
}

/// [`diff`] of layers at hand (e.g. copies taken to compare on another thread): `got[i]` is
/// the layer of `layers[i]` (`None`: empty), `curated` the curated layer.
pub fn diff_layers(
    document: &str,
    layers: &[String],
    got: &[Option<&AnnotationLayer>],
    curated: Option<&AnnotationLayer>,
) -> DocDiff {
    let empty = AnnotationLayer::new(document, "");
    let got: Vec<&AnnotationLayer> = got.iter().map(|l| l.unwrap_or(&empty)).collect();
    // Every span of every layer, by start: sweep into clusters of overlapping spans.
    let mut all: Vec<(usize, &Annotation)> = got
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.annotations().iter().map(move |a| (i, a)))
        .collect();
    all.sort_by_key(|(i, a)| (a.start, a.end, *i));
    let mut clusters: Vec<Cluster> = Vec::new();
    for (i, a) in all {
        match clusters.last_mut() {
            Some(c) if a.start < c.range.end => {
                c.range.end = c.range.end.max(a.end);
                c.spans[i].push(a.clone());
            }
            _ => {
                let mut spans = vec![Vec::new(); got.len()];
                spans[i].push(a.clone());
                clusters.push(Cluster {
                    range: a.start..a.end,
                    spans,
                    kind: DiffKind::Agree,
                    decided: false,
                });
            }
        }
    }
    for c in &mut clusters {
        c.kind = classify(&c.spans);
        c.decided = curated.is_some_and(|cur| {
            cur.overlapping(c.range.start, c.range.end).next().is_some()
                || c.spans
                    .iter()
                    .flatten()
                    .all(|a| cur.rejection_of(a).is_some())
        });
    }
    // Relations by signature.
    let mut by_signature: std::collections::BTreeMap<RelationSignature, Vec<Option<Relation>>> =
        std::collections::BTreeMap::new();
    for (i, layer) in got.iter().enumerate() {
        for r in layer.relations() {
            if let Some(sig) = layer.signature_of(r) {
                by_signature
                    .entry(sig)
                    .or_insert_with(|| vec![None; got.len()])[i] = Some(r.clone());
            }
        }
    }
    let mut shared_relations = 0;
    let mut relations = Vec::new();
    for (signature, present) in by_signature {
        if present.iter().all(Option::is_some) {
            shared_relations += 1;
        } else {
            let decided = curated.is_some_and(|cur| {
                cur.relation_rejection_of(&signature).is_some()
                    || cur.relations_like(&signature).next().is_some()
            });
            relations.push(RelationDiff {
                signature,
                present,
                decided,
            });
        }
    }
    DocDiff {
        document: document.to_owned(),
        layers: layers.to_vec(),
        clusters,
        relations,
        shared_relations,
    }
}

fn classify(spans: &[Vec<Annotation>]) -> DiffKind {
    if spans.iter().any(Vec::is_empty) {
        return DiffKind::Missing;
    }
    // Each layer's spans here, seen down to what is compared: the same set for all layers?
    // (A cluster holds a span or two per layer: pairwise comparison, no allocation.)
    let all_equal = |same: &dyn Fn(&Annotation, &Annotation) -> bool| {
        let subset =
            |a: &[Annotation], b: &[Annotation]| a.iter().all(|x| b.iter().any(|y| same(x, y)));
        spans[1..]
            .iter()
            .all(|s| subset(&spans[0], s) && subset(s, &spans[0]))
    };
    let extent = |a: &Annotation, b: &Annotation| {
        a.label == b.label && a.start == b.start && a.end == b.end && a.fragments == b.fragments
    };
    if all_equal(&|a, b| extent(a, b) && a.attributes == b.attributes) {
        DiffKind::Agree
    } else if all_equal(&extent) {
        DiffKind::Attributes
    } else if all_equal(&|a, b| a.label == b.label) {
        DiffKind::Extent
    } else {
        DiffKind::Label
    }
}

/// Where the next (or previous) disagreement is, from `(document, char offset)`, over the
/// documents in project order (wrapping around). `undecided_only` skips clusters the curator
/// has decided.
pub fn next_disagreement(
    project: &Project,
    layers: &[String],
    from: (&str, usize),
    forward: bool,
    undecided_only: bool,
) -> Option<(String, Range<usize>)> {
    next_disagreement_with(project, layers, from, forward, undecided_only, None)
}

/// [`next_disagreement`], given a diff already at hand (the current document's, which the
/// review panel keeps): it is not computed again.
pub fn next_disagreement_with(
    project: &Project,
    layers: &[String],
    from: (&str, usize),
    forward: bool,
    undecided_only: bool,
    known: Option<&DocDiff>,
) -> Option<(String, Range<usize>)> {
    let docs: Vec<&str> = project.documents.iter().map(|d| d.path.as_str()).collect();
    walk(&docs, from, forward, undecided_only, &mut |doc, _| {
        Some(match known {
            Some(k) if k.document == doc && k.layers == layers => std::borrow::Cow::Borrowed(k),
            _ => std::borrow::Cow::Owned(diff(project, doc, layers)),
        })
    })
}

/// Whether the current document (after / before `from`) has the next disagreement, from its
/// diff alone: `Some(found)` settles it; `None` means the other documents must be looked at
/// ([`StepSearch`], on a thread when they are big).
pub fn next_in_document(
    current: &DocDiff,
    from: usize,
    forward: bool,
    undecided_only: bool,
) -> Option<Range<usize>> {
    let docs = [current.document.as_str()];
    // Only the first step: the document itself, after (or before) the offset.
    let walked = walk(
        &docs,
        (&current.document, from),
        forward,
        undecided_only,
        &mut |_, step| (step == Some(0)).then_some(std::borrow::Cow::Borrowed(current)),
    );
    walked.map(|(_, range)| range)
}

/// A search for the next disagreement across documents on copies of the compared layers (they
/// share their spans), so it can run on another thread.
pub struct StepSearch {
    docs: Vec<String>,
    layers: Vec<String>,
    /// Per document: the compared layers and the curated one.
    copies: Vec<(Vec<Option<AnnotationLayer>>, Option<AnnotationLayer>)>,
    from: (String, usize),
    forward: bool,
    undecided_only: bool,
}

impl StepSearch {
    pub fn new(
        project: &Project,
        layers: &[String],
        from: (&str, usize),
        forward: bool,
        undecided_only: bool,
    ) -> Self {
        let docs: Vec<String> = project.documents.iter().map(|d| d.path.clone()).collect();
        let copies = docs
            .iter()
            .map(|doc| {
                let get = |a: &str| {
                    project
                        .layers
                        .get(&LayerKey::new(doc.clone(), a.to_owned()))
                        .cloned()
                };
                (layers.iter().map(|a| get(a)).collect(), get(CURATED))
            })
            .collect();
        Self {
            docs,
            layers: layers.to_vec(),
            copies,
            from: (from.0.to_owned(), from.1),
            forward,
            undecided_only,
        }
    }

    pub fn run(self) -> Option<(String, Range<usize>)> {
        let docs: Vec<&str> = self.docs.iter().map(String::as_str).collect();
        walk(
            &docs,
            (&self.from.0, self.from.1),
            self.forward,
            self.undecided_only,
            &mut |doc, _| {
                let i = self.docs.iter().position(|d| d == doc)?;
                let (got, curated) = &self.copies[i];
                let got: Vec<Option<&AnnotationLayer>> = got.iter().map(Option::as_ref).collect();
                Some(std::borrow::Cow::Owned(diff_layers(
                    doc,
                    &self.layers,
                    &got,
                    curated.as_ref(),
                )))
            },
        )
    }
}

/// Gives a document's diff during a [`walk`] (`None` stops it).
type DiffOf<'a, 'f> = dyn FnMut(&str, Option<usize>) -> Option<std::borrow::Cow<'a, DocDiff>> + 'f;

/// Where a disagreement is: its document and character range.
pub type Found = (String, Range<usize>);

/// The walk behind [`next_disagreement`]: the current document (after/before the offset), the
/// others in order, then the current document again (before/after the offset) to wrap around.
/// `diff_of(doc, step)` gives a document's diff (`step` is `None` for the wrap-around visit);
/// `None` stops the walk there.
fn walk(
    docs: &[&str],
    from: (&str, usize),
    forward: bool,
    undecided_only: bool,
    diff_of: &mut DiffOf<'_, '_>,
) -> Option<(String, Range<usize>)> {
    if docs.is_empty() {
        return None;
    }
    let here = docs.iter().position(|d| *d == from.0).unwrap_or(0);
    let wanted = |c: &Cluster| c.is_disagreement() && !(undecided_only && c.decided);
    for step in 0..=docs.len() {
        let index = if forward {
            (here + step) % docs.len()
        } else {
            (here + docs.len() * 2 - step) % docs.len()
        };
        let doc = docs[index];
        let last = step == docs.len();
        let d = diff_of(doc, (!last).then_some(step))?;
        let mut candidates = d.clusters.iter().filter(|c| wanted(c));
        let found = match (step, forward) {
            (0, true) => candidates.find(|c| c.range.start > from.1),
            (0, false) => candidates.rev().find(|c| c.range.start < from.1),
            (_, true) if last => candidates.find(|c| c.range.start <= from.1),
            (_, false) if last => candidates.rev().find(|c| c.range.start >= from.1),
            (_, true) => candidates.next(),
            (_, false) => candidates.next_back(),
        };
        if let Some(c) = found {
            return Some((doc.to_owned(), c.range.clone()));
        }
    }
    None
}

/// What the curator decided about one annotator's span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The curated layer has the same span.
    Accepted,
    /// The curated layer has something else here: its label and extent.
    Changed {
        label: String,
        range: Range<usize>,
    },
    Rejected,
    /// Not curated yet.
    Open,
}

impl Decision {
    pub fn describe(&self) -> String {
        match self {
            Self::Accepted => "accepted by the curator".to_owned(),
            Self::Changed { label, range } => format!(
                "the curator chose {label} at {}..{} instead",
                range.start, range.end
            ),
            Self::Rejected => "rejected by the curator".to_owned(),
            Self::Open => "not curated yet".to_owned(),
        }
    }
}

/// What the curator decided about `annotation` (a span of some annotator's layer).
pub fn decision(project: &Project, document: &str, annotation: &Annotation) -> Decision {
    let Some(curated) = project
        .layers
        .get(&LayerKey::new(document.to_owned(), CURATED.to_owned()))
    else {
        return Decision::Open;
    };
    if curated.rejection_of(annotation).is_some() {
        return Decision::Rejected;
    }
    let others: Vec<&Annotation> = curated
        .overlapping(annotation.start, annotation.end)
        .collect();
    if others.iter().any(|c| same_span(c, annotation)) {
        return Decision::Accepted;
    }
    match others.first() {
        Some(c) => Decision::Changed {
            label: c.label.to_string(),
            range: c.start..c.end,
        },
        None => Decision::Open,
    }
}

/// Same label, extent and pieces (attributes aside).
fn same_span(a: &Annotation, b: &Annotation) -> bool {
    signature_key(a) == signature_key(b)
}

fn curated_key(document: &str) -> LayerKey {
    LayerKey::new(document.to_owned(), CURATED.to_owned())
}

/// The edits that copy `spans` (from `annotator`'s layer) into the curated layer, skipping any
/// it already has and taking back their rejections. Returns the edits and, per span, the id it
/// has in the curated layer.
fn copy_edits(
    project: &Project,
    document: &str,
    spans: &[Annotation],
    planned: &mut Vec<Annotation>,
) -> (Vec<Edit>, Vec<String>) {
    let curated = project.layers.get(&curated_key(document));
    let now = now_rfc3339();
    let mut edits = Vec::new();
    let mut ids = Vec::new();
    for a in spans {
        let existing = curated
            .and_then(|c| c.overlapping(a.start, a.end).find(|c| same_span(c, a)))
            .or_else(|| planned.iter().find(|c| same_span(c, a)));
        if let Some(e) = existing {
            ids.push(e.id.to_string());
            continue;
        }
        if let Some(r) = curated.and_then(|c| c.rejection_of(a)) {
            edits.push(Edit::Unreject(r.clone()));
        }
        let copy = Annotation {
            id: new_annotation_id().into(),
            review: None,
            modified: now.clone().into(),
            ..a.clone()
        };
        ids.push(copy.id.to_string());
        planned.push(copy.clone());
        edits.push(Edit::Add(copy));
    }
    if curated.is_none_or(|c| c.status == DocStatus::New) && !edits.is_empty() {
        edits.push(Edit::SetStatus(DocStatus::InProgress));
    }
    (edits, ids)
}

/// Copies spans of `annotator`'s layer (by id) into the curated layer, with their attributes and
/// notes, as one undo step. Spans the curated layer already has are left as they are.
pub fn accept(
    ws: &mut Workspace,
    document: &str,
    annotator: &str,
    ids: &[String],
) -> Result<usize, WorkspaceError> {
    let spans = source_spans(ws, document, annotator, ids)?;
    let (edits, _) = copy_edits(&ws.project, document, &spans, &mut Vec::new());
    let added = edits.iter().filter(|e| matches!(e, Edit::Add(_))).count();
    if edits.is_empty() {
        return Ok(0);
    }
    let what = match spans.as_slice() {
        [one] => format!("accept {} from {annotator}", one.label),
        _ => format!("accept {added} spans from {annotator}"),
    };
    ws.apply(&curated_key(document), what, None, edits)?;
    Ok(added)
}

/// Copies a relation of `annotator`'s layer into the curated layer, and its two spans if the
/// curated layer does not have them yet; one undo step.
pub fn accept_relation(
    ws: &mut Workspace,
    document: &str,
    annotator: &str,
    relation_id: &str,
) -> Result<(), WorkspaceError> {
    let layer = annotator_layer(ws, document, annotator)?;
    let relation = layer
        .relation(relation_id)
        .cloned()
        .ok_or_else(|| WorkspaceError::Review(format!("no relation {relation_id}")))?;
    let ends = source_spans(
        ws,
        document,
        annotator,
        &[relation.from.clone(), relation.to.clone()],
    )?;
    let mut planned = Vec::new();
    let (mut edits, ids) = copy_edits(&ws.project, document, &ends, &mut planned);
    let exists = ws.layer(document, CURATED).is_some_and(|c| {
        c.relations()
            .iter()
            .any(|r| r.kind == relation.kind && r.from == ids[0] && r.to == ids[1])
    });
    if let Some(signature) = ws
        .layer(document, annotator)
        .and_then(|l| l.signature_of(&relation))
        && let Some(r) = ws
            .layer(document, CURATED)
            .and_then(|c| c.relation_rejection_of(&signature))
    {
        edits.push(Edit::UnrejectRelation(r.clone()));
    }
    if !exists {
        edits.push(Edit::AddRelation(Relation {
            id: new_annotation_id(),
            from: ids[0].clone(),
            to: ids[1].clone(),
            created: now_rfc3339(),
            ..relation.clone()
        }));
    }
    if edits.is_empty() {
        return Ok(());
    }
    ws.apply(
        &curated_key(document),
        format!("accept {} from {annotator}", relation.kind),
        None,
        edits,
    )
}

/// `annotator`'s layer on `document`, or why there is none.
fn annotator_layer<'a>(
    ws: &'a Workspace,
    document: &str,
    annotator: &str,
) -> Result<&'a AnnotationLayer, WorkspaceError> {
    ws.layer(document, annotator)
        .ok_or_else(|| WorkspaceError::Review(format!("{annotator} has no layer on {document}")))
}

fn source_spans(
    ws: &Workspace,
    document: &str,
    annotator: &str,
    ids: &[String],
) -> Result<Vec<Annotation>, WorkspaceError> {
    let layer = annotator_layer(ws, document, annotator)?;
    ids.iter()
        .map(|id| {
            layer
                .get(id)
                .cloned()
                .ok_or_else(|| super::annotation::EditError::UnknownId(id.clone()).into())
        })
        .collect()
}

/// Rejects a span of `annotator`'s layer: records the rejection in the curated layer and, if
/// the curated layer has that very span, removes it (and its relations); one undo step.
///
/// `curator` is who decided (recorded as the rejection's `by`).
pub fn reject(
    ws: &mut Workspace,
    document: &str,
    annotator: &str,
    id: &str,
    curator: &str,
) -> Result<(), WorkspaceError> {
    let span = source_spans(ws, document, annotator, &[id.to_owned()])?.remove(0);
    let curated = ws.layer(document, CURATED);
    if curated.is_some_and(|c| c.rejection_of(&span).is_some()) {
        return Ok(());
    }
    let mut edits = Vec::new();
    if let Some(c) = curated
        && let Some(same) = c
            .overlapping(span.start, span.end)
            .find(|c| same_span(c, &span))
    {
        edits.extend(
            c.relations_of(&same.id)
                .map(|r| Edit::RemoveRelation { id: r.id.clone() }),
        );
        edits.push(Edit::Remove {
            id: same.id.to_string(),
        });
    }
    // Everyone who made this very span.
    let from: Vec<String> = ws
        .project
        .layers
        .iter()
        .filter(
            |(
                LayerKey {
                    document: d,
                    annotator: a,
                },
                _,
            )| d == document && a != CURATED,
        )
        .filter(|(_, l)| {
            l.overlapping(span.start, span.end)
                .any(|o| same_span(o, &span))
        })
        .map(|(LayerKey { annotator: a, .. }, _)| a.clone())
        .collect();
    edits.push(Edit::Reject(Rejection {
        label: span.label.to_string(),
        start: span.start,
        end: span.end,
        fragments: span.fragments.clone(),
        text: span.text.to_string(),
        from,
        by: curator.to_owned(),
        at: now_rfc3339(),
    }));
    if curated.is_none_or(|c| c.status == DocStatus::New) {
        edits.push(Edit::SetStatus(DocStatus::InProgress));
    }
    ws.apply(
        &curated_key(document),
        format!("reject {} of {annotator}", span.label),
        None,
        edits,
    )
}

/// Rejects a relation of `annotator`'s layer: records the rejection (by what the relation
/// links) in the curated layer and, if the curated layer has that relation, removes it (its
/// ends stay: they may have been accepted on their own); one undo step.
///
/// `curator` is who decided (recorded as the rejection's `by`).
pub fn reject_relation(
    ws: &mut Workspace,
    document: &str,
    annotator: &str,
    relation_id: &str,
    curator: &str,
) -> Result<(), WorkspaceError> {
    let layer = annotator_layer(ws, document, annotator)?;
    let signature = layer
        .relation(relation_id)
        .and_then(|r| layer.signature_of(r))
        .ok_or_else(|| {
            WorkspaceError::Review(format!("no relation {relation_id} with both ends"))
        })?;
    let curated = ws.layer(document, CURATED);
    if curated.is_some_and(|c| c.relation_rejection_of(&signature).is_some()) {
        return Ok(());
    }
    let mut edits: Vec<Edit> = curated
        .map(|c| {
            c.relations_like(&signature)
                .map(|r| Edit::RemoveRelation { id: r.id.clone() })
                .collect()
        })
        .unwrap_or_default();
    // Everyone who made this very relation.
    let annotators: Vec<String> = ws
        .project
        .layers
        .iter()
        .filter(
            |(
                LayerKey {
                    document: d,
                    annotator: a,
                },
                _,
            )| d == document && a != CURATED,
        )
        .filter(|(_, l)| l.relations_like(&signature).next().is_some())
        .map(|(LayerKey { annotator: a, .. }, _)| a.clone())
        .collect();
    let what = format!("reject {} of {annotator}", signature.kind);
    edits.push(Edit::RejectRelation(RelationRejection {
        relation: signature,
        annotators,
        by: curator.to_owned(),
        at: now_rfc3339(),
    }));
    if curated.is_none_or(|c| c.status == DocStatus::New) {
        edits.push(Edit::SetStatus(DocStatus::InProgress));
    }
    ws.apply(&curated_key(document), what, None, edits)
}

/// What the curator decided about `relation` of `annotator`'s layer: accepted (the curated
/// layer has a relation linking the same things), rejected, or open.
pub fn relation_decision(
    project: &Project,
    document: &str,
    annotator: &str,
    relation: &Relation,
) -> Decision {
    let (Some(layer), Some(curated)) = (
        project
            .layers
            .get(&LayerKey::new(document.to_owned(), annotator.to_owned())),
        project.layers.get(&curated_key(document)),
    ) else {
        return Decision::Open;
    };
    let Some(signature) = layer.signature_of(relation) else {
        return Decision::Open;
    };
    if curated.relation_rejection_of(&signature).is_some() {
        Decision::Rejected
    } else if curated.relations_like(&signature).next().is_some() {
        Decision::Accepted
    } else {
        Decision::Open
    }
}

/// What [`accept_agreed`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agreed {
    pub spans: usize,
    pub relations: usize,
    pub documents: usize,
}

/// Takes into the curated layer every span all `annotators` made identically (label, extent
/// and attributes) and every relation all of them made between such spans, on `documents`;
/// rejected ones stay rejected. One undo step over all the documents.
pub fn accept_agreed(
    ws: &mut Workspace,
    documents: &[String],
    annotators: &[String],
) -> Result<Agreed, WorkspaceError> {
    if annotators.len() < 2 {
        return Err(WorkspaceError::Review(
            "pick two or more annotators to take what they agree on".to_owned(),
        ));
    }
    let mut done = Agreed::default();
    let mut pending = Vec::new();
    for document in documents {
        if !annotators.iter().all(|a| ws.layer(document, a).is_some()) {
            continue;
        }
        let d = diff(&ws.project, document, annotators);
        let curated = ws.layer(document, CURATED);
        let agreed: Vec<Annotation> = d
            .clusters
            .iter()
            .filter(|c| c.kind == DiffKind::Agree)
            .flat_map(|c| c.spans[0].iter().cloned())
            .filter(|a| curated.is_none_or(|c| c.rejection_of(a).is_none()))
            .collect();
        let mut planned = Vec::new();
        let (mut edits, _) = copy_edits(&ws.project, document, &agreed, &mut planned);
        let spans_added = edits.iter().filter(|e| matches!(e, Edit::Add(_))).count();
        // Relations every annotator has, between spans now in (or going into) the curated layer.
        let in_curated = |end: &SpanRef| -> Option<String> {
            let matches = |a: &Annotation| SpanRef::of(a) == *end;
            curated
                .and_then(|c| c.overlapping(end.start, end.end).find(|a| matches(a)))
                .or_else(|| planned.iter().find(|a| matches(a)))
                .map(|a| a.id.to_string())
        };
        let shared = shared_relations(&ws.project, document, annotators);
        let mut relations_added = 0;
        for sig in shared {
            if curated.is_some_and(|c| c.relation_rejection_of(&sig).is_some()) {
                continue;
            }
            let (Some(from), Some(to)) = (in_curated(&sig.from), in_curated(&sig.to)) else {
                continue;
            };
            let exists = curated.is_some_and(|c| {
                c.relations()
                    .iter()
                    .any(|r| r.kind == sig.kind && r.from == from && r.to == to)
            });
            if !exists {
                edits.push(Edit::AddRelation(Relation {
                    id: new_annotation_id(),
                    kind: sig.kind.clone(),
                    from,
                    to,
                    author: annotators[0].clone(),
                    created: now_rfc3339(),
                }));
                relations_added += 1;
            }
        }
        if spans_added + relations_added > 0 {
            if curated.is_none_or(|c| c.status == DocStatus::New)
                && !edits.iter().any(|e| matches!(e, Edit::SetStatus(_)))
            {
                edits.push(Edit::SetStatus(DocStatus::InProgress));
            }
            done.spans += spans_added;
            done.relations += relations_added;
            done.documents += 1;
            pending.push(Pending::Layer(curated_key(document), edits));
        }
    }
    if !pending.is_empty() {
        ws.apply_changes(
            format!(
                "accept {} agreed spans and {} relations",
                done.spans, done.relations
            ),
            None,
            pending,
        )?;
    }
    Ok(done)
}

/// Signatures of the relations every one of `layers` has on `document`.
fn shared_relations(
    project: &Project,
    document: &str,
    layers: &[String],
) -> Vec<RelationSignature> {
    let sets: Vec<BTreeSet<RelationSignature>> = layers
        .iter()
        .map(|a| {
            project
                .layers
                .get(&LayerKey::new(document.to_owned(), a.clone()))
                .map(|l| {
                    l.relations()
                        .iter()
                        .filter_map(|r| l.signature_of(r))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    let Some((first, rest)) = sets.split_first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|s| rest.iter().all(|o| o.contains(s)))
        .cloned()
        .collect()
}
