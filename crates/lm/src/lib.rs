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

/// Where a left-to-right scoring stands: the last two words and, once
/// looked up, the backoff weight of the pair they form (see
/// [`LanguageModel::advance`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    h1: u32,
    h2: u32,
    /// The bits of the pair's log10 backoff (0.0 for a pair the model never
    /// saw), or `UNKNOWN_BACKOFF` until a step needs it.
    pair_backoff: u32,
}

/// A NaN bit pattern: no backoff weight is NaN.
const UNKNOWN_BACKOFF: u32 = u32::MAX;

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
    // Queries read the hash tables; the sorted lists stay the reference
    // that tests check the tables against.
    #[cfg_attr(not(test), allow(dead_code))]
    trigrams: &'static [Trigram],
    /// Open-addressing hash tables of every bigram and trigram with its
    /// values (see `hash_table`): a query hashes the word ids straight to
    /// the one slot that answers it.
    bigram_table: &'static [BigramSlot],
    trigram_table: &'static [TrigramSlot],
    /// Bit filters of the same n-grams (see `NgramFilter`): most pairs and
    /// nearly all triples a scoring step asks for are not in the model,
    /// and the small filter says so from cache.
    bigram_filter: NgramFilter,
    trigram_filter: NgramFilter,
    vocab: &'static str,
    store: Store,
    /// Word ids by word: a table of ids only, compared against `vocab`, so
    /// that a lookup touches a small, dense table and the contiguous
    /// vocabulary instead of a separate allocation per word.
    ids: hashbrown::HashTable<u32>,
    word_offsets: Vec<(u32, u32)>,
    /// The commonest words, each in the slot its hash names (see `HotWord`).
    hot: Vec<HotWord>,
    /// Every word that fits, kept whole in an open-addressing table (see
    /// `InlineWord`): the lookup of a word missing from `hot` then costs one
    /// look at a 4 MB table instead of a walk through `ids`,
    /// `word_offsets` and `vocab`, a dependent cache miss each.
    inline: Vec<InlineWord>,
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

/// A word in the table of all words: its bytes and id in 32 bytes, two to a
/// cache line. A free slot has `len == 0`.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct InlineWord {
    len: u8,
    bytes: [u8; INLINE_WORD_BYTES],
    id: u32,
}

const INLINE_WORD_BYTES: usize = 27;
/// Slots of the table of common words (a power of two).
const HOT_SLOTS: usize = 8192;

/// A bigram in the bigram hash table, with its values; a free slot has
/// `history == FREE`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct BigramSlot {
    pub history: u32,
    pub word: u32,
    pub log10_prob: f32,
    pub log10_backoff: f32,
}

/// A trigram (`h1`, `h2`, `word`) in the trigram hash table; a free slot
/// has `h1 == FREE`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct TrigramSlot {
    pub h1: u32,
    pub h2: u32,
    pub word: u32,
    pub log10_prob: f32,
}

/// The first field of a free slot of either hash table (never a word id).
const FREE: u32 = u32::MAX;
const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

fn bigram_hash(h: u32, w: u32) -> u64 {
    (((h as u64) << 32) | w as u64).wrapping_mul(MIX)
}

fn trigram_hash(h1: u32, h2: u32, w: u32) -> u64 {
    ((((h1 as u64) << 32) | h2 as u64).wrapping_mul(MIX) ^ w as u64).wrapping_mul(MIX)
}

/// The slot a hash names in a table of `len` slots (a power of two, at
/// least 2): its top bits.
#[inline]
fn home_slot(hash: u64, len: usize) -> usize {
    (hash >> (64 - len.trailing_zeros())) as usize
}

/// An open-addressing hash table with linear probing: `size` slots (a power
/// of two, comfortably more than the items), each item at the slot its hash
/// names or the next free one (wrapping). A lookup costs one cache miss
/// where the sorted lists cost a dozen for a common word, and the address
/// comes from the ids alone, so lookups of one scoring step overlap.
fn hash_table<T: Copy>(size: usize, free: T, items: impl Iterator<Item = (u64, T)>) -> Vec<T> {
    let mut slots = vec![free; size];
    let mut used = vec![false; size];
    for (hash, item) in items {
        let mut i = home_slot(hash, size);
        while used[i] {
            i = (i + 1) & (size - 1);
        }
        used[i] = true;
        slots[i] = item;
    }
    slots
}

