//! The desktop app. The only module that may use egui, eframe or rfd.

pub mod action;
mod app;
pub mod bidi;
pub mod commands;
pub mod dialogs;
pub mod document_view;
pub mod fonts;
mod frame_stats;
pub mod jobs;
pub mod learning;
pub mod panels;
pub mod session;
pub mod state;
pub mod suggestions;
pub mod team;
mod watcher;
pub mod windows;

use std::path::PathBuf;

pub use action::Action;
pub use app::App;
pub use commands::Command;

/// "1 document", "2 documents": a count with its noun, singular or plural.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// How the app was started (from the command line).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Project or plain folder to open; else the last project, else the sample.
    pub path: Option<PathBuf>,
    /// Document to show first, relative to the source folder.
    pub document: Option<String>,
    pub annotator: Option<String>,
    pub frame_stats: Option<PathBuf>,
    /// Always use the in-app file chooser.
    pub builtin_file_dialog: bool,
}

mod sample {
    include!(concat!(env!("OUT_DIR"), "/sample.rs"));
}
pub use sample::SAMPLE_FILES;

/// The sample project, as the user's own copy in their data folder (`…/tagdesk/syria-talks`):
/// made from the copy in the binary on first use, then kept (with whatever the user did in it).
/// Never the files in the source tree or beside the executable: an installed tagdesk writes
/// nothing where it is installed.
pub fn sample_project() -> Option<PathBuf> {
    let dest = eframe::storage_dir("tagdesk")?.join("syria-talks");
    if !dest.join(crate::core::project::MANIFEST_FILE).is_file() {
        extract_sample(&dest).ok()?;
    }
    Some(dest)
}

/// Writes the embedded sample project into `dest` (missing files only: nothing there is
/// overwritten).
pub fn extract_sample(dest: &std::path::Path) -> std::io::Result<()> {
    for (relative, bytes) in SAMPLE_FILES {
        let path = dest.join(relative);
        if path.exists() {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        crate::core::project::write_atomic(&path, bytes)?;
    }
    Ok(())
}

/// The application icon (`assets/icons/tagdesk-256.png`, in the binary) as the window's icon.
pub fn window_icon() -> Option<egui::IconData> {
    let png = include_bytes!("../../assets/icons/tagdesk-256.png");
    let mut reader = png::Decoder::new(std::io::Cursor::new(&png[..]))
        .read_info()
        .ok()?;
    let mut rgba = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut rgba).ok()?;
    (info.color_type == png::ColorType::Rgba).then_some(egui::IconData {
        rgba,
        width: info.width,
        height: info.height,
    })
}

/// Opens the window and runs until it is closed.
pub fn run(options: Options) -> anyhow::Result<()> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("tagdesk")
        .with_app_id("tagdesk");
    if let Some(icon) = window_icon() {
        viewport = viewport.with_icon(icon);
    }
    let native = eframe::NativeOptions {
        viewport: viewport
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 400.0])
            .with_drag_and_drop(true),
        renderer: eframe::Renderer::Glow,
        persist_window: true,
        ..Default::default()
    };
    eframe::run_native(
        "tagdesk",
        native,
        Box::new(move |cc| Ok(Box::new(App::new(cc, options)))),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
