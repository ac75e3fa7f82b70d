//! Discourse networks against hand-computed examples: three actors, two concepts, stances on
//! the levels −1 (oppose), 0 (neutral), +1 (support).
//!
//! A: c1 +1 twice (one document), c2 −1 · B: c1 +1, c2 +1 · C: c1 −1, c2 0 (another document).
//! x(A,c1,+1)=2, x(A,c2,−1)=1, x(B,c1,+1)=1, x(B,c2,+1)=1, x(C,c1,−1)=1, x(C,c2,0)=1;
//! activity A 3, B 2, C 2; the levels' range is 2.

use tagdesk::core::network::statements::Extracted;
use tagdesk::core::network::{
    Aggregation, Date, Duplicates, Levels, Network, Normalization, Statement, TwoModeAggregation,
    TwoModeNormalization, deduplicate, one_mode, two_mode, write,
};

pub fn statement(actor: &str, concept: &str, level: i64, document: &str) -> Statement {
    Statement {
        actor: actor.into(),
        concept: concept.into(),
        level,
        document: document.into(),
        date: None,
        claim: None,
    }
}

pub fn example() -> Vec<Statement> {
    vec![
        statement("A", "c1", 1, "d1"),
        statement("A", "c1", 1, "d1"),
        statement("A", "c2", -1, "d1"),
        statement("B", "c1", 1, "d1"),
        statement("B", "c2", 1, "d1"),
        statement("C", "c1", -1, "d2"),
        statement("C", "c2", 0, "d2"),
    ]
}

/// The actor network of `statements` (no entities, no observed conflicts).
pub fn actors(statements: &[Statement], aggregation: Aggregation) -> Network {
    Network::actors(
        &Extracted::default(),
        statements,
        &[],
        &levels(),
        aggregation,
        Normalization::None,
    )
}

