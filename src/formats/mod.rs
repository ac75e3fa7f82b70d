//! Interchange formats: import, export and convert, with exact offsets.
//!
//! Every format goes through one neutral model, [`Document`] (a text and one [`Layer`] per
//! annotator, spans in code points), so the CLI, the GUI and `convert` call the same code:
//!
//! * a reader turns an input file or folder into a [`Corpus`] ([`read`]);
//! * a [`Writer`] takes documents one at a time (exports stream: nothing holds the whole
//!   project twice) and writes a file or a folder ([`writer`]);
//! * [`export::export`] feeds a project's layers to a writer; [`import::plan`] checks a corpus
//!   against a project and turns it into one undoable workspace step.
//!
//! To add a format: a module here with a reader and/or a writer, a [`Format`] variant, and an
//! arm in [`read`] and [`writer`]. Its mapping goes in docs/FORMATS.md.

mod annotator_folders;
pub mod brat;
pub mod conll;
pub mod csv;
pub mod dna;
pub mod doccano;
pub mod export;
mod files;
mod format;
pub mod import;
mod json_array;
pub mod jsonl;
pub mod label_studio;
mod lenient;
pub mod refi_qda;
mod segment;
pub mod sources;
mod text;
mod tokens;
pub mod uima_xmi;
pub mod w3c;
pub mod webanno;

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::core::schema::{Attributes, Schema};

pub use export::{ExportFilter, export};
pub use files::{FolderFiles, files_with_extension, normalise_pieces, out_path, subfolders};
pub use format::Format;
pub use text::{CharIndex, Utf16Index, covered_slice, read_utf8, strip_bom, strip_bom_shifting};

/// Where something was read: file and 1-based line (0 when the whole file is meant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Shared by every place of one file (a reader makes tens of thousands of them).
    pub file: std::sync::Arc<Path>,
    pub line: usize,
}

impl Default for Place {
    /// No place: one empty path per thread, shared (a writer's spans are made with it by the
    /// million, and each would otherwise allocate).
    fn default() -> Self {
        thread_local! {
            static NOWHERE: std::sync::Arc<Path> = Path::new("").into();
        }
        Self {
            file: NOWHERE.with(std::sync::Arc::clone),
            line: 0,
        }
    }
}

impl Place {
    pub fn new(file: &Path, line: usize) -> Self {
        Self {
            file: file.into(),
            line,
        }
    }

    /// A place in a file already named by `file` (no copy of the path).
    pub fn in_file(file: &std::sync::Arc<Path>, line: usize) -> Self {
        Self {
            file: std::sync::Arc::clone(file),
            line,
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file.display())
        } else {
            write!(f, "{}:{}", self.file.display(), self.line)
        }
    }
}

/// A span in the neutral model. Offsets are code points into [`Document::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Unique within its layer (the format's own id when it has one).
    /// Inline up to 24 bytes (ids and labels nearly always are): an export makes a span per
    /// annotation, a million for a big project, and each would otherwise allocate twice.
    pub id: crate::core::annotation::Str,
    pub label: crate::core::annotation::Str,
    /// `[start, end)` pieces, sorted; more than one for a discontinuous span.
    pub pieces: Vec<[usize; 2]>,
    pub attributes: Attributes,
    pub note: Option<String>,
    pub at: Place,
}

impl Span {
    pub fn start(&self) -> usize {
        self.pieces.first().map_or(0, |p| p[0])
    }

    pub fn end(&self) -> usize {
        self.pieces.last().map_or(0, |p| p[1])
    }
}

/// A relation in the neutral model; `from` and `to` are span ids of the same layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: String,
    pub kind: String,
    pub from: String,
    pub to: String,
    pub at: Place,
}

/// One annotator's work on one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layer {
    /// Who made it, when the format says.
    pub annotator: Option<String>,
    pub spans: Vec<Span>,
    pub relations: Vec<Link>,
}

