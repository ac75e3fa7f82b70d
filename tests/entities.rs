//! Entities: one actor is one node. A span links to an entity (its text becomes an alias),
//! merging relinks every span, each change is one undo step, journaled, saved to
//! `entities.json`; exports carry the link as an attribute; the CLI lists them.

use tagdesk::core::entities::EntityKind;
use tagdesk::core::schema::{AttributeValue, ENTITY_ATTRIBUTE};
use tagdesk::core::{LayerKey, Workspace};

use crate::support::project_with;

const TEXT: &str =
    "Sergey Lavrov met Kerry. Lavrov said the ceasefire holds. Russia's foreign minister left.";

fn link_of(ws: &Workspace, key: &LayerKey, id: &str) -> Option<String> {
    match ws
        .layer(&key.document, &key.annotator)?
        .get(id)?
        .attributes
        .get(ENTITY_ATTRIBUTE)
    {
        Some(AttributeValue::Text(e)) => Some(e.clone()),
        _ => None,
    }
}

fn span(ws: &mut Workspace, annotator: &str, needle: &str, n: usize) -> String {
    let (byte, _) = TEXT.match_indices(needle).nth(n).unwrap();
    let start = TEXT[..byte].chars().count();
    let end = start + needle.chars().count();
    ws.add_span("a.txt", annotator, start..end, "actor")
        .unwrap()
}

