//! Statements from a project's annotations: a claim span linked to a concept, its stance (the
//! qualifier, turned into a number by the schema's levels), and the actor spans it is
//! `said_by`, each linked to an actor entity. Disagreement spans `between` two actors are
//! observed conflicts. What cannot be a statement is counted, not silently dropped.

use std::collections::BTreeMap;

use super::{ClaimRef, Date, ObservedConflict, Statement};
use crate::core::Project;
use crate::core::entities::EntityKind;
use crate::core::schema::{AttributeValue, ENTITY_ATTRIBUTE};

/// How statements are read off the annotations.
#[derive(Debug, Clone)]
pub struct Coding {
    /// The layer to read: an annotator, or the curated layer.
    pub annotator: String,
    /// The claims' label (`claim`).
    pub claim_label: String,
    /// The relation from a claim to who said it (`said_by`).
    pub said_by: String,
    /// The qualifier attribute of claims (`stance`) and the number of each of its values.
    pub qualifier: String,
    pub levels: BTreeMap<String, i64>,
    /// Disagreements: their label, the relation to the actors taking part and the one to the
    /// claim they are about.
    pub disagreement_label: String,
    pub between: String,
    pub disputes: String,
    /// Where a statement's concept is: `None`, the claim's own entity; else the entity of the
    /// span this relation points to (DNA's variable 2 as any entity variable: `person` ×
    /// `organization` …).
    pub concept_relation: Option<String>,
}

impl Coding {
    /// The default coding scheme's names (`claim`, `said_by`, `stance`, `disagreement`,
    /// `between`, `disputes`) with the levels the project's schema gives `stance`. A project
    /// imported from DNA has DNA's defaults instead: statement type `DNA Statement`, actors
    /// by `organization`, qualifier `agreement` (see [`crate::formats::dna`]).
    pub fn standard(project: &Project, annotator: &str) -> Self {
        let (claim, said_by, qualifier) = if is_from_dna(project) {
            ("DNA Statement", "organization", "agreement")
        } else {
            ("claim", "said_by", "stance")
        };
        let levels = project
            .schema()
            .get(claim)
            .and_then(|l| l.attributes.iter().find(|a| a.name == qualifier))
            .map(|a| a.levels.clone())
            .unwrap_or_default();
        Self {
            annotator: annotator.to_owned(),
            claim_label: claim.to_owned(),
            said_by: said_by.to_owned(),
            qualifier: qualifier.to_owned(),
            levels,
            disagreement_label: "disagreement".to_owned(),
            between: "between".to_owned(),
            disputes: "disputes".to_owned(),
            concept_relation: None,
        }
    }
}

/// The layer name that reads every annotator's statements (not the curated layer), as DNA
/// counts every coder's.
pub const EVERY_ANNOTATOR: &str = "*";

impl Coding {
    /// Whether this annotator's layers are read.
    pub fn reads(&self, annotator: &str) -> bool {
        if self.annotator == EVERY_ANNOTATOR {
            annotator != crate::core::project::CURATED
        } else {
            self.annotator == annotator
        }
    }
}

/// Whether the project was made from a DNA database with DNA's default statement type (its
/// documents carry their DNA id).
pub fn is_from_dna(project: &Project) -> bool {
    project.schema().get("DNA Statement").is_some()
        && project
            .metadata
            .documents()
            .values()
            .any(|m| m.extra.contains_key("dna_id"))
}

/// What an entity that appears in the statements is: its kind and attributes (for filters
/// and node attributes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityInfo {
    pub kind: EntityKind,
    pub attributes: BTreeMap<String, String>,
}

/// What was read, and what could not be a statement (and why, with counts).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub statements: Vec<Statement>,
    pub conflicts: Vec<ObservedConflict>,
    /// Every actor and concept named above, by name.
    pub entities: BTreeMap<String, EntityInfo>,
    /// Claims left out: reason → how many.
    pub skipped: BTreeMap<String, usize>,
}

fn entity_of(a: &crate::core::Annotation) -> Option<&str> {
    match a.attributes.get(ENTITY_ATTRIBUTE) {
        Some(AttributeValue::Text(id)) => Some(id),
        _ => None,
    }
}

fn span_ref(
    annotator: &str,
    a: &crate::core::Annotation,
    stance: String,
    ids: (&str, &str),
) -> ClaimRef {
    ClaimRef {
        annotator: annotator.to_owned(),
        id: a.id.to_string(),
        start: a.start,
        end: a.end,
        text: a.text.to_string(),
        stance,
        actor_id: ids.0.to_owned(),
        concept_id: ids.1.to_owned(),
    }
}

/// The names nodes get: an entity's name, or — where two entities share it — the name with the
/// id, so two actors called alike stay two nodes (issue 36, 4).
fn node_names(registry: &crate::core::entities::Registry) -> BTreeMap<String, String> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for e in registry.entities() {
        *count.entry(e.name.as_str()).or_default() += 1;
    }
    registry
        .entities()
        .iter()
        .filter(|e| count[e.name.as_str()] > 1)
        .map(|e| (e.id.clone(), format!("{} [{}]", e.name, e.id)))
        .collect()
}

/// What statements are read from, owned: one annotator's layers (copy-on-write clones, so
/// taking it is cheap), the document dates and the registry. The Network window reads the
/// statements from it on a job, off the UI thread.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub layers: Vec<(crate::core::LayerKey, crate::core::AnnotationLayer)>,
    pub metadata: crate::core::metadata::Metadata,
    pub entities: crate::core::entities::Registry,
}

