//! Reachability: the call graph starts from the ways Android starts code, and a call only counts
//! as collection when a path from one of them reaches it. `fixtures/apps/reachapp` has one class
//! per entry-point kind, each reading the clipboard, plus code no entry point reaches.

mod common;

use dossier::callgraph::{CallGraph, Coverage};
use dossier::report::{PathStep, Report, Standing, Verdict, Via};
use dossier::scanner::AppFacts;

fn facts(name: &str) -> AppFacts {
    let scanner = dossier::Scanner::with_builtin_rules().expect("built-in rules");
    let input = scanner
        .open_path(&common::fixture(name))
        .expect("fixture opens");
    scanner.facts(input)
}

fn report(facts: &AppFacts) -> Report {
    dossier::Scanner::with_builtin_rules()
        .expect("built-in rules")
        .report(facts)
}

/// The path to a method of the reachapp fixture: `Some(path)` when reached, `None` when not.
fn path(graph: &CallGraph<'_>, class: &str, method: &str, proto: &str) -> Option<Vec<PathStep>> {
    let class = format!("Lcom/example/reach/{class};");
    graph
        .path_to_method(&class, method, proto)
        .unwrap_or_else(|| panic!("{class}->{method}{proto} is not in the graph"))
}

fn vias(path: &[PathStep]) -> Vec<Via> {
    path.iter().map(|s| s.via).collect()
}

#[test]
fn every_entry_point_kind_is_an_entry_point() {
    let facts = facts("reachapp.apk");
    let graph = CallGraph::build(&facts);
    assert_eq!(graph.coverage(), &Coverage::Known);
    let cases = [
        (
            "MainActivity",
            "onCreate",
            "(Landroid/os/Bundle;)V",
            Via::Component,
        ),
        ("SyncService", "onCreate", "()V", Via::Component),
        (
            "BootReceiver",
            "onReceive",
            "(Landroid/content/Context;Landroid/content/Intent;)V",
            Via::Component,
        ),
        ("StateProvider", "onCreate", "()Z", Via::Component),
        ("ReachApp", "onCreate", "()V", Via::Application),
        (
            "StartupInit",
            "create",
            "(Landroid/content/Context;)Ljava/lang/Object;",
            Via::Manifest,
        ),
        (
            "FancyView",
            "<init>",
            "(Landroid/content/Context;Landroid/util/AttributeSet;)V",
            Via::Resource,
        ),
        ("NativeBridge", "onEvent", "()V", Via::Native),
        ("Plugin", "run", "()V", Via::String),
        ("Agent", "main", "([Ljava/lang/String;)V", Via::Main),
    ];
    for (class, method, proto, via) in cases {
        let path = path(&graph, class, method, proto)
            .unwrap_or_else(|| panic!("{class}.{method} is not reached"));
        assert_eq!(path.len(), 1, "{class}.{method}: {path:?}");
        assert_eq!(path[0].via, via, "{class}.{method}");
    }
}

#[test]
fn callbacks_static_initialisers_and_dispatch_follow_the_code() {
    let facts = facts("reachapp.apk");
    let graph = CallGraph::build(&facts);
    // Registered at run time: instantiated in onCreate, called back through the framework type.
    let listener = path(
        &graph,
        "LocListener",
        "onLocationChanged",
        "(Landroid/location/Location;)V",
    )
    .expect("the registered listener is reached");
    assert_eq!(vias(&listener), [Via::Component, Via::Callback]);
    assert_eq!(listener[0].class, "Lcom/example/reach/MainActivity;");
    let runnable = path(&graph, "Worker", "run", "()V").expect("the posted Runnable is reached");
    assert_eq!(vias(&runnable), [Via::Component, Via::Callback]);
    // Reading Config.TAG runs Config's static initialiser.
    let clinit = path(&graph, "Config", "<clinit>", "()V").expect("the initialiser is reached");
    assert_eq!(vias(&clinit), [Via::Component, Via::StaticInit]);
    // An interface call dispatches to the implementation that is instantiated, not the other.
    let used = path(&graph, "UsedSink", "accept", "()V").expect("UsedSink.accept is reached");
    assert_eq!(vias(&used), [Via::Component, Via::Call]);
    assert_eq!(path(&graph, "UnusedSink", "accept", "()V"), None);
    // Never instantiated: its callback is dead.
    assert_eq!(
        path(
            &graph,
            "DeadListener",
            "onLocationChanged",
            "(Landroid/location/Location;)V"
        ),
        None
    );
    let dead = graph
        .path_to_method("Lcom/deadsdk/Tracker;", "collect", "()Ljava/lang/String;")
        .expect("in the graph");
    assert_eq!(dead, None);
    let figures = graph.figures();
    assert!(figures.entry_points >= 9, "{figures:?}");
    assert!(figures.reachable_methods < figures.methods, "{figures:?}");
    assert!(figures.edges > 0, "{figures:?}");
}

