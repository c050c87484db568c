//! The candidate table (`candidates.unspin`, kind `CAND`): for every word of
//! the language model's vocabulary, the candidate originals the detector
//! computes for it as a one-word span, precomputed by `unspin build-model`.
//!
//! Looking a word up in the lexicon, inflecting its originals, resolving
//! them to language-model ids and ranking them costs far more than scoring
//! them; the engine's cache hides that cost once a word has been seen, but
//! the first pass over fresh text pays it for every new word. With the table
//! a one-word span costs two array reads. Phrases of several words still go
//! through the lexicon (and the cache).
//!
//! The table is exact: each entry is what `detect::lexicon_candidates`
//! returns for the word, cut at the `max_lexicon_candidates` recorded in the
//! file, with the number of candidates before the cut, so that a smaller
//! cut is served from it too where the result is the same (see
//! [`CandidateTable::entry`]). The file records the checksums of the
//! `lm.unspin` and `lexicon.unspin` it was computed from; `Model::open`
//! refuses a table made from other files. The byte layout is in
//! docs/format-candidates.md.

use std::path::Path;

use bytemuck::{Pod, Zeroable};
use rayon::prelude::*;
use unspin_lexicon::Lexicon;
use unspin_lm::LanguageModel;
use unspin_store::{Store, Writer};

use crate::detect::{lexicon_candidates, Resolved};

pub const KIND: [u8; 4] = *b"CAND";

#[derive(Debug, thiserror::Error)]
pub enum CandidateError {
    #[error(transparent)]
    Store(#[from] unspin_store::StoreError),
    #[error("{path}: {what}")]
    Format { path: String, what: String },
    #[error("{path}: made from another {file} (rebuild the model with `unspin build-model`, or delete {path})")]
    Stale { path: String, file: &'static str },
}

/// What the table was computed from, and the cut it was made at.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq, Eq)]
pub struct Provenance {
    /// XXH3-64 checksum and length of the `lm.unspin` container.
    pub lm_checksum: u64,
    pub lm_len: u64,
    /// The same for `lexicon.unspin`.
    pub lexicon_checksum: u64,
    pub lexicon_len: u64,
    /// Words in the language model's vocabulary (= entries).
    pub vocab_len: u32,
    /// `Config::max_lexicon_candidates` the entries were cut at.
    pub max_lexicon_candidates: u32,
    /// Candidates taken from the lexicon before resolving and ranking
    /// (`detect::MAX_LEXICON_CANDIDATES`); a build with another value
    /// computes other lists.
    pub lexicon_cut: u32,
    /// The layout of the sections ([`TABLE_LAYOUT`]); 0 in tables made
    /// before the phrase filter.
    pub layout: u32,
}

/// The layout this build writes and reads: 1 adds the phrase filter
/// (blocked, see [`PhraseFilter`]).
pub const TABLE_LAYOUT: u32 = 1;

/// One candidate original: its ids are `ids[ids_start .. next.ids_start]`,
/// its text `text[text_start .. next.text_start]`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct Record {
    pub ids_start: u32,
    pub text_start: u32,
    /// log10 P(written | original).
    pub channel: f32,
}

/// An opened, verified candidate table.
pub struct CandidateTable {
    // Views into `store`'s backing memory, resolved once at load (the
    // pattern of unspin-lm and unspin-lexicon); `store` owns the bytes.
    provenance: Provenance,
    /// `u32` × (V + 1): the candidates of word `w` are
    /// `records[first[w] .. first[w + 1]]`.
    first: &'static [u32],
    /// `u32` × V: how many candidates word `w` had before the cut.
    uncut: &'static [u32],
    /// Candidates, and a sentinel closing the last one's ranges.
    records: &'static [Record],
    ids: &'static [u32],
    text: &'static str,
    /// Bloom filter of the phrases of several words that may have
    /// candidate originals (see [`PhraseFilter`]).
    phrase_filter: PhraseFilter,
    #[allow(dead_code)]
    store: Store,
}

/// The candidates of one word, as stored.
#[derive(Clone, Copy)]
pub(crate) struct Entry<'a> {
    table: &'a CandidateTable,
    start: usize,
    len: usize,
}

