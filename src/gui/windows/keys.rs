//! Help → Keyboard reference (F1): every command with its keys, menu by menu, from the
//! command table, and the label keys of this project's schema. Esc closes it.

use egui::RichText;

use crate::core::Workspace;
use crate::gui::commands::{Command, MENUS};

/// The manual's first page on this machine: the installed package's, else the source tree's
/// this binary was built from (looked for once).
pub fn manual_page() -> Option<&'static std::path::Path> {
    static PAGE: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    PAGE.get_or_init(|| {
        [
            std::path::PathBuf::from("/usr/share/doc/tagdesk/manual/README.md"),
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/manual/README.md"),
        ]
        .into_iter()
        .find(|p| p.is_file())
    })
    .as_deref()
}

pub fn ui(ui: &mut egui::Ui, ws: Option<&Workspace>) {
    if let Some(page) = manual_page() {
        // Opens in the system's viewer for Markdown (a browser or an editor).
        ui.hyperlink_to("Open the user manual", format!("file://{}", page.display()))
            .on_hover_text(page.display().to_string());
    } else {
        ui.label(RichText::new("The user manual is docs/manual/ in tagdesk's source.").weak());
    }
    ui.label(RichText::new("This list is also docs/manual/keys.md.").weak());
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            // One grid, so the keys line up from section to section.
            egui::Grid::new("keys").striped(true).show(ui, |ui| {
                if let Some(ws) = ws {
                    ui.strong("Labels");
                    ui.end_row();
                    for label in &ws.project.schema().labels {
                        ui.label(format!("Tag or relabel as {}", label.name));
                        ui.monospace(label.hotkey.as_deref().unwrap_or("—"));
                        ui.end_row();
                    }
                    ui.label("Accept the selected suggestion");
                    ui.monospace("Enter");
                    ui.end_row();
                    ui.label("Reject the selected suggestion");
                    ui.monospace("Delete");
                    ui.end_row();
                }
                for (menu, items) in MENUS {
                    let rows: Vec<Command> = items
                        .iter()
                        .flatten()
                        .copied()
                        .filter(|c| !c.shortcuts().is_empty())
                        .collect();
                    if rows.is_empty() {
                        continue;
                    }
                    ui.strong(*menu);
                    ui.end_row();
                    for c in rows {
                        ui.label(c.title());
                        ui.monospace(
                            c.shortcuts()
                                .iter()
                                .map(|s| ui.ctx().format_shortcut(s))
                                .collect::<Vec<_>>()
                                .join(" or "),
                        );
                        ui.end_row();
                    }
                }
            });
        });
}
