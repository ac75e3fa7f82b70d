//! Suggestions that learn, in the window: the model of the annotator's coding
//! (`core::recommend`), trained on a task — never in a frame — when the project opens and
//! again after every N edits (Suggestion settings), from a snapshot of the layers
//! (copy-on-write clones). The model stored under `.tagdesk/models/` is read first, so a
//! project opened again suggests at once; training then starts. Closing the project cancels
//! the task (it stops between its steps and stores nothing after).
//!
//! The costly steps are taken only when they tell something new: the cross-validation when the
//! project opens, when a document was coded since the last one, and on "Train now" (a model
//! retrained in between keeps the last figures); ranking the documents not coded only when
//! Next document asks for the least sure. A project of thousands of documents is not
//! re-measured every five edits.
//!
//! What the model finds is shown by [`super::suggestions`] beside the string-matching
//! suggestions, only for labels whose measured F1 reaches the user's floor.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::core::Workspace;
use crate::core::recommend::{
    Evaluation, Learned, RecommendError, Recommender, Snapshot, Training, learn, load_model,
};
use crate::core::suggest::Settings;
use crate::gui::jobs::Task;

/// Where training stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Idle,
    Training,
    /// It cannot be trained yet (too few spans…): why, in the user's words.
    Refused(String),
    /// The task died: why.
    Failed(String),
}

/// What the last training found, for the settings window.
pub struct Trained {
    pub labels: BTreeMap<String, usize>,
    pub skipped: BTreeMap<String, usize>,
    pub documents: usize,
    pub evaluation: Result<Evaluation, String>,
    pub stored: Result<PathBuf, String>,
}

enum Done {
    Loaded(Option<Box<Recommender>>),
    Learned(Box<Result<Learned, RecommendError>>),
}

/// What training depends on besides the edits.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    annotator: String,
    off_labels: Vec<String>,
    kinds: BTreeMap<String, crate::core::recommend::Kind>,
    rejected: usize,
    /// Next document goes to the least sure (the documents are then ranked).
    rank: bool,
    from: crate::core::suggest::LearnFrom,
}

pub struct Learning {
    /// The model suggesting now (the last trained, or the stored one).
    pub model: Option<Arc<Recommender>>,
    /// Counts the models taken in, so suggestions are computed again for a new one.
    pub generation: u64,
    pub status: Status,
    pub trained: Option<Trained>,
    /// Documents not coded yet, most unsure first.
    pub unsure: Vec<(String, f64)>,
    job: Option<Task<Done>>,
    cancel: Arc<AtomicBool>,
    /// The stored model was looked for.
    loaded: bool,
    /// The workspace revision and key the last training started from.
    started: Option<(u64, Key)>,
    /// "Train now" was asked for.
    pub asked: bool,
    /// Documents coded when the model was last measured: measured again when it changes.
    measured_at: Option<usize>,
    /// The running training measures the model.
    measuring: bool,
    /// Whose model this is.
    who: Option<String>,
}

impl Default for Learning {
    fn default() -> Self {
        Self {
            model: None,
            generation: 0,
            status: Status::Idle,
            trained: None,
            unsure: Vec::new(),
            job: None,
            cancel: Arc::default(),
            loaded: false,
            started: None,
            asked: false,
            measured_at: None,
            measuring: false,
            who: None,
        }
    }
}

impl Drop for Learning {
    fn drop(&mut self) {
        // The project is closed: a training still running stops and stores nothing.
        self.cancel.store(true, Ordering::Relaxed);
    }
}