/// A candidate original, borrowed from the table or from a computed list.
#[derive(Clone, Copy)]
pub(crate) struct CandidateRef<'a> {
    pub ids: &'a [u32],
    pub text: &'a str,
    pub channel: f32,
}

impl<'a> Entry<'a> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn get(&self, i: usize) -> Option<CandidateRef<'a>> {
        if i >= self.len {
            return None;
        }
        let t = self.table;
        let (r, next) = (&t.records[self.start + i], &t.records[self.start + i + 1]);
        Some(CandidateRef {
            ids: &t.ids[r.ids_start as usize..next.ids_start as usize],
            text: &t.text[r.text_start as usize..next.text_start as usize],
            channel: r.channel,
        })
    }

    pub fn to_resolved(self) -> Vec<Resolved> {
        (0..self.len).filter_map(|i| self.get(i)).map(|c| Resolved { ids: c.ids.to_vec(), text: c.text.to_string(), channel: c.channel }).collect()
    }
}

impl CandidateTable {
    pub fn open(path: &Path) -> Result<CandidateTable, CandidateError> {
        CandidateTable::from_store(Store::load(path, KIND)?)
    }

    pub fn from_store(store: Store) -> Result<CandidateTable, CandidateError> {
        let path = store.path().display().to_string();
        let bad = |what: &str| CandidateError::Format { path: path.clone(), what: what.to_string() };
        let provenance = match store.pod_section::<Provenance>("provenance")? {
            [p] => *p,
            _ => return Err(bad("the provenance section does not hold one record")),
        };
        if provenance.layout != TABLE_LAYOUT {
            return Err(CandidateError::Format {
                path: path.clone(),
                what: format!(
                    "written by another version of unspin (layout {}, this build reads {TABLE_LAYOUT}); rebuild the model with `unspin build-model`, or delete the file",
                    provenance.layout
                ),
            });
        }
        let first: &[u32] = store.pod_section("first")?;
        let uncut: &[u32] = store.pod_section("uncut")?;
        let records: &[Record] = store.pod_section("records")?;
        let ids: &[u32] = store.pod_section("ids")?;
        let text = std::str::from_utf8(store.section("text")?).map_err(|_| bad("candidate text is not UTF-8"))?;
        let filter_words: &[u64] = store.pod_section("phrase_filter")?;
        if !filter_words.len().is_power_of_two() || filter_words.len() < BLOCK_BITS / 64 {
            return Err(bad("the phrase filter's size is not a power of two of at least 8 words"));
        }
        // Every range used at query time is checked once here, so that
        // lookups can index freely, and every entry must be the cut the
        // provenance states, which `entry` relies on to serve other cuts.
        let v = provenance.vocab_len as usize;
        if first.len() != v + 1 || uncut.len() != v {
            return Err(bad("word tables do not match the vocabulary size"));
        }
        let Some((sentinel, real)) = records.split_last() else { return Err(bad("no sentinel record")) };
        if first[0] != 0 || first.windows(2).any(|w| w[0] > w[1]) || first[v] as usize != real.len() {
            return Err(bad("word offsets are out of order or out of range"));
        }
        let cut = provenance.max_lexicon_candidates as usize;
        if (0..v).any(|w| (first[w + 1] - first[w]) as usize != (uncut[w] as usize).min(cut)) {
            return Err(bad("an entry is not cut at the recorded max_lexicon_candidates"));
        }
        if records[0].ids_start != 0 || records[0].text_start != 0 {
            return Err(bad("the first candidate does not start its tables"));
        }
        // Every candidate has at least one id; texts may not split a character.
        if records.windows(2).any(|r| r[0].ids_start >= r[1].ids_start || r[0].text_start > r[1].text_start)
            || sentinel.ids_start as usize != ids.len()
            || sentinel.text_start as usize != text.len()
        {
            return Err(bad("candidate offsets are out of order or out of range"));
        }
        if records.iter().any(|r| !text.is_char_boundary(r.text_start as usize)) {
            return Err(bad("candidate offsets split a character"));
        }
        if ids.iter().any(|&id| id as usize >= v) {
            return Err(bad("a candidate refers to a word outside the vocabulary"));
        }
        // SAFETY: the slices borrow from `store`'s backing memory, which does
        // not move when `store` is moved into the struct and lives as long.
        let (first, uncut, records, ids, text, filter_words) = unsafe {
            (
                std::mem::transmute::<&[u32], &'static [u32]>(first),
                std::mem::transmute::<&[u32], &'static [u32]>(uncut),
                std::mem::transmute::<&[Record], &'static [Record]>(records),
                std::mem::transmute::<&[u32], &'static [u32]>(ids),
                std::mem::transmute::<&str, &'static str>(text),
                std::mem::transmute::<&[u64], &'static [u64]>(filter_words),
            )
        };
        let phrase_filter = PhraseFilter { words: filter_words };
        Ok(CandidateTable { provenance, first, uncut, records, ids, text, phrase_filter, store })
    }

