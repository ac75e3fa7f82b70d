//! A working session on a project: loaded texts, the undo history and unsaved layers.
//! The GUI and the CLI drive the same functions here.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::annotation::{
    Annotation, AnnotationLayer, DocStatus, Edit, EditError, new_annotation_id, now_rfc3339,
};
use super::history::{History, Step};
use super::project::{
    DocumentError, LayerKey, LoadedText, Project, ProjectError, valid_annotator_name,
};

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
        "this layer is read-only: its file could not be read when the project was opened ({})",
        .0.display()
    )]
    Locked(PathBuf),
}

/// What a save did.
#[derive(Debug, Default)]
pub struct SaveReport {
    pub saved: Vec<PathBuf>,
    pub errors: Vec<String>,
}

pub struct Workspace {
    pub project: Project,
    texts: HashMap<String, Result<Arc<LoadedText>, DocumentError>>,
    history: History,
    dirty: BTreeSet<LayerKey>,
}

impl Workspace {
    pub fn new(project: Project) -> Self {
        Self {
            project,
            texts: HashMap::new(),
            history: History::default(),
            dirty: BTreeSet::new(),
        }
    }

    pub fn open(root: &Path) -> Result<Self, ProjectError> {
        Project::open(root).map(Self::new)
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
            .get(&(document.to_owned(), annotator.to_owned()))
    }

    pub fn is_dirty(&self) -> bool {
        !self.dirty.is_empty()
    }

    pub fn dirty_layers(&self) -> &BTreeSet<LayerKey> {
        &self.dirty
    }

    pub fn history(&self) -> &History {
        &self.history
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
        if self.project.is_locked(key) {
            return Err(WorkspaceError::Locked(self.project.layer_file(key)));
        }
        valid_annotator_name(&key.1).map_err(WorkspaceError::BadAnnotator)?;
        let source_sha256 = self
            .texts
            .get(&key.0)
            .and_then(|t| t.as_ref().ok())
            .map(|t| t.sha256.clone());
        let layer = self.project.layers.entry(key.clone()).or_insert_with(|| {
            let mut layer = AnnotationLayer::new(key.0.clone(), key.1.clone());
            layer.source_sha256 = source_sha256.unwrap_or_default();
            layer
        });
        let inverses = apply_all(layer, edits)?;
        self.history.push(Step {
            key: key.clone(),
            description: description.into(),
            inverses,
            coalesce,
        });
        self.dirty.insert(key.clone());
        Ok(())
    }

    /// Undoes the last step; returns the layer it changed.
    pub fn undo(&mut self) -> Option<LayerKey> {
        let step = self.history.pop_undo()?;
        let redo = self.replay(&step)?;
        self.history.push_redo(redo);
        Some(step.key)
    }

    /// Redoes the last undone step; returns the layer it changed.
    pub fn redo(&mut self) -> Option<LayerKey> {
        let step = self.history.pop_redo()?;
        let undo = self.replay(&step)?;
        self.history.push_undo_keep_redo(undo);
        Some(step.key)
    }

    /// Applies a step's inverses in reverse order and returns the step that reverts that.
    fn replay(&mut self, step: &Step) -> Option<Step> {
        let layer = self.project.layers.get_mut(&step.key)?;
        let edits: Vec<Edit> = step.inverses.iter().rev().cloned().collect();
        // Inverses of a consistent history always apply; if one does not, nothing changes.
        let inverses = apply_all(layer, edits).ok()?;
        self.dirty.insert(step.key.clone());
        Some(Step {
            key: step.key.clone(),
            description: step.description.clone(),
            inverses,
            coalesce: None,
        })
    }

    /// Writes every changed layer to disk. Layers that fail stay unsaved and are reported.
    pub fn save(&mut self) -> SaveReport {
        let mut report = SaveReport::default();
        let keys: Vec<LayerKey> = self.dirty.iter().cloned().collect();
        for key in keys {
            if let Some(Ok(text)) = self.texts.get(&key.0)
                && let Some(layer) = self.project.layers.get_mut(&key)
            {
                layer.source_sha256.clone_from(&text.sha256);
            }
            match self.project.save_layer(&key) {
                Ok(()) => {
                    self.dirty.remove(&key);
                    report.saved.push(self.project.layer_file(&key));
                }
                Err(err) => report.errors.push(err.to_string()),
            }
        }
        report
    }

    // ---- Domain operations: each builds edits and applies them as one undo step. ----

