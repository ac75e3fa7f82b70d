//! tagdesk JSONL: one JSON object per line per (document, annotator):
//! `{"id", "annotator", "text", "spans": [{"id","start","end","label","text"}], "label": [[s, e, "L"]]}`.
//! `spans` is what spaCy/Prodigy read, `label` is doccano's shape. Offsets are code points.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::{ExportError, ExportFilter, ExportReport, Exporter};
use crate::core::Workspace;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The document's path in the source folder.
    pub id: String,
    pub annotator: String,
    pub text: String,
    pub spans: Vec<Span>,
    pub label: Vec<(usize, usize, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub id: String,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub text: String,
}

pub struct Jsonl;

impl Exporter for Jsonl {
    fn export(
        &self,
        workspace: &mut Workspace,
        filter: &ExportFilter,
        out: &mut dyn Write,
    ) -> Result<ExportReport, ExportError> {
        if let Some(name) = &filter.annotator
            && !workspace.project.annotators().contains(name)
        {
            return Err(ExportError::UnknownAnnotator(name.clone()));
        }
        let mut report = ExportReport::default();
        for err in &workspace.project.layer_errors {
            if filter.annotator.as_ref().is_none_or(|a| *a == err.key.1) {
                report.warnings.push(format!(
                    "skipped {} by {}: its annotation file could not be read ({})",
                    err.key.0, err.key.1, err.message
                ));
            }
        }
        let keys: Vec<_> = workspace
            .project
            .layers
            .keys()
            .filter(|(_, a)| filter.annotator.as_ref().is_none_or(|f| f == a))
            .cloned()
            .collect();
        for key in keys {
            let text = match workspace.text(&key.0) {
                Ok(text) => text,
                Err(err) => {
                    report
                        .warnings
                        .push(format!("skipped {} by {}: {err}", key.0, key.1));
                    continue;
                }
            };
            let Some(layer) = workspace.project.layers.get(&key) else {
                continue;
            };
            let len = text.text.char_len();
            let mut spans = Vec::with_capacity(layer.len());
            for a in layer.annotations() {
                if a.end > len {
                    report.warnings.push(format!(
                        "skipped annotation {} in {} by {}: span {}..{} ends past the text ({len})",
                        a.id, key.0, key.1, a.start, a.end
                    ));
                    continue;
                }
                let covered = text.text.slice(a.start..a.end);
                if covered != a.text {
                    report.warnings.push(format!(
                        "annotation {} in {} by {}: the source now reads {covered:?} where {:?} \
                         was annotated; exported with the source's text (run `tagdesk validate`)",
                        a.id, key.0, key.1, a.text
                    ));
                }
                spans.push(Span {
                    id: a.id.clone(),
                    start: a.start,
                    end: a.end,
                    label: a.label.clone(),
                    text: covered.to_owned(),
                });
            }
            let record = Record {
                id: key.0.clone(),
                annotator: key.1.clone(),
                text: text.text.as_str().to_owned(),
                label: spans
                    .iter()
                    .map(|s| (s.start, s.end, s.label.clone()))
                    .collect(),
                spans,
            };
            report.annotations += record.spans.len();
            serde_json::to_writer(&mut *out, &record).map_err(std::io::Error::from)?;
            out.write_all(b"\n")?;
            report.records += 1;
        }
        out.flush()?;
        Ok(report)
    }
}
