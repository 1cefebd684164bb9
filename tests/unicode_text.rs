//! App text is any Unicode: CJK, Vietnamese with combining marks, four-byte emoji, right-to-left
//! scripts with bidi controls, zero-width characters, and U+FFFD where a DEX string held a lone
//! surrogate. Put right before or after a URL, host, label, class name, meta-data value,
//! permission name or asset line, it must go through the URL extractor, the rules' not-endpoint,
//! owner and tracker checks, attribution and every renderer without a byte offset ever landing
//! inside a character: one such slice panics and ends the whole scan (exit 101).
//!
//! The loops put every width of character at every offset near the places that cut or compare by
//! position (the end of a not-endpoint prefix's authority, the 80- and 400-character cuts of the
//! text renderer, the extractor's 1 MiB budget), so a boundary bug anywhere is hit.

mod common;
mod report_support;

use std::collections::BTreeMap;

use dossier::analysis::attribution::{self, Attributor};
use dossier::analysis::urls;
use dossier::dex::mutf8;
use dossier::report::{self, Report, TextOptions};
use dossier::rules::RuleSet;
use dossier::utf8;
use serde_json::Value;

/// Text an app puts next to a URL or a name, one of every UTF-8 width and of every kind that
/// breaks position arithmetic.
const NEIGHBOURS: &[(&str, &str)] = &[
    ("cjk", "上注册帐户"),
    ("cjk_punctuation", "。）、「」"),
    // Vietnamese: precomposed letters and a base letter with combining marks (U+0309, U+0323).
    ("vietnamese", "để đăng ky\u{309}\u{323}"),
    ("emoji", "😀👨\u{200d}👩\u{200d}👧🇻🇳"),
    ("rtl", "\u{202e}مرحبا\u{200f}שלום"),
    ("zero_width", "\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}"),
    // What the DEX decoder makes of a lone surrogate.
    ("replacement", "\u{fffd}\u{fffd}"),
    ("latin1", "éüñ"),
];

/// The first `n` characters of `neighbour` repeated as often as needed.
fn run(neighbour: &str, n: usize) -> String {
    neighbour.chars().cycle().take(n).collect()
}

fn rules() -> RuleSet {
    RuleSet::builtin().expect("built-in rules load")
}

/// Hosts whose authority ends at every offset from 9 to about 50 bytes, and the hosts of real
/// not-endpoint prefixes, so that the prefix comparison's cut falls inside every character.
fn hosts() -> Vec<String> {
    let mut hosts: Vec<String> = (1..40).map(|k| format!("{}.com", "a".repeat(k))).collect();
    for host in [
        "www.w3.org",
        "schemas.android.com",
        "developer.android.com",
        "d.android.com",
        "www.googleapis.com",
        "www.apache.org",
        "www.spappmonitoring.com",
        "t.appsflyer.com",
    ] {
        hosts.push(host.to_owned());
    }
    hosts
}

/// Regression: `https://www.spappmonitoring.com/để` (spyphone-mondow 14.0.0) panicked in the
/// not-endpoint prefix check, which sliced the URL at the end of a prefix's authority, a byte
/// offset inside `đ`.
#[test]
fn not_endpoint_check_never_cuts_a_character() {
    let rules = rules();
    assert!(!rules.is_not_endpoint("https://www.spappmonitoring.com/để"));
    for host in hosts() {
        for (name, neighbour) in NEIGHBOURS {
            for n in 0..40 {
                let tail = run(neighbour, n);
                for scheme in ["http", "https", "HTTPS"] {
                    for url in [
                        format!("{scheme}://{host}/{tail}"),
                        format!("{scheme}://{host}{tail}"),
                        format!("{scheme}://{tail}{host}/"),
                        format!("{scheme}://{host}/licenses/{tail}"),
                    ] {
                        // Must not panic; the answer is checked below where it is known.
                        let _ = rules.is_not_endpoint(&url);
                    }
                }
                assert!(
                    !rules.is_not_endpoint(&format!("https://{host}/{tail}"))
                        || host.ends_with("w3.org")
                        || host.ends_with("android.com")
                        || host.ends_with("apache.org"),
                    "{name} {n}: https://{host}/{tail} taken for no endpoint"
                );
            }
        }
    }
    // The answer does not depend on what follows the prefix.
    for (_, neighbour) in NEIGHBOURS {
        for n in 0..40 {
            let tail = run(neighbour, n);
            assert!(rules.is_not_endpoint(&format!("http://www.w3.org/{tail}")));
            assert!(rules.is_not_endpoint(&format!("HTTP://WWW.W3.ORG/{tail}")));
            assert!(rules.is_not_endpoint(&format!("https://www.googleapis.com/auth/{tail}")));
            assert!(!rules.is_not_endpoint(&format!("https://www.googleapis.com/{tail}")));
        }
    }
}

