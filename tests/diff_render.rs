//! The Markdown, HTML and SARIF renderers of a diff and of a timeline: a section only for what
//! changed, "No change." for an empty diff, SARIF baseline states, one timeline column per
//! version, determinism, and that no app string escapes its medium.

mod report_support;

use std::collections::BTreeSet;

use dossier::diff::*;
use dossier::report::{Report, Strength, Verdict};
use report_support::{ANSI, BIDI, SCRIPT, sample};
use serde_json::Value;

const LINK: &str = "[click](javascript:alert(1))";
const TICKS: &str = "a``b`|c";

fn side(code: u64, name: &str) -> DiffSide {
    DiffSide {
        package: Some(format!("com.example.{SCRIPT}")),
        version_code: Some(code),
        version_name: Some(format!("{name} {LINK}")),
        sha256: "ab".repeat(32),
        target_sdk: Some(30),
        rules_digest: "cd".repeat(32),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// A diff with nothing changed, between two hostile version names.
fn empty_diff() -> ReportDiff {
    ReportDiff {
        schema_version: DIFF_SCHEMA_VERSION.to_owned(),
        old: side(10, "1.0"),
        new: side(11, "1.1"),
        warnings: Vec::new(),
        target_sdk: None,
        permissions: Changes::default(),
        categories: CategoryChanges::default(),
        trackers: Changes::default(),
        endpoints: Changes::default(),
        api_calls: Changes::default(),
        native_libs: Changes::default(),
        components: Changes::default(),
        anomalies: Changes::default(),
    }
}

fn hostile(prefix: &str) -> String {
    format!("{prefix}{SCRIPT}{LINK}{ANSI}{BIDI}{TICKS}\n# heading")
}

fn category(id: &str, verdict: Verdict) -> CategoryItem {
    CategoryItem {
        id: id.to_owned(),
        verdict,
        strength: Strength::Called,
        collected_by: if verdict == Verdict::Collected {
            vec![hostile("collector")]
        } else {
            Vec::new()
        },
        collectors: vec![hostile("collector")],
    }
}

/// One section of a diff: its name, how to fill it in, the Markdown heading, the HTML section
/// id, and the SARIF rule id.
struct Section {
    fill: fn(&mut ReportDiff),
    markdown: &'static str,
    html: &'static str,
    rule: &'static str,
}

fn sections() -> Vec<Section> {
    vec![
        Section {
            fill: |d| {
                d.permissions.added = vec![
                    PermissionItem {
                        name: hostile("android.permission.A"),
                        protection: Some("normal".to_owned()),
                    },
                    PermissionItem {
                        name: "android.permission.READ_SMS".to_owned(),
                        protection: Some("dangerous".to_owned()),
                    },
                ];
                d.permissions.removed = vec![PermissionItem {
                    name: "android.permission.CAMERA".to_owned(),
                    protection: Some("dangerous".to_owned()),
                }];
            },
            markdown: "### Permissions",
            html: "<section id=\"permissions\">",
            rule: "permission",
        },
        Section {
            fill: |d| {
                d.categories.added = vec![category(&hostile("contacts"), Verdict::Collected)];
                d.categories.removed = vec![category("wifi_info", Verdict::Possible)];
                d.categories.changed = vec![CategoryChange {
                    id: "location_precise".to_owned(),
                    verdict: Some(Step {
                        old: Verdict::Possible,
                        new: Verdict::Collected,
                    }),
                    strength: None,
                    collected_by_added: strings(&["pangle"]),
                    collected_by_removed: Vec::new(),
                    collectors_added: Vec::new(),
                    collectors_removed: Vec::new(),
                }];
            },
            markdown: "### Data categories",
            html: "<section id=\"categories\">",
            rule: "category",
        },
        Section {
            fill: |d| {
                d.trackers.added = vec![TrackerItem {
                    id: "pangle".to_owned(),
                    name: hostile("Pangle"),
                    owner_name: Some(hostile("ByteDance")),
                    country: Some("CN".to_owned()),
                    confirmed: true,
                }];
                d.trackers.removed = vec![TrackerItem {
                    id: "flurry".to_owned(),
                    name: "Flurry".to_owned(),
                    owner_name: None,
                    country: None,
                    confirmed: false,
                }];
            },
            markdown: "### Trackers",
            html: "<section id=\"trackers\">",
            rule: "tracker",
        },
        Section {
            fill: |d| {
                d.endpoints.added = vec![EndpointItem {
                    host: hostile("ads.example"),
                    owner_name: Some(hostile("Owner")),
                    country: Some("CN".to_owned()),
                    new_country: true,
                    urls: (0..7).map(|i| format!("https://x/{i}{SCRIPT}")).collect(),
                }];
            },
            markdown: "### Endpoints",
            html: "<section id=\"endpoints\">",
            rule: "endpoint",
        },
        Section {
            fill: |d| {
                d.api_calls.removed = vec![ApiItem {
                    api: hostile("Landroid/net/wifi/WifiManager;->getScanResults"),
                    collector: Some(hostile("sdk")),
                    categories: strings(&["wifi_info"]),
                    strength: Strength::Called,
                }];
            },
            markdown: "### API calls",
            html: "<section id=\"apis\">",
            rule: "api_call",
        },
        Section {
            fill: |d| {
                d.native_libs.added = vec![NativeLibItem {
                    abi: hostile("arm64"),
                    name: hostile("libx.so"),
                }];
            },
            markdown: "### Native libraries",
            html: "<section id=\"native\">",
            rule: "native_lib",
        },
        Section {
            fill: |d| {
                d.components.added = vec![ComponentItem {
                    kind: hostile("service"),
                    name: hostile("com.x.Svc"),
                    permission: Some(hostile("perm")),
                }];
            },
            markdown: "### Exported components",
            html: "<section id=\"components\">",
            rule: "component",
        },
        Section {
            fill: |d| {
                d.anomalies.added = vec![AnomalyItem {
                    code: hostile("zip.crc"),
                    count: 2,
                }];
            },
            markdown: "### Anomalies",
            html: "<section id=\"anomalies\">",
            rule: "anomaly",
        },
        Section {
            fill: |d| {
                d.target_sdk = Some(TargetSdkChange {
                    old: Some(29),
                    new: Some(33),
                    notes: vec![hostile("note")],
                });
            },
            markdown: "### Target SDK",
            html: "<section id=\"target-sdk\">",
            rule: "target_sdk",
        },
    ]
}

/// Every section filled in, with a hostile warning.
fn full_diff() -> ReportDiff {
    let mut diff = empty_diff();
    for section in sections() {
        (section.fill)(&mut diff);
    }
    diff.warnings = vec![hostile("warning"), "second warning".to_owned()];
    diff
}

/// The Markdown with its code spans cut out (their content is shown verbatim, inert).
fn outside_code_spans(markdown: &str) -> String {
    let chars: Vec<char> = markdown.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && i + 1 < chars.len() {
            out.push(chars[i]);
            out.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|c| **c == '`').count();
        let mut j = i + run;
        let mut closed = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let other = chars[j..].iter().take_while(|c| **c == '`').count();
                if other == run {
                    closed = Some(j + other);
                    break;
                }
                j += other;
            } else {
                j += 1;
            }
        }
        let end = closed.unwrap_or_else(|| panic!("unclosed code span at {i} in:\n{markdown}"));
        out.push_str("CODE");
        i = end;
    }
    out
}

