//! Adjudication into the curated layer: accepting colleagues' spans and relations, recording
//! rejections, taking everything the annotators agree on, and what the curator decided about
//! an annotator's span. Each is one undo step through the workspace.

use std::collections::BTreeSet;
use std::ops::Range;

use super::super::annotation::{
    Annotation, AnnotationLayer, DocStatus, Edit, Rejection, Relation, RelationRejection,
};
use super::super::annotation::{new_annotation_id, now_rfc3339};
use super::super::project::{LayerKey, Project};
use super::super::workspace::{Pending, Workspace, WorkspaceError};
use super::{CURATED, DiffKind, RelationSignature, SpanRef, diff, signature_key};

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
        let mut copy = Annotation {
            id: new_annotation_id().into(),
            more: None,
            ..a.clone()
        };
        copy.set_modified(&now);
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
    let (edits, _) = copy_edits(ws.project(), document, &spans, &mut Vec::new());
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
    let (mut edits, ids) = copy_edits(ws.project(), document, &ends, &mut planned);
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
                .ok_or_else(|| super::super::annotation::EditError::UnknownId(id.clone()).into())
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
            id: same.id.clone(),
        });
    }
    // Everyone who made this very span.
    let from: Vec<String> = ws
        .project()
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
        fragments: span.fragments().to_vec(),
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
        .project()
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
        let d = diff(ws.project(), document, annotators);
        let curated = ws.layer(document, CURATED);
        let agreed: Vec<Annotation> = d
            .clusters
            .iter()
            .filter(|c| c.kind == DiffKind::Agree)
            .flat_map(|c| c.spans[0].iter().cloned())
            .filter(|a| curated.is_none_or(|c| c.rejection_of(a).is_none()))
            .collect();
        let mut planned = Vec::new();
        let (mut edits, _) = copy_edits(ws.project(), document, &agreed, &mut planned);
        let spans_added = edits.iter().filter(|e| matches!(e, Edit::Add(_))).count();
        // Relations every annotator has, between spans now in (or going into) the curated layer.
        let in_curated = |end: &SpanRef| -> Option<String> {
            let matches = |a: &Annotation| SpanRef::of(a) == *end;
            curated
                .and_then(|c| c.overlapping(end.start, end.end).find(|a| matches(a)))
                .or_else(|| planned.iter().find(|a| matches(a)))
                .map(|a| a.id.to_string())
        };
        let shared = shared_relations(ws.project(), document, annotators);
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
