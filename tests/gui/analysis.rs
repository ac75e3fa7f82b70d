//! Entities and the discourse network, driven through the window.

use super::*;

#[test]
fn a_span_is_linked_to_an_entity_by_typing_and_the_next_one_is_offered_it() {
    let (_dir, root) = sample_copy();
    let mut harness = open_app(&root, "maria");
    let text = source(&root);
    // The sample links its speakers; Bashar al-Assad is tagged but not linked.
    let assad = char_offset_of(&text, "Bashar al-Assad", 0);
    let first = harness
        .state()
        .workspace()
        .unwrap()
        .layer(DOC, "maria")
        .unwrap()
        .annotations()
        .iter()
        .find(|a| a.start == assad)
        .expect("maria tagged Bashar al-Assad")
        .id
        .to_string();
    harness
        .state_mut()
        .push_action(Action::SelectAnnotation(Some(first.clone())));
    steps(&mut harness, 2);
    harness.get_by_label("Entity").focus();
    harness.get_by_label("Entity").type_text("Bashar al-Assad");
    steps(&mut harness, 1);
    harness.get_by_label_contains("Enter: a new actor");
    harness.key_press(Key::Enter);
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    let entity = ws
        .project()
        .entities
        .called(
            tagdesk::core::entities::EntityKind::Actor,
            "bashar al-assad",
        )
        .expect("a new entity")
        .id
        .clone();
    let linked = ws
        .layer(DOC, "maria")
        .unwrap()
        .get(&first)
        .unwrap()
        .attributes[tagdesk::core::schema::ENTITY_ATTRIBUTE]
        .to_string();
    assert_eq!(linked, entity);
    // Another annotator tags the same words: the entity is offered at once.
    harness
        .state_mut()
        .push_action(Action::SetAnnotator("tester".into()));
    steps(&mut harness, 2);
    harness.state_mut().push_action(Action::RevealChar(assad));
    steps(&mut harness, 3);
    tag(&mut harness, assad, assad + 15, Key::Num1);
    harness.get_by_label("Link to Bashar al-Assad").click();
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    assert_eq!(ws.entity_usage()[&entity], 2);
    // Ctrl+Z unlinks it again; the entity stays (maria's span still links to it).
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(
        harness.state().workspace().unwrap().entity_usage()[&entity],
        1
    );
}

#[test]
fn the_entities_window_renames_and_merges_and_every_link_follows() {
    let (_dir, root) = sample_copy();
    // In the Georgian text; the sample comes with its registry, the new entities go beside it.
    let doc = "003_3a31fb68b867da90.txt";
    let mut harness = open_app_on(&root, doc, "maria");
    let before = harness
        .state()
        .workspace()
        .unwrap()
        .project()
        .entities
        .entities()
        .len();
    let spans: Vec<String> = harness
        .state()
        .workspace()
        .unwrap()
        .layer(doc, "maria")
        .unwrap()
        .annotations()
        .iter()
        .filter(|a| {
            a.label == "actor"
                && !a
                    .attributes
                    .contains_key(tagdesk::core::schema::ENTITY_ATTRIBUTE)
        })
        .take(2)
        .map(|a| a.id.to_string())
        .collect();
    for (span, name) in spans.iter().zip(["Trump", "D. Trump"]) {
        harness.state_mut().push_action(Action::NewEntity {
            id: span.clone(),
            kind: tagdesk::core::entities::EntityKind::Actor,
            name: name.into(),
        });
        steps(&mut harness, 1);
    }
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::E);
    steps(&mut harness, 2);
    harness.get_by_label("Filter").focus();
    harness.get_by_label("Filter").type_text("D. Trump");
    harness.key_press(Key::Enter);
    steps(&mut harness, 1);
    // The filter leaves D. Trump's row alone.
    harness.get_by_label("Merge into…").click();
    steps(&mut harness, 1);
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Trump")
        .click();
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    assert_eq!(ws.project().entities.entities().len(), before + 1);
    let kept = ws
        .project()
        .entities
        .called(tagdesk::core::entities::EntityKind::Actor, "Trump")
        .unwrap()
        .clone();
    assert!(kept.is_called("D. Trump"));
    assert_eq!(ws.entity_usage()[&kept.id], 2);
    // Rename it from the window.
    harness.get_by_label("Rename").click();
    steps(&mut harness, 1);
    harness.get_by_label("New name").focus();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_label("New name").type_text("Donald Trump");
    harness.key_press(Key::Enter);
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    let renamed = ws.project().entities.get(&kept.id).unwrap();
    assert_eq!(renamed.name, "Donald Trump");
    assert!(renamed.is_called("Trump"));
    // Esc closes it; one Ctrl+Z takes the rename back, the next the merge.
    harness.key_press(Key::Escape);
    steps(&mut harness, 1);
    assert!(harness.query_by_label("Rename").is_none());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    assert_eq!(
        harness
            .state()
            .workspace()
            .unwrap()
            .project()
            .entities
            .entities()
            .len(),
        before + 2
    );
}