    /// Computes the table in memory (see [`build`]), for a model directory
    /// without one.
    pub fn compute(lm: &LanguageModel, lexicon: &Lexicon, max_lexicon_candidates: usize) -> Result<CandidateTable, CandidateError> {
        let bytes = build(lm, lexicon, max_lexicon_candidates).to_bytes();
        CandidateTable::from_store(Store::from_bytes("candidates (in memory)", &bytes, KIND)?)
    }

    pub fn provenance(&self) -> &Provenance {
        &self.provenance
    }

    /// Refuses a table computed from other model files than `lm` and
    /// `lexicon`, or with another lexicon cut than this build's.
    pub fn check_made_from(&self, lm: &LanguageModel, lexicon: &Lexicon) -> Result<(), CandidateError> {
        let path = self.store.path().display().to_string();
        let p = &self.provenance;
        if (p.lm_checksum, p.lm_len) != (lm.store().checksum(), lm.store().file_len()) || p.vocab_len as usize != lm.vocab_len() {
            return Err(CandidateError::Stale { path, file: crate::model::LM_FILE });
        }
        if (p.lexicon_checksum, p.lexicon_len) != (lexicon.store().checksum(), lexicon.store().file_len()) {
            return Err(CandidateError::Stale { path, file: crate::model::LEXICON_FILE });
        }
        if p.lexicon_cut as usize != crate::detect::MAX_LEXICON_CANDIDATES {
            return Err(CandidateError::Format {
                path,
                what: format!(
                    "made with {} candidates per word from the lexicon, this build takes {} (rebuild the model with `unspin build-model`)",
                    p.lexicon_cut,
                    crate::detect::MAX_LEXICON_CANDIDATES
                ),
            });
        }
        Ok(())
    }

    /// Whether the phrase of several words `ids` (language-model ids) may
    /// have candidate originals; false means it has none.
    pub(crate) fn may_be_phrase(&self, ids: &[u32]) -> bool {
        self.phrase_filter.may_contain(ids)
    }

    /// Starts loading what [`CandidateTable::may_be_phrase`] reads for
    /// `ids`, so that a sentence's lookups overlap.
    pub(crate) fn prefetch_phrase(&self, ids: &[u32]) {
        self.phrase_filter.prefetch(ids)
    }

    /// The candidates of word `id` cut at `max_lexicon_candidates`, when the
    /// table holds that list. Entries are ranked (stably) by prior and cut
    /// at the table's `max_lexicon_candidates`, so an entry serves every
    /// smaller cut as its prefix, and an entry that was not cut every
    /// larger one; a larger cut of an entry that was cut is not in the
    /// table.
    pub(crate) fn entry(&self, id: u32, max_lexicon_candidates: usize) -> Option<Entry<'_>> {
        let w = id as usize;
        if w >= self.uncut.len() {
            return None;
        }
        let (start, stored) = (self.first[w] as usize, (self.first[w + 1] - self.first[w]) as usize);
        if max_lexicon_candidates > stored && (self.uncut[w] as usize) > stored {
            return None;
        }
        Some(Entry { table: self, start, len: stored.min(max_lexicon_candidates) })
    }
}

