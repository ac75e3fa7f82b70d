//! The repository a project is in, and the steps on it every team command shares: finding
//! it, reading a file at a commit, committing as the annotator, keeping per-machine files out.

use std::path::{Path, PathBuf};

use super::error::TeamError;
use super::files;
use super::git::Git;
use crate::core::project::{PRIVATE_DIR, write_atomic};

/// A repository and where the project is in it.
pub(super) struct Repo {
    pub(super) git: Git,
    pub(super) root: PathBuf,
    /// The project folder's path in the repository (`""`, or `"study/"`).
    pub(super) prefix: String,
}

impl Repo {
    pub(super) fn find(root: &Path) -> Result<Self, TeamError> {
        super::git::version()?;
        let git = Git::new(root);
        let prefix = git
            .run(&["rev-parse", "--show-prefix"])
            .map_err(|_| TeamError::NotShared(root.to_path_buf()))?;
        Ok(Self {
            git,
            root: root.to_path_buf(),
            prefix: prefix.trim().to_owned(),
        })
    }

    /// A file of the project at a commit (`":"` for the index); `None` where absent.
    pub(super) fn show(&self, rev: &str, path: &str) -> Option<String> {
        let spec = if rev == ":" {
            format!(":{}{path}", self.prefix)
        } else {
            format!("{rev}:{}{path}", self.prefix)
        };
        self.git.run(&["show", &spec]).ok()
    }

    /// [`Self::changed`], for the history.
    pub(super) fn changed_paths(&self, from: &str, to: &str) -> Result<Vec<String>, TeamError> {
        self.changed(from, to)
    }

    pub(super) fn branch(&self) -> String {
        self.git
            .run(&["symbolic-ref", "--short", "HEAD"])
            .map_or_else(|_| "main".to_owned(), |b| b.trim().to_owned())
    }

    pub(super) fn has_remote(&self) -> bool {
        self.git.ok(&["remote", "get-url", "origin"])
    }

    /// Files of the project (relative to it) that differ between two revisions.
    pub(super) fn changed(&self, from: &str, to: &str) -> Result<Vec<String>, TeamError> {
        let out = self.git.run(&[
            "diff",
            "--name-only",
            "--no-renames",
            "--relative",
            "-z",
            from,
            to,
            "--",
            ".",
        ])?;
        Ok(out
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect())
    }

    fn who(&self, annotator: &str) -> Vec<(String, String)> {
        let email = self
            .git
            .run(&["config", "user.email"])
            .ok()
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| format!("{annotator}@tagdesk.invalid"));
        let mut env = vec![
            ("GIT_AUTHOR_NAME".to_owned(), annotator.to_owned()),
            ("GIT_AUTHOR_EMAIL".to_owned(), email.clone()),
        ];
        if self
            .git
            .run(&["config", "user.name"])
            .map_or(true, |n| n.trim().is_empty())
        {
            env.push(("GIT_COMMITTER_NAME".to_owned(), annotator.to_owned()));
            env.push(("GIT_COMMITTER_EMAIL".to_owned(), email));
        }
        env
    }

    pub(super) fn commit(&self, annotator: &str, message: &str) -> Result<(), TeamError> {
        let env = self.who(annotator);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.git
            .run_with(&["commit", "--quiet", "--no-edit", "-m", message], &env)?;
        Ok(())
    }

    pub(super) fn team_dir(&self) -> PathBuf {
        self.root.join(PRIVATE_DIR).join(super::TEAM_DIR)
    }
}

/// Refuses a URL that carries a password (`https://name:secret@host/…`): git would keep it in
/// the repository's configuration, in plain text. Credentials belong to the SSH agent or git's
/// credential helper, which tagdesk uses and never sees.
pub(super) fn check_url(url: &str) -> Result<(), TeamError> {
    let rest = url.split_once("://").map(|(_, r)| r);
    let userinfo = rest
        .and_then(|r| r.split('/').next())
        .and_then(|h| h.rsplit_once('@'));
    if let Some((user, _)) = userinfo
        && user.contains(':')
    {
        return Err(TeamError::Other(
            "the URL carries a password, which would be stored in plain text: give the URL \
             without it, and let git ask your credential helper or use an SSH key (see the \
             manual, Working as a team)"
                .to_owned(),
        ));
    }
    Ok(())
}

/// Makes sure the per-machine folder stays out of git.
pub(super) fn ensure_gitignore(root: &Path) -> Result<(), TeamError> {
    let path = root.join(".gitignore");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let wanted = format!("{PRIVATE_DIR}/");
    if text.lines().any(|l| l.trim() == wanted) {
        return Ok(());
    }
    let mut next = text;
    if !next.is_empty() && !next.ends_with('\n') {
        next.push('\n');
    }
    next.push_str(&wanted);
    next.push('\n');
    write_atomic(&path, next.as_bytes())
        .map_err(|e| TeamError::Other(format!("cannot write {}: {e}", path.display())))
}

/// Commits the project's changes (all of them: saved edits, new documents, the schema) with a
/// message that says what changed; `None` when there was nothing to commit.
pub(super) fn commit_local(
    repo: &Repo,
    annotator: &str,
    first: Option<&str>,
) -> Result<Option<String>, TeamError> {
    repo.git.run(&["add", "--all", "--", "."])?;
    let staged = repo.git.run(&[
        "diff",
        "--cached",
        "--name-only",
        "--no-renames",
        "--relative",
        "-z",
        "--",
        ".",
    ])?;
    let staged: Vec<&str> = staged.split('\0').filter(|p| !p.is_empty()).collect();
    if staged.is_empty() {
        return Ok(None);
    }
    let message = first.map_or_else(
        || {
            let mut summary = files::Summary::default();
            for path in &staged {
                summary.add(
                    path,
                    repo.show("HEAD", path).as_deref(),
                    repo.show(":", path).as_deref(),
                );
            }
            summary.message()
        },
        str::to_owned,
    );
    repo.commit(annotator, &message)?;
    Ok(Some(message))
}
