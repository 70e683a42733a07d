//! Word k-shingles: every run of k consecutive words, hashed to 64 bits.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Hashes of the word k-shingles of a document, in text order (with repeats).
///
/// A document shorter than k words has one shingle: all its words. So a three-word headline still
/// matches its exact copies.
pub fn shingle_hashes(word_hashes: &[u64], k: usize) -> Vec<u64> {
    let mut out = Vec::new();
    shingle_hashes_into(word_hashes, k, &mut out);
    out
}

/// [`shingle_hashes`] written into `out` (cleared first), reusing its memory.
pub fn shingle_hashes_into(word_hashes: &[u64], k: usize, out: &mut Vec<u64>) {
    out.clear();
    let k = k.max(1);
    if word_hashes.is_empty() {
        return;
    }
    let k = k.min(word_hashes.len());
    let windows = word_hashes.windows(k);
    if (3..=16).contains(&k) {
        out.extend(windows.map(|w| xxh3_of_words(w, k as u64)));
        return;
    }
    // One or two words fit a buffer on the stack; more than sixteen are copied to the heap.
    let mut buf = [0u8; 16];
    out.extend(windows.map(|w| match k {
        1 | 2 => {
            for (i, h) in w.iter().enumerate() {
                buf[i * 8..i * 8 + 8].copy_from_slice(&h.to_le_bytes());
            }
            xxh3_64_with_seed(&buf[..k * 8], k as u64)
        }
        _ => {
            let bytes: Vec<u8> = w.iter().flat_map(|h| h.to_le_bytes()).collect();
            xxh3_64_with_seed(&bytes, k as u64)
        }
    }));
}

/// The first 128 bytes of xxh3's default secret, as little-endian words.
const SECRET: [u64; 16] = [
    0xbe4b_a423_396c_feb8,
    0x1cad_21f7_2c81_017c,
    0xdb97_9083_e96d_d4de,
    0x1f67_b3b7_a4a4_4072,
    0x78e5_c0cc_4ee6_79cb,
    0x2172_ffcc_7dd0_5a82,
    0x8e24_43f7_7446_08b8,
    0x4c26_3a81_e690_35e0,
    0xcb00_c391_bb52_283c,
    0xa32e_531b_8b65_d088,
    0x4ef9_0da2_9748_6471,
    0xd8ac_dea9_46ef_1938,
    0x3f34_9ce3_3f76_faa8,
    0x1d4f_0bc7_c7bb_dcf9,
    0x3159_b4cd_4be0_518a,
    0x6473_78d9_c97e_9fc8,
];

/// `xxh3_64_with_seed` of the little-endian bytes of 3 to 16 words (24 to 128 bytes), computed
/// on the words where they are: in that range xxh3 mixes 16-byte pieces read at multiples of 8
/// from either end, so each piece is two neighbouring words, and nothing is copied or dispatched
/// on the length a word at a time (BENCHMARKS.md section 47). Tested equal to the crate's.
#[inline(always)]
fn xxh3_of_words(w: &[u64], seed: u64) -> u64 {
    const PRIME64_1: u64 = 0x9E37_79B1_85EB_CA87;
    let k = w.len();
    debug_assert!((3..=16).contains(&k));
    let mix = |at: usize, secret: usize| {
        let lo = w[at] ^ SECRET[secret].wrapping_add(seed);
        let hi = w[at + 1] ^ SECRET[secret + 1].wrapping_sub(seed);
        let product = u128::from(lo) * u128::from(hi);
        product as u64 ^ (product >> 64) as u64
    };
    let mut acc = (8 * k as u64).wrapping_mul(PRIME64_1);
    if k > 4 {
        if k > 8 {
            if k > 12 {
                acc = acc.wrapping_add(mix(6, 12)).wrapping_add(mix(k - 8, 14));
            }
            acc = acc.wrapping_add(mix(4, 8)).wrapping_add(mix(k - 6, 10));
        }
        acc = acc.wrapping_add(mix(2, 4)).wrapping_add(mix(k - 4, 6));
    }
    acc = acc.wrapping_add(mix(0, 0)).wrapping_add(mix(k - 2, 2));
    // xxh3's avalanche.
    acc ^= acc >> 37;
    acc = acc.wrapping_mul(0x1656_6791_9E37_79F9);
    acc ^ (acc >> 32)
}

