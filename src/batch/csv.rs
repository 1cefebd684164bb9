//! The flat table of `dossier batch --csv`: one long-format CSV (one header, fixed columns, a
//! `row` column saying what each row is) that pandas, R and DuckDB load with a single `read_csv`,
//! built from a record's summary, and its RFC 4180 quoting.
//!
//! Columns and row kinds are documented in `docs/batch.md` ("CSV (long format)"); the column
//! order is part of that contract and only ever grows at the end.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use super::record::{Record, Status, Summary};

/// The header, in column order.
pub const COLUMNS: [&str; 18] = [
    "path",
    "sha256",
    "package",
    "version_code",
    "version_name",
    "status",
    "row",
    "id",
    "name",
    "verdict",
    "strength",
    "collector",
    "collector_kind",
    "collects",
    "owner",
    "owner_name",
    "country",
    "detail",
];

/// What a row describes; rows of a record come in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RowKind {
    /// The input itself: exactly one per record, whatever its status.
    App,
    /// A data category and one collector whose evidence names it (or none).
    Category,
    /// A tracker SDK found in the app (bundled code or a hint).
    Tracker,
    /// A host the code can contact.
    Endpoint,
    /// A requested permission.
    Permission,
}

impl RowKind {
    /// The spelling in the `row` column.
    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::App => "app",
            RowKind::Category => "category",
            RowKind::Tracker => "tracker",
            RowKind::Endpoint => "endpoint",
            RowKind::Permission => "permission",
        }
    }
}

/// One CSV row. Text fields hold the empty string where a value does not apply; they are written
/// as they are, quoted when needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub path: String,
    pub sha256: String,
    pub package: String,
    pub version_code: Option<u64>,
    pub version_name: String,
    pub status: Status,
    pub kind: RowKind,
    pub id: String,
    pub name: String,
    pub verdict: String,
    pub strength: String,
    pub collector: String,
    pub collector_kind: String,
    /// For a category row with a collector: whether that collector is in the category's
    /// `collected_by`. `None` (written empty) on every other row.
    pub collects: Option<bool>,
    pub owner: String,
    pub owner_name: String,
    pub country: String,
    pub detail: String,
}

impl Row {
    /// The cells in [`COLUMNS`] order.
    pub fn cells(&self) -> [Cow<'_, str>; 18] {
        [
            Cow::Borrowed(self.path.as_str()),
            Cow::Borrowed(self.sha256.as_str()),
            Cow::Borrowed(self.package.as_str()),
            self.version_code
                .map_or(Cow::Borrowed(""), |v| Cow::Owned(v.to_string())),
            Cow::Borrowed(self.version_name.as_str()),
            Cow::Borrowed(self.status.as_str()),
            Cow::Borrowed(self.kind.as_str()),
            Cow::Borrowed(self.id.as_str()),
            Cow::Borrowed(self.name.as_str()),
            Cow::Borrowed(self.verdict.as_str()),
            Cow::Borrowed(self.strength.as_str()),
            Cow::Borrowed(self.collector.as_str()),
            Cow::Borrowed(self.collector_kind.as_str()),
            Cow::Borrowed(match self.collects {
                Some(true) => "true",
                Some(false) => "false",
                None => "",
            }),
            Cow::Borrowed(self.owner.as_str()),
            Cow::Borrowed(self.owner_name.as_str()),
            Cow::Borrowed(self.country.as_str()),
            Cow::Borrowed(self.detail.as_str()),
        ]
    }
}

