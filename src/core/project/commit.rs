//! Many layer files replaced as one step — all of them or none, across a crash — with one
//! sync of the file system instead of two per file.
//!
//! 1. Each new file is written (on all cores) to a temporary file beside its target; a file
//!    someone else changed since we read it is not replaced: ours is kept aside, as always.
//! 2. One `syncfs` makes every temporary file durable (elsewhere than Linux: one fsync each).
//! 3. The commit record — every (temporary, target, the target's hash we replace, the new
//!    hash) — is written atomically (fsynced, renamed, folder fsynced) under `.tagdesk/`. Its
//!    arrival on disk is the step's commit point.
//! 4. The temporary files are renamed over their targets, their folders fsynced.
//! 5. The record is removed.
//!
//! A crash before 3 leaves every target as it was (the temporary files, `.tagdesk-tmp-*`, are
//! ignored by the project); a crash after 3 is finished by the next open ([`recover`]), which
//! renames what is still to rename — unless the target changed since (someone else wrote it),
//! then the new file is kept aside in `.tagdesk/conflicts/` and reported. So a reader (or the
//! next open) sees all the new files or none.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::layer_file::Staged;
use super::*;
use std::collections::{BTreeMap, BTreeSet};

/// From this many files on, a save is one commit; fewer are written one by one (each atomic).
pub const BATCH: usize = 8;

/// The folder, under `.tagdesk/`, of the commit records.
const COMMITS_DIR: &str = "commits";

/// One file of a commit record.
#[derive(Debug, Serialize, Deserialize)]
struct RecordFile {
    /// Relative to the project folder (so a moved project still recovers).
    temporary: PathBuf,
    target: PathBuf,
    /// The target's hash when we read it; `None` when it did not exist.
    base: Option<String>,
    hash: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    format: String,
    version: u32,
    files: Vec<RecordFile>,
}

const RECORD_FORMAT: &str = "tagdesk-commit";

/// Test hook: `TAGDESK_TEST_CRASH_AFTER=staged|recorded|renamed:N` aborts the process at that
/// point of a commit (after the temporary files are synced; after the record is down; after N
/// renames), so the crash tests can check what the next open finds.
fn crash_point(point: &str, renamed: usize) {
    let Ok(wanted) = std::env::var("TAGDESK_TEST_CRASH_AFTER") else {
        return;
    };
    let hit = match wanted.split_once(':') {
        Some(("renamed", n)) => point == "renamed" && n.parse() == Ok(renamed),
        _ => wanted == point,
    };
    if hit {
        std::process::abort();
    }
}

/// Writes every layer; many of them as one commit (see the module's text).
pub fn write_layers(root: &Path, writes: Vec<LayerWrite>) -> Vec<LayerWritten> {
    if writes.len() < BATCH {
        return writes.into_iter().map(LayerWrite::run).collect();
    }
    let mut staged = StagedLayers::default();
    staged.stage(writes);
    staged.commit(root).layers
}

/// Marks the writes whose file does not exist — one listing of each folder instead of a failed
/// read and a look for permissions per file (an import of a new annotator makes a thousand).
/// A folder that cannot be listed marks nothing: those files are looked at one by one.
fn mark_absent(writes: &mut [LayerWrite]) {
    let mut listings: BTreeMap<PathBuf, Option<BTreeSet<std::ffi::OsString>>> = BTreeMap::new();
    for w in writes.iter_mut().filter(|w| !w.base_unchanged) {
        let (Some(folder), Some(name)) = (w.path.parent(), w.path.file_name()) else {
            continue;
        };
        let listed =
            listings
                .entry(folder.to_owned())
                .or_insert_with(|| match std::fs::read_dir(folder) {
                    Ok(entries) => entries
                        .map(|e| e.map(|e| e.file_name()))
                        .collect::<io::Result<_>>()
                        .ok(),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Some(BTreeSet::new()),
                    Err(_) => None,
                });
        w.absent = listed.as_ref().is_some_and(|names| !names.contains(name));
    }
}

/// Layer files written to temporary files beside their targets — by one save or by several
/// (an import that takes one annotator at a time stages each annotator's layers, then drops
/// them from memory) — with the manifest when it changed, and put in place by
/// [`Self::commit`] as one commit: all of them or none. Dropped uncommitted, the temporary
/// files are deleted and no target changes.
#[derive(Default)]
pub struct StagedLayers {
    staged: Vec<Staged>,
    /// Layers that could not even be staged (changed on disk, a failed write).
    failed: Vec<LayerWritten>,
    /// Other files of the project (the manifest), at most one per target.
    files: Vec<StagedFile>,
}

