//! unspin's evaluation: the datasets (Brown corpus, a spinner dictionary,
//! Problematic Paper Screener exports), a simulated spinner, the metrics, and
//! the report every change is judged by.
//!
//! ```no_run
//! use unspin_eval::{run, Detector, EvalConfig};
//! struct Nothing;
//! impl Detector for Nothing {
//!     fn check(&self, _text: &str) -> unspin_engine::Report {
//!         unspin_engine::Report { score: 0.0, spun: false, findings: vec![] }
//!     }
//! }
//! let cfg = EvalConfig { quick: true, ..EvalConfig::default() };
//! let report = run(&cfg, &Nothing, None, &[]);
//! println!("{}", report.to_table());
//! ```

pub mod boost;
pub mod brown;
pub mod ceiling;
pub mod logistic;
pub mod matching;
pub mod measure;
pub mod metrics;
pub mod pps;
pub mod report;
pub mod rng;
pub mod speed;
pub mod spinner;

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

pub use brown::{detokenize, load_brown, BrownDoc, Genre, Split};
pub use pps::{load_pps, parse_pps_csv, TorturedPhrase};
pub use report::{DataSource, EvalReport, Figure, Row, Section};
pub use rng::SplitMix64;
pub use spinner::{GoldSpan, Spinner, Spun};

use measure::{CleanDocScores, SpunScores};

/// Anything that checks a text: the engine, or a stand-in in tests.
pub trait Detector: Sync {
    fn check(&self, text: &str) -> unspin_engine::Report;
}

/// What to evaluate on. Paths are relative to the working directory, which
/// for the defaults is the project root.
#[derive(Clone, Debug)]
pub struct EvalConfig {
    /// Fewer documents and phrases, for continuous integration (under two
    /// minutes; the full run stays under ten).
    pub quick: bool,
    /// Brown corpus directory (files ca01..cr09 and cats.txt).
    pub brown_dir: PathBuf,
    /// Spinner dictionary, one `a|b|c` synonym group per line.
    pub spinner_dictionary: PathBuf,
    /// PPS export whose phrases the fingerprint detector knows.
    pub pps_july: PathBuf,
    /// A later PPS export; its phrases missing from `pps_july` are "unlisted".
    pub pps_november: PathBuf,
    pub seed: u64,
    /// Shares of eligible positions the spinner swaps.
    pub rates: Vec<f64>,
    /// Brown documents per genre and split; None: 7 in quick mode, all otherwise.
    pub docs_per_genre: Option<usize>,
    /// Unlisted phrases per split; None: 50 in quick mode, all otherwise.
    pub unlisted_per_split: Option<usize>,
    /// Listed (July) phrases sampled per split; None: 50 in quick mode, 250 otherwise.
    pub listed_per_split: Option<usize>,
    /// Time the caller took to load the model, copied into the report.
    pub model_load_seconds: Option<f64>,
    /// Print a line to stderr as each part finishes.
    pub progress: bool,
}

impl Default for EvalConfig {
    fn default() -> EvalConfig {
        EvalConfig::new(Path::new(".cache/data"), Path::new("../shared"), false)
    }
}

impl EvalConfig {
    /// `data`: the downloaded data (scripts/fetch-data.sh, holds `brown/`);
    /// `shared`: the shared evaluation data (holds `data/spinner-dictionaries`
    /// and `data/tortured-phrases`).
    pub fn new(data: &Path, shared: &Path, quick: bool) -> EvalConfig {
        let shared_data = shared.join("data");
        EvalConfig {
            quick,
            brown_dir: data.join("brown"),
            spinner_dictionary: shared_data.join("spinner-dictionaries/article-rewriter-en.sdata"),
            pps_july: shared_data.join("tortured-phrases/pps-2025-07.csv"),
            pps_november: shared_data.join("tortured-phrases/pps-2025-11.csv"),
            seed: 20240601,
            rates: vec![0.1, 0.2, 0.3],
            docs_per_genre: None,
            unlisted_per_split: None,
            listed_per_split: None,
            model_load_seconds: None,
            progress: false,
        }
    }

    fn docs_per_genre(&self) -> Option<usize> {
        self.docs_per_genre.or(self.quick.then_some(7))
    }

    fn unlisted_per_split(&self) -> Option<usize> {
        self.unlisted_per_split.or(self.quick.then_some(50))
    }

