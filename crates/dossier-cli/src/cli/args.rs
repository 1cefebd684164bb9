//! The command line as plain data: clap parses into these types, and nothing here does any work.

use std::path::{Path, PathBuf};

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "dossier",
    version,
    about = "Reads an Android app without running it: what personal data its code can collect, who collects it, where it may go.",
    after_help = "Inputs are recognised by their bytes: an APK, a split set (.apks, .xapk, .apkm), a bare DEX, or a JAR/ZIP carrying classes*.dex.\nExit codes: 0 fine, 1 a gate failed (diff --fail-on), 2 error, 3 a scan read only part of its input (scan --allow-partial gives 0), 130 a batch interrupted."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Colour in text output: auto (only at a terminal, and never with NO_COLOR set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Nothing on stderr but errors (no progress or closing line of `batch`).
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour text written to standard output (never to a file).
    pub fn for_stdout(self, to_file: bool) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => !to_file,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                !to_file
                    && std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Columns the text summary fits in: `COLUMNS` when set (the shell convention), else the
/// terminal's width when standard output is one, else the library's default, so that output to a
/// file or a pipe does not depend on the window it was typed in.
pub fn summary_width(to_file: bool) -> Option<usize> {
    use std::io::IsTerminal;
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
    {
        return Some(columns);
    }
    if to_file || !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size_of(std::io::stdout()).map(|(width, _)| usize::from(width.0))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode AndroidManifest.xml: readable XML by default, or the typed manifest as JSON.
    Manifest(ManifestArgs),
    /// Parse every classes*.dex and list invoked methods, fields, strings and classes.
    Dex(DexArgs),
    /// Show one class's or method's neighbourhood in the call graph: what it calls, what calls
    /// it, and one path from an entry point of the app.
    Callgraph(CallgraphArgs),
    /// Report what personal data the app can collect, who collects it and where it may go.
    Scan(ScanArgs),
    /// Compare versions of an app: what collection, trackers, permissions and hosts came and went.
    Diff(DiffArgs),
    /// Scan many inputs (files and directory trees) on every core: one JSON Lines record per input.
    Batch(BatchArgs),
    /// List the rules, or check a directory of your own rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print a completion script for a shell (e.g. `dossier completions bash > /etc/bash_completion.d/dossier`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page in roff (`dossier manpage > dossier.1; man ./dossier.1`), or with
    /// --dir write one page per command there.
    Manpage {
        /// Write dossier.1, dossier-scan.1, ... into this directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Each input gets exactly one record, written whole as soon as it is done: status ok, error, skipped (not an Android input, or the same bytes as an input already recorded) or timeout. A crash, a hang or a runaway allocation in one input becomes that input's record and the batch goes on.\nRecords: docs/batch.md (JSON Lines and CSV).\nExit codes: 0 every input has a record, 2 the batch could not run, 130 interrupted (run again with --resume)."
)]
pub struct BatchArgs {
    /// Files and directories (searched recursively, symbolic links to directories not followed).
    #[arg(value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    /// Also read paths from this file, one per line (`-` reads standard input).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Write the records (JSON Lines) to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Continue an interrupted run: keep the records already in --output (a torn last line is
    /// repaired) and scan only the inputs they lack; an output not there yet is started.
    #[arg(long, requires = "output")]
    pub resume: bool,
    /// Small records: app, categories with verdicts and collectors, trackers, endpoint hosts,
    /// permissions, instead of the whole report.
    #[arg(long)]
    pub summary: bool,
    /// Also write one flat table (CSV, long format) to this file: a row per app, category x
    /// collector, tracker, endpoint host and permission.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Inputs scanned at once, each in its own worker process [default: the number of cores].
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// Memory the workers may use together; a scan alone past it is stopped and recorded as an
    /// error [default: half of the machine's memory, or of the cgroup limit].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
    /// Seconds one input may take before its worker is stopped and a timeout recorded.
    #[arg(long, value_name = "SECS", default_value_t = 60.0, value_parser = parse_seconds)]
    pub timeout: f64,
    /// Take only shard K of N (1 <= K <= N), a stable and disjoint share chosen by a hash of each
    /// path: the N tasks of a job array given the same inputs cover each input exactly once.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u32, u32)>,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// The command line of a batch worker process: the `dossier` executable started by `batch` with
/// `DOSSIER_BATCH_WORKER=1` in its environment, so that no hidden subcommand shows in help,
/// completions or man pages.
#[derive(Debug, Parser)]
#[command(name = "dossier (batch worker)")]
pub struct WorkerCli {
    #[command(flatten)]
    pub args: BatchWorkerArgs,
}

#[derive(Debug, ClapArgs)]
pub struct BatchWorkerArgs {
    #[arg(long)]
    pub summary: bool,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, ClapArgs)]
pub struct ScanArgs {
    /// The APK, split set, DEX or JAR to read (`-` reads standard input).
    pub file: PathBuf,
    /// Seconds the scan may work once the input is read; the parts not read by then are named
    /// and the report is partial [default: no limit].
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<f64>,
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,
    /// In the text summary, list every piece of evidence, call site and endpoint source.
    #[arg(short, long)]
    pub verbose: bool,
    /// Only these data categories (taxonomy ids such as `location_precise`; repeat the flag or
    /// separate with commas), with their calls, permissions, trackers and libraries. Text and
    /// JSON; the JSON says what it was narrowed to (`filter`).
    #[arg(long = "category", value_name = "ID", value_delimiter = ',')]
    pub categories: Vec<String>,
    /// Only what these collectors' code does (`app`, or a tracker or library id from the report's
    /// `collectors`; repeat or separate with commas): their categories, evidence, call sites and
    /// endpoints. A category other code collects but they only point at shows as possible.
    #[arg(long = "collector", value_name = "ID", value_delimiter = ',')]
    pub collectors: Vec<String>,
    /// Exit 0 even when parts of the input could not be read (by default such a partial scan
    /// exits 3, so that a script never takes it for a complete one).
    #[arg(long)]
    pub allow_partial: bool,
    /// How the report names the input: as typed; relative to the working directory when it is
    /// under it; its file name only (reports to share without your directory layout); or the full
    /// path.
    #[arg(long, value_enum, default_value_t = PathStyle::Typed)]
    pub path_style: PathStyle,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PathStyle {
    Typed,
    Relative,
    Name,
    Full,
}

impl PathStyle {
    /// The path to show for `path`, as given on the command line (`-` stays what it is).
    pub fn show(self, path: &Path) -> Option<String> {
        if path == Path::new("-") {
            return None;
        }
        let shown = match self {
            PathStyle::Typed => return None,
            PathStyle::Name => PathBuf::from(path.file_name()?),
            PathStyle::Full => std::fs::canonicalize(path).ok()?,
            PathStyle::Relative => {
                let full = std::fs::canonicalize(path).ok()?;
                let here = std::env::current_dir().ok()?.canonicalize().ok()?;
                match full.strip_prefix(&here) {
                    Ok(inside) => inside.to_path_buf(),
                    Err(_) => return None,
                }
            }
        };
        Some(shown.display().to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// A one-screen summary for people (colour only on a terminal).
    Text,
    /// The report as JSON: the stable contract (docs/report-schema.md).
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// Markdown, for an issue or an article.
    Md,
    /// One self-contained HTML page.
    Html,
}

#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Each input is an APK, a split set, or a report saved by `dossier scan --format json` (mixed is fine).\nTwo inputs give a diff; three or more a timeline ordered by version code.\nExit codes: 0 no --fail-on condition met, 1 one was met, 2 error."
)]
pub struct DiffArgs {
    /// The versions to compare, oldest first for two (a timeline orders three or more itself).
    #[arg(required = true, num_args = 2.., value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit 1 when one of these is met (comma-separated): new-category, stronger-verdict,
    /// new-tracker, new-permission, new-dangerous-permission, new-endpoint-country,
    /// new-endpoint, new-exported-component.
    #[arg(long, value_name = "CONDITIONS")]
    pub fail_on: Vec<String>,
    /// Compare inputs whose package names differ (refused otherwise).
    #[arg(long)]
    pub allow_different_package: bool,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// One screen for people: + added, - removed, ~ changed (colour only on a terminal).
    Text,
    /// The diff as JSON (docs/diff-schema.md).
    Json,
    /// Markdown, for a changelog or a pull-request comment.
    Md,
    /// One self-contained HTML page (a grid for a timeline).
    Html,
    /// SARIF 2.1.0 with baselineState, for code-scanning dashboards (two inputs).
    Sarif,
}

#[derive(Debug, Clone, ClapArgs)]
pub struct RulesArgs {
    /// A directory of rule files (*.toml) that add to or replace the built-in rules by id.
    #[arg(long = "rules", value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Every rule: family, id, categories and what it finds.
    List {
        #[command(flatten)]
        rules: RulesArgs,
        /// `text` (a table) or `md` (the generated rules documentation).
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Validate a directory of rule files; errors carry file, line and column.
    Check {
        /// The directory holding the *.toml rule files.
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Md,
}

#[derive(Debug, ClapArgs)]
pub struct ManifestArgs {
    /// The APK, split set or JAR to read (`-` reads standard input).
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t = ManifestFormat::Xml)]
    pub format: ManifestFormat,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ManifestFormat {
    /// The decoded AndroidManifest.xml as indented XML.
    Xml,
    /// The typed manifest (package, versions, permissions, components, ...) as JSON.
    Json,
}

#[derive(Debug, ClapArgs)]
pub struct DexArgs {
    /// The APK, split set, DEX or JAR to read (`-` reads standard input).
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t = DexFormat::Text)]
    pub format: DexFormat,
    /// Also list where each method, field and string is used (DEX file, class and method).
    #[arg(long)]
    pub sites: bool,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Examples:\n  dossier callgraph app.apk --method 'Lcom/example/Main;->onCreate'\n  dossier callgraph app.apk --method 'Lcom/example/Main;' --format dot | dot -Tsvg > main.svg"
)]
pub struct CallgraphArgs {
    /// The APK or split set to read.
    pub file: PathBuf,
    /// The methods to show: the start of their `Lcls;->name(Args)Ret` signature (a class
    /// descriptor gives every method of the class).
    #[arg(long, value_name = "SIGNATURE")]
    pub method: String,
    /// Most methods shown.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[arg(long, value_enum, default_value_t = CallgraphFormat::Text)]
    pub format: CallgraphFormat,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CallgraphFormat {
    /// A listing for people.
    Text,
    /// Each method's neighbourhood, for programs.
    Json,
    /// Graphviz: the methods, their callers and callees, reachable ones filled.
    Dot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DexFormat {
    /// A summary for people.
    Text,
    /// Every fact, sorted, for programs.
    Json,
}

#[derive(Debug, ClapArgs)]
pub struct OutputArgs {
    /// Write to this file instead of standard output: written whole (a temporary file renamed),
    /// never over an input of the run nor through a symbolic link.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub path: Option<PathBuf>,
}

/// Caps that keep a hostile archive from exhausting memory. Sizes take K, M or G suffixes (powers of 1024).
#[derive(Debug, Clone, ClapArgs)]
pub struct LimitArgs {
    /// Largest input file read.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "4G")]
    pub max_input_size: u64,
    /// Largest size one archive entry may inflate to.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "1G")]
    pub max_entry_size: u64,
    /// Largest total of all inflated entries of one input.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "8G")]
    pub max_total_inflated: u64,
    /// Largest compression ratio (inflated / compressed) accepted for large entries.
    #[arg(long, value_name = "RATIO", default_value_t = 400)]
    pub max_ratio: u64,
    /// Most memory one scan may hold beyond the input file (inflated entries, split members,
    /// decoded strings, kept facts); what does not fit is skipped and the report is partial.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "2G")]
    pub memory_budget: u64,
}

/// Parses a positive number of seconds (`60`, `0.5`).
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 1e7 => Ok(secs),
        _ => Err(format!("'{text}' is not a positive number of seconds")),
    }
}

