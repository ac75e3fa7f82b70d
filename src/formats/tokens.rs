//! Tokens and sentences for the token-based formats (`CoNLL`, `WebAnno` TSV).
//!
//! Words by Unicode word boundaries (UAX #29) without whitespace, sentences by Unicode sentence
//! boundaries. Tokens are also split at every span boundary, so every span covers whole
//! tokens and comes back exactly; a sentence never ends inside a span.

/// Sentences of tokens, each token `[start, end)` in code points.
pub fn sentences(text: &str, spans: &[[usize; 2]]) -> Vec<Vec<[usize; 2]>> {
    let mut cuts: Vec<usize> = spans.iter().flat_map(|[s, e]| [*s, *e]).collect();
    cuts.sort_unstable();
    cuts.dedup();
    // Merged extents of the spans: a sentence may not end strictly inside one.
    let mut covered: Vec<[usize; 2]> = spans.to_vec();
    covered.sort_unstable();
    let mut merged: Vec<[usize; 2]> = Vec::with_capacity(covered.len());
    for [s, e] in covered {
        match merged.last_mut() {
            Some(last) if s < last[1] => last[1] = last[1].max(e),
            _ => merged.push([s, e]),
        }
    }
    let inside = |p: usize| {
        let i = merged.partition_point(|r| r[1] <= p);
        merged.get(i).is_some_and(|r| r[0] < p && p < r[1])
    };
    let mut out: Vec<Vec<[usize; 2]>> = Vec::new();
    let mut current: Vec<[usize; 2]> = Vec::new();
    // Words come in order: their code-point offsets are counted along, not looked up.
    let mut at = 0;
    let mut pieces: Vec<&str> = Vec::new();
    super::segment::for_each_sentence(text, |sentence| pieces.push(sentence));
    for sentence in pieces {
        super::segment::for_each_word(sentence, |word, chars| {
            let start = at;
            let end = start + chars;
            at = end;
            if word.chars().all(char::is_whitespace) {
                return;
            }
            // Split at span boundaries strictly inside the word.
            let mut from = start;
            let first = cuts.partition_point(|c| *c <= start);
            for &cut in cuts[first..].iter().take_while(|c| **c < end) {
                current.push([from, cut]);
                from = cut;
            }
            current.push([from, end]);
        });
        if !current.is_empty() && !inside(at) {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    // Tokens may have whitespace at a cut's side only if the span started on it: trim.
    for sentence in &mut out {
        sentence.retain(|[s, e]| s < e);
    }
    out
}
