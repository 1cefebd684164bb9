//! Heap in use and its peak at each step of one scan, counted by a wrapping allocator:
//! `cargo run --release --example phase_memory -- APP`. Shows which step sets a scan's peak
//! memory and what each step keeps, for the memory work of docs/BENCHMARKS.md.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn mib(bytes: usize) -> f64 {
    bytes as f64 / 1048576.0
}

/// Prints the heap in use now and the peak since the last step, then starts a new peak.
fn step(name: &str) {
    let now = IN_USE.load(Ordering::Relaxed);
    let peak = PEAK.swap(now, Ordering::Relaxed);
    println!(
        "{name:<12} in use {:7.1} MiB   peak {:7.1} MiB",
        mib(now),
        mib(peak)
    );
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: phase_memory APP");
    let scanner = dossier::Scanner::with_builtin_rules().expect("built-in rules");
    step("rules");
    let input = scanner.open_path(path.as_ref()).expect("input opens");
    step("open");
    let facts = scanner.facts(input);
    step("facts");
    let report = scanner.report(&facts);
    step("report");
    if std::env::var_os("PHASE_PARTS").is_some() {
        let mut facts = facts;
        macro_rules! drop_part {
            ($name:literal, $($part:tt).+) => {
                for dex in &mut facts.dex {
                    if let Some(sites) = &mut dex.facts.sites {
                        let _ = &sites;
                    }
                    dex.$($part).+ = Default::default();
                }
                step($name);
            };
        }
        for dex in &mut facts.dex {
            if let Some(sites) = &mut dex.facts.sites {
                sites.callers = Default::default();
            }
        }
        step("-callers");
        for dex in &mut facts.dex {
            if let Some(sites) = &mut dex.facts.sites {
                sites.invoked_methods = Default::default();
            }
        }
        step("-s.invoked");
        for dex in &mut facts.dex {
            if let Some(sites) = &mut dex.facts.sites {
                sites.fields = Default::default();
            }
        }
        step("-s.fields");
        for dex in &mut facts.dex {
            if let Some(sites) = &mut dex.facts.sites {
                sites.const_strings = Default::default();
            }
        }
        step("-s.strings");
        for dex in &mut facts.dex {
            if let Some(sites) = &mut dex.facts.sites {
                sites.const_classes = Default::default();
                sites.instantiated = Default::default();
            }
        }
        step("-s.classes");
        for dex in &mut facts.dex {
            drop(dex.facts.sites.take());
        }
        step("-s.args");
        drop_part!("-f.invoked", facts.invoked_methods);
        drop_part!("-f.fields", facts.fields);
        drop_part!("-f.strings", facts.const_strings);
        drop_part!("-f.classes", facts.const_classes);
        drop_part!("-f.reflect", facts.reflective);
        for dex in &mut facts.dex {
            dex.unused_methods = Vec::new();
            dex.unread_fields = Vec::new();
        }
        step("-unused");
        for dex in &mut facts.dex {
            dex.types = Vec::new();
        }
        step("-types");
        for dex in &mut facts.dex {
            dex.hierarchy = Default::default();
        }
        step("-hierarchy");
        facts.dex.clear();
        step("-dex rest");
        facts.native.clear();
        facts.texts.clear();
        step("-nat,texts");
    } else {
        drop(facts);
    }
    step("facts freed");
    let json = serde_json::to_vec(&report).expect("report serializes");
    step("json");
    drop((json, report));
    step("end");
}
