//! On-disk structures shared by binary XML and `resources.arsc`: the chunk header, chunk type
//! constants, `Res_value` type constants, and bounds-checked little-endian reads.
//!
//! Layouts and constants follow `frameworks/base/libs/androidfw/include/androidfw/ResourceTypes.h`.
//! Nothing here allocates or interprets; readers live in `xml.rs`, `string_pool.rs` and `arsc.rs`.

/// `RES_NULL_TYPE`.
pub const RES_NULL_TYPE: u16 = 0x0000;
/// `RES_STRING_POOL_TYPE`.
pub const RES_STRING_POOL_TYPE: u16 = 0x0001;
/// `RES_TABLE_TYPE`: first chunk of `resources.arsc`.
pub const RES_TABLE_TYPE: u16 = 0x0002;
/// `RES_XML_TYPE`: first chunk of a binary XML file.
pub const RES_XML_TYPE: u16 = 0x0003;
/// `RES_XML_FIRST_CHUNK_TYPE` = `RES_XML_START_NAMESPACE_TYPE`.
pub const RES_XML_START_NAMESPACE_TYPE: u16 = 0x0100;
pub const RES_XML_END_NAMESPACE_TYPE: u16 = 0x0101;
pub const RES_XML_START_ELEMENT_TYPE: u16 = 0x0102;
pub const RES_XML_END_ELEMENT_TYPE: u16 = 0x0103;
pub const RES_XML_CDATA_TYPE: u16 = 0x0104;
/// `RES_XML_LAST_CHUNK_TYPE`: node chunk types lie in `0x0100..=0x017f`.
pub const RES_XML_LAST_CHUNK_TYPE: u16 = 0x017f;
pub const RES_XML_RESOURCE_MAP_TYPE: u16 = 0x0180;
pub const RES_TABLE_PACKAGE_TYPE: u16 = 0x0200;
pub const RES_TABLE_TYPE_TYPE: u16 = 0x0201;
pub const RES_TABLE_TYPE_SPEC_TYPE: u16 = 0x0202;
pub const RES_TABLE_LIBRARY_TYPE: u16 = 0x0203;
pub const RES_TABLE_OVERLAYABLE_TYPE: u16 = 0x0204;
pub const RES_TABLE_OVERLAYABLE_POLICY_TYPE: u16 = 0x0205;
pub const RES_TABLE_STAGED_ALIAS_TYPE: u16 = 0x0206;

/// `sizeof(ResChunk_header)`.
pub const CHUNK_HEADER_SIZE: usize = 8;
/// `sizeof(ResXMLTree_node)`: chunk header + lineNumber + comment.
pub const XML_NODE_HEADER_SIZE: usize = 16;
/// `sizeof(ResXMLTree_attrExt)`.
pub const XML_ATTR_EXT_SIZE: usize = 20;
/// `sizeof(ResXMLTree_attribute)`.
pub const XML_ATTRIBUTE_SIZE: usize = 20;
/// `sizeof(ResXMLTree_namespaceExt)` and `sizeof(ResXMLTree_endElementExt)`.
pub const XML_NAMESPACE_EXT_SIZE: usize = 8;
pub const XML_END_ELEMENT_EXT_SIZE: usize = 8;
/// `sizeof(ResXMLTree_cdataExt)`: data ref + Res_value.
pub const XML_CDATA_EXT_SIZE: usize = 12;
/// `sizeof(ResStringPool_header)`.
pub const STRING_POOL_HEADER_SIZE: usize = 28;
/// `ResStringPool_header::UTF8_FLAG`.
pub const STRING_POOL_UTF8_FLAG: u32 = 1 << 8;
/// `sizeof(Res_value)`.
pub const RES_VALUE_SIZE: usize = 8;
/// `ResStringPool_ref` "no string".
pub const NO_STRING: u32 = 0xffff_ffff;

