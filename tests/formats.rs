//! Interchange formats: the third-party conformance data in tests/data, round trips of
//! random texts (emoji, combining marks, CRLF, BOM) through every format that can carry them,
//! and bad input.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use tagdesk::core::LayerKey;
use tagdesk::core::Workspace;
use tagdesk::formats::import::{ImportOptions, apply, plan, read_and_plan};
use tagdesk::formats::{self, ExportFilter, Format, Sink};

use crate::support::{copy_tree, project_with, testdata};

/// Every folder under `dir` that holds `.ann` files.
fn brat_folders(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut has_ann = false;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            brat_folders(&path, out);
        } else if path.extension().is_some_and(|e| e == "ann") {
            has_ann = true;
        }
    }
    if has_ann {
        out.push(dir.to_path_buf());
    }
}

type SpanSet = BTreeSet<(String, Vec<[usize; 2]>, String)>;

/// (document, pieces, label) of every span of a corpus.
fn span_set(corpus: &formats::Corpus) -> SpanSet {
    corpus
        .documents
        .iter()
        .flat_map(|d| {
            d.layers.iter().flat_map(move |l| {
                l.spans.iter().map(move |s| {
                    (
                        d.path.clone().unwrap_or_default(),
                        s.pieces.clone(),
                        s.label.to_string(),
                    )
                })
            })
        })
        .collect()
}

/// T lines in the .ann files of a folder (recursively).
fn count_t_lines(dir: &Path) -> usize {
    formats::files_with_extension(dir, "ann")
        .unwrap()
        .iter()
        .map(|(p, _)| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .filter(|l| l.starts_with('T'))
                .count()
        })
        .sum()
}

#[test]
fn every_brat_corpus_imports_and_exports_again_with_nothing_lost_or_moved() {
    let mut folders = Vec::new();
    brat_folders(&testdata(), &mut folders);
    assert!(folders.len() >= 10, "{folders:?}");
    let mut total = 0;
    for folder in folders {
        let corpus = formats::read(Format::Brat, &folder)
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()));
        // Every T line is a span, with the text the line says it covers.
        let spans = span_set(&corpus);
        assert_eq!(
            corpus.annotation_count(),
            count_t_lines(&folder),
            "{}",
            folder.display()
        );
        assert!(
            !corpus.warnings.iter().any(|w| w.contains("says it covers")),
            "{}: {:?}",
            folder.display(),
            corpus.warnings
        );
        let relations: usize = corpus
            .documents
            .iter()
            .flat_map(|d| &d.layers)
            .map(|l| l.relations.len())
            .sum();
        // Written again as brat and read back: the same spans at the same offsets.
        let out = tempfile::tempdir().unwrap();
        let report = formats::convert(
            Format::Brat,
            &folder,
            false,
            Format::Brat,
            Sink::Folder(out.path().to_path_buf()),
        )
        .unwrap();
        assert_eq!(report.export.annotations, corpus.annotation_count());
        let again = formats::read(Format::Brat, out.path()).unwrap();
        assert_eq!(span_set(&again), spans, "{}", folder.display());
        let relations_again: usize = again
            .documents
            .iter()
            .flat_map(|d| &d.layers)
            .map(|l| l.relations.len())
            .sum();
        assert_eq!(relations_again, relations, "{}", folder.display());
        total += spans.len();
    }
    assert!(total > 1000, "only {total} spans in the brat corpora");
}

#[test]
fn brat_tutorial_keeps_notes_attributes_events_and_equivalences() {
    let dir = testdata().join("brat_news_tutorial");
    let corpus = formats::read(Format::Brat, &dir).unwrap();
    // annotation.conf declares the entity types, relations and attributes.
    let declared = &corpus.declared;
    assert!(declared.get("Person").is_some() && declared.get("Merge-org").is_some());
    assert_eq!(
        declared
            .relation("Family")
            .map(|r| (r.from.clone(), r.to.clone())),
        Some((vec!["Person".to_owned()], vec!["Person".to_owned()]))
    );
    let notes = corpus
        .documents
        .iter()
        .find(|d| d.path.as_deref() == Some("110-note_annotation.txt"));
    let layer = &notes.unwrap().layers[0];
    let discworld = layer.spans.iter().find(|s| s.id == "T1").unwrap();
    assert_eq!(
        discworld.note.as_deref(),
        Some("Should fictional places be annotated?")
    );
    // E1 Merge-org:T5 Org-Arg:T2 … → relations from the trigger, named by role.
    assert!(
        layer
            .relations
            .iter()
            .any(|r| r.from == "T5" && r.to == "T2" && r.kind == "Org-Arg")
    );
    assert!(corpus.warnings.iter().any(|w| w.contains("events (E)")));
    // A note on a relation cannot be kept: said, with its place.
    assert!(
        corpus
            .warnings
            .iter()
            .any(|w| w.contains("110-note_annotation.ann:") && w.contains("not a span")),
        "{:?}",
        corpus.warnings
    );
    let attributes = corpus
        .documents
        .iter()
        .find(|d| d.path.as_deref() == Some("100-attribute_annotation.txt"))
        .unwrap();
    assert!(
        attributes.layers[0]
            .spans
            .iter()
            .any(|s| !s.attributes.is_empty())
    );
}

