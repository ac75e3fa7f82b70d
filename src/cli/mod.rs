//! Command-line interface: argument parsing and thin subcommands over `core` and `formats`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::core::project::{Project, ProjectError};
use crate::core::{Workspace, validate};
use crate::formats;

mod analysis;
mod annotate;
mod args;
mod desktop;
mod import_folders;
mod interchange;
mod network;
mod sources;
mod suggest;
mod suggest_apply;
mod team;

pub use args::*;
use interchange::{convert, export, import};

/// Exit status for "the command could not run as asked" (as clap uses for bad arguments).
const USAGE: u8 = 2;

/// Why a command ends unsuccessfully. Every command returns `Result<(), CliError>` and uses `?`;
/// [`run`] prints the message and picks the exit status in one place.
#[derive(Debug)]
pub enum CliError {
    /// The command could not run as asked (bad input, not a project): exit status 2.
    Usage(String),
    /// The command ran and failed: exit status 1.
    Failed(String),
    /// Failed, and what went wrong was printed already (a list of problems, no match): 1.
    Reported,
    /// Could not run as asked, and it was printed already: 2.
    ReportedUsage,
}

impl CliError {
    fn usage(message: impl std::fmt::Display) -> Self {
        Self::Usage(message.to_string())
    }

    fn failed(message: impl std::fmt::Display) -> Self {
        Self::Failed(message.to_string())
    }

