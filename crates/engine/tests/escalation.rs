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
        let (never, always, thorough) = (engine(2.0, false), engine(0.0, false), engine(2.0, true));
        let default = Engine::new(model.clone(), Config::for_profile(profile, false));
        for text in [&spun, &clean] {
            assert_eq!(always.check(text), thorough.check(text), "{profile:?}");
            let fast = never.check(text);
            let want = if fast.score >= default.config().escalate_at { thorough.check(text) } else { fast };
            assert_eq!(default.check(text), want, "{profile:?}");
        }
        // A requested threshold moves the thorough one by as much.
        let at = |t: f64| always.check_at(&spun, t);
        let offset = profile.shipped(true).1 - profile.shipped(false).1;
        assert_eq!(at(0.3), thorough.check_at(&spun, 0.3 + offset), "{profile:?}");
        // At 0.1 the default pass finds the example spun enough to look again.
        assert!(never.check_at(&spun, 0.1).score >= default.config().escalate_at, "{profile:?}");
        assert_eq!(default.check_at(&spun, 0.1), thorough.check_at(&spun, 0.1 + offset), "{profile:?}");
    }
}
