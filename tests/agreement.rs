//! Agreement measures against published figures: bratiaa's report on its 4-annotator example,
//! and the Artstein & Poesio table (as NLTK's metrics example gives it).

use proptest::prelude::Strategy;
use tagdesk::core::Workspace;
use tagdesk::core::agreement::{
    Matching, Report, Study, StudyDocument, Tally, Tokens, Unit, cohen_kappa, fleiss_kappa,
    krippendorff_alpha_nominal, scott_pi, span_agreement, token_agreement, unitizing_agreement,
    unitizing_disagreement, unitizing_distance,
};
use tagdesk::formats::Format;
use tagdesk::formats::import::{ImportOptions, apply, read_and_plan};

use crate::support::testdata;

const ANNOTATORS: [&str; 4] = ["Lisa", "Maria", "Max", "Peter"];

/// A project with bratiaa's texts and each annotator's brat files imported as their layer.
fn bratiaa_project() -> (tempfile::TempDir, Workspace) {
    let example = testdata().join("bratiaa_4annotators/example-project");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    std::fs::create_dir_all(&root).unwrap();
    for (txt, rel) in tagdesk::formats::files_with_extension(&example.join("Lisa"), "txt").unwrap()
    {
        std::fs::copy(txt, root.join(rel)).unwrap();
    }
    tagdesk::core::Project::init(&root, None, Some("bratiaa")).unwrap();
    let mut ws = Workspace::open(&root).unwrap();
    for annotator in ANNOTATORS {
        let options = ImportOptions {
            annotator: Some(annotator.into()),
            add_documents: false,
            add_labels: true,
        };
        let plan =
            read_and_plan(&mut ws, Format::Brat, &example.join(annotator), &options).unwrap();
        apply(&mut ws, plan).unwrap();
    }
    (dir, ws)
}

/// `x` is within `tolerance` of `expected` (the tolerances `DKPro` Statistics' tests use for
/// figures the literature gives truncated).
fn assert_close(x: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (x - expected).abs() <= tolerance,
        "{what}: {x} is not within {tolerance} of {expected}"
    );
}

/// `x` rounds to `published` at the published precision.
fn assert_rounds_to(x: f64, published: f64, decimals: i32, what: &str) {
    let half = 0.5 * 10f64.powi(-decimals);
    assert!(
        (x - published).abs() <= half + 1e-12,
        "{what}: {x} does not round to {published}"
    );
}

#[test]
fn span_f1_matches_bratiaas_published_report() {
    let (_dir, ws) = bratiaa_project();
    let annotators: Vec<String> = ANNOTATORS.iter().map(|s| (*s).to_owned()).collect();
    let study = Study::from_project(ws.project(), &annotators, None);
    let agreement = span_agreement(&study, Matching::Exact, Tokens::Whitespace);
    assert_eq!(agreement.documents.len(), 7);
    let overall = agreement.overall.unwrap();
    // "Mean F1: 0.890, SD F1: 0.053"
    assert_rounds_to(overall.mean, 0.890, 3, "mean F1");
    assert_rounds_to(overall.sd, 0.053, 3, "SD F1");
    // Agreement per label.
    for (label, mean, sd) in [
        ("LOC", 0.819, 0.131),
        ("MISC", 0.840, 0.090),
        ("ORG", 0.906, 0.053),
        ("PER", 0.938, 0.039),
    ] {
        let s = agreement.per_label[label];
        assert_rounds_to(s.mean, mean, 3, label);
        assert_rounds_to(s.sd, sd, 3, label);
    }
    // Agreement per document.
    for (doc, mean, sd) in [
        ("esp.train-doc-100.txt", 0.798, 0.167),
        ("esp.train-doc-1400.txt", 0.894, 0.039),
        ("esp.train-doc-29.txt", 0.906, 0.072),
        ("esp.train-doc-423.txt", 0.906, 0.037),
        ("esp.train-doc-46.txt", 0.936, 0.023),
        ("esp.train-doc-503.txt", 0.907, 0.052),
        ("esp.train-doc-896.txt", 0.873, 0.063),
    ] {
        let s = agreement.per_document[doc];
        assert_rounds_to(s.mean, mean, 3, doc);
        assert_rounds_to(s.sd, sd, 3, doc);
    }
    // Overlap matching can only agree more.
    let overlap = span_agreement(&study, Matching::Overlap, Tokens::Whitespace);
    assert!(overlap.overall.unwrap().mean >= overall.mean);
}