    fn listed_per_split(&self) -> usize {
        self.listed_per_split.unwrap_or(if self.quick { 50 } else { 250 })
    }
}

const PLAIN: &str = "plain";
const FINGERPRINTS: &str = "fingerprints";
const THOROUGH: &str = "thorough";

/// Spins every document at `rate`; each document's randomness depends only on
/// the seed, its id and the rate.
pub fn spin_docs(spinner: &Spinner, docs: &[BrownDoc], rate: f64, seed: u64) -> Vec<Spun> {
    docs.par_iter().map(|d| spinner.spin(&d.text, rate, rng::derive_seed(seed, &d.id, rate))).collect()
}

/// Runs the whole evaluation. Missing data never fails the run: the rows that
/// need it are reported as skipped, with the reason.
/// `plain` is the default engine; `with_fingerprints` the same with the July
/// export as a fingerprint list (its rows are reported as skipped when it is
/// absent); `others` the engine at other settings, each named as its rows
/// are (`--thorough` is "thorough"), measured as `plain` is.
pub fn run(cfg: &EvalConfig, plain: &dyn Detector, with_fingerprints: Option<&dyn Detector>, others: &[(&str, &dyn Detector)]) -> EvalReport {
    let started = Instant::now();
    let mut ctx = Run { cfg, started, rows: Vec::new(), data: Vec::new(), notes: Vec::new() };

    let july = ctx.load("PPS fingerprints, July 2025 (listed)", &cfg.pps_july, load_pps);
    let november = ctx.load("PPS fingerprints, November 2025", &cfg.pps_november, load_pps);
    let spinner = ctx.load("Spinner dictionary (article rewriter)", &cfg.spinner_dictionary, Spinner::load);
    let brown = ctx.load("Brown corpus (clean English)", &cfg.brown_dir, load_brown);

    let statistical: Vec<(&str, &dyn Detector)> = [(PLAIN, plain)].into_iter().chain(others.iter().copied()).collect();
    let docs: Option<Vec<BrownDoc>> = brown.as_ref().ok().map(|all| {
        let mut docs = brown::select(all, Split::Dev, cfg.docs_per_genre());
        docs.extend(brown::select(all, Split::Test, cfg.docs_per_genre()));
        let dev = docs.iter().filter(|d| d.split == Split::Dev).count();
        let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
        ctx.detail(
            3,
            format!(
                "{} of {} news/fiction/science documents (dev {}, test {}), {:.2} MB of prose",
                docs.len(),
                all.len(),
                dev,
                docs.len() - dev,
                bytes as f64 / 1e6
            ),
        );
        docs
    });
    // The science documents of each split, for tortured phrases inside a
    // document.
    let science: Option<[Vec<&str>; 2]> = docs.as_ref().map(|docs| {
        Split::BOTH.map(|split| docs.iter().filter(|d| d.split == split && d.genre == Genre::Science).map(|d| d.text.as_str()).collect())
    });
    ctx.tortured(&statistical, with_fingerprints, &july, &november, science.as_ref());
    if let Ok(s) = &spinner {
        ctx.detail(2, format!("{} synonym groups", s.groups()));
    }

    match &docs {
        Some(docs) => {
            let clean: Vec<Vec<CleanDocScores>> = statistical.iter().map(|&(name, d)| ctx.clean(name, d, docs)).collect();
            match &spinner {
                Ok(spinner) => {
                    for (&(name, d), clean) in statistical.iter().zip(&clean) {
                        ctx.spinning(name, d, spinner, docs, clean);
                    }
                }
                Err(reason) => {
                    for section in [Section::Spinning, Section::Verdicts] {
                        ctx.rows.push(Row::skipped(
                            section,
                            "Brown spun",
                            PLAIN,
                            "dev+test",
                            &format!("spinner dictionary: {reason}"),
                        ));
                    }
                }
            }
            let grep_mb = ctx.grep_yardstick(docs, july.as_ref().ok());
            for &(name, d) in &statistical {
                ctx.speed(name, d, docs, grep_mb);
            }
        }
        None => {
            let reason = format!("Brown corpus: {}", brown.as_ref().err().map(String::as_str).unwrap_or(""));
            for section in [Section::Spinning, Section::CleanText, Section::Verdicts, Section::Speed] {
                ctx.rows.push(Row::skipped(section, "Brown", PLAIN, "dev+test", &reason));
            }
        }
    }

    ctx.notes.push(
        "Anchor: Martel, Lentschat & Labbé (2024) find unlisted tortured phrases with recall 0.87 at precision 0.61. \
         The tortured-phrase precision here is measured within neutral carrier sentences and clean Brown science \
         documents, not over whole papers."
            .into(),
    );
    if others.iter().any(|&(name, _)| name == THOROUGH) {
        ctx.notes.push(format!(
            "Detector `thorough`: the engine at `--thorough` (every word with candidate originals is a suspect, scored by its own confidence model; threshold {}).",
            unspin_engine::Config::thorough().min_confidence
        ));
    }
    // The other profiles' rows, named after the profile ("web", "web
    // thorough"), with what their trees are fitted on.
    for (profile, fitted) in [
        (unspin_engine::Profile::Web, "fitted on the development prose without the tortured phrases"),
        (
            unspin_engine::Profile::Papers,
            "fitted on the clean development prose and the development tortured phrases, without the spun documents, under the bold prior of a swap",
        ),
    ] {
        let name = profile.name();
        if others.iter().any(|&(detector, _)| detector.starts_with(name)) {
            let threshold = |thorough| unspin_engine::Config::for_profile(profile, thorough).min_confidence;
            ctx.notes.push(format!(
                "Detectors `{name}` and `{name} thorough`: the engine at `--profile {name}`, default and `--thorough` (confidence models {fitted}; thresholds {} and {}, read by the same rule).",
                threshold(false),
                threshold(true)
            ));
        }
    }
    if cfg.quick {
        ctx.notes.push("Quick mode: a sample of documents and phrases; use the full run for decisions.".into());
    }

    EvalReport {
        quick: cfg.quick,
        seed: cfg.seed,
        rates: cfg.rates.clone(),
        tuning_split: Split::Dev.name().into(),
        split_rules: vec![
            "Brown documents: odd file numbers (ca01, ca03, ...) are development, even ones test; numbering restarts in each \
             category, so every genre is halved."
                .into(),
            "Tortured phrases: FNV-1a 64 hash of the lower-cased phrase, even = development, odd = test.".into(),
        ],
        data: ctx.data,
        rows: ctx.rows,
        notes: ctx.notes,
        model_load_seconds: cfg.model_load_seconds,
        threads: rayon::current_num_threads(),
        elapsed_seconds: started.elapsed().as_secs_f64(),
    }
}

