//! Times the neural scorer: a prefix and two continuations of a few lengths.
//! cargo run --release -p unspin-neural --features candle --example bench_verifier
use std::path::Path;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let lm = unspin_neural::NeuralLm::load(&Path::new("model").join(unspin_neural::MODEL_FILE))?;
    let words = "the committee said that the new rules would take effect next year after a long debate among members of the council about the cost of the plan and its effect on local schools and the people who work in them every day".split(' ').collect::<Vec<_>>();
    for (p, c) in [(5, 5), (10, 10), (20, 10)] {
        let prefix = words[..p].join(" ");
        let cont = format!(" {}", words[p..p + c].join(" "));
        let cont2 = cont.replacen("the", "a", 1);
        let t = Instant::now();
        let n = 5;
        for _ in 0..n {
            lm.continuation_log_probs(&prefix, &[&cont, &cont2])?;
        }
        println!("prefix {p} words, continuations 2 x {c} words: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0 / n as f64);
    }
    Ok(())
}
