//! The bytes the zip directory parser reads ([`Image`]): a whole input in memory, or an input
//! file of which only the regions the parser asks for are read.
//!
//! Parsing a directory needs the end of the file (the end records and the central directory),
//! the first bytes and one local header per entry: on an APK of large assets that is a small part
//! of the file. A sparse image is one zeroed allocation of the file's length, which the kernel
//! backs with memory only where bytes are written, so offsets stay those of the file and the
//! parser keeps reading plain slices; each region is read in aligned chunks, once. Reading the
//! whole file first (as before) made an input's size the scan's peak memory on such APKs.

use std::fs::File;
use std::os::unix::fs::FileExt;

/// Unit of reading a sparse image: local headers of small entries lie close together, and one
/// read of 64 KiB costs about as much as one of 4.
const CHUNK: usize = 64 * 1024;

/// The input's bytes as far as they were asked for (see the module documentation).
#[derive(Debug, Default)]
pub(super) struct Image<'f> {
    bytes: Vec<u8>,
    /// The file still to read from; `None` when `bytes` is the whole input.
    file: Option<&'f File>,
    /// One flag per [`CHUNK`] of `bytes`: read from `file` already.
    chunk_read: Vec<bool>,
    /// The first read that failed: the parse is then refused, since the regions it covers read
    /// as zeros.
    failure: Option<std::io::Error>,
}

impl<'f> Image<'f> {
    /// An input held whole in memory.
    pub(super) fn whole(bytes: Vec<u8>) -> Image<'static> {
        Image {
            bytes,
            file: None,
            chunk_read: Vec::new(),
            failure: None,
        }
    }

    /// `len` bytes of `file`, none read yet. `len` must be the file's length (checked against
    /// the input size limit by the caller).
    pub(super) fn sparse(file: &'f File, len: usize) -> Image<'f> {
        Image {
            // Zeroed memory comes from the kernel untouched (calloc maps it), so the unread
            // chunks of a large file hold no memory.
            bytes: vec![0; len],
            file: Some(file),
            chunk_read: vec![false; len.div_ceil(CHUNK)],
            failure: None,
        }
    }

    pub(super) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(super) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Makes `len` bytes from `start` (clamped to the input) readable in [`Image::bytes`].
    pub(super) fn want(&mut self, start: usize, len: usize) {
        let Some(file) = self.file else {
            return;
        };
        let end = start.saturating_add(len).min(self.bytes.len());
        if start >= end {
            return;
        }
        let (first, last) = (start / CHUNK, (end - 1) / CHUNK);
        let mut chunk = first;
        while chunk <= last {
            if self.chunk_read[chunk] {
                chunk += 1;
                continue;
            }
            // One read for each run of chunks not read yet.
            let run_start = chunk;
            while chunk <= last && !self.chunk_read[chunk] {
                self.chunk_read[chunk] = true;
                chunk += 1;
            }
            let from = run_start * CHUNK;
            let to = (chunk * CHUNK).min(self.bytes.len());
            if let Err(error) = file.read_exact_at(&mut self.bytes[from..to], from as u64)
                && self.failure.is_none()
            {
                self.failure = Some(error);
            }
        }
    }

    /// Makes the whole input readable (the walk over local headers after a damaged directory).
    pub(super) fn want_all(&mut self) {
        self.want(0, self.bytes.len());
    }

    /// The first failed read, if any.
    pub(super) fn take_failure(&mut self) -> Option<std::io::Error> {
        self.failure.take()
    }

    /// The bytes, for an image held whole (a sparse one's are dropped by its caller).
    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// How many bytes were read from the file (for tests and measurements).
    #[cfg(test)]
    pub(super) fn bytes_read(&self) -> usize {
        self.chunk_read.iter().filter(|&&read| read).count() * CHUNK
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::io::Write;

    pub(in crate::container) fn file_of(bytes: &[u8]) -> File {
        let mut file = unlinked_file();
        file.write_all(bytes).unwrap();
        file
    }

    fn unlinked_file() -> File {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let number = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "dossier-image-{}-{number}",
            std::process::id()
        ));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        // Unlinked at once: the open handle is all the test needs.
        std::fs::remove_file(&path).unwrap();
        file
    }

    #[test]
    fn reads_only_the_chunks_asked_for() {
        let content: Vec<u8> = (0..5 * CHUNK + 100).map(|i| (i % 251) as u8).collect();
        let file = file_of(&content);
        let mut image = Image::sparse(&file, content.len());
        assert_eq!(image.bytes_read(), 0);
        image.want(content.len() - 10, 10);
        assert_eq!(image.bytes_read(), CHUNK);
        assert_eq!(image.bytes()[content.len() - 10..], content[content.len() - 10..]);
        // Unread regions read as zeros.
        assert!(image.bytes()[..CHUNK].iter().all(|&byte| byte == 0));
        image.want(CHUNK - 2, 4);
        assert_eq!(image.bytes_read(), 3 * CHUNK);
        assert_eq!(image.bytes()[CHUNK - 2..CHUNK + 2], content[CHUNK - 2..CHUNK + 2]);
        image.want_all();
        assert_eq!(image.bytes(), content.as_slice());
        assert!(image.take_failure().is_none());
    }

    #[test]
    fn asking_past_the_end_is_clamped_and_a_short_file_is_a_failure() {
        let content = vec![7u8; 1000];
        let file = file_of(&content);
        let mut image = Image::sparse(&file, content.len());
        image.want(990, usize::MAX);
        image.want(5000, 10);
        assert_eq!(image.bytes()[990..], content[990..]);
        assert!(image.take_failure().is_none());
        // The file shrank after its length was taken: the read fails and says so.
        file.set_len(500).unwrap();
        let mut image = Image::sparse(&file, content.len());
        image.want(0, 10);
        assert!(image.take_failure().is_some());
    }

    #[test]
    fn a_whole_image_reads_nothing() {
        let mut image = Image::whole(vec![1, 2, 3]);
        image.want(0, 3);
        image.want_all();
        assert_eq!(image.bytes(), &[1, 2, 3]);
        assert_eq!(image.len(), 3);
        assert_eq!(image.into_bytes(), vec![1, 2, 3]);
    }
}
