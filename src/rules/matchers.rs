//! Compiled look-up tables over the validated rules, built once per [`super::RuleSet`].
//!
//! The analysis asks these tables about every class, member reference, string and host it sees,
//! so each look-up is a handful of hash probes on borrowed `&str` keys and never allocates for
//! input already in canonical form (DEX descriptors, lowercase hosts):
//! - class attribution probes the exact class (and its outer classes for `$` nested names), then
//!   each package boundary from the longest to the shortest (at each, the name prefixes that
//!   continue it first, then the package itself), so the longest prefix wins;
//! - host suffixes are probed at each label boundary, so `appsflyer.com` matches
//!   `x.appsflyer.com` but never `notappsflyer.com`;
//! - string prefixes are bucketed by their first byte and checked with `starts_with`.
//!
//! Indices point into the sorted rule vectors of the `RuleSet`; when two rules claim the same key
//! the one with the smaller id comes first, so results are deterministic.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast, deterministic hasher for the look-up tables (the multiply-rotate scheme of rustc's
/// FxHash). Flooding is no concern here: the keys are rule data, and hostile input only probes.
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Words of 8 bytes, little-endian, the last one zero-padded. Read without copying into a
        // buffer: a copy of a variable length compiles to a call to memmove per word, which made
        // hashing the long class descriptors of the call graph's tables a tenth of its time.
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut le = [0u8; 8];
            le.copy_from_slice(word);
            self.add(u64::from_le_bytes(le));
        }
        let tail = words.remainder();
        if !tail.is_empty() {
            let word = tail
                .iter()
                .enumerate()
                .fold(0u64, |w, (i, &b)| w | (u64::from(b) << (8 * i)));
            self.add(word);
        }
    }
    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Package-prefix and exact-class table for `code = [...]` lists (trackers, libraries).
#[derive(Debug, Default, Clone)]
pub struct ClassTable {
    /// `Lcom/foo/Bar` (descriptor without the `;`) → rule index and the code as the rule wrote it.
    exact: FastMap<String, (usize, String)>,
    /// `Lcom/foo/` → rule index and the code as the rule wrote it.
    packages: FastMap<String, (usize, String)>,
    /// Name prefixes (`com.foo.sdk*`) by their package (`Lcom/foo/`): the rest of the prefix
    /// (`sdk`), the rule index and the code as written, longest rest first.
    name_prefixes: FastMap<String, Vec<(String, usize, String)>>,
}

/// A class claimed by a rule: which rule, and which of its `code` entries (dot form, as written)
/// matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassMatch<'t> {
    pub index: usize,
    pub code: &'t str,
}

impl ClassTable {
    /// Adds `code` in dot form: `com.foo.` is a package prefix, `com.foo.Bar` one class,
    /// `com.foo.sdk*` every class whose name starts with `com.foo.sdk`. The first rule to claim a
    /// key keeps it.
    pub fn insert(&mut self, code: &str, index: usize) {
        if let Some(stem) = code.strip_suffix('*') {
            // A validated name prefix has a package: `rfind` of ASCII `.` is a boundary.
            let Some(dot) = stem.rfind('.') else {
                return;
            };
            let package = format!("L{}/", stem[..dot].replace('.', "/"));
            let rest = &stem[dot + 1..];
            let slot = self.name_prefixes.entry(package).or_default();
            if !slot.iter().any(|(r, _, _)| r == rest) {
                slot.push((rest.to_owned(), index, code.to_owned()));
                // Longest first, so the first that matches is the longest.
                slot.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
            }
            return;
        }
        let slashed = code.replace('.', "/");
        let table = if code.ends_with('.') {
            &mut self.packages
        } else {
            &mut self.exact
        };
        table
            .entry(format!("L{slashed}"))
            .or_insert_with(|| (index, code.to_owned()));
    }

