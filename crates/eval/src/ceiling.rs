//! Where the swaps go: every gold swap of a spun document sorted by what
//! the design could do with it. A restoration needs the original among the
//! lexicon's candidates of the spun phrase, and evidence that the spun
//! phrase is out of place: the language model preferring the original in
//! its five-word window (two words either side) by a factor of ten or more.
//! The share of each class the detector finds, and restores exactly, says
//! whether swaps are lost to the lexicon, to the statistics, or to the
//! confidence that keeps clean prose quiet.

use unspin_engine::Finding;
use unspin_lexicon::Lexicon;
use unspin_lm::LanguageModel;

use crate::metrics::{self, Edit};
use crate::spinner::{GoldSpan, Spun};

/// What the design could do with one swap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SwapClass {
    /// The lexicon lists the original among the candidates of the spun
    /// phrase, or of its core: words the two share at either end set aside
    /// ("inside the" for "in the" is "inside" for "in").
    pub covered: bool,
    /// The language model prefers the original in its window by a factor
    /// of ten or more.
    pub preferred: bool,
}

/// The classes in the order the report lists them, with their names.
pub const CLASSES: [(SwapClass, &str); 4] = [
    (SwapClass { covered: true, preferred: true }, "lexicon holds the original, LM prefers it"),
    (SwapClass { covered: true, preferred: false }, "lexicon holds the original, LM does not prefer it"),
    (SwapClass { covered: false, preferred: true }, "lexicon lacks the original, LM prefers it"),
    (SwapClass { covered: false, preferred: false }, "lexicon lacks the original, LM does not prefer it"),
];

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Whether the lexicon gives `original` as a candidate of `spun` (both
/// lower-case words), or of the core of the pair.
pub fn covered(lexicon: &Lexicon, spun: &[&str], original: &[&str]) -> bool {
    let listed = |s: &[&str], o: &[&str]| {
        let want = o.join(" ");
        lexicon.originals(s).iter().any(|c| c.original == want)
    };
    if listed(spun, original) {
        return true;
    }
    let (mut s, mut o) = (spun, original);
    while s.len() > 1 && o.len() > 1 && s[0] == o[0] {
        (s, o) = (&s[1..], &o[1..]);
    }
    while s.len() > 1 && o.len() > 1 && s.last() == o.last() {
        (s, o) = (&s[..s.len() - 1], &o[..o.len() - 1]);
    }
    s.len() < spun.len() && listed(s, o)
}

/// How much likelier (log10) the language model finds the original than
/// the spun phrase in the document, two words either side.
pub fn window_gain(lm: &LanguageModel, text: &str, gold: &GoldSpan) -> f32 {
    let ids = |t: &str| -> Vec<u32> { words(t).iter().map(|w| lm.word_id(w).unwrap_or(u32::MAX)).collect() };
    let before = ids(&text[..gold.start]);
    let before = &before[before.len().saturating_sub(2)..];
    let after: Vec<u32> = ids(&text[gold.end..]).into_iter().take(2).collect();
    let window = |mid: &str| {
        let mut v = ids(mid);
        v.extend(&after);
        lm.score_sequence(before, &v)
    };
    window(&gold.original) - window(&gold.spun)
}

/// The class of every gold swap of `doc`, in order.
pub fn classify(lexicon: &Lexicon, lm: &LanguageModel, doc: &Spun) -> Vec<SwapClass> {
    doc.gold
        .iter()
        .map(|g| {
            let (s, o) = (words(&g.spun), words(&g.original));
            let (s, o): (Vec<&str>, Vec<&str>) = (s.iter().map(String::as_str).collect(), o.iter().map(String::as_str).collect());
            SwapClass { covered: !s.is_empty() && covered(lexicon, &s, &o), preferred: window_gain(lm, &doc.text, g) >= 1.0 }
        })
        .collect()
}

/// Per swap of `doc`: whether a finding overlaps it, and whether the
/// findings restore it exactly.
pub fn outcomes(doc: &Spun, findings: &[Finding]) -> Vec<(bool, bool)> {
    let gold: Vec<Edit> = doc.gold.iter().map(Edit::of_gold).collect();
    let edits: Vec<Edit> = findings.iter().map(Edit::of_finding).collect();
    let exact = metrics::restored(&doc.text, &gold, &edits);
    doc.gold.iter().zip(exact).map(|(g, ok)| (findings.iter().any(|f| f.start < g.end && g.start < f.end), ok)).collect()
}
