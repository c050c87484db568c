//! Where does recall go? For every gold swap of the dev split at 30%:
//! is the original among the lexicon's candidates, is the span abnormal,
//! does the LM prefer the original in context. The swaps the lexicon
//! misses (at the swap's core: words the spun phrase and the original
//! share at either end set aside, "inside the" for "in the" is "inside"
//! for "in") are sorted by shape (the original is a word of the spun phrase,
//! "court docket" for "court"; the spun phrase is the original split,
//! "with out"; a phrase for a word, "got here" for "came"; a word for a
//! word; a phrase for a phrase, "used to be" for "was"; digits).
//! `--uncovered` lists them, commonest first; with `--abnormal`, only those
//! the LM dislikes by a factor of ten (the ones worth restoring).
//! `--examples` prints a sample of swaps.
use std::path::Path;
use unspin_engine::Model;
use unspin_eval::brown::{load_brown, select, Split};
use unspin_eval::spinner::Spinner;

fn main() -> anyhow::Result<()> {
    let model = Model::open(Path::new("model"))?;
    let lm = &model.lm;
    let lex = &model.lexicon;
    let spinner = Spinner::load(Path::new("../shared/data/spinner-dictionaries/article-rewriter-en.sdata"))?;
    let docs = load_brown(Path::new(".cache/data/brown"))?;
    let docs = select(&docs, Split::Dev, Some(40));
    let spun = unspin_eval::spin_docs(&spinner, &docs, 0.3, 20240601);
    let (mut total, mut single, mut covered, mut in_vocab, mut covered_single) = (0, 0, 0, 0, 0);
    let mut covered_core = 0;
    let (mut left_unseen, mut right_unseen, mut both_unseen, mut either) = (0, 0, 0, 0);
    // The ceiling of the design: covered by the lexicon, a suspect, and the
    // language model prefers the original in its five-word window (by any
    // margin, and by a factor of ten).
    let mut covered10 = 0;
    // Uncovered swaps by shape, in the order of `SHAPES`.
    const SHAPES: [&str; 6] = ["original inside the spun phrase", "original split", "phrase for a word", "word for a word", "phrase for phrase", "with digits"];
    let mut shapes = [0usize; SHAPES.len()];
    let abnormal_only = std::env::args().any(|a| a == "--abnormal");
    let (mut prefers, mut prefers10, mut ceiling_default, mut ceiling_thorough) = (0, 0, 0, 0);
    let mut examples = Vec::new();
    // Swaps the lexicon misses, by how often the spinner made them.
    let mut uncovered: std::collections::HashMap<(String, String), usize> = Default::default();
    for s in &spun {
        for g in &s.gold {
            total += 1;
            let sw: Vec<String> = g.spun.to_lowercase().split_whitespace().map(String::from).collect();
            let ow = g.original.to_lowercase();
            let swr: Vec<&str> = sw.iter().map(|s| s.as_str()).collect();
            if sw.len() == 1 { single += 1; }
            let cands = lex.originals(&swr);
            let hit = cands.iter().position(|c| c.original == ow.split_whitespace().collect::<Vec<_>>().join(" "));
            if hit.is_some() { covered += 1; if sw.len()==1 {covered_single+=1;} }
            let o_words: Vec<&str> = ow.split_whitespace().collect();
            let core_hit = hit.is_some() || unspin_eval::ceiling::covered(lex, &swr, &o_words);
            covered_core += core_hit as usize;
            if !core_hit {
                let o = &o_words;
                // The original's words, in order, among the spun phrase's.
                let inside = sw.len() > o.len() && {
                    let mut it = sw.iter();
                    o.iter().all(|w| it.any(|x| x == w))
                };
                let shape = if inside {
                    0
                } else if sw.len() > 1 && sw.concat() == o.concat() {
                    1
                } else if sw.len() > 1 && o.len() == 1 {
                    2
                } else if sw.len() == 1 {
                    3
                } else {
                    4
                };
                shapes[shape] += 1;
                shapes[5] += sw.iter().any(|w| w.chars().any(|c| c.is_ascii_digit())) as usize;
            }
            if sw.iter().all(|w| lm.word_id(w).is_some()) { in_vocab += 1; }
            // neighbours
            let before = s.text[..g.start].split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).last().map(|w| w.to_lowercase());
            let after = s.text[g.end..].split(|c: char| !c.is_alphanumeric() && c != '\'').find(|w| !w.is_empty()).map(|w| w.to_lowercase());
            let id = |w: &str| lm.word_id(w);
            let first = id(&sw[0]); let last = id(sw.last().unwrap());
            let lu = match (before.as_deref().and_then(id), first) { (Some(a), Some(b)) => !lm.has_bigram(a, b), _ => true };
            let ru = match (last, after.as_deref().and_then(id)) { (Some(a), Some(b)) => !lm.has_bigram(a, b), _ => true };
            let gain = unspin_eval::ceiling::window_gain(lm, &s.text, g);
            prefers += (gain > 0.0) as usize;
            prefers10 += (gain > 1.0) as usize;
            if gain > 1.0 { covered10 += hit.is_some() as usize; }
            if !core_hit && (gain > 1.0 || !abnormal_only) {
                *uncovered.entry((sw.join(" "), ow.clone())).or_default() += 1;
            }
            ceiling_default += (hit.is_some() && lu && ru && gain > 0.0) as usize;
            ceiling_thorough += (hit.is_some() && (lu || ru) && gain > 0.0) as usize;
            if lu { left_unseen += 1 } if ru { right_unseen += 1 } if lu && ru { both_unseen += 1 } if lu || ru { either += 1 }
            if examples.len() < 60 && total % 7 == 0 {
                examples.push(format!("{:?} <- {:?} cov={:?} n={} lu={} ru={}", g.spun, g.original, hit, cands.len(), lu, ru));
            }
        }
    }
    println!("gold swaps {total}, single-word {single}, all words in LM vocab {in_vocab}");
    println!("original among lexicon candidates: {covered} ({:.3}); single-word covered {covered_single}", covered as f64 / total as f64);
    println!("original among the candidates of the swap's core (shared end words set aside): {covered_core} ({:.3})", covered_core as f64 / total as f64);
    println!("left unseen {left_unseen}, right unseen {right_unseen}, both {both_unseen}, either {either}");
    let share = |n: usize| n as f64 / total as f64;
    println!("LM prefers the original in its window: {prefers} ({:.3}); by 10x or more: {prefers10} ({:.3})", share(prefers), share(prefers10));
    println!("of those preferred by 10x, the lexicon holds the original for {covered10} ({:.3})", covered10 as f64 / prefers10.max(1) as f64);
    let uncovered_total = total - covered_core;
    println!("uncovered at the core ({uncovered_total}), by shape:");
    for (name, n) in SHAPES.iter().zip(shapes) {
        println!("  {name}: {n} ({:.3} of uncovered)", n as f64 / uncovered_total.max(1) as f64);
    }
    println!("covered, a suspect and preferred: both edges unseen (default) {ceiling_default} ({:.3}); either edge (thorough) {ceiling_thorough} ({:.3})", share(ceiling_default), share(ceiling_thorough));
    if std::env::args().any(|a| a == "--uncovered") {
        let mut v: Vec<_> = uncovered.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for ((s, o), n) in v { println!("{n}\t{s}\t{o}"); }
    }
    if std::env::args().any(|a| a == "--examples") {
        for e in examples { println!("{e}"); }
    }
    Ok(())
}
