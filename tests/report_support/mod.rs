//! A rich sample report for the renderer tests: every field of the model populated, optional
//! fields both set and unset, and hostile strings (markup, quotes, ANSI escapes, newlines, bidi
//! overrides, Markdown table and link syntax) where an APK could put them.
#![allow(dead_code)]

use std::collections::BTreeMap;

use dossier::Anomaly;
use dossier::report::*;

pub const SCRIPT: &str = "<script>alert('x')</script>";
pub const ANSI: &str = "\u{1b}[2J\u{1b}[31mred\u{1b}]0;title\u{7}";
pub const BIDI: &str = "\u{202e}moc.live";

pub fn evidence(
    kind: EvidenceKind,
    rule: &str,
    strength: Strength,
    detail: &str,
    location: &str,
    collector: Option<&str>,
) -> Evidence {
    Evidence {
        kind,
        rule: rule.to_owned(),
        strength,
        detail: detail.to_owned(),
        location: loc(location),
        collector: collector.map(str::to_owned),
        standing: match (kind, strength) {
            (EvidenceKind::Permission | EvidenceKind::Component | EvidenceKind::MetaData, _) => {
                Standing::Declared
            }
            (_, Strength::Called) => Standing::Collects,
            _ => Standing::Weak,
        },
        exemption: None,
        path: None,
    }
}

/// Gives each sample category the verdict its evidence's standings support, as the analysis
/// would: collected when an item collects, possible otherwise; the reason names a hostile
/// string so that renderers must escape it.
fn judge_samples(report: &mut Report) {
    for category in &mut report.categories {
        let collecting: Vec<String> = category
            .evidence
            .iter()
            .filter(|e| e.standing == Standing::Collects)
            .filter_map(|e| e.collector.clone())
            .collect();
        if collecting.is_empty() {
            category.verdict = Verdict::Possible;
            category.verdict_reason = format!("the API is only referenced, never called {SCRIPT}");
            category.collected_by = Vec::new();
        } else {
            category.verdict = Verdict::Collected;
            category.verdict_reason = format!("by {}: Api.get", collecting.join(", "));
            let mut who = collecting;
            who.sort();
            who.dedup();
            category.collected_by = who;
        }
    }
}

/// A location from its text form for people: `member!entry`, then one space and a DEX method
/// (`Lcom/x/Y;->m(I)V`) or class; the empty text is no location.
pub fn loc(text: &str) -> Option<Location> {
    if text.is_empty() {
        return None;
    }
    let (artifact, code) = match text.split_once(' ') {
        Some((artifact, code)) => (artifact, Some(code)),
        None => (text, None),
    };
    let (member, entry) = match artifact.split_once('!') {
        Some((member, entry)) => (Some(member), entry),
        None => (None, artifact),
    };
    let mut location = Location::entry(member, entry);
    if let Some(code) = code {
        match code.split_once("->") {
            Some((class, member)) => {
                let (name, proto) = match member.find('(') {
                    Some(at) => (&member[..at], &member[at..]),
                    None => (member, ""),
                };
                location.class = Some(class.to_owned());
                location.method = Some(name.to_owned());
                location.proto = Some(proto.to_owned());
            }
            None => location.class = Some(code.to_owned()),
        }
    }
    Some(location)
}

