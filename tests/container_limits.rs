//! Limits: zip bombs, entry and budget caps, entry counts and input size give typed errors fast,
//! without allocating what the archive claims; small compressible entries are never refused.
//! Also checks interoperability with archives written by the `zip` crate.

use std::io::Write;
use std::time::{Duration, Instant};

use dossier::container::{Archive, ContainerError, Limits, LoadedInput};
use flate2::{Compress, Compression, FlushCompress};

/// A raw deflate stream of `mib` MiB of zeros, built without compressing them all: once the
/// window is full of zeros, every sync-flushed MiB compresses to the same bytes, so we repeat
/// that block.
fn zero_bomb(mib: usize) -> Vec<u8> {
    let zeros = vec![0u8; 1 << 20];
    let mut encoder = Compress::new(Compression::best(), false);
    let mut chunk = |flush: FlushCompress| {
        let mut out = Vec::with_capacity(64 * 1024);
        let input: &[u8] = if matches!(flush, FlushCompress::Finish) {
            &[]
        } else {
            &zeros
        };
        let before = encoder.total_in();
        encoder.compress_vec(input, &mut out, flush).unwrap();
        assert_eq!(encoder.total_in() - before, input.len() as u64);
        out
    };
    let first = chunk(FlushCompress::Sync);
    let second = chunk(FlushCompress::Sync);
    let third = chunk(FlushCompress::Sync);
    assert_eq!(second, third, "steady-state block must repeat");
    let mut stream = first;
    for _ in 1..mib {
        stream.extend_from_slice(&second);
    }
    stream.extend(chunk(FlushCompress::Finish));
    stream
}

/// A one-entry archive holding `payload` as written, declaring `uncompressed` bytes.
fn single_entry_zip(
    name: &str,
    method: u16,
    payload: &[u8],
    uncompressed: u32,
    crc: u32,
) -> Vec<u8> {
    let mut out = Vec::new();
    let field16 = |out: &mut Vec<u8>, v: u16| out.extend_from_slice(&v.to_le_bytes());
    let field32 = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    field32(&mut out, 0x0403_4b50);
    for value in [20, 0, method, 0, 0] {
        field16(&mut out, value);
    }
    field32(&mut out, crc);
    field32(&mut out, payload.len() as u32);
    field32(&mut out, uncompressed);
    field16(&mut out, name.len() as u16);
    field16(&mut out, 0);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(payload);
    let cd_start = out.len();
    field32(&mut out, 0x0201_4b50);
    for value in [20, 20, 0, method, 0, 0] {
        field16(&mut out, value);
    }
    field32(&mut out, crc);
    field32(&mut out, payload.len() as u32);
    field32(&mut out, uncompressed);
    for value in [name.len() as u16, 0, 0, 0, 0] {
        field16(&mut out, value);
    }
    field32(&mut out, 0);
    field32(&mut out, 0);
    out.extend_from_slice(name.as_bytes());
    let cd_size = out.len() - cd_start;
    field32(&mut out, 0x0605_4b50);
    for value in [0, 0, 1, 1] {
        field16(&mut out, value);
    }
    field32(&mut out, cd_size as u32);
    field32(&mut out, cd_start as u32);
    field16(&mut out, 0);
    out
}

fn bomb_archive() -> Archive {
    let stream = zero_bomb(2048);
    let bytes = single_entry_zip("classes.dex", 8, &stream, 0x8000_0000, 0);
    Archive::parse(bytes, "bomb.apk", &Limits::default()).unwrap()
}

fn read_with(archive_bytes: Vec<u8>, limits: Limits) -> Result<Vec<u8>, ContainerError> {
    let archive = Archive::parse(archive_bytes, "bomb.apk", &limits).unwrap();
    let entry = archive.entries()[0].clone();
    archive.read(&entry).map(dossier::memory::Held::into_inner)
}

