//! Reading a version-2 annotation file in the writer's shape, line by line.
//!
//! Opening a big project is mostly reading its annotations: a million lines of
//! `{"id":…,"label":…,"start":…,"end":…,"text":…,"author":…,"created":…,"modified":…}`.
//! serde reads such a line field by field, matching each key against the struct's and copying
//! the finished span about; most of an open's time went there. The writer always writes the
//! same fields in the same order, with the same spelling, so [`annotation`] reads a line in
//! exactly that shape directly: each key is compared where it must stand, each string is
//! taken between its quotes. A line in any other shape — reordered, spaced, a string with an
//! escape, a field it does not know — is read by serde, line by line; a line serde cannot read
//! sends the whole file to serde, which names the line and column. Both readers give the same
//! [`Annotation`] for any line the writer makes (a property test holds them equal, and equal
//! on lines changed by hand).
//!
//! The header, the relations and the rejections are read by serde from the file with its
//! annotations array left out ([`parse_v2`]): they are a few hundred bytes.

use super::layer_file::LayerFile;
use crate::core::annotation::{Annotation, More, Name, Str, Times};
use crate::core::schema::Attributes;

/// How a version-2 file tagdesk wrote begins.
pub(super) const HEAD: &[u8] = b"{\n  \"format\": \"tagdesk-annotations\",\n  \"version\": 2,\n";
/// Where its annotations begin (the header's other fields are strings: none holds a raw line
/// break, so this can only be the member itself).
pub(super) const ANNOTATIONS: &[u8] = b"\n  \"annotations\": [";

/// A version-2 file in the writer's shape, its annotations read line by line (see the module's
/// text); `None` when it is not in that shape or a line is not an annotation, for serde to read
/// the whole file (and name what is wrong). Checks nothing serde does not: the caller checks
/// the spans as it checks serde's.
pub(super) fn parse_v2(json: &str) -> Option<LayerFile> {
    let b = json.as_bytes();
    if !b.starts_with(HEAD) {
        return None;
    }
    let open =
        memchr::memmem::find(&b[HEAD.len() - 1..], ANNOTATIONS)? + HEAD.len() - 1 + ANNOTATIONS.len();
    let mut at = Cursor { b, i: open };
    // An empty layer: serde reads it as quickly.
    if at.eat(b"]") {
        return None;
    }
    let mut annotations = Vec::with_capacity(memchr::memchr_iter(b'\n', &b[open..]).count());
    loop {
        at.expect(b"\n    ")?;
        let from = at.i;
        // A raw line break cannot stand inside a JSON string: the line is the item.
        let to = from + memchr::memchr(b'\n', &b[from..])?;
        let (line, more) = match json[from..to].strip_suffix(',') {
            Some(line) => (line, true),
            None => (&json[from..to], false),
        };
        let a = match annotation(line) {
            Some(a) => a,
            None => serde_json::from_str(line).ok()?,
        };
        annotations.push(a);
        at.i = to;
        if !more {
            break;
        }
    }
    at.expect(b"\n  ]")?;
    let mut rest = String::with_capacity(open + 1 + json.len() - at.i);
    rest.push_str(&json[..open]);
    rest.push(']');
    rest.push_str(&json[at.i..]);
    let mut file: LayerFile = serde_json::from_str(&rest).ok()?;
    file.annotations = annotations;
    Some(file)
}

