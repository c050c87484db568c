//! `unspin scan`: every document of the inputs checked by the engine, one
//! output record per document, in input order, resumable.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use unspin_engine::Engine;

use crate::checkpoint::{self, Checkpoint};
use crate::output::{JsonlWriter, OutFormat, Outcome, OutcomeKind, ParquetWriter, RecordWriter};
use crate::pipeline::{self, ChunkLimits};
use crate::source::{SourceOptions, Sources};
use crate::{html, Content, ErrorKind, Item, ReadError, Summary};

#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Files and directories, read in this order.
    pub inputs: Vec<PathBuf>,
    pub source: SourceOptions,
    /// None: standard output.
    pub out: Option<PathBuf>,
    pub out_format: OutFormat,
    /// Also write each document with its findings replaced.
    pub restore: bool,
    /// Write only checked documents scoring at least this (errors are always written).
    pub min_score: Option<f64>,
    pub threads: usize,
    /// Continue the scan recorded in the output's checkpoint.
    pub resume: bool,
    /// The engine's settings (model, fingerprints, threshold, profile,
    /// thoroughness, verifier), part of the job identity a checkpoint is
    /// checked against: a resumed scan must judge as the first part did.
    pub engine_description: String,
    pub chunk: ChunkLimits,
}

impl ScanOptions {
    /// What a resumed run must share with the run that wrote the checkpoint.
    fn job_description(&self) -> String {
        let inputs: Vec<String> = self
            .inputs
            .iter()
            .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()).display().to_string())
            .collect();
        format!(
            "inputs={inputs:?} format={:?} text={:?} id={:?} max={} out={:?} restore={} min_score={:?} engine={}",
            self.source.format,
            self.source.text_field,
            self.source.id_field,
            self.source.max_document_bytes,
            self.out_format,
            self.restore,
            self.min_score,
            self.engine_description
        )
    }
}

/// Told about the scan's progress, from the thread that writes the output.
pub trait ScanProgress: Sync {
    /// Before the first document; `so_far` holds the counts a resumed run starts from.
    fn started(&self, _so_far: &Summary) {}
    /// After each chunk of records is written.
    fn advanced(&self, _summary: &Summary) {}
    /// A document could not be read.
    fn unreadable(&self, _location: &str, _error: &ReadError) {}
}

/// No progress reports.
pub struct Quiet;
impl ScanProgress for Quiet {}

#[derive(Debug)]
pub struct ScanResult {
    pub summary: Summary,
    /// Input records a resumed run skipped because an earlier run finished them.
    pub resumed_after: Option<u64>,
    /// The checkpoint said the scan had already finished; nothing was done.
    pub already_complete: bool,
}

/// Checks one item: HTML is reduced to its main text first. A panic in the
/// engine becomes an `internal` error for this document, not the end of the run.
pub fn process(engine: &Engine, restore: bool, source: &SourceOptions, item: Item) -> Outcome {
    let Item { id, location, input_position, content } = item.resolve(source);
    let result = match catch_unwind(AssertUnwindSafe(|| match content {
        Content::Text(text) => check(engine, restore, &text),
        Content::Html(page) => match html::main_text(&page) {
            Ok(text) => check(engine, restore, &text),
            Err(e) => OutcomeKind::Unreadable(e),
        },
        Content::Unreadable(e) => OutcomeKind::Unreadable(e),
        Content::Skipped(reason) => OutcomeKind::Skipped(reason),
        Content::JsonLine(_) | Content::HttpResponse { .. } => unreachable!("resolved above"),
    })) {
        Ok(r) => r,
        Err(_) => OutcomeKind::Unreadable(ReadError::new(ErrorKind::Internal, "the checker failed on this document")),
    };
    Outcome { id, location, input_position, result }
}

/// A text document that is an HTML page (a file or a JSONL field holding
/// one) is checked as `unspin check` checks it: its text, with findings and
/// restorations at their bytes in the page and the markup untouched.
fn check(engine: &Engine, restore: bool, text: &str) -> OutcomeKind {
    let threshold = engine.config().min_confidence;
    if restore {
        let (restored, report) = engine.restore_document(text, unspin_engine::Format::Auto, threshold);
        OutcomeKind::Checked { report, restored: Some(restored), text_bytes: text.len() }
    } else {
        OutcomeKind::Checked { report: engine.check_document(text, unspin_engine::Format::Auto, threshold), restored: None, text_bytes: text.len() }
    }
}

