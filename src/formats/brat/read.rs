//! Reading brat standoff: the `.ann` files with their `.txt`, and annotation.conf.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use crate::core::schema::{AttributeDef, AttributeKind, AttributeValue, RelationDef, Schema};
use crate::formats::{CharIndex, Corpus, Document, ImportError, Layer, Link, Place, Span};

/// Reads a brat folder (every `.ann` under it, with the `.txt` beside it) or one `.ann` file,
/// and the nearest `annotation.conf`.
pub fn read(input: &Path) -> Result<Corpus, ImportError> {
    read_within(input, None)
}

/// [`read`], with `outer` — a folder holding `input` — searched for `annotation.conf` after
/// `input`'s own, as brat looks for it in the folders above a document: one annotator's folder
/// of brat-iaa's layout has the conf beside it, not in it.
pub fn read_within(input: &Path, outer: Option<&Path>) -> Result<Corpus, ImportError> {
    let (root, files) = if input.is_dir() {
        (
            input.to_path_buf(),
            crate::formats::files_with_extension(input, "ann")?,
        )
    } else {
        let name = input
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        (
            input.parent().unwrap_or(Path::new(".")).to_path_buf(),
            vec![(input.to_path_buf(), name)],
        )
    };
    let mut corpus = Corpus::default();
    let conf = std::iter::once(root.as_path())
        .chain(outer)
        .map(|dir| dir.join("annotation.conf"))
        .find(|conf| conf.is_file());
    if let Some(conf) = conf {
        corpus.declared = read_conf(&conf)?;
    }
    // Documents are read and parsed on all cores, then taken in order (the first error in file
    // order is the one reported, whatever thread met it).
    let read: Vec<Result<ReadDocument, ImportError>> = {
        use rayon::prelude::*;
        files
            .into_par_iter()
            .map(|(ann_path, rel)| {
                let txt_path = ann_path.with_extension("txt");
                let raw = crate::formats::read_utf8(&txt_path)?;
                let (text, bom) = crate::formats::strip_bom(raw);
                let ann = crate::formats::read_utf8(&ann_path)?;
                let (mut counts, mut warnings) = (Counts::default(), Vec::new());
                let layer = read_ann(&ann_path, &ann, &text, bom, &mut counts, &mut warnings)?;
                let path = rel.strip_suffix(".ann").map(|s| format!("{s}.txt"));
                let doc = Document {
                    path,
                    text,
                    bom,
                    rebuilt: false,
                    layers: vec![layer],
                    at: Place::new(&ann_path, 0),
                };
                Ok((doc, counts, warnings))
            })
            .collect()
    };
    let mut counts = Counts::default();
    for r in read {
        let (doc, c, warnings) = r?;
        counts.events += c.events;
        counts.normalizations += c.normalizations;
        counts.equivalences += c.equivalences;
        corpus.warnings.extend(warnings);
        corpus.documents.push(doc);
    }
    counts.warn(&mut corpus.warnings);
    Ok(corpus)
}

/// One document of a folder per annotator: its path (`a.txt`), its text (read once, from the
/// first annotator's folder that has it), and each annotator's layer (in `annotators` order;
/// `None` where that annotator has no `.ann` for it).
pub type FolderDocument = (String, String, Vec<Option<Layer>>);

/// brat-iaa's layout — one folder per annotator, named after them — listed for reading one
/// document at a time (agreement straight from the folders): each document's text is read
/// once, not once per annotator, and nothing holds more than the documents being read.
pub struct AnnotatorFolders {
    root: std::path::PathBuf,
    /// The folders' names, sorted.
    pub annotators: Vec<String>,
    /// Every `.ann` any annotator has, relative to their folder, sorted.
    pub documents: Vec<String>,
}

impl AnnotatorFolders {
    /// Lists the folders of `root` and the `.ann` files in them.
    pub fn open(root: &Path) -> Result<Self, ImportError> {
        let annotators = crate::formats::subfolders(root)?;
        let mut documents = std::collections::BTreeSet::new();
        for a in &annotators {
            for (_, rel) in crate::formats::files_with_extension(&root.join(a), "ann")? {
                documents.insert(rel);
            }
        }
        Ok(Self {
            root: root.to_owned(),
            annotators,
            documents: documents.into_iter().collect(),
        })
    }

