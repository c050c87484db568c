//! A request's threshold filters the findings of an engine run with no
//! confidence floor; this must equal running the engine at that threshold
//! (what `unspin check --threshold` does), score and verdict included.

use std::path::Path;

use unspin_engine::{Config, Engine, Model};
use unspin_server::Checker;
use unspin_test_support::{real_model, workspace_root};

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
        .map(|f| std::fs::read_to_string(workspace_root().join("data/examples").join(f)).unwrap())
        .chain(
            std::fs::read_to_string(workspace_root().join("tests/data/restorations.tsv"))
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
