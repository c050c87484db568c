//! A text longer than `Config::block_bytes` is checked a block at a time:
//! each block's findings are those of the block checked alone, at their
//! place in the whole text, and the text is spun when a block is.

use std::sync::Arc;

use unspin_engine::{Config, Engine, Finding, Model};
use unspin_test_support::{real_model, workspace_root};

fn example(name: &str) -> String {
    std::fs::read_to_string(workspace_root().join("data/examples").join(name)).unwrap()
}

fn shifted(findings: Vec<Finding>, by: usize) -> Vec<Finding> {
    findings.into_iter().map(|f| Finding { start: f.start + by, end: f.end + by, ..f }).collect()
}

#[test]
fn a_long_text_is_checked_a_block_at_a_time() {
    let Some(dir) = real_model() else { return };
    let model = Arc::new(Model::open(&dir).unwrap());
    let whole = Engine::new(model.clone(), Config::default());
    let (spun, clean) = (example("spun-news.txt"), example("clean-news.txt"));
    // The longer first: a block of its length and the blank line after it
    // ends at that blank line, and the other fits in one block.
    let (first, second) = if spun.len() >= clean.len() { (&spun, &clean) } else { (&clean, &spun) };
    let text = format!("{first}\n\n{second}");
    let blocked = Engine::new(model, Config { block_bytes: first.len() + 2, ..Config::default() });
    let report = blocked.check(&text);
    let (a, b) = (whole.check(first), whole.check(second));
    assert!(!a.findings.is_empty() || !b.findings.is_empty());
    let mut want = a.findings.clone();
    want.extend(shifted(b.findings.clone(), first.len() + 2));
    assert_eq!(report.findings, want);
    // The score is read over the whole text, and never below a block's.
    assert!(report.score >= a.score.max(b.score));
    assert_eq!(report.spun, a.spun || b.spun || report.score >= blocked.config().doc_threshold);
    let spun_block = Engine::new(Model::open(&dir).unwrap(), Config { doc_threshold: 0.9, block_bytes: first.len() + 2, ..Config::default() });
    assert!(whole.check(&spun).score >= 0.9 && spun_block.check(&text).spun, "a block scoring 0.9 makes the text spun at 0.9");
    // A text of exactly the block size is still one block; a byte less
    // splits it.
    let at = |block_bytes: usize| Engine::new(Model::open(&dir).unwrap(), Config { block_bytes, ..Config::default() }).check(&text);
    assert_eq!(at(text.len()), whole.check(&text));
    assert_eq!(at(text.len() - 1).findings.len(), report.findings.len());
    assert_ne!(at(text.len() - 1), whole.check(&text), "the blocked text reads otherwise than the whole");
}

#[test]
fn findings_of_small_blocks_point_into_the_whole_text() {
    let Some(dir) = real_model() else { return };
    let model = Arc::new(Model::open(&dir).unwrap());
    // No blank lines: the blocks end at line breaks and sentence ends.
    let text = example("spun-news.txt").replace("\n\n", "\n");
    let blocked = Engine::new(model, Config { block_bytes: 300, ..Config::default() });
    let report = blocked.check(&text);
    assert!(!report.findings.is_empty());
    for f in &report.findings {
        assert_eq!(text[f.start..f.end], f.text);
    }
    let restored = unspin_engine::apply(&text, &report.findings);
    assert_ne!(restored, text);
    // Every byte outside the findings is kept.
    let mut at = 0;
    let mut kept = String::new();
    for f in &report.findings {
        kept.push_str(&text[at..f.start]);
        at = f.end;
    }
    kept.push_str(&text[at..]);
    let mut from_restored = String::new();
    let mut at = 0;
    let mut delta: isize = 0;
    for f in &report.findings {
        let start = (f.start as isize + delta) as usize;
        from_restored.push_str(&restored[at..start]);
        at = start + f.suggestion.len();
        delta += f.suggestion.len() as isize - (f.end - f.start) as isize;
    }
    from_restored.push_str(&restored[at..]);
    assert_eq!(kept, from_restored);
}
