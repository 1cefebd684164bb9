//! Native libraries (`lib/<abi>/*.so`): what an ELF shared object needs, imports and exports to Java,
//! and the printable strings it carries, read permissively with goblin.
//!
//! Nothing here decides what a symbol means: the rules map imports to categories and the endpoint
//! extractor reads the strings. Hostile ELF files never panic: goblin is wrapped in `catch_unwind`
//! as a last line of defence, and every list is capped. A file goblin rejects (one invalid UTF-8
//! byte in a library name is enough) is read by hand instead (`raw.rs`: the dynamic section, else
//! the section headers) for its needed libraries, imports and JNI exports, keeps its strings, and
//! carries the anomaly `elf.partly_read` saying what was recovered from where.

use std::panic::{self, AssertUnwindSafe};

use goblin::elf::Elf;

use crate::anomaly::Anomaly;

mod raw;

/// Caps that keep a crafted library from producing unbounded output.
const MAX_SYMBOLS: usize = 200_000;
const MAX_STRINGS: usize = 200_000;
/// Most bytes of strings kept from one library: the largest real engines (Unity, Flutter) hold a
/// few MiB of printable runs; without it 200,000 runs of 4 KiB could be 800 MiB.
const MAX_STRING_BYTES: usize = 32 << 20;
const MIN_STRING_LEN: usize = 6;
const MAX_STRING_LEN: usize = 4096;

/// Why a native library gives no facts at all. An ELF whose structure goblin rejects is still
/// read in part (by hand, and its strings), with the anomaly `elf.partly_read`, not refused.
#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    #[error("{location}: not an ELF file")]
    NotElf { location: String },
}

/// What one native library tells us, every list sorted and without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NativeFacts {
    /// `EM_AARCH64` and friends, as goblin names them (`AARCH64`, `ARM`, `X86_64`, `386`).
    pub machine: String,
    pub is_64: bool,
    /// DT_NEEDED entries: the shared libraries it links against.
    pub needed: Vec<String>,
    /// Undefined dynamic symbols: the functions and data it takes from other libraries.
    pub imports: Vec<String>,
    /// Defined dynamic symbols named `Java_*` (static JNI bindings) and `JNI_OnLoad`.
    pub jni_exports: Vec<String>,
    /// Printable ASCII runs of at least six characters, in file order of first appearance then sorted.
    pub strings: Vec<String>,
    pub anomalies: Vec<Anomaly>,
}

/// Reads one ELF shared object. `location` names it in errors and anomalies.
pub fn read_elf(bytes: &[u8], location: &str) -> Result<NativeFacts, NativeError> {
    require_elf_magic(bytes, location)?;
    // goblin is permissive and well fuzzed, but this input may be crafted to find what fuzzing missed.
    let parsed = panic::catch_unwind(AssertUnwindSafe(|| symbols_of(bytes)));
    let rejected = match parsed {
        Ok(Ok(symbols)) => return Ok(finish(symbols, bytes, location)),
        Ok(Err(reason)) => reason,
        Err(_) => "the ELF parser gave up on this file (internal panic caught)".to_owned(),
    };
    // One bad byte (an invalid UTF-8 library name, say) makes goblin reject the whole file.
    // Hiding the library would let a crafted name hide its imports too: read its dynamic linking
    // by hand, keep the printable strings, and say what was recovered.
    let recovered = panic::catch_unwind(AssertUnwindSafe(|| symbols_by_hand(bytes)));
    let (mut symbols, recovery) = match recovered {
        Ok(recovered) => recovered,
        Err(_) => (
            Symbols::default(),
            "reading it by hand failed too (internal panic caught)".to_owned(),
        ),
    };
    symbols.facts.anomalies.push(Anomaly::new(
        "elf.partly_read",
        location,
        format!("goblin rejected its structure ({rejected}); {recovery}; its strings were read"),
    ));
    Ok(finish(symbols, bytes, location))
}

/// What [`read_elf`] falls back to when goblin rejects a file, alone: the dynamic linking read by
/// hand (module `raw`) and the printable strings, without the `elf.partly_read` anomaly. Public
/// so that tests can hold it against goblin on the files goblin reads.
pub fn read_elf_by_hand(bytes: &[u8], location: &str) -> Result<NativeFacts, NativeError> {
    require_elf_magic(bytes, location)?;
    Ok(finish(symbols_by_hand(bytes).0, bytes, location))
}

