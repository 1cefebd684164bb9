//! Reflection, as the scanner sees it: string constants of a method that calls `Class.forName`,
//! `ClassLoader.loadClass`, `Class.getMethod`/`getDeclaredMethod`/`getField`/`getDeclaredField`
//! are recorded as the class and member names they probably are. The scanner reports each invoke,
//! `const-string` and `const-class` of a method to a `Reflection`, which says at the end of the
//! method what it found.

use std::collections::BTreeSet;

use super::file::DexFile;

/// Most reflective references kept for one method: a method loading many strings and calling
/// several reflection APIs would otherwise produce their product.
const MAX_REFLECTIVE_PER_METHOD: usize = 64;

/// A reflective reference before its caller is rendered: class descriptor and/or member name, and
/// the `method_ids` index of the method that holds the strings.
#[derive(Debug, Clone)]
pub(super) struct RawReflective {
    pub class: Option<String>,
    pub member: Option<String>,
    pub caller: u32,
}

/// What calling a method means for reflection.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reflect {
    Unknown,
    No,
    /// `Class.forName`, `ClassLoader.loadClass`: string constants name classes.
    ClassLookup,
    /// `getMethod`, `getField` and kin: string constants name members.
    MemberLookup,
}

/// Names of the reflection methods, looked up once per DEX so that classifying an invoked method
/// usually costs one comparison of string indices.
const REFLECTION_NAMES: [&[u8]; 6] = [
    b"forName",
    b"loadClass",
    b"getMethod",
    b"getDeclaredMethod",
    b"getField",
    b"getDeclaredField",
];

/// The reflection state of one scan: what each invoked method means for reflection (classified on
/// first sight), and what the method being walked has loaded and called so far.
pub(super) struct Reflection<'d, 'a> {
    dex: &'d DexFile<'a>,
    /// By `method_ids` index.
    kinds: Vec<Reflect>,
    /// String indices of [`REFLECTION_NAMES`], when the string table is sorted.
    name_ids: Option<Vec<u32>>,
    /// Of the method being walked: string and type indices it loads, the lookups it calls.
    strings: Vec<u32>,
    classes: Vec<u32>,
    class_lookup: bool,
    member_lookup: bool,
}

impl<'d, 'a> Reflection<'d, 'a> {
    pub fn new(dex: &'d DexFile<'a>) -> Self {
        let name_ids = if strings_sorted(dex) {
            reflection_name_ids(dex)
        } else {
            None
        };
        Reflection {
            dex,
            kinds: vec![Reflect::Unknown; dex.method_ids.count as usize],
            name_ids,
            strings: Vec::new(),
            classes: Vec::new(),
            class_lookup: false,
            member_lookup: false,
        }
    }

    /// Forgets what the previous method loaded and called.
    pub fn start_method(&mut self) {
        self.strings.clear();
        self.classes.clear();
        self.class_lookup = false;
        self.member_lookup = false;
    }

    /// The method being walked invokes `method_idx` (below the `method_ids` count).
    #[inline]
    pub fn invoked(&mut self, method_idx: u32) {
        let slot = &mut self.kinds[method_idx as usize];
        if *slot == Reflect::Unknown {
            *slot = classify(self.dex, method_idx, self.name_ids.as_deref());
        }
        match *slot {
            Reflect::ClassLookup => self.class_lookup = true,
            Reflect::MemberLookup => self.member_lookup = true,
            _ => {}
        }
    }

    /// The method being walked loads string `index` with `const-string`.
    #[inline]
    pub fn loaded_string(&mut self, index: u32) {
        self.strings.push(index);
    }

    /// The method being walked loads type `index` with `const-class`.
    #[inline]
    pub fn loaded_class(&mut self, index: u32) {
        self.classes.push(index);
    }

    /// Appends the reflective references of the method just walked (`caller`) to `out`.
    pub fn finish_method(&self, caller: u32, out: &mut Vec<RawReflective>) {
        if self.class_lookup || self.member_lookup {
            out.extend(self.references(caller));
        }
    }

