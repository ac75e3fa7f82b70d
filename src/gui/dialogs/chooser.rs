//! The in-app folder chooser, for systems where the native dialog cannot be shown (no desktop
//! portal, no zenity): a path field (Tab completes a folder name), the folders in it, Up and
//! Open. Projects are marked. Enter opens, Esc cancels.

use std::path::{Path, PathBuf};

use egui::RichText;

use crate::gui::action::{Action, ActionQueue};

/// The folders in a folder: (name, is a tagdesk project), or why they cannot be listed.
type Listing = Result<Vec<(String, bool)>, String>;

#[derive(Debug)]
pub struct FolderChooser {
    pub path: String,
    /// Why this stands in for the system's dialog.
    why: Option<String>,
    /// The folders in `path`, read when it changes: (name, is a project).
    listing: Option<(String, Listing)>,
    focus: bool,
}

fn list_folders(dir: &Path) -> Result<Vec<(String, bool)>, String> {
    let mut folders: Vec<(String, bool)> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, crate::core::Project::is_project(&e.path()))
        })
        .filter(|(name, _)| !name.starts_with('.'))
        .collect();
    folders.sort();
    Ok(folders)
}

impl FolderChooser {
    pub fn new(start: &Path, why: Option<String>) -> Self {
        Self {
            path: start.display().to_string(),
            why,
            listing: None,
            focus: true,
        }
    }

    fn listing(&mut self) -> &Listing {
        if self.listing.as_ref().is_none_or(|(p, _)| *p != self.path) {
            self.listing = None;
        }
        let path = self.path.clone();
        &self
            .listing
            .get_or_insert_with(|| {
                let dir = PathBuf::from(&path);
                // A half-typed name lists its parent folder.
                let shown = if dir.is_dir() {
                    dir
                } else {
                    dir.parent().map(Path::to_owned).unwrap_or(dir)
                };
                (path.clone(), list_folders(&shown))
            })
            .1
    }

    /// Draws the chooser; `false` once it is done (a folder opened, or cancelled).
    pub fn ui(&mut self, ctx: &egui::Context, actions: &mut ActionQueue) -> bool {
        let mut open_path: Option<PathBuf> = None;
        let mut cancel = false;
        let modal = egui::Modal::new(egui::Id::unique("folder_chooser")).show(ctx, |ui| {
            ui.set_width(520.0_f32.min(ctx.content_rect().width() - 60.0));
            ui.heading("Open a project or a folder of .txt files");
            if let Some(why) = &self.why {
                ui.label(RichText::new(why).color(ui.visuals().warn_fg_color));
            }
            let label = ui.label("Folder");
            let response = ui
                .add(egui::TextEdit::singleline(&mut self.path).desired_width(f32::INFINITY))
                .labelled_by(label.id);
            if std::mem::take(&mut self.focus) {
                response.request_focus();
            }
            // Tab completes the typed name to the only folder that starts with it.
            if response.has_focus()
                && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Tab))
            {
                let typed = PathBuf::from(&self.path);
                if let (Some(parent), Some(stem)) = (typed.parent(), typed.file_name()) {
                    let stem = stem.to_string_lossy().into_owned();
                    if let Ok(folders) = list_folders(parent) {
                        let fits: Vec<&(String, bool)> = folders
                            .iter()
                            .filter(|(n, _)| n.starts_with(&stem))
                            .collect();
                        if let [(name, _)] = fits.as_slice() {
                            self.path = parent.join(name).display().to_string();
                        }
                    }
                }
                self.focus = true;
            }
            if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                open_path = Some(PathBuf::from(&self.path));
            }
            ui.horizontal(|ui| {
                let dir = PathBuf::from(&self.path);
                if ui
                    .add_enabled(dir.parent().is_some(), egui::Button::new("Up one folder"))
                    .clicked()
                    && let Some(parent) = dir.parent()
                {
                    self.path = parent.display().to_string();
                }
                if ui.button("Home").clicked()
                    && let Some(home) = std::env::var_os("HOME")
                {
                    self.path = PathBuf::from(home).display().to_string();
                }
            });
            let base = PathBuf::from(&self.path);
            let mut enter = None;
            egui::ScrollArea::vertical()
                .max_height(260.0)
                .auto_shrink([false, true])
                .show(ui, |ui| match self.listing() {
                    Err(err) => {
                        ui.colored_label(ui.visuals().error_fg_color, err.clone());
                    }
                    Ok(folders) if folders.is_empty() => {
                        ui.label(RichText::new("No folders here.").weak());
                    }
                    Ok(folders) => {
                        for (name, is_project) in folders {
                            let text = if *is_project {
                                format!("{name}/   · tagdesk project")
                            } else {
                                format!("{name}/")
                            };
                            if ui.selectable_label(false, text).clicked() {
                                enter = Some(name.clone());
                            }
                        }
                    }
                });
            if let Some(name) = enter {
                let dir = if base.is_dir() {
                    base
                } else {
                    base.parent().map(Path::to_owned).unwrap_or(base)
                };
                self.path = dir.join(name).display().to_string();
            }
            ui.horizontal(|ui| {
                if ui.button("Open").clicked() {
                    open_path = Some(PathBuf::from(&self.path));
                }
                if ui.button("Cancel").clicked() {
                    cancel = true;
                }
            });
        });
        if let Some(path) = open_path {
            if path.is_dir() {
                actions.push(Action::OpenPath(path, None));
                return false;
            }
            self.why = Some(format!("No such folder: {}", path.display()));
        }
        !cancel && !super::closed_by_user(&modal)
    }
}
