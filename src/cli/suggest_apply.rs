//! `tagdesk suggest P --apply-to DOCS [--label L]… [--min-confidence X] [--dry-run]`: trains
//! the model on the annotator's coding (as the window does, `core::recommend::learn`) and adds
//! what it finds in the documents to their layer, as one step — or, with `--dry-run`, prints
//! it and changes nothing. What the window would not show is left out here too: spans the
//! layer has already (the label overlapping, or the same extent), rejected suggestions,
//! labels switched off in the Suggestion settings.

use std::collections::{BTreeMap, BTreeSet};

use super::{CliError, SuggestOptions};
use crate::core::recommend::{Snapshot, Training, coding_of, learn};
use crate::core::suggest::Settings;
use crate::core::workspace::Place;
use crate::core::{LayerKey, Workspace};

#[derive(serde::Serialize)]
struct Added {
    document: String,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    label: String,
    text: String,
    confidence: f64,
    attributes: BTreeMap<String, String>,
}

/// The documents `--apply-to` names; `uncoded` is every document without the annotator's spans.
fn targets(ws: &Workspace, annotator: &str, named: &[String]) -> Result<Vec<String>, CliError> {
    let project = ws.project();
    let coded = |d: &str| {
        project
            .layers
            .get(&LayerKey {
                document: d.to_owned(),
                annotator: annotator.to_owned(),
            })
            .is_some_and(|l| !l.annotations().is_empty())
    };
    let mut out = BTreeSet::new();
    for name in named {
        if name == "uncoded" {
            out.extend(
                project
                    .documents
                    .iter()
                    .filter(|d| !coded(&d.path))
                    .map(|d| d.path.clone()),
            );
        } else if project.documents.iter().any(|d| &d.path == name) {
            out.insert(name.clone());
        } else {
            return Err(CliError::Usage(format!(
                "no document \"{name}\" in {} (give a path as `tagdesk stats` lists them, or `uncoded`)",
                project.root.display()
            )));
        }
    }
    Ok(out.into_iter().collect())
}

