//! The app's call graph and what its entry points reach, over every DEX of the input (all
//! splits), built from the facts the scanner already keeps: the callers of every invoked method,
//! instantiated class, class literal and field (the site tables), and each class's superclass,
//! interfaces and virtual methods (the hierarchy).
//!
//! - `index.rs`: nodes (methods with code that use something), classes, and how a call resolves
//!   to the method it runs in the app;
//! - `edges.rs`: the site tables turned around into lists per calling method;
//! - `entry.rs`: entry points — what Android instantiates or names (manifest components, the
//!   `Application`, meta-data, resources, native code, strings of the code and assets);
//! - `reach.rs`: rapid type analysis from the entry points;
//! - `render.rs`: a method's neighbourhood as text and Graphviz DOT (`dossier callgraph`).
//!
//! Nothing here looks at the rules: the analysis asks whether a call site is reachable and for
//! one path to it. When the input was not read whole, or has no manifest to name its entry
//! points (a bare DEX or JAR: a library), every method counts as reachable and
//! [`CallGraph::coverage`] says why.

mod edges;
mod entry;
mod index;
mod reach;
mod render;

pub use render::{render_dot, render_text};

use serde::Serialize;

use crate::dex::MethodRef;
use crate::report::{Location, PathStep, ScanState, ScanStatus, Via};
use crate::scanner::{AppFacts, DexScan};

/// Most steps of a path given as evidence: the walk is breadth-first, so paths are short; a cap
/// keeps a hostile chain from making a report large.
pub const MAX_PATH_STEPS: usize = 48;

/// What reachability can say about this input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "snake_case")]
pub enum Coverage {
    /// Entry points are known and the code was read whole: unreached code is unreachable as far
    /// as static analysis can tell.
    Known,
    /// Every method counts as reachable, for the reason given.
    Everything(String),
}

/// The size of the graph and what the entry points reach: for `dossier dex --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphFigures {
    pub coverage: Coverage,
    /// Classes the app's DEX files define (each name once).
    pub classes: usize,
    /// Methods with code that use something: the nodes.
    pub methods: usize,
    /// Calls from a node to a method of the app, each (caller, target) pair once: the named
    /// method or the one it inherits, and the overriding methods of instantiated subclasses
    /// (rapid type analysis).
    pub edges: usize,
    /// Classes Android starts from (components, the application, classes named by manifests,
    /// resources, native code and strings).
    pub entry_points: usize,
    /// Classes instantiated by reachable code or by the system.
    pub instantiated_classes: usize,
    pub reachable_methods: usize,
    /// `reachable_methods / methods`, rounded to three decimals (1 for an empty graph).
    pub reachable_share: f64,
    /// Whether reachable code enumerates methods by reflection or bridges objects to JavaScript,
    /// which makes every method of every instantiated class reachable.
    pub reflective_dispatch: bool,
    /// Whether reachable code loads DEX code at run time (`DexClassLoader` and its kin): code
    /// not in the input, which may call any class of the app.
    pub loads_code_at_run_time: bool,
}

/// One method's calls and callers in the graph (`dossier callgraph`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Neighbourhood {
    pub method: NodeInfo,
    /// Methods of the app it calls (the named method or the one it inherits, and overrides in
    /// instantiated subclasses); sorted.
    pub calls: Vec<NodeInfo>,
    /// Methods of the app whose calls resolve to it; sorted.
    pub called_by: Vec<NodeInfo>,
    /// Calls to methods outside the app (the framework, missing libraries), as written; sorted.
    pub external_calls: Vec<String>,
    /// One path from an entry point, when reachable.
    pub path: Option<Vec<PathStep>>,
}

/// A node as listed by [`Neighbourhood`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NodeInfo {
    /// `Lcls;->name(Args)Ret`.
    pub method: String,
    /// The DEX entry (with its split member, `member!classes2.dex`).
    pub dex: String,
    pub reachable: bool,
}

/// The graph of one input with what its entry points reach.
pub struct CallGraph<'f> {
    facts: &'f AppFacts,
    index: index::AppIndex<'f>,
    edges: Vec<edges::DexEdges<'f>>,
    pred: Vec<u32>,
    via: Vec<Via>,
    roots: usize,
    instantiated: usize,
    instantiated_below: crate::rules::FastMap<&'f str, Vec<&'f str>>,
    reflective_dispatch: bool,
    loads_code: bool,
    coverage: Coverage,
}

