//! The domain operations: each builds edits, checks them against the schema and the text, and
//! applies them as one all-or-nothing undo step.

use std::ops::Range;

use super::{Pending, SchemaImpact, SpanPieces, Workspace, WorkspaceError, check_range};
use crate::core::annotation::{
    Annotation, DocStatus, Edit, EditError, Relation, new_annotation_id, now_rfc3339, with_pieces,
};
use crate::core::project::LayerKey;
use crate::core::schema::{AttributeValue, Schema};
use crate::core::text::{context_after, context_before, covered_text};

/// A new span of `label` over `chars` of `text`, with a fresh id, its text and context, made
/// by `annotator` at `now`.
pub(super) fn new_span(
    text: &crate::core::text::SourceText,
    chars: Range<usize>,
    label: &str,
    annotator: &str,
    attributes: crate::core::schema::Attributes,
    now: &str,
) -> Annotation {
    Annotation {
        id: new_annotation_id().into(),
        label: label.to_owned().into(),
        start: chars.start,
        end: chars.end,
        text: text.slice(chars.clone()).to_owned().into(),
        prefix: context_before(text, chars.start).into(),
        suffix: context_after(text, chars.end).into(),
        more: None,
        attributes: attributes.into(),
        author: annotator.to_owned().into(),
        times: crate::core::annotation::Times::new(now, now),
    }
}

impl Workspace {
    // ---- Domain operations: each builds edits and applies them as one undo step. ----

    /// Adds a span with `label` over `chars` of `document`; returns its id. A document the
    /// annotator had not started becomes "in progress" in the same step.
    pub fn add_span(
        &mut self,
        document: &str,
        annotator: &str,
        chars: Range<usize>,
        label: &str,
    ) -> Result<String, WorkspaceError> {
        self.check_label(label)?;
        let text = self.text(document)?;
        check_range(&chars, text.text.char_len())?;
        if self.layer(document, annotator).is_some_and(|l| {
            l.overlapping(chars.start, chars.end)
                .any(|a| a.start == chars.start && a.end == chars.end && a.label == label)
        }) {
            return Err(WorkspaceError::AlreadyAnnotated {
                start: chars.start,
                end: chars.end,
                label: label.to_owned(),
            });
        }
        let annotation = new_span(
            &text.text,
            chars,
            label,
            annotator,
            crate::core::schema::Attributes::new(),
            &now_rfc3339(),
        );
        let id = annotation.id.to_string();
        let key = LayerKey::new(document, annotator);
        let mut edits = vec![Edit::Add(annotation)];
        if self
            .layer(document, annotator)
            .is_none_or(|l| l.status == DocStatus::New)
        {
            edits.push(Edit::SetStatus(DocStatus::InProgress));
        }
        self.apply(&key, format!("add {label}"), None, edits)?;
        Ok(id)
    }

    /// Deletes a span and, in the same step, every relation from or to it.
    pub fn remove_span(&mut self, key: &LayerKey, id: &str) -> Result<(), WorkspaceError> {
        let label = self.existing(key, id)?.label;
        let mut edits: Vec<Edit> = self
            .project
            .layers
            .get(key)
            .map(|l| {
                l.relations_of(id)
                    .map(|r| Edit::RemoveRelation { id: r.id.clone() })
                    .collect()
            })
            .unwrap_or_default();
        edits.push(Edit::Remove { id: id.into() });
        self.apply(key, format!("delete {label}"), None, edits)
    }

    /// Links two spans of a layer with a relation of `kind`; returns its id. The schema must
    /// allow that type between their labels.
    pub fn add_relation(
        &mut self,
        key: &LayerKey,
        kind: &str,
        from: &str,
        to: &str,
    ) -> Result<String, WorkspaceError> {
        let (from_label, to_label) = (
            self.existing(key, from)?.label,
            self.existing(key, to)?.label,
        );
        if !self
            .project
            .schema()
            .relation(kind)
            .is_some_and(|r| r.allows(&from_label, &to_label))
        {
            return Err(WorkspaceError::RelationNotAllowed {
                kind: kind.to_owned(),
                from_label: from_label.to_string(),
                to_label: to_label.to_string(),
            });
        }
        let id = new_annotation_id();
        let relation = Relation {
            id: id.clone(),
            kind: kind.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            author: key.annotator.clone(),
            created: now_rfc3339(),
        };
        self.apply(
            key,
            format!("link {kind}"),
            None,
            vec![Edit::AddRelation(relation)],
        )?;
        Ok(id)
    }

