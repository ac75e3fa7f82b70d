//! tagdesk JSONL: one JSON object per line per (document, annotator):
//! `{"id", "annotator", "text", "spans": [{"id","start","end","label","text","fragments"?,
//! "attributes","note"?}], "relations": [{"id","type","from","to"}], "label": [[s, e, "L"]]}`.
//! `spans` is what spaCy/Prodigy read, `label` is doccano's shape. Offsets are code points;
//! relation ends are span ids. It carries everything tagdesk has: the lossless format.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{
    CharIndex, Corpus, Document, ExportError, ExportReport, ImportError, Layer, Link, Place,
};
use crate::core::schema::Attributes;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The document's path in the source folder.
    pub id: String,
    pub annotator: String,
    pub text: String,
    pub spans: Vec<Span>,
    #[serde(default)]
    pub relations: Vec<RecordLink>,
    #[serde(default)]
    pub label: Vec<(usize, usize, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLink {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub id: String,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub text: String,
    /// Only for discontinuous spans: the pieces, `[start, end]` each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fragments: Vec<[usize; 2]>,
    #[serde(default)]
    pub attributes: Attributes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// [`Record`] as written: the same fields in the same order, borrowed.
#[derive(Serialize)]
struct RecordOut<'a> {
    id: &'a str,
    annotator: &'a str,
    text: &'a str,
    spans: Vec<SpanOut<'a>>,
    relations: Vec<RecordLinkOut<'a>>,
    label: Vec<(usize, usize, &'a str)>,
}

#[derive(Serialize)]
struct RecordLinkOut<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    from: &'a str,
    to: &'a str,
}

/// [`Span`] as written, borrowed.
#[derive(Serialize)]
struct SpanOut<'a> {
    id: &'a str,
    start: usize,
    end: usize,
    label: &'a str,
    text: std::borrow::Cow<'a, str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    fragments: &'a [[usize; 2]],
    attributes: &'a Attributes,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

/// One document, on its own (any thread): the records it makes, as bytes.
pub(super) fn render(doc: &Document, report: &mut ExportReport) -> Result<Vec<u8>, ExportError> {
    let mut bytes = Vec::new();
    let index = CharIndex::new(&doc.text);
    for layer in &doc.layers {
        // Written from borrowed views of the document: no copy of its text or strings.
        let spans: Vec<SpanOut<'_>> = layer
            .spans
            .iter()
            .map(|s| SpanOut {
                id: &s.id,
                start: s.start(),
                end: s.end(),
                label: &s.label,
                text: super::covered_slice(&doc.text, &index, &s.pieces),
                fragments: if s.pieces.len() > 1 { &s.pieces } else { &[] },
                attributes: &s.attributes,
                note: s.note.as_deref(),
            })
            .collect();
        let record = RecordOut {
            id: doc.path.as_deref().unwrap_or_default(),
            annotator: layer.annotator.as_deref().unwrap_or_default(),
            text: &doc.text,
            // doccano has no discontinuous spans: each piece is a triple of its own.
            label: layer
                .spans
                .iter()
                .flat_map(|s| s.pieces.iter().map(|[a, b]| (*a, *b, s.label.as_str())))
                .collect(),
            relations: layer
                .relations
                .iter()
                .map(|r| RecordLinkOut {
                    id: &r.id,
                    kind: &r.kind,
                    from: &r.from,
                    to: &r.to,
                })
                .collect(),
            spans,
        };
        serde_json::to_writer(&mut bytes, &record).map_err(std::io::Error::from)?;
        bytes.push(b'\n');
        report.records += 1;
        report.annotations += record.spans.len();
        report.relations += record.relations.len();
    }
    Ok(bytes)
}

/// Reads a tagdesk JSONL file: records of the same document merge into one document with a
/// layer per annotator.
pub fn read(path: &Path) -> Result<Corpus, ImportError> {
    let content = super::read_utf8(path)?;
    let mut corpus = Corpus::default();
    for (i, line) in content.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let record: Record = serde_json::from_str(line)
            .map_err(|e| ImportError::bad(path, n, format!("not a tagdesk JSONL record: {e}")))?;
        let at = Place::new(path, n);
        let layer = Layer {
            annotator: (!record.annotator.is_empty()).then_some(record.annotator),
            spans: record
                .spans
                .into_iter()
                .map(|s| super::Span {
                    pieces: if s.fragments.is_empty() {
                        vec![[s.start, s.end]]
                    } else {
                        s.fragments
                    },
                    id: s.id.into(),
                    label: s.label.into(),
                    attributes: s.attributes,
                    note: s.note,
                    at: at.clone(),
                })
                .collect(),
            relations: record
                .relations
                .into_iter()
                .map(|r| Link {
                    id: r.id,
                    kind: r.kind,
                    from: r.from,
                    to: r.to,
                    at: at.clone(),
                })
                .collect(),
        };
        let path_of = (!record.id.is_empty()).then_some(record.id);
        if let Some(doc) = corpus
            .documents
            .iter_mut()
            .find(|d| d.path.is_some() && d.path == path_of && d.text == record.text)
        {
            doc.layers.push(layer);
        } else {
            corpus.documents.push(Document {
                path: path_of,
                text: record.text,
                bom: false,
                rebuilt: false,
                layers: vec![layer],
                at,
            });
        }
    }
    Ok(corpus)
}
