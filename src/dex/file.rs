//! `DexFile<'a>`: a zero-copy, bounds-checked view of one DEX file (or one section of a version 041
//! container) over the inflated bytes: header, id tables, class definitions, class data and code
//! items. Nothing here allocates in proportion to a count read from the file without first checking
//! that count against the bytes actually present.

use std::borrow::Cow;

use crate::anomaly::Anomaly;

use super::error::DexError;
use super::leb128::read_uleb128;
use super::mutf8;
use super::raw::{self, header, u16_at, u32_at};
use super::refs::{FieldRef, MethodRef};

/// Most anomalies kept for one DEX section; a hostile file could otherwise produce one per byte.
pub const MAX_ANOMALIES: usize = 256;
/// Most sections read from one version 041 container.
pub const MAX_CONTAINER_SECTIONS: usize = 4096;
/// Most parameters rendered in a prototype. A method's arguments fit in 255 registers
/// (ART `dex_file_verifier.cc` checks `ins_size`), so a longer type list is hostile.
pub const MAX_PARAMETERS: usize = 255;
/// Longest name or descriptor rendered into a signature; longer ones are cut and marked with `…`
/// so that one huge string reused by many ids cannot multiply the output.
pub const MAX_RENDERED_NAME: usize = 1024;

/// A bounded list of anomalies: after [`MAX_ANOMALIES`] entries, one last entry says that more
/// were dropped.
#[derive(Debug, Clone, Default)]
pub struct AnomalySink {
    list: Vec<Anomaly>,
    dropped: usize,
}

impl AnomalySink {
    pub fn push(&mut self, code: &str, location: &str, detail: impl Into<String>) {
        if self.list.len() < MAX_ANOMALIES {
            self.list.push(Anomaly::new(code, location, detail));
        } else {
            self.dropped += 1;
        }
    }

    pub fn into_vec(mut self, location: &str) -> Vec<Anomaly> {
        if self.dropped > 0 {
            self.list.push(Anomaly::new(
                "dex.anomalies_capped",
                location,
                format!("{} further anomalies were not recorded", self.dropped),
            ));
        }
        crate::anomaly::normalize(&mut self.list);
        self.list
    }

    pub fn extend_from(&mut self, other: &AnomalySink) {
        for a in &other.list {
            self.push(&a.code, &a.location, a.detail.clone());
        }
        self.dropped += other.dropped;
    }
}

/// Start (container-relative byte offset) and element count of an id table, the count already
/// reduced to what fits in the buffer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Table {
    pub offset: usize,
    pub count: u32,
}

impl Table {
    #[inline]
    fn item(&self, index: u32, item_size: usize) -> Option<usize> {
        (index < self.count).then(|| self.offset + index as usize * item_size)
    }
}

/// One `method_id_item`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodId {
    pub class_idx: u16,
    pub proto_idx: u16,
    pub name_idx: u32,
}

/// One `field_id_item`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldId {
    pub class_idx: u16,
    pub type_idx: u16,
    pub name_idx: u32,
}

/// One `proto_id_item`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtoId {
    pub shorty_idx: u32,
    pub return_type_idx: u32,
    pub parameters_off: u32,
}

/// The fields of a `class_def_item` the scanner and the class hierarchy need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassDef {
    pub class_idx: u32,
    /// A type index, or [`raw::NO_INDEX`] for `java.lang.Object` itself.
    pub superclass_idx: u32,
    /// Offset of the `type_list` of implemented interfaces; 0 for none.
    pub interfaces_off: u32,
    pub class_data_off: u32,
}

/// A method defined in a class: its `method_ids` index, where its `code_item` is (0 = none), and
/// whether it comes from the class data's virtual list (overridable) or its direct list
/// (constructors, static and private methods).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodDef {
    pub method_idx: u32,
    pub code_off: u32,
    pub is_virtual: bool,
}

/// One entry of the `map_list`: what kind of items, how many, where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapItem {
    pub item_type: u16,
    pub size: u32,
    pub offset: u32,
}

/// A zero-copy view of one DEX section.
#[derive(Debug, Clone)]
pub struct DexFile<'a> {
    /// The whole buffer. Every offset stored in the file is relative to its start: for a version
    /// 041 container, ART resolves section offsets against the shared data range that begins at
    /// the container start (libdexfile `dex_file.cc`, `DexFile::GetSection` / `GetDataRange`).
    data: &'a [u8],
    base: usize,
    section: usize,
    version: u32,
    header_size: u32,
    file_size: u32,
    pub string_ids: Table,
    pub type_ids: Table,
    pub proto_ids: Table,
    pub field_ids: Table,
    pub method_ids: Table,
    pub class_defs: Table,
    location: String,
    anomalies: AnomalySink,
}

