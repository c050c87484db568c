//! Prints the candidate originals the lexicon gives for a phrase, and
//! whether the language model saw each pair of neighbouring words:
//! `cargo run --release -p unspin-eval --example lexq -- "joined together" "the joined together states"`.
use std::path::Path;
use unspin_engine::Model;
fn main() -> anyhow::Result<()> {
    let m = Model::open(Path::new("model"))?;
    let mut args = std::env::args().skip(1);
    let phrase = args.next().unwrap_or_default();
    let words: Vec<&str> = phrase.split(' ').collect();
    for c in m.lexicon.originals(&words).iter().take(usize::MAX) {
        println!("{:30} {:+.2}", c.original, c.channel_log10);
    }
    for context in args {
        let w: Vec<&str> = context.split(' ').collect();
        for p in w.windows(2) {
            let (a, b) = (m.lm.word_id(p[0]), m.lm.word_id(p[1]));
            let seen = matches!((a, b), (Some(a), Some(b)) if m.lm.has_bigram(a, b));
            println!("  {} {}: {}", p[0], p[1], if seen { "seen" } else { "unseen" });
        }
    }
    Ok(())
}
