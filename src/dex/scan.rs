//! The scanner: turns the code of one DEX section into [`DexFacts`]. [`scan`] runs four steps,
//! each its own function:
//!
//! 1. `walk_methods`: every method of every class definition, walked once under a work budget.
//!    The ids its instructions reference go into bitsets (one bit per id of each table) and, when
//!    call sites are asked for, into `UseList`s of `(id, caller, offset)`; reflection is noted on
//!    the way ([`super::reflect`]). Methods sharing a code item replay the references of its one
//!    walk (`RecentCode`).
//! 2. `render`: every referenced id rendered once, as a typed reference or a string, under an
//!    output budget, and each table ordered by the renderings.
//! 3. `callers` and `group_uses`: the calling methods rendered and sorted, and the uses of each
//!    rendered reference listed as positions in that order with their offsets.
//! 4. `scan` puts the sorted facts together.
//!
//! Ids are cheap to keep and names are not: collecting ids during the walk and rendering each once
//! at the end keeps a scan linear in the size of the code, however often a name is used.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::facts::{ArgumentValue, DexFacts, FieldAccess, ReflectiveRef, Site, SiteRef, Sites};
use super::file::{AnomalySink, DexFile, PartIds, SignatureCache};
use super::opcodes::{Action, IndexKind};
use super::reflect::{RawReflective, Reflection};
use super::refs::{FieldRef, MethodRef, cmp_joined_skipping};
use super::intern::Interner;
use super::name::Name;
use super::use_map::UseMap;
use super::values::{DexConstants, MAX_VALUE_LEN, RawArgument, RawValue, ValuePass};
use super::walk::{Reference, WalkEnd, walk};

/// What the scanner records beyond the sorted sets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanOptions {
    /// Keep the callers of every reference, with the offset of the first use in each.
    pub sites: bool,
    /// When the scan's time is up (`--timeout`): the walk stops at the next class after it,
    /// with `dex.deadline`.
    pub deadline: Option<std::time::Instant>,
}

/// Scans one DEX section. `label` names it in the facts (a container section after the first gets
/// `#N` appended). Never panics; what had to be tolerated is in `anomalies`.
pub fn scan(dex: &DexFile<'_>, label: &str, opts: &ScanOptions) -> DexFacts {
    scan_sharing_names(dex, label, opts, None)
}

/// [`scan`], with the name texts taken from `names` when given: the DEX files of one input then
/// share one copy of each name (see [`super::intern`]).
pub fn scan_sharing_names(
    dex: &DexFile<'_>,
    label: &str,
    opts: &ScanOptions,
    names: Option<&Interner>,
) -> DexFacts {
    let name = if dex.section() == 0 {
        label.to_owned()
    } else {
        format!("{label}#{}", dex.section())
    };
    let loc = name.as_str();
    let mut anomalies = AnomalySink::default();
    anomalies.extend_from(dex.anomalies());

    let walked = walk_methods(dex, opts, loc, &mut anomalies);
    let mut cache = SignatureCache::new(dex, names);
    let rendered = render(dex, &walked.referenced, &mut cache, loc, &mut anomalies);
    let callers = callers(
        dex,
        &name,
        walked.uses.as_ref(),
        &walked.reflective,
        &mut cache,
    );

    let reflective: BTreeSet<ReflectiveRef> = walked
        .reflective
        .into_iter()
        .filter_map(|r| {
            Some(ReflectiveRef {
                site: callers.site(r.caller)?.clone(),
                class: r.class,
                member: r.member,
            })
        })
        .collect();
    let sites = walked.uses.map(|uses| Sites {
        invoked_methods: group_uses(uses.invokes, &rendered.methods, &callers.position),
        fields: group_uses(uses.fields, &rendered.fields, &callers.position),
        const_strings: group_uses(uses.strings, &rendered.strings, &callers.position),
        const_classes: group_uses(uses.classes, &rendered.classes, &callers.position),
        instantiated: group_uses(uses.instantiated, &rendered.instantiated, &callers.position),
        arguments: group_arguments(walked.arguments, &rendered, &callers.position),
        callers: callers.sites,
    });
    // Fields that render alike share an entry, with the accesses of all.
    let mut fields: Vec<FieldAccess> = rendered
        .fields
        .keys
        .iter()
        .cloned()
        .map(|field| FieldAccess {
            field,
            read: false,
            write: false,
        })
        .collect();
    for &(id, rank) in &rendered.fields.ranks {
        let entry = &mut fields[rank as usize];
        entry.read |= walked.referenced.field_read.get(id);
        entry.write |= walked.referenced.field_write.get(id);
    }

    DexFacts {
        version: format!("{:03}", dex.version()),
        classes: dex.class_defs.count,
        methods: walked.methods,
        strings: dex.string_ids.count,
        invoked_methods: rendered.methods.keys,
        fields,
        const_strings: rendered.strings.keys,
        const_classes: rendered.classes.keys,
        reflective: reflective.into_iter().collect(),
        sites,
        anomalies: anomalies.into_vec(loc),
        name,
    }
}

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
    /// The ids set in either of two bitsets of the same table.
    fn union(&self, other: &Bits) -> Bits {
        Bits(self.0.iter().zip(&other.0).map(|(a, b)| a | b).collect())
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

/// The ids referenced by the walked code, one bitset per table.
struct Referenced {
    invoked: Bits,
    field_read: Bits,
    field_write: Bits,
    strings: Bits,
    classes: Bits,
    instantiated: Bits,
}

/// One use of an id: the method using it (`method_ids` index) and the offset in code units of its
/// first instruction doing so.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Use {
    id: u32,
    caller: u32,
    offset: u32,
}