/// A text and its layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The document's path relative to the source folder (`a.txt`, `news/b.txt`), when the
    /// format carries one.
    pub path: Option<String>,
    /// The text without a byte-order mark; offsets count from its first character.
    pub text: String,
    /// The source file started with a UTF-8 BOM (formats that count it, like brat, shift).
    pub bom: bool,
    /// The text was rebuilt from tokens (`CoNLL`, `WebAnno` TSV): its whitespace may differ from the
    /// original; an import aligns it on the project's text by its non-whitespace characters.
    pub rebuilt: bool,
    pub layers: Vec<Layer>,
    pub at: Place,
}

/// What a reader produced.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub documents: Vec<Document>,
    /// Labels, relation types and attributes the input declares (brat's annotation.conf);
    /// those it only uses are added by [`Corpus::used_schema`].
    pub declared: Schema,
    /// Things read but not carried, with counts or places. Never silent.
    pub warnings: Vec<String>,
    /// The input is a codebook (a REFI-QDA `.qdc`): importing it adds `declared`'s labels to
    /// the project's schema.
    pub codebook: bool,
}

impl Corpus {
    /// The declared schema extended by every label, relation type and attribute in use.
    pub fn used_schema(&self) -> Schema {
        let mut schema = self.declared.clone();
        for doc in &self.documents {
            for layer in &doc.layers {
                for span in &layer.spans {
                    import::extend_schema_for_span(&mut schema, &span.label, &span.attributes);
                }
                if layer.relations.is_empty() {
                    continue;
                }
                let labels: BTreeMap<&str, &str> = layer
                    .spans
                    .iter()
                    .map(|s| (s.id.as_str(), s.label.as_str()))
                    .collect();
                for link in &layer.relations {
                    if let (Some(from), Some(to)) = (labels.get(&*link.from), labels.get(&*link.to))
                    {
                        import::extend_schema_for_link(&mut schema, &link.kind, from, to);
                    }
                }
            }
        }
        schema
    }

    pub fn annotation_count(&self) -> usize {
        self.documents
            .iter()
            .flat_map(|d| &d.layers)
            .map(|l| l.spans.len())
            .sum()
    }
}

/// What an export or a conversion wrote and what it could not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// Documents (per annotator) written.
    pub records: usize,
    pub annotations: usize,
    pub relations: usize,
    /// One line per kind of thing not carried, with counts. Never silent.
    pub warnings: Vec<String>,
    /// Counts behind the warnings, merged at the end ([`Lossy`]).
    pub lossy: Lossy,
    /// Annotation files that could not be read (an export that reads them itself, with
    /// [`export::LayerSource::Files`]), each why, naming the file: left out.
    pub broken: Vec<String>,
}

/// Counters of what a format cannot carry, turned into warnings by [`ExportReport::finish`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lossy(BTreeMap<String, usize>);

impl Lossy {
    pub fn add(&mut self, what: impl Into<String>, n: usize) {
        if n > 0 {
            *self.0.entry(what.into()).or_default() += n;
        }
    }
}

impl ExportReport {
    /// Counts one layer written whole.
    pub fn wrote(&mut self, layer: &Layer) {
        self.records += 1;
        self.annotations += layer.spans.len();
        self.relations += layer.relations.len();
    }

    /// Adds what another part of the same export wrote and skipped.
    pub fn merge(&mut self, other: Self) {
        self.records += other.records;
        self.annotations += other.annotations;
        self.relations += other.relations;
        self.warnings.extend(other.warnings);
        self.broken.extend(other.broken);
        for (what, n) in other.lossy.0 {
            *self.lossy.0.entry(what).or_default() += n;
        }
    }

