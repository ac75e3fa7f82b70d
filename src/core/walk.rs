//! The one folder walker (project scans, folder imports, converted sources): every file under
//! a folder, recursively, with one set of rules. Built on `walkdir` (`BurntSushi`'s, the walker
//! ripgrep and cargo rely on): symlinked folders are not followed (no loops, nothing outside the
//! folder), hidden entries (a name starting with `.`) and the folders in `skip` are left out,
//! names that are not UTF-8 are left out (a project file cannot name them), and the result is
//! sorted by relative path.

use std::path::{Path, PathBuf};

/// A folder that could not be read while walking.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {source}", path.display())]
pub struct WalkError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// The files under `dir` whose name `keep` accepts, as (path relative to `dir` with `/`,
/// full path), sorted. Stops at the first folder that cannot be read.
pub fn files(
    dir: &Path,
    keep: &dyn Fn(&str) -> bool,
    skip: &[PathBuf],
) -> Result<Vec<(String, PathBuf)>, WalkError> {
    let mut out = Vec::new();
    for entry in walk(dir, skip) {
        let entry = entry.map_err(|e| WalkError {
            path: e.path().unwrap_or(dir).to_path_buf(),
            source: e.into(),
        })?;
        push_file(dir, &entry, keep, &mut out);
    }
    Ok(out)
}

/// [`files`], leaving out what cannot be read instead of stopping (a project scan lists what
/// it can).
pub fn readable_files(
    dir: &Path,
    keep: &dyn Fn(&str) -> bool,
    skip: &[PathBuf],
) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for entry in walk(dir, skip).filter_map(Result::ok) {
        push_file(dir, &entry, keep, &mut out);
    }
    out
}

/// Whether a file name has this extension (ASCII case ignored).
pub fn has_extension(name: &str, extension: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

fn walk<'a>(
    dir: &Path,
    skip: &'a [PathBuf],
) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> + 'a {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| {
            e.depth() == 0
                || (!e.file_name().to_string_lossy().starts_with('.')
                    && !skip.iter().any(|s| s == e.path()))
        })
}

fn push_file(
    dir: &Path,
    entry: &walkdir::DirEntry,
    keep: &dyn Fn(&str) -> bool,
    out: &mut Vec<(String, PathBuf)>,
) {
    if !entry.file_type().is_file() {
        return;
    }
    let Some(name) = entry.file_name().to_str() else {
        return;
    };
    if !keep(name) {
        return;
    }
    let Ok(rel) = entry.path().strip_prefix(dir) else {
        return;
    };
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    if let Some(parts) = parts {
        out.push((parts.join("/"), entry.path().to_path_buf()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_skipped_and_linked_folders_are_left_out_and_the_rest_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "b/z.txt",
            "b/a.txt",
            "a.txt",
            ".hidden/x.txt",
            "skip/y.txt",
            "c.json",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root, root.join("loop")).unwrap();
        let txt = |n: &str| has_extension(n, "TXT");
        let got: Vec<String> = files(root, &txt, &[root.join("skip")])
            .unwrap()
            .into_iter()
            .map(|(rel, _)| rel)
            .collect();
        assert_eq!(got, ["a.txt", "b/a.txt", "b/z.txt"]);
        assert_eq!(readable_files(root, &txt, &[]).len(), 4);
        let missing = files(&root.join("nope"), &txt, &[]).unwrap_err();
        assert!(missing.to_string().contains("nope"), "{missing}");
    }
}
