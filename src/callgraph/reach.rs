//! Reachability by rapid type analysis: a worklist over method nodes, starting from the entry
//! points, where a virtual or interface call reaches the implementations in the classes that
//! reachable code instantiates (and only those), and an instantiated class that extends or
//! implements a framework type has its methods called back by the framework.
//!
//! The steps, per reached method:
//! - its class is initialised: the static initialisers of the class and its superclasses run;
//! - every method it invokes is resolved in the app (the named class's definition or the one it
//!   inherits); a call that could dispatch (any but a constructor) is also remembered by the
//!   class it names, and reaches the definition of every instantiated subclass, now or later;
//! - every class it instantiates (`new-instance`) or names with `const-class` (a class literal the
//!   framework may instantiate: `WorkManager`'s workers, `Intent` targets) becomes instantiated;
//! - touching a static field initialises the field's class.
//!
//! An instantiated class whose supertypes include a framework type other than the markers that
//! declare no method (`Object`, `Serializable`, `Cloneable`) has every method of its own and of
//! its app superclasses reached as a callback: the framework calls listeners, `Runnable`s,
//! receivers registered at run time and the like through their framework type. Without the
//! framework's method lists, all are counted: a superset, on the safe side of "unreachable".
//! When reachable code enumerates methods by reflection (`getMethods`, event buses) or hands
//! objects to JavaScript (`addJavascriptInterface`), every method of every instantiated class
//! is reached the same way.

use std::collections::VecDeque;

use super::edges::DexEdges;
use super::entry::Root;
use super::index::AppIndex;
use crate::dex::MethodRef;
use crate::report::Via;
use crate::rules::FastMap;

/// Node predecessor meaning "an entry point".
pub(super) const ROOT: u32 = u32::MAX - 1;
/// Node predecessor meaning "not reached".
pub(super) const UNREACHED: u32 = u32::MAX;

/// Supertypes through which an instantiated class gets no callbacks: they declare no method the
/// framework would call (beyond `Object`'s own, see [`OBJECT_CALLBACKS`]).
const MARKER_TYPES: [&str; 3] = [
    "Ljava/lang/Object;",
    "Ljava/io/Serializable;",
    "Ljava/lang/Cloneable;",
];

/// `Object` methods the runtime and libraries call on any object (string concatenation, hash
/// tables, the finaliser).
const OBJECT_CALLBACKS: [(&str, &str); 4] = [
    ("toString", "()Ljava/lang/String;"),
    ("equals", "(Ljava/lang/Object;)Z"),
    ("hashCode", "()I"),
    ("finalize", "()V"),
];

/// Calls after which any method of any instantiated class may run: reflection that lists or
/// looks up methods, and the JavaScript bridge of WebView.
const REFLECTIVE_DISPATCH: [(&str, &str); 6] = [
    ("Ljava/lang/Class;", "getMethods"),
    ("Ljava/lang/Class;", "getDeclaredMethods"),
    ("Ljava/lang/Class;", "getMethod"),
    ("Ljava/lang/Class;", "getDeclaredMethod"),
    ("Landroid/webkit/WebView;", "addJavascriptInterface"),
    ("Ljava/lang/reflect/Proxy;", "newProxyInstance"),
];

/// Class loaders that load DEX code at run time: `<init>` of these, or `DexFile.loadDex`.
const CODE_LOADERS: [&str; 5] = [
    "Ldalvik/system/DexClassLoader;",
    "Ldalvik/system/PathClassLoader;",
    "Ldalvik/system/InMemoryDexClassLoader;",
    "Ldalvik/system/DelegateLastClassLoader;",
    "Ldalvik/system/BaseDexClassLoader;",
];

/// What the walk found.
pub(super) struct Walked<'f> {
    /// By node: the node it was reached from, [`ROOT`] or [`UNREACHED`].
    pub pred: Vec<u32>,
    /// By node: how it was reached.
    pub via: Vec<Via>,
    /// Classes instantiated by reachable code or by the system.
    pub instantiated: usize,
    /// By supertype: the instantiated classes below it (itself included), where calls dispatch.
    pub instantiated_below: FastMap<&'f str, Vec<&'f str>>,
    /// Whether reachable code dispatches reflectively (see [`REFLECTIVE_DISPATCH`]).
    pub reflective_dispatch: bool,
    /// Whether reachable code loads DEX code at run time (see [`CODE_LOADERS`]).
    pub loads_code: bool,
}

/// The nodes reached so far, apart from the rest of the walk's state so that the tables of calls
/// and instantiated classes can be read in place while their targets are reached.
struct Reached {
    pred: Vec<u32>,
    via: Vec<Via>,
    queue: VecDeque<u32>,
    /// What the root being started is: the reason of every node reached straight from it.
    root_via: Via,
}

impl Reached {
    fn reach(&mut self, node: u32, from: u32, via: Via) {
        if let Some(p) = self.pred.get_mut(node as usize)
            && *p == UNREACHED
        {
            *p = from;
            self.via[node as usize] = if from == ROOT { self.root_via } else { via };
            self.queue.push_back(node);
        }
    }
}

