//! One tagdesk per annotator per project: `.tagdesk/locks/<annotator>.lock` is held with the
//! operating system's advisory file lock (`flock` on Unix, `LockFileEx` on Windows, through
//! std's `File::try_lock`) for as long as the instance annotates. The OS drops the lock the
//! moment the process ends — killed, crashed, or a zombie not yet reaped — so a restarted
//! window takes it over with no guessing from process ids. The file's content (process id,
//! host, since when) only says who holds it. Where the file system has no such locks, a lock
//! whose process is gone (not running, or a zombie) is taken over.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::project::PRIVATE_DIR;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    pub pid: u32,
    pub host: String,
    /// RFC 3339.
    pub since: String,
}

/// Held while the app annotates as one annotator; released when dropped.
#[derive(Debug)]
pub struct AnnotatorLock {
    path: PathBuf,
    /// Open while the lock is held: the OS lock lives with it.
    file: std::fs::File,
    /// The lock left by an instance that is gone, which this one took over.
    pub took_over: Option<LockInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LockError {
    #[error(
        "another tagdesk (process {} on {}, since {}) is annotating as this annotator; \
         this window is read-only for them",
        .0.pid, .0.host, .0.since
    )]
    Held(LockInfo),
    #[error("cannot write the lock file, so this window is read-only: {0}")]
    Io(String),
}

impl LockError {
    /// Why the window is read-only, in a few words (the status bar).
    pub fn short_reason(&self) -> String {
        match self {
            Self::Held(info) => format!(
                "another tagdesk holds this annotator (process {} on {})",
                info.pid, info.host
            ),
            Self::Io(err) => format!("cannot write the lock file: {err}"),
        }
    }
}

/// The name of this computer, as lock files record it.
pub fn this_host() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_else(|| "this computer".to_owned())
}

/// Whether a process of this host still runs: it exists and is not a zombie (a process that
/// ended but was not reaped yet keeps its id). Where that cannot be known, it is assumed to.
pub fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        match std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("stat")) {
            // "pid (comm) S ...": the state follows the last ')' (comm may hold any bytes).
            Ok(stat) => stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_none_or(|state| state != "Z" && state != "X"),
            Err(_) => false,
        }
    } else {
        true
    }
}

fn read_info(path: &Path) -> Option<LockInfo> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Whether `file` (open) is still the file at `path` (not deleted or replaced meanwhile).
fn same_file(file: &std::fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.exists()
    }
}

impl AnnotatorLock {
    pub fn path(root: &Path, annotator: &str) -> PathBuf {
        root.join(PRIVATE_DIR)
            .join("locks")
            .join(format!("{annotator}.lock"))
    }

