//! The JSON API: request parsing, the engine call off the async threads, and
//! error answers (`{"error": "..."}` for every 4xx and 5xx).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use tokio::time::{timeout_at, Instant};
use unspin_engine::{Engine, Format, Profile, Report};

use crate::metrics::Route;
use crate::AppState;

type Shared = Arc<AppState>;

/// The engines a request may choose from, one per profile (the first is
/// the server's own), each checking at a request's threshold
/// (`Engine::check_at`), which gives exactly the report `unspin check
/// --profile P --threshold T` gives (a test holds it to that).
pub struct Checker {
    engines: Vec<Engine>,
    /// How many alternatives a finding lists when a request does not say
    /// (`unspin serve --alternatives`); a request may ask for up to as many
    /// as the engines list (`Config::alternatives`).
    default_alternatives: usize,
}

/// The most alternatives a request may ask for (as `--alternatives`).
pub const MAX_ALTERNATIVES: usize = 8;

impl Checker {
    pub fn new(engine: Engine) -> Checker {
        Checker { engines: vec![engine], default_alternatives: 0 }
    }

    /// The same, listing `n` alternatives a finding to a request that asks
    /// for none.
    pub fn with_default_alternatives(self, n: usize) -> Checker {
        Checker { default_alternatives: n, ..self }
    }

    /// The server's engine first, then engines of other profiles that
    /// requests may ask for by name (`"profile"`); a profile given twice
    /// keeps its first engine.
    pub fn with_profiles(engines: Vec<Engine>) -> Checker {
        assert!(!engines.is_empty(), "a checker needs an engine");
        Checker { engines, default_alternatives: 0 }
    }

    /// The profiles a request may name, the server's first.
    pub fn profiles(&self) -> Vec<Profile> {
        let mut out: Vec<Profile> = Vec::new();
        for e in &self.engines {
            if !out.contains(&e.config().profile) {
                out.push(e.config().profile);
            }
        }
        out
    }

    /// The threshold of a request that gives none: the server's.
    pub fn default_threshold(&self) -> f64 {
        self.engines[0].config().min_confidence
    }

    /// The report for `text` with findings of confidence `>= threshold`.
    pub fn check(&self, text: &str, threshold: f64) -> Report {
        self.engines[0].check_at(text, threshold)
    }

    /// The engine a request names (None: the server's); the error says
    /// what the server offers.
    pub fn engine(&self, profile: Option<&str>) -> Result<&Engine, String> {
        let Some(name) = profile else { return Ok(&self.engines[0]) };
        let offered: Vec<&str> = self.engines.iter().map(|e| e.config().profile.name()).collect();
        match self.engines.iter().find(|e| e.config().profile.name() == name) {
            Some(e) => Ok(e),
            None if Profile::parse(name).is_some() => {
                Err(format!("profile {name:?} is not offered by this server (it offers {}; --neural allows only its own)", offered.join(", ")))
            }
            None => Err(format!("unknown profile {name:?} (this server offers {})", offered.join(", "))),
        }
    }
}

/// `POST /v1/restore` answer: the report plus the text with every finding
/// replaced by its suggestion (what `unspin restore` prints).
#[derive(Debug, Serialize, Deserialize)]
pub struct Restored {
    #[serde(flatten)]
    pub report: Report,
    pub restored: String,
}

/// One document of a batch answer, in the order of the request.
#[derive(Debug, Serialize, Deserialize)]
pub struct BatchItem {
    pub id: serde_json::Value,
    #[serde(flatten)]
    pub report: Report,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub restored: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    text: Option<String>,
    documents: Option<Vec<RawDocument>>,
    threshold: Option<f64>,
    profile: Option<String>,
    format: Option<String>,
    alternatives: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    id: serde_json::Value,
    text: String,
}

/// A document checked as its format (the request's `"format"`) says, at
/// `threshold`, with the text restored when asked, and each finding's
/// alternatives cut to `alternatives`.
fn check_document(engine: &Engine, text: &str, format: Format, threshold: f64, restore: bool, alternatives: usize) -> (Report, Option<String>) {
    let (mut report, restored) = if restore {
        let (restored, report) = engine.restore_document(text, format, threshold);
        (report, Some(restored))
    } else {
        (engine.check_document(text, format, threshold), None)
    };
    for f in &mut report.findings {
        f.alternatives.truncate(alternatives);
    }
    (report, restored)
}

