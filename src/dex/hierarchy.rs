//! The classes one DEX defines as the type hierarchy sees them: each class's superclass, the
//! interfaces it implements and the name and prototype of every virtual method it defines with
//! code. This is what tells that a class of the app overrides a framework callback
//! (`PhoneStateListener.onCallStateChanged`), which no instruction of the app invokes.
//!
//! Kept compact, since a large app defines tens of thousands of classes: every text (descriptor,
//! method name, prototype) is one [`Name`] per DEX, referred to by number and drawn from the
//! input's [`Interner`] when there is one (the same texts the references of every DEX use), and
//! the per-class lists are slices of two shared vectors.

use std::ops::Range;

use super::file::{AnomalySink, DexFile, MethodDef};
use super::intern::Interner;
use super::name::Name;
use super::raw::NO_INDEX;

/// Most interfaces kept per class; Java allows 65535, real classes implement a handful.
pub const MAX_INTERFACES: usize = 256;

/// No superclass (`java.lang.Object`, or an index past the table).
const NONE: u32 = u32::MAX;

/// One defined class, as numbers into the [`ClassHierarchy`]'s texts and lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ClassEntry {
    class: u32,
    superclass: u32,
    interfaces_start: u32,
    interfaces_end: u32,
    methods_start: u32,
    methods_end: u32,
}

/// The classes of one DEX with their supertypes and virtual methods, sorted by descriptor, one
/// entry per descriptor (the first definition, as ART's class linker takes the first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassHierarchy {
    /// By text number: the text.
    texts: Vec<Name>,
    /// Bytes of the texts (shared with other holders or not), for the scan's memory budget.
    text_bytes: usize,
    classes: Vec<ClassEntry>,
    /// Interface descriptors (text numbers), a slice per class.
    interfaces: Vec<u32>,
    /// (name, prototype) text numbers of virtual methods with code, a slice per class.
    methods: Vec<(u32, u32)>,
}

/// A class of a [`ClassHierarchy`], borrowed.
#[derive(Debug, Clone, Copy)]
pub struct DefinedClass<'h> {
    hierarchy: &'h ClassHierarchy,
    entry: &'h ClassEntry,
}

impl<'h> DefinedClass<'h> {
    /// The class descriptor, `Lcom/x/Y;`.
    pub fn name(&self) -> &'h str {
        self.hierarchy.text(self.entry.class)
    }

    /// The superclass descriptor; `None` for `java.lang.Object` (or a broken index).
    pub fn superclass(&self) -> Option<&'h str> {
        (self.entry.superclass != NONE).then(|| self.hierarchy.text(self.entry.superclass))
    }

    /// Descriptors of the interfaces the class implements directly (for an interface: those it
    /// extends), in declaration order.
    pub fn interfaces(&self) -> impl Iterator<Item = &'h str> + use<'h> {
        let h = self.hierarchy;
        h.interfaces[range(self.entry.interfaces_start, self.entry.interfaces_end)]
            .iter()
            .map(move |&t| h.text(t))
    }

    /// `(name, prototype)` of each virtual method the class defines with code (abstract and
    /// native methods have none and receive nothing themselves), in class-data order.
    pub fn virtual_methods(&self) -> impl Iterator<Item = (&'h str, &'h str)> + use<'h> {
        let h = self.hierarchy;
        h.methods[range(self.entry.methods_start, self.entry.methods_end)]
            .iter()
            .map(move |&(name, proto)| (h.text(name), h.text(proto)))
    }
}

fn range(start: u32, end: u32) -> Range<usize> {
    start as usize..end as usize
}

impl ClassHierarchy {
    /// The bytes its tables hold, for the scan's memory budget.
    pub fn heap_bytes(&self) -> u64 {
        (self.text_bytes
            + self.texts.capacity() * size_of::<Name>()
            + self.classes.capacity() * size_of::<ClassEntry>()
            + self.interfaces.capacity() * size_of::<u32>()
            + self.methods.capacity() * size_of::<(u32, u32)>()) as u64
    }

    fn text(&self, number: u32) -> &str {
        &self.texts[number as usize]
    }

    /// Number of virtual methods with code, over all classes.
    pub fn virtual_method_count(&self) -> usize {
        self.methods.len()
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.classes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// Every class, sorted by descriptor.
    pub fn classes(&self) -> impl Iterator<Item = DefinedClass<'_>> {
        self.classes.iter().map(move |entry| DefinedClass {
            hierarchy: self,
            entry,
        })
    }

    /// The class with descriptor `descriptor`, if this DEX defines it.
    pub fn get(&self, descriptor: &str) -> Option<DefinedClass<'_>> {
        let at = self
            .classes
            .binary_search_by(|e| self.text(e.class).cmp(descriptor))
            .ok()?;
        Some(DefinedClass {
            hierarchy: self,
            entry: &self.classes[at],
        })
    }

    /// Bytes held, for measurements.
    pub fn heap_size(&self) -> usize {
        self.text_bytes
            + self.texts.capacity() * size_of::<Name>()
            + self.classes.capacity() * size_of::<ClassEntry>()
            + self.interfaces.capacity() * size_of::<u32>()
            + self.methods.capacity() * size_of::<(u32, u32)>()
    }
}

