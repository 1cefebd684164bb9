//! The rules engine: one test per rule family (a positive and a negative match each), overrides
//! from a directory, error positions of `check_dir`, taxonomy coverage, the digest, host suffix
//! matching and longest-prefix attribution.
//!
//! Tracker, owner and not-endpoint tests define their own rules through overrides, because
//! `rules/trackers.toml` and `rules/endpoints.toml` are replaced by the full ETIP conversion.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use dossier::rules::{Family, RuleError, RuleFile, RuleSet, check_dir};

fn builtin() -> RuleSet {
    RuleSet::builtin().expect("built-in rules load")
}

/// A fresh empty directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("dossier-rules-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
    fn write(&self, name: &str, text: &str) -> &Self {
        std::fs::write(self.0.join(name), text).expect("write rule file");
        self
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const DOC: &str =
    r#"doc = { what = "w", why = "y", example = "e", references = ["https://example.org/ref"] }"#;

/// The built-in rules plus one in-memory override file.
fn with(text: &str) -> RuleSet {
    let source = RuleFile {
        name: "test.toml".to_owned(),
        text: text.to_owned(),
    };
    match builtin().with_override_sources(&[source]) {
        Ok((rules, _)) => rules,
        Err(errors) => panic!("override rejected: {errors:?}"),
    }
}

fn test_trackers() -> RuleSet {
    with(&format!(
        r#"
[[owner]]
id = "test_owner"
name = "Test Owner"
country = "FR"
hosts = ["owner.test", "special.cdn.test"]
{DOC}

[[tracker]]
id = "test_sdk"
name = "Test SDK"
owner = "test_owner"
categories = ["app_interactions"]
code = ["com.testsdk."]
hosts = ["testsdk.io"]
meta_data = ["com.testsdk.API_KEY"]
{DOC}

[[tracker]]
id = "test_sdk_analytics"
name = "Test SDK Analytics"
categories = ["app_interactions"]
code = ["com.testsdk.analytics.", "com.other.Exact"]
hosts = ["metrics.testsdk.io"]
{DOC}

[[not_endpoint]]
id = "test_namespaces"
hosts = ["ns.test"]
url_prefixes = ["http://schemas.test/"]
{DOC}
"#
    ))
}

// ---- one test per family ----

#[test]
fn category_family_matches_taxonomy_ids() {
    let rules = builtin();
    // The shared taxonomy's 29 ids and `screen_content`, which dossier adds to it.
    assert_eq!(rules.categories().len(), 30);
    assert!(rules.category("screen_content").is_some());
    let precise = rules
        .category("location_precise")
        .expect("location_precise");
    assert_eq!(precise.play, "Location › Precise location");
    assert!(rules.category("location").is_none());
}

#[test]
fn permission_family_positive_and_negative() {
    let rules = builtin();
    let rule = rules
        .permission("android.permission.ACCESS_FINE_LOCATION")
        .expect("fine location rule");
    assert_eq!(rule.categories, vec!["location_precise"]);
    assert!(rules.permission("android.permission.INTERNET").is_none());
    assert!(
        rules
            .permission("android.permission.health.READ_HEART_RATE")
            .is_some()
    );
    assert_eq!(
        rules.protection_level("android.permission.READ_CONTACTS"),
        Some("dangerous")
    );
    assert_eq!(
        rules.protection_level("android.permission.INTERNET"),
        Some("normal|instant")
    );
    assert_eq!(
        rules.protection_level("com.example.NOT_A_PLATFORM_PERMISSION"),
        None
    );
}

#[test]
fn api_family_methods_fields_strings_classes() {
    let rules = builtin();
    let ids = |it: Vec<&dossier::rules::ApiRule>| {
        it.into_iter().map(|r| r.id.clone()).collect::<Vec<_>>()
    };

    // Every overload of a name-only method entry.
    let hits = ids(rules
        .api_for_method(
            "Landroid/location/LocationManager;",
            "getLastKnownLocation",
            "(Ljava/lang/String;)Landroid/location/Location;",
        )
        .collect());
    assert!(
        hits.contains(&"location_manager_fix".to_owned()),
        "{hits:?}"
    );
    assert!(
        rules
            .api_for_method(
                "Landroid/location/LocationManager;",
                "getProviders",
                "(Z)Ljava/util/List;"
            )
            .next()
            .is_none()
    );
    assert!(
        rules
            .api_for_method("Lcom/example/LocationManager;", "getLastKnownLocation", "")
            .next()
            .is_none()
    );

    // An exact signature matches only that overload.
    let pending = "(Ljava/lang/String;JFLandroid/app/PendingIntent;)V";
    let listener = "(Ljava/lang/String;JFLandroid/location/LocationListener;)V";
    let with_pending = ids(rules
        .api_for_method(
            "Landroid/location/LocationManager;",
            "requestLocationUpdates",
            pending,
        )
        .collect());
    let with_listener = ids(rules
        .api_for_method(
            "Landroid/location/LocationManager;",
            "requestLocationUpdates",
            listener,
        )
        .collect());
    assert!(with_pending.contains(&"pending_intent_location_updates".to_owned()));
    assert!(!with_listener.contains(&"pending_intent_location_updates".to_owned()));
    assert!(with_listener.contains(&"location_manager_fix".to_owned()));

    // Fields, with and without a type.
    let model = ids(rules
        .api_for_field("Landroid/os/Build;", "MODEL", Some("Ljava/lang/String;"))
        .collect());
    assert_eq!(model, vec!["build_device_fields"]);
    assert!(
        rules
            .api_for_field("Landroid/os/Build;", "TIME", None)
            .next()
            .is_none()
    );

    // Exact strings and prefixes.
    assert_eq!(ids(rules.api_for_string("android_id")), vec!["android_id"]);
    assert_eq!(
        ids(rules.api_for_string("content://sms/inbox")),
        vec!["sms_provider"]
    );
    assert_eq!(
        ids(rules.api_for_string("content://com.android.contacts/data/phones")),
        vec!["contacts_provider"]
    );
    assert!(rules.api_for_string("android_id_suffix").is_empty());
    assert!(
        rules
            .api_for_string("content://com.example.provider/sms")
            .is_empty()
    );

    // Class references.
    let adid: Vec<_> = rules
        .api_for_class("Lcom/google/android/gms/ads/identifier/AdvertisingIdClient;")
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(adid, vec!["advertising_id_client"]);
    assert!(
        rules
            .api_for_class("Lcom/google/android/gms/ads/AdView;")
            .next()
            .is_none()
    );
}

#[test]
fn native_family_positive_and_negative() {
    let rules = builtin();
    let hits: Vec<_> = rules
        .native_for_symbol("getifaddrs")
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(hits, vec!["native_interface_addresses"]);
    let versioned: Vec<_> = rules
        .native_for_symbol("__system_property_get@LIBC")
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(versioned, vec!["native_system_properties"]);
    assert!(rules.native_for_symbol("malloc").next().is_none());
}

#[test]
fn library_family_positive_and_negative() {
    let rules = builtin();
    assert_eq!(
        rules
            .library_for_class("Lokhttp3/OkHttpClient;")
            .map(|l| l.id.as_str()),
        Some("okhttp")
    );
    assert_eq!(
        rules
            .library_for_class("kotlin.collections.CollectionsKt")
            .map(|l| l.id.as_str()),
        Some("kotlin_stdlib")
    );
    assert!(rules.library_for_class("Lokhttp3x/Client;").is_none());
    assert!(
        rules
            .library_for_class("Lcom/example/app/MainActivity;")
            .is_none()
    );
}

#[test]
fn tracker_family_positive_and_negative() {
    let rules = test_trackers();
    assert_eq!(
        rules
            .tracker_for_class("Lcom/testsdk/Core;")
            .map(|t| t.id.as_str()),
        Some("test_sdk")
    );
    assert!(rules.tracker_for_class("Lcom/testsdkx/Core;").is_none());
    assert_eq!(
        rules
            .tracker_for_meta_data("com.testsdk.API_KEY")
            .map(|t| t.id.as_str()),
        Some("test_sdk")
    );
    assert!(rules.tracker_for_meta_data("com.testsdk.OTHER").is_none());
    let hosts: Vec<_> = rules
        .trackers_for_host("api.testsdk.io")
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(hosts, vec!["test_sdk"]);
    assert!(
        rules
            .trackers_for_host("testsdk.io.evil.example")
            .is_empty()
    );
    // An exact class name matches that class and its nested classes only.
    assert_eq!(
        rules
            .tracker_for_class("Lcom/other/Exact$1;")
            .map(|t| t.id.as_str()),
        Some("test_sdk_analytics")
    );
    assert!(rules.tracker_for_class("Lcom/other/ExactNot;").is_none());
}

#[test]
fn owner_family_positive_and_negative() {
    let rules = test_trackers();
    assert_eq!(
        rules.owner_for_host("x.owner.test").map(|o| o.id.as_str()),
        Some("test_owner")
    );
    assert_eq!(
        rules
            .owner_for_host("special.cdn.test")
            .map(|o| o.id.as_str()),
        Some("test_owner")
    );
    assert!(rules.owner_for_host("cdn.test").is_none());
    assert!(rules.owner_for_host("notowner.test").is_none());
    assert_eq!(
        rules.owner("test_owner").map(|o| o.country.as_str()),
        Some("FR")
    );
}

#[test]
fn not_endpoint_family_positive_and_negative() {
    let rules = test_trackers();
    assert!(rules.is_not_endpoint("http://schemas.test/apk/res/android"));
    assert!(rules.is_not_endpoint("HTTP://SCHEMAS.TEST/apk"));
    assert!(rules.is_not_endpoint("https://ns.test/path"));
    assert!(rules.is_not_endpoint("sub.ns.test"));
    assert!(!rules.is_not_endpoint("https://api.vidshare.example.com/v1/upload"));
    assert!(!rules.is_not_endpoint("http://schemas.test.evil/"));
    assert!(!rules.is_not_endpoint("notns.test"));
}

#[test]
fn not_endpoint_link_keys_and_report_as() {
    let rules = with(&format!(
        r#"
[[not_endpoint]]
id = "test_link_pages"
report_as = "link"
hosts = ["pages.test"]
page_prefixes = ["shop.test/item/", "social.test/"]
path_words = ["zzpage"]
first_labels = ["zzhelp"]
{DOC}

[[not_endpoint]]
id = "test_keys"
bare_names = ["key.*", "provider.test"]
{DOC}

[[not_endpoint]]
id = "test_docs"
report_as = "documentation"
path_words = ["zzmanual"]
{DOC}
"#
    ));
    let rule_of = |url: &str| {
        rules
            .not_endpoint_rule(url)
            .map(|m| (m.rule.id.as_str(), m.by_host))
    };
    assert_eq!(
        rule_of("https://www.shop.test/item/42"),
        Some(("test_link_pages", false))
    );
    assert_eq!(
        rule_of("https://shop.test/item/"),
        None,
        "nothing past the prefix"
    );
    assert_eq!(
        rule_of("https://social.test/brand"),
        Some(("test_link_pages", true))
    );
    assert_eq!(
        rule_of("https://a.pages.test/x"),
        Some(("test_link_pages", true))
    );
    assert_eq!(rule_of("provider.test"), Some(("test_keys", false)));
    assert_eq!(
        rule_of("https://provider.test/"),
        None,
        "bare names are bare only"
    );
    assert_eq!(rule_of("key.one.info"), Some(("test_keys", false)));
    assert_eq!(rule_of("key.info"), Some(("test_keys", false)));
    assert_eq!(rule_of("keyboard.info"), None);
    assert!(rules.is_not_endpoint("key.one.info"));
    assert!(!rules.is_not_endpoint("https://www.shop.test/item/42"));
    let words = |host: &str, path: &str| rules.page_word_rule(host, path).map(|r| r.id.as_str());
    assert_eq!(
        words("x.test", "/a/ZZpage-One.html"),
        Some("test_link_pages")
    );
    assert_eq!(words("zzhelp.x.test", "/"), Some("test_link_pages"));
    assert_eq!(words("x.test", "/zzpageguard/x"), None);
    assert_eq!(
        words("x.test", "/zzpage/zzmanual?x#y"),
        Some("test_docs"),
        "documentation first"
    );
}

#[test]
fn not_endpoint_report_as_is_checked() {
    let source = RuleFile {
        name: "bad.toml".to_owned(),
        text: format!(
            "[[not_endpoint]]\nid = \"bad_report_as\"\nreport_as = \"sometimes\"\nbare_names = [\"a.test\"]\n{DOC}\n[[not_endpoint]]\nid = \"bad_prefix\"\npage_prefixes = [\"https://x.test/\"]\n{DOC}\n"
        ),
    };
    let errors = builtin()
        .with_override_sources(&[source])
        .expect_err("bad keys are refused");
    let text = format!("{errors:?}");
    assert!(text.contains("report_as"), "{text}");
    assert!(text.contains("page prefix"), "{text}");
}

/// Errors of the rule files, as text, for a file that must be refused.
fn refused(text: String) -> String {
    let source = RuleFile {
        name: "bad.toml".to_owned(),
        text,
    };
    let errors = builtin()
        .with_override_sources(&[source])
        .expect_err("the file is refused");
    format!("{errors:?}")
}

#[test]
fn plumbing_and_split_permission_families_positive_and_negative() {
    let rules = with(&format!(
        "[[plumbing]]\nid = \"my_widget_plumbing\"\napis = [\"clipboard_read\"]\ncode = [\"com.example.widgets.\"]\n{DOC}\n\
         [[split_permission]]\nid = \"my_split\"\nfrom = \"com.example.permission.OLD\"\ngrants = [\"com.example.permission.NEW\"]\nbelow_target_sdk = 30\n{DOC}\n"
    ));
    let plumbing = rules
        .plumbing_for("clipboard_read", "Lcom/example/widgets/Paste$1;")
        .expect("a nested class of the package is exempted");
    assert_eq!(plumbing.id, "my_widget_plumbing");
    assert!(
        rules
            .plumbing_for("clipboard_read", "Lcom/example/widgetsx/Paste;")
            .is_none()
    );
    assert!(
        rules
            .plumbing_for("contacts_provider", "Lcom/example/widgets/Paste;")
            .is_none()
    );
    let split = rules
        .split_permissions()
        .iter()
        .find(|s| s.id == "my_split")
        .unwrap();
    assert_eq!(split.below_target_sdk, Some(30));
    // An unknown api rule, a bad class, a bad permission and a bad level are each refused.
    let text = refused(format!(
        "[[plumbing]]\nid = \"unknown_api_plumbing\"\napis = [\"no_such_api\"]\ncode = [\"com.example.\"]\n{DOC}\n"
    ));
    assert!(text.contains("no_such_api"), "{text}");
    let text = refused(format!(
        "[[plumbing]]\nid = \"bad_plumbing\"\napis = [\"clipboard_read\"]\ncode = [\"com/example/\"]\n{DOC}\n\
         [[split_permission]]\nid = \"bad_split\"\nfrom = \"not a permission\"\ngrants = [\"android.permission.A\"]\nbelow_target_sdk = 0\n{DOC}\n"
    ));
    assert!(text.contains("dot form"), "{text}");
    assert!(text.contains("not a permission"), "{text}");
    assert!(text.contains("not an API level"), "{text}");
}

#[test]
fn sink_family_positive_and_negative() {
    let rules = with(&format!(
        "[[sink]]\nid = \"my_client_sink\"\nmethods = [\"Lcom/example/Client;->get\", \"Lcom/example/Client;-><init>(Ljava/lang/String;)V\"]\nargument = 1\n{DOC}\n"
    ));
    let ids = |class: &str, name: &str, proto: &str| -> Vec<String> {
        rules
            .sinks_for(class, name, proto)
            .map(|s| format!("{}@{}", s.id, s.argument))
            .collect()
    };
    assert_eq!(
        ids("Lcom/example/Client;", "get", "(I)V"),
        ["my_client_sink@1"]
    );
    assert_eq!(
        ids("Lcom/example/Client;", "<init>", "(Ljava/lang/String;)V"),
        ["my_client_sink@1"]
    );
    assert!(ids("Lcom/example/Client;", "<init>", "()V").is_empty());
    assert!(ids("Lcom/example/Other;", "get", "(I)V").is_empty());
    // The built-in sinks: URL.<init> takes its string as argument 1 (after the receiver).
    assert_eq!(
        builtin()
            .sinks_for("Ljava/net/URL;", "<init>", "(Ljava/lang/String;)V")
            .map(|s| (s.id.as_str(), s.argument))
            .collect::<Vec<_>>(),
        [("java_net_url", 1)]
    );
    let text = refused(format!(
        "[[sink]]\nid = \"bad_sink\"\nmethods = [\"com.example.Client.get\"]\nargument = 300\n{DOC}\n"
    ));
    assert!(text.contains("out of range"), "{text}");
    assert!(text.contains("com.example.Client.get"), "{text}");
}

#[test]
fn api_context_keys_are_checked() {
    let rules = with(&format!(
        "[[api]]\nid = \"my_context_api\"\ncategories = [\"device_info\"]\nmethods = [\"Lcom/example/Api;->get\"]\ncontext = \"read to lay out text\"\ncontext_counts_in = [\"tracker\"]\npermission_free_below_target_sdk = 23\npermissions = [\"android.permission.READ_PHONE_STATE\"]\n{DOC}\n"
    ));
    let api = rules.api("my_context_api").unwrap();
    let context = api.context.as_ref().unwrap();
    assert_eq!(context.counts_in, ["tracker"]);
    assert_eq!(api.permission_free_below_target_sdk, Some(23));
    let text = refused(format!(
        "[[api]]\nid = \"bad_kind\"\ncategories = [\"device_info\"]\nmethods = [\"Lcom/example/Api;->get\"]\ncontext = \"why\"\ncontext_counts_in = [\"everyone\"]\n{DOC}\n\
         [[api]]\nid = \"bad_alone\"\ncategories = [\"device_info\"]\nmethods = [\"Lcom/example/Api;->get\"]\ncontext_counts_in = [\"app\"]\n{DOC}\n"
    ));
    assert!(text.contains("expected one of app, tracker"), "{text}");
    assert!(text.contains("needs a `context`"), "{text}");
}

// ---- matching semantics ----

#[test]
fn host_suffixes_match_at_label_boundaries_only() {
    let rules = test_trackers();
    let ids = |host: &str| {
        rules
            .trackers_for_host(host)
            .iter()
            .map(|t| t.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids("testsdk.io"), vec!["test_sdk"]);
    assert_eq!(ids("a.b.testsdk.io"), vec!["test_sdk"]);
    assert_eq!(ids("TestSDK.IO."), vec!["test_sdk"]);
    assert!(ids("nottestsdk.io").is_empty());
    assert!(ids("testsdk.io2").is_empty());
    // The most specific suffix comes first.
    assert_eq!(
        ids("x.metrics.testsdk.io"),
        vec!["test_sdk_analytics", "test_sdk"]
    );
}

#[test]
fn longest_prefix_wins_for_class_attribution() {
    let rules = test_trackers();
    assert_eq!(
        rules
            .tracker_for_class("Lcom/testsdk/analytics/Logger;")
            .map(|t| t.id.as_str()),
        Some("test_sdk_analytics")
    );
    assert_eq!(
        rules
            .tracker_for_class("Lcom/testsdk/ads/Banner;")
            .map(|t| t.id.as_str()),
        Some("test_sdk")
    );
    let builtin = builtin();
    assert_eq!(
        builtin
            .library_for_class("Landroidx/media3/exoplayer/ExoPlayer;")
            .map(|l| l.id.as_str()),
        Some("exoplayer")
    );
    assert_eq!(
        builtin
            .library_for_class("Landroidx/core/app/ActivityCompat;")
            .map(|l| l.id.as_str()),
        Some("androidx")
    );
}

// ---- coverage ----

#[test]
fn every_category_has_an_api_rule_and_a_rule() {
    let rules = builtin();
    let mut missing_api = Vec::new();
    for category in rules.categories() {
        if !rules
            .apis()
            .iter()
            .any(|r| r.categories.contains(&category.id))
        {
            missing_api.push(category.id.clone());
        }
        assert!(
            rules
                .rows()
                .iter()
                .any(|row| row.categories.contains(&category.id)),
            "no rule at all for {}",
            category.id
        );
    }
    assert!(
        missing_api.is_empty(),
        "categories without API rules: {missing_api:?}"
    );
}

#[test]
fn every_rule_has_a_complete_doc() {
    let rules = builtin();
    for row in rules.rows() {
        assert!(
            !row.what.trim().is_empty(),
            "{} {} has no doc.what",
            row.family,
            row.id
        );
    }
    let docs = rules
        .permissions()
        .iter()
        .map(|r| (&r.id, &r.doc))
        .chain(rules.apis().iter().map(|r| (&r.id, &r.doc)))
        .chain(rules.natives().iter().map(|r| (&r.id, &r.doc)))
        .chain(rules.libraries().iter().map(|r| (&r.id, &r.doc)))
        .chain(rules.trackers().iter().map(|r| (&r.id, &r.doc)))
        .chain(rules.owners().iter().map(|r| (&r.id, &r.doc)))
        .chain(rules.not_endpoints().iter().map(|r| (&r.id, &r.doc)));
    for (id, doc) in docs {
        assert!(!doc.what.trim().is_empty(), "{id}: empty what");
        assert!(!doc.why.trim().is_empty(), "{id}: empty why");
        assert!(!doc.example.trim().is_empty(), "{id}: empty example");
        assert!(!doc.references.is_empty(), "{id}: no references");
    }
}

#[test]
fn missing_doc_part_is_rejected() {
    let source = RuleFile {
        name: "nodoc.toml".to_owned(),
        text: "[[native]]\nid = \"x_sym\"\ncategories = [\"device_info\"]\nsymbols = [\"uname\"]\ndoc = { what = \"w\", why = \"y\", references = [\"https://a.b/\"] }\n".to_owned(),
    };
    let errors = builtin()
        .with_override_sources(&[source])
        .expect_err("rejected");
    assert_eq!(
        positions(&errors),
        vec![(
            "nodoc.toml".to_owned(),
            5,
            7,
            "missing doc part `example`".to_owned()
        )]
    );
}

// ---- digest ----

#[test]
fn digest_is_stable_and_changes_with_the_rules() {
    let a = builtin();
    let b = builtin();
    assert_eq!(a.digest(), b.digest());
    assert_eq!(a.digest().len(), 64);
    let changed = with(&format!(
        "[[native]]\nid = \"native_host_identity\"\ncategories = [\"device_info\"]\nsymbols = [\"uname\"]\n{DOC}\n"
    ));
    assert_ne!(a.digest(), changed.digest());
    let added = with(&format!(
        "[[native]]\nid = \"native_extra\"\ncategories = [\"device_info\"]\nsymbols = [\"sysinfo\"]\n{DOC}\n"
    ));
    assert_ne!(a.digest(), added.digest());
    assert_ne!(changed.digest(), added.digest());
}

// ---- overrides ----

#[test]
fn overrides_from_a_directory_replace_and_add() {
    let dir = TempDir::new("override");
    dir.write(
        "mine.toml",
        &format!(
            r#"
# replaces the built-in rule of the same id
[[native]]
id = "native_interface_addresses"
categories = ["network_info"]
symbols = ["my_getifaddrs"]
{DOC}

[[api]]
id = "my_company_sdk_location"
categories = ["location_precise"]
methods = ["Lcom/mycompany/Geo;->where"]
{DOC}
"#
        ),
    )
    .write("ignored.txt", "not toml");
    let base = builtin();
    let base_digest = base.digest().to_owned();
    let rules = base.with_overrides(dir.path()).expect("overrides apply");
    assert!(
        rules.native_for_symbol("getifaddrs").next().is_none(),
        "replaced rule keeps old symbols"
    );
    assert_eq!(rules.native_for_symbol("my_getifaddrs").count(), 1);
    assert_eq!(
        rules
            .api_for_method("Lcom/mycompany/Geo;", "where", "()V")
            .count(),
        1
    );
    assert!(
        rules
            .api_for_method(
                "Landroid/location/LocationManager;",
                "getLastKnownLocation",
                ""
            )
            .count()
            > 0
    );
    assert_ne!(rules.digest(), base_digest);

    let summary = check_dir(dir.path()).expect("valid directory");
    assert_eq!(summary.files, 1);
    assert_eq!(
        summary.added,
        vec![(Family::Api, "my_company_sdk_location".to_owned())]
    );
    assert_eq!(
        summary.replaced,
        vec![(Family::Native, "native_interface_addresses".to_owned())]
    );
    assert_eq!(summary.digest, rules.digest());
}

#[test]
fn override_cannot_change_a_rule_family() {
    let dir = TempDir::new("family");
    dir.write("a.toml", &format!("[[native]]\nid = \"android_id\"\ncategories = [\"device_ids\"]\nsymbols = [\"x\"]\n{DOC}\n"));
    let errors = check_dir(dir.path()).expect_err("rejected");
    let got = positions(&errors);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].1, got[0].2), (1, 1));
    assert!(
        got[0]
            .3
            .contains("`android_id` belongs to the `api` family"),
        "{got:?}"
    );
}

