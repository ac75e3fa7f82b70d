//! `tagdesk suggest --evaluate`: the learned suggestions' quality, by cross-validation
//! (`core::recommend::evaluate`). `--apply-to` is in `suggest_apply`.

use std::io::Write as _;

use super::{CliError, SuggestOptions, open_read_only};
use crate::core::recommend::{Counts, Evaluation, Training, evaluate};

pub(super) fn suggest_cmd(options: &SuggestOptions) -> Result<(), CliError> {
    let workspace = open_read_only(&options.project)?;
    let project = workspace.project();
    let annotator = super::suggest_apply::whose(project, options)?;
    let evaluation = evaluate(
        project,
        &annotator,
        &options.labels,
        options.folds,
        Training::default(),
    )
    .map_err(|e| CliError::Failed(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    let written = if options.json {
        serde_json::to_writer_pretty(&mut out, &json(&evaluation))
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        out.write_all(table(&evaluation).as_bytes())
    };
    written.map_err(|e| CliError::Failed(format!("cannot write to standard output: {e}")))
}

/// The figures of one recommender as JSON: counts, precision, recall and F1.
fn figures(c: &Counts) -> serde_json::Value {
    serde_json::json!({
        "tp": c.tp, "fp": c.fp, "fn": c.missed,
        "precision": round(c.precision()), "recall": round(c.recall()), "f1": round(c.f1()),
    })
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn json(e: &Evaluation) -> serde_json::Value {
    let side = |s: &crate::core::recommend::Scores| {
        serde_json::json!({
            "per_label": s.per_label.iter().map(|(l, c)| (l.clone(), figures(c))).collect::<serde_json::Map<_, _>>(),
            "micro": figures(&s.micro()),
        })
    };
    serde_json::json!({
        "annotator": e.annotator,
        "folds": e.folds,
        "documents": e.documents,
        "labels": e.labels,
        "kinds": e.kinds,
        "learned": side(&e.model),
        "string_matching": side(&e.strings),
    })
}

fn table(e: &Evaluation) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "Suggestions learned from {}'s coding: {}-fold cross-validation by document ({} documents); span labels by exact span, sentence labels by sentence\n\n",
        e.annotator, e.folds, e.documents
    );
    let width = e
        .labels
        .iter()
        .map(|l| l.chars().count())
        .chain([11])
        .max()
        .unwrap_or(11);
    let _ = writeln!(
        out,
        "{:width$}  {:8}  {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}   {:>6}",
        "", "", "learned", "", "", "string", "match", "", "coded"
    );
    let _ = writeln!(
        out,
        "{:width$}  {:8}  {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}   {:>6}",
        "label", "by", "P", "R", "F1", "P", "R", "F1", "units"
    );
    let row = |out: &mut String, name: &str, kind: &str, a: &Counts, b: &Counts| {
        let _ = writeln!(
            out,
            "{name:width$}  {kind:8}  {:>6.3} {:>6.3} {:>6.3}   {:>6.3} {:>6.3} {:>6.3}   {:>6}",
            a.precision(),
            a.recall(),
            a.f1(),
            b.precision(),
            b.recall(),
            b.f1(),
            a.tp + a.missed
        );
    };
    for label in &e.labels {
        let a = e.model.per_label.get(label).copied().unwrap_or_default();
        let b = e.strings.per_label.get(label).copied().unwrap_or_default();
        let kind = e.kinds.get(label).map_or("", |k| k.name());
        row(&mut out, label, kind, &a, &b);
    }
    row(
        &mut out,
        "all (micro)",
        "",
        &e.model.micro(),
        &e.strings.micro(),
    );
    out
}
