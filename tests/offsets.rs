//! Offsets are code points into the text as stored (BOM dropped, CRLF two), everywhere:
//! in the store, on disk after a reload, and in the export.

use tagdesk::core::Workspace;
use tagdesk::formats::{self, ExportFilter, Format};

use crate::support::{marked, project_with};

/// (file name, prefix bytes, notation).
const CASES: [(&str, &[u8], &str); 6] = [
    (
        "emoji.txt",
        b"",
        "[Анна]{actor} 😊 said 👍🏽 that [the talks failed]{claim} 🇺🇸.",
    ),
    (
        "combining.txt",
        b"",
        "[Cafe\u{301} Mu\u{308}ller]{actor} met [José]{actor} (precomposed).",
    ),
    (
        "georgian.txt",
        b"",
        "[დონალდ ტრამპი]{actor} და [მელანია ტრამპი]{actor}, 20 იანვარი",
    ),
    (
        "crlf.txt",
        b"",
        "line one\r\n[John Kerry]{actor} said\r\n[the talks failed]{claim}\r\n",
    ),
    (
        "bom.txt",
        b"\xEF\xBB\xBF",
        "[Lavrov]{actor} spoke; [Kerry]{actor} listened.",
    ),
    (
        "nested.txt",
        b"",
        "[[Kerry]{actor} said [no deal]{claim}]{disagreement}",
    ),
];

fn files() -> Vec<(String, Vec<u8>)> {
    CASES
        .iter()
        .map(|(name, prefix, notation)| {
            let (text, _) = marked(notation);
            let mut bytes = prefix.to_vec();
            bytes.extend_from_slice(text.as_bytes());
            ((*name).to_owned(), bytes)
        })
        .collect()
}

/// Python-style `text[start:end]`.
fn py_slice(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

#[test]
fn spans_survive_store_save_reload_and_export_exactly() {
    let files = files();
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let (_dir, root) = project_with(&borrowed);
    let mut ws = Workspace::open(&root).unwrap();
    for (name, _, notation) in CASES {
        let (text, spans) = marked(notation);
        let loaded = ws.text(name).unwrap();
        assert_eq!(
            loaded.text.as_str(),
            text,
            "{name}: BOM dropped, nothing else changed"
        );
        for (start, end, label) in &spans {
            ws.add_span(name, "ana", *start..*end, label).unwrap();
        }
    }
    assert!(ws.save().errors.is_empty());

    let ws = Workspace::open(&root).unwrap();
    let mut exported = Vec::new();
    let mut ws = ws;
    let report = formats::export(
        &mut ws,
        Format::Jsonl,
        &ExportFilter::default(),
        formats::Sink::Stream(Box::new(&mut exported)),
    )
    .unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let exported = String::from_utf8(exported).unwrap();
    let records: Vec<serde_json::Value> = exported
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), CASES.len());

    for (name, _, notation) in CASES {
        let (text, spans) = marked(notation);
        let layer = ws.layer(name, "ana").unwrap();
        let stored: Vec<_> = layer
            .annotations()
            .iter()
            .map(|a| (a.start, a.end, a.label.to_string()))
            .collect();
        assert_eq!(stored, spans, "{name}: reloaded offsets");
        for a in layer.annotations() {
            assert_eq!(
                a.text,
                py_slice(&text, a.start, a.end),
                "{name}: stored covered text"
            );
        }
        let record = records.iter().find(|r| r["id"] == name).unwrap();
        assert_eq!(record["text"], text.as_str());
        for span in record["spans"].as_array().unwrap() {
            let (s, e) = (
                usize::try_from(span["start"].as_u64().unwrap()).unwrap(),
                usize::try_from(span["end"].as_u64().unwrap()).unwrap(),
            );
            assert_eq!(
                span["text"],
                py_slice(&text, s, e).as_str(),
                "{name}: exported span text"
            );
        }
        let labels: Vec<(usize, usize, String)> =
            serde_json::from_value(record["label"].clone()).unwrap();
        assert_eq!(labels, spans, "{name}: doccano-style label triples");
    }
}

#[test]
fn spans_cannot_end_past_the_text_or_be_empty() {
    let (_dir, root) = project_with(&[("a.txt", "short 😊".as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    let mut actor = |start: usize, end: usize| ws.add_span("a.txt", "ana", start..end, "actor");
    assert!(actor(0, 8).is_err_and(|e| e.to_string().contains("outside the text")));
    assert!(actor(3, 3).is_err());
    assert!(actor(6, 7).is_ok(), "the emoji is one code point");
    assert!(actor(0, 5).is_ok());
    assert!(
        actor(0, 5).is_err_and(|e| e.to_string().contains("already")),
        "the same span with the same label twice is refused"
    );
    assert_eq!(ws.layer("a.txt", "ana").unwrap().len(), 2);
}
