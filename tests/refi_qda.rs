//! REFI-QDA (.qdpx): what tagdesk writes validates against the official schema and comes back
//! whole; what ATLAS.ti writes is read; bad input names the file and line.

use std::io::Write as _;
use std::path::Path;

use tagdesk::core::Workspace;
use tagdesk::formats::import::{ImportOptions, apply, read_and_plan};
use tagdesk::formats::{self, ExportFilter, Format, Sink};

use crate::support::{layers_summary, sample_copy, testdata};

fn export_sample(root: &Path, out: &Path) {
    let mut ws = Workspace::open(root).unwrap();
    let mut file = std::fs::File::create(out).unwrap();
    let report = formats::export(
        &mut ws,
        Format::RefiQda,
        &ExportFilter {
            annotator: None,
            ..Default::default()
        },
        Sink::Stream(Box::new(&mut file)),
    )
    .unwrap();
    assert_eq!(report.annotations, 66, "{report:?}");
}

fn project_qde(qdpx: &Path) -> String {
    crate::support::project_qde_of(&std::fs::read(qdpx).unwrap())
}

/// Validates `xml` against `xsd` with xmllint. CI installs it and sets
/// `TAGDESK_REQUIRE_XMLLINT=1`, so there a missing validator fails; elsewhere the test says it
/// could not validate.
fn validate(xsd: &Path, xml: &Path) {
    let run = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd)
        .arg(xml)
        .output();
    match run {
        Ok(out) => assert!(
            out.status.success(),
            "{} does not validate:\n{}",
            xml.display(),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => {
            assert!(
                std::env::var_os("TAGDESK_REQUIRE_XMLLINT").is_none(),
                "xmllint is required here (apt install libxml2-utils): {e}"
            );
            eprintln!("warning: {} not validated: no xmllint ({e})", xml.display());
        }
    }
}

#[test]
fn every_exported_project_qde_validates_against_the_refi_qda_schema() {
    let (dir, root) = sample_copy();
    let qdpx = dir.path().join("sample.qdpx");
    export_sample(&root, &qdpx);
    let qde = dir.path().join("project.qde");
    std::fs::write(&qde, project_qde(&qdpx)).unwrap();
    validate(&testdata().join("refi_qda/Project-mrt2019.xsd"), &qde);
}

#[test]
fn the_codebook_alone_validates_and_brings_the_labels_into_a_project() {
    let (dir, root) = sample_copy();
    let qdc = dir.path().join("sample.qdc");
    let mut ws = Workspace::open(&root).unwrap();
    let mut file = std::fs::File::create(&qdc).unwrap();
    let report = formats::export(
        &mut ws,
        Format::RefiQdc,
        &ExportFilter {
            annotator: None,
            ..Default::default()
        },
        Sink::Stream(Box::new(&mut file)),
    )
    .unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("66 annotations not written")),
        "{report:?}"
    );
    validate(&testdata().join("refi_qda/Codebook.xsd"), &qdc);
    // A project with no labels takes them in: colours, descriptions, the stance values.
    let (_other, fresh) = crate::support::project_with(&[("a.txt", b"Kerry met Lavrov.")]);
    let manifest = fresh.join("tagdesk.json");
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    value["labels"] = serde_json::json!([]);
    value["relations"] = serde_json::json!([]);
    std::fs::write(&manifest, value.to_string()).unwrap();
    let mut ws = Workspace::open(&fresh).unwrap();
    assert!(ws.project().schema().labels.is_empty());
    let plan = read_and_plan(&mut ws, Format::RefiQdc, &qdc, &ImportOptions::default()).unwrap();
    apply(&mut ws, plan).unwrap();
    let schema = ws.project().schema();
    let claim = schema.get("claim").expect("claim added");
    assert_eq!(claim.color, "#f28e2b");
    assert!(claim.description.starts_with("A statement"));
    let stance = claim
        .attributes
        .iter()
        .find(|a| a.name == "stance")
        .unwrap();
    assert!(
        matches!(&stance.kind, tagdesk::core::schema::AttributeKind::Choice { values } if values.len() == 3)
    );
    assert!(
        claim.attributes.iter().all(|a| a.name != "entity"),
        "entity links are not a schema attribute"
    );
    assert_eq!(schema.labels.len(), 3);
}

#[test]
fn the_sample_comes_back_whole_labels_attributes_notes_relations_and_annotators() {
    let (dir, root) = sample_copy();
    let qdpx = dir.path().join("sample.qdpx");
    export_sample(&root, &qdpx);
    // The same texts in a new project.
    let fresh = dir.path().join("fresh");
    tagdesk::core::Project::init(&fresh, Some(&root.join("sources")), Some("fresh")).unwrap();
    let mut ws = Workspace::open(&fresh).unwrap();
    let options = ImportOptions {
        add_labels: true,
        ..ImportOptions::default()
    };
    let plan = read_and_plan(&mut ws, Format::RefiQda, &qdpx, &options).unwrap();
    apply(&mut ws, plan).unwrap();
    let original = Workspace::open(&root).unwrap();
    let (before, after) = (layers_summary(&original), layers_summary(&ws));
    assert_eq!(before.len(), 66 + 14);
    assert_eq!(before, after);
    // The stance values are sub-codes of claim, with the schema's colours on the labels.
    let qde = project_qde(&qdpx);
    assert!(qde.contains("name=\"stance: oppose\""), "{qde}");
    assert!(
        qde.contains("name=\"claim\" isCodable=\"true\" color=\"#"),
        "{qde}"
    );
}

