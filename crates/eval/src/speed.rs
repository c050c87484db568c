//! Throughput and memory.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Detector;

/// Single-threaded timings over `docs`, checked one document per call.
#[derive(Clone, Copy, Debug, Default)]
pub struct Throughput {
    pub bytes: u64,
    pub check: Duration,
    pub apply: Duration,
}

impl Throughput {
    pub fn check_mb_per_s(&self) -> Option<f64> {
        mb_per_s(self.bytes, self.check)
    }

    pub fn restore_mb_per_s(&self) -> Option<f64> {
        mb_per_s(self.bytes, self.check + self.apply)
    }
}

/// MB (10^6 bytes) per second; None for an unmeasurably short time.
pub fn mb_per_s(bytes: u64, time: Duration) -> Option<f64> {
    let s = time.as_secs_f64();
    (s > 0.0).then(|| bytes as f64 / 1e6 / s)
}

pub fn throughput(detector: &dyn Detector, docs: &[&str]) -> Throughput {
    let mut t = Throughput::default();
    for doc in docs {
        let start = Instant::now();
        let report = detector.check(doc);
        let checked = Instant::now();
        let restored = unspin_engine::apply(doc, &report.findings);
        t.apply += checked.elapsed();
        t.check += checked - start;
        t.bytes += doc.len() as u64;
        std::hint::black_box(restored);
    }
    t
}

fn own_usage() -> Option<libc::rusage> {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    (unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0).then_some(usage)
}

/// Peak resident set size of this process so far, in MB (10^6 bytes).
pub fn peak_rss_mb() -> Option<f64> {
    let maxrss = own_usage()?.ru_maxrss as f64;
    // Linux reports kilobytes, macOS bytes.
    let bytes = if cfg!(target_os = "macos") { maxrss } else { maxrss * 1024.0 };
    Some(bytes / 1e6)
}

/// User CPU time this process has used so far, in seconds.
pub fn user_cpu_seconds() -> Option<f64> {
    let t = own_usage()?.ru_utime;
    Some(t.tv_sec as f64 + t.tv_usec as f64 * 1e-6)
}

/// The yardstick: a plain case-insensitive fixed-string scan for the listed
/// phrases, `grep -c -i -F -f <phrases> <corpus>`, best of `runs` wall
/// times (process start included). Err explains why it could not run.
///
/// grep runs with LC_ALL=C: in a UTF-8 locale GNU grep folds case through
/// its multibyte path, a few hundred times slower with thousands of
/// patterns, which would time grep's locale handling rather than a scan.
/// Byte-wise ASCII case folding is also what fingerprint matching does.
pub fn grep_yardstick(phrases: &[String], corpus: &str, runs: usize) -> Result<Duration, String> {
    let write = |content: &str| -> Result<tempfile::NamedTempFile, String> {
        let mut f = tempfile::NamedTempFile::new().map_err(|e| format!("temporary file: {e}"))?;
        f.write_all(content.as_bytes()).map_err(|e| format!("temporary file: {e}"))?;
        f.flush().map_err(|e| format!("temporary file: {e}"))?;
        Ok(f)
    };
    let mut list = phrases.join("\n");
    list.push('\n');
    let pattern_file = write(&list)?;
    let corpus_file = write(corpus)?;
    let mut best: Option<Duration> = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let status = Command::new("grep")
            .env("LC_ALL", "C")
            .args(["-c", "-i", "-F", "-f"])
            .arg(pattern_file.path())
            .arg(corpus_file.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("grep is not available ({e})"))?;
        let took = start.elapsed();
        // 0: matches, 1: no match; anything else is an error.
        if !matches!(status.code(), Some(0) | Some(1)) {
            return Err(format!("grep failed ({status})"));
        }
        best = Some(best.map_or(took, |b| b.min(took)));
    }
    best.ok_or_else(|| "grep did not run".into())
}
