//! Endpoints: the URLs, hosts and IP addresses of DEX strings, text entries and native libraries,
//! each with the places it was found, the organisation that owns its host, the trackers whose
//! host signatures match it, and its kind: a network `endpoint` the code can contact, or a `link`
//! to a page shown to people. Strings that are neither (namespaces, identifiers, package names,
//! libraries' documentation links) are not reported.
//!
//! The decision, for each URL or bare host (`judge`):
//! 1. a `[[not_endpoint]]` rule naming it by host, URL or page prefix or bare name drops it or
//!    makes it a link or a documentation link, as the rule says;
//! 2. a bare name that is a package of the app's own classes or its manifest is dropped;
//! 3. a URL shaped like an API call (a query with parameters, an `api`/`rest`/`v2` path
//!    segment, a script or data extension, an `api.` host) is an endpoint;
//! 4. a URL with a fragment (`page.html#section`) or a Markdown file is documentation: fragments
//!    are never sent to a server, so only a browser or a reader uses them;
//! 5. a rule's path words or first labels (`/privacy`, `support.`) make it a link or
//!    documentation;
//! 6. anything else is an endpoint.
//!
//! Documentation found only in libraries' code is dropped (their error texts point developers
//! to it; the app's users never see it); the app's own code or resources make it a link.
//!
//! An endpoint whose string reaches the address argument of a network API (a `[[sink]]` rule;
//! the values are those of [`crate::dex::values`]) lists that API in `used_by`. A URL the code
//! builds from constants or decodes from base64 and passes to such an API is an endpoint even
//! though no constant holds it, with a source saying how it was made (`built`, `base64`). The
//! verdict above is not changed by a sink: `WebView.loadUrl` of a privacy page stays a link.

use std::collections::{BTreeMap, HashSet};

use super::accumulator::Accumulator;
use super::attribution::{APP, OBFUSCATED};
use super::urls::{self, Encoding, FoundEndpoint};
use crate::dex::values::How;
use crate::report::{Endpoint, EndpointKind, EndpointSource, SourceEncoding, SourceKind};
use crate::rules::{ReportAs, RuleSet};
use crate::scanner::{AppFacts, TextKind};

/// Most sources listed per endpoint; `Endpoint::truncated` marks the cut.
const MAX_SOURCES_PER_ENDPOINT: usize = 50;
/// Most endpoints in one report; the status lists `endpoints` as truncated past it.
const MAX_ENDPOINTS: usize = 20_000;

/// What one URL or bare host is, before its sources are all known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Endpoint,
    Link,
    /// A link, unless only libraries' code holds it (then it is dropped).
    Documentation,
    Drop,
}

/// First host labels of API servers: a page heuristic never turns them into links.
const API_FIRST_LABELS: &[&str] = &["api", "apis", "gateway", "rpc"];
/// Path segments of API calls.
const API_SEGMENTS: &[&str] = &["api", "apis", "rest", "rpc", "graphql", "ajax", "cgi-bin"];
/// Extensions of the last path segment that name a script or data the code fetches.
const API_EXTENSIONS: &[&str] = &[
    "php", "do", "json", "jsp", "cgi", "asp", "aspx", "ashx", "action", "xml", "js", "png", "jpg",
    "gif", "webp", "zip", "apk", "bin", "dat", "conf", "txt",
];

/// The part of a URL after its authority (`/path?query#fragment`), or `""`.
fn url_tail(url: &str) -> &str {
    let Some((_, rest)) = url.split_once("://") else {
        return "";
    };
    // An ASCII delimiter's offset: a character boundary of the app's text.
    rest.find(['/', '?', '#']).map_or("", |i| &rest[i..])
}

/// A URL that reads as a call of code to a server, whatever words its path holds.
fn is_api_shaped(host: &str, tail: &str) -> bool {
    let first_label = host.split('.').next().unwrap_or("");
    if API_FIRST_LABELS.contains(&first_label) {
        return true;
    }
    let before_fragment = tail.split('#').next().unwrap_or("");
    let (path, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    if query.contains('=') {
        return true;
    }
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase)
        .collect();
    let is_version = |s: &str| {
        s.strip_prefix('v').is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        })
    };
    if segments
        .iter()
        .any(|s| API_SEGMENTS.contains(&s.as_str()) || is_version(s))
    {
        return true;
    }
    segments
        .last()
        .and_then(|last| last.rsplit_once('.'))
        .is_some_and(|(_, extension)| API_EXTENSIONS.contains(&extension))
}

