//! Suggestions in the app: what `core::suggest` proposes for the current document (dashed
//! outlines in the label's colour, never annotations), and how many there are in the corpus.
//! The patterns, the current document's suggestions and the corpus count are computed on a
//! job from a snapshot of the layers (copy-on-write clones), again whenever the annotator's
//! layers, the document or the settings change. F4 / Shift+F4 step through them; Enter (or
//! the label key) accepts, Delete rejects (kept in `suggestions.json`). The learned model's
//! findings in the current document ([`super::learning`]) join them, filtered by the settings
//! (`Settings::admit_learned`).

use std::sync::Arc;

use crate::core::recommend::{Recommender, Span, coding_of};
use crate::core::suggest::{Settings, Suggester, Suggestion};
use crate::core::text::SourceText;
use crate::core::{AnnotationLayer, LayerKey, Workspace};

/// What a job found.
struct Found {
    key: Key,
    here: Vec<Suggestion>,
    corpus: usize,
}

/// What the suggestions were computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    annotator: String,
    document: Option<String>,
    revisions: Vec<u64>,
    settings: Settings,
    /// The learned model's generation (0: none).
    model: u64,
}

pub struct Suggestions {
    pub settings: Settings,
    /// Why `suggestions.json` could not be read (suggestions are off until it is fixed).
    pub problem: Option<String>,
    /// The current document's suggestions, by start.
    pub here: Vec<Suggestion>,
    /// The document `here` belongs to.
    pub document: Option<String>,
    /// Suggestions in every document.
    pub corpus: usize,
    /// The suggestion F4 went to.
    pub focused: Option<usize>,
    computed: Option<Key>,
    job: Option<crate::gui::jobs::Task<Found>>,
    /// The last computation failed (its job panicked): why. Tried again when what the
    /// suggestions depend on changes.
    pub failed: Option<String>,
}

