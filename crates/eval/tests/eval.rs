//! Metric, dataset and report tests on small hand-made cases, with stand-in
//! detectors whose right answers are known.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use unspin_engine::{Finding, Report, Source};
use unspin_eval::measure::{self, score_phrases, score_spun};
use unspin_eval::metrics::{roc_auc, word_spans};
use unspin_eval::pps::{self, parse_pps_csv};
use unspin_eval::{brown, detokenize, run, Detector, EvalConfig, Section, Spinner, Spun};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn report(findings: Vec<Finding>) -> Report {
    let score = if findings.is_empty() { 0.0 } else { 1.0 };
    Report { score, spun: score >= 0.5, findings }
}

fn finding(text: &str, start: usize, end: usize, suggestion: &str) -> Finding {
    Finding {
        start,
        end,
        text: text[start..end].to_string(),
        suggestion: suggestion.into(),
        confidence: 1.0,
        source: Source::Model,
        alternatives: Vec::new(),
    }
}

/// Finds nothing, ever.
struct Identity;

impl Detector for Identity {
    fn check(&self, _text: &str) -> Report {
        report(vec![])
    }
}

/// Flags the whole text as one finding and suggests it unchanged.
struct FlagAll;

impl Detector for FlagAll {
    fn check(&self, text: &str) -> Report {
        report(vec![finding(text, 0, text.len(), text)])
    }
}

/// Knows the answer: the gold findings of every spun text it was given, and
/// the expected original of every tortured phrase (matched ignoring case).
#[derive(Default)]
struct Oracle {
    spun: HashMap<String, Vec<Finding>>,
    phrases: Vec<(String, String)>,
}

impl Oracle {
    fn learn_spun(&mut self, docs: &[Spun]) {
        for d in docs {
            self.spun.insert(d.text.clone(), d.gold_findings());
        }
    }
}

impl Detector for Oracle {
    fn check(&self, text: &str) -> Report {
        if let Some(f) = self.spun.get(text) {
            return Report { score: 1.0, spun: true, findings: f.clone() };
        }
        let lower = text.to_lowercase();
        let mut findings = Vec::new();
        for (phrase, expected) in &self.phrases {
            if let Some(at) = lower.find(&phrase.to_lowercase()) {
                findings.push(finding(text, at, at + phrase.len(), expected));
            }
        }
        report(findings)
    }
}

const DICTIONARY: &str =
    "big|large|huge\nsaid|stated|declared\ncommittee|panel\nunited states|joined together states\n\
quickly|rapidly\nhouse|home|dwelling\nold|aged|ancient\nnew|novel|fresh\nreport|account\nbank|financial institution";

/// A paragraph with many dictionary members in varied case.
fn sample_text(n: usize) -> String {
    let sentences = [
        "The committee said the United States would build a big house quickly.",
        "An old report, filed by the Committee, said nothing new about the bank.",
        "THE BIG HOUSE was old, and the panel stated that it would change quickly.",
        "Nobody said the report was new; the old bank stayed in the United States.",
    ];
    let mut paragraphs = Vec::new();
    for i in 0..n {
        paragraphs.push(format!("{} {}", sentences[i % 4], sentences[(i + 1) % 4]));
    }
    paragraphs.join("\n\n")
}

fn spun_docs(rate: f64) -> Vec<Spun> {
    let spinner = Spinner::parse(DICTIONARY).unwrap();
    (0..6).map(|i| spinner.spin(&sample_text(3 + i), rate, 100 + i as u64)).collect()
}

