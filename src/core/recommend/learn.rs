//! Learning from a project: what the window's background job and `tagdesk suggest
//! --apply-to` run. It works on a [`Snapshot`] (copy-on-write clones of the layers, the paths
//! of the texts), so it never holds the workspace, and it stops between its steps when asked.
//!
//! 1. The examples: every document the annotator coded, and the sentences around each
//!    suggestion they rejected in documents they have not coded — a rejection is negative
//!    evidence: those words are learned as "not a span".
//! 2. The labels: those switched on that have at least [`MIN_EXAMPLES`] spans.
//! 3. The model ([`Recommender`]) — its gazetteer holding the entity registry's names and
//!    aliases ([`super::registry_names`]) besides the coded words — stored under `.tagdesk/models/` (per machine; never
//!    committed: `.tagdesk/` is ignored by the team repository).
//! 4. Its quality: cross-validated on the coded documents (up to five folds; two coded
//!    documents at least), per label.
//! 5. How unsure it is of each document not coded yet, most unsure first (the "next
//!    document" order when the user asks for it).
//!
//! Steps 4 and 5 cost the most (4: a training per fold; 5: reading every document not coded),
//! and [`Snapshot`] says whether to take them.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::{
    Coded, Evaluation, Example, Kind, MIN_EXAMPLES, RecommendError, Recommender, Training,
    coding_of, cross_validate,
};
use crate::core::AnnotationLayer;
use crate::core::entities::Registry;
use crate::core::project::{LayerKey, PRIVATE_DIR, Project};
use crate::core::suggest::{Rejected, Settings};
use crate::core::text::SourceText;

/// The evaluation of a training that was not asked to measure.
pub const NOT_MEASURED: &str = "not measured";

/// Folds of the evaluation, at most.
pub const FOLDS: usize = 5;

/// What learning needs of a project, taken at one moment.
#[derive(Clone)]
pub struct Snapshot {
    pub root: PathBuf,
    /// Who learns: whose model is stored, whose rejections count, whose documents not coded
    /// yet are ranked.
    pub annotator: String,
    /// Every document: its path in the project and its text's file.
    pub documents: Vec<(String, PathBuf)>,
    /// The layers learned from (the annotator's own, the curated layer's, or everyone's).
    pub layers: BTreeMap<LayerKey, AnnotationLayer>,
    /// The documents the annotator has coded (not ranked).
    pub coded_by_annotator: BTreeSet<String>,
    pub entities: Registry,
    /// The labels that may be learned (those switched on).
    pub labels: Vec<String>,
    pub overrides: BTreeMap<String, Kind>,
    pub rejected: Vec<Rejected>,
    /// Measure the model by cross-validation (the costliest step: one training per fold). The
    /// window measures when the project opens, when a document was coded since, and when
    /// asked; in between, a retrained model keeps the last figures.
    pub evaluate: bool,
    /// Rank the documents not coded yet by how unsure the model is of them (reads every one
    /// of them): only when Next document asks for that order.
    pub rank: bool,
    /// The figures a model not measured this time keeps (the last measured, per label).
    pub f1: BTreeMap<String, f64>,
}

impl Snapshot {
    /// `annotator`'s coding in `project` as the suggestion `settings` ask it learned: the
    /// labels switched on, the kinds the user fixed, the rejected suggestions.
    pub fn of(project: &Project, annotator: &str, settings: &Settings, evaluate: bool) -> Self {
        use crate::core::suggest::LearnFrom;
        let curated = crate::core::review::CURATED;
        let chosen = |who: &str| match settings.learned.from {
            LearnFrom::Mine => who == annotator,
            LearnFrom::Curated => who == curated,
            LearnFrom::Everyone => true,
        };
        Self {
            root: project.root.clone(),
            annotator: annotator.to_owned(),
            documents: project
                .documents
                .iter()
                .map(|d| (d.path.clone(), project.document_file(&d.path)))
                .collect(),
            layers: project
                .layers
                .iter()
                .filter(|(k, _)| chosen(&k.annotator))
                .map(|(k, l)| (k.clone(), l.clone()))
                .collect(),
            coded_by_annotator: project
                .layers
                .iter()
                .filter(|(k, l)| k.annotator == annotator && !l.annotations().is_empty())
                .map(|(k, _)| k.document.clone())
                .collect(),
            entities: project.entities.clone(),
            labels: project
                .schema()
                .labels
                .iter()
                .map(|l| l.name.clone())
                .filter(|l| !settings.off_labels.contains(l))
                .collect(),
            overrides: settings.learned.kinds.clone(),
            rejected: settings.rejected.iter().cloned().collect(),
            evaluate,
            rank: settings.learned.next_least_sure,
            f1: BTreeMap::new(),
        }
    }
}

