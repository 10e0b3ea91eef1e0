//! `bench fleet`: one QPS budget across a fleet (issue 14). N worker processes (this
//! program again, hidden subcommand `worker`) with M tasks each call one action for a
//! while, all with the same credentials; a judge counts when the calls arrive. The figures:
//! achieved over allowed QPS (busiest sliding one-second window, and on average), the
//! one-second windows over the limit (fixed, clock-aligned, and sliding, the strict one),
//! and the latency of a call and, with a shared budget, of an acquire.

pub mod judge;
pub mod stats;
pub mod worker;

use partnergen_tests::redis::RedisServer;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use tencentcloud_intlpartnersmgt::Action;

use crate::outln;
use judge::{unix_nanos, Judge};
use worker::WorkerReport;

const SECOND: u64 = 1_000_000_000;
/// How long the workers have to start before they all begin calling together.
const START_DELAY: Duration = Duration::from_millis(1500);
/// How long after the run's end a late arrival still counts.
const ARRIVAL_GRACE: Duration = Duration::from_millis(500);

#[derive(Args, Debug)]
pub struct FleetArgs {
    /// Worker processes.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    processes: u32,
    /// Tasks per worker, each calling in a loop.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=4096))]
    tasks: u32,
    /// The Tencent action (intlpartnersmgt) to call; its documented QPS is the limit.
    /// QueryPartnerCredit is documented at 5/s, DescribeCustomerInfo at 20/s.
    #[arg(long, default_value = "QueryPartnerCredit")]
    action: String,
    /// Seconds of calling per round.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    duration: u64,
    /// Share one budget through this Redis (`redis://127.0.0.1:6379`); without it (and
    /// without --start-redis), each process has the client's in-process limiter.
    #[arg(long, conflicts_with = "start_redis")]
    redis: Option<String>,
    /// Start a redis-server on a free loopback port for the run, and stop it after.
    #[arg(long)]
    start_redis: bool,
    /// With a shared budget: first the same run with the in-process limiter, for the
    /// comparison in one invocation.
    #[arg(long)]
    compare: bool,
    /// The server to call; any server counts refusals, one that answers `GET /arrivals`
    /// with its arrival times (nanoseconds since the Unix epoch, a JSON array) as this
    /// bench's judge does is judged by windows too. Without it, the bench's own judge.
    #[arg(long)]
    endpoint: Option<String>,
}

/// How one round's processes limit themselves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Limiting<'a> {
    InProcess,
    Shared(&'a str),
}

