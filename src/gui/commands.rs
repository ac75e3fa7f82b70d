//! User commands: one enum gives every action its name, shortcut, availability and menu entry,
//! so menus, shortcuts and the command palette never drift apart. UI code queues commands (as
//! `Action::Command`); the app applies them at the end of the frame.

use egui::{Key, KeyboardShortcut, Modifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
pub enum Command {
    OpenProject,
    OpenFolder,
    Save,
    Export,
    Import,
    AddSources,
    RefreshSources,
    TeamSync,
    TeamWindow,
    TeamShare,
    TeamJoin,
    Quit,
    Undo,
    Redo,
    DeleteAnnotation,
    ClearSelection,
    NextDocument,
    PreviousDocument,
    MarkDone,
    ChangeAnnotator,
    About,
    NextAnnotation,
    PreviousAnnotation,
    GrowEnd,
    ShrinkEnd,
    GrowEndWord,
    ShrinkEndWord,
    GrowStart,
    ShrinkStart,
    GrowStartWord,
    ShrinkStartWord,
    EditNote,
    CommandPalette,
    LinkRelation,
    Find,
    FindNext,
    FindPrevious,
    SearchCorpus,
    EditSchema,
    Review,
    Agreement,
    NextDisagreement,
    PreviousDisagreement,
    ShowColleagues,
    Entities,
    Network,
    NextSuggestion,
    PreviousSuggestion,
    AcceptSuggestion,
    RejectSuggestion,
    AcceptAllSuggestions,
    ToggleSuggestions,
    SuggestionSettings,
    TrainSuggestions,
    KeyboardReference,
    HowToAnnotate,
    // Moving through the text from the keyboard (a caret; Shift extends a selection from it).
    CaretLeft,
    CaretRight,
    CaretWordLeft,
    CaretWordRight,
    CaretUp,
    CaretDown,
    LineStart,
    LineEnd,
    DocumentStart,
    DocumentEnd,
    PageUp,
    PageDown,
    ExtendUp,
    ExtendDown,
    ExtendLineStart,
    ExtendLineEnd,
}

impl Command {
    /// Every command, in declaration order (derived: a new variant cannot be forgotten).
    pub fn all() -> impl Iterator<Item = Self> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::OpenProject => "Open project…",
            Self::OpenFolder => "Open folder…",
            Self::Save => "Save",
            Self::Export => "Export…",
            Self::Import => "Import…",
            Self::AddSources => "Add sources (Word, Nexis, EPUB)…",
            Self::RefreshSources => "Convert sources again…",
            Self::TeamSync => "Sync with the team",
            Self::TeamWindow => "Team…",
            Self::TeamShare => "Share with a team…",
            Self::TeamJoin => "Join a team project…",
            Self::Quit => "Quit",
            Self::Undo => "Undo",
            Self::Redo => "Redo",
            Self::DeleteAnnotation => "Delete annotation",
            Self::ClearSelection => "Clear selection",
            Self::NextDocument => "Next document",
            Self::PreviousDocument => "Previous document",
            Self::MarkDone => "Mark document done",
            Self::ChangeAnnotator => "Change annotator…",
            Self::About => "About tagdesk",
            Self::HowToAnnotate => "How to annotate…",
            Self::NextSuggestion => "Next suggestion",
            Self::PreviousSuggestion => "Previous suggestion",
            Self::AcceptSuggestion => "Accept suggestion (Enter)",
            Self::RejectSuggestion => "Reject suggestion (Delete)",
            Self::AcceptAllSuggestions => "Accept every suggestion in this document",
            Self::ToggleSuggestions => "Suggestions on/off",
            Self::SuggestionSettings => "Suggestion settings…",
            Self::TrainSuggestions => "Train the learned suggestions now",
            Self::KeyboardReference => "Keyboard reference",
            Self::NextAnnotation => "Next annotation",
            Self::PreviousAnnotation => "Previous annotation",
            Self::GrowEnd => "Grow span end (or the selection) by a character",
            Self::ShrinkEnd => "Shrink span end (or extend the selection left) by a character",
            Self::GrowEndWord => "Grow span end (or the selection) by a word",
            Self::ShrinkEndWord => "Shrink span end (or extend the selection left) by a word",
            Self::GrowStart => "Grow span start by a character",
            Self::ShrinkStart => "Shrink span start by a character",
            Self::GrowStartWord => "Grow span start by a word",
            Self::ShrinkStartWord => "Shrink span start by a word",
            Self::EditNote => "Edit note",
            Self::CommandPalette => "Command palette…",
            Self::LinkRelation => "Link to another span…",
            Self::Find => "Find in document…",
            Self::FindNext => "Find next",
            Self::FindPrevious => "Find previous",
            Self::SearchCorpus => "Search all documents…",
            Self::EditSchema => "Edit schema…",
            Self::Review => "Review and curate",
            Self::Agreement => "Agreement…",
            Self::NextDisagreement => "Next disagreement",
            Self::PreviousDisagreement => "Previous disagreement",
            Self::ShowColleagues => "Show colleagues' annotations",
            Self::Entities => "Entities…",
            Self::Network => "Network…",
            Self::CaretLeft => "Caret left",
            Self::CaretRight => "Caret right",
            Self::CaretWordLeft => "Caret to the previous word",
            Self::CaretWordRight => "Caret to the next word",
            Self::CaretUp => "Caret up a line",
            Self::CaretDown => "Caret down a line",
            Self::LineStart => "Caret to the line start",
            Self::LineEnd => "Caret to the line end",
            Self::DocumentStart => "Go to the start of the document",
            Self::DocumentEnd => "Go to the end of the document",
            Self::PageUp => "Page up",
            Self::PageDown => "Page down",
            Self::ExtendUp => "Extend the selection up a line",
            Self::ExtendDown => "Extend the selection down a line",
            Self::ExtendLineStart => "Extend the selection to the line start",
            Self::ExtendLineEnd => "Extend the selection to the line end",
        }
    }

    /// Shortcuts, most specific first. The first is shown in menus.
    pub fn shortcuts(self) -> &'static [KeyboardShortcut] {
        const CTRL: Modifiers = Modifiers::COMMAND;
        const CTRL_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);
        const NONE: Modifiers = Modifiers::NONE;
        const SHIFT: Modifiers = Modifiers::SHIFT;
        const ALT_SHIFT: Modifiers = Modifiers::ALT.plus(Modifiers::SHIFT);
        const CTRL_ALT_SHIFT: Modifiers = Modifiers::COMMAND
            .plus(Modifiers::ALT)
            .plus(Modifiers::SHIFT);
        const fn sc(modifiers: Modifiers, key: Key) -> KeyboardShortcut {
            KeyboardShortcut::new(modifiers, key)
        }
        match self {
            Self::OpenProject => const { &[sc(CTRL, Key::O)] },
            Self::OpenFolder => const { &[sc(CTRL_SHIFT, Key::O)] },
            Self::Save => const { &[sc(CTRL, Key::S)] },
            Self::Export => const { &[sc(CTRL, Key::E)] },
            Self::Import => const { &[sc(CTRL, Key::I)] },
            Self::Quit => const { &[sc(CTRL, Key::Q)] },
            Self::Undo => const { &[sc(CTRL, Key::Z)] },
            Self::Redo => const { &[sc(CTRL_SHIFT, Key::Z), sc(CTRL, Key::Y)] },
            Self::DeleteAnnotation => const { &[sc(NONE, Key::Delete), sc(NONE, Key::Backspace)] },
            Self::ClearSelection => const { &[sc(NONE, Key::Escape)] },
            Self::NextDocument => {
                const { &[sc(Modifiers::ALT, Key::ArrowDown), sc(CTRL, Key::PageDown)] }
            }
            Self::PreviousDocument => {
                const { &[sc(Modifiers::ALT, Key::ArrowUp), sc(CTRL, Key::PageUp)] }
            }
            Self::MarkDone => const { &[sc(CTRL, Key::D)] },
            Self::TeamSync => const { &[sc(CTRL_SHIFT, Key::Y)] },
            Self::TeamWindow => const { &[sc(CTRL_SHIFT, Key::T)] },
            Self::TeamShare
            | Self::TeamJoin
            | Self::ChangeAnnotator
            | Self::AddSources
            | Self::RefreshSources
            | Self::About
            | Self::HowToAnnotate
            | Self::AcceptAllSuggestions
            | Self::ToggleSuggestions
            | Self::SuggestionSettings
            | Self::TrainSuggestions => &[],
            Self::EditSchema => const { &[sc(CTRL_SHIFT, Key::L)] },
            Self::Review => const { &[sc(CTRL_SHIFT, Key::R)] },
            Self::Agreement => const { &[sc(CTRL_SHIFT, Key::A)] },
            Self::NextDisagreement => const { &[sc(NONE, Key::F8)] },
            Self::PreviousDisagreement => const { &[sc(SHIFT, Key::F8)] },
            Self::NextAnnotation => const { &[sc(NONE, Key::Tab)] },
            Self::PreviousAnnotation => const { &[sc(SHIFT, Key::Tab)] },
            Self::GrowEnd => const { &[sc(SHIFT, Key::ArrowRight)] },
            Self::ShrinkEnd => const { &[sc(SHIFT, Key::ArrowLeft)] },
            Self::GrowEndWord => const { &[sc(CTRL_SHIFT, Key::ArrowRight)] },
            Self::ShrinkEndWord => const { &[sc(CTRL_SHIFT, Key::ArrowLeft)] },
            Self::GrowStart => const { &[sc(ALT_SHIFT, Key::ArrowLeft)] },
            Self::ShrinkStart => const { &[sc(ALT_SHIFT, Key::ArrowRight)] },
            Self::GrowStartWord => const { &[sc(CTRL_ALT_SHIFT, Key::ArrowLeft)] },
            Self::ShrinkStartWord => const { &[sc(CTRL_ALT_SHIFT, Key::ArrowRight)] },
            Self::EditNote => const { &[sc(NONE, Key::Enter)] },
            Self::CommandPalette => const { &[sc(CTRL_SHIFT, Key::P)] },
            Self::LinkRelation => const { &[sc(NONE, Key::R)] },
            Self::Find => const { &[sc(CTRL, Key::F)] },
            Self::SearchCorpus => const { &[sc(CTRL_SHIFT, Key::F)] },
            Self::FindNext => const { &[sc(NONE, Key::F3), sc(CTRL, Key::G)] },
            Self::FindPrevious => const { &[sc(SHIFT, Key::F3), sc(CTRL_SHIFT, Key::G)] },
            Self::ShowColleagues => const { &[sc(CTRL_SHIFT, Key::C)] },
            Self::Entities => const { &[sc(CTRL_SHIFT, Key::E)] },
            Self::Network => const { &[sc(CTRL_SHIFT, Key::N)] },
            Self::KeyboardReference => const { &[sc(NONE, Key::F1)] },
            Self::NextSuggestion => const { &[sc(NONE, Key::F4)] },
            Self::PreviousSuggestion => const { &[sc(SHIFT, Key::F4)] },
            Self::AcceptSuggestion => const { &[sc(CTRL, Key::Enter)] },
            Self::RejectSuggestion => const { &[sc(CTRL, Key::Delete)] },
            Self::CaretLeft => const { &[sc(NONE, Key::ArrowLeft)] },
            Self::CaretRight => const { &[sc(NONE, Key::ArrowRight)] },
            Self::CaretWordLeft => const { &[sc(CTRL, Key::ArrowLeft)] },
            Self::CaretWordRight => const { &[sc(CTRL, Key::ArrowRight)] },
            Self::CaretUp => const { &[sc(NONE, Key::ArrowUp)] },
            Self::CaretDown => const { &[sc(NONE, Key::ArrowDown)] },
            Self::LineStart => const { &[sc(NONE, Key::Home)] },
            Self::LineEnd => const { &[sc(NONE, Key::End)] },
            Self::DocumentStart => const { &[sc(CTRL, Key::Home)] },
            Self::DocumentEnd => const { &[sc(CTRL, Key::End)] },
            Self::PageUp => const { &[sc(NONE, Key::PageUp)] },
            Self::PageDown => const { &[sc(NONE, Key::PageDown)] },
            Self::ExtendUp => const { &[sc(SHIFT, Key::ArrowUp)] },
            Self::ExtendDown => const { &[sc(SHIFT, Key::ArrowDown)] },
            Self::ExtendLineStart => const { &[sc(SHIFT, Key::Home)] },
            Self::ExtendLineEnd => const { &[sc(SHIFT, Key::End)] },
        }
    }

    /// Commands that also work while the user types in a text field (the rest would steal
    /// keys the field needs: Delete, arrows, Tab, Enter, Ctrl+Z…).
    pub fn works_while_typing(self) -> bool {
        matches!(
            self,
            Self::OpenProject
                | Self::OpenFolder
                | Self::Save
                | Self::Export
                | Self::Import
                | Self::Quit
                | Self::NextDocument
                | Self::PreviousDocument
                | Self::MarkDone
                | Self::CommandPalette
                | Self::TeamSync
                | Self::Find
                | Self::FindNext
                | Self::FindPrevious
        )
    }

    /// Every shortcut, as on Linux and Windows ("Ctrl+S"), joined by " or ".
    pub fn shortcuts_text(self) -> String {
        self.shortcuts()
            .iter()
            .map(|s| s.format(&egui::ModifierNames::NAMES, false))
            .collect::<Vec<_>>()
            .join(" or ")
    }

    /// Text for menus ("Ctrl+S").
    pub fn shortcut_text(self, ctx: &egui::Context) -> String {
        self.shortcuts()
            .first()
            .map(|s| ctx.format_shortcut(s))
            .unwrap_or_default()
    }
}

