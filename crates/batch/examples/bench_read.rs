//! Throughput of everything in `unspin scan` except the checker: walking,
//! decompressing, parsing (JSONL, WARC, HTML main-text extraction), the
//! ordered parallel pipeline and the JSONL writer. Each document's record is
//! the one a scan writes for a document with no findings.
//!
//! Usage: bench-read [--threads N] [--out FILE] PATH...

use std::path::PathBuf;
use std::time::Instant;

use unspin_batch::output::{JsonlWriter, RecordWriter};
use unspin_batch::{html, pipeline, Content, Item, Outcome, OutcomeKind, SourceOptions, Sources, Summary};
use unspin_engine::Report;

fn to_outcome(item: Item) -> Outcome {
    let Item { id, location, input_position, content } = item.resolve(&SourceOptions::default());
    let checked = |text: &str| OutcomeKind::Checked { report: Report { score: 0.0, spun: false, findings: vec![] }, restored: None, text_bytes: text.len() };
    let result = match content {
        Content::Text(t) => checked(&t),
        Content::Html(h) => match html::main_text(&h) {
            Ok(t) => checked(&t),
            Err(e) => OutcomeKind::Unreadable(e),
        },
        Content::Unreadable(e) => OutcomeKind::Unreadable(e),
        Content::Skipped(r) => OutcomeKind::Skipped(r),
        Content::JsonLine(_) | Content::HttpResponse { .. } => unreachable!("resolved"),
    };
    Outcome { id, location, input_position, result }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut out = std::env::temp_dir().join("unspin-bench-read.jsonl");
    let mut inputs = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => threads = args.next().unwrap().parse().unwrap(),
            "--out" => out = args.next().unwrap().into(),
            _ => inputs.push(PathBuf::from(a)),
        }
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let mut writer = JsonlWriter::to_file(std::fs::File::create(&out).unwrap(), 0);
    let mut s = Summary::default();
    let started = Instant::now();
    pipeline::run(Sources::new(&inputs, SourceOptions::default()), &pool, Default::default(), to_outcome, |outcomes| {
        let mut keep = Vec::with_capacity(outcomes.len());
        for o in &outcomes {
            s.items += 1;
            s.input_bytes = s.input_bytes.max(o.input_position);
            match &o.result {
                OutcomeKind::Checked { text_bytes, .. } => {
                    s.documents += 1;
                    s.text_bytes += *text_bytes as u64;
                    keep.push(o);
                }
                OutcomeKind::Unreadable(e) => {
                    *s.errors.entry(e.kind).or_default() += 1;
                    keep.push(o);
                }
                OutcomeKind::Skipped(r) => *s.skipped.entry(r.to_string()).or_default() += 1,
            }
        }
        s.output_records += keep.len() as u64;
        writer.write(&keep)?;
        writer.commit().map(|_| ())
    })
    .unwrap();
    s.seconds = started.elapsed().as_secs_f64();
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|st| st.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
        .unwrap_or(0);
    println!("{s}");
    println!(
        "threads {threads}: {} documents, {:.0} MB on disk, {:.0} MB text, {:.1} s: {:.0} documents/s, {:.1} MB/s on disk, {:.1} MB/s text; peak memory {} MB",
        s.documents,
        s.input_bytes as f64 / 1e6,
        s.text_bytes as f64 / 1e6,
        s.seconds,
        s.documents as f64 / s.seconds,
        s.input_bytes as f64 / 1e6 / s.seconds,
        s.text_bytes as f64 / 1e6 / s.seconds,
        peak / 1024
    );
}
