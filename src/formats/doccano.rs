//! doccano JSONL. Written: one line per (document, annotator),
//! `{"text", "label": [[start, end, "L"]], "document", "annotator"}` (doccano keeps unknown keys
//! as metadata). Read: that form, and the relation form
//! `{"text", "entities": [{"id", "start_offset", "end_offset", "label"}],
//! "relations": [{"id", "from_id", "to_id", "type"}]}`. Offsets are code points.

use std::path::Path;

use serde_json::{Value, json};

use super::{Corpus, Document, ExportError, ExportReport, ImportError, Layer, Link, Place, Span};

/// One document, on its own (any thread): the records it makes, as bytes.
pub(super) fn render(doc: &Document, report: &mut ExportReport) -> Result<Vec<u8>, ExportError> {
    let mut bytes = Vec::new();
    for layer in &doc.layers {
        let mut label = Vec::new();
        for s in &layer.spans {
            if s.pieces.len() > 1 {
                report.lossy.add(
                    "discontinuous spans written as one doccano span per piece (doccano has \
                     no discontinuous spans)",
                    1,
                );
            }
            if !s.attributes.is_empty() {
                report.lossy.add(
                    "attribute values not written (doccano spans have no attributes)",
                    s.attributes.len(),
                );
            }
            if s.note.is_some() {
                report
                    .lossy
                    .add("notes not written (doccano spans have no notes)", 1);
            }
            for [a, b] in &s.pieces {
                label.push(json!([a, b, s.label]));
            }
        }
        report.lossy.add(
            "relations not written (doccano's span format has none; use jsonl or brat)",
            layer.relations.len(),
        );
        let line = json!({
            "text": doc.text,
            "label": label,
            "document": doc.path,
            "annotator": layer.annotator,
        });
        serde_json::to_writer(&mut bytes, &line).map_err(std::io::Error::from)?;
        bytes.push(b'\n');
        report.records += 1;
        report.annotations += layer.spans.len();
    }
    Ok(bytes)
}

pub fn read(path: &Path) -> Result<Corpus, ImportError> {
    let content = super::read_utf8(path)?;
    let mut corpus = Corpus::default();
    for (i, line) in content.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |m: String| ImportError::bad(path, n, m);
        let value: Value =
            serde_json::from_str(line).map_err(|e| bad(format!("not a JSON object: {e}")))?;
        let Some(text) = value.get("text").and_then(Value::as_str) else {
            return Err(bad("no \"text\" string".into()));
        };
        let at = Place::new(path, n);
        let mut layer = Layer {
            annotator: value
                .get("annotator")
                .or_else(|| value.get("user"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            ..Layer::default()
        };
        let number = |v: &Value, what: &str| {
            v.as_u64()
                .and_then(|x| usize::try_from(x).ok())
                .ok_or_else(|| bad(format!("{what} is not a non-negative integer: {v}")))
        };
        if let Some(labels) = value.get("label") {
            let Some(labels) = labels.as_array() else {
                return Err(bad("\"label\" is not a list".into()));
            };
            for (k, triple) in labels.iter().enumerate() {
                let Some([s, e, l]) = triple.as_array().map(Vec::as_slice) else {
                    return Err(bad(format!(
                        "label {k} is not [start, end, \"label\"]: {triple}"
                    )));
                };
                let Some(l) = l.as_str() else {
                    return Err(bad(format!("label {k}: the label is not a string: {l}")));
                };
                layer.spans.push(Span {
                    id: compact_str::ToCompactString::to_compact_string(&k),
                    label: l.into(),
                    pieces: vec![[number(s, "a start")?, number(e, "an end")?]],
                    attributes: crate::core::schema::Attributes::new(),
                    note: None,
                    at: at.clone(),
                });
            }
        }
        if let Some(entities) = value.get("entities").and_then(Value::as_array) {
            for (k, ent) in entities.iter().enumerate() {
                let field = |name: &str| {
                    ent.get(name)
                        .ok_or_else(|| bad(format!("entity {k} has no \"{name}\"")))
                };
                let Some(label) = field("label")?.as_str() else {
                    return Err(bad(format!("entity {k}: the label is not a string")));
                };
                layer.spans.push(Span {
                    id: id_string(field("id")?).into(),
                    label: label.into(),
                    pieces: vec![[
                        number(field("start_offset")?, "start_offset")?,
                        number(field("end_offset")?, "end_offset")?,
                    ]],
                    attributes: crate::core::schema::Attributes::new(),
                    note: None,
                    at: at.clone(),
                });
            }
        }
        if let Some(relations) = value.get("relations").and_then(Value::as_array) {
            for (k, rel) in relations.iter().enumerate() {
                let field = |name: &str| {
                    rel.get(name)
                        .ok_or_else(|| bad(format!("relation {k} has no \"{name}\"")))
                };
                let from = id_string(field("from_id")?);
                let to = id_string(field("to_id")?);
                for end in [&from, &to] {
                    if !layer.spans.iter().any(|s| s.id == **end) {
                        return Err(bad(format!("relation {k} refers to unknown entity {end}")));
                    }
                }
                layer.relations.push(Link {
                    id: rel.get("id").map_or_else(|| format!("r{k}"), id_string),
                    kind: field("type")?.as_str().unwrap_or_default().to_owned(),
                    from,
                    to,
                    at: at.clone(),
                });
            }
        }
        let len = text.chars().count();
        if let Some(s) = layer
            .spans
            .iter()
            .find(|s| s.end() > len || s.start() > s.end())
        {
            return Err(bad(format!(
                "span {}..{} ({}) does not fit the text ({len} characters)",
                s.start(),
                s.end(),
                s.label
            )));
        }
        let mut layers = vec![layer];
        let (text, bom) = super::strip_bom_shifting(text, &mut layers);
        corpus.documents.push(Document {
            path: value
                .get("document")
                .and_then(Value::as_str)
                .map(str::to_owned),
            text,
            bom,
            rebuilt: false,
            layers,
            at,
        });
    }
    Ok(corpus)
}

fn id_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
