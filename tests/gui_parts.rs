//! GUI parts tested alone (a dialog drawn by itself with `Harness::new_ui_state`, checking the
//! actions it pushes), the idle rule (a settled frame asks for no repaint, so an idle window
//! uses no CPU), and the app's logic running while the window is hidden.

use egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use tagdesk::gui::action::{Action, ActionQueue};
use tagdesk::gui::commands::{Availability, Command};
use tagdesk::gui::dialogs::annotator::AnnotatorDialog;
use tagdesk::gui::dialogs::chooser::FolderChooser;
use tagdesk::gui::dialogs::palette::{Palette, entries};
use tagdesk::gui::dialogs::welcome::WelcomeDialog;

/// A dialog under test, with the queue it pushes to.
struct Alone<D> {
    dialog: Option<D>,
    actions: ActionQueue,
}

fn alone<D: 'static>(
    dialog: D,
    mut draw: impl FnMut(&mut D, &egui::Context, &mut ActionQueue) -> bool + 'static,
) -> Harness<'static, Alone<D>> {
    Harness::builder()
        .with_size(vec2(900.0, 600.0))
        .build_ui_state(
            move |ui, state: &mut Alone<D>| {
                let ctx = ui.ctx().clone();
                if let Some(dialog) = &mut state.dialog
                    && !draw(dialog, &ctx, &mut state.actions)
                {
                    state.dialog = None;
                }
            },
            Alone {
                dialog: Some(dialog),
                actions: ActionQueue::default(),
            },
        )
}

#[test]
fn the_name_prompt_answers_at_once_and_sets_the_name_on_enter() {
    // The suggested name (the OS user's) is selected: typing replaces it.
    let mut harness = alone(AnnotatorDialog::new("annotator"), AnnotatorDialog::ui);
    // Settles: an open prompt asks for no repaint (it burned a core redrawing before).
    harness
        .try_run()
        .expect("the open name prompt keeps repainting");
    // The field has the keyboard from the first frame: typing goes straight in.
    harness.get_by_label("Annotator name").type_text("alice");
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    let state = harness.state();
    assert!(state.dialog.is_none(), "Enter closes the prompt");
    assert!(
        matches!(state.actions.pending(), [Action::SetAnnotator(name)] if name == "alice"),
        "{:?}",
        state.actions.pending()
    );
}

fn welcome_alone() -> Harness<'static, Alone<WelcomeDialog>> {
    let labels = vec![
        ("actor".to_owned(), Some("1".to_owned())),
        ("claim".to_owned(), Some("2".to_owned())),
    ];
    alone(WelcomeDialog, move |dialog, ctx, actions| {
        dialog.ui(ctx, &labels, actions)
    })
}

#[test]
fn how_to_annotate_settles_names_the_keys_and_got_it_is_for_good() {
    let mut harness = welcome_alone();
    harness
        .try_run()
        .expect("the open overlay keeps repainting (an idle window must not)");
    harness.get_by_label_contains("1 actor, 2 claim");
    harness.get_by_label_contains("Alt+Down and Alt+Up");
    harness.get_by_label("Got it").click();
    harness.run();
    let state = harness.state();
    assert!(state.dialog.is_none());
    assert!(
        matches!(
            state.actions.pending(),
            [Action::Welcomed { for_good: true }]
        ),
        "{:?}",
        state.actions.pending()
    );
}

#[test]
fn how_to_annotate_closes_with_esc_until_the_next_start() {
    let mut harness = welcome_alone();
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    let state = harness.state();
    assert!(state.dialog.is_none(), "Esc closes it");
    assert!(
        matches!(
            state.actions.pending(),
            [Action::Welcomed { for_good: false }]
        ),
        "{:?}",
        state.actions.pending()
    );
}

#[test]
fn the_name_prompt_refuses_a_bad_name_and_esc_keeps_the_old_one() {
    let mut harness = alone(AnnotatorDialog::new("sam"), AnnotatorDialog::ui);
    harness.run();
    harness.get_by_label("Annotator name").type_text("/x");
    harness.run();
    harness.get_by_label_contains("cannot contain");
    harness.key_press(Key::Escape);
    harness.run();
    let state = harness.state();
    assert!(state.dialog.is_none(), "Esc closes the prompt");
    // The old name stays, and the status bar says so (a name is never taken silently).
    assert!(
        matches!(
            state.actions.pending(),
            [Action::Say { text, is_error: false }] if text.contains("\"sam\" (kept)")
        ),
        "{:?}",
        state.actions.pending()
    );
}