/// A URL only a reader uses: it has a fragment, or it is a Markdown file.
fn is_reader_page(tail: &str) -> bool {
    if tail.contains('#') {
        return true;
    }
    let path = tail.split('?').next().unwrap_or("");
    path.rsplit('/')
        .next()
        .and_then(|last| last.rsplit_once('.'))
        .is_some_and(|(_, extension)| extension.eq_ignore_ascii_case("md"))
}

/// Package names of the app: the manifest package and the packages of every class the DEX
/// files define, each with its parent packages (`com.example.app` gives `com.example` too).
fn app_packages(facts: &AppFacts) -> HashSet<String> {
    let mut packages = HashSet::new();
    let mut add = |package: &str| {
        let mut name = package;
        while !name.is_empty() && packages.insert(name.to_owned()) {
            name = name.rsplit_once('.').map_or("", |(parent, _)| parent);
        }
    };
    if let Some(package) = facts.manifest.as_ref().and_then(|m| m.package.as_deref()) {
        add(package);
    }
    for scan in &facts.dex {
        let mut last = "";
        for class in scan.defined_classes() {
            let Some(body) = class.strip_prefix('L') else {
                continue;
            };
            let package = body.rsplit_once('/').map_or("", |(package, _)| package);
            // Classes are sorted: consecutive ones mostly share their package.
            if package != last {
                add(&package.replace('/', "."));
                last = package;
            }
        }
    }
    packages
}

/// What a URL or bare host found in the app is (see the module documentation).
fn judge(rules: &RuleSet, packages: &HashSet<String>, hit: &FoundEndpoint) -> Verdict {
    let tail = url_tail(&hit.url);
    let is_url = hit.url.contains("://");
    if let Some(found) = rules.not_endpoint_rule(&hit.url) {
        // A link host names pages, but an API call on it is still an endpoint; a prefix or
        // bare name is precise enough to be taken as it is.
        let api_call = found.by_host && is_url && is_api_shaped(&hit.host, tail);
        return match found.rule.report_as {
            ReportAs::Nothing => Verdict::Drop,
            _ if api_call => Verdict::Endpoint,
            ReportAs::Link => Verdict::Link,
            _ => Verdict::Documentation,
        };
    }
    if !is_url {
        return if packages.contains(&hit.host) {
            Verdict::Drop
        } else {
            Verdict::Endpoint
        };
    }
    if is_api_shaped(&hit.host, tail) {
        return Verdict::Endpoint;
    }
    if is_reader_page(tail) {
        return Verdict::Documentation;
    }
    match rules.page_word_rule(&hit.host, tail).map(|r| r.report_as) {
        Some(ReportAs::Link) => Verdict::Link,
        Some(ReportAs::Documentation) => Verdict::Documentation,
        // A path word of a rule that drops strings: too weak a sign to drop a URL.
        Some(_) | None => Verdict::Endpoint,
    }
}

/// A source in a library's code: DEX or native code whose collector is neither the app nor
/// code too obfuscated to tell.
fn is_library_code(source: &EndpointSource) -> bool {
    matches!(source.kind, SourceKind::Dex | SourceKind::Native)
        && source
            .collector
            .as_deref()
            .is_some_and(|c| c != APP && c != OBFUSCATED)
}

/// Endpoints found so far, by URL.
struct Found<'r> {
    rules: &'r RuleSet,
    packages: HashSet<String>,
    by_url: BTreeMap<String, (Endpoint, Verdict)>,
    /// Verdicts of URLs that are not reported, so that each is judged once.
    dropped: HashSet<String>,
    truncated: bool,
}