    /// Prints the message (if not printed yet) and gives the exit status.
    fn report(self) -> ExitCode {
        match self {
            Self::Usage(message) => {
                eprintln!("error: {message}");
                ExitCode::from(USAGE)
            }
            Self::Failed(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
            Self::Reported => ExitCode::FAILURE,
            Self::ReportedUsage => ExitCode::from(USAGE),
        }
    }
}

/// Runs a subcommand; prints its errors.
pub fn run(command: Command) -> ExitCode {
    match dispatch(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => err.report(),
    }
}

fn dispatch(command: Command) -> Result<(), CliError> {
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
        } => export(&project, format, annotator, output.as_deref(), skip_broken),
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
            format,
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
        } => convert(from, to, &input, annotator_folders, &output),
        Command::Validate { project, write } => {
            if write {
                reanchor_all(&project)?;
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
            Ok(())
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
        Command::Sources { action } => sources::sources_cmd(action),
        Command::Team { action } => team::team_cmd(action),
        Command::Annotate(options) => annotate::annotate_cmd(&options),
        Command::Suggest(options) if !options.apply_to.is_empty() => {
            suggest_apply::apply_cmd(&options)
        }
        Command::Suggest(options) => suggest::suggest_cmd(&options),
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
            format: Some(format),
            annotator_folders,
            options,
        } => analysis::agree_from(&project, format, annotator_folders, annotators, &options),
        Command::Agree {
            project,
            annotators,
            format: None,
            options,
            ..
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
fn manpage(folder: Option<&Path>) -> Result<(), CliError> {
    let command = <Cli as clap::CommandFactory>::command();
    let Some(folder) = folder else {
        let mut out = Vec::new();
        if clap_mangen::Man::new(command).render(&mut out).is_err() {
            return Err(CliError::Reported);
        }
        print!("{}", String::from_utf8_lossy(&out));
        return Ok(());
    };
    if let Err(err) = std::fs::create_dir_all(folder) {
        return Err(CliError::Failed(format!(
            "cannot make {}: {err}",
            folder.display()
        )));
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
            return Err(CliError::Failed(format!("{name}: {err}")));
        }
        let path = folder.join(format!("{name}.1"));
        if let Err(err) = crate::core::project::write_atomic(&path, &out) {
            return Err(CliError::Failed(format!(
                "cannot write {}: {err}",
                path.display()
            )));
        }
        written += 1;
    }
    println!("{written} man pages written to {}", folder.display());
    Ok(())
}

pub(super) fn open(project: &Path) -> Result<Workspace, CliError> {
    Workspace::open(project)
        .map(warn_of_opening)
        .map_err(CliError::usage)
}

/// Says what opening found and did (a crash-interrupted save finished, a file whose name and
/// content disagree).
fn warn_of_opening(ws: Workspace) -> Workspace {
    for warning in &ws.project().warnings {
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

fn open_read_only(project: &Path) -> Result<Workspace, CliError> {
    Workspace::open_read_only(project)
        .map(warn_of_opening)
        .map_err(CliError::usage)
}

/// [`open_read_only`] for a command that reports on the annotations (export, stats, network):
/// an annotation file that cannot be read fails it, each named, unless `skip_broken` (then each
/// is named as left out).
fn open_to_report(project: &Path, skip_broken: bool) -> Result<Workspace, CliError> {
    let workspace = open_read_only(project)?;
    let broken: Vec<String> = workspace
        .project()
        .layer_errors
        .iter()
        .map(|e| e.message.clone())
        .collect();
    check_broken(&broken, skip_broken)?;
    Ok(workspace)
}

/// What an import says once it is saved: its summary, or — never a success line after a
/// failure — each error and what is on disk. `nothing_saved` runs first when no file could be
/// written (to take back what the import did besides).
fn import_saved(
    summary: &str,
    saved: &crate::core::workspace::SaveReport,
    nothing_saved: impl FnOnce(),
) -> Result<(), CliError> {
    if saved.errors.is_empty() {
        eprintln!("{summary}");
        return Ok(());
    }
    eprintln!("{}", briefly(&saved.errors, "error: "));
    if saved.saved.is_empty() {
        nothing_saved();
        eprintln!("error: nothing was imported (no file could be written)");
    } else {
        eprintln!(
            "error: the import was saved only in part: {} file(s) written, {} not; run it \
             again once the problem is fixed",
            saved.saved.len(),
            saved.errors.len()
        );
    }
    Err(CliError::Reported)
}

/// The first ten of `lines`, each after `lead`, and how many more there are: a full disk
/// fails every one of an import's thousand files the same way, and a thousand lines bury
/// the cause.
pub(super) fn briefly(lines: &[String], lead: &str) -> String {
    const SHOWN: usize = 10;
    let mut out: Vec<String> = lines
        .iter()
        .take(SHOWN)
        .map(|l| format!("{lead}{l}"))
        .collect();
    if lines.len() > SHOWN {
        out.push(format!("{lead}… and {} more", lines.len() - SHOWN));
    }
    out.join("\n")
}

/// Names each unreadable annotation file: as an error (and fails) or, with `skip_broken`, as
/// left out.
fn check_broken(broken: &[String], skip_broken: bool) -> Result<(), CliError> {
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
    Err(CliError::failed(format!(
        "{} annotation file(s) cannot be read, so the result would be incomplete; \
         nothing was written. Fix them (`tagdesk validate` names the place) or pass \
         --skip-broken to leave them out.",
        broken.len()
    )))
}

fn init(dir: &Path, sources: Option<&Path>, name: Option<&str>) -> Result<(), CliError> {
    match Project::init(dir, sources, name) {
        Ok(project) => {
            println!(
                "Made project \"{}\" in {} with {} documents from {}.",
                project.name(),
                dir.display(),
                project.documents.len(),
                project.source_dir.display()
            );
            // Word files, batches and pages in the folder become documents once converted:
            // converted now (duplicate articles left out), all or nothing.
            let convertible = formats::sources::convertible_in(&project.source_dir);
            if !convertible.is_empty() {
                let converted = formats::sources::plan(&convertible)
                    .map_err(|e| e.to_string())
                    .and_then(|plan| {
                        let mut ws = crate::core::Workspace::new(project);
                        formats::sources::add(&mut ws, &plan, false).map(|n| (n, plan.len() - n))
                    });
                match converted {
                    Ok((added, left_out)) => println!(
                        "Converted {} source file(s) into {added} documents{}.",
                        convertible.len(),
                        if left_out > 0 {
                            format!(" ({left_out} duplicate articles left out)")
                        } else {
                            String::new()
                        }
                    ),
                    Err(e) => {
                        return Err(CliError::failed(format!(
                            "the project was made, but its source files were not converted: \
                             {e}. Nothing of them was added; fix or move that file and run \
                             `tagdesk sources add {} FILE…`.",
                            dir.display()
                        )));
                    }
                }
            }
            Ok(())
        }
        Err(err) => Err(CliError::usage(err)),
    }
}

/// Re-anchors these layers to their texts, saying what moved; `false` if one could not be.
pub(super) fn reanchor_layers(ws: &mut Workspace, keys: Vec<crate::core::LayerKey>) -> bool {
    let mut all = true;
    for key in keys {
        match ws.reanchor(&key) {
            Ok(Some(report)) => eprintln!(
                "{} ({}): spans re-anchored: {} unchanged, {} moved, {} need review",
                key.document,
                key.annotator,
                report.unchanged,
                report.moved.len(),
                report.needs_review.len()
            ),
            Ok(None) => {}
            Err(err) => {
                all = false;
                eprintln!(
                    "error: {} ({}): not re-anchored: {err}",
                    key.document, key.annotator
                );
            }
        }
    }
    all
}

fn reanchor_all(project: &Path) -> Result<(), CliError> {
    let mut ws = open(project)?;
    let keys: Vec<_> = ws.project().layers.keys().cloned().collect();
    reanchor_layers(&mut ws, keys);
    let report = ws.save();
    for err in &report.errors {
        eprintln!("error: {err}");
    }
    if report.errors.is_empty() {
        Ok(())
    } else {
        Err(CliError::Reported)
    }
}

fn script(
    project: &Path,
    file: &Path,
    annotator: &str,
    from: usize,
    save_every: usize,
    delay_ms: u64,
) -> Result<(), CliError> {
    let mut ws = open(project)?;
    // A stand-in for a window annotating: it holds the annotator as a window does.
    let _lock = match crate::core::lock::AnnotatorLock::acquire(&ws.project().root, annotator) {
        Ok(lock) => lock,
        Err(err) => {
            return Err(CliError::Failed(format!("{err}")));
        }
    };
    for line in ws.recover() {
        eprintln!("{line}");
    }
    let Ok(lines) = std::fs::read_to_string(file) else {
        return Err(CliError::Usage(format!("cannot read {}", file.display())));
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
            return Err(CliError::Usage(format!(
                "{}:{n}: expected `add DOC START END LABEL`",
                file.display()
            )));
        };
        let (Ok(start), Ok(end)) = (start.parse::<usize>(), end.parse::<usize>()) else {
            return Err(CliError::Usage(format!(
                "{}:{n}: offsets must be numbers",
                file.display()
            )));
        };
        match ws.add_span(doc, annotator, start..end, label) {
            // Already there: a line applied just before an earlier run was killed.
            Ok(_) | Err(crate::core::workspace::WorkspaceError::AlreadyAnnotated { .. }) => {}
            Err(err) => {
                return Err(CliError::Failed(format!("{}:{n}: {err}", file.display())));
            }
        }
        if let Some(err) = ws.journal_error() {
            return Err(CliError::Failed(err.to_string()));
        }
        if writeln!(out, "ack {n}").and_then(|()| out.flush()).is_err() {
            return Err(CliError::Reported);
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
    Ok(())
}

fn validate_cmd(project: &Path) -> Result<(), CliError> {
    let project = match Project::open(project) {
        Ok(p) => p,
        Err(err @ (ProjectError::NotAProject { .. } | ProjectError::Io { .. })) => {
            return Err(CliError::Usage(format!("{err}")));
        }
        Err(err) => {
            println!("{err}");
            return Err(CliError::Reported);
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
        Ok(())
    } else {
        eprintln!("{} problems found.", problems.len());
        Err(CliError::Reported)
    }
}

fn search_cmd(
    project: &Path,
    query: &crate::core::search::Query,
    max: usize,
    json: bool,
) -> Result<(), CliError> {
    use crate::core::search::{SearchEvent, search_corpus};
    let pattern = match query.compile() {
        Ok(p) => p,
        Err(message) => {
            return Err(CliError::Usage(message.clone()));
        }
    };
    let project = match crate::core::Project::scan(project) {
        Ok(p) => p,
        Err(err) => {
            return Err(CliError::Usage(format!("{err}")));
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
        return Err(CliError::Failed("cannot write to standard output".into()));
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
        Err(CliError::Reported)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_thousand_failures_read_as_ten_and_a_count() {
        let lines: Vec<String> = (1..=1050)
            .map(|n| format!("cannot save {n}.json"))
            .collect();
        let said = super::briefly(&lines, "error: ");
        assert_eq!(said.lines().count(), 11);
        assert!(said.starts_with("error: cannot save 1.json\nerror: cannot save 2.json"));
        assert!(said.ends_with("error: … and 1040 more"));
        let few = super::briefly(&lines[..3], "");
        assert_eq!(
            few,
            "cannot save 1.json\ncannot save 2.json\ncannot save 3.json"
        );
    }
}