/// The rows of one record: its `app` row first, then (for a scanned input) its categories ×
/// collectors, trackers, endpoint hosts and permissions, each sorted by id (then collector).
pub fn rows(record: &Record) -> Vec<Row> {
    let summary = record.summary();
    let app = summary.as_ref().map(|s| &s.app);
    let base = Row {
        path: record.path.clone(),
        sha256: record.sha256.clone().unwrap_or_default(),
        package: text(app.and_then(|a| a.package.as_ref())),
        version_code: app.and_then(|a| a.version_code),
        version_name: text(app.and_then(|a| a.version_name.as_ref())),
        status: record.status,
        kind: RowKind::App,
        id: String::new(),
        name: String::new(),
        verdict: String::new(),
        strength: String::new(),
        collector: String::new(),
        collector_kind: String::new(),
        collects: None,
        owner: String::new(),
        owner_name: String::new(),
        country: String::new(),
        detail: String::new(),
    };

    let mut rows = vec![Row {
        id: base.package.clone(),
        name: text(app.and_then(|a| a.label.as_ref())),
        detail: app_detail(record, summary.as_deref()),
        ..base.clone()
    }];
    if let Some(summary) = summary.as_deref() {
        category_rows(summary, &base, &mut rows);
        for tracker in &summary.trackers {
            rows.push(Row {
                kind: RowKind::Tracker,
                id: tracker.id.clone(),
                name: tracker.name.clone(),
                collector: tracker.id.clone(),
                collector_kind: "tracker".to_owned(),
                owner: text(tracker.owner.as_ref()),
                owner_name: text(tracker.owner_name.as_ref()),
                country: text(tracker.country.as_ref()),
                detail: if tracker.confirmed {
                    "confirmed"
                } else {
                    "hint"
                }
                .to_owned(),
                ..base.clone()
            });
        }
        for host in &summary.endpoint_hosts {
            rows.push(Row {
                kind: RowKind::Endpoint,
                id: host.host.clone(),
                owner: text(host.owner.as_ref()),
                owner_name: text(host.owner_name.as_ref()),
                country: text(host.country.as_ref()),
                detail: host.trackers.join(";"),
                ..base.clone()
            });
        }
        for permission in &summary.permissions {
            rows.push(Row {
                kind: RowKind::Permission,
                id: permission.name.clone(),
                detail: text(permission.protection.as_ref()),
                ..base.clone()
            });
        }
    }
    // The summary's lists are sorted already; sorting again makes the order this function
    // promises independent of that.
    rows.sort_by(|a, b| (a.kind, &a.id, &a.collector).cmp(&(b.kind, &b.id, &b.collector)));
    rows
}

/// One row per (category, collector); a category no collector's evidence names (found through
/// the manifest only) gets one row with an empty collector.
fn category_rows(summary: &Summary, base: &Row, rows: &mut Vec<Row>) {
    for category in &summary.categories {
        let row = Row {
            kind: RowKind::Category,
            id: category.id.clone(),
            name: category.title.clone(),
            verdict: spelling(&category.verdict),
            strength: spelling(&category.strength),
            ..base.clone()
        };
        if category.collectors.is_empty() {
            rows.push(row);
            continue;
        }
        for collector in &category.collectors {
            let kind = summary
                .collectors
                .iter()
                .find(|c| &c.id == collector)
                .map(|c| c.kind.as_str().to_owned())
                .unwrap_or_default();
            let tracker = summary.trackers.iter().find(|t| &t.id == collector);
            rows.push(Row {
                collector: collector.clone(),
                collector_kind: kind,
                collects: Some(category.collected_by.contains(collector)),
                owner: text(tracker.and_then(|t| t.owner.as_ref())),
                owner_name: text(tracker.and_then(|t| t.owner_name.as_ref())),
                country: text(tracker.and_then(|t| t.country.as_ref())),
                ..row.clone()
            });
        }
    }
}

/// Why a record is not `ok`, or for a scanned input whether every part was read.
fn app_detail(record: &Record, summary: Option<&Summary>) -> String {
    match record.status {
        Status::Ok => match summary {
            Some(summary) if summary.status.reasons.is_empty() => {
                summary.status.state.as_str().to_owned()
            }
            Some(summary) => format!(
                "{}: {}",
                summary.status.state.as_str(),
                summary.status.reasons.join(";")
            ),
            None => String::new(),
        },
        Status::Error | Status::Timeout => text(record.error.as_ref()),
        Status::Skipped => text(record.reason.as_ref()),
    }
}

/// The JSON spelling of one of the report's enums (`collected`, `called`): the same words the
/// JSON uses, also for values added later.
fn spelling<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(word)) => word,
        _ => String::new(),
    }
}

fn text(value: Option<&String>) -> String {
    value.cloned().unwrap_or_default()
}

/// Writes the header line.
pub fn write_header(out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}", COLUMNS.join(","))
}

/// Writes one row as one CSV record ending in `\n`. A field holding a comma, a double quote, a
/// carriage return or a line feed is quoted, its quotes doubled (RFC 4180); a NUL, which some
/// CSV readers stop at, is written as U+FFFD (the JSON Lines record keeps the exact text).
pub fn write_row(out: &mut impl Write, row: &Row) -> io::Result<()> {
    let mut line = String::new();
    for (index, cell) in row.cells().iter().enumerate() {
        if index > 0 {
            line.push(',');
        }
        push_field(&mut line, cell);
    }
    line.push('\n');
    // One write per row, so that a row is never interleaved with another writer's.
    out.write_all(line.as_bytes())
}