    /// The reflective references of one method: class-like strings when it looks classes up, and
    /// member-like strings paired with each candidate class (class-like strings and `const-class`
    /// types) when it looks members up.
    fn references(&self, caller: u32) -> Vec<RawReflective> {
        let dex = self.dex;
        let texts: BTreeSet<String> = self
            .strings
            .iter()
            .filter_map(|&i| dex.string(i).map(|d| d.text))
            .collect();
        let mut class_names: BTreeSet<String> = texts
            .iter()
            .filter_map(|s| as_class_descriptor(s))
            .collect();
        let mut out = Vec::new();
        let mut push = |class: Option<String>, member: Option<String>| {
            out.push(RawReflective {
                class,
                member,
                caller,
            })
        };
        if self.class_lookup {
            for c in &class_names {
                push(Some(c.clone()), None);
            }
        }
        if self.member_lookup {
            class_names.extend(
                self.classes
                    .iter()
                    .map(|&t| dex.type_descriptor(t).into_owned()),
            );
            for m in texts.iter().filter(|s| is_member_name(s)) {
                if class_names.is_empty() {
                    push(None, Some(m.clone()));
                }
                for c in &class_names {
                    push(Some(c.clone()), Some(m.clone()));
                }
            }
        }
        out.truncate(MAX_REFLECTIVE_PER_METHOD);
        out
    }
}

/// String indices of [`REFLECTION_NAMES`] in this DEX. The string table is sorted (the format
/// requires it and ART's verifier checks it), so a binary search finds them; an unsorted hostile
/// table makes the search miss, and then every invoked name is compared instead (`None`).
fn reflection_name_ids(dex: &DexFile<'_>) -> Option<Vec<u32>> {
    let mut ids = Vec::new();
    for name in REFLECTION_NAMES {
        let (mut lo, mut hi) = (0u32, dex.string_ids.count);
        let mut found = None;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let probe = dex.string_bytes(mid)?;
            match probe.cmp(name) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    found = Some(mid);
                    break;
                }
            }
        }
        ids.extend(found);
    }
    Some(ids)
}

/// Whether the string table is in order, checked on a sample of neighbours (a full check would
/// cost a pass over every string). A table failing it is treated as unsorted.
fn strings_sorted(dex: &DexFile<'_>) -> bool {
    let n = dex.string_ids.count;
    let step = (n / 256).max(1);
    let mut i = 1;
    while i < n {
        if let (Some(a), Some(b)) = (dex.string_bytes(i - 1), dex.string_bytes(i))
            && a > b
        {
            return false;
        }
        i += step;
    }
    true
}

fn classify(dex: &DexFile<'_>, method_idx: u32, name_ids: Option<&[u32]>) -> Reflect {
    let Some(id) = dex.method_id(method_idx) else {
        return Reflect::No;
    };
    if let Some(ids) = name_ids
        && !ids.contains(&id.name_idx)
    {
        return Reflect::No;
    }
    let name = dex.string_bytes(id.name_idx).unwrap_or(b"");
    let class = dex
        .type_descriptor_bytes(u32::from(id.class_idx))
        .unwrap_or(b"");
    match name {
        b"forName" if class == b"Ljava/lang/Class;" => Reflect::ClassLookup,
        // Any class loader subclass (DexClassLoader, PathClassLoader, a packer's own).
        b"loadClass" if class.ends_with(b"ClassLoader;") => Reflect::ClassLookup,
        b"getMethod" | b"getDeclaredMethod" | b"getField" | b"getDeclaredField"
            if class == b"Ljava/lang/Class;" =>
        {
            Reflect::MemberLookup
        }
        _ => Reflect::No,
    }
}

/// `com.example.Foo` (or `Lcom/example/Foo;`) as a descriptor, if the string looks like a class name.
fn as_class_descriptor(s: &str) -> Option<String> {
    if s.len() > 512 {
        return None;
    }
    if s.starts_with('L') && s.ends_with(';') && s.contains('/') && !s.contains('.') {
        return Some(s.to_owned());
    }
    let ok = s.contains('.')
        && !s.starts_with('.')
        && !s.ends_with('.')
        && !s.contains("..")
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.');
    ok.then(|| format!("L{};", s.replace('.', "/")))
}

/// Whether the string looks like a Java member name.
fn is_member_name(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() <= 256
        && chars
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_name_recognition() {
        assert_eq!(
            as_class_descriptor("com.example.Foo$Bar").as_deref(),
            Some("Lcom/example/Foo$Bar;")
        );
        assert_eq!(as_class_descriptor("hello world"), None);
        assert_eq!(as_class_descriptor("getDeviceId"), None);
        assert_eq!(as_class_descriptor("a..b"), None);
        assert!(is_member_name("getDeviceId"));
        assert!(!is_member_name("get Device"));
        assert!(!is_member_name("9lives"));
    }
}
