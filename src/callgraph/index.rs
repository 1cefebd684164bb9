//! The app's classes and methods across every DEX of the input, and how a call names its target:
//! which method of the app a `class->name(proto)` reference runs (the class's own definition or
//! the one it inherits), and what a class's supertypes are.
//!
//! A node of the graph is a method with code that uses something (a caller of the scanner's site
//! tables): DEX `d`'s caller at position `p` is node `base[d] + p`. A method the runtime loads from
//! the first DEX defining its class is the one calls resolve to, as ART's class linker takes the
//! first definition; later copies stay nodes of their own that only entry points reach.

use crate::dex::{DefinedClass, MethodRef, Site};
use crate::rules::FastMap;
use crate::scanner::AppFacts;

/// Most classes visited when walking one class's supertypes (superclass chain and interfaces):
/// real hierarchies are a few levels deep; the cap bounds a hostile one (cycles, long chains).
pub(super) const MAX_SUPERTYPES: usize = 64;

/// In [`AppIndex::methods`]: a virtual method the class defines with code that uses nothing (no
/// node): a call resolves to it, and there is nothing to reach through it.
pub(super) const LEAF: u32 = u32::MAX;

/// (class descriptor, method name, prototype).
pub(super) type MethodKey<'f> = (&'f str, &'f str, &'f str);

/// In a [`MethodTable`] entry: the entry is a method without node, at this bit's complement in
/// `leaves`. Nodes number fewer (one per calling method of the app).
const LEAF_ENTRY: u32 = 1 << 31;

/// Methods by `(class, name, prototype)`: the node of each, or [`LEAF`]. The table holds four
/// bytes per method and finds the key through the node's own reference: a map keyed by three
/// string slices took 56 bytes an entry, and the report's peak heap on a 100 MiB app was 22 MiB
/// higher.
#[derive(Default)]
pub(super) struct MethodTable<'f> {
    /// A node, or [`LEAF_ENTRY`] plus an index into `leaves`.
    entries: hashbrown::HashTable<u32>,
    /// Virtual methods with code that are no node.
    leaves: Vec<MethodKey<'f>>,
    hasher: foldhash::fast::RandomState,
}

impl<'f> MethodTable<'f> {
    /// A table with room for `methods` entries: growing it would hash every key again from its
    /// three texts, and the caller knows the count up front.
    fn with_capacity(methods: usize) -> Self {
        MethodTable {
            entries: hashbrown::HashTable::with_capacity(methods),
            ..Self::default()
        }
    }

    fn hash(&self, key: MethodKey<'_>) -> u64 {
        std::hash::BuildHasher::hash_one(&self.hasher, key)
    }

    fn key_of(&self, entry: u32, nodes: &[&'f MethodRef]) -> MethodKey<'f> {
        key_at(entry, &self.leaves, nodes)
    }

    /// Adds `key` unless it is there: as node `node`, or as a leaf for `None`.
    fn insert_if_absent(&mut self, key: MethodKey<'f>, node: Option<u32>, nodes: &[&'f MethodRef]) {
        let entry = match node {
            // Past the leaf bit (32,768 DEX files of 65,536 callers each): not a node of the table.
            Some(node) if node & LEAF_ENTRY != 0 => return,
            Some(node) => node,
            None => match u32::try_from(self.leaves.len()) {
                Ok(at) if at & LEAF_ENTRY == 0 => at | LEAF_ENTRY,
                _ => return,
            },
        };
        let hash = self.hash(key);
        let this = &*self;
        if this
            .entries
            .find(hash, |&e| this.key_of(e, nodes) == key)
            .is_some()
        {
            return;
        }
        if node.is_none() {
            self.leaves.push(key);
        }
        // Growing the table hashes the entries again, from their keys.
        let (entries, leaves, hasher) = (&mut self.entries, &self.leaves, &self.hasher);
        entries.insert_unique(hash, entry, |&e| {
            std::hash::BuildHasher::hash_one(hasher, key_at(e, leaves, nodes))
        });
    }

    /// The node of `key`, [`LEAF`] for a method without node, `None` when absent.
    fn get(&self, key: MethodKey<'_>, nodes: &[&'f MethodRef]) -> Option<u32> {
        let entry = *self
            .entries
            .find(self.hash(key), |&e| self.key_of(e, nodes) == key)?;
        Some(if entry & LEAF_ENTRY != 0 { LEAF } else { entry })
    }

