//! Discourse networks beyond the weights: observed conflicts, filters, time windows, groups,
//! every output format (read back with real parsers), the picture, and the entity registry as
//! CSV.

use std::path::Path;
use std::process::{Command, Output};

use tagdesk::core::entities::EntityKind;
use tagdesk::core::network::statements::{Coding, statements};
use tagdesk::core::network::{
    Aggregation, Date, Filter, Levels, Network, Normalization, groups, picture, windows,
};
use tagdesk::core::schema::AttributeValue;
use tagdesk::core::{LayerKey, Project, Workspace};

use crate::network::{actors, statement};

const B_TEXT: &str = "Months later Kerry said the ceasefire is a lie.";

/// `coded_project` (Kerry and Lavrov back the ceasefire, Assad opposes it; a.txt) plus: a
/// disagreement coded `between` Kerry and Assad that `disputes` Kerry's claim; actor types
/// (Assad a government, Kerry and Lavrov persons); b.txt, months later, where Kerry turns
/// against the ceasefire; dates for both.
fn dated_project() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = crate::network::coded_project();
    std::fs::write(root.join("b.txt"), B_TEXT).unwrap();
    std::fs::write(
        root.join("meta.csv"),
        "document,date\na.txt,2016-02-13\nb.txt,2016-09-09\n",
    )
    .unwrap();
    let imported = tagdesk_cmd(&root, "metadata", &["--import", "meta.csv"]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    let mut ws = Workspace::open(&root).unwrap();
    let a = LayerKey::new("a.txt", "ana");
    let layer = ws.layer("a.txt", "ana").unwrap();
    let find = |label: &str, text: &str| {
        layer
            .annotations()
            .iter()
            .find(|x| x.label == label && x.text == text)
            .map(|x| x.id.to_string())
            .unwrap()
    };
    let (kerry, assad) = (find("actor", "Kerry"), find("actor", "Assad"));
    let kerry_claim = layer
        .relations()
        .iter()
        .find(|r| r.kind == "said_by" && r.to == kerry.as_str())
        .map(|r| r.from.clone())
        .unwrap();
    let text = "Assad said the ceasefire is a lie";
    let start = crate::support::char_offset_of(
        "Kerry said the ceasefire holds. Lavrov said the ceasefire holds. Assad said the ceasefire is a lie.",
        text,
        0,
    );
    let disagreement = ws
        .add_span(
            "a.txt",
            "ana",
            start..start + text.chars().count(),
            "disagreement",
        )
        .unwrap();
    ws.add_relation(&a, "between", &disagreement, &kerry)
        .unwrap();
    ws.add_relation(&a, "between", &disagreement, &assad)
        .unwrap();
    ws.add_relation(&a, "disputes", &disagreement, &kerry_claim)
        .unwrap();
    let entity = |ws: &Workspace, name: &str| {
        ws.project()
            .entities
            .entities()
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.id.clone())
            .unwrap()
    };
    for (name, kind) in [
        ("Assad", "government"),
        ("Kerry", "person"),
        ("Lavrov", "person"),
    ] {
        let id = entity(&ws, name);
        ws.set_entity_attribute(&id, "type", Some(kind)).unwrap();
    }
    // b.txt: Kerry opposes the ceasefire.
    let b = LayerKey::new("b.txt", "ana");
    let at = |needle: &str| {
        let s = crate::support::char_offset_of(B_TEXT, needle, 0);
        s..s + needle.chars().count()
    };
    let actor = ws.add_span("b.txt", "ana", at("Kerry"), "actor").unwrap();
    let claim = ws
        .add_span("b.txt", "ana", at("the ceasefire is a lie"), "claim")
        .unwrap();
    ws.set_attribute(
        &b,
        &claim,
        "stance",
        Some(AttributeValue::Text("oppose".into())),
    )
    .unwrap();
    ws.add_relation(&b, "said_by", &claim, &actor).unwrap();
    let (kerry_id, ceasefire) = (entity(&ws, "Kerry"), entity(&ws, "ceasefire"));
    ws.link_entity(&b, &actor, Some(&kerry_id)).unwrap();
    ws.link_entity(&b, &claim, Some(&ceasefire)).unwrap();
    assert!(ws.save().errors.is_empty());
    (dir, root)
}

