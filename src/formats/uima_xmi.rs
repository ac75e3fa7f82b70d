//! UIMA CAS XMI, as `INCEpTION` imports and exports it ("UIMA CAS XMI (XML 1.0)") and
//! dkpro-cassis reads it: a folder per annotator with one `.xmi` per document, and a
//! `TypeSystem.xml`.
//!
//! Written: spans as `webanno.custom.Span` with the features `label`, `note`, `annotator` and
//! one per attribute (`uima.cas.Boolean` for flags, `uima.cas.String` otherwise); relations as
//! `webanno.custom.Relation` (`label`, `annotator`, `Governor` and `Dependent` pointing at the
//! spans; its extent is the dependent's, as `INCEpTION`'s relation layers have it). Offsets are
//! UTF-16 code units (Java strings), converted exactly. A discontinuous span becomes one
//! annotation per piece (counted); its relations use the first.
//!
//! Read: every annotation of the initial view except segmentation (tokens, sentences), document
//! metadata and the CAS's own types. Its label is the `label` or `value` feature (else the
//! type system's first string feature, else the type's short name, as the `WebAnno` TSV reader
//! does); other primitive features become attributes. An annotation with `Governor` and
//! `Dependent` is a relation. Chains (`next`), slot features and other references are counted
//! in a warning.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{
    Corpus, Document, ExportError, ExportReport, ImportError, Layer, Link, Place, Span, Utf16Index,
};
use crate::core::schema::{AttributeKind, AttributeValue, Attributes, Schema};

const SPAN_TYPE: &str = "webanno.custom.Span";
const RELATION_TYPE: &str = "webanno.custom.Relation";
/// Feature names the span type has of its own; an attribute with one of these names (or one
/// that is not a Java identifier) is written as `attr_<name>` with the name made safe.
const RESERVED: [&str; 9] = [
    "label",
    "note",
    "annotator",
    "begin",
    "end",
    "sofa",
    "Governor",
    "Dependent",
    "id",
];

use crate::core::text::xml_escape as esc;

/// The feature an attribute is written as: its name when that is a Java identifier and not
/// one of the span type's own features, else `attr_` and the name with other characters as `_`.
pub fn feature_name(attribute: &str) -> String {
    let identifier = attribute
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && attribute
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if identifier && !RESERVED.contains(&attribute) {
        attribute.to_owned()
    } else {
        let safe: String = attribute
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        format!("attr_{safe}")
    }
}

/// Where an attribute feature was first met: (document in export order + 1, layer); the
/// schema's are `(0, 0)`.
type FirstUse = (usize, usize);

pub struct Writer {
    /// Holds `TypeSystem.xml` and a folder per annotator, always (a lone folder of files would
    /// read as documents in subfolders, or as one annotator's).
    dir: PathBuf,
    /// Attribute features and whether each is a flag: the schema's, then as first used — by
    /// (document, layer) in export order, whichever thread wrote it first.
    features: std::sync::Mutex<BTreeMap<String, (FirstUse, bool)>>,
    files: super::FolderFiles,
}

impl Writer {
    pub fn new(dir: PathBuf, schema: &Schema) -> Self {
        let mut features = BTreeMap::new();
        for label in &schema.labels {
            for attribute in &label.attributes {
                features.insert(
                    feature_name(&attribute.name),
                    ((0, 0), attribute.kind == AttributeKind::Flag),
                );
            }
        }
        Self {
            files: super::FolderFiles::new(&dir),
            dir,
            features: std::sync::Mutex::new(features),
        }
    }

