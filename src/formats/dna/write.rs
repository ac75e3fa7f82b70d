//! A project written back as a DNA 3 database (`tagdesk export P --format dna -o FILE.dna`), with
//! DNA 3's own tables (`schema.sql`), so a team can still run rDNA's analyses on tagdesk's
//! coding. The file is made beside its target and moved over it when complete.
//!
//! The way back of the import's mapping (module docs of [`super`]): a statement type is every
//! label that is the source of a relation type or has a qualifier (a choice with levels); its
//! variables are `concept` (the span's entity), one short-text variable per relation type from
//! it (the entity of the span it points to: `organization`, `person`, or `said_by` in
//! tagdesk's own scheme), its choices (`yes`/`no` with levels 1/−1 → boolean; other levelled
//! choices → integer, the level; the rest → short text), and its note (long text `note`).

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, params};

use crate::core::Project;
use crate::core::annotation::Annotation;
use crate::core::schema::{AttributeKind, AttributeValue, ENTITY_ATTRIBUTE};

/// DNA 3's tables.
const SCHEMA: &str = include_str!("schema.sql");

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub documents: usize,
    pub statements: usize,
    pub coders: usize,
    pub entities: usize,
}

enum Var {
    Concept,
    Relation(String),
    Boolean(String),
    Integer(String),
    Text(String),
    Note,
}

impl Var {
    fn name(&self) -> &str {
        match self {
            Self::Concept => "concept",
            Self::Note => "note",
            Self::Relation(n) | Self::Boolean(n) | Self::Integer(n) | Self::Text(n) => n,
        }
    }

    fn data_type(&self) -> &'static str {
        match self {
            Self::Concept | Self::Relation(_) | Self::Text(_) => "short text",
            Self::Boolean(_) => "boolean",
            Self::Integer(_) => "integer",
            Self::Note => "long text",
        }
    }
}

fn rgb(colour: &str) -> (i64, i64, i64) {
    crate::core::schema::parse_hex_color(colour).map_or((200, 200, 200), |[r, g, b]| {
        (i64::from(r), i64::from(g), i64::from(b))
    })
}

fn seconds_of(date: &str) -> i64 {
    let Some((y, m, d)) = crate::core::metadata::parse_date(date) else {
        return 0;
    };
    let days = crate::core::network::Date::new(y, m, d).days();
    let time = date
        .split_once('T')
        .and_then(|(_, t)| t.split_once(':'))
        .and_then(|(h, mi)| {
            Some(h.parse::<i64>().ok()? * 3600 + mi.get(..2)?.parse::<i64>().ok()? * 60)
        })
        .unwrap_or(0);
    days * 86_400 + time
}

/// UTF-16 offset of every code point (and of the end).
fn utf16_offsets(text: &str) -> Vec<i64> {
    let mut out = Vec::with_capacity(text.len() + 1);
    let mut u: i64 = 0;
    for c in text.chars() {
        out.push(u);
        u += i64::try_from(c.len_utf16()).unwrap_or(1);
    }
    out.push(u);
    out
}

/// Writes the project as a DNA 3 database at `out`.
pub fn write(project: &Project, out: &Path) -> Result<Written, String> {
    let schema = project.schema();
    // Statement types and their variables.
    let mut types: Vec<(String, Vec<Var>)> = Vec::new();
    for label in &schema.labels {
        let relations: Vec<&str> = schema
            .relations
            .iter()
            .filter(|r| r.from.contains(&label.name))
            .map(|r| r.name.as_str())
            .collect();
        let levelled = label.attributes.iter().any(|a| !a.levels.is_empty());
        let from_dna = label.description.starts_with("DNA statement type");
        if relations.is_empty() && !levelled && !from_dna {
            continue;
        }
        let mut vars = vec![Var::Concept];
        vars.extend(relations.iter().map(|r| Var::Relation((*r).to_owned())));
        for a in &label.attributes {
            let AttributeKind::Choice { values } = &a.kind else {
                vars.push(Var::Text(a.name.clone()));
                continue;
            };
            let boolean = values.len() == 2
                && a.levels.get("yes") == Some(&1)
                && a.levels.get("no") == Some(&-1);
            vars.push(if boolean {
                Var::Boolean(a.name.clone())
            } else if !a.levels.is_empty() {
                Var::Integer(a.name.clone())
            } else {
                Var::Text(a.name.clone())
            });
        }
        vars.push(Var::Note);
        types.push((label.name.clone(), vars));
    }
    if types.is_empty() {
        return Err(
            "the schema has no statement label (a label with a relation to an actor, or a \
             stance with levels): nothing to write"
                .to_owned(),
        );
    }
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".tagdesk-tmp-")
        .suffix(".dna")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    let written =
        fill(project, &types, tmp.path()).map_err(|e| format!("{}: {e}", out.display()))?;
    tmp.persist(out)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok(written)
}

