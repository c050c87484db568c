//! Substitutes for the commonest words, found in the language model itself.
//!
//! Spinners swap small function words and phrases ("these" for "those",
//! "within" for "in", "could" for "would") that no thesaurus lists as
//! synonyms. Which of them can stand for one another is a fact about their
//! distribution, so it is read off the bigram table: two frequent words are
//! substitutes when the words that follow them, and the words they follow,
//! are distributed alike (the cosine of their bigram probability vectors
//! over the commonest context words, on both sides).

use crate::LanguageModel;

/// A word that can stand for another, with the similarity (0..1) of their
/// contexts.
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct Substitute {
    pub word: u32,
    pub substitute: u32,
    pub similarity: f32,
}

/// How substitutes are chosen (see `unspin build-model`).
#[derive(Clone, Debug)]
pub struct SubstituteParams {
    /// The words considered: the most probable ones, alphabetic only.
    pub words: usize,
    /// The context words the vectors run over: the most probable ones.
    pub contexts: usize,
    /// The least similarity (geometric mean of the two sides) kept.
    pub min_similarity: f32,
    /// At most this many substitutes per word, most similar first.
    pub per_word: usize,
}

impl Default for SubstituteParams {
    fn default() -> SubstituteParams {
        SubstituteParams { words: 300, contexts: 3000, min_similarity: 0.5, per_word: 6 }
    }
}

impl LanguageModel {
    /// Every (word, substitute) pair of the commonest words, sorted by word
    /// then by falling similarity.
    pub fn find_substitutes(&self, p: &SubstituteParams) -> Vec<Substitute> {
        let u = self.unigrams();
        let b = self.bigrams();
        let n = u.len() - 1;
        let mut by_prob: Vec<u32> = (0..n as u32).filter(|&i| i != self.bos && i != self.eos).collect();
        by_prob.sort_by(|&x, &y| u[y as usize].log10_prob.total_cmp(&u[x as usize].log10_prob).then(x.cmp(&y)));
        let alphabetic = |i: u32| self.word(i).chars().all(|c| c.is_ascii_lowercase() || c == '\'');
        let words: Vec<u32> = by_prob.iter().copied().filter(|&i| alphabetic(i)).take(p.words).collect();
        // Context columns: the commonest words plus the sentence edges.
        let mut column = vec![u32::MAX; n];
        let mut contexts: Vec<u32> = by_prob.iter().copied().take(p.contexts).collect();
        contexts.extend([self.bos, self.eos]);
        for (c, &w) in contexts.iter().enumerate() {
            column[w as usize] = c as u32;
        }
        let mut row = vec![u32::MAX; n];
        for (r, &w) in words.iter().enumerate() {
            row[w as usize] = r as u32;
        }
        let dim = contexts.len();
        // next[r][c] = P(c | words[r]); prev[r][c] = P(words[r] | c).
        let mut next = vec![0f32; words.len() * dim];
        let mut prev = vec![0f32; words.len() * dim];
        for w in 0..n {
            let (lo, hi) = (u[w].first_bigram as usize, u[w + 1].first_bigram as usize);
            for bg in &b[lo..hi] {
                let p10 = 10f32.powf(bg.log10_prob);
                if let (Some(&r), Some(&c)) = (row.get(bg.history as usize), column.get(w)) {
                    if r != u32::MAX && c != u32::MAX {
                        next[r as usize * dim + c as usize] = p10;
                    }
                }
                if let (Some(&r), Some(&c)) = (row.get(w), column.get(bg.history as usize)) {
                    if r != u32::MAX && c != u32::MAX {
                        prev[r as usize * dim + c as usize] = p10;
                    }
                }
            }
        }
        normalise(&mut next, dim);
        normalise(&mut prev, dim);
        let dot = |v: &[f32], a: usize, b: usize| -> f32 { v[a * dim..(a + 1) * dim].iter().zip(&v[b * dim..(b + 1) * dim]).map(|(x, y)| x * y).sum() };
        let mut out = Vec::new();
        for a in 0..words.len() {
            let mut near: Vec<(f32, usize)> = (0..words.len())
                .filter(|&b| b != a)
                .map(|b| ((dot(&next, a, b).max(0.0) * dot(&prev, a, b).max(0.0)).sqrt(), b))
                .filter(|&(s, _)| s >= p.min_similarity)
                .collect();
            near.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            near.truncate(p.per_word);
            out.extend(near.into_iter().map(|(s, b)| Substitute { word: words[a], substitute: words[b], similarity: s }));
        }
        out.sort_by(|x, y| x.word.cmp(&y.word).then(y.similarity.total_cmp(&x.similarity)).then(x.substitute.cmp(&y.substitute)));
        out
    }
}

fn normalise(v: &mut [f32], dim: usize) {
    for r in v.chunks_mut(dim) {
        let norm = r.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            r.iter_mut().for_each(|x| *x /= norm);
        }
    }
}