impl Found<'_> {
    /// The hits of one string worth keeping (judged, dropped ones left out).
    fn reportable(&mut self, hits: Vec<FoundEndpoint>) -> Vec<(FoundEndpoint, Verdict)> {
        let mut kept = Vec::new();
        for hit in hits {
            if self.dropped.contains(&hit.url) {
                continue;
            }
            let verdict = match self.by_url.get(&hit.url) {
                Some((_, verdict)) => *verdict,
                None => judge(self.rules, &self.packages, &hit),
            };
            if verdict == Verdict::Drop {
                self.dropped.insert(hit.url);
            } else {
                kept.push((hit, verdict));
            }
        }
        kept
    }

    /// Adds the endpoints of one string, each with the places the string was found.
    fn add(&mut self, hits: &[(FoundEndpoint, Verdict)], sources: &[EndpointSource]) {
        for (hit, verdict) in hits {
            if !self.by_url.contains_key(&hit.url) {
                if self.by_url.len() >= MAX_ENDPOINTS {
                    self.truncated = true;
                    continue;
                }
                let owner = self.rules.owner_for_host(&hit.host);
                let mut trackers: Vec<String> = self
                    .rules
                    .trackers_for_host(&hit.host)
                    .into_iter()
                    .map(|t| t.id.clone())
                    .collect();
                trackers.sort();
                trackers.dedup();
                let kind = match verdict {
                    Verdict::Endpoint => EndpointKind::Endpoint,
                    _ => EndpointKind::Link,
                };
                let endpoint = Endpoint {
                    url: hit.url.clone(),
                    kind,
                    host: hit.host.clone(),
                    port: hit.port,
                    owner: owner.map(|o| o.id.clone()),
                    owner_name: owner.map(|o| o.name.clone()),
                    country: owner.map(|o| o.country.clone()),
                    trackers,
                    sources: Vec::new(),
                    truncated: false,
                    used_by: Vec::new(),
                };
                self.by_url.insert(hit.url.clone(), (endpoint, *verdict));
            }
            if let Some((endpoint, _)) = self.by_url.get_mut(&hit.url) {
                for source in sources {
                    if endpoint.sources.contains(source) {
                        continue;
                    }
                    if endpoint.sources.len() >= MAX_SOURCES_PER_ENDPOINT {
                        endpoint.truncated = true;
                        break;
                    }
                    endpoint.sources.push(source.clone());
                }
            }
        }
    }

    /// Whether every endpoint of `hits` has a source in the method of `source` (at any offset)
    /// with the same encoding.
    fn has_source_in_method(&self, hits: &[(FoundEndpoint, Verdict)], source: &EndpointSource) -> bool {
        let same_method = |a: &EndpointSource| {
            let (x, y) = (&a.location, &source.location);
            a.kind == source.kind
                && a.encoding == source.encoding
                && (&x.member, &x.entry, &x.class, &x.method, &x.proto)
                    == (&y.member, &y.entry, &y.class, &y.method, &y.proto)
        };
        hits.iter().all(|(hit, _)| {
            self.by_url
                .get(&hit.url)
                .is_some_and(|(endpoint, _)| endpoint.sources.iter().any(same_method))
        })
    }

    /// Marks the endpoints of `hits` (already added) as used by the network API `api`.
    fn used_by(&mut self, hits: &[(FoundEndpoint, Verdict)], api: &str) {
        for (hit, _) in hits {
            if let Some((endpoint, _)) = self.by_url.get_mut(&hit.url)
                && let Err(at) = endpoint.used_by.binary_search_by(|u| u.as_str().cmp(api))
            {
                endpoint.used_by.insert(at, api.to_owned());
            }
        }
    }

    /// The reported endpoints: documentation that only libraries' code holds is left out.
    fn finish(self) -> (Vec<Endpoint>, bool) {
        let endpoints = self
            .by_url
            .into_values()
            .filter(|(endpoint, verdict)| {
                *verdict != Verdict::Documentation || !endpoint.sources.iter().all(is_library_code)
            })
            .map(|(endpoint, _)| endpoint)
            .collect();
        (endpoints, self.truncated)
    }
}

/// Most distinct sources of one string worth making: [`Found::add`] takes sources until an
/// endpoint holds [`MAX_SOURCES_PER_ENDPOINT`] and one more is new to it, and at most that many
/// of the ones given can be already there, so the first `2 * MAX + 1` distinct ones decide it.
const MAX_DISTINCT_SOURCES: usize = 2 * MAX_SOURCES_PER_ENDPOINT + 1;

