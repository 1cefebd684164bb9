//! The JSON report against `docs/report.schema.json`, and the SARIF output against the official
//! SARIF 2.1.0 schema vendored in `tests/data/` (see `tests/data/README.md` for its source).

mod common;
mod report_support;

use dossier::report::*;
use serde_json::Value;

#[test]
fn json_report_validates_against_the_documented_schema() {
    let schema = common::load_json("docs/report.schema.json");
    let report: Value = serde_json::from_str(&render_json(&report_support::sample())).unwrap();
    let problems = common::schema_errors(&schema, &report);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn empty_report_validates_too() {
    let schema = common::load_json("docs/report.schema.json");
    let mut report = report_support::sample();
    report.app = AppInfo::default();
    report.permissions.clear();
    report.categories.clear();
    report.api_calls.clear();
    report.trackers.clear();
    report.endpoints.clear();
    report.native_libs.clear();
    report.collectors.clear();
    report.anomalies.clear();
    report.input.members.clear();
    report.input.kind = InputKind::Dex;
    let value: Value = serde_json::from_str(&render_json(&report)).unwrap();
    let problems = common::schema_errors(&schema, &value);
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Every object in the schema forbids unknown properties and requires all it lists, so a field
/// added to the model without documenting it (or documented but never written) fails here.
#[test]
fn schema_lists_exactly_the_fields_of_the_model() {
    fn check(node: &Value, path: &str) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    assert_eq!(
                        map.get("additionalProperties"),
                        Some(&Value::Bool(false)),
                        "{path} allows unknown properties"
                    );
                    let required: Vec<&str> = map["required"]
                        .as_array()
                        .unwrap_or_else(|| panic!("{path} has no required list"))
                        .iter()
                        .filter_map(Value::as_str)
                        .collect();
                    for name in props.keys() {
                        assert!(
                            required.contains(&name.as_str()),
                            "{path}.{name} not required"
                        );
                    }
                }
                for (key, child) in map {
                    check(child, &format!("{path}/{key}"));
                }
            }
            Value::Array(items) => items.iter().for_each(|i| check(i, path)),
            _ => {}
        }
    }
    let schema = common::load_json("docs/report.schema.json");
    check(&schema, "#");

    // And a field the schema does not know is rejected.
    let mut report: Value = serde_json::from_str(&render_json(&report_support::sample())).unwrap();
    report["categories"][0]["surprise"] = Value::Bool(true);
    assert!(!common::schema_errors(&schema, &report).is_empty());
}

#[test]
fn schema_version_matches_the_model() {
    let schema = common::load_json("docs/report.schema.json");
    let pattern = schema["properties"]["schema_version"]["pattern"]
        .as_str()
        .unwrap();
    let major = SCHEMA_VERSION.split('.').next().unwrap();
    assert!(
        pattern.starts_with(&format!("^{major}\\.")),
        "{pattern} vs {SCHEMA_VERSION}"
    );
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let schema = common::official_sarif_schema();
    let docs = report_support::rule_docs();
    let sarif: Value =
        serde_json::from_str(&render_sarif(&report_support::sample(), &docs)).unwrap();
    let problems = common::schema_errors(&schema, &sarif);
    assert!(problems.is_empty(), "{problems:#?}");

    // The validator does check formats: an unencoded space is not a URI reference.
    let mut broken = sarif.clone();
    broken["runs"][0]["artifacts"][0]["location"]["uri"] = Value::String("a b".to_owned());
    assert!(
        !common::schema_errors(&schema, &broken).is_empty(),
        "format checks are off"
    );

    // An empty report is a valid log too (no rules, no results).
    let mut empty = report_support::sample();
    empty.categories.clear();
    empty.api_calls.clear();
    empty.trackers.clear();
    empty.endpoints.clear();
    empty.anomalies.clear();
    let sarif: Value = serde_json::from_str(&render_sarif(&empty, &docs)).unwrap();
    let problems = common::schema_errors(&schema, &sarif);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_vendored_sarif_schema_is_the_2_1_0_release() {
    let schema = common::load_json("tests/data/sarif-schema-2.1.0.json");
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    assert_eq!(schema["properties"]["version"]["enum"][0], "2.1.0");
}