pub fn levels() -> Levels {
    Levels::new([-1, 0, 1])
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[track_caller]
fn tie(m: &tagdesk::core::network::Matrix, a: &str, b: &str, expected: f64) {
    let got = m.get(a, b).expect("both nodes");
    assert!(close(got, expected), "{a}–{b}: {got}, expected {expected}");
    // One-mode networks are symmetric.
    if m.rows == m.columns {
        assert!(close(m.get(b, a).unwrap(), expected), "{b}–{a} differs");
    }
}

#[test]
fn one_mode_aggregations_match_the_hand_computed_ties() {
    let s = example();
    let congruence = one_mode(&s, &levels(), Aggregation::Congruence, Normalization::None);
    // A–B on c1: 2·1·(1 − 0) = 2; on c2: 1·1·(1 − 2/2) = 0.
    tie(&congruence, "A", "B", 2.0);
    // A–C: c1 2·1·(1 − 1) = 0; c2 1·1·(1 − 1/2) = 0.5.
    tie(&congruence, "A", "C", 0.5);
    tie(&congruence, "B", "C", 0.5);
    let conflict = one_mode(&s, &levels(), Aggregation::Conflict, Normalization::None);
    tie(&conflict, "A", "B", 1.0);
    tie(&conflict, "A", "C", 2.5);
    tie(&conflict, "B", "C", 1.5);
    let subtract = one_mode(&s, &levels(), Aggregation::Subtract, Normalization::None);
    tie(&subtract, "A", "B", 1.0);
    tie(&subtract, "A", "C", -2.0);
    tie(&subtract, "B", "C", -1.0);
    let ignore = one_mode(&s, &levels(), Aggregation::Ignore, Normalization::None);
    tie(&ignore, "A", "B", 3.0);
    tie(&ignore, "A", "C", 3.0);
    tie(&ignore, "B", "C", 2.0);
    // No self-ties.
    tie(&ignore, "A", "A", 0.0);
}

#[test]
fn one_mode_normalisations_match_the_hand_computed_ties() {
    let s = example();
    let with = |n| one_mode(&s, &levels(), Aggregation::Congruence, n);
    // Congruence A–B is 2.
    tie(&with(Normalization::Average), "A", "B", 2.0 / 2.5);
    // Jaccard cells for A, B: (c1,+1) both: m11 = 2·1; (c2,−1) only A: m10 = 1; (c2,+1) only
    // B: m01 = 1.
    tie(&with(Normalization::Jaccard), "A", "B", 2.0 / 4.0);
    // Concept vectors u_A = (2, 1), u_B = (1, 1).
    tie(&with(Normalization::Cosine), "A", "B", 2.0 / 10f64.sqrt());
    // DNA's "cosine": the product of the activities, 3 · 2.
    tie(&with(Normalization::DnaCosine), "A", "B", 2.0 / 6.0);
    // With stances ignored, the real cosine is the cosine similarity of the concept vectors.
    let ignore = one_mode(&s, &levels(), Aggregation::Ignore, Normalization::Cosine);
    tie(&ignore, "A", "B", 3.0 / (5f64.sqrt() * 2f64.sqrt()));
}

#[test]
fn the_range_is_the_schema_s_not_the_observed_one() {
    // Only support and neutral were observed; the schema also has oppose: range 2, so a
    // support–neutral pair is half agreement (DNA would take the observed range 1: none).
    let s = vec![statement("A", "c", 1, "d"), statement("B", "c", 0, "d")];
    let m = one_mode(&s, &levels(), Aggregation::Congruence, Normalization::None);
    tie(&m, "A", "B", 0.5);
    let m = one_mode(
        &s,
        &Levels::new([0, 1]),
        Aggregation::Congruence,
        Normalization::None,
    );
    tie(&m, "A", "B", 0.0);
}

#[test]
fn duplicates_count_once_per_document_week_month_or_year_with_the_year_in_the_key() {
    let s = example();
    let per_document = deduplicate(&s, Duplicates::PerDocument);
    assert_eq!(per_document.len(), 6, "A's second c1 +1 in d1 goes");
    let m = one_mode(
        &per_document,
        &levels(),
        Aggregation::Congruence,
        Normalization::None,
    );
    tie(&m, "A", "B", 1.0);
    let dated = |d: Date, doc: &str| Statement {
        date: Some(d),
        ..statement("A", "c", 1, doc)
    };
    // The same month number in two years: both count (DNA compared only the month).
    let months = [
        dated(Date::new(2020, 3, 5), "x"),
        dated(Date::new(2021, 3, 7), "y"),
        dated(Date::new(2020, 3, 20), "z"),
    ];
    assert_eq!(deduplicate(&months, Duplicates::PerMonth).len(), 2);
    assert_eq!(deduplicate(&months, Duplicates::PerYear).len(), 2);
    assert_eq!(deduplicate(&months, Duplicates::Once).len(), 1);
    assert_eq!(deduplicate(&months, Duplicates::All).len(), 3);
    // ISO week 10 of 2020 and of 2021: both count.
    let weeks = [
        dated(Date::new(2020, 3, 2), "x"),
        dated(Date::new(2021, 3, 8), "y"),
        dated(Date::new(2021, 3, 9), "z"),
    ];
    assert_eq!(deduplicate(&weeks, Duplicates::PerWeek).len(), 2);
}

#[test]
fn two_mode_aggregations_and_normalisations_match_the_hand_computed_ties() {
    let mut s = example();
    s.push(statement("D", "c1", 1, "d3"));
    s.push(statement("D", "c1", -1, "d3"));
    let ignore = two_mode(
        &s,
        &levels(),
        TwoModeAggregation::Ignore,
        TwoModeNormalization::None,
    );
    tie(&ignore, "A", "c1", 2.0);
    tie(&ignore, "A", "c2", 1.0);
    let subtract = two_mode(
        &s,
        &levels(),
        TwoModeAggregation::Subtract,
        TwoModeNormalization::None,
    );
    tie(&subtract, "A", "c1", 2.0);
    tie(&subtract, "A", "c2", -1.0);
    tie(&subtract, "C", "c2", 0.0);
    tie(&subtract, "D", "c1", 0.0);
    // DNA's combine: a bit per level, lowest first — oppose 4, neutral 2, support 1.
    let combine = two_mode(
        &s,
        &levels(),
        TwoModeAggregation::Combine,
        TwoModeNormalization::None,
    );
    tie(&combine, "A", "c1", 1.0);
    tie(&combine, "A", "c2", 4.0);
    tie(&combine, "D", "c1", 5.0);
    tie(&combine, "C", "c2", 2.0);
    tie(&combine, "D", "c2", 0.0);
    // Activity: A made 3 statements.
    let activity = two_mode(
        &s,
        &levels(),
        TwoModeAggregation::Ignore,
        TwoModeNormalization::Activity,
    );
    tie(&activity, "A", "c1", 2.0 / 3.0);
    // Prominence: c1 got 2 + 1 + 1 + 2 = 6 statements.
    let prominence = two_mode(
        &s,
        &levels(),
        TwoModeAggregation::Ignore,
        TwoModeNormalization::Prominence,
    );
    tie(&prominence, "A", "c1", 2.0 / 6.0);
}

/// Issue 36's discrepancies 1 and 2, against DNA's own code (`Exporter.java`: `lexRank` over the
/// levels for `combine`; a boolean's 0 subtracted in `subtract`).
#[test]
fn combine_and_a_boolean_subtract_code_as_dna_does() {
    // S2 = [(A,c1,+1),(B,c1,0),(C,c1,−1)]: DNA gives A = 1, B = 2, C = 4.
    let s2 = [
        statement("A", "c1", 1, "d"),
        statement("B", "c1", 0, "d"),
        statement("C", "c1", -1, "d"),
    ];
    let combine = two_mode(
        &s2,
        &levels(),
        TwoModeAggregation::Combine,
        TwoModeNormalization::None,
    );
    tie(&combine, "A", "c1", 1.0);
    tie(&combine, "B", "c1", 2.0);
    tie(&combine, "C", "c1", 4.0);
    // DNA's boolean coding, support = 1 / oppose = 0: 0 is the disagreement (−1), not neutral.
    let boolean = Levels::new([0, 1]);
    let s = [
        statement("A", "c2", 1, "d"),
        statement("B", "c2", 0, "d"),
        statement("B", "c3", 0, "d"),
        statement("B", "c3", 1, "d"),
    ];
    let subtract = two_mode(
        &s,
        &boolean,
        TwoModeAggregation::Subtract,
        TwoModeNormalization::None,
    );
    tie(&subtract, "A", "c2", 1.0);
    tie(&subtract, "B", "c2", -1.0);
    tie(&subtract, "B", "c3", 0.0);
    let combine = two_mode(
        &s,
        &boolean,
        TwoModeAggregation::Combine,
        TwoModeNormalization::None,
    );
    tie(&combine, "A", "c2", 1.0);
    tie(&combine, "B", "c2", 2.0);
    tie(&combine, "B", "c3", 3.0);
    // A two-mode ignore matrix never prints −0.
    let csv = write::csv_matrix(&two_mode(
        &s,
        &boolean,
        TwoModeAggregation::Subtract,
        TwoModeNormalization::None,
    ));
    assert!(!csv.contains("-0"), "{csv}");
}

#[test]
fn graphml_reads_back_with_a_real_parser_and_the_same_weights() {
    let m = one_mode(
        &example(),
        &levels(),
        Aggregation::Subtract,
        Normalization::None,
    );
    let network = actors(&example(), Aggregation::Subtract);
    let xml = write::graphml(&network);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed GraphML");
    let ns = "http://graphml.graphdrawing.org/xmlns";
    let nodes: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ns, "node")))
        .collect();
    assert_eq!(nodes.len(), 3);
    let name_of = |id: &str| {
        nodes
            .iter()
            .find(|n| n.attribute("id") == Some(id))
            .and_then(|n| n.children().find(|d| d.attribute("key") == Some("name")))
            .and_then(|d| d.text())
            .unwrap()
            .to_owned()
    };
    let mut edges = Vec::new();
    for e in doc.descendants().filter(|n| n.has_tag_name((ns, "edge"))) {
        let data = |key: &str| {
            e.children()
                .find(|d| d.attribute("key") == Some(key))
                .and_then(|d| d.text())
                .unwrap()
                .to_owned()
        };
        let weight: f64 = data("weight").parse().unwrap();
        let sign: i32 = data("sign").parse().unwrap();
        let (a, b) = (
            name_of(e.attribute("source").unwrap()),
            name_of(e.attribute("target").unwrap()),
        );
        assert!(close(weight, m.get(&a, &b).unwrap()), "{a}–{b}");
        assert_eq!(sign, if weight > 0.0 { 1 } else { -1 });
        edges.push((a, b));
    }
    edges.sort();
    assert_eq!(
        edges,
        [("A", "B"), ("A", "C"), ("B", "C")].map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    // Names are escaped.
    let odd = vec![
        statement("Ben & \"Jerry\" <co>", "c", 1, "d"),
        statement("X", "c", 1, "d"),
    ];
    let doc_xml = write::graphml(&actors(&odd, Aggregation::Ignore));
    let doc = roxmltree::Document::parse(&doc_xml).unwrap();
    assert!(
        doc.descendants()
            .any(|n| n.text() == Some("Ben & \"Jerry\" <co>"))
    );
}

