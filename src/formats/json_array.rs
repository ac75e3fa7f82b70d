//! A JSON array of objects split into its objects' texts, unparsed, so each can be parsed on
//! any core (a Label Studio export is one array of tasks, tens of megabytes).
//!
//! serde splits an array into `RawValue`s by parsing it through, one byte at a time on one
//! core: a sixth of a conversion's time went there. [`for_each_object`] looks only at braces, quotes
//! and backslashes, and inside a string (most of such a file: the texts) jumps from one quote
//! or backslash to the next with SIMD (`memchr`). It checks what lies between the objects
//! (the brackets, the commas, white space), not the objects themselves: the caller parses each
//! object in full, and any object serde cannot read sends the caller back to serde's split of
//! the whole file, which names the line and column of the first fault. The two splits give the
//! same objects for any array of objects (tests below).

/// Calls `f` with the text of each object of a JSON array (`[ {…}, {…} ]`), in order, as it
/// is found; `None` (after calling `f` for the objects before the fault) when `json` is not an
/// array of objects with its brackets, quotes and separators in place.
pub(super) fn for_each_object<'j>(json: &'j str, mut f: impl FnMut(&'j str)) -> Option<()> {
    let b = json.as_bytes();
    let mut i = white(b, 0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i = white(b, i + 1);
    if b.get(i) == Some(&b']') {
        return (white(b, i + 1) == b.len()).then_some(());
    }
    loop {
        if b.get(i) != Some(&b'{') {
            return None;
        }
        let end = object_end(b, i)?;
        f(&json[i..end]);
        i = white(b, end);
        match b.get(i) {
            Some(b',') => i = white(b, i + 1),
            Some(b']') => return (white(b, i + 1) == b.len()).then_some(()),
            _ => return None,
        }
    }
}

/// The texts of the objects of a JSON array, or `None` (see [`for_each_object`]).
#[cfg(test)]
fn objects(json: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    for_each_object(json, |o| out.push(o))?;
    Some(out)
}

/// Just past the `}` that closes the object opening at `from`.
fn object_end(b: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = from;
    loop {
        i += memchr::memchr3(b'"', b'{', b'}', &b[i..])?;
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {
                // A string: to its closing quote, over escapes.
                i += 1;
                loop {
                    i += memchr::memchr2(b'"', b'\\', &b[i..])?;
                    if b[i] == b'"' {
                        break;
                    }
                    i += 2;
                }
            }
        }
        i += 1;
    }
}

/// The first byte at or after `i` that is not JSON white space.
fn white(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::value::RawValue;

    use super::*;

    fn by_serde(json: &str) -> Option<Vec<&str>> {
        let raw: Vec<&RawValue> = serde_json::from_str(json).ok()?;
        raw.iter()
            .all(|r| r.get().starts_with('{'))
            .then(|| raw.iter().map(|r| r.get()).collect())
    }

    fn value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i32>().prop_map(serde_json::Value::from),
            // Braces, brackets, quotes, backslashes and control characters in strings.
            "[{}\\[\\]\"\\\\a\u{1}\n ,:ა]{0,8}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("[a-z{}\"]{0,3}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn any_array_of_objects_splits_as_serde_splits_it(
            maps in proptest::collection::vec(
                proptest::collection::btree_map("[a-z{}\"]{0,3}", value(), 0..4),
                0..5,
            ),
            pretty in any::<bool>(),
        ) {
            let array: Vec<serde_json::Value> = maps
                .into_iter()
                .map(|m| serde_json::Value::Object(m.into_iter().collect()))
                .collect();
            let json = if pretty {
                serde_json::to_string_pretty(&array).unwrap()
            } else {
                serde_json::to_string(&array).unwrap()
            };
            let split = objects(&json);
            prop_assert!(split.is_some());
            prop_assert_eq!(split, by_serde(&json));
        }

        #[test]
        fn a_split_it_makes_of_anything_is_serdes_when_each_object_parses(
            json in "[\\[\\]{}\", \n:a\\\\1]{0,24}",
        ) {
            // Whatever it splits, once each object parses, serde splits the same way.
            if let Some(split) = objects(&json)
                && split
                    .iter()
                    .all(|o| serde_json::from_str::<serde_json::Value>(o).is_ok())
            {
                prop_assert_eq!(Some(split), by_serde(&json));
            }
        }
    }

    #[test]
    fn what_lies_between_the_objects_is_checked() {
        assert_eq!(
            objects(" [ {\"a\": \"}\\\"{\"} ,{}\n]\n"),
            Some(vec!["{\"a\": \"}\\\"{\"}", "{}"])
        );
        assert_eq!(objects("[]"), Some(vec![]));
        for wrong in [
            "",
            "{}",
            "[{}",
            "[{} {}]",
            "[{},]",
            "[,{}]",
            "[{}] x",
            "[1]",
            "[{\"a\": \"}]",
            "[{}}]",
        ] {
            assert_eq!(objects(wrong), None, "{wrong}");
        }
    }
}