#[test]
fn perfect_restorer_scores_perfectly() {
    let docs = spun_docs(0.5);
    assert!(docs.iter().all(|d| !d.gold.is_empty()));
    let mut oracle = Oracle::default();
    oracle.learn_spun(&docs);
    let s = score_spun(&oracle, &docs);
    assert_eq!(s.tokens.precision(), Some(1.0));
    assert_eq!(s.tokens.recall(), Some(1.0));
    assert_eq!(s.tokens.f1(), Some(1.0));
    assert_eq!(s.exact_rate(), Some(1.0));
    assert_eq!(s.wer_after(), Some(0.0));
    assert!(s.wer_before().unwrap() > 0.0);
    // Every paragraph with a swap comes back closer; none goes further.
    assert!(s.paragraphs_closer().unwrap() > 0.5);
    assert_eq!(s.paragraphs_further(), Some(0.0));
    assert_eq!(s.paragraphs.total() as usize, docs.iter().map(|d| d.original.split("\n\n").count()).sum::<usize>());
}

/// Suggests a wrong word at every gold span and lists the original as the
/// second (or, with `third`, the third) alternative.
struct SecondGuess {
    oracle: Oracle,
    third: bool,
}

impl Detector for SecondGuess {
    fn check(&self, text: &str) -> Report {
        let mut r = self.oracle.check(text);
        for f in &mut r.findings {
            let right = std::mem::replace(&mut f.suggestion, "zzz".into());
            f.alternatives = if self.third { vec!["yyy".into(), "xxx".into(), right] } else { vec!["yyy".into(), right] };
        }
        r
    }
}

#[test]
fn exact_in_3_reads_the_first_two_alternatives() {
    let docs = spun_docs(0.5);
    let mut oracle = Oracle::default();
    oracle.learn_spun(&docs);
    let second = score_spun(&SecondGuess { oracle, third: false }, &docs);
    assert_eq!(second.exact_rate(), Some(0.0));
    assert_eq!(second.exact_in_options_rate(), Some(1.0));
    let mut oracle = Oracle::default();
    oracle.learn_spun(&docs);
    let third = score_spun(&SecondGuess { oracle, third: true }, &docs);
    assert_eq!(third.exact_in_options_rate(), Some(0.0));
    let mut oracle = Oracle::default();
    oracle.learn_spun(&docs);
    assert_eq!(score_spun(&oracle, &docs).exact_in_options_rate(), Some(1.0));
    assert_eq!(score_spun(&Identity, &docs).exact_in_options_rate(), Some(0.0));
}

#[test]
fn identity_restorer_finds_nothing_and_changes_nothing() {
    let docs = spun_docs(0.5);
    let s = score_spun(&Identity, &docs);
    assert_eq!(s.tokens.recall(), Some(0.0));
    assert_eq!(s.tokens.precision(), None);
    assert_eq!(s.exact_rate(), Some(0.0));
    assert!(s.wer_before().unwrap() > 0.0);
    assert_eq!(s.wer_after(), s.wer_before());
    assert_eq!(s.paragraphs_closer(), Some(0.0));
    assert_eq!(s.paragraphs_further(), Some(0.0));
}

#[test]
fn flagging_everything_has_precision_equal_to_gold_share() {
    let docs = spun_docs(0.3);
    let s = score_spun(&FlagAll, &docs);
    let mut gold_tokens = 0;
    let mut all_tokens = 0;
    for d in &docs {
        let tokens = word_spans(&d.text);
        all_tokens += tokens.len();
        gold_tokens += tokens.iter().filter(|t| d.gold.iter().any(|g| t.0 < g.end && g.start < t.1)).count();
    }
    let share = gold_tokens as f64 / all_tokens as f64;
    assert!(share > 0.0 && share < 1.0);
    assert!((s.tokens.precision().unwrap() - share).abs() < 1e-12);
    assert_eq!(s.tokens.recall(), Some(1.0));
    // Suggesting the text unchanged restores nothing.
    assert_eq!(s.wer_after(), s.wer_before());
}

#[test]
fn roc_auc_on_hand_made_scores() {
    assert_eq!(roc_auc(&[0.7, 0.8, 0.9], &[0.1, 0.2]), Some(1.0));
    assert_eq!(roc_auc(&[0.1, 0.2], &[0.7, 0.8, 0.9]), Some(0.0));
    assert_eq!(roc_auc(&[0.3; 4], &[0.3; 5]), Some(0.5));
    assert_eq!(roc_auc(&[0.6, 0.2], &[0.4]), Some(0.5));
}

