//! The DEX fixtures (`fixtures/dex`, built from smali by `fixtures/dex/build.sh`) scanned end to
//! end, plus the layouts no Debian tool writes, built here by a small DEX writer: a version 041
//! container of two sections and a DEX whose header is larger than 0x70 bytes.

mod common;
#[path = "dex_support/mod.rs"]
mod dex_common;

use std::path::PathBuf;

use dossier::dex::{self, FieldRef, MethodRef, ScanOptions, SiteRef};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/dex")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn scan_one(bytes: &[u8], label: &str, sites: bool) -> dex::DexFacts {
    let sections = dex::parse_sections(bytes, label).expect("parses");
    assert_eq!(sections.len(), 1);
    dex::scan(
        &sections[0],
        label,
        &ScanOptions {
            sites,
            ..Default::default()
        },
    )
}

fn codes(facts: &dex::DexFacts) -> Vec<&str> {
    facts.anomalies.iter().map(|a| a.code.as_str()).collect()
}

#[test]
fn refs_fixture_every_reference_form() {
    let facts = scan_one(&fixture("refs.dex"), "refs.dex", false);
    assert_eq!(facts.version, "039");
    assert_eq!(facts.classes, 4);
    assert!(facts.anomalies.is_empty(), "{:?}", facts.anomalies);
    let mut want = vec![
        "Lcom/example/Api;->call()V",
        "Lcom/example/Api;->rangeCall()V",
        "Lcom/example/Base;-><init>()V",
        "Lcom/example/Base;->hashCode()I",
        "Lcom/example/Base;->rangeSuper()V",
        "Lcom/example/Refs;->many(IIIIII)V",
        "Lcom/example/Refs;->priv()V",
        "Lcom/example/Refs;->rangeDirect()V",
        "Lcom/example/Refs;->toString()Ljava/lang/String;",
        "Lcom/example/Util;->afterCustom(Ljava/lang/String;)V",
        "Lcom/example/Util;->afterPayloads(Ljava/lang/String;)V",
        "Lcom/example/Util;->rangeStatic(IIIIII)V",
        "Lcom/example/Util;->stat()V",
        "Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;",
        "Ljava/lang/Class;->getDeclaredField(Ljava/lang/String;)Ljava/lang/reflect/Field;",
        "Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;",
        "Ljava/lang/ClassLoader;->loadClass(Ljava/lang/String;)Ljava/lang/Class;",
        "Ljava/lang/Object;-><init>()V",
        "Ljava/lang/invoke/MethodHandle;->invoke([Ljava/lang/Object;)Ljava/lang/Object;",
        "Ljava/lang/invoke/MethodHandle;->invokeExact([Ljava/lang/Object;)Ljava/lang/Object;",
    ];
    want.sort();
    let invoked: Vec<String> = facts
        .invoked_methods
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(invoked, want);
    let typed = MethodRef::parse("Lcom/example/Refs;->many(IIIIII)V").unwrap();
    assert!(facts.invoked_methods.contains(&typed));
    assert_eq!(
        (&*typed.class, &*typed.name, &*typed.proto),
        ("Lcom/example/Refs;", "many", "(IIIIII)V")
    );

    let fields: Vec<(String, bool, bool)> = facts
        .fields
        .iter()
        .map(|f| (f.field.to_string(), f.read, f.write))
        .collect();
    let fields: Vec<(&str, bool, bool)> = fields.iter().map(|f| (f.0.as_str(), f.1, f.2)).collect();
    assert_eq!(
        fields,
        vec![
            ("Landroid/os/Build;->SERIAL:Ljava/lang/String;", true, false),
            ("Lcom/example/Refs;->count:I", true, true),
            ("Lcom/example/Refs;->name:Ljava/lang/String;", true, false),
            ("Lcom/example/Refs;->sFlag:Z", true, true),
            ("Lcom/example/Util;->wide:J", true, false),
            (
                "Lcom/example/Util;->written:Ljava/lang/String;",
                false,
                true
            ),
        ]
    );
    assert_eq!(
        facts.const_strings[..],
        vec![
            "SERIAL",
            "after invoke-custom",
            "after payloads",
            "com.example.Hidden",
            "com.example.Plugin",
            "jumbo string",
            "plain string",
            "secret",
            "x"
        ]
    );
    assert_eq!(
        facts.const_classes[..],
        vec!["Landroid/os/Build;", "Landroid/telephony/TelephonyManager;"]
    );
    let reflective: Vec<(Option<&str>, Option<&str>, String)> = facts
        .reflective
        .iter()
        .map(|r| {
            (
                r.class.as_deref(),
                r.member.as_deref(),
                r.site.method.name_and_proto().to_string(),
            )
        })
        .collect();
    let reflective: Vec<(Option<&str>, Option<&str>, &str)> = reflective
        .iter()
        .map(|r| (r.0, r.1, r.2.as_str()))
        .collect();
    assert_eq!(
        reflective,
        vec![
            (
                Some("Landroid/os/Build;"),
                Some("SERIAL"),
                "reflectField()V"
            ),
            (Some("Lcom/example/Hidden;"), None, "reflect()V"),
            (Some("Lcom/example/Hidden;"), Some("secret"), "reflect()V"),
            (
                Some("Lcom/example/Plugin;"),
                None,
                "loader(Ljava/lang/ClassLoader;)V"
            ),
        ]
    );
    assert!(facts.sites.is_none());
}

