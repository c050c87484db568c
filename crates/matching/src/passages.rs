//! Turning a word alignment into what a reader wants to see: which sentences
//! of the copy come from which sentences of the source, and the words that
//! were swapped.

use serde::Serialize;

use crate::align::{Alignment, AlignParams, Relation};
use crate::features::Analysed;

/// A run of the copy that replaced a run of the source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Swap {
    /// Byte range in the copy.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Byte range in the source.
    pub source_start: usize,
    pub source_end: usize,
    pub source_text: String,
    /// "synonym" when the lexicon relates the words, else "changed".
    pub kind: &'static str,
}

/// One sentence of the copy and the source text it was aligned to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Passage {
    /// Byte range of the sentence in the copy.
    pub start: usize,
    pub end: usize,
    /// Byte range in the source, from the start of the first to the end of
    /// the last source sentence aligned to it.
    pub source_start: usize,
    pub source_end: usize,
    /// Share of the sentence's word weight explained by the source.
    pub similarity: f64,
    pub swaps: Vec<Swap>,
}

/// Longest run of words on either side still reported as one swap; longer
/// divergences are rewrites, not swaps.
const MAX_SWAP_WORDS: usize = 6;

pub fn passages(
    copy_text: &str,
    copy: &Analysed,
    source_text: &str,
    source: &Analysed,
    al: &Alignment,
    p: &AlignParams,
) -> Vec<Passage> {
    let mut out: Vec<Passage> = Vec::new();
    if al.pairs.is_empty() {
        return out;
    }
    let nsent = copy.sentences.len();
    let mut weight_total = vec![0f32; nsent];
    for w in &copy.words {
        weight_total[w.sentence as usize] += crate::align::weight(w, p);
    }
    let mut explained = vec![0f32; nsent];
    let mut src_range: Vec<Option<(u32, u32)>> = vec![None; nsent];
    for pair in &al.pairs {
        let w = &copy.words[pair.q as usize];
        let credit = match pair.rel {
            Relation::Exact => 1.0,
            Relation::Synonym => p.synonym_credit,
        };
        let si = w.sentence as usize;
        explained[si] += credit * crate::align::weight(w, p);
        let ss = source.words[pair.s as usize].sentence;
        src_range[si] = Some(match src_range[si] {
            None => (ss, ss),
            Some((a, b)) => (a.min(ss), b.max(ss)),
        });
    }
    let mut swaps_by_sentence: Vec<Vec<Swap>> = vec![Vec::new(); nsent];
    // Runs between consecutive exact matches: replaced words.
    let anchors: Vec<(u32, u32)> = al.pairs.iter().filter(|x| x.rel == Relation::Exact).map(|x| (x.q, x.s)).collect();
    // Runs of words between anchors; a run never crosses a sentence end of
    // the copy or of the source, so the last words of a sentence and the
    // first of the next are runs of their own.
    let q_sentence_end = |i: u32| copy.words.iter().skip(i as usize).take_while(|w| w.sentence == copy.words[i as usize].sentence).count() as u32 + i;
    let s_sentence_end = |j: u32| source.words.iter().skip(j as usize).take_while(|w| w.sentence == source.words[j as usize].sentence).count() as u32 + j;
    let q_sentence_start = |i: u32| i - copy.words[..i as usize].iter().rev().take_while(|w| w.sentence == copy.words[i as usize].sentence).count() as u32;
    let s_sentence_start = |j: u32| j - source.words[..j as usize].iter().rev().take_while(|w| w.sentence == source.words[j as usize].sentence).count() as u32;
    let mut runs: Vec<(u32, u32, u32, u32)> = Vec::new();
    if let Some(&(qf, sf)) = anchors.first() {
        runs.push((q_sentence_start(qf), qf, s_sentence_start(sf), sf));
    }
    for win in anchors.windows(2) {
        let ((qa, sa), (qb, sb)) = (win[0], win[1]);
        let same = copy.words[qa as usize].sentence == copy.words[qb as usize].sentence
            && source.words[sa as usize].sentence == source.words[sb as usize].sentence;
        if same {
            runs.push((qa + 1, qb, sa + 1, sb));
        } else {
            runs.push((qa + 1, q_sentence_end(qa), sa + 1, s_sentence_end(sa)));
            runs.push((q_sentence_start(qb), qb, s_sentence_start(sb), sb));
        }
    }
    if let Some(&(ql, sl)) = anchors.last() {
        runs.push((ql + 1, q_sentence_end(ql), sl + 1, s_sentence_end(sl)));
    }
    for (q0, q1, s0, s1) in runs {
        if q0 >= q1 || s0 >= s1 {
            continue;
        }
        let (nq, ns) = ((q1 - q0) as usize, (s1 - s0) as usize);
        if nq > MAX_SWAP_WORDS || ns > MAX_SWAP_WORDS {
            continue;
        }
        let qwords = &copy.words[q0 as usize..q1 as usize];
        if qwords.first().map(|w| w.sentence) != qwords.last().map(|w| w.sentence) {
            continue;
        }
        let synonyms: Vec<&crate::align::Pair> =
            al.pairs.iter().filter(|x| x.q >= q0 && x.q < q1 && x.rel == Relation::Synonym).collect();
        let sentence = qwords[0].sentence as usize;
        let mut swap = |qa: usize, qb: usize, sa: usize, sb: usize, kind: &'static str| {
            let (start, end) = (copy.words[qa].start, copy.words[qb].end);
            let (source_start, source_end) = (source.words[sa].start, source.words[sb].end);
            swaps_by_sentence[sentence].push(Swap {
                start,
                end,
                text: copy_text[start..end].to_string(),
                source_start,
                source_end,
                source_text: source_text[source_start..source_end].to_string(),
                kind,
            });
        };
        if synonyms.len() == nq && nq == ns {
            // Word for word: one swap per word.
            for x in synonyms {
                swap(x.q as usize, x.q as usize, x.s as usize, x.s as usize, "synonym");
            }
        } else {
            let kind = if synonyms.len() == nq { "synonym" } else { "changed" };
            swap(q0 as usize, q1 as usize - 1, s0 as usize, s1 as usize - 1, kind);
        }
    }
    for (si, range) in src_range.iter().enumerate() {
        let Some((a, b)) = *range else { continue };
        let sim = if weight_total[si] > 0.0 { (explained[si] / weight_total[si]).min(1.0) } else { 0.0 };
        out.push(Passage {
            start: copy.sentences[si].start,
            end: copy.sentences[si].end,
            source_start: source.sentences[a as usize].start,
            source_end: source.sentences[b as usize].end,
            similarity: sim as f64,
            swaps: std::mem::take(&mut swaps_by_sentence[si]),
        });
    }
    out
}
