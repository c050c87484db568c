//! `unspin index`, `unspin match` and `unspin cluster`: finding the documents
//! a spun copy was made from (crate unspin-matching).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Subcommand, ValueEnum};
use unspin_lexicon::Lexicon;
use unspin_matching::index::IndexWriter;
use unspin_matching::input::{self, Format, InputOptions};
use unspin_matching::{Corpus, Document, Index, MatchParams, Matcher, MemoryIndex};

use crate::UserError;

#[derive(Subcommand)]
pub enum IndexCommand {
    /// Create an index of the documents in CORPUS (files, directories, JSONL).
    Build(IndexArgs),
    /// Add documents to an existing index.
    Add(IndexArgs),
    /// Print what an index holds.
    Info {
        #[arg(long, value_name = "DIR")]
        index: PathBuf,
    },
    /// Benchmark: index generated documents and time matching (scripts/bench-match.sh).
    #[command(hide = true)]
    Bench(BenchArgs),
}

#[derive(Args, Clone)]
pub struct InputArgs {
    /// How to read inputs: auto (by name: .jsonl/.ndjson, .warc/.wet, .parquet, each optionally .gz/.zst; others text), text (a file is a document), lines (a line is a document), jsonl, warc, parquet.
    #[arg(long, value_enum, default_value = "auto")]
    format: FormatArg,
    /// JSONL field holding the text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    text_field: String,
    /// JSONL field holding the document id (default: FILE:LINE).
    #[arg(long, value_name = "NAME", default_value = "id")]
    id_field: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Auto,
    Text,
    Lines,
    Jsonl,
    Warc,
    Parquet,
}

impl InputArgs {
    fn options(&self, lines: bool) -> InputOptions {
        let format = match (self.format, lines) {
            (_, true) => Format::Lines,
            (FormatArg::Auto, _) => Format::Auto,
            (FormatArg::Text, _) => Format::Text,
            (FormatArg::Lines, _) => Format::Lines,
            (FormatArg::Jsonl, _) => Format::Jsonl,
            (FormatArg::Warc, _) => Format::Warc,
            (FormatArg::Parquet, _) => Format::Parquet,
        };
        InputOptions { format, text_field: self.text_field.clone(), id_field: self.id_field.clone() }
    }
}

#[derive(Args)]
pub struct IndexArgs {
    /// Files or directories to index (text files, JSON Lines), or - for standard input.
    #[arg(required = true, value_name = "CORPUS")]
    corpus: Vec<String>,
    /// Index directory.
    #[arg(long, value_name = "DIR")]
    index: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    /// Model directory (for the lexicon).
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
pub struct MatchArgs {
    /// The copy to look up (a file, a directory or JSONL of many copies), or - for standard input.
    #[arg(default_value = "-")]
    file: String,
    #[arg(long, value_name = "DIR")]
    index: PathBuf,
    /// Sources reported per copy at most.
    #[arg(long, default_value_t = 5)]
    top: usize,
    /// Print JSON (one object per copy, one per line when there are several).
    #[arg(long)]
    json: bool,
    /// Treat every input line as its own copy.
    #[arg(long)]
    lines: bool,
    /// Report a source only from this similarity (0..1) on.
    #[arg(long, value_name = "X")]
    min_similarity: Option<f64>,
    #[command(flatten)]
    input: InputArgs,
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
}

#[derive(Args)]
pub struct ClusterArgs {
    /// Files or directories (text files, JSON Lines), or - for standard input.
    #[arg(required = true, value_name = "CORPUS")]
    corpus: Vec<String>,
    /// Join two documents from this similarity (0..1) on.
    #[arg(long, value_name = "X")]
    min_similarity: Option<f64>,
    /// Also print documents that have no variant (clusters of one).
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    input: InputArgs,
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
}

#[derive(Args)]
pub struct BenchArgs {
    /// Documents to generate and index.
    #[arg(long, default_value_t = 1_000_000)]
    docs: usize,
    /// Index directory (must not hold an index).
    #[arg(long, value_name = "DIR")]
    index: PathBuf,
    /// Spun copies of indexed documents to look up (and as many unindexed ones).
    #[arg(long, default_value_t = 500)]
    queries: usize,
    /// The downloaded data (Brown corpus, the generator's source).
    #[arg(long, value_name = "DIR", default_value = ".cache/data")]
    data: PathBuf,
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
}

/// The lexicon file of the model (only the lexicon is needed here).
fn lexicon_path(model: Option<&Path>) -> anyhow::Result<PathBuf> {
    let file = unspin_engine::model::LEXICON_FILE;
    if let Some(dir) = model {
        let p = dir.join(file);
        if !p.is_file() {
            return Err(UserError(format!("model directory {}: {file} is missing; {}", dir.display(), unspin_engine::model::SETUP_HINT)).into());
        }
        return Ok(p);
    }
    let dirs = unspin_engine::model::default_model_dirs();
    for d in &dirs {
        if d.join(file).is_file() {
            return Ok(d.join(file));
        }
    }
    Err(UserError(format!(
        "no unspin model found (looked in {}); {}",
        dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", "),
        unspin_engine::model::SETUP_HINT
    ))
    .into())
}

