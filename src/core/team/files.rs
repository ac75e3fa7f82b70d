//! The project's files as a team shares them: which kind each is, how two versions of a JSON
//! file merge by meaning ([`super::merge`]) and are written back exactly as tagdesk writes
//! them, and what a commit changed in words ("maria: 14 spans in 3 documents; schema: label
//! 'frame' added").

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::core::entities::ENTITIES_FILE;
use crate::core::metadata::METADATA_FILE;
use crate::core::project::{ANNOTATIONS_DIR, MANIFEST_FILE, to_pretty_json};
use crate::core::suggest::SUGGESTIONS_FILE;

/// What a file of the project is (by its path relative to the project folder, with `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `tagdesk.json`: the name, the source folder and the schema.
    Manifest,
    Entities,
    Metadata,
    Suggestions,
    /// `annotations/<annotator>/<document>.json`.
    Layer {
        annotator: String,
        document: String,
    },
    /// Anything else (source texts, the `.gitignore`).
    Other,
}

pub fn kind_of(path: &str) -> Kind {
    match path {
        MANIFEST_FILE => Kind::Manifest,
        ENTITIES_FILE => Kind::Entities,
        METADATA_FILE => Kind::Metadata,
        SUGGESTIONS_FILE => Kind::Suggestions,
        _ => {
            let layer = path
                .strip_prefix(ANNOTATIONS_DIR)
                .and_then(|p| p.strip_prefix('/'))
                .and_then(|p| p.split_once('/'))
                .and_then(|(annotator, doc)| {
                    doc.strip_suffix(".json")
                        .map(|d| (annotator.to_owned(), d.to_owned()))
                });
            match layer {
                Some((annotator, document)) => Kind::Layer {
                    annotator,
                    document,
                },
                None => Kind::Other,
            }
        }
    }
}

impl Kind {
    /// Whether its versions merge by meaning (a JSON file tagdesk knows).
    pub fn merges(&self) -> bool {
        !matches!(self, Self::Other)
    }
}

/// The file's text as tagdesk writes it, after checking it is a valid file of its kind (what
/// arrives from colleagues is checked as an import is). `Err` says what is wrong.
pub fn canonical(kind: &Kind, path: &str, value: &Value) -> Result<String, String> {
    let json = value.to_string();
    let at = std::path::Path::new(path);
    match kind {
        Kind::Manifest => crate::core::project::parse_manifest(at, &json)
            .map(|m| to_pretty_json(&m))
            .map_err(|e| e.to_string()),
        Kind::Entities => crate::core::entities::Registry::parse(&json)
            .map(|r| r.to_json())
            .map_err(|e| format!("{path}: {e}")),
        Kind::Metadata => crate::core::metadata::Metadata::parse(&json)
            .map(|m| m.to_json())
            .map_err(|e| format!("{path}: {e}")),
        Kind::Layer { annotator, .. } => {
            let file = crate::core::project::parse_layer(at, &json).map_err(|e| e.to_string())?;
            if file.annotator != *annotator {
                return Err(format!(
                    "{path}: the file says it is {}'s, but it is in {annotator}'s folder",
                    file.annotator
                ));
            }
            Ok(file.to_json())
        }
        Kind::Suggestions | Kind::Other => Ok(to_pretty_json(value)),
    }
}

/// What a merge by meaning can leave that the file's rules forbid, put right (with what was
/// done, in words): two labels added on two machines with the same key — the second in the
/// list gives its key up.
pub fn fix_up(kind: &Kind, value: &mut Value) -> Vec<String> {
    let mut said = Vec::new();
    if *kind == Kind::Manifest
        && let Some(labels) = value.get_mut("labels").and_then(Value::as_array_mut)
    {
        let mut taken = BTreeSet::new();
        for label in labels {
            let Some(o) = label.as_object_mut() else {
                continue;
            };
            let Some(key) = o.get("hotkey").and_then(Value::as_str).map(str::to_owned) else {
                continue;
            };
            if !taken.insert(key.clone()) {
                o.remove("hotkey");
                let name = o.get("name").and_then(Value::as_str).unwrap_or_default();
                said.push(format!(
                    "labels '{name}' and another were both given the key {key}: '{name}' has none now (set one in the schema editor)"
                ));
            }
        }
    }
    said
}