    /// The rule owning `class`, given as a DEX descriptor (`Lcom/foo/Bar;`) or in dot form
    /// (`com.foo.Bar`). An exact class (or an outer class of a nested one) beats any package
    /// prefix; among prefixes (packages and name prefixes) the longest wins. A name prefix that
    /// matches at one package boundary is longer than the package at that boundary and shorter
    /// than any package at a deeper one (its rest holds no `/`), so probing each boundary from
    /// the deepest, name prefixes before the package, finds the longest.
    pub fn lookup(&self, class: &str) -> Option<ClassMatch<'_>> {
        let descriptor = to_descriptor(class)?;
        // Without the trailing `;`, so exact keys and nested classes are plain slices.
        let name = descriptor.strip_suffix(';').unwrap_or(&descriptor);
        if !self.exact.is_empty() {
            let mut candidate = name;
            loop {
                if let Some((index, code)) = self.exact.get(candidate) {
                    return Some(ClassMatch {
                        index: *index,
                        code,
                    });
                }
                // `rfind` of an ASCII character: a boundary of the app's class name.
                match candidate.rfind('$') {
                    Some(pos) => candidate = &candidate[..pos],
                    None => break,
                }
            }
        }
        // `end` is the length or an ASCII `/` found before; `..=pos` ends after that `/`: all
        // boundaries of the app's class name.
        let mut end = name.len();
        while let Some(pos) = name[..end].rfind('/') {
            if let Some(stems) = self.name_prefixes.get(&name[..=pos]) {
                let rest = &name[pos + 1..];
                if let Some((_, index, code)) = stems
                    .iter()
                    .find(|(stem, _, _)| rest.starts_with(stem.as_str()))
                {
                    return Some(ClassMatch {
                        index: *index,
                        code,
                    });
                }
            }
            if let Some((index, code)) = self.packages.get(&name[..=pos]) {
                return Some(ClassMatch {
                    index: *index,
                    code,
                });
            }
            end = pos;
        }
        None
    }
}

/// `Lcom/foo/Bar;` stays borrowed; `com.foo.Bar` becomes `Lcom/foo/Bar;`. Anything else
/// (arrays, primitives, empty) has no owner.
fn to_descriptor(class: &str) -> Option<Cow<'_, str>> {
    if class.starts_with('L') && class.ends_with(';') {
        Some(Cow::Borrowed(class))
    } else if !class.is_empty()
        && !class.contains('/')
        && !class.contains(';')
        && !class.starts_with('[')
    {
        Some(Cow::Owned(format!("L{};", class.replace('.', "/"))))
    } else {
        None
    }
}

/// Host-suffix table matched at label boundaries.
#[derive(Debug, Default, Clone)]
pub struct HostTable {
    suffixes: FastMap<String, Vec<usize>>,
}

impl HostTable {
    pub fn insert(&mut self, host: &str, index: usize) {
        let slot = self.suffixes.entry(host.to_owned()).or_default();
        if !slot.contains(&index) {
            slot.push(index);
        }
    }

    /// Every rule whose host is `host` or a parent domain of it, most specific suffix first.
    pub fn lookup(&self, host: &str) -> Vec<usize> {
        let mut out = Vec::new();
        self.walk(host, |rules| {
            for &i in rules {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
            false
        });
        out
    }

    /// The rule of the most specific matching suffix.
    pub fn lookup_first(&self, host: &str) -> Option<usize> {
        let mut found = None;
        self.walk(host, |rules| {
            found = rules.first().copied();
            found.is_some()
        });
        found
    }

    /// Calls `visit` with the rules of each matching suffix, longest first, until it returns true.
    fn walk(&self, host: &str, mut visit: impl FnMut(&[usize]) -> bool) {
        if self.suffixes.is_empty() {
            return;
        }
        let host = normalize_host(host);
        let mut rest: &str = &host;
        loop {
            if let Some(rules) = self.suffixes.get(rest)
                && visit(rules)
            {
                return;
            }
            match rest.find('.') {
                // Just past an ASCII `.`: a boundary of the app's host.
                Some(pos) => rest = &rest[pos + 1..],
                None => return,
            }
        }
    }
}

/// Lowercase, without a trailing root dot; borrowed when already so.
pub fn normalize_host(host: &str) -> Cow<'_, str> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(host.to_ascii_lowercase())
    } else {
        Cow::Borrowed(host)
    }
}

/// The host part of a URL (`scheme://[user@]host[:port][/...]`), or `None` if it has no `://`.
pub fn url_host(url: &str) -> Option<&str> {
    // Every offset is just past `://` or at an ASCII delimiter found by `find`: boundaries of the
    // app's URL whatever text surrounds them.
    let after_scheme = &url[url.find("://")? + 3..];
    let authority_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let authority = &after_scheme[..authority_end];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(literal) = host_port.strip_prefix('[') {
        // IPv6 literal: keep the brackets' content.
        return literal.split(']').next();
    }
    Some(host_port.split(':').next().unwrap_or(host_port))
}

