//! The text summary as a person sees it and the filters that narrow a report: the summary fits
//! the terminal width it is given (`COLUMNS`) within its line budget; `--category` and
//! `--collector` narrow text and JSON, say so, and refuse ids the report cannot hold.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::process::Output;

use serde_json::Value;
use unicode_width::UnicodeWidthStr;

fn dossier(args: &[&str], columns: Option<usize>) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dossier"));
    command.args(args).env("NO_COLOR", "1");
    match columns {
        Some(columns) => command.env("COLUMNS", columns.to_string()),
        None => command.env_remove("COLUMNS"),
    };
    command.output().expect("dossier runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn vidshare() -> String {
    common::root()
        .join("fixtures/built/vidshare.apk")
        .display()
        .to_string()
}

fn assert_fits(text: &str, columns: usize, what: &str) {
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.len() <= dossier::report::SUMMARY_MAX_LINES,
        "{what}: {} lines at {columns} columns:\n{text}",
        lines.len()
    );
    for line in lines {
        assert!(
            line.width() <= columns,
            "{what}: wider than {columns}: {line:?}"
        );
    }
}

#[test]
fn the_summary_follows_columns_and_stays_on_one_screen() {
    let app = vidshare();
    for columns in [60, 80, 100, 160] {
        let text = stdout(&dossier(&["scan", &app], Some(columns)));
        assert_fits(&text, columns, "vidshare");
    }
    // Without a terminal or COLUMNS the width is the library's default, the same every time.
    let default = stdout(&dossier(&["scan", &app], None));
    let explicit = stdout(&dossier(
        &["scan", &app],
        Some(dossier::report::DEFAULT_WIDTH),
    ));
    assert_eq!(default, explicit);
}

#[test]
fn category_filter_narrows_text_and_json_and_says_so() {
    let app = vidshare();
    let json: Value = serde_json::from_str(&stdout(&dossier(
        &[
            "scan",
            &app,
            "--format",
            "json",
            "--category",
            "contacts,sms",
        ],
        None,
    )))
    .unwrap();
    let ids: Vec<&str> = json["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["contacts", "sms"]);
    assert_eq!(
        json["filter"]["categories"],
        serde_json::json!(["contacts", "sms"])
    );
    assert_eq!(json["endpoints"], serde_json::json!([]));
    let errors = common::docs_schema_errors("report.schema.json", &json);
    assert!(errors.is_empty(), "{errors:#?}");
    for permission in json["permissions"].as_array().unwrap() {
        let cats = permission["categories"].as_array().unwrap();
        assert!(
            cats.iter().any(|c| c == "contacts" || c == "sms"),
            "{permission}"
        );
    }
    for call in json["api_calls"].as_array().unwrap() {
        let cats = call["categories"].as_array().unwrap();
        assert!(cats.iter().any(|c| c == "contacts" || c == "sms"), "{call}");
    }
    let whole: Value =
        serde_json::from_str(&stdout(&dossier(&["scan", &app, "--format", "json"], None))).unwrap();
    assert!(whole["filter"].is_null(), "a whole report says so");

    let text = stdout(&dossier(&["scan", &app, "--category", "contacts"], None));
    assert!(text.contains("only category contacts"), "{text}");
    assert!(text.contains("Collected (1)"), "{text}");
    let verbose = stdout(&dossier(
        &["scan", &app, "-v", "--category", "contacts"],
        None,
    ));
    assert!(verbose.contains("only category contacts"), "{verbose}");
    assert!(verbose.contains("Data categories (1)"), "{verbose}");
}

/// Narrowed to one SDK, what other code collects and this SDK only points at is `possible` for
/// it, and the evidence left is its own.
#[test]
fn collector_filter_shows_what_that_code_does() {
    let app = vidshare();
    let json: Value = serde_json::from_str(&stdout(&dossier(
        &["scan", &app, "--format", "json", "--collector", "pangle"],
        None,
    )))
    .unwrap();
    let mut collected = Vec::new();
    let mut possible = Vec::new();
    for category in json["categories"].as_array().unwrap() {
        assert_eq!(category["collectors"], serde_json::json!(["pangle"]));
        for evidence in category["evidence"].as_array().unwrap() {
            let collector = &evidence["collector"];
            assert!(collector.is_null() || collector == "pangle", "{evidence}");
        }
        let id = category["id"].as_str().unwrap();
        match category["verdict"].as_str().unwrap() {
            "collected" => collected.push(id),
            "possible" => {
                assert!(
                    category["verdict_reason"]
                        .as_str()
                        .unwrap()
                        .starts_with("collected by other code of the app"),
                    "{category}"
                );
                possible.push(id);
            }
            other => panic!("{id}: {other}"),
        }
    }
    assert!(collected.contains(&"battery_info"), "{collected:?}");
    assert!(possible.contains(&"device_ids"), "{possible:?}");
    assert!(!collected.contains(&"contacts") && !possible.contains(&"contacts"));
    for call in json["api_calls"].as_array().unwrap() {
        for site in call["sites"].as_array().unwrap() {
            assert_eq!(site["collector"], "pangle", "{call}");
        }
    }
    let ids: Vec<&str> = json["collectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["pangle"]);
    let errors = common::docs_schema_errors("report.schema.json", &json);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn filters_refuse_what_they_cannot_do() {
    let app = vidshare();
    let out = dossier(&["scan", &app, "--category", "contact"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no data category `contact`; the categories are:") && err.contains("contacts"),
        "{err}"
    );
    let out = dossier(&["scan", &app, "--collector", "nobody"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no collector `nobody` in this report; its collectors are: app, appsflyer"),
        "{err}"
    );
    for format in ["sarif", "md", "html"] {
        let out = dossier(
            &["scan", &app, "--format", format, "--category", "contacts"],
            None,
        );
        assert_eq!(out.status.code(), Some(2), "{format}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("narrow the text and JSON outputs"), "{err}");
    }
}
