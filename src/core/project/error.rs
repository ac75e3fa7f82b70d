//! What can go wrong opening or saving a project, and opening a document: every message
//! names the file and, for a parse error, the line and column.

use std::io;
use std::path::{Path, PathBuf};

use super::MANIFEST_FILE;
use crate::core::text::TextError;

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("not a tagdesk project (no {MANIFEST_FILE}): {}", path.display())]
    NotAProject { path: PathBuf },
    #[error("already a tagdesk project: {}", path.display())]
    AlreadyAProject { path: PathBuf },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{}: format version {found} is newer than this tagdesk understands (up to {supported}); \
         update tagdesk. The file was not changed.",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("{message}: {}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error(
        "{}: changed on disk since tagdesk read it (another program, git or a colleague wrote \
         it). It was not overwritten; your version is kept in {}. Reopen the project to load \
         the file on disk.",
        path.display(),
        kept.display()
    )]
    ChangedOnDisk { path: PathBuf, kept: PathBuf },
    #[error("{what}: {source}: {}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

impl ProjectError {
    /// A project file (`entities.json`, `metadata.json`) that cannot be read, with its path.
    pub(super) fn file(path: &Path, error: crate::core::versioned::FileError) -> Self {
        match error {
            crate::core::versioned::FileError::Syntax {
                line,
                column,
                message,
            } => Self::Parse {
                path: path.to_owned(),
                line,
                column,
                message,
            },
            crate::core::versioned::FileError::Invalid(message) => Self::Invalid {
                path: path.to_owned(),
                message,
            },
        }
    }

    pub(super) fn io(what: &'static str, path: &Path, source: io::Error) -> Self {
        Self::Io {
            what,
            path: path.to_owned(),
            source,
        }
    }

    pub(super) fn parse(path: &Path, err: &serde_json::Error) -> Self {
        Self::Parse {
            path: path.to_owned(),
            line: err.line(),
            column: err.column(),
            message: strip_serde_position(&err.to_string()),
        }
    }
}

/// `serde_json` appends " at line L column C"; we print the place ourselves, first.
fn strip_serde_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Why a document cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("{0}")]
    Text(#[from] TextError),
    #[error("cannot read: {0}")]
    Io(String),
    #[error("not in the source folder")]
    Missing,
}
