//! A small HTTP load client for `unspin serve` on this machine (used by
//! scripts/load-test.sh). Each client keeps one keep-alive connection and
//! sends requests back to back; the run stops after `--requests` requests or
//! `--duration` seconds, whichever comes first. With `--pid` it samples the
//! server's memory from /proc while it runs.
//!
//! ```text
//! cargo run --release -p unspin-server --example load -- \
//!     --addr 127.0.0.1:8080 --body doc.json --concurrency 8 --requests 2000 --duration 30 [--pid PID]
//! ```
//!
//! Prints one JSON object: requests, statuses, requests/s, latency
//! percentiles (ms), and the memory samples.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Options {
    addr: SocketAddr,
    path: String,
    bodies: Vec<Vec<u8>>,
    concurrency: usize,
    requests: u64,
    duration: Duration,
    pid: Option<u32>,
    sample_every: u64,
}

fn usage(message: &str) -> ! {
    eprintln!("load: {message}");
    eprintln!("usage: load --addr HOST:PORT [--path /v1/check] --body FILE [--body FILE...] --concurrency N --requests N --duration SECS [--pid PID] [--sample-every N]");
    std::process::exit(2);
}

fn options() -> Options {
    let mut o = Options {
        addr: "127.0.0.1:8080".parse().unwrap(),
        path: "/v1/check".into(),
        bodies: Vec::new(),
        concurrency: 1,
        requests: 1000,
        duration: Duration::from_secs(30),
        pid: None,
        sample_every: 10_000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        let number = |v: &str| v.parse::<u64>().unwrap_or_else(|_| usage(&format!("{flag}: {v:?} is not a number")));
        match flag.as_str() {
            "--addr" => o.addr = value.parse().unwrap_or_else(|_| usage("--addr: expected IP:PORT")),
            "--path" => o.path = value,
            "--body" => o.bodies.push(std::fs::read(&value).unwrap_or_else(|e| usage(&format!("{value}: {e}")))),
            "--concurrency" => o.concurrency = number(&value).max(1) as usize,
            "--requests" => o.requests = number(&value),
            "--duration" => o.duration = Duration::from_secs(number(&value)),
            "--pid" => o.pid = Some(number(&value) as u32),
            "--sample-every" => o.sample_every = number(&value).max(1),
            _ => usage(&format!("unknown option {flag}")),
        }
    }
    if o.bodies.is_empty() {
        usage("give at least one --body");
    }
    // Load is only ever sent to this machine.
    match o.addr.ip() {
        IpAddr::V4(ip) if ip.is_loopback() => {}
        IpAddr::V6(ip) if ip.is_loopback() => {}
        _ => usage("--addr must be a loopback address"),
    }
    o
}

/// Memory of a process from /proc/PID/status, in KiB: (VmRSS, RssAnon, RssFile).
fn memory(pid: u32) -> Option<(u64, u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok())
    };
    Some((field("VmRSS:")?, field("RssAnon:").unwrap_or(0), field("RssFile:").unwrap_or(0)))
}

struct Shared {
    issued: AtomicU64,
    done: AtomicU64,
    stop: AtomicBool,
    latencies_us: Mutex<Vec<u32>>,
    statuses: Mutex<BTreeMap<u16, u64>>,
    failures: Mutex<Vec<String>>,
}

/// Sends one request on `stream` and reads the answer; returns the status.
async fn exchange(stream: &mut TcpStream, request: &[u8], buf: &mut Vec<u8>) -> std::io::Result<u16> {
    stream.write_all(request).await?;
    buf.clear();
    let mut chunk = [0u8; 16384];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .ok_or_else(|| std::io::Error::other("answer without Content-Length"))?;
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed mid-body"));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(status)
}

