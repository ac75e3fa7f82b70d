//! What agreement reads of a layer file: each span's label and extent, nothing else.
//!
//! A version-2 file as tagdesk writes it is read by a scanner that knows the writer's line
//! (`{"id":…,"label":…,"start":…,"end":…[,"fragments":…],"text":…}` on a line of its own):
//! it takes the four fields from the start of each line and steps to the next line past the
//! texts, times and attributes it does not need — agreement on a corpus reads tens of
//! megabytes of them. Anything else — version 1, a file edited by hand into another shape, a
//! line cut short, a label with an escape — is read by serde, which names what is wrong. The
//! scanner checks each line's shape and ending, not the JSON of the parts it steps over
//! (`tagdesk validate` and opening the project do); a property test holds the two readers
//! equal on any file the writer makes.

use std::path::Path;

use serde::Deserialize;

use super::LAYER_FORMAT_VERSION;
use super::ProjectError;
use super::layer_file::{check_probe, check_version};
use super::layer_lines::{ANNOTATIONS as KEY, Cursor, HEAD};
use crate::core::annotation::Str;

/// One piece of a span as [`read_layer_spans`] gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanPiece {
    pub label: Str,
    pub start: usize,
    pub end: usize,
}

#[derive(Deserialize)]
struct Lean {
    format: Option<String>,
    version: Option<u32>,
    annotations: Vec<LeanAnnotation>,
}

#[derive(Deserialize)]
struct LeanAnnotation {
    label: Str,
    start: usize,
    end: usize,
    #[serde(default)]
    fragments: Vec<[usize; 2]>,
}

/// The spans of an annotation file and nothing else — label and extent, one [`SpanPiece`] per
/// piece of a discontinuous span — checked as [`super::parse_layer`] checks them: what
/// agreement reads. Texts, notes, ids and times are stepped over, never allocated.
pub fn read_layer_spans(path: &Path) -> Result<Vec<SpanPiece>, ProjectError> {
    let bytes = std::fs::read(path).map_err(|e| ProjectError::io("cannot read", path, e))?;
    // The scanner checks the labels it takes are UTF-8, as the parts it steps over are not
    // checked as JSON (see the module's text).
    let annotations = if let Some(annotations) = scan_v2(&bytes) {
        annotations
    } else {
        let json = std::str::from_utf8(&bytes).map_err(|e| ProjectError::Invalid {
            path: path.to_owned(),
            message: format!("not UTF-8 (invalid byte at byte {})", e.valid_up_to()),
        })?;
        read_with_serde(path, json)?
    };
    let mut out = Vec::with_capacity(annotations.len());
    for a in annotations {
        let bad = |message: String| ProjectError::Invalid {
            path: path.to_owned(),
            message,
        };
        if a.start >= a.end {
            return Err(bad(format!(
                "a \"{}\" annotation has an empty or inverted span {}..{}",
                a.label, a.start, a.end
            )));
        }
        if !crate::core::annotation::fragments_frame(&a.fragments, a.start, a.end) {
            return Err(bad(format!(
                "a \"{}\" annotation's fragments {:?} must be sorted, apart, and frame {}..{}",
                a.label, a.fragments, a.start, a.end
            )));
        }
        if a.fragments.is_empty() {
            out.push(SpanPiece {
                label: a.label,
                start: a.start,
                end: a.end,
            });
        } else {
            out.extend(a.fragments.iter().map(|&[start, end]| SpanPiece {
                label: a.label.clone(),
                start,
                end,
            }));
        }
    }
    Ok(out)
}

/// Any file serde reads: its annotations, or what is wrong with it.
fn read_with_serde(path: &Path, json: &str) -> Result<Vec<LeanAnnotation>, ProjectError> {
    let lean: Lean = match serde_json::from_str(json) {
        Ok(lean) => lean,
        // The version check explains a file from a newer tagdesk or another program.
        Err(e) => {
            check_version(path, json, "tagdesk-annotations", LAYER_FORMAT_VERSION)?;
            return Err(ProjectError::parse(path, &e));
        }
    };
    check_probe(
        path,
        lean.format.as_deref(),
        lean.version,
        "tagdesk-annotations",
        LAYER_FORMAT_VERSION,
    )?;
    Ok(lean.annotations)
}

