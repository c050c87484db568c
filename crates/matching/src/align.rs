//! Word alignment of a copy against a candidate source, and the similarity
//! score that ranks candidates.
//!
//! A local alignment (Smith-Waterman with linear gaps) over the two word
//! sequences, where a word of the copy matches a word of the source when
//! they are equal or when the lexicon lists the source's word among the
//! originals the copy's word may have replaced. A swap the lexicon does not
//! know costs a mismatch and earns nothing, so copies made with other
//! dictionaries still align, only with a lower similarity. Function words weigh a quarter of other words, so stray "of the"
//! runs do not make unrelated texts look alike. Long texts are aligned in
//! blocks, each against the window of the source its rare words point to, so
//! memory and time stay linear in the text length.

use std::collections::HashMap;

use serde::Serialize;

use crate::features::{Analysed, Word};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The lexicon lists the copy's word as a synonym of the source's: what
    /// a spinner's swap looks like.
    Synonym = 2,
    /// The same word.
    Exact = 3,
}

/// Scores of the alignment; the defaults were chosen on the development split.
#[derive(Clone, Copy, Debug)]
pub struct AlignParams {
    pub stopword_weight: f32,
    /// Alignment gain of a synonym, relative to an equal word.
    pub synonym_gain: f32,
    pub mismatch: f32,
    pub gap: f32,
    /// Credit towards the similarity of a word aligned to a synonym.
    pub synonym_credit: f32,
}

