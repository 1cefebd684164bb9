//! `dossier dex FILE`: every DEX of the input, read through the scan pipeline, as a summary or as
//! JSON, with the same status as `dossier scan` gives for what could be read.

use anyhow::Result;
use serde::Serialize;

use dossier::dex_facts::{self, DexFacts};
use dossier::report::{ScanState, ScanStatus};

use super::args::{DexArgs, DexFormat};
use super::output::emit;

/// The JSON of `--format json`.
#[derive(Serialize)]
struct DexJson<'a> {
    status: &'a ScanStatus,
    dex: &'a [DexFacts],
}

pub fn run(args: &DexArgs) -> Result<()> {
    let scanner = super::scanner(&args.limits, None)?;
    let input = super::open_input(&scanner, &args.file)?;
    let mut anomalies = input.anomalies();
    let scans = scanner.dex(&input, &mut anomalies);
    if scans.is_empty() && !anomalies.iter().any(|a| a.code == "dex.unreadable") {
        anyhow::bail!("{}: no classes*.dex in this input", args.file.display());
    }
    let mut facts: Vec<DexFacts> = Vec::with_capacity(scans.len());
    for scan in scans {
        anomalies.extend(scan.facts.anomalies.iter().cloned());
        let mut one = scan.facts;
        if !args.sites {
            one.sites = None;
        }
        facts.push(one);
    }
    let status = ScanStatus::from_anomalies(&anomalies);
    let text = match args.format {
        DexFormat::Json => {
            let mut text = serde_json::to_string_pretty(&DexJson {
                status: &status,
                dex: &facts,
            })?;
            text.push('\n');
            text
        }
        DexFormat::Text => {
            let mut out = Vec::new();
            if status.state == ScanState::Partial {
                super::write_partial(&mut out, &status)?;
            }
            dex_facts::write_text(&facts, &mut out)?;
            String::from_utf8_lossy(&out).into_owned()
        }
    };
    emit(&text, args.output.path.as_deref(), &[&args.file])
}
