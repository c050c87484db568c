//! Finding the source of a spun copy: Brown cut into passages of 150-300
//! words is the indexed corpus; a sample of indexed passages is spun and
//! looked up (did the true source come first? among the first ten?), and so
//! is a held-apart sample of passages that are not indexed (any match is a
//! false match). Two spinners: the article-rewriter dictionary, and one-way
//! swaps from the Moby thesaurus alone. The yardstick is plain word-shingle
//! MinHash on the same data, ranked by brute force (no LSH losses).

use std::collections::HashSet;
use std::time::Instant;

use rayon::prelude::*;
use unspin_lexicon::Lexicon;
use unspin_matching::minhash::{estimated_jaccard, shingles, MinHasher};
use unspin_matching::{Document, MatchParams, Matcher, MemoryIndex};

use crate::brown::{self, BrownDoc, Split};
use crate::report::{Figure, Row, Section};
use crate::rng::{derive_seed, stable_hash};
use crate::spinner::Spinner;

pub const MATCHER: &str = "immutables+lexicon";
pub const BASELINE: &str = "word-shingle MinHash";
/// Shares of words swapped in the matching rows.
pub const RATES: [f64; 4] = [0.1, 0.2, 0.3, 0.5];
/// Words per shingle and hashes of the yardstick.
const BASELINE_SHINGLE: usize = 5;
const BASELINE_HASHES: usize = 128;
/// The yardstick reports a match from this estimated Jaccard on (chosen on
/// the development split like the matcher's threshold).
pub const BASELINE_MIN_JACCARD: f64 = 0.1;

/// A Brown passage.
#[derive(Clone, Debug)]
pub struct Passage {
    pub id: String,
    pub split: Split,
    pub text: String,
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Brown documents cut into passages of about 150-300 words: whole
/// paragraphs are gathered until 150 words; a paragraph over 300 words is cut
/// at sentence ends.
pub fn passages(docs: &[BrownDoc]) -> Vec<Passage> {
    let mut out = Vec::new();
    for d in docs {
        let mut pieces: Vec<String> = Vec::new();
        for para in d.text.split("\n\n") {
            if word_count(para) <= 300 {
                pieces.push(para.to_string());
                continue;
            }
            let mut cur = String::new();
            for sentence in para.split_inclusive(['.', '?', '!']) {
                cur.push_str(sentence);
                if word_count(&cur) >= 150 {
                    pieces.push(cur.trim().to_string());
                    cur.clear();
                }
            }
            if !cur.trim().is_empty() {
                pieces.push(cur.trim().to_string());
            }
        }
        let mut cur = String::new();
        let mut n = 0;
        for p in pieces {
            if !cur.is_empty() {
                cur.push_str("\n\n");
            }
            cur.push_str(&p);
            if word_count(&cur) >= 150 {
                out.push(Passage { id: format!("{}#{n}", d.id), split: d.split, text: std::mem::take(&mut cur) });
                n += 1;
            }
        }
        // A short tail joins the last passage rather than standing alone.
        if !cur.is_empty() {
            match out.last_mut() {
                Some(last) if last.id.starts_with(&format!("{}#", d.id)) => {
                    last.text.push_str("\n\n");
                    last.text.push_str(&cur);
                }
                _ => out.push(Passage { id: format!("{}#{n}", d.id), split: d.split, text: cur }),
            }
        }
    }
    out
}

/// Every tenth passage (by a hash of its id) is held apart: never indexed,
/// its spun copies measure false matches.
#[allow(clippy::manual_is_multiple_of)] // is_multiple_of needs Rust 1.87; the project supports 1.80
pub fn held_apart(p: &Passage) -> bool {
    stable_hash(&p.id) % 10 == 0
}

/// A one-way spinner from Moby II: each head word or phrase may be replaced
/// by one of its listed synonyms of at most three words.
pub fn moby_spinner(moby: &str) -> anyhow::Result<Spinner> {
    let ok = |s: &str| !s.is_empty() && s.split(' ').count() <= 3 && s.chars().all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '-' || c == '\'');
    let mut entries = Vec::new();
    for line in moby.lines() {
        let mut parts = line.split(['|', ',']).map(str::trim);
        let Some(head) = parts.next().filter(|h| ok(h)) else { continue };
        let syns: Vec<String> = parts.filter(|s| ok(s)).map(String::from).collect();
        if !syns.is_empty() {
            entries.push((head.to_string(), syns));
        }
    }
    Spinner::from_replacements(&entries)
}

