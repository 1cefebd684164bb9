//! Each renderer on a rich sample report with hostile strings: determinism, independence from
//! input order, and that no app string can escape its medium.

mod report_support;

use dossier::report::*;
use report_support::{BIDI, rule_docs, sample, scrambled};
use serde_json::Value;

const PLAIN: TextOptions = TextOptions {
    color: false,
    verbose: false,
    width: None,
};

fn all_text_options() -> [TextOptions; 4] {
    [
        PLAIN,
        TextOptions {
            color: false,
            verbose: true,
            width: None,
        },
        TextOptions {
            color: true,
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

// --- JSON ---------------------------------------------------------------------------------------

#[test]
fn json_round_trips() {
    let report = sample();
    let text = render_json(&report);
    assert!(text.ends_with("}\n"));
    let back: Report = serde_json::from_str(&text).unwrap();
    assert_eq!(back, report);
}

#[test]
fn json_is_byte_identical_across_runs_and_input_orders() {
    let report = sample();
    let first = render_json(&report);
    assert_eq!(first, render_json(&report));
    assert_eq!(first, render_json(&scrambled(&report)));
}

#[test]
fn normalize_sorts_every_array_by_its_documented_key() {
    let mut report = scrambled(&sample());
    report.normalize();
    assert!(report.permissions.is_sorted_by_key(|p| p.name.clone()));
    assert!(report.categories.is_sorted_by_key(|c| c.id.clone()));
    assert!(report.endpoints.is_sorted_by_key(|e| e.url.clone()));
    assert!(report.anomalies.is_sorted());
    for category in &report.categories {
        // Strongest evidence first, no duplicates left.
        assert!(
            category
                .evidence
                .windows(2)
                .all(|w| w[0].strength >= w[1].strength && w[0] != w[1])
        );
    }
    assert_eq!(
        report.anomalies.len(),
        3,
        "the duplicate anomaly is dropped"
    );
    assert_eq!(report, sample());
}

#[test]
fn normalize_orders_same_key_elements_by_content() {
    let mut a = sample();
    let mut twin = a.categories[0].clone();
    twin.title = "Another title".to_owned();
    a.categories.push(twin);
    let mut b = a.clone();
    b.categories.reverse();
    a.normalize();
    b.normalize();
    assert_eq!(a, b);
}

// --- text ---------------------------------------------------------------------------------------

#[test]
fn text_without_colour_has_no_escape_codes() {
    for verbose in [false, true] {
        let out = render_text(
            &sample(),
            &TextOptions {
                color: false,
                verbose,
                width: None,
            },
        );
        assert!(!out.contains('\u{1b}'), "{out}");
    }
}

#[test]
fn text_never_passes_app_control_characters_through() {
    for options in all_text_options() {
        let out = render_text(&sample(), &options);
        for (i, ch) in out.char_indices() {
            if ch == '\u{1b}' {
                // Only our own SGR sequences: ESC [ digits m.
                let rest = &out[i + 1..];
                let end = rest.find('m').expect("SGR ends with m");
                let params = &rest[..end];
                assert!(
                    params.starts_with('[') && params[1..].chars().all(|c| c.is_ascii_digit()),
                    "foreign escape sequence {params:?} with {options:?}"
                );
            } else {
                assert!(
                    ch == '\n' || !(ch.is_control() || ('\u{202a}'..='\u{202e}').contains(&ch)),
                    "control character {ch:?} with {options:?}"
                );
            }
        }
        // The summary cuts the title line (the label is long) before the version that holds the
        // escape; the listing shows it.
        if options.verbose {
            assert!(
                out.contains("\\u{1b}[2J"),
                "the hostile escape is shown, inert"
            );
        }
        assert!(out.contains("\\u{202e}moc.live"), "{out}");
    }
}

#[test]
fn text_summary_fits_one_screen_and_names_the_essentials() {
    let out = render_text(
        &sample(),
        &TextOptions {
            width: Some(200),
            ..PLAIN
        },
    );
    let lines = out.lines().count();
    assert!(
        lines <= dossier::report::SUMMARY_MAX_LINES,
        "{lines} lines:\n{out}"
    );
    for needle in [
        "com.example.vidshare",
        "min sdk 21",
        "target sdk 34",
        "split_set",
        "sha256 2c26b46b68ff",
        "Collected (",
        "location_precise",
        "Possible (",
        "contacts (declared, referenced)",
        "Play labels   Precise location",
        "Apple labels",
        "AppsFlyer Ltd. (IL)",
        "412 classes",
        "Google LLC (US)",
        "unknown owner",
        "zip.crc_mismatch ×2",
        "axml.unknown_chunk",
        "libvid.so",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    // Call sites only in verbose mode.
    assert!(!out.contains("Geo;->where()V"));
    let verbose = render_text(
        &sample(),
        &TextOptions {
            color: false,
            verbose: true,
            width: None,
        },
    );
    assert!(verbose.contains("classes2.dex Lcom/example/vidshare/Geo;->where()V  [App code]"));
    // Verbose shows every category's verdict, its reason and each item's standing.
    assert!(verbose.contains("collected called"));
    assert!(verbose.contains("collected: by app: Api.get") || verbose.contains("collects"));
    assert!(verbose.contains("possible: the API is only referenced"));
    assert!(verbose.contains("base.apk!resources.arsc"));
}

#[test]
fn text_cuts_huge_app_strings() {
    let mut report = sample();
    report.app.label = Some("A".repeat(1_000_000));
    let out = render_text(&report, &PLAIN);
    assert!(out.len() < 10_000, "{} bytes", out.len());
}

#[test]
fn text_colour_marks_strengths() {
    let out = render_text(
        &sample(),
        &TextOptions {
            color: true,
            verbose: false,
            width: None,
        },
    );
    // The summary marks collected categories; verbose marks each strength.
    assert!(out.contains("\u{1b}[31mlocation_precise\u{1b}[0m"));
    let verbose = render_text(
        &sample(),
        &TextOptions {
            color: true,
            verbose: true,
            width: None,
        },
    );
    assert!(verbose.contains("\u{1b}[31mcalled\u{1b}[0m"));
}

// --- SARIF --------------------------------------------------------------------------------------

fn sarif_value() -> Value {
    serde_json::from_str(&render_sarif(&sample(), &rule_docs())).unwrap()
}

#[test]
fn sarif_is_deterministic_and_order_independent() {
    let docs = rule_docs();
    let first = render_sarif(&sample(), &docs);
    assert_eq!(first, render_sarif(&sample(), &docs));
    assert_eq!(first, render_sarif(&scrambled(&sample()), &docs));
}

#[test]
fn sarif_results_point_at_rules_and_have_unique_fingerprints() {
    let log = sarif_value();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.is_sorted());
    let results = run["results"].as_array().unwrap();
    let mut fingerprints = Vec::new();
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[index], id);
        fingerprints.push(result["partialFingerprints"]["dossierFinding/v1"].clone());
    }
    let count = fingerprints.len();
    fingerprints.sort_by_key(|f| f.to_string());
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), count, "fingerprints collide");
    // 2 call sites + 1 referenced api, 6 other evidence (an override among them, whose API the
    // sample lists in no api call), 2 trackers, 5 endpoints and 1 link, 3 anomalies.
    assert_eq!(count, 3 + 6 + 2 + 6 + 3, "{results:#?}");
    let messages: Vec<&str> = results
        .iter()
        .filter(|r| r["ruleId"] == "endpoint")
        .map(|r| r["message"]["text"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Link https://play.google.com/store/"))
    );
    assert!(messages.iter().any(|m| m.contains("written in base64")));
}

