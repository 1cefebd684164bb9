//! The memory side of a batch: the default budget (a share of the machine or of its cgroup), what
//! one scan is expected to need, and what a worker really holds (its resident set, read from
//! `/proc` on Linux; elsewhere only the estimate guards the budget).

/// What a scan needs besides its input: the rules and the worker process itself.
const SCAN_BASE: u64 = 48 << 20;
/// Resident bytes per input byte. Measured peaks on the corpus were 5 to 9 times the APK size
/// (docs/BENCHMARKS.md, "batch"): an APK's code is compressed, and the parsed DEX outgrows it.
const SCAN_PER_INPUT_BYTE: u64 = 8;
/// Used when the machine's memory cannot be read.
const FALLBACK_BUDGET: u64 = 4 << 30;

/// The memory one scan of `size` bytes is expected to need, for admission.
pub fn estimate(size: u64) -> u64 {
    SCAN_BASE.saturating_add(size.saturating_mul(SCAN_PER_INPUT_BYTE))
}

/// Half of the memory this process may use: the smaller of the machine's RAM and a cgroup limit.
pub fn default_budget() -> u64 {
    let machine = read_meminfo_total();
    let cgroup = read_cgroup_limit();
    match (machine, cgroup) {
        (Some(m), Some(c)) => m.min(c) / 2,
        (Some(m), None) => m / 2,
        (None, Some(c)) => c / 2,
        (None, None) => FALLBACK_BUDGET,
    }
}

/// The resident set of a process in bytes, None where it cannot be read (the process is gone, or
/// this is not Linux).
pub fn resident(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    kib_field(&status, "VmRSS:")
}

/// The most this process has held (its high-water mark), where it can be read.
pub fn own_peak() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    kib_field(&status, "VmHWM:")
}

fn read_meminfo_total() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    kib_field(&meminfo, "MemTotal:")
}

/// cgroup v2's `memory.max`, or v1's `limit_in_bytes`; a container's real ceiling.
fn read_cgroup_limit() -> Option<u64> {
    [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|file| std::fs::read_to_string(file).ok())
    .filter_map(|text| text.trim().parse::<u64>().ok())
    // v1 reports "no limit" as a huge number.
    .find(|&limit| limit < (1 << 50))
}

/// The value in bytes of a `Name:   123 kB` line.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|line| line.starts_with(name))?;
    let kib: u64 = line[name.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kib.checked_mul(1024)
}

/// `1.5 GiB`, `300 MiB`: sizes in messages.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kib_fields_are_read_in_bytes() {
        let status = "Name:\tdossier\nVmRSS:\t   2048 kB\nThreads: 3\n";
        assert_eq!(kib_field(status, "VmRSS:"), Some(2 << 20));
        assert_eq!(kib_field(status, "VmHWM:"), None);
    }

    #[test]
    fn this_process_has_a_resident_set_on_linux() {
        if cfg!(target_os = "linux") {
            let rss = resident(std::process::id()).expect("VmRSS of this process");
            assert!(rss > 1 << 20, "{rss}");
            assert!(default_budget() > 64 << 20);
        }
    }

    #[test]
    fn estimates_grow_with_the_input() {
        assert!(estimate(200 << 20) > estimate(1 << 20));
        assert_eq!(estimate(u64::MAX), u64::MAX);
        assert_eq!(human(1536 << 20), "1.5 GiB");
        assert_eq!(human(12), "12 B");
    }
}
