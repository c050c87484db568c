//! Runs `unspin serve` on a loopback port and talks to it over plain TCP,
//! so that requests no HTTP client library would send (bodies that are not
//! UTF-8, bodies that never finish, oversized bodies) can be sent too.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::{fixture_model, real_model};

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_unspin"))
}

/// `unspin serve` on a free loopback port, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(model: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--addr", "127.0.0.1:0", "--model"])
            .arg(model)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("server: {line}");
                if let Some(addr) = line.strip_prefix("unspin: listening on http://") {
                    let _ = tx.send(addr.rsplit(':').next().unwrap().parse::<u16>().unwrap());
                }
            }
        });
        let port = rx.recv_timeout(Duration::from_secs(30)).expect("the server did not say where it listens");
        Server { child, port }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s
    }

    /// Sends raw bytes as one request and reads the whole answer.
    fn raw(&self, request: &[u8]) -> Response {
        let mut s = self.connect();
        s.write_all(request).unwrap();
        read_response(&mut s)
    }

    fn send(&self, method: &str, path: &str, body: &[u8]) -> Response {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n").into_bytes();
        if method == "POST" {
            req.extend(format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()).bytes());
        }
        req.extend(b"\r\n");
        req.extend(body);
        self.raw(&req)
    }

    fn post(&self, path: &str, body: &Value) -> Response {
        self.send("POST", path, body.to_string().as_bytes())
    }

    fn get(&self, path: &str) -> Response {
        self.send("GET", path, b"")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        assert_eq!(self.header("content-type"), Some("application/json"), "{self:?}");
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    /// Asserts an error answer: this status and a JSON `{"error": message}`.
    fn error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{}", String::from_utf8_lossy(&self.body));
        let v = self.json();
        let message = v["error"].as_str().unwrap_or_else(|| panic!("no error message in {v}")).to_string();
        assert!(!message.is_empty());
        message
    }
}

fn read_response(s: &mut TcpStream) -> Response {
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all); // the server may reset after answering early
    let head_end = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or_else(|| panic!("no answer: {all:?}"));
    let head = String::from_utf8(all[..head_end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.map(|l| l.split_once(':').unwrap()).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string())).collect();
    let mut body = all[head_end + 4..].to_vec();
    if headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")) {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let eol = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap().trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            out.extend(&rest[eol + 2..eol + 2 + n]);
            rest = &rest[eol + 2 + n + 2..];
        }
        body = out;
    } else if let Some((_, n)) = headers.iter().find(|(k, _)| k == "content-length") {
        body.truncate(n.parse().unwrap());
    }
    Response { status, headers, body }
}

/// `unspin check --json` (or `restore`) on `text`, as the contract to match.
fn cli(model: &Path, args: &[&str], text: &str) -> Vec<u8> {
    let mut child = Command::new(bin())
        .args(args)
        .arg("--model")
        .arg(model)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    out.stdout
}

/// The bundled spun example, as the real-model tests send it.
fn spun_example() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples/spun-news.txt")).unwrap()
}

const FIXTURE_TEXT: &str = "Café — the allied states is a big country.\n\n\tThe united states is a big country.\r\n";

#[test]
fn check_and_restore_answer_exactly_what_the_cli_prints() {
    let m = fixture_model();
    let server = Server::start(m.path(), &[]);
    // At a threshold below the default: the fixture model's confidences
    // are not the real model's, and this test is about the contract.
    let report = server.post("/v1/check", &json!({ "text": FIXTURE_TEXT, "threshold": 0.5 }));
    assert_eq!(report.status, 200);
    let report = report.json();
    let expected: Value = serde_json::from_slice(&cli(m.path(), &["check", "--json", "--threshold", "0.5"], FIXTURE_TEXT)).unwrap();
    assert_eq!(report, expected);
    let f = &report["findings"][0];
    let (s, e) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
    assert_eq!(&FIXTURE_TEXT[s..e], "allied", "offsets are bytes into the text");
    assert_eq!(f["suggestion"], "united");

    let restored = server.post("/v1/restore", &json!({ "text": FIXTURE_TEXT, "threshold": 0.5 })).json();
    let expected_text = String::from_utf8(cli(m.path(), &["restore", "--threshold", "0.5"], FIXTURE_TEXT)).unwrap();
    assert_eq!(restored["restored"], expected_text.as_str());
    assert!(expected_text.starts_with("Café — the united states"));
    for key in ["score", "spun", "findings"] {
        assert_eq!(restored[key], report[key], "{key}");
    }
}

