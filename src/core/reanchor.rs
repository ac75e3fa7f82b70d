//! Re-anchoring: when a source text changes, find each span again. A span whose text is still at
//! its place stays; one whose text appears elsewhere is moved there, choosing among several
//! places by the context kept with it (the text before and after, as a W3C `TextQuoteSelector`
//! does); one whose text is gone, or that could be in several places equally well, is flagged
//! "needs review" and keeps its last known position. Nothing is dropped.

use std::collections::HashMap;
use std::sync::Arc;

use super::annotation::{Annotation, AnnotationLayer, Edit, now_rfc3339, with_pieces};
use super::project::{LayerKey, LoadedText};
use super::text::{SourceText, covered_text};

/// Most places a span's text is looked for (a one-word span in a long text could be anywhere).
const MAX_CANDIDATES: usize = 10_000;

/// Where a span goes in the new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Unchanged,
    Moved { start: usize, end: usize },
    NeedsReview(String),
}

/// How far (in characters, each way) from where a span is expected it is first looked for,
/// before the whole text is searched.
const NEARBY: usize = 4096;

/// Places one span in `text`.
pub fn place(annotation: &Annotation, text: &SourceText) -> Placement {
    place_all(std::slice::from_ref(annotation), text)
        .pop()
        .unwrap_or(Placement::Unchanged)
}

/// Places every span of a layer (in the layer's order) in `text`.
///
/// Spans after an insertion or a deletion all move by the same amount, so each span is first
/// tried where the shift of the span before it says (its text and all its context must be
/// there), then looked for nearby. Only the spans that are not found that way — near an edit —
/// are searched for in the whole text, all at once in one pass (Aho–Corasick), and placed by
/// their context as before. A 10 MB text with 100k spans: milliseconds, not one scan of the
/// text per span.
pub fn place_all(annotations: &[Annotation], text: &SourceText) -> Vec<Placement> {
    let mut placements: Vec<Option<Placement>> = Vec::with_capacity(annotations.len());
    let mut delta = 0isize;
    for a in annotations {
        let placed = place_near(a, text, delta);
        match &placed {
            Some(Placement::Unchanged) => delta = 0,
            Some(Placement::Moved { start, .. }) => {
                delta = start.cast_signed() - a.start.cast_signed();
            }
            _ => {}
        }
        placements.push(placed);
    }
    let pending: Vec<usize> = (0..annotations.len())
        .filter(|&i| placements[i].is_none())
        .collect();
    let found = find_everywhere(text, pending.iter().map(|&i| annotations[i].text.as_str()));
    for (i, candidates) in pending.into_iter().zip(found) {
        placements[i] = Some(place_among(&annotations[i], text, &candidates));
    }
    placements
        .into_iter()
        .map(|p| p.unwrap_or(Placement::Unchanged))
        .collect()
}

/// Where a span is without searching the whole text: `None` when it must be searched for.
/// Works in bytes: a character offset costs a walk through its line, a byte offset nothing.
fn place_near(annotation: &Annotation, text: &SourceText, delta: isize) -> Option<Placement> {
    if !annotation.fragments().is_empty() {
        return Some(
            if covered_text(text, annotation.pieces()) == annotation.text {
                Placement::Unchanged
            } else {
                Placement::NeedsReview(
                    "the text of a piece of this discontinuous span changed".to_owned(),
                )
            },
        );
    }
    if annotation.text.is_empty() {
        return Some(
            if annotation.end <= text.char_len() && annotation.start == annotation.end {
                Placement::Unchanged
            } else {
                Placement::NeedsReview("the span has no text to look for".to_owned())
            },
        );
    }
    let context = Context::of(annotation, text);
    let len = context.len;
    let here = |chars: usize| {
        chars + len <= text.char_len()
            && text.as_str()[text.byte_of_char(chars)..].starts_with(annotation.text.as_str())
    };
    if annotation.end == annotation.start + len && here(annotation.start) {
        return Some(Placement::Unchanged);
    }
    let expected = annotation.start.saturating_add_signed(delta);
    if delta != 0 && here(expected) && context.score(text.byte_of_char(expected)) == context.full {
        return Some(moved(expected, len));
    }
    // Nearby: one place with all the context settles it.
    let from = text.byte_of_char(expected.saturating_sub(NEARBY));
    let to = text.byte_of_char(expected.saturating_add(NEARBY + len));
    let mut nearby = text.as_str()[from..to]
        .match_indices(annotation.text.as_str())
        .map(|(byte, _)| from + byte)
        .filter(|&b| context.score(b) == context.full);
    match (nearby.next(), nearby.next()) {
        (Some(byte), None) => Some(moved(text.char_of_byte(byte), len)),
        _ => None,
    }
}