/// Where a scan starts: a fresh output, or the tail of a checkpointed one.
struct Start {
    writer: Box<dyn RecordWriter>,
    checkpoint: Option<(PathBuf, Checkpoint)>,
    skip: u64,
    summary: Summary,
}

fn start(opts: &ScanOptions, job: &str) -> anyhow::Result<Result<Start, Summary>> {
    let fresh_checkpoint = |path: &PathBuf| Checkpoint {
        format: checkpoint::FORMAT.into(),
        version: checkpoint::VERSION,
        job: job.to_string(),
        items: 0,
        output_bytes: 0,
        complete: false,
        summary: Summary::default(),
    }
    .save(&checkpoint::path_for(path))
    .with_context(|| format!("{}: cannot write the checkpoint", checkpoint::path_for(path).display()));
    let Some(out) = &opts.out else {
        if opts.resume {
            bail!("--resume needs --out FILE (the checkpoint is kept next to it)");
        }
        let stdout = io::stdout();
        let writer: Box<dyn RecordWriter> = match opts.out_format {
            OutFormat::Jsonl => Box::new(JsonlWriter::to_stream(stdout)),
            OutFormat::Parquet => Box::new(ParquetWriter::new(stdout, opts.restore)?),
        };
        return Ok(Ok(Start { writer, checkpoint: None, skip: 0, summary: Summary::default() }));
    };
    // A Parquet file cannot be continued once cut short: its records go to
    // a JSONL spool beside it, resumable like any JSONL output, and become
    // the Parquet file when the scan is complete.
    let spool = spool_path(out);
    let out = if opts.out_format == OutFormat::Parquet { &spool } else { out };
    let create = || File::create(out).with_context(|| format!("{}: cannot create the output", out.display()));
    let ckpt_path = checkpoint::path_for(out);
    let previous = if opts.resume { Checkpoint::load(&ckpt_path).map_err(anyhow::Error::msg)? } else { None };
    match previous {
        Some(c) => {
            if c.job != job {
                bail!(
                    "{}: the checkpoint is for a scan with other inputs or options; run the same command, or drop --resume to start over",
                    ckpt_path.display()
                );
            }
            if c.complete {
                return Ok(Err(c.summary));
            }
            let mut file = OpenOptions::new()
                .write(true)
                .open(out)
                .with_context(|| format!("{}: cannot reopen the output to resume", out.display()))?;
            let len = file.metadata()?.len();
            if len < c.output_bytes {
                bail!(
                    "{}: the output is shorter ({len} bytes) than its checkpoint records ({} bytes); drop --resume to start over",
                    out.display(),
                    c.output_bytes
                );
            }
            // Whatever follows the last checkpoint is a partial chunk: drop it.
            file.set_len(c.output_bytes)?;
            file.seek(SeekFrom::End(0))?;
            Ok(Ok(Start {
                writer: Box::new(JsonlWriter::to_file(file, c.output_bytes)),
                skip: c.items,
                summary: c.summary.clone(),
                checkpoint: Some((ckpt_path, c)),
            }))
        }
        None => {
            let file = create()?;
            fresh_checkpoint(out)?;
            let c = Checkpoint::load(&ckpt_path).map_err(anyhow::Error::msg)?.expect("just written");
            Ok(Ok(Start { writer: Box::new(JsonlWriter::to_file(file, 0)), checkpoint: Some((ckpt_path, c)), skip: 0, summary: Summary::default() }))
        }
    }
}

/// Where the records of a Parquet output wait until the scan is complete.
pub fn spool_path(out: &std::path::Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".spool.jsonl");
    PathBuf::from(name)
}

/// Writes the spooled records as the Parquet file `out`, a chunk at a time.
fn spool_to_parquet(spool: &std::path::Path, out: &std::path::Path, restore: bool) -> anyhow::Result<()> {
    use std::io::BufRead;
    let reader = io::BufReader::new(File::open(spool).with_context(|| format!("{}: cannot read the spool", spool.display()))?);
    let file = File::create(out).with_context(|| format!("{}: cannot create the output", out.display()))?;
    let mut writer: Box<dyn RecordWriter> = Box::new(ParquetWriter::new(file, restore)?);
    let mut chunk = Vec::with_capacity(1024);
    let flush = |chunk: &mut Vec<Outcome>, writer: &mut Box<dyn RecordWriter>| -> io::Result<()> {
        writer.write(&chunk.iter().collect::<Vec<_>>())?;
        writer.commit()?;
        chunk.clear();
        Ok(())
    };
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{}: cannot read the spool", spool.display()))?;
        chunk.push(crate::output::outcome_from_json(&line).map_err(|e| anyhow::anyhow!("{}:{}: {e}", spool.display(), n + 1))?);
        if chunk.len() == 1024 {
            flush(&mut chunk, &mut writer)?;
        }
    }
    flush(&mut chunk, &mut writer)?;
    writer.finish()?;
    Ok(())
}