#[test]
fn the_csv_matrix_has_every_row_and_column() {
    let m = two_mode(
        &example(),
        &levels(),
        TwoModeAggregation::Ignore,
        TwoModeNormalization::None,
    );
    let csv = write::csv_matrix(&m);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, ["", "c1", "c2"]);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows[0], ["A", "2", "1"]);
    assert_eq!(rows.len(), 3);
}

/// A project where Kerry and Lavrov back the ceasefire and Assad opposes it, coded with
/// entities: claims linked to the concept, `said_by` their actors.
pub fn coded_project() -> (tempfile::TempDir, std::path::PathBuf) {
    use tagdesk::core::entities::EntityKind;
    use tagdesk::core::schema::AttributeValue;
    use tagdesk::core::{LayerKey, Workspace};
    let text = "Kerry said the ceasefire holds. Lavrov said the ceasefire holds. Assad said the ceasefire is a lie.";
    let (dir, root) = crate::support::project_with(&[("a.txt", text.as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new("a.txt", "ana");
    let at = |needle: &str| {
        let (byte, _) = text.match_indices(needle).next().unwrap();
        let start = text[..byte].chars().count();
        start..start + needle.chars().count()
    };
    let mut concept: Option<String> = None;
    for (actor, claim, stance) in [
        ("Kerry", "the ceasefire holds", "support"),
        ("Lavrov", "the ceasefire holds.", "support"),
        ("Assad", "the ceasefire is a lie", "oppose"),
    ] {
        let actor_span = ws.add_span("a.txt", "ana", at(actor), "actor").unwrap();
        // The second claim is found after the first one (same words).
        let range = if stance == "support" && actor == "Lavrov" {
            let (byte, _) = text.match_indices("the ceasefire holds").nth(1).unwrap();
            let start = text[..byte].chars().count();
            start..start + "the ceasefire holds".chars().count()
        } else {
            at(claim)
        };
        let claim_span = ws.add_span("a.txt", "ana", range, "claim").unwrap();
        ws.set_attribute(
            &key,
            &claim_span,
            "stance",
            Some(AttributeValue::Text(stance.into())),
        )
        .unwrap();
        ws.add_relation(&key, "said_by", &claim_span, &actor_span)
            .unwrap();
        ws.link_new_entity(&key, &actor_span, EntityKind::Actor, actor)
            .unwrap();
        match &concept {
            None => {
                concept = Some(
                    ws.link_new_entity(&key, &claim_span, EntityKind::Concept, "ceasefire")
                        .unwrap(),
                );
            }
            Some(id) => ws.link_entity(&key, &claim_span, Some(id)).unwrap(),
        }
    }
    assert!(ws.save().errors.is_empty());
    (dir, root)
}

#[test]
fn tagdesk_network_reads_the_coding_and_writes_the_networks_gephi_opens() {
    let (_dir, root) = coded_project();
    let out = root.parent().unwrap().join("congruence.graphml");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .arg("network")
            .arg(&root)
            .args(args)
            .output()
            .unwrap()
    };
    let done = run(&[
        "--annotator",
        "ana",
        "--aggregation",
        "congruence",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let xml = std::fs::read_to_string(&out).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let ns = "http://graphml.graphdrawing.org/xmlns";
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ns, "data")) && n.attribute("key") == Some("name"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(names, ["Assad", "Kerry", "Lavrov"]);
    // Only the two who agree are tied, with weight 1 (support–support on one concept).
    let edges: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ns, "edge")))
        .collect();
    assert_eq!(edges.len(), 1, "{xml}");
    assert_eq!(edges[0].attribute("source"), Some("n1"));
    assert_eq!(edges[0].attribute("target"), Some("n2"));
    // Conflict ties Assad to both; as CSV on standard output.
    let csv = run(&[
        "--annotator",
        "ana",
        "--aggregation",
        "conflict",
        "--format",
        "csv",
    ]);
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert_eq!(csv.lines().nth(1), Some("Assad,0,1,1"), "{csv}");
    // Two-mode: who backs what, signed.
    let two = run(&[
        "--annotator",
        "ana",
        "--mode",
        "twomode",
        "--aggregation",
        "subtract",
        "--format",
        "csv",
    ]);
    let two = String::from_utf8(two.stdout).unwrap();
    assert_eq!(
        two.lines().collect::<Vec<_>>(),
        [",ceasefire", "Assad,-1", "Kerry,1", "Lavrov,1"]
    );
    // A wrong combination is refused with a reason.
    let bad = run(&["--annotator", "ana", "--aggregation", "combine"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("twomode"));
}

#[test]
fn document_dates_come_from_the_metadata_table_and_date_the_statements() {
    let (_dir, root) = coded_project();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .arg("metadata")
            .arg(&root)
            .args(args)
            .output()
            .unwrap()
    };
    let table = root.join("meta.csv");
    std::fs::write(&table, "document,date,source\na.txt,2016-09-09,NPR\n").unwrap();
    let done = run(&["--import", table.to_str().unwrap()]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let project = tagdesk::core::Project::open(&root).unwrap();
    assert_eq!(project.metadata.get("a.txt").unwrap().source, "NPR");
    let coding = tagdesk::core::network::statements::Coding::standard(&project, "ana");
    let extracted = tagdesk::core::network::statements::statements(&project, &coding);
    assert_eq!(extracted.statements.len(), 3);
    assert!(
        extracted
            .statements
            .iter()
            .all(|s| s.date == Some(Date::new(2016, 9, 9)))
    );
    // A bad row is refused with its file and line; nothing changes.
    std::fs::write(&table, "document,date\na.txt,2016-02-30\n").unwrap();
    let bad = run(&["--import", table.to_str().unwrap()]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("meta.csv") && err.contains("line 2"), "{err}");
    let project = tagdesk::core::Project::open(&root).unwrap();
    assert_eq!(project.metadata.get("a.txt").unwrap().date, "2016-09-09");
    // Export gives the table back.
    let out = root.join("out.csv");
    assert!(run(&["--export", out.to_str().unwrap()]).status.success());
    let csv = std::fs::read_to_string(out).unwrap();
    assert_eq!(
        csv,
        "document,date,source,title,section\na.txt,2016-09-09,NPR,,\n"
    );
}

#[test]
fn the_sample_project_draws_who_agrees_and_who_disagrees() {
    // The sample links its speakers and claims (examples/annotate_sample.rs): Kerry and Lavrov
    // take opposite sides on Russia's course; Kelemen and Phillips both doubt US leverage.
    let (_dir, root) = crate::support::sample_copy();
    let network = |aggregation: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .arg("network")
            .arg(&root)
            .args(["--annotator", "maria", "--format", "csv"])
            .args(["--aggregation", aggregation])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let csv = String::from_utf8(out.stdout).unwrap();
        let rows: Vec<Vec<String>> = csv
            .lines()
            .map(|l| {
                l.split(',')
                    .map(|c| c.trim_matches('"').to_owned())
                    .collect()
            })
            .collect();
        move |a: &str, b: &str| -> f64 {
            let column = rows[0].iter().position(|c| c == b).expect(b);
            let row = rows.iter().find(|r| r[0] == a).expect(a);
            row[column].parse().unwrap()
        }
    };
    let conflict = network("conflict");
    assert!(close(conflict("John Kerry", "Sergei Lavrov"), 1.0));
    assert!(close(
        conflict("Christopher Phillips", "Michele Kelemen"),
        0.0
    ));
    let congruence = network("congruence");
    assert!(close(
        congruence("Christopher Phillips", "Michele Kelemen"),
        1.0
    ));
    assert!(close(congruence("John Kerry", "Sergei Lavrov"), 0.0));
}