#[test]
fn urls_next_to_any_text_are_extracted_and_judged() {
    let rules = rules();
    for (name, neighbour) in NEIGHBOURS {
        for n in 0..40 {
            let tail = run(neighbour, n);
            // After a path the text is part of the URL as written; before the scheme, after a
            // space, it is not.
            for text in [
                format!("https://api.example.com/v1/{tail}"),
                format!("{tail} https://api.example.com/v1 {tail}"),
                format!("{tail}\nhttps://api.example.com:8443/v1?q={tail}#{tail}"),
                format!("\"https://api.example.com/v1\"{tail}"),
            ] {
                let found = urls::extract(&text);
                let hit = found
                    .iter()
                    .find(|e| e.host == "api.example.com")
                    .unwrap_or_else(|| panic!("{name} {n}: no endpoint in {text:?}"));
                assert!(hit.url.starts_with("https://api.example.com"), "{hit:?}");
                for endpoint in &found {
                    let _ = rules.is_not_endpoint(&endpoint.url);
                    let _ = rules.is_not_endpoint(&endpoint.host);
                    let _ = rules.owner_for_host(&endpoint.host);
                    let _ = rules.trackers_for_host(&endpoint.host);
                }
            }
            // Glued to the host, the text makes it no host name at all.
            let glued = format!("https://api.example.com{tail}/x");
            let found = urls::extract(&glued);
            assert!(
                n == 0 || found.iter().all(|e| e.host != "api.example.com"),
                "{name} {n}: {found:?}"
            );
            // Bare hosts and strings that only look like them.
            for text in [
                format!("{tail}log.byteoversea.com"),
                format!("log.byteoversea.com{tail}"),
                format!("{tail}.{tail}"),
                tail.clone(),
            ] {
                for endpoint in urls::extract(&text) {
                    let _ = rules.is_not_endpoint(&endpoint.url);
                    let _ = rules.owner_for_host(&endpoint.host);
                }
                let _ = rules.is_not_endpoint(&text);
                let _ = rules.owner_for_host(&text);
                let _ = rules.trackers_for_host(&text);
            }
        }
    }
}

/// Sentence punctuation after a URL belongs to the sentence, in CJK text as in ASCII.
#[test]
fn full_width_punctuation_after_a_url_is_not_part_of_it() {
    let found = urls::extract("请访问 https://example.com/accounts。）");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].url, "https://example.com/accounts");
    let found = urls::extract("详见 https://example.com/上注册，谢谢");
    assert_eq!(found[0].url, "https://example.com/上注册，谢谢");
    let found = urls::extract("https://example.com/上注册！");
    assert_eq!(found[0].url, "https://example.com/上注册");
}

#[test]
fn the_extractor_budget_never_cuts_a_character() {
    const BUDGET: usize = 1 << 20;
    for (_, neighbour) in NEIGHBOURS {
        // Every offset of a multibyte character across the cut.
        for shift in 0..5 {
            let url = " https://a.example.com/";
            let mut text = "x".repeat(BUDGET - url.len() - shift);
            text.push_str(url);
            text.push_str(&run(neighbour, 12));
            let found = urls::extract(&text);
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].host, "a.example.com");
        }
    }
}

#[test]
fn floor_char_boundary_for_every_index() {
    let text: String = NEIGHBOURS.iter().map(|(_, n)| *n).collect();
    for index in 0..text.len() + 5 {
        let at = utf8::floor_char_boundary(&text, index);
        assert!(text.is_char_boundary(at), "{index}");
        assert!(at <= index.min(text.len()), "{index}");
        assert!(
            (at + 1..=index.min(text.len())).all(|i| !text.is_char_boundary(i)),
            "{index}: a later boundary was skipped"
        );
        assert_eq!(utf8::prefix_within(&text, index), &text[..at]);
    }
}

