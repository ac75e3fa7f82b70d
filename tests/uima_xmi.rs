//! UIMA CAS XMI: `INCEpTION`'s reference CAS files are read with their type system; what
//! tagdesk writes comes back whole; bad input names the file and line. (`.ci/cassis` also reads
//! the export with dkpro-cassis, the reader `INCEpTION` users rely on.)

use tagdesk::core::Workspace;
use tagdesk::formats::import::{ImportOptions, apply, read_and_plan};
use tagdesk::formats::{self, ExportFilter, Format, Sink, Utf16Index};

use crate::formats::xmi_annotations;
use crate::support::{layers_summary, sample_copy, testdata};

#[test]
fn the_tsv3_suite_reference_cas_files_are_read_with_their_type_system() {
    let suite = testdata().join("webanno_tsv3/tsv3-suite");
    let types = testdata().join("webanno_tsv3/webannoTestTypes.xml");
    let (mut cases, mut spans, mut relations) = (0, 0, 0);
    for entry in std::fs::read_dir(&suite).unwrap() {
        let case = entry.unwrap().path();
        let Ok(xmi) = std::fs::read_to_string(case.join("reference.xmi")) else {
            continue;
        };
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("reference.xmi"), &xmi).unwrap();
        std::fs::copy(&types, dir.path().join("TypeSystem.xml")).unwrap();
        let corpus = formats::read(Format::UimaXmi, &dir.path().join("reference.xmi"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (text, extents, _tokens) = xmi_annotations(&xmi);
        let doc = &corpus.documents[0];
        assert_eq!(doc.text, text, "{name}");
        let utf16 = Utf16Index::new(&doc.text);
        for layer in &doc.layers {
            for span in &layer.spans {
                let [a, b] = span.pieces[0];
                let units = (utf16.utf16(a), utf16.utf16(b));
                assert!(
                    extents.contains(&units),
                    "{name}: {units:?} ({}) is no annotation of the CAS",
                    span.label
                );
                spans += 1;
            }
            relations += layer.relations.len();
        }
        cases += 1;
    }
    assert!(cases >= 70, "{cases}");
    assert!(
        spans > 100 && relations > 10,
        "{spans} spans, {relations} relations"
    );
}

#[test]
fn labels_come_from_the_value_feature_and_relations_from_governor_and_dependent() {
    let case = testdata()
        .join("webanno_tsv3/tsv3-suite/testSingleNonMultiTokenRelationWithMultipleFeatureValues");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(case.join("reference.xmi"), dir.path().join("doc.xmi")).unwrap();
    let corpus = formats::read(Format::UimaXmi, &dir.path().join("doc.xmi")).unwrap();
    let doc = &corpus.documents[0];
    assert_eq!(doc.path.as_deref(), Some("doc.txt"));
    let layer = &doc.layers[0];
    // Two named entities without a value: labelled by their type; one relation "nsubj".
    let labels: Vec<&str> = layer.spans.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["NamedEntity", "NamedEntity"]);
    assert_eq!(layer.relations.len(), 1);
    assert_eq!(layer.relations[0].kind, "nsubj");
    assert!(
        corpus
            .warnings
            .iter()
            .any(|w| w.contains("relation features")),
        "{:?}",
        corpus.warnings
    );
}

#[test]
fn the_sample_comes_back_whole_through_xmi() {
    let (dir, root) = sample_copy();
    let out = dir.path().join("xmi");
    let mut ws = Workspace::open(&root).unwrap();
    let report = formats::export(
        &mut ws,
        Format::UimaXmi,
        &ExportFilter {
            annotator: None,
            ..Default::default()
        },
        Sink::Folder(out.clone()),
    )
    .unwrap();
    assert_eq!((report.annotations, report.relations), (66, 14));
    assert!(out.join("TypeSystem.xml").is_file());
    assert!(out.join("maria/000_6960b4d936e3359c.xmi").is_file());
    let fresh = dir.path().join("fresh");
    tagdesk::core::Project::init(&fresh, Some(&root.join("sources")), Some("fresh")).unwrap();
    let mut back = Workspace::open(&fresh).unwrap();
    let options = ImportOptions {
        add_labels: true,
        ..ImportOptions::default()
    };
    let plan = read_and_plan(&mut back, Format::UimaXmi, &out, &options).unwrap();
    apply(&mut back, plan).unwrap();
    assert_eq!(layers_summary(&ws), layers_summary(&back));
}

#[test]
fn an_offset_past_the_text_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let xmi = r#"<?xml version="1.0" encoding="UTF-8"?>
<xmi:XMI xmlns:xmi="http://www.omg.org/XMI" xmlns:cas="http:///uima/cas.ecore" xmlns:custom="http:///webanno/custom.ecore" xmi:version="2.0">
    <cas:NULL xmi:id="0"/>
    <custom:Span xmi:id="3" sofa="1" begin="0" end="99" label="actor"/>
    <cas:Sofa xmi:id="1" sofaNum="1" sofaID="_InitialView" mimeType="text" sofaString="short"/>
</xmi:XMI>"#;
    let path = dir.path().join("bad.xmi");
    std::fs::write(&path, xmi).unwrap();
    let err = formats::read(Format::UimaXmi, &path)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bad.xmi:4") && err.contains("past the end"),
        "{err}"
    );
    // An emoji counts two UTF-16 units: an offset between them is refused.
    let split = xmi
        .replace("end=\"99\"", "end=\"1\"")
        .replace("sofaString=\"short\"", "sofaString=\"😀 short\"");
    std::fs::write(&path, split).unwrap();
    let err = formats::read(Format::UimaXmi, &path)
        .unwrap_err()
        .to_string();
    assert!(err.contains("surrogate pair"), "{err}");
}