#[test]
fn verdicts_combine_clean_and_spun_documents() {
    let docs = spun_docs(0.5);
    let mut oracle = Oracle::default();
    oracle.learn_spun(&docs);
    let clean_texts: Vec<&str> = docs.iter().map(|d| d.original.as_str()).collect();
    let clean = measure::score_clean(&oracle, &clean_texts);
    let spun = score_spun(&oracle, &docs);
    assert_eq!(measure::verdict_quality(&clean, &spun), (Some(1.0), Some(1.0)));
    let clean = measure::score_clean(&FlagAll, &clean_texts);
    let spun = score_spun(&FlagAll, &docs);
    assert_eq!(measure::verdict_quality(&clean, &spun), (Some(0.5), Some(0.5)));
    let (per_k, spun_share) = measure::false_positive_rates(&clean);
    assert_eq!(spun_share, Some(1.0));
    let words: u64 = clean.iter().map(|c| c.words).sum();
    assert!((per_k.unwrap() - clean.len() as f64 * 1000.0 / words as f64).abs() < 1e-9);
}

#[test]
fn spinner_is_deterministic_and_its_gold_is_exact() {
    let spinner = Spinner::parse(DICTIONARY).unwrap();
    let text = sample_text(8);
    let a = spinner.spin(&text, 0.5, 42);
    let b = spinner.spin(&text, 0.5, 42);
    assert_eq!(a.text, b.text);
    assert_eq!(a.gold, b.gold);
    let c = spinner.spin(&text, 0.5, 43);
    assert_ne!(a.text, c.text, "another seed spins differently");
    assert!(!a.gold.is_empty());
    for g in &a.gold {
        assert_eq!(&a.text[g.start..g.end], g.spun, "gold span points at the replacement");
        assert_ne!(g.spun.to_lowercase(), g.original.to_lowercase());
    }
    assert!(a.gold.windows(2).all(|w| w[0].end <= w[1].start));
    assert_eq!(a.unspin(), text);
    assert_eq!(a.original, text);
    assert_eq!(spinner.spin(&text, 0.0, 42).text, text);
}

#[test]
fn spinner_keeps_capitalisation() {
    let spinner = Spinner::parse("united states|joined together states\nbig|large").unwrap();
    let s = spinner.spin("The United States is BIG. Big ideas.", 1.0, 1);
    assert_eq!(s.text, "The Joined Together States is LARGE. Large ideas.");
    assert_eq!(s.unspin(), "The United States is BIG. Big ideas.");
}

#[test]
fn spinner_respects_the_rate() {
    let spinner = Spinner::parse(DICTIONARY).unwrap();
    let text = sample_text(200);
    for rate in [0.1, 0.3] {
        let s = spinner.spin(&text, rate, 7);
        assert!(s.eligible > 1500, "{}", s.eligible);
        let share = s.gold.len() as f64 / s.eligible as f64;
        assert!((share - rate).abs() < 0.04, "rate {rate}: swapped {share}");
    }
    let all = spinner.spin(&text, 1.0, 7);
    assert_eq!(all.gold.len(), all.eligible);
}

#[test]
fn brown_detokenisation() {
    let tagged = std::fs::read_to_string(data("brown-sample.tagged")).unwrap();
    let expected = std::fs::read_to_string(data("brown-sample.txt")).unwrap();
    assert_eq!(detokenize(&tagged), expected.trim_end());
}