/// DEX strings are MUTF-8: a lone surrogate (valid in Java, not in Rust) decodes to U+FFFD, a
/// surrogate pair to the one character it encodes; either way the URL next to it is read.
#[test]
fn mutf8_surrogates_next_to_urls() {
    const HIGH: &[u8] = &[0xed, 0xa0, 0xbd]; // U+D83D
    const LOW: &[u8] = &[0xed, 0xb8, 0x80]; // U+DE00
    let rules = rules();
    for n in 0..40 {
        for (before, after) in [(HIGH, LOW), (LOW, HIGH), (LOW, LOW), (HIGH, HIGH)] {
            let mut bytes = Vec::new();
            for _ in 0..n {
                bytes.extend_from_slice(before);
            }
            bytes.extend_from_slice(b" https://api.example.com/");
            for _ in 0..n {
                bytes.extend_from_slice(after);
            }
            let decoded = mutf8::decode(&bytes);
            assert!(!decoded.lossy);
            assert_eq!(decoded.unpaired_surrogates, n > 0, "{n}");
            let found = urls::extract(&decoded.text);
            assert_eq!(found.len(), 1, "{:?}", decoded.text);
            assert_eq!(found[0].host, "api.example.com");
            assert_eq!(found[0].url.matches('\u{fffd}').count(), n);
            let _ = rules.is_not_endpoint(&found[0].url);
        }
        // A pair written as two surrogates is the character itself.
        let mut bytes = b"https://api.example.com/".to_vec();
        for _ in 0..n {
            bytes.extend_from_slice(HIGH);
            bytes.extend_from_slice(LOW);
        }
        let decoded = mutf8::decode(&bytes);
        assert!(!decoded.unpaired_surrogates);
        assert_eq!(decoded.text.matches('😀').count(), n);
    }
}

#[test]
fn class_names_in_any_script_are_attributed() {
    let rules = rules();
    let mut attributor = Attributor::new(&rules, None);
    for (name, neighbour) in NEIGHBOURS {
        for n in 1..20 {
            let word = run(neighbour, n);
            for class in [
                format!("Lcom/appsflyer/{word};"),
                format!("Lcom/{word}/app/Main;"),
                format!("L{word}/a/B;"),
                format!("L{word};"),
                format!("com.{word}.app.{word}"),
            ] {
                let collector = attributor.collector_of(&class);
                assert!(!collector.is_empty(), "{name} {class}");
                let _ = rules.library_for_class(&class);
                let _ = rules.tracker_for_class(&class);
                let _ = report::view::java_class_name(&class);
            }
            assert_eq!(
                attributor.collector_of(&format!("Lcom/appsflyer/{word};")),
                "appsflyer"
            );
            let _ = attribution::jni_class(&format!("Java_com_{word}_Main_run"));
            let _ = rules.tracker_for_meta_data(&format!("com.appsflyer.{word}"));
        }
    }
    // A one-character package is obfuscated whatever the script, as a one-letter one is.
    for package in ["a", "上", "é", "😀"] {
        assert_eq!(
            attributor.collector_of(&format!("L{package}/b/C;")),
            attribution::OBFUSCATED,
            "{package}"
        );
    }
}

fn all_text_options() -> [TextOptions; 2] {
    [
        TextOptions {
            color: false,
            verbose: false,
            width: None,
        },
        TextOptions {
            color: true,
            verbose: true,
            width: None,
        },
    ]
}

/// Every renderer on `report`; each output checked for what must hold whatever the strings.
fn render_all(report: &Report) -> Vec<String> {
    let docs = report_support::rule_docs();
    let mut out: Vec<String> = all_text_options()
        .iter()
        .map(|options| report::render_text(report, options))
        .collect();
    let json = report::render_json(report);
    let back: Report = serde_json::from_str(&json).expect("JSON report parses");
    assert_eq!(&back, report, "JSON round trip");
    let sarif = report::render_sarif(report, &docs);
    let _: Value = serde_json::from_str(&sarif).expect("SARIF parses");
    out.push(json);
    out.push(sarif);
    out.push(report::render_markdown(report));
    out.push(report::render_html(report));
    let _ = report::render_sarif(report, &BTreeMap::new());
    out
}

