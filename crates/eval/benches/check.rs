//! Throughput of `check` and `restore` per core on news prose (the Brown
//! corpus's press reportage, category A) with the default model.
//!
//! Needs the model and the downloaded data (`scripts/setup.sh`); run with
//! `cargo bench -p unspin-eval --bench check`. Set UNSPIN_MODEL to use
//! another model directory.
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use unspin_engine::{Config, Engine, Model};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bench(c: &mut Criterion) {
    let model_dir = std::env::var_os("UNSPIN_MODEL").map(PathBuf::from).unwrap_or_else(|| root().join("model"));
    let (Ok(model), Ok(docs)) = (Model::open(&model_dir), unspin_eval::brown::load_brown(&root().join(".cache/data/brown"))) else {
        eprintln!("check bench: no model or Brown data; run scripts/setup.sh first");
        return;
    };
    // Each article a document of its own, as a scan reads them: a document
    // that looks spun is looked at twice (`Config::escalate_at`), which a
    // single concatenated text would never show.
    let news: Vec<&str> = docs.iter().filter(|d| d.category == "news").map(|d| d.text.as_str()).collect();
    let bytes: usize = news.iter().map(|d| d.len()).sum();
    assert!(bytes > 100_000, "expected the Brown news documents");
    let engine = Engine::new(model, Config::default());
    // Warm the candidate cache as a long-running scan would have it.
    news.iter().for_each(|d| drop(engine.check(d)));
    let mut group = c.benchmark_group("news");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("check", |b| b.iter(|| news.iter().map(|d| engine.check(d).findings.len()).sum::<usize>()));
    group.bench_function("restore", |b| b.iter(|| news.iter().map(|d| engine.restore(d).0.len()).sum::<usize>()));
    group.finish();
    let start = std::time::Instant::now();
    let _ = Model::open(&model_dir).unwrap();
    eprintln!("model load: {:.3} s", start.elapsed().as_secs_f64());
}

/// Tokenizing text that is no prose: a megabyte of base64 without a space,
/// one of "a." repeated, and one of a word repeated. Each is read in one
/// pass (a URL or e-mail address is looked for only where a run of
/// characters starts; looked for at every token, the base64 took minutes).
fn bench_odd_input(c: &mut Criterion) {
    let blob: String = (0..1_000_000u32).map(|i| b"Aa0+/Zz9"[(i.wrapping_mul(2654435761) >> 29) as usize] as char).collect();
    let inputs = [("base64", blob), ("dots", "a.".repeat(500_000)), ("one word", "word".repeat(250_000))];
    let mut group = c.benchmark_group("tokenize");
    group.sample_size(10);
    for (name, text) in &inputs {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(*name, |b| b.iter(|| unspin_text::tokenize(text).len()));
    }
    group.finish();
}

criterion_group!(benches, bench, bench_odd_input);
criterion_main!(benches);
