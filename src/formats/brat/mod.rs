//! brat standoff: a folder of `name.txt` + `name.ann`, and `annotation.conf`.
//!
//! Offsets are code points of the `.txt` as stored — brat counts a byte-order mark as a
//! character, so offsets shift by one in files that have one.
//!
//! | brat | tagdesk |
//! |---|---|
//! | `T1 Label s e;s e  text` | a span (several pieces: discontinuous) |
//! | `R1 Type Arg1:T1 Arg2:T2` | a relation |
//! | `A1 Name T1 [Value]`, `M1` | an attribute (a flag without a value) |
//! | `#1 AnnotatorNotes T1  text` | the span's note |
//! | `E1 Type:T1 Role:T2 …` | read: the trigger span, and a relation `Role` from it to each argument |
//! | `N1 Type T1 db:id  text` | read: an attribute `Type` = `db:id` |
//! | `* Equiv T1 T2 …` | read: relations `Equiv` T1→T2, T2→T3 … |
//!
//! Events, normalisations and equivalences are written back as what they became (relations,
//! attributes); the report says how many were converted.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;

use super::{CharIndex, Document, ExportError, ExportReport};
use crate::core::schema::{AttributeKind, AttributeValue, Schema};

pub struct Writer {
    dir: PathBuf,
    per_annotator: bool,
    files: super::FolderFiles,
    schema: Schema,
    /// Every attribute the `.ann` files carry: the labels it is on and the values it takes
    /// (the entity link and free-text attributes have no values in the schema). annotation.conf
    /// declares them all, written once every document is.
    used: std::sync::Mutex<UsedAttributes>,
}

/// Attribute name → (labels, values), as brat names them.
type UsedAttributes = BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>;

impl Writer {
    pub fn new(dir: PathBuf, schema: &Schema, annotators: &[String]) -> Result<Self, ExportError> {
        Ok(Self {
            per_annotator: annotators.len() > 1,
            files: super::FolderFiles::new(&dir),
            dir,
            schema: schema.clone(),
            used: std::sync::Mutex::default(),
        })
    }
}

/// brat type names cannot hold spaces.
fn type_name(name: &str) -> String {
    name.replace(char::is_whitespace, "_")
}

impl super::Writer for Writer {
    fn files(&self) -> Option<&dyn super::FileWriter> {
        Some(self)
    }

