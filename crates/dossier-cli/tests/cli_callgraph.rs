//! `dossier callgraph` and the call graph's figures in `dossier dex`, end to end on the reachapp
//! fixture (one class per kind of entry point, and dead code).

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::process::{Command, Output};

use serde_json::Value;

fn dossier(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .output()
        .expect("dossier runs")
}

fn reachapp() -> String {
    common::fixture("reachapp.apk").to_str().unwrap().to_owned()
}

#[test]
fn dex_json_gives_the_graph_figures() {
    let out = dossier(&["dex", &reachapp(), "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let graph = &json["graph"];
    assert_eq!(graph["coverage"]["state"], "known");
    let methods = graph["methods"].as_u64().unwrap();
    let reachable = graph["reachable_methods"].as_u64().unwrap();
    assert!(reachable > 0 && reachable < methods, "{graph}");
    assert!(graph["edges"].as_u64().unwrap() > 0, "{graph}");
    assert!(graph["entry_points"].as_u64().unwrap() >= 10, "{graph}");
}

#[test]
fn callgraph_shows_calls_callers_and_a_path() {
    let apk = reachapp();
    let out = dossier(&[
        "callgraph",
        &apk,
        "--method",
        "Lcom/example/reach/UsedSink;->accept",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let method = &json["methods"][0];
    assert_eq!(
        method["method"]["method"],
        "Lcom/example/reach/UsedSink;->accept()V"
    );
    assert_eq!(method["method"]["reachable"], true);
    // Called through the interface by the activity: a dispatch edge of the graph.
    let callers: Vec<&str> = method["called_by"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["method"].as_str())
        .collect();
    assert_eq!(
        callers,
        ["Lcom/example/reach/MainActivity;->onCreate(Landroid/os/Bundle;)V"]
    );
    assert_eq!(method["path"][0]["via"], "component");
    let external: Vec<&str> = method["external_calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        external.iter().any(|c| c.contains("getPrimaryClip")),
        "{external:?}"
    );

    let dead = dossier(&[
        "callgraph",
        &apk,
        "--method",
        "Lcom/example/reach/UnusedSink;->accept",
    ]);
    let text = String::from_utf8_lossy(&dead.stdout);
    assert!(
        text.contains("UnusedSink;->accept()V  [classes.dex] unreachable"),
        "{text}"
    );

    let dot = dossier(&[
        "callgraph",
        &apk,
        "--method",
        "Lcom/example/reach/MainActivity;->onCreate",
        "--format",
        "dot",
    ]);
    let dot = String::from_utf8_lossy(&dot.stdout);
    assert!(dot.starts_with("digraph callgraph {"), "{dot}");
    assert!(
        dot.contains("UsedSink;->accept()V\", style=\"filled\""),
        "{dot}"
    );
    assert!(dot.contains(" -> "), "{dot}");
}

#[test]
fn callgraph_names_what_it_could_not_find() {
    let out = dossier(&[
        "callgraph",
        &reachapp(),
        "--method",
        "Lcom/nowhere/Nothing;",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no method of the app starts with"), "{err}");
}