/// The annotations of a version-2 file in the writer's shape (see the module's text); `None`
/// when the file is not in it, for serde to read.
fn scan_v2(b: &[u8]) -> Option<Vec<LeanAnnotation>> {
    if !b.starts_with(HEAD) || !b.ends_with(b"\n}\n") {
        return None;
    }
    // The header's other fields are strings: none holds a raw line break.
    let mut at = Cursor {
        b,
        i: memchr::memmem::find(&b[HEAD.len() - 1..], KEY)? + HEAD.len() - 1 + KEY.len(),
    };
    let mut out = Vec::with_capacity(b.len() / 200);
    if at.eat(b"]") {
        return Some(out);
    }
    loop {
        at.expect(b"\n    {\"id\":")?;
        at.string()?;
        at.expect(b",\"label\":")?;
        let label = Str::from(std::str::from_utf8(&b[at.string()?]).ok()?);
        at.expect(b",\"start\":")?;
        let start = at.number()?;
        at.expect(b",\"end\":")?;
        let end = at.number()?;
        let fragments = at.fragments()?;
        // The writer's next field; then the rest of the line, whose strings hold no raw
        // line break either.
        at.expect(b",\"text\":\"")?;
        let end_of_line = at.i + memchr::memchr(b'\n', &b[at.i..])?;
        out.push(LeanAnnotation {
            label,
            start,
            end,
            fragments,
        });
        let line = &b[..end_of_line];
        at.i = end_of_line;
        if line.ends_with(b"},") {
            continue;
        }
        if line.ends_with(b"}") && at.eat(b"\n  ]") {
            return Some(out);
        }
        return None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::annotation::{Annotation, AnnotationLayer, More, Times};
    use crate::core::project::LayerFile;

    fn span(id: &str, label: &str, start: usize, end: usize, text: &str) -> Annotation {
        Annotation {
            id: id.into(),
            label: label.into(),
            start,
            end,
            text: text.into(),
            prefix: "a \"quoted\"\n\tcontext\\".into(),
            suffix: "}\n],".into(),
            attributes: crate::core::annotation::SpanAttributes::default(),
            author: "ana".into(),
            times: Times::new("2026-12-07T00:00:00Z", "2026-12-07T00:00:00Z"),
            more: None,
        }
    }

    fn written(annotations: Vec<Annotation>) -> String {
        let layer = AnnotationLayer::new("d.txt", "ana").with_annotations(annotations);
        LayerFile::from_layer(&layer).to_json()
    }

    /// Label, start, end, fragments.
    type Read = Vec<(String, usize, usize, Vec<[usize; 2]>)>;

    fn serde_spans(json: &str) -> Read {
        read_with_serde(Path::new("x.json"), json)
            .unwrap()
            .into_iter()
            .map(|a| (a.label.to_string(), a.start, a.end, a.fragments))
            .collect()
    }

    fn scanned(json: &str) -> Option<Read> {
        Some(
            scan_v2(json.as_bytes())?
                .into_iter()
                .map(|a| (a.label.to_string(), a.start, a.end, a.fragments))
                .collect(),
        )
    }

    #[test]
    fn the_writers_lines_are_scanned_and_equal_serdes_reading() {
        let mut split = span("b", "claim", 10, 30, "two pieces");
        split.more = More {
            fragments: vec![[10, 12], [20, 30]],
            note: Some("a note with \"quotes\", braces } and a line\nbreak".into()),
            ..More::default()
        }
        .boxed();
        let json = written(vec![
            span("a", "actor", 0, 5, "Lavrov \"said\"\u{1}"),
            split,
            span("c", "disagreement", 40, 41, "}"),
        ]);
        let spans = scanned(&json).expect("the writer's own file is scanned");
        assert_eq!(spans, serde_spans(&json));
        assert_eq!(spans.len(), 3);
        assert_eq!(spans[1].3, vec![[10, 12], [20, 30]]);
        assert_eq!(scanned(&written(Vec::new())), Some(Vec::new()));
    }

    #[test]
    fn anything_else_is_left_to_serde() {
        let json = written(vec![
            span("a", "actor", 0, 5, "x"),
            span("b", "a\"b", 6, 9, "y"),
        ]);
        // A label with an escape.
        assert_eq!(scanned(&json), None);
        assert_eq!(serde_spans(&json)[1].0, "a\"b");
        let json = written(vec![
            span("a", "actor", 0, 5, "x"),
            span("b", "claim", 6, 9, "y"),
        ]);
        // A line cut short, a line in another shape, version 1, a number with a leading zero.
        let torn = json.replacen("},\n", ",\n", 1);
        assert_eq!(scanned(&torn), None);
        assert!(read_layer_spans_of(&torn).is_err());
        let reordered = json.replacen(
            "{\"id\":\"a\",\"label\":\"actor\"",
            "{\"label\":\"actor\",\"id\":\"a\"",
            1,
        );
        assert_eq!(scanned(&reordered), None);
        assert_eq!(read_layer_spans_of(&reordered).unwrap().len(), 2);
        let v1 = crate::core::project::to_pretty_json(
            &serde_json::from_str::<LayerFile>(&json).unwrap(),
        );
        assert_eq!(scanned(&v1), None);
        assert_eq!(read_layer_spans_of(&v1).unwrap().len(), 2);
        assert_eq!(
            scanned(&json.replacen("\"start\":0", "\"start\":00", 1)),
            None
        );
    }

    fn read_layer_spans_of(json: &str) -> Result<Vec<SpanPiece>, ProjectError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        std::fs::write(&path, json).unwrap();
        read_layer_spans(&path)
    }
}
