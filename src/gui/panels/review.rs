//! Review → Review and curate: a bottom panel that compares annotators' layers of the current
//! document (and the curated layer), lists every disagreement with each layer's version, and
//! lets the curator accept or reject them into the curated layer. Colleagues' layers are only
//! read here; every decision is an edit of the curated layer, one undo step each.
//!
//! The document view shows the disagreements as outlines coloured by kind (see [`marks`]).

use std::ops::Range;

use egui::{Color32, RichText};

use crate::core::review::{CURATED, Cluster, DiffKind, DocDiff, RelationDiff, diff_layers};
use crate::core::{AnnotationLayer, Workspace};
use crate::gui::action::{Action, Curate};
use crate::gui::state::FrameCtx;

/// Compared layers holding more spans than this (together) are compared on a thread: two
/// 100k-span layers take ~150 ms.
const COMPARE_HERE: usize = 20_000;

/// An outline the document view draws around a range.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub range: Range<usize>,
    pub color: Color32,
    pub strong: bool,
}

pub struct Review {
    /// Layers compared: annotators (and maybe the curated layer), in project order.
    pub compare: Vec<String>,
    /// Next/previous skips what the curator already decided.
    pub undecided_only: bool,
    /// Only the spans colleagues' work brought in the last sync (when the project is shared).
    pub since_sync: bool,
    /// The cluster last stepped to or clicked.
    pub focus: Option<Range<usize>>,
    /// The focus the list was last scrolled to (scrolled once, then the user scrolls).
    scrolled_to: Option<Range<usize>>,
    /// The diff of the current document, and what it was computed from.
    cache: Option<(CacheKey, DocDiff)>,
    /// A diff being computed on a thread, and what from.
    /// The comparison running on a thread: for which layers, its answer, and the pass it started
    /// in (its answer is taken in from the next pass on, so the pass that started it always
    /// shows "Comparing…", however fast the thread).
    job: Option<(CacheKey, crate::gui::jobs::Task<DocDiff>, u64)>,
    /// The comparison of these layers failed (its task panicked): why. Not tried again until
    /// the layers change.
    failed: Option<(CacheKey, String)>,
}

type CacheKey = (String, Vec<String>, Vec<(u64, usize, usize)>);

pub fn kind_color(kind: DiffKind) -> Color32 {
    match kind {
        DiffKind::Agree => Color32::from_rgb(89, 161, 79),
        DiffKind::Attributes => Color32::from_rgb(78, 121, 167),
        DiffKind::Extent => Color32::from_rgb(242, 142, 43),
        DiffKind::Label => Color32::from_rgb(225, 87, 89),
        DiffKind::Missing => Color32::from_rgb(176, 122, 161),
    }
}

impl Review {
    /// Compares every annotator of the project (not the curated layer) to start with.
    pub fn new(ws: &Workspace) -> Self {
        let compare = ws
            .project()
            .annotators()
            .into_iter()
            .filter(|a| a != CURATED)
            .collect();
        Self {
            compare,
            undecided_only: false,
            since_sync: false,
            focus: None,
            scrolled_to: None,
            cache: None,
            job: None,
            failed: None,
        }
    }

