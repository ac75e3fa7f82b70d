//! CSV, export only: one row per annotation —
//! `document, annotator, id, label, start, end, text, attributes, note, fragments`.
//! Offsets are code points; `attributes` is a JSON object (empty when none); `fragments` lists
//! a discontinuous span's pieces as `start-end;start-end`. Relations have no row (reported).

use super::{CharIndex, Document, ExportError, ExportReport};

/// The header row, written before the first document's rows.
pub(super) fn header() -> Vec<u8> {
    let mut out = ::csv::Writer::from_writer(Vec::new());
    let _ = out.write_record([
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
    ]);
    out.into_inner().unwrap_or_default()
}

fn csv_err(e: ::csv::Error) -> ExportError {
    ExportError::Io(std::io::Error::other(e))
}

/// One document's rows, on their own (any thread).
pub(super) fn render(doc: &Document, report: &mut ExportReport) -> Result<Vec<u8>, ExportError> {
    let mut out = ::csv::Writer::from_writer(Vec::new());
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
            out.write_record([
                path.as_str(),
                annotator.as_str(),
                s.id.as_str(),
                s.label.as_str(),
                &s.start().to_string(),
                &s.end().to_string(),
                &super::covered_slice(&doc.text, &index, &s.pieces),
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
    out.into_inner()
        .map_err(|e| ExportError::Io(std::io::Error::other(e.to_string())))
}
