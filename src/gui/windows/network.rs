//! Review → Network (Ctrl+Shift+N): who agrees and who disagrees with whom. The statements of a
//! layer (claims linked to concepts, their stance, the actors they are `said_by`) become the
//! actor network — congruence, conflict or both subtracted — laid out force-directed on a job.
//! Node size is statements, edge width weight, colour sign (green agrees, red disagrees). Ties
//! are listed too; choosing one shows the statements behind it, and a click on one goes to the
//! claim in the text.

use std::sync::mpsc::{Receiver, channel};

use egui::{Color32, RichText, Stroke, pos2, vec2};

use crate::core::Workspace;
use crate::core::network::statements::{Coding, Extracted, statements};
use crate::core::network::{
    Aggregation, Levels, Matrix, Normalization, Statement, layout, one_mode,
};
use crate::gui::action::Action;

/// What a job computed.
pub struct Drawn {
    extracted: Extracted,
    matrix: Matrix,
    positions: Vec<[f32; 2]>,
    /// (row, column, weight) of every tie, strongest first.
    ties: Vec<(usize, usize, f64)>,
}

pub struct NetworkWindow {
    pub annotator: String,
    pub aggregation: Aggregation,
    drawn: Option<Drawn>,
    job: Option<Receiver<Drawn>>,
    /// What the last job was computed from: (annotator, aggregation, revisions).
    computed_for: Option<(String, Aggregation, Vec<u64>)>,
    /// The tie whose statements are shown.
    pub chosen: Option<(usize, usize)>,
    problem: Option<String>,
}

