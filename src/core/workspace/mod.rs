//! A working session on a project: loaded texts, the undo history and unsaved layers.
//! The GUI and the CLI drive the same functions here. By responsibility: `edits` (the domain
//! operations), `save`, `disk` (changes made by others), `journaling` (the crash journal),
//! `reanchoring` (spans following a changed text); here the state, applying changes, undo.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::annotation::{Annotation, AnnotationLayer, Edit, EditError};
use super::history::{Change, History, Selection, Step};
use super::journal::Journal;
use super::project::{
    DocumentError, LayerKey, LoadedText, Project, ProjectError, valid_layer_name,
};
use super::schema::Schema;

mod disk;
mod documents;
mod edits;
mod entities;
mod journaling;
mod many;
mod reanchoring;
mod save;

use super::job::Job;
use disk::DiskFindings;
pub use disk::{Resolution, SyncReport};
pub use documents::{NewDocument, write_new_files};
pub use many::{Clash, ManyReport, Place, PlacesJob, PlannedPlaces};
use save::BackgroundSave;
pub use save::{SaveReport, commit_staged};

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{0}")]
    Edit(#[from] EditError),
    #[error("{document}: {source}")]
    Document {
        document: String,
        source: DocumentError,
    },
    #[error("unknown label \"{0}\"")]
    UnknownLabel(String),
    #[error("span {start}..{end} is outside the text ({len} characters)")]
    OutOfRange {
        start: usize,
        end: usize,
        len: usize,
    },
    #[error("{0}")]
    BadAnnotator(String),
    #[error("characters {start}..{end} are already annotated as {label}")]
    AlreadyAnnotated {
        start: usize,
        end: usize,
        label: String,
    },
    #[error(
        "this annotation file is read-only until the project is reopened (it could not be read, \
         or it changed on disk under unsaved edits): {}",
        .0.display()
    )]
    Locked(PathBuf),
    #[error("the annotations or their text changed while the re-anchoring was planned")]
    Stale,
    #[error("{0} changed on disk while its places were being prepared: search again")]
    TextChanged(String),
    #[error("no relation type \"{kind}\" goes from {from_label} to {to_label}")]
    RelationNotAllowed {
        kind: String,
        from_label: String,
        to_label: String,
    },
    #[error("label {label} has no attribute \"{name}\"")]
    UnknownAttribute { label: String, name: String },
    #[error("\"{value}\" is not a value of attribute \"{name}\"")]
    BadAttributeValue { name: String, value: String },
    #[error("the schema would be invalid: {0}")]
    BadSchema(String),
    #[error("{0}")]
    Entity(#[from] crate::core::entities::EntityError),
    #[error("{0}")]
    Disk(String),
    #[error("another tagdesk is annotating as {0}; this window is read-only for them")]
    HeldElsewhere(String),
    #[error("{0}")]
    Review(String),
}

/// What an undo or redo changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replayed {
    pub description: String,
    /// The first document it changed (none for a schema-only step).
    pub document: Option<String>,
    /// The selection to show again: from before the undone step, or after the redone one.
    pub selection: Selection,
}

/// What a schema change would remove from the annotations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchemaImpact {
    /// Annotations that lose attribute values.
    pub annotations: usize,
    pub relations: usize,
}

/// What a change leaves unsaved.
enum Dirty {
    Layer(LayerKey),
    Manifest,
    Entities,
}

/// What was applied, forward, for the crash journal.
enum Applied {
    Layer(LayerKey, Vec<Edit>),
    Schema(Schema),
    Entities(crate::core::entities::Registry),
}

/// A change to make, before it is applied (its inverse goes to the history).
#[derive(Debug, Clone)]
pub enum Pending {
    Layer(LayerKey, Vec<Edit>),
    Schema(Schema),
    /// A new entity registry.
    Entities(crate::core::entities::Registry),
}

/// Journal entries being written on a thread; it returns those it could not write.
type JournalJob = Job<Vec<(journaling::JournalWrite, String)>>;

