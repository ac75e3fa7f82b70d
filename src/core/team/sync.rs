//! Share, join, sync and status: git's steps in the order a team needs them, the project's
//! JSON merged by meaning where both sides changed it, and what arrives checked before it is
//! taken in.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::choices::{Choice, PathStep, pending_choices, save_choices};
use super::error::TeamError;
use super::files;
use super::git::{Git, GitError, GitErrorKind};
use super::merge;
use super::repo::{Repo, check_url, commit_local, ensure_gitignore};
use super::status::record_sync;
use crate::core::project::{PRIVATE_DIR, write_atomic};

/// What a sync did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// The commit made of the user's changes (its message), if there were any.
    pub committed: Option<String>,
    /// Colleagues' commits taken in, and who made them.
    pub received: usize,
    pub from: BTreeSet<String>,
    /// Files of the project the sync changed here (relative to the project, with `/`).
    pub changed: Vec<String>,
    /// Whether our commits reached the remote.
    pub pushed: bool,
    /// The remote could not be reached: why (the work stays committed here).
    pub offline: Option<String>,
    /// Places both sides changed differently (now waiting in [`pending_choices`]).
    pub choices: usize,
    /// What needs the user's eye, in plain words (a text changed on both sides …).
    pub attention: Vec<String>,
    /// There is no remote: the commit stays here.
    pub no_remote: bool,
}

impl SyncReport {
    /// One line for the status bar or the terminal.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(c) = &self.committed {
            parts.push(format!("committed \"{c}\""));
        }
        if self.received > 0 {
            parts.push(format!(
                "took in {} {} from {}",
                self.received,
                if self.received == 1 {
                    "commit"
                } else {
                    "commits"
                },
                self.from.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        if self.pushed {
            parts.push("sent".to_owned());
        }
        if let Some(why) = &self.offline {
            parts.push(format!(
                "offline — your work is committed here and goes with the next sync ({why})"
            ));
        }
        if self.no_remote {
            parts.push("no remote to send to (share the project with a remote URL)".to_owned());
        }
        if self.choices > 0 {
            parts.push(format!(
                "{} {} for you to choose",
                self.choices,
                if self.choices == 1 {
                    "change"
                } else {
                    "changes"
                }
            ));
        }
        parts.extend(self.attention.iter().cloned());
        if parts.is_empty() {
            "in sync: nothing new on either side".to_owned()
        } else {
            parts.join("; ")
        }
    }
}

/// Turns the project into a git repository (or uses the one it is in), with `.tagdesk/` left
/// out, commits it, and connects it to `remote` (sending it there) when one is given.
pub fn share(root: &Path, remote: Option<&str>, annotator: &str) -> Result<String, TeamError> {
    super::git::version()?;
    if let Some(url) = remote {
        check_url(url)?;
    }
    let git = Git::new(root);
    let mut said = Vec::new();
    if git.run(&["rev-parse", "--show-prefix"]).is_err() {
        git.run(&["init", "--quiet", "--initial-branch=main"])?;
        said.push(format!("made {} a git repository", root.display()));
    }
    ensure_gitignore(root)?;
    let repo = Repo::find(root)?;
    let first = !repo.git.ok(&["rev-parse", "--verify", "-q", "HEAD"]);
    if let Some(m) = commit_local(
        &repo,
        annotator,
        first.then_some("tagdesk: the project, shared"),
    )? {
        said.push(format!("committed \"{m}\""));
    }
    if let Some(url) = remote {
        if repo.has_remote() {
            repo.git.run(&["remote", "set-url", "origin", url])?;
        } else {
            repo.git.run(&["remote", "add", "origin", url])?;
        }
        let branch = repo.branch();
        match repo.git.run_network(&[
            "push",
            "--quiet",
            "--set-upstream",
            "origin",
            &format!("HEAD:refs/heads/{branch}"),
        ]) {
            Ok(_) => said.push(format!("sent to {url}")),
            Err(e) if e.kind == GitErrorKind::Rejected => {
                return Err(TeamError::Other(format!(
                    "{url} already holds work that is not in this project: to work on it, join \
                     it (Team → Join…, or `tagdesk team join {url}`) instead of sharing"
                )));
            }
            Err(e) => return Err(e.into()),
        }
        record_sync(&repo, None);
    }
    Ok(said.join("; "))
}

/// Clones a shared project from `url` into `dir` (which must not exist, or be empty).
pub fn join(url: &str, dir: &Path) -> Result<PathBuf, TeamError> {
    super::git::version()?;
    check_url(url)?;
    if dir.exists() && std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_some()) {
        return Err(TeamError::Other(format!(
            "{} already exists and is not empty: choose another folder",
            dir.display()
        )));
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| TeamError::Other(format!("cannot make {}: {e}", parent.display())))?;
    let target = dir.to_string_lossy().into_owned();
    Git::new(parent).run_network(&["clone", "--quiet", "--origin", "origin", url, &target])?;
    let cloned = Git::new(dir);
    if !cloned.ok(&["rev-parse", "--verify", "-q", "HEAD"]) {
        // The remote's HEAD names a branch it does not have (a bare repository made with
        // another default branch than the one shared): take `main`, else its first branch.
        let branches = cloned
            .run(&["branch", "-r", "--format=%(refname:short)"])
            .unwrap_or_default();
        let branches: Vec<&str> = branches.lines().filter(|b| !b.ends_with("/HEAD")).collect();
        if let Some(branch) = branches
            .iter()
            .find(|b| **b == "origin/main")
            .or_else(|| branches.first())
        {
            let local = branch.trim_start_matches("origin/");
            cloned.run(&["checkout", "--quiet", "-b", local, "--track", branch])?;
        }
    }
    if !crate::core::Project::is_project(dir) {
        let _ = std::fs::remove_dir_all(dir);
        return Err(TeamError::Other(format!(
            "{url} holds no tagdesk project (no tagdesk.json at its top): nothing was kept"
        )));
    }
    ensure_gitignore(dir)?;
    if let Ok(repo) = Repo::find(dir) {
        record_sync(&repo, None);
    }
    Ok(dir.to_path_buf())
}

