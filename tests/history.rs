//! Undo/redo is exact: over random sequences of edits, undoing every step walks back through
//! every earlier state, and redoing walks forward again.

use proptest::prelude::*;
use tagdesk::core::{AnnotationLayer, DocStatus, Workspace};

use crate::support::project_with;

const TEXT: &str =
    "Kerry 😊 met Lavrov in Geneva;\r\nthe talks (Cafe\u{301}) failed — დონალდ ტრამპი said so.";
const LABELS: [&str; 3] = ["actor", "claim", "disagreement"];

#[derive(Debug, Clone)]
enum Op {
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
}

fn op() -> impl Strategy<Value = Op> {
    let n = TEXT.chars().count();
    prop_oneof![
        3 => (0..n, 1..12usize, 0..3usize).prop_map(|(start, len, label)| Op::Add { start, len, label }),
        1 => any::<usize>().prop_map(|pick| Op::Remove { pick }),
        1 => (any::<usize>(), 0..3usize).prop_map(|(pick, label)| Op::Relabel { pick, label }),
        1 => (any::<usize>(), 0..n, 1..12usize).prop_map(|(pick, start, len)| Op::Resize { pick, start, len }),
        1 => (any::<usize>(), proptest::option::of("[a-z ]{0,8}")).prop_map(|(pick, note)| Op::Note { pick, note }),
        1 => (0..3usize).prop_map(Op::Status),
    ]
}

fn state(ws: &Workspace) -> Option<AnnotationLayer> {
    ws.layer("t.txt", "ana").cloned()
}

/// Runs one op; returns whether it made an undo step.
fn run(ws: &mut Workspace, op: &Op) -> bool {
    let key = ("t.txt".to_owned(), "ana".to_owned());
    let n = TEXT.chars().count();
    let ids: Vec<String> = state(ws)
        .map(|l| l.annotations().iter().map(|a| a.id.clone()).collect())
        .unwrap_or_default();
    let id = |pick: usize| (!ids.is_empty()).then(|| ids[pick % ids.len()].clone());
    let steps_before = count_undo_steps(ws);
    let result = match op {
        Op::Add { start, len, label } => ws
            .add_span("t.txt", "ana", *start..(start + len).min(n), LABELS[*label])
            .map(|_| ()),
        Op::Remove { pick } => match id(*pick) {
            Some(id) => ws.remove_span(&key, &id),
            None => return false,
        },
        Op::Relabel { pick, label } => match id(*pick) {
            Some(id) => ws.relabel(&key, &id, LABELS[*label]),
            None => return false,
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
    };
    ws.break_coalescing();
    result.is_ok() && count_undo_steps(ws) > steps_before
}

fn count_undo_steps(ws: &Workspace) -> usize {
    ws.history().undo_len()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

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
        // Every stored span covers exactly its text.
        if let Some(layer) = state(&ws) {
            for a in layer.annotations() {
                let covered: String = TEXT.chars().skip(a.start).take(a.end - a.start).collect();
                prop_assert_eq!(&a.text, &covered);
            }
        }
        let same = |a: &Option<AnnotationLayer>, b: &Option<AnnotationLayer>| {
            let empty = |l: &Option<AnnotationLayer>| l.as_ref().is_none_or(|l| l.is_empty() && l.status == DocStatus::New);
            match (a, b) {
                (Some(a), Some(b)) => a.annotations() == b.annotations() && a.status == b.status,
                _ => empty(a) && empty(b),
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
