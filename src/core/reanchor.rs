//! Re-anchoring: when a source text changes, find each span again. A span whose text is still at
//! its place stays; one whose text appears elsewhere is moved there, choosing among several
//! places by the context kept with it (the text before and after, as a W3C `TextQuoteSelector`
//! does); one whose text is gone, or that could be in several places equally well, is flagged
//! "needs review" and keeps its last known position. Nothing is dropped.

use super::annotation::Annotation;
use super::text::SourceText;
use super::workspace::covered_text;

/// Most places a span's text is looked for (a one-word span in a long text could be anywhere).
const MAX_CANDIDATES: usize = 10_000;

/// Where a span goes in the new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Unchanged,
    Moved { start: usize, end: usize },
    NeedsReview(String),
}

/// Places one span in `text`.
pub fn place(annotation: &Annotation, text: &SourceText) -> Placement {
    if !annotation.fragments.is_empty() {
        return if covered_text(text, annotation.pieces()) == annotation.text {
            Placement::Unchanged
        } else {
            Placement::NeedsReview(
                "the text of a piece of this discontinuous span changed".to_owned(),
            )
        };
    }
    if annotation.end <= text.char_len()
        && text.slice(annotation.start..annotation.end) == annotation.text
    {
        return Placement::Unchanged;
    }
    if annotation.text.is_empty() {
        return Placement::NeedsReview("the span has no text to look for".to_owned());
    }
    let len = annotation.text.chars().count();
    let candidates: Vec<usize> = text
        .as_str()
        .match_indices(annotation.text.as_str())
        .take(MAX_CANDIDATES)
        .map(|(byte, _)| text.char_of_byte(byte))
        .collect();
    if candidates.is_empty() {
        return Placement::NeedsReview(
            "its text was edited or removed from the document".to_owned(),
        );
    }
    let score = |start: usize| {
        let before = text.slice(start.saturating_sub(annotation.prefix.chars().count())..start);
        let after = text.slice(start + len..start + len + annotation.suffix.chars().count());
        common_suffix(&annotation.prefix, before) + common_prefix(&annotation.suffix, after)
    };
    let scored: Vec<(usize, usize)> = candidates.iter().map(|&c| (score(c), c)).collect();
    let best = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
    let mut winners = scored.iter().filter(|(s, _)| *s == best);
    match (winners.next(), winners.next()) {
        (Some(&(_, start)), None) => Placement::Moved {
            start,
            end: start + len,
        },
        _ => Placement::NeedsReview(format!(
            "its text appears {} times in the changed document and its context does not tell which",
            candidates.len()
        )),
    }
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

fn common_suffix(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::annotation::Str;

    fn span(text: &SourceText, start: usize, end: usize) -> Annotation {
        Annotation {
            id: "a".into(),
            label: "actor".into(),
            start,
            end,
            fragments: Vec::new(),
            text: text.slice(start..end).into(),
            prefix: super::super::workspace::context_before(text, start).into(),
            suffix: super::super::workspace::context_after(text, end).into(),
            review: None,
            attributes: super::super::schema::Attributes::new(),
            author: "ana".into(),
            created: Str::default(),
            modified: Str::default(),
            note: None,
        }
    }

    #[test]
    fn spans_follow_their_text_and_context() {
        let old = SourceText::new("Kerry met Lavrov. Later Kerry left.");
        let second_kerry = span(&old, 24, 29);
        let lavrov = span(&old, 10, 16);
        let new = SourceText::new("Yesterday, Kerry met Lavrov. Later Kerry left.");
        assert_eq!(
            place(&lavrov, &new),
            Placement::Moved { start: 21, end: 27 }
        );
        // "Kerry" is there twice; the context ("Later ", " left.") picks the right one.
        assert_eq!(
            place(&second_kerry, &new),
            Placement::Moved { start: 35, end: 40 }
        );
        assert_eq!(place(&lavrov, &old), Placement::Unchanged);
    }

    #[test]
    fn edited_or_ambiguous_spans_need_review() {
        let old = SourceText::new("Kerry met Lavrov.");
        let lavrov = span(&old, 10, 16);
        let edited = SourceText::new("Kerry met Sergei Lavrov's deputy.");
        assert_eq!(
            place(&lavrov, &edited),
            Placement::Moved { start: 17, end: 23 }
        );
        let gone = SourceText::new("Kerry met nobody.");
        assert!(
            matches!(place(&lavrov, &gone), Placement::NeedsReview(r) if r.contains("edited or removed"))
        );
        let mut no_context = lavrov.clone();
        no_context.prefix.clear();
        no_context.suffix.clear();
        let twice = SourceText::new("Lavrov? Lavrov!");
        assert!(
            matches!(place(&no_context, &twice), Placement::NeedsReview(r) if r.contains("2 times"))
        );
    }
}