#[test]
fn unreachable_calls_make_a_category_possible_and_collected_ones_show_a_path() {
    let facts = facts("reachapp.apk");
    let report = report(&facts);
    let category = |id: &str| {
        report
            .categories
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no category {id}"))
    };
    // ANDROID_ID is read only by a library method nothing calls.
    let ids = category("device_ids");
    assert_eq!(ids.verdict, Verdict::Possible, "{}", ids.verdict_reason);
    assert!(
        ids.verdict_reason.contains("unreachable"),
        "{}",
        ids.verdict_reason
    );
    assert!(
        ids.evidence
            .iter()
            .all(|e| e.standing == Standing::Unreachable && e.path.is_none())
    );
    // The dead listener is listed, marked, beside the live one.
    let location = category("location_precise");
    assert_eq!(location.verdict, Verdict::Collected);
    let standing_of = |class: &str| {
        location
            .evidence
            .iter()
            .find(|e| e.location.as_ref().and_then(|l| l.class.as_deref()) == Some(class))
            .map(|e| (e.standing, e.path.clone()))
    };
    let (dead, dead_path) = standing_of("Lcom/example/reach/DeadListener;").expect("listed");
    assert_eq!((dead, dead_path), (Standing::Unreachable, None));
    let (live, live_path) = standing_of("Lcom/example/reach/LocListener;").expect("listed");
    assert_eq!(live, Standing::Collects);
    assert_eq!(
        vias(&live_path.expect("a path")),
        [Via::Component, Via::Callback]
    );
    // Every call site says whether it is reached; the clipboard is read in both kinds.
    let clip = report
        .api_calls
        .iter()
        .find(|c| c.api.contains("getPrimaryClip"))
        .expect("clipboard calls");
    let dead_sites: Vec<&str> = clip
        .sites
        .iter()
        .filter(|s| s.unreachable)
        .filter_map(|s| s.location.class.as_deref())
        .collect();
    assert_eq!(
        dead_sites,
        [
            "Lcom/example/reach/DeadListener;",
            "Lcom/example/reach/UnusedSink;"
        ]
    );
    assert!(clip.sites.len() > 10);
}

/// A call through an app class that inherits the framework method (`ScreenReader->
/// getRootInActiveWindow`, as javac names the receiver) matches the framework's rule, reachable
/// from the service's callback.
#[test]
fn a_call_through_an_app_subclass_reaches_the_framework_rule() {
    let facts = facts("reachapp.apk");
    let report = report(&facts);
    let screen = report
        .categories
        .iter()
        .find(|c| c.id == "screen_content")
        .expect("screen_content");
    assert_eq!(
        screen.verdict,
        Verdict::Collected,
        "{}",
        screen.verdict_reason
    );
    let call = screen
        .evidence
        .iter()
        .find(|e| e.detail.contains("getRootInActiveWindow"))
        .expect("the inherited call");
    assert_eq!(call.standing, Standing::Collects);
    assert_eq!(call.path.as_ref().map(|p| p[0].via), Some(Via::Component));
}

/// Without a manifest there are no entry points to start from: every method counts, and the graph
/// says why instead of calling everything unreachable.
#[test]
fn a_bare_dex_counts_everything_reachable() {
    let facts = facts("../dex/refs.dex");
    let graph = CallGraph::build(&facts);
    assert!(matches!(graph.coverage(), Coverage::Everything(why) if why.contains("manifest")));
    let report = report(&facts);
    assert!(
        report
            .categories
            .iter()
            .flat_map(|c| &c.evidence)
            .all(|e| e.standing != Standing::Unreachable)
    );
}

/// A packed app: the manifest names a component the code does not define, because the real code
/// is decrypted and loaded at run time, and that code can call anything. Nothing is called
/// unreachable then.
#[test]
fn a_component_missing_from_the_code_means_code_loaded_at_run_time() {
    let mut facts = facts("reachapp.apk");
    let manifest = facts.manifest.as_mut().expect("a manifest");
    // One component of a library the build does not ship changes nothing ...
    let mut packed = manifest.components[0].clone();
    packed.name = "com.example.reach.payload.HiddenActivity".to_owned();
    manifest.components.push(packed.clone());
    assert_eq!(CallGraph::build(&facts).coverage(), &Coverage::Known);
    // ... but a packer leaves most of them out: they are in the code it decrypts.
    let manifest = facts.manifest.as_mut().expect("a manifest");
    for i in 0..manifest.components.len() {
        packed.name = format!("com.example.reach.payload.Hidden{i}");
        manifest.components.push(packed.clone());
    }
    let graph = CallGraph::build(&facts);
    assert!(
        matches!(graph.coverage(), Coverage::Everything(why)
            if why.contains("Lcom/example/reach/payload/HiddenActivity;") && why.contains("packer")),
        "{:?}",
        graph.coverage()
    );
    let report = report(&facts);
    let ids = report
        .categories
        .iter()
        .find(|c| c.id == "device_ids")
        .expect("device_ids");
    assert_eq!(ids.verdict, Verdict::Collected, "{}", ids.verdict_reason);
}

/// A test APK: its instrumentation runner lists the DEX files for test classes and calls them by
/// reflection, which no name in the input shows.
#[test]
fn an_instrumentation_runner_makes_every_method_reachable() {
    let mut facts = facts("reachapp.apk");
    facts.instrumented = true;
    let graph = CallGraph::build(&facts);
    assert!(
        matches!(graph.coverage(), Coverage::Everything(why) if why.contains("instrumentation")),
        "{:?}",
        graph.coverage()
    );
}

/// The path of a collecting call is in the verbose text and, folded, in the HTML page.
#[test]
fn paths_show_in_the_verbose_text_and_the_html_page() {
    let facts = facts("reachapp.apk");
    let report = report(&facts);
    let expected = "component MainActivity.onCreate → callback LocListener.onLocationChanged";
    let text = dossier::report::render_text(
        &report,
        &dossier::report::TextOptions {
            verbose: true,
            ..Default::default()
        },
    );
    assert!(text.contains(&format!("path: {expected}")), "{text}");
    let html = dossier::report::render_html(&report);
    assert!(
        html.contains(&format!(
            "<details><summary>path from an entry point</summary><code>{expected}</code></details>"
        )),
        "no path in the HTML"
    );
}