#[test]
fn brat_malformed_events_are_reported_with_their_line_and_the_rest_is_read() {
    let corpus = formats::read(Format::Brat, &testdata().join("brat_edsnlp")).unwrap();
    let malformed: Vec<&String> = corpus
        .warnings
        .iter()
        .filter(|w| w.contains("doc-1.ann:") && w.contains("event"))
        .collect();
    assert_eq!(malformed.len(), 2, "{:?}", corpus.warnings);
    let layer = &corpus.documents[0].layers[0];
    assert_eq!(layer.spans.len(), 11);
    // The discontinuous span across a line break keeps both pieces.
    let t4 = layer.spans.iter().find(|s| s.id == "T4").unwrap();
    assert_eq!(t4.pieces, vec![[75, 83], [85, 98]]);
    assert_eq!(layer.relations.len(), 2);
}

/// A project whose sources are the .txt files of a brat folder.
fn project_from_brat(folder: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    std::fs::create_dir_all(&root).unwrap();
    for (txt, rel) in formats::files_with_extension(folder, "txt").unwrap() {
        let target = root.join(&rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(txt, target).unwrap();
    }
    tagdesk::core::Project::init(&root, None, Some("imported")).unwrap();
    (dir, root)
}

#[test]
fn brat_import_into_a_project_is_one_undo_step_and_exports_back_identically() {
    let folder = testdata().join("brat_news_tutorial");
    let (_dir, root) = project_from_brat(&folder);
    let mut ws = Workspace::open(&root).unwrap();
    let options = ImportOptions {
        annotator: Some("ann".into()),
        add_documents: false,
        add_labels: false,
    };
    // The default schema has no Person: refused, naming the file and line, nothing changed.
    let err = read_and_plan(&mut ws, Format::Brat, &folder, &options).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("label \"Person\""), "{message}");
    assert!(message.contains(".ann:"), "{message}");
    assert!(ws.project().layers.is_empty());
    let options = ImportOptions {
        add_labels: true,
        ..options
    };
    let plan = read_and_plan(&mut ws, Format::Brat, &folder, &options).unwrap();
    let report = apply(&mut ws, plan).unwrap();
    assert_eq!(report.annotations, count_t_lines(&folder));
    assert!(report.schema_added.iter().any(|s| s == "label Person"));
    assert!(ws.save().errors.is_empty());
    // Export as brat and compare with the original files.
    let out = tempfile::tempdir().unwrap();
    formats::export(
        &mut ws,
        Format::Brat,
        &ExportFilter {
            annotator: Some("ann".into()),
            ..Default::default()
        },
        Sink::Folder(out.path().to_path_buf()),
    )
    .unwrap();
    let original = span_set(&formats::read(Format::Brat, &folder).unwrap());
    let exported = span_set(&formats::read(Format::Brat, out.path()).unwrap());
    assert_eq!(exported, original);
    // Undo takes the whole import back.
    ws.undo().unwrap();
    assert!(
        ws.project()
            .layers
            .values()
            .all(tagdesk::core::AnnotationLayer::is_empty)
    );
    assert!(ws.project().schema().get("Person").is_none());
}

#[test]
fn bratiaa_annotators_import_as_four_layers() {
    let project = testdata().join("bratiaa_4annotators/example-project");
    let (_dir, root) = project_from_brat(&project.join("Lisa"));
    let mut ws = Workspace::open(&root).unwrap();
    for annotator in ["Lisa", "Maria", "Max", "Peter"] {
        let options = ImportOptions {
            annotator: Some(annotator.into()),
            add_documents: false,
            add_labels: true,
        };
        let plan = read_and_plan(&mut ws, Format::Brat, &project.join(annotator), &options)
            .unwrap_or_else(|e| panic!("{annotator}: {e}"));
        let report = apply(&mut ws, plan).unwrap();
        assert_eq!(report.annotations, count_t_lines(&project.join(annotator)));
    }
    assert_eq!(ws.project().annotators(), ["Lisa", "Maria", "Max", "Peter"]);
}

