//! `dossier callgraph FILE --method SIGNATURE`: the neighbourhood of some methods in the app's call
//! graph (calls, callers, one path from an entry point) as text, JSON or Graphviz DOT.

use anyhow::Result;
use serde::Serialize;

use dossier::callgraph::{self, CallGraph, Coverage, GraphFigures, Neighbourhood};

use super::args::{CallgraphArgs, CallgraphFormat};
use super::output::emit;

/// The JSON of `--format json`.
#[derive(Serialize)]
struct CallgraphJson<'a> {
    graph: &'a GraphFigures,
    methods: &'a [Neighbourhood],
}

pub fn run(args: &CallgraphArgs) -> Result<()> {
    let scanner = super::scanner(&args.limits, None)?;
    let input = super::open_input(&scanner, &args.file)?;
    let facts = scanner.facts(input);
    let graph = CallGraph::build(&facts);
    let found = graph.find(&args.method, args.limit);
    if found.is_empty() {
        anyhow::bail!(
            "{}: no method of the app starts with {:?} (give a class descriptor like 'Lcom/x/Y;' or a signature 'Lcom/x/Y;->name')",
            args.file.display(),
            args.method
        );
    }
    let methods: Vec<Neighbourhood> = graph.neighbourhoods(&found);
    let text = match args.format {
        CallgraphFormat::Json => {
            let mut text = serde_json::to_string_pretty(&CallgraphJson {
                graph: &graph.figures(),
                methods: &methods,
            })?;
            text.push('\n');
            text
        }
        CallgraphFormat::Dot => callgraph::render_dot(&methods),
        CallgraphFormat::Text => {
            let mut text = String::new();
            if let Coverage::Everything(why) = graph.coverage() {
                text.push_str(&format!("reachability not known: {why}\n\n"));
            }
            text.push_str(&callgraph::render_text(&methods));
            text
        }
    };
    emit(&text, args.output.path.as_deref(), &[&args.file])
}
