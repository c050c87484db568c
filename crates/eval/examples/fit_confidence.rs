//! Fits the weights of the engine's confidence model (a logistic regression
//! over `Evidence::features`) on the DEVELOPMENT split only: clean Brown
//! documents (every restoration there is wrong) and their spun copies at
//! 10, 20 and 30% (a restoration is right when it overlaps a gold swap).
//! Prints the weights and, per threshold, the dev false positives per 1,000
//! clean words and the share of gold swaps found.
//!
//! cargo run --release -p unspin-eval --example fit_confidence -- [NAME=VALUE...]
//! (settings as for `unspin eval --set`, applied to the permissive decoding
//! the features are collected under). `UNSPIN_TORTURED_SHARE=x` scales the
//! weight of the tortured-phrase rows against the Brown rows (default 1).
use std::path::Path;

use rayon::prelude::*;
use unspin_engine::{Config, Engine, Evidence, Model};
use unspin_eval::brown::{load_brown, select, Split};
use unspin_eval::spinner::Spinner;

const N: usize = Evidence::FEATURES;

fn main() -> anyhow::Result<()> {
    let mut config = Config::default();
    for arg in std::env::args().skip(1) {
        config.set_assignment(&arg).map_err(anyhow::Error::msg)?;
    }
    let engine = Engine::new(Model::open(Path::new("model"))?, config);
    let spinner = Spinner::load(Path::new("../shared/data/spinner-dictionaries/article-rewriter-en.sdata"))?;
    let docs = select(&load_brown(Path::new(".cache/data/brown"))?, Split::Dev, None);
    // (features, label, is_clean_doc)
    let mut rows: Vec<([f32; N], bool, bool)> = Vec::new();
    let clean_words: usize = docs.iter().map(|d| d.text.split_whitespace().count()).sum();
    let clean: Vec<Vec<[f32; N]>> = docs.par_iter().map(|d| engine.explain(&d.text).iter().map(|e| e.evidence.features()).collect()).collect();
    for c in clean.into_iter().flatten() {
        rows.push((c, false, true));
    }
    let mut gold_total = 0usize;
    for rate in [0.1, 0.2, 0.3] {
        let spun = unspin_eval::spin_docs(&spinner, &docs, rate, 20240601);
        gold_total += spun.iter().map(|s| s.gold.len()).sum::<usize>();
        let labelled: Vec<Vec<([f32; N], bool)>> = spun
            .par_iter()
            .map(|s| {
                engine
                    .explain(&s.text)
                    .iter()
                    .map(|e| {
                        let f = &e.finding;
                        let hit = s.gold.iter().any(|g| f.start < g.end && g.start < f.end);
                        (e.evidence.features(), hit)
                    })
                    .collect()
            })
            .collect();
        for (f, y) in labelled.into_iter().flatten() {
            rows.push((f, y, false));
        }
    }
    // Tortured phrases of the July list's development half, in the carrier
    // sentences: a spinner of another kind (rare words for common ones).
    // Their rows are weighted up to balance the two kinds of spinning.
    let july = unspin_eval::pps::dedup(&unspin_eval::pps::load_pps(Path::new("../shared/data/tortured-phrases/pps-2025-07.csv"))?);
    let dev: Vec<_> = july.into_iter().filter(|t| unspin_eval::pps::phrase_split(&t.phrase) == Split::Dev).collect();
    let templates = unspin_eval::pps::carriers();
    let instances = unspin_eval::measure::phrase_instances(&dev, Some(&templates));
    let tortured: Vec<Vec<([f32; N], bool)>> = instances
        .par_iter()
        .map(|i| engine.explain(&i.text).iter().map(|e| (e.evidence.features(), e.finding.start < i.end && i.start < e.finding.end)).collect())
        .collect();
    let tortured: Vec<([f32; N], bool)> = tortured.into_iter().flatten().collect();
    let brown_rows = rows.len();
    // $UNSPIN_TORTURED_SHARE scales the tortured rows' weight (default 1).
    let share: f64 = std::env::var("UNSPIN_TORTURED_SHARE").ok().and_then(|v| v.parse().ok()).unwrap_or(1.0);
    let repeat = (((brown_rows / tortured.len().max(1)) as f64 * share).round() as usize).clamp(1, 20);
    eprintln!("{} tortured-phrase candidates ({} right), weight {repeat}", tortured.len(), tortured.iter().filter(|t| t.1).count());
    let tortured_right = tortured.iter().filter(|t| t.1).count();
    for _ in 0..repeat {
        rows.extend(tortured.iter().map(|&(f, y)| (f, y, false)));
    }
    let pos = rows.iter().filter(|r| r.1).count();
    eprintln!("{} candidates ({} right), {} clean words, {} gold swaps", rows.len(), pos, clean_words, gold_total);
    // Features listed in $UNSPIN_FIT_DROP (comma-separated indices) are left out.
    let drop: Vec<usize> = std::env::var("UNSPIN_FIT_DROP").unwrap_or_default().split(',').filter_map(|x| x.parse().ok()).collect();
    let masked = |mut x: [f32; N]| {
        for &d in &drop {
            x[d] = 0.0;
        }
        x
    };
    let w = unspin_eval::logistic::fit(&rows.iter().map(|r| (masked(r.0), r.1)).collect::<Vec<_>>(), 25);
    println!("weights: {:?}", w);
    let conf = |x: &[f32; N]| 1.0 / (1.0 + (-(x.iter().zip(&w).map(|(a, b)| a * b).sum::<f32>())).exp());
    let brown = &rows[..brown_rows];
    let tortured_instances = instances.len();
    for t in [0.2, 0.3, 0.4, 0.5, 0.6, 0.625, 0.65, 0.675, 0.7, 0.725, 0.75, 0.8, 0.9] {
        let found = tortured.iter().filter(|r| r.1 && conf(&r.0) >= t).count();
        println!("threshold {t:.2}: tortured phrases in carriers found {:.3} ({found} of {tortured_instances}; {tortured_right} reachable)", found as f64 / tortured_instances as f64);
        let rows = brown;
        let fp = rows.iter().filter(|r| r.2 && conf(&r.0) >= t).count();
        let tp = rows.iter().filter(|r| !r.2 && r.1 && conf(&r.0) >= t).count();
        let flagged = rows.iter().filter(|r| !r.2 && conf(&r.0) >= t).count();
        println!(
            "threshold {t:.3}: clean FP/1k {:.2}, spun found {:.3} of gold, spun precision {:.3}",
            fp as f64 * 1000.0 / clean_words as f64,
            tp as f64 / gold_total as f64 * 3.0 / 3.0,
            tp as f64 / flagged.max(1) as f64
        );
    }
    // The plain noisy-channel score (LM gain plus channel), for comparison.
    println!("plain noisy-channel score (lm_gain + channel):");
    for t in [2.0f32, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0] {
        let s = |x: &[f32; N]| x[1] + x[2];
        let rows = brown;
        let fp = rows.iter().filter(|r| r.2 && s(&r.0) >= t).count();
        let tp = rows.iter().filter(|r| !r.2 && r.1 && s(&r.0) >= t).count();
        let flagged = rows.iter().filter(|r| !r.2 && s(&r.0) >= t).count();
        println!(
            "score {t:.1}: clean FP/1k {:.2}, spun found {:.3} of gold, spun precision {:.3}",
            fp as f64 * 1000.0 / clean_words as f64,
            tp as f64 / gold_total as f64,
            tp as f64 / flagged.max(1) as f64
        );
    }
    Ok(())
}
