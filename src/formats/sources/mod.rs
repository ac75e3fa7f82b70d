//! Sources as analysts get them: Word (DOCX), `OpenDocument` (ODT), EPUB and plain text (TXT,
//! Markdown) converted once into the text the annotator sees, and news-database batches (Nexis,
//! Nexis Uni) split into one article each with its metadata. GUI-free; the CLI's `sources`
//! command and the project intake drive it.
//!
//! * Each format is one file behind [`Converter`] (bytes in, text out): `plain.rs`, `docx.rs`,
//!   `odt.rs`, `epub.rs`, `html.rs`, `rtf.rs`, `pdf.rs`; the next format is one file and a line in [`CONVERTERS`].
//! * Paragraphs and headings become lines; no markup is kept; the characters are left as the
//!   source has them (no Unicode normalisation).
//! * Hostile input is bounded ([`limits`]): a zip member is read up to a fixed size (a zip bomb
//!   stops there), XML is parsed with DTDs refused (no entity expansion) and a node limit.
//! * `nexis.rs` (Nexis, Nexis Uni) and `factiva.rs` recognise a batch in the converted text and
//!   split it; `dates.rs` reads its
//!   dates in English, German, French and Spanish; `similar.rs` flags duplicate articles.

use std::path::{Path, PathBuf};

mod dates;
mod docx;
mod epub;
mod factiva;
mod html;
mod intake;
mod nexis;
mod odt;
pub mod pdf;
mod pdf_text;
mod plain;
pub mod refresh;
mod rtf;
mod similar;
mod xml;

pub use dates::parse_news_date;
pub use intake::{
    DUPLICATE_THRESHOLD, Planned, Prepared, Progress, add, finish, plan, plan_watched, prepare,
};
pub use refresh::{Applied, Refresh, RefreshInput, Refreshed, Why, Written};
pub use similar::{Duplicate, duplicates};

/// Bumped when a converter's output changes: a document converted by an older version is
/// converted again (its offsets go through re-anchoring).
pub const CONVERTER_VERSION: u32 = 1;

/// The bounds on hostile input.
pub mod limits {
    /// The largest source file read.
    pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
    /// The most one zip member may unpack to (a zip bomb stops here).
    pub const MAX_MEMBER_BYTES: u64 = 64 * 1024 * 1024;
    /// The most XML nodes one part may have.
    pub const MAX_XML_NODES: u32 = 4_000_000;
    /// The most chapters of an EPUB read.
    pub const MAX_EPUB_PARTS: usize = 4_000;
}

/// One source format.
pub trait Converter: Sync {
    /// What it reads, for messages ("Word document").
    fn name(&self) -> &'static str;
    /// The file name endings it takes (lower case, no dot).
    fn extensions(&self) -> &'static [&'static str];
    /// The text of the file: paragraphs and headings as lines. `Err` says what is wrong (the
    /// caller adds the file).
    fn convert(&self, bytes: &[u8]) -> Result<String, String>;
}

/// Every converter, in the order they are asked.
pub static CONVERTERS: &[&dyn Converter] = &[
    &plain::Plain,
    &docx::Docx,
    &odt::Odt,
    &epub::Epub,
    &html::Html,
    &rtf::Rtf,
    &pdf::Pdf,
];

/// The converter for a file, by its name's ending.
pub fn converter_for(path: &Path) -> Option<&'static dyn Converter> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    CONVERTERS
        .iter()
        .copied()
        .find(|c| c.extensions().contains(&ext.as_str()))
}

/// Whether tagdesk can read the file as a source.
pub fn is_source(path: &Path) -> bool {
    converter_for(path).is_some()
}

/// The files in a folder (and below it) that become documents once converted: Word, RTF,
/// PDF, `OpenDocument`, EPUB, HTML, Markdown — not the `.txt` files, which are documents as
/// they are. A new project over a downloads folder takes these in ([`plan`], [`add`]).
pub fn convertible_in(folder: &Path) -> Vec<PathBuf> {
    crate::core::walk::readable_files(
        folder,
        &|name| !crate::core::walk::has_extension(name, "txt") && is_source(Path::new(name)),
        &[],
    )
    .into_iter()
    .map(|(_, path)| path)
    .collect()
}

/// A source that could not be read, with the file (and the place, where it helps).
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", file.display())]
pub struct SourceError {
    pub file: PathBuf,
    pub message: String,
}