#[test]
fn the_network_window_shows_who_agrees_and_a_tie_leads_to_its_claims() {
    let (_dir, root) = crate::network::coded_project();
    let mut harness = open_app_on(&root, "a.txt", "ana");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::N);
    wait_for(&mut harness, "the network", |h| {
        h.query_by_label_contains("Kerry — Lavrov").is_some()
    });
    harness.get_by_label_contains("3 statements, 3 actors, 3 ties");
    // Agree minus disagree: the two who back the ceasefire +1, Assad against each −1.
    harness.get_by_label("Kerry — Lavrov  +1.00");
    harness.get_by_label("Assad — Kerry  -1.00");
    harness.get_by_label("Assad — Lavrov  -1.00");
    // The statements behind a tie, and from one to the claim in the text.
    harness.get_by_label("Assad — Kerry  -1.00").click();
    steps(&mut harness, 2);
    harness
        .get_by_label_contains("Assad on ceasefire (-1)")
        .click();
    steps(&mut harness, 2);
    let selected = harness
        .state()
        .selected_annotation()
        .expect("the claim")
        .to_owned();
    let ws = harness.state().workspace().unwrap();
    let claim = ws.layer("a.txt", "ana").unwrap().get(&selected).unwrap();
    assert_eq!(claim.text, "the ceasefire is a lie");
    // The window folded to its title so the claim shows; its shortcut unfolds it.
    assert!(harness.query_by_label("disagree").is_none(), "folded");
    assert!(
        harness
            .query_by_label_contains("The Network window is folded")
            .is_some()
    );
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::N);
    steps(&mut harness, 3);
    // Only disagreement: the window follows the choice.
    harness.get_by_label("disagree").click();
    wait_for(&mut harness, "the conflict network", |h| {
        h.query_by_label("Assad — Kerry  +1.00").is_some()
    });
    assert!(harness.query_by_label_contains("Kerry — Lavrov").is_none());
}

#[test]
fn the_network_window_shows_actors_by_concept_and_exports_what_it_draws() {
    let (_dir, root) = crate::network::coded_project();
    let mut harness = open_app_on(&root, "a.txt", "ana");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::N);
    wait_for(&mut harness, "the network", |h| {
        h.query_by_label_contains("Kerry — Lavrov").is_some()
    });
    harness.get_by_label_contains("density 1.00 · 2 groups");
    // A node's statements, from the table of weighted degrees.
    harness.get_by_label("Nodes by weighted degree").click();
    steps(&mut harness, 2);
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Assad")
        .click();
    steps(&mut harness, 2);
    harness.get_by_label("Statements of Assad");
    harness.get_by_label_contains("Assad on ceasefire (-1)");
    // Export the network as drawn; a second write asks before replacing.
    // Beside the project by default, named after it (never inside it).
    let graphml = root.parent().unwrap().join("proj-network.graphml");
    harness.get_by_label("Write").click();
    wait_for(&mut harness, "the GraphML file", |_| graphml.exists());
    let xml = std::fs::read_to_string(&graphml).unwrap();
    assert!(roxmltree::Document::parse(&xml).is_ok());
    assert_eq!(xml.matches("<edge ").count(), 3, "{xml}");
    std::fs::write(&graphml, "mine").unwrap();
    harness.get_by_label("Write").click();
    steps(&mut harness, 2);
    harness.get_by_label_contains("exists. Click Replace");
    assert_eq!(std::fs::read_to_string(&graphml).unwrap(), "mine");
    harness.get_by_label("Replace").click();
    wait_for(&mut harness, "the replaced file", |_| {
        std::fs::read_to_string(&graphml).is_ok_and(|t| t.starts_with("<?xml"))
    });
    // Actors × concepts: who backs what; the picture as SVG.
    harness.get_by_label("actors × concepts").click();
    wait_for(&mut harness, "the two-mode network", |h| {
        h.query_by_label("Kerry — ceasefire  +1.00").is_some()
    });
    harness.get_by_label("Assad — ceasefire  -1.00");
    harness.get_by_label("Export").click();
    steps(&mut harness, 1);
    harness.get_by_label("Picture (SVG)").click();
    steps(&mut harness, 2);
    let svg = root.parent().unwrap().join("proj-network.svg");
    harness.get_by_label("Write").click();
    wait_for(&mut harness, "the SVG file", |_| svg.exists());
    let svg = std::fs::read_to_string(svg).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    // Three actors (circles), one concept (a square), three ties.
    let count = |tag: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name(("http://www.w3.org/2000/svg", tag)))
            .count()
    };
    assert_eq!((count("circle"), count("line")), (3, 3));
    // Esc closes the window.
    harness.key_press(Key::Escape);
    steps(&mut harness, 1);
    assert!(harness.query_by_label("actors × concepts").is_none());
}

