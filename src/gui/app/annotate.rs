//! Tagging: the selected span stepped through, its edges moved, a label applied to the
//! selection (or to many places at once, planned on a job).

use super::App;
use crate::core::text::EdgeUnit;
use crate::gui::action::Action;

impl App {
    /// Selects the next (or previous) annotation in document order, scrolling to it if needed.
    pub(super) fn step_annotation(&mut self, forward: bool) {
        let Some(layer) = self.current_layer() else {
            return;
        };
        let all = layer.annotations();
        if all.is_empty() {
            return;
        }
        let current = self
            .state
            .selected
            .as_deref()
            .and_then(|id| all.iter().position(|a| a.id == id));
        let next = match (current, forward) {
            (Some(i), true) => (i + 1) % all.len(),
            (Some(i), false) => (i + all.len() - 1) % all.len(),
            (None, true) => 0,
            (None, false) => all.len() - 1,
        };
        let Some(target) = all.get(next) else { return };
        let (id, start) = (target.id.to_string(), target.start);
        self.state.selected = Some(id);
        self.state.selection = None;
        if self.char_screen_pos(start).is_none() {
            self.actions.push(Action::RevealChar(start));
        }
    }

    /// Moves one edge of the selected span by a grapheme or a word (Shift+arrows).
    pub(super) fn move_edge(&mut self, start_edge: bool, forward: bool, unit: EdgeUnit) {
        let (Some(id), Some(text)) = (self.state.selected.clone(), self.current_text()) else {
            return;
        };
        let Some(annotation) = self.current_layer().and_then(|l| l.get(&id)) else {
            return;
        };
        let (start, end) = (annotation.start, annotation.end);
        let edge = if start_edge { start } else { end };
        let Some(moved) = text.text.edge_step(edge, forward, unit) else {
            return;
        };
        let range = if start_edge { moved..end } else { start..moved };
        if range.start < range.end {
            self.edit(|ws, key| ws.resize(key, &id, range));
        }
    }

    /// Labels many places in one undo step and says what it did.
    /// Labels many places in one undo step: the spans are prepared on a job (texts read,
    /// snapped, context cut), then applied when it is done (`finish_annotate_many`).
    pub(super) fn annotate_many(
        &mut self,
        ctx: &egui::Context,
        label: &str,
        entity: Option<&str>,
        places: &[(String, std::ops::Range<usize>)],
    ) {
        let layer_name = self.layer_name().to_owned();
        let Some(session) = &self.session else {
            return;
        };
        let places: Vec<crate::core::workspace::Place> = places
            .iter()
            .map(|(document, range)| crate::core::workspace::Place {
                document: document.clone(),
                range: range.clone(),
                label: label.to_owned(),
                attributes: Vec::new(),
                entity: entity.map(str::to_owned),
                snap: true,
            })
            .collect();
        let count = places.len();
        match session
            .ws
            .plan_places(&layer_name, places, &format!("add {label}"))
        {
            Ok(job) => {
                let started = self.jobs.run(ctx, "label-all", move || {
                    crate::gui::action::Done::PlacesPlanned(Box::new(job.run()))
                });
                match started {
                    Ok(()) => self.say(format!("Labelling {count} place(s) as {label}…"), false),
                    Err(e) => self.say(format!("Nothing was labelled: {e}"), true),
                }
            }
            Err(err) => self.say(format!("Nothing was labelled: {err}"), true),
        }
    }

    /// Applies prepared spans as one undo step and says what it did.
    pub(super) fn finish_annotate_many(
        &mut self,
        planned: Result<
            crate::core::workspace::PlannedPlaces,
            crate::core::workspace::WorkspaceError,
        >,
    ) {
        let Some(session) = &mut self.session else {
            return;
        };
        match planned.and_then(|p| session.ws.apply_planned(p)) {
            Ok(report) => {
                let mut text = format!(
                    "Labelled {} place(s) in {} document(s)",
                    report.total(),
                    report.added.len()
                );
                if report.duplicates > 0 {
                    text = format!("{text}; {} were already tagged", report.duplicates);
                }
                text.push_str(" (Ctrl+Z takes it back)");
                self.say(text, false);
            }
            Err(err) => self.say(format!("Nothing was labelled: {err}"), true),
        }
    }

    pub(super) fn apply_label(&mut self, label: &str) {
        let layer_name = self.layer_name().to_owned();
        let (Some(session), Some(doc)) = (&mut self.session, self.state.current_doc.clone()) else {
            return;
        };
        // A label key on the suggestion F4 went to accepts it (with this label).
        if self.state.selection.is_some()
            && session
                .suggestions
                .focused_in(Some(doc.as_str()))
                .is_some_and(|s| Some(&s.range) == self.state.selection.as_ref())
        {
            self.accept_suggestion(Some(label));
            return;
        }
        if let Some(range) = self.state.selection.clone() {
            match session.ws.add_span(&doc, &layer_name, range, label) {
                Ok(id) => {
                    self.state.selected = Some(id);
                    self.state.selection = None;
                }
                Err(err) => self.say(err.to_string(), true),
            }
        } else if let Some(id) = self.state.selected.clone() {
            let relations = |app: &Self| app.current_layer().map_or(0, |l| l.relations().len());
            let before = relations(self);
            self.edit(|ws, key| ws.relabel(key, &id, label));
            let dropped = before.saturating_sub(relations(self));
            if dropped > 0 {
                self.say(
                    format!(
                        "Relabelled as {label}; {dropped} relation(s) that no longer fit were \
                         removed (Ctrl+Z undoes)."
                    ),
                    false,
                );
            }
        } else {
            self.say(
                "Select some text first (drag over it), then press the label's key.",
                false,
            );
        }
    }
}
