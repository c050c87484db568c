//! A simulated article spinner driven by a real spinner's synonym dictionary.
//!
//! The dictionary has one synonym group per line, `a|b|c`: wherever a member
//! occurs in a text, a spinner may swap it for another member of its group.
//! Spinning here is what such tools do: scan left to right, take the longest
//! member at each position (whole words, any case), and swap it with some
//! probability, keeping the capitalisation of what was there. Every swap is
//! recorded, so the original is known exactly.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use unspin_engine::{Finding, Source};

use crate::rng::SplitMix64;

/// One swap: `start..end` are byte offsets of the replacement in the spun text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoldSpan {
    pub start: usize,
    pub end: usize,
    /// What the spinner wrote.
    pub spun: String,
    /// What was there before.
    pub original: String,
}

/// A spun text together with its provenance.
#[derive(Clone, Debug)]
pub struct Spun {
    pub original: String,
    pub text: String,
    /// Sorted by position, never overlapping.
    pub gold: Vec<GoldSpan>,
    /// Positions that could have been swapped (longest dictionary matches).
    pub eligible: usize,
}

impl Spun {
    /// The gold alignment as findings: what a perfect restorer would report.
    pub fn gold_findings(&self) -> Vec<Finding> {
        self.gold
            .iter()
            .map(|g| Finding {
                start: g.start,
                end: g.end,
                text: g.spun.clone(),
                suggestion: g.original.clone(),
                confidence: 1.0,
                source: Source::Model,
                alternatives: Vec::new(),
            })
            .collect()
    }

    /// The original, rebuilt from the spun text and the gold alignment alone.
    pub fn unspin(&self) -> String {
        unspin_engine::apply(&self.text, &self.gold_findings())
    }
}

pub struct Spinner {
    /// Members as written in the dictionary (first spelling seen), whitespace
    /// collapsed; index = member id = automaton pattern id.
    members: Vec<String>,
    /// For each member, the other members of every group it belongs to.
    alternatives: Vec<Vec<u32>>,
    matcher: AhoCorasick,
    groups: usize,
}

impl Spinner {
    pub fn load(path: &Path) -> anyhow::Result<Spinner> {
        let bytes = std::fs::read(path).with_context(|| format!("spinner dictionary {}", path.display()))?;
        Spinner::parse(&String::from_utf8_lossy(&bytes))
            .with_context(|| format!("spinner dictionary {}", path.display()))
    }

    /// Parses `a|b|c` lines. Members equal up to case and spacing are one member.
    pub fn parse(text: &str) -> anyhow::Result<Spinner> {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut members: Vec<String> = Vec::new();
        let mut alternatives: Vec<Vec<u32>> = Vec::new();
        let mut seen_pairs: HashSet<(u32, u32)> = HashSet::new();
        let mut groups = 0;
        for line in text.lines() {
            let mut group: Vec<u32> = Vec::new();
            for member in line.split('|') {
                let display = collapse_whitespace(member);
                if display.is_empty() {
                    continue;
                }
                let key = display.to_ascii_lowercase();
                let id = *ids.entry(key).or_insert_with(|| {
                    members.push(display);
                    alternatives.push(Vec::new());
                    (members.len() - 1) as u32
                });
                if !group.contains(&id) {
                    group.push(id);
                }
            }
            if group.len() < 2 {
                continue;
            }
            groups += 1;
            for &a in &group {
                for &b in &group {
                    if a != b && seen_pairs.insert((a, b)) {
                        alternatives[a as usize].push(b);
                    }
                }
            }
        }
        if groups == 0 {
            bail!("no synonym groups (expected lines like `a|b|c`)");
        }
        Spinner::with_members(members, alternatives, groups)
    }

    /// The spinner over `members` (pattern id = member id). Members without
    /// alternatives stay in the automaton with an empty list rather than
    /// being dropped, so the ids stay equal; they are skipped when matching.
    fn with_members(members: Vec<String>, alternatives: Vec<Vec<u32>>, groups: usize) -> anyhow::Result<Spinner> {
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(members.iter().map(|m| m.to_ascii_lowercase()))
            .context("building the member automaton")?;
        Ok(Spinner { members, alternatives, matcher, groups })
    }

    /// A spinner that swaps each `head` only for one of its listed
    /// replacements (a thesaurus used one way), not within whole groups.
    pub fn from_replacements(entries: &[(String, Vec<String>)]) -> anyhow::Result<Spinner> {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut members: Vec<String> = Vec::new();
        let mut alternatives: Vec<Vec<u32>> = Vec::new();
        let mut id_of = |m: &str, members: &mut Vec<String>, alternatives: &mut Vec<Vec<u32>>| -> Option<u32> {
            let display = collapse_whitespace(m);
            if display.is_empty() {
                return None;
            }
            Some(*ids.entry(display.to_ascii_lowercase()).or_insert_with(|| {
                members.push(display);
                alternatives.push(Vec::new());
                (members.len() - 1) as u32
            }))
        };
        let mut groups = 0;
        for (head, replacements) in entries {
            let Some(h) = id_of(head, &mut members, &mut alternatives) else { continue };
            let mut alts: Vec<u32> = replacements
                .iter()
                .filter_map(|r| id_of(r, &mut members, &mut alternatives))
                .filter(|&r| r != h)
                .collect();
            alts.sort_unstable();
            alts.dedup();
            if alts.is_empty() {
                continue;
            }
            groups += 1;
            let list = &mut alternatives[h as usize];
            list.extend(alts);
            list.sort_unstable();
            list.dedup();
        }
        if groups == 0 {
            bail!("no replacements");
        }
        Spinner::with_members(members, alternatives, groups)
    }

