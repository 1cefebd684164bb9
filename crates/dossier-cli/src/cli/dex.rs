//! `dossier dex FILE`: every DEX of the input scanned in parallel, as a summary or as JSON.

use anyhow::Result;

use dossier::app;
use dossier::dex::{self, ScanOptions};

use super::args::{DexArgs, DexFormat};
use super::output::emit;

pub fn run(args: &DexArgs) -> Result<()> {
    let limits = super::limits_from(&args.limits);
    let mut input = app::open(&args.file, &limits)?;
    app::settle_base(&mut input);
    let refs = input.dex_entries();
    if refs.is_empty() {
        anyhow::bail!("{}: no classes*.dex in this input", args.file.display());
    }
    // Inflate first (each read is bounded by the container's caps), then scan in parallel.
    let mut blobs = Vec::with_capacity(refs.len());
    for dex_ref in &refs {
        blobs.push((dex_ref.label.clone(), input.read_dex(dex_ref)?));
    }
    let inputs: Vec<(String, &[u8])> = blobs
        .iter()
        .map(|(label, bytes)| (label.clone(), bytes.as_slice()))
        .collect();
    let facts = dex::scan_many(&inputs, &ScanOptions { sites: args.sites });
    let text = match args.format {
        DexFormat::Json => {
            let mut text = dex::to_json(&facts);
            text.push('\n');
            text
        }
        DexFormat::Text => {
            let mut out = Vec::new();
            dex::write_text(&facts, &mut out)?;
            String::from_utf8_lossy(&out).into_owned()
        }
    };
    emit(&text, args.output.path.as_deref())
}
