//! The candidate table (`candidates.unspin`) changes only the speed of the
//! engine: on the real model, every report and every explained finding is
//! byte for byte the same with and without it, on the Brown development
//! documents as written and spun, at the default settings and at settings
//! the table serves only in part.

use std::path::Path;

use unspin_engine::candidates::CandidateTable;
use unspin_engine::{Config, Engine, Model};
use unspin_eval::brown::{self, Split};
use unspin_eval::Spinner;
use unspin_test_support::{real_model, workspace_root};

/// The model with its candidate table (the directory's, or computed when
/// the directory has none) and the model without one.
fn with_and_without(dir: &Path) -> (Model, Model) {
    let mut with = Model::open(dir).unwrap();
    if with.candidates.is_none() {
        let max = Config::default().max_lexicon_candidates;
        with.candidates = Some(CandidateTable::compute(&with.lm, &with.lexicon, max).unwrap());
    }
    let mut without = Model::open(dir).unwrap();
    without.candidates = None;
    (with, without)
}

/// The development documents, and spun copies of them when the spinner
/// dictionary is at hand (it is in ../shared).
fn documents() -> Vec<String> {
    let docs = brown::load_brown(&workspace_root().join(".cache/data/brown")).unwrap();
    let dev: Vec<_> = docs.into_iter().filter(|d| d.split == Split::Dev).collect();
    let mut texts: Vec<String> = dev.iter().map(|d| d.text.clone()).collect();
    let dictionary = workspace_root().join("../shared/data/spinner-dictionaries/article-rewriter-en.sdata");
    if let Ok(spinner) = Spinner::load(&dictionary) {
        texts.extend(dev.iter().enumerate().map(|(i, d)| spinner.spin(&d.text, 0.3, i as u64).text));
    } else {
        eprintln!("{}: missing; checking the documents as written only", dictionary.display());
    }
    texts
}

/// Every report and explanation, serialised.
fn outputs(engine: &Engine, texts: &[String]) -> Vec<String> {
    texts
        .iter()
        .map(|t| {
            let report = serde_json::to_string(&engine.check(t)).unwrap();
            let explained = serde_json::to_string(&engine.explain(t)).unwrap();
            format!("{report}\n{explained}")
        })
        .collect()
}

fn assert_same(with: &[String], without: &[String], texts: &[String], what: &str) {
    assert_eq!(with.len(), without.len());
    for (i, (a, b)) in with.iter().zip(without).enumerate() {
        assert!(a == b, "{what}: document {i} differs with the table\n{}\nwith: {a}\nwithout: {b}", &texts[i][..texts[i].len().min(200)]);
    }
}

#[test]
fn findings_are_identical_with_and_without_the_table() {
    let Some(dir) = real_model() else { return };
    let texts = documents();
    let (with, without) = with_and_without(&dir);
    let (with, without) = (Engine::new(with, Config::default()), Engine::new(without, Config::default()));
    let a = outputs(&with, &texts);
    let b = outputs(&without, &texts);
    assert_same(&a, &b, &texts, "default settings");
    let findings = a.iter().map(|s| s.matches("\"suggestion\"").count()).sum::<usize>();
    eprintln!("{} documents, {findings} explained findings, the same with and without the table", texts.len());
    assert!(findings > 1000, "only {findings} findings: too few to compare");
}

/// Cuts the table was not made at, and the function-word substitutes that
/// are added to its lists: served where the table knows the answer,
/// computed elsewhere, the same either way.
#[test]
fn other_settings_are_identical_with_and_without_the_table() {
    let Some(dir) = real_model() else { return };
    let texts: Vec<String> = brown::spread(&documents(), Some(60));
    for setting in ["max_lexicon_candidates=16", "max_lexicon_candidates=200", "function_words=1"] {
        let mut config = Config::default();
        config.set_assignment(setting).unwrap();
        let (with, without) = with_and_without(&dir);
        let a = outputs(&Engine::new(with, config.clone()), &texts);
        let b = outputs(&Engine::new(without, config), &texts);
        assert_same(&a, &b, &texts, setting);
    }
}
