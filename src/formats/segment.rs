//! Sentence and word boundaries (UAX #29) for the token formats, with a fast path for the
//! Latin-script texts most corpora hold.
//!
//! `unicode-segmentation` looks every character's property up in large tables (a third of
//! `convert --to conll`'s time). When every character of a text is one whose sentence and word
//! properties are listed here (ASCII, Latin-1, Latin Extended-A, the common dashes and quotation
//! marks), the same rules are applied from a match instead; otherwise the library does it. Both
//! give the same pieces: the tests compare them on every listed character in many contexts and
//! on random strings.

use unicode_segmentation::UnicodeSegmentation;

/// The `Sentence_Break` property of the characters the fast path knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sb {
    Cr,
    Lf,
    Sep,
    Sp,
    Lower,
    Upper,
    Numeric,
    ATerm,
    STerm,
    Close,
    SContinue,
    Other,
}

/// The `Word_Break` property of the characters the fast path knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wb {
    Cr,
    Lf,
    Newline,
    WSegSpace,
    ALetter,
    Numeric,
    MidLetter,
    MidNum,
    MidNumLet,
    SingleQuote,
    ExtendNumLet,
    Other,
}

/// Both properties of `c`, or `None` when the fast path does not know it.
#[inline]
fn props(c: char) -> Option<(Sb, Wb)> {
    match ASCII.get(c as usize) {
        Some(p) => *p,
        None => non_ascii_props(c),
    }
}

/// The properties of the ASCII characters, by code.
const ASCII: [Option<(Sb, Wb)>; 128] = {
    let mut table = [None; 128];
    let mut code = 0;
    while code < 128 {
        #[expect(clippy::cast_possible_truncation)]
        let c = code as u8 as char;
        table[code] = ascii_props(c);
        code += 1;
    }
    table
};

const fn ascii_props(c: char) -> Option<(Sb, Wb)> {
    Some(match c {
        'a'..='z' => (Sb::Lower, Wb::ALetter),
        'A'..='Z' => (Sb::Upper, Wb::ALetter),
        '0'..='9' => (Sb::Numeric, Wb::Numeric),
        ' ' => (Sb::Sp, Wb::WSegSpace),
        '\t' => (Sb::Sp, Wb::Other),
        '\u{b}' | '\u{c}' => (Sb::Sp, Wb::Newline),
        '\r' => (Sb::Cr, Wb::Cr),
        '\n' => (Sb::Lf, Wb::Lf),
        '.' => (Sb::ATerm, Wb::MidNumLet),
        '!' | '?' => (Sb::STerm, Wb::Other),
        ',' | ';' => (Sb::SContinue, Wb::MidNum),
        ':' => (Sb::SContinue, Wb::MidLetter),
        '-' => (Sb::SContinue, Wb::Other),
        '\'' => (Sb::Close, Wb::SingleQuote),
        '"' | '(' | ')' | '[' | ']' | '{' | '}' => (Sb::Close, Wb::Other),
        '_' => (Sb::Other, Wb::ExtendNumLet),
        '#' | '$' | '%' | '&' | '*' | '+' | '/' | '<' | '=' | '>' | '@' | '\\' | '^' | '`'
        | '|' | '~' => (Sb::Other, Wb::Other),
        _ => return None,
    })
}