#[expect(clippy::too_many_lines)] // one table after the other
fn fill(project: &Project, types: &[(String, Vec<Var>)], path: &Path) -> rusqlite::Result<Written> {
    let mut conn = Connection::open(path)?;
    conn.execute_batch(SCHEMA)?;
    let tx = conn.transaction()?;
    let mut written = Written::default();
    tx.execute(
        "INSERT INTO SETTINGS (Property, Value) VALUES ('version', '3.0.7'), ('date', ?1)",
        [
            humantime::format_rfc3339_seconds(std::time::SystemTime::now())
                .to_string()
                .get(..10)
                .unwrap_or("2026-01-01")
                .to_owned(),
        ],
    )?;
    // Coders: an admin first (DNA expects coder 1 to be one), then the annotators.
    tx.execute(
        "INSERT INTO CODERS (ID, Name, Password) VALUES (1, 'Admin', '')",
        [],
    )?;
    let annotators: Vec<String> = project
        .annotators()
        .into_iter()
        .filter(|a| a != crate::core::project::CURATED)
        .collect();
    let mut coder_id: BTreeMap<String, i64> = BTreeMap::new();
    for (i, a) in annotators.iter().enumerate() {
        let id = i64::try_from(i).unwrap_or(0) + 2;
        tx.execute(
            "INSERT INTO CODERS (ID, Name, Password) VALUES (?1, ?2, '')",
            params![id, a],
        )?;
        coder_id.insert(a.clone(), id);
    }
    written.coders = annotators.len();
    // Statement types and variables.
    let mut variable_id: BTreeMap<(usize, String), i64> = BTreeMap::new();
    let mut next_var = 1;
    for (t, (label, vars)) in types.iter().enumerate() {
        let colour = rgb(project.schema().get(label).map_or("", |l| l.color.as_str()));
        let type_id = i64::try_from(t).unwrap_or(0) + 1;
        tx.execute(
            "INSERT INTO STATEMENTTYPES (ID, Label, Red, Green, Blue) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![type_id, label, colour.0, colour.1, colour.2],
        )?;
        for v in vars {
            tx.execute(
                "INSERT INTO VARIABLES (ID, Variable, DataType, StatementTypeId) VALUES (?1, ?2, ?3, ?4)",
                params![next_var, v.name(), v.data_type(), type_id],
            )?;
            variable_id.insert((t, v.name().to_owned()), next_var);
            next_var += 1;
        }
    }
    // Entities are made per variable as statements use them.
    let mut entity_id: BTreeMap<(i64, String), i64> = BTreeMap::new();
    let mut attribute_id: BTreeMap<(i64, String), i64> = BTreeMap::new();
    let mut next_entity = 1;
    let mut next_attribute = 1;
    let mut entity = |tx: &rusqlite::Transaction<'_>,
                      variable: i64,
                      name: &str,
                      of: Option<&crate::core::entities::Entity>|
     -> rusqlite::Result<i64> {
        if let Some(id) = entity_id.get(&(variable, name.to_owned())) {
            return Ok(*id);
        }
        let id = next_entity;
        next_entity += 1;
        tx.execute(
            "INSERT INTO ENTITIES (ID, VariableId, Value) VALUES (?1, ?2, ?3)",
            params![id, variable, name],
        )?;
        entity_id.insert((variable, name.to_owned()), id);
        if let Some(e) = of {
            let mut attributes: Vec<(String, String)> = e
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !e.aliases.is_empty() {
                attributes.push(("Alias".to_owned(), e.aliases.join("; ")));
            }
            for (key, value) in attributes {
                let attr = if let Some(a) = attribute_id.get(&(variable, key.clone())) {
                    *a
                } else {
                    let a = next_attribute;
                    next_attribute += 1;
                    tx.execute(
                        "INSERT INTO ATTRIBUTEVARIABLES (ID, VariableId, AttributeVariable) VALUES (?1, ?2, ?3)",
                        params![a, variable, key],
                    )?;
                    attribute_id.insert((variable, key), a);
                    a
                };
                tx.execute(
                    "INSERT INTO ATTRIBUTEVALUES (EntityId, AttributeVariableId, AttributeValue) VALUES (?1, ?2, ?3)",
                    params![id, attr, value],
                )?;
            }
        }
        Ok(id)
    };
    let registry = &project.entities;
    let linked = |a: &Annotation| match a.attributes.get(ENTITY_ATTRIBUTE) {
        Some(AttributeValue::Text(id)) => registry.get(id),
        _ => None,
    };
    // Documents, then their statements.
    let mut next_statement = 1;
    for (d, doc) in project.documents.iter().enumerate() {
        let Ok(text) = project.read_text(&doc.path) else {
            continue;
        };
        let text = text.text.as_str().to_owned();
        let meta = project.metadata.get(&doc.path).cloned().unwrap_or_default();
        let layers: Vec<_> = project
            .layers
            .iter()
            .filter(|(k, _)| k.document == doc.path && coder_id.contains_key(&k.annotator))
            .collect();
        let doc_id = i64::try_from(d).unwrap_or(0) + 1;
        let extra = |k: &str| meta.extra.get(k).cloned().unwrap_or_default();
        let owner = layers
            .first()
            .and_then(|(k, _)| coder_id.get(&k.annotator))
            .copied()
            .unwrap_or(1);
        let title = if meta.title.is_empty() {
            doc.path.clone()
        } else {
            meta.title.clone()
        };
        tx.execute(
            "INSERT INTO DOCUMENTS (ID, Title, Text, Coder, Author, Source, Section, Notes, Type, Date)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                doc_id,
                title.chars().take(190).collect::<String>(),
                text,
                owner,
                extra("author"),
                meta.source,
                meta.section,
                extra("notes"),
                extra("type"),
                seconds_of(&meta.date)
            ],
        )?;
        written.documents += 1;
        let utf16 = utf16_offsets(&text);
        for (key, layer) in layers {
            let coder = coder_id[&key.annotator];
            for a in layer.annotations() {
                let Some(t) = types.iter().position(|(l, _)| *l == *a.label) else {
                    continue;
                };
                let (start, stop) = (
                    utf16[a.start.min(utf16.len() - 1)],
                    utf16[a.end.min(utf16.len() - 1)],
                );
                let statement = next_statement;
                next_statement += 1;
                tx.execute(
                    "INSERT INTO STATEMENTS (ID, StatementTypeId, DocumentId, Start, Stop, Coder) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![statement, i64::try_from(t).unwrap_or(0) + 1, doc_id, start, stop, coder],
                )?;
                written.statements += 1;
                for v in &types[t].1 {
                    let var = variable_id[&(t, v.name().to_owned())];
                    match v {
                        Var::Concept => {
                            if let Some(e) = linked(a) {
                                let id = entity(&tx, var, &e.name, Some(e))?;
                                tx.execute(
                                    "INSERT INTO DATASHORTTEXT (StatementId, VariableId, Entity) VALUES (?1, ?2, ?3)",
                                    params![statement, var, id],
                                )?;
                            }
                        }
                        Var::Relation(r) => {
                            let target = layer
                                .relations()
                                .iter()
                                .find(|x| x.kind == *r && x.from == a.id.as_str())
                                .and_then(|x| layer.get(&x.to))
                                .and_then(linked);
                            if let Some(e) = target {
                                let id = entity(&tx, var, &e.name, Some(e))?;
                                tx.execute(
                                    "INSERT INTO DATASHORTTEXT (StatementId, VariableId, Entity) VALUES (?1, ?2, ?3)",
                                    params![statement, var, id],
                                )?;
                            }
                        }
                        Var::Boolean(n) | Var::Integer(n) | Var::Text(n) => {
                            let Some(AttributeValue::Text(value)) = a.attributes.get(n) else {
                                continue;
                            };
                            let level = project
                                .schema()
                                .get(&a.label)
                                .and_then(|l| l.attributes.iter().find(|x| x.name == *n))
                                .and_then(|x| x.levels.get(value).copied());
                            match (v, level) {
                                (Var::Boolean(_), Some(l)) => {
                                    tx.execute(
                                        "INSERT INTO DATABOOLEAN (StatementId, VariableId, Value) VALUES (?1, ?2, ?3)",
                                        params![statement, var, i64::from(l > 0)],
                                    )?;
                                }
                                (Var::Integer(_), Some(l)) => {
                                    tx.execute(
                                        "INSERT INTO DATAINTEGER (StatementId, VariableId, Value) VALUES (?1, ?2, ?3)",
                                        params![statement, var, l],
                                    )?;
                                }
                                _ => {
                                    let id = entity(&tx, var, value, None)?;
                                    tx.execute(
                                        "INSERT INTO DATASHORTTEXT (StatementId, VariableId, Entity) VALUES (?1, ?2, ?3)",
                                        params![statement, var, id],
                                    )?;
                                }
                            }
                        }
                        Var::Note => {
                            if let Some(note) = a.note().as_ref().filter(|n| !n.is_empty()) {
                                let plain = note.strip_prefix("note: ").unwrap_or(note);
                                tx.execute(
                                    "INSERT INTO DATALONGTEXT (StatementId, VariableId, Value) VALUES (?1, ?2, ?3)",
                                    params![statement, var, plain],
                                )?;
                            }
                        }
                    }
                }
            }
        }
    }
    written.entities = entity_id.len();
    tx.commit()?;
    Ok(written)
}
