//! `unspin`: find machine-spun text and restore the original wording.

mod build_model;
mod input;
mod serve;
mod matching;
mod scan;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use unspin_engine::{Config, Engine, Fingerprints, Format, Model, Profile, Report};

#[derive(Parser)]
#[command(name = "unspin", version, about = "Find machine-spun text and restore the original wording")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report suspicious phrases with suggested originals and a document score.
    Check {
        #[command(flatten)]
        common: Common,
        /// Print JSON (with --lines: one JSON object per input line).
        #[arg(long)]
        json: bool,
    },
    /// Print the input with every finding replaced by its suggestion.
    Restore {
        #[command(flatten)]
        common: Common,
    },
    /// Build the model files from the downloaded data (see scripts/fetch-data.sh).
    BuildModel(build_model::BuildArgs),
    /// Measure quality and speed on real data (see EVALUATION.md).
    Eval(EvalArgs),
    /// Serve the HTTP API and the web page.
    Serve(serve::ServeArgs),
    /// Build or extend an index of source documents for `unspin match`.
    #[command(subcommand)]
    Index(matching::IndexCommand),
    /// Find the indexed documents a (spun) copy was made from.
    Match(matching::MatchArgs),
    /// Group the documents of a corpus that are spun variants of one another (JSONL).
    Cluster(matching::ClusterArgs),
    /// Check every document of directories, JSONL, WARC and Parquet files (see docs/SCAN.md).
    Scan(scan::ScanArgs),
}

#[derive(Args)]
struct Common {
    /// Input file, or - for standard input (the default).
    #[arg(default_value = "-")]
    file: String,
    /// Treat every input line as its own document.
    #[arg(long)]
    lines: bool,
    /// What a document is: "text", "html" (the text a reader sees is
    /// checked, and findings and restorations land at their bytes in the
    /// page, markup untouched), or "auto": html when it opens with a tag
    /// or doctype and closes an element.
    #[arg(long, value_name = "FORMAT", default_value = "auto",
          value_parser = clap::builder::TypedValueParser::map(clap::builder::PossibleValuesParser::new(Format::NAMES), |name: String| Format::parse(&name).expect("one of Format::NAMES")))]
    format: Format,
    #[command(flatten)]
    engine: EngineArgs,
}

/// A document checked as `common` says it is (text or an HTML page).
fn check_document(engine: &Engine, common: &Common, document: &str) -> Report {
    engine.check_document(document, common.format, engine.config().min_confidence)
}

fn restore_document(engine: &Engine, common: &Common, document: &str) -> String {
    engine.restore_document(document, common.format, engine.config().min_confidence).0
}

/// The options that make an engine, shared by every command that checks text.
#[derive(Args, Clone, Debug)]
pub(crate) struct EngineArgs {
    /// Also match a Problematic Paper Screener fingerprint export (CSV).
    #[arg(long, value_name = "FILE")]
    pub fingerprints: Option<PathBuf>,
    /// Minimum confidence (0..1) of a reported finding (default: the
    /// profile's, 0.794 general, 0.685 web, 0.884 papers; with --thorough
    /// 0.780, 0.755, 0.872;
    /// texts of 300 words or more are read against it with their document
    /// in mind, see ARCHITECTURE.md). It chooses the findings shown; the
    /// score and verdict count those of the calibrated threshold.
    #[arg(long, value_name = "X")]
    pub threshold: Option<f64>,
    /// What to look for: "general" (spun prose and tortured phrases),
    /// "web" (spun prose only, fitted without the tortured phrases: on the
    /// held-out test split 0.8-1.2 times the swaps of "general" and a fifth
    /// of its tortured phrases) or "papers" (tortured phrases only, fitted
    /// without the spun prose: on the test split about twice the unlisted
    /// tortured phrases of "general" inside a document, and few prose
    /// swaps; EVALUATION.md).
    #[arg(long, value_name = "NAME", default_value = "general", value_parser = clap::builder::PossibleValuesParser::new(Profile::ALL.map(Profile::name)))]
    pub profile: String,
    /// Model directory (default: $UNSPIN_MODEL, ./model, or the install's model).
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
    /// Look harder: judge every word, not only those that sit oddly on both
    /// sides, with its own confidence model and threshold; on the held-out
    /// test split 1.0-1.2 times the swaps of the default at fewer false
    /// alarms, about five times slower (EVALUATION.md).
    #[arg(long)]
    pub thorough: bool,
    /// List up to N other probable originals with each finding of the
    /// model, likeliest first ("alternatives" in JSON, after "|" in the
    /// marked text); a suggestion that is the right place but the wrong
    /// word often has the right one among them.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=8))]
    pub alternatives: u8,
    #[command(flatten)]
    pub neural: NeuralArg,
}