#[test]
fn doccano_samples_read_with_and_without_relations() {
    let dir = testdata().join("doccano");
    let rel = formats::read(
        Format::Doccano,
        &dir.join("relation_extraction_example.jsonl"),
    )
    .unwrap();
    let layer = &rel.documents[0].layers[0];
    assert_eq!(layer.spans.len(), 4);
    assert_eq!(layer.relations.len(), 3);
    let google = &layer.spans[0];
    assert_eq!(
        &rel.documents[0].text[google.start()..google.end()],
        "Google"
    );
    let seq = formats::read(
        Format::Doccano,
        &dir.join("sequence_labeling_example.jsonl"),
    )
    .unwrap();
    assert_eq!(seq.documents.len(), 3);
    assert_eq!(seq.annotation_count(), 4);
    // Into a project that does not have these texts: refused unless documents may be added.
    let (_dir, root) = project_with(&[("a.txt", b"unrelated")]);
    let mut ws = Workspace::open(&root).unwrap();
    let err = plan(&mut ws, seq.clone(), &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("--add-documents"), "{err}");
    let options = ImportOptions {
        annotator: Some("doc".into()),
        add_documents: true,
        add_labels: true,
    };
    let planned = plan(&mut ws, seq, &options).unwrap();
    let report = apply(&mut ws, planned).unwrap();
    assert_eq!(report.added_documents.len(), 3);
    assert_eq!(report.annotations, 4);
    assert!(ws.save().errors.is_empty());
    let reopened = Workspace::open(&root).unwrap();
    assert_eq!(reopened.project().documents.len(), 4);
}

#[test]
fn conll_samples_read_as_conlleval_counts_them() {
    // conlleval on this file: "processed 961 tokens with 459 phrases; found: 539 phrases".
    // The tag is the last column (the prediction), so the chunks read are the 539 "found".
    let file = testdata().join("conll2000_chunking_seqeval/ground_truth.txt");
    let corpus = formats::read(Format::Conll, &file).unwrap();
    assert_eq!(corpus.annotation_count(), 539);
    let tokens: usize = corpus
        .documents
        .iter()
        .map(|d| d.text.split_whitespace().count())
        .sum();
    assert_eq!(tokens, 961);
    let spacy = formats::read(
        Format::Conll,
        &testdata().join("spacy_ner_token_per_line.iob"),
    )
    .unwrap();
    let doc = &spacy.documents[0];
    let first = &doc.layers[0].spans[0];
    assert_eq!(first.label, "PERSON");
    assert_eq!(&doc.text[..], &doc.text[..]);
    let chars: Vec<char> = doc.text.chars().collect();
    let covered: String = chars[first.start()..first.end()].iter().collect();
    assert_eq!(covered, "Sebastian Thrun");
}

/// `"begin" "end"` of every annotation in a UIMA XMI file but tokens, sentences and metadata;
/// and the document text.
pub(crate) type Extents = BTreeSet<(usize, usize)>;

pub(crate) fn xmi_annotations(xmi: &str) -> (String, Extents, Extents) {
    let unescape = |s: &str| {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            let end = rest[i..].find(';').unwrap() + i;
            let entity = &rest[i + 1..end];
            match entity {
                "lt" => out.push('<'),
                "gt" => out.push('>'),
                "amp" => out.push('&'),
                "quot" => out.push('"'),
                "apos" => out.push('\''),
                e => {
                    let code = e.strip_prefix("#x").map_or_else(
                        || e[1..].parse().unwrap(),
                        |h| u32::from_str_radix(h, 16).unwrap(),
                    );
                    out.push(char::from_u32(code).unwrap());
                }
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    };
    let attr = |element: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let start = element.find(&key)? + key.len();
        let end = element[start..].find('"')? + start;
        Some(element[start..end].to_owned())
    };
    let mut text = String::new();
    let mut spans = BTreeSet::new();
    let mut tokens = BTreeSet::new();
    for element in xmi.split('<').skip(1) {
        let name = element.split_whitespace().next().unwrap_or_default();
        if name == "cas:Sofa" {
            text = unescape(&attr(element, "sofaString").unwrap_or_default());
            continue;
        }
        if name.ends_with(":Token") {
            if let (Some(b), Some(e)) = (attr(element, "begin"), attr(element, "end")) {
                tokens.insert((b.parse().unwrap(), e.parse().unwrap()));
            }
            continue;
        }
        if name.ends_with(":Sentence") || name.ends_with(":DocumentMetaData") {
            continue;
        }
        if let (Some(b), Some(e)) = (attr(element, "begin"), attr(element, "end")) {
            spans.insert((b.parse().unwrap(), e.parse().unwrap()));
        }
    }
    (text, spans, tokens)
}

