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

use std::ops::Range;

use super::annotation::{Annotation, AnnotationLayer, Relation};
use super::project::{LayerKey, Project};

pub use super::annotation::{RelationSignature, SpanRef};
pub use super::project::CURATED;

mod curate;
pub use curate::{
    Agreed, Decision, accept, accept_agreed, accept_relation, decision, reject, reject_relation,
    relation_decision,
};

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
    (a.label.to_string(), a.start, a.end, a.fragments().to_vec())
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
        a.label == b.label && a.start == b.start && a.end == b.end && a.fragments() == b.fragments()
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
