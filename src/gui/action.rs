//! The one way anything asks the app to change: an [`Action`]. Panels, dialogs and windows push
//! actions to the [`ActionQueue`] while they draw; background jobs send theirs through
//! [`super::jobs::Jobs`]. The app applies them in order at the end of the frame
//! (`app/apply.rs`) — the only code that holds `&mut Workspace`.

use std::ops::Range;
use std::path::PathBuf;

use crate::core::DocStatus;
use crate::core::project::LayerKey;
use crate::core::schema::AttributeValue;

use super::commands::Command;

/// Everything the UI (or a finished job) can ask for.
#[derive(Debug)]
pub enum Action {
    Command(Command),
    OpenPath(PathBuf, Option<String>),
    InitProject(PathBuf),
    SelectDocument(String),
    ApplyLabel(String),
    SelectAnnotation(Option<String>),
    SetSelection(Option<Range<usize>>),
    SetNote {
        id: String,
        note: String,
    },
    SetStatus(DocStatus),
    SetAnnotator(String),
    /// Sets (or clears) an attribute of an annotation of the current layer.
    SetAttribute {
        id: String,
        name: String,
        value: Option<AttributeValue>,
    },
    /// Moves a span's edges (dragging an edge; consecutive moves are one undo step).
    ResizeSpan {
        id: String,
        range: Range<usize>,
    },
    /// Clears a span's "needs review" flag.
    MarkReviewed(String),
    /// Adds a piece to a span (Ctrl+drag), making it discontinuous.
    AddFragment {
        id: String,
        range: Range<usize>,
    },
    /// A drag gesture (or typing in a field) ended: the next edit starts a new undo step.
    EndGesture,
    /// Replaces the schema (pruning what it no longer allows).
    SetSchema {
        schema: crate::core::Schema,
        description: String,
        coalesce: Option<String>,
    },
    RenameLabel {
        old: String,
        new: String,
    },
    RemoveLabel(String),
    /// Links two annotations of the current layer (with the one type that fits, or asks).
    Link {
        from: String,
        to: String,
    },
    /// Links two annotations of the current layer with this relation type.
    AddRelation {
        kind: String,
        from: String,
        to: String,
    },
    RemoveRelation(String),
    /// While linking (after R): the target candidate.
    SetLinkTarget(Option<String>),
    /// Scrolls the document view so this character is near the top.
    RevealChar(usize),
    /// A status-bar message.
    Say {
        text: String,
        is_error: bool,
    },
    /// A message the user must acknowledge.
    Alert(String),
    /// The document view edits the curated layer (`true`) or one's own.
    SetCurating(bool),
    /// The curator's decisions (review panel).
    Curate(Curate),
    /// The review panel focused a cluster: outline it and scroll to it.
    FocusDisagreement(Range<usize>),
    /// Next (`true`) or previous disagreement, across documents (F8).
    StepDisagreement(bool),
    /// Save unsaved edits, then export (the export window's "Export").
    ExportAfterSave,
    /// Apply a corpus the import window read, as one undo step.
    Import(
        Box<crate::formats::Corpus>,
        crate::formats::import::ImportOptions,
    ),
    /// How to settle an annotation file changed on disk under unsaved edits.
    ResolveConflict(LayerKey, crate::core::workspace::Resolution),
    /// A finished background job's result.
    Done(Box<super::jobs::Done>),
}

/// What the curator decides in the review panel; each is one undo step in the curated layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Curate {
    Accept {
        annotator: String,
        ids: Vec<String>,
    },
    AcceptRelation {
        annotator: String,
        id: String,
    },
    Reject {
        annotator: String,
        id: String,
    },
    RejectRelation {
        annotator: String,
        id: String,
    },
    /// Take everything the compared annotators agree on: this document, or all.
    AcceptAgreed {
        all_documents: bool,
    },
}

/// Actions pushed during a frame, applied in order at its end.
#[derive(Debug, Default)]
pub struct ActionQueue {
    pending: Vec<Action>,
}

impl ActionQueue {
    pub fn push(&mut self, action: Action) {
        self.pending.push(action);
    }

    pub fn extend(&mut self, actions: impl IntoIterator<Item = Action>) {
        self.pending.extend(actions);
    }

    /// Everything queued so far, in order; the queue is left empty.
    pub fn take(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.pending)
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// What is queued, for tests of a panel or dialog drawn alone.
    pub fn pending(&self) -> &[Action] {
        &self.pending
    }

    /// A status-bar message.
    pub fn say(&mut self, text: impl Into<String>, is_error: bool) {
        self.push(Action::Say {
            text: text.into(),
            is_error,
        });
    }
}
