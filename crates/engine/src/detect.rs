//! The statistical detector.
//!
//! A phrase is suspicious when a synonym swap away there is a far more natural
//! phrase. This is a noisy-channel decision per sentence:
//!
//! ```text
//!   restore o for s  iff  log P_lm(sentence with o) + log P(s | o) + log pi
//!                         > log P_lm(sentence with s) + log (1 - pi)
//! ```
//!
//! * `P(s | o)` is how plausible the swap is: a spinner picks one of the
//!   synonyms of `o`, so an original with hundreds of synonyms explains any
//!   one of them poorly (the lexicon's channel score).
//! * `pi` is the prior that a phrase was swapped at all; clean text keeps it
//!   honest, and it is what the calibration tunes.
//! * Only phrases that are themselves abnormal are considered: a word whose
//!   bigram with a neighbour was never seen by the language model. This is the
//!   precision guard: a fluent clean sentence offers nothing to restore.
//!
//! Candidates of neighbouring suspicious phrases interact (both words of
//! "counterfeit consciousness" were swapped), so each cluster of them is
//! decoded jointly with a beam over the candidate lattice, scored with the
//! trigram model including the two words after the cluster.

use std::collections::HashMap;
use std::sync::Arc;

use unspin_lm::{Context, LanguageModel};
use unspin_text::{Token, TokenKind};

use crate::candidates::{CandidateRef, CandidateTable, Entry};
use crate::{Config, Evidence, Finding, Source};
use unspin_lexicon::Lexicon;

/// Marks a word the language model does not know.
const OOV: u32 = u32::MAX;

/// One token's contribution to the language-model word sequence.
struct Unit {
    token: usize,
    /// Range into `Sentence::ids`.
    first: usize,
    len: usize,
    /// A single in-vocabulary alphabetic word that may be replaced.
    replaceable: bool,
}

struct Sentence {
    units: Vec<Unit>,
    /// LM ids of all units, in order (no <s>/</s>).
    ids: Vec<u32>,
}

/// How often each pair of adjacent words occurs in the whole text, as
/// written (pairs with a word the language model does not know are left
/// out). A spinner swaps a word in one place and leaves it in others ("the
/// State Highway Department" ... "Kingdom Highway Department"), so a
/// restoration whose pair with a neighbour the author wrote elsewhere in
/// the text is likelier right, and a written pair found elsewhere too is
/// likelier the author's. Only a pair the language model expects less
/// than [`PairCounts::SURPRISING`] times in a text of this length counts:
/// "in the" recurs in any text and says nothing.
struct PairCounts {
    counts: HashMap<u64, u32, rustc_hash::FxBuildHasher>,
    /// log10 of the words in the text.
    log10_words: f32,
}

impl PairCounts {
    const SURPRISING: f32 = 0.5;

    fn new(sentences: &[Sentence]) -> PairCounts {
        let mut counts: HashMap<u64, u32, rustc_hash::FxBuildHasher> = HashMap::default();
        let mut words = 0;
        // A sentence the text repeats word for word (a pasted paragraph,
        // a page's boilerplate) is one choice of words, its pairs counted
        // once: its copy is no other place where the author wrote them.
        let mut seen: std::collections::HashSet<u64, rustc_hash::FxBuildHasher> = Default::default();
        for s in sentences {
            words += s.ids.len();
            if s.ids.len() > 1 && !seen.insert(std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, &s.ids)) {
                continue;
            }
            for pair in s.ids.windows(2) {
                if pair[0] != OOV && pair[1] != OOV {
                    *counts.entry(Self::key(pair[0], pair[1])).or_default() += 1;
                }
            }
        }
        PairCounts { counts, log10_words: (words.max(1) as f32).log10() }
    }

    fn key(a: u32, b: u32) -> u64 {
        (a as u64) << 32 | b as u64
    }

    /// Whether the pair `a b` occurs in the text more than `here` times
    /// (the occurrences at the place in question) and the language model
    /// expects it seldom in a text this long.
    fn echoed(&self, lm: &LanguageModel, a: Option<u32>, b: u32, here: u32) -> bool {
        let Some(a) = a.filter(|&a| a != OOV && b != OOV) else { return false };
        if self.counts.get(&Self::key(a, b)).copied().unwrap_or(0) <= here {
            return false;
        }
        let mut ctx = lm.context(OOV, a);
        let expected = self.log10_words + lm.unigram_log10(a) + lm.advance(&mut ctx, b);
        expected < Self::SURPRISING.log10()
    }
}

