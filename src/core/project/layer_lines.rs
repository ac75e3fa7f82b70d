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
//! annotations array left out ([`split_v2`]): they are a few hundred bytes.

use crate::core::annotation::{Annotation, More, Name, Str, Times};
use crate::core::schema::Attributes;

/// How a version-2 file tagdesk wrote begins.
pub(super) const HEAD: &[u8] = b"{\n  \"format\": \"tagdesk-annotations\",\n  \"version\": 2,\n";
/// Where its annotations begin (the header's other fields are strings: none holds a raw line
/// break, so this can only be the member itself).
pub(super) const ANNOTATIONS: &[u8] = b"\n  \"annotations\": [";

/// A version-2 file in the writer's shape: its annotations, read line by line (see the
/// module's text), and the file with its annotations array left empty, for serde to read the
/// rest. `None` when it is not in that shape or a line is not an annotation, for serde to read
/// the whole file (and name what is wrong). Checks nothing serde does not: the caller checks
/// the spans as it checks serde's.
pub(super) fn split_v2(json: &str) -> Option<(Vec<Annotation>, String)> {
    let b = json.as_bytes();
    if !b.starts_with(HEAD) {
        return None;
    }
    let open = memchr::memmem::find(&b[HEAD.len() - 1..], ANNOTATIONS)? + HEAD.len() - 1
        + ANNOTATIONS.len();
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
    Some((annotations, rest))
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
    let mut more = More {
        fragments: at.fragments()?,
        ..More::default()
    };
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
    #[inline]
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

    /// The string after `key` if `key` comes next: `Some(None)` when it does not, `None` when
    /// what follows is not in the writer's shape.
    #[inline]
    #[allow(clippy::option_option)]
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

    /// A span's pieces, `,"fragments":[[s,e],…]`, if they come next (empty when they do not);
    /// `None` when what follows is not in the writer's shape.
    #[inline]
    pub(super) fn fragments(&mut self) -> Option<Vec<[usize; 2]>> {
        let mut fragments = Vec::new();
        if self.eat(b",\"fragments\":[") {
            loop {
                self.expect(b"[")?;
                let s = self.number()?;
                self.expect(b",")?;
                let e = self.number()?;
                self.expect(b"]")?;
                fragments.push([s, e]);
                if self.eat(b"]") {
                    break;
                }
                self.expect(b",")?;
            }
        }
        Some(fragments)
    }

    /// A number as JSON writes a count: digits, no leading zero.
    #[inline]
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::core::annotation::{AnnotationLayer, SpanAttributes};
    use crate::core::project::LayerFile;
    use crate::core::project::layer_file::by_lines as parse_v2;
    use crate::core::schema::AttributeValue;

    fn text() -> impl Strategy<Value = String> {
        // Any Unicode (quotes, backslashes and control characters included), and plain text
        // more often, as a corpus has it.
        prop_oneof![
            "[a-zA-Z ’ა-ჰ]{0,30}",
            proptest::collection::vec(any::<char>(), 0..12)
                .prop_map(|c| c.into_iter().collect::<String>()),
        ]
    }

    prop_compose! {
        fn span()(
            start in 0usize..100_000,
            len in 1usize..50,
            (covered, prefix, suffix) in (text(), text(), text()),
            label in prop_oneof![Just("actor".to_owned()), text()],
            attributes in proptest::collection::btree_map("[a-z]{1,6}", text(), 0..3),
            (note, review, by) in (
                proptest::option::of(text()),
                proptest::option::of(text()),
                proptest::option::of(text()),
            ),
            (split, odd_times) in (any::<bool>(), any::<bool>()),
        ) -> Annotation {
            Annotation {
                id: format!("{start:016x}").into(),
                label: Name::new(&label),
                start,
                end: start + len,
                text: covered.as_str().into(),
                prefix: prefix.as_str().into(),
                suffix: suffix.as_str().into(),
                attributes: attributes
                    .into_iter()
                    .map(|(k, v)| (k, AttributeValue::Text(v)))
                    .collect::<SpanAttributes>(),
                author: "ana".into(),
                times: if odd_times {
                    Times::new("2026-12-07T10:00:00+02:00", "yesterday")
                } else {
                    Times::new("2026-12-07T00:00:00Z", "2026-12-07T08:30:00Z")
                },
                more: More {
                    fragments: if split && len >= 3 {
                        vec![[start, start + 1], [start + 2, start + len]]
                    } else {
                        Vec::new()
                    },
                    review,
                    modified_by: by.map(|b| b.as_str().into()),
                    note,
                }
                .boxed(),
            }
        }
    }

    fn written(annotations: Vec<Annotation>) -> String {
        let layer = AnnotationLayer::new("d.txt", "ana").with_annotations(annotations);
        LayerFile::from_layer(&layer).to_json()
    }

    /// A change by hand, as a person or a merge tool might make: a character put in, taken
    /// out or replaced, anywhere.
    fn edited(json: &str, at: usize, what: u8, with: char) -> String {
        let mut chars: Vec<char> = json.chars().collect();
        let at = at % (chars.len() + 1);
        match what % 3 {
            0 => chars.insert(at, with),
            1 if at < chars.len() => {
                chars.remove(at);
            }
            _ if at < chars.len() => chars[at] = with,
            _ => chars.push(with),
        }
        chars.into_iter().collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn the_line_reader_reads_what_serde_reads(
            spans in proptest::collection::vec(span(), 1..6),
        ) {
            let json = written(spans);
            let by_serde: LayerFile = serde_json::from_str(&json).unwrap();
            // The writer's own file is always read here, not handed to serde.
            let by_lines = parse_v2(&json).expect("the writer's shape");
            prop_assert_eq!(&by_lines, &by_serde);
            // Lines without escapes are read by the line reader itself.
            for line in json.lines().filter(|l| l.starts_with("    {")) {
                let line = line.trim_start().trim_end_matches(',');
                let plain = !line.contains('\\') && !line.contains("\"attributes\"");
                if plain {
                    prop_assert!(annotation(line).is_some(), "{}", line);
                }
                if let Some(a) = annotation(line) {
                    prop_assert_eq!(a, serde_json::from_str::<Annotation>(line).unwrap());
                }
            }
        }

        #[test]
        fn a_file_changed_by_hand_reads_as_serde_reads_it(
            spans in proptest::collection::vec(span(), 1..4),
            edits in proptest::collection::vec(
                (any::<usize>(), any::<u8>(), prop_oneof![
                    Just('"'), Just('\\'), Just(','), Just('{'), Just('}'), Just('['),
                    Just(']'), Just(':'), Just(' '), Just('\n'), Just('0'), Just('7'),
                    Just('a'), Just('-'), Just('\u{1}'), Just('ა'),
                ]),
                1..3,
            ),
        ) {
            let mut json = written(spans);
            for (at, what, with) in edits {
                json = edited(&json, at, what, with);
            }
            // Whatever the line reader accepts, serde reads the same; what serde refuses, it
            // leaves to serde (which then names the place).
            match (parse_v2(&json), serde_json::from_str::<LayerFile>(&json)) {
                (Some(lines), Ok(serde)) => prop_assert_eq!(lines, serde),
                (Some(lines), Err(e)) => prop_assert!(false, "read {:?}, serde: {}", lines, e),
                (None, _) => {}
            }
        }
    }

    #[test]
    fn lines_in_another_shape_are_read_by_serde_and_a_broken_one_sends_the_file_to_it() {
        let a = "{\"id\":\"a\",\"label\":\"actor\",\"start\":0,\"end\":5,\"text\":\"Putin\",\
                 \"author\":\"ana\",\"created\":\"2026-12-07T00:00:00Z\",\
                 \"modified\":\"2026-12-07T00:00:00Z\"}";
        assert!(annotation(a).is_some());
        // Attributes of any shape are read by serde in the middle of the line.
        let with_attributes = a.replace(
            ",\"author\"",
            ",\"attributes\":{\"sure\":true,\"stance\":\"opp\\u006fse }\"},\"author\"",
        );
        let read = annotation(&with_attributes).expect("the writer's shape");
        assert_eq!(
            read,
            serde_json::from_str::<Annotation>(&with_attributes).unwrap()
        );
        assert_eq!(read.attributes.len(), 2);
        for other in [
            a.replace(
                "\"id\":\"a\",\"label\":\"actor\"",
                "\"label\":\"actor\",\"id\":\"a\"",
            ),
            a.replace(",\"text\"", ", \"text\""),
            a.replace("Putin", "Put\\u0069n"),
            a.replace('}', ",\"extra\":1}"),
        ] {
            assert_eq!(annotation(&other), None, "{other}");
            assert!(
                serde_json::from_str::<Annotation>(&other).is_ok(),
                "{other}"
            );
        }
        for wrong in [
            a.replace("\"start\":0", "\"start\":00"),
            a.replace("\"start\":0", "\"start\":-1"),
            a.replace("\"start\":0", "\"start\":18446744073709551616"),
            a.replace("Putin", "Put\u{1}in"),
            a.replace("\"}", "\""),
            format!("{a}}}"),
        ] {
            assert_eq!(annotation(&wrong), None, "{wrong}");
        }
        let json = format!(
            "{}  \"document\": \"d.txt\",\n  \"annotator\": \"ana\",\n  \"source_sha256\": \"\",\n  \
             \"status\": \"new\",\n  \"annotations\": [\n    {a},\n    {}\n  ]\n}}\n",
            std::str::from_utf8(HEAD).unwrap(),
            a.replace(
                "\"id\":\"a\",\"label\":\"actor\"",
                "\"label\":\"claim\",\"id\":\"b\""
            ),
        );
        let file = parse_v2(&json).expect("one line by each reader");
        assert_eq!(file.annotations.len(), 2);
        assert_eq!(file.annotations[1].label, "claim");
        assert_eq!(file, serde_json::from_str::<LayerFile>(&json).unwrap());
        let torn = json.replacen("\"end\":5,", "\"end\":5", 1);
        assert_eq!(parse_v2(&torn), None);
        assert!(serde_json::from_str::<LayerFile>(&torn).is_err());
    }
}