    #[cfg(test)]
    fn keys<'t>(&'t self, nodes: &'t [&'f MethodRef]) -> impl Iterator<Item = MethodKey<'f>> + 't {
        self.entries.iter().map(move |&e| self.key_of(e, nodes))
    }

    pub fn heap_bytes(&self) -> usize {
        self.entries.capacity() * (size_of::<u32>() + 1)
            + self.leaves.capacity() * size_of::<MethodKey<'f>>()
    }
}

/// The key of a [`MethodTable`] entry: a leaf's own, or the node's method.
fn key_at<'f>(entry: u32, leaves: &[MethodKey<'f>], nodes: &[&'f MethodRef]) -> MethodKey<'f> {
    if entry & LEAF_ENTRY != 0 {
        leaves[(entry & !LEAF_ENTRY) as usize]
    } else {
        let m = nodes[entry as usize];
        (&m.class, &m.name, &m.proto)
    }
}

/// Every class and method node of the app, for resolving calls.
#[derive(Default)]
pub(super) struct AppIndex<'f> {
    /// By DEX: its callers (the nodes `base[d]..base[d + 1]`).
    pub callers: Vec<&'f [Site]>,
    /// By DEX: the number of its first node.
    pub base: Vec<u32>,
    /// Classes the app defines, the first definition of each.
    pub classes: FastMap<&'f str, DefinedClass<'f>>,
    /// By node: its method.
    nodes: Vec<&'f MethodRef>,
    /// Nodes by method, the definition of the DEX the class is loaded from; [`LEAF`] for a
    /// virtual method with code that is no node.
    pub methods: MethodTable<'f>,
    /// Nodes by class (of the loaded definition), in node order.
    pub class_nodes: FastMap<&'f str, Vec<u32>>,
    /// `(name, proto)` of the methods with code of app classes that some class implements as an
    /// interface: the only ones worth a search for a default method.
    interface_methods: FastMap<(&'f str, &'f str), ()>,
    /// Every type an app class names as its superclass or an interface: the only types outside
    /// the app whose calls can dispatch to app code.
    extended: FastMap<&'f str, ()>,
    /// Whether some node's class has no definition (class data that could not be read): only
    /// then can a call to a class outside `classes` resolve to a node.
    orphan_nodes: bool,
}

impl<'f> AppIndex<'f> {
    pub fn new(facts: &'f AppFacts) -> Self {
        // Every table below is sized from the counts first: growing a map keyed by texts hashes
        // all its keys again.
        let defined: usize = facts.dex.iter().map(|scan| scan.hierarchy.len()).sum();
        let mut classes: FastMap<&'f str, DefinedClass<'f>> =
            FastMap::with_capacity_and_hasher(defined, Default::default());
        let mut loaded_from: FastMap<&'f str, usize> =
            FastMap::with_capacity_and_hasher(defined, Default::default());
        for (d, scan) in facts.dex.iter().enumerate() {
            for class in scan.hierarchy.classes() {
                if let std::collections::hash_map::Entry::Vacant(slot) = classes.entry(class.name())
                {
                    slot.insert(class);
                    loaded_from.insert(class.name(), d);
                }
            }
        }
        let callers_of = |scan: &'f crate::scanner::DexScan| -> &'f [Site] {
            scan.facts.sites.as_ref().map_or(&[], |s| &s.callers)
        };
        let node_count: usize = facts.dex.iter().map(|scan| callers_of(scan).len()).sum();
        let virtual_count: usize = facts
            .dex
            .iter()
            .map(|scan| scan.hierarchy.virtual_method_count())
            .sum();
        let mut callers = Vec::with_capacity(facts.dex.len());
        let mut base = Vec::with_capacity(facts.dex.len() + 1);
        let mut next = 0u32;
        // At most one entry per node and per virtual method (fewer when a method is both).
        let mut methods = MethodTable::with_capacity(node_count + virtual_count);
        let mut nodes: Vec<&'f MethodRef> = Vec::with_capacity(node_count);
        let mut class_nodes: FastMap<&'f str, Vec<u32>> =
            FastMap::with_capacity_and_hasher(defined, Default::default());
        for (d, scan) in facts.dex.iter().enumerate() {
            let list = callers_of(scan);
            base.push(next);
            for (pos, site) in list.iter().enumerate() {
                let node = next + pos as u32;
                let m = &site.method;
                // A class no DEX defines in full (its class data unreadable) still has callers:
                // they count as loaded from the first DEX naming them.
                let loaded = loaded_from.get(&*m.class).is_none_or(|&first| first == d);
                nodes.push(m);
                if loaded {
                    methods.insert_if_absent((&m.class, &m.name, &m.proto), Some(node), &nodes);
                    class_nodes.entry(&m.class).or_default().push(node);
                }
            }
            next = next.saturating_add(list.len() as u32);
            callers.push(list);
        }
        base.push(next);
        for class in classes.values() {
            for (name, proto) in class.virtual_methods() {
                methods.insert_if_absent((class.name(), name, proto), None, &nodes);
            }
        }
        let mut interface_methods: FastMap<(&'f str, &'f str), ()> = FastMap::default();
        let implemented: FastMap<&'f str, ()> = classes
            .values()
            .flat_map(|c| c.interfaces())
            .map(|i| (i, ()))
            .collect();
        let mut extended = implemented.clone();
        extended.extend(
            classes
                .values()
                .filter_map(|c| c.superclass())
                .map(|s| (s, ())),
        );
        let orphan_nodes = class_nodes.keys().any(|c| !classes.contains_key(c));
        // The table's methods of the implemented interfaces, found from each interface's nodes and
        // virtual methods (the two sources of the table's entries) rather than by looking up the
        // class of every entry.
        for &interface in implemented.keys() {
            for &node in class_nodes.get(interface).into_iter().flatten() {
                let m = nodes[node as usize];
                interface_methods.insert((&*m.name, &*m.proto), ());
            }
            if let Some(class) = classes.get(interface) {
                interface_methods.extend(class.virtual_methods().map(|member| (member, ())));
            }
        }
        AppIndex {
            callers,
            base,
            classes,
            nodes,
            methods,
            class_nodes,
            interface_methods,
            extended,
            orphan_nodes,
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        *self.base.last().unwrap_or(&0) as usize
    }

    /// The DEX index and caller position of a node.
    pub fn locate(&self, node: u32) -> (usize, usize) {
        // `base` is sorted; the DEX is the last whose base is at most the node.
        let d = self.base.partition_point(|&b| b <= node).saturating_sub(1);
        (d, (node - self.base[d]) as usize)
    }

    pub fn method(&self, node: u32) -> &'f MethodRef {
        self.nodes[node as usize]
    }

