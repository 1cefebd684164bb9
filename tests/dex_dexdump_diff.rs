//! Differential check against AOSP `dexdump -d` on every DEX of the corpus: the sets of invoked
//! methods, accessed fields and `const-class` types must equal what dexdump disassembles, and every
//! string that dexdump shows by index (`const-string ... // string@N`) must equal our string table
//! entry N. Call sites too: for every reference and every method using it, the offset of the first
//! instruction doing so must be the one dexdump prints (`|0012: invoke-...`), on the corpus and on
//! `fixtures/dex/refs.dex`.
//! Skips quietly when the corpus (`$DOSSIER_CORPUS`) or dexdump is absent.

mod common;
#[path = "dex_support/mod.rs"]
mod dex_common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use dossier::dex::{self, ScanOptions};
use rayon::prelude::*;

/// What dexdump disassembled: invoked method signatures and string index → value.
#[derive(Default)]
struct Dump {
    invoked: BTreeSet<String>,
    /// Fields of `iget*`/`iput*`/`sget*`/`sput*`, in our `Lcls;->name:Type` form.
    fields: BTreeSet<String>,
    /// Types of `const-class`.
    const_classes: BTreeSet<String>,
    strings: BTreeMap<u32, Vec<u8>>,
}

/// `Lpkg/Cls;.name:(Args)Ret` (dexdump) to `Lpkg/Cls;->name(Args)Ret` (ours).
fn to_our_signature(dexdump: &str) -> Option<String> {
    let dot = dexdump.find('.')?;
    let (class, rest) = (&dexdump[..dot], &dexdump[dot + 1..]);
    let colon = rest.find(':')?;
    Some(format!("{class}->{}{}", &rest[..colon], &rest[colon + 1..]))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse_dump(out: &[u8]) -> Dump {
    let mut dump = Dump::default();
    let mut lines = out.split(|&b| b == b'\n');
    while let Some(line) = lines.next() {
        // Only disassembly lines: "<addr>: <hex> |<pc>: <mnemonic> ...".
        let Some(bar) = line.iter().position(|&b| b == b'|') else {
            continue;
        };
        let insn = &line[bar..];
        if let Some(at) = find(insn, b": invoke-") {
            let Some(m) = find(insn, b" // method@") else {
                continue; // invoke-custom: call_site@
            };
            let Some(args_end) = find(&insn[at..], b"}, ") else {
                continue;
            };
            let sig = &insn[at + args_end + 3..m];
            // invoke-polymorphic appends ", (proto)" after the method.
            let sig = match find(sig, b", ") {
                Some(comma) => &sig[..comma],
                None => sig,
            };
            if let Some(s) = to_our_signature(&String::from_utf8_lossy(sig)) {
                dump.invoked.insert(s);
            }
        } else if let Some(marker) = find(insn, b" // field@") {
            let is_access = [b": iget".as_slice(), b": iput", b": sget", b": sput"]
                .iter()
                .any(|m| find(insn, m).is_some());
            let operand_start = insn[..marker]
                .windows(2)
                .rposition(|w| w == b", ")
                .map(|p| p + 2);
            if let (true, Some(start)) = (is_access, operand_start) {
                let text = String::from_utf8_lossy(&insn[start..marker]);
                if let Some(dot) = text.find('.') {
                    let (class, rest) = (&text[..dot], &text[dot + 1..]);
                    dump.fields.insert(format!("{class}->{rest}"));
                }
            }
        } else if find(insn, b": const-class").is_some() {
            if let (Some(start), Some(marker)) = (find(insn, b", "), find(insn, b" // type@")) {
                dump.const_classes
                    .insert(String::from_utf8_lossy(&insn[start + 2..marker]).into_owned());
            }
        } else if find(insn, b": const-string").is_some() {
            // The value is printed raw: it may contain quotes and even newlines, so take from the
            // first quote to the `" // string@` marker, joining lines until it appears.
            let Some(q) = insn.iter().position(|&b| b == b'"') else {
                continue;
            };
            let mut text = insn[q + 1..].to_vec();
            let mut guard = 0;
            while find(&text, b"\" // string@").is_none() && guard < 10_000 {
                match lines.next() {
                    Some(next) => {
                        text.push(b'\n');
                        text.extend_from_slice(next);
                    }
                    None => break,
                }
                guard += 1;
            }
            let Some(end) = text.windows(12).rposition(|w| w == b"\" // string@") else {
                continue;
            };
            let index_hex = String::from_utf8_lossy(&text[end + 12..]).trim().to_owned();
            if let Ok(index) = u32::from_str_radix(&index_hex, 16) {
                dump.strings.insert(index, text[..end].to_vec());
            }
        }
    }
    dump
}

fn run_dexdump(bytes: &[u8], scratch: &std::path::Path, n: usize) -> Option<Vec<u8>> {
    let path = scratch.join(format!("dexdump-input-{n}.dex"));
    std::fs::write(&path, bytes).ok()?;
    let out = Command::new("dexdump")
        .args(["-d", "-i"])
        .arg(&path)
        .output()
        .ok();
    let _ = std::fs::remove_file(&path);
    out.filter(|o| o.status.success()).map(|o| o.stdout)
}

#[test]
fn invoked_methods_and_strings_match_dexdump() {
    let Some(corpus) = dex_common::corpus_dir() else {
        eprintln!("skipped: no corpus (set DOSSIER_CORPUS)");
        return;
    };
    if !dex_common::have_tool("dexdump") {
        eprintln!("skipped: dexdump not installed");
        return;
    }
    let mut inputs = dex_common::corpus_dex_files(&corpus);
    let refs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dex/refs.dex");
    if let Ok(bytes) = std::fs::read(&refs) {
        inputs.push(("fixtures/dex/refs.dex".to_owned(), bytes));
    }
    assert!(!inputs.is_empty(), "corpus has no DEX files");
    let scratch = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let results: Vec<(String, Vec<String>)> = inputs
        .par_iter()
        .enumerate()
        .map(|(n, (label, bytes))| {
            let mut problems = Vec::new();
            let Some(out) = run_dexdump(bytes, &scratch, n) else {
                return (label.clone(), vec!["dexdump failed".to_owned()]);
            };
            let dump = parse_dump(&out);
            let their_uses = first_uses(&out);
            drop(out);
            let sections = match dex::parse_sections(bytes, label) {
                Ok(s) => s,
                Err(e) => return (label.clone(), vec![format!("we cannot parse: {e}")]),
            };
            let facts: Vec<dex::DexFacts> = sections
                .iter()
                .map(|s| dex::scan(s, label, &ScanOptions { sites: true, ..Default::default() }))
                .collect();
            let ours: BTreeSet<String> = facts
                .iter()
                .flat_map(|f| f.invoked_methods.iter().map(ToString::to_string))
                .collect();
            let our_fields: BTreeSet<String> = facts
                .iter()
                .flat_map(|f| f.fields.iter().map(|a| a.field.to_string()))
                .collect();
            let our_classes: BTreeSet<String> = facts
                .iter()
                .flat_map(|f| f.const_classes.iter().map(|c| c.to_string()))
                .collect();
            // The corpus files are well formed: ART loads them, so nothing should need tolerating.
            for f in &facts {
                for a in f.anomalies.iter().take(3) {
                    problems.push(format!("anomaly on a valid file: {} {}", a.code, a.detail));
                }
            }
            for (what, theirs, mine) in [
                ("field", &dump.fields, &our_fields),
                ("const-class", &dump.const_classes, &our_classes),
            ] {
                for missing in theirs.difference(mine).take(3) {
                    problems.push(format!("{what}: dexdump has, we lack: {missing}"));
                }
                for extra in mine.difference(theirs).take(3) {
                    problems.push(format!("{what}: we have, dexdump lacks: {extra}"));
                }
            }
            for missing in dump.invoked.difference(&ours).take(5) {
                problems.push(format!("dexdump has, we lack: {missing}"));
            }
            for extra in ours.difference(&dump.invoked).take(5) {
                problems.push(format!("we have, dexdump lacks: {extra}"));
            }
            let first = &sections[0];
            if sections.len() == 1 {
                let theirs = rendered(first, their_uses);
                let ours = our_uses(&facts[0]);
                let differing = ours
                    .iter()
                    .filter(|(key, callers)| theirs.get(*key) != Some(*callers))
                    .chain(theirs.iter().filter(|(key, _)| !ours.contains_key(*key)))
                    .take(3);
                for (key, callers) in differing {
                    problems.push(format!(
                        "uses of {key:?} differ: ours {:?}, dexdump {:?}",
                        ours.get(key),
                        theirs.get(key).or(Some(callers))
                    ));
                }
            }
            let mut string_mismatches = 0;
            for (&index, value) in &dump.strings {
                let ours = first.string_bytes(index).map(dex::mutf8::decode);
                let theirs = dex::mutf8::decode(value);
                if ours.as_ref().map(|d| &d.text) != Some(&theirs.text) {
                    string_mismatches += 1;
                    if string_mismatches <= 3 {
                        problems.push(format!(
                            "string@{index:x}: dexdump {:?}, ours {:?}",
                            theirs.text,
                            ours.map(|d| d.text)
                        ));
                    }
                }
            }
            eprintln!(
                "{label}: {} invoked methods, {} fields, {} const-class, {} strings checked, {} problems",
                dump.invoked.len(),
                dump.fields.len(),
                dump.const_classes.len(),
                dump.strings.len(),
                problems.len()
            );
            (label.clone(), problems)
        })
        .collect();
    let failures: Vec<String> = results
        .iter()
        .filter(|(_, p)| !p.is_empty())
        .map(|(label, p)| format!("{label}:\n  {}", p.join("\n  ")))
        .collect();
    eprintln!("checked {} DEX files against dexdump", results.len());
    assert!(
        results.len() > 1,
        "the corpus yielded no DEX besides the fixture"
    );
    assert!(failures.is_empty(), "differences:\n{}", failures.join("\n"));
}

/// The first use of every reference in every method, as `dexdump -d` disassembles it:
/// (kind, pool index) → caller in our `Lcls;->name(Args)Ret` form → offset in code units.
type FirstUses = BTreeMap<(&'static str, u32), BTreeMap<String, u32>>;

fn first_uses(out: &[u8]) -> FirstUses {
    let text = String::from_utf8_lossy(out);
    let mut uses = FirstUses::new();
    let mut record = |kind, index, caller: &str, offset| {
        uses.entry((kind, index))
            .or_default()
            .entry(caller.to_owned())
            .or_insert(offset);
    };
    let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    // The index after a `// string@` marker ending a line, as `u32`.
    let string_index = |line: &str| {
        let at = line.rfind("\" // string@")?;
        let digits = &line[at + 12..];
        hex(digits).then(|| u32::from_str_radix(digits, 16).ok())?
    };
    let mut caller: Option<String> = None;
    // A `const-string` whose value runs over several lines: its caller and offset.
    let mut open_string: Option<(String, u32)> = None;
    for line in text.lines() {
        if let Some((caller, offset)) = &open_string {
            if let Some(index) = string_index(line) {
                record("string", index, caller, *offset);
                open_string = None;
            }
            continue;
        }
        // Disassembly lines only: `0008f4: 7010 1c00 0000 |0000: invoke-direct ...`; the
        // continuation lines of a string value do not have this shape.
        let Some((address, rest)) = line.split_once(": ") else {
            continue;
        };
        let Some((code, insn)) = rest.split_once('|') else {
            continue;
        };
        if !hex(address) || !code.bytes().all(|b| b.is_ascii_hexdigit() || b == b' ') {
            continue;
        }
        // A method starts with `|[0008f4] com.example.Base.<init>:()V`.
        if let Some(header) = insn.strip_prefix('[') {
            caller = header.split_once("] ").and_then(|(_, method)| {
                let (qualified, proto) = method.split_once(':')?;
                let (class, name) = qualified.rsplit_once('.')?;
                Some(format!("L{};->{name}{proto}", class.replace('.', "/")))
            });
            continue;
        }
        // Instructions: `|0029: const-string v2, "after payloads" // string@0024`.
        let (Some(caller), Some((offset, rest))) = (&caller, insn.split_once(": ")) else {
            continue;
        };
        let Ok(offset) = u32::from_str_radix(offset, 16) else {
            continue;
        };
        let mnemonic = rest.split(' ').next().unwrap_or("");
        if mnemonic.starts_with("const-string") {
            match string_index(rest) {
                Some(index) => record("string", index, caller, offset),
                None => open_string = Some((caller.clone(), offset)),
            }
            continue;
        }
        let (kind, marker) = match mnemonic {
            m if m.starts_with("invoke-") => ("method", " // method@"),
            m if ["iget", "iput", "sget", "sput"]
                .iter()
                .any(|p| m.starts_with(p)) =>
            {
                ("field", " // field@")
            }
            "const-class" => ("class", " // type@"),
            _ => continue,
        };
        // invoke-custom names a call site, which is no method reference.
        let Some(at) = rest.rfind(marker) else {
            continue;
        };
        let digits: String = rest[at + marker.len()..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        if let Ok(index) = u32::from_str_radix(&digits, 16) {
            record(kind, index, caller, offset);
        }
    }
    uses
}

/// Uses as (kind, rendering of the reference) → caller → offset.
type RenderedUses = BTreeMap<(&'static str, String), BTreeMap<String, u32>>;

/// dexdump's pool indices rendered as our keys.
fn rendered(file: &dex::DexFile<'_>, uses: FirstUses) -> RenderedUses {
    let mut out = RenderedUses::new();
    for ((kind, index), callers) in uses {
        let key = match kind {
            "method" => file.method_signature(index),
            "field" => file.field_signature(index),
            "string" => file.string(index).map(|d| d.text).unwrap_or_default(),
            _ => file.type_descriptor(index).into_owned(),
        };
        out.insert((kind, key), callers);
    }
    out
}

/// Our call sites in the same form.
fn our_uses(facts: &dex::DexFacts) -> RenderedUses {
    let Some(sites) = &facts.sites else {
        return RenderedUses::new();
    };
    let mut out = RenderedUses::new();
    let mut add = |kind: &'static str, key: String, uses: &[dex::SiteRef]| {
        let callers = out.entry((kind, key)).or_default();
        for (site, offset) in sites.resolve(uses) {
            assert!(
                callers.insert(site.method.to_string(), offset).is_none(),
                "one use per caller"
            );
        }
    };
    for (method, uses) in &sites.invoked_methods {
        add("method", method.to_string(), uses);
    }
    for (field, uses) in &sites.fields {
        add("field", field.to_string(), uses);
    }
    for (text, uses) in &sites.const_strings {
        add("string", text.clone(), uses);
    }
    for (class, uses) in &sites.const_classes {
        add("class", class.to_string(), uses);
    }
    out
}

/// The fixture on its own, so that the offsets are checked even without the corpus.
#[test]
fn call_site_offsets_match_dexdump() {
    if !dex_common::have_tool("dexdump") {
        eprintln!("skipped: dexdump not installed");
        return;
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dex/refs.dex");
    let bytes = std::fs::read(&path).expect("fixture");
    let scratch = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let out = run_dexdump(&bytes, &scratch, usize::MAX).expect("dexdump runs");
    let sections = dex::parse_sections(&bytes, "refs.dex").expect("parses");
    let theirs = rendered(&sections[0], first_uses(&out));
    assert!(theirs.len() > 30, "dexdump output parsed: {theirs:?}");
    let facts = dex::scan(
        &sections[0],
        "refs.dex",
        &ScanOptions {
            sites: true,
            ..Default::default()
        },
    );
    assert_eq!(our_uses(&facts), theirs);
}