#[test]
fn webanno_tsv3_suite_matches_the_reference_xmi() {
    let suite = testdata().join("webanno_tsv3/tsv3-suite");
    let mut cases = 0;
    let mut spans_checked = 0;
    for entry in std::fs::read_dir(&suite).unwrap() {
        let case = entry.unwrap().path();
        let tsv = case.join("reference.tsv");
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let corpus =
            formats::read(Format::WebannoTsv, &tsv).unwrap_or_else(|e| panic!("{name}: {e}"));
        cases += 1;
        // Two cases come without a reference CAS: read, not compared.
        let Ok(xmi) = std::fs::read_to_string(case.join("reference.xmi")) else {
            continue;
        };
        let (text, xmi_spans, xmi_tokens) = xmi_annotations(&xmi);
        // Import into a project holding the CAS text (the TSV does not carry whitespace
        // between sentences exactly): the tokens align and every span lands where the XMI has
        // an annotation.
        let (_dir, root) = project_with(&[("doc.txt", text.as_bytes())]);
        let mut ws = Workspace::open(&root).unwrap();
        let options = ImportOptions {
            annotator: Some("a".into()),
            add_documents: false,
            add_labels: true,
        };
        let plan =
            plan(&mut ws, corpus.clone(), &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        apply(&mut ws, plan).unwrap();
        let utf16 = formats::Utf16Index::new(&text);
        // INCEpTION trims whitespace off span edges when it writes TSV: so do we here.
        let units: Vec<u16> = text.encode_utf16().collect();
        let is_space = |u: u16| char::from_u32(u32::from(u)).is_some_and(char::is_whitespace);
        let xmi_spans: BTreeSet<(usize, usize)> = xmi_spans
            .into_iter()
            .map(|(mut b, mut e)| {
                while b < e && is_space(units[b]) {
                    b += 1;
                }
                while e > b && is_space(units[e - 1]) {
                    e -= 1;
                }
                (b, e)
            })
            .collect();
        if let Some(layer) = ws.layer("doc.txt", "a") {
            for a in layer.annotations() {
                let (b, e) = (utf16.utf16(a.start), utf16.utf16(a.end));
                // Relations over plain tokens get a span per token, labelled Token.
                let known = if a.label == "Token" {
                    &xmi_tokens
                } else {
                    &xmi_spans
                };
                assert!(
                    known.contains(&(b, e)),
                    "{name}: span {b}-{e} ({}) not in the XMI: {xmi_spans:?}",
                    a.label
                );
                spans_checked += 1;
            }
        }
    }
    assert_eq!(cases, 75);
    assert!(spans_checked > 100, "{spans_checked}");
}

#[test]
fn webanno_emoji_offsets_are_utf16_units() {
    let tsv = testdata().join("webanno_tsv3/tsv3-suite/testSentenceWithEmoji/reference.tsv");
    let corpus = formats::read(Format::WebannoTsv, &tsv).unwrap();
    let doc = &corpus.documents[0];
    let span = &doc.layers[0].spans[0];
    let chars: Vec<char> = doc.text.chars().collect();
    // "😊" is 10-12 in UTF-16 units, one code point at 10.
    assert_eq!(span.pieces, vec![[10, 11]]);
    assert_eq!(chars[10], '😊');
}

#[test]
fn webanno_two_annotators_read_as_layers_with_relations() {
    let dir = testdata().join("webanno_tsv3_two_annotators/relationLabelTest");
    let user1 = formats::read(Format::WebannoTsv, &dir.join("user1.tsv")).unwrap();
    let layer = &user1.documents[0].layers[0];
    assert!(!layer.spans.is_empty());
    assert!(!layer.relations.is_empty());
    assert!(layer.spans.iter().any(|s| s.label == "ADV"));
}

// ---- Round trips of random data through the real project, export and import. ----

const PIECES: [&str; 14] = [
    "Kerry",
    "Lavrov",
    " ",
    " ",
    "\r\n",
    "\n",
    "😊",
    "👍🏽",
    "e\u{301}",
    "ტრამპი",
    ",",
    ".",
    "talks",
    "🇺🇸",
];

fn text_strategy() -> impl Strategy<Value = (bool, String)> {
    (
        any::<bool>(),
        proptest::collection::vec(proptest::sample::select(PIECES.to_vec()), 8..40),
    )
        .prop_map(|(bom, parts)| (bom, format!("Start {} end.", parts.concat())))
}

/// Spans over non-whitespace edges: (start, end) in code points; disjoint when asked.
fn spans_for(text: &str, seeds: &[(usize, usize)], disjoint: bool) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &(a, len) in seeds {
        let mut s = a % chars.len();
        let mut e = (s + 1 + len % 12).min(chars.len());
        while s < e && chars[s].is_whitespace() {
            s += 1;
        }
        while e > s && chars[e - 1].is_whitespace() {
            e -= 1;
        }
        if s >= e {
            continue;
        }
        if disjoint && out.iter().any(|&(x, y)| s < y && x < e) {
            continue;
        }
        out.push((s, e));
    }
    out
}

