//! User commands: one enum gives every action its name, shortcut and menu entry, so menus and
//! shortcuts (and, later, the command palette) never drift apart. UI code queues commands;
//! the app applies them at the end of the frame.

use egui::{Key, KeyboardShortcut, Modifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    OpenProject,
    OpenFolder,
    Save,
    Export,
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
}

impl Command {
    pub const ALL: [Self; 14] = [
        Self::OpenProject,
        Self::OpenFolder,
        Self::Save,
        Self::Export,
        Self::Quit,
        Self::Undo,
        Self::Redo,
        Self::DeleteAnnotation,
        Self::ClearSelection,
        Self::NextDocument,
        Self::PreviousDocument,
        Self::MarkDone,
        Self::ChangeAnnotator,
        Self::About,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::OpenProject => "Open project…",
            Self::OpenFolder => "Open folder…",
            Self::Save => "Save",
            Self::Export => "Export JSONL…",
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
        }
    }

    /// Shortcuts, most specific first. The first is shown in menus.
    pub fn shortcuts(self) -> &'static [KeyboardShortcut] {
        const CTRL: Modifiers = Modifiers::COMMAND;
        const CTRL_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);
        const NONE: Modifiers = Modifiers::NONE;
        const fn sc(modifiers: Modifiers, key: Key) -> KeyboardShortcut {
            KeyboardShortcut::new(modifiers, key)
        }
        match self {
            Self::OpenProject => const { &[sc(CTRL, Key::O)] },
            Self::OpenFolder => const { &[sc(CTRL_SHIFT, Key::O)] },
            Self::Save => const { &[sc(CTRL, Key::S)] },
            Self::Export => const { &[sc(CTRL, Key::E)] },
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
            Self::ChangeAnnotator | Self::About => &[],
        }
    }

    /// Commands that take plain keys and so must not fire while the user types in a text field.
    pub fn is_plain_key(self) -> bool {
        self.shortcuts()
            .iter()
            .all(|s| s.modifiers.is_none() || s.modifiers == Modifiers::ALT)
            && !self.shortcuts().is_empty()
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
/// With `text_focused`, plain-key commands are left to the text field.
pub fn pressed_commands(ctx: &egui::Context, text_focused: bool) -> Vec<Command> {
    let mut all: Vec<(Command, KeyboardShortcut)> = Command::ALL
        .iter()
        .filter(|c| {
            !(text_focused && (c.is_plain_key() || matches!(c, Command::Undo | Command::Redo)))
        })
        .flat_map(|&c| c.shortcuts().iter().map(move |&s| (c, s)))
        .collect();
    // Ctrl+Shift+Z before Ctrl+Z: egui matches shortcuts ignoring extra Shift.
    all.sort_by_key(|(_, s)| std::cmp::Reverse(modifier_count(s.modifiers)));
    ctx.input_mut(|input| {
        all.into_iter()
            .filter(|(_, s)| input.consume_shortcut(s))
            .map(|(c, _)| c)
            .collect()
    })
}

fn modifier_count(m: Modifiers) -> u8 {
    u8::from(m.alt) + u8::from(m.shift) + u8::from(m.command || m.ctrl)
}