/// Puts `text` in every app-controlled string of the sample report.
fn sample_with(text: &str) -> Report {
    let mut report = report_support::sample();
    report.app.label = Some(text.to_owned());
    report.app.version_name = Some(text.to_owned());
    report.app.package = Some(format!("com.example.{text}"));
    report.input.path = format!("apks/{text}.apk");
    report.input.members.push(format!("split_{text}.apk"));
    for permission in &mut report.permissions {
        permission.name.push_str(text);
    }
    for category in &mut report.categories {
        category.title.push_str(text);
        for evidence in &mut category.evidence {
            evidence.detail = format!("{text}{}{text}", evidence.detail);
            if let Some(location) = &mut evidence.location {
                location.class = Some(format!("Lcom/{text}/Main{text};"));
                location.method = Some(format!("run{text}"));
            }
        }
        category.notes.push(text.to_owned());
    }
    for call in &mut report.api_calls {
        for site in &mut call.sites {
            site.location.class = Some(format!("L{text}/{text};"));
            site.location.entry = format!("classes{text}.dex");
        }
    }
    for tracker in &mut report.trackers {
        tracker.name.push_str(text);
        tracker.owner_name = Some(text.to_owned());
        tracker.website = Some(format!("https://example.com/{text}"));
    }
    for endpoint in &mut report.endpoints {
        endpoint.url = format!("https://{}/{text}", endpoint.host);
        endpoint.owner_name = endpoint.owner_name.as_ref().map(|o| format!("{o}{text}"));
        for source in &mut endpoint.sources {
            source.location.entry = format!("assets/{text}.json");
        }
    }
    for lib in &mut report.native_libs {
        lib.jni_exports.push(format!("Java_com_{text}_Main_run"));
        lib.needed.push(format!("lib{text}.so"));
    }
    for collector in &mut report.collectors {
        collector.name.push_str(text);
    }
    for anomaly in &mut report.anomalies {
        anomaly.detail = format!("{text}{}", anomaly.detail);
    }
    report.normalize();
    report
}

/// Strings of every length around the text renderer's cuts (the summary's width, 400 characters
/// with --verbose),
/// in every kind of character, through every renderer.
#[test]
fn every_renderer_at_every_length_around_the_cuts() {
    let lengths = (0..12).chain(70..90).chain(390..410);
    for n in lengths {
        for (name, neighbour) in NEIGHBOURS {
            let text = run(neighbour, n);
            let report = sample_with(&text);
            let outputs = render_all(&report);
            // Plain CJK is shown as it is: whole when it fits the summary's width (each character
            // takes two columns), cut at a character with `…`.
            if *name == "cjk" {
                let summary = &outputs[0];
                let label_line = summary.lines().next().unwrap();
                let columns = dossier::report::DEFAULT_WIDTH;
                if 2 * n < columns {
                    assert!(label_line.starts_with(&text), "{n}: {label_line}");
                } else {
                    let shown: String = text.chars().take((columns - 1) / 2).collect();
                    assert!(
                        label_line.starts_with(&format!("{shown}…")),
                        "{n}: {label_line}"
                    );
                }
                let verbose = &outputs[1];
                assert!(verbose.contains(&run(neighbour, n.min(399))), "{n}");
                for output in &outputs[2..] {
                    assert!(output.contains(&text), "{n}: a renderer lost the text");
                }
            }
        }
    }
}

/// The same at byte lengths: ASCII padding shifts a multibyte character across every byte offset
/// of the cuts.
#[test]
fn every_renderer_with_multibyte_text_at_every_byte_offset() {
    for pad in 0..5 {
        for (_, neighbour) in NEIGHBOURS {
            for n in [78, 79, 80, 81, 398, 399, 400, 401] {
                let text = format!("{}{}", "x".repeat(pad), run(neighbour, n));
                render_all(&sample_with(&text));
                render_all(&sample_with(&format!("https://t.appsflyer.com/{text}")));
            }
        }
    }
}

