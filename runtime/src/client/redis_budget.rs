//! The shared QPS budget in Redis: GCRA in one Lua script per acquire, on the Redis
//! server's clock.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::budget::{BudgetError, BudgetFuture, BudgetKey, SharedBudget};

/// One reservation, atomically: read the key's theoretical arrival time (TAT, µs on the
/// server's clock), book the next slot at `max(TAT, now)`, store `slot + interval` with a
/// TTL of the time it covers plus a second, and return the wait until the slot. A wait
/// beyond the cap books nothing. The server's `TIME` is the only clock, so the workers'
/// clocks never meet. Microseconds since the epoch (about 2^51) are exact in Lua's doubles,
/// and are written with `%.0f` (Lua's `tostring` would round them to 14 digits).
const GCRA_SCRIPT: &str = r"
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local wait = tat - now
if wait > cap then return {0, wait} end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', next_tat),
  'PX', math.ceil((next_tat - now) / 1000) + 1000)
return {1, wait}
";

/// What a [`RedisBudget`] does when Redis cannot be reached or answers too slowly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnUnavailable {
    /// Keep trying for this long (each try bounded by the budget's `timeout`; at least
    /// one try), then fail the attempt with [`BudgetError::Unavailable`]: nothing is sent
    /// unpaced. The default, for 5 s: the safe choice, the limit is never exceeded.
    Wait(Duration),
    /// Go on at a local limit of `limit / fleet_size` per process (`fleet_size`: how many
    /// processes share the budget, at most), so the fleet as a whole stays within the
    /// limit while Redis is down. A limit smaller than the fleet becomes one start every
    /// `fleet_size / limit` seconds per process (5/s over 8 processes: one every 1.6 s), never
    /// less than the share and never 0. Redis is tried again at most once a second; when it
    /// answers, sharing resumes.
    LocalShare {
        /// How many processes share the budget.
        fleet_size: NonZeroU32,
    },
}

/// What a [`RedisBudget`] has been doing, for metrics: [`RedisBudget::status`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BudgetStatus {
    /// Whether the last acquire was served by Redis (`false` while Redis is unavailable).
    pub shared: bool,
    /// Acquires served by Redis.
    pub shared_starts: u64,
    /// Acquires served by the local fallback ([`OnUnavailable::LocalShare`]).
    pub local_starts: u64,
    /// Times Redis became unavailable (each outage counted and logged once).
    pub outages: u64,
    /// Acquires failed for want of Redis ([`BudgetError::Unavailable`]).
    pub unavailable_errors: u64,
    /// The last failure to reach Redis, if any.
    pub last_failure: Option<String>,
}

/// A QPS budget shared through Redis by every process that names the same Redis, the same
/// namespace and the same key (service, access key ID, action): the documented limit holds
/// across the fleet. Give it to the builder's
/// [`shared_rate_limits`](super::Builder::shared_rate_limits).
///
/// Each acquire is one round trip (`EVALSHA` of a GCRA script, loaded on `NOSCRIPT`):
/// the script books the next free slot on the Redis server's clock and returns the wait,
/// which the caller sleeps on its own (monotonic) clock; nothing polls. A clock jump on
/// one worker changes nothing: the workers' clocks are never compared (only the length of
/// each wait is measured locally). Starts are one `1.01 s / limit` apart (no burst; 1% for
/// jitter between the grant and the request reaching the service), the same pacing as the
/// in-process limits. Keys expire one second after their last booked slot, so idle
/// budgets leave nothing in Redis. A wait beyond [`max_wait`](Self::max_wait) books
/// nothing and fails with [`BudgetError::QueueFull`]: the queue never grows without
/// bound. A caller that gives up (drops the call) while waiting leaves its slot unused: it
/// costs capacity, never exceeds the limit.
///
/// Connections: one multiplexed connection per budget (share one budget among clients
/// with an `Arc`), made at the first acquire, remade after Redis restarts.
pub struct RedisBudget {
    client: redis::Client,
    shown_url: String,
    namespace: String,
    policy: OnUnavailable,
    timeout: Duration,
    max_wait: Duration,
    script: redis::Script,
    connection: tokio::sync::Mutex<Option<ConnectionManager>>,
    /// The local fallback's limiters, by key and limit; emptied when sharing resumes.
    local: Mutex<HashMap<(String, u32), Arc<DefaultDirectRateLimiter>>>,
    degraded: AtomicBool,
    last_probe: Mutex<Option<Instant>>,
    last_failure: Mutex<Option<String>>,
    shared_starts: AtomicU64,
    local_starts: AtomicU64,
    outages: AtomicU64,
    unavailable_errors: AtomicU64,
}

