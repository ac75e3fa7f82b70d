//! Project → writer: each document's layers, one document at a time.

use std::collections::HashSet;

use super::{Document, ExportError, ExportReport, Format, Layer, Link, Place, Sink, Span};
use crate::core::text::covered_text;
use crate::core::{LayerKey, Workspace};

/// Which layers to export.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    /// Only this annotator; all when `None`.
    pub annotator: Option<String>,
}

/// Exports the project's layers (all annotators, or the filter's) in `format` to `sink`.
/// Annotations whose source text changed are exported with the source's text and reported.
pub fn export(
    workspace: &mut Workspace,
    format: Format,
    filter: &ExportFilter,
    sink: Sink<'_>,
) -> Result<ExportReport, ExportError> {
    export_with_progress(workspace, format, filter, sink, &|_, _| {})
}

/// [`export`], calling `progress(done, total)` after each document.
pub fn export_with_progress(
    workspace: &mut Workspace,
    format: Format,
    filter: &ExportFilter,
    sink: Sink<'_>,
    progress: &dyn Fn(usize, usize),
) -> Result<ExportReport, ExportError> {
    let all = workspace.project.annotators();
    if let Some(name) = &filter.annotator
        && !all.contains(name)
    {
        return Err(ExportError::UnknownAnnotator(name.clone()));
    }
    let annotators: Vec<String> = match &filter.annotator {
        Some(a) => vec![a.clone()],
        None => all,
    };
    let mut report = ExportReport::default();
    for err in &workspace.project.layer_errors {
        if annotators.contains(&err.key.annotator) {
            report.warnings.push(format!(
                "skipped {} by {}: its annotation file could not be read ({})",
                err.key.document, err.key.annotator, err.message
            ));
        }
    }
    // Layers grouped by document (the map is sorted by document, then annotator).
    let mut documents: Vec<(String, Vec<String>)> = Vec::new();
    for LayerKey {
        document: doc,
        annotator,
    } in workspace.project.layers.keys()
    {
        if !annotators.contains(annotator) {
            continue;
        }
        match documents.last_mut() {
            Some((d, list)) if d == doc => list.push(annotator.clone()),
            _ => documents.push((doc.clone(), vec![annotator.clone()])),
        }
    }
    let total = documents.len();
    let ws: &Workspace = workspace;
    let schema = ws.project.schema().clone();
    let mut out = super::writer(format, sink, &schema, &annotators)?;
    // Documents are gathered (texts read) and, where the format allows, rendered on all cores.
    let make = |i: usize, report: &mut ExportReport| {
        let (path, layer_annotators) = &documents[i];
        gather(ws, path, layer_annotators, report).map(std::borrow::Cow::Owned)
    };
    super::write_documents(out.as_mut(), total, &make, &mut report, progress)?;
    out.finish(&mut report)?;
    progress(total, total);
    report.finish();
    Ok(report)
}

/// One document with the chosen layers, ready for a writer; `None` (and a warning) when its
/// text cannot be read. Texts come from the workspace's cache, else from disk (not cached: an
/// export must not keep every text in memory).
fn gather(
    ws: &Workspace,
    path: &str,
    layer_annotators: &[String],
    report: &mut ExportReport,
) -> Option<Document> {
    let loaded = match ws.cached_text(path) {
        Some(Ok(text)) => Ok(std::sync::Arc::clone(text)),
        Some(Err(err)) => Err(err.to_string()),
        None => ws
            .project
            .read_text(path)
            .map(std::sync::Arc::new)
            .map_err(|e| e.to_string()),
    };
    let text = match loaded {
        Ok(text) => text,
        Err(err) => {
            report.warnings.push(format!(
                "skipped {path} ({} layers): {path}: {err}",
                layer_annotators.len()
            ));
            return None;
        }
    };
    let len = text.text.char_len();
    let mut doc = Document {
        path: Some(path.to_owned()),
        text: text.text.as_str().to_owned(),
        bom: text.text.had_bom(),
        rebuilt: false,
        layers: Vec::with_capacity(layer_annotators.len()),
        at: Place::default(),
    };
    for annotator in layer_annotators {
        let Some(layer) = ws.layer(path, annotator) else {
            continue;
        };
        let mut spans = Vec::with_capacity(layer.len());
        for a in layer.annotations() {
            if a.end > len {
                report.warnings.push(format!(
                    "skipped annotation {} in {path} by {annotator}: span {}..{} ends past \
                     the text ({len})",
                    a.id, a.start, a.end
                ));
                continue;
            }
            let source = covered_text(&text.text, a.pieces());
            if source != a.text {
                report.warnings.push(format!(
                    "annotation {} in {path} by {annotator}: the source now reads {source:?} \
                     where {:?} was annotated; exported with the source's text (run \
                     `tagdesk validate`)",
                    a.id, a.text
                ));
            }
            spans.push(Span {
                id: a.id.to_string(),
                label: a.label.to_string(),
                pieces: a.pieces().map(|r| [r.start, r.end]).collect(),
                attributes: a.attributes.clone(),
                note: a.note.clone(),
                at: Place::default(),
            });
        }
        let exported: HashSet<&str> = spans.iter().map(|s| s.id.as_str()).collect();
        let mut relations = Vec::with_capacity(layer.relations().len());
        for r in layer.relations() {
            if exported.contains(r.from.as_str()) && exported.contains(r.to.as_str()) {
                relations.push(Link {
                    id: r.id.clone(),
                    kind: r.kind.clone(),
                    from: r.from.clone(),
                    to: r.to.clone(),
                    at: Place::default(),
                });
            } else {
                report.warnings.push(format!(
                    "skipped relation {} ({}) in {path} by {annotator}: one of its spans was \
                     not exported",
                    r.id, r.kind
                ));
            }
        }
        doc.layers.push(Layer {
            annotator: Some(annotator.clone()),
            spans,
            relations,
        });
    }
    Some(doc)
}