/// The words just before and just after units `start..end` of `s` (None
/// at the sentence's edges).
fn span_neighbours(s: &Sentence, start: usize, end: usize) -> (Option<u32>, Option<u32>) {
    let last_unit = &s.units[end - 1];
    let before = s.units[start].first.checked_sub(1).map(|i| s.ids[i]);
    let after = s.ids.get(last_unit.first + last_unit.len).copied();
    (before, after)
}

/// Up to two words after a span, then </s> (see `Detector::tail`); kept
/// on the stack, as it is taken for every span scored.
struct Tail {
    ids: [u32; 2],
    len: usize,
}

impl std::ops::Deref for Tail {
    type Target = [u32];
    fn deref(&self) -> &[u32] {
        &self.ids[..self.len]
    }
}

/// The least confidence (of the sentence's reading) at which a restoration
/// lists its alternatives: four in five restorations of clean prose are
/// under it, and building eight for every one cost about a tenth of the
/// checking.
pub(crate) const ALTERNATIVES_FLOOR: f64 = 0.1;

/// A replacement of units `start..end` by `ids`.
#[derive(Clone)]
struct Opt {
    start: usize,
    end: usize,
    ids: Vec<u32>,
    text: String,
    /// Channel plus prior, in log10.
    cost: f32,
    /// Share of the span's candidate originals the language model alone
    /// prefers to the written phrase in its place.
    beaten_by: f32,
    /// How many candidate originals the span has.
    candidates: u16,
    /// The option's gain scored alone in the written context (LM gain plus
    /// cost): how the span's options rank among themselves.
    local_gain: f32,
}

pub(crate) struct Detector<'a> {
    pub lm: &'a LanguageModel,
    pub lexicon: &'a Lexicon,
    pub config: &'a Config,
    pub cache: &'a CandidateCache,
    pub table: Option<&'a CandidateTable>,
    pub substitutes: Option<&'a Substitutes>,
}

/// The language model's substitutes of the commonest words (see
/// `unspin_lm::substitutes`), as candidate originals: for a written word,
/// the words it can stand for, each with the channel score
/// log10 P(written | original) = the written word's share of the original's
/// substitutes, by similarity.
#[derive(Default)]
pub(crate) struct Substitutes {
    originals: HashMap<u32, Vec<(u32, f32)>, rustc_hash::FxBuildHasher>,
}

impl Substitutes {
    pub fn new(pairs: &[unspin_lm::substitutes::Substitute]) -> Substitutes {
        let mut total: HashMap<u32, f32, rustc_hash::FxBuildHasher> = HashMap::default();
        for p in pairs {
            *total.entry(p.word).or_default() += p.similarity;
        }
        let mut originals: HashMap<u32, Vec<(u32, f32)>, rustc_hash::FxBuildHasher> = HashMap::default();
        // (word -> substitute) means the substitute may be written for the word.
        for p in pairs {
            originals.entry(p.substitute).or_default().push((p.word, (p.similarity / total[&p.word]).log10()));
        }
        originals.values_mut().for_each(|v| v.sort_by(|a, b| b.1.total_cmp(&a.1)));
        Substitutes { originals }
    }
}

/// A candidate original, resolved to language-model ids.
pub(crate) struct Resolved {
    pub ids: Vec<u32>,
    pub text: String,
    pub channel: f32,
}

/// The candidate originals of a written phrase, from the lexicon: of its
/// `MAX_LEXICON_CANDIDATES` best by channel, those the language model knows,
/// likeliest first, at most `max_lexicon_candidates` of them. Also returns
/// how many there were before that cut (the candidate table records it to
/// serve other cuts).
pub(crate) fn lexicon_candidates(lm: &LanguageModel, lexicon: &Lexicon, ids: &[u32], max_lexicon_candidates: usize) -> (Vec<Resolved>, usize) {
    let words: Vec<&str> = ids.iter().map(|&id| lm.word(id)).collect();
    let mut cands = lexicon.originals(&words);
    cands.truncate(MAX_LEXICON_CANDIDATES);
    let mut resolved: Vec<Resolved> = cands
        .into_iter()
        .filter_map(|c| {
            let ids: Vec<u32> = c.original.split(' ').map(|w| lm.word_id(w).unwrap_or(OOV)).collect();
            (!ids.contains(&OOV)).then_some(Resolved { ids, text: c.original, channel: c.channel_log10 })
        })
        .collect();
    let before_cut = resolved.len();
    // Likeliest first, before any context is seen: P(original | written)
    // ~ P(written | original) P(original), the channel times the phrase's
    // own probability; a suspect with little evidence is scored against
    // the first few only, and the cut keeps the first
    // `max_lexicon_candidates`. The sort is stable, which the candidate
    // table relies on (a smaller cut is a prefix of a larger one).
    let prior = |r: &Resolved| r.channel + lm.score_sequence(&[], &r.ids);
    let mut ranked: Vec<(f32, Resolved)> = resolved.into_iter().map(|r| (prior(&r), r)).collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.truncate(max_lexicon_candidates);
    resolved = ranked.into_iter().map(|(_, r)| r).collect();
    (resolved, before_cut)
}