/// What learning gave.
pub struct Learned {
    pub model: Recommender,
    /// The labels learned, with their spans.
    pub labels: BTreeMap<String, usize>,
    /// Labels left out for too few spans, with the number they have.
    pub skipped: BTreeMap<String, usize>,
    /// Coded documents learned from.
    pub documents: usize,
    pub evaluation: Result<Evaluation, String>,
    /// Documents not coded yet, most unsure first.
    pub unsure: Vec<(String, f64)>,
    /// Where the model was stored, or why it could not be.
    pub stored: Result<PathBuf, String>,
}

/// Where an annotator's model is kept.
pub fn model_path(root: &Path, annotator: &str) -> PathBuf {
    let safe: String = annotator
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    root.join(PRIVATE_DIR)
        .join("models")
        .join(format!("{safe}.model"))
}

/// The stored model of `annotator`, if there is one that reads.
pub fn load_model(root: &Path, annotator: &str) -> Option<Recommender> {
    let bytes = std::fs::read(model_path(root, annotator)).ok()?;
    Recommender::from_bytes(&bytes).ok()
}

fn read(file: &Path, document: &str) -> Result<SourceText, RecommendError> {
    let bytes = std::fs::read(file)
        .map_err(|e| RecommendError::Crf(format!("cannot read {document}: {e}")))?;
    SourceText::from_bytes(&bytes)
        .map_err(|e| RecommendError::Crf(format!("cannot read {document}: {e}")))
}

fn stop(cancel: &AtomicBool) -> Result<(), RecommendError> {
    if cancel.load(Ordering::Relaxed) {
        Err(RecommendError::Cancelled)
    } else {
        Ok(())
    }
}

