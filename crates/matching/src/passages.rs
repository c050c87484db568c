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
    for win in anchors.windows(2) {
        let ((qa, sa), (qb, sb)) = (win[0], win[1]);
        let (q0, q1, s0, s1) = (qa + 1, qb, sa + 1, sb);
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
        let swords = &source.words[s0 as usize..s1 as usize];
        let related = al.pairs.iter().filter(|x| x.q >= q0 && x.q < q1 && x.rel != Relation::Exact).count();
        let (start, end) = (qwords[0].start, qwords[nq - 1].end);
        let (source_start, source_end) = (swords[0].start, swords[ns - 1].end);
        swaps_by_sentence[qwords[0].sentence as usize].push(Swap {
            start,
            end,
            text: copy_text[start..end].to_string(),
            source_start,
            source_end,
            source_text: source_text[source_start..source_end].to_string(),
            kind: if related == nq { "synonym" } else { "changed" },
        });
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