    /// Number of synonym groups with at least two members.
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// Every position a spinner would consider, left to right: the longest
    /// whole-word member match at each point, never overlapping, never across
    /// a line break. Returns (start, end, member id) in byte offsets of `text`.
    pub fn eligible(&self, text: &str) -> Vec<(usize, usize, u32)> {
        let (norm, map) = normalise_with_map(text);
        let mut candidates: Vec<(usize, usize, u32)> = Vec::new();
        for m in self.matcher.find_overlapping_iter(&norm) {
            let id = m.pattern().as_u32();
            if self.alternatives[id as usize].is_empty() {
                continue;
            }
            if whole_words(&norm, m.start(), m.end()) {
                candidates.push((m.start(), m.end(), id));
            }
        }
        candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut out = Vec::new();
        let mut pos = 0;
        for (s, e, id) in candidates {
            if s >= pos {
                // Members never start or end with whitespace, so both ends map
                // to bytes copied one to one from the text.
                out.push((map[s], map[e - 1] + 1, id));
                pos = e;
            }
        }
        out
    }

    /// Spins `text`, swapping each eligible position with probability `rate`.
    pub fn spin(&self, text: &str, rate: f64, seed: u64) -> Spun {
        let mut rng = SplitMix64::new(seed);
        let eligible = self.eligible(text);
        let mut out = String::with_capacity(text.len() + text.len() / 8);
        let mut gold = Vec::new();
        let mut at = 0;
        for &(s, e, id) in &eligible {
            if rng.next_f64() >= rate {
                continue;
            }
            let alts = &self.alternatives[id as usize];
            let pick = alts[rng.below(alts.len())];
            let original = &text[s..e];
            let replacement = match_case(&self.members[pick as usize], original);
            out.push_str(&text[at..s]);
            let start = out.len();
            out.push_str(&replacement);
            gold.push(GoldSpan { start, end: out.len(), spun: replacement, original: original.to_string() });
            at = e;
        }
        out.push_str(&text[at..]);
        Spun { original: text.to_string(), text: out, gold, eligible: eligible.len() }
    }
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text with each whitespace run collapsed to one space (or to one
/// newline when the run holds a line break, so no match crosses paragraphs),
/// and for every byte of that the byte offset it came from.
fn normalise_with_map(text: &str) -> (String, Vec<usize>) {
    let mut norm = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() + 1);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            let mut newline = c == '\n';
            while let Some(&(_, d)) = chars.peek() {
                if !d.is_whitespace() {
                    break;
                }
                newline |= d == '\n';
                chars.next();
            }
            norm.push(if newline { '\n' } else { ' ' });
            map.push(i);
        } else {
            let before = norm.len();
            norm.push(c);
            for k in 0..norm.len() - before {
                map.push(i + k);
            }
        }
    }
    map.push(text.len());
    (norm, map)
}

fn wordish(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '-'
}

/// A match must not cut a word: "cat" may not match in "cats", "cat's" or
/// "cat-like". Ends that are punctuation in the member itself need no check.
fn whole_words(text: &str, start: usize, end: usize) -> bool {
    let first = text[start..].chars().next().unwrap_or(' ');
    let last = text[..end].chars().next_back().unwrap_or(' ');
    let before_ok = !first.is_alphanumeric() || !matches!(text[..start].chars().next_back(), Some(c) if wordish(c));
    let after_ok = !last.is_alphanumeric() || !matches!(text[end..].chars().next(), Some(c) if wordish(c));
    before_ok && after_ok
}

/// `replacement` written with the capitalisation of `replaced`: all caps,
/// title case (every word capitalised), a capital first letter, or as listed.
pub fn match_case(replacement: &str, replaced: &str) -> String {
    let letters: Vec<char> = replaced.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase()) {
        return replacement.to_uppercase();
    }
    let words: Vec<&str> = replaced.split_whitespace().collect();
    let capitalised = |w: &str| w.chars().find(|c| c.is_alphabetic()).is_some_and(|c| c.is_uppercase());
    if words.len() >= 2 && words.iter().all(|w| capitalised(w)) {
        return replacement.split(' ').map(upper_first).collect::<Vec<_>>().join(" ");
    }
    if words.first().is_some_and(|w| capitalised(w)) {
        return upper_first(replacement);
    }
    replacement.to_string()
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitalisation_follows_the_replaced_text() {
        assert_eq!(match_case("joined together states", "United States"), "Joined Together States");
        assert_eq!(match_case("big", "Large"), "Big");
        assert_eq!(match_case("big", "LARGE"), "BIG");
        assert_eq!(match_case("big", "large"), "big");
        assert_eq!(match_case("Francis Bacon", "bacon"), "Francis Bacon");
    }

    #[test]
    fn whole_words_only() {
        let s = Spinner::parse("cat|feline\nbig dog|large hound\nbig|large").unwrap();
        let text = "cats, cat's, cat-like; a cat. A Big  Dog.";
        let found: Vec<&str> = s.eligible(text).iter().map(|&(a, b, _)| &text[a..b]).collect();
        assert_eq!(found, vec!["cat", "Big  Dog"]);
    }

    #[test]
    fn matches_never_cross_paragraphs() {
        let s = Spinner::parse("big dog|large hound").unwrap();
        assert!(s.eligible("a big\n\ndog").is_empty());
        assert_eq!(s.eligible("a big \t dog").len(), 1);
    }
}