/// The Artstein & Poesio example: lines `coder<TAB>item<TAB>label`.
fn artstein_poesio() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(testdata().join("artstein_poesio_example.txt")).unwrap();
    let mut by_item: std::collections::BTreeMap<String, (Option<String>, Option<String>)> =
        std::collections::BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let entry = by_item.entry(f[1].to_owned()).or_default();
        if f[0] == "a" {
            entry.0 = Some(f[2].to_owned());
        } else {
            entry.1 = Some(f[2].to_owned());
        }
    }
    by_item
        .into_values()
        .map(|(a, b)| (a.unwrap(), b.unwrap()))
        .collect()
}

#[test]
fn coefficients_match_artstein_and_poesio() {
    let items = artstein_poesio();
    assert_eq!(items.len(), 100);
    assert_rounds_to(cohen_kappa(&items), 0.80132, 5, "cohen_kappa");
    assert_rounds_to(scott_pi(&items), 0.79953, 5, "scott_pi");
    let lists: Vec<Vec<String>> = items
        .iter()
        .map(|(a, b)| vec![a.clone(), b.clone()])
        .collect();
    assert_rounds_to(
        krippendorff_alpha_nominal(&lists),
        0.80053,
        5,
        "krippendorff_alpha_nominal",
    );
    // With two coders Fleiss' kappa is Scott's pi.
    assert_rounds_to(fleiss_kappa(&lists), 0.79953, 5, "fleiss_kappa");
}

#[test]
fn token_f1_matches_bratiaas_published_report() {
    let (_dir, ws) = bratiaa_project();
    let annotators: Vec<String> = ANNOTATORS.iter().map(|s| (*s).to_owned()).collect();
    let mut study = Study::from_project(ws.project(), &annotators, None);
    study.load_texts(&ws.project().source_dir);
    assert!(study.warnings.is_empty(), "{:?}", study.warnings);
    let agreement = span_agreement(&study, Matching::Tokens, Tokens::Whitespace);
    assert_eq!(agreement.documents.len(), 7);
    // token-agreement-report.md: "Mean F1: 0.964, SD F1: 0.015"
    let overall = agreement.overall.unwrap();
    assert_rounds_to(overall.mean, 0.964, 3, "token mean F1");
    assert_rounds_to(overall.sd, 0.015, 3, "token SD F1");
    for (label, mean, sd) in [
        ("LOC", 0.963, 0.013),
        ("MISC", 0.918, 0.045),
        ("ORG", 0.972, 0.015),
        ("PER", 0.983, 0.006),
    ] {
        let s = agreement.per_label[label];
        assert_rounds_to(s.mean, mean, 3, label);
        assert_rounds_to(s.sd, sd, 3, label);
    }
    for (doc, mean, sd) in [
        ("esp.train-doc-100.txt", 0.972, 0.009),
        ("esp.train-doc-1400.txt", 0.945, 0.034),
        ("esp.train-doc-29.txt", 0.928, 0.047),
        ("esp.train-doc-423.txt", 0.943, 0.035),
        ("esp.train-doc-46.txt", 0.974, 0.013),
        ("esp.train-doc-503.txt", 0.977, 0.010),
        ("esp.train-doc-896.txt", 0.952, 0.020),
    ] {
        let s = agreement.per_document[doc];
        assert_rounds_to(s.mean, mean, 3, doc);
        assert_rounds_to(s.sd, sd, 3, doc);
    }
    // The whole report: token coefficients are defined and agree with the F1 picture (high).
    let report = Report::compute(&study, Tokens::Whitespace);
    let kappa = report.token.overall.cohen_mean.unwrap();
    assert_eq!(report.token.overall.cohen.len(), 6);
    assert!(kappa.mean > 0.9 && kappa.mean < 1.0, "{kappa:?}");
    assert!(report.token.overall.fleiss.unwrap() > 0.9);
    assert!(report.token.overall.alpha.unwrap() > 0.9);
    assert_eq!(report.token.per_label.len(), 4);
    assert!(report.unitizing.overall.unwrap() > 0.8);
    let csv = report.to_csv();
    assert!(csv.starts_with("measure,scope,key,annotator_a,annotator_b,value,sd,pairs"));
    assert!(csv.contains("f1_token,overall,,,,0.96"), "{csv}");
}

