//! What each method node uses, turned around from the scanner's site tables (which list, for each
//! reference, the methods using it) into lists per calling method: the methods it invokes, the
//! classes it instantiates or names with `const-class`, and the classes whose fields it touches.
//! Stored compactly (one offset per caller and one number per use), since a large app has
//! millions of uses.

use crate::dex::{FieldRef, MethodRef, Name, SiteRef};
use crate::scanner::AppFacts;

/// Lists per caller, back to back: caller `c`'s items are `items[start[c]..start[c + 1]]`.
#[derive(Debug, Default)]
pub(super) struct PerCaller {
    start: Vec<u32>,
    items: Vec<u32>,
}

impl PerCaller {
    /// From `(key number, uses)` pairs: every use of key `k` by caller `c` puts `k` in `c`'s list.
    /// Uses naming a caller past `callers` are dropped.
    fn build<'a>(callers: usize, keys: impl Iterator<Item = &'a [SiteRef]> + Clone) -> Self {
        let mut start = vec![0u32; callers + 1];
        for uses in keys.clone() {
            for u in uses {
                if let Some(count) = start.get_mut(u.caller as usize + 1) {
                    *count += 1;
                }
            }
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut fill = start.clone();
        let mut items = vec![0u32; *start.last().unwrap_or(&0) as usize];
        for (k, uses) in keys.enumerate() {
            for u in uses {
                if (u.caller as usize) < callers {
                    let at = &mut fill[u.caller as usize];
                    items[*at as usize] = k as u32;
                    *at += 1;
                }
            }
        }
        PerCaller { start, items }
    }

    pub fn of(&self, caller: usize) -> &[u32] {
        match (self.start.get(caller), self.start.get(caller + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }

    pub fn heap_bytes(&self) -> usize {
        (self.start.capacity() + self.items.capacity()) * 4
    }
}

/// One DEX's uses per calling method, with the keys the numbers stand for: the keys of the
/// scanner's site tables, borrowed (a copy of them was megabytes on a large app).
#[derive(Debug, Default)]
pub(super) struct DexEdges<'f> {
    pub calls: PerCaller,
    pub callees: &'f [MethodRef],
    pub news: PerCaller,
    pub new_types: &'f [Name],
    pub literals: PerCaller,
    pub literal_types: &'f [Name],
    pub field_uses: PerCaller,
    /// The fields used: what counts is their class.
    pub fields: &'f [FieldRef],
}

pub(super) fn per_dex(facts: &AppFacts) -> Vec<DexEdges<'_>> {
    facts
        .dex
        .iter()
        .map(|scan| {
            let Some(sites) = &scan.facts.sites else {
                return DexEdges::default();
            };
            let n = sites.callers.len();
            DexEdges {
                calls: PerCaller::build(n, sites.invoked_methods.values()),
                callees: sites.invoked_methods.shared_keys(),
                news: PerCaller::build(n, sites.instantiated.values()),
                new_types: sites.instantiated.shared_keys(),
                literals: PerCaller::build(n, sites.const_classes.values()),
                literal_types: sites.const_classes.shared_keys(),
                field_uses: PerCaller::build(n, sites.fields.values()),
                fields: sites.fields.shared_keys(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(caller: u32) -> SiteRef {
        SiteRef { caller, offset: 0 }
    }

    #[test]
    fn uses_are_listed_per_caller() {
        let a = [site(0), site(2)];
        let b = [site(2), site(9)];
        let lists = PerCaller::build(3, [&a[..], &b[..]].into_iter());
        assert_eq!(lists.of(0), &[0]);
        assert_eq!(lists.of(1), &[] as &[u32]);
        assert_eq!(lists.of(2), &[0, 1]);
        // Caller 9 is past the table: dropped, and asking past the end gives nothing.
        assert_eq!(lists.of(9), &[] as &[u32]);
    }
}
