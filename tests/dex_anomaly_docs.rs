//! Every anomaly code the DEX reader can record is documented in `docs/anomalies-dex.md`.

use std::path::Path;

#[test]
fn every_dex_anomaly_code_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("docs/anomalies-dex.md")).expect("docs");
    let mut codes = Vec::new();
    for entry in std::fs::read_dir(root.join("src/dex")).expect("src/dex") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for piece in text.split('"').skip(1).step_by(2) {
            let is_code = piece.starts_with("dex.")
                && piece.len() > 4
                && piece[4..]
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_');
            if is_code {
                codes.push(piece.to_owned());
            }
        }
    }
    codes.sort();
    codes.dedup();
    assert!(codes.len() >= 20, "found only {codes:?}");
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| !docs.contains(&format!("`{c}`")))
        .collect();
    assert!(missing.is_empty(), "undocumented: {missing:?}");
}
