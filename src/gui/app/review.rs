//! Review and curation: stepping through disagreements across documents, and the curator's
//! decisions (each one undo step in the curated layer).

use std::ops::Range;

use super::App;
use crate::gui::action::{Action, Curate};

impl App {
    /// Shows a disagreement found by F8: its document, the cluster focused in the panel, the
    /// text scrolled to it.
    pub(super) fn go_to_disagreement(&mut self, doc: &str, range: Range<usize>) {
        if self.state.current_doc.as_deref() != Some(doc) {
            self.select_document(doc);
        }
        if let Some(review) = self.panels.review.as_mut() {
            review.focus = Some(range.clone());
        }
        self.actions.push(Action::RevealChar(range.start));
    }

    /// F8 / Shift+F8: the next disagreement in this document from the panel's diff, else the
    /// other documents are searched on a job.
    pub(super) fn step_disagreement(&mut self, ctx: &egui::Context, forward: bool) {
        use crate::core::review;
        let (Some(session), Some(doc), Some(r)) = (
            &mut self.session,
            self.state.current_doc.clone(),
            self.panels.review.as_ref(),
        ) else {
            return;
        };
        let from = match &r.focus {
            Some(f) => f.start,
            None if forward => 0,
            None => usize::MAX,
        };
        if let Some(range) = r
            .current_diff(&doc)
            .and_then(|d| review::next_in_document(d, from, forward, r.undecided_only))
        {
            self.go_to_disagreement(&doc, range);
            return;
        }
        let search = review::StepSearch::new(
            session.ws.project(),
            &r.compare,
            (&doc, from),
            forward,
            r.undecided_only,
        );
        let started = self.jobs.run(ctx, "step", move || {
            crate::gui::action::Done::FoundDisagreement(search.run())
        });
        if started.is_ok() {
            session.stepping = true;
            self.say("Looking for the next disagreement…", false);
        }
    }

    /// The curator's decision, into the curated layer (one undo step).
    pub(super) fn curate(&mut self, decision: Curate) {
        use crate::core::review;
        let (Some(session), Some(doc)) = (&mut self.session, self.state.current_doc.clone()) else {
            return;
        };
        let ws = &mut session.ws;
        let curator = self.prefs.annotator.as_str();
        let result = match decision {
            Curate::Accept { annotator, ids } => review::accept(ws, &doc, &annotator, &ids)
                .map(|n| format!("Accepted {n} span(s) from {annotator}")),
            Curate::AcceptRelation { annotator, id } => {
                review::accept_relation(ws, &doc, &annotator, &id)
                    .map(|()| format!("Accepted a relation from {annotator}"))
            }
            Curate::Reject { annotator, id } => review::reject(ws, &doc, &annotator, &id, curator)
                .map(|()| format!("Rejected a span of {annotator}")),
            Curate::RejectRelation { annotator, id } => {
                review::reject_relation(ws, &doc, &annotator, &id, curator)
                    .map(|()| format!("Rejected a relation of {annotator}"))
            }
            Curate::AcceptAgreed { all_documents } => {
                let documents: Vec<String> = if all_documents {
                    ws.project()
                        .documents
                        .iter()
                        .map(|d| d.path.clone())
                        .collect()
                } else {
                    vec![doc.clone()]
                };
                let annotators: Vec<String> = self
                    .panels
                    .review
                    .as_ref()
                    .map(|r| {
                        r.compare
                            .iter()
                            .filter(|a| *a != review::CURATED)
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                review::accept_agreed(ws, &documents, &annotators).map(|done| {
                    format!(
                        "Accepted {} agreed spans and {} relations in {} document(s) (Ctrl+Z undoes)",
                        done.spans, done.relations, done.documents
                    )
                })
            }
        };
        match result {
            Ok(message) => {
                self.say(message, false);
            }
            Err(err) => self.say(err.to_string(), true),
        }
    }
}
