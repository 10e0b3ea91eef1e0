//! QPS limits shared through a real Redis (`RedisBudget`): several OS processes with many
//! tasks each keep to one documented limit, as our mock server (which enforces the limit
//! per SecretId) judges; without the shared budget the same fleet is refused. Redis
//! killed, restarted, paused; keys expiring; bad settings. Each test starts its own
//! `redis-server` on a free loopback port and stops it at the end; without
//! `redis-server` installed the tests fail, saying how to install it.
//!
//! The worker processes are this test program run again with `fleet_worker_process` as
//! the only test and its orders in `PARTNERGEN_BUDGET_WORKER`.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use partnergen_tests::redis::RedisServer;
use tencentcloud_intlpartnersmgt::mock;
use tencentcloud_intlpartnersmgt::{
    models, Action, BudgetError, Client, Credentials, Error, ErrorKind, OnUnavailable, RedisBudget,
    RetryPolicy,
};

const KEY_ID: &str = "AKIDfleet";
const SECRET: &str = "fleet-secret-key";
/// A read action documented at 20 requests per second.
const ACTION: Action = Action::GetTradeConfigList;
const WORKER_ENV: &str = "PARTNERGEN_BUDGET_WORKER";

/// A `redis-server` of this test's own (see `partnergen_tests::redis`); a test fails,
/// saying how to install it, when there is none.
fn redis_server(extra: &[&str]) -> RedisServer {
    RedisServer::start_with(extra).unwrap_or_else(|err| panic!("{err}"))
}

async fn judge() -> mock::Server {
    mock::server()
        .credentials(Credentials::new(KEY_ID, SECRET))
        .start()
        .await
        .unwrap()
}

fn client(server: &mock::Server, budget: Option<Arc<RedisBudget>>) -> Client {
    let builder = Client::builder()
        .credentials(Credentials::new(KEY_ID, SECRET))
        .endpoint(server.url())
        .retry_policy(RetryPolicy::disabled());
    match budget {
        Some(budget) => builder.shared_rate_limits(budget),
        None => builder,
    }
    .build()
    .unwrap()
}

async fn call(client: &Client) -> Result<(), Error> {
    client
        .get_trade_config_list(&models::GetTradeConfigListRequest::new())
        .await
        .map(drop)
}

/// Requests of `ACTION` the server saw, and how many it refused for QPS.
fn seen(server: &mock::Server) -> (usize, usize) {
    let log = server.log();
    let ours = log
        .iter()
        .filter(|e| e.action.as_deref() == Some(ACTION.info().name));
    let all = ours.clone().count();
    (all, ours.filter(|e| e.decided_by == "qps").count())
}

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// The orders of one worker process.
struct Orders {
    endpoint: String,
    /// Empty: no shared budget.
    redis: String,
    namespace: String,
    tasks: usize,
    /// When all workers start and stop, Unix milliseconds.
    start_ms: u64,
    stop_ms: u64,
}

impl Orders {
    fn encode(&self) -> String {
        format!(
            "{} {} {} {} {} {}",
            self.endpoint,
            if self.redis.is_empty() {
                "-"
            } else {
                &self.redis
            },
            self.namespace,
            self.tasks,
            self.start_ms,
            self.stop_ms
        )
    }

    fn decode(text: &str) -> Orders {
        let parts: Vec<&str> = text.split(' ').collect();
        Orders {
            endpoint: parts[0].to_owned(),
            redis: if parts[1] == "-" {
                String::new()
            } else {
                parts[1].to_owned()
            },
            namespace: parts[2].to_owned(),
            tasks: parts[3].parse().unwrap(),
            start_ms: parts[4].parse().unwrap(),
            stop_ms: parts[5].parse().unwrap(),
        }
    }
}

/// What a worker process did.
#[derive(Debug, Default)]
struct Tally {
    ok: usize,
    limited: usize,
    other: usize,
}