fn open_lexicon(model: Option<&Path>) -> anyhow::Result<(Lexicon, PathBuf)> {
    let path = lexicon_path(model)?;
    let lex = Lexicon::open(&path).map_err(|e| UserError(e.to_string()))?;
    Ok((lex, path))
}

fn user(e: impl std::fmt::Display) -> anyhow::Error {
    UserError(e.to_string()).into()
}

fn check_similarity(x: Option<f64>) -> anyhow::Result<Option<f64>> {
    match x {
        Some(t) if !(0.0..=1.0).contains(&t) => Err(user(format!("--min-similarity must be between 0 and 1, got {t}"))),
        _ => Ok(x),
    }
}

pub fn run_index(cmd: &IndexCommand) -> anyhow::Result<()> {
    match cmd {
        IndexCommand::Build(a) => index_docs(a, true),
        IndexCommand::Add(a) => index_docs(a, false),
        IndexCommand::Info { index } => {
            let idx = Index::open(index).map_err(user)?;
            let m = idx.manifest();
            println!("index      {}", index.display());
            println!("documents  {}", idx.len());
            println!("segments   {}", m.segments.len());
            println!("size       {:.1} MB", idx.size_bytes() as f64 / 1e6);
            println!("lsh        {} bands x {} rows, {}-word shingles of immutable words", m.lsh.bands, m.lsh.rows, m.lsh.shingle);
            println!("lexicon    {}", m.lexicon_checksum);
            Ok(())
        }
        IndexCommand::Bench(a) => bench(a),
    }
}

fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {human_pos} documents, {msg} ({per_sec})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

const BATCH: usize = 4096;

fn index_docs(a: &IndexArgs, create: bool) -> anyhow::Result<()> {
    let (lexicon, lex_path) = open_lexicon(a.model.as_deref())?;
    let defaults = MatchParams::default();
    let mut writer = if create {
        IndexWriter::create(&a.index, defaults.lsh, defaults.seed, &lex_path).map_err(user)?
    } else {
        IndexWriter::open(&a.index, &lex_path).map_err(user)?
    };
    let (lsh, seed) = writer.params();
    let matcher = Matcher::new(&lexicon, MatchParams { lsh, seed, ..defaults });
    let started = Instant::now();
    let before = writer.docs();
    let bar = progress_bar(a.quiet);
    let mut batch: Vec<Document> = Vec::with_capacity(BATCH);
    let mut bytes = 0u64;
    let opts = a.input.options(false);
    let mut failure: Option<anyhow::Error> = None;
    for source in &a.corpus {
        bar.set_message(source.clone());
        let result = input::read_documents(source, &opts, &mut |d| {
            bytes += d.text.len() as u64;
            batch.push(d);
            if batch.len() >= BATCH {
                let n = batch.len() as u64;
                writer.add(&matcher, std::mem::take(&mut batch)).map_err(|e| input::InputError(e.to_string()))?;
                bar.inc(n);
            }
            Ok(())
        });
        if let Err(e) = result {
            failure = Some(user(e));
            break;
        }
    }
    if let Some(e) = failure {
        bar.finish_and_clear();
        // Nothing was published: segments written so far are not in the manifest.
        return Err(e);
    }
    let n = batch.len() as u64;
    writer.add(&matcher, batch).map_err(user)?;
    bar.inc(n);
    let manifest = writer.commit().map_err(user)?;
    bar.finish_and_clear();
    eprintln!(
        "unspin: indexed {} documents ({:.1} MB) in {:.1} s; {} now holds {} documents",
        manifest.docs() - before,
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        a.index.display(),
        manifest.docs()
    );
    Ok(())
}

fn open_index(dir: &Path, model: Option<&Path>) -> anyhow::Result<(Index, Lexicon)> {
    let index = Index::open(dir).map_err(user)?;
    let (lexicon, lex_path) = open_lexicon(model)?;
    index.check_lexicon(&lex_path).map_err(user)?;
    Ok((index, lexicon))
}

fn matcher_for<'l>(index: &Index, lexicon: &'l Lexicon, min: Option<f64>) -> Matcher<'l> {
    let m = index.manifest();
    let mut p = MatchParams { lsh: m.lsh, seed: m.seed, ..MatchParams::default() };
    if let Some(x) = min {
        p.min_similarity = x;
    }
    Matcher::new(lexicon, p)
}

