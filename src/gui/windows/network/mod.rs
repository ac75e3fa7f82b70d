//! Review → Network (Ctrl+Shift+N): who agrees and who disagrees with whom. The statements of a
//! layer (claims linked to concepts, their stance, the actors they are `said_by`) and its
//! observed conflicts (disagreements `between` actors) become the actor network — congruence,
//! conflict or both subtracted — or the actor × concept network, laid out force-directed on a
//! job. Filters: the time range (a slider over the document dates), an actor attribute, a
//! minimum weight. Node size is statements, colour the group (Louvain on agreement), edge width
//! weight, colour sign; dashed red lines are observed conflicts. Clicking a node or a tie (on
//! the picture or in the list) shows the statements behind it; clicking one goes to the claim.
//! The picture and the network can be exported (`export.rs`).

mod canvas;
mod export;

pub use export::encode_png;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;

use egui::RichText;

use crate::core::Workspace;
use crate::core::network::statements::{Coding, Extracted, Snapshot};
use crate::core::network::{
    Aggregation, Date, Filter, Levels, Network, Normalization, ObservedConflict, Statement,
    TwoModeAggregation, TwoModeNormalization, groups, layout,
};
use crate::gui::action::Action;

/// Which network is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Actors(Aggregation),
    /// Actor × concept, signed (support − opposition).
    Concepts,
}

/// What the picture is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub annotator: String,
    pub view: View,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Only actors with this entity attribute value.
    pub attribute: Option<(String, String)>,
    pub min_weight: f64,
}

/// What a job computed.
pub struct Drawn {
    network: Network,
    positions: Vec<[f32; 2]>,
    groups: usize,
    statements: Vec<Statement>,
    conflicts: Vec<ObservedConflict>,
}

/// What was clicked: a node, or a tie (an edge's index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chosen {
    Node(usize),
    Edge(usize),
}

pub struct NetworkWindow {
    pub settings: Settings,
    /// Everything the layer holds (dates and attributes for the filters come from here).
    extracted: Option<Arc<Extracted>>,
    drawn: Option<Drawn>,
    job: Option<crate::gui::jobs::Task<(Arc<Extracted>, Drawn)>>,
    /// What the last job was computed from: (settings, the layer's revisions).
    computed_for: Option<(Settings, Vec<u64>)>,
    pub chosen: Option<Chosen>,
    problem: Option<String>,
    export: export::Export,
    /// The layer chosen when the window opened, and why (shown while it is the one drawn).
    default_layer: Option<(String, String)>,
    /// A jump to a claim asked for the window to fold once drawn.
    fold: bool,
}

impl NetworkWindow {
    pub fn new(ws: &Workspace) -> Self {
        let (annotator, which) = crate::core::network::default_layer(ws.project(), "claim");
        Self {
            default_layer: Some((annotator.clone(), which)),
            settings: Settings {
                annotator,
                view: View::Actors(Aggregation::Subtract),
                from: None,
                to: None,
                attribute: None,
                min_weight: 0.0,
            },
            extracted: None,
            drawn: None,
            job: None,
            computed_for: None,
            chosen: None,
            problem: None,
            export: export::Export::new(ws),
            fold: false,
        }
    }

    pub fn is_running(&self) -> bool {
        self.job.is_some() || self.export.is_running()
    }

