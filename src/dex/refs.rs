//! Typed references to methods and fields: the class descriptor, name and prototype (or type) of
//! a `method_id` or `field_id`, each part already decoded and capped at
//! [`MAX_RENDERED_NAME`](super::file::MAX_RENDERED_NAME) bytes per name or descriptor.
//!
//! They render (`Display`, and JSON through `Serialize`) as the smali-style strings the output has
//! always used, `Lcom/x/Y;->name(Ljava/lang/String;)V` and `Lcom/x/Y;->name:I`, and they sort in
//! the order of those renderings, so a list of references keeps the order it had when it was a
//! list of strings. `parse` reads the renderings back, for tests and rule text.

use std::cmp::Ordering;
use std::fmt;

use serde::{Serialize, Serializer};

use super::name::Name;

/// A method as an instruction names it: `class->name proto`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MethodRef {
    /// Class descriptor, `Lcom/x/Y;` (array types such as `[I` own methods too: `clone`).
    pub class: Name,
    pub name: Name,
    /// Parameter and return types, `(Ljava/lang/String;)V`.
    pub proto: Name,
}

/// A field as an instruction names it: `class->name:ty`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldRef {
    /// Class descriptor, `Lcom/x/Y;`.
    pub class: Name,
    pub name: Name,
    /// Type descriptor of the field, `I`, `Ljava/lang/String;`.
    pub ty: Name,
}

impl MethodRef {
    /// Reads `Lcls;->name(Args)Ret` back: the class up to the first `->`, the name up to the
    /// next `(`, the prototype from there. `None` without either separator.
    pub fn parse(text: &str) -> Option<MethodRef> {
        let (class, rest) = text.split_once("->")?;
        let paren = rest.find('(')?;
        Some(MethodRef {
            class: Name::new(class),
            name: Name::new(&rest[..paren]),
            proto: Name::new(&rest[paren..]),
        })
    }

    /// Length in bytes of the rendering, without building it.
    pub fn rendered_len(&self) -> usize {
        self.class.len() + 2 + self.name.len() + self.proto.len()
    }

    /// The pieces of the rendering, in order.
    fn pieces(&self) -> Pieces<'_> {
        [
            self.class.as_bytes(),
            b"->",
            self.name.as_bytes(),
            b"",
            self.proto.as_bytes(),
        ]
    }

    /// Whether two references render as the same string. Distinct parts can render alike only
    /// when a name or descriptor holds a separator (`->`, `(`), which a hostile file can do.
    pub fn renders_like(&self, other: &MethodRef) -> bool {
        cmp_joined(&self.pieces(), &other.pieces()) == Ordering::Equal
    }

    /// `name(Args)Ret` without the class: how a call site names its method within its class.
    pub fn name_and_proto(&self) -> NameAndProto<'_> {
        NameAndProto(self)
    }
}

impl FieldRef {
    /// Reads `Lcls;->name:Type` back: the class up to the first `->`, the name up to the next
    /// `:`, the type after it. `None` without either separator.
    pub fn parse(text: &str) -> Option<FieldRef> {
        let (class, rest) = text.split_once("->")?;
        let (name, ty) = rest.split_once(':')?;
        Some(FieldRef {
            class: Name::new(class),
            name: Name::new(name),
            ty: Name::new(ty),
        })
    }

    /// Length in bytes of the rendering, without building it.
    pub fn rendered_len(&self) -> usize {
        self.class.len() + 2 + self.name.len() + 1 + self.ty.len()
    }

    fn pieces(&self) -> Pieces<'_> {
        [
            self.class.as_bytes(),
            b"->",
            self.name.as_bytes(),
            b":",
            self.ty.as_bytes(),
        ]
    }

    /// Whether two references render as the same string (see [`MethodRef::renders_like`]).
    pub fn renders_like(&self, other: &FieldRef) -> bool {
        cmp_joined(&self.pieces(), &other.pieces()) == Ordering::Equal
    }
}

impl fmt::Display for MethodRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}->{}{}", self.class, self.name, self.proto)
    }
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}->{}:{}", self.class, self.name, self.ty)
    }
}

/// `name(Args)Ret` of a [`MethodRef`], rendered on demand.
#[derive(Debug, Clone, Copy)]
pub struct NameAndProto<'m>(&'m MethodRef);

impl NameAndProto<'_> {
    pub(crate) fn pieces(&self) -> [&[u8]; 2] {
        [self.0.name.as_bytes(), self.0.proto.as_bytes()]
    }
}

impl fmt::Display for NameAndProto<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.0.name, self.0.proto)
    }
}

impl Serialize for NameAndProto<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

// The rendering is what the JSON output has always held for a reference, and JSON map keys must
// be strings: both serialize as their rendering.
impl Serialize for MethodRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Serialize for FieldRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

// Ordered as their renderings are, so sorted lists, sets and maps of references come out in the
// order the string lists of earlier versions had (a derived order would put `get()` before
// `get$x()`, the string order the other way round). Ties between distinct parts that render alike
// are broken by the parts, which keeps the order consistent with `Eq`.
impl Ord for MethodRef {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_rendered(self.pieces(), other.pieces())
    }
}

impl PartialOrd for MethodRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FieldRef {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_rendered(self.pieces(), other.pieces())
    }
}

impl PartialOrd for FieldRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The rendering of a reference in pieces: class, `->`, name, the separator before the last part
/// (nothing for a method, `:` for a field), and the prototype or type.
pub(crate) type Pieces<'r> = [&'r [u8]; 5];

/// The order of references: by rendering, then by parts (class, name, last part).
pub(crate) fn cmp_rendered(a: Pieces<'_>, b: Pieces<'_>) -> Ordering {
    cmp_joined(&a, &b).then_with(|| [a[0], a[2], a[4]].cmp(&[b[0], b[2], b[4]]))
}

/// Compares the concatenations of two lists of pieces (as `String` compares: bytewise) without
/// building them. Pieces are compared pairwise while they are equal; the first pair that differs
/// decides unless one is a prefix of the other, and only then do the following pieces take part.
pub(crate) fn cmp_joined(a: &[&[u8]], b: &[&[u8]]) -> Ordering {
    cmp_joined_skipping(a, b, &[])
}

/// [`cmp_joined`], skipping the pairs of pieces that `same` says are equal (read from the same
/// index of a table), so that ordering references mostly compares the one part that differs.
pub(crate) fn cmp_joined_skipping(a: &[&[u8]], b: &[&[u8]], same: &[bool]) -> Ordering {
    for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
        if same.get(i) == Some(&true) {
            continue;
        }
        let common = x.len().min(y.len());
        match x[..common].cmp(&y[..common]) {
            Ordering::Equal if x.len() == y.len() => {}
            // Rare (a name that is a prefix of another, `get` and `get$x`): the simple way.
            Ordering::Equal => return a[i..].concat().cmp(&b[i..].concat()),
            decided => return decided,
        }
    }
    a.len().cmp(&b.len())
}

