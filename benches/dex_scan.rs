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

fn best(mut f: impl FnMut()) -> Duration {
    (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
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
        "{:<40} {:>4} {:>10} {:>12} {:>12} {:>12} {:>12} {:>7}",
        "file", "dex", "MB", "inflate ms", "inflate MB/s", "scan ms", "scan MB/s", "ratio"
    );
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
        let skip_sites = std::env::args().any(|a| a == "--no-sites");
        let scan_sites = best(|| {
            if skip_sites {
                return;
            }
            for e in &entries {
                let sections = dex::parse_sections(&e.inflated, &e.name).expect("parse");
                for s in &sections {
                    std::hint::black_box(dex::scan(s, &e.name, &ScanOptions { sites: true }));
                }
            }
        });
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!(
            "{:<40} {:>4} {:>10.1} {:>12.1} {:>12.0} {:>12.1} {:>12.0} {:>7.2}",
            name,
            entries.len(),
            total as f64 / 1e6,
            inflate.as_secs_f64() * 1e3,
            mb_per_s(total, inflate),
            scan.as_secs_f64() * 1e3,
            mb_per_s(total, scan),
            scan.as_secs_f64() / inflate.as_secs_f64().max(1e-9),
        );
        println!(
            "{:<40} {:>4} {:>10} {:>12} {:>12} {:>12.1} {:>12.0}   (with --sites)",
            "",
            "",
            "",
            "",
            "",
            scan_sites.as_secs_f64() * 1e3,
            mb_per_s(total, scan_sites)
        );
    }
}