/// The commands whose shortcut was pressed this frame (and consumes those key presses).
/// With `text_focused`, only commands that work while typing are taken.
/// `window_focused`: a widget of a floating window has the keyboard, so Tab and Shift+Tab
/// move it through the window's widgets, and do not step the annotations behind it.
pub fn pressed_commands(
    ctx: &egui::Context,
    text_focused: bool,
    window_focused: bool,
) -> Vec<Command> {
    let mut all: Vec<(Command, KeyboardShortcut)> = Command::all()
        .filter(|c| !text_focused || c.works_while_typing())
        .flat_map(|c| c.shortcuts().iter().map(move |&s| (c, s)))
        .filter(|(_, s)| !(window_focused && s.logical_key == Key::Tab))
        .collect();
    // Most specific first: egui matches a shortcut even when Shift or Alt are also held, so
    // Ctrl+Shift+Z must be tried before Ctrl+Z, Alt+Shift+← before Shift+←.
    all.sort_by_key(|(_, s)| std::cmp::Reverse(modifier_count(s.modifiers)));
    // A key pressed several times within one frame runs its command that many times.
    ctx.input_mut(|input| {
        all.into_iter()
            .flat_map(|(c, s)| {
                let times = input.count_and_consume_key(s.modifiers, s.logical_key);
                std::iter::repeat_n(c, times)
            })
            .collect()
    })
}