fn require_elf_magic(bytes: &[u8], location: &str) -> Result<(), NativeError> {
    if bytes.len() < 4 || &bytes[..4] != b"\x7fELF" {
        return Err(NativeError::NotElf {
            location: location.to_owned(),
        });
    }
    Ok(())
}

/// The facts read from the ELF structure, and whether the symbol table was cut at its cap.
#[derive(Default)]
struct Symbols {
    facts: NativeFacts,
    capped: bool,
}

/// Adds the cap anomalies and the printable strings to what the ELF structure gave.
fn finish(symbols: Symbols, bytes: &[u8], location: &str) -> NativeFacts {
    let mut facts = symbols.facts;
    if symbols.capped {
        facts.anomalies.push(Anomaly::new(
            "elf.symbols_capped",
            location,
            format!("more than {MAX_SYMBOLS} dynamic symbols; the rest were not read"),
        ));
    }
    let (strings, capped) = printable_strings(bytes);
    facts.strings = strings;
    if capped {
        facts.anomalies.push(Anomaly::new(
            "elf.strings_capped",
            location,
            format!(
                "more than {MAX_STRINGS} strings or {} MiB of them; the rest were not read",
                MAX_STRING_BYTES >> 20
            ),
        ));
    }
    facts
}

fn symbols_of(bytes: &[u8]) -> Result<Symbols, String> {
    let elf = Elf::parse(bytes).map_err(|err| err.to_string())?;
    let mut facts = NativeFacts {
        machine: goblin::elf::header::machine_to_str(elf.header.e_machine).to_owned(),
        is_64: elf.is_64,
        needed: elf
            .libraries
            .iter()
            .map(|name| (*name).to_owned())
            .collect(),
        ..NativeFacts::default()
    };
    for sym in elf.dynsyms.iter().take(MAX_SYMBOLS) {
        let Some(name) = elf.dynstrtab.get_at(sym.st_name) else {
            continue;
        };
        file_symbol(&mut facts, name, sym.is_import());
    }
    sort_lists(&mut facts);
    Ok(Symbols {
        facts,
        capped: elf.dynsyms.len() > MAX_SYMBOLS,
    })
}

/// The dynamic linking read by hand, with a phrase saying what was recovered and from where.
fn symbols_by_hand(bytes: &[u8]) -> (Symbols, String) {
    let Some(found) = raw::read(bytes, MAX_SYMBOLS) else {
        return (
            Symbols::default(),
            "not even its ELF header could be read, so its needed libraries and symbols are not known"
                .to_owned(),
        );
    };
    let mut facts = NativeFacts {
        machine: goblin::elf::header::machine_to_str(found.machine).to_owned(),
        is_64: found.is_64,
        needed: found.needed,
        ..NativeFacts::default()
    };
    for symbol in &found.symbols {
        // What goblin calls an import: a global or weak symbol without a value.
        let is_import = matches!(symbol.bind, STB_GLOBAL | STB_WEAK) && symbol.value == 0;
        file_symbol(&mut facts, &symbol.name, is_import);
    }
    sort_lists(&mut facts);
    let recovery = recovery_phrase(
        (facts.needed.len(), found.needed_from),
        (found.symbols.len(), found.symbols_from),
    );
    let symbols = Symbols {
        facts,
        capped: found.capped,
    };
    (symbols, recovery)
}

/// "recovered by hand 1 needed library and 120 dynamic symbols from the dynamic section", each
/// count with where it came from (one origin said once when both share it), or "none" for what was
/// not found.
fn recovery_phrase(
    (needed, needed_from): (usize, Option<raw::Origin>),
    (symbols, symbols_from): (usize, Option<raw::Origin>),
) -> String {
    let needed_text = match needed_from {
        Some(_) if needed == 1 => "1 needed library".to_owned(),
        Some(_) => format!("{needed} needed libraries"),
        None => "no needed libraries".to_owned(),
    };
    let symbols_text = match symbols_from {
        Some(_) if symbols == 1 => "1 dynamic symbol".to_owned(),
        Some(_) => format!("{symbols} dynamic symbols"),
        None => "no dynamic symbols".to_owned(),
    };
    let origin = |from: Option<raw::Origin>| {
        from.map(|o| format!(" from {}", o.describe()))
            .unwrap_or_default()
    };
    if needed_from == symbols_from {
        format!(
            "recovered by hand {needed_text} and {symbols_text}{}",
            origin(symbols_from)
        )
    } else {
        format!(
            "recovered by hand {needed_text}{} and {symbols_text}{}",
            origin(needed_from),
            origin(symbols_from)
        )
    }
}