pub struct Workspace {
    /// Read through [`Self::project`]; changed only by the workspace's own steps (the one door).
    project: Project,
    texts: HashMap<String, Result<Arc<LoadedText>, DocumentError>>,
    history: History,
    dirty: BTreeSet<LayerKey>,
    manifest_dirty: bool,
    /// The entity registry has unsaved changes.
    entities_dirty: bool,
    journal: Journal,
    /// Annotators another tagdesk is annotating as: their layers are read-only here.
    held_elsewhere: BTreeSet<String>,
    /// The last failure to write the journal, if any (shown to the user: edits are not safe
    /// against a crash until saved).
    journal_error: Option<String>,
    /// A save running on a thread ([`Self::save_in_background`]).
    background: Option<BackgroundSave>,
    /// Files changed on disk being read on a thread ([`Self::check_disk_in_background`]).
    disk_check: Option<Job<DiskFindings>>,
    /// A big journal entry being written on a thread (see `write_journal`).
    journal_job: Option<JournalJob>,
    /// Journal records that could not be written (a full disk), per journal file with its
    /// base, in order: the next append to that file writes them first.
    journal_backlog: BTreeMap<PathBuf, (String, Vec<crate::core::journal::Entry>)>,
    /// How many edit lines each layer's crash journal holds (a save records how many of them
    /// the file it writes contains).
    journaled: HashMap<LayerKey, usize>,
    /// Off for a command that saves each step at once (`tagdesk import`): the save, one
    /// commit, is the step's crash safety, and a journal would only cost a sync per layer.
    journaling: bool,
    /// Counts the changes made here that are not on disk (each edit, undo, redo, recovered
    /// journal, conflict kept): what autosave and the views that depend on the whole
    /// workspace watch. Bumped only by [`Self::mark_dirty`], the one door.
    revision: u64,
    /// What the user has selected now; kept with each new undo step.
    selection: Selection,
    /// Who makes the edits here (the window's annotator): a span added or changed with
    /// another author records them as `modified_by` ([`Self::apply_changes`]).
    editor: Option<String>,
}

impl Workspace {
    pub fn new(project: Project) -> Self {
        Self {
            journal: Journal::new(&project.root),
            project,
            texts: HashMap::new(),
            history: History::default(),
            dirty: BTreeSet::new(),
            manifest_dirty: false,
            entities_dirty: false,
            journal_error: None,
            held_elsewhere: BTreeSet::new(),
            background: None,
            disk_check: None,
            journal_job: None,
            journal_backlog: BTreeMap::new(),
            journaled: HashMap::new(),
            journaling: true,
            selection: Selection::default(),
            editor: None,
            revision: 0,
        }
    }

    /// A workspace on a project opened with these options ([`Project::open_with`]); the
    /// named openers below are its common cases.
    pub fn open_with(
        root: &Path,
        options: &super::project::OpenOptions,
    ) -> Result<Self, ProjectError> {
        Project::open_with(root, options).map(Self::new)
    }

    pub fn open(root: &Path) -> Result<Self, ProjectError> {
        Project::open(root).map(Self::new)
    }

    /// A workspace with only some annotators' layers (see [`Project::open_annotators`]).
    pub fn open_annotators(root: &Path, annotators: &[String]) -> Result<Self, ProjectError> {
        Project::open_annotators(root, annotators).map(Self::new)
    }

    /// A workspace to read only (see [`Project::open_read_only`]): the CLI's export, stats and
    /// agreement.
    pub fn open_read_only(root: &Path) -> Result<Self, ProjectError> {
        Project::open_read_only(root).map(Self::new)
    }

    /// The document's text, read from disk on first use and cached.
    pub fn text(&mut self, document: &str) -> Result<Arc<LoadedText>, WorkspaceError> {
        let loaded = self
            .texts
            .entry(document.to_owned())
            .or_insert_with(|| self.project.read_text(document).map(Arc::new));
        loaded.clone().map_err(|source| WorkspaceError::Document {
            document: document.to_owned(),
            source,
        })
    }