#[test]
fn refs_fixture_call_sites() {
    let facts = scan_one(&fixture("refs.dex"), "refs.dex", true);
    let sites = facts.sites.expect("asked for sites");
    let callers_of = |list: &[SiteRef]| -> Vec<String> {
        sites
            .resolve(list)
            .map(|(s, offset)| format!("{}|{}@{offset:04x}", s.dex, s.method))
            .collect()
    };
    let method = |s: &str| MethodRef::parse(s).unwrap();
    let field = |s: &str| FieldRef::parse(s).unwrap();
    // Offsets as `dexdump -d` prints them (`|002b: invoke-static ...`).
    assert_eq!(
        callers_of(
            &sites.invoked_methods
                [&method("Lcom/example/Util;->afterPayloads(Ljava/lang/String;)V")]
        ),
        vec!["refs.dex|Lcom/example/Refs;->payloads(I)I@002b"]
    );
    assert_eq!(
        callers_of(&sites.fields[&field("Lcom/example/Refs;->count:I")]),
        vec!["refs.dex|Lcom/example/Refs;->fields()V@0000"],
        "read and write in one method give one site, at the first"
    );
    assert_eq!(
        callers_of(&sites.const_strings["jumbo string"]),
        vec!["refs.dex|Lcom/example/Refs;->constants()V@0002"]
    );
    assert_eq!(
        callers_of(&sites.const_classes["Landroid/telephony/TelephonyManager;"]),
        vec!["refs.dex|Lcom/example/Refs;->constants()V@0005"]
    );
    assert_eq!(sites.invoked_methods.len(), facts.invoked_methods.len());
    assert_eq!(sites.fields.len(), facts.fields.len());
    let mut sorted = sites.callers.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, sites.callers, "callers are sorted and unique");
}

/// The DEX entries of the `multidex.zip` fixture, read through a file named after `tag` (tests
/// run in parallel).
fn multidex_entries(tag: &str) -> Vec<(String, Vec<u8>)> {
    let zip_path =
        std::env::temp_dir().join(format!("dossier-multidex-{tag}-{}.zip", std::process::id()));
    std::fs::write(&zip_path, fixture("multidex.zip")).unwrap();
    let entries = dex_common::dex_entries_of_zip(&zip_path);
    let _ = std::fs::remove_file(&zip_path);
    entries
}

