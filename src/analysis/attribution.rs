//! Who collects: every class is attributed to a collector — a tracker SDK, a well-known library,
//! the app's own code, an unidentified third-party package, or obfuscated code — from its package.
//!
//! **The app's own packages** start from what the manifest names: the manifest package, and the
//! exact package of every class it names (the application class, the components) that no SDK rule
//! claims, each with its sub-packages. Many apps keep their code outside the package they are
//! published under (TikTok's `com.zhiliaoapp.musically` runs `com.ss.android.ugc.aweme` code),
//! and those classes are the app's all the same. A component's package never widens: SDKs merge
//! their own components into the app's manifest. Only the app's entry points (manifest package,
//! application class, launcher activities) widen, and never into a vendor's namespace:
//! - a named class in the namespace of a vendor that the rules know (`com.facebook`,
//!   `com.google`, `com.tencent` ...: the owner part of any tracker or library `code`, see
//!   `namespace`) and outside the manifest package is that vendor's component merged into the
//!   manifest (`com.facebook.FacebookActivity`, `com.facebook.internal.FacebookInitProvider`),
//!   not the app's;
//! - an entry point's organisation (`com.spike` for `com.spike.old`, `com.ss` for TikTok's
//!   application class) is the app's when no rule knows it as a vendor's: the sibling packages
//!   of the manifest package are the developer's (Xenomorph's payload in `com.spike.access`,
//!   the game engine of `com.masshabit.squibble.free` in `com.masshabit.common`);
//! - an entry point's parent package is the app's when it has at least three segments and no rule
//!   claims anything at, above or inside it, even in a vendor's organisation:
//!   `io.appium.espressoserver.test` runs `io.appium.espressoserver.lib`, a launcher
//!   `com.google.android.youtube.tv.MainActivity` makes `com.google.android.youtube` the app's;
//! - a class that a tracker or library rule claims stays the SDK's even inside the app's
//!   packages, unless the app's package is the longer (more specific) match: the rules' own
//!   "longest prefix wins" applied to the app's packages too (the Mixpanel sample app
//!   `com.mixpanel.android.hellomixpanel` is the app's, `com.mixpanel.android.mpmetrics` is
//!   Mixpanel's).
//!
//! Classes outside those packages that no rule names are `other:<owner>` (an unidentified SDK,
//! named by the owner part of its package, see `namespace`), or `obfuscated` when their package
//! is minifier output (see [`is_obfuscated_package`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::axml::Manifest;
use crate::report::{Collector, CollectorKind};
use crate::rules::RuleSet;

/// The collector id of the app's own code.
pub const APP: &str = "app";
/// The collector id of classes whose package is minifier output or missing, which no name can
/// attribute.
pub const OBFUSCATED: &str = "obfuscated";

/// First segments that are a top-level domain: alone they name nobody (`com.a.b` is as obfuscated
/// as `a.b`). Two-letter country codes need no list: no two-letter segment counts as a word.
const GENERIC_TLDS: &[&str] = &[
    "com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "name", "mobi", "app", "dev",
];

/// Second segments shared by unrelated owners, after which the third segment is the owner:
/// `com.android.vending`, `com.github.someone`, `io.github.someone`.
const SHARED_SECOND: &[&str] = &[
    "android",
    "github",
    "gitlab",
    "googlecode",
    "sourceforge",
    "bitbucket",
];

/// Consonant pairs that end English words (`app`, `ads`, `old`, `ext`, `asm`, `org`): a
/// three-letter segment that starts with a vowel and ends with another pair (`ajd`) has no word
/// shape.
const CODAS: &[&str] = &[
    "bb", "cc", "dd", "ff", "gg", "ll", "mm", "nn", "pp", "rr", "ss", "tt", "zz", "bs", "ch", "ck",
    "ct", "ds", "ft", "gs", "ks", "ld", "lf", "lk", "lm", "lp", "ls", "lt", "mp", "ms", "nd", "ng",
    "nk", "ns", "nt", "ps", "pt", "rb", "rc", "rd", "rg", "rk", "rl", "rm", "rn", "rp", "rs", "rt",
    "sh", "sk", "sm", "sp", "st", "th", "ts", "xt",
];

