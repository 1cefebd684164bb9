//! The resource table (`resources.arsc`): global string pool, packages with their type and key
//! pools, type chunks with entries in every encoding aapt and aapt2 write (dense 32-bit offsets,
//! 16-bit offsets, sparse, compact entries, map entries), and reference resolution.
//!
//! Modelled on `frameworks/base/libs/androidfw/LoadedArsc.cpp` (`LoadedArsc::LoadTable`,
//! `LoadedPackage::Load`, `VerifyResTableType`, `VerifyResTableEntry`). Everything is read once
//! into maps keyed by resource id; counts are capped and anything Android would reject is recorded
//! and skipped instead of failing the table.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::anomaly::Anomaly;

use super::ArscError;
use super::limits::{MAX_REFERENCE_DEPTH, Recorder};
use super::raw::{self, ChunkHeader, RawValue, read_u8, read_u16, read_u32};
use super::string_pool::{StringPool, string_budget_for};
use super::value::Value;

/// Most entries (resource ids) one table may hold.
pub const MAX_TABLE_ENTRIES: usize = 1 << 21;
/// Most map items (over all complex entries) one table may hold.
pub const MAX_MAP_ITEMS: usize = 1 << 21;
/// Most packages read from one table.
pub const MAX_PACKAGES: usize = 256;

/// The value of one entry in one configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum EntryValue {
    /// A simple entry: one `Res_value`.
    Simple(Value),
    /// A map entry (style, array, plurals, attr ...): parent and `(name id, value)` items.
    Map {
        parent: u32,
        items: Vec<(u32, Value)>,
    },
}

/// One entry as found in a type chunk.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceEntry {
    /// Index into the package's key string pool.
    pub key: u32,
    pub value: EntryValue,
}

/// The entry kept for one resource id: the one of the default configuration (all-zero config,
/// `values/`) when there is one, otherwise the first one in file order. Only that one is kept,
/// so memory grows with the number of ids, not with ids times configurations.
#[derive(Debug, Clone)]
struct ChosenEntry {
    from_default: bool,
    entry: ResourceEntry,
}

#[derive(Debug, Clone, Default)]
struct Package {
    id: u8,
    name: String,
    type_strings: StringPool,
    key_strings: StringPool,
    type_id_offset: u32,
    /// `type id << 16 | entry index` → the chosen entry.
    entries: BTreeMap<u32, ChosenEntry>,
}

/// A resource value after following references, with the ids followed.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedValue {
    pub value: Value,
    /// Every id looked up, starting with the one asked for.
    pub chain: Vec<u32>,
}

/// Why a resource id did not resolve to a simple value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("resource 0x{0:08x} is not in the table")]
    Missing(u32),
    #[error("resource 0x{0:08x} is a map (style, array, plurals...), not a simple value")]
    Complex(u32),
    #[error("references starting at 0x{0:08x} go deeper than the limit (a loop?)")]
    TooDeep(u32),
}

/// A parsed `resources.arsc`.
#[derive(Debug, Clone, Default)]
pub struct ResourceTable {
    pub location: String,
    pub strings: StringPool,
    packages: Vec<Package>,
    /// What had to be tolerated, sorted.
    pub anomalies: Vec<Anomaly>,
}