#[test]
fn with_no_layer_chosen_the_network_is_drawn_from_the_layer_with_claims_and_says_which() {
    use tagdesk::core::Workspace;
    let (_dir, root) = crate::support::sample_copy();
    let ws = Workspace::open(&root).unwrap();
    let (layer, which) = tagdesk::core::network::default_layer(ws.project(), "claim");
    assert_ne!(layer, "_curated", "the sample has no curated layer");
    assert!(which.contains("there is no curated layer yet"), "{which}");
    // One curation decision (a rejection: no claim) makes a curated layer that is no network.
    let mut ws = ws;
    let key = tagdesk::core::LayerKey::new(
        ws.project().documents[0].path.clone(),
        tagdesk::core::project::CURATED,
    );
    ws.set_status(&key, tagdesk::core::DocStatus::InProgress)
        .unwrap();
    assert!(ws.save().errors.is_empty());
    let (again, which) = tagdesk::core::network::default_layer(ws.project(), "claim");
    assert_eq!(again, layer);
    assert!(
        which.contains("the curated layer has no claims yet"),
        "{which}"
    );
    // The CLI: the first thing a new user tries works, and says what it drew.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .arg("network")
        .arg(&root)
        .args(["--format", "edges"])
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{message}");
    assert!(
        message.contains(&format!("Network of {layer}'s layer")),
        "{message}"
    );
    assert!(!out.stdout.is_empty());
}

