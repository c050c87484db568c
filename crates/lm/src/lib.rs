//! A trigram language model with Katz backoff, read in place from a
//! memory-mapped unspin model file (kind `LMOD`, see docs/format-lm.md).
//!
//! N-grams are stored suffix-first, as the Sphinx trie stores them: the
//! predicted word is the root, its history hangs below it. A query
//! P(w | h1 h2) is then one binary search in the short list of histories
//! seen before `w`, and one more for `h1`.

pub mod convert;
mod sphinx;
pub mod substitutes;

use std::path::Path;

use bytemuck::{Pod, Zeroable};
use unspin_store::Store;

pub const KIND: [u8; 4] = *b"LMOD";

/// log10 probability charged for a word the model does not know: about the
/// probability of the rarest words it does know.
pub const OOV_LOG10: f32 = -7.0;

#[derive(Debug, thiserror::Error)]
pub enum LmError {
    #[error(transparent)]
    Store(#[from] unspin_store::StoreError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {what}")]
    Format { path: String, what: String },
}

/// A word: its probability, its backoff weight as a history, and where its
/// list of histories starts in the bigram table.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct Unigram {
    pub log10_prob: f32,
    pub log10_backoff: f32,
    pub first_bigram: u32,
}

/// Bigram (`history`, w) stored under w; `first_trigram` starts its list of
/// earlier words.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct Bigram {
    pub history: u32,
    pub log10_prob: f32,
    pub log10_backoff: f32,
    pub first_trigram: u32,
}

/// Trigram (`history`, h2, w) stored under the bigram (h2, w).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct Trigram {
    pub history: u32,
    pub log10_prob: f32,
}

/// Where a left-to-right scoring stands: the last two words and, when the
/// model knows it, the bigram they form (see [`LanguageModel::advance`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    h1: u32,
    h2: u32,
    pair: u32,
}

const NO_PAIR: u32 = u32::MAX;

impl Context {
    /// The last word scored (or the second history word given).
    pub fn last(&self) -> u32 {
        self.h2
    }
}

pub struct LanguageModel {
    // Views into `store`'s memory, resolved once at load. The bytes live in
    // the memory map (or a heap buffer) owned by `store`, which never moves
    // them and outlives these views: they are dropped together.
    unigrams: &'static [Unigram],
    bigrams: &'static [Bigram],
    trigrams: &'static [Trigram],
    /// Open-addressing hash table of bigram indices (see `bigram_slots`);
    /// empty in files written before it existed, then lookups search.
    slots: &'static [u32],
    vocab: &'static str,
    store: Store,
    /// Word ids by word: a table of ids only, compared against `vocab`, so
    /// that a lookup touches a small, dense table and the contiguous
    /// vocabulary instead of a separate allocation per word.
    ids: hashbrown::HashTable<u32>,
    word_offsets: Vec<(u32, u32)>,
    /// The commonest words, each in the slot its hash names (see `HotWord`).
    hot: Vec<HotWord>,
    bos: u32,
    eos: u32,
}

/// A common word kept whole in a small direct-mapped table: most words of
/// running text are among the few thousand commonest, and finding them
/// here costs one look at a table that stays in cache, where the full
/// vocabulary costs a walk through three larger ones.
#[derive(Clone, Copy)]
struct HotWord {
    hash: u64,
    id: u32,
    len: u8,
    bytes: [u8; HOT_WORD_BYTES],
}

const HOT_WORD_BYTES: usize = 23;
/// Slots of the table of common words (a power of two).
const HOT_SLOTS: usize = 8192;

/// An empty slot of the bigram hash table.
const EMPTY_SLOT: u32 = u32::MAX;