/// Runs a scan to the end (or to the first output error).
pub fn scan(opts: &ScanOptions, engine: &Engine, progress: &dyn ScanProgress) -> anyhow::Result<ScanResult> {
    let job = checkpoint::job_id(&opts.job_description());
    let Start { mut writer, mut checkpoint, skip, mut summary } = match start(opts, &job)? {
        Ok(s) => s,
        Err(done) => return Ok(ScanResult { summary: done, resumed_after: None, already_complete: true }),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .thread_name(|i| format!("unspin-scan-{i}"))
        .build()
        .context("cannot start the worker threads")?;
    progress.started(&summary);
    let started = Instant::now();
    let base_seconds = summary.seconds;
    let mut source = opts.source.clone();
    if let Some(out) = &opts.out {
        // The output may sit inside a scanned directory: never read it back.
        for file in [out.clone(), spool_path(out)] {
            let ckpt = checkpoint::path_for(&file);
            for own in [file.clone(), ckpt.with_extension("checkpoint.tmp"), ckpt] {
                source.exclude.extend(crate::source::canonical_in_parent(&own));
            }
        }
    }
    let items = Sources::new(&opts.inputs, source).skip(skip as usize);
    let min_score = opts.min_score;
    let out_name = opts.out.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "<stdout>".into());
    pipeline::run(items, &pool, opts.chunk, |item| process(engine, opts.restore, &opts.source, item), |outcomes: Vec<Outcome>| {
        let mut keep: Vec<&Outcome> = Vec::with_capacity(outcomes.len());
        for o in &outcomes {
            summary.items += 1;
            summary.input_bytes = summary.input_bytes.max(o.input_position);
            match &o.result {
                OutcomeKind::Checked { report, text_bytes, .. } => {
                    summary.documents += 1;
                    summary.text_bytes += *text_bytes as u64;
                    summary.spun += report.spun as u64;
                    if min_score.is_some_and(|m| report.score < m) {
                        summary.below_min_score += 1;
                    } else {
                        keep.push(o);
                    }
                }
                OutcomeKind::Unreadable(e) => {
                    *summary.errors.entry(e.kind).or_default() += 1;
                    progress.unreadable(&o.location, e);
                    keep.push(o);
                }
                OutcomeKind::Skipped(reason) => *summary.skipped.entry(reason.to_string()).or_default() += 1,
            }
        }
        summary.output_records += keep.len() as u64;
        writer.write(&keep)?;
        let bytes = writer.commit()?;
        summary.seconds = base_seconds + started.elapsed().as_secs_f64();
        if let Some((path, c)) = &mut checkpoint {
            c.items = summary.items;
            c.output_bytes = bytes;
            c.summary = summary.clone();
            c.save(path)?;
        }
        progress.advanced(&summary);
        Ok(())
    })
    .with_context(|| format!("{out_name}: cannot write the output"))?;
    writer.finish().with_context(|| format!("{out_name}: cannot write the output"))?;
    let parquet_file = opts.out.as_ref().filter(|_| opts.out_format == OutFormat::Parquet);
    if let Some(out) = parquet_file {
        spool_to_parquet(&spool_path(out), out, opts.restore)?;
    }
    summary.seconds = base_seconds + started.elapsed().as_secs_f64();
    if let Some((path, c)) = &mut checkpoint {
        c.complete = true;
        c.summary = summary.clone();
        c.save(path).with_context(|| format!("{}: cannot write the checkpoint", path.display()))?;
    }
    if let Some(out) = parquet_file {
        // The checkpoint says complete: a resumed run will not need it.
        let _ = std::fs::remove_file(spool_path(out));
    }
    Ok(ScanResult { summary, resumed_after: (skip > 0).then_some(skip), already_complete: false })
}
