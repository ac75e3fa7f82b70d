//! Glyphs of bidi text, rasterised once and kept in one egui texture.
//!
//! Outlines come from skrifa and are filled by `vello_cpu`, as epaint does for its own glyphs,
//! so both paths draw alike. Glyphs are packed on shelves; the texture grows (to 4096 px tall)
//! rather than evicting, and starts over only past that.

use rustc_hash::FxHashMap;

use egui::{Color32, ColorImage, TextureHandle, TextureOptions, Vec2, vec2};
use skrifa::MetadataProvider as _;
use vello_cpu::kurbo;

const WIDTH: usize = 1024;
const FIRST_HEIGHT: usize = 256;
const MAX_HEIGHT: usize = 4096;
const PADDING: usize = 1;
/// Horizontal positions are kept to quarter pixels (each quarter its own bitmap).
pub(super) const SUBPIXEL_BINS: f32 = 4.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    blob: u64,
    index: u32,
    glyph: u32,
    /// Size in 1/16 px.
    size: u32,
    bin: u8,
}

/// Where a glyph's bitmap is and how it sits on its pen position, in physical pixels.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    /// Top-left in the atlas.
    pub at: [usize; 2],
    pub size: Vec2,
    /// From the pen position (on the baseline) to the bitmap's top-left.
    pub offset: Vec2,
}

#[derive(Default)]
pub(super) struct Atlas {
    texture: Option<TextureHandle>,
    image: Option<ColorImage>,
    /// The shelf being filled: its top, its height, and where the next glyph goes on it.
    shelf_top: usize,
    shelf_height: usize,
    shelf_x: usize,
    entries: FxHashMap<Key, Option<Entry>>,
}

impl Atlas {
    pub fn texture_id(&mut self, ctx: &egui::Context) -> egui::TextureId {
        self.texture(ctx).id()
    }

    /// The atlas's size in pixels (uv coordinates are divided by it).
    pub fn size(&self) -> Vec2 {
        self.image.as_ref().map_or(vec2(1.0, 1.0), |i| {
            #[expect(clippy::cast_precision_loss)]
            vec2(i.size[0] as f32, i.size[1] as f32)
        })
    }

    fn texture(&mut self, ctx: &egui::Context) -> &TextureHandle {
        let image = self
            .image
            .get_or_insert_with(|| ColorImage::filled([WIDTH, FIRST_HEIGHT], Color32::TRANSPARENT));
        self.texture.get_or_insert_with(|| {
            ctx.load_texture("tagdesk-bidi-glyphs", image.clone(), TextureOptions::LINEAR)
        })
    }

    /// The glyph's place in the atlas, rasterising it on first use; `None` for a glyph with no
    /// outline (a space).
    pub fn glyph(
        &mut self,
        ctx: &egui::Context,
        font: &parley::FontData,
        size_px: f32,
        glyph: u32,
        bin: u8,
    ) -> Option<Entry> {
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let key = Key {
            blob: font.data.id(),
            index: font.index,
            glyph,
            size: (size_px * 16.0).round() as u32,
            bin,
        };
        if let Some(entry) = self.entries.get(&key) {
            return *entry;
        }
        let entry = rasterize(font, size_px, glyph, bin).and_then(|(image, offset)| {
            let at = self.place(ctx, &image)?;
            #[expect(clippy::cast_precision_loss)]
            let size = vec2(image.size[0] as f32, image.size[1] as f32);
            Some(Entry { at, size, offset })
        });
        self.entries.insert(key, entry);
        entry
    }