    /// One document (`rel`, one of [`Self::documents`]): its text, from the first annotator's
    /// folder that has it, and the layer of each annotator in `which` (indexes into
    /// [`Self::annotators`]).
    pub fn read(&self, rel: &str, which: &[usize]) -> Result<FolderDocument, ImportError> {
        let root = &self.root;
        let text_file = self
            .annotators
            .iter()
            .map(|a| root.join(a).join(rel).with_extension("txt"))
            .find(|p| p.is_file())
            .ok_or_else(|| {
                ImportError::Project(format!("{rel}: no annotator's folder has its .txt"))
            })?;
        let (text, bom) = crate::formats::strip_bom(crate::formats::read_utf8(&text_file)?);
        let (mut counts, mut warnings) = (Counts::default(), Vec::new());
        let layers = which
            .iter()
            .map(|&i| {
                let ann = root.join(&self.annotators[i]).join(rel);
                if !ann.is_file() {
                    return Ok(None);
                }
                let raw = crate::formats::read_utf8(&ann)?;
                read_ann(&ann, &raw, &text, bom, &mut counts, &mut warnings).map(Some)
            })
            .collect::<Result<Vec<_>, ImportError>>()?;
        let path = rel
            .strip_suffix(".ann")
            .map_or_else(|| rel.to_owned(), |s| format!("{s}.txt"));
        Ok((path, text, layers))
    }
}

/// One brat document as read, with what its reading counted and warned of.
type ReadDocument = (Document, Counts, Vec<String>);

#[derive(Default)]
struct Counts {
    events: usize,
    normalizations: usize,
    equivalences: usize,
}

impl Counts {
    fn warn(&self, warnings: &mut Vec<String>) {
        if self.events > 0 {
            warnings.push(format!(
                "{} events (E) read as their trigger span plus one relation per argument, named \
                 by its role",
                self.events
            ));
        }
        if self.normalizations > 0 {
            warnings.push(format!(
                "{} normalizations (N) read as attributes (type = database:id)",
                self.normalizations
            ));
        }
        if self.equivalences > 0 {
            warnings.push(format!(
                "{} equivalence groups (*) read as chains of relations",
                self.equivalences
            ));
        }
    }
}

