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

/// The programs tried, in turn, to open a file in the system's viewer.
pub const OPENERS: &[&[&str]] = &[
    &["xdg-open"],
    &["gio", "open"],
    &["sensible-browser"],
    &["x-www-browser"],
    &["open"],
    &["cmd", "/c", "start", ""],
];

/// Opens `path` with the first of `openers` that runs and succeeds; otherwise says which were
/// tried and where the file is (waits for each opener to exit: call it off the UI thread).
pub fn open_in_viewer(path: &std::path::Path, openers: &[&[&str]]) -> Result<(), String> {
    let mut tried = Vec::new();
    for opener in openers {
        let Some((program, args)) = opener.split_first() else {
            continue;
        };
        let status = std::process::Command::new(program)
            .args(args)
            .arg(path)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => return Ok(()),
            Ok(s) => tried.push(format!("{program} ({s})")),
            Err(_) => tried.push(format!("{program} (not installed)")),
        }
    }
    Err(format!(
        "No program could open the manual (tried {}). Open it yourself: {}",
        tried.join(", "),
        path.display()
    ))
}

/// Where the outcome of "Open the user manual" waits for the next frame.
fn opened_id() -> egui::Id {
    egui::Id::unique("keys_manual_opened")
}

pub fn ui(ui: &mut egui::Ui, ws: Option<&Workspace>) {
    if let Some(page) = manual_page() {
        // Opens in the system's viewer for Markdown (a browser or an editor), on a thread: an
        // opener may take a while, and one that fails must be heard of.
        if ui
            .button("Open the user manual")
            .on_hover_text(page.display().to_string())
            .clicked()
        {
            let ctx = ui.ctx().clone();
            let _ = crate::core::job::spawn("open-manual", move || {
                let outcome = open_in_viewer(page, OPENERS).err();
                ctx.data_mut(|d| d.insert_temp(opened_id(), outcome));
                ctx.request_repaint();
            });
        }
        if let Some(Some(problem)) = ui.data(|d| d.get_temp::<Option<String>>(opened_id())) {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(ui.visuals().warn_fg_color, &problem);
                if ui.button("Copy the path").clicked() {
                    ui.ctx().copy_text(page.display().to_string());
                }
            });
        }
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
                    for label in &ws.project().schema().labels {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manual_opens_with_the_first_opener_that_works_or_says_where_it_is() {
        let page = std::path::Path::new("/nowhere/manual/README.md");
        assert_eq!(
            open_in_viewer(page, &[&["no-such-opener-x"], &["true"]]),
            Ok(())
        );
        let err = open_in_viewer(page, &[&["no-such-opener-x"], &["false"]]).unwrap_err();
        assert!(err.contains("no-such-opener-x (not installed)"), "{err}");
        assert!(err.contains("false (exit status: 1)"), "{err}");
        assert!(err.ends_with("/nowhere/manual/README.md"), "{err}");
    }
}