#[test]
fn pps_csv_parsing() {
    let rows = parse_pps_csv(&std::fs::read_to_string(data("pps-sample.csv")).unwrap()).unwrap();
    let phrases: Vec<&str> = rows.iter().map(|r| r.phrase.as_str()).collect();
    assert_eq!(phrases, vec!["counterfeit consciousness", "surface region", "bosom peril", "android versatile"]);
    assert_eq!(rows[0].expected, "artificial intelligence");
    assert_eq!(rows[0].papers, Some(1234));
    assert_eq!(rows[1].require, vec![vec!["surface area".to_string()]]);
    assert!(rows[0].require.is_empty());
    assert_eq!(rows[3].exclude, vec!["paranoid android"]);
    assert!(rows[3].require.is_empty());
}

#[test]
fn unlisted_phrases_and_their_scores() {
    let july = parse_pps_csv(&std::fs::read_to_string(data("pps-sample.csv")).unwrap()).unwrap();
    let mut november = july.clone();
    november.extend(
        parse_pps_csv(
            "h,e,n\n\"\"\"grouping methods\"\"\",classification methods,5\n\"\"\"Bosom Peril\"\"\",breast cancer,1\n",
        )
        .unwrap(),
    );
    let unlisted = pps::unlisted(&november, &july);
    assert_eq!(unlisted.len(), 1);
    assert_eq!(unlisted[0].phrase, "grouping methods");

    let templates = pps::carriers();
    let instances = measure::phrase_instances(&november, Some(&templates));
    assert_eq!(instances.len(), 6 * templates.len());
    // The AND context of "surface region" is named in the text.
    assert!(instances.iter().any(|i| i.text.contains("surface region") && i.text.contains("Keywords: surface area.")));

    let oracle = Oracle {
        phrases: november.iter().map(|t| (t.phrase.clone(), t.expected.clone())).collect(),
        ..Oracle::default()
    };
    let s = score_phrases(&oracle, &instances);
    assert_eq!((s.recall(), s.exact_rate(), s.precision()), (Some(1.0), Some(1.0), Some(1.0)));
    let s = score_phrases(&Identity, &measure::phrase_instances(&november, None));
    assert_eq!((s.recall(), s.exact_rate(), s.precision()), (Some(0.0), Some(0.0), None));
    let s = score_phrases(&FlagAll, &instances);
    assert_eq!((s.recall(), s.exact_rate(), s.precision()), (Some(1.0), Some(0.0), Some(1.0)));

    // Inside documents: each text after a document in turn, the phrase's
    // span moved with it, and the oracle still restores every one.
    let documents = ["A first document.\n\nIts second paragraph.", "Another one."];
    let inside = measure::in_documents(&instances, &documents);
    assert_eq!(inside.len(), instances.len());
    for (k, (i, o)) in inside.iter().zip(&instances).enumerate() {
        assert!(i.text.starts_with(documents[k % 2]) && i.text.ends_with(&o.text));
        assert_eq!(&i.text[i.start..i.end], &o.text[o.start..o.end]);
    }
    let s = score_phrases(&oracle, &inside);
    assert_eq!((s.recall(), s.exact_rate(), s.precision()), (Some(1.0), Some(1.0), Some(1.0)));
    assert!(measure::in_documents(&instances, &[]).is_empty());
}

/// A Brown-format file of `sentences` made-up sentences.
fn tagged_doc(seed: usize, sentences: usize) -> String {
    let text = sample_text(sentences + seed % 3);
    let mut out = String::new();
    for paragraph in text.split("\n\n") {
        out.push_str("\n\n\t");
        for word in paragraph.split(' ') {
            let (w, p) = match word.strip_suffix(['.', ',', ';']) {
                Some(w) => (w, &word[w.len()..]),
                None => (word, ""),
            };
            out.push_str(&format!("{w}/nn "));
            if !p.is_empty() {
                out.push_str(&format!("{p}/{p} "));
            }
        }
        out.push('\n');
    }
    out
}

