//! MinHash sketch by one-permutation hashing with optimal densification (Shrivastava 2017), cut into
//! LSH bands.
//!
//! Classic MinHash hashes every shingle once per row (126 hashes for 42 bands of 3); one-permutation
//! hashing hashes it once and keeps the minimum per bin, and densification fills the bins a short
//! document leaves empty by borrowing from other bins in a way that is the same for every document.
//! Two documents then agree on a bin with probability close to their Jaccard resemblance J, and share
//! at least one band with probability 1 - (1 - J^rows)^bands.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The shape of the LSH table: `bands` bands of `rows` MinHash values each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinHashParams {
    /// Number of bands (tables).
    pub bands: usize,
    /// MinHash values per band.
    pub rows: usize,
}

impl MinHashParams {
    /// Probability of finding a pair exactly at the threshold that [`MinHashParams::for_threshold`]
    /// guarantees: 0.996, what 42 bands of 3 give at J = 0.5.
    pub const TARGET_RECALL: f64 = 0.996;

    /// The table for a near-duplicate threshold: the most selective shape (most rows per band, so the
    /// fewest false candidates) that finds a pair at J = `threshold` with probability at least
    /// [`Self::TARGET_RECALL`] using at most 64 bands. 42 x 3 at J = 0.5; 59 x 2 at 0.3; 31 x 8 at 0.8.
    pub fn for_threshold(threshold: f64) -> MinHashParams {
        let t = threshold.clamp(0.01, 1.0);
        let bands_for = |rows: usize| -> usize {
            let miss = 1.0 - t.powi(rows as i32);
            if miss <= 0.0 {
                return 1;
            }
            ((1.0 - Self::TARGET_RECALL).ln() / miss.ln())
                .ceil()
                .max(1.0) as usize
        };
        for rows in (1..=8).rev() {
            let bands = bands_for(rows);
            if bands <= 64 {
                return MinHashParams { bands, rows };
            }
        }
        MinHashParams {
            bands: bands_for(1).min(256),
            rows: 1,
        }
    }

    #[cfg(any(test, feature = "internals"))]
    /// Probability that two documents with Jaccard resemblance `j` share at least one band.
    pub fn collision_probability(&self, j: f64) -> f64 {
        1.0 - (1.0 - j.powi(self.rows as i32)).powi(self.bands as i32)
    }
}