impl<'f> CallGraph<'f> {
    /// Builds the graph and walks it from the entry points.
    pub fn build(facts: &'f AppFacts) -> CallGraph<'f> {
        Self::build_with(facts, true)
    }

    /// What a report needs: the graph when its answers will be used, else (coverage not
    /// [`Coverage::Known`]: every method counts) only the coverage, without the cost of the
    /// tables and the walk.
    pub fn for_report(facts: &'f AppFacts) -> CallGraph<'f> {
        Self::build_with(facts, false)
    }

    fn build_with(facts: &'f AppFacts, always: bool) -> CallGraph<'f> {
        let coverage = coverage(facts);
        if !always && coverage != Coverage::Known {
            return CallGraph {
                facts,
                index: index::AppIndex::default(),
                edges: Vec::new(),
                pred: Vec::new(),
                via: Vec::new(),
                roots: 0,
                instantiated: 0,
                instantiated_below: Default::default(),
                reflective_dispatch: false,
                loads_code: false,
                coverage,
            };
        }
        let index = index::AppIndex::new(facts);
        let edges = edges::per_dex(facts);
        let roots = entry::roots(facts, &index);
        let walked = reach::walk(&index, &edges, &roots);
        CallGraph {
            facts,
            index,
            edges,
            pred: walked.pred,
            via: walked.via,
            roots: roots.len(),
            instantiated: walked.instantiated,
            instantiated_below: walked.instantiated_below,
            reflective_dispatch: walked.reflective_dispatch,
            loads_code: walked.loads_code,
            coverage,
        }
    }

    pub fn coverage(&self) -> &Coverage {
        &self.coverage
    }

    /// Whether reachable code loads DEX code at run time, which could call code found
    /// unreachable here.
    pub fn loads_code_at_run_time(&self) -> bool {
        self.loads_code
    }

    fn dex_index(&self, scan: &DexScan) -> Option<usize> {
        self.facts.dex.iter().position(|s| std::ptr::eq(s, scan))
    }

    /// The node of the caller at `position` in `scan`'s site table.
    fn node(&self, scan: &DexScan, position: u32) -> Option<u32> {
        self.index.node(self.dex_index(scan)?, position)
    }

    /// The node of the method at a report location (a DEX entry with class, method and
    /// prototype).
    fn node_at(&self, location: &Location) -> Option<u32> {
        let (class, method, proto) = (
            location.class.as_deref()?,
            location.method.as_deref()?,
            location.proto.as_deref()?,
        );
        let d = self.facts.dex.iter().position(|s| {
            s.entry == location.entry && s.member.as_deref() == location.member.as_deref()
        })?;
        if let Some(node) = self.index.node_of(class, method, proto)
            && self.index.locate(node).0 == d
        {
            return Some(node);
        }
        // A class defined again in a later DEX: its copy is found among that DEX's callers.
        self.index.callers[d]
            .iter()
            .position(|site| {
                let m = &site.method;
                (&*m.class, &*m.name, &*m.proto) == (class, method, proto)
            })
            .and_then(|pos| self.index.node(d, pos as u32))
    }

    /// Whether an entry point reaches the code at `location` (see [`CallGraph::reaches`]).
    pub fn reaches_location(&self, location: &Location) -> bool {
        if self.coverage != Coverage::Known {
            return true;
        }
        self.node_at(location)
            .is_none_or(|node| self.node_reached(node))
    }

    /// One path from an entry point to the method at `location` (see [`CallGraph::path`]).
    pub fn path_to_location(&self, location: &Location) -> Option<Vec<PathStep>> {
        if self.coverage != Coverage::Known {
            return None;
        }
        self.path_to(self.node_at(location)?)
    }

    /// Whether an entry point reaches method `name(proto)` of `class` (the definition the
    /// runtime loads), with one path when it does; `None` for a method the graph does not have
    /// (outside the app, or using nothing). Coverage aside: this is what the walk found.
    pub fn path_to_method(
        &self,
        class: &str,
        name: &str,
        proto: &str,
    ) -> Option<Option<Vec<PathStep>>> {
        let node = self.index.node_of(class, name, proto)?;
        Some(self.path_to(node))
    }

    fn node_reached(&self, node: u32) -> bool {
        self.pred
            .get(node as usize)
            .is_some_and(|&p| p != reach::UNREACHED)
    }

    /// Whether an entry point reaches the caller at `position` of `scan`'s site table: always
    /// true when coverage is not [`Coverage::Known`] or the caller is unknown to the graph.
    pub fn reaches(&self, scan: &DexScan, position: u32) -> bool {
        if self.coverage != Coverage::Known {
            return true;
        }
        self.node(scan, position)
            .is_none_or(|node| self.node_reached(node))
    }

    /// Whether the framework may call method `name(proto)` that `class` defines, an override of
    /// a framework callback: some class at or below it is instantiated by reachable code or by
    /// the system. Always true when coverage is not [`Coverage::Known`].
    pub fn reaches_override(&self, class: &str, name: &str, proto: &str) -> bool {
        if self.coverage != Coverage::Known {
            return true;
        }
        match self.index.node_of(class, name, proto) {
            Some(node) => self.node_reached(node),
            // A method that uses nothing is no node; reached if its class would be called back.
            None => self.instantiated_at_or_below(class),
        }
    }

    fn instantiated_at_or_below(&self, class: &str) -> bool {
        // The walk listed every instantiated class under each of its supertypes.
        self.instantiated_below.contains_key(class)
    }

    /// One path from an entry point to the caller at `position` of `scan`: the entry method
    /// first, the caller last; `None` when it is not reached or coverage is not known.
    pub fn path(&self, scan: &DexScan, position: u32) -> Option<Vec<PathStep>> {
        if self.coverage != Coverage::Known {
            return None;
        }
        self.path_to(self.node(scan, position)?)
    }

    fn path_to(&self, node: u32) -> Option<Vec<PathStep>> {
        if !self.node_reached(node) {
            return None;
        }
        let mut steps = Vec::new();
        let mut current = node;
        loop {
            let method = self.index.method(current);
            steps.push(PathStep {
                via: self.via[current as usize],
                class: method.class.to_string(),
                method: method.name.to_string(),
                proto: method.proto.to_string(),
            });
            let pred = self.pred[current as usize];
            if pred == reach::ROOT || steps.len() >= MAX_PATH_STEPS {
                break;
            }
            current = pred;
        }
        steps.reverse();
        Some(steps)
    }

    /// The graph's size and reach.
    pub fn figures(&self) -> GraphFigures {
        let methods = self.index.len();
        let reachable = (0..methods as u32)
            .filter(|&n| self.node_reached(n))
            .count();
        let mut edges = 0usize;
        let mut targets: Vec<u32> = Vec::new();
        for node in 0..methods as u32 {
            targets.clear();
            self.callees(node, &mut targets, &mut Vec::new());
            edges += targets.len();
        }
        let share = if methods == 0 {
            1.0
        } else {
            (reachable as f64 / methods as f64 * 1000.0).round() / 1000.0
        };
        GraphFigures {
            coverage: self.coverage.clone(),
            classes: self.index.classes.len(),
            methods,
            edges,
            entry_points: self.roots,
            instantiated_classes: self.instantiated,
            reachable_methods: reachable,
            reachable_share: share,
            reflective_dispatch: self.reflective_dispatch,
            loads_code_at_run_time: self.loads_code,
        }
    }

    /// The app methods `node` calls (sorted, once each) and, in `external`, the calls that
    /// leave the app.
    fn callees(&self, node: u32, targets: &mut Vec<u32>, external: &mut Vec<&'f MethodRef>) {
        let (d, pos) = self.index.locate(node);
        let Some(edges) = self.edges.get(d) else {
            return;
        };
        let callees: &'f [MethodRef] = edges.callees;
        for &k in edges.calls.of(pos) {
            let callee = &callees[k as usize];
            let (class, name, proto) = (&*callee.class, &*callee.name, &*callee.proto);
            let before = targets.len();
            targets.extend(self.index.resolve(class, name, proto));
            // Dispatch, as the walk did it: to the instantiated classes below the named one.
            if !name.starts_with('<') {
                for sub in self.instantiated_below.get(class).into_iter().flatten() {
                    targets.extend(self.index.resolve(sub, name, proto));
                }
            }
            if targets.len() == before && !self.index.is_app_class(class) {
                external.push(callee);
            }
        }
        targets.sort_unstable();
        targets.dedup();
    }

    fn info(&self, node: u32) -> NodeInfo {
        let (d, _) = self.index.locate(node);
        let scan = &self.facts.dex[d];
        let dex = match &scan.member {
            Some(member) => format!("{member}!{}", scan.entry),
            None => scan.entry.clone(),
        };
        NodeInfo {
            method: self.index.method(node).to_string(),
            dex,
            reachable: self.coverage != Coverage::Known || self.node_reached(node),
        }
    }

    /// The methods whose rendering (`Lcls;->name(Args)Ret`) starts with `selector`: a class
    /// descriptor gives all of its methods, a full signature one. Sorted, at most `limit`.
    pub fn find(&self, selector: &str, limit: usize) -> Vec<u32> {
        let mut found: Vec<(String, u32)> = (0..self.index.len() as u32)
            .map(|n| (self.index.method(n).to_string(), n))
            .filter(|(text, _)| text.starts_with(selector))
            .collect();
        found.sort();
        found.truncate(limit);
        found.into_iter().map(|(_, n)| n).collect()
    }

    /// A method's calls, callers and path.
    pub fn neighbourhood(&self, node: u32) -> Neighbourhood {
        self.neighbourhoods(&[node]).remove(0)
    }

    /// The calls, callers and path of several methods, in the order given. Callers are found in
    /// one pass over every node's calls, however many methods are asked for.
    pub fn neighbourhoods(&self, nodes: &[u32]) -> Vec<Neighbourhood> {
        let wanted: std::collections::BTreeMap<u32, usize> =
            nodes.iter().enumerate().map(|(i, &n)| (n, i)).collect();
        let mut called_by: Vec<Vec<NodeInfo>> = vec![Vec::new(); nodes.len()];
        let mut scratch = Vec::new();
        for other in 0..self.index.len() as u32 {
            scratch.clear();
            self.callees(other, &mut scratch, &mut Vec::new());
            for target in &scratch {
                if let Some(&i) = wanted.get(target) {
                    called_by[i].push(self.info(other));
                }
            }
        }
        nodes
            .iter()
            .zip(called_by)
            .map(|(&node, mut called_by)| {
                let mut targets = Vec::new();
                let mut external = Vec::new();
                self.callees(node, &mut targets, &mut external);
                let mut calls: Vec<NodeInfo> = targets.iter().map(|&t| self.info(t)).collect();
                calls.sort();
                called_by.sort();
                let mut external_calls: Vec<String> =
                    external.iter().map(|m| m.to_string()).collect();
                external_calls.sort();
                external_calls.dedup();
                Neighbourhood {
                    method: self.info(node),
                    calls,
                    called_by,
                    external_calls,
                    path: if self.coverage == Coverage::Known {
                        self.path_to(node)
                    } else {
                        None
                    },
                }
            })
            .collect()
    }

    /// Rough bytes held by the graph's own tables, for benchmarks.
    pub fn heap_bytes(&self) -> usize {
        self.edges
            .iter()
            .map(|e| {
                e.calls.heap_bytes()
                    + e.news.heap_bytes()
                    + e.literals.heap_bytes()
                    + e.field_uses.heap_bytes()
            })
            .sum::<usize>()
            + self.pred.len() * 5
            + self.index.methods.heap_bytes()
            + self.index.len() * size_of::<usize>()
    }
}

fn coverage(facts: &AppFacts) -> Coverage {
    let Some(manifest) = &facts.manifest else {
        return Coverage::Everything(
            "no manifest names the entry points (a library or bare DEX): every method counts"
                .to_owned(),
        );
    };
    // Components the code does not define are loaded at run time: packed apps decrypt their
    // real code into a class loader, and that code can call any class of the input. A packer
    // leaves (nearly) every component out, its loader stub aside; a sloppy build may declare a
    // few components of a library it does not ship, which changes nothing.
    let components = entry::component_classes(manifest);
    let missing: Vec<String> = components
        .iter()
        .map(|(_, class)| class)
        .filter(|class| !facts.dex.iter().any(|d| d.hierarchy.get(class).is_some()))
        .cloned()
        .collect();
    if !missing.is_empty() && missing.len() * 2 > components.len() {
        return Coverage::Everything(format!(
            "the manifest names {} component classes of {} that no DEX of the input defines \
             ({}, ...): the app loads its code at run time (a packer), and that code can call \
             any method",
            missing.len(),
            components.len(),
            missing[0]
        ));
    }
    if facts.instrumented {
        return Coverage::Everything(
            "the manifest declares an <instrumentation>: its test runner finds test classes by \
             listing the DEX files and calls them by reflection"
                .to_owned(),
        );
    }
    let status = ScanStatus::from_anomalies(&facts.anomalies);
    if status.state == ScanState::Partial {
        let codes: std::collections::BTreeSet<&str> =
            status.reasons.iter().map(|a| a.code.as_str()).collect();
        let codes: Vec<&str> = codes.into_iter().collect();
        return Coverage::Everything(format!(
            "the input was not read whole ({}): code not read could reach any method",
            codes.join(", ")
        ));
    }
    Coverage::Known
}
