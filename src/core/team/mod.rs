//! Teams across machines, through git: a project is shared as a git repository on any host
//! the team has (GitHub, GitLab, Gitea, a bare repository on a share), each annotator's
//! machine holds a clone, and *sync* saves, commits the user's changes with a message that
//! says what changed, fetches, integrates colleagues' commits — the project's JSON files merged
//! by meaning ([`merge`]), never with conflict markers — checks what arrived as an import is
//! checked, and pushes. GUI-free: the CLI's `tagdesk team` and the window's Team menu drive it.
//!
//! * `git.rs`: the user's `git`, as a child process (their credentials, SSH and proxies work;
//!   no password is ever stored; git never prompts).
//! * `merge.rs`: the three-way merge of JSON by meaning; `files.rs`: the kinds of files, their
//!   canonical text, the commit message.
//! * `repo.rs`: the repository and the steps every command shares; `sync.rs`: share, join,
//!   sync; `status.rs`: status and the last sync; `choices.rs`: choices waiting for the user;
//!   `history.rs`: who changed what.
//!
//! Per-machine state (the lock, the journal, kept copies, the last sync, choices waiting for
//! the user) lives in `.tagdesk/`, which the project's `.gitignore` leaves out.

mod choices;
mod error;
pub mod files;
mod follow;
pub mod git;
pub mod history;
pub mod merge;
mod repo;
mod status;
mod sync;

pub use choices::{Choice, PathStep, apply_choice, pending_choices};
pub use error::TeamError;
pub use git::{GitError, GitErrorKind};
pub use status::{Status, status};
pub use sync::{SyncReport, join, share, sync};

/// Where per-machine team state lives, under the project's `.tagdesk/`.
pub const TEAM_DIR: &str = "team";

/// Where a joined project goes when no folder is given: the data folder
/// (`$XDG_DATA_HOME/tagdesk/projects/NAME`, else `~/.local/share/tagdesk/projects/NAME`), NAME
/// being the repository's name in the URL.
pub fn default_join_dir(url: &str) -> Option<std::path::PathBuf> {
    let name = url
        .trim_end_matches('/')
        .rsplit(['/', ':', '\\'])
        .next()
        .map(|n| n.trim_end_matches(".git"))
        .filter(|n| !n.is_empty() && *n != "." && *n != "..")
        .unwrap_or("project");
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"))
        })?;
    Some(data.join("tagdesk").join("projects").join(name))
}