/// Not a test of its own: the body of a worker process, which `fleet` runs with
/// `--ignored` (so a plain run lists it as ignored, not as a test that passed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the body of a worker process that `fleet` starts; not a test of its own"]
async fn fleet_worker_process() {
    let orders = std::env::var(WORKER_ENV)
        .expect("run by `fleet`, which passes the worker's orders in the environment");
    let orders = Orders::decode(&orders);
    let mut builder = Client::builder()
        .credentials(Credentials::new(KEY_ID, SECRET))
        .endpoint(&orders.endpoint)
        .retry_policy(RetryPolicy::disabled());
    if !orders.redis.is_empty() {
        builder =
            builder.shared_rate_limits(RedisBudget::new(&orders.redis, &orders.namespace).unwrap());
    }
    let client = builder.build().unwrap();
    let wait = orders.start_ms.saturating_sub(unix_millis());
    tokio::time::sleep(Duration::from_millis(wait)).await;
    let tasks: Vec<_> = (0..orders.tasks)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut tally = Tally::default();
                let mut first_other = None;
                while unix_millis() < orders.stop_ms {
                    match call(&client).await {
                        Ok(()) => tally.ok += 1,
                        Err(e) if e.kind() == Some(ErrorKind::RequestLimitExceeded) => {
                            tally.limited += 1
                        }
                        Err(e) => {
                            tally.other += 1;
                            first_other.get_or_insert(e.to_string());
                        }
                    }
                }
                (tally, first_other)
            })
        })
        .collect();
    let mut total = Tally::default();
    for task in tasks {
        let (tally, other) = task.await.unwrap();
        total.ok += tally.ok;
        total.limited += tally.limited;
        total.other += tally.other;
        if let Some(other) = other {
            eprintln!("worker error: {other}");
        }
    }
    println!(
        "WORKER ok={} limited={} other={}",
        total.ok, total.limited, total.other
    );
}

