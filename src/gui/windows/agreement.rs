//! Review → Agreement: the figures of `tagdesk agree` in a window — a table per label, a bar
//! chart (`egui_plot`) of F1 and kappa per label, the pairwise matrix as a heat map — computed
//! on a background thread, and saved as CSV or JSON.

use std::path::PathBuf;

use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, Legend, Plot};

use crate::core::Workspace;
use crate::core::agreement::{MeanSd, Report, Study, Tokens};

pub struct AgreementWindow {
    /// Every layer of the project, and whether it is included.
    pub annotators: Vec<(String, bool)>,
    pub tokens: Tokens,
    job: Option<crate::gui::jobs::Task<Report>>,
    pub report: Option<Report>,
    /// Where "Save" writes (relative paths are beside the project folder; never inside it).
    pub path: String,
    pub message: Option<Result<String, String>>,
    /// The file exists: saving again replaces it.
    confirm_replace: Option<PathBuf>,
}

impl AgreementWindow {
    pub fn new(ws: &Workspace) -> Self {
        Self {
            annotators: ws
                .project()
                .annotators()
                .into_iter()
                .map(|a| {
                    let on = a != crate::core::review::CURATED;
                    (a, on)
                })
                .collect(),
            tokens: Tokens::Whitespace,
            job: None,
            report: None,
            path: crate::formats::export::beside_project(
                &ws.project().root,
                &format!(
                    "{}-agreement.csv",
                    crate::formats::export::folder_name(&ws.project().root)
                ),
            )
            .display()
            .to_string(),
            message: None,
            confirm_replace: None,
        }
    }

    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    fn chosen(&self) -> Vec<String> {
        self.annotators
            .iter()
            .filter(|(_, on)| *on)
            .map(|(a, _)| a.clone())
            .collect()
    }

    /// Computes on a thread: the spans are copied here, the texts read (from disk) there.
    pub fn start(&mut self, ctx: &egui::Context, ws: &Workspace) {
        let mut study = Study::from_project(ws.project(), &self.chosen(), None);
        let source_dir = ws.project().source_dir.clone();
        let tokens = self.tokens;
        self.message = None;
        self.job = Some(crate::gui::jobs::Task::spawn(
            ctx,
            "tagdesk-agreement",
            move || {
                study.load_texts(&source_dir);
                Report::compute(&study, tokens)
            },
        ));
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, ws: &Workspace) {
        // A computation that panicked ends as a message: the window never waits forever.
        if let Some(result) = self.job.as_mut().and_then(crate::gui::jobs::Task::poll) {
            self.job = None;
            match result {
                Ok(report) => self.report = Some(report),
                Err(e) => self.message = Some(Err(format!("The agreement failed: {e}"))),
            }
        }
        ui.horizontal_wrapped(|ui| {
            ui.label("Annotators:");
            for (a, on) in &mut self.annotators {
                let name = if a == crate::core::review::CURATED {
                    "curated"
                } else {
                    a.as_str()
                };
                ui.checkbox(on, name);
            }
        });
        ui.horizontal(|ui| {
            ui.label("Tokens:");
            ui.selectable_value(
                &mut self.tokens,
                Tokens::Whitespace,
                "whitespace (as bratiaa)",
            );
            ui.selectable_value(&mut self.tokens, Tokens::Words, "Unicode words");
            let enough = self.chosen().len() >= 2;
            if ui
                .add_enabled(enough && !self.is_running(), egui::Button::new("Compute"))
                .clicked()
            {
                self.start(ui.ctx(), ws);
            }
            if self.is_running() {
                ui.spinner();
            } else if !enough {
                ui.weak("Pick two or more annotators.");
            }
        });
        let Some(report) = self.report.clone() else {
            // A failed computation says so even when there are no figures to show.
            if let Some(Err(m)) = &self.message {
                ui.colored_label(ui.visuals().error_fg_color, m);
            }
            return;
        };
        ui.separator();
        ui.label(format!(
            "{} on {} · {}",
            report.annotators.join(", "),
            crate::gui::count(report.documents.len(), "document", "documents"),
            crate::gui::count(report.token.items, "token", "tokens")
        ));
        for w in &report.warnings {
            ui.colored_label(ui.visuals().warn_fg_color, w);
        }
        self.save_ui(ui, ws, &report);
        egui::ScrollArea::vertical().show(ui, |ui| {
            summary_table(ui, &report);
            ui.add_space(8.0);
            ui.strong("Per label");
            label_chart(ui, &report);
            ui.add_space(8.0);
            ui.strong("Pairs (exact span F1 · Cohen's κ on tokens)");
            pair_matrix(ui, &report);
            ui.add_space(8.0);
            ui.strong("Pairs: precision, recall, F1 (the first against the second as reference)");
            pair_table(ui, &report);
        });
    }