#[test]
fn a_network_is_never_written_into_the_project() {
    let (_dir, root) = coded_project();
    let inside = root.join("net.graphml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .arg("network")
        .arg(&root)
        .args(["--annotator", "ana", "-o"])
        .arg(&inside)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("inside the project folder"), "{message}");
    assert!(!inside.exists());
}

/// Issue 36's discrepancies 3, 5 and 6: `ignore` writes the parts; agreement and disagreement
/// that net to zero are still a tie; options that would silently do nothing are refused, and
/// `--mode twomode` alone works (two-mode's own default aggregation).
#[test]
fn ties_keep_their_parts_and_silent_no_ops_are_refused() {
    // A and B agree on c1 and disagree on c2: subtract nets to 0, both parts are 1.
    let s = [
        statement("A", "c1", 1, "d"),
        statement("B", "c1", 1, "d"),
        statement("A", "c2", 1, "d"),
        statement("B", "c2", -1, "d"),
    ];
    let net = actors(&s, Aggregation::Subtract);
    assert_eq!(net.edges.len(), 1, "the tie that nets to zero is kept");
    let e = &net.edges[0];
    assert_eq!((e.weight, e.congruence, e.conflict), (0.0, 1.0, 1.0));
    let ignore = actors(&s, Aggregation::Ignore);
    let e = &ignore.edges[0];
    assert_eq!(
        (e.congruence, e.conflict),
        (1.0, 1.0),
        "ignore writes its parts"
    );
    let (_dir, root) = coded_project();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .arg("network")
            .arg(&root)
            .args(["--annotator", "ana"])
            .args(args)
            .output()
            .unwrap()
    };
    let twomode = run(&["--mode", "twomode", "--format", "csv"]);
    assert!(
        twomode.status.success(),
        "{}",
        String::from_utf8_lossy(&twomode.stderr)
    );
    for (args, said) in [
        (
            &["--from", "2020-02-01", "--to", "2020-01-01"][..],
            "is after --to",
        ),
        (
            &["--attribute", "colour=red"][..],
            "no entity has an attribute colour",
        ),
        (
            &["--mode", "events", "--format", "dl"][..],
            "--mode events writes the events table as CSV",
        ),
        (
            &["--actor-relation", "nope"][..],
            "no relation type \"nope\"",
        ),
    ] {
        let out = run(args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(said),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The worked example in docs/FORMATS.md ("How a statement is coded"): the same statement as
/// brat and as JSONL imports into a project and is one statement of the network.
#[test]
fn the_documented_statement_imports_from_brat_and_jsonl_and_draws_its_tie() {
    let text = "Assad said the ceasefire is a lie.";
    let entities = r#"{"format": "tagdesk-entities", "version": 1, "entities": [
        {"id": "e00000000000000a1", "kind": "actor", "name": "Assad"},
        {"id": "e00000000000000c1", "kind": "concept", "name": "The ceasefire holds"}]}"#;
    let brat = "T1\tactor 0 5\tAssad\nA1\tentity T1 e00000000000000a1\nT2\tclaim 11 33\tthe ceasefire is a lie\nA2\tentity T2 e00000000000000c1\nA3\tstance T2 oppose\nR1\tsaid_by Arg1:T2 Arg2:T1\n";
    let jsonl = r#"{"id": "a.txt", "annotator": "ana", "text": "Assad said the ceasefire is a lie.", "spans": [{"id": "T1", "start": 0, "end": 5, "label": "actor", "text": "Assad", "attributes": {"entity": "e00000000000000a1"}}, {"id": "T2", "start": 11, "end": 33, "label": "claim", "text": "the ceasefire is a lie", "attributes": {"entity": "e00000000000000c1", "stance": "oppose"}}], "relations": [{"id": "R1", "type": "said_by", "from": "T2", "to": "T1"}]}"#;
    for (format, files) in [
        ("brat", vec![("in/a.txt", text), ("in/a.ann", brat)]),
        ("jsonl", vec![("in.jsonl", jsonl)]),
    ] {
        let (dir, root) = crate::support::project_with(&[("a.txt", text.as_bytes())]);
        std::fs::write(root.join("entities.json"), entities).unwrap();
        for (name, content) in &files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        let input = dir
            .path()
            .join(if format == "brat" { "in" } else { "in.jsonl" });
        let mut args = vec!["import", root.to_str().unwrap(), "--format", format];
        if format == "brat" {
            args.extend(["--annotator", "ana"]);
        }
        args.push(input.to_str().unwrap());
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let net = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .args([
                "network",
                root.to_str().unwrap(),
                "--annotator",
                "ana",
                "--mode",
                "twomode",
                "--aggregation",
                "subtract",
                "--format",
                "csv",
            ])
            .output()
            .unwrap();
        let csv = String::from_utf8_lossy(&net.stdout);
        assert!(
            net.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&net.stderr)
        );
        assert!(
            csv.contains("The ceasefire holds") && csv.contains("Assad,-1"),
            "{format}: {csv}"
        );
    }
}

