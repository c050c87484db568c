//! Fits the verified confidence (a logistic model over
//! `unspin_engine::verified_features`: bias, logit of the statistical
//! confidence, neural gain) on the DEVELOPMENT split only: clean Brown
//! documents (every finding there is wrong), their spun copies (a finding is
//! right when it overlaps a gold swap) and the July tortured phrases of the
//! development half in carrier sentences. The bias is then set so that the
//! default threshold keeps the clean development prose of every genre under
//! 0.9 findings per 1,000 words, the rule the statistical confidence's
//! threshold follows. Prints the weights and, per
//! threshold, dev clean findings per 1,000 words, spun recall/precision and
//! tortured-phrase recall, next to the statistical confidence alone.
//!
//! cargo run --release -p unspin-neural --features candle --example fit_verifier -- [DOCS_PER_GENRE [PHRASES]]
//! (run from the project root: model/, .cache/data and ../shared as for `unspin eval`)
//!
//! `UNSPIN_FOLD_MODELS=DIR` cross-fits: DIR holds the fold models
//! fold0.trees, fold1.trees, ... written by `fit_confidence` (same variable),
//! and each development document (with its spun copies) and each tortured
//! phrase gets its statistical confidence from the fold model that never saw
//! it (Brown document i of the full development list, and phrase i of the
//! development phrases, belong to fold i % folds, as in `fit_confidence`).
//! Without it the shipped model scores everything; the shipped model has
//! seen every development document, so its confidences there are
//! in-sample and overconfident.
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use unspin_engine::{verified_features, Config, ConfidenceModel, Engine, Evidence, Model, VERIFIER_FEATURES as N};
use unspin_eval::brown::{load_brown, select, Genre, Split};
use unspin_eval::spinner::Spinner;

/// (features, right, kind, genre) with kind 0 clean Brown, 1 spun Brown, 2
/// tortured phrase; genre the index in `Genre::ALL` (0 for phrases).
type Row = ([f32; N], bool, u8, usize);

