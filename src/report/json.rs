//! The JSON renderer: the report as the documented contract (`docs/report-schema.md`), normalized
//! so that equal findings give equal bytes.

use super::model::Report;

/// Pretty-printed JSON with a trailing newline, every array in its documented order.
pub fn render_json(report: &Report) -> String {
    let mut normalized = report.clone();
    normalized.normalize();
    // The model holds only strings, numbers, booleans, options and vectors: serde_json has no
    // failing path for it. Should that ever change, an empty object is still valid JSON.
    let mut text = serde_json::to_string_pretty(&normalized).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// Why a saved report cannot be read back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SavedReportError {
    #[error("a JSON file, but not a report of `dossier scan --format json` (no schema_version)")]
    NotAReport,
    #[error(
        "report schema {0}; this dossier reads reports of schema {major}.x (rescan the app)",
        major = schema_major()
    )]
    OtherSchema(String),
    #[error(
        "a report of schema {version} that this dossier cannot read ({source}); rescan the app with this version"
    )]
    Unreadable {
        version: String,
        #[source]
        source: serde_json::Error,
    },
}

/// Whether bytes look like a saved JSON report rather than an app: the first thing that is not
/// white space is `{` (no APK, DEX or JAR starts so).
pub fn looks_like_json(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
}

/// A report saved by `dossier scan --format json`, read back; refused when its schema's major
/// version is not this one's (its fields may mean something else).
pub fn read_json(bytes: &[u8]) -> Result<Report, SavedReportError> {
    let version: Option<String> = serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| v.get("schema_version")?.as_str().map(str::to_owned));
    let Some(version) = version else {
        return Err(SavedReportError::NotAReport);
    };
    if version.split('.').next() != Some(schema_major()) {
        return Err(SavedReportError::OtherSchema(version));
    }
    serde_json::from_slice(bytes).map_err(|source| SavedReportError::Unreadable { version, source })
}

fn schema_major() -> &'static str {
    super::model::SCHEMA_VERSION
        .split('.')
        .next()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_reports_read_back_and_others_are_refused() {
        let scanner = crate::Scanner::with_builtin_rules().unwrap();
        let report = scanner
            .scan_path(std::path::Path::new("fixtures/built/beacon.apk"))
            .unwrap();
        let text = render_json(&report);
        assert!(looks_like_json(text.as_bytes()));
        assert!(!looks_like_json(b"PK\x03\x04"));
        assert_eq!(read_json(text.as_bytes()).unwrap(), report);
        assert!(matches!(
            read_json(b"{}"),
            Err(SavedReportError::NotAReport)
        ));
        assert!(matches!(
            read_json(br#"{"schema_version": "1.4"}"#),
            Err(SavedReportError::OtherSchema(v)) if v == "1.4"
        ));
        assert!(matches!(
            read_json(br#"{"schema_version": "2.1"}"#),
            Err(SavedReportError::Unreadable { .. })
        ));
    }
}