/// The candidate originals of a phrase, as the detector scores them.
pub(crate) enum Candidates<'a> {
    /// A single word's, from the candidate table.
    Table(Entry<'a>),
    /// Computed from the lexicon (and the substitutes), shared through the cache.
    Computed(Arc<Vec<Resolved>>),
}

impl<'a> Candidates<'a> {
    fn len(&self) -> usize {
        match self {
            Candidates::Table(e) => e.len(),
            Candidates::Computed(v) => v.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, i: usize) -> Option<CandidateRef<'_>> {
        match self {
            Candidates::Table(e) => e.get(i),
            Candidates::Computed(v) => v.get(i).map(|r| CandidateRef { ids: &r.ids, text: &r.text, channel: r.channel }),
        }
    }

    fn iter(&self) -> impl Iterator<Item = CandidateRef<'_>> {
        (0..self.len()).map_while(|i| self.get(i))
    }
}

/// Candidate originals per written phrase, shared by all documents an
/// engine checks: the lexicon lookup (lemmas, inflection, ranking) costs far
/// more than scoring, and the same words recur in every document. Keyed by
/// the phrase's language-model ids (up to four; the detector's spans are no
/// longer). Bounded: emptied when full, so memory stays flat on any corpus.
/// Single words the model's candidate table serves do not enter it.
#[derive(Default)]
pub(crate) struct CandidateCache {
    map: std::sync::RwLock<HashMap<PhraseKey, Arc<Vec<Resolved>>, rustc_hash::FxBuildHasher>>,
}

type PhraseKey = [u32; 4];

const CACHE_ENTRIES: usize = 200_000;

/// Candidate originals taken from the lexicon per phrase, best channel
/// first, before `Config::max_lexicon_candidates` keeps the likeliest.
pub(crate) const MAX_LEXICON_CANDIDATES: usize = 200;

impl CandidateCache {
    fn get_or_insert(&self, key: PhraseKey, make: impl FnOnce() -> Vec<Resolved>) -> Arc<Vec<Resolved>> {
        if let Some(v) = self.map.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return v.clone();
        }
        let v = Arc::new(make());
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CACHE_ENTRIES {
            map.clear();
        }
        map.insert(key, v.clone());
        v
    }
}

impl<'a> Detector<'a> {
    fn id_of(&self, w: &str) -> u32 {
        self.lm.word_id(w).unwrap_or(OOV)
    }

    fn build_sentence(&self, text: &str, tokens: &[Token], range: std::ops::Range<usize>) -> Sentence {
        let mut units = Vec::new();
        let mut ids = Vec::new();
        let mut lower = String::new();
        for ti in range {
            let tok = &tokens[ti];
            if matches!(tok.kind, TokenKind::Punct | TokenKind::Symbol) {
                continue;
            }
            let first = ids.len();
            let surface = &text[tok.start..tok.end];
            if tok.kind == TokenKind::Word && surface.is_ascii() {
                // The common case without allocating: the word lower-cased
                // (as `lm_words` does) into a reused buffer.
                lower.clear();
                lower.extend(surface.chars().map(|c| c.to_ascii_lowercase()));
                self.push_word_ids(&lower, &mut ids);
            } else {
                for w in &unspin_text::lm_words(text, tok) {
                    self.push_word_ids(w, &mut ids);
                }
            }
            if ids.len() == first {
                continue;
            }
            let len = ids.len() - first;
            let replaceable = tok.kind == TokenKind::Word
                && len == 1
                && ids[first] != OOV
                && surface.chars().all(|c| c.is_alphabetic() || c == '\'' || c == '’' || c == '-');
            units.push(Unit { token: ti, first, len, replaceable });
        }
        Sentence { units, ids }
    }

