//! The string pool (`ResStringPool`) shared by binary XML and `resources.arsc`: UTF-8 and UTF-16
//! strings with both length encodings, decoded once, within a byte budget.
//!
//! Android (`ResourceTypes.cpp` `ResStringPool::setTo`) refuses a pool whose offset table or
//! string area runs past the chunk; dossier clamps instead and records why, so that a tampered pool
//! still yields every string that can be read. Styles are not decoded.

use std::sync::Arc;

use crate::anomaly::Anomaly;

use super::raw::{STRING_POOL_HEADER_SIZE, STRING_POOL_UTF8_FLAG, read_u8, read_u16, read_u32};

/// Most strings one pool may hold; real manifests have hundreds, real tables some hundred thousand.
pub const MAX_STRINGS: usize = 1 << 21;

/// How many decoded bytes all the pools of one file may produce together. Offsets of many
/// entries may point at the same huge string; the budget keeps that from multiplying memory.
pub const DEFAULT_STRING_BUDGET: usize = 64 << 20;

/// The decoding budget of one file of `file_len` bytes: [`DEFAULT_STRING_BUDGET`], or four times
/// the file (plus 64 KiB) when that is less. A pool whose strings are each stored once decodes to
/// at most 1.5 times its bytes (UTF-16 to UTF-8), and aapt stores each string once; only offsets
/// that overlap (thousands of strings starting inside one long run) decode to more, and that is
/// an attack on the reader, not an app's text.
pub fn string_budget_for(file_len: usize) -> usize {
    file_len
        .saturating_mul(4)
        .saturating_add(64 << 10)
        .min(DEFAULT_STRING_BUDGET)
}

/// A decoded string pool. Index `i` is `None` when string `i` could not be read.
#[derive(Debug, Clone, Default)]
pub struct StringPool {
    strings: Vec<Option<Arc<str>>>,
    utf8: bool,
}

/// Counts of per-string problems, reported once per pool instead of once per string.
#[derive(Default)]
struct Problems {
    out_of_bounds: usize,
    first_out_of_bounds: Option<usize>,
    bad_encoding: usize,
    first_bad_encoding: Option<usize>,
    over_budget: usize,
}

