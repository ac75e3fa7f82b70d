//! `CoNLL` IOB2: one token per line, `token<TAB>tag`, a blank line between sentences, and
//! `-DOCSTART- path` before each document (readers that skip `-DOCSTART-` lines, as conlleval
//! and most loaders do, ignore the path).
//!
//! Written: tokens by Unicode word boundaries, also cut at every span boundary, so every span
//! covers whole tokens; a sentence never ends inside a span. A token has one tag, so where
//! spans overlap the **longest span wins** and the others are left out — counted in the report,
//! never silently. `CoNLL` carries one annotator, no relations, attributes or notes (counted).
//!
//! Read: the token is the first column and the tag the last (so `word POS chunk` files work);
//! IOB1, IOB2, BIOES/BILOU tags; the text is rebuilt (tokens joined by spaces, sentences by
//! line breaks) and aligned on the project's text on import.

use std::fmt::Write as _;
use std::path::Path;

use super::{Corpus, Document, ExportError, ExportReport, ImportError, Layer, Place, Span};

/// A `CoNLL` file holds one annotator's tags.
pub(super) fn one_annotator(annotators: &[String]) -> Result<(), ExportError> {
    if annotators.len() > 1 {
        return Err(ExportError::Unsupported(format!(
            "a CoNLL file holds one annotator's tags; choose one ({})",
            annotators.join(", ")
        )));
    }
    Ok(())
}

/// One document, on its own (any thread): the records it makes, as bytes.
#[allow(clippy::unnecessary_wraps)] // a `Render`: other formats' rendering can fail
pub(super) fn render(doc: &Document, report: &mut ExportReport) -> Result<Vec<u8>, ExportError> {
    let mut bytes = Vec::new();
    for layer in &doc.layers {
        let pieces: Vec<[usize; 2]> = layer
            .spans
            .iter()
            .flat_map(|s| s.pieces.iter().copied())
            .collect();
        let tokens = super::tokens::tokenize(&doc.text, &pieces);
        let flat: Vec<[usize; 2]> = tokens.all.iter().map(|t| t.chars).collect();
        let mut tags: Vec<Option<(usize, bool)>> = vec![None; flat.len()];
        // Longest first; a span that would share a token with a longer one is left out.
        let mut order: Vec<usize> = (0..layer.spans.len()).collect();
        order.sort_by_key(|&i| {
            let s = &layer.spans[i];
            (std::cmp::Reverse(s.end() - s.start()), s.start())
        });
        let (mut overlapping, mut trimmed) = (0, 0);
        for i in order {
            let span = &layer.spans[i];
            let mut covered: Vec<(usize, bool)> = Vec::new();
            for &[a, b] in &span.pieces {
                let first = flat.partition_point(|t| t[1] <= a);
                let mut begin = true;
                for (k, t) in flat.iter().enumerate().skip(first) {
                    if t[0] >= b {
                        break;
                    }
                    covered.push((k, begin));
                    begin = false;
                }
                let inner = flat[first..]
                    .iter()
                    .take_while(|t| t[0] < b)
                    .fold(None::<[usize; 2]>, |acc, t| {
                        Some(acc.map_or(*t, |x| [x[0], t[1]]))
                    });
                if inner != Some([a, b]) {
                    trimmed += 1;
                }
            }
            if covered.iter().any(|(k, _)| tags[*k].is_some()) || covered.is_empty() {
                overlapping += 1;
                continue;
            }
            for (k, begin) in covered {
                tags[k] = Some((i, begin));
            }
        }
        report.lossy.add(
            "spans left out of CoNLL because they overlap a longer span (one tag per token; \
             longest first)",
            overlapping,
        );
        report.lossy.add(
            "span ends on whitespace moved to the nearest token (CoNLL tokens have none)",
            trimmed,
        );
        let discontinuous = layer.spans.iter().filter(|s| s.pieces.len() > 1).count();
        report.lossy.add(
            "discontinuous spans written as one chunk per piece",
            discontinuous,
        );
        report.lossy.add(
            "relations not written (CoNLL has none)",
            layer.relations.len(),
        );
        let attrs: usize = layer.spans.iter().map(|s| s.attributes.len()).sum();
        report
            .lossy
            .add("attribute values not written (CoNLL has none)", attrs);
        let notes = layer.spans.iter().filter(|s| s.note.is_some()).count();
        report
            .lossy
            .add("notes not written (CoNLL has none)", notes);

        let mut block = String::with_capacity(2 * doc.text.len());
        let _ = writeln!(block, "-DOCSTART- {}\n", doc.path.as_deref().unwrap_or(""));
        let mut k = 0;
        for sentence in tokens.sentences() {
            for t in sentence {
                let token = &doc.text[t.bytes[0]..t.bytes[1]];
                block.push_str(token);
                match tags[k] {
                    None => block.push_str("\tO\n"),
                    Some((i, begin)) => {
                        block.push_str(if begin { "\tB-" } else { "\tI-" });
                        block.push_str(&layer.spans[i].label);
                        block.push('\n');
                    }
                }
                k += 1;
            }
            block.push('\n');
        }
        bytes.extend_from_slice(block.as_bytes());
        report.records += 1;
        report.annotations += layer.spans.len() - overlapping;
    }
    Ok(bytes)
}