/// What `--neural` without a file stands for: the model directory's GGUF.
const DEFAULT_NEURAL: &str = "default";

/// `--neural[=FILE]`: re-score the findings with the neural verifier.
#[derive(Args, Clone, Debug)]
pub(crate) struct NeuralArg {
    /// Re-score findings with the neural verifier (SmolLM2-135M GGUF; default:
    /// smollm2-135m.gguf in the model directory, see scripts/fetch-neural.sh).
    /// Needs a build with `--features neural`.
    #[arg(long = "neural", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = DEFAULT_NEURAL)]
    pub path: Option<PathBuf>,
}

impl NeuralArg {
    /// The engine with the verifier attached when `--neural` was given.
    pub(crate) fn attach(&self, engine: Engine) -> anyhow::Result<Engine> {
        match &self.path {
            None => Ok(engine),
            Some(p) => {
                let p = if p.as_os_str() == DEFAULT_NEURAL { engine.model().dir.join("smollm2-135m.gguf") } else { p.clone() };
                Ok(engine.with_verifier(load_verifier(&p)?))
            }
        }
    }
}

#[cfg(feature = "neural")]
fn load_verifier(path: &std::path::Path) -> anyhow::Result<std::sync::Arc<dyn unspin_engine::Verifier>> {
    if !path.exists() {
        return Err(UserError(format!("neural model not found at {}: run scripts/fetch-neural.sh", path.display())).into());
    }
    let v = unspin_neural::NeuralVerifier::load(path).map_err(|e| UserError(format!("neural model: {e:#}")))?;
    Ok(std::sync::Arc::new(v))
}

#[cfg(not(feature = "neural"))]
fn load_verifier(_path: &std::path::Path) -> anyhow::Result<std::sync::Arc<dyn unspin_engine::Verifier>> {
    Err(UserError(
        "--neural: this unspin was built without the neural verifier; build it with `cargo build --release --features neural`"
            .into(),
    )
    .into())
}

#[derive(Args)]
struct EvalArgs {
    /// A smaller run (under two minutes) for continuous integration.
    #[arg(long)]
    quick: bool,
    /// Write the figures as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write the figures as Markdown to this file (e.g. EVALUATION.md).
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    /// The shared evaluation data (tortured phrases, spinner dictionary).
    #[arg(long, value_name = "DIR", default_value = "../shared")]
    shared: PathBuf,
    /// The downloaded data (Brown corpus) made by scripts/fetch-data.sh.
    #[arg(long, value_name = "DIR", default_value = ".cache/data")]
    data: PathBuf,
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    /// Override an engine setting for an experiment, e.g. --set margin=1.5 (repeatable).
    #[arg(long, value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Brown documents per genre and split (default: 7 with --quick, all otherwise).
    #[arg(long, value_name = "N")]
    docs_per_genre: Option<usize>,
    /// Tortured phrases per split, unlisted and listed alike (default: 50 with --quick; otherwise all unlisted and 250 listed).
    #[arg(long, value_name = "N")]
    phrases_per_split: Option<usize>,
    /// Spin rates, comma-separated (default: 0.1,0.2,0.3).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    rates: Vec<f64>,
    /// Leave out the source-matching rows.
    #[arg(long)]
    no_matching: bool,
    #[command(flatten)]
    neural: NeuralArg,
}

