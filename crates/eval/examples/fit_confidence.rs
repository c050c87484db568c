//! Fits the engine's confidence model (boosted trees over
//! `Evidence::features`, see `unspin_engine::confidence`) on the DEVELOPMENT
//! split only: clean Brown documents (every restoration there is wrong),
//! their spun copies at 10, 20 and 30% (a restoration is right when it
//! overlaps a gold swap), and the development half of the July tortured
//! phrases in the carrier sentences.
//!
//! First a four-fold cross-validation (by Brown document and by tortured
//! phrase, so no document or phrase is judged by a model that saw it)
//! prints, per threshold, the held-out false alarms per 1,000 clean words
//! (overall and in the worst genre) and the swaps and tortured phrases
//! found; the default threshold is the lowest at which no genre shows more
//! than 0.9 (the last line before the model is written). Each fold model
//! is trees over the sentence's features (`Evidence::SENTENCE_FEATURES`)
//! and then 25 trees over all features, boosted on from the first over the
//! restorations with an echo only (`boost::fit_gated`; `UNSPIN_ECHO_TREES=n`,
//! 0 for none). The clean
//! documents are also checked a sentence at a time, each sentence a text of
//! its own (as `--lines` sees them): those rows are only judged, by the
//! fold model of their document, and count as groups of their own in the
//! rule ("news by sentence"). The model written to OUT (default
//! crates/engine/data/confidence.trees) is fitted alike on all the rows;
//! the threshold read from the fold models holds for it on unseen text.
//!
//! cargo run --release -p unspin-eval --example fit_confidence -- [OUT] [NAME=VALUE...]
//! (the thorough setting's model: `-- crates/engine/data/confidence-thorough.trees thorough=1`;
//! the web profile's: `-- crates/engine/data/confidence-web.trees profile=web`
//! and `-- crates/engine/data/confidence-web-thorough.trees profile=web thorough=1`;
//! the papers profile's likewise with `profile=papers`)
//! (settings as for `unspin eval --set`, applied to the decoding the
//! evidence is collected under). `profile=web` leaves the tortured phrases
//! out of the fit, `profile=papers` the spun documents (weight 0; they are
//! still judged and counted).
//! `UNSPIN_TORTURED_WEIGHT=x` weighs each tortured-phrase row (default 1,
//! 0 with `profile=web`) against a Brown row, `UNSPIN_SPUN_WEIGHT=x` each
//! spun document's (default 1, 0 with `profile=papers`); `UNSPIN_BOOST` sets
//! the boosting parameters (see below); `UNSPIN_LOGISTIC=1` cross-validates
//! the logistic model the trees replaced instead, and writes nothing.
//! `UNSPIN_ESCALATE=1` also prints, for texts the held-out confidences call
//! spun, the log-odds shift that makes their restorations' confidences
//! honest (`Profile::spun_shift`) and what lower thresholds there would find.
//! `UNSPIN_VERDICT=1` also prints what document verdicts that read the
//! restorations below the threshold as well would call spun (ARCHITECTURE.md,
//! step 8).
//! `UNSPIN_DOC_TREES=n` also fits, per fold, n document trees
//! (`unspin_engine::document`) gated on texts of 300 words or more that
//! read the text's confidence mass (the held-out confidences of 0.5 or more
//! of its other restorations, per 1,000 words), tortured phrases inside
//! documents weighted `UNSPIN_LONG_WEIGHT` (default 1) in the fit, and
//! prints what they find at one threshold and at one for short texts and
//! one for long, as they are ("after") and as the engine reads them, only
//! ever raising a confidence ("raise only", "shipped rule") or, in a
//! document escalated to the thorough look, both ways from the floor up
//! ("escalated reading", `Profile::escalated_document`); then writes n
//! such trees fitted on all the rows to OUT with "-document" before
//! ".trees", and the long-text threshold for `Profile::document`. The
//! shipped ones: `UNSPIN_DOC_TREES=100 ... -- crates/engine/data/confidence-thorough.trees thorough=1`.
//! `UNSPIN_FOLD_MODELS=DIR` also writes each fold model as DIR/fold{f}.trees
//! (fold f holds out Brown document i of the development list when
//! i % folds == f, and likewise tortured phrase i): for cross-fitting models that
//! build on the confidence, such as the neural verifier's weights.
use std::path::Path;

use rayon::prelude::*;
use unspin_engine::{Config, Engine, Evidence, Model, Profile};
use unspin_eval::boost::{fit, fit_gated, Params, Row};
use unspin_eval::brown::{load_brown, select, Split};
use unspin_eval::spinner::Spinner;

/// What a row comes from.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Clean,
    /// A sentence of a clean document, checked on its own (one document per
    /// line). Held out only, never fitted on.
    CleanSentence,
    Spun,
    Tortured,
    /// A tortured phrase in its carrier sentence after a clean science
    /// document: judged only, never fitted on.
    TorturedLong,
}

struct Labelled {
    features: Vec<f32>,
    right: bool,
    kind: Kind,
    /// Brown document or tortured phrase: the unit of the folds.
    group: usize,
    /// Tortured-phrase instance (phrase in one carrier), for counting finds.
    instance: usize,
    /// The text the row was found in, within its group: the sentence of a
    /// clean document, the spin rate of a spun copy (0 otherwise).
    unit: usize,
}

