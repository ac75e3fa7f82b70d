//! Prints how egui lays out a line with tagdesk's fonts: each glyph of the galley's rows (its
//! char, x and advance) beside the text's characters. For issue 21 (right-to-left text): with
//! epaint 0.37 an Arabic or Hebrew run comes out in visual order with extra zero-width glyphs,
//! so a row holds more glyphs than characters (emilk/egui#8576):
//!
//!     cargo run --example rtl_probe -- "قال لافروف John Kerry في 2013."
fn main() {
    let ctx = egui::Context::default();
    tagdesk::gui::fonts::install(&ctx);
    let mut out = ctx.run_ui(egui::RawInput::default(), |_| {});
    out.textures_delta.clear();
    let text = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "قال لافروف John Kerry في 2013.".into());
    let galley = ctx.fonts_mut(|f| {
        f.layout_no_wrap(
            text.clone(),
            egui::FontId::proportional(16.0),
            egui::Color32::WHITE,
        )
    });
    let glyphs: usize = galley.rows.iter().map(|r| r.row.glyphs.len()).sum();
    println!("{} characters, {glyphs} glyphs", text.chars().count());
    for row in &galley.rows {
        for (i, g) in row.row.glyphs.iter().enumerate() {
            println!(
                "{i:3} {:?} x={:.1} w={:.1}",
                g.chr, g.pos.x, g.advance_width
            );
        }
    }
    println!("logical: {:?}", text.chars().collect::<Vec<_>>());
}
