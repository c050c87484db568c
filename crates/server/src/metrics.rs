//! Counters for `GET /metrics` (Prometheus text format 0.0.4), and the
//! middleware that fills them and turns any bare error answer into JSON.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::HttpBody;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// The routes metrics are kept for; any other path counts as `other`, so
/// that scanners cannot grow the label set without bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Page,
    Script,
    Style,
    OpenApi,
    Health,
    Metrics,
    Check,
    Restore,
    Other,
}

const ROUTES: [(Route, &str); 9] = [
    (Route::Page, "/"),
    (Route::Script, "/app.js"),
    (Route::Style, "/app.css"),
    (Route::OpenApi, "/openapi.json"),
    (Route::Health, "/healthz"),
    (Route::Metrics, "/metrics"),
    (Route::Check, "/v1/check"),
    (Route::Restore, "/v1/restore"),
    (Route::Other, "other"),
];

impl Route {
    fn of(path: &str) -> Route {
        ROUTES.iter().find(|(_, p)| *p == path).map(|&(r, _)| r).unwrap_or(Route::Other)
    }

    fn label(self) -> &'static str {
        ROUTES[self as usize].1
    }
}

/// Upper bounds (seconds) of the latency histogram's buckets.
const BUCKETS: [f64; 14] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Default)]
struct RouteCounters {
    /// Requests whose latency fell in each bucket (not cumulative; the
    /// last slot is beyond the largest bound).
    buckets: [AtomicU64; BUCKETS.len() + 1],
    count: AtomicU64,
    nanos: AtomicU64,
    request_bytes: AtomicU64,
    response_bytes: AtomicU64,
}

/// Everything `/metrics` reports.
pub struct Metrics {
    routes: [RouteCounters; ROUTES.len()],
    statuses: Mutex<BTreeMap<(usize, u16), u64>>,
    in_flight: AtomicU64,
    documents: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics {
            routes: Default::default(),
            statuses: Mutex::new(BTreeMap::new()),
            in_flight: AtomicU64::new(0),
            documents: AtomicU64::new(0),
        }
    }

    pub(crate) fn add_request_bytes(&self, route: Route, n: usize) {
        self.routes[route as usize].request_bytes.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub(crate) fn add_documents(&self, n: u64) {
        self.documents.fetch_add(n, Ordering::Relaxed);
    }

    fn record(&self, route: Route, status: StatusCode, seconds: f64, response_bytes: u64) {
        let c = &self.routes[route as usize];
        let slot = BUCKETS.iter().position(|&b| seconds <= b).unwrap_or(BUCKETS.len());
        c.buckets[slot].fetch_add(1, Ordering::Relaxed);
        c.count.fetch_add(1, Ordering::Relaxed);
        c.nanos.fetch_add((seconds * 1e9) as u64, Ordering::Relaxed);
        c.response_bytes.fetch_add(response_bytes, Ordering::Relaxed);
        let mut statuses = self.statuses.lock().unwrap_or_else(|e| e.into_inner());
        *statuses.entry((route as usize, status.as_u16())).or_insert(0) += 1;
    }

    /// The Prometheus text exposition.
    pub fn to_prometheus(&self) -> String {
        let mut out = String::new();
        let _ = self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) -> std::fmt::Result {
        writeln!(out, "# HELP unspin_http_requests_total HTTP requests answered, by route and status code.")?;
        writeln!(out, "# TYPE unspin_http_requests_total counter")?;
        let statuses = self.statuses.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for ((route, status), n) in &statuses {
            writeln!(out, "unspin_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}", ROUTES[*route].1)?;
        }
        writeln!(out, "# HELP unspin_http_request_duration_seconds Time from a request's arrival to its answer.")?;
        writeln!(out, "# TYPE unspin_http_request_duration_seconds histogram")?;
        for (i, c) in self.routes.iter().enumerate() {
            let count = c.count.load(Ordering::Relaxed);
            if count == 0 {
                continue;
            }
            let route = ROUTES[i].1;
            let mut cumulative = 0;
            for (b, bound) in BUCKETS.iter().enumerate() {
                cumulative += c.buckets[b].load(Ordering::Relaxed);
                writeln!(out, "unspin_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}")?;
            }
            cumulative += c.buckets[BUCKETS.len()].load(Ordering::Relaxed);
            writeln!(out, "unspin_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {cumulative}")?;
            let seconds = c.nanos.load(Ordering::Relaxed) as f64 / 1e9;
            writeln!(out, "unspin_http_request_duration_seconds_sum{{route=\"{route}\"}} {seconds}")?;
            writeln!(out, "unspin_http_request_duration_seconds_count{{route=\"{route}\"}} {cumulative}")?;
        }
        for (name, help, pick) in [
            ("unspin_http_request_body_bytes_total", "Request body bytes received.", 0),
            ("unspin_http_response_body_bytes_total", "Response body bytes sent.", 1),
        ] {
            writeln!(out, "# HELP {name} {help}")?;
            writeln!(out, "# TYPE {name} counter")?;
            for (i, c) in self.routes.iter().enumerate() {
                if c.count.load(Ordering::Relaxed) == 0 && c.request_bytes.load(Ordering::Relaxed) == 0 {
                    continue;
                }
                let n = if pick == 0 { &c.request_bytes } else { &c.response_bytes };
                writeln!(out, "{name}{{route=\"{}\"}} {}", ROUTES[i].1, n.load(Ordering::Relaxed))?;
            }
        }
        writeln!(out, "# HELP unspin_http_requests_in_flight Requests being answered now.")?;
        writeln!(out, "# TYPE unspin_http_requests_in_flight gauge")?;
        writeln!(out, "unspin_http_requests_in_flight {}", self.in_flight.load(Ordering::Relaxed))?;
        writeln!(out, "# HELP unspin_documents_checked_total Documents run through the engine.")?;
        writeln!(out, "# TYPE unspin_documents_checked_total counter")?;
        writeln!(out, "unspin_documents_checked_total {}", self.documents.load(Ordering::Relaxed))?;
        if let Some(rss) = resident_memory_bytes() {
            writeln!(out, "# HELP process_resident_memory_bytes Resident memory size in bytes.")?;
            writeln!(out, "# TYPE process_resident_memory_bytes gauge")?;
            writeln!(out, "process_resident_memory_bytes {rss}")?;
        }
        Ok(())
    }
}

