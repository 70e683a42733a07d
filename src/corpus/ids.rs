//! The set of ids a run has used, to rename a repeated one. It holds each id's 128-bit xxh3, not
//! the id: a million ids take 16 MB in a flat table instead of a `String` each, and an index's
//! ids are read into it without allocating. Two different ids have the same hash with a
//! probability of about n² / 2¹²⁹ (10⁻²¹ for a billion ids): the set is taken as exact.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

/// Ids seen, by their 128-bit hash.
#[derive(Debug, Default, Clone)]
pub struct IdSet {
    hashes: HashSet<u128, BuildHasherDefault<Spread>>,
    /// Hashes given at once ([`IdSet::of_hashes`]), sorted.
    sorted: Vec<u128>,
}

impl IdSet {
    /// The set of the ids whose hashes ([`hash_id`]) are `hashes`, in any order: sorted rather
    /// than put in a table one by one, which takes a third of the time for an index's million ids
    /// (BENCHMARKS.md section 41).
    pub fn of_hashes(mut hashes: Vec<u128>) -> IdSet {
        hashes.par_sort_unstable();
        hashes.dedup();
        IdSet {
            hashes: HashSet::default(),
            sorted: hashes,
        }
    }

    /// Adds `id`; false when it was there.
    pub fn insert(&mut self, id: &str) -> bool {
        let h = hash_id(id);
        self.sorted.binary_search(&h).is_err() && self.hashes.insert(h)
    }

    pub fn contains(&self, id: &str) -> bool {
        let h = hash_id(id);
        self.sorted.binary_search(&h).is_ok() || self.hashes.contains(&h)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.sorted.len() + self.hashes.len()
    }
}

impl<'a> FromIterator<&'a str> for IdSet {
    fn from_iter<I: IntoIterator<Item = &'a str>>(ids: I) -> IdSet {
        let mut set = IdSet::default();
        ids.into_iter().for_each(|id| {
            set.insert(id);
        });
        set
    }
}

/// An id's 128-bit hash, as the set holds it.
pub fn hash_id(id: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(id.as_bytes())
}

/// The table's hasher: the values are already hashes, so it takes their low bits as they are.
#[derive(Default)]
struct Spread(u64);

impl Hasher for Spread {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u128 values are hashed (`write_u128`); other bytes are folded in all the same.
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(word);
        }
    }

    fn write_u128(&mut self, v: u128) {
        self.0 = v as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_again_and_others_are_not() {
        let mut set: IdSet = ["a", "b", "reuters-1"].into_iter().collect();
        assert!(set.contains("a") && set.contains("reuters-1"));
        assert!(!set.contains("c") && !set.contains("A") && !set.contains(""));
        assert!(!set.insert("b"));
        assert!(set.insert("b#2"));
        assert_eq!(set.len(), 4);
        let many: Vec<String> = (0..100_000).map(|i| format!("doc-{i}")).collect();
        let set: IdSet = many.iter().map(String::as_str).collect();
        assert_eq!(set.len(), many.len());
        assert!((100_000..110_000).all(|i| !set.contains(&format!("doc-{i}"))));
        // Given as hashes, then added to one by one.
        let mut set = IdSet::of_hashes(many.iter().rev().map(|id| hash_id(id)).collect());
        assert_eq!(set.len(), many.len());
        assert!(many.iter().all(|id| set.contains(id)) && !set.contains("doc-100000"));
        assert!(!set.insert("doc-17") && set.insert("doc-100000") && !set.insert("doc-100000"));
        assert!(set.contains("doc-100000") && set.len() == many.len() + 1);
    }
}