impl<'a> DexFile<'a> {
    /// Reads the header of the section that starts at `base` and resolves its id tables.
    pub fn parse_at(
        data: &'a [u8],
        base: usize,
        label: &str,
        section: usize,
    ) -> Result<Self, DexError> {
        let location = if section == 0 {
            label.to_owned()
        } else {
            format!("{label}#{section}")
        };
        let head = data.get(base..).unwrap_or(&[]);
        if head.len() < raw::HEADER_SIZE {
            return Err(DexError::TooShort {
                label: location,
                len: head.len(),
            });
        }
        let magic = [head[0], head[1], head[2], head[3]];
        if magic != raw::MAGIC {
            return Err(DexError::BadMagic {
                label: location,
                found: magic,
            });
        }
        let v = &head[header::VERSION..header::VERSION + 4];
        if !(v[0..3].iter().all(u8::is_ascii_digit) && v[3] == 0) {
            return Err(DexError::BadVersion {
                label: location,
                found: [v[0], v[1], v[2], v[3]],
            });
        }
        let version = v[0..3]
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
        let mut anomalies = AnomalySink::default();
        if !(raw::MIN_VERSION..=raw::MAX_VERSION).contains(&version) || version == 36 {
            // ART's DexFileLoader rejects such files; we read on because the layout has not
            // changed between versions and a sample that lies about its version still has code.
            anomalies.push(
                "dex.unknown_version",
                &location,
                format!("version {version:03} is not one ART loads (035, 037 to 041)"),
            );
        }
        let field = |at: usize| u32_at(head, at).unwrap_or(0);
        let endian = field(header::ENDIAN_TAG);
        if endian == raw::REVERSE_ENDIAN_CONSTANT {
            return Err(DexError::BigEndian { label: location });
        }
        if endian != raw::ENDIAN_CONSTANT {
            anomalies.push(
                "dex.endian_tag",
                &location,
                format!("endian tag {endian:#010x}, read as little-endian"),
            );
        }
        let header_size = field(header::HEADER_SIZE);
        let expected_header = if version >= raw::CONTAINER_VERSION {
            raw::HEADER_SIZE_V41
        } else {
            raw::HEADER_SIZE
        };
        if header_size as usize != expected_header {
            // Tables are found through their own offsets, so a larger header (seen in packed
            // malware: 6880 bytes) changes nothing for the reader; a smaller one overlaps them.
            anomalies.push(
                "dex.header_size",
                &location,
                format!("header_size is {header_size:#x}, expected {expected_header:#x}"),
            );
        }
        let file_size = field(header::FILE_SIZE);
        let available = head.len();
        if version < raw::CONTAINER_VERSION && file_size as usize != available {
            anomalies.push(
                "dex.file_size",
                &location,
                format!("header says {file_size} bytes, the buffer has {available}"),
            );
        } else if version >= raw::CONTAINER_VERSION && file_size as usize > available {
            anomalies.push(
                "dex.file_size",
                &location,
                format!("section says {file_size} bytes, only {available} remain"),
            );
        }
        let mut table = |size_at: usize, off_at: usize, item: usize, name: &str| {
            resolve_table(
                data,
                field(size_at),
                field(off_at),
                item,
                name,
                &location,
                &mut anomalies,
            )
        };
        let string_ids = table(
            header::STRING_IDS_SIZE,
            header::STRING_IDS_OFF,
            raw::STRING_ID_ITEM,
            "string_ids",
        );
        let type_ids = table(
            header::TYPE_IDS_SIZE,
            header::TYPE_IDS_OFF,
            raw::TYPE_ID_ITEM,
            "type_ids",
        );
        let proto_ids = table(
            header::PROTO_IDS_SIZE,
            header::PROTO_IDS_OFF,
            raw::PROTO_ID_ITEM,
            "proto_ids",
        );
        let field_ids = table(
            header::FIELD_IDS_SIZE,
            header::FIELD_IDS_OFF,
            raw::FIELD_ID_ITEM,
            "field_ids",
        );
        let method_ids = table(
            header::METHOD_IDS_SIZE,
            header::METHOD_IDS_OFF,
            raw::METHOD_ID_ITEM,
            "method_ids",
        );
        let class_defs = table(
            header::CLASS_DEFS_SIZE,
            header::CLASS_DEFS_OFF,
            raw::CLASS_DEF_ITEM,
            "class_defs",
        );
        let map_off = field(header::MAP_OFF);
        let file = DexFile {
            data,
            base,
            section,
            version,
            header_size,
            file_size,
            string_ids,
            type_ids,
            proto_ids,
            field_ids,
            method_ids,
            class_defs,
            location,
            anomalies,
        };
        Ok(file.check_map_list(map_off))
    }