/// The uses of the ids of one table, one per (id, caller): a method is walked once and in offset
/// order, so the first use recorded is the one with the smallest offset, and later ones are
/// dropped as they come instead of being sorted out at the end.
struct UseList {
    uses: Vec<Use>,
    /// By id: the last caller recorded for it (`u32::MAX`: none yet; no method index reaches it).
    last_caller: Vec<u32>,
}

impl UseList {
    fn new(table_len: u32) -> Self {
        UseList {
            uses: Vec::new(),
            last_caller: vec![u32::MAX; table_len as usize],
        }
    }

    #[inline]
    fn record(&mut self, id: u32, caller: u32, offset: u32) {
        let last = &mut self.last_caller[id as usize];
        if *last != caller {
            *last = caller;
            self.uses.push(Use { id, caller, offset });
        }
    }
}

/// With call sites: the uses of each table.
struct Uses {
    invokes: UseList,
    fields: UseList,
    strings: UseList,
    classes: UseList,
    instantiated: UseList,
}

/// What the walk collected.
struct Walked {
    referenced: Referenced,
    uses: Option<Uses>,
    reflective: Vec<RawReflective>,
    /// With call sites: the arguments whose value is known, with their caller.
    arguments: Vec<(u32, RawArgument)>,
    /// Entries of the class data read: the methods the classes define.
    methods: u64,
    /// Code items walked, and methods whose code was replayed instead.
    code_walks: CodeWalks,
}

/// How the code of the scanned methods was read: each code item walked, or the references of a
/// code item walked just before replayed (methods sharing code).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodeWalks {
    pub walked: u64,
    pub replayed: u64,
}

/// How [`scan`] reads the code of `dex`: which code items it walks and which it replays. For
/// tests and benchmarks that check a shared code item is walked once.
pub fn code_walks(dex: &DexFile<'_>, opts: &ScanOptions) -> CodeWalks {
    walk_methods(dex, opts, "", &mut AnomalySink::default()).code_walks
}

/// The visitor of the instruction walk: what each instruction adds to the collection.
struct Collector<'d, 'a> {
    dex: &'d DexFile<'a>,
    referenced: Referenced,
    uses: Option<Uses>,
    reflection: Reflection<'d, 'a>,
    /// Instructions whose index is past its table.
    out_of_range: u64,
    /// The references of recently walked code items, replayed for methods that share them.
    recent: RecentCode,
    /// With call sites: the values pass ([`super::values`]), run on methods that load a string.
    values: Option<Values<'d, 'a>>,
    /// Whether the method being walked loads a string.
    loads_string: bool,
}

/// Most known arguments kept per DEX; `dex.arguments_capped` says when more were dropped.
const MAX_ARGUMENTS_PER_DEX: usize = 1 << 20;

/// The values pass of a scan with call sites, and what it found.
struct Values<'d, 'a> {
    pass: ValuePass,
    constants: DexConstants<'d, 'a>,
    /// Of the last code item passed over, at `last_code_off`: a method sharing it (hostile files
    /// point millions of methods at one) reuses them instead of running the pass again.
    scratch: Vec<RawArgument>,
    last_code_off: u32,
    found: Vec<(u32, RawArgument)>,
    capped: bool,
}

/// How many recently walked code items keep their references: methods sharing a code item are
/// defined together (a hostile file repeats one `code_off`), and a few slots catch them while
/// costing nothing to an app whose every method has its own code.
const RECENT_CODE_SLOTS: usize = 64;

/// The references of recently walked code items, in slots chosen by `code_off`: a method whose
/// code item is in its slot replays the references instead of walking the code again. A walk is
/// a pure function of the code item, so the replay records exactly what the walk would.
struct RecentCode {
    /// `code_off` (0: empty, no method with code has it), how the walk ended, its references.
    slots: Vec<(u32, WalkEnd, Vec<Reference>)>,
    /// Code items walked, and methods that replayed one instead.
    walked: u64,
    replayed: u64,
}

impl RecentCode {
    fn new() -> Self {
        RecentCode {
            slots: (0..RECENT_CODE_SLOTS)
                .map(|_| (0, WalkEnd::Complete, Vec::new()))
                .collect(),
            walked: 0,
            replayed: 0,
        }
    }

    fn slot(code_off: u32) -> usize {
        // Code items are 4-byte aligned.
        (code_off as usize / 4) % RECENT_CODE_SLOTS
    }
}

impl Values<'_, '_> {
    /// Runs the values pass over the code of `caller` (at `code_off`), keeping what it finds
    /// under the cap.
    fn run(&mut self, caller: u32, code_off: u32, insns: &[u8]) {
        if self.found.len() >= MAX_ARGUMENTS_PER_DEX {
            self.capped = true;
            return;
        }
        if code_off != self.last_code_off || code_off == 0 {
            self.scratch.clear();
            self.pass.run(insns, &mut self.constants, &mut self.scratch);
            self.last_code_off = code_off;
        }
        let room = MAX_ARGUMENTS_PER_DEX - self.found.len();
        self.capped |= self.scratch.len() > room;
        self.found
            .extend(self.scratch.iter().take(room).map(|a| (caller, a.clone())));
    }
}

