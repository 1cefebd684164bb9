//! A DEX whose methods all share one code item calling sensitive APIs (made at test time by
//! `dex_support/shared_code.rs`): the shared code is walked once, every method is still a caller
//! in the facts, and the report keeps a bounded number of sites per API, saying it cut them.

#[path = "dex_support/shared_code.rs"]
mod shared_code;

use dossier::dex::{self, ScanOptions, scan::CodeWalks};
use shared_code::{INVOKED, URL, shared_code_dex};

/// Enough methods that a cost per site of the old path (a located call site made for every use
/// of every API) would show, few enough for a debug build to scan in about a second.
const METHODS: u32 = 20_000;

#[test]
fn a_shared_code_item_is_walked_once_and_replayed_for_every_other_method() {
    let bytes = shared_code_dex(METHODS);
    let sections = dex::parse_sections(&bytes, "shared.dex").expect("a well-formed DEX");
    for sites in [false, true] {
        assert_eq!(
            dex::scan::code_walks(
                &sections[0],
                &ScanOptions {
                    sites,
                    ..Default::default()
                }
            ),
            CodeWalks {
                walked: 1,
                replayed: u64::from(METHODS) - 1
            }
        );
    }
    let facts = dex::scan(
        &sections[0],
        "shared.dex",
        &ScanOptions {
            sites: true,
            ..Default::default()
        },
    );
    assert!(facts.anomalies.is_empty(), "{:?}", facts.anomalies);
    assert_eq!(facts.methods, u64::from(METHODS));
    let sites = facts.sites.expect("asked for");
    // One caller entry per method id, and every method uses every API, at the offset of its
    // instruction in the shared code.
    assert_eq!(sites.callers.len(), METHODS as usize);
    let invoked: Vec<String> = sites
        .invoked_methods
        .keys()
        .map(|m| m.to_string())
        .collect();
    assert_eq!(invoked, INVOKED);
    for (offset, uses) in [6, 0, 3].into_iter().zip(sites.invoked_methods.values()) {
        assert_eq!(uses.len(), METHODS as usize);
        assert!(uses.iter().all(|u| u.offset == offset));
    }
    assert_eq!(sites.const_strings[URL].len(), METHODS as usize);
}

#[test]
fn the_report_caps_the_sites_of_each_api_and_says_so() {
    let report = dossier::Scanner::with_builtin_rules()
        .expect("built-in rules")
        .scan_bytes(shared_code_dex(METHODS), "shared.dex")
        .expect("a DEX is an input");
    let calls: Vec<&str> = report.api_calls.iter().map(|c| c.api.as_str()).collect();
    assert_eq!(calls, INVOKED);
    for call in &report.api_calls {
        // Every method id renders alike and uses the API at one offset, so the sites kept (the
        // first of the cap) are one site once sorted and deduplicated; the rest were cut.
        assert_eq!(call.sites.len(), 1, "{}", call.api);
        assert!(call.truncated, "{}", call.api);
        let site = &call.sites[0];
        assert_eq!(
            site.location.method_signature().as_deref(),
            Some("Lcom/example/shared/Holder;->run()V")
        );
    }
    // One evidence item per collector and API, not one per caller.
    for category in &report.categories {
        let api_evidence = category
            .evidence
            .iter()
            .filter(|e| e.location.is_some())
            .count();
        assert!(api_evidence <= INVOKED.len(), "{}", category.id);
        assert!(!category.truncated, "{}", category.id);
    }
    let endpoint = report
        .endpoints
        .iter()
        .find(|e| e.url == URL)
        .expect("the loaded URL is an endpoint");
    assert_eq!(endpoint.sources.len(), 1);
    assert!(!endpoint.truncated);
}
