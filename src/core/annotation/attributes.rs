//! A span's attribute values, thin: most spans have none, and an empty map in every span of a
//! million-span project is 16 MB more to allocate, fault in and move than a null pointer.

use std::ops::{Deref, DerefMut};

use crate::core::schema::Attributes;

/// A span's attribute values (a claim's `stance`, …): 8 bytes when there are none (nearly
/// every span), the map out of line when there are some. Reads as the map
/// ([`Deref`]); a change makes the map when it is first needed ([`DerefMut`]). Equal when the
/// values are, however they are held.
#[derive(Clone, Default)]
pub struct SpanAttributes(Option<Box<Attributes>>);

/// What a span without attributes reads as.
static NONE: Attributes = Attributes::new();

impl SpanAttributes {
    /// The values as a map of their own.
    pub fn to_map(&self) -> Attributes {
        (**self).clone()
    }

    /// The values, taken out (the span is left with none).
    pub fn take(&mut self) -> Attributes {
        self.0.take().map(|b| *b).unwrap_or_default()
    }
}

impl Deref for SpanAttributes {
    type Target = Attributes;

    fn deref(&self) -> &Attributes {
        self.0.as_deref().unwrap_or(&NONE)
    }
}

impl DerefMut for SpanAttributes {
    fn deref_mut(&mut self) -> &mut Attributes {
        self.0.get_or_insert_with(Box::default)
    }
}

impl From<Attributes> for SpanAttributes {
    fn from(map: Attributes) -> Self {
        Self((!map.is_empty()).then(|| Box::new(map)))
    }
}

impl From<SpanAttributes> for Attributes {
    fn from(mut attributes: SpanAttributes) -> Self {
        attributes.take()
    }
}

impl FromIterator<(String, crate::core::schema::AttributeValue)> for SpanAttributes {
    fn from_iter<I: IntoIterator<Item = (String, crate::core::schema::AttributeValue)>>(
        iter: I,
    ) -> Self {
        Attributes::from_iter(iter).into()
    }
}

impl<'a> IntoIterator for &'a SpanAttributes {
    type Item = (&'a String, &'a crate::core::schema::AttributeValue);
    type IntoIter =
        std::collections::btree_map::Iter<'a, String, crate::core::schema::AttributeValue>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl PartialEq for SpanAttributes {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for SpanAttributes {}

impl PartialEq<Attributes> for SpanAttributes {
    fn eq(&self, other: &Attributes) -> bool {
        **self == *other
    }
}

impl std::fmt::Debug for SpanAttributes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl serde::Serialize for SpanAttributes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for SpanAttributes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Attributes::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::schema::AttributeValue;

    #[test]
    fn none_is_a_null_pointer_and_equals_an_emptied_map() {
        assert_eq!(std::mem::size_of::<SpanAttributes>(), 8);
        let mut a = SpanAttributes::default();
        assert!(a.is_empty());
        a.insert("stance".into(), AttributeValue::Text("support".into()));
        assert_eq!(
            a.get("stance"),
            Some(&AttributeValue::Text("support".into()))
        );
        assert_ne!(a, SpanAttributes::default());
        a.remove("stance");
        assert_eq!(a, SpanAttributes::default(), "emptied equals none");
        assert_eq!(a.to_map(), Attributes::new());
    }
}