/// Exports the layer "a" of the project at `root` in `format` and imports it into a fresh copy
/// of the project as "b"; returns the project and the copy (alive while the directory is).
fn export_and_reimport(root: &Path, format: Format) -> (Workspace, Workspace, tempfile::TempDir) {
    let mut ws = Workspace::open(root).unwrap();
    let out = tempfile::tempdir().unwrap();
    let target = if format.writes_folder() {
        out.path().join("export")
    } else {
        out.path().join("export.out")
    };
    let filter = ExportFilter {
        annotator: Some("a".into()),
        ..Default::default()
    };
    if format.writes_folder() {
        formats::export(&mut ws, format, &filter, Sink::Folder(target.clone())).unwrap();
    } else {
        let mut file = std::fs::File::create(&target).unwrap();
        formats::export(&mut ws, format, &filter, Sink::Stream(Box::new(&mut file))).unwrap();
    }
    let copy = out.path().join("copy");
    copy_tree(root, &copy);
    let mut fresh = Workspace::open(&copy).unwrap();
    let options = ImportOptions {
        annotator: Some("b".into()),
        add_documents: false,
        add_labels: false,
    };
    let plan = read_and_plan(&mut fresh, format, &target, &options)
        .unwrap_or_else(|e| panic!("{format}: {e}"));
    apply(&mut fresh, plan).unwrap();
    (ws, fresh, out)
}

/// Exports `ws`'s layer "a" in `format`, imports it into a fresh copy of the project as "b",
/// and returns both span sets.
fn round_trip(root: &Path, format: Format) -> (SpanSet, SpanSet, usize, usize) {
    let (ws, fresh, _out) = export_and_reimport(root, format);
    let set = |ws: &Workspace, who: &str| -> SpanSet {
        ws.project()
            .layers
            .iter()
            .filter(|(k, _)| k.annotator == who)
            .flat_map(|(k, l)| {
                l.annotations().iter().map(move |a| {
                    (
                        k.document.clone(),
                        a.pieces().map(|r| [r.start, r.end]).collect(),
                        a.label.to_string(),
                    )
                })
            })
            .collect()
    };
    let relations = |ws: &Workspace, who: &str| -> usize {
        ws.project()
            .layers
            .iter()
            .filter(|(k, _)| k.annotator == who)
            .map(|(_, l)| l.relations().len())
            .sum()
    };
    (
        set(&ws, "a"),
        set(&fresh, "b"),
        relations(&ws, "a"),
        relations(&fresh, "b"),
    )
}

fn annotated_project(
    bom: bool,
    text: &str,
    spans: &[(usize, usize)],
    labels: &[usize],
) -> (tempfile::TempDir, PathBuf) {
    let mut bytes = Vec::new();
    if bom {
        bytes.extend_from_slice(b"\xEF\xBB\xBF");
    }
    bytes.extend_from_slice(text.as_bytes());
    let (dir, root) = project_with(&[("doc.txt", &bytes)]);
    let mut ws = Workspace::open(&root).unwrap();
    let names = ["actor", "claim", "disagreement"];
    let mut ids = Vec::new();
    for (i, (s, e)) in spans.iter().enumerate() {
        let label = names[labels[i % labels.len()] % 3];
        if let Ok(id) = ws.add_span("doc.txt", "a", *s..*e, label) {
            ids.push((id, label));
        }
    }
    // A said_by relation between the first claim and the first actor.
    let key = LayerKey::new("doc.txt".to_owned(), "a".to_owned());
    let claim = ids.iter().find(|(_, l)| *l == "claim");
    let actor = ids.iter().find(|(_, l)| *l == "actor");
    if let (Some((c, _)), Some((a, _))) = (claim, actor) {
        ws.add_relation(&key, "said_by", c, a).unwrap();
    }
    assert!(ws.save().errors.is_empty());
    (dir, root)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn spans_and_relations_round_trip_exactly(
        (bom, text) in text_strategy(),
        seeds in proptest::collection::vec((0usize..400, 0usize..40), 1..10),
        labels in proptest::collection::vec(0usize..3, 1..5),
    ) {
        let spans = spans_for(&text, &seeds, false);
        prop_assume!(!spans.is_empty());
        let (_dir, root) = annotated_project(bom, &text, &spans, &labels);
        for format in [Format::Jsonl, Format::Brat, Format::LabelStudio, Format::WebannoTsv, Format::Doccano, Format::RefiQda, Format::UimaXmi] {
            let (ours, back, rel_ours, rel_back) = round_trip(&root, format);
            prop_assert_eq!(&ours, &back, "{}", format);
            if format != Format::Doccano {
                prop_assert_eq!(rel_ours, rel_back, "{}", format);
            }
        }
    }

    #[test]
    fn disjoint_spans_round_trip_through_conll(
        (bom, text) in text_strategy(),
        seeds in proptest::collection::vec((0usize..400, 0usize..40), 1..10),
        labels in proptest::collection::vec(0usize..3, 1..5),
    ) {
        let spans = spans_for(&text, &seeds, true);
        prop_assume!(!spans.is_empty());
        let (_dir, root) = annotated_project(bom, &text, &spans, &labels);
        let (ours, back, _, _) = round_trip(&root, Format::Conll);
        prop_assert_eq!(ours, back);
    }
}

