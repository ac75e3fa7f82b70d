//! Bundled fonts: egui's defaults lack Georgian, Arabic, Hebrew and Armenian, so the Noto fonts
//! in `assets/fonts` (checked and embedded by build.rs) are added as fallbacks.

use std::sync::Arc;

include!(concat!(env!("OUT_DIR"), "/fonts.rs"));

/// Installs egui's default fonts plus every bundled font as a fallback for all families.
pub fn install(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    for (name, bytes) in BUNDLED_FONTS {
        fonts.font_data.insert(
            (*name).to_owned(),
            Arc::new(egui::FontData::from_static(bytes)),
        );
        for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
            fonts
                .families
                .entry(family)
                .or_default()
                .push((*name).to_owned());
        }
    }
    ctx.set_fonts(fonts);
}
