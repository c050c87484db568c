//! Checks the Brown news documents, once to warm the candidate cache (as a
//! long scan would have it) and then the given number of times, and prints
//! the throughput of the warm passes by wall and by CPU time and of the cold
//! first pass.
//! A quicker, steadier probe than the criterion bench while changing the
//! engine: `cargo run --release -p unspin-eval --example check_speed`.
use std::path::Path;
use std::time::Instant;
use unspin_engine::{Config, Engine, Model};

fn main() -> anyhow::Result<()> {
    let model = Model::open(Path::new("model"))?;
    let docs = unspin_eval::brown::load_brown(Path::new(".cache/data/brown"))?;
    let mut news: Vec<&str> = docs.iter().filter(|d| d.category == "news").map(|d| d.text.as_str()).collect();
    // UNSPIN_JOIN=1: all of it as one document, as the criterion bench checks it.
    let joined = news.join("\n\n");
    if std::env::var_os("UNSPIN_JOIN").is_some() {
        news = vec![joined.as_str()];
    }
    let bytes: usize = news.iter().map(|d| d.len()).sum();
    // Further arguments are settings, as `unspin eval --set` takes them.
    let mut config = Config::default();
    for kv in std::env::args().skip(2) {
        config.set_assignment(&kv).map_err(anyhow::Error::msg)?;
    }
    let engine = Engine::new(model, config);
    let mut findings = 0;
    let cold = Instant::now();
    for d in &news {
        engine.check(d);
    }
    let cold = cold.elapsed().as_secs_f64();
    // Passes to time (first argument, default 1); more make a steadier profile.
    let passes: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let (wall, cpu) = (Instant::now(), unspin_eval::speed::user_cpu_seconds().unwrap_or(f64::NAN));
    for _ in 0..passes {
        for d in &news {
            findings += engine.check(d).findings.len();
        }
    }
    let (wall, cpu) = (wall.elapsed().as_secs_f64(), unspin_eval::speed::user_cpu_seconds().unwrap_or(f64::NAN) - cpu);
    let mb = (bytes * passes) as f64 / 1e6;
    println!(
        "{mb:.2} MB, {findings} findings: {:.2} MB/s wall, {:.2} MB/s cpu; first pass (empty candidate cache) {:.2} MB/s",
        mb / wall,
        mb / cpu,
        bytes as f64 / 1e6 / cold
    );
    Ok(())
}
