//! `tagdesk annotate`: label every match of a pattern across the corpus, as one step.

use super::CliError;
use std::path::PathBuf;

use super::AnnotateOptions;
use crate::core::search::{Hit, Query, SearchEvent, search_corpus};
use crate::core::workspace::Clash;

#[derive(serde::Serialize)]
struct Place {
    document: String,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    text: String,
    /// The label of a span it overlaps, if any.
    overlaps: Option<String>,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    dry_run: bool,
    label: &'a str,
    entity: Option<&'a str>,
    added: Vec<Place>,
    duplicates: usize,
    overlapping_left_out: usize,
}

/// More matches than any corpus should need labelled in one step.
const MAX_PLACES: usize = 10_000_000;

pub(super) fn annotate_cmd(options: &AnnotateOptions) -> Result<(), CliError> {
    let query = Query {
        pattern: options
            .pattern
            .clone()
            .or_else(|| options.literal.clone())
            .unwrap_or_default(),
        regex: options.regex && options.literal.is_none(),
        case_sensitive: options.case_sensitive,
    };
    let pattern = match query.compile() {
        Ok(p) => p,
        Err(message) => {
            return Err(CliError::Usage(message.clone()));
        }
    };
    let mut ws = super::open(&options.project)?;
    if ws.project().schema().get(&options.label).is_none() {
        return Err(CliError::Usage(format!(
            "no label \"{}\" in the schema (it has: {})",
            options.label,
            ws.project()
                .schema()
                .labels
                .iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if let Some(id) = &options.entity
        && ws.project().entities.get(id).is_none()
    {
        return Err(CliError::Usage(format!(
            "no entity with id {id} (see tagdesk entities)"
        )));
    }
    let documents: Vec<(String, PathBuf)> = ws
        .project()
        .documents
        .iter()
        .map(|d| (d.path.clone(), ws.project().document_file(&d.path)))
        .collect();
    let mut hits: Vec<Hit> = Vec::new();
    let never = std::sync::atomic::AtomicBool::new(false);
    search_corpus(
        &documents,
        &pattern,
        MAX_PLACES,
        &never,
        &mut |event| match event {
            SearchEvent::Hits(found) => hits.extend(found),
            SearchEvent::Unreadable { document, message } => {
                eprintln!("warning: {document}: {message}");
            }
            SearchEvent::Searched(_) | SearchEvent::Done(_) => {}
        },
    );
    if hits.is_empty() {
        eprintln!("nothing matched");
        return Err(CliError::Reported);
    }
    // What each match becomes: snapped to words, and how it meets the annotator's spans.
    let mut places = Vec::new();
    let mut duplicates = 0;
    let mut overlapping = 0;
    let mut seen = std::collections::BTreeSet::new();
    for hit in &hits {
        let Ok(text) = ws.text(&hit.document) else {
            continue;
        };
        let Some(range) = text.text.snap_to_words(hit.range.clone()) else {
            continue;
        };
        let clash = ws.clash(&hit.document, &options.annotator, &range, &options.label);
        if clash == Some(Clash::Duplicate)
            || !seen.insert((hit.document.clone(), range.start, range.end))
        {
            duplicates += 1;
            continue;
        }
        if matches!(clash, Some(Clash::Overlaps(_))) && !options.include_overlapping {
            overlapping += 1;
            continue;
        }
        places.push(Place {
            document: hit.document.clone(),
            start: range.start,
            end: range.end,
            line: hit.line,
            column: hit.column,
            text: text.text.slice(range).to_owned(),
            overlaps: match clash {
                Some(Clash::Overlaps(label)) => Some(label),
                _ => None,
            },
        });
    }
    if !options.dry_run && !places.is_empty() {
        let targets: Vec<(String, std::ops::Range<usize>)> = places
            .iter()
            .map(|p| (p.document.clone(), p.start..p.end))
            .collect();
        if let Err(err) = ws.annotate_many(
            &options.annotator,
            &options.label,
            options.entity.as_deref(),
            &targets,
        ) {
            return Err(CliError::Failed(format!("{err}")));
        }
        let saved = ws.save();
        if let Some(err) = saved.errors.first() {
            return Err(CliError::Failed(err.clone()));
        }
    }
    if options.json {
        let report = Report {
            dry_run: options.dry_run,
            label: &options.label,
            entity: options.entity.as_deref(),
            added: places,
            duplicates,
            overlapping_left_out: overlapping,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
        return Ok(());
    }
    let verb = if options.dry_run {
        "would add"
    } else {
        "added"
    };
    for p in &places {
        println!(
            "{}:{}:{}: {verb} {} [{}]{}",
            p.document,
            p.line,
            p.column,
            options.label,
            p.text,
            p.overlaps
                .as_ref()
                .map_or_else(String::new, |l| format!(" (overlaps an existing {l} span)"))
        );
    }
    let documents = places
        .iter()
        .map(|p| p.document.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    eprintln!(
        "{} {} {} span(s) in {documents} document(s); {duplicates} already there; {overlapping} overlapping a span, left out{}",
        if options.dry_run {
            "would add"
        } else {
            "added"
        },
        places.len(),
        options.label,
        if overlapping > 0 && !options.include_overlapping {
            " (--include-overlapping adds them)"
        } else {
            ""
        }
    );
    Ok(())
}
