//! The UI's state by lifetime: [`Prefs`] persist across runs (eframe storage, never project
//! data); [`UiState`] is what the user is looking at and pointing to now; [`FrameCtx`] is what
//! a panel, dialog or window gets to draw one frame: read access to everything, and the queue
//! to push actions to.

use std::ops::Range;
use std::path::PathBuf;

use super::action::ActionQueue;
use super::commands::Availability;
use super::session::Session;
use crate::core::Workspace;
use crate::core::project::LayerKey;

const STORAGE_ANNOTATOR: &str = "annotator";
const STORAGE_LAST_PROJECT: &str = "last_project";
const STORAGE_RECENT: &str = "recent_projects";
const STORAGE_SHOW_COLLEAGUES: &str = "show_colleagues";
const STORAGE_POSITIONS: &str = "positions";
const STORAGE_WELCOMED: &str = "welcomed";
const STORAGE_WELCOME_AGAIN: &str = "welcome_again";

/// Preferences kept between runs.
#[derive(Debug, Clone, Default)]
pub struct Prefs {
    pub annotator: String,
    /// Projects opened lately, the latest first.
    pub recent: Vec<PathBuf>,
    /// The project open when the app last stopped.
    pub last_project: Option<PathBuf>,
    /// Colleagues' annotations drawn (faint, read-only) under one's own.
    pub show_colleagues: bool,
    /// Where each project was left: the document and the first character on screen.
    pub positions: std::collections::BTreeMap<PathBuf, (String, usize)>,
    /// "How to annotate" was dismissed for good ("Got it").
    pub welcomed: bool,
    /// It was closed for now ("Show it next time", Esc): it comes back at the next start.
    pub welcome_again: bool,
}

impl Prefs {
    pub fn load(storage: Option<&dyn eframe::Storage>) -> (Self, Option<String>) {
        let stored = |key: &str| storage.and_then(|s| s.get_string(key));
        let recent = storage
            .and_then(|s| eframe::get_value::<Vec<PathBuf>>(s, STORAGE_RECENT))
            .unwrap_or_default();
        let prefs = Self {
            annotator: String::new(),
            recent,
            last_project: stored(STORAGE_LAST_PROJECT).map(PathBuf::from),
            show_colleagues: stored(STORAGE_SHOW_COLLEAGUES).is_some_and(|v| v == "true"),
            positions: storage
                .and_then(|s| eframe::get_value(s, STORAGE_POSITIONS))
                .unwrap_or_default(),
            welcomed: stored(STORAGE_WELCOMED).is_some_and(|v| v == "true"),
            welcome_again: stored(STORAGE_WELCOME_AGAIN).is_some_and(|v| v == "true"),
        };
        (prefs, stored(STORAGE_ANNOTATOR))
    }

    pub fn store(&self, storage: &mut dyn eframe::Storage, open_project: Option<&Workspace>) {
        storage.set_string(STORAGE_ANNOTATOR, self.annotator.clone());
        if let Some(ws) = open_project {
            let root = ws
                .project
                .root
                .canonicalize()
                .unwrap_or_else(|_| ws.project.root.clone());
            storage.set_string(STORAGE_LAST_PROJECT, root.display().to_string());
        }
        eframe::set_value(storage, STORAGE_RECENT, &self.recent);
        storage.set_string(STORAGE_SHOW_COLLEAGUES, self.show_colleagues.to_string());
        eframe::set_value(storage, STORAGE_POSITIONS, &self.positions);
        storage.set_string(STORAGE_WELCOMED, self.welcomed.to_string());
        storage.set_string(STORAGE_WELCOME_AGAIN, self.welcome_again.to_string());
    }

    /// Puts a project at the top of the recent list.
    pub fn opened(&mut self, path: PathBuf) {
        let canonical = path.canonicalize().unwrap_or(path);
        self.recent.retain(|p| *p != canonical);
        self.recent.insert(0, canonical);
        self.recent.truncate(10);
    }
}

