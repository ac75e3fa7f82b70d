//! One labelled span ([`Annotation`]): its fields, what few spans have out of line
//! ([`More`]), and how it is written and read (the field order on disk, through [`Wire`]).

use serde::{Deserialize, Serialize};

use super::{Name, SpanAttributes, Stamp, Str, Times, now_rfc3339};
use crate::core::schema::Attributes;

/// One labelled span. On disk its fields come in this order, with what few spans have (see
/// [`More`]) where it always stood: `fragments` after `end`, `review` after `suffix`,
/// `modified_by` and `note` last.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "Wire")]
pub struct Annotation {
    /// Stable, unique: never reused, never renumbered.
    pub id: Str,
    /// The label's name (one shared copy per project: [`Name`]).
    pub label: Name,
    /// Code-point offset, inclusive.
    pub start: usize,
    /// Code-point offset, exclusive.
    pub end: usize,
    /// The covered text (the pieces' texts joined by a space when discontinuous), as it was when the span was made or last changed.
    pub text: Str,
    /// Up to [`CONTEXT_CHARS`] characters before the span, to find it again when the source
    /// text changes (as a W3C `TextQuoteSelector` does).
    pub prefix: Str,
    /// Up to [`CONTEXT_CHARS`] characters after the span.
    pub suffix: Str,
    /// Schema-defined attribute values (e.g. a claim's `stance`): 8 bytes when none.
    pub attributes: SpanAttributes,
    pub author: Name,
    /// When it was made and last changed (RFC 3339, UTC): 16 bytes for the two
    /// ([`Times`]); read with [`Annotation::created`] and [`Annotation::modified`].
    pub times: Times,
    /// What few spans have, out of line (`None` when it would be empty): a span costs 96 bytes
    /// less, which a million-span project feels in memory and in time. Read and changed
    /// through [`Annotation::fragments`], [`Annotation::set_fragments`] and the like.
    pub more: Option<Box<More>>,
}

/// The rarely set parts of an [`Annotation`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct More {
    /// A discontinuous span's pieces, `[start, end]` each, sorted and apart (brat's `0 5;10 15`);
    /// `start` is the first piece's start and `end` the last piece's end. Empty when continuous.
    pub fragments: Vec<[usize; 2]>,
    /// Set when the source text changed and the span could not be placed with certainty:
    /// why. The span keeps its last known position until a person checks it.
    pub review: Option<String>,
    /// Who last changed the span, when not its author (a curator who took it into the curated
    /// layer or changed it there): "added by sam, changed by maria".
    pub modified_by: Option<Str>,
    pub note: Option<String>,
}

/// An annotation as it is on disk (what is read; see [`Annotation`]'s `Serialize`).
#[derive(Deserialize)]
struct Wire {
    id: Str,
    label: Name,
    start: usize,
    end: usize,
    #[serde(default)]
    fragments: Vec<[usize; 2]>,
    text: Str,
    #[serde(default)]
    prefix: Str,
    #[serde(default)]
    suffix: Str,
    #[serde(default)]
    review: Option<String>,
    #[serde(default)]
    attributes: Attributes,
    author: Name,
    created: Str,
    modified: Str,
    #[serde(default)]
    modified_by: Option<Str>,
    #[serde(default)]
    note: Option<String>,
}

impl More {
    /// As an annotation's `more`: `None` when empty.
    pub fn boxed(self) -> Option<Box<Self>> {
        (self != Self::default()).then(|| Box::new(self))
    }
}

impl From<Wire> for Annotation {
    fn from(w: Wire) -> Self {
        let more = More {
            fragments: w.fragments,
            review: w.review,
            modified_by: w.modified_by,
            note: w.note,
        };
        Self {
            id: w.id,
            label: w.label,
            start: w.start,
            end: w.end,
            text: w.text,
            prefix: w.prefix,
            suffix: w.suffix,
            attributes: w.attributes.into(),
            author: w.author,
            times: Times::new(&w.created, &w.modified),
            more: more.boxed(),
        }
    }
}