fn slot_hash(h: u32, w: u32) -> u64 {
    (((h as u64) << 32) | w as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The bigram hash table: a power of two of slots, at least twice as many
/// as bigrams, each the index of a bigram (h, w) at the slot its hash (top
/// bits of `slot_hash`) names or the next free one (linear probing). A
/// lookup costs one or two cache misses where the binary search in the
/// histories of a common word costs a dozen.
pub(crate) fn bigram_slots(unigrams: &[Unigram], bigrams: &[Bigram]) -> Vec<u32> {
    let n = bigrams.len().saturating_sub(1);
    let size = (2 * n).next_power_of_two().max(2);
    let bits = size.trailing_zeros();
    let mut slots = vec![EMPTY_SLOT; size];
    for w in 0..unigrams.len().saturating_sub(1) {
        for b in unigrams[w].first_bigram..unigrams[w + 1].first_bigram {
            let mut i = (slot_hash(bigrams[b as usize].history, w as u32) >> (64 - bits)) as usize;
            while slots[i] != EMPTY_SLOT {
                i = (i + 1) & (size - 1);
            }
            slots[i] = b;
        }
    }
    slots
}

#[inline]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it never faults, and the address is of a
    // live reference.
    #[allow(unused_unsafe)]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(x as *const T as *const i8)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

fn word_hash(w: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(w)
}

fn find<T>(slice: &[T], key: u32, get: impl Fn(&T) -> u32) -> Option<usize> {
    slice.binary_search_by(|e| get(e).cmp(&key)).ok()
}

impl LanguageModel {
    pub fn open(path: &Path) -> Result<LanguageModel, LmError> {
        LanguageModel::from_store(Store::open(path, KIND)?)
    }

    pub fn from_store(store: Store) -> Result<LanguageModel, LmError> {
        let path = store.path().display().to_string();
        let bad = |what: String| LmError::Format { path: path.clone(), what };
        let unigrams: &[Unigram] = store.pod_section("unigrams")?;
        let bigrams: &[Bigram] = store.pod_section("bigrams")?;
        let trigrams: &[Trigram] = store.pod_section("trigrams")?;
        let vocab = store.section("vocab")?;
        let slots: &[u32] = if store.has_section("bigram_slots") { store.pod_section("bigram_slots")? } else { &[] };
        if unigrams.is_empty() {
            return Err(bad("no unigrams".into()));
        }
        let n = unigrams.len() - 1;
        // Every range used at query time is checked once here, so queries can index freely.
        for w in unigrams.windows(2) {
            if w[0].first_bigram > w[1].first_bigram {
                return Err(bad("unigram table is not ordered".into()));
            }
        }
        if unigrams[n].first_bigram as usize != bigrams.len().saturating_sub(1) {
            return Err(bad("unigram table does not cover the bigram table".into()));
        }
        for b in bigrams.windows(2) {
            if b[0].first_trigram > b[1].first_trigram {
                return Err(bad("bigram table is not ordered".into()));
            }
        }
        if bigrams.last().map(|b| b.first_trigram as usize) != Some(trigrams.len()) {
            return Err(bad("bigram table does not cover the trigram table".into()));
        }
        if bigrams.iter().any(|b| b.history as usize >= n) || trigrams.iter().any(|t| t.history as usize >= n) {
            return Err(bad("n-gram refers to a word outside the vocabulary".into()));
        }
        if !slots.is_empty() {
            let real = bigrams.len().saturating_sub(1);
            if !slots.len().is_power_of_two() || slots.len() < 2 * real {
                return Err(bad("bigram hash table has the wrong size".into()));
            }
            if slots.iter().any(|&s| s != EMPTY_SLOT && s as usize >= real) || !slots.contains(&EMPTY_SLOT) {
                return Err(bad("bigram hash table refers outside the bigram table".into()));
            }
        }
        let text = std::str::from_utf8(vocab).map_err(|_| bad("vocabulary is not UTF-8".into()))?;
        let mut ids = hashbrown::HashTable::with_capacity(n);
        let mut word_offsets = Vec::with_capacity(n);
        let mut at = 0u32;
        for (i, w) in text.split('\n').take(n).enumerate() {
            word_offsets.push((at, at + w.len() as u32));
            at += w.len() as u32 + 1;
            let offsets = &word_offsets;
            let word_at = |id: u32| &text[offsets[id as usize].0 as usize..offsets[id as usize].1 as usize];
            // A word listed twice takes its last id, as a map insert would.
            match ids.find_mut(word_hash(w), |&id| word_at(id) == w) {
                Some(id) => *id = i as u32,
                None => {
                    ids.insert_unique(word_hash(w), i as u32, |&id| word_hash(word_at(id)));
                }
            }
        }
        if word_offsets.len() != n {
            return Err(bad(format!("vocabulary has {} words, tables {n}", word_offsets.len())));
        }
        let find = |w: &str| ids.find(word_hash(w), |&id| text[word_offsets[id as usize].0 as usize..word_offsets[id as usize].1 as usize] == *w).copied();
        // The commonest words first; a slot keeps the first word hashed to it.
        let mut by_frequency: Vec<u32> = (0..n as u32).collect();
        by_frequency.sort_by(|&a, &b| unigrams[b as usize].log10_prob.total_cmp(&unigrams[a as usize].log10_prob).then(a.cmp(&b)));
        let empty = HotWord { hash: 0, id: u32::MAX, len: 0, bytes: [0; HOT_WORD_BYTES] };
        let mut hot = vec![empty; HOT_SLOTS];
        for id in by_frequency.into_iter().take(HOT_SLOTS / 2) {
            let w = &text[word_offsets[id as usize].0 as usize..word_offsets[id as usize].1 as usize];
            // Only the id the full table gives the word (a word listed
            // twice has one), and only words that fit.
            if w.len() > HOT_WORD_BYTES || find(w) != Some(id) {
                continue;
            }
            let hash = word_hash(w);
            let slot = &mut hot[hash as usize & (HOT_SLOTS - 1)];
            if slot.id == u32::MAX {
                let mut bytes = [0; HOT_WORD_BYTES];
                bytes[..w.len()].copy_from_slice(w.as_bytes());
                *slot = HotWord { hash, id, len: w.len() as u8, bytes };
            }
        }
        let bos = find("<s>").ok_or_else(|| bad("no <s> in vocabulary".into()))?;
        let eos = find("</s>").ok_or_else(|| bad("no </s> in vocabulary".into()))?;
        // SAFETY: see the field comment; the slices borrow from `store`'s
        // stable backing memory, and `store` is moved into the same struct.
        let (unigrams, bigrams, trigrams, slots, vocab) = unsafe {
            (
                std::mem::transmute::<&[Unigram], &'static [Unigram]>(unigrams),
                std::mem::transmute::<&[Bigram], &'static [Bigram]>(bigrams),
                std::mem::transmute::<&[Trigram], &'static [Trigram]>(trigrams),
                std::mem::transmute::<&[u32], &'static [u32]>(slots),
                std::mem::transmute::<&str, &'static str>(text),
            )
        };
        Ok(LanguageModel { unigrams, bigrams, trigrams, slots, vocab, store, ids, word_offsets, hot, bos, eos })
    }

    fn unigrams(&self) -> &[Unigram] {
        self.unigrams
    }
    fn bigrams(&self) -> &[Bigram] {
        self.bigrams
    }
    fn trigrams(&self) -> &[Trigram] {
        self.trigrams
    }

    pub fn word_id(&self, word: &str) -> Option<u32> {
        let hash = word_hash(word);
        let hot = &self.hot[hash as usize & (HOT_SLOTS - 1)];
        if hot.hash == hash && hot.id != u32::MAX && hot.len as usize == word.len() && &hot.bytes[..word.len()] == word.as_bytes() {
            return Some(hot.id);
        }
        self.ids.find(hash, |&id| self.word(id) == word).copied()
    }

    pub fn word(&self, id: u32) -> &str {
        let (s, e) = self.word_offsets[id as usize];
        &self.vocab[s as usize..e as usize]
    }

    /// The container this model was read from (its checksum identifies
    /// the model to files derived from it).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn vocab_len(&self) -> usize {
        self.word_offsets.len()
    }
    pub fn bos(&self) -> u32 {
        self.bos
    }
    pub fn eos(&self) -> u32 {
        self.eos
    }
    pub fn oov_log10(&self) -> f32 {
        OOV_LOG10
    }

    /// Index of bigram (h, w) in the bigram table.
    fn bigram_index(&self, h: u32, w: u32) -> Option<usize> {
        let u = self.unigrams();
        if !self.slots.is_empty() {
            let mask = self.slots.len() - 1;
            let mut i = (slot_hash(h, w) >> (64 - self.slots.len().trailing_zeros())) as usize;
            let (lo, hi) = (u[w as usize].first_bigram, u[w as usize + 1].first_bigram);
            loop {
                let b = self.slots[i];
                if b == EMPTY_SLOT {
                    return None;
                }
                if (lo..hi).contains(&b) && self.bigrams[b as usize].history == h {
                    return Some(b as usize);
                }
                i = (i + 1) & mask;
            }
        }
        self.bigram_index_by_search(h, w)
    }

    fn bigram_index_by_search(&self, h: u32, w: u32) -> Option<usize> {
        let u = self.unigrams();
        let (lo, hi) = (u[w as usize].first_bigram as usize, u[w as usize + 1].first_bigram as usize);
        find(&self.bigrams()[lo..hi], h, |b| b.history).map(|i| lo + i)
    }

    fn trigram_prob(&self, bigram: usize, h1: u32) -> Option<f32> {
        let b = self.bigrams();
        let (lo, hi) = (b[bigram].first_trigram as usize, b[bigram + 1].first_trigram as usize);
        let t = &self.trigrams()[lo..hi];
        find(t, h1, |t| t.history).map(|i| t[i].log10_prob)
    }

    pub fn has_bigram(&self, a: u32, b: u32) -> bool {
        self.valid(a) && self.valid(b) && self.bigram_index(a, b).is_some()
    }

    pub fn has_trigram(&self, a: u32, b: u32, c: u32) -> bool {
        self.valid(a) && self.valid(b) && self.valid(c) && self.bigram_index(b, c).is_some_and(|i| self.trigram_prob(i, a).is_some())
    }

    fn valid(&self, id: u32) -> bool {
        (id as usize) < self.word_offsets.len()
    }

    pub fn unigram_log10(&self, id: u32) -> f32 {
        if !self.valid(id) {
            return OOV_LOG10;
        }
        self.unigrams()[id as usize].log10_prob
    }

    /// log10 P(word | context) with Katz backoff; only the last two context
    /// ids are used. Unknown ids count as out of vocabulary.
    pub fn log10_prob(&self, context: &[u32], word: u32) -> f32 {
        if !self.valid(word) {
            return OOV_LOG10;
        }
        let ctx = &context[context.len().saturating_sub(2)..];
        let u = self.unigrams();
        match ctx {
            [] => u[word as usize].log10_prob,
            [h] => self.p2(*h, word),
            [h1, h2] => {
                if !self.valid(*h2) {
                    return u[word as usize].log10_prob;
                }
                if !self.valid(*h1) {
                    return self.p2(*h2, word);
                }
                if let Some(bi) = self.bigram_index(*h2, word) {
                    if let Some(p) = self.trigram_prob(bi, *h1) {
                        return p;
                    }
                    let bo = self.bigram_index(*h1, *h2).map(|i| self.bigrams()[i].log10_backoff).unwrap_or(0.0);
                    return bo + self.bigrams()[bi].log10_prob;
                }
                let bo2 = self.bigram_index(*h1, *h2).map(|i| self.bigrams()[i].log10_backoff).unwrap_or(0.0);
                bo2 + u[*h2 as usize].log10_backoff + u[word as usize].log10_prob
            }
            _ => unreachable!(),
        }
    }

    fn p2(&self, h: u32, w: u32) -> f32 {
        let u = self.unigrams();
        if !self.valid(h) {
            return u[w as usize].log10_prob;
        }
        match self.bigram_index(h, w) {
            Some(i) => self.bigrams()[i].log10_prob,
            None => u[h as usize].log10_backoff + u[w as usize].log10_prob,
        }
    }

    /// Asks the processor to start loading the hash-table slot of the pair
    /// `(h, w)`. A caller about to look up many independent pairs (the
    /// candidates of one phrase) prefetches a few ahead so that their cache
    /// misses overlap instead of following one another.
    #[inline]
    pub fn prefetch_slot(&self, h: u32, w: u32) {
        if !self.slots.is_empty() {
            let i = (slot_hash(h, w) >> (64 - self.slots.len().trailing_zeros())) as usize;
            prefetch(&self.slots[i]);
        }
    }

    /// The second step after [`LanguageModel::prefetch_slot`]: reads the
    /// slot (by now in cache) and starts loading the bigram record it names.
    #[inline]
    pub fn prefetch_record(&self, h: u32, w: u32) {
        if !self.slots.is_empty() {
            let i = (slot_hash(h, w) >> (64 - self.slots.len().trailing_zeros())) as usize;
            if let Some(b) = self.bigrams.get(self.slots[i] as usize) {
                prefetch(b);
            }
        }
    }

    /// The scoring state after the words `h1 h2` (either may be an id the
    /// model does not know, e.g. `u32::MAX`, meaning "no such word").
    pub fn context(&self, h1: u32, h2: u32) -> Context {
        let pair = if self.valid(h1) && self.valid(h2) { self.bigram_index(h1, h2) } else { None };
        Context { h1, h2, pair: pair.map_or(NO_PAIR, |i| i as u32) }
    }

    /// log10 P(w | context), the same value as [`LanguageModel::log10_prob`],
    /// and moves the context past `w`. Scoring a sequence this way looks up
    /// one bigram per word instead of up to three: the pair a word forms
    /// with its predecessor is the backoff history of the next word.
    pub fn advance(&self, ctx: &mut Context, w: u32) -> f32 {
        let (h1, h2, pair) = (ctx.h1, ctx.h2, ctx.pair);
        if !self.valid(w) {
            *ctx = Context { h1: h2, h2: w, pair: NO_PAIR };
            return OOV_LOG10;
        }
        let u = self.unigrams();
        if !self.valid(h2) {
            *ctx = Context { h1: h2, h2: w, pair: NO_PAIR };
            return u[w as usize].log10_prob;
        }
        let bo12 = if pair == NO_PAIR { 0.0 } else { self.bigrams()[pair as usize].log10_backoff };
        let bi = self.bigram_index(h2, w);
        let p = match bi {
            Some(bi) => match self.valid(h1).then(|| self.trigram_prob(bi, h1)).flatten() {
                Some(p) => p,
                None => bo12 + self.bigrams()[bi].log10_prob,
            },
            None => bo12 + u[h2 as usize].log10_backoff + u[w as usize].log10_prob,
        };
        *ctx = Context { h1: h2, h2: w, pair: bi.map_or(NO_PAIR, |i| i as u32) };
        p
    }

    /// Sum of log10 P over `words` given the preceding context ids.
    pub fn score_sequence(&self, context: &[u32], words: &[u32]) -> f32 {
        // A missing context word is one the model does not know: no history.
        let at = |back: usize| context.len().checked_sub(back).map_or(u32::MAX, |i| context[i]);
        let mut ctx = self.context(at(2), at(1));
        words.iter().map(|&w| self.advance(&mut ctx, w)).sum()
    }
}

#[cfg(test)]
mod slot_tests {
    /// The hash table finds exactly the bigrams the search finds, for every
    /// pair of words of a small model (seen pairs and unseen ones).
    #[test]
    fn hash_lookup_agrees_with_search() {
        let arpa = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/tiny.arpa")).unwrap();
        let lm = crate::convert::arpa_model(&arpa).unwrap();
        assert!(!lm.slots.is_empty());
        let n = lm.vocab_len() as u32;
        let mut seen = 0;
        for h in 0..n {
            for w in 0..n {
                let fast = lm.bigram_index(h, w);
                assert_eq!(fast, lm.bigram_index_by_search(h, w), "({h}, {w})");
                seen += fast.is_some() as usize;
            }
        }
        assert_eq!(seen, lm.bigrams.len() - 1);
    }

    /// The table of common words answers exactly as the full vocabulary
    /// does: for every word of a small model (all of them common enough to
    /// be in it), for words it does not know, and for a word too long for
    /// it.
    #[test]
    fn common_words_table_agrees_with_the_vocabulary() {
        let arpa = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/tiny.arpa")).unwrap();
        let lm = crate::convert::arpa_model(&arpa).unwrap();
        let mut hot = 0;
        for id in 0..lm.vocab_len() as u32 {
            let w = lm.word(id).to_string();
            let full = lm.ids.find(super::word_hash(&w), |&i| lm.word(i) == w).copied();
            assert_eq!(lm.word_id(&w), full, "{w:?}");
            hot += lm.hot.iter().any(|h| h.id == id) as usize;
        }
        assert!(hot > lm.vocab_len() / 2, "{hot} of {} words in the table", lm.vocab_len());
        for w in ["", "zzzz", "the ", "thе", "antidisestablishmentarianisms"] {
            assert_eq!(lm.word_id(w), lm.ids.find(super::word_hash(w), |&i| lm.word(i) == w).copied(), "{w:?}");
        }
    }

    /// Rolling scoring gives exactly the probabilities of `log10_prob` for
    /// every triple of words of a small model, unknown words included.
    #[test]
    fn advance_agrees_with_log10_prob() {
        let arpa = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/tiny.arpa")).unwrap();
        let lm = crate::convert::arpa_model(&arpa).unwrap();
        let unknown = u32::MAX;
        let ids: Vec<u32> = (0..lm.vocab_len() as u32).chain([unknown]).collect();
        let mut backed_off = 0;
        for &h1 in &ids {
            for &h2 in &ids {
                for &w in &ids {
                    let mut ctx = lm.context(h1, h2);
                    let rolling = lm.advance(&mut ctx, w);
                    assert_eq!(rolling, lm.log10_prob(&[h1, h2], w), "({h1}, {h2}, {w})");
                    assert_eq!(ctx, lm.context(h2, w));
                    // and one step further, where the remembered pair is used
                    for &x in &ids {
                        let mut c2 = ctx;
                        assert_eq!(lm.advance(&mut c2, x), lm.log10_prob(&[h2, w], x), "({h2}, {w}, {x})");
                    }
                    backed_off += (lm.valid(w) && !lm.has_trigram(h1, h2, w)) as usize;
                }
            }
        }
        assert!(backed_off > 0);
        // Whole sequences after contexts of every length, as a caller
        // without `advance` would score them.
        for context in [&[][..], &ids[..1], &ids[1..3], &[unknown, ids[0]][..]] {
            let words: Vec<u32> = ids.iter().rev().copied().collect();
            let mut hist: Vec<u32> = context.to_vec();
            let mut expected = 0.0;
            for &w in &words {
                expected += lm.log10_prob(&hist, w);
                hist.push(w);
            }
            assert_eq!(lm.score_sequence(context, &words), expected, "context {context:?}");
        }
    }
}