    /// Starts computing when the settings or the annotations changed ("live": it follows
    /// edits).
    fn refresh(&mut self, ctx: &egui::Context, ws: &Workspace) {
        let revisions: Vec<u64> = ws
            .project()
            .layers
            .iter()
            .filter(|(k, _)| {
                k.annotator == self.settings.annotator
                    || self.settings.annotator == crate::core::network::statements::EVERY_ANNOTATOR
            })
            .map(|(_, l)| l.revision())
            .chain(std::iter::once(fingerprint(ws)))
            .collect();
        let key = (self.settings.clone(), revisions);
        if self.computed_for.as_ref() == Some(&key) {
            return;
        }
        let layer_changed = self
            .computed_for
            .as_ref()
            .is_none_or(|(s, r)| s.annotator != key.0.annotator || *r != key.1);
        self.computed_for = Some(key);
        let coding = Coding::standard(ws.project(), &self.settings.annotator);
        if coding.levels.is_empty() {
            self.problem = Some(
                "The claims' stance has no levels in the schema (support 1, neutral 0, oppose -1)."
                    .to_owned(),
            );
            return;
        }
        self.problem = None;
        // Everything runs on a job: reading the statements (when the layer changed; from a
        // snapshot of copy-on-write layers, cheap to take), the network, its groups and its
        // layout. The picture so far stays until the new one is ready.
        let source = match (&self.extracted, layer_changed) {
            (Some(extracted), false) => Ok(Arc::clone(extracted)),
            _ => Err(Snapshot::of(ws.project(), &self.settings.annotator)),
        };
        let settings = self.settings.clone();
        let levels = Levels::new(coding.levels.values().copied());
        self.job = Some(crate::gui::jobs::Task::spawn(ctx, "network", move || {
            let extracted =
                source.unwrap_or_else(|snapshot| Arc::new(snapshot.statements(&coding)));
            let drawn = compute(&extracted, &settings, &levels);
            (extracted, drawn)
        }));
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, ws: &Workspace) -> Vec<Action> {
        let mut actions = Vec::new();
        // A computation that panicked ends as the window's problem, never as a spinner forever.
        if let Some(result) = self.job.as_mut().and_then(crate::gui::jobs::Task::poll) {
            self.job = None;
            match result {
                Ok((extracted, drawn)) => {
                    self.extracted = Some(extracted);
                    self.drawn = Some(drawn);
                    self.chosen = None;
                }
                Err(e) => self.problem = Some(format!("Computing the network failed: {e}")),
            }
        }
        self.controls(ui, ws);
        self.refresh(ui.ctx(), ws);
        if let Some(problem) = &self.problem {
            ui.colored_label(ui.visuals().warn_fg_color, problem);
            return actions;
        }
        let Some(drawn) = &self.drawn else {
            ui.label("Computing the network…");
            return actions;
        };
        if let Some(extracted) = &self.extracted {
            summary_ui(ui, extracted, drawn);
        }
        if drawn.network.nodes.is_empty() {
            ui.label(
                "No statements yet: link claims to a concept and their said_by actors to \
                 entities (the Entity field of a selected span).",
            );
            return actions;
        }
        self.export.ui(ui, drawn, &mut actions);
        let size = egui::vec2(
            ui.available_width(),
            (ui.available_height() * 0.55).max(160.0),
        );
        let rect = picture_and_details_ui(ui, size, drawn, &mut self.chosen, &mut actions);
        if let Ok(mut place) = self.export.picture_rect.lock() {
            *place = Some(rect);
        }
        actions
    }

