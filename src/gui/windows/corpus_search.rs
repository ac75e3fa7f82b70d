//! Edit → Search all documents (Ctrl+Shift+F): a regex or literal search over every source text,
//! run on worker threads by [`crate::core::search::search_corpus`]; hits stream into the list
//! document by document while the window stays responsive, and a click opens the document with
//! the match selected (so a label key tags it at once).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};

use egui::RichText;

use crate::core::Workspace;
use crate::core::search::{Hit, Query, SearchEvent, SearchSummary, search_corpus};

/// Most hits one search lists.
pub const MAX_HITS: usize = 100_000;

#[derive(Default)]
pub struct CorpusSearch {
    pub query: Query,
    pub focus: bool,
    pub hits: Vec<Hit>,
    /// Documents that could not be read, and why.
    pub unreadable: Vec<(String, String)>,
    /// Documents searched so far (of `total`).
    pub searched: usize,
    pub total: usize,
    pub summary: Option<SearchSummary>,
    /// The search stopped because its job failed: why.
    pub failed: Option<String>,
    pub error: Option<String>,
    job: Option<Job>,
    /// The label "Label all matches as" uses.
    pub label: String,
    /// "Label all": the preview of what it would add.
    pub preview: Option<super::label_all::Preview>,
    /// Search only this document (the find bar's "Label all…").
    pub scope: Option<String>,
    /// Open the "Label all" preview as soon as the search is done.
    pub preview_when_done: bool,
}

struct Job {
    events: Receiver<SearchEvent>,
    cancel: Arc<AtomicBool>,
    /// The search's thread: a panic there ends the search with a message, not a bar that
    /// never fills.
    task: crate::gui::jobs::Task<()>,
}

/// What the user picked.
pub enum Picked {
    /// Open this document with this range selected.
    Open {
        document: String,
        range: std::ops::Range<usize>,
    },
    /// Label these places (one step).
    Annotate {
        label: String,
        places: Vec<(String, std::ops::Range<usize>)>,
    },
}

impl CorpusSearch {
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// Starts a search on a thread (stopping one under way).
    pub fn start(&mut self, ctx: &egui::Context, ws: &Workspace) {
        self.stop();
        self.hits.clear();
        self.unreadable.clear();
        self.summary = None;
        self.failed = None;
        self.searched = 0;
        let pattern = match self.query.compile() {
            Ok(p) => p,
            Err(e) => {
                self.error = Some(e);
                return;
            }
        };
        self.error = None;
        let documents: Vec<(String, std::path::PathBuf)> = ws
            .project()
            .documents
            .iter()
            .filter(|d| self.scope.as_ref().is_none_or(|only| *only == d.path))
            .map(|d| (d.path.clone(), ws.project().document_file(&d.path)))
            .collect();
        self.total = documents.len();
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        let stop = Arc::clone(&cancel);
        let task = crate::gui::jobs::Task::spawn(&ctx.clone(), "tagdesk-search", move || {
            search_corpus(&documents, &pattern, MAX_HITS, &stop, &mut |event| {
                let _ = tx.send(event);
                ctx.request_repaint();
            });
        });
        self.job = Some(Job {
            events: rx,
            cancel,
            task,
        });
    }

