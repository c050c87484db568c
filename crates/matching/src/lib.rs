//! Source matching for spun text: which indexed documents a (possibly spun)
//! copy was made from, which of its sentences come from where, and which
//! words were swapped; and clusters of spun variants of one another.
//!
//! Plain shingling fails on spun text because a spinner changes a word in
//! every few, and with it every shingle that covers it. Here documents are
//! compared in a spin-invariant space (see [`features`]):
//!
//! 1. **Candidates.** The words the lexicon never lists as a synonym of
//!    anything (names, numbers, rare and technical words, most function
//!    words) are the ones a spinner leaves alone. Shingles of that immutable
//!    skeleton are MinHashed and banded (LSH); documents that share a band
//!    with the copy are candidates.
//! 2. **Ranking.** Each candidate is aligned word by word with the copy,
//!    counting swapped words the lexicon relates as matches ([`align`]); the
//!    similarity is the share of the copy explained by the source.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use unspin_matching::{Document, Matcher, MatchParams, MemoryIndex};
//! let lexicon = unspin_lexicon::Lexicon::open("model/lexicon.unspin".as_ref())?;
//! let matcher = Matcher::new(&lexicon, MatchParams::default());
//! let docs = vec![Document { id: "a".into(), text: "The jury said the election was conducted well.".into() }];
//! let index = MemoryIndex::build(&matcher, docs);
//! for m in matcher.find(&index, "The jury stated the election was carried out well.", 5) {
//!     println!("{} {:.2}", m.id, m.similarity);
//! }
//! # Ok(()) }
//! ```

pub mod align;
pub mod cluster;
pub mod features;
pub mod index;
pub mod input;
pub mod minhash;
pub mod passages;

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use unspin_lexicon::Lexicon;

pub use align::{AlignParams, Alignment, Relation};
pub use features::{Analysed, Keyer};
pub use index::{Index, IndexError, IndexWriter};
pub use minhash::LshParams;
pub use passages::{Passage, Swap};

/// A document to index or to match: an identifier and UTF-8 text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub text: String,
}

/// Everything that decides what matches; the defaults were chosen on the
/// development split of the evaluation.
#[derive(Clone, Copy, Debug)]
pub struct MatchParams {
    pub lsh: LshParams,
    pub seed: u64,
    pub align: AlignParams,
    /// Candidates aligned per query at most (those sharing the most bands).
    pub max_candidates: usize,
    /// Band buckets holding more documents than this are skipped as
    /// uninformative (a skeleton shingle every document has).
    pub max_bucket: usize,
    /// A candidate is reported only from this similarity on.
    pub min_similarity: f64,
}

impl Default for MatchParams {
    fn default() -> MatchParams {
        MatchParams {
            lsh: LshParams::default(),
            seed: 0x756E_7370_696E_6D68,
            align: AlignParams::default(),
            max_candidates: 32,
            max_bucket: 5000,
            min_similarity: 0.35,
        }
    }
}

/// A store of documents with their band keys: in memory, or an on-disk index.
pub trait Corpus: Sync {
    fn len(&self) -> u64;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn id(&self, doc: u64) -> &str;
    fn text(&self, doc: u64) -> &str;
    /// Appends the documents whose key in `band` is `key`; returns false
    /// (and appends nothing) when there are more than `max` of them.
    fn lookup(&self, band: usize, key: u32, max: usize, out: &mut Vec<u64>) -> bool;
}

/// One source found for a copy.
#[derive(Clone, Debug)]
pub struct Match {
    pub doc: u64,
    pub id: String,
    /// Share (0..1) of the copy explained by this source.
    pub similarity: f64,
    /// Share of the source covered by the copy.
    pub source_coverage: f64,
    /// LSH bands the two share.
    pub band_hits: u32,
    pub alignment: Alignment,
    pub source: Analysed,
}

pub struct Matcher<'a> {
    keyer: features::Keyer<'a>,
    hasher: minhash::MinHasher,
    params: MatchParams,
}

impl<'a> Matcher<'a> {
    pub fn new(lexicon: &'a Lexicon, params: MatchParams) -> Matcher<'a> {
        Matcher {
            keyer: features::Keyer::new(lexicon),
            hasher: minhash::MinHasher::new(params.lsh.hashes(), params.seed),
            params,
        }
    }

    pub fn params(&self) -> &MatchParams {
        &self.params
    }

    pub fn keyer(&self) -> &features::Keyer<'a> {
        &self.keyer
    }

    pub fn analyse(&self, text: &str) -> Analysed {
        self.keyer.analyse(text)
    }

