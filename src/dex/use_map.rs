//! [`UseMap`]: a sorted map from a reference to the list of its uses, held in three flat
//! vectors (keys, where each key's list ends, all lists one after another).
//!
//! A DEX of 8 MiB has some 100,000 referenced methods, fields and strings, each with a short
//! list of call sites. As a `BTreeMap<K, Vec<V>>` every list is an allocation of its own and
//! every entry pays for tree nodes; flat, the lists cost their elements and four bytes each,
//! which is what lets an app's facts stay small next to its code (issue 13). Read-only once
//! built: the scanner makes it whole ([`FromIterator`]), analyses look up and iterate.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// Keys in ascending order, each with the list of its uses.
#[derive(Clone, PartialEq, Eq)]
pub struct UseMap<K, V> {
    /// Shared with the DEX facts' list of the same references, when the scanner made both: the
    /// keys are every reference of a kind, so holding them twice cost a fifth of the facts.
    keys: Arc<[K]>,
    /// `ends[i]`: where the uses of `keys[i]` end in `uses` (they start where `i - 1`'s end).
    ends: Vec<u32>,
    uses: Vec<V>,
}

impl<K, V> Default for UseMap<K, V> {
    fn default() -> Self {
        UseMap {
            keys: Arc::from(Vec::new()),
            ends: Vec::new(),
            uses: Vec::new(),
        }
    }
}

impl<K, V> UseMap<K, V> {
    /// How many keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// How many uses of all keys together.
    pub fn total_uses(&self) -> usize {
        self.uses.len()
    }

    /// The uses of the key at `index`.
    fn uses_at(&self, index: usize) -> &[V] {
        let start = index
            .checked_sub(1)
            .map_or(0, |before| self.ends[before] as usize);
        &self.uses[start..self.ends[index] as usize]
    }

    /// Keys with their uses, in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            map: self,
            range: 0..self.keys.len(),
        }
    }

    pub fn keys(&self) -> std::slice::Iter<'_, K> {
        self.keys.iter()
    }

    /// The lists of uses, in key order.
    pub fn values(
        &self,
    ) -> impl DoubleEndedIterator<Item = &[V]> + ExactSizeIterator + Clone + '_ {
        (0..self.keys.len()).map(|i| self.uses_at(i))
    }

    /// The keys, as the list they may share with other facts.
    pub fn shared_keys(&self) -> &Arc<[K]> {
        &self.keys
    }

    /// What the map holds on the heap: its three vectors (not what the keys own).
    pub fn heap_bytes(&self) -> usize {
        self.keys.len() * size_of::<K>() + self.use_bytes()
    }

    /// What the lists of uses hold on the heap, without the keys.
    pub fn use_bytes(&self) -> usize {
        self.ends.capacity() * size_of::<u32>() + self.uses.capacity() * size_of::<V>()
    }

    /// The map of `keys` (sorted, distinct) in which key `i`'s uses are `uses[ends[i - 1]..ends[i]]`
    /// (from 0 for the first). `None` when the lists do not fit that shape.
    pub fn with_keys(keys: Arc<[K]>, ends: Vec<u32>, uses: Vec<V>) -> Option<Self> {
        let fits = ends.len() == keys.len()
            && ends.windows(2).all(|w| w[0] <= w[1])
            && ends.last().is_none_or(|&last| last as usize <= uses.len());
        fits.then_some(UseMap { keys, ends, uses })
    }
}

impl<K: Ord, V> UseMap<K, V> {
    /// The uses of `key`, when it is in the map.
    pub fn get<Q>(&self, key: &Q) -> Option<&[V]>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let index = self.keys.binary_search_by(|k| k.borrow().cmp(key)).ok()?;
        Some(self.uses_at(index))
    }

    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.get(key).is_some()
    }
}

impl<K: Ord + Clone, V> UseMap<K, V> {
    /// Appends `value` to the uses of `key`, adding the key where it sorts when it is new. Costs
    /// time in the size of the map: for extending facts by hand (tests, tools), not for scans.
    pub fn add_use(&mut self, key: K, value: V) {
        let index = match self.keys.binary_search(&key) {
            Ok(found) => found,
            Err(at) => {
                let end = at.checked_sub(1).map_or(0, |before| self.ends[before]);
                let mut keys = self.keys.to_vec();
                keys.insert(at, key);
                self.keys = Arc::from(keys);
                self.ends.insert(at, end);
                at
            }
        };
        let end = self.ends[index] as usize;
        self.uses.insert(end, value);
        for later in &mut self.ends[index..] {
            *later += 1;
        }
    }
}

