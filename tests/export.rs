//! JSONL export, read back and checked against the source texts.

use tagdesk::core::Workspace;
use tagdesk::formats::{self, ExportFilter, Format};

use crate::support::sample_copy;

fn export(
    ws: &mut Workspace,
    annotator: Option<&str>,
) -> (Vec<serde_json::Value>, formats::ExportReport) {
    let mut out = Vec::new();
    let report = formats::export(
        ws,
        Format::Jsonl,
        &ExportFilter {
            annotator: annotator.map(str::to_owned),
            ..Default::default()
        },
        formats::Sink::Stream(Box::new(&mut out)),
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    (
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        report,
    )
}

#[test]
fn every_exported_span_matches_the_source_text() {
    let (_dir, root) = sample_copy();
    let mut ws = Workspace::open(&root).unwrap();
    let (records, report) = export(&mut ws, None);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(records.len(), ws.project().layers.len());
    assert!(report.annotations > 20, "the sample has real annotations");
    for record in &records {
        let doc = record["id"].as_str().unwrap();
        let source = std::fs::read_to_string(root.join("sources").join(doc)).unwrap();
        let source = source.strip_prefix('\u{feff}').unwrap_or(&source);
        assert_eq!(record["text"], source, "{doc}: the full text");
        let chars: Vec<char> = source.chars().collect();
        let spans = record["spans"].as_array().unwrap();
        let labels = record["label"].as_array().unwrap();
        assert_eq!(spans.len(), labels.len());
        for (span, label) in spans.iter().zip(labels) {
            let start = usize::try_from(span["start"].as_u64().unwrap()).unwrap();
            let end = usize::try_from(span["end"].as_u64().unwrap()).unwrap();
            let covered: String = chars[start..end].iter().collect();
            assert_eq!(span["text"], covered.as_str(), "{doc} {start}..{end}");
            assert_eq!(label[0], start);
            assert_eq!(label[1], end);
            assert_eq!(label[2], span["label"]);
            assert!(["actor", "claim", "disagreement"].contains(&span["label"].as_str().unwrap()));
            assert_eq!(span["id"].as_str().unwrap().len(), 16);
        }
    }
}

#[test]
fn export_filters_by_annotator_and_refuses_unknown_ones() {
    let (_dir, root) = sample_copy();
    let mut ws = Workspace::open(&root).unwrap();
    let annotators = ws.project().annotators();
    let first = annotators[0].clone();
    let (records, _) = export(&mut ws, Some(&first));
    assert!(!records.is_empty());
    assert!(records.iter().all(|r| r["annotator"] == first.as_str()));
    let mut out = Vec::new();
    let err = formats::export(
        &mut ws,
        Format::Jsonl,
        &ExportFilter {
            annotator: Some("nobody".into()),
            ..Default::default()
        },
        formats::Sink::Stream(Box::new(&mut out)),
    )
    .unwrap_err();
    assert!(err.to_string().contains("nobody"));
}

#[test]
fn a_changed_source_is_reported_not_silently_exported() {
    let (_dir, root) = sample_copy();
    let ws = Workspace::open(&root).unwrap();
    let doc = ws.project().layers.keys().next().unwrap().document.clone();
    drop(ws);
    let file = root.join("sources").join(&doc);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("INSERTED LINE\n{text}")).unwrap();
    let mut ws = Workspace::open(&root).unwrap();
    let (_, report) = export(&mut ws, None);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains(&doc) && w.contains("validate")),
        "{:?}",
        report.warnings
    );
}

/// brat's rule for attributes (its `projectconfig` and annotation checker): every `A` line's
/// attribute is declared in annotation.conf's `[attributes]`, for the type of the span it is
/// on (or `<ENTITY>`), and a value it carries is one of the declared `Value:` list.
fn undeclared_brat_attributes(folder: &std::path::Path) -> (usize, Vec<String>) {
    let conf = std::fs::read_to_string(folder.join("annotation.conf")).unwrap();
    let mut declared: std::collections::HashMap<String, (Vec<String>, Vec<String>)> =
        std::collections::HashMap::new();
    let mut section = "";
    for line in conf.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = if name == "attributes" {
                "attributes"
            } else {
                ""
            };
            continue;
        }
        if section != "attributes" {
            continue;
        }
        let (name, args) = line.split_once('\t').unwrap();
        let mut labels = Vec::new();
        let mut values = Vec::new();
        for arg in args.split(", ") {
            let (key, list) = arg.split_once(':').unwrap();
            let list: Vec<String> = list.split('|').map(str::to_owned).collect();
            match key {
                "Arg" => labels = list,
                "Value" => values = list,
                other => panic!("unknown attribute argument {other}"),
            }
        }
        declared.insert(name.to_owned(), (labels, values));
    }
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in crate::support::files_under(folder) {
        if path.extension().is_none_or(|e| e != "ann") {
            continue;
        }
        let ann = std::fs::read_to_string(&path).unwrap();
        let types: std::collections::HashMap<&str, &str> = ann
            .lines()
            .filter(|l| l.starts_with('T'))
            .map(|l| {
                let mut parts = l.split('\t');
                let id = parts.next().unwrap();
                (id, parts.next().unwrap().split(' ').next().unwrap())
            })
            .collect();
        for line in ann.lines().filter(|l| l.starts_with('A')) {
            checked += 1;
            let fields: Vec<&str> = line.split('\t').nth(1).unwrap().split(' ').collect();
            let (name, target, value) = (fields[0], fields[1], fields.get(2));
            let Some((labels, values)) = declared.get(name) else {
                problems.push(format!("{}: {line}: {name} not declared", path.display()));
                continue;
            };
            let label = types[target];
            if !labels.iter().any(|l| l == label || l == "<ENTITY>") {
                problems.push(format!("{line}: {name} not declared for {label}"));
            }
            if let Some(value) = value
                && !values.iter().any(|v| v == value)
            {
                problems.push(format!("{line}: value {value} not declared"));
            }
        }
    }
    (checked, problems)
}

