//! The `dossier` binary: parse arguments, run, map the outcome to an exit code. Nothing else.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