    /// The node of DEX `d`'s caller at `pos`.
    pub fn node(&self, d: usize, pos: u32) -> Option<u32> {
        let base = *self.base.get(d)?;
        ((pos as usize) < self.callers.get(d)?.len()).then(|| base + pos)
    }

    pub fn is_app_class(&self, class: &str) -> bool {
        self.classes.contains_key(class)
    }

    /// Whether a call naming `class` may run code of the app: the class is the app's, or some
    /// app class extends or implements it (a framework type whose methods the app overrides).
    pub fn may_dispatch_into_app(&self, class: &str) -> bool {
        self.extended.contains_key(class) || self.classes.contains_key(class)
    }

    /// Whether a call naming `class`, which the app does not define, can still resolve to a
    /// node (a class whose definition was unreadable but whose methods are callers).
    pub fn has_orphan_nodes(&self) -> bool {
        self.orphan_nodes
    }

    /// The method a call of `class->name(proto)` runs in the app: the class's own, else the one
    /// it inherits along its superclass chain, else a default method of an interface on the way.
    /// `None` when the target is outside the app (the framework, a missing library) or is a
    /// method with code that uses nothing (no node: nothing to reach through it).
    pub fn resolve(&self, class: &str, name: &str, proto: &str) -> Option<u32> {
        let mut current = class;
        let mut interfaces: Vec<&'f str> = Vec::new();
        for _ in 0..MAX_SUPERTYPES {
            let Some(defined) = self.classes.get(current) else {
                // Outside the app; a class whose definition could not be read may still have
                // callers of its own.
                return self.node_of(current, name, proto);
            };
            match self.methods.get((current, name, proto), &self.nodes) {
                Some(LEAF) => return None,
                Some(node) => return Some(node),
                None => {}
            }
            interfaces.extend(defined.interfaces());
            match defined.superclass() {
                Some(superclass) => current = superclass,
                None => break,
            }
        }
        // Default methods (Java 8 interfaces): the first found breadth-first, when some interface
        // of the app has a method of that name and prototype at all.
        if !self.interface_methods.contains_key(&(name, proto)) {
            return None;
        }
        let mut next = 0;
        while next < interfaces.len() && next < MAX_SUPERTYPES {
            let interface = interfaces[next];
            next += 1;
            match self.methods.get((interface, name, proto), &self.nodes) {
                Some(LEAF) => return None,
                Some(node) => return Some(node),
                None => {}
            }
            if let Some(defined) = self.classes.get(interface) {
                interfaces.extend(defined.interfaces());
            }
        }
        None
    }