/// A Bloom filter over the phrases of two to four words that may have
/// candidate originals (every spelling `Lexicon::multiword_spellings`
/// gives, in language-model ids): most runs of words in a text are no
/// phrase of the lexicon, and the filter, small enough to stay in the
/// processor's cache, says so without a lookup in the candidate cache or
/// the lexicon. No false negatives; about 0.3% false positives, which are
/// looked up as before. The hash and the probes are in
/// docs/format-candidates.md.
#[derive(Clone, Copy)]
pub(crate) struct PhraseFilter {
    words: &'static [u64],
}

/// Probes per phrase.
const FILTER_PROBES: u64 = 4;
/// Filter bits per phrase put in, rounded up to a power of two in all.
const FILTER_BITS_PER_PHRASE: usize = 16;

impl PhraseFilter {
    /// The filter's words for the phrases of `lexicon` in `lm`'s ids.
    fn build(lm: &LanguageModel, lexicon: &Lexicon) -> Vec<u64> {
        let vocab: Vec<&str> = (0..lm.vocab_len() as u32).map(|id| lm.word(id)).collect();
        let mut hashes: Vec<u64> = Vec::new();
        lexicon.multiword_spellings(&vocab, |words| {
            let ids: Option<Vec<u32>> = words.iter().map(|w| lm.word_id(w)).collect();
            if let Some(ids) = ids.filter(|ids| ids.len() <= 4) {
                hashes.push(phrase_hash(&ids));
            }
        });
        hashes.sort_unstable();
        hashes.dedup();
        let bits = (hashes.len() * FILTER_BITS_PER_PHRASE).next_power_of_two().max(BLOCK_BITS);
        let mut words = vec![0u64; bits / 64];
        for h in hashes {
            for bit in probes(h, bits) {
                words[bit / 64] |= 1 << (bit % 64);
            }
        }
        words
    }

    /// Starts loading the block a lookup of `ids` reads.
    fn prefetch(&self, ids: &[u32]) {
        if let Some(bit) = probes(phrase_hash(ids), self.words.len() * 64).next() {
            unspin_lm::prefetch(&self.words[bit / 64]);
        }
    }

    fn may_contain(&self, ids: &[u32]) -> bool {
        let bits = self.words.len() * 64;
        probes(phrase_hash(ids), bits).all(|bit| self.words[bit / 64] & (1 << (bit % 64)) != 0)
    }
}

/// SplitMix64's finaliser: a bijection of u64 that mixes every bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The filter's hash of a phrase's ids.
fn phrase_hash(ids: &[u32]) -> u64 {
    ids.iter().fold(mix(ids.len() as u64), |h, &id| mix(h ^ id as u64))
}

/// The filter bits (of `bits`, a power of two, at least 512) probed for
/// hash `h`: all in one block of 512 bits (a cache line), the block named
/// by the hash's top bits, the four bits within it by its low 36 bits,
/// nine bits each; one memory access a lookup.
fn probes(h: u64, bits: usize) -> impl Iterator<Item = usize> {
    let block = h.checked_shr(64 - (bits / BLOCK_BITS).trailing_zeros()).unwrap_or(0) as usize * BLOCK_BITS;
    (0..FILTER_PROBES).map(move |i| block + ((h >> (9 * i)) as usize & (BLOCK_BITS - 1)))
}

/// Filter bits per block (and the smallest filter).
const BLOCK_BITS: usize = 512;

