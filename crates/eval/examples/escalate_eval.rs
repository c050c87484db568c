//! Reads the gate of `Config::escalate_at`: the evaluation's Brown rows for
//! the default engine of PROFILE at each GATE (above 1: never look twice).
//! Choose on the development rows; the eval's speed row says what clean
//! prose pays. `cargo run --release -p unspin-eval --example escalate_eval -- web 2 0.8 0.9 0.95`
use std::path::Path;
use std::sync::Arc;

use unspin_engine::{Config, Engine, Model, Profile, Report};

struct Checking(Engine);

impl unspin_eval::Detector for Checking {
    fn check(&self, text: &str) -> Report {
        self.0.check(text)
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_default();
    let profile = Profile::parse(&name).ok_or_else(|| anyhow::anyhow!("usage: escalate_eval PROFILE GATE..."))?;
    let model = Arc::new(Model::open(Path::new("model"))?);
    let mut cfg = unspin_eval::EvalConfig::new(Path::new(".cache/data"), Path::new("../shared"), false);
    cfg.progress = false;
    for gate in args {
        let escalate_at: f64 = gate.parse()?;
        let engine = Engine::new(model.clone(), Config { escalate_at, ..Config::for_profile(profile, false) });
        let report = unspin_eval::run(&cfg, &Checking(engine), None, &[]);
        println!("== gate {escalate_at}");
        for line in report.to_table().lines().filter(|l| l.contains("Brown spun") || l.contains("Brown clean") || l.contains("clean vs")) {
            println!("{line}");
        }
    }
    Ok(())
}
