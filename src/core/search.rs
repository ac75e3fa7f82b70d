//! Finding text: in one document ([`find_all`], case-insensitive literal), and across the
//! whole corpus ([`search_corpus`]: a regex or literal, results streamed in document order
//! while worker threads read and search the files).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::text::SourceText;

/// Most matches returned for one query (a one-letter query in a 10 MB text would otherwise
/// list millions).
pub const MAX_MATCHES: usize = 100_000;

/// Every non-overlapping case-insensitive occurrence of `query` in `text`, as code-point ranges,
/// in order. An empty query finds nothing.
pub fn find_all(text: &SourceText, query: &str) -> Vec<Range<usize>> {
    if query.is_empty() {
        return Vec::new();
    }
    let Ok(pattern) = regex::RegexBuilder::new(&regex::escape(query))
        .case_insensitive(true)
        .build()
    else {
        return Vec::new();
    };
    pattern
        .find_iter(text.as_str())
        .take(MAX_MATCHES)
        .map(|m| text.char_of_byte(m.start())..text.char_of_byte(m.end()))
        .collect()
}

/// What to look for across the corpus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub pattern: String,
    /// `pattern` is a regular expression (Rust `regex` syntax); otherwise literal text.
    pub regex: bool,
    pub case_sensitive: bool,
}

impl Query {
    /// The compiled pattern, or why it is not a valid one.
    pub fn compile(&self) -> Result<regex::Regex, String> {
        if self.pattern.is_empty() {
            return Err("nothing to search for".to_owned());
        }
        let source = if self.regex {
            self.pattern.clone()
        } else {
            regex::escape(&self.pattern)
        };
        regex::RegexBuilder::new(&source)
            .case_insensitive(!self.case_sensitive)
            .size_limit(1 << 24)
            .build()
            .map_err(|e| format!("not a valid pattern: {e}"))
    }
}

/// One match in the corpus.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hit {
    pub document: String,
    /// Code points.
    pub range: Range<usize>,
    /// 1-based line of the match's start.
    pub line: usize,
    /// 1-based column (code points) of the match's start.
    pub column: usize,
    /// Up to [`CONTEXT`] characters of the line before and after the match.
    pub before: String,
    pub matched: String,
    pub after: String,
}

/// Characters of context on each side of a hit.
pub const CONTEXT: usize = 40;

/// What a corpus search reports, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchEvent {
    /// The hits of one document (only documents with hits are reported).
    Hits(Vec<Hit>),
    /// A document that could not be searched, and why.
    Unreadable { document: String, message: String },
    /// How many documents have been searched so far (after each one, hits or not).
    Searched(usize),
    /// Every document has been looked at (or the search was cancelled or hit its limit).
    Done(SearchSummary),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SearchSummary {
    pub documents: usize,
    pub searched: usize,
    pub hits: usize,
    /// Stopped at `max_hits`.
    pub truncated: bool,
    pub cancelled: bool,
}

/// Searches `documents` (path in the project, file on disk) for `pattern` on every core and
/// calls `report` on the calling thread with each document's hits in order as soon as that
/// document and all before it are done, then [`SearchEvent::Done`]. Stops at `max_hits` hits,
/// or soon after `cancel` is set.
pub fn search_corpus(
    documents: &[(String, PathBuf)],
    pattern: &regex::Regex,
    max_hits: usize,
    cancel: &AtomicBool,
    report: &mut dyn FnMut(SearchEvent),
) -> SearchSummary {
    let mut summary = SearchSummary {
        documents: documents.len(),
        ..SearchSummary::default()
    };
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(documents.len().max(1));
    let (sender, results) = std::sync::mpsc::channel::<(usize, Result<Vec<Hit>, String>)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, stop) = (&next, &stop);
            scope.spawn(move || {
                loop {
                    if stop.load(Ordering::Relaxed) || cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((document, file)) = documents.get(i) else {
                        break;
                    };
                    let found = std::fs::read(file)
                        .map_err(|e| format!("cannot read: {e}"))
                        .and_then(|bytes| SourceText::from_bytes(&bytes).map_err(|e| e.to_string()))
                        .map(|text| hits_in(document, &text, pattern, max_hits.saturating_add(1)));
                    if sender.send((i, found)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        // Results come in any order; they are reported in document order.
        let mut waiting: BTreeMap<usize, Result<Vec<Hit>, String>> = BTreeMap::new();
        let mut due = 0;
        for (i, found) in &results {
            waiting.insert(i, found);
            while let Some(found) = waiting.remove(&due) {
                let document = &documents[due].0;
                due += 1;
                if summary.truncated {
                    continue;
                }
                summary.searched += 1;
                match found {
                    Ok(mut hits) if !hits.is_empty() => {
                        let room = max_hits - summary.hits;
                        if hits.len() > room {
                            hits.truncate(room);
                            summary.truncated = true;
                            stop.store(true, Ordering::Relaxed);
                        }
                        if !hits.is_empty() {
                            summary.hits += hits.len();
                            report(SearchEvent::Hits(hits));
                        }
                    }
                    Ok(_) => {}
                    Err(message) => report(SearchEvent::Unreadable {
                        document: document.clone(),
                        message,
                    }),
                }
                report(SearchEvent::Searched(summary.searched));
            }
        }
    });
    summary.cancelled = cancel.load(Ordering::Relaxed) && summary.searched < summary.documents;
    report(SearchEvent::Done(summary.clone()));
    summary
}

/// The matches of `pattern` in one text (at most `max` of them), with line, column and context.
fn hits_in(document: &str, text: &SourceText, pattern: &regex::Regex, max: usize) -> Vec<Hit> {
    let s = text.as_str();
    let mut hits = Vec::new();
    // Lines counted incrementally from the previous match.
    let (mut line, mut line_start, mut counted) = (1, 0, 0);
    for m in pattern.find_iter(s).filter(|m| !m.is_empty()).take(max) {
        for (i, b) in s.as_bytes()[counted..m.start()].iter().enumerate() {
            if *b == b'\n' {
                line += 1;
                line_start = counted + i + 1;
            }
        }
        counted = m.start();
        let line_end = s[m.end()..]
            .find(['\n', '\r'])
            .map_or(s.len(), |i| m.end() + i);
        let before = &s[line_start..m.start()];
        let skip = before.chars().count().saturating_sub(CONTEXT);
        let start = text.char_of_byte(m.start());
        hits.push(Hit {
            document: document.to_owned(),
            range: start..text.char_of_byte(m.end()),
            line,
            column: start - text.char_of_byte(line_start) + 1,
            before: before.chars().skip(skip).collect(),
            matched: m.as_str().to_owned(),
            after: s[m.end()..line_end].chars().take(CONTEXT).collect(),
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_case_insensitively_with_code_point_offsets() {
        let text = SourceText::new("Kerry 😊 met KERRY; დონალდ kerry.");
        let found = find_all(&text, "kerry");
        assert_eq!(found, vec![0..5, 12..17, 26..31]);
        assert_eq!(text.slice(found[2].clone()), "kerry");
        assert_eq!(find_all(&text, "დონალდ"), vec![19..25]);
        assert!(find_all(&text, "").is_empty());
        assert_eq!(
            find_all(&text, "met (").len(),
            0,
            "the query is literal, not a regex"
        );
    }
}
