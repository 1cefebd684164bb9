//! DEX scanning throughput against plain inflation of the same entries, one core.
//!
//! Run: `DOSSIER_CORPUS=path/to/corpus cargo bench --bench dex_scan`
//! (defaults to `target/corpus`; `--no-sites` skips the `--sites` pass; an optional argument names APK/DEX/JAR files to measure instead
//! of the default set). For each file it takes the `classes*.dex` entries, times inflating their
//! compressed bytes with flate2 and times `parse_sections` + `scan` on the inflated bytes, both
//! single-threaded, best of several rounds, and prints MB/s of inflated DEX.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dossier::dex::{self, ScanOptions};

const ROUNDS: usize = 5;
const CPU_ROUNDS: usize = 20;

struct Entry {
    name: String,
    compressed: Vec<u8>,
    stored: bool,
    inflated: Vec<u8>,
}

fn entries(path: &Path) -> Vec<Entry> {
    let bytes = std::fs::read(path).expect("read input");
    if bytes.starts_with(b"dex\n") {
        return vec![Entry {
            name: path.display().to_string(),
            compressed: Vec::new(),
            stored: true,
            inflated: bytes,
        }];
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let (name, stored, compressed) = {
            let mut raw = archive.by_index_raw(i).expect("entry");
            let name = raw.name().map(|n| n.into_owned()).unwrap_or_default();
            if !(name.starts_with("classes") && name.ends_with(".dex")) {
                continue;
            }
            let stored = raw.compression() == zip::CompressionMethod::Stored;
            let mut compressed = Vec::new();
            raw.read_to_end(&mut compressed).expect("raw read");
            (name, stored, compressed)
        };
        let mut inflated = Vec::new();
        archive
            .by_index(i)
            .expect("entry")
            .read_to_end(&mut inflated)
            .expect("inflate");
        out.push(Entry {
            name,
            compressed,
            stored,
            inflated,
        });
    }
    out
}

/// CPU time (user + system) of this process so far, from `/proc/self/stat`, in clock ticks
/// (1/100 s on Linux). The benchmark is single-threaded, so on a machine shared with other work
/// this is a steadier measure than wall time.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesized command name; utime and stime are the 14th and 15th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Best wall time of `ROUNDS` runs, and mean CPU time per run over `CPU_ROUNDS` runs.
fn best(mut f: impl FnMut()) -> (Duration, Duration) {
    let wall = (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default();
    let before = cpu_ticks();
    for _ in 0..CPU_ROUNDS {
        f();
    }
    let cpu = match (before, cpu_ticks()) {
        (Some(a), Some(b)) => Duration::from_millis((b - a) * 10) / CPU_ROUNDS as u32,
        _ => Duration::ZERO,
    };
    (wall, cpu)
}

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64().max(1e-9)
}

fn main() {
    let corpus = std::env::var_os("DOSSIER_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/corpus"));
    let args: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    let files = if args.is_empty() {
        [
            "apks/appium-uia2-server-10.6.6.apk",
            "apks/yosemite-airtest-1.4.3.apk",
            "apks/appium-espresso-server-test.apk",
            "dex/andstatus-254.dex",
        ]
        .iter()
        .map(|f| corpus.join(f))
        .filter(|p| p.is_file())
        .collect()
    } else {
        args
    };
    if files.is_empty() {
        eprintln!("no input: set DOSSIER_CORPUS or pass files");
        return;
    }
    println!(
        "{:<34} {:>3} {:>6} {:>11} {:>11} {:>9} {:>9} {:>11} {:>9} {:>9}",
        "file",
        "dex",
        "MB",
        "inflate ms",
        "(cpu ms)",
        "MB/s",
        "scan ms",
        "(cpu ms)",
        "MB/s",
        "cpu ratio"
    );
    let skip_sites = std::env::args().any(|a| a == "--no-sites");
    for path in files {
        let entries = entries(&path);
        let total: usize = entries.iter().map(|e| e.inflated.len()).sum();
        let inflate = best(|| {
            for e in &entries {
                if e.stored {
                    continue;
                }
                let mut out = Vec::with_capacity(e.inflated.len());
                flate2::read::DeflateDecoder::new(&e.compressed[..])
                    .read_to_end(&mut out)
                    .expect("inflate");
                assert_eq!(out.len(), e.inflated.len());
            }
        });
        let scan = best(|| {
            for e in &entries {
                let sections = dex::parse_sections(&e.inflated, &e.name).expect("parse");
                for s in &sections {
                    std::hint::black_box(dex::scan(s, &e.name, &ScanOptions::default()));
                }
            }
        });
        let scan_sites = best(|| {
            if skip_sites {
                return;
            }
            for e in &entries {
                let sections = dex::parse_sections(&e.inflated, &e.name).expect("parse");
                for s in &sections {
                    std::hint::black_box(dex::scan(
                        s,
                        &e.name,
                        &ScanOptions {
                            sites: true,
                            ..Default::default()
                        },
                    ));
                }
            }
        });
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{:<34} {:>3} {:>6.1} {:>11.1} {:>11.1} {:>9} {:>9.1} {:>11.1} {:>9.0} {:>9}",
            name,
            entries.len(),
            total as f64 / 1e6,
            ms(inflate.0),
            ms(inflate.1),
            if entries.iter().all(|e| e.stored) {
                "-".to_owned()
            } else {
                format!("{:.0}", mb_per_s(total, inflate.0))
            },
            ms(scan.0),
            ms(scan.1),
            mb_per_s(total, scan.0),
            if entries.iter().all(|e| e.stored) || inflate.1.is_zero() {
                "-".to_owned()
            } else {
                format!("{:.2}", ms(scan.1) / ms(inflate.1))
            },
        );
        if !skip_sites {
            println!(
                "{:<34} {:>3} {:>6} {:>11} {:>11} {:>9} {:>9.1} {:>11.1} {:>9.0}   (with sites)",
                "",
                "",
                "",
                "",
                "",
                "",
                ms(scan_sites.0),
                ms(scan_sites.1),
                mb_per_s(total, scan_sites.0)
            );
        }
    }
}
