//! Endpoint extraction: URLs (http, https, ws, wss), bare host names and IP addresses (with ports)
//! found in strings of code, resources, assets and native libraries.
//!
//! This file only recognises the shapes; deciding that a namespace URI or a licence URL is no
//! endpoint, and who owns a host, is the rules' job. The shapes are strict on purpose: Java package
//! names (`com.example.app`), file names (`libc.so`, `index.html`), version numbers (`1.2.3.4`) and
//! format strings (`https://%s/api`) must not come out as endpoints.
//!
//! It also reads URLs hidden in base64 or hex ([`extract_encoded`]): malware keeps its command
//! server out of plain strings that way. Only a whole string that decodes to text starting with
//! a URL scheme counts, so random identifiers, hashes and keys (which decode to binary) never do.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

/// One endpoint as it was written, normalised: scheme and host lower-cased, no trailing punctuation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FoundEndpoint {
    /// `https://host:port/path` for URLs; `host` or `host:port` for bare hosts and addresses.
    pub url: String,
    pub host: String,
    pub port: Option<u16>,
}

/// Longest string examined; longer strings are scanned in their first part only (bundles are split
/// into lines by the caller).
const MAX_TEXT: usize = 1 << 20;
/// Upper bound on URLs taken from one string.
const MAX_PER_TEXT: usize = 10_000;

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:https?|wss?)://[^\s\x00-\x1f\x7f'`<>\\^{|}\x22]+")
        .expect("valid URL pattern")
});

/// The top-level domains that exist (ICANN section of the Public Suffix List), so that
/// `index.android.bundle` or `config.internal` are not taken for host names.
static TLDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../rules/data/tlds.txt")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect()
});

/// Every URL in `text`, plus the whole string when it is nothing but a host name or an address.
pub fn extract(text: &str) -> Vec<FoundEndpoint> {
    let text = crate::utf8::prefix_within(text, MAX_TEXT);
    let mut found = Vec::new();
    for hit in URL.find_iter(text).take(MAX_PER_TEXT) {
        if let Some(endpoint) = parse_url(hit.as_str()) {
            found.push(endpoint);
        }
    }
    if found.is_empty()
        && let Some(endpoint) = parse_bare(text.trim())
    {
        found.push(endpoint);
    }
    found.sort();
    found.dedup();
    found
}

/// How a URL was hidden in the string that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Encoding {
    /// Base64, standard (`+/`) or URL-safe (`-_`) alphabet, padded or not.
    Base64,
    /// Hexadecimal digits, two per byte.
    Hex,
}

/// Decodes a whole string of one encoding; None when it is not one.
type Decoder = fn(&str) -> Option<Vec<u8>>;

/// Shortest encoded string examined: `http://a.bc` is 11 bytes, 15 in base64.
const MIN_ENCODED: usize = 15;
/// Longest encoded string examined; longer ones are data blobs, not a hidden address.
const MAX_ENCODED: usize = 4096;

/// The URLs of a string that, as a whole, is base64 or hex of a text starting with `http://`,
/// `https://`, `ws://` or `wss://` (any case). The first bytes are decoded before the rest, so
/// the usual string that only looks encoded costs a few operations; the decoded text must be
/// UTF-8 without control characters other than line breaks and tabs.
pub fn extract_encoded(text: &str) -> Option<(Encoding, Vec<FoundEndpoint>)> {
    let text = text.trim();
    if !(MIN_ENCODED..=MAX_ENCODED).contains(&text.len()) {
        return None;
    }
    // Every byte is ASCII once one of these holds, so the slices below are on boundaries.
    let (encoding, decode): (Encoding, Decoder) =
        if text.len().is_multiple_of(2) && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (Encoding::Hex, decode_hex)
        } else if text.bytes().all(is_base64_byte) {
            (Encoding::Base64, crate::dex::values::decode_base64)
        } else {
            return None;
        };
    // 8 base64 characters are 6 bytes, 8 hex digits are 4: enough for `http`, `ws:/`, `wss:`.
    if !starts_with_scheme(&decode(&text[..8])?) {
        return None;
    }
    let bytes = decode(text)?;
    let decoded = std::str::from_utf8(&bytes).ok()?;
    if decoded
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return None;
    }
    let found: Vec<FoundEndpoint> = URL
        .find_iter(decoded)
        .take(MAX_PER_TEXT)
        .filter_map(|hit| parse_url(hit.as_str()))
        .collect();
    (!found.is_empty()).then_some((encoding, found))
}

