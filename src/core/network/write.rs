//! Writing a network: `GraphML` (Gephi, networkx, igraph), GEXF (Gephi; with time intervals
//! for windows), CSV (a matrix, or Gephi's node and edge tables), UCINET DL, and the events
//! table (one row per statement, lossless).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{Date, Matrix, Network, ObservedConflict, Statement};

use crate::core::text::xml_escape as escape;

/// Every entity attribute any node has, in name order.
fn attribute_names<'a>(nodes: impl Iterator<Item = &'a super::Node>) -> Vec<String> {
    nodes
        .flat_map(|n| n.attributes.keys().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The network as `GraphML`: one node per actor (and concept, two-mode) with its name, kind,
/// statement count, group and entity attributes; one undirected edge per tie with its
/// `weight`, `sign` (−1, 0 or 1), `congruence` and `conflict` parts and the number of
/// `observed_conflicts`.
pub fn graphml(network: &Network) -> String {
    let attributes = attribute_names(network.nodes.iter());
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n",
    );
    let key = |out: &mut String, id: &str, target: &str, name: &str, kind: &str| {
        let _ = writeln!(
            out,
            "  <key id=\"{id}\" for=\"{target}\" attr.name=\"{}\" attr.type=\"{kind}\"/>",
            escape(name)
        );
    };
    key(&mut out, "name", "node", "name", "string");
    key(&mut out, "kind", "node", "kind", "string");
    key(&mut out, "statements", "node", "statements", "int");
    key(&mut out, "group", "node", "group", "int");
    for (i, name) in attributes.iter().enumerate() {
        key(&mut out, &format!("attr{i}"), "node", name, "string");
    }
    key(&mut out, "weight", "edge", "weight", "double");
    key(&mut out, "sign", "edge", "sign", "int");
    key(&mut out, "congruence", "edge", "congruence", "double");
    key(&mut out, "conflict", "edge", "conflict", "double");
    key(
        &mut out,
        "observed_conflicts",
        "edge",
        "observed_conflicts",
        "int",
    );
    out.push_str("  <graph id=\"G\" edgedefault=\"undirected\">\n");
    for (i, node) in network.nodes.iter().enumerate() {
        let _ = write!(
            out,
            "    <node id=\"n{i}\"><data key=\"name\">{}</data><data key=\"kind\">{}</data><data key=\"statements\">{}</data>",
            escape(&node.name),
            node.kind.as_str(),
            node.statements
        );
        if let Some(group) = node.group {
            let _ = write!(out, "<data key=\"group\">{group}</data>");
        }
        for (a, name) in attributes.iter().enumerate() {
            if let Some(value) = node.attributes.get(name) {
                let _ = write!(out, "<data key=\"attr{a}\">{}</data>", escape(value));
            }
        }
        out.push_str("</node>\n");
    }
    for (i, e) in network.edges.iter().enumerate() {
        let _ = write!(
            out,
            "    <edge id=\"e{i}\" source=\"n{}\" target=\"n{}\"><data key=\"weight\">{}</data><data key=\"sign\">{}</data>",
            e.source,
            e.target,
            plain(e.weight),
            e.sign()
        );
        if network.one_mode {
            let _ = write!(
                out,
                "<data key=\"congruence\">{}</data><data key=\"conflict\">{}</data><data key=\"observed_conflicts\">{}</data>",
                e.congruence, e.conflict, e.observed_conflicts
            );
        }
        out.push_str("</edge>\n");
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

/// One network of a series, with the days it covers (inclusive).
pub struct Slice<'a> {
    pub start: Date,
    pub end: Date,
    pub network: &'a Network,
}

/// GEXF 1.2 (Gephi, networkx). One network: static. Several time windows: one dynamic graph
/// where every node and edge has a spell per window it is in, and the edge weight a value per
/// window (Gephi's timeline plays it). Nodes are matched across windows by name.
pub fn gexf(single: Option<&Network>, slices: &[Slice<'_>]) -> String {
    let dynamic = single.is_none();
    let networks: Vec<&Network> = single
        .into_iter()
        .chain(slices.iter().map(|s| s.network))
        .collect();
    // Nodes by name, first seen first; edges by (name, name).
    let mut names: Vec<&super::Node> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for network in &networks {
        for node in &network.nodes {
            if !index.contains_key(node.name.as_str()) {
                index.insert(&node.name, names.len());
                names.push(node);
            }
        }
    }
    let attributes = attribute_names(names.iter().copied());
    let one_mode = networks.first().is_none_or(|n| n.one_mode);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n  \
         <meta><creator>tagdesk</creator></meta>\n",
    );
    if dynamic {
        out.push_str(
            "  <graph mode=\"dynamic\" defaultedgetype=\"undirected\" timeformat=\"date\">\n",
        );
    } else {
        out.push_str("  <graph mode=\"static\" defaultedgetype=\"undirected\">\n");
    }
    // Statements and group change from window to window: dynamic attributes of their own.
    let counted = "      <attribute id=\"statements\" title=\"statements\" type=\"integer\"/>\n      \
                   <attribute id=\"group\" title=\"group\" type=\"integer\"/>\n";
    if dynamic {
        let _ = write!(
            out,
            "    <attributes class=\"node\" mode=\"dynamic\">\n{counted}    </attributes>\n"
        );
    }
    out.push_str("    <attributes class=\"node\">\n");
    out.push_str("      <attribute id=\"kind\" title=\"kind\" type=\"string\"/>\n");
    if !dynamic {
        out.push_str(counted);
    }
    for (i, name) in attributes.iter().enumerate() {
        let _ = writeln!(
            out,
            "      <attribute id=\"attr{i}\" title=\"{}\" type=\"string\"/>",
            escape(name)
        );
    }
    out.push_str("    </attributes>\n");
    let _ = writeln!(
        out,
        "    <attributes class=\"edge\"{}>",
        if dynamic { " mode=\"dynamic\"" } else { "" }
    );
    for (id, kind) in [
        ("sign", "integer"),
        ("congruence", "double"),
        ("conflict", "double"),
        ("observed_conflicts", "integer"),
    ] {
        let _ = writeln!(
            out,
            "      <attribute id=\"{id}\" title=\"{id}\" type=\"{kind}\"/>"
        );
    }
    if dynamic {
        out.push_str("      <attribute id=\"weight\" title=\"weight\" type=\"double\"/>\n");
    }
    out.push_str("    </attributes>\n    <nodes>\n");
    for (i, node) in names.iter().enumerate() {
        let _ = write!(
            out,
            "      <node id=\"n{i}\" label=\"{}\"><attvalues><attvalue for=\"kind\" value=\"{}\"/>",
            escape(&node.name),
            node.kind.as_str(),
        );
        if dynamic {
            // The node's statements and group in each window it is in.
            for s in slices {
                if let Some(n) = s.network.nodes.iter().find(|n| n.name == node.name) {
                    let span = format!("start=\"{}\" end=\"{}\"", s.start, s.end);
                    let _ = write!(
                        out,
                        "<attvalue for=\"statements\" value=\"{}\" {span}/>",
                        n.statements
                    );
                    if let Some(group) = n.group {
                        let _ = write!(out, "<attvalue for=\"group\" value=\"{group}\" {span}/>");
                    }
                }
            }
        } else {
            let _ = write!(
                out,
                "<attvalue for=\"statements\" value=\"{}\"/>",
                node.statements
            );
            if let Some(group) = node.group {
                let _ = write!(out, "<attvalue for=\"group\" value=\"{group}\"/>");
            }
        }
        for (a, name) in attributes.iter().enumerate() {
            if let Some(value) = node.attributes.get(name) {
                let _ = write!(
                    out,
                    "<attvalue for=\"attr{a}\" value=\"{}\"/>",
                    escape(value)
                );
            }
        }
        out.push_str("</attvalues>");
        if dynamic {
            out.push_str("<spells>");
            for s in slices {
                if s.network.nodes.iter().any(|n| n.name == node.name) {
                    let _ = write!(out, "<spell start=\"{}\" end=\"{}\"/>", s.start, s.end);
                }
            }
            out.push_str("</spells>");
        }
        out.push_str("</node>\n");
    }
    out.push_str("    </nodes>\n    <edges>\n");
    let name = |network: &Network, i: usize| index[network.nodes[i].name.as_str()];
    if let Some(network) = single {
        for (i, e) in network.edges.iter().enumerate() {
            let _ = write!(
                out,
                "      <edge id=\"e{i}\" source=\"n{}\" target=\"n{}\" weight=\"{}\"><attvalues><attvalue for=\"sign\" value=\"{}\"/>",
                name(network, e.source),
                name(network, e.target),
                plain(e.weight),
                e.sign()
            );
            if one_mode {
                let _ = write!(
                    out,
                    "<attvalue for=\"congruence\" value=\"{}\"/><attvalue for=\"conflict\" value=\"{}\"/><attvalue for=\"observed_conflicts\" value=\"{}\"/>",
                    e.congruence, e.conflict, e.observed_conflicts
                );
            }
            out.push_str("</attvalues></edge>\n");
        }
    } else {
        // (source, target) → the windows it is in, with the edge there.
        let mut series: BTreeMap<(usize, usize), Vec<(&Slice, &super::Edge)>> = BTreeMap::new();
        for s in slices {
            for e in &s.network.edges {
                let (a, b) = (name(s.network, e.source), name(s.network, e.target));
                series.entry((a.min(b), a.max(b))).or_default().push((s, e));
            }
        }
        for (i, ((a, b), windows)) in series.iter().enumerate() {
            let _ = write!(
                out,
                "      <edge id=\"e{i}\" source=\"n{a}\" target=\"n{b}\"><attvalues>"
            );
            for (s, e) in windows {
                let span = format!("start=\"{}\" end=\"{}\"", s.start, s.end);
                let _ = write!(
                    out,
                    "<attvalue for=\"weight\" value=\"{}\" {span}/><attvalue for=\"sign\" value=\"{}\" {span}/>",
                    plain(e.weight),
                    e.sign()
                );
                if one_mode {
                    let _ = write!(
                        out,
                        "<attvalue for=\"congruence\" value=\"{}\" {span}/><attvalue for=\"conflict\" value=\"{}\" {span}/><attvalue for=\"observed_conflicts\" value=\"{}\" {span}/>",
                        e.congruence, e.conflict, e.observed_conflicts
                    );
                }
            }
            out.push_str("</attvalues><spells>");
            for (s, _) in windows {
                let _ = write!(out, "<spell start=\"{}\" end=\"{}\"/>", s.start, s.end);
            }
            out.push_str("</spells></edge>\n");
        }
    }
    out.push_str("    </edges>\n  </graph>\n</gexf>\n");
    out
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(Vec::new())
}

fn csv_text(writer: csv::Writer<Vec<u8>>) -> String {
    writer
        .into_inner()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

/// The matrix as CSV: a header of column names, then one row per row name.
pub fn csv_matrix(matrix: &Matrix) -> String {
    let mut w = csv_writer();
    let _ = w.write_record(std::iter::once("").chain(matrix.columns.iter().map(String::as_str)));
    for (row, values) in matrix.rows.iter().zip(&matrix.values) {
        let _ = w.write_record(
            std::iter::once(row.clone()).chain(values.iter().map(|x| plain(*x).to_string())),
        );
    }
    csv_text(w)
}

/// Gephi's node table: `Id,Label,kind,statements,group`, then every entity attribute.
pub fn csv_nodes(network: &Network) -> String {
    let attributes = attribute_names(network.nodes.iter());
    let mut w = csv_writer();
    let _ = w.write_record(
        ["Id", "Label", "kind", "statements", "group"]
            .into_iter()
            .chain(attributes.iter().map(String::as_str)),
    );
    for (i, node) in network.nodes.iter().enumerate() {
        let mut row = vec![
            format!("n{i}"),
            node.name.clone(),
            node.kind.as_str().to_owned(),
            node.statements.to_string(),
            node.group.map(|g| g.to_string()).unwrap_or_default(),
        ];
        row.extend(
            attributes
                .iter()
                .map(|a| node.attributes.get(a).cloned().unwrap_or_default()),
        );
        let _ = w.write_record(row);
    }
    csv_text(w)
}

/// Gephi's edge table: `Source,Target,Type,Weight,sign,congruence,conflict,observed_conflicts`
/// (ids as in [`csv_nodes`]), plus the two names for people reading it.
pub fn csv_edges(network: &Network) -> String {
    let mut w = csv_writer();
    let _ = w.write_record([
        "Source",
        "Target",
        "Type",
        "Weight",
        "sign",
        "congruence",
        "conflict",
        "observed_conflicts",
        "source_name",
        "target_name",
    ]);
    for e in &network.edges {
        let _ = w.write_record([
            format!("n{}", e.source),
            format!("n{}", e.target),
            "Undirected".to_owned(),
            plain(e.weight).to_string(),
            e.sign().to_string(),
            plain(e.congruence).to_string(),
            plain(e.conflict).to_string(),
            e.observed_conflicts.to_string(),
            network.nodes[e.source].name.clone(),
            network.nodes[e.target].name.clone(),
        ]);
    }
    csv_text(w)
}

/// A UCINET DL label: quoted (it may hold spaces or commas), quotes dropped.
fn dl_label(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "'"))
}

/// UCINET's DL format, full matrix: square with `labels embedded` for one-mode, `nr × nc`
/// with row and column labels for two-mode.
pub fn ucinet_dl(matrix: &Matrix, one_mode: bool) -> String {
    let mut out = String::new();
    let labels = |names: &[String]| {
        names
            .iter()
            .map(|n| dl_label(n))
            .collect::<Vec<_>>()
            .join("\n")
    };
    if one_mode {
        let _ = writeln!(
            out,
            "DL N={}\nFORMAT = FULLMATRIX DIAGONAL PRESENT",
            matrix.rows.len()
        );
        let _ = writeln!(out, "LABELS:\n{}", labels(&matrix.rows));
    } else {
        let _ = writeln!(
            out,
            "DL NR={} NC={}\nFORMAT = FULLMATRIX",
            matrix.rows.len(),
            matrix.columns.len()
        );
        let _ = writeln!(out, "ROW LABELS:\n{}", labels(&matrix.rows));
        let _ = writeln!(out, "COLUMN LABELS:\n{}", labels(&matrix.columns));
    }
    out.push_str("DATA:\n");
    for row in &matrix.values {
        let cells: Vec<String> = row.iter().map(|x| plain(*x).to_string()).collect();
        let _ = writeln!(out, "{}", cells.join(" "));
    }
    out
}

/// The events table: one row per statement (and per observed conflict, `kind` =
/// `conflict`), with everything needed to rebuild any network: date, actor, concept, stance
/// and its level, document, span offsets (characters), text and annotator.
pub fn events_csv(statements: &[Statement], conflicts: &[ObservedConflict]) -> String {
    let mut w = csv_writer();
    let _ = w.write_record([
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
        "concept_id",
    ]);
    let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    for s in statements {
        let c = s.claim.as_ref();
        let _ = w.write_record([
            "statement".to_owned(),
            date(s.date),
            s.actor.clone(),
            String::new(),
            s.concept.clone(),
            c.map(|c| c.stance.clone()).unwrap_or_default(),
            s.level.to_string(),
            s.document.clone(),
            c.map(|c| c.start.to_string()).unwrap_or_default(),
            c.map(|c| c.end.to_string()).unwrap_or_default(),
            c.map(|c| c.text.clone()).unwrap_or_default(),
            c.map(|c| c.annotator.clone()).unwrap_or_default(),
            c.map(|c| c.id.clone()).unwrap_or_default(),
            c.map(|c| c.actor_id.clone()).unwrap_or_default(),
            c.map(|c| c.concept_id.clone()).unwrap_or_default(),
        ]);
    }
    for k in conflicts {
        let c = k.span.as_ref();
        let _ = w.write_record([
            "conflict".to_owned(),
            date(k.date),
            k.a.clone(),
            k.b.clone(),
            k.concept.clone().unwrap_or_default(),
            String::new(),
            String::new(),
            k.document.clone(),
            c.map(|c| c.start.to_string()).unwrap_or_default(),
            c.map(|c| c.end.to_string()).unwrap_or_default(),
            c.map(|c| c.text.clone()).unwrap_or_default(),
            c.map(|c| c.annotator.clone()).unwrap_or_default(),
            c.map(|c| c.id.clone()).unwrap_or_default(),
            c.map(|c| c.actor_id.clone()).unwrap_or_default(),
            c.map(|c| c.concept_id.clone()).unwrap_or_default(),
        ]);
    }
    csv_text(w)
}

/// A weight as written: negative zero (a subtraction that came to nothing) as 0, as DNA
/// writes it.
fn plain(x: f64) -> f64 {
    x + 0.0
}