async fn client(o: Arc<Options>, shared: Arc<Shared>, requests: Arc<Vec<Vec<u8>>>, deadline: Instant) {
    let mut stream: Option<TcpStream> = None;
    let mut buf = Vec::new();
    let mut latencies = Vec::new();
    let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
    loop {
        let i = shared.issued.fetch_add(1, Ordering::Relaxed);
        if i >= o.requests || Instant::now() >= deadline || shared.stop.load(Ordering::Relaxed) {
            break;
        }
        let request = &requests[(i % requests.len() as u64) as usize];
        let started = Instant::now();
        if stream.is_none() {
            match TcpStream::connect(o.addr).await {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    stream = Some(s);
                }
                Err(e) => {
                    shared.failures.lock().unwrap().push(format!("connect: {e}"));
                    shared.stop.store(true, Ordering::Relaxed);
                    break;
                }
            }
        }
        let result = exchange(stream.as_mut().unwrap(), request, &mut buf).await;
        match result {
            Ok(status) => {
                latencies.push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
                *statuses.entry(status).or_insert(0) += 1;
                // The server closes the connection after some error answers.
                if status >= 400 {
                    stream = None;
                }
            }
            Err(e) => {
                *statuses.entry(0).or_insert(0) += 1;
                let mut f = shared.failures.lock().unwrap();
                if f.len() < 10 {
                    f.push(e.to_string());
                }
                stream = None;
            }
        }
        shared.done.fetch_add(1, Ordering::Relaxed);
    }
    shared.latencies_us.lock().unwrap().extend(latencies);
    let mut all = shared.statuses.lock().unwrap();
    for (k, v) in statuses {
        *all.entry(k).or_insert(0) += v;
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn main() {
    let o = Arc::new(options());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let host = o.addr.to_string();
    let requests: Arc<Vec<Vec<u8>>> = Arc::new(
        o.bodies
            .iter()
            .map(|b| {
                let mut r = format!(
                    "POST {} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    o.path,
                    b.len()
                )
                .into_bytes();
                r.extend_from_slice(b);
                r
            })
            .collect(),
    );
    let shared = Arc::new(Shared {
        issued: AtomicU64::new(0),
        done: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        latencies_us: Mutex::new(Vec::new()),
        statuses: Mutex::new(BTreeMap::new()),
        failures: Mutex::new(Vec::new()),
    });
    let started = Instant::now();
    let deadline = started + o.duration;
    let mut samples: Vec<serde_json::Value> = Vec::new();
    runtime.block_on(async {
        let tasks: Vec<_> =
            (0..o.concurrency).map(|_| tokio::spawn(client(o.clone(), shared.clone(), requests.clone(), deadline))).collect();
        if let Some(pid) = o.pid {
            let sample = |done: u64| {
                memory(pid).map(|(rss, anon, file)| serde_json::json!({ "requests": done, "rss_kib": rss, "anon_kib": anon, "file_kib": file }))
            };
            samples.extend(sample(0));
            let mut next = o.sample_every;
            while tasks.iter().any(|t| !t.is_finished()) {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let done = shared.done.load(Ordering::Relaxed);
                if done >= next {
                    samples.extend(sample(done));
                    next = (done / o.sample_every + 1) * o.sample_every;
                }
            }
            samples.extend(sample(shared.done.load(Ordering::Relaxed)));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = std::mem::take(&mut *shared.latencies_us.lock().unwrap());
    latencies.sort_unstable();
    let done = shared.done.load(Ordering::Relaxed);
    let statuses: BTreeMap<String, u64> = shared.statuses.lock().unwrap().iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let report = serde_json::json!({
        "concurrency": o.concurrency,
        "body_bytes": o.bodies.iter().map(Vec::len).collect::<Vec<_>>(),
        "requests": done,
        "seconds": (elapsed * 1000.0).round() / 1000.0,
        "requests_per_second": (done as f64 / elapsed * 10.0).round() / 10.0,
        "latency_ms": {
            "p50": percentile(&latencies, 0.50),
            "p90": percentile(&latencies, 0.90),
            "p99": percentile(&latencies, 0.99),
            "max": percentile(&latencies, 1.0),
        },
        "statuses": statuses,
        "failures": *shared.failures.lock().unwrap(),
        "memory": samples,
    });
    println!("{report}");
}
