//! Counts: documents, and annotations per label per annotator.

use std::collections::BTreeMap;

use serde::Serialize;

use super::project::{LayerKey, Project};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnotatorStats {
    pub annotator: String,
    /// Documents this annotator has a layer for.
    pub documents: usize,
    pub done: usize,
    pub annotations: usize,
    /// Every schema label appears, with 0 when unused; labels outside the schema too.
    pub per_label: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectStats {
    pub name: String,
    pub documents: usize,
    pub annotations: usize,
    pub annotators: Vec<AnnotatorStats>,
}

pub fn project_stats(project: &Project) -> ProjectStats {
    let mut by_annotator: BTreeMap<&str, AnnotatorStats> = BTreeMap::new();
    for (LayerKey { annotator, .. }, layer) in &project.layers {
        let entry = by_annotator
            .entry(annotator)
            .or_insert_with(|| AnnotatorStats {
                annotator: annotator.clone(),
                documents: 0,
                done: 0,
                annotations: 0,
                per_label: project
                    .schema()
                    .labels
                    .iter()
                    .map(|l| (l.name.clone(), 0))
                    .collect(),
            });
        entry.documents += 1;
        entry.done += usize::from(layer.status == super::DocStatus::Done);
        entry.annotations += layer.len();
        for (label, count) in layer.count_by_label() {
            *entry.per_label.entry(label.to_owned()).or_insert(0) += count;
        }
    }
    let annotators: Vec<AnnotatorStats> = by_annotator.into_values().collect();
    ProjectStats {
        name: project.name().to_owned(),
        documents: project.documents.len(),
        annotations: annotators.iter().map(|a| a.annotations).sum(),
        annotators,
    }
}