fn tagdesk_cmd(root: &Path, command: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .current_dir(root)
        .arg(command)
        .arg(root)
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn network_csv(root: &Path, args: &[&str]) -> Vec<Vec<String>> {
    let out = tagdesk_cmd(root, "network", &[&["--annotator", "ana"], args].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.stdout.as_slice())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn observed_conflicts_are_read_from_disagreements_between_actors() {
    let (_dir, root) = dated_project();
    let project = Project::open(&root).unwrap();
    let extracted = statements(&project, &Coding::standard(&project, "ana"));
    assert_eq!(extracted.statements.len(), 4);
    assert_eq!(extracted.conflicts.len(), 1);
    let c = &extracted.conflicts[0];
    assert_eq!((c.a.as_str(), c.b.as_str()), ("Assad", "Kerry"));
    assert_eq!(c.concept.as_deref(), Some("ceasefire"));
    assert_eq!(c.date, Some(Date::new(2016, 2, 13)));
    assert_eq!(
        c.span.as_ref().unwrap().text,
        "Assad said the ceasefire is a lie"
    );
    assert_eq!(extracted.entities["Assad"].attributes["type"], "government");
    // On the tie: Assad–Kerry is −1 by stances (a.txt) … and Kerry's opposition in b.txt
    // agrees with Assad: congruence 1, conflict 1 (a.txt), so the subtracted weight is 0 —
    // yet the observed conflict keeps the tie, with its parts.
    let network = Network::actors(
        &extracted,
        &extracted.statements,
        &extracted.conflicts,
        &Levels::new([-1, 0, 1]),
        Aggregation::Subtract,
        Normalization::None,
    );
    let names: Vec<&str> = network.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["Assad", "Kerry", "Lavrov"]);
    let edge = network
        .edges
        .iter()
        .find(|e| (e.source, e.target) == (0, 1))
        .unwrap();
    assert_eq!(edge.observed_conflicts, 1);
    assert!((edge.congruence - 1.0).abs() < 1e-9, "{edge:?}");
    assert!((edge.conflict - 1.0).abs() < 1e-9, "{edge:?}");
    assert!(edge.weight.abs() < 1e-9, "{edge:?}");
    assert_eq!(network.nodes[1].statements, 2, "Kerry spoke twice");
}

#[test]
fn filters_keep_a_date_range_and_actors_of_a_type() {
    let (_dir, root) = dated_project();
    // Only persons: Assad goes.
    let rows = network_csv(&root, &["--attribute", "type=person", "--format", "csv"]);
    assert_eq!(rows[0], ["", "Kerry", "Lavrov"]);
    // Kerry (+1 and −1 on the ceasefire) and Lavrov (+1): congruence 1.
    assert_eq!(rows[1], ["Kerry", "0", "1"]);
    // From March on, only b.txt: Kerry alone.
    let rows = network_csv(&root, &["--from", "2016-03-01", "--format", "csv"]);
    assert_eq!(rows, [vec!["", "Kerry"], vec!["Kerry", "0"]]);
    // Up to February: no b.txt.
    let events = network_csv(&root, &["--mode", "events", "--to", "2016-02-28"]);
    assert_eq!(events.len(), 1 + 3 + 1, "header, 3 statements, 1 conflict");
    // Bad filters are refused, naming the flag.
    let bad = tagdesk_cmd(
        &root,
        "network",
        &["--annotator", "ana", "--from", "2016-13-01"],
    );
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("--from 2016-13-01"),
        "{}",
        stderr(&bad)
    );
    let bad = tagdesk_cmd(
        &root,
        "network",
        &["--annotator", "ana", "--attribute", "type"],
    );
    assert!(stderr(&bad).contains("KEY=VALUE"), "{}", stderr(&bad));
}

