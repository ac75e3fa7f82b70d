//! A span's label and author ([`Name`]): a handful of distinct values shared by every span of a
//! project, so each is kept once — a shared, reference-counted string, 16 bytes in the span
//! instead of a 24-byte inline string. Names are interned per thread as files are read, so
//! a million spans labelled "actor" point at one "actor".

use std::borrow::Borrow;
use std::cell::RefCell;
use std::ops::Deref;
use std::sync::Arc;

use super::Str;

/// A label's or an author's name. Derefs to `str`; compares with strings.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(Arc<str>);

/// Distinct names a thread keeps for reuse; past it, a name is simply made (a file with
/// thousands of distinct labels is wrong, and must not fill memory here).
const INTERNED: usize = 4096;

/// Names a thread looks at first, one by one: a project has a few labels and authors, and
/// comparing a short string with a few others is cheaper than hashing it.
const FIRST: usize = 16;

/// The names looked at first, and the others.
type Interned = (Vec<Arc<str>>, rustc_hash::FxHashSet<Arc<str>>);

thread_local! {
    static NAMES: RefCell<Interned> = RefCell::new((Vec::new(), rustc_hash::FxHashSet::default()));
}

impl Name {
    pub fn new(name: &str) -> Self {
        NAMES.with(|names| {
            let (first, rest) = &mut *names.borrow_mut();
            if let Some(known) = first.iter().find(|n| ***n == *name) {
                return Self(Arc::clone(known));
            }
            if let Some(known) = rest.get(name) {
                return Self(Arc::clone(known));
            }
            let made: Arc<str> = Arc::from(name);
            if first.len() < FIRST {
                first.push(Arc::clone(&made));
            } else if rest.len() < INTERNED {
                rest.insert(Arc::clone(&made));
            }
            Self(made)
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Name {
    fn default() -> Self {
        Self::new("")
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for Name {
    fn from(s: String) -> Self {
        Self::new(&s)
    }
}

impl From<&String> for Name {
    fn from(s: &String) -> Self {
        Self::new(s)
    }
}

impl From<Str> for Name {
    fn from(s: Str) -> Self {
        Self::new(&s)
    }
}

impl From<&Str> for Name {
    fn from(s: &Str) -> Self {
        Self::new(s)
    }
}

impl From<std::borrow::Cow<'_, str>> for Name {
    fn from(s: std::borrow::Cow<'_, str>) -> Self {
        Self::new(&s)
    }
}

impl From<Name> for String {
    fn from(n: Name) -> Self {
        n.0.to_string()
    }
}

impl From<Name> for Str {
    fn from(n: Name) -> Self {
        Str::from(&*n.0)
    }
}

impl From<&Name> for Str {
    fn from(n: &Name) -> Self {
        Str::from(&*n.0)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        &*self.0 == other.as_str()
    }
}

impl PartialEq<Str> for Name {
    fn eq(&self, other: &Str) -> bool {
        &*self.0 == other.as_str()
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == &*other.0
    }
}

impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = Name;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Name, E> {
                Ok(Name::new(v))
            }
        }
        d.deserialize_str(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_sixteen_bytes_shared_and_compares_as_text() {
        assert_eq!(std::mem::size_of::<Name>(), 16);
        let (a, b) = (Name::new("actor"), Name::from("actor".to_owned()));
        assert!(Arc::ptr_eq(&a.0, &b.0), "interned");
        assert_eq!(a, "actor");
        assert_eq!("actor", a);
        assert_eq!(a.as_str(), "actor");
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"actor\"");
        let back: Name = serde_json::from_str("\"act\\u006fr\"").unwrap();
        assert_eq!(back, a);
    }
}