#[test]
fn sarif_uses_rule_docs_and_falls_back_for_unknown_rules() {
    let log = sarif_value();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let find = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap().clone();
    let documented = find("location.last_known");
    assert_eq!(
        documented["shortDescription"]["text"],
        "Reads the last known location from LocationManager."
    );
    assert!(
        documented["help"]["text"]
            .as_str()
            .unwrap()
            .contains("reveals home")
    );
    assert!(
        documented["helpUri"]
            .as_str()
            .unwrap()
            .starts_with("https://developer.android.com/")
    );
    assert!(find("appsflyer").get("helpUri").is_none(), "not a URL");
    let unknown = find("zip.crc_mismatch");
    assert!(
        !unknown["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn sarif_nests_entries_and_names_methods() {
    let log = sarif_value();
    let run = &log["runs"][0];
    let artifacts = run["artifacts"].as_array().unwrap();
    assert_eq!(artifacts[0]["roles"][0], "analysisTarget");
    // `split_editor.apk!classes.dex` is classes.dex inside split_editor.apk inside the input.
    let split = artifacts
        .iter()
        .position(|a| a["location"]["uri"] == "split_editor.apk")
        .unwrap();
    assert_eq!(artifacts[split]["parentIndex"], 0);
    assert!(
        artifacts
            .iter()
            .any(|a| a["location"]["uri"] == "classes.dex" && a["parentIndex"] == split)
    );
    let site = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["locations"][0]["logicalLocations"][0]["decoratedName"]
                == "Lcom/example/vidshare/Geo;->where()V"
        })
        .expect("call site result");
    assert_eq!(
        site["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "com.example.vidshare.Geo.where"
    );
    assert_eq!(site["level"], "warning");
    // The input path is percent-encoded into a valid URI reference.
    assert_eq!(
        artifacts[0]["location"]["uri"],
        "samples/vid%20share%7C%22evil%22.apks"
    );
}

// --- HTML ---------------------------------------------------------------------------------------

/// Every tag of the page: escaped app text holds no `<`, so what is found here is ours.
fn tags(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        found.push(&rest[start..end]);
        rest = &rest[end..];
    }
    found
}