#[test]
fn the_events_table_holds_every_statement_and_conflict_losslessly() {
    let (_dir, root) = dated_project();
    let rows = network_csv(&root, &["--mode", "events"]);
    assert_eq!(
        rows[0],
        [
            "kind",
            "date",
            "actor",
            "other",
            "concept",
            "stance",
            "level",
            "document",
            "start",
            "end",
            "text",
            "annotator",
            "span",
            "actor_id",
            "concept_id"
        ]
    );
    // Every statement names its entities by id too (two may share a name: issue 36, 4).
    assert!(
        rows[1..]
            .iter()
            .filter(|r| r[0] == "statement")
            .all(|r| r[13].starts_with('e') && r[14].starts_with('e')),
        "{rows:?}"
    );
    let kerry_b = rows
        .iter()
        .find(|r| r[0] == "statement" && r[7] == "b.txt")
        .unwrap();
    assert_eq!(
        &kerry_b[1..7],
        ["2016-09-09", "Kerry", "", "ceasefire", "oppose", "-1"]
    );
    let (start, end): (usize, usize) = (kerry_b[8].parse().unwrap(), kerry_b[9].parse().unwrap());
    let chars: Vec<char> = B_TEXT.chars().collect();
    assert_eq!(chars[start..end].iter().collect::<String>(), kerry_b[10]);
    assert_eq!(kerry_b[11], "ana");
    let conflict = rows.iter().find(|r| r[0] == "conflict").unwrap();
    assert_eq!(
        &conflict[1..5],
        ["2016-02-13", "Assad", "Kerry", "ceasefire"]
    );
}

#[test]
fn graphml_carries_node_attributes_and_the_parts_of_each_tie() {
    let (_dir, root) = dated_project();
    let out = root.parent().unwrap().join("n.graphml");
    let done = tagdesk_cmd(
        &root,
        "network",
        &[
            "--annotator",
            "ana",
            "--aggregation",
            "subtract",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(done.status.success(), "{}", stderr(&done));
    let xml = std::fs::read_to_string(&out).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let ns = "http://graphml.graphdrawing.org/xmlns";
    let key_id = |name: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name((ns, "key")) && n.attribute("attr.name") == Some(name))
            .and_then(|n| n.attribute("id"))
            .unwrap()
            .to_owned()
    };
    let data = |node: roxmltree::Node, key: &str| {
        node.children()
            .find(|d| d.attribute("key") == Some(key))
            .and_then(|d| d.text())
            .map(str::to_owned)
    };
    let type_key = key_id("type");
    let nodes: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ns, "node")))
        .collect();
    let assad = nodes
        .iter()
        .find(|n| data(**n, "name").as_deref() == Some("Assad"))
        .unwrap();
    assert_eq!(data(*assad, &type_key).as_deref(), Some("government"));
    assert_eq!(data(*assad, "kind").as_deref(), Some("actor"));
    assert_eq!(data(*assad, "statements").as_deref(), Some("1"));
    assert!(data(*assad, "group").is_some());
    let observed: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ns, "edge")))
        .filter_map(|e| data(e, &key_id("observed_conflicts")))
        .collect();
    assert!(observed.contains(&"1".to_owned()), "{xml}");
}

#[test]
fn node_and_edge_tables_dl_and_gexf_read_back() {
    let (_dir, root) = dated_project();
    let nodes = network_csv(&root, &["--format", "nodes"]);
    assert_eq!(
        &nodes[0][..5],
        ["Id", "Label", "kind", "statements", "group"]
    );
    assert!(nodes[0].contains(&"type".to_owned()));
    assert_eq!(nodes.len(), 4);
    let edges = network_csv(&root, &["--format", "edges", "--aggregation", "conflict"]);
    assert_eq!(&edges[0][..4], ["Source", "Target", "Type", "Weight"]);
    let ids: Vec<&str> = nodes[1..].iter().map(|r| r[0].as_str()).collect();
    for e in &edges[1..] {
        assert!(ids.contains(&e[0].as_str()) && ids.contains(&e[1].as_str()));
        assert_eq!(e[2], "Undirected");
    }
    // UCINET DL: header, labels, a full square matrix.
    let out = tagdesk_cmd(&root, "network", &["--annotator", "ana", "--format", "dl"]);
    let dl = stdout(&out);
    let lines: Vec<&str> = dl.lines().collect();
    assert_eq!(lines[0], "DL N=3");
    assert_eq!(&lines[3..6], ["\"Assad\"", "\"Kerry\"", "\"Lavrov\""]);
    assert_eq!(lines[6], "DATA:");
    assert_eq!(lines[7..].len(), 3);
    assert!(lines[7..].iter().all(|l| l.split(' ').count() == 3));
    // Two-mode DL has row and column labels.
    let out = tagdesk_cmd(
        &root,
        "network",
        &[
            "--annotator",
            "ana",
            "--format",
            "dl",
            "--mode",
            "twomode",
            "--aggregation",
            "ignore",
        ],
    );
    assert!(
        stdout(&out).starts_with("DL NR=3 NC=1\n"),
        "{}",
        stdout(&out)
    );
    // GEXF (static).
    let out = tagdesk_cmd(
        &root,
        "network",
        &["--annotator", "ana", "--format", "gexf"],
    );
    let xml = stdout(&out);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let ns = "http://www.gexf.net/1.2draft";
    let labels: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ns, "node")))
        .filter_map(|n| n.attribute("label"))
        .collect();
    assert_eq!(labels, ["Assad", "Kerry", "Lavrov"]);
    assert!(
        doc.descendants()
            .filter(|n| n.has_tag_name((ns, "edge")))
            .all(|e| e.attribute("weight").is_some())
    );
}