    pub fn remove_relation(&mut self, key: &LayerKey, id: &str) -> Result<(), WorkspaceError> {
        self.apply(
            key,
            "delete relation",
            None,
            vec![Edit::RemoveRelation { id: id.to_owned() }],
        )
    }

    /// Sets (or with `None` clears) an attribute of a span; the schema must define it for the
    /// span's label and accept the value.
    pub fn set_attribute(
        &mut self,
        key: &LayerKey,
        id: &str,
        name: &str,
        value: Option<AttributeValue>,
    ) -> Result<(), WorkspaceError> {
        let mut annotation = self.existing(key, id)?;
        let definition = self
            .project
            .schema()
            .get(&annotation.label)
            .and_then(|l| l.attributes.iter().find(|a| a.name == name))
            .ok_or_else(|| WorkspaceError::UnknownAttribute {
                label: annotation.label.to_string(),
                name: name.to_owned(),
            })?;
        if let Some(value) = &value
            && !definition.accepts(value)
        {
            return Err(WorkspaceError::BadAttributeValue {
                name: name.to_owned(),
                value: value.to_string(),
            });
        }
        if annotation.attributes.get(name) == value.as_ref() {
            return Ok(());
        }
        match value {
            Some(value) => annotation.attributes.insert(name.to_owned(), value),
            None => annotation.attributes.remove(name),
        };
        annotation.set_modified(&now_rfc3339());
        self.apply(
            key,
            format!("set {name}"),
            Some(format!("attribute:{id}:{name}")),
            vec![Edit::Replace(annotation)],
        )
    }

    // ---- Schema edits: undoable like any other; they may touch every layer. ----

    /// Replaces the schema (colours, keys, descriptions, new labels, attributes, relation
    /// types). Renaming or removing a label in use goes through [`Self::rename_label`] and
    /// [`Self::remove_label`], which also change the annotations.
    ///
    /// What the new schema no longer allows is removed in the same undo step: attribute values
    /// it does not define or accept, and relations whose type is gone or no longer fits their
    /// spans' labels. [`Self::schema_impact`] tells how much that is, to ask first.
    pub fn set_schema(
        &mut self,
        schema: Schema,
        description: &str,
        coalesce: Option<String>,
    ) -> Result<(), WorkspaceError> {
        if *self.project.schema() == schema {
            return Ok(());
        }
        let mut pending = self.prune_for(&schema);
        pending.insert(0, Pending::Schema(schema));
        self.apply_changes(description, coalesce, pending)
    }

    /// How many attribute values and relations a new schema would remove.
    pub fn schema_impact(&self, schema: &Schema) -> SchemaImpact {
        let mut impact = SchemaImpact::default();
        for change in self.prune_for(schema) {
            if let Pending::Layer(_, edits) = change {
                for edit in edits {
                    match edit {
                        Edit::RemoveRelation { .. } => impact.relations += 1,
                        Edit::Replace(_) => impact.annotations += 1,
                        _ => {}
                    }
                }
            }
        }
        impact
    }

    /// Edits that make every readable layer fit `schema` (see [`Self::set_schema`]).
    pub(super) fn prune_for(&self, schema: &Schema) -> Vec<Pending> {
        let now = now_rfc3339();
        let mut pending = Vec::new();
        for (key, layer) in &self.project.layers {
            if self.project.is_locked(key) {
                continue;
            }
            let mut edits: Vec<Edit> = layer
                .relations()
                .iter()
                .filter(|r| {
                    let labels = layer.get(&r.from).zip(layer.get(&r.to));
                    !labels.is_some_and(|(from, to)| {
                        schema
                            .relation(&r.kind)
                            .is_some_and(|d| d.allows(&from.label, &to.label))
                    })
                })
                .map(|r| Edit::RemoveRelation { id: r.id.clone() })
                .collect();
            for a in layer.annotations() {
                let Some(label) = schema.get(&a.label) else {
                    continue;
                };
                let fits = |name: &String, value: &AttributeValue| label.fits(name, value);
                if a.attributes.iter().all(|(n, v)| fits(n, v)) {
                    continue;
                }
                let mut kept = a.clone();
                kept.attributes.retain(|n, v| fits(n, v));
                kept.set_modified(now.as_str());
                edits.push(Edit::Replace(kept));
            }
            if !edits.is_empty() {
                pending.push(Pending::Layer(key.clone(), edits));
            }
        }
        pending
    }

