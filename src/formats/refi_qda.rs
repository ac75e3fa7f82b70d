//! REFI-QDA 1.5 (`.qdpx`): the exchange format of MAXQDA, `ATLAS.ti`, `NVivo` and `QualCoder` — a
//! zip holding `project.qde` (XML, schema `urn:QDA-XML:project:1.0`) and the sources under
//! `sources/`.
//!
//! | REFI-QDA | tagdesk |
//! |---|---|
//! | `User` | annotator (`creatingUser` of a selection says whose layer it is in) |
//! | `Code` (top level) | label, with its colour and description |
//! | `Code` under a label's code, named `name: value` (or `name` for a flag) | an attribute value: the selection is coded with the label's code **and** the sub-code |
//! | `TextSource` (`plainTextPath="internal://<guid>.txt"`) | document (the text file in `sources/`) |
//! | `PlainTextSelection` + `Coding` | span; positions are code points from 0, the end exclusive |
//! | `Note` + `NoteRef` on a selection | the span's note |
//! | `Link` (`OneWay`, `originGUID` → `targetGUID`, two selections) | relation, its type as the link's name |
//!
//! A discontinuous span becomes one selection per piece (counted). On import, a coding of a
//! nested code on a selection that is not also coded with its parent is a label named by the
//! code's path (`Parent/Child`), as other tools nest categories; codings of a whole source,
//! links between other objects, and selections of other source kinds are counted in warnings.
//! GUIDs are derived from what they name (document, annotator, span), so the same project
//! exports the same file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::Digest as _;

use super::{Corpus, Document, ExportError, ExportReport, ImportError, Layer, Link, Place, Span};
use crate::core::schema::{AttributeKind, AttributeValue, Attributes, LabelDef, Schema};

const NAMESPACE: &str = "urn:QDA-XML:project:1.0";

/// A GUID (8-4-4-4-12 hex digits) derived from what it names: stable across exports.
pub fn guid(kind: &str, key: &str) -> String {
    let digest = sha2::Sha256::digest(format!("tagdesk:{kind}:{key}").as_bytes());
    let hex: String = digest[..16].iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02X}");
        s
    });
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

use crate::core::text::xml_escape as esc;

/// The sub-code name of an attribute value: `name: value`, or `name` for a set flag; `None`
/// for an unset flag (nothing to code).
fn sub_code_name(name: &str, value: &AttributeValue) -> Option<String> {
    match value {
        AttributeValue::Flag(true) => Some(name.to_owned()),
        AttributeValue::Flag(false) => None,
        AttributeValue::Text(t) => Some(format!("{name}: {t}")),
    }
}

fn is_rgb(color: &str) -> bool {
    let hex = color.strip_prefix('#').unwrap_or("");
    (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|c| c.is_ascii_hexdigit())
}

fn now() -> String {
    crate::core::annotation::now_rfc3339()
}

/// The codebook an export writes: the schema's labels, and the labels and attribute values
/// the exported spans use.
struct Codebook {
    schema: Schema,
    /// Labels used, and for each the sub-codes (attribute values) used.
    used: BTreeMap<String, BTreeSet<String>>,
}

impl Codebook {
    fn new(schema: &Schema) -> Self {
        Self {
            schema: schema.clone(),
            used: BTreeMap::new(),
        }
    }

    /// Notes a span's label and attribute values; returns its codes' GUIDs (the label's first).
    fn code(&mut self, label: &str, attributes: &Attributes) -> Vec<String> {
        let mut codes = vec![guid("code", label)];
        let label_subs = self.used.entry(label.to_owned()).or_default();
        for (name, value) in attributes {
            if let Some(sub) = sub_code_name(name, value) {
                codes.push(guid("code", &format!("{label}\u{1f}{sub}")));
                label_subs.insert(sub);
            }
        }
        codes
    }

