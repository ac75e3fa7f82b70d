//! Seeded synthetic texts and annotations for benchmarks and scale tests: paragraphs of the
//! sample corpus in a pseudo-random order (with some CRLF line ends), so the same seed gives
//! the same bytes on every machine.

use std::path::Path;

use crate::core::annotation::Str;
use crate::core::workspace::WorkspaceError;
use crate::core::{Annotation, SourceText, Workspace};

/// Paragraphs (lines over 40 bytes) of every `.txt` in `dir`, in file-name order.
pub fn paragraphs(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        out.extend(text.split('\n').filter(|p| p.len() > 40).map(str::to_owned));
    }
    Ok(out)
}

/// A text of at least `bytes` bytes made of `paragraphs` in a seeded order.
pub fn text(paragraphs: &[String], bytes: usize, seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut text = String::with_capacity(bytes + 1024);
    while !paragraphs.is_empty() && text.len() < bytes {
        text.push_str(&paragraphs[rng.usize(..paragraphs.len())]);
        text.push_str(if rng.u8(..10) == 0 { "\r\n" } else { "\n\n" });
    }
    text
}

/// Adds `count` word-snapped spans with the default labels to `document`, as `annotator`.
pub fn annotate(
    workspace: &mut Workspace,
    document: &str,
    annotator: &str,
    count: usize,
    seed: u64,
) -> Result<(), WorkspaceError> {
    let labels = ["actor", "claim", "disagreement"];
    let source = workspace.text(document)?;
    let len = source.text.char_len();
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut made = 0;
    while made < count && len > 60 {
        if let Some(range) = random_span(&source.text, &mut rng)
            && workspace
                .add_span(document, annotator, range, labels[rng.usize(..3)])
                .is_ok()
        {
            made += 1;
        }
    }
    Ok(())
}

/// A random word-snapped span of 1–40 characters.
pub fn random_span(text: &SourceText, rng: &mut fastrand::Rng) -> Option<std::ops::Range<usize>> {
    let start = rng.usize(..text.char_len().saturating_sub(60).max(1));
    text.snap_to_words(start..start + rng.usize(1..40))
}

/// `count` random word-snapped spans over `text` (distinct ranges, default labels), made
/// directly rather than through edits: for building big projects fast.
pub fn annotations(text: &SourceText, annotator: &str, count: usize, seed: u64) -> Vec<Annotation> {
    let labels = ["actor", "claim", "disagreement"];
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut taken = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(count);
    let mut attempts = 0;
    while out.len() < count && attempts < count * 20 {
        attempts += 1;
        let Some(range) = random_span(text, &mut rng) else {
            continue;
        };
        let label = labels[rng.usize(..3)];
        if !taken.insert((range.start, range.end, label)) {
            continue;
        }
        out.push(span(
            text,
            range,
            label,
            annotator,
            format!("{:016x}", rng.u64(..)),
        ));
    }
    out
}

/// A plain span of `text` (no context, fixed times): the annotation benchmarks and generators use.
pub fn span(
    text: &SourceText,
    range: std::ops::Range<usize>,
    label: &str,
    annotator: &str,
    id: String,
) -> Annotation {
    Annotation {
        id: id.into(),
        label: label.to_owned().into(),
        start: range.start,
        end: range.end,
        more: None,
        text: text.slice(range).to_owned().into(),
        prefix: Str::default(),
        suffix: Str::default(),
        attributes: crate::core::annotation::SpanAttributes::default(),
        author: annotator.to_owned().into(),
        times: crate::core::annotation::Times::new("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
    }
}
