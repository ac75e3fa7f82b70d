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
    let all = workspace.project().annotators();
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
    for err in &workspace.project().layer_errors {
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
    } in workspace.project().layers.keys()
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
    let schema = ws.project().schema().clone();
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
            .project()
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
                note: a.note().map(str::to_owned),
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

/// Refuses an export destination inside the project folder or its source folder: an export
/// there would be mixed with the project's own files (a brat or `CoNLL` export of a project
/// whose sources are its own folder would even rewrite the sources and add documents). The
/// message says where to put it instead.
pub fn check_destination(
    project: &crate::core::Project,
    format: Format,
    destination: &std::path::Path,
) -> Result<(), String> {
    let name = if format.writes_folder() {
        format!("{}-{}", folder_name(&project.root), format.name())
    } else {
        format!("{}.{}", folder_name(&project.root), format.file_extension())
    };
    check_outside(&project.root, &project.source_dir, destination, &name)
}

/// The project folder's own name (what an export beside it is named after).
pub fn folder_name(root: &std::path::Path) -> String {
    resolve(root).file_name().map_or_else(
        || "project".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Where an export of the project at `root` named `name` goes by default: beside the project.
pub fn beside_project(root: &std::path::Path, name: &str) -> std::path::PathBuf {
    resolve(root)
        .parent()
        .map(std::path::Path::to_owned)
        .unwrap_or_default()
        .join(name)
}

/// [`check_destination`] for any file written from a project (a network, a picture):
/// refused inside `root` or `source_dir`, with `suggested` (a name beside the project) as the
/// way out.
pub fn check_outside(
    root: &std::path::Path,
    source_dir: &std::path::Path,
    destination: &std::path::Path,
    suggested: &str,
) -> Result<(), String> {
    let resolved = resolve(destination);
    let inside = [
        (root, "the project folder"),
        (source_dir, "the project's source folder"),
    ]
    .into_iter()
    .find(|(folder, _)| resolved.starts_with(resolve(folder)));
    let Some((folder, what)) = inside else {
        return Ok(());
    };
    Err(format!(
        "{} is inside {what} ({}): an export is never written among the project's files, \
         where it could overwrite sources or become documents. Choose a place outside it, \
         e.g. {}",
        destination.display(),
        folder.display(),
        beside_project(root, suggested).display()
    ))
}

/// `path` made absolute with symbolic links resolved as far as it exists (the rest appended),
/// so `P/../P/x` and a link into `P` are both seen to be in `P`.
fn resolve(path: &std::path::Path) -> std::path::PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else {
            return absolute;
        };
        rest.push(name.to_owned());
        existing = parent;
    }
}

/// Runs `write` for a folder export into `dir`; if it fails and `dir` did not exist before,
/// the folder it made is removed: a failed export leaves nothing behind (the files of one are
/// staged and committed together, so an existing folder is as it was).
pub fn into_folder<T, E>(
    dir: &std::path::Path,
    write: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    let existed = dir.exists();
    let result = write();
    if result.is_err() && !existed {
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

/// Exports the project to a file or folder at `path` (as `format` writes): refused inside the
/// project, a file replaced only when complete, a folder's files all or none.
pub fn export_to_path(
    workspace: &mut Workspace,
    format: Format,
    filter: &ExportFilter,
    path: &std::path::Path,
    progress: &dyn Fn(usize, usize),
) -> Result<ExportReport, String> {
    check_destination(workspace.project(), format, path)?;
    if format == Format::Dna {
        // A database, not a stream of documents: every coder's statements at once.
        let written = super::dna::write(workspace.project(), path)?;
        let mut warnings = Vec::new();
        if filter.annotator.is_some() {
            warnings.push(
                "a DNA database holds every coder: the annotator choice was not applied".to_owned(),
            );
        }
        return Ok(ExportReport {
            records: written.documents,
            annotations: written.statements,
            warnings,
            ..ExportReport::default()
        });
    }
    if format.writes_folder() {
        if path.is_file() {
            return Err(format!(
                "{} is a file; {format} writes a folder",
                path.display()
            ));
        }
        return into_folder(path, || {
            export_with_progress(
                workspace,
                format,
                filter,
                Sink::Folder(path.to_path_buf()),
                progress,
            )
            .map_err(|e| e.to_string())
        });
    }
    let mut file = crate::core::project::AtomicFile::create(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let report = export_with_progress(
        workspace,
        format,
        filter,
        Sink::Stream(Box::new(&mut file)),
        progress,
    )
    .map_err(|e| e.to_string())?;
    file.commit()
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(report)
}
