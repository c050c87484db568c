//! The number and clause rules on arbitrary text: never a panic, and every
//! finding names exactly the bytes it replaces, on character boundaries,
//! without overlapping another.
use proptest::prelude::*;
use unspin_engine::{clauses, numbers, Finding};

fn check(text: &str, findings: &[Finding]) -> Result<(), TestCaseError> {
    let mut last_end = 0;
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| f.start);
    for f in sorted {
        prop_assert!(f.start < f.end && f.end <= text.len(), "{f:?}");
        prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end), "{f:?}");
        prop_assert_eq!(&text[f.start..f.end], f.text.as_str());
        prop_assert!(f.start >= last_end, "overlap at {f:?}");
        prop_assert!(f.confidence > 0.0 && f.confidence < 1.0, "{f:?}");
        prop_assert!(!f.suggestion.is_empty() && f.suggestion != f.text, "{f:?}");
        last_end = f.end;
    }
    Ok(())
}

fn run(text: &str) -> Result<(), TestCaseError> {
    let tokens = unspin_text::tokenize(text);
    let numbers: Vec<Finding> = numbers::number_evidence(text, &tokens).into_iter().map(|(f, _)| f).collect();
    check(text, &numbers)?;
    let clauses: Vec<Finding> = clauses::clause_evidence(text, &tokens).into_iter().map(|(f, _)| f).collect();
    check(text, &clauses)
}

/// Text made of number words, figures, signs and the clause rule's words,
/// glued or spaced at random: where the rules look hardest.
fn numberish() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "one", "two", "Three", "four", "eleven", "forty", "seven", "a", "hundred", "and", "thousand", "million", "3", "12",
        "1,000", "March", "Oct", "May", "Jim", "however", "Nevertheless", "the", "he", "é", "“", "—",
    ]);
    let glue = prop::sample::select(vec![" ", " ", " ", "", ",", ", ", ".", ". ", "-", "$", ":", "/", "(", ")", "%", "\n", "  "]);
    prop::collection::vec((words, glue), 0..40).prop_map(|parts| parts.into_iter().map(|(w, g)| format!("{w}{g}")).collect())
}

proptest! {
    #[test]
    fn rules_hold_on_number_heavy_text(text in numberish()) {
        run(&text)?;
    }

    #[test]
    fn rules_hold_on_arbitrary_unicode(text in "\\PC*") {
        run(&text)?;
    }
}
