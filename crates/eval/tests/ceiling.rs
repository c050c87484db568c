//! Where the swaps go (`unspin_eval::ceiling`) on the tiny model the CLI
//! tests use: which swaps the lexicon covers, which the language model
//! prefers the original of, and what findings make of them.

use std::path::Path;

use unspin_engine::{Finding, Source};
use unspin_eval::ceiling::{classify, covered, outcomes, SwapClass};
use unspin_eval::{GoldSpan, Spun};

fn tiny() -> (unspin_lexicon::Lexicon, unspin_lm::LanguageModel, tempfile::TempDir) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data");
    let dir = tempfile::tempdir().unwrap();
    let lm_path = dir.path().join("lm.unspin");
    unspin_lm::convert::arpa_to_unspin(&std::fs::read_to_string(data.join("tiny.arpa")).unwrap(), &lm_path).unwrap();
    let lm = unspin_lm::LanguageModel::open(&lm_path).unwrap();
    let lexicon = unspin_lexicon::build::build_in_memory(&std::fs::read_to_string(data.join("tiny-moby.txt")).unwrap(), None).unwrap();
    (lexicon, lm, dir)
}

fn spun(original: &str, pairs: &[(&str, &str)]) -> Spun {
    let mut text = original.to_string();
    let mut gold = Vec::new();
    for (from, to) in pairs {
        let at = text.find(from).unwrap();
        text.replace_range(at..at + from.len(), to);
        gold.push(GoldSpan { start: at, end: at + to.len(), spun: to.to_string(), original: from.to_string() });
    }
    Spun { original: original.into(), text, gold, eligible: pairs.len() }
}

#[test]
fn the_lexicon_covers_a_swap_or_its_core() {
    let (lexicon, _lm, _dir) = tiny();
    assert!(covered(&lexicon, &["joined", "together"], &["united"]));
    // "joined together states" for "united states": the shared "states" set aside.
    assert!(covered(&lexicon, &["joined", "together", "states"], &["united", "states"]));
    assert!(covered(&lexicon, &["large"], &["big"]));
    assert!(!covered(&lexicon, &["apple"], &["country"]));
    assert!(!covered(&lexicon, &["states"], &["states", "country"]));
}

#[test]
fn swaps_are_classed_and_their_findings_judged() {
    let (lexicon, lm, _dir) = tiny();
    let doc = spun("the united states is a big country", &[("united", "allied"), ("country", "apple")]);
    let classes = classify(&lexicon, &lm, &doc);
    // "the allied states" is far less likely than "the united states", and
    // the lexicon lists "allied" under "united"; nothing links "apple" to
    // "country".
    assert_eq!(classes[0], SwapClass { covered: true, preferred: true });
    assert!(!classes[1].covered);
    let finding = |word: &str, suggestion: &str| {
        let start = doc.text.find(word).unwrap();
        Finding { start, end: start + word.len(), text: word.into(), suggestion: suggestion.into(), confidence: 0.9, source: Source::Model, alternatives: Vec::new() }
    };
    assert_eq!(outcomes(&doc, &[]), [(false, false), (false, false)]);
    assert_eq!(outcomes(&doc, &[finding("allied", "united"), finding("apple", "fruit")]), [(true, true), (true, false)]);
}
