//! GUI parts tested alone (a dialog drawn by itself with `Harness::new_ui_state`, checking the
//! actions it pushes), the idle rule (a settled frame asks for no repaint, so an idle window
//! uses no CPU), and the app's logic running while the window is hidden.

use egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use tagdesk::gui::action::{Action, ActionQueue};
use tagdesk::gui::commands::{Availability, Command};
use tagdesk::gui::dialogs::annotator::AnnotatorDialog;
use tagdesk::gui::dialogs::chooser::FolderChooser;
use tagdesk::gui::dialogs::palette::{Palette, entries};

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
    assert!(state.actions.is_empty(), "{:?}", state.actions.pending());
}

#[test]
fn the_folder_chooser_lists_folders_marks_projects_and_opens_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("plain")).unwrap();
    tagdesk::core::Project::init(&dir.path().join("study"), None, None).unwrap();
    let mut harness = alone(
        FolderChooser::new(dir.path(), Some("no portal here".to_owned())),
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
