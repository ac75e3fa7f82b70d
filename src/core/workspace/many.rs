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
    /// Attribute values to give the span (a learned claim's stance).
    pub attributes: Vec<(String, String)>,
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
                attributes: Vec::new(),
                entity: entity.map(str::to_owned),
                snap: true,
            })
            .collect();
        self.annotate_places(annotator, &places, &format!("add {label}"))
    }

    /// As [`Self::annotate_many`], each place with its own label and entity (accepting every
    /// suggestion in a document). Plans and applies at once; the app plans on a job
    /// ([`Self::plan_places`], [`PlacesJob::run`]) and applies the result
    /// ([`Self::apply_planned`]).
    pub fn annotate_places(
        &mut self,
        annotator: &str,
        places: &[Place],
        description: &str,
    ) -> Result<ManyReport, WorkspaceError> {
        let job = self.plan_places(annotator, places.to_vec(), description)?;
        let planned = job.run()?;
        self.apply_planned(planned)
    }

    /// What planning `places` needs, taken here (cheap: copy-on-write clones of the
    /// annotator's layers of those documents, texts already loaded, where the others are).
    /// Labels and entities are checked now.
    pub fn plan_places(
        &self,
        annotator: &str,
        places: Vec<Place>,
        description: &str,
    ) -> Result<PlacesJob, WorkspaceError> {
        for place in &places {
            self.check_label(&place.label)?;
            if let Some(id) = &place.entity
                && self.project.entities.get(id).is_none()
            {
                return Err(crate::core::entities::EntityError::Unknown(id.clone()).into());
            }
        }
        let mut documents = BTreeMap::new();
        for place in &places {
            if documents.contains_key(&place.document) {
                continue;
            }
            let source = if let Some(Ok(text)) = self.cached_text(&place.document) {
                Source::Loaded(std::sync::Arc::clone(text))
            } else {
                if self.project.document(&place.document).is_none() {
                    return Err(WorkspaceError::Document {
                        document: place.document.clone(),
                        source: crate::core::project::DocumentError::Missing,
                    });
                }
                Source::File(self.project.document_file(&place.document))
            };
            documents.insert(
                place.document.clone(),
                (source, self.layer(&place.document, annotator).cloned()),
            );
        }
        Ok(PlacesJob {
            annotator: annotator.to_owned(),
            description: description.to_owned(),
            places,
            documents,
        })
    }

    /// Applies a plan as one undo step. Places the layer got meanwhile (same extent, same
    /// label) are left out; a text that changed since the plan read it refuses the whole step.
    pub fn apply_planned(&mut self, planned: PlannedPlaces) -> Result<ManyReport, WorkspaceError> {
        let PlannedPlaces {
            annotator,
            description,
            documents,
            mut report,
        } = planned;
        let mut pending = Vec::new();
        report.added.clear();
        for doc in documents {
            if let Some(Ok(text)) = self.cached_text(&doc.document)
                && text.sha256 != doc.sha256
            {
                return Err(WorkspaceError::TextChanged(doc.document));
            }
            let key = LayerKey::new(doc.document.as_str(), annotator.as_str());
            let mut edits = Vec::new();
            for span in doc.spans {
                if self.clash(
                    &doc.document,
                    &annotator,
                    &(span.start..span.end),
                    &span.label,
                ) == Some(Clash::Duplicate)
                {
                    report.duplicates += 1;
                    continue;
                }
                edits.push(Edit::Add(span));
            }
            if edits.is_empty() {
                continue;
            }
            report.added.insert(doc.document.clone(), edits.len());
            if self
                .layer(&doc.document, &annotator)
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

/// Where a document's text comes from for a plan.
enum Source {
    Loaded(std::sync::Arc<crate::core::project::LoadedText>),
    File(std::path::PathBuf),
}

/// Everything planning needs, owned: it runs on a job.
pub struct PlacesJob {
    annotator: String,
    description: String,
    places: Vec<Place>,
    /// Per document: its text and the annotator's layer when the plan was taken.
    documents: BTreeMap<String, (Source, Option<crate::core::AnnotationLayer>)>,
}

/// New spans ready to apply.
pub struct PlannedPlaces {
    annotator: String,
    description: String,
    documents: Vec<PlannedDocument>,
    pub report: ManyReport,
}

struct PlannedDocument {
    document: String,
    /// The text the spans were cut from.
    sha256: String,
    spans: Vec<crate::core::Annotation>,
}

impl PlacesJob {
    /// Reads the texts not loaded yet, snaps every place, leaves out duplicates and builds
    /// the spans (text, context) — the slow part, off the UI thread.
    pub fn run(self) -> Result<PlannedPlaces, WorkspaceError> {
        let mut by_document: BTreeMap<&str, Vec<&Place>> = BTreeMap::new();
        for place in &self.places {
            by_document
                .entry(place.document.as_str())
                .or_default()
                .push(place);
        }
        let mut report = ManyReport::default();
        let mut documents = Vec::new();
        let now = now_rfc3339();
        for (document, places) in by_document {
            let Some((source, layer)) = self.documents.get(document) else {
                continue;
            };
            let loaded;
            let text = match source {
                Source::Loaded(text) => text.as_ref(),
                Source::File(file) => {
                    loaded = crate::core::project::load_text_file(file).map_err(|source| {
                        WorkspaceError::Document {
                            document: document.to_owned(),
                            source,
                        }
                    })?;
                    &loaded
                }
            };
            let mut taken: Vec<(Range<usize>, &str)> = Vec::new();
            let mut spans = Vec::new();
            for place in places {
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
                let duplicate = layer.as_ref().is_some_and(|l| {
                    l.overlapping(snapped.start, snapped.end).any(|a| {
                        a.start == snapped.start && a.end == snapped.end && a.label == label
                    })
                });
                if duplicate || taken.contains(&(snapped.clone(), label)) {
                    report.duplicates += 1;
                    continue;
                }
                taken.push((snapped.clone(), label));
                let mut attributes = crate::core::schema::Attributes::new();
                for (name, value) in &place.attributes {
                    attributes.insert(name.clone(), AttributeValue::Text(value.clone()));
                }
                if let Some(id) = &place.entity {
                    attributes.insert(
                        ENTITY_ATTRIBUTE.to_owned(),
                        AttributeValue::Text(id.clone()),
                    );
                }
                spans.push(super::edits::new_span(
                    &text.text,
                    snapped,
                    label,
                    &self.annotator,
                    attributes,
                    &now,
                ));
            }
            if !spans.is_empty() {
                report.added.insert(document.to_owned(), spans.len());
                documents.push(PlannedDocument {
                    document: document.to_owned(),
                    sha256: text.sha256.clone(),
                    spans,
                });
            }
        }
        Ok(PlannedPlaces {
            annotator: self.annotator,
            description: self.description,
            documents,
            report,
        })
    }
}
