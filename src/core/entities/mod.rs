//! The project's entity registry (`entities.json`): one actor is one node however the texts
//! name it ("Lavrov", "Sergei Lavrov", "Russia's foreign minister"), and a claim is about a
//! concept. Each entity has a stable id, a kind, a canonical name, aliases and attributes. A
//! span links to an entity through its [`ENTITY_ATTRIBUTE`](super::schema::ENTITY_ATTRIBUTE).
//!
//! The file is git-friendly like the manifest: pretty JSON, entities in id order, written
//! atomically, its version checked first. Registry values are immutable here: every change
//! makes a new registry, which the workspace applies as one undo step.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub mod csv;

pub const ENTITIES_FILE: &str = "entities.json";
pub const ENTITIES_FORMAT_VERSION: u32 = 1;
const FORMAT_NAME: &str = "tagdesk-entities";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    /// Someone who speaks: a person, a government, an organisation.
    Actor,
    /// What a claim is about.
    Concept,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Actor => "actor",
            Self::Concept => "concept",
        }
    }

    /// The kind a span of this label links to: actors for `actor`, concepts for the rest.
    pub fn for_label(label: &str) -> Self {
        if label == "actor" {
            Self::Actor
        } else {
            Self::Concept
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    pub id: String,
    pub kind: EntityKind,
    pub name: String,
    /// Other ways the texts name it (matched case-insensitively).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Typed attributes (e.g. an actor's `type`: government, person…; `country`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

impl Entity {
    /// Whether `text` is its name or one of its aliases (case and outer spaces ignored).
    pub fn is_called(&self, text: &str) -> bool {
        let text = normalise(text);
        normalise(&self.name) == text || self.aliases.iter().any(|a| normalise(a) == text)
    }
}

fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[derive(Serialize, Deserialize)]
struct EntitiesFile {
    format: String,
    version: u32,
    entities: Vec<Arc<Entity>>,
}

pub use crate::core::versioned::FileError;

/// Why a registry change cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntityError {
    #[error("no entity with id {0}")]
    Unknown(String),
    #[error("an entity's name cannot be empty")]
    EmptyName,
    #[error("{0} and {1} are of different kinds and cannot be merged")]
    KindsDiffer(String, String),
    #[error("an entity cannot be merged into itself")]
    SameEntity,
}

/// The entities, in id order. Each is shared (`Arc`): a changed registry, which every edit
/// makes and the undo history keeps, copies pointers, not every entity's names and aliases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    entities: Vec<Arc<Entity>>,
}

impl Registry {
    /// A registry of these entities (sorted by id; a repeated id keeps the last).
    pub fn from_entities(entities: impl IntoIterator<Item = impl Into<Arc<Entity>>>) -> Self {
        let mut registry = Self::default();
        for entity in entities {
            registry.put_shared(entity.into());
        }
        registry
    }

