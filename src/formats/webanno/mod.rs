//! `WebAnno` TSV 3.3, as `INCEpTION` writes it: one file per document and annotator.
//!
//! Offsets in the second column are UTF-16 code units over the whole document; tagdesk
//! converts them exactly. Read: span layers (`#T_SP`; the first feature's value is the label —
//! the layer's short name when it has none — and other features attributes), relation layers
//! (`#T_RL`, the row is the target, the `BT_` column the source; a relation on plain tokens
//! gets a span per token labelled by the base type), sub-tokens, stacking, multi-token and
//! cross-sentence spans. Chains (`#T_CH`), slot features and zero-length spans have no tagdesk
//! equivalent: counted in a warning. The text is rebuilt from `#Text=` lines and token
//! offsets and aligned on the project's text on import.
//!
//! Written: `webanno.custom.Span` with features `label` and one per attribute name (and
//! `entity`, the entity link), and
//! `webanno.custom.Relation|label|BT_webanno.custom.Span`; tokens by Unicode word boundaries,
//! cut at span boundaries; every span carries an id (`label[3]`).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;

use super::{Document, ExportError, ExportReport, Link, Span, Utf16Index};
use crate::core::schema::{AttributeValue, Schema};

const SPAN_TYPE: &str = "webanno.custom.Span";
const RELATION_TYPE: &str = "webanno.custom.Relation";

pub struct Writer {
    dir: PathBuf,
    per_annotator: bool,
    attributes: Vec<String>,
    files: super::FolderFiles,
}

impl Writer {
    pub fn new(dir: PathBuf, schema: &Schema, annotators: &[String]) -> Self {
        let mut attributes: Vec<String> = schema
            .labels
            .iter()
            .flat_map(|l| l.attributes.iter().map(|a| a.name.clone()))
            .filter(|n| n != "label")
            // Every label may carry the entity link (it is not in the schema's lists).
            .chain(std::iter::once(
                crate::core::schema::ENTITY_ATTRIBUTE.to_owned(),
            ))
            .collect();
        attributes.sort();
        attributes.dedup();
        Self {
            files: super::FolderFiles::new(&dir),
            dir,
            per_annotator: annotators.len() > 1,
            attributes,
        }
    }
}