impl<'d, 'a> Collector<'d, 'a> {
    fn new(dex: &'d DexFile<'a>, sites: bool) -> Self {
        Collector {
            dex,
            referenced: Referenced {
                invoked: Bits::new(dex.method_ids.count),
                field_read: Bits::new(dex.field_ids.count),
                field_write: Bits::new(dex.field_ids.count),
                strings: Bits::new(dex.string_ids.count),
                classes: Bits::new(dex.type_ids.count),
                instantiated: Bits::new(dex.type_ids.count),
            },
            uses: sites.then(|| Uses {
                invokes: UseList::new(dex.method_ids.count),
                fields: UseList::new(dex.field_ids.count),
                strings: UseList::new(dex.string_ids.count),
                classes: UseList::new(dex.type_ids.count),
                instantiated: UseList::new(dex.type_ids.count),
            }),
            reflection: Reflection::new(dex),
            out_of_range: 0,
            recent: RecentCode::new(),
            values: sites.then(|| Values {
                pass: ValuePass::new(),
                constants: DexConstants::new(dex),
                scratch: Vec::new(),
                last_code_off: 0,
                found: Vec::new(),
                capped: false,
            }),
            loads_string: false,
        }
    }

    /// Walks the code of method `caller` (at `code_off`), recording what it references and, at
    /// the end, its reflective references; a walk cut short is an anomaly. A code item walked
    /// just before for another method is not walked again: its references are replayed.
    fn walk_method(
        &mut self,
        caller: u32,
        code_off: u32,
        insns: &[u8],
        loc: &str,
        anomalies: &mut AnomalySink,
        reflective: &mut Vec<RawReflective>,
    ) {
        self.reflection.start_method();
        self.loads_string = false;
        let slot = RecentCode::slot(code_off);
        let mut refs = std::mem::take(&mut self.recent.slots[slot].2);
        let end = if self.recent.slots[slot].0 == code_off {
            self.recent.replayed += 1;
            for &r in &refs {
                self.record(caller, r);
            }
            self.recent.slots[slot].1
        } else {
            self.recent.walked += 1;
            refs.clear();
            let end = walk(insns, |r| {
                if r.op.action != Action::Nothing {
                    refs.push(r);
                }
                self.record(caller, r);
            });
            self.recent.slots[slot].0 = code_off;
            self.recent.slots[slot].1 = end;
            end
        };
        self.recent.slots[slot].2 = refs;
        match end {
            WalkEnd::Complete => {}
            WalkEnd::TruncatedInstruction { pc, opcode } => anomalies.push(
                "dex.insn_truncated",
                loc,
                format!(
                    "{}: instruction {opcode:#04x} at {pc:#x} runs past the end of the code",
                    self.dex.method_signature(caller)
                ),
            ),
            WalkEnd::TruncatedPayload { pc } => anomalies.push(
                "dex.payload_truncated",
                loc,
                format!(
                    "{}: payload at {pc:#x} runs past the end of the code",
                    self.dex.method_signature(caller)
                ),
            ),
        }
        self.reflection.finish_method(caller, reflective);
        if self.loads_string
            && let Some(values) = &mut self.values
        {
            values.run(caller, code_off, insns);
        }
    }

    /// One instruction of `caller` that carries an index.
    #[inline]
    fn record(&mut self, caller: u32, r: Reference) {
        let dex = self.dex;
        let table_len = match r.op.action {
            Action::Nothing => return,
            Action::Invoke => dex.method_ids.count,
            Action::FieldRead | Action::FieldWrite => dex.field_ids.count,
            Action::ConstString => dex.string_ids.count,
            Action::ConstClass | Action::NewInstance => dex.type_ids.count,
        };
        debug_assert!(r.op.index != IndexKind::None);
        let i = r.index;
        if i >= table_len {
            self.out_of_range += 1;
            return;
        }
        let referenced = &mut self.referenced;
        match r.op.action {
            Action::Invoke => {
                referenced.invoked.set(i);
                self.reflection.invoked(i);
            }
            Action::FieldRead => referenced.field_read.set(i),
            Action::FieldWrite => referenced.field_write.set(i),
            Action::ConstString => {
                self.loads_string = true;
                referenced.strings.set(i);
                self.reflection.loaded_string(i);
            }
            Action::ConstClass => {
                referenced.classes.set(i);
                self.reflection.loaded_class(i);
            }
            Action::NewInstance => referenced.instantiated.set(i),
            Action::Nothing => {}
        }
        if let Some(uses) = &mut self.uses {
            let list = match r.op.action {
                Action::Invoke => &mut uses.invokes,
                Action::FieldRead | Action::FieldWrite => &mut uses.fields,
                Action::ConstString => &mut uses.strings,
                Action::NewInstance => &mut uses.instantiated,
                Action::ConstClass | Action::Nothing => &mut uses.classes,
            };
            list.record(i, caller, r.pc);
        }
    }
}

