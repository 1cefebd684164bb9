//! `dossier scan FILE`: the report, as a terminal summary, JSON, SARIF, Markdown or HTML.

use std::io::IsTerminal;

use anyhow::Result;

use dossier::analysis;
use dossier::report::{self, TextOptions};

use super::args::{ScanArgs, ScanFormat};
use super::output::emit;

pub fn run(args: &ScanArgs) -> Result<()> {
    let limits = super::limits_from(&args.limits);
    let rules = super::rules::load(&args.rules)?;
    let report = analysis::scan_path(&args.file, &limits, &rules)?;
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
        ScanFormat::Sarif => report::render_sarif(&report, &super::rules::Docs(&rules)),
        ScanFormat::Md => report::render_markdown(&report),
        ScanFormat::Html => report::render_html(&report),
    };
    emit(&text, args.output.path.as_deref())
}