    /// Turns the counters into warnings.
    pub fn finish(&mut self) {
        for (what, n) in std::mem::take(&mut self.lossy).0 {
            self.warnings.push(format!("{n} {what}"));
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot write {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no annotator \"{0}\" in this project")]
    UnknownAnnotator(String),
    /// The format cannot hold what was asked (e.g. several annotators in one `CoNLL` file).
    #[error("{0}")]
    Unsupported(String),
    /// Annotation files that cannot be read, each why: the export would be incomplete.
    #[error(
        "{}\n{} annotation file(s) cannot be read, so the result would be incomplete; nothing \
         was written. Fix them (`tagdesk validate` names the place) or pass --skip-broken to \
         leave them out.",
        .0.join("\n"),
        .0.len()
    )]
    Broken(Vec<String>),
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Bad input, at a place.
    #[error("{at}: {message}")]
    Bad { at: Place, message: String },
    /// The input does not fit the project (several problems, one per line).
    #[error("{}", .0.join("\n"))]
    Mismatch(Vec<String>),
    #[error("{0}")]
    Project(String),
}

impl ImportError {
    pub fn bad(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Self::Bad {
            at: Place::new(file, line),
            message: message.into(),
        }
    }

    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Where a writer puts its output.
pub enum Sink<'a> {
    /// One file, or standard output.
    Stream(Box<dyn Write + 'a>),
    /// A folder (brat, `WebAnno` TSV): created if missing; files in it with the names written
    /// are replaced, each atomically.
    Folder(PathBuf),
}

/// Takes documents one at a time. `annotators` given to [`writer`] are all the layers that
/// will come, so folder formats know whether to make one subfolder per annotator.
///
/// A format whose documents do not depend on each other gives a [`Render`]: then documents
/// are rendered on all cores, a window at a time, and handed back in order to
/// [`Writer::write_rendered`] ([`write_documents`]).
pub trait Writer {
    /// Writes the next document.
    fn document(&mut self, doc: &Document, report: &mut ExportReport) -> Result<(), ExportError> {
        if let Some(files) = self.files() {
            return files.write_files(report.records, doc, report);
        }
        match self.renderer() {
            Some(render) => {
                let bytes = render(doc, report)?;
                self.write_rendered(&bytes)
            }
            None => Err(ExportError::Unsupported(
                "this writer takes no documents".to_owned(),
            )),
        }
    }
    /// The writer itself, when each document is files of its own that any thread may write.
    fn files(&self) -> Option<&dyn FileWriter> {
        None
    }
    /// Called once after the last document.
    fn finish(&mut self, report: &mut ExportReport) -> Result<(), ExportError>;
    /// How a document is rendered on its own, when the format's documents are independent.
    fn renderer(&self) -> Option<Render> {
        None
    }
    /// Writes what the [`Render`] made of the next document.
    fn write_rendered(&mut self, _bytes: &[u8]) -> Result<(), ExportError> {
        Ok(())
    }
}

/// A writer whose documents are files of their own (brat, `WebAnno` TSV, UIMA XMI: a folder),
/// written on all cores by [`write_documents`].
pub trait FileWriter: Sync {
    /// Writes the files of document `n` (its place in the export, from 0: it names a document
    /// without a path, `doc-<n + 1>`).
    fn write_files(
        &self,
        n: usize,
        doc: &Document,
        report: &mut ExportReport,
    ) -> Result<(), ExportError>;
}

/// The writer of a stream format whose documents are rendered on their own ([`Render`]): it
/// only writes their bytes in order (`CoNLL`, JSONL, doccano).
pub struct Rendered<'a> {
    out: Box<dyn Write + 'a>,
    render: Render,
    /// Written before the first document (CSV's header row); none without documents.
    header: Option<Vec<u8>>,
}

impl<'a> Rendered<'a> {
    pub fn new(out: Box<dyn Write + 'a>, render: Render) -> Self {
        Self {
            out,
            render,
            header: None,
        }
    }

    #[must_use]
    pub fn with_header(mut self, header: Vec<u8>) -> Self {
        self.header = Some(header);
        self
    }
}

impl Writer for Rendered<'_> {
    fn renderer(&self) -> Option<Render> {
        Some(self.render)
    }

    fn write_rendered(&mut self, bytes: &[u8]) -> Result<(), ExportError> {
        if let Some(header) = self.header.take() {
            self.out.write_all(&header)?;
        }
        self.out.write_all(bytes)?;
        Ok(())
    }

    fn finish(&mut self, _report: &mut ExportReport) -> Result<(), ExportError> {
        self.out.flush()?;
        Ok(())
    }
}

