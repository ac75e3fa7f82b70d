//! A PDF page's text layer in reading order, right-to-left lines included.
//!
//! pdf-extract hands each glyph over in the order it was drawn, with its position. Its own
//! plain-text writer strings them together in that order, which is the reading order for
//! left-to-right text but not for right-to-left: a producer draws an Arabic or Hebrew run's
//! glyphs from left to right (`LibreOffice` does), so the letters come back reversed,
//! and the runs of a mixed line (an Arabic sentence with "John Kerry" in it) may come in any
//! order. [`Lines`] is the same writer — the same line and space decisions, so left-to-right
//! text comes out byte for byte as before — except that a line which is mostly right-to-left
//! is put in visual order by the glyphs' positions and read back into logical order with the
//! Unicode bidirectional classes ([`visual_to_logical`]): the whole line is reversed, then
//! every left-to-right run inside it (Latin words, numbers) is turned back, and paired
//! brackets in the right-to-left parts are mirrored.

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};
use unicode_bidi::BidiClass::{self, AL, AN, EN, L, NSM, R};

/// One glyph as drawn: where it starts and ends on the line, and its text.
struct Glyph {
    x: f64,
    end: f64,
    size: f64,
    /// Whether pdf-extract's rule puts a space before it (a gap after the glyph drawn before).
    gap: bool,
    /// Which text-showing operation drew it (counted over the page).
    group: usize,
    text: String,
}

/// The text of one page, line by line (an [`OutputDev`] for `pdf_extract::output_doc_page`).
#[derive(Default)]
pub struct Lines {
    /// The page's lines so far: text, or a right-to-left line's glyphs still to be put in
    /// order (that needs the whole page, see [`Lines::finish`]).
    pieces: Vec<Piece>,
    line: Vec<Glyph>,
    page_height: f64,
    last_end: f64,
    last_y: f64,
    first_char: bool,
    group: usize,
}

impl Lines {
    /// The page's text, the last line included.
    ///
    /// Which way a right-to-left line's paragraph runs decides how it reads back (see
    /// [`visual_to_logical`]), and a PDF does not say; [`direction`] reads it from the line.
    /// A line that does not tell goes the way most lines of its page went, and right to left
    /// when none told.
    pub fn finish(mut self) -> String {
        self.flush();
        let (mut to_left, mut to_right) = (0, 0);
        for piece in &self.pieces {
            if let Piece::RightToLeft(line) = piece {
                match direction(line) {
                    Some(true) => to_left += 1,
                    Some(false) => to_right += 1,
                    None => {}
                }
            }
        }
        let page_rtl = to_left >= to_right;
        let mut text = String::new();
        for piece in std::mem::take(&mut self.pieces) {
            match piece {
                Piece::Text(t) => text.push_str(&t),
                Piece::RightToLeft(line) => {
                    let rtl = direction(&line).unwrap_or(page_rtl);
                    text.push_str(&visual_to_logical(&in_visual_order(line), rtl));
                }
            }
        }
        text
    }

    fn text(&mut self, text: String) {
        if let Some(Piece::Text(t)) = self.pieces.last_mut() {
            t.push_str(&text);
        } else {
            self.pieces.push(Piece::Text(text));
        }
    }

    fn flush(&mut self) {
        let line = std::mem::take(&mut self.line);
        let drawn: String = line
            .iter()
            .flat_map(|g| [if g.gap { " " } else { "" }, g.text.as_str()])
            .collect();
        if mostly_right_to_left(&drawn) {
            self.pieces.push(Piece::RightToLeft(line));
        } else {
            self.text(drawn);
        }
    }
}

enum Piece {
    Text(String),
    RightToLeft(Vec<Glyph>),
}