/// Resident set size from /proc (Linux only). Note that it counts the pages
/// of the memory-mapped model that have been touched.
fn resident_memory_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

pub async fn render(State(state): State<Arc<AppState>>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.to_prometheus()).into_response()
}

/// Counts `in_flight` down even when the client goes away mid-request and
/// the request's future is dropped.
struct InFlight<'a>(&'a AtomicU64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Middleware around every route: latency, status and byte counts, and a
/// JSON body for error answers that axum produced bare (405 and the like).
pub async fn observe(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = Route::of(request.uri().path());
    state.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let _guard = InFlight(&state.metrics.in_flight);
    let mut response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let reason = status.canonical_reason().unwrap_or("error").to_string();
        let message = match status {
            StatusCode::METHOD_NOT_ALLOWED => format!("{reason}; see /openapi.json for the methods of {}", route.label()),
            _ => reason,
        };
        let (mut parts, _) = response.into_parts();
        parts.headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
        parts.headers.remove(header::CONTENT_LENGTH);
        let body = serde_json::json!({ "error": message }).to_string();
        response = Response::from_parts(parts, axum::body::Body::from(body));
    }
    let bytes = response.body().size_hint().exact().unwrap_or(0);
    state.metrics.record(route, status, started.elapsed().as_secs_f64(), bytes);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_counts_match() {
        let m = Metrics::new();
        m.record(Route::Check, StatusCode::OK, 0.003, 100);
        m.record(Route::Check, StatusCode::OK, 0.2, 50);
        m.record(Route::Check, StatusCode::PAYLOAD_TOO_LARGE, 99.0, 10);
        m.add_request_bytes(Route::Check, 5000);
        let text = m.to_prometheus();
        assert!(text.contains("unspin_http_requests_total{route=\"/v1/check\",status=\"200\"} 2\n"), "{text}");
        assert!(text.contains("unspin_http_requests_total{route=\"/v1/check\",status=\"413\"} 1\n"));
        assert!(text.contains("unspin_http_request_duration_seconds_bucket{route=\"/v1/check\",le=\"0.001\"} 0\n"));
        assert!(text.contains("unspin_http_request_duration_seconds_bucket{route=\"/v1/check\",le=\"0.005\"} 1\n"));
        assert!(text.contains("unspin_http_request_duration_seconds_bucket{route=\"/v1/check\",le=\"0.25\"} 2\n"));
        assert!(text.contains("unspin_http_request_duration_seconds_bucket{route=\"/v1/check\",le=\"30\"} 2\n"));
        assert!(text.contains("unspin_http_request_duration_seconds_bucket{route=\"/v1/check\",le=\"+Inf\"} 3\n"));
        assert!(text.contains("unspin_http_request_duration_seconds_count{route=\"/v1/check\"} 3\n"));
        assert!(text.contains("unspin_http_request_body_bytes_total{route=\"/v1/check\"} 5000\n"));
        assert!(text.contains("unspin_http_response_body_bytes_total{route=\"/v1/check\"} 160\n"));
        assert!(!text.contains("/v1/restore"), "routes never used are left out");
    }

    #[test]
    fn unknown_paths_share_one_label() {
        assert_eq!(Route::of("/v1/check"), Route::Check);
        assert_eq!(Route::of("/wp-admin"), Route::Other);
        assert_eq!(Route::of("/v1/check/"), Route::Other);
        for (i, (r, _)) in ROUTES.iter().enumerate() {
            assert_eq!(*r as usize, i);
        }
    }
}