    /// Copies a bitmap into the atlas (growing it if needed) and uploads that part.
    fn place(&mut self, ctx: &egui::Context, glyph: &ColorImage) -> Option<[usize; 2]> {
        let [w, h] = glyph.size;
        if w + PADDING > WIDTH || h + PADDING > MAX_HEIGHT {
            return None;
        }
        self.texture(ctx);
        if self.shelf_x + w + PADDING > WIDTH {
            self.shelf_top += self.shelf_height;
            self.shelf_x = 0;
            self.shelf_height = 0;
        }
        let needed = self.shelf_top + h + PADDING;
        let height = self.image.as_ref().map_or(0, |i| i.size[1]);
        if needed > height {
            if needed > MAX_HEIGHT {
                // Full: start over (what is on screen is drawn again next frame).
                *self = Self::default();
                ctx.request_repaint();
                return self.place(ctx, glyph);
            }
            let mut bigger =
                ColorImage::filled([WIDTH, (height * 2).max(needed)], Color32::TRANSPARENT);
            if let Some(old) = &self.image {
                bigger.pixels[..old.pixels.len()].copy_from_slice(&old.pixels);
            }
            if let Some(texture) = &mut self.texture {
                texture.set(bigger.clone(), TextureOptions::LINEAR);
            }
            self.image = Some(bigger);
        }
        let at = [self.shelf_x, self.shelf_top];
        if let Some(image) = &mut self.image {
            for row in 0..h {
                let dst = (at[1] + row) * WIDTH + at[0];
                image.pixels[dst..dst + w].copy_from_slice(&glyph.pixels[row * w..(row + 1) * w]);
            }
        }
        if let Some(texture) = &mut self.texture {
            texture.set_partial(at, glyph.clone(), TextureOptions::LINEAR);
        }
        self.shelf_x += w + PADDING;
        self.shelf_height = self.shelf_height.max(h + PADDING);
        Some(at)
    }
}

/// The glyph's coverage as white with alpha (premultiplied), and its offset from the pen.
fn rasterize(
    font: &parley::FontData,
    size_px: f32,
    glyph: u32,
    bin: u8,
) -> Option<(ColorImage, Vec2)> {
    let face = skrifa::FontRef::from_index(font.data.data(), font.index).ok()?;
    let outlines = face.outline_glyphs();
    let outline = outlines.get(skrifa::GlyphId::new(glyph))?;
    let mut path = kurbo::BezPath::new();
    let mut pen = Pen {
        path: &mut path,
        x_offset: f64::from(bin) / f64::from(SUBPIXEL_BINS),
    };
    outline
        .draw(
            skrifa::outline::DrawSettings::unhinted(
                skrifa::instance::Size::new(size_px),
                skrifa::instance::LocationRef::default(),
            ),
            &mut pen,
        )
        .ok()?;
    let bounds = path.control_box().expand();
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (width, height) = (bounds.width() as u16, bounds.height() as u16);
    if width == 0 || height == 0 {
        return None;
    }
    let mut ctx = vello_cpu::RenderContext::new(width, height);
    ctx.set_transform(kurbo::Affine::translate((-bounds.x0, -bounds.y0)));
    ctx.set_paint(vello_cpu::color::OpaqueColor::<vello_cpu::color::Srgb>::WHITE);
    ctx.fill_path(&path);
    let mut pixmap = vello_cpu::Pixmap::new(width, height);
    let mut resources = vello_cpu::Resources::new();
    ctx.render(&mut pixmap, &mut resources);
    let pixels = pixmap
        .data_as_u8_slice()
        .chunks_exact(4)
        .map(|px| Color32::from_rgba_premultiplied(px[0], px[1], px[2], px[3]))
        .collect();
    let image = ColorImage::new([usize::from(width), usize::from(height)], pixels);
    #[expect(clippy::cast_possible_truncation)]
    Some((image, vec2(bounds.x0 as f32, bounds.y0 as f32)))
}

/// skrifa's outline into a kurbo path, y pointing down, shifted by the subpixel bin.
struct Pen<'a> {
    path: &'a mut kurbo::BezPath,
    x_offset: f64,
}

impl skrifa::outline::OutlinePen for Pen<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        self.path
            .move_to((f64::from(x) + self.x_offset, -f64::from(y)));
    }

    fn line_to(&mut self, x: f32, y: f32) {
        self.path
            .line_to((f64::from(x) + self.x_offset, -f64::from(y)));
    }

    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.path.quad_to(
            (f64::from(cx0) + self.x_offset, -f64::from(cy0)),
            (f64::from(x) + self.x_offset, -f64::from(y)),
        );
    }

    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.path.curve_to(
            (f64::from(cx0) + self.x_offset, -f64::from(cy0)),
            (f64::from(cx1) + self.x_offset, -f64::from(cy1)),
            (f64::from(x) + self.x_offset, -f64::from(y)),
        );
    }

    fn close(&mut self) {
        self.path.close_path();
    }
}