fn main() -> anyhow::Result<()> {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let per_genre = args.first().copied();
    let phrases = args.get(1).copied().unwrap_or(60);
    let config = Config::default();
    let floor = config.verify_floor;
    let verifier: Arc<dyn unspin_engine::Verifier> =
        Arc::new(unspin_neural::NeuralVerifier::load(&Path::new("model").join(unspin_neural::MODEL_FILE))?);
    let model = Arc::new(Model::open(Path::new("model"))?);
    // One engine per fold model (one engine, the shipped model, without folds).
    let mut fold_models: Vec<Arc<ConfidenceModel>> = Vec::new();
    if let Some(dir) = std::env::var_os("UNSPIN_FOLD_MODELS") {
        let dir = Path::new(&dir);
        while let Ok(m) = ConfidenceModel::open(&dir.join(format!("fold{}.trees", fold_models.len()))) {
            anyhow::ensure!(m.features == Evidence::FEATURES, "fold model with {} features, the engine has {}", m.features, Evidence::FEATURES);
            fold_models.push(Arc::new(m));
        }
        anyhow::ensure!(!fold_models.is_empty(), "no fold0.trees in {}", dir.display());
        eprintln!("cross-fitted: {} fold models from {}", fold_models.len(), dir.display());
    }
    let engines: Vec<Engine> = if fold_models.is_empty() {
        vec![Engine::new(model.clone(), config.clone()).with_verifier(verifier.clone())]
    } else {
        fold_models
            .iter()
            .map(|m| Engine::new(model.clone(), Config { confidence_model: m.clone(), ..config.clone() }).with_verifier(verifier.clone()))
            .collect()
    };
    let folds = engines.len();
    let spinner = Spinner::load(Path::new("../shared/data/spinner-dictionaries/article-rewriter-en.sdata"))?;
    let brown = load_brown(Path::new(".cache/data/brown"))?;
    let docs = select(&brown, Split::Dev, per_genre);
    // The fold of a document: its index in the full development list.
    let all_dev = select(&brown, Split::Dev, None);
    let doc_fold: Vec<usize> = docs
        .iter()
        .map(|d| all_dev.iter().position(|a| a.id == d.id).expect("a development document") % folds)
        .collect();
    let clean_words: usize = docs.iter().map(|d| d.text.split_whitespace().count()).sum();
    let genre_of = |d: &unspin_eval::brown::BrownDoc| Genre::ALL.iter().position(|&g| g == d.genre).unwrap_or(0);
    let genre_words: Vec<usize> =
        (0..Genre::ALL.len()).map(|g| docs.iter().filter(|d| genre_of(d) == g).map(|d| d.text.split_whitespace().count()).sum()).collect();
    let started = Instant::now();
    let judged = std::sync::atomic::AtomicUsize::new(0);
    // Findings the verifier would see (statistical confidence >= floor), with their labels.
    let collect = |fold: usize, text: &str, right: &dyn Fn(usize, usize) -> bool, kind: u8, genre: usize| -> Vec<Row> {
        let engine = &engines[fold];
        // The confidences the verifier sees in a check: read in their
        // document (`unspin_engine::document`) where the text is long.
        let detected: Vec<_> = engine.explain(text).into_iter().map(|e| (e.finding, e.evidence)).collect();
        let read = unspin_engine::document::read(engine.config().document.as_ref(), text, detected);
        let found: Vec<_> = read.into_iter().filter(|f| f.confidence >= floor).collect();
        let gains = engine.verifier_gains(text, &found);
        judged.fetch_add(found.len(), std::sync::atomic::Ordering::Relaxed);
        found
            .iter()
            .zip(gains)
            .filter_map(|(f, g)| Some((verified_features(f.confidence, g?), right(f.start, f.end), kind, genre)))
            .collect()
    };
    let mut rows: Vec<Row> = docs.par_iter().zip(&doc_fold).flat_map(|(d, &f)| collect(f, &d.text, &|_, _| false, 0, genre_of(d))).collect();
    eprintln!("clean: {} findings from {} docs ({:.0} s)", rows.len(), docs.len(), started.elapsed().as_secs_f64());
    let mut gold_total = 0usize;
    for rate in [0.1, 0.3] {
        let spun = unspin_eval::spin_docs(&spinner, &docs, rate, 20240601);
        gold_total += spun.iter().map(|s| s.gold.len()).sum::<usize>();
        let r: Vec<Row> = spun
            .par_iter()
            .zip(docs.par_iter().zip(&doc_fold))
            .flat_map(|(s, (d, &f))| collect(f, &s.text, &|a, b| s.gold.iter().any(|g| a < g.end && g.start < b), 1, genre_of(d)))
            .collect();
        rows.extend(r);
        eprintln!("spun {rate}: {} findings so far ({:.0} s)", rows.len(), started.elapsed().as_secs_f64());
    }
    let july = unspin_eval::pps::dedup(&unspin_eval::pps::load_pps(Path::new("../shared/data/tortured-phrases/pps-2025-07.csv"))?);
    let dev: Vec<_> = july.into_iter().filter(|t| unspin_eval::pps::phrase_split(&t.phrase) == Split::Dev).collect();
    // The fold of a phrase: its index among the development phrases that
    // make instances (`phrase_instances` skips the others), as in `fit_confidence`.
    let usable = |t: &&unspin_eval::pps::TorturedPhrase| !unspin_eval::pps::expected_variants(t).is_empty();
    let phrase_fold: std::collections::HashMap<String, usize> =
        dev.iter().filter(usable).enumerate().map(|(i, t)| (t.phrase.clone(), i % folds)).collect();
    let dev = unspin_eval::brown::spread(&dev, Some(phrases));
    let templates = unspin_eval::pps::carriers();
    let instances = unspin_eval::measure::phrase_instances(&dev, Some(&templates));
    let per_phrase = templates.len().max(1);
    let instance_fold: Vec<usize> = dev.iter().filter(usable).flat_map(|t| std::iter::repeat_n(phrase_fold[&t.phrase], per_phrase)).collect();
    anyhow::ensure!(instance_fold.len() == instances.len(), "phrase instances and folds disagree");
    let tortured: Vec<Row> = instances
        .par_iter()
        .zip(&instance_fold)
        .flat_map(|(i, &f)| collect(f, &i.text, &|a, b| a < i.end && i.start < b, 2, 0))
        .collect();
    let elapsed = started.elapsed().as_secs_f64();
    let n_judged = judged.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "{} tortured-phrase findings; {n_judged} findings judged in {elapsed:.0} s ({:.1} ms each, with the statistical engine)",
        tortured.len(),
        elapsed * 1000.0 / n_judged.max(1) as f64
    );
    let brown_rows = rows.len();
    let repeat = (brown_rows / tortured.len().max(1)).clamp(1, 20);
    let mut weighted = rows.clone();
    for _ in 0..repeat {
        weighted.extend(tortured.iter().cloned());
    }
    let pos = weighted.iter().filter(|r| r.1).count();
    eprintln!("{} rows ({pos} right), {clean_words} clean words, {gold_total} gold swaps, tortured weight {repeat}", weighted.len());
    let mut w = unspin_eval::logistic::fit(&weighted.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>(), 30);
    println!("fitted weights: {w:?}");
    // As for the statistical confidence, the default threshold must keep
    // the clean development prose of every genre under 0.9 findings per
    // 1,000 words: the bias is lowered until it does (or raised while it
    // still would).
    let threshold = unspin_engine::Config::default().min_confidence as f32;
    let worst_genre_rate = |w: &[f32; N]| {
        let z = |x: &[f32; N]| x.iter().zip(w).map(|(a, b)| a * b).sum::<f32>();
        (0..Genre::ALL.len())
            .map(|g| {
                let fp = rows.iter().filter(|r| r.2 == 0 && r.3 == g && 1.0 / (1.0 + (-z(&r.0)).exp()) >= threshold).count();
                fp as f64 * 1000.0 / genre_words[g].max(1) as f64
            })
            .fold(0.0, f64::max)
    };
    let mut shift = 0.0f32;
    while worst_genre_rate(&[w[0] + shift, w[1], w[2]]) > 0.9 && shift > -5.0 {
        shift -= 0.05;
    }
    while shift < 5.0 && worst_genre_rate(&[w[0] + shift + 0.05, w[1], w[2]]) <= 0.9 {
        shift += 0.05;
    }
    w[0] += shift;
    println!(
        "weights (bias shifted by {shift:.2} for at most 0.9 clean findings per 1k words in every genre at {threshold}; worst genre {:.2}): {w:?}",
        worst_genre_rate(&w)
    );
    let verified = |x: &[f32; N]| 1.0 / (1.0 + (-(x.iter().zip(&w).map(|(a, b)| a * b).sum::<f32>())).exp());
    let statistical = |x: &[f32; N]| 1.0 / (1.0 + (-x[1]).exp());
    let tortured_instances = instances.len();
    for (name, conf) in [("statistical", &statistical as &dyn Fn(&[f32; N]) -> f32), ("verified", &verified)] {
        println!("{name}:");
        let mut ts = vec![0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, threshold];
        ts.sort_by(f32::total_cmp);
        ts.dedup();
        for t in ts {
            let fp = rows.iter().filter(|r| r.2 == 0 && conf(&r.0) >= t).count();
            let tp = rows.iter().filter(|r| r.2 == 1 && r.1 && conf(&r.0) >= t).count();
            let flagged = rows.iter().filter(|r| r.2 == 1 && conf(&r.0) >= t).count();
            let tort = tortured.iter().filter(|r| r.1 && conf(&r.0) >= t).count();
            println!(
                "  threshold {t:.3}: clean/1k {:.2}, spun findings right {tp} (precision {:.3}), tortured found {:.3} ({tort} of {tortured_instances})",
                fp as f64 * 1000.0 / clean_words as f64,
                tp as f64 / flagged.max(1) as f64,
                tort as f64 / tortured_instances.max(1) as f64,
            );
        }
    }
    Ok(())
}