/// Learns from `snapshot` (see the module's steps).
pub fn learn(
    snapshot: &Snapshot,
    training: Training,
    cancel: &AtomicBool,
) -> Result<Learned, RecommendError> {
    let coded: Vec<&LayerKey> = snapshot
        .layers
        .iter()
        .filter(|(_, l)| !l.annotations().is_empty())
        .map(|(k, _)| k)
        .collect();
    let coded_docs: BTreeSet<&str> = coded.iter().map(|k| k.document.as_str()).collect();
    let mut rejected_in: BTreeMap<&str, Vec<Range<usize>>> = BTreeMap::new();
    for r in &snapshot.rejected {
        if snapshot.labels.contains(&r.label) {
            rejected_in
                .entry(&r.document)
                .or_default()
                .push(r.start..r.end);
        }
    }
    let files: BTreeMap<&str, &PathBuf> = snapshot
        .documents
        .iter()
        .map(|(d, f)| (d.as_str(), f))
        .collect();
    let mut texts: BTreeMap<&str, SourceText> = BTreeMap::new();
    for doc in coded_docs.iter().chain(rejected_in.keys()) {
        stop(cancel)?;
        if let Some(file) = files.get(doc)
            && !texts.contains_key(doc)
        {
            texts.insert(doc, read(file, doc)?);
        }
    }
    // The labels with enough spans.
    let mut counts: BTreeMap<String, usize> =
        snapshot.labels.iter().map(|l| (l.clone(), 0)).collect();
    for key in &coded {
        for a in snapshot.layers[*key].annotations() {
            if let Some(n) = counts.get_mut(a.label.as_str()) {
                *n += 1;
            }
        }
    }
    let (labels, skipped): (BTreeMap<String, usize>, BTreeMap<String, usize>) =
        counts.into_iter().partition(|(_, n)| *n >= MIN_EXAMPLES);
    if labels.is_empty() {
        let (label, found) = skipped
            .iter()
            // The label with most spans; of equals, the first by name (for a newcomer who
            // has coded nothing: "actor has 0 spans", not the last label).
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(l, n)| (l.clone(), *n))
            .ok_or(RecommendError::NoLabels)?;
        return Err(RecommendError::TooFewExamples { label, found });
    }
    let wanted: Vec<String> = labels.keys().cloned().collect();
    // Each coded layer is an example; a document no chosen layer codes but where a
    // suggestion was rejected gives the sentences around the rejections.
    let mut examples: Vec<Example<'_>> = Vec::new();
    for key in &coded {
        let Some(text) = texts.get(key.document.as_str()) else {
            continue;
        };
        let coding = coding_of(&snapshot.layers[*key]);
        examples.push(Example {
            text: text.as_str(),
            spans: coding.spans,
            values: coding.values,
            only: None,
        });
    }
    for (doc, ranges) in &rejected_in {
        if let (false, Some(text)) = (coded_docs.contains(doc), texts.get(doc)) {
            examples.push(Example {
                text: text.as_str(),
                only: Some(ranges.clone()),
                ..Example::default()
            });
        }
    }
    stop(cancel)?;
    let names = super::registry_names(
        &snapshot.entities,
        coded.iter().map(|k| &snapshot.layers[*k]),
        &wanted,
    );
    let mut model =
        Recommender::train_with_names(&examples, &wanted, training, &snapshot.overrides, &names)?;
    stop(cancel)?;
    // Quality.
    let docs: Vec<Coded<'_>> = coded
        .iter()
        .filter_map(|k| {
            Some(Coded {
                key: k,
                layer: &snapshot.layers[*k],
                text: texts.get(k.document.as_str())?,
            })
        })
        .collect();
    let evaluation = if !snapshot.evaluate {
        Err(NOT_MEASURED.to_owned())
    } else if coded_docs.len() < 2 {
        Err(format!(
            "its quality is measured on two coded documents or more ({} so far)",
            coded_docs.len()
        ))
    } else {
        match cross_validate(
            &docs,
            &snapshot.entities,
            &snapshot.annotator,
            &wanted,
            coded_docs.len().min(FOLDS),
            training,
            &snapshot.overrides,
            cancel,
        ) {
            Ok(e) => Ok(e),
            Err(RecommendError::Cancelled) => return Err(RecommendError::Cancelled),
            Err(e) => Err(e.to_string()),
        }
    };
    if !snapshot.evaluate {
        model.f1.clone_from(&snapshot.f1);
    } else if let Ok(e) = &evaluation {
        model.f1 = e
            .model
            .per_label
            .iter()
            .map(|(l, c)| (l.clone(), c.f1()))
            .collect();
    }
    let stored = store(&snapshot.root, &snapshot.annotator, &model);
    // How unsure it is of the documents the annotator has not coded yet.
    let mut unsure = Vec::new();
    for (doc, file) in snapshot.documents.iter().filter(|_| snapshot.rank) {
        if snapshot.coded_by_annotator.contains(doc) {
            continue;
        }
        stop(cancel)?;
        if let Ok(text) = read(file, doc) {
            unsure.push((doc.clone(), model.find(text.as_str(), &[]).1));
        }
    }
    unsure.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(Learned {
        model,
        labels,
        skipped,
        documents: coded_docs.len(),
        evaluation,
        unsure,
        stored,
    })
}

fn store(root: &Path, annotator: &str, model: &Recommender) -> Result<PathBuf, String> {
    let path = model_path(root, annotator);
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::core::project::write_atomic(&path, &model.to_bytes())
    };
    write()
        .map(|()| path.clone())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
