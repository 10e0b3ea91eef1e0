//! Benchmarks over the generated crates: figures, not tests; nothing here asserts a time.
//! `cargo xtask bench client|mock-server|policy|fleet` runs this program optimised
//! (`cargo run --release -p partnergen-bench -- WHAT [ARGS]`); `bench codegen` and `bench build`
//! need only the generator and stay in xtask.
//!
//! - `client`: building, serializing and signing one request; and the achieved over the
//!   allowed rate of a concurrent burst against a local server.
//! - `mock-server`: signed requests per second the mock server answers on loopback, and
//!   the official Python SDK's calls per second against it.
//! - `policy`: the policy linter and evaluator on 1,000 to 100,000 statements or actions.
//! - `fleet`: one QPS budget across worker processes (see [`fleet`]).
//! - `paging`: a 20,000-item scan through the generic paginator against a hand-written
//!   loop over the same client and mock (what the paginator's bookkeeping, its loop guard
//!   included, costs per page).

// xtask's output helpers, one file for both programs (they are separate workspaces, so a
// shared crate would be the only other way); bench uses a part of them.
#[allow(dead_code)]
#[path = "../../xtask/src/output.rs"]
mod output;

mod fleet;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use tencentcloud_intlpartnersmgt::policy::{evaluate, lint, statements, LintOptions, Request};
use tencentcloud_intlpartnersmgt::{Action, SERVICE};

#[derive(Parser)]
#[command(
    name = "partnergen-bench",
    about = "Performance figures of the generated crates (never asserted)"
)]
enum Cli {
    /// Request signing time and achieved QPS.
    Client,
    /// Signed requests per second the mock server answers.
    MockServer,
    /// The policy linter and evaluator on 1,000 to 100,000 statements or actions.
    Policy,
    /// One QPS budget across N processes: achieved/allowed QPS, windows over the limit,
    /// acquire latency; in-process limiter or a budget shared through Redis.
    Fleet(fleet::FleetArgs),
    /// A scan of a long list over the in-process mock: the generic paginator against a
    /// hand-written loop over the same client.
    Paging,
    /// One worker process of `fleet` (started by it).
    #[command(hide = true)]
    Worker(fleet::worker::WorkerArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse() {
        Cli::Client => client(),
        Cli::MockServer => workspace_root().and_then(|root| mock_server(&root)),
        Cli::Policy => policy(),
        Cli::Fleet(args) => fleet::run(&args),
        Cli::Paging => paging(),
        Cli::Worker(args) => fleet::worker::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): what it did read is what it wanted.
        Err(err) if output::is_closed_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            output::error(&err);
            ExitCode::FAILURE
        }
    }
}

/// The checkout (for the interoperability script): the nearest ancestor of the current
/// directory with `spec/` and `tests/interop/` (`cargo xtask bench` runs this program
/// from the root).
fn workspace_root() -> Result<PathBuf> {
    let here = std::env::current_dir().context("cannot read the current directory")?;
    here.ancestors()
        .find(|dir| dir.join("spec").is_dir() && dir.join("tests/interop").is_dir())
        .map(Path::to_path_buf)
        .with_context(|| format!("{} is not inside a partnergen checkout", here.display()))
}