impl Snapshot {
    pub fn of(project: &Project, annotator: &str) -> Self {
        Self {
            layers: project
                .layers
                .iter()
                .filter(|(k, _)| {
                    if annotator == EVERY_ANNOTATOR {
                        k.annotator != crate::core::project::CURATED
                    } else {
                        k.annotator == annotator
                    }
                })
                .map(|(k, l)| (k.clone(), l.clone()))
                .collect(),
            metadata: project.metadata.clone(),
            entities: project.entities.clone(),
        }
    }

    pub fn statements(&self, coding: &Coding) -> Extracted {
        read(
            self.layers.iter().map(|(k, l)| (k, l)),
            &self.metadata,
            &self.entities,
            coding,
        )
    }
}

/// The statements and observed conflicts of `coding.annotator`'s layers, in document order.
/// Actors and concepts are named by their entity's name (so one actor is one node, however
/// the texts call it).
pub fn statements(project: &Project, coding: &Coding) -> Extracted {
    read(
        project.layers.iter(),
        &project.metadata,
        &project.entities,
        coding,
    )
}

fn read<'a>(
    layers: impl Iterator<Item = (&'a crate::core::LayerKey, &'a crate::core::AnnotationLayer)>,
    metadata: &crate::core::metadata::Metadata,
    registry: &crate::core::entities::Registry,
    coding: &Coding,
) -> Extracted {
    let mut out = Extracted::default();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut skip = |why: String| *skipped.entry(why).or_insert(0) += 1;
    let renamed = node_names(registry);
    let name = |entity: &crate::core::entities::Entity| -> String {
        renamed
            .get(&entity.id)
            .cloned()
            .unwrap_or_else(|| entity.name.clone())
    };
    let seen = |out: &mut Extracted, entity: &crate::core::entities::Entity| {
        out.entities
            .entry(name(entity))
            .or_insert_with(|| EntityInfo {
                kind: entity.kind,
                attributes: entity.attributes.clone(),
            });
    };
    for (key, layer) in layers {
        if !coding.reads(&key.annotator) {
            continue;
        }
        let date = metadata
            .get(&key.document)
            .and_then(crate::core::metadata::DocumentMeta::ymd)
            .map(|(y, m, d)| Date::new(y, m, d));
        // Relations by their source span: one pass, not one scan per claim.
        let mut from: BTreeMap<&str, Vec<&crate::core::annotation::Relation>> = BTreeMap::new();
        for r in layer.relations() {
            from.entry(r.from.as_str()).or_default().push(r);
        }
        let out_of = |id: &str, kind: &str| -> Vec<&str> {
            from.get(id)
                .map(|rs| {
                    rs.iter()
                        .filter(|r| r.kind == kind)
                        .map(|r| r.to.as_str())
                        .collect()
                })
                .unwrap_or_default()
        };
        let linked = |id: &str| {
            layer
                .get(id)
                .and_then(entity_of)
                .and_then(|e| registry.get(e))
        };
        for claim in layer
            .annotations()
            .iter()
            .filter(|a| a.label == coding.claim_label.as_str())
        {
            let concept = match &coding.concept_relation {
                None => entity_of(claim).and_then(|id| registry.get(id)),
                Some(relation) => out_of(&claim.id, relation).into_iter().find_map(linked),
            };
            let Some(concept) = concept else {
                skip(match &coding.concept_relation {
                    None => "not linked to a concept".to_owned(),
                    Some(r) => format!("no {r} linked to an entity"),
                });
                continue;
            };
            let value = match claim.attributes.get(&coding.qualifier) {
                Some(AttributeValue::Text(value)) => Some(value.clone()),
                _ => None,
            };
            let Some((value, level)) = value.and_then(|v| coding.levels.get(&v).map(|&l| (v, l)))
            else {
                skip(format!("no {} with a level", coding.qualifier));
                continue;
            };
            let actors: Vec<&crate::core::entities::Entity> = out_of(&claim.id, &coding.said_by)
                .into_iter()
                .filter_map(linked)
                .collect();
            if actors.is_empty() {
                skip(format!("no {} actor linked to an entity", coding.said_by));
                continue;
            }
            seen(&mut out, concept);
            for actor in actors {
                seen(&mut out, actor);
                out.statements.push(Statement {
                    actor: name(actor),
                    concept: name(concept),
                    level,
                    document: key.document.clone(),
                    date,
                    claim: Some(span_ref(
                        &key.annotator,
                        claim,
                        value.clone(),
                        (&actor.id, &concept.id),
                    )),
                });
            }
        }
        for disagreement in layer
            .annotations()
            .iter()
            .filter(|a| a.label == coding.disagreement_label.as_str())
        {
            let from_here = |kind: &str| -> Vec<&crate::core::entities::Entity> {
                out_of(&disagreement.id, kind)
                    .into_iter()
                    .filter_map(linked)
                    .collect()
            };
            let mut actors = from_here(&coding.between);
            actors.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
            actors.dedup_by(|a, b| a.id == b.id);
            if actors.len() < 2 {
                skip(format!(
                    "disagreement without two {} actors linked to entities",
                    coding.between
                ));
                continue;
            }
            let concept = from_here(&coding.disputes).into_iter().next();
            if let Some(concept) = concept {
                seen(&mut out, concept);
            }
            for (i, a) in actors.iter().enumerate() {
                seen(&mut out, a);
                for b in &actors[i + 1..] {
                    out.conflicts.push(ObservedConflict {
                        a: name(a),
                        b: name(b),
                        document: key.document.clone(),
                        date,
                        span: Some(span_ref(
                            &key.annotator,
                            disagreement,
                            String::new(),
                            (&a.id, concept.map_or("", |c| c.id.as_str())),
                        )),
                        concept: concept.map(name),
                    });
                }
            }
        }
    }
    out.skipped = skipped;
    out
}