#[test]
fn linking_merging_and_undo_keep_spans_and_registry_together() {
    let (_dir, root) = project_with(&[("a.txt", TEXT.as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    let ana = LayerKey::new("a.txt", "ana");
    let ben = LayerKey::new("a.txt", "ben");
    let full = span(&mut ws, "ana", "Sergey Lavrov", 0);
    let short = span(&mut ws, "ana", "Lavrov", 1);
    let title = span(&mut ws, "ben", "Russia's foreign minister", 0);
    // A new entity from the first span: its text is an alias at once.
    let lavrov = ws
        .link_new_entity(&ana, &full, EntityKind::Actor, "Sergey Lavrov")
        .unwrap();
    assert_eq!(link_of(&ws, &ana, &full).as_deref(), Some(lavrov.as_str()));
    // Linking "Lavrov" to it adds the alias; the registry finds it by that name.
    ws.link_entity(&ana, &short, Some(&lavrov)).unwrap();
    assert_eq!(
        ws.project()
            .entities
            .called(EntityKind::Actor, "lavrov")
            .unwrap()
            .id,
        lavrov
    );
    // Ben made another entity for the same man; merging relinks his span, in one step.
    let fm = ws
        .link_new_entity(&ben, &title, EntityKind::Actor, "Russia's foreign minister")
        .unwrap();
    assert_eq!(ws.merge_entities(&lavrov, &fm).unwrap(), 1);
    assert_eq!(link_of(&ws, &ben, &title).as_deref(), Some(lavrov.as_str()));
    assert!(ws.project().entities.get(&fm).is_none());
    assert!(
        ws.project()
            .entities
            .get(&lavrov)
            .unwrap()
            .is_called("Russia's foreign minister")
    );
    assert_eq!(ws.entity_usage()[&lavrov], 3);
    // One Ctrl+Z takes the merge back: both entities, Ben's link to his own.
    ws.undo().unwrap();
    assert!(ws.project().entities.get(&fm).is_some());
    assert_eq!(link_of(&ws, &ben, &title).as_deref(), Some(fm.as_str()));
    ws.redo().unwrap();
    assert_eq!(link_of(&ws, &ben, &title).as_deref(), Some(lavrov.as_str()));
    // A relabel or a schema change keeps the link (it is no schema attribute).
    ws.relabel(&ana, &short, "claim").unwrap();
    assert_eq!(link_of(&ws, &ana, &short).as_deref(), Some(lavrov.as_str()));
    // Saved: entities.json holds the registry, the span files the links; reopening reads both.
    let report = ws.save();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let json = std::fs::read_to_string(root.join("entities.json")).unwrap();
    assert!(json.contains("\"tagdesk-entities\"") && json.contains("Sergey Lavrov"));
    let again = Workspace::open(&root).unwrap();
    assert_eq!(again.project().entities, ws.project().entities);
    assert_eq!(
        link_of(&again, &ben, &title).as_deref(),
        Some(lavrov.as_str())
    );
    // Unlinking is an edit too.
    ws.link_entity(&ben, &title, None).unwrap();
    assert_eq!(link_of(&ws, &ben, &title), None);
    ws.undo().unwrap();
    assert_eq!(link_of(&ws, &ben, &title).as_deref(), Some(lavrov.as_str()));
}

#[test]
fn an_unsaved_entity_survives_a_crash_through_the_journal() {
    let (_dir, root) = project_with(&[("a.txt", TEXT.as_bytes())]);
    let lavrov;
    {
        let mut ws = Workspace::open(&root).unwrap();
        let key = LayerKey::new("a.txt", "ana");
        let id = span(&mut ws, "ana", "Kerry", 0);
        lavrov = ws
            .link_new_entity(&key, &id, EntityKind::Actor, "John Kerry")
            .unwrap();
        // The process dies here: nothing saved.
        std::mem::forget(ws);
    }
    let mut ws = Workspace::open(&root).unwrap();
    let recovered = ws.recover();
    assert!(
        recovered.iter().any(|r| r.contains("entities")),
        "{recovered:?}"
    );
    assert_eq!(
        ws.project().entities.get(&lavrov).unwrap().name,
        "John Kerry"
    );
    assert_eq!(ws.entity_usage()[&lavrov], 1);
}

#[test]
fn a_link_to_a_missing_entity_is_reported_and_an_unknown_one_is_refused() {
    let (_dir, root) = project_with(&[("a.txt", TEXT.as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new("a.txt", "ana");
    let id = span(&mut ws, "ana", "Kerry", 0);
    assert!(ws.link_entity(&key, &id, Some("e-nope")).is_err());
    ws.link_new_entity(&key, &id, EntityKind::Actor, "Kerry")
        .unwrap();
    ws.save();
    // Someone removes the registry: validate says which span links to what.
    std::fs::write(
        root.join("entities.json"),
        "{\"format\": \"tagdesk-entities\", \"version\": 1, \"entities\": []}",
    )
    .unwrap();
    let project = tagdesk::core::Project::open(&root).unwrap();
    let problems = tagdesk::core::validate::validate(&project);
    assert!(
        problems
            .iter()
            .any(|p| p.to_string().contains("not in entities.json")),
        "{problems:?}"
    );
    // A broken registry is refused with its place, like a broken manifest.
    std::fs::write(root.join("entities.json"), "{\n \"format\": 3").unwrap();
    let err = Workspace::open(&root).err().unwrap().to_string();
    assert!(err.contains("entities.json"), "{err}");
}

#[test]
fn exports_carry_the_link_and_the_cli_lists_the_entities() {
    let (_dir, root) = project_with(&[("a.txt", TEXT.as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new("a.txt", "ana");
    let id = span(&mut ws, "ana", "Sergey Lavrov", 0);
    let lavrov = ws
        .link_new_entity(&key, &id, EntityKind::Actor, "Sergey Lavrov")
        .unwrap();
    ws.save();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args(["export"])
        .arg(&root)
        .args(["--format", "jsonl"])
        .output()
        .unwrap();
    let jsonl = String::from_utf8(out.stdout).unwrap();
    assert!(jsonl.contains(&lavrov), "{jsonl}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .arg("entities")
        .arg(&root)
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success());
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed[0]["id"], lavrov.as_str());
    assert_eq!(listed[0]["name"], "Sergey Lavrov");
    assert_eq!(listed[0]["kind"], "actor");
    assert_eq!(listed[0]["spans"], 1);
}

#[test]
fn the_entity_link_goes_out_and_comes_back_through_brat_webanno_and_label_studio() {
    let (dir, root) = project_with(&[("a.txt", TEXT.as_bytes())]);
    let mut ws = Workspace::open(&root).unwrap();
    let key = LayerKey::new("a.txt", "ana");
    let id = span(&mut ws, "ana", "Sergey Lavrov", 0);
    let lavrov = ws
        .link_new_entity(&key, &id, EntityKind::Actor, "Sergey Lavrov")
        .unwrap();
    assert!(ws.save().errors.is_empty());
    let tagdesk = |args: &[&str]| {
        crate::support::tagdesk_ok(args);
    };
    let root_s = root.to_str().unwrap();
    for (format, out, back) in [
        ("brat", "out-brat", "from-brat"),
        ("webanno-tsv", "out-tsv", "from-tsv"),
        ("label-studio", "out.json", "from-ls"),
    ] {
        let out = dir.path().join(out); // beside the project: never inside it
        let out_s = out.to_str().unwrap();
        tagdesk(&[
            "export",
            root_s,
            "--format",
            format,
            "--annotator",
            "ana",
            "-o",
            out_s,
        ]);
        tagdesk(&[
            "import",
            root_s,
            out_s,
            "--format",
            format,
            "--annotator",
            back,
        ]);
        let ws = Workspace::open(&root).unwrap();
        let layer = ws.layer("a.txt", back).expect(format);
        let linked = layer
            .annotations()
            .iter()
            .find(|a| a.text == "Sergey Lavrov")
            .and_then(|a| a.attributes.get(tagdesk::core::schema::ENTITY_ATTRIBUTE))
            .map(ToString::to_string);
        assert_eq!(linked.as_deref(), Some(lavrov.as_str()), "{format}");
    }
}