impl ResourceTable {
    /// Parses a resource table. Fails only when the bytes cannot even hold the table header.
    pub fn parse(bytes: &[u8], location: &str) -> Result<ResourceTable, ArscError> {
        let Some(file) = ChunkHeader::read(bytes, 0) else {
            return Err(ArscError::TooShort(bytes.len()));
        };
        if bytes.len() < raw::TABLE_HEADER_SIZE {
            return Err(ArscError::TooShort(bytes.len()));
        }
        let mut parser = TableParser {
            location,
            rec: Recorder::default(),
            budget: string_budget_for(bytes.len()),
            entry_total: 0,
            map_total: 0,
        };
        if file.chunk_type != raw::RES_TABLE_TYPE {
            parser.rec.record(
                "arsc.wrong_file_type",
                parser.at(0),
                format!(
                    "first chunk type is 0x{:04x}, not RES_TABLE_TYPE (0x0002); read anyway",
                    file.chunk_type
                ),
            );
        }
        let declared_packages = read_u32(bytes, 8).unwrap_or(0) as usize;
        let mut table = ResourceTable {
            location: location.to_owned(),
            ..ResourceTable::default()
        };
        let mut seen_packages = 0usize;
        let mut end = file.size as usize;
        if end > bytes.len() || end < raw::TABLE_HEADER_SIZE {
            parser.rec.record(
                "arsc.chunk_size_clamped",
                parser.at(0),
                format!("table size {end} does not match the {} bytes present (Android refuses this); clamped", bytes.len()),
            );
            end = bytes.len();
        }
        let start = usize::from(file.header_size).clamp(raw::TABLE_HEADER_SIZE, end);
        for (pos, header, chunk) in parser.children_at(&bytes[..end], start, 0) {
            match header.chunk_type {
                raw::RES_STRING_POOL_TYPE if table.strings.is_empty() => {
                    let mut anomalies = Vec::new();
                    table.strings = StringPool::parse(chunk, "arsc", &parser.at(pos), &mut anomalies, &mut parser.budget);
                    parser.rec.extend(anomalies);
                }
                raw::RES_TABLE_PACKAGE_TYPE => {
                    seen_packages += 1;
                    if seen_packages == declared_packages + 1 {
                        // LoadedArsc::LoadTable fails the whole table here; we keep reading.
                        parser.rec.record(
                            "arsc.package_count",
                            parser.at(pos),
                            format!("more package chunks than the {declared_packages} declared (Android refuses this)"),
                        );
                    }
                    if table.packages.len() >= MAX_PACKAGES {
                        parser.rec.record("arsc.limit_reached", parser.at(pos), format!("more than {MAX_PACKAGES} packages; the rest skipped"));
                        break;
                    }
                    if let Some(package) = parser.package(chunk, pos) {
                        table.packages.push(package);
                    }
                }
                other => parser.rec.record(
                    "arsc.unknown_chunk",
                    parser.at(pos),
                    format!("chunk type 0x{other:04x} skipped at table level (LoadedArsc::LoadTable skips it)"),
                ),
            }
        }
        if seen_packages == 0 {
            parser.rec.record(
                "arsc.no_package",
                location,
                "the table holds no package chunk",
            );
        }
        resolve_strings(&mut table);
        table.anomalies = parser.rec.finish(location);
        Ok(table)
    }

    /// The packages' ids and names.
    pub fn packages(&self) -> impl Iterator<Item = (u8, &str)> {
        self.packages.iter().map(|p| (p.id, p.name.as_str()))
    }

    /// Whether the table holds the package with this id (`0x7f` for apps, `0x01` for android).
    pub fn has_package(&self, package_id: u8) -> bool {
        self.packages.iter().any(|p| p.id == package_id)
    }

    fn package(&self, id: u32) -> Option<&Package> {
        let package_id = (id >> 24) as u8;
        self.packages.iter().find(|p| p.id == package_id)
    }

    /// The entry for `id`: from the default configuration when it has one, otherwise from the
    /// first configuration (in file order) that does.
    pub fn entry(&self, id: u32) -> Option<&ResourceEntry> {
        let package = self.package(id)?;
        package
            .entries
            .get(&(id & 0x00ff_ffff))
            .map(|chosen| &chosen.entry)
    }

    /// `type/key` (for instance `string/app_name`) for an id in this table.
    pub fn name_of(&self, id: u32) -> Option<String> {
        let package = self.package(id)?;
        let type_id = (id >> 16) & 0xff;
        let type_index = type_id
            .checked_sub(1)?
            .checked_sub(package.type_id_offset)?;
        let type_name = package.type_strings.get(type_index)?;
        let entry = self.entry(id)?;
        let key = package.key_strings.get(entry.key)?;
        Some(format!("{type_name}/{key}"))
    }

