//! Atomic writes: a temporary file beside the target, fsynced, renamed over it; big files ask
//! the kernel to start writing back as they grow. And the content hash the project compares by.

use super::*;

/// `sha256:<hex>` of some bytes.
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Writes a file atomically: a temporary file in the same folder, fsync, rename, fsync of the
/// folder. A reader sees the old or the new content, never half of it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// A file written in full before it replaces its target (temporary file in the same folder,
/// fsync, rename, folder fsync). Dropped without [`AtomicFile::commit`], it leaves the target
/// untouched: an export either completes or changes nothing.
pub struct AtomicFile {
    path: PathBuf,
    dir: PathBuf,
    writer: io::BufWriter<tempfile::NamedTempFile>,
    /// Bytes handed to `write` so far.
    written: u64,
    /// Bytes the kernel was asked to start writing to the disk ([`Self::start_writeback`]).
    writeback_from: u64,
}

/// How much written data may wait in the page cache before the disk is asked to take it: the
/// fsync at the end then waits for the last stretch only, not for a whole export.
pub(super) const WRITEBACK_STEP: u64 = 8 << 20;

impl AtomicFile {
    pub fn create(path: &Path) -> io::Result<Self> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_owned();
        std::fs::create_dir_all(&dir)?;
        let tmp = tempfile::Builder::new()
            .prefix(".tagdesk-tmp-")
            .tempfile_in(&dir)?;
        Ok(Self {
            path: path.to_owned(),
            dir,
            writer: io::BufWriter::with_capacity(1 << 20, tmp),
            written: 0,
            writeback_from: 0,
        })
    }

    /// Starts (does not wait for) the disk write of what the kernel has of the file so far,
    /// once a [`WRITEBACK_STEP`] has gathered. Linux only; elsewhere the final fsync does it all.
    /// (`sync_file_range` would say it more exactly, but it has no safe binding.)
    fn start_writeback(&mut self) {
        let in_kernel = self.written - self.writer.buffer().len() as u64;
        if in_kernel - self.writeback_from < WRITEBACK_STEP {
            return;
        }
        #[cfg(target_os = "linux")]
        if let Ok(len) = std::num::NonZeroU64::try_from(in_kernel - self.writeback_from) {
            // On Linux, "don't need" starts the write of the range's dirty pages without
            // waiting for it (and lets go of pages already written: an export is not read
            // back). A failure is harmless: the final fsync writes everything anyway.
            let _ = rustix::fs::fadvise(
                self.writer.get_ref().as_file(),
                self.writeback_from,
                Some(len),
                rustix::fs::Advice::DontNeed,
            );
        }
        self.writeback_from = in_kernel;
    }

    /// Flushes, syncs and puts the file in place.
    pub fn commit(self) -> io::Result<()> {
        let tmp = self
            .writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        #[cfg(unix)]
        {
            // The temporary file is private (0600); give the result the target's permissions,
            // or the usual 0644 for a new file, so colleagues and sync tools can read it.
            use std::os::unix::fs::PermissionsExt as _;
            let mode =
                std::fs::metadata(&self.path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        #[cfg(unix)]
        if let Ok(dir) = std::fs::File::open(&self.dir) {
            // Makes the rename durable; not all file systems support it, so failure is not fatal.
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl io::Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        crate::core::faults::write_all(&self.path, &mut self.writer, buf)?;
        self.written += buf.len() as u64;
        self.start_writeback();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Many files, each replacing its target atomically, made durable with one sync of the file
/// system instead of two fsyncs per file (a folder export of thousands of files).
///
/// [`FileBatch::stage`] writes a file's bytes to a temporary file beside its target (any
/// thread may stage); [`FileBatch::commit`] syncs them all (`syncfs` on Linux; elsewhere each
/// was fsynced as staged), renames each over its target in staging order and fsyncs each
/// folder once. Dropped without a commit, the batch deletes its temporary files and no target
/// has changed: an export that fails halfway changes nothing. A crash during the renames
/// leaves each file old or new, never half written.
pub struct FileBatch {
    /// Where the batch writes; the file system `syncfs` flushes is this folder's.
    root: PathBuf,
    staged: std::sync::Mutex<Vec<StagedFile>>,
}

struct StagedFile {
    /// The order the files are renamed in (several files of one key keep their staging order).
    key: usize,
    temporary: tempfile::TempPath,
    target: PathBuf,
}

impl FileBatch {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
            staged: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Writes `bytes` to a temporary file beside `path` (creating its folders), to be put in
    /// place by [`Self::commit`]. `key` orders the renames: of two files for one target, the
    /// one with the larger key wins, as if they had been written one after the other.
    pub fn stage(&self, key: usize, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let file = StagedFile {
            key,
            temporary: write_beside(path, bytes, !cfg!(target_os = "linux"), false)?,
            target: path.to_owned(),
        };
        self.staged
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(file);
        Ok(())
    }

    /// How many files are staged.
    pub fn len(&self) -> usize {
        self.staged
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Makes the staged files durable and puts each in place. On an error the path named is
    /// the file (or folder) it concerns; files not yet renamed are deleted, their targets as
    /// they were.
    pub fn commit(self) -> Result<(), (PathBuf, io::Error)> {
        let mut staged = self
            .staged
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if staged.is_empty() {
            return Ok(());
        }
        sync_file_system(&self.root).map_err(|e| (self.root.clone(), e))?;
        staged.sort_by_key(|f| f.key);
        let mut folders = std::collections::BTreeSet::new();
        for file in staged {
            file.temporary
                .persist(&file.target)
                .map_err(|e| (file.target.clone(), e.error))?;
            if let Some(dir) = file.target.parent() {
                folders.insert(dir.to_owned());
            }
        }
        sync_folders(folders);
        Ok(())
    }
}

/// `bytes` in a temporary file beside `path` (its folders made), with the target's permissions
/// or 0644 for a new file (as [`AtomicFile::commit`]); fsynced when `sync`. Renaming it over
/// `path` is the caller's (dropped, it is deleted). `absent`: the caller knows there is no
/// `path` (it listed the folder), so the file is made 0644 (less the umask, as any new file)
/// without looking for the target's permissions — an import stages thousands.
pub(super) fn write_beside(
    path: &Path,
    bytes: &[u8],
    sync: bool,
    absent: bool,
) -> io::Result<tempfile::TempPath> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let builder = {
        let mut b = tempfile::Builder::new();
        b.prefix(".tagdesk-tmp-");
        #[cfg(unix)]
        if absent {
            use std::os::unix::fs::PermissionsExt as _;
            b.permissions(std::fs::Permissions::from_mode(0o644));
        }
        b
    };
    // The folders are made only when missing: most files go where files already are, and an
    // import stages thousands.
    let mut tmp = match builder.tempfile_in(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)?;
            builder.tempfile_in(dir)?
        }
        made => made?,
    };
    crate::core::faults::write_all(path, &mut tmp, bytes)?;
    #[cfg(unix)]
    if !absent {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    if sync {
        tmp.as_file().sync_all()?;
    }
    Ok(tmp.into_temp_path())
}

/// Makes everything written under `root` durable: one `syncfs` of its file system on Linux;
/// elsewhere nothing (files written there were fsynced one by one).
pub(super) fn sync_file_system(root: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    std::fs::File::open(root).and_then(|dir| rustix::fs::syncfs(&dir).map_err(io::Error::from))?;
    #[cfg(not(target_os = "linux"))]
    let _ = root;
    Ok(())
}

/// Fsyncs each folder (makes the renames in it durable); not all file systems support it, so a
/// failure is not fatal.
pub(super) fn sync_folders(folders: impl IntoIterator<Item = PathBuf>) {
    for dir in folders {
        #[cfg(unix)]
        if let Ok(dir) = std::fs::File::open(&dir) {
            let _ = dir.sync_all();
        }
        #[cfg(not(unix))]
        let _ = dir;
    }
}
