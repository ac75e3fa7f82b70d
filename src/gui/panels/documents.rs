//! The documents panel (left): the project's documents by title (the metadata's, else the
//! text's first line) with their date, annotation count and status for the current annotator,
//! the file name on hover; sorted by file name, title, date or status; a click opens one.

use std::fmt::Write as _;

use egui::RichText;

use crate::core::{DocStatus, LayerKey};
use crate::gui::action::Action;
use crate::gui::action::DocProbe;
use crate::gui::state::FrameCtx;

/// How the list is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DocSort {
    /// By file name (as the source folder lists them).
    #[default]
    Name,
    Title,
    /// Oldest first; undated documents last.
    Date,
    /// New, then in progress, then done.
    Status,
}

impl DocSort {
    const ALL: [Self; 4] = [Self::Name, Self::Title, Self::Date, Self::Status];

    fn title(self) -> &'static str {
        match self {
            Self::Name => "file name",
            Self::Title => "title",
            Self::Date => "date",
            Self::Status => "status",
        }
    }
}

/// The documents panel's own state: the sort, and the order it gives (made again only when
/// what it depends on changes).
#[derive(Default)]
pub struct DocumentsPanel {
    pub sort: DocSort,
    order: Option<(u64, Vec<usize>)>,
}

/// A document's title as the list shows it: the metadata's, else its first line (once read),
/// else its file name.
pub fn title_of<'a>(
    ws: &'a crate::core::Workspace,
    probes: &'a std::collections::HashMap<String, DocProbe, impl std::hash::BuildHasher>,
    path: &'a str,
) -> &'a str {
    ws.project()
        .metadata
        .get(path)
        .map(|m| m.title.as_str())
        .filter(|t| !t.is_empty())
        .or_else(|| match probes.get(path) {
            Some(DocProbe::Ok { first_line, .. }) if !first_line.is_empty() => {
                Some(first_line.as_str())
            }
            _ => None,
        })
        .unwrap_or(path)
}