    /// Follows references from `id` to a simple value, at most [`MAX_REFERENCE_DEPTH`] deep. A
    /// reference leaving this table (to `android:` resources) is returned as the reference.
    pub fn resolve(&self, id: u32) -> Result<ResolvedValue, ResolveError> {
        let mut chain = Vec::new();
        let mut current = id;
        loop {
            if chain.len() >= MAX_REFERENCE_DEPTH {
                return Err(ResolveError::TooDeep(id));
            }
            chain.push(current);
            let Some(entry) = self.entry(current) else {
                if chain.len() > 1 && self.package(current).is_none() {
                    return Ok(ResolvedValue {
                        value: Value::Reference(current),
                        chain,
                    });
                }
                return Err(ResolveError::Missing(current));
            };
            match &entry.value {
                EntryValue::Map { .. } => return Err(ResolveError::Complex(current)),
                EntryValue::Simple(value) => match value.reference() {
                    Some(next) if next != 0 => current = next,
                    _ => {
                        return Ok(ResolvedValue {
                            value: value.clone(),
                            chain,
                        });
                    }
                },
            }
        }
    }

    /// Number of resource ids with an entry.
    pub fn entry_count(&self) -> usize {
        self.packages.iter().map(|p| p.entries.len()).sum()
    }
}

struct TableParser<'a> {
    location: &'a str,
    rec: Recorder,
    budget: usize,
    entry_total: usize,
    map_total: usize,
}

