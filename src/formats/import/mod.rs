//! Corpus → project: match documents, check texts, labels and offsets, and build one undoable
//! step. Nothing changes until [`apply`]; a plan that fails changes nothing.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use rustc_hash::{FxHashMap, FxHashSet};

use super::{Corpus, Document, ImportError, Place};
use crate::core::annotation::{
    Annotation, DocStatus, Edit, More, Relation, Str, new_annotation_id, new_annotation_str,
    now_rfc3339,
};
use crate::core::project::{LayerKey, valid_document_path, valid_layer_name};
use crate::core::schema::{
    AttributeDef, AttributeKind, AttributeValue, Attributes, LabelDef, RelationDef, Schema,
};
use crate::core::text::CONTEXT_CHARS;
use crate::core::workspace::{NewDocument, Pending};
use crate::core::{SourceText, Workspace};

mod align;
mod schema;

use align::{DocText, OffsetMap, match_document, offset_map};
use schema::{add_declared_labels, describe, extend_schema_for_unit, fits_span, typed_attributes};
pub use schema::{extend_schema_for_link, extend_schema_for_span};

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Put every layer into this annotator's; else each layer goes to the annotator the input
    /// names.
    pub annotator: Option<String>,
    /// Documents the project does not have are added to its source folder with their text.
    pub add_documents: bool,
    /// Labels, relation types, attributes and values the schema lacks are added to it.
    pub add_labels: bool,
}

/// What an import did (or will do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub documents: usize,
    pub annotations: usize,
    pub relations: usize,
    /// Already in the layer (same label and extent, or same relation): not added twice.
    pub duplicates: usize,
    pub added_documents: Vec<String>,
    /// What was added to the schema.
    pub schema_added: Vec<String>,
    /// What was read but not imported, and why. Never silent.
    pub warnings: Vec<String>,
    /// The project's documents the import went into (`documents` counts them).
    pub paths: std::collections::BTreeSet<String>,
}

impl ImportReport {
    /// Adds what another import into the same project did (one annotator's, of an import
    /// that takes one at a time).
    pub fn merge(&mut self, other: Self) {
        self.paths.extend(other.paths);
        self.documents = self.paths.len();
        self.annotations += other.annotations;
        self.relations += other.relations;
        self.duplicates += other.duplicates;
        self.added_documents.extend(other.added_documents);
        for added in other.schema_added {
            if !self.schema_added.contains(&added) {
                self.schema_added.push(added);
            }
        }
        self.warnings.extend(other.warnings);
    }

    /// A few lines for a message box or the terminal.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "Imported {} annotations and {} relations into {} documents",
            self.annotations, self.relations, self.documents
        );
        if self.duplicates > 0 {
            let _ = write!(
                s,
                "; {} were already there and were not added again",
                self.duplicates
            );
        }
        s.push('.');
        if !self.added_documents.is_empty() {
            let _ = write!(s, "\nAdded documents: {}", self.added_documents.join(", "));
        }
        if !self.schema_added.is_empty() {
            let _ = write!(s, "\nAdded to the schema: {}", self.schema_added.join(", "));
        }
        for w in &self.warnings {
            s.push_str("\nwarning: ");
            s.push_str(w);
        }
        s
    }
}

/// A checked import, ready to apply.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pending: Vec<Pending>,
    /// Documents to write into the source folder first: (path, text, BOM).
    new_documents: Vec<(String, String, bool)>,
    pub report: ImportReport,
}

/// Reads `input` in `format` and plans its import.
pub fn read_and_plan(
    workspace: &mut Workspace,
    format: super::Format,
    input: &Path,
    options: &ImportOptions,
) -> Result<ImportPlan, ImportError> {
    let corpus = super::read(format, input)?;
    plan(workspace, corpus, options)
}

/// A span's extent as a key: one range (most spans, no allocation) or its pieces.
#[derive(PartialEq, Eq, Hash)]
enum Extent {
    One([usize; 2]),
    Many(Vec<[usize; 2]>),
}

