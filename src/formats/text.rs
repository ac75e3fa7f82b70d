//! Text as the formats meet it: code point ↔ byte and UTF-16 offsets, covered text, UTF-8
//! reading and the byte-order mark.

use std::path::Path;

use super::{ImportError, Layer};

/// The text of a span's pieces (code point offsets, through `index`), joined as
/// [`crate::core::text::join_pieces`] does; one piece borrows the text.
pub fn covered_slice<'a>(
    text: &'a str,
    index: &CharIndex,
    pieces: &[[usize; 2]],
) -> std::borrow::Cow<'a, str> {
    crate::core::text::join_pieces(
        pieces
            .iter()
            .map(|[s, e]| &text[index.byte(*s)..index.byte(*e)]),
    )
}

/// Code point ↔ byte offsets of one text (formats convert many offsets per document). It
/// counts the chars that start before each 64-byte block of the text — a pass the compiler
/// vectorises, an eighth of a word per block instead of a word per char — so a lookup is a
/// binary search over the blocks and a walk of at most 64 bytes; an ASCII text needs no table.
pub struct CharIndex<'a> {
    text: &'a [u8],
    /// Chars starting before each block, and the text's char count at the end; empty for an
    /// ASCII text (a char is a byte).
    before: Vec<usize>,
    /// The last lookup (char, byte): formats look offsets up in order, so the next is usually
    /// a few chars on from it.
    last: std::cell::Cell<(usize, usize)>,
}

/// Bytes a block of [`CharIndex`] covers.
const BLOCK: usize = 64;

/// How many chars start in `bytes` (every byte that is not a UTF-8 continuation byte).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

impl<'a> CharIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut before = Vec::new();
        if !text.is_ascii() {
            before.reserve(bytes.len() / BLOCK + 2);
            let mut n = 0;
            for block in bytes.chunks(BLOCK) {
                before.push(n);
                n += char_starts(block);
            }
            before.push(n);
        }
        Self {
            text: bytes,
            before,
            last: std::cell::Cell::new((0, 0)),
        }
    }

    pub fn char_len(&self) -> usize {
        self.before.last().copied().unwrap_or(self.text.len())
    }

    /// The byte offset of a char offset (clamped to the end).
    pub fn byte(&self, char_offset: usize) -> usize {
        if self.before.is_empty() {
            return char_offset.min(self.text.len());
        }
        // `n` chars start before byte `i` (a char's first byte): from the last lookup when the
        // char is a little after it, else from the last block that starts at or before it.
        let (last_char, last_byte) = self.last.get();
        let (mut i, mut n) = if (last_char..=last_char + BLOCK).contains(&char_offset) {
            (last_byte, last_char)
        } else {
            let k = self.before.partition_point(|&n| n <= char_offset) - 1;
            ((k * BLOCK).min(self.text.len()), self.before[k])
        };
        // Each char takes at least a byte, so the char is at least as many bytes on as chars
        // are still to pass: jump there and count what was passed (one jump in a run of ASCII,
        // a few where chars take more bytes).
        while n < char_offset && i < self.text.len() {
            let j = (i + (char_offset - n)).min(self.text.len());
            n += char_starts(&self.text[i..j]);
            i = j;
        }
        // The char starts at the first byte from `i` that is not inside another.
        while i < self.text.len() && self.text[i] & 0xC0 == 0x80 {
            i += 1;
        }
        if n == char_offset {
            self.last.set((n, i));
        }
        i
    }

    /// The char offset of a byte offset on a char boundary.
    pub fn char_of_byte(&self, byte: usize) -> Option<usize> {
        if byte >= self.text.len() {
            return (byte == self.text.len()).then(|| self.char_len());
        }
        if self.text[byte] & 0xC0 == 0x80 {
            return None;
        }
        if self.before.is_empty() {
            return Some(byte);
        }
        let k = byte / BLOCK;
        Some(self.before[k] + char_starts(&self.text[k * BLOCK..byte]))
    }
}

/// UTF-16 ↔ code point offsets of one text, precomputed.
pub struct Utf16Index {
    /// UTF-16 offset of each char, plus the total at the end.
    units: Vec<usize>,
}

impl Utf16Index {
    pub fn new(text: &str) -> Self {
        let mut units = Vec::with_capacity(text.len() + 1);
        let mut n = 0;
        for c in text.chars() {
            units.push(n);
            n += c.len_utf16();
        }
        units.push(n);
        Self { units }
    }

    pub fn utf16(&self, char_offset: usize) -> usize {
        self.units[char_offset.min(self.units.len() - 1)]
    }

    /// The char offset at a UTF-16 offset; `None` inside a surrogate pair or past the end.
    pub fn char_of(&self, utf16: usize) -> Option<usize> {
        self.units.binary_search(&utf16).ok()
    }
}

/// Reads a file as UTF-8, naming the file and the byte where it is not.
pub fn read_utf8(path: &Path) -> Result<String, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = bytecount(&e.as_bytes()[..valid], b'\n') + 1;
        ImportError::bad(
            path,
            line,
            format!("not UTF-8 text (invalid byte at offset {valid})"),
        )
    })
}

fn bytecount(bytes: &[u8], byte: u8) -> usize {
    bytes.iter().fold(0, |n, b| n + usize::from(*b == byte))
}

/// Splits a leading BOM off a text whose offsets counted it, shifting the layers' spans.
pub fn strip_bom_shifting(text: &str, layers: &mut [Layer]) -> (String, bool) {
    let (text, bom) = strip_bom(text.to_owned());
    if bom {
        for span in layers.iter_mut().flat_map(|l| &mut l.spans) {
            for p in &mut span.pieces {
                p[0] = p[0].saturating_sub(1);
                p[1] = p[1].saturating_sub(1);
            }
        }
    }
    (text, bom)
}

/// Splits a leading BOM off a text.
pub fn strip_bom(text: String) -> (String, bool) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest.to_owned(), true),
        None => (text, false),
    }
}

#[cfg(test)]
mod char_index_tests {
    use super::CharIndex;
    use proptest::prelude::*;

    proptest! {
        /// Every lookup agrees with `char_indices`, on any text (long ones span many blocks).
        #[test]
        fn agrees_with_char_indices(
            text in prop_oneof!["(\\PC|\n){0,300}", "[a-z é€𝄞\n]{0,400}", "[a-z ]{0,200}"],
            extra in 0usize..4,
        ) {
            let index = CharIndex::new(&text);
            let starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            prop_assert_eq!(index.char_len(), starts.len());
            for (c, &b) in starts.iter().enumerate() {
                prop_assert_eq!(index.byte(c), b);
                prop_assert_eq!(index.char_of_byte(b), Some(c));
            }
            // In any order too (a lookup starts from the last one when it can).
            for (c, &b) in starts.iter().enumerate().rev().step_by(3) {
                prop_assert_eq!(index.byte(c), b);
                prop_assert_eq!(index.byte(c / 2), starts[c / 2]);
            }
            prop_assert_eq!(index.byte(starts.len() + extra), text.len());
            prop_assert_eq!(index.char_of_byte(text.len()), Some(starts.len()));
            prop_assert_eq!(index.char_of_byte(text.len() + 1 + extra), None);
            for b in 0..text.len() {
                if !text.is_char_boundary(b) {
                    prop_assert_eq!(index.char_of_byte(b), None);
                }
            }
        }
    }
}
