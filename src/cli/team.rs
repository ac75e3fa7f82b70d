//! `tagdesk team share|join|sync|status|choose`: the core's team steps, in a terminal.

use std::path::Path;

use super::{CliError, Side, TeamAction};
use crate::core::team;

pub(super) fn team_cmd(action: TeamAction) -> Result<(), CliError> {
    match action {
        TeamAction::Share {
            project,
            remote,
            annotator,
        } => {
            let who = annotator_for(&project, annotator);
            let said = team::share(&project, remote.as_deref(), &who).map_err(failed)?;
            println!(
                "{}",
                if said.is_empty() {
                    "Already shared: nothing to do.".to_owned()
                } else {
                    format!("Shared: {said}.")
                }
            );
            Ok(())
        }
        TeamAction::Join { url, dir } => {
            let dir = match dir {
                Some(d) => d,
                None => team::default_join_dir(&url).ok_or_else(|| {
                    CliError::usage("neither XDG_DATA_HOME nor HOME is set: give the folder")
                })?,
            };
            let at = team::join(&url, &dir).map_err(failed)?;
            println!(
                "Joined: the project is in {}. Open it with `tagdesk {}`.",
                at.display(),
                at.display()
            );
            Ok(())
        }
        TeamAction::Sync { project, annotator } => sync(&project, annotator),
        TeamAction::Status { project, offline } => status(&project, offline),
        TeamAction::History { project, document } => {
            let events = team::history::document_history(&project, &document).map_err(failed)?;
            if events.is_empty() {
                println!("No commit changed the annotations of {document}.");
            }
            for e in events {
                let what: Vec<String> = e
                    .changes
                    .iter()
                    .map(|c| {
                        format!(
                            "{}: {} added, {} changed, {} removed",
                            c.annotator, c.added, c.changed, c.removed
                        )
                    })
                    .collect();
                println!(
                    "{}  {:<12} {}{}",
                    e.when.get(..16).unwrap_or(&e.when).replace('T', " "),
                    e.author,
                    e.subject,
                    if what.is_empty() {
                        String::new()
                    } else {
                        format!("  [{}]", what.join("; "))
                    }
                );
            }
            Ok(())
        }
        TeamAction::Choose {
            project,
            choice,
            take,
        } => {
            let file = team::apply_choice(
                &project,
                choice.checked_sub(1).unwrap_or(usize::MAX),
                matches!(take, Side::Theirs),
            )
            .map_err(failed)?;
            println!(
                "Settled: {} holds the version chosen; the next sync sends it.",
                file.display()
            );
            Ok(())
        }
    }
}

#[expect(clippy::needless_pass_by_value)] // used as `map_err(failed)`
fn failed(e: team::TeamError) -> CliError {
    CliError::failed(e.to_string())
}

/// Who commits: as given, else git's `user.name`, else the login name.
fn annotator_for(project: &Path, given: Option<String>) -> String {
    given
        .or_else(|| {
            team::git::Git::new(project)
                .run(&["config", "user.name"])
                .ok()
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
        })
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "annotator".to_owned())
}

fn sync(project: &Path, annotator: Option<String>) -> Result<(), CliError> {
    let who = annotator_for(project, annotator);
    // The window holds the annotator's lock while it is open: sync there, not beside it.
    let _lock = match crate::core::lock::AnnotatorLock::acquire(project, &who) {
        Ok(lock) => lock,
        Err(crate::core::lock::LockError::Held(holder)) => {
            return Err(CliError::failed(format!(
                "the project is open as {who} in a window (process {}): sync there, or close it first",
                holder.pid
            )));
        }
        Err(e) => return Err(CliError::failed(e.to_string())),
    };
    // Save first: edits a crash left in the journal are taken back and written. (Without a
    // journal there is nothing unsaved: the files on disk are the project, and a project of
    // 50,000 annotation files is not read for nothing.)
    let journal = project
        .join(crate::core::project::PRIVATE_DIR)
        .join("journal");
    if std::fs::read_dir(&journal).is_ok_and(|mut d| d.next().is_some()) {
        let mut ws = super::open(project)?;
        let report = ws.save();
        if !report.errors.is_empty() {
            return Err(CliError::failed(format!(
                "the project could not be saved, so nothing was synced: {}",
                report.errors.join("; ")
            )));
        }
    }
    let report = team::sync(project, &who).map_err(failed)?;
    println!("{}", report.summary());
    if !report.changed.is_empty() {
        println!("{} files changed here.", report.changed.len());
    }
    for (i, c) in team::pending_choices(project).iter().enumerate() {
        println!(
            "choice {}: {} in {}: yours {} — {}'s {} (`tagdesk team choose {} {} ours|theirs`)",
            i + 1,
            c.place,
            c.file,
            c.ours,
            c.theirs_by,
            c.theirs,
            project.display(),
            i + 1
        );
    }
    if report.offline.is_some() {
        return Err(CliError::Reported);
    }
    Ok(())
}

fn status(project: &Path, offline: bool) -> Result<(), CliError> {
    let s = match team::status(project, !offline) {
        Ok(s) => s,
        Err(e) if e.is_offline() => {
            eprintln!("note: the remote cannot be reached ({e}); as of the last sync:");
            team::status(project, false).map_err(failed)?
        }
        Err(e) => return Err(failed(e)),
    };
    println!(
        "remote: {}",
        s.remote
            .as_deref()
            .unwrap_or("none (share with --remote URL)")
    );
    println!("branch: {}", s.branch);
    println!("local changes: {} files not committed", s.local_changes);
    println!("to send: {} commits", s.ahead);
    println!("to take in: {} commits", s.behind);
    println!("last sync: {}", s.last_sync.as_deref().unwrap_or("never"));
    for (i, c) in team::pending_choices(project).iter().enumerate() {
        println!(
            "choice {}: {} in {}: yours {} — {}'s {}",
            i + 1,
            c.place,
            c.file,
            c.ours,
            c.theirs_by,
            c.theirs
        );
    }
    Ok(())
}