/// A study of one text of `n` one-letter tokens ("a a a …") with two coders' units given in
/// tokens `[from, to)` per label.
fn token_study(n: usize, coders: &[&[(&str, usize, usize)]]) -> Study {
    let text = vec!["a"; n].join(" ");
    Study {
        annotators: (0..coders.len()).map(|i| format!("coder{i}")).collect(),
        documents: vec![StudyDocument {
            path: "t.txt".into(),
            text: Some(std::sync::Arc::new(tagdesk::core::SourceText::new(text))),
            units: coders
                .iter()
                .map(|units| {
                    units
                        .iter()
                        .map(|&(label, from, to)| Unit {
                            label: label.into(),
                            start: 2 * from,
                            end: 2 * to - 1,
                        })
                        .collect()
                })
                .collect(),
        }],
        warnings: Vec::new(),
    }
}

#[test]
fn token_coefficients_match_krippendorffs_digitized_example() {
    // Krippendorff (1995: 57), case A, digitized as DKPro Statistics' test does:
    // Bertha 0 0|1 1 1 1 1 1 1 1|0 0 0 0|1 1 1 1 1 1|0 0 0 0
    // Bill   0 0 0 0|1 1 1 1|0 0 0 0 0 0 0|1 1|0 0 0 0 0 0 0
    let study = token_study(
        24,
        &[
            &[("A", 2, 10), ("A", 14, 20)],
            &[("A", 4, 8), ("A", 15, 17)],
        ],
    );
    let t = token_agreement(&study, Tokens::Whitespace);
    assert_eq!(t.items, 24);
    let a = &t.per_label["A"];
    assert_rounds_to(a.cohen[0].2.unwrap(), 0.385, 3, "Cohen's kappa");
    assert_rounds_to(a.alpha.unwrap(), 0.329, 3, "Krippendorff's alpha");
    // Two coders: Fleiss' kappa is Scott's pi.
    assert_rounds_to(a.fleiss.unwrap(), 0.314, 3, "Scott's pi");
    // One label: overall is the same.
    assert_rounds_to(t.overall.alpha.unwrap(), 0.329, 3, "overall alpha");
}

#[test]
#[allow(clippy::float_cmp)] // integer distances, exact in f64
fn unitizing_alpha_matches_krippendorff_2004() {
    // The distance of DKPro Statistics' Krippendorff2004Test.
    assert_eq!(unitizing_distance((225, 295, true), (220, 300, true)), 50.0);
    assert_eq!(
        unitizing_distance((370, 400, true), (355, 375, true)),
        850.0
    );
    assert_eq!(
        unitizing_distance((400, 450, false), (400, 420, true)),
        400.0
    );
    assert_eq!(unitizing_distance((5, 11, true), (5, 7, true)), 16.0);
    // Krippendorff (2004: 254): a continuum 150..450 of two coders, categories c and k. The
    // continuum starts at 150: shift everything by 150 onto 0..300.
    let units = |list: &[(u64, u64)]| -> Vec<(u64, u64)> {
        list.iter().map(|&(b, l)| (b - 150, b - 150 + l)).collect()
    };
    let c = [
        units(&[(225, 70), (370, 30)]),
        units(&[(220, 80), (355, 20), (400, 20)]),
    ];
    let (o, e) = unitizing_disagreement(&c, 300);
    assert_rounds_to(o, 0.0144, 4, "D_o(c)");
    assert_rounds_to(e, 0.0532, 4, "D_e(c)");
    assert_rounds_to(1.0 - o / e, 0.7286, 4, "alpha(c)");
    let k = [
        units(&[(180, 60), (300, 50)]),
        units(&[(180, 60), (300, 50)]),
    ];
    let (ok, ek) = unitizing_disagreement(&k, 300);
    assert_rounds_to(ok, 0.0, 4, "D_o(k)");
    assert_rounds_to(ek, 0.0490, 4, "D_e(k)");
    // Overall: 1 - mean D_o / mean D_e; the book's 0.8591 is computed from the rounded
    // disagreements above (1 - 0.0144 / 0.1022), hence DKPro's tolerance of 0.0005.
    assert_close(1.0 - (o + ok) / (e + ek), 0.8591, 0.0005, "alpha");
}

