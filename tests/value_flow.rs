//! Values that reach a call (`fixtures/apps/valueflow`): the constant strings followed register by
//! register to each call's arguments, in the DEX facts (`Sites::arguments`) and in the report —
//! endpoints used by a network API, URLs built with `StringBuilder` or decoded from base64, and a
//! `with_strings` rule judged by the key passed to its method rather than a string nearby.

mod common;

use std::collections::BTreeMap;

use dossier::dex::values::How;
use dossier::report::{EvidenceKind, Report, SourceEncoding};

fn scanner() -> dossier::Scanner {
    dossier::Scanner::with_builtin_rules().expect("built-in rules")
}

fn report() -> Report {
    scanner()
        .scan_path(&common::fixture("valueflow.apk"))
        .expect("scan valueflow.apk")
}

/// `method -> [(calling method, argument, value, how)]` of the fixture's DEX.
fn arguments() -> BTreeMap<String, Vec<(String, u8, String, How)>> {
    let scanner = scanner();
    let input = scanner
        .open_path(&common::fixture("valueflow.apk"))
        .expect("open");
    let scans = scanner.dex(&input, &mut Vec::new());
    let sites = scans[0].facts.sites.as_ref().expect("sites");
    sites
        .arguments
        .iter()
        .map(|(method, values)| {
            let values = values
                .iter()
                .map(|v| {
                    let caller = &sites.callers[v.site.caller as usize].method.name;
                    (caller.to_string(), v.argument, v.value.to_string(), v.how)
                })
                .collect();
            (method.to_string(), values)
        })
        .collect()
}

fn entry(text: &str, argument: u8, caller: &str, how: How) -> (String, u8, String, How) {
    (caller.to_owned(), argument, text.to_owned(), how)
}

#[test]
fn constants_are_followed_to_the_arguments_they_reach() {
    let found = arguments();
    let at = |method: &str| {
        found
            .get(method)
            .unwrap_or_else(|| panic!("no values for {method}: {found:#?}"))
    };
    assert_eq!(
        at("Ljava/net/URL;-><init>(Ljava/lang/String;)V"),
        &[entry(
            "https://telemetry.flowmark.xyz/v2/collect",
            1,
            "telemetry",
            How::Built
        )]
    );
    assert_eq!(
        at("Lokhttp3/Request$Builder;->url(Ljava/lang/String;)Lokhttp3/Request$Builder;"),
        &[entry(
            "https://c2.flowmark-panel.top/gate",
            1,
            "gate",
            How::Base64
        )]
    );
    assert_eq!(
        at("Landroid/webkit/WebView;->loadUrl(Ljava/lang/String;)V"),
        &[entry(
            "https://portal.flowmark.xyz/home",
            1,
            "portal",
            How::Literal
        )]
    );
    // Through `Uri.parse`, into the range invoke of `query`.
    assert_eq!(
        at(
            "Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;"
        ),
        &[entry("content://sms/inbox", 1, "inbox", How::Literal)]
    );
    // Each key reaches its own call: the decoy's "android_id" goes to the preferences.
    let mut keys = at("Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;").clone();
    keys.sort();
    assert_eq!(
        keys,
        [
            entry("bluetooth_name", 1, "bluetoothName", How::Literal),
            entry("android_id", 1, "deviceId", How::Literal),
        ]
    );
    assert_eq!(
        at(
            "Landroid/content/SharedPreferences;->getString(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;"
        ),
        &[entry("android_id", 1, "bluetoothName", How::Literal)]
    );
    // The builder's pieces are not recorded as arguments of `append`.
    assert!(
        !found
            .keys()
            .any(|m| m.starts_with("Ljava/lang/StringBuilder;"))
    );
}

#[test]
fn endpoints_reaching_network_apis_are_used_and_built_ones_are_found() {
    let report = report();
    let endpoint = |url: &str| {
        report
            .endpoints
            .iter()
            .find(|e| e.url == url)
            .unwrap_or_else(|| panic!("no endpoint {url}: {:#?}", report.endpoints))
    };
    // No constant holds this URL: it is found because the built string reaches URL.<init>.
    let built = endpoint("https://telemetry.flowmark.xyz/v2/collect");
    assert_eq!(
        built.used_by,
        ["Ljava/net/URL;-><init>(Ljava/lang/String;)V"]
    );
    assert_eq!(built.sources.len(), 1);
    assert_eq!(built.sources[0].encoding, Some(SourceEncoding::Built));
    assert_eq!(
        built.sources[0].location.method.as_deref(),
        Some("telemetry")
    );
    let decoded = endpoint("https://c2.flowmark-panel.top/gate");
    assert_eq!(
        decoded.used_by,
        ["Lokhttp3/Request$Builder;->url(Ljava/lang/String;)Lokhttp3/Request$Builder;"]
    );
    // One source: the base64 constant of the same method, not a second one at the call.
    assert_eq!(decoded.sources.len(), 1);
    assert_eq!(decoded.sources[0].encoding, Some(SourceEncoding::Base64));
    let page = endpoint("https://portal.flowmark.xyz/home");
    assert_eq!(
        page.used_by,
        ["Landroid/webkit/WebView;->loadUrl(Ljava/lang/String;)V"]
    );
    assert_eq!(report.endpoints.len(), 3, "{:#?}", report.endpoints);
}

#[test]
fn with_strings_matches_the_key_passed_to_the_call() {
    let report = report();
    let device_ids = report
        .categories
        .iter()
        .find(|c| c.id == "device_ids")
        .expect("device_ids");
    let call_sites: Vec<&str> = device_ids
        .evidence
        .iter()
        .filter(|e| e.rule == "android_id" && e.kind == EvidenceKind::ApiCall)
        .filter_map(|e| e.location.as_ref()?.method.as_deref())
        .collect();
    assert_eq!(call_sites, ["deviceId"]);
    let api = report
        .api_calls
        .iter()
        .find(|a| a.rule == "android_id")
        .expect("android_id call");
    let callers: Vec<&str> = api
        .sites
        .iter()
        .filter_map(|s| s.location.method.as_deref())
        .collect();
    assert_eq!(callers, ["deviceId"], "the decoy reads the Bluetooth name");
}

#[test]
fn arguments_are_in_the_dex_json_with_sites() {
    let scanner = scanner();
    let input = scanner
        .open_path(&common::fixture("valueflow.apk"))
        .expect("open");
    let scans = scanner.dex(&input, &mut Vec::new());
    let facts: Vec<_> = scans.into_iter().map(|s| s.facts).collect();
    let json: serde_json::Value =
        serde_json::from_str(&dossier::dex::to_json(&facts)).expect("JSON");
    let built =
        &json["dex"][0]["sites"]["arguments"]["Ljava/net/URL;-><init>(Ljava/lang/String;)V"][0];
    assert_eq!(built["argument"], 1);
    assert_eq!(built["how"], "built");
    assert_eq!(built["value"], "https://telemetry.flowmark.xyz/v2/collect");
    let site = built["site"].as_str().expect("a site string");
    assert!(site.contains("@0x"), "{site}");
}
