//! `dossier manifest FILE`: the decoded AndroidManifest.xml as XML, or the typed manifest as JSON.

use anyhow::Result;
use serde::Serialize;

use dossier::{Anomaly, InputKind, Manifest, SplitInfo};

use super::args::{ManifestArgs, ManifestFormat};
use super::output::emit;

/// The JSON of `--format json`: the typed manifest with what the container noticed.
#[derive(Serialize)]
struct ManifestJson<'a> {
    #[serde(flatten)]
    manifest: Manifest,
    input_kind: InputKind,
    /// For split sets: each member and its `split` name (the base has none).
    splits: &'a [SplitInfo],
    /// APK files found inside the APK (listed, not analysed).
    nested_apks: &'a [String],
}

pub fn run(args: &ManifestArgs) -> Result<()> {
    let scanner = super::scanner(&args.limits, None)?;
    let input = scanner.open_path(&args.file)?;
    let decoded = scanner.manifest(&input)?;
    let anomalies = decoded.anomalies(&input);
    let text = match args.format {
        ManifestFormat::Xml => {
            let mut text = anomaly_comment(&anomalies);
            text.push_str(&decoded.to_xml());
            text
        }
        ManifestFormat::Json => {
            let mut manifest = decoded.manifest;
            manifest.anomalies = anomalies;
            let json = ManifestJson {
                manifest,
                input_kind: input.kind(),
                splits: input.splits(),
                nested_apks: input.nested_apks(),
            };
            let mut text = serde_json::to_string_pretty(&json)?;
            text.push('\n');
            text
        }
    };
    emit(&text, args.output.path.as_deref())
}

/// Anomalies as an XML comment before the document, so the XML view does not hide them.
fn anomaly_comment(anomalies: &[Anomaly]) -> String {
    if anomalies.is_empty() {
        return String::new();
    }
    let mut text = format!("<!-- dossier: {} anomalies\n", anomalies.len());
    for anomaly in anomalies {
        let line = format!(
            "  {} at {}: {}",
            anomaly.code, anomaly.location, anomaly.detail
        );
        // "--" may not appear inside an XML comment; app-controlled text may carry it.
        text.push_str(&line.replace("--", "- -"));
        text.push('\n');
    }
    text.push_str("-->\n");
    text
}