#[test]
fn override_cannot_invent_a_category() {
    let dir = TempDir::new("category");
    dir.write(
        "c.toml",
        "[[category]]\nid = \"dreams\"\ntitle = \"t\"\nplay = \"p\"\napple = \"a\"\n",
    );
    let got = positions(&check_dir(dir.path()).expect_err("rejected"));
    assert_eq!((got[0].1, got[0].2), (2, 6), "{got:?}");
    assert!(got[0].3.contains("unknown category `dreams`"), "{got:?}");
}

#[test]
fn missing_rules_directory_is_an_io_error() {
    let err = builtin()
        .with_overrides(Path::new("/nonexistent/dossier-rules-dir"))
        .expect_err("fails");
    assert!(
        matches!(err, dossier::rules::RulesDirError::Io { .. }),
        "{err}"
    );
}

// ---- check_dir error positions ----

fn positions(errors: &[RuleError]) -> Vec<(String, usize, usize, String)> {
    errors
        .iter()
        .map(|e| {
            let file = Path::new(&e.file)
                .file_name()
                .map_or(e.file.clone(), |f| f.to_string_lossy().into_owned());
            (file, e.line, e.column, e.message.clone())
        })
        .collect()
}

#[test]
fn check_dir_reports_line_and_column_of_each_problem() {
    let dir = TempDir::new("broken");
    // 1: TOML syntax error (unterminated string) on line 3.
    dir.write(
        "a_syntax.toml",
        "[[native]]\nid = \"ok_id\"\nsymbols = [\"getifaddrs]\n",
    );
    // 2: unknown key, non-snake_case id, unknown category, bad method signature, empty list.
    dir.write(
        "b_semantics.toml",
        &format!(
            "[[api]]\nid = \"BadId\"\ncategories = [\"location_precise\", \"telepathy\"]\nmethods = [\"Landroid/location/LocationManager;->get(\", \"android.location.LocationManager.x\"]\nfields = []\n{DOC}\n"
        ),
    );
    // 3: unknown key in a table, reported by the parser with its position.
    dir.write("c_unknown_key.toml", &format!("[[library]]\nid = \"lib_x\"\nname = \"X\"\ncode = [\"com.x.\"]\ncolour = \"red\"\n{DOC}\n"));
    // 4: duplicate id inside the directory, and a tracker host with a scheme.
    dir.write(
        "d_duplicate.toml",
        &format!(
            "[[native]]\nid = \"dup_rule\"\ncategories = [\"device_info\"]\nsymbols = [\"uname\"]\n{DOC}\n\n[[tracker]]\nid = \"dup_rule\"\nname = \"T\"\nhosts = [\"t.example\"]\n{DOC}\n\n[[tracker]]\nid = \"bad_host\"\nname = \"B\"\nhosts = [\"https://t.example\"]\n{DOC}\n"
        ),
    );
    let errors = check_dir(dir.path()).expect_err("broken files are rejected");
    let got = positions(&errors);
    let has = |file: &str, line: usize, column: usize, needle: &str| {
        assert!(
            got.iter()
                .any(|(f, l, c, m)| f == file && *l == line && *c == column && m.contains(needle)),
            "expected {file}:{line}:{column} `{needle}` in {got:#?}"
        );
    };
    has("a_syntax.toml", 3, 24, "");
    has("b_semantics.toml", 2, 6, "not snake_case");
    has("b_semantics.toml", 3, 35, "unknown category `telepathy`");
    has(
        "b_semantics.toml",
        4,
        12,
        "bad entry `Landroid/location/LocationManager;->get(`",
    );
    has(
        "b_semantics.toml",
        4,
        56,
        "bad entry `android.location.LocationManager.x`",
    );
    has("b_semantics.toml", 5, 10, "empty list `fields`");
    has("c_unknown_key.toml", 5, 1, "unknown field `colour`");
    has("d_duplicate.toml", 7, 1, "duplicate rule id `dup_rule`");
    has(
        "d_duplicate.toml",
        16,
        10,
        "bad entry `https://t.example` in `hosts`",
    );
    // Errors render as file:line:col: message.
    let rendered = errors
        .iter()
        .find(|e| e.message.contains("telepathy"))
        .expect("present")
        .to_string();
    assert!(
        rendered.ends_with(
            "b_semantics.toml:3:35: unknown category `telepathy` (see rules/categories.toml)"
        ),
        "{rendered}"
    );
}

