//! Three-way merges of the project's JSON files by meaning, never as text: the schema
//! (`tagdesk.json`), `entities.json`, `metadata.json`, `suggestions.json` and annotation
//! files. Objects merge key by key; lists of things with an identity (an `id`, or a `name`,
//! with its `kind` where it has one) merge thing by thing; other lists (aliases, a choice's
//! values) merge as sets; counters (`accepted`, `rejected` in the suggestion tally) add up
//! both sides' increments.
//!
//! * Changed on one side only: that side's version.
//! * Added on both sides (a label each): both.
//! * Deleted on one side, changed on the other: the changed one stays (nothing either side made
//!   disappears), and it is reported.
//! * Changed differently on both sides (an entity renamed twice): a [`Conflict`] for the user
//!   to choose; until then the result holds the one that sorts last, so the result is the same
//!   whichever side merges (`merge(base, a, b) == merge(base, b, a)`).
//!
//! Order: what the base had keeps its order, things added on either side follow, by identity.

use serde_json::{Map, Value};

/// A place both sides changed differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Where, for people: `labels › claim › color`, `entities › e62… (John Kerry) › name`.
    pub place: String,
    /// The path of keys and identities, to put a choice back ([`choose`]).
    pub path: Vec<Step>,
    pub ours: Value,
    pub theirs: Value,
    /// What the merged file holds for now.
    pub kept: Value,
}

/// One step of a path into a JSON file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    /// The element of a list with this identity.
    Item(String),
}

/// What was kept that one side had deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub place: String,
}

/// A merge's result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Merged {
    pub value: Value,
    pub conflicts: Vec<Conflict>,
    /// Deleted on one side but changed on the other: kept.
    pub kept: Vec<Kept>,
}

/// Merges `ours` and `theirs`, two versions of one file made from `base` (`None`: the file
/// was made on both sides).
pub fn merge(base: Option<&Value>, ours: &Value, theirs: &Value) -> Merged {
    let mut out = Merged::default();
    let mut path = Vec::new();
    out.value = merge_at(base, ours, theirs, &mut path, &mut out);
    out
}