/// Exact strings and string prefixes.
#[derive(Debug, Default, Clone)]
pub struct StringTable {
    exact: FastMap<String, Vec<usize>>,
    /// Prefixes bucketed by first byte: (prefix, rule index), sorted.
    prefixes: Vec<Vec<(String, usize)>>,
}

impl StringTable {
    pub fn insert_exact(&mut self, s: &str, index: usize) {
        let slot = self.exact.entry(s.to_owned()).or_default();
        if !slot.contains(&index) {
            slot.push(index);
        }
    }

    pub fn insert_prefix(&mut self, prefix: &str, index: usize) {
        if self.prefixes.is_empty() {
            self.prefixes = vec![Vec::new(); 256];
        }
        let bucket = &mut self.prefixes[usize::from(prefix.as_bytes()[0])];
        if !bucket.iter().any(|(p, i)| p == prefix && *i == index) {
            bucket.push((prefix.to_owned(), index));
            bucket.sort();
        }
    }

    /// Rules whose exact string is `s`, then rules with a prefix of `s`; no duplicates.
    pub fn lookup(&self, s: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self.exact.get(s).cloned().unwrap_or_default();
        if let (Some(&first), false) = (s.as_bytes().first(), self.prefixes.is_empty()) {
            for (prefix, i) in &self.prefixes[usize::from(first)] {
                if s.starts_with(prefix.as_str()) && !out.contains(i) {
                    out.push(*i);
                }
            }
        }
        out
    }
}

/// Rules of one method name of one class.
#[derive(Debug, Default, Clone)]
pub struct MethodSlot {
    /// Rules that match every overload.
    pub any: Vec<usize>,
    /// Rules that match one prototype `(args)Ret`.
    pub exact: Vec<(String, usize)>,
}

/// A field rule entry: the optional type descriptor it requires, and the rule index.
pub type FieldEntry = (Option<String>, usize);

/// Method and field references keyed by class descriptor, then member name.
#[derive(Debug, Default, Clone)]
pub struct MemberTable {
    pub methods: FastMap<String, FastMap<String, MethodSlot>>,
    /// Field name → (optional type descriptor, rule index).
    pub fields: FastMap<String, FastMap<String, Vec<FieldEntry>>>,
}

impl MemberTable {
    /// Adds `Lcls;->name` or `Lcls;->name(args)Ret` (already validated).
    pub fn insert_method(&mut self, reference: &str, index: usize) {
        let Some((class, member)) = reference.split_once("->") else {
            return;
        };
        // `find` of ASCII `(` in a validated rule reference: a boundary.
        let (name, proto) = match member.find('(') {
            Some(i) => (&member[..i], Some(&member[i..])),
            None => (member, None),
        };
        let slot = self
            .methods
            .entry(class.to_owned())
            .or_default()
            .entry(name.to_owned())
            .or_default();
        match proto {
            None => {
                if !slot.any.contains(&index) {
                    slot.any.push(index);
                }
                // An any-overload entry of the same rule makes its exact entries redundant.
                slot.exact.retain(|(_, i)| *i != index);
            }
            Some(proto) => {
                if !slot.any.contains(&index)
                    && !slot.exact.iter().any(|(p, i)| p == proto && *i == index)
                {
                    slot.exact.push((proto.to_owned(), index));
                }
            }
        }
    }

    /// Adds `Lcls;->NAME` or `Lcls;->NAME:Type` (already validated).
    pub fn insert_field(&mut self, reference: &str, index: usize) {
        let Some((class, member)) = reference.split_once("->") else {
            return;
        };
        let (name, ty) = match member.split_once(':') {
            Some((n, t)) => (n, Some(t.to_owned())),
            None => (member, None),
        };
        let slot = self
            .fields
            .entry(class.to_owned())
            .or_default()
            .entry(name.to_owned())
            .or_default();
        if !slot.iter().any(|(t, i)| *t == ty && *i == index) {
            slot.push((ty, index));
        }
    }

