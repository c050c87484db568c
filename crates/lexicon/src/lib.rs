//! The reverse thesaurus: for a phrase found in a text, the phrases a
//! spinner could have started from.
//!
//! A spinner replaces an original `o` by one of its synonyms `s`. The lexicon
//! stores, for every phrase `s`, every `o` that lists `s` as a synonym (Moby
//! II heads and WordNet synsets and similar-to links), and for every `o` its
//! number of synonyms: the fewer it has, the more plausible the swap
//! (the channel score log10 P(s | o) = -log10 degree(o)).
//!
//! Phrases are stored as lemmas; inflection is undone on the way in and
//! redone on the way out, so "disappointments" finds "failures" and "conveyed"
//! finds "carried". The byte layout is in docs/format-lexicon.md.

pub mod build;
pub mod morph;

use std::collections::HashMap;
use std::path::Path;

use bytemuck::{Pod, Zeroable};
use unspin_store::Store;

pub use morph::Form;

pub const KIND: [u8; 4] = *b"LEXI";
/// Longest phrase, in words, on either side of a relation.
pub const MAX_WORDS: usize = 4;
/// Candidates returned per query at most; common words have hundreds.
pub const MAX_CANDIDATES: usize = 200;

pub const MOBY: u8 = 1;
pub const WORDNET_SYNSET: u8 = 2;
pub const WORDNET_SIMILAR: u8 = 4;

#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error(transparent)]
    Store(#[from] unspin_store::StoreError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {what}")]
    Format { path: String, what: String },
}

/// One original a spun phrase may have come from: phrase `original` with the
/// relation's source flags.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq, Eq)]
pub struct Posting {
    pub original: u32,
    pub flags: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Lower-case words joined by single spaces, inflected like the spun phrase.
    pub original: String,
    /// log10 P(spun | original).
    pub channel_log10: f32,
    pub sources: u8,
    pub original_lemma_degree: u32,
}

pub struct Lexicon {
    // Views into `store`'s stable backing memory, resolved once at load (see
    // the same pattern in unspin-lm); `store` owns the bytes.
    offsets: &'static [u32],
    text: &'static str,
    rev: &'static [u32],
    all_postings: &'static [Posting],
    degrees: &'static [u32],
    store: Store,
    /// Irregular forms: form -> (lemma, form kind), and lemma -> forms.
    irregular: HashMap<String, Vec<(String, Form)>>,
    /// Lemma and form kind -> every form the exception list gives, in its order.
    irregular_out: HashMap<(String, Form), Vec<String>>,
    /// Phrase ids of "be" and "become" (see `originals`), looked up once.
    copula: Option<(u32, u32)>,
}

impl Lexicon {
    pub fn open(path: &Path) -> Result<Lexicon, LexiconError> {
        Lexicon::from_store(Store::load(path, KIND)?)
    }

