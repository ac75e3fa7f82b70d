//! Checks a project: every annotation file's syntax, every annotation against its source text.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use super::project::Project;

/// One problem, with the file it is in and, when known, the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Every problem in the project, in a stable order (files sorted, then annotation order).
pub fn validate(project: &Project) -> Vec<Problem> {
    let mut problems = Vec::new();
    for warning in &project.warnings {
        problems.push(Problem {
            file: project.root.join(super::project::MANIFEST_FILE),
            line: None,
            message: warning.clone(),
        });
    }
    for err in &project.layer_errors {
        problems.push(Problem {
            file: err.file.clone(),
            line: None,
            message: err.message.clone(),
        });
    }
    // Each source is read (and hashed) once.
    let mut texts: HashMap<
        &str,
        Result<super::project::LoadedText, super::project::DocumentError>,
    > = HashMap::new();
    for doc in &project.documents {
        let loaded = project.read_text(&doc.path);
        let failed = loaded.as_ref().err().cloned();
        texts.insert(doc.path.as_str(), loaded);
        if let Some(err) = failed {
            problems.push(Problem {
                file: project.document_file(&doc.path),
                line: None,
                message: format!("source text cannot be opened: {err}"),
            });
        }
    }
    for (key, layer) in &project.layers {
        let file = project.layer_file(key);
        let file_text = std::fs::read_to_string(&file).unwrap_or_default();
        // Where each id is written, in one pass over the file.
        let mut id_lines: HashMap<&str, usize> = HashMap::new();
        for (n, line) in file_text.lines().enumerate() {
            if let Some(rest) = line.trim_start().strip_prefix("\"id\": \"")
                && let Some(id) = rest.split('"').next()
            {
                id_lines.entry(id).or_insert(n + 1);
            }
        }
        let line_of = |id: &str| id_lines.get(id).copied();
        let mut report = |line: Option<usize>, message: String| {
            problems.push(Problem {
                file: file.clone(),
                line,
                message,
            });
        };
        let text = match texts
            .get(key.document.as_str())
            .cloned()
            .unwrap_or_else(|| project.read_text(&key.document))
        {
            Ok(text) => text,
            Err(err) => {
                report(
                    None,
                    format!(
                        "document \"{}\": {err}; its {} annotations cannot be checked",
                        key.document,
                        layer.len()
                    ),
                );
                continue;
            }
        };
        // Spans explained by re-anchoring are reported as such, not as text mismatches.
        let mut placed: HashSet<String> = HashSet::new();
        if !layer.source_sha256.is_empty() && layer.source_sha256 != text.sha256 {
            report(
                None,
                format!(
                    "the source text changed since these annotations were saved ({} then, {} now); \
                     `tagdesk validate --write` re-anchors them",
                    short_hash(&layer.source_sha256),
                    short_hash(&text.sha256)
                ),
            );
            let (plan, _) = super::reanchor::plan_reanchor(layer, &text.text);
            for (id, from, to) in plan.moved {
                report(
                    line_of(&id),
                    format!("annotation {id}: its text moved from {from} to {to}"),
                );
                placed.insert(id);
            }
            for (id, why) in plan.needs_review {
                report(
                    line_of(&id),
                    format!("annotation {id}: needs review: {why}"),
                );
                placed.insert(id);
            }
        }
        check_relations(project, layer, &mut report);
        let len = text.text.char_len();
        let mut ids = HashSet::new();
        for a in layer.annotations() {
            let line = line_of(&a.id);
            if !ids.insert(a.id.as_str()) {
                report(line, format!("annotation id {} is used twice", a.id));
            }
            if project.schema().get(&a.label).is_none() {
                report(
                    line,
                    format!(
                        "annotation {}: label \"{}\" is not in the schema",
                        a.id, a.label
                    ),
                );
            }
            if a.end > len {
                report(
                    line,
                    format!(
                        "annotation {}: span {}..{} ends past the end of the text ({len} characters)",
                        a.id, a.start, a.end
                    ),
                );
                continue;
            }
            if let Some(def) = project.schema().get(&a.label) {
                for (name, value) in &a.attributes {
                    if name == crate::core::schema::ENTITY_ATTRIBUTE {
                        // A link: to an entity the registry has.
                        let known = matches!(value, crate::core::schema::AttributeValue::Text(id)
                            if project.entities.get(id).is_some());
                        if !known {
                            report(
                                line,
                                format!(
                                    "annotation {}: links to entity \"{value}\", which is not in {}",
                                    a.id,
                                    crate::core::entities::ENTITIES_FILE
                                ),
                            );
                        }
                        continue;
                    }
                    match def.attributes.iter().find(|d| &d.name == name) {
                        None => report(
                            line,
                            format!(
                                "annotation {}: label {} has no attribute \"{name}\"",
                                a.id, a.label
                            ),
                        ),
                        Some(d) if !d.accepts(value) => report(
                            line,
                            format!(
                                "annotation {}: \"{value}\" is not a value of attribute \"{name}\"",
                                a.id
                            ),
                        ),
                        Some(_) => {}
                    }
                }
            }
            if !a.fragments_ok() {
                report(
                    line,
                    format!(
                        "annotation {}: malformed fragments {:?}",
                        a.id,
                        a.fragments()
                    ),
                );
                continue;
            }
            if placed.contains(a.id.as_str()) {
                continue;
            }
            if let Some(why) = &a.review() {
                report(line, format!("annotation {}: needs review: {why}", a.id));
                continue;
            }
            let actual = super::text::covered_text(&text.text, a.pieces());
            if actual != a.text {
                report(
                    line,
                    format!(
                        "annotation {}: span {}..{} covers {:?} in the source, the file says {:?}",
                        a.id, a.start, a.end, actual, a.text
                    ),
                );
            }
        }
    }
    problems
}

/// Relations must join two spans of their layer, with a type the schema allows between them.
fn check_relations(
    project: &Project,
    layer: &super::AnnotationLayer,
    report: &mut dyn FnMut(Option<usize>, String),
) {
    for r in layer.relations() {
        let (Some(from), Some(to)) = (layer.get(&r.from), layer.get(&r.to)) else {
            report(
                None,
                format!("relation {} ({}) links a missing annotation", r.id, r.kind),
            );
            continue;
        };
        match project.schema().relation(&r.kind) {
            None => report(
                None,
                format!(
                    "relation {}: type \"{}\" is not in the schema",
                    r.id, r.kind
                ),
            ),
            Some(def) if !def.allows(&from.label, &to.label) => report(
                None,
                format!(
                    "relation {}: \"{}\" does not go from {} to {}",
                    r.id, r.kind, from.label, to.label
                ),
            ),
            Some(_) => {}
        }
    }
}

fn short_hash(hash: &str) -> &str {
    let hex = hash.strip_prefix("sha256:").unwrap_or(hash);
    &hex[..hex.len().min(12)]
}
