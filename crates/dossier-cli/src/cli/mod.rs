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

/// Exit codes: 0 fine, 1 a gate failed (`diff --fail-on`), 2 error, 3 a scan read only part of its
/// input (`scan --allow-partial` gives 0), 130 a batch interrupted.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Manifest(args) => manifest::run(args).map(|()| ExitCode::SUCCESS),
        Command::Dex(args) => dex::run(args).map(|()| ExitCode::SUCCESS),
        Command::Scan(args) => scan::run(args).map(|outcome| match outcome {
            scan::Outcome::Complete => ExitCode::SUCCESS,
            scan::Outcome::Partial => ExitCode::from(3),
        }),
        Command::Diff(args) => diff::run(args).map(|outcome| match outcome {
            diff::Outcome::Clean => ExitCode::SUCCESS,
            diff::Outcome::GateFailed => ExitCode::from(1),
        }),
        Command::Batch(args) => batch::run(args).map(|outcome| match outcome {
            batch::Outcome::Complete => ExitCode::SUCCESS,
            // The shell's convention for a command ended by Ctrl-C.
            batch::Outcome::Interrupted => ExitCode::from(130),
        }),
        Command::BatchWorker(args) => batch::run_worker(args).map(|()| ExitCode::SUCCESS),
        Command::Rules(command) => rules::run(command).map(|()| ExitCode::SUCCESS),
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("dossier: error: {}", describe(&err));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes on one line, each said once: a cause whose text the message already
/// carries ("cannot read x: No such file" over the io::Error "No such file") is not repeated.
fn describe(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if part.is_empty() || text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
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

/// What the report calls an input read from standard input.
const STDIN_NAME: &str = "<stdin>";

/// Opens the input a command names: a file, or with `-` standard input (a pipe from `curl`, an
/// object store or a tar stream), read under the same `max_input_size` cap.
fn open_input(scanner: &Scanner, path: &std::path::Path) -> anyhow::Result<dossier::OpenedInput> {
    if path != std::path::Path::new("-") {
        return Ok(scanner.open_path(path)?);
    }
    use std::io::Read;
    let limit = scanner.limits().max_input_size;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|err| anyhow::anyhow!("cannot read standard input: {err}"))?;
    if bytes.len() as u64 > limit {
        anyhow::bail!(
            "standard input: more than {limit} bytes, above the max_input_size limit (--max-input-size)"
        );
    }
    Ok(scanner.open_bytes(bytes, STDIN_NAME)?)
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
