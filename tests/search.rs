//! Corpus search: a regex or literal over every source text, hits in document order with
//! code-point ranges, lines and columns exact after CRLF, emoji and a BOM; unreadable files
//! reported, not fatal; the limit and cancelling stop it.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use tagdesk::core::Project;
use tagdesk::core::search::{Hit, Query, SearchEvent, SearchSummary, search_corpus};

use crate::support::project_with;

fn corpus() -> (tempfile::TempDir, Project) {
    let (dir, root) = project_with(&[
        (
            "b/two.txt",
            "Lavrov 😊 met Kerry.\r\nThen KERRY left.\r\n".as_bytes(),
        ),
        (
            "a/one.txt",
            "\u{feff}No names here.\nდონალდ Kerry\n".as_bytes(),
        ),
        ("c/none.txt", b"nothing at all"),
        ("d/bad.txt", b"binary\0file"),
    ]);
    (dir, Project::scan(&root).unwrap())
}

fn run(project: &Project, query: &Query, max: usize) -> (Vec<SearchEvent>, SearchSummary) {
    let documents: Vec<(String, PathBuf)> = project
        .documents
        .iter()
        .map(|d| (d.path.clone(), project.document_file(&d.path)))
        .collect();
    let mut events = Vec::new();
    let summary = search_corpus(
        &documents,
        &query.compile().unwrap(),
        max,
        &AtomicBool::new(false),
        &mut |e| events.push(e),
    );
    (events, summary)
}

fn hits(events: &[SearchEvent]) -> Vec<&Hit> {
    events
        .iter()
        .filter_map(|e| match e {
            SearchEvent::Hits(h) => Some(h),
            _ => None,
        })
        .flatten()
        .collect()
}

fn literal(pattern: &str) -> Query {
    Query {
        pattern: pattern.into(),
        ..Query::default()
    }
}

#[test]
fn hits_come_in_document_order_with_exact_code_point_places() {
    let (_dir, project) = corpus();
    let (events, summary) = run(&project, &literal("kerry"), 100);
    let found: Vec<(&str, std::ops::Range<usize>, usize, usize, &str)> = hits(&events)
        .iter()
        .map(|h| {
            (
                h.document.as_str(),
                h.range.clone(),
                h.line,
                h.column,
                h.matched.as_str(),
            )
        })
        .collect();
    // The BOM is not a character; the emoji is one; CRLF is two.
    assert_eq!(
        found,
        vec![
            ("a/one.txt", 22..27, 2, 8, "Kerry"),
            ("b/two.txt", 13..18, 1, 14, "Kerry"),
            ("b/two.txt", 26..31, 2, 6, "KERRY"),
        ]
    );
    let second = hits(&events)[2];
    assert_eq!(
        (second.before.as_str(), second.after.as_str()),
        ("Then ", " left.")
    );
    let text = project.read_text("b/two.txt").unwrap().text;
    assert_eq!(text.slice(second.range.clone()), "KERRY");
    assert_eq!(
        (summary.documents, summary.searched, summary.hits),
        (4, 4, 3)
    );
    assert!(!summary.truncated && !summary.cancelled);
    // The binary file is reported by name, and the search goes on.
    assert!(events.iter().any(|e| matches!(e,
        SearchEvent::Unreadable { document, message } if document == "d/bad.txt" && message.contains("byte"))));
    assert!(matches!(events.last(), Some(SearchEvent::Done(_))));
}

#[test]
fn regex_case_and_limits() {
    let (_dir, project) = corpus();
    let exact = Query {
        pattern: "Kerry".into(),
        case_sensitive: true,
        ..Query::default()
    };
    assert_eq!(run(&project, &exact, 100).1.hits, 2);
    let regex = Query {
        pattern: r"\b(Lavrov|Kerry)\b".into(),
        regex: true,
        case_sensitive: true,
    };
    let (events, summary) = run(&project, &regex, 100);
    assert_eq!(summary.hits, 3);
    assert_eq!(hits(&events)[1].matched, "Lavrov");
    // A literal query's regex characters are literal.
    assert_eq!(run(&project, &literal("Kerry."), 100).1.hits, 1);
    // The limit stops the search and says so.
    let (events, summary) = run(&project, &literal("kerry"), 2);
    assert_eq!((hits(&events).len(), summary.hits), (2, 2));
    assert!(summary.truncated);
    // A bad regex is refused with the reason.
    let bad = Query {
        pattern: "(".into(),
        regex: true,
        ..Query::default()
    };
    assert!(bad.compile().unwrap_err().contains("unclosed group"));
    assert!(literal("").compile().is_err());
}

#[test]
fn a_cancelled_search_stops_and_says_so() {
    let (_dir, project) = corpus();
    let documents: Vec<(String, PathBuf)> = project
        .documents
        .iter()
        .map(|d| (d.path.clone(), project.document_file(&d.path)))
        .collect();
    let cancel = AtomicBool::new(true);
    let mut events = Vec::new();
    let summary = search_corpus(
        &documents,
        &literal("kerry").compile().unwrap(),
        100,
        &cancel,
        &mut |e| events.push(e),
    );
    assert!(summary.cancelled);
    assert!(summary.searched < summary.documents);
    assert!(matches!(events.last(), Some(SearchEvent::Done(s)) if s.cancelled));
}