/// By caller position: the first position of the run of callers equal to it (callers are
/// sorted, so equal ones are neighbours). Uses of two callers of one run at one offset are the
/// same call site.
fn first_alike(callers: &[crate::dex::Site]) -> Vec<u32> {
    let mut first = Vec::with_capacity(callers.len());
    for (i, caller) in callers.iter().enumerate() {
        let start = match i.checked_sub(1) {
            Some(previous) if callers[previous] == *caller => first[previous],
            _ => i as u32,
        };
        first.push(start);
    }
    first
}

/// The distinct call sites of the uses at `positions`, in order, at most
/// [`MAX_DISTINCT_SOURCES`]: a string loaded by a million callers makes a few sites, not a
/// million.
fn distinct_sites(
    acc: &mut Accumulator<'_>,
    scan: &crate::scanner::DexScan,
    sites: &crate::dex::Sites,
    alike: &[u32],
    positions: &[crate::dex::SiteRef],
) -> Vec<crate::report::CallSite> {
    let mut seen: HashSet<(u32, u32)> = HashSet::new();
    let mut distinct = Vec::new();
    acc.walk_sites(scan, &sites.callers, positions, |_, use_, site, _| {
        if distinct.len() < MAX_DISTINCT_SOURCES
            && seen.insert((alike[use_.caller as usize], use_.offset))
        {
            distinct.push(site());
        }
    });
    distinct
}

fn source_kind(kind: TextKind) -> SourceKind {
    match kind {
        TextKind::Manifest => SourceKind::Manifest,
        TextKind::Resource => SourceKind::Resource,
        TextKind::Asset => SourceKind::Asset,
    }
}

fn source_encoding(encoding: Encoding) -> SourceEncoding {
    match encoding {
        Encoding::Base64 => SourceEncoding::Base64,
        Encoding::Hex => SourceEncoding::Hex,
    }
}

/// The URLs of one string: in clear when it holds a dot, else hidden in base64 or hex (neither
/// alphabet has a dot), with how they were hidden.
fn extract(text: &str) -> (Vec<FoundEndpoint>, Option<SourceEncoding>) {
    if text.contains('.') {
        (urls::extract(text), None)
    } else {
        match urls::extract_encoded(text) {
            Some((encoding, found)) => (found, Some(source_encoding(encoding))),
            None => (Vec::new(), None),
        }
    }
}

/// Every endpoint of the input, and whether the list was cut at its cap.
pub(super) fn endpoints(acc: &mut Accumulator<'_>, facts: &AppFacts) -> (Vec<Endpoint>, bool) {
    let rules = acc.rules;
    let mut found = Found {
        rules,
        packages: app_packages(facts),
        by_url: BTreeMap::new(),
        dropped: HashSet::new(),
        truncated: false,
    };
    for scan in &facts.dex {
        let Some(sites) = &scan.facts.sites else {
            continue;
        };
        let mut alike = None;
        for (text, positions) in &sites.const_strings {
            // Extract once per string; the call sites are only worth resolving when it holds one.
            let (hits, encoding) = extract(text);
            if hits.is_empty() {
                continue;
            }
            let hits = found.reportable(hits);
            if hits.is_empty() {
                continue;
            }
            let alike = alike.get_or_insert_with(|| first_alike(&sites.callers));
            let sources: Vec<EndpointSource> = distinct_sites(acc, scan, sites, alike, positions)
                .into_iter()
                .map(|site| EndpointSource {
                    kind: SourceKind::Dex,
                    location: site.location,
                    collector: Some(site.collector),
                    encoding,
                })
                .collect();
            found.add(&hits, &sources);
        }
        reaching_sinks(acc, &mut found, scan, sites);
    }
    for text in &facts.texts {
        for string in &text.strings {
            let (hits, encoding) = extract(string);
            if hits.is_empty() {
                continue;
            }
            let hits = found.reportable(hits);
            let source = [EndpointSource {
                kind: source_kind(text.kind),
                location: text.location.clone(),
                collector: None,
                encoding,
            }];
            found.add(&hits, &source);
        }
    }
    for scan in &facts.native {
        let Some(elf) = &scan.facts else { continue };
        let source = [EndpointSource {
            kind: SourceKind::Native,
            location: scan.location.clone(),
            collector: Some(super::native::collector(acc, &elf.jni_exports)),
            encoding: None,
        }];
        for string in elf.strings.iter().filter(|s| s.contains('.')) {
            let hits = found.reportable(urls::extract(string));
            found.add(&hits, &source);
        }
    }
    found.finish()
}

