//! `dossier scan FILE`: the report, as a terminal summary, JSON, SARIF, Markdown or HTML.

use std::io::IsTerminal;

use anyhow::Result;

use dossier::report::{self, ScanState, TextOptions};

use super::args::{ScanArgs, ScanFormat};
use super::output::emit;

/// Whether the report covers the whole input.
pub enum Outcome {
    Complete,
    /// Parts of the input could not be read (the report's `status.reasons`): findings may be
    /// missing, so a script must not take the report for a clean bill.
    Partial,
}

pub fn run(args: &ScanArgs) -> Result<Outcome> {
    let scanner = super::scanner(&args.limits, Some(&args.rules))?;
    let input = super::open_input(&scanner, &args.file)?;
    let report = scanner.report(&scanner.facts(input));
    let rules = scanner.rules();
    let text = match args.format {
        ScanFormat::Text => {
            // Colour only for a person at a terminal, and never when NO_COLOR asks us not to.
            let color = args.output.path.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            report::render_text(
                &report,
                &TextOptions {
                    color,
                    verbose: args.verbose,
                },
            )
        }
        ScanFormat::Json => report::render_json(&report),
        ScanFormat::Sarif => report::render_sarif(&report, &super::rules::Docs(rules)),
        ScanFormat::Md => report::render_markdown(&report),
        ScanFormat::Html => report::render_html(&report),
    };
    emit(&text, args.output.path.as_deref(), &[&args.file])?;
    Ok(match report.status.state {
        ScanState::Partial if !args.allow_partial => Outcome::Partial,
        _ => Outcome::Complete,
    })
}