#[test]
fn bad_input_names_the_file_and_line_and_changes_nothing() {
    let (_dir, root) = project_with(&[("a.txt", b"Kerry met Lavrov.")]);
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Format, &str, &str); 5] = [
        (
            "past-end.jsonl",
            Format::Doccano,
            "{\"text\": \"Kerry met Lavrov.\", \"label\": [[0, 5, \"actor\"]]}\n{\"text\": \"Kerry met Lavrov.\", \"label\": [[10, 99, \"actor\"]]}\n",
            "past-end.jsonl:2",
        ),
        (
            "truncated.jsonl",
            Format::Doccano,
            "{\"text\": \"Kerry met Lavrov.\", \"label\": [[0, 5, \"act",
            "truncated.jsonl:1",
        ),
        (
            "unknown.jsonl",
            Format::Doccano,
            "{\"text\": \"Kerry met Lavrov.\", \"label\": [[0, 5, \"villain\"]]}\n",
            "label \"villain\"",
        ),
        (
            "bad.conll",
            Format::Conll,
            "Kerry\tB-actor\nmet\tX-Y\n",
            "bad.conll:2",
        ),
        (
            "mismatch.conll",
            Format::Conll,
            "-DOCSTART- a.txt\n\nKerry\tB-actor\nmet\tO\nPutin\tB-actor\n",
            "do not match",
        ),
    ];
    for (name, format, content, expected) in cases {
        let input = dir.path().join(name);
        std::fs::write(&input, content).unwrap();
        let mut ws = Workspace::open(&root).unwrap();
        let err = read_and_plan(
            &mut ws,
            format,
            &input,
            &ImportOptions {
                annotator: Some("x".into()),
                ..ImportOptions::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains(expected), "{name}: {err}");
        assert!(ws.project().layers.is_empty());
        assert!(!ws.is_dirty());
    }
    // A brat span past the end of its text.
    let brat = dir.path().join("brat");
    std::fs::create_dir_all(&brat).unwrap();
    std::fs::write(brat.join("a.txt"), "Kerry met Lavrov.").unwrap();
    std::fs::write(
        brat.join("a.ann"),
        "T1\tactor 0 5\tKerry\nT2\tactor 10 40\tLavrov\n",
    )
    .unwrap();
    let err = formats::read(Format::Brat, &brat).unwrap_err().to_string();
    assert!(err.contains("a.ann:2"), "{err}");
}