    /// Appends the ids of one normalised word; an unknown compound is
    /// better understood by its parts.
    fn push_word_ids(&self, w: &str, ids: &mut Vec<u32>) {
        let id = self.id_of(w);
        if id == OOV && w.contains('-') {
            ids.extend(w.split('-').filter(|p| !p.is_empty()).map(|part| self.id_of(part)));
        } else {
            ids.push(id);
        }
    }

    /// The scoring context before unit `u` (two words, <s> padded).
    fn history(&self, s: &Sentence, u: usize) -> Context {
        let at = if u < s.units.len() { s.units[u].first } else { s.ids.len() };
        let bos = self.lm.bos();
        let h2 = if at >= 1 { s.ids[at - 1] } else { bos };
        let h1 = if at >= 2 { s.ids[at - 2] } else if at == 1 { bos } else { OOV };
        self.lm.context(h1, h2)
    }

    /// The ids after unit `u` that a change before them affects (two, then </s>).
    fn tail(&self, s: &Sentence, u: usize) -> Tail {
        let at = if u < s.units.len() { s.units[u].first } else { s.ids.len() };
        let rest = &s.ids[at..];
        match rest {
            [a, b, ..] => Tail { ids: [*a, *b], len: 2 },
            [a] => Tail { ids: [*a, self.lm.eos()], len: 2 },
            [] => Tail { ids: [self.lm.eos(), 0], len: 1 },
        }
    }

    fn score_path(&self, mut ctx: Context, words: &[u32], tail: &[u32]) -> f32 {
        words.iter().chain(tail).map(|&w| self.lm.advance(&mut ctx, w)).sum()
    }

    /// Is the left (or right) edge of unit `u`, as written, a pair the
    /// language model never saw? See `unseen_edges`.
    fn unseen_edge(&self, s: &Sentence, u: usize, left: bool) -> bool {
        let unit = &s.units[u];
        if left {
            let before = unit.first.checked_sub(1).map(|i| s.ids[i]);
            self.pair_unseen(before, Some(s.ids[unit.first]))
        } else {
            let after = s.ids.get(unit.first + unit.len).copied();
            self.pair_unseen(Some(s.ids[unit.first + unit.len - 1]), after)
        }
    }

    /// How many of the two edges of units `start..end`, written with `first`
    /// and `last` as their first and last words, form a pair the language
    /// model never saw (the word before the span with its first word, its
    /// last word with the word after). A sentence boundary gives no evidence
    /// of fit and counts as unseen. A multiword phrase is judged at its edges
    /// only: a spun "joined together" is fluent inside and out of place
    /// around.
    fn unseen_edges(&self, s: &Sentence, start: usize, end: usize, first: u32, last: u32) -> usize {
        let (before, after) = span_neighbours(s, start, end);
        self.pair_unseen(before, Some(first)) as usize + self.pair_unseen(Some(last), after) as usize
    }

    /// How many of the two edges of units `start..end`, with `ids` in their
    /// place, form a pair the text holds elsewhere (`pairs`, less the
    /// occurrence the written phrase `present` makes here).
    fn echoes(&self, s: &Sentence, start: usize, end: usize, ids: &[u32], present: &[u32], pairs: &PairCounts) -> u8 {
        let (before, after) = span_neighbours(s, start, end);
        let (first, last) = (ids[0], *ids.last().unwrap());
        let left = pairs.echoed(self.lm, before, first, (first == present[0]) as u32);
        let right = after.is_some_and(|after| pairs.echoed(self.lm, Some(last), after, (last == *present.last().unwrap()) as u32));
        left as u8 + right as u8
    }

