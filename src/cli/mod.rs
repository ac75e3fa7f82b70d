//! Command-line interface: argument parsing and thin subcommands over `core` and `formats`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::core::project::{Project, ProjectError};
use crate::core::{Workspace, validate};
use crate::formats::{self, ExportFilter, Format};

mod analysis;
mod annotate;
mod desktop;
mod network;

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
        /// Leave out annotation files that cannot be read (each is named) instead of failing.
        #[arg(long)]
        skip_broken: bool,
    },
    /// Import annotations from another tool into the project, as one step (all or nothing).
    Import {
        project: PathBuf,
        #[arg(long, value_parser = Format::import_names())]
        format: String,
        /// Import into this annotator's layer; without it, each layer goes to the annotator the
        /// input names.
        #[arg(long, conflicts_with = "annotator_folders")]
        annotator: Option<String>,
        /// The input folder has one folder per annotator, named after them (as brat-iaa reads
        /// and tagdesk exports several annotators): `Lisa/a.ann`, `Max/a.ann`, ...
        #[arg(long)]
        annotator_folders: bool,
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
        /// The input folder has one folder per annotator, named after them.
        #[arg(long)]
        annotator_folders: bool,
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
    /// Label every match of a pattern in every source text as one step (Ctrl+Z in the app
    /// undoes it): each match snapped to whole words; matches the annotator already has (same
    /// extent, same label) or that overlap one of their spans are left out. Exit 0, or 1 when
    /// nothing matched.
    Annotate(AnnotateOptions),
    /// Put tagdesk in the desktop's applications menu, with its icon, and make a double-click on
    /// a project's tagdesk.json open it (freedesktop.org; per user unless --system); or take it
    /// out again.
    Desktop {
        #[arg(value_enum)]
        action: desktop::DesktopAction,
        /// For every user (under /usr/local/share; needs the rights to write there).
        #[arg(long)]
        system: bool,
    },
    /// Print the shell completion script (bash, zsh, fish, elvish, powershell), e.g.
    /// `tagdesk completions bash > ~/.local/share/bash-completion/completions/tagdesk`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the man pages (tagdesk.1 and one per subcommand, tagdesk-export.1 …) into a folder,
    /// e.g. `tagdesk manpage ~/.local/share/man/man1`; without a folder, print tagdesk.1.
    Manpage { folder: Option<PathBuf> },
    /// Documents, and annotations per label per annotator.
    Stats {
        project: PathBuf,
        /// Leave out annotation files that cannot be read (each is named) instead of failing.
        #[arg(long)]
        skip_broken: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// A discourse network from the coded statements (claims linked to concepts, their stance,
    /// the actors who said them) and observed conflicts (disagreements `between` actors):
    /// actor × actor, actor × concept, or the events table; for Gephi, networkx, igraph or
    /// UCINET (`GraphML`, GEXF, CSV matrix, node and edge tables, DL).
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
    /// spans link to it; or exchanged as CSV (`id,kind,name,aliases,<attribute>…`, aliases
    /// separated by ` | `; a row with a known id replaces that entity, a new or empty id adds
    /// one).
    Entities {
        project: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Read this CSV into the registry (one undo step in the app's history).
        #[arg(long, value_name = "FILE.csv", conflicts_with = "export")]
        import: Option<PathBuf>,
        /// Write the registry to this CSV file.
        #[arg(long, value_name = "FILE.csv")]
        export: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
#[expect(clippy::struct_excessive_bools, reason = "command-line flags")]
pub struct AnnotateOptions {
    pub project: PathBuf,
    #[arg(long)]
    pub annotator: String,
    #[arg(long)]
    pub label: String,
    /// What to look for (literal text unless --regex).
    #[arg(long, required_unless_present = "literal", conflicts_with = "literal")]
    pub pattern: Option<String>,
    /// Literal text to look for.
    #[arg(long)]
    pub literal: Option<String>,
    /// --pattern is a regular expression (Rust regex syntax).
    #[arg(long)]
    pub regex: bool,
    /// Upper and lower case differ.
    #[arg(long)]
    pub case_sensitive: bool,
    /// Link every new span to this entity (its id; see `tagdesk entities`).
    #[arg(long)]
    pub entity: Option<String>,
    /// Also label matches that overlap a span the annotator already has (left out by
    /// default, as the app leaves them unticked).
    #[arg(long)]
    pub include_overlapping: bool,
    /// Print what would be added; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print JSON instead of lines.
    #[arg(long)]
    pub json: bool,
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
    /// Only statements dated on or after this day (YYYY-MM-DD, the document's date).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only statements dated on or before this day.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only actors whose entity has this attribute value, e.g. `type=government`
    /// (repeat: all must hold).
    #[arg(long = "attribute", value_name = "KEY=VALUE")]
    pub attributes: Vec<String>,
    /// Leave out nodes without a tie.
    #[arg(long)]
    pub drop_isolates: bool,
    /// The label whose spans are the statements (default `claim`); a schema may code several
    /// kinds of claim under their own labels.
    #[arg(long, value_name = "LABEL", default_value = "claim")]
    pub claim_label: String,
    /// One network per time window of this length (`30d`, `2w`), written as one dynamic GEXF
    /// (--format gexf) or one file per window named after its first day.
    #[arg(long, value_name = "LENGTH", requires = "output")]
    pub window: Option<String>,
    /// How far each window starts after the one before (default: the window's length).
    #[arg(long, value_name = "LENGTH", requires = "window")]
    pub step: Option<String>,
    /// Where to write (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Leave out annotation files that cannot be read (each is named) instead of failing.
    #[arg(long)]
    pub skip_broken: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NetworkMode {
    /// Actor × actor.
    Onemode,
    /// Actor × concept.
    Twomode,
    /// One row per statement and observed conflict (CSV; lossless).
    Events,
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
    Gexf,
    /// The weight matrix.
    Csv,
    /// Gephi's node table.
    Nodes,
    /// Gephi's edge table.
    Edges,
    /// UCINET DL (full matrix).
    Dl,
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
    /// Leave out annotation files that cannot be read (each is named) instead of failing.
    #[arg(long)]
    skip_broken: bool,
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
            skip_broken,
        } => export(&project, &format, annotator, output.as_deref(), skip_broken),
        Command::Import {
            project,
            format,
            annotator,
            annotator_folders,
            add_documents,
            add_labels,
            input,
        } => import(
            &project,
            &format,
            &input,
            annotator_folders,
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
            annotator_folders,
            output,
        } => convert(&from, &to, &input, annotator_folders, &output),
        Command::Validate { project, write } => {
            if write && let Err(code) = reanchor_all(&project) {
                return code;
            }
            validate_cmd(&project)
        }
        Command::Stats {
            project,
            json,
            skip_broken,
        } => analysis::stats_cmd(&project, json, skip_broken),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "tagdesk", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Manpage { folder } => manpage(folder.as_deref()),
        Command::Desktop { action, system } => desktop::desktop_cmd(action, system),
        Command::Entities {
            project,
            json,
            import,
            export,
        } => match (import, export) {
            (Some(file), _) => analysis::entities_import(&project, &file),
            (None, Some(file)) => analysis::entities_export(&project, &file),
            (None, None) => analysis::entities_cmd(&project, json),
        },
        Command::Network(options) => network::network_cmd(&options),
        Command::Annotate(options) => annotate::annotate_cmd(&options),
        Command::Metadata {
            project,
            import,
            export,
        } => analysis::metadata_cmd(&project, import.as_deref(), export.as_deref()),
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
        } => analysis::agree(&project, annotators, &options),
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

/// `tagdesk manpage [FOLDER]`.
fn manpage(folder: Option<&Path>) -> ExitCode {
    let command = <Cli as clap::CommandFactory>::command();
    let Some(folder) = folder else {
        let mut out = Vec::new();
        if clap_mangen::Man::new(command).render(&mut out).is_err() {
            return ExitCode::FAILURE;
        }
        print!("{}", String::from_utf8_lossy(&out));
        return ExitCode::SUCCESS;
    };
    if let Err(err) = std::fs::create_dir_all(folder) {
        eprintln!("error: cannot make {}: {err}", folder.display());
        return ExitCode::FAILURE;
    }
    let mut written = 0;
    let mut pages = vec![("tagdesk".to_owned(), command.clone())];
    pages.extend(command.get_subcommands().map(|s| {
        (
            format!("tagdesk-{}", s.get_name()),
            s.clone().name(format!("tagdesk-{}", s.get_name())),
        )
    }));
    for (name, page) in pages {
        let mut out = Vec::new();
        if let Err(err) = clap_mangen::Man::new(page).render(&mut out) {
            eprintln!("error: {name}: {err}");
            return ExitCode::FAILURE;
        }
        let path = folder.join(format!("{name}.1"));
        if let Err(err) = crate::core::project::write_atomic(&path, &out) {
            eprintln!("error: cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
        written += 1;
    }
    println!("{written} man pages written to {}", folder.display());
    ExitCode::SUCCESS
}

pub(super) fn open(project: &Path) -> Result<Workspace, ExitCode> {
    Workspace::open(project)
        .map(warn_of_opening)
        .map_err(|err| {
            eprintln!("error: {err}");
            ExitCode::from(USAGE)
        })
}

/// Says what opening found and did (a crash-interrupted save finished, a file whose name and
/// content disagree).
fn warn_of_opening(ws: Workspace) -> Workspace {
    for warning in &ws.project.warnings {
        eprintln!("warning: {warning}");
    }
    ws
}

/// For commands that only read the project (faster: annotation files are not hashed).
/// A command about to end hands its (read-only) project to the OS, which takes the memory back
/// in one go: freeing a million annotations one by one costs a tenth of a second.
fn let_the_os_free(workspace: Workspace) {
    std::mem::forget(workspace);
}

fn open_read_only(project: &Path) -> Result<Workspace, ExitCode> {
    Workspace::open_read_only(project)
        .map(warn_of_opening)
        .map_err(|err| {
            eprintln!("error: {err}");
            ExitCode::from(USAGE)
        })
}

/// [`open_read_only`] for a command that reports on the annotations (export, stats, network):
/// an annotation file that cannot be read fails it, each named, unless `skip_broken` (then each
/// is named as left out).
fn open_to_report(project: &Path, skip_broken: bool) -> Result<Workspace, ExitCode> {
    let workspace = open_read_only(project)?;
    let broken: Vec<String> = workspace
        .project
        .layer_errors
        .iter()
        .map(|e| e.message.clone())
        .collect();
    check_broken(&broken, skip_broken)?;
    Ok(workspace)
}

/// Names each unreadable annotation file: as an error (and fails) or, with `skip_broken`, as
/// left out.
fn check_broken(broken: &[String], skip_broken: bool) -> Result<(), ExitCode> {
    if broken.is_empty() {
        return Ok(());
    }
    let kind = if skip_broken { "warning" } else { "error" };
    for message in broken {
        eprintln!("{kind}: {message}");
    }
    if skip_broken {
        eprintln!(
            "warning: {} annotation file(s) left out (--skip-broken)",
            broken.len()
        );
        return Ok(());
    }
    eprintln!(
        "error: {} annotation file(s) cannot be read, so the result would be incomplete; \
         nothing was written. Fix them (`tagdesk validate` names the place) or pass \
         --skip-broken to leave them out.",
        broken.len()
    );
    Err(ExitCode::FAILURE)
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
    skip_broken: bool,
) -> ExitCode {
    let Some(format) = Format::from_name(format) else {
        eprintln!("error: unknown format {format}");
        return ExitCode::from(USAGE);
    };
    let mut workspace = match open_to_report(project, skip_broken) {
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
    let result = match output {
        Some(path) => {
            formats::export::export_to_path(&mut workspace, format, &filter, path, &|_, _| {})
        }
        None => write_output(format, None, |sink| {
            formats::export(&mut workspace, format, &filter, sink).map_err(|e| e.to_string())
        }),
    };
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

/// Runs `write` on the right sink: a folder for folder formats (which need `--output`; one
/// that did not exist is removed again if writing fails), else a temporary file put in place
/// only when complete, or standard output.
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
        return formats::export::into_folder(dir, || {
            write(formats::Sink::Folder(dir.to_path_buf()))
        });
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
    annotator_folders: bool,
    options: &formats::import::ImportOptions,
) -> ExitCode {
    let Some(format) = Format::from_name(format) else {
        eprintln!("error: unknown format {format}");
        return ExitCode::from(USAGE);
    };
    // The input first: it says whose layers the import writes, and only those are opened.
    let corpus = match formats::read(format, input).and_then(|mut corpus| {
        if annotator_folders {
            formats::annotators_from_folders(&mut corpus)?;
        }
        Ok(corpus)
    }) {
        Ok(corpus) => corpus,
        Err(err) => {
            eprintln!("error: nothing was imported:\n{err}");
            return ExitCode::FAILURE;
        }
    };
    let mut annotators: Vec<String> = match &options.annotator {
        Some(a) => vec![a.clone()],
        None => corpus
            .documents
            .iter()
            .flat_map(|d| &d.layers)
            .filter_map(|l| l.annotator.clone())
            .collect(),
    };
    annotators.sort();
    annotators.dedup();
    let mut workspace = match Workspace::open_annotators(project, &annotators).map(warn_of_opening)
    {
        Ok(ws) => ws,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(USAGE);
        }
    };
    let recovered = workspace.recover();
    for message in recovered {
        eprintln!("{message}");
    }
    // The import is saved right below as one commit (all the files or none, across a crash):
    // that is its crash safety, so no journal.
    workspace.save_each_step_at_once();
    let plan = match formats::import::plan(&mut workspace, corpus, options) {
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
    let_the_os_free(workspace);
    if saved.errors.is_empty() {
        eprintln!("{}", report.summary());
        return ExitCode::SUCCESS;
    }
    for err in &saved.errors {
        eprintln!("error: {err}");
    }
    // Never a success line after a failure: say what is on disk.
    if saved.saved.is_empty() {
        eprintln!("error: nothing was imported (no file could be written)");
    } else {
        eprintln!(
            "error: the import was saved only in part: {} file(s) written, {} not; run it \
             again once the problem is fixed",
            saved.saved.len(),
            saved.errors.len()
        );
    }
    ExitCode::FAILURE
}

fn convert(from: &str, to: &str, input: &Path, annotator_folders: bool, output: &Path) -> ExitCode {
    let (Some(from), Some(to)) = (Format::from_name(from), Format::from_name(to)) else {
        eprintln!("error: unknown format");
        return ExitCode::from(USAGE);
    };
    let mut warnings = Vec::new();
    let result = write_output(to, Some(output), |sink| {
        let report = formats::convert(from, input, annotator_folders, to, sink)?;
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
    // A stand-in for a window annotating: it holds the annotator as a window does.
    let _lock = match crate::core::lock::AnnotatorLock::acquire(&ws.project.root, annotator) {
        Ok(lock) => lock,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
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