    fn type_system(&self) -> String {
        let feature = |name: &str, range: &str, description: &str| {
            format!(
                "        <featureDescription><name>{name}</name><description>{}</description><rangeTypeName>{range}</rangeTypeName></featureDescription>\n",
                esc(description)
            )
        };
        let mut span_features = feature("label", "uima.cas.String", "the label")
            + &feature("note", "uima.cas.String", "the annotator's note")
            + &feature("annotator", "uima.cas.String", "who made it");
        let features = self
            .features
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (name, (_, flag)) in features.iter() {
            let range = if *flag {
                "uima.cas.Boolean"
            } else {
                "uima.cas.String"
            };
            span_features.push_str(&feature(name, range, "an attribute"));
        }
        let relation_features = feature("label", "uima.cas.String", "the relation type")
            + &feature("annotator", "uima.cas.String", "who made it")
            + &feature("Governor", SPAN_TYPE, "the span it starts at")
            + &feature("Dependent", SPAN_TYPE, "the span it points to");
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<typeSystemDescription xmlns=\"http://uima.apache.org/resourceSpecifier\">\n  <name>tagdesk</name>\n  <description>Spans and relations exported by tagdesk</description>\n  <version>1.0</version>\n  <types>\n    <typeDescription>\n      <name>{SPAN_TYPE}</name>\n      <description>A tagdesk span</description>\n      <supertypeName>uima.tcas.Annotation</supertypeName>\n      <features>\n{span_features}      </features>\n    </typeDescription>\n    <typeDescription>\n      <name>{RELATION_TYPE}</name>\n      <description>A tagdesk relation</description>\n      <supertypeName>uima.tcas.Annotation</supertypeName>\n      <features>\n{relation_features}      </features>\n    </typeDescription>\n  </types>\n</typeSystemDescription>\n"
        )
    }
}

/// One layer of one document as an XMI file.
fn render(doc: &Document, layer: &Layer, report: &mut ExportReport) -> (String, Vec<String>) {
    let utf16 = Utf16Index::new(&doc.text);
    let annotator = layer.annotator.clone().unwrap_or_default();
    let mut used = Vec::new();
    let mut body = String::new();
    let mut members = Vec::new();
    // xmi:ids: 0 is NULL, 1 the sofa, 2 the document annotation, then the annotations.
    let mut next = 3usize;
    let mut first: HashMap<&str, (usize, usize, usize)> = HashMap::new();
    for span in &layer.spans {
        if span.pieces.len() > 1 {
            report
                .lossy
                .add("discontinuous spans written as one annotation per piece", 1);
        }
        let mut features = String::new();
        for (name, value) in &span.attributes {
            let feature = feature_name(name);
            match value {
                AttributeValue::Flag(b) => {
                    let _ = write!(features, " {feature}=\"{b}\"");
                }
                AttributeValue::Text(t) => {
                    let _ = write!(features, " {feature}=\"{}\"", esc(t));
                }
            }
            used.push(name.clone());
        }
        if let Some(note) = &span.note {
            let _ = write!(features, " note=\"{}\"", esc(note));
        }
        for &[a, b] in &span.pieces {
            let (begin, end) = (utf16.utf16(a), utf16.utf16(b));
            let id = next;
            next += 1;
            first.entry(span.id.as_str()).or_insert((id, begin, end));
            members.push(id);
            let _ = writeln!(
                body,
                "    <custom:Span xmi:id=\"{id}\" sofa=\"1\" begin=\"{begin}\" end=\"{end}\" label=\"{}\" annotator=\"{}\"{features}/>",
                esc(&span.label),
                esc(&annotator)
            );
        }
    }
    for link in &layer.relations {
        let (Some(from), Some(to)) = (first.get(link.from.as_str()), first.get(link.to.as_str()))
        else {
            report
                .lossy
                .add("relations between missing spans not written", 1);
            continue;
        };
        let id = next;
        next += 1;
        members.push(id);
        let _ = writeln!(
            body,
            "    <custom:Relation xmi:id=\"{id}\" sofa=\"1\" begin=\"{}\" end=\"{}\" label=\"{}\" annotator=\"{}\" Governor=\"{}\" Dependent=\"{}\"/>",
            to.1,
            to.2,
            esc(&link.kind),
            esc(&annotator),
            from.0,
            to.0
        );
    }
    report.wrote(layer);
    let members: Vec<String> = std::iter::once("2".to_owned())
        .chain(members.iter().map(ToString::to_string))
        .collect();
    let xmi = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xmi:XMI xmlns:xmi=\"http://www.omg.org/XMI\" xmlns:cas=\"http:///uima/cas.ecore\" xmlns:tcas=\"http:///uima/tcas.ecore\" xmlns:custom=\"http:///webanno/custom.ecore\" xmi:version=\"2.0\">\n    <cas:NULL xmi:id=\"0\"/>\n    <tcas:DocumentAnnotation xmi:id=\"2\" sofa=\"1\" begin=\"0\" end=\"{}\" language=\"x-unspecified\"/>\n{body}    <cas:Sofa xmi:id=\"1\" sofaNum=\"1\" sofaID=\"_InitialView\" mimeType=\"text/plain\" sofaString=\"{}\"/>\n    <cas:View sofa=\"1\" members=\"{}\"/>\n</xmi:XMI>\n",
        utf16.utf16(usize::MAX),
        esc(&doc.text),
        members.join(" ")
    );
    (xmi, used)
}

