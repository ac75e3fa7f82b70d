//! Sources converted again. A document made from a source records, in its metadata, the
//! original's path (`original`, relative to the project when inside it), the original's hash
//! (`original_sha256`) and the converter that read it (`converter`: name and version).
//! [`RefreshInput::run`] (any thread) finds the documents whose original changed or whose
//! converter is newer, converts each original once, on all cores, and finds the document's
//! article again (in a batch: by its position and headline, else by its headline);
//! [`write_texts`] (any thread) writes the texts that changed, keeping each old text under
//! `.tagdesk/replaced/`; [`finish`] writes the new records into `metadata.json` and tells the
//! workspace. All or nothing. The spans follow a changed text through the re-anchoring every
//! changed source text gets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::core::Workspace;
use crate::core::metadata::DocumentMeta;
use crate::core::project::{PRIVATE_DIR, Project, content_hash, write_atomic};

/// How a document records its original: relative to the project `root` when inside it (the
/// project moves with it), else absolute.
pub fn original_record(file: &Path, root: &Path) -> String {
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    match file.strip_prefix(&root) {
        Ok(inside) => inside.to_string_lossy().replace('\\', "/"),
        Err(_) => file.to_string_lossy().into_owned(),
    }
}

/// Why a document is converted again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The original's bytes are not the ones it was made from.
    OriginalChanged,
    /// A newer converter reads the original (its output may differ).
    NewerConverter,
    /// Asked for (`--force`): the original and converter are as recorded.
    Asked,
}

impl Why {
    pub fn describe(self) -> &'static str {
        match self {
            Self::OriginalChanged => "the original changed",
            Self::NewerConverter => "a newer converter",
            Self::Asked => "asked for",
        }
    }
}

/// What converting a document again gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// The original and the converter are as recorded: nothing to do.
    Current,
    /// Converted again to the text the document has: only its record is brought up to date.
    SameText,
    /// Converted again to another text: the document takes it, its spans are re-anchored.
    NewText(String),
    /// Not converted, and why (the original is missing or unreadable, the article is gone).
    Skipped(String),
}

/// One document made from a source, and what converting it again gives.
#[derive(Debug, Clone)]
pub struct Refresh {
    pub document: String,
    /// The document's file.
    file: PathBuf,
    /// Where its original is looked for.
    pub original: PathBuf,
    pub why: Option<Why>,
    pub outcome: Refreshed,
    /// The record after the refresh: the original's hash and the converter.
    sha256: String,
    converter: String,
}

impl Refresh {
    /// Whether applying it changes anything (a text or a record).
    pub fn changes(&self) -> bool {
        matches!(self.outcome, Refreshed::SameText | Refreshed::NewText(_))
    }
}

/// What a refresh needs from a project, taken so it runs on any thread.
#[derive(Debug, Clone)]
pub struct RefreshInput {
    root: PathBuf,
    /// Each document with a recorded original: its name, its file, its metadata.
    documents: Vec<(String, PathBuf, DocumentMeta)>,
    force: bool,
}

impl RefreshInput {
    /// The project's documents made from sources; with `force`, each is converted again even
    /// when its original and converter are as recorded.
    pub fn of(project: &Project, force: bool) -> Self {
        let documents = project
            .documents
            .iter()
            .filter_map(|d| {
                let meta = project.metadata.get(&d.path)?;
                meta.extra
                    .contains_key("original")
                    .then(|| (d.path.clone(), project.document_file(&d.path), meta.clone()))
            })
            .collect();
        Self {
            root: project.root.clone(),
            documents,
            force,
        }
    }

