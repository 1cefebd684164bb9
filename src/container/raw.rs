//! On-disk zip records as Android reads them: signatures, fixed sizes and pure, bounds-checked
//! parse-from-slice functions for the end of central directory record (EOCD), the zip64 locator
//! and zip64 EOCD, central directory headers, local file headers and the zip64 extra field.
//!
//! Nothing here interprets or trusts the values; `archive.rs` decides what they mean.
//! Every function returns `None` when the record does not fit in the slice.

/// "PK\x05\x06": end of central directory record.
pub const EOCD_SIGNATURE: u32 = 0x0605_4b50;
/// Fixed part of the EOCD record (the comment follows).
pub const EOCD_LEN: usize = 22;
/// The comment length is a u16.
pub const MAX_COMMENT_LEN: usize = 0xffff;
/// "PK\x06\x07": zip64 end of central directory locator, just before the EOCD.
pub const ZIP64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
pub const ZIP64_LOCATOR_LEN: usize = 20;
/// "PK\x06\x06": zip64 end of central directory record.
pub const ZIP64_EOCD_SIGNATURE: u32 = 0x0606_4b50;
pub const ZIP64_EOCD_LEN: usize = 56;
/// "PK\x01\x02": central directory file header.
pub const CENTRAL_HEADER_SIGNATURE: u32 = 0x0201_4b50;
pub const CENTRAL_HEADER_LEN: usize = 46;
/// "PK\x03\x04": local file header.
pub const LOCAL_HEADER_SIGNATURE: u32 = 0x0403_4b50;
pub const LOCAL_HEADER_LEN: usize = 30;
/// Header id of the zip64 extended information extra field.
pub const ZIP64_EXTRA_ID: u16 = 0x0001;

pub const METHOD_STORED: u16 = 0;
pub const METHOD_DEFLATED: u16 = 8;

/// General purpose bit 0: the entry claims to be encrypted.
pub const FLAG_ENCRYPTED: u16 = 1 << 0;
/// General purpose bit 3: sizes and CRC follow the data in a data descriptor.
pub const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;

pub fn read_u16(data: &[u8], at: usize) -> Option<u16> {
    let bytes = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([bytes[0], bytes[1]]))
}

pub fn read_u32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

pub fn read_u64(data: &[u8], at: usize) -> Option<u64> {
    let bytes = data.get(at..at.checked_add(8)?)?;
    let mut array = [0u8; 8];
    array.copy_from_slice(bytes);
    Some(u64::from_le_bytes(array))
}

/// True when a record with `signature` starts at `at`.
pub fn has_signature(data: &[u8], at: usize, signature: u32) -> bool {
    read_u32(data, at) == Some(signature)
}

/// End of central directory record (fixed part).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eocd {
    pub disk_number: u16,
    pub cd_disk: u16,
    pub records_on_disk: u16,
    pub records_total: u16,
    pub cd_size: u32,
    pub cd_offset: u32,
    pub comment_len: u16,
}

impl Eocd {
    /// libziparchive zip_archive.cc FindCentralDirectoryInfo: any saturated field (including
    /// the comment length) sends Android looking for a zip64 locator.
    pub fn has_saturated_field(&self) -> bool {
        self.records_on_disk == u16::MAX
            || self.records_total == u16::MAX
            || self.cd_size == u32::MAX
            || self.cd_offset == u32::MAX
            || self.comment_len == u16::MAX
    }
}

pub fn parse_eocd(data: &[u8], at: usize) -> Option<Eocd> {
    if !has_signature(data, at, EOCD_SIGNATURE) {
        return None;
    }
    Some(Eocd {
        disk_number: read_u16(data, at + 4)?,
        cd_disk: read_u16(data, at + 6)?,
        records_on_disk: read_u16(data, at + 8)?,
        records_total: read_u16(data, at + 10)?,
        cd_size: read_u32(data, at + 12)?,
        cd_offset: read_u32(data, at + 16)?,
        comment_len: read_u16(data, at + 20)?,
    })
}