    /// The node of method `name(proto)` of `class` itself (no inheritance).
    pub fn node_of(&self, class: &str, name: &str, proto: &str) -> Option<u32> {
        self.methods
            .get((class, name, proto), &self.nodes)
            .filter(|&n| n != LEAF)
    }

    /// `class` and every supertype reached through its superclass chain and interfaces (of app
    /// classes on the way; types the app does not define end a branch), each once, at most
    /// [`MAX_SUPERTYPES`].
    pub fn supertypes(&self, class: &'f str) -> Vec<&'f str> {
        let mut out: Vec<&'f str> = vec![class];
        let mut next = 0;
        while next < out.len() && out.len() < MAX_SUPERTYPES {
            let current = out[next];
            next += 1;
            let Some(defined) = self.classes.get(current) else {
                continue;
            };
            for parent in defined.superclass().into_iter().chain(defined.interfaces()) {
                if out.len() < MAX_SUPERTYPES && !out.contains(&parent) {
                    out.push(parent);
                }
            }
        }
        out
    }

    /// `class` and its superclasses that the app defines, most derived first.
    pub fn app_chain(&self, class: &'f str) -> Vec<DefinedClass<'f>> {
        let mut chain = Vec::new();
        let mut current = Some(class);
        while let Some(c) = current {
            let Some(defined) = self.classes.get(c) else {
                break;
            };
            if chain.len() >= MAX_SUPERTYPES || chain.iter().any(|k: &DefinedClass| k.name() == c) {
                break;
            }
            chain.push(*defined);
            current = defined.superclass();
        }
        chain
    }

    /// The descriptor of the app class a string names (`com.x.Y`, `com/x/Y` or `Lcom/x/Y;`), as
    /// the index holds it. A name needs a package: a bare `Y` is too common a word.
    pub fn class_named(&self, text: &str, buffer: &mut String) -> Option<&'f str> {
        if text.len() < 3 || text.len() > 512 {
            return None;
        }
        let inner = text
            .strip_prefix('L')
            .and_then(|t| t.strip_suffix(';'))
            .filter(|t| t.contains('/'))
            .unwrap_or(text);
        if !inner.contains(['.', '/'])
            || !inner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b'$' | b'_'))
        {
            return None;
        }
        buffer.clear();
        buffer.push('L');
        buffer.extend(inner.chars().map(|c| if c == '.' { '/' } else { c }));
        buffer.push(';');
        self.classes.get_key_value(buffer.as_str()).map(|(k, _)| *k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method(text: &str) -> MethodRef {
        MethodRef::parse(text).unwrap()
    }

    #[test]
    fn method_table_finds_nodes_and_leaves_and_keeps_the_first() {
        let a = method("La;->run()V");
        let b = method("Lb;->run()V");
        let again = method("La;->run()V");
        let nodes: Vec<&MethodRef> = vec![&a, &b, &again];
        let mut table = MethodTable::default();
        table.insert_if_absent(("La;", "run", "()V"), Some(0), &nodes);
        table.insert_if_absent(("Lb;", "run", "()V"), Some(1), &nodes);
        // A later definition of the same method, as a node or a leaf, leaves the first.
        table.insert_if_absent(("La;", "run", "()V"), Some(2), &nodes);
        table.insert_if_absent(("La;", "run", "()V"), None, &nodes);
        table.insert_if_absent(("Lc;", "get", "()I"), None, &nodes);
        assert_eq!(table.get(("La;", "run", "()V"), &nodes), Some(0));
        assert_eq!(table.get(("Lb;", "run", "()V"), &nodes), Some(1));
        assert_eq!(table.get(("Lc;", "get", "()I"), &nodes), Some(LEAF));
        assert_eq!(table.get(("Lc;", "run", "()V"), &nodes), None);
        assert_eq!(table.get(("La;", "run", "()I"), &nodes), None);
        let mut keys: Vec<MethodKey<'_>> = table.keys(&nodes).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                ("La;", "run", "()V"),
                ("Lb;", "run", "()V"),
                ("Lc;", "get", "()I")
            ]
        );
    }

    #[test]
    fn a_node_past_the_leaf_bit_is_left_out() {
        let a = method("La;->run()V");
        let nodes: Vec<&MethodRef> = vec![&a];
        let mut table = MethodTable::default();
        table.insert_if_absent(("La;", "run", "()V"), Some(LEAF_ENTRY), &nodes);
        assert_eq!(table.get(("La;", "run", "()V"), &nodes), None);
    }
}