    /// The `<Code>` elements: every label of the schema and every label used, each with its
    /// attribute values as sub-codes (all values of a choice, flags, and the free-text values
    /// used).
    fn codes(&self) -> String {
        let mut labels: Vec<LabelDef> = self.schema.labels.clone();
        for label in self.used.keys() {
            if !labels.iter().any(|l| &l.name == label) {
                labels.push(LabelDef {
                    name: label.clone(),
                    color: String::new(),
                    hotkey: None,
                    description: String::new(),
                    attributes: Vec::new(),
                });
            }
        }
        let mut out = String::new();
        for label in &labels {
            let mut subs: BTreeSet<String> = BTreeSet::new();
            for attribute in &label.attributes {
                match &attribute.kind {
                    AttributeKind::Choice { values } => {
                        subs.extend(values.iter().map(|v| format!("{}: {v}", attribute.name)));
                    }
                    AttributeKind::Flag => {
                        subs.insert(attribute.name.clone());
                    }
                    AttributeKind::Text => {}
                }
            }
            if let Some(used) = self.used.get(&label.name) {
                subs.extend(used.iter().cloned());
            }
            let color = if is_rgb(&label.color) {
                format!(" color=\"{}\"", label.color)
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "      <Code guid=\"{}\" name=\"{}\" isCodable=\"true\"{color}>",
                guid("code", &label.name),
                esc(&label.name)
            );
            if !label.description.is_empty() {
                let _ = write!(
                    out,
                    "<Description>{}</Description>",
                    esc(&label.description)
                );
            }
            out.push('\n');
            for sub in subs {
                let _ = writeln!(
                    out,
                    "        <Code guid=\"{}\" name=\"{}\" isCodable=\"true\"/>",
                    guid("code", &format!("{}\u{1f}{sub}", label.name)),
                    esc(&sub)
                );
            }
            out.push_str("      </Code>\n");
        }
        out
    }
}

/// Streams a `.qdpx`: each source's text goes into the zip as its document comes; the
/// selections, notes and links are kept as XML until `project.qde` is written at the end.
pub struct Writer<'a> {
    zip: zip::ZipWriter<zip::write::StreamWriter<Box<dyn Write + 'a>>>,
    book: Codebook,
    users: BTreeSet<String>,
    sources: String,
    notes: String,
    links: String,
    documents: usize,
}

impl<'a> Writer<'a> {
    pub fn new(out: Box<dyn Write + 'a>, schema: &Schema, annotators: &[String]) -> Self {
        Self {
            zip: zip::ZipWriter::new_stream(out),
            book: Codebook::new(schema),
            users: annotators
                .iter()
                .filter(|a| !a.is_empty())
                .cloned()
                .collect(),
            sources: String::new(),
            notes: String::new(),
            links: String::new(),
            documents: 0,
        }
    }

    fn zip_file(&mut self, name: &str, bytes: &[u8]) -> Result<(), ExportError> {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        self.zip
            .start_file(name, options)
            .map_err(|e| ExportError::Io(std::io::Error::other(e)))?;
        self.zip.write_all(bytes)?;
        Ok(())
    }
}

/// A `.qdc`: the codebook alone (schema `urn:QDA-XML:codebook:1.0`), with the labels and
/// attribute values of the schema and of the exported spans.
pub struct CodebookWriter<'a> {
    out: Box<dyn Write + 'a>,
    book: Codebook,
}

impl<'a> CodebookWriter<'a> {
    pub fn new(out: Box<dyn Write + 'a>, schema: &Schema) -> Self {
        Self {
            out,
            book: Codebook::new(schema),
        }
    }
}

impl super::Writer for CodebookWriter<'_> {
    fn document(&mut self, doc: &Document, report: &mut ExportReport) -> Result<(), ExportError> {
        for layer in &doc.layers {
            for span in &layer.spans {
                self.book.code(&span.label, &span.attributes);
            }
            report.lossy.add(
                "annotations not written (a .qdc holds the codebook only)",
                layer.spans.len(),
            );
            report.records += 1;
        }
        Ok(())
    }

    fn finish(&mut self, _report: &mut ExportReport) -> Result<(), ExportError> {
        let codes = self.book.codes();
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\" origin=\"tagdesk {}\">\n    <Codes>\n{codes}    </Codes>\n</CodeBook>\n",
            env!("CARGO_PKG_VERSION")
        );
        self.out.write_all(xml.as_bytes())?;
        self.out.flush()?;
        Ok(())
    }
}

