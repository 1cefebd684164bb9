//! The HTML page holds any number of collectors: the category table keeps the same columns
//! whatever their count, names every collector whole with its strength in each category, and,
//! rendered in headless Chromium at 1280 px (the sample and the corpus app with the most
//! collectors), nothing sticks out sideways nor is clipped.

mod common;
mod report_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dossier::report::*;
use report_support::evidence;

const STRENGTHS: [Strength; 5] = [
    Strength::Called,
    Strength::Native,
    Strength::Reflective,
    Strength::Referenced,
    Strength::Declared,
];

/// The realistic sample with `extra` more collectors with long names (spaced words, one unbroken
/// package name, markup), each reaching every third category at a strength that varies, and
/// every seventh one named by the first category without evidence of its own.
fn many_collectors(extra: usize) -> Report {
    let mut report = report_support::realistic();
    for i in 0..extra {
        let (id, name, kind) = match i % 3 {
            0 => (
                format!("attribution_kit_{i}"),
                format!("Extraordinarily Thorough Advertising Attribution And Analytics Kit {i}"),
                CollectorKind::Tracker,
            ),
            1 => {
                let package = format!("com.{}{i}", "verylongpackagesegment".repeat(4));
                (
                    format!("other:{package}"),
                    format!("{package} (unidentified SDK)"),
                    CollectorKind::Unidentified,
                )
            }
            _ => (
                format!("ads_{i}"),
                format!("Ads & <Partners> \"Pro\" {i}"),
                CollectorKind::Library,
            ),
        };
        for (c, category) in report.categories.iter_mut().enumerate() {
            if (c + i) % 3 == 0 {
                category.evidence.push(evidence(
                    EvidenceKind::ApiCall,
                    "sample.rule",
                    STRENGTHS[(c + i) % STRENGTHS.len()],
                    "Landroid/example/Api;->get()Ljava/lang/String;",
                    "classes.dex Lcom/x/Impl;->collect()V",
                    Some(&id),
                ));
            } else if c == 0 && i % 7 == 0 {
                category.collectors.push(id.clone());
            }
        }
        report.collectors.push(Collector { id, name, kind });
    }
    report.normalize();
    report
}

/// Every collector of the report's categories.
fn used_collectors(report: &Report) -> Vec<String> {
    dossier::report::view::category_collectors(report)
}

/// The page's category table, from its opening tag to the end of its head.
fn grid_head(html: &str) -> &str {
    let start = html.find("<table class=\"grid\">").expect("category table");
    let end = start + html[start..].find("</thead>").unwrap();
    &html[start..end]
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn grid_columns_do_not_grow_with_collectors() {
    let few = render_html(&report_support::realistic());
    let many_report = many_collectors(30);
    assert!(used_collectors(&many_report).len() >= 35);
    let many = render_html(&many_report);
    for html in [&few, &many] {
        let head = grid_head(html);
        assert_eq!(head.matches("<col ").count(), 5, "{head}");
        assert_eq!(head.matches("<th>").count(), 5, "{head}");
    }
    assert_eq!(grid_head(&few), grid_head(&many));
    // Nothing in the style cuts a name or turns it sideways, and the table's layout is fixed to
    // the page width.
    let style = &many[many.find("<style>").unwrap()..many.find("</style>").unwrap()];
    for cutting in ["text-overflow", "writing-mode", "max-height"] {
        assert!(!style.contains(cutting), "style has {cutting}");
    }
    assert!(style.contains(".grid { table-layout:fixed; }"));
    let chip = style.lines().find(|l| l.starts_with(".chip {")).unwrap();
    assert!(!chip.contains("nowrap") && !chip.contains("overflow:hidden"));
}

/// What the collectors cell of each category row says: collector id → the badge word it is
/// listed under.
fn cells(html: &str, report: &Report) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut rows = BTreeMap::new();
    for category in &report.categories {
        let anchor = format!("<span class=\"id\">{}</span>", escape(&category.id));
        let row = &html[html.find(&anchor).unwrap()..];
        let who = &row
            [row.find("<td class=\"who\">").unwrap()..row.find("<td class=\"label\">").unwrap()];
        let mut listed = BTreeMap::new();
        for tier in who.split("<div class=\"tier\">").skip(1) {
            let word_start = tier.find("\">").unwrap() + 2;
            let word = &tier[word_start..word_start + tier[word_start..].find('<').unwrap()];
            for chip in tier.split("<li class=\"chip\" title=\"").skip(1) {
                let (title, rest) = chip.split_once("\">").unwrap();
                let name = &rest[..rest.find("</li>").unwrap()];
                let id = report
                    .collectors
                    .iter()
                    .find(|c| escape(&c.id) == title)
                    .unwrap_or_else(|| panic!("chip for unknown collector {title}"));
                assert_eq!(name, escape(&id.name), "the chip shows the whole name");
                listed.insert(id.id.clone(), word.to_owned());
            }
        }
        rows.insert(category.id.clone(), listed);
    }
    rows
}