#[allow(clippy::too_many_lines)] // one match arm per brat line kind, read in one pass
fn read_ann(
    path: &Path,
    ann: &str,
    text: &str,
    bom: bool,
    counts: &mut Counts,
    warnings: &mut Vec<String>,
) -> Result<Layer, ImportError> {
    let index = CharIndex::new(text);
    let len = index.char_len();
    let shift = usize::from(bom);
    let file: std::sync::Arc<Path> = path.into();
    let mut layer = Layer::default();
    // Events' ids → their trigger span; read after the spans (lines come in any order).
    let mut triggers: HashMap<String, String> = HashMap::new();
    let mut deferred: Vec<(usize, &str)> = Vec::new();
    let mut relation_n = 0usize;
    for (i, line) in ann.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let bad = |m: String| ImportError::bad(path, n, m);
        let mut fields = line.splitn(3, '\t');
        let id = fields.next().unwrap_or_default();
        let Some(body) = fields.next() else {
            return Err(bad(format!("no tab after the id: {line:?}")));
        };
        if !id.starts_with('T') {
            deferred.push((n, line));
            continue;
        }
        let covered_in_file = fields.next();
        let (label, offsets) = body
            .split_once(' ')
            .ok_or_else(|| bad(format!("expected \"Label start end\", found {body:?}")))?;
        let mut pieces = Vec::with_capacity(1);
        for part in offsets.split(';') {
            let (s, e) = part
                .trim()
                .split_once(' ')
                .ok_or_else(|| bad(format!("expected \"start end\", found {part:?}")))?;
            let s: usize = s
                .parse()
                .map_err(|_| bad(format!("start {s:?} is not a number")))?;
            let e: usize = e
                .parse()
                .map_err(|_| bad(format!("end {e:?} is not a number")))?;
            let (s, e) = (s.checked_sub(shift), e.checked_sub(shift));
            let (Some(s), Some(e)) = (s, e) else {
                return Err(bad("the span covers the byte-order mark".into()));
            };
            if s > e || e > len {
                return Err(bad(format!(
                    "span {s}..{e} does not fit the text of {} ({len} characters)",
                    path.with_extension("txt").display()
                )));
            }
            pieces.push([s, e]);
        }
        let span = Span {
            id: id.into(),
            label: label.into(),
            pieces,
            attributes: crate::core::schema::Attributes::new(),
            note: None,
            at: Place::in_file(&file, n),
        };
        if let Some(written) = covered_in_file {
            let actual = crate::formats::covered_slice(text, &index, &span.pieces);
            let norm = |c: char| if matches!(c, '\n' | '\r') { ' ' } else { c };
            if actual != written && !actual.chars().map(norm).eq(written.chars().map(norm)) {
                warnings.push(format!(
                    "{}:{n}: {id} says it covers {written:?} but the text there is {actual:?} \
                     (the offsets are used)",
                    path.display()
                ));
            }
        }
        layer.spans.push(span);
    }
    let span_index = |layer: &Layer, id: &str| layer.spans.iter().position(|s| s.id == id);
    // Events first: other lines may refer to them.
    for &(n, line) in &deferred {
        let (id, body) = line.split_once('\t').unwrap_or_default();
        if !id.starts_with('E') {
            continue;
        }
        let body = body.split('\t').next().unwrap_or_default();
        let mut args = body.split_whitespace();
        let head = args.next().unwrap_or_default();
        let Some((kind, trigger)) = head.split_once(':') else {
            warnings.push(format!(
                "{}:{n}: event {id} has no Type:Trigger; skipped",
                path.display()
            ));
            continue;
        };
        match span_index(&layer, trigger) {
            Some(t) if layer.spans[t].label == kind => {
                triggers.insert(id.to_owned(), trigger.to_owned());
            }
            Some(t) => warnings.push(format!(
                "{}:{n}: event {id} is malformed: its trigger {trigger} is a {} span, not {kind}; \
                 skipped",
                path.display(),
                layer.spans[t].label
            )),
            None => warnings.push(format!(
                "{}:{n}: event {id} names an unknown trigger {trigger}; skipped",
                path.display()
            )),
        }
    }
    let resolve = |target: &str| -> Option<String> {
        if target.starts_with('E') {
            triggers.get(target).cloned()
        } else {
            Some(target.to_owned())
        }
    };
    for (n, line) in deferred {
        let at = Place::in_file(&file, n);
        let (id, rest) = line.split_once('\t').unwrap_or_default();
        let mut fields = rest.split('\t');
        let body = fields.next().unwrap_or_default();
        let tail = fields.next();
        let words: Vec<&str> = body.split_whitespace().collect();
        let skip = |warnings: &mut Vec<String>, why: &str| {
            warnings.push(format!("{}:{n}: {id} skipped: {why}", path.display()));
        };
        let mut push_link = |layer: &mut Layer, kind: &str, from: &str, to: &str| {
            relation_n += 1;
            layer.relations.push(Link {
                id: format!("{id}#{relation_n}"),
                kind: kind.to_owned(),
                from: from.to_owned(),
                to: to.to_owned(),
                at: at.clone(),
            });
        };
        match id.chars().next() {
            Some('E') => {
                let Some(trigger) = triggers.get(id).cloned() else {
                    continue; // reported above
                };
                counts.events += 1;
                for arg in words.iter().skip(1) {
                    let Some((role, target)) = arg.split_once(':') else {
                        skip(warnings, &format!("argument {arg:?} is not Role:Id"));
                        continue;
                    };
                    match resolve(target).filter(|t| span_index(&layer, t).is_some()) {
                        Some(t) => push_link(&mut layer, role, &trigger, &t),
                        None => skip(
                            warnings,
                            &format!("argument {role} refers to unknown {target}"),
                        ),
                    }
                }
            }
            Some('R') => {
                let (Some(kind), Some(a1), Some(a2)) = (words.first(), words.get(1), words.get(2))
                else {
                    skip(warnings, "expected \"Type Arg1:Id Arg2:Id\"");
                    continue;
                };
                let target = |a: &str| a.split_once(':').and_then(|(_, t)| resolve(t));
                match (target(a1), target(a2)) {
                    (Some(f), Some(t))
                        if span_index(&layer, &f).is_some() && span_index(&layer, &t).is_some() =>
                    {
                        push_link(&mut layer, kind, &f, &t);
                    }
                    _ => skip(
                        warnings,
                        "a relation argument refers to an unknown annotation",
                    ),
                }
            }
            Some('A' | 'M') => {
                let (Some(name), Some(target)) = (words.first(), words.get(1)) else {
                    skip(warnings, "expected \"Name Id [Value]\"");
                    continue;
                };
                let value = words.get(2).map_or(AttributeValue::Flag(true), |v| {
                    AttributeValue::Text((*v).to_owned())
                });
                match resolve(target).and_then(|t| span_index(&layer, &t)) {
                    Some(i) => {
                        layer.spans[i].attributes.insert((*name).to_owned(), value);
                    }
                    None => skip(warnings, &format!("attribute of unknown {target}")),
                }
            }
            Some('N') => {
                let (Some(kind), Some(target), Some(reference)) =
                    (words.first(), words.get(1), words.get(2))
                else {
                    skip(warnings, "expected \"Type Id db:id\"");
                    continue;
                };
                match resolve(target).and_then(|t| span_index(&layer, &t)) {
                    Some(i) => {
                        counts.normalizations += 1;
                        layer.spans[i].attributes.insert(
                            (*kind).to_owned(),
                            AttributeValue::Text((*reference).to_owned()),
                        );
                    }
                    None => skip(warnings, &format!("normalization of unknown {target}")),
                }
            }
            Some('*') => {
                let Some(kind) = words.first() else {
                    skip(warnings, "empty equivalence");
                    continue;
                };
                let members: Vec<String> = words[1..]
                    .iter()
                    .filter_map(|t| resolve(t))
                    .filter(|t| span_index(&layer, t).is_some())
                    .collect();
                if members.len() + 1 != words.len() {
                    skip(warnings, "an equivalence member is unknown");
                    continue;
                }
                counts.equivalences += 1;
                for pair in members.windows(2) {
                    push_link(&mut layer, kind, &pair[0], &pair[1]);
                }
            }
            Some('#') => {
                let (Some(target), Some(note)) = (words.get(1), tail) else {
                    skip(warnings, "expected \"AnnotatorNotes Id<TAB>text\"");
                    continue;
                };
                match resolve(target).and_then(|t| span_index(&layer, &t)) {
                    Some(i) if target.starts_with(['T', 'E']) => {
                        let span = &mut layer.spans[i];
                        span.note = Some(match span.note.take() {
                            Some(old) => format!("{old}\n{note}"),
                            None => note.to_owned(),
                        });
                    }
                    _ => skip(
                        warnings,
                        &format!(
                            "a note on {target}, which is not a span (tagdesk keeps notes on spans)"
                        ),
                    ),
                }
            }
            _ => skip(warnings, "unknown annotation kind"),
        }
    }
    Ok(layer)
}

