//! Fits the rules' confidences (`unspin_engine::numbers::NUMBER_WEIGHTS`
//! and `CONTEXT_CONFIDENCE`, `unspin_engine::clauses::CLAUSE_CONFIDENCE`)
//! on the DEVELOPMENT split only, on the documents the confidence trees are
//! fitted on: clean Brown documents (every finding there is wrong) and
//! their copies spun at 10, 20 and 30% (a finding is right when it overlaps
//! a gold swap): for numbers against the document's convention, a logistic
//! curve in the majority's lead and the range; for numbers spelled out
//! where digits belong and for clauses joined by an adverb, the share right
//! per kind of place and per adverb (plus one over plus two). So a number
//! found at confidence c is a swap about as often as a word found at c, and
//! one threshold serves both in every profile. The rules need no model.
//!
//! Prints the findings per kind of place and by lead (all, right, the
//! fitted and the shipped confidence), the weights, and what each
//! threshold lets through on clean development prose. `cargo run --release -p unspin-eval --example fit_rules`
use std::path::Path;

use unspin_engine::clauses::{clause_evidence, ClauseEvidence, CLAUSE_CONFIDENCE};
use unspin_engine::numbers::{number_evidence, Convention, DigitContext, NumberEvidence, CONTEXT_CONFIDENCE, NUMBER_WEIGHTS};
use unspin_engine::{Finding, Profile};
use unspin_eval::brown::{load_brown, select, Split};
use unspin_eval::spinner::Spinner;

/// Findings of both rules in `text`, tokenized once.
fn rule_findings(text: &str) -> (Vec<(Finding, NumberEvidence)>, Vec<(Finding, ClauseEvidence)>) {
    let tokens = unspin_text::tokenize(text);
    (number_evidence(text, &tokens), clause_evidence(text, &tokens))
}

/// Prints a table row per kind of evidence (its findings, those in clean
/// documents, the right ones, the smoothed share right and the shipped
/// confidence) and returns the smoothed shares, in the order of `kinds`.
fn share_table<E: PartialEq>(header: &str, rows: &[(E, bool, bool)], kinds: &[(String, E, f64)]) -> Vec<f64> {
    println!("{header} | findings | in clean documents | right | fitted | shipped");
    let mut fitted_all = Vec::new();
    for (name, evidence, shipped) in kinds {
        let of: Vec<_> = rows.iter().filter(|r| r.0 == *evidence).collect();
        let right = of.iter().filter(|r| r.1).count();
        let fitted = (right as f64 + 1.0) / (of.len() as f64 + 2.0);
        fitted_all.push(fitted);
        println!("{name} | {} | {} | {right} | {fitted:.4} | {shipped}", of.len(), of.iter().filter(|r| r.2).count());
    }
    fitted_all.iter().map(|c| (c * 1e4).round() / 1e4).collect()
}

