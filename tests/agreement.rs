//! Agreement measures against published figures: bratiaa's report on its 4-annotator example,
//! and the Artstein & Poesio table (as NLTK's metrics example gives it).

use std::path::{Path, PathBuf};

use tagdesk::core::Workspace;
use tagdesk::core::agreement::{
    Matching, cohen_kappa, fleiss_kappa, krippendorff_alpha_nominal, scott_pi, span_agreement,
};
use tagdesk::formats::Format;
use tagdesk::formats::import::{ImportOptions, apply, read_and_plan};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata")
}

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
    let agreement = span_agreement(&ws.project, &annotators, None, Matching::Exact);
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
    let overlap = span_agreement(&ws.project, &annotators, None, Matching::Overlap);
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
