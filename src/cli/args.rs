//! The command line's arguments: clap's types, from which the help, man pages and completions
//! are generated too.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::formats::Format;

/// `--format` (and `--from`, `--to`): one of `names`, parsed to its [`Format`] by clap, which
/// lists the names in the help and the completions and refuses any other.
fn format_parser(names: Vec<&'static str>) -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(names)
        // A name clap accepted is a format's name.
        .map(|name| Format::from_name(&name).unwrap_or(Format::Jsonl))
}

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
        /// Output format (brat and webanno-tsv write a folder; dna a DNA 3 database, -o FILE).
        #[arg(long, value_parser = format_parser(Format::names()))]
        format: Format,
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
        #[arg(long, value_parser = format_parser(Format::import_names()))]
        format: Format,
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
        /// A file, or a folder (brat, webanno-tsv); a `.dna` database for `--format dna`.
        input: PathBuf,
    },
    /// Convert annotations between formats without a project.
    Convert {
        #[arg(long, value_parser = format_parser(Format::import_names()))]
        from: Format,
        #[arg(long, value_parser = format_parser(Format::names()))]
        to: Format,
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
        /// A project; with --format, an input in that format instead (agreement straight from
        /// another tool's files, no project written).
        project: PathBuf,
        /// Comma-separated; by default every annotator (`_curated` is the curated layer).
        #[arg(long, value_delimiter = ',')]
        annotators: Vec<String>,
        /// Read PROJECT as an input in this format (brat, webanno-tsv, jsonl …).
        #[arg(long, value_parser = format_parser(Format::import_names()))]
        format: Option<Format>,
        /// With --format: the input has one folder per annotator, named after them (the layout
        /// brat-iaa reads).
        #[arg(long, requires = "format")]
        annotator_folders: bool,
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
    /// Suggestions that learn from the project's coding: `--evaluate` cross-validates the span
    /// recommender (a CRF trained on the annotator's spans) by document and prints precision,
    /// recall and F1 per label and micro-averaged, beside today's string-matching suggestions
    /// on the same folds.
    Suggest(SuggestOptions),
    /// Put tagdesk in the desktop's applications menu, with its icon, and make a double-click on
    /// a project's tagdesk.json open it (freedesktop.org; per user unless --system); or take it
    /// out again.
    Desktop {
        #[arg(value_enum)]
        action: super::desktop::DesktopAction,
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
    /// Sources as analysts get them: Word (.docx), RTF, PDF, `OpenDocument` (.odt), EPUB, HTML, text,
    /// and news-database batches (Nexis, Nexis Uni, Factiva) split into one article each with its
    /// outlet, date, headline and byline. `inspect` shows what a file would make; `add` makes
    /// the documents in a project.
    Sources {
        #[command(subcommand)]
        action: SourcesAction,
    },
    /// Team work through git: share the project to a remote, join one, sync (commit, take in
    /// colleagues' work merged by meaning, send), status. Uses the `git` on this machine, with
    /// its credentials.
    Team {
        #[command(subcommand)]
        action: TeamAction,
    },
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

fn confidence(s: &str) -> Result<f64, String> {
    let x: f64 = s
        .parse()
        .map_err(|_| format!("\"{s}\" is not a number between 0 and 1"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("{x} is not between 0 and 1"))
    }
}

#[derive(Debug, clap::Args)]
pub struct SuggestOptions {
    pub project: PathBuf,
    /// Cross-validate the recommenders: precision, recall and F1 per label.
    #[arg(
        long,
        required_unless_present = "apply_to",
        conflicts_with = "apply_to"
    )]
    pub evaluate: bool,
    /// Train on the annotator's coding and add what the model finds in these documents to
    /// their layer, as one step (repeatable; a document's path in the project, or `uncoded`
    /// for every document they have not coded).
    #[arg(long = "apply-to", value_name = "DOCUMENT")]
    pub apply_to: Vec<String>,
    /// With --apply-to: only what the model is at least this sure of (0–1).
    #[arg(long, default_value_t = 0.5, value_parser = confidence)]
    pub min_confidence: f64,
    /// With --apply-to: print what would be added; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Whose coding to learn from and measure against (needed when the project has several
    /// annotators).
    #[arg(long)]
    pub annotator: Option<String>,
    /// The labels to learn (repeatable; default: every label the annotator coded).
    #[arg(long = "label")]
    pub labels: Vec<String>,
    /// Folds of the cross-validation (documents go round-robin into them, by path).
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct NetworkOptions {
    pub project: PathBuf,
    /// The layer to read (an annotator, `_curated`, or `all`: every annotator's statements, as
    /// DNA counts every coder's); by default the curated layer, or every coder's in a project
    /// imported from DNA.
    #[arg(long)]
    pub annotator: Option<String>,
    #[arg(long, value_enum, default_value = "onemode")]
    pub mode: NetworkMode,
    /// onemode: congruence (the default), conflict, subtract, ignore; twomode: ignore (the
    /// default, as DNA), subtract, combine.
    #[arg(long, value_enum)]
    pub aggregation: Option<NetworkAggregation>,
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
    /// The label whose spans are the statements (default `claim`; `DNA Statement` in a
    /// project imported from DNA); a schema may code several kinds of claim under their own
    /// labels.
    #[arg(long, value_name = "LABEL")]
    pub claim_label: Option<String>,
    /// The statements' qualifier attribute (default `stance`; `agreement` from DNA).
    #[arg(long, value_name = "ATTRIBUTE")]
    pub qualifier: Option<String>,
    /// The relation from a statement to its actor (default `said_by`; from DNA, the variable:
    /// `organization`, `person` … — DNA's variable 1).
    #[arg(long, value_name = "RELATION")]
    pub actor_relation: Option<String>,
    /// Where a statement's second mode is (default: the statement's own entity, its concept):
    /// the entity of the span this relation points to — DNA's variable 2 as any variable, e.g.
    /// `--actor-relation person --concept-relation organization`.
    #[arg(long, value_name = "RELATION")]
    pub concept_relation: Option<String>,
    /// One network per time window of this length (`30d`, `2w`, `3m`, `1y`: months and years
    /// are calendar months, as DNA's), written as one dynamic GEXF
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
    pub(super) labels: Vec<String>,
    /// How texts are cut into tokens for the token measures.
    #[arg(long, value_enum, default_value_t = TokensArg::Whitespace)]
    pub(super) tokens: TokensArg,
    /// Print JSON instead of tables.
    #[arg(long, conflicts_with = "csv")]
    pub(super) json: bool,
    /// Print CSV (one row per figure) instead of tables.
    #[arg(long)]
    pub(super) csv: bool,
    /// Leave out annotation files that cannot be read (each is named) instead of failing.
    #[arg(long)]
    pub(super) skip_broken: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(super) enum TokensArg {
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

#[derive(Debug, clap::Subcommand)]
pub enum SourcesAction {
    /// Shows, as a table, the documents each file would make (nothing is written).
    Inspect {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Converts the files and adds their documents to the project's source folder, with their
    /// metadata; duplicate articles are left out. All or nothing.
    Add {
        project: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Add articles flagged as duplicates of another too.
        #[arg(long)]
        keep_duplicates: bool,
    },
    /// Converts again the documents whose original changed since it was added (or that a newer
    /// converter reads): their texts are replaced (the old ones kept under
    /// `.tagdesk/replaced/`) and their spans re-anchored. All or nothing.
    Refresh {
        project: PathBuf,
        /// Show what would be converted again; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Convert every document again, even where the original and the converter are as
        /// recorded.
        #[arg(long)]
        force: bool,
    },
    /// (Internal) a PDF's text layer: the PDF on standard input, the text on standard
    /// output, under a memory limit. Run by tagdesk itself, so a hostile PDF stays apart.
    #[command(hide = true)]
    PdfText,
}

#[derive(Debug, clap::Subcommand)]
pub enum TeamAction {
    /// Makes the project a git repository (or uses the one it is in), commits it, and sends it
    /// to REMOTE (a URL or a path to a bare repository) when given.
    Share {
        project: PathBuf,
        #[arg(long)]
        remote: Option<String>,
        /// Who commits (default: git's user.name, else the login name).
        #[arg(long)]
        annotator: Option<String>,
    },
    /// Clones a shared project into DIR (default: the data folder, named after the URL).
    Join { url: String, dir: Option<PathBuf> },
    /// Saves, commits your changes, takes in colleagues' work (merged by meaning) and sends.
    Sync {
        project: PathBuf,
        #[arg(long)]
        annotator: Option<String>,
    },
    /// Local changes, commits to send, commits to take in, the last sync, choices waiting.
    Status {
        project: PathBuf,
        /// Do not ask the remote (what was known at the last sync).
        #[arg(long)]
        offline: bool,
    },
    /// Who changed a document's annotations, when, and what (from the commits).
    History { project: PathBuf, document: String },
    /// Settles a change both sides made differently: CHOICE is its number in `status`.
    Choose {
        project: PathBuf,
        choice: usize,
        #[arg(value_enum)]
        take: Side,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Side {
    Ours,
    Theirs,
}
