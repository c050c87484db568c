//! How well document-wide signals tell spun documents from clean ones
//! (ROC AUC per signal: confidence mass and counts of every decoded
//! restoration, the share of word pairs the language model never saw, mean
//! pointwise mutual information with the context, how often a word's own
//! synonyms fit its place better), and the recall an oracle document
//! verdict would allow at lower finding thresholds. DEVELOPMENT split only.
//! `K=16` sets how many candidate originals the synonym-rank signals try.
//!
//! cargo run --release -p unspin-eval --example doc_signals -- [NAME=VALUE...]
use std::path::Path;

use rayon::prelude::*;
use unspin_engine::{Config, Engine, Model};
use unspin_eval::brown::{load_brown, select, Split};
use unspin_eval::spinner::Spinner;

struct Doc {
    words: usize,
    /// (confidence, hit) of every decoded restoration.
    rows: Vec<(f64, bool)>,
    unseen_rate: f64,
    mean_pmi: f64,
    gold: usize,
    spun: bool,
    /// Mean over replaceable words of the share of their candidate
    /// originals the LM prefers in their place.
    mean_beaten: f64,
    /// Share of replaceable words beaten by more than half their candidates.
    share_beaten: f64,
}

fn signals(engine: &Engine, text: &str, gold: &[std::ops::Range<usize>]) -> Doc {
    let lm = &engine.model().lm;
    let tokens = unspin_text::tokenize(text);
    let sentences = unspin_text::sentences(text, &tokens);
    let (mut pairs, mut unseen, mut pmi, mut n) = (0usize, 0usize, 0f64, 0usize);
    let (mut beaten_sum, mut beaten_n, mut beaten_half) = (0f64, 0usize, 0usize);
    let lex = &engine.model().lexicon;
    let k: usize = std::env::var("K").ok().and_then(|v| v.parse().ok()).unwrap_or(16);
    for r in &sentences {
        let ids: Vec<Option<u32>> = tokens[r.clone()]
            .iter()
            .filter(|t| t.kind == unspin_text::TokenKind::Word)
            .flat_map(|t| unspin_text::lm_words(text, t))
            .map(|w: String| lm.word_id(&w))
            .collect();
        for w in ids.windows(2) {
            if let (Some(a), Some(b)) = (w[0], w[1]) {
                pairs += 1;
                unseen += !lm.has_bigram(a, b) as usize;
            }
        }
        let words: Vec<String> = tokens[r.clone()]
            .iter()
            .filter(|t| t.kind == unspin_text::TokenKind::Word)
            .flat_map(|t| unspin_text::lm_words(text, t))
            .collect();
        if words.len() == ids.len() {
            for i in 0..ids.len() {
                let Some(w) = ids[i] else { continue };
                if !words[i].chars().all(|c| c.is_ascii_alphabetic()) || lm.unigram_log10(w) > -2.5 {
                    continue;
                }
                let h: Vec<u32> = ids[i.saturating_sub(2)..i].iter().map(|x| x.unwrap_or(lm.bos())).collect();
                let tail: Vec<u32> = ids[i + 1..].iter().take(2).map(|x| x.unwrap_or(lm.eos())).collect();
                let score = |c: &[u32]| {
                    let mut seq = c.to_vec();
                    seq.extend(&tail);
                    lm.score_sequence(&h, &seq)
                };
                let mut cands: Vec<(f32, Vec<u32>)> = lex
                    .originals(&[words[i].as_str()])
                    .into_iter()
                    .take(200)
                    .filter_map(|c| {
                        let cid: Option<Vec<u32>> = c.original.split(' ').map(|x| lm.word_id(x)).collect();
                        cid.map(|v| (c.channel_log10 + lm.score_sequence(&[], &v), v))
                    })
                    .collect();
                if cands.is_empty() {
                    continue;
                }
                cands.sort_by(|a, b| b.0.total_cmp(&a.0));
                cands.truncate(k);
                let base = score(&[w]);
                let beaten = cands.iter().filter(|c| score(&c.1) > base).count() as f64 / cands.len() as f64;
                beaten_sum += beaten;
                beaten_n += 1;
                beaten_half += (beaten > 0.5) as usize;
            }
        }
        for i in 2..ids.len() {
            if let (Some(a), Some(b), Some(c)) = (ids[i - 2], ids[i - 1], ids[i]) {
                pmi += (lm.log10_prob(&[a, b], c) - lm.unigram_log10(c)) as f64;
                n += 1;
            }
        }
    }
    let words = tokens.iter().filter(|t| t.kind == unspin_text::TokenKind::Word).count();
    let rows = engine
        .explain(text)
        .iter()
        .map(|e| (e.finding.confidence, gold.iter().any(|g| e.finding.start < g.end && g.start < e.finding.end)))
        .collect();
    Doc { words, rows, unseen_rate: unseen as f64 / pairs.max(1) as f64, mean_pmi: pmi / n.max(1) as f64, gold: gold.len(), spun: !gold.is_empty(), mean_beaten: beaten_sum / beaten_n.max(1) as f64, share_beaten: beaten_half as f64 / beaten_n.max(1) as f64 }
}

