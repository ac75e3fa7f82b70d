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
    assert_eq!(records.len(), ws.project.layers.len());
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
    let annotators = ws.project.annotators();
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
    let doc = ws.project.layers.keys().next().unwrap().document.clone();
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
