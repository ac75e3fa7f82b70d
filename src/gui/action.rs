//! The one way anything asks the app to change: an [`Action`]. Panels, dialogs and windows push
//! actions to the [`ActionQueue`] while they draw; background jobs send theirs through
//! [`super::jobs::Jobs`]. The app applies them in order at the end of the frame
//! (`app/apply.rs`) — the only code that holds `&mut Workspace`.

use std::ops::Range;
use std::path::PathBuf;

use crate::core::lock::{AnnotatorLock, LockError};
use crate::core::project::{DocumentError, LoadedText};

use crate::core::DocStatus;
use crate::core::project::LayerKey;
use crate::core::schema::AttributeValue;

use super::commands::Command;
use super::jobs::Ticket;

/// Everything the UI (or a finished job) can ask for.
#[derive(Debug)]
pub enum Action {
    Command(Command),
    OpenPath(PathBuf, Option<String>),
    InitProject(PathBuf),
    SelectDocument(String),
    ApplyLabel(String),
    SelectAnnotation(Option<String>),
    /// Selected text (not yet tagged); the caret goes to its end.
    SetSelection(Option<Range<usize>>),
    /// Puts the keyboard caret before this character (a click in the text).
    SetCaret(usize),
    SetNote {
        id: String,
        note: String,
    },
    SetStatus(DocStatus),
    SetAnnotator(String),
    /// The "How to annotate" overlay was closed: for good ("Got it"), or until the next start.
    Welcomed {
        for_good: bool,
    },
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
    /// Links a span of the current layer to an entity (`None`: unlinks it).
    LinkEntity {
        id: String,
        entity: Option<String>,
    },
    /// Gives an entity a new name (the old one stays an alias).
    RenameEntity {
        id: String,
        name: String,
    },
    /// New suggestion settings (written to `suggestions.json`).
    SetSuggestionSettings(Box<crate::core::suggest::Settings>),
    /// The find bar's "Label all": every match of `query` in the current document, previewed
    /// in the search window, to be labelled `label` in one step.
    LabelAllInDocument {
        query: String,
        label: String,
    },
    /// Adds a `label` span (linked to `entity`) at every place, in the layer the view edits,
    /// as one undo step ("Label all matches").
    AnnotateMany {
        label: String,
        entity: Option<String>,
        places: Vec<(String, Range<usize>)>,
    },
    /// Sets (or, with `None`, removes) an entity's attribute.
    SetEntityAttribute {
        id: String,
        name: String,
        value: Option<String>,
    },
    /// Merges `drop` into `keep`; every span linked to `drop` follows.
    MergeEntities {
        keep: String,
        drop: String,
    },
    /// Makes a new entity and links the span to it.
    NewEntity {
        id: String,
        kind: crate::core::entities::EntityKind,
        name: String,
    },
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
    /// Scrolls the document view so the block of this character is at the very top: where a
    /// document was left (the first character that was on screen), restored as it was.
    RestorePlace(usize),
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
    /// The import/export window wants a path chosen in the in-app chooser (the system has no
    /// file dialog); `why` says so.
    ChooseInterchangePath {
        why: String,
    },
    /// The path chosen for the import/export window.
    SetInterchangePath(PathBuf),
    /// Apply a corpus the import window read, as one undo step.
    Import(
        Box<crate::formats::Corpus>,
        crate::formats::import::ImportOptions,
    ),
    /// Add the documents the Add sources window planned (duplicates only if asked).
    AddSources {
        plan: std::sync::Arc<Vec<crate::formats::sources::Planned>>,
        keep_duplicates: bool,
    },
    /// The Add sources window wrote the new documents' files: take them in with their
    /// metadata.
    SourcesWritten(Box<crate::formats::sources::Prepared>),
    /// Shared projects sync by themselves every this many minutes (0: off).
    SetTeamSyncMinutes(u32),
    /// A DNA database the Import window read: imported as one undo step.
    ImportDna(Box<crate::formats::dna::Database>),
    /// The project's team state changed (shared, a choice settled): read it again.
    TeamChanged,
    /// Review what a colleague's work brought to a document in the last sync (Team window).
    ReviewArrived {
        document: String,
        annotator: String,
    },
    /// A change both sides made differently: ours or theirs, by its number in the choices.
    TeamChoose {
        index: usize,
        theirs: bool,
    },
    /// The Convert sources again window wrote the new texts: the metadata and workspace follow.
    SourcesRefreshed(Box<crate::formats::sources::Written>),
    /// How to settle an annotation file changed on disk under unsaved edits.
    ResolveConflict(LayerKey, crate::core::workspace::Resolution),
    /// A finished background job's result.
    Done(Box<Done>),
}

impl From<Done> for Action {
    fn from(done: Done) -> Self {
        Self::Done(Box::new(done))
    }
}

/// What the opening job hands over: the project, and the annotator's lock and the folder
/// watcher (each costs milliseconds of disk work the UI thread should not wait for).
pub struct Opened {
    pub ws: crate::core::Workspace,
    pub lock: Result<AnnotatorLock, LockError>,
    pub watcher: Result<super::watcher::FolderWatcher, String>,
}

/// What the background scan found out about a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocProbe {
    /// Readable: its length, and its first line (a title when the metadata has none).
    Ok {
        chars: usize,
        first_line: String,
    },
    Unusable(String),
}

/// What a background job found.
pub enum Done {
    /// "Label all": the new spans, prepared on a job, to apply as one step.
    PlacesPlanned(
        Box<Result<crate::core::workspace::PlannedPlaces, crate::core::workspace::WorkspaceError>>,
    ),
    /// A project read on its thread, with the annotator's lock and the folder watcher.
    ProjectOpened {
        ticket: Ticket,
        result: Result<Box<Opened>, String>,
    },
    /// A document's text read, hashed and indexed.
    TextLoaded {
        document: String,
        result: Result<LoadedText, DocumentError>,
    },
    /// Spans placed again in a changed text.
    Reanchored(crate::core::reanchor::PlannedReanchor),
    /// Documents decoded to tell the unusable ones (one batch of many).
    Probed {
        ticket: Ticket,
        probes: Vec<(String, DocProbe)>,
        /// The last batch.
        finished: bool,
    },
    /// Where F8's search over the other documents landed.
    FoundDisagreement(Option<crate::core::review::Found>),
    /// A folder picked in the native dialog (`None`: cancelled).
    Picked(Option<PathBuf>),
    /// The native file dialog could not be shown (no portal, no zenity).
    NoFileDialog(String),
}

impl std::fmt::Debug for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Self::ProjectOpened { .. } => "ProjectOpened",
            Self::TextLoaded { .. } => "TextLoaded",
            Self::Reanchored(_) => "Reanchored",
            Self::PlacesPlanned(_) => "PlacesPlanned",
            Self::Probed { .. } => "Probed",
            Self::FoundDisagreement(_) => "FoundDisagreement",
            Self::Picked(_) => "Picked",
            Self::NoFileDialog(_) => "NoFileDialog",
        };
        f.write_str(name)
    }
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