/// Built from keys with their lists in any order: sorted by key, and of two lists under one
/// key the later is kept, as collecting into a `BTreeMap` would.
impl<K: Ord, V> FromIterator<(K, Vec<V>)> for UseMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, Vec<V>)>>(iter: I) -> Self {
        let mut entries: Vec<(K, Vec<V>)> = iter.into_iter().collect();
        // Stable: of equal keys the later stays later, and is the one kept below.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut keys = Vec::with_capacity(entries.len());
        let mut ends = Vec::with_capacity(entries.len());
        let mut all_uses = Vec::with_capacity(entries.iter().map(|(_, uses)| uses.len()).sum());
        let mut entries = entries.into_iter().peekable();
        while let Some((key, uses)) = entries.next() {
            if entries.peek().is_some_and(|(next, _)| *next == key) {
                continue;
            }
            keys.push(key);
            all_uses.extend(uses);
            // A list longer than u32 cannot be: the scanner's uses are counted in u32.
            ends.push(u32::try_from(all_uses.len()).unwrap_or(u32::MAX));
        }
        UseMap {
            keys: Arc::from(keys),
            ends,
            uses: all_uses,
        }
    }
}

/// The keys of a [`UseMap`] with their uses, in key order.
pub struct Iter<'m, K, V> {
    map: &'m UseMap<K, V>,
    range: std::ops::Range<usize>,
}

impl<'m, K, V> Iterator for Iter<'m, K, V> {
    type Item = (&'m K, &'m [V]);
    fn next(&mut self) -> Option<Self::Item> {
        let i = self.range.next()?;
        Some((&self.map.keys[i], self.map.uses_at(i)))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let i = self.range.next_back()?;
        Some((&self.map.keys[i], self.map.uses_at(i)))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

impl<'m, K, V> IntoIterator for &'m UseMap<K, V> {
    type Item = (&'m K, &'m [V]);
    type IntoIter = Iter<'m, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> std::ops::Index<&Q> for UseMap<K, V> {
    type Output = [V];
    /// Panics when `key` is not in the map, as a `BTreeMap` does.
    fn index(&self, key: &Q) -> &[V] {
        self.get(key).expect("key in the map")
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for UseMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// As a map from key to list, like the `BTreeMap` it replaces.
impl<K: Serialize, V: Serialize> Serialize for UseMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, uses) in self.iter() {
            map.serialize_entry(key, uses)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_looked_up_and_later_duplicates_kept() {
        let map: UseMap<String, u32> = [
            ("b".to_owned(), vec![3, 4]),
            ("a".to_owned(), vec![1]),
            ("c".to_owned(), vec![]),
            ("b".to_owned(), vec![5]),
        ]
        .into_iter()
        .collect();
        assert_eq!(map.len(), 3);
        assert_eq!(map.total_uses(), 2);
        let listed: Vec<(&str, &[u32])> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
        assert_eq!(listed, [("a", &[1][..]), ("b", &[5][..]), ("c", &[][..])]);
        assert_eq!(map.get("b"), Some(&[5][..]));
        assert_eq!(&map["a"], &[1]);
        assert!(map.get("d").is_none() && !map.contains_key("d"));
        assert_eq!(
            serde_json::to_string(&map).unwrap(),
            r#"{"a":[1],"b":[5],"c":[]}"#
        );
        let mut map = map;
        map.add_use("b".to_owned(), 6);
        map.add_use("0".to_owned(), 0);
        map.add_use("d".to_owned(), 7);
        let listed: Vec<(&str, &[u32])> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
        assert_eq!(
            listed,
            [
                ("0", &[0][..]),
                ("a", &[1][..]),
                ("b", &[5, 6][..]),
                ("c", &[][..]),
                ("d", &[7][..])
            ]
        );
        let empty: UseMap<String, u32> = UseMap::default();
        assert!(empty.is_empty() && empty.get("a").is_none());
    }

    #[test]
    fn built_on_shared_keys() {
        let keys: Arc<[String]> = Arc::from(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]);
        let map = UseMap::with_keys(Arc::clone(&keys), vec![2, 2, 3], vec![10, 11, 12]).unwrap();
        assert!(Arc::ptr_eq(map.shared_keys(), &keys));
        assert_eq!(map.get("a"), Some(&[10, 11][..]));
        assert_eq!(map.get("b"), Some(&[][..]));
        assert_eq!(map.get("c"), Some(&[12][..]));
        // Lists that do not fit the keys are refused, not read out of bounds later.
        assert!(UseMap::with_keys(Arc::clone(&keys), vec![2, 3], vec![1, 2, 3]).is_none());
        assert!(UseMap::with_keys(Arc::clone(&keys), vec![2, 1, 3], vec![1, 2, 3]).is_none());
        assert!(UseMap::with_keys(keys, vec![1, 2, 4], vec![1, 2, 3]).is_none());
    }
}
