//! Reading a `.qdpx` (or a `.qde` with its `sources/` folder) and a `.qdc` codebook.

use super::*;

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
    let xml = crate::formats::read_utf8(path)?;
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
                        id: span_id.into(),
                        label: label.into(),
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
