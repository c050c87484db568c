//! The document trees of the thorough setting: in a long text they may
//! raise a restoration's confidence (less the long-text margin), never
//! lower it; a short text is read by the sentence's evidence alone.

use std::sync::Arc;

use unspin_engine::{document, shift_log_odds, ConfidenceModel, Config, DocumentReading, Engine, Evidence, Finding, Model, Profile, Report};
use unspin_test_support::{real_model, workspace_root};

/// Every finding of `report` from the model, by place.
fn by_place(report: &Report) -> std::collections::HashMap<(usize, usize), f64> {
    report.findings.iter().map(|f| ((f.start, f.end), f.confidence)).collect()
}

#[test]
fn the_shipped_trees_read_the_document_features() {
    let reading = Profile::General.document(true).expect("the general thorough setting ships document trees");
    assert!(!reading.trees.trees.is_empty());
    assert!(reading.trees.features <= document::FEATURES);
    assert_eq!(reading.short_threshold, Profile::General.shipped(true).1);
    assert!(reading.long_threshold > 0.0 && reading.long_threshold < 1.0);
    assert!(Config::thorough().document.is_some());
    assert_eq!(Config::default().document.unwrap().short_threshold, Profile::General.shipped(false).1);
    // The web profile has no trees of its own: it reads every text by its
    // sentences (and shifts a document called spun, `Profile::spun_shift`).
    assert!(Config::for_profile(Profile::Web, false).document.is_none());
    assert!(Config::for_profile(Profile::Web, true).document.is_none());
    // Trees fitted for another model can be given, and taken away.
    let mut c = Config::thorough();
    c.set("document_model", "none").unwrap();
    assert!(c.document.is_none());
    assert!(c.set("long_threshold", "0.9").unwrap_err().contains("document_model"));
}

#[test]
fn the_shipped_trees_never_lower_a_confidence_and_leave_short_texts_alone() {
    let Some(dir) = real_model() else { return };
    let model = Arc::new(Model::open(&dir).unwrap());
    let spun = std::fs::read_to_string(workspace_root().join("data/examples/spun-news.txt")).unwrap();
    assert!(spun.split_whitespace().count() < document::MIN_WORDS);
    let long = std::fs::read_to_string(workspace_root().join(COUNCIL)).unwrap();
    assert!(long.split_whitespace().count() >= document::MIN_WORDS);
    // (No second look: it would read the trees both ways.)
    for config in [Config { escalate_at: 2.0, ..Config::default() }, Config { escalate_at: 2.0, ..Config::thorough() }] {
        let margin = config.document.as_ref().unwrap().margin();
        let with = Engine::new(model.clone(), config.clone());
        let without = Engine::new(model.clone(), Config { document: None, ..config });
        // Every restoration, whatever its confidence.
        assert_eq!(with.check_at(&spun, 0.0), without.check_at(&spun, 0.0));
        let (read, plain) = (by_place(&with.check_at(&long, 0.0)), by_place(&without.check_at(&long, 0.0)));
        assert_eq!(read.len(), plain.len());
        assert!(!plain.is_empty());
        for (place, &c) in &plain {
            let r = read[place];
            assert!(r >= shift_log_odds(c, -margin) - 1e-9, "{place:?}: {c} became {r}");
        }
    }
}

/// A news story of 389 words with a spinner's swaps ("assembly" for
/// "council", "construct" for "build", "commence" for "begin").
const COUNCIL: &str = "crates/engine/tests/data/spun-council.txt";