/// Computes the table for every word of `lm`'s vocabulary, cut at
/// `max_lexicon_candidates`, as a container ready to write.
pub fn build(lm: &LanguageModel, lexicon: &Lexicon, max_lexicon_candidates: usize) -> Writer {
    let v = lm.vocab_len();
    let mut first = Vec::with_capacity(v + 1);
    let mut uncut = Vec::with_capacity(v);
    let mut records: Vec<Record> = Vec::new();
    let mut ids: Vec<u32> = Vec::new();
    let mut text = String::new();
    // In blocks, so that the lists of only one block are held at a time.
    const BLOCK: usize = 8192;
    for block in (0..v as u32).collect::<Vec<u32>>().chunks(BLOCK) {
        let lists: Vec<(Vec<Resolved>, usize)> =
            block.par_iter().map(|&id| lexicon_candidates(lm, lexicon, &[id], max_lexicon_candidates)).collect();
        for (list, before_cut) in lists {
            first.push(records.len() as u32);
            uncut.push(before_cut as u32);
            for r in list {
                records.push(Record { ids_start: ids.len() as u32, text_start: text.len() as u32, channel: r.channel });
                ids.extend_from_slice(&r.ids);
                text.push_str(&r.text);
            }
        }
    }
    first.push(records.len() as u32);
    records.push(Record { ids_start: ids.len() as u32, text_start: text.len() as u32, channel: 0.0 });
    let provenance = Provenance {
        lm_checksum: lm.store().checksum(),
        lm_len: lm.store().file_len(),
        lexicon_checksum: lexicon.store().checksum(),
        lexicon_len: lexicon.store().file_len(),
        vocab_len: v as u32,
        max_lexicon_candidates: max_lexicon_candidates as u32,
        lexicon_cut: crate::detect::MAX_LEXICON_CANDIDATES as u32,
        layout: TABLE_LAYOUT,
    };
    let phrase_filter = PhraseFilter::build(lm, lexicon);
    let mut w = Writer::new(KIND);
    w.add_pod("provenance", &[provenance])
        .add_pod("first", &first)
        .add_pod("uncut", &uncut)
        .add_pod("records", &records)
        .add_pod("ids", &ids)
        .add("text", text.into_bytes())
        .add_pod("phrase_filter", &phrase_filter);
    w
}