#[test]
fn the_folder_chooser_lists_folders_marks_projects_and_opens_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("plain")).unwrap();
    tagdesk::core::Project::init(&dir.path().join("study"), None, None).unwrap();
    let mut harness = alone(
        FolderChooser::new(
            dir.path(),
            Some("no portal here".to_owned()),
            tagdesk::gui::dialogs::chooser::Purpose::Open,
        ),
        FolderChooser::ui,
    );
    harness.try_run().expect("the chooser keeps repainting");
    harness.get_by_label("no portal here");
    harness.get_by_label("plain/");
    harness
        .get_by_label_contains("study/   · tagdesk project")
        .click();
    harness.run();
    harness.get_by_label("Open").click();
    harness.run();
    let state = harness.state();
    assert!(state.dialog.is_none());
    assert!(
        matches!(state.actions.pending(), [Action::OpenPath(p, None)] if *p == dir.path().join("study")),
        "{:?}",
        state.actions.pending()
    );
}

#[test]
fn the_palette_filters_says_when_nothing_matches_and_runs_with_enter() {
    let now = Availability {
        project_open: true,
        ..Availability::default()
    };
    let labels = vec![("actor".to_owned(), Some("1".to_owned()))];
    let mut harness = alone(Palette::default(), move |palette, ctx, actions| {
        let (run, close) = palette.ui(ctx, entries(ctx, &now, &labels));
        actions.extend(run);
        !close
    });
    harness.try_run().expect("the palette keeps repainting");
    harness.get_by_label("Command").type_text("zzzz");
    harness.run();
    harness.get_by_label_contains("No command matches");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_label("Command").type_text("next doc");
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    let state = harness.state();
    assert!(state.dialog.is_none());
    assert!(
        matches!(
            state.actions.pending(),
            [Action::Command(Command::NextDocument)]
        ),
        "{:?}",
        state.actions.pending()
    );
}

// ---- Panels drawn alone, from a FrameCtx over a real workspace. ----

use tagdesk::core::Workspace;
use tagdesk::gui::commands::Availability as Now;
use tagdesk::gui::session::Session;
use tagdesk::gui::state::{FrameCtx, Prefs, UiState};

/// A panel under test with what a frame gives it.
struct Panel<P> {
    drawn: P,
    session: Session,
    state: UiState,
    prefs: Prefs,
    now: Now,
    actions: ActionQueue,
    fonts: bool,
}

fn panel<P: 'static>(
    root: &std::path::Path,
    annotator: &str,
    panel: P,
    mut draw: impl FnMut(&mut P, &mut egui::Ui, &mut FrameCtx) + 'static,
) -> Harness<'static, Panel<P>> {
    let ws = Workspace::open(root).unwrap();
    let state = UiState {
        current_doc: ws.project().documents.first().map(|d| d.path.clone()),
        ..UiState::default()
    };
    let prefs = Prefs {
        annotator: annotator.to_owned(),
        ..Prefs::default()
    };
    Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_ui_state(
            move |ui, s: &mut Panel<P>| {
                // The app's fonts (arrows, ✔, 🔒 are not in egui's): installed on the first
                // frame, in use from the next.
                if !s.fonts {
                    tagdesk::gui::fonts::install(ui.ctx());
                    s.fonts = true;
                    return;
                }
                let mut fc = FrameCtx {
                    session: Some(&s.session),
                    state: &s.state,
                    prefs: &s.prefs,
                    now: s.now,
                    actions: &mut s.actions,
                };
                draw(&mut s.drawn, ui, &mut fc);
            },
            Panel {
                drawn: panel,
                session: Session::new(ws),
                state,
                prefs,
                now: Now {
                    project_open: true,
                    ..Now::default()
                },
                actions: ActionQueue::default(),
                fonts: false,
            },
        )
}