/// One input layer matched to a project document: what the per-layer planning needs.
struct Unit {
    key: LayerKey,
    annotator: String,
    layer: super::Layer,
    map: std::sync::Arc<OffsetMap>,
    /// The project text's length in code points.
    len: usize,
}

/// The planning of the input, in input order: a problem found while matching, or the next
/// unit (the units themselves are kept apart, to be planned and dropped on all cores).
enum Step {
    Problem(String),
    Unit,
}

/// What planning one unit found; merged in input order, so the result is the same as planning
/// everything in one loop.
#[derive(Default)]
struct UnitPlan {
    problems: Vec<String>,
    unknown: Vec<(String, Place)>,
    /// The layer was new or untouched ("new"): the import marks it in progress.
    wants_status: bool,
    edits: Vec<Edit>,
    warnings: Vec<String>,
    duplicates: usize,
    annotations: usize,
    relations: usize,
    zero_length: usize,
}

/// A span's pieces on the project text, checked: `Err` a problem (outside the text), `Ok(None)`
/// nothing left (zero-length).
fn mapped_pieces(
    span: &super::Span,
    map: &OffsetMap,
    len: usize,
) -> Result<Option<Vec<[usize; 2]>>, String> {
    let mapped: Option<Vec<[usize; 2]>> =
        span.pieces.iter().map(|[s, e]| map.span(*s, *e)).collect();
    let Some(mapped) = mapped else {
        return Err(format!(
            "{}: span {} ({}) at {:?} is outside the text ({} characters)",
            span.at, span.id, span.label, span.pieces, len
        ));
    };
    if mapped.iter().any(|[_, e]| *e > len) {
        return Err(format!(
            "{}: span {} ({}) at {:?} ends past the text ({} characters)",
            span.at, span.id, span.label, span.pieces, len
        ));
    }
    Ok(super::normalise_pieces(mapped))
}