fn modifier_count(m: Modifiers) -> u8 {
    u8::from(m.alt) + u8::from(m.shift) + u8::from(m.command || m.ctrl)
}

/// What decides whether a command can run now: a few facts gathered once per frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[expect(clippy::struct_excessive_bools)]
pub struct Availability {
    pub project_open: bool,
    pub unsaved: bool,
    pub can_undo: bool,
    pub can_redo: bool,
    /// A span of the current layer is selected.
    pub span_selected: bool,
    /// Text is selected (not yet tagged).
    pub text_selected: bool,
    /// The current layer has spans.
    pub layer_has_spans: bool,
    /// The current document has suggestions.
    pub suggestions_here: bool,
    /// F4 went to a suggestion (and no span is selected).
    pub suggestion_focused: bool,
}

impl Command {
    /// Whether the command can run now (a menu entry is greyed out when not).
    pub fn available(self, now: &Availability) -> bool {
        match self {
            Self::Save => now.unsaved,
            Self::Export
            | Self::Import
            | Self::AddSources
            | Self::RefreshSources
            | Self::TeamSync
            | Self::TeamWindow
            | Self::TeamShare
            | Self::NextDocument
            | Self::PreviousDocument
            | Self::MarkDone
            | Self::Review
            | Self::Agreement
            | Self::SearchCorpus
            | Self::EditSchema
            | Self::Find
            | Self::FindNext
            | Self::FindPrevious
            | Self::NextDisagreement
            | Self::PreviousDisagreement
            | Self::ShowColleagues
            | Self::Entities
            | Self::Network
            | Self::CaretLeft
            | Self::CaretRight
            | Self::CaretWordLeft
            | Self::CaretWordRight
            | Self::CaretUp
            | Self::CaretDown
            | Self::LineStart
            | Self::LineEnd
            | Self::DocumentStart
            | Self::DocumentEnd
            | Self::PageUp
            | Self::PageDown
            | Self::ExtendUp
            | Self::ExtendDown
            | Self::ExtendLineStart
            | Self::ExtendLineEnd
            | Self::ToggleSuggestions
            | Self::SuggestionSettings
            | Self::TrainSuggestions => now.project_open,
            Self::Undo => now.can_undo,
            Self::Redo => now.can_redo,
            // With no span selected, they extend the text selection from the caret.
            Self::GrowEnd | Self::ShrinkEnd | Self::GrowEndWord | Self::ShrinkEndWord => {
                now.project_open
            }
            // Delete and Enter reject and accept a focused suggestion.
            Self::DeleteAnnotation | Self::EditNote => now.span_selected || now.suggestion_focused,
            Self::GrowStart
            | Self::ShrinkStart
            | Self::GrowStartWord
            | Self::ShrinkStartWord
            | Self::LinkRelation => now.span_selected,

            Self::NextAnnotation | Self::PreviousAnnotation => now.layer_has_spans,
            Self::NextSuggestion | Self::PreviousSuggestion | Self::AcceptAllSuggestions => {
                now.suggestions_here
            }
            Self::AcceptSuggestion | Self::RejectSuggestion => now.suggestion_focused,

            Self::ClearSelection => now.span_selected || now.text_selected,
            Self::OpenProject
            | Self::OpenFolder
            | Self::TeamJoin
            | Self::Quit
            | Self::ChangeAnnotator
            | Self::About
            | Self::HowToAnnotate
            | Self::KeyboardReference
            | Self::CommandPalette => true,
        }
    }
}