fn assert_markdown_inert(markdown: &str) {
    for bad in ['\u{1b}', '\u{202e}', '\u{7}'] {
        assert!(!markdown.contains(bad), "raw {bad:?} in:\n{markdown}");
    }
    let plain = outside_code_spans(markdown);
    let bytes = plain.as_bytes();
    for (at, _) in plain.match_indices("](") {
        assert!(at > 0 && bytes[at - 1] == b'\\', "a link at {at}:\n{plain}");
    }
    for (at, _) in plain.match_indices('<') {
        assert!(
            at > 0 && bytes[at - 1] == b'\\',
            "raw `<` at {at}:\n{plain}"
        );
    }
    for line in markdown.lines() {
        assert!(
            line.is_empty()
                || [
                    "#",
                    "> ",
                    ">",
                    "- ",
                    "  - ",
                    "| ",
                    "|---",
                    "No change.",
                    "Target SDK",
                    "Changed:"
                ]
                .iter()
                .any(|start| line.starts_with(start)),
            "a line that app text may have started: {line:?}"
        );
    }
}

fn assert_html_inert(html: &str) {
    for bad in ['\u{1b}', '\u{202e}', '\u{7}'] {
        assert!(!html.contains(bad), "raw {bad:?} in the page");
    }
    assert!(!html.to_lowercase().contains("<script"));
    assert!(!html.contains("href=") && !html.contains("src="));
    assert!(html.contains("&lt;script&gt;"));
}

