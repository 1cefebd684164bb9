//! The scanner: walks the code of every method of a DEX section and turns the referenced ids into
//! [`DexFacts`]. Ids are collected into bitsets (and, when call sites are asked for, into
//! `(id, caller)` pairs) during the walk; strings are materialized once per unique id at the end.
//! Reflection: string constants of a method that calls `Class.forName`, `ClassLoader.loadClass`,
//! `Class.getMethod`/`getDeclaredMethod`/`getField`/`getDeclaredField` are recorded as the class
//! and member names they probably are.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::facts::{DexFacts, FieldAccess, ReflectiveRef, Site, Sites};
use super::file::{AnomalySink, DexFile};
use super::opcodes::{Action, IndexKind};
use super::walk::{WalkEnd, walk};

/// What the scanner records beyond the sorted sets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanOptions {
    /// Keep the callers of every reference.
    pub sites: bool,
}

/// Most reflective references kept for one method: a method loading many strings and calling
/// several reflection APIs would otherwise produce their product.
const MAX_REFLECTIVE_PER_METHOD: usize = 64;

/// A fixed-size bitset over the ids of one table.
struct Bits(Vec<u64>);

impl Bits {
    fn new(len: u32) -> Self {
        Bits(vec![0; (len as usize).div_ceil(64)])
    }
    #[inline]
    fn set(&mut self, i: u32) {
        self.0[(i / 64) as usize] |= 1 << (i % 64);
    }
    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().enumerate().flat_map(|(w, &word)| {
            let mut word = word;
            std::iter::from_fn(move || {
                if word == 0 {
                    return None;
                }
                let bit = word.trailing_zeros();
                word &= word - 1;
                Some(w as u32 * 64 + bit)
            })
        })
    }
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

