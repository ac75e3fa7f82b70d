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
//! A layer whose annotator has no folder yet (an import of a new annotator: a thousand files)
//! is written under its own name into a temporary folder beside where the annotator's folder
//! goes, and step 4 renames that folder into place: one rename for the annotator, where one per
//! file cost an import a tenth of its time. The record names the folder as it names a file.
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
    /// New annotators' folders, written whole under a temporary name.
    folders: Vec<StagedFolder>,
}

/// A new annotator's folder, staged: its layers written under their own names into a
/// temporary folder (`.tagdesk-tmp-<annotator>-…`, deleted when dropped uncommitted).
struct StagedFolder {
    target: PathBuf,
    temporary: tempfile::TempDir,
    layers: Vec<Staged>,
}

/// What names a staged folder's record entry in place of a content hash.
const FOLDER_HASH: &str = "folder";

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
        let writes = self.stage_new_folders(writes, sync_each);
        let staged: Vec<Result<Staged, LayerWritten>> =
            writes.into_par_iter().map(|w| w.stage(sync_each)).collect();
        for s in staged {
            match s {
                Ok(s) => self.staged.push(s),
                Err(written) => self.failed.push(written),
            }
        }
    }

    /// Step 1 for the layers of annotators that have no folder yet: each folder written whole
    /// under a temporary name. The other writes are given back.
    fn stage_new_folders(&mut self, writes: Vec<LayerWrite>, sync: bool) -> Vec<LayerWrite> {
        let mut by_folder: BTreeMap<PathBuf, Vec<LayerWrite>> = BTreeMap::new();
        let mut rest = Vec::new();
        for w in writes {
            match annotator_folder(&w) {
                Some(folder) if w.absent => by_folder.entry(folder).or_default().push(w),
                _ => rest.push(w),
            }
        }
        for (folder, writes) in by_folder {
            // A folder staged by an earlier save of this commit takes these layers too; else
            // only a folder that is not there at all (an existing one takes file by file).
            let at = if let Some(at) = self.folders.iter().position(|f| f.target == folder) {
                at
            } else {
                let missing = matches!(std::fs::symlink_metadata(&folder),
                    Err(e) if e.kind() == io::ErrorKind::NotFound);
                let temporary = missing
                    .then(|| make_folder_beside(&folder))
                    .and_then(Result::ok);
                let Some(temporary) = temporary else {
                    rest.extend(writes);
                    continue;
                };
                self.folders.push(StagedFolder {
                    target: folder.clone(),
                    temporary,
                    layers: Vec::new(),
                });
                self.folders.len() - 1
            };
            let inside = self.folders[at].temporary.path().to_owned();
            let written: Vec<Result<Staged, LayerWritten>> = writes
                .into_par_iter()
                .map(|w| stage_in_folder(w, &folder, &inside, sync))
                .collect();
            for w in written {
                match w {
                    Ok(s) => self.folders[at].layers.push(s),
                    Err(failed) => self.failed.push(failed),
                }
            }
        }
        rest
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
        self.staged.len() + self.folders.iter().map(|f| f.layers.len()).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0 && self.files.is_empty()
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
            mut staged,
            failed,
            files,
            folders,
        } = self;
        let mut done = Committed {
            layers: failed,
            files: Vec::new(),
        };
        if staged.is_empty() && files.is_empty() && folders.is_empty() {
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
            staged.extend(folders.into_iter().flat_map(|f| f.layers));
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
                .map(|(temporary, target, base, hash)| (temporary.as_ref(), target, base, hash))
                .chain(
                    staged
                        .iter()
                        .map(|s| (s.temporary.as_ref(), &s.path, &s.base, &s.hash)),
                )
                .map(
                    |(temporary, target, base, hash): (&Path, _, _, _)| RecordFile {
                        temporary: relative(root, temporary),
                        target: relative(root, target),
                        base: base.clone(),
                        hash: hash.clone(),
                    },
                )
                .chain(folders.iter().map(|f| RecordFile {
                    temporary: relative(root, f.temporary.path()),
                    target: relative(root, &f.target),
                    base: None,
                    hash: FOLDER_HASH.to_owned(),
                }))
                .collect(),
        };
        let record_path = new_record_path(root);
        if let Err(e) = write_atomic(&record_path, to_pretty_json(&record).as_bytes()) {
            staged.extend(folders.into_iter().flat_map(|f| f.layers));
            fail_all(staged, files, &mut done, &e);
            return done;
        }
        crash_point("recorded", 0);
        // 4. Into place.
        let mut folders_to_sync = BTreeSet::new();
        for f in files {
            if let Some(parent) = f.path.parent() {
                folders_to_sync.insert(parent.to_owned());
            }
            let error = f
                .temporary
                .persist(&f.path)
                .err()
                .map(|e| ProjectError::io("cannot save", &f.path, e.error).to_string());
            done.files.push((f.path, error));
        }
        let renamed = AtomicU64::new(0);
        // New annotators' folders: one rename each.
        for folder in folders {
            if let Some(parent) = folder.target.parent() {
                folders_to_sync.insert(parent.to_owned());
            }
            done.layers.extend(commit_folder(folder, &renamed));
        }
        // Each folder's renames in order, the folders on all cores (a rename locks its folder).
        let mut by_folder: BTreeMap<PathBuf, Vec<Staged>> = BTreeMap::new();
        for s in staged {
            let parent = s.path.parent().map(Path::to_owned).unwrap_or_default();
            by_folder.entry(parent).or_default().push(s);
        }
        folders_to_sync.extend(by_folder.keys().cloned());
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
        super::atomic::sync_folders(folders_to_sync);
        // 5. Done: without the record, the next open has nothing to finish.
        let _ = std::fs::remove_file(&record_path);
        done
    }
}