/// A project tree in miniature: data/brown and shared/data/...
fn fixture(with_shared: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let brown_dir = dir.path().join("data/brown");
    std::fs::create_dir_all(&brown_dir).unwrap();
    let files = [
        ("ca01", "news"),
        ("ca02", "news"),
        ("cb01", "editorial"),
        ("cj01", "learned"),
        ("cj02", "learned"),
        ("ck01", "fiction"),
        ("cp02", "romance"),
        ("ch01", "government"),
    ];
    let mut cats = String::new();
    for (i, (id, cat)) in files.iter().enumerate() {
        std::fs::write(brown_dir.join(id), tagged_doc(i, 12)).unwrap();
        cats.push_str(&format!("{id} {cat}\n"));
    }
    std::fs::write(brown_dir.join("cats.txt"), cats).unwrap();
    if with_shared {
        let shared = dir.path().join("shared/data");
        std::fs::create_dir_all(shared.join("spinner-dictionaries")).unwrap();
        std::fs::create_dir_all(shared.join("tortured-phrases")).unwrap();
        std::fs::write(shared.join("spinner-dictionaries/article-rewriter-en.sdata"), DICTIONARY).unwrap();
        let header = "\"Fingerprint - Tortured Phrase\",\"Expected Text\",\"Nb Retrieved Papers\"\n";
        let july = format!("{header}\"\"\"counterfeit consciousness\"\"\",artificial intelligence,10\n\"\"\"surface region\"\"  AND \"\"surface area\"\"\",surface area,5\n");
        let mut november = july.clone();
        for (p, e) in [
            ("grouping methods", "classification methods"),
            ("component extraction", "feature extraction"),
            ("information mining", "data mining"),
            ("profound learning", "deep learning"),
            ("irregular woodland", "random forest"),
        ] {
            november.push_str(&format!("\"\"\"{p}\"\"\",{e},3\n"));
        }
        november.push_str("\"\"\"mystery phrase\"\"\",?,3\n");
        std::fs::write(shared.join("tortured-phrases/pps-2025-07.csv"), july).unwrap();
        std::fs::write(shared.join("tortured-phrases/pps-2025-11.csv"), november).unwrap();
    }
    dir
}