impl OutputDev for Lines {
    fn begin_page(
        &mut self,
        _page: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page_height = media_box.ury - media_box.lly;
        self.last_end = 100_000.0;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    /// pdf-extract's `PlainTextOutput::output_character`, with the line kept for [`Lines::flush`]
    /// instead of written at once.
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        // The position with the page's y axis flipped (top down), as pdf-extract does it.
        let (x, y) = (trm.m31, self.page_height - trm.m32);
        let scaled = (
            font_size * trm.m11 + font_size * trm.m21,
            font_size * trm.m12 + font_size * trm.m22,
        );
        let size = (scaled.0 * scaled.1).abs().sqrt();
        let mut gap = false;
        if self.first_char {
            let mut breaks = 0;
            if (y - self.last_y).abs() > size * 1.5 {
                breaks += 1;
            }
            if x < self.last_end && (y - self.last_y).abs() > size * 0.5 {
                breaks += 1;
            }
            if breaks > 0 {
                self.flush();
                self.text("\n".repeat(breaks));
            }
            gap = x > self.last_end + size * 0.1;
        }
        let end = x + width * size;
        self.line.push(Glyph {
            x,
            end,
            size,
            gap,
            group: self.group,
            text: text.to_owned(),
        });
        self.first_char = false;
        self.last_y = y;
        self.last_end = end;
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.first_char = true;
        self.group += 1;
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Whether a mostly right-to-left line belongs to a right-to-left paragraph (`Some(true)`), a
/// left-to-right one (`Some(false)`), or does not tell.
///
/// Producers draw a line's runs in the order they are read (`LibreOffice` does): so where a
/// run of left-to-right letters (a Latin name) is drawn just before or after a run of
/// right-to-left letters, the one drawn second stands to the left of the first in a
/// right-to-left paragraph and to its right in a left-to-right one. Digits and punctuation are
/// no evidence: inside Arabic text they are drawn to the left of the word before them either
/// way. A line without a Latin word does not tell.
fn direction(line: &[Glyph]) -> Option<bool> {
    #[derive(PartialEq)]
    enum Kind {
        Rtl,
        Latin,
        NoEvidence,
    }
    // The runs as drawn: (left, right, kind).
    let mut runs: Vec<(f64, f64, Kind)> = Vec::new();
    for group in line.chunk_by(|a, b| a.group == b.group) {
        let text: String = group.iter().map(|g| g.text.as_str()).collect();
        if text.trim().is_empty() {
            continue;
        }
        let left = group.iter().map(|g| g.x).fold(f64::INFINITY, f64::min);
        let right = group
            .iter()
            .map(|g| g.end)
            .fold(f64::NEG_INFINITY, f64::max);
        let rtl = text.chars().any(|c| matches!(bidi(c), R | AL));
        let ltr = text.chars().any(|c| bidi(c) == L && c.is_alphabetic());
        // A glyph without width is a mark over another, whatever its code says.
        let kind = match (rtl, ltr) {
            (true, false) => Kind::Rtl,
            (false, true) if right - left > group[0].size * 0.1 => Kind::Latin,
            _ => Kind::NoEvidence,
        };
        runs.push((left, right, kind));
    }
    let size = line.iter().map(|g| g.size).fold(0.0, f64::max);
    let mut votes = 0i32;
    for pair in runs.windows(2) {
        let [(l1, r1, k1), (l2, r2, k2)] = pair else {
            continue;
        };
        let evidence = matches!(
            (k1, k2),
            (Kind::Rtl, Kind::Latin) | (Kind::Latin, Kind::Rtl)
        );
        if !evidence {
            continue;
        }
        if *l2 >= r1 - size * 0.5 {
            votes -= 1;
        } else if *r2 <= l1 + size * 0.5 {
            votes += 1;
        }
    }
    (votes != 0).then_some(votes > 0)
}

/// Whether a line is mostly right-to-left script (more right-to-left letters than others).
pub fn mostly_right_to_left(line: &str) -> bool {
    let (r, l) = line.chars().fold((0, 0), |(r, l), c| match bidi(c) {
        R | AL => (r + 1, l),
        L if c.is_alphanumeric() => (r, l + 1),
        _ => (r, l),
    });
    r > l
}

fn bidi(c: char) -> BidiClass {
    unicode_bidi::bidi_class(c)
}

/// A line's glyphs left to right as they stand on the page, with a space wherever a gap is
/// (and none doubled beside a drawn space). A combining mark drawn at its letter's place stays
/// on the side of the letter it was drawn on.
fn in_visual_order(mut line: Vec<Glyph>) -> Vec<String> {
    line.sort_by(|a, b| a.x.total_cmp(&b.x));
    let mut out: Vec<String> = Vec::new();
    let mut last: Option<(f64, f64)> = None;
    let spaced = |out: &[String]| out.last().is_some_and(|u| u.ends_with(' '));
    for glyph in line {
        if let Some((x, end)) = last {
            // A glyph drawn where the one before it starts is a mark over it: one unit, the
            // letter first.
            let over = (glyph.x - x).abs() < glyph.size * 0.05 && !glyph.text.trim().is_empty();
            if let Some(unit) = out.last_mut().filter(|_| over) {
                if strong_rtl(&glyph.text) && !strong_rtl(unit) {
                    unit.insert_str(0, &glyph.text);
                } else {
                    unit.push_str(&glyph.text);
                }
                last = Some((x, end.max(glyph.end)));
                continue;
            }
            if glyph.x > end + glyph.size * 0.1 && !glyph.text.trim().is_empty() && !spaced(&out) {
                out.push(" ".to_owned());
            }
        }
        last = Some((glyph.x, last.map_or(glyph.end, |(_, e)| e.max(glyph.end))));
        if glyph.text == " " && spaced(&out) {
            continue;
        }
        out.push(glyph.text);
    }
    out
}

/// A line in visual order (its glyphs' texts, left to right as seen) back in logical order,
/// for a paragraph that runs right to left (`rtl`) or left to right.
///
/// Right to left: the whole line is reversed, then each left-to-right run in it — from a
/// left-to-right letter or a digit to the last one before the next right-to-left letter — is
/// turned back. Left to right: each right-to-left run — from a right-to-left letter to the last
/// one before the next left-to-right letter, digits and punctuation inside it included — is
/// reversed, and the numbers in it turned back. A number just left of such a run is its last
/// word (an Arabic "في 25" shows as "25 يف"), as is punctuation at the line's left edge (the
/// comma a wrapped line ends with); an opening quote or bracket just right of it is its first.
///
/// A glyph is one unit: a ligature ("لا") keeps its letters' order, a mark drawn over a letter
/// stays with it. Brackets are not mirrored: producers map a mirrored glyph back to the
/// character typed (`LibreOffice` does).
pub fn visual_to_logical(units: &[String], rtl: bool) -> String {
    let mut units = units.to_vec();
    if rtl {
        units.reverse();
        let mut i = 0;
        while i < units.len() {
            if strong_ltr(&units[i]) || number(&units[i]) {
                let last = last_before(&units, i, strong_rtl, |u| strong_ltr(u) || number(u));
                units[i..=last].reverse();
                i = last + 1;
            } else {
                i += 1;
            }
        }
    } else {
        let mut i = 0;
        while i < units.len() {
            if !strong_rtl(&units[i]) {
                i += 1;
                continue;
            }
            let last = last_before(&units, i, strong_ltr, strong_rtl);
            let mut first = i;
            // Back over a number and the space before the run, or punctuation at the line's edge.
            let mut j = i;
            while j > 0 && units[j - 1].trim().is_empty() {
                j -= 1;
            }
            if j > 0 && number(&units[j - 1]) {
                j -= 1;
                while j > 0 && (number(&units[j - 1]) || joins_numbers(&units[j - 1])) {
                    j -= 1;
                }
                first = j;
            } else if units[..j].iter().all(|u| !strong_ltr(u) && !number(u)) {
                first = 0;
            }
            let last = match units.get(last + 1) {
                Some(u) if opening(u) => last + 1,
                _ => last,
            };
            let run = &mut units[first..=last];
            run.reverse();
            let mut j = 0;
            while j < run.len() {
                if number(&run[j]) {
                    let end = last_before(run, j, |u| !number(u) && !joins_numbers(u), number);
                    run[j..=end].reverse();
                    j = end + 1;
                } else {
                    j += 1;
                }
            }
            i = last + 1;
        }
    }
    // A combining mark follows its letter in logical order; reversed, it stands before it.
    for i in 1..units.len() {
        if class(&units[i - 1]) == NSM && strong_rtl(&units[i]) {
            units.swap(i - 1, i);
        }
    }
    units.concat()
}

fn class(unit: &str) -> BidiClass {
    unit.chars().next().map_or(BidiClass::WS, bidi)
}

fn strong_rtl(unit: &str) -> bool {
    matches!(class(unit), R | AL)
}

fn strong_ltr(unit: &str) -> bool {
    class(unit) == L && !unit.trim().is_empty()
}

fn number(unit: &str) -> bool {
    matches!(class(unit), EN | AN)
}

/// Separators inside a number ("1,000", "25/9", "3.5").
fn joins_numbers(unit: &str) -> bool {
    matches!(class(unit), BidiClass::CS | BidiClass::ET)
}

/// An opening quote or bracket.
fn opening(unit: &str) -> bool {
    matches!(unit, "«" | "‹" | "“" | "‘" | "(" | "[" | "{" | "„")
}

/// From `start`, the last unit that is `member` before the first that `stops` (or the end).
fn last_before(
    units: &[String],
    start: usize,
    stops: impl Fn(&str) -> bool,
    member: impl Fn(&str) -> bool,
) -> usize {
    let stop = units[start..]
        .iter()
        .position(|u| stops(u))
        .map_or(units.len(), |n| start + n);
    (start..stop)
        .rev()
        .find(|&j| member(&units[j]))
        .unwrap_or(start)
}

#[cfg(test)]
mod tests {
    use super::visual_to_logical;

    fn units(visual: &str) -> Vec<String> {
        visual.chars().map(String::from).collect()
    }

    #[test]
    fn a_right_to_left_paragraph_line_reads_back_logically() {
        // "قال John Kerry إن 14 ساعة" as it stands on a page, left to right.
        let visual = units("ةعاس 14 نإ John Kerry لاق");
        assert_eq!(
            visual_to_logical(&visual, true),
            "قال John Kerry إن 14 ساعة"
        );
        // The glyphs map back to the characters typed: ")" is drawn at the left.
        assert_eq!(
            visual_to_logical(&units(")UN( ةدحتملا"), true),
            "المتحدة (UN)"
        );
    }

    #[test]
    fn a_left_to_right_paragraph_line_keeps_its_runs_in_place() {
        // LibreOffice's default for imported text: the Arabic runs stand where they are.
        let visual = units("لاق John Kerry ةعاس 25/9 نإ.");
        assert_eq!(
            visual_to_logical(&visual, false),
            "قال John Kerry إن 25/9 ساعة."
        );
        // A number left of a run is its last word; the comma a wrapped line ends with too.
        let visual = units("Mistura 25 يف نأ");
        assert_eq!(visual_to_logical(&visual, false), "Mistura أن في 25");
        assert_eq!(visual_to_logical(&units(" ،لوح«"), false), "«حول، ");
        // A ligature glyph keeps its letters in order; a mark follows its letter.
        let mut visual = units("فورف");
        visual.push("لا".to_owned());
        assert_eq!(visual_to_logical(&visual, false), "لافروف");
        assert_eq!(visual_to_logical(&units("\u{651}دو"), false), "ود\u{651}");
    }
}