/// The default bound of [`OnUnavailable::Wait`].
const DEFAULT_WAIT: Duration = Duration::from_secs(5);
/// The default [`RedisBudget::timeout`].
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
/// The default [`RedisBudget::max_wait`].
const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(60);
/// Between two tries of an unavailable Redis, under [`OnUnavailable::Wait`].
const RETRY_PAUSE: Duration = Duration::from_millis(100);
/// Between two probes of an unavailable Redis, under [`OnUnavailable::LocalShare`].
const PROBE_INTERVAL: Duration = Duration::from_secs(1);
/// The local fallback keeps at most this many limiters (keys × limits); past it, it
/// starts afresh (a limiter is only pacing state: a fresh one allows one start at once).
const MAX_LOCAL_LIMITERS: usize = 10_000;
/// The longest namespace.
const MAX_NAMESPACE: usize = 64;

enum Failure {
    /// Redis could not be reached: the failure policy applies.
    Unavailable(String),
    /// Redis did not answer within this time: the failure policy applies.
    NoAnswer(Duration),
    /// Redis answered with an error.
    Refused(String),
    QueueFull(Duration),
}

impl RedisBudget {
    /// A budget in the Redis at `url` (`redis://[[user]:password@]host[:port][/db]`, or
    /// `redis+unix:///path`), its keys under `namespace` (1 to 64 characters of ASCII
    /// letters, digits and `_ - . :`; any other character is refused, not escaped, so two
    /// spellings never name one budget). The URL is checked here; nothing connects until
    /// the first acquire. Errors name the setting and never show a password.
    pub fn new(url: &str, namespace: &str) -> Result<RedisBudget, BudgetError> {
        let shown_url = redact(url);
        let client = redis::Client::open(url).map_err(|err| BudgetError::InvalidSetting {
            setting: "Redis URL",
            message: format!("`{shown_url}`: {}", redact_text(&err.to_string(), url)),
        })?;
        check_namespace(namespace)?;
        Ok(RedisBudget {
            client,
            shown_url,
            namespace: namespace.to_owned(),
            policy: OnUnavailable::Wait(DEFAULT_WAIT),
            timeout: DEFAULT_TIMEOUT,
            max_wait: DEFAULT_MAX_WAIT,
            script: redis::Script::new(GCRA_SCRIPT),
            connection: tokio::sync::Mutex::new(None),
            local: Mutex::new(HashMap::new()),
            degraded: AtomicBool::new(false),
            last_probe: Mutex::new(None),
            last_failure: Mutex::new(None),
            shared_starts: AtomicU64::new(0),
            local_starts: AtomicU64::new(0),
            outages: AtomicU64::new(0),
            unavailable_errors: AtomicU64::new(0),
        })
    }

    /// What to do when Redis is unavailable (default: [`OnUnavailable::Wait`] for 5 s).
    pub fn on_unavailable(mut self, policy: OnUnavailable) -> Self {
        self.policy = policy;
        self
    }

    /// The longest one round trip to Redis may take, connecting included (default 1 s);
    /// a slower answer counts as Redis unavailable.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest wait a caller may be given (default 60 s): a budget booked further
    /// ahead (more callers queued than the limit serves in that time) fails the acquire
    /// with [`BudgetError::QueueFull`] and books nothing.
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// What it has been doing: shared or local, counts of each, outages.
    pub fn status(&self) -> BudgetStatus {
        BudgetStatus {
            shared: !self.degraded.load(Ordering::Relaxed),
            shared_starts: self.shared_starts.load(Ordering::Relaxed),
            local_starts: self.local_starts.load(Ordering::Relaxed),
            outages: self.outages.load(Ordering::Relaxed),
            unavailable_errors: self.unavailable_errors.load(Ordering::Relaxed),
            last_failure: lock(&self.last_failure).clone(),
        }
    }

    /// The Redis key of a budget: the namespace, then the key's parts, each escaped so
    /// that no part can reach into the next.
    pub(crate) fn redis_key(&self, key: &BudgetKey<'_>) -> String {
        format!(
            "{}:qps:{}:{}:{}",
            self.namespace,
            escape(key.service),
            escape(key.access_key_id),
            escape(key.action)
        )
    }

