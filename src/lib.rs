//! tagdesk: a native desktop annotation workbench.
//!
//! Layers, from the bottom: [`core`] (no GUI), [`formats`] (interchange), [`cli`] (thin
//! subcommands) and [`gui`] (the only module that may use egui, eframe or rfd).
//! See `docs/ARCHITECTURE.md`.

pub mod cli;
pub mod core;
pub mod formats;
pub mod gui;
pub mod synth;

/// Facts stamped by `build.rs`.
pub mod build_info {
    pub const VERSION: &str = env!("CARGO_PKG_VERSION");
    /// Short git commit the binary was built from (`unknown` outside a git checkout), with
    /// `-dirty` when the work tree had changes.
    pub const GIT_COMMIT: &str = env!("TAGDESK_GIT_COMMIT");
    /// UTC date of the build, `YYYY-MM-DD`.
    pub const BUILD_DATE: &str = env!("TAGDESK_BUILD_DATE");
}
