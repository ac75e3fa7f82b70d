//! Floating windows (schema editor, import/export, agreement, corpus search): each keeps its own
//! state and pushes actions; they remember their size (egui memory), and Esc closes the one in
//! front (see [`Windows::close_front`]).

pub mod agreement;
pub mod corpus_search;
pub mod entities;
pub mod interchange;
pub mod keys;
pub mod label_all;
pub mod network;
pub mod schema_editor;
pub mod suggestions;

use crate::gui::action::Action;
use crate::gui::state::FrameCtx;

const SCHEMA: &str = "Schema";
const ENTITIES: &str = "Entities";
const NETWORK: &str = "Network";
const SUGGESTIONS: &str = "Suggestion settings";
const KEYS: &str = "Keyboard reference";
const AGREEMENT: &str = "Agreement";
const SEARCH: &str = "Search all documents";
const EXPORT: &str = "Export annotations";
const IMPORT: &str = "Import annotations";

#[derive(Default)]
pub struct Windows {
    pub schema: Option<schema_editor::SchemaEditor>,
    pub interchange: Option<interchange::Interchange>,
    pub agreement: Option<agreement::AgreementWindow>,
    pub search: Option<corpus_search::CorpusSearch>,
    pub entities: Option<entities::EntitiesWindow>,
    pub network: Option<network::NetworkWindow>,
    pub suggestions: bool,
    pub keys: bool,
}

fn window_id(title: &str) -> egui::Id {
    egui::Id::unique(("tagdesk-window", title))
}

/// Folds the Network window to its title bar (`fold`) or unfolds it; returns whether it was
/// folded before.
pub fn fold_network(ctx: &egui::Context, fold: bool) -> bool {
    let id = window_id(NETWORK).with("collapsing");
    let mut state = egui::collapsing_header::CollapsingState::load_with_default_open(ctx, id, true);
    let was_folded = !state.is_open();
    state.set_open(!fold);
    state.store(ctx);
    was_folded
}

impl Windows {
    /// Where a window is on screen (last frame), by title.
    pub fn rect(ctx: &egui::Context, title: &str) -> Option<egui::Rect> {
        ctx.memory(|m| m.area_rect(window_id(title)))
    }

    pub fn any_open(&self) -> bool {
        self.schema.is_some()
            || self.entities.is_some()
            || self.network.is_some()
            || self.interchange.is_some()
            || self.agreement.is_some()
            || self.search.is_some()
            || self.suggestions
            || self.keys
    }

    /// Esc: closes the window in front (the one last clicked or opened). `true` if one was.
    pub fn close_front(&mut self, ctx: &egui::Context) -> bool {
        let open: Vec<&str> = [
            (self.schema.is_some(), SCHEMA),
            (self.entities.is_some(), ENTITIES),
            (self.network.is_some(), NETWORK),
            (self.suggestions, SUGGESTIONS),
            (self.keys, KEYS),
            (self.agreement.is_some(), AGREEMENT),
            (self.search.is_some(), SEARCH),
            (
                self.interchange
                    .as_ref()
                    .is_some_and(|w| w.mode == interchange::Mode::Export),
                EXPORT,
            ),
            (
                self.interchange
                    .as_ref()
                    .is_some_and(|w| w.mode == interchange::Mode::Import),
                IMPORT,
            ),
        ]
        .into_iter()
        .filter_map(|(is_open, title)| is_open.then_some(title))
        .collect();
        // The front-most of the open windows, by egui's layer order; else the last opened.
        let front = ctx
            .memory(|m| {
                let layers: Vec<egui::LayerId> = m.layer_ids().collect();
                layers
                    .into_iter()
                    .rev()
                    .find_map(|layer| open.iter().find(|t| window_id(t) == layer.id).copied())
            })
            .or_else(|| open.last().copied());
        match front {
            Some(SCHEMA) => self.schema = None,
            Some(ENTITIES) => self.entities = None,
            Some(NETWORK) => self.network = None,
            Some(SUGGESTIONS) => self.suggestions = false,
            Some(KEYS) => self.keys = false,
            Some(AGREEMENT) => self.agreement = None,
            Some(SEARCH) => {
                if let Some(mut search) = self.search.take() {
                    search.stop();
                }
            }
            Some(EXPORT | IMPORT) if self.interchange.as_ref().is_some_and(|w| !w.is_running()) => {
                self.interchange = None;
            }
            _ => return false,
        }
        true
    }

