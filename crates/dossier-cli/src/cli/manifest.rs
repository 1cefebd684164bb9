//! `dossier manifest FILE`: the decoded AndroidManifest.xml as XML, or the typed manifest as JSON.

use anyhow::Result;
use dossier::Anomaly;

use super::args::{ManifestArgs, ManifestFormat};
use super::output::emit;

pub fn run(args: &ManifestArgs) -> Result<()> {
    let scanner = super::scanner(&args.limits, None)?;
    let input = super::open_input(&scanner, &args.file)?;
    let decoded = scanner.manifest(&input)?;
    let anomalies = decoded.anomalies(&input);
    let text = match args.format {
        ManifestFormat::Xml => {
            let mut text = anomaly_comment(&anomalies);
            text.push_str(&decoded.to_xml());
            text
        }
        ManifestFormat::Json => {
            let mut text = serde_json::to_string_pretty(&decoded.into_view(&input))?;
            text.push('\n');
            text
        }
    };
    emit(&text, args.output.path.as_deref(), &[&args.file])
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