/// Whether a Java package is minifier output rather than a name someone chose.
///
/// R8 and ProGuard rename packages to one or two lowercase letters (`a.b.c`, `o.aa`, `t4`) and
/// may keep a top-level domain they could not rename (`com.a.b`); other obfuscators use short
/// random strings (`xj.kq`, `qwzx.ajd`); `-repackageclasses ''` leaves no package at all
/// (`defpackage` is how decompilers name that one). A package someone named has at least one
/// segment shaped like a word (see `looks_like_word`) besides a leading top-level domain:
/// `ch.qos.logback`, `cz.msebera.android.httpclient`, `io.sentry`, `jp.co.cyberagent.stf`. The
/// length of the first segment says nothing: country codes are two letters, and so is `aa`.
/// Acronyms without a vowel (`sdk`, `xml`, `gms`) do not count as words, which costs nothing:
/// a real package that has one also has a real word. Long random strings (`msqqqwokejyfwim`,
/// generated by some malware builders) have vowels and count as names: outside the app's own
/// packages they stay `other:`.
pub fn is_obfuscated_package(segments: &[&str]) -> bool {
    if segments.is_empty() || segments == ["defpackage"] {
        return true;
    }
    !segments
        .iter()
        .enumerate()
        .any(|(i, s)| !(i == 0 && GENERIC_TLDS.contains(s)) && looks_like_word(s))
}

/// Whether one package segment is shaped like a chosen name: at least three ASCII characters
/// (letters, digits, `_`, `$`) with letters and digits mixed (`log4j`, `kxml2`, `h264`, `sdk008`:
/// minifiers do not add digits to long names), or letters with a vowel (`y` included) — and, for
/// three letters starting with a vowel, an English ending (`app`, `ads`, `org`; not `ajd`).
/// One- and two-letter segments are never words: `a`, `bb`, `t4` are minifier output, and a
/// country code (`ch`, `io`) only counts through the word that follows it.
fn looks_like_word(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    if bytes.len() <= 2
        || !bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$')
    {
        return false;
    }
    let has_digit = bytes.iter().any(u8::is_ascii_digit);
    let letters: Vec<u8> = bytes
        .iter()
        .filter(|b| b.is_ascii_alphabetic())
        .map(u8::to_ascii_lowercase)
        .collect();
    if letters.is_empty() {
        return false;
    }
    if has_digit {
        return true;
    }
    let vowel = |b: &u8| b"aeiouy".contains(b);
    if !letters.iter().any(vowel) {
        return false;
    }
    if let [first, second, third] = letters[..]
        && vowel(&first)
        && !vowel(&second)
        && !vowel(&third)
    {
        return CODAS.contains(&std::str::from_utf8(&[second, third]).unwrap_or(""));
    }
    true
}

/// The namespace that names an unidentified SDK: the owner part of its package. After a leading
/// top-level domain (any two-letter first segment, or one of `GENERIC_TLDS`) that is the
/// organisation (`com.tencent`, `io.netty`, `ch.qos`, `cz.msebera`), and the project too when the
/// organisation segment is shared by unrelated owners (`com.android.vending`,
/// `com.github.someone`); a first segment that is no domain is the owner alone (`junit`,
/// `butterknife`, `anet`, `android`).
fn namespace(segments: &[&str]) -> String {
    segments[..namespace_len(segments)].join(".")
}

/// How many leading segments of a package `namespace` keeps.
fn namespace_len(segments: &[&str]) -> usize {
    let Some(first) = segments.first() else {
        return 0;
    };
    if !is_domain(first) {
        1
    } else if segments.len() >= 3 && SHARED_SECOND.contains(&segments[1]) {
        3
    } else {
        segments.len().min(2)
    }
}

/// A first segment that is a top-level domain: any two characters (country codes), or one of
/// `GENERIC_TLDS`.
fn is_domain(segment: &str) -> bool {
    segment.chars().count() == 2 || GENERIC_TLDS.contains(&segment)
}

/// The package segments of a class, given as a descriptor (`Lcom/example/Main;`) or in dot form
/// (`com.example.Main`); none for a class in the default package.
fn package_segments(class: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = match class.strip_prefix('L').and_then(|c| c.strip_suffix(';')) {
        Some(body) => body.split('/').collect(),
        None => class.split('.').collect(),
    };
    parts.pop();
    parts
}