/// Zip64 end of central directory locator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zip64Locator {
    pub eocd64_disk: u32,
    pub eocd64_offset: u64,
    pub total_disks: u32,
}

pub fn parse_zip64_locator(data: &[u8], at: usize) -> Option<Zip64Locator> {
    if !has_signature(data, at, ZIP64_LOCATOR_SIGNATURE) {
        return None;
    }
    Some(Zip64Locator {
        eocd64_disk: read_u32(data, at + 4)?,
        eocd64_offset: read_u64(data, at + 8)?,
        total_disks: read_u32(data, at + 16)?,
    })
}

/// Zip64 end of central directory record (fixed part).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zip64Eocd {
    pub records_on_disk: u64,
    pub records_total: u64,
    pub cd_size: u64,
    pub cd_offset: u64,
}

pub fn parse_zip64_eocd(data: &[u8], at: usize) -> Option<Zip64Eocd> {
    if !has_signature(data, at, ZIP64_EOCD_SIGNATURE) {
        return None;
    }
    // Make sure the whole fixed record is present before reading any field.
    data.get(at..at.checked_add(ZIP64_EOCD_LEN)?)?;
    Some(Zip64Eocd {
        records_on_disk: read_u64(data, at + 24)?,
        records_total: read_u64(data, at + 32)?,
        cd_size: read_u64(data, at + 40)?,
        cd_offset: read_u64(data, at + 48)?,
    })
}

/// Central directory file header (fixed part; name, extra and comment follow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CentralHeader {
    pub version_made_by: u16,
    pub version_needed: u16,
    pub flags: u16,
    pub method: u16,
    pub mod_time: u16,
    pub mod_date: u16,
    pub crc32: u32,
    pub compressed_size: u32,
    pub uncompressed_size: u32,
    pub name_len: u16,
    pub extra_len: u16,
    pub comment_len: u16,
    pub disk_start: u16,
    pub internal_attrs: u16,
    pub external_attrs: u32,
    pub local_header_offset: u32,
}

impl CentralHeader {
    /// Length of the whole record: fixed part, name, extra field and comment.
    pub fn record_len(&self) -> usize {
        CENTRAL_HEADER_LEN
            + self.name_len as usize
            + self.extra_len as usize
            + self.comment_len as usize
    }
}

pub fn parse_central_header(data: &[u8], at: usize) -> Option<CentralHeader> {
    if !has_signature(data, at, CENTRAL_HEADER_SIGNATURE) {
        return None;
    }
    data.get(at..at.checked_add(CENTRAL_HEADER_LEN)?)?;
    Some(CentralHeader {
        version_made_by: read_u16(data, at + 4)?,
        version_needed: read_u16(data, at + 6)?,
        flags: read_u16(data, at + 8)?,
        method: read_u16(data, at + 10)?,
        mod_time: read_u16(data, at + 12)?,
        mod_date: read_u16(data, at + 14)?,
        crc32: read_u32(data, at + 16)?,
        compressed_size: read_u32(data, at + 20)?,
        uncompressed_size: read_u32(data, at + 24)?,
        name_len: read_u16(data, at + 28)?,
        extra_len: read_u16(data, at + 30)?,
        comment_len: read_u16(data, at + 32)?,
        disk_start: read_u16(data, at + 34)?,
        internal_attrs: read_u16(data, at + 36)?,
        external_attrs: read_u32(data, at + 38)?,
        local_header_offset: read_u32(data, at + 42)?,
    })
}

/// Local file header (fixed part; name and extra follow, then the data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalHeader {
    pub version_needed: u16,
    pub flags: u16,
    pub method: u16,
    pub mod_time: u16,
    pub mod_date: u16,
    pub crc32: u32,
    pub compressed_size: u32,
    pub uncompressed_size: u32,
    pub name_len: u16,
    pub extra_len: u16,
}