/// The DEX files of one input scanned with one `Interner` hold one copy of a name both use (the
/// class of `classes2.dex` that `classes.dex` calls), and each DEX's facts share their list of
/// invoked methods, strings and classes with the keys of its site maps: memory, not output, so
/// only pointers can tell.
#[test]
fn one_input_shares_its_names_and_each_dex_its_keys() {
    let entries = multidex_entries("names");
    let options = ScanOptions {
        sites: true,
        ..Default::default()
    };
    let scan_all = |names: Option<&dex::Interner>| -> Vec<dex::DexFacts> {
        entries
            .iter()
            .map(|(label, bytes)| {
                let sections = dex::parse_sections(bytes, label).unwrap();
                dex::scan_sharing_names(&sections[0], label, &options, names)
            })
            .collect()
    };
    let helper_class = |facts: &[dex::DexFacts]| {
        let called = facts[0]
            .invoked_methods
            .iter()
            .find(|m| &*m.name == "help")
            .unwrap()
            .class
            .clone();
        let defined = facts[1]
            .sites
            .as_ref()
            .unwrap()
            .callers
            .iter()
            .find(|s| &*s.method.name == "help")
            .unwrap()
            .method
            .class
            .clone();
        (called, defined)
    };
    let names = dex::Interner::new();
    let shared = scan_all(Some(&names));
    let (called, defined) = helper_class(&shared);
    assert_eq!(&*called, "Lcom/example/multi/Helper;");
    assert!(dossier::dex::Name::ptr_eq(&called, &defined));
    // The class hierarchy of `classes2.dex` names the class with the same text.
    let sections = dex::parse_sections(&entries[1].1, &entries[1].0).unwrap();
    let hierarchy = dex::class_hierarchy(&sections[0], Some(&names));
    let in_hierarchy = hierarchy.get("Lcom/example/multi/Helper;").unwrap().name();
    assert!(std::ptr::eq(in_hierarchy.as_ptr(), called.as_ptr()));
    let apart = dex::class_hierarchy(&sections[0], None);
    let apart_name = apart.get("Lcom/example/multi/Helper;").unwrap().name();
    assert!(!std::ptr::eq(apart_name.as_ptr(), called.as_ptr()));
    // Without one, each DEX has its own copy: the test can tell the two apart.
    let apart = scan_all(None);
    let (called, defined) = helper_class(&apart);
    assert_eq!(called, defined);
    assert!(!dossier::dex::Name::ptr_eq(&called, &defined));
    for facts in &shared {
        let sites = facts.sites.as_ref().unwrap();
        assert!(std::sync::Arc::ptr_eq(
            &facts.invoked_methods,
            sites.invoked_methods.shared_keys()
        ));
        assert!(std::sync::Arc::ptr_eq(
            &facts.const_strings,
            sites.const_strings.shared_keys()
        ));
    }
    // Sharing changes no output.
    assert_eq!(
        serde_json::to_string(&shared).unwrap(),
        serde_json::to_string(&apart).unwrap()
    );
}

#[test]
fn multidex_zip_scans_both_dex_in_order() {
    let entries = multidex_entries("order");
    assert_eq!(entries.len(), 2);
    let inputs: Vec<(String, &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.clone(), b.as_slice()))
        .collect();
    let facts = dex::scan_many(
        &inputs,
        &ScanOptions {
            sites: true,
            ..Default::default()
        },
    );
    assert_eq!(facts.len(), 2);
    assert_eq!(facts[0].name, "classes.dex");
    assert_eq!(facts[1].name, "classes2.dex");
    assert_eq!(
        facts[0].invoked_methods[..],
        vec![MethodRef::parse("Lcom/example/multi/Helper;->help(Ljava/lang/String;)V").unwrap()]
    );
    assert_eq!(
        facts[1].fields[0].field.to_string(),
        "Landroid/os/Build;->MODEL:Ljava/lang/String;"
    );
    let merged = dex::merge(&facts);
    assert_eq!(merged.dex, vec!["classes.dex", "classes2.dex"]);
    assert_eq!(
        merged.const_strings,
        vec!["from the first dex", "from the second dex"]
    );
    assert_eq!(merged.invoked_methods.len(), 2);
    // Same input, same output, whatever the thread schedule.
    let again = dex::scan_many(
        &inputs,
        &ScanOptions {
            sites: true,
            ..Default::default()
        },
    );
    assert_eq!(dex::to_json(&facts), dex::to_json(&again));
}

