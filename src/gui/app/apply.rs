//! Applying actions: the dispatcher (`apply`, `run_command`) and `edit`/`schema_edit`, through
//! which most edits go (the workspace's domain operations, one undo step each; the workspace
//! counts each change, and autosave follows that count). The features the dispatcher calls live beside it: annotate.rs, linking.rs,
//! review.rs, navigate.rs, suggest.rs.

use super::App;
use crate::core::text::EdgeUnit;
use crate::core::{DocStatus, Workspace};
use crate::gui::action::Action;
use crate::gui::commands::Command;
use crate::gui::state::Linking;

impl App {
    pub(super) fn apply(&mut self, ctx: &egui::Context, action: Action) {
        // The next undo step keeps what was selected before it (undo gives it back).
        if let Some(session) = &mut self.session {
            session.ws.set_selection(self.state.history_selection());
        }
        match action {
            Action::Command(command) => self.run_command(ctx, command),
            Action::OpenPath(path, doc) => self.open_path(ctx, &path, doc.as_deref()),
            Action::InitProject(path) => match crate::core::Project::init(&path, None, None) {
                Ok(project) => {
                    // Word files and batches in the folder: the Add sources preview shows what
                    // they make before anything is written (the window is drawn once the
                    // project, opening on a job, is there).
                    let convertible = crate::formats::sources::convertible_in(&project.source_dir);
                    self.open_path(ctx, &path, None);
                    if !convertible.is_empty() {
                        self.windows.open(
                            crate::gui::windows::add_sources::AddSources::with_files(
                                ctx,
                                &convertible,
                            ),
                        );
                    }
                }
                Err(err) => self.alert(err.to_string()),
            },
            Action::SelectDocument(doc) => self.select_document(&doc),
            Action::ApplyLabel(label) => self.apply_label(&label),
            Action::SelectAnnotation(id) => {
                self.state.selected = id;
                if let Some(session) = &mut self.session {
                    session.ws.break_coalescing();
                }
            }
            Action::SetSelection(range) => {
                if let Some(range) = &range {
                    self.state.caret = Some(range.end);
                    self.state.caret_anchor = Some(range.start);
                } else {
                    self.state.caret_anchor = None;
                }
                self.state.selection = range;
            }
            Action::SetCaret(c) => {
                self.state.caret = Some(c);
                self.state.caret_anchor = None;
            }
            Action::SetNote { id, note } => {
                let note = (!note.trim().is_empty()).then_some(note);
                self.edit(|ws, key| ws.set_note(key, &id, note));
            }
            Action::SetStatus(status) => {
                self.edit(|ws, key| ws.set_status(key, status));
            }
            Action::SetAnnotator(name) => self.set_annotator(&name),
            Action::Welcomed { for_good } => {
                self.prefs.welcomed = for_good;
                self.prefs.welcome_again = !for_good;
            }
            Action::SetAttribute { id, name, value } => {
                self.edit(|ws, key| ws.set_attribute(key, &id, &name, value));
            }
            Action::Link { from, to } => self.link(&from, &to),
            Action::LinkEntity { id, entity } => {
                self.edit(|ws, key| ws.link_entity(key, &id, entity.as_deref()));
            }
            Action::RenameEntity { id, name } => {
                self.schema_edit(|ws| ws.rename_entity(&id, &name));
            }
            Action::SetSuggestionSettings(settings) => {
                if let Some(session) = &mut self.session {
                    if let Some(problem) = session.suggestions.problem.clone() {
                        // Never written over silently: the user fixes or removes it first.
                        self.say(format!("Suggestions are off: {problem}"), true);
                        return;
                    }
                    session.suggestions.settings = *settings;
                    if let Err(e) = session.suggestions.save(&session.ws.project().root) {
                        self.say(e, true);
                    }
                }
            }
            Action::LabelAllInDocument { query, label } => {
                let (Some(doc), Some(session)) = (self.state.current_doc.clone(), &self.session)
                else {
                    return;
                };
                let Some(search) = self
                    .windows
                    .shown(crate::gui::windows::corpus_search::CorpusSearch::default)
                else {
                    return;
                };
                search.query = crate::core::search::Query {
                    pattern: query,
                    regex: false,
                    case_sensitive: false,
                };
                search.scope = Some(doc);
                search.label = label;
                search.preview = None;
                search.preview_when_done = true;
                search.start(ctx, &session.ws);
            }
            Action::AnnotateMany {
                label,
                entity,
                places,
            } => self.annotate_many(ctx, &label, entity.as_deref(), &places),
            Action::SetEntityAttribute { id, name, value } => {
                self.schema_edit(|ws| ws.set_entity_attribute(&id, &name, value.as_deref()));
            }
            Action::MergeEntities { keep, drop } => {
                let Some(session) = &mut self.session else {
                    return;
                };
                match session.ws.merge_entities(&keep, &drop) {
                    Ok(n) => {
                        self.say(
                            format!("Merged: {n} span(s) now link to one entity (Ctrl+Z undoes)"),
                            false,
                        );
                    }
                    Err(err) => self.say(err.to_string(), true),
                }
            }
            Action::NewEntity { id, kind, name } => {
                if self.edit(|ws, key| ws.link_new_entity(key, &id, kind, &name)) {
                    self.say(format!("New {}: {name}", kind.as_str()), false);
                }
            }
            Action::AddRelation { kind, from, to } => {
                let result = self.edit(|ws, key| ws.add_relation(key, &kind, &from, &to).map(drop));
                if result {
                    self.say(format!("Linked: {kind}"), false);
                }
            }
            Action::RemoveRelation(id) => {
                self.edit(|ws, key| ws.remove_relation(key, &id));
            }
            Action::SetLinkTarget(target) => {
                if let Some(linking) = &mut self.state.linking {
                    linking.target = target;
                }
            }
            Action::ResizeSpan { id, range } => {
                self.edit(|ws, key| ws.resize(key, &id, range));
            }
            Action::MarkReviewed(id) => {
                self.edit(|ws, key| ws.mark_reviewed(key, &id));
            }
            Action::AddFragment { id, range } => {
                self.edit(|ws, key| ws.add_fragment(key, &id, range));
            }
            Action::EndGesture => {
                if let Some(session) = &mut self.session {
                    session.ws.break_coalescing();
                }
            }
            Action::SetSchema {
                schema,
                description,
                coalesce,
            } => self.schema_edit(|ws| ws.set_schema(schema, &description, coalesce)),
            Action::RenameLabel { old, new } => self.schema_edit(|ws| ws.rename_label(&old, &new)),
            Action::RemoveLabel(name) => self.schema_edit(|ws| ws.remove_label(&name)),
            Action::RevealChar(char_offset) | Action::RestorePlace(char_offset) => {
                let at_top = matches!(action, Action::RestorePlace(_));
                match self.current_text() {
                    Some(text) => {
                        self.panels
                            .document
                            .view
                            .scroll_to(&text.text, char_offset, at_top);
                    }
                    // Still being read: scrolled to once it is in (logic).
                    None => self.state.pending_reveal = Some((char_offset, at_top)),
                }
            }
            Action::Say { text, is_error } => self.say(text, is_error),
            Action::Alert(text) => self.alert(text),
            Action::SetCurating(on) => {
                self.state.curating = on;
                self.state.selected = None;
                self.state.selection = None;
                self.say(
                    if on {
                        "The text now shows and edits the curated layer."
                    } else {
                        "The text shows and edits your own layer again."
                    },
                    false,
                );
            }
            Action::Curate(decision) => self.curate(decision),
            Action::FocusDisagreement(range) => {
                if let Some(review) = &mut self.panels.review {
                    review.focus = Some(range.clone());
                }
                self.actions.push(Action::RevealChar(range.start));
            }
            Action::StepDisagreement(forward) => self.step_disagreement(ctx, forward),
            Action::ExportAfterSave => {
                if let Some(session) = &mut self.session {
                    // The export reads the saved files: unsaved edits are saved first, on a
                    // thread like any save; the export starts once that is done (logic).
                    if session.ws.is_dirty() {
                        session.save_soon(&mut self.actions);
                    }
                    session.save_flow.export_waiting = true;
                }
                if let Some(window) = self
                    .windows
                    .get_mut::<crate::gui::windows::interchange::Interchange>()
                {
                    window.outcome = None;
                }
            }
            Action::Import(corpus, options) => self.import(*corpus, &options),
            Action::ImportDna(db) => self.import_dna(&db),
            Action::AddSources {
                plan,
                keep_duplicates,
            } => self.add_sources(ctx, &plan, keep_duplicates),
            Action::SourcesWritten(prepared) => self.sources_written(*prepared),
            Action::SourcesRefreshed(written) => self.sources_refreshed(*written),
            a @ (Action::TeamChanged
            | Action::SetTeamSyncMinutes(_)
            | Action::TeamChoose { .. }
            | Action::ReviewArrived { .. }) => self.team_action(ctx, a),
            Action::ChooseInterchangePath { why } => {
                use crate::gui::dialogs::chooser::{FolderChooser, Purpose};
                use crate::gui::windows::interchange::{Mode, start_folder};
                let why = Some(why).filter(|w| !w.is_empty());
                let chooser = match (
                    self.session.as_ref().map(|s| &s.ws),
                    self.windows
                        .get::<crate::gui::windows::interchange::Interchange>(),
                ) {
                    (Some(ws), Some(window)) if window.mode == Mode::Export => {
                        let start = start_folder(
                            ws,
                            window.mode,
                            &window.path,
                            window.last_export_dir.as_deref(),
                        );
                        if window.format.writes_folder()
                            || window.format == crate::formats::Format::WebannoTsv
                        {
                            FolderChooser::new(&start, why, Purpose::ExportFolder)
                        } else {
                            let extension = window.format.file_extension();
                            let typed = std::path::Path::new(window.path.trim())
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned());
                            let name = typed.unwrap_or_else(|| {
                                let folder = ws.project().root.canonicalize().ok();
                                let stem = folder
                                    .as_deref()
                                    .and_then(std::path::Path::file_name)
                                    .map_or_else(|| "export".into(), |n| n.to_string_lossy());
                                format!("{stem}.{extension}")
                            });
                            FolderChooser::save_file(&start, &name, extension, why)
                        }
                    }
                    (Some(ws), _) => FolderChooser::new(&ws.project().root, why, Purpose::Import),
                    _ => FolderChooser::new(
                        &std::env::current_dir().unwrap_or_default(),
                        why,
                        Purpose::Import,
                    ),
                };
                self.dialogs.open(chooser);
            }
            Action::SetInterchangePath(path) => {
                if let Some(window) = self
                    .windows
                    .get_mut::<crate::gui::windows::interchange::Interchange>()
                {
                    window.path = path.display().to_string();
                }
            }
            Action::ResolveConflict(key, resolution) => {
                let Some(session) = &mut self.session else {
                    return;
                };
                session.disk_conflicts.retain(|k| *k != key);
                let result = session.ws.resolve_conflict(&key, resolution);
                self.state.selected = None;
                match result {
                    Ok(Some(kept)) => {
                        self.say(format!("A copy was kept in {}", kept.display()), false);
                    }
                    Ok(None) => self.say("Settled.", false),
                    Err(err) => self.alert(err.to_string()),
                }
            }
            Action::Done(done) => self.take_in(ctx, *done),
        }
    }

    fn run_command(&mut self, ctx: &egui::Context, command: Command) {
        if self.state.linking.is_some() && self.linking_command(command) {
            return;
        }
        if !command.available(&self.availability()) {
            return;
        }
        if self.suggestion_command(command) {
            return;
        }
        match command {
            Command::OpenProject => self.choose_folder(ctx, "Open a tagdesk project"),
            Command::OpenFolder => self.choose_folder(ctx, "Open a folder of .txt files"),
            Command::Save => {
                if let Some(session) = &mut self.session {
                    session.save_soon(&mut self.actions);
                }
            }
            Command::Export | Command::Import => {
                use crate::gui::windows::interchange::{Interchange, Mode};
                let mode = if command == Command::Export {
                    Mode::Export
                } else {
                    Mode::Import
                };
                match self.windows.get::<Interchange>().map(|w| w.mode) {
                    // The shortcut toggles the window (not while it works: then it stays).
                    Some(open) if open == mode => self.windows.close::<Interchange>(),
                    _ => self
                        .windows
                        .open(Interchange::new(mode, &self.prefs.annotator)),
                }
            }
            Command::TeamSync | Command::TeamWindow | Command::TeamShare | Command::TeamJoin => {
                self.team_command(ctx, command);
            }
            Command::RefreshSources => self
                .windows
                .toggle(crate::gui::windows::refresh_sources::RefreshSources::default),
            Command::AddSources => self
                .windows
                .toggle(crate::gui::windows::add_sources::AddSources::default),
            Command::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            Command::Undo | Command::Redo => self.undo_redo(command == Command::Undo),
            Command::DeleteAnnotation => {
                if let Some(id) = self.state.selected.take() {
                    self.edit(|ws, key| ws.remove_span(key, &id));
                }
            }
            Command::ClearSelection => {
                self.state.selected = None;
                self.state.selection = None;
            }
            Command::NextDocument => self.step_document(1),
            Command::PreviousDocument => self.step_document(-1),
            Command::MarkDone => {
                self.edit(|ws, key| ws.set_status(key, DocStatus::Done));
            }
            Command::ChangeAnnotator => {
                self.dialogs
                    .open(crate::gui::dialogs::annotator::AnnotatorDialog::new(
                        &self.prefs.annotator,
                    ));
            }
            Command::About => self.dialogs.open(crate::gui::dialogs::about::AboutDialog),
            Command::HowToAnnotate => {
                self.dialogs
                    .open(crate::gui::dialogs::welcome::WelcomeDialog);
            }
            Command::NextAnnotation | Command::PreviousAnnotation => {
                self.step_annotation(command == Command::NextAnnotation);
            }
            // A span selected: its end moves; else the text selection grows from the caret.
            Command::GrowEnd
            | Command::ShrinkEnd
            | Command::GrowEndWord
            | Command::ShrinkEndWord
                if self.state.selected.is_none() =>
            {
                self.move_caret(command, true);
            }
            Command::GrowEnd => self.move_edge(false, true, EdgeUnit::Grapheme),
            Command::ShrinkEnd => self.move_edge(false, false, EdgeUnit::Grapheme),
            Command::GrowEndWord => self.move_edge(false, true, EdgeUnit::WordEnd),
            Command::ShrinkEndWord => self.move_edge(false, false, EdgeUnit::WordEnd),
            Command::CaretLeft
            | Command::CaretRight
            | Command::CaretWordLeft
            | Command::CaretWordRight
            | Command::CaretUp
            | Command::CaretDown
            | Command::LineStart
            | Command::LineEnd
            | Command::DocumentStart
            | Command::DocumentEnd
            | Command::PageUp
            | Command::PageDown => self.move_caret(command, false),
            Command::ExtendUp
            | Command::ExtendDown
            | Command::ExtendLineStart
            | Command::ExtendLineEnd => self.move_caret(command, true),
            Command::GrowStart => self.move_edge(true, false, EdgeUnit::Grapheme),
            Command::ShrinkStart => self.move_edge(true, true, EdgeUnit::Grapheme),
            Command::GrowStartWord => self.move_edge(true, false, EdgeUnit::WordStart),
            Command::ShrinkStartWord => self.move_edge(true, true, EdgeUnit::WordStart),
            Command::EditNote => self.panels.labels.focus_note = true,
            // Taken by `suggestion_command`.
            Command::NextSuggestion
            | Command::PreviousSuggestion
            | Command::AcceptSuggestion
            | Command::RejectSuggestion
            | Command::AcceptAllSuggestions
            | Command::ToggleSuggestions
            | Command::SuggestionSettings
            | Command::TrainSuggestions => {}
            Command::KeyboardReference => self
                .windows
                .toggle(crate::gui::windows::KeysWindow::default),
            Command::EditSchema => {
                self.windows
                    .toggle(crate::gui::windows::schema_editor::SchemaEditor::default);
            }
            Command::Find => match &self.panels.document.find {
                // Ctrl+F with the bar open and its field not focused closes it (it toggles).
                Some(_) if !ctx.text_edit_focused() && !self.state.was_typing => {
                    self.panels.document.close_find();
                }
                _ => {
                    self.panels.document.open_find();
                }
            },
            Command::FindNext | Command::FindPrevious => {
                let had_query = self.panels.document.find.is_some()
                    || !self.panels.document.open_find().query.is_empty();
                if had_query
                    && let (Some(doc), Some(text)) =
                        (self.state.current_doc.clone(), self.current_text())
                {
                    self.panels.document.step_match(
                        &doc,
                        &text.text,
                        command == Command::FindNext,
                        &mut self.actions,
                    );
                }
            }
            Command::LinkRelation => {
                if let Some(from) = self.state.selected.clone() {
                    self.state.linking = Some(Linking { from, target: None });
                    self.say(
                        "Linking: click the target span, or Tab to it and press Enter (Esc cancels).",
                        false,
                    );
                }
            }
            Command::Review => {
                self.panels.review =
                    if let (None, Some(ws)) = (self.panels.review.take(), self.ws()) {
                        Some(crate::gui::panels::review::Review::new(ws))
                    } else {
                        // Closing the review leaves the curated layer.
                        self.state.curating = false;
                        None
                    };
                self.state.selected = None;
            }
            Command::NextDisagreement | Command::PreviousDisagreement => {
                if self.panels.review.is_none()
                    && let Some(ws) = self.ws()
                {
                    self.panels.review = Some(crate::gui::panels::review::Review::new(ws));
                }
                self.step_disagreement(ctx, command == Command::NextDisagreement);
            }
            Command::Network => {
                use crate::gui::windows::{fold_network, network::NetworkWindow};
                if !self.windows.is_open::<NetworkWindow>() {
                    if let Some(window) = self.ws().map(NetworkWindow::new) {
                        fold_network(ctx, false);
                        self.windows.open(window);
                    }
                } else if !fold_network(ctx, false) {
                    // Open and unfolded: the shortcut closes it (folded after a jump to a
                    // claim, it unfolds it).
                    self.windows.close::<NetworkWindow>();
                }
            }
            Command::Entities => {
                self.windows
                    .toggle(crate::gui::windows::entities::EntitiesWindow::default);
            }
            Command::ShowColleagues => {
                self.prefs.show_colleagues = !self.prefs.show_colleagues;
                self.say(
                    if self.prefs.show_colleagues {
                        "Colleagues' annotations are drawn faint under yours (read-only)."
                    } else {
                        "Only your annotations are drawn."
                    },
                    false,
                );
            }
            Command::SearchCorpus => {
                if let Some(search) = self
                    .windows
                    .shown(crate::gui::windows::corpus_search::CorpusSearch::default)
                {
                    search.focus = true;
                }
            }
            Command::Agreement => {
                use crate::gui::windows::agreement::AgreementWindow;
                if self.windows.is_open::<AgreementWindow>() {
                    self.windows.close::<AgreementWindow>();
                } else if let Some(window) = self.ws().map(AgreementWindow::new) {
                    self.windows.open(window);
                }
            }
            Command::CommandPalette => {
                self.dialogs
                    .open(crate::gui::dialogs::palette::Palette::default());
            }
        }
    }

    /// Runs an edit on the current layer; reports failures in the status bar. `true` if it
    /// was made.
    pub(super) fn edit<T>(
        &mut self,
        f: impl FnOnce(
            &mut Workspace,
            &crate::core::project::LayerKey,
        ) -> Result<T, crate::core::workspace::WorkspaceError>,
    ) -> bool {
        let Some(key) = self.current_key() else {
            return false;
        };
        let Some(session) = &mut self.session else {
            return false;
        };
        match f(&mut session.ws, &key) {
            Ok(_) => true,
            Err(err) => {
                self.say(err.to_string(), true);
                false
            }
        }
    }

    /// Runs a schema edit; reports failures (e.g. a duplicate name) in the status bar.
    fn schema_edit(
        &mut self,
        f: impl FnOnce(&mut Workspace) -> Result<(), crate::core::workspace::WorkspaceError>,
    ) {
        let Some(session) = &mut self.session else {
            return;
        };
        match f(&mut session.ws) {
            Ok(()) => {}
            Err(err) => self.say(err.to_string(), true),
        }
    }

    fn undo_redo(&mut self, undo: bool) {
        let Some(session) = &mut self.session else {
            return;
        };
        let changed = if undo {
            session.ws.undo()
        } else {
            session.ws.redo()
        };
        let Some(replayed) = changed else { return };
        if let Some(doc) = &replayed.document
            && self.state.current_doc.as_deref() != Some(doc.as_str())
        {
            self.select_document(doc);
        }
        // An undone re-anchoring stays undone: not redone at once for the same text.
        if let Some(key) = self.current_key()
            && let Some(session) = &mut self.session
            && session.ws.source_changed(&key)
            && let Some(Ok(text)) = session.ws.cached_text(&key.document)
        {
            session.reanchor_refused = Some((key.clone(), text.sha256.clone()));
        }
        let verb = if undo { "Undid" } else { "Redid" };
        self.say(format!("{verb}: {}", replayed.description), false);
        // The selection from before the undone step (after the redone one) comes back, as in
        // helix; a span that is gone is not selected.
        let selection = replayed.selection;
        if selection.document.is_some() && selection.document == self.state.current_doc {
            self.state.selected = selection.span;
            self.state.selection = selection.text;
        }
        self.forget_vanished_selection();
        let reveal = match (&self.state.selected, &self.state.selection) {
            (Some(id), _) => self
                .current_layer()
                .and_then(|l| l.get(id))
                .map(|a| a.start),
            (None, Some(range)) => Some(range.start),
            (None, None) => None,
        };
        if let Some(start) = reveal
            && self.char_screen_pos(start).is_none()
        {
            self.actions.push(Action::RevealChar(start));
        }
        self.panels.labels.forget_note();
    }

    /// A corpus the import window read, applied as one undo step.
    fn import(
        &mut self,
        corpus: crate::formats::Corpus,
        options: &crate::formats::import::ImportOptions,
    ) {
        let Some(session) = &mut self.session else {
            return;
        };
        let ws = &mut session.ws;
        let result = crate::formats::import::plan(ws, corpus, options)
            .and_then(|plan| crate::formats::import::apply(ws, plan))
            .map_err(|e| e.to_string());
        if let Ok(report) = &result {
            self.say(
                format!(
                    "Imported {} annotations (Ctrl+Z undoes the import)",
                    report.annotations
                ),
                false,
            );
        }
        if let Some(window) = self
            .windows
            .get_mut::<crate::gui::windows::interchange::Interchange>()
        {
            window.imported(result);
        }
    }

    /// The documents the Add sources window planned: their files are written on the window's
    /// task (thousands of articles would hold the window up), then taken in
    /// ([`Self::sources_written`]).
    fn add_sources(
        &mut self,
        ctx: &egui::Context,
        plan: &[crate::formats::sources::Planned],
        keep_duplicates: bool,
    ) {
        use crate::gui::windows::add_sources::AddSources;
        let Some(session) = &self.session else {
            return;
        };
        let prepared = crate::formats::sources::prepare(&session.ws, plan, keep_duplicates);
        if let Some(window) = self.windows.get_mut::<AddSources>() {
            window.write(ctx, prepared);
        }
    }

    /// The new documents' files are written: the document list and the metadata follow (if
    /// that fails, the files go again).
    fn sources_written(&mut self, prepared: crate::formats::sources::Prepared) {
        let Some(session) = &mut self.session else {
            return;
        };
        let result = crate::formats::sources::finish(&mut session.ws, prepared);
        if let Ok(n) = &result {
            self.say(format!("Added {n} documents"), false);
        }
        if let Some(window) = self
            .windows
            .get_mut::<crate::gui::windows::add_sources::AddSources>()
        {
            window.added(result);
        }
    }

    /// The new texts of sources converted again are written: the metadata records them and
    /// the workspace reads them again (if the metadata fails, the old texts go back).
    fn sources_refreshed(&mut self, written: crate::formats::sources::Written) {
        let Some(session) = &mut self.session else {
            return;
        };
        let result = crate::formats::sources::refresh::finish(&mut session.ws, written);
        if let Ok(applied) = &result {
            self.say(
                format!(
                    "Converted again: {} documents took a new text",
                    applied.reconverted.len()
                ),
                false,
            );
        }
        if let Some(window) = self
            .windows
            .get_mut::<crate::gui::windows::refresh_sources::RefreshSources>()
        {
            window.refreshed(result);
        }
    }
}