impl TableParser<'_> {
    fn at(&self, offset: usize) -> String {
        format!("{}@0x{offset:x}", self.location)
    }

    /// The child chunks of `data` from `start`, clamped as in the AXML reader: a chunk that runs
    /// past the end is shortened (anomaly), one whose header cannot be stepped over ends the walk.
    /// Positions are reported relative to the file: `base` is where `data` starts.
    fn children_at<'d>(
        &mut self,
        data: &'d [u8],
        start: usize,
        base: usize,
    ) -> Vec<(usize, ChunkHeader, &'d [u8])> {
        let mut out = Vec::new();
        let mut pos = start;
        while pos < data.len() {
            let Some(header) = ChunkHeader::read(data, pos) else {
                self.rec.record(
                    "arsc.trailing_data",
                    self.at(base + pos),
                    format!("{} bytes too short for a chunk ignored", data.len() - pos),
                );
                break;
            };
            let header_size = usize::from(header.header_size);
            let mut size = header.size as usize;
            if header_size < raw::CHUNK_HEADER_SIZE || size < header_size {
                self.rec.record(
                    "arsc.chunk_header_invalid",
                    self.at(base + pos),
                    format!("chunk type 0x{:04x} header size {header_size}, size {size}; reading of this level stops", header.chunk_type),
                );
                break;
            }
            if size > data.len() - pos {
                self.rec.record(
                    "arsc.chunk_size_clamped",
                    self.at(base + pos),
                    format!("chunk type 0x{:04x} size {size} runs past its parent (Android refuses this); clamped", header.chunk_type),
                );
                size = data.len() - pos;
            }
            out.push((base + pos, header, &data[pos..pos + size]));
            pos += size;
        }
        out
    }

    fn package(&mut self, chunk: &[u8], pos: usize) -> Option<Package> {
        let header_size = usize::from(read_u16(chunk, 2)?);
        if header_size < raw::TABLE_PACKAGE_MIN_HEADER_SIZE
            || chunk.len() < raw::TABLE_PACKAGE_MIN_HEADER_SIZE
        {
            self.rec.record(
                "arsc.package_header",
                self.at(pos),
                format!("package header size {header_size} is below {} (LoadedPackage::Load refuses it); package skipped", raw::TABLE_PACKAGE_MIN_HEADER_SIZE),
            );
            return None;
        }
        let id = read_u32(chunk, 8)?;
        let name_units: Vec<u16> = (0..128)
            .map_while(|i| read_u16(chunk, 12 + 2 * i))
            .take_while(|&u| u != 0)
            .collect();
        let type_strings_offset = read_u32(chunk, 268)? as usize;
        let key_strings_offset = read_u32(chunk, 276)? as usize;
        let type_id_offset = if header_size >= 288 {
            read_u32(chunk, 284).unwrap_or(0)
        } else {
            0
        };
        if id > 0xff {
            self.rec.record(
                "arsc.package_id",
                self.at(pos),
                format!("package id 0x{id:x} does not fit a byte; truncated"),
            );
        }
        let mut package = Package {
            id: id as u8,
            name: String::from_utf16_lossy(&name_units),
            type_id_offset,
            ..Package::default()
        };
        let children = self.children_at(chunk, header_size.min(chunk.len()), pos);
        for (child_pos, header, child) in children {
            let relative = child_pos - pos;
            match header.chunk_type {
                raw::RES_STRING_POOL_TYPE => {
                    let mut anomalies = Vec::new();
                    let location = self.at(child_pos);
                    let pool = StringPool::parse(child, "arsc", &location, &mut anomalies, &mut self.budget);
                    self.rec.extend(anomalies);
                    // LoadedPackage::Load tells the pools apart by the offsets in the header.
                    if relative == type_strings_offset {
                        package.type_strings = pool;
                    } else if relative == key_strings_offset {
                        package.key_strings = pool;
                    } else {
                        self.rec.record(
                            "arsc.unexpected_string_pool",
                            location,
                            "string pool at neither the type-strings nor the key-strings offset; ignored as LoadedPackage::Load does",
                        );
                    }
                }
                raw::RES_TABLE_TYPE_TYPE => self.type_chunk(child, child_pos, &mut package),
                raw::RES_TABLE_TYPE_SPEC_TYPE
                | raw::RES_TABLE_LIBRARY_TYPE
                | raw::RES_TABLE_OVERLAYABLE_TYPE
                | raw::RES_TABLE_STAGED_ALIAS_TYPE => {}
                other => self.rec.record(
                    "arsc.unknown_chunk",
                    self.at(child_pos),
                    format!("chunk type 0x{other:04x} skipped inside a package (LoadedPackage::Load skips it)"),
                ),
            }
        }
        Some(package)
    }

    fn type_chunk(&mut self, chunk: &[u8], pos: usize, package: &mut Package) {
        let header_size = usize::from(read_u16(chunk, 2).unwrap_or(0));
        let (Some(type_id), Some(flags), Some(entry_count), Some(entries_start)) = (
            read_u8(chunk, 8),
            read_u8(chunk, 9),
            read_u32(chunk, 12),
            read_u32(chunk, 16),
        ) else {
            self.rec.record(
                "arsc.type_header",
                self.at(pos),
                "type chunk shorter than its fixed header; skipped",
            );
            return;
        };
        // VerifyResTableType: id 0 is invalid, and the entry offsets must lie between the header
        // and entriesStart.
        if type_id == 0 || header_size < raw::TABLE_TYPE_FIXED_SIZE + 4 || header_size > chunk.len()
        {
            self.rec.record(
                "arsc.type_header",
                self.at(pos),
                format!("type chunk with id {type_id} and header size {header_size} is invalid (LoadedArsc refuses it); skipped"),
            );
            return;
        }
        let config = &chunk[raw::TABLE_TYPE_FIXED_SIZE..header_size];
        let config_size = (read_u32(config, 0).unwrap_or(0) as usize).clamp(4, config.len().max(4));
        let is_default = config
            .get(4..config_size.min(config.len()))
            .is_none_or(|rest| rest.iter().all(|&b| b == 0));
        let sparse = flags & raw::TABLE_TYPE_FLAG_SPARSE != 0;
        let offset16 = flags & raw::TABLE_TYPE_FLAG_OFFSET16 != 0;
        let slot_size = if offset16 { 2 } else { 4 };
        let entries_start = entries_start as usize;
        let slots_fit = entries_start.min(chunk.len()).saturating_sub(header_size) / slot_size;
        let mut count = entry_count as usize;
        if count > slots_fit || count > 0x1_0000 {
            self.rec.record(
                "arsc.entry_count_clamped",
                self.at(pos),
                format!("type {type_id} declares {count} entries but only {} offsets fit (Android refuses this); clamped", slots_fit.min(0x1_0000)),
            );
            count = slots_fit.min(0x1_0000);
        }
        let mut bad_entries = 0usize;
        for slot in 0..count {
            let at = header_size + slot * slot_size;
            let (index, offset) = if sparse {
                // ResTable_sparseTypeEntry: 16-bit index, 16-bit offset in units of 4 bytes.
                match (read_u16(chunk, at), read_u16(chunk, at + 2)) {
                    (Some(index), Some(offset)) => (index, usize::from(offset) * 4),
                    _ => break,
                }
            } else if offset16 {
                match read_u16(chunk, at) {
                    Some(0xffff) | None => continue,
                    Some(offset) => (slot as u16, usize::from(offset) * 4),
                }
            } else {
                match read_u32(chunk, at) {
                    Some(raw::NO_ENTRY) | None => continue,
                    Some(offset) => (slot as u16, offset as usize),
                }
            };
            // Resource ids carry the chunk's type id plus the package's typeIdOffset
            // (LoadedPackage keeps type specs at `id - type_id_offset`).
            let id_type = u32::from(type_id).wrapping_add(package.type_id_offset) & 0xff;
            let key = (id_type << 16) | u32::from(index);
            // Default configuration first, else first in file order: skip what would not win.
            match package.entries.get(&key) {
                Some(existing) if existing.from_default || !is_default => continue,
                _ => {}
            }
            if self.entry_total >= MAX_TABLE_ENTRIES {
                self.rec.record(
                    "arsc.limit_reached",
                    self.at(pos),
                    format!("more than {MAX_TABLE_ENTRIES} entries; the rest skipped"),
                );
                break;
            }
            match self.entry(chunk, entries_start.saturating_add(offset)) {
                Some(entry) => {
                    let chosen = ChosenEntry {
                        from_default: is_default,
                        entry,
                    };
                    if package.entries.insert(key, chosen).is_none() {
                        self.entry_total += 1;
                    }
                }
                None => bad_entries += 1,
            }
        }
        if bad_entries > 0 {
            self.rec.record(
                "arsc.entry_invalid",
                self.at(pos),
                format!("{bad_entries} entries of type {type_id} lie outside the chunk or are malformed (VerifyResTableEntry refuses them); skipped"),
            );
        }
    }

    /// Reads the `ResTable_entry` at `at` (relative to the type chunk).
    fn entry(&mut self, chunk: &[u8], at: usize) -> Option<ResourceEntry> {
        if !at.is_multiple_of(4) {
            return None;
        }
        let size = usize::from(read_u16(chunk, at)?);
        let flags = read_u16(chunk, at + 2)?;
        if flags & raw::ENTRY_FLAG_COMPACT != 0 {
            // Compact entry: the key index sits in the size field and the type in the high byte
            // of flags (aapt2 --enable-compact-entries).
            let data = read_u32(chunk, at + 4)?;
            let raw = RawValue {
                data_type: (flags >> 8) as u8,
                data,
            };
            return Some(ResourceEntry {
                key: size as u32,
                value: EntryValue::Simple(self.pending_value(raw)),
            });
        }
        let key = read_u32(chunk, at + 4)?;
        if size < raw::TABLE_ENTRY_SIZE {
            return None;
        }
        if flags & raw::ENTRY_FLAG_COMPLEX != 0 {
            if size < raw::TABLE_MAP_ENTRY_SIZE {
                return None;
            }
            let parent = read_u32(chunk, at + 8)?;
            let declared = read_u32(chunk, at + 12)? as usize;
            let items_start = at.checked_add(size)?;
            let fitting = chunk.len().saturating_sub(items_start) / raw::TABLE_MAP_SIZE;
            let count = declared
                .min(fitting)
                .min(MAX_MAP_ITEMS.saturating_sub(self.map_total));
            if count < declared {
                self.rec.record(
                    "arsc.map_clamped",
                    self.at(at),
                    format!("map entry declares {declared} items, {count} read"),
                );
            }
            self.map_total += count;
            let mut items = Vec::with_capacity(count);
            for i in 0..count {
                let item = items_start + i * raw::TABLE_MAP_SIZE;
                let name = read_u32(chunk, item)?;
                let raw = RawValue::read(chunk, item + 4)?;
                items.push((name, self.pending_value(raw)));
            }
            return Some(ResourceEntry {
                key,
                value: EntryValue::Map { parent, items },
            });
        }
        let raw = RawValue::read(chunk, at.checked_add(size)?)?;
        Some(ResourceEntry {
            key,
            value: EntryValue::Simple(self.pending_value(raw)),
        })
    }

    /// Values in type chunks index the global pool, which is known only to the table; they are
    /// kept as raw string indexes here and resolved in [`resolve_strings`].
    fn pending_value(&self, raw: RawValue) -> Value {
        if raw.data_type == raw::TYPE_STRING {
            return Value::Raw {
                data_type: raw::TYPE_STRING,
                data: raw.data,
            };
        }
        Value::decode(raw, |_| None)
    }
}