fn main() -> anyhow::Result<()> {
    let spinner = Spinner::load(Path::new("../shared/data/spinner-dictionaries/article-rewriter-en.sdata"))?;
    let docs = select(&load_brown(Path::new(".cache/data/brown"))?, Split::Dev, None);
    // (evidence, right, found in a clean document)
    let mut all: Vec<(NumberEvidence, bool, bool)> = Vec::new();
    let mut clauses: Vec<(ClauseEvidence, bool, bool)> = Vec::new();
    let mut clean_words = 0usize;
    for d in &docs {
        clean_words += d.text.split_whitespace().count();
        let (numbers, clause) = rule_findings(&d.text);
        all.extend(numbers.into_iter().map(|(_, e)| (e, false, true)));
        clauses.extend(clause.into_iter().map(|(_, e)| (e, false, true)));
    }
    let mut sentence_findings = 0usize;
    for d in &docs {
        for s in unspin_eval::measure::sentences(&d.text) {
            let (numbers, clause) = rule_findings(s);
            sentence_findings += numbers.len() + clause.len();
        }
    }
    let mut gold_numbers = 0usize;
    for rate in [0.1, 0.2, 0.3] {
        for s in unspin_eval::spin_docs(&spinner, &docs, rate, 20240601) {
            let is_number = |t: &str| t.chars().any(|c| c.is_ascii_digit());
            gold_numbers += s.gold.iter().filter(|g| is_number(&g.original) || is_number(&g.spun)).count();
            let right = |f: &Finding| s.gold.iter().any(|g| f.start < g.end && g.start < f.end);
            let (numbers, clause) = rule_findings(&s.text);
            all.extend(numbers.into_iter().map(|(f, e)| (e, right(&f), false)));
            clauses.extend(clause.into_iter().map(|(f, e)| (e, right(&f), false)));
        }
    }
    let places: Vec<_> =
        DigitContext::ALL.into_iter().map(|c| (format!("{c:?}"), NumberEvidence::Context(c), CONTEXT_CONFIDENCE[c as usize])).collect();
    println!("fitted CONTEXT_CONFIDENCE: {:?}", share_table("place", &all, &places));
    let adverbs: Vec<_> = (0..CLAUSE_CONFIDENCE.len() as u8)
        .map(|k| {
            let e = ClauseEvidence { adverb: k };
            (e.adverb().to_string(), e, e.confidence())
        })
        .collect();
    println!("fitted CLAUSE_CONFIDENCE: {:?}", share_table("adverb", &clauses, &adverbs));
    let rows: Vec<(Convention, bool, bool)> = all
        .iter()
        .filter_map(|&(e, right, clean)| match e {
            NumberEvidence::Convention(c) => Some((c, right, clean)),
            NumberEvidence::Context(_) => None,
        })
        .collect();
    let features = |e: &Convention| [1.0f32, e.lead() as f32, e.small as u8 as f32];
    let fitted = unspin_eval::logistic::fit(&rows.iter().map(|(e, r, _)| (features(e), *r)).collect::<Vec<_>>(), 25);
    let fitted_confidence = |e: &Convention| {
        let z: f32 = features(e).iter().zip(&fitted).map(|(a, b)| a * b).sum();
        1.0 / (1.0 + (-z as f64).exp())
    };
    let ll: f64 = rows.iter().map(|(e, r, _)| if *r { fitted_confidence(e).ln() } else { (1.0 - fitted_confidence(e)).ln() }).sum();
    println!("log-likelihood {ll:.1}");
    println!(
        "{} findings ({} right, {} in clean documents); {} gold swaps of a number; {} clean words; {} findings in clean sentences checked alone",
        rows.len(),
        rows.iter().filter(|r| r.1).count(),
        rows.iter().filter(|r| r.2).count(),
        gold_numbers,
        clean_words,
        sentence_findings
    );
    println!("range | lead bin | findings | right | share right | fitted | shipped");
    for (small, bin) in [true, false].into_iter().flat_map(|s| (0..5).map(move |b| (s, b))) {
        let (lo, hi) = (bin as f64 * 0.2, (bin + 1) as f64 * 0.2);
        let inside: Vec<_> =
            rows.iter().filter(|(e, _, _)| e.small == small && e.lead() >= lo && (e.lead() < hi || bin == 4)).collect();
        if inside.is_empty() {
            continue;
        }
        let right = inside.iter().filter(|r| r.1).count();
        let mean = |f: &dyn Fn(&Convention) -> f64| inside.iter().map(|r| f(&r.0)).sum::<f64>() / inside.len() as f64;
        println!(
            "{} | {lo:.1}-{hi:.1} | {} | {} | {:.3} | {:.3} | {:.3}",
            if small { "below ten" } else { "ten and above" },
            inside.len(),
            right,
            right as f64 / inside.len() as f64,
            mean(&fitted_confidence),
            mean(&|e: &Convention| e.confidence())
        );
    }
    println!("fitted NUMBER_WEIGHTS: [{:.4}, {:.4}, {:.4}] (shipped {:?})", fitted[0], fitted[1], fitted[2], NUMBER_WEIGHTS);
    let shipped = Profile::ALL.into_iter().flat_map(|p| [p.shipped(false).1, p.shipped(true).1]);
    for t in std::iter::once(0.5).chain(shipped) {
        let clean = rows.iter().filter(|r| r.2 && fitted_confidence(&r.0) >= t).count();
        let right = rows.iter().filter(|r| !r.2 && r.1 && fitted_confidence(&r.0) >= t).count();
        println!(
            "threshold {t}: clean findings {clean} ({:.3} per 1,000 words), right spun findings {right}",
            clean as f64 * 1000.0 / clean_words as f64
        );
    }
    Ok(())
}