/// The menu bar's menus: each a title and its commands (`None` is a separator).
pub const MENUS: &[(&str, &[Option<Command>])] = &[
    (
        "File",
        &[
            Some(Command::OpenProject),
            Some(Command::OpenFolder),
            None,
            Some(Command::Save),
            Some(Command::Import),
            Some(Command::Export),
            Some(Command::AddSources),
            Some(Command::RefreshSources),
            None,
            Some(Command::Quit),
        ],
    ),
    (
        "Edit",
        &[
            Some(Command::Undo),
            Some(Command::Redo),
            None,
            Some(Command::DeleteAnnotation),
            Some(Command::ClearSelection),
            None,
            Some(Command::NextAnnotation),
            Some(Command::PreviousAnnotation),
            Some(Command::EditNote),
            Some(Command::LinkRelation),
            Some(Command::GrowEnd),
            Some(Command::ShrinkEnd),
            Some(Command::GrowEndWord),
            Some(Command::ShrinkEndWord),
            Some(Command::GrowStart),
            Some(Command::ShrinkStart),
            Some(Command::GrowStartWord),
            Some(Command::ShrinkStartWord),
            None,
            Some(Command::Find),
            Some(Command::FindNext),
            Some(Command::FindPrevious),
            Some(Command::SearchCorpus),
        ],
    ),
    (
        "Document",
        &[
            Some(Command::NextSuggestion),
            Some(Command::PreviousSuggestion),
            Some(Command::AcceptSuggestion),
            Some(Command::RejectSuggestion),
            Some(Command::AcceptAllSuggestions),
            Some(Command::ToggleSuggestions),
            Some(Command::SuggestionSettings),
            Some(Command::TrainSuggestions),
            None,
            Some(Command::NextDocument),
            Some(Command::PreviousDocument),
            Some(Command::MarkDone),
            Some(Command::EditSchema),
            Some(Command::Entities),
            None,
            Some(Command::ChangeAnnotator),
        ],
    ),
    (
        "Review",
        &[
            Some(Command::Review),
            Some(Command::NextDisagreement),
            Some(Command::PreviousDisagreement),
            Some(Command::ShowColleagues),
            None,
            Some(Command::Agreement),
            Some(Command::Network),
        ],
    ),
    (
        "Go",
        &[
            Some(Command::CaretLeft),
            Some(Command::CaretRight),
            Some(Command::CaretWordLeft),
            Some(Command::CaretWordRight),
            Some(Command::CaretUp),
            Some(Command::CaretDown),
            Some(Command::LineStart),
            Some(Command::LineEnd),
            None,
            Some(Command::PageUp),
            Some(Command::PageDown),
            Some(Command::DocumentStart),
            Some(Command::DocumentEnd),
            None,
            Some(Command::ExtendUp),
            Some(Command::ExtendDown),
            Some(Command::ExtendLineStart),
            Some(Command::ExtendLineEnd),
        ],
    ),
    (
        "Team",
        &[
            Some(Command::TeamSync),
            Some(Command::TeamWindow),
            None,
            Some(Command::TeamShare),
            Some(Command::TeamJoin),
        ],
    ),
    (
        "Help",
        &[
            Some(Command::HowToAnnotate),
            Some(Command::KeyboardReference),
            Some(Command::CommandPalette),
            Some(Command::About),
        ],
    ),
];

