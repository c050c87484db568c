//! `unspin scan` end to end, on corpora the tests write: a directory of text,
//! JSONL with broken lines, a gzip cut in half, a WARC written by the `warc`
//! crate, Parquet in and out, and a scan killed and resumed.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

use common::{fixture_model, unspin};

const SPUN: &str = "The allied states is a big country.";
const CLEAN: &str = "The united states is a big country.";

fn jsonl(text: &[u8]) -> Vec<Value> {
    std::str::from_utf8(text).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// A corpus with every kind of input and of breakage.
fn mixed_corpus(root: &Path) {
    std::fs::create_dir_all(root.join("articles")).unwrap();
    std::fs::write(root.join("articles/a-spun.txt"), SPUN).unwrap();
    std::fs::write(root.join("articles/b-clean.txt"), CLEAN).unwrap();
    std::fs::write(root.join("articles/c-latin1.txt"), b"caf\xe9").unwrap();
    let mut lines = Vec::new();
    for i in 0..6 {
        lines.push(format!("{{\"id\":\"j{i}\",\"text\":\"{}\"}}", if i % 2 == 0 { SPUN } else { CLEAN }));
    }
    lines.insert(2, "{\"id\":\"broken\",\"text\":".to_string());
    lines.insert(4, "{\"id\":\"no-text\"}".to_string());
    lines.push(String::new());
    std::fs::write(root.join("docs.jsonl"), lines.join("\n") + "\n").unwrap();
    let many: String = (0..5000).map(|i| format!("{{\"id\":{i},\"text\":\"{CLEAN} Number {i}.\"}}\n")).collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(many.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    std::fs::write(root.join("e-cut.jsonl.gz"), &gz[..gz.len() / 2]).unwrap();
    let mut warc_bytes = Vec::new();
    {
        use warc::{BufferedBody, Record, RecordType, WarcHeader, WarcWriter};
        let mut w = WarcWriter::new(&mut warc_bytes);
        let mut rec = |t: RecordType, uri: &str, ct: &str, body: Vec<u8>| {
            let mut r = Record::<BufferedBody>::with_body(body);
            r.set_warc_type(t);
            r.set_header(WarcHeader::TargetURI, uri).unwrap();
            r.set_header(WarcHeader::ContentType, ct).unwrap();
            w.write(&r).unwrap();
        };
        rec(RecordType::WarcInfo, "", "application/warc-fields", b"software: test\r\n".to_vec());
        rec(RecordType::Request, "http://x.example/", "application/http; msgtype=request", b"GET / HTTP/1.1\r\n\r\n".to_vec());
        let para = format!("{SPUN} {CLEAN} {CLEAN} {CLEAN} {CLEAN} {CLEAN} {CLEAN} {CLEAN} {CLEAN} {CLEAN} {CLEAN} {CLEAN} {CLEAN} {CLEAN}");
        let page = format!("<html><body><nav><a href='/'>Home</a></nav><article><p>{para}</p><p>{para}</p></article><footer>(c) x</footer></body></html>");
        let mut http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n", page.len()).into_bytes();
        http.extend_from_slice(page.as_bytes());
        rec(RecordType::Response, "http://x.example/", "application/http; msgtype=response", http);
        rec(RecordType::Conversion, "http://x.example/", "text/plain", CLEAN.as_bytes().to_vec());
    }
    warc_bytes.extend_from_slice(b"garbage between records\r\n\r\n");
    std::fs::write(root.join("f-crawl.warc"), warc_bytes).unwrap();
}

#[test]
fn scan_reads_every_kind_of_input_and_accounts_for_every_record() {
    let m = fixture_model();
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    mixed_corpus(&corpus);
    let out = unspin().arg("scan").arg(&corpus).arg("--model").arg(m.path()).args(["--threads", "2"]).assert().success();
    let records = jsonl(&out.get_output().stdout);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();

    // Text files, in name order, with the check's report.
    let p = |rel: &str| corpus.join(rel).display().to_string();
    assert_eq!(records[0]["id"], p("articles/a-spun.txt"));
    // One finding in a seven-word text: a high score, short of a verdict.
    assert!(records[0]["score"].as_f64().unwrap() > 0.5, "{}", records[0]);
    assert_eq!(records[0]["findings"][0]["suggestion"], "united");
    assert_eq!(records[1]["findings"].as_array().unwrap().len(), 0);
    assert_eq!(records[2]["error"]["kind"], "encoding");
    assert_eq!(records[2]["location"], p("articles/c-latin1.txt"));
    // JSONL: broken lines are errors at their line, the others keep their ids.
    let ids: Vec<&str> = records[3..11].iter().map(|r| r["id"].as_str().unwrap()).collect();
    let docs = p("docs.jsonl");
    assert_eq!(ids, ["j0", "j1", &format!("{docs}:3"), "j2", &format!("{docs}:5"), "j3", "j4", "j5"]);
    assert_eq!(records[5]["error"]["kind"], "json");
    assert_eq!(records[7]["error"]["message"], "no field \"text\"");
    assert!(records[3]["score"].as_f64().unwrap() > 0.5);
    assert_eq!(records[4]["spun"], false);
    // The cut gzip: the lines before the cut, then one error.
    let cut: Vec<&Value> = records.iter().filter(|r| r["location"].as_str().unwrap().starts_with(&p("e-cut.jsonl.gz"))).collect();
    let (last, good) = cut.split_last().unwrap();
    assert!(good.len() > 500 && good.len() < 4500, "{}", good.len());
    assert!(good.iter().enumerate().all(|(i, r)| r["id"].as_str() == Some(i.to_string().as_str()) && r["score"].is_number()));
    assert_eq!(last["error"]["kind"], "decompress");
    // The WARC: the HTML page's main text and the WET text are documents; the garbage is an error.
    let warc: Vec<&Value> = records.iter().filter(|r| r["location"].as_str().unwrap().starts_with(&p("f-crawl.warc"))).collect();
    assert_eq!(warc.len(), 3, "{warc:?}");
    assert_eq!(warc[0]["id"], "http://x.example/");
    assert!(warc[0]["findings"].as_array().is_some_and(|f| !f.is_empty()), "{}", warc[0]);
    assert_eq!(warc[0]["findings"][0]["text"], "allied");
    assert_eq!(warc[1]["spun"], false);
    assert_eq!(warc[2]["error"]["kind"], "warc");

    // The summary adds up: records = checked + unreadable + skipped.
    let errors = records.iter().filter(|r| r.get("error").is_some()).count();
    let checked = records.len() - errors;
    assert_eq!(errors, 5);
    assert!(
        stderr.contains(&format!("{} input records: {checked} documents checked, {errors} unreadable, 3 skipped", records.len() + 3)),
        "{stderr}"
    );
    assert!(stderr.contains("unreadable: decompress 1, encoding 1, json 2, warc 1"), "{stderr}");
    assert!(stderr.contains("skipped: WARC request record 1, WARC warcinfo record 1, blank line 1"), "{stderr}");
    // Each unreadable document is named on stderr with its location.
    assert!(stderr.contains(&format!("{docs}:3: json: malformed JSON")), "{stderr}");
}

#[test]
fn scan_records_match_check_and_restore_and_keep_order_on_any_thread_count() {
    let m = fixture_model();
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("docs.jsonl");
    let texts: Vec<String> = (0..3000).map(|i| format!("{} Item {i}.", if i % 3 == 0 { SPUN } else { CLEAN })).collect();
    let body: String = texts.iter().enumerate().map(|(i, t)| format!("{{\"id\":\"d{i}\",\"text\":\"{t}\"}}\n")).collect();
    std::fs::write(&corpus, body).unwrap();
    let run = |threads: &str, extra: &[&str]| {
        let out = unspin().arg("scan").arg(&corpus).arg("--model").arg(m.path()).args(["--threads", threads, "--chunk-docs", "64"]).args(extra).assert().success();
        out.get_output().stdout.clone()
    };
    let one = run("1", &["--restore"]);
    let two = run("2", &["--restore"]);
    assert_eq!(one, two, "output is in input order whatever the thread count");
    let records = jsonl(&one);
    assert_eq!(records.len(), 3000);
    for i in [0usize, 1, 2999] {
        let r = &records[i];
        assert_eq!(r["id"], format!("d{i}"));
        let check = unspin().args(["check", "--json", "--model"]).arg(m.path()).write_stdin(texts[i].clone()).assert().success();
        let check: Value = serde_json::from_slice(&check.get_output().stdout).unwrap();
        for key in ["score", "spun", "findings"] {
            assert_eq!(r[key], check[key], "record {i}: {key}");
        }
        let restored = unspin().args(["restore", "--model"]).arg(m.path()).write_stdin(texts[i].clone()).assert().success();
        assert_eq!(r["restored"].as_str().unwrap().as_bytes(), restored.get_output().stdout.as_slice());
    }
    // --min-score keeps the suspect documents only.
    let spun = jsonl(&run("2", &["--min-score", "0.5"]));
    assert_eq!(spun.len(), 1000);
    assert!(spun.iter().all(|r| r["score"].as_f64().unwrap() >= 0.5));
}

/// An HTML file among the text files is checked as `unspin check` checks a
/// page: its text, restored in place with the markup untouched.
#[test]
fn an_html_file_is_checked_as_its_text_and_restored_in_place() {
    let m = fixture_model();
    let dir = tempfile::tempdir().unwrap();
    let page = format!("<html><head><script>var s = \"{SPUN}\";</script></head><body><p>{SPUN}</p></body></html>\n");
    std::fs::write(dir.path().join("page.html"), &page).unwrap();
    let out = unspin().arg("scan").arg(dir.path()).arg("--model").arg(m.path()).arg("--restore").assert().success();
    let records = jsonl(&out.get_output().stdout);
    assert_eq!(records.len(), 1);
    let check = unspin().args(["check", "--json", "--model"]).arg(m.path()).write_stdin(page.clone()).assert().success();
    let check: Value = serde_json::from_slice(&check.get_output().stdout).unwrap();
    assert_eq!(records[0]["findings"], check["findings"]);
    assert_eq!(records[0]["findings"].as_array().unwrap().len(), 1);
    assert_eq!(records[0]["restored"].as_str().unwrap(), page.replacen(&format!("<p>{SPUN}"), &format!("<p>{CLEAN}"), 1));
}

/// Other probable originals go into JSONL records; Parquet's findings have a
/// fixed struct, so asking for them there is refused rather than dropped.
#[test]
fn alternatives_are_written_to_jsonl_and_refused_for_parquet() {
    let m = fixture_model();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), SPUN).unwrap();
    let out = unspin().arg("scan").arg(dir.path()).args(["--alternatives", "2", "--model"]).arg(m.path()).assert().success();
    let records = jsonl(&out.get_output().stdout);
    assert_eq!(records.len(), 1);
    let plain = unspin().arg("scan").arg(dir.path()).arg("--model").arg(m.path()).assert().success();
    let plain = jsonl(&plain.get_output().stdout);
    let findings = records[0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), plain[0]["findings"].as_array().unwrap().len());
    assert!(!findings.is_empty());
    for (f, p) in findings.iter().zip(plain[0]["findings"].as_array().unwrap()) {
        assert_eq!(f["suggestion"], p["suggestion"]);
        assert!(p.get("alternatives").is_none());
        assert!(f.get("alternatives").is_none_or(|a| a.as_array().unwrap().len() <= 2));
    }
    let out = unspin()
        .arg("scan")
        .arg(dir.path())
        .args(["--alternatives", "2", "--out"])
        .arg(dir.path().join("o.parquet"))
        .arg("--model")
        .arg(m.path())
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("--alternatives is written to JSONL output only"));
    assert!(!dir.path().join("o.parquet").exists());
}