fn empty_like(v: &Value) -> Value {
    match v {
        Value::Object(_) => Value::Object(Map::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        _ => Value::Null,
    }
}

fn merge_at(
    base: Option<&Value>,
    ours: &Value,
    theirs: &Value,
    path: &mut Vec<Step>,
    out: &mut Merged,
) -> Value {
    if ours == theirs {
        return ours.clone();
    }
    let made_twice;
    let base = if let Some(b) = base {
        b
    } else {
        made_twice = empty_like(ours);
        &made_twice
    };
    if base == ours {
        return theirs.clone();
    }
    if base == theirs {
        return ours.clone();
    }
    if is_counter(path)
        && let (Some(b), Some(o), Some(t)) = (base.as_i64(), ours.as_i64(), theirs.as_i64())
    {
        return Value::from(o + t - b);
    }
    match (ours, theirs) {
        (Value::Object(o), Value::Object(t)) => {
            let b = base.as_object();
            Value::Object(merge_objects(b, o, t, path, out))
        }
        (Value::Array(o), Value::Array(t)) => {
            let b = base.as_array().map_or(&[][..], Vec::as_slice);
            Value::Array(merge_arrays(b, o, t, path, out))
        }
        _ => conflict(ours, theirs, path, out),
    }
}

/// The suggestion tally's counts add up.
fn is_counter(path: &[Step]) -> bool {
    matches!(path.last(), Some(Step::Key(k)) if k == "accepted" || k == "rejected")
        && path.iter().any(|s| *s == Step::Key("tally".to_owned()))
}

fn conflict(ours: &Value, theirs: &Value, path: &[Step], out: &mut Merged) -> Value {
    let (o, t) = (ours.to_string(), theirs.to_string());
    let kept = if o >= t { ours.clone() } else { theirs.clone() };
    out.conflicts.push(Conflict {
        place: describe(path),
        path: path.to_vec(),
        ours: ours.clone(),
        theirs: theirs.clone(),
        kept: kept.clone(),
    });
    kept
}

fn merge_objects(
    base: Option<&Map<String, Value>>,
    ours: &Map<String, Value>,
    theirs: &Map<String, Value>,
    path: &mut Vec<Step>,
    out: &mut Merged,
) -> Map<String, Value> {
    let mut keys: Vec<&String> = ours.keys().chain(theirs.keys()).collect();
    if let Some(b) = base {
        keys.extend(b.keys());
    }
    keys.sort();
    keys.dedup();
    let mut merged = Map::new();
    for key in keys {
        let b = base.and_then(|b| b.get(key));
        path.push(Step::Key(key.clone()));
        if let Some(v) = merge_present(b, ours.get(key), theirs.get(key), path, out) {
            merged.insert(key.clone(), v);
        }
        path.pop();
    }
    merged
}

/// One key or list element, present on some sides: `None` when it is gone from the result.
fn merge_present(
    base: Option<&Value>,
    ours: Option<&Value>,
    theirs: Option<&Value>,
    path: &mut Vec<Step>,
    out: &mut Merged,
) -> Option<Value> {
    match (ours, theirs) {
        (Some(o), Some(t)) => Some(merge_at(base, o, t, path, out)),
        (None, None) => None,
        (Some(one), None) | (None, Some(one)) => match base {
            // Added on one side.
            None => Some(one.clone()),
            // Deleted on the other, unchanged here: deleted.
            Some(b) if b == one => None,
            // Deleted there, changed here: the change stays.
            Some(_) => {
                out.kept.push(Kept {
                    place: describe(path),
                });
                Some(one.clone())
            }
        },
    }
}

/// A list element's identity: its `id`, else its `kind` and `name`, else its `name`.
fn identity(v: &Value) -> Option<String> {
    let o = v.as_object()?;
    if let Some(id) = o.get("id").and_then(Value::as_str) {
        return Some(id.to_owned());
    }
    let name = o.get("name").and_then(Value::as_str)?;
    Some(match o.get("kind").and_then(Value::as_str) {
        Some(kind) => format!("{kind}/{name}"),
        None => name.to_owned(),
    })
}

fn merge_arrays(
    base: &[Value],
    ours: &[Value],
    theirs: &[Value],
    path: &mut Vec<Step>,
    out: &mut Merged,
) -> Vec<Value> {
    let keyed = |list: &[Value]| list.iter().all(|v| identity(v).is_some());
    if !(keyed(base) && keyed(ours) && keyed(theirs)) {
        return merge_sets(base, ours, theirs);
    }
    let index = |list: &[Value]| -> std::collections::BTreeMap<String, usize> {
        list.iter()
            .enumerate()
            .filter_map(|(i, v)| identity(v).map(|k| (k, i)))
            .collect()
    };
    let (bi, oi, ti) = (index(base), index(ours), index(theirs));
    let mut order: Vec<String> = base.iter().filter_map(identity).collect();
    let mut added: Vec<String> = oi
        .keys()
        .chain(ti.keys())
        .filter(|k| !bi.contains_key(*k))
        .cloned()
        .collect();
    added.sort();
    added.dedup();
    order.extend(added);
    let mut merged = Vec::new();
    for key in order {
        path.push(Step::Item(key.clone()));
        let b = bi.get(&key).map(|&i| &base[i]);
        let o = oi.get(&key).map(|&i| &ours[i]);
        let t = ti.get(&key).map(|&i| &theirs[i]);
        if let Some(v) = merge_present(b, o, t, path, out) {
            merged.push(v);
        }
        path.pop();
    }
    merged
}

/// Lists without identities, as sets: an element stays if one side has it and the other did
/// not take it out; base order first, then what either side added (sorted).
fn merge_sets(base: &[Value], ours: &[Value], theirs: &[Value]) -> Vec<Value> {
    let has = |list: &[Value], v: &Value| list.contains(v);
    let keep = |v: &Value| {
        let removed_by_ours = has(base, v) && !has(ours, v);
        let removed_by_theirs = has(base, v) && !has(theirs, v);
        (has(ours, v) || has(theirs, v)) && !removed_by_ours && !removed_by_theirs
    };
    let mut merged: Vec<Value> = Vec::new();
    for v in base {
        if keep(v) && !merged.contains(v) {
            merged.push(v.clone());
        }
    }
    let mut added: Vec<&Value> = ours
        .iter()
        .chain(theirs)
        .filter(|v| !has(base, v))
        .collect();
    added.sort_by_key(std::string::ToString::to_string);
    for v in added {
        if !merged.contains(v) {
            merged.push(v.clone());
        }
    }
    merged
}

fn describe(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) | Step::Item(k) => k.as_str(),
        })
        .collect::<Vec<_>>()
        .join(" › ")
}

