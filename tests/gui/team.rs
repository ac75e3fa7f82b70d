//! Team work in the window: the status bar's team state, a sync that brings a colleague's
//! spans, a change both made differently chosen in the Team window, sharing and joining.

use super::*;
use crate::team::{setup, sync, tag};

fn status_bar_has(harness: &Harness<'_, App>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

#[test]
fn the_status_bar_shows_incoming_work_and_a_sync_brings_a_colleagues_spans() {
    let s = setup();
    let sam = s.join("sam");
    tag(&sam, "sam", "Lavrov", "claim");
    sync(&sam, "sam");
    let mut harness = open_app(&s.maria, "maria");
    // At open the remote is asked: sam's commit is incoming.
    wait_for(&mut harness, "the team state", |h| {
        status_bar_has(h, "↓ 1 incoming")
    });
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Y);
    wait_for(&mut harness, "the sync", |h| {
        status_bar_has(h, "✓ In sync")
            && h.state().workspace().is_some_and(|ws| {
                ws.project().layers.iter().any(|(k, l)| {
                    k.annotator == "sam" && l.annotations().iter().any(|a| a.label == "claim")
                })
            })
    });
    assert!(status_bar_has(&harness, "took in 1 commit from sam"));
    // An edit makes a change to send; after autosave the bar says so.
    let text = source(&s.maria);
    let start = char_offset_of(&text, "Geneva", 0);
    harness
        .state_mut()
        .push_action(Action::SetSelection(Some(start..start + 6)));
    steps(&mut harness, 1);
    harness
        .state_mut()
        .push_action(Action::ApplyLabel("actor".into()));
    steps(&mut harness, 1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    wait_for(&mut harness, "the change to send", |h| {
        status_bar_has(h, "↑ 1 changed files")
    });
}

#[test]
fn a_name_both_changed_is_chosen_in_the_team_window() {
    let s = setup();
    let sam = s.join("sam");
    let kerry = "e628ed14c560a40ba";
    for (root, name) in [(&s.maria, "Secretary Kerry"), (&sam, "J. Kerry")] {
        let mut ws = tagdesk::core::Workspace::open(root).unwrap();
        ws.rename_entity(kerry, name).unwrap();
        assert!(ws.save().errors.is_empty());
    }
    sync(&sam, "sam");
    let mut harness = open_app(&s.maria, "maria");
    // Her rename is not committed yet: it is to be sent.
    wait_for(&mut harness, "the team state", |h| {
        status_bar_has(h, "to send")
    });
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Y);
    wait_for(&mut harness, "the choice", |h| {
        h.query_by_label_contains("Take sam's: J. Kerry").is_some()
    });
    // The status bar's team state comes from its own job (the window read the choices on
    // another): under load it may land a frame or two later.
    wait_for(&mut harness, "the status bar to ask for attention", |h| {
        status_bar_has(h, "needs attention")
    });
    harness
        .get_by_label_contains("Take sam's: J. Kerry")
        .click();
    wait_for(&mut harness, "the choice taken", |h| {
        h.state().workspace().is_some_and(|ws| {
            ws.project()
                .entities
                .get(kerry)
                .is_some_and(|e| e.name == "J. Kerry")
        }) && status_bar_has(h, "to send")
    });
    assert!(tagdesk::core::team::pending_choices(&s.maria).is_empty());
}

