//! Parameter exploration for the matching rows, on the development split only:
//! `cargo run --release -p unspin-eval --example match_tune -- DATA SHARED MODEL [name=value ...]`
use std::path::Path;

use unspin_eval::matching;
use unspin_eval::{brown, Split, Spinner};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (data, shared, model) = (Path::new(&args[1]), Path::new(&args[2]), Path::new(&args[3]));
    let docs = brown::load_brown(&data.join("brown"))?;
    let lexicon = unspin_lexicon::Lexicon::open(&model.join("lexicon.unspin"))?;
    let ar = Spinner::load(&shared.join("data/spinner-dictionaries/article-rewriter-en.sdata"))?;
    let moby = matching::moby_spinner(&thesaurus_moby::uncompress())?;
    let mut p = unspin_matching::MatchParams::default();
    let mut n = Some(200);
    let mut baseline = false;
    let mut rates = vec![0.3, 0.5];
    for kv in &args[4..] {
        let (k, v) = kv.split_once('=').unwrap();
        match k {
            "shingle" => p.lsh.shingle = v.parse()?,
            "bands" => p.lsh.bands = v.parse()?,
            "rows" => p.lsh.rows = v.parse()?,
            "stopsk" => p.lsh.stopwords = v == "1",
            "min" => p.min_similarity = v.parse()?,
            "cands" => p.max_candidates = v.parse()?,
            "stop" => p.align.stopword_weight = v.parse()?,
            "syn" => p.align.synonym_gain = v.parse()?,
            "gap" => p.align.gap = v.parse()?,
            "mis" => p.align.mismatch = v.parse()?,
            "n" => n = Some(v.parse()?),
            "baseline" => baseline = v == "1",
            "profile" => {
                profile(&docs, &lexicon);
                return Ok(());
            }
            "candstat" => {
                let mut q = p;
                q.max_candidates = usize::MAX;
                let setup = matching::Setup::new(&docs);
                let m = unspin_matching::Matcher::new(&lexicon, q);
                let index = unspin_matching::MemoryIndex::build(&m, setup.documents());
                let (_, _, absent) = setup.sample(Split::Dev, Some(150));
                let counts: Vec<usize> = absent.iter().map(|a| m.candidates(&index, &m.band_keys(&m.analyse(&a.text))).len()).collect();
                let mean = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
                println!("absent candidates per query: mean {mean:.1} of {} docs ({:.3}%)", setup.indexed.len(), 100.0 * mean / setup.indexed.len() as f64);
                return Ok(());
            }
            "simstat" => {
                // Similarity of the true source, and the best similarity any
                // indexed passage reaches for held-apart ones (threshold off).
                let mut q = p;
                q.min_similarity = 0.0;
                let setup = matching::Setup::new(&docs);
                let m = unspin_matching::Matcher::new(&lexicon, q);
                let index = unspin_matching::MemoryIndex::build(&m, setup.documents());
                let (present, pos, absent) = setup.sample(Split::Dev, Some(300));
                for (name, sp) in [("article rewriter", &ar), ("Moby", &moby)] {
                    for share in [0.3, 0.5] {
                        let queries = matching::spin_queries(sp, &present, &pos, &absent, share, 20240601);
                        let mut truth = Vec::new();
                        let mut other = Vec::new();
                        for (text, t, _) in &queries {
                            let found = m.find(&index, text, 10);
                            match t {
                                Some(t) => truth.push(found.iter().find(|f| f.doc as usize == *t).map(|f| f.similarity).unwrap_or(0.0)),
                                None => other.push(found.first().map(|f| f.similarity).unwrap_or(0.0)),
                            }
                        }
                        truth.sort_by(f64::total_cmp);
                        other.sort_by(f64::total_cmp);
                        let q = |v: &[f64], p: f64| v[((v.len() - 1) as f64 * p) as usize];
                        println!("{name} {share}: true source p1 {:.3} p5 {:.3} median {:.3}; held-apart best max {:.3} p99 {:.3} median {:.3}",
                            q(&truth, 0.01), q(&truth, 0.05), q(&truth, 0.5), other.last().unwrap(), q(&other, 0.99), q(&other, 0.5));
                    }
                }
                return Ok(());
            }
            "rates" => rates = v.split(',').map(|x| x.parse().unwrap()).collect(),
            _ => anyhow::bail!("unknown {k}"),
        }
    }
    let t = std::time::Instant::now();
    let (rows, detail) = matching::rows(
        &docs,
        &[("article rewriter", &ar), ("Moby", &moby)],
        &lexicon,
        p,
        &rates,
        &[Split::Dev],
        n,
        20240601,
        baseline,
    );
    eprintln!("{detail} ({:.1} s)", t.elapsed().as_secs_f64());
    for r in rows {
        let f: Vec<String> = r.figures.iter().map(|f| format!("{}={:.3}", f.name, f.value.unwrap_or(f64::NAN))).collect();
        println!("{:<24} {:<22} {} {}", r.dataset, r.detector, r.size, f.join(" "));
    }
    Ok(())
}

#[allow(dead_code)]
pub fn profile(docs: &[unspin_eval::BrownDoc], lexicon: &unspin_lexicon::Lexicon) {
    let setup = matching::Setup::new(docs);
    let m = unspin_matching::Matcher::new(lexicon, unspin_matching::MatchParams::default());
    let texts: Vec<&str> = setup.passages.iter().take(300).map(|p| p.text.as_str()).collect();
    for round in 0..2 {
        let t = std::time::Instant::now();
        let a: Vec<_> = texts.iter().map(|t| m.analyse(t)).collect();
        let ta = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let mut s = 0.0;
        let ci = unspin_matching::align::CopyIndex::new(&a[0], &m.params().align);
        for w in a.windows(2) {
            s += unspin_matching::align::align_indexed(&ci, &w[1], &m.params().align).similarity;
        }
        eprintln!("round {round}: analyse {:.3} ms/doc, align {:.3} ms/pair ({s:.1})", ta * 1000.0 / 300.0, t.elapsed().as_secs_f64() * 1000.0 / 299.0);
    }
}