#[test]
fn what_atlas_ti_writes_is_read() {
    let blank = formats::read(
        Format::RefiQda,
        &testdata().join("refi_qda/blank-atlas-project.qdpx"),
    )
    .unwrap();
    assert!(blank.documents.is_empty());
    let target = formats::read(
        Format::RefiQda,
        &testdata().join("refi_qda/target-atlas-project.qdpx"),
    )
    .unwrap();
    assert!(target.documents.is_empty());
    let labels: Vec<&str> = target
        .declared
        .labels
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(labels, ["Commits"], "top-level codes become labels");
}

/// A `.qdpx` from a string for `project.qde` and its sources.
fn qdpx(dir: &Path, qde: &str, sources: &[(&str, &str)]) -> std::path::PathBuf {
    let path = dir.join("input.qdpx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(qde.as_bytes()).unwrap();
    for (name, text) in sources {
        zip.start_file(format!("sources/{name}"), options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    path
}

const USER: &str = "11111111-1111-1111-1111-111111111111";
const CODE: &str = "22222222-2222-2222-2222-222222222222";
const CHILD: &str = "33333333-3333-3333-3333-333333333333";

fn project(selections: &str) -> String {
    format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t">
  <Users><User guid="{USER}" name="ana"/></Users>
  <CodeBook><Codes>
    <Code guid="{CODE}" name="Actors" isCodable="true" color="#112233">
      <Code guid="{CHILD}" name="Government" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="44444444-4444-4444-4444-444444444444" name="a" plainTextPath="internal://a.txt">
{selections}
    </TextSource>
  </Sources>
</Project>
"##
    )
}

#[test]
fn nested_codes_from_other_tools_become_labels_by_path_and_emoji_count_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let text = "😀 Kerry met Lavrov.";
    let selections = format!(
        r#"      <PlainTextSelection guid="55555555-5555-5555-5555-555555555555" startPosition="2" endPosition="7" creatingUser="{USER}"><Coding guid="66666666-6666-6666-6666-666666666666"><CodeRef targetGUID="{CHILD}"/></Coding></PlainTextSelection>
      <PlainTextSelection guid="77777777-7777-7777-7777-777777777777" startPosition="12" endPosition="18" creatingUser="{USER}"><Coding guid="88888888-8888-8888-8888-888888888888"><CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>"#
    );
    let input = qdpx(dir.path(), &project(&selections), &[("a.txt", text)]);
    let corpus = formats::read(Format::RefiQda, &input).unwrap();
    let doc = &corpus.documents[0];
    assert_eq!(doc.path.as_deref(), Some("a.txt"));
    let layer = &doc.layers[0];
    assert_eq!(layer.annotator.as_deref(), Some("ana"));
    let spans: Vec<(String, [usize; 2])> = layer
        .spans
        .iter()
        .map(|s| (s.label.to_string(), s.pieces[0]))
        .collect();
    assert_eq!(
        spans,
        [
            ("Actors/Government".to_owned(), [2, 7]),
            ("Actors".to_owned(), [12, 18])
        ]
    );
    let covered: String = text.chars().skip(12).take(6).collect();
    assert_eq!(covered, "Lavrov");
}

#[test]
fn a_selection_past_the_text_or_a_missing_source_is_named_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let selection = format!(
        r#"      <PlainTextSelection guid="55555555-5555-5555-5555-555555555555" startPosition="2" endPosition="99" creatingUser="{USER}"><Coding guid="66666666-6666-6666-6666-666666666666"><CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>"#
    );
    let input = qdpx(dir.path(), &project(&selection), &[("a.txt", "short")]);
    let err = formats::read(Format::RefiQda, &input)
        .unwrap_err()
        .to_string();
    assert!(err.contains("project.qde:11"), "{err}");
    assert!(err.contains("outside the text"), "{err}");
    let input = qdpx(dir.path(), &project(""), &[]);
    let err = formats::read(Format::RefiQda, &input)
        .unwrap_err()
        .to_string();
    assert!(err.contains("sources/a.txt is missing"), "{err}");
    std::fs::write(dir.path().join("not.qdpx"), "plain text").unwrap();
    let err = formats::read(Format::RefiQda, &dir.path().join("not.qdpx"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("not.qdpx") && err.contains("not a .qdpx"),
        "{err}"
    );
}