    /// Renames a label; every annotation with it, in every readable layer, is relabelled in the
    /// same undo step, and relation types naming it follow.
    pub fn rename_label(&mut self, old: &str, new: &str) -> Result<(), WorkspaceError> {
        if old == new {
            return Ok(());
        }
        let mut schema = self.project.schema().clone();
        let Some(label) = schema.labels.iter_mut().find(|l| l.name == old) else {
            return Err(WorkspaceError::UnknownLabel(old.to_owned()));
        };
        new.clone_into(&mut label.name);
        for relation in &mut schema.relations {
            for name in relation.from.iter_mut().chain(relation.to.iter_mut()) {
                if name == old {
                    new.clone_into(name);
                }
            }
        }
        let now = now_rfc3339();
        let mut pending = vec![Pending::Schema(schema)];
        for (key, layer) in &self.project.layers {
            let edits: Vec<Edit> = layer
                .annotations()
                .iter()
                .filter(|a| a.label == old)
                .map(|a| {
                    let mut a = a.clone();
                    a.label = new.into();
                    a.set_modified(now.as_str());
                    Edit::Replace(a)
                })
                .collect();
            if !edits.is_empty() && !self.project.is_locked(key) {
                pending.push(Pending::Layer(key.clone(), edits));
            }
        }
        self.apply_changes(format!("rename label {old} to {new}"), None, pending)
    }

    /// How many annotations (in all layers) carry `label`.
    pub fn label_usage(&self, label: &str) -> usize {
        self.project
            .layers
            .values()
            .map(|l| l.annotations().iter().filter(|a| a.label == label).count())
            .sum()
    }

    /// Removes a label from the schema and, in the same undo step, every annotation with it
    /// (and their relations) in every readable layer.
    pub fn remove_label(&mut self, name: &str) -> Result<(), WorkspaceError> {
        let mut schema = self.project.schema().clone();
        let before = schema.labels.len();
        schema.labels.retain(|l| l.name != name);
        if schema.labels.len() == before {
            return Err(WorkspaceError::UnknownLabel(name.to_owned()));
        }
        // A relation type that loses its only source or target label goes too (an empty list
        // would mean "any label").
        let mut dropped_types = Vec::new();
        for relation in &mut schema.relations {
            let was_limited = (!relation.from.is_empty(), !relation.to.is_empty());
            relation.from.retain(|l| l != name);
            relation.to.retain(|l| l != name);
            if (was_limited.0 && relation.from.is_empty())
                || (was_limited.1 && relation.to.is_empty())
            {
                dropped_types.push(relation.name.clone());
            }
        }
        schema
            .relations
            .retain(|r| !dropped_types.contains(&r.name));
        let mut pending = vec![Pending::Schema(schema)];
        for (key, layer) in &self.project.layers {
            if self.project.is_locked(key) {
                continue;
            }
            let doomed: Vec<&Annotation> = layer
                .annotations()
                .iter()
                .filter(|a| a.label == name)
                .collect();
            let mut edits: Vec<Edit> = layer
                .relations()
                .iter()
                .filter(|r| {
                    dropped_types.contains(&r.kind) || doomed.iter().any(|a| r.touches(&a.id))
                })
                .map(|r| Edit::RemoveRelation { id: r.id.clone() })
                .collect();
            edits.extend(doomed.iter().map(|a| Edit::Remove { id: a.id.clone() }));
            if !edits.is_empty() {
                pending.push(Pending::Layer(key.clone(), edits));
            }
        }
        self.apply_changes(format!("remove label {name}"), None, pending)
    }

    pub fn relabel(&mut self, key: &LayerKey, id: &str, label: &str) -> Result<(), WorkspaceError> {
        self.check_label(label)?;
        let mut annotation = self.existing(key, id)?;
        if annotation.label == label {
            return Ok(());
        }
        annotation.label = label.to_owned().into();
        annotation.set_modified(&now_rfc3339());
        // What the new label does not allow goes in the same step: attribute values it does
        // not define, relations whose type does not fit it.
        let schema = self.project.schema();
        if let Some(def) = schema.get(label) {
            annotation
                .attributes
                .retain(|name, value| def.fits(name, value));
        }
        let mut edits: Vec<Edit> = Vec::new();
        if let Some(layer) = self.project.layers.get(key) {
            for r in layer.relations_of(id) {
                let other = if r.from == id { &r.to } else { &r.from };
                let Some(other) = layer.get(other) else {
                    continue;
                };
                let (from_label, to_label) = if r.from == id {
                    (label, other.label.as_str())
                } else {
                    (other.label.as_str(), label)
                };
                if !schema
                    .relation(&r.kind)
                    .is_some_and(|d| d.allows(from_label, to_label))
                {
                    edits.push(Edit::RemoveRelation { id: r.id.clone() });
                }
            }
        }
        edits.push(Edit::Replace(annotation));
        self.apply(key, format!("relabel as {label}"), None, edits)
    }