#[test]
fn trees_read_the_mass_of_the_other_restorations_and_only_raise() {
    let Some(dir) = real_model() else { return };
    let engine = Engine::new(Arc::new(Model::open(&dir).unwrap()), Config::thorough());
    let text = std::fs::read_to_string(workspace_root().join(COUNCIL)).unwrap();
    let words = text.split_whitespace().count() as f64;
    let detected: Vec<(Finding, Evidence)> = engine.explain(&text).into_iter().map(|e| (e.finding, e.evidence)).collect();
    let mass: f64 = detected.iter().map(|(f, _)| f.confidence).filter(|&c| c >= document::MASS_FLOOR).sum();
    // The mass of the others, per 1,000 words, as the trees see it.
    let others_of = |c: f64| (mass - if c >= document::MASS_FLOOR { c } else { 0.0 }) * 1000.0 / words;
    // One tree: where the other restorations' mass exceeds `split` per
    // 1,000 words, one more nat; elsewhere two fewer, which must not count.
    // The split lies midway in the story's range, so both sides are met.
    let readable: Vec<f64> = detected.iter().map(|(f, _)| f.confidence).filter(|&c| c >= document::RAISE_FLOOR).map(others_of).collect();
    let split = (readable.iter().copied().fold(f64::INFINITY, f64::min) + readable.iter().copied().fold(0.0, f64::max)) / 2.0;
    let trees = ConfidenceModel::parse(&format!(
        "unspin confidence trees v1\nfeatures {}\nbase 0\ntree\nsplit {} {split} 1 2\nleaf -2.0\nleaf 1.0\n",
        document::FEATURES,
        Evidence::FEATURES
    ))
    .unwrap();
    let split = split as f32 as f64;
    let trees = Arc::new(trees);
    let reading = DocumentReading { trees: trees.clone(), long_threshold: 0.7, short_threshold: 0.6, both_ways: false };
    let margin = reading.margin();
    assert!((margin - ((0.7f64 / 0.3).ln() - 1.5f64.ln())).abs() < 1e-12);
    let read = reading.apply(&text, detected.clone());
    assert_eq!(read.len(), detected.len());
    let mut raised = 0;
    for ((before, _), after) in detected.iter().zip(&read) {
        let c = before.confidence;
        let lift = if c >= document::RAISE_FLOOR && others_of(c) > split { 1.0 } else { 0.0 };
        raised += (lift > 0.0) as usize;
        let want = shift_log_odds(c, lift - margin);
        assert!((after.confidence - want).abs() < 1e-9, "{}: {c} -> {} (want {want})", before.text, after.confidence);
        assert_eq!((after.start, after.end, &after.suggestion), (before.start, before.end, &before.suggestion));
    }
    // The story has restorations on both sides of the split, and of the floor.
    assert!(raised > 0 && raised < detected.iter().filter(|(f, _)| f.confidence >= document::RAISE_FLOOR).count());
    assert!(detected.iter().any(|(f, _)| f.confidence < document::RAISE_FLOOR));
    // Read both ways (a document that looks spun), the trees lower too.
    let both = DocumentReading { both_ways: true, ..reading.clone() };
    for ((before, _), after) in detected.iter().zip(both.apply(&text, detected.clone())) {
        let c = before.confidence;
        let said = if c < document::RAISE_FLOOR { 0.0 } else if others_of(c) > split { 1.0 } else { -2.0 };
        assert!((after.confidence - shift_log_odds(c, said - margin)).abs() < 1e-9, "{}", before.text);
    }
    // The first paragraph alone is too short to be read as a document.
    let first = text.split("\n\n").next().unwrap();
    let short: Vec<(Finding, Evidence)> = engine.explain(first).into_iter().map(|e| (e.finding, e.evidence)).collect();
    assert!(!short.is_empty());
    let kept: Vec<Finding> = short.iter().map(|(f, _)| f.clone()).collect();
    assert_eq!(reading.apply(first, short), kept);
}

#[test]
fn a_long_document_that_looks_spun_is_read_both_ways() {
    let Some(dir) = real_model() else { return };
    let model = Arc::new(Model::open(&dir).unwrap());
    let long = std::fs::read_to_string(workspace_root().join(COUNCIL)).unwrap();
    let escalated = Profile::General.escalated_document().unwrap();
    assert!(escalated.both_ways && escalated.short_threshold == Profile::General.shipped(true).1);
    assert!(Arc::ptr_eq(&escalated.trees, &Profile::General.document(true).unwrap().trees));
    assert!(Profile::Web.escalated_document().is_none());
    // Always escalating: the thorough look, its trees read both ways. A
    // low threshold, so that the readings have findings to differ in.
    let always = Engine::new(model.clone(), Config { escalate_at: 0.0, ..Config::default() });
    let both = Engine::new(model.clone(), Config { document: Some(escalated), escalate_at: 2.0, ..Config::thorough() });
    let upwards = Engine::new(model.clone(), Config { escalate_at: 2.0, ..Config::thorough() });
    // `--thorough` itself reads a document it finds spun enough both ways.
    let thorough = Engine::new(model.clone(), Config { escalate_at: 0.0, ..Config::thorough() });
    let thorough_report = thorough.check_at(&long, 0.2);
    assert!(thorough_report.findings.len() >= 3, "{thorough_report:?}");
    assert_eq!(thorough_report, both.check_at(&long, 0.2));
    // The second look's confidences are on the default's scale: moved by
    // the log-odds between the two calibrated thresholds, and its score
    // counts from the default's.
    let logit = |p: f64| (p / (1.0 - p)).ln();
    let (general, thorough_threshold) = (Profile::General.shipped(false).1, Profile::General.shipped(true).1);
    let on_scale = |c: Config| Config { scale_shift: logit(general) - logit(thorough_threshold), counted_confidence: general, ..c };
    let both_on_scale = Engine::new(model.clone(), on_scale(both.config().clone()));
    let second_look = always.check_at(&long, 0.2);
    assert!(!second_look.findings.is_empty());
    assert_eq!(second_look, both_on_scale.check_at(&long, 0.2));
    assert_ne!(second_look, both.check_at(&long, 0.2), "the scale moves confidences");
    // The second look runs under the thorough rule's own prior.
    assert_ne!(Config::thorough().spin_prior_log10, Config::default().spin_prior_log10);
    // Both ways is another reading than `--thorough`'s upwards one.
    assert_ne!(by_place(&both.check_at(&long, 0.0)), by_place(&upwards.check_at(&long, 0.0)));
    // Without document trees, the second look has none either.
    let none = Engine::new(model.clone(), Config { escalate_at: 0.0, document: None, ..Config::default() });
    let plain = Engine::new(model.clone(), Config { document: None, escalate_at: 2.0, ..Config::thorough() });
    let without = none.check_at(&long, 0.2);
    assert_ne!(without, second_look);
    assert_eq!(without, Engine::new(model.clone(), on_scale(plain.config().clone())).check_at(&long, 0.2));
}