/// Checks `corpus` against the project and builds the step that imports it.
///
/// Three passes, each what one loop over the input would do: documents are matched to the
/// project's in order (that needs the workspace); with `add_labels`, the schema is extended in
/// input order by every span and relation that needs it (the only state the layers share);
/// then each layer is planned against that final schema on all cores — typing and fitting a
/// span against the final schema gives what the schema at its turn gave, since an import only
/// adds labels, attributes and values and never changes an attribute's kind — and the results
/// are merged in input order.
pub fn plan(
    workspace: &mut Workspace,
    mut corpus: Corpus,
    options: &ImportOptions,
) -> Result<ImportPlan, ImportError> {
    use rayon::prelude::*;
    if let Some(a) = &options.annotator {
        valid_layer_name(a).map_err(ImportError::Project)?;
    }
    // A codebook (a `.qdc`): importing it means adding its labels to the schema.
    let codebook = corpus
        .codebook
        .then(|| std::mem::take(&mut corpus.declared));
    let mut report = ImportReport {
        warnings: corpus.warnings.clone(),
        ..ImportReport::default()
    };
    let mut schema = workspace.project().schema().clone();
    let mut new_documents: Vec<(String, String, bool)> = Vec::new();
    let now = now_rfc3339();
    workspace.cache_texts(corpus.documents.iter().filter_map(|d| d.path.as_deref()));
    // Each document's text, for the spans' covered text and context.
    let mut doc_texts: HashMap<String, DocText> = HashMap::new();
    let mut steps: Vec<Step> = Vec::new();
    let mut units: Vec<Unit> = Vec::new();
    for (n, doc) in corpus.documents.into_iter().enumerate() {
        let (path, text) = match match_document(workspace, &doc, n, options, &mut new_documents) {
            Ok(found) => found,
            Err(e) => {
                steps.push(Step::Problem(e));
                continue;
            }
        };
        let map = match offset_map(&doc, &text) {
            Ok(map) => std::sync::Arc::new(map),
            Err(e) => {
                steps.push(Step::Problem(e));
                continue;
            }
        };
        let len = text.char_len();
        if doc.layers.len() > 1 && options.annotator.is_some() {
            let names: Vec<String> = doc
                .layers
                .iter()
                .map(|l| l.annotator.clone().unwrap_or_else(|| "(unnamed)".into()))
                .collect();
            steps.push(Step::Problem(format!(
                "{}: {} has {} layers in the input ({}); import without --annotator to keep them \
                 apart",
                doc.at,
                path,
                doc.layers.len(),
                names.join(", ")
            )));
            continue;
        }
        doc_texts.entry(path.clone()).or_insert(text);
        for layer in doc.layers {
            let Some(annotator) = options.annotator.clone().or(layer.annotator.clone()) else {
                // `Lisa/a.txt` not in the project: perhaps a folder per annotator.
                let hint = if doc.path.as_deref().is_some_and(|p| p.contains('/')) {
                    " (or, if the input has one folder per annotator, say so: \
                     --annotator-folders, \"One folder per annotator\")"
                } else {
                    ""
                };
                steps.push(Step::Problem(format!(
                    "{}: the input does not say who annotated {path}; choose an annotator{hint}",
                    doc.at
                )));
                continue;
            };
            if let Err(e) = valid_layer_name(&annotator) {
                steps.push(Step::Problem(format!("{}: {e}", doc.at)));
                continue;
            }
            steps.push(Step::Unit);
            units.push(Unit {
                key: LayerKey::new(path.clone(), annotator.clone()),
                annotator,
                layer,
                map: std::sync::Arc::clone(&map),
                len,
            });
        }
    }
    if options.add_labels {
        for unit in &units {
            report
                .schema_added
                .extend(extend_schema_for_unit(&mut schema, unit));
        }
    }
    let existing: Vec<Option<&crate::core::AnnotationLayer>> = units
        .iter()
        .map(|u| workspace.layer(&u.key.document, &u.key.annotator))
        .collect();
    // Each unit's input is dropped once it is planned: the parsed input and the planned
    // annotations are not all held at once.
    let planned: Vec<(LayerKey, UnitPlan)> = units
        .into_par_iter()
        .zip(existing)
        .map(|(unit, existing)| {
            let done = plan_unit(&unit, existing, &schema, options, &now);
            (unit.key, done)
        })
        .collect();
    // Merged in input order.
    let mut problems: Vec<String> = Vec::new();
    let mut unknown: BTreeMap<String, Place> = BTreeMap::new();
    let mut layers: BTreeMap<LayerKey, Vec<Edit>> = BTreeMap::new();
    let mut zero_length = 0usize;
    let mut planned = planned.into_iter();
    for step in steps {
        if let Step::Problem(p) = step {
            problems.push(p);
            continue;
        }
        let Some((key, done)) = planned.next() else {
            break;
        };
        problems.extend(done.problems);
        for (what, at) in done.unknown {
            unknown.entry(what).or_insert(at);
        }
        let edits = layers.entry(key).or_default();
        if done.wants_status && !edits.iter().any(|e| matches!(e, Edit::SetStatus(_))) {
            edits.push(Edit::SetStatus(DocStatus::InProgress));
        }
        edits.extend(done.edits);
        report.warnings.extend(done.warnings);
        report.duplicates += done.duplicates;
        report.annotations += done.annotations;
        report.relations += done.relations;
        zero_length += done.zero_length;
    }
    for (what, at) in &unknown {
        problems.push(format!(
            "{at}: {what} is not in the project's schema (first use; add it in the schema editor, \
             or import with \"add labels\" / --add-labels)"
        ));
    }
    if !problems.is_empty() {
        return Err(ImportError::Mismatch(problems));
    }
    if zero_length > 0 {
        report.warnings.push(format!(
            "{zero_length} zero-length spans skipped (tagdesk spans cover at least one character)"
        ));
    }
    if let Some(declared) = codebook {
        report
            .schema_added
            .extend(add_declared_labels(&mut schema, &declared));
    }
    report.schema_added.sort();
    report.schema_added.dedup();
    // Project documents the input reaches (an input may hold one document several times: a
    // file per annotator).
    report.documents = doc_texts.len();
    report.paths = doc_texts.keys().cloned().collect();
    report.added_documents = new_documents.iter().map(|d| d.0.clone()).collect();
    let mut pending: Vec<Pending> = Vec::new();
    if schema != *workspace.project().schema() {
        pending.push(Pending::Schema(schema));
    }
    fill_covered_text(&mut layers, &doc_texts);
    for (key, edits) in layers {
        // A layer where nothing new arrived is left alone (not even its status).
        if edits.iter().any(|e| !matches!(e, Edit::SetStatus(_))) {
            pending.push(Pending::Layer(key, edits));
        }
    }
    Ok(ImportPlan {
        pending,
        new_documents,
        report,
    })
}