    /// Moves a span's edges; the covered text follows.
    pub fn resize(
        &mut self,
        key: &LayerKey,
        id: &str,
        chars: Range<usize>,
    ) -> Result<(), WorkspaceError> {
        let (text, annotation, mut pieces) = self.span_pieces(key, id, &chars)?;
        // A discontinuous span's outer edges move: its first piece's start, its last's end.
        let last = pieces.len() - 1;
        pieces[0].start = chars.start;
        pieces[last].end = chars.end;
        if pieces.iter().any(|p| p.start >= p.end) {
            return Err(WorkspaceError::OutOfRange {
                start: chars.start,
                end: chars.end,
                len: text.text.char_len(),
            });
        }
        let annotation = with_pieces(annotation, &pieces, &text.text);
        self.apply(
            key,
            "resize span",
            Some(format!("resize:{id}")),
            vec![Edit::Replace(annotation)],
        )
    }

    /// For an edit of a span's extent: its text (checking `chars` fits), the span, its pieces.
    pub(super) fn span_pieces(
        &mut self,
        key: &LayerKey,
        id: &str,
        chars: &Range<usize>,
    ) -> Result<SpanPieces, WorkspaceError> {
        let text = self.text(&key.document)?;
        check_range(chars, text.text.char_len())?;
        let annotation = self.existing(key, id)?;
        let pieces = annotation.pieces().collect();
        Ok((text, annotation, pieces))
    }

    /// Adds a piece to a span, making it discontinuous (pieces that overlap or touch merge).
    pub fn add_fragment(
        &mut self,
        key: &LayerKey,
        id: &str,
        chars: Range<usize>,
    ) -> Result<(), WorkspaceError> {
        let (text, annotation, mut pieces) = self.span_pieces(key, id, &chars)?;
        pieces.push(chars);
        pieces.sort_by_key(|p| (p.start, p.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(pieces.len());
        for piece in pieces {
            match merged.last_mut() {
                Some(last) if piece.start <= last.end => last.end = last.end.max(piece.end),
                _ => merged.push(piece),
            }
        }
        let annotation = with_pieces(annotation, &merged, &text.text);
        self.apply(key, "add a fragment", None, vec![Edit::Replace(annotation)])
    }

    /// Sets or clears a note. Consecutive note edits of one span are one undo step.
    pub fn set_note(
        &mut self,
        key: &LayerKey,
        id: &str,
        note: Option<String>,
    ) -> Result<(), WorkspaceError> {
        let mut annotation = self.existing(key, id)?;
        let note = note.filter(|n| !n.is_empty());
        if annotation.note() == note.as_deref() {
            return Ok(());
        }
        annotation.set_note(note);
        annotation.set_modified(&now_rfc3339());
        self.apply(
            key,
            "edit note",
            Some(format!("note:{id}")),
            vec![Edit::Replace(annotation)],
        )
    }

    /// Clears a span's "needs review" flag (a person checked it).
    pub fn mark_reviewed(&mut self, key: &LayerKey, id: &str) -> Result<(), WorkspaceError> {
        let mut annotation = self.existing(key, id)?;
        if annotation.review().is_none() {
            return Ok(());
        }
        let text = self.text(&key.document)?;
        annotation.set_review(None);
        annotation.text = covered_text(&text.text, annotation.pieces()).into();
        annotation.prefix = context_before(&text.text, annotation.start).into();
        annotation.suffix = context_after(&text.text, annotation.end).into();
        annotation.set_modified(&now_rfc3339());
        self.apply(key, "mark reviewed", None, vec![Edit::Replace(annotation)])
    }

    pub fn set_status(&mut self, key: &LayerKey, status: DocStatus) -> Result<(), WorkspaceError> {
        if self
            .project
            .layers
            .get(key)
            .map_or(DocStatus::New, |l| l.status)
            == status
        {
            return Ok(());
        }
        self.apply(
            key,
            format!("mark {}", status.as_str()),
            None,
            vec![Edit::SetStatus(status)],
        )
    }

    pub(super) fn check_label(&self, label: &str) -> Result<(), WorkspaceError> {
        match self.project.schema().get(label) {
            Some(_) => Ok(()),
            None => Err(WorkspaceError::UnknownLabel(label.to_owned())),
        }
    }

    pub(super) fn existing(&self, key: &LayerKey, id: &str) -> Result<Annotation, WorkspaceError> {
        self.project
            .layers
            .get(key)
            .and_then(|l| l.get(id))
            .cloned()
            .ok_or_else(|| EditError::UnknownId(id.to_owned()).into())
    }
}