#[test]
fn brat_annotation_conf_declares_every_attribute_the_ann_files_carry_entity_links_included() {
    let (dir, root) = sample_copy();
    let mut ws = Workspace::open(&root).unwrap();
    let out = dir.path().join("brat");
    formats::export::export_to_path(
        &mut ws,
        Format::Brat,
        &ExportFilter::default(),
        &out,
        &|_, _| {},
    )
    .unwrap();
    let (checked, problems) = undeclared_brat_attributes(&out);
    assert!(checked > 10, "the sample carries attributes ({checked})");
    assert!(problems.is_empty(), "{problems:#?}");
    let conf = std::fs::read_to_string(out.join("annotation.conf")).unwrap();
    assert!(conf.contains("\nentity\tArg:"), "{conf}");
    // Read back, the entity link is a link again, not a new schema attribute.
    let corpus = formats::read(Format::Brat, &out).unwrap();
    let schema = corpus.declared;
    assert!(!schema.labels.is_empty(), "annotation.conf read");
    assert!(
        schema
            .labels
            .iter()
            .all(|l| l.attributes.iter().all(|a| a.name != "entity")),
        "{schema:?}"
    );
}

/// The command line's export reads each document's layer files as it goes
/// (`LayerSource::Files`) instead of the project whole: every format writes the same bytes
/// either way, and the same report.
#[test]
fn an_export_that_reads_layer_files_as_it_goes_writes_what_the_loaded_project_does() {
    use tagdesk::formats::export::{LayerSource, open_for_export};
    let (_dir, root) = sample_copy();
    // Every format but the DNA database (written from the whole project) and the codebook.
    for format in Format::all().filter(|f| !matches!(f, Format::Dna | Format::RefiQdc)) {
        let run = |layers: LayerSource| {
            let (mut ws, filter) = match layers {
                LayerSource::Loaded => (Workspace::open_read_only(&root).unwrap(), layers),
                LayerSource::Files { .. } => open_for_export(&root, format, false).unwrap(),
            };
            assert_eq!(filter, layers);
            let filter = ExportFilter {
                // CoNLL holds one annotator's tags.
                annotator: (format == Format::Conll).then(|| "maria".to_owned()),
                layers: filter,
            };
            let out = tempfile::tempdir().unwrap();
            let target = out.path().join("export");
            let report = if format.writes_folder() {
                formats::export(
                    &mut ws,
                    format,
                    &filter,
                    formats::Sink::Folder(target.clone()),
                )
                .unwrap()
            } else {
                let mut bytes = Vec::new();
                let report = formats::export(
                    &mut ws,
                    format,
                    &filter,
                    formats::Sink::Stream(Box::new(&mut bytes)),
                )
                .unwrap();
                std::fs::write(&target, bytes).unwrap();
                report
            };
            let files: Vec<(String, Vec<u8>)> = if target.is_dir() {
                crate::support::files_under(&target)
                    .into_iter()
                    .map(|p| {
                        let rel = p.strip_prefix(&target).unwrap().display().to_string();
                        (rel, std::fs::read(p).unwrap())
                    })
                    .collect()
            } else {
                vec![(String::new(), std::fs::read(&target).unwrap())]
            };
            (files, report.annotations, report.warnings)
        };
        let (loaded, files) = (
            run(LayerSource::Loaded),
            run(LayerSource::Files { skip_broken: false }),
        );
        assert!(loaded.1 > 20, "{format}: real annotations");
        assert_eq!(loaded.1, files.1, "{format}: annotations");
        assert_eq!(loaded.2, files.2, "{format}: warnings");
        let mut a = loaded.0;
        let mut b = files.0;
        a.sort();
        b.sort();
        if format == Format::RefiQda {
            // A REFI-QDA project is a zip with its time of making: the same files, each named.
            assert_eq!(a.len(), b.len(), "{format}");
        } else {
            assert!(a == b, "{format}: the same bytes");
        }
    }
}
