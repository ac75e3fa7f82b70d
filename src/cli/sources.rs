//! `tagdesk sources inspect FILE…`, `tagdesk sources add PROJECT FILE…` and
//! `tagdesk sources refresh PROJECT`.

use std::io::Write as _;
use std::path::PathBuf;

use super::{CliError, SourcesAction};
use crate::formats::sources::{self, Planned};

pub(super) fn sources_cmd(action: SourcesAction) -> Result<(), CliError> {
    match action {
        SourcesAction::Inspect { files, json } => inspect(&files, json),
        SourcesAction::Add {
            project,
            files,
            keep_duplicates,
        } => add(&project, &files, keep_duplicates),
        SourcesAction::Refresh {
            project,
            dry_run,
            force,
        } => refresh(&project, dry_run, force),
        SourcesAction::PdfText => {
            let text = sources::pdf::child_main().map_err(CliError::failed)?;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| CliError::failed(format!("cannot write the text: {e}")))
        }
    }
}

fn inspect(files: &[PathBuf], json: bool) -> Result<(), CliError> {
    let plan = sources::plan(files).map_err(CliError::failed)?;
    let mut out = std::io::stdout().lock();
    let written = if json {
        let rows: Vec<serde_json::Value> = plan
            .iter()
            .map(|p| {
                serde_json::json!({
                    "file": p.file.display().to_string(),
                    "batch": p.batch,
                    "position": p.article.position,
                    "document": p.document,
                    "date": p.article.date,
                    "outlet": p.article.outlet,
                    "title": p.article.title,
                    "byline": p.article.byline,
                    "section": p.article.section,
                    "length": p.article.length,
                    "words": p.words(),
                    "duplicate_of": p.duplicate_of.map(|(i, s)| serde_json::json!({
                        "document": plan[i].document, "similarity": s })),
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::Value::Array(rows))
    } else {
        table(&mut out, &plan)
    };
    written.map_err(|e| CliError::failed(format!("cannot write to standard output: {e}")))?;
    Ok(())
}

fn table(out: &mut impl std::io::Write, plan: &[Planned]) -> std::io::Result<()> {
    let cut = |s: &str, n: usize| {
        if s.chars().count() > n {
            let mut c: String = s.chars().take(n - 1).collect();
            c.push('…');
            c
        } else {
            s.to_owned()
        }
    };
    let mut last_file = None;
    for p in plan {
        if last_file != Some(&p.file) {
            let kind = p.batch.map_or_else(
                || "one document".to_owned(),
                |b| {
                    format!(
                        "{b} batch, {} articles",
                        plan.iter().filter(|q| q.file == p.file).count()
                    )
                },
            );
            writeln!(out, "{} ({kind}):", p.file.display())?;
            writeln!(
                out,
                "    #  {:<16}  {:<22}  {:<48}   words  note",
                "date", "outlet", "title"
            )?;
            last_file = Some(&p.file);
        }
        let note = p
            .duplicate_of
            .map_or_else(String::new, |(first, similarity)| {
                format!(
                    "duplicate of {} ({:.0} % alike): left out",
                    plan[first].document,
                    similarity * 100.0
                )
            });
        writeln!(
            out,
            "  {:>3}  {:<16}  {:<22}  {:<48}  {:>6}  {note}",
            p.article.position,
            p.article.date,
            cut(&p.article.outlet, 22),
            cut(&p.article.title, 48),
            p.words()
        )?;
    }
    Ok(())
}

fn add(
    project: &std::path::Path,
    files: &[PathBuf],
    keep_duplicates: bool,
) -> Result<(), CliError> {
    let plan = sources::plan(files).map_err(CliError::failed)?;
    let mut ws = super::open(project)?;
    let left_out = plan.iter().filter(|p| p.duplicate_of.is_some()).count();
    let added = sources::add(&mut ws, &plan, keep_duplicates).map_err(CliError::failed)?;
    println!(
        "{added} documents added to {}{}",
        ws.project().source_dir.display(),
        if left_out > 0 && !keep_duplicates {
            format!(" ({left_out} duplicates left out; --keep-duplicates adds them)")
        } else {
            String::new()
        }
    );
    Ok(())
}

fn refresh(project: &std::path::Path, dry_run: bool, force: bool) -> Result<(), CliError> {
    use sources::Refreshed;
    let mut ws = super::open(project)?;
    let input = sources::RefreshInput::of(ws.project(), force);
    if input.is_empty() {
        println!("No document of this project was made from a source file.");
        return Ok(());
    }
    let looked_at = input.len();
    let refreshes = input.run();
    let mut skipped = 0;
    for r in &refreshes {
        let what = match &r.outcome {
            Refreshed::Current => continue,
            Refreshed::SameText => "the same text: only its record changes".to_owned(),
            Refreshed::NewText(text) => {
                format!("a new text ({} words)", text.split_whitespace().count())
            }
            Refreshed::Skipped(why) => {
                skipped += 1;
                format!("left as it is: {why}")
            }
        };
        let why = r
            .why
            .map_or(String::new(), |w| format!(" ({})", w.describe()));
        println!("{}{why}: {what}", r.document);
    }
    let changing = refreshes.iter().filter(|r| r.changes()).count();
    if changing == 0 {
        println!("{looked_at} documents made from sources: none to convert again.");
    } else if dry_run {
        println!(
            "{changing} of {looked_at} documents would be converted again (nothing was written: --dry-run)."
        );
    } else {
        let applied = sources::refresh::apply(&mut ws, refreshes).map_err(CliError::failed)?;
        let keys: Vec<_> = ws
            .project()
            .layers
            .keys()
            .filter(|k| applied.reconverted.contains(&k.document))
            .cloned()
            .collect();
        let failed = !super::reanchor_layers(&mut ws, keys);
        let report = ws.save();
        for err in &report.errors {
            eprintln!("error: {err}");
        }
        println!(
            "{} documents took a new text, {} the same text{}",
            applied.reconverted.len(),
            applied.same,
            if applied.kept.is_empty() {
                String::new()
            } else {
                format!(
                    "; the old texts are kept in {}",
                    ws.project()
                        .root
                        .join(crate::core::project::PRIVATE_DIR)
                        .join("replaced")
                        .display()
                )
            }
        );
        if failed || !report.errors.is_empty() {
            return Err(CliError::Reported);
        }
    }
    if skipped > 0 {
        eprintln!("error: {skipped} documents could not be converted again (see above)");
        return Err(CliError::Reported);
    }
    Ok(())
}