fn mix(mut z: u64) -> u64 {
    // splitmix64 finaliser: decorrelates bin choice from the stored shingle bits.
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The band keys of a document given its 64-bit shingle hashes; empty for an empty document.
pub fn band_keys(shingles: &[u64], params: &MinHashParams) -> Vec<u32> {
    let k = params.bands * params.rows;
    if shingles.is_empty() || k == 0 {
        return Vec::new();
    }
    // Above every value: a bin still at EMPTY received no shingle.
    const EMPTY: u64 = u64::MAX;
    let mut mins = vec![EMPTY; k];
    for &s in shingles {
        let h = mix(s);
        let bin = ((u128::from(h >> 32) * k as u128) >> 32) as usize;
        // Without a branch: a bin's minimum changes at unforeseeable shingles, and a branch on
        // it cost twice the loop (BENCHMARKS.md, section 43).
        let min = &mut mins[bin];
        *min = (*min).min(u64::from(h as u32));
    }
    DENSIFICATION.with(|order| {
        let mut order = order.borrow_mut();
        if order.as_ref().is_none_or(|o| o.bins != k) {
            *order = Some(Densification::new(k));
        }
        let order = order.as_ref().expect("made above");
        let rows = params.rows.min(32);
        (0..params.bands)
            .map(|band| {
                let mut bytes = [0u8; 4 * 32];
                for row in 0..rows {
                    let value = order.value(&mins, band * params.rows + row);
                    bytes[row * 4..row * 4 + 4].copy_from_slice(&value.to_le_bytes());
                }
                xxh3_64_with_seed(&bytes[..rows * 4], band as u64) as u32
            })
            .collect()
    })
}

/// Optimal densification: an empty bin takes the value of the first filled bin in an order
/// fixed by (bin, attempt), the same for every document. The first [`Densification::KEPT`] bins
/// of each order are worked out once per table shape (a `%` each), the rest when needed.
struct Densification {
    bins: usize,
    first: Vec<[u32; Densification::KEPT]>,
}

impl Densification {
    const KEPT: usize = 8;

    fn new(bins: usize) -> Densification {
        let first = (0..bins)
            .map(|i| {
                std::array::from_fn(|attempt| Densification::probe(bins, i, attempt as u64) as u32)
            })
            .collect();
        Densification { bins, first }
    }

    /// The bin that empty bin `i` looks at on its `attempt`.
    fn probe(bins: usize, i: usize, attempt: u64) -> usize {
        (mix((i as u64) << 32 | attempt) % bins as u64) as usize
    }

    /// Bin `i`'s value in the sketch of the bins' minimums `mins`, at least one of them filled.
    fn value(&self, mins: &[u64], i: usize) -> u32 {
        if mins[i] != u64::MAX {
            return mins[i] as u32;
        }
        let kept = self.first[i].iter().map(|&j| j as usize);
        let later = (Densification::KEPT as u64..)
            .map(|attempt| Densification::probe(self.bins, i, attempt));
        let j = kept
            .chain(later)
            .find(|&j| mins[j] != u64::MAX)
            .expect("a bin is filled");
        mins[j] as u32
    }
}

thread_local! {
    /// The densification order of the table shape a thread fingerprints with.
    static DENSIFICATION: std::cell::RefCell<Option<Densification>> = const { std::cell::RefCell::new(None) };
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARAMS: MinHashParams = MinHashParams { bands: 42, rows: 3 };

    fn set(range: std::ops::Range<u64>) -> Vec<u64> {
        range.map(|i| mix(i ^ 0xabcdef)).collect()
    }

    /// The band keys as first written: a branch per shingle, and each empty bin's order worked
    /// out attempt by attempt.
    fn band_keys_one_by_one(shingles: &[u64], params: &MinHashParams) -> Vec<u32> {
        let k = params.bands * params.rows;
        let mut mins = vec![u32::MAX; k];
        let mut filled = vec![false; k];
        for &s in shingles {
            let h = mix(s);
            let bin = ((u128::from(h >> 32) * k as u128) >> 32) as usize;
            if h as u32 <= mins[bin] {
                mins[bin] = h as u32;
                filled[bin] = true;
            }
        }
        let sketch: Vec<u32> = (0..k)
            .map(|i| match filled[i] {
                true => mins[i],
                false => {
                    let j =
                        (0..).map(|attempt| (mix((i as u64) << 32 | attempt) % k as u64) as usize);
                    mins[j.into_iter().find(|&j| filled[j]).unwrap()]
                }
            })
            .collect();
        sketch
            .chunks(params.rows)
            .enumerate()
            .map(|(band, rows)| {
                let bytes: Vec<u8> = rows.iter().take(32).flat_map(|v| v.to_le_bytes()).collect();
                xxh3_64_with_seed(&bytes, band as u64) as u32
            })
            .collect()
    }

    #[test]
    fn band_keys_are_those_of_the_sketch_made_one_bin_at_a_time() {
        let shapes = [
            PARAMS,
            MinHashParams { bands: 59, rows: 2 },
            MinHashParams { bands: 31, rows: 8 },
            MinHashParams { bands: 3, rows: 40 },
        ];
        for params in shapes {
            for n in [1, 2, 5, 30, 126, 220, 1000] {
                let shingles = set(n * 7..n * 8);
                assert_eq!(
                    band_keys(&shingles, &params),
                    band_keys_one_by_one(&shingles, &params),
                    "{n} {params:?}"
                );
            }
        }
    }

    #[test]
    fn identical_sets_share_every_band() {
        let a = set(0..300);
        assert_eq!(band_keys(&a, &PARAMS), band_keys(&a, &PARAMS));
        assert_eq!(band_keys(&a, &PARAMS).len(), 42);
    }

    #[test]
    fn agreement_tracks_resemblance() {
        // J = 200 / 400 = 0.5: with 42 bands of 3, about 42 * 0.125 = 5 bands agree.
        let a = set(0..300);
        let b = set(100..400);
        let agree = band_keys(&a, &PARAMS)
            .iter()
            .zip(band_keys(&b, &PARAMS))
            .filter(|(x, y)| **x == *y)
            .count();
        assert!((1..=15).contains(&agree), "{agree} bands agree");
        // Disjoint sets agree on (almost) nothing.
        let c = set(1000..1300);
        let agree = band_keys(&a, &PARAMS)
            .iter()
            .zip(band_keys(&c, &PARAMS))
            .filter(|(x, y)| **x == *y)
            .count();
        assert!(agree <= 1, "{agree} bands agree");
    }

    #[test]
    fn short_documents_are_densified() {
        assert_eq!(band_keys(&set(0..2), &PARAMS).len(), 42);
        assert_eq!(
            band_keys(&set(0..2), &PARAMS),
            band_keys(&set(0..2), &PARAMS)
        );
    }

    #[test]
    fn tables_follow_the_threshold() {
        assert_eq!(MinHashParams::for_threshold(0.5), PARAMS);
        for t in [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0] {
            let p = MinHashParams::for_threshold(t);
            assert!(
                p.collision_probability(t) >= MinHashParams::TARGET_RECALL,
                "{t}: {p:?}"
            );
            assert!(p.bands <= 64, "{t}: {p:?}");
        }
        assert_eq!(
            MinHashParams::for_threshold(0.3),
            MinHashParams { bands: 59, rows: 2 }
        );
    }

    #[test]
    fn collision_probability_at_the_default_threshold() {
        assert!(PARAMS.collision_probability(0.5) > 0.99);
        assert!(PARAMS.collision_probability(0.1) < 0.05);
    }
}
