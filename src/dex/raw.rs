//! On-disk layout of DEX files: header field offsets, item sizes and format constants, plus
//! bounds-checked little-endian readers. Facts from the DEX format specification
//! (source.android.com/docs/core/runtime/dex-format) and ART `libdexfile/dex/dex_file.h`.

/// `dex\n`, the first four bytes of every DEX file.
pub const MAGIC: [u8; 4] = *b"dex\n";
/// Size of the header of versions 035 to 040.
pub const HEADER_SIZE: usize = 0x70;
/// Size of the header of version 041, which appends `container_size` and `header_offset`.
pub const HEADER_SIZE_V41: usize = 0x78;
/// Endian tag of a little-endian file.
pub const ENDIAN_CONSTANT: u32 = 0x1234_5678;
/// Endian tag of a byte-swapped (big-endian) file.
pub const REVERSE_ENDIAN_CONSTANT: u32 = 0x7856_3412;
/// Lowest and highest versions this reader knows (035 = API 1..23, 041 = API 35).
pub const MIN_VERSION: u32 = 35;
pub const MAX_VERSION: u32 = 41;
/// The first version whose files may be containers of several DEX sections.
pub const CONTAINER_VERSION: u32 = 41;
/// `NO_INDEX` of the format: an absent index (e.g. no superclass).
pub const NO_INDEX: u32 = 0xffff_ffff;

/// Byte offsets of the header fields.
pub mod header {
    pub const VERSION: usize = 0x04;
    pub const FILE_SIZE: usize = 0x20;
    pub const HEADER_SIZE: usize = 0x24;
    pub const ENDIAN_TAG: usize = 0x28;
    pub const MAP_OFF: usize = 0x34;
    pub const STRING_IDS_SIZE: usize = 0x38;
    pub const STRING_IDS_OFF: usize = 0x3c;
    pub const TYPE_IDS_SIZE: usize = 0x40;
    pub const TYPE_IDS_OFF: usize = 0x44;
    pub const PROTO_IDS_SIZE: usize = 0x48;
    pub const PROTO_IDS_OFF: usize = 0x4c;
    pub const FIELD_IDS_SIZE: usize = 0x50;
    pub const FIELD_IDS_OFF: usize = 0x54;
    pub const METHOD_IDS_SIZE: usize = 0x58;
    pub const METHOD_IDS_OFF: usize = 0x5c;
    pub const CLASS_DEFS_SIZE: usize = 0x60;
    pub const CLASS_DEFS_OFF: usize = 0x64;
    /// Version 041 only: size of the whole container (all sections).
    pub const CONTAINER_SIZE: usize = 0x70;
    /// Version 041 only: offset of this header from the start of the container.
    pub const HEADER_OFFSET: usize = 0x74;
}

/// Size of one `map_item` (type, unused, size, offset).
pub const MAP_ITEM: usize = 12;
/// Most entries read from a map list: the format defines about twenty item types, each listed once.
pub const MAX_MAP_ITEMS: usize = 64;
/// `map_item` type codes of the id tables the header also locates.
pub const TYPE_STRING_ID_ITEM: u16 = 0x0001;
pub const TYPE_TYPE_ID_ITEM: u16 = 0x0002;
pub const TYPE_PROTO_ID_ITEM: u16 = 0x0003;
pub const TYPE_FIELD_ID_ITEM: u16 = 0x0004;
pub const TYPE_METHOD_ID_ITEM: u16 = 0x0005;
pub const TYPE_CLASS_DEF_ITEM: u16 = 0x0006;

/// Sizes in bytes of the fixed-size id items.
pub const STRING_ID_ITEM: usize = 4;
pub const TYPE_ID_ITEM: usize = 4;
pub const PROTO_ID_ITEM: usize = 12;
pub const FIELD_ID_ITEM: usize = 8;
pub const METHOD_ID_ITEM: usize = 8;
pub const CLASS_DEF_ITEM: usize = 32;
/// Offsets inside a `class_def_item`: `superclass_idx`, `interfaces_off`, `class_data_off`.
pub const CLASS_DEF_SUPERCLASS_IDX: usize = 8;
pub const CLASS_DEF_INTERFACES_OFF: usize = 12;
pub const CLASS_DEF_CLASS_DATA_OFF: usize = 24;
/// Size of the fixed part of a `code_item` before `insns`.
pub const CODE_ITEM_HEADER: usize = 16;
/// Offset of `insns_size` (in 16-bit code units) inside a `code_item`.
pub const CODE_ITEM_INSNS_SIZE: usize = 12;

/// Identifiers (high byte of a `nop` unit) of the payload pseudo-instructions.
pub const PACKED_SWITCH_PAYLOAD: u16 = 0x0100;
pub const SPARSE_SWITCH_PAYLOAD: u16 = 0x0200;
pub const FILL_ARRAY_DATA_PAYLOAD: u16 = 0x0300;

#[inline]
pub fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    let bytes = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([bytes[0], bytes[1]]))
}

#[inline]
pub fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}
