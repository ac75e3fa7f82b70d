//! Undo/redo: a history of steps; a step is a list of changes, each the inverse of what was
//! applied — edits of one layer, or the previous schema.
//!
//! Undo applies a step's changes in reverse and turns the result into a redo step. Steps with
//! the same coalescing tag that follow each other (typing a note, resizing a span) merge.

use super::annotation::Edit;
use super::project::LayerKey;
use super::schema::Schema;

/// One part of a step, holding what reverts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Inverses of edits applied to one layer, in the order the edits were applied.
    Layer { key: LayerKey, inverses: Vec<Edit> },
    /// The schema as it was before.
    Schema(Schema),
    /// The entity registry as it was before.
    Entities(super::entities::Registry),
}

/// What the user had selected (as helix keeps a selection with each revision): undo puts back
/// the selection from before the step, redo the one from after it. Opaque to the core, which
/// only keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub document: Option<String>,
    /// A selected span (its id).
    pub span: Option<String>,
    /// Selected text not yet tagged (code points).
    pub text: Option<std::ops::Range<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What the step did, for menus ("Undo add actor").
    pub description: String,
    /// In the order they were applied.
    pub changes: Vec<Change>,
    /// Consecutive steps with the same tag merge into one undo step.
    pub coalesce: Option<String>,
    /// The selection to put back when this step is replayed: before the change for an undo
    /// step, after it for a redo step.
    pub selection: Selection,
}

impl Step {
    /// The document of the first layer the step changed, if any (for "show what was undone").
    pub fn document(&self) -> Option<&str> {
        self.changes.iter().find_map(|c| match c {
            Change::Layer { key, .. } => Some(key.document.as_str()),
            Change::Schema(_) | Change::Entities(_) => None,
        })
    }
}

#[derive(Debug, Default)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    /// Set by [`History::break_coalescing`]: the next step starts a new group.
    sealed: bool,
}

impl History {
    /// Records a new step; clears the redo stack.
    pub fn push(&mut self, step: Step) {
        self.redo.clear();
        if !self.sealed
            && let Some(last) = self.undo.last_mut()
            && step.coalesce.is_some()
            && last.coalesce == step.coalesce
        {
            // The merged step keeps the selection from before its first part.
            last.changes.extend(step.changes);
            return;
        }
        self.sealed = false;
        self.undo.push(step);
    }

    /// Ends the current coalescing group (e.g. when the note field loses focus).
    pub fn break_coalescing(&mut self) {
        self.sealed = true;
    }

    pub fn pop_undo(&mut self) -> Option<Step> {
        self.sealed = true;
        self.undo.pop()
    }

    pub fn pop_redo(&mut self) -> Option<Step> {
        self.sealed = true;
        self.redo.pop()
    }

    pub fn push_redo(&mut self, step: Step) {
        self.redo.push(step);
    }

    /// Pushes onto the undo stack without clearing redo (used by redo itself).
    pub fn push_undo_keep_redo(&mut self, step: Step) {
        self.undo.push(step);
    }

    /// Number of steps that can be undone.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn undo_description(&self) -> Option<&str> {
        self.undo.last().map(|s| s.description.as_str())
    }

    pub fn redo_description(&self) -> Option<&str> {
        self.redo.last().map(|s| s.description.as_str())
    }
}
