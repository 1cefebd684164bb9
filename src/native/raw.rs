//! The on-disk structure of an ELF shared object read by hand, for the files goblin rejects: the
//! ELF header, the program headers, the dynamic section (needed libraries, the dynamic string and
//! symbol tables, the hash tables that give the symbol count) and, when the program headers do not
//! lead there, the section headers (`SHT_DYNAMIC`, `SHT_DYNSYM`). 32- and 64-bit, both byte orders.
//!
//! Everything is read where it can be and skipped where it cannot: a table that runs past the end
//! of the file is read up to the end, an address that no segment maps is ignored, and a name that
//! is not UTF-8 is decoded lossily (its bad bytes become U+FFFD, so the name stays visible). Every
//! count is capped and every read is bounds-checked, so a crafted file costs time and memory in
//! proportion to the caps, never to what its headers claim. Nothing here says what a symbol means:
//! `super` sorts the symbols into imports and JNI exports.

/// Headers read at most (program headers and section headers each). The loader needs a handful.
const MAX_HEADERS: usize = 4096;
/// Dynamic entries read at most; real libraries have a few dozen.
const MAX_DYNAMIC_ENTRIES: usize = 65_536;
/// Bytes kept of one name: longer names are cut (at a character boundary, after decoding).
const MAX_NAME_LEN: usize = 4096;
/// Bytes kept of all names together, so symbols that all point into one long run of text cannot
/// multiply it.
const MAX_NAME_BYTES: usize = 32 * 1024 * 1024;
/// Hash buckets and chain links walked at most to find the symbol count.
const MAX_HASH_WALK: usize = 1 << 22;

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const SHT_DYNAMIC: u32 = 6;
const SHT_NOBITS: u32 = 8;
const SHT_DYNSYM: u32 = 11;
const DT_NULL: u64 = 0;
const DT_NEEDED: u64 = 1;
const DT_HASH: u64 = 4;
const DT_STRTAB: u64 = 5;
const DT_SYMTAB: u64 = 6;
const DT_STRSZ: u64 = 10;
const DT_GNU_HASH: u64 = 0x6fff_fef5;

/// Where the needed libraries or the symbols were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The dynamic section, found through the `PT_DYNAMIC` program header.
    DynamicSegment,
    /// The section headers (`SHT_DYNAMIC`, `SHT_DYNSYM` and the string tables they link to).
    SectionHeaders,
}

impl Origin {
    pub fn describe(self) -> &'static str {
        match self {
            Origin::DynamicSegment => "the dynamic section",
            Origin::SectionHeaders => "the section headers",
        }
    }
}

/// One dynamic symbol: its name and what tells an import from a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSymbol {
    pub name: String,
    /// `STB_LOCAL` (0), `STB_GLOBAL` (1), `STB_WEAK` (2), ...
    pub bind: u8,
    pub value: u64,
}

/// What could be read of an ELF's dynamic linking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DynamicLinking {
    pub is_64: bool,
    /// `e_machine`.
    pub machine: u16,
    /// `DT_NEEDED` names in file order.
    pub needed: Vec<String>,
    pub needed_from: Option<Origin>,
    /// The dynamic symbols in table order, without the unnamed ones.
    pub symbols: Vec<RawSymbol>,
    pub symbols_from: Option<Origin>,
    /// The symbol table held more than the caller's cap, or the names more than [`MAX_NAME_BYTES`].
    pub capped: bool,
}