/// An error already worded for the user; printed as one line, exit code 2.
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { common, json } => run_check(&common, json),
        Command::Restore { common } => run_restore(&common),
        Command::BuildModel(args) => build_model::run(&args),
        Command::Eval(args) => run_eval(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Index(cmd) => matching::run_index(&cmd),
        Command::Match(args) => matching::run_match(&args),
        Command::Cluster(args) => matching::run_cluster(&args),
        Command::Scan(args) => scan::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A reader that stops early (`| head`) is not an error.
            let broken_pipe = e
                .chain()
                .any(|c| {
                    c.downcast_ref::<std::io::Error>().map(|io| io.kind())
                        .or_else(|| c.downcast_ref::<serde_json::Error>().and_then(|j| j.io_error_kind()))
                        == Some(std::io::ErrorKind::BrokenPipe)
                });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("unspin: {e}");
            ExitCode::from(2)
        }
    }
}

fn load_engine(common: &EngineArgs) -> anyhow::Result<Engine> {
    Ok(load_engines(common, false)?.remove(0))
}

/// The engine the options describe; with `every_profile`, then one for
/// each other profile the options allow (what a server request may ask
/// for), all on one model.
pub(crate) fn load_engines(common: &EngineArgs, every_profile: bool) -> anyhow::Result<Vec<Engine>> {
    // Read the fingerprint list first: a typo in its path should not wait for the model.
    let fingerprints = match &common.fingerprints {
        Some(p) => Some(Fingerprints::load(p).map_err(|e| UserError(e.to_string()))?),
        None => None,
    };
    let model = Arc::new(Model::locate(common.model.as_deref()).map_err(|e| UserError(e.to_string()))?);
    let profile = Profile::parse(&common.profile).ok_or_else(|| UserError(format!("unknown --profile {:?}", common.profile)))?;
    if profile != Profile::General && common.neural.path.is_some() {
        // The verifier's weights combine the general trees' confidence with
        // the neural gain; on another profile's confidence they mean nothing.
        return Err(UserError(format!("--neural is calibrated for --profile general, not {}", profile.name())).into());
    }
    if let Some(t) = common.threshold {
        if !(0.0..=1.0).contains(&t) {
            return Err(UserError(format!("--threshold must be between 0 and 1, got {t}")).into());
        }
    }
    let make = |profile: Profile| -> anyhow::Result<Engine> {
        let mut config = Config::for_profile(profile, common.thorough);
        if let Some(t) = common.threshold {
            config.min_confidence = t;
        }
        config.alternatives = common.alternatives as usize;
        let engine = common.neural.attach(Engine::new(model.clone(), config))?;
        Ok(match &fingerprints {
            Some(fp) => engine.with_fingerprints(fp.clone()),
            None => engine,
        })
    };
    let mut engines = vec![make(profile)?];
    if every_profile && common.neural.path.is_none() {
        for other in Profile::ALL.into_iter().filter(|&p| p != profile) {
            engines.push(make(other)?);
        }
    }
    Ok(engines)
}

/// `--lines`: answers every line of the input in order, with the line's
/// ending. Standard input is answered a line at a time as it is read, and
/// each answer written out at once (a producer may be waiting for it). A
/// file is read in batches whose lines are checked on every core and
/// written in order; memory holds one batch.
fn each_line(common: &Common, answer: impl Fn(&Engine, &mut dyn Write, &str, &str) -> anyhow::Result<()> + Sync) -> anyhow::Result<()> {
    use rayon::prelude::*;
    /// A batch ends at this many lines or bytes, whichever comes first.
    const BATCH_LINES: usize = 4096;
    const BATCH_BYTES: usize = 8 << 20;
    let mut lines = input::Lines::open(&common.file)?;
    let engine = load_engine(&common.engine)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if lines.is_stdin() {
        while let Some((line, ending)) = lines.next_line()? {
            answer(&engine, &mut out, line, ending)?;
            out.flush()?;
        }
        return Ok(());
    }
    let mut batch: Vec<(String, String)> = Vec::new();
    let mut bytes = 0;
    loop {
        // A line that cannot be read (binary, not UTF-8) ends the run
        // after the lines before it are answered.
        let (end, failure) = match lines.next_line() {
            Ok(Some((line, ending))) => {
                bytes += line.len();
                batch.push((line.to_owned(), ending.to_owned()));
                (false, None)
            }
            Ok(None) => (true, None),
            Err(e) => (true, Some(e)),
        };
        if end || batch.len() >= BATCH_LINES || bytes >= BATCH_BYTES {
            let answers: Vec<anyhow::Result<Vec<u8>>> = batch
                .par_iter()
                .map(|(line, ending)| {
                    let mut buffer = Vec::new();
                    answer(&engine, &mut buffer, line, ending)?;
                    Ok(buffer)
                })
                .collect();
            for a in answers {
                out.write_all(&a?)?;
            }
            batch.clear();
            bytes = 0;
        }
        if end {
            out.flush()?;
            return failure.map_or(Ok(()), Err);
        }
    }
}