/// Step 1: walks the code of every method defined by the class definitions, each method once,
/// and collects what it references (with `sites`, every use too).
fn walk_methods(
    dex: &DexFile<'_>,
    opts: &ScanOptions,
    loc: &str,
    anomalies: &mut AnomalySink,
) -> Walked {
    let mut collector = Collector::new(dex, opts.sites);
    let mut timed_out = false;
    let mut reflective = Vec::new();
    // Work budget: a hostile file can point many class definitions at the same class data and
    // many methods at the same code, so bound the total work by the buffer size. A method whose
    // shared code is replayed rather than walked pays for its code units all the same: that
    // bounds the uses it records (one per instruction of two units or more), hence the sites.
    let mut budget: u64 = 16 * dex.data().len() as u64 + (1 << 20);
    let mut budget_exhausted = false;
    let mut methods: u64 = 0;
    let mut defs = Vec::new();
    // A method defined twice (duplicate class definitions, hostile class data) is walked once:
    // ART's verifier rejects such files (dex_file_verifier.cc, CheckClassDataItemMethod ordering).
    let mut walked = Bits::new(dex.method_ids.count);
    let mut duplicates = 0u64;

    // The clock is read every 4,096 methods and 64 classes: cheap, and often enough to stop
    // within milliseconds even in one class of millions of methods.
    let mut since_clock = 0u32;
    let past_deadline = || {
        opts.deadline
            .is_some_and(|deadline| std::time::Instant::now() >= deadline)
    };
    'classes: for class_index in 0..dex.class_defs.count {
        if class_index % 64 == 0 && past_deadline() {
            timed_out = true;
            break;
        }
        let Some(def) = dex.class_def(class_index) else {
            continue;
        };
        if def.class_data_off == 0 {
            continue;
        }
        defs.clear();
        methods += dex.class_methods(def.class_data_off, anomalies, &mut defs) as u64;
        for &m in &defs {
            since_clock += 1;
            if since_clock == 4096 {
                since_clock = 0;
                if past_deadline() {
                    timed_out = true;
                    break 'classes;
                }
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
            let insns = dex.code_insns(m.code_off, anomalies);
            let cost = insns.len() as u64 / 2;
            if cost > budget {
                budget_exhausted = true;
                break 'classes;
            }
            budget -= cost;
            collector.walk_method(
                m.method_idx,
                m.code_off,
                insns,
                loc,
                anomalies,
                &mut reflective,
            );
        }
    }
    if budget_exhausted {
        anomalies.push(
            "dex.work_budget",
            loc,
            "stopped scanning: the code walked exceeds 16 times the file size (shared code items?)",
        );
    }
    if timed_out {
        anomalies.push(
            "dex.deadline",
            loc,
            "stopped scanning: the scan's time budget (--timeout) ran out; the classes after this point were not read",
        );
    }
    if duplicates > 0 {
        anomalies.push(
            "dex.duplicate_method",
            loc,
            format!("{duplicates} method definitions repeat a method already defined; skipped"),
        );
    }
    if collector.out_of_range > 0 {
        anomalies.push(
            "dex.index_out_of_range",
            loc,
            format!(
                "{} instructions reference ids past their table; ignored",
                collector.out_of_range
            ),
        );
    }
    let arguments = match collector.values {
        Some(values) => {
            if values.capped {
                anomalies.push(
                    "dex.arguments_capped",
                    loc,
                    format!(
                        "more than {MAX_ARGUMENTS_PER_DEX} call arguments with a known value; the rest were dropped"
                    ),
                );
            }
            values.found
        }
        None => Vec::new(),
    };
    Walked {
        arguments,
        code_walks: CodeWalks {
            walked: collector.recent.walked,
            replayed: collector.recent.replayed,
        },
        referenced: collector.referenced,
        uses: collector.uses,
        reflective,
        methods,
    }
}

/// The referenced ids of one table rendered: the keys in the order of their renderings, one per
/// entry, and the rank in `keys` of every id kept (ids past the output budget have none).
struct Ranked<K> {
    /// Shared by the facts' list and the call sites' map of the table.
    keys: std::sync::Arc<[K]>,
    /// `(id, rank)`, in the order of the keys.
    ranks: Vec<(u32, u32)>,
    /// Whether some ids share an entry (they render alike: duplicate ids of a hostile table).
    shared: bool,
}

/// Orders `items` (ids with what they render from) by `cmp` and gives every run of items that
/// render alike one key, made by `make` from the first of the run.
fn rank<P, K>(
    mut items: Vec<(u32, P)>,
    cmp: impl Fn(&P, &P) -> Ordering,
    alike: impl Fn(&P, &P) -> bool,
    make: impl FnMut(P) -> K,
) -> Ranked<K> {
    // Items come in id order, which is the order of their renderings but for a few names (`get$x`
    // renders before `get(`, a prototype's parameters before its return type): check first, and
    // sort stably, which takes the long sorted runs as they are.
    sort_nearly_sorted(&mut items, |a, b| cmp(&a.1, &b.1));
    let mut ranks: Vec<(u32, u32)> = Vec::with_capacity(items.len());
    let mut next = 0u32;
    for (i, (id, p)) in items.iter().enumerate() {
        if i == 0 || !alike(&items[i - 1].1, p) {
            next += 1;
        }
        ranks.push((*id, next - 1));
    }
    let shared = next as usize != items.len();
    // Collected into a vector in the place of `items`, the keys would keep that whole allocation
    // (items are larger than keys: 2.7 times the keys' size on real apps); the shared list is
    // one allocation of exactly their size.
    let keys: std::sync::Arc<[K]> = items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || ranks[*i].1 != ranks[*i - 1].1)
        .map(|(_, (_, p))| p)
        .map(make)
        .collect();
    Ranked {
        keys,
        ranks,
        shared,
    }
}

