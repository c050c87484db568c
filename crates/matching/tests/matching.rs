//! Matching on a small hand-made lexicon: spun copies find their source,
//! unrelated texts find nothing, the on-disk index agrees with the in-memory
//! one, and spun variants cluster.

use unspin_lexicon::Lexicon;
use unspin_matching::index::IndexWriter;
use unspin_matching::{cluster, Corpus, Document, Index, MatchParams, Matcher, MemoryIndex};

const MOBY: &str = "said|stated|declared|remarked
large|big|huge|vast|great
election|vote|poll|ballot
conducted|carried out|managed|run
jury|panel|tribunal
praise|acclaim|commendation
city|town|municipality
manner|way|fashion|method
river|stream|waterway
quickly|rapidly|swiftly|fast
house|home|dwelling|residence
old|ancient|aged|elderly
";

fn lexicon() -> Lexicon {
    unspin_lexicon::build::build_in_memory(MOBY, None).unwrap()
}

fn corpus() -> Vec<Document> {
    let texts = [
        "The Fulton County grand jury said on Friday that an investigation of the 1962 primary election in Atlanta \
         produced no evidence that any irregularities took place. The jury further said that the City Executive \
         Committee deserves the praise and thanks of the City of Atlanta for the manner in which the election was conducted.",
        "Mrs. Hawksley walked along the Thames river past the old brewery at Wapping, counting the barges moored in pairs. \
         Her house stood at the corner of Prospect Lane, where the lamplighter Jenkins lived in 1887 with seven cats.",
        "Photosynthesis in Chlorella pyrenoidosa was measured at 25 degrees with a Warburg manometer; oxygen evolution \
         rose quickly with light intensity until saturation near 4,000 lux, after which the rate declined.",
        "The Dodgers beat the Giants 7 to 3 at Ebbets Field on Sunday, with Koufax striking out eleven batters and \
         Gilliam driving in three runs in the fifth inning before a crowd of 31,000.",
        "A large house on Elm Street was sold to the Whitcomb family for 42,500 dollars. The old owners, the Petersons, \
         said they would move to Tucson in Arizona because of the dry climate and the quiet.",
    ];
    texts.iter().enumerate().map(|(i, t)| Document { id: format!("doc{i}"), text: t.to_string() }).collect()
}

const SPUN_0: &str = "The Fulton County grand panel stated on Friday that an investigation of the 1962 primary vote in Atlanta \
    produced no evidence that any irregularities took place. The tribunal further declared that the Town Executive \
    Committee deserves the acclaim and thanks of the City of Atlanta for the way in which the poll was carried out.";

#[test]
fn a_spun_copy_finds_its_source_with_the_swaps() {
    let lex = lexicon();
    let m = Matcher::new(&lex, MatchParams::default());
    let index = MemoryIndex::build(&m, corpus());
    let q = m.analyse(SPUN_0);
    let found = m.find_analysed(&index, &q, 5, None);
    assert_eq!(found.len(), 1, "{:?}", found.iter().map(|f| (&f.id, f.similarity)).collect::<Vec<_>>());
    assert_eq!(found[0].id, "doc0");
    assert!(found[0].similarity > 0.9, "{}", found[0].similarity);
    let passages = m.passages(SPUN_0, &q, &index, &found[0]);
    assert_eq!(passages.len(), 2, "two sentences, each from its own source sentence");
    let swaps: Vec<(&str, &str, &str)> =
        passages.iter().flat_map(|p| p.swaps.iter().map(|s| (s.text.as_str(), s.source_text.as_str(), s.kind))).collect();
    assert!(swaps.contains(&("panel", "jury", "synonym")), "{swaps:?}");
    assert!(swaps.contains(&("poll", "election", "synonym")), "{swaps:?}");
    // A phrase for a word: reported as one swap, even though single-word
    // synonyms do not relate them.
    assert!(swaps.iter().any(|s| s.0 == "carried out" && s.1 == "conducted"), "{swaps:?}");
    for p in &passages {
        assert!(p.similarity > 0.8);
        for s in &p.swaps {
            assert_eq!(&SPUN_0[s.start..s.end], s.text);
            assert_eq!(&index.text(found[0].doc)[s.source_start..s.source_end], s.source_text);
        }
    }
}

#[test]
fn unrelated_text_finds_nothing() {
    let lex = lexicon();
    let m = Matcher::new(&lex, MatchParams::default());
    let index = MemoryIndex::build(&m, corpus());
    let text = "The committee of the university said that the budget for the new library in the city was approved \
                on Monday, and that the building would open in the spring.";
    assert!(m.find(&index, text, 5).is_empty());
    assert!(m.find(&index, "", 5).is_empty());
}

#[test]
fn an_excerpt_of_a_long_source_is_found_in_place() {
    let lex = lexicon();
    let m = Matcher::new(&lex, MatchParams::default());
    // A long source: filler paragraphs numbered so that none repeats, and
    // the jury paragraph in the middle.
    let mut long = String::new();
    for i in 0..150 {
        long.push_str(&format!("Paragraph {i} mentions item {} of ledger {} and nothing else of note. ", i * 7, i * 13));
    }
    let at = long.len();
    long.push_str(&corpus()[0].text);
    for i in 150..300 {
        long.push_str(&format!(" Paragraph {i} mentions item {} of ledger {} and nothing else of note.", i * 7, i * 13));
    }
    let mut docs = corpus();
    docs[0].text = long;
    let index = MemoryIndex::build(&m, docs);
    let found = m.find(&index, SPUN_0, 5);
    assert_eq!(found.first().map(|f| f.id.as_str()), Some("doc0"));
    assert!(found[0].similarity > 0.9, "{}", found[0].similarity);
    assert!(found[0].source_coverage < 0.3);
    let q = m.analyse(SPUN_0);
    let p = m.passages(SPUN_0, &q, &index, &found[0]);
    assert!(p.iter().all(|p| p.source_start >= at), "aligned to the right place");
}