impl super::Writer for Writer<'_> {
    fn document(&mut self, doc: &Document, report: &mut ExportReport) -> Result<(), ExportError> {
        self.documents += 1;
        let path = doc
            .path
            .clone()
            .unwrap_or_else(|| format!("document-{}.txt", self.documents));
        let source = guid("source", &path);
        self.zip_file(&format!("sources/{source}.txt"), doc.text.as_bytes())?;
        let _ = writeln!(
            self.sources,
            "    <TextSource guid=\"{source}\" name=\"{}\" plainTextPath=\"internal://{source}.txt\">",
            esc(&path)
        );
        let index = super::CharIndex::new(&doc.text);
        for layer in &doc.layers {
            let annotator = layer.annotator.clone().unwrap_or_default();
            if !annotator.is_empty() {
                self.users.insert(annotator.clone());
            }
            let user = (!annotator.is_empty())
                .then(|| format!(" creatingUser=\"{}\"", guid("user", &annotator)));
            let user = user.unwrap_or_default();
            // Each span's first selection, for the links.
            let mut first: HashMap<&str, String> = HashMap::new();
            for span in &layer.spans {
                let key = format!("{path}\u{1f}{annotator}\u{1f}{}", span.id);
                if span.pieces.len() > 1 {
                    report
                        .lossy
                        .add("discontinuous spans written as one selection per piece", 1);
                }
                let note = span.note.as_ref().map(|text| {
                    let id = guid("note", &key);
                    let _ = writeln!(
                        self.notes,
                        "    <Note guid=\"{id}\" name=\"{}\"{user}><PlainTextContent>{}</PlainTextContent></Note>",
                        esc(&format!("Note on {}", span.label)),
                        esc(text)
                    );
                    id
                });
                let codes = self.book.code(&span.label, &span.attributes);
                for (k, &[start, end]) in span.pieces.iter().enumerate() {
                    let selection = guid("selection", &format!("{key}\u{1f}{k}"));
                    first
                        .entry(span.id.as_str())
                        .or_insert_with(|| selection.clone());
                    let covered = &doc.text[index.byte(start)..index.byte(end)];
                    let name: String = covered.chars().take(60).collect();
                    let _ = write!(
                        self.sources,
                        "      <PlainTextSelection guid=\"{selection}\" name=\"{}\" startPosition=\"{start}\" endPosition=\"{end}\"{user}>",
                        esc(&name)
                    );
                    for (c, code) in codes.iter().enumerate() {
                        let _ = write!(
                            self.sources,
                            "<Coding guid=\"{}\"{user}><CodeRef targetGUID=\"{code}\"/></Coding>",
                            guid("coding", &format!("{key}\u{1f}{k}\u{1f}{c}"))
                        );
                    }
                    if let Some(note) = &note {
                        let _ = write!(self.sources, "<NoteRef targetGUID=\"{note}\"/>");
                    }
                    self.sources.push_str("</PlainTextSelection>\n");
                }
            }
            for link in &layer.relations {
                let (Some(from), Some(to)) =
                    (first.get(link.from.as_str()), first.get(link.to.as_str()))
                else {
                    report
                        .lossy
                        .add("relations between missing spans not written", 1);
                    continue;
                };
                let _ = writeln!(
                    self.links,
                    "    <Link guid=\"{}\" name=\"{}\" direction=\"OneWay\" originGUID=\"{from}\" targetGUID=\"{to}\"/>",
                    guid("link", &format!("{path}\u{1f}{annotator}\u{1f}{}", link.id)),
                    esc(&link.kind)
                );
            }
            report.wrote(layer);
        }
        self.sources.push_str("    </TextSource>\n");
        Ok(())
    }

    fn finish(&mut self, _report: &mut ExportReport) -> Result<(), ExportError> {
        let mut qde = String::new();
        let _ = writeln!(qde, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        let _ = writeln!(
            qde,
            "<Project xmlns=\"{NAMESPACE}\" name=\"tagdesk export\" origin=\"tagdesk {}\" creationDateTime=\"{}\">",
            env!("CARGO_PKG_VERSION"),
            now()
        );
        if !self.users.is_empty() {
            qde.push_str("  <Users>\n");
            for user in &self.users {
                let _ = writeln!(
                    qde,
                    "    <User guid=\"{}\" name=\"{}\"/>",
                    guid("user", user),
                    esc(user)
                );
            }
            qde.push_str("  </Users>\n");
        }
        let codes = self.book.codes();
        if !codes.is_empty() {
            let _ = write!(
                qde,
                "  <CodeBook>\n    <Codes>\n{codes}    </Codes>\n  </CodeBook>\n"
            );
        }
        if !self.sources.is_empty() {
            let _ = write!(qde, "  <Sources>\n{}  </Sources>\n", self.sources);
        }
        if !self.notes.is_empty() {
            let _ = write!(qde, "  <Notes>\n{}  </Notes>\n", self.notes);
        }
        if !self.links.is_empty() {
            let _ = write!(qde, "  <Links>\n{}  </Links>\n", self.links);
        }
        qde.push_str("</Project>\n");
        self.zip_file("project.qde", qde.as_bytes())?;
        let zip = std::mem::replace(
            &mut self.zip,
            zip::ZipWriter::new_stream(Box::new(std::io::sink())),
        );
        let mut out = zip
            .finish()
            .map_err(|e| ExportError::Io(std::io::Error::other(e)))?
            .into_inner();
        out.flush()?;
        Ok(())
    }
}

