//! The analysis subcommands: agreement, discourse networks, entities, metadata and statistics.

use super::CliError;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use super::{AgreeOptions, let_the_os_free, open_read_only};
use crate::core::stats;

pub(super) fn agree(
    project: &Path,
    annotators: Vec<String>,
    options: &AgreeOptions,
) -> Result<(), CliError> {
    use crate::core::agreement::Report;
    // Only the spans are read (not whole annotations), document by document: `Report::read`.
    let project = match crate::core::Project::open_without_layers(project) {
        Ok(project) => project,
        Err(err) => {
            return Err(CliError::Usage(format!("{err}")));
        }
    };
    for warning in &project.warnings {
        eprintln!("warning: {warning}");
    }
    let mut known: Vec<String> = project
        .layer_files()
        .into_iter()
        .map(|(key, _)| key.annotator)
        .collect();
    known.dedup();
    let annotators = if annotators.is_empty() {
        known.clone()
    } else {
        annotators
    };
    if let Some(unknown) = annotators.iter().find(|a| !known.contains(a)) {
        return Err(CliError::Usage(format!(
            "no annotator \"{unknown}\" in this project (it has: {})",
            known.join(", ")
        )));
    }
    if annotators.len() < 2 {
        return Err(CliError::Usage(format!(
            "agreement needs two or more annotators (this project has: {})",
            known.join(", ")
        )));
    }
    let labels = (!options.labels.is_empty()).then_some(options.labels.as_slice());
    let (report, unreadable) = Report::read(&project, &annotators, labels, options.tokens.into());
    super::check_broken(&unreadable, options.skip_broken)?;
    write_agreement(&report, options)
}

/// Agreement straight from another tool's files (`--format`, and `--annotator-folders` for the
/// layout brat-iaa reads): the spans of every document each chosen annotator has, no project
/// written. One folder per annotator in a folder format (brat, `WebAnno` TSV, UIMA XMI) is read
/// a few documents at a time (`formats::FolderDocuments`) and measured as it comes
/// (`agreement::Tally`): memory holds those documents, not the corpus. A single file (JSONL,
/// Label Studio, …) is read whole by the interchange reader, then measured.
pub(super) fn agree_from(
    input: &Path,
    format: crate::formats::Format,
    annotator_folders: bool,
    annotators: Vec<String>,
    options: &AgreeOptions,
) -> Result<(), CliError> {
    use crate::core::agreement::{StudyDocument, Tally};
    let failed = |e: crate::formats::ImportError| CliError::Failed(e.to_string());
    // A document as agreement needs it: its text and each chosen annotator's labels and
    // extents (covered texts, ids and attributes are let go); `None` unless all have a layer.
    let wanted =
        |label: &str| options.labels.is_empty() || options.labels.iter().any(|l| l == label);
    let study_document =
        |columns: &[usize], (path, text, mut layers): crate::formats::brat::FolderDocument| {
            let units: Option<Vec<_>> = columns
                .iter()
                .map(|&c| layers[c].take().map(|l| units_of(&l, &wanted)))
                .collect();
            units.map(|units| StudyDocument {
                path,
                text: Some(std::sync::Arc::new(crate::core::SourceText::new(text))),
                units,
            })
        };
    let folders = if annotator_folders {
        crate::formats::FolderDocuments::open(format, input).map_err(failed)?
    } else {
        None
    };
    if let Some(folders) = folders {
        let (annotators, columns) = chosen(input, &folders.annotators, annotators)?;
        let all: Vec<usize> = (0..columns.len()).collect();
        let mut tally = Tally::new(annotators, options.tokens.into());
        tally
            .add_all(&folders.documents, |rel| {
                Ok(study_document(&all, folders.read(rel, &columns)?))
            })
            .map_err(failed)?;
        return write_agreement(&tally.finish(), options);
    }
    let mut corpus = crate::formats::read(format, input).map_err(failed)?;
    if annotator_folders {
        crate::formats::annotators_from_folders(&mut corpus).map_err(failed)?;
    }
    let mut known: Vec<String> = corpus
        .documents
        .iter()
        .flat_map(|d| d.layers.iter().filter_map(|l| l.annotator.clone()))
        .collect();
    known.sort();
    known.dedup();
    let (annotators, columns) = chosen(input, &known, annotators)?;
    let documents: Vec<StudyDocument> = corpus
        .documents
        .into_iter()
        .enumerate()
        .filter_map(|(i, mut doc)| {
            let layers = known
                .iter()
                .map(|a| {
                    let at = doc
                        .layers
                        .iter()
                        .position(|l| l.annotator.as_deref() == Some(a))?;
                    Some(doc.layers.swap_remove(at))
                })
                .collect();
            let path = doc.path.unwrap_or_else(|| format!("document {}", i + 1));
            study_document(&columns, (path, doc.text, layers))
        })
        .collect();
    let study = crate::core::agreement::Study {
        annotators,
        documents,
        warnings: Vec::new(),
    };
    write_agreement(
        &crate::core::agreement::Report::compute(&study, options.tokens.into()),
        options,
    )
}