fn main() -> anyhow::Result<()> {
    let mut out = "crates/engine/data/confidence.trees".to_string();
    let mut config = Config::default();
    for arg in std::env::args().skip(1) {
        if arg.contains('=') {
            config.set_assignment(&arg).map_err(anyhow::Error::msg)?;
        } else {
            out = arg;
        }
    }
    let engine = Engine::new(Model::open(Path::new("model"))?, config);
    let spinner = Spinner::load(Path::new("../shared/data/spinner-dictionaries/article-rewriter-en.sdata"))?;
    let docs = select(&load_brown(Path::new(".cache/data/brown"))?, Split::Dev, None);
    let words: Vec<usize> = docs.iter().map(|d| d.text.split_whitespace().count()).collect();
    let mut rows: Vec<Labelled> = Vec::new();
    let clean: Vec<Vec<Vec<f32>>> =
        docs.par_iter().map(|d| engine.explain(&d.text).iter().map(|e| e.evidence.features().to_vec()).collect()).collect();
    for (group, found) in clean.into_iter().enumerate() {
        rows.extend(found.into_iter().map(|features| Labelled { features, right: false, kind: Kind::Clean, group, instance: 0, unit: 0 }));
    }
    let sentence_rows: Vec<Vec<(Vec<f32>, usize)>> = docs
        .par_iter()
        .map(|d| {
            unspin_eval::measure::sentences(&d.text)
                .into_iter()
                .enumerate()
                .flat_map(|(k, s)| engine.explain(s).into_iter().map(move |e| (e.evidence.features().to_vec(), k)))
                .collect()
        })
        .collect();
    // Words of each unit (see `Labelled::unit`), by group.
    let mut unit_words: std::collections::HashMap<(Kind, usize, usize), usize> = std::collections::HashMap::new();
    for (group, d) in docs.iter().enumerate() {
        unit_words.insert((Kind::Clean, group, 0), words[group]);
        for (k, s) in unspin_eval::measure::sentences(&d.text).into_iter().enumerate() {
            unit_words.insert((Kind::CleanSentence, group, k), s.split_whitespace().count());
        }
    }
    for (group, found) in sentence_rows.into_iter().enumerate() {
        rows.extend(found.into_iter().map(|(features, unit)| Labelled { features, right: false, kind: Kind::CleanSentence, group, instance: 0, unit }));
    }
    let mut gold_by_rate = Vec::new();
    let mut gold = 0usize;
    for (unit, rate) in [0.1, 0.2, 0.3].into_iter().enumerate() {
        let spun = unspin_eval::spin_docs(&spinner, &docs, rate, 20240601);
        gold += spun.iter().map(|s| s.gold.len()).sum::<usize>();
        gold_by_rate.push(spun.iter().map(|s| s.gold.len()).sum::<usize>());
        for (group, s) in spun.iter().enumerate() {
            unit_words.insert((Kind::Spun, group, unit), s.text.split_whitespace().count());
        }
        let found: Vec<Vec<(Vec<f32>, bool)>> = spun
            .par_iter()
            .map(|s| {
                engine
                    .explain(&s.text)
                    .iter()
                    .map(|e| (e.evidence.features().to_vec(), s.gold.iter().any(|g| e.finding.start < g.end && g.start < e.finding.end)))
                    .collect()
            })
            .collect();
        for (group, found) in found.into_iter().enumerate() {
            rows.extend(found.into_iter().map(|(features, right)| Labelled { features, right, kind: Kind::Spun, group, instance: 0, unit }));
        }
    }
    let july = unspin_eval::pps::dedup(&unspin_eval::pps::load_pps(Path::new("../shared/data/tortured-phrases/pps-2025-07.csv"))?);
    let dev: Vec<_> = july.into_iter().filter(|t| unspin_eval::pps::phrase_split(&t.phrase) == Split::Dev).collect();
    let templates = unspin_eval::pps::carriers();
    let instances = unspin_eval::measure::phrase_instances(&dev, Some(&templates));
    let per_phrase = templates.len().max(1);
    let found: Vec<Vec<(Vec<f32>, bool)>> = instances
        .par_iter()
        .map(|i| engine.explain(&i.text).iter().map(|e| (e.evidence.features().to_vec(), e.finding.start < i.end && i.start < e.finding.end)).collect())
        .collect();
    for (instance, found) in found.into_iter().enumerate() {
        let group = instance / per_phrase;
        rows.extend(found.into_iter().map(|(features, right)| Labelled { features, right, kind: Kind::Tortured, group, instance, unit: 0 }));
    }
    // Tortured phrases inside long documents, as in a manuscript: each
    // carrier text after a clean science document (one in eight
    // instances; judged only). The carrier sentences alone cannot show
    // what evidence from the rest of a text does to a tortured phrase.
    let science: Vec<&str> = docs.iter().filter(|d| d.genre.name() == "science").map(|d| d.text.as_str()).collect();
    let carriers: Vec<unspin_eval::measure::PhraseInstance> = instances.iter().step_by(per_phrase).cloned().collect();
    let inside = unspin_eval::measure::in_documents(&carriers, &science);
    let long_found: Vec<(usize, Vec<(Vec<f32>, bool)>)> = inside
        .par_iter()
        .zip(&carriers)
        .enumerate()
        .map(|(j, (i, carrier))| {
            // Only the restorations in the carrier sentence: those of the
            // document before it are the clean rows' own.
            let carrier_start = i.text.len() - carrier.text.len();
            let found = engine.explain(&i.text).iter().filter(|e| e.finding.start >= carrier_start).map(|e| (e.evidence.features().to_vec(), e.finding.start < i.end && i.start < e.finding.end)).collect();
            (j * per_phrase, found)
        })
        .collect();
    let long_instances = long_found.len();
    for (instance, found) in long_found {
        let group = instance / per_phrase;
        rows.extend(found.into_iter().map(|(features, right)| Labelled { features, right, kind: Kind::TorturedLong, group, instance, unit: 0 }));
    }
    // $UNSPIN_DROP=i,j,...: features left out (set to 0), for measuring
    // what each one brings.
    if let Ok(v) = std::env::var("UNSPIN_DROP") {
        let drop: Vec<usize> = v.split(',').map(|x| x.parse()).collect::<Result<_, _>>()?;
        for r in &mut rows {
            for &i in &drop {
                r.features[i] = 0.0;
            }
        }
    }
    // What each profile is fitted on: (tortured phrases, spun documents);
    // clean prose always.
    let (profile_tortured, profile_spun) = match engine.config().profile {
        Profile::General => (1.0, 1.0),
        Profile::Web => (0.0, 1.0),
        Profile::Papers => (1.0, 0.0),
    };
    let tortured_weight: f64 = std::env::var("UNSPIN_TORTURED_WEIGHT").ok().and_then(|v| v.parse().ok()).unwrap_or(profile_tortured);
    // $UNSPIN_SPUN_WEIGHT: the spun documents' rows (default: the profile's).
    let spun_weight: f64 = std::env::var("UNSPIN_SPUN_WEIGHT").ok().and_then(|v| v.parse().ok()).unwrap_or(profile_spun);
    let weight = |r: &Labelled| match r.kind {
        Kind::Tortured => tortured_weight,
        Kind::Spun => spun_weight,
        _ => 1.0,
    };
    let as_row = |r: &Labelled| -> Row { (r.features.clone(), r.right, weight(r)) };
    // Sentence rows and tortured phrases inside documents are judged, never
    // learnt from: the model is fitted on whole documents and carrier
    // sentences, and the others check that it holds there too.
    let fitted_on = |r: &Labelled| !matches!(r.kind, Kind::CleanSentence | Kind::TorturedLong);
    eprintln!(
        "{} restorations ({} right); {} clean words; {} gold swaps; {} tortured-phrase instances",
        rows.len(),
        rows.iter().filter(|r| r.right).count(),
        words.iter().sum::<usize>(),
        gold,
        instances.len()
    );
    // $UNSPIN_BOOST = "iterations,learning_rate,max_leaves,min_leaf,l2,bins"
    // overrides the defaults.
    // More language-model gain, a likelier swap and more unseen edges
    // around the written phrase are evidence for a swap and never against.
    // Large trees, many of them, slowly: held out on development, trees
    // of up to 127 leaves (at least 25 rows each), 150 of them at a rate of
    // 0.1 with some shrinkage, found 9% more swaps and 31% more tortured
    // phrases in carriers than 75 trees of 31 leaves at 0.2 at the same
    // rate of false alarms; fewer or smaller trees lost most of that.
    let mut params = Params { iterations: 150, learning_rate: 0.1, max_leaves: 127, min_leaf: 25, l2: 1.0, bins: 255, increasing: vec![1, 2, 3] };
    if let Ok(v) = std::env::var("UNSPIN_BOOST") {
        let v: Vec<f64> = v.split(',').map(|x| x.parse()).collect::<Result<_, _>>()?;
        anyhow::ensure!(v.len() == 6, "UNSPIN_BOOST needs six numbers");
        params = Params {
            iterations: v[0] as usize,
            learning_rate: v[1],
            max_leaves: v[2] as usize,
            min_leaf: v[3] as usize,
            l2: v[4],
            bins: v[5] as usize,
            increasing: params.increasing.clone(),
        };
    }

    // Held-out confidences by cross-validation; $UNSPIN_FOLDS: how many
    // folds (default 4).
    let folds: usize = std::env::var("UNSPIN_FOLDS").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    let fold = |r: &Labelled| r.group % folds;
    let mut held_out = vec![0f64; rows.len()];
    // The trees over the sentence's features, then the gated ones over the
    // echoes (`boost::fit_gated`; $UNSPIN_ECHO_TREES of them, default 25;
    // 0 leaves them out).
    let echo_trees: usize = std::env::var("UNSPIN_ECHO_TREES").ok().and_then(|v| v.parse().ok()).unwrap_or(25);
    let fit_model = |train: &[Row]| {
        let sentence_only: Vec<Row> = train.iter().map(|r| (r.0[..Evidence::SENTENCE_FEATURES].to_vec(), r.1, r.2)).collect();
        let model = fit(&sentence_only, &params);
        if echo_trees == 0 {
            return model;
        }
        fit_gated(train, &Params { iterations: echo_trees, ..params.clone() }, &model, Evidence::ECHO_GATE)
    };
    let mut models = Vec::new();
    for f in 0..folds {
        let train: Vec<Row> = rows.iter().filter(|r| fold(r) != f && fitted_on(r)).map(as_row).collect();
        if std::env::var_os("UNSPIN_LOGISTIC").is_some() {
            // The logistic model the trees replaced, held out alike, for
            // comparison (tortured rows weighted as in the fit it made).
            const N: usize = unspin_engine::Evidence::FEATURES;
            let linear: Vec<([f32; N], bool)> = train
                .iter()
                .flat_map(|r| {
                    // Features the profile's trees do not read stay 0.
                    let mut x = [0f32; N];
                    x[..r.0.len()].copy_from_slice(&r.0);
                    std::iter::repeat_n((x, r.1), r.2.round().max(1.0) as usize)
                })
                .collect();
            let w = unspin_eval::logistic::fit(&linear, 25);
            for (i, r) in rows.iter().enumerate() {
                if fold(r) == f {
                    let z: f32 = r.features.iter().zip(&w).map(|(a, b)| a * b).sum();
                    held_out[i] = 1.0 / (1.0 + (-z as f64).exp());
                }
            }
            continue;
        }
        let model = fit_model(&train);
        for (i, r) in rows.iter().enumerate() {
            if fold(r) == f {
                held_out[i] = model.probability(&r.features);
            }
        }
        models.push(model);
    }
    let clean_words: usize = words.iter().sum();
    // What the held-out confidences find from threshold `t` on: clean false
    // alarms, spun findings, right ones among them, tortured-phrase texts found.
    let found_from = |t: f64| {
        let above = |kind: Kind| rows.iter().zip(&held_out).filter(move |(r, &c)| r.kind == kind && c >= t).map(|(r, _)| r);
        let swaps = above(Kind::Spun).filter(|r| r.right).count();
        (above(Kind::Clean).count(), above(Kind::Spun).count(), swaps, instances_found(above(Kind::Tortured)))
    };
    let share = |n: usize, of: usize| n as f64 / of.max(1) as f64;
    // Clean false alarms per 1,000 words of the worst genre (news, fiction,
    // science): the promise to stay quiet holds for each. Whole documents
    // and the same documents sentence by sentence are judged apart: a
    // text's length must not buy it findings. Each group: its name, its
    // restorations (indices into `rows`) and its words.
    let genre_of = |doc: usize| docs[doc].genre.name();
    let mut genres: Vec<&str> = (0..docs.len()).map(genre_of).collect();
    genres.sort();
    genres.dedup();
    let mut groups: Vec<(String, Vec<usize>, usize)> = Vec::new();
    for &g in &genres {
        let in_genre = |doc: usize| genre_of(doc) == g;
        let w: usize = words.iter().enumerate().filter(|&(d, _)| in_genre(d)).map(|(_, w)| w).sum();
        for (kind, name) in [(Kind::Clean, g.to_string()), (Kind::CleanSentence, format!("{g} by sentence"))] {
            let members = (0..rows.len()).filter(|&i| rows[i].kind == kind && in_genre(rows[i].group)).collect();
            groups.push((name, members, w));
        }
    }
    let per_k = |x: f64, w: usize| x * 1000.0 / w.max(1) as f64;
    // The worst rate among the groups `keep` names, by confidences `conf`,
    // and the lowest threshold that keeps it at or under 0.9.
    let worst_rate = |conf: &[f64], t: f64, keep: &dyn Fn(&str) -> bool| {
        groups
            .iter()
            .filter(|(name, _, _)| keep(name))
            .map(|(name, members, w)| (per_k(members.iter().filter(|&&i| conf[i] >= t).count() as f64, *w), name.as_str()))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap_or((0.0, ""))
    };
    let lowest_for = |conf: &[f64], keep: &dyn Fn(&str) -> bool| (0..=1000).map(|k| k as f64 / 1000.0).find(|&t| worst_rate(conf, t, keep).0 <= 0.9).unwrap_or(1.0);
    let worst_genre_rate = |t: f64| worst_rate(&held_out, t, &|_| true);
    println!("held-out ({folds}-fold) on the development split:");
    for t in [0.3, 0.4, 0.5, 0.55, 0.6, 0.625, 0.65, 0.675, 0.7, 0.725, 0.75, 0.8, 0.85, 0.9] {
        let (fp, flagged, hits, tortured) = found_from(t);
        let (worst, genre) = worst_genre_rate(t);
        println!(
            "threshold {t:.3}: clean FP/1k {:.2} (worst genre {genre} {worst:.2}), swaps found {:.4} (precision {:.3}), tortured phrases in carriers found {:.3}",
            fp as f64 * 1000.0 / clean_words as f64,
            share(hits, gold),
            share(hits, flagged),
            share(tortured, instances.len())
        );
    }
    // The same at fixed rates of false alarms, for comparing settings.
    let mut clean_scores: Vec<f64> = rows.iter().zip(&held_out).filter(|(r, _)| r.kind == Kind::Clean).map(|(_, &c)| c).collect();
    clean_scores.sort_by(|a, b| b.total_cmp(a));
    for rate in [0.5, 0.75, 0.9, 1.0] {
        let k = (rate * clean_words as f64 / 1000.0) as usize;
        let t = clean_scores.get(k).map_or(0.0, |&c| c + 1e-9);
        let (_, _, hits, tortured) = found_from(t);
        println!(
            "at {rate:.2} clean FP/1k (threshold {t:.3}): swaps found {:.4}, tortured phrases found {:.3}",
            share(hits, gold),
            share(tortured, instances.len())
        );
    }
    // The default threshold: the lowest at which no genre's held-out clean
    // prose shows more than 0.9 findings per 1,000 words.
    let lowest = lowest_for(&held_out, &|_| true);
    let (_, _, hits, tortured) = found_from(lowest);
    let (worst, genre) = worst_genre_rate(lowest);
    // The confidence mass of clean prose's findings there: what the
    // document score's `doc_clean_rate` compares a document against.
    let clean_mass: f64 = rows.iter().zip(&held_out).filter(|(r, &c)| r.kind == Kind::Clean && c >= lowest).map(|(_, &c)| c).sum();
    // The same per group: the largest.
    let worst_mass = groups.iter().map(|(_, members, w)| per_k(members.iter().map(|&i| held_out[i]).filter(|&c| c >= lowest).sum(), *w)).fold(0.0, f64::max);
    let long_found = instances_found(rows.iter().zip(&held_out).filter(|(r, &c)| r.kind == Kind::TorturedLong && c >= lowest).map(|(r, _)| r));
    println!("tortured phrases inside long documents found at the rule's threshold: {:.3} ({long_found} of {long_instances})", share(long_found, long_instances));
    println!(
        "at most 0.90 clean FP/1k in every genre (threshold {lowest:.3}; {genre} {worst:.2}; clean confidence mass {:.2}/1k, worst group {worst_mass:.2}): swaps found {:.4}, tortured phrases found {:.3}",
        clean_mass * 1000.0 / clean_words as f64,
        share(hits, gold),
        share(tortured, instances.len())
    );
    // $UNSPIN_DOC_TREES=n (experiment): n more trees per fold, gated on
    // texts of 300 words or more, that read the text's confidence mass (the
    // held-out confidences of its other restorations of 0.5 or more, per
    // 1,000 words). A tortured phrase inside a document is counted in the
    // mass of the clean science document before it (`measure::in_documents`
    // puts carrier k after science document k modulo their number) and of
    // its own carrier sentence; its text is taken as that document's words
    // and a carrier's 15.
    let mut document_plan: Option<DocumentPlan> = None;
    if let Some(n) = std::env::var("UNSPIN_DOC_TREES").ok().and_then(|v| v.parse::<usize>().ok()) {
        let science_idx: Vec<usize> = (0..docs.len()).filter(|&d| docs[d].genre.name() == "science").collect();
        let key = |r: &Labelled| -> (Kind, usize, usize) {
            match r.kind {
                Kind::TorturedLong => (Kind::TorturedLong, r.instance, 0),
                Kind::Tortured => (Kind::Tortured, r.instance, 0),
                k => (k, r.group, r.unit),
            }
        };
        let mut mass: std::collections::HashMap<(Kind, usize, usize), f64> = std::collections::HashMap::new();
        for (r, &c) in rows.iter().zip(&held_out) {
            if c >= unspin_engine::document::MASS_FLOOR {
                *mass.entry(key(r)).or_default() += c;
            }
        }
        let long_doc = |r: &Labelled| science_idx[(r.instance / per_phrase) % science_idx.len()];
        let text_words = |r: &Labelled| -> usize {
            match r.kind {
                Kind::TorturedLong => words[long_doc(r)] + 15,
                Kind::Tortured => 15,
                k => unit_words.get(&(k, r.group, r.unit)).copied().unwrap_or(0),
            }
        };
        let ext: Vec<Vec<f32>> = rows
            .iter()
            .zip(&held_out)
            .map(|(r, &c)| {
                let mut m = mass.get(&key(r)).copied().unwrap_or(0.0) - if c >= unspin_engine::document::MASS_FLOOR { c } else { 0.0 };
                if r.kind == Kind::TorturedLong {
                    m += mass.get(&(Kind::Clean, long_doc(r), 0)).copied().unwrap_or(0.0);
                }
                let w = text_words(r);
                let features: [f32; Evidence::FEATURES] = r.features.as_slice().try_into().expect("evidence features");
                unspin_engine::document::inputs(&features, m * 1000.0 / w.max(1) as f64, w >= unspin_engine::document::MIN_WORDS).to_vec()
            })
            .collect();
        let gate = ext[0].len() - 1;
        let long_weight: f64 = std::env::var("UNSPIN_LONG_WEIGHT").ok().and_then(|v| v.parse().ok()).unwrap_or(1.0);
        let doc_train = |keep: &dyn Fn(&Labelled) -> bool| -> Vec<Row> {
            rows.iter()
                .zip(&ext)
                .filter(|(r, _)| keep(r) && r.kind != Kind::CleanSentence && (r.kind != Kind::TorturedLong || long_weight > 0.0))
                .map(|(r, x)| (x.clone(), r.right, if r.kind == Kind::TorturedLong { long_weight } else { weight(r) }))
                .collect()
        };
        let mut held2 = held_out.clone();
        for f in 0..folds {
            let train = doc_train(&|r| fold(r) != f);
            let m = fit_gated(&train, &Params { iterations: n, ..params.clone() }, &models[f], gate);
            for (i, r) in rows.iter().enumerate() {
                if fold(r) == f {
                    held2[i] = m.probability(&ext[i]);
                }
            }
        }
        let is_long = |r: &Labelled| text_words(r) >= unspin_engine::document::MIN_WORDS;
        let judge = |name: &str, conf: &[f64], t_short: f64, t_long: f64| {
            let t_of = |r: &Labelled| if is_long(r) { t_long } else { t_short };
            let above = |kind: Kind| rows.iter().zip(conf).filter(move |(r, &c)| r.kind == kind && c >= t_of(r)).map(|(r, _)| r);
            let hits = above(Kind::Spun).filter(|r| r.right).count();
            let flagged = above(Kind::Spun).count();
            let by_rate: Vec<String> = (0..3).map(|u| format!("{:.4}", share(above(Kind::Spun).filter(|r| r.right && r.unit == u).count(), gold_by_rate[u]))).collect();
            println!(
                "doc trees {name}: thresholds {t_short:.3}/{t_long:.3}: swaps {:.4} ({}) precision {:.3}, tortured {:.3}, in documents {:.3}",
                share(hits, gold),
                by_rate.join(" "),
                share(hits, flagged),
                share(instances_found(above(Kind::Tortured)), instances.len()),
                share(instances_found(above(Kind::TorturedLong)), long_instances)
            );
        };
        // Short texts are read against the clean sentences, long ones
        // against the whole documents.
        let sentences = |name: &str| name.ends_with("by sentence");
        let documents = |name: &str| !sentences(name);
        // The document trees may only raise a confidence: a lone tortured
        // phrase in clean prose keeps what the sentence gave it; and only
        // from `RAISE_FLOOR` up, as the engine does.
        let floor = unspin_engine::document::RAISE_FLOOR;
        let raised: Vec<f64> = held_out.iter().zip(&held2).map(|(a, b)| if *a >= floor { a.max(*b) } else { *a }).collect();
        println!("restorations the document trees read (at least {floor}): {:.3}", held_out.iter().filter(|&&a| a >= floor).count() as f64 / held_out.len() as f64);
        for (name, conf) in [("before", &held_out), ("after", &held2), ("raise only", &raised)] {
            let t = lowest_for(conf, &|_| true);
            judge(&format!("{name}, one threshold"), conf, t, t);
            judge(&format!("{name}, two thresholds"), conf, lowest_for(conf, &sentences), lowest_for(conf, &documents));
        }
        // A document that looks spun is read both ways (the engine's
        // reading after escalation): from the floor up as the trees say.
        let both: Vec<f64> = held_out.iter().zip(&held2).map(|(a, b)| if *a >= floor { *b } else { *a }).collect();
        judge("escalated reading (both ways)", &both, lowest, lowest_for(&both, &documents));
        // What the engine does (`unspin_engine::document`): short texts keep
        // the rule's threshold, long ones are read at the lowest that keeps
        // the raised confidences of whole clean documents under the rule.
        let long_threshold = lowest_for(&raised, &documents);
        judge("shipped rule", &raised, lowest, long_threshold);
        // The escalated reading as the engine gates it: only a long text
        // whose document score at the shipped rule reaches `escalate_at` is
        // read both ways, at a threshold of its own; every other keeps the
        // shipped rule. Per such threshold: the worst genre of clean whole
        // documents, the swaps found and the precision, overall and in the
        // spun texts escalated. With `thorough=1` this is the default's
        // second look and `--thorough`'s re-reading (gated here by the
        // thorough confidences, the engine by the first look's): a threshold
        // below the rule's (`Profile::escalated_document`) finds more swaps
        // only at a lower precision (held out on development, 0.722: 0.0764
        // at 0.818 in escalated texts; 0.65: 0.0897 at 0.759).
        let config = engine.config();
        let mut units: std::collections::HashMap<(Kind, usize, usize), Vec<usize>> = std::collections::HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            if matches!(r.kind, Kind::Clean | Kind::Spun) && is_long(r) {
                units.entry(key(r)).or_default().push(i);
            }
        }
        let escalated_units: std::collections::HashSet<(Kind, usize, usize)> = units
            .iter()
            .filter(|(_, members)| {
                let kept = members.iter().map(|&i| raised[i]).filter(|&c| c >= long_threshold);
                score_of(kept, text_words(&rows[members[0]]), config.doc_clean_rate) >= config.escalate_at
            })
            .map(|(k, _)| *k)
            .collect();
        let escalated_clean = escalated_units.iter().filter(|k| k.0 == Kind::Clean).count();
        let escalated_spun: Vec<usize> = (0..3).map(|u| escalated_units.iter().filter(|k| k.0 == Kind::Spun && k.2 == u).count()).collect();
        println!("texts escalated (score at least {}): clean {escalated_clean}, spun 10/20/30% {escalated_spun:?}", config.escalate_at);
        for t_esc in [0.5, 0.55, 0.6, 0.625, 0.65, 0.675, 0.7, lowest_for(&both, &documents), 0.75] {
            let up = |i: usize| escalated_units.contains(&key(&rows[i]));
            let found = |i: usize| if up(i) { both[i] >= t_esc } else { raised[i] >= if is_long(&rows[i]) { long_threshold } else { lowest } };
            let gated: Vec<f64> = (0..rows.len()).map(|i| if found(i) { 1.0 } else { 0.0 }).collect();
            let (worst, genre) = worst_rate(&gated, 0.5, &documents);
            let spun = |only_up: bool| rows.iter().enumerate().filter(move |&(i, r)| r.kind == Kind::Spun && found(i) && (!only_up || up(i)));
            let hits = spun(false).filter(|(_, r)| r.right).count();
            let by_rate: Vec<String> = (0..3).map(|u| format!("{:.4}", share(spun(false).filter(|(_, r)| r.right && r.unit == u).count(), gold_by_rate[u]))).collect();
            println!(
                "escalated texts read at {t_esc:.3}: worst clean {genre} {worst:.2}/1k; swaps {:.4} ({}) precision {:.3}, in escalated texts {:.3}",
                share(hits, gold),
                by_rate.join(" "),
                share(hits, spun(false).count()),
                share(spun(true).filter(|(_, r)| r.right).count(), spun(true).count())
            );
        }
        document_plan = Some(DocumentPlan { train: doc_train(&|_| true), iterations: n, gate, long_threshold });
    }
    // $UNSPIN_ESCALATE=1: a text whose document score (from its findings
    // at the rule's threshold) reaches E is read again at a lower threshold
    // t2; what that does to clean prose (every genre, whole and by
    // sentence) and to the swaps found, per spin rate.
    // The held-out restorations (confidence, right) of each text a verdict
    // is read on: a clean document, a clean sentence, a spun document.
    let texts = || {
        let mut units: std::collections::HashMap<(Kind, usize, usize), Vec<(f64, bool)>> = std::collections::HashMap::new();
        for (r, &c) in rows.iter().zip(&held_out) {
            if matches!(r.kind, Kind::Clean | Kind::CleanSentence | Kind::Spun) {
                units.entry((r.kind, r.group, r.unit)).or_default().push((c, r.right));
            }
        }
        units
    };
    let clean_rate = engine.config().doc_clean_rate;
    // A text's document score from its restorations at `t` or more, as the
    // engine scores its findings.
    let score = |cs: &[(f64, bool)], w: usize, t: f64| score_of(cs.iter().map(|&(c, _)| c).filter(|&c| c >= t), w, clean_rate);
    if std::env::var_os("UNSPIN_ESCALATE").is_some() {
        let units = texts();
        let t1 = lowest;
        // The shift of log-odds that makes the held-out confidences of the
        // restorations in texts called spun honest (maximum likelihood).
        let escalated_rows: Vec<(f64, bool)> = units
            .iter()
            .filter(|(&(kind, group, unit), cs)| kind != Kind::CleanSentence && score(cs, unit_words.get(&(kind, group, unit)).copied().unwrap_or(0), t1) >= 0.99)
            .flat_map(|(_, cs)| cs.iter().copied())
            .collect();
        let shift = unspin_engine::shift_log_odds;
        let mut delta = 0.0f64;
        for _ in 0..50 {
            let (mut g, mut h) = (0.0, 0.0);
            for &(c, right) in &escalated_rows {
                let p = shift(c, delta);
                g += right as u8 as f64 - p;
                h += p * (1.0 - p);
            }
            delta += g / h.max(1e-9);
        }
        let shifted_t = |t: f64| shift(t, -delta);
        println!("restorations in texts called spun: {}; calibrating shift {delta:.3} (threshold {t1:.3} there = {:.3} before the shift)", escalated_rows.len(), shifted_t(t1));
        for e in [0.99, 0.999, 0.9999, 2.0] {
            for t2 in [0.4, 0.5, 0.55, 0.6, shifted_t(t1)] {
                let mut fp_by_group: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
                let mut found = [0usize; 3];
                let mut flagged = 0usize;
                let mut escalated = [0usize; 5];
                for (&(kind, group, unit), cs) in &units {
                    let w = unit_words.get(&(kind, group, unit)).copied().unwrap_or(0);
                    let up = score(cs, w, t1) >= e;
                    let t = if up { t2 } else { t1 };
                    let n = cs.iter().filter(|(c, _)| *c >= t).count();
                    match kind {
                        Kind::Spun => {
                            found[unit] += cs.iter().filter(|(c, right)| *c >= t && *right).count();
                            flagged += n;
                            escalated[unit] += up as usize;
                        }
                        Kind::Clean => {
                            *fp_by_group.entry(genre_of(group).to_string()).or_default() += n;
                            escalated[3] += up as usize;
                        }
                        _ => {
                            *fp_by_group.entry(format!("{} by sentence", genre_of(group))).or_default() += n;
                            escalated[4] += up as usize;
                        }
                    }
                }
                let worst = groups
                    .iter()
                    .map(|(name, _, w)| (per_k(*fp_by_group.get(name).unwrap_or(&0) as f64, *w), name.clone()))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .unwrap();
                println!(
                    "escalate at {e} to {t2}: worst clean {} {:.2}/1k; swaps found 10/20/30% {:.4} {:.4} {:.4} (all {:.4}, precision {:.3}); escalated spun {:?}, clean docs {}, clean sentences {}",
                    worst.1,
                    worst.0,
                    share(found[0], gold_by_rate[0]),
                    share(found[1], gold_by_rate[1]),
                    share(found[2], gold_by_rate[2]),
                    share(found.iter().sum(), gold),
                    share(found.iter().sum(), flagged),
                    &escalated[..3],
                    escalated[3],
                    escalated[4]
                );
            }
        }
    }
    // $UNSPIN_VERDICT=1: document verdicts that also read restorations
    // below the threshold. Per floor f: the clean rate of confidence mass
    // at f or more (worst genre, whole and by sentence, held out), a text
    // called spun when its mass at f scores 0.99 against that rate, or its
    // findings do as now; what that calls spun among clean texts and spun
    // documents at each rate.
    if std::env::var_os("UNSPIN_VERDICT").is_some() {
        let units = texts();
        let words_of = |k: &(Kind, usize, usize)| unit_words.get(k).copied().unwrap_or(0);
        let mass = |cs: &[(f64, bool)], f: f64| cs.iter().map(|&(c, _)| c).filter(|&c| c >= f).sum::<f64>();
        let spun_docs: Vec<usize> = (0..3).map(|u| unit_words.keys().filter(|k| k.0 == Kind::Spun && k.2 == u).count()).collect();
        let clean_docs = unit_words.keys().filter(|k| k.0 == Kind::Clean).count();
        let clean_sentences = unit_words.keys().filter(|k| k.0 == Kind::CleanSentence).count();
        // A floor over 1 is the verdict as it is (its findings only).
        for f in [2.0, 0.2, 0.3, 0.4, 0.5, 0.6] {
            // The worst genre's mass at f per 1,000 words.
            let rate = groups
                .iter()
                .map(|(_, members, w)| per_k(members.iter().map(|&i| held_out[i]).filter(|&c| c >= f).sum(), *w))
                .fold(0.0f64, f64::max);
            for margin in [1.0, 1.5, 2.0] {
                let called = |k: &(Kind, usize, usize), cs: &[(f64, bool)]| {
                    let w = words_of(k);
                    let now = score(cs, w, lowest) >= 0.99;
                    now || (f <= 1.0 && score_of(std::iter::once(mass(cs, f)), w, rate * margin) >= 0.99)
                };
                let mut spun_called = [0usize; 3];
                let (mut clean_called, mut sentences_called) = (0usize, 0usize);
                for (k, cs) in &units {
                    if !called(k, cs) {
                        continue;
                    }
                    match k.0 {
                        Kind::Spun => spun_called[k.2] += 1,
                        Kind::Clean => clean_called += 1,
                        _ => sentences_called += 1,
                    }
                }
                println!(
                    "verdict floor {f} (clean rate {rate:.2}/1k x {margin}): clean docs called spun {clean_called}/{clean_docs}, sentences {sentences_called}/{clean_sentences}; spun 10/20/30% called {:.3} {:.3} {:.3}",
                    share(spun_called[0], spun_docs[0]),
                    share(spun_called[1], spun_docs[1]),
                    share(spun_called[2], spun_docs[2])
                );
                if f > 1.0 {
                    break;
                }
            }
        }
    }
    // Trees remember the clean documents they were fitted on (in-sample
    // they raise almost no false alarm at any threshold), so only the fold
    // models, which never saw a document, set the threshold. The shipped
    // model is fitted the same way on all the rows: on text it never saw it
    // behaves as each fold model did on its held-out fold, and it holds a
    // quarter of the trees the mean of the four would
    // ($UNSPIN_SHIP_MEAN=1 writes that mean instead), which a check reads
    // for every restoration it weighs.
    if models.is_empty() {
        return Ok(());
    }
    if let Some(dir) = std::env::var_os("UNSPIN_FOLD_MODELS") {
        let dir = Path::new(&dir);
        std::fs::create_dir_all(dir)?;
        for (f, m) in models.iter().enumerate() {
            let path = dir.join(format!("fold{f}.trees"));
            std::fs::write(&path, m.to_text())?;
            println!("wrote {}", path.display());
        }
    }
    let model = if std::env::var_os("UNSPIN_SHIP_MEAN").is_some() {
        unspin_eval::boost::average(&models)
    } else {
        let train: Vec<Row> = rows.iter().filter(|r| fitted_on(r)).map(as_row).collect();
        fit_model(&train)
    };
    std::fs::write(&out, model.to_text())?;
    println!("wrote {out}: {} trees", model.trees.len());
    // The document trees, boosted on from the model just written, alone
    // (the engine adds what they say to its confidence, never less than
    // nothing) to OUT with "-document" before ".trees".
    if let Some(plan) = document_plan {
        let full = fit_gated(&plan.train, &Params { iterations: plan.iterations, ..params.clone() }, &model, plan.gate);
        let document = unspin_engine::ConfidenceModel::new(plan.train[0].0.len(), 0.0, full.trees[model.trees.len()..].to_vec());
        let path = match out.strip_suffix(".trees") {
            Some(stem) => format!("{stem}-document.trees"),
            None => format!("{out}-document"),
        };
        std::fs::write(&path, document.to_text())?;
        println!("wrote {path}: {} trees; long-text threshold {:.3} (short texts {lowest:.3})", document.trees.len(), plan.long_threshold);
    }
    Ok(())
}

