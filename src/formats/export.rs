//! Project → writer: each document's layers, one document at a time.

use std::collections::HashSet;

use super::{Document, ExportError, ExportReport, Format, Layer, Link, Place, Sink, Span};
use crate::core::{LayerKey, Workspace};

/// Which layers to export.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    /// Only this annotator; all when `None`.
    pub annotator: Option<String>,
    /// Where the layers come from.
    pub layers: LayerSource,
}

/// Where an export finds the layers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LayerSource {
    /// The workspace's, loaded (the window: what it shows, unsaved edits included).
    #[default]
    Loaded,
    /// Each document's annotation files, read and parsed on the core that exports the
    /// document, then dropped: the command line's export of a project opened without its
    /// layers, whose memory is then that of the documents in flight, not of the corpus (1 M
    /// annotations: about 20 MB instead of 245). A file that cannot be read fails the export,
    /// each such file named and nothing written — unless `skip_broken`: then each is named as
    /// left out.
    Files { skip_broken: bool },
}

/// The project at `root` opened to export it in `format`, and where the export is to find
/// the layers: without them (each document's files are read as it is exported, see
/// [`LayerSource::Files`]) — except for a DNA database, written from every layer at once.
pub fn open_for_export(
    root: &std::path::Path,
    format: Format,
    skip_broken: bool,
) -> Result<(Workspace, LayerSource), crate::core::project::ProjectError> {
    if format == Format::Dna {
        return Ok((Workspace::open_read_only(root)?, LayerSource::Loaded));
    }
    let project = crate::core::Project::open_without_layers(root)?;
    Ok((Workspace::new(project), LayerSource::Files { skip_broken }))
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
    let files = match filter.layers {
        LayerSource::Loaded => None,
        LayerSource::Files { .. } => Some(workspace.project().layer_files()),
    };
    let all = match &files {
        None => workspace.project().annotators(),
        Some(files) => {
            let mut names: Vec<String> = files.iter().map(|(k, _)| k.annotator.clone()).collect();
            names.sort();
            names.dedup();
            names
        }
    };
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
    // Layers grouped by document, sorted by document, then annotator (as the map is).
    let keys: Vec<(&LayerKey, Option<&std::path::Path>)> = match &files {
        None => workspace
            .project()
            .layers
            .keys()
            .map(|k| (k, None))
            .collect(),
        Some(files) => {
            let mut keys: Vec<_> = files.iter().map(|(k, p)| (k, Some(p.as_path()))).collect();
            keys.sort_by_key(|(k, _)| *k);
            keys
        }
    };
    let mut documents: Vec<(&str, Vec<Wanted>)> = Vec::new();
    for (
        LayerKey {
            document,
            annotator,
        },
        file,
    ) in keys
    {
        if !annotators.contains(annotator) {
            continue;
        }
        let wanted = Wanted {
            annotator: annotator.as_str(),
            file,
        };
        match documents.last_mut() {
            Some((d, list)) if d == document => list.push(wanted),
            _ => documents.push((document, vec![wanted])),
        }
    }
    let total = documents.len();
    let ws: &Workspace = workspace;
    let schema = ws.project().schema().clone();
    let mut out = super::writer(format, sink, &schema, &annotators)?;
    // Documents are gathered (texts read, layer files parsed) and, where the format allows,
    // rendered on all cores.
    let make = |i: usize, report: &mut ExportReport| {
        let (path, wanted) = &documents[i];
        gather(ws, path, wanted, report).map(std::borrow::Cow::Owned)
    };
    super::write_documents(out.as_mut(), total, &make, &mut report, progress)?;
    // With `skip_broken`, the files left out stay in the report for the caller to name.
    if !report.broken.is_empty() && filter.layers == (LayerSource::Files { skip_broken: false }) {
        return Err(ExportError::Broken(std::mem::take(&mut report.broken)));
    }
    out.finish(&mut report)?;
    progress(total, total);
    report.finish();
    Ok(report)
}

/// One layer of a document to export: its annotator, and its file when the layers are read
/// from their files ([`LayerSource::Files`]).
struct Wanted<'a> {
    annotator: &'a str,
    file: Option<&'a std::path::Path>,
}

/// One document with the chosen layers, ready for a writer; `None` (and a warning) when its
/// text cannot be read. Texts come from the workspace's cache, else from disk (not cached: an
/// export must not keep every text in memory).
fn gather(
    ws: &Workspace,
    path: &str,
    wanted: &[Wanted],
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
                wanted.len()
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
        layers: Vec::with_capacity(wanted.len()),
        at: Place::default(),
    };
    for &Wanted { annotator, file } in wanted {
        let read;
        let layer = match file {
            None => match ws.layer(path, annotator) {
                Some(layer) => layer,
                None => continue,
            },
            Some(file) => match crate::core::project::read_layer_file(file) {
                Ok(layer) => {
                    read = layer;
                    &read
                }
                Err(err) => {
                    report.broken.push(err.to_string());
                    continue;
                }
            },
        };
        let mut spans = Vec::with_capacity(layer.len());
        // The source's text under each span, to check it still reads as annotated: every
        // offset turned into bytes in one walk along the text.
        let mut chars: Vec<usize> = layer
            .annotations()
            .iter()
            .filter(|a| a.end <= len)
            .flat_map(|a| a.pieces().flat_map(|r| [r.start, r.end]))
            .collect();
        chars.sort_unstable();
        chars.dedup();
        let bytes = text.text.bytes_of_sorted_chars(&chars);
        let byte = |c: usize| bytes[chars.binary_search(&c).unwrap_or_else(|i| i)];
        for a in layer.annotations() {
            if a.end > len {
                report.warnings.push(format!(
                    "skipped annotation {} in {path} by {annotator}: span {}..{} ends past \
                     the text ({len})",
                    a.id, a.start, a.end
                ));
                continue;
            }
            let source = crate::core::text::join_pieces(
                a.pieces()
                    .map(|r| &text.text.as_str()[byte(r.start)..byte(r.end.max(r.start))]),
            );
            if source != a.text {
                report.warnings.push(format!(
                    "annotation {} in {path} by {annotator}: the source now reads {source:?} \
                     where {:?} was annotated; exported with the source's text (run \
                     `tagdesk validate`)",
                    a.id, a.text
                ));
            }
            spans.push(Span {
                id: a.id.clone(),
                label: a.label.as_str().into(),
                pieces: a.pieces().map(|r| [r.start, r.end]).collect(),
                attributes: a.attributes.to_map(),
                note: a.note().map(str::to_owned),
                at: Place::default(),
            });
        }
        // Which spans were exported: asked of relations only (most layers have none).
        let exported: HashSet<&str> = if layer.relations().is_empty() {
            HashSet::new()
        } else {
            spans.iter().map(|s| s.id.as_str()).collect()
        };
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
            annotator: Some(annotator.to_owned()),
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