fn non_ascii_props(c: char) -> Option<(Sb, Wb)> {
    Some(match c {
        '\u{85}' => (Sb::Sep, Wb::Newline),
        '\u{a0}' => (Sb::Sp, Wb::Other),
        '¡' | '¢' | '£' | '¤' | '¥' | '¦' | '§' | '¨' | '©' | '¬' | '®' | '¯' | '°' | '±' | '²'
        | '³' | '´' | '¶' | '¹' | '¼' | '½' | '¾' | '¿' | '×' | '÷' => {
            (Sb::Other, Wb::Other)
        }
        '·' => (Sb::Other, Wb::MidLetter),
        'ª' | 'µ' | 'º' | 'ß'..='ö' | 'ø'..='ÿ' => (Sb::Lower, Wb::ALetter),
        'À'..='Ö' | 'Ø'..='Þ' => (Sb::Upper, Wb::ALetter),
        // Latin Extended-A: upper and lower case in turn, with a few exceptions.
        '\u{100}'..='\u{17f}' => (latin_extended_a_case(c), Wb::ALetter),
        '\u{2013}' | '\u{2014}' => (Sb::SContinue, Wb::Other),
        '\u{2018}' | '\u{2019}' => (Sb::Close, Wb::MidNumLet),
        '«' | '»' | '\u{201c}' | '\u{201d}' => (Sb::Close, Wb::Other),
        '\u{2026}' | '€' => (Sb::Other, Wb::Other),
        _ => return None,
    })
}

fn latin_extended_a_case(c: char) -> Sb {
    if c.is_uppercase() {
        Sb::Upper
    } else {
        Sb::Lower
    }
}

/// Can the fast path segment `text`?
#[cfg(test)]
fn known(text: &str) -> bool {
    text.chars().all(|c| props(c).is_some())
}

/// A char of a text the fast path segments: where it starts (bytes) and its two properties.
#[derive(Clone, Copy)]
struct Class {
    at: u32,
    sb: Sb,
    wb: Wb,
}

/// Each char of `text` with its properties, looked up once; `None` when the fast path does
/// not know one of them (or the text is past 4 GB).
fn classify(text: &str) -> Option<Vec<Class>> {
    u32::try_from(text.len()).ok()?;
    let mut out = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let (sb, wb) = props(c)?;
        #[expect(
            clippy::cast_possible_truncation,
            reason = "the length fits, checked above"
        )]
        out.push(Class {
            at: i as u32,
            sb,
            wb,
        });
    }
    Some(out)
}

/// Calls `f` with each sentence of `text` (UAX #29 sentence boundaries), in order.
#[cfg(test)]
pub(super) fn for_each_sentence<'t>(text: &'t str, mut f: impl FnMut(&'t str)) {
    // A sentence is its pieces, end to end.
    let base = text.as_ptr() as usize;
    let mut from = None;
    let mut to = 0;
    for_each_word_by_sentence(text, |piece| match piece {
        Piece::Word(word, _) => {
            let at = word.as_ptr() as usize - base;
            from.get_or_insert(at);
            to = at + word.len();
        }
        Piece::End => f(&text[from.take().unwrap_or(to)..to]),
    });
}

/// What [`for_each_word_by_sentence`] calls back with.
pub(super) enum Piece<'t> {
    /// A word-boundary piece and its length in chars.
    Word(&'t str, usize),
    /// The end of the sentence whose pieces came last.
    End,
}

/// Calls `f` with each word-boundary piece (UAX #29 word boundaries, spaces and punctuation
/// included, as `split_word_bounds`) of each sentence of `text` (UAX #29 sentence
/// boundaries), in order; and with each sentence, after its last piece. Each char's
/// properties are looked up once, for both.
pub(super) fn for_each_word_by_sentence<'t>(text: &'t str, mut f: impl FnMut(Piece<'t>)) {
    let Some(chars) = classify(text) else {
        // The library's sentences; the words of each by the fast path where it knows the
        // sentence's chars (a Latin text quoting a line of Georgian).
        for sentence in text.split_sentence_bounds() {
            match classify(sentence) {
                Some(chars) => words_in(sentence, 0, &chars, &mut |w, n| {
                    f(Piece::Word(w, n));
                }),
                None => {
                    for piece in sentence.split_word_bounds() {
                        f(Piece::Word(piece, piece.chars().count()));
                    }
                }
            }
            f(Piece::End);
        }
        return;
    };
    let byte = |k: usize| chars.get(k).map_or(text.len(), |c| c.at as usize);
    let mut sentence = |from: usize, to: usize| {
        let (a, b) = (byte(from), byte(to));
        words_in(&text[a..b], a, &chars[from..to], &mut |w, n| {
            f(Piece::Word(w, n));
        });
        f(Piece::End);
    };
    let mut start = 0;
    for k in 1..chars.len() {
        if sentence_break_before(&chars, k) {
            sentence(start, k);
            start = k;
        }
    }
    if start < chars.len() {
        sentence(start, chars.len());
    }
}