/// Reads annotation.conf: entity and event types become labels, relations relation types
/// (with their argument labels), attributes attributes of the labels they apply to.
pub fn read_conf(path: &Path) -> Result<Schema, ImportError> {
    let content = crate::formats::read_utf8(path)?;
    let mut section = String::new();
    let mut macros: HashMap<String, String> = HashMap::new();
    let mut entities: Vec<String> = Vec::new();
    let mut events: Vec<String> = Vec::new();
    let mut relations: Vec<RelationDef> = Vec::new();
    let mut attributes: Vec<(String, Vec<String>, Option<Vec<String>>)> = Vec::new();
    for (i, raw) in content.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or_default().trim_end();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            name.clone_into(&mut section);
            continue;
        }
        if let Some((name, value)) = trimmed.split_once('=')
            && name.starts_with('<')
            && !trimmed.contains(char::is_whitespace)
        {
            macros.insert(name.to_owned(), value.to_owned());
            continue;
        }
        let expand = |s: &str| -> Vec<String> {
            let s = macros.get(s).map_or(s, String::as_str);
            s.split('|')
                .filter(|x| !x.starts_with('<'))
                .map(str::to_owned)
                .collect()
        };
        let mut parts = trimmed.splitn(2, char::is_whitespace);
        let name = parts.next().unwrap_or_default();
        let args = parts.next().unwrap_or_default().trim();
        let name_clean = name.trim_start_matches('!');
        match section.as_str() {
            "entities" | "spans" if !name.starts_with('!') => {
                entities.push(name_clean.to_owned());
            }
            "events" if !name.starts_with('!') => events.push(name_clean.to_owned()),
            "relations" if !name.starts_with('<') => {
                let mut def = RelationDef {
                    name: name.to_owned(),
                    from: Vec::new(),
                    to: Vec::new(),
                    description: String::new(),
                };
                for arg in args.split(',') {
                    let Some((role, types)) = arg.trim().split_once(':') else {
                        continue;
                    };
                    match role {
                        "Arg1" => def.from = expand(types),
                        "Arg2" => def.to = expand(types),
                        _ => {}
                    }
                }
                relations.push(def);
            }
            "attributes" => {
                let mut applies = Vec::new();
                let mut values = None;
                for arg in args.split(',') {
                    match arg.trim().split_once(':') {
                        Some(("Arg", t)) => {
                            applies = macros
                                .get(t)
                                .map_or(t, String::as_str)
                                .split('|')
                                .map(str::to_owned)
                                .collect();
                        }
                        Some(("Value", v)) => {
                            values = Some(
                                v.split('|')
                                    .map(|x| x.split('=').next().unwrap_or(x).to_owned())
                                    .collect(),
                            );
                        }
                        _ => {}
                    }
                }
                attributes.push((name.to_owned(), applies, values));
            }
            "" => {
                return Err(ImportError::bad(
                    path,
                    i + 1,
                    format!("a line outside any [section]: {trimmed:?}"),
                ));
            }
            // Other sections (and hierarchy-only `!` types) carry nothing tagdesk keeps.
            _ => {}
        }
    }
    let mut schema = Schema {
        labels: Vec::new(),
        relations,
        entity_attributes: Vec::new(),
    };
    let mut seen = BTreeSet::new();
    for label in entities.iter().chain(&events) {
        if seen.insert(label.clone()) {
            crate::formats::import::extend_schema_for_span(
                &mut schema,
                label,
                &crate::core::schema::Attributes::new(),
            );
        }
    }
    for (name, applies, values) in attributes {
        if name == crate::core::schema::ENTITY_ATTRIBUTE {
            continue; // the entity link, which every label takes: not a schema attribute
        }
        let targets: Vec<String> = applies
            .iter()
            .flat_map(|a| match a.as_str() {
                "<ENTITY>" => entities.clone(),
                "<EVENT>" => events.clone(),
                "<ANY>" => entities.iter().chain(&events).cloned().collect(),
                other => vec![other.to_owned()],
            })
            .collect();
        for label in schema
            .labels
            .iter_mut()
            .filter(|l| targets.contains(&l.name))
        {
            label.attributes.push(AttributeDef {
                name: name.clone(),
                kind: match &values {
                    Some(v) => AttributeKind::Choice { values: v.clone() },
                    None => AttributeKind::Flag,
                },
                description: String::new(),
                levels: std::collections::BTreeMap::new(),
            });
        }
    }
    Ok(schema)
}