/// Outcome of one setting (spinner, rate, split) for one method.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub queries: usize,
    pub at1: usize,
    pub at10: usize,
    pub absent: usize,
    pub false_matches: usize,
    pub seconds: f64,
    /// Mean share of words replaced by the spinner.
    pub replaced: f64,
}

impl Outcome {
    fn row(&self, dataset: &str, method: &str, split: Split) -> Row {
        let share = |a: usize, b: usize| if b == 0 { None } else { Some(a as f64 / b as f64) };
        Row::new(Section::Matching, dataset, method, split.name(), self.queries as u64, "queries")
            .with(Figure::count("absent", self.absent as u64))
            .with(Figure::share("words swapped", Some(self.replaced)))
            .with(Figure::share("recall@1", share(self.at1, self.queries)))
            .with(Figure::share("recall@10", share(self.at10, self.queries)))
            .with(Figure::share("false match", share(self.false_matches, self.absent)))
            .with(Figure::number("ms/query", Some(1000.0 * self.seconds / (self.queries + self.absent).max(1) as f64)))
    }
}

/// The plain-shingle yardstick: signatures of all indexed passages.
pub struct Shingler {
    hasher: MinHasher,
    signatures: Vec<Vec<u32>>,
}

fn word_hashes(text: &str) -> Vec<u64> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(|w| unspin_matching::features::word_key(&w.to_lowercase()))
        .collect()
}

impl Shingler {
    pub fn new(indexed: &[Document]) -> Shingler {
        let hasher = MinHasher::new(BASELINE_HASHES, 0x0053_4849_4E47_4C45);
        let signatures = indexed.par_iter().map(|d| Shingler::sig(&hasher, &d.text)).collect();
        Shingler { hasher, signatures }
    }

    fn sig(hasher: &MinHasher, text: &str) -> Vec<u32> {
        hasher.signature(&shingles(&word_hashes(text), BASELINE_SHINGLE)).unwrap_or_else(|| vec![u32::MAX; hasher.len()])
    }

    /// Indexed passages from `BASELINE_MIN_JACCARD` on, best first, at most `top`.
    pub fn find(&self, text: &str, top: usize) -> Vec<(usize, f64)> {
        let q = Shingler::sig(&self.hasher, text);
        let mut scored: Vec<(usize, f64)> = self
            .signatures
            .iter()
            .enumerate()
            .map(|(i, s)| (i, estimated_jaccard(&q, s)))
            .filter(|&(_, j)| j >= BASELINE_MIN_JACCARD)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(top);
        scored
    }
}

/// Spins `text` so that about `share` of its words are swapped: the
/// spinner's per-position rate is raised by the share of words its
/// dictionary can reach (capped at every eligible position). Returns the
/// spun text and the share of the original's words actually replaced.
pub fn spin_words(spinner: &Spinner, text: &str, share: f64, seed: u64) -> (String, f64) {
    let words = word_count(text).max(1);
    let reachable: usize = spinner.eligible(text).iter().map(|&(s, e, _)| word_count(&text[s..e])).sum();
    let rate = if reachable == 0 { 0.0 } else { (share * words as f64 / reachable as f64).min(1.0) };
    let spun = spinner.spin(text, rate, seed);
    let replaced: usize = spun.gold.iter().map(|g| word_count(&g.original)).sum();
    (spun.text, replaced as f64 / words as f64)
}

/// A spun query: its text, the index position of its true source (None when
/// the source is held apart), and the share of words replaced.
pub type Query = (String, Option<usize>, f64);

/// Queries of one split, spun to `share` of their words.
pub fn spin_queries(
    spinner: &Spinner,
    present: &[&Passage],
    present_pos: &[usize],
    absent: &[&Passage],
    share: f64,
    seed: u64,
) -> Vec<Query> {
    let mut q: Vec<Query> = present
        .par_iter()
        .zip(present_pos.par_iter())
        .map(|(p, &pos)| {
            let (t, r) = spin_words(spinner, &p.text, share, derive_seed(seed, &p.id, share));
            (t, Some(pos), r)
        })
        .collect();
    q.extend(
        absent
            .par_iter()
            .map(|p| {
                let (t, r) = spin_words(spinner, &p.text, share, derive_seed(seed, &p.id, share));
                (t, None, r)
            })
            .collect::<Vec<_>>(),
    );
    q
}

pub fn score_matcher(matcher: &Matcher, index: &MemoryIndex, queries: &[Query]) -> Outcome {
    let started = Instant::now();
    let results: Vec<Vec<usize>> =
        queries.par_iter().map(|(text, _, _)| matcher.find(index, text, 10).into_iter().map(|m| m.doc as usize).collect()).collect();
    tally(queries, results, started)
}

