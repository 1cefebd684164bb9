//! A zip writer for tests that need what the `zip` crate will not write: several central
//! directory names over one local record, and entries whose compressed stream is given as is
//! (made at test time to stand for far more bytes than exist). Shared by `tests/zip_overlap.rs`
//! and the CLI's hostile-input tests.
#![allow(dead_code)]

use std::io::Write;

const LFH: u32 = 0x0403_4b50;
const CDH: u32 = 0x0201_4b50;
const EOCD: u32 = 0x0605_4b50;

pub fn deflate(content: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(content).unwrap();
    encoder.finish().unwrap()
}

/// `bytes` as non-final deflate blocks ending on a byte boundary (a full flush), so that other
/// blocks can follow them.
pub fn deflate_flushed(bytes: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut out = Vec::with_capacity(bytes.len() + 1024);
    Compress::new(Compression::best(), false)
        .compress_vec(bytes, &mut out, FlushCompress::Full)
        .unwrap();
    out
}

/// The local file header of an entry, for data written after it by the caller.
pub fn local_header(
    name: &str,
    method: u16,
    crc: u32,
    compressed: u32,
    uncompressed: u32,
) -> Vec<u8> {
    Record {
        name: name.to_owned(),
        method,
        crc,
        compressed,
        uncompressed,
        offset: 0,
    }
    .local_header()
}

/// A raw deflate stream of `chunk` repeated `copies` times, made by compressing it once: a full
/// flush resets the dictionary, so every copy compresses to the same bytes and the compressed
/// block can be repeated; an empty final block ends the stream.
pub fn repeated_deflate(chunk: &[u8], copies: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut block = Vec::with_capacity(chunk.len() / 8 + 1024);
    let mut encoder = Compress::new(Compression::best(), false);
    while (encoder.total_in() as usize) < chunk.len() || block.is_empty() {
        block.reserve(64 << 10);
        let at = encoder.total_in() as usize;
        encoder
            .compress_vec(&chunk[at..], &mut block, FlushCompress::Full)
            .unwrap();
    }
    let mut end = Vec::with_capacity(16);
    Compress::new(Compression::best(), false)
        .compress_vec(&[], &mut end, FlushCompress::Finish)
        .unwrap();
    let mut stream = Vec::with_capacity(block.len() * copies + end.len());
    for _ in 0..copies {
        stream.extend_from_slice(&block);
    }
    stream.extend_from_slice(&end);
    stream
}

pub fn u16le(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}
pub fn u32le(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// What one central directory record says.
#[derive(Clone)]
pub struct Record {
    pub name: String,
    pub method: u16,
    pub crc: u32,
    pub compressed: u32,
    pub uncompressed: u32,
    /// Where its local header is.
    pub offset: u32,
}

impl Record {
    pub fn local_header(&self) -> Vec<u8> {
        let mut out = Vec::new();
        u32le(&mut out, LFH);
        u16le(&mut out, 20);
        u16le(&mut out, 0);
        u16le(&mut out, self.method);
        u16le(&mut out, 0);
        u16le(&mut out, 0);
        u32le(&mut out, self.crc);
        u32le(&mut out, self.compressed);
        u32le(&mut out, self.uncompressed);
        u16le(&mut out, self.name.len() as u16);
        u16le(&mut out, 0);
        out.extend_from_slice(self.name.as_bytes());
        out
    }
}

/// Local records written one after another, then central directory records for any of them.
#[derive(Default)]
pub struct Builder {
    pub body: Vec<u8>,
    pub records: Vec<Record>,
}

impl Builder {
    /// Writes a local record for `name` holding `data` (already compressed with `method`) and
    /// lists it in the central directory.
    pub fn add(&mut self, name: &str, method: u16, content: &[u8], data: &[u8]) -> Record {
        self.add_stream(
            name,
            method,
            crc32fast::hash(content),
            content.len() as u32,
            data,
        )
    }

    /// Writes a local record for `name` whose `data` (compressed with `method`) stands for
    /// `uncompressed` bytes with checksum `crc`, without those bytes existing.
    pub fn add_stream(
        &mut self,
        name: &str,
        method: u16,
        crc: u32,
        uncompressed: u32,
        data: &[u8],
    ) -> Record {
        let record = Record {
            name: name.to_owned(),
            method,
            crc,
            compressed: data.len() as u32,
            uncompressed,
            offset: self.body.len() as u32,
        };
        self.body.extend_from_slice(&record.local_header());
        self.body.extend_from_slice(data);
        self.records.push(record.clone());
        record
    }

    pub fn deflated(&mut self, name: &str, content: &[u8]) -> Record {
        self.add(name, 8, content, &deflate(content))
    }

    /// One more central directory name for an existing local record.
    pub fn alias(&mut self, record: &Record, name: &str) {
        self.records.push(Record {
            name: name.to_owned(),
            ..record.clone()
        });
    }

    pub fn finish(mut self) -> Vec<u8> {
        let cd_start = self.body.len();
        for record in &self.records {
            let out = &mut self.body;
            u32le(out, CDH);
            u16le(out, 0x0314);
            u16le(out, 20);
            u16le(out, 0);
            u16le(out, record.method);
            u16le(out, 0);
            u16le(out, 0);
            u32le(out, record.crc);
            u32le(out, record.compressed);
            u32le(out, record.uncompressed);
            u16le(out, record.name.len() as u16);
            u16le(out, 0);
            u16le(out, 0);
            u16le(out, 0);
            u16le(out, 0);
            u32le(out, 0);
            u32le(out, record.offset);
            out.extend_from_slice(record.name.as_bytes());
        }
        let cd_size = self.body.len() - cd_start;
        let count = self.records.len() as u16;
        let out = &mut self.body;
        u32le(out, EOCD);
        u16le(out, 0);
        u16le(out, 0);
        u16le(out, count);
        u16le(out, count);
        u32le(out, cd_size as u32);
        u32le(out, cd_start as u32);
        u16le(out, 0);
        self.body
    }
}