#[test]
fn full_run_with_an_oracle() {
    let dir = fixture(true);
    let mut cfg = EvalConfig::new(&dir.path().join("data"), &dir.path().join("shared"), false);
    cfg.rates = vec![0.5, 1.0];
    cfg.model_load_seconds = Some(1.25);

    // The oracle learns exactly what the run will spin and every phrase.
    let spinner = Spinner::load(&cfg.spinner_dictionary).unwrap();
    let docs = brown::load_brown(&cfg.brown_dir).unwrap();
    assert_eq!(docs.len(), 7, "government is not evaluated");
    let mut oracle = Oracle::default();
    for &rate in &cfg.rates {
        oracle.learn_spun(&unspin_eval::spin_docs(&spinner, &docs, rate, cfg.seed));
    }
    let november = unspin_eval::load_pps(&cfg.pps_november).unwrap();
    oracle.phrases = november.iter().map(|t| (t.phrase.clone(), t.expected.clone())).collect();

    // The oracle stands in for the thorough engine too: its rows must come
    // out alongside the plain ones, in every section the plain engine has.
    let r = run(&cfg, &oracle, Some(&oracle), &[("thorough", &oracle)]);
    for row in &r.rows {
        assert!(row.skipped.is_none(), "{row:?}");
    }
    let tortured: Vec<_> = r.rows_in(Section::Tortured).collect();
    assert_eq!(tortured.len(), 2 * 3 * 3 * 2, "2 datasets x 3 detectors x 3 settings x 2 splits");
    for section in [Section::Tortured, Section::Spinning, Section::CleanText, Section::Verdicts, Section::Speed] {
        let count = |name: &str| r.rows_in(section).filter(|row| row.detector == name).count();
        assert!(count("plain") > 0 && count("thorough") == count("plain"), "{section:?}");
    }
    let unlisted_texts: u64 =
        tortured.iter().filter(|r| r.dataset == "unlisted, alone" && r.detector == "plain").map(|r| r.size).sum();
    assert_eq!(unlisted_texts, 5);
    for row in &tortured {
        if row.size > 0 {
            assert_eq!(row.figure("recall"), Some(1.0), "{row:?}");
            assert_eq!(row.figure("exact"), Some(1.0), "{row:?}");
        }
    }
    for row in r.rows_in(Section::Spinning) {
        for name in ["P", "R", "F1", "exact"] {
            assert_eq!(row.figure(name), Some(1.0), "{name} {row:?}");
        }
        assert_eq!(row.figure("WER restored"), Some(0.0));
        assert!(row.figure("WER spun").unwrap() > 0.0);
    }
    for row in r.rows_in(Section::CleanText) {
        assert_eq!(row.figure("findings/1k"), Some(0.0), "{row:?}");
        assert_eq!(row.figure("docs spun"), Some(0.0));
    }
    let verdicts: Vec<_> = r.rows_in(Section::Verdicts).collect();
    assert_eq!(verdicts.len(), 8, "2 rates x 2 splits x 2 detectors");
    for row in verdicts {
        assert_eq!((row.figure("AUC"), row.figure("accuracy")), (Some(1.0), Some(1.0)), "{row:?}");
    }
    let speed = r.rows_in(Section::Speed).next().unwrap();
    assert!(speed.figure("check MB/s").unwrap() > 0.0);
    assert!(speed.figure("peak RSS MB").unwrap() > 0.0);
    assert_eq!(speed.figure("model load s"), Some(1.25));
    let news_dev = r.row(Section::CleanText, "Brown clean, news", "plain", "dev").unwrap();
    assert_eq!(news_dev.size, 2, "ca01 and cb01");

    let table = r.to_table();
    assert!(table.contains("Unlisted tortured phrases") && table.contains("Brown spun 50%"), "{table}");
    let md = r.to_markdown("abc1234", "2025-12-01");
    for needle in [
        "abc1234",
        "2025-12-01",
        "full",
        "**dev**",
        "Martel, Lentschat & Labbé (2024)",
        "| dataset | detector | split | size |",
    ] {
        assert!(md.contains(needle), "{needle} missing from\n{md}");
    }
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["tuning_split"], "dev");
    assert!(json["rows"].as_array().unwrap().len() > 20);
}

#[test]
fn thresholds_section_rows_each_threshold_on_both_splits() {
    let dir = fixture(true);
    let mut cfg = EvalConfig::new(&dir.path().join("data"), &dir.path().join("shared"), false);
    cfg.rates = vec![0.2, 0.5];
    let spinner = Spinner::load(&cfg.spinner_dictionary).unwrap();
    let docs = brown::load_brown(&cfg.brown_dir).unwrap();
    let mut oracle = Oracle::default();
    // Only the highest rate is read.
    oracle.learn_spun(&unspin_eval::spin_docs(&spinner, &docs, 0.5, cfg.seed));
    let november = unspin_eval::load_pps(&cfg.pps_november).unwrap();
    oracle.phrases = november.iter().map(|t| (t.phrase.clone(), t.expected.clone())).collect();
    let mut r = run(&EvalConfig { quick: true, ..EvalConfig::new(&dir.path().join("nowhere"), &dir.path().join("nowhere"), true) }, &Identity, None, &[]);
    r.rows.clear();
    unspin_eval::run_thresholds(&cfg, &[(0.5, &oracle), (0.9, &FlagAll)], 0.9, &mut r);
    let rows: Vec<_> = r.rows_in(Section::Thresholds).collect();
    assert_eq!(rows.len(), 4, "2 thresholds x 2 splits: {rows:?}");
    for split in ["dev", "test"] {
        let at = |name: &str| rows.iter().find(|row| row.split == split && row.detector == name).unwrap_or_else(|| panic!("{name} {split}"));
        let oracle_row = at("plain at 0.5");
        assert_eq!(oracle_row.dataset, "Brown spun 50%, clean, unlisted alone");
        for name in ["P", "R", "exact", "para closer", "unlisted recall"] {
            assert_eq!(oracle_row.figure(name), Some(1.0), "{name} {oracle_row:?}");
        }
        assert_eq!(oracle_row.figure("para further"), Some(0.0));
        assert_eq!(oracle_row.figure("clean findings/1k"), Some(0.0));
        // Flagging everything: one finding a document, the tortured phrases
        // "found" but none restored.
        let all = at("plain at default, 0.9");
        assert!(all.figure("P").unwrap() < 1.0 && all.figure("R") == Some(1.0), "{all:?}");
        assert!(all.figure("clean findings/1k").unwrap() > 0.0);
        assert_eq!(all.figure("unlisted recall"), Some(1.0));
    }
    assert!(r.to_markdown("c", "d").contains("8. Choosing a threshold"));

    // Without the data the section says why.
    let mut empty = r.clone();
    empty.rows.clear();
    unspin_eval::run_thresholds(&EvalConfig::new(&dir.path().join("nowhere"), &dir.path().join("nowhere"), true), &[(0.5, &Identity)], 0.5, &mut empty);
    assert!(empty.rows.iter().all(|row| row.skipped.is_some()) && !empty.rows.is_empty());
}