#[test]
fn token_formats_say_what_they_cannot_carry() {
    let (_dir, root) = project_with(&[("a.txt", b"John Kerry said the talks failed.")]);
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new("a.txt".to_owned(), "a".to_owned());
    let outer = ws.add_span("a.txt", "a", 0..15, "disagreement").unwrap();
    let kerry = ws.add_span("a.txt", "a", 0..10, "actor").unwrap();
    let claim = ws.add_span("a.txt", "a", 16..32, "claim").unwrap();
    ws.add_relation(&key, "said_by", &claim, &kerry).unwrap();
    let _ = outer;
    let mut out = Vec::new();
    let report = formats::export(
        &mut ws,
        Format::Conll,
        &ExportFilter::default(),
        Sink::Stream(Box::new(&mut out)),
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("-DOCSTART- a.txt\n"));
    assert!(text.contains("John\tB-disagreement\nKerry\tI-disagreement\nsaid\tI-disagreement\n"));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("1 spans left out of CoNLL")),
        "{:?}",
        report.warnings
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("1 relations not written")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn csv_and_w3c_exports_carry_offsets_text_and_context() {
    let (_dir, root) = project_with(&[("a.txt", "😊 John Kerry, said \"no\".".as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    ws.add_span("a.txt", "a", 2..12, "actor").unwrap();
    let mut csv = Vec::new();
    formats::export(
        &mut ws,
        Format::Csv,
        &ExportFilter::default(),
        Sink::Stream(Box::new(&mut csv)),
    )
    .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "document,annotator,id,label,start,end,text,attributes,note,fragments"
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("a.txt,a,") && row.contains(",actor,2,12,John Kerry,"),
        "{row}"
    );
    let mut w3c = Vec::new();
    formats::export(
        &mut ws,
        Format::W3c,
        &ExportFilter::default(),
        Sink::Stream(Box::new(&mut w3c)),
    )
    .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&w3c).unwrap();
    assert_eq!(value["type"], "AnnotationCollection");
    assert_eq!(value["total"], 1);
    let item = &value["first"]["items"][0];
    assert_eq!(item["body"][0]["value"], "actor");
    let selectors = &item["target"]["selector"];
    assert_eq!(selectors[0]["start"], 2);
    assert_eq!(selectors[1]["exact"], "John Kerry");
    assert_eq!(selectors[1]["prefix"], "😊 ");
    assert_eq!(selectors[1]["suffix"], ", said \"no\".");
}

/// Flag and choice attributes come back as they were, through every format that carries
/// attributes — also those that can only write a flag as text (Label Studio's choices, `WebAnno`'s
/// feature values).
#[test]
fn flag_and_choice_attributes_round_trip_through_every_attribute_format() {
    use tagdesk::core::schema::{AttributeDef, AttributeKind, AttributeValue};
    let text = "Kerry said the talks failed. Lavrov said they did not.";
    let (_dir, root) = project_with(&[("doc.txt", text.as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    let mut schema = ws.project().schema().clone();
    let claim = schema
        .labels
        .iter_mut()
        .find(|l| l.name == "claim")
        .unwrap();
    claim.attributes.push(AttributeDef {
        name: "hedged".to_owned(),
        kind: AttributeKind::Flag,
        description: String::new(),
        levels: std::collections::BTreeMap::new(),
    });
    ws.set_schema(schema, "add a flag", None).unwrap();
    let key = LayerKey::new("doc.txt".to_owned(), "a".to_owned());
    let first = ws.add_span("doc.txt", "a", 11..28, "claim").unwrap();
    let second = ws.add_span("doc.txt", "a", 41..53, "claim").unwrap();
    ws.set_attribute(&key, &first, "hedged", Some(AttributeValue::Flag(true)))
        .unwrap();
    ws.set_attribute(
        &key,
        &second,
        "stance",
        Some(AttributeValue::Text("oppose".to_owned())),
    )
    .unwrap();
    assert!(ws.save().errors.is_empty());
    let attributes = |ws: &Workspace, who: &str| -> Vec<(usize, String)> {
        let mut v: Vec<(usize, String)> = ws
            .layer("doc.txt", who)
            .unwrap()
            .annotations()
            .iter()
            .map(|a| (a.start, format!("{:?}", a.attributes)))
            .collect();
        v.sort();
        v
    };
    let ours = attributes(&ws, "a");
    assert!(ours[0].1.contains("Flag(true)"), "{ours:?}");
    for format in [
        Format::Jsonl,
        Format::Brat,
        Format::LabelStudio,
        Format::WebannoTsv,
    ] {
        let (_, fresh, _out) = export_and_reimport(&root, format);
        assert_eq!(attributes(&fresh, "b"), ours, "{format}");
    }
}

/// Label Studio JSON of any shape reads as the `serde_json::Value` reader read it: fields of an
/// unexpected type are ignored where they were (a non-string label, a text area's text given as
/// a string, an annotation that is not an object, a numeric annotator), and a region whose
/// offsets are not whole numbers is refused with the task and result named.
#[test]
fn label_studio_reads_any_shape_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tasks.json");
    std::fs::write(
        &path,
        r#"[{"id": 1, "data": {"text": "Kerry met Lavrov.", "document": "a.txt", "extra": [1, {}]},
            "predictions": [{}, 3, null],
            "annotations": [
              7,
              {"completed_by": 42, "was_cancelled": "no", "result": [
                {"type": "labels", "id": "x1", "value": {"start": 0, "end": 5, "text": "Kerry",
                 "labels": ["PER", 3, null]}},
                {"type": "labels", "value": {"start": 10, "end": 16, "text": ["ignored"],
                 "labels": ["PER"]}},
                {"type": "textarea", "id": "x1", "from_name": "note", "value": {"text": "one"}},
                {"type": "choices", "id": "x1", "from_name": "role", "value": {"choices": ["a", 1, "b"]}},
                {"type": "relation", "from_id": "x1", "to_id": "r1", "labels": [], "direction": 5},
                {"type": "choices", "value": {"choices": ["task-level"]}},
                "not a result"
              ]},
              {"completed_by": {"email": "ana@example.org"}, "was_cancelled": true, "result": []}
            ]},
           {"data": {"text": "\u00e9t\u00e9 \"quoted\"", "document": null}, "annotations": null}]"#,
    )
    .unwrap();
    let corpus = formats::read(Format::LabelStudio, &path).unwrap();
    assert_eq!(corpus.documents.len(), 2);
    let doc = &corpus.documents[0];
    assert_eq!(doc.path.as_deref(), Some("a.txt"));
    // The annotation that is not an object is an empty, unnamed layer (as `Value::get` on it
    // gave nothing); the cancelled one is left out.
    assert_eq!(doc.layers.len(), 2);
    assert!(doc.layers[0].spans.is_empty() && doc.layers[0].annotator.is_none());
    let layer = &doc.layers[1];
    assert_eq!(layer.annotator.as_deref(), Some("user-42"));
    let spans: Vec<(&str, &str, [usize; 2])> = layer
        .spans
        .iter()
        .map(|s| (s.id.as_str(), s.label.as_str(), s.pieces[0]))
        .collect();
    // A region without an id is `r<its result's number from 0>`.
    assert_eq!(spans, [("x1", "PER", [0, 5]), ("r1", "PER", [10, 16])]);
    assert_eq!(layer.spans[0].note.as_deref(), Some(""));
    assert_eq!(
        layer.spans[0].attributes.get("role"),
        Some(&tagdesk::core::schema::AttributeValue::Text("a, b".into()))
    );
    assert_eq!(layer.relations.len(), 1);
    assert_eq!(layer.relations[0].kind, "related");
    let second = &corpus.documents[1];
    assert_eq!(second.text, "été \"quoted\"");
    assert_eq!(second.path, None);
    assert!(second.layers.is_empty());
    let warnings = corpus.warnings.join("\n");
    assert!(warnings.contains("3 predictions"), "{warnings}");
    assert!(warnings.contains("1 cancelled"), "{warnings}");
    assert!(
        warnings.contains("2 results that are not about a span"),
        "{warnings}"
    );

    std::fs::write(
        &path,
        r#"[{"data": {"text": "abc"}, "annotations": [{"result": [
            {"type": "labels", "value": {"start": 0, "end": 2.0, "labels": ["X"]}}]}]}]"#,
    )
    .unwrap();
    let err = formats::read(Format::LabelStudio, &path)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("tasks.json") && err.contains("task 1") && err.contains("result 1"),
        "{err}"
    );
    assert!(err.contains("without start/end"), "{err}");

    // A fault inside a task (split apart before any task is parsed) is named at its line in
    // the file, not in the task.
    std::fs::write(
        &path,
        "[\n{\"data\": {\"text\": \"abc\"}},\n{\"data\": {\"text\": \"a\\qc\"}}\n]\n",
    )
    .unwrap();
    let err = formats::read(Format::LabelStudio, &path)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("tasks.json") && err.contains("line 3"),
        "{err}"
    );
}

#[test]
fn format_names_are_the_cli_s_and_read_back_and_every_format_has_its_own_title() {
    use tagdesk::formats::Format;
    // The `--format` values are a contract with scripts: derived now, they must not move.
    assert_eq!(
        Format::names(),
        [
            "jsonl",
            "doccano",
            "brat",
            "conll",
            "label-studio",
            "webanno-tsv",
            "csv",
            "w3c",
            "refi-qda",
            "refi-qdc",
            "uima-xmi",
            "dna"
        ]
    );
    let mut titles = std::collections::BTreeSet::new();
    for format in Format::all() {
        assert_eq!(Format::from_name(format.name()), Some(format));
        assert_ne!(format.title(), format.name(), "{format} has a title");
        assert!(titles.insert(format.title()), "{format}'s title is its own");
    }
    assert_eq!(Format::from_name("Brat"), None, "names are exact");
    assert_eq!(Format::title(Format::Conll), "CoNLL IOB2");
}
