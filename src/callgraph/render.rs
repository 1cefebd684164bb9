//! `dossier callgraph` output: a method's neighbourhood as text for people and as Graphviz DOT.
//! Names come from the app, so text escapes control characters and DOT quotes every label.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Neighbourhood, NodeInfo};
use crate::report::escape;

fn reach_word(node: &NodeInfo) -> &'static str {
    if node.reachable {
        "reachable"
    } else {
        "unreachable"
    }
}

fn list(out: &mut String, title: &str, items: impl ExactSizeIterator<Item = String>) {
    let _ = writeln!(out, "  {title} ({}):", items.len());
    for item in items {
        let _ = writeln!(out, "    {}", escape::visible(&item));
    }
}

/// Each method with its path from an entry point, calls, callers and calls leaving the app.
pub fn render_text(methods: &[Neighbourhood]) -> String {
    let mut out = String::new();
    for n in methods {
        let _ = writeln!(
            out,
            "{}  [{}] {}",
            escape::visible(&n.method.method),
            escape::visible(&n.method.dex),
            reach_word(&n.method)
        );
        if let Some(path) = &n.path {
            let _ = writeln!(out, "  path from an entry point:");
            for step in path {
                let _ = writeln!(
                    out,
                    "    {:<11} {}",
                    step.via.as_str(),
                    escape::visible(&format!("{}->{}{}", step.class, step.method, step.proto))
                );
            }
        }
        let node = |n: &NodeInfo| format!("{} ({})", n.method, reach_word(n));
        list(&mut out, "calls", n.calls.iter().map(node));
        list(&mut out, "called by", n.called_by.iter().map(node));
        list(
            &mut out,
            "calls outside the app",
            n.external_calls.iter().cloned(),
        );
        out.push('\n');
    }
    out
}

/// A DOT string literal: quotes and backslashes escaped, control characters shown.
fn dot_quoted(text: &str) -> String {
    let visible = escape::visible(text);
    let mut out = String::with_capacity(visible.len() + 2);
    out.push('"');
    for c in visible.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The number of a node in the drawing, given in first-seen order; `asked` marks the methods
/// the user named.
fn node_id<'a>(
    ids: &mut BTreeMap<&'a str, (usize, &'a NodeInfo, bool)>,
    node: &'a NodeInfo,
    asked: bool,
) -> usize {
    let next = ids.len();
    let entry = ids
        .entry(node.method.as_str())
        .or_insert((next, node, asked));
    entry.2 |= asked;
    entry.0
}

/// The methods, their callers and callees as one directed graph; reachable methods filled, the
/// methods asked for drawn bold.
pub fn render_dot(methods: &[Neighbourhood]) -> String {
    let mut ids: BTreeMap<&str, (usize, &NodeInfo, bool)> = BTreeMap::new();
    for n in methods {
        node_id(&mut ids, &n.method, true);
    }
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for n in methods {
        let this = node_id(&mut ids, &n.method, true);
        for callee in &n.calls {
            edges.push((this, node_id(&mut ids, callee, false)));
        }
        for caller in &n.called_by {
            edges.push((node_id(&mut ids, caller, false), this));
        }
    }
    edges.sort_unstable();
    edges.dedup();
    let mut nodes: Vec<&(usize, &NodeInfo, bool)> = ids.values().collect();
    nodes.sort_by_key(|(id, _, _)| *id);
    let mut out = String::from(
        "digraph callgraph {\n  rankdir=LR;\n  node [shape=box, fontname=monospace];\n",
    );
    for (id, node, asked) in nodes {
        let mut style = Vec::new();
        if node.reachable {
            style.push("filled");
        }
        if *asked {
            style.push("bold");
        }
        let _ = writeln!(
            out,
            "  n{id} [label={}, style={}];",
            dot_quoted(&node.method),
            dot_quoted(&style.join(","))
        );
    }
    for (a, b) in edges {
        let _ = writeln!(out, "  n{a} -> n{b};");
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_labels_cannot_break_out_of_their_quotes() {
        assert_eq!(dot_quoted("La\"b\\c;"), "\"La\\\"b\\\\c;\"");
        assert!(!dot_quoted("x\ny").contains('\n'));
    }
}