/// `child` is `parent` or one of its sub-packages.
fn is_within(child: &[&str], parent: &[String]) -> bool {
    child.len() >= parent.len() && child.iter().zip(parent).all(|(c, p)| *c == p.as_str())
}

/// The `code` entry of a rule that matches `dotted` (a class in dot form) and the number of
/// package segments it spans, `None` for an exact class (which beats any package).
fn code_match(codes: &[String], dotted: &str) -> Option<Option<usize>> {
    let mut best: Option<Option<usize>> = None;
    for code in codes {
        // A package (`com.foo.`) or a name prefix (`com.foo.sdk*`, which spans its last part).
        let prefix = code.strip_suffix('.').or_else(|| code.strip_suffix('*'));
        if let Some(prefix) = prefix {
            if dotted.starts_with(prefix) && (code.ends_with('*') || dotted.starts_with(code.as_str())) {
                let len = prefix.split('.').count();
                if best.is_none_or(|b| b.is_some_and(|l| l < len)) {
                    best = Some(Some(len));
                }
            }
        } else if dotted == code
            || dotted
                .strip_prefix(code.as_str())
                .is_some_and(|rest| rest.starts_with('$'))
        {
            return Some(None);
        }
    }
    best
}

/// The launcher activities of a manifest (an alias counts as its target).
fn launchers(manifest: &Manifest) -> impl Iterator<Item = &str> {
    manifest
        .components
        .iter()
        .filter(|c| c.kind == "activity" || c.kind == "activity-alias")
        .filter(|c| {
            c.intent_filters.iter().any(|f| {
                f.actions.iter().any(|a| a == "android.intent.action.MAIN")
                    && f.categories.iter().any(|c| {
                        c == "android.intent.category.LAUNCHER"
                            || c == "android.intent.category.LEANBACK_LAUNCHER"
                    })
            })
        })
        .map(|c| c.target_activity.as_deref().unwrap_or(&c.name))
}

pub struct Attributor<'r> {
    rules: &'r RuleSet,
    /// The app's own packages, as segments; each with its sub-packages.
    app_packages: Vec<Vec<String>>,
    cache: HashMap<String, String>,
    collectors: BTreeMap<String, Collector>,
}

impl<'r> Attributor<'r> {
    pub fn new(rules: &'r RuleSet, manifest: Option<&Manifest>) -> Self {
        Attributor {
            rules,
            app_packages: manifest.map(|m| app_packages(rules, m)).unwrap_or_default(),
            cache: HashMap::new(),
            collectors: BTreeMap::new(),
        }
    }

    /// The app's own packages, in dot form, sorted (for tests and diagnostics).
    pub fn app_packages(&self) -> Vec<String> {
        self.app_packages.iter().map(|p| p.join(".")).collect()
    }

    /// The collector id of a class (`Lpkg/Cls;` or `pkg.Cls`), remembered for later.
    pub fn collector_of(&mut self, class: &str) -> String {
        if let Some(id) = self.cache.get(class) {
            return id.clone();
        }
        let (id, name, kind) = self.classify(class);
        self.collectors
            .entry(id.clone())
            .or_insert_with(|| Collector {
                id: id.clone(),
                name,
                kind,
            });
        self.cache.insert(class.to_owned(), id.clone());
        id
    }

    /// The app's own collector, registered (for evidence that is the app's but not a class).
    pub fn app(&mut self) -> String {
        self.register(APP, "the app's own code", CollectorKind::App)
    }

    /// Registers a tracker as a collector (for evidence that is not code, such as a host).
    pub fn tracker(&mut self, id: &str, name: &str) -> String {
        self.register(id, name, CollectorKind::Tracker)
    }

    fn register(&mut self, id: &str, name: &str, kind: CollectorKind) -> String {
        self.collectors
            .entry(id.to_owned())
            .or_insert_with(|| Collector {
                id: id.to_owned(),
                name: name.to_owned(),
                kind,
            });
        id.to_owned()
    }

