//! A request's threshold must give what running the engine at that
//! threshold gives (what `unspin check --threshold` does), score and
//! verdict included, in both profiles (under `web` a document called spun
//! reads its findings again with shifted confidences).

use std::path::Path;

use unspin_engine::{Config, Engine, Model, Profile};
use unspin_server::Checker;
use unspin_test_support::{real_model, workspace_root};

fn engine_at(dir: &Path, profile: Profile, threshold: f64) -> Engine {
    Engine::new(Model::open(dir).unwrap(), Config { min_confidence: threshold, ..Config::for_profile(profile, false) })
}

#[test]
fn filtered_reports_equal_the_engine_at_each_threshold() {
    let Some(dir) = real_model() else { return };
    for profile in Profile::ALL {
        check_profile(&dir, profile);
    }
}

fn check_profile(dir: &Path, profile: Profile) {
    let checker = Checker::new(engine_at(dir, profile, 0.5));
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
        let engine = engine_at(dir, profile, t);
        for text in &texts {
            let want = engine.check(text);
            assert_eq!(checker.check(text, t), want, "{profile:?} at threshold {t} on {text:?}");
            findings_seen += want.findings.len();
        }
    }
    assert!(findings_seen >= 15, "the texts exercise the filter ({findings_seen} findings)");
}

/// Under `--profile web` a document called spun has its model findings read
/// again with confidences moved by `spun_shift`: the same findings, each
/// more confident by exactly that shift of log-odds, and none lost.
#[test]
fn a_document_called_spun_reads_its_findings_again_shifted() {
    let Some(dir) = real_model() else { return };
    let text = std::fs::read_to_string(workspace_root().join("data/examples/spun-news.txt")).unwrap();
    let web = Config::for_profile(Profile::Web, false);
    let at = |spun_shift: f64| {
        // One look only, and a verdict the example surely gets: the shift
        // alone is under test.
        let config = Config { min_confidence: 0.1, spun_shift, escalate_at: 2.0, doc_threshold: 0.5, ..web.clone() };
        Engine::new(Model::open(&dir).unwrap(), config).check(&text)
    };
    let (unshifted, shifted) = (at(0.0), at(web.spun_shift));
    assert!(unshifted.spun && shifted.spun, "the example is called spun at a verdict threshold of 0.5");
    assert!(shifted.findings.len() >= unshifted.findings.len());
    for f in unshifted.findings.iter().filter(|f| f.source == unspin_engine::Source::Model) {
        let g = shifted.findings.iter().find(|g| g.start == f.start && g.end == f.end).expect("kept");
        let want = unspin_engine::shift_log_odds(f.confidence, web.spun_shift);
        assert!((g.confidence - want).abs() < 1e-9 && g.confidence > f.confidence, "{f:?} -> {g:?}");
    }
}

/// A request names a profile among the checker's engines; one the server
/// does not offer (a `--neural` server offers only its own) and one that
/// does not exist are refused, each saying what the server offers.
#[test]
fn a_request_may_name_only_an_offered_profile() {
    let Some(dir) = real_model() else { return };
    let general = Checker::new(engine_at(&dir, Profile::General, 0.5));
    assert_eq!(general.engine(None).unwrap().config().profile, Profile::General);
    assert_eq!(general.engine(Some("general")).unwrap().config().profile, Profile::General);
    let refused = general.engine(Some("web")).err().unwrap();
    assert!(refused.contains("not offered") && refused.contains("offers general"), "{refused}");
    assert!(general.engine(Some("papers")).err().unwrap().contains("not offered"));
    assert!(general.engine(Some("manuscripts")).err().unwrap().contains("unknown profile"));
    let both = Checker::with_profiles(vec![engine_at(&dir, Profile::Web, 0.6), engine_at(&dir, Profile::General, 0.7)]);
    assert_eq!(both.default_threshold(), 0.6);
    assert_eq!(both.engine(None).unwrap().config().profile, Profile::Web);
    assert_eq!(both.engine(Some("general")).unwrap().config().min_confidence, 0.7);
}