    pub fn stop(&mut self) {
        if let Some(job) = self.job.take() {
            job.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Takes in what the worker found since the last frame.
    fn poll(&mut self) {
        let Some(job) = &mut self.job else { return };
        let mut done = false;
        while let Ok(event) = job.events.try_recv() {
            match event {
                SearchEvent::Searched(n) => self.searched = n,
                SearchEvent::Hits(hits) => self.hits.extend(hits),
                SearchEvent::Unreadable { document, message } => {
                    self.unreadable.push((document, message));
                }
                SearchEvent::Done(summary) => {
                    self.searched = summary.searched;
                    self.summary = Some(summary);
                    done = true;
                }
            }
        }
        if !done && let Some(Err(e)) = job.task.poll() {
            self.failed = Some(format!("The search failed: {e}"));
            done = true;
        }
        if done {
            self.job = None;
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, ws: &Workspace, annotator: &str) -> Option<Picked> {
        self.poll();
        if self.preview_when_done && (!self.hits.is_empty() || self.summary.is_some()) {
            // The find bar's "Label all": the preview opens with the first hits and fills.
            self.preview_when_done = false;
            self.preview = Some(super::label_all::Preview::new(
                ws,
                annotator,
                &self.label,
                &self.hits,
            ));
        }
        let mut run = false;
        if let Some(only) = self.scope.clone() {
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("In {only} only")).weak());
                if ui.small_button("Search all documents").clicked() {
                    self.scope = None;
                    self.preview = None;
                    run = true;
                }
            });
        }
        let searching = self.is_running();
        if let Some(preview) = &mut self.preview {
            if preview.rows.len() < self.hits.len() {
                preview.extend(ws, &self.hits[preview.rows.len()..]);
            }
            return match preview.ui(ui, searching) {
                Some(super::label_all::Outcome::Apply { label, places }) => {
                    self.preview = None;
                    Some(Picked::Annotate { label, places })
                }
                Some(super::label_all::Outcome::Cancel) => {
                    self.preview = None;
                    None
                }
                None => None,
            };
        }
        ui.horizontal(|ui| {
            let field = ui.add(
                egui::TextEdit::singleline(&mut self.query.pattern)
                    .hint_text("text or pattern")
                    .desired_width(280.0),
            );
            if self.focus {
                field.request_focus();
                self.focus = false;
            }
            run |= field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.checkbox(&mut self.query.regex, "Regex")
                .on_hover_text("Rust regex syntax, e.g. \\bLavrov\\b or Kerry|Lavrov");
            ui.checkbox(&mut self.query.case_sensitive, "Match case");
            run |= ui.button("Search").clicked();
            if self.is_running() && ui.button("Stop").clicked() {
                self.stop();
            }
        });
        if run {
            self.start(ui.ctx(), ws);
        }
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        ui.horizontal(|ui| {
            if self.is_running() {
                #[expect(clippy::cast_precision_loss)]
                let fraction = self.searched as f32 / self.total.max(1) as f32;
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(160.0)
                        .text(format!("{} of {}", self.searched, self.total)),
                );
                ui.label(format!("{} matches so far", self.hits.len()));
            } else if let Some(s) = &self.summary {
                let mut line = format!(
                    "{} in {}",
                    crate::gui::count(s.hits, "match", "matches"),
                    crate::gui::count(s.searched, "document", "documents")
                );
                if s.truncated {
                    line.push_str(" (listing the first ");
                    line.push_str(&MAX_HITS.to_string());
                    line.push(')');
                }
                if s.cancelled {
                    line.push_str(" (stopped)");
                }
                ui.label(line);
            }
            if let Some(failed) = &self.failed {
                ui.colored_label(ui.visuals().error_fg_color, failed);
            }
            if !self.unreadable.is_empty() {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "{} could not be read",
                        crate::gui::count(self.unreadable.len(), "document", "documents")
                    ),
                )
                .on_hover_text(
                    self.unreadable
                        .iter()
                        .map(|(d, m)| format!("{d}: {m}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
            }
        });
        if !self.hits.is_empty() {
            self.label_all_ui(ui, ws, annotator);
        }
        ui.separator();
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        let mut picked = None;
        egui::ScrollArea::both()
            .auto_shrink([false, false])
            .show_rows(ui, row_height, self.hits.len(), |ui, rows| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
                for hit in &self.hits[rows] {
                    ui.horizontal(|ui| {
                        let place = format!("{}:{}:{}", hit.document, hit.line, hit.column);
                        let clicked = ui
                            .add(egui::Button::new(RichText::new(place).monospace()).frame(false))
                            .on_hover_text("Open the document with the match selected")
                            .clicked();
                        // The line around the match as one piece of text, the match in bold.
                        let mut job = egui::text::LayoutJob::default();
                        let font = egui::TextStyle::Body.resolve(ui.style());
                        let weak = ui.visuals().weak_text_color();
                        let strong = ui.visuals().strong_text_color();
                        for (part, color) in [
                            (&hit.before, weak),
                            (&hit.matched, strong),
                            (&hit.after, weak),
                        ] {
                            job.append(part, 0.0, egui::TextFormat::simple(font.clone(), color));
                        }
                        let matched = crate::gui::bidi::job_label(ui, job, egui::Sense::click());
                        if clicked || matched.clicked() {
                            picked = Some(Picked::Open {
                                document: hit.document.clone(),
                                range: hit.range.clone(),
                            });
                        }
                    });
                }
            });
        picked
    }

    /// "Label all N matches as [label]": opens the preview.
    fn label_all_ui(&mut self, ui: &mut egui::Ui, ws: &Workspace, annotator: &str) {
        let labels = ws.project().schema().label_names();
        if !labels.contains(&self.label) {
            self.label = labels.first().cloned().unwrap_or_default();
        }
        ui.horizontal(|ui| {
            let open = ui
                .button(format!("Label all {} matches as", self.hits.len()))
                .on_hover_text("Shows every match first: tick the ones to label");
            egui::ComboBox::from_id_salt("label_all_label")
                .selected_text(&self.label)
                .show_ui(ui, |ui| {
                    for l in &labels {
                        ui.selectable_value(&mut self.label, l.clone(), l);
                    }
                });
            if open.clicked() && !self.label.is_empty() {
                self.preview = Some(super::label_all::Preview::new(
                    ws,
                    annotator,
                    &self.label,
                    &self.hits,
                ));
            }
        });
    }
}

impl super::Window for CorpusSearch {
    fn title(&self) -> &'static str {
        super::SEARCH
    }

    /// Bottom right, under half the height: a hit it opens is scrolled near the top of the
    /// text, so the window never covers the match it just selected.
    fn default_size(&self) -> Option<egui::Vec2> {
        None
    }

    fn frame<'a>(&self, window: egui::Window<'a>, screen: egui::Rect) -> egui::Window<'a> {
        window
            .pivot(egui::Align2::RIGHT_BOTTOM)
            .default_pos(screen.right_bottom() - egui::vec2(16.0, 40.0))
            .default_size([
                760.0_f32.min(screen.width() - 40.0),
                (screen.height() * 0.45).min(420.0),
            ])
    }

    fn show(&mut self, ui: &mut egui::Ui, fc: &mut crate::gui::state::FrameCtx) {
        let Some(ws) = fc.ws() else { return };
        let annotator = fc.layer_name().to_owned();
        match self.ui(ui, ws, &annotator) {
            Some(Picked::Open { document, range }) => {
                fc.actions
                    .push(crate::gui::action::Action::SelectDocument(document));
                fc.actions
                    .push(crate::gui::action::Action::SetSelection(Some(
                        range.clone(),
                    )));
                fc.actions
                    .push(crate::gui::action::Action::RevealChar(range.start));
            }
            Some(Picked::Annotate { label, places }) => {
                fc.actions.push(crate::gui::action::Action::AnnotateMany {
                    label,
                    entity: None,
                    places,
                });
            }
            None => {}
        }
    }

    fn closed(&mut self) {
        self.stop();
    }
}
