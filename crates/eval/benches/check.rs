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
    let news: String = docs.iter().filter(|d| d.category == "news").map(|d| d.text.as_str()).collect::<Vec<_>>().join("\n\n");
    assert!(news.len() > 100_000, "expected the Brown news documents");
    let engine = Engine::new(model, Config::default());
    // Warm the candidate cache as a long-running scan would have it.
    engine.check(&news);
    let mut group = c.benchmark_group("news");
    group.throughput(Throughput::Bytes(news.len() as u64));
    group.sample_size(10);
    group.bench_function("check", |b| b.iter(|| engine.check(&news)));
    group.bench_function("restore", |b| b.iter(|| engine.restore(&news)));
    group.finish();
    let start = std::time::Instant::now();
    let _ = Model::open(&model_dir).unwrap();
    eprintln!("model load: {:.3} s", start.elapsed().as_secs_f64());
}

criterion_group!(benches, bench);
criterion_main!(benches);