/// A file other than a layer's, staged.
struct StagedFile {
    path: PathBuf,
    temporary: tempfile::TempPath,
    base: Option<String>,
    hash: String,
}

/// What [`StagedLayers::commit`] did to each file.
pub struct Committed {
    pub layers: Vec<LayerWritten>,
    /// The other files, each with why it was not put in place, if it was not.
    pub files: Vec<(PathBuf, Option<String>)>,
}

impl StagedLayers {
    /// Step 1 for these layers, on all cores (each serialised where it is written).
    pub fn stage(&mut self, mut writes: Vec<LayerWrite>) {
        let sync_each = !cfg!(target_os = "linux");
        mark_absent(&mut writes);
        let staged: Vec<Result<Staged, LayerWritten>> =
            writes.into_par_iter().map(|w| w.stage(sync_each)).collect();
        for s in staged {
            match s {
                Ok(s) => self.staged.push(s),
                Err(written) => self.failed.push(written),
            }
        }
    }

    /// Step 1 for another file of the project: `bytes` to replace `path`, whose content when
    /// it was read hashed to `base`. A file staged again replaces the earlier staging.
    pub(super) fn stage_file(
        &mut self,
        path: &Path,
        bytes: &[u8],
        base: Option<String>,
    ) -> io::Result<()> {
        let temporary =
            super::atomic::write_beside(path, bytes, !cfg!(target_os = "linux"), false)?;
        self.files.retain(|f| f.path != path);
        self.files.push(StagedFile {
            path: path.to_owned(),
            temporary,
            base,
            hash: content_hash(bytes),
        });
        Ok(())
    }

    /// How many layers are staged (not counting those that failed).
    pub fn len(&self) -> usize {
        self.staged.len()
    }

    pub fn is_empty(&self) -> bool {
        self.staged.is_empty() && self.files.is_empty()
    }

    /// Why the layers that could not be staged were not, each naming its file.
    pub fn errors(&self) -> Vec<String> {
        self.failed
            .iter()
            .filter_map(|w| w.error().map(ToString::to_string))
            .collect()
    }

    /// Steps 2–5: one sync, the commit record, the renames (the other files first: a reader
    /// in between sees the labels before the spans that use them). Says what happened to
    /// every file, the layers that could not be staged included.
    pub fn commit(self, root: &Path) -> Committed {
        let Self {
            staged,
            failed,
            files,
        } = self;
        let mut done = Committed {
            layers: failed,
            files: Vec::new(),
        };
        if staged.is_empty() && files.is_empty() {
            return done;
        }
        let fail_all =
            |staged: Vec<Staged>, files: Vec<StagedFile>, done: &mut Committed, e: &io::Error| {
                for s in staged {
                    done.layers.push(LayerWritten {
                        outcome: Err(ProjectError::io("cannot save", &s.path, clone_error(e))),
                        key: s.key,
                    });
                }
                for f in files {
                    let err = ProjectError::io("cannot save", &f.path, clone_error(e));
                    done.files.push((f.path, Some(err.to_string())));
                }
            };
        // 2. Durable temporary files.
        if let Err(e) = super::atomic::sync_file_system(root) {
            fail_all(staged, files, &mut done, &e);
            return done;
        }
        crash_point("staged", 0);
        // 3. The commit point.
        let record = Record {
            format: RECORD_FORMAT.to_owned(),
            version: 1,
            files: files
                .iter()
                .map(|f| (&f.temporary, &f.path, &f.base, &f.hash))
                .chain(
                    staged
                        .iter()
                        .map(|s| (&s.temporary, &s.path, &s.base, &s.hash)),
                )
                .map(|(temporary, target, base, hash)| RecordFile {
                    temporary: relative(root, temporary),
                    target: relative(root, target),
                    base: base.clone(),
                    hash: hash.clone(),
                })
                .collect(),
        };
        let record_path = new_record_path(root);
        if let Err(e) = write_atomic(&record_path, to_pretty_json(&record).as_bytes()) {
            fail_all(staged, files, &mut done, &e);
            return done;
        }
        crash_point("recorded", 0);
        // 4. Into place.
        let mut folders = BTreeSet::new();
        for f in files {
            if let Some(parent) = f.path.parent() {
                folders.insert(parent.to_owned());
            }
            let error = f
                .temporary
                .persist(&f.path)
                .err()
                .map(|e| ProjectError::io("cannot save", &f.path, e.error).to_string());
            done.files.push((f.path, error));
        }
        // Each folder's renames in order, the folders on all cores (a rename locks its folder).
        let mut by_folder: BTreeMap<PathBuf, Vec<Staged>> = BTreeMap::new();
        for s in staged {
            let parent = s.path.parent().map(Path::to_owned).unwrap_or_default();
            by_folder.entry(parent).or_default().push(s);
        }
        folders.extend(by_folder.keys().cloned());
        let renamed = AtomicU64::new(0);
        let written: Vec<Vec<LayerWritten>> = by_folder
            .into_par_iter()
            .map(|(_, group)| {
                group
                    .into_iter()
                    .map(|s| {
                        if let Some(checkpoint) = s.checkpoint {
                            checkpoint(&s.hash);
                        }
                        let outcome = s
                            .temporary
                            .persist(&s.path)
                            .map_err(|e| ProjectError::io("cannot save", &s.path, e.error))
                            .map(|()| (s.hash, file_stamp(&s.path)));
                        let n = renamed.fetch_add(1, Ordering::Relaxed) + 1;
                        crash_point("renamed", usize::try_from(n).unwrap_or(usize::MAX));
                        LayerWritten {
                            key: s.key,
                            outcome,
                        }
                    })
                    .collect()
            })
            .collect();
        done.layers.extend(written.into_iter().flatten());
        super::atomic::sync_folders(folders);
        // 5. Done: without the record, the next open has nothing to finish.
        let _ = std::fs::remove_file(&record_path);
        done
    }
}