/// The strings of one DEX that reach the address argument of a network API: their endpoints are
/// marked as used by it, and a built or decoded one is added with its call as source.
fn reaching_sinks(
    acc: &mut Accumulator<'_>,
    found: &mut Found<'_>,
    scan: &crate::scanner::DexScan,
    sites: &crate::dex::Sites,
) {
    let rules = acc.rules;
    for (method, values) in &sites.arguments {
        let sinks: Vec<u8> = rules
            .sinks_for(&method.class, &method.name, &method.proto)
            .map(|sink| sink.argument)
            .collect();
        if sinks.is_empty() {
            continue;
        }
        let api = method.to_string();
        for value in values.iter().filter(|v| sinks.contains(&v.argument)) {
            let (hits, encoding) = match value.how {
                How::Literal => extract(&value.value),
                How::Built => (urls::extract(&value.value), Some(SourceEncoding::Built)),
                How::Base64 => (urls::extract(&value.value), Some(SourceEncoding::Base64)),
            };
            if hits.is_empty() {
                continue;
            }
            let hits = found.reportable(hits);
            if hits.is_empty() {
                continue;
            }
            if value.how != How::Literal {
                // A literal's endpoint has its source already, where the string is loaded; so
                // has a base64 constant decoded in the method that loads it.
                let mut sources = Vec::new();
                acc.walk_sites(scan, &sites.callers, &[value.site], |_, _, site, _| {
                    let site = site();
                    sources.push(EndpointSource {
                        kind: SourceKind::Dex,
                        location: site.location,
                        collector: Some(site.collector),
                        encoding,
                    });
                });
                sources.retain(|source| !found.has_source_in_method(&hits, source));
                found.add(&hits, &sources);
            }
            found.used_by(&hits, &api);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RuleSet {
        RuleSet::builtin().expect("built-in rules load")
    }

    /// The verdict on each URL or host `text` holds (empty when it holds none).
    fn verdicts(rules: &RuleSet, packages: &[&str], text: &str) -> Vec<Verdict> {
        let packages: HashSet<String> = packages.iter().map(|p| (*p).to_owned()).collect();
        let (hits, _) = extract(text);
        hits.iter().map(|hit| judge(rules, &packages, hit)).collect()
    }

    fn verdict(rules: &RuleSet, text: &str) -> Verdict {
        let found = verdicts(rules, &[], text);
        assert_eq!(found.len(), 1, "{text:?} holds {found:?}");
        found[0]
    }

    #[test]
    fn network_addresses_are_endpoints() {
        let rules = rules();
        for text in [
            "https://graph.facebook.com/v16.0/",
            "http://sprintf.novelga.me/rest/v2/passport/signin",
            "https://docs.google.com/spreadsheet/formResponse?formkey=%s&ifq",
            "https://www.facebook.com/tr?id=1&ev=PageView",
            "https://api.github.com/repos/x/y/releases",
            "https://github.com/x/y/releases/download/v1/app.apk",
            "https://www.orekie.com/api/privacy.php",
            "wss://push.example.net/socket",
            "log.byteoversea.com",
            "time.android.com",
            "https://future-8a57f.firebaseio.com",
            "http://54.67.109.199:8080/gate",
        ] {
            assert_eq!(verdict(&rules, text), Verdict::Endpoint, "{text}");
        }
    }

    #[test]
    fn pages_for_people_are_links() {
        let rules = rules();
        for text in [
            "https://play.google.com/store/apps/details?id=com.example.app",
            "http://market.android.com/details?id=",
            "https://apps.apple.com/app/id123",
            "https://t.me/bakimoratax",
            "https://www.facebook.com/somebrand",
            "https://www.spappmonitoring.com/terms_of_service",
            "https://phoneparental.com/terms-and-conditions/",
            "https://www.com.startapp.com/policy/sdk-policy/",
            "https://support.startapp.com/hc/en-us/articles/360002411114",
            "http://www.orekie.com/search/help",
        ] {
            assert_eq!(verdict(&rules, text), Verdict::Link, "{text}");
        }
        for text in [
            "http://logback.qos.ch/codes.html#layoutInsteadOfEncoder",
            "https://github.com/google/gson/blob/main/Troubleshooting.md#",
            "https://github.com/Kotlin/kotlinx.coroutines/issues",
            "https://developers.facebook.com/docs/android/getting-started",
            "http://www.eclipse.org/jetty/documentation/current/alpn-chapter.html#alpn-starting",
            "http://logging.apache.org/log4j/1.2/faq.html#noconfig",
            "https://github.com/osfans/yosemiteIME/blob/develop/PRIVACY.md",
        ] {
            assert_eq!(verdict(&rules, text), Verdict::Documentation, "{text}");
        }
    }

    #[test]
    fn identifiers_placeholders_and_packages_are_dropped() {
        let rules = rules();
        for text in [
            "facebook.com",
            "playgames.google.com",
            "google.to",
            "msg.function.not.found.in",
            "intent.extra.update.info",
            "108944492905-d5c6aul2qhoja2kctl5qlouei1p2dhkl.apps.googleusercontent.com",
            "example.com",
            "http://www.example.com",
            "http://www.slf4j.org/codes.html#StaticLoggerBinder",
            "https://www.googleapis.com/auth/games",
        ] {
            assert_eq!(verdict(&rules, text), Verdict::Drop, "{text}");
        }
        // Strings no shape takes for a host at all.
        for text in ["1.3.16.dev", "com.whatsapp", "com.facebook.katana", "password", "phone"] {
            assert!(verdicts(&rules, &[], text).is_empty(), "{text}");
        }
        // A name that reads as a host but is a package of the app's own classes.
        assert_eq!(
            verdicts(&rules, &["tv.danmaku", "tv.danmaku.ijk"], "tv.danmaku.ijk"),
            Vec::<Verdict>::new(),
            "`ijk` is no TLD"
        );
        assert_eq!(
            verdicts(&rules, &["me.pay", "me.pay.net"], "me.pay.net"),
            [Verdict::Drop]
        );
        assert_eq!(verdicts(&rules, &[], "me.pay.net"), [Verdict::Endpoint]);
        // URLs on the same hosts as provider ids stay endpoints.
        assert_eq!(verdict(&rules, "https://facebook.com"), Verdict::Endpoint);
        assert_eq!(verdict(&rules, "https://example.com.evil.cn/x"), Verdict::Drop);
        assert_eq!(
            verdict(&rules, "https://api.vidshare.example.com/v2/"),
            Verdict::Endpoint
        );
    }

    #[test]
    fn hidden_urls_are_endpoints_that_say_how_they_were_hidden() {
        let rules = rules();
        let (hits, encoding) = extract("aHR0cHM6Ly9jMi5ldmlsLXBhbmVsLnh5ei9nYXRlLnBocA==");
        assert_eq!(encoding, Some(SourceEncoding::Base64));
        assert_eq!(hits[0].url, "https://c2.evil-panel.xyz/gate.php");
        assert_eq!(
            judge(&rules, &HashSet::new(), &hits[0]),
            Verdict::Endpoint
        );
        let (hits, encoding) = extract("687474703a2f2f3230332e302e3131332e393a383038302f");
        assert_eq!(encoding, Some(SourceEncoding::Hex));
        assert_eq!(hits[0].url, "http://203.0.113.9:8080/");
    }

    #[test]
    fn documentation_only_in_libraries_is_dropped() {
        let source = |kind, collector: Option<&str>| EndpointSource {
            kind,
            location: crate::report::Location::entry(None, "classes.dex"),
            collector: collector.map(str::to_owned),
            encoding: None,
        };
        assert!(is_library_code(&source(SourceKind::Dex, Some("logback"))));
        assert!(is_library_code(&source(SourceKind::Native, Some("other:com.x"))));
        assert!(!is_library_code(&source(SourceKind::Dex, Some(APP))));
        assert!(!is_library_code(&source(SourceKind::Dex, Some(OBFUSCATED))));
        assert!(!is_library_code(&source(SourceKind::Resource, None)));
    }
}