/// A call site from its DEX entry (`member!entry`) and calling method signature.
pub fn site(dex: &str, method: &str, collector: &str) -> CallSite {
    CallSite {
        location: loc(&format!("{dex} {method}")).unwrap(),
        collector: collector.to_owned(),
        unreachable: false,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

pub fn sample() -> Report {
    let mut report = Report {
        schema_version: SCHEMA_VERSION.to_owned(),
        tool: ToolInfo {
            name: "dossier".to_owned(),
            version: "0.1.0".to_owned(),
            rules_digest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".to_owned(),
        },
        status: ScanStatus {
            state: ScanState::Partial,
            reasons: vec![Anomaly::new(
                "dex.unreadable",
                "split_editor.apk!classes2.dex",
                format!("not a DEX file {SCRIPT}"),
            )],
            truncated: vec!["endpoints".to_owned()],
        },
        filter: None,
        input: InputInfo {
            path: "samples/vid share|\"evil\".apks".to_owned(),
            sha256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae".to_owned(),
            size: 12_582_912,
            kind: InputKind::SplitSet,
            members: strings(&["base.apk", "split_config.arm64_v8a.apk", "split_editor.apk"]),
        },
        app: AppInfo {
            package: Some("com.example.vidshare".to_owned()),
            version_code: Some(4_200_001),
            version_name: Some(format!("4.2 {ANSI}")),
            min_sdk: Some(21),
            target_sdk: Some(34),
            label: Some(format!("VidShare {SCRIPT} | *bold* [x](javascript:alert(1))\nsecond line")),
        },
        permissions: vec![
            PermissionEntry {
                name: "android.permission.READ_CONTACTS".to_owned(),
                protection: Some("dangerous".to_owned()),
                max_sdk: None,
                sdk23: false,
                categories: strings(&["contacts"]),
            },
            PermissionEntry {
                name: "android.permission.ACCESS_FINE_LOCATION".to_owned(),
                protection: Some("dangerous".to_owned()),
                max_sdk: None,
                sdk23: true,
                categories: strings(&["location_precise"]),
            },
            PermissionEntry {
                name: format!("com.evil.permission.{SCRIPT}"),
                protection: None,
                max_sdk: Some(28),
                sdk23: false,
                categories: vec![],
            },
            PermissionEntry {
                name: "android.permission.INTERNET".to_owned(),
                protection: Some("normal".to_owned()),
                max_sdk: None,
                sdk23: false,
                categories: vec![],
            },
        ],
        categories: vec![
            CategoryFinding {
                id: "location_precise".to_owned(),
                title: "Precise location".to_owned(),
                strength: Strength::Called,
                collectors: strings(&["app", "appsflyer"]),
                play: "Location › Precise location".to_owned(),
                apple: "Location › Precise Location".to_owned(),
                evidence: vec![
                    evidence(
                        EvidenceKind::Permission,
                        "location.fine_permission",
                        Strength::Declared,
                        "android.permission.ACCESS_FINE_LOCATION",
                        "AndroidManifest.xml",
                        None,
                    ),
                    evidence(
                        EvidenceKind::ApiCall,
                        "location.last_known",
                        Strength::Called,
                        "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;",
                        "classes2.dex Lcom/example/vidshare/Geo;->where()V",
                        Some("app"),
                    ),
                    evidence(
                        EvidenceKind::Override,
                        "location.listener",
                        Strength::Called,
                        "Landroid/location/LocationListener;->onLocationChanged(Landroid/location/Location;)V",
                        "classes2.dex Lcom/example/vidshare/GeoListener;->onLocationChanged(Landroid/location/Location;)V",
                        Some("app"),
                    ),
                    evidence(
                        EvidenceKind::Reflection,
                        "location.fused_reflective",
                        Strength::Reflective,
                        "com.google.android.gms.location.FusedLocationProviderClient getLastLocation",
                        "split_editor.apk!classes.dex Lcom/appsflyer/internal/AFb1x;->c()V",
                        Some("appsflyer"),
                    ),
                ],
                notes: vec![format!("targetSdk 34 needs a runtime grant {SCRIPT}")],
                truncated: false,
                verdict: Verdict::Possible,
                verdict_reason: String::new(),
                collected_by: Vec::new(),
            },
            CategoryFinding {
                id: "contacts".to_owned(),
                title: format!("Contacts {ANSI} | pipe"),
                strength: Strength::Referenced,
                collectors: strings(&["app"]),
                play: "Contacts › Contacts".to_owned(),
                apple: "Contacts".to_owned(),
                evidence: vec![
                    evidence(
                        EvidenceKind::String,
                        "contacts.content_uri",
                        Strength::Referenced,
                        "content://com.android.contacts|<b>",
                        "classes.dex Lcom/example/vidshare/Friends;->load()V",
                        Some("app"),
                    ),
                    evidence(
                        EvidenceKind::Permission,
                        "contacts.read_permission",
                        Strength::Declared,
                        "android.permission.READ_CONTACTS",
                        "AndroidManifest.xml",
                        None,
                    ),
                ],
                notes: vec![],
                truncated: false,
                verdict: Verdict::Possible,
                verdict_reason: String::new(),
                collected_by: Vec::new(),
            },
            CategoryFinding {
                id: "device_ids".to_owned(),
                title: "Device or other IDs".to_owned(),
                strength: Strength::Native,
                collectors: strings(&["app", "unlisted_sdk"]),
                play: "Device or other IDs".to_owned(),
                apple: "Identifiers › Device ID".to_owned(),
                evidence: vec![evidence(
                    EvidenceKind::NativeImport,
                    "device_ids.native_getifaddrs",
                    Strength::Native,
                    "getifaddrs",
                    "split_config.arm64_v8a.apk!lib/arm64-v8a/libvid.so",
                    Some("app"),
                )],
                notes: vec![],
                truncated: false,
                verdict: Verdict::Possible,
                verdict_reason: String::new(),
                collected_by: Vec::new(),
            },
        ],
        api_calls: vec![
            ApiCall {
                api: "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;".to_owned(),
                rule: "location.last_known".to_owned(),
                categories: strings(&["location_precise"]),
                strength: Strength::Called,
                missing_permissions: vec![],
                sites: vec![
                    site("classes2.dex", "Lcom/example/vidshare/Geo;->where()V", "app"),
                    site("split_editor.apk!classes.dex", &format!("Lcom/appsflyer/{SCRIPT};->run{ANSI}()V"), "appsflyer"),
                ],
                truncated: false,
            },
            ApiCall {
                api: "Landroid/os/Build;->SERIAL:Ljava/lang/String;".to_owned(),
                rule: "device_ids.build_serial".to_owned(),
                categories: strings(&["device_ids"]),
                strength: Strength::Referenced,
                missing_permissions: strings(&["android.permission.READ_PRIVILEGED_PHONE_STATE"]),
                sites: vec![],
                truncated: true,
            },
        ],
        trackers: vec![
            TrackerFinding {
                id: "appsflyer".to_owned(),
                name: "AppsFlyer".to_owned(),
                confirmed: true,
                categories: strings(&["app_interactions", "advertising_id"]),
                owner: Some("appsflyer".to_owned()),
                owner_name: Some("AppsFlyer <script>x</script>".to_owned()),
                country: Some("IL".to_owned()),
                website: Some("https://www.appsflyer.com".to_owned()),
                class_count: 412,
                evidence: vec![
                    evidence(
                        EvidenceKind::Tracker,
                        "appsflyer",
                        Strength::Referenced,
                        "com.appsflyer.",
                        "split_editor.apk!classes.dex",
                        Some("appsflyer"),
                    ),
                    evidence(
                        EvidenceKind::String,
                        "appsflyer",
                        Strength::Referenced,
                        "appsflyer.com",
                        "resources.arsc",
                        None,
                    ),
                ],
            },
            TrackerFinding {
                id: "evil_sdk".to_owned(),
                name: format!("Evil {SCRIPT}"),
                confirmed: true,
                categories: vec![],
                owner: None,
                owner_name: None,
                country: None,
                website: Some("javascript:alert(document.cookie)".to_owned()),
                class_count: 3,
                evidence: vec![evidence(
                    EvidenceKind::MetaData,
                    "evil_sdk",
                    Strength::Declared,
                    "com.evil.API_KEY",
                    "AndroidManifest.xml",
                    None,
                )],
            },
        ],
        endpoints: vec![
            Endpoint {
                url: "https://t.appsflyer.com/api/v6".to_owned(),
                kind: EndpointKind::Endpoint,
                host: "t.appsflyer.com".to_owned(),
                port: None,
                owner: Some("appsflyer".to_owned()),
                owner_name: Some("AppsFlyer Ltd.".to_owned()),
                country: Some("IL".to_owned()),
                trackers: strings(&["appsflyer"]),
                sources: vec![EndpointSource {
                    kind: SourceKind::Dex,
                    location: loc("split_editor.apk!classes.dex Lcom/appsflyer/internal/AFb1x;->c()V").unwrap(),
                    collector: Some("appsflyer".to_owned()),
                    encoding: None,
                }],
                truncated: false,
                used_by: Vec::new(),
            },
            Endpoint {
                url: format!("http://{BIDI}:8080/x?q=\"><img src=x onerror=alert(1)>|"),
                kind: EndpointKind::Endpoint,
                host: BIDI.to_owned(),
                port: Some(8080),
                owner: None,
                owner_name: None,
                country: None,
                trackers: vec![],
                sources: vec![
                    EndpointSource {
                        kind: SourceKind::Native,
                        location: loc("split_config.arm64_v8a.apk!lib/arm64-v8a/libvid.so").unwrap(),
                        collector: None,
                        encoding: None,
                    },
                    EndpointSource {
                        kind: SourceKind::Asset,
                        location: loc("assets/config.json").unwrap(),
                        collector: None,
                        encoding: None,
                    },
                ],
                truncated: false,
                used_by: Vec::new(),
            },
            Endpoint {
                url: "https://firebaseinstallations.googleapis.com".to_owned(),
                kind: EndpointKind::Endpoint,
                host: "firebaseinstallations.googleapis.com".to_owned(),
                port: None,
                owner: Some("google".to_owned()),
                owner_name: Some("Google LLC".to_owned()),
                country: Some("US".to_owned()),
                trackers: vec![],
                sources: vec![EndpointSource {
                    kind: SourceKind::Resource,
                    location: loc("resources.arsc").unwrap(),
                    collector: None,
                    encoding: None,
                }],
                truncated: false,
                used_by: Vec::new(),
            },
            Endpoint {
                url: "10.0.2.2".to_owned(),
                kind: EndpointKind::Endpoint,
                host: "10.0.2.2".to_owned(),
                port: None,
                owner: None,
                owner_name: None,
                country: None,
                trackers: vec![],
                sources: vec![EndpointSource {
                    kind: SourceKind::Dex,
                    location: loc("classes.dex Lcom/example/vidshare/Debug;->host()Ljava/lang/String;").unwrap(),
                    collector: Some("app".to_owned()),
                    encoding: None,
                }],
                truncated: false,
                used_by: Vec::new(),
            },
            Endpoint {
                url: "https://c2.example.net/gate".to_owned(),
                kind: EndpointKind::Endpoint,
                host: "c2.example.net".to_owned(),
                port: None,
                owner: None,
                owner_name: None,
                country: None,
                trackers: vec![],
                sources: vec![EndpointSource {
                    kind: SourceKind::Dex,
                    location: loc("classes.dex Lcom/example/vidshare/Sync;->run()V").unwrap(),
                    collector: Some("app".to_owned()),
                    encoding: Some(SourceEncoding::Base64),
                }],
                truncated: false,
                used_by: Vec::new(),
            },
            Endpoint {
                url: "https://play.google.com/store/apps/details?id=com.example.vidshare".to_owned(),
                kind: EndpointKind::Link,
                host: "play.google.com".to_owned(),
                port: None,
                owner: Some("google".to_owned()),
                owner_name: Some("Google LLC".to_owned()),
                country: Some("US".to_owned()),
                trackers: vec![],
                sources: vec![EndpointSource {
                    kind: SourceKind::Resource,
                    location: loc("resources.arsc").unwrap(),
                    collector: None,
                    encoding: None,
                }],
                truncated: false,
                used_by: Vec::new(),
            },
        ],
        native_libs: vec![NativeLib {
            location: loc("split_config.arm64_v8a.apk!lib/arm64-v8a/libvid.so").unwrap(),
            abi: "arm64-v8a".to_owned(),
            needed: strings(&["libc.so", "liblog.so"]),
            imports: strings(&["getifaddrs"]),
            jni_exports: strings(&[&format!("Java_com_example_vidshare_Native_{SCRIPT}")]),
            categories: strings(&["device_ids"]),
        }],
        exported_components: vec![
            ExportedComponent {
                kind: "activity".to_owned(),
                name: "com.example.vidshare.MainActivity".to_owned(),
                permission: None,
            },
            ExportedComponent {
                kind: "service".to_owned(),
                name: format!("com.example.vidshare.Sync{SCRIPT}"),
                permission: Some("android.permission.BIND_JOB_SERVICE".to_owned()),
            },
        ],
        collectors: vec![
            Collector {
                id: "app".to_owned(),
                name: "App code".to_owned(),
                kind: CollectorKind::App,
            },
            Collector {
                id: "appsflyer".to_owned(),
                name: "AppsFlyer".to_owned(),
                kind: CollectorKind::Tracker,
            },
        ],
        anomalies: vec![
            Anomaly::new("zip.crc_mismatch", "base.apk!classes2.dex", "stored CRC differs; Android ignores it"),
            Anomaly::new("axml.unknown_chunk", "AndroidManifest.xml@0x1a4", format!("chunk type 0x0777 skipped {ANSI}")),
            Anomaly::new("zip.crc_mismatch", "base.apk!resources.arsc", "stored CRC differs"),
        ],
    };
    judge_samples(&mut report);
    report.normalize();
    report
}

pub fn rule_docs() -> BTreeMap<String, RuleDocText> {
    let mut docs = BTreeMap::new();
    docs.insert(
        "location.last_known".to_owned(),
        RuleDocText {
            what: "Reads the last known location from LocationManager. Covers every provider.".to_owned(),
            why: "A precise position reveals home, work and habits.".to_owned(),
            references: strings(&[
                "https://developer.android.com/reference/android/location/LocationManager#getLastKnownLocation(java.lang.String)",
            ]),
        },
    );
    docs.insert(
        "appsflyer".to_owned(),
        RuleDocText {
            what: "The AppsFlyer attribution SDK.".to_owned(),
            why: "Sends install and in-app events to AppsFlyer.".to_owned(),
            references: strings(&["not a url"]),
        },
    );
    docs
}

/// Reverses every array of the report (and the arrays inside its elements), so tests can check
/// that normalisation, not the builder's order, decides the output.
pub fn scrambled(report: &Report) -> Report {
    let mut r = report.clone();
    r.permissions.reverse();
    r.categories.reverse();
    for c in &mut r.categories {
        c.collectors.reverse();
        c.evidence.reverse();
        c.notes.reverse();
        c.evidence.push(c.evidence[0].clone());
    }
    r.api_calls.reverse();
    for a in &mut r.api_calls {
        a.sites.reverse();
        a.categories.reverse();
    }
    r.trackers.reverse();
    for t in &mut r.trackers {
        t.evidence.reverse();
        t.categories.reverse();
    }
    r.endpoints.rotate_left(1);
    for e in &mut r.endpoints {
        e.sources.reverse();
    }
    r.native_libs.reverse();
    for l in &mut r.native_libs {
        l.needed.reverse();
    }
    r.collectors.reverse();
    r.anomalies.reverse();
    r.anomalies.push(r.anomalies[0].clone());
    r
}

/// id, title, Play label, Apple label, (collector, strength) cells.
type CategoryRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, Strength)],
);

