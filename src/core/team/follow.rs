//! Entity merges follow through a team merge. When one side merged entity B into K (B's name
//! became an alias of K, B went) and the other side edited B or linked new spans to it, the
//! edit follows the merge: B's new names and attributes go to K, B stays gone, and every span
//! linked to B links to K.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::core::entities::Registry;
use crate::core::schema::ENTITY_ATTRIBUTE;

fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// (name, aliases) of each entity, by id.
fn names(file: &Value) -> BTreeMap<String, (String, Vec<String>)> {
    file.get("entities")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|e| {
                    let id = e.get("id")?.as_str()?.to_owned();
                    let name = e.get("name")?.as_str()?.to_owned();
                    let aliases = e
                        .get("aliases")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(|x| x.as_str().map(normalise)).collect())
                        .unwrap_or_default();
                    Some((id, (name, aliases)))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The merges one side made since `base`: (the id merged away, the id it went into). An entity
/// gone from the side whose name became an alias of another it kept was merged into it.
pub fn merges(base: Option<&Value>, side: Option<&Value>) -> Vec<(String, String)> {
    let (Some(base), Some(side)) = (base, side) else {
        return Vec::new();
    };
    let (before, after) = (names(base), names(side));
    let mut out = Vec::new();
    for (id, (name, _)) in &before {
        if after.contains_key(id) {
            continue;
        }
        let name = normalise(name);
        let into = after.iter().find(|(k, (_, aliases))| {
            *k != id
                && aliases.contains(&name)
                && before.get(*k).is_none_or(|(_, old)| !old.contains(&name))
        });
        if let Some((keep, _)) = into {
            out.push((id.clone(), keep.clone()));
        }
    }
    out
}

/// The merged registry with every merge made again (an entity edited on the other side, and
/// so kept by the merge, goes into the one it was merged into, its edits with it).
pub fn registry(after: &Registry, merges: &[(String, String)]) -> Registry {
    let mut out = after.clone();
    for (drop, keep) in merges {
        if out.get(drop).is_some()
            && out.get(keep).is_some()
            && let Ok(next) = out.merged(keep, drop)
        {
            out = next;
        }
    }
    out
}

/// An annotation file with every link to a merged-away entity pointing at the one it went
/// into; `true` if anything changed.
pub fn relink(layer: &mut Value, merges: &[(String, String)]) -> bool {
    let mut changed = false;
    let Some(list) = layer.get_mut("annotations").and_then(Value::as_array_mut) else {
        return false;
    };
    for a in list {
        let Some(link) = a
            .get_mut("attributes")
            .and_then(|at| at.get_mut(ENTITY_ATTRIBUTE))
        else {
            continue;
        };
        if let Some((_, keep)) = merges.iter().find(|(drop, _)| link.as_str() == Some(drop)) {
            *link = Value::String(keep.clone());
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_merge_is_recognised_and_an_edit_and_a_link_follow_it() {
        let base = json!({"entities": [
            {"id": "a", "kind": "actor", "name": "Lavrov"},
            {"id": "b", "kind": "actor", "name": "FM Lavrov"}
        ]});
        let merged_on_one_side = json!({"entities": [
            {"id": "a", "kind": "actor", "name": "Lavrov", "aliases": ["FM Lavrov"]}
        ]});
        let found = merges(Some(&base), Some(&merged_on_one_side));
        assert_eq!(found, [("b".to_owned(), "a".to_owned())]);
        assert!(merges(Some(&base), Some(&base)).is_empty());
        let mut layer = json!({"annotations": [
            {"id": "1", "attributes": {"entity": "b"}},
            {"id": "2", "attributes": {"entity": "a"}}
        ]});
        assert!(relink(&mut layer, &found));
        assert_eq!(layer["annotations"][0]["attributes"]["entity"], "a");
    }
}