    fn finish(&mut self, _report: &mut ExportReport) -> Result<(), ExportError> {
        let used = std::mem::take(
            &mut *self
                .used
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        self.files.write(
            0,
            &self.dir.join("annotation.conf"),
            annotation_conf_using(&self.schema, &used).as_bytes(),
        )?;
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
        let index = CharIndex::new(&doc.text);
        let shift = usize::from(doc.bom);
        let rel = doc.path.clone().unwrap_or_else(|| format!("doc-{}", n + 1));
        for layer in &doc.layers {
            let sub = self
                .per_annotator
                .then(|| layer.annotator.clone().unwrap_or_else(|| "unnamed".into()));
            let txt = super::out_path(&self.dir, sub.as_deref(), &rel, "txt");
            let mut bytes = Vec::with_capacity(doc.text.len() + 3);
            if doc.bom {
                bytes.extend_from_slice(b"\xEF\xBB\xBF");
            }
            bytes.extend_from_slice(doc.text.as_bytes());
            self.files.write(n + 1, &txt, &bytes)?;
            let mut ann = String::new();
            let mut tids: HashMap<&str, String> = HashMap::new();
            let (mut a_n, mut note_n) = (0, 0);
            let mut used = UsedAttributes::new();
            for (i, s) in layer.spans.iter().enumerate() {
                let t = format!("T{}", i + 1);
                let offsets: Vec<String> = s
                    .pieces
                    .iter()
                    .map(|[a, b]| format!("{} {}", a + shift, b + shift))
                    .collect();
                let covered =
                    super::covered_slice(&doc.text, &index, &s.pieces).replace(['\n', '\r'], " ");
                let _ = writeln!(
                    ann,
                    "{t}\t{} {}\t{covered}",
                    type_name(&s.label),
                    offsets.join(";")
                );
                for (name, value) in &s.attributes {
                    if !matches!(value, AttributeValue::Flag(false)) {
                        let entry = used.entry(type_name(name)).or_default();
                        entry.0.insert(type_name(&s.label));
                        if let AttributeValue::Text(v) = value {
                            entry.1.insert(type_name(v));
                        }
                    }
                    match value {
                        AttributeValue::Flag(false) => {}
                        AttributeValue::Flag(true) => {
                            a_n += 1;
                            let _ = writeln!(ann, "A{a_n}\t{} {t}", type_name(name));
                        }
                        AttributeValue::Text(v) => {
                            a_n += 1;
                            if v.contains(char::is_whitespace) {
                                report.lossy.add(
                                    "attribute values with spaces written with _ (brat values \
                                     are single words)",
                                    1,
                                );
                            }
                            let _ =
                                writeln!(ann, "A{a_n}\t{} {t} {}", type_name(name), type_name(v));
                        }
                    }
                }
                if let Some(note) = &s.note {
                    note_n += 1;
                    let _ = writeln!(
                        ann,
                        "#{note_n}\tAnnotatorNotes {t}\t{}",
                        note.replace(['\n', '\r', '\t'], " ")
                    );
                }
                tids.insert(&s.id, t);
            }
            for (i, r) in layer.relations.iter().enumerate() {
                let (Some(from), Some(to)) = (tids.get(r.from.as_str()), tids.get(r.to.as_str()))
                else {
                    continue;
                };
                let _ = writeln!(
                    ann,
                    "R{}\t{} Arg1:{from} Arg2:{to}\t",
                    i + 1,
                    type_name(&r.kind)
                );
            }
            let renamed = layer
                .spans
                .iter()
                .filter(|s| s.label.contains(char::is_whitespace))
                .count();
            report.lossy.add(
                "labels with spaces written with _ (brat type names are single words)",
                renamed,
            );
            self.files.write(
                n + 1,
                &super::out_path(&self.dir, sub.as_deref(), &rel, "ann"),
                ann.as_bytes(),
            )?;
            report.wrote(layer);
            let mut all = self
                .used
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for (name, (labels, values)) in used {
                let entry = all.entry(name).or_default();
                entry.0.extend(labels);
                entry.1.extend(values);
            }
        }
        Ok(())
    }
}

/// The schema as brat's annotation.conf.
pub fn annotation_conf(schema: &Schema) -> String {
    annotation_conf_using(schema, &UsedAttributes::new())
}

/// The schema as brat's annotation.conf, declaring also every attribute (and value) in `used`:
/// what the `.ann` files carry beyond the schema (the entity link, free-text values), so brat
/// finds every attribute line declared.
fn annotation_conf_using(schema: &Schema, used: &UsedAttributes) -> String {
    let mut s = String::from("# Written by tagdesk from the project's schema.\n\n[entities]\n");
    for l in &schema.labels {
        let _ = writeln!(s, "{}", type_name(&l.name));
    }
    s.push_str("\n[relations]\n");
    let arg = |labels: &[String]| {
        if labels.is_empty() {
            "<ENTITY>".to_owned()
        } else {
            labels
                .iter()
                .map(|l| type_name(l))
                .collect::<Vec<_>>()
                .join("|")
        }
    };
    for r in &schema.relations {
        let _ = writeln!(
            s,
            "{}\tArg1:{}, Arg2:{}",
            type_name(&r.name),
            arg(&r.from),
            arg(&r.to)
        );
    }
    s.push_str(
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n\n[events]\n\n[attributes]\n",
    );
    // One line per attribute name; its labels and (for choices) values merged.
    let mut attrs: BTreeMap<String, (Vec<String>, Option<Vec<String>>)> = BTreeMap::new();
    for l in &schema.labels {
        for a in &l.attributes {
            let entry = attrs.entry(type_name(&a.name)).or_default();
            entry.0.push(type_name(&l.name));
            match &a.kind {
                AttributeKind::Choice { values } => {
                    let list = entry.1.get_or_insert_with(Vec::new);
                    for v in values {
                        if !list.contains(&type_name(v)) {
                            list.push(type_name(v));
                        }
                    }
                }
                AttributeKind::Text => {
                    entry.1.get_or_insert_with(Vec::new);
                }
                AttributeKind::Flag => {}
            }
        }
    }
    for (name, (labels, values)) in used {
        let entry = attrs.entry(name.clone()).or_default();
        for label in labels {
            if !entry.0.contains(label) {
                entry.0.push(label.clone());
            }
        }
        if !values.is_empty() {
            let list = entry.1.get_or_insert_with(Vec::new);
            for v in values {
                if !list.contains(v) {
                    list.push(v.clone());
                }
            }
        }
    }
    for (name, (labels, values)) in attrs {
        let _ = write!(s, "{name}\tArg:{}", labels.join("|"));
        if let Some(values) = values.filter(|v| !v.is_empty()) {
            let _ = write!(s, ", Value:{}", values.join("|"));
        }
        s.push('\n');
    }
    s
}

mod read;
pub use read::{AnnotatorFolders, FolderDocument, read, read_conf, read_within};