    fn classify(&self, class: &str) -> (String, String, CollectorKind) {
        let package = package_segments(class);
        let dotted = class
            .strip_prefix('L')
            .and_then(|c| c.strip_suffix(';'))
            .map_or_else(|| class.to_owned(), |body| body.replace('/', "."));
        // The longest of the app's packages holding the class, in segments.
        let app_len = self
            .app_packages
            .iter()
            .filter(|p| is_within(&package, p))
            .map(Vec::len)
            .max();
        let rule = if let Some(tracker) = self.rules.tracker_for_class(class) {
            Some((
                tracker.id.clone(),
                tracker.name.clone(),
                CollectorKind::Tracker,
                code_match(&tracker.code, &dotted),
            ))
        } else {
            self.rules.library_for_class(class).map(|library| {
                (
                    library.id.clone(),
                    library.name.clone(),
                    CollectorKind::Library,
                    code_match(&library.code, &dotted),
                )
            })
        };
        if let Some((id, name, kind, span)) = rule {
            // An exact class always stays the rule's; a package prefix unless one of the app's
            // packages is the longer match.
            let app_wins = matches!((span, app_len), (Some(Some(rule_len)), Some(app)) if app > rule_len);
            if !app_wins {
                return (id, name, kind);
            }
        }
        if app_len.is_some() {
            return (APP.to_owned(), "the app's own code".to_owned(), CollectorKind::App);
        }
        if is_obfuscated_package(&package) {
            return (
                OBFUSCATED.to_owned(),
                "obfuscated code (package names removed)".to_owned(),
                CollectorKind::Unidentified,
            );
        }
        let namespace = namespace(&package);
        (
            format!("other:{namespace}"),
            format!("{namespace} (unidentified SDK)"),
            CollectorKind::Unidentified,
        )
    }

    /// Every collector met so far, sorted by id.
    pub fn into_collectors(self) -> Vec<Collector> {
        self.collectors.into_values().collect()
    }
}