    pub fn entities(&self) -> &[Arc<Entity>] {
        &self.entities
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Entity> {
        self.entities
            .binary_search_by(|e| e.id.as_str().cmp(id))
            .ok()
            .map(|i| &*self.entities[i])
    }

    /// The entity of `kind` whose name or alias is `text`, if any.
    pub fn called(&self, kind: EntityKind, text: &str) -> Option<&Entity> {
        self.entities
            .iter()
            .find(|e| e.kind == kind && e.is_called(text))
            .map(|e| &**e)
    }

    /// Entities of `kind` whose name or an alias contains `query` (case-insensitive): those
    /// that start with it first, then by name.
    pub fn matching(&self, kind: EntityKind, query: &str) -> Vec<&Entity> {
        let query = normalise(query);
        let mut found: Vec<(bool, &Entity)> = self
            .entities
            .iter()
            .filter(|e| e.kind == kind)
            .filter_map(|e| {
                let names = std::iter::once(&e.name)
                    .chain(&e.aliases)
                    .map(|n| normalise(n));
                let mut best = None;
                for n in names {
                    if n.starts_with(&query) {
                        best = Some(true);
                        break;
                    }
                    if n.contains(&query) {
                        best = Some(false);
                    }
                }
                best.map(|starts| (starts, &**e))
            })
            .collect();
        found.sort_by(|(a, x), (b, y)| b.cmp(a).then_with(|| x.name.cmp(&y.name)));
        found.into_iter().map(|(_, e)| e).collect()
    }

    fn put(&mut self, entity: Entity) {
        self.put_shared(Arc::new(entity));
    }

    fn put_shared(&mut self, entity: Arc<Entity>) {
        match self
            .entities
            .binary_search_by(|e| e.id.as_str().cmp(&entity.id))
        {
            Ok(i) => self.entities[i] = entity,
            Err(i) => self.entities.insert(i, entity),
        }
    }

    /// A registry with a new entity (a fresh id): the new registry and the id.
    pub fn with_new(&self, kind: EntityKind, name: &str) -> Result<(Self, String), EntityError> {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(EntityError::EmptyName);
        }
        let mut id = format!("e{:016x}", fastrand::u64(..));
        while self.get(&id).is_some() {
            id = format!("e{:016x}", fastrand::u64(..));
        }
        let mut next = self.clone();
        next.put(Entity {
            id: id.clone(),
            kind,
            name,
            aliases: Vec::new(),
            attributes: BTreeMap::new(),
        });
        Ok((next, id))
    }

    /// A registry where `id` also goes by `alias` (unchanged when it already does).
    pub fn with_alias(&self, id: &str, alias: &str) -> Result<Self, EntityError> {
        let mut entity = self
            .get(id)
            .cloned()
            .ok_or_else(|| EntityError::Unknown(id.to_owned()))?;
        let alias = alias.split_whitespace().collect::<Vec<_>>().join(" ");
        if alias.is_empty() || entity.is_called(&alias) {
            return Ok(self.clone());
        }
        entity.aliases.push(alias);
        entity.aliases.sort();
        let mut next = self.clone();
        next.put(entity);
        Ok(next)
    }

