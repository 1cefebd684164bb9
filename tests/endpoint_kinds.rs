//! Endpoints and links (schema 2.1): on the `beacon` fixture, URLs hidden in base64 and hex are
//! endpoints that say how they were written, pages for people are links, and strings that are
//! neither are not reported; on the real corpus (skipped when absent), none of the false-positive
//! patterns of issue 8 comes back.

mod common;

use std::path::PathBuf;

use dossier::report::{Endpoint, EndpointKind, Report, SourceEncoding};

fn scan(path: &std::path::Path) -> Report {
    let scanner = dossier::Scanner::with_builtin_rules().expect("built-in rules load");
    scanner.scan_path(path).expect("input scans")
}

fn find<'r>(report: &'r Report, url: &str) -> Option<&'r Endpoint> {
    report.endpoints.iter().find(|e| e.url == url)
}

#[test]
fn hidden_urls_are_endpoints_with_their_encoding() {
    let report = scan(&common::fixture("beacon.apk"));
    for (url, encoding) in [
        (
            "https://gate.hidden-panel.xyz/api/v1/report",
            SourceEncoding::Base64,
        ),
        (
            "wss://relay.hidden-panel.xyz/ws?id=~",
            SourceEncoding::Base64,
        ),
        ("http://198.51.100.23:8443/cmd", SourceEncoding::Hex),
    ] {
        let endpoint = find(&report, url).unwrap_or_else(|| panic!("{url} missing"));
        assert_eq!(endpoint.kind, EndpointKind::Endpoint, "{url}");
        assert!(
            endpoint
                .sources
                .iter()
                .all(|s| s.encoding == Some(encoding) && s.collector.as_deref() == Some("app")),
            "{url}: {:?}",
            endpoint.sources
        );
    }
}

#[test]
fn pages_are_links_and_the_rest_is_not_reported() {
    let report = scan(&common::fixture("beacon.apk"));
    for url in [
        "https://play.google.com/store/apps/details?id=com.example.beacon",
        "https://beacon-app.xyz/privacy-policy.html",
        "https://t.me/beacon_news",
        // Documentation in the app's own code is a page it shows.
        "http://logback.qos.ch/codes.html#appender_order",
    ] {
        let link = find(&report, url).unwrap_or_else(|| panic!("{url} missing"));
        assert_eq!(link.kind, EndpointKind::Link, "{url}");
    }
    let mut urls: Vec<&str> = report.endpoints.iter().map(|e| e.url.as_str()).collect();
    urls.sort();
    assert_eq!(
        urls.len(),
        7,
        "only the three endpoints and four links: {urls:?}"
    );
    // The library's own copy of its error-code page is dropped.
    assert!(find(&report, "http://logback.qos.ch/codes.html").is_none());
}

/// The corpus APKs, and the SDK apps when `DOSSIER_SDK_APPS` names their directory.
fn corpus_inputs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(root) = common::corpus() {
        dirs.push(root.join("apks"));
    }
    if let Some(dir) = std::env::var_os("DOSSIER_SDK_APPS") {
        dirs.push(PathBuf::from(dir));
    }
    let mut inputs: Vec<PathBuf> = dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "apk"))
        .collect();
    inputs.sort();
    inputs
}

/// Why a reported URL or host is one of the false positives issue 8 listed, if it is.
fn false_positive(endpoint: &Endpoint) -> Option<&'static str> {
    let url = endpoint.url.as_str();
    let host = endpoint.host.as_str();
    let bare = !url.contains("://");
    let labels: Vec<&str> = host.split('.').collect();
    if host.ends_with(".apps.googleusercontent.com") {
        return Some("OAuth client id");
    }
    let provider_ids = [
        "facebook.com",
        "playgames.google.com",
        "google.com",
        "twitter.com",
    ];
    if bare && provider_ids.contains(&host) {
        return Some("sign-in provider id");
    }
    if labels.len() > 1
        && labels[..labels.len() - 1]
            .iter()
            .all(|l| l.bytes().all(|b| b.is_ascii_digit()))
        && host.parse::<std::net::Ipv4Addr>().is_err()
    {
        return Some("version string");
    }
    if bare && ["msg", "intent", "this"].contains(&labels[0]) {
        return Some("message key");
    }
    if bare && ["offset.top", "pos.top", "props.top", "google.to"].contains(&host) {
        return Some("script property or message key");
    }
    let library_docs = [
        "logback.qos.ch/codes.html",
        "www.slf4j.org/codes.html",
        "netty.io/wiki/",
        "github.com/google/gson/blob/",
        "www.eclipse.org/jetty/documentation/",
        "logging.apache.org/log4j/1.2/faq.html",
    ];
    let only_libraries = endpoint.sources.iter().all(|s| {
        s.collector
            .as_deref()
            .is_some_and(|c| c != "app" && c != "obfuscated")
    });
    if only_libraries && library_docs.iter().any(|d| url.contains(d)) {
        return Some("library documentation link");
    }
    None
}

#[test]
fn no_false_positive_pattern_is_reported_on_the_corpus() {
    let inputs = corpus_inputs();
    if inputs.is_empty() {
        return;
    }
    let scanner = dossier::Scanner::with_builtin_rules().expect("built-in rules load");
    let mut problems = Vec::new();
    let (mut endpoints, mut links) = (0, 0);
    for input in &inputs {
        let Ok(report) = scanner.scan_path(input) else {
            continue;
        };
        for endpoint in &report.endpoints {
            match endpoint.kind {
                EndpointKind::Link => links += 1,
                _ => endpoints += 1,
            }
            if let Some(why) = false_positive(endpoint) {
                problems.push(format!("{}: {} ({why})", input.display(), endpoint.url));
            }
        }
    }
    eprintln!(
        "{} inputs: {endpoints} endpoints, {links} links",
        inputs.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(endpoints > 0 && links > 0);
}
