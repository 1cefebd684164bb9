//! Evidence that no instruction of the app makes: framework callbacks that a class of the app
//! overrides (`override`), calls that name a class of the app but reach the framework method it
//! inherits, and manifest receivers of data-carrying broadcasts. Pinned on the fixtures: apiprobe
//! (one override probe per rule), vidshare (an accessibility service, an SMS receiver, and a
//! `PhoneStateListener` overridden in the editor split two levels below the framework class) and
//! cleannotes (decoys named like callbacks in a class that extends nothing of the framework).

mod common;

use std::sync::OnceLock;

use dossier::report::{Evidence, EvidenceKind, Report, Strength};
use dossier::rules::RuleSet;

fn scan(name: &str) -> Report {
    let rules = RuleSet::builtin().expect("built-in rules load");
    dossier::Scanner::new(rules, dossier::Limits::default())
        .scan_path(&common::fixture(name))
        .unwrap_or_else(|e| panic!("scan {name}: {e}"))
}

fn apiprobe() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| scan("apiprobe.apk"))
}

fn vidshare_set() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| scan("vidshare.apks"))
}

/// The evidence of `category` of kind `kind` whose location is in class `class`.
fn evidence_in<'r>(
    report: &'r Report,
    category: &str,
    kind: EvidenceKind,
    class: &str,
) -> Vec<&'r Evidence> {
    report
        .categories
        .iter()
        .filter(|c| c.id == category)
        .flat_map(|c| &c.evidence)
        .filter(|e| e.kind == kind)
        .filter(|e| {
            e.location
                .as_ref()
                .is_some_and(|l| l.class.as_deref() == Some(class))
        })
        .collect()
}

/// One override: its rule, the framework method as detail, the overriding method as location
/// (no offset), the app as collector, strength `called`.
fn assert_override(
    report: &Report,
    category: &str,
    rule: &str,
    class: &str,
    framework_method: &str,
) {
    let found = evidence_in(report, category, EvidenceKind::Override, class);
    assert_eq!(found.len(), 1, "{category} {class}: {found:#?}");
    let e = found[0];
    assert_eq!(e.rule, rule);
    assert_eq!(e.detail, framework_method);
    assert_eq!(e.strength, Strength::Called);
    assert_eq!(e.collector.as_deref(), Some("app"));
    let location = e.location.as_ref().unwrap();
    let (name, proto) = framework_method
        .split_once("->")
        .and_then(|(_, m)| m.find('(').map(|i| (&m[..i], &m[i..])))
        .unwrap();
    assert_eq!(location.method.as_deref(), Some(name));
    assert_eq!(location.proto.as_deref(), Some(proto));
    assert_eq!(location.offset, None);
}

#[test]
fn a_phone_state_listener_subclass_overriding_on_call_state_changed_is_call_monitoring() {
    assert_override(
        apiprobe(),
        "call_log",
        "call_numbers_observed",
        "Lcom/example/apiprobe/call_log/CallNumbersObservedOverride;",
        "Landroid/telephony/PhoneStateListener;->onCallStateChanged(ILjava/lang/String;)V",
    );
    // The framework method is listed as a sensitive API with the overriding method as its site.
    let call = apiprobe()
        .api_calls
        .iter()
        .find(|c| {
            c.api
                .ends_with("PhoneStateListener;->onCallStateChanged(ILjava/lang/String;)V")
        })
        .expect("api call of the overridden callback");
    assert_eq!(call.sites.len(), 1);
    assert_eq!(
        call.sites[0].location.class.as_deref(),
        Some("Lcom/example/apiprobe/call_log/CallNumbersObservedOverride;")
    );
}

#[test]
fn an_interface_implementation_overrides_its_callback() {
    for category in ["location_precise", "location_approximate"] {
        assert_override(
            apiprobe(),
            category,
            "location_listener",
            "Lcom/example/apiprobe/location_precise/LocationListenerOverride;",
            "Landroid/location/LocationListener;->onLocationChanged(Landroid/location/Location;)V",
        );
    }
    assert_override(
        apiprobe(),
        "call_log",
        "call_state_callback",
        "Lcom/example/apiprobe/call_log/CallStateCallbackOverride;",
        "Landroid/telephony/TelephonyCallback$CallStateListener;->onCallStateChanged(I)V",
    );
}

