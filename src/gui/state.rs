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

/// Where the preferences are kept in eframe's storage: one value, serialised whole.
const STORAGE_PREFS: &str = "prefs";

/// The keys tagdesk kept its preferences under before they were one value: read once, when
/// there is no `prefs` yet, and written back as one.
mod legacy {
    pub const ANNOTATOR: &str = "annotator";
    pub const LAST_PROJECT: &str = "last_project";
    pub const RECENT: &str = "recent_projects";
    pub const SHOW_COLLEAGUES: &str = "show_colleagues";
    pub const POSITIONS: &str = "positions";
    pub const WELCOMED: &str = "welcomed";
    pub const WELCOME_AGAIN: &str = "welcome_again";
}

/// Preferences kept between runs (serialised whole through eframe's storage).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
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
    /// Shared projects sync by themselves this many minutes after the last sync (0: only when
    /// asked).
    pub team_sync_minutes: u32,
}

impl Prefs {
    /// The stored preferences (the annotator apart: `None` when none was stored yet, i.e.
    /// on the first start).
    pub fn load(storage: Option<&dyn eframe::Storage>) -> (Self, Option<String>) {
        if let Some(prefs) = storage.and_then(|s| eframe::get_value::<Self>(s, STORAGE_PREFS)) {
            let annotator = Some(prefs.annotator.clone()).filter(|a| !a.is_empty());
            return (
                Self {
                    annotator: String::new(),
                    ..prefs
                },
                annotator,
            );
        }
        let stored = |key: &str| storage.and_then(|s| s.get_string(key));
        let flag = |key: &str| stored(key).is_some_and(|v| v == "true");
        let prefs = Self {
            annotator: String::new(),
            recent: storage
                .and_then(|s| eframe::get_value(s, legacy::RECENT))
                .unwrap_or_default(),
            last_project: stored(legacy::LAST_PROJECT).map(PathBuf::from),
            show_colleagues: flag(legacy::SHOW_COLLEAGUES),
            positions: storage
                .and_then(|s| eframe::get_value(s, legacy::POSITIONS))
                .unwrap_or_default(),
            welcomed: flag(legacy::WELCOMED),
            welcome_again: flag(legacy::WELCOME_AGAIN),
            team_sync_minutes: 0,
        };
        (prefs, stored(legacy::ANNOTATOR))
    }

    /// Stores the preferences, with the open project (if any) as the last one.
    pub fn store(&self, storage: &mut dyn eframe::Storage, open_project: Option<&Workspace>) {
        let mut stored = self.clone();
        if let Some(ws) = open_project {
            let root = &ws.project().root;
            stored.last_project = Some(root.canonicalize().unwrap_or_else(|_| root.clone()));
        }
        eframe::set_value(storage, STORAGE_PREFS, &stored);
        for key in [
            legacy::ANNOTATOR,
            legacy::LAST_PROJECT,
            legacy::RECENT,
            legacy::SHOW_COLLEAGUES,
            legacy::POSITIONS,
            legacy::WELCOMED,
            legacy::WELCOME_AGAIN,
        ] {
            storage.remove_string(key);
        }
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
    /// A character to scroll to once the current text is read (it is read on a job), and
    /// whether its block goes to the very top (a place restored).
    pub pending_reveal: Option<(usize, bool)>,
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
        self.session?.ws.project().layers.get(&key)
    }

    /// The schema's labels with their keys, for lists of labels to pick from.
    pub fn label_keys(&self) -> Vec<(String, Option<String>)> {
        self.ws().map_or_else(Vec::new, |ws| {
            ws.project()
                .schema()
                .labels
                .iter()
                .map(|l| (l.name.clone(), l.hotkey.clone()))
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use eframe::Storage as _;

    use super::*;

    /// eframe's storage as a map (what it writes to disk is this, as RON).
    #[derive(Default)]
    struct Memory(std::collections::HashMap<String, String>);

    impl eframe::Storage for Memory {
        fn get_string(&self, key: &str) -> Option<String> {
            self.0.get(key).cloned()
        }
        fn set_string(&mut self, key: &str, value: String) {
            self.0.insert(key.to_owned(), value);
        }
        fn remove_string(&mut self, key: &str) {
            self.0.remove(key);
        }
        fn flush(&mut self) {}
    }

    #[test]
    fn preferences_come_back_whole_and_the_old_keys_are_read_once() {
        let prefs = Prefs {
            annotator: "maria".to_owned(),
            recent: vec![PathBuf::from("/p/a"), PathBuf::from("/p/b")],
            last_project: Some(PathBuf::from("/p/a")),
            show_colleagues: true,
            positions: [(PathBuf::from("/p/a"), ("002.txt".to_owned(), 906))].into(),
            welcomed: true,
            welcome_again: false,
            team_sync_minutes: 15,
        };
        let mut storage = Memory::default();
        prefs.store(&mut storage, None);
        assert_eq!(storage.0.len(), 1, "one value: {:?}", storage.0.keys());
        let (loaded, annotator) = Prefs::load(Some(&storage));
        assert_eq!(annotator.as_deref(), Some("maria"));
        assert_eq!(
            loaded,
            Prefs {
                annotator: String::new(),
                ..prefs.clone()
            }
        );
        // First start: nothing stored, no annotator.
        let (fresh, none) = Prefs::load(Some(&Memory::default()));
        assert_eq!((fresh, none), (Prefs::default(), None));
        // A storage of tagdesk before: the keys it wrote, one by one.
        let mut old = Memory::default();
        old.set_string(legacy::ANNOTATOR, "sam".to_owned());
        old.set_string(legacy::LAST_PROJECT, "/p/a".to_owned());
        old.set_string(legacy::SHOW_COLLEAGUES, "true".to_owned());
        old.set_string(legacy::WELCOMED, "true".to_owned());
        eframe::set_value(&mut old, legacy::RECENT, &prefs.recent);
        eframe::set_value(&mut old, legacy::POSITIONS, &prefs.positions);
        let (migrated, annotator) = Prefs::load(Some(&old));
        assert_eq!(annotator.as_deref(), Some("sam"));
        assert_eq!(
            migrated,
            Prefs {
                annotator: String::new(),
                // Old storage knew nothing of it.
                team_sync_minutes: 0,
                ..prefs
            }
        );
        // Stored again: one value, the old keys gone.
        Prefs {
            annotator: "sam".to_owned(),
            ..migrated
        }
        .store(&mut old, None);
        assert_eq!(old.0.keys().collect::<Vec<_>>(), ["prefs"]);
        assert_eq!(Prefs::load(Some(&old)).1.as_deref(), Some("sam"));
    }
}