    /// The LSH band keys of an analysed text, one set per window of its
    /// skeleton (none when it has no words).
    pub fn band_keys(&self, a: &Analysed) -> Vec<Vec<u32>> {
        let lsh = &self.params.lsh;
        let mut skeleton = features::skeleton(a, lsh.stopwords);
        if skeleton.is_empty() {
            // Nothing is immutable (a very short text): fall back on all words.
            skeleton = a.words.iter().map(|w| w.info.key).collect();
        }
        let window = lsh.window.max(2 * lsh.shingle).max(2);
        let step = window / 2;
        let mut out = Vec::new();
        let mut start = 0;
        loop {
            let end = (start + window).min(skeleton.len());
            let sh = minhash::shingles(&skeleton[start..end], lsh.shingle);
            if let Some(sig) = self.hasher.signature(&sh) {
                out.push(minhash::band_keys(&sig, lsh));
            }
            if end == skeleton.len() {
                break;
            }
            start += step;
        }
        out
    }

    /// Candidate documents for a copy, most shared bands first (in the
    /// copy's best window).
    pub fn candidates(&self, corpus: &dyn Corpus, windows: &[Vec<u32>]) -> Vec<(u64, u32)> {
        let mut hits: HashMap<u64, u32> = HashMap::new();
        let mut found = Vec::new();
        for bands in windows {
            let mut window_hits: HashMap<u64, u32> = HashMap::new();
            for (band, &key) in bands.iter().enumerate() {
                found.clear();
                if corpus.lookup(band, key, self.params.max_bucket, &mut found) {
                    found.sort_unstable();
                    found.dedup();
                    for &d in &found {
                        *window_hits.entry(d).or_default() += 1;
                    }
                }
            }
            for (d, h) in window_hits {
                let e = hits.entry(d).or_default();
                *e = (*e).max(h);
            }
        }
        let mut c: Vec<(u64, u32)> = hits.into_iter().collect();
        c.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        c.truncate(self.params.max_candidates);
        c
    }

    /// The sources of a copy, best first: at most `top`, each at least
    /// `min_similarity` similar.
    pub fn find(&self, corpus: &dyn Corpus, text: &str, top: usize) -> Vec<Match> {
        let q = self.analyse(text);
        self.find_analysed(corpus, &q, top, None)
    }

    /// As `find`, for an analysed copy; `exclude` leaves one document out
    /// (a document is its own best match when clustering).
    pub fn find_analysed(&self, corpus: &dyn Corpus, q: &Analysed, top: usize, exclude: Option<u64>) -> Vec<Match> {
        let bands = self.band_keys(q);
        let cands = self.candidates(corpus, &bands);
        let ci = align::CopyIndex::new(q, &self.params.align);
        let mut out: Vec<Match> = cands
            .par_iter()
            .filter(|(doc, _)| Some(*doc) != exclude)
            .filter_map(|&(doc, band_hits)| {
                let source = self.analyse(corpus.text(doc));
                let alignment = align::align_indexed(&ci, &source, &self.params.align);
                (alignment.similarity >= self.params.min_similarity).then(|| Match {
                    doc,
                    id: corpus.id(doc).to_string(),
                    similarity: alignment.similarity,
                    source_coverage: alignment.source_coverage,
                    band_hits,
                    alignment,
                    source,
                })
            })
            .collect();
        out.sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then(a.doc.cmp(&b.doc)));
        out.truncate(top);
        out
    }

    /// Sentence-level alignment of a copy with one of its matches.
    pub fn passages(&self, copy_text: &str, copy: &Analysed, corpus: &dyn Corpus, m: &Match) -> Vec<Passage> {
        passages::passages(copy_text, copy, corpus.text(m.doc), &m.source, &m.alignment, &self.params.align)
    }
}

/// An index held in memory: for evaluation, clustering and tests.
pub struct MemoryIndex {
    docs: Vec<Document>,
    /// Per band: key -> documents.
    bands: Vec<HashMap<u32, Vec<u32>>>,
}

impl MemoryIndex {
    pub fn build(matcher: &Matcher, docs: Vec<Document>) -> MemoryIndex {
        let keys: Vec<Vec<Vec<u32>>> = docs.par_iter().map(|d| matcher.band_keys(&matcher.analyse(&d.text))).collect();
        let mut bands: Vec<HashMap<u32, Vec<u32>>> = vec![HashMap::new(); matcher.params.lsh.bands];
        for (doc, windows) in keys.iter().enumerate() {
            for k in windows {
                for (band, &key) in k.iter().enumerate() {
                    let list = bands[band].entry(key).or_default();
                    // Windows of one document often agree; list it once.
                    if list.last() != Some(&(doc as u32)) {
                        list.push(doc as u32);
                    }
                }
            }
        }
        MemoryIndex { docs, bands }
    }

    pub fn docs(&self) -> &[Document] {
        &self.docs
    }
}

impl Corpus for MemoryIndex {
    fn len(&self) -> u64 {
        self.docs.len() as u64
    }
    fn id(&self, doc: u64) -> &str {
        &self.docs[doc as usize].id
    }
    fn text(&self, doc: u64) -> &str {
        &self.docs[doc as usize].text
    }
    fn lookup(&self, band: usize, key: u32, max: usize, out: &mut Vec<u64>) -> bool {
        match self.bands.get(band).and_then(|b| b.get(&key)) {
            Some(list) if list.len() > max => false,
            Some(list) => {
                out.extend(list.iter().map(|&d| d as u64));
                true
            }
            None => true,
        }
    }
}
