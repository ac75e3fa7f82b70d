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

/// Code point ↔ byte offsets of one text, precomputed (O(1) lookups; formats convert many
/// offsets per document).
pub struct CharIndex {
    /// Byte offset of each char, plus the text's length at the end.
    bytes: Vec<usize>,
}

impl CharIndex {
    pub fn new(text: &str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        Self { bytes }
    }

    pub fn char_len(&self) -> usize {
        self.bytes.len() - 1
    }

    /// The byte offset of a char offset (clamped to the end).
    pub fn byte(&self, char_offset: usize) -> usize {
        self.bytes[char_offset.min(self.bytes.len() - 1)]
    }

    /// The char offset of a byte offset on a char boundary.
    pub fn char_of_byte(&self, byte: usize) -> Option<usize> {
        self.bytes.binary_search(&byte).ok()
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