#[derive(serde::Serialize)]
struct MatchJson<'a> {
    #[serde(skip)]
    doc: u64,
    id: &'a str,
    similarity: f64,
    source_coverage: f64,
    passages: Vec<unspin_matching::Passage>,
}

#[derive(serde::Serialize)]
struct QueryJson<'a> {
    query: &'a str,
    matches: Vec<MatchJson<'a>>,
}

pub fn run_match(a: &MatchArgs) -> anyhow::Result<()> {
    let min = check_similarity(a.min_similarity)?;
    if a.top == 0 {
        return Err(user("--top must be at least 1"));
    }
    // Read the copy first: a typo in its name should not wait for the index.
    let opts = a.input.options(a.lines);
    let single = !a.lines && matches!(opts.format, Format::Auto | Format::Text) && (a.file == "-" || Path::new(&a.file).is_file());
    let single = single && !(a.file.ends_with(".jsonl") || a.file.ends_with(".ndjson"));
    let mut queries = Vec::new();
    if single {
        queries.push(Document { id: a.file.clone(), text: crate::input::read(&a.file)? });
    } else {
        input::read_documents(&a.file, &opts, &mut |d| {
            queries.push(d);
            Ok(())
        })
        .map_err(user)?;
    }
    let (index, lexicon) = open_index(&a.index, a.model.as_deref())?;
    let matcher = matcher_for(&index, &lexicon, min);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // Queries are looked up on every core, a batch at a time, and their
    // records written in order.
    let answer = |q: &Document| -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::new();
        let analysed = matcher.analyse(&q.text);
        let found = matcher.find_analysed(&index, &analysed, a.top, None);
        let results: Vec<MatchJson> = found
            .iter()
            .map(|m| MatchJson {
                doc: m.doc,
                id: index.id(m.doc),
                similarity: round3(m.similarity),
                source_coverage: round3(m.source_coverage),
                passages: matcher.passages(&q.text, &analysed, &index, m),
            })
            .collect();
        let record = QueryJson { query: &q.id, matches: results };
        if a.json {
            if single {
                serde_json::to_writer_pretty(&mut out, &record)?;
            } else {
                serde_json::to_writer(&mut out, &record)?;
            }
            writeln!(out)?;
        } else {
            write_human(&mut out, &q.text, &index, &record, !single)?;
        }
        Ok(out)
    };
    for batch in queries.chunks(1024) {
        use rayon::prelude::*;
        let records: Vec<anyhow::Result<Vec<u8>>> = batch.par_iter().map(answer).collect();
        for r in records {
            out.write_all(&r?)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn one_line(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}...", flat.chars().take(max).collect::<String>())
    }
}

fn write_human(out: &mut impl Write, text: &str, index: &Index, r: &QueryJson, header: bool) -> std::io::Result<()> {
    if header {
        writeln!(out, "== {}", r.query)?;
    }
    if r.matches.is_empty() {
        writeln!(out, "no source found")?;
        return Ok(());
    }
    for m in &r.matches {
        writeln!(out, "{:.3}  {}  (covers {:.0}% of the source)", m.similarity, m.id, 100.0 * m.source_coverage)?;
        let source = index.text(m.doc);
        for p in &m.passages {
            writeln!(out, "  copy   {}", one_line(&text[p.start..p.end], 100))?;
            writeln!(out, "  source {}", one_line(&source[p.source_start.min(source.len())..p.source_end.min(source.len())], 100))?;
            if !p.swaps.is_empty() {
                let swaps: Vec<String> = p.swaps.iter().map(|s| format!("{} <- {}", s.text, s.source_text)).collect();
                writeln!(out, "  swaps  {}", swaps.join("; "))?;
            }
        }
    }
    Ok(())
}

