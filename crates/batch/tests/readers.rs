//! The readers on real files that the tests write: WARC written by the `warc`
//! crate (plain, one gzip stream, one gzip member per record), JSONL with
//! broken lines, gzip cut in half, zstd, Parquet, directory walks.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, StringArray};
use unspin_batch::output::{OutFormat, ParquetWriter, RecordWriter};
use unspin_batch::{Content, ErrorKind, Format, Item, Outcome, OutcomeKind, SourceOptions, Sources};
use warc::{BufferedBody, Record, RecordType, WarcHeader};

/// Items as the workers see them: read, then resolved.
fn read_all(paths: &[PathBuf], options: SourceOptions) -> Vec<Item> {
    Sources::new(paths, options.clone()).map(|i| i.resolve(&options)).collect()
}

fn read(path: &Path) -> Vec<Item> {
    read_all(&[path.to_path_buf()], SourceOptions::default())
}

/// (kind, id, text or error kind or skip reason) of an item.
fn describe(item: &Item) -> (String, String) {
    match &item.content {
        Content::Text(t) => ("text".into(), t.clone()),
        Content::Html(h) => ("html".into(), h.clone()),
        Content::Unreadable(e) => ("error".into(), e.kind.name().into()),
        Content::Skipped(r) => ("skipped".into(), r.to_string()),
        other => panic!("unresolved {other:?}"),
    }
}

const ARTICLE: &str = "The committee said on Friday that the investigation of the election had produced no evidence of any irregularities, and it praised the city for the manner in which the vote was conducted.";

fn html_page(body: &str) -> String {
    format!(
        "<html><head><title>T</title><style>p {{color: red}}</style></head><body><nav><a href='/'>Home</a> <a href='/x'>Contact the newsroom</a></nav><article><p>{body}</p><p>{body}</p><p>{body}</p></article><footer>All rights reserved.</footer></body></html>"
    )
}

fn http(content_type: &str, status: &str, body: &[u8]) -> Vec<u8> {
    let mut v = format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    v.extend_from_slice(body);
    v
}

fn record(kind: RecordType, uri: &str, content_type: &str, body: Vec<u8>) -> Record<BufferedBody> {
    let mut r = Record::<BufferedBody>::with_body(body);
    r.set_warc_type(kind);
    r.set_header(WarcHeader::TargetURI, uri).unwrap();
    r.set_header(WarcHeader::ContentType, content_type).unwrap();
    r
}

/// A crawl: the records a Common Crawl WARC and WET file hold, in one file.
fn crawl_records() -> Vec<Record<BufferedBody>> {
    let chunked = {
        let page = html_page("Chunked pages are joined before they are read.");
        let (a, b) = page.split_at(40);
        let mut body = format!("{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n", a.len(), b.len()).into_bytes();
        let mut v = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        v.append(&mut body);
        v
    };
    vec![
        record(RecordType::WarcInfo, "", "application/warc-fields", b"software: test\r\n".to_vec()),
        record(RecordType::Request, "http://a.example/", "application/http; msgtype=request", b"GET / HTTP/1.1\r\nHost: a.example\r\n\r\n".to_vec()),
        record(RecordType::Response, "http://a.example/", "application/http; msgtype=response", http("text/html; charset=utf-8", "200 OK", html_page(ARTICLE).as_bytes())),
        record(RecordType::Metadata, "http://a.example/", "application/warc-fields", b"fetchTimeMs: 12\r\n".to_vec()),
        record(RecordType::Response, "http://a.example/logo.png", "application/http; msgtype=response", http("image/png", "200 OK", b"\x89PNG\r\n\x1a\n\x00\x00")),
        record(RecordType::Response, "http://a.example/old", "application/http; msgtype=response", http("text/html", "301 Moved Permanently", b"<a href='/new'>moved</a>")),
        record(
            RecordType::Response,
            "http://b.example/latin",
            "application/http; msgtype=response",
            http("text/html; charset=ISO-8859-1", "200 OK", html_page("Caf\u{e9} society met in the caf\u{e9} on the corner of the square every single morning of the year.").chars().map(|c| c as u8).collect::<Vec<u8>>().as_slice()),
        ),
        record(RecordType::Response, "http://b.example/chunked", "application/http; msgtype=response", chunked),
        record(RecordType::Conversion, "http://a.example/", "text/plain", ARTICLE.as_bytes().to_vec()),
        record(RecordType::Conversion, "http://c.example/bad", "text/plain", b"caf\xe9".to_vec()),
    ]
}

