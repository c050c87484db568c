//! Building unspin LM files: from the Sphinx binary trie and from ARPA text.

use std::path::Path;

use unspin_store::{Store, Writer};

use crate::{Bigram, LanguageModel, LmError, Trigram, Unigram, KIND};

/// An n-gram model as plain lists, before it is laid out for querying.
#[derive(Default)]
pub struct NgramLists {
    pub vocab: Vec<String>,
    /// (log10 prob, log10 backoff) per word id.
    pub unigrams: Vec<(f32, f32)>,
    /// (history, word, log10 prob, log10 backoff)
    pub bigrams: Vec<(u32, u32, f32, f32)>,
    /// (h1, h2, word, log10 prob)
    pub trigrams: Vec<(u32, u32, u32, f32)>,
}

#[derive(Debug, Clone, Copy)]
pub struct ConvertStats {
    pub unigrams: usize,
    pub bigrams: usize,
    pub trigrams: usize,
    pub bytes: usize,
}

impl NgramLists {
    /// Lays the lists out suffix-first (see the crate docs) as container sections.
    pub fn to_writer(mut self) -> Result<(Writer, ConvertStats), String> {
        let n = self.vocab.len() as u32;
        if self.vocab.iter().any(|w| w.contains('\n')) {
            return Err("a vocabulary word contains a line break".into());
        }
        self.bigrams.sort_by_key(|b| (b.1, b.0));
        self.bigrams.dedup_by_key(|b| (b.1, b.0));
        self.trigrams.sort_by_key(|t| (t.2, t.1, t.0));
        self.trigrams.dedup_by_key(|t| (t.2, t.1, t.0));
        let mut unigrams = Vec::with_capacity(n as usize + 1);
        let mut bi_at = 0usize;
        for w in 0..n {
            while bi_at < self.bigrams.len() && self.bigrams[bi_at].1 < w {
                bi_at += 1;
            }
            let (p, bo) = self.unigrams[w as usize];
            unigrams.push(Unigram { log10_prob: p, log10_backoff: bo, first_bigram: bi_at as u32 });
        }
        unigrams.push(Unigram { log10_prob: 0.0, log10_backoff: 0.0, first_bigram: self.bigrams.len() as u32 });
        let mut bigrams = Vec::with_capacity(self.bigrams.len() + 1);
        let mut tri_at = 0usize;
        for &(h, w, p, bo) in &self.bigrams {
            while tri_at < self.trigrams.len() && (self.trigrams[tri_at].2, self.trigrams[tri_at].1) < (w, h) {
                tri_at += 1;
            }
            bigrams.push(Bigram { history: h, log10_prob: p, log10_backoff: bo, first_trigram: tri_at as u32 });
        }
        bigrams.push(Bigram { history: 0, log10_prob: 0.0, log10_backoff: 0.0, first_trigram: self.trigrams.len() as u32 });
        // Trigrams whose bigram (h2, w) is missing cannot be reached; drop them.
        let mut trigrams = Vec::with_capacity(self.trigrams.len());
        let mut firsts = vec![0u32; bigrams.len()];
        let mut bi = 0usize;
        for (i, b) in self.bigrams.iter().enumerate() {
            firsts[i] = trigrams.len() as u32;
            let _ = b;
            while bi < self.trigrams.len() && (self.trigrams[bi].2, self.trigrams[bi].1) < (b.1, b.0) {
                bi += 1;
            }
            while bi < self.trigrams.len() && (self.trigrams[bi].2, self.trigrams[bi].1) == (b.1, b.0) {
                trigrams.push(Trigram { history: self.trigrams[bi].0, log10_prob: self.trigrams[bi].3 });
                bi += 1;
            }
        }
        let last = bigrams.len() - 1;
        firsts[last] = trigrams.len() as u32;
        for (b, f) in bigrams.iter_mut().zip(&firsts) {
            b.first_trigram = *f;
        }
        let stats = ConvertStats { unigrams: n as usize, bigrams: bigrams.len() - 1, trigrams: trigrams.len(), bytes: 0 };
        let mut w = Writer::new(KIND);
        w.add_pod("unigrams", &unigrams);
        w.add_pod("bigrams", &bigrams);
        w.add_pod("trigrams", &trigrams);
        let ngrams = crate::ngram_sections(&unigrams, &bigrams, &trigrams);
        w.add_pod("bigram_table", &ngrams.bigram_table);
        w.add_pod("trigram_table", &ngrams.trigram_table);
        w.add_pod("bigram_filter", &ngrams.bigram_filter);
        w.add_pod("trigram_filter", &ngrams.trigram_filter);
        w.add("vocab", self.vocab.join("\n").into_bytes());
        Ok((w, stats))
    }
}