/// Is there a sentence boundary between `chars[k - 1]` and `chars[k]` (SB3–SB998, no Extend or
/// Format characters in the known set)?
#[expect(
    clippy::inline_always,
    reason = "called for every char: inlined, the common case is a compare (measured: a fifth of tokenizing)"
)]
#[inline(always)]
fn sentence_break_before(chars: &[Class], k: usize) -> bool {
    // Most chars: no boundary can follow a letter, digit or other char that is no space,
    // closing mark, terminator or separator (the rules' look-back finds no terminator).
    !matches!(
        chars[k - 1].sb,
        Sb::Lower | Sb::Upper | Sb::Numeric | Sb::SContinue | Sb::Other
    ) && sentence_rules(chars, k)
}

/// [`sentence_break_before`] by the rules.
fn sentence_rules(chars: &[Class], k: usize) -> bool {
    let class = |i: usize| chars[i].sb;
    let prev = class(k - 1);
    let cur = class(k);
    let para_sep = |c: Sb| matches!(c, Sb::Cr | Sb::Lf | Sb::Sep);
    // SB3, SB4
    if prev == Sb::Cr && cur == Sb::Lf {
        return false;
    }
    if para_sep(prev) {
        return true;
    }
    // Look back over Sp* then Close* to an SATerm.
    let mut i = k;
    while i > 0 && class(i - 1) == Sb::Sp {
        i -= 1;
    }
    let had_sp = i < k;
    let mut j = i;
    while j > 0 && class(j - 1) == Sb::Close {
        j -= 1;
    }
    let term = (j > 0).then(|| (class(j - 1), j - 1));
    let Some((term, term_at)) = term.filter(|(t, _)| matches!(t, Sb::ATerm | Sb::STerm)) else {
        return false; // SB998
    };
    let right_after_term = term_at + 1 == k;
    // SB6: ATerm × Numeric
    if right_after_term && term == Sb::ATerm && cur == Sb::Numeric {
        return false;
    }
    // SB7: (Upper | Lower) ATerm × Upper
    if right_after_term
        && term == Sb::ATerm
        && cur == Sb::Upper
        && term_at > 0
        && matches!(class(term_at - 1), Sb::Upper | Sb::Lower)
    {
        return false;
    }
    // SB8: ATerm Close* Sp* × ( ¬(OLetter | Upper | Lower | ParaSep | SATerm) )* Lower
    if term == Sb::ATerm {
        let mut m = k;
        while m < chars.len()
            && !matches!(
                class(m),
                Sb::Upper | Sb::Lower | Sb::Cr | Sb::Lf | Sb::Sep | Sb::ATerm | Sb::STerm
            )
        {
            m += 1;
        }
        if m < chars.len() && class(m) == Sb::Lower {
            return false;
        }
    }
    // SB8a: SATerm Close* Sp* × (SContinue | SATerm)
    if matches!(cur, Sb::SContinue | Sb::ATerm | Sb::STerm) {
        return false;
    }
    // SB9: SATerm Close* × (Close | Sp | ParaSep)
    if !had_sp && matches!(cur, Sb::Close | Sb::Sp) || para_sep(cur) {
        return false;
    }
    // SB10: SATerm Close* Sp* × (Sp | ParaSep)
    if cur == Sb::Sp {
        return false;
    }
    // SB11: SATerm Close* Sp* ParaSep? ÷
    true
}