struct Walk<'g, 'f> {
    index: &'g AppIndex<'f>,
    edges: &'g [DexEdges<'f>],
    reached: Reached,
    instantiated: FastMap<&'f str, ()>,
    /// By supertype: the instantiated classes below it (itself included).
    instantiated_below: FastMap<&'f str, Vec<&'f str>>,
    /// With several DEX files: the calls that may dispatch already registered, so that a callee
    /// named by several DEX files is registered once. Within one DEX each callee is met once
    /// (see `done`), so an input of one DEX file needs no set. Keyed by the reference (equal
    /// when class, name and prototype are): one pointer an entry instead of three texts.
    dispatched: Option<FastMap<&'f MethodRef, ()>>,
    /// The calls that may dispatch, by the class they name.
    called_on: FastMap<&'f str, Vec<(&'f str, &'f str)>>,
    initialised: FastMap<&'f str, ()>,
    reflective_dispatch: bool,
    loads_code: bool,
    /// By DEX: the callees, instantiated types, class literals and field classes whose effects
    /// are done. Each one's effects (reaching its target, initialising its class, registering
    /// the dispatch) are the same whichever caller meets it, so only the first caller does the
    /// work and later ones skip it: the walk costs one lookup per distinct reference, not per use.
    done: Vec<[Vec<bool>; 4]>,
}

impl<'g, 'f> Walk<'g, 'f> {
    fn reach(&mut self, node: u32, from: u32, via: Via) {
        self.reached.reach(node, from, via);
    }

    /// Runs the static initialisers of `class` and its app superclasses.
    fn initialise(&mut self, class: &'f str, from: u32) {
        let mut current = Some(class);
        let mut steps = 0;
        while let Some(c) = current {
            steps += 1;
            if steps > super::index::MAX_SUPERTYPES {
                break;
            }
            // Asked first: most calls come from methods of classes already initialised, and
            // only defined classes are ever in the set.
            if self.initialised.contains_key(c) {
                break;
            }
            let Some(defined) = self.index.classes.get(c) else {
                break;
            };
            let name = defined.name();
            self.initialised.insert(name, ());
            if let Some(node) = self.index.node_of(name, "<clinit>", "()V") {
                self.reach(node, from, Via::StaticInit);
            }
            current = defined.superclass();
        }
    }

    /// `class` becomes instantiated: calls already made on its supertypes reach its methods,
    /// and the framework may call it back.
    fn instantiate(&mut self, class: &'f str, from: u32) {
        let Some((&name, _)) = self.index.classes.get_key_value(class) else {
            return;
        };
        if self.instantiated.insert(name, ()).is_some() {
            return;
        }
        self.initialise(name, from);
        let supertypes = self.index.supertypes(name);
        for &supertype in &supertypes {
            self.instantiated_below
                .entry(supertype)
                .or_default()
                .push(name);
            // Read in place: reaching never registers calls.
            for &(method, proto) in self.called_on.get(supertype).into_iter().flatten() {
                if let Some(node) = self.index.resolve(name, method, proto) {
                    self.reached.reach(node, from, Via::Call);
                }
            }
        }
        let framework_typed = supertypes
            .iter()
            .any(|t| !self.index.is_app_class(t) && !MARKER_TYPES.contains(t));
        self.callbacks(name, from, framework_typed || self.reflective_dispatch);
    }

    /// The methods of instantiated `class` the framework may call: all of its own and its app
    /// superclasses' when `all`, else `Object`'s few.
    fn callbacks(&mut self, class: &'f str, from: u32, all: bool) {
        let via = if self.reflective_dispatch && all {
            Via::Reflective
        } else {
            Via::Callback
        };
        let index = self.index;
        if all {
            for defined in index.app_chain(class) {
                for &node in index.class_nodes.get(defined.name()).into_iter().flatten() {
                    let method = index.method(node);
                    // Constructors and static initialisers run through their own edges.
                    if !method.name.starts_with('<') {
                        self.reach(node, from, via);
                    }
                }
            }
        } else {
            for (method, proto) in OBJECT_CALLBACKS {
                if let Some(node) = self.index.resolve(class, method, proto) {
                    self.reach(node, from, via);
                }
            }
        }
    }

    fn visit(&mut self, node: u32) {
        let index = self.index;
        let (d, pos) = index.locate(node);
        let method = index.method(node);
        self.initialise(&method.class, node);
        let Some(edges) = self.edges.get(d) else {
            return;
        };
        // The keys live as long as the facts ('f), longer than this borrow of the edges.
        let (callees, new_types, literal_types, fields) = (
            edges.callees,
            edges.new_types,
            edges.literal_types,
            edges.fields,
        );
        for &k in edges.calls.of(pos) {
            if std::mem::replace(&mut self.done[d][0][k as usize], true) {
                continue;
            }
            self.call(&callees[k as usize], node);
        }
        for &k in edges.news.of(pos) {
            if !std::mem::replace(&mut self.done[d][1][k as usize], true) {
                self.instantiate(&new_types[k as usize], node);
            }
        }
        for &k in edges.literals.of(pos) {
            if !std::mem::replace(&mut self.done[d][2][k as usize], true) {
                self.instantiate(&literal_types[k as usize], node);
            }
        }
        for &k in edges.field_uses.of(pos) {
            if std::mem::replace(&mut self.done[d][3][k as usize], true) {
                continue;
            }
            let class: &'f str = &fields[k as usize].class;
            if index.is_app_class(class) {
                self.initialise(class, node);
            }
        }
    }