/// Line and column (1-based, in characters) of a code point.
fn line_column(text: &str, char_offset: usize) -> (usize, usize) {
    let (mut line, mut column) = (1, 1);
    for c in text.chars().take(char_offset) {
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

pub(super) fn apply_cmd(options: &SuggestOptions) -> Result<(), CliError> {
    let mut ws = if options.dry_run {
        super::open_read_only(&options.project)?
    } else {
        super::open(&options.project)?
    };
    let annotator = whose(ws.project(), options)?;
    let root = ws.project().root.clone();
    let mut settings = Settings::load(&root).map_err(CliError::Failed)?;
    let schema = ws.project().schema().label_names();
    for label in &options.labels {
        if !schema.contains(label) {
            return Err(CliError::Usage(format!(
                "no label \"{label}\" in the schema (it has: {})",
                schema.join(", ")
            )));
        }
    }
    let labels: Vec<String> = if options.labels.is_empty() {
        schema
            .into_iter()
            .filter(|l| !settings.off_labels.contains(l))
            .collect()
    } else {
        options.labels.clone()
    };
    let documents = targets(&ws, &annotator, &options.apply_to)?;
    // The CLI learns from --annotator's layer (`_curated`: the curated layer's).
    let mut mine = settings.clone();
    mine.learned.from = crate::core::suggest::LearnFrom::Mine;
    let mut snapshot = Snapshot::of(ws.project(), &annotator, &mine, false);
    snapshot.labels.clone_from(&labels);
    snapshot.rank = false;
    let never = std::sync::atomic::AtomicBool::new(false);
    let learned = learn(&snapshot, Training::default(), &never)
        .map_err(|e| CliError::Failed(format!("cannot learn from {annotator}'s coding: {e}")))?;
    if let Err(e) = &learned.stored {
        eprintln!("warning: the model is not kept for next time: {e}");
    }
    for (label, n) in &learned.skipped {
        eprintln!("warning: {label} is not learned: {n} span(s), two are needed");
    }
    // Every label learned speaks (no F1 floor here); the confidence floor is --min-confidence.
    let f1: BTreeMap<String, f64> = labels.iter().map(|l| (l.clone(), 1.0)).collect();
    settings.learned.min_f1_percent = 0;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    {
        settings.learned.min_confidence_percent = (options.min_confidence * 100.0).round() as u8;
    }
    let mut added = Vec::new();
    let mut places = Vec::new();
    for doc in &documents {
        let text = ws
            .text(doc)
            .map_err(|e| CliError::Failed(format!("cannot read {doc}: {e}")))?;
        let layer = ws.project().layers.get(&LayerKey {
            document: doc.clone(),
            annotator: annotator.clone(),
        });
        let coded = layer.map(|l| coding_of(l).spans).unwrap_or_default();
        let (found, _) = learned.model.find(text.text.as_str(), &coded);
        let confidence: BTreeMap<(usize, usize, &str), f64> = found
            .iter()
            .map(|f| {
                (
                    (f.span.range.start, f.span.range.end, f.span.label.as_str()),
                    f.confidence,
                )
            })
            .collect();
        for s in settings.admit_learned(doc, &found, &f1, layer, &[]) {
            let (line, column) = line_column(text.text.as_str(), s.range.start);
            added.push(Added {
                document: doc.clone(),
                start: s.range.start,
                end: s.range.end,
                line,
                column,
                label: s.label.clone(),
                text: text.text.slice(s.range.clone()).to_owned(),
                confidence: confidence
                    .get(&(s.range.start, s.range.end, s.label.as_str()))
                    .copied()
                    .unwrap_or_default(),
                attributes: s.attributes.iter().cloned().collect(),
            });
            places.push(Place {
                document: doc.clone(),
                range: s.range,
                label: s.label,
                entity: None,
                attributes: s.attributes,
                snap: false,
            });
        }
    }
    if !options.dry_run && !places.is_empty() {
        ws.annotate_places(&annotator, &places, "apply learned suggestions")
            .map_err(|e| CliError::Failed(e.to_string()))?;
        let saved = ws.save();
        if let Some(err) = saved.errors.first() {
            return Err(CliError::Failed(err.clone()));
        }
    }
    let verb = if options.dry_run {
        "would add"
    } else {
        "added"
    };
    if options.json {
        let report = serde_json::json!({
            "dry_run": options.dry_run,
            "annotator": annotator,
            "min_confidence": options.min_confidence,
            "added": added,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        for a in &added {
            let values: Vec<String> = a
                .attributes
                .iter()
                .map(|(k, v)| format!(" {k}={v}"))
                .collect();
            println!(
                "{}:{}:{}: {verb} {} [{}] ({:.0}% sure){}",
                a.document,
                a.line,
                a.column,
                a.label,
                a.text,
                a.confidence * 100.0,
                values.concat()
            );
        }
    }
    eprintln!(
        "{verb} {} span(s) in {} document(s) for {annotator}",
        added.len(),
        added
            .iter()
            .map(|a| &a.document)
            .collect::<BTreeSet<_>>()
            .len()
    );
    Ok(())
}

/// Whose coding is learned: `--annotator`, or the project's only annotator.
pub(super) fn whose(
    project: &crate::core::Project,
    options: &SuggestOptions,
) -> Result<String, CliError> {
    let all = project.annotators();
    let annotators: Vec<String> = all
        .iter()
        .filter(|a| *a != crate::core::review::CURATED)
        .cloned()
        .collect();
    let annotator = match (&options.annotator, annotators.as_slice()) {
        (Some(a), _) => a.clone(),
        (None, [only]) => only.clone(),
        (None, _) => {
            return Err(CliError::Usage(format!(
                "whose coding? --annotator NAME (this project has: {})",
                annotators.join(", ")
            )));
        }
    };
    // The curated layer is learned from when named.
    if !all.contains(&annotator) {
        return Err(CliError::Usage(format!(
            "no annotator \"{annotator}\" in {} (it has: {})",
            options.project.display(),
            annotators.join(", ")
        )));
    }
    Ok(annotator)
}