/// Reads what can be read of `bytes`' dynamic linking, keeping at most `max_symbols` symbols.
/// `None` when not even the ELF header can be read (too short, or an unknown class).
pub fn read(bytes: &[u8], max_symbols: usize) -> Option<DynamicLinking> {
    let file = File::open(bytes)?;
    let header = file.header()?;
    let segments = file.segments(&header);
    let sections = file.sections(&header);
    let map = AddressMap {
        segments: &segments,
        sections: &sections,
    };
    let mut found = DynamicLinking {
        is_64: file.is_64,
        machine: header.machine,
        ..DynamicLinking::default()
    };
    let mut names = NameBudget::default();

    // The loader finds the dynamic section through PT_DYNAMIC; the section headers are a second
    // way there when the program headers are damaged.
    let from_segment = segments
        .iter()
        .find(|s| s.kind == PT_DYNAMIC)
        .and_then(|s| file.dynamic_info(s.offset, s.filesz))
        .filter(DynamicInfo::says_anything);
    let dynamic_section = sections.iter().find(|s| s.kind == SHT_DYNAMIC);
    let from_section = || {
        dynamic_section
            .and_then(|s| file.dynamic_info(s.offset, s.size))
            .filter(DynamicInfo::says_anything)
    };
    let (info, origin) = match from_segment {
        Some(info) => (Some(info), Origin::DynamicSegment),
        None => (from_section(), Origin::SectionHeaders),
    };
    // The string table a section-header path would use: the one SHT_DYNAMIC links to.
    let linked_strtab = dynamic_section
        .and_then(|s| sections.get(s.link as usize))
        .and_then(|s| file.clipped(s.offset, s.size));

    if let Some(info) = &info {
        let strtab = info
            .strtab
            .and_then(|address| map.file_offset(address))
            .and_then(|offset| file.clipped(offset, info.strsz.unwrap_or(u64::MAX)))
            .or(linked_strtab);
        if let Some(strtab) = strtab {
            found.needed = info
                .needed
                .iter()
                .filter_map(|&at| names.name_at(strtab, at))
                .collect();
            if !found.needed.is_empty() {
                found.needed_from = Some(origin);
            }
        }
        if let (Some(symtab), Some(strtab)) =
            (info.symtab.and_then(|a| map.file_offset(a)), strtab)
        {
            let count = file.symbol_count(info, symtab, &sections, &map);
            found.capped |= count > max_symbols;
            found.symbols = file.symbols(symtab, count.min(max_symbols), strtab, &mut names);
            if !found.symbols.is_empty() {
                found.symbols_from = Some(origin);
            }
        }
    }
    if found.symbols.is_empty() {
        // No symbol table through the dynamic section: the section headers' .dynsym.
        if let Some(dynsym) = sections.iter().find(|s| s.kind == SHT_DYNSYM) {
            let strtab = sections
                .get(dynsym.link as usize)
                .and_then(|s| file.clipped(s.offset, s.size));
            if let Some(strtab) = strtab {
                let count = usize::try_from(dynsym.size / file.symbol_size()).unwrap_or(usize::MAX);
                found.capped |= count > max_symbols;
                found.symbols =
                    file.symbols(dynsym.offset, count.min(max_symbols), strtab, &mut names);
                if !found.symbols.is_empty() {
                    found.symbols_from = Some(Origin::SectionHeaders);
                }
            }
        }
    }
    found.capped |= names.exhausted;
    Some(found)
}

/// A reader of one integer type in the file's byte order: `None` when it does not fit in the file.
macro_rules! read_integer {
    ($type:ident, $size:literal) => {
        fn $type(&self, at: u64) -> Option<$type> {
            let bytes: [u8; $size] = self.slice(at, $size)?.try_into().ok()?;
            Some(if self.big_endian {
                $type::from_be_bytes(bytes)
            } else {
                $type::from_le_bytes(bytes)
            })
        }
    };
}

/// The bytes of the file with its class and byte order.
struct File<'a> {
    bytes: &'a [u8],
    is_64: bool,
    big_endian: bool,
}

struct Header {
    machine: u16,
    phoff: u64,
    phnum: u16,
    shoff: u64,
    shnum: u16,
}

/// A program header: only what finding the dynamic section and mapping addresses needs.
struct Segment {
    kind: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
    memsz: u64,
}

struct Section {
    kind: u32,
    addr: u64,
    offset: u64,
    size: u64,
    link: u32,
}

/// What the dynamic section says, addresses not yet mapped to file offsets.
#[derive(Default)]
struct DynamicInfo {
    /// String table offsets of the `DT_NEEDED` names.
    needed: Vec<u64>,
    strtab: Option<u64>,
    strsz: Option<u64>,
    symtab: Option<u64>,
    hash: Option<u64>,
    gnu_hash: Option<u64>,
}