/// A layer's spans as agreement units (one per piece), of the wanted labels.
fn units_of(
    layer: &crate::formats::Layer,
    wanted: &impl Fn(&str) -> bool,
) -> Vec<crate::core::agreement::Unit> {
    layer
        .spans
        .iter()
        .filter(|s| wanted(&s.label))
        .flat_map(|s| {
            s.pieces
                .iter()
                .map(|&[start, end]| crate::core::agreement::Unit {
                    label: s.label.as_str().into(),
                    start,
                    end,
                })
        })
        .collect()
}

/// The annotators agreement is computed for (all `known` ones when none are named, two or
/// more) and where each is among `known`.
fn chosen(
    input: &Path,
    known: &[String],
    annotators: Vec<String>,
) -> Result<(Vec<String>, Vec<usize>), CliError> {
    let annotators = if annotators.is_empty() {
        known.to_vec()
    } else {
        annotators
    };
    let columns: Vec<usize> = annotators
        .iter()
        .map(|a| {
            known.iter().position(|k| k == a).ok_or_else(|| {
                CliError::Usage(format!(
                    "no annotator \"{a}\" in {} (it has: {})",
                    input.display(),
                    known.join(", ")
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    if annotators.len() < 2 {
        return Err(CliError::Usage(format!(
            "agreement needs two or more annotators ({} has: {}; one folder per annotator: \
             --annotator-folders)",
            input.display(),
            known.join(", ")
        )));
    }
    Ok((annotators, columns))
}

/// The agreement report, as the options ask (tables, CSV or JSON).
fn write_agreement(
    report: &crate::core::agreement::Report,
    options: &AgreeOptions,
) -> Result<(), CliError> {
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = if options.json {
        serde_json::to_writer_pretty(&mut out, report)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else if options.csv {
        out.write_all(report.to_csv().as_bytes())
    } else {
        out.write_all(agreement_tables(report).as_bytes())
    };
    if let Err(err) = written.and_then(|()| out.flush()) {
        return Err(CliError::Failed(format!(
            "cannot write to standard output: {err}"
        )));
    }
    drop(out);
    Ok(())
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
pub(super) fn metadata_cmd(
    project: &Path,
    import: Option<&Path>,
    export: Option<&Path>,
) -> Result<(), CliError> {
    let workspace = open_read_only(project)?;
    let mut metadata = workspace.project().metadata.clone();
    if let Some(file) = import {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(err) => {
                return Err(CliError::Usage(format!(
                    "cannot read {}: {err}",
                    file.display()
                )));
            }
        };
        let rows = match metadata.merge_csv(text.trim_start_matches('\u{feff}')) {
            Ok(rows) => rows,
            Err(err) => {
                return Err(CliError::Failed(format!("{}: {err}", file.display())));
            }
        };
        let unknown: Vec<&String> = metadata
            .documents()
            .keys()
            .filter(|d| workspace.project().document(d).is_none())
            .collect();
        for d in &unknown {
            eprintln!("warning: {d} is not a document of the project (its row is kept)");
        }
        let path = project.join(crate::core::metadata::METADATA_FILE);
        if let Err(err) = crate::core::project::write_atomic(&path, metadata.to_json().as_bytes()) {
            return Err(CliError::Failed(format!(
                "cannot write {}: {err}",
                path.display()
            )));
        }
        println!("{rows} rows read into {}", path.display());
    } else if let Some(file) = export {
        if let Err(err) = crate::core::project::write_atomic(file, metadata.to_csv().as_bytes()) {
            return Err(CliError::Failed(format!(
                "cannot write {}: {err}",
                file.display()
            )));
        }
        println!(
            "{} documents' metadata written to {}",
            metadata.documents().len(),
            file.display()
        );
    } else {
        for doc in &workspace.project().documents {
            let m = metadata.get(&doc.path).cloned().unwrap_or_default();
            println!(
                "{}\t{}\t{}\t{}\t{}",
                doc.path, m.date, m.source, m.title, m.section
            );
        }
    }
    let_the_os_free(workspace);
    Ok(())
}

pub(super) fn entities_cmd(project: &Path, json: bool) -> Result<(), CliError> {
    #[derive(serde::Serialize)]
    struct Row<'a> {
        #[serde(flatten)]
        entity: &'a crate::core::entities::Entity,
        spans: usize,
    }
    let workspace = open_read_only(project)?;
    let usage = workspace.entity_usage();
    let rows: Vec<Row> = workspace
        .project()
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
    Ok(())
}

pub(super) fn entities_export(project: &Path, file: &Path) -> Result<(), CliError> {
    let workspace = open_read_only(project)?;
    let registry = &workspace.project().entities;
    if let Err(err) = crate::core::project::write_atomic(file, registry.to_csv().as_bytes()) {
        return Err(CliError::Failed(format!(
            "cannot write {}: {err}",
            file.display()
        )));
    }
    println!(
        "{} entities written to {}",
        registry.entities().len(),
        file.display()
    );
    let_the_os_free(workspace);
    Ok(())
}

pub(super) fn entities_import(project: &Path, file: &Path) -> Result<(), CliError> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) => {
            return Err(CliError::Usage(format!(
                "cannot read {}: {err}",
                file.display()
            )));
        }
    };
    let mut workspace = super::open(project)?;
    let (registry, rows) = match workspace.project().entities.merge_csv(&text) {
        Ok(read) => read,
        Err(err) => {
            return Err(CliError::Failed(format!(
                "{}: {err} (nothing was changed)",
                file.display()
            )));
        }
    };
    // Attributes the schema does not define, or values outside its list, are kept but named.
    let schema = workspace.project().schema().clone();
    for e in registry.entities() {
        for (name, value) in &e.attributes {
            match schema.entity_attributes(e.kind).find(|a| &a.name == name) {
                None => eprintln!(
                    "warning: {} ({}): attribute \"{name}\" is not defined for {}s in the schema",
                    e.name,
                    e.id,
                    e.kind.as_str()
                ),
                Some(def) if !def.accepts(value) => eprintln!(
                    "warning: {} ({}): {name} \"{value}\" is not one of {}",
                    e.name,
                    e.id,
                    def.values.join(", ")
                ),
                Some(_) => {}
            }
        }
    }
    let before = workspace.project().entities.entities().len();
    let after = registry.entities().len();
    if let Err(err) = workspace.replace_entities(registry, "import entities") {
        return Err(CliError::Failed(format!("{err}")));
    }
    let saved = workspace.save();
    if let Some(err) = saved.errors.first() {
        return Err(CliError::Failed(err.clone()));
    }
    println!(
        "{rows} rows read from {}: {} entities ({} new)",
        file.display(),
        after,
        after.saturating_sub(before)
    );
    Ok(())
}

pub(super) fn stats_cmd(project: &Path, json: bool, skip_broken: bool) -> Result<(), CliError> {
    let workspace = super::open_to_report(project, skip_broken)?;
    let stats = stats::project_stats(workspace.project());
    if json {
        println!(
            "{}",
            crate::core::project::to_pretty_json(&stats).trim_end()
        );
        let_the_os_free(workspace);
        return Ok(());
    }
    println!(
        "{}: {} documents, {} annotations",
        stats.name, stats.documents, stats.annotations
    );
    let labels: Vec<&String> = workspace
        .project()
        .schema()
        .labels
        .iter()
        .map(|l| &l.name)
        .chain(
            stats
                .annotators
                .iter()
                .flat_map(|a| a.per_label.keys())
                .filter(|k| workspace.project().schema().get(k).is_none()),
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
    Ok(())
}