impl StringPool {
    /// Decodes the pool in `chunk` (the whole chunk, header included, already clamped to the file).
    /// `prefix` is the anomaly family (`axml` or `arsc`); `budget` is decremented by the bytes
    /// decoded and strings beyond it are left unreadable.
    pub fn parse(
        chunk: &[u8],
        prefix: &str,
        location: &str,
        anomalies: &mut Vec<Anomaly>,
        budget: &mut usize,
    ) -> StringPool {
        let code = |what: &str| format!("{prefix}.{what}");
        let header_size = read_u16(chunk, 2).map_or(0, usize::from);
        let (Some(count), Some(flags), Some(strings_start)) =
            (read_u32(chunk, 8), read_u32(chunk, 16), read_u32(chunk, 20))
        else {
            anomalies.push(Anomaly::new(
                &code("string_pool_header"),
                location,
                format!(
                    "string pool of {} bytes is shorter than its header; no strings read",
                    chunk.len()
                ),
            ));
            return StringPool::default();
        };
        let style_count = read_u32(chunk, 12).unwrap_or(0);
        let styles_start = read_u32(chunk, 24).unwrap_or(0);
        let utf8 = flags & STRING_POOL_UTF8_FLAG != 0;
        // A header size smaller than the struct would overlap the fields just read; Android
        // rejects it in validate_chunk. The offset table then starts after the fixed header.
        let entries_start = if header_size < STRING_POOL_HEADER_SIZE || header_size > chunk.len() {
            anomalies.push(Anomaly::new(
                &code("string_pool_header"),
                location,
                format!("string pool header size {header_size} is invalid; using {STRING_POOL_HEADER_SIZE}"),
            ));
            STRING_POOL_HEADER_SIZE.min(chunk.len())
        } else {
            header_size
        };
        let fitting = (chunk.len() - entries_start) / 4;
        let mut count = count as usize;
        if count > fitting || count > MAX_STRINGS {
            let kept = fitting.min(MAX_STRINGS);
            anomalies.push(Anomaly::new(
                &code("string_count_clamped"),
                location,
                format!("string pool declares {count} strings but its offset table holds {kept}; read {kept}"),
            ));
            count = kept;
        }
        if count == 0 {
            return StringPool {
                strings: Vec::new(),
                utf8,
            };
        }
        // The string area ends where styles begin (when there are any and they follow the strings,
        // as ResStringPool::setTo requires), otherwise at the end of the chunk.
        let strings_start = strings_start as usize;
        let mut area_end = chunk.len();
        if style_count > 0
            && (styles_start as usize) > strings_start
            && (styles_start as usize) < area_end
        {
            area_end = styles_start as usize;
        }
        if strings_start >= area_end {
            anomalies.push(Anomaly::new(
                &code("strings_start_invalid"),
                location,
                format!("string data starts at {strings_start}, past the pool end {area_end}; {count} strings unreadable"),
            ));
            return StringPool {
                strings: vec![None; count],
                utf8,
            };
        }
        let area = &chunk[strings_start..area_end];
        // `count` offsets fit after `entries_start` (clamped above).
        let offsets = &chunk[entries_start..entries_start + 4 * count];
        let first_at_offset = first_at_same_offset(offsets);
        let mut problems = Problems::default();
        let mut strings: Vec<Option<Arc<str>>> = Vec::with_capacity(count);
        for index in 0..count {
            let offset = read_u32(offsets, index * 4).unwrap_or(u32::MAX) as usize;
            // Offsets shared by several entries are decoded once and the text shared, so that
            // many entries pointing at one long string cost neither time nor memory. One that
            // could not be read is tried again, as the first was.
            let earlier = first_at_offset.as_ref().map_or(index, |first| first[index] as usize);
            if let Some(Some(shared)) = strings.get(earlier) {
                let shared = Arc::clone(shared);
                strings.push(Some(shared));
                continue;
            }
            let decoded = if utf8 {
                decode_utf8(area, offset, *budget)
            } else {
                decode_utf16(area, offset, *budget)
            };
            let decoded = match decoded {
                None => {
                    problems.out_of_bounds += 1;
                    problems.first_out_of_bounds.get_or_insert(index);
                    None
                }
                Some(Err(OverBudget)) => {
                    problems.over_budget += 1;
                    None
                }
                Some(Ok((text, clean))) => {
                    if !clean {
                        problems.bad_encoding += 1;
                        problems.first_bad_encoding.get_or_insert(index);
                    }
                    if text.len() > *budget {
                        problems.over_budget += 1;
                        None
                    } else {
                        *budget -= text.len();
                        Some(Arc::<str>::from(text))
                    }
                }
            };
            strings.push(decoded);
        }
        if let Some(first) = problems.first_out_of_bounds {
            anomalies.push(Anomaly::new(
                &code("string_out_of_bounds"),
                location,
                format!(
                    "{} of {count} strings (first #{first}) start or end past the string data; they read as absent",
                    problems.out_of_bounds
                ),
            ));
        }
        if let Some(first) = problems.first_bad_encoding {
            anomalies.push(Anomaly::new(
                &code("string_bad_encoding"),
                location,
                format!(
                    "{} strings (first #{first}) are not valid {}; invalid units replaced by U+FFFD",
                    problems.bad_encoding,
                    if utf8 { "UTF-8" } else { "UTF-16" }
                ),
            ));
        }
        if problems.over_budget > 0 {
            anomalies.push(Anomaly::new(
                &code("string_budget_exhausted"),
                location,
                format!(
                    "{} strings left unread: the file's decoded strings exceed the byte budget",
                    problems.over_budget
                ),
            ));
        }
        StringPool { strings, utf8 }
    }

    /// String `index`, or `None` when out of range or unreadable (Android's `stringAt` returns NULL).
    pub fn get(&self, index: u32) -> Option<&Arc<str>> {
        self.strings.get(index as usize)?.as_ref()
    }

    /// Number of entries in the offset table (after clamping).
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// Whether the pool declared `UTF8_FLAG`.
    pub fn is_utf8(&self) -> bool {
        self.utf8
    }
}