    async fn acquire_key(&self, key: &BudgetKey<'_>, qps: NonZeroU32) -> Result<(), BudgetError> {
        let redis_key = self.redis_key(key);
        // 1.01 s / limit, in µs, at least 1 µs: an absurdly high limit stays a limit.
        let interval_us = (1_010_000 / u64::from(qps.get())).max(1);
        match self.policy {
            OnUnavailable::Wait(bound) => {
                let started = Instant::now();
                let mut cause = None;
                loop {
                    let remaining = bound.saturating_sub(started.elapsed());
                    let try_for = if started.elapsed().is_zero() {
                        self.timeout
                    } else {
                        self.timeout.min(remaining)
                    };
                    match self.reserve(&redis_key, interval_us, try_for).await {
                        Ok(wait) => return self.start_after(wait).await,
                        Err(Failure::Unavailable(now)) => cause = Some(now),
                        // A last try cut short by the bound says nothing about Redis: it
                        // does not hide why the tries before it failed.
                        Err(Failure::NoAnswer(_)) if try_for < self.timeout && cause.is_some() => {}
                        Err(Failure::NoAnswer(after)) => cause = Some(no_answer(after)),
                        Err(other) => return Err(self.refused(other)),
                    }
                    let cause = cause.clone().unwrap_or_default();
                    self.note_unavailable(&cause, "waiting for it (the Wait policy)");
                    let waited = started.elapsed();
                    if waited >= bound {
                        self.unavailable_errors.fetch_add(1, Ordering::Relaxed);
                        return Err(BudgetError::Unavailable { waited, cause });
                    }
                    tokio::time::sleep(RETRY_PAUSE.min(bound - waited)).await;
                }
            }
            OnUnavailable::LocalShare { fleet_size } => {
                if self.degraded.load(Ordering::Relaxed) && !self.probe_due() {
                    return self.start_locally(&redis_key, qps, fleet_size).await;
                }
                match self.reserve(&redis_key, interval_us, self.timeout).await {
                    Ok(wait) => self.start_after(wait).await,
                    Err(Failure::NoAnswer(after)) => {
                        let cause = no_answer(after);
                        self.fall_back(&cause, &redis_key, qps, fleet_size).await
                    }
                    Err(Failure::Unavailable(cause)) => {
                        self.fall_back(&cause, &redis_key, qps, fleet_size).await
                    }
                    Err(other) => Err(self.refused(other)),
                }
            }
        }
    }

    /// Redis is unavailable under [`OnUnavailable::LocalShare`]: a local start.
    async fn fall_back(
        &self,
        cause: &str,
        redis_key: &str,
        qps: NonZeroU32,
        fleet_size: NonZeroU32,
    ) -> Result<(), BudgetError> {
        self.note_unavailable(
            cause,
            &format!(
                "falling back to a local limit of limit/{fleet_size} per process (the \
                 LocalShare policy)"
            ),
        );
        self.start_locally(redis_key, qps, fleet_size).await
    }

    fn refused(&self, failure: Failure) -> BudgetError {
        match failure {
            Failure::QueueFull(wait) => BudgetError::QueueFull {
                wait,
                cap: self.max_wait,
            },
            Failure::Refused(message) | Failure::Unavailable(message) => {
                BudgetError::Refused { message }
            }
            Failure::NoAnswer(after) => BudgetError::Refused {
                message: no_answer(after),
            },
        }
    }

    /// Redis answered with a slot `wait` ahead: sharing works (again).
    async fn start_after(&self, wait: Duration) -> Result<(), BudgetError> {
        if self.degraded.swap(false, Ordering::Relaxed) {
            tracing::info!(
                redis = self.shown_url.as_str(),
                "shared rate limits: Redis answers again; the budget is shared again"
            );
            lock(&self.local).clear();
        }
        self.shared_starts.fetch_add(1, Ordering::Relaxed);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        Ok(())
    }

    /// Whether a degraded budget should try Redis now (at most once a second).
    fn probe_due(&self) -> bool {
        let mut last = lock(&self.last_probe);
        let now = Instant::now();
        match *last {
            Some(at) if now.duration_since(at) < PROBE_INTERVAL => false,
            _ => {
                *last = Some(now);
                true
            }
        }
    }