/// Where a layer's annotator's folder is: its path less the document's own components.
fn annotator_folder(w: &LayerWrite) -> Option<PathBuf> {
    let depth = w.key.document.split('/').count();
    let folder = w.path.ancestors().nth(depth)?;
    (folder.file_name()? == std::ffi::OsStr::new(w.key.annotator.as_str()))
        .then(|| folder.to_owned())
}

/// An empty temporary folder beside `folder` (its parent made when missing).
fn make_folder_beside(folder: &Path) -> io::Result<tempfile::TempDir> {
    let parent = folder.parent().unwrap_or(Path::new("."));
    let prefix = format!(
        ".tagdesk-tmp-{}-",
        folder.file_name().unwrap_or_default().to_string_lossy()
    );
    let builder = {
        let mut b = tempfile::Builder::new();
        b.prefix(&prefix);
        b
    };
    match builder.tempdir_in(parent) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            std::fs::create_dir_all(parent)?;
            builder.tempdir_in(parent)
        }
        made => made,
    }
}

/// One layer written under its own name into a staged folder (`inside`, to become `folder`).
/// A file that could not be written whole is removed: the folder goes into place with the
/// layers that were written, never with a torn one.
fn stage_in_folder(
    mut w: LayerWrite,
    folder: &Path,
    inside: &Path,
    sync: bool,
) -> Result<Staged, LayerWritten> {
    // Absent, and in a folder that is not there: nothing on disk to compare with.
    let (json, _) = w.serialise_and_check();
    let file = inside.join(w.path.strip_prefix(folder).unwrap_or(&w.path));
    let write = || -> io::Result<tempfile::TempPath> {
        if let Some(parent) = file.parent().filter(|p| *p != inside) {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = std::fs::File::create(&file)?;
        crate::core::faults::write_all(&w.path, &mut out, &json)?;
        if sync {
            out.sync_all()?;
        }
        tempfile::TempPath::try_from_path(&file)
    };
    match write() {
        Ok(temporary) => Ok(Staged {
            hash: content_hash(&json),
            temporary,
            key: w.key,
            path: w.path,
            base: None,
            checkpoint: w.checkpoint,
        }),
        Err(e) => {
            let _ = std::fs::remove_file(&file);
            Err(LayerWritten {
                outcome: Err(ProjectError::io("cannot save", &w.path, e)),
                key: w.key,
            })
        }
    }
}

/// Step 4 for a staged folder: its layers' checkpoints, then the one rename.
fn commit_folder(folder: StagedFolder, renamed: &AtomicU64) -> Vec<LayerWritten> {
    let StagedFolder {
        target,
        temporary,
        layers,
    } = folder;
    let mut files = Vec::with_capacity(layers.len());
    for mut s in layers {
        if let Some(checkpoint) = s.checkpoint.take() {
            checkpoint(&s.hash);
        }
        // The files go with their folder: nothing of theirs to delete on drop.
        let _ = s.temporary.keep();
        files.push((s.key, s.path, s.hash));
    }
    let moved = std::fs::rename(temporary.path(), &target);
    let n = renamed.fetch_add(1, Ordering::Relaxed) + 1;
    crash_point("renamed", usize::try_from(n).unwrap_or(usize::MAX));
    match moved {
        Ok(()) => {
            let _ = temporary.keep();
            files
                .into_iter()
                .map(|(key, path, hash)| LayerWritten {
                    outcome: Ok((hash, file_stamp(&path))),
                    key,
                })
                .collect()
        }
        Err(e) => files
            .into_iter()
            .map(|(key, path, _)| LayerWritten {
                outcome: Err(ProjectError::io("cannot save", &path, clone_error(&e))),
                key,
            })
            .collect(),
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
            if file.hash == FOLDER_HASH {
                let (moved, aside) = recover_folder(root, &temporary, &target, &file.target);
                finished += moved + aside.len();
                kept.extend(aside);
                continue;
            }
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

/// Finishes a staged folder's rename: the whole folder when there is still none; when someone
/// made one since, file by file — each into its place if that is free, else kept aside (theirs
/// stays). How many went in, and where those kept aside are.
fn recover_folder(
    root: &Path,
    temporary: &Path,
    target: &Path,
    target_rel: &Path,
) -> (usize, Vec<PathBuf>) {
    let files = crate::core::walk::readable_files(temporary, &|_| true, &[]);
    if !target.exists() && std::fs::rename(temporary, target).is_ok() {
        if let Some(Ok(dir)) = target.parent().map(std::fs::File::open) {
            let _ = dir.sync_all();
        }
        return (files.len(), Vec::new());
    }
    let (mut moved, mut kept) = (0, Vec::new());
    for (rel, path) in files {
        let into_place = target.join(&rel);
        let taken = into_place.exists();
        let into = if taken {
            conflict_path(root, &target_rel.join(&rel))
        } else {
            into_place
        };
        if let Some(parent) = into.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if std::fs::rename(&path, &into).is_ok() {
            if taken {
                kept.push(into.clone());
            } else {
                moved += 1;
            }
            #[cfg(unix)]
            if let Some(Ok(dir)) = into.parent().map(std::fs::File::open) {
                let _ = dir.sync_all();
            }
        }
    }
    let _ = std::fs::remove_dir_all(temporary);
    (moved, kept)
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