    /// The `map_list` at `map_off`: at most [`raw::MAX_MAP_ITEMS`] entries, fewer if the buffer
    /// ends first; `None` when `map_off` is outside the buffer.
    pub fn map_list(&self, map_off: u32) -> Option<Vec<MapItem>> {
        let at = map_off as usize;
        let size = u32_at(self.data, at)? as usize;
        let fits = self.data.len().saturating_sub(at + 4) / raw::MAP_ITEM;
        let items = (0..size.min(fits).min(raw::MAX_MAP_ITEMS))
            .filter_map(|i| {
                let item = at + 4 + i * raw::MAP_ITEM;
                Some(MapItem {
                    item_type: u16_at(self.data, item)?,
                    size: u32_at(self.data, item + 4)?,
                    offset: u32_at(self.data, item + 8)?,
                })
            })
            .collect();
        Some(items)
    }

    /// The header is what the reader trusts; the map list should agree with it. ART's verifier
    /// rejects a file whose map and header disagree (dex_file_verifier.cc, `CheckMap`); we record
    /// the disagreement, since a packer may leave a stale map behind.
    fn check_map_list(mut self, map_off: u32) -> Self {
        let location = self.location.clone();
        let Some(items) = self.map_list(map_off) else {
            self.anomalies.push(
                "dex.map_list",
                &location,
                format!("map_off {map_off:#x} is outside the file"),
            );
            return self;
        };
        let header_tables = [
            (raw::TYPE_STRING_ID_ITEM, self.string_ids, "string_ids"),
            (raw::TYPE_TYPE_ID_ITEM, self.type_ids, "type_ids"),
            (raw::TYPE_PROTO_ID_ITEM, self.proto_ids, "proto_ids"),
            (raw::TYPE_FIELD_ID_ITEM, self.field_ids, "field_ids"),
            (raw::TYPE_METHOD_ID_ITEM, self.method_ids, "method_ids"),
            (raw::TYPE_CLASS_DEF_ITEM, self.class_defs, "class_defs"),
        ];
        for (item_type, table, name) in header_tables {
            let in_map = items.iter().find(|i| i.item_type == item_type);
            let agrees = match in_map {
                Some(i) => {
                    i.size == table.count && (table.count == 0 || i.offset as usize == table.offset)
                }
                None => table.count == 0,
            };
            if !agrees {
                self.anomalies.push(
                    "dex.map_mismatch",
                    &location,
                    format!(
                        "header has {name} = {} at {:#x}, the map list says {}",
                        table.count,
                        table.offset,
                        in_map.map_or("nothing".to_owned(), |i| format!(
                            "{} at {:#x}",
                            i.size, i.offset
                        ))
                    ),
                );
            }
        }
        self
    }

    /// The whole buffer this view reads from.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }
    /// Offset of this section's header in the buffer (0 except in version 041 containers).
    pub fn base(&self) -> usize {
        self.base
    }
    /// Index of this section in its container (0 for a plain DEX file).
    pub fn section(&self) -> usize {
        self.section
    }
    /// Version number from the magic, e.g. 35 for `dex\n035\0`.
    pub fn version(&self) -> u32 {
        self.version
    }
    pub fn header_size(&self) -> u32 {
        self.header_size
    }
    pub fn file_size(&self) -> u32 {
        self.file_size
    }
    /// The label of this section: the name given to the parser, with `#N` for sections after the
    /// first of a container.
    pub fn location(&self) -> &str {
        &self.location
    }
    /// What the header and table checks had to tolerate.
    pub fn anomalies(&self) -> &AnomalySink {
        &self.anomalies
    }
    pub(crate) fn anomalies_mut(&mut self) -> &mut AnomalySink {
        &mut self.anomalies
    }
    /// A header field of version 041 containers (`container_size` or `header_offset`), if the
    /// header is long enough to hold it.
    pub fn container_field(&self, at: usize) -> Option<u32> {
        if (self.header_size as usize) < raw::HEADER_SIZE_V41 {
            return None;
        }
        u32_at(self.data, self.base.checked_add(at)?)
    }