/// Working memory of [`ShingleSet::from_hashes_with`], reused from one document to the next.
#[derive(Debug, Default)]
pub struct SetScratch {
    values: Vec<u32>,
    spare: Vec<u32>,
}

/// Sorts hash values (spread evenly over 32 bits), with `spare` as working memory. A radix sort,
/// a byte at a time: from a few hundred values on (a news article's shingles), it takes half the
/// time of a comparison sort (BENCHMARKS.md, section 43).
pub(crate) fn sort_hash_values(values: &mut Vec<u32>, spare: &mut Vec<u32>) {
    const FEWEST: usize = 64;
    if values.len() < FEWEST {
        values.sort_unstable();
        return;
    }
    let mut counts = [[0u32; 256]; 4];
    for &v in values.iter() {
        for (byte, count) in counts.iter_mut().enumerate() {
            count[(v >> (8 * byte)) as usize & 255] += 1;
        }
    }
    spare.clear();
    spare.resize(values.len(), 0);
    for (byte, count) in counts.iter_mut().enumerate() {
        let mut at = 0;
        for c in count.iter_mut() {
            (*c, at) = (at, at + *c);
        }
        for &v in values.iter() {
            let slot = &mut count[(v >> (8 * byte)) as usize & 255];
            spare[*slot as usize] = v;
            *slot += 1;
        }
        std::mem::swap(values, spare);
    }
}

/// A document's set of shingles: sorted, unique, each kept as the high 32 bits of its hash.
///
/// 32 bits keep the set small (4 bytes a shingle); two documents of a thousand shingles each share a
/// spurious 32-bit value with probability about 2e-4, far below any threshold's resolution.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShingleSet(Vec<u32>);

impl ShingleSet {
    /// Builds the set from 64-bit shingle hashes.
    pub fn from_hashes(hashes: &[u64]) -> ShingleSet {
        ShingleSet::from_hashes_with(hashes, &mut SetScratch::default())
    }

    /// [`ShingleSet::from_hashes`], sorting in `scratch`: only the set itself is allocated, at its
    /// exact size.
    pub fn from_hashes_with(hashes: &[u64], scratch: &mut SetScratch) -> ShingleSet {
        let SetScratch { values, spare } = scratch;
        values.clear();
        values.extend(hashes.iter().map(|h| (h >> 32) as u32));
        sort_hash_values(values, spare);
        values.dedup();
        ShingleSet(values.to_vec())
    }

    /// A set from values already sorted and unique.
    pub(crate) fn of_sorted(values: Vec<u32>) -> ShingleSet {
        ShingleSet(values)
    }

    /// The set, borrowed.
    pub fn view(&self) -> Shingles<'_> {
        Shingles(&self.0)
    }

    /// Number of distinct shingles.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    #[cfg(any(test, feature = "internals"))]
    /// True for a document without words.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The shingles, sorted.
    pub fn as_slice(&self) -> &[u32] {
        &self.0
    }

    /// Whether `shingle` is in the set.
    pub fn contains(&self, shingle: u32) -> bool {
        self.view().contains(shingle)
    }

    #[cfg(any(test, feature = "internals"))]
    /// Number of shingles in both sets.
    pub fn intersection_len(&self, other: &ShingleSet) -> usize {
        self.view().intersection_len(other.view())
    }

    /// The anchors (see [`Shingles::anchors`]).
    pub fn anchors(&self, modulus: u32) -> impl Iterator<Item = u32> + '_ {
        self.view().anchors(modulus)
    }
}

/// A document's shingle set, borrowed: from a [`ShingleSet`] or from a corpus's store
/// ([`super::Fingerprints`]), in memory or read back from its temporary file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shingles<'a>(&'a [u32]);

impl<'a> Shingles<'a> {
    /// A set from sorted, unique values.
    pub(crate) fn of_sorted(values: &'a [u32]) -> Shingles<'a> {
        Shingles(values)
    }

    /// Number of distinct shingles.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    #[cfg(any(test, feature = "internals"))]
    /// True for a document without words.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The shingles, sorted.
    pub fn as_slice(&self) -> &'a [u32] {
        self.0
    }

    /// Whether `shingle` is in the set.
    pub fn contains(&self, shingle: u32) -> bool {
        self.0.binary_search(&shingle).is_ok()
    }

