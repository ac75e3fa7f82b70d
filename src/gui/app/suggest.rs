//! Suggestions from the keyboard: F4 / Shift+F4 go to the next / previous one (selecting its
//! text, so a label key tags it too), Enter accepts it with its label and entity, Delete rejects
//! it (never proposed again), and one command accepts every suggestion in the document. Each
//! acceptance is an undoable edit; the tallies and rejections go to `suggestions.json`.

use super::App;
use crate::core::workspace::Place;
use crate::gui::action::Action;
use crate::gui::commands::Command;

impl App {
    /// Runs a suggestion command; `false` if `command` is not one.
    pub(super) fn suggestion_command(&mut self, command: Command) -> bool {
        let focused = self.state.selected.is_none()
            && self.session.as_ref().is_some_and(|s| {
                s.suggestions
                    .focused_in(self.state.current_doc.as_deref())
                    .is_some()
            });
        match command {
            Command::NextSuggestion => self.step_suggestion(true),
            Command::PreviousSuggestion => self.step_suggestion(false),
            Command::AcceptSuggestion => self.accept_suggestion(None),
            Command::EditNote if focused => self.accept_suggestion(None),
            Command::RejectSuggestion => self.reject_suggestion(),
            Command::DeleteAnnotation if focused => self.reject_suggestion(),
            Command::AcceptAllSuggestions => self.accept_all_suggestions(),
            Command::ToggleSuggestions => self.toggle_suggestions(),
            Command::TrainSuggestions => self.train_suggestions(),
            Command::SuggestionSettings => self
                .windows
                .toggle(crate::gui::windows::SuggestionsWindow::default),
            _ => return false,
        }
        true
    }

    fn step_suggestion(&mut self, forward: bool) {
        let caret = self.state.caret.unwrap_or(0);
        let Some(session) = &mut self.session else {
            return;
        };
        let Some(s) = session.suggestions.step(forward, caret).cloned() else {
            return;
        };
        self.state.selected = None;
        self.state.selection = Some(s.range.clone());
        self.state.caret_anchor = Some(s.range.start);
        self.state.caret = Some(s.range.end);
        self.actions.push(Action::RevealChar(s.range.start));
        let entity = s
            .entity
            .as_deref()
            .and_then(|id| session.ws.project().entities.get(id))
            .map(|e| format!(", {}", e.name))
            .unwrap_or_default();
        self.say(
            format!(
                "Suggestion: {}{entity} ({}) — Enter accepts, Delete rejects, F4 next",
                s.label, s.provenance
            ),
            false,
        );
    }

    /// Accepts the focused suggestion, with `label` instead of its own when given (a label
    /// key pressed on it; its entity then only if the label is the same).
    pub(super) fn accept_suggestion(&mut self, label: Option<&str>) {
        let layer_name = self.layer_name().to_owned();
        let (Some(session), Some(doc)) = (&mut self.session, self.state.current_doc.clone()) else {
            return;
        };
        let Some(s) = session.suggestions.take_focused() else {
            return;
        };
        let chosen = label.unwrap_or(&s.label).to_owned();
        let place = Place {
            document: doc,
            range: s.range.clone(),
            entity: s.entity.clone().filter(|_| chosen == s.label),
            attributes: if chosen == s.label {
                s.attributes.clone()
            } else {
                Vec::new()
            },
            label: chosen.clone(),
            snap: false,
        };
        match session
            .ws
            .annotate_places(&layer_name, &[place], "accept suggestion")
        {
            Ok(report) => {
                session
                    .suggestions
                    .settings
                    .accepted(&chosen, report.total() as u64);
                let saved = session.suggestions.save(&session.ws.project().root);
                self.state.selection = None;
                self.state.caret_anchor = None;
                match saved {
                    Ok(()) => self.say(
                        format!("Accepted: {chosen} (Ctrl+Z undoes; F4 goes on)"),
                        false,
                    ),
                    Err(e) => self.say(e, true),
                }
            }
            Err(err) => self.say(err.to_string(), true),
        }
    }

    fn reject_suggestion(&mut self) {
        let (Some(session), Some(doc)) = (&mut self.session, self.state.current_doc.clone()) else {
            return;
        };
        let Some(s) = session.suggestions.take_focused() else {
            return;
        };
        session.suggestions.settings.reject(&doc, &s);
        let saved = session.suggestions.save(&session.ws.project().root);
        self.state.selection = None;
        self.state.caret_anchor = None;
        match saved {
            Ok(()) => self.say(
                "Rejected: it will not be proposed again (F4 goes on)",
                false,
            ),
            Err(e) => self.say(e, true),
        }
    }

    fn accept_all_suggestions(&mut self) {
        let layer_name = self.layer_name().to_owned();
        let (Some(session), Some(doc)) = (&mut self.session, self.state.current_doc.clone()) else {
            return;
        };
        if session.suggestions.document.as_deref() != Some(doc.as_str()) {
            return;
        }
        let places: Vec<Place> = session
            .suggestions
            .here
            .iter()
            .map(|s| Place {
                document: doc.clone(),
                range: s.range.clone(),
                label: s.label.clone(),
                entity: s.entity.clone(),
                attributes: s.attributes.clone(),
                snap: false,
            })
            .collect();
        match session
            .ws
            .annotate_places(&layer_name, &places, "accept suggestions")
        {
            Ok(report) => {
                for p in &places {
                    session.suggestions.settings.accepted(&p.label, 1);
                }
                session.suggestions.here.clear();
                session.suggestions.focused = None;
                let saved = session.suggestions.save(&session.ws.project().root);
                let text = format!(
                    "Accepted {} suggestion(s) in this document as one step (Ctrl+Z undoes)",
                    report.total()
                );
                match saved {
                    Ok(()) => self.say(text, false),
                    Err(e) => self.say(e, true),
                }
            }
            Err(err) => self.say(err.to_string(), true),
        }
    }

    fn train_suggestions(&mut self) {
        let Some(session) = &mut self.session else {
            return;
        };
        let settings = &session.suggestions.settings;
        if !settings.enabled || !settings.learned.enabled {
            self.say(
                "Learned suggestions are off (Suggestion settings turns them on)",
                true,
            );
            return;
        }
        session.learning.asked = true;
        self.say(
            "Training the learned suggestions on your coding (in the background)",
            false,
        );
    }

    fn toggle_suggestions(&mut self) {
        let Some(session) = &mut self.session else {
            return;
        };
        if let Some(problem) = &session.suggestions.problem {
            let problem = problem.clone();
            self.say(format!("Suggestions are off: {problem}"), true);
            return;
        }
        let on = !session.suggestions.settings.enabled;
        session.suggestions.settings.enabled = on;
        let saved = session.suggestions.save(&session.ws.project().root);
        match saved {
            Ok(()) => self.say(
                if on {
                    "Suggestions on: dashed outlines; F4 goes to the next"
                } else {
                    "Suggestions off"
                },
                false,
            ),
            Err(e) => self.say(e, true),
        }
    }
}
