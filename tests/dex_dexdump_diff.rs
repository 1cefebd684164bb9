//! Differential check against AOSP `dexdump -d` on every DEX of the corpus: the sets of invoked
//! methods, accessed fields and `const-class` types must equal what dexdump disassembles, and every
//! string that dexdump shows by index (`const-string ... // string@N`) must equal our string table
//! entry N.
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
            drop(out);
            let sections = match dex::parse_sections(bytes, label) {
                Ok(s) => s,
                Err(e) => return (label.clone(), vec![format!("we cannot parse: {e}")]),
            };
            let facts: Vec<dex::DexFacts> = sections
                .iter()
                .map(|s| dex::scan(s, label, &ScanOptions::default()))
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
                .flat_map(|f| f.const_classes.iter().cloned())
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