#[test]
fn every_collector_is_named_whole_with_its_strength() {
    let report = many_collectors(30);
    let html = render_html(&report);
    let shown = cells(&html, &report);
    for category in &report.categories {
        let mut expected = BTreeMap::new();
        for id in category.collectors.iter().chain(
            category
                .evidence
                .iter()
                .filter_map(|e| e.collector.as_ref()),
        ) {
            let strongest = category
                .evidence
                .iter()
                .filter(|e| e.collector.as_ref() == Some(id))
                .map(|e| e.strength)
                .max();
            let word = match strongest {
                Some(Strength::Called) => "called",
                Some(Strength::Native) => "native",
                Some(Strength::Reflective) => "reflective",
                Some(Strength::Referenced) => "referenced",
                Some(Strength::Declared) => "declared",
                Some(_) => unreachable!("a strength the test does not know"),
                None => "listed",
            };
            expected.insert(id.clone(), word.to_owned());
        }
        assert_eq!(shown[&category.id], expected, "{}", category.id);
    }
    // The turned-around view names every collector once.
    let by_collector = &html[html.find("<details class=\"by-collector\">").unwrap()..];
    let by_collector = &by_collector[..by_collector.find("</details>").unwrap()];
    for id in used_collectors(&report) {
        let row = format!("<tr><td class=\"who\" title=\"{}\">", escape(&id));
        assert_eq!(by_collector.matches(&row).count(), 1, "{id}");
    }
}

// --- Headless Chromium --------------------------------------------------------------------------

const WIDTH: u32 = 1280;

/// Measures the page after load, with its `<details>` closed and then all open, and writes what
/// it found in a `<pre>` that `--dump-dom` prints: the widest scroll width, every element whose
/// box passes the window's edges (outside folded details), and every element that clips or
/// scrolls its content, sideways (a cut name) or downwards (a cut vertical header).
const PROBE: &str = r#"<script>
(function () {
  var width = document.documentElement.clientWidth;
  // Inside a closed <details> (but not its summary) nothing is shown: Chromium still lays it out.
  function folded(el) {
    for (var up = el.parentElement; up; up = up.parentElement) {
      if (up.tagName === 'DETAILS' && !up.open) {
        var summary = el.closest('summary');
        if (!summary || summary.parentElement !== up) return true;
      }
    }
    return false;
  }
  var lines = ['viewport ' + width];
  function measure(state) {
    var doc = document.documentElement;
    lines.push(state + ' scroll_width ' + Math.max(doc.scrollWidth, document.body.scrollWidth));
    var found = 0;
    document.body.querySelectorAll('*').forEach(function (el) {
      var box = el.getBoundingClientRect();
      if ((box.width === 0 && box.height === 0) || found >= 40 || folded(el)) return;
      var name = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().replace(/\s+/g, '.') : '');
      if (box.right > width + 1 || box.left < -1) {
        lines.push(state + ' outside ' + name + ' ' + Math.round(box.left) + ' ' + Math.round(box.right));
        found++;
      }
      var style = getComputedStyle(el);
      if (style.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1) {
        lines.push(state + ' clipped ' + name + ' ' + el.scrollWidth + ' ' + el.clientWidth);
        found++;
      }
      if (style.overflowY !== 'visible' && el.scrollHeight > el.clientHeight + 1) {
        lines.push(state + ' clipped ' + name + ' height ' + el.scrollHeight + ' ' + el.clientHeight);
        found++;
      }
    });
  }
  measure('closed');
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  measure('open');
  var out = document.createElement('pre');
  out.id = 'layout-probe';
  out.textContent = lines.join('\n');
  document.body.appendChild(out);
})();
</script>"#;

/// Where the pages and screenshots go: `DOSSIER_SCREENSHOT_DIR` to keep them for a person to
/// look at, else cargo's scratch directory for tests.
fn screenshot_dir() -> PathBuf {
    let dir = std::env::var_os("DOSSIER_SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn screenshot_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/screenshot-html.sh")
}

