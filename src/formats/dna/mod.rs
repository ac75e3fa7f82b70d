//! Discourse Network Analyzer databases (`.dna`, DNA 3: `SQLite`) into a tagdesk project, so a
//! DNA user's years of coding continue here. GUI-free; `tagdesk import P --format dna FILE`
//! and File → Import… drive it.
//!
//! How DNA's model maps (docs/FORMATS.md, "DNA"):
//! * a DNA document → a document (`NNN-title.txt`: its text, as DNA holds it) with its title,
//!   date, source and section as metadata, author, type, notes and DNA's id as further columns;
//! * a coder → an annotator (password and permissions are not read);
//! * a statement type → a label (its colour); a statement → a span of that label at exactly
//!   DNA's place (DNA counts in UTF-16 code units, as Java strings do: converted to code
//!   points, characters outside the BMP included);
//! * its `concept` variable (short text) → the span's entity (an entity of kind concept);
//! * every other short-text variable (`organization`, `person` …) → a span of that variable's
//!   label over the same text, linked to its entity (kind actor), and a relation named after
//!   the variable from the statement to it — so `tagdesk network --actor-relation person`
//!   draws DNA's person × concept network, `organization` (the default) its organization ×
//!   concept one;
//! * a boolean variable → a choice `yes`/`no` with levels 1 / −1 (DNA's agree / disagree);
//!   an integer variable → a choice of the values DNA holds, each its own level; long text →
//!   the span's note (`variable: text`);
//! * an entity's attributes (`Type`, `Notes` …) → the entity's attributes (declared in the
//!   schema), `Alias` → its aliases.
//!
//! What has no equivalent (entity colours, the entity hierarchy, regexes, coder relations) is
//! counted in the report, never dropped silently.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use crate::core::Workspace;
use crate::core::annotation::{Annotation, Edit, Relation};
use crate::core::entities::{Entity, EntityKind, Registry};
use crate::core::metadata::DocumentMeta;
use crate::core::project::LayerKey;
use crate::core::schema::{
    AttributeDef, AttributeKind, AttributeValue, ENTITY_ATTRIBUTE, EntityAttributeDef, LabelDef,
    RelationDef,
};
use crate::core::workspace::{NewDocument, Pending};

mod read;
mod write;

pub use read::{Database, read};
pub use write::{Written, write};

/// What an import of a DNA database brought, and what it could not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DnaReport {
    pub documents: usize,
    pub statements: usize,
    pub annotators: Vec<String>,
    pub entities: usize,
    /// What has no equivalent in tagdesk, counted: what → how many.
    pub not_carried: BTreeMap<String, usize>,
}

impl DnaReport {
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} documents, {} statements by {} ({}), {} entities",
            self.documents,
            self.statements,
            self.annotators.len(),
            self.annotators.join(", "),
            self.entities
        );
        for (what, n) in &self.not_carried {
            let _ = write!(s, "; not carried over: {n} {what}");
        }
        s
    }
}

/// A DNA database, planned against a workspace: applied in one undo step by [`apply`].
#[derive(Debug)]
pub struct DnaPlan {
    documents: Vec<NewDocument>,
    metadata: Vec<(String, DocumentMeta)>,
    pending: Vec<Pending>,
    pub report: DnaReport,
}

/// The label a DNA variable's spans get.
fn variable_label(variable: &str) -> String {
    variable.to_owned()
}

/// An entity's id here, from its DNA id (stable: the same database gives the same ids).
pub fn entity_id(dna_id: i64) -> String {
    format!("e{dna_id:016x}")
}

fn colour(rgb: (i64, i64, i64)) -> String {
    let c = |x: i64| x.clamp(0, 255);
    format!("#{:02x}{:02x}{:02x}", c(rgb.0), c(rgb.1), c(rgb.2))
}

/// A document's file name: its DNA id and title (`003-whitman-christine-todd.txt`).
fn document_name(id: i64, title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.chars().count() >= 48 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("{id:03}.txt")
    } else {
        format!("{id:03}-{slug}.txt")
    }
}

/// UTF-16 offsets (Java's) to code-point offsets, for one text.
struct Utf16Index(Vec<usize>);

impl Utf16Index {
    fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len());
        let mut u = 0;
        for c in text.chars() {
            starts.push(u);
            u += c.len_utf16();
        }
        starts.push(u);
        Self(starts)
    }

    /// The code point starting at this UTF-16 offset (`None`: inside a character or past the end).
    fn char_at(&self, utf16: usize) -> Option<usize> {
        self.0.binary_search(&utf16).ok()
    }
}

