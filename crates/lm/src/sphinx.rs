//! Reader of the Sphinx "Trie Language Model" binary (`en-us.lm.bin`).
//!
//! Layout (little-endian): the ASCII header "Trie Language Model"; order
//! (u8); n-gram counts (u32 each); the quantiser type (i32, 1 = 16-bit bins)
//! and its bin tables (f32, 65536 each: bigram probabilities, bigram
//! backoffs, trigram probabilities); counts[0]+1 unigram records
//! {f32 prob, f32 backoff, u32 first bigram}; the bigram bit array (entries
//! of word, 16-bit backoff code, 16-bit probability code — the probability
//! in the higher bits — and next pointer) and the trigram bit array (word,
//! 16-bit probability code), each with one sentinel entry and 8 bytes of
//! padding; then the vocabulary: an i32 byte length and NUL-separated words.
//! N-grams are stored last word first. Scores are in Sphinx "logmath" units,
//! natural logarithms with base 1.0001.

use crate::convert::NgramLists;

const HEADER: &[u8] = b"Trie Language Model";
const BINS: usize = 1 << 16;

fn required_bits(max: u32) -> u32 {
    32 - max.leading_zeros()
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.b.len()).ok_or("truncated file")?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
}

/// Reads `bits` (at most 57) bits starting at bit `bit` of `base`.
fn read_bits(base: &[u8], bit: u64, bits: u32) -> u64 {
    let byte = (bit / 8) as usize;
    let mut buf = [0u8; 8];
    let end = (byte + 8).min(base.len());
    buf[..end - byte].copy_from_slice(&base[byte..end]);
    (u64::from_le_bytes(buf) >> (bit % 8)) & ((1u64 << bits) - 1)
}

pub fn read(b: &[u8]) -> Result<NgramLists, String> {
    let mut r = Reader { b, at: 0 };
    if r.take(HEADER.len()).map_err(|_| "not a Sphinx trie language model")? != HEADER {
        return Err("not a Sphinx trie language model (bad header)".into());
    }
    let order = r.take(1)?[0];
    if order != 3 {
        return Err(format!("order {order} models are not supported (need 3)"));
    }
    let (n1, n2, n3) = (r.u32()?, r.u32()?, r.u32()?);
    let quant = r.u32()?;
    if quant != 1 {
        return Err(format!("quantisation type {quant} is not supported"));
    }
    let log10 = (1.0001f64).log10() as f32;
    let mut bins = vec![0f32; 3 * BINS];
    for v in bins.iter_mut() {
        *v = r.f32()? * log10;
    }
    let mut unigrams = Vec::with_capacity(n1 as usize);
    let mut firsts = Vec::with_capacity(n1 as usize + 1);
    for _ in 0..=n1 {
        let (p, bo, next) = (r.f32()?, r.f32()?, r.u32()?);
        unigrams.push((p * log10, bo * log10));
        firsts.push(next);
    }
    unigrams.pop();
    let word_bits = required_bits(n1);
    let ptr_bits = required_bits(n3);
    let mid_bits = word_bits + 32 + ptr_bits;
    let long_bits = word_bits + 16;
    let mid_len = ((1 + n2 as u64) * mid_bits as u64).div_ceil(8) as usize + 8;
    let long_len = ((1 + n3 as u64) * long_bits as u64).div_ceil(8) as usize + 8;
    let mid = r.take(mid_len)?;
    let long = r.take(long_len)?;
    let vlen = r.u32()? as usize;
    let vocab_bytes = r.take(vlen)?;
    let vocab: Vec<String> = vocab_bytes
        .split(|&c| c == 0)
        .take(n1 as usize)
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    if vocab.len() != n1 as usize {
        return Err(format!("vocabulary has {} words, header says {n1}", vocab.len()));
    }
    let mid_entry = |i: u32| {
        let at = i as u64 * mid_bits as u64;
        let word = read_bits(mid, at, word_bits) as u32;
        let q = read_bits(mid, at + word_bits as u64, 32) as u32;
        let next = read_bits(mid, at + word_bits as u64 + 32, ptr_bits) as u32;
        (word, bins[(q >> 16) as usize], bins[BINS + (q & 0xffff) as usize], next)
    };
    let mut bigrams = Vec::with_capacity(n2 as usize);
    let mut trigrams = Vec::with_capacity(n3 as usize);
    for w in 0..n1 {
        let (lo, hi) = (firsts[w as usize], firsts[w as usize + 1]);
        if lo > hi || hi > n2 {
            return Err("corrupt unigram table".into());
        }
        for i in lo..hi {
            let (h, p, bo, tlo) = mid_entry(i);
            let thi = mid_entry(i + 1).3;
            if h >= n1 || tlo > thi || thi > n3 {
                return Err("corrupt bigram table".into());
            }
            bigrams.push((h, w, p, bo));
            for j in tlo..thi {
                let at = j as u64 * long_bits as u64;
                let h1 = read_bits(long, at, word_bits) as u32;
                let q = read_bits(long, at + word_bits as u64, 16) as usize;
                if h1 >= n1 {
                    return Err("corrupt trigram table".into());
                }
                trigrams.push((h1, h, w, bins[2 * BINS + q]));
            }
        }
    }
    Ok(NgramLists { vocab, unigrams, bigrams, trigrams })
}
