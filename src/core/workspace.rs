//! A working session on a project: loaded texts, the undo history and unsaved layers.
//! The GUI and the CLI drive the same functions here.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::annotation::{
    Annotation, AnnotationLayer, CONTEXT_CHARS, DocStatus, Edit, EditError, Relation,
    new_annotation_id, now_rfc3339,
};
use super::history::{Change, History, Step};
use super::journal::{Entry, Journal};
use super::project::{
    DocumentError, LayerKey, LoadedText, Project, ProjectError, valid_layer_name,
};
use super::schema::{AttributeValue, Schema};

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
}

/// What a schema change would remove from the annotations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchemaImpact {
    /// Annotations that lose attribute values.
    pub annotations: usize,
    pub relations: usize,
}

/// What [`Workspace::sync_from_disk`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub documents_added: Vec<String>,
    pub documents_removed: Vec<String>,
    /// Documents whose text changed on disk (reloaded when next shown).
    pub documents_changed: Vec<String>,
    /// Layers reloaded from disk (no unsaved edits of ours).
    pub layers_reloaded: Vec<LayerKey>,
    /// Layers changed on disk while we have unsaved edits: the user chooses.
    pub conflicts: Vec<LayerKey>,
}

impl SyncReport {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Adds an earlier report's findings (a later one's win where both name something).
    fn merge(&mut self, earlier: Self) {
        fn add<T: PartialEq>(to: &mut Vec<T>, from: Vec<T>) {
            for x in from {
                if !to.contains(&x) {
                    to.push(x);
                }
            }
        }
        add(&mut self.documents_added, earlier.documents_added);
        add(&mut self.documents_removed, earlier.documents_removed);
        add(&mut self.documents_changed, earlier.documents_changed);
        add(&mut self.layers_reloaded, earlier.layers_reloaded);
        add(&mut self.conflicts, earlier.conflicts);
    }
}

/// What checking changed files needs, taken from the workspace so it can run on a thread.
struct DiskCheck {
    /// Root and source folder, when something under the sources changed: listed again.
    rescan: Option<(PathBuf, PathBuf)>,
    /// Loaded texts whose files changed: (document, file).
    texts: Vec<(String, PathBuf)>,
    layers: Vec<super::project::LayerCheck>,
}

/// What a [`DiskCheck`] read.
#[derive(Default)]
struct DiskFindings {
    documents: Option<Vec<super::project::DocumentEntry>>,
    /// Each text's hash now (`None`: unreadable).
    texts: Vec<(String, Option<String>)>,
    layers: Vec<(LayerKey, super::project::LayerOnDisk)>,
}

impl DiskCheck {
    fn run(self) -> DiskFindings {
        DiskFindings {
            documents: self
                .rescan
                .and_then(|(root, sources)| super::project::scan_documents(&root, &sources).ok()),
            texts: self
                .texts
                .into_iter()
                .map(|(doc, file)| {
                    let hash = std::fs::read(&file)
                        .ok()
                        .map(|b| super::project::content_hash(&b));
                    (doc, hash)
                })
                .collect(),
            layers: self
                .layers
                .into_iter()
                .map(|check| (check.key.clone(), check.run()))
                .collect(),
        }
    }
}

/// How to settle an annotation file that changed on disk under unsaved edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Ours is saved over theirs (theirs is copied to `.tagdesk/conflicts/` first).
    KeepMine,
    /// Theirs is loaded; our unsaved edits are dropped.
    TakeTheirs,
    /// Theirs is loaded; ours is kept as a copy in `.tagdesk/conflicts/`.
    KeepBoth,
}

/// What re-anchoring a layer did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReanchorReport {
    pub unchanged: usize,
    /// (id, old start, new start).
    pub moved: Vec<(String, usize, usize)>,
    /// (id, why).
    pub needs_review: Vec<(String, String)>,
}

/// What was applied, forward, for the crash journal.
enum Applied {
    Layer(LayerKey, Vec<Edit>),
    Schema(Schema),
}

/// A change to make, before it is applied (its inverse goes to the history).
#[derive(Debug, Clone)]
pub enum Pending {
    Layer(LayerKey, Vec<Edit>),
    Schema(Schema),
}

/// What a save did.
#[derive(Debug, Default)]
pub struct SaveReport {
    pub saved: Vec<PathBuf>,
    pub errors: Vec<String>,
}

impl SaveReport {
    fn merge(&mut self, other: Self) {
        self.saved.extend(other.saved);
        self.errors.extend(other.errors);
    }
}

pub struct Workspace {
    pub project: Project,
    texts: HashMap<String, Result<Arc<LoadedText>, DocumentError>>,
    history: History,
    dirty: BTreeSet<LayerKey>,
    manifest_dirty: bool,
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
    journal_job: Option<(LayerKey, Job<Result<(), String>>)>,
    /// How many edit lines each layer's crash journal holds (a save records how many of them
    /// the file it writes contains).
    journaled: HashMap<LayerKey, usize>,
}

/// Layers being written (on a thread, or already written in place), and what happened to
/// them meanwhile.
struct BackgroundSave {
    writes: Job<Vec<super::project::LayerWritten>>,
    /// Each layer written, with its revision when it was copied.
    revisions: Vec<(LayerKey, u64)>,
    /// Edits applied to those layers while they were written, as journaled.
    later: HashMap<LayerKey, Vec<Entry>>,
}

/// A journal entry touching this many spans or more is written on a thread.
const BIG_JOURNAL_ENTRY: usize = 5_000;

/// How many spans a batch of edits carries (a measure of its journal entry's size).
fn spans_in(edits: &[Edit]) -> usize {
    edits
        .iter()
        .map(|e| match e {
            Edit::ReplaceMany(spans) => spans.len(),
            Edit::SetSpans(spans) => spans.len(),
            _ => 1,
        })
        .sum()
}

fn run_writes(jobs: Vec<super::project::LayerWrite>) -> Vec<super::project::LayerWritten> {
    jobs.into_iter()
        .map(super::project::LayerWrite::run)
        .collect()
}

