//! Typed JSON reading with `serde_json::Value`'s forgiveness, in one pass.
//!
//! A reader written against `Value` (`task.get("data").and_then(Value::as_object)`,
//! `v.get("start").and_then(Value::as_u64)`) accepts any shape and takes what has the type it
//! wants. Building the `Value` tree cost a map and a string per key of every object; reading
//! into structs skips what is not wanted without building it — but a derived struct fails on
//! the first field of another type. [`As<T>`] reads one field the way `Value::as_*` would:
//! `Some` when the value has the wanted type, `None` (the value skipped) when not. A struct whose
//! fields are all `As<_>` therefore reads every object, and reads it as the `Value` code did.
//!
//! Numbers: [`u64`] takes what `Value::as_u64` takes (a non-negative integer; not `5.0`).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One JSON value, `Some` if it has the type `T` reads (see the module's text).
#[derive(Debug)]
pub struct As<T>(pub Option<T>);

impl<T> Default for As<T> {
    fn default() -> Self {
        Self(None)
    }
}

/// What a JSON value of each kind gives as `Self`; by default nothing.
pub trait Wanted<'de>: Sized {
    fn from_u64(_: u64) -> Option<Self> {
        None
    }
    fn from_i64(_: i64) -> Option<Self> {
        None
    }
    fn from_f64(_: f64) -> Option<Self> {
        None
    }
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
    fn from_str(_: Cow<'de, str>) -> Option<Self> {
        None
    }
    fn from_map<A: MapAccess<'de>>(mut map: A) -> Result<Option<Self>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn from_seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Option<Self>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

impl Wanted<'_> for u64 {
    fn from_u64(n: u64) -> Option<Self> {
        Some(n)
    }
}

impl Wanted<'_> for bool {
    fn from_bool(b: bool) -> Option<Self> {
        Some(b)
    }
}

impl<'de: 'a, 'a> Wanted<'de> for Cow<'a, str> {
    fn from_str(s: Cow<'de, str>) -> Option<Self> {
        Some(s)
    }
}

/// Anything, kept as nothing (for counting a list's elements).
impl Wanted<'_> for IgnoredAny {}

/// An array: every element, each as its own `As` (as `Value::as_array` then `as_*` per item).
impl<'de, T: Wanted<'de>> Wanted<'de> for Vec<As<T>> {
    fn from_seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Option<Self>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<As<T>>()? {
            out.push(item);
        }
        Ok(Some(out))
    }
}

/// Any value at all, as a `Value` (for the few fields read in many shapes).
impl<'de> Wanted<'de> for serde_json::Value {
    fn from_u64(n: u64) -> Option<Self> {
        Some(n.into())
    }
    fn from_i64(n: i64) -> Option<Self> {
        Some(n.into())
    }
    fn from_f64(n: f64) -> Option<Self> {
        Some(n.into())
    }
    fn from_bool(b: bool) -> Option<Self> {
        Some(b.into())
    }
    fn from_str(s: Cow<'de, str>) -> Option<Self> {
        Some(s.into_owned().into())
    }
    fn from_map<A: MapAccess<'de>>(map: A) -> Result<Option<Self>, A::Error> {
        Deserialize::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }
    fn from_seq<A: SeqAccess<'de>>(seq: A) -> Result<Option<Self>, A::Error> {
        Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Some)
    }
}

/// `Wanted` for a struct that derives `Deserialize` with every field `As<_>` (and
/// `#[serde(default)]`): an object reads into it, anything else is `None`.
macro_rules! wanted_object {
    ($($t:ident),* $(,)?) => {$(
        impl<'de: 'a, 'a> $crate::formats::lenient::Wanted<'de> for $t<'a> {
            fn from_map<A: serde::de::MapAccess<'de>>(map: A) -> Result<Option<Self>, A::Error> {
                serde::Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(Some)
            }
        }
    )*};
}
pub(crate) use wanted_object;

impl<'de, T: Wanted<'de>> Deserialize<'de> for As<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AsVisitor(PhantomData))
    }
}

struct AsVisitor<T>(PhantomData<T>);

impl<'de, T: Wanted<'de>> Visitor<'de> for AsVisitor<T> {
    type Value = As<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<As<T>, E> {
        Ok(As(T::from_bool(b)))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<As<T>, E> {
        Ok(As(T::from_u64(n)))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<As<T>, E> {
        Ok(As(T::from_i64(n)))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<As<T>, E> {
        Ok(As(T::from_f64(n)))
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<As<T>, E> {
        Ok(As(T::from_str(Cow::Borrowed(s))))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<As<T>, E> {
        Ok(As(T::from_str(Cow::Owned(s.to_owned()))))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<As<T>, E> {
        Ok(As(T::from_str(Cow::Owned(s))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<As<T>, E> {
        Ok(As(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<As<T>, E> {
        Ok(As(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<As<T>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<As<T>, A::Error> {
        T::from_map(map).map(As)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<As<T>, A::Error> {
        T::from_seq(seq).map(As)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Region<'a> {
        #[serde(borrow)]
        text: As<Cow<'a, str>>,
        start: As<u64>,
        flag: As<bool>,
        #[serde(borrow)]
        labels: As<Vec<As<Cow<'a, str>>>>,
        any: As<Value>,
    }
    wanted_object!(Region);

    /// Every field reads what `Value::as_*` reads from the same JSON, whatever its shape.
    #[test]
    fn reads_what_value_reads() {
        let shapes = [
            "1",
            "-1",
            "1.5",
            "5.0",
            "18446744073709551615",
            "true",
            "null",
            "\"s\"",
            "\"a\\u00e9\\n\"",
            "[1, \"x\", null, [\"y\"], {\"z\": 1}]",
            "{\"k\": [1, 2], \"m\": {\"n\": null}}",
            "[]",
            "{}",
        ];
        for shape in shapes {
            let json = format!(
                "{{\"text\": {shape}, \"start\": {shape}, \"flag\": {shape}, \"labels\": {shape}, \
                 \"any\": {shape}, \"other\": {shape}}}"
            );
            let value: Value = serde_json::from_str(&json).unwrap();
            let As(Some(typed)) = serde_json::from_str::<As<Region<'_>>>(&json).unwrap() else {
                panic!("an object reads: {json}");
            };
            assert_eq!(typed.text.0.as_deref(), value["text"].as_str(), "{shape}");
            assert_eq!(typed.start.0, value["start"].as_u64(), "{shape}");
            assert_eq!(typed.flag.0, value["flag"].as_bool(), "{shape}");
            let labels: Option<Vec<Option<&str>>> = typed
                .labels
                .0
                .as_ref()
                .map(|l| l.iter().map(|x| x.0.as_deref()).collect());
            let expected: Option<Vec<Option<&str>>> = value["labels"]
                .as_array()
                .map(|l| l.iter().map(Value::as_str).collect());
            assert_eq!(labels, expected, "{shape}");
            assert_eq!(typed.any.0.unwrap_or(Value::Null), value["any"], "{shape}");
            // Read on its own: a struct only from an object.
            let alone = serde_json::from_str::<As<Region<'_>>>(shape).unwrap().0;
            assert_eq!(alone.is_some(), shape.starts_with('{'), "{shape}");
        }
    }
}
