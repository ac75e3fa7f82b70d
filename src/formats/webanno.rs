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
use std::path::{Path, PathBuf};

use super::{
    Corpus, Document, ExportError, ExportReport, ImportError, Layer, Link, Place, Span, Utf16Index,
};
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

/// Reads one `.tsv` file, or every `.tsv` under a folder. In a folder, a file
/// `<document>/<annotator>.tsv` (`INCEpTION`'s export layout) is that annotator's layer; other
/// files are documents named by their path.
pub fn read(input: &Path) -> Result<Corpus, ImportError> {
    let mut corpus = Corpus::default();
    let mut counts = Skipped::default();
    if input.is_dir() {
        for (file, rel) in super::files_with_extension(input, "tsv")? {
            let mut doc = read_file(&file, &mut counts)?;
            // `a.txt/user1.tsv` → document a.txt by user1; `a.tsv` → a.txt.
            let (parent, stem) = rel.rsplit_once('/').unwrap_or(("", &rel));
            let stem = stem.trim_end_matches(".tsv");
            if Path::new(parent)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
            {
                doc.path = Some(parent.to_owned());
                doc.layers[0].annotator = Some(stem.to_owned());
            } else {
                let base = rel.trim_end_matches(".tsv");
                doc.path = Some(format!("{base}.txt"));
            }
            if let Some(existing) = corpus
                .documents
                .iter_mut()
                .find(|d| d.path == doc.path && d.text == doc.text)
            {
                existing.layers.append(&mut doc.layers);
            } else {
                corpus.documents.push(doc);
            }
        }
    } else {
        corpus.documents.push(read_file(input, &mut counts)?);
    }
    counts.warn(&mut corpus.warnings);
    Ok(corpus)
}

#[derive(Default)]
struct Skipped {
    chains: usize,
    slots: usize,
    zero: usize,
}

impl Skipped {
    fn warn(&self, warnings: &mut Vec<String>) {
        if self.chains > 0 {
            warnings.push(format!(
                "{} chain links (#T_CH) not imported (tagdesk has no coreference chains)",
                self.chains
            ));
        }
        if self.slots > 0 {
            warnings.push(format!(
                "{} slot-feature links not imported (tagdesk has no slot features)",
                self.slots
            ));
        }
        if self.zero > 0 {
            warnings.push(format!(
                "{} zero-length spans not imported (tagdesk spans cover at least one character)",
                self.zero
            ));
        }
    }
}

enum Column {
    /// Span layer `layer`, feature number `feature`.
    Span {
        layer: usize,
        feature: usize,
    },
    /// Relation layer `layer`, feature number `feature`.
    RelationFeature {
        layer: usize,
        feature: usize,
    },
    /// Relation layer `layer`'s source column.
    RelationSource {
        layer: usize,
    },
    Skip {
        chain: bool,
    },
}

struct LayerDef {
    short: String,
    /// Feature names (span layers: at least one, the first giving the label).
    features: Vec<String>,
    /// For relation layers: the span layer (index into the span layers) of the base type, or
    /// `None` when the base is plain tokens.
    base: Option<usize>,
    base_short: String,
}

#[derive(Default)]
struct SpanAcc {
    layer: usize,
    begin: usize,
    end: usize,
    values: Vec<Option<String>>,
    line: usize,
}

/// A relation as read: layer, feature values, source address, source id, target address,
/// target id, line.
type RawRelation = (usize, Vec<String>, String, String, String, String, usize);