impl DynamicInfo {
    fn says_anything(&self) -> bool {
        !self.needed.is_empty() || self.symtab.is_some()
    }
}

impl<'a> File<'a> {
    fn open(bytes: &'a [u8]) -> Option<File<'a>> {
        let is_64 = match bytes.get(4)? {
            1 => false,
            2 => true,
            _ => return None,
        };
        // ELFDATA2MSB is 2; anything else is read the way every Android ABI is, little-endian.
        let big_endian = *bytes.get(5)? == 2;
        Some(File {
            bytes,
            is_64,
            big_endian,
        })
    }

    /// `len` bytes at `at`, or `None` when any of them is outside the file.
    fn slice(&self, at: u64, len: usize) -> Option<&'a [u8]> {
        let start = usize::try_from(at).ok()?;
        self.bytes.get(start..start.checked_add(len)?)
    }

    /// The bytes from `at`, at most `len` of them: a table that runs past the end of the file is
    /// read up to the end. `None` when `at` itself is outside.
    fn clipped(&self, at: u64, len: u64) -> Option<&'a [u8]> {
        let start = usize::try_from(at).ok()?;
        let rest = self.bytes.get(start..)?;
        let len = usize::try_from(len).unwrap_or(usize::MAX).min(rest.len());
        Some(&rest[..len])
    }

    fn u8(&self, at: u64) -> Option<u8> {
        self.slice(at, 1).map(|b| b[0])
    }

    read_integer!(u16, 2);
    read_integer!(u32, 4);
    read_integer!(u64, 8);

    /// An address-sized field: 4 bytes in a 32-bit file, 8 in a 64-bit one.
    fn word(&self, at: u64) -> Option<u64> {
        if self.is_64 {
            self.u64(at)
        } else {
            self.u32(at).map(u64::from)
        }
    }

    fn word_size(&self) -> u64 {
        if self.is_64 {
            8
        } else {
            4
        }
    }

    fn symbol_size(&self) -> u64 {
        if self.is_64 {
            24
        } else {
            16
        }
    }

    fn header(&self) -> Option<Header> {
        // The fields after e_machine sit 12 bytes further in a 64-bit header (three words grow).
        let (phoff, shoff, counts) = if self.is_64 {
            (self.u64(32)?, self.u64(40)?, 56)
        } else {
            (u64::from(self.u32(28)?), u64::from(self.u32(32)?), 44)
        };
        Some(Header {
            machine: self.u16(18)?,
            phoff,
            // Entry sizes (e_phentsize, e_shentsize) are not trusted: the loader only accepts the
            // standard ones, so the standard ones are used.
            phnum: self.u16(counts).unwrap_or(0),
            shoff,
            shnum: self.u16(counts + 4).unwrap_or(0),
        })
    }

    /// The first `count` entries (at most [`MAX_HEADERS`]) of `entry` bytes each of the table at
    /// `offset`, each read by `read` from its offset, up to the first that is not in the file.
    fn table<T>(
        &self,
        offset: u64,
        count: u16,
        entry: u64,
        read: impl Fn(u64) -> Option<T>,
    ) -> Vec<T> {
        (0..u64::from(count).min(MAX_HEADERS as u64))
            .map_while(|index| {
                let at = offset.checked_add(index.checked_mul(entry)?)?;
                // The whole entry must be addressable, so that `read` may add any field offset
                // below `entry` without overflowing.
                at.checked_add(entry)?;
                read(at)
            })
            .collect()
    }

    /// The program headers that are inside the file.
    fn segments(&self, header: &Header) -> Vec<Segment> {
        if self.is_64 {
            self.table(header.phoff, header.phnum, 56, |at| {
                Some(Segment {
                    kind: self.u32(at)?,
                    offset: self.u64(at + 8)?,
                    vaddr: self.u64(at + 16)?,
                    filesz: self.u64(at + 32)?,
                    memsz: self.u64(at + 40)?,
                })
            })
        } else {
            self.table(header.phoff, header.phnum, 32, |at| {
                Some(Segment {
                    kind: self.u32(at)?,
                    offset: u64::from(self.u32(at + 4)?),
                    vaddr: u64::from(self.u32(at + 8)?),
                    filesz: u64::from(self.u32(at + 16)?),
                    memsz: u64::from(self.u32(at + 20)?),
                })
            })
        }
    }

    /// The section headers that are inside the file.
    fn sections(&self, header: &Header) -> Vec<Section> {
        if self.is_64 {
            self.table(header.shoff, header.shnum, 64, |at| {
                Some(Section {
                    kind: self.u32(at + 4)?,
                    addr: self.u64(at + 16)?,
                    offset: self.u64(at + 24)?,
                    size: self.u64(at + 32)?,
                    link: self.u32(at + 40)?,
                })
            })
        } else {
            self.table(header.shoff, header.shnum, 40, |at| {
                Some(Section {
                    kind: self.u32(at + 4)?,
                    addr: u64::from(self.u32(at + 12)?),
                    offset: u64::from(self.u32(at + 16)?),
                    size: u64::from(self.u32(at + 20)?),
                    link: self.u32(at + 24)?,
                })
            })
        }
    }

    /// The dynamic entries at `offset` (up to `len` bytes, the end of the file, `DT_NULL` or
    /// [`MAX_DYNAMIC_ENTRIES`]), or `None` when `offset` is outside the file.
    fn dynamic_info(&self, offset: u64, len: u64) -> Option<DynamicInfo> {
        let table = self.clipped(offset, len)?;
        let entry = 2 * self.word_size();
        let count = (table.len() as u64 / entry).min(MAX_DYNAMIC_ENTRIES as u64);
        let mut info = DynamicInfo::default();
        for index in 0..count {
            let at = offset + index * entry;
            let (Some(tag), Some(value)) = (self.word(at), self.word(at + self.word_size())) else {
                break;
            };
            match tag {
                DT_NULL => break,
                DT_NEEDED => info.needed.push(value),
                DT_HASH => info.hash = Some(value),
                DT_STRTAB => info.strtab = Some(value),
                DT_SYMTAB => info.symtab = Some(value),
                DT_STRSZ => info.strsz = Some(value),
                DT_GNU_HASH => info.gnu_hash = Some(value),
                _ => {}
            }
        }
        Some(info)
    }

    /// How many symbols the table at file offset `symtab` holds: the `SHT_DYNSYM` section at the
    /// same offset when there is one (exact), else what `DT_GNU_HASH` or `DT_HASH` imply, else
    /// the gap up to the string table that usually follows it. Not capped here.
    fn symbol_count(
        &self,
        info: &DynamicInfo,
        symtab: u64,
        sections: &[Section],
        map: &AddressMap,
    ) -> usize {
        let entry = self.symbol_size();
        let from_section = sections
            .iter()
            .find(|s| s.kind == SHT_DYNSYM && s.offset == symtab)
            .map(|s| s.size / entry);
        let from_gnu_hash = || {
            info.gnu_hash
                .and_then(|a| map.file_offset(a))
                .and_then(|at| self.gnu_hash_count(at))
        };
        let from_hash = || {
            info.hash
                .and_then(|a| map.file_offset(a))
                .and_then(|at| self.u32(at.checked_add(4)?))
                .map(u64::from)
        };
        let from_gap = || {
            let strtab = map.file_offset(info.strtab?)?;
            Some(strtab.checked_sub(symtab)? / entry)
        };
        let count = from_section
            .or_else(from_gnu_hash)
            .or_else(from_hash)
            .or_else(from_gap)
            .unwrap_or(0);
        usize::try_from(count).unwrap_or(usize::MAX)
    }

    /// The symbol count a GNU hash table implies: one past the last symbol of the longest chain.
    /// Symbols below `symoffset` (the undefined ones, imports) are not hashed but still counted.
    fn gnu_hash_count(&self, at: u64) -> Option<u64> {
        let buckets = u64::from(self.u32(at)?);
        let symoffset = u64::from(self.u32(at.checked_add(4)?)?);
        let bloom_words = u64::from(self.u32(at.checked_add(8)?)?);
        let buckets_at = at
            .checked_add(16)?
            .checked_add(bloom_words.checked_mul(self.word_size())?)?;
        let mut last = 0u64;
        for bucket in 0..buckets.min(MAX_HASH_WALK as u64) {
            last = last.max(u64::from(self.u32(buckets_at + bucket * 4)?));
        }
        if last < symoffset {
            return Some(symoffset);
        }
        let chains_at = buckets_at.checked_add(buckets * 4)?;
        // The chain of the last bucket ends at the first hash with its low bit set.
        (last..last + MAX_HASH_WALK as u64).find_map(|index| {
            let at = (index - symoffset)
                .checked_mul(4)
                .and_then(|o| chains_at.checked_add(o));
            match at.and_then(|at| self.u32(at)) {
                Some(hash) if hash & 1 == 1 => Some(Some(index + 1)),
                Some(_) => None,
                // The chain runs past the end of the file: no count from this table.
                None => Some(None),
            }
        })?
    }

    /// At most `count` symbols of the table at `offset`, stopping at the end of the file; unnamed
    /// ones (the null symbol) are left out.
    fn symbols(
        &self,
        offset: u64,
        count: usize,
        strtab: &[u8],
        names: &mut NameBudget,
    ) -> Vec<RawSymbol> {
        let entry = self.symbol_size();
        let mut symbols = Vec::new();
        for index in 0..count as u64 {
            let Some(at) = index.checked_mul(entry).and_then(|o| offset.checked_add(o)) else {
                break;
            };
            let fields = if self.is_64 {
                (|| Some((self.u32(at)?, self.u8(at + 4)?, self.u64(at + 8)?)))()
            } else {
                (|| {
                    Some((
                        self.u32(at)?,
                        self.u8(at + 12)?,
                        u64::from(self.u32(at + 4)?),
                    ))
                })()
            };
            let Some((name_at, info, value)) = fields else {
                break;
            };
            if name_at == 0 {
                continue;
            }
            let Some(name) = names.name_at(strtab, u64::from(name_at)) else {
                if names.exhausted {
                    break;
                }
                continue;
            };
            symbols.push(RawSymbol {
                name,
                bind: info >> 4,
                value,
            });
        }
        symbols
    }
}