    pub fn ui(&mut self, ctx: &egui::Context, fc: &mut FrameCtx) {
        let max = ctx.content_rect().size() - egui::vec2(40.0, 80.0);
        if self.keys {
            let mut open = true;
            egui::Window::new(KEYS)
                .id(window_id(KEYS))
                .open(&mut open)
                .default_size([460.0_f32.min(max.x), 520.0_f32.min(max.y)])
                .max_size(max)
                .show(ctx, |ui| keys::ui(ui, fc.ws()));
            self.keys = open;
        }
        let Some(ws) = fc.session.map(|s| &s.ws) else {
            return;
        };
        if let Some(mut editor) = self.schema.take() {
            let mut open = true;
            let mut actions = Vec::new();
            egui::Window::new(SCHEMA)
                .id(window_id(SCHEMA))
                .open(&mut open)
                .default_size([720.0_f32.min(max.x), 480.0_f32.min(max.y)])
                .max_size(max)
                .show(ctx, |ui| actions = editor.ui(ui, ws));
            fc.actions.extend(actions);
            if open {
                self.schema = Some(editor);
            }
        }
        if let Some(mut window) = self.entities.take() {
            let mut open = true;
            let mut actions = Vec::new();
            egui::Window::new(ENTITIES)
                .id(window_id(ENTITIES))
                .open(&mut open)
                .default_size([940.0_f32.min(max.x), 420.0_f32.min(max.y)])
                .max_size(max)
                .show(ctx, |ui| actions = window.ui(ui, ws));
            fc.actions.extend(actions);
            if open {
                self.entities = Some(window);
            }
        }
        if self.suggestions
            && let Some(session) = fc.session
        {
            let mut open = true;
            let changed = egui::Window::new(SUGGESTIONS)
                .id(window_id(SUGGESTIONS))
                .open(&mut open)
                .resizable(false)
                .show(ctx, |ui| {
                    suggestions::ui(ui, &session.ws, &session.suggestions.settings)
                })
                .and_then(|r| r.inner)
                .flatten();
            if let Some(settings) = changed {
                fc.actions
                    .push(Action::SetSuggestionSettings(Box::new(settings)));
            }
            self.suggestions = open;
        }
        if let Some(mut window) = self.network.take() {
            let mut open = true;
            let mut actions = Vec::new();
            egui::Window::new(NETWORK)
                .id(window_id(NETWORK))
                .open(&mut open)
                .default_size([640.0_f32.min(max.x), 560.0_f32.min(max.y)])
                .max_size(max)
                .show(ctx, |ui| actions = window.ui(ui, ws));
            let jumped = actions.iter().any(|a| matches!(a, Action::RevealChar(_)));
            fc.actions.extend(actions);
            if jumped {
                // A jump to a claim: the window folds to its title bar so it does not cover
                // what it jumped to (its ▶, or Ctrl+Shift+N, unfolds it).
                fold_network(ctx, true);
                fc.actions.push(Action::Say {
                    text: "The Network window is folded so the claim shows: its ▶ or \
                           Ctrl+Shift+N unfolds it."
                        .to_owned(),
                    is_error: false,
                });
            }
            if open {
                self.network = Some(window);
            }
        }
        if let Some(mut window) = self.interchange.take() {
            let mut open = true;
            let title = match window.mode {
                interchange::Mode::Export => EXPORT,
                interchange::Mode::Import => IMPORT,
            };
            let mut action = None;
            egui::Window::new(title)
                .id(window_id(title))
                .open(&mut open)
                .collapsible(false)
                .default_width(560.0_f32.min(max.x))
                .max_size(max)
                .show(ctx, |ui| {
                    action = window.ui(ui, ws, fc.state.builtin_file_dialog);
                });
            fc.actions.extend(action);
            if open || window.is_running() {
                self.interchange = Some(window);
            }
        }
        if let Some(mut window) = self.agreement.take() {
            let mut open = true;
            egui::Window::new(AGREEMENT)
                .id(window_id(AGREEMENT))
                .open(&mut open)
                .default_size([720.0_f32.min(max.x), 560.0_f32.min(max.y)])
                .max_size(max)
                .show(ctx, |ui| window.ui(ui, ws));
            if open {
                self.agreement = Some(window);
            }
        }
        if let Some(mut search) = self.search.take() {
            let mut open = true;
            let annotator = fc.layer_name().to_owned();
            // Bottom right, under half the height: a hit it opens is scrolled near the top of
            // the text, so the window never covers the match it just selected.
            let screen = ctx.content_rect();
            let picked = egui::Window::new(SEARCH)
                .id(window_id(SEARCH))
                .open(&mut open)
                .pivot(egui::Align2::RIGHT_BOTTOM)
                .default_pos(screen.right_bottom() - egui::vec2(16.0, 40.0))
                .default_size([760.0_f32.min(max.x), (screen.height() * 0.45).min(420.0)])
                .max_size(max)
                .show(ctx, |ui| search.ui(ui, ws, &annotator))
                .and_then(|r| r.inner)
                .flatten();
            match picked {
                Some(corpus_search::Picked::Open { document, range }) => {
                    fc.actions.push(Action::SelectDocument(document));
                    fc.actions.push(Action::SetSelection(Some(range.clone())));
                    fc.actions.push(Action::RevealChar(range.start));
                }
                Some(corpus_search::Picked::Annotate { label, places }) => {
                    fc.actions.push(Action::AnnotateMany {
                        label,
                        entity: None,
                        places,
                    });
                }
                None => {}
            }
            if open {
                self.search = Some(search);
            } else {
                search.stop();
            }
        }
    }
}
