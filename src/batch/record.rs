//! One line of `dossier batch` output: the record of one input (what happened to it and, when it
//! was scanned, its report or a compact summary of it), with constructors that only build the
//! combinations the format allows, and the summary kept for very large runs.
//!
//! The shape is documented in `docs/batch.md` and `docs/batch-record.schema.json`. Every key is
//! always written (null when it does not apply), so that DuckDB, pandas or jq see one fixed shape
//! whatever the status.

use serde::{Deserialize, Serialize};

use crate::report::{
    AppInfo, Collector, EndpointKind, InputKind, Report, ScanState, Strength, Verdict,
};

/// Bumped on any change to the record's shape: major for removals and renames, minor for additions.
/// Independent of the report's own `schema_version`, which the record carries inside `report`.
pub const BATCH_SCHEMA_VERSION: &str = "1.0";

/// What happened to one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Scanned: `report` (or `summary`) holds the result. The scan itself may still be partial;
    /// the report's `status` says so.
    Ok,
    /// The scan failed (unreadable file, a container dossier cannot open, a crash of the worker):
    /// `error` says why.
    Error,
    /// Not scanned on purpose: `reason` says why (not an Android input, the same bytes as another
    /// path).
    Skipped,
    /// The scan did not finish within the time allowed per input: `error` says the limit.
    Timeout,
}

impl Status {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error => "error",
            Status::Skipped => "skipped",
            Status::Timeout => "timeout",
        }
    }
}

/// The record of one input: one line of the JSON Lines output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// [`BATCH_SCHEMA_VERSION`] of the program that wrote the line.
    pub batch_schema: String,
    /// The input's path as found (given on the command line, listed in `--from`, or met while
    /// walking a directory given there).
    pub path: String,
    /// sha256 of the file's bytes, lowercase hex; null when the file could not be read.
    pub sha256: Option<String>,
    /// Size in bytes; null when the file could not be read.
    pub size: Option<u64>,
    pub status: Status,
    /// Why the scan failed or ran out of time; null for `ok` and `skipped`.
    pub error: Option<String>,
    /// Why the input was skipped; null otherwise.
    pub reason: Option<String>,
    /// For an input skipped because another path has the same bytes: that path (the one scanned).
    pub duplicate_of: Option<String>,
    /// Exactly what `dossier scan --format json` writes for this input; null unless `ok`, and
    /// null in `--summary` mode.
    pub report: Option<Box<Report>>,
    /// The compact summary of the report; filled only for `ok` records in `--summary` mode.
    pub summary: Option<Summary>,
}

impl Record {
    /// A scanned input: its full report, or in `summary_mode` only its summary.
    pub fn ok(
        path: impl Into<String>,
        sha256: impl Into<String>,
        size: u64,
        report: Report,
        summary_mode: bool,
    ) -> Record {
        let (report, summary) = if summary_mode {
            (None, Some(Summary::from_report(&report)))
        } else {
            (Some(Box::new(report)), None)
        };
        Record {
            report,
            summary,
            ..Record::bare(path.into(), Some(sha256.into()), Some(size), Status::Ok)
        }
    }

    /// An input whose scan failed. `sha256` and `size` are `None` when the file could not be read.
    pub fn error(
        path: impl Into<String>,
        sha256: Option<String>,
        size: Option<u64>,
        error: impl Into<String>,
    ) -> Record {
        Record {
            error: Some(error.into()),
            ..Record::bare(path.into(), sha256, size, Status::Error)
        }
    }

    /// An input whose scan was stopped after `limit`.
    pub fn timeout(
        path: impl Into<String>,
        sha256: Option<String>,
        size: Option<u64>,
        limit: std::time::Duration,
    ) -> Record {
        Record {
            error: Some(format!(
                "the scan did not finish within {} s",
                limit.as_secs_f64()
            )),
            ..Record::bare(path.into(), sha256, size, Status::Timeout)
        }
    }