fn classify(dex: &DexFile<'_>, method_idx: u32) -> Reflect {
    let Some(id) = dex.method_id(method_idx) else {
        return Reflect::No;
    };
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

/// Per-method state of the walk, reused between methods.
#[derive(Default)]
struct MethodState {
    strings: Vec<u32>,
    classes: Vec<u32>,
    class_lookup: bool,
    member_lookup: bool,
}

/// Scans one DEX section. `label` names it in the facts (a container section after the first gets
/// `#N` appended). Never panics; what had to be tolerated is in `anomalies`.
pub fn scan(dex: &DexFile<'_>, label: &str, opts: &ScanOptions) -> DexFacts {
    let name = if dex.section() == 0 {
        label.to_owned()
    } else {
        format!("{label}#{}", dex.section())
    };
    let loc = name.as_str();
    let mut anomalies = AnomalySink::default();
    anomalies.extend_from(dex.anomalies());

    let mut invoked = Bits::new(dex.method_ids.count);
    let mut field_read = Bits::new(dex.field_ids.count);
    let mut field_write = Bits::new(dex.field_ids.count);
    let mut strings = Bits::new(dex.string_ids.count);
    let mut classes = Bits::new(dex.type_ids.count);
    let mut reflect = vec![Reflect::Unknown; dex.method_ids.count as usize];
    // (referenced id, calling method id) pairs, only with `opts.sites`.
    let mut site_invokes: Vec<(u32, u32)> = Vec::new();
    let mut site_fields: Vec<(u32, u32)> = Vec::new();
    let mut site_strings: Vec<(u32, u32)> = Vec::new();
    let mut site_classes: Vec<(u32, u32)> = Vec::new();
    let mut reflective_raw: Vec<(Option<String>, Option<String>, u32)> = Vec::new();

    // Work budget: a hostile file can point many class definitions at the same class data and
    // many methods at the same code, so bound the total work by the buffer size.
    let mut budget: u64 = 16 * dex.data().len() as u64 + (1 << 20);
    let mut budget_exhausted = false;
    let mut methods: u64 = 0;
    let mut out_of_range = 0u64;
    let mut state = MethodState::default();
    let mut defs = Vec::new();

    for class_index in 0..dex.class_defs.count {
        if budget_exhausted {
            break;
        }
        let Some(def) = dex.class_def(class_index) else {
            continue;
        };
        if def.class_data_off == 0 {
            continue;
        }
        defs.clear();
        methods += dex.class_methods(def.class_data_off, &mut anomalies, &mut defs) as u64;
        for &m in &defs {
            if budget_exhausted {
                break;
            }
            budget = budget.saturating_sub(1);
            if m.code_off == 0 {
                continue;
            }
            let insns = dex.code_insns(m.code_off, &mut anomalies);
            let cost = insns.len() as u64 / 2;
            if cost > budget {
                budget_exhausted = true;
                break;
            }
            budget -= cost;
            let caller = m.method_idx;
            state.strings.clear();
            state.classes.clear();
            state.class_lookup = false;
            state.member_lookup = false;
            let end = walk(insns, |r| {
                match r.op.action {
                    Action::Nothing => {}
                    Action::Invoke => {
                        if r.index >= dex.method_ids.count {
                            out_of_range += 1;
                            return;
                        }
                        invoked.set(r.index);
                        let slot = &mut reflect[r.index as usize];
                        if *slot == Reflect::Unknown {
                            *slot = classify(dex, r.index);
                        }
                        match *slot {
                            Reflect::ClassLookup => state.class_lookup = true,
                            Reflect::MemberLookup => state.member_lookup = true,
                            _ => {}
                        }
                        if opts.sites {
                            site_invokes.push((r.index, caller));
                        }
                    }
                    Action::FieldRead | Action::FieldWrite => {
                        if r.index >= dex.field_ids.count {
                            out_of_range += 1;
                            return;
                        }
                        if r.op.action == Action::FieldRead {
                            field_read.set(r.index);
                        } else {
                            field_write.set(r.index);
                        }
                        if opts.sites {
                            site_fields.push((r.index, caller));
                        }
                    }
                    Action::ConstString => {
                        if r.index >= dex.string_ids.count {
                            out_of_range += 1;
                            return;
                        }
                        strings.set(r.index);
                        state.strings.push(r.index);
                        if opts.sites {
                            site_strings.push((r.index, caller));
                        }
                    }
                    Action::ConstClass => {
                        if r.index >= dex.type_ids.count {
                            out_of_range += 1;
                            return;
                        }
                        classes.set(r.index);
                        state.classes.push(r.index);
                        if opts.sites {
                            site_classes.push((r.index, caller));
                        }
                    }
                }
                debug_assert!(r.op.index != IndexKind::None);
            });
            match end {
                WalkEnd::Complete => {}
                WalkEnd::TruncatedInstruction { pc, opcode } => anomalies.push(
                    "dex.insn_truncated",
                    loc,
                    format!(
                        "{}: instruction {opcode:#04x} at {pc:#x} runs past the end of the code",
                        dex.method_signature(caller)
                    ),
                ),
                WalkEnd::TruncatedPayload { pc } => anomalies.push(
                    "dex.payload_truncated",
                    loc,
                    format!(
                        "{}: payload at {pc:#x} runs past the end of the code",
                        dex.method_signature(caller)
                    ),
                ),
            }
            if state.class_lookup || state.member_lookup {
                reflective_raw.extend(reflective_refs(dex, &state, caller));
            }
        }
    }
    if budget_exhausted {
        anomalies.push(
            "dex.work_budget",
            loc,
            "stopped scanning: the code walked exceeds 16 times the file size (shared code items?)",
        );
    }
    if out_of_range > 0 {
        anomalies.push(
            "dex.index_out_of_range",
            loc,
            format!("{out_of_range} instructions reference ids past their table; ignored"),
        );
    }

    // Output budget: names are cut at MAX_RENDERED_NAME, but many ids sharing one long name could
    // still multiply it; past this many rendered bytes, the remaining ids are dropped.
    let mut output_budget: u64 = 8 * dex.data().len() as u64 + (16 << 20);
    let mut output_capped = false;
    let mut spend = |s: String| -> Option<String> {
        if s.len() as u64 > output_budget {
            output_capped = true;
            return None;
        }
        output_budget -= s.len() as u64;
        Some(s)
    };
    let invoked_methods = sorted_unique(invoked.iter().filter_map(|i| spend(dex.method_signature(i))));
    let mut field_map: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    for i in field_read.iter() {
        if let Some(f) = spend(dex.field_signature(i)) {
            field_map.entry(f).or_default().0 = true;
        }
    }
    for i in field_write.iter() {
        if let Some(f) = spend(dex.field_signature(i)) {
            field_map.entry(f).or_default().1 = true;
        }
    }
    let fields = field_map
        .into_iter()
        .map(|(field, (read, write))| FieldAccess { field, read, write })
        .collect();
    let mut lossy_strings = 0u32;
    let const_strings = sorted_unique(strings.iter().map(|i| match dex.string(i) {
        Some(d) => {
            lossy_strings += u32::from(d.lossy);
            d.text
        }
        None => format!("<string@{i}>"),
    }));
    if lossy_strings > 0 {
        anomalies.push(
            "dex.mutf8_invalid",
            loc,
            format!("{lossy_strings} loaded strings are not valid MUTF-8; bad bytes shown as U+FFFD"),
        );
    }
    let const_classes = sorted_unique(
        classes
            .iter()
            .filter_map(|i| spend(dex.type_descriptor(i).into_owned())),
    );
    if output_capped {
        anomalies.push(
            "dex.output_capped",
            loc,
            "rendered names exceed 8 times the file size; the remaining references were dropped",
        );
    }

    let mut site_cache: HashMap<u32, Site> = HashMap::new();
    let mut site_of = |caller: u32| -> Site {
        site_cache
            .entry(caller)
            .or_insert_with(|| {
                let (class, method) = dex.method_class_and_name(caller);
                Site {
                    dex: name.clone(),
                    class,
                    method,
                }
            })
            .clone()
    };
    let reflective: BTreeSet<ReflectiveRef> = reflective_raw
        .into_iter()
        .map(|(class, member, caller)| ReflectiveRef {
            class,
            member,
            site: site_of(caller),
        })
        .collect();
    let sites = opts.sites.then(|| Sites {
        invoked_methods: group(site_invokes, |i| dex.method_signature(i), &mut site_of),
        fields: group(site_fields, |i| dex.field_signature(i), &mut site_of),
        const_strings: group(
            site_strings,
            |i| dex.string(i).map(|d| d.text).unwrap_or_default(),
            &mut site_of,
        ),
        const_classes: group(
            site_classes,
            |i| dex.type_descriptor(i).into_owned(),
            &mut site_of,
        ),
    });

    DexFacts {
        version: format!("{:03}", dex.version()),
        classes: dex.class_defs.count,
        methods,
        strings: dex.string_ids.count,
        invoked_methods,
        fields,
        const_strings,
        const_classes,
        reflective: reflective.into_iter().collect(),
        sites,
        anomalies: anomalies.into_vec(loc),
        name,
    }
}

fn sorted_unique(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Groups `(id, caller)` pairs by the rendered id, each with its sorted unique callers.
fn group(
    mut pairs: Vec<(u32, u32)>,
    render: impl Fn(u32) -> String,
    site_of: &mut impl FnMut(u32) -> Site,
) -> BTreeMap<String, Vec<Site>> {
    pairs.sort_unstable();
    pairs.dedup();
    let mut out: BTreeMap<String, Vec<Site>> = BTreeMap::new();
    let mut i = 0;
    while i < pairs.len() {
        let id = pairs[i].0;
        let key = render(id);
        let list = out.entry(key).or_default();
        while i < pairs.len() && pairs[i].0 == id {
            list.push(site_of(pairs[i].1));
            i += 1;
        }
    }
    for list in out.values_mut() {
        list.sort();
        list.dedup();
    }
    out
}

/// The reflective references of one method: class-like strings when it looks classes up, and
/// member-like strings paired with each candidate class (class-like strings and `const-class`
/// types) when it looks members up.
fn reflective_refs(
    dex: &DexFile<'_>,
    state: &MethodState,
    caller: u32,
) -> Vec<(Option<String>, Option<String>, u32)> {
    let texts: BTreeSet<String> = state
        .strings
        .iter()
        .filter_map(|&i| dex.string(i).map(|d| d.text))
        .collect();
    let mut class_names: BTreeSet<String> = texts
        .iter()
        .filter_map(|s| as_class_descriptor(s))
        .collect();
    let mut out = Vec::new();
    if state.class_lookup {
        for c in &class_names {
            out.push((Some(c.clone()), None, caller));
        }
    }
    if state.member_lookup {
        class_names.extend(
            state
                .classes
                .iter()
                .map(|&t| dex.type_descriptor(t).into_owned()),
        );
        for m in texts.iter().filter(|s| is_member_name(s)) {
            if class_names.is_empty() {
                out.push((None, Some(m.clone()), caller));
            }
            for c in &class_names {
                out.push((Some(c.clone()), Some(m.clone()), caller));
            }
        }
    }
    out.truncate(MAX_REFLECTIVE_PER_METHOD);
    out
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

    #[test]
    fn bitset_iterates_in_order() {
        let mut b = Bits::new(200);
        for i in [199, 0, 64, 63, 130] {
            b.set(i);
        }
        assert_eq!(b.iter().collect::<Vec<_>>(), vec![0, 63, 64, 130, 199]);
    }
}