#[test]
fn parquet_in_and_out() {
    use arrow_array::cast::AsArray;
    use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use std::sync::Arc;
    let m = fixture_model();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.parquet");
    {
        let ids: ArrayRef = Arc::new(StringArray::from(vec!["p1", "p2", "p3"]));
        let texts: ArrayRef = Arc::new(StringArray::from(vec![Some(SPUN), None, Some(CLEAN)]));
        let batch = RecordBatch::try_from_iter(vec![("key", ids), ("content", texts)]).unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&input).unwrap(), batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }
    let out = dir.path().join("out.parquet");
    let args = |cmd: &mut Command| {
        cmd.arg("scan").arg(&input).args(["--text-field", "content", "--id-field", "key", "--restore", "--model"]).arg(m.path());
    };
    let mut c = unspin();
    args(&mut c);
    let as_jsonl = jsonl(&c.assert().success().get_output().stdout);
    let mut c = unspin();
    args(&mut c);
    c.arg("--out").arg(&out).assert().success();

    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&out).unwrap()).unwrap().build().unwrap();
    let batch = reader.map(|b| b.unwrap()).next().unwrap();
    assert_eq!(batch.num_rows(), 3);
    let ids: Vec<Option<&str>> = batch.column_by_name("id").unwrap().as_string::<i32>().iter().collect();
    assert_eq!(ids, [Some("p1"), Some("p2"), Some("p3")]);
    let kinds: Vec<Option<&str>> = batch.column_by_name("error_kind").unwrap().as_string::<i32>().iter().collect();
    assert_eq!(kinds, [None, Some("parquet"), None]);
    let restored: Vec<Option<&str>> = batch.column_by_name("restored").unwrap().as_string::<i32>().iter().collect();
    assert_eq!(restored, [Some(CLEAN), None, Some(CLEAN)]);
    let scores = batch.column_by_name("score").unwrap().as_primitive::<arrow_array::types::Float64Type>().clone();
    assert_eq!(scores.value(0), as_jsonl[0]["score"].as_f64().unwrap());
    let findings = batch.column_by_name("findings").unwrap().as_list::<i32>().clone();
    let first = findings.value(0);
    let first = first.as_struct();
    assert_eq!(first.len(), as_jsonl[0]["findings"].as_array().unwrap().len());
    assert_eq!(first.column_by_name("suggestion").unwrap().as_string::<i32>().value(0), "united");
    assert_eq!(as_jsonl[1]["error"]["message"], "null in column \"content\"");
}