impl DocumentsPanel {
    /// The documents' indices in the chosen order.
    fn order(&mut self, session: &crate::gui::session::Session, annotator: &str) -> &[usize] {
        use std::hash::{Hash as _, Hasher as _};
        let ws = &session.ws;
        let docs = &ws.project().documents;
        let status = |path: &str| {
            ws.project()
                .layers
                .get(&LayerKey::new(path.to_owned(), annotator))
                .map_or(DocStatus::New, |l| l.status)
        };
        // What the order depends on: the list, what is known of titles and dates, and (for
        // the status sort) each document's status.
        let mut hasher = rustc_hash::FxHasher::default();
        (self.sort, docs.len(), session.probes.len()).hash(&mut hasher);
        ws.project().metadata.documents().len().hash(&mut hasher);
        if self.sort == DocSort::Status {
            for d in docs {
                status(&d.path).as_str().hash(&mut hasher);
            }
        }
        let key = hasher.finish();
        if self.order.as_ref().is_none_or(|(k, _)| *k != key) {
            let mut order: Vec<usize> = (0..docs.len()).collect();
            match self.sort {
                DocSort::Name => {}
                DocSort::Title => order.sort_by_cached_key(|i| {
                    title_of(ws, &session.probes, &docs[*i].path).to_lowercase()
                }),
                DocSort::Date => order.sort_by_cached_key(|i| {
                    let date = ws
                        .project()
                        .metadata
                        .get(&docs[*i].path)
                        .and_then(crate::core::metadata::DocumentMeta::ymd);
                    (date.is_none(), date)
                }),
                DocSort::Status => order.sort_by_key(|i| match status(&docs[*i].path) {
                    DocStatus::New => 0,
                    DocStatus::InProgress => 1,
                    DocStatus::Done => 2,
                }),
            }
            self.order = Some((key, order));
        }
        self.order.as_ref().map_or(&[], |(_, o)| o.as_slice())
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx) {
        egui::Panel::left("documents")
            .resizable(true)
            .default_size(260.0)
            .min_size(160.0)
            .show(ui, |ui| {
                let Some(session) = fc.session else {
                    ui.label("No project open.");
                    return;
                };
                let ws = &session.ws;
                let annotator = fc.prefs.annotator.as_str();
                let current = fc.state.current_doc.as_deref();
                ui.heading(ws.project().name());
                ui.label(
                    RichText::new(crate::gui::count(
                        ws.project().documents.len(),
                        "document",
                        "documents",
                    ))
                    .weak(),
                );
                // The list is usable at once; every file is read in the background to flag
                // the unusable ones.
                let total = ws.project().documents.len();
                let checked = session.probes.len().min(total);
                if session.probing.is_some() && checked < total {
                    #[expect(clippy::cast_precision_loss)]
                    let fraction = checked as f32 / total as f32;
                    ui.add(
                        egui::ProgressBar::new(fraction)
                            .desired_height(14.0)
                            .text(format!("reading {checked} of {total}")),
                    )
                    .on_hover_text("Each file is read in the background to find unusable ones");
                } else {
                    let unusable = session
                        .probes
                        .values()
                        .filter(|p| matches!(p, DocProbe::Unusable(_)))
                        .count();
                    if unusable > 0 {
                        ui.label(
                            RichText::new(format!("{unusable} cannot be opened"))
                                .color(ui.visuals().warn_fg_color),
                        );
                    }
                }
                ui.horizontal(|ui| {
                    let label = ui.label("Sort by");
                    egui::ComboBox::from_id_salt("documents_sort")
                        .selected_text(self.sort.title())
                        .show_ui(ui, |ui| {
                            for sort in DocSort::ALL {
                                ui.selectable_value(&mut self.sort, sort, sort.title());
                            }
                        })
                        .response
                        .labelled_by(label.id);
                });
                ui.separator();
                // Two lines a document: its title, then date · count · status.
                let row_height = ui.text_style_height(&egui::TextStyle::Body)
                    + ui.text_style_height(&egui::TextStyle::Small)
                    + 10.0;
                let orphans: Vec<String> = ws
                    .project()
                    .orphaned_layers()
                    .into_iter()
                    .filter(|k| k.annotator == annotator)
                    .map(|k| k.document.clone())
                    .collect();
                if !orphans.is_empty() {
                    ui.label(
                        RichText::new("Missing from the source folder (annotations kept):")
                            .color(ui.visuals().warn_fg_color),
                    );
                    for doc in orphans {
                        let selected = current == Some(doc.as_str());
                        if ui
                            .add(
                                egui::Button::selectable(selected, format!("{doc} (missing)"))
                                    .truncate(),
                            )
                            .clicked()
                        {
                            fc.actions.push(Action::SelectDocument(doc));
                        }
                    }
                    ui.separator();
                }
                let docs = &ws.project().documents;
                let order = self.order(session, annotator).to_vec();
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show_rows(ui, row_height, order.len(), |ui, rows| {
                        for doc in order[rows].iter().filter_map(|i| docs.get(*i)) {
                            let key = LayerKey::new(doc.path.clone(), annotator);
                            let layer = ws.project().layers.get(&key);
                            let count = layer.map_or(0, crate::core::AnnotationLayer::len);
                            // Colleagues' work on it (and the curated layer's), so a project
                            // annotated by others never looks empty.
                            let others: Vec<(&str, usize)> = ws
                                .project()
                                .layers_of(&doc.path)
                                .filter(|(a, l)| *a != annotator && !l.is_empty())
                                .map(|(a, l)| (a, l.len()))
                                .collect();
                            let others_total: usize = others.iter().map(|(_, n)| n).sum();
                            let (status, weak) = match session.probes.get(&doc.path) {
                                Some(DocProbe::Unusable(reason)) => (reason.clone(), true),
                                _ if ws.project().is_locked(&key) => {
                                    ("annotation file unreadable".to_owned(), true)
                                }
                                _ => (
                                    layer
                                        .map_or(DocStatus::New, |l| l.status)
                                        .as_str()
                                        .to_owned(),
                                    false,
                                ),
                            };
                            let dirty = if ws.dirty_layers().contains(&key) {
                                " •"
                            } else {
                                ""
                            };
                            let selected = current == Some(doc.path.as_str());
                            // (Right-to-left titles in visual order: egui lays out left to right.)
                            let title = crate::gui::bidi::for_egui(title_of(
                                ws,
                                &session.probes,
                                &doc.path,
                            ));
                            let date = ws
                                .project()
                                .metadata
                                .get(&doc.path)
                                .map(|m| m.date.as_str())
                                .filter(|d| !d.is_empty());
                            let mut info = date.map(|d| format!("{d} · ")).unwrap_or_default();
                            let _ = write!(info, "{count} · {status}");
                            if others_total > 0 {
                                let _ = write!(info, " · +{others_total}");
                            }
                            let info = RichText::new(info).small();
                            let info = if weak {
                                info.color(ui.visuals().warn_fg_color)
                            } else {
                                info.weak()
                            };
                            let response = ui
                                .vertical(|ui| {
                                    let button = ui.add(
                                        egui::Button::selectable(
                                            selected,
                                            format!("{title}{dirty}"),
                                        )
                                        .truncate(),
                                    );
                                    ui.add(egui::Label::new(info).truncate());
                                    button
                                })
                                .inner;
                            let response = if let Some(DocProbe::Unusable(reason)) =
                                session.probes.get(&doc.path)
                            {
                                response.on_hover_text(format!(
                                    "{}: cannot be opened: {reason}",
                                    doc.path
                                ))
                            } else {
                                let mut hover = format!(
                                    "{title}\n{}\nyou ({annotator}): {count} · {status}",
                                    doc.path
                                );
                                for (who, n) in &others {
                                    let who = if *who == crate::core::review::CURATED {
                                        "curated"
                                    } else {
                                        who
                                    };
                                    let _ = write!(hover, "\n{who}: {n}");
                                }
                                response.on_hover_text(hover)
                            };
                            if response.clicked() {
                                fc.actions.push(Action::SelectDocument(doc.path.clone()));
                            }
                        }
                    });
            });
    }
}