/// A file's text parsed loosely (`None`: absent or not JSON).
pub fn parse(text: Option<&str>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

/// What changed between two versions of the project's files, in words, for a commit message.
#[derive(Debug, Default)]
pub struct Summary {
    /// Per annotator: spans added, changed, removed, and the documents.
    spans: BTreeMap<String, (usize, usize, usize, BTreeSet<String>)>,
    labels_added: Vec<String>,
    labels_removed: Vec<String>,
    schema_changed: bool,
    entities: (usize, usize, usize),
    metadata: usize,
    documents: usize,
    other: usize,
}

fn by_id(v: Option<&Value>, list: &str) -> BTreeMap<String, Value> {
    v.and_then(|v| v.get(list))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| {
                    let id = x
                        .get("id")
                        .or_else(|| x.get("name"))
                        .and_then(Value::as_str)?;
                    Some((id.to_owned(), x.clone()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// (added, changed, removed) between two id maps.
fn counts(
    before: &BTreeMap<String, Value>,
    after: &BTreeMap<String, Value>,
) -> (usize, usize, usize) {
    let added = after.keys().filter(|k| !before.contains_key(*k)).count();
    let removed = before.keys().filter(|k| !after.contains_key(*k)).count();
    let changed = after
        .iter()
        .filter(|(k, v)| before.get(*k).is_some_and(|b| b != *v))
        .count();
    (added, changed, removed)
}

impl Summary {
    /// Adds one file's change (`before`/`after`: its texts; `None` where absent).
    pub fn add(&mut self, path: &str, before: Option<&str>, after: Option<&str>) {
        let (b, a) = (parse(before), parse(after));
        match kind_of(path) {
            Kind::Layer {
                annotator,
                document,
            } => {
                let (added, changed, removed) = counts(
                    &by_id(b.as_ref(), "annotations"),
                    &by_id(a.as_ref(), "annotations"),
                );
                let entry = self.spans.entry(annotator).or_default();
                entry.0 += added;
                entry.1 += changed;
                entry.2 += removed;
                entry.3.insert(document);
            }
            Kind::Manifest => {
                let (before, after) = (by_id(b.as_ref(), "labels"), by_id(a.as_ref(), "labels"));
                self.labels_added
                    .extend(after.keys().filter(|k| !before.contains_key(*k)).cloned());
                self.labels_removed
                    .extend(before.keys().filter(|k| !after.contains_key(*k)).cloned());
                self.schema_changed = true;
            }
            Kind::Entities => {
                let c = counts(
                    &by_id(b.as_ref(), "entities"),
                    &by_id(a.as_ref(), "entities"),
                );
                self.entities = (
                    self.entities.0 + c.0,
                    self.entities.1 + c.1,
                    self.entities.2 + c.2,
                );
            }
            Kind::Metadata => {
                let docs = |v: Option<&Value>| -> BTreeMap<String, Value> {
                    v.and_then(|v| v.get("documents"))
                        .and_then(Value::as_object)
                        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default()
                };
                let c = counts(&docs(b.as_ref()), &docs(a.as_ref()));
                self.metadata += c.0 + c.1 + c.2;
            }
            Kind::Other if crate::core::walk::has_extension(path, "txt") => self.documents += 1,
            Kind::Suggestions | Kind::Other => self.other += 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
            && !self.schema_changed
            && self.entities == (0, 0, 0)
            && self.metadata == 0
            && self.documents == 0
            && self.other == 0
    }

    /// The message: `maria: 14 spans added in 3 documents; schema: label 'frame' added`.
    pub fn message(&self) -> String {
        let mut parts = Vec::new();
        for (who, (added, changed, removed, docs)) in &self.spans {
            let mut what = Vec::new();
            for (n, verb) in [(added, "added"), (changed, "changed"), (removed, "removed")] {
                if *n > 0 {
                    what.push(format!(
                        "{n} {} {verb}",
                        if *n == 1 { "span" } else { "spans" }
                    ));
                }
            }
            if what.is_empty() {
                what.push("status".to_owned());
            }
            parts.push(format!(
                "{who}: {} in {} {}",
                what.join(", "),
                docs.len(),
                if docs.len() == 1 {
                    "document"
                } else {
                    "documents"
                }
            ));
        }
        if self.schema_changed {
            let mut what: Vec<String> = self
                .labels_added
                .iter()
                .map(|l| format!("label '{l}' added"))
                .chain(
                    self.labels_removed
                        .iter()
                        .map(|l| format!("label '{l}' removed")),
                )
                .collect();
            if what.is_empty() {
                what.push("changed".to_owned());
            }
            parts.push(format!("schema: {}", what.join(", ")));
        }
        let (added, changed, removed) = self.entities;
        if added + changed + removed > 0 {
            let mut what = Vec::new();
            for (n, verb) in [(added, "added"), (changed, "changed"), (removed, "removed")] {
                if n > 0 {
                    what.push(format!("{n} {verb}"));
                }
            }
            parts.push(format!("entities: {}", what.join(", ")));
        }
        if self.metadata > 0 {
            parts.push(format!("metadata of {} documents", self.metadata));
        }
        if self.documents > 0 {
            parts.push(format!("{} source texts", self.documents));
        }
        if self.other > 0 {
            parts.push(format!("{} other files", self.other));
        }
        if parts.is_empty() {
            "tagdesk: no change".to_owned()
        } else {
            parts.join("; ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_have_kinds() {
        assert_eq!(kind_of("tagdesk.json"), Kind::Manifest);
        assert_eq!(
            kind_of("annotations/maria/a/b.txt.json"),
            Kind::Layer {
                annotator: "maria".into(),
                document: "a/b.txt".into()
            }
        );
        assert_eq!(kind_of("sources/a.txt"), Kind::Other);
    }

    #[test]
    fn a_summary_says_who_did_what() {
        let mut s = Summary::default();
        s.add(
            "annotations/maria/a.txt.json",
            Some(r#"{"annotations":[{"id":"1","label":"actor"}]}"#),
            Some(r#"{"annotations":[{"id":"1","label":"claim"},{"id":"2"},{"id":"3"}]}"#),
        );
        s.add(
            "tagdesk.json",
            Some(r#"{"labels":[{"name":"actor"}]}"#),
            Some(r#"{"labels":[{"name":"actor"},{"name":"frame"}]}"#),
        );
        assert_eq!(
            s.message(),
            "maria: 2 spans added, 1 span changed in 1 document; schema: label 'frame' added"
        );
    }
}