    /// The diff of `doc`, recomputed only when a compared layer (or the curated one) changed —
    /// on a thread when the layers are big; meanwhile the last diff of this document and these
    /// layers stands in (`None` if there is none yet).
    pub fn diff(&mut self, ctx: &egui::Context, ws: &Workspace, doc: &str) -> Option<&DocDiff> {
        let mut stamp: Vec<(u64, usize, usize)> = self
            .compare
            .iter()
            .chain(std::iter::once(&CURATED.to_owned()))
            .map(|a| {
                ws.layer(doc, a)
                    .map_or((0, 0, 0), |l| (l.revision(), l.len(), l.rejections().len()))
            })
            .collect();
        stamp.push((0, self.compare.len(), 0));
        let key: CacheKey = (doc.to_owned(), self.compare.clone(), stamp);
        if let Some((job_key, task, started)) = &mut self.job
            && *started < ctx.cumulative_pass_nr()
            && let Some(result) = task.poll()
        {
            let job_key = job_key.clone();
            self.job = None;
            match result {
                Ok(d) => self.cache = Some((job_key, d)),
                Err(e) => {
                    self.failed = Some((job_key, format!("Comparing the layers failed: {e}")));
                }
            }
        }
        let fresh = self.cache.as_ref().is_some_and(|(k, _)| *k == key);
        let running = self.job.as_ref().is_some_and(|(k, ..)| *k == key);
        let failed = self.failed.as_ref().is_some_and(|(k, _)| *k == key);
        if !fresh && !running && !failed {
            // Copies share the spans (copy-on-write): cheap to hand to a thread.
            let layers: Vec<Option<AnnotationLayer>> = self
                .compare
                .iter()
                .map(|a| ws.layer(doc, a).cloned())
                .collect();
            let curated = ws.layer(doc, CURATED).cloned();
            let spans: usize = layers.iter().flatten().map(AnnotationLayer::len).sum();
            let compare = self.compare.clone();
            let document = doc.to_owned();
            let run = move || {
                let got: Vec<Option<&AnnotationLayer>> =
                    layers.iter().map(Option::as_ref).collect();
                diff_layers(&document, &compare, &got, curated.as_ref())
            };
            if spans <= COMPARE_HERE {
                self.cache = Some((key.clone(), run()));
            } else {
                let pass = ctx.cumulative_pass_nr();
                // A task for older layers, if any, is dropped: its answer goes nowhere.
                self.job = Some((
                    key.clone(),
                    crate::gui::jobs::Task::spawn(ctx, "tagdesk-compare", run),
                    pass,
                ));
            }
        }
        self.cache
            .as_ref()
            .filter(|(k, _)| k.0 == key.0 && k.1 == key.1)
            .map(|(_, d)| d)
    }

    /// The diff of `doc` kept from the last frame, unless a newer one is being computed.
    pub fn current_diff(&self, doc: &str) -> Option<&DocDiff> {
        if self.job.is_some() {
            return None;
        }
        self.cache
            .as_ref()
            .filter(|(k, _)| k.0 == doc && k.1 == self.compare)
            .map(|(_, d)| d)
    }

    /// A diff is being computed on a thread.
    pub fn comparing(&self) -> bool {
        self.job.is_some()
    }

