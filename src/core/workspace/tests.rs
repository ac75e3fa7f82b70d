//! The workspace's own tests: a step over many layers (applied on all cores) behaves as the
//! same changes applied one after the other.

use super::*;
use crate::core::annotation::Annotation;

fn span(id: &str, start: usize, end: usize) -> Annotation {
    crate::core::annotation::tests::span(id, "actor", start, end)
}

/// A project of `n` documents, `d0.txt` …, and its workspace; `d0.txt` has one span by ana.
fn workspace(n: usize) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("p");
    std::fs::create_dir_all(&root).unwrap();
    for i in 0..n {
        std::fs::write(root.join(format!("d{i}.txt")), "some text here").unwrap();
    }
    Project::init(&root, None, Some("test")).unwrap();
    let mut ws = Workspace::open(&root).unwrap();
    let first = vec![Pending::Layer(
        LayerKey::new("d0.txt", "ana"),
        vec![Edit::Add(span("first", 0, 4))],
    )];
    ws.apply_changes("first", None, first).unwrap();
    (dir, ws)
}

/// Every layer's spans (document, annotator, ids in order).
fn spans(ws: &Workspace) -> Vec<(String, String, Vec<String>)> {
    ws.project
        .layers
        .iter()
        .map(|(k, l)| {
            let ids = l.annotations().iter().map(|a| a.id.to_string()).collect();
            (k.document.clone(), k.annotator.clone(), ids)
        })
        .collect()
}

fn step(n: usize, bad: Option<usize>) -> Vec<Pending> {
    (0..n)
        .map(|i| {
            let mut edits = vec![Edit::Add(span(&format!("s{i}"), 5, 9))];
            if bad == Some(i) {
                edits.push(Edit::Add(span(&format!("s{i}"), 10, 14)));
            }
            Pending::Layer(LayerKey::new(format!("d{i}.txt"), "ana"), edits)
        })
        .collect()
}

#[test]
fn a_step_over_many_layers_is_the_same_changes_one_by_one_and_undoes_whole() {
    let n = 3 * crate::core::project::BATCH;
    let (_a, mut together) = workspace(n);
    let (_b, mut apart) = workspace(n);
    let before = spans(&together);
    assert!(many_layers(&step(n, None)));
    together.apply_changes("all", None, step(n, None)).unwrap();
    for change in step(n, None) {
        apart.apply_changes("one", None, vec![change]).unwrap();
    }
    assert_eq!(spans(&together), spans(&apart));
    assert_eq!(spans(&together)[0].2, ["first", "s0"]);
    assert!(together.undo().is_some());
    let after_undo: Vec<_> = spans(&together)
        .into_iter()
        .filter(|(_, _, ids)| !ids.is_empty())
        .collect();
    assert_eq!(after_undo, before, "one undo takes the whole step back");
}

#[test]
fn a_refused_layer_leaves_every_layer_as_it_was() {
    let n = 3 * crate::core::project::BATCH;
    let (_dir, mut ws) = workspace(n);
    let before = spans(&ws);
    let dirty_before = ws.dirty.clone();
    // Layer 7's second span repeats its first's id: the whole step is refused.
    let err = ws.apply_changes("all", None, step(n, Some(7))).unwrap_err();
    assert!(err.to_string().contains("s7"), "{err}");
    assert_eq!(
        spans(&ws),
        before,
        "no span added, no empty layer left behind"
    );
    assert_eq!(ws.dirty, dirty_before);
    assert_eq!(
        ws.undo().map(|r| r.description),
        Some("first".to_owned()),
        "the refused step is not in the history"
    );
}
