//! Clauses joined by a contrastive adverb, by rule. "But" joins two clauses
//! after a comma ("He tried, but the door held"); the adverbs a spinner
//! puts in its place ("however", "nevertheless", "nonetheless") cannot:
//! between clauses they follow a semicolon or a full stop and take a comma
//! themselves ("He tried; however, the door held"). So such an adverb right
//! after a comma and right before the subject of a new clause (a
//! determiner or a personal pronoun, with no comma between) is a "but"
//! that a spinner replaced. The language model cannot see this: it is
//! unpunctuated, and "however the" is common in it.

use serde::{Deserialize, Serialize};
use unspin_text::{Token, TokenKind};

use crate::{Finding, Source};

/// The contrastive adverbs that cannot join clauses after a comma.
const ADVERBS: [&str; 3] = ["however", "nevertheless", "nonetheless"];

/// Words that open a clause as (or with) its subject: determiners and
/// personal pronouns. An adverb before an adjective or another adverb
/// ("however hard", "however much") is a different use.
const SUBJECT_OPENERS: [&str; 26] = [
    "the", "a", "an", "this", "that", "these", "those", "he", "she", "it", "they", "we", "i", "you", "his", "her", "their",
    "its", "our", "my", "your", "there", "some", "no", "each", "every",
];

/// What the rule saw: which adverb joined the clauses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseEvidence {
    /// Index in [`ADVERBS`]: 0 "however", 1 "nevertheless", 2 "nonetheless".
    pub adverb: u8,
}

impl ClauseEvidence {
    pub fn adverb(&self) -> &'static str {
        ADVERBS[self.adverb as usize]
    }

    /// How often such a finding is a swap, on the development documents the
    /// confidence trees are fitted on (`fit_rules` in unspin-eval: right
    /// findings plus one over all findings plus two).
    pub fn confidence(&self) -> f64 {
        CLAUSE_CONFIDENCE[self.adverb as usize]
    }
}

/// [`ClauseEvidence::confidence`], in the order of the adverbs.
pub const CLAUSE_CONFIDENCE: [f64; 3] = [0.9674, 0.9167, 0.9333];

/// Every contrastive adverb joining two clauses after a comma, with "but" as
/// the suggestion.
pub fn clause_evidence(text: &str, tokens: &[Token]) -> Vec<(Finding, ClauseEvidence)> {
    let word = |k: usize| &text[tokens[k].start..tokens[k].end];
    let mut out = Vec::new();
    for i in 1..tokens.len().saturating_sub(1) {
        let t = &tokens[i];
        if t.kind != TokenKind::Word {
            continue;
        }
        let Some(adverb) = ADVERBS.iter().position(|a| a.eq_ignore_ascii_case(word(i))) else { continue };
        let after_comma = word(i - 1) == "," && tokens[i - 1].end < t.start;
        let next = &tokens[i + 1];
        let opens_clause = next.kind == TokenKind::Word
            && text[t.end..next.start] == *" "
            && SUBJECT_OPENERS.iter().any(|o| o.eq_ignore_ascii_case(word(i + 1)));
        if after_comma && opens_clause {
            let written = word(i);
            let finding = Finding {
                start: t.start,
                end: t.end,
                text: written.to_string(),
                suggestion: unspin_text::apply_case("but", written),
                confidence: CLAUSE_CONFIDENCE[adverb],
                source: Source::Model,
                alternatives: Vec::new(),
            };
            out.push((finding, ClauseEvidence { adverb: adverb as u8 }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<(String, String)> {
        clause_evidence(text, &unspin_text::tokenize(text)).into_iter().map(|(f, _)| (f.text, f.suggestion)).collect()
    }

    #[test]
    fn an_adverb_joining_clauses_after_a_comma_is_a_but() {
        assert_eq!(run("He tried hard, however the door held."), vec![("however".to_string(), "but".to_string())]);
        assert_eq!(run("It rained, nevertheless they went out."), vec![("nevertheless".to_string(), "but".to_string())]);
        assert_eq!(run("It rained, Nonetheless we went."), vec![("Nonetheless".to_string(), "But".to_string())]);
    }

    #[test]
    fn the_adverbs_in_their_own_places_are_left_alone() {
        for text in [
            "He tried hard; however, the door held.",
            "He tried hard. However, the door held.",
            "However the votes are counted, he wins.",
            "He tried, however hard it was.",
            "The plan, however, the board rejected.",
            "It was, nevertheless, a good year.",
            "He tried, however, the door held.",
        ] {
            assert!(run(text).is_empty(), "{text}: {:?}", run(text));
        }
    }
}