impl Suggestions {
    pub fn load(ws: &Workspace) -> Self {
        let (settings, problem) = match Settings::load(&ws.project().root) {
            Ok(s) => (s, None),
            Err(e) => {
                let mut off = Settings::default();
                off.enabled = false;
                (off, Some(e))
            }
        };
        Self {
            settings,
            problem,
            here: Vec::new(),
            document: None,
            corpus: 0,
            focused: None,
            computed: None,
            job: None,
            failed: None,
        }
    }

    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// Takes in a finished job and starts one when what the suggestions depend on changed.
    pub fn refresh(
        &mut self,
        ctx: &egui::Context,
        ws: &Workspace,
        annotator: &str,
        document: Option<&str>,
        learned: Option<(&Arc<Recommender>, u64)>,
    ) {
        let finished = self.job.as_mut().and_then(crate::gui::jobs::Task::poll);
        if let Some(Err(e)) = &finished {
            self.job = None;
            self.failed = Some(format!("Computing suggestions failed: {e}"));
        }
        if let Some(Ok(found)) = finished {
            self.job = None;
            self.failed = None;
            if self.document.as_deref() != found.key.document.as_deref() {
                self.focused = None;
            }
            self.document = found.key.document.clone();
            self.focused = self.focused.filter(|&i| i < found.here.len());
            self.here = found.here;
            self.corpus = found.corpus;
        }
        if !self.settings.enabled {
            self.here.clear();
            self.corpus = 0;
            self.focused = None;
            self.computed = None;
            return;
        }
        let revisions: Vec<u64> = ws
            .project()
            .layers
            .iter()
            .filter(|(k, _)| self.settings.from_everyone || k.annotator == annotator)
            .map(|(_, l)| l.revision())
            .chain(std::iter::once(
                ws.project().entities.entities().len() as u64
            ))
            .collect();
        let key = Key {
            annotator: annotator.to_owned(),
            document: document.map(str::to_owned),
            revisions,
            settings: self.settings.clone(),
            model: learned
                .filter(|_| self.settings.learned.enabled)
                .map_or(0, |(_, generation)| generation),
        };
        if self.computed.as_ref() == Some(&key) || self.job.is_some() {
            return;
        }
        // The text of the current document must be loaded (the view loads it).
        let text = match document.map(|d| ws.cached_text(d)) {
            Some(Some(Ok(text))) => Some(Arc::clone(text)),
            Some(_) => return,
            None => None,
        };
        self.computed = Some(key.clone());
        let layers: Vec<(LayerKey, AnnotationLayer)> = ws
            .project()
            .layers
            .iter()
            .filter(|(k, _)| key.settings.from_everyone || k.annotator == annotator)
            .map(|(k, l)| (k.clone(), l.clone()))
            .collect();
        let entities = ws.project().entities.clone();
        let files: Vec<(String, std::path::PathBuf)> = ws
            .project()
            .documents
            .iter()
            .map(|d| (d.path.clone(), ws.project().document_file(&d.path)))
            .collect();
        let annotator = annotator.to_owned();
        let model = learned
            .filter(|_| key.model != 0)
            .map(|(m, _)| Arc::clone(m));
        self.job = Some(crate::gui::jobs::Task::spawn(
            ctx,
            "suggestions",
            move || {
                let suggester = Suggester::from_layers(
                    layers.iter().map(|(k, l)| (k, l)),
                    &entities,
                    &annotator,
                    &key.settings,
                );
                let layer = |doc: &str| {
                    layers
                        .iter()
                        .find(|(k, _)| k.document == doc && k.annotator == annotator)
                        .map(|(_, l)| l)
                };
                let here = match (&key.document, &text) {
                    (Some(doc), Some(text)) => {
                        let mut here =
                            suggester.suggest(doc, &text.text, layer(doc), &key.settings);
                        if let Some(model) = &model {
                            let coded: Vec<Span> =
                                layer(doc).map(|l| coding_of(l).spans).unwrap_or_default();
                            let (found, _) = model.find(text.text.as_str(), &coded);
                            let learned = key.settings.admit_learned(
                                doc,
                                &found,
                                &model.f1,
                                layer(doc),
                                &here,
                            );
                            here.extend(learned);
                            here.sort_by_key(|s| (s.range.start, s.range.end));
                        }
                        here
                    }
                    _ => Vec::new(),
                };
                let mut corpus = here.len();
                if !suggester.is_empty() {
                    for (doc, file) in &files {
                        if Some(doc) == key.document.as_ref() {
                            continue;
                        }
                        let Ok(bytes) = std::fs::read(file) else {
                            continue;
                        };
                        if let Ok(t) = SourceText::from_bytes(&bytes) {
                            corpus += suggester.suggest(doc, &t, layer(doc), &key.settings).len();
                        }
                    }
                }
                Found { key, here, corpus }
            },
        ));
    }

    /// The focused suggestion, if it belongs to `document`.
    pub fn focused_in(&self, document: Option<&str>) -> Option<&Suggestion> {
        (self.document.as_deref() == document && document.is_some())
            .then(|| self.focused.and_then(|i| self.here.get(i)))
            .flatten()
    }

    /// Moves the focus to the next (or previous) suggestion after the caret, wrapping.
    pub fn step(&mut self, forward: bool, caret: usize) -> Option<&Suggestion> {
        if self.here.is_empty() {
            return None;
        }
        let n = self.here.len();
        let next = match (self.focused, forward) {
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
            (None, true) => self
                .here
                .iter()
                .position(|s| s.range.start >= caret)
                .unwrap_or(0),
            (None, false) => self
                .here
                .iter()
                .rposition(|s| s.range.start < caret)
                .unwrap_or(n - 1),
        };
        self.focused = Some(next);
        self.here.get(next)
    }

    /// Forgets the focused suggestion (it was accepted or rejected) so the list can be
    /// recomputed; returns it.
    pub fn take_focused(&mut self) -> Option<Suggestion> {
        let i = self.focused?;
        if i >= self.here.len() {
            return None;
        }
        let s = self.here.remove(i);
        self.corpus = self.corpus.saturating_sub(1);
        self.focused = (!self.here.is_empty()).then(|| i.min(self.here.len() - 1));
        Some(s)
    }

    /// Writes the settings (rejections, tallies, switches).
    pub fn save(&self, root: &std::path::Path) -> Result<(), String> {
        self.settings
            .save(root)
            .map_err(|e| format!("cannot write {}: {e}", Settings::path(root).display()))
    }
}