/// Runs `processes` worker processes of `tasks` tasks each for `seconds` against the
/// server, sharing `redis` (or not, when empty); their tallies summed.
fn fleet(
    server: &mock::Server,
    redis: &str,
    processes: usize,
    tasks: usize,
    seconds: u64,
) -> Tally {
    let start_ms = unix_millis() + 1500;
    let orders = Orders {
        endpoint: server.url(),
        redis: redis.to_owned(),
        namespace: "fleet-test".into(),
        tasks,
        start_ms,
        stop_ms: start_ms + seconds * 1000,
    };
    let me: PathBuf = std::env::current_exe().unwrap();
    let workers: Vec<Child> = (0..processes)
        .map(|_| {
            Command::new(&me)
                .args([
                    "fleet_worker_process",
                    "--exact",
                    "--ignored",
                    "--nocapture",
                    "--test-threads",
                    "1",
                ])
                .env(WORKER_ENV, orders.encode())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut total = Tally::default();
    for worker in workers {
        let output = worker.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "worker failed: {stdout}\n{stderr}");
        let line = stdout
            .lines()
            .find_map(|l| l.split_once("WORKER ").map(|(_, tally)| tally))
            .unwrap_or_else(|| panic!("no tally from a worker: {stdout}\n{stderr}"));
        let field = |name: &str| -> usize {
            line.split(' ')
                .find_map(|f| f.strip_prefix(&format!("{name}=")))
                .unwrap()
                .parse()
                .unwrap()
        };
        total.ok += field("ok");
        total.limited += field("limited");
        total.other += field("other");
        assert!(!stderr.contains("worker error"), "{stderr}");
    }
    total
}

/// Answered requests per whole second of the server's log (its own clock).
fn answered_per_second(server: &mock::Server) -> BTreeMap<u64, usize> {
    let mut windows = BTreeMap::new();
    for entry in server.log() {
        if entry.action.as_deref() == Some(ACTION.info().name) && entry.error_code.is_none() {
            *windows.entry(entry.time).or_insert(0) += 1;
        }
    }
    windows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_and_tasks_share_one_budget_and_the_service_refuses_none() {
    let redis = redis_server(&[]);
    let server = judge().await;
    let limit = ACTION.info().qps.get() as usize;
    let tally = tokio::task::block_in_place(|| fleet(&server, &redis.url(), 3, 8, 4));
    let windows = answered_per_second(&server);
    let (sent, refused) = seen(&server);
    eprintln!("shared: {tally:?}; windows {windows:?}");
    assert_eq!(
        (tally.limited, tally.other, refused),
        (0, 0, 0),
        "{tally:?}"
    );
    assert_eq!(tally.ok, sent);
    let busiest = windows.values().copied().max().unwrap();
    assert!(
        busiest <= limit,
        "a second with {busiest} > {limit}: {windows:?}"
    );
    // Close to the limit: the whole seconds between the first and the last.
    let inner: Vec<usize> = windows.values().copied().skip(1).collect();
    let inner = &inner[..inner.len().saturating_sub(1)];
    assert!(inner.len() >= 2, "{windows:?}");
    let mean = inner.iter().sum::<usize>() as f64 / inner.len() as f64;
    assert!(
        mean >= 0.8 * limit as f64,
        "{mean} a second, limit {limit}: {windows:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_fleet_without_the_shared_budget_is_refused() {
    let server = judge().await;
    let tally = tokio::task::block_in_place(|| fleet(&server, "", 3, 8, 2));
    let (_, refused) = seen(&server);
    eprintln!("unshared: {tally:?}");
    assert!(tally.limited > 0, "{tally:?}");
    assert_eq!(tally.limited, refused);
}

fn expect_budget_error(result: Result<(), Error>) -> BudgetError {
    match result {
        Err(Error::RateBudget { action, error }) => {
            assert_eq!(action, ACTION.info().name);
            error
        }
        other => panic!("expected a budget error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_under_the_wait_policy_is_a_typed_error_then_sharing_resumes() {
    let mut redis = redis_server(&[]);
    let server = judge().await;
    let budget = Arc::new(
        RedisBudget::new(&redis.url(), "wait")
            .unwrap()
            .timeout(Duration::from_millis(200))
            .on_unavailable(OnUnavailable::Wait(Duration::from_millis(500))),
    );
    let client = client(&server, Some(Arc::clone(&budget)));
    call(&client).await.unwrap();
    redis.kill();
    let before = seen(&server).0;
    let started = Instant::now();
    let error = expect_budget_error(call(&client).await);
    assert!(
        matches!(error, BudgetError::Unavailable { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("nothing was sent"), "{error}");
    // Bounded: the policy's 500 ms and one try's 200 ms, with room for a busy machine.
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(seen(&server).0, before, "a request went out unpaced");
    let status = budget.status();
    assert!(
        !status.shared && status.outages == 1 && status.unavailable_errors >= 1,
        "{status:?}"
    );
    redis.restart().unwrap();
    let mut tries = 0;
    while let Err(err) = call(&client).await {
        tries += 1;
        assert!(tries < 20, "sharing did not resume: {err}");
    }
    let status = budget.status();
    assert!(status.shared, "{status:?}");
    assert_eq!(status.outages, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_under_local_share_falls_back_to_limit_over_n_then_shares_again() {
    let mut redis = redis_server(&[]);
    let server = judge().await;
    let budget = Arc::new(
        RedisBudget::new(&redis.url(), "local")
            .unwrap()
            .timeout(Duration::from_millis(200))
            .on_unavailable(OnUnavailable::LocalShare {
                fleet_size: 4.try_into().unwrap(),
            }),
    );
    let client = client(&server, Some(Arc::clone(&budget)));
    call(&client).await.unwrap();
    redis.kill();
    // 20/s over a fleet of 4: 5/s here, one start every 202 ms.
    let started = Instant::now();
    for _ in 0..6 {
        call(&client).await.unwrap();
    }
    let elapsed = started.elapsed();
    let status = budget.status();
    assert!(!status.shared && status.outages == 1, "{status:?}");
    assert!(status.local_starts >= 5, "{status:?}");
    assert!(status.last_failure.is_some(), "{status:?}");
    assert!(
        elapsed >= Duration::from_millis(5 * 200),
        "6 local starts in {elapsed:?}: faster than limit/4"
    );
    redis.restart().unwrap();
    let shared_before = status.shared_starts;
    let deadline = Instant::now() + Duration::from_secs(10);
    while budget.status().shared_starts == shared_before {
        assert!(
            Instant::now() < deadline,
            "sharing did not resume: {:?}",
            budget.status()
        );
        call(&client).await.unwrap();
    }
    assert!(budget.status().shared);
    assert_eq!(seen(&server).1, 0, "the service refused some");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_redis_hits_the_timeout_then_answers_again() {
    let redis = redis_server(&[]);
    let server = judge().await;
    let budget = Arc::new(
        RedisBudget::new(&redis.url(), "slow")
            .unwrap()
            .timeout(Duration::from_millis(200))
            .on_unavailable(OnUnavailable::Wait(Duration::from_millis(300))),
    );
    let client = client(&server, Some(Arc::clone(&budget)));
    call(&client).await.unwrap();
    redis.signal("-STOP").unwrap();
    let error = expect_budget_error(call(&client).await);
    redis.signal("-CONT").unwrap();
    match &error {
        BudgetError::Unavailable { cause, .. } => {
            assert!(
                cause.contains("no answer within") || cause.contains("timed out"),
                "{cause}"
            )
        }
        other => panic!("{other:?}"),
    }
    let mut tries = 0;
    while let Err(err) = call(&client).await {
        tries += 1;
        assert!(tries < 20, "no recovery after SIGCONT: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_expire_when_idle() {
    let redis = redis_server(&[]);
    let server = judge().await;
    let budget = Arc::new(RedisBudget::new(&redis.url(), "ttl").unwrap());
    let client = client(&server, Some(budget));
    for _ in 0..3 {
        call(&client).await.unwrap();
    }
    let keys = redis.cli(&["--scan", "--pattern", "ttl:*"]).unwrap();
    assert_eq!(keys, "ttl:qps:intlpartnersmgt:AKIDfleet:GetTradeConfigList");
    let ttl: i64 = redis.cli(&["PTTL", &keys]).unwrap().parse().unwrap();
    assert!(ttl > 0 && ttl <= 2200, "PTTL {ttl}");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(redis.cli(&["DBSIZE"]).unwrap(), "0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_refuses_auth_is_a_clear_error_at_once() {
    let redis = redis_server(&["--requirepass", "right-password"]);
    let server = judge().await;
    for (url, needle) in [
        (redis.url(), "NOAUTH"),
        (
            format!("redis://:wrong-password@127.0.0.1:{}", redis.port()),
            "",
        ),
    ] {
        let budget = Arc::new(
            RedisBudget::new(&url, "auth")
                .unwrap()
                .on_unavailable(OnUnavailable::Wait(Duration::from_secs(30))),
        );
        let client = client(&server, Some(budget));
        let started = Instant::now();
        let error = expect_budget_error(call(&client).await);
        let text = error.to_string();
        // Refused, not waited for: the 30 s bound is for an unreachable Redis.
        assert!(
            matches!(error, BudgetError::Refused { .. }),
            "{url}: {error:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(10), "{url}: waited");
        assert!(text.contains(needle), "{text}");
        assert!(!text.contains("wrong-password"), "{text}");
    }
    assert_eq!(seen(&server).0, 0, "a request went out unpaced");
    let right = format!("redis://:right-password@127.0.0.1:{}", redis.port());
    let client = client(
        &server,
        Some(Arc::new(RedisBudget::new(&right, "auth").unwrap())),
    );
    call(&client).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_listening_is_unavailable_within_the_bound() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = judge().await;
    let budget = RedisBudget::new(&format!("redis://127.0.0.1:{port}"), "none")
        .unwrap()
        .on_unavailable(OnUnavailable::Wait(Duration::from_millis(300)));
    let client = client(&server, Some(Arc::new(budget)));
    let error = expect_budget_error(call(&client).await);
    assert!(
        matches!(error, BudgetError::Unavailable { .. }),
        "{error:?}"
    );
    assert_eq!(seen(&server).0, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_beyond_the_cap_books_nothing_and_says_so() {
    let redis = redis_server(&[]);
    let server = judge().await;
    let budget = RedisBudget::new(&redis.url(), "cap")
        .unwrap()
        .max_wait(Duration::from_millis(100));
    let client = Client::builder()
        .credentials(Credentials::new(KEY_ID, SECRET))
        .endpoint(server.url())
        .rate_limit(ACTION, Some(1))
        .shared_rate_limits(budget)
        .build()
        .unwrap();
    call(&client).await.unwrap();
    let error = expect_budget_error(call(&client).await);
    assert!(matches!(error, BudgetError::QueueFull { .. }), "{error:?}");
    assert!(
        error.to_string().contains("beyond the cap of 100 ms"),
        "{error}"
    );
    assert_eq!(seen(&server).0, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurdly_high_limit_still_goes_through_the_budget() {
    let redis = redis_server(&[]);
    let server = judge().await;
    let budget = Arc::new(RedisBudget::new(&redis.url(), "high").unwrap());
    let client = Client::builder()
        .credentials(Credentials::new(KEY_ID, SECRET))
        .endpoint(server.url())
        .retry_policy(RetryPolicy::disabled())
        .rate_limit(ACTION, Some(u32::MAX))
        .shared_rate_limits(Arc::clone(&budget))
        .build()
        .unwrap();
    for _ in 0..3 {
        call(&client).await.unwrap();
    }
    assert_eq!(budget.status().shared_starts, 3);
    assert_eq!(redis.cli(&["DBSIZE"]).unwrap(), "1");
}

#[test]
fn a_limit_of_zero_or_shared_limits_switched_off_fail_the_build() {
    let zero = Client::builder()
        .credentials(Credentials::new(KEY_ID, SECRET))
        .rate_limit(ACTION, Some(0))
        .build()
        .map(drop)
        .unwrap_err();
    assert!(
        zero.to_string()
            .contains("rate_limit(GetTradeConfigList, Some(0))"),
        "{zero}"
    );
    let budget = RedisBudget::new("redis://127.0.0.1:1", "off").unwrap();
    let off = Client::builder()
        .credentials(Credentials::new(KEY_ID, SECRET))
        .shared_rate_limits(budget)
        .without_rate_limits()
        .build()
        .map(drop)
        .unwrap_err();
    assert!(off.to_string().contains("nothing to share"), "{off}");
}

#[test]
fn bad_urls_and_namespaces_are_errors_naming_the_setting() {
    for (url, namespace, needle) in [
        ("http://127.0.0.1:6379", "ns", "invalid Redis URL"),
        ("not a url", "ns", "invalid Redis URL"),
        (
            "redis://:hunter2@127.0.0.1:6379",
            "a b",
            "invalid namespace",
        ),
        ("redis://127.0.0.1:6379", "fleet{1}", "invalid namespace"),
        ("redis://127.0.0.1:6379", "", "invalid namespace"),
    ] {
        let error = RedisBudget::new(url, namespace).unwrap_err();
        let text = error.to_string();
        assert!(text.contains(needle), "{url} {namespace}: {text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}
