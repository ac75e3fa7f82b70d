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

    fn item(&mut self, value: &Value) -> Result<(), ExportError> {
        if self.items == 0 {
            self.out.write_all(
                b"{\"@context\": \"http://www.w3.org/ns/anno.jsonld\", \
                  \"type\": \"AnnotationCollection\", \"label\": \"tagdesk export\",\n\
                  \"first\": {\"type\": \"AnnotationPage\", \"items\": [\n",
            )?;
        } else {
            self.out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut self.out, value).map_err(std::io::Error::from)?;
        self.items += 1;
        Ok(())
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

impl super::Writer for Writer<'_> {
    fn document(&mut self, doc: &Document, report: &mut ExportReport) -> Result<(), ExportError> {
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
                self.item(&item)?;
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
                self.item(&item)?;
            }
            report.wrote(layer);
        }
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