// ---- Reading ----

/// A code of the codebook: its name, its parent, its colour and description.
struct Code {
    name: String,
    parent: Option<String>,
    color: Option<String>,
    description: Option<String>,
}

/// Where the `.qde` and the sources come from: a `.qdpx` zip, or a `.qde` file whose sources
/// are in a `sources/` folder beside it.
enum Package {
    Zip(zip::ZipArchive<std::fs::File>),
    Folder(PathBuf),
}

impl Package {
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, String> {
        match self {
            Self::Zip(zip) => {
                // Entry names are compared without case: tools write `Sources/` or `sources/`.
                let found = zip
                    .file_names()
                    .filter_map(Result::ok)
                    .find(|n| n.eq_ignore_ascii_case(name))
                    .map(|n| n.to_string());
                let Some(found) = found else {
                    return Ok(None);
                };
                let mut file = zip.by_name(&found).map_err(|e| e.to_string())?;
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
                Ok(Some(bytes))
            }
            Self::Folder(root) => match std::fs::read(root.join(name)) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.to_string()),
            },
        }
    }
}

/// Reads a `.qdpx` (or a `.qde` with its `sources/` folder beside it).
pub fn read(path: &Path) -> Result<Corpus, ImportError> {
    let is_qde = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("qde"));
    let (mut package, qde_name) = if is_qde {
        let root = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        (Package::Folder(root), name.unwrap_or_default())
    } else {
        let file = std::fs::File::open(path).map_err(|e| ImportError::io(path, e))?;
        let zip = zip::ZipArchive::new(file)
            .map_err(|e| ImportError::bad(path, 0, format!("not a .qdpx (zip) file: {e}")))?;
        (Package::Zip(zip), "project.qde".to_owned())
    };
    let qde_path = if is_qde {
        path.to_path_buf()
    } else {
        path.join(&qde_name)
    };
    let bytes = package
        .read(&qde_name)
        .map_err(|e| ImportError::bad(&qde_path, 0, e))?
        .ok_or_else(|| ImportError::bad(path, 0, "no project.qde in this .qdpx"))?;
    let xml = String::from_utf8(bytes)
        .map_err(|e| ImportError::bad(&qde_path, 0, format!("not UTF-8: {e}")))?;
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(&xml);
    let tree = roxmltree::Document::parse(xml)
        .map_err(|e| ImportError::bad(&qde_path, e.pos().row as usize, e.to_string()))?;
    read_project(&tree, &qde_path, &mut package)
}

/// Reads a `.qdc` codebook: its codes as labels (and choice attributes), no documents.
pub fn read_codebook(path: &Path) -> Result<Corpus, ImportError> {
    let xml = super::read_utf8(path)?;
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(&xml);
    let tree = roxmltree::Document::parse(xml)
        .map_err(|e| ImportError::bad(path, e.pos().row as usize, e.to_string()))?;
    let root = tree.root_element();
    if root.tag_name().name() != "CodeBook" {
        return Err(ImportError::bad(
            path,
            line(&tree, root),
            format!(
                "the root element is <{}>, not <CodeBook>",
                root.tag_name().name()
            ),
        ));
    }
    let guid_of = |node: roxmltree::Node<'_, '_>| -> Result<String, ImportError> {
        node.attribute("guid")
            .map(|g| g.trim_matches(['{', '}']).to_ascii_uppercase())
            .ok_or_else(|| ImportError::bad(path, line(&tree, node), "a <Code> without a guid"))
    };
    let mut codes = HashMap::new();
    for list in element(root, "Codes") {
        walk(list, None, &mut codes, &guid_of)?;
    }
    Ok(Corpus {
        declared: declared_schema(&codes),
        codebook: true,
        ..Corpus::default()
    })
}

