//! Entities in the workspace: linking a span to an entity (its covered text becomes an alias),
//! making one as it is linked, renaming, merging (every link follows). Each is one undo step
//! over the registry and the layers it touches, journaled like every edit.

use std::collections::BTreeMap;

use super::{Pending, Workspace, WorkspaceError};
use crate::core::annotation::{Edit, now_rfc3339};
use crate::core::entities::{EntityError, EntityKind};
use crate::core::project::LayerKey;
use crate::core::schema::{AttributeValue, ENTITY_ATTRIBUTE};

impl Workspace {
    /// Links the span to `entity` (or unlinks it with `None`); the span's text becomes one of
    /// the entity's aliases. One undo step.
    pub fn link_entity(
        &mut self,
        key: &LayerKey,
        id: &str,
        entity: Option<&str>,
    ) -> Result<(), WorkspaceError> {
        let mut annotation = self.existing(key, id)?;
        let mut pending = Vec::new();
        match entity {
            Some(entity) => {
                if self.project.entities.get(entity).is_none() {
                    return Err(EntityError::Unknown(entity.to_owned()).into());
                }
                let with_alias = self.project.entities.with_alias(entity, &annotation.text)?;
                if with_alias != self.project.entities {
                    pending.push(Pending::Entities(with_alias));
                }
                annotation.attributes.insert(
                    ENTITY_ATTRIBUTE.to_owned(),
                    AttributeValue::Text(entity.to_owned()),
                );
            }
            None => {
                annotation.attributes.remove(ENTITY_ATTRIBUTE);
            }
        }
        annotation.set_modified(&now_rfc3339());
        pending.push(Pending::Layer(key.clone(), vec![Edit::Replace(annotation)]));
        let description = match entity {
            Some(_) => "link to an entity",
            None => "unlink from its entity",
        };
        self.apply_changes(description, None, pending)
    }

    /// Makes an entity named `name` of `kind` and links the span to it, in one undo step.
    /// Returns the new entity's id.
    pub fn link_new_entity(
        &mut self,
        key: &LayerKey,
        id: &str,
        kind: EntityKind,
        name: &str,
    ) -> Result<String, WorkspaceError> {
        let mut annotation = self.existing(key, id)?;
        let (registry, entity) = self.project.entities.with_new(kind, name)?;
        let registry = registry.with_alias(&entity, &annotation.text)?;
        annotation.attributes.insert(
            ENTITY_ATTRIBUTE.to_owned(),
            AttributeValue::Text(entity.clone()),
        );
        annotation.set_modified(&now_rfc3339());
        self.apply_changes(
            format!("new entity {name}"),
            None,
            vec![
                Pending::Entities(registry),
                Pending::Layer(key.clone(), vec![Edit::Replace(annotation)]),
            ],
        )?;
        Ok(entity)
    }

    /// Gives an entity a new canonical name (the old one stays as an alias).
    pub fn rename_entity(&mut self, id: &str, name: &str) -> Result<(), WorkspaceError> {
        let registry = self.project.entities.renamed(id, name)?;
        self.apply_changes(
            format!("rename entity to {name}"),
            None,
            vec![Pending::Entities(registry)],
        )
    }

    /// Sets (or, with `None`, removes) an entity's attribute. One undo step.
    pub fn set_entity_attribute(
        &mut self,
        id: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), WorkspaceError> {
        let registry = self.project.entities.with_attribute(id, name, value)?;
        if registry == self.project.entities {
            return Ok(());
        }
        self.apply_changes(
            format!("set {name} of an entity"),
            None,
            vec![Pending::Entities(registry)],
        )
    }

    /// Replaces the whole registry (a table read in). One undo step.
    pub fn replace_entities(
        &mut self,
        registry: crate::core::entities::Registry,
        description: &str,
    ) -> Result<(), WorkspaceError> {
        if registry == self.project.entities {
            return Ok(());
        }
        self.apply_changes(description, None, vec![Pending::Entities(registry)])
    }

    /// Merges `drop` into `keep`: every span linked to `drop`, in every readable layer, links
    /// to `keep` instead. One undo step. Returns how many spans were relinked.
    pub fn merge_entities(&mut self, keep: &str, drop: &str) -> Result<usize, WorkspaceError> {
        let registry = self.project.entities.merged(keep, drop)?;
        let now = now_rfc3339();
        let from = AttributeValue::Text(drop.to_owned());
        let mut pending = vec![Pending::Entities(registry)];
        let mut relinked = 0;
        for (key, layer) in &self.project.layers {
            if self.project.is_locked(key) {
                continue;
            }
            let edits: Vec<Edit> = layer
                .annotations()
                .iter()
                .filter(|a| a.attributes.get(ENTITY_ATTRIBUTE) == Some(&from))
                .map(|a| {
                    let mut a = a.clone();
                    a.attributes.insert(
                        ENTITY_ATTRIBUTE.to_owned(),
                        AttributeValue::Text(keep.to_owned()),
                    );
                    a.set_modified(now.as_str());
                    Edit::Replace(a)
                })
                .collect();
            relinked += edits.len();
            if !edits.is_empty() {
                pending.push(Pending::Layer(key.clone(), edits));
            }
        }
        self.apply_changes("merge entities", None, pending)?;
        Ok(relinked)
    }

    /// How many spans (in all layers) link to each entity.
    pub fn entity_usage(&self) -> BTreeMap<String, usize> {
        let mut usage = BTreeMap::new();
        for layer in self.project.layers.values() {
            for a in layer.annotations() {
                if let Some(AttributeValue::Text(id)) = a.attributes.get(ENTITY_ATTRIBUTE) {
                    *usage.entry(id.clone()).or_insert(0) += 1;
                }
            }
        }
        usage
    }
}