/// Issue 36, 4: two actors who share a name (two people called Smith) stay two nodes, each
/// named with its id.
#[test]
fn two_entities_of_one_name_are_two_nodes() {
    use tagdesk::core::entities::EntityKind;
    use tagdesk::core::schema::AttributeValue;
    use tagdesk::core::{LayerKey, Workspace};
    let text = "Smith said the ceasefire holds. Smith said the ceasefire holds.";
    let (_dir, root) = crate::support::project_with(&[("a.txt", text.as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new("a.txt", "ana");
    let mut concept: Option<String> = None;
    for start in [0, 32] {
        let actor = ws
            .add_span("a.txt", "ana", start..start + 5, "actor")
            .unwrap();
        ws.link_new_entity(&key, &actor, EntityKind::Actor, "Smith")
            .unwrap();
        let claim = ws
            .add_span("a.txt", "ana", start + 11..start + 30, "claim")
            .unwrap();
        match &concept {
            None => {
                concept = Some(
                    ws.link_new_entity(&key, &claim, EntityKind::Concept, "The ceasefire holds")
                        .unwrap(),
                );
            }
            Some(id) => ws.link_entity(&key, &claim, Some(id)).unwrap(),
        }
        ws.set_attribute(
            &key,
            &claim,
            "stance",
            Some(AttributeValue::Text("support".into())),
        )
        .unwrap();
        ws.add_relation(&key, "said_by", &claim, &actor).unwrap();
    }
    assert!(ws.save().errors.is_empty());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args([
            "network",
            root.to_str().unwrap(),
            "--annotator",
            "ana",
            "--format",
            "nodes",
        ])
        .output()
        .unwrap();
    let nodes = String::from_utf8_lossy(&out.stdout);
    assert_eq!(nodes.matches("Smith [e").count(), 2, "{nodes}");
}