/// The documents of a request that passed validation.
enum Job {
    One(String),
    Batch(Vec<(serde_json::Value, String)>),
}

/// A request that passed validation: its documents and what it asks for.
struct Parsed {
    job: Job,
    threshold: Option<f64>,
    profile: Option<String>,
    format: Format,
    alternatives: Option<usize>,
}

/// How a request's documents are checked, its choices resolved.
#[derive(Clone, Copy)]
struct Reading {
    profile: Profile,
    threshold: f64,
    format: Format,
    alternatives: usize,
    mode: Mode,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Check,
    Restore,
}

/// An error answer: status and a message for people.
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = matches!(self.status, StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS);
        let mut response = json_response(self.status, &serde_json::json!({ "error": self.message }));
        if retry {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

pub(crate) fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "error": format!("could not encode the answer: {e}") }).to_string(),
        )
            .into_response(),
    }
}

pub async fn healthz() -> Response {
    json_response(StatusCode::OK, &serde_json::json!({ "status": "ok" }))
}

pub async fn not_found(request: Request) -> Response {
    ApiError::new(StatusCode::NOT_FOUND, format!("no such resource: {}; see /openapi.json", request.uri().path())).into_response()
}

pub async fn check(State(state): State<Shared>, request: Request) -> Response {
    answer(state, request, Mode::Check).await.unwrap_or_else(IntoResponse::into_response)
}

pub async fn restore(State(state): State<Shared>, request: Request) -> Response {
    answer(state, request, Mode::Restore).await.unwrap_or_else(IntoResponse::into_response)
}

async fn answer(state: Shared, request: Request, mode: Mode) -> Result<Response, ApiError> {
    // Admission does not wait: a full server says so at once.
    let _admitted = state.admission.try_acquire().map_err(|_| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the server is busy (too many requests in flight); retry shortly")
    })?;
    let deadline = Instant::now() + state.limits.timeout;
    let route = if mode == Mode::Check { Route::Check } else { Route::Restore };
    let max = state.limits.max_body_bytes;
    let too_large = || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("request body larger than the limit of {max} bytes"));
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let bytes = match timeout_at(deadline, read_body(request.into_body(), max)).await {
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!("the request body did not arrive within {:?}", state.limits.timeout),
            ))
        }
        Ok(Err(BodyError::TooLarge(read))) => {
            state.metrics.add_request_bytes(route, read);
            return Err(too_large());
        }
        Ok(Err(BodyError::Read(e))) => return Err(ApiError::new(StatusCode::BAD_REQUEST, format!("could not read the request body: {e}"))),
        Ok(Ok(bytes)) => bytes,
    };
    state.metrics.add_request_bytes(route, bytes.len());
    let parsed = parse(&bytes)?;
    let engine = state.checker.engine(parsed.profile.as_deref()).map_err(|m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m))?;
    let reading = Reading {
        profile: engine.config().profile,
        threshold: parsed.threshold.unwrap_or(engine.config().min_confidence),
        format: parsed.format,
        alternatives: parsed.alternatives.unwrap_or(state.checker.default_alternatives),
        mode,
    };
    let job = parsed.job;

    let busy = || {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the request did not finish within {:?}; retry later or send less text", state.limits.timeout),
        )
    };
    let permit = match timeout_at(deadline, state.workers.clone().acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        _ => return Err(busy()),
    };
    // A batch stops between documents once nobody waits for its answer; a
    // single document runs to its end, holding its worker permit, so the
    // engine never has more than `workers` documents at once.
    let cancelled = Arc::new(AtomicBool::new(false));
    let worker_state = state.clone();
    let worker_cancelled = cancelled.clone();
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        run(&worker_state, job, reading, &worker_cancelled)
    });
    match timeout_at(deadline, task).await {
        Err(_) => {
            cancelled.store(true, Ordering::Relaxed);
            Err(busy())
        }
        Ok(Err(_panicked)) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error while checking the text")),
        Ok(Ok(None)) => Err(busy()),
        Ok(Ok(Some(response))) => Ok(response),
    }
}