fn element<'a, 'b>(
    node: roxmltree::Node<'a, 'b>,
    name: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'b>> {
    node.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

fn line(tree: &roxmltree::Document<'_>, node: roxmltree::Node<'_, '_>) -> usize {
    tree.text_pos_at(node.range().start).row as usize
}

/// The schema a codebook declares: top-level codes are labels (with their colour and
/// description); their sub-codes named `name: value` are the values of a choice attribute.
fn declared_schema(codes: &HashMap<String, Code>) -> Schema {
    let mut declared = Schema {
        labels: Vec::new(),
        relations: Vec::new(),
        entity_attributes: Vec::new(),
    };
    let mut tops: Vec<(&String, &Code)> =
        codes.iter().filter(|(_, c)| c.parent.is_none()).collect();
    tops.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    for (id, code) in tops {
        let mut choices: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for child in codes.values().filter(|c| c.parent.as_ref() == Some(id)) {
            // The entity link is not a schema attribute (its values are entity ids).
            if let Some((name, value)) = child.name.split_once(": ")
                && name != crate::core::schema::ENTITY_ATTRIBUTE
            {
                choices
                    .entry(name.to_owned())
                    .or_default()
                    .push(value.to_owned());
            }
        }
        declared.labels.push(LabelDef {
            name: code.name.clone(),
            color: code.color.clone().filter(|c| is_rgb(c)).unwrap_or_default(),
            hotkey: None,
            description: code.description.clone().unwrap_or_default(),
            attributes: choices
                .into_iter()
                .map(|(name, mut values)| {
                    values.sort();
                    crate::core::schema::AttributeDef {
                        name,
                        kind: AttributeKind::Choice { values },
                        description: String::new(),
                        levels: BTreeMap::new(),
                    }
                })
                .collect(),
        });
    }
    declared
}

/// Reads the codes under `node` (recursively) into `codes`, each with its parent.
fn walk(
    node: roxmltree::Node<'_, '_>,
    parent: Option<&str>,
    codes: &mut HashMap<String, Code>,
    guid_of: &dyn Fn(roxmltree::Node<'_, '_>) -> Result<String, ImportError>,
) -> Result<(), ImportError> {
    for code in node
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "Code")
    {
        let id = guid_of(code)?;
        let description = code
            .children()
            .find(|n| n.is_element() && n.tag_name().name() == "Description")
            .and_then(|d| d.text())
            .map(str::to_owned);
        codes.insert(
            id.clone(),
            Code {
                name: code
                    .attribute("name")
                    .unwrap_or("(unnamed code)")
                    .to_owned(),
                parent: parent.map(str::to_owned),
                color: code.attribute("color").map(str::to_owned),
                description,
            },
        );
        walk(code, Some(&id), codes, guid_of)?;
    }
    Ok(())
}

