//! One document as numbers: its labels as ids (in the labels' sorted order), each layer's
//! units grouped by label, the text cut into tokens once. Every measure of the document
//! computes on this; nothing on the hot paths hashes or compares a string.

use super::super::annotation::Str;
use super::{StudyDocument, Tokens};

/// A unit with its label as an id into its document's sorted labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct IUnit {
    pub label: u32,
    pub start: usize,
    pub end: usize,
}

/// One document of the study, its labels local to it.
pub(super) struct IDoc {
    /// Each annotator's units, grouped by label (stably: a label's units keep their order).
    pub units: Vec<Vec<IUnit>>,
    /// Per annotator, where each label's units begin: label `l` is `runs[l]..runs[l + 1]`.
    pub runs: Vec<Vec<u32>>,
    /// The text's tokens (code points; 8 bytes each, not 16: a big corpus has millions),
    /// when the text could be read.
    pub tokens: Option<Vec<[u32; 2]>>,
    /// Whether the text could be read (the token and character measures need it).
    pub has_text: bool,
    /// The text's length in code points (0 without a text).
    pub chars: usize,
}

impl IDoc {
    /// Annotator `a`'s units of label `l`, in their original order.
    pub fn of(&self, a: usize, l: usize) -> &[IUnit] {
        let runs = &self.runs[a];
        &self.units[a][runs[l] as usize..runs[l + 1] as usize]
    }
}

impl IDoc {
    /// `doc` with its units' labels as ids into `labels` (sorted; every label of the document).
    pub fn new(doc: &StudyDocument, labels: &[Str], tokens: Tokens) -> Self {
        let mut units = Vec::with_capacity(doc.units.len());
        let mut runs = Vec::with_capacity(doc.units.len());
        for layer in &doc.units {
            let mut iu: Vec<IUnit> = layer
                .iter()
                .map(|u| IUnit {
                    label: label_id(labels, &u.label),
                    start: u.start,
                    end: u.end,
                })
                .collect();
            iu.sort_by_key(|u| u.label);
            let mut run = Vec::with_capacity(labels.len() + 1);
            for l in 0..=labels.len() {
                #[allow(clippy::cast_possible_truncation)] // labels are few
                run.push(iu.partition_point(|u| (u.label as usize) < l) as u32);
            }
            units.push(iu);
            runs.push(run);
        }
        IDoc {
            units,
            runs,
            tokens: doc.text.as_ref().map(|t| narrow(&tokens.cut(t.as_str()))),
            has_text: doc.text.is_some(),
            chars: doc.text.as_ref().map_or(0, |t| t.char_len()),
        }
    }
}

/// The labels of a document's units, sorted, each once.
pub(super) fn labels_of(doc: &StudyDocument) -> Vec<Str> {
    let mut labels: Vec<&str> = doc
        .units
        .iter()
        .flatten()
        .map(|u| u.label.as_str())
        .collect();
    labels.sort_unstable();
    labels.dedup();
    labels.into_iter().map(Str::from).collect()
}

/// Token extents in 32 bits (a text past 4G code points keeps the last ones' at the limit).
fn narrow(cut: &[[usize; 2]]) -> Vec<[u32; 2]> {
    let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    cut.iter().map(|&[s, e]| [n(s), n(e)]).collect()
}

/// The tokens `[first, last)` a unit touches (overlaps by at least one code point).
pub(super) fn touched(tokens: &[[u32; 2]], u: &IUnit) -> std::ops::Range<usize> {
    let first = tokens.partition_point(|t| t[1] as usize <= u.start);
    let last = first + tokens[first..].partition_point(|t| (t[0] as usize) < u.end);
    first..last
}

/// The id of a label of the document (always found: `labels` holds every label used).
fn label_id(labels: &[Str], label: &str) -> u32 {
    #[allow(clippy::cast_possible_truncation)] // labels are few
    labels
        .binary_search_by(|l| l.as_str().cmp(label))
        .map_or(0, |i| i as u32)
}

