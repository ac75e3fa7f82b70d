//! tagdesk JSONL: one JSON object per line per (document, annotator):
//! `{"id", "annotator", "text", "spans": [{"id","start","end","label","text","attributes"}],
//! "relations": [{"id","type","from","to"}], "label": [[s, e, "L"]]}`.
//! `spans` is what spaCy/Prodigy read, `label` is doccano's shape. Offsets are code points;
//! relation ends are span ids.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::{ExportError, ExportFilter, ExportReport, Exporter};
use crate::core::Workspace;
use crate::core::schema::Attributes;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The document's path in the source folder.
    pub id: String,
    pub annotator: String,
    pub text: String,
    pub spans: Vec<Span>,
    pub relations: Vec<Link>,
    pub label: Vec<(usize, usize, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
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
    pub attributes: Attributes,
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
                let covered = crate::core::workspace::covered_text(&text.text, a.pieces());
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
                    text: covered.clone(),
                    fragments: a.fragments.clone(),
                    attributes: a.attributes.clone(),
                });
            }
            let exported: std::collections::HashSet<&str> =
                spans.iter().map(|s| s.id.as_str()).collect();
            let mut relations = Vec::with_capacity(layer.relations().len());
            for r in layer.relations() {
                if exported.contains(r.from.as_str()) && exported.contains(r.to.as_str()) {
                    relations.push(Link {
                        id: r.id.clone(),
                        kind: r.kind.clone(),
                        from: r.from.clone(),
                        to: r.to.clone(),
                    });
                } else {
                    report.warnings.push(format!(
                        "skipped relation {} ({}) in {} by {}: one of its spans was not exported",
                        r.id, r.kind, key.0, key.1
                    ));
                }
            }
            let record = Record {
                relations,
                id: key.0.clone(),
                annotator: key.1.clone(),
                text: text.text.as_str().to_owned(),
                // doccano has no discontinuous spans: each piece is a triple of its own.
                label: spans
                    .iter()
                    .flat_map(|s| {
                        let pieces: Vec<[usize; 2]> = if s.fragments.is_empty() {
                            vec![[s.start, s.end]]
                        } else {
                            s.fragments.clone()
                        };
                        pieces.into_iter().map(|[a, b]| (a, b, s.label.clone()))
                    })
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