    /// Adds a span with `label` over `chars` of `document`; returns its id. A document the
    /// annotator had not started becomes "in progress" in the same step.
    pub fn add_span(
        &mut self,
        document: &str,
        annotator: &str,
        chars: Range<usize>,
        label: &str,
    ) -> Result<String, WorkspaceError> {
        self.check_label(label)?;
        let text = self.text(document)?;
        check_range(&chars, text.text.char_len())?;
        if self.layer(document, annotator).is_some_and(|l| {
            l.overlapping(chars.start, chars.end)
                .any(|a| a.start == chars.start && a.end == chars.end && a.label == label)
        }) {
            return Err(WorkspaceError::AlreadyAnnotated {
                start: chars.start,
                end: chars.end,
                label: label.to_owned(),
            });
        }
        let now = now_rfc3339();
        let id = new_annotation_id();
        let annotation = Annotation {
            id: id.clone(),
            label: label.to_owned(),
            start: chars.start,
            end: chars.end,
            text: text.text.slice(chars).to_owned(),
            author: annotator.to_owned(),
            created: now.clone(),
            modified: now,
            note: None,
        };
        let key = (document.to_owned(), annotator.to_owned());
        let mut edits = vec![Edit::Add(annotation)];
        if self
            .layer(document, annotator)
            .is_none_or(|l| l.status == DocStatus::New)
        {
            edits.push(Edit::SetStatus(DocStatus::InProgress));
        }
        self.apply(&key, format!("add {label}"), None, edits)?;
        Ok(id)
    }

    pub fn remove_span(&mut self, key: &LayerKey, id: &str) -> Result<(), WorkspaceError> {
        let label = self.existing(key, id)?.label;
        self.apply(
            key,
            format!("delete {label}"),
            None,
            vec![Edit::Remove { id: id.to_owned() }],
        )
    }

    pub fn relabel(&mut self, key: &LayerKey, id: &str, label: &str) -> Result<(), WorkspaceError> {
        self.check_label(label)?;
        let mut annotation = self.existing(key, id)?;
        if annotation.label == label {
            return Ok(());
        }
        annotation.label = label.to_owned();
        annotation.modified = now_rfc3339();
        self.apply(
            key,
            format!("relabel as {label}"),
            None,
            vec![Edit::Replace(annotation)],
        )
    }

    /// Moves a span's edges; the covered text follows.
    pub fn resize(
        &mut self,
        key: &LayerKey,
        id: &str,
        chars: Range<usize>,
    ) -> Result<(), WorkspaceError> {
        let text = self.text(&key.0)?;
        check_range(&chars, text.text.char_len())?;
        let mut annotation = self.existing(key, id)?;
        annotation.start = chars.start;
        annotation.end = chars.end;
        annotation.text = text.text.slice(chars).to_owned();
        annotation.modified = now_rfc3339();
        self.apply(
            key,
            "resize span",
            Some(format!("resize:{id}")),
            vec![Edit::Replace(annotation)],
        )
    }

    /// Sets or clears a note. Consecutive note edits of one span are one undo step.
    pub fn set_note(
        &mut self,
        key: &LayerKey,
        id: &str,
        note: Option<String>,
    ) -> Result<(), WorkspaceError> {
        let mut annotation = self.existing(key, id)?;
        let note = note.filter(|n| !n.is_empty());
        if annotation.note == note {
            return Ok(());
        }
        annotation.note = note;
        annotation.modified = now_rfc3339();
        self.apply(
            key,
            "edit note",
            Some(format!("note:{id}")),
            vec![Edit::Replace(annotation)],
        )
    }

    pub fn set_status(&mut self, key: &LayerKey, status: DocStatus) -> Result<(), WorkspaceError> {
        if self
            .project
            .layers
            .get(key)
            .map_or(DocStatus::New, |l| l.status)
            == status
        {
            return Ok(());
        }
        self.apply(
            key,
            format!("mark {}", status.as_str()),
            None,
            vec![Edit::SetStatus(status)],
        )
    }

    fn check_label(&self, label: &str) -> Result<(), WorkspaceError> {
        match self.project.schema().get(label) {
            Some(_) => Ok(()),
            None => Err(WorkspaceError::UnknownLabel(label.to_owned())),
        }
    }

    fn existing(&self, key: &LayerKey, id: &str) -> Result<Annotation, WorkspaceError> {
        self.project
            .layers
            .get(key)
            .and_then(|l| l.get(id))
            .cloned()
            .ok_or_else(|| EditError::UnknownId(id.to_owned()).into())
    }
}

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

/// Applies edits in order; on failure rolls back and returns the error.
fn apply_all(layer: &mut AnnotationLayer, edits: Vec<Edit>) -> Result<Vec<Edit>, EditError> {
    let mut inverses = Vec::with_capacity(edits.len());
    for edit in edits {
        match layer.apply(edit) {
            Ok(inverse) => inverses.push(inverse),
            Err(err) => {
                for inverse in inverses.into_iter().rev() {
                    // The inverse of an edit just applied always applies.
                    let _ = layer.apply(inverse);
                }
                return Err(err);
            }
        }
    }
    Ok(inverses)
}