    /// Reads, on all cores, the texts of those `documents` the project has and the cache does
    /// not; [`Self::text`] then finds them (an import of a thousand documents needs them all).
    pub fn cache_texts<'a>(&mut self, documents: impl IntoIterator<Item = &'a str>) {
        use rayon::prelude::*;
        let wanted: Vec<&str> = documents
            .into_iter()
            .filter(|d| !self.texts.contains_key(*d) && self.project.document(d).is_some())
            .collect();
        let project = &self.project;
        let read: Vec<_> = wanted
            .par_iter()
            .map(|d| ((*d).to_owned(), project.read_text(d).map(Arc::new)))
            .collect();
        self.texts.extend(read);
    }

    /// The texts read so far, taken out of the cache: another workspace on the same project
    /// (the next annotator's, of an import that takes one at a time) is given them with
    /// [`Self::insert_text`] instead of reading them again.
    pub fn take_texts(&mut self) -> Vec<(String, Arc<LoadedText>)> {
        std::mem::take(&mut self.texts)
            .into_iter()
            .filter_map(|(path, text)| Some((path, text.ok()?)))
            .collect()
    }

    /// The cached text, if it was loaded.
    pub fn cached_text(&self, document: &str) -> Option<&Result<Arc<LoadedText>, DocumentError>> {
        self.texts.get(document)
    }

    /// Stores a text read elsewhere (e.g. on a background thread).
    pub fn insert_text(&mut self, document: &str, text: Result<Arc<LoadedText>, DocumentError>) {
        self.texts.insert(document.to_owned(), text);
    }

    pub fn layer(&self, document: &str, annotator: &str) -> Option<&AnnotationLayer> {
        self.project
            .layers
            .get(&LayerKey::new(document.to_owned(), annotator.to_owned()))
    }

    pub fn is_dirty(&self) -> bool {
        !self.dirty.is_empty() || self.manifest_dirty || self.entities_dirty
    }

    /// Whether the manifest (the schema) has unsaved changes.
    pub fn manifest_dirty(&self) -> bool {
        self.manifest_dirty
    }

    pub fn dirty_layers(&self) -> &BTreeSet<LayerKey> {
        &self.dirty
    }

    /// The project as it stands (its files, schema, documents and layers). Changes go through
    /// the workspace's steps, never through this.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// See the `revision` field: it changes with every change made here that needs saving.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The one door every change made here passes: it marks what is to be saved and counts
    /// the change (autosave and the views that depend on it follow [`Self::revision`]).
    fn mark_dirty(&mut self, what: Dirty) {
        self.revision += 1;
        match what {
            Dirty::Layer(key) => {
                self.dirty.insert(key);
            }
            Dirty::Manifest => self.manifest_dirty = true,
            Dirty::Entities => self.entities_dirty = true,
        }
    }

    /// Whether a layer's file changed on disk since it was read or written here (a cheap
    /// check of its size and time, then of its bytes when those cannot be trusted).
    pub fn layer_file_changed(&mut self, key: &LayerKey) -> bool {
        self.project.layer_file_changed(key)
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// Tells the workspace what the user has selected: the next undo step keeps it, and undo
    /// gives it back ([`Replayed::selection`]).
    pub fn set_selection(&mut self, selection: Selection) {
        self.selection = selection;
    }

    /// Ends the current coalescing group of the history.
    pub fn break_coalescing(&mut self) {
        self.history.break_coalescing();
    }

    /// Applies a group of edits to one layer as one undo step. If any edit fails, the ones
    /// already applied are rolled back and nothing changes.
    pub fn apply(
        &mut self,
        key: &LayerKey,
        description: impl Into<String>,
        coalesce: Option<String>,
        edits: Vec<Edit>,
    ) -> Result<(), WorkspaceError> {
        self.apply_changes(
            description,
            coalesce,
            vec![Pending::Layer(key.clone(), edits)],
        )
    }

    /// Who makes the edits from now on (see `editor`); `None`: nobody in particular (a
    /// command), spans keep what they record.
    pub fn set_editor(&mut self, editor: Option<&str>) {
        self.editor = editor.map(str::to_owned);
    }

    /// Applies changes to several layers and the schema as one undo step; all or nothing.
    pub fn apply_changes(
        &mut self,
        description: impl Into<String>,
        coalesce: Option<String>,
        mut pending: Vec<Pending>,
    ) -> Result<(), WorkspaceError> {
        if let Some(editor) = &self.editor {
            stamp_editor(&mut pending, editor);
        }
        for change in &pending {
            if let Pending::Layer(key, _) = change {
                if self.held_elsewhere.contains(&key.annotator) {
                    return Err(WorkspaceError::HeldElsewhere(key.annotator.clone()));
                }
                if self.project.is_locked(key) {
                    return Err(WorkspaceError::Locked(self.project.layer_file(key)));
                }
                valid_layer_name(&key.annotator).map_err(WorkspaceError::BadAnnotator)?;
            }
        }
        // What the crash journal gets (nothing when the step is saved at once).
        let journaled = self.journaling && !self.project.is_read_only();
        let forward: Vec<Applied> = pending
            .iter()
            .filter(|_| journaled)
            .map(|p| match p {
                Pending::Layer(key, edits) => Applied::Layer(key.clone(), edits.clone()),
                Pending::Schema(schema) => Applied::Schema(schema.clone()),
                Pending::Entities(registry) => Applied::Entities(registry.clone()),
            })
            .collect();
        let applied = if many_layers(&pending) {
            self.apply_pending_in_parallel(pending)?
        } else {
            let mut applied: Vec<Change> = Vec::with_capacity(pending.len());
            for change in pending {
                match self.apply_pending(change) {
                    Ok(inverse) => applied.push(inverse),
                    Err(err) => {
                        self.roll_back(applied);
                        return Err(err);
                    }
                }
            }
            applied
        };
        self.history.push(Step {
            description: description.into(),
            changes: applied,
            coalesce,
            selection: self.selection.clone(),
        });
        self.write_journal(forward);
        Ok(())
    }

    /// Makes an annotator's layers read-only here (another instance holds their lock), or
    /// writable again.
    pub fn set_held_elsewhere(&mut self, annotator: &str, held: bool) {
        if held {
            self.held_elsewhere.insert(annotator.to_owned());
        } else {
            self.held_elsewhere.remove(annotator);
        }
    }

    /// Whether another instance holds this annotator's lock (their layers are read-only here).
    pub fn is_held_elsewhere(&self, annotator: &str) -> bool {
        self.held_elsewhere.contains(annotator)
    }

    /// Takes back changes just applied (their inverses, last first; these always apply).
    fn roll_back(&mut self, applied: Vec<Change>) {
        for inverse in applied.into_iter().rev() {
            let _ = self.apply_change(&inverse);
        }
    }

    /// [`Self::apply_pending`] for every change, as applying them in order would, with the
    /// layers' edits applied on all cores (each layer is its own; an import of a thousand
    /// documents changes a thousand layers). Returns the inverses in the changes' order; on an
    /// error (the first in that order) everything applied is taken back.
    fn apply_pending_in_parallel(
        &mut self,
        pending: Vec<Pending>,
    ) -> Result<Vec<Change>, WorkspaceError> {
        use rayon::prelude::*;
        let count = pending.len();
        let mut done: Vec<Option<Result<Change, WorkspaceError>>> = Vec::with_capacity(count);
        let mut edits: HashMap<LayerKey, (usize, Vec<Edit>)> = HashMap::new();
        // Layers this step makes, and whether each was already waiting to be saved (a layer
        // removed before): on an error they go again, as if the step had never been.
        let mut created: HashMap<LayerKey, bool> = HashMap::new();
        for (n, change) in pending.into_iter().enumerate() {
            match change {
                Pending::Layer(key, layer_edits) => {
                    if !self.project.layers.contains_key(&key) {
                        let mut layer =
                            AnnotationLayer::new(key.document.clone(), key.annotator.clone());
                        layer.source_sha256 = self
                            .texts
                            .get(&key.document)
                            .and_then(|t| t.as_ref().ok())
                            .map(|t| t.sha256.clone())
                            .unwrap_or_default();
                        self.project.layers.insert(key.clone(), layer);
                        created.insert(key.clone(), self.dirty.contains(&key));
                    }
                    edits.insert(key, (n, layer_edits));
                    done.push(None);
                }
                other => done.push(Some(self.apply_pending(other))),
            }
        }
        let jobs: Vec<(usize, &LayerKey, &mut AnnotationLayer, Vec<Edit>)> = self
            .project
            .layers
            .iter_mut()
            .filter_map(|(key, layer)| {
                edits
                    .remove(key)
                    .map(|(n, layer_edits)| (n, key, layer, layer_edits))
            })
            .collect();
        let results: Vec<(usize, LayerKey, Result<Vec<Edit>, EditError>)> = jobs
            .into_par_iter()
            .map(|(n, key, layer, layer_edits)| (n, key.clone(), apply_all(layer, layer_edits)))
            .collect();
        for (n, key, result) in results {
            done[n] = Some(match result {
                Ok(inverses) => {
                    self.mark_dirty(Dirty::Layer(key.clone()));
                    Ok(Change::Layer { key, inverses })
                }
                Err(err) => Err(err.into()),
            });
        }
        let mut applied = Vec::with_capacity(count);
        let mut first_error = None;
        for outcome in done.into_iter().flatten() {
            match outcome {
                Ok(change) => applied.push(change),
                Err(err) => {
                    first_error.get_or_insert(err);
                }
            }
        }
        match first_error {
            None => Ok(applied),
            Some(err) => {
                self.roll_back(applied);
                for (key, was_dirty) in created {
                    self.project.layers.remove(&key);
                    if !was_dirty {
                        self.dirty.remove(&key);
                    }
                }
                Err(err)
            }
        }
    }

    fn apply_pending(&mut self, change: Pending) -> Result<Change, WorkspaceError> {
        match change {
            Pending::Layer(key, edits) => {
                let source_sha256 = self
                    .texts
                    .get(&key.document)
                    .and_then(|t| t.as_ref().ok())
                    .map(|t| t.sha256.clone());
                let created = !self.project.layers.contains_key(&key);
                let layer = self.project.layers.entry(key.clone()).or_insert_with(|| {
                    let mut layer =
                        AnnotationLayer::new(key.document.clone(), key.annotator.clone());
                    layer.source_sha256 = source_sha256.unwrap_or_default();
                    layer
                });
                match apply_all(layer, edits) {
                    Ok(inverses) => {
                        self.mark_dirty(Dirty::Layer(key.clone()));
                        Ok(Change::Layer { key, inverses })
                    }
                    Err(err) => {
                        if created {
                            // A refused first edit leaves no empty layer behind.
                            self.project.layers.remove(&key);
                        }
                        Err(err.into())
                    }
                }
            }
            Pending::Schema(schema) => {
                let problems = schema.problems();
                if !problems.is_empty() {
                    return Err(WorkspaceError::BadSchema(problems.join("; ")));
                }
                let previous = std::mem::replace(&mut self.project.manifest.schema, schema);
                self.mark_dirty(Dirty::Manifest);
                Ok(Change::Schema(previous))
            }
            Pending::Entities(registry) => {
                let previous = std::mem::replace(&mut self.project.entities, registry);
                self.mark_dirty(Dirty::Entities);
                Ok(Change::Entities(previous))
            }
        }
    }

    /// Applies a recorded change (inverses of a layer's edits, in reverse; or a schema) and
    /// returns the change that reverts it.
    fn apply_change(&mut self, change: &Change) -> Result<Change, WorkspaceError> {
        self.apply_change_recorded(change)
            .map(|(inverse, _)| inverse)
    }

    /// [`Self::apply_change`], also returning what was applied (for the journal).
    fn apply_change_recorded(
        &mut self,
        change: &Change,
    ) -> Result<(Change, Applied), WorkspaceError> {
        match change {
            Change::Layer { key, inverses } => {
                let edits: Vec<Edit> = inverses.iter().rev().cloned().collect();
                let layer = self
                    .project
                    .layers
                    .get_mut(key)
                    .ok_or_else(|| EditError::UnknownId(key.document.clone()))?;
                let inverses = apply_all(layer, edits.clone())?;
                self.mark_dirty(Dirty::Layer(key.clone()));
                Ok((
                    Change::Layer {
                        key: key.clone(),
                        inverses,
                    },
                    Applied::Layer(key.clone(), edits),
                ))
            }
            Change::Schema(schema) => {
                let previous = std::mem::replace(&mut self.project.manifest.schema, schema.clone());
                self.mark_dirty(Dirty::Manifest);
                Ok((Change::Schema(previous), Applied::Schema(schema.clone())))
            }
            Change::Entities(registry) => {
                let previous = std::mem::replace(&mut self.project.entities, registry.clone());
                self.mark_dirty(Dirty::Entities);
                Ok((
                    Change::Entities(previous),
                    Applied::Entities(registry.clone()),
                ))
            }
        }
    }

    /// Undoes the last step.
    pub fn undo(&mut self) -> Option<Replayed> {
        let step = self.history.pop_undo()?;
        let redo = self.replay(&step)?;
        let done = Replayed {
            description: step.description.clone(),
            document: step.document().map(str::to_owned),
            selection: step.selection.clone(),
        };
        self.history.push_redo(redo);
        Some(done)
    }

    /// Redoes the last undone step.
    pub fn redo(&mut self) -> Option<Replayed> {
        let step = self.history.pop_redo()?;
        let undo = self.replay(&step)?;
        let done = Replayed {
            description: step.description.clone(),
            document: step.document().map(str::to_owned),
            selection: step.selection.clone(),
        };
        self.history.push_undo_keep_redo(undo);
        Some(done)
    }

    /// Applies a step's changes in reverse order and returns the step that reverts that.
    fn replay(&mut self, step: &Step) -> Option<Step> {
        let mut produced = Vec::with_capacity(step.changes.len());
        let mut applied = Vec::with_capacity(step.changes.len());
        for change in step.changes.iter().rev() {
            let Ok((inverse, forward)) = self.apply_change_recorded(change) else {
                // A consistent history always replays; if not, put back what was done.
                for inverse in produced.into_iter().rev() {
                    let _ = self.apply_change(&inverse);
                }
                return None;
            };
            produced.push(inverse);
            applied.push(forward);
        }
        self.write_journal(applied);
        // `produced` is in the order it was applied, which is the order "changes" are kept in:
        // replaying it walks it backwards again.
        Some(Step {
            description: step.description.clone(),
            changes: produced,
            coalesce: None,
            selection: std::mem::replace(&mut self.selection, step.selection.clone()),
        })
    }
}

