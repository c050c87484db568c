//! A restoration whose pair with a neighbour the text holds elsewhere
//! ("Kingdom Highway Department" where "the State Highway Department"
//! stands a sentence before) is surer than the same restoration alone, and
//! a restoration without an echo keeps the confidence it has in a text of
//! its own: the trees that read echoes are gated on them.

use std::sync::Arc;

use unspin_engine::{Config, Engine, Model, Profile};
use unspin_test_support::real_model;

const ALONE: &str = "Sam Caldwell, Kingdom Highway Department public relations director, resigned Tuesday.";

#[test]
fn a_pair_written_elsewhere_in_the_text_raises_the_restoration_that_makes_it() {
    let Some(dir) = real_model() else { return };
    let model = Arc::new(Model::open(&dir).unwrap());
    let with_echo = format!("The State Highway Department will issue the bonds. {ALONE}");
    for profile in Profile::ALL {
        for thorough in [false, true] {
            let engine = Engine::new(model.clone(), Config::for_profile(profile, thorough));
            let find = |text: &str, written: &str| {
                engine.explain(text).into_iter().find(|e| e.finding.text == written).unwrap_or_else(|| panic!("{written:?} in {text:?}"))
            };
            let (alone, echoed) = (find(ALONE, "Kingdom"), find(&with_echo, "Kingdom"));
            assert_eq!((alone.finding.suggestion.as_str(), echoed.finding.suggestion.as_str()), ("State", "State"));
            assert_eq!((alone.evidence.restored_echo, echoed.evidence.restored_echo), (0, 1), "{profile:?} {thorough}");
            // Echoes are learnt from spun prose, which the papers profile
            // is not fitted on.
            if profile != Profile::Papers {
                assert!(echoed.finding.confidence > alone.finding.confidence + 0.2, "{profile:?} {thorough}: {} vs {}", echoed.finding.confidence, alone.finding.confidence);
            }
            // "resigned" echoes nothing: the same confidence in both texts.
            let (a, b) = (find(ALONE, "resigned"), find(&with_echo, "resigned"));
            assert_eq!((a.evidence.restored_echo, a.evidence.present_echo, b.evidence.restored_echo, b.evidence.present_echo), (0, 0, 0, 0));
            assert_eq!(a.finding.confidence, b.finding.confidence, "{profile:?} {thorough}");
        }
    }
    // The default reports the echoed restoration and not the lone one.
    let engine = Engine::new(model, Config::default());
    assert!(engine.check(ALONE).findings.iter().all(|f| f.text != "Kingdom"));
    let (restored, _) = engine.restore(&with_echo);
    assert_eq!(restored, with_echo.replace("Kingdom", "State"));
}

/// "in the" recurs in any text of some length: there, a restoration to
/// it is no echo; in a text of a few dozen words it is.
#[test]
fn a_pair_common_in_any_text_is_an_echo_only_in_a_short_one() {
    let Some(dir) = real_model() else { return };
    let engine = Engine::new(Arc::new(Model::open(&dir).unwrap()), Config::for_profile(Profile::General, true));
    let short = "These were located at the homes of Government employees, in Government Offices, buildings and \
                 reservations within the trial area. The samples were kept in the laboratory.";
    let long = format!("{short} {}", "The committee met again on Monday and reviewed the budget. ".repeat(60));
    let echo = |text: &str| {
        let within: Vec<_> = engine.explain(text).into_iter().filter(|e| e.finding.text == "within").collect();
        assert_eq!(within.len(), 1, "the test needs \"within\" decoded");
        assert_eq!(within[0].finding.suggestion, "in");
        within[0].evidence.restored_echo
    };
    assert_eq!((echo(short), echo(&long)), (1, 0));
}

/// A text pasted twice is two copies of one choice of words: the copy of a
/// spun pair is no echo of the author's, and each copy keeps the findings
/// the text has alone.
#[test]
fn a_sentence_repeated_word_for_word_echoes_nothing() {
    let Some(dir) = real_model() else { return };
    // Without the second look, whose report a text with more findings
    // may get: only the echoes differ between the texts.
    let engine = Engine::new(Arc::new(Model::open(&dir).unwrap()), Config { escalate_at: 2.0, ..Config::default() });
    let spun = std::fs::read_to_string(unspin_test_support::workspace_root().join("data/examples/spun-news.txt")).unwrap();
    let with_echo = format!("The State Highway Department will issue the bonds. {ALONE}");
    for text in [with_echo.as_str(), spun.trim_end()] {
        let once = engine.check(text).findings;
        assert!(!once.is_empty());
        let twice = format!("{text}\n\n{text}");
        let found: Vec<(usize, String)> = engine.check(&twice).findings.into_iter().map(|f| (f.start, f.suggestion)).collect();
        let mut want: Vec<(usize, String)> = once.iter().map(|f| (f.start, f.suggestion.clone())).collect();
        want.extend(once.iter().map(|f| (f.start + text.len() + 2, f.suggestion.clone())));
        assert_eq!(found, want, "{text:?}");
    }
}