impl Serialize for Annotation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Annotation", 15)?;
        out.serialize_field("id", &self.id)?;
        out.serialize_field("label", &self.label)?;
        out.serialize_field("start", &self.start)?;
        out.serialize_field("end", &self.end)?;
        if !self.fragments().is_empty() {
            out.serialize_field("fragments", self.fragments())?;
        }
        out.serialize_field("text", &self.text)?;
        if !self.prefix.is_empty() {
            out.serialize_field("prefix", &self.prefix)?;
        }
        if !self.suffix.is_empty() {
            out.serialize_field("suffix", &self.suffix)?;
        }
        if let Some(review) = self.review() {
            out.serialize_field("review", review)?;
        }
        if !self.attributes.is_empty() {
            out.serialize_field("attributes", &self.attributes)?;
        }
        out.serialize_field("author", &self.author)?;
        out.serialize_field("created", &*self.created())?;
        out.serialize_field("modified", &*self.modified())?;
        if let Some(who) = self.modified_by() {
            out.serialize_field("modified_by", who)?;
        }
        if let Some(note) = self.note() {
            out.serialize_field("note", note)?;
        }
        out.end()
    }
}

impl Annotation {
    /// Appends what `serde_json::to_writer` writes for this span — byte for byte, the same
    /// fields in the same order — without serde's machinery: a layer file of version 2 is
    /// little else, and an import writes a quarter of a million of them. Strings with nothing
    /// to escape (nearly all) are copied as they are; the rest, and the rare parts, go through
    /// `serde_json` itself. A property test holds the two equal (`tests/layer_v2.rs`).
    pub fn write_json(&self, out: &mut Vec<u8>) {
        fn key(out: &mut Vec<u8>, name: &str) {
            out.push(b',');
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
        }
        fn string(out: &mut Vec<u8>, s: &str) {
            // No early exit: the whole string is scanned, which the compiler vectorises.
            #[allow(clippy::needless_bitwise_bool)]
            let plain = !s.bytes().fold(false, |escape, b| {
                escape | (b < 0x20) | (b == b'"') | (b == b'\\')
            });
            if plain {
                out.push(b'"');
                out.extend_from_slice(s.as_bytes());
                out.push(b'"');
            } else {
                let _ = serde_json::to_writer(&mut *out, s);
            }
        }
        fn number(out: &mut Vec<u8>, n: usize) {
            out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        }
        out.extend_from_slice(b"{\"id\":");
        string(out, &self.id);
        key(out, "label");
        string(out, &self.label);
        key(out, "start");
        number(out, self.start);
        key(out, "end");
        number(out, self.end);
        if !self.fragments().is_empty() {
            key(out, "fragments");
            let _ = serde_json::to_writer(&mut *out, self.fragments());
        }
        key(out, "text");
        string(out, &self.text);
        if !self.prefix.is_empty() {
            key(out, "prefix");
            string(out, &self.prefix);
        }
        if !self.suffix.is_empty() {
            key(out, "suffix");
            string(out, &self.suffix);
        }
        if let Some(review) = self.review() {
            key(out, "review");
            string(out, review);
        }
        if !self.attributes.is_empty() {
            key(out, "attributes");
            let _ = serde_json::to_writer(&mut *out, &self.attributes);
        }
        key(out, "author");
        string(out, &self.author);
        // A packed time is ASCII digits and marks: nothing to check or escape.
        let time = |out: &mut Vec<u8>, stamp: Stamp<'_>| match stamp {
            Stamp::Packed(bytes) => {
                out.push(b'"');
                out.extend_from_slice(&bytes);
                out.push(b'"');
            }
            Stamp::Text(text) => string(out, text),
        };
        key(out, "created");
        time(out, self.created());
        key(out, "modified");
        time(out, self.modified());
        if let Some(who) = self.modified_by() {
            key(out, "modified_by");
            string(out, who);
        }
        if let Some(note) = self.note() {
            key(out, "note");
            string(out, note);
        }
        out.push(b'}');
    }

    /// When it was made (RFC 3339, UTC).
    pub fn created(&self) -> Stamp<'_> {
        self.times.created()
    }

    /// When it was last changed (RFC 3339, UTC).
    pub fn modified(&self) -> Stamp<'_> {
        self.times.modified()
    }

    pub fn set_modified(&mut self, when: &str) {
        self.times.set_modified(when);
    }

    /// A discontinuous span's pieces (empty when continuous); see [`More::fragments`].
    pub fn fragments(&self) -> &[[usize; 2]] {
        self.more.as_ref().map_or(&[], |m| &m.fragments)
    }

    /// Why the span needs a person to check it, if it does.
    pub fn review(&self) -> Option<&str> {
        self.more.as_ref().and_then(|m| m.review.as_deref())
    }

    pub fn note(&self) -> Option<&str> {
        self.more.as_ref().and_then(|m| m.note.as_deref())
    }

    /// Who last changed the span, when not its author.
    pub fn modified_by(&self) -> Option<&str> {
        self.more.as_ref().and_then(|m| m.modified_by.as_deref())
    }

    pub fn set_fragments(&mut self, fragments: Vec<[usize; 2]>) {
        self.change_more(|m| m.fragments = fragments);
    }

    pub fn set_review(&mut self, review: Option<String>) {
        self.change_more(|m| m.review = review);
    }

    pub fn set_note(&mut self, note: Option<String>) {
        self.change_more(|m| m.note = note);
    }

    pub fn set_modified_by(&mut self, who: Option<Str>) {
        self.change_more(|m| m.modified_by = who);
    }

    /// Changes the rare parts, keeping `more` `None` whenever they are all empty (so equal
    /// spans compare equal).
    fn change_more(&mut self, change: impl FnOnce(&mut More)) {
        let mut more = self.more.take().unwrap_or_default();
        change(&mut more);
        if *more != More::default() {
            self.more = Some(more);
        }
    }
}

