use std::path::Path;

use unspin_lm::convert::{arpa_model, arpa_to_unspin, sphinx_to_unspin};
use unspin_lm::LanguageModel;

const ARPA: &str = include_str!("data/small.arpa");

#[test]
fn arpa_probabilities_and_backoff_match_hand_computation() {
    let lm = arpa_model(ARPA).unwrap();
    let id = |w| lm.word_id(w).unwrap();
    let (the, united, states, big) = (id("the"), id("united"), id("states"), id("big"));
    // explicit trigram
    assert_eq!(lm.log10_prob(&[the, united], states), -0.05);
    // explicit bigram
    assert_eq!(lm.log10_prob(&[united], states), -0.1);
    // trigram missing: backoff(big united)=absent=0 + P(states|united)
    assert!((lm.log10_prob(&[big, united], states) - -0.1).abs() < 1e-6);
    // bigram missing: backoff(states) + P(big)
    assert!((lm.log10_prob(&[states], big) - (-0.4 + -2.4)).abs() < 1e-6);
    // trigram and bigram missing: bo(the united) + bo(united) + P(the)
    assert!((lm.log10_prob(&[the, united], the) - (-0.2 + -0.3 + -1.0)).abs() < 1e-6);
    assert!(lm.has_bigram(united, states));
    assert!(!lm.has_bigram(states, united));
    assert!(lm.has_trigram(the, united, states));
    assert_eq!(lm.word(states), "states");
    assert_eq!(lm.log10_prob(&[], u32::MAX), lm.oov_log10());
}

#[test]
fn file_round_trip_and_corruption_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("lm.unspin");
    arpa_to_unspin(ARPA, &p).unwrap();
    let lm = LanguageModel::open(&p).unwrap();
    assert!(lm.word_id("united").is_some());
    let bytes = std::fs::read(&p).unwrap();
    for cut in (0..bytes.len()).step_by(7) {
        std::fs::write(&p, &bytes[..cut]).unwrap();
        assert!(LanguageModel::open(&p).is_err(), "truncated at {cut} accepted");
    }
    let mut flipped = bytes.clone();
    let n = flipped.len();
    flipped[n - 3] ^= 1;
    std::fs::write(&p, &flipped).unwrap();
    assert!(LanguageModel::open(&p).is_err());
}

#[test]
fn malformed_sphinx_input_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("bad.lm.bin");
    let out = dir.path().join("lm.unspin");
    std::fs::write(&src, b"Trie Language Model\x03\x05\x00").unwrap();
    assert!(sphinx_to_unspin(&src, &out).is_err());
    std::fs::write(&src, b"hello").unwrap();
    assert!(sphinx_to_unspin(&src, &out).is_err());
}

/// The real CMU Sphinx en-us model, when scripts/fetch-data.sh has fetched it.
#[test]
fn real_sphinx_model_converts_and_answers_sensibly() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/data/pocketsphinx/en-us.lm.bin");
    if !src.exists() {
        eprintln!("skipped: {} not fetched", src.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lm.unspin");
    let t = std::time::Instant::now();
    let stats = sphinx_to_unspin(&src, &out).unwrap();
    eprintln!("converted in {:?}: {stats:?}", t.elapsed());
    assert_eq!(stats.unigrams, 72547);
    let t = std::time::Instant::now();
    let lm = LanguageModel::open(&out).unwrap();
    eprintln!("loaded in {:?}", t.elapsed());
    let id = |w| lm.word_id(w).unwrap();
    // Every word of the vocabulary is found again, whichever table holds it.
    for i in 0..lm.vocab_len() as u32 {
        let w = lm.word(i);
        assert_eq!(lm.word_id(w).map(|j| lm.word(j)), Some(w), "{w:?}");
    }
    let mass: f64 = (0..lm.vocab_len() as u32).map(|i| 10f64.powf(lm.unigram_log10(i) as f64)).sum();
    assert!((mass - 1.0).abs() < 0.01, "unigram mass {mass}");
    let p_the = lm.unigram_log10(id("the"));
    assert!((-1.6..-1.2).contains(&p_the), "P(the) = {p_the}");
    let good = lm.log10_prob(&[id("the"), id("united")], id("states"));
    let bad = lm.log10_prob(&[id("the"), id("joined")], id("states"));
    assert!(good > -0.2 && good > bad + 2.0, "good {good} bad {bad}");
    assert!(lm.has_trigram(id("the"), id("united"), id("states")));
    assert!(lm.log10_prob(&[id("breast")], id("cancer")) > lm.log10_prob(&[id("bosom")], id("peril")) + 2.0);

    // Substitutes of the commonest words, from the bigram table alone.
    let subs = lm.find_substitutes(&unspin_lm::substitutes::SubstituteParams::default());
    let of = |w: &str| -> Vec<String> { let w = lm.word_id(w).unwrap();
        subs.iter().filter(|s| s.word == w).map(|s| lm.word(s.substitute).to_string()).collect()
    };
    assert!(of("these").iter().any(|w| w == "those"), "these: {:?}", of("these"));
    assert!(of("would").iter().any(|w| w == "could"), "would: {:?}", of("would"));
    assert!(!of("the").iter().any(|w| w == "united"));
    assert!(subs.iter().all(|s| s.word != s.substitute && (0.5..=1.0001).contains(&s.similarity)));
    assert!(subs.windows(2).all(|w| (w[0].word, -w[0].similarity) <= (w[1].word, -w[1].similarity)));
}
