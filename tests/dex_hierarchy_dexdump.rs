//! Differential check of the class hierarchy facts against AOSP `dexdump` (class headers, no
//! disassembly) on every DEX of the corpus and on the apiprobe fixture: for every class, the
//! superclass, the interfaces in order and the virtual methods that have code (name and
//! prototype, in order) must be what dexdump prints for its `class_def`. Skips quietly when
//! dexdump is absent, and the corpus part when the corpus is.

mod common;
#[path = "dex_support/mod.rs"]
mod dex_common;

use std::collections::BTreeMap;
use std::process::Command;

use dossier::dex;
use rayon::prelude::*;

/// One class as the comparison sees it.
#[derive(Debug, Default, PartialEq, Eq)]
struct ClassShape {
    superclass: Option<String>,
    interfaces: Vec<String>,
    virtual_methods: Vec<(String, String)>,
}

/// The text between the first and the last `'` of a dexdump line.
fn quoted(line: &str) -> Option<String> {
    let start = line.find('\'')?;
    let end = line.rfind('\'')?;
    (end > start).then(|| line[start + 1..end].to_owned())
}

/// dexdump's classes by descriptor (the first definition of a descriptor, as ours keeps).
fn parse_dump(out: &str) -> BTreeMap<String, ClassShape> {
    #[derive(PartialEq)]
    enum Section {
        Other,
        Interfaces,
        Virtual,
    }
    let mut classes: BTreeMap<String, ClassShape> = BTreeMap::new();
    let mut current: Option<(String, ClassShape)> = None;
    let mut section = Section::Other;
    let mut pending: Option<(String, String)> = None;
    let mut finish = |current: &mut Option<(String, ClassShape)>| {
        if let Some((name, shape)) = current.take() {
            classes.entry(name).or_insert(shape);
        }
    };
    for line in out.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("Class descriptor  :") {
            finish(&mut current);
            current = quoted(trimmed).map(|name| (name, ClassShape::default()));
            section = Section::Other;
            continue;
        }
        let Some((_, shape)) = current.as_mut() else {
            continue;
        };
        if trimmed.starts_with("Superclass        :") {
            shape.superclass = quoted(trimmed);
        } else if trimmed.starts_with("Interfaces        -") {
            section = Section::Interfaces;
        } else if trimmed.starts_with("Virtual methods   -") {
            section = Section::Virtual;
        } else if trimmed.starts_with("Static fields")
            || trimmed.starts_with("Instance fields")
            || trimmed.starts_with("Direct methods")
            || trimmed.starts_with("source_file_idx")
        {
            section = Section::Other;
        } else if section == Section::Interfaces && trimmed.starts_with('#') {
            shape.interfaces.extend(quoted(trimmed));
        } else if section == Section::Virtual && trimmed.starts_with("name          :") {
            pending = quoted(trimmed).map(|n| (n, String::new()));
        } else if section == Section::Virtual && trimmed.starts_with("type          :") {
            if let (Some(p), Some(t)) = (pending.as_mut(), quoted(trimmed)) {
                p.1 = t;
            }
        } else if section == Section::Virtual && trimmed.starts_with("code          -") {
            shape.virtual_methods.extend(pending.take());
        } else if section == Section::Virtual && trimmed.starts_with("code          :") {
            pending = None;
        }
    }
    finish(&mut current);
    classes
}

fn ours(bytes: &[u8], label: &str) -> BTreeMap<String, ClassShape> {
    let mut classes = BTreeMap::new();
    for section in dex::parse_sections(bytes, label).expect("readable DEX") {
        let hierarchy = dex::class_hierarchy(&section, None);
        for class in hierarchy.classes() {
            classes
                .entry(class.name().to_owned())
                .or_insert_with(|| ClassShape {
                    superclass: class.superclass().map(str::to_owned),
                    interfaces: class.interfaces().map(str::to_owned).collect(),
                    virtual_methods: class
                        .virtual_methods()
                        .map(|(n, p)| (n.to_owned(), p.to_owned()))
                        .collect(),
                });
        }
    }
    classes
}

/// The differences for one DEX, at most a few named.
fn compare(label: &str, bytes: &[u8], scratch: &std::path::Path, n: usize) -> Vec<String> {
    let path = scratch.join(format!("hierarchy-input-{n}.dex"));
    std::fs::write(&path, bytes).expect("write scratch DEX");
    let out = Command::new("dexdump")
        .arg(&path)
        .output()
        .expect("run dexdump");
    let _ = std::fs::remove_file(&path);
    if !out.status.success() {
        return vec![format!("{label}: dexdump failed")];
    }
    let theirs = parse_dump(&String::from_utf8_lossy(&out.stdout));
    let mine = ours(bytes, label);
    let mut problems = Vec::new();
    if theirs.len() != mine.len() {
        problems.push(format!(
            "{label}: dexdump has {} classes, we have {}",
            theirs.len(),
            mine.len()
        ));
    }
    for (name, shape) in &theirs {
        match mine.get(name) {
            None => problems.push(format!("{label}: {name} missing")),
            Some(m) if m != shape => {
                problems.push(format!("{label}: {name}: ours {m:?}, dexdump {shape:?}"))
            }
            Some(_) => {}
        }
    }
    problems.truncate(5);
    problems
}

fn scratch_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dossier-hierarchy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn apiprobe_hierarchy_matches_dexdump() {
    if !dex_common::have_tool("dexdump") {
        eprintln!("skipped: dexdump not installed");
        return;
    }
    let dexes = dex_common::dex_entries_of_zip(&common::fixture("apiprobe.apk"));
    assert!(!dexes.is_empty());
    let scratch = scratch_dir();
    for (n, (label, bytes)) in dexes.iter().enumerate() {
        let problems = compare(label, bytes, &scratch, n);
        assert!(problems.is_empty(), "{problems:#?}");
        // The fixture's override probes are there, with their callbacks.
        let mine = ours(bytes, label);
        let listener = &mine["Lcom/example/apiprobe/location_precise/LocationListenerOverride;"];
        assert_eq!(listener.superclass.as_deref(), Some("Ljava/lang/Object;"));
        assert_eq!(listener.interfaces, ["Landroid/location/LocationListener;"]);
        assert_eq!(
            listener.virtual_methods,
            [(
                "onLocationChanged".to_owned(),
                "(Landroid/location/Location;)V".to_owned()
            )]
        );
    }
}

#[test]
fn corpus_hierarchy_matches_dexdump() {
    let Some(corpus) = dex_common::corpus_dir() else {
        eprintln!("skipped: no corpus (set DOSSIER_CORPUS)");
        return;
    };
    if !dex_common::have_tool("dexdump") {
        eprintln!("skipped: dexdump not installed");
        return;
    }
    let inputs = dex_common::corpus_dex_files(&corpus);
    assert!(!inputs.is_empty(), "corpus has no DEX files");
    let scratch = scratch_dir();
    let problems: Vec<String> = inputs
        .par_iter()
        .enumerate()
        .flat_map(|(n, (label, bytes))| compare(label, bytes, &scratch, n))
        .collect();
    eprintln!("checked {} DEX files against dexdump", inputs.len());
    assert!(problems.is_empty(), "{problems:#?}");
}