impl super::Writer for Writer {
    fn files(&self) -> Option<&dyn super::FileWriter> {
        Some(self)
    }

    fn finish(&mut self, _report: &mut ExportReport) -> Result<(), ExportError> {
        self.files.write(
            usize::MAX,
            &self.dir.join("TypeSystem.xml"),
            self.type_system().as_bytes(),
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
        let rel = doc.path.clone().unwrap_or_else(|| format!("doc-{}", n + 1));
        for (i, layer) in doc.layers.iter().enumerate() {
            let sub = layer
                .annotator
                .clone()
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| "unnamed".into());
            let (xmi, used) = render(doc, layer, report);
            let first = (n + 1, i);
            for name in used {
                let flag = layer
                    .spans
                    .iter()
                    .filter_map(|s| s.attributes.get(&name))
                    .all(|v| matches!(v, AttributeValue::Flag(_)));
                let mut features = self
                    .features
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let entry = features.entry(feature_name(&name)).or_insert((first, flag));
                if first < entry.0 {
                    *entry = (first, flag);
                }
            }
            let path = super::out_path(&self.dir, Some(&sub), &rel, "xmi");
            self.files.write(n, &path, xmi.as_bytes())?;
        }
        Ok(())
    }
}

// ---- Reading ----

/// Namespaces whose types are not annotations a user made: the CAS's own, segmentation and
/// document metadata.
fn skipped(namespace: &str, name: &str) -> bool {
    namespace == "http:///uima/cas.ecore"
        || (namespace == "http:///uima/tcas.ecore" && name == "DocumentAnnotation")
        || namespace.ends_with("/segmentation/type.ecore")
        || namespace.ends_with("/metadata/type.ecore")
}

/// Features of each type in a type system, in their declared order, with their range types.
type Features = HashMap<String, Vec<(String, String)>>;

fn read_type_system(path: &Path) -> Result<Features, ImportError> {
    let xml = super::read_utf8(path)?;
    let tree = roxmltree::Document::parse(&xml)
        .map_err(|e| ImportError::bad(path, e.pos().row as usize, e.to_string()))?;
    let child_text = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.children()
            .find(|n| n.is_element() && n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(|t| t.trim().to_owned())
    };
    let mut out = Features::new();
    for t in tree
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "typeDescription")
    {
        let Some(name) = child_text(t, "name") else {
            continue;
        };
        let features = t
            .descendants()
            .filter(|n| n.is_element() && n.tag_name().name() == "featureDescription")
            .filter_map(|f| Some((child_text(f, "name")?, child_text(f, "rangeTypeName")?)))
            .collect();
        out.insert(name, features);
    }
    Ok(out)
}

/// The UIMA type name of an element: its namespace URI `http:///a/b.ecore` and local name `T`
/// give `a.b.T`.
fn type_name(namespace: &str, name: &str) -> String {
    let package = namespace
        .trim_start_matches("http:///")
        .trim_end_matches(".ecore")
        .replace('/', ".");
    format!("{package}.{name}")
}

fn is_primitive(range: &str) -> bool {
    matches!(
        range,
        "uima.cas.String"
            | "uima.cas.Boolean"
            | "uima.cas.Integer"
            | "uima.cas.Float"
            | "uima.cas.Double"
            | "uima.cas.Long"
            | "uima.cas.Short"
            | "uima.cas.Byte"
    )
}

/// Reads one `.xmi` file, a folder of them (`<annotator>/<document>.xmi` when there are
/// subfolders), with the type system beside them when there is one (`TypeSystem.xml`, or any
/// `*.xml` holding a `typeSystemDescription` given as `--format uima-xmi FILE.xmi`'s neighbour).
pub fn read(input: &Path) -> Result<Corpus, ImportError> {
    read_within(input, None)
}