pub fn run_cluster(a: &ClusterArgs) -> anyhow::Result<()> {
    let min = check_similarity(a.min_similarity)?;
    let opts = a.input.options(false);
    let mut docs = Vec::new();
    for source in &a.corpus {
        input::read_documents(source, &opts, &mut |d| {
            docs.push(d);
            Ok(())
        })
        .map_err(user)?;
    }
    let (lexicon, _) = open_lexicon(a.model.as_deref())?;
    let mut p = MatchParams::default();
    if let Some(x) = min {
        p.min_similarity = x;
    }
    let matcher = Matcher::new(&lexicon, p);
    let index = MemoryIndex::build(&matcher, docs);
    let clusters = unspin_matching::cluster::cluster(&matcher, &index, if a.all { 1 } else { 2 });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for c in &clusters {
        serde_json::to_writer(&mut out, c)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}

/// Generated documents: a word-bigram walk over Brown, so vocabulary and
/// word frequencies are those of real English and no two documents repeat.
struct Generator {
    words: Vec<String>,
    next: Vec<Vec<u32>>,
}

impl Generator {
    fn new(texts: &[String]) -> Generator {
        let mut ids: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        let mut words: Vec<String> = Vec::new();
        let mut next: Vec<Vec<u32>> = Vec::new();
        for t in texts {
            let mut prev: Option<u32> = None;
            for w in t.split_whitespace() {
                let id = *ids.entry(w).or_insert_with(|| {
                    words.push(w.to_string());
                    next.push(Vec::new());
                    (words.len() - 1) as u32
                });
                if let Some(p) = prev {
                    next[p as usize].push(id);
                }
                prev = Some(id);
            }
        }
        Generator { words, next }
    }

    fn document(&self, seed: u64) -> String {
        let mut rng = unspin_eval::SplitMix64::new(seed);
        let len = 150 + rng.below(151);
        let mut cur = rng.below(self.words.len());
        let mut out = String::with_capacity(len * 7);
        for i in 0..len {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&self.words[cur]);
            let succ = &self.next[cur];
            cur = if succ.is_empty() { rng.below(self.words.len()) } else { succ[rng.below(succ.len())] as usize };
        }
        out
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn bench(a: &BenchArgs) -> anyhow::Result<()> {
    use rayon::prelude::*;
    let brown = unspin_eval::load_brown(&a.data.join("brown")).map_err(user)?;
    let texts: Vec<String> = brown.iter().map(|d| d.text.clone()).collect();
    let generator = Generator::new(&texts);
    let (lexicon, lex_path) = open_lexicon(a.model.as_deref())?;
    let params = MatchParams::default();
    let matcher = Matcher::new(&lexicon, params);
    let mut writer = IndexWriter::create(&a.index, params.lsh, params.seed, &lex_path).map_err(user)?;
    let doc_seed = |i: usize| unspin_eval::rng::mix64(0xBE7C_4000_0000 + i as u64);
    let bar = progress_bar(false);
    let started = Instant::now();
    let mut bytes = 0u64;
    let mut i = 0;
    while i < a.docs {
        let n = BATCH.min(a.docs - i);
        let batch: Vec<Document> =
            (i..i + n).into_par_iter().map(|k| Document { id: format!("gen-{k:07}"), text: generator.document(doc_seed(k)) }).collect();
        bytes += batch.iter().map(|d| d.text.len() as u64).sum::<u64>();
        writer.add(&matcher, batch).map_err(user)?;
        bar.inc(n as u64);
        i += n;
    }
    writer.commit().map_err(user)?;
    bar.finish_and_clear();
    let build_s = started.elapsed().as_secs_f64();
    let t = Instant::now();
    let index = Index::open(&a.index).map_err(user)?;
    let open_s = t.elapsed().as_secs_f64();
    let size = index.size_bytes();
    // Spun copies (30% of words, one-way Moby swaps) of indexed documents, and of documents never indexed.
    let spinner = unspin_eval::matching::moby_spinner(&thesaurus_moby::uncompress()).map_err(user)?;
    let mut rng = unspin_eval::SplitMix64::new(42);
    let mut lat = Vec::new();
    let (mut hits, mut false_matches) = (0, 0);
    for q in 0..2 * a.queries {
        let present = q < a.queries;
        let k = if present { rng.below(a.docs) } else { a.docs + q };
        let text = generator.document(doc_seed(k));
        let (spun, _) = unspin_eval::matching::spin_words(&spinner, &text, 0.3, q as u64);
        let t = Instant::now();
        let found = matcher.find(&index, &spun, 10);
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        if present {
            hits += usize::from(found.first().is_some_and(|m| index.id(m.doc) == format!("gen-{k:07}")));
        } else {
            false_matches += usize::from(!found.is_empty());
        }
    }
    lat.sort_by(f64::total_cmp);
    println!("documents        {}", a.docs);
    println!("text             {:.1} MB", bytes as f64 / 1e6);
    println!("build            {:.1} s ({:.0} docs/s, {} threads)", build_s, a.docs as f64 / build_s, rayon::current_num_threads());
    println!("index size       {:.1} MB ({:.1} MB without the stored text)", size as f64 / 1e6, (size - bytes) as f64 / 1e6);
    println!("open             {:.2} s (maps and checksums every segment)", open_s);
    println!("match latency    median {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} queries", percentile(&lat, 0.5), percentile(&lat, 0.99), lat.last().copied().unwrap_or(f64::NAN), lat.len());
    println!("recall@1         {:.3} ({} spun copies of indexed documents, 30% of words swapped)", hits as f64 / a.queries as f64, a.queries);
    println!("false matches    {:.3} ({} spun copies of unindexed documents)", false_matches as f64 / a.queries as f64, a.queries);
    Ok(())
}