fn sarif(diff: &ReportDiff) -> Value {
    serde_json::from_str(&render_diff_sarif(diff)).expect("SARIF is JSON")
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

// --- empty and section by section ---------------------------------------------------------------

#[test]
fn a_report_diffed_with_itself_renders_as_no_change() {
    let report = sample();
    let diff = diff_reports(&report, &report);
    assert!(diff.is_empty());
    let markdown = render_diff_markdown(&diff);
    assert!(markdown.contains("\nNo change.\n"), "{markdown}");
    assert!(!markdown.contains("###"));
    let html = render_diff_html(&diff);
    assert!(html.contains("No change."));
    assert!(!html.contains("<table"));
    let log = sarif(&diff);
    assert!(results(&log).is_empty());
    assert_eq!(log["version"], "2.1.0");
}

#[test]
fn each_section_appears_only_when_it_changed() {
    let all = sections();
    for (i, section) in all.iter().enumerate() {
        let mut diff = empty_diff();
        (section.fill)(&mut diff);
        let markdown = render_diff_markdown(&diff);
        let html = render_diff_html(&diff);
        let log = sarif(&diff);
        assert!(!markdown.contains("No change."), "{}", section.markdown);
        for (j, other) in all.iter().enumerate() {
            assert_eq!(
                markdown.contains(&format!("{}\n", other.markdown)),
                i == j,
                "{} in the diff of {}:\n{markdown}",
                other.markdown,
                section.markdown
            );
            assert_eq!(html.contains(other.html), i == j, "{}", other.html);
        }
        let rules: BTreeSet<&str> = results(&log)
            .iter()
            .map(|r| r["ruleId"].as_str().unwrap())
            .collect();
        assert_eq!(rules, BTreeSet::from([section.rule]));
        let declared: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(declared, vec![section.rule]);
    }
}

// --- Markdown -----------------------------------------------------------------------------------

#[test]
fn markdown_escapes_every_app_string() {
    let markdown = render_diff_markdown(&full_diff());
    assert_markdown_inert(&markdown);
    assert!(markdown.contains("> **Warning:** warning"));
    assert!(
        markdown.contains("\n>\n> **Warning:** second warning\n"),
        "{markdown}"
    );
}

#[test]
fn markdown_reads_as_a_changelog() {
    let markdown = render_diff_markdown(&full_diff());
    let header = markdown.lines().next().unwrap();
    assert!(header.starts_with("## `com.example.<script>"), "{header}");
    assert!(header.contains("(10) → 1.1"), "{header}");
    assert!(
        markdown.contains(
            "- changed `location_precise`: possible → collected; now also collected by `pangle`\n"
        ),
        "{markdown}"
    );
    // Dangerous permissions first among the added ones, then the removed ones.
    let sms = markdown
        .find("added `android.permission.READ_SMS` (dangerous)")
        .unwrap();
    let normal = markdown.find("added ```android.permission.A").unwrap();
    let camera = markdown
        .find("removed `android.permission.CAMERA`")
        .unwrap();
    assert!(sms < normal && normal < camera, "{markdown}");
    assert!(markdown.contains("— **new country: CN**"));
    assert!(
        markdown.contains("  - … 2 more\n"),
        "URLs per host are capped"
    );
    assert!(markdown.contains("- removed **Flurry** (`flurry`) (hint)"));
    assert!(markdown.contains("Target SDK 29 → 33."));
}

#[test]
fn markdown_names_both_packages_when_they_differ() {
    let mut diff = empty_diff();
    diff.new.package = Some("org.other".to_owned());
    let header = render_diff_markdown(&diff)
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert!(header.contains("→ `org.other` 1.1"), "{header}");
}

// --- HTML ---------------------------------------------------------------------------------------

#[test]
fn html_escapes_and_colours_by_change() {
    let html = render_diff_html(&full_diff());
    assert_html_inert(&html);
    assert!(html.contains("<tr class=\"added\"><td class=\"sign\">+</td>"));
    assert!(html.contains("<tr class=\"removed\"><td class=\"sign\">−</td>"));
    assert!(html.contains("<tr class=\"changed\"><td class=\"sign\">~</td>"));
    assert!(html.contains("<span class=\"flag alert\">new country</span>"));
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
}

// --- SARIF --------------------------------------------------------------------------------------

#[test]
fn sarif_has_one_result_per_change_with_its_baseline_state() {
    let diff = full_diff();
    let log = sarif(&diff);
    let results = results(&log);
    // 3 permissions, 3 categories, 2 trackers, 1 host, 1 API, 1 library, 1 component,
    // 1 anomaly, the target SDK.
    assert_eq!(results.len(), 14);
    let states: BTreeSet<&str> = results
        .iter()
        .map(|r| r["baselineState"].as_str().unwrap())
        .collect();
    assert_eq!(states, BTreeSet::from(["absent", "new", "updated"]));
    let find = |rule: &str, state: &str| -> Vec<&Value> {
        results
            .iter()
            .filter(|r| r["ruleId"] == rule && r["baselineState"] == state)
            .collect()
    };
    assert_eq!(find("tracker", "new")[0]["level"], "warning");
    assert_eq!(find("tracker", "absent")[0]["level"], "note");
    assert_eq!(find("category", "new")[0]["level"], "warning");
    assert_eq!(find("category", "absent")[0]["level"], "note");
    assert_eq!(find("category", "updated")[0]["level"], "warning");
    assert_eq!(find("permission", "new")[0]["level"], "note");
    assert_eq!(find("target_sdk", "updated").len(), 1);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let text = result["message"]["text"].as_str().unwrap();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{text}"
        );
    }
}