#[test]
fn the_disk_index_agrees_with_memory_and_grows_by_segments() {
    let lex = lexicon();
    let dir = tempfile::tempdir().unwrap();
    let lex_file = dir.path().join("lexicon.unspin");
    unspin_lexicon::build::build(MOBY, None, &lex_file).unwrap();
    let idx = dir.path().join("idx");
    let params = MatchParams::default();
    let m = Matcher::new(&lex, params);
    let docs = corpus();
    let mut w = IndexWriter::create(&idx, params.lsh, params.seed, &lex_file).unwrap();
    w.add(&m, docs[..3].to_vec()).unwrap();
    w.commit().unwrap();
    assert!(IndexWriter::create(&idx, params.lsh, params.seed, &lex_file).is_err(), "no overwrite");
    let mut w = IndexWriter::open(&idx, &lex_file).unwrap();
    w.add(&m, docs[3..].to_vec()).unwrap();
    let e = w.add(&m, vec![docs[1].clone()]).unwrap_err();
    assert!(e.to_string().contains("doc1"), "{e}");
    let mut w = IndexWriter::open(&idx, &lex_file).unwrap();
    w.add(&m, docs[3..].to_vec()).unwrap();
    w.commit().unwrap();
    let index = Index::open(&idx).unwrap();
    assert_eq!(index.len(), 5);
    assert_eq!(index.manifest().segments.len(), 2);
    for (d, doc) in docs.iter().enumerate() {
        assert_eq!(index.id(d as u64), doc.id);
        assert_eq!(index.text(d as u64), doc.text);
    }
    let mem = MemoryIndex::build(&m, docs);
    for q in [SPUN_0, "A big house on Elm Street was sold to the Whitcomb family for 42,500 dollars."] {
        let a: Vec<(String, u64)> = m.find(&index, q, 5).iter().map(|f| (f.id.clone(), (f.similarity * 1e6) as u64)).collect();
        let b: Vec<(String, u64)> = m.find(&mem, q, 5).iter().map(|f| (f.id.clone(), (f.similarity * 1e6) as u64)).collect();
        assert_eq!(a, b);
        assert!(!a.is_empty());
    }
    // Another lexicon is refused; so is a damaged manifest.
    let other = dir.path().join("other.unspin");
    unspin_lexicon::build::build("said|stated\n", None, &other).unwrap();
    assert!(index.check_lexicon(&other).unwrap_err().to_string().contains("another lexicon"));
    std::fs::write(idx.join("index.json"), "{").unwrap();
    assert!(Index::open(&idx).err().unwrap().to_string().contains("manifest"));
}

#[test]
fn spun_variants_cluster_together() {
    let lex = lexicon();
    let m = Matcher::new(&lex, MatchParams::default());
    let mut docs = corpus();
    docs.push(Document { id: "spun-a".into(), text: SPUN_0.into() });
    docs.push(Document {
        id: "spun-b".into(),
        text: "The Fulton County grand jury remarked on Friday that an investigation of the 1962 primary ballot in Atlanta \
               produced no evidence that any irregularities took place. The panel further stated that the City Executive \
               Committee deserves the commendation and thanks of the Municipality of Atlanta for the fashion in which the \
               election was managed."
            .into(),
    });
    let index = MemoryIndex::build(&m, docs);
    let clusters = cluster::cluster(&m, &index, 2);
    assert_eq!(clusters.len(), 1, "{clusters:?}");
    assert_eq!(clusters[0].ids, vec!["doc0", "spun-a", "spun-b"]);
    let all = cluster::cluster(&m, &index, 1);
    assert_eq!(all.len(), 5);
}

/// A text's analysis does not depend on what the matcher analysed before:
/// "B.I.G." (an abbreviation, never a swap) and "big" (a word the lexicon
/// lists) share a normalised form, and whichever came first used to decide
/// the description of both, so a query could find its source or not by
/// where it stood in a file.
#[test]
fn analysis_does_not_depend_on_what_came_before() {
    let lexicon = lexicon();
    let (word, abbreviation) = ("A big house on Elm Street.", "B.I.G. news, said the town.");
    let fresh = |text: &str| format!("{:?}", Matcher::new(&lexicon, MatchParams::default()).analyse(text));
    let (want_word, want_abbreviation) = (fresh(word), fresh(abbreviation));
    assert_ne!(want_word, fresh("A tiny house on Elm Street."), "the comparison sees the words");
    let after_abbreviation = Matcher::new(&lexicon, MatchParams::default());
    after_abbreviation.analyse(abbreviation);
    assert_eq!(format!("{:?}", after_abbreviation.analyse(word)), want_word);
    let after_word = Matcher::new(&lexicon, MatchParams::default());
    after_word.analyse(word);
    assert_eq!(format!("{:?}", after_word.analyse(abbreviation)), want_abbreviation);
}