    fn save_ui(&mut self, ui: &mut egui::Ui, ws: &Workspace, report: &Report) {
        ui.horizontal(|ui| {
            ui.label("Save to:");
            ui.add(egui::TextEdit::singleline(&mut self.path).desired_width(260.0));
            let save = |json: bool, this: &mut Self| {
                let mut path = PathBuf::from(this.path.trim());
                if path.is_relative() {
                    path =
                        crate::formats::export::beside_project(&ws.project().root, "").join(path);
                }
                if json {
                    path.set_extension("json");
                } else {
                    path.set_extension("csv");
                }
                let name = path
                    .file_name()
                    .map_or_else(|| "agreement.csv".into(), |n| n.to_string_lossy());
                if let Err(why) = crate::formats::export::check_outside(
                    &ws.project().root,
                    &ws.project().source_dir,
                    &path,
                    &name,
                ) {
                    this.message = Some(Err(why));
                    return;
                }
                if path.exists() && this.confirm_replace.as_ref() != Some(&path) {
                    this.message = Some(Err(format!(
                        "{} exists: press Save again to replace it",
                        path.display()
                    )));
                    this.confirm_replace = Some(path);
                    return;
                }
                let body = if json {
                    serde_json::to_string_pretty(report).unwrap_or_default() + "\n"
                } else {
                    report.to_csv()
                };
                this.confirm_replace = None;
                this.message = Some(
                    crate::core::project::write_atomic(&path, body.as_bytes())
                        .map(|()| format!("Saved {}", path.display()))
                        .map_err(|e| format!("cannot write {}: {e}", path.display())),
                );
            };
            if ui.button("Save CSV").clicked() {
                save(false, self);
            }
            if ui.button("Save JSON").clicked() {
                save(true, self);
            }
        });
        super::outcome_ui(ui, self.message.as_ref());
    }
}

fn cell(ui: &mut egui::Ui, s: Option<MeanSd>) {
    match s {
        Some(s) if s.n > 1 => ui.label(format!("{:.3} ±{:.3}", s.mean, s.sd)),
        Some(s) => ui.label(format!("{:.3}", s.mean)),
        None => ui.weak("–"),
    };
}

fn num(ui: &mut egui::Ui, x: Option<f64>) {
    match x {
        Some(x) => ui.label(format!("{x:.3}")),
        None => ui.weak("–"),
    };
}

