//! Every `zip.*` anomaly code used in `src/container/` has a row in
//! `docs/anomalies-container.md`, so no code reaches a report undocumented.

use std::path::Path;

fn codes_in(source: &str) -> Vec<String> {
    let mut codes = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find("\"zip.") {
        let after = &rest[start + 1..];
        let end = after.find('"').unwrap_or(after.len());
        let code = &after[..end];
        if code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.')
        {
            codes.push(code.to_owned());
        }
        rest = &after[end..];
    }
    codes
}

#[test]
fn every_container_anomaly_code_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("docs/anomalies-container.md")).unwrap();
    let mut seen = 0;
    for item in std::fs::read_dir(root.join("src/container")).unwrap() {
        let path = item.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        for code in codes_in(&source) {
            seen += 1;
            assert!(
                docs.contains(&format!("`{code}`")),
                "{code} (in {}) is not documented",
                path.display()
            );
        }
    }
    assert!(seen > 20, "found only {seen} codes");
}
