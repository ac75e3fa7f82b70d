//! Undo/redo is exact: over random sequences of edits, undoing every step walks back through
//! every earlier state, and redoing walks forward again.

use proptest::prelude::*;
use tagdesk::core::LayerKey;
use tagdesk::core::schema::AttributeValue;
use tagdesk::core::{AnnotationLayer, DocStatus, Schema, Workspace};

use crate::support::project_with;

const TEXT: &str =
    "Kerry 😊 met Lavrov in Geneva;\r\nthe talks (Cafe\u{301}) failed — დონალდ ტრამპი said so.";
const LABELS: [&str; 3] = ["actor", "claim", "disagreement"];

#[derive(Debug, Clone)]
enum Op {
    /// Adds a piece to a span (discontinuous spans).
    Fragment {
        pick: usize,
        start: usize,
        len: usize,
    },
    /// Drops a stance value from the schema (annotations with it lose it).
    DropStance {
        value: usize,
    },
    /// Drops a relation type (its relations go).
    DropRelationType {
        kind: usize,
    },
    Add {
        start: usize,
        len: usize,
        label: usize,
    },
    Remove {
        pick: usize,
    },
    Relabel {
        pick: usize,
        label: usize,
    },
    Resize {
        pick: usize,
        start: usize,
        len: usize,
    },
    Note {
        pick: usize,
        note: Option<String>,
    },
    Status(usize),
    Link {
        from: usize,
        to: usize,
        kind: usize,
    },
    Unlink {
        pick: usize,
    },
    Stance {
        pick: usize,
        value: Option<usize>,
    },
    RenameLabel {
        label: usize,
        suffix: u8,
    },
    RemoveLabel {
        label: usize,
    },
    Recolour {
        label: usize,
        colour: u8,
    },
}

const KINDS: [&str; 3] = ["said_by", "disputes", "between"];
const STANCES: [&str; 3] = ["support", "oppose", "neutral"];

fn op() -> impl Strategy<Value = Op> {
    let n = TEXT.chars().count();
    prop_oneof![
        3 => (0..n, 1..12usize, 0..3usize).prop_map(|(start, len, label)| Op::Add { start, len, label }),
        1 => any::<usize>().prop_map(|pick| Op::Remove { pick }),
        1 => (any::<usize>(), 0..3usize).prop_map(|(pick, label)| Op::Relabel { pick, label }),
        1 => (any::<usize>(), 0..n, 1..12usize).prop_map(|(pick, start, len)| Op::Resize { pick, start, len }),
        1 => (any::<usize>(), proptest::option::of("[a-z ]{0,8}")).prop_map(|(pick, note)| Op::Note { pick, note }),
        1 => (0..3usize).prop_map(Op::Status),
        2 => (any::<usize>(), any::<usize>(), 0..3usize).prop_map(|(from, to, kind)| Op::Link { from, to, kind }),
        1 => any::<usize>().prop_map(|pick| Op::Unlink { pick }),
        1 => (any::<usize>(), proptest::option::of(0..3usize)).prop_map(|(pick, value)| Op::Stance { pick, value }),
        1 => (0..3usize, any::<u8>()).prop_map(|(label, suffix)| Op::RenameLabel { label, suffix }),
        1 => (0..3usize).prop_map(|label| Op::RemoveLabel { label }),
        1 => (0..3usize, any::<u8>()).prop_map(|(label, colour)| Op::Recolour { label, colour }),
        1 => (0..3usize).prop_map(|value| Op::DropStance { value }),
        2 => (any::<usize>(), 0..n, 1..6usize).prop_map(|(pick, start, len)| Op::Fragment { pick, start, len }),
        1 => (0..3usize).prop_map(|kind| Op::DropRelationType { kind }),
    ]
}

fn layer(ws: &Workspace) -> Option<AnnotationLayer> {
    ws.layer("t.txt", "ana").cloned()
}

/// Everything an edit may change: the layer and the schema.
fn state(ws: &Workspace) -> (Option<AnnotationLayer>, Schema) {
    (layer(ws), ws.project().schema().clone())
}