/// Commits the user's changes, takes in colleagues' commits (merging the project's files by
/// meaning), and sends the result; retried when a colleague pushed first. The project must be
/// saved first (the CLI opens, saves and closes it; the window saves, then runs this on a task).
pub fn sync(root: &Path, annotator: &str) -> Result<SyncReport, TeamError> {
    let repo = Repo::find(root)?;
    if repo.git.ok(&["rev-parse", "-q", "--verify", "MERGE_HEAD"]) {
        // A sync that stopped midway (the machine went down): start again from our commit.
        repo.git.run(&["merge", "--abort"])?;
    }
    ensure_gitignore(root)?;
    let mut report = SyncReport {
        committed: commit_local(&repo, annotator, None)?,
        ..SyncReport::default()
    };
    if !repo.has_remote() {
        report.no_remote = true;
        return Ok(report);
    }
    let start = repo.git.run(&["rev-parse", "HEAD"])?.trim().to_owned();
    let branch = repo.branch();
    let upstream = format!("refs/remotes/origin/{branch}");
    for _attempt in 0..5 {
        if let Err(e) = repo.git.run_network(&["fetch", "--quiet", "origin"]) {
            return offline_or(e, report);
        }
        if repo.git.ok(&["rev-parse", "--verify", "-q", &upstream]) {
            integrate(&repo, &upstream, annotator, &mut report)?;
        }
        let sending = repo.git.run(&["rev-parse", "HEAD"]).ok()
            != repo.git.run(&["rev-parse", &upstream]).ok();
        match repo.git.run_network(&[
            "push",
            "--quiet",
            "origin",
            &format!("HEAD:refs/heads/{branch}"),
        ]) {
            Ok(_) => {
                report.pushed = sending;
                record_sync(&repo, Some(&start));
                return Ok(report);
            }
            Err(e) if e.kind == GitErrorKind::Rejected => {}
            Err(e) => return offline_or(e, report),
        }
    }
    report
        .attention
        .push("colleagues kept sending while this sync ran: sync again".to_owned());
    Ok(report)
}

fn offline_or(e: GitError, mut report: SyncReport) -> Result<SyncReport, TeamError> {
    if matches!(e.kind, GitErrorKind::Offline | GitErrorKind::Credentials) {
        report.offline = Some(e.said);
        Ok(report)
    } else {
        Err(e.into())
    }
}

