//! Annotating many places at once ("label all matches", accepting every suggestion): one undo
//! step across documents, journaled and saved like any edit. Each place is snapped to whole
//! words as a drag is; places that would duplicate a span (same extent, same label) are left
//! out and counted, never added twice.

use std::collections::BTreeMap;
use std::ops::Range;

use super::{Pending, Workspace, WorkspaceError, check_range};
use crate::core::annotation::{DocStatus, Edit, now_rfc3339};
use crate::core::project::LayerKey;
use crate::core::schema::{AttributeValue, ENTITY_ATTRIBUTE};

/// What `annotate_many` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ManyReport {
    /// Spans added, per document.
    pub added: BTreeMap<String, usize>,
    /// Places left out because the annotator already has that span with that label.
    pub duplicates: usize,
    /// Places that snapped to nothing (no word in them).
    pub empty: usize,
}

impl ManyReport {
    pub fn total(&self) -> usize {
        self.added.values().sum()
    }
}

/// A place to label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub document: String,
    /// Code points (snapped to whole words when applied).
    pub range: Range<usize>,
    pub label: String,
    pub entity: Option<String>,
    /// Snap to whole words as a drag does (matches of a search); suggestions are already
    /// whole words by their own rule and are taken as they are.
    pub snap: bool,
}

/// How a place relates to the annotator's spans.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Clash {
    /// The same extent with the same label already exists.
    Duplicate,
    /// It overlaps a span (this label).
    Overlaps(String),
}

impl Workspace {
    /// How `chars` (snapped to words) of `document` meets `annotator`'s spans, if at all.
    pub fn clash(
        &self,
        document: &str,
        annotator: &str,
        chars: &Range<usize>,
        label: &str,
    ) -> Option<Clash> {
        let layer = self.layer(document, annotator)?;
        let mut overlap = None;
        for a in layer.overlapping(chars.start, chars.end) {
            if a.start == chars.start && a.end == chars.end && a.label == label {
                return Some(Clash::Duplicate);
            }
            overlap.get_or_insert_with(|| a.label.to_string());
        }
        overlap.map(Clash::Overlaps)
    }

    /// Adds a `label` span (linked to `entity`, if given) at every place, snapped to whole
    /// words, in one undo step. Documents the annotator had not started become "in progress".
    pub fn annotate_many(
        &mut self,
        annotator: &str,
        label: &str,
        entity: Option<&str>,
        places: &[(String, Range<usize>)],
    ) -> Result<ManyReport, WorkspaceError> {
        self.check_label(label)?;
        if let Some(id) = entity
            && self.project.entities.get(id).is_none()
        {
            return Err(crate::core::entities::EntityError::Unknown(id.to_owned()).into());
        }
        let places: Vec<Place> = places
            .iter()
            .map(|(document, range)| Place {
                document: document.clone(),
                range: range.clone(),
                label: label.to_owned(),
                entity: entity.map(str::to_owned),
                snap: true,
            })
            .collect();
        self.annotate_places(annotator, &places, &format!("add {label}"))
    }

    /// As [`Self::annotate_many`], each place with its own label and entity (accepting every
    /// suggestion in a document).
    pub fn annotate_places(
        &mut self,
        annotator: &str,
        places: &[Place],
        description: &str,
    ) -> Result<ManyReport, WorkspaceError> {
        for place in places {
            self.check_label(&place.label)?;
            if let Some(id) = &place.entity
                && self.project.entities.get(id).is_none()
            {
                return Err(crate::core::entities::EntityError::Unknown(id.clone()).into());
            }
        }
        let mut by_document: BTreeMap<&str, Vec<&Place>> = BTreeMap::new();
        for place in places {
            by_document
                .entry(place.document.as_str())
                .or_default()
                .push(place);
        }
        let mut report = ManyReport::default();
        let mut pending = Vec::new();
        let now = now_rfc3339();
        for (document, ranges) in by_document {
            let text = self.text(document)?;
            let key = LayerKey::new(document, annotator);
            let mut taken: Vec<(Range<usize>, &str)> = Vec::new();
            let mut edits = Vec::new();
            for place in ranges {
                let label = place.label.as_str();
                check_range(&place.range, text.text.char_len())?;
                let snapped = if place.snap {
                    text.text.snap_to_words(place.range.clone())
                } else {
                    Some(place.range.clone()).filter(|r| r.start < r.end)
                };
                let Some(snapped) = snapped else {
                    report.empty += 1;
                    continue;
                };
                if taken.contains(&(snapped.clone(), label))
                    || self.clash(document, annotator, &snapped, label) == Some(Clash::Duplicate)
                {
                    report.duplicates += 1;
                    continue;
                }
                taken.push((snapped.clone(), label));
                let mut attributes = crate::core::schema::Attributes::new();
                if let Some(id) = &place.entity {
                    attributes.insert(
                        ENTITY_ATTRIBUTE.to_owned(),
                        AttributeValue::Text(id.clone()),
                    );
                }
                edits.push(Edit::Add(super::edits::new_span(
                    &text.text, snapped, label, annotator, attributes, &now,
                )));
            }
            if edits.is_empty() {
                continue;
            }
            report.added.insert(document.to_owned(), edits.len());
            if self
                .layer(document, annotator)
                .is_none_or(|l| l.status == DocStatus::New)
            {
                edits.push(Edit::SetStatus(DocStatus::InProgress));
            }
            pending.push(Pending::Layer(key, edits));
        }
        if pending.is_empty() {
            return Ok(report);
        }
        let total = report.total();
        self.apply_changes(
            format!(
                "{description} at {total} place{}",
                if total == 1 { "" } else { "s" }
            ),
            None,
            pending,
        )?;
        Ok(report)
    }
}