pub fn score_baseline(shingler: &Shingler, queries: &[Query]) -> Outcome {
    let started = Instant::now();
    let results: Vec<Vec<usize>> =
        queries.par_iter().map(|(text, _, _)| shingler.find(text, 10).into_iter().map(|x| x.0).collect()).collect();
    tally(queries, results, started)
}

fn tally(queries: &[Query], results: Vec<Vec<usize>>, started: Instant) -> Outcome {
    let mut o = Outcome { seconds: started.elapsed().as_secs_f64(), ..Outcome::default() };
    o.replaced = queries.iter().map(|q| q.2).sum::<f64>() / queries.len().max(1) as f64;
    for ((_, truth, _), found) in queries.iter().zip(results) {
        match truth {
            Some(t) => {
                o.queries += 1;
                o.at1 += usize::from(found.first() == Some(t));
                o.at10 += usize::from(found.iter().take(10).any(|d| d == t));
            }
            None => {
                o.absent += 1;
                o.false_matches += usize::from(!found.is_empty());
            }
        }
    }
    o
}

/// Everything the matching rows need, prepared once.
pub struct Setup {
    pub passages: Vec<Passage>,
    /// Positions (in `passages`) of the indexed ones, in index order.
    pub indexed: Vec<usize>,
}

impl Setup {
    pub fn new(docs: &[BrownDoc]) -> Setup {
        let passages = passages(docs);
        let indexed = (0..passages.len()).filter(|&i| !held_apart(&passages[i])).collect();
        Setup { passages, indexed }
    }

    pub fn documents(&self) -> Vec<Document> {
        self.indexed.iter().map(|&i| Document { id: self.passages[i].id.clone(), text: self.passages[i].text.clone() }).collect()
    }

    /// Up to `n` indexed and `n` held-apart passages of a split, spread
    /// evenly; with index positions for the indexed ones.
    pub fn sample(&self, split: Split, n: Option<usize>) -> (Vec<&Passage>, Vec<usize>, Vec<&Passage>) {
        let present: Vec<usize> =
            (0..self.indexed.len()).filter(|&k| self.passages[self.indexed[k]].split == split).collect();
        let present = brown::spread(&present, n);
        let held: HashSet<usize> = self.indexed.iter().copied().collect();
        let absent: Vec<&Passage> =
            self.passages.iter().enumerate().filter(|(i, p)| p.split == split && !held.contains(i)).map(|(_, p)| p).collect();
        let absent = brown::spread(&absent, n);
        (present.iter().map(|&k| &self.passages[self.indexed[k]]).collect(), present, absent)
    }
}

/// The matching rows: for each spinner, rate and split, the matcher and the
/// yardstick side by side. `queries_per_split`: indexed (and as many held
/// apart) queries per split; None for all.
#[allow(clippy::too_many_arguments)]
pub fn rows(
    docs: &[BrownDoc],
    spinners: &[(&str, &Spinner)],
    lexicon: &Lexicon,
    params: MatchParams,
    rates: &[f64],
    splits: &[Split],
    queries_per_split: Option<usize>,
    seed: u64,
    with_baseline: bool,
) -> (Vec<Row>, String) {
    let setup = Setup::new(docs);
    let matcher = Matcher::new(lexicon, params);
    let started = Instant::now();
    let documents = setup.documents();
    let index = MemoryIndex::build(&matcher, documents.clone());
    let index_seconds = started.elapsed().as_secs_f64();
    let shingler = with_baseline.then(|| Shingler::new(&documents));
    let mut out = Vec::new();
    for &(name, spinner) in spinners {
        for &rate in rates {
            let dataset = format!("{name} {:.0}%", rate * 100.0);
            for &split in splits {
                let (present, pos, absent) = setup.sample(split, queries_per_split);
                let queries = spin_queries(spinner, &present, &pos, &absent, rate, seed);
                out.push(score_matcher(&matcher, &index, &queries).row(&dataset, MATCHER, split));
                if let Some(s) = &shingler {
                    out.push(score_baseline(s, &queries).row(&dataset, BASELINE, split));
                }
            }
        }
    }
    let detail = format!(
        "{} passages of 150-300 words from {} documents; {} indexed ({:.1} s), {} held apart",
        setup.passages.len(),
        docs.len(),
        setup.indexed.len(),
        index_seconds,
        setup.passages.len() - setup.indexed.len()
    );
    (out, detail)
}