impl NetworkWindow {
    pub fn new(ws: &Workspace) -> Self {
        let annotators = ws.project.annotators();
        let annotator = if annotators.iter().any(|a| a == crate::core::review::CURATED) {
            crate::core::review::CURATED.to_owned()
        } else {
            annotators.into_iter().next().unwrap_or_default()
        };
        Self {
            annotator,
            aggregation: Aggregation::Subtract,
            drawn: None,
            job: None,
            computed_for: None,
            chosen: None,
            problem: None,
        }
    }

    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// Starts computing when the layer, the aggregation or the annotations changed ("live":
    /// it follows edits).
    fn refresh(&mut self, ctx: &egui::Context, ws: &Workspace) {
        let revisions: Vec<u64> = ws
            .project
            .layers
            .iter()
            .filter(|(k, _)| k.annotator == self.annotator)
            .map(|(_, l)| l.revision())
            .collect();
        let key = (self.annotator.clone(), self.aggregation, revisions);
        if self.computed_for.as_ref() == Some(&key) {
            return;
        }
        self.computed_for = Some(key);
        let levels = ws
            .project
            .schema()
            .get("claim")
            .and_then(|l| l.attributes.iter().find(|a| a.name == "stance"))
            .map(|a| a.levels.clone())
            .unwrap_or_default();
        if levels.is_empty() {
            self.problem = Some(
                "The claims' stance has no levels in the schema (support 1, neutral 0, oppose -1)."
                    .to_owned(),
            );
            return;
        }
        self.problem = None;
        let coding = Coding {
            annotator: self.annotator.clone(),
            claim_label: "claim".to_owned(),
            said_by: "said_by".to_owned(),
            qualifier: "stance".to_owned(),
            levels: levels.clone(),
        };
        // Statements are read here (cheap, the spans are in memory); the network and its
        // layout, which grow with the square of the actors, on a job.
        let extracted = statements(&ws.project, &coding);
        let aggregation = self.aggregation;
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        let spawned = crate::core::job::spawn("network", move || {
            let matrix = one_mode(
                &extracted.statements,
                &Levels::new(levels.values().copied()),
                aggregation,
                Normalization::None,
            );
            let mut ties = Vec::new();
            for (i, row) in matrix.values.iter().enumerate() {
                for (j, &w) in row.iter().enumerate().skip(i + 1) {
                    if w != 0.0 {
                        ties.push((i, j, w));
                    }
                }
            }
            ties.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()));
            let positions = layout::force_layout(matrix.rows.len(), &ties, 300);
            let _ = tx.send(Drawn {
                extracted,
                matrix,
                positions,
                ties,
            });
            ctx.request_repaint();
        });
        if spawned.is_ok() {
            self.job = Some(rx);
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, ws: &Workspace) -> Vec<Action> {
        let mut actions = Vec::new();
        if let Some(rx) = &self.job
            && let Ok(drawn) = rx.try_recv()
        {
            self.drawn = Some(drawn);
            self.job = None;
            self.chosen = None;
        }
        ui.horizontal_wrapped(|ui| {
            let layer = ui.label("Layer");
            egui::ComboBox::from_id_salt("network_layer")
                .selected_text(&self.annotator)
                .show_ui(ui, |ui| {
                    for a in ws.project.annotators() {
                        ui.selectable_value(&mut self.annotator, a.clone(), a);
                    }
                })
                .response
                .labelled_by(layer.id);
            ui.separator();
            for (aggregation, title) in [
                (Aggregation::Subtract, "agree − disagree"),
                (Aggregation::Congruence, "agree"),
                (Aggregation::Conflict, "disagree"),
            ] {
                ui.selectable_value(&mut self.aggregation, aggregation, title);
            }
            if self.job.is_some() {
                ui.spinner();
            }
        });
        self.refresh(ui.ctx(), ws);
        if let Some(problem) = &self.problem {
            ui.colored_label(ui.visuals().warn_fg_color, problem);
            return actions;
        }
        let Some(drawn) = &self.drawn else {
            ui.label("Computing the network…");
            return actions;
        };
        let skipped: usize = drawn.extracted.skipped.values().sum();
        ui.label(
            RichText::new(format!(
                "{} statements, {} actors, {} ties{}",
                drawn.extracted.statements.len(),
                drawn.matrix.rows.len(),
                drawn.ties.len(),
                if skipped > 0 {
                    format!(
                        " · {skipped} claims left out ({})",
                        drawn
                            .extracted
                            .skipped
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                } else {
                    String::new()
                }
            ))
            .weak(),
        );
        if drawn.matrix.rows.is_empty() {
            ui.label(
                "No statements yet: link claims to a concept and their said_by actors to \
                 entities (the Entity field of a selected span).",
            );
            return actions;
        }
        let size = vec2(
            ui.available_width(),
            (ui.available_height() * 0.6).max(160.0),
        );
        let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
        let painter = ui.painter_at(rect);
        let at = |p: [f32; 2]| {
            pos2(
                rect.left() + p[0] * rect.width(),
                rect.top() + p[1] * rect.height(),
            )
        };
        let max_weight = drawn
            .ties
            .iter()
            .map(|t| t.2.abs())
            .fold(0.0, f64::max)
            .max(1e-9);
        for &(i, j, w) in &drawn.ties {
            let color = if w > 0.0 {
                Color32::from_rgb(89, 161, 79)
            } else {
                Color32::from_rgb(225, 87, 89)
            };
            #[expect(clippy::cast_possible_truncation)]
            let width = 1.0 + 5.0 * (w.abs() / max_weight) as f32;
            let chosen = self.chosen == Some((i, j));
            painter.line_segment(
                [at(drawn.positions[i]), at(drawn.positions[j])],
                Stroke::new(if chosen { width + 2.0 } else { width }, color),
            );
        }
        let counts = |name: &str| {
            drawn
                .extracted
                .statements
                .iter()
                .filter(|s| s.actor == name)
                .count()
        };
        for (i, name) in drawn.matrix.rows.iter().enumerate() {
            #[expect(clippy::cast_precision_loss)]
            let radius = 4.0 + 2.0 * (counts(name) as f32).sqrt();
            let p = at(drawn.positions[i]);
            painter.circle_filled(p, radius, ui.visuals().strong_text_color());
            painter.text(
                p + vec2(radius + 3.0, 0.0),
                egui::Align2::LEFT_CENTER,
                name,
                egui::FontId::proportional(12.0),
                ui.visuals().text_color(),
            );
        }
        ui.separator();
        let mut chosen = self.chosen;
        egui::ScrollArea::vertical()
            .id_salt("network_ties")
            .auto_shrink([false, true])
            .show(ui, |ui| {
                for &(i, j, w) in &drawn.ties {
                    let text = format!(
                        "{} — {}  {w:+.2}",
                        drawn.matrix.rows[i], drawn.matrix.rows[j]
                    );
                    if ui.selectable_label(chosen == Some((i, j)), text).clicked() {
                        chosen = Some((i, j));
                    }
                    if chosen == Some((i, j)) {
                        tie_statements_ui(
                            ui,
                            &drawn.extracted.statements,
                            (&drawn.matrix.rows[i], &drawn.matrix.rows[j]),
                            &mut actions,
                        );
                    }
                }
            });
        self.chosen = chosen;
        actions
    }
}

/// The statements behind a tie: both actors' statements on the concepts both spoke about.
fn tie_statements_ui(
    ui: &mut egui::Ui,
    statements: &[Statement],
    (a, b): (&str, &str),
    actions: &mut Vec<Action>,
) {
    let concepts_of = |actor: &str| {
        statements
            .iter()
            .filter(|s| s.actor == actor)
            .map(|s| s.concept.as_str())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let shared: Vec<&str> = concepts_of(a)
        .intersection(&concepts_of(b))
        .copied()
        .collect();
    ui.indent("tie", |ui| {
        for s in statements
            .iter()
            .filter(|s| (s.actor == a || s.actor == b) && shared.contains(&s.concept.as_str()))
        {
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
                actions.push(Action::SelectDocument(s.document.clone()));
                actions.push(Action::SetSelection(None));
                actions.push(Action::SelectAnnotation(Some(claim.id.clone())));
                actions.push(Action::RevealChar(claim.start));
            }
        }
    });
}
