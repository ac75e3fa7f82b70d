//! Source texts and offsets.
//!
//! Canonical offsets are Unicode code points (Rust `char`s, Python `str` indices), half-open
//! `[start, end)`, into the text as stored: a leading UTF-8 BOM is dropped, CRLF counts as two.
//!
//! The text is cut into *blocks* — one per line (`\n`), with very long lines cut further at a
//! word boundary — and each block knows its byte and char start, so char↔byte conversion costs
//! a binary search plus a walk inside one block, never a scan of the whole text.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation as _;

/// Lines longer than this many bytes are split into several display blocks (at a space when
/// one is near), so that layout and hit-testing stay cheap on texts without line breaks.
const MAX_BLOCK_BYTES: usize = 16 * 1024;

/// What a keyboard edge move steps over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeUnit {
    Grapheme,
    WordStart,
    WordEnd,
}

/// Why a file cannot be used as a source text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("empty file")]
    Empty,
    #[error("binary file (NUL byte at byte {byte_offset})")]
    Binary { byte_offset: usize },
    #[error("not UTF-8 (invalid byte at line {line}, byte {byte_offset})")]
    NotUtf8 { line: usize, byte_offset: usize },
}

/// One display block: a line (without its `\n`) or a piece of a very long line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub byte_start: usize,
    /// End of the visible content (excludes a trailing `\r\n` / `\n`).
    pub byte_end: usize,
    pub char_start: usize,
    /// End of the visible content in chars.
    pub char_end: usize,
}

impl Block {
    pub fn char_range(&self) -> Range<usize> {
        self.char_start..self.char_end
    }

    pub fn byte_range(&self) -> Range<usize> {
        self.byte_start..self.byte_end
    }

    pub fn char_len(&self) -> usize {
        self.char_end - self.char_start
    }
}

/// A source text, indexed for offset conversion and display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceText {
    text: String,
    had_bom: bool,
    char_len: usize,
    blocks: Vec<Block>,
}

