//! Where do the swaps the design could restore go? For every gold swap of
//! the development split at 30% spun: does the decoder consider a
//! restoration over it at all (any confidence), is its suggestion the
//! original, and does it pass the threshold. Also counts the considered
//! restorations in the clean originals, by confidence.
//! `cargo run --release -p unspin-eval --example funnel -- [NAME=VALUE...]`
use std::path::Path;
use unspin_engine::{Config, Engine, Model};
use unspin_eval::brown::{load_brown, select, Split};
use unspin_eval::spinner::Spinner;

fn main() -> anyhow::Result<()> {
    let mut config = Config::default();
    for arg in std::env::args().skip(1) {
        config.set_assignment(&arg).map_err(anyhow::Error::msg)?;
    }
    let threshold = config.min_confidence;
    let engine = Engine::new(Model::open(Path::new("model"))?, config);
    let spinner = Spinner::load(Path::new("../shared/data/spinner-dictionaries/article-rewriter-en.sdata"))?;
    let docs = load_brown(Path::new(".cache/data/brown"))?;
    let docs = select(&docs, Split::Dev, Some(40));
    let spun = unspin_eval::spin_docs(&spinner, &docs, 0.3, 20240601);
    let cuts = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    let (mut total, mut considered, mut right_word) = (0usize, 0usize, 0usize);
    let mut right_at = vec![0usize; cuts.len()];
    let mut any_at = vec![0usize; cuts.len()];
    let mut wrong_place_at = vec![0usize; cuts.len()];
    let mut clean_at = vec![0usize; cuts.len()];
    let mut clean_words = 0usize;
    let mut echo = [[0usize; 3]; 3];
    let mut pecho = [[0usize; 3]; 3];
    for (s, d) in spun.iter().zip(docs.iter()) {
        let explained = engine.explain(&s.text);
        for g in &s.gold {
            total += 1;
            let over: Vec<_> = explained.iter().filter(|e| e.finding.start < g.end && g.start < e.finding.end).collect();
            if over.is_empty() { continue; }
            considered += 1;
            let best = over.iter().max_by(|a, b| a.finding.confidence.total_cmp(&b.finding.confidence)).unwrap();
            let right = best.finding.suggestion.to_lowercase() == g.original.to_lowercase();
            right_word += right as usize;
            for (i, &c) in cuts.iter().enumerate() {
                if best.finding.confidence >= c { any_at[i] += 1; if right { right_at[i] += 1; } }
            }
        }
        for e in &explained {
            let hit = s.gold.iter().any(|g| e.finding.start < g.end && g.start < e.finding.end);
            echo[hit as usize][e.evidence.restored_echo as usize] += 1;
            pecho[hit as usize][e.evidence.present_echo as usize] += 1;
            if !hit {
                for (i, &c) in cuts.iter().enumerate() { if e.finding.confidence >= c { wrong_place_at[i] += 1; } }
            }
        }
        clean_words += d.text.split_whitespace().count();
        for e in engine.explain(&d.text) {
            echo[2][e.evidence.restored_echo as usize] += 1;
            pecho[2][e.evidence.present_echo as usize] += 1;
            for (i, &c) in cuts.iter().enumerate() { if e.finding.confidence >= c { clean_at[i] += 1; } }
        }
    }
    println!("gold swaps {total}; a restoration considered over it {considered} ({:.3}); its best one exactly right {right_word} ({:.3}); threshold {threshold}", considered as f64 / total as f64, right_word as f64 / total as f64);
    println!("restored echo 0/1/2 edges: spun wrong place {:?}, spun over a swap {:?}, clean {:?}", echo[0], echo[1], echo[2]);
    println!("present echo 0/1/2 edges: spun wrong place {:?}, spun over a swap {:?}, clean {:?}", pecho[0], pecho[1], pecho[2]);
    println!("cut\tfound\texact\twrong-place\tclean/1k");
    for (i, c) in cuts.iter().enumerate() {
        println!("{c}\t{:.4}\t{:.4}\t{}\t{:.2}", any_at[i] as f64 / total as f64, right_at[i] as f64 / total as f64, wrong_place_at[i], clean_at[i] as f64 * 1000.0 / clean_words as f64);
    }
    Ok(())
}
