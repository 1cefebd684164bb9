//! The command line: parse arguments into plain data (`args`), run the chosen command, and turn the
//! outcome into an exit code. Errors name the file and go to stderr; output goes where `-o` says.

mod args;
mod batch;
mod dex;
mod diff;
mod manifest;
mod output;
mod rules;
mod scan;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, LimitArgs, RulesArgs};
use dossier::report::ScanStatus;
use dossier::rules::RuleSet;
use dossier::{Limits, Scanner};

/// Exit codes: 0 fine, 1 a gate failed (`diff --fail-on`), 2 error.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Manifest(args) => manifest::run(args).map(|()| ExitCode::SUCCESS),
        Command::Dex(args) => dex::run(args).map(|()| ExitCode::SUCCESS),
        Command::Scan(args) => scan::run(args).map(|()| ExitCode::SUCCESS),
        Command::Diff(args) => diff::run(args).map(|outcome| match outcome {
            diff::Outcome::Clean => ExitCode::SUCCESS,
            diff::Outcome::GateFailed => ExitCode::from(1),
        }),
        Command::Rules(command) => rules::run(command).map(|()| ExitCode::SUCCESS),
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("dossier: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// The container's caps, with whatever the command line overrides.
fn limits_from(args: &LimitArgs) -> Limits {
    let mut limits = Limits::default();
    if let Some(size) = args.max_input_size {
        limits.max_input_size = size;
    }
    if let Some(size) = args.max_entry_size {
        limits.max_entry_size = size;
    }
    if let Some(size) = args.max_total_inflated {
        limits.max_total_inflated = size;
    }
    if let Some(ratio) = args.max_ratio {
        limits.max_ratio = ratio;
    }
    limits
}

/// The one pipeline every command reads its input through: the limits from the command line and
/// the rules (built-in plus `--rules DIR`) when the command judges findings, none otherwise.
fn scanner(limits: &LimitArgs, rules: Option<&RulesArgs>) -> anyhow::Result<Scanner> {
    let rules = match rules {
        Some(args) => rules::load(args)?,
        None => RuleSet::empty(),
    };
    Ok(Scanner::new(rules, limits_from(limits)))
}

/// The first lines of a text output whose input was not read whole.
fn write_partial(out: &mut impl std::io::Write, status: &ScanStatus) -> std::io::Result<()> {
    writeln!(
        out,
        "PARTIAL: {} part(s) of the input could not be read; findings may be missing:",
        status.reasons.len()
    )?;
    for reason in &status.reasons {
        writeln!(
            out,
            "  {} at {}: {}",
            reason.code,
            reason.location.escape_debug(),
            reason.detail.escape_debug()
        )?;
    }
    Ok(())
}