/// Plans the import of `db` into the workspace (nothing is written).
pub fn plan(workspace: &Workspace, db: &Database) -> Result<DnaPlan, String> {
    let project = workspace.project();
    let mut report = DnaReport::default();
    // The schema: labels for statement types and for variables, relations, attributes.
    let mut schema = project.schema().clone();
    let concept_var = |v: &read::Variable| v.data_type == "short text" && v.name == "concept";
    let mut entity_kinds: BTreeMap<i64, EntityKind> = BTreeMap::new();
    for t in &db.statement_types {
        let vars: Vec<&read::Variable> =
            db.variables.iter().filter(|v| v.type_id == t.id).collect();
        let mut attributes = Vec::new();
        for v in &vars {
            match v.data_type.as_str() {
                "boolean" => attributes.push(AttributeDef {
                    name: v.name.clone(),
                    kind: AttributeKind::Choice {
                        values: vec!["yes".to_owned(), "no".to_owned()],
                    },
                    description: format!("DNA boolean variable {}", v.name),
                    levels: [("yes".to_owned(), 1), ("no".to_owned(), -1)].into(),
                }),
                "integer" => {
                    let observed: BTreeSet<i64> = db
                        .integers
                        .iter()
                        .filter(|d| d.variable == v.id)
                        .map(|d| d.value)
                        .collect();
                    attributes.push(AttributeDef {
                        name: v.name.clone(),
                        kind: AttributeKind::Choice {
                            values: observed.iter().map(ToString::to_string).collect(),
                        },
                        description: format!("DNA integer variable {}", v.name),
                        levels: observed.iter().map(|n| (n.to_string(), *n)).collect(),
                    });
                }
                "short text" => {
                    entity_kinds.insert(
                        v.id,
                        if concept_var(v) {
                            EntityKind::Concept
                        } else {
                            EntityKind::Actor
                        },
                    );
                    if !concept_var(v) {
                        let label = variable_label(&v.name);
                        if schema.get(&label).is_none() {
                            schema.labels.push(LabelDef {
                                name: label.clone(),
                                color: colour((120, 160, 200)),
                                hotkey: None,
                                description: format!("DNA variable {} (an entity)", v.name),
                                attributes: Vec::new(),
                            });
                        }
                        match schema.relations.iter_mut().find(|r| r.name == v.name) {
                            Some(r) => {
                                if !r.from.contains(&t.label) {
                                    r.from.push(t.label.clone());
                                }
                            }
                            None => schema.relations.push(RelationDef {
                                name: v.name.clone(),
                                from: vec![t.label.clone()],
                                to: vec![label],
                                description: format!("The statement's {}.", v.name),
                            }),
                        }
                    }
                }
                _ => {}
            }
        }
        match schema.labels.iter_mut().find(|l| l.name == t.label) {
            Some(existing) => {
                for a in attributes {
                    if !existing.attributes.iter().any(|x| x.name == a.name) {
                        existing.attributes.push(a);
                    }
                }
            }
            None => schema.labels.push(LabelDef {
                name: t.label.clone(),
                color: colour(t.rgb),
                hotkey: None,
                description: format!("DNA statement type {}", t.label),
                attributes,
            }),
        }
    }
    // Entities, with their attributes.
    let mut new_entities: Vec<Entity> = Vec::new();
    let mut by_dna: BTreeMap<i64, String> = BTreeMap::new();
    for e in &db.entities {
        let Some(kind) = entity_kinds.get(&e.variable).copied() else {
            continue;
        };
        if e.value.trim().is_empty() {
            continue;
        }
        let id = entity_id(e.id);
        let mut aliases = Vec::new();
        let mut attributes = BTreeMap::new();
        for a in db.attribute_values.iter().filter(|a| a.entity == e.id) {
            let Some(name) = db
                .attribute_variables
                .iter()
                .find(|v| v.id == a.attribute)
                .map(|v| v.name.clone())
            else {
                continue;
            };
            if a.value.trim().is_empty() {
                continue;
            }
            if name == "Alias" {
                aliases.extend(
                    a.value
                        .split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                );
            } else {
                if !schema
                    .entity_attributes
                    .iter()
                    .any(|d| d.kind == kind && d.name == name)
                {
                    schema.entity_attributes.push(EntityAttributeDef {
                        kind,
                        name: name.clone(),
                        values: Vec::new(),
                        description: format!("DNA entity attribute {name}"),
                    });
                }
                attributes.insert(name, a.value.clone());
            }
        }
        if e.rgb.is_some() {
            *report
                .not_carried
                .entry("entity colours".to_owned())
                .or_default() += 1;
        }
        if e.child_of.is_some() {
            *report
                .not_carried
                .entry("entity hierarchy links".to_owned())
                .or_default() += 1;
        }
        by_dna.insert(e.id, id.clone());
        new_entities.push(Entity {
            id,
            kind,
            name: e.value.clone(),
            aliases,
            attributes,
        });
        report.entities += 1;
    }
    let registry = Registry::from_entities(
        project
            .entities
            .entities()
            .iter()
            .cloned()
            .chain(new_entities.into_iter().map(Arc::new)),
    );
    let problems = schema.problems();
    if !problems.is_empty() {
        return Err(format!(
            "the schema the database makes is not valid: {}",
            problems.join("; ")
        ));
    }
    // Documents.
    let mut documents = Vec::new();
    let mut metadata = Vec::new();
    let mut names: BTreeMap<i64, (String, Utf16Index)> = BTreeMap::new();
    let coder_name = |id: Option<i64>| -> Option<String> {
        db.coders
            .iter()
            .find(|c| Some(c.id) == id)
            .map(|c| annotator_name(&c.name))
    };
    for d in &db.documents {
        let name = document_name(d.id, &d.title);
        if project.document(&name).is_some() {
            return Err(format!(
                "the project has a document {name} already: import the database into a new project"
            ));
        }
        let mut extra = BTreeMap::new();
        for (k, v) in [
            ("author", d.author.clone()),
            ("type", d.kind.clone()),
            ("notes", d.notes.clone()),
            ("dna_id", d.id.to_string()),
            ("coder", coder_name(d.coder).unwrap_or_default()),
        ] {
            if !v.is_empty() {
                extra.insert(k.to_owned(), v);
            }
        }
        metadata.push((
            name.clone(),
            DocumentMeta {
                date: read::date_of(d.date),
                source: d.source.clone(),
                title: d.title.clone(),
                section: d.section.clone(),
                extra,
            },
        ));
        names.insert(d.id, (name.clone(), Utf16Index::new(&d.text)));
        documents.push(NewDocument {
            path: name,
            text: d.text.clone(),
            bom: false,
        });
    }
    report.documents = documents.len();
    // Statements: a span each (and one per entity variable), in their coder's layer.
    let texts: BTreeMap<i64, &str> = db
        .documents
        .iter()
        .map(|d| (d.id, d.text.as_str()))
        .collect();
    let mut layers: BTreeMap<LayerKey, Vec<Edit>> = BTreeMap::new();
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    for s in &db.statements {
        let Some((document, index)) = names.get(&s.document) else {
            return Err(format!(
                "table STATEMENTS, row {}: its document {} is not in DOCUMENTS",
                s.id, s.document
            ));
        };
        let (Some(start), Some(end)) = (index.char_at(s.start), index.char_at(s.stop)) else {
            return Err(format!(
                "table STATEMENTS, row {}: {}..{} is not a place in document {} ({} UTF-16 units long)",
                s.id,
                s.start,
                s.stop,
                s.document,
                index.0.last().copied().unwrap_or(0)
            ));
        };
        if start >= end {
            return Err(format!(
                "table STATEMENTS, row {}: an empty statement ({}..{})",
                s.id, s.start, s.stop
            ));
        }
        let Some(t) = db.statement_types.iter().find(|t| t.id == s.type_id) else {
            return Err(format!(
                "table STATEMENTS, row {}: statement type {} is not in STATEMENTTYPES",
                s.id, s.type_id
            ));
        };
        let Some(annotator) = coder_name(s.coder) else {
            return Err(format!(
                "table STATEMENTS, row {}: coder {:?} is not in CODERS",
                s.id, s.coder
            ));
        };
        let text = texts.get(&s.document).copied().unwrap_or_default();
        let piece = |from: usize, to: usize| -> String {
            text.chars()
                .skip(from)
                .take(to.saturating_sub(from))
                .collect()
        };
        let covered = piece(start, end);
        // The context kept to find the span again if the text changes (re-anchoring).
        let prefix = piece(
            start.saturating_sub(crate::core::text::CONTEXT_CHARS),
            start,
        );
        let suffix = piece(end, end + crate::core::text::CONTEXT_CHARS);
        let span =
            |id: String, label: &str, attributes: BTreeMap<String, AttributeValue>| Annotation {
                id: id.into(),
                label: label.into(),
                start,
                end,
                more: None,
                text: covered.as_str().into(),
                prefix: prefix.as_str().into(),
                suffix: suffix.as_str().into(),
                attributes: attributes.into_iter().collect(),
                author: annotator.as_str().into(),
                times: crate::core::annotation::Times::new(&now, &now),
            };
        let key = LayerKey::new(document.clone(), annotator.clone());
        let edits = layers.entry(key).or_default();
        let mut attributes = BTreeMap::new();
        let mut notes = Vec::new();
        let mut linked = Vec::new();
        for v in db.variables.iter().filter(|v| v.type_id == t.id) {
            match v.data_type.as_str() {
                "boolean" => {
                    if let Some(d) = db
                        .booleans
                        .iter()
                        .find(|d| d.statement == s.id && d.variable == v.id)
                    {
                        attributes.insert(
                            v.name.clone(),
                            AttributeValue::Text(
                                if d.value != 0 { "yes" } else { "no" }.to_owned(),
                            ),
                        );
                    }
                }
                "integer" => {
                    if let Some(d) = db
                        .integers
                        .iter()
                        .find(|d| d.statement == s.id && d.variable == v.id)
                    {
                        attributes
                            .insert(v.name.clone(), AttributeValue::Text(d.value.to_string()));
                    }
                }
                "long text" => {
                    if let Some(d) = db
                        .long_texts
                        .iter()
                        .find(|d| d.statement == s.id && d.variable == v.id)
                        && !d.value.trim().is_empty()
                    {
                        notes.push(format!("{}: {}", v.name, d.value));
                    }
                }
                _ => {
                    let entity = db
                        .short_texts
                        .iter()
                        .find(|d| d.statement == s.id && d.variable == v.id)
                        .and_then(|d| by_dna.get(&d.entity));
                    let Some(entity) = entity else {
                        *report
                            .not_carried
                            .entry("empty entity variables (left unset)".to_owned())
                            .or_default() += 1;
                        continue;
                    };
                    if concept_var(v) {
                        attributes.insert(
                            ENTITY_ATTRIBUTE.to_owned(),
                            AttributeValue::Text(entity.clone()),
                        );
                    } else {
                        linked.push((v, entity.clone()));
                    }
                }
            }
        }
        let id = format!("{:016x}", s.id);
        let mut statement = span(id.clone(), &t.label, attributes);
        if !notes.is_empty() {
            statement.set_note(Some(notes.join("\n")));
        }
        edits.push(Edit::Add(statement));
        for (v, entity) in linked {
            let part = format!("{:012x}{:04x}", s.id, v.id);
            let target = span(
                part.clone(),
                &variable_label(&v.name),
                [(ENTITY_ATTRIBUTE.to_owned(), AttributeValue::Text(entity))].into(),
            );
            edits.push(Edit::Add(target));
            edits.push(Edit::AddRelation(Relation {
                id: format!("r{part}"),
                kind: v.name.clone(),
                from: id.clone(),
                to: part,
                author: annotator.clone(),
                created: now.clone(),
            }));
        }
        report.statements += 1;
        if !report.annotators.contains(&annotator) {
            report.annotators.push(annotator);
        }
    }
    for (what, n) in [
        ("regexes", db.regexes),
        ("coder relations and permissions", db.coder_relations),
    ] {
        if n > 0 {
            report.not_carried.insert(what.to_owned(), n);
        }
    }
    let mut pending = vec![Pending::Schema(schema), Pending::Entities(registry)];
    pending.extend(layers.into_iter().map(|(k, e)| Pending::Layer(k, e)));
    Ok(DnaPlan {
        documents,
        metadata,
        pending,
        report,
    })
}