fn summary_table(ui: &mut egui::Ui, report: &Report) {
    egui::Grid::new("agreement-table")
        .striped(true)
        .num_columns(8)
        .show(ui, |ui| {
            for h in [
                "",
                "F1 exact",
                "F1 overlap",
                "F1 tokens",
                "Cohen's κ",
                "Fleiss' κ",
                "Krippendorff's α",
                "α unitizing",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            ui.strong("overall");
            cell(ui, report.exact.overall);
            cell(ui, report.overlap.overall);
            cell(ui, report.token_f1.overall);
            cell(ui, report.token.overall.cohen_mean);
            num(ui, report.token.overall.fleiss);
            num(ui, report.token.overall.alpha);
            num(ui, report.unitizing.overall);
            ui.end_row();
            for (label, c) in &report.token.per_label {
                ui.label(label);
                cell(ui, report.exact.per_label.get(label).copied());
                cell(ui, report.overlap.per_label.get(label).copied());
                cell(ui, report.token_f1.per_label.get(label).copied());
                cell(ui, c.cohen_mean);
                num(ui, c.fleiss);
                num(ui, c.alpha);
                num(
                    ui,
                    report.unitizing.per_label.get(label).and_then(|l| l.alpha),
                );
                ui.end_row();
            }
        });
}

fn label_chart(ui: &mut egui::Ui, report: &Report) {
    let labels: Vec<String> = report.token.per_label.keys().cloned().collect();
    #[allow(clippy::cast_precision_loss)]
    let series = |name: &str, offset: f64, value: &dyn Fn(&str) -> Option<f64>| {
        BarChart::new(
            name,
            labels
                .iter()
                .enumerate()
                .filter_map(|(i, l)| {
                    value(l).map(|v| Bar::new(i as f64 + offset, v).width(0.25).name(l))
                })
                .collect(),
        )
    };
    let f1 = series("F1 exact", -0.27, &|l| {
        report.exact.per_label.get(l).map(|s| s.mean)
    });
    let tokens = series("F1 tokens", 0.0, &|l| {
        report.token_f1.per_label.get(l).map(|s| s.mean)
    });
    let kappa = series("Cohen's κ", 0.27, &|l| {
        report
            .token
            .per_label
            .get(l)
            .and_then(|c| c.cohen_mean.map(|m| m.mean))
    });
    let names = labels.clone();
    Plot::new("agreement-per-label")
        .height(200.0)
        .legend(Legend::default())
        .include_y(0.0)
        .include_y(1.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| {
            plot.bar_chart(f1.color(Color32::from_rgb(78, 121, 167)));
            plot.bar_chart(tokens.color(Color32::from_rgb(118, 183, 178)));
            plot.bar_chart(kappa.color(Color32::from_rgb(242, 142, 43)));
        });
}

/// Annotator × annotator: exact span F1 above the diagonal, token kappa below.
fn pair_matrix(ui: &mut egui::Ui, report: &Report) {
    let names = &report.annotators;
    let kappa = |a: &str, b: &str| {
        report
            .token
            .overall
            .cohen
            .iter()
            .find(|(x, y, _)| (x == a && y == b) || (x == b && y == a))
            .and_then(|p| p.2)
    };
    egui::Grid::new("agreement-matrix").show(ui, |ui| {
        ui.label("");
        for n in names {
            ui.strong(n);
        }
        ui.end_row();
        for (i, a) in names.iter().enumerate() {
            ui.strong(a);
            for (j, b) in names.iter().enumerate() {
                let value = match i.cmp(&j) {
                    std::cmp::Ordering::Equal => None,
                    std::cmp::Ordering::Less => report.exact.pair_f1(a, b),
                    std::cmp::Ordering::Greater => kappa(a, b),
                };
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(64.0, 24.0), egui::Sense::hover());
                let fill = value.map_or(ui.visuals().faint_bg_color, heat);
                ui.painter().rect_filled(rect, 3.0, fill);
                ui.painter().text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}")),
                    egui::FontId::proportional(13.0),
                    Color32::WHITE,
                );
            }
            ui.end_row();
        }
    });
    ui.label(
        RichText::new("Above the diagonal: exact span F1; below: Cohen's κ on tokens.")
            .small()
            .weak(),
    );
}

/// Per pair, overall and per label: P / R / F1 with exact and with overlap matching.
fn pair_table(ui: &mut egui::Ui, report: &Report) {
    let num = |x: Option<f64>| x.map_or_else(|| "—".to_owned(), |v| format!("{v:.3}"));
    egui::Grid::new("agreement-pairs")
        .striped(true)
        .num_columns(8)
        .show(ui, |ui| {
            for h in ["Pair", "Scope", "P exact", "R exact", "F1 exact"] {
                ui.strong(h);
            }
            for h in ["P overlap", "R overlap", "F1 overlap"] {
                ui.strong(h);
            }
            ui.end_row();
            for (e, o) in report.exact.pairs.iter().zip(&report.overlap.pairs) {
                let rows = std::iter::once(("overall", &e.overall, &o.overall)).chain(
                    e.per_label
                        .iter()
                        .filter_map(|(k, f)| Some((k.as_str(), f, o.per_label.get(k)?))),
                );
                for (i, (scope, fe, fo)) in rows.enumerate() {
                    if i == 0 {
                        ui.label(format!("{} – {}", e.a, e.b));
                    } else {
                        ui.label("");
                    }
                    ui.label(scope);
                    for f in [fe, fo] {
                        ui.label(num(f.precision));
                        ui.label(num(f.recall));
                        ui.label(num(f.f1));
                    }
                    ui.end_row();
                }
            }
        });
}

/// Low agreement red, high green.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn heat(v: f64) -> Color32 {
    let t = v.clamp(0.0, 1.0);
    let r = (200.0 * (1.0 - t) + 40.0 * t) as u8;
    let g = (60.0 * (1.0 - t) + 150.0 * t) as u8;
    Color32::from_rgb(r, g, 70)
}

impl super::Window for AgreementWindow {
    fn title(&self) -> &'static str {
        super::AGREEMENT
    }

    fn default_size(&self) -> Option<egui::Vec2> {
        Some(egui::vec2(720.0, 560.0))
    }

    fn show(&mut self, ui: &mut egui::Ui, fc: &mut crate::gui::state::FrameCtx) {
        let Some(ws) = fc.ws() else { return };
        self.ui(ui, ws);
    }
}