    /// How many documents it looks at.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// Looks at every original (each read and converted once, on all cores): one entry per
    /// document, in the project's order.
    pub fn run(self) -> Vec<Refresh> {
        use rayon::prelude::*;
        let mut by_original: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
        for (i, (_, _, meta)) in self.documents.iter().enumerate() {
            let record = meta.extra.get("original").map_or("", String::as_str);
            let path = Path::new(record);
            let path = if path.is_absolute() {
                path.to_path_buf()
            } else {
                self.root.join(path)
            };
            by_original.entry(path).or_default().push(i);
        }
        let groups: Vec<(PathBuf, Vec<usize>)> = by_original.into_iter().collect();
        let mut out: Vec<(usize, Refresh)> = groups
            .par_iter()
            .flat_map_iter(|(original, documents)| {
                let found = self.look_at(original, documents);
                documents.iter().copied().zip(found).collect::<Vec<_>>()
            })
            .collect();
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, r)| r).collect()
    }

    /// One original and the documents made from it.
    fn look_at(&self, original: &Path, documents: &[usize]) -> Vec<Refresh> {
        let entry = |i: usize, why, outcome, sha256: &str, converter: &str| Refresh {
            document: self.documents[i].0.clone(),
            file: self.documents[i].1.clone(),
            original: original.to_path_buf(),
            why,
            outcome,
            sha256: sha256.to_owned(),
            converter: converter.to_owned(),
        };
        let skipped = |why: String| {
            documents
                .iter()
                .map(|&i| entry(i, None, Refreshed::Skipped(why.clone()), "", ""))
                .collect()
        };
        let Some(converter) = super::converter_for(original) else {
            return skipped(format!(
                "{} is not a source tagdesk reads",
                original.display()
            ));
        };
        let bytes = match read_original(original) {
            Ok(bytes) => bytes,
            Err(why) => return skipped(why),
        };
        let sha256 = content_hash(&bytes);
        let record = super::converter_record(converter);
        let whys: Vec<Option<Why>> = documents
            .iter()
            .map(|&i| {
                let meta = &self.documents[i].2;
                if meta.extra.get("original_sha256") != Some(&sha256) {
                    Some(Why::OriginalChanged)
                } else if meta.extra.get("converter") != Some(&record) {
                    Some(Why::NewerConverter)
                } else {
                    self.force.then_some(Why::Asked)
                }
            })
            .collect();
        if whys.iter().all(Option::is_none) {
            return documents
                .iter()
                .map(|&i| entry(i, None, Refreshed::Current, &sha256, &record))
                .collect();
        }
        let articles = match super::convert_bytes(original, converter, &bytes) {
            Ok(text) => super::articles(&text).1,
            Err(e) => return skipped(e.to_string()),
        };
        documents
            .iter()
            .zip(whys)
            .map(|(&i, why)| {
                let (_, file, meta) = &self.documents[i];
                let outcome = match why {
                    None => Refreshed::Current,
                    Some(_) => match find_article(&articles, meta) {
                        Err(why) => Refreshed::Skipped(why),
                        Ok(text) => match std::fs::read(file) {
                            Ok(now) if strip_bom(&now) == text.as_bytes() => Refreshed::SameText,
                            Ok(_) => Refreshed::NewText(text.to_owned()),
                            Err(e) => {
                                Refreshed::Skipped(format!("cannot read {}: {e}", file.display()))
                            }
                        },
                    },
                };
                entry(i, why, outcome, &sha256, &record)
            })
            .collect()
    }
}

fn read_original(original: &Path) -> Result<Vec<u8>, String> {
    let unreadable = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "the original is not there (moved or deleted?): {}",
                original.display()
            )
        } else {
            format!("the original cannot be read ({e}): {}", original.display())
        }
    };
    let size = std::fs::metadata(original).map_err(unreadable)?.len();
    if size > super::limits::MAX_FILE_BYTES {
        return Err(format!(
            "the original is larger than the {} MiB tagdesk reads: {}",
            super::limits::MAX_FILE_BYTES >> 20,
            original.display()
        ));
    }
    std::fs::read(original).map_err(unreadable)
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The document's article in the converted original: a whole file is its one article; in a
/// batch, the article at its position if the headline is the same, else the one with its
/// headline (the batch was delivered again in another order).
fn find_article<'a>(
    articles: &'a [super::Article],
    meta: &DocumentMeta,
) -> Result<&'a str, String> {
    let Some(position) = meta.extra.get("position") else {
        return articles
            .first()
            .map(|a| a.text.as_str())
            .ok_or_else(|| "the original has no text now".to_owned());
    };
    let at = position
        .parse::<usize>()
        .ok()
        .and_then(|p| articles.iter().find(|a| a.position == p));
    if let Some(a) = at.filter(|a| a.title == meta.title) {
        return Ok(&a.text);
    }
    let titled: Vec<_> = articles.iter().filter(|a| a.title == meta.title).collect();
    match titled.as_slice() {
        [one] => Ok(&one.text),
        [] => Err(format!(
            "the article “{}” (number {position}) is no longer in the batch",
            meta.title
        )),
        _ => Err(format!(
            "the batch now has {} articles headed “{}”: which one is meant is not clear",
            titled.len(),
            meta.title
        )),
    }
}

