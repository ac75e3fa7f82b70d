//! Right-to-left and mixed-direction text: laid out by parley (bidi per UAX #9, shaping with
//! harfrust, line breaking, cursor and selection geometry), painted through egui from a glyph
//! atlas of our own.
//!
//! epaint 0.37 shapes each font run in the direction harfrust guesses and places runs left to
//! right, with glyph and character counts out of step in right-to-left runs (emilk/egui#8576),
//! so words of an Arabic sentence come out in the wrong order and offsets land on the wrong
//! letters. Only text that needs it takes this path ([`needs_bidi`]): everything else stays on
//! epaint, unchanged and as fast. See docs/ARCHITECTURE.md, "Right-to-left text".
//!
//! One [`Engine`] per egui context (fonts, layout scratch space, glyph atlas), shared through
//! the context's memory ([`engine`]).

use std::sync::{Arc, Mutex};

mod atlas;
mod layout;

pub use layout::BidiLayout;

/// Does `text` hold right-to-left characters (bidi classes R, AL, AN, or an explicit
/// right-to-left embedding, override or isolate)? Left-to-right text, Georgian say, stays on
/// epaint's layout.
pub fn needs_bidi(text: &str) -> bool {
    use unicode_bidi::BidiClass::{AL, AN, R, RLE, RLI, RLO};
    !text.is_ascii()
        && text.chars().any(|c| {
            !c.is_ascii() && matches!(unicode_bidi::bidi_class(c), R | AL | AN | RLE | RLO | RLI)
        })
}

/// Fonts, layout scratch space and the glyph atlas for bidi text.
pub struct Engine {
    fonts: parley::FontContext,
    layouts: parley::LayoutContext<layout::Brush>,
    /// The families in fallback order (egui's proportional ones, then the bundled ones).
    families: Vec<String>,
    atlas: atlas::Atlas,
}

impl Engine {
    fn new() -> Self {
        let mut fonts = parley::FontContext {
            collection: parley::fontique::Collection::new(parley::fontique::CollectionOptions {
                shared: false,
                system_fonts: false,
            }),
            source_cache: parley::fontique::SourceCache::default(),
        };
        let mut families = Vec::new();
        let mut register = |bytes: parley::fontique::Blob<u8>| {
            for (id, _) in fonts.collection.register_fonts(bytes, None) {
                if let Some(name) = fonts.collection.family_name(id)
                    && !families.iter().any(|f| f == name)
                {
                    families.push(name.to_owned());
                }
            }
        };
        // The same faces, in the same order, as the rest of the UI (super::fonts::install).
        let egui_fonts = egui::FontDefinitions::default();
        for name in egui_fonts
            .families
            .get(&egui::FontFamily::Proportional)
            .into_iter()
            .flatten()
        {
            if let Some(data) = egui_fonts.font_data.get(name) {
                register(parley::fontique::Blob::new(data.font.clone()));
            }
        }
        for (_, bytes) in super::fonts::BUNDLED_FONTS {
            let bytes: &'static [u8] = bytes;
            register(parley::fontique::Blob::new(Arc::new(bytes)));
        }
        Self {
            fonts,
            layouts: parley::LayoutContext::new(),
            families,
            atlas: atlas::Atlas::default(),
        }
    }

    /// Lays out one paragraph: wrapped at `wrap_width` (none: one line per paragraph), rows
    /// `line_height` apart, a right-to-left paragraph aligned to the right.
    pub fn layout(
        &mut self,
        text: &str,
        font_size: f32,
        line_height: f32,
        wrap_width: Option<f32>,
    ) -> BidiLayout {
        BidiLayout::new(self, text, font_size, line_height, wrap_width, &[])
    }

    /// Paints a layout with its top-left at `origin`.
    pub fn paint(
        &mut self,
        painter: &egui::Painter,
        layout: &BidiLayout,
        origin: egui::Pos2,
        color: egui::Color32,
    ) {
        layout.paint(&mut self.atlas, painter, origin, color);
    }
}

/// The context's engine (made on first use).
pub fn engine(ctx: &egui::Context) -> Arc<Mutex<Engine>> {
    ctx.data_mut(|data| {
        data.get_temp_mut_or_insert_with(egui::Id::unique("tagdesk::bidi::engine"), || {
            Arc::new(Mutex::new(Engine::new()))
        })
        .clone()
    })
}

/// Runs `f` with the context's engine.
pub fn with_engine<R>(ctx: &egui::Context, f: impl FnOnce(&mut Engine) -> R) -> R {
    let engine = engine(ctx);
    let mut engine = engine
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    f(&mut engine)
}

