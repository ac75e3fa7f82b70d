//! W3C Web Annotation (JSON-LD), export only: an `AnnotationCollection` whose first page holds
//! one `Annotation` per span — bodies: the label (`tagging`), each attribute (`classifying`,
//! `name=value`), the note (`commenting`); target: the document with a `TextPositionSelector`
//! (code points) and a `TextQuoteSelector` (prefix / exact / suffix, 32 characters of
//! context), one target per piece of a discontinuous span. A relation is an `Annotation` with
//! motivation `linking`, its type as body and the two span annotations as targets.

use std::fmt::Write as _;
use std::io::Write;

use serde_json::{Value, json};

use super::{CharIndex, Document, ExportError, ExportReport};
use crate::core::schema::AttributeValue;

const CONTEXT: usize = 32;

pub struct Writer<'a> {
    out: Box<dyn Write + 'a>,
    items: usize,
}

impl<'a> Writer<'a> {
    pub fn new(out: Box<dyn Write + 'a>) -> Self {
        Self { out, items: 0 }
    }
}

/// An IRI-safe form of a path or name (percent-encodes what is not unreserved or `/`).
fn iri(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// One document's annotations, on their own (any thread): the number of items (8 bytes, little
/// endian), then the items separated by `,\n` — the writer adds the collection around them.
fn render(doc: &Document, report: &mut ExportReport) -> Result<Vec<u8>, ExportError> {
    let mut items = vec![0u8; 8];
    let mut count = 0u64;
    let index = CharIndex::new(&doc.text);
    let len = index.char_len();
    let path = doc.path.clone().unwrap_or_default();
    let slice = |a: usize, b: usize| &doc.text[index.byte(a)..index.byte(b.min(len))];
    for layer in &doc.layers {
        let annotator = layer.annotator.clone().unwrap_or_default();
        let base = format!("urn:tagdesk:{}/{}", iri(&path), iri(&annotator));
        for s in &layer.spans {
            let mut body = vec![json!({
                "type": "TextualBody", "purpose": "tagging", "value": s.label,
            })];
            for (name, v) in &s.attributes {
                let value = match v {
                    AttributeValue::Flag(b) => format!("{name}={b}"),
                    AttributeValue::Text(t) => format!("{name}={t}"),
                };
                body.push(json!({
                    "type": "TextualBody", "purpose": "classifying", "value": value,
                }));
            }
            if let Some(note) = &s.note {
                body.push(json!({
                    "type": "TextualBody", "purpose": "commenting", "value": note,
                }));
            }
            let targets: Vec<Value> = s
                .pieces
                .iter()
                .map(|&[a, b]| {
                    json!({
                        "source": iri(&path),
                        "selector": [
                            {"type": "TextPositionSelector", "start": a, "end": b},
                            {"type": "TextQuoteSelector", "exact": slice(a, b),
                             "prefix": slice(a.saturating_sub(CONTEXT), a),
                             "suffix": slice(b, b + CONTEXT)},
                        ],
                    })
                })
                .collect();
            let item = json!({
                "id": format!("{base}/{}", iri(&s.id)),
                "type": "Annotation",
                "motivation": "tagging",
                "creator": {"type": "Person", "name": annotator},
                "body": body,
                "target": if targets.len() == 1 { targets[0].clone() } else { Value::Array(targets) },
            });
            item_to(&mut items, &mut count, &item)?;
        }
        for r in &layer.relations {
            let item = json!({
                "id": format!("{base}/{}", iri(&r.id)),
                "type": "Annotation",
                "motivation": "linking",
                "creator": {"type": "Person", "name": annotator},
                "body": {"type": "TextualBody", "purpose": "tagging", "value": r.kind},
                "target": [format!("{base}/{}", iri(&r.from)), format!("{base}/{}", iri(&r.to))],
            });
            item_to(&mut items, &mut count, &item)?;
        }
        report.wrote(layer);
    }
    items[..8].copy_from_slice(&count.to_le_bytes());
    Ok(items)
}

/// Appends one item to a document's rendered items.
fn item_to(items: &mut Vec<u8>, count: &mut u64, value: &Value) -> Result<(), ExportError> {
    if *count > 0 {
        items.extend_from_slice(b",\n");
    }
    serde_json::to_writer(&mut *items, value).map_err(std::io::Error::from)?;
    *count += 1;
    Ok(())
}

impl super::Writer for Writer<'_> {
    fn renderer(&self) -> Option<super::Render> {
        Some(render)
    }

    fn write_rendered(&mut self, bytes: &[u8]) -> Result<(), ExportError> {
        let (count, items) = bytes.split_at(8.min(bytes.len()));
        let count = u64::from_le_bytes(count.try_into().unwrap_or([0; 8]));
        if count == 0 {
            return Ok(());
        }
        if self.items == 0 {
            self.out.write_all(
                b"{\"@context\": \"http://www.w3.org/ns/anno.jsonld\", \
                  \"type\": \"AnnotationCollection\", \"label\": \"tagdesk export\",\n\
                  \"first\": {\"type\": \"AnnotationPage\", \"items\": [\n",
            )?;
        } else {
            self.out.write_all(b",\n")?;
        }
        self.out.write_all(items)?;
        self.items += usize::try_from(count).unwrap_or(usize::MAX);
        Ok(())
    }

    fn finish(&mut self, _report: &mut ExportReport) -> Result<(), ExportError> {
        if self.items == 0 {
            self.out.write_all(
                b"{\"@context\": \"http://www.w3.org/ns/anno.jsonld\", \
                  \"type\": \"AnnotationCollection\", \"label\": \"tagdesk export\", \"total\": 0}\n",
            )?;
        } else {
            write!(self.out, "\n]}}, \"total\": {}}}\n", self.items)?;
        }
        self.out.flush()?;
        Ok(())
    }
}