/// Texts written by [`write_texts`], to be taken in by [`finish`].
#[derive(Debug)]
pub struct Written {
    refreshes: Vec<Refresh>,
    /// Each rewritten document's file and its old bytes (put back if the metadata fails).
    replaced: Vec<(PathBuf, Vec<u8>)>,
    /// Where the old texts were kept.
    pub kept: Vec<PathBuf>,
}

/// Writes the documents' new texts (any thread), each old text kept first under
/// `.tagdesk/replaced/` (ignored by git): all or nothing — on a failure the texts written are
/// put back and the kept copies removed.
pub fn write_texts(root: &Path, refreshes: Vec<Refresh>) -> Result<Written, String> {
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        .to_string()
        .replace(':', "-");
    let mut written = Written {
        refreshes: Vec::new(),
        replaced: Vec::new(),
        kept: Vec::new(),
    };
    for r in &refreshes {
        let Refreshed::NewText(text) = &r.outcome else {
            continue;
        };
        let file = &r.file;
        let step = std::fs::read(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))
            .and_then(|old| {
                let kept = root
                    .join(PRIVATE_DIR)
                    .join("replaced")
                    .join(format!("{}.{stamp}", r.document));
                write_atomic(&kept, &old)
                    .map_err(|e| format!("cannot keep the old text at {}: {e}", kept.display()))?;
                written.kept.push(kept);
                write_atomic(file, text.as_bytes())
                    .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
                written.replaced.push((file.clone(), old));
                Ok(())
            });
        if let Err(e) = step {
            written.put_back();
            return Err(format!("{e}; nothing was converted again"));
        }
    }
    written.refreshes = refreshes;
    Ok(written)
}

impl Written {
    /// Puts the old texts back and removes the kept copies (a later step failed).
    fn put_back(&mut self) {
        for (file, old) in self.replaced.drain(..) {
            let _ = write_atomic(&file, &old);
        }
        for kept in self.kept.drain(..) {
            let _ = std::fs::remove_file(kept);
        }
    }

    /// The documents whose text changed.
    pub fn reconverted(&self) -> Vec<String> {
        self.refreshes
            .iter()
            .filter(|r| matches!(r.outcome, Refreshed::NewText(_)))
            .map(|r| r.document.clone())
            .collect()
    }
}

/// What a refresh did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Documents whose text changed (their spans are re-anchored).
    pub reconverted: Vec<String>,
    /// Documents converted again to the same text (only their record changed).
    pub same: usize,
    /// Where the old texts were kept.
    pub kept: Vec<PathBuf>,
}

/// After [`write_texts`]: the records go into `metadata.json` (if that fails, the old texts
/// are put back) and the workspace reads the changed texts again.
pub fn finish(workspace: &mut Workspace, mut written: Written) -> Result<Applied, String> {
    let mut metadata = workspace.project().metadata.clone();
    for r in written.refreshes.iter().filter(|r| r.changes()) {
        if let Some(meta) = metadata.get(&r.document) {
            let mut meta = meta.clone();
            meta.extra
                .insert("original_sha256".to_owned(), r.sha256.clone());
            meta.extra
                .insert("converter".to_owned(), r.converter.clone());
            metadata.set(&r.document, meta);
        }
    }
    let path = workspace
        .project()
        .root
        .join(crate::core::metadata::METADATA_FILE);
    if written.refreshes.iter().any(Refresh::changes)
        && let Err(e) = write_atomic(&path, metadata.to_json().as_bytes())
    {
        written.put_back();
        return Err(format!(
            "cannot write {}: {e}; nothing was converted again",
            path.display()
        ));
    }
    workspace.metadata_written(metadata);
    let files: Vec<PathBuf> = written.replaced.iter().map(|(f, _)| f.clone()).collect();
    workspace.sync_from_disk(&files);
    Ok(Applied {
        reconverted: written.reconverted(),
        same: written
            .refreshes
            .iter()
            .filter(|r| r.outcome == Refreshed::SameText)
            .count(),
        kept: written.kept,
    })
}

/// [`write_texts`] then [`finish`], here.
pub fn apply(workspace: &mut Workspace, refreshes: Vec<Refresh>) -> Result<Applied, String> {
    let written = write_texts(&workspace.project().root.clone(), refreshes)?;
    finish(workspace, written)
}
