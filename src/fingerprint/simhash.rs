//! 64-bit SimHash (Charikar 2002) over a document's shingle hashes.
//!
//! Our own implementation works on precomputed 64-bit feature hashes instead of hashing strings
//! again; with the same feature hashes it gives exactly what `simhash::simhash_stream` gives (tested).

/// A 64-bit SimHash fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SimHash64(pub u64);

impl SimHash64 {
    /// Unweighted SimHash: bit i is set when more features have bit i set than clear.
    ///
    /// Counts the set bits with eight 64-bit accumulators of byte-wide counters (SWAR): lane j,
    /// byte b counts bit 8b + j, eight additions a feature instead of sixty-four. Byte counters are
    /// flushed before they can overflow.
    pub fn from_feature_hashes<I: IntoIterator<Item = u64>>(features: I) -> SimHash64 {
        const LOW_BITS: u64 = 0x0101_0101_0101_0101;
        let mut ones = [0u64; 64];
        let mut lanes = [0u64; 8];
        let flush = |lanes: &mut [u64; 8], ones: &mut [u64; 64]| {
            for (j, lane) in lanes.iter_mut().enumerate() {
                for b in 0..8 {
                    ones[8 * b + j] += (*lane >> (8 * b)) & 0xff;
                }
                *lane = 0;
            }
        };
        let (mut n, mut pending) = (0u64, 0u32);
        for h in features {
            for (j, lane) in lanes.iter_mut().enumerate() {
                *lane += (h >> j) & LOW_BITS;
            }
            n += 1;
            pending += 1;
            if pending == 255 {
                flush(&mut lanes, &mut ones);
                pending = 0;
            }
        }
        flush(&mut lanes, &mut ones);
        let mut bits = 0u64;
        for (i, &set) in ones.iter().enumerate() {
            // More set than clear: set - (n - set) > 0.
            if 2 * set > n {
                bits |= 1 << i;
            }
        }
        SimHash64(bits)
    }

    /// Number of differing bits.
    pub fn hamming(self, other: SimHash64) -> u32 {
        (self.0 ^ other.0).count_ones()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{Hash, Hasher};

    fn sip(word: &str) -> u64 {
        let mut s = siphasher::sip::SipHasher::default();
        word.hash(&mut s);
        s.finish()
    }

    #[test]
    fn equals_the_simhash_crate_on_the_same_features() {
        let texts = [
            "The cat sat on the mat",
            "Bamako woke up around 5:00 a.m. to the sound of gunfire interspersed with explosions",
            "",
            "a a a a b",
        ];
        // More than 255 features, so the byte counters are flushed mid-stream.
        let long: String = (0..1000).map(|i| format!("w{} ", i % 700)).collect();
        let texts: Vec<&str> = texts.into_iter().chain([long.as_str()]).collect();
        for text in texts {
            let ours = SimHash64::from_feature_hashes(text.split_whitespace().map(sip));
            assert_eq!(
                ours.0,
                simhash::simhash_stream(text.split_whitespace()),
                "{text}"
            );
        }
    }

    #[test]
    fn hamming_counts_bits() {
        assert_eq!(SimHash64(0).hamming(SimHash64(u64::MAX)), 64);
        assert_eq!(SimHash64(0b1010).hamming(SimHash64(0b0110)), 2);
    }
}