    /// The raw MUTF-8 bytes of string `index` (without length prefix and terminator).
    pub fn string_bytes(&self, index: u32) -> Option<&'a [u8]> {
        let at = self.string_ids.item(index, raw::STRING_ID_ITEM)?;
        let mut pos = u32_at(self.data, at)? as usize;
        if pos >= self.data.len() {
            return None;
        }
        let utf16_len = read_uleb128(self.data, &mut pos)? as usize;
        // Fast path: for ASCII the UTF-16 length is the byte length, so the terminator is right
        // there and no scan for it is needed.
        // Bytes 0x01..=0x7f only: a NUL inside would end the string earlier.
        if let Some(candidate) = self.data.get(pos..pos.saturating_add(utf16_len))
            && self.data.get(pos + utf16_len) == Some(&0)
            && candidate.iter().all(|&b| b.wrapping_sub(1) < 0x7f)
        {
            return Some(candidate);
        }
        Some(mutf8::terminated(self.data, pos))
    }

    /// String `index` decoded; `None` when the index or its data offset is out of bounds.
    pub fn string(&self, index: u32) -> Option<mutf8::Decoded> {
        self.string_bytes(index).map(mutf8::decode)
    }

    /// The descriptor (`Lpkg/Cls;`, `I`, `[B`...) of type `index`, as raw bytes.
    pub fn type_descriptor_bytes(&self, index: u32) -> Option<&'a [u8]> {
        let at = self.type_ids.item(index, raw::TYPE_ID_ITEM)?;
        self.string_bytes(u32_at(self.data, at)?)
    }

    /// The descriptor of type `index` (cut at [`MAX_RENDERED_NAME`] bytes), or a placeholder
    /// naming the bad index.
    pub fn type_descriptor(&self, index: u32) -> Cow<'a, str> {
        match self.type_descriptor_bytes(index) {
            Some(bytes) => name_text(bytes),
            None => Cow::Owned(format!("<type@{index}>")),
        }
    }

    /// String `index` as a member name (cut at [`MAX_RENDERED_NAME`] bytes).
    pub(crate) fn string_text(&self, index: u32) -> Cow<'a, str> {
        match self.string_bytes(index) {
            Some(bytes) => name_text(bytes),
            None => Cow::Owned(format!("<string@{index}>")),
        }
    }

    pub fn method_id(&self, index: u32) -> Option<MethodId> {
        let at = self.method_ids.item(index, raw::METHOD_ID_ITEM)?;
        Some(MethodId {
            class_idx: u16_at(self.data, at)?,
            proto_idx: u16_at(self.data, at + 2)?,
            name_idx: u32_at(self.data, at + 4)?,
        })
    }

    pub fn field_id(&self, index: u32) -> Option<FieldId> {
        let at = self.field_ids.item(index, raw::FIELD_ID_ITEM)?;
        Some(FieldId {
            class_idx: u16_at(self.data, at)?,
            type_idx: u16_at(self.data, at + 2)?,
            name_idx: u32_at(self.data, at + 4)?,
        })
    }

    pub fn proto_id(&self, index: u32) -> Option<ProtoId> {
        let at = self.proto_ids.item(index, raw::PROTO_ID_ITEM)?;
        Some(ProtoId {
            shorty_idx: u32_at(self.data, at)?,
            return_type_idx: u32_at(self.data, at + 4)?,
            parameters_off: u32_at(self.data, at + 8)?,
        })
    }

    pub fn class_def(&self, index: u32) -> Option<ClassDef> {
        let at = self.class_defs.item(index, raw::CLASS_DEF_ITEM)?;
        Some(ClassDef {
            class_idx: u32_at(self.data, at)?,
            superclass_idx: u32_at(self.data, at + raw::CLASS_DEF_SUPERCLASS_IDX)?,
            interfaces_off: u32_at(self.data, at + raw::CLASS_DEF_INTERFACES_OFF)?,
            class_data_off: u32_at(self.data, at + raw::CLASS_DEF_CLASS_DATA_OFF)?,
        })
    }

    /// The type indices of the `type_list` at `offset` (a class's interfaces), at most `cap` of
    /// them and never more than the buffer holds; empty for offset 0 or a list outside the file.
    pub fn type_list(&self, offset: u32, cap: usize) -> Vec<u32> {
        if offset == 0 {
            return Vec::new();
        }
        let at = offset as usize;
        let Some(size) = u32_at(self.data, at) else {
            return Vec::new();
        };
        // Each entry is two bytes: never believe more entries than the buffer holds.
        let fits = self.data.len().saturating_sub(at + 4) / 2;
        (0..(size as usize).min(fits).min(cap))
            .filter_map(|i| u16_at(self.data, at + 4 + i * 2).map(u32::from))
            .collect()
    }

    /// The name of method `index`, as raw MUTF-8 bytes.
    pub fn method_name_bytes(&self, index: u32) -> Option<&'a [u8]> {
        self.string_bytes(self.method_id(index)?.name_idx)
    }

    /// `(Args)Ret` of proto `index`, e.g. `(Ljava/lang/String;I)V`.
    pub fn proto_signature(&self, index: u32) -> String {
        // Room for most prototypes at once: growing from empty would reallocate three times.
        let mut out = String::with_capacity(64);
        self.write_proto_signature(index, &mut out);
        out
    }

    /// [`Self::proto_signature`] appended to `out`, for callers that reuse one buffer.
    pub fn write_proto_signature(&self, index: u32, out: &mut String) {
        let Some(proto) = self.proto_id(index) else {
            use std::fmt::Write;
            let _ = write!(out, "<proto@{index}>");
            return;
        };
        out.push('(');
        if proto.parameters_off != 0 {
            let at = proto.parameters_off as usize;
            let size = u32_at(self.data, at).unwrap_or(0) as usize;
            // Each entry is two bytes: never believe more entries than the buffer holds.
            let fits = self.data.len().saturating_sub(at + 4) / 2;
            for i in 0..size.min(fits).min(MAX_PARAMETERS) {
                if let Some(t) = u16_at(self.data, at + 4 + i * 2) {
                    out.push_str(&self.type_descriptor(u32::from(t)));
                }
            }
        }
        out.push(')');
        out.push_str(&self.type_descriptor(proto.return_type_idx));
    }

    /// `Lpkg/Cls;->name(Args)Ret` of method `index`.
    pub fn method_signature(&self, index: u32) -> String {
        match self.method_id(index) {
            Some(m) => format!(
                "{}->{}{}",
                self.type_descriptor(u32::from(m.class_idx)),
                self.string_text(m.name_idx),
                self.proto_signature(u32::from(m.proto_idx))
            ),
            None => format!("<method@{index}>"),
        }
    }

    /// The class descriptor and `name(Args)Ret` of method `index`, for call sites.
    pub fn method_class_and_name(&self, index: u32) -> (String, String) {
        match self.method_id(index) {
            Some(m) => (
                self.type_descriptor(u32::from(m.class_idx)).into_owned(),
                format!(
                    "{}{}",
                    self.string_text(m.name_idx),
                    self.proto_signature(u32::from(m.proto_idx))
                ),
            ),
            None => (String::new(), format!("<method@{index}>")),
        }
    }

    /// `Lpkg/Cls;->name:Type` of field `index`.
    pub fn field_signature(&self, index: u32) -> String {
        match self.field_id(index) {
            Some(f) => format!(
                "{}->{}:{}",
                self.type_descriptor(u32::from(f.class_idx)),
                self.string_text(f.name_idx),
                self.type_descriptor(u32::from(f.type_idx))
            ),
            None => format!("<field@{index}>"),
        }
    }

    /// Method `index` as a typed reference (each part cut as in [`Self::method_signature`]);
    /// `None` when the index is past the table.
    pub fn method_ref(&self, index: u32) -> Option<MethodRef> {
        let m = self.method_id(index)?;
        Some(MethodRef {
            class: super::name::Name::new(&self.type_descriptor(u32::from(m.class_idx))),
            name: super::name::Name::new(&self.string_text(m.name_idx)),
            proto: super::name::Name::new(&self.proto_signature(u32::from(m.proto_idx))),
        })
    }

    /// Field `index` as a typed reference (each part cut as in [`Self::field_signature`]);
    /// `None` when the index is past the table.
    pub fn field_ref(&self, index: u32) -> Option<FieldRef> {
        let f = self.field_id(index)?;
        Some(FieldRef {
            class: super::name::Name::new(&self.type_descriptor(u32::from(f.class_idx))),
            name: super::name::Name::new(&self.string_text(f.name_idx)),
            ty: super::name::Name::new(&self.type_descriptor(u32::from(f.type_idx))),
        })
    }

    /// Appends to `out` every method of a `class_data_item`, direct methods first, and returns
    /// how many entries were read. Stops at the end of the buffer with an anomaly; counts that
    /// cannot fit in the remaining bytes are capped, so `out` grows by at most a third of the
    /// bytes after `class_data_off`.
    pub fn class_methods(
        &self,
        class_data_off: u32,
        anomalies: &mut AnomalySink,
        out: &mut Vec<MethodDef>,
    ) -> usize {
        let data = self.data;
        let mut pos = class_data_off as usize;
        let loc = &self.location;
        let mut sizes = [0u32; 4];
        for size in &mut sizes {
            match read_uleb128(data, &mut pos) {
                Some(v) => *size = v,
                None => {
                    anomalies.push(
                        "dex.class_data_truncated",
                        loc,
                        format!("class_data_item at {class_data_off:#x} ends inside its header"),
                    );
                    return 0;
                }
            }
        }
        // A field entry takes at least 2 bytes and a method entry at least 3; more entries than
        // that cannot be present, so a count of 2^32-1 cannot make us loop for long.
        let remaining = data.len().saturating_sub(pos);
        let [static_fields, instance_fields, direct, virtual_] = sizes;
        let fields = u64::from(static_fields) + u64::from(instance_fields);
        let methods = u64::from(direct) + u64::from(virtual_);
        if fields * 2 + methods * 3 > remaining as u64 {
            anomalies.push(
                "dex.class_data_count_capped",
                loc,
                format!(
                    "class_data_item at {class_data_off:#x} declares {fields} fields and {methods} methods, more than its {remaining} bytes can hold"
                ),
            );
        }
        for _ in 0..fields.min(remaining as u64 / 2) {
            if read_uleb128(data, &mut pos).is_none() || read_uleb128(data, &mut pos).is_none() {
                anomalies.push(
                    "dex.class_data_truncated",
                    loc,
                    format!("class_data_item at {class_data_off:#x} ends inside its fields"),
                );
                return 0;
            }
        }
        let mut read = 0usize;
        let remaining = data.len().saturating_sub(pos) as u64 / 3;
        for (count, is_virtual) in [(direct, false), (virtual_, true)] {
            // The method index is a running sum of deltas, restarting for the virtual list.
            let mut method_idx: u32 = 0;
            for i in 0..u64::from(count).min(remaining) {
                let (Some(delta), Some(_flags), Some(code_off)) = (
                    read_uleb128(data, &mut pos),
                    read_uleb128(data, &mut pos),
                    read_uleb128(data, &mut pos),
                ) else {
                    anomalies.push(
                        "dex.class_data_truncated",
                        loc,
                        format!("class_data_item at {class_data_off:#x} ends inside its methods"),
                    );
                    return read;
                };
                let (next, overflowed) = method_idx.overflowing_add(delta);
                if overflowed {
                    anomalies.push(
                        "dex.method_idx_overflow",
                        loc,
                        format!("method index delta overflows at entry {i} of class_data_item {class_data_off:#x}"),
                    );
                }
                method_idx = next;
                read += 1;
                if method_idx >= self.method_ids.count {
                    anomalies.push(
                        "dex.method_idx_out_of_range",
                        loc,
                        format!("class_data_item {class_data_off:#x} defines method {method_idx}, past the method_ids table"),
                    );
                    continue;
                }
                out.push(MethodDef {
                    method_idx,
                    code_off,
                    is_virtual,
                });
            }
        }
        read
    }

    /// The instruction bytes of the `code_item` at `code_off` (an even number of bytes). A code
    /// item whose instructions run past the buffer is cut at the buffer end with an anomaly.
    pub fn code_insns(&self, code_off: u32, anomalies: &mut AnomalySink) -> &'a [u8] {
        let at = code_off as usize;
        let Some(insns_units) = at
            .checked_add(raw::CODE_ITEM_INSNS_SIZE)
            .and_then(|p| u32_at(self.data, p))
        else {
            anomalies.push(
                "dex.code_item_offset",
                &self.location,
                format!("code_item offset {code_off:#x} is outside the file"),
            );
            return &[];
        };
        let start = at + raw::CODE_ITEM_HEADER;
        let available = self.data.len().saturating_sub(start);
        let wanted = insns_units as u64 * 2;
        if wanted > available as u64 {
            anomalies.push(
                "dex.code_truncated",
                &self.location,
                format!(
                    "code_item at {code_off:#x} declares {insns_units} code units, only {} fit",
                    available / 2
                ),
            );
            return self
                .data
                .get(start..start + (available & !1))
                .unwrap_or(&[]);
        }
        &self.data[start..start + wanted as usize]
    }
}