/// How many distinct extents `a` and `b` share (each side's extents as a set, as exact span
/// matching counts them): (matched, distinct in `a`, distinct in `b`).
pub(super) fn exact(a: &[IUnit], b: &[IUnit]) -> (usize, usize, usize) {
    let key = |u: &IUnit| (u.start, u.end);
    let mut ka: Vec<(usize, usize)> = a.iter().map(key).collect();
    let mut kb: Vec<(usize, usize)> = b.iter().map(key).collect();
    ka.sort_unstable();
    ka.dedup();
    kb.sort_unstable();
    kb.dedup();
    (merge_count(&ka, &kb), ka.len(), kb.len())
}

/// How many elements two sorted lists share, as multisets.
pub(super) fn merge_count<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut matched) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                matched += 1;
                i += 1;
                j += 1;
            }
        }
    }
    matched
}

/// The tokens (indexes into `tokens`) each unit touches, one entry per unit and token, sorted.
pub(super) fn token_ids(units: &[IUnit], tokens: &[[u32; 2]]) -> Vec<u32> {
    let mut out = Vec::with_capacity(units.len() * 2);
    for u in units {
        #[allow(clippy::cast_possible_truncation)] // a document has fewer than 2^32 tokens
        out.extend(touched(tokens, u).map(|t| t as u32));
    }
    out.sort_unstable();
    out
}

/// Overlap matching of one label's units (each in its layer's order): first every unit of `a`
/// takes the first unused identical unit of `b`; then the largest overlaps pair up greedily
/// (ties: earlier unmatched `a`, then earlier `b`). Returns how many matched.
pub(super) fn overlap(a: &[IUnit], b: &[IUnit]) -> usize {
    let mut used_b = vec![false; b.len()];
    // b's indexes by extent; equal extents stay in b's order, taken from the front.
    let mut by_extent: Vec<u32> = (0..b.len()).map(index).collect();
    by_extent.sort_by_key(|&j| (b[j as usize].start, b[j as usize].end, j));
    let mut taken = vec![0u32; b.len()];
    let mut matched = 0;
    let mut unmatched_a = Vec::new();
    for x in a {
        let lo = by_extent.partition_point(|&j| {
            let y = &b[j as usize];
            (y.start, y.end) < (x.start, x.end)
        });
        let at = lo + taken.get(lo).copied().unwrap_or(0) as usize;
        match by_extent.get(at) {
            Some(&j) if b[j as usize].start == x.start && b[j as usize].end == x.end => {
                taken[lo] += 1;
                used_b[j as usize] = true;
                matched += 1;
            }
            _ => unmatched_a.push(x),
        }
    }
    if unmatched_a.is_empty() {
        return matched;
    }
    // by_extent is sorted by start: the units starting before x ends, scanned back while the
    // longest reach among them still passes x's start.
    let mut reach = Vec::with_capacity(b.len());
    let mut far = 0;
    for &j in &by_extent {
        far = far.max(b[j as usize].end);
        reach.push(far);
    }
    let mut candidates: Vec<(usize, u32, u32)> = Vec::new();
    for (i, x) in unmatched_a.iter().enumerate() {
        let hi = by_extent.partition_point(|&j| b[j as usize].start < x.end);
        for k in (0..hi).rev() {
            if reach[k] <= x.start {
                break;
            }
            let j = by_extent[k];
            let y = &b[j as usize];
            if !used_b[j as usize] && y.end > x.start {
                let overlap = x.end.min(y.end) - x.start.max(y.start);
                candidates.push((overlap, index(i), j));
            }
        }
    }
    candidates.sort_unstable_by(|p, q| q.0.cmp(&p.0).then((p.1, p.2).cmp(&(q.1, q.2))));
    let mut used_a = vec![false; unmatched_a.len()];
    for (_, i, j) in candidates {
        let (i, j) = (i as usize, j as usize);
        if !used_a[i] && !used_b[j] {
            used_a[i] = true;
            used_b[j] = true;
            matched += 1;
        }
    }
    matched
}

#[allow(clippy::cast_possible_truncation)] // one label's units in one document: < 2^32
fn index(i: usize) -> u32 {
    i as u32
}