/// An HTML page gets what `unspin check` and `restore` give it: findings at
/// their bytes in the page and the markup untouched; "format" says what a
/// document is when detection would not.
#[test]
fn html_pages_answer_what_the_cli_gives_them() {
    let m = fixture_model();
    let server = Server::start(m.path(), &[]);
    let page = "<html><body><script>var s = 'the allied states';</script><p>The allied states is a big country.</p></body></html>";
    let report = server.post("/v1/check", &json!({ "text": page })).json();
    let expected: Value = serde_json::from_slice(&cli(m.path(), &["check", "--json"], page)).unwrap();
    assert_eq!(report, expected);
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    let restored = server.post("/v1/restore", &json!({ "text": page })).json();
    assert_eq!(restored["restored"], page.replace("<p>The allied", "<p>The united").as_str());
    assert_eq!(restored["restored"].as_str().unwrap().as_bytes(), cli(m.path(), &["restore"], page).as_slice());
    // Read as text, the script's words are text too.
    let as_text = server.post("/v1/restore", &json!({ "text": page, "format": "text" })).json();
    assert_eq!(as_text["restored"].as_str().unwrap().as_bytes(), cli(m.path(), &["restore", "--format", "text"], page).as_slice());
    assert_ne!(as_text["restored"], restored["restored"]);
    assert_eq!(server.post("/v1/check", &json!({ "text": page, "format": "pdf" })).status, 422);
}