/// Saves `html` as `NAME.html`, its screenshot `NAME.png` at 1280 px wide, and checks in
/// Chromium that the page needs no sideways scroll and clips nothing. False when Chromium is
/// not installed.
fn check_in_chromium(html: &str, name: &str, height: u32) -> bool {
    let dir = screenshot_dir();
    let page = dir.join(format!("{name}.html"));
    let png = dir.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&png);
    std::fs::write(&page, html).unwrap();
    let size = format!("{WIDTH},{height}");
    let status = std::process::Command::new("bash")
        .arg(screenshot_script())
        .args([&page, &png])
        .arg(&size)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    if status.code() == Some(2) {
        eprintln!("skipped: chromium not installed");
        return false;
    }
    assert!(status.success(), "screenshot script failed: {status}");
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(bytes.len() > 10_000, "suspiciously small screenshot");
    let png_width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    assert_eq!(png_width, WIDTH, "screenshot width");

    // The page forbids scripts; only this measuring copy lets its one inline script run.
    let policy = "style-src 'unsafe-inline'";
    assert!(html.contains(policy));
    let probed = html
        .replacen(
            policy,
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'",
            1,
        )
        .replacen("</body>", &format!("{PROBE}</body>"), 1);
    let probe_page = dir.join(format!("{name}-probe.html"));
    std::fs::write(&probe_page, probed).unwrap();
    let output = std::process::Command::new("bash")
        .arg(screenshot_script())
        .arg("--dump-dom")
        .arg(&probe_page)
        .arg(&size)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "dump-dom failed: {}",
        output.status
    );
    let dom = String::from_utf8_lossy(&output.stdout);
    let start = dom
        .find("<pre id=\"layout-probe\">")
        .unwrap_or_else(|| panic!("{name}: the measuring script did not run"));
    let text = &dom[start..];
    let findings: Vec<&str> = text[text.find('>').unwrap() + 1..text.find("</pre>").unwrap()]
        .lines()
        .collect();
    assert_eq!(findings[0], format!("viewport {WIDTH}"), "{findings:?}");
    for state in ["closed", "open"] {
        assert!(
            findings.contains(&format!("{state} scroll_width {WIDTH}").as_str()),
            "{name}: the page scrolls sideways with details {state}: {findings:#?}"
        );
    }
    let problems: Vec<&&str> = findings
        .iter()
        .filter(|l| l.contains(" outside ") || l.contains(" clipped "))
        .collect();
    assert!(problems.is_empty(), "{name}: {problems:#?}");
    true
}

/// The real app whose categories name the most collectors, among the corpus apps and the SDK
/// apps beside the repository; None when neither is there.
fn app_with_most_collectors() -> Option<(PathBuf, Report)> {
    let mut candidates: Vec<PathBuf> = common::corpus()
        .map(|dir| common::corpus_files(&dir, "apks"))
        .unwrap_or_default();
    candidates.extend(common::sdk_apps());
    let scanner = dossier::Scanner::new(
        dossier::RuleSet::builtin().unwrap(),
        dossier::Limits::default(),
    );
    let mut best: Option<(usize, PathBuf, Report)> = None;
    for path in candidates {
        let Ok(report) = scanner.scan_path(&path) else {
            continue;
        };
        let count = used_collectors(&report).len();
        if best.as_ref().is_none_or(|(most, _, _)| count > *most) {
            best = Some((count, path, report));
        }
    }
    best.map(|(count, path, report)| {
        eprintln!("{count} collectors: {}", file_name(&path));
        (path, report)
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// Renders the sample page, a page with 36 collectors, and the corpus app with the most
/// collectors (when the corpus is there) in headless Chromium at 1280 px; skips quietly without
/// Chromium. `DOSSIER_SCREENSHOT_DIR` keeps the pages and PNGs for a person to look at.
#[test]
fn html_renders_in_headless_chromium() {
    if !check_in_chromium(
        &render_html(&report_support::realistic()),
        "report-example",
        1600,
    ) {
        return;
    }
    check_in_chromium(
        &render_html(&many_collectors(30)),
        "report-many-collectors",
        2400,
    );
    if let Some((path, report)) = app_with_most_collectors() {
        let name = format!("report-{}", file_name(&path).trim_end_matches(".apk"));
        check_in_chromium(&render_html(&report), &name, 2400);
    }
}
