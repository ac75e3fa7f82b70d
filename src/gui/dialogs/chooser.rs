//! The in-app chooser, for systems where the native dialog cannot be shown (no desktop portal,
//! no zenity): a path field (Tab completes a name), the folders (and, for import/export, the
//! files) in it, Up and Open. Projects are marked. Enter takes the path, Esc cancels.

use std::path::{Path, PathBuf};

use egui::RichText;

use crate::gui::action::{Action, ActionQueue};

/// The entries of a folder: (name, is a folder, is a tagdesk project), or why they cannot be
/// listed.
type Listing = Result<Vec<Entry>, String>;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    /// Folders first.
    is_file: bool,
    name: String,
    is_project: bool,
}

/// What the chosen path is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A project or a folder of texts to open.
    Open,
    /// The import/export window's path (a file or a folder; for export, one that may not
    /// exist yet).
    Interchange,
}

#[derive(Debug)]
pub struct FolderChooser {
    pub path: String,
    /// Why this stands in for the system's dialog.
    why: Option<String>,
    /// The folders in `path`, read when it changes: (name, is a project).
    listing: Option<(String, Listing)>,
    focus: bool,
    purpose: Purpose,
}

fn list_entries(dir: &Path, files: bool) -> Listing {
    let mut entries: Vec<Entry> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| {
            let path = e.path();
            Entry {
                is_file: !path.is_dir(),
                name: e.file_name().to_string_lossy().into_owned(),
                is_project: path.is_dir() && crate::core::Project::is_project(&path),
            }
        })
        .filter(|e| !e.name.starts_with('.') && (files || !e.is_file))
        .collect();
    entries.sort();
    Ok(entries)
}

impl FolderChooser {
    pub fn new(start: &Path, why: Option<String>, purpose: Purpose) -> Self {
        Self {
            path: start.display().to_string(),
            why,
            listing: None,
            focus: true,
            purpose,
        }
    }

    fn listing(&mut self) -> &Listing {
        if self.listing.as_ref().is_none_or(|(p, _)| *p != self.path) {
            self.listing = None;
        }
        let path = self.path.clone();
        let files = self.purpose == Purpose::Interchange;
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
                (path.clone(), list_entries(&shown, files))
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
                    let files = self.purpose == Purpose::Interchange;
                    if let Ok(entries) = list_entries(parent, files) {
                        let fits: Vec<&Entry> = entries
                            .iter()
                            .filter(|e| e.name.starts_with(&stem))
                            .collect();
                        if let [entry] = fits.as_slice() {
                            self.path = parent.join(&entry.name).display().to_string();
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
                    Ok(entries) if entries.is_empty() => {
                        ui.label(RichText::new("Nothing here.").weak());
                    }
                    Ok(entries) => {
                        for entry in entries {
                            let name = &entry.name;
                            let text = match (entry.is_file, entry.is_project) {
                                (true, _) => name.clone(),
                                (false, true) => format!("{name}/   · tagdesk project"),
                                (false, false) => format!("{name}/"),
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
            let verb = match self.purpose {
                Purpose::Open => "Open",
                Purpose::Interchange => "Choose",
            };
            ui.horizontal(|ui| {
                if ui.button(verb).clicked() {
                    open_path = Some(PathBuf::from(&self.path));
                }
                if ui.button("Cancel").clicked() {
                    cancel = true;
                }
            });
        });
        if let Some(path) = open_path {
            match self.purpose {
                Purpose::Open if path.is_dir() => {
                    actions.push(Action::OpenPath(path, None));
                    return false;
                }
                Purpose::Open => self.why = Some(format!("No such folder: {}", path.display())),
                // A file to write may not exist yet; its folder must.
                Purpose::Interchange
                    if path.exists() || path.parent().is_some_and(Path::is_dir) =>
                {
                    actions.push(Action::SetInterchangePath(path));
                    return false;
                }
                Purpose::Interchange => {
                    self.why = Some(format!("No such folder: {}", path.display()));
                }
            }
        }
        !cancel && !super::closed_by_user(&modal)
    }
}

/// Why the system's folder dialog cannot be shown here, if it cannot: on Linux rfd needs the
/// desktop portal (a desktop session) or zenity.
pub fn native_dialog_missing() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let desktop = std::env::var_os("XDG_CURRENT_DESKTOP").is_some_and(|v| !v.is_empty());
    let zenity = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join("zenity").is_file()));
    (!desktop && !zenity).then(|| {
        "This system has no file dialog (no desktop portal, no zenity): choose here.".to_owned()
    })
}