/// A span's text, the span, and its pieces (see `Workspace::span_pieces`).
type SpanPieces = (Arc<LoadedText>, Annotation, Vec<Range<usize>>);

/// A span must be non-empty and inside the text.
fn check_range(chars: &Range<usize>, len: usize) -> Result<(), WorkspaceError> {
    if chars.start >= chars.end || chars.end > len {
        return Err(WorkspaceError::OutOfRange {
            start: chars.start,
            end: chars.end,
            len,
        });
    }
    Ok(())
}

/// Records who changed each span added or replaced, where it is not its author (a curator in
/// the curated layer); the author changing their own span clears it. Re-anchoring
/// (`ReplaceMany`, `SetSpans`) is nobody's change and records nothing.
fn stamp_editor(pending: &mut [Pending], editor: &str) {
    for change in pending {
        let Pending::Layer(_, edits) = change else {
            continue;
        };
        for edit in edits {
            if let Edit::Add(a) | Edit::Replace(a) = edit {
                a.set_modified_by((a.author.as_str() != editor).then(|| editor.into()));
            }
        }
    }
}

/// Whether a step changes enough distinct layers to apply them on all cores (as many as a
/// save commits as one batch); a key that comes twice keeps the step in order.
fn many_layers(pending: &[Pending]) -> bool {
    let keys: Vec<&LayerKey> = pending
        .iter()
        .filter_map(|p| match p {
            Pending::Layer(key, _) => Some(key),
            _ => None,
        })
        .collect();
    keys.len() >= super::project::BATCH
        && keys.iter().collect::<std::collections::HashSet<_>>().len() == keys.len()
}

/// Applies edits in order; on failure rolls back and returns the error.
fn apply_all(layer: &mut AnnotationLayer, edits: Vec<Edit>) -> Result<Vec<Edit>, EditError> {
    layer.apply_all(edits)
}

#[cfg(test)]
mod tests;
