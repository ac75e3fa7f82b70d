//! Why a team step could not be done.

use std::path::PathBuf;

use super::git::{GitError, GitErrorKind};

/// Why a team step could not be done.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("{0}")]
    Git(#[from] GitError),
    #[error(
        "{} is not shared yet: share it first (Team → Share…, or `tagdesk team share`)",
        .0.display()
    )]
    NotShared(PathBuf),
    /// What arrived would break the project: nothing was taken in.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Other(String),
}

impl TeamError {
    /// Whether the remote could not be reached (the work stays committed here).
    pub fn is_offline(&self) -> bool {
        matches!(self, Self::Git(e) if matches!(e.kind, GitErrorKind::Offline | GitErrorKind::Credentials))
    }
}
