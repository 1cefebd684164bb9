//! The `dossier` binary: parse arguments, run, map the outcome to an exit code. Nothing else
//! (but for the allocator's setting, which must come first: `malloc.rs`).

mod cli;
mod malloc;

fn main() -> std::process::ExitCode {
    malloc::one_arena();
    cli::run()
}
