//! A request's threshold filters the findings of an engine run with no
//! confidence floor; this must equal running the engine at that threshold
//! (what `unspin check --threshold` does), score and verdict included.

use std::path::{Path, PathBuf};

use unspin_engine::{Config, Engine, Model};
use unspin_server::Checker;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn real_model() -> Option<PathBuf> {
    let dir = std::env::var_os("UNSPIN_MODEL").map(PathBuf::from).unwrap_or_else(|| root().join("model"));
    if dir.join("lm.unspin").is_file() && dir.join("lexicon.unspin").is_file() {
        return Some(dir);
    }
    if std::env::var_os("UNSPIN_REQUIRE_MODEL").is_some() {
        panic!("the real model is missing in {}; run scripts/setup.sh", dir.display());
    }
    eprintln!("skipped: no real model (run scripts/setup.sh)");
    None
}

fn engine_at(dir: &Path, threshold: f64) -> Engine {
    Engine::new(Model::open(dir).unwrap(), Config { min_confidence: threshold, ..Config::default() })
}

#[test]
fn filtered_reports_equal_the_engine_at_each_threshold() {
    let Some(dir) = real_model() else { return };
    let checker = Checker::new(engine_at(&dir, 0.5));
    assert_eq!(checker.default_threshold(), 0.5);
    let texts: Vec<String> = ["spun-news.txt", "clean-news.txt"]
        .iter()
        .map(|f| std::fs::read_to_string(root().join("data/examples").join(f)).unwrap())
        .chain(
            std::fs::read_to_string(root().join("tests/data/restorations.tsv"))
                .unwrap()
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .map(|l| l.split('\t').next().unwrap().to_string()),
        )
        .collect();
    let mut findings_seen = 0;
    for t in [0.0, 0.2, 0.5, 0.6, 0.8, 0.95, 1.0] {
        let engine = engine_at(&dir, t);
        for text in &texts {
            let want = engine.check(text);
            assert_eq!(checker.check(text, t), want, "threshold {t} on {text:?}");
            findings_seen += want.findings.len();
        }
    }
    assert!(findings_seen >= 15, "the texts exercise the filter ({findings_seen} findings)");
}
