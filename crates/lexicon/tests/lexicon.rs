use std::path::Path;

use unspin_lexicon::build::{build, build_in_memory};
use unspin_lexicon::Lexicon;

fn fixture() -> Lexicon {
    let moby = include_str!("data/moby.txt");
    let wn = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/wordnet");
    build_in_memory(moby, Some(&wn)).unwrap()
}

fn originals(lex: &Lexicon, phrase: &str) -> Vec<String> {
    let w: Vec<&str> = phrase.split(' ').collect();
    lex.originals(&w).into_iter().map(|c| c.original).collect()
}

#[test]
fn reverse_lookup_covers_multiword_on_both_sides() {
    let lex = fixture();
    assert!(originals(&lex, "joined together").contains(&"united".to_string()));
    assert!(originals(&lex, "indicate").contains(&"point out".to_string()));
    assert!(lex.contains(&["joined", "together"]));
    assert!(!lex.contains(&["zebra"]));
}

#[test]
fn inflection_is_kept() {
    let lex = fixture();
    assert!(originals(&lex, "disappointments").contains(&"failures".to_string()));
    assert!(originals(&lex, "conveyed").contains(&"carried".to_string()));
    assert!(originals(&lex, "conveying").contains(&"carrying".to_string()));
    // irregular past from the exception list: "bring" is a synset-mate of "take"
    assert!(originals(&lex, "brought").contains(&"took".to_string()));
    assert!(originals(&lex, "indicated").contains(&"pointed out".to_string()));
}

#[test]
fn wordnet_synsets_and_similar_links() {
    let lex = fixture();
    assert!(originals(&lex, "nonsuccess").contains(&"failure".to_string()));
    assert!(originals(&lex, "counterfeit").contains(&"artificial".to_string()));
    let c = &lex.originals(&["disappointment"])[0];
    assert_eq!(c.original, "failure");
    // failure has 5 synonyms (4 Moby + "nonsuccess")
    assert!((c.channel_log10 - -(5f32).log10()).abs() < 1e-5);
}

#[test]
fn corrupt_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("lexicon.unspin");
    build(include_str!("data/moby.txt"), None, &p).unwrap();
    assert!(Lexicon::open(&p).is_ok());
    let bytes = std::fs::read(&p).unwrap();
    for cut in (0..bytes.len()).step_by(11) {
        std::fs::write(&p, &bytes[..cut]).unwrap();
        assert!(Lexicon::open(&p).is_err());
    }
}

/// The real Moby II + WordNet 3.0 lexicon, when the data has been fetched.
#[test]
fn real_lexicon_covers_known_spinner_swaps() {
    let wn = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/data/wordnet");
    if !wn.join("data.noun").exists() {
        eprintln!("skipped: WordNet not fetched");
        return;
    }
    let t = std::time::Instant::now();
    let lex = build_in_memory(&thesaurus_moby::uncompress(), Some(&wn)).unwrap();
    eprintln!("built {} phrases in {:?}", lex.len(), t.elapsed());
    for (spun, orig) in [("counterfeit", "artificial"), ("bosom", "breast"), ("disappointment", "failure"), ("consciousness", "intelligence")] {
        let o = originals(&lex, spun);
        eprintln!("{spun} -> {orig}: {}", o.contains(&orig.to_string()));
    }
    assert!(originals(&lex, "counterfeit").contains(&"artificial".to_string()));
    assert!(originals(&lex, "bosom").contains(&"breast".to_string()));
    assert!(originals(&lex, "disappointment").contains(&"failure".to_string()));
    assert!(originals(&lex, "disappointments").contains(&"failures".to_string()));
    // An irregular past is every form: the simple past and the participle.
    let seized = originals(&lex, "seized");
    assert!(seized.contains(&"took".to_string()) && seized.contains(&"taken".to_string()), "{seized:?}");
    // The copula: what may stand for "become" may stand for "be", in the
    // spun phrase's tense; "am" is no past of "be".
    for spun in ["turned into", "changed into", "became"] {
        let o = originals(&lex, spun);
        assert!(o.contains(&"was".to_string()) && o.contains(&"were".to_string()), "{spun}: {o:?}");
        assert!(!o.iter().any(|c| c.split(' ').next() == Some("am")), "{spun}: {o:?}");
    }
    assert!(originals(&lex, "becomes").contains(&"is".to_string()));
}
