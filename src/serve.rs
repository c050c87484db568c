//! `unspin serve`: the HTTP API and the web page (crate `unspin-server`).

use std::time::Duration;

use clap::Args;
use unspin_server::Limits;

use crate::{EngineArgs, UserError};

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the chosen address is printed).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    addr: String,
    /// The model, fingerprints and default threshold (a request may give its own).
    #[command(flatten)]
    engine: EngineArgs,
    /// Largest request body accepted (bytes; K and M suffixes allowed); larger ones get 413.
    #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = parse_size)]
    max_body: usize,
    /// Seconds allowed for one request, reading its body included.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    timeout: f64,
    /// Requests admitted at once; beyond it the server answers 503 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 128)]
    max_in_flight: usize,
    /// Documents checked at once (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Open connections at once; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 512)]
    max_connections: usize,
}

fn parse_size(s: &str) -> Result<usize, String> {
    let (digits, unit) = match s.trim().to_ascii_uppercase() {
        t if t.ends_with('K') => (t[..t.len() - 1].to_string(), 1 << 10),
        t if t.ends_with('M') => (t[..t.len() - 1].to_string(), 1 << 20),
        t => (t, 1),
    };
    let n: usize = digits.parse().map_err(|_| format!("{s:?} is not a size such as 65536, 64K or 1M"))?;
    n.checked_mul(unit).filter(|&n| n > 0).ok_or_else(|| format!("{s:?} is not a usable size"))
}

pub fn run(args: &ServeArgs) -> anyhow::Result<()> {
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err(UserError(format!("--timeout must be a positive number of seconds, got {}", args.timeout)).into());
    }
    // The engine of the server's profile, and one for each other profile a
    // request may ask for.
    // The engines list as many alternatives as a request may ask for;
    // `--alternatives` is how many a request that does not say gets.
    let mut engine_args = args.engine.clone();
    engine_args.alternatives = unspin_server::MAX_ALTERNATIVES as u8;
    let checker = unspin_server::Checker::with_profiles(crate::load_engines(&engine_args, true)?).with_default_alternatives(args.engine.alternatives as usize);
    let mut limits = Limits {
        max_body_bytes: args.max_body,
        timeout: Duration::from_secs_f64(args.timeout),
        max_in_flight: args.max_in_flight,
        max_connections: args.max_connections,
        ..Limits::default()
    };
    if let Some(w) = args.workers {
        limits.workers = w;
    }
    unspin_server::serve(checker, limits, &args.addr).map_err(|e| UserError(format!("{}: {e}", args.addr)))?;
    Ok(())
}
