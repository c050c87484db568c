//! The spin-invariant view of a text.
//!
//! A spinner swaps words that its dictionary lists as having synonyms and
//! leaves every other word alone. The lexicon knows (a superset of) those
//! words, so each word of a text is either *mutable* (the lexicon lists it as
//! a synonym of something: a spinner may have put it there or may take it
//! away) or *immutable* (names, numbers, rare and technical words, most
//! function words). The sequence of immutable words, with the mutable ones
//! dropped, is the same in a source and in any spun copy of it: that
//! skeleton is what candidate search hashes. Ranking then aligns the full
//! word sequences, counting a word of the copy as explained by a word of the
//! source when they are equal or when the lexicon relates them.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use unspin_lexicon::Lexicon;
use unspin_text::{Token, TokenKind};
use xxhash_rust::xxh3::xxh3_64;

/// English function words. They carry little evidence of copying, so the
/// alignment score weighs them lightly.
const STOPWORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
    "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he",
    "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once",
    "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some",
    "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves",
    "one", "may", "might", "must", "shall", "upon", "there's", "it's", "don't", "didn't",
];

/// What the lexicon says about one word form, computed once per distinct word.
#[derive(Clone, Debug)]
pub struct WordInfo {
    /// Hash of the lower-cased word.
    pub key: u64,
    /// A spinner may swap this word (the lexicon lists it as a synonym).
    pub mutable: bool,
    pub stopword: bool,
    /// Keys of the single words the lexicon says this word may have replaced
    /// (its candidate originals), sorted. Empty for immutable words.
    pub originals: Vec<u64>,
}

/// One word of a text (punctuation is dropped).
#[derive(Clone, Debug)]
pub struct Word {
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    /// Index of the sentence the word is in.
    pub sentence: u32,
    pub info: Arc<WordInfo>,
}

impl Word {
    pub fn key(&self) -> u64 {
        self.info.key
    }
}

/// A text as words, with sentence byte ranges.
#[derive(Clone, Debug, Default)]
pub struct Analysed {
    pub words: Vec<Word>,
    pub sentences: Vec<std::ops::Range<usize>>,
}

/// Maps words to their spin-invariant description, with a shared cache:
/// lexicon look-ups (lemmatisation, binary search, inflection of the
/// originals) cost microseconds, and a corpus repeats its words.
pub struct Keyer<'a> {
    lexicon: &'a Lexicon,
    cache: RwLock<HashMap<Box<str>, Arc<WordInfo>>>,
}

pub fn word_key(lower: &str) -> u64 {
    xxh3_64(lower.as_bytes())
}

/// The normalised form of a word token: lower case, plain apostrophes; for
/// numbers the digits as written; for dotted abbreviations the letters.
pub fn normalise(text: &str, token: &Token) -> Option<String> {
    let s = &text[token.start..token.end];
    match token.kind {
        TokenKind::Word => Some(s.to_lowercase().replace('’', "'")),
        TokenKind::Abbreviation => Some(s.chars().filter(|c| *c != '.').collect::<String>().to_lowercase()),
        TokenKind::Number => Some(s.replace(',', "")),
        TokenKind::Symbol => Some(s.to_lowercase()),
        TokenKind::Punct => None,
    }
}

impl<'a> Keyer<'a> {
    pub fn new(lexicon: &'a Lexicon) -> Keyer<'a> {
        Keyer { lexicon, cache: RwLock::new(HashMap::new()) }
    }

    pub fn lexicon(&self) -> &Lexicon {
        self.lexicon
    }

    /// The description of a normalised word (`normalise`), or of a number.
    pub fn info(&self, lower: &str, kind: TokenKind) -> Arc<WordInfo> {
        // Only words are looked up, and only they are cached: a number or
        // symbol written like a word ("af" as a symbol and as a word) must
        // not leave its description to the word, nor take the word's, or
        // a text's description would depend on what came before it.
        if !matches!(kind, TokenKind::Word) {
            return Arc::new(self.compute(lower, kind));
        }
        if let Some(hit) = self.cache.read().unwrap_or_else(|e| e.into_inner()).get(lower) {
            return hit.clone();
        }
        let info = Arc::new(self.compute(lower, kind));
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        // A long-running process over an open-ended corpus must not grow
        // without bound; misses only cost time.
        if cache.len() > 2_000_000 {
            cache.clear();
        }
        cache.insert(lower.into(), info.clone());
        info
    }

    fn compute(&self, lower: &str, kind: TokenKind) -> WordInfo {
        let key = word_key(lower);
        let stopword = STOPWORDS.contains(&lower);
        if !matches!(kind, TokenKind::Word) {
            return WordInfo { key, mutable: false, stopword: false, originals: Vec::new() };
        }
        let words = [lower];
        let mutable = self.lexicon.contains(&words);
        let mut originals: Vec<u64> = if mutable {
            self.lexicon
                .originals(&words)
                .into_iter()
                .filter(|c| !c.original.contains(' '))
                .map(|c| word_key(&c.original))
                .collect()
        } else {
            Vec::new()
        };
        originals.sort_unstable();
        originals.dedup();
        WordInfo { key, mutable, stopword, originals }
    }

    /// Words and sentences of a text.
    pub fn analyse(&self, text: &str) -> Analysed {
        let tokens = unspin_text::tokenize(text);
        let sentence_ranges = unspin_text::sentences(text, &tokens);
        let mut words = Vec::with_capacity(tokens.len());
        let mut sentences = Vec::with_capacity(sentence_ranges.len());
        for range in sentence_ranges {
            if range.is_empty() {
                continue;
            }
            let s = sentences.len() as u32;
            sentences.push(tokens[range.start].start..tokens[range.end - 1].end);
            for t in &tokens[range] {
                let Some(lower) = normalise(text, t) else { continue };
                let info = self.info(&lower, t.kind);
                words.push(Word { start: t.start, end: t.end, sentence: s, info });
            }
        }
        Analysed { words, sentences }
    }
}

/// The immutable skeleton: keys of the words a spinner leaves alone, in
/// order; function words only when `stopwords` (spinners rewrite function
/// word phrases such as "in order to" that no thesaurus lists).
pub fn skeleton(a: &Analysed, stopwords: bool) -> Vec<u64> {
    a.words.iter().filter(|w| !w.info.mutable && (stopwords || !w.info.stopword)).map(|w| w.info.key).collect()
}