/// A relation being made: its source, and the target candidate (Tab moves it).
#[derive(Debug, Clone)]
pub struct Linking {
    pub from: String,
    pub target: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StatusMessage {
    pub text: String,
    pub is_error: bool,
}

/// A project being read on a background thread.
#[derive(Debug, Clone)]
pub struct Opening {
    pub ticket: super::jobs::Ticket,
    pub path: PathBuf,
    pub document: Option<String>,
    /// Who the lock was taken for (the annotator may be changed while the project loads).
    pub annotator: String,
}

/// What the user is looking at and pointing to.
#[derive(Debug, Default)]
pub struct UiState {
    pub current_doc: Option<String>,
    /// The selected span of the current layer.
    pub selected: Option<String>,
    /// Selected text, not yet tagged (a label key tags it).
    pub selection: Option<Range<usize>>,
    /// The keyboard caret in the current document (before this character).
    pub caret: Option<usize>,
    /// Where a Shift+arrow selection started (the other end is the caret).
    pub caret_anchor: Option<usize>,
    /// Files and folders are chosen in the in-app chooser (`--builtin-file-dialog`, or the
    /// system has no file dialog).
    pub builtin_file_dialog: bool,
    /// A character to scroll to once the current text is read (it is read on a job).
    pub pending_reveal: Option<usize>,
    /// Choosing the target of a new relation (after R).
    pub linking: Option<Linking>,
    /// The document view edits the curated layer (an explicit choice in the review panel).
    pub curating: bool,
    pub status: Option<StatusMessage>,
    /// A project being opened.
    pub opening: Option<Opening>,
    /// A text field had keyboard focus at the end of the last frame. egui drops focus on
    /// Escape before the frame's code runs, so this is what tells "Esc left the field" from
    /// "Esc clears the selection".
    pub was_typing: bool,
}

impl UiState {
    /// The layer the document view shows and edits: one's own, or the curated layer while
    /// curating.
    pub fn layer_name<'a>(&self, annotator: &'a str) -> &'a str {
        if self.curating {
            crate::core::review::CURATED
        } else {
            annotator
        }
    }

    /// The selection as the undo history keeps it.
    pub fn history_selection(&self) -> crate::core::history::Selection {
        crate::core::history::Selection {
            document: self.current_doc.clone(),
            span: self.selected.clone(),
            text: self.selection.clone(),
        }
    }

    pub fn say(&mut self, text: impl Into<String>, is_error: bool) {
        self.status = Some(StatusMessage {
            text: text.into(),
            is_error,
        });
    }
}

/// What a panel, dialog or window gets to draw one frame.
pub struct FrameCtx<'a> {
    pub session: Option<&'a Session>,
    pub state: &'a UiState,
    pub prefs: &'a Prefs,
    /// Which commands can run now.
    pub now: Availability,
    pub actions: &'a mut ActionQueue,
}

impl<'a> FrameCtx<'a> {
    pub fn ws(&self) -> Option<&'a Workspace> {
        self.session.map(|s| &s.ws)
    }

    pub fn annotator(&self) -> &str {
        &self.prefs.annotator
    }

    /// The layer the document view shows and edits.
    pub fn layer_name(&self) -> &str {
        self.state.layer_name(&self.prefs.annotator)
    }

    /// The current document's layer key (the layer may not exist yet).
    pub fn current_key(&self) -> Option<LayerKey> {
        Some(LayerKey::new(
            self.state.current_doc.clone()?,
            self.layer_name().to_owned(),
        ))
    }

    /// The current layer, if it has been made.
    pub fn current_layer(&self) -> Option<&'a crate::core::AnnotationLayer> {
        let key = self.current_key()?;
        self.session?.ws.project.layers.get(&key)
    }

    /// The schema's labels with their keys, for lists of labels to pick from.
    pub fn label_keys(&self) -> Vec<(String, Option<String>)> {
        self.ws().map_or_else(Vec::new, |ws| {
            ws.project
                .schema()
                .labels
                .iter()
                .map(|l| (l.name.clone(), l.hotkey.clone()))
                .collect()
        })
    }
}