fn read_project(
    tree: &roxmltree::Document<'_>,
    qde: &Path,
    package: &mut Package,
) -> Result<Corpus, ImportError> {
    let root = tree.root_element();
    if root.tag_name().name() != "Project" {
        return Err(ImportError::bad(
            qde,
            line(tree, root),
            format!(
                "the root element is <{}>, not <Project>",
                root.tag_name().name()
            ),
        ));
    }
    let at = |node: roxmltree::Node<'_, '_>| Place::new(qde, line(tree, node));
    let bad = |node: roxmltree::Node<'_, '_>, m: String| ImportError::bad(qde, line(tree, node), m);
    let guid_of = |node: roxmltree::Node<'_, '_>| -> Result<String, ImportError> {
        node.attribute("guid")
            .map(|g| g.trim_matches(['{', '}']).to_ascii_uppercase())
            .ok_or_else(|| bad(node, format!("<{}> without a guid", node.tag_name().name())))
    };
    let reference = |node: roxmltree::Node<'_, '_>| {
        node.attribute("targetGUID")
            .map(|g| g.trim_matches(['{', '}']).to_ascii_uppercase())
    };
    let mut corpus = Corpus::default();
    let mut users: HashMap<String, String> = HashMap::new();
    for list in element(root, "Users") {
        for user in element(list, "User") {
            let id = guid_of(user)?;
            let name = user
                .attribute("name")
                .or_else(|| user.attribute("id"))
                .map_or_else(|| id.clone(), str::to_owned);
            users.insert(id, name);
        }
    }
    let mut codes: HashMap<String, Code> = HashMap::new();
    for book in element(root, "CodeBook") {
        for list in element(book, "Codes") {
            walk(list, None, &mut codes, &guid_of)?;
        }
    }
    // The path of a code ("Parent/Child"), for nested codes read as labels.
    let code_path = |id: &str| -> String {
        let mut names = Vec::new();
        let mut at = Some(id.to_owned());
        while let Some(id) = at {
            let Some(code) = codes.get(&id) else { break };
            names.push(code.name.clone());
            at = code.parent.clone();
            if names.len() > 32 {
                break; // a cycle in a broken file
            }
        }
        names.reverse();
        names.join("/")
    };
    corpus.declared = declared_schema(&codes);
    let mut notes: HashMap<String, String> = HashMap::new();
    for list in element(root, "Notes") {
        for note in element(list, "Note") {
            let text = element(note, "PlainTextContent")
                .next()
                .and_then(|n| n.text())
                .unwrap_or_default();
            notes.insert(guid_of(note)?, text.to_owned());
        }
    }
    // Selection GUID → (document index, layer annotator, span ids made of it).
    let mut selections: HashMap<String, (usize, Option<String>, Vec<String>)> = HashMap::new();
    let mut whole_source_codings = 0usize;
    let mut other_sources = 0usize;
    let mut uncoded = 0usize;
    for list in element(root, "Sources") {
        for source in list.children().filter(roxmltree::Node::is_element) {
            if source.tag_name().name() != "TextSource" {
                other_sources += 1;
                continue;
            }
            let source_guid = guid_of(source)?;
            let text = if let Some(content) = element(source, "PlainTextContent").next() {
                content.text().unwrap_or_default().to_owned()
            } else if let Some(text_path) = source.attribute("plainTextPath") {
                let Some(internal) = text_path.strip_prefix("internal://") else {
                    return Err(bad(
                        source,
                        format!(
                            "the text {text_path} is outside the .qdpx (an external source): put it inside, or import the text first"
                        ),
                    ));
                };
                let bytes = package
                    .read(&format!("sources/{internal}"))
                    .map_err(|e| bad(source, e))?
                    .ok_or_else(|| {
                        bad(
                            source,
                            format!("sources/{internal} is missing from the .qdpx"),
                        )
                    })?;
                String::from_utf8(bytes)
                    .map_err(|e| bad(source, format!("sources/{internal} is not UTF-8: {e}")))?
            } else {
                return Err(bad(
                    source,
                    "a <TextSource> with neither PlainTextContent nor plainTextPath".into(),
                ));
            };
            let (text, bom) = match text.strip_prefix('\u{feff}') {
                Some(rest) => (rest.to_owned(), true),
                None => (text, false),
            };
            let name = source.attribute("name").unwrap_or(&source_guid).to_owned();
            let path = if Path::new(&name).extension().is_some() {
                name
            } else {
                format!("{name}.txt")
            };
            let len = text.chars().count();
            let doc_index = corpus.documents.len();
            let mut layers: BTreeMap<Option<String>, Layer> = BTreeMap::new();
            whole_source_codings += element(source, "Coding").count();
            for selection in element(source, "PlainTextSelection") {
                let id = guid_of(selection)?;
                let number = |attr: &str| -> Result<usize, ImportError> {
                    let raw = selection
                        .attribute(attr)
                        .ok_or_else(|| bad(selection, format!("a selection without {attr}")))?;
                    raw.trim().parse::<usize>().map_err(|_| {
                        bad(
                            selection,
                            format!("{attr} is not a non-negative integer: {raw}"),
                        )
                    })
                };
                let (start, end) = (number("startPosition")?, number("endPosition")?);
                if start > end || end > len {
                    return Err(bad(
                        selection,
                        format!(
                            "selection {start}-{end} is outside the text of {path} ({len} characters)"
                        ),
                    ));
                }
                let annotator = selection
                    .attribute("creatingUser")
                    .map(|u| u.trim_matches(['{', '}']).to_ascii_uppercase())
                    .map(|u| users.get(&u).cloned().unwrap_or(u));
                let on_selection: Vec<String> = element(selection, "Coding")
                    .filter_map(|c| element(c, "CodeRef").next())
                    .filter_map(reference)
                    .collect();
                let note = element(selection, "NoteRef")
                    .filter_map(reference)
                    .filter_map(|n| notes.get(&n).cloned())
                    .collect::<Vec<_>>();
                let note = (!note.is_empty()).then(|| note.join("\n\n"));
                // Labels: codes whose parent is not also coded here; attributes: sub-codes
                // of a label that is.
                let mut spans: Vec<(String, Attributes)> = Vec::new();
                for code in &on_selection {
                    let parent = codes.get(code).and_then(|c| c.parent.clone());
                    if parent.as_ref().is_some_and(|p| on_selection.contains(p)) {
                        continue;
                    }
                    let label = if codes.contains_key(code) {
                        code_path(code)
                    } else {
                        return Err(bad(
                            selection,
                            format!("a coding of code {code}, which the codebook does not have"),
                        ));
                    };
                    let mut attributes = Attributes::new();
                    for sub in &on_selection {
                        let Some(c) = codes.get(sub) else { continue };
                        if c.parent.as_deref() != Some(code.as_str()) {
                            continue;
                        }
                        match c.name.split_once(": ") {
                            Some((name, value)) => {
                                attributes.insert(
                                    name.to_owned(),
                                    AttributeValue::Text(value.to_owned()),
                                );
                            }
                            None => {
                                attributes.insert(c.name.clone(), AttributeValue::Flag(true));
                            }
                        }
                    }
                    spans.push((label, attributes));
                }
                if spans.is_empty() {
                    uncoded += 1;
                    continue;
                }
                let layer = layers.entry(annotator.clone()).or_insert_with(|| Layer {
                    annotator: annotator.clone(),
                    ..Layer::default()
                });
                let mut ids = Vec::new();
                for (k, (label, attributes)) in spans.into_iter().enumerate() {
                    let span_id = if k == 0 {
                        id.clone()
                    } else {
                        format!("{id}#{k}")
                    };
                    ids.push(span_id.clone());
                    layer.spans.push(Span {
                        id: span_id,
                        label,
                        pieces: vec![[start, end]],
                        attributes,
                        note: note.clone(),
                        at: at(selection),
                    });
                }
                selections.insert(id, (doc_index, annotator, ids));
            }
            corpus.documents.push(Document {
                path: Some(path),
                text,
                bom,
                rebuilt: false,
                layers: layers.into_values().collect(),
                at: at(source),
            });
        }
    }
    let mut other_links = 0usize;
    for list in element(root, "Links") {
        for link in element(list, "Link") {
            let ends = (
                link.attribute("originGUID")
                    .map(|g| g.trim_matches(['{', '}']).to_ascii_uppercase()),
                link.attribute("targetGUID")
                    .map(|g| g.trim_matches(['{', '}']).to_ascii_uppercase()),
            );
            let (Some(from), Some(to)) = (
                ends.0.and_then(|g| selections.get(&g)),
                ends.1.and_then(|g| selections.get(&g)),
            ) else {
                other_links += 1;
                continue;
            };
            if from.0 != to.0 || from.1 != to.1 {
                other_links += 1;
                continue;
            }
            let doc = &mut corpus.documents[from.0];
            let Some(layer) = doc.layers.iter_mut().find(|l| l.annotator == from.1) else {
                continue;
            };
            layer.relations.push(Link {
                id: guid_of(link)?,
                kind: link.attribute("name").unwrap_or("link").to_owned(),
                from: from.2[0].clone(),
                to: to.2[0].clone(),
                at: at(link),
            });
        }
    }
    let mut warn = |n: usize, what: &str| {
        if n > 0 {
            corpus
                .warnings
                .push(format!("{}: {n} {what}", qde.display()));
        }
    };
    warn(
        whole_source_codings,
        "codings of whole sources not imported (tagdesk codes spans)",
    );
    warn(
        other_sources,
        "sources that are not plain text (pictures, PDF, audio, video) not imported",
    );
    warn(uncoded, "selections without a code not imported");
    warn(
        other_links,
        "links that do not join two selections of one annotator in one source not imported",
    );
    Ok(corpus)
}