/// Escapes a feature value.
fn escape(value: &str) -> String {
    if value.is_empty() {
        return "*".into();
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '[' | ']' | '|' | '_' | ';' | '*' => {
                out.push('\\');
                out.push(c);
            }
            '-' if chars.peek() == Some(&'>') => out.push_str("\\-"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits a cell at unescaped `sep`.
fn split_unescaped(cell: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in cell.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            out.push(&cell[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&cell[start..]);
    out
}

/// `value[3]` → (`value`, Some("3")); an escaped `\]` is part of the value.
fn split_id(entry: &str) -> (&str, Option<&str>) {
    if entry.ends_with(']')
        && !entry.ends_with("\\]")
        && let Some(open) = entry.rfind('[')
        && (open == 0 || !entry[..open].ends_with('\\'))
    {
        return (&entry[..open], Some(&entry[open + 1..entry.len() - 1]));
    }
    (entry, None)
}

impl super::Writer for Writer {
    fn files(&self) -> Option<&dyn super::FileWriter> {
        Some(self)
    }

    fn finish(&mut self, _report: &mut ExportReport) -> Result<(), ExportError> {
        self.files.commit(&self.dir)
    }
}

impl super::FileWriter for Writer {
    fn write_files(
        &self,
        n: usize,
        doc: &Document,
        report: &mut ExportReport,
    ) -> Result<(), ExportError> {
        let utf16 = Utf16Index::new(&doc.text);
        let rel = doc.path.clone().unwrap_or_else(|| format!("doc-{}", n + 1));
        for layer in &doc.layers {
            // Discontinuous spans become one span per piece.
            let mut pieces: Vec<(usize, [usize; 2])> = Vec::new();
            for (i, s) in layer.spans.iter().enumerate() {
                if s.pieces.len() > 1 {
                    report.lossy.add(
                        "discontinuous spans written as one WebAnno span per piece (relations \
                         attach to the first)",
                        1,
                    );
                }
                pieces.extend(s.pieces.iter().map(|p| (i, *p)));
            }
            let ranges: Vec<[usize; 2]> = pieces.iter().map(|(_, p)| *p).collect();
            let tokens = super::tokens::tokenize(&doc.text, &ranges);
            // Token address of every token, and which pieces cover it.
            let mut address: Vec<(String, [usize; 2])> = Vec::with_capacity(tokens.all.len());
            for (s, sentence) in tokens.sentences().enumerate() {
                for (t, tok) in sentence.iter().enumerate() {
                    address.push((format!("{}-{}", s + 1, t + 1), tok.chars));
                }
            }
            let token_at = |c: usize| address.partition_point(|(_, t)| t[1] <= c);
            let mut cells: Vec<Vec<(usize, usize)>> = vec![Vec::new(); address.len()];
            // (piece number, span index) per token
            let mut first_token: HashMap<usize, usize> = HashMap::new();
            let mut lost = 0;
            for (p, (i, [a, b])) in pieces.iter().enumerate() {
                let first = token_at(*a);
                let mut any = false;
                for k in first..address.len() {
                    if address[k].1[0] >= *b {
                        break;
                    }
                    cells[k].push((p, *i));
                    any = true;
                }
                if any {
                    first_token.entry(*i).or_insert(first);
                } else {
                    lost += 1;
                }
            }
            report
                .lossy
                .add("whitespace-only spans not written (no token)", lost);
            // Relations by the first token of their target.
            let by_id: HashMap<&str, usize> = layer
                .spans
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.as_str(), i))
                .collect();
            let first_piece: HashMap<usize, usize> = pieces
                .iter()
                .enumerate()
                .rev()
                .map(|(p, (i, _))| (*i, p))
                .collect();
            let mut relations_at: BTreeMap<usize, Vec<&Link>> = BTreeMap::new();
            for r in &layer.relations {
                if let Some(&t) = by_id.get(r.to.as_str()).and_then(|i| first_token.get(i)) {
                    relations_at.entry(t).or_default().push(r);
                }
            }
            let mut out = String::from("#FORMAT=WebAnno TSV 3.3\n");
            let _ = write!(out, "#T_SP={SPAN_TYPE}|label");
            for a in &self.attributes {
                let _ = write!(out, "|{a}");
            }
            let _ = writeln!(out, "\n#T_RL={RELATION_TYPE}|label|BT_{SPAN_TYPE}\n\n");
            let mut k = 0;
            for sentence in tokens.sentences() {
                let (Some(head), Some(tail)) = (sentence.first(), sentence.last()) else {
                    continue;
                };
                let sentence_text = &doc.text[head.bytes[0]..tail.bytes[1]];
                for line in sentence_text.split('\n') {
                    let line = line
                        .replace('\\', "\\\\")
                        .replace('\t', "\\t")
                        .replace('\r', "\\r");
                    let _ = writeln!(out, "#Text={line}");
                }
                for tok in sentence {
                    let (addr, _) = &address[k];
                    let token = &doc.text[tok.bytes[0]..tok.bytes[1]];
                    let _ = write!(
                        out,
                        "{addr}\t{}-{}\t{token}\t",
                        utf16.utf16(tok.chars[0]),
                        utf16.utf16(tok.chars[1])
                    );
                    let entries = &cells[k];
                    let column = |value: &dyn Fn(&Span) -> String| -> String {
                        if entries.is_empty() {
                            return "_".into();
                        }
                        entries
                            .iter()
                            .map(|(p, i)| format!("{}[{}]", value(&layer.spans[*i]), p + 1))
                            .collect::<Vec<_>>()
                            .join("|")
                    };
                    let _ = write!(out, "{}\t", column(&|s| escape(&s.label)));
                    for a in &self.attributes {
                        let _ = write!(
                            out,
                            "{}\t",
                            column(&|s| match s.attributes.get(a) {
                                Some(AttributeValue::Text(v)) => escape(v),
                                Some(AttributeValue::Flag(b)) => b.to_string(),
                                None => "*".into(),
                            })
                        );
                    }
                    match relations_at.get(&k) {
                        None => out.push_str("_\t_\t"),
                        Some(here) => {
                            let mut labels = Vec::new();
                            let mut sources = Vec::new();
                            for r in here {
                                let (Some(&from), Some(&to)) =
                                    (by_id.get(r.from.as_str()), by_id.get(r.to.as_str()))
                                else {
                                    continue;
                                };
                                let Some(&src_token) = first_token.get(&from) else {
                                    continue;
                                };
                                labels.push(escape(&r.kind));
                                sources.push(format!(
                                    "{}[{}_{}]",
                                    address[src_token].0,
                                    first_piece[&from] + 1,
                                    first_piece[&to] + 1
                                ));
                            }
                            let _ = write!(out, "{}\t{}\t", labels.join("|"), sources.join("|"));
                        }
                    }
                    out.push('\n');
                    k += 1;
                }
                out.push('\n');
            }
            let notes = layer.spans.iter().filter(|s| s.note.is_some()).count();
            report.lossy.add(
                "notes not written (the WebAnno span layer has no note)",
                notes,
            );
            let sub = self
                .per_annotator
                .then(|| layer.annotator.clone().unwrap_or_else(|| "unnamed".into()));
            self.files.write(
                n + 1,
                &super::out_path(&self.dir, sub.as_deref(), &rel, "tsv"),
                out.as_bytes(),
            )?;
            report.wrote(layer);
        }
        Ok(())
    }
}

mod read;
pub use read::{read, read_file_in_folder};