    /// Counts and logs an outage once, as the budget stops being shared.
    fn note_unavailable(&self, cause: &str, doing: &str) {
        *lock(&self.last_failure) = Some(cause.to_owned());
        *lock(&self.last_probe) = Some(Instant::now());
        if !self.degraded.swap(true, Ordering::Relaxed) {
            self.outages.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                redis = self.shown_url.as_str(),
                cause,
                "shared rate limits: Redis is unavailable; {doing}"
            );
        }
    }

    async fn start_locally(
        &self,
        redis_key: &str,
        qps: NonZeroU32,
        fleet_size: NonZeroU32,
    ) -> Result<(), BudgetError> {
        let limiter = {
            let mut local = lock(&self.local);
            if local.len() >= MAX_LOCAL_LIMITERS {
                local.clear();
            }
            Arc::clone(
                local
                    .entry((redis_key.to_owned(), qps.get()))
                    .or_insert_with(|| Arc::new(local_limiter(qps, fleet_size))),
            )
        };
        limiter.until_ready().await;
        self.local_starts.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// One round trip: books a slot, or says why not.
    async fn reserve(
        &self,
        redis_key: &str,
        interval_us: u64,
        timeout: Duration,
    ) -> Result<Duration, Failure> {
        let cap_us = u64::try_from(self.max_wait.as_micros()).unwrap_or(u64::MAX);
        let round_trip = async {
            let mut connection = self.connection().await?;
            let result: redis::RedisResult<(i64, i64)> = self
                .script
                .key(redis_key)
                .arg(interval_us)
                .arg(cap_us)
                .invoke_async(&mut connection)
                .await;
            if result.as_ref().is_err_and(|err| !unavailable(err)) {
                // A connection refused by the server (authentication) stays refused:
                // the next acquire makes a new one, in case it was fixed.
                *self.connection.lock().await = None;
            }
            result
        };
        let answer = match tokio::time::timeout(timeout, round_trip).await {
            Err(_) => return Err(Failure::NoAnswer(timeout)),
            Ok(Err(err)) if unavailable(&err) => return Err(Failure::Unavailable(err.to_string())),
            Ok(Err(err)) => return Err(Failure::Refused(err.to_string())),
            Ok(Ok(answer)) => answer,
        };
        let wait = Duration::from_micros(u64::try_from(answer.1).unwrap_or(0));
        match answer.0 {
            1 => Ok(wait),
            _ => Err(Failure::QueueFull(wait)),
        }
    }

    async fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = &*slot {
            return Ok(connection.clone());
        }
        // Few, quick reconnection tries: the failure policy does the waiting.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(20))
            .set_max_delay(Duration::from_millis(200));
        let connection = ConnectionManager::new_lazy_with_config(self.client.clone(), config)?;
        *slot = Some(connection.clone());
        Ok(connection)
    }
}

impl SharedBudget for RedisBudget {
    fn acquire<'a>(&'a self, key: &'a BudgetKey<'a>, qps: NonZeroU32) -> BudgetFuture<'a> {
        Box::pin(self.acquire_key(key, qps))
    }
}

impl fmt::Debug for RedisBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBudget")
            .field("url", &self.shown_url)
            .field("namespace", &self.namespace)
            .field("on_unavailable", &self.policy)
            .field("timeout", &self.timeout)
            .field("max_wait", &self.max_wait)
            .finish_non_exhaustive()
    }
}

fn no_answer(after: Duration) -> String {
    format!("no answer within {} ms", after.as_millis())
}

/// Whether a Redis error is one of reaching it (the failure policy applies) rather than
/// an answer (authentication refused, a script error: waiting does not cure those).
fn unavailable(err: &redis::RedisError) -> bool {
    use redis::{ErrorKind, ServerErrorKind};
    err.is_io_error()
        || err.is_timeout()
        || err.is_connection_dropped()
        || err.is_connection_refusal()
        || matches!(
            err.kind(),
            ErrorKind::Server(
                ServerErrorKind::BusyLoading
                    | ServerErrorKind::TryAgain
                    | ServerErrorKind::ClusterDown
                    | ServerErrorKind::MasterDown
            )
        )
}

/// The fallback's limiter: `qps / fleet_size` per second, as one start per period
/// (1% longer, as the in-process limits), so a limit below the fleet size still allows
/// a start every `fleet_size / qps` seconds.
fn local_limiter(qps: NonZeroU32, fleet_size: NonZeroU32) -> DefaultDirectRateLimiter {
    let period = Duration::from_secs(1)
        .mul_f64(f64::from(fleet_size.get()) / f64::from(qps.get()))
        .mul_f64(1.01)
        .max(Duration::from_nanos(1));
    RateLimiter::direct(Quota::with_period(period).expect("a positive period"))
}

fn check_namespace(namespace: &str) -> Result<(), BudgetError> {
    let invalid = |message: String| BudgetError::InvalidSetting {
        setting: "namespace",
        message,
    };
    if namespace.is_empty() {
        return Err(invalid(
            "empty; name the fleet's budget, e.g. `partnergen`".into(),
        ));
    }
    if namespace.chars().count() > MAX_NAMESPACE {
        return Err(invalid(format!("longer than {MAX_NAMESPACE} characters")));
    }
    if let Some(bad) = namespace
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
    {
        return Err(invalid(format!(
            "`{}` has {bad:?}; use ASCII letters, digits and `_ - . :`",
            namespace.escape_default()
        )));
    }
    Ok(())
}