#[test]
fn header_size_larger_than_0x70_is_tolerated() {
    // Regression: one packed sample in the wild declares header_size 6880; ART finds the tables
    // through their offsets, and so must we.
    let mut bytes = fixture("refs.dex");
    bytes[0x24..0x28].copy_from_slice(&6880u32.to_le_bytes());
    let odd = scan_one(&bytes, "odd.dex", false);
    let normal = scan_one(&fixture("refs.dex"), "odd.dex", false);
    assert_eq!(codes(&odd), vec!["dex.header_size"]);
    assert_eq!(odd.invoked_methods, normal.invoked_methods);
    assert_eq!(odd.const_strings, normal.const_strings);
}

#[test]
fn real_larger_header_built_by_the_writer() {
    let section = writer::Section::sample("Lcom/odd/Header;", "odd header");
    let bytes = writer::build(&[section], 0x200, b"035");
    let facts = scan_one(&bytes, "big-header.dex", false);
    assert_eq!(codes(&facts), vec!["dex.header_size"]);
    assert_eq!(facts.const_strings[..], vec!["odd header"]);
    assert_eq!(
        facts.invoked_methods[..],
        vec![MethodRef::parse("Lcom/odd/Header;->target(Ljava/lang/String;)V").unwrap()]
    );
}

#[test]
fn stale_map_list_is_recorded_not_trusted() {
    // The header says 7 strings; a map list claiming 9 is recorded, and the header wins.
    let section = writer::Section::sample("Lcom/stale/Map;", "stale map");
    let mut bytes = writer::build(&[section], 0x70, b"035");
    let map = u32::from_le_bytes(bytes[0x34..0x38].try_into().unwrap()) as usize;
    let strings_entry = map + 4 + 12;
    bytes[strings_entry + 4..strings_entry + 8].copy_from_slice(&9u32.to_le_bytes());
    let facts = scan_one(&bytes, "stale.dex", false);
    assert_eq!(codes(&facts), vec!["dex.map_mismatch"]);
    assert_eq!(facts.strings, 7);
    assert_eq!(facts.const_strings[..], vec!["stale map"]);
}

#[test]
fn version_041_container_with_two_sections() {
    let first = writer::Section::sample("Lcom/first/A;", "from section zero");
    let second = writer::Section::sample("Lcom/second/B;", "from section one");
    let bytes = writer::build(&[first, second], 0x78, b"041");
    let sections = dex::parse_sections(&bytes, "classes.dex").expect("parses");
    assert_eq!(sections.len(), 2);
    let facts: Vec<_> = sections
        .iter()
        .map(|s| dex::scan(s, "classes.dex", &ScanOptions::default()))
        .collect();
    assert_eq!(facts[0].name, "classes.dex");
    assert_eq!(facts[1].name, "classes.dex#1");
    assert_eq!(facts[0].version, "041");
    assert!(facts[0].anomalies.is_empty(), "{:?}", facts[0].anomalies);
    assert!(facts[1].anomalies.is_empty(), "{:?}", facts[1].anomalies);
    assert_eq!(facts[0].const_strings[..], vec!["from section zero"]);
    assert_eq!(facts[1].const_strings[..], vec!["from section one"]);
    assert_eq!(
        facts[1].invoked_methods[..],
        vec![MethodRef::parse("Lcom/second/B;->target(Ljava/lang/String;)V").unwrap()]
    );
    // scan_many lists container sections in file order.
    let many = dex::scan_many(
        &[("classes.dex".to_owned(), &bytes[..])],
        &ScanOptions::default(),
    );
    assert_eq!(many, facts);
}