/// The keyboard reference as Markdown, from the command table (what `docs/manual/keys.md`
/// holds; a test keeps the two equal, so the manual never names a key that does nothing).
pub fn keyboard_reference_markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "# Keyboard reference\n\n\
         Generated from tagdesk's command table (`src/gui/commands.rs`); press **F1** in the app \
         for the same list. On macOS, Ctrl is ⌘.\n\n\
         Besides these: a label's key (1, 2, 3 … as the Labels panel shows) tags the selected text \
         or relabels the selected span; with a suggestion selected (F4), **Enter** accepts it and \
         **Delete** rejects it.\n",
    );
    for (menu, items) in MENUS {
        let rows: Vec<Command> = items
            .iter()
            .flatten()
            .copied()
            .filter(|c| !c.shortcuts().is_empty())
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = write!(out, "\n## {menu}\n\n| Command | Keys |\n|---|---|\n");
        for c in rows {
            let _ = writeln!(out, "| {} | {} |", c.title(), c.shortcuts_text());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The manual's keyboard chapter is the command table's: a key renamed, added or dropped
    /// fails here until `UPDATE_DOCS=1 cargo test` rewrites the chapter.
    #[test]
    fn the_manual_s_keyboard_reference_matches_the_command_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/manual/keys.md");
        let generated = keyboard_reference_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &generated).unwrap();
        }
        let written = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            written == generated,
            "{} is out of date: run UPDATE_DOCS=1 cargo test",
            path.display()
        );
    }

    /// Every key chord the manual's chapters and the README teach ("Ctrl+Shift+R", "F8") is a
    /// shortcut of the command table, or one of the few keys handled outside it (listed here).
    #[test]
    fn every_shortcut_the_manual_names_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut known: std::collections::HashSet<String> = Command::all()
            .flat_map(|c| c.shortcuts().iter())
            .map(|s| s.format(&egui::ModifierNames::NAMES, false))
            .collect();
        // Keys with meaning outside the command table: egui's zoom, text fields' select-all,
        // the label keys, and the keys of dialogs and suggestions (Enter, Delete, Esc).
        known.extend(
            [
                "Ctrl+0", "Ctrl+A", "Ctrl+C", "Ctrl+V", "Ctrl+X", "Enter", "Delete", "Escape",
                "Esc",
            ]
            .map(String::from),
        );
        let chord = regex::Regex::new(
            r"\b((?:(?:Ctrl|Shift|Alt)\+)*(?:F[0-9]{1,2}|PageUp|PageDown|Enter|Delete|Backspace|Tab|Escape|(?:Ctrl|Shift|Alt)\+[A-Z0-9]))\b",
        )
        .unwrap();
        let mut pages: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("docs/manual"))
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        pages.push(root.join("README.md"));
        let mut unknown = Vec::new();
        let mut checked = 0;
        for page in pages {
            // Bold markers split chords ("**Ctrl**+drag"): read the text without them.
            let text = std::fs::read_to_string(&page).unwrap().replace("**", "");
            for m in chord.find_iter(&text) {
                checked += 1;
                if !known.contains(m.as_str()) {
                    unknown.push(format!("{}: {}", page.display(), m.as_str()));
                }
            }
        }
        assert!(
            checked > 50,
            "the pattern found only {checked} chords: is it still right?"
        );
        assert!(unknown.is_empty(), "keys no command has: {unknown:#?}");
    }

    #[test]
    fn every_command_is_in_a_menu_or_the_palette_and_shortcuts_do_not_clash() {
        let in_menus: Vec<Command> = MENUS
            .iter()
            .flat_map(|(_, items)| items.iter().flatten().copied())
            .collect();
        for command in Command::all() {
            assert!(
                in_menus.contains(&command),
                "{command:?} is in no menu (the palette lists it, but a menu user cannot find it)"
            );
        }
        let mut seen = std::collections::HashMap::new();
        for command in Command::all() {
            for shortcut in command.shortcuts() {
                let key = (shortcut.modifiers, shortcut.logical_key);
                assert!(
                    seen.insert(key, command).is_none(),
                    "{command:?} and {:?} share a shortcut",
                    seen[&key]
                );
            }
        }
    }
}