/// The byte offsets where each of `patterns` occurs in `text` (overlapping, at most
/// [`MAX_CANDIDATES`] each), found in one pass.
fn find_everywhere<'a>(
    text: &SourceText,
    patterns: impl Iterator<Item = &'a str>,
) -> Vec<Vec<usize>> {
    let patterns: Vec<&str> = patterns.collect();
    let mut found = vec![Vec::new(); patterns.len()];
    if patterns.is_empty() {
        return found;
    }
    // Equal texts share one pattern.
    let mut distinct: Vec<&str> = patterns.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let Ok(searcher) = aho_corasick::AhoCorasick::new(&distinct) else {
        return found;
    };
    let mut by_pattern: Vec<Vec<usize>> = vec![Vec::new(); distinct.len()];
    for m in searcher.find_overlapping_iter(text.as_str()) {
        let hits = &mut by_pattern[m.pattern().as_usize()];
        if hits.len() < MAX_CANDIDATES {
            hits.push(m.start());
        }
    }
    for (pattern, slot) in patterns.iter().zip(&mut found) {
        if let Ok(k) = distinct.binary_search(pattern) {
            slot.clone_from(&by_pattern[k]);
        }
    }
    found
}

/// Places a span among the places (byte offsets) its text was found at, by its context.
fn place_among(annotation: &Annotation, text: &SourceText, candidates: &[usize]) -> Placement {
    if candidates.is_empty() {
        return Placement::NeedsReview(
            "its text was edited or removed from the document".to_owned(),
        );
    }
    let context = Context::of(annotation, text);
    let scored: Vec<(usize, usize)> = candidates.iter().map(|&c| (context.score(c), c)).collect();
    let best = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
    let mut winners = scored.iter().filter(|(s, _)| *s == best);
    match (winners.next(), winners.next()) {
        (Some(&(_, byte)), None) => moved(text.char_of_byte(byte), context.len),
        _ => Placement::NeedsReview(format!(
            "its text appears {} times in the changed document and its context does not tell which",
            candidates.len()
        )),
    }
}

fn moved(start: usize, len: usize) -> Placement {
    Placement::Moved {
        start,
        end: start + len,
    }
}

/// A span's kept context, to score the places its text is found at.
struct Context<'a> {
    annotation: &'a Annotation,
    text: &'a str,
    /// The span's text in characters.
    len: usize,
    /// The score of a place where all of it matches.
    full: usize,
}

impl<'a> Context<'a> {
    fn of(annotation: &'a Annotation, text: &'a SourceText) -> Self {
        Self {
            annotation,
            text: text.as_str(),
            len: annotation.text.chars().count(),
            full: annotation.prefix.chars().count() + annotation.suffix.chars().count(),
        }
    }

