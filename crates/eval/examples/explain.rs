//! Prints every restoration the engine decodes for each line of standard
//! input, whatever its confidence, with its evidence:
//! `echo "the Joined Together States" | cargo run --release -p unspin-eval --example explain -- [NAME=VALUE...]`
//! (settings as for `unspin eval --set`).
use std::io::BufRead;
use std::path::Path;
use unspin_engine::{Config, Engine, Model};

fn main() -> anyhow::Result<()> {
    let mut config = Config::default();
    for kv in std::env::args().skip(1) {
        config.set_assignment(&kv).map_err(anyhow::Error::msg)?;
    }
    let engine = Engine::new(Model::open(Path::new("model"))?, config);
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        println!("{line}");
        for e in engine.explain(&line) {
            let (f, v) = (&e.finding, &e.evidence);
            println!(
                "  {:?} -> {:?}  confidence {:.3}  lm_gain {:.2} channel {:.2} unseen {}/{} fit {:.2}/{:.2} beaten_by {:.2} echo {}/{}",
                f.text, f.suggestion, f.confidence, v.lm_gain, v.channel, v.present_unseen, v.restored_unseen, v.present_fit, v.restored_fit, v.beaten_by, v.present_echo, v.restored_echo
            );
        }
    }
    Ok(())
}