/// Slots of an n-gram hash table of `n` items: at least twice as many.
fn ngram_table_size(n: usize) -> usize {
    (2 * n).next_power_of_two().max(2)
}

/// A Bloom filter of n-gram hashes with both of an item's bits in one
/// 64-bit word: a query reads one word, which for a 4 MB filter usually
/// sits in the processor's cache, where the hash table's slot is a trip to
/// memory. About 16 bits per item: 1 in 100 absent n-grams gets through.
#[derive(Clone, Copy)]
struct NgramFilter {
    words: &'static [u64],
}

/// Filter bits per item (before rounding the size up to a power of two).
const FILTER_BITS_PER_ITEM: usize = 16;

/// The word of a filter of `len` words (a power of two, at least 2) an
/// n-gram hash selects, and its two bits there. The word comes from the
/// hash's top bits; the bits from a second mix, so they do not repeat the
/// word's choice.
#[inline]
fn filter_probe(hash: u64, len: usize) -> (usize, u64) {
    let m = (hash ^ (hash >> 29)).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    (home_slot(hash, len), (1u64 << (m >> 58)) | (1u64 << ((m >> 52) & 63)))
}

fn build_filter(hashes: impl ExactSizeIterator<Item = u64>) -> Vec<u64> {
    let len = (hashes.len() * FILTER_BITS_PER_ITEM / 64).next_power_of_two().max(2);
    let mut words = vec![0u64; len];
    for h in hashes {
        let (i, bits) = filter_probe(h, len);
        words[i] |= bits;
    }
    words
}

impl NgramFilter {
    #[inline]
    fn may_contain(&self, hash: u64) -> bool {
        let (i, bits) = filter_probe(hash, self.words.len());
        self.words[i] & bits == bits
    }

    #[inline]
    fn prefetch(&self, hash: u64) {
        prefetch(&self.words[filter_probe(hash, self.words.len()).0]);
    }
}

/// Linear probing from the slot `hash` names: the item `is_key` accepts,
/// or None at the first free slot (the loader checks that there is one).
#[inline]
fn probe<T>(table: &[T], hash: u64, is_key: impl Fn(&T) -> bool, is_free: impl Fn(&T) -> bool) -> Option<&T> {
    let mut i = home_slot(hash, table.len());
    loop {
        let item = &table[i];
        if is_key(item) {
            return Some(item);
        }
        if is_free(item) {
            return None;
        }
        i = (i + 1) & (table.len() - 1);
    }
}

/// The sections scoring reads: the hash tables of every bigram and trigram
/// of the suffix-first lists (a trigram is reachable there only under its
/// bigram; so it is here) and their filters.
pub(crate) struct NgramSections {
    pub bigram_table: Vec<BigramSlot>,
    pub trigram_table: Vec<TrigramSlot>,
    pub bigram_filter: Vec<u64>,
    pub trigram_filter: Vec<u64>,
}

pub(crate) fn ngram_sections(unigrams: &[Unigram], bigrams: &[Bigram], trigrams: &[Trigram]) -> NgramSections {
    let mut bi = Vec::with_capacity(bigrams.len().saturating_sub(1));
    let mut tri = Vec::with_capacity(trigrams.len());
    for w in 0..unigrams.len().saturating_sub(1) {
        for b in unigrams[w].first_bigram as usize..unigrams[w + 1].first_bigram as usize {
            let r = &bigrams[b];
            let slot = BigramSlot { history: r.history, word: w as u32, log10_prob: r.log10_prob, log10_backoff: r.log10_backoff };
            bi.push((bigram_hash(r.history, w as u32), slot));
            for t in &trigrams[r.first_trigram as usize..bigrams[b + 1].first_trigram as usize] {
                let slot = TrigramSlot { h1: t.history, h2: r.history, word: w as u32, log10_prob: t.log10_prob };
                tri.push((trigram_hash(t.history, r.history, w as u32), slot));
            }
        }
    }
    let free_bigram = BigramSlot { history: FREE, word: FREE, log10_prob: 0.0, log10_backoff: 0.0 };
    let free_trigram = TrigramSlot { h1: FREE, h2: FREE, word: FREE, log10_prob: 0.0 };
    NgramSections {
        bigram_filter: build_filter(bi.iter().map(|&(hash, _)| hash)),
        trigram_filter: build_filter(tri.iter().map(|&(hash, _)| hash)),
        bigram_table: hash_table(ngram_table_size(bi.len()), free_bigram, bi.into_iter()),
        trigram_table: hash_table(ngram_table_size(tri.len()), free_trigram, tri.into_iter()),
    }
}