    /// Outlines for the document view: every disagreement, the focused one strong.
    pub fn marks(&mut self, ctx: &egui::Context, ws: &Workspace, doc: &str) -> Vec<Mark> {
        let focus = self.focus.clone();
        self.diff(ctx, ws, doc)
            .map(|d| {
                d.disagreements()
                    .map(|c| Mark {
                        range: c.range.clone(),
                        color: kind_color(c.kind),
                        strong: focus.as_ref() == Some(&c.range),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The panel under the text; it pushes the curator's decisions as actions.
    pub fn panel_ui(&mut self, ui: &mut egui::Ui, fc: &mut FrameCtx) {
        let (Some(ws), Some(doc)) = (fc.session.map(|s| &s.ws), fc.state.current_doc.as_deref())
        else {
            return;
        };
        let curating = fc.state.curating;
        let arrived = fc
            .session
            .map(|s| s.team.arrived_in(doc))
            .unwrap_or_default();
        let mut actions = Vec::new();
        // A third of the window by default, so the text keeps room on a small screen.
        let default_height = (ui.available_height() * 0.42).clamp(150.0, 300.0);
        egui::Panel::bottom("review")
            .resizable(true)
            .default_size(default_height)
            .size_range(100.0..=600.0)
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    const HINT: &str = "Colleagues' layers are read-only; ✔ and ✖ decide into \
                                        the curated layer (Ctrl+Z undoes).";
                    let heading = ui.heading("Review");
                    // In a narrow window the hint is on hover: the rows need the lines.
                    if ui.available_width() > 700.0 {
                        ui.label(RichText::new(HINT).weak());
                    } else {
                        heading.on_hover_text(HINT);
                    }
                });
                actions = self.ui(ui, ws, doc, curating, &arrived);
            });
        fc.actions.extend(actions);
    }

    fn ui(
        &mut self,
        ui: &mut egui::Ui,
        ws: &Workspace,
        doc: &str,
        curating: bool,
        arrived: &[(String, Vec<String>)],
    ) -> Vec<Action> {
        let mut intents = Vec::new();
        // The curated layer is always offered (last), so the row does not shift when the
        // first decision creates it.
        let mut annotators: Vec<String> = ws.project().annotators();
        annotators.retain(|a| a != CURATED);
        annotators.push(CURATED.to_owned());
        ui.horizontal_wrapped(|ui| {
            ui.strong("Compare:");
            for a in &annotators {
                let mut on = self.compare.contains(a);
                let name = if a == CURATED { "curated" } else { a.as_str() };
                if ui.checkbox(&mut on, name).changed() {
                    if on {
                        self.compare.push(a.clone());
                        self.compare
                            .sort_by_key(|x| annotators.iter().position(|y| y == x));
                    } else {
                        self.compare.retain(|x| x != a);
                    }
                }
            }
            ui.separator();
            let mut edit_curated = curating;
            if ui
                .checkbox(&mut edit_curated, "Edit the curated layer")
                .on_hover_text(
                    "The document view shows and edits the curated layer (label keys, Delete, \
                     resizing); colleagues' layers stay read-only.",
                )
                .changed()
            {
                intents.push(Action::SetCurating(edit_curated));
            }
            ui.checkbox(&mut self.undecided_only, "Skip decided");
            self.since_sync_ui(ui, arrived);
        });
        if self.compare.len() < 2 {
            ui.label(
                RichText::new("Tick two or more layers to compare them.")
                    .color(ui.visuals().warn_fg_color),
            );
            return intents;
        }
        let compare = self.compare.clone();
        if self.diff(ui.ctx(), ws, doc).is_none() {
            if let Some((_, failed)) = &self.failed {
                ui.colored_label(ui.visuals().error_fg_color, failed);
                return intents;
            }
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Comparing the layers…");
            });
            return intents;
        }
        if self.comparing() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(RichText::new("updating after the last change…").weak());
            });
        }
        // Borrow the cached diff for this frame instead of copying it.
        let Some((key, d)) = self.cache.take() else {
            return intents;
        };
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("◀ Previous")
                .on_hover_text("Previous disagreement (Shift+F8), across documents")
                .clicked()
            {
                intents.push(Action::StepDisagreement(false));
            }
            if ui
                .button("Next ▶")
                .on_hover_text("Next disagreement (F8), across documents")
                .clicked()
            {
                intents.push(Action::StepDisagreement(true));
            }
            ui.separator();
            let agreeing = compare.iter().filter(|a| *a != CURATED).count() >= 2;
            if ui
                .add_enabled(agreeing, egui::Button::new("Accept all agreed"))
                .on_hover_text(
                    "Copy into the curated layer every span and relation all the compared \
                     annotators made identically, in this document (one undo step)",
                )
                .clicked()
            {
                intents.push(Action::Curate(Curate::AcceptAgreed {
                    all_documents: false,
                }));
            }
            if ui
                .add_enabled(agreeing, egui::Button::new("… in all documents"))
                .clicked()
            {
                intents.push(Action::Curate(Curate::AcceptAgreed {
                    all_documents: true,
                }));
            }
            ui.separator();
            // In words where there is room; in a narrow window as coloured counts (words on
            // hover), so the rows keep the lines.
            let wide = ui.available_width() > 700.0;
            for kind in [
                DiffKind::Agree,
                DiffKind::Attributes,
                DiffKind::Extent,
                DiffKind::Label,
                DiffKind::Missing,
            ] {
                let n = d.clusters.iter().filter(|c| c.kind == kind).count();
                let text = if wide {
                    format!("■ {} {n}", kind.describe())
                } else {
                    format!("■ {n}")
                };
                ui.label(RichText::new(text).color(kind_color(kind)))
                    .on_hover_text(format!("{}: {n}", kind.describe()));
            }
            if !d.relations.is_empty() {
                let text = if wide {
                    format!(
                        "· relations: {} shared, {} differ",
                        d.shared_relations,
                        d.relations.len()
                    )
                } else {
                    format!("· relations {}/{}", d.shared_relations, d.relations.len())
                };
                ui.label(text).on_hover_text(format!(
                    "relations: {} shared, {} differ",
                    d.shared_relations,
                    d.relations.len()
                ));
            }
        });
        ui.separator();
        let text = ws.cached_text(doc).and_then(|t| t.as_ref().ok()).cloned();
        let excerpt = |range: &Range<usize>| -> String {
            text.as_ref().map_or_else(String::new, |t| {
                let s = t.text.slice(range.clone());
                let mut out: String = s.chars().take(32).collect();
                if s.chars().count() > 32 {
                    out.push('…');
                }
                out.replace('\n', " ")
            })
        };
        // Since the last sync: every place a colleague's new or changed span is, agreeing or
        // not (what they did is what there is to look at); else the disagreements.
        let new_here = |c: &Cluster| {
            d.layers.iter().zip(&c.spans).any(|(layer, spans)| {
                arrived.iter().any(|(who, ids)| {
                    who == layer
                        && spans.iter().any(|a| {
                            ids.binary_search_by(|id| id.as_str().cmp(a.id.as_str()))
                                .is_ok()
                        })
                })
            })
        };
        let since_sync = self.since_sync && !arrived.is_empty();
        let disagreements: Vec<&Cluster> = if since_sync {
            d.clusters.iter().filter(|c| new_here(c)).collect()
        } else {
            d.disagreements().collect()
        };
        let relations: &[RelationDiff] = if since_sync { &[] } else { &d.relations };
        if since_sync && disagreements.is_empty() {
            ui.label("Nothing your colleagues sent in the last sync is in the compared layers: tick their layers.");
        } else if disagreements.is_empty() && relations.is_empty() {
            ui.label("The compared layers agree on this document.");
        } else {
            // Only the rows in view are laid out (a big document has thousands): each row's
            // height is known from its line count — one line per version.
            let line = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
            let lines = |c: &Cluster| c.spans.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let heights: Vec<f32> = disagreements
                .iter()
                .map(|c| lines(c))
                .chain(relations.iter().map(|_| 1))
                .map(|n: usize| f32::from(u16::try_from(n).unwrap_or(u16::MAX)) * line)
                .collect();
            let focus_row = self
                .focus
                .as_ref()
                .and_then(|f| disagreements.iter().position(|c| &c.range == f));
            // Every compared layer gets an equal share of the width, its ✔/✖ first so a
            // decision never needs sideways scrolling; a long version is cut with "…" (whole
            // on hover). Only many layers in a narrow window scroll sideways.
            let where_width = (ui.available_width() * 0.22).clamp(120.0, 240.0);
            egui::ScrollArea::horizontal()
                .id_salt("review-hscroll")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    {
                        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
                        let height = ui.available_height() - line;
                        let mut table = egui_extras::TableBuilder::new(ui)
                            .id_salt("review-table")
                            .max_scroll_height(height)
                            // The panel's height rules (egui_extras would make it at least 200).
                            .min_scrolled_height(height.min(60.0))
                            .striped(true)
                            .auto_shrink([false, false])
                            .column(egui_extras::Column::exact(where_width).clip(true))
                            .columns(
                                egui_extras::Column::remainder().at_least(150.0).clip(true),
                                compare.len(),
                            );
                        if let Some(row) = focus_row
                            && self.scrolled_to != self.focus
                        {
                            table = table.scroll_to_row(row, None);
                            self.scrolled_to.clone_from(&self.focus);
                        }
                        table
                            .header(line, |mut header| {
                                header.col(|ui| {
                                    ui.strong("Where");
                                });
                                for a in &compare {
                                    header.col(|ui| {
                                        ui.strong(if a == CURATED {
                                            "curated"
                                        } else {
                                            a.as_str()
                                        });
                                    });
                                }
                            })
                            .body(|body| {
                                body.heterogeneous_rows(heights.into_iter(), |mut row| {
                                    let i = row.index();
                                    if let Some(c) = disagreements.get(i) {
                                        self.cluster_row(
                                            &mut row,
                                            c,
                                            &ws.project().entities,
                                            &compare,
                                            &excerpt(&c.range),
                                            &mut intents,
                                        );
                                    } else if let Some(r) = relations.get(i - disagreements.len()) {
                                        relation_row(&mut row, r, &compare, &excerpt, &mut intents);
                                    }
                                });
                            });
                    }
                });
        }
        self.cache = Some((key, d));
        intents
    }

    /// "Only what arrived in my last sync": offered when colleagues' work brought spans to this
    /// document; ticking it also ticks their layers.
    fn since_sync_ui(&mut self, ui: &mut egui::Ui, arrived: &[(String, Vec<String>)]) {
        if arrived.is_empty() {
            return;
        }
        ui.separator();
        let n: usize = arrived.iter().map(|(_, ids)| ids.len()).sum();
        let who: Vec<String> = arrived
            .iter()
            .map(|(who, ids)| format!("{who}: {}", ids.len()))
            .collect();
        if ui
            .checkbox(&mut self.since_sync, format!("Only my last sync's ({n})"))
            .on_hover_text(format!(
                "Only the spans colleagues added or changed that arrived in your last sync \
                 ({}), agreeing or not",
                who.join(", ")
            ))
            .changed()
            && self.since_sync
        {
            for (who, _) in arrived {
                if !self.compare.contains(who) {
                    self.compare.push(who.clone());
                }
            }
        }
    }

    fn cluster_row(
        &self,
        row: &mut egui_extras::TableRow<'_, '_>,
        c: &Cluster,
        entities: &crate::core::entities::Registry,
        compare: &[String],
        excerpt: &str,
        intents: &mut Vec<Action>,
    ) {
        let focused = self.focus.as_ref() == Some(&c.range);
        row.col(|ui| {
            let mut tag = c.kind.describe().to_owned();
            if c.decided {
                tag.push_str(" · decided");
            }
            ui.horizontal(|ui| {
                // The kind as a coloured mark (a tick once decided), in words on hover.
                let mark = ui.label(
                    RichText::new(if c.decided { "✔" } else { "●" }).color(kind_color(c.kind)),
                );
                // Screen readers (and tests) read the kind in words.
                mark.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Label, true, tag.as_str())
                });
                mark.on_hover_text(&tag);
                let title = RichText::new(format!("{}{excerpt}", if focused { "▶ " } else { "" }));
                if ui
                    .add(
                        egui::Button::new(if focused { title.strong() } else { title })
                            .frame(false)
                            .truncate(),
                    )
                    .on_hover_text(format!("{tag}. Show it in the text."))
                    .clicked()
                {
                    intents.push(Action::FocusDisagreement(c.range.clone()));
                }
            });
        });
        for (a, spans) in compare.iter().zip(&c.spans) {
            row.col(|ui| {
                if spans.is_empty() {
                    ui.weak("—");
                }
                for s in spans {
                    ui.horizontal(|ui| {
                        let attrs = if s.attributes.is_empty() {
                            String::new()
                        } else {
                            format!(
                                " {}",
                                s.attributes
                                    .iter()
                                    .map(|(k, v)| attribute_text(entities, k, v))
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            )
                        };
                        let version = format!("{} {}..{}{attrs}", s.label, s.start, s.end);
                        if a != CURATED {
                            if ui
                                .small_button("✔")
                                .on_hover_text("Accept into the curated layer")
                                .clicked()
                            {
                                intents.push(Action::Curate(Curate::Accept {
                                    annotator: a.clone(),
                                    ids: vec![s.id.to_string()],
                                }));
                            }
                            if ui
                                .small_button("✖")
                                .on_hover_text("Reject (recorded in the curated layer)")
                                .clicked()
                            {
                                intents.push(Action::Curate(Curate::Reject {
                                    annotator: a.clone(),
                                    id: s.id.to_string(),
                                }));
                            }
                        }
                        // Last, so a long one is cut, never the buttons.
                        ui.add(egui::Label::new(&version).truncate())
                            .on_hover_text(format!(
                                "{version}\n{}",
                                crate::gui::bidi::for_egui(&s.text)
                            ));
                    });
                }
            });
        }
    }
}