/// Sorts, stably, a list that is nearly in order. Ids come in id order, which is the order of
/// their renderings but for a few neighbours (`get$x` renders before `get(`, a prototype's
/// parameters before its return type), and the standard sort, finding no long sorted runs in
/// such a list, would sort it from scratch. Insertion sort costs one comparison per item plus
/// one per place an item moves; past a budget of moves (a table in no useful order, as a hostile
/// file can make) the standard stable sort takes over.
fn sort_nearly_sorted<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let mut moves_left = 4 * items.len() + 64;
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && cmp(&items[j - 1], &items[j]) == Ordering::Greater {
            items.swap(j - 1, j);
            j -= 1;
            moves_left -= 1;
            if moves_left == 0 {
                items.sort_by(cmp);
                return;
            }
        }
    }
}

/// The referenced ids of every table rendered.
struct Rendered {
    methods: Ranked<MethodRef>,
    fields: Ranked<FieldRef>,
    strings: Ranked<String>,
    classes: Ranked<Name>,
    instantiated: Ranked<Name>,
}

/// Names are cut at `MAX_RENDERED_NAME`, but many ids sharing one long name could still multiply
/// it: past this many rendered bytes, the remaining ids are dropped.
struct OutputBudget {
    left: u64,
    exceeded: bool,
}

impl OutputBudget {
    fn new(dex: &DexFile<'_>) -> Self {
        OutputBudget {
            left: 8 * dex.data().len() as u64 + (16 << 20),
            exceeded: false,
        }
    }

    /// Whether a rendering of `len` bytes still fits (and is then paid for).
    fn spend(&mut self, len: usize) -> bool {
        if len as u64 > self.left {
            self.exceeded = true;
            return false;
        }
        self.left -= len as u64;
        true
    }
}

/// A method or field while it is measured and ordered: the indices of its parts and their texts
/// (class, name, and prototype or type), read from the cache once.
struct Parts<'c> {
    ids: PartIds,
    texts: [super::name::Name; 3],
    _p: std::marker::PhantomData<&'c ()>,
    /// What the rendering puts before the last part: nothing for a method, `:` for a field.
    separator: &'static [u8],
}

impl<'c> Parts<'c> {
    fn method(cache: &'c SignatureCache<'_, '_>, ids: PartIds) -> Self {
        Self::new(cache, ids, cache.proto_text(ids.last), b"")
    }

    fn field(cache: &'c SignatureCache<'_, '_>, ids: PartIds) -> Self {
        Self::new(cache, ids, cache.type_text(ids.last), b":")
    }

    fn new(
        cache: &'c SignatureCache<'_, '_>,
        ids: PartIds,
        last: super::name::Name,
        separator: &'static [u8],
    ) -> Self {
        let texts = [cache.type_text(ids.class), cache.name_text(ids.name), last];
        Parts {
            ids,
            texts,
            separator,
            _p: std::marker::PhantomData,
        }
    }

    fn text(&self, i: usize) -> &[u8] {
        self.texts[i].as_bytes()
    }

    /// Length of the rendering: `class->name proto` or `class->name:type`.
    fn rendered_len(&self) -> usize {
        self.texts.iter().map(|t| t.len()).sum::<usize>() + 2 + self.separator.len()
    }

    fn into_method(self) -> MethodRef {
        let [class, name, proto] = self.texts;
        MethodRef {
            class,
            name,
            proto,
        }
    }

    fn into_field(self) -> FieldRef {
        let [class, name, ty] = self.texts;
        FieldRef {
            class,
            name,
            ty,
        }
    }
}

/// Compares the renderings of two references of one table, as [`MethodRef`]'s and
/// [`FieldRef`]'s orders do, skipping the parts read from the same index (the class, mostly, in a
/// sorted table).
fn cmp_renderings(a: &Parts<'_>, b: &Parts<'_>) -> Ordering {
    if a.ids == b.ids {
        return Ordering::Equal;
    }
    cmp_joined_skipping(
        &[a.text(0), b"->", a.text(1), a.separator, a.text(2)],
        &[b.text(0), b"->", b.text(1), b.separator, b.text(2)],
        &[
            a.ids.class == b.ids.class,
            true,
            a.ids.name == b.ids.name,
            true,
            a.ids.last == b.ids.last,
        ],
    )
}

fn renders_alike(a: &Parts<'_>, b: &Parts<'_>) -> bool {
    cmp_renderings(a, b) == Ordering::Equal
}

/// [`MethodRef`]'s and [`FieldRef`]'s order on parts: renderings, then parts.
fn cmp_refs(a: &Parts<'_>, b: &Parts<'_>) -> Ordering {
    cmp_renderings(a, b).then_with(|| a.texts.cmp(&b.texts))
}