/// Puts `value` at `path` in `file` (a user's choice for a [`Conflict`]); `false` if the place
/// is no longer there.
pub fn choose(file: &mut Value, path: &[Step], value: Value) -> bool {
    let Some((last, parents)) = path.split_last() else {
        *file = value;
        return true;
    };
    let mut at = file;
    for step in parents {
        let Some(next) = step_into(at, step) else {
            return false;
        };
        at = next;
    }
    match (last, at) {
        (Step::Key(k), Value::Object(o)) => {
            o.insert(k.clone(), value);
            true
        }
        (Step::Item(_), at) => match step_into(at, last) {
            Some(slot) => {
                *slot = value;
                true
            }
            None => false,
        },
        _ => false,
    }
}

fn step_into<'a>(at: &'a mut Value, step: &Step) -> Option<&'a mut Value> {
    match (step, at) {
        (Step::Key(k), Value::Object(o)) => o.get_mut(k),
        (Step::Item(id), Value::Array(a)) => {
            a.iter_mut().find(|v| identity(v).as_deref() == Some(id))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_label_added_on_both_sides_gives_both() {
        let base = json!({"labels": [{"name": "actor"}]});
        let ours = json!({"labels": [{"name": "actor"}, {"name": "frame"}]});
        let theirs = json!({"labels": [{"name": "actor"}, {"name": "claim"}]});
        let m = merge(Some(&base), &ours, &theirs);
        assert_eq!(
            m.value,
            json!({"labels": [{"name": "actor"}, {"name": "claim"}, {"name": "frame"}]})
        );
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn an_entity_renamed_on_both_sides_is_a_choice() {
        let base = json!({"entities": [{"id": "e1", "name": "Lavrov", "aliases": ["FM"]}]});
        let ours = json!({"entities": [{"id": "e1", "name": "Sergei Lavrov", "aliases": ["FM"]}]});
        let theirs =
            json!({"entities": [{"id": "e1", "name": "S. Lavrov", "aliases": ["FM", "Sergey"]}]});
        let m = merge(Some(&base), &ours, &theirs);
        assert_eq!(m.conflicts.len(), 1);
        let c = &m.conflicts[0];
        assert_eq!(c.place, "entities › e1 › name");
        assert_eq!(m.value["entities"][0]["aliases"], json!(["FM", "Sergey"]));
        let mut chosen = m.value.clone();
        assert!(choose(&mut chosen, &c.path, c.ours.clone()));
        assert_eq!(chosen["entities"][0]["name"], "Sergei Lavrov");
        // Either side merging gets the same file.
        assert_eq!(merge(Some(&base), &theirs, &ours).value, m.value);
    }

    #[test]
    fn deleted_on_one_side_and_changed_on_the_other_stays() {
        let base =
            json!({"annotations": [{"id": "a", "label": "actor"}, {"id": "b", "label": "claim"}]});
        let ours = json!({"annotations": [{"id": "b", "label": "claim"}]});
        let theirs =
            json!({"annotations": [{"id": "a", "label": "claim"}, {"id": "b", "label": "claim"}]});
        let m = merge(Some(&base), &ours, &theirs);
        assert_eq!(m.value, theirs);
        assert_eq!(m.kept.len(), 1);
        // Deleted on one side, untouched on the other: deleted.
        let m = merge(Some(&base), &ours, &base);
        assert_eq!(m.value, ours);
    }

    #[test]
    fn tally_counts_add_up() {
        let base = json!({"tally": {"actor": {"accepted": 3, "rejected": 1}}});
        let ours = json!({"tally": {"actor": {"accepted": 5, "rejected": 1}}});
        let theirs = json!({"tally": {"actor": {"accepted": 4, "rejected": 2}}});
        let m = merge(Some(&base), &ours, &theirs);
        assert_eq!(
            m.value,
            json!({"tally": {"actor": {"accepted": 6, "rejected": 2}}})
        );
    }
}