    /// Layer, view, time range, actor attribute, minimum weight.
    fn controls(&mut self, ui: &mut egui::Ui, ws: &Workspace) {
        let s = &mut self.settings;
        ui.horizontal_wrapped(|ui| {
            let layer = ui.label("Layer");
            let every = crate::core::network::statements::EVERY_ANNOTATOR;
            let name = |a: &str| {
                if a == every {
                    "every annotator".to_owned()
                } else {
                    a.to_owned()
                }
            };
            egui::ComboBox::from_id_salt("network_layer")
                .selected_text(name(&s.annotator))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut s.annotator, every.to_owned(), name(every));
                    for a in ws.project().annotators() {
                        ui.selectable_value(&mut s.annotator, a.clone(), a);
                    }
                })
                .response
                .labelled_by(layer.id);
            if let Some((annotator, which)) = &self.default_layer
                && *annotator == s.annotator
            {
                ui.label(egui::RichText::new(format!("Drawn from {which}.")).weak());
            }
            ui.separator();
            for (view, title) in [
                (View::Actors(Aggregation::Subtract), "agree − disagree"),
                (View::Actors(Aggregation::Congruence), "agree"),
                (View::Actors(Aggregation::Conflict), "disagree"),
                (View::Concepts, "actors × concepts"),
            ] {
                ui.selectable_value(&mut s.view, view, title);
            }
            if self.job.is_some() {
                ui.spinner();
            }
        });
        let Some(extracted) = &self.extracted else {
            return;
        };
        ui.horizontal_wrapped(|ui| {
            let dates: Vec<Date> = extracted
                .statements
                .iter()
                .filter_map(|st| st.date)
                .chain(extracted.conflicts.iter().filter_map(|c| c.date))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            if dates.len() >= 2 {
                let last = dates.len() - 1;
                let index = |d: Option<Date>, default: usize| {
                    d.map_or(default, |d| dates.partition_point(|x| *x < d).min(last))
                };
                let (mut from, mut to) = (index(s.from, 0), index(s.to, last));
                ui.label("From");
                ui.add(
                    egui::Slider::new(&mut from, 0..=last)
                        .custom_formatter(|i, _| fmt_date(&dates, i))
                        .show_value(true),
                );
                ui.label("to");
                ui.add(
                    egui::Slider::new(&mut to, 0..=last)
                        .custom_formatter(|i, _| fmt_date(&dates, i))
                        .show_value(true),
                );
                if to < from {
                    std::mem::swap(&mut from, &mut to);
                }
                s.from = (from > 0).then(|| dates[from]);
                s.to = (to < last).then(|| dates[to]);
            } else {
                ui.label(
                    RichText::new(
                        "Time range: give the documents dates (Documents → metadata, or tagdesk metadata --import).",
                    )
                    .weak(),
                );
            }
            ui.separator();
            let pairs: BTreeSet<(String, String)> = extracted
                .entities
                .values()
                .filter(|e| e.kind == crate::core::entities::EntityKind::Actor)
                .flat_map(|e| e.attributes.iter().map(|(k, v)| (k.clone(), v.clone())))
                .collect();
            if !pairs.is_empty() {
                let label = ui.label("Actors");
                let shown = s
                    .attribute
                    .as_ref()
                    .map_or_else(|| "all".to_owned(), |(k, v)| format!("{k} = {v}"));
                egui::ComboBox::from_id_salt("network_attribute")
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut s.attribute, None, "all");
                        for (k, v) in pairs {
                            let text = format!("{k} = {v}");
                            ui.selectable_value(&mut s.attribute, Some((k, v)), text);
                        }
                    })
                    .response
                    .labelled_by(label.id);
            }
            let label = ui.label("Minimum weight");
            ui.add(
                egui::DragValue::new(&mut s.min_weight)
                    .range(0.0..=f64::MAX)
                    .speed(0.05)
                    .max_decimals(2),
            )
            .labelled_by(label.id);
        });
    }
}

/// What else the statements depend on: the entities' names and attributes and the
/// documents' dates (a hash; cheap enough for every frame at hundreds of entities).
fn fingerprint(ws: &Workspace) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for e in ws.project().entities.entities() {
        (&e.id, &e.name, &e.attributes).hash(&mut h);
    }
    for (document, meta) in ws.project().metadata.documents() {
        (document, &meta.date).hash(&mut h);
    }
    h.finish()
}

fn fmt_date(dates: &[Date], i: f64) -> String {
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = i.round().max(0.0) as usize;
    dates.get(i).map(ToString::to_string).unwrap_or_default()
}

/// The picture (`size`), then what is chosen, the nodes by degree and the ties. Returns where
/// the picture is. (Public for the frame benchmark.)
pub fn picture_and_details_ui(
    ui: &mut egui::Ui,
    size: egui::Vec2,
    drawn: &Drawn,
    chosen: &mut Option<Chosen>,
    actions: &mut Vec<Action>,
) -> egui::Rect {
    let rect = canvas::draw(ui, size, drawn, chosen);
    details_ui(ui, drawn, chosen, actions);
    rect
}

/// The network, its groups and its layout, for these settings (on a job).
pub fn compute(extracted: &Extracted, settings: &Settings, levels: &Levels) -> Drawn {
    let filter = Filter {
        from: settings.from,
        to: settings.to,
        actor_attributes: settings.attribute.iter().cloned().collect(),
    };
    let (statements, conflicts) = filter.apply(extracted);
    let mut network = match settings.view {
        View::Actors(aggregation) => Network::actors(
            extracted,
            &statements,
            &conflicts,
            levels,
            aggregation,
            Normalization::None,
        ),
        View::Concepts => Network::actors_and_concepts(
            extracted,
            &statements,
            levels,
            TwoModeAggregation::Subtract,
            TwoModeNormalization::None,
        ),
    };
    if settings.min_weight > 0.0 {
        network.keep_edges_from(settings.min_weight);
    }
    // The layout pulls along the ties that are drawn (the strongest; edges come sorted).
    let ties: Vec<(usize, usize, f64)> = network
        .edges
        .iter()
        .take(canvas::MAX_DRAWN_TIES)
        .map(|e| (e.source, e.target, e.weight.abs().max(0.5)))
        .collect();
    // Groups and layout do not depend on each other: one on each core.
    let nodes = network.nodes.len();
    let (groups, positions) = std::thread::scope(|scope| {
        let layout = scope.spawn(|| layout::force_layout(nodes, &ties, 300));
        let groups = if network.one_mode {
            groups::assign(&mut network)
        } else {
            0
        };
        (groups, layout.join().unwrap_or_default())
    });
    Drawn {
        network,
        positions,
        groups,
        statements,
        conflicts,
    }
}