fn sample() -> (tempfile::TempDir, std::path::PathBuf) {
    crate::support::sample_copy()
}

#[test]
fn the_menu_bar_greys_out_what_cannot_run_and_queues_what_is_clicked() {
    let (_dir, root) = sample();
    let mut harness = panel(&root, "maria", (), |(), ui, fc| {
        tagdesk::gui::panels::menu_bar::menu_bar_ui(ui, fc);
    });
    harness.try_run().expect("the menu bar keeps repainting");
    harness.get_by_label("File").click();
    harness.run();
    // Nothing unsaved: Save is there but cannot run.
    assert!(
        harness
            .get_by_label_contains("Save")
            .accesskit_node()
            .is_disabled()
    );
    harness.get_by_label_contains("Open project").click();
    harness.run();
    assert!(
        matches!(
            harness.state().actions.pending(),
            [Action::Command(Command::OpenProject)]
        ),
        "{:?}",
        harness.state().actions.pending()
    );
}

#[test]
fn the_status_bar_says_who_annotates_and_that_the_window_is_read_only() {
    let (_dir, root) = sample();
    let mut harness = panel(&root, "maria", (), |(), ui, fc| {
        tagdesk::gui::panels::status_bar::status_bar_ui(ui, fc);
    });
    harness
        .state_mut()
        .session
        .ws
        .set_held_elsewhere("maria", true);
    harness.run();
    harness.get_by_label_contains("read-only: another tagdesk holds");
    harness.get_by_label("All changes saved");
    harness.get_by_label("Annotator: maria").click();
    harness.run();
    assert!(matches!(
        harness.state().actions.pending(),
        [Action::Command(Command::ChangeAnnotator)]
    ));
}

#[test]
fn the_documents_panel_lists_documents_with_counts_and_opens_one() {
    let (_dir, root) = sample();
    let mut harness = panel(
        &root,
        "maria",
        tagdesk::gui::panels::documents::DocumentsPanel::default(),
        tagdesk::gui::panels::documents::DocumentsPanel::ui,
    );
    harness
        .try_run()
        .expect("the documents panel keeps repainting");
    let second = harness.state().session.ws.project().documents[1]
        .path
        .clone();
    harness.get_by_label_contains("5 documents");
    // sam's spans are counted beside maria's own.
    assert!(harness.query_all_by_label_contains(" · +").next().is_some());
    // Listed by title (metadata.json), the file name on hover.
    assert!(second.starts_with("001_"));
    harness
        .get_by_label_contains("NATO, Russia Aiming For Syria")
        .click();
    harness.run();
    assert!(
        matches!(harness.state().actions.pending(), [Action::SelectDocument(d)] if *d == second),
        "{:?}",
        harness.state().actions.pending()
    );
}

#[test]
fn the_labels_panel_tags_with_a_click_and_shows_the_selected_span() {
    let (_dir, root) = sample();
    let mut harness = panel(
        &root,
        "maria",
        tagdesk::gui::panels::labels::LabelsPanel::default(),
        tagdesk::gui::panels::labels::LabelsPanel::ui,
    );
    harness
        .try_run()
        .expect("the labels panel keeps repainting");
    harness.get_by_label_contains("claim").click();
    harness.run();
    assert!(matches!(harness.state().actions.pending(), [Action::ApplyLabel(l)] if l == "claim"));
    // Select one of maria's spans: its note field and Delete button show.
    let doc = harness.state().state.current_doc.clone().unwrap();
    let id = harness
        .state()
        .session
        .ws
        .layer(&doc, "maria")
        .unwrap()
        .annotations()[0]
        .id
        .to_string();
    harness.state_mut().state.selected = Some(id);
    harness.state_mut().actions.take();
    harness.run();
    harness.get_by_label("Note");
    harness.get_by_label("Delete annotation").click();
    harness.run();
    assert!(matches!(
        harness.state().actions.pending(),
        [Action::Command(Command::DeleteAnnotation)]
    ));
}

