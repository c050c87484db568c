//! The restorations the default engine weighs at a confidence from LO up to
//! HI (default 0.5 to the threshold), with their context, in the first
//! DOCS (default 12) development documents spun at 30% and in their clean
//! originals: what the trees cannot yet tell apart. Each line is tagged
//! EXACT (the original restored), HIT(original) (over a swap, another
//! suggestion), WRONG (no swap there) or CLEAN (in the clean original).
//! `cargo run --release -p unspin-eval --example borderline -- [LO HI [DOCS]]`
use std::path::Path;
use unspin_engine::{Config, Engine, Model};
use unspin_eval::brown::{load_brown, select, Split};
use unspin_eval::spinner::Spinner;

fn main() -> anyhow::Result<()> {
    let args: Vec<f64> = std::env::args().skip(1).map(|x| x.parse()).collect::<Result<_, _>>()?;
    let config = Config::default();
    let lo = args.first().copied().unwrap_or(0.5);
    let hi = args.get(1).copied().unwrap_or(config.min_confidence);
    let take = args.get(2).map_or(12, |&n| n as usize);
    let engine = Engine::new(Model::open(Path::new("model"))?, config);
    let spinner = Spinner::load(Path::new("../shared/data/spinner-dictionaries/article-rewriter-en.sdata"))?;
    let docs = load_brown(Path::new(".cache/data/brown"))?;
    let docs = select(&docs, Split::Dev, Some(40));
    let spun = unspin_eval::spin_docs(&spinner, &docs, 0.3, 20240601);
    // The span in brackets, with some 50 bytes before and 40 after.
    let ctx = |t: &str, s: usize, e: usize| {
        let mut a = s.saturating_sub(50);
        while !t.is_char_boundary(a) {
            a -= 1;
        }
        let mut b = (e + 40).min(t.len());
        while !t.is_char_boundary(b) {
            b += 1;
        }
        format!("{}[{}]{}", &t[a..s], &t[s..e], &t[e..b]).replace('\n', " ")
    };
    for (s, d) in spun.iter().zip(docs.iter()).take(take) {
        for e in engine.explain(&s.text) {
            let f = &e.finding;
            if f.confidence < lo || f.confidence >= hi { continue; }
            let g = s.gold.iter().find(|g| f.start < g.end && g.start < f.end);
            let tag = match g { Some(g) if g.original.to_lowercase() == f.suggestion.to_lowercase() => "EXACT".to_string(), Some(g) => format!("HIT({})", g.original), None => "WRONG".into() };
            println!("S {tag:14} {:.2} -> {:12} {}", f.confidence, f.suggestion, ctx(&s.text, f.start, f.end));
        }
        for e in engine.explain(&d.text) {
            let f = &e.finding;
            if f.confidence < lo || f.confidence >= hi { continue; }
            println!("C {:14} {:.2} -> {:12} {}", "CLEAN", f.confidence, f.suggestion, ctx(&d.text, f.start, f.end));
        }
    }
    Ok(())
}
