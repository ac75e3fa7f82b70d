//! Exporting from the Network window: the network as drawn (same filters, same weights) in the
//! CLI's formats — `GraphML`, GEXF, Gephi's node and edge tables, UCINET DL — or the picture as
//! SVG (drawn from the same positions and colours) or PNG (the window's own pixels). Files are
//! written atomically on a thread; an existing file is replaced only when asked.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use egui::Rect;

use crate::core::network::{picture, write};
use crate::gui::action::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Graphml,
    Gexf,
    Nodes,
    Edges,
    Dl,
    Events,
    Svg,
    Png,
}

impl Kind {
    const ALL: [Self; 8] = [
        Self::Graphml,
        Self::Gexf,
        Self::Nodes,
        Self::Edges,
        Self::Dl,
        Self::Events,
        Self::Svg,
        Self::Png,
    ];

    fn title(self) -> &'static str {
        match self {
            Self::Graphml => "GraphML (Gephi, networkx, igraph)",
            Self::Gexf => "GEXF (Gephi)",
            Self::Nodes => "Node table (CSV)",
            Self::Edges => "Edge table (CSV)",
            Self::Dl => "UCINET DL",
            Self::Events => "Statements and conflicts (events CSV)",
            Self::Svg => "Picture (SVG)",
            Self::Png => "Picture (PNG)",
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            Self::Graphml => "network.graphml",
            Self::Gexf => "network.gexf",
            Self::Nodes => "network-nodes.csv",
            Self::Edges => "network-edges.csv",
            Self::Dl => "network.dl",
            Self::Events => "network-events.csv",
            Self::Svg => "network.svg",
            Self::Png => "network.png",
        }
    }
}

enum Message {
    Written(Result<PathBuf, String>),
    Picked(PathBuf),
}

pub struct Export {
    kind: Kind,
    pub path: String,
    /// The project's folder and source folder: nothing is written inside them.
    project_folders: (PathBuf, PathBuf),
    /// Where the picture was drawn in the latest frame (for PNG). Shared with the screenshot
    /// callback, which runs after the frame it captured: the layout may have moved since the
    /// request (a spinner, a message), so it reads the place then.
    pub picture_rect: Arc<Mutex<Option<Rect>>>,
    /// The user was told this file exists; the next click replaces it.
    replace: Option<PathBuf>,
    /// A file being written (text formats; a PNG comes from a screenshot).
    writing: Option<crate::gui::jobs::Task<Result<PathBuf, String>>>,
    running: bool,
    outcome: Option<Result<String, String>>,
    tx: Sender<Message>,
    rx: Receiver<Message>,
}