#[test]
fn the_review_panel_edits_the_curated_layer_only_when_asked() {
    let (_dir, root) = sample();
    let review = tagdesk::gui::panels::review::Review::new(&Workspace::open(&root).unwrap());
    let mut harness = panel(
        &root,
        "maria",
        review,
        tagdesk::gui::panels::review::Review::panel_ui,
    );
    harness.run();
    assert!(harness.query_all_by_label("maria").next().is_some());
    assert!(harness.query_all_by_label("sam").next().is_some());
    assert!(
        harness.state().actions.is_empty(),
        "nothing is decided by opening"
    );
    // Both link the leverage claim, and sam the Pentagon's doubt, to one concept: shown by its
    // name, not its id.
    let id = Workspace::open(&root)
        .unwrap()
        .project()
        .entities
        .called(
            tagdesk::core::entities::EntityKind::Concept,
            "US diplomacy with Russia will bring results",
        )
        .unwrap()
        .id
        .clone();
    assert_eq!(
        harness
            .query_all_by_label_contains("entity=US diplomacy with Russia will bring results")
            .count(),
        3
    );
    assert!(harness.query_by_label_contains(&id).is_none());
    harness.get_by_label("Edit the curated layer").click();
    harness.run();
    assert!(matches!(
        harness.state().actions.pending(),
        [Action::SetCurating(true)]
    ));
    harness.state_mut().actions.take();
    harness.get_by_label("Accept all agreed").click();
    harness.run();
    assert!(matches!(
        harness.state().actions.pending(),
        [Action::Curate(tagdesk::gui::action::Curate::AcceptAgreed {
            all_documents: false
        })]
    ));
}

#[test]
fn the_document_panel_shows_the_text_and_its_find_bar_closes_with_esc() {
    let (_dir, root) = sample();
    let mut harness = panel(
        &root,
        "maria",
        tagdesk::gui::panels::document::DocumentPanel::default(),
        |p, ui, fc| p.ui(ui, fc, None),
    );
    // The text is read by the app's job; here, by hand.
    let doc = harness.state().state.current_doc.clone().unwrap();
    harness.state_mut().session.ws.text(&doc).unwrap();
    harness.state_mut().drawn.open_find();
    harness.run();
    harness.get_by_label("Find").focus();
    harness.get_by_label("Find").type_text("Geneva");
    harness.run();
    harness.get_by_label_contains("matches");
    harness.key_press(Key::Enter);
    harness.run();
    assert!(
        harness
            .state()
            .actions
            .pending()
            .iter()
            .any(|a| matches!(a, Action::SetSelection(Some(_)))),
        "Enter selects the first match: {:?}",
        harness.state().actions.pending()
    );
    harness.key_press(Key::Escape);
    harness.run();
    assert!(
        harness.state().drawn.find.is_none(),
        "Esc closed the find bar"
    );
}

// ---- The other dialogs alone. ----

#[test]
fn the_alerts_dialog_is_acknowledged_with_ok_or_esc() {
    use tagdesk::gui::dialogs::alerts::AlertsDialog;
    let mut alerts = AlertsDialog::default();
    alerts.push("The last session ended without saving.".to_owned());
    let mut harness = Harness::new_ui_state(
        |ui, alerts: &mut AlertsDialog| alerts.ui(&ui.ctx().clone()),
        alerts,
    );
    harness.try_run().expect("the alert keeps repainting");
    harness.get_by_label_contains("ended without saving");
    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.state().is_empty());
}

#[test]
fn the_init_dialog_makes_a_project_or_cancels_with_esc() {
    use tagdesk::gui::dialogs::init::InitDialog;
    let folder = std::path::PathBuf::from("/tmp/texts");
    let mut harness = alone(
        InitDialog {
            folder: folder.clone(),
        },
        InitDialog::ui,
    );
    harness.try_run().expect("the init dialog keeps repainting");
    harness.get_by_label("Make it a project").click();
    harness.run();
    assert!(harness.state().dialog.is_none());
    assert!(matches!(harness.state().actions.pending(), [Action::InitProject(p)] if *p == folder));
    let mut harness = alone(InitDialog { folder }, InitDialog::ui);
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.state().dialog.is_none());
    assert!(harness.state().actions.is_empty());
}