    /// An input not scanned on purpose (for example: not an Android input), with why.
    pub fn skipped(
        path: impl Into<String>,
        sha256: Option<String>,
        size: Option<u64>,
        reason: impl Into<String>,
    ) -> Record {
        Record {
            reason: Some(reason.into()),
            ..Record::bare(path.into(), sha256, size, Status::Skipped)
        }
    }

    /// An input with the same bytes as `first_path`, which is (or was) scanned instead.
    pub fn duplicate(
        path: impl Into<String>,
        sha256: impl Into<String>,
        size: u64,
        first_path: impl Into<String>,
    ) -> Record {
        let first_path = first_path.into();
        Record {
            reason: Some(format!("same bytes as {first_path}")),
            duplicate_of: Some(first_path),
            ..Record::bare(
                path.into(),
                Some(sha256.into()),
                Some(size),
                Status::Skipped,
            )
        }
    }

    fn bare(path: String, sha256: Option<String>, size: Option<u64>, status: Status) -> Record {
        Record {
            batch_schema: BATCH_SCHEMA_VERSION.to_owned(),
            path,
            sha256,
            size,
            status,
            error: None,
            reason: None,
            duplicate_of: None,
            report: None,
            summary: None,
        }
    }

    /// The record as one line of JSON Lines, without the final newline. Compact JSON escapes
    /// control characters inside strings, so app text holding newlines cannot split the line.
    pub fn to_line(&self) -> String {
        // A record holds only strings, numbers, booleans and structs with string keys: there is
        // nothing serde_json can refuse, so a failure here is a bug worth stopping on.
        let line = serde_json::to_string(self).expect("a record always serializes");
        debug_assert!(!line.contains('\n') && !line.contains('\r'));
        line
    }

    /// Reads back one line written by [`Record::to_line`] (a trailing newline is allowed).
    pub fn from_line(line: &str) -> Result<Record, serde_json::Error> {
        serde_json::from_str(line)
    }

    /// The summary of the scan: the one stored in `--summary` mode, or made from the report.
    /// `None` for records that were not scanned.
    pub fn summary(&self) -> Option<std::borrow::Cow<'_, Summary>> {
        match (&self.summary, &self.report) {
            (Some(summary), _) => Some(std::borrow::Cow::Borrowed(summary)),
            (None, Some(report)) => Some(std::borrow::Cow::Owned(Summary::from_report(report))),
            (None, None) => None,
        }
    }
}

