//! `unspin index`, `unspin match` and `unspin cluster` as a user runs them,
//! on the fixture model.

mod common;

use std::path::Path;

use predicates::prelude::*;

use common::{fixture_model, unspin};

const SOURCES: [(&str, &str); 3] = [
    (
        "treaty.txt",
        "In 1846 the United States and Britain signed the Oregon Treaty at Washington. The big country gained the \
         Columbia basin, and Polk told Congress that the border along the 49th parallel would hold.",
    ),
    (
        "orchard.txt",
        "Old Mrs. Pettigrew kept an apple orchard near Kilkenny with 212 trees of the Bramley and Cox varieties. \
         Every October her nephews Declan and Ruairi pressed cider in a shed behind the mill.",
    ),
    (
        "comet.txt",
        "Halley computed in 1705 that the comets of 1531, 1607 and 1682 were one body on an elliptic orbit, and \
         predicted its return in 1758; Palitzsch saw it on Christmas night of that year.",
    ),
];

const SPUN_TREATY: &str = "In 1846 the Joined Together States and Britain signed the Oregon Treaty at Washington. The \
    large nation gained the Columbia basin, and Polk told Congress that the border along the 49th parallel would hold.";

fn corpus_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in SOURCES {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn index_then_match_finds_the_source_with_its_swaps() {
    let m = fixture_model();
    let corpus = corpus_dir();
    let work = tempfile::tempdir().unwrap();
    let idx = work.path().join("idx");
    unspin().args(["index", "build", "--quiet"]).arg(corpus.path()).arg("--index").arg(&idx).arg("--model").arg(m.path()).assert().success();
    unspin().args(["index", "info", "--index"]).arg(&idx).assert().success().stdout(predicate::str::contains("documents  3"));
    let out = unspin()
        .args(["match", "--json", "--index"])
        .arg(&idx)
        .arg("--model")
        .arg(m.path())
        .write_stdin(SPUN_TREATY)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let matches = v["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 1, "{v}");
    assert!(matches[0]["id"].as_str().unwrap().ends_with("treaty.txt"));
    assert!(matches[0]["similarity"].as_f64().unwrap() > 0.9);
    let passages = matches[0]["passages"].as_array().unwrap();
    assert_eq!(passages.len(), 2, "one passage per sentence");
    let swaps: Vec<(String, String)> = passages
        .iter()
        .flat_map(|p| p["swaps"].as_array().unwrap().iter())
        .map(|s| (s["text"].as_str().unwrap().to_string(), s["source_text"].as_str().unwrap().to_string()))
        .collect();
    assert!(swaps.contains(&("Joined Together".into(), "United".into())), "{swaps:?}");
    assert!(swaps.contains(&("large".into(), "big".into())), "{swaps:?}");
    assert!(swaps.contains(&("nation".into(), "country".into())), "{swaps:?}");
    for p in passages {
        for s in p["swaps"].as_array().unwrap() {
            let (a, b) = (s["start"].as_u64().unwrap() as usize, s["end"].as_u64().unwrap() as usize);
            assert_eq!(&SPUN_TREATY[a..b], s["text"].as_str().unwrap());
        }
    }
    // Human output names the source and the swaps; unrelated text finds nothing.
    unspin()
        .args(["match", "--index"])
        .arg(&idx)
        .arg("--model")
        .arg(m.path())
        .write_stdin(SPUN_TREATY)
        .assert()
        .success()
        .stdout(predicate::str::contains("treaty.txt").and(predicate::str::contains("large <- big")));
    unspin()
        .args(["match", "--json", "--index"])
        .arg(&idx)
        .arg("--model")
        .arg(m.path())
        .write_stdin("The weather in Lisbon was mild for March, said the harbour master.")
        .assert()
        .success()
        .stdout(predicate::str::contains("\"matches\": []"));
}

#[test]
fn jsonl_corpora_incremental_adds_and_batch_queries() {
    let m = fixture_model();
    let work = tempfile::tempdir().unwrap();
    let idx = work.path().join("idx");
    let first = work.path().join("a.jsonl");
    let second = work.path().join("b.jsonl");
    let line = |id: &str, text: &str| serde_json::json!({"doc": id, "body": text}).to_string();
    std::fs::write(&first, format!("{}\n{}\n", line("treaty", SOURCES[0].1), line("orchard", SOURCES[1].1))).unwrap();
    std::fs::write(&second, format!("{}\n", line("comet", SOURCES[2].1))).unwrap();
    let index = |cmd: &str, file: &Path| {
        let mut c = unspin();
        c.args(["index", cmd, "--quiet", "--text-field", "body", "--id-field", "doc"]).arg(file).arg("--index").arg(&idx).arg("--model").arg(m.path());
        c
    };
    index("build", &first).assert().success();
    index("build", &first).assert().code(2).stderr(predicate::str::contains("already exists"));
    index("add", &second).assert().success();
    index("add", &second).assert().code(2).stderr(predicate::str::contains("\"comet\" is already in the index"));
    // Many copies, one per line: one JSON record per line, in order.
    let comet = SOURCES[2].1.replace("predicted", "foretold");
    let queries = format!("{SPUN_TREATY}\n{comet}\nnothing to see here\n");
    let out = unspin()
        .args(["match", "--json", "--lines", "--index"])
        .arg(&idx)
        .arg("--model")
        .arg(m.path())
        .write_stdin(queries)
        .assert()
        .success();
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.get_output().stdout.clone()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["matches"][0]["id"], "treaty");
    assert_eq!(lines[1]["matches"][0]["id"], "comet");
    assert_eq!(lines[2]["matches"].as_array().unwrap().len(), 0);
    assert_eq!(lines[1]["query"], "-:2");
}

#[test]
fn bad_inputs_are_clear_errors() {
    let m = fixture_model();
    let work = tempfile::tempdir().unwrap();
    let idx = work.path().join("idx");
    let bad = work.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"text\": \"fine\"}\n{\"text\": 3}\n").unwrap();
    unspin()
        .args(["index", "build", "--quiet"])
        .arg(&bad)
        .arg("--index")
        .arg(&idx)
        .arg("--model")
        .arg(m.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.jsonl:2").and(predicate::str::contains("not a string")));
    assert!(!idx.join("index.json").exists(), "a failed build publishes nothing");
    unspin()
        .args(["match", "--index"])
        .arg(work.path().join("none"))
        .arg("--model")
        .arg(m.path())
        .write_stdin("text")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no index here"));
    let bin = work.path().join("x.bin");
    std::fs::write(&bin, b"a\x00b").unwrap();
    unspin().args(["index", "build", "--quiet"]).arg(&bin).arg("--index").arg(&idx).arg("--model").arg(m.path()).assert().code(2).stderr(predicate::str::contains("binary"));
    unspin().args(["match", "--min-similarity", "2", "--index"]).arg(&idx).write_stdin("x").assert().code(2).stderr(predicate::str::contains("between 0 and 1"));
}

#[test]
fn cluster_groups_spun_variants() {
    let m = fixture_model();
    let corpus = corpus_dir();
    std::fs::write(corpus.path().join("treaty-spun.txt"), SPUN_TREATY).unwrap();
    let out = unspin().arg("cluster").arg(corpus.path()).arg("--model").arg(m.path()).assert().success();
    let clusters: Vec<serde_json::Value> =
        String::from_utf8(out.get_output().stdout.clone()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(clusters.len(), 1, "{clusters:?}");
    let ids: Vec<&str> = clusters[0]["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids[0].ends_with("treaty-spun.txt") && ids[1].ends_with("treaty.txt"), "{ids:?}");
}

/// The index reads the batch scanner's inputs too: a WARC crawl (pages
/// reduced to their main text, named by their URI) and a Parquet table.
#[test]
fn index_reads_warc_and_parquet() {
    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    use std::sync::Arc;
    let m = fixture_model();
    let work = tempfile::tempdir().unwrap();
    let corpus = work.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let mut warc_bytes = Vec::new();
    {
        use warc::{BufferedBody, Record, RecordType, WarcHeader, WarcWriter};
        let mut w = WarcWriter::new(&mut warc_bytes);
        let (_, treaty) = SOURCES[0];
        let page = format!("<html><body><nav><a href='/'>Home</a></nav><article><p>{treaty}</p></article></body></html>");
        let mut http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n", page.len()).into_bytes();
        http.extend_from_slice(page.as_bytes());
        let mut r = Record::<BufferedBody>::with_body(http);
        r.set_warc_type(RecordType::Response);
        r.set_header(WarcHeader::TargetURI, "http://news.example/treaty").unwrap();
        r.set_header(WarcHeader::ContentType, "application/http; msgtype=response").unwrap();
        w.write(&r).unwrap();
    }
    std::fs::write(corpus.join("crawl.warc"), warc_bytes).unwrap();
    {
        let ids: ArrayRef = Arc::new(StringArray::from(vec!["orchard", "comet"]));
        let texts: ArrayRef = Arc::new(StringArray::from(vec![SOURCES[1].1, SOURCES[2].1]));
        let batch = RecordBatch::try_from_iter(vec![("id", ids), ("text", texts)]).unwrap();
        let file = std::fs::File::create(corpus.join("table.parquet")).unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }
    let idx = work.path().join("idx");
    unspin().args(["index", "build", "--quiet"]).arg(&corpus).arg("--index").arg(&idx).arg("--model").arg(m.path()).assert().success();
    unspin().args(["index", "info", "--index"]).arg(&idx).assert().success().stdout(predicate::str::contains("documents  3"));
    let best = |query: &str| {
        let out = unspin().args(["match", "--json", "--index"]).arg(&idx).arg("--model").arg(m.path()).write_stdin(query.to_string()).assert().success();
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        v["matches"][0]["id"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(best(SPUN_TREATY), "http://news.example/treaty");
    assert_eq!(best(SOURCES[2].1), "comet");
}
