//! The memory budget of one scan: every decoder charges what it holds — inflated entries, split
//! members, decoded strings, text pieces, native strings, the facts kept per DEX — before it
//! allocates, and gives it back when the memory is freed. A charge that would pass the limit is
//! refused, so a hostile input gets a typed error or a `scan.memory_budget` anomaly (the report is
//! then `partial` and names what was skipped), never an allocation abort.
//!
//! The budget counts what the scan produces, not the input file itself, which `max_input_size`
//! bounds: peak memory is about the input's size plus the budget plus a small constant.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The anomaly of a part of the input left unread because the budget refused it: it makes the
/// report `partial` (`docs/anomalies-scan.md`).
pub const ANOMALY: &str = "scan.memory_budget";

/// The default limit: ten times what the largest real apps of the corpus need (about 200 MiB
/// charged at peak), and within what a laptop or one worker of a batch can give.
pub const DEFAULT_MAX_MEMORY: u64 = 2 << 30;

/// Bytes held by one scan against its limit; shared by every reader and thread of the scan.
#[derive(Debug)]
pub struct MemoryBudget {
    held: AtomicU64,
    peak: AtomicU64,
    limit: u64,
}

/// A charge refused: taking `wanted` more bytes would pass the limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{what} needs {wanted} more bytes of memory, but the scan holds {held} of its budget of {limit} bytes (--memory-budget)"
)]
pub struct OverBudget {
    /// What asked (an entry, a part of the scan).
    pub what: String,
    pub wanted: u64,
    pub held: u64,
    pub limit: u64,
}

impl MemoryBudget {
    pub fn new(limit: u64) -> Arc<MemoryBudget> {
        Arc::new(MemoryBudget {
            held: AtomicU64::new(0),
            peak: AtomicU64::new(0),
            limit,
        })
    }

    /// A budget that refuses nothing, for callers that parse one file on its own.
    pub fn unlimited() -> Arc<MemoryBudget> {
        MemoryBudget::new(u64::MAX)
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Bytes charged now.
    pub fn held(&self) -> u64 {
        self.held.load(Ordering::Relaxed)
    }

    /// The most bytes charged at once so far.
    pub fn peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }

    /// Takes `bytes` until the returned [`Charge`] is dropped; refused (and nothing taken) when
    /// that would pass the limit.
    pub fn charge(self: &Arc<Self>, bytes: u64, what: &str) -> Result<Charge, OverBudget> {
        let mut charge = Charge::none(self);
        charge.grow(bytes, what)?;
        Ok(charge)
    }

    fn take(&self, bytes: u64, what: &str) -> Result<(), OverBudget> {
        let mut held = self.held.load(Ordering::Relaxed);
        loop {
            let after = held.saturating_add(bytes);
            if after > self.limit {
                return Err(OverBudget {
                    what: what.to_owned(),
                    wanted: bytes,
                    held,
                    limit: self.limit,
                });
            }
            match self
                .held
                .compare_exchange_weak(held, after, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => {
                    self.peak.fetch_max(after, Ordering::Relaxed);
                    return Ok(());
                }
                Err(now) => held = now,
            }
        }
    }

    fn give_back(&self, bytes: u64) {
        self.held.fetch_sub(bytes, Ordering::Relaxed);
    }
}

/// Bytes taken from a [`MemoryBudget`], given back when dropped.
#[derive(Debug)]
pub struct Charge {
    budget: Arc<MemoryBudget>,
    bytes: u64,
}

impl Charge {
    /// A charge of nothing yet, to grow as the memory it stands for grows.
    pub fn none(budget: &Arc<MemoryBudget>) -> Charge {
        Charge {
            budget: Arc::clone(budget),
            bytes: 0,
        }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Takes `bytes` more; on refusal the charge is unchanged.
    pub fn grow(&mut self, bytes: u64, what: &str) -> Result<(), OverBudget> {
        self.budget.take(bytes, what)?;
        self.bytes += bytes;
        Ok(())
    }

    /// Gives back what is above `bytes` (memory freed or shrunk to fit).
    pub fn shrink_to(&mut self, bytes: u64) {
        if bytes < self.bytes {
            self.budget.give_back(self.bytes - bytes);
            self.bytes = bytes;
        }
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        self.budget.give_back(self.bytes);
    }
}

/// Bytes of an entry, with the memory charge they hold; read like a `&[u8]`.
#[derive(Debug)]
pub struct Held<T> {
    value: T,
    charge: Charge,
}

impl<T> Held<T> {
    pub fn new(value: T, charge: Charge) -> Held<T> {
        Held { value, charge }
    }

    /// The value and its charge, for a caller that keeps the value somewhere else (a split
    /// member's archive keeps its bytes' charge for as long as it lives).
    pub fn into_parts(self) -> (T, Charge) {
        (self.value, self.charge)
    }

    pub fn charge(&self) -> &Charge {
        &self.charge
    }

    /// The value, its memory given back to the budget (for a caller that will not keep it long
    /// or does not scan).
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T: PartialEq<U>, U> PartialEq<U> for Held<T> {
    fn eq(&self, other: &U) -> bool {
        self.value == *other
    }
}

impl<T> std::ops::Deref for Held<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_charge_takes_nothing_and_drops_give_back() {
        let budget = MemoryBudget::new(100);
        let first = budget.charge(60, "a").unwrap();
        let refused = budget.charge(50, "b").unwrap_err();
        assert_eq!((refused.wanted, refused.held, refused.limit), (50, 60, 100));
        assert_eq!(budget.held(), 60);
        drop(first);
        assert_eq!(budget.held(), 0);
        let mut grown = budget.charge(90, "c").unwrap();
        assert!(grown.grow(20, "c").is_err());
        assert_eq!(grown.bytes(), 90);
        grown.shrink_to(10);
        assert_eq!(budget.held(), 10);
        assert_eq!(budget.peak(), 90);
    }

    #[test]
    fn charges_from_many_threads_never_pass_the_limit() {
        let budget = MemoryBudget::new(1000);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..10_000 {
                        if let Ok(charge) = budget.charge(300, "t") {
                            assert!(budget.held() <= 1000);
                            drop(charge);
                        }
                    }
                });
            }
        });
        assert_eq!(budget.held(), 0);
        assert!(budget.peak() <= 1000);
    }
}