#[test]
fn two_gib_zero_bomb_hits_the_ratio_cap_quickly() {
    let archive = bomb_archive();
    let started = Instant::now();
    let error = archive.read(&archive.entries()[0]).unwrap_err();
    assert!(
        matches!(error, ContainerError::RatioExceeded { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("bomb.apk!classes.dex"));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(archive.inflated_so_far() < 8 << 20, "stopped early");
}

#[test]
fn zero_bomb_hits_the_entry_size_cap_when_ratio_is_allowed() {
    let bytes = single_entry_zip("classes.dex", 8, &zero_bomb(2048), 0x8000_0000, 0);
    let limits = Limits {
        max_ratio: u64::MAX,
        max_entry_size: 24 << 20,
        ..Limits::default()
    };
    let error = read_with(bytes, limits).unwrap_err();
    assert!(
        matches!(error, ContainerError::EntryTooLarge { limit, .. } if limit == 24 << 20),
        "{error}"
    );
}

#[test]
fn zero_bomb_hits_the_total_budget() {
    let bytes = single_entry_zip("classes.dex", 8, &zero_bomb(2048), 0x8000_0000, 0);
    let limits = Limits {
        max_ratio: u64::MAX,
        max_total_inflated: 16 << 20,
        ..Limits::default()
    };
    let error = read_with(bytes, limits).unwrap_err();
    assert!(
        matches!(error, ContainerError::TotalInflatedExceeded { .. }),
        "{error}"
    );
}

#[test]
fn small_highly_compressible_entry_is_not_refused_by_the_ratio_cap() {
    let zeros = vec![0u8; 900 * 1024];
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&zeros).unwrap();
    let packed = encoder.finish().unwrap();
    let bytes = single_entry_zip(
        "res/raw/blank.bin",
        8,
        &packed,
        zeros.len() as u32,
        crc32fast::hash(&zeros),
    );
    assert_eq!(read_with(bytes, Limits::default()).unwrap(), zeros);
}

#[test]
fn lying_declared_size_does_not_drive_allocation() {
    let content = b"tiny";
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(content).unwrap();
    let packed = encoder.finish().unwrap();
    let bytes = single_entry_zip("a.bin", 8, &packed, u32::MAX - 1, crc32fast::hash(content));
    let archive = Archive::parse(bytes, "liar.apk", &Limits::default()).unwrap();
    assert_eq!(archive.read(&archive.entries()[0]).unwrap(), content);
    assert!(
        archive
            .anomalies()
            .iter()
            .any(|a| a.code == "zip.uncompressed_size_mismatch")
    );
}

#[test]
fn stored_entry_claiming_more_than_the_file_is_out_of_bounds() {
    let bytes = single_entry_zip("a.bin", 0, b"abc", 0x7fff_ffff, 0);
    let error = read_with(bytes, Limits::default()).unwrap_err();
    assert!(
        matches!(error, ContainerError::EntryOutOfBounds { .. }),
        "{error}"
    );
}

fn written_by_zip_crate(count: usize) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for index in 0..count {
        let options = if index % 2 == 0 { deflated } else { stored };
        writer
            .start_file(format!("assets/file{index}.txt"), options)
            .unwrap();
        writer
            .write_all(format!("content of file {index} ").repeat(50).as_bytes())
            .unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn archives_written_by_the_zip_crate_read_back_identically() {
    let archive = Archive::parse(written_by_zip_crate(10), "z.zip", &Limits::default()).unwrap();
    assert_eq!(archive.entries().len(), 10);
    for (index, entry) in archive.entries().iter().enumerate() {
        assert_eq!(entry.name, format!("assets/file{index}.txt"));
        let expected = format!("content of file {index} ").repeat(50);
        assert_eq!(archive.read(entry).unwrap(), expected.as_bytes());
    }
    assert!(archive.anomalies().is_empty(), "{:?}", archive.anomalies());
}

#[test]
fn entry_count_cap_is_a_typed_error() {
    let limits = Limits {
        max_entries: 5,
        ..Limits::default()
    };
    let error = Archive::parse(written_by_zip_crate(10), "z.zip", &limits).unwrap_err();
    assert!(
        matches!(error, ContainerError::TooManyEntries { limit: 5, .. }),
        "{error}"
    );
}

#[test]
fn an_input_refused_for_its_entry_count_is_named_in_the_error() {
    let limits = Limits {
        max_entries: 5,
        ..Limits::default()
    };
    let error = dossier::Scanner::new(dossier::RuleSet::empty(), limits)
        .open_bytes(written_by_zip_crate(10), "crawl/big.apk")
        .unwrap_err();
    assert!(
        error.to_string().starts_with("crawl/big.apk: more than 5"),
        "{error}"
    );
}

#[test]
fn input_size_cap_is_a_typed_error() {
    let limits = Limits {
        max_input_size: 100,
        ..Limits::default()
    };
    let error = LoadedInput::from_bytes(written_by_zip_crate(3), "z.apk", &limits).unwrap_err();
    assert!(
        matches!(error, ContainerError::InputTooLarge { limit: 100, .. }),
        "{error}"
    );
}