impl Default for AlignParams {
    fn default() -> AlignParams {
        AlignParams { stopword_weight: 0.25, synonym_gain: 0.9, mismatch: 0.35, gap: 0.35, synonym_credit: 1.0 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pair {
    /// Word index in the copy.
    pub q: u32,
    /// Word index in the source.
    pub s: u32,
    pub rel: Relation,
}

#[derive(Clone, Debug, Default)]
pub struct Alignment {
    /// Share (0..1) of the copy's word weight explained by aligned source words.
    pub similarity: f64,
    /// Share of the source's word weight aligned to the copy.
    pub source_coverage: f64,
    /// Aligned word pairs, in order.
    pub pairs: Vec<Pair>,
}

/// Words of a block of the copy aligned at most; longer copies go in blocks.
const BLOCK: usize = 800;
/// Source words considered around a block's likeliest place.
const MARGIN: usize = 200;

pub fn weight(w: &Word, p: &AlignParams) -> f32 {
    if w.info.stopword {
        p.stopword_weight
    } else {
        1.0
    }
}

/// The copy's words by key and by candidate original, built once per copy
/// and reused for every candidate source.
pub struct CopyIndex<'q> {
    copy: &'q Analysed,
    weights: Vec<f32>,
    total: f32,
    by_key: HashMap<u64, Vec<u32>>,
    by_original: HashMap<u64, Vec<u32>>,
}

impl<'q> CopyIndex<'q> {
    pub fn new(copy: &'q Analysed, p: &AlignParams) -> CopyIndex<'q> {
        let mut by_key: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut by_original: HashMap<u64, Vec<u32>> = HashMap::new();
        for (i, w) in copy.words.iter().enumerate() {
            by_key.entry(w.info.key).or_default().push(i as u32);
            for &o in &w.info.originals {
                by_original.entry(o).or_default().push(i as u32);
            }
        }
        let weights: Vec<f32> = copy.words.iter().map(|w| weight(w, p)).collect();
        let total = weights.iter().sum();
        CopyIndex { copy, weights, total, by_key, by_original }
    }

    /// Per copy word, the related source positions.
    fn relations(&self, s: &Analysed) -> Vec<Vec<(u32, Relation)>> {
        let mut rows: Vec<Vec<(u32, Relation)>> = vec![Vec::new(); self.copy.words.len()];
        for (j, w) in s.words.iter().enumerate() {
            if let Some(list) = self.by_key.get(&w.info.key) {
                for &i in list {
                    rows[i as usize].push((j as u32, Relation::Exact));
                }
            }
            if let Some(list) = self.by_original.get(&w.info.key) {
                for &i in list {
                    rows[i as usize].push((j as u32, Relation::Synonym));
                }
            }
        }
        rows
    }
}

/// Aligns the copy `q` against the source `s`.
pub fn align(q: &Analysed, s: &Analysed, p: &AlignParams) -> Alignment {
    align_indexed(&CopyIndex::new(q, p), s, p)
}

/// Aligns an indexed copy against the source `s`.
pub fn align_indexed(ci: &CopyIndex, s: &Analysed, p: &AlignParams) -> Alignment {
    let q = ci.copy;
    if q.words.is_empty() || s.words.is_empty() || ci.total <= 0.0 {
        return Alignment::default();
    }
    let qw = &ci.weights;
    let sw: Vec<f32> = s.words.iter().map(|w| weight(w, p)).collect();
    let s_total: f32 = sw.iter().sum();
    let rel_lists = ci.relations(s);
    let mut pairs = Vec::new();
    let mut block_start = 0;
    while block_start < q.words.len() {
        let block_end = (block_start + BLOCK).min(q.words.len());
        let (lo, hi) = window(&rel_lists[block_start..block_end], &q.words[block_start..block_end], s.words.len());
        align_block(&rel_lists, qw, block_start..block_end, lo..hi, p, &mut pairs);
        block_start = block_end;
    }
    let credit = |r: Relation| match r {
        Relation::Exact => 1.0,
        Relation::Synonym => p.synonym_credit,
    };
    let explained: f32 = pairs.iter().map(|x| credit(x.rel) * qw[x.q as usize]).sum();
    let covered: f32 = pairs.iter().map(|x| sw[x.s as usize]).sum();
    Alignment {
        similarity: (explained / ci.total).clamp(0.0, 1.0) as f64,
        source_coverage: if s_total > 0.0 { (covered / s_total).clamp(0.0, 1.0) as f64 } else { 0.0 },
        pairs,
    }
}

/// The source window a block of the copy most likely comes from: the
/// diagonal most exact matches of non-function words agree on.
fn window(rel: &[Vec<(u32, Relation)>], words: &[Word], source_len: usize) -> (usize, usize) {
    let n = rel.len();
    if source_len <= n + 2 * MARGIN {
        return (0, source_len);
    }
    let mut votes: HashMap<i64, u32> = HashMap::new();
    for (i, (list, w)) in rel.iter().zip(words).enumerate() {
        if w.info.stopword {
            continue;
        }
        let exact: Vec<u32> = list.iter().filter(|x| x.1 == Relation::Exact).map(|x| x.0).collect();
        // A word found all over the source says little about where.
        if exact.is_empty() || exact.len() > 8 {
            continue;
        }
        for j in exact {
            *votes.entry((j as i64 - i as i64).div_euclid(64)).or_default() += 1;
        }
    }
    let Some((&best, _)) = votes.iter().max_by_key(|(d, v)| (**v, std::cmp::Reverse(**d))) else {
        return (0, (n + 2 * MARGIN).min(source_len));
    };
    let offset = best * 64;
    let lo = (offset - MARGIN as i64).clamp(0, source_len as i64) as usize;
    let hi = (offset + (n + MARGIN + 64) as i64).clamp(0, source_len as i64) as usize;
    (lo, hi.max(lo))
}

const STOP: u8 = 0;
const DIAG: u8 = 1;
const UP: u8 = 2;
const LEFT: u8 = 3;

fn align_block(
    rel: &[Vec<(u32, Relation)>],
    qw: &[f32],
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
    p: &AlignParams,
    out: &mut Vec<Pair>,
) {
    let n = rows.len();
    let m = cols.len();
    if n == 0 || m == 0 {
        return;
    }
    let mut trace = vec![STOP; n * m];
    let mut prev = vec![0f32; m + 1];
    let mut cur = vec![0f32; m + 1];
    let mut row_rel = vec![0u8; m];
    let (mut best, mut best_at) = (0f32, (0usize, 0usize));
    for (ii, i) in rows.clone().enumerate() {
        for &(j, r) in &rel[i] {
            let j = j as usize;
            if cols.contains(&j) {
                let c = &mut row_rel[j - cols.start];
                *c = (*c).max(r as u8);
            }
        }
        let w = qw[i];
        cur[0] = 0.0;
        for jj in 0..m {
            let gain = match row_rel[jj] {
                3 => w,
                2 => w * p.synonym_gain,
                _ => -p.mismatch,
            };
            let diag = prev[jj] + gain;
            let up = prev[jj + 1] - p.gap;
            let left = cur[jj] - p.gap;
            let (mut v, mut t) = (0.0, STOP);
            if diag > v {
                (v, t) = (diag, DIAG);
            }
            if up > v {
                (v, t) = (up, UP);
            }
            if left > v {
                (v, t) = (left, LEFT);
            }
            cur[jj + 1] = v;
            trace[ii * m + jj] = t;
            if v > best {
                best = v;
                best_at = (ii, jj);
            }
        }
        for &(j, _) in &rel[i] {
            let j = j as usize;
            if cols.contains(&j) {
                row_rel[j - cols.start] = 0;
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    if best <= 0.0 {
        return;
    }
    let mut block_pairs = Vec::new();
    let (mut ii, mut jj) = best_at;
    loop {
        match trace[ii * m + jj] {
            DIAG => {
                let i = rows.start + ii;
                let j = cols.start + jj;
                let r = rel[i].iter().filter(|x| x.0 as usize == j).map(|x| x.1).max();
                if let Some(rel) = r {
                    block_pairs.push(Pair { q: i as u32, s: j as u32, rel });
                }
                if ii == 0 || jj == 0 {
                    break;
                }
                ii -= 1;
                jj -= 1;
            }
            UP => {
                if ii == 0 {
                    break;
                }
                ii -= 1;
            }
            LEFT => {
                if jj == 0 {
                    break;
                }
                jj -= 1;
            }
            _ => break,
        }
    }
    block_pairs.reverse();
    // Blocks are aligned independently; keep the source order increasing.
    let last_s = out.last().map(|x: &Pair| x.s as i64).unwrap_or(-1);
    out.extend(block_pairs.into_iter().filter(|x| x.s as i64 > last_s));
}