fn run_check(common: &Common, json: bool) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    if common.lines {
        return each_line(common, |engine, mut out, line, _ending| {
            let report = check_document(engine, common, line);
            if json {
                serde_json::to_writer(&mut out, &report)?;
                writeln!(out)?;
            } else {
                write_human(&mut out, line, &report, colour, false)?;
            }
            Ok(())
        });
    }
    let text = input::read(&common.file)?;
    let engine = load_engine(&common.engine)?;
    let mut out = std::io::BufWriter::new(stdout.lock());
    let report = check_document(&engine, common, &text);
    if json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_human(&mut out, &text, &report, colour, true)?;
    }
    out.flush()?;
    Ok(())
}

fn run_restore(common: &Common) -> anyhow::Result<()> {
    if common.lines {
        return each_line(common, |engine, out, line, ending| {
            out.write_all(restore_document(engine, common, line).as_bytes())?;
            out.write_all(ending.as_bytes())?;
            Ok(())
        });
    }
    let text = input::read(&common.file)?;
    let engine = load_engine(&common.engine)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    out.write_all(restore_document(&engine, common, &text).as_bytes())?;
    out.flush()?;
    Ok(())
}

/// The text with each finding marked `[spun -> suggestion 0.93]` (with
/// `--alternatives`, `[spun -> suggestion 0.93 | other, another]`), then a verdict.
fn write_human(out: &mut impl Write, text: &str, report: &Report, colour: bool, summary: bool) -> std::io::Result<()> {
    let (red, green, dim, reset) =
        if colour { ("\x1b[1;31m", "\x1b[32m", "\x1b[2m", "\x1b[0m") } else { ("", "", "", "") };
    let mut at = 0;
    for f in &report.findings {
        if f.start < at {
            continue;
        }
        out.write_all(text[at..f.start].as_bytes())?;
        write!(out, "[{red}{}{reset} -> {green}{}{reset} {dim}{:.2}{reset}", f.text, f.suggestion, f.confidence)?;
        if !f.alternatives.is_empty() {
            write!(out, " | {}", f.alternatives.join(", "))?;
        }
        out.write_all(b"]")?;
        at = f.end;
    }
    out.write_all(text[at..].as_bytes())?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    if summary {
        let verdict = if report.spun { "spun" } else { "not spun" };
        writeln!(
            out,
            "{dim}--{reset} score {:.2}: {verdict} ({} finding{})",
            report.score,
            report.findings.len(),
            if report.findings.len() == 1 { "" } else { "s" }
        )?;
    }
    Ok(())
}

/// The engine as the evaluation sees it.
struct EngineDetector<'a>(&'a Engine);

impl unspin_eval::Detector for EngineDetector<'_> {
    fn check(&self, text: &str) -> Report {
        self.0.check(text)
    }
}

