//! One worker process of `bench fleet`: `tasks` tasks calling one action in a loop, all
//! starting at the same instant as the other workers, until the run's end; then one line
//! of JSON on stdout ([`WorkerReport`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use serde::{Deserialize, Serialize};
use tencentcloud_intlpartnersmgt::{Action, Client, Credentials, RetryPolicy};

use super::judge::unix_nanos;

/// The hidden `worker` subcommand's arguments (the bench passes them; not for people).
#[derive(Args, Debug, Clone)]
pub struct WorkerArgs {
    #[arg(long)]
    pub endpoint: String,
    #[arg(long)]
    pub action: String,
    #[arg(long)]
    pub tasks: usize,
    /// When every worker starts calling, in nanoseconds since the Unix epoch.
    #[arg(long)]
    pub start_at: u64,
    /// When they stop, likewise.
    #[arg(long)]
    pub end_at: u64,
    /// A shared budget's Redis URL; without it, the client's in-process limiter.
    #[arg(long)]
    pub redis: Option<String>,
    /// The shared budget's key namespace (one per round, so rounds do not share).
    #[arg(long, default_value = "partnergen-bench")]
    pub namespace: String,
}

/// What one worker saw, for the bench to merge.
#[derive(Serialize, Deserialize, Default, Debug)]
pub struct WorkerReport {
    /// Calls answered with success.
    pub ok: u64,
    /// Calls answered with an error, by its code (`RequestLimitExceeded`, ...; `-` for a
    /// failure without an API code, such as a refused connection).
    pub errors: BTreeMap<String, u64>,
    /// The first error's text, to say why calls failed.
    pub first_error: Option<String>,
    /// Calls still waiting (in the limiter or for an answer) at the run's end, dropped.
    pub cut_at_end: u64,
    /// Each finished call's time from the call to its answer, the limiter's wait
    /// included, in microseconds.
    pub call_micros: Vec<u64>,
    /// Each acquire's round trip to the shared budget (Redis), in microseconds; empty for
    /// the in-process limiter, which has none.
    pub acquire_micros: Vec<u64>,
    /// Each acquire's planned delay as the shared budget returned it, in microseconds.
    pub planned_delay_micros: Vec<u64>,
}

/// Runs the worker and prints its report.
pub fn run(args: &WorkerArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let report = runtime.block_on(calls(args))?;
    crate::outln!("{}", serde_json::to_string(&report)?)?;
    Ok(())
}

async fn calls(args: &WorkerArgs) -> Result<WorkerReport> {
    let action = Action::from_name(&args.action)
        .with_context(|| format!("unknown action {:?}", args.action))?;
    let shared = args
        .redis
        .as_deref()
        .map(|url| (url, args.namespace.as_str()));
    let client = client(&args.endpoint, shared)?;
    let report = Arc::new(Mutex::new(WorkerReport::default()));
    let start_in = Duration::from_nanos(args.start_at.saturating_sub(unix_nanos()));
    tokio::time::sleep(start_in).await;
    let end = Instant::now() + Duration::from_nanos(args.end_at.saturating_sub(unix_nanos()));
    let tasks: Vec<_> = (0..args.tasks)
        .map(|_| {
            let (client, report) = (client.clone(), Arc::clone(&report));
            tokio::spawn(call_until(client, action, end, report))
        })
        .collect();
    for task in tasks {
        task.await.context("a task of the worker failed")?;
    }
    let mut report = std::mem::take(&mut *report.lock().expect("not poisoned"));
    report.call_micros.sort_unstable();
    Ok(report)
}

/// One task: calls `action` until `end`; a call still waiting at `end` is dropped.
async fn call_until(
    client: Client,
    action: Action,
    end: Instant,
    report: Arc<Mutex<WorkerReport>>,
) {
    let request = serde_json::json!({});
    while Instant::now() < end {
        let started = Instant::now();
        let call = client.call_json(action.info().name, &request);
        let outcome = tokio::time::timeout_at(end.into(), call).await;
        let took = started.elapsed().as_micros() as u64;
        let mut report = report.lock().expect("not poisoned");
        match outcome {
            Err(_) => report.cut_at_end += 1,
            Ok(Ok(_)) => {
                report.ok += 1;
                report.call_micros.push(took);
            }
            Ok(Err(err)) => {
                let code = err.api().map_or("-".to_owned(), |api| api.code.clone());
                *report.errors.entry(code).or_default() += 1;
                report.first_error.get_or_insert_with(|| err.to_string());
                report.call_micros.push(took);
            }
        }
    }
}

/// The client every task shares: one attempt per call (so each call is one arrival at the
/// judge), the action's documented limit, and the shared budget when asked.
/// `shared`: the Redis URL and key namespace of a shared budget.
pub fn client(endpoint: &str, shared: Option<(&str, &str)>) -> Result<Client> {
    let (id, key) = credentials();
    let builder = Client::builder()
        .credentials(Credentials::new(id, key))
        .endpoint(endpoint)
        .retry_policy(RetryPolicy::disabled())
        .with_rate_limits();
    let builder = match shared {
        None => builder,
        Some((url, namespace)) => shared_budget(builder, url, namespace)?,
    };
    builder
        .build()
        .map_err(|e| anyhow::anyhow!("cannot build the client: {e}"))
}

/// The credentials of every worker: `TENCENTCLOUD_SECRET_ID` and `_KEY` when set (for an
/// `--endpoint` that checks signatures), else the mock server's.
fn credentials() -> (String, String) {
    use tencentcloud_intlpartnersmgt::mock::{SECRET_ID, SECRET_KEY};
    match (
        std::env::var("TENCENTCLOUD_SECRET_ID"),
        std::env::var("TENCENTCLOUD_SECRET_KEY"),
    ) {
        (Ok(id), Ok(key)) => (id, key),
        _ => (SECRET_ID.to_owned(), SECRET_KEY.to_owned()),
    }
}

/// The shared budget on Redis (issue 14, items 1 and 2), measured.
fn shared_budget(
    _builder: tencentcloud_intlpartnersmgt::ClientBuilder,
    _url: &str,
    _namespace: &str,
) -> Result<tencentcloud_intlpartnersmgt::ClientBuilder> {
    anyhow::bail!("this build has no shared budget yet (the runtime's RedisBudget has not landed)")
}