/// The app's own packages (see the module documentation), sorted and without duplicates.
fn app_packages<'m>(rules: &RuleSet, manifest: &'m Manifest) -> Vec<Vec<String>> {
    // Every rule `code` as package segments (an exact class as its package and its name), and
    // the vendor namespaces they give.
    let codes: Vec<(Vec<&str>, bool)> = rules
        .trackers()
        .iter()
        .flat_map(|t| &t.code)
        .chain(rules.libraries().iter().flat_map(|l| &l.code))
        .map(|code| match code.strip_suffix('.') {
            Some(prefix) => (prefix.split('.').collect(), true),
            // A name prefix (`com.tencent.lbs*`) counts as its package prefix for the vendor
            // namespace and for what is near a rule (`com.tencent.lbs` itself).
            None => match code.strip_suffix('*') {
                Some(stem) => (stem.split('.').collect(), true),
                None => (code.split('.').collect(), false),
            },
        })
        .collect();
    let vendors: BTreeSet<String> = codes
        .iter()
        .map(|(segments, is_package)| {
            let package = if *is_package {
                &segments[..]
            } else {
                &segments[..segments.len().saturating_sub(1)]
            };
            namespace(package)
        })
        .collect();
    let claimed = |class: &str| {
        rules.tracker_for_class(class).is_some() || rules.library_for_class(class).is_some()
    };
    // A rule claims something at, inside or (by a package prefix) above `package`.
    let related = |package: &[&str]| {
        codes.iter().any(|(code, is_package)| {
            code.starts_with(package) || (*is_package && package.starts_with(code))
        })
    };

    let manifest_package: Vec<&str> = manifest
        .package
        .as_deref()
        .map(|p| p.split('.').filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let mut packages: BTreeSet<Vec<&str>> = BTreeSet::new();
    if !manifest_package.is_empty() {
        packages.insert(manifest_package.clone());
    }
    // The package of a named class, unless a rule claims the class or it sits in a known
    // vendor's namespace outside the manifest package.
    let own_package = |class: &'m str| -> Option<Vec<&'m str>> {
        let package = package_segments(class);
        if package.is_empty() || claimed(class) {
            return None;
        }
        let inside_manifest =
            !manifest_package.is_empty() && package.starts_with(&manifest_package);
        (inside_manifest || !vendors.contains(&namespace(&package))).then_some(package)
    };
    let application = manifest.application.as_ref().and_then(|a| a.name.as_deref());
    for class in application
        .into_iter()
        .chain(manifest.components.iter().map(|c| c.name.as_str()))
    {
        if let Some(package) = own_package(class) {
            packages.insert(package);
        }
    }
    // The entry points (the manifest package, the application class, the launcher activities)
    // widen to their organisation when no rule knows it as a vendor's, and to their parent
    // package when that is deep enough to be an app's and no rule is anywhere near it.
    let entries: Vec<Vec<&str>> = application
        .into_iter()
        .chain(launchers(manifest))
        .filter_map(own_package)
        .chain((!manifest_package.is_empty()).then(|| manifest_package.clone()))
        .collect();
    for package in entries {
        let organisation = &package[..namespace_len(&package)];
        // A lone top-level domain or minifier-length segment is no organisation.
        let named = if is_domain(organisation[0]) {
            organisation.len() >= 2
        } else {
            organisation[0].chars().count() > 2
        };
        if named && !vendors.contains(&organisation.join(".")) {
            packages.insert(organisation.to_vec());
        }
        let parent = &package[..package.len().saturating_sub(1)];
        if parent.len() >= 3 && !related(parent) {
            packages.insert(parent.to_vec());
        }
    }
    packages
        .into_iter()
        .map(|p| p.into_iter().map(str::to_owned).collect())
        .collect()
}

/// The Java class a JNI export binds to: `Java_com_example_Foo_bar` → `Lcom/example/Foo;`
/// (`_1` is an escaped underscore, `__` starts the overload signature).
pub fn jni_class(export: &str) -> Option<String> {
    let body = export.strip_prefix("Java_")?;
    let body = body.split("__").next()?;
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '_' {
            match chars.peek() {
                Some('1') => {
                    chars.next();
                    current.push('_');
                }
                Some('2' | '3' | '0') => return None, // signatures and unicode escapes: not worth decoding
                _ => segments.push(std::mem::take(&mut current)),
            }
        } else {
            current.push(c);
        }
    }
    segments.push(current);
    if segments.len() < 2 || segments.iter().any(String::is_empty) {
        return None;
    }
    segments.pop(); // the method name
    Some(format!("L{};", segments.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jni_exports_name_their_class() {
        assert_eq!(
            jni_class("Java_com_example_vidshare_NativeBridge_collectUrl").as_deref(),
            Some("Lcom/example/vidshare/NativeBridge;")
        );
        assert_eq!(
            jni_class("Java_com_my_1app_Foo_bar__I").as_deref(),
            Some("Lcom/my_app/Foo;")
        );
        assert_eq!(jni_class("JNI_OnLoad"), None);
        assert_eq!(jni_class("Java_"), None);
        assert_eq!(jni_class("Java_x"), None);
    }

    fn segments(package: &str) -> Vec<&str> {
        package.split('.').filter(|s| !s.is_empty()).collect()
    }

    /// Package names met in the real-APK corpus and the SDK apps (`dossier dex APP --format
    /// json`), with the brief's cases: chosen names, many behind a two-letter country code.
    const NAMED: &[&str] = &[
        "ch.qos.logback.classic",
        "cz.msebera.android.httpclient",
        "io.sentry",
        "io.netty.handler.ssl",
        "jp.co.cyberagent.stf",
        "fi.iki.elonen",
        "eu.chainfire.libsuperuser",
        "tv.danmaku.ijk.media.player",
        "ru.auto.ara",
        "uk.co.samuelwall.materialtaptargetprompt",
        "cn.sharesdk.framework",
        "com.ta.utdid2.device",
        "com.sdk008.sdk",
        "com.loc",
        "com.ali.a.a",
        "org.kxml2.io",
        "anet.channel.strategy",
        "a2dp.Vol",
        "butterknife",
        "java_cup.runtime",
        "_COROUTINE",
        "com.spappm_mondow.alarm",
        "rx.plugins",
        "com.example.vidshare",
    ];

    /// Minifier output met in the same apps (R8/ProGuard letters, kept top-level domains,
    /// letter-and-digit names) and random short strings.
    const MINIFIED: &[&str] = &[
        "a",
        "a.b.c",
        "o.aa",
        "a.a.e.d",
        "b.b.a.a.a",
        "c.a.c",
        "t4",
        "e0",
        "z5",
        "ai",
        "as",
        "bb",
        "com.a.a",
        "com.d.a.a",
        "org.a.a.e",
        "xj.kq",
        "qwzx.ajd",
        "defpackage",
        "",
        "上.b",
    ];

    #[test]
    fn obfuscation_is_judged_by_the_shape_of_the_names() {
        for package in NAMED {
            assert!(!is_obfuscated_package(&segments(package)), "{package}");
        }
        for package in MINIFIED {
            assert!(is_obfuscated_package(&segments(package)), "{package}");
        }
    }

    #[test]
    fn word_shapes() {
        for word in ["qos", "app", "ads", "org", "loc", "icu", "log4j", "kxml2", "h264", "Vol"] {
            assert!(looks_like_word(word), "{word}");
        }
        // Too short, no vowel, a three-letter string with no English ending, not ASCII.
        for not_word in ["io", "ch", "t4", "sdk", "qwzx", "ajd", "ibm", "123", "上海", "a-b"] {
            assert!(!looks_like_word(not_word), "{not_word}");
        }
    }

    #[test]
    fn namespaces_name_the_owner() {
        for (package, owner) in [
            ("com.tencent.smtt.sdk", "com.tencent"),
            ("ch.qos.logback.classic", "ch.qos"),
            ("de.hdodenhof.circleimageview", "de.hdodenhof"),
            ("com.android.vending.billing", "com.android.vending"),
            ("io.github.someone.lib", "io.github.someone"),
            ("anet.channel.strategy", "anet"),
            ("junit.framework", "junit"),
            ("com.loc", "com.loc"),
            ("com", "com"),
        ] {
            assert_eq!(namespace(&segments(package)), owner, "{package}");
        }
    }

    #[test]
    fn packages_of_descriptors_and_dotted_names() {
        assert_eq!(package_segments("Lcom/example/app/Main;"), ["com", "example", "app"]);
        assert_eq!(package_segments("com.example.app.Main"), ["com", "example", "app"]);
        assert!(package_segments("LMain;").is_empty());
        assert!(package_segments("Main").is_empty());
    }

    fn component(kind: &str, name: &str, launcher: bool) -> crate::axml::manifest::Component {
        crate::axml::manifest::Component {
            kind: kind.to_owned(),
            name: name.to_owned(),
            exported: launcher,
            exported_reason: crate::axml::manifest::ExportedReason::Default,
            permission: None,
            read_permission: None,
            write_permission: None,
            authorities: Vec::new(),
            target_activity: None,
            intent_filters: if launcher {
                vec![crate::axml::manifest::IntentFilter {
                    actions: vec!["android.intent.action.MAIN".to_owned()],
                    categories: vec!["android.intent.category.LAUNCHER".to_owned()],
                    data: Vec::new(),
                }]
            } else {
                Vec::new()
            },
        }
    }

    fn manifest(package: &str, application: Option<&str>, components: &[(&str, bool)]) -> Manifest {
        Manifest {
            package: Some(package.to_owned()),
            application: Some(crate::axml::manifest::Application {
                name: application.map(str::to_owned),
                ..Default::default()
            }),
            components: components
                .iter()
                .map(|(name, launcher)| component("activity", name, *launcher))
                .collect(),
            ..Default::default()
        }
    }

    fn who(rules: &RuleSet, manifest: &Manifest, class: &str) -> String {
        Attributor::new(rules, Some(manifest)).collector_of(class)
    }

    /// A TikTok-like app: published as `com.zhiliaoapp.musically`, running `com.ss.android`
    /// code, with SDK components merged into its manifest.
    fn tiktok_like() -> Manifest {
        manifest(
            "com.zhiliaoapp.musically",
            Some("com.ss.android.ugc.aweme.app.host.AwemeHostApplication"),
            &[
                ("com.ss.android.ugc.aweme.splash.SplashActivity", true),
                ("com.ss.android.ugc.aweme.main.MainActivity", false),
                ("com.facebook.FacebookActivity", false),
                ("com.facebook.internal.FacebookInitProvider", false),
                ("com.journeyapps.barcodescanner.CaptureActivity", false),
                ("com.google.android.gms.ads.AdActivity", false),
                ("org.thirdparty.widget.WidgetActivity", false),
            ],
        )
    }

    #[test]
    fn the_apps_code_outside_its_published_package_is_the_apps() {
        let rules = RuleSet::builtin().unwrap();
        let app = tiktok_like();
        for class in [
            "Lcom/zhiliaoapp/musically/Bridge;",
            "Lcom/ss/android/ugc/aweme/main/MainActivity;",
            "Lcom/ss/android/ugc/aweme/feed/FeedFragment;",
            "Lcom/ss/android/ugc/aweme/app/host/AwemeHostApplication$1;",
        ] {
            assert_eq!(who(&rules, &app, class), APP, "{class}");
        }
    }

    /// What broke: every package sharing the first two segments of a manifest component was the
    /// app's, so `com.facebook.FacebookActivity` made the whole Facebook SDK the app's.
    #[test]
    fn sdk_components_in_the_manifest_do_not_make_their_vendors_code_the_apps() {
        let rules = RuleSet::builtin().unwrap();
        let app = tiktok_like();
        for (class, collector) in [
            ("Lcom/facebook/internal/Utility;", "other:com.facebook"),
            ("Lcom/facebook/FacebookSdk;", "other:com.facebook"),
            ("Lcom/facebook/appevents/AppEventsLogger;", "facebook_analytics"),
            ("Lcom/journeyapps/barcodescanner/CameraPreview;", "zxing_android_embedded"),
            ("Lcom/google/android/gms/ads/AdActivity;", "google_admob"),
            ("Lcom/bytedance/sdk/openadsdk/TTAdSdk;", "pangle"),
        ] {
            assert_eq!(who(&rules, &app, class), collector, "{class}");
        }
        let packages = Attributor::new(&rules, Some(&app)).app_packages();
        assert!(!packages.iter().any(|p| p.starts_with("com.facebook")), "{packages:?}");
    }

    /// A component gives its exact package, not its first two segments.
    #[test]
    fn a_component_gives_its_exact_package() {
        let rules = RuleSet::builtin().unwrap();
        let app = tiktok_like();
        assert_eq!(who(&rules, &app, "Lorg/thirdparty/widget/inner/Cell;"), APP);
        assert_eq!(
            who(&rules, &app, "Lorg/thirdparty/tracking/Beacon;"),
            "other:org.thirdparty"
        );
    }

    /// The organisation of the app's entry points is the app's when no rule knows it, and never
    /// when it is a known vendor's.
    #[test]
    fn entry_points_widen_to_their_organisation_unless_it_is_a_vendors() {
        let rules = RuleSet::builtin().unwrap();
        // Xenomorph-like: the payload in sibling packages of the manifest package.
        let spike = manifest("com.spike.old", Some("com.spike.old.App"), &[]);
        assert_eq!(who(&rules, &spike, "Lcom/spike/access/Service;"), APP);
        // The Facebook app itself: its package is its own, the rest of com.facebook is not.
        let katana = manifest("com.facebook.katana", None, &[("com.facebook.katana.LoginActivity", true)]);
        assert_eq!(who(&rules, &katana, "Lcom/facebook/katana/Main;"), APP);
        assert_eq!(
            who(&rules, &katana, "Lcom/facebook/internal/Utility;"),
            "other:com.facebook"
        );
        // A short organisation is an organisation all the same (TikTok's `com.ss`).
        let tiktok = tiktok_like();
        assert_eq!(who(&rules, &tiktok, "Lcom/ss/android/socialbase/Downloader;"), APP);
    }

    /// A parent of three segments or more is the app's when no rule is near it, even in a known
    /// vendor's organisation; two segments are never enough.
    #[test]
    fn entry_points_widen_to_a_deep_parent() {
        let rules = RuleSet::builtin().unwrap();
        let tv = manifest(
            "com.google.android.youtube.tv",
            None,
            &[("com.google.android.youtube.tv.MainActivity", true)],
        );
        assert_eq!(who(&rules, &tv, "Lcom/google/android/youtube/player/Player;"), APP);
        assert_eq!(
            who(&rules, &tv, "Lcom/google/android/libraries/Lib;"),
            "other:com.google"
        );
        // `com.google.android.apps` holds Google Analytics' `com.google.android.apps.analytics.`:
        // no parent there.
        let photos = manifest("com.google.android.apps.photos", None, &[]);
        assert_eq!(
            who(&rules, &photos, "Lcom/google/android/apps/common/Util;"),
            "other:com.google"
        );
        // The Mixpanel sample app: the parent `com.mixpanel.android` is the tracker's.
        let sample = manifest(
            "com.mixpanel.android.hellomixpanel",
            None,
            &[("com.mixpanel.android.hellomixpanel.HelloMixpanel", true)],
        );
        assert_eq!(
            who(&rules, &sample, "Lcom/mixpanel/android/mpmetrics/MixpanelAPI;"),
            "mixpanel"
        );
    }

    /// Longest prefix wins between a rule and the app's packages: an SDK prefix inside the app's
    /// package stays the SDK's, the app's package inside an SDK prefix is the app's.
    #[test]
    fn sdk_prefixes_and_app_packages_longest_wins() {
        let over = crate::rules::RuleFile {
            name: "vendored.toml".to_owned(),
            text: r#"
[[library]]
id = "vendored_http"
name = "Vendored HTTP"
code = ["com.example.app.vendor.http."]
doc = { what = "w", why = "w", example = "e", references = ["https://example.com/"] }
"#
            .to_owned(),
        };
        let (rules, _) = RuleSet::builtin()
            .unwrap()
            .with_override_sources(&[over])
            .unwrap();
        let app = manifest("com.example.app", None, &[("com.example.app.Main", true)]);
        assert_eq!(who(&rules, &app, "Lcom/example/app/vendor/http/Client;"), "vendored_http");
        assert_eq!(who(&rules, &app, "Lcom/example/app/vendor/Other;"), APP);
        let sample = manifest("com.mixpanel.android.hellomixpanel", None, &[]);
        assert_eq!(
            who(&rules, &sample, "Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;"),
            APP
        );
        // An exact class always stays the rule's.
        let facebook = manifest("com.facebook", None, &[]);
        assert_eq!(
            who(&rules, &facebook, "Lcom/facebook/CampaignTrackingReceiver;"),
            "facebook_analytics"
        );
    }

    #[test]
    fn unidentified_and_obfuscated_code() {
        let rules = RuleSet::builtin().unwrap();
        let app = tiktok_like();
        for (class, collector) in [
            // A real package behind a country code is an unidentified SDK, not obfuscated.
            ("Lde/hdodenhof/circleimageview/CircleImageView;", "other:de.hdodenhof"),
            ("Lio/vidstats/Beacon;", "other:io.vidstats"),
            ("Lbutterknife/ButterKnife;", "butterknife"),
            ("Ljunit/framework/TestCase;", "junit"),
            ("Lanet/channel/Session;", "other:anet"),
            ("La/b/C;", OBFUSCATED),
            ("Lxj/kq/Zt;", OBFUSCATED),
            ("Lqwzx/ajd/b;", OBFUSCATED),
            ("Lo/aa;", OBFUSCATED),
            ("Lcom/a/a/b;", OBFUSCATED),
            ("LFoo;", OBFUSCATED),
            ("Ldefpackage/Foo;", OBFUSCATED),
        ] {
            assert_eq!(who(&rules, &app, class), collector, "{class}");
        }
        // Without a manifest nothing is the app's.
        let mut orphan = Attributor::new(&rules, None);
        assert_eq!(orphan.collector_of("Lcom/example/app/Main;"), "other:com.example");
        assert!(orphan.app_packages().is_empty());
    }

    #[test]
    fn collectors_are_registered_once_with_their_kind() {
        let rules = RuleSet::builtin().unwrap();
        let app = tiktok_like();
        let mut who = Attributor::new(&rules, Some(&app));
        for class in ["La/b/C;", "Lcom/ss/android/Foo;", "Lde/hdodenhof/X;", "Lde/hdodenhof/Y;"] {
            who.collector_of(class);
        }
        let kinds: Vec<(String, CollectorKind)> = who
            .into_collectors()
            .into_iter()
            .map(|c| (c.id, c.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                (APP.to_owned(), CollectorKind::App),
                (OBFUSCATED.to_owned(), CollectorKind::Unidentified),
                ("other:de.hdodenhof".to_owned(), CollectorKind::Unidentified),
            ]
        );
    }
}
