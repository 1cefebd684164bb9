//! One copy of each name text (class descriptor, member name, prototype, field type) across all
//! the DEX files of one input.
//!
//! Each DEX decodes the names its references use once ([`super::file::SignatureCache`]), but a
//! name is decoded again in every DEX that uses it: the framework's classes and prototypes, a
//! library split over several files, a class of `classes2.dex` called from `classes5.dex`. On a
//! 100 MiB multi-DEX app the DEX files together held 2.6 copies of each name. With an
//! [`Interner`] the caches of all the DEX files of an input take their texts from one set, so a
//! name decoded by a second DEX costs a look-up instead of an allocation.
//!
//! Only the memory changes: texts are equal either way, so no order or output does.
//!
//! The set keeps every text it was given until the DEX files are read, also those of references
//! a DEX then drops (past its output budget), so it is capped: a crafted input of many DEX files,
//! each with tens of thousands of distinct kilobyte-long prototypes, would otherwise pile up what
//! each DEX used to free when it finished. Past the cap, texts are made apart, as without an
//! interner.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::name::Name;

/// Sets behind separate locks, so that the DEX files scanned on several threads rarely wait.
const SHARDS: usize = 16;

/// Most bytes the set holds, texts and their bookkeeping: real apps need about 20 MiB for 200 MiB
/// of DEX (223,000 distinct names of 47 bytes on average).
pub const MAX_SHARED_BYTES: usize = 128 << 20;

/// What one kept text costs beyond its bytes: the count of owners and the length, the
/// allocator's header, the table's slot (one `Name`) and control byte.
const PER_TEXT: usize = 16 + 16 + 8 + 1;

/// One hash per text picks its shard (the high bits) and finds it in the shard's table.
type TextSet = hashbrown::HashTable<Name>;

/// The shared name texts of one input. Thread-safe; dropped when the DEX files are read, which
/// frees the texts no kept fact refers to.
pub struct Interner {
    shards: Vec<Mutex<TextSet>>,
    hasher: foldhash::fast::RandomState,
    /// Bytes held, against `limit`.
    held: AtomicUsize,
    limit: usize,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            shards: (0..SHARDS).map(|_| Mutex::new(TextSet::new())).collect(),
            hasher: foldhash::fast::RandomState::default(),
            held: AtomicUsize::new(0),
            limit: MAX_SHARED_BYTES,
        }
    }
}

impl Interner {
    pub fn new() -> Self {
        Self::default()
    }

    /// An interner that holds at most `limit` bytes (see [`MAX_SHARED_BYTES`]).
    pub fn with_limit(limit: usize) -> Self {
        Interner {
            limit,
            ..Self::default()
        }
    }

    /// The input's copy of `text`, made on first use.
    pub fn text(&self, text: &str) -> Name {
        let hash = self.hasher.hash_one(text);
        let shard = (hash >> 60) as usize % SHARDS;
        // A thread that panicked while holding the lock left the set whole (the insert either
        // happened or not), so a poisoned lock is still usable.
        let mut set = self.shards[shard]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(kept) = set.find(hash, |kept| **kept == *text) {
            return kept.clone();
        }
        let made: Name = Name::new(text);
        let cost = text.len() + PER_TEXT;
        // Under the lock of one shard only: threads on other shards may pass the limit together
        // by one text each, which stays bounded.
        if self.held.load(Ordering::Relaxed) + cost > self.limit {
            return made;
        }
        self.held.fetch_add(cost, Ordering::Relaxed);
        set.insert_unique(hash, made.clone(), |kept| self.hasher.hash_one(&**kept));
        made
    }

    /// Number of distinct texts kept.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_become_one() {
        let interner = Interner::new();
        let a = interner.text("Ljava/lang/String;");
        let b = interner.text(&String::from("Ljava/lang/String;"));
        let c = interner.text("()V");
        assert!(Name::ptr_eq(&a, &b));
        assert_eq!(&*a, "Ljava/lang/String;");
        assert_eq!(&*c, "()V");
        assert_eq!(interner.len(), 2);
    }

    #[test]
    fn past_its_limit_texts_are_made_apart() {
        let interner = Interner::with_limit(2 * (PER_TEXT + 3));
        let a = interner.text("La;");
        let b = interner.text("Lb;");
        // Full: a new text is made but not kept, and what is kept is still shared.
        let c = interner.text("Lc;");
        let c_again = interner.text("Lc;");
        assert_eq!(c, c_again);
        assert!(!Name::ptr_eq(&c, &c_again));
        assert!(Name::ptr_eq(&a, &interner.text("La;")));
        assert!(Name::ptr_eq(&b, &interner.text("Lb;")));
        assert_eq!(interner.len(), 2);
    }

    #[test]
    fn threads_share_one_copy() {
        let interner = Interner::new();
        let texts: Vec<Name> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| interner.text("Landroid/app/Activity;")))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(texts.windows(2).all(|w| Name::ptr_eq(&w[0], &w[1])));
        assert_eq!(interner.len(), 1);
    }
}