/// The whole analysis on a real fixture whose facts carry Unicode in every app string: manifest
/// label, package, permission, component and meta-data (key and value), DEX strings, calling
/// classes and methods, native strings and JNI exports, asset and resource text.
#[test]
fn the_pipeline_reports_unicode_facts_in_every_format() {
    let scanner = dossier::Scanner::with_builtin_rules().unwrap();
    let input = scanner
        .open_path(&common::fixture("vidshare.apk"))
        .expect("fixture opens");
    let mut facts = scanner.facts(input);
    let pristine = scanner.report(&facts);
    assert!(!pristine.endpoints.is_empty());
    for (name, neighbour) in NEIGHBOURS {
        for n in (0..40).step_by(3) {
            let tail = run(neighbour, n);
            let urls = [
                format!("https://www.spappmonitoring.com/{tail}"),
                format!("https://developer.android.com/{tail}"),
                format!("http://www.w3.org/{tail}"),
                format!("https://t.appsflyer.com/{tail}"),
                format!("{tail} https://a{}.example.com/{tail}。）", n % 7),
            ];
            add_unicode_facts(&mut facts, &tail, &urls);
            let report = scanner.report(&facts);
            assert!(
                report
                    .endpoints
                    .iter()
                    .any(|e| e.host == "www.spappmonitoring.com"),
                "{name} {n}"
            );
            assert!(
                !report.endpoints.iter().any(|e| e.host == "www.w3.org"),
                "{name} {n}: a namespace URL became an endpoint"
            );
            render_all(&report);
        }
    }
}

fn add_unicode_facts(facts: &mut dossier::AppFacts, tail: &str, urls: &[String]) {
    use dossier::axml::manifest::{Component, ExportedReason, MetaData, UsesPermission};
    use dossier::report::Location;
    use dossier::scanner::{TextKind, TextStrings};

    if let Some(manifest) = &mut facts.manifest {
        if let Some(application) = &mut manifest.application {
            application.label = Some(format!("VidShare{tail}"));
        }
        manifest.permissions.push(UsesPermission {
            name: format!("android.permission.{tail}"),
            max_sdk: None,
            sdk23: false,
        });
        manifest.components.push(Component {
            kind: "activity".to_owned(),
            name: format!("com.example.vidshare.{tail}Activity"),
            exported: true,
            exported_reason: ExportedReason::Default,
            permission: Some(format!("android.permission.{tail}")),
            read_permission: None,
            write_permission: None,
            authorities: vec![tail.to_owned()],
            target_activity: None,
            intent_filters: Vec::new(),
        });
        for url in urls {
            manifest.meta_data.push(MetaData {
                location: "application".to_owned(),
                name: format!("com.appsflyer.{tail}"),
                value: Some(url.clone()),
                resource: None,
                resource_name: None,
            });
        }
    }
    let location = Location::entry(None::<&str>, format!("assets/{tail}.txt"));
    facts.texts.push(TextStrings {
        kind: TextKind::Asset,
        location,
        strings: urls.to_vec(),
    });
    facts.texts.push(TextStrings {
        kind: TextKind::Manifest,
        location: facts.manifest_location(),
        strings: urls.to_vec(),
    });
    if let Some(scan) = facts.dex.first_mut()
        && let Some(sites) = &mut scan.facts.sites
    {
        let at = sites.callers.len() as u32;
        sites.callers.push(dossier::dex::Site {
            dex: scan.entry.as_str().into(),
            method: dossier::dex::MethodRef {
                class: format!("Lcom/{tail}/Main{tail};").into(),
                name: format!("run{tail}").into(),
                proto: "()V".into(),
            },
        });
        let site = dossier::dex::SiteRef {
            caller: at,
            offset: 3,
        };
        for url in urls {
            sites.const_strings.add_use(url.clone(), site);
        }
        sites.invoked_methods.add_use(
            dossier::dex::MethodRef::parse("Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;")
                .unwrap(),
            site,
        );
    }
    if let Some(elf) = facts.native.iter_mut().find_map(|n| n.facts.as_mut()) {
        elf.strings.extend(urls.iter().cloned());
        elf.jni_exports.push(format!("Java_com_{tail}_Main_run"));
    }
}
