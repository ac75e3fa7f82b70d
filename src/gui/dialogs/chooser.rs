//! The in-app chooser, for systems where the native dialog cannot be shown (no desktop portal,
//! no zenity): a path field (Tab completes a name), the folders (and, for import/export, the
//! files) in it, Up and Open. Projects are marked. Enter takes the path, Esc cancels. To save a
//! file it has a file-name field (the format's extension added) and asks before replacing one.

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// A project or a folder of texts to open.
    Open,
    /// The import window's input: a file or a folder to read.
    Import,
    /// The export window's folder (a folder format): one that may not exist yet.
    ExportFolder,
    /// The export window's file: a folder and a file name, `extension` added when missing;
    /// an existing file is replaced only when the user says so.
    ExportFile { extension: String },
}

impl Purpose {
    fn title(&self) -> &'static str {
        match self {
            Self::Open => "Open a project or a folder of .txt files",
            Self::Import => "Choose the file or folder to import",
            Self::ExportFolder => "Choose the folder to export into",
            Self::ExportFile { .. } => "Save the export as",
        }
    }

    fn verb(&self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Import | Self::ExportFolder => "Choose",
            Self::ExportFile { .. } => "Save",
        }
    }

    fn lists_files(&self) -> bool {
        !matches!(self, Self::Open | Self::ExportFolder)
    }
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
    /// Saving a file: its name (in the folder `path`).
    pub file_name: String,
    /// Saving over this existing file was asked; waiting for the answer.
    replace: Option<PathBuf>,
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
            file_name: String::new(),
            replace: None,
        }
    }

    /// A chooser that saves a file: starts in `folder` with `name` in the file-name field.
    pub fn save_file(folder: &Path, name: &str, extension: &str, why: Option<String>) -> Self {
        let mut chooser = Self::new(
            folder,
            why,
            Purpose::ExportFile {
                extension: extension.to_owned(),
            },
        );
        chooser.file_name = name.to_owned();
        chooser
    }

    /// The file a save would write: the folder and the name, with the extension added.
    fn save_target(&self, extension: &str) -> PathBuf {
        let name = self.file_name.trim();
        let with_extension = if extension.is_empty()
            || Path::new(name)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case(extension))
        {
            name.to_owned()
        } else {
            format!("{name}.{extension}")
        };
        PathBuf::from(&self.path).join(with_extension)
    }

    fn listing(&mut self) -> &Listing {
        if self.listing.as_ref().is_none_or(|(p, _)| *p != self.path) {
            self.listing = None;
        }
        let path = self.path.clone();
        let files = self.purpose.lists_files();
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
            ui.heading(self.purpose.title());
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
                    if let Ok(entries) = list_entries(parent, self.purpose.lists_files()) {
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
            if let Purpose::ExportFile { extension } = &self.purpose {
                let label = ui.label(format!("File name (.{extension})"));
                let name = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.file_name)
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                if name.changed() {
                    self.replace = None;
                }
                if name.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    open_path = Some(PathBuf::from(&self.path));
                }
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
                let entered = dir.join(&name);
                if matches!(self.purpose, Purpose::ExportFile { .. }) && !entered.is_dir() {
                    // A file clicked while saving: its name, to replace it.
                    self.path = dir.display().to_string();
                    self.file_name = name;
                    self.replace = None;
                } else {
                    self.path = entered.display().to_string();
                }
            }
            if let Some(target) = &self.replace {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("{} exists. Replace it?", target.display()),
                );
            }
            ui.horizontal(|ui| {
                let verb = if self.replace.is_some() {
                    "Replace"
                } else {
                    self.purpose.verb()
                };
                if ui.button(verb).clicked() {
                    open_path = Some(PathBuf::from(&self.path));
                }
                if ui.button("Cancel").clicked() {
                    cancel = true;
                }
            });
        });
        if let Some(path) = open_path
            && let Some(chosen) = self.take(path)
        {
            actions.push(chosen);
            return false;
        }
        !cancel && !super::closed_by_user(&modal)
    }

    /// What choosing `path` does: the action to push, or `None` with the reason (or the
    /// question) shown in the dialog.
    fn take(&mut self, path: PathBuf) -> Option<Action> {
        match &self.purpose {
            Purpose::Open if path.is_dir() => return Some(Action::OpenPath(path, None)),
            Purpose::Open => self.why = Some(format!("No such folder: {}", path.display())),
            Purpose::Import if path.exists() => return Some(Action::SetInterchangePath(path)),
            Purpose::Import => self.why = Some(format!("Nothing at {}", path.display())),
            // A folder to write into may not exist yet; where it would go must.
            Purpose::ExportFolder if path.is_file() => {
                self.why = Some(format!(
                    "{} is a file; this format writes a folder",
                    path.display()
                ));
            }
            Purpose::ExportFolder if path.is_dir() || path.parent().is_some_and(Path::is_dir) => {
                return Some(Action::SetInterchangePath(path));
            }
            Purpose::ExportFolder => {
                self.why = Some(format!("No such folder: {}", path.display()));
            }
            Purpose::ExportFile { extension } => {
                if !path.is_dir() {
                    self.why = Some(format!("No such folder: {}", path.display()));
                    return None;
                }
                if self.file_name.trim().is_empty() {
                    self.why = Some("Type a file name.".to_owned());
                    return None;
                }
                let target = self.save_target(&extension.clone());
                if target.is_dir() {
                    self.why = Some(format!("{} is a folder", target.display()));
                    return None;
                }
                if target.exists() && self.replace.as_ref() != Some(&target) {
                    self.replace = Some(target); // asked; a second press replaces
                    return None;
                }
                return Some(Action::SetInterchangePath(target));
            }
        }
        None
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

impl super::Dialog for FolderChooser {
    fn urgency(&self) -> u8 {
        40
    }

    fn show(&mut self, ctx: &egui::Context, fc: &mut crate::gui::state::FrameCtx) -> bool {
        self.ui(ctx, fc.actions)
    }
}