/// The part of a report a study of many apps groups by: the app, which data it can collect and
/// who, which SDKs and hosts, which permissions, which anomalies. Every list is sorted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The `schema_version` of the report this summarises.
    pub schema_version: String,
    pub app: AppInfo,
    /// What the input was read as (`apk`, `split_set`, `dex`, `jar`).
    pub input_kind: InputKind,
    pub status: SummaryStatus,
    /// By id.
    pub categories: Vec<SummaryCategory>,
    /// Who the collector ids used in `categories` stand for, by id.
    pub collectors: Vec<Collector>,
    /// By id.
    pub trackers: Vec<SummaryTracker>,
    /// Distinct hosts of the report's endpoints of kind `endpoint` (links to pages are left
    /// out), by host.
    pub endpoint_hosts: Vec<EndpointHost>,
    /// By name.
    pub permissions: Vec<SummaryPermission>,
    /// The distinct anomaly codes, sorted.
    pub anomalies: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryStatus {
    pub state: ScanState,
    /// The distinct codes of the anomalies that make the scan partial, sorted.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryCategory {
    pub id: String,
    pub title: String,
    pub verdict: Verdict,
    pub strength: Strength,
    /// Every collector whose evidence names the category, sorted.
    pub collectors: Vec<String>,
    /// The collectors whose evidence makes the category `collected`, sorted.
    pub collected_by: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryTracker {
    pub id: String,
    pub name: String,
    /// Classes of the SDK are bundled; false for a hint (only a host or meta-data key names it).
    pub confirmed: bool,
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointHost {
    pub host: String,
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    pub country: Option<String>,
    /// Tracker ids whose host signatures match any endpoint with this host, sorted.
    pub trackers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryPermission {
    pub name: String,
    /// AOSP protection level; null for permissions the platform does not define.
    pub protection: Option<String>,
}

impl Summary {
    pub fn from_report(report: &Report) -> Summary {
        let mut reasons: Vec<String> = report
            .status
            .reasons
            .iter()
            .map(|a| a.code.clone())
            .collect();
        sort_unique(&mut reasons);

        let mut categories: Vec<SummaryCategory> = report
            .categories
            .iter()
            .map(|c| SummaryCategory {
                id: c.id.clone(),
                title: c.title.clone(),
                verdict: c.verdict,
                strength: c.strength,
                collectors: sorted(&c.collectors),
                collected_by: sorted(&c.collected_by),
            })
            .collect();
        categories.sort_by(|a, b| a.id.cmp(&b.id));

        let mut collectors = report.collectors.clone();
        collectors.sort();
        collectors.dedup();

        let mut trackers: Vec<SummaryTracker> = report
            .trackers
            .iter()
            .map(|t| SummaryTracker {
                id: t.id.clone(),
                name: t.name.clone(),
                confirmed: t.confirmed,
                owner: t.owner.clone(),
                owner_name: t.owner_name.clone(),
                country: t.country.clone(),
            })
            .collect();
        trackers.sort_by(|a, b| a.id.cmp(&b.id));

        let mut permissions: Vec<SummaryPermission> = report
            .permissions
            .iter()
            .map(|p| SummaryPermission {
                name: p.name.clone(),
                protection: p.protection.clone(),
            })
            .collect();
        permissions.sort_by(|a, b| a.name.cmp(&b.name));
        permissions.dedup();

        let mut anomalies: Vec<String> = report.anomalies.iter().map(|a| a.code.clone()).collect();
        sort_unique(&mut anomalies);

        Summary {
            schema_version: report.schema_version.clone(),
            app: report.app.clone(),
            input_kind: report.input.kind,
            status: SummaryStatus {
                state: report.status.state,
                reasons,
            },
            categories,
            collectors,
            trackers,
            endpoint_hosts: endpoint_hosts(report),
            permissions,
            anomalies,
        }
    }
}

/// One entry per host among the endpoints of kind `endpoint`. The owner is a property of the
/// host, so every URL of a host names the same one; should two ever disagree, the first in the
/// report's order (by URL) wins, which keeps the result deterministic.
fn endpoint_hosts(report: &Report) -> Vec<EndpointHost> {
    let mut hosts: std::collections::BTreeMap<&str, EndpointHost> =
        std::collections::BTreeMap::new();
    for endpoint in report
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Endpoint)
    {
        let entry = hosts
            .entry(endpoint.host.as_str())
            .or_insert_with(|| EndpointHost {
                host: endpoint.host.clone(),
                owner: endpoint.owner.clone(),
                owner_name: endpoint.owner_name.clone(),
                country: endpoint.country.clone(),
                trackers: Vec::new(),
            });
        entry.trackers.extend(endpoint.trackers.iter().cloned());
    }
    hosts
        .into_values()
        .map(|mut host| {
            sort_unique(&mut host.trackers);
            host
        })
        .collect()
}

fn sorted(items: &[String]) -> Vec<String> {
    let mut items = items.to_vec();
    sort_unique(&mut items);
    items
}

fn sort_unique(items: &mut Vec<String>) {
    items.sort();
    items.dedup();
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::Anomaly;
    use crate::report::{CategoryFinding, Endpoint, PermissionEntry, ScanStatus, TrackerFinding};

    /// The report of a committed fixture, scanned with the built-in rules.
    pub(crate) fn fixture_report(name: &str) -> Report {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/built")
            .join(name);
        let scanner = crate::Scanner::with_builtin_rules().expect("built-in rules load");
        scanner.scan_path(&path).expect("fixture scans")
    }

    /// A report built by hand with one of everything the summary and the CSV read, including
    /// app text that holds newlines, commas and quotes.
    pub(crate) fn sample_report() -> Report {
        let mut report = fixture_report("cleannotes.apk");
        report.app.package = Some("com.example.geo".to_owned());
        report.app.version_code = Some(42);
        report.app.version_name = Some("1.0".to_owned());
        report.app.label = Some("Geo, \"the\"\nmap\r\napp".to_owned());
        report.collectors = vec![
            Collector {
                id: "app".to_owned(),
                name: "the app".to_owned(),
                kind: crate::report::CollectorKind::App,
            },
            Collector {
                id: "tencent_map".to_owned(),
                name: "Tencent Map SDK".to_owned(),
                kind: crate::report::CollectorKind::Tracker,
            },
        ];
        report.categories = vec![
            CategoryFinding {
                id: "location_precise".to_owned(),
                title: "Precise location".to_owned(),
                strength: Strength::Called,
                collectors: vec!["tencent_map".to_owned(), "app".to_owned()],
                play: String::new(),
                apple: String::new(),
                evidence: Vec::new(),
                notes: Vec::new(),
                truncated: false,
                verdict: Verdict::Collected,
                verdict_reason: "Tencent Map SDK calls it".to_owned(),
                collected_by: vec!["tencent_map".to_owned()],
            },
            CategoryFinding {
                id: "contacts".to_owned(),
                title: "Contacts".to_owned(),
                strength: Strength::Declared,
                collectors: Vec::new(),
                play: String::new(),
                apple: String::new(),
                evidence: Vec::new(),
                notes: Vec::new(),
                truncated: false,
                verdict: Verdict::Possible,
                verdict_reason: "only the manifest".to_owned(),
                collected_by: Vec::new(),
            },
        ];
        report.trackers = vec![TrackerFinding {
            id: "tencent_map".to_owned(),
            name: "Tencent Map SDK".to_owned(),
            confirmed: true,
            categories: vec!["location_precise".to_owned()],
            owner: Some("tencent".to_owned()),
            owner_name: Some("Tencent".to_owned()),
            country: Some("CN".to_owned()),
            website: None,
            class_count: 12,
            evidence: Vec::new(),
        }];
        let endpoint = |url: &str, host: &str, kind, trackers: &[&str]| Endpoint {
            url: url.to_owned(),
            kind,
            host: host.to_owned(),
            port: None,
            owner: Some("tencent".to_owned()),
            owner_name: Some("Tencent".to_owned()),
            country: Some("CN".to_owned()),
            trackers: trackers.iter().map(|t| (*t).to_owned()).collect(),
            sources: Vec::new(),
            truncated: false,
            used_by: Vec::new(),
        };
        report.endpoints = vec![
            endpoint(
                "https://apis.map.qq.com/a",
                "apis.map.qq.com",
                EndpointKind::Endpoint,
                &["tencent_map"],
            ),
            endpoint(
                "https://apis.map.qq.com/b",
                "apis.map.qq.com",
                EndpointKind::Endpoint,
                &[],
            ),
            endpoint(
                "https://lbs.qq.com/help",
                "lbs.qq.com",
                EndpointKind::Link,
                &[],
            ),
        ];
        report.permissions = vec![PermissionEntry {
            name: "android.permission.ACCESS_FINE_LOCATION".to_owned(),
            protection: Some("dangerous".to_owned()),
            max_sdk: None,
            sdk23: false,
            categories: vec!["location_precise".to_owned()],
        }];
        report.anomalies = vec![
            Anomaly::new("zip.crc_mismatch", "a", "x"),
            Anomaly::new("dex.unreadable", "classes2.dex", "y"),
            Anomaly::new("zip.crc_mismatch", "b", "x"),
        ];
        report.status = ScanStatus::from_anomalies(&report.anomalies);
        report.normalize();
        report
    }

    /// A well-formed sha256 made of one repeated hex digit.
    pub(crate) fn sha(digit: char) -> String {
        digit.to_string().repeat(64)
    }

    /// One record of each status but `ok`: error, timeout, skipped, duplicate.
    pub(crate) fn not_scanned() -> Vec<Record> {
        vec![
            Record::error("b.apk", None, None, "cannot read: permission denied"),
            Record::timeout(
                "c.apk",
                Some(sha('1')),
                Some(2),
                std::time::Duration::from_secs(60),
            ),
            Record::skipped("d.txt", Some(sha('2')), Some(3), "not an Android input"),
            Record::duplicate("e.apk", sha('0'), 1, "a.apk"),
        ]
    }

    #[test]
    fn every_key_is_written_whatever_the_status() {
        let keys = |record: &Record| -> Vec<String> {
            let value: serde_json::Value = serde_json::from_str(&record.to_line()).unwrap();
            value.as_object().unwrap().keys().cloned().collect()
        };
        let ok = Record::ok("a.apk", sha('0'), 1, sample_report(), false);
        let expected = keys(&ok);
        assert_eq!(expected.len(), 10);
        let mut others = not_scanned();
        others.push(Record::ok("a.apk", sha('0'), 1, sample_report(), true));
        for record in others {
            assert_eq!(keys(&record), expected, "{record:?}");
        }
    }

    #[test]
    fn constructors_fill_only_what_their_status_allows() {
        let full = Record::ok("a.apk", sha('0'), 1, sample_report(), false);
        assert_eq!(full.status, Status::Ok);
        assert!(full.report.is_some() && full.summary.is_none());

        let small = Record::ok("a.apk", sha('0'), 1, sample_report(), true);
        assert!(small.report.is_none() && small.summary.is_some());
        assert_eq!(
            small.summary(),
            full.summary(),
            "the summary of a summary-mode record is the one made from the full report"
        );

        let timeout = Record::timeout("c.apk", None, None, std::time::Duration::from_millis(1500));
        assert_eq!(timeout.status, Status::Timeout);
        assert_eq!(
            timeout.error.as_deref(),
            Some("the scan did not finish within 1.5 s")
        );
        assert!(timeout.summary().is_none());

        let dup = Record::duplicate("e.apk", sha('0'), 1, "a.apk");
        assert_eq!(dup.status, Status::Skipped);
        assert_eq!(dup.duplicate_of.as_deref(), Some("a.apk"));
        assert_eq!(dup.reason.as_deref(), Some("same bytes as a.apk"));
        assert!(dup.error.is_none());
    }

    #[test]
    fn a_line_is_one_line_and_reads_back_equal() {
        let record = Record::ok("dir/with\nnewline.apk", sha('0'), 1, sample_report(), false);
        assert!(
            record
                .report
                .as_ref()
                .unwrap()
                .app
                .label
                .as_ref()
                .unwrap()
                .contains('\n'),
            "the test needs app text with a newline"
        );
        let line = record.to_line();
        assert!(!line.contains('\n') && !line.contains('\r'));
        assert_eq!(Record::from_line(&format!("{line}\n")).unwrap(), record);
        let summary = Record::ok("x", sha('0'), 1, sample_report(), true);
        assert_eq!(Record::from_line(&summary.to_line()).unwrap(), summary);
    }

    #[test]
    fn the_report_is_exactly_what_scan_writes() {
        let report = fixture_report("vidshare.apks");
        let record = Record::ok(
            "vidshare.apks",
            &report.input.sha256,
            report.input.size,
            report.clone(),
            false,
        );
        let value: serde_json::Value = serde_json::from_str(&record.to_line()).unwrap();
        let written: serde_json::Value =
            serde_json::from_str(&crate::report::render_json(&report)).unwrap();
        assert_eq!(value["report"], written);
    }

    #[test]
    fn summary_keeps_endpoint_hosts_not_links_and_sorts_codes() {
        let summary = Summary::from_report(&sample_report());
        let hosts: Vec<&str> = summary
            .endpoint_hosts
            .iter()
            .map(|h| h.host.as_str())
            .collect();
        assert_eq!(hosts, ["apis.map.qq.com"]);
        assert_eq!(summary.endpoint_hosts[0].trackers, ["tencent_map"]);
        assert_eq!(summary.endpoint_hosts[0].country.as_deref(), Some("CN"));
        assert_eq!(summary.anomalies, ["dex.unreadable", "zip.crc_mismatch"]);
        assert_eq!(summary.status.state, ScanState::Partial);
        assert_eq!(summary.status.reasons, ["dex.unreadable"]);
        let ids: Vec<&str> = summary.categories.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["contacts", "location_precise"]);
        assert_eq!(summary.categories[1].collectors, ["app", "tencent_map"]);
    }

    #[test]
    fn summary_of_a_real_report() {
        let report = fixture_report("vidshare.apks");
        let summary = Summary::from_report(&report);
        assert_eq!(summary.input_kind, InputKind::SplitSet);
        assert_eq!(summary.app, report.app);
        assert_eq!(summary.categories.len(), report.categories.len());
        assert_eq!(summary.trackers.len(), report.trackers.len());
        assert!(!summary.permissions.is_empty());
        let summary_len = serde_json::to_string(&summary).unwrap().len();
        let report_len = serde_json::to_string(&report).unwrap().len();
        assert!(
            summary_len * 4 < report_len,
            "the summary ({summary_len} bytes) is much smaller than the report ({report_len})"
        );
    }

    /// Validates against `docs/batch-record.schema.json`, whose `report` refers to the report
    /// schema next to it by relative path.
    fn schema_errors(record: &Record) -> Vec<String> {
        struct Docs;
        impl jsonschema::Retrieve for Docs {
            fn retrieve(
                &self,
                uri: &jsonschema::Uri<String>,
            ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
                let name = uri.path().as_str().rsplit('/').next().unwrap_or_default();
                Ok(serde_json::from_str(&read_doc(name))?)
            }
        }
        fn read_doc(name: &str) -> String {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("docs")
                .join(name);
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        }
        let schema: serde_json::Value =
            serde_json::from_str(&read_doc("batch-record.schema.json")).unwrap();
        let validator = jsonschema::options()
            .with_retriever(Docs)
            .build(&schema)
            .expect("schema compiles");
        let instance: serde_json::Value = serde_json::from_str(&record.to_line()).unwrap();
        validator
            .iter_errors(&instance)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect()
    }

    #[test]
    fn records_validate_against_the_documented_schema() {
        let report = fixture_report("vidshare.apks");
        let mut records = not_scanned();
        records.push(Record::ok("v.apks", sha('0'), 1, report.clone(), false));
        records.push(Record::ok("v.apks", sha('0'), 1, report, true));
        for record in &records {
            assert_eq!(schema_errors(record), Vec::<String>::new(), "{record:?}");
        }

        let mut mixed = records.last().unwrap().clone();
        mixed.error = Some("an ok record with an error".to_owned());
        assert!(!schema_errors(&mixed).is_empty());
        let mut both = records[records.len() - 2].clone();
        both.summary = mixed.summary.clone();
        assert!(
            !schema_errors(&both).is_empty(),
            "report and summary at once"
        );
        let mut bad_report = records[records.len() - 2].clone();
        bad_report.report.as_mut().unwrap().schema_version = "9.0".to_owned();
        assert!(
            !schema_errors(&bad_report).is_empty(),
            "the report is checked against the report schema"
        );
    }
}