enum BodyError {
    /// The body went past the limit after this many bytes.
    TooLarge(usize),
    Read(axum::Error),
}

async fn read_body(mut body: Body, max: usize) -> Result<Vec<u8>, BodyError> {
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(BodyError::Read)?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > max {
                return Err(BodyError::TooLarge(bytes.len() + data.len()));
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}

/// Validates a request body: JSON syntax errors and undecodable bytes are
/// 400, well-formed JSON of the wrong shape or with bad values is 422.
fn parse(bytes: &[u8]) -> Result<Parsed, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    let invalid = |m: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(bad(r#"empty request body; send JSON such as {"text": "..."}"#.into()));
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(bad(format!("request body is not valid UTF-8 (invalid byte at offset {}); send UTF-8 JSON", e.valid_up_to())));
    }
    // Syntax first (400), then shape (422): serde would otherwise also take
    // a struct from a JSON array, by position.
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| bad(format!("malformed JSON: {e}")))?;
    if !value.is_object() {
        return Err(invalid(r#"the body must be a JSON object such as {"text": "..."}"#.into()));
    }
    let raw: RawRequest = serde_json::from_value(value).map_err(|e| invalid(format!("unexpected JSON: {e}")))?;
    let threshold = match raw.threshold {
        None => None,
        Some(t) if (0.0..=1.0).contains(&t) => Some(t),
        Some(t) => return Err(invalid(format!("threshold must be between 0 and 1, got {t}"))),
    };
    let alternatives = match raw.alternatives {
        None => None,
        Some(n) if n as usize <= MAX_ALTERNATIVES => Some(n as usize),
        Some(n) => return Err(invalid(format!("alternatives must be between 0 and {MAX_ALTERNATIVES}, got {n}"))),
    };
    let format = match raw.format.as_deref() {
        None => Format::Auto,
        Some(name) => Format::parse(name)
            .ok_or_else(|| invalid(format!("unknown format {name:?} (give one of {})", Format::NAMES.map(|n| format!("{n:?}")).join(", "))))?,
    };
    let job = match (raw.text, raw.documents) {
        (Some(_), Some(_)) => return Err(invalid(r#"give either "text" or "documents", not both"#.into())),
        (None, None) => return Err(invalid(r#"missing "text" (one document) or "documents" (a batch of {"id", "text"})"#.into())),
        (Some(text), None) => {
            refuse_nul(&text, "text")?;
            Job::One(text)
        }
        (None, Some(documents)) => {
            let mut batch = Vec::with_capacity(documents.len());
            for (i, d) in documents.into_iter().enumerate() {
                if !(d.id.is_string() || d.id.is_number()) {
                    return Err(invalid(format!("documents[{i}].id must be a string or a number")));
                }
                refuse_nul(&d.text, &format!("documents[{i}].text"))?;
                batch.push((d.id, d.text));
            }
            Job::Batch(batch)
        }
    };
    Ok(Parsed { job, threshold, profile: raw.profile, format, alternatives })
}

/// A NUL character means binary data, which the command line refuses too.
fn refuse_nul(text: &str, field: &str) -> Result<(), ApiError> {
    match text.bytes().position(|b| b == 0) {
        Some(at) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{field} contains a NUL character (byte offset {at}); unspin reads text, not binary data"),
        )),
        None => Ok(()),
    }
}

/// Runs on a blocking thread. `None` when the batch was abandoned.
fn run(state: &AppState, job: Job, reading: Reading, cancelled: &AtomicBool) -> Option<Response> {
    let Reading { profile, threshold, format, alternatives, mode } = reading;
    let engine = state.checker.engine(Some(profile.name())).expect("the profile was resolved from this checker");
    match job {
        Job::One(text) => {
            let (report, restored) = check_document(engine, &text, format, threshold, mode == Mode::Restore, alternatives);
            state.metrics.add_documents(1);
            Some(match restored {
                None => json_response(StatusCode::OK, &report),
                Some(restored) => json_response(StatusCode::OK, &Restored { report, restored }),
            })
        }
        Job::Batch(documents) => {
            let mut results = Vec::with_capacity(documents.len());
            for (id, text) in documents {
                if cancelled.load(Ordering::Relaxed) {
                    return None;
                }
                let (report, restored) = check_document(engine, &text, format, threshold, mode == Mode::Restore, alternatives);
                state.metrics.add_documents(1);
                results.push(BatchItem { id, report, restored });
            }
            Some(json_response(StatusCode::OK, &serde_json::json!({ "results": results })))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(bytes: &[u8]) -> StatusCode {
        match parse(bytes) {
            Ok(_) => StatusCode::OK,
            Err(e) => e.status,
        }
    }

    #[test]
    fn request_validation_sorts_errors_into_400_and_422() {
        assert_eq!(status(br#"{"text": "a b c"}"#), StatusCode::OK);
        assert_eq!(status(br#"{"text": "", "threshold": 0.9}"#), StatusCode::OK);
        assert_eq!(status(br#"{"documents": [{"id": 1, "text": "x"}, {"id": "b", "text": "y"}]}"#), StatusCode::OK);
        assert_eq!(status(br#"{"documents": []}"#), StatusCode::OK);
        assert_eq!(status(b""), StatusCode::BAD_REQUEST);
        assert_eq!(status(b" \n"), StatusCode::BAD_REQUEST);
        assert_eq!(status(br#"{"text": "a"#), StatusCode::BAD_REQUEST);
        assert_eq!(status(b"{\"text\": \"caf\xe9\"}"), StatusCode::BAD_REQUEST);
        assert_eq!(status(b"text=hello"), StatusCode::BAD_REQUEST);
        assert_eq!(status(br#"{"text": 5}"#), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status(br#"["text"]"#), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status(br#"{}"#), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status(br#"{"text": "a", "treshold": 0.5}"#), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status(br#"{"text": "a", "threshold": 1.5}"#), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status(br#"{"text": "a", "threshold": -0.1}"#), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status(br#"{"text": "a", "documents": []}"#), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status(br#"{"documents": [{"id": null, "text": "x"}]}"#), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status(br#"{"documents": [{"id": [1], "text": "x"}]}"#), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status(br#"{"documents": [{"text": "x"}]}"#), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status(br#"{"text": "a\u0000b"}"#), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn messages_say_what_is_wrong() {
        let message = |b: &[u8]| parse(b).err().unwrap().message;
        assert!(message(b"").contains("empty request body"));
        assert!(message(b"{\"text\": \"caf\xe9\"}").contains("offset 13"));
        assert!(message(br#"{"text": "a", "treshold": 0.5}"#).contains("treshold"));
        assert!(message(br#"{"text": "a", "threshold": 2}"#).contains("between 0 and 1"));
        assert!(message(br#"{"documents": [{"id": 1, "text": "x"}, {"id": true, "text": "y"}]}"#).contains("documents[1].id"));
    }

    #[test]
    fn threshold_profile_and_alternatives_are_read_when_given() {
        let r = parse(br#"{"text": "a"}"#).ok().unwrap();
        assert_eq!(r.format, Format::Auto);
        assert_eq!((r.threshold, r.profile, r.alternatives), (None, None, None));
        let r = parse(br#"{"text": "a", "threshold": 0.2, "profile": "web", "format": "html", "alternatives": 8}"#).ok().unwrap();
        assert_eq!(r.format, Format::Html);
        assert_eq!((r.threshold, r.profile.as_deref(), r.alternatives), (Some(0.2), Some("web"), Some(8)));
        assert!(parse(br#"{"text": "a", "alternatives": 9}"#).err().unwrap().message.contains("between 0 and 8"));
        assert_eq!(status(br#"{"text": "a", "profile": 3}"#), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status(br#"{"text": "a", "format": "xml"}"#), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(parse(br#"{"text": "a", "format": "pdf"}"#).err().unwrap().message.contains("unknown format"));
    }
}