const STB_GLOBAL: u8 = 1;
const STB_WEAK: u8 = 2;

/// Files one named dynamic symbol as an import, a JNI export, or neither.
fn file_symbol(facts: &mut NativeFacts, name: &str, is_import: bool) {
    if name.is_empty() {
        return;
    }
    if is_import {
        facts.imports.push(name.to_owned());
    } else if name.starts_with("Java_") || name == "JNI_OnLoad" {
        facts.jni_exports.push(name.to_owned());
    }
}

fn sort_lists(facts: &mut NativeFacts) {
    for list in [
        &mut facts.needed,
        &mut facts.imports,
        &mut facts.jni_exports,
    ] {
        list.sort();
        list.dedup();
    }
}

/// Printable ASCII runs (like `strings -n 6`), sorted and deduplicated, with whether the cap was hit.
fn printable_strings(bytes: &[u8]) -> (Vec<String>, bool) {
    // By byte, looked up rather than compared: this runs over every byte of every library.
    let mut is_printable = [false; 256];
    for byte in (0x20..0x7f).chain([b'\t']) {
        is_printable[usize::from(byte)] = true;
    }
    let printable = |byte: u8| is_printable[usize::from(byte)];
    // Borrowed while they are sorted and deduplicated: a library repeats many of its runs, and
    // only the distinct ones are copied out.
    let mut found: Vec<&[u8]> = Vec::new();
    let mut capped = false;
    let mut kept_bytes = 0;
    // Invariant: `at` is 0 or just past a byte that is not printable, so no run starts before it
    // and is still to be read.
    let mut at = 0;
    // Run by run, skipping ahead: a run long enough to keep that starts at `at` or later covers
    // the byte MIN_STRING_LEN - 1 further on, so when that byte is not printable, no run worth
    // keeping starts before it (machine code, most of a library, is passed over six bytes at a
    // time). When it is printable, its run is found back to its start and on to its end.
    while let Some(&probe_byte) = bytes.get(at + MIN_STRING_LEN - 1) {
        let probe = at + MIN_STRING_LEN - 1;
        if !printable(probe_byte) {
            at = probe + 1;
            continue;
        }
        let mut begin = probe;
        while begin > at && printable(bytes[begin - 1]) {
            begin -= 1;
        }
        let Some(len) = bytes[probe..].iter().position(|&b| !printable(b)) else {
            // A run up to the end of the file.
            push_run(&bytes[begin..], &mut found);
            break;
        };
        let end = probe + len;
        kept_bytes += push_run(&bytes[begin..end], &mut found);
        if found.len() >= MAX_STRINGS || kept_bytes >= MAX_STRING_BYTES {
            capped = true;
            break;
        }
        // The byte at `end` is not printable.
        at = end + 1;
    }
    // Equal runs are alike, so an unstable sort gives the same list; byte order is the order of
    // the strings they make.
    found.sort_unstable();
    found.dedup();
    let strings = found.into_iter().map(ascii_text).collect();
    (strings, capped)
}

/// Keeps a printable run long enough to be a string, cut at [`MAX_STRING_LEN`]; returns the bytes
/// kept.
#[inline]
fn push_run<'b>(run: &'b [u8], found: &mut Vec<&'b [u8]>) -> usize {
    if run.len() < MIN_STRING_LEN {
        return 0;
    }
    let kept = &run[..run.len().min(MAX_STRING_LEN)];
    found.push(kept);
    kept.len()
}