fn clone_error(e: &io::Error) -> io::Error {
    io::Error::new(e.kind(), e.to_string())
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_owned()
}

fn commits_dir(root: &Path) -> PathBuf {
    root.join(PRIVATE_DIR).join(COMMITS_DIR)
}

/// A record name no other writer uses: the process, the time, a counter.
fn new_record_path(root: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    commits_dir(root).join(format!(
        "{}-{nanos}-{}.json",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Finishes the commits a crash interrupted (see the module's text); one line per commit for
/// the user. A record another running tagdesk is still carrying out is left to it.
pub fn recover(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(commits_dir(root)) else {
        return Vec::new();
    };
    let mut records: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    records.sort();
    let mut report = Vec::new();
    for path in records {
        if writer_is_running(&path) {
            continue;
        }
        let record = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Record>(&b).ok())
            .filter(|r| r.format == RECORD_FORMAT);
        let Some(record) = record else {
            // Half-written records never exist (they are written atomically): not ours.
            report.push(format!(
                "{}: not a commit record tagdesk can read; left as it is",
                path.display()
            ));
            continue;
        };
        let (mut finished, mut kept) = (0, Vec::new());
        for file in &record.files {
            let temporary = root.join(&file.temporary);
            if !temporary.exists() {
                continue; // renamed before the crash
            }
            let target = root.join(&file.target);
            let current = std::fs::read(&target).ok().map(|b| content_hash(&b));
            let into = if current == file.base || current.as_ref() == Some(&file.hash) {
                target
            } else {
                // Someone else wrote the target since: theirs stays, ours is kept aside.
                let aside = conflict_path(root, &file.target);
                kept.push(aside.clone());
                aside
            };
            if let Some(parent) = into.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            if std::fs::rename(&temporary, &into).is_ok() {
                finished += 1;
                #[cfg(unix)]
                if let Some(Ok(dir)) = into.parent().map(std::fs::File::open) {
                    let _ = dir.sync_all();
                }
            }
        }
        let _ = std::fs::remove_file(&path);
        if finished > 0 {
            let mut line =
                format!("finished saving {finished} annotation files that a crash had interrupted");
            if !kept.is_empty() {
                let _ = write!(
                    line,
                    "; {} of them had been changed by someone else since, so the new versions are \
                     kept aside: {}",
                    kept.len(),
                    kept.iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            report.push(line);
        }
    }
    report
}

fn conflict_path(root: &Path, target: &Path) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let name = target.to_string_lossy().replace(['/', '\\'], "__");
    root.join(PRIVATE_DIR)
        .join("conflicts")
        .join(format!("{name}.interrupted-{nanos}"))
}

/// Whether the process that wrote a record (its name starts with its id) is still running.
fn writer_is_running(record: &Path) -> bool {
    let pid = record
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('-').next())
        .and_then(|p| p.parse::<u32>().ok());
    match pid {
        Some(pid) if pid == std::process::id() => true,
        #[cfg(target_os = "linux")]
        Some(pid) => Path::new("/proc").join(pid.to_string()).exists(),
        _ => false,
    }
}