/// Counts, density, groups, what was left out.
fn summary_ui(ui: &mut egui::Ui, extracted: &Extracted, drawn: &Drawn) {
    let skipped: usize = extracted.skipped.values().sum();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut text = format!(
        "{}, {}, {} · density {:.2}",
        plural(drawn.statements.len(), "statement", "statements"),
        if drawn.network.one_mode {
            plural(drawn.network.nodes.len(), "actor", "actors")
        } else {
            plural(drawn.network.nodes.len(), "node", "nodes")
        },
        plural(drawn.network.edges.len(), "tie", "ties"),
        drawn.network.density()
    );
    if drawn.network.one_mode {
        let _ = write!(text, " · {}", plural(drawn.groups, "group", "groups"));
    }
    if drawn.network.one_mode && !drawn.conflicts.is_empty() {
        let _ = write!(
            text,
            " · {}",
            plural(
                drawn.conflicts.len(),
                "observed conflict",
                "observed conflicts"
            )
        );
    }
    if skipped > 0 {
        let _ = write!(
            text,
            " · {skipped} left out ({})",
            extracted
                .skipped
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    ui.label(RichText::new(text).weak());
}

/// What is chosen and the statements behind it; the nodes by weighted degree; every tie (a
/// list that draws only the rows in view, however many ties there are).
fn details_ui(
    ui: &mut egui::Ui,
    drawn: &Drawn,
    chosen: &mut Option<Chosen>,
    actions: &mut Vec<Action>,
) {
    let network = &drawn.network;
    let tie_name = |e: &crate::core::network::Edge| {
        let mut text = format!(
            "{} — {}  {:+.2}",
            network.nodes[e.source].name, network.nodes[e.target].name, e.weight
        );
        if e.observed_conflicts > 0 {
            let _ = write!(text, "  ({} observed conflict)", e.observed_conflicts);
        }
        text
    };
    match *chosen {
        Some(Chosen::Node(i)) if i < network.nodes.len() => {
            let name = &network.nodes[i].name;
            ui.strong(format!("Statements of {name}"));
            egui::ScrollArea::vertical()
                .id_salt("network_chosen")
                .max_height(ui.available_height() * 0.4)
                .show(ui, |ui| {
                    statements_ui(
                        ui,
                        drawn
                            .statements
                            .iter()
                            .filter(|s| &s.actor == name || &s.concept == name),
                        actions,
                    );
                });
        }
        Some(Chosen::Edge(k)) if k < network.edges.len() => {
            let e = &network.edges[k];
            ui.strong(format!("Behind {}", tie_name(e)));
            egui::ScrollArea::vertical()
                .id_salt("network_chosen")
                .max_height(ui.available_height() * 0.4)
                .show(ui, |ui| {
                    tie_ui(
                        ui,
                        drawn,
                        (&network.nodes[e.source].name, &network.nodes[e.target].name),
                        actions,
                    );
                });
        }
        _ => {
            ui.label(
                RichText::new(
                    "Click a node or a tie (on the picture or below) to see its statements.",
                )
                .weak(),
            );
        }
    }
    egui::CollapsingHeader::new("Nodes by weighted degree")
        .id_salt("network_degree")
        .show(ui, |ui| {
            let degree = network.weighted_degree();
            let mut order: Vec<usize> = (0..network.nodes.len()).collect();
            order.sort_by(|&a, &b| degree[b].total_cmp(&degree[a]).then(a.cmp(&b)));
            egui::ScrollArea::vertical()
                .id_salt("network_degree_rows")
                .max_height(160.0)
                .show(ui, |ui| {
                    egui::Grid::new("network_degree_grid")
                        .striped(true)
                        .show(ui, |ui| {
                            ui.strong("Node");
                            ui.strong("Group");
                            ui.strong("Statements");
                            ui.strong("Weighted degree");
                            ui.end_row();
                            for i in order {
                                let node = &network.nodes[i];
                                if ui
                                    .selectable_label(*chosen == Some(Chosen::Node(i)), &node.name)
                                    .clicked()
                                {
                                    *chosen = Some(Chosen::Node(i));
                                }
                                ui.label(
                                    node.group.map(|g| (g + 1).to_string()).unwrap_or_default(),
                                );
                                ui.label(node.statements.to_string());
                                ui.label(format!("{:.2}", degree[i]));
                                ui.end_row();
                            }
                        });
                });
        });
    ui.separator();
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .id_salt("network_ties")
        .auto_shrink([false, true])
        .show_rows(ui, row_height, network.edges.len(), |ui, rows| {
            for k in rows {
                let e = &network.edges[k];
                if ui
                    .selectable_label(*chosen == Some(Chosen::Edge(k)), tie_name(e))
                    .clicked()
                {
                    *chosen = Some(Chosen::Edge(k));
                }
            }
        });
}

/// The statements behind a tie: both actors' statements on the concepts both spoke about (or,
/// two-mode, the actor's on the concept), and the disagreements coded between them.
fn tie_ui(ui: &mut egui::Ui, drawn: &Drawn, (a, b): (&str, &str), actions: &mut Vec<Action>) {
    let statements = &drawn.statements;
    ui.indent("tie", |ui| {
        if drawn.network.one_mode {
            let concepts_of = |actor: &str| {
                statements
                    .iter()
                    .filter(|s| s.actor == actor)
                    .map(|s| s.concept.as_str())
                    .collect::<BTreeSet<_>>()
            };
            let shared: BTreeSet<&str> = concepts_of(a)
                .intersection(&concepts_of(b))
                .copied()
                .collect();
            statements_ui(
                ui,
                statements.iter().filter(|s| {
                    (s.actor == a || s.actor == b) && shared.contains(s.concept.as_str())
                }),
                actions,
            );
            for c in drawn
                .conflicts
                .iter()
                .filter(|c| (c.a == a && c.b == b) || (c.a == b && c.b == a))
            {
                if let Some(span) = &c.span {
                    let text = format!("{} · disagreement: “{}”", c.document, span.text);
                    if ui.link(text).clicked() {
                        go_to(actions, &c.document, &span.id, span.start);
                    }
                }
            }
        } else {
            statements_ui(
                ui,
                statements.iter().filter(|s| s.actor == a && s.concept == b),
                actions,
            );
        }
    });
}

fn statements_ui<'a>(
    ui: &mut egui::Ui,
    statements: impl Iterator<Item = &'a Statement>,
    actions: &mut Vec<Action>,
) {
    for s in statements {
        let text = format!(
            "{} · {} on {} ({:+}): “{}”",
            s.document,
            s.actor,
            s.concept,
            s.level,
            s.claim.as_ref().map_or("", |c| c.text.as_str())
        );
        if ui.link(text).clicked()
            && let Some(claim) = &s.claim
        {
            go_to(actions, &s.document, &claim.id, claim.start);
        }
    }
}

fn go_to(actions: &mut Vec<Action>, document: &str, id: &str, start: usize) {
    actions.push(Action::SelectDocument(document.to_owned()));
    actions.push(Action::SetSelection(None));
    actions.push(Action::SelectAnnotation(Some(id.to_owned())));
    actions.push(Action::RevealChar(start));
}

impl super::Window for NetworkWindow {
    fn title(&self) -> &'static str {
        super::NETWORK
    }

    fn default_size(&self) -> Option<egui::Vec2> {
        Some(egui::vec2(640.0, 560.0))
    }

    fn drawn(&mut self, ctx: &egui::Context) {
        if std::mem::take(&mut self.fold) {
            super::fold_network(ctx, true);
        }
    }

    fn show(&mut self, ui: &mut egui::Ui, fc: &mut crate::gui::state::FrameCtx) {
        let Some(ws) = fc.ws() else { return };
        let actions = self.ui(ui, ws);
        let jumped = actions.iter().any(|a| matches!(a, Action::RevealChar(_)));
        fc.actions.extend(actions);
        if jumped {
            // A jump to a claim: the window folds to its title bar so it does not cover what
            // it jumped to (its ▶, or Ctrl+Shift+N, unfolds it).
            self.fold = true;
            fc.actions.push(Action::Say {
                text: "The Network window is folded so the claim shows: its ▶ or \
                       Ctrl+Shift+N unfolds it."
                    .to_owned(),
                is_error: false,
            });
        }
    }
}
