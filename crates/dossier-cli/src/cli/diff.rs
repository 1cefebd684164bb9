//! `dossier diff OLD NEW [MORE...]`: what changed in what an app collects between versions. Each
//! input is an APK, a split set, or a report saved by `dossier scan --format json`; inputs are
//! scanned in parallel. Two inputs give a diff, three or more a timeline ordered by version code.
//! `--fail-on` conditions make the command exit 1, for CI.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use dossier::diff::{self, Gate, ReportDiff};
use dossier::{Report, Scanner};

use super::args::{ColorChoice, DiffArgs, DiffFormat};
use super::output::emit;

/// What the command decided: write the output, then exit 0, or 1 when a gate was met.
pub enum Outcome {
    Clean,
    GateFailed,
}

pub fn run(args: &DiffArgs, color: ColorChoice) -> Result<Outcome> {
    let gates = parse_gates(&args.fail_on)?;
    let scanner = super::scanner(&args.limits, Some(&args.rules))?;
    let reports = load_all(&scanner, &args.inputs)?;
    check_packages(&args.inputs, &reports, args.allow_different_package)?;
    let color = color.for_stdout(args.output.path.is_some());
    let (text, steps) = if reports.len() == 2 {
        let diff = diff::diff_reports(&reports[0], &reports[1]);
        let text = match args.format {
            DiffFormat::Text => diff::render_diff_text(&diff, color),
            DiffFormat::Json => diff::render_diff_json(&diff),
            DiffFormat::Md => diff::render_diff_markdown(&diff),
            DiffFormat::Html => diff::render_diff_html(&diff),
            DiffFormat::Sarif => diff::render_diff_sarif(&diff),
        };
        (text, vec![diff])
    } else {
        let timeline = diff::timeline(&reports);
        let text = match args.format {
            DiffFormat::Text => diff::render_timeline_text(&timeline, color),
            DiffFormat::Json => diff::render_timeline_json(&timeline),
            DiffFormat::Md => diff::render_timeline_markdown(&timeline),
            DiffFormat::Html => diff::render_timeline_html(&timeline),
            DiffFormat::Sarif => {
                bail!("SARIF compares two versions; give two inputs, or use text, json, md or html")
            }
        };
        (text, timeline.steps)
    };
    for warning in steps.iter().flat_map(|s| &s.warnings) {
        eprintln!("dossier: warning: {warning}");
    }
    let inputs: Vec<&std::path::Path> = args.inputs.iter().map(PathBuf::as_path).collect();
    emit(&text, args.output.path.as_deref(), &inputs)?;
    let met = gate_reasons(&gates, &steps);
    for reason in &met {
        eprintln!("dossier: gate failed: {reason}");
    }
    Ok(if met.is_empty() {
        Outcome::Clean
    } else {
        Outcome::GateFailed
    })
}

/// `new-tracker,new-permission` (comma-separated, repeatable) into gates, refusing unknown names.
fn parse_gates(names: &[String]) -> Result<Vec<Gate>> {
    let mut gates = Vec::new();
    for name in names.iter().flat_map(|n| n.split(',')).map(str::trim) {
        if name.is_empty() {
            continue;
        }
        match Gate::parse(name) {
            Some(gate) => gates.push(gate),
            None => {
                let known: Vec<&str> = Gate::ALL.iter().map(|(_, n)| *n).collect();
                bail!(
                    "unknown --fail-on condition '{name}' (known: {})",
                    known.join(", ")
                );
            }
        }
    }
    gates.sort();
    gates.dedup();
    Ok(gates)
}

/// `gate: reason` for every gate met by any step.
fn gate_reasons(gates: &[Gate], steps: &[ReportDiff]) -> Vec<String> {
    let mut out = Vec::new();
    for gate in gates {
        for step in steps {
            for reason in gate.reasons(step) {
                out.push(format!("{}: {reason}", gate.name()));
            }
        }
    }
    out
}

/// Loads every input, scanning at most as many at once as there are cores.
fn load_all(scanner: &Scanner, inputs: &[PathBuf]) -> Result<Vec<Report>> {
    let width = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .max(1);
    let mut reports = Vec::with_capacity(inputs.len());
    for chunk in inputs.chunks(width) {
        let loaded: Vec<Result<Report>> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|path| scope.spawn(move || load(scanner, path)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("a scan thread panicked")))
                })
                .collect()
        });
        for report in loaded {
            reports.push(report?);
        }
    }
    Ok(reports)
}

/// A saved JSON report (it starts with `{`), or an app to scan.
fn load(scanner: &Scanner, path: &Path) -> Result<Report> {
    let mut head = [0u8; 64];
    let read = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .with_context(|| format!("cannot read {}", path.display()))?;
    if !dossier::report::looks_like_json(&head[..read]) {
        return scanner
            .scan_path(path)
            .with_context(|| format!("cannot scan {}", path.display()));
    }
    let limit = scanner.limits().max_input_size;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit.saturating_add(1)).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > limit {
        bail!(
            "{}: the saved report is larger than --max-input-size ({limit} bytes)",
            path.display()
        );
    }
    dossier::report::read_json(&bytes).with_context(|| path.display().to_string())
}

/// Refuses to compare different apps unless asked.
fn check_packages(inputs: &[PathBuf], reports: &[Report], allow: bool) -> Result<()> {
    if allow {
        return Ok(());
    }
    let first = &reports[0].app.package;
    for (path, report) in inputs.iter().zip(reports).skip(1) {
        if &report.app.package != first {
            bail!(
                "{} is package {} but {} is {}: these are different apps (--allow-different-package compares them anyway)",
                path.display(),
                report.app.package.as_deref().unwrap_or("(none)"),
                inputs[0].display(),
                first.as_deref().unwrap_or("(none)")
            );
        }
    }
    Ok(())
}
