//! The JSON report against `docs/report.schema.json`, and the SARIF output against the official
//! SARIF 2.1.0 schema vendored in `tests/data/` (see `tests/data/README.md` for its source).

mod report_support;

use std::path::PathBuf;

use dossier::report::*;
use serde_json::Value;

fn load_json(relative: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn errors(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn json_report_validates_against_the_documented_schema() {
    let schema = load_json("docs/report.schema.json");
    let report: Value = serde_json::from_str(&render_json(&report_support::sample())).unwrap();
    let problems = errors(&schema, &report);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn empty_report_validates_too() {
    let schema = load_json("docs/report.schema.json");
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
    report.input.kind = "dex".to_owned();
    let value: Value = serde_json::from_str(&render_json(&report)).unwrap();
    let problems = errors(&schema, &value);
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
    let schema = load_json("docs/report.schema.json");
    check(&schema, "#");

    // And a field the schema does not know is rejected.
    let mut report: Value = serde_json::from_str(&render_json(&report_support::sample())).unwrap();
    report["categories"][0]["surprise"] = Value::Bool(true);
    assert!(!errors(&schema, &report).is_empty());
}

#[test]
fn schema_version_matches_the_model() {
    let schema = load_json("docs/report.schema.json");
    let pattern = schema["properties"]["schema_version"]["pattern"]
        .as_str()
        .unwrap();
    let major = SCHEMA_VERSION.split('.').next().unwrap();
    assert!(
        pattern.starts_with(&format!("^{major}\\.")),
        "{pattern} vs {SCHEMA_VERSION}"
    );
}

/// The released SARIF 2.1.0 schema has a stray `]` in the pattern of `language` (in `run` and
/// in `toolComponent`), which the validator's check of the schema itself (format `regex`) rejects
/// before validating anything. The vendored file stays as released; the test mends those
/// patterns in memory to what they evidently mean (a two-letter language, optionally `-` and a
/// two-letter region). Our output never sets `language`, so the mend cannot make it pass where it
/// should fail.
fn official_sarif_schema() -> Value {
    const RELEASED: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    fn mend(node: &mut Value, count: &mut usize) {
        match node {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    if key == "pattern" && child == RELEASED {
                        *child = Value::String("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".to_owned());
                        *count += 1;
                    } else {
                        mend(child, count);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| mend(i, count)),
            _ => {}
        }
    }
    let mut schema = load_json("tests/data/sarif-schema-2.1.0.json");
    let mut count = 0;
    mend(&mut schema, &mut count);
    assert_eq!(count, 2, "the vendored schema changed");
    schema
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let schema = official_sarif_schema();
    let docs = report_support::rule_docs();
    let sarif: Value =
        serde_json::from_str(&render_sarif(&report_support::sample(), &docs)).unwrap();
    let problems = errors(&schema, &sarif);
    assert!(problems.is_empty(), "{problems:#?}");

    // The validator does check formats: an unencoded space is not a URI reference.
    let mut broken = sarif.clone();
    broken["runs"][0]["artifacts"][0]["location"]["uri"] = Value::String("a b".to_owned());
    assert!(
        !errors(&schema, &broken).is_empty(),
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
    let problems = errors(&schema, &sarif);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_vendored_sarif_schema_is_the_2_1_0_release() {
    let schema = load_json("tests/data/sarif-schema-2.1.0.json");
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    assert_eq!(schema["properties"]["version"]["enum"][0], "2.1.0");
}