/// The parts of a method or field id as the indices they are read from: the class (a type index),
/// the name (a string index) and the prototype (a proto index, for a method) or the type (a type
/// index, for a field). Equal indices mean equal texts, so references can be ordered by their
/// renderings without reading the parts they share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartIds {
    pub class: u32,
    pub name: u32,
    pub last: u32,
}

/// Renders method and field references, caching type descriptors, member names and prototypes,
/// which many references share. Used when materializing the facts of a scan: the parts of every
/// referenced id are cached first ([`Self::method_parts`], [`Self::field_parts`]), then read
/// without copying to measure and order the references, and copied once into the typed values.
pub struct SignatureCache<'d, 'a> {
    dex: &'d DexFile<'a>,
    types: Vec<Option<super::name::Name>>,
    protos: Vec<Option<super::name::Name>>,
    /// Member names by string index: many methods share a name (`<init>`, `get`, `run`).
    names: Vec<Option<super::name::Name>>,
    /// Where texts come from when the DEX files of an input share them; else each is made here.
    shared: Option<&'d super::intern::Interner>,
    /// Where each prototype is rendered before it is kept.
    proto_buffer: String,
    _p: std::marker::PhantomData<&'a ()>,
}

impl<'d, 'a> SignatureCache<'d, 'a> {
    pub fn new(dex: &'d DexFile<'a>, shared: Option<&'d super::intern::Interner>) -> Self {
        SignatureCache {
            dex,
            shared,
            types: vec![None; dex.type_ids.count as usize],
            protos: vec![None; dex.proto_ids.count as usize],
            names: vec![None; dex.string_ids.count as usize],
            proto_buffer: String::with_capacity(64),
            _p: std::marker::PhantomData,
        }
    }