/// Runs one op; returns whether it made an undo step.
fn run(ws: &mut Workspace, op: &Op) -> bool {
    let key = LayerKey::new("t.txt".to_owned(), "ana".to_owned());
    let n = TEXT.chars().count();
    let current = layer(ws);
    let ids: Vec<String> = current
        .as_ref()
        .map(|l| l.annotations().iter().map(|a| a.id.to_string()).collect())
        .unwrap_or_default();
    let relation_ids: Vec<String> = current
        .as_ref()
        .map(|l| l.relations().iter().map(|r| r.id.clone()).collect())
        .unwrap_or_default();
    let labels: Vec<String> = ws
        .project()
        .schema()
        .labels
        .iter()
        .map(|l| l.name.clone())
        .collect();
    let id = |pick: usize| (!ids.is_empty()).then(|| ids[pick % ids.len()].clone());
    let steps_before = count_undo_steps(ws);
    let result = match op {
        Op::Add { start, len, label } => match labels.get(*label) {
            Some(label) => ws
                .add_span("t.txt", "ana", *start..(start + len).min(n), label)
                .map(|_| ()),
            None => return false,
        },
        Op::Remove { pick } => match id(*pick) {
            Some(id) => ws.remove_span(&key, &id),
            None => return false,
        },
        Op::Relabel { pick, label } => match (id(*pick), labels.get(*label)) {
            (Some(id), Some(label)) => ws.relabel(&key, &id, label),
            _ => return false,
        },
        Op::Resize { pick, start, len } => match id(*pick) {
            Some(id) => ws.resize(&key, &id, *start..(start + len).min(n)),
            None => return false,
        },
        Op::Note { pick, note } => match id(*pick) {
            Some(id) => ws.set_note(&key, &id, note.clone()),
            None => return false,
        },
        Op::Status(s) => ws.set_status(&key, DocStatus::ALL[*s]),
        Op::Link { from, to, kind } => match (id(*from), id(*to)) {
            (Some(from), Some(to)) => ws.add_relation(&key, KINDS[*kind], &from, &to).map(|_| ()),
            _ => return false,
        },
        Op::Unlink { pick } => match relation_ids.get(pick % relation_ids.len().max(1)) {
            Some(id) => ws.remove_relation(&key, id),
            None => return false,
        },
        Op::Stance { pick, value } => match id(*pick) {
            Some(id) => ws.set_attribute(
                &key,
                &id,
                "stance",
                value.map(|v| AttributeValue::Text(STANCES[v].to_owned())),
            ),
            None => return false,
        },
        Op::RenameLabel { label, suffix } => match labels.get(*label) {
            Some(old) => ws.rename_label(old, &format!("{}{suffix}", LABELS[*label])),
            None => return false,
        },
        Op::RemoveLabel { label } => match labels.get(*label) {
            Some(name) if labels.len() > 1 => ws.remove_label(name),
            _ => return false,
        },
        Op::Recolour { label, colour } => {
            let mut schema = ws.project().schema().clone();
            let Some(def) = schema.labels.get_mut(*label) else {
                return false;
            };
            def.color = format!("#{colour:02x}{colour:02x}40");
            ws.set_schema(schema, "recolour", None)
        }
        Op::Fragment { pick, start, len } => match id(*pick) {
            Some(id) => ws.add_fragment(&key, &id, *start..(start + len).min(n)),
            None => return false,
        },
        Op::DropStance { value } => {
            let mut schema = ws.project().schema().clone();
            for label in &mut schema.labels {
                for attribute in &mut label.attributes {
                    if let tagdesk::core::schema::AttributeKind::Choice { values } =
                        &mut attribute.kind
                    {
                        values.retain(|v| v != STANCES[*value]);
                    }
                }
            }
            ws.set_schema(schema, "drop a stance value", None)
        }
        Op::DropRelationType { kind } => {
            let mut schema = ws.project().schema().clone();
            schema.relations.retain(|r| r.name != KINDS[*kind]);
            ws.set_schema(schema, "drop a relation type", None)
        }
    };
    ws.break_coalescing();
    result.is_ok() && count_undo_steps(ws) > steps_before
}