/// Request build + serialize + sign, and achieved QPS of a burst against 127.0.0.1.
pub fn client() -> Result<()> {
    use tencentcloud_intlpartnersmgt::{models, Action, Client, Credentials};

    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let server = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_raw(
                r#"{"Response":{"TotalCredit":1,"RemainingCredit":1,"IssuedCredit":0,"RequestId":"r"}}"#,
                "application/json",
            ))
            .mount(&server)
            .await;
        let build = |limit: Option<u32>| -> Result<Client> {
            Client::builder()
                .credentials(Credentials::new("AKIDbench", "bench-key"))
                .endpoint(server.uri())
                .rate_limit(Action::QueryPartnerCredit, limit)
                .build()
                .map_err(|e| anyhow::anyhow!("{e}"))
        };

        // Build, serialize and sign, without sending.
        let client = build(None)?;
        let iterations = 200_000u32;
        let start = Instant::now();
        for i in 0..iterations {
            let request = models::AllocateCreditPoolRequest::new(models::AllocateCreditPoolRequired {
                sub_agent_uin: 200_000_000_000 + i64::from(i),
                credit: 1234.5,
            });
            let body = serde_json::to_vec(&request).expect("serializes");
            let signed = client.engine().signed_request("AllocateCreditPool", body, 1_700_000_000 + i64::from(i));
            std::hint::black_box(signed);
        }
        let per_request = start.elapsed() / iterations;
        outln!("build + serialize + sign one request: {per_request:?} (mean of {iterations})")?;

        // The credentials of one attempt: the client's cache (a lock and a clone of the
        // keys), against the clone alone, the least any attempt must do to sign.
        let fixed = Credentials::new("AKIDbench", "bench-key").with_token("bench-token");
        let cached = client.engine().credentials().clone();
        let iterations = 1_000_000u32;
        let start = Instant::now();
        for _ in 0..iterations {
            std::hint::black_box(cached.get().await.map_err(|e| anyhow::anyhow!("{e}"))?);
        }
        let from_cache = start.elapsed() / iterations;
        let start = Instant::now();
        for _ in 0..iterations {
            std::hint::black_box(std::hint::black_box(&fixed).clone());
        }
        let clone_only = start.elapsed() / iterations;
        outln!(
            "credentials for one attempt: {from_cache:?} from the client's cache, {clone_only:?} \
             to clone the keys alone (mean of {iterations})"
        )?;

        // A concurrent burst at an allowed rate: the starts the server saw per second.
        for (limit, calls) in [(5u32, 26usize), (20, 101), (100, 501)] {
            let client = build(Some(limit))?;
            let before = server.received_requests().await.map_or(0, |r| r.len());
            let start = Instant::now();
            let tasks: Vec<_> = (0..calls)
                .map(|_| {
                    let client = client.clone();
                    tokio::spawn(async move { client.query_partner_credit(&models::QueryPartnerCreditRequest::new()).await })
                })
                .collect();
            for task in tasks {
                task.await?.map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            let elapsed = start.elapsed();
            let seen = server.received_requests().await.map_or(0, |r| r.len()) - before;
            // n starts at r per second need (n - 1) / r seconds at best.
            let achieved = (calls - 1) as f64 / elapsed.as_secs_f64();
            outln!(
                "burst of {calls} at {limit}/s: {elapsed:.2?}, achieved {achieved:.2}/s, achieved/allowed {:.3} ({seen} requests seen)",
                achieved / f64::from(limit)
            )?;
        }
        Ok(())
    })
}