#[test]
fn sarif_fingerprints_follow_the_item_not_the_change() {
    let diff = full_diff();
    let mut reversed = empty_diff();
    reversed.trackers.added = diff.trackers.removed.clone();
    reversed.trackers.removed = diff.trackers.added.clone();
    let fingerprint = |log: &Value, state: &str| -> String {
        results(log)
            .iter()
            .find(|r| r["ruleId"] == "tracker" && r["baselineState"] == state)
            .map(|r| {
                r["partialFingerprints"]["dossierDiffItem/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .unwrap()
    };
    let (forward, backward) = (sarif(&diff), sarif(&reversed));
    assert_eq!(
        fingerprint(&forward, "new"),
        fingerprint(&backward, "absent")
    );
    assert_ne!(
        fingerprint(&forward, "new"),
        fingerprint(&forward, "absent")
    );
    let all: BTreeSet<&str> = results(&forward)
        .iter()
        .map(|r| {
            r["partialFingerprints"]["dossierDiffItem/v1"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        all.len(),
        results(&forward).len(),
        "fingerprints are distinct"
    );
}

// --- from real reports, and determinism -----------------------------------------------------------

/// The sample with a version bump, a dangerous permission added, a tracker dropped and a category
/// now collected by one more collector.
fn next_version(report: &Report, code: u64) -> Report {
    let mut next = report.clone();
    next.app.version_code = Some(code);
    next.app.version_name = Some(format!("v{code}"));
    next.permissions.push(dossier::report::PermissionEntry {
        name: "android.permission.READ_SMS".to_owned(),
        protection: Some("dangerous".to_owned()),
        max_sdk: None,
        sdk23: false,
        categories: strings(&["sms"]),
    });
    next.trackers.retain(|t| t.id != "evil_sdk");
    next.normalize();
    next
}

#[test]
fn renders_of_a_diff_of_two_reports_are_deterministic() {
    let old = sample();
    let new = next_version(&old, 4_200_002);
    let diff = diff_reports(&old, &new);
    assert!(!diff.is_empty());
    let again = diff_reports(&old.clone(), &new.clone());
    assert_eq!(render_diff_markdown(&diff), render_diff_markdown(&again));
    assert_eq!(render_diff_html(&diff), render_diff_html(&again));
    assert_eq!(render_diff_sarif(&diff), render_diff_sarif(&again));
    let markdown = render_diff_markdown(&diff);
    assert_markdown_inert(&markdown);
    assert!(markdown.contains("- added `android.permission.READ_SMS` (dangerous)"));
    assert!(
        markdown.contains("- removed **Evil \\<script\\>"),
        "{markdown}"
    );
    assert_html_inert(&render_diff_html(&diff));
}

// --- timeline -----------------------------------------------------------------------------------

fn three_versions() -> Vec<Report> {
    let first = sample();
    let second = next_version(&first, 4_200_002);
    let mut third = next_version(&second, 4_200_003);
    third.categories.retain(|c| c.id != "location_precise");
    // Given out of order: the timeline sorts them by version code.
    vec![third, first, second]
}

#[test]
fn html_timeline_has_one_column_per_version() {
    let timeline = timeline(&three_versions());
    assert!(timeline.reordered);
    let html = render_timeline_html(&timeline);
    assert_html_inert(&html);
    let grids: Vec<&str> = html.split("<table class=\"tl\">").skip(1).collect();
    assert!(!grids.is_empty());
    for grid in grids {
        let head = &grid[..grid.find("</thead>").unwrap()];
        assert_eq!(head.matches("<th class=\"ver\"").count(), 3, "{head}");
        let first_row = &grid[grid.find("<tbody>").unwrap()..];
        let first_row = &first_row[..first_row.find("</tr>").unwrap()];
        assert_eq!(first_row.matches("<td class=\"cell").count(), 3);
    }
    assert!(html.contains("another order"));
    // location_precise is dropped in the third version: its last cell is marked.
    let row = &html[html.find("<code>location_precise</code>").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("<td class=\"cell absent drop\">"), "{row}");
    assert_eq!(
        html.matches("<section class=\"step\">").count(),
        timeline.steps.len()
    );
}

#[test]
fn markdown_timeline_has_a_table_and_every_step() {
    let timeline = timeline(&three_versions());
    let markdown = render_timeline_markdown(&timeline);
    assert_markdown_inert(&markdown);
    assert!(markdown.contains("### Data categories\n\n| | "));
    let header = markdown.lines().find(|l| l.starts_with("| | ")).unwrap();
    assert_eq!(header.matches(" | ").count(), 3, "{header}");
    assert!(
        markdown.contains("| `location_precise` | collected | collected | — |"),
        "{markdown}"
    );
    assert_eq!(
        markdown.matches("\n### v").count() + markdown.matches("\n### 4.2").count(),
        2
    );
    assert!(markdown.contains("#### Permissions"));
    assert_eq!(render_timeline_markdown(&timeline), markdown);
    assert_eq!(
        render_timeline_html(&timeline),
        render_timeline_html(&timeline)
    );
}

// --- the fixture pair ---------------------------------------------------------------------------

/// The golden reports of the two built fixture versions (`fixtures/apps/diffapp-v*`).
fn fixture_pair() -> (Report, Report) {
    let read = |name: &str| -> Report {
        let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    (read("diffapp-v1.apk.json"), read("diffapp-v2.apk.json"))
}

#[test]
fn the_fixture_pair_renders_exactly_its_changes() {
    let (old, new) = fixture_pair();
    let diff = diff_reports(&old, &new);
    let markdown = render_diff_markdown(&diff);
    let headings: Vec<&str> = markdown.lines().filter(|l| l.starts_with("### ")).collect();
    assert_eq!(
        headings,
        [
            "### Permissions",
            "### Data categories",
            "### Trackers",
            "### Endpoints",
            "### API calls"
        ],
        "{markdown}"
    );
    assert!(markdown.contains("- added `android.permission.READ_SMS` (dangerous)\n"));
    assert!(markdown.contains("- added **AppsFlyer** (`appsflyer`)"));
    assert!(markdown.contains("- removed **Adjust** (`adjust`)"));
    let log = sarif(&diff);
    let states: Vec<(String, String)> = results(&log)
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                r["baselineState"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(states.contains(&("tracker".to_owned(), "new".to_owned())));
    assert!(states.contains(&("tracker".to_owned(), "absent".to_owned())));
    assert!(states.contains(&("category".to_owned(), "updated".to_owned())));
    assert!(states.contains(&("endpoint".to_owned(), "new".to_owned())));
    let html = render_diff_html(&diff);
    assert_eq!(html.matches("<tr class=\"added\">").count(), 5, "{html}");
    assert_eq!(html.matches("<tr class=\"removed\">").count(), 2);
    assert_eq!(html.matches("<tr class=\"changed\">").count(), 2);
}