/// Gives each distinct text one number, by the DEX index it was read from.
struct Numbering<'n> {
    hierarchy: ClassHierarchy,
    /// Where texts are shared across the DEX files of an input.
    shared: Option<&'n Interner>,
    /// Bytes of text still allowed: many ids of a hostile file can name one long string, so the
    /// texts are bounded like the scan's renderings (8 times the file, plus 16 MiB); past it a
    /// text gets no number and what needs it is left out.
    text_left: usize,
    by_type: Vec<u32>,
    by_string: Vec<u32>,
    by_proto: Vec<u32>,
}

#[derive(Clone, Copy)]
enum Table {
    Type,
    String,
    Proto,
}

impl Numbering<'_> {
    fn number(&mut self, table: Table, index: u32, dex: &DexFile<'_>) -> u32 {
        let slots = match table {
            Table::Type => &mut self.by_type,
            Table::String => &mut self.by_string,
            Table::Proto => &mut self.by_proto,
        };
        let Some(slot) = slots.get_mut(index as usize) else {
            return NONE;
        };
        if *slot != NONE {
            return *slot;
        }
        // Each index is read once: later uses find its number in the slot.
        let text = match table {
            Table::Type => dex.type_descriptor(index),
            Table::String => dex.string_text(index),
            Table::Proto => std::borrow::Cow::Owned(dex.proto_signature(index)),
        };
        if text.len() > self.text_left {
            return NONE;
        }
        self.text_left -= text.len();
        let h = &mut self.hierarchy;
        h.text_bytes += text.len();
        h.texts.push(match self.shared {
            Some(shared) => shared.text(&text),
            None => Name::new(&text),
        });
        *slot = (h.texts.len() - 1) as u32;
        *slot
    }
}

/// Reads the hierarchy of every class `dex` defines, its texts shared through `shared` when
/// given. The class data was already walked (and its problems reported) by [`super::scan`]; its
/// anomalies are not repeated here.
pub fn class_hierarchy(dex: &DexFile<'_>, shared: Option<&Interner>) -> ClassHierarchy {
    let mut numbering = Numbering {
        hierarchy: ClassHierarchy::default(),
        shared,
        text_left: 8 * dex.data().len() + (16 << 20),
        by_type: vec![NONE; dex.type_ids.count as usize],
        by_string: vec![NONE; dex.string_ids.count as usize],
        by_proto: vec![NONE; dex.proto_ids.count as usize],
    };
    let mut quiet = AnomalySink::default();
    // Class definitions may share class data (a hostile file can point thousands at one list):
    // keep no more methods in all than the file could define honestly, one per three bytes.
    let mut methods_left = dex.data().len() / 3;
    let mut interfaces_left = dex.data().len() / 2;
    let mut defs: Vec<MethodDef> = Vec::new();
    let mut entries: Vec<ClassEntry> = Vec::with_capacity(dex.class_defs.count as usize);
    for index in 0..dex.class_defs.count {
        let Some(def) = dex.class_def(index) else {
            continue;
        };
        let class = numbering.number(Table::Type, def.class_idx, dex);
        if class == NONE {
            continue;
        }
        let superclass = if def.superclass_idx == NO_INDEX {
            NONE
        } else {
            numbering.number(Table::Type, def.superclass_idx, dex)
        };
        let interfaces_start = numbering.hierarchy.interfaces.len() as u32;
        let room = MAX_INTERFACES.min(interfaces_left);
        for t in dex.type_list(def.interfaces_off, room) {
            interfaces_left -= 1;
            let number = numbering.number(Table::Type, t, dex);
            if number != NONE {
                numbering.hierarchy.interfaces.push(number);
            }
        }
        let interfaces_end = numbering.hierarchy.interfaces.len() as u32;
        let methods_start = numbering.hierarchy.methods.len() as u32;
        if def.class_data_off != 0 {
            defs.clear();
            dex.class_methods(def.class_data_off, &mut quiet, &mut defs);
            for m in defs.iter().filter(|m| m.is_virtual && m.code_off != 0) {
                if methods_left == 0 {
                    break;
                }
                methods_left -= 1;
                let Some(id) = dex.method_id(m.method_idx) else {
                    continue;
                };
                let name = numbering.number(Table::String, id.name_idx, dex);
                let proto = numbering.number(Table::Proto, u32::from(id.proto_idx), dex);
                if name != NONE && proto != NONE {
                    numbering.hierarchy.methods.push((name, proto));
                }
            }
        }
        entries.push(ClassEntry {
            class,
            superclass,
            interfaces_start,
            interfaces_end,
            methods_start,
            methods_end: numbering.hierarchy.methods.len() as u32,
        });
    }
    let mut hierarchy = numbering.hierarchy;
    // Stable: of two definitions of one class, the first stays first and is kept.
    entries.sort_by(|a, b| hierarchy.text(a.class).cmp(hierarchy.text(b.class)));
    entries.dedup_by(|later, kept| later.class == kept.class);
    hierarchy.classes = entries;
    hierarchy.texts.shrink_to_fit();
    hierarchy.interfaces.shrink_to_fit();
    hierarchy.methods.shrink_to_fit();
    hierarchy
}
