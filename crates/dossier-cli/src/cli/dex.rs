//! `dossier dex FILE`: every DEX of the input, read through the scan pipeline, as a summary or as
//! JSON, with the same status as `dossier scan` gives for what could be read.

use anyhow::Result;
use serde::Serialize;

use dossier::callgraph::{CallGraph, Coverage, GraphFigures};
use dossier::dex_facts::{self, DexFacts};
use dossier::report::{ScanState, ScanStatus};

use super::args::{DexArgs, DexFormat};
use super::output::emit;

/// The JSON of `--format json`.
#[derive(Serialize)]
struct DexJson<'a> {
    status: &'a ScanStatus,
    /// The call graph over every DEX: its size and what the entry points reach.
    graph: &'a GraphFigures,
    dex: &'a [DexFacts],
}

pub fn run(args: &DexArgs) -> Result<()> {
    let scanner = super::scanner(&args.limits, None)?;
    let input = super::open_input(&scanner, &args.file)?;
    // The whole input is read, as `scan` reads it: the call graph's entry points are in the
    // manifest, resources and native libraries.
    let facts = scanner.facts(input);
    if facts.dex.is_empty() && !facts.anomalies.iter().any(|a| a.code == "dex.unreadable") {
        anyhow::bail!("{}: no classes*.dex in this input", args.file.display());
    }
    let figures = CallGraph::build(&facts).figures();
    let status = ScanStatus::from_anomalies(&facts.anomalies);
    let mut dex: Vec<DexFacts> = Vec::with_capacity(facts.dex.len());
    for scan in facts.dex {
        let mut one = scan.facts;
        if !args.sites {
            one.sites = None;
        }
        dex.push(one);
    }
    let text = match args.format {
        DexFormat::Json => {
            let mut text = serde_json::to_string_pretty(&DexJson {
                status: &status,
                graph: &figures,
                dex: &dex,
            })?;
            text.push('\n');
            text
        }
        DexFormat::Text => {
            let mut out = Vec::new();
            if status.state == ScanState::Partial {
                super::write_partial(&mut out, &status)?;
            }
            dex_facts::write_text(&dex, &mut out)?;
            write_graph(&mut out, &figures)?;
            String::from_utf8_lossy(&out).into_owned()
        }
    };
    emit(&text, args.output.path.as_deref(), &[&args.file])
}

fn write_graph(out: &mut Vec<u8>, figures: &GraphFigures) -> std::io::Result<()> {
    use std::io::Write;
    writeln!(out, "call graph")?;
    writeln!(
        out,
        "  {} classes, {} methods that use something, {} calls between them",
        figures.classes, figures.methods, figures.edges
    )?;
    match &figures.coverage {
        Coverage::Known => writeln!(
            out,
            "  {} entry points, {} classes instantiated; {} methods reachable ({:.1}%){}",
            figures.entry_points,
            figures.instantiated_classes,
            figures.reachable_methods,
            figures.reachable_share * 100.0,
            if figures.reflective_dispatch {
                "; reflection makes every method of an instantiated class reachable"
            } else {
                ""
            }
        ),
        Coverage::Everything(why) => writeln!(out, "  reachability not known: {why}"),
    }
}
