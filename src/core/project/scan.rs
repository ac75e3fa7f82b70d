//! Listing a project's documents: every `.txt` under the source folder (symlinks never lead
//! outside it), and paths written relative to the project where they can be.

use super::*;

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
    let mut files = Vec::new();
    collect_files(
        &canon_src,
        "",
        &mut files,
        &|name| has_extension(name, "txt"),
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

/// Walks `dir` recursively, collecting (relative path with `/`, absolute path) of the files
/// whose name `keep` accepts. Hidden entries, non-UTF-8 names (they cannot be named in a
/// project file) and the folders in `skip` are left out; symlinked folders are not followed
/// (no loops, nothing outside the folder).
pub(super) fn collect_files(
    dir: &Path,
    prefix: &str,
    out: &mut Vec<(String, PathBuf)>,
    keep: &dyn Fn(&str) -> bool,
    skip: &[PathBuf],
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if file_type.is_dir() {
            if !skip.contains(&path) {
                collect_files(&path, &rel, out, keep, skip);
            }
        } else if file_type.is_file() && keep(&name) {
            out.push((rel, path));
        }
    }
}

pub(super) fn has_extension(name: &str, extension: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
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