struct Run<'a> {
    cfg: &'a EvalConfig,
    started: Instant,
    rows: Vec<Row>,
    data: Vec<DataSource>,
    notes: Vec<String>,
}

impl Run<'_> {
    fn load<T>(&mut self, name: &str, path: &Path, load: impl FnOnce(&Path) -> anyhow::Result<T>) -> Result<T, String> {
        let result = if path.exists() {
            load(path).map_err(|e| format!("{e:#}"))
        } else {
            Err(format!("not found at {}", path.display()))
        };
        self.data.push(DataSource {
            name: name.into(),
            path: path.display().to_string(),
            available: result.is_ok(),
            detail: result.as_ref().err().cloned().unwrap_or_default(),
        });
        result
    }

    fn detail(&mut self, index: usize, detail: String) {
        if let Some(d) = self.data.get_mut(index) {
            d.detail = detail;
        }
    }

    fn progress(&self, what: &str) {
        if self.cfg.progress {
            eprintln!("eval: {what} ({:.1} s)", self.started.elapsed().as_secs_f64());
        }
    }

    fn tortured(
        &mut self,
        statistical: &[(&str, &dyn Detector)],
        fingerprints: Option<&dyn Detector>,
        july: &Result<Vec<TorturedPhrase>, String>,
        november: &Result<Vec<TorturedPhrase>, String>,
        science: Option<&[Vec<&str>; 2]>,
    ) {
        let (july, november) = match (july, november) {
            (Ok(j), Ok(n)) => (j, n),
            (Err(e), _) | (_, Err(e)) => {
                self.rows.push(Row::skipped(
                    Section::Tortured,
                    "tortured phrases",
                    "all",
                    "dev+test",
                    &format!("PPS export: {e}"),
                ));
                return;
            }
        };
        let halves = |rows: &[TorturedPhrase], n: Option<usize>| -> [(Split, Vec<TorturedPhrase>); 2] {
            Split::BOTH.map(|split| {
                let half: Vec<TorturedPhrase> = rows
                    .iter()
                    .filter(|t| pps::phrase_split(&t.phrase) == split && !pps::expected_variants(t).is_empty())
                    .cloned()
                    .collect();
                (split, brown::spread(&half, n))
            })
        };
        let unlisted = pps::unlisted(november, july);
        let listed = pps::dedup(july);
        let unlisted_halves = halves(&unlisted, self.cfg.unlisted_per_split());
        let listed_halves = halves(&listed, Some(self.cfg.listed_per_split()));
        self.detail(
            0,
            format!(
                "{} phrases with a known original; the listed rows use {} + {} (dev + test), the grep yardstick all",
                listed.len(),
                listed_halves[0].1.len(),
                listed_halves[1].1.len()
            ),
        );
        self.detail(
            1,
            format!(
                "{} phrases, {} of them not in July (unlisted); used {} + {} (dev + test) with a restorable expected text",
                pps::dedup(november).len(),
                unlisted.len(),
                unlisted_halves[0].1.len(),
                unlisted_halves[1].1.len()
            ),
        );
        let templates = pps::carriers();
        let detectors: Vec<(&str, Option<&dyn Detector>)> =
            statistical.iter().map(|&(name, d)| (name, Some(d))).chain([(FINGERPRINTS, fingerprints)]).collect();
        for (name, halves) in [("unlisted", &unlisted_halves), ("listed July sample", &listed_halves)] {
            for &(det_name, det) in &detectors {
                // "in documents": each phrase in its first carrier sentence,
                // after a clean science document of its split.
                for (setting, templates) in [("alone", None), ("in carriers", Some(templates.as_slice())), ("in documents", Some(&templates[..templates.len().min(1)]))] {
                    let dataset = format!("{name}, {setting}");
                    for (split, phrases) in halves.iter() {
                        let documents: Option<&[&str]> = science.map(|s| s[Split::BOTH.iter().position(|x| x == split).unwrap_or(0)].as_slice());
                        let Some(det) = det else {
                            self.rows.push(Row::skipped(
                                Section::Tortured,
                                dataset.clone(),
                                det_name,
                                split.name(),
                                "no fingerprint detector given (the CLI builds one from the July export)",
                            ));
                            continue;
                        };
                        if setting == "in documents" && documents.is_none_or(|d| d.is_empty()) {
                            self.rows.push(Row::skipped(Section::Tortured, dataset.clone(), det_name, split.name(), "no Brown science documents"));
                            continue;
                        }
                        let mut instances = measure::phrase_instances(phrases, templates);
                        if setting == "in documents" {
                            instances = measure::in_documents(&instances, documents.unwrap_or_default());
                        }
                        let s = measure::score_phrases(det, &instances);
                        self.rows.push(
                            Row::new(Section::Tortured, dataset.clone(), det_name, split.name(), s.instances, "texts")
                                .with(Figure::count("phrases", phrases.len() as u64))
                                .with(Figure::share("recall", s.recall()))
                                .with(Figure::share("exact", s.exact_rate()))
                                .with(Figure::share("precision", s.precision())),
                        );
                    }
                }
            }
        }
        self.progress("tortured phrases");
    }

    fn clean(&mut self, detector_name: &str, detector: &dyn Detector, docs: &[BrownDoc]) -> Vec<CleanDocScores> {
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        let scores = measure::score_clean(detector, &texts);
        self.clean_rows(detector_name, "Brown clean", "docs", docs, &scores.iter().map(|s| vec![*s]).collect::<Vec<_>>());
        // The same prose a sentence at a time, each sentence a document:
        // checking must not find more in text for its being short.
        let by_sentence: Vec<Vec<CleanDocScores>> = docs.iter().map(|d| measure::score_clean(detector, &measure::sentences(&d.text))).collect();
        self.clean_rows(detector_name, "Brown clean by sentence", "sentences", docs, &by_sentence);
        self.progress("clean text");
        scores
    }

    /// Rows per split and genre; `scores[i]` holds the documents checked
    /// for Brown document i.
    fn clean_rows(&mut self, detector_name: &str, label: &str, unit: &str, docs: &[BrownDoc], scores: &[Vec<CleanDocScores>]) {
        for split in Split::BOTH {
            let groups = Genre::ALL.map(|g| (g.name(), Some(g))).into_iter().chain([("all genres", None)]);
            for (name, genre) in groups {
                let picked: Vec<CleanDocScores> = docs
                    .iter()
                    .zip(scores)
                    .filter(|(d, _)| d.split == split && (genre.is_none() || genre == Some(d.genre)))
                    .flat_map(|(_, s)| s.iter().copied())
                    .collect();
                let (per_k, spun) = measure::false_positive_rates(&picked);
                self.rows.push(
                    Row::new(Section::CleanText, format!("{label}, {name}"), detector_name, split.name(), picked.len() as u64, unit)
                        .with(Figure::count("words", picked.iter().map(|d| d.words).sum()))
                        .with(Figure::count("findings", picked.iter().map(|d| d.findings).sum()))
                        .with(Figure::number("findings/1k", per_k))
                        .with(Figure::share("docs spun", spun)),
                );
            }
        }
    }

    fn spinning(&mut self, detector_name: &str, detector: &dyn Detector, spinner: &Spinner, docs: &[BrownDoc], clean: &[CleanDocScores]) {
        let mut verdict_rows = Vec::new();
        for &rate in &self.cfg.rates {
            let spun = spin_docs(spinner, docs, rate, self.cfg.seed);
            let dataset = format!("Brown spun {:.0}%", rate * 100.0);
            for split in Split::BOTH {
                let (split_spun, split_clean): (Vec<Spun>, Vec<CleanDocScores>) = docs
                    .iter()
                    .zip(spun.iter().zip(clean))
                    .filter(|(d, _)| d.split == split)
                    .map(|(_, (s, c))| (s.clone(), *c))
                    .unzip();
                let s: SpunScores = measure::score_spun(detector, &split_spun);
                self.rows.push(
                    Row::new(Section::Spinning, dataset.clone(), detector_name, split.name(), s.docs, "docs")
                        .with(Figure::count("spans", s.gold_spans))
                        .with(Figure::share("P", s.tokens.precision()))
                        .with(Figure::share("R", s.tokens.recall()))
                        .with(Figure::share("F1", s.tokens.f1()))
                        .with(Figure::share("exact", s.exact_rate()))
                        .with(Figure::share("exact in 3", s.exact_in_options_rate()))
                        .with(Figure::share("WER spun", s.wer_before()))
                        .with(Figure::share("WER restored", s.wer_after()))
                        .with(Figure::share("para closer", s.paragraphs_closer()))
                        .with(Figure::share("para further", s.paragraphs_further())),
                );
                let (auc, accuracy) = measure::verdict_quality(&split_clean, &s);
                verdict_rows.push(
                    Row::new(
                        Section::Verdicts,
                        format!("clean vs spun {:.0}%", rate * 100.0),
                        detector_name,
                        split.name(),
                        (split_clean.len() + split_spun.len()) as u64,
                        "docs",
                    )
                    .with(Figure::share("AUC", auc))
                    .with(Figure::share("accuracy", accuracy)),
                );
            }
            self.progress(&format!("spinning at {:.0}%, {detector_name}", rate * 100.0));
        }
        self.rows.extend(verdict_rows);
    }

    /// MB/s of `grep -F -f <July phrases>` over the documents: the yardstick
    /// every detector's speed row is compared with (measured once).
    fn grep_yardstick(&mut self, docs: &[BrownDoc], july: Option<&Vec<TorturedPhrase>>) -> Option<f64> {
        let corpus = docs.iter().map(|d| d.text.as_str()).collect::<Vec<_>>().join("\n\n");
        let grep = match july {
            Some(rows) => {
                let phrases: Vec<String> = pps::dedup(rows).into_iter().map(|t| t.phrase).collect();
                speed::grep_yardstick(&phrases, &corpus, 3)
            }
            None => Err("no July fingerprint list".to_string()),
        };
        match &grep {
            Ok(d) => speed::mb_per_s(corpus.len() as u64, *d),
            Err(reason) => {
                self.notes.push(format!("grep yardstick skipped: {reason}."));
                None
            }
        }
    }

    fn speed(&mut self, detector_name: &str, detector: &dyn Detector, docs: &[BrownDoc], grep_mb: Option<f64>) {
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        let t = speed::throughput(detector, &texts);
        let check = t.check_mb_per_s();
        self.rows.push(
            Row::new(Section::Speed, "Brown clean", detector_name, "dev+test", docs.len() as u64, "docs")
                .with(Figure::number("MB", Some(t.bytes as f64 / 1e6)))
                .with(Figure::number("check MB/s", check))
                .with(Figure::number("restore MB/s", t.restore_mb_per_s()))
                .with(Figure::number("grep MB/s", grep_mb))
                .with(Figure::number("check/grep", check.zip(grep_mb).map(|(c, g)| c / g)))
                .with(Figure::number("peak RSS MB", speed::peak_rss_mb()))
                .with(Figure::number("model load s", self.cfg.model_load_seconds)),
        );
        self.progress(&format!("speed, {detector_name}"));
    }
}

