//! The annotation model's tests: spans, their rare parts, edits and their inverses.

use super::*;
use crate::core::schema::Attributes;

/// A span by `ana` with a placeholder covered text (other modules' tests use it too).
pub(crate) fn span(id: &str, label: &str, start: usize, end: usize) -> Annotation {
    Annotation {
        id: id.into(),
        label: label.into(),
        start,
        end,
        text: "x".repeat(end - start).into(),
        more: None,
        prefix: Str::default(),
        suffix: Str::default(),
        attributes: Attributes::new().into(),
        author: "ana".into(),
        times: Times::new("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
    }
}

#[test]
fn counts_spans_per_label_in_any_order() {
    let layer = AnnotationLayer::new("d", "a").with_annotations(vec![
        span("1", "actor", 0, 5),
        span("2", "claim", 1, 5),
        span("3", "actor", 2, 5),
        span("4", "disagreement", 3, 5),
        span("5", "claim", 4, 5),
        span("6", "claim", 6, 9),
    ]);
    let counts: Vec<(&str, usize)> = layer.count_by_label().into_iter().collect();
    assert_eq!(
        counts,
        vec![("actor", 2), ("claim", 3), ("disagreement", 1)]
    );
    assert!(AnnotationLayer::new("d", "a").count_by_label().is_empty());
}

proptest::proptest! {
    /// Replacing moves only the spans between the old and new place, and the order is the
    /// one a fresh sort gives (checked against re-sorting the edited list).
    #[test]
    fn replacing_keeps_the_layer_in_order(
        spans in proptest::collection::vec((0usize..50, 1usize..8, 0usize..3), 1..40),
        edits in proptest::collection::vec((0usize..40, 0usize..50, 1usize..8, 0usize..3), 1..20),
    ) {
        const LABELS: [&str; 3] = ["actor", "claim", "disagreement"];
        let spans: Vec<Annotation> = spans
            .iter()
            .enumerate()
            .map(|(i, &(start, len, l))| span(&i.to_string(), LABELS[l], start, start + len))
            .collect();
        let mut layer = AnnotationLayer::new("d", "a").with_annotations(spans.clone());
        let mut model = spans;
        for (which, start, len, l) in edits {
            let id = (which % model.len()).to_string();
            let new = span(&id, LABELS[l], start, start + len);
            layer.apply(Edit::Replace(new.clone())).unwrap();
            let at = model.iter().position(|a| a.id == id).unwrap();
            model[at] = new;
            model.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            proptest::prop_assert_eq!(layer.annotations(), model.as_slice());
            proptest::prop_assert_eq!(layer.len(), model.len());
            for a in &model {
                proptest::prop_assert!(layer.overlapping(a.start, a.end).any(|b| b.id == a.id));
            }
        }
    }
}

proptest::proptest! {
    /// A batch (runs of additions and removals taken in one pass) does what applying its
    /// edits one by one does: the same layer, the same inverses, the same error — and on
    /// an error the layer as it was. Its inverses, applied as a batch, restore the layer.
    #[test]
    fn a_batch_is_its_edits_one_by_one(
        start in proptest::collection::vec((0usize..12, 0usize..30, 1usize..6, 0usize..2), 0..12),
        edits in proptest::collection::vec((0usize..4, 0usize..16, 0usize..30, 1usize..6, 0usize..2), 0..30),
        related in 0usize..16,
    ) {
        const LABELS: [&str; 2] = ["actor", "claim"];
        let mut spans: Vec<Annotation> = start
            .iter()
            .map(|&(id, s, len, l)| span(&id.to_string(), LABELS[l], s, s + len))
            .collect();
        spans.sort_by(|a, b| a.id.cmp(&b.id));
        spans.dedup_by(|a, b| a.id == b.id);
        let first = spans.first().map(|a| a.id.to_string());
        let mut layer = AnnotationLayer::new("d", "a").with_annotations(spans);
        // A relation pins one span (its removal is refused).
        if let Some(id) = first.filter(|_| related % 2 == 0) {
            layer = layer.with_relations(vec![Relation {
                id: "r".to_owned(),
                kind: "k".to_owned(),
                from: id.clone(),
                to: id,
                author: "ana".to_owned(),
                created: String::new(),
            }]);
        }
        let edits: Vec<Edit> = edits
            .iter()
            .map(|&(kind, id, s, len, l)| match kind {
                0 | 1 => Edit::Add(span(&id.to_string(), LABELS[l], s, s + len)),
                2 => Edit::Remove { id: id.to_string().into() },
                _ => Edit::SetStatus(if l == 0 { DocStatus::Done } else { DocStatus::InProgress }),
            })
            .collect();
        let before = layer.clone();
        let mut one_by_one = layer.clone();
        let mut expected: Result<Vec<Edit>, EditError> = Ok(Vec::new());
        for edit in edits.clone() {
            match one_by_one.apply(edit) {
                Ok(inverse) => expected.as_mut().unwrap().push(inverse),
                Err(err) => {
                    expected = Err(err);
                    one_by_one = before.clone();
                    break;
                }
            }
        }
        let got = layer.apply_all(edits);
        proptest::prop_assert_eq!(&got, &expected);
        proptest::prop_assert_eq!(&layer, &one_by_one);
        proptest::prop_assert_eq!(layer.count_by_label(), one_by_one.count_by_label());
        if let Ok(inverses) = got {
            layer.apply_all(inverses.into_iter().rev().collect()).unwrap();
            proptest::prop_assert_eq!(&layer, &before);
            proptest::prop_assert_eq!(layer.count_by_label(), before.count_by_label());
        }
    }
}

#[test]
fn all_spans_are_set_at_once_checked_and_undone() {
    let mut layer = AnnotationLayer::new("d", "a")
        .with_annotations(vec![span("1", "actor", 0, 5), span("2", "claim", 6, 9)])
        .with_relations(vec![Relation {
            id: "r".to_owned(),
            kind: "said_by".to_owned(),
            from: "2".to_owned(),
            to: "1".to_owned(),
            author: "ana".to_owned(),
            created: String::new(),
        }]);
    let before = layer.clone();
    let moved = vec![span("1", "actor", 2, 7), span("2", "actor", 8, 11)];
    let inverse = layer
        .apply(Edit::SetSpans(Arc::new(moved.clone())))
        .unwrap();
    assert_eq!(layer.annotations(), moved.as_slice());
    assert_eq!(
        layer.count_by_label().into_iter().collect::<Vec<_>>(),
        [("actor", 2)]
    );
    assert_eq!(layer.overlapping(9, 10).count(), 1);
    layer.apply(inverse).unwrap();
    assert_eq!(layer, before);
    // Refused, and nothing changed: out of order, a repeated id, a relation's end gone.
    for bad in [
        vec![span("2", "actor", 8, 11), span("1", "actor", 2, 7)],
        vec![span("1", "actor", 2, 7), span("1", "claim", 8, 11)],
        vec![span("1", "actor", 2, 7)],
    ] {
        assert!(layer.apply(Edit::SetSpans(Arc::new(bad))).is_err());
        assert_eq!(layer, before);
    }
}

#[test]
fn label_counts_follow_every_edit_and_its_undo() {
    let mut layer = AnnotationLayer::new("d", "a")
        .with_annotations(vec![span("1", "actor", 0, 5), span("2", "claim", 1, 5)]);
    let recount = |layer: &AnnotationLayer| {
        let mut counts = std::collections::BTreeMap::new();
        for a in layer.annotations() {
            *counts.entry(a.label.to_string()).or_insert(0) += 1;
        }
        counts
    };
    let kept = |layer: &AnnotationLayer| {
        layer
            .count_by_label()
            .into_iter()
            .map(|(l, n)| (l.to_owned(), n))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let mut relabelled = span("1", "claim", 0, 5);
    relabelled.text = "xxxxx".into();
    let edits = vec![
        Edit::Add(span("3", "disagreement", 6, 9)),
        Edit::Replace(relabelled),
        Edit::ReplaceMany(vec![
            span("2", "disagreement", 1, 5),
            span("3", "actor", 0, 3),
        ]),
        Edit::Remove { id: "2".into() },
        Edit::Remove { id: "3".into() },
    ];
    let mut inverses = Vec::new();
    for edit in edits {
        inverses.push(layer.apply(edit).unwrap());
        assert_eq!(kept(&layer), recount(&layer));
    }
    assert_eq!(kept(&layer), [("claim".to_owned(), 1)].into());
    // A snapshot shares the spans; editing after it copies them and leaves it alone.
    let snapshot = layer.clone();
    while let Some(inverse) = inverses.pop() {
        layer.apply(inverse).unwrap();
        assert_eq!(kept(&layer), recount(&layer));
    }
    assert_eq!(
        kept(&layer),
        [("actor".to_owned(), 1), ("claim".to_owned(), 1)].into()
    );
    assert_eq!(snapshot.len(), 1);
    assert_eq!(kept(&snapshot), [("claim".to_owned(), 1)].into());
}

#[test]
fn fragments_cover_only_their_pieces() {
    let mut a = span("d", "actor", 0, 15);
    a.set_fragments(vec![[0, 5], [10, 15]]);
    assert!(a.fragments_ok());
    assert!(a.contains(3) && !a.contains(7) && a.contains(12));
    assert_eq!(a.pieces().collect::<Vec<_>>(), vec![0..5, 10..15]);
    a.set_fragments(vec![[0, 5], [5, 15]]);
    assert!(!a.fragments_ok(), "touching pieces are one piece");
    a.set_fragments(vec![[0, 15]]);
    assert!(!a.fragments_ok(), "one piece is a continuous span");
    let mut layer = AnnotationLayer::new("a.txt", "ana");
    assert_eq!(
        layer.apply(Edit::Add(a)),
        Err(EditError::BadFragments("d".into()))
    );
}

fn link(id: &str, kind: &str, from: &str, to: &str) -> Relation {
    Relation {
        id: id.into(),
        kind: kind.into(),
        from: from.into(),
        to: to.into(),
        author: "ana".into(),
        created: "2026-01-01T00:00:00Z".into(),
    }
}

#[test]
fn relations_need_both_ends_and_hold_their_annotations() {
    let mut layer = AnnotationLayer::new("a.txt", "ana")
        .with_annotations(vec![span("c", "claim", 0, 9), span("a", "actor", 10, 15)]);
    assert_eq!(
        layer.apply(Edit::AddRelation(link("r", "said_by", "c", "zz"))),
        Err(EditError::DanglingRelation("zz".into()))
    );
    let inverse = layer
        .apply(Edit::AddRelation(link("r", "said_by", "c", "a")))
        .unwrap();
    assert_eq!(layer.relations_of("a").count(), 1);
    assert_eq!(
        layer.apply(Edit::Remove { id: "a".into() }),
        Err(EditError::HasRelations("a".into()))
    );
    layer.apply(inverse).unwrap();
    assert!(layer.relations().is_empty());
    assert!(layer.apply(Edit::Remove { id: "a".into() }).is_ok());
}

/// What few spans have lives out of line: a span is 208 bytes (a million-span project's
/// memory budget counts on it), and an emptied `more` is dropped, so equal spans compare
/// equal and write the same.
#[test]
fn the_rare_parts_of_a_span_are_out_of_line_and_dropped_when_empty() {
    assert!(std::mem::size_of::<Annotation>() <= 192);
    let mut a = span("a", "actor", 0, 4);
    a.set_note(Some("n".into()));
    a.set_modified_by(Some("maria".into()));
    assert_eq!(a.note(), Some("n"));
    let json = serde_json::to_string(&a).unwrap();
    assert!(
        json.ends_with(r#""modified_by":"maria","note":"n"}"#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Annotation>(&json).unwrap(), a);
    a.set_note(None);
    a.set_modified_by(None);
    assert!(a.more.is_none());
    assert_eq!(a, span("a", "actor", 0, 4));
}

#[test]
fn each_edit_and_its_inverse_restore_the_layer() {
    let mut layer = AnnotationLayer::new("a.txt", "ana")
        .with_annotations(vec![span("b", "claim", 5, 9), span("a", "actor", 0, 4)]);
    assert_eq!(layer.annotations()[0].id, "a", "kept sorted");
    let edits = vec![
        Edit::Add(span("c", "actor", 2, 3)),
        Edit::Remove { id: "b".into() },
        Edit::Replace({
            let mut a = Annotation {
                label: "disagreement".into(),
                ..span("a", "actor", 0, 7)
            };
            a.set_note(Some("n".into()));
            a
        }),
        Edit::SetStatus(DocStatus::Done),
    ];
    for edit in edits {
        let before = layer.clone();
        let inverse = layer.apply(edit).unwrap();
        assert!(
            layer.annotations() != before.annotations() || layer.status != before.status,
            "the edit changed nothing: {inverse:?}"
        );
        layer.apply(inverse).unwrap();
        assert_eq!(layer.annotations(), before.annotations());
        assert_eq!(layer.status, before.status);
    }
}

#[test]
fn bad_edits_are_refused_and_change_nothing() {
    let mut layer =
        AnnotationLayer::new("a.txt", "ana").with_annotations(vec![span("a", "actor", 0, 4)]);
    let before = layer.clone();
    assert_eq!(
        layer.apply(Edit::Add(span("a", "claim", 1, 2))),
        Err(EditError::DuplicateId("a".into()))
    );
    assert_eq!(
        layer.apply(Edit::Remove { id: "zz".into() }),
        Err(EditError::UnknownId("zz".into()))
    );
    assert!(layer.apply(Edit::Add(span("e", "claim", 3, 3))).is_err());
    assert_eq!(layer, before);
}

#[test]
fn overlapping_finds_nested_and_crossing_spans() {
    let layer = AnnotationLayer::new("a.txt", "ana").with_annotations(vec![
        span("outer", "claim", 0, 20),
        span("inner", "actor", 5, 10),
        span("later", "actor", 30, 35),
    ]);
    let ids: Vec<_> = layer.overlapping(6, 7).map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["outer", "inner"]);
    let ids: Vec<_> = layer.overlapping(10, 31).map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["outer", "later"]);
}
