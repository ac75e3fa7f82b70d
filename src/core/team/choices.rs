//! Places both sides changed differently, kept per machine in `.tagdesk/team/choices.json`
//! until the user chooses; the merged file holds one of the two meanwhile.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::TeamError;
use super::files;
use super::merge;
use crate::core::project::{PRIVATE_DIR, write_atomic};

/// A place both sides changed differently, waiting for the user to choose (kept per machine
/// in `.tagdesk/team/choices.json`; the merged file holds one of the two until then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// The file, relative to the project.
    pub file: String,
    /// Where in it, for people.
    pub place: String,
    pub path: Vec<PathStep>,
    pub ours: serde_json::Value,
    pub theirs: serde_json::Value,
    /// Who made theirs.
    pub theirs_by: String,
}

/// [`merge::Step`] as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PathStep {
    Key(String),
    Item(String),
}

impl From<&merge::Step> for PathStep {
    fn from(s: &merge::Step) -> Self {
        match s {
            merge::Step::Key(k) => Self::Key(k.clone()),
            merge::Step::Item(k) => Self::Item(k.clone()),
        }
    }
}

impl From<&PathStep> for merge::Step {
    fn from(s: &PathStep) -> Self {
        match s {
            PathStep::Key(k) => Self::Key(k.clone()),
            PathStep::Item(k) => Self::Item(k.clone()),
        }
    }
}

fn choices_path(root: &Path) -> PathBuf {
    root.join(PRIVATE_DIR)
        .join(super::TEAM_DIR)
        .join("choices.json")
}

/// The places both sides changed differently, waiting for the user.
pub fn pending_choices(root: &Path) -> Vec<Choice> {
    std::fs::read_to_string(choices_path(root))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

pub(super) fn save_choices(root: &Path, choices: &[Choice]) -> Result<(), TeamError> {
    let path = choices_path(root);
    if choices.is_empty() {
        let _ = std::fs::remove_file(&path);
        return Ok(());
    }
    let text = serde_json::to_string_pretty(choices).unwrap_or_default();
    write_atomic(&path, text.as_bytes())
        .map_err(|e| TeamError::Other(format!("cannot write {}: {e}", path.display())))
}

/// Settles a choice: the file takes ours or theirs at its place (the next sync sends it).
/// Returns the file changed.
pub fn apply_choice(root: &Path, index: usize, theirs: bool) -> Result<PathBuf, TeamError> {
    let mut choices = pending_choices(root);
    if index >= choices.len() {
        return Err(TeamError::Other(
            "that choice was settled already".to_owned(),
        ));
    }
    let choice = choices.remove(index);
    let file = root.join(&choice.file);
    let text = std::fs::read_to_string(&file)
        .map_err(|e| TeamError::Other(format!("cannot read {}: {e}", file.display())))?;
    let mut value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| TeamError::Other(format!("{}: {e}", file.display())))?;
    let steps: Vec<merge::Step> = choice.path.iter().map(merge::Step::from).collect();
    let chosen = if theirs { choice.theirs } else { choice.ours };
    if merge::choose(&mut value, &steps, chosen) {
        let text = files::canonical(&files::kind_of(&choice.file), &choice.file, &value)
            .map_err(TeamError::Other)?;
        write_atomic(&file, text.as_bytes())
            .map_err(|e| TeamError::Other(format!("cannot write {}: {e}", file.display())))?;
    }
    save_choices(root, &choices)?;
    Ok(file)
}