#[test]
fn html_escapes_every_app_string() {
    let out = render_html(&sample());
    for tag in tags(&out) {
        let lower = tag.to_ascii_lowercase();
        assert!(
            !lower.starts_with("<script") && !lower.starts_with("<img"),
            "app markup became a tag: {tag}"
        );
        assert!(!lower.contains(" on"), "event handler attribute in {tag}");
    }
    assert!(out.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(!out.contains(BIDI) && !out.contains('\u{1b}'));
    assert!(out.contains("\\u{202e}moc.live"));
}

#[test]
fn html_is_self_contained() {
    let out = render_html(&sample());
    for tag in tags(&out) {
        let lower = tag.to_ascii_lowercase();
        for forbidden in ["src=", "href=", "<link", "<script", "<iframe", "<object"] {
            assert!(!lower.contains(forbidden), "found {forbidden} in {tag}");
        }
    }
    let style = &out[out.find("<style>").unwrap()..out.find("</style>").unwrap()];
    assert!(!style.contains("@import") && !style.contains("url("));
    assert!(out.starts_with("<!DOCTYPE html>"));
    assert!(out.contains("default-src 'none'"));
    // The hostile javascript: website is shown as text, not linked.
    assert!(out.contains("javascript:alert(document.cookie)"));
}

#[test]
fn html_shows_the_grid_labels_and_details() {
    let out = render_html(&sample());
    // Collectors as chips, the app before the others at the same strength, named.
    let app = out
        .find("<li class=\"chip\" title=\"app\">App code</li>")
        .unwrap();
    let sdk = out
        .find("<li class=\"chip\" title=\"appsflyer\">AppsFlyer</li>")
        .unwrap();
    assert!(app < sdk);
    assert!(out.contains("<li class=\"chip\" title=\"unlisted_sdk\">unlisted_sdk</li>"));
    assert!(out.contains("<span class=\"s s-called\">called</span>"));
    assert!(out.contains("Location › Precise location"));
    assert!(out.contains("Identifiers › Device ID"));
    assert!(out.contains("<details>"));
    assert!(out.contains("AppsFlyer Ltd.") && out.contains(">IL<"));
    assert!(out.contains("split_editor.apk!classes.dex"));
    // Balanced elements that matter for layout.
    for tag in ["details", "table", "section", "tr"] {
        let open =
            out.matches(&format!("<{tag}>")).count() + out.matches(&format!("<{tag} ")).count();
        let close = out.matches(&format!("</{tag}>")).count();
        assert_eq!(open, close, "<{tag}>");
    }
}

#[test]
fn html_is_deterministic() {
    assert_eq!(render_html(&sample()), render_html(&scrambled(&sample())));
}

// --- Markdown -----------------------------------------------------------------------------------

/// Cell separators of a GitHub table row: `|` not preceded by a backslash.
fn unescaped_pipes(line: &str) -> usize {
    let bytes = line.as_bytes();
    (0..bytes.len())
        .filter(|&i| bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\'))
        .count()
}

#[test]
fn markdown_tables_keep_their_shape() {
    let out = render_markdown(&sample());
    let mut expected = None;
    let mut tables = 0;
    for line in out.lines() {
        if line.starts_with('|') {
            let pipes = unescaped_pipes(line);
            match expected {
                None => {
                    expected = Some(pipes);
                    tables += 1;
                }
                Some(n) => assert_eq!(pipes, n, "row breaks its table: {line}"),
            }
        } else {
            expected = None;
        }
    }
    assert!(tables >= 6, "{tables} tables");
}

/// The Markdown text with code spans and backslash-escaped characters removed.
fn markdown_outside_code(md: &str) -> String {
    let chars: Vec<char> = md.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '`' => {
                let run = chars[i..].iter().take_while(|&&c| c == '`').count();
                let fence: String = "`".repeat(run);
                let body: String = chars[i + run..].iter().collect();
                match body.find(&fence) {
                    Some(end) => i += run + body[..end].chars().count() + run,
                    None => i += run,
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[test]
fn markdown_neutralises_markup() {
    let out = render_markdown(&sample());
    // Outside code spans (where CommonMark shows everything literally) and once backslash
    // escapes are taken out, no `<` can open HTML and no `](` can make a link.
    let outside = markdown_outside_code(&out);
    assert!(!outside.contains('<'), "{outside}");
    assert!(!outside.contains("]("), "{outside}");
    assert!(!out.contains('\u{1b}') && !out.contains(BIDI));
    assert!(out.contains("\\<script\\>"));
    assert!(out.contains("| Precise location (`location_precise`) | App code |"));
    assert!(out.contains("| `location_precise` | collected |"));
    assert_eq!(out, render_markdown(&scrambled(&sample())));
}

/// `DOSSIER_PRINT_SAMPLE=1 cargo test --test report_render print_sample -- --nocapture` shows
/// what the renderers make of the sample, for a person to read.
#[test]
fn print_sample() {
    if std::env::var_os("DOSSIER_PRINT_SAMPLE").is_none() {
        return;
    }
    let report = sample();
    println!("{}", render_text(&report, &PLAIN));
    println!(
        "{}",
        render_text(
            &report,
            &TextOptions {
                color: false,
                verbose: true,
                width: None,
            }
        )
    );
    println!("{}", render_markdown(&report));
    println!("{}", render_sarif(&report, &rule_docs()));
}

// --- hostile sizes and shapes -------------------------------------------------------------------

/// A zip entry name is attacker-chosen: one made of 100,000 `!`s, or a megabyte long, must not
/// nest SARIF artifacts without bound (stack overflow) nor blow up any renderer.
#[test]
fn hostile_locations_do_not_break_renderers() {
    let mut report = sample();
    let bangs = "!".repeat(100_000);
    let long = "x".repeat(1 << 20);
    report.categories[0].evidence[0].location = Some(Location::code(
        Some("a.apk"),
        bangs.clone(),
        "Lx;",
        "m",
        "()V",
        Some(3),
    ));
    report.categories[0].evidence[1].location = Some(Location::entry(None, bangs.clone()));
    report.anomalies[0].location = format!("{long}@0x10");
    report.endpoints[0].sources[0].location = Location::entry(None, "");
    let sarif: serde_json::Value =
        serde_json::from_str(&render_sarif(&report, &rule_docs())).unwrap();
    let artifacts = sarif["runs"][0]["artifacts"].as_array().unwrap();
    assert!(artifacts.len() < 20, "{} artifacts", artifacts.len());
    let text = render_text(&report, &PLAIN);
    assert!(text.len() < 20_000);
    let _ = render_html(&report);
    let _ = render_markdown(&report);
    let _ = render_json(&report);
}

/// Figures for the report: render times of a large report (2,000 APIs × 20 call sites, 5,000
/// endpoints, 100 collectors). Printed with `--nocapture`; the bounds only catch a blow-up.
#[test]
fn large_report_renders_in_bounded_time() {
    let mut report = sample();
    let site = report.api_calls[0].sites[0].clone();
    let call = report.api_calls[0].clone();
    report.api_calls = (0..2_000)
        .map(|i| ApiCall {
            api: format!("Landroid/x/Api{i};->m()V"),
            sites: (0..20)
                .map(|j| CallSite {
                    location: Location {
                        class: Some(format!("Lcom/a/C{j};")),
                        method: Some(format!("m{i}")),
                        ..site.location.clone()
                    },
                    collector: format!("sdk{}", j % 100),
                    unreachable: false,
                })
                .collect(),
            ..call.clone()
        })
        .collect();
    let endpoint = report.endpoints[0].clone();
    report.endpoints = (0..5_000)
        .map(|i| Endpoint {
            url: format!("https://h{i}.example/p"),
            owner: Some(format!("owner{}", i % 300)),
            ..endpoint.clone()
        })
        .collect();
    report.collectors = (0..100)
        .map(|i| Collector {
            id: format!("sdk{i}"),
            name: format!("SDK {i}"),
            kind: CollectorKind::Tracker,
        })
        .collect();
    let verbose = TextOptions {
        color: false,
        verbose: true,
        width: None,
    };
    let docs = rule_docs();
    let timings: Vec<(&str, std::time::Duration, usize)> = vec![
        time("json", || render_json(&report)),
        time("text", || render_text(&report, &PLAIN)),
        time("text --verbose", || render_text(&report, &verbose)),
        time("sarif", || render_sarif(&report, &docs)),
        time("markdown", || render_markdown(&report)),
        time("html", || render_html(&report)),
    ];
    for (name, elapsed, bytes) in &timings {
        println!(
            "{name:16} {:>8.1} ms {:>10} bytes",
            elapsed.as_secs_f64() * 1e3,
            bytes
        );
        assert!(elapsed.as_secs() < 20, "{name} took {elapsed:?}");
    }
}

fn time(
    name: &'static str,
    render: impl Fn() -> String,
) -> (&'static str, std::time::Duration, usize) {
    let start = std::time::Instant::now();
    let out = render();
    (name, start.elapsed(), out.len())
}

/// An app that talks to many companies still gets a one-screen summary; verbose lists them all.
#[test]
fn text_summary_caps_owner_groups() {
    let mut report = sample();
    let endpoint = report.endpoints[0].clone();
    report.endpoints = (0..60)
        .map(|i| Endpoint {
            url: format!("https://h{i}.example"),
            owner: Some(format!("owner{i:02}")),
            owner_name: Some(format!("Owner {i:02}")),
            ..endpoint.clone()
        })
        .collect();
    let out = render_text(&report, &PLAIN);
    assert!(
        out.lines().count() <= dossier::report::SUMMARY_MAX_LINES,
        "{out}"
    );
    let cut = regex::Regex::new(r"… (\d+) more owners, (\d+) endpoints").unwrap();
    let counts = cut.captures(&out).expect("the cut is counted");
    let shown = out.lines().filter(|l| l.starts_with("  Owner ")).count();
    assert_eq!(counts[1].parse::<usize>().unwrap() + shown, 60, "{out}");
    let verbose = render_text(
        &report,
        &TextOptions {
            color: false,
            verbose: true,
            width: None,
        },
    );
    assert!(verbose.contains("Owner 59"));
}

#[test]
fn links_are_shown_apart_from_endpoints() {
    let report = sample();
    let text = render_text(&report, &PLAIN);
    let section = text.split("Endpoints (").nth(1).expect("endpoints section");
    assert!(section.starts_with("5)"), "{section}");
    assert!(
        section.contains("Links (1), pages shown to people: play.google.com"),
        "{section}"
    );
    let verbose = render_text(
        &report,
        &TextOptions {
            verbose: true,
            ..PLAIN
        },
    );
    assert!(verbose.contains("(in base64)"), "{verbose}");
    let markdown = render_markdown(&report);
    assert!(
        markdown.contains("**Links** (1, pages shown to people): `play.google.com` (1)"),
        "{markdown}"
    );
    let html = render_html(&report);
    assert!(html.contains("Links (1), pages shown to people"), "{html}");
}

/// The largest report a summary can meet: every category collected by many collectors with long
/// and wide (CJK) names, fifty trackers, a hundred owners, sixty libraries, a partial status with
/// many reasons. At every width the summary stays within its line budget and no line is wider
/// than the terminal; what it cuts is counted.
#[test]
fn text_summary_fits_any_width_for_the_largest_app() {
    use dossier::report::{MAX_WIDTH, MIN_WIDTH, SUMMARY_MAX_LINES};
    use unicode_width::UnicodeWidthStr;
    let report = largest_report();
    for width in [20, MIN_WIDTH, 60, 80, 100, 132, MAX_WIDTH, 400] {
        for color in [false, true] {
            let out = render_text(
                &report,
                &TextOptions {
                    color,
                    verbose: false,
                    width: Some(width),
                },
            );
            let plain = strip_sgr(&out);
            let lines: Vec<&str> = plain.lines().collect();
            assert!(
                lines.len() <= SUMMARY_MAX_LINES,
                "{} lines at {width} columns:\n{plain}",
                lines.len()
            );
            let columns = width.clamp(MIN_WIDTH, MAX_WIDTH);
            for line in &lines {
                assert!(
                    line.width() <= columns,
                    "{} columns > {columns}: {line:?}",
                    line.width()
                );
            }
            assert!(plain.contains("more"), "cuts are counted:\n{plain}");
            assert!(plain.contains("Collected (29)"), "{plain}");
            // A named tracker keeps its place ahead of libraries in a cut collector list.
            assert!(plain.contains("追踪器"), "{plain}");
        }
    }
}

fn strip_sgr(text: &str) -> String {
    regex::Regex::new("\u{1b}\\[[0-9]+m")
        .unwrap()
        .replace_all(text, "")
        .into_owned()
}

fn largest_report() -> Report {
    let mut report = sample();
    let template = report.categories[0].clone();
    let ids = [
        "location_precise",
        "location_approximate",
        "location_background",
        "contacts",
        "call_log",
        "sms",
        "calendar",
        "accounts",
        "phone_number",
        "device_ids",
        "advertising_id",
        "device_info",
        "battery_info",
        "storage_info",
        "network_info",
        "wifi_info",
        "bluetooth",
        "installed_apps",
        "app_usage",
        "clipboard",
        "keystrokes",
        "camera",
        "microphone",
        "media_files",
        "sensors",
        "health_fitness",
        "web_browsing",
        "app_interactions",
        "crash_diagnostics",
    ];
    report.collectors = (0..40)
        .map(|i| Collector {
            id: format!("sdk{i:02}"),
            name: if i == 39 {
                "某公司追踪器 SDK with a very long name indeed".to_owned()
            } else {
                format!("Library number {i:02} with a long descriptive name")
            },
            kind: if i == 39 {
                CollectorKind::Tracker
            } else {
                CollectorKind::Library
            },
        })
        .collect();
    let all: Vec<String> = report.collectors.iter().map(|c| c.id.clone()).collect();
    report.categories = ids
        .iter()
        .map(|id| CategoryFinding {
            id: (*id).to_owned(),
            verdict: Verdict::Collected,
            collectors: all.clone(),
            collected_by: all.clone(),
            ..template.clone()
        })
        .collect();
    let tracker = report.trackers[0].clone();
    report.trackers = (0..50)
        .map(|i| TrackerFinding {
            id: format!("tracker{i:02}"),
            name: format!("Tracker {i:02} Analytics and Advertising Platform"),
            confirmed: i % 5 != 0,
            ..tracker.clone()
        })
        .collect();
    let endpoint = report.endpoints[0].clone();
    report.endpoints = (0..400)
        .map(|i| Endpoint {
            url: format!("https://host{i}.例え.example/p"),
            host: format!("host{i}.例え.example"),
            owner: Some(format!("owner{}", i % 100)),
            owner_name: Some(format!("Owner {} Holdings International", i % 100)),
            ..endpoint.clone()
        })
        .collect();
    let lib = report.native_libs[0].clone();
    report.native_libs = (0..60)
        .map(|i| NativeLib {
            location: Location {
                entry: format!("lib/arm64-v8a/libnative{i}.so"),
                ..lib.location.clone()
            },
            ..lib.clone()
        })
        .collect();
    report.anomalies = (0..30)
        .map(|i| dossier::anomaly::Anomaly::new(&format!("zip.odd_thing_{i}"), "x", "y"))
        .collect();
    report.status.reasons = report.anomalies.clone();
    report.app.label = Some("微信".repeat(80));
    report
}
