//! One worker process of `bench fleet`: `tasks` tasks calling one action in a loop, all
//! starting at the same instant as the other workers, until the run's end; then one line
//! of JSON on stdout ([`WorkerReport`]).

use std::collections::BTreeMap;
use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use serde::{Deserialize, Serialize};
use tencentcloud_intlpartnersmgt::{
    Action, BudgetError, BudgetKey, Client, Credentials, RedisBudget, RetryPolicy, SharedBudget,
};

/// What [`SharedBudget::acquire`] returns (the runtime's `BudgetFuture`).
type Acquire<'a> = Pin<Box<dyn Future<Output = Result<(), BudgetError>> + Send + 'a>>;

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
    /// Each finished acquire of the shared budget, from the ask to the start it grants:
    /// the Redis round trip plus the planned wait for the slot, in microseconds; empty for
    /// the in-process limiter.
    pub acquire_micros: Vec<u64>,
    /// The Redis round trip alone: acquires by a probe on a key of its own at a limit so
    /// high it never waits, in microseconds; empty for the in-process limiter.
    pub probe_micros: Vec<u64>,
    /// Times the shared budget's Redis became unavailable (0 when every start was shared;
    /// the bench's budget waits for it, then fails the call: never a local start).
    pub redis_outages: u64,
    /// Acquires failed for want of Redis.
    pub redis_unavailable_errors: u64,
    /// The last failure to reach Redis.
    pub redis_last_failure: Option<String>,
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
    let budget = match &args.redis {
        Some(url) => Some(TimedBudget::new(url, &args.namespace)?),
        None => None,
    };
    let client = client(&args.endpoint, budget.clone())?;
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
    let probe = budget
        .clone()
        .map(|budget| tokio::spawn(budget.probe_until(end)));
    for task in tasks {
        task.await.context("a task of the worker failed")?;
    }
    let probe_micros = match probe {
        Some(probe) => probe.await.context("the worker's probe failed")?,
        None => Vec::new(),
    };
    let mut report = std::mem::take(&mut *report.lock().expect("not poisoned"));
    report.call_micros.sort_unstable();
    if let Some(budget) = budget {
        report.acquire_micros = std::mem::take(&mut *lock(&budget.acquires));
        report.acquire_micros.sort_unstable();
        report.probe_micros = probe_micros;
        report.probe_micros.sort_unstable();
        let status = budget.redis.status();
        report.redis_outages = status.outages;
        report.redis_unavailable_errors = status.unavailable_errors;
        report.redis_last_failure = status.last_failure;
    }
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
pub fn client(endpoint: &str, shared: Option<TimedBudget>) -> Result<Client> {
    let (id, key) = credentials();
    let builder = Client::builder()
        .credentials(Credentials::new(id, key))
        .endpoint(endpoint)
        .retry_policy(RetryPolicy::disabled())
        .with_rate_limits();
    let builder = match shared {
        None => builder,
        Some(budget) => builder.shared_rate_limits(budget),
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

/// How often each worker's probe measures the Redis round trip.
const PROBE_EVERY: Duration = Duration::from_millis(20);

/// The shared budget on Redis (issue 14, items 1 and 2), each acquire timed. Clones share
/// the budget (its one connection) and the samples.
#[derive(Clone, Debug)]
pub struct TimedBudget {
    redis: Arc<RedisBudget>,
    acquires: Arc<Mutex<Vec<u64>>>,
}

impl TimedBudget {
    /// The budget at `url` under `namespace`, with the runtime's defaults (wait up to 5 s
    /// for an unavailable Redis, then fail the call: never an unpaced start).
    fn new(url: &str, namespace: &str) -> Result<TimedBudget> {
        let redis = RedisBudget::new(url, namespace)
            .map_err(|e| anyhow::anyhow!("cannot make the shared budget: {e}"))?;
        Ok(TimedBudget {
            redis: Arc::new(redis),
            acquires: Arc::default(),
        })
    }

    /// Until `end`, every [`PROBE_EVERY`], one acquire on a key of this process alone at
    /// a limit so high that the script never books a wait: the pure round trip, through
    /// the same connection as the calls' acquires. Its times in microseconds; it stops at
    /// the first failure (Redis unavailable: the calls count that as errors).
    async fn probe_until(self, end: Instant) -> Vec<u64> {
        let access_key_id = format!("probe-{}", std::process::id());
        let key = BudgetKey {
            service: "partnergen-bench",
            access_key_id: &access_key_id,
            action: "Probe",
        };
        let mut samples = Vec::new();
        let mut ticks = tokio::time::interval(PROBE_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while Instant::now() < end {
            ticks.tick().await;
            let started = Instant::now();
            if self.redis.acquire(&key, NonZeroU32::MAX).await.is_err() {
                break;
            }
            samples.push(started.elapsed().as_micros() as u64);
        }
        samples
    }
}

impl SharedBudget for TimedBudget {
    fn acquire<'a>(&'a self, key: &'a BudgetKey<'a>, qps: NonZeroU32) -> Acquire<'a> {
        Box::pin(async move {
            let started = Instant::now();
            let granted = self.redis.acquire(key, qps).await;
            if granted.is_ok() {
                lock(&self.acquires).push(started.elapsed().as_micros() as u64);
            }
            granted
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