/// Plans one unit against the (final) schema: its spans as new annotations (duplicates of
/// what the layer has are skipped), its relations between them.
fn plan_unit(
    unit: &Unit,
    existing: Option<&crate::core::AnnotationLayer>,
    schema: &Schema,
    options: &ImportOptions,
    now: &str,
) -> UnitPlan {
    let mut out = UnitPlan {
        wants_status: existing.is_none_or(|l| l.status == DocStatus::New),
        ..UnitPlan::default()
    };
    let annotator = &unit.annotator;
    // Relations refer to the input's ids: where each went (ours) and its label. Only needed,
    // and only kept, when the unit has relations.
    let linked = !unit.layer.relations.is_empty();
    let mut ids: FxHashMap<&str, Str> = FxHashMap::default();
    let mut labels: FxHashMap<Str, &str> = FxHashMap::default();
    // A span with the same label and extent as one already there (or imported just before)
    // is a duplicate.
    let mut seen: FxHashMap<(&str, Extent), Str> = FxHashMap::default();
    if let Some(l) = existing {
        seen.reserve(l.len() + unit.layer.spans.len());
        for a in l.annotations() {
            let extent = match a.fragments() {
                [] => Extent::One([a.start, a.end]),
                [one] => Extent::One(*one),
                many => Extent::Many(many.to_vec()),
            };
            seen.insert((a.label.as_str(), extent), a.id.clone());
            if linked {
                labels.insert(a.id.clone(), a.label.as_str());
            }
        }
    } else {
        seen.reserve(unit.layer.spans.len());
    }
    for span in &unit.layer.spans {
        let pieces = match mapped_pieces(span, &unit.map, unit.len) {
            Err(problem) => {
                out.problems.push(problem);
                continue;
            }
            Ok(None) => {
                out.zero_length += 1;
                continue;
            }
            Ok(Some(pieces)) => pieces,
        };
        let attributes = typed_attributes(schema, &span.label, span.attributes.clone());
        if !fits_span(schema, &span.label, &attributes) {
            let what = if schema.get(&span.label).is_none() {
                format!("label \"{}\"", span.label)
            } else {
                format!("attributes {} on \"{}\"", describe(&attributes), span.label)
            };
            out.unknown.push((what, span.at.clone()));
            continue;
        }
        let extent = match &pieces[..] {
            [one] => Extent::One(*one),
            many => Extent::Many(many.to_vec()),
        };
        let sig = (span.label.as_str(), extent);
        if let Some(id) = seen.get(&sig) {
            if linked {
                ids.insert(span.id.as_str(), id.clone());
            }
            out.duplicates += 1;
            continue;
        }
        let id = new_annotation_str();
        seen.insert(sig, id.clone());
        if linked {
            ids.insert(span.id.as_str(), id.clone());
            labels.insert(id.clone(), span.label.as_str());
        }
        let start = pieces[0][0];
        let end = pieces[pieces.len() - 1][1];
        out.edits.push(Edit::Add(Annotation {
            id,
            label: span.label.as_str().into(),
            start,
            end,
            // Filled later, on all cores (`fill_covered_text`).
            text: crate::core::annotation::Str::default(),
            prefix: crate::core::annotation::Str::default(),
            suffix: crate::core::annotation::Str::default(),
            more: More {
                fragments: if pieces.len() > 1 { pieces } else { Vec::new() },
                note: span.note.clone(),
                ..More::default()
            }
            .boxed(),
            attributes: attributes.into(),
            author: annotator.as_str().into(),
            times: crate::core::annotation::Times::new(now, now),
        }));
        out.annotations += 1;
    }
    let mut seen_links: FxHashSet<(&str, &str, &str)> = existing
        .map(|l| {
            l.relations()
                .iter()
                .map(|r| (r.kind.as_str(), r.from.as_str(), r.to.as_str()))
                .collect()
        })
        .unwrap_or_default();
    for link in &unit.layer.relations {
        let (Some(from), Some(to)) = (ids.get(link.from.as_str()), ids.get(link.to.as_str()))
        else {
            let missing = if ids.contains_key(link.from.as_str()) {
                &link.to
            } else {
                &link.from
            };
            out.warnings.push(format!(
                "{}: relation {} ({}) skipped: its span {missing} was not imported",
                link.at, link.id, link.kind
            ));
            continue;
        };
        let (from_label, to_label) = (&labels[from], &labels[to]);
        let fits = schema
            .relation(&link.kind)
            .is_some_and(|d| d.allows(from_label, to_label));
        // With "add labels" the schema was extended for it beforehand.
        if !fits && !options.add_labels {
            out.unknown.push((
                format!("relation \"{}\" from {from_label} to {to_label}", link.kind),
                link.at.clone(),
            ));
            continue;
        }
        if !seen_links.insert((link.kind.as_str(), from.as_str(), to.as_str())) {
            out.duplicates += 1;
            continue;
        }
        out.edits.push(Edit::AddRelation(Relation {
            id: new_annotation_id(),
            kind: link.kind.clone(),
            from: from.to_string(),
            to: to.to_string(),
            author: annotator.clone(),
            created: now.to_owned(),
        }));
        out.relations += 1;
    }
    out
}

