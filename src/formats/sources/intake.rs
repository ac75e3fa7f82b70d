//! Taking sources into a project: every file converted (on all cores) and split, duplicates
//! flagged across all of them, each document named and given its metadata — a plan that
//! `inspect` shows and [`add`] carries out, all or nothing.

use std::path::{Path, PathBuf};

use super::{Article, SourceError, convert_file, duplicates};
use crate::core::Workspace;
use crate::core::metadata::DocumentMeta;

/// How alike two articles must be to count as duplicates.
pub const DUPLICATE_THRESHOLD: f64 = 0.95;

/// One document a source would make.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The file it comes from.
    pub file: PathBuf,
    /// The batch layout recognised ("Nexis Uni"), if any.
    pub batch: Option<&'static str>,
    pub article: Article,
    /// Its path in the source folder.
    pub document: String,
    /// The earlier document (index into the plan) this one repeats, and how alike they are.
    pub duplicate_of: Option<(usize, f64)>,
    /// SHA-256 of the file and the converter that read it.
    pub sha256: String,
    pub converter: String,
}

impl Planned {
    /// Its metadata: outlet as `source`, headline as `title`, the rest as further columns;
    /// `original` is the file's path (relative to the project `root` when inside it), from which
    /// `sources refresh` converts it again.
    pub fn metadata(&self, root: &Path) -> DocumentMeta {
        let a = &self.article;
        let mut extra = std::collections::BTreeMap::new();
        for (key, value) in [
            ("byline", a.byline.clone()),
            ("length", a.length.clone()),
            (
                "original",
                super::refresh::original_record(&self.file, root),
            ),
            ("original_sha256", self.sha256.clone()),
            ("converter", self.converter.clone()),
        ] {
            if !value.is_empty() {
                extra.insert(key.to_owned(), value);
            }
        }
        if self.batch.is_some() {
            extra.insert("position".to_owned(), a.position.to_string());
        }
        DocumentMeta {
            date: a.date.clone(),
            source: a.outlet.clone(),
            title: a.title.clone(),
            section: a.section.clone(),
            extra,
        }
    }

    /// Words in its text.
    pub fn words(&self) -> usize {
        self.article.text.split_whitespace().count()
    }
}

/// Converts and splits `files`; any file that cannot be read fails the plan, naming it.
pub fn plan(files: &[PathBuf]) -> Result<Vec<Planned>, SourceError> {
    plan_watched(files, &Progress::default())
}

/// How far a plan is, and the way to stop it (the window's progress bar and Cancel).
#[derive(Debug, Default)]
pub struct Progress {
    /// Files converted so far.
    pub done: std::sync::atomic::AtomicUsize,
    /// Set to stop: the files not started yet are not read, and the plan ends as cancelled.
    pub cancel: std::sync::atomic::AtomicBool,
}

/// [`plan`], counting the files done in `progress` and stopping when it is cancelled.
pub fn plan_watched(files: &[PathBuf], progress: &Progress) -> Result<Vec<Planned>, SourceError> {
    use rayon::prelude::*;
    use std::sync::atomic::Ordering;
    let converted: Vec<_> = files
        .par_iter()
        .map(|f| {
            if progress.cancel.load(Ordering::Relaxed) {
                return Err(SourceError {
                    file: f.clone(),
                    message: "not read: cancelled".to_owned(),
                });
            }
            let c = convert_file(f);
            progress.done.fetch_add(1, Ordering::Relaxed);
            c
        })
        .collect::<Result<_, _>>()?;
    if progress.cancel.load(Ordering::Relaxed) {
        return Err(SourceError {
            file: files.first().cloned().unwrap_or_default(),
            message: "not read: cancelled".to_owned(),
        });
    }
    // Two files with one name (a batch as DOCX and as RTF): the extension tells them apart.
    let mut stems: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for c in &converted {
        *stems.entry(stem_of(&c.file)).or_default() += 1;
    }
    let mut out = Vec::new();
    for c in &converted {
        let (batch, articles) = super::articles(c);
        let mut stem = stem_of(&c.file);
        if stems[&stem] > 1
            && let Some(ext) = c.file.extension()
        {
            stem = format!("{stem}-{}", ext.to_string_lossy().to_lowercase());
        }
        let width = articles.len().to_string().len();
        for article in articles {
            let document = if batch.is_some() {
                format!("{stem}-{:0width$}.txt", article.position)
            } else {
                format!("{stem}.txt")
            };
            out.push(Planned {
                file: c.file.clone(),
                batch,
                article,
                document,
                duplicate_of: None,
                sha256: c.sha256.clone(),
                converter: c.converter.clone(),
            });
        }
    }
    let articles: Vec<Article> = out.iter().map(|p| p.article.clone()).collect();
    for d in duplicates(&articles, DUPLICATE_THRESHOLD) {
        if out[d.second].duplicate_of.is_none() {
            out[d.second].duplicate_of = Some((d.first, d.similarity));
        }
    }
    Ok(out)
}