/// One document rendered on its own, on any thread: its bytes in the format.
pub type Render = fn(&Document, &mut ExportReport) -> Result<Vec<u8>, ExportError>;

/// A document's bytes (`None`: skipped) and what its rendering reported.
type RenderedPart = (Option<Vec<u8>>, ExportReport);

/// How many documents are rendered at once per core: enough to keep both busy, few enough that
/// the rendered bytes waiting to be written stay small.
const RENDER_WINDOW: usize = 32;

/// Writes `count` documents, document `i` made by `make` (`None`: skipped; it says why in the
/// report it is given), in order — on all cores when the format renders documents on their own.
pub fn write_documents<'d>(
    out: &mut dyn Writer,
    count: usize,
    make: &(dyn Fn(usize, &mut ExportReport) -> Option<std::borrow::Cow<'d, Document>> + Sync),
    report: &mut ExportReport,
    progress: &dyn Fn(usize, usize),
) -> Result<(), ExportError> {
    use rayon::prelude::*;
    let window = RENDER_WINDOW * rayon::current_num_threads();
    if let Some(files) = out.files() {
        for start in (0..count).step_by(window) {
            progress(start, count);
            let parts: Vec<Result<ExportReport, ExportError>> = (start..count.min(start + window))
                .into_par_iter()
                .map(|i| {
                    let mut part = ExportReport::default();
                    if let Some(doc) = make(i, &mut part) {
                        files.write_files(i, &doc, &mut part)?;
                    }
                    Ok(part)
                })
                .collect();
            // In order: the first error is the first document's that failed.
            for part in parts {
                report.merge(part?);
            }
        }
        return Ok(());
    }
    let Some(render) = out.renderer() else {
        for i in 0..count {
            progress(i, count);
            if let Some(doc) = make(i, report) {
                out.document(&doc, report)?;
            }
        }
        return Ok(());
    };
    for start in (0..count).step_by(window) {
        progress(start, count);
        let parts: Vec<Result<RenderedPart, ExportError>> = (start..count.min(start + window))
            .into_par_iter()
            .map(|i| {
                let mut part = ExportReport::default();
                let bytes = match make(i, &mut part) {
                    Some(doc) => Some(render(&doc, &mut part)?),
                    None => None,
                };
                Ok((bytes, part))
            })
            .collect();
        for part in parts {
            let (bytes, part) = part?;
            report.merge(part);
            if let Some(bytes) = bytes {
                out.write_rendered(&bytes)?;
            }
        }
    }
    Ok(())
}

/// A writer for `format`; `schema` is what the exported layers use (brat writes it as
/// annotation.conf), `annotators` every layer that will be written.
pub fn writer<'a>(
    format: Format,
    sink: Sink<'a>,
    schema: &Schema,
    annotators: &[String],
) -> Result<Box<dyn Writer + 'a>, ExportError> {
    let stream = |sink: Sink<'a>| match sink {
        Sink::Stream(out) => Ok(out),
        Sink::Folder(path) => Err(ExportError::Unsupported(format!(
            "{format} writes one file; {} is a folder",
            path.display()
        ))),
    };
    let folder = |sink: Sink<'a>| match sink {
        Sink::Folder(path) => Ok(path),
        Sink::Stream(_) => Err(ExportError::Unsupported(format!(
            "{format} writes a folder of files: give one with --output DIR"
        ))),
    };
    Ok(match format {
        Format::Jsonl => Box::new(Rendered::new(stream(sink)?, jsonl::render)),
        Format::Doccano => Box::new(Rendered::new(stream(sink)?, doccano::render)),
        Format::Brat => Box::new(brat::Writer::new(folder(sink)?, schema, annotators)?),
        Format::Conll => {
            conll::one_annotator(annotators)?;
            Box::new(Rendered::new(stream(sink)?, conll::render))
        }
        Format::LabelStudio => Box::new(label_studio::Writer::new(stream(sink)?)),
        Format::WebannoTsv => Box::new(webanno::Writer::new(folder(sink)?, schema, annotators)),
        Format::Csv => {
            Box::new(Rendered::new(stream(sink)?, csv::render).with_header(csv::header()))
        }
        Format::W3c => Box::new(w3c::Writer::new(stream(sink)?)),
        Format::RefiQda => Box::new(refi_qda::Writer::new(stream(sink)?, schema, annotators)),
        Format::UimaXmi => Box::new(uima_xmi::Writer::new(folder(sink)?, schema)),
        Format::RefiQdc => Box::new(refi_qda::CodebookWriter::new(stream(sink)?, schema)),
        Format::Dna => {
            return Err(ExportError::Unsupported(
                "tagdesk reads DNA databases but does not write them yet".to_owned(),
            ));
        }
    })
}

