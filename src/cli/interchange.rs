//! Moving annotations in and out: `export`, `import`, `convert`, and the sinks they write to.

use super::CliError;
use std::io::Write as _;
use std::path::Path;

use super::{let_the_os_free, open_to_report, warn_of_opening};
use crate::core::Workspace;
use crate::formats::export::LayerSource;
use crate::formats::{self, ExportFilter, Format};

pub(super) fn export(
    project: &Path,
    format: Format,
    annotator: Option<String>,
    output: Option<&Path>,
    skip_broken: bool,
) -> Result<(), CliError> {
    // Layers read document by document as they are exported, into a file put in place only
    // once complete; to standard output (written as it goes, nothing to take back) and into a
    // DNA database, the project is read whole first, so a broken file stops it before a byte.
    let (mut workspace, layers) = if format == Format::Dna || output.is_none() {
        (open_to_report(project, skip_broken)?, LayerSource::Loaded)
    } else {
        formats::export::open_for_export(project, format, skip_broken)
            .map(|(ws, layers)| (super::warn_of_opening(ws), layers))
            .map_err(CliError::usage)?
    };
    let known = || {
        let mut names: Vec<String> = match layers {
            LayerSource::Loaded => workspace.project().annotators(),
            LayerSource::Files { .. } => workspace
                .project()
                .layer_files()
                .into_iter()
                .map(|(k, _)| k.annotator)
                .collect(),
        };
        names.dedup();
        names
    };
    if let Some(name) = &annotator {
        let annotators = known();
        if !annotators.contains(name) {
            return Err(CliError::Usage(format!(
                "no annotator \"{name}\" in this project (it has: {})",
                annotators.join(", ")
            )));
        }
    }
    if format == Format::Dna && output.is_none() {
        return Err(CliError::usage(
            "--format dna writes a database file: give it with -o FILE.dna",
        ));
    }
    let filter = ExportFilter { annotator, layers };
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
            return Err(CliError::Failed(err.clone()));
        }
    };
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    super::check_broken(&report.broken, true)?;
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
    Ok(())
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

pub(super) fn import(
    project: &Path,
    format: Format,
    input: &Path,
    annotator_folders: bool,
    options: &formats::import::ImportOptions,
) -> Result<(), CliError> {
    if format == Format::Dna {
        return import_dna(project, input);
    }
    if annotator_folders
        && let Some(done) = super::import_folders::import(project, format, input, options)
    {
        return done;
    }
    // The input first: it says whose layers the import writes, and only those are opened.
    let corpus = match formats::read(format, input).and_then(|mut corpus| {
        if annotator_folders {
            formats::annotators_from_folders(&mut corpus)?;
        }
        Ok(corpus)
    }) {
        Ok(corpus) => corpus,
        Err(err) => {
            return Err(CliError::Failed(format!("nothing was imported:\n{err}")));
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
            return Err(CliError::Usage(format!("{err}")));
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
            return Err(CliError::Failed(format!("nothing was imported:\n{err}")));
        }
    };
    let report = match formats::import::apply(&mut workspace, plan) {
        Ok(report) => report,
        Err(err) => {
            return Err(CliError::Failed(format!("nothing was imported: {err}")));
        }
    };
    let saved = workspace.save();
    let_the_os_free(workspace);
    super::import_saved(&report.summary(), &saved, || ())
}

pub(super) fn convert(
    from: Format,
    to: Format,
    input: &Path,
    annotator_folders: bool,
    output: &Path,
) -> Result<(), CliError> {
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
            Ok(())
        }
        Err(err) => Err(CliError::failed(err)),
    }
}

/// A DNA database into the project: documents, coders as annotators, statement types as
/// labels, entities, every statement at its place (`formats::dna`); all or nothing.
fn import_dna(project: &Path, input: &Path) -> Result<(), CliError> {
    let mut workspace = Workspace::open(project)
        .map(warn_of_opening)
        .map_err(CliError::usage)?;
    let report = formats::dna::import(&mut workspace, input)
        .map_err(|e| CliError::Failed(format!("nothing was imported: {e}")))?;
    let saved = workspace.save();
    if !saved.errors.is_empty() {
        return Err(CliError::Failed(format!(
            "imported, but not saved: {}",
            saved.errors.join("; ")
        )));
    }
    println!("Imported {}", report.summary());
    Ok(())
}