// Res_value::dataType.
pub const TYPE_NULL: u8 = 0x00;
pub const TYPE_REFERENCE: u8 = 0x01;
pub const TYPE_ATTRIBUTE: u8 = 0x02;
pub const TYPE_STRING: u8 = 0x03;
pub const TYPE_FLOAT: u8 = 0x04;
pub const TYPE_DIMENSION: u8 = 0x05;
pub const TYPE_FRACTION: u8 = 0x06;
pub const TYPE_DYNAMIC_REFERENCE: u8 = 0x07;
pub const TYPE_DYNAMIC_ATTRIBUTE: u8 = 0x08;
pub const TYPE_INT_DEC: u8 = 0x10;
pub const TYPE_INT_HEX: u8 = 0x11;
pub const TYPE_INT_BOOLEAN: u8 = 0x12;
pub const TYPE_INT_COLOR_ARGB8: u8 = 0x1c;
pub const TYPE_INT_COLOR_RGB8: u8 = 0x1d;
pub const TYPE_INT_COLOR_ARGB4: u8 = 0x1e;
pub const TYPE_INT_COLOR_RGB4: u8 = 0x1f;
/// `Res_value::DATA_NULL_EMPTY`: with `TYPE_NULL`, an explicitly empty value (`@empty`).
pub const DATA_NULL_EMPTY: u32 = 1;

// resources.arsc structures.
/// `sizeof(ResTable_header)`.
pub const TABLE_HEADER_SIZE: usize = 12;
/// `sizeof(ResTable_package)` without `typeIdOffset` (old aapt wrote 284 bytes).
pub const TABLE_PACKAGE_MIN_HEADER_SIZE: usize = 284;
/// `sizeof(ResTable_typeSpec)`.
pub const TABLE_TYPE_SPEC_HEADER_SIZE: usize = 16;
/// `offsetof(ResTable_type, config)`: the config follows, its own `size` field first.
pub const TABLE_TYPE_FIXED_SIZE: usize = 20;
/// `ResTable_type::FLAG_SPARSE`.
pub const TABLE_TYPE_FLAG_SPARSE: u8 = 0x01;
/// `ResTable_type::FLAG_OFFSET16`.
pub const TABLE_TYPE_FLAG_OFFSET16: u8 = 0x02;
/// `ResTable_type::NO_ENTRY`.
pub const NO_ENTRY: u32 = 0xffff_ffff;
/// `ResTable_entry::FLAG_COMPLEX`: a map entry (`ResTable_map_entry`).
pub const ENTRY_FLAG_COMPLEX: u16 = 0x0001;
/// `ResTable_entry::FLAG_COMPACT`: an 8-byte entry holding key index and value inline.
pub const ENTRY_FLAG_COMPACT: u16 = 0x0008;
/// `sizeof(ResTable_entry)`.
pub const TABLE_ENTRY_SIZE: usize = 8;
/// `sizeof(ResTable_map_entry)`.
pub const TABLE_MAP_ENTRY_SIZE: usize = 16;
/// `sizeof(ResTable_map)`: name ref + Res_value.
pub const TABLE_MAP_SIZE: usize = 12;

/// Reads a little-endian `u16` at `offset`, or `None` past the end.
pub fn read_u16(bytes: &[u8], offset: usize) -> Option<u16> {
    let end = offset.checked_add(2)?;
    let b = bytes.get(offset..end)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

/// Reads a little-endian `u32` at `offset`, or `None` past the end.
pub fn read_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    let end = offset.checked_add(4)?;
    let b = bytes.get(offset..end)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Reads a byte at `offset`, or `None` past the end.
pub fn read_u8(bytes: &[u8], offset: usize) -> Option<u8> {
    bytes.get(offset).copied()
}

/// `ResChunk_header` as stored: all three fields raw, nothing validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkHeader {
    pub chunk_type: u16,
    pub header_size: u16,
    pub size: u32,
}

impl ChunkHeader {
    /// Reads the 8-byte header at `offset`, or `None` when fewer than 8 bytes remain.
    pub fn read(bytes: &[u8], offset: usize) -> Option<ChunkHeader> {
        Some(ChunkHeader {
            chunk_type: read_u16(bytes, offset)?,
            header_size: read_u16(bytes, offset + 2)?,
            size: read_u32(bytes, offset + 4)?,
        })
    }
}

/// `Res_value` as stored (`size` and `res0` are ignored by Android and so by us).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawValue {
    pub data_type: u8,
    pub data: u32,
}

impl RawValue {
    /// Reads the 8-byte `Res_value` at `offset`.
    pub fn read(bytes: &[u8], offset: usize) -> Option<RawValue> {
        Some(RawValue {
            data_type: read_u8(bytes, offset + 3)?,
            data: read_u32(bytes, offset + 4)?,
        })
    }
}