    fn pair_unseen(&self, a: Option<u32>, b: Option<u32>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) if a != OOV && b != OOV => !self.lm.has_bigram(a, b),
            (Some(a), Some(b)) => a == OOV && b == OOV,
            _ => true,
        }
    }

    /// The candidate originals of a written phrase (its language-model ids,
    /// at most four) that the language model knows, at most
    /// `max_lexicon_candidates` of the likeliest: from the candidate table
    /// for a single word it holds, else computed and cached.
    fn candidates(&self, ids: &[u32]) -> Candidates<'a> {
        let max = self.config.max_lexicon_candidates;
        let entry = match (self.table, ids) {
            (Some(table), [id]) => table.entry(*id, max),
            _ => None,
        };
        if let (Some(entry), None) = (entry, self.substitutes) {
            return Candidates::Table(entry);
        }
        let mut key = [OOV; 4];
        key[..ids.len()].copy_from_slice(ids);
        Candidates::Computed(self.cache.get_or_insert(key, || {
            let mut resolved = match entry {
                Some(entry) => entry.to_resolved(),
                None => lexicon_candidates(self.lm, self.lexicon, ids, max).0,
            };
            if let (Some(subs), [id]) = (self.substitutes, ids) {
                for &(o, channel) in subs.originals.get(id).map(|v| v.as_slice()).unwrap_or(&[]) {
                    if !resolved.iter().any(|r| r.ids == [o]) {
                        resolved.push(Resolved { ids: vec![o], text: self.lm.word(o).to_string(), channel });
                    }
                }
            }
            resolved
        }))
    }

    fn span_options(&self, s: &Sentence, start: usize, end: usize, limit: usize) -> Vec<Opt> {
        let present = self.span_ids(s, start, end);
        let ctx = self.history(s, start);
        let tail = self.tail(s, end);
        let base = self.score_path(ctx, &present, &tail);
        // (gain, candidate index, cost): options are built for the best few only.
        let mut scored: Vec<(f32, usize, f32)> = Vec::new();
        let present_freq: f32 = present.iter().map(|&w| self.lm.unigram_log10(w)).sum();
        let cands = self.candidates(&present);
        let count = cands.len().min(limit);
        let mut better = 0usize;
        // The candidates' lookups are independent cache misses: start the
        // hash-table slots each candidate's scoring reads a few candidates
        // ahead, so that the misses overlap.
        const AHEAD: usize = 6;
        for c in cands.iter().take(AHEAD.min(count)) {
            self.lm.prefetch_path(&ctx, c.ids, &tail);
        }
        for (i, cand) in cands.iter().take(count).enumerate() {
            if let Some(c) = cands.get(i + AHEAD).filter(|_| i + AHEAD < count) {
                self.lm.prefetch_path(&ctx, c.ids, &tail);
            }
            if cand.ids.len() == present.len() && cand.ids.iter().zip(&present).all(|(a, b)| a == b) {
                continue;
            }
            let lm_gain = self.score_path(ctx, cand.ids, &tail) - base;
            better += (lm_gain > 0.0) as usize;
            let freq: f32 = cand.ids.iter().map(|&w| self.lm.unigram_log10(w)).sum();
            let cost = cand.channel + self.config.spin_prior_log10 - self.config.frequency_discount * (freq - present_freq);
            let gain = lm_gain + cost;
            if gain > -self.config.candidate_slack {
                scored.push((gain, i, cost));
            }
        }
        let beaten_by = better as f32 / count.max(1) as f32;
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.truncate(self.config.max_candidates);
        scored
            .into_iter()
            .filter_map(|(local_gain, i, cost)| {
                let cand = cands.get(i)?;
                Some(Opt { start, end, ids: cand.ids.to_vec(), text: cand.text.to_string(), cost, beaten_by, candidates: count as u16, local_gain })
            })
            .collect()
    }

    /// Decodes units `a..b` jointly. Returns the chosen options with each one's
    /// own gain (best path versus best path without it).
    fn decode(&self, s: &Sentence, a: usize, b: usize, opts: &[Opt]) -> Vec<(Opt, f32)> {
        #[derive(Clone)]
        struct State {
            ctx: Context,
            score: f32,
            chosen: Vec<usize>,
        }
        let mut by_start: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, o) in opts.iter().enumerate() {
            by_start.entry(o.start).or_default().push(i);
        }
        // frontier[p] = states that have consumed units a..p
        let mut frontier: Vec<Vec<State>> = vec![Vec::new(); b - a + 1];
        frontier[0].push(State { ctx: self.history(s, a), score: 0.0, chosen: Vec::new() });
        for p in a..b {
            let mut states = std::mem::take(&mut frontier[p - a]);
            states.sort_by(|x, y| y.score.total_cmp(&x.score));
            states.truncate(self.config.beam);
            for st in &states {
                // keep the unit as written
                let u = &s.units[p];
                let mut next = st.clone();
                for &w in &s.ids[u.first..u.first + u.len] {
                    next.score += self.lm.advance(&mut next.ctx, w);
                }
                frontier[p + 1 - a].push(next);
                for &oi in by_start.get(&p).map(|v| v.as_slice()).unwrap_or(&[]) {
                    let o = &opts[oi];
                    if o.end > b {
                        continue;
                    }
                    let mut next = st.clone();
                    next.score += o.cost;
                    for &w in &o.ids {
                        next.score += self.lm.advance(&mut next.ctx, w);
                    }
                    next.chosen.push(oi);
                    frontier[o.end - a].push(next);
                }
            }
        }
        let tail = self.tail(s, b);
        let finish = |st: &State| st.score + self.score_path(st.ctx, &[], &tail);
        let Some(best) = frontier[b - a].iter().max_by(|x, y| finish(x).total_cmp(&finish(y))) else {
            return Vec::new();
        };
        if best.chosen.is_empty() {
            return Vec::new();
        }
        let best_total = finish(best);
        best.chosen
            .iter()
            .map(|&oi| {
                let without: Vec<usize> = best.chosen.iter().copied().filter(|&x| x != oi).collect();
                let alt = self.path_score(s, a, b, opts, &without);
                (opts[oi].clone(), best_total - alt)
            })
            .collect()
    }

    /// Score of units `a..b` (plus tail) with the given options applied.
    fn path_score(&self, s: &Sentence, a: usize, b: usize, opts: &[Opt], chosen: &[usize]) -> f32 {
        let mut ctx = self.history(s, a);
        let mut total = 0.0;
        let mut p = a;
        while p < b {
            if let Some(&oi) = chosen.iter().find(|&&oi| opts[oi].start == p) {
                total += opts[oi].cost;
                total += opts[oi].ids.iter().map(|&w| self.lm.advance(&mut ctx, w)).sum::<f32>();
                p = opts[oi].end;
            } else {
                let u = &s.units[p];
                total += s.ids[u.first..u.first + u.len].iter().map(|&w| self.lm.advance(&mut ctx, w)).sum::<f32>();
                p += 1;
            }
        }
        total + self.score_path(ctx, &[], &self.tail(s, b))
    }

    /// Every restoration the joint decoding chooses, with the evidence its
    /// confidence is computed from; the caller applies the threshold.
    pub fn detect(&self, text: &str, tokens: &[Token], sentences: &[std::ops::Range<usize>]) -> Vec<(Finding, Evidence)> {
        let mut findings = Vec::new();
        let maxw = self.lexicon.max_phrase_words().clamp(1, 4);
        let built: Vec<Sentence> = sentences.iter().map(|range| self.build_sentence(text, tokens, range.clone())).collect();
        let pairs = PairCounts::new(&built);
        for s in &built {
            if s.units.is_empty() {
                continue;
            }
            // Spans of replaceable, adjacent units that sit badly in the sentence.
            let mut spans: Vec<(usize, usize)> = Vec::new();
            // Whether each unit's left and right edge is a pair the language
            // model never saw, looked up once: every span is judged by the
            // left edge of its first unit and the right edge of its last.
            let n = s.units.len();
            self.lm.prefetch_pairs(&s.ids);
            // Units are contiguous in `s.ids`, so a unit's right edge is the
            // next unit's left edge: n + 1 edges, each looked up once.
            let edges: Vec<bool> = (0..=n).map(|k| if k < n { self.unseen_edge(&s, k, true) } else { self.unseen_edge(&s, n - 1, false) }).collect();
            let (left_unseen, right_unseen) = (&edges[..n], &edges[1..]);
            // Spans of up to `maxw` adjacent replaceable units with candidates.
            let sides_of = |start: usize, end: usize| left_unseen[start] as usize + right_unseen[end - 1] as usize;
            // A span's ids on the stack: most spans go no further than the
            // filter.
            let ids_on_stack = |start: usize, end: usize| {
                let mut buffer = [OOV; 4];
                for (slot, unit) in buffer.iter_mut().zip(&s.units[start..end]) {
                    *slot = s.ids[unit.first];
                }
                buffer
            };
            // The spans the suspect rule wants. Their filter lookups miss
            // the processor's cache; started here together, they overlap.
            let mut wanted: Vec<(usize, usize)> = Vec::new();
            for start in 0..n {
                for end in (start + 1)..=(start + maxw).min(n) {
                    if !s.units[end - 1].replaceable
                        || (end > start + 1 && s.units[end - 1].token != s.units[end - 2].token + 1)
                    {
                        break;
                    }
                    let sides = sides_of(start, end);
                    let suspect = if self.config.neighbours { sides >= 1 } else { self.is_suspect(&s, start, end, sides) };
                    if suspect {
                        if let (Some(table), true) = (self.table, end > start + 1) {
                            table.prefetch_phrase(&ids_on_stack(start, end)[..end - start]);
                        }
                        wanted.push((start, end));
                    }
                }
            }
            // Of these, those with candidates. Most runs of words are no
            // phrase of the lexicon; the table's filter says so without a
            // lookup.
            let possible: Vec<(usize, usize)> = wanted
                .into_iter()
                .filter(|&(start, end)| {
                    let buffer = ids_on_stack(start, end);
                    let ids = &buffer[..end - start];
                    (end == start + 1 || self.table.is_none_or(|t| t.may_be_phrase(ids))) && !self.candidates(ids).is_empty()
                })
                .collect();
            spans.extend(possible.iter().filter(|&&(a, b)| self.is_suspect(&s, a, b, sides_of(a, b))));
            // Swaps come in runs ("counterfeit consciousness"): the pair
            // between two swapped words is unseen, so a phrase whose one
            // unseen edge it shares with a suspect is a suspect too.
            if self.config.neighbours {
                let seeds = spans.clone();
                spans.extend(possible.iter().filter(|&&(a, b)| {
                    (left_unseen[a] && seeds.iter().any(|&(_, e)| e == a)) || (right_unseen[b - 1] && seeds.iter().any(|&(st, _)| st == b))
                }));
            }
            spans.sort();
            spans.dedup();
            let mut opts: Vec<Opt> = Vec::new();
            for &(a, b) in &spans {
                // A span with one odd side is weaker evidence than one with
                // two, and one with none (a suspect only under `--thorough`)
                // weaker still: they get the likeliest few candidates only.
                let limit = match left_unseen[a] as usize + right_unseen[b - 1] as usize {
                    2 => usize::MAX,
                    1 if b - a > 1 => self.config.one_side_phrase_candidates,
                    1 => self.config.one_side_candidates,
                    _ => self.config.no_side_candidates,
                };
                opts.extend(self.span_options(&s, a, b, limit));
            }
            if opts.is_empty() {
                continue;
            }
            opts.sort_by_key(|o| (o.start, o.end));
            // Clusters: options whose reach (two words of trigram context) overlaps.
            let mut i = 0;
            while i < opts.len() {
                let a = opts[i].start;
                let mut b = opts[i].end;
                let mut j = i + 1;
                while j < opts.len() && opts[j].start < b + 2 {
                    b = b.max(opts[j].end);
                    j += 1;
                }
                let cluster = &opts[i..j];
                for (o, gain) in self.decode(&s, a, b, cluster) {
                    let present = self.span_ids(&s, o.start, o.end);
                    let freq = |ids: &[u32]| ids.iter().map(|&w| self.lm.unigram_log10(w)).fold(f32::INFINITY, f32::min);
                    let first = &tokens[s.units[o.start].token];
                    let last = &tokens[s.units[o.end - 1].token];
                    let written = &text[first.start..last.end];
                    let evidence = Evidence {
                        lm_gain: gain - o.cost,
                        channel: o.cost - self.config.spin_prior_log10,
                        present_unseen: self.unseen_edges(&s, o.start, o.end, present[0], *present.last().unwrap()) as u8,
                        restored_unseen: self.unseen_edges(&s, o.start, o.end, o.ids[0], *o.ids.last().unwrap()) as u8,
                        present_log10_freq: freq(&present),
                        restored_log10_freq: freq(&o.ids),
                        words: (o.end - o.start) as u8,
                        restored_words: o.ids.len() as u8,
                        present_fit: self.context_fit(&s, o.start, o.end, &present),
                        restored_fit: self.context_fit(&s, o.start, o.end, &o.ids),
                        beaten_by: o.beaten_by,
                        present_trigrams: self.seen_trigrams(&s, o.start, o.end, &present),
                        restored_trigrams: self.seen_trigrams(&s, o.start, o.end, &o.ids),
                        sentence_start: o.start == 0,
                        capitalized: written.chars().next().is_some_and(char::is_uppercase),
                        candidates: o.candidates,
                        article_mismatch: article_mismatch(text, tokens, s.units[o.start].token),
                        present_echo: self.echoes(s, o.start, o.end, &present, &present, &pairs),
                        restored_echo: self.echoes(s, o.start, o.end, &o.ids, &present, &pairs),
                    };
                    let confidence = evidence.confidence(&self.config.confidence_model);
                    let finding = Finding {
                        start: first.start,
                        end: last.end,
                        text: written.to_string(),
                        suggestion: unspin_text::apply_case(&o.text, written),
                        confidence,
                        source: Source::Model,
                        // Below the floor no reading lifts a restoration to a
                        // threshold anyone reads at; most restorations are there.
                        alternatives: if confidence >= ALTERNATIVES_FLOOR { self.alternatives(cluster, &o, written) } else { Vec::new() },
                    };
                    findings.push((finding, evidence));
                }
                i = j;
            }
        }
        findings
    }

    /// The other options of `chosen`'s span, best alone in context first, at
    /// most `Config::alternatives` of them, in the case of `written`.
    fn alternatives(&self, cluster: &[Opt], chosen: &Opt, written: &str) -> Vec<String> {
        if self.config.alternatives == 0 {
            return Vec::new();
        }
        let mut others: Vec<&Opt> = cluster.iter().filter(|o| o.start == chosen.start && o.end == chosen.end && o.text != chosen.text).collect();
        others.sort_by(|a, b| b.local_gain.total_cmp(&a.local_gain));
        others.iter().take(self.config.alternatives).map(|o| unspin_text::apply_case(&o.text, written)).collect()
    }

    /// How much better the words `ids`, in place of units `start..end`, and
    /// the two words after them fit their context than their plain
    /// frequencies predict (log10; pointwise mutual information with the
    /// context). A spun word is typically a poor fit however common it is.
    fn context_fit(&self, s: &Sentence, start: usize, end: usize, ids: &[u32]) -> f32 {
        let tail = self.tail(s, end);
        let in_context = self.score_path(self.history(s, start), ids, &tail);
        let alone: f32 = ids.iter().chain(tail.iter()).map(|&w| self.lm.unigram_log10(w)).sum();
        in_context - alone
    }

    /// How many of the trigrams that end on `ids`, in place of units
    /// `start..end`, or on the two words after them the language model holds:
    /// an author's phrase usually sits in familiar trigrams, a substitute
    /// rarely does.
    fn seen_trigrams(&self, s: &Sentence, start: usize, end: usize, ids: &[u32]) -> u8 {
        let at = s.units[start].first;
        let lead = at.min(2);
        let mut seq: Vec<u32> = s.ids[at - lead..at].to_vec();
        seq.extend_from_slice(ids);
        seq.extend_from_slice(&self.tail(s, end));
        (2..seq.len()).filter(|&i| self.lm.has_trigram(seq[i - 2], seq[i - 1], seq[i])).count() as u8
    }

    /// Whether units `start..end`, with `sides` unseen edges, are a suspect:
    /// enough unseen edges for a word or a phrase, and for a phrase with
    /// one, rare enough words at its ends; or a rare enough single word
    /// with one.
    fn is_suspect(&self, s: &Sentence, start: usize, end: usize, sides: usize) -> bool {
        let rarest_end = || {
            let f = |u: usize| self.lm.unigram_log10(s.ids[s.units[u].first]);
            f(start).max(f(end - 1))
        };
        let phrase = end > start + 1;
        if sides >= self.needed_sides(start, end) {
            !(phrase && sides == 1 && self.config.one_side_phrase_rarity < 0.0 && rarest_end() > self.config.one_side_phrase_rarity)
        } else {
            !phrase && sides == 1 && self.config.one_side_word_rarity < 0.0 && rarest_end() < self.config.one_side_word_rarity
        }
    }

    /// How many unseen edges make units `start..end` a suspect.
    fn needed_sides(&self, start: usize, end: usize) -> usize {
        if end - start > 1 {
            self.config.phrase_sides
        } else {
            self.config.abnormal_sides
        }
    }

    fn span_ids(&self, s: &Sentence, start: usize, end: usize) -> Vec<u32> {
        s.units[start..end].iter().map(|u| s.ids[u.first]).collect()
    }

}

/// Whether the word at token `at` follows "a" or "an" that does not suit it
/// ("a arrangement"): a spinner swaps the noun and leaves the article.
fn article_mismatch(text: &str, tokens: &[Token], at: usize) -> bool {
    let Some((_, an)) = crate::preceding_article(text, tokens, at) else { return false };
    let word = &text[tokens[at].start..tokens[at].end];
    (unspin_text::indefinite_article(word) == "an") != an
}

#[cfg(test)]
mod tests {
    use super::article_mismatch;

    /// Whether the last word of `text` follows an article that does not suit it.
    fn last_mismatched(text: &str) -> bool {
        let tokens = unspin_text::tokenize(text);
        article_mismatch(text, &tokens, tokens.len() - 1)
    }

    #[test]
    fn an_article_that_does_not_suit_its_word_is_noticed() {
        for odd in ["They signed a arrangement", "an speech", "It was An difficult", "a hour", "AN bank"] {
            assert!(last_mismatched(odd), "{odd}");
        }
        for fine in ["They signed an arrangement", "a speech", "an hour", "a union", "the arrangement", "arrangement", "A bank"] {
            assert!(!last_mismatched(fine), "{fine}");
        }
    }
}