    /// Rule indices for a call of `class->name` with prototype `proto` (`(args)Ret`; a full
    /// `Lcls;->name(args)Ret` is accepted too; empty matches only any-overload rules).
    pub fn method<'a>(
        &'a self,
        class: &str,
        name: &str,
        proto: &'a str,
    ) -> impl Iterator<Item = usize> + use<'a> {
        // From the ASCII `(` on: a boundary of the app's prototype.
        let proto = proto.find('(').map_or("", |i| &proto[i..]);
        let slot = self.methods.get(class).and_then(|names| names.get(name));
        slot.into_iter().flat_map(move |slot| {
            let exact = slot
                .exact
                .iter()
                .filter(move |(p, _)| !proto.is_empty() && p == proto)
                .map(|(_, i)| *i);
            slot.any.iter().copied().chain(exact)
        })
    }

    /// Whether a method rule names `class->name` (any prototype).
    pub fn names_method(&self, class: &str, name: &str) -> bool {
        self.methods
            .get(class)
            .is_some_and(|names| names.contains_key(name))
    }

    /// Whether a field rule names `class->name` (any type).
    pub fn names_field(&self, class: &str, name: &str) -> bool {
        self.fields
            .get(class)
            .is_some_and(|names| names.contains_key(name))
    }

    /// Rule indices for a read of `class->name`, of type `ty` when known.
    pub fn field<'a>(
        &'a self,
        class: &str,
        name: &str,
        ty: Option<&'a str>,
    ) -> impl Iterator<Item = usize> + use<'a> {
        let slot = self.fields.get(class).and_then(|names| names.get(name));
        slot.into_iter().flat_map(move |entries| {
            entries
                .iter()
                .filter(move |(rule_ty, _)| match (rule_ty, ty) {
                    (Some(rule_ty), Some(ty)) => rule_ty == ty,
                    _ => true,
                })
                .map(|(_, i)| *i)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time reading gives the hash the padded-copy definition gives, for every
    /// length around a word boundary.
    #[test]
    fn hashes_words_like_a_padded_copy() {
        let text: Vec<u8> = (1..=40u8).collect();
        for len in 0..text.len() {
            let bytes = &text[..len];
            let mut expected = FastHasher::default();
            for chunk in bytes.chunks(8) {
                let mut word = [0u8; 8];
                word[..chunk.len()].copy_from_slice(chunk);
                expected.add(u64::from_le_bytes(word));
            }
            let mut got = FastHasher::default();
            got.write(bytes);
            assert_eq!(got.finish(), expected.finish(), "length {len}");
        }
    }

    #[test]
    fn class_table_prefers_exact_then_longest_prefix() {
        let mut t = ClassTable::default();
        t.insert("com.google.firebase.", 0);
        t.insert("com.google.firebase.analytics.", 1);
        t.insert("com.google.firebase.crashlytics.CrashlyticsRegistrar", 2);
        let index = |class: &str| t.lookup(class).map(|m| m.index);
        assert_eq!(
            index("Lcom/google/firebase/analytics/FirebaseAnalytics;"),
            Some(1)
        );
        assert_eq!(index("Lcom/google/firebase/FirebaseApp;"), Some(0));
        let nested = t.lookup("Lcom/google/firebase/crashlytics/CrashlyticsRegistrar$1;");
        assert_eq!(
            nested.map(|m| (m.index, m.code)),
            Some((2, "com.google.firebase.crashlytics.CrashlyticsRegistrar"))
        );
        assert_eq!(
            t.lookup("com.google.firebase.analytics.Foo")
                .map(|m| m.code),
            Some("com.google.firebase.analytics.")
        );
        assert_eq!(index("Lcom/google/firebasex/Foo;"), None);
        assert_eq!(index("[Lcom/google/firebase/FirebaseApp;"), None);
        assert_eq!(index(""), None);
    }

    #[test]
    fn class_table_name_prefixes_keep_what_a_substring_signature_matches() {
        let mut t = ClassTable::default();
        t.insert("com.tencent.lbs*", 0);
        t.insert("com.tencent.lbsapi.core.", 1);
        t.insert("com.tencent.", 2);
        t.insert("com.baidu.BaiduMap*", 3);
        t.insert("com.tencent.lbsapi.core.Exact", 4);
        let index = |class: &str| t.lookup(class).map(|m| m.index);
        // The case ETIP's `com.tencent.lbs` meant: both packages.
        assert_eq!(index("Lcom/tencent/lbs/Foo;"), Some(0));
        assert_eq!(index("Lcom/tencent/lbsapi/TencentLocation;"), Some(0));
        assert_eq!(
            t.lookup("com.tencent.lbsapi.a.B").map(|m| m.code),
            Some("com.tencent.lbs*")
        );
        // A deeper package is longer than the name prefix; an exact class beats both.
        assert_eq!(index("Lcom/tencent/lbsapi/core/X;"), Some(1));
        assert_eq!(index("Lcom/tencent/lbsapi/core/Exact$1;"), Some(4));
        // The package the name prefix sits in is shorter: the name prefix wins inside it only.
        assert_eq!(index("Lcom/tencent/mm/X;"), Some(2));
        assert_eq!(index("Lcom/tencent/lb/X;"), Some(2));
        // A capitalised signature covers the class, its nested classes and a package of that name.
        assert_eq!(index("Lcom/baidu/BaiduMap;"), Some(3));
        assert_eq!(index("Lcom/baidu/BaiduMap$1;"), Some(3));
        assert_eq!(index("Lcom/baidu/BaiduMap/Api;"), Some(3));
        assert_eq!(index("Lcom/baidu/BaiduMapSDK;"), Some(3));
        assert_eq!(index("Lcom/baidu/Other;"), None);
        assert_eq!(index("Lcom/baidux/BaiduMap;"), None);
    }

    #[test]
    fn host_table_matches_at_label_boundaries_only() {
        let mut t = HostTable::default();
        t.insert("appsflyer.com", 0);
        t.insert("sdk.appsflyer.com", 1);
        assert_eq!(t.lookup("x.sdk.appsflyer.com"), vec![1, 0]);
        assert_eq!(t.lookup("appsflyer.com"), vec![0]);
        assert_eq!(t.lookup("APPSFLYER.COM."), vec![0]);
        assert!(t.lookup("notappsflyer.com").is_empty());
        assert!(t.lookup("appsflyer.com.evil.net").is_empty());
        assert_eq!(t.lookup_first("a.sdk.appsflyer.com"), Some(1));
    }

    #[test]
    fn url_host_extracts_the_authority_host() {
        assert_eq!(
            url_host("https://user@Api.Example.com:8443/x?y"),
            Some("Api.Example.com")
        );
        assert_eq!(url_host("http://[::1]:80/"), Some("::1"));
        assert_eq!(url_host("content://sms/inbox"), Some("sms"));
        assert_eq!(url_host("no scheme"), None);
    }

    #[test]
    fn member_table_matches_overloads_and_exact_prototypes() {
        let mut t = MemberTable::default();
        t.insert_method("Landroid/A;->f", 0);
        t.insert_method("Landroid/A;->g(I)V", 1);
        assert_eq!(
            t.method("Landroid/A;", "f", "(J)V").collect::<Vec<_>>(),
            vec![0]
        );
        assert_eq!(
            t.method("Landroid/A;", "g", "(I)V").collect::<Vec<_>>(),
            vec![1]
        );
        assert_eq!(
            t.method("Landroid/A;", "g", "Landroid/A;->g(I)V")
                .collect::<Vec<_>>(),
            vec![1]
        );
        assert!(t.method("Landroid/A;", "g", "(J)V").next().is_none());
        assert!(t.method("Landroid/B;", "f", "").next().is_none());
        t.insert_field("Landroid/os/Build;->MODEL:Ljava/lang/String;", 2);
        assert_eq!(
            t.field("Landroid/os/Build;", "MODEL", None)
                .collect::<Vec<_>>(),
            vec![2]
        );
        assert!(
            t.field("Landroid/os/Build;", "MODEL", Some("I"))
                .next()
                .is_none()
        );
    }

    #[test]
    fn string_table_exact_and_prefix() {
        let mut t = StringTable::default();
        t.insert_exact("android_id", 0);
        t.insert_prefix("content://sms", 1);
        assert_eq!(t.lookup("android_id"), vec![0]);
        assert_eq!(t.lookup("content://sms/inbox"), vec![1]);
        assert!(t.lookup("content://mms").is_empty());
        assert!(t.lookup("").is_empty());
    }
}