pub fn parse_local_header(data: &[u8], at: usize) -> Option<LocalHeader> {
    if !has_signature(data, at, LOCAL_HEADER_SIGNATURE) {
        return None;
    }
    data.get(at..at.checked_add(LOCAL_HEADER_LEN)?)?;
    Some(LocalHeader {
        version_needed: read_u16(data, at + 4)?,
        flags: read_u16(data, at + 6)?,
        method: read_u16(data, at + 8)?,
        mod_time: read_u16(data, at + 10)?,
        mod_date: read_u16(data, at + 12)?,
        crc32: read_u32(data, at + 14)?,
        compressed_size: read_u32(data, at + 18)?,
        uncompressed_size: read_u32(data, at + 22)?,
        name_len: read_u16(data, at + 26)?,
        extra_len: read_u16(data, at + 28)?,
    })
}

/// The 64-bit values carried by a zip64 extended information extra field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Zip64Extra {
    pub uncompressed_size: Option<u64>,
    pub compressed_size: Option<u64>,
    pub local_header_offset: Option<u64>,
}

/// Reads the zip64 block of an extra field. Per APPNOTE 4.5.3 a value is present only when the
/// matching 32-bit field is saturated, in the order uncompressed, compressed, offset; like
/// libziparchive zip_archive.cc ParseZip64ExtendedInfoInExtraField we also accept a block that
/// carries all three values (24 bytes, or 28 with the disk number) whatever is saturated.
pub fn parse_zip64_extra(
    extra: &[u8],
    want_uncompressed: bool,
    want_compressed: bool,
    want_offset: bool,
) -> Option<Zip64Extra> {
    let mut at = 0usize;
    while at + 4 <= extra.len() {
        let id = read_u16(extra, at)?;
        let size = read_u16(extra, at + 2)? as usize;
        let body = extra.get(at + 4..at + 4 + size)?;
        if id == ZIP64_EXTRA_ID {
            let complete = size == 24 || size == 28;
            let mut cursor = 0usize;
            let mut take = |wanted: bool| -> Option<Option<u64>> {
                if wanted || complete {
                    let value = read_u64(body, cursor)?;
                    cursor += 8;
                    Some(Some(value))
                } else {
                    Some(None)
                }
            };
            let uncompressed_size = take(want_uncompressed)?;
            let compressed_size = take(want_compressed)?;
            let local_header_offset = take(want_offset)?;
            return Some(Zip64Extra {
                uncompressed_size,
                compressed_size,
                local_header_offset,
            });
        }
        at += 4 + size;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eocd_round_trip_of_fixed_fields() {
        let mut record = vec![0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 2, 0, 2, 0];
        record.extend_from_slice(&100u32.to_le_bytes());
        record.extend_from_slice(&200u32.to_le_bytes());
        record.extend_from_slice(&0u16.to_le_bytes());
        let eocd = parse_eocd(&record, 0).unwrap();
        assert_eq!(eocd.records_total, 2);
        assert_eq!(eocd.cd_size, 100);
        assert_eq!(eocd.cd_offset, 200);
        assert!(parse_eocd(&record[..21], 0).is_none());
    }

    #[test]
    fn zip64_extra_reads_only_saturated_fields_in_order() {
        let mut extra = Vec::new();
        extra.extend_from_slice(&0x5455u16.to_le_bytes());
        extra.extend_from_slice(&1u16.to_le_bytes());
        extra.push(0);
        extra.extend_from_slice(&ZIP64_EXTRA_ID.to_le_bytes());
        extra.extend_from_slice(&8u16.to_le_bytes());
        extra.extend_from_slice(&0x1_0000_0000u64.to_le_bytes());
        let parsed = parse_zip64_extra(&extra, false, false, true).unwrap();
        assert_eq!(parsed.local_header_offset, Some(0x1_0000_0000));
        assert_eq!(parsed.uncompressed_size, None);
        assert!(parse_zip64_extra(&extra, true, true, true).is_none());
    }

    #[test]
    fn readers_refuse_out_of_range() {
        assert_eq!(read_u32(&[1, 2, 3], 0), None);
        assert_eq!(read_u16(&[1, 2], usize::MAX), None);
        assert!(parse_local_header(&[0x50, 0x4b, 3, 4], 0).is_none());
    }
}