    /// A registry where `id` has a new canonical name (the old one stays as an alias).
    pub fn renamed(&self, id: &str, name: &str) -> Result<Self, EntityError> {
        let mut entity = self
            .get(id)
            .cloned()
            .ok_or_else(|| EntityError::Unknown(id.to_owned()))?;
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(EntityError::EmptyName);
        }
        let old = std::mem::replace(&mut entity.name, name);
        if !entity.is_called(&old) {
            entity.aliases.push(old);
        }
        entity
            .aliases
            .retain(|a| normalise(a) != normalise(&entity.name));
        entity.aliases.sort();
        let mut next = self.clone();
        next.put(entity);
        Ok(next)
    }

    /// A registry where `id`'s attribute `name` is `value` (removed with `None`).
    pub fn with_attribute(
        &self,
        id: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<Self, EntityError> {
        let mut entity = self
            .get(id)
            .cloned()
            .ok_or_else(|| EntityError::Unknown(id.to_owned()))?;
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => entity.attributes.insert(name.to_owned(), v.to_owned()),
            None => entity.attributes.remove(name),
        };
        let mut next = self.clone();
        next.put(entity);
        Ok(next)
    }

    /// A registry where `drop` is merged into `keep`: its name and aliases become aliases of
    /// `keep`, its attributes fill what `keep` lacks, and it is gone. (The spans that link to
    /// it are relinked by the workspace in the same step.)
    pub fn merged(&self, keep: &str, drop: &str) -> Result<Self, EntityError> {
        if keep == drop {
            return Err(EntityError::SameEntity);
        }
        let mut kept = self
            .get(keep)
            .cloned()
            .ok_or_else(|| EntityError::Unknown(keep.to_owned()))?;
        let dropped = self
            .get(drop)
            .cloned()
            .ok_or_else(|| EntityError::Unknown(drop.to_owned()))?;
        if kept.kind != dropped.kind {
            return Err(EntityError::KindsDiffer(kept.name, dropped.name));
        }
        for alias in std::iter::once(dropped.name).chain(dropped.aliases) {
            if !kept.is_called(&alias) {
                kept.aliases.push(alias);
            }
        }
        kept.aliases.sort();
        for (name, value) in dropped.attributes {
            kept.attributes.entry(name).or_insert(value);
        }
        let mut next = self.clone();
        next.entities.retain(|e| e.id != drop);
        next.put(kept);
        Ok(next)
    }

    /// The file's text: pretty JSON, entities in id order.
    pub fn to_json(&self) -> String {
        let file = EntitiesFile {
            format: FORMAT_NAME.to_owned(),
            version: ENTITIES_FORMAT_VERSION,
            entities: self.entities.clone(),
        };
        let mut out = serde_json::to_string_pretty(&file).unwrap_or_default();
        out.push('\n');
        out
    }

    /// Reads an entities file's text (the version first).
    pub fn parse(json: &str) -> Result<Self, FileError> {
        let file: EntitiesFile =
            crate::core::versioned::read(json, FORMAT_NAME, ENTITIES_FORMAT_VERSION, "entities")?;
        let mut entities = file.entities;
        entities.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(w) = entities.windows(2).find(|w| w[0].id == w[1].id) {
            return Err(FileError::Invalid(format!(
                "entity id {} is used twice",
                w[0].id
            )));
        }
        Ok(Self { entities })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_aliases_renames_and_merges_keep_every_name() {
        let (r, lavrov) = Registry::default()
            .with_new(EntityKind::Actor, "Sergey  Lavrov")
            .unwrap();
        let r = r.with_alias(&lavrov, "Lavrov").unwrap();
        let (r, fm) = r
            .with_new(EntityKind::Actor, "Russia's foreign minister")
            .unwrap();
        assert_eq!(r.called(EntityKind::Actor, "lavrov").unwrap().id, lavrov);
        assert!(r.called(EntityKind::Concept, "lavrov").is_none());
        let merged = r.merged(&lavrov, &fm).unwrap();
        assert!(merged.get(&fm).is_none());
        let kept = merged.get(&lavrov).unwrap();
        assert_eq!(kept.name, "Sergey Lavrov");
        assert!(kept.is_called("RUSSIA'S FOREIGN MINISTER"));
        let renamed = merged.renamed(&lavrov, "Sergei Lavrov").unwrap();
        assert!(renamed.get(&lavrov).unwrap().is_called("Sergey Lavrov"));
        assert_eq!(
            r.merged(&lavrov, &lavrov).unwrap_err(),
            EntityError::SameEntity
        );
        // The file round-trips, sorted by id.
        let again = Registry::parse(&renamed.to_json()).unwrap();
        assert_eq!(again, renamed);
    }

    #[test]
    fn matching_puts_names_that_start_with_the_query_first() {
        let (r, _) = Registry::default()
            .with_new(EntityKind::Actor, "Bashar al-Assad")
            .unwrap();
        let (r, _) = r.with_new(EntityKind::Actor, "Assad regime").unwrap();
        let names: Vec<&str> = r
            .matching(EntityKind::Actor, "assad")
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(names, ["Assad regime", "Bashar al-Assad"]);
    }

    #[test]
    fn a_bad_file_is_refused_with_its_place() {
        let err =
            Registry::parse("{\"format\": \"tagdesk-entities\", \"version\": 9, \"entities\": []}")
                .unwrap_err()
                .to_string();
        assert!(err.contains("version 9"), "{err}");
        let err = Registry::parse("{\n  \"format\": ").unwrap_err();
        assert!(matches!(err, FileError::Syntax { line: 2, .. }), "{err}");
        let twice = "{\"format\": \"tagdesk-entities\", \"version\": 1, \"entities\": [\
            {\"id\": \"e1\", \"kind\": \"actor\", \"name\": \"A\"},\
            {\"id\": \"e1\", \"kind\": \"actor\", \"name\": \"B\"}]}";
        assert!(
            Registry::parse(twice)
                .unwrap_err()
                .to_string()
                .contains("used twice")
        );
    }
}