/// Calls `f` with each word-boundary piece of `text` (UAX #29 word boundaries, spaces and
/// punctuation included, as `split_word_bounds`), in order, with its length in chars.
#[cfg(test)]
pub(super) fn for_each_word<'t>(text: &'t str, mut f: impl FnMut(&'t str, usize)) {
    match classify(text) {
        Some(chars) => words_in(text, 0, &chars, &mut f),
        None => {
            for word in text.split_word_bounds() {
                f(word, word.chars().count());
            }
        }
    }
}

/// The word pieces of `piece` (starting at byte `offset` of the text `chars` were classified
/// from; `chars` are its own).
fn words_in<'t>(
    piece: &'t str,
    offset: usize,
    chars: &[Class],
    f: &mut impl FnMut(&'t str, usize),
) {
    let (mut start, mut start_char) = (0, 0);
    for k in 1..chars.len() {
        if word_break_before(chars, k) {
            let at = chars[k].at as usize - offset;
            f(&piece[start..at], k - start_char);
            (start, start_char) = (at, k);
        }
    }
    if start < piece.len() {
        f(&piece[start..], chars.len() - start_char);
    }
}

/// Is there a word boundary between `chars[k - 1]` and `chars[k]` (WB3–WB999 for the known
/// set: no Extend, Format, ZWJ, Katakana, Hebrew or regional indicators)?
#[expect(
    clippy::inline_always,
    reason = "called for every char: inlined, the common case is a compare (measured: a fifth of tokenizing)"
)]
#[inline(always)]
fn word_break_before(chars: &[Class], k: usize) -> bool {
    // Most chars: a letter after a letter (WB5).
    !(chars[k - 1].wb == Wb::ALetter && chars[k].wb == Wb::ALetter) && word_rules(chars, k)
}