#[test]
fn an_entity_s_type_is_set_in_the_entities_window_and_filters_the_network() {
    let (_dir, root) = crate::network::coded_project();
    let mut harness = open_app_on(&root, "a.txt", "ana");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::E);
    steps(&mut harness, 2);
    harness.get_by_label("Filter").focus();
    harness.get_by_label("Filter").type_text("Assad");
    steps(&mut harness, 1);
    harness.get_by_label("Attributes…").click();
    steps(&mut harness, 1);
    harness.get_by_label("type: —").click();
    steps(&mut harness, 1);
    harness.get_by_label("government").click();
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    let assad = ws
        .project()
        .entities
        .called(tagdesk::core::entities::EntityKind::Actor, "Assad")
        .unwrap();
    assert_eq!(assad.attributes["type"], "government");
    // The row shows it (the menu closed on the choice).
    harness.get_by_label("type: government");
    // The network offers the attribute as a filter: only governments leaves Assad alone.
    harness.key_press(Key::Escape);
    steps(&mut harness, 1);
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::N);
    wait_for(&mut harness, "the network", |h| {
        h.query_by_label_contains("Kerry — Lavrov").is_some()
    });
    harness.get_by_label("Actors").click();
    steps(&mut harness, 1);
    harness.get_by_label("type = government").click();
    wait_for(&mut harness, "the filtered network", |h| {
        h.query_by_label_contains("1 actor, 0 ties").is_some()
    });
    harness.key_press(Key::Escape);
    steps(&mut harness, 1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut harness, 2);
    let ws = harness.state().workspace().unwrap();
    let assad = ws
        .project()
        .entities
        .called(tagdesk::core::entities::EntityKind::Actor, "Assad")
        .unwrap();
    assert!(!assad.attributes.contains_key("type"));
}

#[test]
fn a_network_export_whose_job_panics_says_so_and_can_write_again() {
    use tagdesk::core::faults::{self, Fault, Plan};
    let (_dir, root) = crate::network::coded_project();
    let mut harness = open_app_on(&root, "a.txt", "ana");
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::N);
    wait_for(&mut harness, "the network", |h| {
        h.query_by_label_contains("Kerry — Lavrov").is_some()
    });
    let beside = root.parent().unwrap().to_owned();
    let bug = faults::arm(
        &beside,
        Plan {
            fault: Fault::Panic,
            at: 1,
            persistent: false,
        },
    );
    harness.get_by_label("Write").click();
    wait_for(&mut harness, "the failure", |h| {
        h.query_by_label_contains("Writing the network failed: it stopped unexpectedly")
            .is_some()
    });
    drop(bug);
    // Not stuck: the next write works.
    harness.get_by_label("Write").click();
    let graphml = beside.join("proj-network.graphml");
    wait_for(&mut harness, "the GraphML file", |_| graphml.exists());
}

/// File → Import… reads a DNA database into a new project (the Import window lists the
/// format), the Network window then draws every coder's statements, and File → Export… writes
/// it back as a DNA database.
#[test]
fn a_dna_database_is_imported_drawn_and_exported_from_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("dna");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("placeholder.txt"), "A first text.").unwrap();
    tagdesk::core::Project::init(&root, None, Some("dna")).unwrap();
    let mut harness = open_app_on(&root, "placeholder.txt", "Coder 1");
    super::windows::open_with_format(&mut harness, Key::I, "DNA database");
    let sample = crate::support::testdata().join("dna/sample.dna");
    super::windows::import_from(&mut harness, &sample, "Imported 7 documents, 41 statements");
    assert_eq!(
        harness
            .state()
            .workspace()
            .unwrap()
            .project()
            .documents
            .len(),
        8
    );
    harness.key_press(Key::Escape);
    steps(&mut harness, 2);
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::N);
    wait_for(&mut harness, "the network", |h| {
        h.query_by_label_contains("40 statements, 7 actors")
            .is_some()
    });
    assert!(
        harness
            .query_by_label_contains("every coder's statements")
            .is_some()
    );
    harness.key_press(Key::Escape);
    steps(&mut harness, 2);
    // Back to DNA from the Export window.
    let out = dir.path().join("back.dna");
    super::windows::open_with_format(&mut harness, Key::E, "DNA database");
    let file = egui::accesskit::Role::TextInput;
    harness.get_by_role_and_label(file, "File").focus();
    steps(&mut harness, 1);
    harness
        .get_by_role_and_label(file, "File")
        .type_text(&out.display().to_string());
    steps(&mut harness, 2);
    harness.get_by_label("Export").click();
    wait_for(&mut harness, "the export", |h| {
        h.query_all_by_label_contains("41 annotations")
            .next()
            .is_some()
            || h.query_all_by_label_contains("Exported").next().is_some()
    });
    let back = tagdesk::formats::dna::read(&out).unwrap();
    assert_eq!(back.statements.len(), 41);
}