/// The Brown documents and the spinner a section past the first six reads,
/// or None with the section's row skipped, saying why.
fn brown_and_spinner(cfg: &EvalConfig, section: Section, dataset: &str, report: &mut EvalReport) -> Option<(Vec<BrownDoc>, Spinner)> {
    match (load_brown(&cfg.brown_dir), Spinner::load(&cfg.spinner_dictionary)) {
        (Ok(d), Ok(s)) => Some((d, s)),
        (Err(e), _) | (_, Err(e)) => {
            report.rows.push(Row::skipped(section, dataset, PLAIN, "dev+test", &format!("{e:#}")));
            None
        }
    }
}

/// Section 7: the swaps of the documents spun at the highest rate of the
/// run, sorted by what the design could do with them (`ceiling`), and the
/// share of each class every detector finds and restores exactly.
pub fn run_ceiling(cfg: &EvalConfig, lexicon: &unspin_lexicon::Lexicon, lm: &unspin_lm::LanguageModel, detectors: &[(&str, &dyn Detector)], report: &mut EvalReport) {
    let section = Section::Ceiling;
    let Some(rate) = cfg.rates.iter().copied().reduce(f64::max) else { return };
    let dataset = format!("Brown spun {:.0}%", rate * 100.0);
    let Some((docs, spinner)) = brown_and_spinner(cfg, section, &dataset, report) else { return };
    for split in Split::BOTH {
        let picked = brown::select(&docs, split, cfg.docs_per_genre());
        let spun = spin_docs(&spinner, &picked, rate, cfg.seed);
        let classes: Vec<Vec<ceiling::SwapClass>> = spun.par_iter().map(|d| ceiling::classify(lexicon, lm, d)).collect();
        let total: usize = classes.iter().map(Vec::len).sum();
        for &(name, detector) in detectors {
            let outcomes: Vec<Vec<(bool, bool)>> = spun.par_iter().map(|d| ceiling::outcomes(d, &detector.check(&d.text).findings)).collect();
            for (class, label) in ceiling::CLASSES {
                let (mut n, mut found, mut exact) = (0u64, 0u64, 0u64);
                for (c, o) in classes.iter().flatten().zip(outcomes.iter().flatten()) {
                    if *c == class {
                        n += 1;
                        found += o.0 as u64;
                        exact += o.1 as u64;
                    }
                }
                report.rows.push(
                    Row::new(section, format!("{dataset}: {label}"), name, split.name(), n, "swaps")
                        .with(Figure::share("share of swaps", metrics::ratio(n, total as u64)))
                        .with(Figure::share("found", metrics::ratio(found, n)))
                        .with(Figure::share("exact", metrics::ratio(exact, n))),
                );
            }
        }
    }
}

