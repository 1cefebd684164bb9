//! The command line: parse arguments into plain data (`args`), run the chosen command, and turn the
//! outcome into an exit code. Errors name the file and go to stderr; output goes where `-o` says.

mod args;
mod batch;
mod callgraph;
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
    if std::env::var_os(batch::WORKER_ENV).is_some_and(|value| value == "1") {
        let worker = args::WorkerCli::parse();
        return match batch::run_worker(&worker.args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("dossier (batch worker): error: {}", describe(&err));
                ExitCode::from(2)
            }
        };
    }
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Manifest(args) => manifest::run(args).map(|()| ExitCode::SUCCESS),
        Command::Dex(args) => dex::run(args).map(|()| ExitCode::SUCCESS),
        Command::Callgraph(args) => callgraph::run(args).map(|()| ExitCode::SUCCESS),
        Command::Scan(args) => scan::run(args, cli.color).map(|outcome| match outcome {
            scan::Outcome::Complete => ExitCode::SUCCESS,
            scan::Outcome::Partial => ExitCode::from(3),
        }),
        Command::Diff(args) => diff::run(args, cli.color).map(|outcome| match outcome {
            diff::Outcome::Clean => ExitCode::SUCCESS,
            diff::Outcome::GateFailed => ExitCode::from(1),
        }),
        Command::Batch(args) => batch::run(args, cli.quiet).map(|outcome| match outcome {
            batch::Outcome::Complete => ExitCode::SUCCESS,
            // The shell's convention for a command ended by Ctrl-C.
            batch::Outcome::Interrupted => ExitCode::from(130),
        }),
        Command::Rules(command) => rules::run(command).map(|()| ExitCode::SUCCESS),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut command, "dossier", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Manpage { dir } => manpage(dir.as_deref()).map(|()| ExitCode::SUCCESS),
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("dossier: error: {}", describe(&err));
            ExitCode::from(2)
        }
    }
}

/// The manual pages, generated from the same definition as `--help`: `dossier(1)` on standard
/// output, or with a directory one page per command there (`dossier.1`, `dossier-scan.1`...), as
/// git and cargo ship theirs.
fn manpage(dir: Option<&std::path::Path>) -> anyhow::Result<()> {
    let command = <Cli as clap::CommandFactory>::command();
    let Some(dir) = dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(command).render(&mut page)?;
        return output::emit(&String::from_utf8_lossy(&page), None, &[]);
    };
    std::fs::create_dir_all(dir)?;
    clap_mangen::Man::new(command.clone()).generate_to(dir)?;
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let name = format!("dossier-{}", sub.get_name());
        clap_mangen::Man::new(sub.clone().name(name)).generate_to(dir)?;
    }
    Ok(())
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
    Limits {
        max_input_size: args.max_input_size,
        max_entry_size: args.max_entry_size,
        max_total_inflated: args.max_total_inflated,
        max_ratio: args.max_ratio,
        memory_budget: args.memory_budget,
        ..Limits::default()
    }
}

/// The one pipeline every command reads its input through: the limits from the command line and
/// the rules (built-in plus `--rules DIR`) when the command judges findings, none otherwise.
fn scanner(limits: &LimitArgs, rules: Option<&RulesArgs>) -> anyhow::Result<Scanner> {
    timed_scanner(limits, rules, None)
}

/// [`scanner`] with a time budget for each scan (`--timeout`).
fn timed_scanner(
    limits: &LimitArgs,
    rules: Option<&RulesArgs>,
    timeout_secs: Option<f64>,
) -> anyhow::Result<Scanner> {
    let rules = match rules {
        Some(args) => rules::load(args)?,
        None => RuleSet::empty(),
    };
    let mut limits = limits_from(limits);
    limits.time_budget = timeout_secs.map(std::time::Duration::from_secs_f64);
    Ok(Scanner::new(rules, limits))
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
