//! One tagdesk per annotator per project: a lock file `.tagdesk/locks/<annotator>.lock` holds the
//! process id and host of the instance annotating. A lock whose process is gone (it crashed, or
//! was killed) is taken over; a live one makes the second instance read-only for that annotator.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::project::{PRIVATE_DIR, write_atomic};

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
    /// The lock of a process that is gone was taken over.
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
    #[error("cannot write the lock file: {0}")]
    Io(String),
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

/// Whether a process of this host still runs. Where that cannot be known, it is assumed to.
fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

impl AnnotatorLock {
    pub fn path(root: &Path, annotator: &str) -> PathBuf {
        root.join(PRIVATE_DIR)
            .join("locks")
            .join(format!("{annotator}.lock"))
    }

    /// Takes the lock, or says who holds it.
    pub fn acquire(root: &Path, annotator: &str) -> Result<Self, LockError> {
        let path = Self::path(root, annotator);
        let me = std::process::id();
        let here = this_host();
        let mut took_over = None;
        if let Some(info) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|s| serde_json::from_str::<LockInfo>(&s).ok())
        {
            let ours = info.pid == me && info.host == here;
            if !ours {
                if info.host == here && !alive(info.pid) {
                    took_over = Some(info);
                } else {
                    return Err(LockError::Held(info));
                }
            }
        }
        let info = LockInfo {
            pid: me,
            host: here,
            since: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        };
        let json = serde_json::to_string_pretty(&info).map_err(|e| LockError::Io(e.to_string()))?;
        write_atomic(&path, json.as_bytes()).map_err(|e| LockError::Io(e.to_string()))?;
        Ok(Self { path, took_over })
    }
}

impl Drop for AnnotatorLock {
    fn drop(&mut self) {
        // Only our own lock is removed (a takeover by someone else leaves theirs alone).
        let ours = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|s| serde_json::from_str::<LockInfo>(&s).ok())
            .is_some_and(|info| info.pid == std::process::id());
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_lock_is_respected_and_a_dead_one_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let path = AnnotatorLock::path(root, "ana");
        // A live process of this host (pid 1 always runs) holds it.
        let held = LockInfo {
            pid: 1,
            host: this_host(),
            since: "2026-01-01T00:00:00Z".into(),
        };
        write_atomic(&path, serde_json::to_string(&held).unwrap().as_bytes()).unwrap();
        assert_eq!(
            AnnotatorLock::acquire(root, "ana").unwrap_err(),
            LockError::Held(held)
        );
        // A process that is gone: taken over, and released on drop.
        let dead = LockInfo {
            pid: u32::MAX - 7,
            host: this_host(),
            since: "2026-01-01T00:00:00Z".into(),
        };
        write_atomic(&path, serde_json::to_string(&dead).unwrap().as_bytes()).unwrap();
        let lock = AnnotatorLock::acquire(root, "ana").unwrap();
        assert_eq!(lock.took_over, Some(dead));
        assert!(path.exists());
        drop(lock);
        assert!(!path.exists());
        // Our own process may take it again (reopening the project).
        let first = AnnotatorLock::acquire(root, "ana").unwrap();
        let second = AnnotatorLock::acquire(root, "ana").unwrap();
        assert!(second.took_over.is_none());
        drop((first, second));
    }
}