fn checkpoint(out: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(out.with_file_name(format!("{}.checkpoint", out.file_name().unwrap().to_str().unwrap()))).ok()?;
    serde_json::from_str(&text).ok()
}

/// Starts a scan and kills it (SIGKILL) once its checkpoint shows more than
/// `after` records finished; returns how many it had finished.
fn start_and_kill(args: &[&std::ffi::OsStr], out: &Path, after: u64) -> u64 {
    let mut child = Process::new(env!("CARGO_BIN_EXE_unspin")).args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(c) = checkpoint(out) {
            let items = c["items"].as_u64().unwrap();
            assert_ne!(c["complete"], true, "the scan finished before it could be killed; make the corpus larger");
            if items > after {
                child.kill().unwrap();
                child.wait().unwrap();
                return items;
            }
        }
        assert!(child.try_wait().unwrap().is_none(), "the scan ended on its own");
        assert!(Instant::now() < deadline, "the scan made no progress");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_killed_scan_resumes_to_exactly_the_uninterrupted_output() {
    let m = fixture_model();
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    mixed_corpus(&corpus);
    let big: String = (0..60_000).map(|i| format!("{{\"id\":\"big{i}\",\"text\":\"{} {i}\"}}\n", if i % 5 == 0 { SPUN } else { CLEAN })).collect();
    std::fs::write(corpus.join("g-big.jsonl"), big).unwrap();
    let model = m.path().as_os_str();
    let args = |out: &PathBuf| -> Vec<std::ffi::OsString> {
        let mut a: Vec<std::ffi::OsString> = vec!["scan".into(), corpus.clone().into(), "--model".into(), model.into()];
        a.extend(["--threads", "2", "--chunk-docs", "50", "--restore", "--resume", "--out"].map(Into::into));
        a.push(out.clone().into());
        a
    };
    let reference = dir.path().join("reference.jsonl");
    unspin().args(args(&reference)).assert().success();

    let out = dir.path().join("out.jsonl");
    let a = args(&out);
    let a: Vec<&std::ffi::OsStr> = a.iter().map(|s| s.as_os_str()).collect();
    let first = start_and_kill(&a, &out, 0);
    // A kill can land in the middle of a write: leave a torn record behind.
    std::fs::OpenOptions::new().append(true).open(&out).unwrap().write_all(b"{\"id\":\"torn").unwrap();
    let second = start_and_kill(&a, &out, first + 500);
    assert!(second > first);
    let done = unspin().args(&a).assert().success();
    let stderr = String::from_utf8_lossy(&done.get_output().stderr).to_string();
    assert!(stderr.contains("resumed after"), "{stderr}");

    let want = std::fs::read(&reference).unwrap();
    let got = std::fs::read(&out).unwrap();
    assert_eq!(got.len(), want.len());
    assert!(got == want, "the resumed output differs from the uninterrupted one");
    let (c, r) = (checkpoint(&out).unwrap(), checkpoint(&reference).unwrap());
    assert_eq!(c["complete"], true);
    for key in ["items", "documents", "spun", "errors", "skipped", "output_records", "text_bytes"] {
        assert_eq!(c["summary"][key], r["summary"][key], "{key}");
    }

    // Once complete, a resume does nothing; other options refuse the checkpoint.
    unspin().args(&a).assert().success().stderr(predicates::str::contains("already finished"));
    assert!(std::fs::read(&out).unwrap() == want);
    let mut other = a.clone();
    other.retain(|s| *s != "--restore");
    unspin().args(&other).assert().code(2).stderr(predicates::str::contains("other inputs or options"));
    // So do other engine settings: a resumed scan must judge as the first part did.
    for extra in [&["--profile", "web"][..], &["--thorough"]] {
        let mut other = a.clone();
        other.extend(extra.iter().map(std::ffi::OsStr::new));
        unspin().args(&other).assert().code(2).stderr(predicates::str::contains("other inputs or options"));
    }

    // A Parquet output resumes too: its records are spooled as JSONL until
    // the scan is complete, and the file is exactly the uninterrupted one.
    let reference = dir.path().join("reference.parquet");
    unspin().args(args(&reference)).assert().success();
    let out = dir.path().join("out.parquet");
    let spool = dir.path().join("out.parquet.spool.jsonl");
    let a = args(&out);
    let a: Vec<&std::ffi::OsStr> = a.iter().map(|s| s.as_os_str()).collect();
    let first = start_and_kill(&a, &spool, 0);
    assert!(first > 0);
    unspin().args(&a).assert().success().stderr(predicates::str::contains("resumed after"));
    assert!(std::fs::read(&out).unwrap() == std::fs::read(&reference).unwrap(), "the resumed Parquet output differs");
    assert!(!spool.exists(), "the spool is removed once the Parquet file is written");
    unspin().args(&a).assert().success().stderr(predicates::str::contains("already finished"));
}

#[test]
fn an_output_inside_the_scanned_directory_is_not_read_back() {
    let m = fixture_model();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), SPUN).unwrap();
    std::fs::write(dir.path().join("b.txt"), CLEAN).unwrap();
    let out = dir.path().join("results.jsonl");
    for _ in 0..2 {
        unspin().arg("scan").arg(dir.path()).arg("--model").arg(m.path()).arg("--out").arg(&out).assert().success();
        let records = jsonl(&std::fs::read(&out).unwrap());
        assert_eq!(records.len(), 2, "{records:?}");
    }
}

#[test]
fn scan_usage_errors() {
    let m = fixture_model();
    unspin().args(["scan", "no/such/dir", "--model"]).arg(m.path()).assert().code(2).stderr(predicates::str::contains("no/such/dir: no such file"));
    unspin().args(["scan", ".", "--min-score", "2", "--model"]).arg(m.path()).assert().code(2);
    unspin().args(["scan", ".", "--format", "pdf"]).assert().code(2).stderr(predicates::str::contains("unknown format"));
    unspin().args(["scan", ".", "--resume", "--model"]).arg(m.path()).assert().code(2).stderr(predicates::str::contains("--resume needs --out FILE"));
}