    /// Number of shingles in both sets (a linear merge).
    pub fn intersection_len(&self, other: Shingles<'_>) -> usize {
        let (a, b) = (self.0, other.0);
        // A snippet against a page thousands of times longer: look each of its shingles up
        // (galloping from the last place found) instead of walking the page.
        let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        if small.len() * 32 < large.len() {
            return galloping_intersection_len(small, large);
        }
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < a.len() && j < b.len() {
            let (x, y) = (a[i], b[j]);
            n += usize::from(x == y);
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
        n
    }

    /// [`Shingles::intersection_len`] when it is at least `need`; `None` as soon as the values
    /// left to merge cannot bring it there (looked at every [`MERGE_STRIDE`] steps). Most
    /// candidate pairs where passages recur share a passage or two and no relation: their merge
    /// stops part of the way in (the scoring of 300k such articles took 0.7 of its time;
    /// BENCHMARKS.md, section 42).
    pub fn intersection_len_at_least(&self, other: Shingles<'_>, need: usize) -> Option<usize> {
        let (a, b) = (self.0, other.0);
        let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        if small.len() < need {
            return None;
        }
        if small.len() * 32 < large.len() {
            return Some(galloping_intersection_len(small, large)).filter(|&n| n >= need);
        }
        let (mut i, mut j, mut n) = (0, 0, 0);
        loop {
            let left = (a.len() - i).min(b.len() - j);
            if n + left < need {
                return None;
            }
            if left == 0 {
                return Some(n);
            }
            // Each step moves i, j or both by one: `left` steps stay inside both sets.
            for _ in 0..left.min(MERGE_STRIDE) {
                let (x, y) = (a[i], b[j]);
                n += usize::from(x == y);
                i += usize::from(x <= y);
                j += usize::from(y <= x);
            }
        }
    }

    /// The anchors: the shingles whose value is 0 modulo `modulus` (a power of two).
    ///
    /// The choice depends on the shingle alone, never on the document, so a passage quoted in two
    /// documents has the same anchors in both (Broder's "0 mod p" sampling).
    pub fn anchors(&self, modulus: u32) -> impl Iterator<Item = u32> + 'a {
        let mask = modulus.max(1).next_power_of_two() - 1;
        // The low bits of the stored (high) half are independent of the MinHash bin choice.
        self.0.iter().copied().filter(move |s| s & mask == 0)
    }

    /// The anchors, as [`Shingles::anchors`] gives them, handed to `f` a few at a time. Whether
    /// a shingle is an anchor is a coin toss (one in `modulus`) that a branch mispredicts; picked
    /// without one, the passes over every set that build the anchor index go about twice as fast
    /// (BENCHMARKS.md, section 35).
    pub fn for_each_anchors(&self, modulus: u32, mut f: impl FnMut(&[u32])) {
        const CHUNK: usize = 64;
        let mask = modulus.max(1).next_power_of_two() - 1;
        let mut picked = [0u32; CHUNK];
        for chunk in self.0.chunks(CHUNK) {
            let mut k = 0;
            for &s in chunk {
                // Written always, kept only when it is an anchor: k stays below the chunk's length.
                picked[k] = s;
                k += usize::from(s & mask == 0);
            }
            f(&picked[..k]);
        }
    }
}

/// Steps of a merge between two looks at whether its count can still reach what is needed
/// ([`Shingles::intersection_len_at_least`]).
const MERGE_STRIDE: usize = 64;