/// Virtual addresses to file offsets: through the `PT_LOAD` segments as the loader maps them,
/// else through the sections' addresses when the program headers are damaged.
struct AddressMap<'s> {
    segments: &'s [Segment],
    sections: &'s [Section],
}

impl AddressMap<'_> {
    fn file_offset(&self, address: u64) -> Option<u64> {
        let through_segment = self
            .segments
            .iter()
            .filter(|s| s.kind == PT_LOAD && address >= s.vaddr && address - s.vaddr < s.memsz)
            .find_map(|s| s.offset.checked_add(address - s.vaddr));
        through_segment.or_else(|| {
            self.sections
                .iter()
                .filter(|s| s.kind != SHT_NOBITS && s.addr != 0)
                .filter(|s| address >= s.addr && address - s.addr < s.size)
                .find_map(|s| s.offset.checked_add(address - s.addr))
        })
    }
}

/// Names read so far, against [`MAX_NAME_BYTES`].
#[derive(Default)]
struct NameBudget {
    used: usize,
    exhausted: bool,
}

impl NameBudget {
    /// The NUL-terminated name at `offset` of `strtab`, decoded lossily and cut at
    /// [`MAX_NAME_LEN`]; `None` when it is empty, outside the table, or over the budget.
    fn name_at(&mut self, strtab: &[u8], offset: u64) -> Option<String> {
        let start = usize::try_from(offset).ok()?;
        let rest = strtab.get(start..)?;
        // Looked for no further than the cap: many names into one long run without a NUL must
        // not each walk the whole run.
        let window = &rest[..rest.len().min(MAX_NAME_LEN)];
        let raw = window.split(|&b| b == 0).next().unwrap_or_default();
        if raw.is_empty() {
            return None;
        }
        if self.used + raw.len() > MAX_NAME_BYTES {
            self.exhausted = true;
            return None;
        }
        self.used += raw.len();
        Some(String::from_utf8_lossy(raw).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_decoded_lossily_and_cut() {
        let mut names = NameBudget::default();
        let table = b"\0libc\xff.so\0abc";
        assert_eq!(names.name_at(table, 1).as_deref(), Some("libc\u{fffd}.so"));
        // A name that runs to the end of the table without its NUL is read to the end.
        assert_eq!(names.name_at(table, 10).as_deref(), Some("abc"));
        assert_eq!(names.name_at(table, 0), None);
        assert_eq!(names.name_at(table, 13), None);
        assert_eq!(names.name_at(table, u64::MAX), None);
        let long = vec![b'a'; MAX_NAME_LEN * 2];
        assert_eq!(names.name_at(&long, 0).map(|n| n.len()), Some(MAX_NAME_LEN));
    }

    #[test]
    fn a_name_without_its_nul_is_not_searched_past_the_cap() {
        let run = vec![b'a'; 64 << 20];
        let started = std::time::Instant::now();
        let mut names = NameBudget::default();
        for _ in 0..2000 {
            assert_eq!(names.name_at(&run, 0).map(|n| n.len()), Some(MAX_NAME_LEN));
        }
        // Searching the whole run each time would read 128 GiB.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn the_name_budget_stops_amplification() {
        let mut names = NameBudget::default();
        let long = vec![b'a'; MAX_NAME_LEN];
        let mut read = 0;
        while names.name_at(&long, 0).is_some() {
            read += 1;
        }
        assert!(names.exhausted);
        assert_eq!(read, MAX_NAME_BYTES / MAX_NAME_LEN);
    }

    /// Writes the fields of a made-up ELF in one class and byte order.
    struct Writer {
        bytes: Vec<u8>,
        is_64: bool,
        big_endian: bool,
    }

    impl Writer {
        fn put(&mut self, at: usize, value: u64, size: usize) {
            let le = value.to_le_bytes();
            let be = value.to_be_bytes();
            let field = if self.big_endian {
                &be[8 - size..]
            } else {
                &le[..size]
            };
            if self.bytes.len() < at + size {
                self.bytes.resize(at + size, 0);
            }
            self.bytes[at..at + size].copy_from_slice(field);
        }

        fn word(&mut self, at: usize, value: u64) {
            self.put(at, value, if self.is_64 { 8 } else { 4 });
        }
    }

    const BASE: u64 = 0x10000;

    /// A minimal shared object: one PT_LOAD that maps the whole file at [`BASE`], a PT_DYNAMIC,
    /// a string table, three symbols (the null one, the import `getifaddrs`, the export
    /// `Java_a_B_c`), a DT_HASH table (unless `with_hash` is false) and no section headers.
    fn made_up_library(is_64: bool, big_endian: bool, with_hash: bool) -> Vec<u8> {
        let mut w = Writer {
            bytes: Vec::new(),
            is_64,
            big_endian,
        };
        let (header, phdr, sym, dyn_entry): (usize, usize, usize, usize) = if is_64 { (64, 56, 24, 16) } else { (52, 32, 16, 8) };
        let names = b"\0libz.so\0getifaddrs\0Java_a_B_c\0";
        // The usual order: symbols, their names, the hash table, the dynamic section.
        let symtab = (header + 2 * phdr).next_multiple_of(8);
        let strtab = symtab + 3 * sym;
        let hash = (strtab + names.len()).next_multiple_of(4);
        let dynamic = (hash + 4 * 6).next_multiple_of(8);
        let end = dynamic + 7 * dyn_entry;
        w.bytes.resize(end, 0);
        w.bytes[..4].copy_from_slice(b"\x7fELF");
        w.bytes[4] = if is_64 { 2 } else { 1 };
        w.bytes[5] = if big_endian { 2 } else { 1 };
        w.bytes[6] = 1;
        w.put(16, 3, 2); // ET_DYN
        w.put(18, 40, 2); // EM_ARM
        let (phoff_at, phnum_at) = if is_64 { (32, 56) } else { (28, 44) };
        w.word(phoff_at, header as u64);
        w.put(phnum_at, 2, 2);
        for (index, (kind, offset, size)) in [(PT_LOAD, 0, end), (PT_DYNAMIC, dynamic, end - dynamic)]
            .into_iter()
            .enumerate()
        {
            let at = header + index * phdr;
            w.put(at, u64::from(kind), 4);
            let (offset_at, vaddr_at, filesz_at, memsz_at) = if is_64 {
                (8, 16, 32, 40)
            } else {
                (4, 8, 16, 20)
            };
            w.word(at + offset_at, offset as u64);
            w.word(at + vaddr_at, BASE + offset as u64);
            w.word(at + filesz_at, size as u64);
            w.word(at + memsz_at, size as u64);
        }
        w.bytes[strtab..strtab + names.len()].copy_from_slice(names);
        for (index, (name, value)) in [(0, 0), (9, 0), (20, 0x1234)].into_iter().enumerate() {
            let at = symtab + index * sym;
            w.put(at, name, 4);
            let (info_at, value_at) = if is_64 { (4, 8) } else { (12, 4) };
            w.bytes[at + info_at] = if index == 0 { 0 } else { 0x12 }; // STB_GLOBAL, STT_FUNC
            w.word(at + value_at, value);
        }
        // DT_HASH: one bucket, three chain links.
        for (index, value) in [1, 3, 2, 0, 0, 1].into_iter().enumerate() {
            w.put(hash + 4 * index, value, 4);
        }
        let entries = [
            (DT_NEEDED, 1),
            (DT_STRTAB, BASE + strtab as u64),
            (DT_STRSZ, names.len() as u64),
            (DT_SYMTAB, BASE + symtab as u64),
            (11, sym as u64), // DT_SYMENT
            if with_hash {
                (DT_HASH, BASE + hash as u64)
            } else {
                (11, sym as u64)
            },
            (DT_NULL, 0),
        ];
        for (index, (tag, value)) in entries.into_iter().enumerate() {
            let at = dynamic + index * dyn_entry;
            w.word(at, tag);
            w.word(at + dyn_entry / 2, value);
        }
        w.bytes
    }

    #[test]
    fn both_classes_and_both_byte_orders_are_read() {
        for is_64 in [false, true] {
            for big_endian in [false, true] {
                let bytes = made_up_library(is_64, big_endian, true);
                let found = read(&bytes, 100).unwrap();
                let case = format!("64-bit {is_64}, big-endian {big_endian}");
                assert_eq!(found.is_64, is_64, "{case}");
                assert_eq!(found.machine, 40, "{case}");
                assert_eq!(found.needed, ["libz.so"], "{case}");
                assert_eq!(found.needed_from, Some(Origin::DynamicSegment), "{case}");
                let symbols: Vec<(&str, u8, u64)> = found
                    .symbols
                    .iter()
                    .map(|s| (s.name.as_str(), s.bind, s.value))
                    .collect();
                assert_eq!(
                    symbols,
                    [("getifaddrs", 1, 0), ("Java_a_B_c", 1, 0x1234)],
                    "{case}"
                );
                assert!(!found.capped, "{case}");
                // The cap on table entries (the null symbol is one) holds, and says so.
                let capped = read(&bytes, 2).unwrap();
                assert_eq!(capped.symbols.len(), 1, "{case}");
                assert!(capped.capped, "{case}");
                // Without a hash table, the count is the gap up to the string table.
                let without_hash = read(&made_up_library(is_64, big_endian, false), 100).unwrap();
                assert_eq!(without_hash.symbols, found.symbols, "{case}");
                // Every cut of the file reads without a panic.
                for len in 0..bytes.len() {
                    let _ = read(&bytes[..len], 100);
                }
            }
        }
    }

    #[test]
    fn headers_of_an_unknown_class_or_a_short_file_are_not_read() {
        assert_eq!(read(b"\x7fELF", 10), None);
        assert_eq!(read(b"\x7fELF\x03\x01\x01", 10), None);
        let mut short = vec![0u8; 40];
        short[..6].copy_from_slice(b"\x7fELF\x02\x01");
        assert_eq!(read(&short, 10), None);
    }
}