#[test]
fn accessibility_and_notification_services_receive_other_apps_content() {
    let event = "Landroid/accessibilityservice/AccessibilityService;->onAccessibilityEvent(Landroid/view/accessibility/AccessibilityEvent;)V";
    let service = "Lcom/example/apiprobe/keystrokes/AccessibilityContentOverride;";
    assert_override(
        apiprobe(),
        "keystrokes",
        "accessibility_content",
        service,
        event,
    );
    assert_override(
        apiprobe(),
        "screen_content",
        "accessibility_window_content",
        service,
        event,
    );
    assert_override(
        apiprobe(),
        "keystrokes",
        "notification_listener",
        "Lcom/example/apiprobe/keystrokes/NotificationListenerOverride;",
        "Landroid/service/notification/NotificationListenerService;->onNotificationPosted(Landroid/service/notification/StatusBarNotification;)V",
    );
}

#[test]
fn media_projection_capture_is_screen_content() {
    let found = evidence_in(
        apiprobe(),
        "screen_content",
        EvidenceKind::ApiCall,
        "Lcom/example/apiprobe/screen_content/Probe;",
    );
    assert!(
        found.iter().any(|e| e.rule == "screen_capture_projection"
            && e.detail
                == "Landroid/media/projection/MediaProjectionManager;->createScreenCaptureIntent()Landroid/content/Intent;"),
        "{found:#?}"
    );
}

#[test]
fn an_override_is_found_through_an_app_class_of_another_dex() {
    // CallWatcher (editor split) extends CallListenerBase (base), which extends
    // PhoneStateListener and overrides nothing itself.
    let report = vidshare_set();
    assert_override(
        report,
        "call_log",
        "call_numbers_observed",
        "Lcom/example/vidshare/editor/CallWatcher;",
        "Landroid/telephony/PhoneStateListener;->onCallStateChanged(ILjava/lang/String;)V",
    );
    let watcher = &evidence_in(
        report,
        "call_log",
        EvidenceKind::Override,
        "Lcom/example/vidshare/editor/CallWatcher;",
    )[0];
    assert_eq!(
        watcher.location.as_ref().unwrap().member.as_deref(),
        Some("splits/editor-master.apk")
    );
    assert!(
        evidence_in(
            report,
            "call_log",
            EvidenceKind::Override,
            "Lcom/example/vidshare/calls/CallListenerBase;"
        )
        .is_empty()
    );
    // Without the editor split, the base alone overrides nothing.
    let base = scan("vidshare.apk");
    let overrides: Vec<&Evidence> = base
        .categories
        .iter()
        .filter(|c| c.id == "call_log")
        .flat_map(|c| &c.evidence)
        .filter(|e| e.kind == EvidenceKind::Override)
        .collect();
    assert!(overrides.is_empty(), "{overrides:#?}");
}

#[test]
fn a_call_on_the_service_itself_reaches_the_inherited_framework_method() {
    // `invoke-virtual {p0}, Lcom/example/vidshare/a11y/GestureService;->getRootInActiveWindow()`.
    let found = evidence_in(
        vidshare_set(),
        "screen_content",
        EvidenceKind::ApiCall,
        "Lcom/example/vidshare/a11y/GestureService;",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].rule, "accessibility_window_content");
    assert_eq!(
        found[0].detail,
        "Landroid/accessibilityservice/AccessibilityService;->getRootInActiveWindow()Landroid/view/accessibility/AccessibilityNodeInfo;"
    );
    let location = found[0].location.as_ref().unwrap();
    assert_eq!(location.method.as_deref(), Some("readWindow"));
    assert!(location.offset.is_some());
}

#[test]
fn a_manifest_sms_receiver_with_code_is_called_evidence() {
    for (report, class) in [
        (apiprobe(), "com.example.apiprobe.receiver.SmsProbe"),
        (vidshare_set(), "com.example.vidshare.sms.SmsReceiver"),
    ] {
        let detail = format!("receiver {class} for android.provider.Telephony.SMS_RECEIVED");
        let found: Vec<&Evidence> = report
            .categories
            .iter()
            .filter(|c| c.id == "sms")
            .flat_map(|c| &c.evidence)
            .filter(|e| e.kind == EvidenceKind::Component && e.detail == detail)
            .collect();
        assert_eq!(found.len(), 1, "{detail}: {found:#?}");
        assert_eq!(found[0].rule, "sms_received");
        assert_eq!(found[0].strength, Strength::Called);
        assert_eq!(found[0].collector.as_deref(), Some("app"));
    }
}

#[test]
fn methods_named_like_callbacks_outside_the_framework_types_are_no_evidence() {
    // NoteWatcher defines onLocationChanged, onCallStateChanged and getRootInActiveWindow, and
    // calls the last on itself, without extending or implementing any framework type.
    let report = scan("cleannotes.apk");
    assert!(report.categories.is_empty(), "{:#?}", report.categories);
    assert!(report.api_calls.is_empty(), "{:#?}", report.api_calls);
}