/// One annotation as the writer writes it ([`Annotation::write_json`]): its fields in their
/// order, no spaces, no escapes; `None` for anything else.
pub(super) fn annotation(line: &str) -> Option<Annotation> {
    let mut at = Cursor {
        b: line.as_bytes(),
        i: 0,
    };
    let string = |at: &mut Cursor<'_>| at.string().map(|r| &line[r]);
    at.expect(b"{\"id\":")?;
    let id = Str::from(string(&mut at)?);
    at.expect(b",\"label\":")?;
    let label = Name::new(string(&mut at)?);
    at.expect(b",\"start\":")?;
    let start = at.number()?;
    at.expect(b",\"end\":")?;
    let end = at.number()?;
    let mut more = More::default();
    if at.eat(b",\"fragments\":[") {
        loop {
            at.expect(b"[")?;
            let s = at.number()?;
            at.expect(b",")?;
            let e = at.number()?;
            at.expect(b"]")?;
            more.fragments.push([s, e]);
            if at.eat(b"]") {
                break;
            }
            at.expect(b",")?;
        }
    }
    at.expect(b",\"text\":")?;
    let text = Str::from(string(&mut at)?);
    let optional = |r: Option<std::ops::Range<usize>>| r.map(|r| &line[r]);
    let prefix = optional(at.optional_string(b",\"prefix\":")?).map(Str::from);
    let suffix = optional(at.optional_string(b",\"suffix\":")?).map(Str::from);
    more.review = optional(at.optional_string(b",\"review\":")?).map(str::to_owned);
    let attributes = if at.eat(b",\"attributes\":") {
        // Values of any shape: serde reads the one object, and says where it ended.
        let mut values =
            serde_json::Deserializer::from_str(&line[at.i..]).into_iter::<Attributes>();
        let read = values.next()?.ok()?;
        at.i += values.byte_offset();
        read
    } else {
        Attributes::new()
    };
    at.expect(b",\"author\":")?;
    let author = Name::new(string(&mut at)?);
    at.expect(b",\"created\":")?;
    let created = string(&mut at)?;
    at.expect(b",\"modified\":")?;
    let modified = string(&mut at)?;
    more.modified_by = optional(at.optional_string(b",\"modified_by\":")?).map(Str::from);
    more.note = optional(at.optional_string(b",\"note\":")?).map(str::to_owned);
    at.expect(b"}")?;
    if at.i != line.len() {
        return None;
    }
    Some(Annotation {
        id,
        label,
        start,
        end,
        text,
        prefix: prefix.unwrap_or_default(),
        suffix: suffix.unwrap_or_default(),
        attributes: attributes.into(),
        author,
        times: Times::new(created, modified),
        more: more.boxed(),
    })
}

/// A place in a file being scanned.
pub(super) struct Cursor<'a> {
    pub(super) b: &'a [u8],
    pub(super) i: usize,
}

impl Cursor<'_> {
    /// Steps over `token` if it comes next. Of a length known where it is called: the
    /// comparison is then a few loads, not a call.
    #[inline]
    pub(super) fn eat<const N: usize>(&mut self, token: &[u8; N]) -> bool {
        let next = self
            .b
            .get(self.i..self.i + N)
            .is_some_and(|s| <[u8; N]>::try_from(s).is_ok_and(|s| s == *token));
        if next {
            self.i += N;
        }
        next
    }

    #[inline]
    pub(super) fn expect<const N: usize>(&mut self, token: &[u8; N]) -> Option<()> {
        self.eat(token).then_some(())
    }

    /// Where the next string's text is, when nothing in it is escaped (an escape, and a raw
    /// control character JSON does not allow, are left to serde).
    pub(super) fn string(&mut self) -> Option<std::ops::Range<usize>> {
        self.expect(b"\"")?;
        let len = memchr::memchr2(b'"', b'\\', &self.b[self.i..])?;
        let from = self.i;
        // No early exit: the whole string is looked at, which the compiler vectorises.
        #[allow(clippy::needless_bitwise_bool)]
        let control = self.b[from..from + len]
            .iter()
            .fold(false, |control, &c| control | (c < 0x20));
        if self.b[from + len] != b'"' || control {
            return None;
        }
        self.i += len + 1;
        Some(from..from + len)
    }

    /// The string after `key` if `key` comes next: `Some(None)` when it does not.
    #[inline]
    pub(super) fn optional_string<const N: usize>(
        &mut self,
        key: &[u8; N],
    ) -> Option<Option<std::ops::Range<usize>>> {
        if self.eat(key) {
            self.string().map(Some)
        } else {
            Some(None)
        }
    }

    /// A number as JSON writes a count: digits, no leading zero.
    pub(super) fn number(&mut self) -> Option<usize> {
        let digits = self.b[self.i..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let text = &self.b[self.i..self.i + digits];
        if digits == 0 || (digits > 1 && text[0] == b'0') {
            return None;
        }
        self.i += digits;
        text.iter().try_fold(0usize, |n, &d| {
            n.checked_mul(10)?.checked_add(usize::from(d - b'0'))
        })
    }
}
