//! The scanner: walks the code of every method of a DEX section and turns the referenced ids into
//! [`DexFacts`]. Ids are collected into bitsets (and, when call sites are asked for, into
//! `(id, caller)` pairs) during the walk; strings are materialized once per unique id at the end.
//! Reflection: string constants of a method that calls `Class.forName`, `ClassLoader.loadClass`,
//! `Class.getMethod`/`getDeclaredMethod`/`getField`/`getDeclaredField` are recorded as the class
//! and member names they probably are.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::facts::{DexFacts, FieldAccess, ReflectiveRef, Site, Sites};
use super::file::{AnomalySink, DexFile, SignatureCache};
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
    #[inline]
    fn get(&self, i: u32) -> bool {
        self.0[(i / 64) as usize] & (1 << (i % 64)) != 0
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
    // A method defined twice (duplicate class definitions, hostile class data) is walked once:
    // ART's verifier rejects such files (dex_file_verifier.cc, CheckClassDataItemMethod ordering).
    let mut walked = Bits::new(dex.method_ids.count);
    let name_ids = if strings_sorted(dex) {
        reflection_name_ids(dex)
    } else {
        None
    };
    let mut duplicates = 0u64;

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
            if walked.get(m.method_idx) {
                duplicates += 1;
                continue;
            }
            walked.set(m.method_idx);
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
                            *slot = classify(dex, r.index, name_ids.as_deref());
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
    if duplicates > 0 {
        anomalies.push(
            "dex.duplicate_method",
            loc,
            format!("{duplicates} method definitions repeat a method already defined; skipped"),
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
    let mut render = SignatureCache::new(dex);
    // Each table: the referenced ids in ascending order with their rendering.
    let invoked_named: Vec<(u32, String)> = invoked
        .iter()
        .filter_map(|i| spend(render.method(i)).map(|s| (i, s)))
        .collect();
    let mut field_ids: Vec<u32> = field_read.iter().chain(field_write.iter()).collect();
    field_ids.sort_unstable();
    field_ids.dedup();
    let fields_named: Vec<(u32, String)> = field_ids
        .into_iter()
        .filter_map(|i| spend(render.field(i)).map(|s| (i, s)))
        .collect();
    let mut lossy_strings = 0u32;
    let strings_named: Vec<(u32, String)> = strings
        .iter()
        .filter_map(|i| {
            let text = match dex.string(i) {
                Some(d) => {
                    lossy_strings += u32::from(d.lossy);
                    d.text
                }
                None => format!("<string@{i}>"),
            };
            spend(text).map(|s| (i, s))
        })
        .collect();
    let classes_named: Vec<(u32, String)> = classes
        .iter()
        .filter_map(|i| spend(render.type_name(i)).map(|s| (i, s)))
        .collect();
    if output_capped {
        anomalies.push(
            "dex.output_capped",
            loc,
            "rendered names exceed 8 times the file size; the remaining references were dropped",
        );
    }
    if lossy_strings > 0 {
        anomalies.push(
            "dex.mutf8_invalid",
            loc,
            format!(
                "{lossy_strings} loaded strings are not valid MUTF-8; bad bytes shown as U+FFFD"
            ),
        );
    }

    let mut fields: Vec<FieldAccess> = fields_named
        .iter()
        .map(|(i, name)| FieldAccess {
            field: name.clone(),
            read: field_read.get(*i),
            write: field_write.get(*i),
        })
        .collect();
    if !fields.is_sorted_by(|a, b| a.field < b.field) {
        fields.sort_by(|a, b| a.field.cmp(&b.field));
        // Two field ids rendering alike (a hostile table) merge into one entry.
        fields.dedup_by(|later, kept| {
            if later.field == kept.field {
                kept.read |= later.read;
                kept.write |= later.write;
                true
            } else {
                false
            }
        });
    }
    // Callers, each rendered once: those of the sites (when asked) and of reflective references.
    let mut caller_ids: Vec<u32> = reflective_raw.iter().map(|r| r.2).collect();
    if opts.sites {
        for pairs in [&site_invokes, &site_fields, &site_strings, &site_classes] {
            caller_ids.extend(pairs.iter().map(|p| p.1));
        }
    }
    caller_ids.sort_unstable();
    caller_ids.dedup();
    let mut callers: Vec<(Site, u32)> = caller_ids
        .iter()
        .map(|&id| {
            let (class, method) = render.method_parts(id);
            (
                Site {
                    dex: name.clone(),
                    class,
                    method,
                },
                id,
            )
        })
        .collect();
    callers.sort();
    // Position of each caller id in the sorted caller list.
    let mut position: HashMap<u32, u32> = HashMap::with_capacity(callers.len());
    for (pos, (_, id)) in callers.iter().enumerate() {
        position.insert(*id, pos as u32);
    }
    let reflective: BTreeSet<ReflectiveRef> = reflective_raw
        .into_iter()
        .map(|(class, member, caller)| ReflectiveRef {
            class,
            member,
            site: callers[position[&caller] as usize].0.clone(),
        })
        .collect();
    let sites = opts.sites.then(|| Sites {
        invoked_methods: group(site_invokes, &invoked_named, &position),
        fields: group(site_fields, &fields_named, &position),
        const_strings: group(site_strings, &strings_named, &position),
        const_classes: group(site_classes, &classes_named, &position),
        callers: callers.into_iter().map(|(site, _)| site).collect(),
    });

    DexFacts {
        version: format!("{:03}", dex.version()),
        classes: dex.class_defs.count,
        methods,
        strings: dex.string_ids.count,
        invoked_methods: sorted_unique(invoked_named.into_iter().map(|p| p.1)),
        fields,
        const_strings: sorted_unique(strings_named.into_iter().map(|p| p.1)),
        const_classes: sorted_unique(classes_named.into_iter().map(|p| p.1)),
        reflective: reflective.into_iter().collect(),
        sites,
        anomalies: anomalies.into_vec(loc),
        name,
    }
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

fn sorted_unique(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    // The items usually come sorted already (DEX tables are ordered): check before sorting.
    if !v.is_sorted() {
        v.sort();
    }
    v.dedup();
    v
}

/// Groups `(id, caller)` pairs under the rendering of the id (`named` is sorted by id), each with
/// the sorted unique positions of its callers.
fn group(
    mut pairs: Vec<(u32, u32)>,
    named: &[(u32, String)],
    position: &HashMap<u32, u32>,
) -> BTreeMap<String, Vec<u32>> {
    pairs.sort_unstable();
    pairs.dedup();
    let mut out: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut i = 0;
    while i < pairs.len() {
        let id = pairs[i].0;
        let mut list = Vec::new();
        while i < pairs.len() && pairs[i].0 == id {
            if let Some(&p) = position.get(&pairs[i].1) {
                list.push(p);
            }
            i += 1;
        }
        // Ids dropped by the output budget have no rendering and no entry.
        if let Ok(at) = named.binary_search_by_key(&id, |(n, _)| *n) {
            out.entry(named[at].1.clone()).or_default().extend(list);
        }
    }
    for list in out.values_mut() {
        list.sort_unstable();
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