/// Takes colleagues' commits in: checked first, then merged (the project's JSON by meaning).
fn integrate(
    repo: &Repo,
    upstream: &str,
    annotator: &str,
    report: &mut SyncReport,
) -> Result<(), TeamError> {
    let range = format!("HEAD..{upstream}");
    let incoming: usize = repo
        .git
        .run(&["rev-list", "--count", &range])?
        .trim()
        .parse()
        .unwrap_or(0);
    if incoming == 0 {
        return Ok(());
    }
    let base = repo
        .git
        .run(&["merge-base", "HEAD", upstream])
        .map_err(|_| {
            TeamError::Refused(
                "the remote holds another project (no history in common with this one): \
                 nothing was taken in"
                    .to_owned(),
            )
        })?
        .trim()
        .to_owned();
    let theirs = repo.changed(&base, upstream)?;
    check_incoming(repo, upstream, &theirs)?;
    let before = repo.git.run(&["rev-parse", "HEAD"])?.trim().to_owned();
    let authors = repo.git.run(&["log", "--format=%an", &range])?;
    if before == base {
        repo.git.run(&["merge", "--quiet", "--ff-only", upstream])?;
    } else {
        merge_with(repo, &base, upstream, report)?;
        let who: BTreeSet<&str> = authors.lines().collect();
        repo.commit(
            annotator,
            &format!(
                "tagdesk: {annotator} took in the work of {}",
                who.into_iter().collect::<Vec<_>>().join(", ")
            ),
        )?;
    }
    report.received += incoming;
    report.from.extend(authors.lines().map(str::to_owned));
    for f in repo.changed(&before, "HEAD")? {
        if !report.changed.contains(&f) {
            report.changed.push(f);
        }
    }
    Ok(())
}

