//! How the C allocator behind Rust's default one is tuned for a scan: one arena.
//!
//! glibc gives each thread that allocates its own arena, and memory freed in one arena serves
//! only that arena. A scan inflates and scans DEX files on worker threads, keeps their facts
//! and frees the rest, so each worker's arena keeps its peak while the next DEX lands in another:
//! on yosemite-airtest (two DEX files, 15 MiB) the peak resident memory is 116 MiB with the
//! default arenas and 90 MiB with one, for the same CPU time on two cores
//! (docs/BENCHMARKS.md, issue 13). A `MALLOC_ARENA_MAX` set by the user is left as it is.

/// Limits glibc to one arena unless `MALLOC_ARENA_MAX` says otherwise. Must run before the
/// first thread is started.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn one_arena() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: `mallopt` only changes allocator settings; it is called before any other
        // thread exists, and glibc documents M_ARENA_MAX as settable at any time.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    }
}

/// Other allocators have no per-thread arenas to limit.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn one_arena() {}