pub fn run(args: &FleetArgs) -> Result<()> {
    let action = Action::from_name(&args.action).with_context(|| {
        format!(
            "unknown action {:?} (`cargo xtask actions intlpartnersmgt` lists them)",
            args.action
        )
    })?;
    let qps = action.info().qps;
    if args.compare && args.redis.is_none() && !args.start_redis {
        bail!("--compare compares against a shared budget: give --redis URL or --start-redis");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let judge = match &args.endpoint {
        Some(_) => None,
        None => Some(runtime.block_on(Judge::start())?),
    };
    let endpoint = args
        .endpoint
        .clone()
        .unwrap_or_else(|| judge.as_ref().expect("started").url());
    // A bad endpoint is one error here, not one per worker.
    worker::client(&endpoint, None)?;
    if let Some(url) = &args.redis {
        // Likewise a bad Redis URL (the workers would each say the same).
        tencentcloud_intlpartnersmgt::RedisBudget::new(url, "partnergen-bench")
            .map_err(|e| anyhow::anyhow!("--redis: {e}"))?;
    }
    let redis_server = args
        .start_redis
        .then(RedisServer::start)
        .transpose()
        .map_err(|err| anyhow::anyhow!(err))?;
    let redis = args
        .redis
        .clone()
        .or_else(|| redis_server.as_ref().map(RedisServer::url));

    outln!(
        "fleet: {} processes x {} tasks calling {} ({} {}/s), {} s per round, judge {}",
        args.processes,
        args.tasks,
        args.action,
        if qps.is_documented() {
            "documented"
        } else {
            "assumed"
        },
        qps.get(),
        args.duration,
        if judge.is_some() {
            "built in"
        } else {
            endpoint.as_str()
        },
    )?;
    let mut rounds = Vec::new();
    if redis.is_none() || args.compare {
        rounds.push(Limiting::InProcess);
    }
    if let Some(url) = &redis {
        rounds.push(Limiting::Shared(url));
    }
    for (number, limiting) in rounds.into_iter().enumerate() {
        let round = Round {
            args,
            endpoint: &endpoint,
            limiting,
            namespace: format!("partnergen-bench-{}-{number}", std::process::id()),
        };
        let (reports, period) = round.spawn_workers()?;
        let arrivals = match &judge {
            Some(judge) => Some(judge.take_arrivals()),
            None => runtime.block_on(fetch_arrivals(&endpoint)),
        };
        // An outside judge's other arrivals (earlier rounds, other clients) do not count.
        let last = period.end + ARRIVAL_GRACE.as_nanos() as u64;
        let arrivals = arrivals.map(|all| {
            all.into_iter()
                .filter(|at| (period.start..last).contains(at))
                .collect::<Vec<_>>()
        });
        print_round(limiting, qps.get(), &reports, arrivals)?;
        if reports.iter().all(|r| r.ok == 0) {
            let first = reports.iter().find_map(|r| r.first_error.as_deref());
            bail!(
                "no call was answered with success, so there are no figures (first error: {})",
                first.unwrap_or("none; no call finished")
            );
        }
    }
    Ok(())
}

/// One round: its workers, their common start and end.
struct Round<'a> {
    args: &'a FleetArgs,
    endpoint: &'a str,
    limiting: Limiting<'a>,
    namespace: String,
}

