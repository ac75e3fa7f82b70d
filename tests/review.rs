//! Review: the diff of colleagues' layers, next-disagreement navigation, and adjudication into
//! the curated layer (accept, reject, accept what all agree on), each one undo step that never
//! touches an annotator's layer.

use tagdesk::core::review::{
    CURATED, Decision, DiffKind, accept, accept_agreed, accept_relation, decision, diff,
    next_disagreement, reject, reject_relation, relation_decision,
};
use tagdesk::core::schema::AttributeValue;
use tagdesk::core::{LayerKey, Workspace};

use crate::support::{char_offset_of, project_with};

const DOC1: &str = "a.txt";
const DOC2: &str = "b.txt";
const TEXT1: &str = "Kerry met Lavrov in Geneva and said the talks failed.";
const TEXT2: &str = "Moscow rejected the plan.";

fn span(ws: &mut Workspace, doc: &str, who: &str, needle: &str, label: &str) -> String {
    let text = if doc == DOC1 { TEXT1 } else { TEXT2 };
    let start = char_offset_of(text, needle, 0);
    ws.add_span(doc, who, start..start + needle.chars().count(), label)
        .unwrap()
}

/// Two annotators, ana and ben, who agree on some spans and differ in every way on others.
fn two_annotators() -> (tempfile::TempDir, Workspace) {
    let (dir, root) = project_with(&[(DOC1, TEXT1.as_bytes()), (DOC2, TEXT2.as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    // a.txt
    let kerry_a = span(&mut ws, DOC1, "ana", "Kerry", "actor");
    span(&mut ws, DOC1, "ana", "Lavrov", "actor");
    span(&mut ws, DOC1, "ana", "Geneva", "actor");
    let claim_a = span(&mut ws, DOC1, "ana", "the talks failed", "claim");
    let ana = LayerKey::new(DOC1.to_owned(), "ana".to_owned());
    ws.add_relation(&ana, "said_by", &claim_a, &kerry_a)
        .unwrap();
    let kerry_b = span(&mut ws, DOC1, "ben", "Kerry", "actor");
    span(&mut ws, DOC1, "ben", "Lavrov", "claim");
    let claim_b = span(&mut ws, DOC1, "ben", "said the talks failed", "claim");
    let ben = LayerKey::new(DOC1.to_owned(), "ben".to_owned());
    ws.add_relation(&ben, "said_by", &claim_b, &kerry_b)
        .unwrap();
    // b.txt: one agreed actor, one claim whose stance differs.
    span(&mut ws, DOC2, "ana", "Moscow", "actor");
    span(&mut ws, DOC2, "ben", "Moscow", "actor");
    for (who, stance) in [("ana", "oppose"), ("ben", "neutral")] {
        let id = span(&mut ws, DOC2, who, "rejected the plan", "claim");
        ws.set_attribute(
            &LayerKey::new(DOC2.to_owned(), who.to_owned()),
            &id,
            "stance",
            Some(AttributeValue::Text(stance.into())),
        )
        .unwrap();
    }
    (dir, ws)
}

fn pair() -> Vec<String> {
    vec!["ana".to_owned(), "ben".to_owned()]
}

fn ids(ws: &Workspace, doc: &str, who: &str, label: &str, needle: &str) -> String {
    ws.layer(doc, who)
        .unwrap()
        .annotations()
        .iter()
        .find(|a| a.label == label && a.text == needle)
        .unwrap()
        .id
        .to_string()
}

#[test]
fn diff_sorts_every_cluster_by_how_the_layers_differ() {
    let (_dir, ws) = two_annotators();
    let d = diff(ws.project(), DOC1, &pair());
    let kinds: Vec<(String, DiffKind)> = d
        .clusters
        .iter()
        .map(|c| {
            (
                TEXT1
                    .chars()
                    .skip(c.range.start)
                    .take(c.range.len())
                    .collect(),
                c.kind,
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("Kerry".to_owned(), DiffKind::Agree),
            ("Lavrov".to_owned(), DiffKind::Label),
            ("Geneva".to_owned(), DiffKind::Missing),
            ("said the talks failed".to_owned(), DiffKind::Extent),
        ]
    );
    // The said_by relations link different claims: each is in one layer only.
    assert_eq!(d.shared_relations, 0);
    assert_eq!(d.relations.len(), 2);
    assert!(
        d.relations
            .iter()
            .all(|r| r.present.iter().filter(|p| p.is_some()).count() == 1)
    );
    let d2 = diff(ws.project(), DOC2, &pair());
    let kinds2: Vec<DiffKind> = d2.clusters.iter().map(|c| c.kind).collect();
    assert_eq!(kinds2, [DiffKind::Agree, DiffKind::Attributes]);
}

#[test]
fn next_disagreement_walks_across_documents_both_ways_and_wraps() {
    let (_dir, ws) = two_annotators();
    let lavrov = char_offset_of(TEXT1, "Lavrov", 0);
    let geneva = char_offset_of(TEXT1, "Geneva", 0);
    let said = char_offset_of(TEXT1, "said", 0);
    let rejected = char_offset_of(TEXT2, "rejected", 0);
    let next = |doc: &str, at: usize, forward: bool| {
        let found = next_disagreement(ws.project(), &pair(), (doc, at), forward, false)
            .map(|(d, r)| (d, r.start));
        // The same with the document's diff at hand (as the review panel passes it).
        let known = diff(ws.project(), doc, &pair());
        let with_known = tagdesk::core::review::next_disagreement_with(
            ws.project(),
            &pair(),
            (doc, at),
            forward,
            false,
            Some(&known),
        )
        .map(|(d, r)| (d, r.start));
        assert_eq!(found, with_known);
        // The same searched on copies of the layers (as F8 does on a thread).
        let searched = tagdesk::core::review::StepSearch::new(
            ws.project(),
            &pair(),
            (doc, at),
            forward,
            false,
        )
        .run()
        .map(|(d, r)| (d, r.start));
        assert_eq!(found, searched);
        // Within the document alone: the same when it lands there, else nothing.
        let here = tagdesk::core::review::next_in_document(&known, at, forward, false)
            .map(|r| (doc.to_owned(), r.start));
        let lands_here = found
            .as_ref()
            .is_some_and(|(d, s)| d == doc && if forward { *s > at } else { *s < at });
        assert_eq!(here, if lands_here { found.clone() } else { None });
        found
    };
    assert_eq!(next(DOC1, 0, true), Some((DOC1.into(), lavrov)));
    assert_eq!(next(DOC1, lavrov, true), Some((DOC1.into(), geneva)));
    assert_eq!(next(DOC1, said, true), Some((DOC2.into(), rejected)));
    // Past the last one: around to the first.
    assert_eq!(next(DOC2, rejected, true), Some((DOC1.into(), lavrov)));
    assert_eq!(next(DOC2, rejected, false), Some((DOC1.into(), said)));
    assert_eq!(next(DOC1, lavrov, false), Some((DOC2.into(), rejected)));
}

#[test]
fn accept_all_agreed_is_one_undo_step_and_leaves_annotators_alone() {
    let (_dir, mut ws) = two_annotators();
    let before_ana = ws.layer(DOC1, "ana").unwrap().clone();
    let before_ben = ws.layer(DOC2, "ben").unwrap().clone();
    let done = accept_agreed(&mut ws, &[DOC1.to_owned(), DOC2.to_owned()], &pair()).unwrap();
    assert_eq!((done.spans, done.relations, done.documents), (2, 0, 2));
    let curated: Vec<String> = [DOC1, DOC2]
        .iter()
        .flat_map(|d| {
            ws.layer(d, CURATED)
                .unwrap()
                .annotations()
                .iter()
                .map(|a| a.text.to_string())
        })
        .collect();
    assert_eq!(curated, ["Kerry", "Moscow"]);
    // Again: nothing new.
    let again = accept_agreed(&mut ws, &[DOC1.to_owned(), DOC2.to_owned()], &pair()).unwrap();
    assert_eq!(again.spans, 0);
    // One undo takes both documents back.
    ws.undo().unwrap();
    for d in [DOC1, DOC2] {
        assert!(
            ws.layer(d, CURATED)
                .is_none_or(tagdesk::core::AnnotationLayer::is_empty)
        );
    }
    ws.redo().unwrap();
    assert_eq!(ws.layer(DOC2, CURATED).unwrap().len(), 1);
    assert_eq!(ws.layer(DOC1, "ana").unwrap(), &before_ana);
    assert_eq!(ws.layer(DOC2, "ben").unwrap(), &before_ben);
    // Agreed relations come along once both ends are in: make ben's claim match ana's.
    let claim_b = ids(&ws, DOC1, "ben", "claim", "said the talks failed");
    let start = char_offset_of(TEXT1, "the talks failed", 0);
    ws.resize(
        &LayerKey::new(DOC1.to_owned(), "ben".to_owned()),
        &claim_b,
        start..start + 16,
    )
    .unwrap();
    let done = accept_agreed(&mut ws, &[DOC1.to_owned()], &pair()).unwrap();
    assert_eq!((done.spans, done.relations), (1, 1));
    let curated = ws.layer(DOC1, CURATED).unwrap();
    let rel = &curated.relations()[0];
    assert_eq!(rel.kind, "said_by");
    assert_eq!(curated.get(&rel.from).unwrap().text, "the talks failed");
    assert_eq!(curated.get(&rel.to).unwrap().text, "Kerry");
}

#[test]
fn accept_and_reject_record_decisions_the_annotators_can_read() {
    let (_dir, mut ws) = two_annotators();
    let claim_a = ids(&ws, DOC1, "ana", "claim", "the talks failed");
    let claim_b = ids(&ws, DOC1, "ben", "claim", "said the talks failed");
    let geneva = ids(&ws, DOC1, "ana", "actor", "Geneva");
    let decided = |ws: &Workspace, who: &str, id: &str| {
        let a = ws.layer(DOC1, who).unwrap().get(id).unwrap().clone();
        decision(ws.project(), DOC1, &a)
    };
    assert_eq!(decided(&ws, "ana", &claim_a), Decision::Open);
    // The curator takes ben's version of the claim.
    assert_eq!(
        accept(&mut ws, DOC1, "ben", std::slice::from_ref(&claim_b)).unwrap(),
        1
    );
    assert_eq!(decided(&ws, "ben", &claim_b), Decision::Accepted);
    let start = char_offset_of(TEXT1, "said", 0);
    assert_eq!(
        decided(&ws, "ana", &claim_a),
        Decision::Changed {
            label: "claim".into(),
            range: start..start + 21
        }
    );
    // Rejecting Geneva: recorded, the cluster counts as decided, undo takes it back.
    reject(&mut ws, DOC1, "ana", &geneva, "cora").unwrap();
    assert_eq!(decided(&ws, "ana", &geneva), Decision::Rejected);
    let rejection = &ws.layer(DOC1, CURATED).unwrap().rejections()[0];
    assert_eq!(rejection.by, "cora", "the curator's name, not the layer's");
    let d = diff(ws.project(), DOC1, &pair());
    let geneva_cluster = d
        .clusters
        .iter()
        .find(|c| c.kind == DiffKind::Missing)
        .unwrap();
    assert!(geneva_cluster.decided);
    assert!(
        next_disagreement(ws.project(), &pair(), (DOC1, start), false, true)
            .is_none_or(|(_, r)| r.start != geneva_cluster.range.start)
    );
    ws.undo().unwrap();
    assert_eq!(decided(&ws, "ana", &geneva), Decision::Open);
    ws.redo().unwrap();
    // Accepting after a rejection takes the rejection back in the same step.
    accept(&mut ws, DOC1, "ana", std::slice::from_ref(&geneva)).unwrap();
    assert_eq!(decided(&ws, "ana", &geneva), Decision::Accepted);
    assert!(ws.layer(DOC1, CURATED).unwrap().rejections().is_empty());
    ws.undo().unwrap();
    assert_eq!(decided(&ws, "ana", &geneva), Decision::Rejected);
    // Rejecting a span the curated layer has removes it there (with its relations).
    let said_by = ws.layer(DOC1, "ben").unwrap().relations()[0].id.clone();
    accept_relation(&mut ws, DOC1, "ben", &said_by).unwrap();
    let curated = ws.layer(DOC1, CURATED).unwrap();
    assert_eq!((curated.len(), curated.relations().len()), (2, 1));
    reject(&mut ws, DOC1, "ben", &claim_b, "cora").unwrap();
    let curated = ws.layer(DOC1, CURATED).unwrap();
    assert_eq!((curated.len(), curated.relations().len()), (1, 0));
    assert_eq!(decided(&ws, "ben", &claim_b), Decision::Rejected);
    // Saved as annotations/_curated/a.txt.json and read back with the rejections.
    let report = ws.save();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let file = ws.project().root.join("annotations/_curated/a.txt.json");
    let json = std::fs::read_to_string(&file).unwrap();
    assert!(json.contains("\"rejected\""), "{json}");
    let reopened = Workspace::open(&ws.project().root).unwrap();
    assert_eq!(
        reopened.layer(DOC1, CURATED).unwrap(),
        ws.layer(DOC1, CURATED).unwrap()
    );
    let a = reopened
        .layer(DOC1, "ana")
        .unwrap()
        .get(&geneva)
        .unwrap()
        .clone();
    assert_eq!(decision(reopened.project(), DOC1, &a), Decision::Rejected);
}

#[test]
fn rejecting_a_relation_is_a_decision_kept_in_the_curated_layer() {
    let (_dir, mut ws) = two_annotators();
    let before: Vec<_> = ["ana", "ben"]
        .iter()
        .map(|w| ws.layer(DOC1, w).unwrap().clone())
        .collect();
    let rel = |ws: &Workspace, who: &str| ws.layer(DOC1, who).unwrap().relations()[0].clone();
    let (ana_rel, ben_rel) = (rel(&ws, "ana"), rel(&ws, "ben"));
    let decided =
        |ws: &Workspace, who: &str| relation_decision(ws.project(), DOC1, who, &rel(ws, who));
    // ana's and ben's said_by link different claims: two relation differences, undecided.
    let d = diff(ws.project(), DOC1, &pair());
    assert_eq!(d.relations.len(), 2);
    assert!(d.relations.iter().all(|r| !r.decided));
    assert_eq!(decided(&ws, "ana"), Decision::Open);

    // Reject ana's: recorded by what it links, shown to ana, the difference counts as decided.
    reject_relation(&mut ws, DOC1, "ana", &ana_rel.id, "cora").unwrap();
    let curated = ws.layer(DOC1, CURATED).unwrap();
    assert_eq!(curated.relation_rejections().len(), 1);
    let rejection = &curated.relation_rejections()[0];
    assert_eq!(rejection.relation.kind, "said_by");
    assert_eq!(rejection.relation.from.label, "claim");
    assert_eq!(rejection.relation.to.start, 0);
    assert_eq!(rejection.annotators, vec!["ana".to_owned()]);
    assert_eq!(decided(&ws, "ana"), Decision::Rejected);
    assert_eq!(decided(&ws, "ben"), Decision::Open);
    let d = diff(ws.project(), DOC1, &pair());
    let decided_flags: Vec<bool> = d.relations.iter().map(|r| r.decided).collect();
    assert_eq!(decided_flags.iter().filter(|d| **d).count(), 1);
    // Rejecting twice changes nothing.
    reject_relation(&mut ws, DOC1, "ana", &ana_rel.id, "cora").unwrap();
    assert_eq!(
        ws.layer(DOC1, CURATED).unwrap().relation_rejections().len(),
        1
    );

    // Accepting it afterwards takes the rejection back in the same undo step.
    accept_relation(&mut ws, DOC1, "ana", &ana_rel.id).unwrap();
    assert_eq!(decided(&ws, "ana"), Decision::Accepted);
    assert!(
        ws.layer(DOC1, CURATED)
            .unwrap()
            .relation_rejections()
            .is_empty()
    );
    ws.undo().unwrap();
    assert_eq!(decided(&ws, "ana"), Decision::Rejected);
    ws.undo().unwrap();
    assert_eq!(decided(&ws, "ana"), Decision::Open);
    ws.redo().unwrap();

    // Rejecting a relation the curated layer has removes the relation, not its ends.
    accept_relation(&mut ws, DOC1, "ben", &ben_rel.id).unwrap();
    assert_eq!(decided(&ws, "ben"), Decision::Accepted);
    reject_relation(&mut ws, DOC1, "ben", &ben_rel.id, "cora").unwrap();
    let curated = ws.layer(DOC1, CURATED).unwrap();
    assert_eq!((curated.len(), curated.relations().len()), (2, 0));
    assert_eq!(curated.relation_rejections().len(), 2);
    assert_eq!(decided(&ws, "ben"), Decision::Rejected);

    // The annotators' layers were never touched.
    for (w, layer) in ["ana", "ben"].iter().zip(&before) {
        assert_eq!(ws.layer(DOC1, w).unwrap(), layer);
    }

    // Saved beside the span rejections, and read back.
    let report = ws.save();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let json =
        std::fs::read_to_string(ws.project().root.join("annotations/_curated/a.txt.json")).unwrap();
    assert!(json.contains("\"rejected_relations\""), "{json}");
    assert!(json.contains("\"type\":\"said_by\""), "{json}");
    let reopened = Workspace::open(&ws.project().root).unwrap();
    assert_eq!(
        reopened.layer(DOC1, CURATED).unwrap(),
        ws.layer(DOC1, CURATED).unwrap()
    );
    assert_eq!(decided(&reopened, "ana"), Decision::Rejected);
}

#[test]
fn accept_all_agreed_leaves_a_rejected_relation_out() {
    let (_dir, mut ws) = two_annotators();
    // On b.txt ana and ben now agree on both spans and link them the same way.
    let key = |w: &str| LayerKey::new(DOC2, w);
    for who in ["ana", "ben"] {
        let claim = ids(&ws, DOC2, who, "claim", "rejected the plan");
        let moscow = ids(&ws, DOC2, who, "actor", "Moscow");
        ws.set_attribute(
            &key(who),
            &claim,
            "stance",
            Some(AttributeValue::Text("oppose".into())),
        )
        .unwrap();
        ws.add_relation(&key(who), "said_by", &claim, &moscow)
            .unwrap();
    }
    let docs = [DOC2.to_owned()];
    let done = accept_agreed(&mut ws, &docs, &pair()).unwrap();
    assert_eq!((done.spans, done.relations), (2, 1));
    ws.undo().unwrap();
    let shared = ws.layer(DOC2, "ben").unwrap().relations()[0].id.clone();
    reject_relation(&mut ws, DOC2, "ben", &shared, "cora").unwrap();
    let rejection = &ws.layer(DOC2, CURATED).unwrap().relation_rejections()[0];
    assert_eq!(rejection.annotators, pair(), "both made it");
    let done = accept_agreed(&mut ws, &docs, &pair()).unwrap();
    assert_eq!((done.spans, done.relations), (2, 0));
    assert!(ws.layer(DOC2, CURATED).unwrap().relations().is_empty());
}

#[test]
fn the_curated_layer_exports_like_any_annotator() {
    let (_dir, mut ws) = two_annotators();
    accept_agreed(&mut ws, &[DOC1.to_owned(), DOC2.to_owned()], &pair()).unwrap();
    ws.save();
    let mut out = Vec::new();
    let report = tagdesk::formats::export::export(
        &mut ws,
        tagdesk::formats::Format::Jsonl,
        &tagdesk::formats::export::ExportFilter {
            annotator: Some(CURATED.to_owned()),
            ..Default::default()
        },
        tagdesk::formats::Sink::Stream(Box::new(&mut out)),
    )
    .unwrap();
    assert_eq!(report.annotations, 2);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\"annotator\":\"_curated\""), "{text}");
}

/// A project with `INCEpTION`'s curation test case imported: user1 and user2 as two annotators,
/// `INCEpTION`'s curated result as a third layer to compare with.
fn inception_case(case: &str) -> (tempfile::TempDir, Workspace, String) {
    use tagdesk::formats::Format;
    use tagdesk::formats::import::{ImportOptions, apply, read_and_plan};
    let dir_in = crate::support::testdata()
        .join("webanno_tsv3_two_annotators")
        .join(case);
    let (dir, root) = project_with(&[("readme.txt", b"not annotated")]);
    let mut ws = Workspace::open(&root).unwrap();
    for (file, annotator) in [
        ("user1", "user1"),
        ("user2", "user2"),
        ("curator", "inception"),
    ] {
        let options = ImportOptions {
            annotator: Some(annotator.into()),
            add_documents: true,
            add_labels: true,
        };
        let path = dir_in.join(format!("{file}.tsv"));
        let plan = read_and_plan(&mut ws, Format::WebannoTsv, &path, &options).unwrap();
        apply(&mut ws, plan).unwrap();
    }
    let doc = ws
        .project()
        .layers
        .keys()
        .find(|k| k.annotator == "user1")
        .unwrap()
        .document
        .clone();
    (dir, ws, doc)
}

#[test]
fn accept_agreed_merges_like_inceptions_curation_of_two_annotators() {
    // relationLabelTest: the two annotators agree on every POS tag and on every dependency but
    // one ("sich": OBJA against XXX). INCEpTION's merge takes all the tags and all the other
    // dependencies.
    let (_dir, mut ws, doc) = inception_case("relationLabelTest");
    let users = vec!["user1".to_owned(), "user2".to_owned()];
    let d = diff(ws.project(), &doc, &users);
    assert_eq!(
        d.relations.len(),
        2,
        "the OBJA/XXX dependency, once per user"
    );
    let done = accept_agreed(&mut ws, std::slice::from_ref(&doc), &users).unwrap();
    assert!(done.spans > 0);
    let curated = ws.layer(&doc, CURATED).unwrap();
    let inception = ws.layer(&doc, "inception").unwrap();
    // Every span of INCEpTION's result is in ours (ours also has the lemmas its layer set left
    // out), and exactly its relations.
    for s in inception.annotations() {
        assert!(
            curated
                .annotations()
                .iter()
                .any(|c| c.label == s.label && c.start == s.start && c.end == s.end),
            "{} {}..{} missing",
            s.label,
            s.start,
            s.end
        );
    }
    let signatures = |l: &tagdesk::core::AnnotationLayer| {
        let mut v: Vec<(String, usize, usize)> = l
            .relations()
            .iter()
            .map(|r| {
                let (from, to) = (l.get(&r.from).unwrap(), l.get(&r.to).unwrap());
                (r.kind.clone(), from.start, to.start)
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(signatures(curated), signatures(inception));
    assert_eq!(done.relations, inception.relations().len());
}

#[test]
fn a_label_disagreement_stays_for_the_curator_as_in_inception() {
    // simpleSpanDiffWithLabelTest: "sentence" is NN for user1 and NE for user2; INCEpTION's
    // merge leaves it out, and so do we; the diff calls it a label difference.
    let (_dir, mut ws, doc) = inception_case("simpleSpanDiffWithLabelTest");
    let users = vec!["user1".to_owned(), "user2".to_owned()];
    let d = diff(ws.project(), &doc, &users);
    assert_eq!(d.clusters.len(), 1);
    assert_eq!(d.clusters[0].kind, DiffKind::Label);
    let done = accept_agreed(&mut ws, std::slice::from_ref(&doc), &users).unwrap();
    assert_eq!(done.spans, 0);
    assert!(
        ws.layer(&doc, "inception")
            .is_none_or(tagdesk::core::AnnotationLayer::is_empty)
    );
}

#[test]
fn an_unsaved_relation_rejection_survives_a_crash_through_the_journal() {
    let (_dir, mut ws) = two_annotators();
    assert!(ws.save().errors.is_empty());
    let ana_rel = ws.layer(DOC1, "ana").unwrap().relations()[0].id.clone();
    reject_relation(&mut ws, DOC1, "ana", &ana_rel, "cora").unwrap();
    let expected = ws.layer(DOC1, CURATED).unwrap().clone();
    let root = ws.project().root.clone();
    drop(ws); // the process "dies" without saving
    let mut ws = Workspace::open(&root).unwrap();
    assert!(ws.layer(DOC1, CURATED).is_none());
    let report = ws.recover();
    assert!(report.iter().any(|l| l.contains("recovered")), "{report:?}");
    assert_eq!(ws.layer(DOC1, CURATED).unwrap(), &expected);
}

/// Who changed a span last is recorded when it is not its author: a curator taking a span
/// into the curated layer, or changing it there; the author changing it clears it; with no
/// editor set (a command) nothing is recorded.
#[test]
fn a_span_records_who_changed_it_when_not_its_author() {
    let (_dir, mut ws) = two_annotators();
    let kerry = ids(&ws, DOC1, "ben", "actor", "Kerry");
    accept(&mut ws, DOC1, "ben", std::slice::from_ref(&kerry)).unwrap();
    let curated = |ws: &Workspace| ws.layer(DOC1, CURATED).unwrap().annotations()[0].clone();
    assert_eq!(curated(&ws).modified_by(), None, "no editor set");
    ws.undo();
    ws.set_editor(Some("cora"));
    accept(&mut ws, DOC1, "ben", &[kerry]).unwrap();
    let taken = curated(&ws);
    assert_eq!(
        (taken.author.as_str(), taken.modified_by()),
        ("ben", Some("cora"))
    );
    // Kept in the file.
    assert!(ws.save().errors.is_empty());
    let reopened = Workspace::open(&ws.project().root).unwrap();
    assert_eq!(curated(&reopened).modified_by(), Some("cora"));
    // Ben changing his own span in his layer: nobody else changed it last.
    ws.set_editor(Some("ben"));
    let key = LayerKey::new(DOC1.to_owned(), "ben".to_owned());
    let lavrov = ids(&ws, DOC1, "ben", "claim", "Lavrov");
    ws.relabel(&key, &lavrov, "actor").unwrap();
    let mine = ws.layer(DOC1, "ben").unwrap().get(&lavrov).unwrap().clone();
    assert_eq!(mine.modified_by(), None);
}
