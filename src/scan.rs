//! `unspin scan`: check every document of directories, JSONL, WARC and
//! Parquet files in parallel (see docs/SCAN.md).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use unspin_batch::{ChunkLimits, Format, OutFormat, ReadError, ScanOptions, ScanProgress, SourceOptions, Summary};

use crate::{EngineArgs, UserError};

#[derive(Args)]
pub struct ScanArgs {
    /// Files and directories (walked recursively; .gz and .zst are decompressed).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Input format: auto (by file name), text (one document per file), jsonl, warc, parquet.
    #[arg(long, default_value = "auto", value_name = "FORMAT")]
    format: Format,
    /// JSONL key / Parquet column holding the text.
    #[arg(long, default_value = "text", value_name = "F")]
    text_field: String,
    /// JSONL key / Parquet column holding the document id.
    #[arg(long, default_value = "id", value_name = "F")]
    id_field: String,
    /// Output file, or - for standard output.
    #[arg(long, default_value = "-", value_name = "FILE")]
    out: String,
    /// jsonl or parquet (default: parquet when --out ends in .parquet).
    #[arg(long, value_name = "FORMAT")]
    out_format: Option<OutFormat>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Also output each document with its findings replaced.
    #[arg(long)]
    restore: bool,
    /// Output only documents scoring at least X (0..1); unreadable documents are always output.
    #[arg(long, value_name = "X")]
    min_score: Option<f64>,
    /// Continue an interrupted scan into the same --out FILE from its checkpoint.
    #[arg(long)]
    resume: bool,
    /// Documents per chunk: the unit of parallel work and of checkpoints.
    #[arg(long, default_value_t = 1024, value_name = "N")]
    chunk_docs: usize,
    /// Documents larger than this many MB are reported as too large.
    #[arg(long, default_value_t = 64, value_name = "MB")]
    max_doc_mb: usize,
    #[command(flatten)]
    engine: EngineArgs,
}

/// How many unreadable documents are named on stderr; the rest are in the
/// output and the summary.
const ERRORS_SHOWN: u64 = 20;

struct Progress {
    bar: Option<ProgressBar>,
    errors_shown: AtomicU64,
    started: Instant,
    /// Text bytes and input bytes already done when this run started (resume).
    base_text: AtomicU64,
}

impl Progress {
    fn say(&self, line: String) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }
}

impl ScanProgress for Progress {
    fn started(&self, so_far: &Summary) {
        self.base_text.store(so_far.text_bytes, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.set_position(so_far.input_bytes);
            bar.reset_eta();
        }
    }

    fn advanced(&self, s: &Summary) {
        if let Some(bar) = &self.bar {
            let secs = self.started.elapsed().as_secs_f64().max(1e-3);
            let mb = s.text_bytes as f64 / 1e6;
            let rate = (s.text_bytes - self.base_text.load(Ordering::Relaxed)) as f64 / 1e6 / secs;
            bar.set_position(s.input_bytes);
            bar.set_message(format!(
                "{} docs, {mb:.1} MB text, {rate:.2} MB/s, {} spun, {} unreadable",
                s.documents,
                s.spun,
                s.error_count()
            ));
        }
    }

    fn unreadable(&self, location: &str, error: &ReadError) {
        let n = self.errors_shown.fetch_add(1, Ordering::Relaxed);
        if n < ERRORS_SHOWN {
            self.say(format!("unspin: {location}: {error}"));
        } else if n == ERRORS_SHOWN {
            self.say("unspin: further unreadable documents are listed in the output only".to_string());
        }
    }
}

pub fn run(args: &ScanArgs) -> anyhow::Result<()> {
    for p in &args.paths {
        if !p.exists() {
            return Err(UserError(format!("{}: no such file or directory", p.display())).into());
        }
    }
    if let Some(m) = args.min_score {
        if !(0.0..=1.0).contains(&m) {
            return Err(UserError(format!("--min-score must be between 0 and 1, got {m}")).into());
        }
    }
    if args.max_doc_mb == 0 {
        return Err(UserError("--max-doc-mb must be at least 1".into()).into());
    }
    let out = (args.out != "-").then(|| PathBuf::from(&args.out));
    let out_format = args.out_format.unwrap_or(match &out {
        Some(p) if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet")) => OutFormat::Parquet,
        _ => OutFormat::Jsonl,
    });
    if out_format == OutFormat::Parquet && args.engine.alternatives > 0 {
        // The Parquet findings have a fixed struct; dropping the list would lose what was asked for.
        return Err(UserError("--alternatives is written to JSONL output only, not Parquet".into()).into());
    }
    if out.is_none() && out_format == OutFormat::Parquet && std::io::stdout().is_terminal() {
        return Err(UserError("refusing to write Parquet to a terminal; use --out FILE".into()).into());
    }
    let engine = crate::load_engine(&args.engine)?;
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    if threads == 0 {
        return Err(UserError("--threads must be at least 1".into()).into());
    }
    let options = ScanOptions {
        inputs: args.paths.clone(),
        source: SourceOptions {
            format: args.format,
            text_field: args.text_field.clone(),
            id_field: args.id_field.clone(),
            max_document_bytes: args.max_doc_mb << 20,
            exclude: Vec::new(),
        },
        out,
        out_format,
        restore: args.restore,
        min_score: args.min_score,
        threads,
        resume: args.resume,
        engine_description: format!(
            "model={:?} fingerprints={:?} threshold={:?} profile={} thorough={} neural={:?}",
            args.engine.model, args.engine.fingerprints, args.engine.threshold, args.engine.profile, args.engine.thorough, args.engine.neural.path
        ),
        chunk: ChunkLimits { documents: args.chunk_docs.max(1), ..ChunkLimits::default() },
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(200));
        bar.set_message("reading");
        // The total is only for the ETA: walk the inputs beside the scan.
        let (b, paths) = (bar.clone(), args.paths.clone());
        std::thread::spawn(move || {
            let total = unspin_batch::source::total_input_bytes(&paths);
            b.set_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} [{wide_bar}] {percent}% of {total_bytes}, ETA {eta}\n  {msg}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            b.set_length(total);
        });
        bar
    });
    let progress =
        Arc::new(Progress { bar, errors_shown: AtomicU64::new(0), started: Instant::now(), base_text: AtomicU64::new(0) });
    let result = unspin_batch::scan(&options, &engine, progress.as_ref());
    if let Some(bar) = &progress.bar {
        bar.finish_and_clear();
    }
    let result = result?;
    if result.already_complete {
        eprintln!("unspin: this scan had already finished; its summary:");
    } else if let Some(n) = result.resumed_after {
        eprintln!("unspin: resumed after {n} input records finished earlier");
    }
    eprintln!("{}", result.summary);
    if let Some(kb) = peak_memory_kb() {
        eprintln!("peak memory {:.0} MB", kb as f64 / 1024.0);
    }
    Ok(())
}

/// The process's peak resident memory (Linux).
fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