    /// The parts of method `index`, their texts cached; `None` only past the table.
    pub fn method_parts(&mut self, index: u32) -> Option<PartIds> {
        let m = self.dex.method_id(index)?;
        let parts = PartIds {
            class: u32::from(m.class_idx),
            name: m.name_idx,
            last: u32::from(m.proto_idx),
        };
        self.cache_type(parts.class);
        self.cache_name(parts.name);
        if let Some(slot) = self.protos.get_mut(parts.last as usize)
            && slot.is_none()
        {
            // Made in one buffer for all: the text is copied into its shared or own copy anyway.
            self.proto_buffer.clear();
            self.dex
                .write_proto_signature(parts.last, &mut self.proto_buffer);
            *slot = Some(made(self.shared, &self.proto_buffer));
        }
        Some(parts)
    }

    /// The parts of field `index`, their texts cached; `None` only past the table.
    pub fn field_parts(&mut self, index: u32) -> Option<PartIds> {
        let f = self.dex.field_id(index)?;
        let parts = PartIds {
            class: u32::from(f.class_idx),
            name: f.name_idx,
            last: u32::from(f.type_idx),
        };
        self.cache_type(parts.class);
        self.cache_name(parts.name);
        self.cache_type(parts.last);
        Some(parts)
    }

    fn cache_type(&mut self, index: u32) {
        if let Some(slot) = self.types.get_mut(index as usize)
            && slot.is_none()
        {
            *slot = Some(made(self.shared, &self.dex.type_descriptor(index)));
        }
    }