#[test]
fn unitizing_alpha_matches_krippendorff_1995() {
    // Observed disagreement of the four cases of Krippendorff (1995: 57) on a continuum of 24.
    let case = |a: &[(u64, u64)], b: &[(u64, u64)]| {
        let spans = |l: &[(u64, u64)]| l.iter().map(|&(s, n)| (s, s + n)).collect::<Vec<_>>();
        unitizing_disagreement(&[spans(a), spans(b)], 24).0
    };
    assert_rounds_to(
        case(&[(2, 8), (14, 6)], &[(4, 4), (15, 2)]),
        0.03125,
        5,
        "A",
    );
    // In case B Jill's units touch: one coder's units of a label may touch, not overlap.
    let case_b = case(
        &[(0, 18)],
        &[(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)],
    );
    assert_rounds_to(case_b, 2.26736, 5, "B");
    let case_c = case(
        &[(2, 6), (10, 2), (14, 4), (20, 2)],
        &[(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)],
    );
    assert_close(case_c, 0.02777, 0.00001, "C");
    let case_d = case(
        &[(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)],
        &[(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)],
    );
    assert_close(case_d, 0.38715, 0.00001, "D");
    // Expected disagreement and alpha, with the continuum stretched 50,000 times as DKPro's
    // test does (Krippendorff's figures assume a practically continuous scale).
    let stretched = |a: &[(u64, u64)], b: &[(u64, u64)]| {
        let spans = |l: &[(u64, u64)]| {
            l.iter()
                .map(|&(s, n)| (s * 50_000, (s + n) * 50_000))
                .collect::<Vec<_>>()
        };
        let (o, e) = unitizing_disagreement(&[spans(a), spans(b)], 24 * 50_000);
        (e, 1.0 - o / e)
    };
    for (name, a, b, expected, alpha) in [
        (
            "A",
            &[(2, 8), (14, 6)][..],
            &[(4, 4), (15, 2)][..],
            0.06990,
            0.553,
        ),
        (
            "B",
            &[(0, 18)],
            &[(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)],
            1.17731,
            -0.926,
        ),
        (
            "C",
            &[(2, 6), (10, 2), (14, 4), (20, 2)],
            &[(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)],
            0.08642,
            0.679,
        ),
        (
            "D",
            &[(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)],
            &[(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)],
            0.41445,
            0.066,
        ),
    ] {
        let (e, al) = stretched(a, b);
        assert_close(e, expected, 0.005, &format!("D_e({name})"));
        assert_close(al, alpha, 0.02, &format!("alpha({name})"));
    }
    // Through a study of a 24-character text: the same observed disagreement for case C.
    let text = "x".repeat(24);
    let unit = |&(s, n): &(usize, usize)| Unit {
        label: "C".into(),
        start: s,
        end: s + n,
    };
    let study = Study {
        annotators: vec!["Gerret".into(), "Gill".into()],
        documents: vec![StudyDocument {
            path: "c.txt".into(),
            text: Some(std::sync::Arc::new(tagdesk::core::SourceText::new(text))),
            units: vec![
                [(2, 6), (10, 2), (14, 4), (20, 2)]
                    .iter()
                    .map(unit)
                    .collect(),
                [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)]
                    .iter()
                    .map(unit)
                    .collect(),
            ],
        }],
        warnings: Vec::new(),
    };
    let u = unitizing_agreement(&study);
    let l = u.per_label["C"];
    assert_eq!(u.length, 24);
    assert_close(l.observed, 0.02777, 0.00001, "D_o via study");
    assert_close(
        l.alpha.unwrap(),
        1.0 - l.observed / l.expected,
        1e-12,
        "alpha via study",
    );
    assert_eq!(u.overall, l.alpha);
}

#[test]
fn tokens_are_cut_in_code_points() {
    let text = "Hi 👍🏽 there,  ქართული!";
    assert_eq!(
        Tokens::Whitespace.cut(text),
        vec![[0, 2], [3, 5], [6, 12], [14, 22]]
    );
    let words = Tokens::Words.cut(text);
    assert_eq!(words.first(), Some(&[0, 2]));
    assert!(words.contains(&[11, 12])); // the comma alone
    assert_eq!(words.last(), Some(&[21, 22])); // "!"
}

