//! Tokens and sentences for the token-based formats (`CoNLL`, `WebAnno` TSV).
//!
//! Words by Unicode word boundaries (UAX #29) without whitespace, sentences by Unicode sentence
//! boundaries. Tokens are also split at every span boundary, so every span covers whole
//! tokens and comes back exactly; a sentence never ends inside a span.
//!
//! One flat list of tokens and where each sentence ends (a vector per sentence was an
//! allocation per sentence); each token knows its bytes as well as its code points, so the
//! writers slice the text without a code-point index of their own.

/// One token: `[start, end)` in code points and in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub chars: [usize; 2],
    pub bytes: [usize; 2],
}

/// A text's tokens, in order, cut into sentences.
#[derive(Debug, Default)]
pub struct Tokens {
    pub all: Vec<Token>,
    /// Where each sentence ends in `all` (exclusive), in order; the last is `all.len()`.
    ends: Vec<usize>,
}

impl Tokens {
    /// The sentences, each a non-empty run of tokens.
    pub fn sentences(&self) -> impl Iterator<Item = &[Token]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(from, &to)| &self.all[from..to])
    }
}

/// Tokens of `text`, cut at every boundary of `spans` (`[start, end)` in code points).
pub fn tokenize(text: &str, spans: &[[usize; 2]]) -> Tokens {
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
    let mut out = Tokens {
        // About one token per six bytes of running text.
        all: Vec::with_capacity(text.len() / 6 + cuts.len()),
        ends: Vec::new(),
    };
    // Words come in order: their code-point offsets are counted along, not looked up.
    let mut at = 0;
    let mut next_cut = 0;
    let base = text.as_ptr() as usize;
    super::segment::for_each_word_by_sentence(text, |piece| {
        let (word, chars) = match piece {
            super::segment::Piece::Word(word, chars) => (word, chars),
            super::segment::Piece::End => {
                let last = out.ends.last().copied().unwrap_or(0);
                if out.all.len() > last && !inside(at) {
                    out.ends.push(out.all.len());
                }
                return;
            }
        };
        let start = at;
        let end = start + chars;
        at = end;
        if word.chars().all(char::is_whitespace) {
            return;
        }
        let byte = word.as_ptr() as usize - base;
        // Split at span boundaries strictly inside the word (the cuts are passed in order,
        // as the words are).
        while next_cut < cuts.len() && cuts[next_cut] <= start {
            next_cut += 1;
        }
        let mut from = [start, byte];
        let mut rest = word.char_indices().map(|(b, _)| byte + b);
        let mut walked = start;
        for &cut in cuts[next_cut..].iter().take_while(|c| **c < end) {
            // The cut's byte: walk the word's chars up to it (a cut inside the word is at one
            // of its chars).
            let cut_byte = rest.nth(cut - walked).unwrap_or(byte + word.len());
            walked = cut + 1;
            push(&mut out.all, from, [cut, cut_byte]);
            from = [cut, cut_byte];
        }
        push(&mut out.all, from, [end, byte + word.len()]);
    });
    if out.ends.last().copied().unwrap_or(0) < out.all.len() {
        out.ends.push(out.all.len());
    }
    out
}

/// Appends the token `[from, to)` (code points, bytes) unless it is empty — a cut at a
/// whitespace's side may leave one, and whitespace is never a token.
fn push(tokens: &mut Vec<Token>, from: [usize; 2], to: [usize; 2]) {
    if from[0] < to[0] {
        tokens.push(Token {
            chars: [from[0], to[0]],
            bytes: [from[1], to[1]],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every token's bytes hold exactly its code points, tokens never hold whitespace only,
    /// and every span boundary is a token boundary.
    #[test]
    fn tokens_know_their_bytes_and_respect_spans() {
        let text = "Лавров встретился с Керри. «Переговоры» — в Женеве.\nKerry said: fine.";
        let chars: Vec<char> = text.chars().collect();
        let spans = [[0, 3], [20, 26], [30, 35], [60, 65]];
        let tokens = tokenize(text, &spans);
        assert!(tokens.sentences().count() >= 3);
        let mut n = 0;
        for sentence in tokens.sentences() {
            assert!(!sentence.is_empty());
            for t in sentence {
                let by_chars: String = chars[t.chars[0]..t.chars[1]].iter().collect();
                assert_eq!(&text[t.bytes[0]..t.bytes[1]], by_chars);
                assert!(!by_chars.chars().all(char::is_whitespace));
                n += 1;
            }
        }
        assert_eq!(n, tokens.all.len());
        let bounds: Vec<usize> = tokens.all.iter().flat_map(|t| t.chars).collect();
        for [s, e] in spans {
            assert!(bounds.contains(&s) && bounds.contains(&e), "{s}..{e}");
        }
    }
}
