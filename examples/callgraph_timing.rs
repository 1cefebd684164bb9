//! Times the steps of a scan of one input, the call graph apart, to see what reachability costs:
//! `cargo run --release --example callgraph_timing -- APP [ROUNDS]`. Prints the best of ROUNDS
//! (default 5) for reading the facts, building the call graph, and building the report (which
//! builds the graph again). With a third argument `graph`, it only builds the graph ROUNDS times
//! after reading the facts once (for `perf stat`).

use std::time::{Duration, Instant};

use dossier::callgraph::CallGraph;

fn best(rounds: usize, mut f: impl FnMut()) -> Duration {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: callgraph_timing APP [ROUNDS]");
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let scanner = dossier::Scanner::with_builtin_rules().expect("built-in rules");
    let facts = scanner.facts(scanner.open_path(path.as_ref()).expect("input opens"));
    if args.next().as_deref() == Some("graph") {
        // Only the call graph, for counting its instructions with `perf stat`.
        for _ in 0..rounds {
            drop(CallGraph::build(&facts));
        }
        return;
    }
    let read = best(rounds, || {
        let input = scanner.open_path(path.as_ref()).expect("input opens");
        drop(scanner.facts(input));
    });
    let graph = best(rounds, || drop(CallGraph::build(&facts)));
    let report = best(rounds, || drop(scanner.report(&facts)));
    let figures = CallGraph::build(&facts).figures();
    println!(
        "{path}: facts {read:.3?}, call graph {graph:.3?}, report {report:.3?} \
         ({} methods, {} reachable)",
        figures.methods, figures.reachable_methods
    );
}