/// Replaces pending string indexes with the global pool's strings.
fn resolve_strings(table: &mut ResourceTable) {
    let ResourceTable {
        strings, packages, ..
    } = table;
    let fix = |value: &mut Value| {
        if let Value::Raw {
            data_type: raw::TYPE_STRING,
            data,
        } = *value
            && let Some(text) = strings.get(data)
        {
            *value = Value::String(Arc::clone(text));
        }
    };
    for package in packages {
        for chosen in package.entries.values_mut() {
            match &mut chosen.entry.value {
                EntryValue::Simple(value) => fix(value),
                EntryValue::Map { items, .. } => items.iter_mut().for_each(|(_, v)| fix(v)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::axml::string_pool::test_support::build_pool;

    fn chunk(chunk_type: u16, header: &[u8], body: &[u8]) -> Vec<u8> {
        let header_size = 8 + header.len();
        let mut out = Vec::new();
        out.extend_from_slice(&chunk_type.to_le_bytes());
        out.extend_from_slice(&(header_size as u16).to_le_bytes());
        out.extend_from_slice(&((header_size + body.len()) as u32).to_le_bytes());
        out.extend_from_slice(header);
        out.extend_from_slice(body);
        out
    }

    fn simple_entry(key: u32, data_type: u8, data: u32) -> Vec<u8> {
        let mut e = Vec::new();
        e.extend_from_slice(&8u16.to_le_bytes());
        e.extend_from_slice(&0u16.to_le_bytes());
        e.extend_from_slice(&key.to_le_bytes());
        e.extend_from_slice(&[8, 0, 0, data_type]);
        e.extend_from_slice(&data.to_le_bytes());
        e
    }

    /// A type chunk; `entries` are `(index, entry bytes)`; `flags` selects the offset encoding.
    fn type_chunk(
        type_id: u8,
        flags: u8,
        config_language: Option<&[u8; 2]>,
        entries: &[(u16, Vec<u8>)],
    ) -> Vec<u8> {
        let mut config = vec![0u8; 64];
        config[0..4].copy_from_slice(&64u32.to_le_bytes());
        if let Some(lang) = config_language {
            config[8..10].copy_from_slice(lang);
        }
        let sparse = flags & raw::TABLE_TYPE_FLAG_SPARSE != 0;
        let offset16 = flags & raw::TABLE_TYPE_FLAG_OFFSET16 != 0;
        let count = if sparse {
            entries.len()
        } else {
            entries
                .iter()
                .map(|(i, _)| *i as usize + 1)
                .max()
                .unwrap_or(0)
        };
        let mut offsets = Vec::new();
        let mut data = Vec::new();
        let mut slots: Vec<Option<usize>> = vec![None; count];
        for (index, bytes) in entries {
            let at = data.len();
            data.extend_from_slice(bytes);
            if sparse {
                offsets.extend_from_slice(&index.to_le_bytes());
                offsets.extend_from_slice(&((at / 4) as u16).to_le_bytes());
            } else {
                slots[*index as usize] = Some(at);
            }
        }
        if !sparse {
            for slot in slots {
                match (slot, offset16) {
                    (Some(at), true) => offsets.extend_from_slice(&((at / 4) as u16).to_le_bytes()),
                    (None, true) => offsets.extend_from_slice(&0xffffu16.to_le_bytes()),
                    (Some(at), false) => offsets.extend_from_slice(&(at as u32).to_le_bytes()),
                    (None, false) => offsets.extend_from_slice(&raw::NO_ENTRY.to_le_bytes()),
                }
            }
        }
        while offsets.len() % 4 != 0 {
            offsets.push(0);
        }
        let header_size = 20 + config.len();
        let mut header = vec![type_id, flags, 0, 0];
        header.extend_from_slice(&(count as u32).to_le_bytes());
        header.extend_from_slice(&((header_size + offsets.len()) as u32).to_le_bytes());
        header.extend_from_slice(&config);
        let mut body = offsets;
        body.extend_from_slice(&data);
        chunk(raw::RES_TABLE_TYPE_TYPE, &header, &body)
    }

    fn package(types: &[&str], keys: &[&str], chunks: &[Vec<u8>]) -> Vec<u8> {
        let type_pool = build_pool(types, false);
        let key_pool = build_pool(keys, true);
        let header_size = 288;
        let mut header = Vec::new();
        header.extend_from_slice(&0x7fu32.to_le_bytes());
        let mut name = [0u8; 256];
        for (i, u) in "com.t".encode_utf16().enumerate() {
            name[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
        header.extend_from_slice(&name);
        header.extend_from_slice(&(header_size as u32).to_le_bytes());
        header.extend_from_slice(&(types.len() as u32).to_le_bytes());
        header.extend_from_slice(&((header_size + type_pool.len()) as u32).to_le_bytes());
        header.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        let mut body = type_pool;
        body.extend_from_slice(&key_pool);
        chunks.iter().for_each(|c| body.extend_from_slice(c));
        chunk(raw::RES_TABLE_PACKAGE_TYPE, &header, &body)
    }

    fn table(strings: &[&str], package: Vec<u8>) -> Vec<u8> {
        let mut body = build_pool(strings, true);
        body.extend_from_slice(&package);
        chunk(raw::RES_TABLE_TYPE, &1u32.to_le_bytes(), &body)
    }

    fn sample() -> ResourceTable {
        let strings = ["hello", "bonjour", "only-fr"];
        let keys = [
            "greeting",
            "fr_only",
            "alias",
            "self_loop",
            "style",
            "flag",
            "count",
        ];
        let map_entry = {
            let mut e = Vec::new();
            e.extend_from_slice(&16u16.to_le_bytes());
            e.extend_from_slice(&raw::ENTRY_FLAG_COMPLEX.to_le_bytes());
            e.extend_from_slice(&4u32.to_le_bytes());
            e.extend_from_slice(&0u32.to_le_bytes());
            e.extend_from_slice(&1u32.to_le_bytes());
            e.extend_from_slice(&0x0101_0000u32.to_le_bytes());
            e.extend_from_slice(&[8, 0, 0, raw::TYPE_INT_DEC]);
            e.extend_from_slice(&5u32.to_le_bytes());
            e
        };
        let compact = {
            // key 6 in the size field, TYPE_INT_DEC in the high byte of flags, data 12.
            let mut e = Vec::new();
            e.extend_from_slice(&6u16.to_le_bytes());
            e.extend_from_slice(
                &(raw::ENTRY_FLAG_COMPACT | (u16::from(raw::TYPE_INT_DEC) << 8)).to_le_bytes(),
            );
            e.extend_from_slice(&12u32.to_le_bytes());
            e
        };
        let chunks = vec![
            // A French configuration first in file order, then the default one.
            type_chunk(
                1,
                0,
                Some(b"fr"),
                &[
                    (0, simple_entry(0, raw::TYPE_STRING, 1)),
                    (1, simple_entry(1, raw::TYPE_STRING, 2)),
                ],
            ),
            type_chunk(
                1,
                0,
                None,
                &[
                    (0, simple_entry(0, raw::TYPE_STRING, 0)),
                    (2, simple_entry(2, raw::TYPE_REFERENCE, 0x7f01_0000)),
                    (3, simple_entry(3, raw::TYPE_REFERENCE, 0x7f01_0003)),
                ],
            ),
            type_chunk(2, raw::TABLE_TYPE_FLAG_SPARSE, None, &[(4, map_entry)]),
            type_chunk(
                3,
                raw::TABLE_TYPE_FLAG_OFFSET16,
                None,
                &[(1, simple_entry(5, raw::TYPE_INT_BOOLEAN, 1))],
            ),
            type_chunk(4, 0, None, &[(0, compact)]),
        ];
        let bytes = table(
            &strings,
            package(&["string", "style", "bool", "integer"], &keys, &chunks),
        );
        ResourceTable::parse(&bytes, "resources.arsc").unwrap()
    }

    #[test]
    fn default_configuration_wins_over_file_order() {
        let t = sample();
        assert!(t.anomalies.is_empty(), "{:?}", t.anomalies);
        assert_eq!(
            t.resolve(0x7f01_0000).unwrap().value,
            Value::String(Arc::from("hello"))
        );
        assert_eq!(t.name_of(0x7f01_0000).as_deref(), Some("string/greeting"));
    }

    #[test]
    fn falls_back_to_the_first_configuration_with_the_entry() {
        assert_eq!(
            sample().resolve(0x7f01_0001).unwrap().value,
            Value::String(Arc::from("only-fr"))
        );
    }

    #[test]
    fn references_are_followed_and_loops_bounded() {
        let t = sample();
        let resolved = t.resolve(0x7f01_0002).unwrap();
        assert_eq!(resolved.value, Value::String(Arc::from("hello")));
        assert_eq!(resolved.chain, vec![0x7f01_0002, 0x7f01_0000]);
        assert_eq!(
            t.resolve(0x7f01_0003),
            Err(ResolveError::TooDeep(0x7f01_0003))
        );
        assert_eq!(
            t.resolve(0x7f01_0009),
            Err(ResolveError::Missing(0x7f01_0009))
        );
        assert_eq!(
            t.resolve(0x7f09_0000),
            Err(ResolveError::Missing(0x7f09_0000))
        );
    }

    #[test]
    fn sparse_offset16_compact_and_map_entries() {
        let t = sample();
        assert_eq!(
            t.resolve(0x7f02_0004),
            Err(ResolveError::Complex(0x7f02_0004))
        );
        match &t.entry(0x7f02_0004).unwrap().value {
            EntryValue::Map { items, .. } => {
                assert_eq!(items, &vec![(0x0101_0000, Value::IntDec(5))])
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(t.name_of(0x7f02_0004).as_deref(), Some("style/style"));
        assert_eq!(t.resolve(0x7f03_0001).unwrap().value, Value::Bool(true));
        assert_eq!(t.name_of(0x7f03_0001).as_deref(), Some("bool/flag"));
        assert_eq!(t.entry(0x7f03_0000), None);
        assert_eq!(t.resolve(0x7f04_0000).unwrap().value, Value::IntDec(12));
        assert_eq!(t.name_of(0x7f04_0000).as_deref(), Some("integer/count"));
        assert_eq!(t.packages().collect::<Vec<_>>(), vec![(0x7f, "com.t")]);
    }

    #[test]
    fn too_short_table_is_an_error() {
        assert!(ResourceTable::parse(&[2, 0, 12], "r").is_err());
    }
}