/// Parses `K/N` with 1 <= K <= N.
fn parse_shard(text: &str) -> Result<(u32, u32), String> {
    let invalid = || format!("'{text}' is not a shard K/N with 1 <= K <= N (example: 2/8)");
    let (k, n) = text.split_once('/').ok_or_else(invalid)?;
    let k: u32 = k.trim().parse().map_err(|_| invalid())?;
    let n: u32 = n.trim().parse().map_err(|_| invalid())?;
    if k == 0 || n == 0 || k > n {
        return Err(invalid());
    }
    Ok((k, n))
}

/// Parses `123`, `64K`, `512M`, `4G` (binary multiples; an optional trailing `B` or `iB` is accepted).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let upper = trimmed.to_ascii_uppercase();
    let without_b = upper
        .strip_suffix("IB")
        .or_else(|| upper.strip_suffix('B'))
        .unwrap_or(&upper);
    // The last character is an ASCII letter in every arm that cuts it: one byte.
    let (digits, multiplier) = match without_b.chars().last() {
        Some('K') => (&without_b[..without_b.len() - 1], 1u64 << 10),
        Some('M') => (&without_b[..without_b.len() - 1], 1u64 << 20),
        Some('G') => (&without_b[..without_b.len() - 1], 1u64 << 30),
        Some('T') => (&without_b[..without_b.len() - 1], 1u64 << 40),
        _ => (without_b, 1),
    };
    let number: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a size (examples: 4096, 64K, 512M, 4G)"))?;
    number
        .checked_mul(multiplier)
        .ok_or_else(|| format!("'{text}' is too large"))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert_eq!(parse_size("4GiB"), Ok(4 << 30));
        assert_eq!(parse_size("2GB"), Ok(2 << 30));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn the_limit_defaults_shown_in_help_are_the_library_defaults() {
        use clap::Parser;
        let cli = super::Cli::parse_from(["dossier", "scan", "app.apk"]);
        let super::Command::Scan(args) = cli.command else {
            panic!("not a scan");
        };
        let defaults = dossier::Limits::default();
        assert_eq!(args.limits.max_input_size, defaults.max_input_size);
        assert_eq!(args.limits.max_entry_size, defaults.max_entry_size);
        assert_eq!(args.limits.max_total_inflated, defaults.max_total_inflated);
        assert_eq!(args.limits.max_ratio, defaults.max_ratio);
        assert_eq!(args.limits.memory_budget, defaults.memory_budget);
    }

    #[test]
    fn shards_are_one_based_and_bounded() {
        assert_eq!(super::parse_shard("1/3"), Ok((1, 3)));
        assert_eq!(super::parse_shard("3/3"), Ok((3, 3)));
        assert!(super::parse_shard("0/3").is_err());
        assert!(super::parse_shard("4/3").is_err());
        assert!(super::parse_shard("1/0").is_err());
        assert!(super::parse_shard("two/3").is_err());
    }

    #[test]
    fn timeouts_are_positive_seconds() {
        assert_eq!(super::parse_seconds("0.5"), Ok(0.5));
        assert!(super::parse_seconds("0").is_err());
        assert!(super::parse_seconds("-1").is_err());
        assert!(super::parse_seconds("NaN").is_err());
    }
}