#[test]
fn pairs_report_precision_and_recall_with_the_second_annotator_as_reference() {
    // coder0 marks four spans, coder1 two: one identical actor, one claim that only overlaps.
    let study = token_study(
        10,
        &[
            &[
                ("actor", 0, 1),
                ("actor", 2, 3),
                ("claim", 4, 6),
                ("claim", 7, 8),
            ],
            &[("actor", 0, 1), ("claim", 4, 5)],
        ],
    );
    let exact = span_agreement(&study, Matching::Exact, Tokens::Whitespace);
    let pair = &exact.pairs[0];
    assert_eq!((pair.a.as_str(), pair.b.as_str()), ("coder0", "coder1"));
    assert_eq!(pair.overall.counts.matched, 1);
    assert_eq!(pair.overall.precision, Some(0.25));
    assert_eq!(pair.overall.recall, Some(0.5));
    assert_close(pair.overall.f1.unwrap(), 1.0 / 3.0, 1e-12, "exact F1");
    assert_eq!(exact.pair_f1("coder1", "coder0"), pair.overall.f1);
    let actor = &pair.per_label["actor"];
    assert_eq!((actor.precision, actor.recall), (Some(0.5), Some(1.0)));
    let claim = &pair.per_label["claim"];
    assert_eq!(
        (claim.precision, claim.recall, claim.f1),
        (Some(0.0), Some(0.0), Some(0.0))
    );
    let overlap = span_agreement(&study, Matching::Overlap, Tokens::Whitespace);
    let o = &overlap.pairs[0].overall;
    assert_eq!((o.precision, o.recall), (Some(0.5), Some(1.0)));
    assert_close(o.f1.unwrap(), 2.0 / 3.0, 1e-12, "overlap F1");
    // The CSV carries them per pair, overall and per label.
    let report = Report::compute(&study, Tokens::Whitespace);
    let csv = report.to_csv();
    assert!(
        csv.contains("precision_exact,overall,,coder0,coder1,0.25"),
        "{csv}"
    );
    assert!(
        csv.contains("recall_overlap,label,claim,coder0,coder1,1"),
        "{csv}"
    );
}