/// One chunk being read.
struct Open {
    label: String,
    start: usize,
    line: usize,
}

struct DocBuilder {
    path: Option<String>,
    text: String,
    chars: usize,
    spans: Vec<Span>,
    open: Option<Open>,
    line: usize,
    sentence_started: bool,
}

impl DocBuilder {
    fn new(path: Option<String>, line: usize) -> Self {
        Self {
            path,
            text: String::new(),
            chars: 0,
            spans: Vec::new(),
            open: None,
            line,
            sentence_started: false,
        }
    }

    fn close(&mut self, file: &Path) {
        if let Some(open) = self.open.take() {
            // The chunk ends at the end of its last token (before the separator).
            let end = self.chars_before_separator();
            self.spans.push(Span {
                id: compact_str::format_compact!("c{}", self.spans.len() + 1),
                label: open.label.into(),
                pieces: vec![[open.start, end]],
                attributes: crate::core::schema::Attributes::new(),
                note: None,
                at: Place::new(file, open.line),
            });
        }
    }

    fn chars_before_separator(&self) -> usize {
        self.chars
    }

    fn token(&mut self, token: &str) -> usize {
        if self.sentence_started {
            self.text.push(' ');
            self.chars += 1;
        } else if !self.text.is_empty() {
            self.text.push('\n');
            self.chars += 1;
        }
        self.sentence_started = true;
        let start = self.chars;
        self.text.push_str(token);
        self.chars += token.chars().count();
        start
    }

    fn finish(mut self, file: &Path) -> Option<Document> {
        self.close(file);
        if self.text.is_empty() {
            return None;
        }
        Some(Document {
            path: self.path,
            text: self.text,
            bom: false,
            rebuilt: true,
            layers: vec![Layer {
                annotator: None,
                spans: self.spans,
                relations: Vec::new(),
            }],
            at: Place::new(file, self.line),
        })
    }
}

pub fn read(path: &Path) -> Result<Corpus, ImportError> {
    let content = super::read_utf8(path)?;
    let (content, _) = super::strip_bom(content);
    let mut corpus = Corpus::default();
    let mut doc = DocBuilder::new(None, 1);
    for (i, raw) in content.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end_matches('\r');
        if let Some(rest) = line.strip_prefix("-DOCSTART-") {
            let finished = std::mem::replace(&mut doc, DocBuilder::new(None, n));
            corpus.documents.extend(finished.finish(path));
            let rest = rest.trim();
            let looks_like_tags = rest.is_empty()
                || rest == "O"
                || rest.starts_with("-X-")
                || rest.starts_with("-DOCSTART-");
            doc.path = (!looks_like_tags).then(|| rest.to_owned());
            continue;
        }
        if line.trim().is_empty() {
            doc.close(path);
            doc.sentence_started = false;
            continue;
        }
        let fields: Vec<&str> = if line.contains('\t') {
            line.split('\t').collect()
        } else {
            line.split_whitespace().collect()
        };
        if fields.len() < 2 {
            return Err(ImportError::bad(
                path,
                n,
                format!("expected \"token<TAB>tag\", found {line:?}"),
            ));
        }
        let (token, tag) = (fields[0], fields[fields.len() - 1].trim());
        if token.is_empty() {
            return Err(ImportError::bad(path, n, "an empty token"));
        }
        let (prefix, label) = if tag == "O" {
            ("O", "")
        } else {
            match tag.split_once('-') {
                Some((p @ ("B" | "I" | "E" | "S" | "L" | "U"), l)) if !l.is_empty() => (p, l),
                _ => {
                    return Err(ImportError::bad(
                        path,
                        n,
                        format!("tag {tag:?} is not O or B-/I-/E-/S-/L-/U- and a label"),
                    ));
                }
            }
        };
        let continues = matches!(prefix, "I" | "E" | "L")
            && doc.open.as_ref().is_some_and(|o| o.label == label);
        if !continues {
            doc.close(path);
        }
        let start = doc.token(token);
        if prefix == "O" {
            continue;
        }
        if !continues {
            doc.open = Some(Open {
                label: label.to_owned(),
                start,
                line: n,
            });
        }
        if matches!(prefix, "E" | "L" | "S" | "U") {
            doc.close(path);
        }
    }
    corpus.documents.extend(doc.finish(path));
    Ok(corpus)
}
