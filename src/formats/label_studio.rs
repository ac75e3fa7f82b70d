//! Label Studio JSON (the task export): a list of tasks
//! `{"id", "data": {"text", "document"}, "annotations": [{"id", "completed_by", "result": [...]}]}`
//! with one annotation per annotator. Results: `labels` regions (`value.start/end/text/labels`),
//! per-region `choices` (choice attributes) and `textarea` (text attributes; `from_name`
//! `note` is the note), and `relation` results (`from_id`, `to_id`, `labels`). Offsets are
//! code points.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use super::lenient::{self, As};
use super::{Corpus, Document, ExportError, ExportReport, ImportError, Layer, Link, Place, Span};
use crate::core::schema::AttributeValue;

pub struct Writer<'a> {
    out: Box<dyn Write + 'a>,
    tasks: usize,
}

impl<'a> Writer<'a> {
    pub fn new(out: Box<dyn Write + 'a>) -> Self {
        Self { out, tasks: 0 }
    }
}

/// One task, on its own (any thread), without its `"id"`.
fn render(doc: &Document, report: &mut ExportReport) -> Result<Vec<u8>, ExportError> {
    let index = super::CharIndex::new(&doc.text);
    let mut annotations = Vec::new();
    for (k, layer) in doc.layers.iter().enumerate() {
        let mut result = Vec::new();
        let mut region_of: HashMap<&str, String> = HashMap::new();
        for s in &layer.spans {
            if s.pieces.len() > 1 {
                report.lossy.add(
                    "discontinuous spans written as one Label Studio region per piece \
                     (relations attach to the first)",
                    1,
                );
            }
            for (p, [a, b]) in s.pieces.iter().enumerate() {
                let region = if p == 0 {
                    s.id.to_string()
                } else {
                    format!("{}-{p}", s.id)
                };
                let value = |extra: (&str, Value)| {
                    let mut v = json!({"start": a, "end": b});
                    v[extra.0] = extra.1;
                    v
                };
                let mut labels = value(("labels", json!([s.label])));
                labels["text"] = json!(&doc.text[index.byte(*a)..index.byte(*b)]);
                result.push(json!({
                    "id": region, "type": "labels", "from_name": "label", "to_name": "text",
                    "value": labels,
                }));
                for (name, v) in &s.attributes {
                    let (kind, payload) = match v {
                        AttributeValue::Flag(true) => ("choices", json!(["yes"])),
                        AttributeValue::Flag(false) => continue,
                        AttributeValue::Text(t) => ("choices", json!([t])),
                    };
                    result.push(json!({
                        "id": region, "type": kind, "from_name": name, "to_name": "text",
                        "value": value((kind, payload)),
                    }));
                }
                if let Some(note) = &s.note {
                    result.push(json!({
                        "id": region, "type": "textarea", "from_name": "note",
                        "to_name": "text", "value": value(("text", json!([note]))),
                    }));
                }
            }
            region_of.insert(&s.id, s.id.to_string());
        }
        for r in &layer.relations {
            result.push(json!({
                "type": "relation", "from_id": r.from, "to_id": r.to,
                "direction": "right", "labels": [r.kind],
            }));
        }
        annotations.push(json!({
            "id": k + 1,
            "completed_by": layer.annotator,
            "result": result,
        }));
        report.wrote(layer);
    }
    // Without its number, which only the writer knows (documents are rendered on any
    // core): keys come sorted, so `"id"` goes last, added by `write_rendered`.
    let task = json!({
        "data": {"text": doc.text, "document": doc.path},
        "annotations": annotations,
    });
    Ok(serde_json::to_vec(&task).map_err(std::io::Error::from)?)
}