    pub fn from_store(store: Store) -> Result<Lexicon, LexiconError> {
        let path = store.path().display().to_string();
        let bad = |what: &str| LexiconError::Format { path: path.clone(), what: what.to_string() };
        let offsets: &[u32] = store.pod_section("phrase_offsets")?;
        let text = store.section("phrases")?;
        let rev: &[u32] = store.pod_section("reverse_offsets")?;
        let postings: &[Posting] = store.pod_section("postings")?;
        let degree: &[u32] = store.pod_section("degree")?;
        let n = offsets.len().checked_sub(1).ok_or_else(|| bad("empty phrase table"))?;
        if offsets.windows(2).any(|w| w[0] > w[1]) || offsets[n] as usize != text.len() {
            return Err(bad("phrase table offsets are out of order or out of range"));
        }
        let text = std::str::from_utf8(text).map_err(|_| bad("phrase table is not UTF-8"))?;
        if offsets.iter().any(|&o| !text.is_char_boundary(o as usize)) {
            return Err(bad("phrase offsets split a character"));
        }
        if rev.len() != n + 1 || degree.len() != n {
            return Err(bad("index tables do not match the phrase table"));
        }
        if rev.windows(2).any(|w| w[0] > w[1]) || rev[n] as usize != postings.len() {
            return Err(bad("reverse index offsets are out of order or out of range"));
        }
        if postings.iter().any(|p| p.original as usize >= n) {
            return Err(bad("a posting refers to a phrase outside the table"));
        }
        let exc = std::str::from_utf8(store.section("irregular")?).map_err(|_| bad("irregular forms are not UTF-8"))?;
        let mut irregular: HashMap<String, Vec<(String, Form)>> = HashMap::new();
        let mut irregular_out: HashMap<(String, Form), Vec<String>> = HashMap::new();
        for line in exc.lines() {
            let mut it = line.split('\t');
            let (Some(form), Some(lemma), Some(kind)) = (it.next(), it.next(), it.next()) else { continue };
            let Some(kind) = Form::from_code(kind) else { continue };
            irregular.entry(form.to_string()).or_default().push((lemma.to_string(), kind));
            irregular_out.entry((lemma.to_string(), kind)).or_default().push(form.to_string());
        }
        // SAFETY: the slices borrow from `store`'s backing memory, which does
        // not move when `store` is moved into the struct and lives as long.
        let (offsets, text, rev, all_postings, degrees) = unsafe {
            (
                std::mem::transmute::<&[u32], &'static [u32]>(offsets),
                std::mem::transmute::<&str, &'static str>(text),
                std::mem::transmute::<&[u32], &'static [u32]>(rev),
                std::mem::transmute::<&[Posting], &'static [Posting]>(postings),
                std::mem::transmute::<&[u32], &'static [u32]>(degree),
            )
        };
        let mut lexicon = Lexicon { offsets, text, rev, all_postings, degrees, store, irregular, irregular_out, copula: None };
        lexicon.copula = lexicon.phrase_id("be").zip(lexicon.phrase_id("become"));
        Ok(lexicon)
    }

    fn offsets(&self) -> &[u32] {
        self.offsets
    }

    fn phrase(&self, id: u32) -> &str {
        let o = self.offsets;
        &self.text[o[id as usize] as usize..o[id as usize + 1] as usize]
    }