#[test]
fn batches_keep_order_and_ids_and_match_single_requests() {
    let m = fixture_model();
    let server = Server::start(m.path(), &[]);
    let docs = ["The allied states is a big country.", "", "The united states is a big country.", FIXTURE_TEXT];
    let body = json!({ "documents": [
        { "id": "first", "text": docs[0] }, { "id": 2, "text": docs[1] }, { "id": 2.5, "text": docs[2] }, { "id": "", "text": docs[3] }
    ]});
    for path in ["/v1/check", "/v1/restore"] {
        let answer = server.post(path, &body).json();
        let results = answer["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        assert_eq!(results.iter().map(|r| r["id"].clone()).collect::<Vec<_>>(), vec![json!("first"), json!(2), json!(2.5), json!("")]);
        for (r, text) in results.iter().zip(docs) {
            let single = server.post(path, &json!({ "text": text })).json();
            let mut r = r.clone();
            r.as_object_mut().unwrap().remove("id");
            assert_eq!(r, single);
        }
        assert_eq!(results[0]["findings"][0]["suggestion"], "united");
        assert_eq!(results[1]["findings"], json!([]));
        assert_eq!(results[1]["spun"], false);
        if path == "/v1/restore" {
            assert_eq!(results[0]["restored"], "The united states is a big country.");
        } else {
            assert!(results[0].get("restored").is_none());
        }
    }
    assert_eq!(server.post("/v1/check", &json!({ "documents": [] })).json(), json!({ "results": [] }));
}

#[test]
fn a_request_threshold_gives_what_the_cli_threshold_gives() {
    let m = fixture_model();
    let server = Server::start(m.path(), &[]);
    let all = server.post("/v1/check", &json!({ "text": FIXTURE_TEXT, "threshold": 0.0 })).json();
    let confidence = all["findings"][0]["confidence"].as_f64().unwrap();
    for t in [0.0, 0.3, 0.5, confidence, (confidence + 1.0) / 2.0, 1.0] {
        let got = server.post("/v1/check", &json!({ "text": FIXTURE_TEXT, "threshold": t })).json();
        let want: Value = serde_json::from_slice(&cli(m.path(), &["check", "--json", "--threshold", &t.to_string()], FIXTURE_TEXT)).unwrap();
        assert_eq!(got, want, "threshold {t}");
    }
    let above = server.post("/v1/check", &json!({ "text": FIXTURE_TEXT, "threshold": (confidence + 1.0) / 2.0 })).json();
    assert_eq!(above["findings"], json!([]), "a threshold above the only finding's confidence removes it");

    // The server's --threshold is the default a request can override.
    let strict = Server::start(m.path(), &["--threshold", "1"]);
    assert_eq!(strict.post("/v1/check", &json!({ "text": FIXTURE_TEXT })).json()["findings"], json!([]));
    let at_half = server.post("/v1/check", &json!({ "text": FIXTURE_TEXT, "threshold": 0.5 })).json();
    assert_eq!(strict.post("/v1/check", &json!({ "text": FIXTURE_TEXT, "threshold": 0.5 })).json(), at_half);
}

#[test]
fn bad_bodies_get_json_errors_with_the_right_status() {
    let m = fixture_model();
    let server = Server::start(m.path(), &["--max-body", "1K"]);
    for path in ["/v1/check", "/v1/restore"] {
        assert!(server.send("POST", path, b"").error(400).contains("empty request body"));
        assert!(server.send("POST", path, b"{\"text\": \"unterminated").error(400).contains("malformed JSON"));
        assert!(server.send("POST", path, b"text=hello").error(400).contains("malformed JSON"));
        let latin1 = server.send("POST", path, b"{\"text\": \"caf\xe9 au lait\"}");
        assert!(latin1.error(400).contains("not valid UTF-8 (invalid byte at offset 13)"));
        assert!(server.send("POST", path, &[0xff, 0xfe, 0x00, 0x01]).error(400).contains("UTF-8"));
        assert!(server.post(path, &json!({ "txt": "x" })).error(422).contains("txt"));
        assert!(server.post(path, &json!({ "text": 5 })).error(422).contains("invalid type"));
        assert!(server.post(path, &json!(["x"])).error(422).contains("JSON object"));
        assert!(server.post(path, &json!({})).error(422).contains("missing \"text\""));
        assert!(server.post(path, &json!({ "text": "x", "threshold": 2 })).error(422).contains("between 0 and 1"));
        assert!(server.post(path, &json!({ "text": "x", "documents": [] })).error(422).contains("not both"));
        assert!(server.post(path, &json!({ "documents": [{ "id": true, "text": "x" }] })).error(422).contains("documents[0].id"));
        assert!(server.post(path, &json!({ "text": "a\u{0}b" })).error(422).contains("NUL"));
        let nested = "[".repeat(5000);
        assert_eq!(server.send("POST", path, nested.as_bytes()).json()["error"].as_str().map(|_| ()), Some(()));

        // Declared too large: refused before reading.
        let big = json!({ "text": "word ".repeat(400) }).to_string();
        assert!(server.send("POST", path, big.as_bytes()).error(413).contains("1024 bytes"));
        // Too large without a declared length (chunked): refused while reading.
        let mut req = format!("POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n").into_bytes();
        for _ in 0..4 {
            req.extend(format!("{:x}\r\n", 500).bytes());
            req.extend(std::iter::repeat_n(b' ', 500));
            req.extend(b"\r\n");
        }
        req.extend(b"0\r\n\r\n");
        server.raw(&req).error(413);
        // Just under the limit is fine.
        let fits = json!({ "text": "a".repeat(1000) }).to_string();
        assert!(fits.len() <= 1024);
        assert_eq!(server.send("POST", path, fits.as_bytes()).status, 200);
        assert!(server.get(path).error(405).contains("Method Not Allowed"));
    }
    assert!(server.get("/no/such/page").error(404).contains("/no/such/page"));
    assert!(server.send("DELETE", "/healthz", b"").error(405).contains("Method Not Allowed"));
    // Not HTTP at all: hyper answers 400 and the server carries on.
    let garbage = server.raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n");
    assert_eq!(garbage.status, 400);
    assert_eq!(server.get("/healthz").json(), json!({ "status": "ok" }));
}

#[test]
fn empty_text_is_an_empty_report() {
    let m = fixture_model();
    let server = Server::start(m.path(), &[]);
    let r = server.post("/v1/restore", &json!({ "text": "" })).json();
    assert_eq!(r["findings"], json!([]));
    assert_eq!(r["spun"], false);
    assert_eq!(r["restored"], "");
}

/// Bodies from a fixed pseudo-random generator: any byte soup, and JSON
/// with odd but valid strings. None may crash the server or get a 5xx.
#[test]
fn arbitrary_bodies_never_break_the_server() {
    let m = fixture_model();
    let server = Server::start(m.path(), &[]);
    let mut seed = 0x9e3779b97f4a7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let pieces = ["the", "allied", "states", "\u{301}", "é", "😀", "\u{200b}", "\r\n", "\t", "a", "an", ".", "States", "\u{fffd}", "'", "--"];
    for i in 0..150 {
        let body: Vec<u8> = if i % 2 == 0 {
            (0..(next() % 300)).map(|_| next() as u8).collect()
        } else {
            let text: String = (0..(next() % 60)).map(|_| pieces[(next() % pieces.len() as u64) as usize]).collect::<Vec<_>>().join(" ");
            json!({ "text": text }).to_string().into_bytes()
        };
        let path = if i % 3 == 0 { "/v1/restore" } else { "/v1/check" };
        let r = server.send("POST", path, &body);
        assert!(r.status == 200 || (400..500).contains(&r.status), "{} for {:?}", r.status, String::from_utf8_lossy(&body));
        let v = r.json();
        if r.status == 200 {
            let text: String = serde_json::from_slice::<Value>(&body).unwrap()["text"].as_str().unwrap().to_string();
            for f in v["findings"].as_array().unwrap() {
                let (s, e) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
                assert_eq!(text.get(s..e), f["text"].as_str());
            }
        } else {
            assert!(v["error"].is_string());
        }
    }
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn a_body_that_never_arrives_times_out_with_408() {
    let m = fixture_model();
    let server = Server::start(m.path(), &["--timeout", "1"]);
    let started = Instant::now();
    let mut s = server.connect();
    s.write_all(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 100\r\n\r\n{\"text\": ").unwrap();
    let r = read_response(&mut s);
    assert!(r.error(408).contains("did not arrive"));
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_secs(10), "{waited:?}");
}

/// Clients that open connections and send nothing, or trickle a request
/// head, are cut off after the timeout instead of holding a connection.
#[test]
fn idle_and_trickling_connections_are_closed() {
    let m = fixture_model();
    let server = Server::start(m.path(), &["--timeout", "1", "--max-connections", "4"]);
    let started = Instant::now();
    let mut idle: Vec<TcpStream> = (0..4).map(|_| server.connect()).collect();
    let mut trickle = server.connect();
    trickle.write_all(b"POST /v1/check HTTP/1.1\r\nHost: x\r\n").unwrap();
    for s in idle.iter_mut().chain(std::iter::once(&mut trickle)) {
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf); // EOF (or reset) once the server closes it
    }
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(10), "connections held for {waited:?}");
    // All four connection slots are free again.
    let held: Vec<TcpStream> = (0..3).map(|_| server.connect()).collect();
    assert_eq!(server.get("/healthz").status, 200);
    drop(held);
}