/// [`word_break_before`] by the rules.
#[expect(
    clippy::match_same_arms,
    reason = "one arm per UAX #29 rule, in the rules' order"
)]
fn word_rules(chars: &[Class], k: usize) -> bool {
    let class = |i: usize| chars.get(i).map(|c| c.wb);
    let prev = chars[k - 1].wb;
    let cur = chars[k].wb;
    let before = || k.checked_sub(2).and_then(class);
    let after = || class(k + 1);
    let mid_letter = |c: Wb| matches!(c, Wb::MidLetter | Wb::MidNumLet | Wb::SingleQuote);
    let mid_num = |c: Wb| matches!(c, Wb::MidNum | Wb::MidNumLet | Wb::SingleQuote);
    match (prev, cur) {
        (Wb::Cr, Wb::Lf) => false, // WB3
        (Wb::Cr | Wb::Lf | Wb::Newline, _) | (_, Wb::Cr | Wb::Lf | Wb::Newline) => true, // WB3a, b
        (Wb::WSegSpace, Wb::WSegSpace) => false, // WB3d
        (Wb::ALetter, Wb::ALetter) => false, // WB5
        (Wb::ALetter, m) if mid_letter(m) && after() == Some(Wb::ALetter) => false, // WB6
        (m, Wb::ALetter) if mid_letter(m) && before() == Some(Wb::ALetter) => false, // WB7
        (Wb::Numeric | Wb::ALetter, Wb::Numeric) | (Wb::Numeric, Wb::ALetter) => {
            false // WB8, WB9, WB10
        }
        (m, Wb::Numeric) if mid_num(m) && before() == Some(Wb::Numeric) => false, // WB11
        (Wb::Numeric, m) if mid_num(m) && after() == Some(Wb::Numeric) => false,  // WB12
        (Wb::ALetter | Wb::Numeric | Wb::ExtendNumLet, Wb::ExtendNumLet) => false, // WB13a
        (Wb::ExtendNumLet, Wb::ALetter | Wb::Numeric) => false,                   // WB13b
        _ => true,                                                                // WB999
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sentences_fast(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        for_each_sentence(text, |s| out.push(s));
        out
    }

    fn words_fast(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        for_each_word(text, |w, n| {
            assert_eq!(n, w.chars().count());
            out.push(w);
        });
        out
    }

    fn check(text: &str) {
        if !known(text) {
            return;
        }
        let lib: Vec<&str> = text.split_sentence_bounds().collect();
        assert_eq!(sentences_fast(text), lib, "sentences of {text:?}");
        let lib: Vec<&str> = text.split_word_bounds().collect();
        assert_eq!(words_fast(text), lib, "words of {text:?}");
    }

    /// Every known character in contexts that exercise each rule it could take part in.
    #[test]
    fn every_known_character_segments_as_the_library_does() {
        let known_chars: Vec<char> = (0u32..0x2100)
            .chain([0x20ac])
            .filter_map(char::from_u32)
            .filter(|c| props(*c).is_some())
            .collect();
        assert!(known_chars.len() > 300);
        let templates = [
            "a{}a",
            "A{}A",
            "1{}1",
            "a{}1",
            "1{}a",
            "_{}_",
            "{}{}",
            " {} ",
            "x. {}b",
            "x. {}B",
            "X.{}b",
            "X.{}B",
            "Ab.{} c",
            "Ab.{} C",
            "Ab.{}\nC",
            "go!{} ok",
            "go!{} Ok",
            "e.{}",
            "{}. c",
            "a{}. C",
            "x.) {} y",
            "Mr.{}",
            "u.s.{}a",
            "3.{}4",
            "a'{}b",
            "it's{}",
            "a\r{}\n",
            "{}\r\n{}",
            "end.\u{85}{}",
            "hi.  {}x",
            "hi.  {}X",
        ];
        let mut wrong = Vec::new();
        for c in &known_chars {
            for t in templates {
                let text = t.replace("{}", &c.to_string());
                let lib_s: Vec<&str> = text.split_sentence_bounds().collect();
                let lib_w: Vec<&str> = text.split_word_bounds().collect();
                if sentences_fast(&text) != lib_s || words_fast(&text) != lib_w {
                    wrong.push((*c, text));
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:?}");
    }

    /// Real texts: the sample corpus and the bratiaa corpus (Spanish), whole.
    #[test]
    fn real_texts_segment_as_the_library_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        for dir in [
            "projects/syria-talks/sources",
            "tests/data/bratiaa_4annotators/example-project/Lisa",
        ] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "txt") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    seen += usize::from(known(&text));
                    check(&text);
                }
            }
        }
        assert!(seen >= 5, "the fast path took {seen} of the texts");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn mixed_text_segments_as_the_library_does_sentence_by_sentence(
            text in "[a-cA-C0-2 .!?,;:'\"()\n\u{a0}ñ’ა😊]{0,60}"
        ) {
            // Georgian and emoji are not the fast path's: the library splits sentences, and
            // the fast path takes the words of those it knows.
            let mut lib: Vec<(&str, bool)> = Vec::new();
            for sentence in text.split_sentence_bounds() {
                lib.extend(sentence.split_word_bounds().map(|w| (w, false)));
                lib.push(("", true));
            }
            let mut fast: Vec<(&str, bool)> = Vec::new();
            for_each_word_by_sentence(&text, |piece| match piece {
                Piece::Word(w, n) => {
                    assert_eq!(n, w.chars().count());
                    fast.push((w, false));
                }
                Piece::End => fast.push(("", true)),
            });
            prop_assert_eq!(fast, lib);
        }

        #[test]
        fn random_latin_text_segments_as_the_library_does(
            text in "[a-cA-C0-2 .!?,;:'\"()«»\\-_\t\r\n\u{85}\u{a0}ñÑ·–’”…ªĀāŉ€¿¡]{0,60}"
        ) {
            check(&text);
        }
    }
}