/// The text of a printable run.
fn ascii_text(run: &[u8]) -> String {
    // Only printable ASCII reaches here, so this conversion cannot fail.
    std::str::from_utf8(run).map_or_else(|_| String::from_utf8_lossy(run).into_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_elf_is_a_typed_error() {
        assert!(matches!(
            read_elf(b"PK\x03\x04", "x.so"),
            Err(NativeError::NotElf { .. })
        ));
        assert!(matches!(
            read_elf(b"", "x.so"),
            Err(NativeError::NotElf { .. })
        ));
    }

    #[test]
    fn truncated_and_flipped_elf_never_panics() {
        // A minimal 64-bit ELF header that claims far more program and section headers than exist.
        let mut header = vec![0u8; 64];
        header[..4].copy_from_slice(b"\x7fELF");
        header[4] = 2; // 64-bit
        header[5] = 1; // little endian
        header[6] = 1;
        header[16] = 3; // ET_DYN
        header[18] = 62; // x86_64
        header[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
        header[40..48].copy_from_slice(&u64::MAX.to_le_bytes()); // e_shoff
        header[54..56].copy_from_slice(&56u16.to_le_bytes());
        header[56..58].copy_from_slice(&u16::MAX.to_le_bytes()); // e_phnum
        header[58..60].copy_from_slice(&64u16.to_le_bytes());
        header[60..62].copy_from_slice(&u16::MAX.to_le_bytes()); // e_shnum
        for len in 0..header.len() {
            let _ = read_elf(&header[..len], "x.so");
        }
        let _ = read_elf(&header, "x.so");
    }

    #[test]
    fn strings_stop_at_their_byte_cap() {
        let run = vec![b'a'; MAX_STRING_LEN];
        let mut bytes = Vec::new();
        for _ in 0..(MAX_STRING_BYTES / MAX_STRING_LEN + 10) {
            bytes.extend_from_slice(&run);
            bytes.push(0);
        }
        let (strings, capped) = printable_strings(&bytes);
        assert!(capped);
        assert_eq!(strings.len(), 1, "identical runs are kept once");
    }

    #[test]
    fn strings_are_runs_of_six_or_more() {
        let (strings, capped) = printable_strings(b"\0short\0https://a.example.net/x\0\x01abcdef");
        assert!(!capped);
        assert_eq!(
            strings,
            vec!["abcdef".to_owned(), "https://a.example.net/x".to_owned()]
        );
    }
    /// The byte-by-byte reading the run-by-run one replaced, kept to check it against.
    fn strings_byte_by_byte(bytes: &[u8]) -> (Vec<String>, bool) {
        let mut found: Vec<&[u8]> = Vec::new();
        let (mut start, mut capped, mut kept_bytes) = (None, false, 0);
        for (index, &byte) in bytes.iter().enumerate() {
            let printable = (0x20..0x7f).contains(&byte) || byte == b'\t';
            match (printable, start) {
                (true, None) => start = Some(index),
                (false, Some(begin)) => {
                    kept_bytes += push_run(&bytes[begin..index], &mut found);
                    start = None;
                    if found.len() >= MAX_STRINGS || kept_bytes >= MAX_STRING_BYTES {
                        capped = true;
                        break;
                    }
                }
                _ => {}
            }
        }
        if let (Some(begin), false) = (start, capped) {
            push_run(&bytes[begin..], &mut found);
        }
        let mut found: Vec<String> = found.into_iter().map(ascii_text).collect();
        found.sort();
        found.dedup();
        (found, capped)
    }

    #[test]
    fn runs_are_found_wherever_they_fall_against_the_probe() {
        // Runs of 5 to 8 bytes at every offset from the start, and ending at every distance
        // from the end of the file.
        for offset in 0..14 {
            for len in 5..9 {
                for tail in 0..8 {
                    let mut bytes = vec![0xffu8; offset];
                    bytes.extend(vec![b'x'; len]);
                    bytes.extend(vec![0u8; tail]);
                    let (strings, capped) = printable_strings(&bytes);
                    let want: Vec<String> = (len >= MIN_STRING_LEN)
                        .then(|| "x".repeat(len))
                        .into_iter()
                        .collect();
                    assert_eq!((strings, capped), (want, false), "{offset} {len} {tail}");
                }
            }
        }
    }

    #[test]
    fn strings_agree_with_a_byte_by_byte_reading() {
        // Runs of every length around the minimum, separated by every kind of byte, at both ends.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..200 {
            let mut bytes = Vec::new();
            while bytes.len() < 4000 {
                let run = (next() % 12) as usize;
                bytes.extend((0..run).map(|_| b"ab\t~ .x"[(next() % 7) as usize]));
                let gap = (next() % 3) as usize + usize::from(round % 2 == 0);
                bytes.extend((0..gap).map(|_| [0u8, 0x1f, 0x7f, 0x80, 0xff, b'\n'][(next() % 6) as usize]));
            }
            assert_eq!(printable_strings(&bytes), strings_byte_by_byte(&bytes), "round {round}");
        }
        let run = vec![b'a'; MAX_STRING_LEN];
        let mut capped = Vec::new();
        for i in 0..(MAX_STRING_BYTES / MAX_STRING_LEN + 10) {
            capped.extend_from_slice(&run);
            capped.extend_from_slice(format!("{i}").as_bytes());
            capped.push(0);
        }
        assert_eq!(printable_strings(&capped), strings_byte_by_byte(&capped));
    }
}