/// Section 8: the default engine at other thresholds (`detectors`: each
/// threshold with the engine that reports from it, the default among them),
/// on the documents spun at the highest rate of the run, the same documents
/// clean, and the unlisted tortured phrases alone: what `--threshold`
/// trades.
pub fn run_thresholds(cfg: &EvalConfig, detectors: &[(f64, &dyn Detector)], default: f64, report: &mut EvalReport) {
    let section = Section::Thresholds;
    let Some(rate) = cfg.rates.iter().copied().reduce(f64::max) else { return };
    let dataset = format!("Brown spun {:.0}%, clean, unlisted alone", rate * 100.0);
    let Some((docs, spinner)) = brown_and_spinner(cfg, section, &dataset, report) else { return };
    // Unlisted phrases as section 1 picks them; their rows are left blank
    // without the exports.
    let unlisted = match (load_pps(&cfg.pps_november), load_pps(&cfg.pps_july)) {
        (Ok(november), Ok(july)) => Some(pps::unlisted(&november, &july)),
        _ => None,
    };
    for split in Split::BOTH {
        let picked = brown::select(&docs, split, cfg.docs_per_genre());
        let spun = spin_docs(&spinner, &picked, rate, cfg.seed);
        let texts: Vec<&str> = picked.iter().map(|d| d.text.as_str()).collect();
        let phrases: Option<Vec<measure::PhraseInstance>> = unlisted.as_ref().map(|rows| {
            let half: Vec<TorturedPhrase> =
                rows.iter().filter(|t| pps::phrase_split(&t.phrase) == split && !pps::expected_variants(t).is_empty()).cloned().collect();
            measure::phrase_instances(&brown::spread(&half, cfg.unlisted_per_split()), None)
        });
        for &(threshold, detector) in detectors {
            let s = measure::score_spun(detector, &spun);
            let (per_k, docs_spun) = measure::false_positive_rates(&measure::score_clean(detector, &texts));
            let tortured = phrases.as_ref().map(|p| measure::score_phrases(detector, p));
            let name = if threshold == default { format!("default, {threshold}") } else { format!("{threshold}") };
            report.rows.push(
                Row::new(section, dataset.clone(), &format!("plain at {name}"), split.name(), s.docs, "docs")
                    .with(Figure::share("P", s.tokens.precision()))
                    .with(Figure::share("R", s.tokens.recall()))
                    .with(Figure::share("exact", s.exact_rate()))
                    .with(Figure::share("para closer", s.paragraphs_closer()))
                    .with(Figure::share("para further", s.paragraphs_further()))
                    .with(Figure::number("clean findings/1k", per_k))
                    .with(Figure::share("clean docs spun", docs_spun))
                    .with(Figure::share("unlisted recall", tortured.as_ref().and_then(|t| t.recall()))),
            );
        }
    }
}