fn expected_crawl() -> Vec<(&'static str, &'static str)> {
    vec![
        ("skipped", "WARC warcinfo record"),
        ("skipped", "WARC request record"),
        ("html", "http://a.example/"),
        ("skipped", "WARC metadata record"),
        ("skipped", "HTTP response that is not HTML"),
        ("skipped", "HTTP response other than 2xx"),
        ("html", "http://b.example/latin"),
        ("html", "http://b.example/chunked"),
        ("text", "http://a.example/"),
        ("error", "http://c.example/bad"),
    ]
}

fn check_crawl(items: &[Item]) {
    let got: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            let (kind, what) = describe(i);
            let key = if kind == "skipped" { what } else { i.id.clone() };
            (kind, key)
        })
        .collect();
    let want: Vec<(String, String)> = expected_crawl().into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want);
    match &items[2].content {
        Content::Html(h) => assert!(h.contains(ARTICLE)),
        other => panic!("{other:?}"),
    }
    match &items[6].content {
        Content::Html(h) => assert!(h.contains("Caf\u{e9} society")),
        other => panic!("{other:?}"),
    }
    match &items[7].content {
        Content::Html(h) => assert!(h.contains("Chunked pages are joined") && h.ends_with("</html>"), "{h}"),
        other => panic!("{other:?}"),
    }
    match &items[8].content {
        Content::Text(t) => assert_eq!(t, ARTICLE),
        other => panic!("{other:?}"),
    }
    match &items[9].content {
        Content::Unreadable(e) => assert_eq!(e.kind, ErrorKind::Encoding),
        other => panic!("{other:?}"),
    }
    // Locations are distinct offsets into the (decompressed) file.
    let offsets: Vec<u64> = items.iter().map(|i| i.location.rsplit_once('@').unwrap().1.parse().unwrap()).collect();
    assert_eq!(offsets[0], 0);
    assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
}

#[test]
fn warc_with_mixed_records_plain_and_gzipped() {
    let dir = tempfile::tempdir().unwrap();
    // Plain.
    let plain = dir.path().join("crawl.warc");
    {
        let mut w = warc::WarcWriter::from_path(&plain).unwrap();
        for r in crawl_records() {
            w.write(&r).unwrap();
        }
    }
    check_crawl(&read(&plain));
    // One gzip stream for the whole file.
    let gz = dir.path().join("crawl.warc.gz");
    {
        let mut stream = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::default());
        let mut w = warc::WarcWriter::new(&mut stream);
        for r in crawl_records() {
            w.write(&r).unwrap();
        }
        stream.finish().unwrap();
    }
    check_crawl(&read(&gz));
    // One gzip member per record, as Common Crawl publishes.
    let cc = dir.path().join("cc.warc.gz");
    {
        let mut f = std::fs::File::create(&cc).unwrap();
        for r in crawl_records() {
            let mut member = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            warc::WarcWriter::new(&mut member).write(&r).unwrap();
            f.write_all(&member.finish().unwrap()).unwrap();
        }
    }
    let items = read(&cc);
    check_crawl(&items);
    // Progress is measured in bytes on disk.
    assert_eq!(items.last().unwrap().input_position, std::fs::metadata(&cc).unwrap().len());
}

