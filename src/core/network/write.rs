//! Writing a network: `GraphML` (Gephi, networkx, igraph), and a CSV matrix.

use std::fmt::Write as _;

use super::Matrix;

/// XML text with `&`, `<`, `>` and quotes escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The network as `GraphML`: one node per row (kind `actor`) and, for a two-mode network, per
/// column (kind `concept`), each with its name; one edge per non-zero weight (undirected, each
/// pair once for a one-mode network) with its `weight` and `sign` (−1, 0 or 1).
pub fn graphml(matrix: &Matrix, one_mode: bool) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n  \
         <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n  \
         <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n  \
         <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n  \
         <key id=\"sign\" for=\"edge\" attr.name=\"sign\" attr.type=\"int\"/>\n  \
         <graph id=\"G\" edgedefault=\"undirected\">\n",
    );
    let node = |out: &mut String, id: String, name: &str, kind: &str| {
        let _ = writeln!(
            out,
            "    <node id=\"{id}\"><data key=\"name\">{}</data><data key=\"kind\">{kind}</data></node>",
            escape(name)
        );
    };
    for (i, name) in matrix.rows.iter().enumerate() {
        node(&mut out, format!("a{i}"), name, "actor");
    }
    if !one_mode {
        for (c, name) in matrix.columns.iter().enumerate() {
            node(&mut out, format!("c{c}"), name, "concept");
        }
    }
    let mut edge = 0;
    for (i, row) in matrix.values.iter().enumerate() {
        for (j, &weight) in row.iter().enumerate() {
            if weight == 0.0 || (one_mode && j <= i) {
                continue;
            }
            let target = if one_mode {
                format!("a{j}")
            } else {
                format!("c{j}")
            };
            let sign = if weight > 0.0 { 1 } else { -1 };
            let _ = writeln!(
                out,
                "    <edge id=\"e{edge}\" source=\"a{i}\" target=\"{target}\"><data key=\"weight\">{weight}</data><data key=\"sign\">{sign}</data></edge>"
            );
            edge += 1;
        }
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

/// The matrix as CSV: a header of column names, then one row per row name.
pub fn csv_matrix(matrix: &Matrix) -> String {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let mut out = String::from("\"\"");
    for column in &matrix.columns {
        out.push(',');
        out.push_str(&quote(column));
    }
    out.push('\n');
    for (row, values) in matrix.rows.iter().zip(&matrix.values) {
        out.push_str(&quote(row));
        for value in values {
            let _ = write!(out, ",{value}");
        }
        out.push('\n');
    }
    out
}