impl SourceText {
    /// Decodes a file's bytes. Refuses empty, binary (NUL) and non-UTF-8 input.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TextError> {
        let (body, had_bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => (rest, true),
            None => (bytes, false),
        };
        if body.is_empty() {
            return Err(TextError::Empty);
        }
        if let Some(byte_offset) = body.iter().position(|&b| b == 0) {
            return Err(TextError::Binary {
                byte_offset: byte_offset + usize::from(had_bom) * 3,
            });
        }
        let text = match std::str::from_utf8(body) {
            Ok(text) => text.to_owned(),
            Err(err) => {
                let valid = err.valid_up_to();
                let line = body[..valid].split(|&b| b == b'\n').count();
                return Err(TextError::NotUtf8 {
                    line,
                    byte_offset: valid + usize::from(had_bom) * 3,
                });
            }
        };
        Ok(Self::from_string_with_bom(text, had_bom))
    }

    /// A text already in memory (no BOM handling: the string is taken as stored).
    pub fn new(text: impl Into<String>) -> Self {
        Self::from_string_with_bom(text.into(), false)
    }

    fn from_string_with_bom(text: String, had_bom: bool) -> Self {
        let blocks = index_blocks(&text);
        let char_len = blocks.last().map_or(0, |last| {
            // Chars after the last block's content: its line terminator, if any.
            last.char_end + text[last.byte_end..].chars().count()
        });
        Self {
            text,
            had_bom,
            char_len,
            blocks,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the file started with a UTF-8 byte order mark (dropped from the text).
    pub fn had_bom(&self) -> bool {
        self.had_bom
    }

    /// Length in code points.
    pub fn char_len(&self) -> usize {
        self.char_len
    }

    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    pub fn block_text(&self, block: &Block) -> &str {
        &self.text[block.byte_range()]
    }

    /// Index of the block containing `char_offset` (or the block whose line terminator holds
    /// it; the last block for the end of the text).
    pub fn block_index_at_char(&self, char_offset: usize) -> usize {
        self.blocks
            .partition_point(|b| b.char_start <= char_offset)
            .saturating_sub(1)
    }

    /// Byte offset of a code-point offset; offsets past the end clamp to the end.
    pub fn byte_of_char(&self, char_offset: usize) -> usize {
        if char_offset >= self.char_len {
            return self.text.len();
        }
        let block = self.blocks[self.block_index_at_char(char_offset)];
        let rest = &self.text[block.byte_start..];
        let within = char_offset - block.char_start;
        if block.byte_end - block.byte_start == block.char_end - block.char_start
            && within <= block.char_len()
        {
            return block.byte_start + within; // ASCII block: bytes are chars.
        }
        // The `within`-th byte that starts a character (not a continuation byte 10xxxxxx): a
        // byte loop, several times faster than decoding every character.
        let mut seen = 0;
        for (i, &b) in rest.as_bytes().iter().enumerate() {
            if b.cast_signed() >= -0x40 {
                if seen == within {
                    return block.byte_start + i;
                }
                seen += 1;
            }
        }
        self.text.len()
    }

    /// Byte offsets of many code-point offsets given in ascending order (equal ones allowed),
    /// in one forward walk: what a caller converting thousands of offsets in one text wants
    /// instead of a [`Self::byte_of_char`] (a block search and a walk inside it) per offset.
    /// Offsets past the end give the text's length.
    pub fn bytes_of_sorted_chars(&self, sorted: &[usize]) -> Vec<usize> {
        debug_assert!(sorted.is_sorted());
        let bytes = self.text.as_bytes();
        let mut out = Vec::with_capacity(sorted.len());
        let (mut byte, mut at) = (0usize, 0usize);
        for &c in sorted {
            if c >= self.char_len {
                out.push(self.text.len());
                continue;
            }
            if c - at > 4096 {
                // A long way ahead: jump through the blocks.
                byte = self.byte_of_char(c);
            } else {
                for _ in at..c {
                    byte += 1;
                    // Step over continuation bytes (10xxxxxx) to the next char start.
                    while byte < bytes.len() && bytes[byte].cast_signed() < -0x40 {
                        byte += 1;
                    }
                }
            }
            at = c;
            out.push(byte);
        }
        out
    }

    /// Code-point offset of a byte offset (which must be on a char boundary).
    pub fn char_of_byte(&self, byte_offset: usize) -> usize {
        let idx = self
            .blocks
            .partition_point(|b| b.byte_start <= byte_offset)
            .saturating_sub(1);
        let Some(block) = self.blocks.get(idx) else {
            return 0;
        };
        let byte_offset = byte_offset.min(self.text.len());
        block.char_start + self.text[block.byte_start..byte_offset].chars().count()
    }

    /// The text of a code-point range (clamped to the text).
    pub fn slice(&self, chars: Range<usize>) -> &str {
        let start = self.byte_of_char(chars.start);
        let end = self.byte_of_char(chars.end.max(chars.start));
        &self.text[start..end]
    }

    /// Grows `chars` to whole words: the start moves back to the start of its word and the
    /// end forward to the end of its word; surrounding whitespace and punctuation are trimmed.
    /// Returns `None` when the range holds no word characters at all.
    pub fn snap_to_words(&self, chars: Range<usize>) -> Option<Range<usize>> {
        let (lo, hi) = (chars.start.min(chars.end), chars.start.max(chars.end));
        let lo_byte = self.byte_of_char(lo);
        let hi_byte = self.byte_of_char(hi);
        // Work within a window around the range so cost is bounded by its size.
        let win_start = floor_char_boundary(&self.text, lo_byte.saturating_sub(256));
        let win_end = ceil_char_boundary(&self.text, (hi_byte + 256).min(self.text.len()));
        let window = &self.text[win_start..win_end];
        let mut start_byte = None;
        let mut end_byte = None;
        for (i, word) in window.split_word_bound_indices() {
            let (ws, we) = (win_start + i, win_start + i + word.len());
            let is_word = word.chars().any(char::is_alphanumeric);
            let touches = if lo_byte == hi_byte {
                ws <= lo_byte && lo_byte < we
            } else {
                ws < hi_byte && we > lo_byte
            };
            if is_word && touches {
                start_byte.get_or_insert(ws);
                end_byte = Some(we);
            }
        }
        let (start_byte, end_byte) = (start_byte?, end_byte?);
        Some(self.char_of_byte(start_byte)..self.char_of_byte(end_byte))
    }

    /// The next boundary after (`forward`) or before `char_offset` of the given `unit`, for
    /// moving a span's edge from the keyboard: a grapheme cluster, or a word's start or end.
    /// `None` when there is none within reach (the text's ends, or no word nearby).
    pub fn edge_step(&self, char_offset: usize, forward: bool, unit: EdgeUnit) -> Option<usize> {
        let pos = self.byte_of_char(char_offset);
        let win_start = floor_char_boundary(&self.text, pos.saturating_sub(512));
        let win_end = ceil_char_boundary(&self.text, (pos + 512).min(self.text.len()));
        let window = &self.text[win_start..win_end];
        let boundaries: Vec<usize> = match unit {
            EdgeUnit::Grapheme => window
                .grapheme_indices(true)
                .map(|(i, _)| win_start + i)
                .chain(std::iter::once(win_end))
                .collect(),
            EdgeUnit::WordStart | EdgeUnit::WordEnd => window
                .split_word_bound_indices()
                .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
                .map(|(i, w)| {
                    win_start
                        + if unit == EdgeUnit::WordStart {
                            i
                        } else {
                            i + w.len()
                        }
                })
                .collect(),
        };
        let byte = if forward {
            boundaries.into_iter().filter(|&b| b > pos).min()
        } else {
            boundaries.into_iter().filter(|&b| b < pos).max()
        }?;
        Some(self.char_of_byte(byte))
    }

    /// Moves the edges of `chars` to grapheme-cluster boundaries (outward), so a span never
    /// splits an emoji or a base letter from its combining marks.
    pub fn snap_to_graphemes(&self, chars: Range<usize>) -> Range<usize> {
        let (lo, hi) = (chars.start.min(chars.end), chars.start.max(chars.end));
        let lo_byte = self.byte_of_char(lo);
        let hi_byte = self.byte_of_char(hi);
        let win_start = floor_char_boundary(&self.text, lo_byte.saturating_sub(64));
        let win_end = ceil_char_boundary(&self.text, (hi_byte + 64).min(self.text.len()));
        let window = &self.text[win_start..win_end];
        let mut start_byte = lo_byte;
        let mut end_byte = hi_byte;
        for (i, g) in window.grapheme_indices(true) {
            let (gs, ge) = (win_start + i, win_start + i + g.len());
            if gs < lo_byte && lo_byte < ge {
                start_byte = gs;
            }
            if gs < hi_byte && hi_byte < ge {
                end_byte = ge;
            }
        }
        self.char_of_byte(start_byte)..self.char_of_byte(end_byte)
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn index_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut char_pos = 0usize;
    let mut byte_pos = 0usize;
    for line in text.split_inclusive('\n') {
        let terminator = if line.ends_with("\r\n") {
            2
        } else {
            usize::from(line.ends_with('\n'))
        };
        let content = &line[..line.len() - terminator];
        let mut piece_start = 0;
        loop {
            let rest = &content[piece_start..];
            let piece_len = if rest.len() > MAX_BLOCK_BYTES {
                let cut = floor_char_boundary(rest, MAX_BLOCK_BYTES);
                rest[..cut].rfind(' ').map_or(cut, |sp| sp + 1).max(1)
            } else {
                rest.len()
            };
            let piece = &rest[..piece_len];
            let piece_chars = piece.chars().count();
            blocks.push(Block {
                byte_start: byte_pos + piece_start,
                byte_end: byte_pos + piece_start + piece_len,
                char_start: char_pos,
                char_end: char_pos + piece_chars,
            });
            char_pos += piece_chars;
            piece_start += piece_len;
            if piece_start >= content.len() {
                break;
            }
        }
        char_pos += terminator;
        byte_pos += line.len();
    }
    if text.is_empty() || text.ends_with('\n') {
        // The empty line after a final newline is a real (empty) block: it can hold the cursor.
        blocks.push(Block {
            byte_start: text.len(),
            byte_end: text.len(),
            char_start: char_pos,
            char_end: char_pos,
        });
    }
    blocks
}

/// Number of UTF-16 code units in `s` (what Java tools and `WebAnno` TSV count).
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Converts a code-point offset to a UTF-16 code-unit offset within `text`.
pub fn char_to_utf16(text: &str, char_offset: usize) -> usize {
    text.chars().take(char_offset).map(char::len_utf16).sum()
}

/// Converts a UTF-16 code-unit offset to a code-point offset within `text`; `None` when the
/// offset falls inside a surrogate pair or past the end.
pub fn utf16_to_char(text: &str, utf16_offset: usize) -> Option<usize> {
    let mut units = 0;
    for (i, c) in text.chars().enumerate() {
        if units == utf16_offset {
            return Some(i);
        }
        units += c.len_utf16();
        if units > utf16_offset {
            return None;
        }
    }
    (units == utf16_offset).then(|| text.chars().count())
}

/// How many characters of context a span keeps on each side, to find it again when its
/// source text changes.
pub const CONTEXT_CHARS: usize = 24;

/// Text escaped for XML content or an attribute value: `&`, `<`, `>`, quotes, and line ends and
/// tabs as character references (so that attribute normalisation and CR folding keep them);
/// other control characters, which XML 1.0 cannot carry, become U+FFFD.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Up to [`CONTEXT_CHARS`] characters before `char_offset`.
pub fn context_before(text: &SourceText, char_offset: usize) -> String {
    text.slice(char_offset.saturating_sub(CONTEXT_CHARS)..char_offset)
        .to_owned()
}

/// Up to [`CONTEXT_CHARS`] characters from `char_offset` on.
pub fn context_after(text: &SourceText, char_offset: usize) -> String {
    text.slice(char_offset..char_offset + CONTEXT_CHARS)
        .to_owned()
}

/// The text's first line with something on it, trimmed and cut to 120 characters (with "…"):
/// what a document list shows when no title is known.
pub fn first_line(text: &str) -> String {
    const MAX: usize = 120;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    if line.chars().count() > MAX {
        let mut cut: String = line.chars().take(MAX - 1).collect();
        cut.push('…');
        cut
    } else {
        line.to_owned()
    }
}

/// The text a span covers: its pieces' texts, joined by a space when discontinuous (as brat
/// writes it). The one place that joins pieces: every reader and writer calls it.
pub fn covered_text(
    text: &SourceText,
    pieces: impl Iterator<Item = Range<usize>>,
) -> std::borrow::Cow<'_, str> {
    join_pieces(pieces.map(|p| text.slice(p)))
}

/// Pieces of text joined by a space (brat's convention for a discontinuous span); one piece
/// (nearly every span) is borrowed, not copied.
pub fn join_pieces<'a>(mut pieces: impl Iterator<Item = &'a str>) -> std::borrow::Cow<'a, str> {
    let Some(first) = pieces.next() else {
        return std::borrow::Cow::Borrowed("");
    };
    match pieces.next() {
        None => std::borrow::Cow::Borrowed(first),
        Some(second) => {
            let mut out = format!("{first} {second}");
            for p in pieces {
                out.push(' ');
                out.push_str(p);
            }
            std::borrow::Cow::Owned(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The one-walk conversion agrees with the per-offset one, across scripts, CRLF, long
        /// lines cut into several blocks and offsets far apart or past the end.
        #[test]
        fn sorted_offsets_convert_as_one_by_one(
            parts in proptest::collection::vec(
                proptest::prop_oneof!["[a-z ]{0,40}", "[ა-ჰ ]{0,40}", "[😀-😊\\r\\n]{0,5}",
                                      "x{5000}"],
                0..12,
            ),
            mut offsets in proptest::collection::vec(0usize..12_000, 0..60),
        ) {
            let text = SourceText::new(parts.concat());
            offsets.sort_unstable();
            let expected: Vec<usize> = offsets.iter().map(|&c| text.byte_of_char(c)).collect();
            proptest::prop_assert_eq!(text.bytes_of_sorted_chars(&offsets), expected);
        }
    }

    #[test]
    fn bom_is_dropped_and_crlf_counts_two() {
        let text = SourceText::from_bytes(b"\xEF\xBB\xBFab\r\ncd").unwrap();
        assert!(text.had_bom());
        assert_eq!(text.as_str(), "ab\r\ncd");
        assert_eq!(text.char_len(), 6);
        assert_eq!(text.slice(4..6), "cd");
        assert_eq!(text.blocks().len(), 2);
        assert_eq!(text.blocks()[0].char_range(), 0..2);
        assert_eq!(text.blocks()[1].char_range(), 4..6);
    }

    #[test]
    fn emoji_and_combining_marks_are_one_code_point_each() {
        // "e" + COMBINING ACUTE is two code points; 😊 is one code point, two UTF-16 units.
        let text = SourceText::new("cafe\u{301} 😊 ok");
        assert_eq!(text.char_len(), 10);
        assert_eq!(text.slice(6..7), "😊");
        assert_eq!(text.slice(8..10), "ok");
        assert_eq!(text.byte_of_char(8), "cafe\u{301} 😊 ".len());
        assert_eq!(text.char_of_byte("cafe\u{301} 😊 ".len()), 8);
        assert_eq!(char_to_utf16(text.as_str(), 8), 9);
        assert_eq!(utf16_to_char(text.as_str(), 9), Some(8));
        assert_eq!(
            utf16_to_char(text.as_str(), 7),
            None,
            "inside the surrogate pair"
        );
        // Selecting only the "e" grows to the whole grapheme "é".
        assert_eq!(text.snap_to_graphemes(3..4), 3..5);
    }

    #[test]
    fn georgian_offsets() {
        let text = SourceText::new("პრეზიდენტი დონალდ ტრამპი");
        assert_eq!(text.slice(11..17), "დონალდ");
        assert_eq!(text.snap_to_words(13..14), Some(11..17));
    }

    #[test]
    fn word_snapping_trims_spaces_and_punctuation() {
        let text = SourceText::new("Secretary of State John Kerry, who's in Geneva.");
        assert_eq!(text.snap_to_words(21..27), Some(19..29)); // "ohn Ke" -> "John Kerry"
        assert_eq!(text.slice(19..29), "John Kerry");
        assert_eq!(text.snap_to_words(28..31), Some(24..29)); // "y, " -> "Kerry"
        assert_eq!(text.snap_to_words(29..30), None); // "," alone
        assert_eq!(text.snap_to_words(41..41), Some(40..46)); // caret inside "Geneva"
    }

    #[test]
    fn edges_step_by_grapheme_and_word() {
        let text = SourceText::new("Kerry 👍🏽 said no.");
        assert_eq!(text.edge_step(5, true, EdgeUnit::Grapheme), Some(6));
        assert_eq!(
            text.edge_step(6, true, EdgeUnit::Grapheme),
            Some(8),
            "skin tone stays attached"
        );
        assert_eq!(text.edge_step(8, false, EdgeUnit::Grapheme), Some(6));
        assert_eq!(text.edge_step(5, true, EdgeUnit::WordEnd), Some(13)); // "said"
        assert_eq!(text.edge_step(13, false, EdgeUnit::WordEnd), Some(5)); // back to "Kerry"
        assert_eq!(text.edge_step(0, true, EdgeUnit::WordStart), Some(9));
        assert_eq!(text.edge_step(9, false, EdgeUnit::WordStart), Some(0));
        assert_eq!(text.edge_step(0, false, EdgeUnit::Grapheme), None);
        assert_eq!(text.edge_step(17, true, EdgeUnit::WordEnd), None);
    }

    #[test]
    fn bad_bytes_are_refused_with_place() {
        assert_eq!(SourceText::from_bytes(b""), Err(TextError::Empty));
        assert_eq!(
            SourceText::from_bytes(b"\xEF\xBB\xBF"),
            Err(TextError::Empty)
        );
        assert_eq!(
            SourceText::from_bytes(b"ab\0c"),
            Err(TextError::Binary { byte_offset: 2 })
        );
        assert_eq!(
            SourceText::from_bytes(b"ok\nfine\n\xFFbad"),
            Err(TextError::NotUtf8 {
                line: 3,
                byte_offset: 8
            })
        );
    }

    #[test]
    fn long_lines_are_split_into_blocks_without_losing_chars() {
        let line = "word ".repeat(10_000);
        let text = SourceText::new(format!("{line}\nend"));
        assert!(text.blocks().len() > 2);
        let rebuilt: String = text
            .blocks()
            .iter()
            .map(|b| text.block_text(b))
            .collect::<String>();
        assert_eq!(rebuilt, format!("{line}end"));
        for pair in text.blocks().windows(2) {
            assert!(pair[0].char_end <= pair[1].char_start);
        }
        assert_eq!(text.slice(50_001..50_004), "end");
    }

    #[test]
    fn final_newline_gives_an_empty_last_block() {
        let text = SourceText::new("a\n");
        assert_eq!(text.blocks().len(), 2);
        assert_eq!(text.blocks()[1].char_range(), 2..2);
        assert_eq!(text.block_index_at_char(2), 1);
    }
}
