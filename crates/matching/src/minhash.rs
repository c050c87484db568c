//! MinHash signatures and LSH band keys over sets of 64-bit feature hashes.
//!
//! Every parameter that changes a band key is recorded in the index manifest,
//! and the hash functions are fixed here (multiply-shift with constants drawn
//! from SplitMix64 of a fixed seed), so an index stays valid across builds.

use serde::{Deserialize, Serialize};

/// Shape of the candidate search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LshParams {
    /// Immutable words per shingle.
    pub shingle: usize,
    /// Number of bands; a document is a candidate when one band agrees.
    pub bands: usize,
    /// MinHash values per band.
    pub rows: usize,
    /// Keep function words in the immutable skeleton.
    #[serde(default)]
    pub stopwords: bool,
    /// Skeleton words per window: a long document is hashed in windows
    /// (overlapping by half) so that a short copy of part of it still has a
    /// high Jaccard similarity with one of them.
    #[serde(default = "default_window")]
    pub window: usize,
}

fn default_window() -> usize {
    120
}

impl Default for LshParams {
    fn default() -> LshParams {
        LshParams { shingle: 1, bands: 32, rows: 2, stopwords: false, window: 120 }
    }
}

impl LshParams {
    pub fn hashes(&self) -> usize {
        self.bands * self.rows
    }

    /// Probability that a document with Jaccard similarity `j` to the query
    /// shares at least one band with it.
    pub fn candidate_probability(&self, j: f64) -> f64 {
        1.0 - (1.0 - j.powi(self.rows as i32)).powi(self.bands as i32)
    }
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A family of `n` hash functions h_i(x) = (a_i * x + b_i) >> 32.
pub struct MinHasher {
    a: Vec<u64>,
    b: Vec<u64>,
}

impl MinHasher {
    pub fn new(n: usize, seed: u64) -> MinHasher {
        let mut s = seed;
        let a = (0..n).map(|_| splitmix(&mut s) | 1).collect();
        let b = (0..n).map(|_| splitmix(&mut s)).collect();
        MinHasher { a, b }
    }

    pub fn len(&self) -> usize {
        self.a.len()
    }

    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }

    /// The MinHash signature of a set of features (duplicates do no harm);
    /// None for an empty set.
    pub fn signature(&self, features: &[u64]) -> Option<Vec<u32>> {
        if features.is_empty() {
            return None;
        }
        let mut sig = vec![u32::MAX; self.a.len()];
        for &f in features {
            // Features are already good hashes; scramble once more so that
            // structured inputs (small numbers) spread too.
            let x = mix(f);
            for ((s, &a), &b) in sig.iter_mut().zip(&self.a).zip(&self.b) {
                let h = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
                if h < *s {
                    *s = h;
                }
            }
        }
        Some(sig)
    }
}

/// Estimated Jaccard similarity of two signatures of the same family.
pub fn estimated_jaccard(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
}

/// One 32-bit key per band: a hash of the band's MinHash values and its number.
pub fn band_keys(sig: &[u32], p: &LshParams) -> Vec<u32> {
    sig.chunks(p.rows)
        .take(p.bands)
        .enumerate()
        .map(|(band, rows)| {
            let mut h = 0x51_7C_C1_B7_27_22_0A_95u64 ^ band as u64;
            for &r in rows {
                h = mix(h ^ r as u64);
            }
            (h >> 32) as u32
        })
        .collect()
}

/// Hashes of the `k`-grams of a key sequence (the whole sequence when it is
/// shorter than `k` but not empty).
pub fn shingles(keys: &[u64], k: usize) -> Vec<u64> {
    let k = k.max(1);
    if keys.is_empty() {
        return Vec::new();
    }
    if keys.len() < k {
        return vec![keys.iter().fold(0x2545_F491_4F6C_DD1Du64, |h, &x| mix(h ^ x))];
    }
    keys.windows(k).map(|w| w.iter().fold(0x2545_F491_4F6C_DD1Du64, |h, &x| mix(h ^ x))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_sets_agree_and_disjoint_sets_rarely_do() {
        let h = MinHasher::new(128, 7);
        let a: Vec<u64> = (0..200).collect();
        let b: Vec<u64> = (1000..1200).collect();
        let sa = h.signature(&a).unwrap();
        assert_eq!(estimated_jaccard(&sa, &h.signature(&a).unwrap()), 1.0);
        assert!(estimated_jaccard(&sa, &h.signature(&b).unwrap()) < 0.05);
        assert!(h.signature(&[]).is_none());
    }

    #[test]
    fn estimate_tracks_true_jaccard() {
        let h = MinHasher::new(256, 11);
        // |A ∩ B| = 100, |A ∪ B| = 300: J = 1/3.
        let a: Vec<u64> = (0..200).collect();
        let b: Vec<u64> = (100..300).collect();
        let j = estimated_jaccard(&h.signature(&a).unwrap(), &h.signature(&b).unwrap());
        assert!((j - 1.0 / 3.0).abs() < 0.08, "{j}");
    }

    #[test]
    fn shingles_are_order_sensitive() {
        assert_ne!(shingles(&[1, 2], 2), shingles(&[2, 1], 2));
        assert_eq!(shingles(&[1, 2, 3], 2).len(), 2);
        assert_eq!(shingles(&[1], 3).len(), 1);
        assert!(shingles(&[], 3).is_empty());
    }
}
