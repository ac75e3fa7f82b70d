//! Files of a folder format: finding the inputs, naming the outputs, writing them as one batch.

use std::path::{Path, PathBuf};

use super::{ExportError, ImportError};

/// The folders directly in `root` (hidden ones skipped), sorted by name: one per annotator in
/// the layout `brat-iaa` reads. Any name is taken (agreement writes no project).
pub fn subfolders(root: &Path) -> Result<Vec<String>, ImportError> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .map_err(|e| ImportError::Project(format!("cannot read {}: {e}", root.display())))?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    Ok(names)
}

/// Files under `dir` with extension `ext`, sorted, as (path, path relative to `dir`), by the
/// one walker ([`crate::core::walk`]).
pub fn files_with_extension(dir: &Path, ext: &str) -> Result<Vec<(PathBuf, String)>, ImportError> {
    let files = crate::core::walk::files(
        dir,
        &|name| crate::core::walk::has_extension(name, ext),
        &[],
    )
    .map_err(|e| ImportError::io(&e.path, e.source))?;
    Ok(files.into_iter().map(|(rel, path)| (path, rel)).collect())
}

/// Path of `rel` under `dir` with its extension replaced by `ext`, for folder writers.
pub fn out_path(dir: &Path, annotator_dir: Option<&str>, rel: &str, ext: &str) -> PathBuf {
    let mut p = dir.to_path_buf();
    if let Some(a) = annotator_dir {
        p.push(a);
    }
    for part in rel.split('/') {
        p.push(part);
    }
    p.set_extension(ext);
    p
}

/// The files of a folder export (brat, `WebAnno` TSV, UIMA XMI): each is written beside its
/// target as it comes, from any thread, and all are put in place by [`FolderFiles::commit`]
/// when the export completes — one sync of the file system, then the renames
/// ([`FileBatch`](crate::core::project::FileBatch)). An export that fails before changes
/// nothing in the folder.
pub struct FolderFiles(crate::core::project::FileBatch);

impl FolderFiles {
    pub fn new(dir: &Path) -> Self {
        Self(crate::core::project::FileBatch::new(dir))
    }

    /// Stages one file, creating its parent folders. `key` orders the renames (the
    /// document's place in the export): of two files for one path, the later document's wins.
    pub fn write(&self, key: usize, path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
        self.0
            .stage(key, path, bytes)
            .map_err(|source| ExportError::File {
                path: path.to_path_buf(),
                source,
            })
    }

    /// Puts every staged file in place.
    pub fn commit(&mut self, dir: &Path) -> Result<(), ExportError> {
        let batch = std::mem::replace(&mut self.0, crate::core::project::FileBatch::new(dir));
        batch
            .commit()
            .map_err(|(path, source)| ExportError::File { path, source })
    }
}

/// Normalises a span's pieces: sorted, overlapping or touching pieces merged, empty ones
/// dropped. `None` when nothing is left.
pub fn normalise_pieces(mut pieces: Vec<[usize; 2]>) -> Option<Vec<[usize; 2]>> {
    pieces.retain(|[s, e]| s < e);
    pieces.sort_unstable();
    let mut out: Vec<[usize; 2]> = Vec::with_capacity(pieces.len());
    for [s, e] in pieces {
        match out.last_mut() {
            Some(last) if s <= last[1] => last[1] = last[1].max(e),
            _ => out.push([s, e]),
        }
    }
    (!out.is_empty()).then_some(out)
}
