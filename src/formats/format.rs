//! Which formats tagdesk reads and writes: their `--format` names, titles, extensions.

use std::fmt;

/// The formats tagdesk reads and writes. The `--format` name of each is its variant's name in
/// kebab case, and its title for menus its `strum(message)` (both derived: no table to keep in
/// step).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumMessage,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Format {
    /// tagdesk JSONL: one object per (document, annotator).
    #[strum(message = "tagdesk JSONL")]
    Jsonl,
    #[strum(message = "doccano JSONL")]
    Doccano,
    /// A folder of `.txt` + `.ann` and an `annotation.conf`.
    #[strum(message = "brat standoff (folder)")]
    Brat,
    /// IOB2, one token per line.
    #[strum(message = "CoNLL IOB2")]
    Conll,
    #[strum(message = "Label Studio JSON")]
    LabelStudio,
    /// `WebAnno` TSV 3.3, one file per document and annotator.
    #[strum(message = "WebAnno TSV 3.3 (folder)")]
    WebannoTsv,
    /// Export only: one row per annotation.
    #[strum(message = "CSV (one row per annotation)")]
    Csv,
    /// Export only: W3C Web Annotation JSON-LD.
    #[strum(message = "W3C Web Annotation (JSON-LD)")]
    W3c,
    /// REFI-QDA 1.5 project exchange (`.qdpx`: MAXQDA, `ATLAS.ti`, `NVivo`, `QualCoder`).
    #[strum(message = "REFI-QDA project (.qdpx: MAXQDA, ATLAS.ti, NVivo, QualCoder)")]
    RefiQda,
    /// REFI-QDA codebook exchange (`.qdc`): the labels alone.
    #[strum(message = "REFI-QDA codebook (.qdc: the labels only)")]
    RefiQdc,
    /// UIMA CAS XMI with its type system (`INCEpTION`, `dkpro-cassis`), a folder.
    #[strum(message = "UIMA CAS XMI + type system (folder: INCEpTION, dkpro-cassis)")]
    UimaXmi,
    /// A Discourse Network Analyzer 3 database (`SQLite`): read and written whole by
    /// `formats::dna` (not a stream of documents).
    #[strum(message = "DNA database (.dna, Discourse Network Analyzer 3)")]
    Dna,
}

impl Format {
    /// Every format, in the order menus list them.
    pub fn all() -> impl Iterator<Item = Self> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    /// The `--format` value.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// A name for menus.
    pub fn title(self) -> &'static str {
        strum::EnumMessage::get_message(&self).unwrap_or_else(|| self.name())
    }

    /// The extension of the file an export writes (folder formats: none).
    pub fn file_extension(self) -> &'static str {
        match self {
            Self::Jsonl | Self::Doccano => "jsonl",
            Self::Brat | Self::WebannoTsv | Self::UimaXmi => "",
            Self::Conll => "conll",
            Self::LabelStudio => "json",
            Self::Csv => "csv",
            Self::W3c => "jsonld",
            Self::RefiQda => "qdpx",
            Self::RefiQdc => "qdc",
            Self::Dna => "dna",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        name.parse().ok()
    }

    /// Whether tagdesk can read this format.
    pub fn can_import(self) -> bool {
        !matches!(self, Self::Csv | Self::W3c)
    }

    /// Whether an export is a folder (else one file, or standard output).
    pub fn writes_folder(self) -> bool {
        matches!(self, Self::Brat | Self::WebannoTsv | Self::UimaXmi)
    }

    /// The `--format` values, for help texts and clap.
    pub fn names() -> Vec<&'static str> {
        Self::all().map(Self::name).collect()
    }

    pub fn import_names() -> Vec<&'static str> {
        Self::all()
            .filter(|f| f.can_import())
            .map(Self::name)
            .collect()
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