#[test]
fn missing_shared_data_skips_rows_with_a_reason() {
    let dir = fixture(false);
    let cfg = EvalConfig { quick: true, ..EvalConfig::new(&dir.path().join("data"), &dir.path().join("shared"), true) };
    let r = run(&cfg, &Identity, None, &[]);
    let tortured: Vec<_> = r.rows_in(Section::Tortured).collect();
    assert!(!tortured.is_empty());
    assert!(tortured.iter().all(|row| row.skipped.as_deref().is_some_and(|s| s.contains("not found"))), "{tortured:?}");
    for section in [Section::Spinning, Section::Verdicts] {
        let rows: Vec<_> = r.rows_in(section).collect();
        assert!(!rows.is_empty() && rows.iter().all(|row| row.skipped.is_some()));
    }
    assert!(r.rows_in(Section::CleanText).all(|row| row.skipped.is_none()));
    let speed = r.rows_in(Section::Speed).next().unwrap();
    assert!(speed.figure("check MB/s").is_some() && speed.figure("grep MB/s").is_none());
    assert!(r.notes.iter().any(|n| n.contains("grep yardstick skipped")));
    assert!(r.data.iter().filter(|d| !d.available).count() == 3);
    assert!(r.to_markdown("c", "d").contains("skipped: PPS export: not found"));

    // Without any data at all, every row says why.
    let nothing = EvalConfig::new(&dir.path().join("nowhere"), &dir.path().join("nowhere"), true);
    let r = run(&nothing, &Identity, None, &[]);
    assert!(r.rows.iter().all(|row| row.skipped.is_some()));
    assert!(r.to_table().contains("skipped: Brown corpus: not found"));
}

#[test]
fn fingerprint_rows_are_skipped_without_a_fingerprint_detector() {
    let dir = fixture(true);
    let mut cfg = EvalConfig::new(&dir.path().join("data"), &dir.path().join("shared"), true);
    cfg.rates = vec![0.2];
    let r = run(&cfg, &Identity, None, &[]);
    let fp: Vec<_> = r.rows_in(Section::Tortured).filter(|row| row.detector == "fingerprints").collect();
    assert_eq!(fp.len(), 12);
    assert!(fp.iter().all(|row| row.skipped.as_deref().is_some_and(|s| s.contains("no fingerprint detector"))));
    let plain: Vec<_> = r.rows_in(Section::Tortured).filter(|row| row.detector == "plain" && row.size > 0).collect();
    assert!(!plain.is_empty());
    assert!(plain.iter().all(|row| row.figure("recall") == Some(0.0)));
}