#[test]
fn time_windows_write_one_network_per_window_and_one_dynamic_gexf() {
    let (_dir, root) = dated_project();
    let out = root.parent().unwrap().join("w.csv");
    let done = tagdesk_cmd(
        &root,
        "network",
        &[
            "--annotator",
            "ana",
            "--format",
            "csv",
            "--window",
            "30d",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(done.status.success(), "{}", stderr(&done));
    // 2016-02-13 … 2016-09-09 is 209 days: windows start every 30 days, seven in all.
    let beside = root.parent().unwrap();
    let mut files: Vec<String> = std::fs::read_dir(beside)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("w.") && Path::new(n).extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 7, "{files:?}");
    assert_eq!(files[0], "w.2016-02-13.csv");
    assert_eq!(files[6], "w.2016-08-11.csv");
    let first = std::fs::read_to_string(beside.join(&files[0])).unwrap();
    assert!(first.starts_with(",Assad,Kerry,Lavrov"), "{first}");
    let last = std::fs::read_to_string(beside.join(&files[6])).unwrap();
    assert_eq!(last, ",Kerry\nKerry,0\n");
    // The same as one dynamic GEXF: Lavrov is only in the first window.
    let gexf = root.parent().unwrap().join("w.gexf");
    let done = tagdesk_cmd(
        &root,
        "network",
        &[
            "--annotator",
            "ana",
            "--format",
            "gexf",
            "--window",
            "30d",
            "-o",
            gexf.to_str().unwrap(),
        ],
    );
    assert!(done.status.success(), "{}", stderr(&done));
    let xml = std::fs::read_to_string(gexf).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let ns = "http://www.gexf.net/1.2draft";
    let graph = doc
        .descendants()
        .find(|n| n.has_tag_name((ns, "graph")))
        .unwrap();
    assert_eq!(graph.attribute("mode"), Some("dynamic"));
    let spells = |label: &str| -> Vec<(String, String)> {
        doc.descendants()
            .find(|n| n.has_tag_name((ns, "node")) && n.attribute("label") == Some(label))
            .unwrap()
            .descendants()
            .filter(|s| s.has_tag_name((ns, "spell")))
            .map(|s| {
                (
                    s.attribute("start").unwrap().to_owned(),
                    s.attribute("end").unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        spells("Lavrov"),
        [("2016-02-13".to_owned(), "2016-03-13".to_owned())]
    );
    assert_eq!(spells("Kerry").len(), 2);
    // Statements are counted per window (a dynamic attribute): Kerry spoke once in the first
    // window (a.txt) and once in the last (b.txt).
    let kerry_counts: Vec<(String, String)> = doc
        .descendants()
        .find(|n| n.has_tag_name((ns, "node")) && n.attribute("label") == Some("Kerry"))
        .unwrap()
        .descendants()
        .filter(|a| a.has_tag_name((ns, "attvalue")) && a.attribute("for") == Some("statements"))
        .map(|a| {
            (
                a.attribute("value").unwrap().to_owned(),
                a.attribute("start").unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kerry_counts,
        [
            ("1".to_owned(), "2016-02-13".to_owned()),
            ("1".to_owned(), "2016-08-11".to_owned())
        ]
    );
    // Windows are pure and deterministic.
    let project = Project::open(&root).unwrap();
    let extracted = statements(&project, &Coding::standard(&project, "ana"));
    let (s, c) = Filter::default().apply(&extracted);
    let w = windows(&s, &c, 30, 30);
    assert_eq!(w, windows(&s, &c, 30, 30));
    assert_eq!(w.len(), 7);
    assert_eq!(w[0].statements.len(), 3);
    assert_eq!(w[0].conflicts.len(), 1);
    assert_eq!(w[6].statements.len(), 1);
    assert!(w[1..6].iter().all(|w| w.statements.is_empty()));
}

#[test]
fn groups_split_the_actors_who_agree_from_those_who_oppose_them() {
    let s = vec![
        statement("A", "c", 1, "d"),
        statement("B", "c", 1, "d"),
        statement("C", "c", 1, "d"),
        statement("D", "c", -1, "d"),
        statement("E", "c", -1, "d"),
        statement("F", "c", -1, "d"),
        statement("G", "other", 1, "d"),
    ];
    let mut network = actors(&s, Aggregation::Subtract);
    let n = groups::assign(&mut network);
    let group = |name: &str| {
        network
            .nodes
            .iter()
            .find(|x| x.name == name)
            .and_then(|x| x.group)
            .unwrap()
    };
    assert_eq!(n, 3, "two camps and G alone");
    assert_eq!(group("A"), group("B"));
    assert_eq!(group("B"), group("C"));
    assert_eq!(group("D"), group("E"));
    assert_ne!(group("A"), group("D"));
    assert_eq!(group("G"), 2, "the smallest group comes last");
    // The same network gives the same groups.
    let mut again = actors(&s, Aggregation::Subtract);
    groups::assign(&mut again);
    assert_eq!(network, again);
    // Summary numbers: 7 actors, the two triangles (3 + 3 positive) and 9 negative cross ties.
    assert_eq!(network.edges.len(), 15);
    assert!((network.density() - 15.0 / 21.0).abs() < 1e-9);
    let degree = network.weighted_degree();
    assert!((degree[0] - 5.0).abs() < 1e-9, "A: 2 agreeing + 3 opposing");
}

#[test]
fn the_svg_picture_has_a_circle_per_actor_and_a_line_per_tie() {
    let mut network = actors(&crate::network::example(), Aggregation::Subtract);
    groups::assign(&mut network);
    let positions = tagdesk::core::network::layout::force_layout(
        network.nodes.len(),
        &network
            .edges
            .iter()
            .map(|e| (e.source, e.target, e.weight.abs()))
            .collect::<Vec<_>>(),
        100,
    );
    let svg = picture::svg(&network, &positions, 800.0, 600.0);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let ns = "http://www.w3.org/2000/svg";
    let count = |tag: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name((ns, tag)))
            .count()
    };
    assert_eq!(count("circle"), 3);
    assert_eq!(count("line"), network.edges.len());
    assert_eq!(count("text"), 3);
    let red = format!(
        "#{:02x}{:02x}{:02x}",
        picture::DISAGREE[0],
        picture::DISAGREE[1],
        picture::DISAGREE[2]
    );
    assert!(svg.contains(&red), "A–C and B–C disagree: red lines");
}

#[test]
fn the_entity_registry_goes_to_csv_and_back() {
    let (_dir, root) = dated_project();
    let out = tagdesk_cmd(&root, "entities", &["--export", "e.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv_text = std::fs::read_to_string(root.join("e.csv")).unwrap();
    let mut lines = csv_text.lines();
    assert_eq!(lines.next(), Some("id,kind,name,aliases,type"));
    let project = Project::open(&root).unwrap();
    let (back, rows) = project.entities.merge_csv(&csv_text).unwrap();
    assert_eq!(rows, 4);
    assert_eq!(
        back, project.entities,
        "the table reads back to the same registry"
    );
    // Edited in a spreadsheet: Assad gets an alias and a country column, a new actor is added.
    let assad = project
        .entities
        .entities()
        .iter()
        .find(|e| e.name == "Assad")
        .unwrap()
        .id
        .clone();
    std::fs::write(
        root.join("e2.csv"),
        format!(
            "id,kind,name,aliases,type,country\n{assad},actor,Bashar al-Assad,Assad | the Syrian president,government,Syria\n,actor,Staffan de Mistura,,person,\n"
        ),
    )
    .unwrap();
    let out = tagdesk_cmd(&root, "entities", &["--import", "e2.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("2 rows"), "{}", stdout(&out));
    let project = Project::open(&root).unwrap();
    let assad = project.entities.get(&assad).unwrap();
    assert_eq!(assad.name, "Bashar al-Assad");
    assert_eq!(assad.aliases, ["Assad", "the Syrian president"]);
    assert_eq!(assad.attributes["country"], "Syria");
    assert_eq!(project.entities.entities().len(), 5);
    assert!(
        project
            .entities
            .entities()
            .iter()
            .any(|e| e.name == "Staffan de Mistura" && e.kind == EntityKind::Actor)
    );
    // The network names the merged actor by its new name.
    let rows = network_csv(&root, &["--format", "csv"]);
    assert!(rows[0].contains(&"Bashar al-Assad".to_owned()));
    // A bad row is refused with the file and line; nothing changes.
    std::fs::write(root.join("bad.csv"), "kind,name\nactor,X\nperson,Y\n").unwrap();
    let bad = tagdesk_cmd(&root, "entities", &["--import", "bad.csv"]);
    assert!(!bad.status.success());
    let err = stderr(&bad);
    assert!(
        err.contains("bad.csv") && err.contains("line 3") && err.contains("person"),
        "{err}"
    );
    assert_eq!(Project::open(&root).unwrap().entities.entities().len(), 5);
    // An unknown attribute is kept, with a warning.
    std::fs::write(root.join("odd.csv"), "kind,name,mood\nactor,Z,angry\n").unwrap();
    let odd = tagdesk_cmd(&root, "entities", &["--import", "odd.csv"]);
    assert!(odd.status.success());
    assert!(
        stderr(&odd).contains("\"mood\" is not defined"),
        "{}",
        stderr(&odd)
    );
}

#[test]
fn a_picture_encodes_as_a_png_that_decodes_to_the_same_pixels() {
    let mut image = egui::ColorImage::filled([3, 2], egui::Color32::WHITE);
    image.pixels[4] = egui::Color32::from_rgb(225, 87, 89);
    let bytes = tagdesk::gui::windows::network::encode_png(&image).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (3, 2));
    assert_eq!(&buf[16..20], [225, 87, 89, 255]);
    assert_eq!(&buf[0..4], [255, 255, 255, 255]);
}

/// Issue 36, 6: windows of calendar months and years, as DNA has them (a month that lacks the
/// day takes its last).
#[test]
fn windows_come_in_calendar_months_and_years_too() {
    use tagdesk::core::network::filter::{Period, parse_period, windows_of};
    use tagdesk::core::network::{Date, Statement};
    assert_eq!(parse_period("3m"), Some(Period::Months(3)));
    assert_eq!(parse_period("1y"), Some(Period::Months(12)));
    assert_eq!(parse_period("2w"), Some(Period::Days(14)));
    assert_eq!(parse_period("0m"), None);
    assert_eq!(
        Period::Months(1).after(Date::new(2020, 1, 31), 1),
        Date::new(2020, 2, 29)
    );
    assert_eq!(
        Period::Months(12).after(Date::new(2020, 2, 29), 1),
        Date::new(2021, 2, 28)
    );
    let on = |y, m, d| Statement {
        actor: "A".into(),
        concept: "c".into(),
        level: 1,
        document: "d".into(),
        date: Some(Date::new(y, m, d)),
        claim: None,
    };
    let s = [
        on(2020, 1, 15),
        on(2020, 2, 14),
        on(2020, 2, 15),
        on(2020, 4, 1),
    ];
    let w = windows_of(&s, &[], Period::Months(1), Period::Months(1));
    let spans: Vec<(String, String, usize)> = w
        .iter()
        .map(|w| (w.start.to_string(), w.end.to_string(), w.statements.len()))
        .collect();
    assert_eq!(
        spans,
        [
            ("2020-01-15".into(), "2020-02-14".into(), 2),
            ("2020-02-15".into(), "2020-03-14".into(), 1),
            ("2020-03-15".into(), "2020-04-14".into(), 1),
        ]
    );
    let years = windows_of(&s, &[], Period::Months(12), Period::Months(12));
    assert_eq!(years.len(), 1);
    assert_eq!(years[0].end, Date::new(2021, 1, 14));
    // From the command line too.
    let (_dir, root) = dated_project();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args([
            "network",
            root.to_str().unwrap(),
            "--annotator",
            "ana",
            "--window",
            "3m",
            "--format",
            "edges",
            "-o",
        ])
        .arg(root.parent().unwrap().join("w.csv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