/// One relation some compared layers lack: what it links, and per layer its type with ✔/✖.
fn relation_row(
    row: &mut egui_extras::TableRow<'_, '_>,
    r: &RelationDiff,
    compare: &[String],
    excerpt: &dyn Fn(&Range<usize>) -> String,
    intents: &mut Vec<Action>,
) {
    let s = &r.signature;
    row.col(|ui| {
        let mut tag = "relation in some layers".to_owned();
        if r.decided {
            tag.push_str(" · decided");
        }
        ui.horizontal(|ui| {
            let mark = ui.label(
                RichText::new(if r.decided { "✔" } else { "●" })
                    .color(kind_color(DiffKind::Missing)),
            );
            mark.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, tag.as_str()));
            mark.on_hover_text(&tag);
            ui.add(
                egui::Label::new(format!(
                    "{} → {}",
                    excerpt(&(s.from.start..s.from.end)),
                    excerpt(&(s.to.start..s.to.end)),
                ))
                .truncate(),
            )
            .on_hover_text(format!("{tag}: {s}"));
        });
    });
    for (a, present) in compare.iter().zip(&r.present) {
        row.col(|ui| {
            ui.horizontal(|ui| match present {
                Some(rel) if a != CURATED => {
                    if ui
                        .small_button("✔")
                        .on_hover_text("Accept the relation (and its ends) into the curated layer")
                        .clicked()
                    {
                        intents.push(Action::Curate(Curate::AcceptRelation {
                            annotator: a.clone(),
                            id: rel.id.clone(),
                        }));
                    }
                    if ui
                        .small_button("✖")
                        .on_hover_text("Reject the relation (recorded in the curated layer)")
                        .clicked()
                    {
                        intents.push(Action::Curate(Curate::RejectRelation {
                            annotator: a.clone(),
                            id: rel.id.clone(),
                        }));
                    }
                    ui.add(egui::Label::new(&rel.kind).truncate());
                }
                Some(rel) => {
                    ui.label(&rel.kind);
                }
                None => {
                    ui.weak("—");
                }
            });
        });
    }
}

/// The colour a curator's decision is shown in (to annotators, read-only).
/// `key=value`; an entity link shows the entity's name, not its id.
fn attribute_text(
    entities: &crate::core::entities::Registry,
    key: &str,
    value: &impl std::fmt::Display,
) -> String {
    let value = value.to_string();
    match entities.get(&value) {
        Some(entity) if key == crate::core::schema::ENTITY_ATTRIBUTE => {
            format!("{key}={}", entity.name)
        }
        _ => format!("{key}={value}"),
    }
}

pub fn decision_color(ui: &egui::Ui, decision: &crate::core::review::Decision) -> Color32 {
    use crate::core::review::Decision;
    match decision {
        Decision::Accepted => Color32::from_rgb(89, 161, 79),
        Decision::Rejected => ui.visuals().error_fg_color,
        Decision::Changed { .. } => ui.visuals().warn_fg_color,
        Decision::Open => ui.visuals().weak_text_color(),
    }
}