#[test]
fn malformed_warc_records_are_errors_and_reading_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let records = crawl_records();
    let mut bytes = Vec::new();
    warc::WarcWriter::new(&mut bytes).write(&records[2]).unwrap();
    bytes.extend_from_slice(b"this line is not a WARC record\r\nnor is this one\r\n\r\n");
    warc::WarcWriter::new(&mut bytes).write(&records[8]).unwrap();
    bytes.extend_from_slice(b"WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: many\r\n\r\nsome text\r\n\r\n");
    warc::WarcWriter::new(&mut bytes).write(&records[8]).unwrap();
    // Cut short: the last record claims more content than the file has.
    let mut last = Vec::new();
    warc::WarcWriter::new(&mut last).write(&records[8]).unwrap();
    bytes.extend_from_slice(&last[..last.len() - 30]);
    let path = dir.path().join("broken.warc");
    std::fs::write(&path, &bytes).unwrap();
    let got: Vec<(String, String)> = read(&path).iter().map(describe).map(|(k, w)| if k == "error" || k == "skipped" { (k, w) } else { (k, String::new()) }).collect();
    let want = [("html", ""), ("error", "warc"), ("text", ""), ("error", "warc"), ("text", ""), ("error", "warc")];
    assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec());
}

fn jsonl_lines() -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = (0..300).map(|i| format!("{{\"id\":\"doc-{i}\",\"text\":\"Document number {i} says hello.\"}}").into_bytes()).collect();
    lines[10] = b"{\"id\":\"doc-10\",\"text\":\"unterminated".to_vec();
    lines[20] = b"{\"id\":\"doc-20\",\"text\":\"caf\xe9\"}".to_vec();
    lines[30] = b"{\"id\":\"doc-30\",\"body\":\"wrong field\"}".to_vec();
    lines[40] = b"".to_vec();
    lines[50] = format!("{{\"id\":\"doc-50\",\"text\":\"{}\"}}", "x".repeat(2 << 20)).into_bytes();
    lines[60] = b"[1,2,3]".to_vec();
    lines
}

#[test]
fn jsonl_broken_lines_are_located_errors_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docs.jsonl");
    std::fs::write(&path, jsonl_lines().join(&b'\n')).unwrap();
    let options = SourceOptions { max_document_bytes: 1 << 20, ..SourceOptions::default() };
    let items = read_all(std::slice::from_ref(&path), options);
    assert_eq!(items.len(), 300, "one item per line");
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item.location, format!("{}:{}", path.display(), i + 1));
        let (kind, what) = describe(item);
        match i {
            10 | 30 | 60 => assert_eq!((kind.as_str(), what.as_str()), ("error", "json"), "line {}", i + 1),
            20 => assert_eq!((kind.as_str(), what.as_str()), ("error", "encoding")),
            40 => assert_eq!((kind.as_str(), what.as_str()), ("skipped", "blank line")),
            50 => assert_eq!((kind.as_str(), what.as_str()), ("error", "too-large")),
            _ => {
                assert_eq!(item.id, format!("doc-{i}"));
                assert_eq!(what, format!("Document number {i} says hello."));
            }
        }
    }
}