    fn cache_name(&mut self, index: u32) {
        if let Some(slot) = self.names.get_mut(index as usize)
            && slot.is_none()
        {
            *slot = Some(made(self.shared, &self.dex.string_text(index)));
        }
    }

    pub fn type_text(&self, index: u32) -> super::name::Name {
        match self.types.get(index as usize) {
            Some(Some(text)) => text.clone(),
            _ => super::name::Name::new(&self.dex.type_descriptor(index)),
        }
    }
    pub fn name_text(&self, index: u32) -> super::name::Name {
        match self.names.get(index as usize) {
            Some(Some(text)) => text.clone(),
            _ => super::name::Name::new(&self.dex.string_text(index)),
        }
    }
    pub fn proto_text(&self, index: u32) -> super::name::Name {
        match self.protos.get(index as usize) {
            Some(Some(text)) => text.clone(),
            _ => super::name::Name::new(&self.dex.proto_signature(index)),
        }
    }
}

/// A text of the cache: the input's shared copy, or one of its own.
fn made(shared: Option<&super::intern::Interner>, text: &str) -> super::name::Name {
    match shared {
        Some(interner) => interner.text(text),
        None => super::name::Name::new(text),
    }
}

/// A name or descriptor for rendering: borrowed when it is short valid UTF-8, else decoded and cut.
fn name_text(bytes: &[u8]) -> Cow<'_, str> {
    let cut = bytes.len() > MAX_RENDERED_NAME;
    let bytes = &bytes[..bytes.len().min(MAX_RENDERED_NAME)];
    let text = match std::str::from_utf8(bytes) {
        Ok(s) if !cut => return Cow::Borrowed(s),
        Ok(s) => s.to_owned(),
        Err(_) => mutf8::decode(bytes).text,
    };
    Cow::Owned(if cut { text + "…" } else { text })
}