#[test]
fn a_project_is_shared_from_the_team_window_and_joined_from_another() {
    let dir = tempfile::tempdir().unwrap();
    let remote = dir.path().join("remote.git");
    std::process::Command::new("git")
        .args(["init", "--quiet", "--bare"])
        .arg(&remote)
        .status()
        .unwrap();
    let (_sample, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    harness
        .state_mut()
        .push_action(Action::Command(tagdesk::gui::commands::Command::TeamShare));
    wait_for(&mut harness, "the share form", |h| {
        h.query_by_label("Remote URL").is_some()
    });
    harness.get_by_label("Remote URL").focus();
    steps(&mut harness, 1);
    harness
        .get_by_label("Remote URL")
        .type_text(&remote.display().to_string());
    steps(&mut harness, 1);
    harness.get_by_label("Share").click();
    wait_for(&mut harness, "shared", |h| status_bar_has(h, "✓ In sync"));
    // Another machine joins it from the window.
    let joined = dir.path().join("sam-copy");
    harness.key_press(Key::Escape);
    harness
        .state_mut()
        .push_action(Action::Command(tagdesk::gui::commands::Command::TeamJoin));
    wait_for(&mut harness, "the join form", |h| {
        h.query_by_label("Folder").is_some()
    });
    harness.get_by_label("Remote URL").focus();
    steps(&mut harness, 1);
    harness
        .get_by_label("Remote URL")
        .type_text(&remote.display().to_string());
    harness.get_by_label("Folder").focus();
    steps(&mut harness, 1);
    harness
        .get_by_label("Folder")
        .type_text(&joined.display().to_string());
    steps(&mut harness, 1);
    harness.get_by_label("Join").click();
    wait_for(&mut harness, "the joined project", |h| {
        h.state()
            .workspace()
            .is_some_and(|ws| ws.project().root == joined)
    });
    assert!(joined.join("tagdesk.json").is_file());
}

/// With syncing by itself on, closing the window sends the work first: the window stays until
/// the sync ends, then closes.
#[test]
fn closing_sends_the_work_first_when_syncing_by_itself_is_on() {
    let s = setup();
    let mut harness = open_app(&s.maria, "maria");
    wait_for(&mut harness, "the team state", |h| {
        status_bar_has(h, "In sync")
    });
    harness
        .state_mut()
        .push_action(Action::SetTeamSyncMinutes(15));
    let text = source(&s.maria);
    let start = char_offset_of(&text, "Geneva", 0);
    harness
        .state_mut()
        .push_action(Action::SetSelection(Some(start..start + 6)));
    steps(&mut harness, 1);
    harness
        .state_mut()
        .push_action(Action::ApplyLabel("actor".into()));
    steps(&mut harness, 1);
    harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    steps(&mut harness, 1);
    assert!(!harness.state().close_confirmed(), "it waits for the sync");
    wait_for(&mut harness, "the close", |h| h.state().close_confirmed());
    let log = std::process::Command::new("git")
        .args(["log", "-1", "--format=%an %s", "main"])
        .current_dir(&s.remote)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&log.stdout).trim(),
        "maria maria: 1 span added in 1 document"
    );
}

/// "Since my last sync" feeds the review panel: a colleague's spans that arrived are listed in
/// the Team window, and its Review opens the document in the review panel with the user's layer
/// beside the colleague's, showing only what arrived (agreeing or not).
#[test]
fn what_arrived_in_the_last_sync_opens_in_the_review_panel() {
    let s = setup();
    let sam = s.join("sam");
    tag(&sam, "sam", "Lavrov", "actor");
    sync(&sam, "sam");
    let mut harness = open_app(&s.maria, "maria");
    wait_for(&mut harness, "the team state", |h| {
        status_bar_has(h, "↓ 1 incoming")
    });
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Y);
    wait_for(&mut harness, "the sync", |h| status_bar_has(h, "✓ In sync"));
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::T);
    wait_for(&mut harness, "what arrived", |h| {
        h.query_by_label("Review ▸").is_some()
    });
    harness.get_by_label("Review ▸").click();
    wait_for(&mut harness, "the review panel on what arrived", |h| {
        h.query_by_label_contains("Only my last sync's (1)")
            .is_some_and(|c| c.accesskit_node().toggled() == Some(egui::accesskit::Toggled::True))
            && h.query_all_by_label_contains("Lavrov").next().is_some()
    });
    let doc = harness.state().current_document().unwrap().to_owned();
    assert!(
        std::fs::read_to_string(sam.join("annotations/sam").join(format!("{doc}.json")))
            .unwrap()
            .contains("Lavrov"),
        "the document sam tagged is open: {doc}"
    );
    // Turned off, the panel lists the disagreements again (sam's span is one: maria has none
    // there).
    // (A widget takes clicks from the frame after it first appears.)
    steps(&mut harness, 2);
    harness.get_by_label_contains("Only my last sync's").click();
    steps(&mut harness, 2);
    assert!(
        harness
            .query_by_label_contains("Only my last sync's (1)")
            .is_some_and(|c| c.accesskit_node().toggled() == Some(egui::accesskit::Toggled::False))
    );
}
