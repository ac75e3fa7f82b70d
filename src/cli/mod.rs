//! Command-line interface: argument parsing and thin subcommands over `core` and `formats`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::core::project::{Project, ProjectError};
use crate::core::{Workspace, stats, validate};
use crate::formats::{self, ExportFilter, Format};

#[derive(Debug, Parser)]
#[command(
    name = "tagdesk",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("TAGDESK_GIT_COMMIT"), ")"),
    about = "Annotation workbench: highlight spans in texts, tag them, export, review.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A project folder, or a plain folder of .txt files, to open in the app.
    /// Without it, the last project opens (else the bundled sample).
    pub path: Option<PathBuf>,
    /// A document to show first, relative to the source folder (e.g. `news/a.txt`).
    pub document: Option<String>,
    /// Annotate as this annotator (otherwise the remembered name is used, or asked once).
    #[arg(long)]
    pub annotator: Option<String>,
    /// Write one line per frame (index, CPU ms, what was laid out) to this file.
    #[arg(long, value_name = "FILE")]
    pub frame_stats: Option<PathBuf>,
    /// Choose files and folders in tagdesk's own chooser, not the system's dialog (used anyway
    /// where the system has none: no desktop portal, no zenity).
    #[arg(long)]
    pub builtin_file_dialog: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a project (a manifest with the default label schema) without the GUI.
    Init {
        /// The project folder (created if missing).
        project_dir: PathBuf,
        /// The folder of source texts; by default the project folder itself.
        #[arg(long)]
        sources: Option<PathBuf>,
        /// The project's name; by default the folder's name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Export annotations.
    Export {
        project: PathBuf,
        /// Output format (brat and webanno-tsv write a folder).
        #[arg(long, value_parser = Format::names())]
        format: String,
        /// Only this annotator's layer (or the curated layer).
        #[arg(long)]
        annotator: Option<String>,
        /// Output file (written atomically) or folder; standard output when absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Import annotations from another tool into the project, as one step (all or nothing).
    Import {
        project: PathBuf,
        #[arg(long, value_parser = Format::import_names())]
        format: String,
        /// Import into this annotator's layer; without it, each layer goes to the annotator the
        /// input names.
        #[arg(long)]
        annotator: Option<String>,
        /// Add documents the project does not have (with the input's text) to its source folder.
        #[arg(long)]
        add_documents: bool,
        /// Add labels, relation types, attributes and values the schema lacks.
        #[arg(long)]
        add_labels: bool,
        /// A file, or a folder (brat, webanno-tsv).
        input: PathBuf,
    },
    /// Convert annotations between formats without a project.
    Convert {
        #[arg(long, value_parser = Format::import_names())]
        from: String,
        #[arg(long, value_parser = Format::names())]
        to: String,
        input: PathBuf,
        /// Output file, or folder for brat and webanno-tsv.
        output: PathBuf,
    },
    /// Check every annotation file and every annotation against its source text.
    /// Exit status: 0 clean, 1 problems found, 2 usage error.
    Validate {
        project: PathBuf,
        /// Re-anchor annotations whose source text changed (moving them where their text now is,
        /// flagging the ones that need a person) and save, before checking.
        #[arg(long)]
        write: bool,
    },
    /// Test channel: applies span additions from FILE (lines `add DOC START END LABEL`) one by
    /// one as ANNOTATOR, printing `ack N` once line N is safe (journaled), so a crash test can kill
    /// the process at any moment and check that nothing acknowledged is lost. Replays the journal
    /// of an earlier run first.
    #[command(hide = true)]
    Script {
        project: PathBuf,
        file: PathBuf,
        #[arg(long)]
        annotator: String,
        /// Start at this line (1-based); earlier lines were acknowledged by an earlier run.
        #[arg(long, default_value_t = 1)]
        from: usize,
        /// Save after every N lines (0: never).
        #[arg(long, default_value_t = 0)]
        save_every: usize,
        /// Pause between lines, in milliseconds.
        #[arg(long, default_value_t = 0)]
        delay_ms: u64,
    },
    /// Inter-annotator agreement on the documents all the annotators annotated: pairwise F1
    /// (exact spans, overlap, tokens) with mean and SD over pairs, per label and per document;
    /// Cohen's, Fleiss' kappa and Krippendorff's alpha on tokens (untagged = O); Krippendorff's
    /// alpha for unitizing on characters.
    Agree {
        project: PathBuf,
        /// Comma-separated; by default every annotator (`_curated` is the curated layer).
        #[arg(long, value_delimiter = ',')]
        annotators: Vec<String>,
        #[command(flatten)]
        options: AgreeOptions,
    },
    /// Search every source text of the project: one line per match (document:line:column:
    /// the line with the match in [brackets]), printed as documents are searched.
    Search {
        project: PathBuf,
        pattern: String,
        /// PATTERN is a regular expression (Rust regex syntax), not literal text.
        #[arg(long)]
        regex: bool,
        /// Upper and lower case differ.
        #[arg(long)]
        case_sensitive: bool,
        /// Stop after this many matches.
        #[arg(long, default_value_t = 100_000)]
        max: usize,
        /// One JSON object per match (document, range in code points, line, column, context).
        #[arg(long)]
        json: bool,
    },
    /// Documents, and annotations per label per annotator.
    Stats {
        project: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// A discourse network from the coded statements (claims linked to concepts, their stance,
    /// the actors who said them): actor × actor or actor × concept, for Gephi, networkx or
    /// igraph (--format graphml) or as a CSV matrix.
    Network(NetworkOptions),
    /// Document metadata (date, source, title, section): printed, or exchanged as CSV
    /// (`document,date,source,title,section`; dates YYYY-MM-DD).
    Metadata {
        project: PathBuf,
        /// Read this CSV into the project's metadata (its rows replace what they name).
        #[arg(long, value_name = "FILE.csv", conflicts_with = "export")]
        import: Option<PathBuf>,
        /// Write the metadata to this CSV file.
        #[arg(long, value_name = "FILE.csv")]
        export: Option<PathBuf>,
    },
    /// The entity registry: every actor and concept with its aliases, attributes and how many
    /// spans link to it.
    Entities {
        project: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct NetworkOptions {
    pub project: PathBuf,
    /// The layer to read (an annotator, or `_curated`); by default the curated layer.
    #[arg(long)]
    pub annotator: Option<String>,
    #[arg(long, value_enum, default_value = "onemode")]
    pub mode: NetworkMode,
    /// onemode: congruence, conflict, subtract, ignore; twomode: ignore, subtract, combine.
    #[arg(long, value_enum, default_value = "congruence")]
    pub aggregation: NetworkAggregation,
    /// onemode: no, average, jaccard, cosine, dna-cosine; twomode: no, activity, prominence.
    #[arg(long, value_enum, default_value = "no")]
    pub normalization: NetworkNormalization,
    #[arg(long, value_enum, default_value = "all")]
    pub duplicates: NetworkDuplicates,
    #[arg(long, value_enum, default_value = "graphml")]
    pub format: NetworkFormat,
    /// Where to write (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NetworkMode {
    Onemode,
    Twomode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NetworkAggregation {
    Congruence,
    Conflict,
    Subtract,
    Ignore,
    Combine,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NetworkNormalization {
    No,
    Average,
    Jaccard,
    Cosine,
    DnaCosine,
    Activity,
    Prominence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NetworkDuplicates {
    All,
    Document,
    Week,
    Month,
    Year,
    Once,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NetworkFormat {
    Graphml,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct AgreeOptions {
    /// Comma-separated; by default every label.
    #[arg(long, value_delimiter = ',')]
    labels: Vec<String>,
    /// How texts are cut into tokens for the token measures.
    #[arg(long, value_enum, default_value_t = TokensArg::Whitespace)]
    tokens: TokensArg,
    /// Print JSON instead of tables.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV (one row per figure) instead of tables.
    #[arg(long)]
    csv: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum TokensArg {
    /// Runs of non-whitespace, as bratiaa cuts them.
    Whitespace,
    /// Unicode words and punctuation (UAX #29).
    Words,
}

impl From<TokensArg> for crate::core::agreement::Tokens {
    fn from(t: TokensArg) -> Self {
        match t {
            TokensArg::Whitespace => Self::Whitespace,
            TokensArg::Words => Self::Words,
        }
    }
}

/// Exit status for "the command could not run as asked" (as clap uses for bad arguments).
const USAGE: u8 = 2;

/// Runs a subcommand; prints its own errors.
pub fn run(command: Command) -> ExitCode {
    match command {
        Command::Init {
            project_dir,
            sources,
            name,
        } => init(&project_dir, sources.as_deref(), name.as_deref()),
        Command::Export {
            project,
            format,
            annotator,
            output,
        } => export(&project, &format, annotator, output.as_deref()),
        Command::Import {
            project,
            format,
            annotator,
            add_documents,
            add_labels,
            input,
        } => import(
            &project,
            &format,
            &input,
            &formats::import::ImportOptions {
                annotator,
                add_documents,
                add_labels,
            },
        ),
        Command::Convert {
            from,
            to,
            input,
            output,
        } => convert(&from, &to, &input, &output),
        Command::Validate { project, write } => {
            if write && let Err(code) = reanchor_all(&project) {
                return code;
            }
            validate_cmd(&project)
        }
        Command::Stats { project, json } => stats_cmd(&project, json),
        Command::Entities { project, json } => entities_cmd(&project, json),
        Command::Network(options) => network_cmd(&options),
        Command::Metadata {
            project,
            import,
            export,
        } => metadata_cmd(&project, import.as_deref(), export.as_deref()),
        Command::Search {
            project,
            pattern,
            regex,
            case_sensitive,
            max,
            json,
        } => search_cmd(
            &project,
            &crate::core::search::Query {
                pattern,
                regex,
                case_sensitive,
            },
            max,
            json,
        ),
        Command::Agree {
            project,
            annotators,
            options,
        } => agree(&project, annotators, &options),
        Command::Script {
            project,
            file,
            annotator,
            from,
            save_every,
            delay_ms,
        } => script(&project, &file, &annotator, from, save_every, delay_ms),
    }
}

fn open(project: &Path) -> Result<Workspace, ExitCode> {
    Workspace::open(project).map_err(|err| {
        eprintln!("error: {err}");
        ExitCode::from(USAGE)
    })
}

/// For commands that only read the project (faster: annotation files are not hashed).
/// A command about to end hands its (read-only) project to the OS, which takes the memory back
/// in one go: freeing a million annotations one by one costs a tenth of a second.
fn let_the_os_free(workspace: Workspace) {
    std::mem::forget(workspace);
}

fn open_read_only(project: &Path) -> Result<Workspace, ExitCode> {
    Workspace::open_read_only(project).map_err(|err| {
        eprintln!("error: {err}");
        ExitCode::from(USAGE)
    })
}

fn init(dir: &Path, sources: Option<&Path>, name: Option<&str>) -> ExitCode {
    match Project::init(dir, sources, name) {
        Ok(project) => {
            println!(
                "Made project \"{}\" in {} with {} documents from {}.",
                project.name(),
                dir.display(),
                project.documents.len(),
                project.source_dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(USAGE)
        }
    }
}

fn export(
    project: &Path,
    format: &str,
    annotator: Option<String>,
    output: Option<&Path>,
) -> ExitCode {
    let Some(format) = Format::from_name(format) else {
        eprintln!("error: unknown format {format}");
        return ExitCode::from(USAGE);
    };
    let mut workspace = match open_read_only(project) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    if let Some(name) = &annotator
        && !workspace.project.annotators().contains(name)
    {
        eprintln!(
            "error: no annotator \"{name}\" in this project (it has: {})",
            workspace.project.annotators().join(", ")
        );
        return ExitCode::from(USAGE);
    }
    let filter = ExportFilter { annotator };
    let result = write_output(format, output, |sink| {
        formats::export(&mut workspace, format, &filter, sink).map_err(|e| e.to_string())
    });
    let_the_os_free(workspace);
    let report = match result {
        Ok(report) => report,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    eprintln!(
        "Exported {} annotations and {} relations in {} records as {}{}.",
        report.annotations,
        report.relations,
        report.records,
        format.name(),
        output
            .map(|p| format!(" to {}", p.display()))
            .unwrap_or_default()
    );
    ExitCode::SUCCESS
}

/// Runs `write` on the right sink: a folder for folder formats (which need `--output`), else a
/// temporary file put in place only when complete, or standard output.
fn write_output(
    format: Format,
    output: Option<&Path>,
    write: impl FnOnce(formats::Sink<'_>) -> Result<formats::ExportReport, String>,
) -> Result<formats::ExportReport, String> {
    if format.writes_folder() {
        let Some(dir) = output else {
            return Err(format!(
                "{format} writes a folder of files: give one with --output DIR"
            ));
        };
        if dir.is_file() {
            return Err(format!(
                "{} is a file; {format} writes a folder",
                dir.display()
            ));
        }
        return write(formats::Sink::Folder(dir.to_path_buf()));
    }
    if let Some(path) = output {
        let mut file = crate::core::project::AtomicFile::create(path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let report = write(formats::Sink::Stream(Box::new(&mut file)))?;
        file.commit()
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(report)
    } else {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let report = write(formats::Sink::Stream(Box::new(&mut out)))?;
        out.flush()
            .map_err(|e| format!("cannot write to standard output: {e}"))?;
        Ok(report)
    }
}

fn import(
    project: &Path,
    format: &str,
    input: &Path,
    options: &formats::import::ImportOptions,
) -> ExitCode {
    let Some(format) = Format::from_name(format) else {
        eprintln!("error: unknown format {format}");
        return ExitCode::from(USAGE);
    };
    let mut workspace = match open(project) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let recovered = workspace.recover();
    for message in recovered {
        eprintln!("{message}");
    }
    let plan = match formats::import::read_and_plan(&mut workspace, format, input, options) {
        Ok(plan) => plan,
        Err(err) => {
            eprintln!("error: nothing was imported:\n{err}");
            return ExitCode::FAILURE;
        }
    };
    let report = match formats::import::apply(&mut workspace, plan) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("error: nothing was imported: {err}");
            return ExitCode::FAILURE;
        }
    };
    let saved = workspace.save();
    for err in &saved.errors {
        eprintln!("error: {err}");
    }
    eprintln!("{}", report.summary());
    if saved.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn convert(from: &str, to: &str, input: &Path, output: &Path) -> ExitCode {
    let (Some(from), Some(to)) = (Format::from_name(from), Format::from_name(to)) else {
        eprintln!("error: unknown format");
        return ExitCode::from(USAGE);
    };
    let mut warnings = Vec::new();
    let result = write_output(to, Some(output), |sink| {
        let report = formats::convert(from, input, to, sink)?;
        warnings = report.read_warnings;
        Ok(report.export)
    });
    match result {
        Ok(report) => {
            for w in warnings.iter().chain(&report.warnings) {
                eprintln!("warning: {w}");
            }
            eprintln!(
                "Converted {} annotations and {} relations in {} records from {from} to {to} \
                 ({}).",
                report.annotations,
                report.relations,
                report.records,
                output.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn agree(project: &Path, annotators: Vec<String>, options: &AgreeOptions) -> ExitCode {
    use crate::core::agreement::{Report, Study};
    let ws = match open_read_only(project) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let known = ws.project.annotators();
    let annotators = if annotators.is_empty() {
        known.clone()
    } else {
        annotators
    };
    if let Some(unknown) = annotators.iter().find(|a| !known.contains(a)) {
        eprintln!(
            "error: no annotator \"{unknown}\" in this project (it has: {})",
            known.join(", ")
        );
        return ExitCode::from(USAGE);
    }
    if annotators.len() < 2 {
        eprintln!(
            "error: agreement needs two or more annotators (this project has: {})",
            known.join(", ")
        );
        return ExitCode::from(USAGE);
    }
    let labels = (!options.labels.is_empty()).then_some(options.labels.as_slice());
    let mut study = Study::from_project(&ws.project, &annotators, labels);
    study.load_texts(&ws.project.source_dir);
    let report = Report::compute(&study, options.tokens.into());
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    if options.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else if options.csv {
        print!("{}", report.to_csv());
    } else {
        print!("{}", agreement_tables(&report));
    }
    let_the_os_free(ws);
    ExitCode::SUCCESS
}

/// The agreement report as plain-text tables.
fn agreement_tables(report: &crate::core::agreement::Report) -> String {
    use crate::core::agreement::MeanSd;
    let cell = |s: Option<&MeanSd>| {
        s.map_or_else(
            || format!("{:^14}", "–"),
            |s| format!("{:>6.3}  {:>6.3}", s.mean, s.sd),
        )
    };
    let num = |x: Option<f64>| x.map_or_else(|| format!("{:>7}", "–"), |x| format!("{x:>7.3}"));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Agreement of {} on {} documents (F1: mean and SD over {} pairs)\n",
        report.annotators.join(", "),
        report.documents.len(),
        report.exact.pairs.len()
    );
    let _ = writeln!(
        out,
        "{:<32} {:^14}  {:^14}  {:^14}",
        "F1", "exact spans", "overlap", "tokens"
    );
    let f1_row =
        |out: &mut String,
         key: &str,
         pick: &dyn Fn(&crate::core::agreement::SpanAgreement) -> Option<MeanSd>| {
            let _ = writeln!(
                out,
                "  {key:<30} {}  {}  {}",
                cell(pick(&report.exact).as_ref()),
                cell(pick(&report.overlap).as_ref()),
                cell(pick(&report.token_f1).as_ref())
            );
        };
    f1_row(&mut out, "overall", &|a| a.overall);
    let _ = writeln!(out, "per label");
    for k in report.exact.per_label.keys() {
        f1_row(&mut out, k, &|a| a.per_label.get(k).copied());
    }
    let _ = writeln!(out, "per document");
    for k in &report.documents {
        f1_row(&mut out, k, &|a| a.per_document.get(k).copied());
    }
    let _ = writeln!(out, "pairs (the first against the second as reference)");
    let _ = writeln!(out, "  {:<30} {:^23}  {:^23}", "", "exact spans", "overlap");
    let _ = writeln!(
        out,
        "  {:<30} {:>7} {:>7} {:>7}  {:>7} {:>7} {:>7}",
        "", "P", "R", "F1", "P", "R", "F1"
    );
    for (e, o) in report.exact.pairs.iter().zip(&report.overlap.pairs) {
        let _ = writeln!(
            out,
            "  {:<30} {} {} {}  {} {} {}",
            format!("{} – {}", e.a, e.b),
            num(e.overall.precision),
            num(e.overall.recall),
            num(e.overall.f1),
            num(o.overall.precision),
            num(o.overall.recall),
            num(o.overall.f1),
        );
    }
    let t = &report.token;
    let _ = writeln!(
        out,
        "\nTokens ({} tokens, {}; untagged = O)",
        t.items,
        match t.tokens {
            crate::core::agreement::Tokens::Whitespace => "cut at whitespace",
            crate::core::agreement::Tokens::Words => "Unicode words",
        }
    );
    let _ = writeln!(
        out,
        "{:<32} {:>7} {:>7}  {:>7}  {:>7}  {:>7}",
        "", "κ Cohen", "(SD)", "κ Fleiss", "α", "αU"
    );
    let coeff_row = |out: &mut String,
                     key: &str,
                     c: &crate::core::agreement::Coefficients,
                     unitizing: Option<f64>| {
        let _ = writeln!(
            out,
            "  {key:<30} {} {}  {}  {}  {}",
            num(c.cohen_mean.map(|m| m.mean)),
            num(c.cohen_mean.map(|m| m.sd)),
            num(c.fleiss),
            num(c.alpha),
            num(unitizing)
        );
    };
    coeff_row(&mut out, "overall", &t.overall, report.unitizing.overall);
    for (k, c) in &t.per_label {
        coeff_row(
            &mut out,
            k,
            c,
            report.unitizing.per_label.get(k).and_then(|l| l.alpha),
        );
    }
    let _ = writeln!(out, "pairs (Cohen's κ, overall)");
    for (a, b, k) in &t.overall.cohen {
        let _ = writeln!(out, "  {a} – {b}: {}", num(*k).trim());
    }
    out
}

/// `validate --write`: re-anchors every layer whose source changed, and saves.
fn reanchor_all(project: &Path) -> Result<(), ExitCode> {
    let mut ws = open(project)?;
    let keys: Vec<_> = ws.project.layers.keys().cloned().collect();
    for key in keys {
        match ws.reanchor(&key) {
            Ok(Some(report)) => eprintln!(
                "{} ({}): {} unchanged, {} moved, {} need review",
                key.document,
                key.annotator,
                report.unchanged,
                report.moved.len(),
                report.needs_review.len()
            ),
            Ok(None) => {}
            Err(err) => eprintln!(
                "{} ({}): not re-anchored: {err}",
                key.document, key.annotator
            ),
        }
    }
    let report = ws.save();
    for err in &report.errors {
        eprintln!("error: {err}");
    }
    if report.errors.is_empty() {
        Ok(())
    } else {
        Err(ExitCode::FAILURE)
    }
}

fn script(
    project: &Path,
    file: &Path,
    annotator: &str,
    from: usize,
    save_every: usize,
    delay_ms: u64,
) -> ExitCode {
    let mut ws = match open(project) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    for line in ws.recover() {
        eprintln!("{line}");
    }
    let Ok(lines) = std::fs::read_to_string(file) else {
        eprintln!("error: cannot read {}", file.display());
        return ExitCode::from(USAGE);
    };
    let mut out = std::io::stdout().lock();
    for (n, line) in lines
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .skip(from.saturating_sub(1))
    {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [_, doc, start, end, label] = parts.as_slice() else {
            eprintln!(
                "error: {}:{n}: expected `add DOC START END LABEL`",
                file.display()
            );
            return ExitCode::from(USAGE);
        };
        let (Ok(start), Ok(end)) = (start.parse::<usize>(), end.parse::<usize>()) else {
            eprintln!("error: {}:{n}: offsets must be numbers", file.display());
            return ExitCode::from(USAGE);
        };
        match ws.add_span(doc, annotator, start..end, label) {
            // Already there: a line applied just before an earlier run was killed.
            Ok(_) | Err(crate::core::workspace::WorkspaceError::AlreadyAnnotated { .. }) => {}
            Err(err) => {
                eprintln!("error: {}:{n}: {err}", file.display());
                return ExitCode::FAILURE;
            }
        }
        if let Some(err) = ws.journal_error() {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
        if writeln!(out, "ack {n}").and_then(|()| out.flush()).is_err() {
            return ExitCode::FAILURE;
        }
        if save_every > 0 && n % save_every == 0 {
            for err in ws.save().errors {
                eprintln!("error: {err}");
            }
        }
        if delay_ms > 0 {
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        }
    }
    ExitCode::SUCCESS
}

fn validate_cmd(project: &Path) -> ExitCode {
    let project = match Project::open(project) {
        Ok(p) => p,
        Err(err @ (ProjectError::NotAProject { .. } | ProjectError::Io { .. })) => {
            eprintln!("error: {err}");
            return ExitCode::from(USAGE);
        }
        Err(err) => {
            println!("{err}");
            return ExitCode::FAILURE;
        }
    };
    let problems = validate::validate(&project);
    for problem in &problems {
        println!("{problem}");
    }
    let annotations: usize = project
        .layers
        .values()
        .map(crate::core::AnnotationLayer::len)
        .sum();
    if problems.is_empty() {
        eprintln!(
            "OK: {} documents, {} annotation files, {annotations} annotations.",
            project.documents.len(),
            project.layers.len()
        );
        ExitCode::SUCCESS
    } else {
        eprintln!("{} problems found.", problems.len());
        ExitCode::FAILURE
    }
}

fn search_cmd(
    project: &Path,
    query: &crate::core::search::Query,
    max: usize,
    json: bool,
) -> ExitCode {
    use crate::core::search::{SearchEvent, search_corpus};
    let pattern = match query.compile() {
        Ok(p) => p,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(USAGE);
        }
    };
    let project = match crate::core::Project::scan(project) {
        Ok(p) => p,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(USAGE);
        }
    };
    let documents: Vec<(String, PathBuf)> = project
        .documents
        .iter()
        .map(|d| (d.path.clone(), project.document_file(&d.path)))
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = false;
    let never = std::sync::atomic::AtomicBool::new(false);
    let summary = search_corpus(
        &documents,
        &pattern,
        max,
        &never,
        &mut |event| match event {
            SearchEvent::Hits(hits) => {
                for h in hits {
                    let line = if json {
                        serde_json::to_string(&h).unwrap_or_default()
                    } else {
                        format!(
                            "{}:{}:{}: {}[{}]{}",
                            h.document, h.line, h.column, h.before, h.matched, h.after
                        )
                    };
                    failed |= writeln!(out, "{line}").is_err();
                }
                // Each document's matches as soon as they are found.
                failed |= out.flush().is_err();
            }
            SearchEvent::Unreadable { document, message } => {
                eprintln!("warning: {document}: {message}");
            }
            SearchEvent::Searched(_) | SearchEvent::Done(_) => {}
        },
    );
    if failed {
        eprintln!("error: cannot write to standard output");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "{} matches in {} documents searched{}",
        summary.hits,
        summary.searched,
        if summary.truncated {
            format!(" (stopped at --max {max})")
        } else {
            String::new()
        }
    );
    if summary.hits == 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn metadata_cmd(project: &Path, import: Option<&Path>, export: Option<&Path>) -> ExitCode {
    let workspace = match open_read_only(project) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let mut metadata = workspace.project.metadata.clone();
    if let Some(file) = import {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(err) => {
                eprintln!("error: cannot read {}: {err}", file.display());
                return ExitCode::from(USAGE);
            }
        };
        let rows = match metadata.merge_csv(text.trim_start_matches('\u{feff}')) {
            Ok(rows) => rows,
            Err(err) => {
                eprintln!("error: {}: {err}", file.display());
                return ExitCode::FAILURE;
            }
        };
        let unknown: Vec<&String> = metadata
            .documents()
            .keys()
            .filter(|d| workspace.project.document(d).is_none())
            .collect();
        for d in &unknown {
            eprintln!("warning: {d} is not a document of the project (its row is kept)");
        }
        let path = project.join(crate::core::metadata::METADATA_FILE);
        if let Err(err) = crate::core::project::write_atomic(&path, metadata.to_json().as_bytes()) {
            eprintln!("error: cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
        println!("{rows} rows read into {}", path.display());
    } else if let Some(file) = export {
        if let Err(err) = crate::core::project::write_atomic(file, metadata.to_csv().as_bytes()) {
            eprintln!("error: cannot write {}: {err}", file.display());
            return ExitCode::FAILURE;
        }
        println!(
            "{} documents' metadata written to {}",
            metadata.documents().len(),
            file.display()
        );
    } else {
        for doc in &workspace.project.documents {
            let m = metadata.get(&doc.path).cloned().unwrap_or_default();
            println!(
                "{}\t{}\t{}\t{}\t{}",
                doc.path, m.date, m.source, m.title, m.section
            );
        }
    }
    let_the_os_free(workspace);
    ExitCode::SUCCESS
}

fn network_cmd(options: &NetworkOptions) -> ExitCode {
    use crate::core::network::{
        self, Aggregation, Duplicates, Normalization, TwoModeAggregation, TwoModeNormalization,
    };
    let workspace = match open_read_only(&options.project) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let project = &workspace.project;
    let annotator = options
        .annotator
        .clone()
        .unwrap_or_else(|| crate::core::project::CURATED.to_owned());
    if !project.layers.keys().any(|k| k.annotator == annotator) {
        eprintln!(
            "error: no layer of {annotator} in {} (choose one with --annotator)",
            options.project.display()
        );
        return ExitCode::from(USAGE);
    }
    // The qualifier and its levels come from the schema (the claim label's `stance`).
    let qualifier = "stance";
    let levels = project
        .schema()
        .get("claim")
        .and_then(|l| l.attributes.iter().find(|a| a.name == qualifier))
        .map(|a| a.levels.clone())
        .unwrap_or_default();
    if levels.is_empty() {
        eprintln!(
            "error: the claim attribute \"{qualifier}\" has no levels in the schema (e.g. \"levels\": {{\"support\": 1, \"neutral\": 0, \"oppose\": -1}} in tagdesk.json)"
        );
        return ExitCode::from(USAGE);
    }
    let coding = network::statements::Coding {
        annotator,
        claim_label: "claim".to_owned(),
        said_by: "said_by".to_owned(),
        qualifier: qualifier.to_owned(),
        levels: levels.clone(),
    };
    let extracted = network::statements::statements(project, &coding);
    for (why, n) in &extracted.skipped {
        eprintln!("note: {n} claim(s) left out: {why}");
    }
    let statements = network::deduplicate(
        &extracted.statements,
        match options.duplicates {
            NetworkDuplicates::All => Duplicates::All,
            NetworkDuplicates::Document => Duplicates::PerDocument,
            NetworkDuplicates::Week => Duplicates::PerWeek,
            NetworkDuplicates::Month => Duplicates::PerMonth,
            NetworkDuplicates::Year => Duplicates::PerYear,
            NetworkDuplicates::Once => Duplicates::Once,
        },
    );
    let one_mode = options.mode == NetworkMode::Onemode;
    let matrix = if one_mode {
        let aggregation = match options.aggregation {
            NetworkAggregation::Congruence => Aggregation::Congruence,
            NetworkAggregation::Conflict => Aggregation::Conflict,
            NetworkAggregation::Subtract => Aggregation::Subtract,
            NetworkAggregation::Ignore => Aggregation::Ignore,
            NetworkAggregation::Combine => {
                eprintln!("error: --aggregation combine is for --mode twomode");
                return ExitCode::from(USAGE);
            }
        };
        let normalization = match options.normalization {
            NetworkNormalization::No => Normalization::None,
            NetworkNormalization::Average => Normalization::Average,
            NetworkNormalization::Jaccard => Normalization::Jaccard,
            NetworkNormalization::Cosine => Normalization::Cosine,
            NetworkNormalization::DnaCosine => Normalization::DnaCosine,
            NetworkNormalization::Activity | NetworkNormalization::Prominence => {
                eprintln!("error: activity and prominence normalise two-mode networks");
                return ExitCode::from(USAGE);
            }
        };
        network::one_mode(
            &statements,
            &network::Levels::new(levels.values().copied()),
            aggregation,
            normalization,
        )
    } else {
        let aggregation = match options.aggregation {
            NetworkAggregation::Ignore => TwoModeAggregation::Ignore,
            NetworkAggregation::Subtract => TwoModeAggregation::Subtract,
            NetworkAggregation::Combine => TwoModeAggregation::Combine,
            NetworkAggregation::Congruence | NetworkAggregation::Conflict => {
                eprintln!("error: congruence and conflict are one-mode aggregations");
                return ExitCode::from(USAGE);
            }
        };
        let normalization = match options.normalization {
            NetworkNormalization::No => TwoModeNormalization::None,
            NetworkNormalization::Activity => TwoModeNormalization::Activity,
            NetworkNormalization::Prominence => TwoModeNormalization::Prominence,
            _ => {
                eprintln!("error: two-mode networks normalise by activity or prominence");
                return ExitCode::from(USAGE);
            }
        };
        network::two_mode(&statements, aggregation, normalization)
    };
    let text = match options.format {
        NetworkFormat::Graphml => network::write::graphml(&matrix, one_mode),
        NetworkFormat::Csv => network::write::csv_matrix(&matrix),
    };
    match &options.output {
        Some(path) => {
            if let Err(err) = crate::core::project::write_atomic(path, text.as_bytes()) {
                eprintln!("error: cannot write {}: {err}", path.display());
                return ExitCode::FAILURE;
            }
            eprintln!(
                "{} statements, {} × {} network written to {}",
                statements.len(),
                matrix.rows.len(),
                matrix.columns.len(),
                path.display()
            );
        }
        None => print!("{text}"),
    }
    let_the_os_free(workspace);
    ExitCode::SUCCESS
}

fn entities_cmd(project: &Path, json: bool) -> ExitCode {
    #[derive(serde::Serialize)]
    struct Row<'a> {
        #[serde(flatten)]
        entity: &'a crate::core::entities::Entity,
        spans: usize,
    }
    let workspace = match open_read_only(project) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let usage = workspace.entity_usage();
    let rows: Vec<Row> = workspace
        .project
        .entities
        .entities()
        .iter()
        .map(|entity| Row {
            entity,
            spans: usage.get(&entity.id).copied().unwrap_or(0),
        })
        .collect();
    if json {
        println!("{}", crate::core::project::to_pretty_json(&rows).trim_end());
    } else if rows.is_empty() {
        println!("No entities yet: link a span to one in the window (the Entity field).");
    } else {
        for row in &rows {
            let e = row.entity;
            let mut line = format!(
                "{}\t{}\t{}\t{} spans",
                e.id,
                e.kind.as_str(),
                e.name,
                row.spans
            );
            if !e.aliases.is_empty() {
                let _ = write!(line, "\taka {}", e.aliases.join(", "));
            }
            for (name, value) in &e.attributes {
                let _ = write!(line, "\t{name}={value}");
            }
            println!("{line}");
        }
    }
    let_the_os_free(workspace);
    ExitCode::SUCCESS
}

fn stats_cmd(project: &Path, json: bool) -> ExitCode {
    let workspace = match open_read_only(project) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let stats = stats::project_stats(&workspace.project);
    if json {
        println!(
            "{}",
            crate::core::project::to_pretty_json(&stats).trim_end()
        );
        let_the_os_free(workspace);
        return ExitCode::SUCCESS;
    }
    println!(
        "{}: {} documents, {} annotations",
        stats.name, stats.documents, stats.annotations
    );
    let labels: Vec<&String> = workspace
        .project
        .schema()
        .labels
        .iter()
        .map(|l| &l.name)
        .chain(
            stats
                .annotators
                .iter()
                .flat_map(|a| a.per_label.keys())
                .filter(|k| workspace.project.schema().get(k).is_none()),
        )
        .collect();
    let mut header = format!("{:<20} {:>6} {:>6}", "annotator", "docs", "done");
    for label in &labels {
        let _ = write!(header, " {label:>12}");
    }
    let _ = write!(header, " {:>8}", "total");
    println!("{header}");
    for a in &stats.annotators {
        let mut row = format!("{:<20} {:>6} {:>6}", a.annotator, a.documents, a.done);
        for label in &labels {
            let _ = write!(
                row,
                " {:>12}",
                a.per_label.get(*label).copied().unwrap_or(0)
            );
        }
        let _ = write!(row, " {:>8}", a.annotations);
        println!("{row}");
    }
    let_the_os_free(workspace);
    ExitCode::SUCCESS
}
