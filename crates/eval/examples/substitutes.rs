//! Prints the substitutes the language model gives the commonest words:
//! `cargo run --release -p unspin-eval --example substitutes -- [words contexts min_similarity]`.
use std::path::Path;
use unspin_lm::substitutes::SubstituteParams;
fn main() -> anyhow::Result<()> {
    let lm = unspin_lm::LanguageModel::open(Path::new("model/lm.unspin"))?;
    let mut p = SubstituteParams::default();
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() >= 3 {
        (p.words, p.contexts, p.min_similarity) = (a[0].parse()?, a[1].parse()?, a[2].parse()?);
    }
    let subs = lm.find_substitutes(&p);
    let mut last = u32::MAX;
    for s in &subs {
        if s.word != last {
            print!("\n{}:", lm.word(s.word));
            last = s.word;
        }
        print!(" {} {:.2}", lm.word(s.substitute), s.similarity);
    }
    println!("\n{} pairs", subs.len());
    Ok(())
}