    /// The container this lexicon was read from (its checksum identifies
    /// the lexicon to files derived from it).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn len(&self) -> usize {
        self.offsets().len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Id of a phrase (lower-case words joined by single spaces).
    pub fn phrase_id(&self, phrase: &str) -> Option<u32> {
        let n = self.len();
        let (mut lo, mut hi) = (0usize, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.phrase(mid as u32).cmp(phrase) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
    }

    fn postings(&self, id: u32) -> &[Posting] {
        &self.all_postings[self.rev[id as usize] as usize..self.rev[id as usize + 1] as usize]
    }

    pub fn degree(&self, id: u32) -> u32 {
        self.degrees[id as usize]
    }

    pub fn max_phrase_words(&self) -> usize {
        MAX_WORDS
    }

    /// The analyses of a phrase: (lemma phrase, form), literal first.
    fn analyses(&self, words: &[&str]) -> Vec<(String, Form)> {
        let mut out = vec![(words.join(" "), Form::Base)];
        let n = words.len();
        // Nouns and adjectives inflect their last word, verbs their first.
        let mut heads = vec![n - 1];
        if n > 1 {
            heads.push(0);
        }
        for head in heads {
            for (lemma, form) in morph::lemmas(words[head], &self.irregular) {
                if form == Form::Base {
                    continue;
                }
                let verbal = matches!(form, Form::Past | Form::Gerund | Form::ThirdPerson);
                if n > 1 && ((head == 0) != verbal) {
                    continue;
                }
                let mut w: Vec<&str> = words.to_vec();
                w[head] = &lemma;
                out.push((w.join(" "), form));
            }
        }
        out
    }

    /// True if the phrase, or one of its lemmas, has candidate originals.
    pub fn contains(&self, words: &[&str]) -> bool {
        if words.is_empty() || words.len() > MAX_WORDS {
            return false;
        }
        self.analyses(words).iter().any(|(p, _)| self.phrase_id(p).is_some_and(|id| !self.postings(id).is_empty()))
    }

    /// Calls `emit` with every spelling, in words of `vocab`, of a phrase of
    /// several words that [`Lexicon::originals`] may find originals for: a
    /// phrase of the table with originals, as it stands and with its first
    /// or its last word replaced by a word of `vocab` that has it as a
    /// lemma (`originals` reads a phrase as itself and with its first or
    /// last word lemmatised, and nothing else). Every phrase with originals
    /// whose words are all in `vocab` is among them; some spellings
    /// may have none. For a filter that spares looking up the rest.
    pub fn multiword_spellings(&self, vocab: &[&str], mut emit: impl FnMut(&[&str])) {
        // lemma -> the words of `vocab` that have it as a lemma
        let mut inflected: HashMap<String, Vec<&str>> = HashMap::new();
        for &w in vocab {
            for (lemma, _) in morph::lemmas(w, &self.irregular) {
                if lemma != w {
                    inflected.entry(lemma).or_default().push(w);
                }
            }
        }
        for id in 0..self.len() as u32 {
            let phrase = self.phrase(id);
            if !phrase.contains(' ') || self.postings(id).is_empty() {
                continue;
            }
            let mut words: Vec<&str> = phrase.split(' ').collect();
            emit(&words);
            let last = words.len() - 1;
            for head in [0, last] {
                let lemma = words[head];
                for &w in inflected.get(lemma).map(|v| v.as_slice()).unwrap_or(&[]) {
                    words[head] = w;
                    emit(&words);
                }
                words[head] = lemma;
            }
        }
    }

    /// Candidate originals for a spun phrase, best channel first.
    pub fn originals(&self, spun_words: &[&str]) -> Vec<Candidate> {
        if spun_words.is_empty() || spun_words.len() > MAX_WORDS {
            return Vec::new();
        }
        let literal = spun_words.join(" ");
        // Every (channel, posting, form) first; the costly part, inflecting
        // an original and merging it, is then done best channel first and
        // stops once MAX_CANDIDATES distinct phrases are in hand and the
        // next channel is worse (a common word has thousands of postings).
        let mut entries: Vec<(f32, Posting, Form)> = Vec::new();
        let become_id = self.copula.map(|(_, become_id)| become_id);
        for (lemma, form) in self.analyses(spun_words) {
            let Some(id) = self.phrase_id(&lemma) else { continue };
            let mut copula = Some(id) == become_id;
            for p in self.postings(id) {
                let deg = self.degree(p.original).max(1);
                let mut channel = -(deg as f32).log10();
                // Pairs that WordNet also calls synonyms are likelier swaps.
                if p.flags as u8 & WORDNET_SYNSET != 0 && p.flags as u8 & MOBY != 0 {
                    channel += 0.3;
                }
                copula |= Some(p.original) == become_id;
                entries.push((channel, *p, form));
            }
            // The copula: a thesaurus lists "become" (and "turn into",
            // "change into") but never "be" itself, which has no synonyms of
            // its own, and spinners write them for "was". Whatever could
            // stand for "become" could stand for "be", at the channel of a
            // word of "become"'s degree. A bare "become" is also a past
            // participle ("has become"), read as the past.
            if let (true, Some((be_id, become_id))) = (copula, self.copula) {
                let channel = -(self.degree(become_id).max(1) as f32).log10();
                let posting = Posting { original: be_id, flags: 0 };
                entries.push((channel, posting, form));
                if form == Form::Base && lemma == "become" {
                    entries.push((channel, posting, Form::Past));
                }
            }
        }
        // Stable: equal channels keep the order the merge saw them in before.
        entries.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut best: HashMap<String, Candidate> = HashMap::new();
        for (i, &(channel, p, form)) in entries.iter().enumerate() {
            if best.len() >= MAX_CANDIDATES && i > 0 && entries[i - 1].0 > channel {
                break;
            }
            let o = self.phrase(p.original);
            let deg = self.degree(p.original).max(1);
            for inflected in morph::inflect_phrase(o, form, &self.irregular_out) {
                if inflected == literal {
                    continue;
                }
                match best.get(&inflected) {
                    Some(old) if old.channel_log10 >= channel => {}
                    _ => {
                        let c = Candidate { original: inflected.clone(), channel_log10: channel, sources: p.flags as u8, original_lemma_degree: deg };
                        best.insert(inflected, c);
                    }
                }
            }
        }
        let mut out: Vec<Candidate> = best.into_values().collect();
        out.sort_by(|a, b| b.channel_log10.total_cmp(&a.channel_log10).then_with(|| a.original.cmp(&b.original)));
        out.truncate(MAX_CANDIDATES);
        out
    }
}