/// Builds the table (see [`build`]) and writes it to `path`.
pub fn write(lm: &LanguageModel, lexicon: &Lexicon, max_lexicon_candidates: usize, path: &Path) -> Result<(), CandidateError> {
    Ok(build(lm, lexicon, max_lexicon_candidates).write(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> (LanguageModel, Lexicon) {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data");
        let arpa = std::fs::read_to_string(data.join("tiny.arpa")).unwrap();
        // More originals per word than the fixture has, all known to the
        // language model, so that lists are long enough to be cut.
        let moby = std::fs::read_to_string(data.join("tiny-moby.txt")).unwrap()
            + "states|large|allied\nfruit|large|allied|big\nnation|large|allied|joined\napple|big|large\n";
        (unspin_lm::convert::arpa_model(&arpa).unwrap(), unspin_lexicon::build::build_in_memory(&moby, None).unwrap())
    }

    fn open_bytes(bytes: &[u8]) -> Result<CandidateTable, CandidateError> {
        CandidateTable::from_store(Store::from_bytes("test", bytes, KIND)?)
    }

    fn same(entry: Option<Entry>, expected: &[Resolved]) -> bool {
        let Some(entry) = entry else { return false };
        entry.len() == expected.len()
            && expected.iter().enumerate().all(|(i, r)| {
                let c = entry.get(i).unwrap();
                c.ids == r.ids.as_slice() && c.text == r.text && c.channel.to_bits() == r.channel.to_bits()
            })
    }

    /// Every word's entry is the list the detector computes, at the cut the
    /// table was made with; at other cuts an entry is either that cut's
    /// list or absent, and absent only where the table cannot know it.
    /// Returns how many (word, cut) pairs the table served.
    fn check_agreement(lm: &LanguageModel, lexicon: &Lexicon, table: &CandidateTable, words: &[u32]) -> usize {
        let made_at = table.provenance().max_lexicon_candidates as usize;
        let cuts = [0, 1, 2, 3, 16, 63, 64, 65, 200];
        words
            .par_iter()
            .map(|&id| {
                let (full, before_cut) = lexicon_candidates(lm, lexicon, &[id], usize::MAX);
                assert_eq!(before_cut, full.len());
                let mut served = 0;
                for max in cuts.into_iter().chain([made_at]) {
                    let (expected, _) = lexicon_candidates(lm, lexicon, &[id], max);
                    let entry = table.entry(id, max);
                    if max <= made_at || before_cut <= made_at {
                        assert!(same(entry, &expected), "word {:?} at cut {max}", lm.word(id));
                        served += 1;
                    } else {
                        assert!(entry.is_none(), "word {:?} at cut {max} served", lm.word(id));
                    }
                }
                served
            })
            .sum()
    }

    #[test]
    fn entries_equal_the_computed_lists_at_every_cut() {
        let (lm, lexicon) = fixture();
        let words: Vec<u32> = (0..lm.vocab_len() as u32).collect();
        for made_at in [0, 1, 2, 64] {
            let table = CandidateTable::compute(&lm, &lexicon, made_at).unwrap();
            table.check_made_from(&lm, &lexicon).unwrap();
            assert!(check_agreement(&lm, &lexicon, &table, &words) > 0);
        }
        // The fixture has words with several candidates, so cuts happen.
        assert!(words.iter().any(|&id| lexicon_candidates(&lm, &lexicon, &[id], 1).1 > 3));
        assert!(CandidateTable::compute(&lm, &lexicon, 64).unwrap().entry(lm.vocab_len() as u32, 64).is_none());
    }

    /// The real model's table (its file when the model directory has one,
    /// else computed), checked word by word. Skipped without the real model.
    #[test]
    fn real_model_table_equals_the_computed_lists() {
        let Some(dir) = unspin_test_support::real_model() else { return };
        let model = crate::Model::open(&dir).unwrap();
        let max = crate::Config::default().max_lexicon_candidates;
        let table = match model.candidates {
            Some(t) => t,
            None => CandidateTable::compute(&model.lm, &model.lexicon, max).unwrap(),
        };
        assert_eq!(table.provenance().max_lexicon_candidates as usize, max);
        let (lm, lexicon) = (&model.lm, &model.lexicon);
        // Every word at the table's own cut.
        let wrong = (0..lm.vocab_len() as u32)
            .into_par_iter()
            .filter(|&id| !same(table.entry(id, max), &lexicon_candidates(lm, lexicon, &[id], max).0))
            .count();
        assert_eq!(wrong, 0);
        // Every 50th word at the other cuts too.
        let sample: Vec<u32> = (0..lm.vocab_len() as u32).step_by(50).collect();
        check_agreement(lm, lexicon, &table, &sample);
    }

    #[test]
    fn every_truncation_and_flipped_byte_is_an_error() {
        let (lm, lexicon) = fixture();
        let bytes = build(&lm, &lexicon, 2).to_bytes();
        assert!(open_bytes(&bytes).is_ok());
        for n in 0..bytes.len() {
            assert!(open_bytes(&bytes[..n]).is_err(), "truncated to {n} accepted");
        }
        for i in (0..bytes.len()).filter(|i| !(20..24).contains(i) && !(40..64).contains(i)) {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            assert!(open_bytes(&b).is_err(), "flip at byte {i} accepted");
        }
    }

    /// Files with a valid container but inconsistent tables are refused
    /// with an error naming the problem, never a panic at lookup time.
    #[test]
    fn inconsistent_tables_are_refused() {
        let (lm, lexicon) = fixture();
        let good = CandidateTable::compute(&lm, &lexicon, 2).unwrap();
        let p = *good.provenance();
        let rebuild = |edit: &dyn Fn(&mut Writer, &CandidateTable)| {
            let mut w = Writer::new(KIND);
            edit(&mut w, &good);
            open_bytes(&w.to_bytes())
        };
        let sections = |w: &mut Writer, t: &CandidateTable, skip: &str| {
            for (name, bytes) in [
                ("provenance", bytemuck::cast_slice::<Provenance, u8>(std::slice::from_ref(&t.provenance)).to_vec()),
                ("first", bytemuck::cast_slice(t.first).to_vec()),
                ("uncut", bytemuck::cast_slice(t.uncut).to_vec()),
                ("records", bytemuck::cast_slice(t.records).to_vec()),
                ("ids", bytemuck::cast_slice(t.ids).to_vec()),
                ("text", t.text.as_bytes().to_vec()),
                ("phrase_filter", bytemuck::cast_slice(t.phrase_filter.words).to_vec()),
            ] {
                if name != skip {
                    w.add(name, bytes);
                }
            }
        };
        assert!(rebuild(&|w, t| sections(w, t, "")).is_ok());
        let msg = |r: Result<CandidateTable, CandidateError>| r.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg(rebuild(&|w, t| sections(w, t, "ids"))).contains("missing section \"ids\""));
        // A table of another layout (0: before the phrase filter).
        let older = Provenance { layout: 0, ..p };
        assert!(msg(rebuild(&|w, t| {
            w.add_pod("provenance", &[older]);
            sections(w, t, "provenance")
        }))
        .contains("rebuild the model"));
        // A word count that disagrees with the tables.
        let fewer = Provenance { vocab_len: p.vocab_len - 1, ..p };
        assert!(msg(rebuild(&|w, t| {
            w.add_pod("provenance", &[fewer]);
            sections(w, t, "provenance")
        }))
        .contains("vocabulary size"));
        // Entries longer than the recorded cut.
        let wider = Provenance { max_lexicon_candidates: 1, ..p };
        assert!(msg(rebuild(&|w, t| {
            w.add_pod("provenance", &[wider]);
            sections(w, t, "provenance")
        }))
        .contains("not cut"));
        // A candidate id outside the vocabulary.
        let mut ids = good.ids.to_vec();
        ids[0] = p.vocab_len;
        assert!(msg(rebuild(&|w, t| {
            w.add_pod("ids", &ids);
            sections(w, t, "ids")
        }))
        .contains("outside the vocabulary"));
        // A filter that is not a power of two in size.
        let odd_filter = vec![u64::MAX; 3];
        assert!(msg(rebuild(&|w, t| {
            w.add_pod("phrase_filter", &odd_filter);
            sections(w, t, "phrase_filter")
        }))
        .contains("power of two"));
        // Records running past the id table.
        let mut records = good.records.to_vec();
        records.last_mut().unwrap().ids_start += 1;
        assert!(msg(rebuild(&|w, t| {
            w.add_pod("records", &records);
            sections(w, t, "records")
        }))
        .contains("out of order or out of range"));
    }

    /// Every phrase of two words with candidate originals passes the
    /// filter, and most pairs of words without any do not.
    #[test]
    fn the_phrase_filter_passes_every_phrase_with_originals() {
        let (lm, lexicon) = fixture();
        let table = CandidateTable::compute(&lm, &lexicon, 64).unwrap();
        let v = lm.vocab_len() as u32;
        let (mut phrases, mut passed_without) = (0, 0);
        for a in 0..v {
            for b in 0..v {
                let ids = [a, b];
                let has = !lexicon_candidates(&lm, &lexicon, &ids, 64).0.is_empty();
                phrases += has as usize;
                assert!(!has || table.may_be_phrase(&ids), "{} {}", lm.word(a), lm.word(b));
                passed_without += (!has && table.may_be_phrase(&ids)) as usize;
            }
        }
        assert!(phrases >= 1, "the fixture has a phrase of two words with originals");
        assert!(passed_without * 100 <= (v * v) as usize, "{passed_without} of {} pairs without originals pass", v * v);
        let id = |w: &str| lm.word_id(w).unwrap();
        assert!(table.may_be_phrase(&[id("joined"), id("together")]));
    }

    /// The real model's filter passes phrases with originals, inflected as
    /// the lexicon reads them, and keeps out nearly every run of words of a
    /// sentence that is no such phrase. Skipped without the real model.
    #[test]
    fn real_model_filter_passes_inflected_phrases() {
        let Some(dir) = unspin_test_support::real_model() else { return };
        let model = crate::Model::open(&dir).unwrap();
        let (lm, lexicon) = (&model.lm, &model.lexicon);
        let table = model.candidates.as_ref().expect("the model directory has a candidate table");
        let ids = |p: &str| -> Vec<u32> { p.split(' ').map(|w| lm.word_id(w).unwrap()).collect() };
        for phrase in ["joined together", "joins together", "pointed out", "points out", "turned into", "stands for", "took part", "takes part"] {
            assert!(!lexicon_candidates(lm, lexicon, &ids(phrase), 64).0.is_empty(), "{phrase}");
            assert!(table.may_be_phrase(&ids(phrase)), "{phrase}");
        }
        // Runs of a news sentence: most are no phrase of the lexicon.
        let words: Vec<u32> = ids("the committee said on tuesday that the new rules would cut costs for buyers and sellers across the state");
        let runs: Vec<&[u32]> = (2..=4).flat_map(|n| words.windows(n)).collect();
        let passed = runs.iter().filter(|r| table.may_be_phrase(r)).count();
        let with = runs.iter().filter(|r| !lexicon_candidates(lm, lexicon, r, 64).0.is_empty()).count();
        assert!(passed >= with && passed <= with + 2, "{passed} runs pass, {with} have originals, of {}", runs.len());
    }

    #[test]
    fn a_table_from_other_model_files_is_stale() {
        let (lm, lexicon) = fixture();
        let table = CandidateTable::compute(&lm, &lexicon, 64).unwrap();
        let other_lexicon = unspin_lexicon::build::build_in_memory("united|joined\n", None).unwrap();
        let e = table.check_made_from(&lm, &other_lexicon).unwrap_err();
        assert!(matches!(e, CandidateError::Stale { file: "lexicon.unspin", .. }), "{e}");
        let arpa = "\\data\\\nngram 1=3\n\n\\1-grams:\n-1.0 <s> 0.0\n-1.0 </s>\n-1.0 united\n\n\\end\\\n";
        let other_lm = unspin_lm::convert::arpa_model(arpa).unwrap();
        let e = table.check_made_from(&other_lm, &lexicon).unwrap_err();
        assert!(matches!(e, CandidateError::Stale { file: "lm.unspin", .. }), "{e}");
        assert!(e.to_string().contains("unspin build-model"));
    }

    /// A model directory's stale table stops `Model::open` with that error;
    /// a missing one is no error.
    #[test]
    fn model_open_refuses_a_stale_table_and_works_without_one() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data");
        let dir = tempfile::tempdir().unwrap();
        let arpa = std::fs::read_to_string(data.join("tiny.arpa")).unwrap();
        let moby = std::fs::read_to_string(data.join("tiny-moby.txt")).unwrap();
        unspin_lm::convert::arpa_to_unspin(&arpa, &dir.path().join(crate::model::LM_FILE)).unwrap();
        unspin_lexicon::build::build(&moby, None, &dir.path().join(crate::model::LEXICON_FILE)).unwrap();
        assert!(crate::Model::open(dir.path()).unwrap().candidates.is_none());
        let model = crate::Model::open(dir.path()).unwrap();
        write(&model.lm, &model.lexicon, 64, &dir.path().join(crate::model::CANDIDATES_FILE)).unwrap();
        assert!(crate::Model::open(dir.path()).unwrap().candidates.is_some());
        unspin_lexicon::build::build("united|joined\n", None, &dir.path().join(crate::model::LEXICON_FILE)).unwrap();
        let e = crate::Model::open(dir.path()).err().unwrap();
        assert!(e.to_string().contains("made from another lexicon.unspin"), "{e}");
    }
}