/// A label for a piece of document text (a quote, a search hit with its context): through
/// parley when it holds right-to-left characters, else an ordinary egui label. Wraps at the
/// available width when the job wraps (`job.wrap.max_width` finite).
pub fn job_label(
    ui: &mut egui::Ui,
    job: egui::text::LayoutJob,
    sense: egui::Sense,
) -> egui::Response {
    if !needs_bidi(&job.text) {
        return ui.add(egui::Label::new(job).sense(sense));
    }
    let size = job.sections.first().map_or(14.0, |s| s.format.font_id.size);
    let color = ui.visuals().text_color();
    let colors: Vec<_> = job
        .sections
        .iter()
        .map(|s| (s.byte_range.start.0..s.byte_range.end.0, s.format.color))
        .filter(|(_, c)| *c != egui::Color32::PLACEHOLDER)
        .collect();
    let line_height = ui
        .text_style_height(&egui::TextStyle::Body)
        .max(size * 1.25);
    let available = ui.available_width().max(40.0);
    let layout = with_engine(ui.ctx(), |engine| {
        let one_line = BidiLayout::new(engine, &job.text, size, line_height, None, &colors);
        // Wrapped only when it does not fit (a wrapped right-to-left layout is as wide as the
        // space it was given: its lines align to the right edge).
        if job.wrap.max_width.is_finite() && one_line.size().x > available + 1.0 {
            BidiLayout::new(
                engine,
                &job.text,
                size,
                line_height,
                Some(available),
                &colors,
            )
        } else {
            one_line
        }
    });
    let (rect, response) = ui.allocate_exact_size(layout.size(), sense);
    if ui.is_rect_visible(rect) {
        let painter = ui.painter().clone();
        with_engine(ui.ctx(), |engine| {
            engine.paint(&painter, &layout, rect.min, color);
        });
    }
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &job.text));
    response
}

/// A quote of document text in the body style, wrapped (see [`job_label`]).
pub fn quote_label(ui: &mut egui::Ui, text: &str) -> egui::Response {
    if !needs_bidi(text) {
        return ui.add(egui::Label::new(egui::RichText::new(text).italics()).wrap());
    }
    let font = egui::TextStyle::Body.resolve(ui.style());
    let mut job = egui::text::LayoutJob::single_section(
        text.to_owned(),
        egui::TextFormat {
            font_id: font,
            color: ui.visuals().text_color(),
            italics: true,
            ..Default::default()
        },
    );
    job.wrap.max_width = ui.available_width();
    job_label(ui, job, egui::Sense::hover())
}

/// `text` arranged so that an ordinary egui widget (a list row, a button, a tooltip) shows it
/// in bidi order, for one-line places where a [`job_label`] does not fit.
///
/// epaint draws the runs of one font face left to right, shaping each in the direction of its
/// script. So: the line is put in visual order (UAX #9, `unicode-bidi`), then each stretch of
/// right-to-left script (Arabic, Hebrew letters, their marks and digits) is turned back to
/// logical order, which epaint's right-to-left shaping turns into visual order again. Brackets
/// inside right-to-left text are mirrored. Text without right-to-left characters is returned
/// as it is.
pub fn for_egui(text: &str) -> std::borrow::Cow<'_, str> {
    if !needs_bidi(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    let info = unicode_bidi::BidiInfo::new(text, None);
    let mut out = String::with_capacity(text.len());
    for para in &info.paragraphs {
        let (levels, runs) = info.visual_runs(para, para.range.clone());
        for run in runs {
            let rtl = levels[run.start].is_rtl();
            let piece = &text[run.clone()];
            if rtl {
                // Visual order, with the script stretches back in logical order.
                let mut stretch: Vec<char> = Vec::new();
                for c in piece.chars().rev() {
                    if is_rtl_script(c) {
                        stretch.push(c);
                    } else {
                        out.extend(stretch.drain(..).rev());
                        out.push(mirrored(c));
                    }
                }
                out.extend(stretch.drain(..).rev());
            } else {
                out.push_str(piece);
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Is `c` shaped by epaint in a right-to-left run (letters, marks and digits of the
/// right-to-left scripts)?
fn is_rtl_script(c: char) -> bool {
    use unicode_bidi::BidiClass::{AL, AN, NSM, R};
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
        || matches!(unicode_bidi::bidi_class(c), R | AL | AN | NSM)
}

/// The mirrored form of a bracket (`Bidi_Mirrored`) shown in right-to-left text.
fn mirrored(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn egui_text_runs_in_visual_order_with_script_stretches_logical() {
        // "A said: John" in Arabic with an English name: the name goes to the left, the
        // Arabic words right to left, each word in logical order for epaint to shape.
        let text = "قال John";
        assert_eq!(for_egui(text), "John قال");
        // Two Arabic words: their order swaps, their letters do not.
        assert_eq!(for_egui("قال وزير"), "وزير قال");
        // Brackets in right-to-left text are mirrored; left-to-right text is untouched.
        assert_eq!(for_egui("(قال)"), "(قال)");
        assert_eq!(for_egui("plain (text)"), "plain (text)");
    }

    #[test]
    fn right_to_left_text_is_recognised() {
        assert!(needs_bidi("قال الوزير"));
        assert!(needs_bidi("The minister (שר החוץ) said"));
        assert!(needs_bidi("\u{202B}x"));
        assert!(!needs_bidi("Lavrov and Kerry met in Geneva."));
        assert!(!needs_bidi("საქართველო — Georgian is left to right"));
        assert!(!needs_bidi(""));
    }
}