impl Export {
    pub fn new(ws: &crate::core::Workspace) -> Self {
        let (tx, rx) = channel();
        let kind = Kind::Graphml;
        Self {
            kind,
            // Beside the project, never in it (an export there is refused).
            path: crate::formats::export::beside_project(
                &ws.project().root,
                &format!(
                    "{}-{}",
                    crate::formats::export::folder_name(&ws.project().root),
                    kind.file_name()
                ),
            )
            .display()
            .to_string(),
            project_folders: (ws.project().root.clone(), ws.project().source_dir.clone()),
            picture_rect: Arc::default(),
            writing: None,
            replace: None,
            running: false,
            outcome: None,
            tx,
            rx,
        }
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, drawn: &super::Drawn, actions: &mut Vec<Action>) {
        // A write that panicked ends as an error, never as "running" forever.
        if let Some(result) = self.writing.as_mut().and_then(crate::gui::jobs::Task::poll) {
            self.writing = None;
            let result = result.unwrap_or_else(|e| Err(format!("Writing the network failed: {e}")));
            let _ = self.tx.send(Message::Written(result));
        }
        while let Ok(message) = self.rx.try_recv() {
            match message {
                Message::Written(result) => {
                    self.running = false;
                    self.outcome = Some(match result {
                        Ok(path) => {
                            actions.push(Action::Say {
                                text: format!("Network written to {}", path.display()),
                                is_error: false,
                            });
                            Ok(format!("Written to {}", path.display()))
                        }
                        Err(e) => Err(e),
                    });
                }
                Message::Picked(path) => self.path = path.display().to_string(),
            }
        }
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Export");
            let before = self.kind;
            egui::ComboBox::from_id_salt("network_export_kind")
                .width(250.0)
                .selected_text(self.kind.title())
                .show_ui(ui, |ui| {
                    for kind in Kind::ALL {
                        ui.selectable_value(&mut self.kind, kind, kind.title());
                    }
                })
                .response
                .labelled_by(label.id);
            if self.kind != before {
                let path = PathBuf::from(self.path.trim());
                let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
                // "syria-talks-network.graphml" becomes "syria-talks-network.svg".
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .and_then(|n| {
                        n.strip_suffix(before.file_name())
                            .map(|prefix| format!("{prefix}{}", self.kind.file_name()))
                    })
                    .unwrap_or_else(|| self.kind.file_name().to_owned());
                self.path = folder.join(name).display().to_string();
            }
            let field = ui.add(
                egui::TextEdit::singleline(&mut self.path)
                    .desired_width(ui.available_width().clamp(120.0, 260.0)),
            );
            if field.changed() {
                self.replace = None;
            }
            if crate::gui::dialogs::chooser::native_dialog_missing().is_none()
                && ui.button("Browse…").clicked()
            {
                self.browse(ui.ctx());
            }
            let path = PathBuf::from(self.path.trim());
            let exists = path.exists();
            let confirmed = self.replace.as_ref() == Some(&path);
            let button = if exists && confirmed {
                "Replace"
            } else {
                "Write"
            };
            if ui
                .add_enabled(
                    !self.running && !self.path.trim().is_empty(),
                    egui::Button::new(button),
                )
                .clicked()
            {
                let (root, sources) = &self.project_folders;
                let name = path
                    .file_name()
                    .map_or_else(|| self.kind.file_name().into(), |n| n.to_string_lossy());
                if let Err(why) = crate::formats::export::check_outside(root, sources, &path, &name)
                {
                    self.outcome = Some(Err(why));
                } else if exists && !confirmed {
                    self.replace = Some(path);
                    self.outcome = Some(Err(format!(
                        "{} exists. Click Replace to write over it.",
                        self.path.trim()
                    )));
                } else {
                    self.replace = None;
                    self.outcome = None;
                    self.write(ui.ctx(), path, drawn);
                }
            }
            if self.running {
                ui.spinner();
            }
        });
        match &self.outcome {
            Some(Ok(text)) => {
                ui.label(egui::RichText::new(text).weak());
            }
            Some(Err(text)) => {
                ui.colored_label(ui.visuals().warn_fg_color, text);
            }
            None => {}
        }
    }

    fn browse(&self, ctx: &egui::Context) {
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let path = PathBuf::from(self.path.trim());
        let _ = crate::core::job::spawn("tagdesk-dialog", move || {
            let mut dialog = rfd::FileDialog::new();
            if let Some(folder) = path.parent() {
                dialog = dialog.set_directory(folder);
            }
            if let Some(name) = path.file_name() {
                dialog = dialog.set_file_name(name.to_string_lossy());
            }
            if let Some(picked) = dialog.save_file() {
                let _ = tx.send(Message::Picked(picked));
                ctx.request_repaint();
            }
        });
    }

    fn write(&mut self, ctx: &egui::Context, path: PathBuf, drawn: &super::Drawn) {
        let (network, positions) = (&drawn.network, &drawn.positions);
        let tx = self.tx.clone();
        let repaint = ctx.clone();
        self.running = true;
        if self.kind == Kind::Png {
            let place = Arc::clone(&self.picture_rect);
            let pixels_per_point = ctx.pixels_per_point();
            ctx.request_screenshot(move |image| {
                let rect = place.lock().ok().and_then(|r| *r);
                let result = rect
                    .ok_or_else(|| "The picture is not on screen.".to_owned())
                    .map(|rect| image.region(&rect, Some(pixels_per_point)))
                    .and_then(|region| encode_png(&region))
                    .and_then(|bytes| {
                        crate::core::project::write_atomic(&path, &bytes)
                            .map_err(|e| format!("Cannot write {}: {e}", path.display()))
                    })
                    .map(|()| path);
                let _ = tx.send(Message::Written(result));
                repaint.request_repaint();
            });
            ctx.request_repaint();
            return;
        }
        let text = match self.kind {
            Kind::Graphml => write::graphml(network),
            Kind::Gexf => write::gexf(Some(network), &[]),
            Kind::Nodes => write::csv_nodes(network),
            Kind::Edges => write::csv_edges(network),
            Kind::Dl => write::ucinet_dl(&network.matrix, network.one_mode),
            Kind::Events => write::events_csv(&drawn.statements, &drawn.conflicts),
            Kind::Svg => picture::svg(network, positions, 1200.0, 900.0),
            Kind::Png => String::new(),
        };
        self.writing = Some(crate::gui::jobs::Task::spawn(
            ctx,
            "tagdesk-network-export",
            move || {
                crate::core::project::write_atomic(&path, text.as_bytes())
                    .map_err(|e| format!("Cannot write {}: {e}", path.display()))
                    .map(|()| path)
            },
        ));
    }
}

/// An image as PNG bytes (RGBA, 8 bits).
pub fn encode_png(image: &egui::ColorImage) -> Result<Vec<u8>, String> {
    let [w, h] = image.size;
    let (Ok(w), Ok(h)) = (u32::try_from(w), u32::try_from(h)) else {
        return Err("The picture is too large.".to_owned());
    };
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(image.as_raw()))
        .map_err(|e| format!("Cannot encode the picture: {e}"))?;
    Ok(bytes)
}