impl Annotation {
    /// The order annotations are kept in, in memory and on disk.
    pub fn sort_key(&self) -> (usize, usize, &str, &str) {
        (self.start, self.end, &self.label, &self.id)
    }

    pub fn contains(&self, char_offset: usize) -> bool {
        self.pieces().any(|p| p.contains(&char_offset))
    }

    /// The covered ranges: the fragments, or the one range `start..end`.
    pub fn pieces(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let whole = self.fragments().is_empty().then_some(self.start..self.end);
        whole
            .into_iter()
            .chain(self.fragments().iter().map(|&[s, e]| s..e))
    }

    /// Whether the fragments are well formed: none, or at least two, each non-empty, sorted,
    /// apart, and framing `start..end`.
    pub fn fragments_ok(&self) -> bool {
        fragments_frame(self.fragments(), self.start, self.end)
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// `annotation` covering `pieces` (sorted, apart): extent, fragments and covered text follow.
pub fn with_pieces(
    mut annotation: Annotation,
    pieces: &[std::ops::Range<usize>],
    text: &crate::core::SourceText,
) -> Annotation {
    annotation.start = pieces.first().map_or(annotation.start, |p| p.start);
    annotation.end = pieces.last().map_or(annotation.end, |p| p.end);
    annotation.set_fragments(if pieces.len() > 1 {
        pieces.iter().map(|p| [p.start, p.end]).collect()
    } else {
        Vec::new()
    });
    annotation.text = crate::core::text::covered_text(text, pieces.iter().cloned()).into();
    annotation.prefix = crate::core::text::context_before(text, annotation.start).into();
    annotation.suffix = crate::core::text::context_after(text, annotation.end).into();
    annotation.set_review(None);
    annotation.set_modified(&now_rfc3339());
    annotation
}

/// Whether a span's fragments are well formed: none, or at least two, each non-empty, sorted,
/// apart, and framing `start..end`.
pub fn fragments_frame(fragments: &[[usize; 2]], start: usize, end: usize) -> bool {
    if fragments.is_empty() {
        return true;
    }
    fragments.len() >= 2
        && fragments.iter().all(|[s, e]| s < e)
        && fragments.windows(2).all(|w| w[0][1] < w[1][0])
        && fragments.first().is_some_and(|f| f[0] == start)
        && fragments.last().is_some_and(|f| f[1] == end)
}
