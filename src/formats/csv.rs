//! CSV, export only: one row per annotation —
//! `document, annotator, id, label, start, end, text, attributes, note, fragments`.
//! Offsets are code points; `attributes` is a JSON object (empty when none); `fragments` lists
//! a discontinuous span's pieces as `start-end;start-end`. Relations have no row (reported).

use std::io::Write;

use super::{CharIndex, Document, ExportError, ExportReport};

pub struct Writer<'a> {
    out: ::csv::Writer<Box<dyn Write + 'a>>,
    header: bool,
}

impl<'a> Writer<'a> {
    pub fn new(out: Box<dyn Write + 'a>) -> Self {
        Self {
            out: ::csv::Writer::from_writer(out),
            header: false,
        }
    }
}

fn csv_err(e: ::csv::Error) -> ExportError {
    ExportError::Io(std::io::Error::other(e))
}

impl super::Writer for Writer<'_> {
    fn document(&mut self, doc: &Document, report: &mut ExportReport) -> Result<(), ExportError> {
        if !self.header {
            self.header = true;
            self.out
                .write_record([
                    "document",
                    "annotator",
                    "id",
                    "label",
                    "start",
                    "end",
                    "text",
                    "attributes",
                    "note",
                    "fragments",
                ])
                .map_err(csv_err)?;
        }
        let index = CharIndex::new(&doc.text);
        let path = doc.path.clone().unwrap_or_default();
        for layer in &doc.layers {
            let annotator = layer.annotator.clone().unwrap_or_default();
            for s in &layer.spans {
                let attributes = if s.attributes.is_empty() {
                    String::new()
                } else {
                    serde_json::to_string(&s.attributes).map_err(std::io::Error::from)?
                };
                let fragments = if s.pieces.len() > 1 {
                    s.pieces
                        .iter()
                        .map(|[a, b]| format!("{a}-{b}"))
                        .collect::<Vec<_>>()
                        .join(";")
                } else {
                    String::new()
                };
                self.out
                    .write_record([
                        path.as_str(),
                        annotator.as_str(),
                        s.id.as_str(),
                        s.label.as_str(),
                        &s.start().to_string(),
                        &s.end().to_string(),
                        &super::covered(&doc.text, &index, &s.pieces),
                        &attributes,
                        s.note.as_deref().unwrap_or_default(),
                        &fragments,
                    ])
                    .map_err(csv_err)?;
            }
            report.lossy.add(
                "relations not written (CSV has one row per annotation; use jsonl, brat or w3c)",
                layer.relations.len(),
            );
            report.records += 1;
            report.annotations += layer.spans.len();
        }
        Ok(())
    }

    fn finish(&mut self, _report: &mut ExportReport) -> Result<(), ExportError> {
        self.out.flush()?;
        Ok(())
    }
}