/// A plausible report of a mid-sized app, without hostile strings: what a person would see, for
/// the HTML screenshot.
pub fn realistic() -> Report {
    let mut report = sample();
    report.input.path = "apks/com.example.vidshare_4.2.apks".to_owned();
    report.app.label = Some("VidShare".to_owned());
    report.app.version_name = Some("4.2.0".to_owned());
    report
        .permissions
        .retain(|p| p.name.starts_with("android."));
    let collectors = [
        ("app", "App code", CollectorKind::App),
        ("appsflyer", "AppsFlyer", CollectorKind::Tracker),
        ("facebook_sdk", "Facebook SDK", CollectorKind::Tracker),
        (
            "firebase_analytics",
            "Firebase Analytics",
            CollectorKind::Tracker,
        ),
        ("google_ads", "Google Mobile Ads", CollectorKind::Tracker),
        ("okhttp", "OkHttp", CollectorKind::Library),
    ];
    report.collectors = collectors
        .iter()
        .map(|(id, name, kind)| Collector {
            id: (*id).to_owned(),
            name: (*name).to_owned(),
            kind: *kind,
        })
        .collect();
    let rows: [CategoryRow; 9] = [
        (
            "location_precise",
            "Precise location",
            "Location › Precise location",
            "Location › Precise Location",
            &[
                ("app", Strength::Called),
                ("appsflyer", Strength::Reflective),
            ],
        ),
        (
            "location_approximate",
            "Approximate location",
            "Location › Approximate location",
            "Location › Coarse Location",
            &[("google_ads", Strength::Called)],
        ),
        (
            "contacts",
            "Contacts",
            "Contacts › Contacts",
            "Contacts",
            &[("app", Strength::Referenced)],
        ),
        (
            "device_ids",
            "Device or other IDs",
            "Device or other IDs",
            "Identifiers › Device ID",
            &[
                ("app", Strength::Native),
                ("appsflyer", Strength::Called),
                ("facebook_sdk", Strength::Called),
            ],
        ),
        (
            "advertising_id",
            "Advertising ID",
            "Device or other IDs",
            "Identifiers › Device ID",
            &[
                ("appsflyer", Strength::Called),
                ("facebook_sdk", Strength::Called),
                ("firebase_analytics", Strength::Called),
                ("google_ads", Strength::Called),
            ],
        ),
        (
            "device_info",
            "Device information",
            "App info and performance › Diagnostics",
            "Diagnostics › Other Diagnostic Data",
            &[
                ("app", Strength::Called),
                ("appsflyer", Strength::Called),
                ("facebook_sdk", Strength::Called),
                ("google_ads", Strength::Called),
                ("okhttp", Strength::Referenced),
            ],
        ),
        (
            "network_info",
            "Network information",
            "App info and performance › Diagnostics",
            "Diagnostics",
            &[
                ("app", Strength::Declared),
                ("google_ads", Strength::Called),
            ],
        ),
        (
            "installed_apps",
            "Installed apps",
            "App activity › Installed apps",
            "Usage Data › Other Usage Data",
            &[("facebook_sdk", Strength::Referenced)],
        ),
        (
            "app_interactions",
            "In-app behaviour",
            "App activity › App interactions",
            "Usage Data › Product Interaction",
            &[
                ("firebase_analytics", Strength::Called),
                ("appsflyer", Strength::Called),
            ],
        ),
    ];
    report.categories = rows
        .iter()
        .map(|(id, title, play, apple, cells)| CategoryFinding {
            id: (*id).to_owned(),
            title: (*title).to_owned(),
            strength: cells.iter().map(|c| c.1).max().unwrap(),
            collectors: cells.iter().map(|c| c.0.to_owned()).collect(),
            play: (*play).to_owned(),
            apple: (*apple).to_owned(),
            evidence: cells
                .iter()
                .map(|(who, strength)| {
                    evidence(
                        EvidenceKind::ApiCall,
                        &format!("{id}.example"),
                        *strength,
                        "Landroid/example/Api;->get()Ljava/lang/String;",
                        &format!("classes.dex Lcom/{who}/Impl;->collect()V"),
                        Some(who),
                    )
                })
                .collect(),
            notes: vec![],
            truncated: false,
            verdict: Verdict::Possible,
            verdict_reason: String::new(),
            collected_by: Vec::new(),
        })
        .collect();
    report.trackers[1] = TrackerFinding {
        id: "facebook_sdk".to_owned(),
        name: "Facebook SDK".to_owned(),
        confirmed: true,
        categories: strings(&["advertising_id", "app_interactions"]),
        owner: Some("meta".to_owned()),
        owner_name: Some("Meta Platforms".to_owned()),
        country: Some("US".to_owned()),
        website: Some("https://developers.facebook.com".to_owned()),
        class_count: 1873,
        evidence: vec![evidence(
            EvidenceKind::Tracker,
            "facebook_sdk",
            Strength::Referenced,
            "com.facebook.",
            "classes3.dex",
            Some("facebook_sdk"),
        )],
    };
    report.endpoints[1].url = "https://api.vidshare.example/v2/upload".to_owned();
    report.endpoints[1].host = "api.vidshare.example".to_owned();
    report.endpoints.push(Endpoint {
        url: "https://graph.facebook.com".to_owned(),
        kind: EndpointKind::Endpoint,
        host: "graph.facebook.com".to_owned(),
        port: None,
        owner: Some("meta".to_owned()),
        owner_name: Some("Meta Platforms, Inc.".to_owned()),
        country: Some("US".to_owned()),
        trackers: strings(&["facebook_sdk"]),
        sources: vec![],
        truncated: false,
        used_by: Vec::new(),
    });
    for anomaly in &mut report.anomalies {
        anomaly.detail = "stored CRC differs; Android ignores it".to_owned();
    }
    report.native_libs[0].jni_exports = strings(&["Java_com_example_vidshare_Native_init"]);
    judge_samples(&mut report);
    report.normalize();
    report
}
