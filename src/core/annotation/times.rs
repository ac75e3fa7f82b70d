//! When a span was made and last changed, in 16 bytes ([`Times`]).
//!
//! A span's two RFC 3339 times were two 24-byte strings: a fifth of a span. tagdesk writes
//! them in one form only — `YYYY-MM-DDThh:mm:ssZ` — so their fourteen digits are kept as
//! numbers, and both fit in 16 bytes. Any other text (from another tool, with fractions of a
//! second or an offset, or empty) is kept as it is, out of line, so a file reads and writes
//! back byte for byte whatever it held.

use std::num::NonZeroU64;

use super::Str;

/// A span's creation and last change times.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Times {
    /// Both in tagdesk's form: their digits (`YYYYMMDDhhmmss` as a number).
    Packed(NonZeroU64, u64),
    /// Anything else, as written: (created, modified).
    Text(Box<(Str, Str)>),
}

/// One of the times, as text (on the stack when it was packed).
#[derive(Clone)]
pub enum Stamp<'a> {
    Packed([u8; 20]),
    Text(&'a str),
}

impl std::ops::Deref for Stamp<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            // The bytes are ASCII digits and separators (made by `unpack`).
            Self::Packed(b) => std::str::from_utf8(b).unwrap_or_default(),
            Self::Text(s) => s,
        }
    }
}

impl std::fmt::Display for Stamp<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl std::fmt::Debug for Stamp<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

/// Where the digits of `YYYY-MM-DDThh:mm:ssZ` are, and what stands between them.
const DIGITS: [usize; 14] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const MARKS: [(usize, u8); 6] = [
    (4, b'-'),
    (7, b'-'),
    (10, b'T'),
    (13, b':'),
    (16, b':'),
    (19, b'Z'),
];

/// The digits of a time in tagdesk's form, as a number; `None` for any other text.
fn pack(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() != 20 || MARKS.iter().any(|&(i, m)| b[i] != m) {
        return None;
    }
    let mut n = 0u64;
    for &i in &DIGITS {
        let d = b[i];
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(d - b'0');
    }
    Some(n)
}

fn unpack(mut n: u64) -> [u8; 20] {
    let mut b = [0u8; 20];
    for &(i, m) in &MARKS {
        b[i] = m;
    }
    for &i in DIGITS.iter().rev() {
        #[allow(clippy::cast_possible_truncation)]
        let d = (n % 10) as u8;
        b[i] = b'0' + d;
        n /= 10;
    }
    b
}

impl Default for Times {
    fn default() -> Self {
        Self::new("", "")
    }
}

impl Times {
    pub fn new(created: &str, modified: &str) -> Self {
        match (pack(created).and_then(NonZeroU64::new), pack(modified)) {
            (Some(c), Some(m)) => Self::Packed(c, m),
            _ => Self::Text(Box::new((created.into(), modified.into()))),
        }
    }

    /// Both made now.
    pub fn now() -> Self {
        let now = super::now_rfc3339();
        Self::new(&now, &now)
    }

    pub fn created(&self) -> Stamp<'_> {
        match self {
            Self::Packed(c, _) => Stamp::Packed(unpack(c.get())),
            Self::Text(t) => Stamp::Text(&t.0),
        }
    }

    pub fn modified(&self) -> Stamp<'_> {
        match self {
            Self::Packed(_, m) => Stamp::Packed(unpack(*m)),
            Self::Text(t) => Stamp::Text(&t.1),
        }
    }

    pub fn set_modified(&mut self, modified: &str) {
        *self = Self::new(&self.created(), modified);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_take_sixteen_bytes_and_read_back_as_written() {
        assert_eq!(std::mem::size_of::<Times>(), 16);
        for (c, m) in [
            ("2026-12-06T10:00:59Z", "2026-12-06T23:59:00Z"),
            ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
            ("2026-12-06T10:00:59.123Z", "2026-12-06T10:00:59Z"),
            ("2026-12-06T10:00:59+02:00", ""),
            ("", ""),
            ("0000-00-00T00:00:00Z", "2026-12-06T10:00:59Z"),
            ("2026-12-06t10:00:59Z", "x"),
        ] {
            let t = Times::new(c, m);
            assert_eq!((&*t.created(), &*t.modified()), (c, m));
        }
        assert!(matches!(
            Times::new("2026-12-06T10:00:59Z", "2026-12-06T10:00:59Z"),
            Times::Packed(..)
        ));
        let mut t = Times::new("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        t.set_modified("2026-02-03T04:05:06Z");
        assert_eq!(&*t.created(), "2026-01-01T00:00:00Z");
        assert_eq!(&*t.modified(), "2026-02-03T04:05:06Z");
    }
}