/// Signed requests per second the mock server answers on loopback, with the load
/// generator on the same two cores; and, for scale, the official Python SDK's own calls
/// per second against it.
pub fn mock_server(root: &Path) -> Result<()> {
    use tencentcloud_intlpartnersmgt::mock::{self, Checks};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // Signature, clock skew, policies and parameters are checked on every request; the
    // QPS check is off, since the point is how many requests the server can take.
    let server = mock::server()
        .checks(Checks {
            qps: false,
            ..Checks::default()
        })
        .start_blocking()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let client = mock::server_client(&server);
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let signed = client.engine().signed_request(
        "QueryCreditAllocationHistory",
        br#"{"ClientUin": 200000000001, "Page": 1}"#.to_vec(),
        timestamp,
    );
    let mut request = String::from("POST / HTTP/1.1\r\n");
    for (name, value) in &signed.headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n", signed.body.len()));
    let mut request = request.into_bytes();
    request.extend_from_slice(&signed.body);
    let request = std::sync::Arc::new(request);

    let load = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let addr = server.addr();
    for (connections, seconds) in [(16usize, 3u64), (64, 3)] {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let answered = load.block_on(async {
            let tasks: Vec<_> = (0..connections)
                .map(|_| {
                    let request = std::sync::Arc::clone(&request);
                    tokio::spawn(async move {
                        let mut stream = tokio::net::TcpStream::connect(addr).await?;
                        stream.set_nodelay(true)?;
                        let mut buffer = Vec::with_capacity(4096);
                        let mut answered = 0u64;
                        while Instant::now() < deadline {
                            stream.write_all(&request).await?;
                            let body = read_response(&mut stream, &mut buffer).await?;
                            if body.windows(7).any(|w| w == b"\"Error\"") {
                                // Every request is the same: one error means all fail.
                                bail!("the server refused: {}", String::from_utf8_lossy(&body));
                            }
                            answered += 1;
                        }
                        anyhow::Ok(answered)
                    })
                })
                .collect();
            let mut total = 0u64;
            for task in tasks {
                total += task.await??;
            }
            anyhow::Ok(total)
        })?;
        outln!(
            "mock server, {connections} keep-alive connections for {seconds} s: {:.0} signed requests/s answered",
            answered as f64 / seconds as f64
        )?;
    }

    /// Reads one response (head and Content-Length body) from a keep-alive connection.
    async fn read_response(
        stream: &mut tokio::net::TcpStream,
        buffer: &mut Vec<u8>,
    ) -> Result<Vec<u8>> {
        loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&buffer[..end])?.to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .context("a response without Content-Length")?
                    .trim()
                    .parse()?;
                if buffer.len() >= end + 4 + length {
                    let body = buffer[end + 4..end + 4 + length].to_vec();
                    buffer.drain(..end + 4 + length);
                    return Ok(body);
                }
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("the server closed the connection");
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
    }

    // The official SDK, one client calling in a loop, for scale.
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let script = root.join("tests/interop/tencent_sdk.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg("--rate")
        .arg(server.url())
        .arg("500")
        .env("TENCENTCLOUD_SECRET_ID", mock::SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", mock::SECRET_KEY)
        .output();
    match output {
        Ok(output) if output.status.success() => {
            output::text(&format!(
                "official Python SDK against it: {}",
                String::from_utf8_lossy(&output.stdout)
            ))?;
        }
        Ok(output) => outln!(
            "official Python SDK: not measured ({})",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("failed")
        )?,
        Err(err) => outln!("official Python SDK: not measured ({python}: {err})")?,
    }
    Ok(())
}

/// `bench policy`: the linter and the evaluator on large hostile input, at
/// 1,000, 10,000 and 100,000 items (so the growth shows: 10x the input should take about
/// 10x the time). A series stops once one size takes over 30 s; figures, never asserted.
pub fn policy() -> Result<()> {
    type Case = (&'static str, fn(usize) -> Box<dyn Fn()>);
    let cases: [Case; 6] = [
        (
            "lint: N statements, one known action each, IP condition",
            |n| {
                let text = document((0..n).map(|i| {
                let action = Action::all()[i % Action::all().len()].name();
                format!(r#"{{"effect":"allow","action":["{SERVICE}:{action}"],"resource":"*","condition":{{"ip_equal":{{"qcs:ip":["10.0.0.0/8"]}}}}}}"#)
            }));
                Box::new(move || {
                    drop(lint::<Action>(
                        SERVICE,
                        &text,
                        &LintOptions { read_only: true },
                    ))
                })
            },
        ),
        ("lint: one statement, N unknown actions", |n| {
            let actions: Vec<String> = (0..n)
                .map(|i| format!("\"{SERVICE}:QueryPartnerCredit{i}\""))
                .collect();
            let text = document(std::iter::once(format!(
                r#"{{"effect":"allow","action":[{}],"resource":"*"}}"#,
                actions.join(",")
            )));
            Box::new(move || drop(lint::<Action>(SERVICE, &text, &LintOptions::default())))
        }),
        ("lint: N statements, one unknown action each", |n| {
            let text = document((0..n).map(|i| {
                format!(r#"{{"effect":"allow","action":"{SERVICE}:DescribeBillSummary{i}","resource":"*"}}"#)
            }));
            Box::new(move || drop(lint::<Action>(SERVICE, &text, &LintOptions::default())))
        }),
        ("lint: one unknown action of N characters", |n| {
            let text = document(std::iter::once(format!(
                r#"{{"effect":"allow","action":"{SERVICE}:{}","resource":"*"}}"#,
                "Q".repeat(n)
            )));
            Box::new(move || drop(lint::<Action>(SERVICE, &text, &LintOptions::default())))
        }),
        ("lint: one statement, N wildcards", |n| {
            let actions: Vec<String> = (0..n)
                .map(|i| format!("\"{SERVICE}:Query*{i}*\""))
                .collect();
            let text = document(std::iter::once(format!(
                r#"{{"effect":"allow","action":[{}],"resource":"*"}}"#,
                actions.join(",")
            )));
            Box::new(move || drop(lint::<Action>(SERVICE, &text, &LintOptions::default())))
        }),
        (
            "eval: N statements (N-1 not matching, then a conditional deny)",
            |n| {
                let text = document((0..n).map(|i| {
                if i + 1 == n {
                    format!(r#"{{"effect":"deny","action":"{SERVICE}:*","resource":"*","condition":{{"ip_not_equal":{{"qcs:ip":["10.0.0.0/8"]}}}}}}"#)
                } else {
                    format!(r#"{{"effect":"allow","action":["{SERVICE}:Describe*","{SERVICE}:DescribeBillSummary{i}"],"resource":"*"}}"#)
                }
            }));
                let document: serde_json::Value = serde_json::from_str(&text).expect("JSON");
                let policies = vec![statements(&document).expect("a policy")];
                Box::new(move || {
                    let request = Request {
                        action: Action::QueryPartnerCredit,
                        source_ip: Some("::ffff:192.0.2.1".parse().expect("an address")),
                        resource: "*",
                    };
                    drop(evaluate::<Action>(SERVICE, &policies, &request))
                })
            },
        ),
    ];
    for (name, setup) in cases {
        outln!("{name}")?;
        for n in [1_000usize, 10_000, 100_000] {
            let run = setup(n);
            let start = std::time::Instant::now();
            run();
            let took = start.elapsed();
            outln!("  N = {n:>7}: {took:>10.2?}")?;
            if took > std::time::Duration::from_secs(30) {
                outln!("  (larger N skipped: this size took over 30 s)")?;
                break;
            }
        }
    }
    Ok(())
}

/// A policy document of these statements (JSON text each).
fn document(statements: impl Iterator<Item = String>) -> String {
    format!(
        r#"{{"version":"2.0","statement":[{}]}}"#,
        statements.collect::<Vec<_>>().join(",")
    )
}

/// `paging`: DescribeCustomerUin's 20,000 items, 100 a page (200 calls), over the
/// in-process mock (no network, no QPS limits: the figures are the client's own work),
/// scanned by the generated `_pages` paginator and by the loop a user would write without
/// it. The medians of 7 scans each, after one of each to warm up.
fn paging() -> Result<()> {
    use tencentcloud_intlpartnersmgt::{mock, models};

    const ITEMS: usize = 20_000;
    const PAGE: i64 = 100;
    const RUNS: usize = 7;
    let list: Vec<models::DescribeCustomerUinData> = (0..ITEMS)
        .map(|i| {
            let mut item = models::DescribeCustomerUinData::default();
            item.customer_uin = Some(format!("2000{i:08}"));
            item
        })
        .collect();
    let mock = mock::mock()
        .with_rule(mock::describe_customer_uin().items(list).build())
        // Keep only the last calls: the bench is not about the mock's record.
        .with_call_budget(64 * 1024);
    let client = mock::client(&mock);
    let request = models::DescribeCustomerUinRequest::new(models::DescribeCustomerUinRequired {
        page: 1,
        page_size: PAGE,
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let by_hand = || async {
        let mut items = Vec::new();
        let mut page = 1;
        loop {
            let mut request = request.clone();
            request.page = page;
            let response = client.describe_customer_uin(&request).await?;
            let held = response.data.map_or(0, |data| {
                let held = data.len();
                items.extend(data);
                held
            });
            let total: usize = response.total.and_then(|t| t.parse().ok()).unwrap_or(0);
            if held == 0 || items.len() >= total {
                break;
            }
            page += 1;
        }
        Ok::<_, tencentcloud_intlpartnersmgt::Error>(items.len())
    };
    let paginated = || async {
        let items = client
            .describe_customer_uin_pages(request.clone())
            .page_size(PAGE as u64)
            .items()
            .try_collect()
            .await?;
        Ok::<_, tencentcloud_intlpartnersmgt::Error>(items.len())
    };
    let mut hand_times = Vec::new();
    let mut pages_times = Vec::new();
    runtime.block_on(async {
        for run in 0..=RUNS {
            let start = Instant::now();
            let got = by_hand().await?;
            let hand = start.elapsed();
            let start = Instant::now();
            let paged = paginated().await?;
            let pages = start.elapsed();
            if got != ITEMS || paged != ITEMS {
                bail!("a scan got {got} (by hand) and {paged} (paginator) of {ITEMS} items");
            }
            if run > 0 {
                hand_times.push(hand);
                pages_times.push(pages);
            }
        }
        Ok(())
    })?;
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let (hand, pages) = (median(&mut hand_times), median(&mut pages_times));
    let pages_per_scan = ITEMS as f64 / PAGE as f64;
    outln!("paging: {ITEMS} items, {PAGE} a page ({pages_per_scan} calls), in-process mock, medians of {RUNS} scans")?;
    outln!(
        "  hand-written loop  {:>8.2} ms a scan  {:>6.1} µs a page",
        hand.as_secs_f64() * 1e3,
        hand.as_secs_f64() * 1e6 / pages_per_scan
    )?;
    outln!(
        "  paginator (items)  {:>8.2} ms a scan  {:>6.1} µs a page",
        pages.as_secs_f64() * 1e3,
        pages.as_secs_f64() * 1e6 / pages_per_scan
    )?;
    outln!(
        "  paginator / loop   {:>8.3}",
        pages.as_secs_f64() / hand.as_secs_f64()
    )?;
    Ok(())
}