/// |small ∩ large| for sorted, unique sets, each value of `small` found in `large` by an
/// exponential then binary search starting where the previous one ended.
fn galloping_intersection_len(small: &[u32], large: &[u32]) -> usize {
    let (mut from, mut n) = (0, 0);
    for &x in small {
        let rest = &large[from..];
        let mut step = 1;
        while step < rest.len() && rest[step - 1] < x {
            step *= 2;
        }
        let window = &rest[..step.min(rest.len())];
        match window.binary_search(&x) {
            Ok(at) => {
                n += 1;
                from += at + 1;
            }
            Err(at) => from += at,
        }
        if from >= large.len() {
            break;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_documents_have_one_shingle() {
        assert_eq!(shingle_hashes(&[1, 2], 3).len(), 1);
        assert_eq!(shingle_hashes(&[1, 2, 3, 4], 3).len(), 2);
        assert!(shingle_hashes(&[], 3).is_empty());
    }

    #[test]
    fn anchors_picked_in_chunks_are_the_anchors() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for len in [0, 1, 63, 64, 65, 200, 1000] {
            let mut values: Vec<u32> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u32
                })
                .collect();
            values.sort_unstable();
            values.dedup();
            let set = Shingles::of_sorted(&values);
            for modulus in [1, 2, 4, 16] {
                let mut picked = Vec::new();
                set.for_each_anchors(modulus, |a| picked.extend_from_slice(a));
                assert_eq!(
                    picked,
                    set.anchors(modulus).collect::<Vec<_>>(),
                    "{len} {modulus}"
                );
            }
        }
    }

    #[test]
    fn a_count_at_least_a_need_is_the_count_or_none_under_it() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move |range: u32| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % u64::from(range)) as u32
        };
        for round in 0..400 {
            // Values from a small range share many; sizes up to past the galloping ratio.
            let range = [50, 500, 5_000][round % 3];
            let (la, lb) = (next(300) as usize, next(300) as usize * [1, 40][round % 2]);
            let mut set = |len: usize| {
                let mut v: Vec<u32> = (0..len).map(|_| next(range)).collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let (a, b) = (set(la), set(lb));
            let (a, b) = (Shingles::of_sorted(&a), Shingles::of_sorted(&b));
            let n = a.intersection_len(b);
            for need in [
                0,
                1,
                n.saturating_sub(1),
                n,
                n + 1,
                n + 70,
                a.len().min(b.len()) + 1,
            ] {
                let want = (n >= need).then_some(n);
                assert_eq!(a.intersection_len_at_least(b, need), want, "{round} {need}");
                assert_eq!(b.intersection_len_at_least(a, need), want, "{round} {need}");
            }
        }
    }

    #[test]
    fn intersection_counts_common_values() {
        let a = ShingleSet(vec![1, 3, 5, 7, 9]);
        let b = ShingleSet(vec![3, 4, 5, 9, 10, 11]);
        assert_eq!(a.intersection_len(&b), 3);
        assert_eq!(b.intersection_len(&a), 3);
        assert_eq!(a.intersection_len(&a), 5);
        assert_eq!(a.intersection_len(&ShingleSet::default()), 0);
    }

    #[test]
    fn a_snippet_against_a_long_page_counts_as_the_walk_does() {
        let mut rng = crate::gen::Rng(3);
        for _ in 0..200 {
            let mut large: Vec<u32> = (0..5000).map(|_| rng.below(20_000) as u32).collect();
            large.sort_unstable();
            large.dedup();
            let mut small: Vec<u32> = (0..rng.below(60))
                .map(|_| rng.below(20_000) as u32)
                .collect();
            small.extend(large.iter().step_by(97).copied());
            small.sort_unstable();
            small.dedup();
            let walked = small
                .iter()
                .filter(|x| large.binary_search(x).is_ok())
                .count();
            let (s, l) = (ShingleSet(small), ShingleSet(large));
            assert_eq!(s.intersection_len(&l), walked);
            assert_eq!(l.intersection_len(&s), walked);
        }
    }

    /// Shingles of 1 to 20 words hash as xxh3 hashes their words' bytes, the words hashed in place
    /// (3 to 16) included.
    #[test]
    fn shingles_hash_as_xxh3_hashes_their_bytes() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let words: Vec<u64> = (0..40)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            })
            .chain([0, u64::MAX, 1])
            .collect();
        for k in 1..=20 {
            let expected: Vec<u64> = words
                .windows(k)
                .map(|w| {
                    let bytes: Vec<u8> = w.iter().flat_map(|h| h.to_le_bytes()).collect();
                    xxh3_64_with_seed(&bytes, k as u64)
                })
                .collect();
            assert_eq!(shingle_hashes(&words, k), expected, "{k}");
        }
    }

    #[test]
    fn shingles_depend_on_word_order() {
        assert_ne!(shingle_hashes(&[1, 2, 3], 3), shingle_hashes(&[3, 2, 1], 3));
    }

    #[test]
    fn hash_values_sort_as_a_comparison_sort_sorts_them() {
        let mut spare = Vec::new();
        for n in [0, 1, 63, 64, 65, 300, 5000] {
            // Spread values, a run of equal ones, and values that differ in one byte only.
            let mut values: Vec<u32> = (0..n as u64)
                .map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as u32)
                .collect();
            values.extend([7, 7, 7, 0x0100_0007, 0x0001_0007, u32::MAX, 0]);
            let mut expected = values.clone();
            expected.sort_unstable();
            sort_hash_values(&mut values, &mut spare);
            assert_eq!(values, expected, "{n}");
        }
    }
}
