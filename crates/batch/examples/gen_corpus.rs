//! Writes a benchmark corpus of real English (Brown corpus paragraphs,
//! recombined) in every input format `unspin scan` reads:
//!
//!   OUT/jsonl/part-NNN.jsonl         50% of the size on disk
//!   OUT/jsonl-gz/part-NNN.jsonl.gz   20%
//!   OUT/warc/part-NNN.warc.gz        20% (request, HTML response, metadata and
//!                                         WET conversion records; one gzip member each)
//!   OUT/text/NNN/doc-NNNNNN.txt      10% (one document per file)
//!
//! Usage: gen-corpus --brown DIR --out DIR [--mb 1024] [--seed 1]

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A document of 3 to 14 paragraphs picked at random.
fn document(paragraphs: &[String], rng: &mut Rng) -> String {
    let n = 3 + rng.below(12);
    (0..n).map(|_| paragraphs[rng.below(paragraphs.len())].as_str()).collect::<Vec<_>>().join("\n\n")
}

fn json_line(id: &str, text: &str) -> String {
    serde_json::json!({"id": id, "source": "bench", "text": text}).to_string()
}

fn html(title: &str, text: &str) -> String {
    let body: String = text.split("\n\n").map(|p| format!("<p>{}</p>\n", p.replace('&', "&amp;").replace('<', "&lt;"))).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title><script>window.x=1;</script></head><body>\
         <header><nav><a href=\"/\">Home</a> | <a href=\"/news\">News</a> | <a href=\"/about\">About</a></nav></header>\
         <main><article><h1>{title}</h1>\n{body}</article></main><aside><a href=\"/more\">More stories</a></aside>\
         <footer>Copyright Example Press. All rights reserved.</footer></body></html>"
    )
}

fn warc_record(kind: &str, uri: &str, content_type: &str, body: &[u8], n: u64) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012}>\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn gzip_member(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let brown = PathBuf::from(arg("--brown").expect("--brown DIR (the Brown corpus of scripts/fetch-data.sh)"));
    let out = PathBuf::from(arg("--out").expect("--out DIR"));
    let mb: u64 = arg("--mb").map(|s| s.parse().unwrap()).unwrap_or(1024);
    let mut rng = Rng(arg("--seed").map(|s| s.parse().unwrap()).unwrap_or(1) | 1);
    let docs = unspin_eval::load_brown(&brown).expect("Brown corpus");
    let paragraphs: Vec<String> =
        docs.iter().flat_map(|d| d.text.split("\n\n").map(|p| p.trim().to_string()).filter(|p| p.len() > 80).collect::<Vec<_>>()).collect();
    eprintln!("{} paragraphs from {} Brown documents", paragraphs.len(), docs.len());
    let target = mb << 20;
    let part = 64u64 << 20;
    let mut id = 0u64;
    let mut next_id = || {
        id += 1;
        id
    };

    // Plain JSONL.
    let written = write_parts(&out.join("jsonl"), "jsonl", target / 2, part, |w| {
        let n = next_id();
        let line = json_line(&format!("j{n}"), &document(&paragraphs, &mut rng)) + "\n";
        w.write_all(line.as_bytes()).unwrap();
        line.len() as u64
    });
    eprintln!("jsonl: {} MB", written >> 20);
    // Gzipped JSONL: one stream per file.
    let mut total_gz = 0;
    let mut k = 0;
    while total_gz < target / 5 {
        let path = out.join("jsonl-gz").join(format!("part-{k:03}.jsonl.gz"));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut e = flate2::write::GzEncoder::new(BufWriter::new(File::create(&path).unwrap()), flate2::Compression::fast());
        let mut raw = 0u64;
        while raw < part * 3 {
            let n = next_id();
            let line = json_line(&format!("g{n}"), &document(&paragraphs, &mut rng)) + "\n";
            e.write_all(line.as_bytes()).unwrap();
            raw += line.len() as u64;
        }
        e.finish().unwrap().flush().unwrap();
        total_gz += fs::metadata(&path).unwrap().len();
        k += 1;
    }
    eprintln!("jsonl-gz: {} MB on disk", total_gz >> 20);
    // WARC: per-record gzip members, as Common Crawl.
    let mut total_warc = 0;
    let mut k = 0;
    while total_warc < target / 5 {
        let path = out.join("warc").join(format!("part-{k:03}.warc.gz"));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut w = BufWriter::new(File::create(&path).unwrap());
        let mut size = 0u64;
        while size < part {
            let n = next_id();
            let uri = format!("https://news.example/{n}");
            let text = document(&paragraphs, &mut rng);
            let page = html(&format!("Story {n}"), &text);
            let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{page}", page.len());
            for rec in [
                warc_record("request", &uri, "application/http; msgtype=request", format!("GET /{n} HTTP/1.1\r\nHost: news.example\r\n\r\n").as_bytes(), n * 4),
                warc_record("response", &uri, "application/http; msgtype=response", http.as_bytes(), n * 4 + 1),
                warc_record("metadata", &uri, "application/warc-fields", b"fetchTimeMs: 120\r\n", n * 4 + 2),
                warc_record("conversion", &uri, "text/plain", text.as_bytes(), n * 4 + 3),
            ] {
                let member = gzip_member(&rec);
                size += member.len() as u64;
                w.write_all(&member).unwrap();
            }
        }
        w.flush().unwrap();
        total_warc += size;
        k += 1;
    }
    eprintln!("warc: {} MB on disk", total_warc >> 20);
    // One document per text file, 1000 files per directory.
    let mut total_text = 0;
    let mut k = 0u64;
    while total_text < target / 10 {
        let dir = out.join("text").join(format!("{:03}", k / 1000));
        if k.is_multiple_of(1000) {
            fs::create_dir_all(&dir).unwrap();
        }
        let text = document(&paragraphs, &mut rng);
        fs::write(dir.join(format!("doc-{k:06}.txt")), &text).unwrap();
        total_text += text.len() as u64;
        k += 1;
    }
    eprintln!("text: {} MB in {k} files", total_text >> 20);
    eprintln!("total: {} MB on disk", (written + total_gz + total_warc + total_text) >> 20);
}

/// Fills files of about `part` bytes until `total` bytes are written.
fn write_parts(dir: &Path, ext: &str, total: u64, part: u64, mut emit: impl FnMut(&mut BufWriter<File>) -> u64) -> u64 {
    fs::create_dir_all(dir).unwrap();
    let mut written = 0;
    let mut k = 0;
    while written < total {
        let mut w = BufWriter::new(File::create(dir.join(format!("part-{k:03}.{ext}"))).unwrap());
        let mut size = 0;
        while size < part && written + size < total {
            size += emit(&mut w);
        }
        w.flush().unwrap();
        written += size;
        k += 1;
    }
    written
}