/// What arrives is checked as an import is: no links, every project file valid. Names the
/// commit and author of a file that would break the project.
fn check_incoming(repo: &Repo, upstream: &str, paths: &[String]) -> Result<(), TeamError> {
    for path in paths {
        let blame = || {
            repo.git
                .run(&["log", "-1", "--format=%h by %an (%s)", upstream, "--", path])
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let listed = repo
            .git
            .run(&["ls-tree", upstream, "--", &format!("{}{path}", repo.prefix)])
            .unwrap_or_default();
        if listed.starts_with("120000") {
            return Err(TeamError::Refused(format!(
                "commit {} makes {path} a link, which could lead outside the project: nothing \
                 was taken in, your work is as it was",
                blame()
            )));
        }
        let kind = files::kind_of(path);
        if !kind.merges() {
            continue;
        }
        let Some(text) = repo.show(upstream, path) else {
            continue;
        };
        let valid = serde_json::from_str::<serde_json::Value>(&text)
            .map_err(|e| format!("{path}: not JSON ({e})"))
            .and_then(|v| files::canonical(&kind, path, &v));
        if let Err(why) = valid {
            return Err(TeamError::Refused(format!(
                "commit {} would break the project — {why}. Nothing was taken in; your work is \
                 as it was. Ask them to fix it and send it again.",
                blame()
            )));
        }
    }
    Ok(())
}

/// A merge of two lines of work: git's for what changed on one side, tagdesk's by meaning for
/// the project's JSON changed on both; anything else changed on both keeps ours, theirs kept.
fn merge_with(
    repo: &Repo,
    base: &str,
    upstream: &str,
    report: &mut SyncReport,
) -> Result<(), TeamError> {
    let ours_changed: BTreeSet<String> = repo.changed(base, "HEAD")?.into_iter().collect();
    let both: Vec<String> = repo
        .changed(base, upstream)?
        .into_iter()
        .filter(|p| ours_changed.contains(p))
        .collect();
    let merged = repo
        .git
        .run(&["merge", "--quiet", "--no-ff", "--no-commit", upstream]);
    if let Err(e) = merged
        && !repo.git.ok(&["rev-parse", "-q", "--verify", "MERGE_HEAD"])
    {
        return Err(e.into());
    }
    let abort = |e: TeamError| {
        let _ = repo.git.run(&["merge", "--abort"]);
        e
    };
    let mut choices = pending_choices(&repo.root);
    for path in &both {
        let kind = files::kind_of(path);
        if !kind.merges() {
            continue;
        }
        let parse = |rev: &str| files::parse(repo.show(rev, path).as_deref());
        let (b, o, t) = (parse(base), parse("HEAD"), parse(upstream));
        let value = match (o, t) {
            (Some(o), Some(t)) => {
                let m = merge::merge(b.as_ref(), &o, &t);
                let by = repo
                    .git
                    .run(&["log", "-1", "--format=%an", upstream, "--", path])
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_default();
                for c in &m.conflicts {
                    report.choices += 1;
                    choices.retain(|x| !(x.file == *path && x.place == c.place));
                    choices.push(Choice {
                        file: path.clone(),
                        place: c.place.clone(),
                        path: c.path.iter().map(PathStep::from).collect(),
                        ours: c.ours.clone(),
                        theirs: c.theirs.clone(),
                        theirs_by: by.clone(),
                    });
                }
                for k in &m.kept {
                    report.attention.push(format!(
                        "{path}: {} was removed on one side and changed on the other; it stays",
                        k.place
                    ));
                }
                m.value
            }
            // Deleted on one side, changed on the other: the changed one stays.
            (Some(one), None) | (None, Some(one)) => {
                report.attention.push(format!(
                    "{path} was removed on one side and changed on the other; it stays"
                ));
                one
            }
            (None, None) => continue,
        };
        let mut value = value;
        report.attention.extend(files::fix_up(&kind, &mut value));
        let text = files::canonical(&kind, path, &value).map_err(|why| {
            abort(TeamError::Refused(format!(
                "merging {path} would break it ({why}): nothing was taken in, your work is as it was"
            )))
        })?;
        let file = repo.root.join(path);
        write_atomic(&file, text.as_bytes()).map_err(|e| {
            abort(TeamError::Other(format!(
                "cannot write {}: {e}",
                file.display()
            )))
        })?;
        repo.git
            .run(&["add", "--", path])
            .map_err(|e| abort(e.into()))?;
    }
    follow_entity_merges(repo, base, upstream).map_err(abort)?;
    // What git could not merge and is not ours to merge by meaning (a source text changed on
    // both sides): ours stays, theirs is kept beside the project.
    let unmerged = repo
        .git
        .run(&["diff", "--name-only", "--diff-filter=U", "--relative", "-z"])
        .map_err(|e| abort(e.into()))?;
    for path in unmerged.split('\0').filter(|p| !p.is_empty()) {
        let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            .to_string()
            .replace(':', "-");
        let kept = repo
            .root
            .join(PRIVATE_DIR)
            .join("conflicts")
            .join(format!("{path}.theirs-{stamp}"));
        if let Some(theirs) = repo.show(upstream, path) {
            write_atomic(&kept, theirs.as_bytes()).map_err(|e| {
                abort(TeamError::Other(format!(
                    "cannot keep {}: {e}",
                    kept.display()
                )))
            })?;
        }
        if repo.show("HEAD", path).is_some() {
            repo.git
                .run(&["checkout", "--ours", "--", path])
                .map_err(|e| abort(e.into()))?;
            repo.git
                .run(&["add", "--", path])
                .map_err(|e| abort(e.into()))?;
        } else {
            repo.git
                .run(&["rm", "--quiet", "--", path])
                .map_err(|e| abort(e.into()))?;
        }
        report.attention.push(format!(
            "{path} changed on both sides: yours is kept, theirs is in {}",
            kept.display()
        ));
    }
    save_choices(&repo.root, &choices).map_err(abort)?;
    Ok(())
}

/// An entity one side merged away stays merged: the other side's edits of it go to the one it
/// went into, and its links to it point there ([`super::follow`]).
fn follow_entity_merges(repo: &Repo, base: &str, upstream: &str) -> Result<(), TeamError> {
    use crate::core::entities::{ENTITIES_FILE, Registry};
    let at = |rev: &str| files::parse(repo.show(rev, ENTITIES_FILE).as_deref());
    let base_entities = at(base);
    let mut merges = super::follow::merges(base_entities.as_ref(), at("HEAD").as_ref());
    merges.extend(super::follow::merges(
        base_entities.as_ref(),
        at(upstream).as_ref(),
    ));
    if merges.is_empty() {
        return Ok(());
    }
    let write = |path: &str, text: &str| -> Result<(), TeamError> {
        let file = repo.root.join(path);
        write_atomic(&file, text.as_bytes())
            .map_err(|e| TeamError::Other(format!("cannot write {}: {e}", file.display())))?;
        repo.git.run(&["add", "--", path])?;
        Ok(())
    };
    if let Ok(text) = std::fs::read_to_string(repo.root.join(ENTITIES_FILE))
        && let Ok(registry) = Registry::parse(&text)
    {
        let next = super::follow::registry(&registry, &merges);
        if next != registry {
            write(ENTITIES_FILE, &next.to_json())?;
        }
    }
    let mut layers: BTreeSet<String> = repo.changed(base, "HEAD")?.into_iter().collect();
    layers.extend(repo.changed(base, upstream)?);
    for path in layers {
        let kind = files::kind_of(&path);
        if !matches!(kind, files::Kind::Layer { .. }) {
            continue;
        }
        let Some(mut value) = files::parse(
            std::fs::read_to_string(repo.root.join(&path))
                .ok()
                .as_deref(),
        ) else {
            continue;
        };
        if super::follow::relink(&mut value, &merges) {
            let text = files::canonical(&kind, &path, &value).map_err(TeamError::Other)?;
            write(&path, &text)?;
        }
    }
    Ok(())
}