/// For each entry of a pool's offset table (`u32` little-endian offsets), the first entry with the
/// same offset: itself when no earlier entry has it. `None` when every offset is greater than
/// the one before, as aapt and aapt2 write them (each string stored once, in order): then no
/// entry shares and nothing is allocated. Otherwise one sorted list of 8 bytes per entry, and 4
/// bytes per entry kept while the pool is decoded: a hash map of the offsets cost about 50 bytes
/// per entry at its peak, 6 MiB on the 128,000 strings of Android's framework resource table.
fn first_at_same_offset(offsets: &[u8]) -> Option<Vec<u32>> {
    let offset_at = |index: usize| read_u32(offsets, index * 4).unwrap_or(u32::MAX);
    let count = offsets.len() / 4;
    if (1..count).all(|index| offset_at(index - 1) < offset_at(index)) {
        return None;
    }
    let mut by_offset: Vec<(u32, u32)> = (0..count).map(|index| (offset_at(index), index as u32)).collect();
    by_offset.sort_unstable();
    let mut first: Vec<u32> = (0..count as u32).collect();
    for same in by_offset.chunk_by(|a, b| a.0 == b.0) {
        let earliest = same[0].1;
        for &(_, index) in &same[1..] {
            first[index as usize] = earliest;
        }
    }
    Some(first)
}

/// A string longer than what is left of the byte budget; not decoded.
struct OverBudget;

/// What decoding one string gives: `None` when it lies outside the string data.
type Decoded = Option<Result<(String, bool), OverBudget>>;