/// [`Site`]'s order on the methods of one DEX: class, then `name(Args)Ret`, then as methods.
fn cmp_callers(a: &Parts<'_>, b: &Parts<'_>) -> Ordering {
    if a.ids == b.ids {
        return Ordering::Equal;
    }
    let class = if a.ids.class == b.ids.class {
        Ordering::Equal
    } else {
        a.text(0).cmp(b.text(0))
    };
    class
        .then_with(|| {
            cmp_joined_skipping(
                &[a.text(1), a.text(2)],
                &[b.text(1), b.text(2)],
                &[a.ids.name == b.ids.name, a.ids.last == b.ids.last],
            )
        })
        .then_with(|| cmp_refs(a, b))
}

/// Step 2: renders every referenced id once: methods and fields as typed references (their length
/// counted as rendered strings), strings decoded, classes as descriptors; each table ordered by
/// the renderings.
fn render(
    dex: &DexFile<'_>,
    referenced: &Referenced,
    cache: &mut SignatureCache<'_, '_>,
    loc: &str,
    anomalies: &mut AnomalySink,
) -> Rendered {
    let mut budget = OutputBudget::new(dex);
    // `method_parts` and `field_parts` fail only past the table, and every id here is below it.
    // The budget is spent in id order, so the ids it drops are the same however they sort.
    let method_ids: Vec<(u32, PartIds)> = referenced
        .invoked
        .iter()
        .filter_map(|i| cache.method_parts(i).map(|p| (i, p)))
        .collect();
    let field_ids: Vec<(u32, PartIds)> = referenced
        .field_read
        .union(&referenced.field_write)
        .iter()
        .filter_map(|i| cache.field_parts(i).map(|p| (i, p)))
        .collect();
    let cache = &*cache;
    let methods: Vec<(u32, Parts<'_>)> = method_ids
        .into_iter()
        .map(|(i, p)| (i, Parts::method(cache, p)))
        .filter(|(_, p)| budget.spend(p.rendered_len()))
        .collect();
    let fields: Vec<(u32, Parts<'_>)> = field_ids
        .into_iter()
        .map(|(i, p)| (i, Parts::field(cache, p)))
        .filter(|(_, p)| budget.spend(p.rendered_len()))
        .collect();
    let mut lossy_strings = 0u32;
    let strings = referenced
        .strings
        .iter()
        .map(|i| {
            let text = match dex.string(i) {
                Some(d) => {
                    lossy_strings += u32::from(d.lossy);
                    d.text
                }
                None => format!("<string@{i}>"),
            };
            (i, text)
        })
        .filter(|(_, s)| budget.spend(s.len()))
        .collect();
    // Type descriptors stay the cache's names: shared with the references' classes (and, with an
    // interner, with every DEX of the input).
    let classes = referenced
        .classes
        .iter()
        .map(|i| (i, cache.type_text(i)))
        .filter(|(_, s)| budget.spend(s.len()))
        .collect();
    let instantiated = referenced
        .instantiated
        .iter()
        .map(|i| (i, cache.type_text(i)))
        .filter(|(_, s)| budget.spend(s.len()))
        .collect();
    if budget.exceeded {
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
    Rendered {
        methods: rank(methods, cmp_refs, renders_alike, Parts::into_method),
        fields: rank(fields, cmp_refs, renders_alike, Parts::into_field),
        strings: rank(strings, String::cmp, String::eq, |s| s),
        classes: rank(classes, Name::cmp, Name::eq, |s| s),
        instantiated: rank(instantiated, Name::cmp, Name::eq, |s| s),
    }
}

/// The calling methods, each rendered once, in [`Site`] order.
struct Callers {
    sites: Vec<Site>,
    /// By `method_ids` index: the caller's position in `sites` (`u32::MAX` for a method that is no
    /// caller).
    position: Vec<u32>,
}

impl Callers {
    fn site(&self, method_idx: u32) -> Option<&Site> {
        self.sites
            .get(*self.position.get(method_idx as usize)? as usize)
    }
}

/// Step 3a: the methods that use a reference (with sites) or hold reflective strings, rendered
/// and sorted.
fn callers(
    dex: &DexFile<'_>,
    dex_name: &str,
    uses: Option<&Uses>,
    reflective: &[RawReflective],
    cache: &mut SignatureCache<'_, '_>,
) -> Callers {
    let mut is_caller = Bits::new(dex.method_ids.count);
    for r in reflective {
        is_caller.set(r.caller);
    }
    if let Some(uses) = uses {
        for list in [
            &uses.invokes,
            &uses.fields,
            &uses.strings,
            &uses.classes,
            &uses.instantiated,
        ] {
            for u in &list.uses {
                is_caller.set(u.caller);
            }
        }
    }
    // Callers come from the class data, which only yields indices below the table count, so
    // every one has parts.
    let ids: Vec<(u32, PartIds)> = is_caller
        .iter()
        .filter_map(|id| cache.method_parts(id).map(|p| (id, p)))
        .collect();
    let cache = &*cache;
    let mut callers: Vec<(u32, Parts<'_>)> = ids
        .into_iter()
        .map(|(id, p)| (id, Parts::method(cache, p)))
        .collect();
    // Stable, so that callers rendering alike stay in id order.
    sort_nearly_sorted(&mut callers, |a, b| cmp_callers(&a.1, &b.1));
    let mut position = vec![u32::MAX; dex.method_ids.count as usize];
    for (pos, (id, _)) in callers.iter().enumerate() {
        position[*id as usize] = pos as u32;
    }
    // One copy of the name for all the callers of this DEX.
    let dex_name: super::name::Name = super::name::Name::new(dex_name);
    let mut sites: Vec<Site> = callers
        .into_iter()
        .map(|(_, p)| Site {
            dex: dex_name.clone(),
            method: p.into_method(),
        })
        .collect();
    // Collected in the place of the larger `callers`, the list would keep that allocation: 1.4
    // times its size on real apps, held to the end.
    sites.shrink_to_fit();
    Callers { sites, position }
}

/// Step 3c: the known arguments grouped under the invoked method's rendering, each list sorted
/// and without duplicates. Literals take the rendering of their string (those longer than
/// [`super::values::MAX_VALUE_LEN`] are left out); calls of methods and literals dropped by the
/// output budget have no entry.
fn group_arguments(
    arguments: Vec<(u32, RawArgument)>,
    rendered: &Rendered,
    position: &[u32],
) -> UseMap<MethodRef, ArgumentValue> {
    if arguments.is_empty() {
        return UseMap::default();
    }
    // By id: the rank of its rendering (`u32::MAX`: none). The table is as long as the highest
    // ranked id: a hostile id past it (the pass follows any `const-string`) has no rank.
    let rank_of = |ranked_ids: &[(u32, u32)]| -> Vec<u32> {
        let len = ranked_ids.iter().map(|&(id, _)| id as usize + 1).max().unwrap_or(0);
        let mut ranks = vec![u32::MAX; len];
        for &(id, rank) in ranked_ids {
            ranks[id as usize] = rank;
        }
        ranks
    };
    let method_rank = rank_of(&rendered.methods.ranks);
    let string_rank = rank_of(&rendered.strings.ranks);
    let methods = &rendered.methods;
    // By string rank: the one text every literal argument of that string shares (a key string
    // such as a settings name is passed at many sites).
    let mut literals: Vec<Option<Name>> = vec![None; rendered.strings.keys.len()];
    let mut by_rank: BTreeMap<u32, Vec<ArgumentValue>> = BTreeMap::new();
    for (caller, argument) in arguments {
        let rank = method_rank
            .get(argument.method as usize)
            .copied()
            .unwrap_or(u32::MAX);
        let caller = position.get(caller as usize).copied().unwrap_or(u32::MAX);
        if rank == u32::MAX || caller == u32::MAX {
            continue;
        }
        let (value, how) = match argument.value {
            RawValue::Pool(i) => match string_rank.get(i as usize) {
                Some(&rank) if rank != u32::MAX && rendered.strings.keys[rank as usize].len() <= MAX_VALUE_LEN => (
                    literals[rank as usize]
                        .get_or_insert_with(|| Name::new(&rendered.strings.keys[rank as usize]))
                        .clone(),
                    super::values::How::Literal,
                ),
                _ => continue,
            },
            RawValue::Text(text, how) => (Name::new(&text), how),
        };
        by_rank.entry(rank).or_default().push(ArgumentValue {
            site: SiteRef {
                caller,
                offset: argument.offset,
            },
            argument: argument.argument,
            value,
            how,
        });
    }
    by_rank
        .into_iter()
        .map(|(rank, mut values)| {
            values.sort_unstable();
            values.dedup();
            (methods.keys[rank as usize].clone(), values)
        })
        .collect()
}

/// Step 3b: the uses of one table grouped under the keys of their ids, each list in caller order.
/// Ids dropped by the output budget have no key and their uses no entry.
fn group_uses<K: Ord + Clone>(
    list: UseList,
    ranked: &Ranked<K>,
    position: &[u32],
) -> UseMap<K, SiteRef> {
    // The per-id table of the walk, reused for the rank of each id.
    let mut rank_of = list.last_caller;
    rank_of.fill(u32::MAX);
    for &(id, rank) in &ranked.ranks {
        rank_of[id as usize] = rank;
    }
    let mut uses = list.uses;
    // From here on a use holds the rank of its id's key and the position of its caller.
    uses.retain_mut(|u| {
        u.id = rank_of[u.id as usize];
        u.caller = position[u.caller as usize];
        u.id != u32::MAX && u.caller != u32::MAX
    });
    drop(rank_of);
    // Placed by key in one stable pass (counting the uses of each key, then copying each use to
    // its key's range): each key's run keeps the walk's order, which is nearly the callers'
    // order (class definitions and their methods come sorted much as callers are), so ordering
    // a run by caller is close to one comparison per use. A run of a common method has
    // thousands of uses; placed by swapping, it came out shuffled and needed a full sort.
    let keys = ranked.keys.len();
    let mut starts = vec![0usize; keys + 1];
    for u in &uses {
        starts[u.id as usize + 1] += 1;
    }
    for rank in 0..keys {
        starts[rank + 1] += starts[rank];
    }
    let mut next = starts.clone();
    let mut refs = vec![SiteRef { caller: 0, offset: 0 }; uses.len()];
    for u in &uses {
        let at = &mut next[u.id as usize];
        refs[*at] = SiteRef {
            caller: u.caller,
            offset: u.offset,
        };
        *at += 1;
    }
    drop(next);
    drop(uses);
    // Every key's uses one after another in one list, and where each key's list ends: the map
    // shares the keys with the facts' list, so every key has a list, even an empty one (none
    // is: each key was rendered for an id some instruction uses).
    let mut ends: Vec<u32> = Vec::with_capacity(keys);
    let mut kept = 0usize;
    for rank in 0..keys {
        let run = starts[rank]..starts[rank + 1];
        sort_nearly_sorted(&mut refs[run.clone()], SiteRef::cmp);
        let start = kept;
        for i in run {
            let r = refs[i];
            // Ids sharing a key: one use per caller still, the first.
            if ranked.shared && kept > start && refs[kept - 1].caller == r.caller {
                continue;
            }
            refs[kept] = r;
            kept += 1;
        }
        ends.push(u32::try_from(kept).unwrap_or(u32::MAX));
    }
    refs.truncate(kept);
    UseMap::with_keys(std::sync::Arc::clone(&ranked.keys), ends, refs).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitset_iterates_in_order() {
        let mut b = Bits::new(200);
        for i in [199, 0, 64, 63, 130] {
            b.set(i);
        }
        assert_eq!(b.iter().collect::<Vec<_>>(), vec![0, 63, 64, 130, 199]);
        let mut c = Bits::new(200);
        c.set(1);
        c.set(199);
        assert_eq!(
            b.union(&c).iter().collect::<Vec<_>>(),
            vec![0, 1, 63, 64, 130, 199]
        );
    }

    #[test]
    fn one_use_per_caller_with_the_first_offset() {
        let mut list = UseList::new(4);
        // Each method is walked once, in offset order: its uses come together.
        for (id, caller, offset) in [(2, 7, 0), (2, 7, 5), (1, 7, 9), (2, 7, 12), (2, 8, 3)] {
            list.record(id, caller, offset);
        }
        let got: Vec<(u32, u32, u32)> = list
            .uses
            .iter()
            .map(|u| (u.id, u.caller, u.offset))
            .collect();
        assert_eq!(got, vec![(2, 7, 0), (1, 7, 9), (2, 8, 3)]);
    }

    #[test]
    fn uses_group_as_a_full_sort_puts_them() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |below: u64| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ((state >> 33) % below) as u32
        };
        for (ids, callers) in [(1u32, 1u32), (2, 50), (7, 50), (300, 40), (40, 3)] {
            let mut list = UseList::new(ids);
            // As the walk records them: each caller once, in a shuffled order, its uses by
            // increasing offset.
            let mut order: Vec<u32> = (0..callers).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, next(i as u64 + 1) as usize);
            }
            for caller in order {
                let mut offset = 0;
                for _ in 0..next(60) {
                    offset += 1 + next(8);
                    list.record(next(u64::from(ids)), caller, offset);
                }
            }
            // Callers are placed in reverse, one id in three is dropped, and ids 0 and 1 render
            // alike (a shared key).
            let position: Vec<u32> = (0..callers).rev().collect();
            let named: Vec<(u32, String)> = (0..ids)
                .filter(|id| id % 3 != 2)
                .map(|id| (id, format!("k{}", id.max(1))))
                .collect();
            let ranked = rank(named, String::cmp, String::eq, |s| s);
            let mut rank_of = vec![u32::MAX; ids as usize];
            for &(id, rank) in &ranked.ranks {
                rank_of[id as usize] = rank;
            }
            let mut expected: Vec<(u32, u32, u32)> = list
                .uses
                .iter()
                .filter(|u| rank_of[u.id as usize] != u32::MAX)
                .map(|u| (rank_of[u.id as usize], position[u.caller as usize], u.offset))
                .collect();
            expected.sort_unstable();
            expected.dedup_by(|b, a| a.0 == b.0 && a.1 == b.1);
            let grouped = group_uses(list, &ranked, &position);
            let got: Vec<(u32, u32, u32)> = grouped
                .iter()
                .enumerate()
                .flat_map(|(rank, (_, uses))| {
                    uses.iter().map(move |r| (rank as u32, r.caller, r.offset))
                })
                .collect();
            assert_eq!(got, expected, "{ids} ids, {callers} callers");
        }
    }

    #[test]
    fn uses_group_under_their_rendering_in_caller_order() {
        let mut list = UseList::new(4);
        // Method 9 sorts first among the callers, method 5 second.
        for (id, caller, offset) in [(0, 5, 4), (3, 5, 6), (0, 9, 2), (1, 9, 1)] {
            list.record(id, caller, offset);
        }
        let mut position = vec![u32::MAX; 10];
        position[9] = 0;
        position[5] = 1;
        // Id 1 was dropped by the output budget; ids 3 and 0 render alike.
        let named = vec![(3, "a".to_owned()), (0, "a".to_owned())];
        let ranked = rank(named, String::cmp, String::eq, |s| s);
        assert_eq!(*ranked.keys, ["a"]);
        assert!(ranked.shared);
        let grouped = group_uses(list, &ranked, &position);
        let a = &grouped["a"];
        assert_eq!(grouped.len(), 1);
        assert_eq!(
            a,
            &vec![
                SiteRef {
                    caller: 0,
                    offset: 2
                },
                SiteRef {
                    caller: 1,
                    offset: 4
                }
            ]
        );
    }
}