fn auc(pos: &[f64], neg: &[f64]) -> f64 {
    unspin_eval::metrics::roc_auc(pos, neg).unwrap_or(f64::NAN)
}

fn main() -> anyhow::Result<()> {
    let mut config = Config::default();
    for arg in std::env::args().skip(1) {
        config.set_assignment(&arg).map_err(anyhow::Error::msg)?;
    }
    let engine = Engine::new(Model::open(Path::new("model"))?, config);
    let spinner = Spinner::load(Path::new("../shared/data/spinner-dictionaries/article-rewriter-en.sdata"))?;
    let docs = select(&load_brown(Path::new(".cache/data/brown"))?, Split::Dev, None);
    let clean: Vec<Doc> = docs.par_iter().map(|d| signals(&engine, &d.text, &[])).collect();
    for rate in [0.1, 0.2, 0.3] {
        let spun = unspin_eval::spin_docs(&spinner, &docs, rate, 20240601);
        let spun: Vec<Doc> = spun
            .par_iter()
            .map(|s| {
                let gold: Vec<std::ops::Range<usize>> = s.gold.iter().map(|g| g.start..g.end).collect();
                signals(&engine, &s.text, &gold)
            })
            .collect();
        println!("== spun {rate}");
        type F = fn(&Doc) -> f64;
        let feats: [(&str, F); 8] = [
            ("mean beaten", |d| d.mean_beaten),
            ("share beaten", |d| d.share_beaten),
            ("conf mass/1k", |d| d.rows.iter().map(|r| r.0).sum::<f64>() * 1000.0 / d.words as f64),
            ("rows/1k", |d| d.rows.len() as f64 * 1000.0 / d.words as f64),
            ("conf>=0.5/1k", |d| d.rows.iter().filter(|r| r.0 >= 0.5).count() as f64 * 1000.0 / d.words as f64),
            ("conf>=0.71/1k", |d| d.rows.iter().filter(|r| r.0 >= 0.71).count() as f64 * 1000.0 / d.words as f64),
            ("unseen rate", |d| d.unseen_rate),
            ("-mean pmi", |d| -d.mean_pmi),
        ];
        for (name, f) in feats {
            let p: Vec<f64> = spun.iter().map(f).collect();
            let n: Vec<f64> = clean.iter().map(f).collect();
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            println!("{name:>14}: AUC {:.3}  clean mean {:.4} spun mean {:.4}", auc(&p, &n), mean(&n), mean(&p));
        }
        // Recall at thresholds, in all spun docs (the ceiling of an oracle doc verdict).
        let gold: usize = spun.iter().map(|d| d.gold).sum();
        let words: usize = clean.iter().map(|d| d.words).sum();
        for t in [0.3, 0.4, 0.5, 0.6, 0.71] {
            let hit = spun.iter().flat_map(|d| &d.rows).filter(|r| r.1 && r.0 >= t).count();
            let fl = spun.iter().flat_map(|d| &d.rows).filter(|r| r.0 >= t).count();
            let fp = clean.iter().flat_map(|d| &d.rows).filter(|r| r.0 >= t).count();
            println!(
                "t {t:.2}: spun recall(hits/gold) {:.4} precision {:.3} | clean FP/1k {:.2}",
                hit as f64 / gold as f64,
                hit as f64 / fl.max(1) as f64,
                fp as f64 * 1000.0 / words as f64
            );
        }
        let _ = spun.iter().filter(|d| d.spun).count();
    }
    Ok(())
}