/// Adds the source-matching rows (section 6) to a report: `unspin match`
/// against plain shingle MinHash on spun Brown passages. Needs the lexicon
/// the matcher keys words with; missing data skips the rows with the reason.
pub fn run_matching(cfg: &EvalConfig, lexicon: &unspin_lexicon::Lexicon, report: &mut EvalReport) {
    let started = Instant::now();
    let section = Section::Matching;
    let docs = match load_brown(&cfg.brown_dir) {
        Ok(d) => d,
        Err(e) => {
            report.rows.push(Row::skipped(section, "Brown passages", matching::MATCHER, "dev+test", &format!("Brown corpus: {e:#}")));
            return;
        }
    };
    let rewriter = if cfg.spinner_dictionary.exists() {
        Spinner::load(&cfg.spinner_dictionary).map_err(|e| format!("{e:#}"))
    } else {
        Err(format!("not found at {}", cfg.spinner_dictionary.display()))
    };
    let moby = matching::moby_spinner(&thesaurus_moby::uncompress()).map_err(|e| format!("{e:#}"));
    let mut spinners: Vec<(&str, &Spinner)> = Vec::new();
    for (name, s) in [("article rewriter", &rewriter), ("Moby one-way", &moby)] {
        match s {
            Ok(s) => spinners.push((name, s)),
            Err(e) => report.rows.push(Row::skipped(section, name, matching::MATCHER, "dev+test", &format!("spinner: {e}"))),
        }
    }
    let per_split = if cfg.quick { Some(40) } else { None };
    let (rows, detail) = matching::rows(
        &docs,
        &spinners,
        lexicon,
        unspin_matching::MatchParams::default(),
        &matching::RATES,
        &Split::BOTH,
        per_split,
        cfg.seed,
        true,
    );
    report.rows.extend(rows);
    report.data.push(DataSource {
        name: "Source matching corpus (Brown passages)".into(),
        path: cfg.brown_dir.display().to_string(),
        available: true,
        detail,
    });
    report.notes.push(
        "Source matching: spin rates there are shares of words swapped (the spinner's per-position rate raised by the share \
         of words its dictionary reaches); `words swapped` is the measured share. The 1M-document scale figures come from \
         scripts/bench-match.sh, not from this run."
            .into(),
    );
    report.elapsed_seconds += started.elapsed().as_secs_f64();
    if cfg.progress {
        eprintln!("eval: source matching ({:.1} s)", started.elapsed().as_secs_f64());
    }
}