fn push_field(line: &mut String, field: &str) {
    let field: Cow<'_, str> = if field.contains('\0') {
        Cow::Owned(field.replace('\0', "\u{fffd}"))
    } else {
        Cow::Borrowed(field)
    };
    if field.contains([',', '"', '\r', '\n']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(&field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::record::tests::{fixture_report, not_scanned, sample_report, sha};

    fn csv_of(records: &[Record]) -> String {
        let mut out = Vec::new();
        write_header(&mut out).unwrap();
        for record in records {
            for row in rows(record) {
                write_row(&mut out, &row).unwrap();
            }
        }
        String::from_utf8(out).unwrap()
    }

    /// A reader of RFC 4180 as the tests need it: records of fields, quotes doubled inside
    /// quoted fields, line breaks allowed there.
    fn parse(text: &str) -> Vec<Vec<String>> {
        let mut records = Vec::new();
        let mut record = Vec::new();
        let mut field = String::new();
        let mut chars = text.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => field.push(c),
                (false, '"') if field.is_empty() => quoted = true,
                (false, ',') => record.push(std::mem::take(&mut field)),
                (false, '\n') => {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                (false, c) => field.push(c),
            }
        }
        assert!(
            !quoted && field.is_empty() && record.is_empty(),
            "ends with a line feed"
        );
        records
    }

    fn column(name: &str) -> usize {
        COLUMNS.iter().position(|c| *c == name).unwrap()
    }

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        let mut line = String::new();
        for field in [
            "plain",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\r",
            "",
            "nul\0",
        ] {
            push_field(&mut line, field);
            line.push('|');
        }
        assert_eq!(
            line,
            "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|\"cr\r\"||nul\u{fffd}|"
        );
    }

    #[test]
    fn every_row_has_every_column_and_reads_back() {
        let record = Record::ok("dir/a,b.apk", sha('f'), 7, sample_report(), false);
        let text = csv_of(std::slice::from_ref(&record));
        let parsed = parse(&text);
        assert_eq!(parsed[0], COLUMNS);
        for (parsed, row) in parsed[1..].iter().zip(rows(&record)) {
            let cells: Vec<String> = row.cells().iter().map(|c| c.to_string()).collect();
            assert_eq!(parsed, &cells);
        }
        assert_eq!(parsed.len(), 1 + rows(&record).len());
        assert_eq!(parsed[1][column("name")], "Geo, \"the\"\nmap\r\napp");
    }

    #[test]
    fn one_app_row_per_record_whatever_the_status() {
        let mut records = vec![
            Record::ok("a.apk", sha('0'), 1, sample_report(), false),
            Record::ok("a2.apk", sha('1'), 1, sample_report(), true),
        ];
        records.extend(not_scanned());
        let parsed = parse(&csv_of(&records));
        let apps: Vec<&Vec<String>> = parsed
            .iter()
            .filter(|r| r[column("row")] == "app")
            .collect();
        assert_eq!(apps.len(), records.len());
        let summary = |r: &Vec<String>| {
            [
                r[column("status")].clone(),
                r[column("id")].clone(),
                r[column("detail")].clone(),
            ]
        };
        assert_eq!(
            apps.iter().map(|r| summary(r)).collect::<Vec<_>>(),
            [
                ["ok", "com.example.geo", "partial: dex.unreadable"],
                ["ok", "com.example.geo", "partial: dex.unreadable"],
                ["error", "", "cannot read: permission denied"],
                ["timeout", "", "the scan did not finish within 60 s"],
                ["skipped", "", "not an Android input"],
                ["skipped", "", "same bytes as a.apk"],
            ]
            .map(|r| r.map(str::to_owned))
        );
        // Records that were not scanned have their app row only.
        assert_eq!(parsed.len(), 1 + 2 * rows(&records[0]).len() + 4);
        // Full and summary records give the same rows but for the path and hash.
        let strip = |mut row: Row| {
            row.path.clear();
            row.sha256.clear();
            row
        };
        assert_eq!(
            rows(&records[0]).into_iter().map(strip).collect::<Vec<_>>(),
            rows(&records[1]).into_iter().map(strip).collect::<Vec<_>>()
        );
    }

    #[test]
    fn categories_expand_to_one_row_per_collector() {
        let record = Record::ok("a.apk", sha('0'), 1, sample_report(), false);
        let all = rows(&record);
        let described: Vec<String> = all
            .iter()
            .map(|r| {
                let cells: Vec<String> = r.cells().iter().map(|c| c.to_string()).collect();
                [
                    "row",
                    "id",
                    "verdict",
                    "strength",
                    "collector",
                    "collector_kind",
                    "collects",
                    "owner",
                    "country",
                    "detail",
                ]
                .map(|name| cells[column(name)].clone())
                .join("|")
            })
            .collect();
        assert_eq!(
            described,
            [
                "app|com.example.geo||||||||partial: dex.unreadable",
                "category|contacts|possible|declared||||||",
                "category|location_precise|collected|called|app|app|false|||",
                "category|location_precise|collected|called|tencent_map|tracker|true|tencent|CN|",
                "tracker|tencent_map|||tencent_map|tracker||tencent|CN|confirmed",
                "endpoint|apis.map.qq.com||||||tencent|CN|tencent_map",
                "permission|android.permission.ACCESS_FINE_LOCATION||||||||dangerous",
            ]
        );
        assert!(all.iter().all(|r| r.version_code == Some(42)));
    }

    #[test]
    fn a_real_report_gives_consistent_rows() {
        let report = fixture_report("vidshare.apks");
        let summary = Summary::from_report(&report);
        let record = Record::ok("vidshare.apks", sha('0'), 1, report.clone(), false);
        let all = rows(&record);
        let count = |kind: RowKind| all.iter().filter(|r| r.kind == kind).count();
        assert_eq!(count(RowKind::App), 1);
        assert_eq!(all[0].kind, RowKind::App);
        let expected_categories: usize = report
            .categories
            .iter()
            .map(|c| c.collectors.len().max(1))
            .sum();
        assert_eq!(count(RowKind::Category), expected_categories);
        assert_eq!(count(RowKind::Tracker), report.trackers.len());
        assert_eq!(count(RowKind::Endpoint), summary.endpoint_hosts.len());
        assert_eq!(count(RowKind::Permission), report.permissions.len());
        assert!(count(RowKind::Category) > 0 && count(RowKind::Permission) > 0);
        for row in all
            .iter()
            .filter(|r| r.kind == RowKind::Category && !r.collector.is_empty())
        {
            let category = report.categories.iter().find(|c| c.id == row.id).unwrap();
            assert_eq!(
                row.collects,
                Some(category.collected_by.contains(&row.collector))
            );
            assert!(!row.collector_kind.is_empty(), "{row:?}");
        }
        let mut sorted = all.clone();
        sorted.sort_by(|a, b| (a.kind, &a.id, &a.collector).cmp(&(b.kind, &b.id, &b.collector)));
        assert_eq!(sorted, all);
    }

    /// Writes a sample CSV and JSON Lines file into `DOSSIER_BATCH_SAMPLE_DIR` when it is set, for
    /// `scripts/batch-csv-check.py` to load with pandas and DuckDB.
    #[test]
    fn write_sample_files_for_the_python_check() {
        let Some(dir) = std::env::var_os("DOSSIER_BATCH_SAMPLE_DIR") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut nul_label = sample_report();
        nul_label.app.package = Some("com.example.nul".to_owned());
        nul_label.app.version_name = Some("2.10".to_owned());
        nul_label.app.label = Some("nul\0label".to_owned());
        let mut records = vec![
            Record::ok(
                "fixtures/built/vidshare.apks",
                sha('a'),
                1,
                fixture_report("vidshare.apks"),
                false,
            ),
            Record::ok(
                "fixtures/built/beacon.apk",
                sha('b'),
                1,
                fixture_report("beacon.apk"),
                true,
            ),
            Record::ok("geo, \"quoted\".apk", sha('c'), 1, sample_report(), false),
            Record::ok("nul.apk", sha('d'), 1, nul_label, true),
        ];
        records.extend(not_scanned());
        std::fs::write(dir.join("sample.csv"), csv_of(&records)).unwrap();
        let lines: String = records.iter().map(|r| r.to_line() + "\n").collect();
        std::fs::write(dir.join("sample.jsonl"), lines).unwrap();
    }
}
