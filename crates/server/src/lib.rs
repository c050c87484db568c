//! unspin over HTTP: a JSON API (`POST /v1/check`, `POST /v1/restore`) and a
//! web page that shows the findings in place and lets a reader accept or
//! reject each suggestion.
//!
//! ```no_run
//! use std::sync::Arc;
//! use unspin_engine::{Config, Engine, Model, Profile};
//! let model = Arc::new(Model::locate(None).unwrap());
//! // The server's profile first; a request may ask for the other by name.
//! let engines = Profile::ALL.iter().map(|&p| Engine::new(model.clone(), Config::for_profile(p, false))).collect();
//! let checker = unspin_server::Checker::with_profiles(engines);
//! unspin_server::serve(checker, unspin_server::Limits::default(), "127.0.0.1:8080").unwrap();
//! ```
//!
//! The engine is CPU-bound and synchronous, so it never runs on the async
//! threads: every document goes to tokio's blocking pool, behind a semaphore
//! with one permit per worker, so at most `workers` documents are checked at
//! once and the rest wait their turn in order. A second, non-waiting
//! semaphore bounds the requests admitted at all (`max_in_flight`); beyond it
//! the server answers 503 with `Retry-After` at once instead of queueing
//! without limit.

mod api;
mod metrics;
mod page;

use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use tokio::sync::Semaphore;
use unspin_engine::Engine;

pub use api::{BatchItem, Checker, Restored, MAX_ALTERNATIVES};
pub use metrics::Metrics;

/// The limits that protect the server from large, slow or too many requests.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest request body accepted; larger ones get 413.
    pub max_body_bytes: usize,
    /// Time allowed for one request, from its arrival to its answer: reading
    /// the body (408 beyond it) and waiting for and running the engine (503).
    pub timeout: Duration,
    /// Requests admitted at once; beyond it, 503 with `Retry-After`.
    pub max_in_flight: usize,
    /// Documents checked at once (blocking threads running the engine).
    pub workers: usize,
    /// Open connections at once; further ones wait in the listen queue.
    /// A connection that sends no complete request head within `timeout`
    /// (idle keep-alive ones included) is closed.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 1 << 20,
            timeout: Duration::from_secs(30),
            max_in_flight: 128,
            workers: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            max_connections: 512,
        }
    }
}

/// What every handler shares.
pub(crate) struct AppState {
    /// The engine; each request is checked at its own threshold (see
    /// [`api::Checker`]).
    pub checker: api::Checker,
    pub limits: Limits,
    pub admission: Semaphore,
    pub workers: Arc<Semaphore>,
    pub metrics: Metrics,
}

/// The whole HTTP application. The engine's `min_confidence` becomes the
/// default threshold of requests that do not give their own.
pub fn router(engine: Engine, limits: Limits) -> Router {
    router_for(api::Checker::new(engine), limits)
}

/// The application over a [`Checker`] of several profiles: a request may
/// name one (`"profile"`); the first engine's is the default.
pub fn router_for(checker: api::Checker, limits: Limits) -> Router {
    let limits = Limits { max_in_flight: limits.max_in_flight.max(1), workers: limits.workers.max(1), ..limits };
    let state = Arc::new(AppState {
        checker,
        admission: Semaphore::new(limits.max_in_flight),
        workers: Arc::new(Semaphore::new(limits.workers)),
        metrics: Metrics::new(),
        limits,
    });
    Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/app.css", get(page::style))
        .route("/openapi.json", get(page::openapi))
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(metrics::render))
        .route("/v1/check", post(api::check))
        .route("/v1/restore", post(api::restore))
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::observe))
        .with_state(state)
}

/// Binds `addr`, prints `unspin: listening on http://ADDR` on standard error
/// (with the real port when `addr` asks for port 0), and answers requests
/// until SIGINT or SIGTERM; requests under way are finished first.
pub fn serve(checker: Checker, limits: Limits, addr: &str) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        eprintln!("unspin: listening on http://{}", listener.local_addr()?);
        let app = router_for(checker, limits.clone());
        serve_listener(listener, app, &limits, shutdown_signal()).await
    })
}

/// Answers HTTP/1.1 on `listener` with `app` until `shutdown` completes,
/// then stops accepting and gives requests under way up to `limits.timeout`
/// to finish. Unlike `axum::serve`, it bounds the open connections and
/// times out request heads, so idle or trickling clients cannot pile up.
pub async fn serve_listener(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let max_connections = limits.max_connections.clamp(1, u32::MAX as usize);
    let connections = Arc::new(Semaphore::new(max_connections));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            permit = connections.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    eprintln!("unspin: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let head_timeout = limits.timeout;
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(head_timeout);
            let connection = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stopped.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let _ = tokio::time::timeout(limits.timeout, connections.acquire_many(max_connections as u32)).await;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
    eprintln!("unspin: shutting down");
}
