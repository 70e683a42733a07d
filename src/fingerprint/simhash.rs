//! 64-bit SimHash (Charikar 2002) over a document's shingle hashes.
//!
//! Our own implementation works on precomputed 64-bit feature hashes instead of hashing strings
//! again; with the same feature hashes it gives exactly what `simhash::simhash_stream` gives (tested).

/// A 64-bit SimHash fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SimHash64(pub u64);

impl SimHash64 {
    /// Unweighted SimHash: bit i is set when more features have bit i set than clear.
    pub fn from_feature_hashes<I: IntoIterator<Item = u64>>(features: I) -> SimHash64 {
        let mut weights = [0i32; 64];
        for h in features {
            for (i, w) in weights.iter_mut().enumerate() {
                // Branch-free +1 / -1, vectorised by the compiler.
                *w = w.saturating_add((((h >> i) & 1) as i32) * 2 - 1);
            }
        }
        let mut bits = 0u64;
        for (i, w) in weights.iter().enumerate() {
            if *w > 0 {
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