/// Carries out a plan as one undo step: new documents are written to the source folder first
/// (never over an existing file), then the edits are applied ([`Workspace::add_documents`]).
/// On failure nothing is left.
pub fn apply(workspace: &mut Workspace, plan: ImportPlan) -> Result<ImportReport, ImportError> {
    let documents: Vec<NewDocument> = plan
        .new_documents
        .into_iter()
        .map(|(path, text, bom)| NewDocument { path, text, bom })
        .collect();
    let description = format!("import {} annotations", plan.report.annotations);
    workspace
        .add_documents(&documents, description, plan.pending)
        .map_err(|e| ImportError::Project(e.to_string()))?;
    Ok(plan.report)
}

/// Every added annotation's covered text and context, from its document's text: on all cores,
/// layer by layer (the slowest part of planning a big import, done once everything is known).
/// Each layer's offsets are converted to bytes in one walk along its text (sorted first).
fn fill_covered_text(layers: &mut BTreeMap<LayerKey, Vec<Edit>>, texts: &HashMap<String, DocText>) {
    use rayon::prelude::*;
    layers.par_iter_mut().for_each(|(key, edits)| {
        let Some(text) = texts.get(&key.document) else {
            return;
        };
        let mut chars: Vec<usize> = Vec::new();
        for edit in edits.iter() {
            if let Edit::Add(a) = edit {
                chars.push(a.start.saturating_sub(CONTEXT_CHARS));
                chars.push(a.end + CONTEXT_CHARS);
                chars.extend(a.pieces().flat_map(|r| [r.start, r.end]));
            }
        }
        chars.sort_unstable();
        chars.dedup();
        let bytes = text.bytes_of_sorted_chars(&chars);
        let byte = |c: usize| bytes[chars.binary_search(&c).unwrap_or_else(|i| i)];
        let slice = |from: usize, to: usize| &text.as_str()[byte(from)..byte(to.max(from))];
        for edit in edits {
            if let Edit::Add(a) = edit {
                a.text = crate::core::text::join_pieces(a.pieces().map(|p| slice(p.start, p.end)))
                    .into();
                a.prefix = slice(a.start.saturating_sub(CONTEXT_CHARS), a.start).into();
                a.suffix = slice(a.end, a.end + CONTEXT_CHARS).into();
            }
        }
    });
}