impl Round<'_> {
    /// Starts the workers, waits for them, and reads their reports; with the period they
    /// called in (nanoseconds since the Unix epoch).
    fn spawn_workers(&self) -> Result<(Vec<WorkerReport>, std::ops::Range<u64>)> {
        let program = std::env::current_exe().context("cannot find this program to re-run")?;
        let start_at = unix_nanos() + START_DELAY.as_nanos() as u64;
        let end_at = start_at + self.args.duration * SECOND;
        let mut children = Vec::new();
        for _ in 0..self.args.processes {
            let mut command = Command::new(&program);
            command
                .arg("worker")
                .args(["--endpoint", self.endpoint])
                .args(["--action", &self.args.action])
                .args(["--tasks", &self.args.tasks.to_string()])
                .args(["--start-at", &start_at.to_string()])
                .args(["--end-at", &end_at.to_string()])
                .args(["--namespace", &self.namespace])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            if let Limiting::Shared(url) = self.limiting {
                command.args(["--redis", url]);
            }
            children.push(command.spawn().context("cannot start a worker")?);
        }
        // Every child is waited for, even after one failed, so none is left behind.
        let outputs: Vec<_> = children.into_iter().map(Child::wait_with_output).collect();
        let mut reports = Vec::new();
        for (i, output) in outputs.into_iter().enumerate() {
            let output = output.with_context(|| format!("worker {i} could not be read"))?;
            if !output.status.success() {
                bail!(
                    "worker {i} failed ({}): {}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
            let report = serde_json::from_slice(&output.stdout)
                .with_context(|| format!("worker {i} wrote no report"))?;
            reports.push(report);
        }
        Ok((reports, start_at..end_at))
    }
}

/// The arrivals an outside judge recorded (`GET /arrivals`), or `None` if it answers none.
async fn fetch_arrivals(endpoint: &str) -> Option<Vec<u64>> {
    let url = format!("{}/arrivals", endpoint.trim_end_matches('/'));
    let answer = reqwest::get(url).await.ok()?.error_for_status().ok()?;
    let mut arrivals: Vec<u64> = serde_json::from_str(&answer.text().await.ok()?).ok()?;
    arrivals.sort_unstable();
    Some(arrivals)
}

fn print_round(
    limiting: Limiting<'_>,
    limit: u32,
    reports: &[WorkerReport],
    arrivals: Option<Vec<u64>>,
) -> Result<()> {
    outln!(
        "{}:",
        match limiting {
            Limiting::InProcess => "in-process limiter (each process its own budget)".to_owned(),
            Limiting::Shared(url) => format!("shared budget on Redis {url}"),
        }
    )?;
    let ok: u64 = reports.iter().map(|r| r.ok).sum();
    let cut: u64 = reports.iter().map(|r| r.cut_at_end).sum();
    let mut errors = std::collections::BTreeMap::<&str, u64>::new();
    for report in reports {
        for (code, n) in &report.errors {
            *errors.entry(code).or_default() += n;
        }
    }
    let errors = if errors.is_empty() {
        "none".to_owned()
    } else {
        errors
            .iter()
            .map(|(c, n)| format!("{n} {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    outln!("  calls: {ok} answered with success; errors: {errors}; {cut} cut at the end")?;
    match arrivals {
        Some(arrivals) => print_windows(&arrivals, limit)?,
        None => outln!("  windows: not counted (the endpoint does not answer GET /arrivals)")?,
    }
    let merged = |pick: fn(&WorkerReport) -> &Vec<u64>| {
        let mut all: Vec<u64> = reports
            .iter()
            .flat_map(|r| pick(r).iter().copied())
            .collect();
        all.sort_unstable();
        all
    };
    print_latency("call (limiter wait + request)", &merged(|r| &r.call_micros))?;
    if let Limiting::Shared(_) = limiting {
        print_latency(
            "acquire (Redis round trip + the planned wait for the slot)",
            &merged(|r| &r.acquire_micros),
        )?;
        print_latency(
            "Redis round trip alone (a probe per worker, own key, never waits)",
            &merged(|r| &r.probe_micros),
        )?;
        let outages: u64 = reports.iter().map(|r| r.redis_outages).sum();
        if outages > 0 {
            let failed: u64 = reports.iter().map(|r| r.redis_unavailable_errors).sum();
            let cause = reports.iter().find_map(|r| r.redis_last_failure.as_deref());
            outln!(
                "  Redis unavailable: {outages} outages over the workers, {failed} acquires \
                 (the probes' included) failed for want of it (last failure: {})",
                cause.unwrap_or("unknown")
            )?;
        }
    }
    Ok(())
}

fn print_windows(arrivals: &[u64], limit: u32) -> Result<()> {
    let allowed = f64::from(limit);
    let busiest = stats::busiest_window(arrivals, SECOND);
    let average = stats::average_rate(arrivals).unwrap_or(0.0);
    let (windows, over_fixed) = stats::over_fixed(arrivals, limit as usize, SECOND);
    let over_sliding = stats::over_sliding(arrivals, limit as usize, SECOND);
    outln!(
        "  arrivals: {}; achieved/allowed: busiest sliding 1-s window {:.3} ({busiest} in 1 s), \
         average {:.3} ({average:.2}/s)",
        arrivals.len(),
        busiest as f64 / allowed,
        average / allowed
    )?;
    outln!(
        "  over the limit: {over_fixed} of {windows} clock-second windows; \
         {over_sliding} arrivals with {limit} others in the second before them (sliding)"
    )?;
    Ok(())
}

fn print_latency(what: &str, sorted_micros: &[u64]) -> Result<()> {
    let show = |p| {
        stats::percentile(sorted_micros, p)
            .map_or("-".to_owned(), |us| format!("{:.3} ms", us as f64 / 1e3))
    };
    outln!(
        "  {what}: p50 {}, p99 {} ({} samples)",
        show(50.0),
        show(99.0),
        sorted_micros.len()
    )
}