/// The file's name without its extension, as a document name part ("Nexis batch 3").
fn stem_of(file: &Path) -> String {
    let stem = file
        .file_stem()
        .map_or_else(|| "source".to_owned(), |s| s.to_string_lossy().into_owned());
    stem.replace(['/', '\\'], "-")
}

/// Adds the planned documents (duplicates left out unless `keep_duplicates`) to the project's
/// source folder and their metadata to `metadata.json`: all or nothing. The number added.
pub fn add(
    workspace: &mut Workspace,
    plan: &[Planned],
    keep_duplicates: bool,
) -> Result<usize, String> {
    let prepared = prepare(workspace, plan, keep_duplicates);
    crate::core::workspace::write_new_files(&prepared.files).map_err(|e| e.to_string())?;
    finish(workspace, prepared)
}

/// What adding writes, made where the workspace is (cheap): the documents' files, which
/// [`crate::core::workspace::write_new_files`] writes on any thread, and the metadata that
/// [`finish`] writes after them.
#[derive(Debug)]
pub struct Prepared {
    pub files: Vec<(PathBuf, Vec<u8>)>,
    metadata: crate::core::metadata::Metadata,
}

pub fn prepare(workspace: &Workspace, plan: &[Planned], keep_duplicates: bool) -> Prepared {
    let chosen: Vec<&Planned> = plan
        .iter()
        .filter(|p| keep_duplicates || p.duplicate_of.is_none())
        .collect();
    let documents: Vec<crate::core::workspace::NewDocument> = chosen
        .iter()
        .map(|p| crate::core::workspace::NewDocument {
            path: p.document.clone(),
            text: p.article.text.clone(),
            bom: false,
        })
        .collect();
    let mut metadata = workspace.project().metadata.clone();
    for p in &chosen {
        metadata.set(&p.document, p.metadata(&workspace.project().root));
    }
    Prepared {
        files: workspace.new_document_files(&documents),
        metadata,
    }
}

/// After the files are written: the document list is read again and the metadata written;
/// if that fails, the documents go again (nothing half-made is left). The number added.
pub fn finish(workspace: &mut Workspace, prepared: Prepared) -> Result<usize, String> {
    let written: Vec<PathBuf> = prepared.files.into_iter().map(|(path, _)| path).collect();
    workspace
        .documents_written(&written)
        .map_err(|e| e.to_string())?;
    let path = workspace
        .project()
        .root
        .join(crate::core::metadata::METADATA_FILE);
    let json = prepared.metadata.to_json();
    if let Err(e) = crate::core::project::write_atomic(&path, json.as_bytes()) {
        workspace.remove_written(&written);
        return Err(format!(
            "cannot write {}: {e}; the documents were not added",
            path.display()
        ));
    }
    workspace.metadata_written(prepared.metadata);
    Ok(written.len())
}