    /// A call of `callee` by reachable `node`: its target in the app, its class initialised, and
    /// (for any call but a constructor's) dispatch to the instantiated classes below the named
    /// one, now and as more are instantiated.
    fn call(&mut self, callee: &'f MethodRef, node: u32) {
        let index = self.index;
        let (class, name, proto) = (&*callee.class, &*callee.name, &*callee.proto);
        // Most calls name framework classes: checked by prefix before any table.
        if class.starts_with("Ldalvik/system/")
            && ((name == "<init>" && CODE_LOADERS.contains(&class))
                || (class == "Ldalvik/system/DexFile;" && name == "loadDex"))
        {
            self.loads_code = true;
        }
        if !self.reflective_dispatch
            && (class.starts_with("Ljava/lang/") || class.starts_with("Landroid/webkit/"))
            && REFLECTIVE_DISPATCH.contains(&(class, name))
        {
            self.start_reflective_dispatch(node);
        }
        let app = index.is_app_class(class);
        if (app || index.has_orphan_nodes())
            && let Some(target) = index.resolve(class, name, proto)
        {
            self.reach(target, node, Via::Call);
        }
        if app {
            self.initialise(class, node);
        }
        if name.starts_with('<') || !(app || index.may_dispatch_into_app(class)) {
            return;
        }
        if let Some(dispatched) = &mut self.dispatched
            && dispatched.insert(callee, ()).is_some()
        {
            return;
        }
        self.called_on.entry(class).or_default().push((name, proto));
        // Read in place: reaching never instantiates.
        for &sub in self.instantiated_below.get(class).into_iter().flatten() {
            if let Some(target) = index.resolve(sub, name, proto) {
                self.reached.reach(target, node, Via::Call);
            }
        }
    }

    /// From now on every instantiated class has all its methods reached.
    fn start_reflective_dispatch(&mut self, from: u32) {
        self.reflective_dispatch = true;
        let mut classes: Vec<&'f str> = self.instantiated.keys().copied().collect();
        classes.sort_unstable();
        for class in classes {
            self.callbacks(class, from, true);
        }
    }
}

/// Walks from the roots.
pub(super) fn walk<'f>(
    index: &AppIndex<'f>,
    edges: &[DexEdges<'f>],
    roots: &[Root<'f>],
) -> Walked<'f> {
    let n = index.len();
    let mut walk = Walk {
        index,
        edges,
        reached: Reached {
            pred: vec![UNREACHED; n],
            via: vec![Via::Call; n],
            queue: VecDeque::new(),
            root_via: Via::Component,
        },
        instantiated: FastMap::default(),
        instantiated_below: FastMap::default(),
        dispatched: (edges.len() > 1).then(FastMap::default),
        called_on: FastMap::default(),
        initialised: FastMap::default(),
        reflective_dispatch: false,
        loads_code: false,
        done: edges
            .iter()
            .map(|e| {
                [
                    vec![false; e.callees.len()],
                    vec![false; e.new_types.len()],
                    vec![false; e.literal_types.len()],
                    vec![false; e.fields.len()],
                ]
            })
            .collect(),
    };
    // The strongest kinds of entry point first (components, the application, ... strings last),
    // so that a path given as evidence starts where Android starts the app whenever it can.
    let mut ordered: Vec<&Root<'f>> = roots.iter().collect();
    ordered.sort_by(|a, b| a.via.cmp(&b.via).then(a.class.cmp(b.class)));
    for root in ordered {
        walk.reached.root_via = root.via;
        // The system instantiates the class (constructors) and calls it back, `app_process`
        // calls `main`; a class named by a string or by native code may have any method
        // looked up.
        let nodes = index
            .class_nodes
            .get(root.class)
            .cloned()
            .unwrap_or_default();
        for node in nodes {
            let method = index.method(node);
            let is_constructor = &*method.name == "<init>";
            let is_main = &*method.name == "main" && &*method.proto == "([Ljava/lang/String;)V";
            if is_constructor || is_main || root.via == Via::String || root.via == Via::Native {
                walk.reach(node, ROOT, root.via);
            }
        }
        walk.instantiate(root.class, ROOT);
        // `instantiate` reached callbacks from the root: they are entry points themselves.
        while let Some(node) = walk.reached.queue.pop_front() {
            walk.visit(node);
        }
    }
    while let Some(node) = walk.reached.queue.pop_front() {
        walk.visit(node);
    }
    Walked {
        pred: walk.reached.pred,
        via: walk.reached.via,
        instantiated: walk.instantiated.len(),
        instantiated_below: walk.instantiated_below,
        reflective_dispatch: walk.reflective_dispatch,
        loads_code: walk.loads_code,
    }
}