impl Learning {
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// The flag the running task stops at (for tests).
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    /// Takes in a finished task, and starts one when the model should be (re)trained.
    pub fn refresh(
        &mut self,
        ctx: &egui::Context,
        ws: &Workspace,
        annotator: &str,
        settings: &Settings,
    ) {
        // Another annotator (Change annotator): their model, not this one's. The old training
        // is cancelled as the old state goes.
        if self.who.as_deref().is_some_and(|w| w != annotator) {
            *self = Self::default();
        }
        self.who = Some(annotator.to_owned());
        match self.job.as_mut().and_then(Task::poll) {
            None => {}
            Some(done) => {
                self.job = None;
                self.take(done);
            }
        }
        if self.job.is_some() || !settings.enabled || !settings.learned.enabled {
            return;
        }
        if !self.loaded {
            let root = ws.project().root.clone();
            self.loaded = true;
            let annotator = annotator.to_owned();
            self.job = Some(Task::spawn(ctx, "load-model", move || {
                Done::Loaded(load_model(&root, &annotator).map(Box::new))
            }));
            return;
        }
        let key = Key {
            annotator: annotator.to_owned(),
            off_labels: settings.off_labels.iter().cloned().collect(),
            kinds: settings.learned.kinds.clone(),
            rejected: settings.rejected.len(),
            rank: settings.learned.next_least_sure,
            from: settings.learned.from,
        };
        let revision = ws.revision();
        let due = match &self.started {
            None => true,
            Some((at, k)) => {
                *k != key
                    || revision.saturating_sub(*at)
                        >= u64::from(settings.learned.retrain_after.max(1))
            }
        };
        if !due && !self.asked {
            return;
        }
        // Cross-validation trains a model per fold: only on open, when asked, and when a
        // document was coded since (else a retrained model keeps the last figures).
        let coded = ws
            .project()
            .layers
            .iter()
            .filter(|(k, l)| k.annotator == annotator && !l.annotations().is_empty())
            .count();
        let evaluate = self.asked || self.measured_at != Some(coded);
        if evaluate {
            self.measured_at = Some(coded);
        }
        self.measuring = evaluate;
        self.asked = false;
        self.started = Some((revision, key));
        let mut snapshot = Snapshot::of(ws.project(), annotator, settings, evaluate);
        if let Some(model) = &self.model {
            snapshot.f1.clone_from(&model.f1);
        }
        self.status = Status::Training;
        let cancel = Arc::clone(&self.cancel);
        self.job = Some(Task::spawn(ctx, "learn", move || {
            Done::Learned(Box::new(learn(&snapshot, Training::default(), &cancel)))
        }));
    }

    fn take(&mut self, done: Result<Done, String>) {
        match done {
            Ok(Done::Loaded(model)) => {
                if let Some(model) = model {
                    self.model = Some(Arc::new(*model));
                    self.generation += 1;
                }
            }
            Ok(Done::Learned(learned)) => self.take_learned(*learned),
            Err(e) => self.status = Status::Failed(format!("Training failed: {e}")),
        }
    }

    fn take_learned(&mut self, learned: Result<Learned, RecommendError>) {
        match learned {
            Ok(learned) => {
                let mut evaluation = learned.evaluation;
                if !self.measuring {
                    // Not measured this time: the last figures stand (the model kept them).
                    if let Some(old) = self.trained.take() {
                        evaluation = old.evaluation;
                    }
                }
                self.model = Some(Arc::new(learned.model));
                self.generation += 1;
                self.unsure = learned.unsure;
                self.trained = Some(Trained {
                    labels: learned.labels,
                    skipped: learned.skipped,
                    documents: learned.documents,
                    evaluation,
                    stored: learned.stored,
                });
                self.status = Status::Idle;
            }
            Err(RecommendError::Cancelled) => self.status = Status::Idle,
            Err(e) => self.status = Status::Refused(e.to_string()),
        }
    }

    /// The document not coded yet the model is least sure of, other than `current`, if the
    /// user asked for that order and there is one.
    pub fn least_sure(
        &self,
        ws: &Workspace,
        annotator: &str,
        current: Option<&str>,
    ) -> Option<String> {
        self.unsure
            .iter()
            .map(|(d, _)| d)
            .find(|d| {
                Some(d.as_str()) != current
                    && ws
                        .project()
                        .layers
                        .get(&crate::core::LayerKey::new(
                            (*d).clone(),
                            annotator.to_owned(),
                        ))
                        .is_none_or(|l| l.annotations().is_empty())
            })
            .cloned()
    }
}