/// [`read`], with `outer` — a folder holding `input` — searched for the type system after
/// `input`'s own (one annotator's folder has it beside it, not in it).
pub fn read_within(input: &Path, outer: Option<&Path>) -> Result<Corpus, ImportError> {
    let (root, files): (PathBuf, Vec<(PathBuf, String)>) = if input.is_dir() {
        (
            input.to_path_buf(),
            super::files_with_extension(input, "xmi")?,
        )
    } else {
        let name = input
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (
            input.parent().unwrap_or(Path::new(".")).to_path_buf(),
            vec![(input.to_path_buf(), name)],
        )
    };
    if files.is_empty() {
        return Err(ImportError::bad(input, 0, "no .xmi files here"));
    }
    let features = features_for(&root, outer)?;
    let mut corpus = Corpus {
        declared: Schema {
            labels: Vec::new(),
            relations: Vec::new(),
            entity_attributes: Vec::new(),
        },
        ..Corpus::default()
    };
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (path, rel) in files {
        let xml = super::read_utf8(&path)?;
        let tree = roxmltree::Document::parse(&xml)
            .map_err(|e| ImportError::bad(&path, e.pos().row as usize, e.to_string()))?;
        let (folder_annotator, doc_path) = layout(&rel, input.is_dir());
        let document = read_cas(
            &tree,
            &path,
            &doc_path,
            folder_annotator.as_ref(),
            &features,
            &mut counts,
        )?;
        corpus.documents.push(document);
    }
    for (what, n) in counts {
        corpus
            .warnings
            .push(format!("{}: {n} {what}", input.display()));
    }
    Ok(corpus)
}

/// The features the type system beside `folder` (or in `outer`) declares; none without one.
fn features_for(folder: &Path, outer: Option<&Path>) -> Result<Features, ImportError> {
    let type_system = std::iter::once(folder)
        .chain(outer)
        .flat_map(|dir| ["TypeSystem.xml", "typesystem.xml"].map(|n| dir.join(n)))
        .find(|p| p.is_file());
    match &type_system {
        Some(path) => read_type_system(path),
        None => Ok(Features::new()),
    }
}

/// A folder of `.xmi` files read a file at a time (agreement straight from one folder per
/// annotator): its type system read once, each file as [`read_within`] reads it in the folder.
pub struct FolderReader {
    features: Features,
}

impl FolderReader {
    /// `folder`'s type system, or `outer`'s.
    pub fn new(folder: &Path, outer: Option<&Path>) -> Result<Self, ImportError> {
        Ok(Self {
            features: features_for(folder, outer)?,
        })
    }

    /// The file `rel` of the folder, as a document (what it skips left unsaid).
    pub fn read(&self, file: &Path, rel: &str) -> Result<Document, ImportError> {
        let xml = super::read_utf8(file)?;
        let tree = roxmltree::Document::parse(&xml)
            .map_err(|e| ImportError::bad(file, e.pos().row as usize, e.to_string()))?;
        let (folder_annotator, doc_path) = layout(rel, true);
        read_cas(
            &tree,
            file,
            &doc_path,
            folder_annotator.as_ref(),
            &self.features,
            &mut BTreeMap::new(),
        )
    }
}

/// Who and which document a file is, from where it lies in the folder read:
/// `<annotator>/<document>.xmi` (what tagdesk writes), `<document.txt>/<user>.xmi` (an
/// `INCEpTION` project export's `annotation/` folder: a folder per document, a file per user), or
/// a lone `<document>.xmi` (the annotator then comes from the `annotator` feature, if any).
fn layout(rel: &str, in_folder: bool) -> (Option<String>, String) {
    let with_txt = |stem: &str| {
        if Path::new(stem).extension().is_some() {
            stem.to_owned()
        } else {
            format!("{stem}.txt")
        }
    };
    let stem = rel.strip_suffix(".xmi").unwrap_or(rel);
    if !in_folder {
        let name = stem.rsplit('/').next().unwrap_or(stem);
        return (None, with_txt(name));
    }
    match stem.rsplit_once('/') {
        // A document folder (its name has an extension) holding one file per user.
        Some((folder, user)) if Path::new(folder).extension().is_some() => {
            let document = folder.rsplit('/').next().unwrap_or(folder);
            (Some(user.to_owned()), document.to_owned())
        }
        Some(_) => {
            let (annotator, document) = stem.split_once('/').unwrap_or(("", stem));
            (Some(annotator.to_owned()), with_txt(document))
        }
        None => (None, with_txt(stem)),
    }
}