/// A coder's name as an annotator name (characters a folder name cannot hold become `-`).
fn annotator_name(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches(['.', '_']).to_owned();
    if cleaned.is_empty() {
        "coder".to_owned()
    } else {
        cleaned
    }
}

/// Carries a plan out as one undo step (documents first, never over a file), then the
/// documents' metadata; all or nothing.
pub fn apply(workspace: &mut Workspace, plan: DnaPlan) -> Result<DnaReport, String> {
    let plan_documents: Vec<String> = plan.documents.iter().map(|d| d.path.clone()).collect();
    workspace
        .add_documents(&plan.documents, "import a DNA database", plan.pending)
        .map_err(|e| e.to_string())?;
    let mut metadata = workspace.project().metadata.clone();
    for (doc, meta) in plan.metadata {
        metadata.set(&doc, meta);
    }
    let path = workspace
        .project()
        .root
        .join(crate::core::metadata::METADATA_FILE);
    if let Err(e) = crate::core::project::write_atomic(&path, metadata.to_json().as_bytes()) {
        // All or nothing: the step is taken back and the documents go again.
        workspace.undo();
        let files: Vec<std::path::PathBuf> = plan_documents
            .iter()
            .map(|d| workspace.project().document_file(d))
            .collect();
        workspace.remove_written(&files);
        return Err(format!(
            "cannot write {}: {e}; nothing was imported",
            path.display()
        ));
    }
    workspace.metadata_written(metadata);
    Ok(plan.report)
}

/// Reads and imports a DNA database into the workspace.
pub fn import(workspace: &mut Workspace, file: &Path) -> Result<DnaReport, String> {
    let db = read(file)?;
    let plan = plan(workspace, &db)?;
    apply(workspace, plan)
}
