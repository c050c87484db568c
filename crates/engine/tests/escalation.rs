//! A document the default suspect rule scores high is checked again under
//! `--thorough`, and that report stands; others keep the default report.

use std::sync::Arc;

use unspin_engine::{Config, Engine, Model, Profile};
use unspin_test_support::{real_model, workspace_root};

#[test]
fn a_document_that_looks_spun_gets_the_thorough_report() {
    let Some(dir) = real_model() else { return };
    let model = Arc::new(Model::open(&dir).unwrap());
    let spun = std::fs::read_to_string(workspace_root().join("data/examples/spun-news.txt")).unwrap();
    let clean = std::fs::read_to_string(workspace_root().join("data/examples/clean-news.txt")).unwrap();
    for profile in Profile::ALL {
        let engine = |escalate_at: f64, thorough: bool| {
            Engine::new(model.clone(), Config { escalate_at, ..Config::for_profile(profile, thorough) })
        };
        let (never, always) = (engine(2.0, false), engine(0.0, false));
        // The thorough look as the second look runs it: its confidences on
        // the default's scale, its score counted from the default's
        // threshold.
        let logit = |p: f64| (p / (1.0 - p)).ln();
        let (first, second) = (profile.shipped(false).1, profile.shipped(true).1);
        let thorough = Engine::new(
            model.clone(),
            Config { escalate_at: 2.0, scale_shift: logit(first) - logit(second), counted_confidence: first, min_confidence: first, ..Config::for_profile(profile, true) },
        );
        let default = Engine::new(model.clone(), Config::for_profile(profile, false));
        for text in [&spun, &clean] {
            assert_eq!(always.check(text), thorough.check(text), "{profile:?}");
            let fast = never.check(text);
            let want = if fast.score >= default.config().escalate_at { thorough.check(text) } else { fast };
            assert_eq!(default.check(text), want, "{profile:?}");
        }
        // A requested threshold reads the second look's confidences as it
        // reads the first's: none shown under it.
        for t in [0.3, 0.85] {
            let report = always.check_at(&spun, t);
            assert_eq!(report, thorough.check_at(&spun, t), "{profile:?}");
            assert!(report.findings.iter().all(|f| f.confidence >= t), "{profile:?} at {t}");
        }
        // At the calibrated threshold the second look shows what the
        // thorough rule shows at its own.
        let own = Engine::new(model.clone(), Config { escalate_at: 2.0, ..Config::for_profile(profile, true) }).check(&spun);
        let places = |r: &unspin_engine::Report| r.findings.iter().map(|f| (f.start, f.end, f.suggestion.clone())).collect::<Vec<_>>();
        assert_eq!(places(&always.check(&spun)), places(&own), "{profile:?}");
        // The first look's score, which a requested threshold does not
        // move, decides whether the second look's report stands. The prose
        // profiles find the example spun enough to look again.
        let first = never.check_at(&spun, 0.1);
        assert!(profile == Profile::Papers || first.score >= default.config().escalate_at, "{profile:?}");
        let want = if first.score >= default.config().escalate_at { thorough.check_at(&spun, 0.1) } else { first };
        assert_eq!(default.check_at(&spun, 0.1), want, "{profile:?}");
    }
}