impl SourceError {
    fn new(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            message: message.into(),
        }
    }
}

/// A converted file and where it came from.
#[derive(Debug, Clone)]
pub struct Converted {
    pub file: PathBuf,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// The converter's name and [`CONVERTER_VERSION`].
    pub converter: String,
    pub text: String,
}

/// Reads and converts one file.
pub fn convert_file(path: &Path) -> Result<Converted, SourceError> {
    let converter = converter_for(path).ok_or_else(|| {
        SourceError::new(
            path,
            "not a source tagdesk reads (.txt, .md, .docx, .odt, .epub, .html, .rtf, .pdf)",
        )
    })?;
    let size = std::fs::metadata(path)
        .map_err(|e| SourceError::new(path, format!("cannot read it: {e}")))?
        .len();
    if size > limits::MAX_FILE_BYTES {
        return Err(SourceError::new(
            path,
            format!(
                "{size} bytes: larger than the {} MiB tagdesk reads",
                limits::MAX_FILE_BYTES >> 20
            ),
        ));
    }
    let bytes =
        std::fs::read(path).map_err(|e| SourceError::new(path, format!("cannot read it: {e}")))?;
    convert_bytes(path, converter, &bytes)
}

/// Converts a file's bytes, already read, with its converter.
fn convert_bytes(
    path: &Path,
    converter: &dyn Converter,
    bytes: &[u8],
) -> Result<Converted, SourceError> {
    let text = converter
        .convert(bytes)
        .map_err(|m| SourceError::new(path, m))?;
    Ok(Converted {
        file: path.to_path_buf(),
        sha256: crate::core::project::content_hash(bytes),
        converter: converter_record(converter),
        text,
    })
}

/// How a document records the converter that made it: its name and [`CONVERTER_VERSION`].
fn converter_record(converter: &dyn Converter) -> String {
    format!("{} {CONVERTER_VERSION}", converter.name())
}

/// One document to be made from a source: a whole file, or one article of a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Article {
    /// Its place in the batch (1-based; 1 for a file that is one document).
    pub position: usize,
    pub title: String,
    /// The newspaper or outlet (the metadata's `source`).
    pub outlet: String,
    /// `YYYY-MM-DD` (with `THH:MM` when the source gives a time), or empty.
    pub date: String,
    /// The date as the source wrote it.
    pub date_text: String,
    pub byline: String,
    pub section: String,
    /// As the database states it ("355 words").
    pub length: String,
    pub text: String,
}

/// What a converted file makes: the articles of a recognised batch, or the file as one
/// document (titled by its first line).
pub fn articles(converted: &Converted) -> (Option<&'static str>, Vec<Article>) {
    if let Some((kind, found)) = nexis::split(&converted.text) {
        return (Some(kind), found);
    }
    if let Some(found) = factiva::split(&converted.text) {
        return (Some("Factiva"), found);
    }
    let text = converted.text.clone();
    let title = crate::core::text::first_line(&text);
    (
        None,
        vec![Article {
            position: 1,
            title,
            text,
            ..Article::default()
        }],
    )
}

/// Reads one zip member, refusing one that unpacks past [`limits::MAX_MEMBER_BYTES`].
fn zip_member(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    name: &str,
) -> Result<String, String> {
    use std::io::Read as _;
    let member = zip
        .by_name(name)
        .map_err(|e| format!("{name} is missing from the package ({e})"))?;
    if member.size() > limits::MAX_MEMBER_BYTES {
        return Err(format!(
            "{name} would unpack to {} bytes, more than the {} MiB tagdesk reads",
            member.size(),
            limits::MAX_MEMBER_BYTES >> 20
        ));
    }
    let mut bytes = Vec::new();
    member
        .take(limits::MAX_MEMBER_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name} cannot be unpacked: {e}"))?;
    if bytes.len() as u64 > limits::MAX_MEMBER_BYTES {
        return Err(format!(
            "{name} unpacks to more than the {} MiB tagdesk reads",
            limits::MAX_MEMBER_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("{name} is not UTF-8 text"))
}

/// Opens a zip package ("a corrupt DOCX" is said here).
fn open_zip<'a>(
    bytes: &'a [u8],
    what: &str,
) -> Result<zip::ZipArchive<std::io::Cursor<&'a [u8]>>, String> {
    zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable {what} (the zip package is damaged: {e})"))
}
