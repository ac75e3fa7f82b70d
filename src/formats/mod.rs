//! Interchange formats. One module per format; each exporter implements [`Exporter`], so the
//! CLI and the GUI call the same code. To add a format: a module here, a variant of
//! [`Format`], and a line in [`exporter`].

pub mod jsonl;

use std::io::Write;

use crate::core::Workspace;

/// The formats tagdesk can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// tagdesk JSONL: one object per (document, annotator), spaCy-style `spans` and doccano-style `label`.
    Jsonl,
}

impl Format {
    pub const ALL: [Self; 1] = [Self::Jsonl];

    pub fn name(self) -> &'static str {
        match self {
            Self::Jsonl => "jsonl",
        }
    }

    pub fn file_extension(self) -> &'static str {
        match self {
            Self::Jsonl => "jsonl",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Which layers to export.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    /// Only this annotator; all when `None`.
    pub annotator: Option<String>,
}

/// What an export wrote and what it could not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportReport {
    pub records: usize,
    pub annotations: usize,
    /// One line per thing skipped or changed, with the reason. Never silent.
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("no annotator \"{0}\" in this project")]
    UnknownAnnotator(String),
}

pub trait Exporter {
    fn export(
        &self,
        workspace: &mut Workspace,
        filter: &ExportFilter,
        out: &mut dyn Write,
    ) -> Result<ExportReport, ExportError>;
}

pub fn exporter(format: Format) -> Box<dyn Exporter> {
    match format {
        Format::Jsonl => Box::new(jsonl::Jsonl),
    }
}