/// What the shipped document trees are fitted on (`UNSPIN_DOC_TREES`).
struct DocumentPlan {
    /// Every row the fold trees were fitted on, with mass and gate.
    train: Vec<Row>,
    iterations: usize,
    gate: usize,
    /// Read from the fold trees' raised held-out confidences.
    long_threshold: f64,
}

/// The document score (`unspin_engine::document_score`) of a text of
/// `words` words whose findings at the threshold in force have
/// `confidences`: what decides whether the engine escalates it.
fn score_of(confidences: impl Iterator<Item = f64>, words: usize, clean_rate: f64) -> f64 {
    let findings: Vec<unspin_engine::Finding> = confidences
        .map(|confidence| unspin_engine::Finding { start: 0, end: 0, text: String::new(), suggestion: String::new(), confidence, source: unspin_engine::Source::Model, alternatives: Vec::new() })
        .collect();
    unspin_engine::document_score(&findings, words, clean_rate)
}

/// How many distinct instances (tortured phrase in one text) among `rows`
/// have a right restoration.
fn instances_found<'a>(rows: impl Iterator<Item = &'a Labelled>) -> usize {
    let mut found: Vec<usize> = rows.filter(|r| r.right).map(|r| r.instance).collect();
    found.sort();
    found.dedup();
    found.len()
}