/// A minimal DEX writer: enough of the format (strings, types, protos, methods, one class with
/// code) to lay out sections at any offset, which smali cannot do. Every offset it writes is
/// relative to the start of the whole buffer, as in version 041 containers.
mod writer {
    pub struct Section {
        pub strings: Vec<String>,
        /// Types as string indices.
        pub types: Vec<u32>,
        /// (shorty string, return type, parameter types).
        pub protos: Vec<(u32, u32, Vec<u16>)>,
        /// (class type, proto, name string).
        pub methods: Vec<(u16, u16, u32)>,
        /// The one class: its type and its direct methods (method index, code units).
        pub class_type: u32,
        pub code: Vec<(u32, Vec<u16>)>,
    }

    impl Section {
        /// One class with `run()V` that loads `text` and passes it to `target(String)`.
        pub fn sample(class: &str, text: &str) -> Section {
            // Strings: 0 class, 1 "V", 2 "VL", 3 "Ljava/lang/String;", 4 "run", 5 "target", 6 text.
            let strings: Vec<String> = [
                class,
                "V",
                "VL",
                "Ljava/lang/String;",
                "run",
                "target",
                text,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            Section {
                strings,
                types: vec![0, 1, 3],
                protos: vec![(1, 1, vec![]), (2, 1, vec![2])],
                methods: vec![(0, 0, 4), (0, 1, 5)],
                class_type: 0,
                code: vec![
                    // const-string v0, string@6; invoke-static {v0}, method@1; return-void
                    (0, vec![0x001a, 0x0006, 0x1071, 0x0001, 0x0000, 0x000e]),
                    (1, vec![0x000e]),
                ],
            }
        }
    }

    fn align4(out: &mut Vec<u8>) {
        while !out.len().is_multiple_of(4) {
            out.push(0);
        }
    }

