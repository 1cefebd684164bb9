//! `dossier scan FILE`: the report, as a terminal summary, JSON, SARIF, Markdown or HTML.

use anyhow::{Result, bail};

use dossier::report::{self, ScanState, TextOptions};

use super::args::{ColorChoice, ScanArgs, ScanFormat, summary_width};
use super::output::emit;

/// Whether the report covers the whole input.
pub enum Outcome {
    Complete,
    /// Parts of the input could not be read (the report's `status.reasons`): findings may be
    /// missing, so a script must not take the report for a clean bill.
    Partial,
}

pub fn run(args: &ScanArgs, color: ColorChoice) -> Result<Outcome> {
    let format_name = match args.format {
        ScanFormat::Json => "JSON",
        ScanFormat::Sarif => "SARIF",
        ScanFormat::Md => "Markdown",
        ScanFormat::Html => "HTML",
        ScanFormat::Text => "text",
    };
    if args.verbose && args.format != ScanFormat::Text {
        bail!(
            "--verbose changes the text summary only: the {format_name} output always holds every piece of evidence"
        );
    }
    let filter = report::ReportFilter::new(&args.categories, &args.collectors);
    if !filter.is_empty() && !matches!(args.format, ScanFormat::Text | ScanFormat::Json) {
        bail!(
            "--category and --collector narrow the text and JSON outputs; the {format_name} output is always the whole report"
        );
    }
    let scanner = super::timed_scanner(&args.limits, Some(&args.rules), args.timeout)?;
    let input = super::open_input(&scanner, &args.file)?;
    let facts = scanner.facts(input);
    let mut report = scanner.report(&facts);
    // This process ends when the report is written: the facts (every DEX's call-site tables,
    // hundreds of thousands of small allocations) would be freed one by one on the critical path
    // for nothing, a twentieth of a large scan's CPU. The operating system takes the pages back
    // at exit. Only here: the library frees them, as a batch or a binding needs the memory back.
    std::mem::forget(facts);
    if let Some(shown) = args.path_style.show(&args.file) {
        report.input.path = shown;
    }
    let rules = scanner.rules();
    let known: Vec<&str> = rules.categories().iter().map(|c| c.id.as_str()).collect();
    filter.check(&report, &known)?;
    filter.apply(&mut report);
    let text = match args.format {
        ScanFormat::Text => report::render_text(
            &report,
            &TextOptions {
                color: color.for_stdout(args.output.path.is_some()),
                verbose: args.verbose,
                width: summary_width(args.output.path.is_some()),
            },
        ),
        ScanFormat::Json => report::render_json(&report),
        ScanFormat::Sarif => report::render_sarif(&report, &super::rules::Docs(rules)),
        ScanFormat::Md => report::render_markdown(&report),
        ScanFormat::Html => report::render_html(&report),
    };
    emit(&text, args.output.path.as_deref(), &[&args.file])?;
    // Only the exit follows: handing the rule set's tens of thousands of small allocations back
    // one by one would cost a tenth of the CPU of scanning an empty APK, for nothing.
    std::mem::forget(scanner);
    let outcome = match report.status.state {
        ScanState::Partial if !args.allow_partial => Outcome::Partial,
        _ => Outcome::Complete,
    };
    // As the facts above: left to the exit rather than freed piece by piece.
    std::mem::forget((text, report));
    Ok(outcome)
}