/// Checks an id table against the buffer, reducing its count to what fits.
fn resolve_table(
    data: &[u8],
    count: u32,
    offset: u32,
    item_size: usize,
    name: &str,
    location: &str,
    anomalies: &mut AnomalySink,
) -> Table {
    if count == 0 {
        return Table::default();
    }
    let offset = offset as usize;
    let fits = data.len().saturating_sub(offset) / item_size;
    if (count as usize) > fits {
        anomalies.push(
            "dex.table_truncated",
            location,
            format!("{name} declares {count} items at {offset:#x}; only {fits} fit in the buffer"),
        );
    }
    Table {
        offset,
        count: count.min(u32::try_from(fits).unwrap_or(u32::MAX)),
    }
}

/// Reads every section of a buffer: one for versions 035 to 040, one or more for a version 041
/// container, whose sections follow each other, each header's `file_size` giving the distance to
/// the next one (ART `dex_file_loader.cc`, `DexFileLoader::Open` loop over container headers).
pub fn parse_sections<'a>(bytes: &'a [u8], label: &str) -> Result<Vec<DexFile<'a>>, DexError> {
    let first = DexFile::parse_at(bytes, 0, label, 0)?;
    if first.version() < raw::CONTAINER_VERSION
        || (first.header_size() as usize) < raw::HEADER_SIZE_V41
    {
        return Ok(vec![first]);
    }
    let mut sections = vec![first];
    let container_size = sections[0]
        .container_field(header::CONTAINER_SIZE)
        .unwrap_or(0) as usize;
    if container_size != bytes.len() {
        let loc = sections[0].location().to_owned();
        sections[0].anomalies_mut().push(
            "dex.container_size",
            &loc,
            format!(
                "container_size is {container_size}, the buffer has {} bytes",
                bytes.len()
            ),
        );
    }
    let limit = container_size.min(bytes.len());
    let mut start = 0usize;
    loop {
        let current = sections.last().expect("at least the first section");
        let size = current.file_size() as usize;
        let declared_offset = current.container_field(header::HEADER_OFFSET).unwrap_or(0) as usize;
        if declared_offset != start {
            let loc = current.location().to_owned();
            sections
                .last_mut()
                .expect("at least the first section")
                .anomalies_mut()
                .push(
                    "dex.container_header_offset",
                    &loc,
                    format!("header_offset is {declared_offset:#x}, the header is at {start:#x}"),
                );
        }
        let next = start.saturating_add(size);
        if next >= limit {
            break;
        }
        if size < raw::HEADER_SIZE || sections.len() >= MAX_CONTAINER_SECTIONS {
            // A section shorter than a header would never advance; stop rather than loop.
            let loc = sections[0].location().to_owned();
            sections[0].anomalies_mut().push(
                "dex.container_section",
                &loc,
                format!("stopped reading container sections at {next:#x} (section size {size})"),
            );
            break;
        }
        match DexFile::parse_at(bytes, next, label, sections.len()) {
            Ok(section) => sections.push(section),
            Err(error) => {
                let loc = sections[0].location().to_owned();
                sections[0].anomalies_mut().push(
                    "dex.container_section",
                    &loc,
                    format!("section at {next:#x} is unreadable: {error}"),
                );
                break;
            }
        }
        start = next;
    }
    Ok(sections)
}
