//! Helpers shared by the integration tests: where the fixtures and the real-APK corpus are.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root (where `fixtures/` is), so tests do not depend on the directory cargo runs
/// them from nor on which crate of the workspace they belong to.
pub fn root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .find(|dir| dir.join("fixtures/built").is_dir())
        .map(Path::to_path_buf)
        .unwrap_or(manifest_dir)
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/built").join(name)
}

/// The corpus directory (`$DOSSIER_CORPUS`, else `target/corpus`), or None when it was not fetched.
/// With `DOSSIER_REQUIRE_CORPUS=1` (CI) a missing corpus fails the test instead of skipping it.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("DOSSIER_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/corpus"));
    if dir.join("apks").is_dir() {
        return Some(dir);
    }
    if corpus_required() {
        panic!(
            "DOSSIER_REQUIRE_CORPUS=1 but no corpus at {}",
            dir.display()
        );
    }
    eprintln!(
        "skipped: no corpus at {} (run ../shared/corpus/fetch.sh)",
        dir.display()
    );
    None
}

/// Whether CI asked for the whole corpus (`DOSSIER_REQUIRE_CORPUS=1`): then a missing corpus file
/// fails a test instead of skipping it.
pub fn corpus_required() -> bool {
    std::env::var("DOSSIER_REQUIRE_CORPUS").as_deref() == Ok("1")
}

/// Every file of one corpus subfolder (`apks` or `dex`), sorted.
pub fn corpus_files(dir: &Path, sub: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file() && p.extension().is_some_and(|e| e != "log"));
    files.sort();
    files
}

/// The real apps with third-party SDKs in `../shared/corpus/sdk-apps` beside the repository
/// (`$DOSSIER_SDK_APPS` elsewhere), sorted; empty when the folder is not there. Never required,
/// not even under `DOSSIER_REQUIRE_CORPUS=1`: the tests that read them skip them quietly.
pub fn sdk_apps() -> Vec<PathBuf> {
    let dir = std::env::var_os("DOSSIER_SDK_APPS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/corpus/sdk-apps"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file() && p.extension().is_some_and(|e| e == "apk"));
    files.sort();
    if files.is_empty() {
        eprintln!("skipped: no SDK apps at {}", dir.display());
    }
    files
}

/// A copy of the fixture `base` (entries copied as they are) with one more entry, written to
/// `dir/file_name`: an input made in the test for a string no fixture has.
pub fn apk_with_asset(
    base: &str,
    dir: &Path,
    file_name: &str,
    entry: &str,
    content: &[u8],
) -> PathBuf {
    use std::io::Write;
    let original = std::fs::read(fixture(base)).unwrap();
    let mut reader = zip::ZipArchive::new(std::io::Cursor::new(original)).unwrap();
    let path = dir.join(file_name);
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..reader.len() {
        writer
            .raw_copy_file(reader.by_index_raw(i).unwrap())
            .unwrap();
    }
    writer
        .start_file(entry, zip::write::SimpleFileOptions::default())
        .unwrap();
    writer.write_all(content).unwrap();
    writer.finish().unwrap();
    path
}

/// Each category of a report with its verdict: what two scans of one app must agree on when only
/// decoys differ between them.
pub fn categories(report: &dossier::report::Report) -> Vec<(String, String)> {
    report
        .categories
        .iter()
        .map(|c| (c.id.clone(), format!("{:?}", c.verdict)))
        .collect()
}

/// xorshift64*: a fixed, dependency-free sequence, so a failing seed reproduces.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

/// Whether a reference tool (aapt, dexdump, unzip) is installed; differential tests skip without it.
pub fn have_tool(name: &str) -> bool {
    std::process::Command::new(name)
        .arg("--help")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

// Schemas of the outputs: the documented report schema and the official SARIF schema.

use serde_json::Value;

pub fn load_json(relative: &str) -> Value {
    let path = root().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Errors of `instance` against a schema of `docs/` whose `$ref`s name other files of `docs/`
/// by relative path (the batch record refers to the report schema that way).
pub fn docs_schema_errors(name: &str, instance: &Value) -> Vec<String> {
    struct Docs;
    impl jsonschema::Retrieve for Docs {
        fn retrieve(
            &self,
            uri: &jsonschema::Uri<String>,
        ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
            let file = uri.path().as_str().rsplit('/').next().unwrap_or_default();
            Ok(load_json(&format!("docs/{file}")))
        }
    }
    let validator = jsonschema::options()
        .with_retriever(Docs)
        .build(&load_json(&format!("docs/{name}")))
        .expect("schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

pub fn schema_errors(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The released SARIF 2.1.0 schema has a stray `]` in the pattern of `language` (in `run` and
/// in `toolComponent`), which the validator's check of the schema itself (format `regex`) rejects
/// before validating anything. The vendored file stays as released; the test mends those
/// patterns in memory to what they evidently mean (a two-letter language, optionally `-` and a
/// two-letter region). Our output never sets `language`, so the mend cannot make it pass where it
/// should fail.
pub fn official_sarif_schema() -> Value {
    const RELEASED: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    fn mend(node: &mut Value, count: &mut usize) {
        match node {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    if key == "pattern" && child == RELEASED {
                        *child = Value::String("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".to_owned());
                        *count += 1;
                    } else {
                        mend(child, count);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| mend(i, count)),
            _ => {}
        }
    }
    let mut schema = load_json("tests/data/sarif-schema-2.1.0.json");
    let mut count = 0;
    mend(&mut schema, &mut count);
    assert_eq!(count, 2, "the vendored schema changed");
    schema
}
