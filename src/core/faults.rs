//! Fault injection under the project's file writes: a test (or `TAGDESK_INJECT_FAULT` for a
//! whole process) makes the Nth write under a folder fail as a full disk, an I/O error or a
//! short write, so the failure paths run in `cargo test` without mounting anything.
//!
//! Every write of project data (atomic files, staged batch files, journal records, lock files)
//! goes through [`write_all`]. Disarmed — always, outside tests — it is one relaxed atomic load
//! and `Write::write_all`.
//!
//! `TAGDESK_INJECT_FAULT=KIND@N[+]` arms the whole process at start (the CLI tests use it):
//! KIND is `nospace`, `io`, `short` or `panic`; N counts writes from 1; `+` keeps failing from the Nth
//! on (a disk that stays full), without it only the Nth fails.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// How an injected write fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Nothing is written; `ENOSPC`.
    NoSpace,
    /// Nothing is written; `EIO`.
    Io,
    /// The first half of the bytes is written, then `ENOSPC` (a disk that filled mid-write).
    Short,
    /// The writing thread panics (a bug in a background job: tests that its window says so).
    Panic,
}

/// When and how writes under a folder fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub fault: Fault,
    /// The write that fails, counting from 1.
    pub at: usize,
    /// Every write from `at` on fails (the disk stays full), not only that one.
    pub persistent: bool,
}

struct Armed {
    root: PathBuf,
    plan: Plan,
    /// Writes seen under `root` so far.
    seen: usize,
    id: u64,
}

static ARMED: AtomicBool = AtomicBool::new(false);
static PLANS: Mutex<Vec<Armed>> = Mutex::new(Vec::new());
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Disarms its plan when dropped.
#[must_use = "the plan is disarmed when this is dropped"]
pub struct Armament {
    id: u64,
}

impl Armament {
    /// How many writes under the folder were seen (failed or not).
    pub fn writes_seen(&self) -> usize {
        plans()
            .iter()
            .find(|a| a.id == self.id)
            .map_or(0, |a| a.seen)
    }
}

impl Drop for Armament {
    fn drop(&mut self) {
        let mut plans = plans();
        plans.retain(|a| a.id != self.id);
        if plans.is_empty() {
            ARMED.store(false, Ordering::Relaxed);
        }
    }
}

fn plans() -> std::sync::MutexGuard<'static, Vec<Armed>> {
    PLANS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Makes writes under `root` fail as `plan` says, until the returned value is dropped. An empty
/// `root` means every write of the process.
pub fn arm(root: &Path, plan: Plan) -> Armament {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    plans().push(Armed {
        root: root.to_owned(),
        plan,
        seen: 0,
        id,
    });
    ARMED.store(true, Ordering::Relaxed);
    Armament { id }
}

/// Reads `TAGDESK_INJECT_FAULT` (see the module docs) and arms the process with it. The plan
/// stays armed for the life of the process.
pub fn arm_from_env() -> Result<(), String> {
    let Ok(spec) = std::env::var("TAGDESK_INJECT_FAULT") else {
        return Ok(());
    };
    let plan = parse(&spec).ok_or_else(|| {
        format!(
            "TAGDESK_INJECT_FAULT={spec}: expected KIND@N[+], KIND one of nospace, io, short, panic"
        )
    })?;
    std::mem::forget(arm(Path::new(""), plan));
    Ok(())
}

fn parse(spec: &str) -> Option<Plan> {
    let (kind, at) = spec.split_once('@')?;
    let (at, persistent) = match at.strip_suffix('+') {
        Some(at) => (at, true),
        None => (at, false),
    };
    let fault = match kind {
        "nospace" => Fault::NoSpace,
        "io" => Fault::Io,
        "short" => Fault::Short,
        "panic" => Fault::Panic,
        _ => return None,
    };
    let at = at.parse().ok().filter(|n| *n > 0)?;
    Some(Plan {
        fault,
        at,
        persistent,
    })
}

/// The fault this write of `path` gets, if any (and counts it).
fn fault_for(path: &Path) -> Option<Fault> {
    if !ARMED.load(Ordering::Relaxed) {
        return None;
    }
    let mut plans = plans();
    let armed = plans.iter_mut().find(|a| path.starts_with(&a.root))?;
    armed.seen += 1;
    let hit = armed.seen == armed.plan.at || (armed.plan.persistent && armed.seen > armed.plan.at);
    hit.then_some(armed.plan.fault)
}

fn no_space() -> io::Error {
    io::Error::new(
        io::ErrorKind::StorageFull,
        "No space left on device (injected fault)",
    )
}

/// `out.write_all(bytes)`, unless a fault is armed for this write of `path`.
pub fn write_all(path: &Path, out: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    match fault_for(path) {
        None => out.write_all(bytes),
        Some(Fault::NoSpace) => Err(no_space()),
        Some(Fault::Io) => Err(io::Error::other("Input/output error (injected fault)")),
        Some(Fault::Short) => {
            out.write_all(&bytes[..bytes.len() / 2])?;
            let _ = out.flush();
            Err(no_space())
        }
        Some(Fault::Panic) => panic!("injected panic writing {}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nth_write_under_the_folder_fails_and_others_pass() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let armed = arm(
            dir.path(),
            Plan {
                fault: Fault::Short,
                at: 2,
                persistent: false,
            },
        );
        let mut out = Vec::new();
        let file = dir.path().join("a");
        write_all(&file, &mut out, b"1234").unwrap();
        write_all(&other.path().join("a"), &mut out, b"xy").unwrap();
        let err = write_all(&file, &mut out, b"5678").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        write_all(&file, &mut out, b"9").unwrap();
        // The short write left half of its bytes.
        assert_eq!(out, b"1234xy569");
        assert_eq!(armed.writes_seen(), 3);
        drop(armed);
        write_all(&file, &mut out, b"0").unwrap();
    }

    #[test]
    fn the_environment_spells_a_plan() {
        assert_eq!(
            parse("nospace@3+"),
            Some(Plan {
                fault: Fault::NoSpace,
                at: 3,
                persistent: true
            })
        );
        assert_eq!(parse("io@1").map(|p| p.fault), Some(Fault::Io));
        assert_eq!(parse("short@0"), None);
        assert_eq!(parse("full@1"), None);
    }
}