#[inline]
/// Asks the processor to start loading the cache line of `x` (a hint; a
/// no-op on other architectures than x86-64).
pub fn prefetch<T>(x: &T) {
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

#[cfg(test)]
fn find<T>(slice: &[T], key: u32, get: impl Fn(&T) -> u32) -> Option<usize> {
    slice.binary_search_by(|e| get(e).cmp(&key)).ok()
}

impl LanguageModel {
    pub fn open(path: &Path) -> Result<LanguageModel, LmError> {
        LanguageModel::from_store(Store::load(path, KIND)?)
    }

    pub fn from_store(store: Store) -> Result<LanguageModel, LmError> {
        let path = store.path().display().to_string();
        let bad = |what: String| LmError::Format { path: path.clone(), what };
        let unigrams: &[Unigram] = store.pod_section("unigrams")?;
        let bigrams: &[Bigram] = store.pod_section("bigrams")?;
        let trigrams: &[Trigram] = store.pod_section("trigrams")?;
        let vocab = store.section("vocab")?;
        if !store.has_section("bigram_table") {
            return Err(bad("written by an older unspin (no n-gram hash tables); rebuild the model with `unspin build-model`".into()));
        }
        let bigram_table: &[BigramSlot] = store.pod_section("bigram_table")?;
        let trigram_table: &[TrigramSlot] = store.pod_section("trigram_table")?;
        let bigram_filter: &[u64] = store.pod_section("bigram_filter")?;
        let trigram_filter: &[u64] = store.pod_section("trigram_filter")?;
        if !bigram_filter.len().is_power_of_two() || bigram_filter.len() < 2 || !trigram_filter.len().is_power_of_two() || trigram_filter.len() < 2 {
            return Err(bad("n-gram filter has the wrong size".into()));
        }
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
        // A probe stops at the key or at a free slot: a table without one
        // would never stop for a missing key. What the slots hold is only
        // compared and returned, never used as an index.
        if !bigram_table.len().is_power_of_two() || bigram_table.len() < 2 || !bigram_table.iter().any(|b| b.history == FREE) {
            return Err(bad("bigram hash table has the wrong size or no free slot".into()));
        }
        if !trigram_table.len().is_power_of_two() || trigram_table.len() < 2 || !trigram_table.iter().any(|t| t.h1 == FREE) {
            return Err(bad("trigram hash table has the wrong size or no free slot".into()));
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
        let word_text = |id: u32| &text[word_offsets[id as usize].0 as usize..word_offsets[id as usize].1 as usize];
        let find = |w: &str| ids.find(word_hash(w), |&id| word_text(id) == w).copied();
        // The commonest words first; a slot keeps the first word hashed to it.
        let mut by_frequency: Vec<u32> = (0..n as u32).collect();
        by_frequency.sort_by(|&a, &b| unigrams[b as usize].log10_prob.total_cmp(&unigrams[a as usize].log10_prob).then(a.cmp(&b)));
        let empty = HotWord { hash: 0, id: u32::MAX, len: 0, bytes: [0; HOT_WORD_BYTES] };
        let mut hot = vec![empty; HOT_SLOTS];
        for id in by_frequency.into_iter().take(HOT_SLOTS / 2) {
            let w = word_text(id);
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
        // Each word once, under the id the full table gives it.
        let fitting = (0..n as u32).map(|id| (id, word_text(id))).filter(|&(id, w)| (1..=INLINE_WORD_BYTES).contains(&w.len()) && find(w) == Some(id));
        let free = InlineWord { len: 0, bytes: [0; INLINE_WORD_BYTES], id: u32::MAX };
        let inline = hash_table((n + n / 2).next_power_of_two().max(2), free, fitting.map(|(id, w)| {
            let mut bytes = [0; INLINE_WORD_BYTES];
            bytes[..w.len()].copy_from_slice(w.as_bytes());
            (word_hash(w), InlineWord { len: w.len() as u8, bytes, id })
        }));
        let bos = find("<s>").ok_or_else(|| bad("no <s> in vocabulary".into()))?;
        let eos = find("</s>").ok_or_else(|| bad("no </s> in vocabulary".into()))?;
        // SAFETY: see the field comment; the slices borrow from `store`'s
        // stable backing memory, and `store` is moved into the same struct.
        let (unigrams, bigrams, trigrams, bigram_table, trigram_table, bigram_filter, trigram_filter, vocab) = unsafe {
            (
                std::mem::transmute::<&[Unigram], &'static [Unigram]>(unigrams),
                std::mem::transmute::<&[Bigram], &'static [Bigram]>(bigrams),
                std::mem::transmute::<&[Trigram], &'static [Trigram]>(trigrams),
                std::mem::transmute::<&[BigramSlot], &'static [BigramSlot]>(bigram_table),
                std::mem::transmute::<&[TrigramSlot], &'static [TrigramSlot]>(trigram_table),
                std::mem::transmute::<&[u64], &'static [u64]>(bigram_filter),
                std::mem::transmute::<&[u64], &'static [u64]>(trigram_filter),
                std::mem::transmute::<&str, &'static str>(text),
            )
        };
        let (bigram_filter, trigram_filter) = (NgramFilter { words: bigram_filter }, NgramFilter { words: trigram_filter });
        Ok(LanguageModel { unigrams, bigrams, trigrams, bigram_table, trigram_table, bigram_filter, trigram_filter, vocab, store, ids, word_offsets, hot, inline, bos, eos })
    }

    fn unigrams(&self) -> &[Unigram] {
        self.unigrams
    }
    fn bigrams(&self) -> &[Bigram] {
        self.bigrams
    }
    #[cfg(test)]
    fn trigrams(&self) -> &[Trigram] {
        self.trigrams
    }

    pub fn word_id(&self, word: &str) -> Option<u32> {
        let hash = word_hash(word);
        let hot = &self.hot[hash as usize & (HOT_SLOTS - 1)];
        if hot.hash == hash && hot.id != u32::MAX && hot.len as usize == word.len() && &hot.bytes[..word.len()] == word.as_bytes() {
            return Some(hot.id);
        }
        if (1..=INLINE_WORD_BYTES).contains(&word.len()) {
            let is_word = |slot: &InlineWord| slot.len as usize == word.len() && &slot.bytes[..word.len()] == word.as_bytes();
            return probe(&self.inline, hash, is_word, |slot| slot.len == 0).map(|slot| slot.id);
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

    /// The bigram (h, w) from the hash table (both valid ids).
    #[inline]
    fn bigram(&self, h: u32, w: u32) -> Option<&BigramSlot> {
        let hash = bigram_hash(h, w);
        if !self.bigram_filter.may_contain(hash) {
            return None;
        }
        probe(self.bigram_table, hash, |b| b.history == h && b.word == w, |b| b.history == FREE)
    }

    /// log10 P of the trigram (h1, h2, w) from the hash table (valid ids).
    #[inline]
    fn trigram(&self, h1: u32, h2: u32, w: u32) -> Option<f32> {
        let hash = trigram_hash(h1, h2, w);
        if !self.trigram_filter.may_contain(hash) {
            return None;
        }
        probe(self.trigram_table, hash, |t| t.h1 == h1 && t.h2 == h2 && t.word == w, |t| t.h1 == FREE).map(|t| t.log10_prob)
    }

    /// Index of bigram (h, w) in the suffix-first bigram list, by binary
    /// search: the structure the hash tables are checked against.
    #[cfg(test)]
    fn bigram_index_by_search(&self, h: u32, w: u32) -> Option<usize> {
        let u = self.unigrams();
        let (lo, hi) = (u[w as usize].first_bigram as usize, u[w as usize + 1].first_bigram as usize);
        find(&self.bigrams()[lo..hi], h, |b| b.history).map(|i| lo + i)
    }

    #[cfg(test)]
    fn trigram_by_search(&self, h1: u32, h2: u32, w: u32) -> Option<f32> {
        let bigram = self.bigram_index_by_search(h2, w)?;
        let b = self.bigrams();
        let (lo, hi) = (b[bigram].first_trigram as usize, b[bigram + 1].first_trigram as usize);
        let t = &self.trigrams()[lo..hi];
        find(t, h1, |t| t.history).map(|i| t[i].log10_prob)
    }

    pub fn has_bigram(&self, a: u32, b: u32) -> bool {
        self.valid(a) && self.valid(b) && self.bigram(a, b).is_some()
    }

    pub fn has_trigram(&self, a: u32, b: u32, c: u32) -> bool {
        self.valid(a) && self.valid(b) && self.valid(c) && self.trigram(a, b, c).is_some()
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
        let at = |back: usize| context.len().checked_sub(back).map_or(u32::MAX, |i| context[i]);
        let mut ctx = self.context(at(2), at(1));
        self.advance(&mut ctx, word)
    }

    /// Asks the processor to start loading the hash-table slots that
    /// scoring `words` after `ctx` (then `tail`) will read. A caller about
    /// to score many independent alternatives (the candidates of one
    /// phrase) prefetches a few ahead so that their cache misses overlap
    /// instead of following one another.
    #[inline]
    pub fn prefetch_path(&self, ctx: &Context, words: &[u32], tail: &[u32]) {
        let (mut h1, mut h2) = (ctx.h1, ctx.h2);
        for &w in words.iter().chain(tail) {
            self.trigram_filter.prefetch(trigram_hash(h1, h2, w));
            self.prefetch_bigram(h2, w);
            (h1, h2) = (h2, w);
        }
    }

    /// Asks the processor to start loading what [`LanguageModel::has_bigram`]
    /// reads for each adjacent pair of `words`, so that a sentence's lookups
    /// overlap instead of following one another.
    #[inline]
    pub fn prefetch_pairs(&self, words: &[u32]) {
        for pair in words.windows(2) {
            self.prefetch_bigram(pair[0], pair[1]);
        }
    }

    /// Starts loading the filter word and the slot of the bigram (h, w):
    /// about a third of the pairs scoring asks for are in the model, worth
    /// their slot too (asking the filter first stalls on it, which costs
    /// more).
    #[inline]
    fn prefetch_bigram(&self, h: u32, w: u32) {
        let hash = bigram_hash(h, w);
        self.bigram_filter.prefetch(hash);
        prefetch(&self.bigram_table[home_slot(hash, self.bigram_table.len())]);
    }

    /// The scoring state after the words `h1 h2` (either may be an id the
    /// model does not know, e.g. `u32::MAX`, meaning "no such word").
    pub fn context(&self, h1: u32, h2: u32) -> Context {
        Context { h1, h2, pair_backoff: UNKNOWN_BACKOFF }
    }

    /// log10 P(w | context), the same value as [`LanguageModel::log10_prob`],
    /// and moves the context past `w`. Scoring a sequence this way looks up
    /// the trigram, and only when it is missing the bigram and the backoff
    /// of the history pair, which the previous step usually knows already.
    pub fn advance(&self, ctx: &mut Context, w: u32) -> f32 {
        let (h1, h2) = (ctx.h1, ctx.h2);
        let u = self.unigrams();
        if !self.valid(w) || !self.valid(h2) {
            *ctx = Context { h1: h2, h2: w, pair_backoff: UNKNOWN_BACKOFF };
            return if self.valid(w) { u[w as usize].log10_prob } else { OOV_LOG10 };
        }
        let h1_valid = self.valid(h1);
        if h1_valid {
            if let Some(p) = self.trigram(h1, h2, w) {
                *ctx = Context { h1: h2, h2: w, pair_backoff: UNKNOWN_BACKOFF };
                return p;
            }
        }
        let bo12 = if !h1_valid {
            0.0
        } else if ctx.pair_backoff != UNKNOWN_BACKOFF {
            f32::from_bits(ctx.pair_backoff)
        } else {
            self.bigram(h1, h2).map_or(0.0, |b| b.log10_backoff)
        };
        let bi = self.bigram(h2, w);
        let p = match bi {
            Some(b) => bo12 + b.log10_prob,
            None => bo12 + u[h2 as usize].log10_backoff + u[w as usize].log10_prob,
        };
        *ctx = Context { h1: h2, h2: w, pair_backoff: bi.map_or(0.0, |b| b.log10_backoff).to_bits() };
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
    /// The hash tables find exactly the n-grams the sorted lists hold, with
    /// their values, for every pair and triple of words of a small model
    /// (seen ones and unseen ones).
    #[test]
    fn hash_lookup_agrees_with_search() {
        let arpa = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/tiny.arpa")).unwrap();
        let lm = crate::convert::arpa_model(&arpa).unwrap();
        assert!(lm.bigram_table.len() >= 2 * (lm.bigrams.len() - 1));
        let n = lm.vocab_len() as u32;
        let (mut seen, mut seen3) = (0, 0);
        for h in 0..n {
            for w in 0..n {
                let fast = lm.bigram(h, w).map(|b| (b.log10_prob, b.log10_backoff));
                let slow = lm.bigram_index_by_search(h, w).map(|i| (lm.bigrams[i].log10_prob, lm.bigrams[i].log10_backoff));
                assert_eq!(fast, slow, "({h}, {w})");
                seen += fast.is_some() as usize;
                for h0 in 0..n {
                    let fast = lm.trigram(h0, h, w);
                    assert_eq!(fast, lm.trigram_by_search(h0, h, w), "({h0}, {h}, {w})");
                    seen3 += fast.is_some() as usize;
                }
            }
        }
        assert_eq!(seen, lm.bigrams.len() - 1);
        assert_eq!(seen3, lm.trigrams.len());
    }

    /// Katz backoff as the format describes it, read from the sorted lists
    /// by binary search: the reference the hashed scoring must match.
    fn katz_by_search(lm: &super::LanguageModel, h1: u32, h2: u32, w: u32) -> f32 {
        let u = lm.unigrams();
        if !lm.valid(w) {
            return super::OOV_LOG10;
        }
        if !lm.valid(h2) {
            return u[w as usize].log10_prob;
        }
        if lm.valid(h1) {
            if let Some(p) = lm.trigram_by_search(h1, h2, w) {
                return p;
            }
        }
        let bo12 = if lm.valid(h1) { lm.bigram_index_by_search(h1, h2).map_or(0.0, |i| lm.bigrams[i].log10_backoff) } else { 0.0 };
        match lm.bigram_index_by_search(h2, w) {
            Some(i) => bo12 + lm.bigrams[i].log10_prob,
            None => bo12 + u[h2 as usize].log10_backoff + u[w as usize].log10_prob,
        }
    }

    /// Rolling scoring gives exactly the Katz probabilities for every
    /// triple of words of a small model and the word after it, unknown
    /// words included, whether the pair's backoff was looked up by an
    /// earlier step or not.
    #[test]
    fn advance_agrees_with_katz_by_search() {
        let arpa = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/tiny.arpa")).unwrap();
        let lm = crate::convert::arpa_model(&arpa).unwrap();
        let unknown = u32::MAX;
        let ids: Vec<u32> = (0..lm.vocab_len() as u32).chain([unknown]).collect();
        let (mut backed_off, mut remembered) = (0, 0);
        for &h1 in &ids {
            for &h2 in &ids {
                for &w in &ids {
                    let mut ctx = lm.context(h1, h2);
                    let expected = katz_by_search(&lm, h1, h2, w);
                    assert_eq!(lm.advance(&mut ctx, w), expected, "({h1}, {h2}, {w})");
                    assert_eq!(lm.log10_prob(&[h1, h2], w), expected);
                    remembered += (ctx.pair_backoff != super::UNKNOWN_BACKOFF) as usize;
                    for &x in &ids {
                        let mut c2 = ctx;
                        assert_eq!(lm.advance(&mut c2, x), katz_by_search(&lm, h2, w, x), "({h2}, {w}, {x})");
                    }
                    backed_off += (lm.valid(w) && !lm.has_trigram(h1, h2, w)) as usize;
                }
            }
        }
        assert!(backed_off > 0 && remembered > 0);
        // Whole sequences after contexts of every length.
        for context in [&[][..], &ids[..1], &ids[1..3], &[unknown, ids[0]][..]] {
            let words: Vec<u32> = ids.iter().rev().copied().collect();
            let mut hist: Vec<u32> = context.to_vec();
            let mut expected = 0.0;
            for &w in &words {
                let at = |back: usize| hist.len().checked_sub(back).map_or(unknown, |i| hist[i]);
                expected += katz_by_search(&lm, at(2), at(1), w);
                hist.push(w);
            }
            assert_eq!(lm.score_sequence(context, &words), expected, "context {context:?}");
        }
    }

    /// A file from before the hash tables is refused with the command that
    /// rebuilds it, and tables a probe could loop in forever (no free
    /// slot) or index outside (not a power of two) are refused too.
    #[test]
    fn missing_or_unusable_hash_tables_are_errors() {
        use unspin_store::{Store, Writer};
        let arpa = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/tiny.arpa")).unwrap();
        let (good, _) = crate::convert::parse_arpa(&arpa).unwrap().to_writer().unwrap();
        let store = Store::from_bytes("good", &good.to_bytes(), super::KIND).unwrap();
        let rebuilt = |replace: &dyn Fn(&str, &[u8]) -> Option<Vec<u8>>| {
            let mut w = Writer::new(super::KIND);
            for name in ["unigrams", "bigrams", "trigrams", "vocab", "bigram_table", "trigram_table", "bigram_filter", "trigram_filter"] {
                if let Some(bytes) = replace(name, store.section(name).unwrap()) {
                    w.add(name, bytes);
                }
            }
            super::LanguageModel::from_store(Store::from_bytes("test", &w.to_bytes(), super::KIND).unwrap())
        };
        assert!(rebuilt(&|_, b| Some(b.to_vec())).is_ok());
        let old = rebuilt(&|name, b| (!name.ends_with("_table") && !name.ends_with("_filter")).then(|| b.to_vec())).err().unwrap();
        assert!(old.to_string().contains("unspin build-model"), "{old}");
        // Every slot taken: a probe for a missing pair would never end.
        let taken = super::BigramSlot { history: 0, word: 0, log10_prob: 0.0, log10_backoff: 0.0 };
        let full = rebuilt(&|name, b| Some(if name == "bigram_table" { b.chunks(16).flat_map(|_| bytemuck::bytes_of(&taken).to_vec()).collect() } else { b.to_vec() }));
        assert!(full.err().unwrap().to_string().contains("no free slot"));
        let odd = rebuilt(&|name, b| Some(if name == "trigram_table" { b[..b.len() - 16].to_vec() } else { b.to_vec() }));
        assert!(odd.is_err());
        let odd = rebuilt(&|name, b| Some(if name == "bigram_filter" { b[..b.len() - 8].to_vec() } else { b.to_vec() }));
        assert!(odd.err().unwrap().to_string().contains("filter"));
    }

    /// The table of common words answers exactly as the full vocabulary
    /// does: for every word of a small model (all of them common enough to
    /// be in it), for words it does not know, and for a word too long for
    /// it.
    #[test]
    fn common_words_table_agrees_with_the_vocabulary() {
        let arpa = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/tiny.arpa")).unwrap();
        let mut lm = crate::convert::arpa_model(&arpa).unwrap();
        let full = |lm: &super::LanguageModel, w: &str| lm.ids.find(super::word_hash(w), |&i| lm.word(i) == w).copied();
        let unknown = ["", "zzzz", "the ", "thе", "antidisestablishmentarianisms"];
        let mut hot = 0;
        for id in 0..lm.vocab_len() as u32 {
            let w = lm.word(id).to_string();
            assert_eq!(lm.word_id(&w), full(&lm, &w), "{w:?}");
            hot += lm.hot.iter().any(|h| h.id == id) as usize;
        }
        assert!(hot > lm.vocab_len() / 2, "{hot} of {} words in the table", lm.vocab_len());
        for w in unknown {
            assert_eq!(lm.word_id(w), full(&lm, w), "{w:?}");
        }
        // Without the common words, every lookup goes through the table of
        // all words, and answers the same.
        for h in lm.hot.iter_mut() {
            h.id = u32::MAX;
        }
        for id in 0..lm.vocab_len() as u32 {
            let w = lm.word(id).to_string();
            assert_eq!(lm.word_id(&w), full(&lm, &w), "{w:?}");
        }
        for w in unknown {
            assert_eq!(lm.word_id(w), full(&lm, w), "{w:?}");
        }
    }
}