/// Reads a Sphinx binary trie LM (`en-us.lm.bin`) and writes unspin's LM file.
pub fn sphinx_to_unspin(sphinx: &Path, out: &Path) -> Result<ConvertStats, LmError> {
    let name = sphinx.display().to_string();
    let bytes = std::fs::read(sphinx).map_err(|source| LmError::Io { path: name.clone(), source })?;
    let lists = crate::sphinx::read(&bytes).map_err(|what| LmError::Format { path: name.clone(), what })?;
    let (writer, mut stats) = lists.to_writer().map_err(|what| LmError::Format { path: name, what })?;
    writer.write(out)?;
    stats.bytes = std::fs::metadata(out).map(|m| m.len() as usize).unwrap_or(0);
    Ok(stats)
}

/// Parses an ARPA n-gram file (orders 1 to 3).
pub fn parse_arpa(text: &str) -> Result<NgramLists, String> {
    let mut lists = NgramLists::default();
    let mut ids = std::collections::HashMap::new();
    let mut section = 0;
    let mut pending: Vec<(usize, Vec<String>, f32, f32)> = Vec::new();
    for (ln, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("ngram ") || line == "\\data\\" {
            continue;
        }
        if line == "\\end\\" {
            break;
        }
        if let Some(rest) = line.strip_prefix('\\') {
            section = rest.chars().next().and_then(|c| c.to_digit(10)).unwrap_or(0) as usize;
            if !(1..=3).contains(&section) {
                return Err(format!("line {}: unsupported section {line}", ln + 1));
            }
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        if section == 0 || parts.len() < section + 1 {
            return Err(format!("line {}: malformed n-gram line", ln + 1));
        }
        let p: f32 = parts[0].parse().map_err(|_| format!("line {}: bad probability", ln + 1))?;
        let words: Vec<String> = parts[1..=section].iter().map(|s| s.to_string()).collect();
        let bo: f32 = match parts.get(section + 1) {
            Some(s) => s.parse().map_err(|_| format!("line {}: bad backoff", ln + 1))?,
            None => 0.0,
        };
        if section == 1 {
            ids.insert(words[0].clone(), lists.vocab.len() as u32);
            lists.vocab.push(words[0].clone());
            lists.unigrams.push((p, bo));
        } else {
            pending.push((section, words, p, bo));
        }
    }
    for (order, words, p, bo) in pending {
        let id = |w: &String| ids.get(w).copied().ok_or_else(|| format!("n-gram word {w:?} is not a unigram"));
        if order == 2 {
            lists.bigrams.push((id(&words[0])?, id(&words[1])?, p, bo));
        } else {
            lists.trigrams.push((id(&words[0])?, id(&words[1])?, id(&words[2])?, p));
        }
    }
    if lists.vocab.is_empty() {
        return Err("no unigrams".into());
    }
    Ok(lists)
}

/// Builds an unspin LM file from ARPA text.
pub fn arpa_to_unspin(arpa: &str, out: &Path) -> Result<ConvertStats, LmError> {
    let name = out.display().to_string();
    let lists = parse_arpa(arpa).map_err(|what| LmError::Format { path: name.clone(), what })?;
    let (writer, stats) = lists.to_writer().map_err(|what| LmError::Format { path: name, what })?;
    writer.write(out)?;
    Ok(stats)
}

/// An in-memory model from ARPA text, for tests and small experiments.
pub fn arpa_model(arpa: &str) -> Result<LanguageModel, LmError> {
    let lists = parse_arpa(arpa).map_err(|what| LmError::Format { path: "<arpa>".into(), what })?;
    let (writer, _) = lists.to_writer().map_err(|what| LmError::Format { path: "<arpa>".into(), what })?;
    LanguageModel::from_store(Store::from_bytes("<arpa>", &writer.to_bytes(), KIND)?)
}
