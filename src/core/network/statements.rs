//! Statements from a project's annotations: a claim span linked to a concept, its stance (the
//! qualifier, turned into a number by the schema's levels), and the actor spans it is
//! `said_by`, each linked to an actor entity. What cannot be a statement is counted, not
//! silently dropped.

use std::collections::BTreeMap;

use super::Statement;
use crate::core::Project;
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
}

/// What was read, and what could not be a statement (and why, with counts).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub statements: Vec<Statement>,
    /// Claims left out: reason → how many.
    pub skipped: BTreeMap<String, usize>,
}

fn entity_of(a: &crate::core::Annotation) -> Option<&str> {
    match a.attributes.get(ENTITY_ATTRIBUTE) {
        Some(AttributeValue::Text(id)) => Some(id),
        _ => None,
    }
}

/// The statements of `coding.annotator`'s layers, in document order. Actors and concepts are
/// named by their entity's name (so one actor is one node, however the texts call it).
pub fn statements(project: &Project, coding: &Coding) -> Extracted {
    let mut out = Extracted::default();
    let mut skip = |why: &str| *out.skipped.entry(why.to_owned()).or_insert(0) += 1;
    let mut statements = Vec::new();
    for (key, layer) in &project.layers {
        if key.annotator != coding.annotator {
            continue;
        }
        let date = project
            .metadata
            .get(&key.document)
            .and_then(crate::core::metadata::DocumentMeta::ymd)
            .map(|(y, m, d)| super::Date::new(y, m, d));
        for claim in layer
            .annotations()
            .iter()
            .filter(|a| a.label == coding.claim_label.as_str())
        {
            let Some(concept) = entity_of(claim).and_then(|id| project.entities.get(id)) else {
                skip("not linked to a concept");
                continue;
            };
            let level = match claim.attributes.get(&coding.qualifier) {
                Some(AttributeValue::Text(value)) => coding.levels.get(value).copied(),
                _ => None,
            };
            let Some(level) = level else {
                skip(&format!("no {} with a level", coding.qualifier));
                continue;
            };
            let actors: Vec<&str> = layer
                .relations()
                .iter()
                .filter(|r| r.kind == coding.said_by && r.from == claim.id.as_str())
                .filter_map(|r| layer.get(&r.to))
                .filter_map(|actor| entity_of(actor).and_then(|id| project.entities.get(id)))
                .map(|e| e.name.as_str())
                .collect();
            if actors.is_empty() {
                skip(&format!("no {} actor linked to an entity", coding.said_by));
                continue;
            }
            for actor in actors {
                statements.push(Statement {
                    actor: actor.to_owned(),
                    concept: concept.name.clone(),
                    level,
                    document: key.document.clone(),
                    date,
                    claim: Some(super::ClaimRef {
                        annotator: key.annotator.clone(),
                        id: claim.id.to_string(),
                        start: claim.start,
                        text: claim.text.to_string(),
                    }),
                });
            }
        }
    }
    out.statements = statements;
    out
}
