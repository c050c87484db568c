//! Writes every decoded restoration's evidence on the DEVELOPMENT split as
//! tab-separated rows, for exploring confidence models outside the engine:
//! `kind doc label features...` where kind is clean, spun10/20/30 or
//! tortured, doc indexes the document (or tortured-phrase instance), and
//! label says whether the restoration overlaps a gold swap. A second file,
//! `<out>.words`, gives each Brown document's word count.
//!
//! cargo run --release -p unspin-eval --example dump_features -- OUT [NAME=VALUE...]
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use unspin_engine::{Config, Engine, Model};
use unspin_eval::brown::{load_brown, select, Split};
use unspin_eval::spinner::Spinner;

fn main() -> anyhow::Result<()> {
    let out = std::env::args().nth(1).ok_or_else(|| anyhow::anyhow!("usage: dump_features OUT [NAME=VALUE...]"))?;
    let mut config = Config::default();
    for arg in std::env::args().skip(2) {
        config.set_assignment(&arg).map_err(anyhow::Error::msg)?;
    }
    let engine = Engine::new(Model::open(Path::new("model"))?, config);
    let spinner = Spinner::load(Path::new("../shared/data/spinner-dictionaries/article-rewriter-en.sdata"))?;
    let docs = select(&load_brown(Path::new(".cache/data/brown"))?, Split::Dev, None);
    let mut w = std::io::BufWriter::new(std::fs::File::create(&out)?);
    let mut words = std::io::BufWriter::new(std::fs::File::create(format!("{out}.words"))?);
    for (i, d) in docs.iter().enumerate() {
        writeln!(words, "{i}\t{}", d.text.split_whitespace().count())?;
    }
    let mut emit = |kind: &str, doc: usize, label: bool, f: &[f32]| -> std::io::Result<()> {
        write!(w, "{kind}\t{doc}\t{}", label as u8)?;
        for x in f {
            write!(w, "\t{x}")?;
        }
        writeln!(w)
    };
    let clean: Vec<Vec<Vec<f32>>> = docs.par_iter().map(|d| engine.explain(&d.text).iter().map(|e| e.evidence.features().to_vec()).collect()).collect();
    for (i, rows) in clean.iter().enumerate() {
        for f in rows {
            emit("clean", i, false, f)?;
        }
    }
    for rate in [0.1, 0.2, 0.3] {
        let spun = unspin_eval::spin_docs(&spinner, &docs, rate, 20240601);
        let gold: usize = spun.iter().map(|s| s.gold.len()).sum();
        eprintln!("spun {rate}: {gold} gold swaps");
        let rows: Vec<Vec<(Vec<f32>, bool)>> = spun
            .par_iter()
            .map(|s| {
                engine
                    .explain(&s.text)
                    .iter()
                    .map(|e| (e.evidence.features().to_vec(), s.gold.iter().any(|g| e.finding.start < g.end && g.start < e.finding.end)))
                    .collect()
            })
            .collect();
        let kind = format!("spun{}", (rate * 100.0).round());
        for (i, r) in rows.iter().enumerate() {
            for (f, y) in r {
                emit(&kind, i, *y, f)?;
            }
        }
    }
    let july = unspin_eval::pps::dedup(&unspin_eval::pps::load_pps(Path::new("../shared/data/tortured-phrases/pps-2025-07.csv"))?);
    let dev: Vec<_> = july.into_iter().filter(|t| unspin_eval::pps::phrase_split(&t.phrase) == Split::Dev).collect();
    let templates = unspin_eval::pps::carriers();
    let instances = unspin_eval::measure::phrase_instances(&dev, Some(&templates));
    eprintln!("tortured: {} instances", instances.len());
    let rows: Vec<Vec<(Vec<f32>, bool)>> = instances
        .par_iter()
        .map(|i| engine.explain(&i.text).iter().map(|e| (e.evidence.features().to_vec(), e.finding.start < i.end && i.start < e.finding.end)).collect())
        .collect();
    for (i, r) in rows.iter().enumerate() {
        for (f, y) in r {
            emit("tortured", i, *y, f)?;
        }
    }
    Ok(())
}