fn read_cas(
    tree: &roxmltree::Document<'_>,
    path: &Path,
    doc_path: &str,
    folder_annotator: Option<&String>,
    features: &Features,
    counts: &mut BTreeMap<&'static str, usize>,
) -> Result<Document, ImportError> {
    const XMI: &str = "http://www.omg.org/XMI";
    let line = |node: roxmltree::Node<'_, '_>| tree.text_pos_at(node.range().start).row as usize;
    let bad = |node: roxmltree::Node<'_, '_>, m: String| ImportError::bad(path, line(node), m);
    let root = tree.root_element();
    let sofas: Vec<roxmltree::Node<'_, '_>> = root
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "Sofa")
        .collect();
    let sofa = sofas
        .iter()
        .find(|s| s.attribute("sofaID") == Some("_InitialView"))
        .or_else(|| sofas.first())
        .ok_or_else(|| ImportError::bad(path, 0, "no cas:Sofa (the text) in this XMI"))?;
    let sofa_id = sofa.attribute((XMI, "id")).unwrap_or_default();
    let text = sofa.attribute("sofaString").unwrap_or_default().to_owned();
    let utf16 = Utf16Index::new(&text);
    let total = text.encode_utf16().count();
    let to_char = |node: roxmltree::Node<'_, '_>, attr: &str| -> Result<usize, ImportError> {
        let raw = node.attribute(attr).unwrap_or("0");
        let unit: usize = raw
            .parse()
            .map_err(|_| bad(node, format!("{attr} is not a number: {raw}")))?;
        if unit > total {
            return Err(bad(
                node,
                format!("{attr}={unit} is past the end of the text ({total} UTF-16 units)"),
            ));
        }
        utf16
            .char_of(unit)
            .ok_or_else(|| bad(node, format!("{attr}={unit} falls inside a surrogate pair")))
    };
    // Spans first (relations point at them), by xmi:id.
    let mut layers: BTreeMap<Option<String>, Layer> = BTreeMap::new();
    let mut span_of: HashMap<String, Option<String>> = HashMap::new();
    let mut relations: Vec<roxmltree::Node<'_, '_>> = Vec::new();
    for node in root.children().filter(roxmltree::Node::is_element) {
        let (ns, name) = (
            node.tag_name().namespace().unwrap_or_default(),
            node.tag_name().name(),
        );
        if skipped(ns, name) || node.attribute("begin").is_none() {
            continue;
        }
        if node.attribute("sofa").is_some_and(|s| s != sofa_id) {
            *counts
                .entry("annotations in other views not imported")
                .or_default() += 1;
            continue;
        }
        if node.attribute("Governor").is_some() && node.attribute("Dependent").is_some() {
            relations.push(node);
            continue;
        }
        let uima_type = type_name(ns, name);
        let declared = features.get(&uima_type);
        let primitive = |feature: &str| {
            declared.is_none_or(|fs| {
                fs.iter()
                    .find(|(n, _)| n == feature)
                    .is_none_or(|(_, range)| is_primitive(range))
            })
        };
        let label = node
            .attribute("label")
            .or_else(|| node.attribute("value"))
            .or_else(|| {
                declared.and_then(|fs| {
                    fs.iter()
                        .find(|(_, r)| r == "uima.cas.String")
                        .and_then(|(n, _)| node.attribute(n.as_str()))
                })
            })
            .filter(|l| !l.is_empty())
            .unwrap_or(name)
            .to_owned();
        let annotator = node
            .attribute("annotator")
            .map(str::to_owned)
            .filter(|a| !a.is_empty())
            .or_else(|| folder_annotator.cloned());
        let mut attributes = Attributes::new();
        let mut note = None;
        for attr in node.attributes() {
            let feature = attr.name();
            if attr.namespace().is_some()
                || ["begin", "end", "sofa", "label", "annotator"].contains(&feature)
                || (feature == "value" && node.attribute("label").is_none())
            {
                continue;
            }
            if feature == "note" {
                note = Some(attr.value().to_owned());
                continue;
            }
            if feature == "next" || !primitive(feature) {
                *counts
                    .entry("references between annotations (chains, slot features) not imported")
                    .or_default() += 1;
                continue;
            }
            let name = feature.strip_prefix("attr_").unwrap_or(feature).to_owned();
            let value = match attr.value() {
                "true"
                    if declared.is_some_and(|fs| {
                        fs.iter()
                            .any(|(n, r)| n == feature && r == "uima.cas.Boolean")
                    }) || uima_type == SPAN_TYPE =>
                {
                    AttributeValue::Flag(true)
                }
                "false" if uima_type == SPAN_TYPE => continue,
                v => AttributeValue::Text(v.to_owned()),
            };
            attributes.insert(name, value);
        }
        let id = node.attribute((XMI, "id")).unwrap_or_default().to_owned();
        let (start, end) = (to_char(node, "begin")?, to_char(node, "end")?);
        let layer = layers.entry(annotator.clone()).or_insert_with(|| Layer {
            annotator: annotator.clone(),
            ..Layer::default()
        });
        layer.spans.push(Span {
            id: id.as_str().into(),
            label: label.into(),
            pieces: vec![[start, end]],
            attributes,
            note,
            at: Place::new(path, line(node)),
        });
        span_of.insert(id, annotator);
    }
    for node in relations {
        let governor = node.attribute("Governor").unwrap_or_default();
        let dependent = node.attribute("Dependent").unwrap_or_default();
        let (Some(from), Some(to)) = (span_of.get(governor), span_of.get(dependent)) else {
            *counts
                .entry("relations whose ends are not imported spans skipped")
                .or_default() += 1;
            continue;
        };
        if from != to {
            *counts
                .entry("relations between two annotators' spans skipped")
                .or_default() += 1;
            continue;
        }
        let kind = node
            .attribute("label")
            .or_else(|| node.attribute("value"))
            .filter(|l| !l.is_empty())
            .unwrap_or(node.tag_name().name())
            .to_owned();
        let extra = node
            .attributes()
            .filter(|a| {
                a.namespace().is_none()
                    && ![
                        "begin",
                        "end",
                        "sofa",
                        "label",
                        "value",
                        "annotator",
                        "Governor",
                        "Dependent",
                    ]
                    .contains(&a.name())
            })
            .count();
        if extra > 0 {
            *counts
                .entry("relation features other than the type not imported")
                .or_default() += extra;
        }
        if let Some(layer) = layers.get_mut(from) {
            layer.relations.push(Link {
                id: node.attribute((XMI, "id")).unwrap_or_default().to_owned(),
                kind,
                from: governor.to_owned(),
                to: dependent.to_owned(),
                at: Place::new(path, line(node)),
            });
        }
    }
    Ok(Document {
        path: Some(doc_path.to_owned()),
        text,
        bom: false,
        rebuilt: false,
        layers: layers.into_values().collect(),
        at: Place::new(path, 0),
    })
}

#[cfg(test)]
mod tests {
    use super::layout;

    #[test]
    fn the_folder_layout_says_who_and_which_document() {
        let own = |rel| layout(rel, true);
        // What tagdesk writes: a folder per annotator, documents possibly in subfolders.
        assert_eq!(own("maria/a.xmi"), (Some("maria".into()), "a.txt".into()));
        assert_eq!(
            own("maria/news/b.xmi"),
            (Some("maria".into()), "news/b.txt".into())
        );
        // INCEpTION's project export: a folder per document, a file per user.
        assert_eq!(
            own("annotation/doc1.txt/admin.xmi"),
            (Some("admin".into()), "doc1.txt".into())
        );
        // A lone file: the annotator comes from the features.
        assert_eq!(own("a.xmi"), (None, "a.txt".into()));
        assert_eq!(layout("x/y/report.xmi", false), (None, "report.txt".into()));
    }
}
