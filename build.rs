//! Prepares the built-in rule set at build time. The embedded `rules/*.toml` are loaded and
//! checked by the library's own loader (its modules are included below by path, unchanged), the
//! rules digest is computed as at run time, and both are written in the compact form of
//! `src/rules/prepared.rs` to `$OUT_DIR/builtin-rules.bin`, which `RuleSet::builtin` decodes at
//! start-up instead of parsing TOML. A broken built-in rule file fails the build with the same
//! `file:line:column: message` lines `dossier rules check` prints.

use std::path::PathBuf;

#[allow(dead_code)]
#[path = "src/utf8.rs"]
mod utf8;

// Paths inside this inline module are relative to `rules/` (the module's directory).
#[allow(dead_code, unused_imports)]
mod rules {
    #[path = "../src/rules/builtin.rs"]
    pub mod builtin;
    #[path = "../src/rules/load/mod.rs"]
    pub mod load;
    #[path = "../src/rules/model.rs"]
    pub mod model;
    #[path = "../src/rules/prepared.rs"]
    pub mod prepared;
    #[path = "../src/rules/schema.rs"]
    pub mod schema;
}

/// The library sources this script includes: a change to any of them re-runs it.
const INCLUDED_SOURCES: &[&str] = &[
    "src/utf8.rs",
    "src/rules/builtin.rs",
    "src/rules/model.rs",
    "src/rules/prepared.rs",
    "src/rules/schema.rs",
    "src/rules/load/mod.rs",
    "src/rules/load/check.rs",
    "src/rules/load/descriptor.rs",
    "src/rules/load/error.rs",
    "src/rules/load/family.rs",
    "src/rules/load/layer.rs",
    "src/rules/load/position.rs",
    "src/rules/load/value.rs",
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for (file, _) in rules::builtin::BUILTIN_FILES {
        println!("cargo::rerun-if-changed={file}");
    }
    println!("cargo::rerun-if-changed=rules/data/permission-levels.tsv");
    for source in INCLUDED_SOURCES {
        println!("cargo::rerun-if-changed={source}");
    }

    let mut layer = match rules::builtin::load_builtin_layer() {
        Ok(layer) => layer,
        Err(errors) => {
            eprintln!("the built-in rule files have problems:");
            for error in &errors {
                eprintln!("{error}");
            }
            std::process::exit(1);
        }
    };
    layer.sort();
    let levels = rules::builtin::parse_levels(rules::builtin::PERMISSION_LEVELS_TSV);
    let digest = rules::builtin::compute_digest(&layer, &levels);
    let prepared = rules::prepared::PreparedRules { digest, layer };

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let path = out_dir.join(rules::prepared::PREPARED_FILE);
    if let Err(e) = std::fs::write(&path, prepared.encode()) {
        eprintln!("cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
}
