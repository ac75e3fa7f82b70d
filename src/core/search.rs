//! Finding text in a document: case-insensitive literal matches as code-point ranges.

use std::ops::Range;

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