/// Work handed to a thread (or, when none can be had, done in place).
enum Job<T> {
    Running(std::thread::JoinHandle<Option<T>>),
    Done(T),
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work(input)` on a thread named `name`, or here if no thread can be had.
    fn start<I: Send + 'static>(name: &str, input: I, work: fn(I) -> T) -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel::<I>(1);
        let spawned = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || rx.recv().ok().map(work));
        match spawned {
            Ok(handle) => match tx.send(input) {
                Ok(()) => Self::Running(handle),
                Err(std::sync::mpsc::SendError(input)) => Self::Done(work(input)),
            },
            Err(_) => Self::Done(work(input)),
        }
    }

    fn is_finished(&self) -> bool {
        match self {
            Self::Running(handle) => handle.is_finished(),
            Self::Done(_) => true,
        }
    }

    /// The result, waiting for the thread; `None` if it died.
    fn wait(self) -> Option<T> {
        match self {
            Self::Running(handle) => handle.join().ok().flatten(),
            Self::Done(result) => Some(result),
        }
    }
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
            journal_error: None,
            held_elsewhere: BTreeSet::new(),
            background: None,
            disk_check: None,
            journal_job: None,
            journaled: HashMap::new(),
        }
    }

    pub fn open(root: &Path) -> Result<Self, ProjectError> {
        Project::open(root).map(Self::new)
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
        !self.dirty.is_empty() || self.manifest_dirty
    }

    /// Whether the manifest (the schema) has unsaved changes.
    pub fn manifest_dirty(&self) -> bool {
        self.manifest_dirty
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
        self.apply_changes(
            description,
            coalesce,
            vec![Pending::Layer(key.clone(), edits)],
        )
    }

    /// Applies changes to several layers and the schema as one undo step; all or nothing.
    pub fn apply_changes(
        &mut self,
        description: impl Into<String>,
        coalesce: Option<String>,
        pending: Vec<Pending>,
    ) -> Result<(), WorkspaceError> {
        for change in &pending {
            if let Pending::Layer(key, _) = change {
                if self.held_elsewhere.contains(&key.1) {
                    return Err(WorkspaceError::HeldElsewhere(key.1.clone()));
                }
                if self.project.is_locked(key) {
                    return Err(WorkspaceError::Locked(self.project.layer_file(key)));
                }
                valid_layer_name(&key.1).map_err(WorkspaceError::BadAnnotator)?;
            }
        }
        let forward: Vec<Applied> = pending
            .iter()
            .map(|p| match p {
                Pending::Layer(key, edits) => Applied::Layer(key.clone(), edits.clone()),
                Pending::Schema(schema) => Applied::Schema(schema.clone()),
            })
            .collect();
        let mut applied: Vec<Change> = Vec::with_capacity(pending.len());
        for change in pending {
            match self.apply_pending(change) {
                Ok(inverse) => applied.push(inverse),
                Err(err) => {
                    for inverse in applied.into_iter().rev() {
                        // Inverses of changes just applied always apply.
                        let _ = self.apply_change(&inverse);
                    }
                    return Err(err);
                }
            }
        }
        self.history.push(Step {
            description: description.into(),
            changes: applied,
            coalesce,
        });
        self.write_journal(forward);
        Ok(())
    }

    /// Appends what was just applied to the crash journal, before the caller shows it.
    fn write_journal(&mut self, applied: Vec<Applied>) {
        if self.project.is_read_only() {
            return; // Never saved, so nothing to recover.
        }
        // A big entry still being written goes first: the journal keeps the edits' order.
        self.settle_journal();
        for a in applied {
            let result = match a {
                Applied::Layer(key, edits) => {
                    if let Some(bg) = &mut self.background
                        && bg.revisions.iter().any(|(k, _)| k == &key)
                    {
                        bg.later
                            .entry(key.clone())
                            .or_default()
                            .push(Entry::Edits(edits.clone()));
                    }
                    let base = self.project.disk_hash(&key).unwrap_or_default().to_owned();
                    let path = self.journal.layer_path(&key);
                    *self.journaled.entry(key.clone()).or_default() += 1;
                    if spans_in(&edits) >= BIG_JOURNAL_ENTRY {
                        // Re-anchoring 100k spans is tens of megabytes to write and fsync: on a
                        // thread. Whatever is journaled next waits for it (`settle_journal`), so
                        // a crash meanwhile loses only edits that nothing later builds on.
                        self.settle_journal();
                        self.journal_job = Some((
                            key,
                            Job::start(
                                "tagdesk-journal",
                                (self.journal.clone(), path, base, edits),
                                |(journal, path, base, edits)| {
                                    journal
                                        .append(&path, &base, &[Entry::Edits(edits)])
                                        .map_err(|e| e.to_string())
                                },
                            ),
                        ));
                        continue;
                    }
                    let appended = self.journal.append(&path, &base, &[Entry::Edits(edits)]);
                    if appended.is_err()
                        && let Some(n) = self.journaled.get_mut(&key)
                    {
                        *n -= 1;
                    }
                    appended.map_err(|e| e.to_string())
                }
                Applied::Schema(schema) => self
                    .journal
                    .append(
                        &self.journal.manifest_path(),
                        self.project.manifest_hash(),
                        &[Entry::Schema(schema)],
                    )
                    .map_err(|e| e.to_string()),
            };
            if let Err(err) = result {
                self.journal_failed(&err);
            }
        }
    }

    /// Waits for a journal entry being written on a thread, if any.
    fn settle_journal(&mut self) {
        let Some((key, job)) = self.journal_job.take() else {
            return;
        };
        let err = match job.wait() {
            Some(Ok(())) => return,
            Some(Err(err)) => err,
            None => "the journal writer stopped".to_owned(),
        };
        if let Some(n) = self.journaled.get_mut(&key) {
            *n -= 1;
        }
        self.journal_failed(&err);
    }

    fn journal_failed(&mut self, err: &str) {
        self.journal_error = Some(format!(
            "cannot write the crash journal ({err}); unsaved edits would be lost in a crash"
        ));
    }

    /// Takes in changes made on disk by others (a watcher saw these paths change): the document
    /// list, changed texts, and annotation files — reloaded when we have no unsaved edits on
    /// them, reported as conflicts when we do. Our own writes are recognised by their hash.
    /// Reads the files here; [`Self::check_disk_in_background`] reads them on a thread.
    pub fn sync_from_disk(&mut self, paths: &[PathBuf]) -> SyncReport {
        if let Some(report) = self.finish_disk_check(true) {
            // One under way lands first (its findings are older).
            let mut later = self.sync_from_disk(paths);
            later.merge(report);
            return later;
        }
        let findings = self.disk_check_for(paths).run();
        self.take_in_disk(findings)
    }

    /// Starts reading what changed at these paths on a thread; the window goes on.
    /// [`Self::finish_disk_check`] takes the findings in. Returns `false` (nothing started)
    /// while a save or another check runs: our own writes must land before files are compared.
    pub fn check_disk_in_background(&mut self, paths: &[PathBuf]) -> bool {
        if self.background.is_some() || self.disk_check.is_some() {
            return false;
        }
        let check = self.disk_check_for(paths);
        self.disk_check = Some(Job::start("tagdesk-disk", check, DiskCheck::run));
        true
    }

    /// Whether a [`Self::check_disk_in_background`] is under way (or done and not taken in).
    pub fn checking_disk(&self) -> bool {
        self.disk_check.is_some()
    }

    /// Takes in a disk check once it is done (with `wait`, waits for it); `None` while it
    /// runs, or when there is none.
    pub fn finish_disk_check(&mut self, wait: bool) -> Option<SyncReport> {
        if !wait && !self.disk_check.as_ref()?.is_finished() {
            return None;
        }
        let findings = self.disk_check.take()?.wait().unwrap_or_default();
        Some(self.take_in_disk(findings))
    }

    /// What checking these paths needs, taken from the workspace.
    fn disk_check_for(&self, paths: &[PathBuf]) -> DiskCheck {
        let rescan = paths
            .iter()
            .any(|p| p.starts_with(&self.project.source_dir))
            .then(|| (self.project.root.clone(), self.project.source_dir.clone()));
        let mut texts = Vec::new();
        let mut layers: Vec<super::project::LayerCheck> = Vec::new();
        for path in paths {
            if let Some(doc) = self.project.document_for_path(path)
                && self.project.document(&doc).is_some()
                && matches!(self.texts.get(&doc), Some(Ok(_)))
                && !texts.iter().any(|(d, _)| *d == doc)
            {
                texts.push((doc, path.clone()));
            }
            if let Some(key) = self.project.layer_key_for_path(path)
                && !layers.iter().any(|c| c.key == key)
            {
                layers.push(self.project.layer_check(&key));
            }
        }
        DiskCheck {
            rescan,
            texts,
            layers,
        }
    }

    /// Compares what a [`DiskCheck`] read with the workspace as it is now (edits and saves may
    /// have happened since) and takes in what changed.
    fn take_in_disk(&mut self, findings: DiskFindings) -> SyncReport {
        use super::project::LayerOnDisk;
        let mut report = SyncReport::default();
        if let Some(documents) = findings.documents {
            (report.documents_added, report.documents_removed) =
                self.project.set_documents(documents);
        }
        for (doc, hash) in findings.texts {
            if self.project.document(&doc).is_some()
                && let Some(Ok(loaded)) = self.texts.get(&doc)
                && hash.as_deref() != Some(loaded.sha256.as_str())
            {
                self.texts.remove(&doc);
                report.documents_changed.push(doc);
            }
        }
        for (key, found) in findings.layers {
            match found {
                LayerOnDisk::Unchanged => {}
                LayerOnDisk::Same { hash, stamp } => {
                    self.project.note_layer_unchanged(&key, &hash, stamp);
                }
                LayerOnDisk::Changed(read) => {
                    let hash = match &read {
                        super::project::LayerRead::Gone => None,
                        super::project::LayerRead::Read { hash, .. } => Some(hash.as_str()),
                    };
                    if hash == self.project.disk_hash(&key) {
                        continue; // Our own save, landed since the check started.
                    }
                    if self.dirty.contains(&key) {
                        report.conflicts.push(key);
                    } else {
                        self.project.install_layer(&key, read);
                        report.layers_reloaded.push(key);
                    }
                }
            }
        }
        for doc in &report.documents_removed {
            self.texts.remove(doc);
        }
        report
    }

    /// Settles a layer that changed on disk under unsaved edits. Returns where a copy was kept.
    pub fn resolve_conflict(
        &mut self,
        key: &LayerKey,
        resolution: Resolution,
    ) -> Result<Option<PathBuf>, WorkspaceError> {
        let kept = match resolution {
            Resolution::KeepMine => {
                let kept = self
                    .project
                    .adopt_disk_version_as_base(key)
                    .map_err(|e| WorkspaceError::Disk(e.to_string()))?;
                self.dirty.insert(key.clone());
                kept
            }
            Resolution::TakeTheirs | Resolution::KeepBoth => {
                let kept = if resolution == Resolution::KeepBoth {
                    Some(
                        self.project
                            .keep_copy(key)
                            .map_err(|e| WorkspaceError::Disk(e.to_string()))?,
                    )
                } else {
                    None
                };
                self.project.reload_layer(key);
                self.dirty.remove(key);
                self.clear_journal(key);
                kept
            }
        };
        self.history.break_coalescing();
        Ok(kept)
    }

    /// Whether a layer was made against another version of its source text.
    pub fn source_changed(&mut self, key: &LayerKey) -> bool {
        let Some(layer) = self.project.layers.get(key) else {
            return false;
        };
        if layer.source_sha256.is_empty() {
            return false;
        }
        let recorded = layer.source_sha256.clone();
        self.text(&key.0).is_ok_and(|t| t.sha256 != recorded)
    }

    /// After the source text changed: moves each span to where its text now is, flags the ones
    /// that cannot be placed with certainty, and records the new text's hash — one undo step.
    /// `None` when the layer already matches its text.
    pub fn reanchor(&mut self, key: &LayerKey) -> Result<Option<ReanchorReport>, WorkspaceError> {
        if !self.source_changed(key) {
            return Ok(None);
        }
        let text = self.text(&key.0)?;
        let Some(layer) = self.project.layers.get(key) else {
            return Ok(None);
        };
        let plan = ReanchorPlan::new(key.clone(), layer.clone(), text).run();
        self.apply_reanchor(plan).map(Some)
    }

    /// What re-anchoring a layer needs, to plan it on another thread ([`ReanchorPlan::run`];
    /// the layer is shared, not copied); `None` when the layer already matches its text.
    pub fn reanchor_plan(&mut self, key: &LayerKey) -> Option<ReanchorPlan> {
        if !self.source_changed(key) {
            return None;
        }
        let text = self.text(&key.0).ok()?;
        let layer = self.project.layers.get(key)?.clone();
        Some(ReanchorPlan::new(key.clone(), layer, text))
    }

    /// Applies a planned re-anchoring as one undo step — if the layer and its text are still
    /// the ones planned for; otherwise [`WorkspaceError::Stale`] (plan again).
    pub fn apply_reanchor(
        &mut self,
        plan: PlannedReanchor,
    ) -> Result<ReanchorReport, WorkspaceError> {
        let current = self
            .project
            .layers
            .get(&plan.key)
            .map(AnnotationLayer::revision);
        let text_now = self
            .cached_text(&plan.key.0)
            .and_then(|t| t.as_ref().ok().map(|t| t.sha256.clone()));
        if current != Some(plan.revision) || text_now.as_deref() != Some(plan.sha256.as_str()) {
            return Err(WorkspaceError::Stale);
        }
        let mut edits = plan.edits;
        edits.push(Edit::SetSourceHash(plan.sha256));
        self.apply(&plan.key, "re-anchor after the text changed", None, edits)?;
        Ok(plan.report)
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

    /// Why the crash journal could not be written, if it could not.
    pub fn journal_error(&self) -> Option<&str> {
        self.journal_error.as_deref()
    }

    /// Replays the crash journal of a session that ended without saving: the edits come back
    /// (unsaved, outside the undo history). Returns one line per journal, for the user. A journal
    /// whose annotation file changed since is not replayed but set aside under
    /// `.tagdesk/conflicts/`.
    pub fn recover(&mut self) -> Vec<String> {
        let mut report = Vec::new();
        for (key, path) in self.journal.layer_journals() {
            let Ok(file) = Journal::read(&path) else {
                continue;
            };
            let current = self.project.disk_hash(&key).unwrap_or_default().to_owned();
            let to_replay = if self.project.is_locked(&key) {
                None
            } else {
                file.edits_after(&current)
            };
            let Some(to_replay) = to_replay else {
                let kept = self.journal.set_aside(&path);
                report.push(format!(
                    "{} ({}): unsaved edits from an earlier session were not replayed because the \
                     annotation file changed since; they are kept in {}",
                    key.0,
                    key.1,
                    kept.display()
                ));
                continue;
            };
            let to_replay: Vec<Vec<Edit>> = to_replay.into_iter().cloned().collect();
            if file.base != current {
                // The session crashed just after a save replaced the file: the journal now
                // builds on that file, with the edits the save did not hold.
                let entries: Vec<Entry> = to_replay.iter().cloned().map(Entry::Edits).collect();
                if let Err(err) = self.journal.replace(&path, &current, &entries) {
                    self.journal_error = Some(format!(
                        "cannot write the crash journal ({err}); unsaved edits would be lost in a crash"
                    ));
                }
            }
            self.journaled.insert(key.clone(), to_replay.len());
            // A layer first made in the lost session is made against the text as it is.
            let source_sha256 = if self.project.layers.contains_key(&key) {
                String::new()
            } else {
                self.text(&key.0)
                    .map(|t| t.sha256.clone())
                    .unwrap_or_default()
            };
            let layer = self.project.layers.entry(key.clone()).or_insert_with(|| {
                let mut layer = AnnotationLayer::new(key.0.clone(), key.1.clone());
                layer.source_sha256 = source_sha256;
                layer
            });
            let mut count = 0;
            let mut failed = None;
            for edits in to_replay {
                let n = edits.len();
                match apply_all(layer, edits) {
                    Ok(_) => count += n,
                    Err(err) => {
                        failed = Some(err);
                        break;
                    }
                }
            }
            if count > 0 {
                self.dirty.insert(key.clone());
                report.push(format!(
                    "{} ({}): recovered {count} unsaved edits from a session that ended without saving",
                    key.0, key.1
                ));
            }
            if let Some(err) = failed {
                report.push(format!(
                    "{} ({}): the rest of the journal could not be replayed: {err}",
                    key.0, key.1
                ));
            }
            if file.torn {
                report.push(format!(
                    "{} ({}): the last journal line was cut short and is ignored",
                    key.0, key.1
                ));
            }
        }
        let manifest_journal = self.journal.manifest_path();
        if let Ok(file) = Journal::read(&manifest_journal) {
            if file.base == self.project.manifest_hash() {
                let last = file.entries.into_iter().rev().find_map(|e| match e {
                    Entry::Schema(schema) => Some(schema),
                    _ => None,
                });
                if let Some(schema) = last
                    && schema.problems().is_empty()
                {
                    self.project.manifest.schema = schema;
                    self.manifest_dirty = true;
                    report.push("recovered an unsaved schema change".to_owned());
                }
            } else {
                let kept = self.journal.set_aside(&manifest_journal);
                report.push(format!(
                    "an unsaved schema change was not replayed because tagdesk.json changed since; kept in {}",
                    kept.display()
                ));
            }
        }
        report
    }

    fn apply_pending(&mut self, change: Pending) -> Result<Change, WorkspaceError> {
        match change {
            Pending::Layer(key, edits) => {
                let source_sha256 = self
                    .texts
                    .get(&key.0)
                    .and_then(|t| t.as_ref().ok())
                    .map(|t| t.sha256.clone());
                let created = !self.project.layers.contains_key(&key);
                let layer = self.project.layers.entry(key.clone()).or_insert_with(|| {
                    let mut layer = AnnotationLayer::new(key.0.clone(), key.1.clone());
                    layer.source_sha256 = source_sha256.unwrap_or_default();
                    layer
                });
                match apply_all(layer, edits) {
                    Ok(inverses) => {
                        self.dirty.insert(key.clone());
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
                self.manifest_dirty = true;
                Ok(Change::Schema(previous))
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
                    .ok_or_else(|| EditError::UnknownId(key.0.clone()))?;
                let inverses = apply_all(layer, edits.clone())?;
                self.dirty.insert(key.clone());
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
                self.manifest_dirty = true;
                Ok((Change::Schema(previous), Applied::Schema(schema.clone())))
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
        })
    }

    /// Writes every changed layer to disk, here and now (after a save under way on a thread:
    /// two writers never race on a file). Layers that fail stay unsaved and are reported.
    pub fn save(&mut self) -> SaveReport {
        let mut report = self.finish_background_save(true).unwrap_or_default();
        report.merge(self.start_save(false));
        if let Some(done) = self.finish_background_save(true) {
            report.merge(done);
        }
        report
    }

    fn save_manifest_now(&mut self, report: &mut SaveReport) {
        match self.project.save_manifest() {
            Ok(()) => {
                self.manifest_dirty = false;
                Journal::clear(&self.journal.manifest_path());
                report
                    .saved
                    .push(Project::manifest_path(&self.project.root));
            }
            Err(err @ ProjectError::ChangedOnDisk { .. }) => {
                // Our schema is kept aside; the manifest on disk wins on reopening.
                self.manifest_dirty = false;
                Journal::clear(&self.journal.manifest_path());
                report.errors.push(err.to_string());
            }
            Err(err) => report.errors.push(err.to_string()),
        }
    }

    /// Whether a [`Self::save_in_background`] is under way.
    pub fn saving_in_background(&self) -> bool {
        self.background.is_some()
    }

    /// Starts saving the unsaved layers on a thread (copies of them; editing goes on). The
    /// manifest, small, is written here. Returns what could not even start (locked or
    /// conflicting layers) — `None` when a save or a disk check is already under way. Take the outcome in with
    /// [`Self::finish_background_save`]; [`Self::save`] waits for it.
    pub fn save_in_background(&mut self) -> Option<SaveReport> {
        // Not while changed files are read either: the check could read our file before the
        // save is taken in and take it for someone else's.
        (self.background.is_none() && self.disk_check.is_none()).then(|| self.start_save(true))
    }

    /// Prepares a write of every unsaved layer and runs them on a thread (`threaded`: each
    /// layer copied first) or here; [`Self::finish_background_save`] takes the outcome in.
    fn start_save(&mut self, threaded: bool) -> SaveReport {
        // Checkpoints count the journal's lines: the last one must be written.
        self.settle_journal();
        let mut report = SaveReport::default();
        let mut jobs = Vec::new();
        let mut revisions = Vec::new();
        for key in self.dirty.clone() {
            if let Some(Ok(text)) = self.texts.get(&key.0)
                && let Some(layer) = self.project.layers.get_mut(&key)
            {
                layer.source_sha256.clone_from(&text.sha256);
            }
            let Some(layer) = self.project.layers.get(&key) else {
                continue;
            };
            let revision = layer.revision();
            let snapshot = threaded.then(|| layer.clone());
            match self.project.prepare_layer_write(&key, snapshot) {
                Ok(Some(job)) => {
                    let journaled = self.journaled.get(&key).copied().unwrap_or(0);
                    jobs.push(if journaled > 0 {
                        job.with_checkpoint(self.journal.layer_path(&key), journaled)
                    } else {
                        job
                    });
                    revisions.push((key, revision));
                }
                Ok(None) => {}
                Err(err) => report.errors.push(err.to_string()),
            }
        }
        if self.manifest_dirty {
            self.save_manifest_now(&mut report);
        }
        if jobs.is_empty() {
            return report;
        }
        let writes = if threaded {
            Job::start("tagdesk-save", jobs, run_writes)
        } else {
            Job::Done(run_writes(jobs))
        };
        self.background = Some(BackgroundSave {
            writes,
            revisions,
            later: HashMap::new(),
        });
        report
    }

    /// Forgets a layer's crash journal (its edits are saved, or given up for the disk's).
    fn clear_journal(&mut self, key: &LayerKey) {
        self.settle_journal();
        self.journaled.remove(key);
        Journal::clear(&self.journal.layer_path(key));
    }

    /// Takes in a background save once it is done (or, with `wait`, waits for it): layers not
    /// edited meanwhile become saved and their journals go; a layer edited meanwhile stays
    /// unsaved and its journal keeps just the later edits, on the new file. `None` while it
    /// runs, or when there is none.
    pub fn finish_background_save(&mut self, wait: bool) -> Option<SaveReport> {
        if !wait && !self.background.as_ref()?.writes.is_finished() {
            return None;
        }
        let bg = self.background.take()?;
        // The journals are replaced or cleared below: nothing may still be appending to them.
        self.settle_journal();
        let mut report = SaveReport::default();
        let Some(written) = bg.writes.wait() else {
            report
                .errors
                .push("saving stopped unexpectedly; your edits are kept".to_owned());
            return Some(report);
        };
        let mut later = bg.later;
        for w in written {
            let key = w.key.clone();
            let path = self.project.layer_file(&key);
            let journal = self.journal.layer_path(&key);
            let revision = bg
                .revisions
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, r)| *r);
            match self.project.finish_layer_write(w) {
                Ok(()) => {
                    let unchanged = self
                        .project
                        .layers
                        .get(&key)
                        .is_some_and(|l| Some(l.revision()) == revision);
                    if unchanged {
                        self.dirty.remove(&key);
                        self.clear_journal(&key);
                    } else {
                        let base = self.project.disk_hash(&key).unwrap_or_default().to_owned();
                        let entries = later.remove(&key).unwrap_or_default();
                        self.journaled.insert(key.clone(), entries.len());
                        if let Err(err) = self.journal.replace(&journal, &base, &entries) {
                            self.journal_error = Some(format!(
                                "cannot write the crash journal ({err}); unsaved edits would be \
                                 lost in a crash"
                            ));
                        }
                    }
                    report.saved.push(path);
                }
                Err(err @ ProjectError::ChangedOnDisk { .. }) => {
                    // Our version is kept aside (whole); retrying would only repeat the conflict.
                    self.dirty.remove(&key);
                    self.clear_journal(&key);
                    report.errors.push(err.to_string());
                }
                Err(err) => report.errors.push(err.to_string()),
            }
        }
        Some(report)
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
            id: id.clone().into(),
            label: label.to_owned().into(),
            start: chars.start,
            end: chars.end,
            text: text.text.slice(chars.clone()).to_owned().into(),
            prefix: context_before(&text.text, chars.start).into(),
            suffix: context_after(&text.text, chars.end).into(),
            review: None,
            fragments: Vec::new(),
            attributes: super::schema::Attributes::new(),
            author: annotator.to_owned().into(),
            created: now.clone().into(),
            modified: now.into(),
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

    /// Deletes a span and, in the same step, every relation from or to it.
    pub fn remove_span(&mut self, key: &LayerKey, id: &str) -> Result<(), WorkspaceError> {
        let label = self.existing(key, id)?.label;
        let mut edits: Vec<Edit> = self
            .project
            .layers
            .get(key)
            .map(|l| {
                l.relations_of(id)
                    .map(|r| Edit::RemoveRelation { id: r.id.clone() })
                    .collect()
            })
            .unwrap_or_default();
        edits.push(Edit::Remove { id: id.to_owned() });
        self.apply(key, format!("delete {label}"), None, edits)
    }

    /// Links two spans of a layer with a relation of `kind`; returns its id. The schema must
    /// allow that type between their labels.
    pub fn add_relation(
        &mut self,
        key: &LayerKey,
        kind: &str,
        from: &str,
        to: &str,
    ) -> Result<String, WorkspaceError> {
        let (from_label, to_label) = (
            self.existing(key, from)?.label,
            self.existing(key, to)?.label,
        );
        if !self
            .project
            .schema()
            .relation(kind)
            .is_some_and(|r| r.allows(&from_label, &to_label))
        {
            return Err(WorkspaceError::RelationNotAllowed {
                kind: kind.to_owned(),
                from_label: from_label.to_string(),
                to_label: to_label.to_string(),
            });
        }
        let id = new_annotation_id();
        let relation = Relation {
            id: id.clone(),
            kind: kind.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            author: key.1.clone(),
            created: now_rfc3339(),
        };
        self.apply(
            key,
            format!("link {kind}"),
            None,
            vec![Edit::AddRelation(relation)],
        )?;
        Ok(id)
    }

    pub fn remove_relation(&mut self, key: &LayerKey, id: &str) -> Result<(), WorkspaceError> {
        self.apply(
            key,
            "delete relation",
            None,
            vec![Edit::RemoveRelation { id: id.to_owned() }],
        )
    }

    /// Sets (or with `None` clears) an attribute of a span; the schema must define it for the
    /// span's label and accept the value.
    pub fn set_attribute(
        &mut self,
        key: &LayerKey,
        id: &str,
        name: &str,
        value: Option<AttributeValue>,
    ) -> Result<(), WorkspaceError> {
        let mut annotation = self.existing(key, id)?;
        let definition = self
            .project
            .schema()
            .get(&annotation.label)
            .and_then(|l| l.attributes.iter().find(|a| a.name == name))
            .ok_or_else(|| WorkspaceError::UnknownAttribute {
                label: annotation.label.to_string(),
                name: name.to_owned(),
            })?;
        if let Some(value) = &value
            && !definition.accepts(value)
        {
            return Err(WorkspaceError::BadAttributeValue {
                name: name.to_owned(),
                value: value.to_string(),
            });
        }
        if annotation.attributes.get(name) == value.as_ref() {
            return Ok(());
        }
        match value {
            Some(value) => annotation.attributes.insert(name.to_owned(), value),
            None => annotation.attributes.remove(name),
        };
        annotation.modified = now_rfc3339().into();
        self.apply(
            key,
            format!("set {name}"),
            Some(format!("attribute:{id}:{name}")),
            vec![Edit::Replace(annotation)],
        )
    }

    // ---- Schema edits: undoable like any other; they may touch every layer. ----

    /// Replaces the schema (colours, keys, descriptions, new labels, attributes, relation
    /// types). Renaming or removing a label in use goes through [`Self::rename_label`] and
    /// [`Self::remove_label`], which also change the annotations.
    ///
    /// What the new schema no longer allows is removed in the same undo step: attribute values
    /// it does not define or accept, and relations whose type is gone or no longer fits their
    /// spans' labels. [`Self::schema_impact`] tells how much that is, to ask first.
    pub fn set_schema(
        &mut self,
        schema: Schema,
        description: &str,
        coalesce: Option<String>,
    ) -> Result<(), WorkspaceError> {
        if *self.project.schema() == schema {
            return Ok(());
        }
        let mut pending = self.prune_for(&schema);
        pending.insert(0, Pending::Schema(schema));
        self.apply_changes(description, coalesce, pending)
    }

    /// How many attribute values and relations a new schema would remove.
    pub fn schema_impact(&self, schema: &Schema) -> SchemaImpact {
        let mut impact = SchemaImpact::default();
        for change in self.prune_for(schema) {
            if let Pending::Layer(_, edits) = change {
                for edit in edits {
                    match edit {
                        Edit::RemoveRelation { .. } => impact.relations += 1,
                        Edit::Replace(_) => impact.annotations += 1,
                        _ => {}
                    }
                }
            }
        }
        impact
    }

    /// Edits that make every readable layer fit `schema` (see [`Self::set_schema`]).
    fn prune_for(&self, schema: &Schema) -> Vec<Pending> {
        let now = now_rfc3339();
        let mut pending = Vec::new();
        for (key, layer) in &self.project.layers {
            if self.project.is_locked(key) {
                continue;
            }
            let mut edits: Vec<Edit> = layer
                .relations()
                .iter()
                .filter(|r| {
                    let labels = layer.get(&r.from).zip(layer.get(&r.to));
                    !labels.is_some_and(|(from, to)| {
                        schema
                            .relation(&r.kind)
                            .is_some_and(|d| d.allows(&from.label, &to.label))
                    })
                })
                .map(|r| Edit::RemoveRelation { id: r.id.clone() })
                .collect();
            for a in layer.annotations() {
                let Some(label) = schema.get(&a.label) else {
                    continue;
                };
                let fits = |name: &String, value: &AttributeValue| {
                    label
                        .attributes
                        .iter()
                        .any(|d| &d.name == name && d.accepts(value))
                };
                if a.attributes.iter().all(|(n, v)| fits(n, v)) {
                    continue;
                }
                let mut kept = a.clone();
                kept.attributes.retain(|n, v| fits(n, v));
                kept.modified = now.as_str().into();
                edits.push(Edit::Replace(kept));
            }
            if !edits.is_empty() {
                pending.push(Pending::Layer(key.clone(), edits));
            }
        }
        pending
    }

    /// Renames a label; every annotation with it, in every readable layer, is relabelled in the
    /// same undo step, and relation types naming it follow.
    pub fn rename_label(&mut self, old: &str, new: &str) -> Result<(), WorkspaceError> {
        if old == new {
            return Ok(());
        }
        let mut schema = self.project.schema().clone();
        let Some(label) = schema.labels.iter_mut().find(|l| l.name == old) else {
            return Err(WorkspaceError::UnknownLabel(old.to_owned()));
        };
        new.clone_into(&mut label.name);
        for relation in &mut schema.relations {
            for name in relation.from.iter_mut().chain(relation.to.iter_mut()) {
                if name == old {
                    new.clone_into(name);
                }
            }
        }
        let now = now_rfc3339();
        let mut pending = vec![Pending::Schema(schema)];
        for (key, layer) in &self.project.layers {
            let edits: Vec<Edit> = layer
                .annotations()
                .iter()
                .filter(|a| a.label == old)
                .map(|a| {
                    let mut a = a.clone();
                    a.label = new.into();
                    a.modified = now.as_str().into();
                    Edit::Replace(a)
                })
                .collect();
            if !edits.is_empty() && !self.project.is_locked(key) {
                pending.push(Pending::Layer(key.clone(), edits));
            }
        }
        self.apply_changes(format!("rename label {old} to {new}"), None, pending)
    }

    /// How many annotations (in all layers) carry `label`.
    pub fn label_usage(&self, label: &str) -> usize {
        self.project
            .layers
            .values()
            .map(|l| l.annotations().iter().filter(|a| a.label == label).count())
            .sum()
    }

    /// Removes a label from the schema and, in the same undo step, every annotation with it
    /// (and their relations) in every readable layer.
    pub fn remove_label(&mut self, name: &str) -> Result<(), WorkspaceError> {
        let mut schema = self.project.schema().clone();
        let before = schema.labels.len();
        schema.labels.retain(|l| l.name != name);
        if schema.labels.len() == before {
            return Err(WorkspaceError::UnknownLabel(name.to_owned()));
        }
        // A relation type that loses its only source or target label goes too (an empty list
        // would mean "any label").
        let mut dropped_types = Vec::new();
        for relation in &mut schema.relations {
            let was_limited = (!relation.from.is_empty(), !relation.to.is_empty());
            relation.from.retain(|l| l != name);
            relation.to.retain(|l| l != name);
            if (was_limited.0 && relation.from.is_empty())
                || (was_limited.1 && relation.to.is_empty())
            {
                dropped_types.push(relation.name.clone());
            }
        }
        schema
            .relations
            .retain(|r| !dropped_types.contains(&r.name));
        let mut pending = vec![Pending::Schema(schema)];
        for (key, layer) in &self.project.layers {
            if self.project.is_locked(key) {
                continue;
            }
            let doomed: Vec<&Annotation> = layer
                .annotations()
                .iter()
                .filter(|a| a.label == name)
                .collect();
            let mut edits: Vec<Edit> = layer
                .relations()
                .iter()
                .filter(|r| {
                    dropped_types.contains(&r.kind) || doomed.iter().any(|a| r.touches(&a.id))
                })
                .map(|r| Edit::RemoveRelation { id: r.id.clone() })
                .collect();
            edits.extend(doomed.iter().map(|a| Edit::Remove {
                id: a.id.to_string(),
            }));
            if !edits.is_empty() {
                pending.push(Pending::Layer(key.clone(), edits));
            }
        }
        self.apply_changes(format!("remove label {name}"), None, pending)
    }

    pub fn relabel(&mut self, key: &LayerKey, id: &str, label: &str) -> Result<(), WorkspaceError> {
        self.check_label(label)?;
        let mut annotation = self.existing(key, id)?;
        if annotation.label == label {
            return Ok(());
        }
        annotation.label = label.to_owned().into();
        annotation.modified = now_rfc3339().into();
        // What the new label does not allow goes in the same step: attribute values it does
        // not define, relations whose type does not fit it.
        let schema = self.project.schema();
        if let Some(def) = schema.get(label) {
            annotation.attributes.retain(|name, value| {
                def.attributes
                    .iter()
                    .any(|d| &d.name == name && d.accepts(value))
            });
        }
        let mut edits: Vec<Edit> = Vec::new();
        if let Some(layer) = self.project.layers.get(key) {
            for r in layer.relations_of(id) {
                let other = if r.from == id { &r.to } else { &r.from };
                let Some(other) = layer.get(other) else {
                    continue;
                };
                let (from_label, to_label) = if r.from == id {
                    (label, other.label.as_str())
                } else {
                    (other.label.as_str(), label)
                };
                if !schema
                    .relation(&r.kind)
                    .is_some_and(|d| d.allows(from_label, to_label))
                {
                    edits.push(Edit::RemoveRelation { id: r.id.clone() });
                }
            }
        }
        edits.push(Edit::Replace(annotation));
        self.apply(key, format!("relabel as {label}"), None, edits)
    }

    /// Moves a span's edges; the covered text follows.
    pub fn resize(
        &mut self,
        key: &LayerKey,
        id: &str,
        chars: Range<usize>,
    ) -> Result<(), WorkspaceError> {
        let (text, annotation, mut pieces) = self.span_pieces(key, id, &chars)?;
        // A discontinuous span's outer edges move: its first piece's start, its last's end.
        let last = pieces.len() - 1;
        pieces[0].start = chars.start;
        pieces[last].end = chars.end;
        if pieces.iter().any(|p| p.start >= p.end) {
            return Err(WorkspaceError::OutOfRange {
                start: chars.start,
                end: chars.end,
                len: text.text.char_len(),
            });
        }
        let annotation = with_pieces(annotation, &pieces, &text.text);
        self.apply(
            key,
            "resize span",
            Some(format!("resize:{id}")),
            vec![Edit::Replace(annotation)],
        )
    }

    /// For an edit of a span's extent: its text (checking `chars` fits), the span, its pieces.
    fn span_pieces(
        &mut self,
        key: &LayerKey,
        id: &str,
        chars: &Range<usize>,
    ) -> Result<SpanPieces, WorkspaceError> {
        let text = self.text(&key.0)?;
        check_range(chars, text.text.char_len())?;
        let annotation = self.existing(key, id)?;
        let pieces = annotation.pieces().collect();
        Ok((text, annotation, pieces))
    }

    /// Adds a piece to a span, making it discontinuous (pieces that overlap or touch merge).
    pub fn add_fragment(
        &mut self,
        key: &LayerKey,
        id: &str,
        chars: Range<usize>,
    ) -> Result<(), WorkspaceError> {
        let (text, annotation, mut pieces) = self.span_pieces(key, id, &chars)?;
        pieces.push(chars);
        pieces.sort_by_key(|p| (p.start, p.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(pieces.len());
        for piece in pieces {
            match merged.last_mut() {
                Some(last) if piece.start <= last.end => last.end = last.end.max(piece.end),
                _ => merged.push(piece),
            }
        }
        let annotation = with_pieces(annotation, &merged, &text.text);
        self.apply(key, "add a fragment", None, vec![Edit::Replace(annotation)])
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
        annotation.modified = now_rfc3339().into();
        self.apply(
            key,
            "edit note",
            Some(format!("note:{id}")),
            vec![Edit::Replace(annotation)],
        )
    }

    /// Clears a span's "needs review" flag (a person checked it).
    pub fn mark_reviewed(&mut self, key: &LayerKey, id: &str) -> Result<(), WorkspaceError> {
        let mut annotation = self.existing(key, id)?;
        if annotation.review.is_none() {
            return Ok(());
        }
        let text = self.text(&key.0)?;
        annotation.review = None;
        annotation.text = covered_text(&text.text, annotation.pieces()).into();
        annotation.prefix = context_before(&text.text, annotation.start).into();
        annotation.suffix = context_after(&text.text, annotation.end).into();
        annotation.modified = now_rfc3339().into();
        self.apply(key, "mark reviewed", None, vec![Edit::Replace(annotation)])
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

/// `annotation` covering `pieces` (sorted, apart): extent, fragments and covered text follow.
fn with_pieces(
    mut annotation: Annotation,
    pieces: &[Range<usize>],
    text: &super::SourceText,
) -> Annotation {
    annotation.start = pieces.first().map_or(annotation.start, |p| p.start);
    annotation.end = pieces.last().map_or(annotation.end, |p| p.end);
    annotation.fragments = if pieces.len() > 1 {
        pieces.iter().map(|p| [p.start, p.end]).collect()
    } else {
        Vec::new()
    };
    annotation.text = covered_text(text, pieces.iter().cloned()).into();
    annotation.prefix = context_before(text, annotation.start).into();
    annotation.suffix = context_after(text, annotation.end).into();
    annotation.review = None;
    annotation.modified = now_rfc3339().into();
    annotation
}

/// Up to [`CONTEXT_CHARS`] characters before `char_offset`.
pub fn context_before(text: &super::SourceText, char_offset: usize) -> String {
    text.slice(char_offset.saturating_sub(CONTEXT_CHARS)..char_offset)
        .to_owned()
}

/// Up to [`CONTEXT_CHARS`] characters from `char_offset` on.
pub fn context_after(text: &super::SourceText, char_offset: usize) -> String {
    text.slice(char_offset..char_offset + CONTEXT_CHARS)
        .to_owned()
}

/// The text a span covers: its pieces' texts, joined by a space when discontinuous (as brat
/// writes it).
pub fn covered_text(
    text: &super::SourceText,
    mut pieces: impl Iterator<Item = Range<usize>>,
) -> std::borrow::Cow<'_, str> {
    let Some(first) = pieces.next() else {
        return std::borrow::Cow::Borrowed("");
    };
    let first = text.slice(first);
    match pieces.next() {
        // One piece (nearly every span): the text itself, no copy.
        None => std::borrow::Cow::Borrowed(first),
        Some(second) => {
            let mut out = format!("{first} {}", text.slice(second));
            for p in pieces {
                out.push(' ');
                out.push_str(text.slice(p));
            }
            std::borrow::Cow::Owned(out)
        }
    }
}

/// Where each span of `layer` goes in `text`, and the edit that puts them there: none when
/// nothing moves, an [`Edit::ReplaceMany`] of the changed spans when few did, else an
/// [`Edit::SetSpans`] of the whole new order (built here, so applying it is a swap).
pub fn plan_reanchor(
    layer: &AnnotationLayer,
    text: &super::SourceText,
) -> (ReanchorReport, Vec<Edit>) {
    use super::reanchor::{Placement, place_all};
    let now = now_rfc3339();
    let mut report = ReanchorReport::default();
    let mut changed = Vec::new();
    let placements = place_all(layer.annotations(), text);
    for (a, placement) in layer.annotations().iter().zip(placements) {
        match placement {
            Placement::Unchanged => report.unchanged += 1,
            Placement::Moved { start, end } => {
                report.moved.push((a.id.to_string(), a.start, start));
                let piece = start..end;
                let mut moved = with_pieces(a.clone(), std::slice::from_ref(&piece), text);
                moved.modified = now.as_str().into();
                changed.push(moved);
            }
            Placement::NeedsReview(why) => {
                report.needs_review.push((a.id.to_string(), why.clone()));
                if a.review.as_deref() != Some(why.as_str()) {
                    let mut flagged = a.clone();
                    flagged.review = Some(why);
                    flagged.modified = now.as_str().into();
                    changed.push(flagged);
                }
            }
        }
    }
    let edits = if changed.is_empty() {
        Vec::new()
    } else if changed.len() * 4 < layer.len() {
        vec![Edit::ReplaceMany(changed)]
    } else {
        // Most spans moved: the whole new order is built here (on the planning thread), so
        // applying it is a swap rather than a search, a replacement and a sort per span.
        let mut moved: HashMap<super::annotation::Str, Annotation> =
            changed.into_iter().map(|a| (a.id.clone(), a)).collect();
        let mut spans: Vec<Annotation> = layer
            .annotations()
            .iter()
            .map(|a| moved.remove(a.id.as_str()).unwrap_or_else(|| a.clone()))
            .collect();
        spans.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        vec![Edit::SetSpans(Arc::new(spans))]
    };
    (report, edits)
}

/// A re-anchoring to plan (any thread): the layer as it was (shared) and its new text.
pub struct ReanchorPlan {
    key: LayerKey,
    layer: AnnotationLayer,
    text: Arc<LoadedText>,
}

/// A planned re-anchoring, for [`Workspace::apply_reanchor`].
pub struct PlannedReanchor {
    pub key: LayerKey,
    revision: u64,
    sha256: String,
    pub report: ReanchorReport,
    edits: Vec<Edit>,
}

impl ReanchorPlan {
    fn new(key: LayerKey, layer: AnnotationLayer, text: Arc<LoadedText>) -> Self {
        Self { key, layer, text }
    }

    /// How many spans are to be placed.
    pub fn len(&self) -> usize {
        self.layer.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layer.is_empty()
    }

    pub fn run(self) -> PlannedReanchor {
        let (report, edits) = plan_reanchor(&self.layer, &self.text.text);
        PlannedReanchor {
            key: self.key,
            revision: self.layer.revision(),
            sha256: self.text.sha256.clone(),
            report,
            edits,
        }
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
