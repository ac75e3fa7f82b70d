//! Listing a project's documents: every `.txt` under the source folder (symlinks never lead
//! outside it), and paths written relative to the project where they can be.

use super::{ANNOTATIONS_DIR, DocumentEntry, PRIVATE_DIR, Path, PathBuf, io};

/// Lists every `.txt` under `source_dir`, recursively, skipping hidden folders and the
/// project's own folders. Sorted by path.
pub fn scan_documents(root: &Path, source_dir: &Path) -> io::Result<Vec<DocumentEntry>> {
    // Skip the project's own folders when the sources contain the project.
    let canon_root = root.canonicalize()?;
    let canon_src = source_dir.canonicalize()?;
    let skip: Vec<PathBuf> = if canon_root == canon_src {
        vec![
            canon_root.join(ANNOTATIONS_DIR),
            canon_root.join(PRIVATE_DIR),
        ]
    } else {
        vec![canon_root]
    };
    let files = crate::core::walk::readable_files(
        &canon_src,
        &|name| crate::core::walk::has_extension(name, "txt"),
        &skip,
    );
    let mut documents: Vec<DocumentEntry> = files
        .into_iter()
        .map(|(path, abs)| DocumentEntry {
            path,
            size_bytes: std::fs::metadata(abs).map_or(0, |m| m.len()),
        })
        .collect();
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(documents)
}

/// `target` relative to `base` when one contains the other's ancestor chain; else absolute.
pub(super) fn relative_or_absolute(target: &Path, base: &Path) -> String {
    let (Ok(target), Ok(base)) = (target.canonicalize(), base.canonicalize()) else {
        return target.to_string_lossy().into_owned();
    };
    let t: Vec<_> = target.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common <= 1 {
        return target.to_string_lossy().into_owned(); // Only the root in common.
    }
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_owned(), b.len() - common).collect();
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}
