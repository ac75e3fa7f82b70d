//! The merge by meaning of the project's shared files, under random concurrent edits: the
//! same result whichever side merges, nothing either side made disappears, and a side that
//! changed nothing takes the other's file whole.

use proptest::prelude::*;
use serde_json::{Value, json};
use tagdesk::core::team::merge::merge;

/// An edit one side makes to an entities file.
#[derive(Debug, Clone)]
enum Edit {
    Rename(usize, String),
    AddAlias(usize, String),
    RemoveAlias(usize),
    SetAttribute(usize, String, String),
    Add(String),
    Remove(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..6usize, "[A-Z][a-z]{1,6}").prop_map(|(i, n)| Edit::Rename(i, n)),
        (0..6usize, "[a-z]{2,6}").prop_map(|(i, a)| Edit::AddAlias(i, a)),
        (0..6usize).prop_map(Edit::RemoveAlias),
        (0..6usize, "(type|country)", "[a-z]{2,5}")
            .prop_map(|(i, k, v)| Edit::SetAttribute(i, k, v)),
        "[A-Z][a-z]{1,6}".prop_map(Edit::Add),
        (0..6usize).prop_map(Edit::Remove),
    ]
}

fn base() -> Value {
    let entities: Vec<Value> = (0..5)
        .map(|i| {
            json!({
                "id": format!("e{i}"),
                "kind": "actor",
                "name": format!("Name{i}"),
                "aliases": [format!("alias{i}")],
                "attributes": {"type": "person"}
            })
        })
        .collect();
    json!({"format": "tagdesk-entities", "version": 1, "entities": entities})
}

/// Applies edits as a side would (`side` makes new ids apart, as random ids are).
fn apply(file: &Value, edits: &[Edit], side: &str) -> Value {
    let mut file = file.clone();
    let list = file["entities"].as_array_mut().unwrap();
    for (n, e) in edits.iter().enumerate() {
        let len = list.len();
        let at = |i: usize| if len == 0 { None } else { Some(i % len) };
        match e {
            Edit::Rename(i, name) => {
                if let Some(i) = at(*i) {
                    list[i]["name"] = json!(name);
                }
            }
            Edit::AddAlias(i, a) => {
                if let Some(i) = at(*i) {
                    let aliases = list[i]["aliases"].as_array_mut().unwrap();
                    if !aliases.contains(&json!(a)) {
                        aliases.push(json!(a));
                    }
                }
            }
            Edit::RemoveAlias(i) => {
                if let Some(i) = at(*i) {
                    list[i]["aliases"].as_array_mut().unwrap().pop();
                }
            }
            Edit::SetAttribute(i, k, v) => {
                if let Some(i) = at(*i) {
                    list[i]["attributes"][k] = json!(v);
                }
            }
            Edit::Add(name) => list.push(json!({
                "id": format!("{side}{n}"),
                "kind": "actor",
                "name": name,
                "aliases": [],
                "attributes": {}
            })),
            Edit::Remove(i) => {
                if let Some(i) = at(*i) {
                    list.remove(i);
                }
            }
        }
    }
    file
}

fn ids(v: &Value) -> Vec<String> {
    v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_concurrent_edits_merge_alike_in_either_order_and_lose_nothing(
        ours in proptest::collection::vec(edit(), 0..8),
        theirs in proptest::collection::vec(edit(), 0..8),
    ) {
        let base = base();
        let a = apply(&base, &ours, "a");
        let b = apply(&base, &theirs, "b");
        let ab = merge(Some(&base), &a, &b);
        let ba = merge(Some(&base), &b, &a);
        // The same file whichever side merges.
        prop_assert_eq!(&ab.value, &ba.value);
        prop_assert_eq!(ab.conflicts.len(), ba.conflicts.len());
        let merged = ids(&ab.value);
        let base_ids = ids(&base);
        for (side, other) in [(&a, &b), (&b, &a)] {
            for e in side["entities"].as_array().unwrap() {
                let id = e["id"].as_str().unwrap();
                let base_e = base["entities"].as_array().unwrap().iter().find(|x| x["id"] == id);
                // Added on a side, or changed on a side: it is there.
                if base_e.is_none_or(|x| x != e) {
                    prop_assert!(merged.iter().any(|m| m == id), "{} was lost", id);
                }
                // Kept by both sides: there.
                if base_e.is_some() && ids(other).iter().any(|o| o == id) {
                    prop_assert!(merged.iter().any(|m| m == id));
                }
            }
        }
        // Removed on one side and untouched on the other: gone.
        for id in &base_ids {
            let untouched = |v: &Value| {
                v["entities"].as_array().unwrap().iter().find(|x| x["id"] == id.as_str())
                    == base["entities"].as_array().unwrap().iter().find(|x| x["id"] == id.as_str())
            };
            if (!ids(&a).contains(id) && untouched(&b)) || (!ids(&b).contains(id) && untouched(&a)) {
                prop_assert!(!merged.contains(id), "{} should be gone", id);
            }
        }
        // Every alias either side added is there (unless its entity was removed unchanged).
        for (side, edits) in [(&a, &ours), (&b, &theirs)] {
            let _ = edits;
            for e in side["entities"].as_array().unwrap() {
                let Some(m) = ab.value["entities"].as_array().unwrap().iter().find(|x| x["id"] == e["id"]) else { continue };
                let base_aliases: Vec<Value> = base["entities"].as_array().unwrap().iter()
                    .find(|x| x["id"] == e["id"])
                    .map(|x| x["aliases"].as_array().unwrap().clone())
                    .unwrap_or_default();
                for alias in e["aliases"].as_array().unwrap() {
                    if !base_aliases.contains(alias) {
                        prop_assert!(m["aliases"].as_array().unwrap().contains(alias));
                    }
                }
            }
        }
    }

    #[test]
    fn a_side_that_changed_nothing_takes_the_other_whole(
        edits in proptest::collection::vec(edit(), 0..8),
    ) {
        let base = base();
        let a = apply(&base, &edits, "a");
        prop_assert_eq!(&merge(Some(&base), &a, &base).value, &a);
        prop_assert_eq!(&merge(Some(&base), &base, &a).value, &a);
        prop_assert_eq!(&merge(Some(&base), &a, &a).value, &a);
    }
}