    fn uleb(out: &mut Vec<u8>, mut v: u32) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn put32(out: &mut [u8], at: usize, v: u32) {
        out[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    /// Writes the sections one after the other; `header_size` bytes of header each.
    pub fn build(sections: &[Section], header_size: usize, version: &[u8; 3]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut starts = Vec::new();
        for s in sections {
            let base = out.len();
            starts.push(base);
            out.resize(base + header_size, 0);
            out[base..base + 4].copy_from_slice(b"dex\n");
            out[base + 4..base + 7].copy_from_slice(version);
            put32(&mut out, base + 0x24, header_size as u32);
            put32(&mut out, base + 0x28, 0x1234_5678);
            let table = |out: &mut Vec<u8>, size_at: usize, count: usize, item: usize| {
                align4(out);
                let at = out.len();
                put32(out, base + size_at, count as u32);
                put32(
                    out,
                    base + size_at + 4,
                    if count == 0 { 0 } else { at as u32 },
                );
                out.resize(at + count * item, 0);
                at
            };
            let string_ids = table(&mut out, 0x38, s.strings.len(), 4);
            let type_ids = table(&mut out, 0x40, s.types.len(), 4);
            let proto_ids = table(&mut out, 0x48, s.protos.len(), 12);
            table(&mut out, 0x50, 0, 8);
            let method_ids = table(&mut out, 0x58, s.methods.len(), 8);
            let class_defs = table(&mut out, 0x60, 1, 32);
            for (i, text) in s.strings.iter().enumerate() {
                let at = out.len() as u32;
                put32(&mut out, string_ids + i * 4, at);
                uleb(&mut out, text.len() as u32);
                out.extend_from_slice(text.as_bytes());
                out.push(0);
            }
            for (i, &t) in s.types.iter().enumerate() {
                put32(&mut out, type_ids + i * 4, t);
            }
            for (i, (shorty, ret, params)) in s.protos.iter().enumerate() {
                let at = proto_ids + i * 12;
                put32(&mut out, at, *shorty);
                put32(&mut out, at + 4, *ret);
                if !params.is_empty() {
                    align4(&mut out);
                    let list = out.len() as u32;
                    out.extend_from_slice(&(params.len() as u32).to_le_bytes());
                    for p in params {
                        out.extend_from_slice(&p.to_le_bytes());
                    }
                    put32(&mut out, at + 8, list);
                }
            }
            for (i, &(class, proto, name)) in s.methods.iter().enumerate() {
                let at = method_ids + i * 8;
                out[at..at + 2].copy_from_slice(&class.to_le_bytes());
                out[at + 2..at + 4].copy_from_slice(&proto.to_le_bytes());
                put32(&mut out, at + 4, name);
            }
            let mut code_offs = Vec::new();
            for (_, units) in &s.code {
                align4(&mut out);
                let at = out.len();
                code_offs.push(at as u32);
                out.extend_from_slice(&1u16.to_le_bytes()); // registers
                out.extend_from_slice(&0u16.to_le_bytes()); // ins
                out.extend_from_slice(&1u16.to_le_bytes()); // outs
                out.extend_from_slice(&0u16.to_le_bytes()); // tries
                out.extend_from_slice(&0u32.to_le_bytes()); // debug info
                out.extend_from_slice(&(units.len() as u32).to_le_bytes());
                for u in units {
                    out.extend_from_slice(&u.to_le_bytes());
                }
            }
            let class_data = out.len() as u32;
            for v in [0, 0, s.code.len() as u32, 0] {
                uleb(&mut out, v);
            }
            let mut previous = 0;
            for ((method, _), code_off) in s.code.iter().zip(&code_offs) {
                uleb(&mut out, method - previous);
                previous = *method;
                uleb(&mut out, 0x9); // public static
                uleb(&mut out, *code_off);
            }
            put32(&mut out, class_defs, s.class_type);
            put32(&mut out, class_defs + 8, 0xffff_ffff); // no superclass
            put32(&mut out, class_defs + 16, 0xffff_ffff); // no source file
            put32(&mut out, class_defs + 24, class_data);
            // The map list: the id tables as the header places them.
            align4(&mut out);
            let map = out.len();
            put32(&mut out, base + 0x34, map as u32);
            let entries: Vec<(u16, usize, usize)> = vec![
                (0x0000, 1, base),
                (0x0001, s.strings.len(), string_ids),
                (0x0002, s.types.len(), type_ids),
                (0x0003, s.protos.len(), proto_ids),
                (0x0005, s.methods.len(), method_ids),
                (0x0006, 1, class_defs),
                (0x1000, 1, map),
            ];
            out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
            for (item_type, size, offset) in entries {
                out.extend_from_slice(&item_type.to_le_bytes());
                out.extend_from_slice(&0u16.to_le_bytes());
                out.extend_from_slice(&(size as u32).to_le_bytes());
                out.extend_from_slice(&(offset as u32).to_le_bytes());
            }
            let size = (out.len() - base) as u32;
            put32(&mut out, base + 0x20, size);
        }
        if version == b"041" {
            let total = out.len() as u32;
            for &base in &starts {
                put32(&mut out, base + 0x70, total);
                put32(&mut out, base + 0x74, base as u32);
            }
        }
        out
    }
}

/// Snapshot of `dossier dex refs.dex --format json --sites`: the whole JSON document, so that a
/// change of shape or content shows up in review. Refresh with `DOSSIER_UPDATE_GOLDEN=1`.
#[test]
fn refs_fixture_json_snapshot() {
    let bytes = fixture("refs.dex");
    let facts = dex::scan_many(
        &[("refs.dex".to_owned(), &bytes[..])],
        &ScanOptions {
            sites: true,
            ..Default::default()
        },
    );
    let json = dex::to_json(&facts) + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/dex/refs.expected.json");
    if std::env::var_os("DOSSIER_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &json).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        json, expected,
        "snapshot differs; refresh with DOSSIER_UPDATE_GOLDEN=1"
    );
}

#[test]
fn text_rendering_for_people() {
    let facts = scan_one(&fixture("refs.dex"), "refs.dex", false);
    let mut out = Vec::new();
    facts.write_text(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("refs.dex (DEX 039): 4 classes, "),
        "{text}"
    );
    assert!(text.contains("  invoked methods (20):\n"));
    assert!(text.contains("    Lcom/example/Refs;->count:I [rw]\n"));
    assert!(
        text.contains("    Lcom/example/Hidden;->secret  (in Lcom/example/Refs;->reflect()V)\n")
    );
}