fn starts_with_scheme(bytes: &[u8]) -> bool {
    let head: Vec<u8> = bytes.iter().take(4).map(u8::to_ascii_lowercase).collect();
    matches!(head.as_slice(), b"http" | b"ws:/" | b"wss:")
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=')
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| char::from(b).to_digit(16);
    text.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [high, low] => Some(u8::try_from(digit(*high)? * 16 + digit(*low)?).ok()?),
            _ => None,
        })
        .collect()
}

fn parse_url(raw: &str) -> Option<FoundEndpoint> {
    // Sentence punctuation and closing brackets after a URL belong to the sentence, in CJK text
    // (full-width forms) as in ASCII.
    let raw = raw.trim_end_matches([
        '.', ',', ';', ':', ')', ']', '!', '?', '*', '。', '，', '、', '；', '：', '！', '？', '）',
        '」', '』', '】', '》', '〉',
    ]);
    let (scheme, rest) = raw.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    // `find` of an ASCII character (or the end): a character boundary, so `split_at` cannot panic.
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    if authority.contains('%') || authority.contains('$') {
        return None; // a format string or template: the host is filled in at run time
    }
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = split_host_port(host_port)?;
    let host = host.to_ascii_lowercase();
    if !is_url_host(&host) {
        return None;
    }
    let port_text = port.map(|p| format!(":{p}")).unwrap_or_default();
    let shown_host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.clone()
    };
    Some(FoundEndpoint {
        url: format!("{scheme}://{shown_host}{port_text}{tail}"),
        host,
        port,
    })
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`; None when the port is not a number in range.
fn split_host_port(text: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = text.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return Some((v6, port));
    }
    match text.rsplit_once(':') {
        Some((host, p)) => {
            if p.is_empty() {
                return Some((host, None));
            }
            let port: u16 = p.parse().ok()?;
            (port != 0).then_some((host, Some(port)))
        }
        None => Some((text, None)),
    }
}

/// A host worth reporting inside a URL: a public-looking domain name or a routable address.
fn is_url_host(host: &str) -> bool {
    if host.contains(':') {
        return host
            .parse::<std::net::Ipv6Addr>()
            .is_ok_and(|ip| !ip.is_loopback() && !ip.is_unspecified());
    }
    if let Some(ip) = parse_ipv4(host) {
        return is_reportable_ipv4(ip);
    }
    is_domain_name(host)
}

fn parse_bare(text: &str) -> Option<FoundEndpoint> {
    if text.is_empty() || text.len() > 260 || text.chars().any(|c| c.is_whitespace() || c == '/') {
        return None;
    }
    let (host, port) = split_host_port(text)?;
    // Camel-case or upper-case labels are identifiers (`Foo.Bar`); a bare host is written in lower case.
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let host = host.to_owned();
    if let Some(ip) = parse_ipv4(&host) {
        // A bare dotted quad is as often a version number as an address: take it only with a
        // port, or when it cannot be a version (an octet above 99).
        let plausible = port.is_some() || ip.octets().iter().any(|&o| o > 99);
        if !(plausible && is_reportable_ipv4(ip)) {
            return None;
        }
    } else if !is_bare_host(&host) {
        return None;
    }
    let url = match port {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    Some(FoundEndpoint { url, host, port })
}

fn parse_ipv4(text: &str) -> Option<std::net::Ipv4Addr> {
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 4
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    text.parse().ok()
}

fn is_reportable_ipv4(ip: std::net::Ipv4Addr) -> bool {
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.octets()[0] == 255)
}

/// Labels of letters, digits and hyphens, at least two, and a top-level label that is a real TLD.
fn is_domain_name(host: &str) -> bool {
    if host.len() > 253 || host.starts_with('.') || host.ends_with('.') {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !labels.iter().all(label_ok) {
        return false;
    }
    let (tld, name) = labels.split_last().unwrap_or((&"", &[]));
    // `1.3.16.dev`, `2.0.app`: numbers in front of a word are a version, not a name.
    if name.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    TLDS.contains(tld)
}

/// First labels of reverse-DNS Java and Android names: `com.google.android.gms` is a package, not a host.
const REVERSE_DNS_ROOTS: &[&str] = &[
    "android",
    "androidx",
    "com",
    "dalvik",
    "edu",
    "gov",
    "io",
    "java",
    "javax",
    "kotlin",
    "kotlinx",
    "net",
    "org",
    "sun",
    "libcore",
    "junit",
    "okhttp3",
    "okio",
    "retrofit2",
    "dagger",
    "rx",
    "jp",
    "de",
    "fr",
    "uk",
    "cn",
    "ru",
];

/// Top-level labels that are far more often file extensions or code than domains when the whole
/// string has only two labels (`libc.so`, `run.sh`, `setup.py`, `README.md`, `main.rs`, `a.pl`).
const EXTENSION_LIKE_TLDS: &[&str] = &[
    "so",
    "sh",
    "py",
    "md",
    "rs",
    "pl",
    "ml",
    "cc",
    "kt",
    "js",
    "gz",
    "db",
    "bin",
    "dat",
    "xml",
    "json",
    "html",
    "htm",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "txt",
    "dex",
    "apk",
    "zip",
    "jar",
    "java",
    "class",
    "properties",
    "mp3",
    "mp4",
    "ttf",
    "otf",
    "css",
    "yml",
    "yaml",
    "toml",
    "ini",
    "cfg",
    "conf",
    "log",
    "tmp",
    "lock",
    "pem",
    "crt",
    "key",
    "proto",
    "aar",
    "smali",
    "arsc",
    "svg",
    "pdf",
    "ogg",
    "wav",
    "mov",
    "avi",
    "mkv",
    "id",
    "name",
    "get",
    "set",
    "app",
];

/// Top-level domains accepted for a bare host name (a string with no scheme): the generic ones
/// apps really use and the country codes that commonly host services. Any real TLD is accepted
/// inside a URL, but without a scheme `user.country`, `coverage.ec` or `jdk.xml.dtd.support` are
/// property and file names far more often than hosts, so the list is deliberately short. `top`
/// and `int` are left out: bare, they are script properties (`offset.top`, `this.style.top`) and
/// message keys (`msg.pkg.int`), not the rare hosts under those TLDs.
const BARE_HOST_TLDS: &[&str] = &[
    "com", "net", "org", "edu", "gov", "info", "biz", "io", "co", "me", "tv", "app", "dev",
    "cloud", "xyz", "online", "site", "tech", "cn", "ru", "jp", "de", "uk", "kr", "in",
    "br", "fr", "eu", "us", "ca", "au", "it", "es", "nl", "se", "ch", "at", "be", "dk", "fi", "no",
    "pt", "cz", "tr", "ir", "vn", "id", "th", "my", "sg", "hk", "tw", "mx", "ar", "cl", "za", "ng",
    "ua", "kz", "il", "sa", "ae", "nz", "ly", "gl", "to",
];

/// A whole string that is only a host name: stricter than a host inside a URL, because without the
/// scheme nothing says it is one.
fn is_bare_host(host: &str) -> bool {
    if !is_domain_name(host) || host.starts_with("www.") && host.matches('.').count() < 2 {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    if REVERSE_DNS_ROOTS.contains(&labels[0]) {
        return false;
    }
    let tld = labels[labels.len() - 1];
    if EXTENSION_LIKE_TLDS.contains(&tld) || !BARE_HOST_TLDS.contains(&tld) {
        return false;
    }
    // `b.mu`, `a.co`: one-letter names are minified identifiers, not hosts.
    labels[labels.len() - 2].len() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str) -> Vec<String> {
        extract(text).into_iter().map(|e| e.url).collect()
    }

    #[test]
    fn urls_of_every_scheme_with_ports_and_paths() {
        assert_eq!(
            urls("https://log.byteoversea.com/service/2/app_log/"),
            ["https://log.byteoversea.com/service/2/app_log/"]
        );
        assert_eq!(
            urls("WSS://Push.Example.NET:8443/ws?x=1"),
            ["wss://push.example.net:8443/ws?x=1"]
        );
        assert_eq!(
            urls("see http://a.example.org/x)."),
            ["http://a.example.org/x"]
        );
        let two = extract("a https://one.example.com b http://203.0.113.7:8080/c");
        assert_eq!(two.len(), 2);
        assert_eq!(two[0].host, "203.0.113.7");
        assert_eq!(two[0].port, Some(8080));
        assert_eq!(
            urls("http://user:pw@h.example.com/"),
            ["http://h.example.com/"]
        );
        assert_eq!(
            urls("https://[2001:db8::1]:443/"),
            ["https://[2001:db8::1]:443/"]
        );
    }

    #[test]
    fn format_strings_templates_and_local_hosts_are_not_endpoints() {
        assert!(urls("https://%s/api/v1").is_empty());
        assert!(urls("https://%1$s.example.com/").is_empty());
        assert!(urls("http://${host}/x").is_empty());
        assert!(urls("http://localhost:8080/").is_empty());
        assert!(urls("http://127.0.0.1:4723/wd/hub").is_empty());
        assert!(urls("http://0.0.0.0/").is_empty());
        assert!(urls("https://").is_empty());
        assert!(urls("http://host:99999/").is_empty());
        assert!(urls("http://build.local/x").is_empty());
    }

    #[test]
    fn bare_hosts_and_addresses() {
        assert_eq!(urls("log.byteoversea.com"), ["log.byteoversea.com"]);
        assert_eq!(
            urls(" api.vidshare.example.com:443 "),
            ["api.vidshare.example.com:443"]
        );
        assert_eq!(urls("203.0.113.250"), ["203.0.113.250"]);
        assert_eq!(urls("10.0.0.1:5555"), ["10.0.0.1:5555"]);
    }

    #[test]
    fn packages_files_versions_and_identifiers_are_not_hosts() {
        for text in [
            "com.example.vidshare",
            "com.google.android.gms.ads.APPLICATION_ID",
            "android.net",
            "io.sentry.dsn",
            "libc.so",
            "index.android.bundle",
            "config.json",
            "README.md",
            "1.2.3",
            "4.2.1.0",
            "10.0.0.1",
            "Foo.Bar",
            "getLastKnownLocation",
            "",
            "a.b",
            "v1.0",
            "java.lang.String",
            "org.json.JSONObject",
            "x.y.z-",
            "www.example",
        ] {
            assert!(urls(text).is_empty(), "{text:?} taken for an endpoint");
        }
    }

    fn encoded(text: &str) -> Option<(Encoding, Vec<String>)> {
        extract_encoded(text).map(|(e, found)| (e, found.into_iter().map(|f| f.url).collect()))
    }

    #[test]
    fn base64_and_hex_of_a_url_are_read() {
        // base64 of `https://c2.evil-panel.xyz/gate.php`, padded, unpadded and URL-safe.
        let url = "https://c2.evil-panel.xyz/gate.php";
        for text in [
            "aHR0cHM6Ly9jMi5ldmlsLXBhbmVsLnh5ei9nYXRlLnBocA==",
            "aHR0cHM6Ly9jMi5ldmlsLXBhbmVsLnh5ei9nYXRlLnBocA",
        ] {
            assert_eq!(encoded(text), Some((Encoding::Base64, vec![url.to_owned()])));
        }
        // URL-safe alphabet (`-`), unpadded.
        assert_eq!(
            encoded("aHR0cHM6Ly9hcGkuZXhhbXBsZS5vcmcveD9hPTEmYj1-"),
            Some((
                Encoding::Base64,
                vec!["https://api.example.org/x?a=1&b=~".to_owned()]
            ))
        );
        assert_eq!(
            encoded("687474703a2f2f3230332e302e3131332e393a383038302f"),
            Some((Encoding::Hex, vec!["http://203.0.113.9:8080/".to_owned()]))
        );
        assert_eq!(
            encoded("d3NzOi8vcHVzaC5leGFtcGxlLm5ldC9z"),
            Some((Encoding::Base64, vec!["wss://push.example.net/s".to_owned()]))
        );
    }

    #[test]
    fn strings_that_only_look_encoded_give_nothing() {
        for text in [
            "",
            "aHR0cHM6Ly8",                              // too short
            "SGVsbG8gd29ybGQsIHRoaXMgaXMgbm90IGEgVVJM", // `Hello world, this is not a URL`
            "getLastKnownLocationForProvider",          // an identifier
            "0123456789abcdef0123456789abcdef",        // a hash
            "aHR0cHM6Ly9hLmV4YW1wbGUub3JnLz9xPT4+Pg-_", // mixed alphabets
            "aHR0cHM6Ly8lcy9hcGk=",                     // `https://%s/api`: a template
            "aHR0cDovLwAAAAAAAAAA",                     // `http://` then NUL bytes
            "aHR0cHM6Ly9hLmV4YW1wbGUub3JnLw===",        // three `=`
            "aHR0cHM6Ly9hLmV4YW1wbGUub3JnLwé=",         // not ASCII
        ] {
            assert_eq!(encoded(text), None, "{text:?}");
        }
        let long = format!("aHR0cHM6Ly9h{}", "QUFB".repeat(2000));
        assert_eq!(encoded(&long), None);
    }

    #[test]
    fn version_strings_and_script_properties_are_not_hosts() {
        for text in [
            "1.3.16.dev",
            "2.0.app",
            "10.4.info",
            "offset.top",
            "this.scroller.style.top",
            "msg.pkg.int",
        ] {
            assert!(urls(text).is_empty(), "{text:?} taken for an endpoint");
        }
        assert!(urls("http://1.3.16.dev/").is_empty());
        assert_eq!(urls("0.de.pool.ntp.org"), ["0.de.pool.ntp.org"]);
    }

    #[test]
    fn long_and_hostile_text_is_bounded() {
        let big = "https://a.example.com/ ".repeat(50_000);
        let found = extract(&big);
        assert_eq!(found.len(), 1);
        let weird = "\u{202e}https://evil.example.com/\u{0}x";
        assert_eq!(urls(weird), ["https://evil.example.com/"]);
    }
}
