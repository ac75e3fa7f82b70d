//! Where a project stands with the team, and the record of the last sync.

use std::path::Path;

use super::choices::pending_choices;
use super::error::TeamError;
use super::repo::Repo;
use crate::core::project::{PRIVATE_DIR, write_atomic};

/// Where the project stands with the team.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// The remote's URL, if there is one.
    pub remote: Option<String>,
    pub branch: String,
    /// Files of the project changed and not committed yet.
    pub local_changes: usize,
    /// Commits here the remote does not have.
    pub ahead: usize,
    /// Commits on the remote not taken in (as of the last fetch).
    pub behind: usize,
    /// When this machine last synced (RFC 3339), if ever.
    pub last_sync: Option<String>,
    /// Choices waiting for the user.
    pub choices: usize,
}

/// The project's team status; with `fetch`, asks the remote first (network).
pub fn status(root: &Path, fetch: bool) -> Result<Status, TeamError> {
    let repo = Repo::find(root)?;
    let branch = repo.branch();
    let remote = repo
        .git
        .run(&["remote", "get-url", "origin"])
        .ok()
        .map(|u| u.trim().to_owned());
    if fetch && remote.is_some() {
        repo.git.run_network(&["fetch", "--quiet", "origin"])?;
    }
    let local_changes = repo
        .git
        .run(&["status", "--porcelain", "--", "."])?
        .lines()
        .count();
    let upstream = format!("refs/remotes/origin/{branch}");
    let (ahead, behind) = if repo.git.ok(&["rev-parse", "--verify", "-q", &upstream]) {
        let counts = repo.git.run(&[
            "rev-list",
            "--left-right",
            "--count",
            &format!("HEAD...{upstream}"),
        ])?;
        let mut n = counts.split_whitespace().map(|n| n.parse().unwrap_or(0));
        (n.next().unwrap_or(0), n.next().unwrap_or(0))
    } else {
        let commits = repo
            .git
            .run(&["rev-list", "--count", "HEAD"])
            .map_or(0, |n| n.trim().parse().unwrap_or(0));
        (commits, 0)
    };
    Ok(Status {
        remote,
        branch,
        local_changes,
        ahead,
        behind,
        last_sync: std::fs::read_to_string(repo.team_dir().join("last-sync"))
            .ok()
            .and_then(|t| t.lines().next().map(str::to_owned)),
        choices: pending_choices(root).len(),
    })
}

/// Notes when this machine synced, the commit it ended at, and the one it started from (what
/// arrived in between is "since my last sync").
pub(super) fn record_sync(repo: &Repo, start: Option<&str>) {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let head = repo
        .git
        .run(&["rev-parse", "HEAD"])
        .map(|h| h.trim().to_owned())
        .unwrap_or_default();
    let start = start.unwrap_or(&head);
    let _ = write_atomic(
        &repo.team_dir().join("last-sync"),
        format!("{now}\n{head}\n{start}\n").as_bytes(),
    );
}

/// The last sync's record: when, the commit it ended at, the one it started from.
pub(super) fn last_sync(root: &Path) -> Option<(String, String, String)> {
    let text = std::fs::read_to_string(
        root.join(PRIVATE_DIR)
            .join(super::TEAM_DIR)
            .join("last-sync"),
    )
    .ok()?;
    let mut lines = text.lines().map(str::to_owned);
    Some((
        lines.next()?,
        lines.next()?,
        lines.next().unwrap_or_default(),
    ))
}