fn count_undo_steps(ws: &Workspace) -> usize {
    ws.history().undo_len()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn undo_and_redo_walk_exactly_through_every_state(ops in proptest::collection::vec(op(), 1..40)) {
        let (_dir, root) = project_with(&[("t.txt", TEXT.as_bytes())]);
        let mut ws = Workspace::open(&root).unwrap();
        let mut states = vec![state(&ws)];
        for op in &ops {
            if run(&mut ws, op) {
                states.push(state(&ws));
            }
        }
        // Every stored span covers exactly its text, has a label of the schema, and every
        // relation joins two existing spans.
        if let Some(layer) = layer(&ws) {
            for a in layer.annotations() {
                prop_assert!(a.fragments_ok());
                let covered: Vec<String> = a
                    .pieces()
                    .map(|p| TEXT.chars().skip(p.start).take(p.end - p.start).collect())
                    .collect();
                prop_assert_eq!(&a.text, &covered.join(" "));
                prop_assert!(ws.project().schema().get(&a.label).is_some(), "label {} in schema", a.label);
            }
            let schema = ws.project().schema();
            for r in layer.relations() {
                let (from, to) = (layer.get(&r.from), layer.get(&r.to));
                prop_assert!(from.is_some() && to.is_some());
                let allowed = schema.relation(&r.kind).is_some_and(|d| {
                    d.allows(&from.unwrap().label, &to.unwrap().label)
                });
                prop_assert!(allowed, "relation {} fits the schema", r.kind);
            }
            for a in layer.annotations() {
                let label = schema.get(&a.label).unwrap();
                for (name, value) in &a.attributes {
                    prop_assert!(label.attributes.iter().any(|d| &d.name == name && d.accepts(value)));
                }
            }
        }
        let same = |a: &(Option<AnnotationLayer>, Schema), b: &(Option<AnnotationLayer>, Schema)| {
            let empty = |l: &Option<AnnotationLayer>| {
                l.as_ref().is_none_or(|l| l.is_empty() && l.relations().is_empty() && l.status == DocStatus::New)
            };
            a.1 == b.1
                && match (&a.0, &b.0) {
                    (Some(x), Some(y)) => {
                        x.annotations() == y.annotations() && x.relations() == y.relations() && x.status == y.status
                    }
                    _ => empty(&a.0) && empty(&b.0),
                }
        };
        for expected in states.iter().rev().skip(1) {
            prop_assert!(ws.undo().is_some());
            prop_assert!(same(&state(&ws), expected));
        }
        prop_assert!(ws.undo().is_none());
        for expected in states.iter().skip(1) {
            prop_assert!(ws.redo().is_some());
            prop_assert!(same(&state(&ws), expected));
        }
        prop_assert!(ws.redo().is_none());
    }
}

/// The one door: every change made here moves the workspace's revision (what autosave and the
/// views that depend on the whole workspace follow), and reading, failing or saving does not.
#[test]
fn every_change_made_here_moves_the_revision_and_nothing_else_does() {
    let (_dir, root) = project_with(&[("a.txt", TEXT.as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new("a.txt".to_owned(), "ana".to_owned());
    let mut last = ws.revision();
    let mut moved = |ws: &Workspace, what: &str, expect: bool| {
        assert_eq!(ws.revision() != last, expect, "{what}");
        last = ws.revision();
    };
    ws.text("a.txt").unwrap();
    moved(&ws, "reading a text", false);
    let id = ws.add_span("a.txt", "ana", 0..5, "actor").unwrap();
    moved(&ws, "adding a span", true);
    assert!(ws.add_span("a.txt", "ana", 0..5, "nolabel").is_err());
    moved(&ws, "a refused edit", false);
    ws.set_note(&key, &id, Some("n".into())).unwrap();
    moved(&ws, "a note", true);
    ws.undo().unwrap();
    moved(&ws, "undo", true);
    ws.redo().unwrap();
    moved(&ws, "redo", true);
    ws.rename_label("claim", "statement").unwrap();
    moved(&ws, "a schema change", true);
    assert!(ws.save().errors.is_empty());
    moved(&ws, "saving", false);
    assert!(!ws.is_dirty());
}