impl super::Writer for Writer<'_> {
    fn renderer(&self) -> Option<super::Render> {
        Some(render)
    }

    fn write_rendered(&mut self, bytes: &[u8]) -> Result<(), ExportError> {
        self.tasks += 1;
        self.out
            .write_all(if self.tasks == 1 { b"[\n" } else { b",\n" })?;
        // `{…}` → `{…,"id":N}`
        let open = bytes.strip_suffix(b"}").unwrap_or(bytes);
        self.out.write_all(open)?;
        write!(self.out, ",\"id\":{}}}", self.tasks)?;
        Ok(())
    }

    fn finish(&mut self, _report: &mut ExportReport) -> Result<(), ExportError> {
        self.out
            .write_all(if self.tasks == 0 { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()?;
        Ok(())
    }
}

#[allow(clippy::too_many_lines)] // one pass over tasks, annotations and results
pub fn read(path: &Path) -> Result<Corpus, ImportError> {
    use rayon::prelude::*;
    let content = super::read_utf8(path)?;
    let not_json = |e: serde_json::Error| {
        ImportError::bad(path, e.line(), format!("not Label Studio JSON: {e}"))
    };
    // serde's split of the whole list, which names the place of a fault in the file.
    let split_by_serde = || -> Result<Vec<&str>, ImportError> {
        let raw: Vec<&serde_json::value::RawValue> =
            serde_json::from_str(&content).map_err(not_json)?;
        Ok(raw.iter().map(|r| r.get()).collect())
    };
    let read_one = |t: usize, raw: &str| {
        let task: As<TaskIn<'_>> = serde_json::from_str(raw).map_err(not_json)?;
        read_task(path, t, task.0.unwrap_or_default())
    };
    // The list is split into its tasks unparsed, each task read on any core as soon as it is
    // found (the split runs on this thread meanwhile); serde splits what the quick split
    // cannot.
    let mut read: Vec<(usize, TaskRead)> = Vec::new();
    let split = match content.trim_start().chars().next() {
        Some('[') => {
            let (done, finished) = std::sync::mpsc::channel();
            let split = rayon::in_place_scope(|scope| {
                let mut t = 0;
                super::json_array::for_each_object(&content, |raw| {
                    let done = done.clone();
                    let read_one = &read_one;
                    let i = t;
                    scope.spawn(move |_| {
                        let _ = done.send((i, read_one(i, raw)));
                    });
                    t += 1;
                })
            });
            drop(done);
            read.extend(finished);
            read.sort_unstable_by_key(|(t, _)| *t);
            split
        }
        Some('{') => {
            let raw: &serde_json::value::RawValue =
                serde_json::from_str(&content).map_err(not_json)?;
            read.push((0, read_one(0, raw.get())));
            Some(())
        }
        _ => return Err(ImportError::bad(path, 1, "expected a list of tasks")),
    };
    if split.is_none() {
        read = split_by_serde()?
            .par_iter()
            .enumerate()
            .map(|(t, raw)| (t, read_one(t, raw)))
            .collect();
    }
    // A task that is not JSON: serde's split of the whole file says where.
    if read.iter().any(|(_, r)| r.is_err()) {
        split_by_serde()?;
    }
    let mut corpus = Corpus::default();
    let (mut predictions, mut cancelled, mut other) = (0usize, 0usize, 0usize);
    for (_, r) in read {
        let (doc, tally) = r?;
        predictions += tally.predictions;
        cancelled += tally.cancelled;
        other += tally.other;
        corpus.documents.push(doc);
    }
    if predictions > 0 {
        corpus.warnings.push(format!(
            "{predictions} predictions not imported (only annotations are)"
        ));
    }
    if cancelled > 0 {
        corpus
            .warnings
            .push(format!("{cancelled} cancelled annotations not imported"));
    }
    if other > 0 {
        corpus.warnings.push(format!(
            "{other} results that are not about a span (ratings, task-level choices …) not \
             imported"
        ));
    }
    Ok(corpus)
}

/// A task read: its document and what else it held, or what is wrong with it.
type TaskRead = Result<(Document, Tally), ImportError>;

/// What a task held besides its annotations.
#[derive(Default)]
struct Tally {
    predictions: usize,
    cancelled: usize,
    other: usize,
}

/// A task as read (see [`super::lenient`]: every field as `Value::as_*` would read it).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct TaskIn<'a> {
    #[serde(borrow)]
    data: As<DataIn<'a>>,
    predictions: As<Vec<As<serde::de::IgnoredAny>>>,
    #[serde(borrow)]
    annotations: As<Vec<As<AnnotationIn<'a>>>>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct DataIn<'a> {
    #[serde(borrow)]
    text: As<Cow<'a, str>>,
    #[serde(borrow)]
    document: As<Cow<'a, str>>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AnnotationIn<'a> {
    was_cancelled: As<bool>,
    completed_by: As<Value>,
    #[serde(borrow)]
    result: As<Vec<As<ResultIn<'a>>>>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ResultIn<'a> {
    #[serde(borrow, rename = "type")]
    kind: As<Cow<'a, str>>,
    #[serde(borrow)]
    id: As<Cow<'a, str>>,
    #[serde(borrow)]
    value: As<ValueIn<'a>>,
    #[serde(borrow)]
    from_id: As<Cow<'a, str>>,
    #[serde(borrow)]
    to_id: As<Cow<'a, str>>,
    #[serde(borrow)]
    labels: As<Vec<As<Cow<'a, str>>>>,
    #[serde(borrow)]
    direction: As<Cow<'a, str>>,
    #[serde(borrow)]
    from_name: As<Cow<'a, str>>,
}

/// A result's `value`: a region's (`start`, `end`, `text`, `labels`), a choice's (`choices`)
/// or a text area's (`text`, a list there).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ValueIn<'a> {
    start: As<u64>,
    end: As<u64>,
    #[serde(borrow)]
    text: As<TextIn<'a>>,
    #[serde(borrow)]
    labels: As<Vec<As<Cow<'a, str>>>>,
    #[serde(borrow)]
    choices: As<Vec<As<Cow<'a, str>>>>,
}

/// `value.text`: a string (a region's covered text) or a list of strings (a text area's).
enum TextIn<'a> {
    One(Cow<'a, str>),
    Many(Vec<As<Cow<'a, str>>>),
}

impl<'de: 'a, 'a> lenient::Wanted<'de> for TextIn<'a> {
    fn from_str(s: Cow<'de, str>) -> Option<Self> {
        Some(Self::One(s))
    }
    fn from_seq<A: serde::de::SeqAccess<'de>>(seq: A) -> Result<Option<Self>, A::Error> {
        Ok(<Vec<As<Cow<'a, str>>>>::from_seq(seq)?.map(Self::Many))
    }
}

lenient::wanted_object!(TaskIn, DataIn, AnnotationIn, ResultIn, ValueIn);

/// The strings of a list (what `as_array` then `filter_map(as_str)` gave).
fn strings<'s>(list: &'s As<Vec<As<Cow<'_, str>>>>) -> impl Iterator<Item = &'s str> {
    list.0.iter().flatten().filter_map(|x| x.0.as_deref())
}

/// One task (number `t`, from 0) as a document.
#[allow(clippy::too_many_lines)] // one pass over annotations and results
fn read_task(path: &Path, t: usize, task: TaskIn<'_>) -> Result<(Document, Tally), ImportError> {
    let (mut predictions, mut cancelled, mut other) = (0usize, 0usize, 0usize);
    let file: std::sync::Arc<Path> = path.into();
    let at = Place::in_file(&file, 0);
    let bad = |m: String| ImportError::bad(path, 0, format!("task {}: {m}", t + 1));
    let Some(data) = task.data.0 else {
        return Err(bad("no \"data\" object".into()));
    };
    let Some(text) = data.text.0 else {
        return Err(bad("no data.text string".into()));
    };
    let index = super::CharIndex::new(&text);
    let len = index.char_len();
    predictions += task.predictions.0.map_or(0, |p| p.len());
    let mut layers = Vec::new();
    for (k, annotation) in task.annotations.0.into_iter().flatten().enumerate() {
        let annotation = annotation.0.unwrap_or_default();
        if annotation.was_cancelled.0 == Some(true) {
            cancelled += 1;
            continue;
        }
        let annotator = annotator_name(annotation.completed_by.0.as_ref());
        let mut layer = Layer {
            annotator,
            ..Layer::default()
        };
        // Region ids (a result without one is `r<number>`, as its span's id) → span.
        let mut regions: HashMap<Cow<'_, str>, usize> = HashMap::new();
        let results: Vec<ResultIn<'_>> = annotation
            .result
            .0
            .into_iter()
            .flatten()
            .map(|r| r.0.unwrap_or_default())
            .collect();
        let where_ = |r: usize| format!("annotation {} result {}", k + 1, r + 1);
        // Regions first, then what hangs on them.
        for (r, result) in results.iter().enumerate() {
            if result.kind.0.as_deref() != Some("labels") {
                continue;
            }
            let no_value = ValueIn::default();
            let v = result.value.0.as_ref().unwrap_or(&no_value);
            let (Some(s), Some(e)) = (v.start.0, v.end.0) else {
                return Err(bad(format!("{}: a region without start/end", where_(r))));
            };
            let (s, e) = (
                usize::try_from(s).unwrap_or(usize::MAX),
                usize::try_from(e).unwrap_or(usize::MAX),
            );
            if s > e || e > len {
                return Err(bad(format!(
                    "{}: region {s}..{e} does not fit the text ({len} characters)",
                    where_(r)
                )));
            }
            if let Some(TextIn::One(written)) = &v.text.0 {
                let actual = &text[index.byte(s)..index.byte(e)];
                if actual != written {
                    return Err(bad(format!(
                        "{}: region {s}..{e} says {written:?} but the text there is \
                         {actual:?}",
                        where_(r)
                    )));
                }
            }
            let id = result
                .id
                .0
                .as_deref()
                .map_or_else(|| format!("r{r}"), str::to_owned);
            for (j, label) in strings(&v.labels).enumerate() {
                let span_id = if j == 0 {
                    id.clone()
                } else {
                    format!("{id}+{j}")
                };
                if j == 0 {
                    let region = result
                        .id
                        .0
                        .as_deref()
                        .map_or_else(|| Cow::Owned(format!("r{r}")), Cow::Borrowed);
                    regions.insert(region, layer.spans.len());
                }
                layer.spans.push(Span {
                    id: span_id.into(),
                    label: label.into(),
                    pieces: vec![[s, e]],
                    attributes: crate::core::schema::Attributes::new(),
                    note: None,
                    at: at.clone(),
                });
            }
        }
        for (r, result) in results.iter().enumerate() {
            let kind = result.kind.0.as_deref().unwrap_or_default();
            match kind {
                "labels" => {}
                "relation" => {
                    let end = |id: &As<Cow<'_, str>>| {
                        id.0.as_deref()
                            .filter(|id| regions.contains_key(*id))
                            .map(str::to_owned)
                    };
                    let (Some(from), Some(to)) = (end(&result.from_id), end(&result.to_id)) else {
                        return Err(bad(format!(
                            "{}: a relation refers to an unknown region",
                            where_(r)
                        )));
                    };
                    let (from, to) = match result.direction.0.as_deref() {
                        Some("left") => (to, from),
                        _ => (from, to),
                    };
                    let mut kinds: Vec<String> =
                        strings(&result.labels).map(str::to_owned).collect();
                    if kinds.is_empty() {
                        kinds.push("related".to_owned());
                    }
                    for kind in kinds {
                        layer.relations.push(Link {
                            id: format!("{}-{}", k + 1, r + 1),
                            kind,
                            from: from.clone(),
                            to: to.clone(),
                            at: at.clone(),
                        });
                    }
                }
                "choices" | "textarea" => {
                    let region = result
                        .id
                        .0
                        .as_deref()
                        .and_then(|id| regions.get(id).copied());
                    let name = result.from_name.0.as_deref().unwrap_or(kind).to_owned();
                    let no_value = ValueIn::default();
                    let v = result.value.0.as_ref().unwrap_or(&no_value);
                    let values: Vec<&str> = if kind == "choices" {
                        strings(&v.choices).collect()
                    } else {
                        match &v.text.0 {
                            Some(TextIn::Many(list)) => {
                                list.iter().filter_map(|x| x.0.as_deref()).collect()
                            }
                            _ => Vec::new(),
                        }
                    };
                    let Some(i) = region else {
                        other += 1; // a task-level choice or text: not about a span
                        continue;
                    };
                    let joined = values.join(", ");
                    if kind == "textarea" && name == "note" {
                        layer.spans[i].note = Some(joined);
                    } else {
                        layer.spans[i]
                            .attributes
                            .insert(name, AttributeValue::Text(joined));
                    }
                }
                _ => other += 1,
            }
        }
        layers.push(layer);
    }
    let (text, bom) = super::strip_bom_shifting(&text, &mut layers);
    let doc = Document {
        path: data.document.0.map(Cow::into_owned),
        text,
        bom,
        rebuilt: false,
        layers,
        at,
    };
    Ok((
        doc,
        Tally {
            predictions,
            cancelled,
            other,
        },
    ))
}

fn annotator_name(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(format!("user-{n}")),
        Value::Object(o) => ["email", "username", "id"].iter().find_map(|k| {
            o.get(*k).map(|v| match v {
                Value::String(s) => s.split('@').next().unwrap_or(s).to_owned(),
                other => format!("user-{other}"),
            })
        }),
        _ => None,
    }
}