    /// How many characters of the context match around the span's text found at byte `start`
    /// (the comparisons stop at the context's ends).
    fn score(&self, start: usize) -> usize {
        let after = (start + self.annotation.text.len()).min(self.text.len());
        common_suffix(&self.annotation.prefix, &self.text[..start])
            + common_prefix(&self.annotation.suffix, &self.text[after..])
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

/// What re-anchoring a layer did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReanchorReport {
    pub unchanged: usize,
    /// (id, old start, new start).
    pub moved: Vec<(String, usize, usize)>,
    /// (id, why).
    pub needs_review: Vec<(String, String)>,
}

/// Where each span of `layer` goes in `text`, and the edit that puts them there: none when
/// nothing moves, an [`Edit::ReplaceMany`] of the changed spans when few did, else an
/// [`Edit::SetSpans`] of the whole new order (built here, so applying it is a swap).
pub fn plan_reanchor(layer: &AnnotationLayer, text: &SourceText) -> (ReanchorReport, Vec<Edit>) {
    use super::reanchor::{Placement, place_all};
    let now = now_rfc3339();
    let mut report = ReanchorReport::default();
    let mut changed = Vec::new();
    let placements = place_all(layer.annotations(), text);
    for (a, placement) in layer.annotations().iter().zip(placements) {
        match placement {
            Placement::Unchanged => report.unchanged += 1,
            Placement::Moved { start, end } => {
                report.moved.push((a.id.to_string(), a.start, start));
                let piece = start..end;
                let mut moved = with_pieces(a.clone(), std::slice::from_ref(&piece), text);
                moved.set_modified(now.as_str());
                changed.push(moved);
            }
            Placement::NeedsReview(why) => {
                report.needs_review.push((a.id.to_string(), why.clone()));
                if a.review() != Some(why.as_str()) {
                    let mut flagged = a.clone();
                    flagged.set_review(Some(why));
                    flagged.set_modified(now.as_str());
                    changed.push(flagged);
                }
            }
        }
    }
    let edits = if changed.is_empty() {
        Vec::new()
    } else if changed.len() * 4 < layer.len() {
        vec![Edit::ReplaceMany(changed)]
    } else {
        // Most spans moved: the whole new order is built here (on the planning thread), so
        // applying it is a swap rather than a search, a replacement and a sort per span.
        let mut moved: HashMap<super::annotation::Str, Annotation> =
            changed.into_iter().map(|a| (a.id.clone(), a)).collect();
        let mut spans: Vec<Annotation> = layer
            .annotations()
            .iter()
            .map(|a| moved.remove(a.id.as_str()).unwrap_or_else(|| a.clone()))
            .collect();
        spans.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        vec![Edit::SetSpans(Arc::new(spans))]
    };
    (report, edits)
}

/// A re-anchoring to plan (any thread): the layer as it was (shared) and its new text.
pub struct ReanchorPlan {
    key: LayerKey,
    layer: AnnotationLayer,
    text: Arc<LoadedText>,
}

/// A planned re-anchoring, for [`super::Workspace::apply_reanchor`].
pub struct PlannedReanchor {
    pub key: LayerKey,
    pub(crate) revision: u64,
    pub(crate) sha256: String,
    pub report: ReanchorReport,
    pub(crate) edits: Vec<Edit>,
}

impl ReanchorPlan {
    pub(crate) fn new(key: LayerKey, layer: AnnotationLayer, text: Arc<LoadedText>) -> Self {
        Self { key, layer, text }
    }

    /// How many spans are to be placed.
    pub fn len(&self) -> usize {
        self.layer.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layer.is_empty()
    }

    pub fn run(self) -> PlannedReanchor {
        let (report, edits) = plan_reanchor(&self.layer, &self.text.text);
        PlannedReanchor {
            key: self.key,
            revision: self.layer.revision(),
            sha256: self.text.sha256.clone(),
            report,
            edits,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::text::{context_after, context_before};

    fn span(text: &SourceText, start: usize, end: usize) -> Annotation {
        Annotation {
            id: "a".into(),
            label: "actor".into(),
            start,
            end,
            more: None,
            text: text.slice(start..end).into(),
            prefix: context_before(text, start).into(),
            suffix: context_after(text, end).into(),
            attributes: super::super::schema::Attributes::new().into(),
            author: "ana".into(),
            times: crate::core::annotation::Times::default(),
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