#[test]
fn tracker_owner_must_exist() {
    let source = RuleFile {
        name: "t.toml".to_owned(),
        text: format!(
            "[[tracker]]\nid = \"orphan\"\nname = \"O\"\nowner = \"nobody\"\nhosts = [\"orphan.test\"]\n{DOC}\n"
        ),
    };
    let errors = builtin()
        .with_override_sources(&[source])
        .expect_err("rejected");
    assert_eq!(positions(&errors)[0].1, 1);
    assert!(errors[0].message.contains("owner `nobody`"), "{errors:?}");
}

#[test]
fn rows_are_sorted_and_cover_every_family_with_rules() {
    let rules = test_trackers();
    let rows = rules.rows();
    let mut sorted = rows.clone();
    sorted.sort();
    assert_eq!(rows, sorted);
    for family in [
        Family::Permission,
        Family::Api,
        Family::Native,
        Family::Library,
        Family::Tracker,
        Family::Owner,
        Family::NotEndpoint,
    ] {
        assert!(rows.iter().any(|r| r.family == family), "no {family} rows");
    }
}

#[test]
fn with_strings_needs_strings_and_is_kept() {
    let source = RuleFile {
        name: "ws.toml".to_owned(),
        text: format!(
            "[[api]]\nid = \"setting_read\"\ncategories = [\"device_ids\"]\nmethods = [\"Landroid/provider/Settings$Global;->getString\"]\nwith_strings = true\n{DOC}\n"
        ),
    };
    let errors = builtin()
        .with_override_sources(&[source])
        .expect_err("rejected");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].to_string().starts_with("ws.toml:5:"),
        "{}",
        errors[0]
    );

    let rules = with(&format!(
        "[[api]]\nid = \"setting_read\"\ncategories = [\"device_ids\"]\nmethods = [\"Landroid/provider/Settings$Global;->getString\"]\nstrings = [\"device_name\"]\nwith_strings = true\n{DOC}\n"
    ));
    let rule = rules
        .api_for_method(
            "Landroid/provider/Settings$Global;",
            "getString",
            "(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;",
        )
        .find(|r| r.id == "setting_read")
        .expect("matched by method");
    assert!(rule.with_strings);
    assert!(
        rules
            .api_for_method("Landroid/provider/Settings$Secure;", "getString", "")
            .any(|r| r.id == "android_id" && r.with_strings)
    );
}