#[test]
fn a_gzip_cut_in_half_keeps_what_was_read_and_reports_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..20_000).map(|i| format!("{{\"id\":{i},\"text\":\"Line {i} of a compressed file {}.\"}}", i * 7919 % 10007)).collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(lines.join("\n").as_bytes()).unwrap();
    let full = gz.finish().unwrap();
    let path = dir.path().join("cut.jsonl.gz");
    std::fs::write(&path, &full[..full.len() / 2]).unwrap();
    let items = read(&path);
    let (last, good) = items.split_last().unwrap();
    assert!(good.len() > 1000 && good.len() < 19_000, "{}", good.len());
    for (i, item) in good.iter().enumerate() {
        assert_eq!(item.id, i.to_string());
        match &item.content {
            Content::Text(t) => assert_eq!(t, &format!("Line {i} of a compressed file {}.", i * 7919 % 10007)),
            other => panic!("line {}: {other:?}", i + 1),
        }
    }
    match &last.content {
        Content::Unreadable(e) => {
            assert_eq!(e.kind, ErrorKind::Decompress);
            assert!(e.message.contains("gzip"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(last.location, format!("{}:{}", path.display(), good.len() + 1));

    // A compressed text file cut short is one unreadable document, not a shorter text.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(lines.join("\n").as_bytes()).unwrap();
    let full = gz.finish().unwrap();
    let txt = dir.path().join("cut.txt.gz");
    std::fs::write(&txt, &full[..full.len() / 2]).unwrap();
    let items = read(&txt);
    assert_eq!(items.len(), 1);
    assert!(matches!(&items[0].content, Content::Unreadable(e) if e.kind == ErrorKind::Decompress));
}

#[test]
fn directories_are_walked_in_name_order_with_compressed_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("b/inner")).unwrap();
    std::fs::create_dir_all(root.join(".hidden")).unwrap();
    std::fs::write(root.join("c.txt"), "third").unwrap();
    std::fs::write(root.join("a.txt"), "first").unwrap();
    std::fs::write(root.join("b/inner/z.txt"), "second").unwrap();
    std::fs::write(root.join(".hidden/x.txt"), "never").unwrap();
    std::fs::write(root.join(".dotfile"), "never").unwrap();
    std::fs::write(root.join("d.txt.zst"), zstd::encode_all("fourth, compressed".as_bytes(), 3).unwrap()).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all("fifth, gzipped".as_bytes()).unwrap();
    std::fs::write(root.join("e.txt.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(root.join("f.bin"), b"\x7fELF\x00\x01").unwrap();
    std::fs::write(root.join("g.txt"), b"caf\xe9").unwrap();
    let items = read(root);
    let got: Vec<(String, String)> = items.iter().map(describe).collect();
    let want = [
        ("text", "first"),
        ("text", "second"),
        ("text", "third"),
        ("text", "fourth, compressed"),
        ("text", "fifth, gzipped"),
        ("error", "binary"),
        ("error", "encoding"),
    ];
    assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec());
    assert_eq!(items[1].id, root.join("b/inner/z.txt").display().to_string());
    // A hidden file named explicitly is read; a missing one is an io error.
    let items = read_all(&[root.join(".dotfile"), root.join("missing.txt")], SourceOptions::default());
    assert_eq!(items.iter().map(describe).collect::<Vec<_>>(), vec![("text".into(), "never".into()), ("error".into(), "io".into())]);
    // --format overrides the file name.
    let jsonl = root.join("data.txt");
    std::fs::write(&jsonl, "{\"text\":\"as jsonl\"}\n").unwrap();
    let items = read_all(&[jsonl], SourceOptions { format: Format::Jsonl, ..SourceOptions::default() });
    assert_eq!(describe(&items[0]), ("text".into(), "as jsonl".into()));
}

fn write_input_parquet(path: &Path) {
    let ids: ArrayRef = Arc::new(Int64Array::from(vec![Some(7), None, Some(9), Some(10)]));
    let texts: ArrayRef = Arc::new(StringArray::from(vec![Some("first text"), Some("second text"), None, Some("fourth text")]));
    let other: ArrayRef = Arc::new(StringArray::from(vec!["x", "y", "z", "w"]));
    let batch = RecordBatch::try_from_iter(vec![("doc_id", ids), ("body", texts), ("other", other)]).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn parquet_input_by_column_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.parquet");
    write_input_parquet(&path);
    let options = SourceOptions { text_field: "body".into(), id_field: "doc_id".into(), ..SourceOptions::default() };
    let items = read_all(std::slice::from_ref(&path), options);
    let got: Vec<(String, (String, String))> = items.iter().map(|i| (i.id.clone(), describe(i))).collect();
    let p = path.display().to_string();
    assert_eq!(
        got,
        vec![
            ("7".into(), ("text".into(), "first text".into())),
            (format!("{p}#1"), ("text".into(), "second text".into())),
            ("9".into(), ("error".into(), "parquet".into())),
            ("10".into(), ("text".into(), "fourth text".into())),
        ]
    );
    // A missing column and a file that is not Parquet are one error each, naming the problem.
    let items = read(&path);
    assert_eq!(items.len(), 1);
    match &items[0].content {
        Content::Unreadable(e) => assert!(e.message.contains("no column \"text\"") && e.message.contains("body"), "{e}"),
        other => panic!("{other:?}"),
    }
    let fake = dir.path().join("fake.parquet");
    std::fs::write(&fake, "not parquet at all").unwrap();
    let items = read(&fake);
    assert!(matches!(&items[..], [Item { content: Content::Unreadable(e), .. }] if e.kind == ErrorKind::Parquet));
}

#[test]
fn parquet_output_round_trips() {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use unspin_engine::{Finding, Report, Source};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.parquet");
    let finding = |s: usize, t: &str, sug: &str, src| Finding { start: s, end: s + t.len(), text: t.into(), suggestion: sug.into(), confidence: 0.75, source: src, alternatives: Vec::new() };
    let outcomes = [
        Outcome {
            id: "a".into(),
            location: "f:1".into(),
            input_position: 0,
            result: OutcomeKind::Checked {
                report: Report { score: 0.9, spun: true, findings: vec![finding(4, "Joined Together", "United", Source::Model), finding(30, "bosom peril", "breast cancer", Source::Fingerprint)] },
                restored: Some("The United States".into()),
                text_bytes: 10,
            },
        },
        Outcome { id: "b".into(), location: "f:2".into(), input_position: 0, result: OutcomeKind::Unreadable(unspin_batch::ReadError::new(ErrorKind::Json, "malformed JSON")) },
        Outcome {
            id: "c".into(),
            location: "f:3".into(),
            input_position: 0,
            result: OutcomeKind::Checked { report: Report { score: 0.0, spun: false, findings: vec![] }, restored: Some("clean".into()), text_bytes: 5 },
        },
    ];
    let mut w: Box<dyn RecordWriter> = Box::new(ParquetWriter::new(std::fs::File::create(&path).unwrap(), true).unwrap());
    let refs: Vec<&Outcome> = outcomes.iter().collect();
    w.write(&refs[..2]).unwrap();
    w.write(&refs[2..]).unwrap();
    w.finish().unwrap();
    let _ = OutFormat::Parquet;

    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap().build().unwrap();
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    let batch = arrow_select_concat(&batches);
    assert_eq!(batch.num_rows(), 3);
    let names: Vec<&str> = batch.schema_ref().fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["id", "location", "score", "spun", "findings", "restored", "error_kind", "error"]);
    use arrow_array::cast::AsArray;
    let col = |n: &str| batch.column_by_name(n).unwrap().clone();
    assert_eq!(col("id").as_string::<i32>().iter().collect::<Vec<_>>(), [Some("a"), Some("b"), Some("c")]);
    let scores = col("score");
    let scores = scores.as_primitive::<arrow_array::types::Float64Type>();
    assert_eq!((scores.value(0), scores.is_null(1), scores.value(2)), (0.9, true, 0.0));
    assert_eq!(col("error_kind").as_string::<i32>().iter().collect::<Vec<_>>(), [None, Some("json"), None]);
    assert_eq!(col("restored").as_string::<i32>().iter().collect::<Vec<_>>(), [Some("The United States"), None, Some("clean")]);
    let findings = col("findings");
    let findings = findings.as_list::<i32>();
    assert!(findings.is_null(1));
    assert_eq!(findings.value(2).len(), 0);
    let first = findings.value(0);
    let first = first.as_struct();
    assert_eq!(first.len(), 2);
    assert_eq!(first.column_by_name("suggestion").unwrap().as_string::<i32>().value(1), "breast cancer");
    assert_eq!(first.column_by_name("source").unwrap().as_string::<i32>().value(1), "fingerprint");
    assert_eq!(first.column_by_name("start").unwrap().as_primitive::<arrow_array::types::UInt64Type>().value(0), 4);
    assert_eq!(first.column_by_name("end").unwrap().as_primitive::<arrow_array::types::UInt64Type>().value(0), 19);

    // And it reads back as scan input: the output of one scan can feed another.
    let items = read_all(&[path], SourceOptions { text_field: "restored".into(), ..SourceOptions::default() });
    let got: Vec<(String, (String, String))> = items.iter().map(|i| (i.id.clone(), describe(i))).collect();
    assert_eq!(got[0], ("a".into(), ("text".into(), "The United States".into())));
    assert_eq!(got[1].1 .0, "error");
}

/// The rows of several batches (the reader may split a file into several).
fn arrow_select_concat(batches: &[RecordBatch]) -> RecordBatch {
    assert_eq!(batches.len(), 1, "a small file reads back as one batch");
    batches[0].clone()
}