/// A key part with every byte outside `[A-Za-z0-9_.-]` percent-encoded (`:` among them,
/// so parts never run into each other).
fn escape(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for byte in part.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The URL without its password (`redis://user:***@host`).
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.chars().take(200).collect();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let shown = match rest[..authority_end].rfind('@') {
        Some(at) => {
            let user = rest[..at].split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{}", &rest[at + 1..])
        }
        None => url.to_owned(),
    };
    shown.chars().take(200).collect()
}

/// An error text with any copy of the URL's password removed.
fn redact_text(text: &str, url: &str) -> String {
    let password = url
        .split_once("://")
        .map(|(_, rest)| &rest[..rest.find('/').unwrap_or(rest.len())])
        .and_then(|authority| authority.rsplit_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, password)| password)
        .filter(|password| !password.is_empty());
    match password {
        Some(password) => text.replace(password, "***"),
        None => text.to_owned(),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_with_odd_characters_are_refused_naming_the_character() {
        for bad in ["", "a b", "fleet/1", "ns\n", "é", "a{b}", "x*"] {
            let err = RedisBudget::new("redis://127.0.0.1:1", bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    BudgetError::InvalidSetting {
                        setting: "namespace",
                        ..
                    }
                ),
                "{bad:?}: {err}"
            );
        }
        let long = "n".repeat(65);
        assert!(RedisBudget::new("redis://127.0.0.1:1", &long).is_err());
        for good in ["partnergen", "fleet-1.prod:eu", "A_b"] {
            RedisBudget::new("redis://127.0.0.1:1", good).unwrap();
        }
    }

    #[test]
    fn wrong_urls_are_errors_without_the_password() {
        for bad in [
            "http://127.0.0.1:6379",
            "redis//127.0.0.1",
            "",
            "redis://user:s3cret@[::1:6379",
            "rediss://user:s3cret@127.0.0.1:6379",
        ] {
            let err = RedisBudget::new(bad, "ns").unwrap_err();
            let text = err.to_string();
            assert!(text.contains("invalid Redis URL"), "{bad:?}: {text}");
            assert!(!text.contains("s3cret"), "{bad:?}: {text}");
        }
    }

    #[test]
    fn key_parts_cannot_reach_into_each_other() {
        let budget = RedisBudget::new("redis://127.0.0.1:1", "ns").unwrap();
        let key = |service, access_key_id, action| {
            budget.redis_key(&BudgetKey {
                service,
                access_key_id,
                action,
            })
        };
        assert_eq!(key("svc", "AKID1", "Act"), "ns:qps:svc:AKID1:Act");
        assert_ne!(key("svc", "a:b", "c"), key("svc", "a", "b:c"));
        assert_eq!(key("svc", "a:b %", "c"), "ns:qps:svc:a%3Ab%20%25:c");
    }

    #[test]
    fn debug_hides_the_password() {
        let budget = RedisBudget::new("redis://me:s3cret@127.0.0.1:6379/2", "ns").unwrap();
        let shown = format!("{budget:?}");
        assert!(shown.contains("redis://me:***@127.0.0.1:6379/2"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wait_policy_reports_why_redis_was_unavailable() {
        // Nothing listens: every try is refused at once. The last try, cut short by the
        // bound, must not replace that cause with a timeout of (almost) 0 ms.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let budget = RedisBudget::new(&format!("redis://127.0.0.1:{port}"), "ns")
            .unwrap()
            .on_unavailable(OnUnavailable::Wait(Duration::from_millis(350)));
        let key = BudgetKey {
            service: "svc",
            access_key_id: "AKID",
            action: "Act",
        };
        let error = budget
            .acquire(&key, NonZeroU32::new(5).unwrap())
            .await
            .unwrap_err();
        match &error {
            BudgetError::Unavailable { waited, cause } => {
                assert!(*waited >= Duration::from_millis(350), "{error}");
                assert!(cause.to_lowercase().contains("refused"), "{error}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_fallback_shares_the_limit_out_even_below_the_fleet_size() {
        let five = NonZeroU32::new(5).unwrap();
        let eight = NonZeroU32::new(8).unwrap();
        let limiter = local_limiter(five, eight);
        assert!(limiter.check().is_ok());
        // One start every 1.6 s: the next one is not ready.
        assert!(limiter.check().is_err());
    }
}