pub use annotator_folders::{
    FolderDocuments, annotator_folder_names, annotators_from_folders, read_annotator_folder,
};

/// Reads `input` (a file or a folder, as the format has it).
pub fn read(format: Format, input: &Path) -> Result<Corpus, ImportError> {
    match format {
        Format::Jsonl => jsonl::read(input),
        Format::Doccano => doccano::read(input),
        Format::Brat => brat::read(input),
        Format::Conll => conll::read(input),
        Format::LabelStudio => label_studio::read(input),
        Format::WebannoTsv => webanno::read(input),
        Format::RefiQda => refi_qda::read(input),
        Format::RefiQdc => refi_qda::read_codebook(input),
        Format::UimaXmi => uima_xmi::read(input),
        Format::Csv | Format::W3c => Err(ImportError::Project(format!(
            "tagdesk does not read {format} (it is an export format)"
        ))),
        Format::Dna => Err(ImportError::Project(
            "a DNA database is imported into a project as a whole (its documents, coders, \
             statement types and entities): tagdesk import PROJECT --format dna FILE.dna"
                .to_owned(),
        )),
    }
}

/// Reads one input in one format and writes it in another, document by document.
/// `annotator_folders`: the input has one folder per annotator ([`annotators_from_folders`]).
pub fn convert(
    from: Format,
    input: &Path,
    annotator_folders: bool,
    to: Format,
    sink: Sink<'_>,
) -> Result<ConvertReport, String> {
    let mut corpus = read(from, input).map_err(|e| e.to_string())?;
    if annotator_folders {
        annotators_from_folders(&mut corpus).map_err(|e| e.to_string())?;
    }
    let schema = corpus.used_schema();
    let mut annotators: Vec<String> = corpus
        .documents
        .iter()
        .flat_map(|d| &d.layers)
        .map(|l| l.annotator.clone().unwrap_or_default())
        .collect();
    annotators.sort();
    annotators.dedup();
    let mut report = ExportReport::default();
    let mut out = writer(to, sink, &schema, &annotators).map_err(|e| e.to_string())?;
    let make =
        |i: usize, _: &mut ExportReport| Some(std::borrow::Cow::Borrowed(&corpus.documents[i]));
    write_documents(
        out.as_mut(),
        corpus.documents.len(),
        &make,
        &mut report,
        &|_, _| {},
    )
    .map_err(|e| e.to_string())?;
    out.finish(&mut report).map_err(|e| e.to_string())?;
    report.finish();
    let read_warnings = std::mem::take(&mut corpus.warnings);
    // Freeing a corpus of a thousand documents string by string takes a tenth of a second:
    // not on the caller's time (and not at all when the process ends first).
    rayon::spawn(move || drop(corpus));
    Ok(ConvertReport {
        read_warnings,
        export: report,
    })
}

#[derive(Debug, Default)]
pub struct ConvertReport {
    pub read_warnings: Vec<String>,
    pub export: ExportReport,
}
