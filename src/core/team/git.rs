//! The `git` the user has, run as a child process: their credentials (SSH agent, credential
//! helper), proxies and hooks work as they do on the command line, and tagdesk never sees or
//! stores a password. Git never prompts here (`GIT_TERMINAL_PROMPT=0`, SSH in batch mode): a
//! credential that is missing is an error with git's words, not a hang. Network commands are
//! stopped after [`NETWORK_TIMEOUT`].

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a fetch, push or clone may take before it is stopped (and called offline).
pub const NETWORK_TIMEOUT: Duration = Duration::from_secs(120);

/// A git command that failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("`{command}` failed: {said}")]
pub struct GitError {
    /// `git fetch origin`, for messages.
    pub command: String,
    /// What git said (its last lines).
    pub said: String,
    pub kind: GitErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitErrorKind {
    /// No `git` on this machine.
    Missing,
    /// The remote cannot be reached (no network, a wrong URL or path, a time-out).
    Offline,
    /// The remote refused the credentials.
    Credentials,
    /// A push the remote refused because it has commits we do not (a colleague pushed first).
    Rejected,
    Other,
}

/// Runs git in one folder.
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
}

/// The installed git's version, or why there is none (with how to get it).
pub fn version() -> Result<String, GitError> {
    let out = Command::new("git")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| GitError {
            command: "git --version".to_owned(),
            said: format!(
                "git is not installed ({e}). Team work needs it: install it from your system's \
                 packages (`sudo apt install git`) or https://git-scm.com, then try again."
            ),
            kind: GitErrorKind::Missing,
        })?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

impl Git {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("git");
        c.current_dir(&self.dir)
            .args(args)
            .stdin(Stdio::null())
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("LC_ALL", "C")
            // A merge never opens an editor.
            .env("GIT_MERGE_AUTOEDIT", "no")
            .env("GIT_EDITOR", "true");
        if std::env::var_os("GIT_SSH_COMMAND").is_none() && std::env::var_os("GIT_SSH").is_none() {
            c.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
        }
        c
    }

    /// Runs a local command; its standard output.
    pub fn run(&self, args: &[&str]) -> Result<String, GitError> {
        self.run_with(args, &[])
    }

    /// [`Self::run`] with environment variables (an author for a commit).
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Result<String, GitError> {
        let mut c = self.command(args);
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().map_err(|e| spawn_error(args, &e))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(failure(args, &out.stderr, &out.stdout))
        }
    }

    /// Runs a command that talks to the remote, stopped after [`NETWORK_TIMEOUT`].
    pub fn run_network(&self, args: &[&str]) -> Result<String, GitError> {
        self.run_network_within(args, NETWORK_TIMEOUT)
    }

    pub fn run_network_within(&self, args: &[&str], limit: Duration) -> Result<String, GitError> {
        let mut child = self
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| spawn_error(args, &e))?;
        // The pipes are read on threads, so a chatty git cannot fill one and stall.
        let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut p) = pipe {
                    let _ = p.read_to_end(&mut buf);
                }
                buf
            })
        };
        let stdout = read(child.stdout.take().map(|p| Box::new(p) as _));
        let stderr = read(child.stderr.take().map(|p| Box::new(p) as _));
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > limit => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(GitError {
                        command: format!("git {}", args.join(" ")),
                        said: format!("no answer from the remote within {} s", limit.as_secs()),
                        kind: GitErrorKind::Offline,
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(spawn_error(args, &e)),
            }
        };
        let out = stdout.join().unwrap_or_default();
        let err = stderr.join().unwrap_or_default();
        if status.success() {
            Ok(String::from_utf8_lossy(&out).into_owned())
        } else {
            Err(failure(args, &err, &out))
        }
    }

    /// Whether the command succeeds (a question: `rev-parse --verify`).
    pub fn ok(&self, args: &[&str]) -> bool {
        self.command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

fn spawn_error(args: &[&str], e: &std::io::Error) -> GitError {
    let missing = e.kind() == std::io::ErrorKind::NotFound;
    GitError {
        command: format!("git {}", args.join(" ")),
        said: if missing {
            "git is not installed. Team work needs it: install it from your system's packages \
             (`sudo apt install git`) or https://git-scm.com, then try again."
                .to_owned()
        } else {
            e.to_string()
        },
        kind: if missing {
            GitErrorKind::Missing
        } else {
            GitErrorKind::Other
        },
    }
}

fn failure(args: &[&str], stderr: &[u8], stdout: &[u8]) -> GitError {
    let err = String::from_utf8_lossy(stderr);
    let out = String::from_utf8_lossy(stdout);
    let said: Vec<&str> = err
        .lines()
        .chain(out.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("hint:"))
        .collect();
    let tail = said[said.len().saturating_sub(4)..].join(" ");
    let lower = err.to_lowercase();
    let kind = if lower.contains("[rejected]")
        || lower.contains("fetch first")
        // The remote moved while this push was under way (a colleague's push landed first).
        || (lower.contains("[remote rejected]") && lower.contains("cannot lock ref"))
        || lower.contains("non-fast-forward")
    {
        GitErrorKind::Rejected
    } else if lower.contains("authentication failed")
        || lower.contains("permission denied")
        || lower.contains("could not read username")
        || lower.contains("terminal prompts disabled")
    {
        GitErrorKind::Credentials
    } else if lower.contains("could not resolve host")
        || lower.contains("does not appear to be a git repository")
        || lower.contains("could not read from remote")
        || lower.contains("unable to access")
        || lower.contains("connection refused")
        || lower.contains("network is unreachable")
        || lower.contains("connection timed out")
        || lower.contains("not found")
    {
        GitErrorKind::Offline
    } else {
        GitErrorKind::Other
    };
    GitError {
        command: format!("git {}", args.join(" ")),
        said: tail,
        kind,
    }
}
