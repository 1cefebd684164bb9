//! [`Name`]: a shared, immutable text (class descriptor, member name, prototype, DEX label)
//! behind one thin pointer.
//!
//! References to methods and fields are made of names, and a large app holds millions of them
//! (every call site's calling method, every referenced method and field of every DEX) until the
//! report is built. `Arc<str>` is a pointer and a length, sixteen bytes; a `Name` keeps the
//! length in the allocation beside the count of owners and the text, and is eight, which halves
//! a `MethodRef` (issue 13). It reads as a `str` everywhere (`Deref`), compares, hashes and
//! serializes as its text.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::{Serialize, Serializer};
use triomphe::ThinArc;

/// A shared text behind one pointer (see the module documentation).
#[derive(Clone)]
pub struct Name(ThinArc<(), u8>);

impl Name {
    pub fn new(text: &str) -> Name {
        Name(ThinArc::from_header_and_slice((), text.as_bytes()))
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: the bytes were copied from a `&str` by `Name::new` and are never changed
        // (a `ThinArc` gives no mutable access while shared, and `Name` never asks for it).
        unsafe { std::str::from_utf8_unchecked(&self.0.slice) }
    }

    /// Whether both are the same allocation (one text shared, as the interner makes them).
    pub fn ptr_eq(a: &Name, b: &Name) -> bool {
        a.0.ptr() == b.0.ptr()
    }

    /// The bytes its allocation holds: the count of owners, the length and the text.
    pub fn heap_bytes(&self) -> usize {
        2 * size_of::<usize>() + self.len()
    }
}

impl Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

// Hash and equality are those of the text, so a set of names can be searched with a `&str`.
impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name::new(&text)
    }
}

impl Default for Name {
    fn default() -> Name {
        Name::new("")
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        Name::ptr_eq(self, other) || self.as_str() == other.as_str()
    }
}

impl Eq for Name {}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_name_is_one_pointer_and_reads_as_its_text() {
        assert_eq!(size_of::<Name>(), size_of::<usize>());
        assert_eq!(size_of::<Option<Name>>(), size_of::<usize>());
        let name = Name::new("Lcom/example/Ünïcode;");
        assert_eq!(&*name, "Lcom/example/Ünïcode;");
        assert_eq!(name.len(), "Lcom/example/Ünïcode;".len());
        assert_eq!(Name::new(""), Name::default());
        assert_eq!(format!("{name} {name:?}"), "Lcom/example/Ünïcode; \"Lcom/example/Ünïcode;\"");
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"Lcom/example/Ünïcode;\"");
    }

    #[test]
    fn names_compare_and_hash_as_their_texts() {
        let (a, b, a_again) = (Name::new("a"), Name::new("b"), Name::new("a"));
        assert!(a < b);
        assert_eq!(a, a_again);
        assert!(!Name::ptr_eq(&a, &a_again));
        assert!(Name::ptr_eq(&a, &a.clone()));
        let set: HashSet<Name> = [a, b].into_iter().collect();
        // Found by a `&str` through `Borrow<str>`: the hashes agree.
        assert!(set.contains("a") && set.contains("b") && !set.contains("c"));
    }
}