fn run_eval(args: &EvalArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let model = Arc::new(Model::locate(args.model.as_deref()).map_err(|e| UserError(e.to_string()))?);
    let load_seconds = started.elapsed().as_secs_f64();
    let mut config = Config::default();
    // Two alternatives a finding, for the "exact in 3" figure; they change
    // no finding (and cost about 2% of the checking speed).
    config.alternatives = unspin_eval::measure::OPTIONS - 1;
    for kv in &args.set {
        config.set_assignment(kv).map_err(|e| UserError(format!("--set {e}")))?;
    }
    let plain = args.neural.attach(Engine::new(model.clone(), config.clone()))?;
    let mut cfg = unspin_eval::EvalConfig::new(&args.data, &args.shared, args.quick);
    cfg.docs_per_genre = args.docs_per_genre;
    cfg.unlisted_per_split = args.phrases_per_split;
    cfg.listed_per_split = args.phrases_per_split;
    if !args.rates.is_empty() {
        cfg.rates = args.rates.clone();
    }
    cfg.model_load_seconds = Some(load_seconds);
    cfg.progress = true;
    // The fingerprint rows use the July export, as a user would pass it.
    let fingerprinted = match Fingerprints::load(&cfg.pps_july) {
        Ok(fp) => {
            let engine = Engine::new(model.clone(), config.clone()).with_fingerprints(fp);
            Some(match plain.verifier() {
                Some(v) => engine.with_verifier(v.clone()),
                None => engine,
            })
        }
        Err(e) => {
            eprintln!("unspin: fingerprint rows skipped: {e}");
            None
        }
    };
    // The `--thorough` and `--profile web` rows (left out with --neural,
    // which would multiply the slowest part of the run); --set applies to
    // them too.
    let mut others: Vec<(&str, Engine)> = Vec::new();
    if plain.verifier().is_none() {
        for (name, profile, thorough) in [
            ("thorough", Profile::General, true),
            ("web", Profile::Web, false),
            ("web thorough", Profile::Web, true),
            ("papers", Profile::Papers, false),
            ("papers thorough", Profile::Papers, true),
        ] {
            let mut config = Config::for_profile(profile, thorough);
            config.alternatives = unspin_eval::measure::OPTIONS - 1;
            for kv in &args.set {
                config.set_assignment(kv).map_err(|e| UserError(format!("--set {e}")))?;
            }
            others.push((name, Engine::new(model.clone(), config)));
        }
    }
    let plain_d = EngineDetector(&plain);
    let fp_d = fingerprinted.as_ref().map(EngineDetector);
    let others_d: Vec<(&str, EngineDetector)> = others.iter().map(|(name, e)| (*name, EngineDetector(e))).collect();
    let others_ref: Vec<(&str, &dyn unspin_eval::Detector)> = others_d.iter().map(|(name, d)| (*name, d as &dyn unspin_eval::Detector)).collect();
    let mut report = unspin_eval::run(&cfg, &plain_d, fp_d.as_ref().map(|d| d as &dyn unspin_eval::Detector), &others_ref);
    let statistical: Vec<(&str, &dyn unspin_eval::Detector)> = [("plain", &plain_d as &dyn unspin_eval::Detector)].into_iter().chain(others_ref.iter().copied()).collect();
    unspin_eval::run_ceiling(&cfg, &plain.model().lexicon, &plain.model().lm, &statistical, &mut report);
    // What --threshold trades: the default engine reporting from other
    // confidences (as `check --threshold X` sets them); left out with
    // --neural, as the other profiles are.
    let default_threshold = config.min_confidence;
    let mut at_thresholds: Vec<(f64, Engine)> = Vec::new();
    if plain.verifier().is_none() {
        for t in [0.3, 0.5, 0.65, 0.9] {
            let mut config = config.clone();
            config.min_confidence = t;
            at_thresholds.push((t, Engine::new(model.clone(), config)));
        }
    }
    let at_thresholds_d: Vec<(f64, EngineDetector)> = at_thresholds.iter().map(|(t, e)| (*t, EngineDetector(e))).collect();
    let mut thresholds: Vec<(f64, &dyn unspin_eval::Detector)> = at_thresholds_d.iter().map(|(t, d)| (*t, d as &dyn unspin_eval::Detector)).collect();
    if !thresholds.is_empty() {
        thresholds.push((default_threshold, &plain_d));
        thresholds.sort_by(|a, b| a.0.total_cmp(&b.0));
        unspin_eval::run_thresholds(&cfg, &thresholds, default_threshold, &mut report);
    }
    if !args.no_matching {
        unspin_eval::run_matching(&cfg, &plain.model().lexicon, &mut report);
    }
    println!("{}", report.to_table());
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?).map_err(|e| UserError(format!("{}: {e}", path.display())))?;
    }
    if let Some(path) = &args.markdown {
        let commit = std::process::Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        let date = std::process::Command::new("date")
            .args(["-u", "+%Y-%m-%d"])
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        std::fs::write(path, report.to_markdown(&commit, &date)).map_err(|e| UserError(format!("{}: {e}", path.display())))?;
    }
    Ok(())
}
