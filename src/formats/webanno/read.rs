//! Reading `WebAnno` TSV 3.x: the header's layer declarations, then sentence blocks of
//! token rows, with stacked, multi-token and chained annotations.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::{split_id, split_unescaped, unescape};
use crate::core::schema::AttributeValue;
use crate::formats::{Corpus, Document, ImportError, Layer, Link, Place, Span, Utf16Index};

/// Reads one `.tsv` file, or every `.tsv` under a folder. In a folder, a file
/// `<document>/<annotator>.tsv` (`INCEpTION`'s export layout) is that annotator's layer; other
/// files are documents named by their path.
pub fn read(input: &Path) -> Result<Corpus, ImportError> {
    let mut corpus = Corpus::default();
    let mut counts = Skipped::default();
    if input.is_dir() {
        for (file, rel) in crate::formats::files_with_extension(input, "tsv")? {
            let mut doc = read_in_folder(&file, &rel, &mut counts)?;
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

/// One `.tsv` file of a folder, `rel` its path in the folder: `a.txt/user1.tsv` is document
/// a.txt by user1 (`INCEpTION`'s export layout), `a.tsv` document a.txt.
fn read_in_folder(file: &Path, rel: &str, counts: &mut Skipped) -> Result<Document, ImportError> {
    let mut doc = read_file(file, counts)?;
    let (parent, stem) = rel.rsplit_once('/').unwrap_or(("", rel));
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
    Ok(doc)
}

/// [`read_in_folder`] of one file, what it skips left unsaid (agreement reads a document at a
/// time, straight from the folders).
pub fn read_file_in_folder(file: &Path, rel: &str) -> Result<Document, ImportError> {
    read_in_folder(file, rel, &mut Skipped::default())
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
    let content = crate::formats::read_utf8(path)?;
    let (content, _) = crate::formats::strip_bom(content);
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
            id: id.into(),
            label: label.into(),
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
                    id: id.as_str().into(),
                    label: def.base_short.as_str().into(),
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