#[test]
fn the_relation_choice_takes_a_number_and_esc_cancels() {
    use tagdesk::gui::dialogs::relation_choice::RelationChoice;
    let choice = RelationChoice {
        from: "a".into(),
        to: "b".into(),
        kinds: vec!["said_by".into(), "disputes".into()],
    };
    let schema = tagdesk::core::Schema::default();
    let mut harness = alone(choice.clone(), move |c, ctx, actions| {
        c.ui(ctx, &schema, actions)
    });
    harness
        .try_run()
        .expect("the relation choice keeps repainting");
    harness.key_press(Key::Num2);
    harness.run();
    assert!(matches!(
        harness.state().actions.pending(),
        [Action::AddRelation { kind, .. }] if kind == "disputes"
    ));
    let schema = tagdesk::core::Schema::default();
    let mut harness = alone(choice, move |c, ctx, actions| c.ui(ctx, &schema, actions));
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.state().dialog.is_none());
    assert!(harness.state().actions.is_empty());
}

#[test]
fn the_conflict_dialog_offers_three_choices_that_lose_nothing() {
    use tagdesk::core::workspace::Resolution;
    let key = tagdesk::core::LayerKey::new("a.txt", "ana");
    let mut harness = alone(key, |key, ctx, actions| {
        tagdesk::gui::dialogs::conflict::conflict_ui(ctx, key, actions);
        true
    });
    harness
        .try_run()
        .expect("the conflict dialog keeps repainting");
    harness.get_by_label_contains("changed on disk");
    harness.get_by_label("Take theirs").click();
    harness.run();
    assert!(matches!(
        harness.state().actions.pending(),
        [Action::ResolveConflict(_, Resolution::TakeTheirs)]
    ));
}

#[test]
fn the_about_box_closes_with_esc() {
    use tagdesk::gui::dialogs::about::AboutDialog;
    let mut harness = alone(AboutDialog, |d, ctx, _| d.ui(ctx));
    harness.try_run().expect("the about box keeps repainting");
    harness.get_by_label_contains("Version");
    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.state().dialog.is_none());
}

/// eframe's storage, in memory.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
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
fn preferences_keep_where_each_project_was_left_and_the_colleagues_toggle() {
    let mut prefs = Prefs {
        annotator: "ana".to_owned(),
        show_colleagues: true,
        ..Prefs::default()
    };
    prefs
        .positions
        .insert("/data/study".into(), ("b.txt".to_owned(), 1234));
    prefs.opened("/data/study".into());
    let mut storage = MemoryStorage::default();
    prefs.store(&mut storage, None);
    let (loaded, annotator) = Prefs::load(Some(&storage));
    assert_eq!(annotator.as_deref(), Some("ana"));
    assert!(loaded.show_colleagues);
    assert_eq!(
        loaded.positions.get(std::path::Path::new("/data/study")),
        Some(&("b.txt".to_owned(), 1234))
    );
    assert_eq!(loaded.recent, prefs.recent);
}

#[test]
fn the_window_icon_is_in_the_binary() {
    let icon = tagdesk::gui::window_icon().expect("the icon decodes");
    assert_eq!((icon.width, icon.height), (256, 256));
    assert_eq!(icon.rgba.len(), 256 * 256 * 4);
}

#[test]
fn the_sample_in_the_binary_is_the_sample_project_and_a_copy_keeps_the_user_s_work() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("syria-talks");
    tagdesk::gui::extract_sample(&dest).unwrap();
    let copy = tagdesk::core::Project::open(&dest).unwrap();
    let shipped = tagdesk::core::Project::open(&crate::support::sample_project()).unwrap();
    assert_eq!(copy.documents.len(), shipped.documents.len());
    assert_eq!(
        copy.layers.keys().collect::<Vec<_>>(),
        shipped.layers.keys().collect::<Vec<_>>()
    );
    assert_eq!(copy.entities, shipped.entities);
    assert_eq!(copy.metadata, shipped.metadata);
    // Extracting again writes only what is missing: the user's changes stay.
    let manifest = dest.join("tagdesk.json");
    let mine = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("US–Russia talks on Syria", "My copy");
    std::fs::write(&manifest, &mine).unwrap();
    std::fs::remove_file(dest.join("entities.json")).unwrap();
    tagdesk::gui::extract_sample(&dest).unwrap();
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), mine);
    assert!(dest.join("entities.json").is_file());
}