/// A random study: `texts` of whitespace-separated words, each of `raters` annotators with
/// random spans (labels from a small set, overlapping, nested, repeated, empty layers too).
fn random_study() -> impl Strategy<Value = Study> {
    let doc = (
        proptest::collection::vec(1usize..6, 1..30),
        proptest::collection::vec(
            proptest::collection::vec((0usize..3, 0usize..60, 1usize..12), 0..25),
            3,
        ),
    );
    proptest::collection::vec(doc, 1..4).prop_map(|docs| {
        let labels = ["A", "B", "C+D"];
        Study {
            annotators: vec!["x".into(), "y".into(), "z".into()],
            documents: docs
                .into_iter()
                .enumerate()
                .map(|(d, (words, layers))| {
                    let text = words
                        .iter()
                        .map(|&n| "w".repeat(n))
                        .collect::<Vec<_>>()
                        .join(" ");
                    let len = text.chars().count();
                    StudyDocument {
                        path: format!("d{d}.txt"),
                        units: layers
                            .into_iter()
                            .map(|units| {
                                units
                                    .into_iter()
                                    .map(|(l, s, n)| {
                                        let start = s % len;
                                        Unit {
                                            label: labels[l].into(),
                                            start,
                                            end: (start + n).min(len).max(start + 1),
                                        }
                                    })
                                    .collect()
                            })
                            .collect(),
                        text: Some(std::sync::Arc::new(tagdesk::core::SourceText::new(text))),
                    }
                })
                .collect(),
            warnings: Vec::new(),
        }
    })
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 200, ..Default::default() })]

    /// The measures match labels per document on all cores; each pair's counts must be what the
    /// plain matcher gives on the whole layers, document by document.
    #[test]
    fn span_counts_equal_the_plain_definition(study in random_study()) {
        for matching in [Matching::Exact, Matching::Overlap, Matching::Tokens] {
            let agreement = span_agreement(&study, matching, Tokens::Whitespace);
            let mut p = 0;
            for i in 0..3 {
                for j in i + 1..3 {
                    let mut total = tagdesk::core::agreement::Counts::default();
                    for doc in &study.documents {
                        let (a, b) = if matching == Matching::Tokens {
                            let cut = Tokens::Whitespace.cut(doc.text.as_ref().unwrap().as_str());
                            (token_pieces(&doc.units[i], &cut), token_pieces(&doc.units[j], &cut))
                        } else {
                            (doc.units[i].clone(), doc.units[j].clone())
                        };
                        total.add(tagdesk::core::agreement::compare(&a, &b, matching));
                    }
                    proptest::prop_assert_eq!(agreement.pairs[p].overall.counts, total, "{:?}", matching);
                    p += 1;
                }
            }
        }
    }

    /// Token coefficients counted on numbers equal the general (string, hash map) definitions.
    #[test]
    fn token_coefficients_equal_the_general_definitions(study in random_study()) {
        let t = token_agreement(&study, Tokens::Whitespace);
        // items[t][a]: annotator a's value of token t, spelled out as the definition says.
        let mut items: Vec<Vec<String>> = Vec::new();
        for doc in &study.documents {
            let cut = Tokens::Whitespace.cut(doc.text.as_ref().unwrap().as_str());
            for tok in &cut {
                items.push(doc.units.iter().map(|units| {
                    let mut ls: Vec<&str> = units.iter()
                        .filter(|u| u.start < tok[1] && tok[0] < u.end)
                        .map(|u| u.label.as_str()).collect();
                    ls.sort_unstable();
                    ls.dedup();
                    if ls.is_empty() { "O".to_owned() } else { ls.join("|") }
                }).collect());
            }
        }
        proptest::prop_assert_eq!(t.items, items.len());
        let finite = |x: f64| x.is_finite().then_some(x);
        proptest::prop_assert!(close(t.overall.fleiss, finite(fleiss_kappa(&items))));
        proptest::prop_assert!(close(t.overall.alpha, finite(krippendorff_alpha_nominal(&items))));
        let pairs: Vec<(String, String)> = items.iter().map(|v| (v[0].clone(), v[2].clone())).collect();
        proptest::prop_assert!(close(t.overall.cohen[1].2, finite(cohen_kappa(&pairs))));
        for (label, c) in &t.per_label {
            let binary: Vec<Vec<String>> = items.iter().map(|v| v.iter().map(|x| {
                if x.split('|').any(|l| l == label) { label.clone() } else { "O".to_owned() }
            }).collect()).collect();
            proptest::prop_assert!(close(c.fleiss, finite(fleiss_kappa(&binary))), "{}", label);
            proptest::prop_assert!(close(c.alpha, finite(krippendorff_alpha_nominal(&binary))));
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

    /// αU is measured document by document (observed disagreement per document, gaps joined
    /// across documents by the tally); it must equal the definition on the whole continuum —
    /// the documents laid end to end, each rater's units of a label merged — label by label.
    #[test]
    fn unitizing_by_document_equals_the_whole_continuum(study in random_study()) {
        let u = unitizing_agreement(&study);
        let labels: std::collections::BTreeSet<&str> = study.documents.iter()
            .flat_map(|d| d.units.iter().flatten().map(|u| u.label.as_str())).collect();
        proptest::prop_assert_eq!(u.per_label.len(), labels.len());
        for label in labels {
            let mut raters: Vec<Vec<(u64, u64)>> = vec![Vec::new(); study.annotators.len()];
            let mut offset = 0u64;
            for doc in &study.documents {
                for (r, units) in doc.units.iter().enumerate() {
                    raters[r].extend(units.iter().filter(|u| u.label == label)
                        .map(|u| (offset + u.start as u64, offset + u.end as u64)));
                }
                offset += doc.text.as_ref().unwrap().as_str().chars().count() as u64;
            }
            for units in &mut raters {
                units.sort_unstable();
                let mut merged: Vec<(u64, u64)> = Vec::new();
                for &(s, e) in units.iter() {
                    match merged.last_mut() {
                        Some(last) if s < last.1 => last.1 = last.1.max(e),
                        _ => merged.push((s, e)),
                    }
                }
                *units = merged;
            }
            let (o, e) = unitizing_disagreement(&raters, offset);
            let l = &u.per_label[label];
            let near = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
            proptest::prop_assert!(near(l.observed, o), "{} observed {} vs {}", label, l.observed, o);
            proptest::prop_assert!(near(l.expected, e), "{} expected {} vs {}", label, l.expected, e);
            proptest::prop_assert_eq!(u.length as u64, offset);
        }
    }

    /// Documents are measured on their own and added up ([`Tally::add_all`], the streamed path
    /// of `agree` from files): the span and token figures must not depend on the order the
    /// documents come in (label combinations are numbered canonically, counts are integers).
    #[test]
    fn span_and_token_figures_do_not_depend_on_the_documents_order(study in random_study()) {
        let whole = Report::compute(&study, Tokens::Whitespace);
        let mut reversed = study.documents.clone();
        reversed.reverse();
        let mut tally = Tally::new(study.annotators.clone(), Tokens::Whitespace);
        tally.add_all(&reversed, |d| Ok::<_, ()>(Some(d.clone()))).unwrap();
        let streamed = tally.finish();
        let rows = |r: &Report| -> Vec<String> {
            r.to_csv().lines().filter(|l| !l.starts_with("alpha_unitizing")).map(str::to_owned).collect()
        };
        proptest::prop_assert_eq!(rows(&whole), rows(&streamed));
        proptest::prop_assert_eq!(whole.token.items, streamed.token.items);
    }
}

/// bratiaa's token pieces of some units: one (label, token) unit per token a unit touches.
fn token_pieces(units: &[Unit], cut: &[[usize; 2]]) -> Vec<Unit> {
    units
        .iter()
        .flat_map(|u| {
            cut.iter()
                .filter(|t| t[0] < u.end && u.start < t[1])
                .map(|t| Unit {
                    label: u.label.clone(),
                    start: t[0],
                    end: t[1],
                })
        })
        .collect()
}

/// Issue 37: agreement straight from the brat folders brat-iaa reads equals, figure for figure,
/// the agreement of a project they were imported into — with no project written.
#[test]
fn agreement_straight_from_annotator_folders_equals_the_projects() {
    let (_dir, mut ws) = bratiaa_project();
    assert!(ws.save().errors.is_empty());
    let agree = |args: &[&str]| crate::support::tagdesk_ok(&[&["agree"], args].concat());
    let example = testdata().join("bratiaa_4annotators/example-project");
    let from_folders = agree(&[
        example.to_str().unwrap(),
        "--format",
        "brat",
        "--annotator-folders",
        "--csv",
    ]);
    let from_project = agree(&[ws.project().root.to_str().unwrap(), "--csv"]);
    assert_eq!(from_folders, from_project);
    assert!(from_folders.lines().count() > 5, "{from_folders}");
    // Any importable format: the project exported as tagdesk JSONL gives the same figures.
    let project = ws.project().root.to_str().unwrap();
    let export = |format: &str, to: &std::path::Path| {
        crate::support::tagdesk_ok(&[
            "export",
            project,
            "--format",
            format,
            "-o",
            to.to_str().unwrap(),
        ])
    };
    let jsonl = ws.project().root.parent().unwrap().join("all.jsonl");
    export("jsonl", &jsonl);
    let from_jsonl = agree(&[jsonl.to_str().unwrap(), "--format", "jsonl", "--csv"]);
    assert_eq!(from_jsonl, from_project);
    // WebAnno TSV folders, one per annotator as tagdesk's export writes them, read a document
    // at a time: the same figures — but for the character measure, since TSV rebuilds each
    // text from its sentences and tokens (the continuum's lengths differ). UIMA XMI keeps the
    // text: see the non-ASCII test below.
    let but_characters = |csv: &str| -> Vec<String> {
        csv.lines()
            .filter(|l| !l.starts_with("alpha_unitizing"))
            .map(str::to_owned)
            .collect()
    };
    let format = "webanno-tsv";
    let folders = ws.project().root.parent().unwrap().join(format);
    export(format, &folders);
    assert!(
        folders.join("Lisa").is_dir(),
        "{format}: a folder per annotator"
    );
    let streamed = agree(&[
        folders.to_str().unwrap(),
        "--format",
        format,
        "--annotator-folders",
        "--csv",
    ]);
    assert_eq!(but_characters(&streamed), but_characters(&from_project));
}

/// The same on a corpus whose offsets are not bytes: the sample (one text in Georgian script,
/// curly quotes and dashes elsewhere), exported as brat folders per annotator and read back for
/// agreement straight from them, gives the sample project's figures to the last digit.
#[test]
fn agreement_from_folders_equals_the_projects_on_a_non_ascii_corpus() {
    let (dir, root) = crate::support::sample_copy();
    let folders = dir.path().join("brat");
    let run = crate::support::tagdesk_ok;
    let (root_s, folders_s) = (root.to_str().unwrap(), folders.to_str().unwrap());
    run(&["export", root_s, "--format", "brat", "-o", folders_s]);
    assert!(folders.join("maria").is_dir() && folders.join("sam").is_dir());
    let georgian = std::fs::read_dir(folders.join("maria"))
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .any(|t| t.chars().any(|c| ('\u{10A0}'..='\u{10FF}').contains(&c)));
    assert!(georgian, "a text in Georgian script is among them");
    let from_project = run(&["agree", root_s, "--csv"]);
    let from_folders = run(&[
        "agree",
        folders_s,
        "--format",
        "brat",
        "--annotator-folders",
        "--csv",
    ]);
    assert!(from_project.lines().count() > 3, "{from_project}");
    assert_eq!(from_folders, from_project);
    // UIMA XMI keeps the text as it is: one folder per annotator, read a document at a time,
    // gives every figure, the character measure too.
    let xmi = dir.path().join("xmi");
    run(&[
        "export",
        root_s,
        "--format",
        "uima-xmi",
        "-o",
        xmi.to_str().unwrap(),
    ]);
    let from_xmi = run(&[
        "agree",
        xmi.to_str().unwrap(),
        "--format",
        "uima-xmi",
        "--annotator-folders",
        "--csv",
    ]);
    assert_eq!(from_xmi, from_project);
}

/// Read a document at a time, two annotators' files of one document with different texts are
/// an error naming both files — never figures computed on two texts — and nothing is written
/// to standard output.
#[test]
fn folders_whose_copies_of_a_document_differ_in_text_are_an_error_naming_both() {
    let (dir, root) = crate::support::sample_copy();
    let xmi = dir.path().join("xmi");
    crate::support::tagdesk_ok(&[
        "export",
        root.to_str().unwrap(),
        "--format",
        "uima-xmi",
        "-o",
        xmi.to_str().unwrap(),
    ]);
    let mut files: Vec<_> = std::fs::read_dir(xmi.join("sam"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "xmi"))
        .collect();
    files.sort();
    let changed = &files[0];
    let xml = std::fs::read_to_string(changed).unwrap();
    let at = xml.find("sofaString=\"").unwrap() + "sofaString=\"".len();
    let mut edited = xml.clone();
    edited.insert(at, 'X');
    std::fs::write(changed, edited).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args(["agree", xmi.to_str().unwrap(), "--format", "uima-xmi"])
        .arg("--annotator-folders")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no figures after a failure");
    let err = String::from_utf8_lossy(&out.stderr);
    let name = changed.file_name().unwrap().to_string_lossy();
    assert!(err.contains("its text differs from"), "{err}");
    assert!(
        err.contains(&format!("sam/{name}")) && err.contains(&format!("maria/{name}")),
        "{err}"
    );
}

/// Agreement straight from folders writes no project, so any folder name is an annotator, as
/// for brat-iaa — even one a project would refuse (a leading `_` is reserved there).
#[test]
fn agreement_from_folders_takes_any_folder_name() {
    let dir = tempfile::tempdir().unwrap();
    let example = testdata().join("bratiaa_4annotators/example-project");
    crate::support::copy_tree(&example, dir.path());
    std::fs::rename(dir.path().join("Peter"), dir.path().join("_Peter")).unwrap();
    let csv = crate::support::tagdesk_ok(&[
        "agree",
        dir.path().to_str().unwrap(),
        "--format",
        "brat",
        "--annotator-folders",
        "--csv",
    ]);
    assert!(csv.contains(",Max,_Peter,"), "{csv}");
}

/// A span past its text's end (a text shortened since) is cut at the end for αU: it never
/// spills into the next document on the continuum.
#[test]
fn a_span_past_its_texts_end_stays_in_its_document_for_unitizing() {
    let doc = |path: &str, text: &str, units: Vec<Vec<Unit>>| StudyDocument {
        path: path.to_owned(),
        text: Some(std::sync::Arc::new(tagdesk::core::SourceText::new(
            text.to_owned(),
        ))),
        units,
    };
    let unit = |start, end| Unit {
        label: "A".into(),
        start,
        end,
    };
    let study = |past: usize| Study {
        annotators: vec!["x".into(), "y".into()],
        documents: vec![
            doc(
                "a.txt",
                "aaaa bbbb",
                vec![vec![unit(5, past)], vec![unit(5, 9)]],
            ),
            doc("b.txt", "cccc dddd", vec![vec![unit(0, 4)], vec![]]),
        ],
        warnings: Vec::new(),
    };
    let cut = unitizing_agreement(&study(9));
    let past = unitizing_agreement(&study(14));
    assert_eq!(past.length, 18);
    let (p, c) = (past.per_label["A"], cut.per_label["A"]);
    assert_close(p.observed, c.observed, 1e-15, "D_o");
    assert_close(p.expected, c.expected, 1e-15, "D_e");
    assert!(c.observed > 0.0, "the raters differ on b.txt");
}