    /// Takes the lock, or says who holds it (or why it cannot be taken).
    pub fn acquire(root: &Path, annotator: &str) -> Result<Self, LockError> {
        let path = Self::path(root, annotator);
        let io = |e: std::io::Error| LockError::Io(format!("{e}: {}", path.display()));
        // The holder deletes the file as it lets go: a file locked just after that is one
        // nobody else sees, so take the lock again on the file now there.
        for _ in 0..8 {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io)?;
            let previous = read_info(&path);
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(LockError::Held(previous.unwrap_or_else(|| LockInfo {
                        pid: 0,
                        host: "this computer".to_owned(),
                        since: "just now".to_owned(),
                    })));
                }
                Err(std::fs::TryLockError::Error(err))
                    if err.kind() == std::io::ErrorKind::Unsupported =>
                {
                    // No OS locks on this file system: the process id decides.
                    if let Some(info) = &previous
                        && !(info.pid == std::process::id() && info.host == this_host())
                        && (info.host != this_host() || alive(info.pid))
                    {
                        return Err(LockError::Held(info.clone()));
                    }
                }
                Err(std::fs::TryLockError::Error(err)) => return Err(io(err)),
            }
            if !same_file(&file, &path) {
                continue;
            }
            let me = LockInfo {
                pid: std::process::id(),
                host: this_host(),
                since: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            };
            let took_over = previous.filter(|info| info.pid != me.pid || info.host != me.host);
            let mut lock = Self {
                path,
                file,
                took_over,
            };
            lock.write_info(&me)
                .map_err(|e| LockError::Io(format!("{e}: {}", lock.path.display())))?;
            return Ok(lock);
        }
        Err(io(std::io::Error::other(
            "the lock file keeps being replaced by another tagdesk",
        )))
    }

    fn write_info(&mut self, info: &LockInfo) -> std::io::Result<()> {
        use std::io::Seek as _;
        let json = serde_json::to_string_pretty(info).map_err(std::io::Error::other)?;
        self.file.set_len(0)?;
        self.file.seek(std::io::SeekFrom::Start(0))?;
        super::faults::write_all(&self.path, &mut self.file, json.as_bytes())?;
        self.file.sync_data()
    }

    /// Whether a live tagdesk other than this process holds `annotator`'s lock
    /// in this project now. A probe: nothing is left locked.
    pub fn held_by_another(root: &Path, annotator: &str) -> Option<LockInfo> {
        let path = Self::path(root, annotator);
        let file = std::fs::File::open(&path).ok()?;
        let info = read_info(&path);
        let mine = |i: &LockInfo| i.pid == std::process::id() && i.host == this_host();
        match file.try_lock_shared() {
            Ok(()) => None,
            // This process's own lock (the window probing journals holds it) is not another's.
            Err(std::fs::TryLockError::WouldBlock) if info.as_ref().is_some_and(mine) => None,
            Err(std::fs::TryLockError::WouldBlock) => Some(info.unwrap_or_else(|| LockInfo {
                pid: 0,
                host: "this computer".to_owned(),
                since: "just now".to_owned(),
            })),
            Err(std::fs::TryLockError::Error(_)) => info
                .filter(|i| i.pid != std::process::id() && (i.host != this_host() || alive(i.pid))),
        }
    }

    /// Every annotator whose lock a live tagdesk other than this lock holds now.
    pub fn others_in(root: &Path) -> Vec<(String, LockInfo)> {
        let Ok(entries) = std::fs::read_dir(root.join(PRIVATE_DIR).join("locks")) else {
            return Vec::new();
        };
        let mut out: Vec<(String, LockInfo)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_str()?.strip_suffix(".lock")?.to_owned();
                Self::held_by_another(root, &name).map(|info| (name, info))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

impl Drop for AnnotatorLock {
    fn drop(&mut self) {
        // Removed while still held, and only if it is still the file we locked; the OS lock
        // goes when the file is closed, right after.
        if same_file(&self.file, &self.path) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(pid: u32) -> LockInfo {
        LockInfo {
            pid,
            host: this_host(),
            since: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_held_lock_is_respected_and_a_released_one_taken() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let path = AnnotatorLock::path(root, "ana");
        let first = AnnotatorLock::acquire(root, "ana").unwrap();
        assert!(first.took_over.is_none());
        // A second window (an open file of its own, here in the same process) is refused and
        // told who holds it.
        let Err(LockError::Held(holder)) = AnnotatorLock::acquire(root, "ana") else {
            panic!("the second window got the lock");
        };
        assert_eq!(holder.pid, std::process::id());
        drop(first);
        assert!(!path.exists(), "released and removed");
        let second = AnnotatorLock::acquire(root, "ana").unwrap();
        assert!(second.took_over.is_none());
        assert!(
            AnnotatorLock::held_by_another(root, "ana").is_none(),
            "ours"
        );
    }

    #[test]
    fn a_lock_file_no_process_holds_is_taken_over_whatever_pid_it_names() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let path = AnnotatorLock::path(root, "ana");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        // pid 1 runs, but holds no OS lock on the file: the tagdesk that wrote it is gone.
        std::fs::write(&path, serde_json::to_string(&info(1)).unwrap()).unwrap();
        let lock = AnnotatorLock::acquire(root, "ana").unwrap();
        assert_eq!(lock.took_over, Some(info(1)));
        assert_eq!(read_info(&path).unwrap().pid, std::process::id());
    }

    #[test]
    fn a_killed_holder_not_yet_reaped_lets_go_of_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let path = AnnotatorLock::path(root, "ana");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        // Another process holds the lock (util-linux flock(1) takes the same OS lock; -o: the
        // command it runs does not inherit it).
        let mut holder = std::process::Command::new("flock")
            .args(["-o", "-x"])
            .arg(&path)
            .args(["sleep", "30"])
            .spawn()
            .expect("flock(1) from util-linux");
        std::fs::write(&path, serde_json::to_string(&info(holder.id())).unwrap()).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while AnnotatorLock::held_by_another(root, "ana").is_none() {
            assert!(std::time::Instant::now() < deadline, "flock never took it");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(
            AnnotatorLock::acquire(root, "ana").unwrap_err(),
            LockError::Held(info(holder.id()))
        );
        // Killed, and not waited for: a zombie whose process id still exists.
        holder.kill().unwrap();
        let proc_dir = Path::new("/proc").join(holder.id().to_string());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while alive(holder.id()) {
            assert!(
                std::time::Instant::now() < deadline,
                "never became a zombie"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(proc_dir.exists(), "not reaped yet");
        let lock = AnnotatorLock::acquire(root, "ana").unwrap();
        assert_eq!(lock.took_over, Some(info(holder.id())));
        holder.wait().unwrap();
    }

    #[test]
    fn a_lock_that_cannot_be_written_says_why() {
        use crate::core::faults::{self, Fault, Plan};
        let dir = tempfile::tempdir().unwrap();
        let _full = faults::arm(
            dir.path(),
            Plan {
                fault: Fault::NoSpace,
                at: 1,
                persistent: true,
            },
        );
        let err = AnnotatorLock::acquire(dir.path(), "ana").unwrap_err();
        assert!(
            matches!(&err, LockError::Io(m) if m.contains("No space left")),
            "{err}"
        );
        assert!(err.short_reason().starts_with("cannot write the lock file"));
    }
}