#[allow(clippy::too_many_lines)] // header, rows and resolution of one file, in order
fn read_file(path: &Path, skipped: &mut Skipped) -> Result<Document, ImportError> {
    let content = super::read_utf8(path)?;
    let (content, _) = super::strip_bom(content);
    let bad = |n: usize, m: String| ImportError::bad(path, n, m);
    let mut span_layers: Vec<LayerDef> = Vec::new();
    let mut relation_layers: Vec<LayerDef> = Vec::new();
    let mut columns: Vec<Column> = Vec::new();
    let mut pending_relations: Vec<(String, String, usize)> = Vec::new();
    let mut saw_format = false;
    // Sentences: text, and the rows.
    let mut sentence_texts: Vec<String> = Vec::new();
    let mut in_text = false;
    // token address → (begin, end, sentence)
    let mut tokens: HashMap<String, (usize, usize)> = HashMap::new();
    let mut token_rows: Vec<(String, usize, usize, String, usize)> = Vec::new();
    let mut spans: BTreeMap<(usize, String), SpanAcc> = BTreeMap::new();
    // Per row: the span keys on it per span layer, to resolve relations.
    let mut spans_at: HashMap<(String, usize), Vec<String>> = HashMap::new();
    // relation layer, feature values, source address, source id, target address, target id, line
    let mut raw_relations: Vec<RawRelation> = Vec::new();
    let _ = &mut pending_relations;
    for (i, raw) in content.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end_matches('\r');
        if let Some(rest) = line.strip_prefix("#FORMAT=") {
            if !rest.starts_with("WebAnno TSV 3") {
                return Err(bad(
                    n,
                    format!("unsupported format {rest:?} (WebAnno TSV 3.x is read)"),
                ));
            }
            saw_format = true;
            continue;
        }
        if let Some(rest) = line.strip_prefix("#T_") {
            let (kind, decl) = rest
                .split_once('=')
                .ok_or_else(|| bad(n, format!("bad layer line {line:?}")))?;
            let mut parts = decl.split('|');
            let type_name = parts.next().unwrap_or_default();
            let short = type_name.rsplit('.').next().unwrap_or(type_name).to_owned();
            let entries: Vec<String> = parts.filter(|p| !p.is_empty()).map(str::to_owned).collect();
            match kind {
                "SP" => {
                    let layer = span_layers.len();
                    let mut features = Vec::new();
                    let mut j = 0;
                    while j < entries.len() {
                        if entries[j].starts_with("ROLE_") {
                            columns.push(Column::Skip { chain: false });
                            columns.push(Column::Skip { chain: false });
                            j += 2;
                        } else {
                            columns.push(Column::Span {
                                layer,
                                feature: features.len(),
                            });
                            features.push(entries[j].clone());
                            j += 1;
                        }
                    }
                    if entries.is_empty() {
                        columns.push(Column::Span { layer, feature: 0 });
                    }
                    // A span layer's `base_short` keeps its full type name, for BT lookups.
                    span_layers.push(LayerDef {
                        short,
                        features,
                        base: None,
                        base_short: type_name.to_owned(),
                    });
                }
                "CH" => {
                    for _ in 0..entries.len().max(1) {
                        columns.push(Column::Skip { chain: true });
                    }
                }
                "RL" => {
                    let layer = relation_layers.len();
                    let mut features = Vec::new();
                    let mut base_name = String::new();
                    for e in &entries {
                        if let Some(b) = e.strip_prefix("BT_") {
                            b.clone_into(&mut base_name);
                            columns.push(Column::RelationSource { layer });
                        } else {
                            columns.push(Column::RelationFeature {
                                layer,
                                feature: features.len(),
                            });
                            features.push(e.clone());
                        }
                    }
                    let base = span_layers.iter().position(|l| l.base_short == base_name);
                    relation_layers.push(LayerDef {
                        short,
                        features,
                        base,
                        base_short: base_name.rsplit('.').next().unwrap_or("Token").to_owned(),
                    });
                }
                other => return Err(bad(n, format!("unknown layer kind T_{other}"))),
            }
            continue;
        }
        if let Some(text) = line.strip_prefix("#Text=") {
            let text = unescape_text(text);
            if in_text && let Some(last) = sentence_texts.last_mut() {
                last.push('\n');
                last.push_str(&text);
            } else {
                sentence_texts.push(text);
                in_text = true;
            }
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            in_text = false;
            continue;
        }
        in_text = false;
        if !saw_format {
            return Err(bad(
                n,
                "no #FORMAT=WebAnno TSV 3.3 header before the first row".into(),
            ));
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 3 {
            return Err(bad(
                n,
                format!("expected \"id<TAB>begin-end<TAB>token…\", found {line:?}"),
            ));
        }
        let addr = fields[0].to_owned();
        let (b, e) = fields[1]
            .split_once('-')
            .and_then(|(b, e)| Some((b.parse::<usize>().ok()?, e.parse::<usize>().ok()?)))
            .ok_or_else(|| bad(n, format!("offsets {:?} are not begin-end", fields[1])))?;
        if b > e {
            return Err(bad(n, format!("offsets {b}-{e} are inverted")));
        }
        if sentence_texts.is_empty() {
            return Err(bad(n, "a token row before any #Text= line".into()));
        }
        tokens.insert(addr.clone(), (b, e));
        let sentence = sentence_texts.len() - 1;
        token_rows.push((addr.clone(), b, e, fields[2].to_owned(), sentence));
        let cells = &fields[3..];
        if cells.iter().filter(|c| !c.is_empty()).count() > columns.len()
            || cells.len() < columns.len()
        {
            return Err(bad(
                n,
                format!(
                    "{} annotation columns where the header declares {}",
                    cells.len().saturating_sub(1),
                    columns.len()
                ),
            ));
        }
        // Relation cells of this row, per relation layer.
        let mut rel_cells: BTreeMap<usize, (Vec<Vec<String>>, Vec<String>)> = BTreeMap::new();
        for (c, column) in columns.iter().enumerate() {
            let cell = cells[c];
            if cell == "_" || cell.is_empty() {
                continue;
            }
            match column {
                Column::Skip { chain } => {
                    let count = split_unescaped(cell, '|').len();
                    if *chain {
                        skipped.chains += count;
                    } else {
                        skipped.slots += count;
                    }
                }
                Column::Span { layer, feature } => {
                    for (stack, entry) in split_unescaped(cell, '|').into_iter().enumerate() {
                        let (value, id) = split_id(entry);
                        let key = match id {
                            Some(id) => (*layer, id.to_owned()),
                            None => (*layer, format!("{addr}#{stack}")),
                        };
                        let acc = spans.entry(key.clone()).or_insert_with(|| SpanAcc {
                            layer: *layer,
                            begin: b,
                            end: e,
                            values: vec![None; span_layers[*layer].features.len().max(1)],
                            line: n,
                        });
                        acc.begin = acc.begin.min(b);
                        acc.end = acc.end.max(e);
                        if value != "*"
                            && value != "_"
                            && let Some(slot) = acc.values.get_mut(*feature)
                        {
                            *slot = Some(unescape(value));
                        }
                        let on_row = spans_at.entry((addr.clone(), *layer)).or_default();
                        if !on_row.contains(&key.1) {
                            on_row.push(key.1.clone());
                        }
                    }
                }
                Column::RelationFeature { layer, feature } => {
                    let entry = rel_cells.entry(*layer).or_default();
                    let values = split_unescaped(cell, '|');
                    if entry.0.len() < values.len() {
                        entry.0.resize(values.len(), Vec::new());
                    }
                    for (k, v) in values.into_iter().enumerate() {
                        let list = &mut entry.0[k];
                        list.resize(*feature, String::new());
                        list.push(if v == "*" { String::new() } else { unescape(v) });
                    }
                }
                Column::RelationSource { layer } => {
                    rel_cells.entry(*layer).or_default().1 = split_unescaped(cell, '|')
                        .into_iter()
                        .map(str::to_owned)
                        .collect();
                }
            }
        }
        for (layer, (features, sources)) in rel_cells {
            for (k, source) in sources.iter().enumerate() {
                let (src_addr, ids) = split_id(source);
                let (src_id, tgt_id) = ids
                    .and_then(|x| x.split_once('_'))
                    .map_or(("0", "0"), |(a, b)| (a, b));
                raw_relations.push((
                    layer,
                    features.get(k).cloned().unwrap_or_default(),
                    src_addr.to_owned(),
                    src_id.to_owned(),
                    addr.clone(),
                    tgt_id.to_owned(),
                    n,
                ));
            }
        }
    }
    if !saw_format {
        return Err(bad(1, "not WebAnno TSV: no #FORMAT= header".into()));
    }
    // Rebuild the text: each sentence placed at its UTF-16 offset.
    let mut text = String::new();
    let mut units = 0usize;
    let mut placed = vec![false; sentence_texts.len()];
    for (addr, b, _, token, sentence) in &token_rows {
        if placed[*sentence] || addr.contains('.') {
            continue;
        }
        placed[*sentence] = true;
        let s = &sentence_texts[*sentence];
        let in_sentence = s
            .find(token.as_str())
            .map_or(0, |i| s[..i].encode_utf16().count());
        let start = b.saturating_sub(in_sentence);
        if start < units {
            continue; // overlapping sentences: keep the first text
        }
        let gap = start - units;
        text.extend(std::iter::repeat_n(' ', gap));
        text.push_str(s);
        units = start + s.encode_utf16().count();
    }
    let utf16 = Utf16Index::new(&text);
    let to_char = |u: usize, n: usize| {
        utf16.char_of(u).ok_or_else(|| {
            bad(
                n,
                format!("UTF-16 offset {u} is inside a character or past the text"),
            )
        })
    };
    let mut layer = Layer::default();
    let mut id_of: HashMap<(usize, String), String> = HashMap::new();
    for ((l, key), acc) in &spans {
        if acc.begin == acc.end {
            skipped.zero += 1;
            continue;
        }
        let def = &span_layers[acc.layer];
        let mut values = acc.values.iter();
        let label = values
            .next()
            .cloned()
            .flatten()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| def.short.clone());
        let mut attributes = crate::core::schema::Attributes::new();
        for (name, value) in def.features.iter().skip(1).zip(values) {
            if let Some(v) = value {
                attributes.insert(name.clone(), AttributeValue::Text(v.clone()));
            }
        }
        let id = format!("{}:{key}", def.short);
        id_of.insert((*l, key.clone()), id.clone());
        layer.spans.push(Span {
            id,
            label,
            pieces: vec![[to_char(acc.begin, acc.line)?, to_char(acc.end, acc.line)?]],
            attributes,
            note: None,
            at: Place::new(path, acc.line),
        });
    }
    let mut token_spans: HashMap<String, String> = HashMap::new();
    for (n_rel, (l, features, src_addr, src_id, tgt_addr, tgt_id, n)) in
        raw_relations.into_iter().enumerate()
    {
        let def = &relation_layers[l];
        let mut end = |addr: &str, id: &str, layer: &mut Layer| -> Result<String, ImportError> {
            let Some(base) = def.base else {
                // Plain tokens: a span per token.
                let (b, e) = *tokens
                    .get(addr)
                    .ok_or_else(|| bad(n, format!("unknown token {addr}")))?;
                if let Some(id) = token_spans.get(addr) {
                    return Ok(id.clone());
                }
                let id = format!("{}:{addr}", def.base_short);
                layer.spans.push(Span {
                    id: id.clone(),
                    label: def.base_short.clone(),
                    pieces: vec![[to_char(b, n)?, to_char(e, n)?]],
                    attributes: crate::core::schema::Attributes::new(),
                    note: None,
                    at: Place::new(path, n),
                });
                token_spans.insert(addr.to_owned(), id.clone());
                return Ok(id);
            };
            let key = if id == "0" {
                let on_row = spans_at
                    .get(&(addr.to_owned(), base))
                    .map_or(&[][..], Vec::as_slice);
                match on_row {
                    [one] => one.clone(),
                    [] => return Err(bad(n, format!("no span at {addr} for a relation"))),
                    _ => {
                        return Err(bad(
                            n,
                            format!("several spans at {addr}: the relation must name one"),
                        ));
                    }
                }
            } else {
                id.to_owned()
            };
            id_of
                .get(&(base, key.clone()))
                .cloned()
                .ok_or_else(|| bad(n, format!("the relation refers to unknown span {key}")))
        };
        let from = end(&src_addr, &src_id, &mut layer)?;
        let to = end(&tgt_addr, &tgt_id, &mut layer)?;
        let kind = features
            .first()
            .filter(|v| !v.is_empty())
            .cloned()
            .unwrap_or_else(|| def.short.clone());
        layer.relations.push(Link {
            id: format!("rel{}", n_rel + 1),
            kind,
            from,
            to,
            at: Place::new(path, n),
        });
    }
    Ok(Document {
        path: None,
        text,
        bom: false,
        rebuilt: true,
        layers: vec![layer],
        at: Place::new(path, 0),
    })
}

fn unescape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}