/// Decodes the UTF-16 string at byte `offset` of `area`: a length of one `u16`, or two when the
/// high bit is set (`decodeLength` in ResourceTypes.cpp), then that many code units.
/// Returns the text and whether it was valid UTF-16; strings longer than `limit` bytes of
/// output are not decoded.
fn decode_utf16(area: &[u8], offset: usize, limit: usize) -> Decoded {
    let first = read_u16(area, offset)? as usize;
    let (units, data_start) = if first & 0x8000 != 0 {
        let second = read_u16(area, offset + 2)? as usize;
        (((first & 0x7fff) << 16) | second, offset + 4)
    } else {
        (first, offset + 2)
    };
    let data_end = data_start.checked_add(units.checked_mul(2)?)?;
    let data = area.get(data_start..data_end)?;
    if units > limit {
        return Some(Err(OverBudget));
    }
    let code_units = data
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
    let mut clean = true;
    let text = char::decode_utf16(code_units)
        .map(|unit| {
            unit.unwrap_or_else(|_| {
                clean = false;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    Some(Ok((text, clean)))
}

/// Decodes the UTF-8 string at `offset`: the length in UTF-16 units, then the length in bytes
/// (each one byte, or two when the high bit is set), then the bytes.
fn decode_utf8(area: &[u8], offset: usize, limit: usize) -> Decoded {
    let skip_utf16_length = if read_u8(area, offset)? & 0x80 != 0 {
        2
    } else {
        1
    };
    let at = offset + skip_utf16_length;
    let first = read_u8(area, at)? as usize;
    let (bytes, data_start) = if first & 0x80 != 0 {
        let second = read_u8(area, at + 1)? as usize;
        (((first & 0x7f) << 8) | second, at + 2)
    } else {
        (first, at + 1)
    };
    let data = area.get(data_start..data_start.checked_add(bytes)?)?;
    if bytes > limit {
        return Some(Err(OverBudget));
    }
    match std::str::from_utf8(data) {
        Ok(text) => Some(Ok((text.to_owned(), true))),
        Err(_) => Some(Ok((String::from_utf8_lossy(data).into_owned(), false))),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::STRING_POOL_UTF8_FLAG;

    /// Builds a pool chunk from strings, UTF-16 or UTF-8, with correct sizes.
    pub(crate) fn build_pool(strings: &[&str], utf8: bool) -> Vec<u8> {
        let mut data = Vec::new();
        let mut offsets = Vec::new();
        for s in strings {
            offsets.push(data.len() as u32);
            if utf8 {
                let units = s.encode_utf16().count();
                assert!(units < 0x80 && s.len() < 0x80);
                data.push(units as u8);
                data.push(s.len() as u8);
                data.extend_from_slice(s.as_bytes());
                data.push(0);
            } else {
                let units: Vec<u16> = s.encode_utf16().collect();
                data.extend_from_slice(&(units.len() as u16).to_le_bytes());
                for u in units {
                    data.extend_from_slice(&u.to_le_bytes());
                }
                data.extend_from_slice(&[0, 0]);
            }
        }
        while data.len() % 4 != 0 {
            data.push(0);
        }
        let strings_start = 28 + 4 * strings.len();
        let size = strings_start + data.len();
        let mut chunk = Vec::new();
        chunk.extend_from_slice(&1u16.to_le_bytes());
        chunk.extend_from_slice(&28u16.to_le_bytes());
        chunk.extend_from_slice(&(size as u32).to_le_bytes());
        chunk.extend_from_slice(&(strings.len() as u32).to_le_bytes());
        chunk.extend_from_slice(&0u32.to_le_bytes());
        chunk.extend_from_slice(&(if utf8 { STRING_POOL_UTF8_FLAG } else { 0 }).to_le_bytes());
        chunk.extend_from_slice(&(strings_start as u32).to_le_bytes());
        chunk.extend_from_slice(&0u32.to_le_bytes());
        for o in offsets {
            chunk.extend_from_slice(&o.to_le_bytes());
        }
        chunk.extend_from_slice(&data);
        chunk
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::build_pool;
    use super::*;

    fn parse(chunk: &[u8]) -> (StringPool, Vec<Anomaly>) {
        let mut anomalies = Vec::new();
        let mut budget = DEFAULT_STRING_BUDGET;
        let pool = StringPool::parse(chunk, "axml", "test", &mut anomalies, &mut budget);
        (pool, anomalies)
    }

    #[test]
    fn reads_utf16_and_utf8_pools() {
        for utf8 in [false, true] {
            let (pool, anomalies) = parse(&build_pool(&["manifest", "", "ünï"], utf8));
            assert!(anomalies.is_empty(), "{anomalies:?}");
            assert_eq!(pool.len(), 3);
            assert_eq!(pool.get(0).map(|s| &**s), Some("manifest"));
            assert_eq!(pool.get(1).map(|s| &**s), Some(""));
            assert_eq!(pool.get(2).map(|s| &**s), Some("ünï"));
            assert_eq!(pool.get(3), None);
            assert_eq!(pool.is_utf8(), utf8);
        }
    }

    #[test]
    fn two_unit_utf16_length_is_decoded() {
        let area = [0x00, 0x80, 0x02, 0x00, b'o', 0, b'k', 0];
        assert!(matches!(decode_utf16(&area, 0, 100), Some(Ok((text, true))) if text == "ok"));
        assert!(matches!(decode_utf16(&area, 0, 1), Some(Err(OverBudget))));
    }

    #[test]
    fn huge_string_count_is_clamped_to_the_offset_table() {
        let mut chunk = build_pool(&["a", "b"], false);
        chunk[8..12].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
        let (pool, anomalies) = parse(&chunk);
        assert!(
            anomalies
                .iter()
                .any(|a| a.code == "axml.string_count_clamped")
        );
        assert!(pool.len() < 16);
        assert_eq!(pool.get(0).map(|s| &**s), Some("a"));
    }

    #[test]
    fn offsets_past_the_end_read_as_absent() {
        let mut chunk = build_pool(&["a", "b"], true);
        chunk[32..36].copy_from_slice(&0x0100_0000u32.to_le_bytes());
        let (pool, anomalies) = parse(&chunk);
        assert_eq!(pool.get(0).map(|s| &**s), Some("a"));
        assert_eq!(pool.get(1), None);
        assert!(
            anomalies
                .iter()
                .any(|a| a.code == "axml.string_out_of_bounds")
        );
    }

    #[test]
    fn strings_start_past_the_end_is_recorded() {
        let mut chunk = build_pool(&["a"], false);
        chunk[20..24].copy_from_slice(&0xffffu32.to_le_bytes());
        let (pool, anomalies) = parse(&chunk);
        assert_eq!(pool.len(), 1);
        assert_eq!(pool.get(0), None);
        assert!(
            anomalies
                .iter()
                .any(|a| a.code == "axml.strings_start_invalid")
        );
    }

    #[test]
    fn invalid_utf8_is_replaced_and_recorded() {
        let mut chunk = build_pool(&["ab"], true);
        let at = 34; // header 28 + one offset 4, then the two length bytes: the 'a'
        chunk[at] = 0xff;
        let (pool, anomalies) = parse(&chunk);
        assert_eq!(pool.get(0).map(|s| &**s), Some("\u{fffd}b"));
        assert!(
            anomalies
                .iter()
                .any(|a| a.code == "axml.string_bad_encoding")
        );
    }

    #[test]
    fn shared_offsets_are_decoded_once() {
        // 1000 entries all pointing at one string: decoded once, budget charged once.
        let mut chunk = build_pool(&["abcdef"], false);
        let data = chunk.split_off(32);
        chunk[8..12].copy_from_slice(&1000u32.to_le_bytes());
        let strings_start = 28 + 4 * 1000;
        chunk[20..24].copy_from_slice(&(strings_start as u32).to_le_bytes());
        chunk.extend(std::iter::repeat_n(0u8, 4 * 999));
        chunk.extend_from_slice(&data);
        let size = chunk.len() as u32;
        chunk[4..8].copy_from_slice(&size.to_le_bytes());
        let mut anomalies = Vec::new();
        let mut budget = 10;
        let pool = StringPool::parse(&chunk, "axml", "t", &mut anomalies, &mut budget);
        assert!(anomalies.is_empty(), "{anomalies:?}");
        assert_eq!(pool.len(), 1000);
        assert_eq!(pool.get(999).map(|s| &**s), Some("abcdef"));
        assert_eq!(budget, 4);
    }

    fn offset_table(offsets: &[u32]) -> Vec<u8> {
        offsets.iter().flat_map(|o| o.to_le_bytes()).collect()
    }

    #[test]
    fn increasing_offsets_need_no_table_of_firsts() {
        assert_eq!(first_at_same_offset(&offset_table(&[])), None);
        assert_eq!(first_at_same_offset(&offset_table(&[8])), None);
        assert_eq!(first_at_same_offset(&offset_table(&[0, 4, 12, 40])), None);
    }

    #[test]
    fn repeated_offsets_point_at_their_first_entry() {
        // Out of order and repeated: entries 2 and 4 repeat entry 0's offset, 3 repeats 1's.
        let first = first_at_same_offset(&offset_table(&[16, 4, 16, 4, 16, 0]));
        assert_eq!(first, Some(vec![0, 1, 0, 1, 0, 5]));
        // Decreasing without repeats: each entry is its own first.
        let first = first_at_same_offset(&offset_table(&[8, 4, 0]));
        assert_eq!(first, Some(vec![0, 1, 2]));
    }

    #[test]
    fn a_repeated_unreadable_offset_is_tried_again_and_counted() {
        // Entries 0 and 2 point past the data, 1 and 3 at "b": the repeats of an unreadable
        // string stay unreadable, those of a readable one share its text.
        let mut chunk = build_pool(&["a", "b", "c", "d"], true);
        let past = 0x0100_0000u32.to_le_bytes();
        let b_offset: [u8; 4] = chunk[32..36].try_into().unwrap();
        chunk[28..32].copy_from_slice(&past);
        chunk[36..40].copy_from_slice(&past);
        chunk[40..44].copy_from_slice(&b_offset);
        let (pool, anomalies) = parse(&chunk);
        assert_eq!(pool.get(0), None);
        assert_eq!(pool.get(2), None);
        assert_eq!(pool.get(1).map(|s| &**s), Some("b"));
        assert!(Arc::ptr_eq(pool.get(1).unwrap(), pool.get(3).unwrap()));
        let out_of_bounds: Vec<_> = anomalies
            .iter()
            .filter(|a| a.code == "axml.string_out_of_bounds")
            .collect();
        assert_eq!(out_of_bounds.len(), 1);
        assert!(out_of_bounds[0].detail.starts_with("2 of 4 strings (first #0)"), "{out_of_bounds:?}");
    }

    #[test]
    fn budget_limits_decoded_bytes() {
        let chunk = build_pool(&["abcdef", "gh"], false);
        let mut anomalies = Vec::new();
        let mut budget = 7;
        let pool = StringPool::parse(&chunk, "axml", "t", &mut anomalies, &mut budget);
        assert_eq!(pool.get(0).map(|s| &**s), Some("abcdef"));
        assert_eq!(pool.get(1), None);
        assert!(
            anomalies
                .iter()
                .any(|a| a.code == "axml.string_budget_exhausted")
        );
    }
}