/// Waits until `n` requests besides the asking one are being answered.
fn wait_for_in_flight(server: &Server, n: usize) {
    let want = format!("unspin_http_requests_in_flight {}\n", n + 1);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.get("/metrics").text().contains(&want) {
        assert!(Instant::now() < deadline, "never {n} requests in flight");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGTERM lets a request under way finish, then the server exits 0.
#[cfg(unix)]
#[test]
fn sigterm_finishes_requests_under_way_and_exits() {
    let m = fixture_model();
    let mut server = Server::start(m.path(), &["--timeout", "10"]);
    let _idle = server.connect();
    let body = json!({ "text": "The allied states is a big country." }).to_string();
    let mut under_way = server.connect();
    write!(under_way, "POST /v1/restore HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n", body.len()).unwrap();
    under_way.write_all(&body.as_bytes()[..3]).unwrap();
    wait_for_in_flight(&server, 1);
    let status = Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(300));
    under_way.write_all(&body.as_bytes()[3..]).unwrap();
    let r = read_response(&mut under_way);
    assert_eq!(r.json()["restored"], "The united states is a big country.");
    let started = Instant::now();
    loop {
        if let Some(code) = server.child.try_wait().unwrap() {
            assert!(code.success(), "{code:?}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(TcpStream::connect(("127.0.0.1", server.port)).is_err(), "no longer listening");
}

#[test]
fn a_full_server_answers_503_with_retry_after_and_recovers() {
    let m = fixture_model();
    let server = Server::start(m.path(), &["--max-in-flight", "1", "--timeout", "20"]);
    // A request whose body is still coming holds the only admission slot.
    let body = json!({ "text": "The allied states is a big country." }).to_string();
    let mut slow = server.connect();
    write!(slow, "POST /v1/check HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n", body.len()).unwrap();
    slow.write_all(&body.as_bytes()[..5]).unwrap();
    wait_for_in_flight(&server, 1);
    let busy = server.post("/v1/check", &json!({ "text": "x" }));
    assert!(busy.error(503).contains("busy"));
    assert_eq!(busy.header("retry-after"), Some("1"));
    // Health and metrics are not held back by a full engine.
    assert_eq!(server.get("/healthz").status, 200);
    slow.write_all(&body.as_bytes()[5..]).unwrap();
    let r = read_response(&mut slow);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["findings"][0]["suggestion"], "united");
    assert_eq!(server.post("/v1/check", &json!({ "text": "x" })).status, 200);
    let metrics = server.get("/metrics").text();
    assert!(metrics.contains("unspin_http_requests_total{route=\"/v1/check\",status=\"503\"}"), "{metrics}");
}

#[test]
fn page_openapi_health_and_metrics() {
    let m = fixture_model();
    let server = Server::start(m.path(), &[]);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(page.header("content-security-policy").unwrap().contains("default-src 'none'"));
    let html = page.text();
    assert!(html.contains("<textarea id=\"text\""));
    // The profiles the server offers, its own first.
    let general = html.find("<option value=\"general\">").expect("general offered");
    let web = html.find("<option value=\"web\">").expect("web offered");
    assert!(general < web);
    let web_first = Server::start(m.path(), &["--profile", "web"]).get("/").text();
    assert!(web_first.find("<option value=\"web\">").unwrap() < web_first.find("<option value=\"general\">").unwrap());
    for asset in ["/app.js", "/app.css"] {
        assert!(html.contains(&format!("\"{asset}\"")), "the page loads {asset}");
        let r = server.get(asset);
        assert_eq!(r.status, 200);
        assert!(r.body.len() > 500);
    }
    assert!(!html.contains("http://") && !html.contains("https://"), "the page needs no other origin");
    assert!(!server.get("/app.js").text().contains("https://"), "the script needs no other origin");

    let api = server.get("/openapi.json").json();
    assert_eq!(api["openapi"], "3.1.0");
    for path in ["/v1/check", "/v1/restore", "/healthz", "/metrics", "/openapi.json", "/"] {
        assert!(api["paths"][path].is_object(), "{path} documented");
    }
    // The documented fields are the ones the server sends.
    let restored = server.post("/v1/restore", &json!({ "text": "The allied states is a big country." })).json();
    let schemas = &api["components"]["schemas"];
    for key in schemas["Report"]["required"].as_array().unwrap() {
        assert!(restored.get(key.as_str().unwrap()).is_some(), "{key}");
    }
    for key in schemas["Finding"]["required"].as_array().unwrap() {
        assert!(restored["findings"][0].get(key.as_str().unwrap()).is_some(), "{key}");
    }
    let documented_restore: Vec<&str> = schemas["Restored"]["allOf"][1]["required"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(documented_restore, ["restored"]);
    let mut keys: Vec<&String> = restored.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["findings", "restored", "score", "spun"]);

    assert_eq!(server.get("/healthz").json(), json!({ "status": "ok" }));
    let sent = json!({ "text": "The allied states is a big country." }).to_string();
    for _ in 0..3 {
        assert_eq!(server.send("POST", "/v1/check", sent.as_bytes()).status, 200);
    }
    let metrics = server.get("/metrics");
    assert_eq!(metrics.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    let metrics = metrics.text();
    assert!(metrics.contains("unspin_http_requests_total{route=\"/v1/check\",status=\"200\"} 3\n"), "{metrics}");
    assert!(metrics.contains("unspin_http_requests_total{route=\"/v1/restore\",status=\"200\"} 1\n"));
    assert!(metrics.contains("unspin_http_request_duration_seconds_count{route=\"/v1/check\"} 3\n"));
    assert!(metrics.contains(&format!("unspin_http_request_body_bytes_total{{route=\"/v1/check\"}} {}\n", 3 * sent.len())));
    assert!(metrics.contains("unspin_documents_checked_total 4\n"));
    assert!(metrics.contains("process_resident_memory_bytes "));
}

#[test]
fn bad_options_are_usage_errors() {
    let m = fixture_model();
    for args in [&["--threshold", "2"][..], &["--max-body", "lots"], &["--timeout", "0"], &["--addr", "not an address"]] {
        let out = Command::new(bin()).args(["serve", "--model"]).arg(m.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(bin()).args(["serve", "--addr", "127.0.0.1:0", "--model"]).arg(empty.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("scripts/setup.sh"));
}

#[test]
fn real_model_over_http_matches_the_cli() {
    let Some(model) = real_model() else { return };
    let server = Server::start(&model, &[]);
    let spun = spun_example();
    let got = server.post("/v1/restore", &json!({ "text": spun, "threshold": 0.4 })).json();
    let want: Value = serde_json::from_slice(&cli(&model, &["check", "--json", "--threshold", "0.4"], &spun)).unwrap();
    for key in ["score", "spun", "findings"] {
        assert_eq!(got[key], want[key], "{key}");
    }
    assert_eq!(got["spun"], true);
    assert_eq!(got["restored"], String::from_utf8(cli(&model, &["restore", "--threshold", "0.4"], &spun)).unwrap().as_str());
}

/// A request may ask for other probable originals: it gets what `unspin
/// check --alternatives N` prints; without asking, what the server's
/// `--alternatives` gives (none by default, the CLI's shape); more than
/// eight is 422.
#[test]
fn real_model_a_request_chooses_its_alternatives() {
    let Some(model) = real_model() else { return };
    let server = Server::start(&model, &[]);
    let spun = spun_example();
    let plain = server.post("/v1/check", &json!({ "text": spun, "threshold": 0.4 })).json();
    assert!(!plain.to_string().contains("alternatives"));
    for n in [1, 3] {
        let got = server.post("/v1/check", &json!({ "text": spun, "threshold": 0.4, "alternatives": n })).json();
        let want: Value = serde_json::from_slice(&cli(&model, &["check", "--json", "--threshold", "0.4", "--alternatives", &n.to_string()], &spun)).unwrap();
        assert_eq!(got, want, "{n}");
        assert!(got["findings"].as_array().unwrap().iter().any(|f| f.get("alternatives").is_some()), "{got}");
    }
    let restored = server.post("/v1/restore", &json!({ "text": spun, "threshold": 0.4, "alternatives": 2 })).json();
    assert_eq!(restored["restored"], String::from_utf8(cli(&model, &["restore", "--threshold", "0.4"], &spun)).unwrap().as_str());
    assert!(server.post("/v1/check", &json!({ "text": spun, "alternatives": 9 })).error(422).contains("alternatives must be between 0 and 8"));
    assert!(server.post("/v1/check", &json!({ "text": spun, "alternatives": -1 })).error(422).contains("unexpected JSON"));
    // A server started with --alternatives lists them to every request that does not say.
    let listing = Server::start(&model, &["--alternatives", "2"]);
    let got = listing.post("/v1/check", &json!({ "text": spun, "threshold": 0.4 })).json();
    let want: Value = serde_json::from_slice(&cli(&model, &["check", "--json", "--threshold", "0.4", "--alternatives", "2"], &spun)).unwrap();
    assert_eq!(got, want);
    assert_eq!(listing.post("/v1/check", &json!({ "text": spun, "threshold": 0.4, "alternatives": 0 })).json(), plain);
}

/// A request may name a profile: it gets what `unspin check --profile P`
/// prints, at that profile's threshold unless it gives one; a profile the
/// server does not offer, or that does not exist, is 422.
#[test]
fn real_model_a_request_chooses_its_profile() {
    let Some(model) = real_model() else { return };
    let server = Server::start(&model, &[]);
    let spun = spun_example();
    for (profile, threshold) in [("web", None), ("web", Some(0.1)), ("general", Some(0.1)), ("papers", None), ("papers", Some(0.1))] {
        let mut body = json!({ "text": spun, "profile": profile });
        let mut args = vec!["check", "--json", "--profile", profile];
        let t = threshold.map(|t: f64| t.to_string());
        if let Some(t) = &t {
            body["threshold"] = json!(threshold);
            args.extend(["--threshold", t.as_str()]);
        }
        let got = server.post("/v1/check", &body).json();
        let want: Value = serde_json::from_slice(&cli(&model, &args, &spun)).unwrap();
        assert_eq!(got, want, "{profile} at {threshold:?}");
    }
    // The profiles differ: their confidences are of different scales.
    let web = server.post("/v1/check", &json!({ "text": spun, "profile": "web", "threshold": 0.1 })).json();
    assert_ne!(web, server.post("/v1/check", &json!({ "text": spun, "threshold": 0.1 })).json());
    assert!(!web["findings"].as_array().unwrap().is_empty());
    assert!(server.post("/v1/check", &json!({ "text": "x", "profile": "manuscripts" })).error(422).contains("unknown profile"));
    // A server started for the web profile still offers the general one.
    let web_server = Server::start(&model, &["--profile", "web"]);
    let got = web_server.post("/v1/check", &json!({ "text": spun, "threshold": 0.1 })).json();
    assert_eq!(got, web);
    assert_eq!(web_server.post("/v1/check", &json!({ "text": spun, "profile": "general", "threshold": 0.1 })).json(),
        server.post("/v1/check", &json!({ "text": spun, "threshold": 0.1 })).json());
}

/// Text that takes longer than the timeout to check gets 503 with
/// Retry-After; the abandoned batch stops and the server carries on.
#[test]
fn real_model_work_past_the_timeout_is_503() {
    let Some(model) = real_model() else { return };
    // The body (7 MB) must arrive within the timeout, the checking must not.
    let server = Server::start(&model, &["--timeout", "0.5", "--max-body", "16M", "--workers", "1"]);
    let spun = spun_example();
    // About 7 MB: far more than the engine checks in 0.5 s, or in 3 s.
    let documents: Vec<Value> = (0..12000).map(|i| json!({ "id": i, "text": spun })).collect();
    let r = server.post("/v1/check", &json!({ "documents": documents }));
    assert!(r.error(503).contains("did not finish within"));
    assert_eq!(r.header("retry-after"), Some("1"));
    let started = Instant::now();
    loop {
        let r = server.post("/v1/check", &json!({ "text": spun, "threshold": 0.4 }));
        if r.status == 200 {
            assert_eq!(r.json()["spun"], true);
            break;
        }
        // The only worker may still be finishing the document it was on.
        assert!(r.error(503).contains("did not finish"));
        assert!(started.elapsed() < Duration::from_secs(3), "the abandoned batch kept the worker");
    }
}

#[test]
fn fingerprints_given_to_the_server_are_matched() {
    let m = fixture_model();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("fp.csv");
    std::fs::write(&csv, "\"Fingerprint\",\"Expected\",\"N\"\n\"\"\"bosom peril\"\"\",\"breast cancer\",\"5\"\n").unwrap();
    let server = Server::start(m.path(), &["--fingerprints", csv.to_str().unwrap()]);
    let r = server.post("/v1/restore", &json!({ "text": "Bosom peril is common." })).json();
    assert_eq!(r["findings"][0]["source"], "fingerprint");
    assert_eq!(r["restored"], "Breast cancer is common.");
    let out = Command::new(bin()).args(["serve", "--addr", "127.0.0.1:0", "--fingerprints", "/no/such.csv", "--model"]).arg(m.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
