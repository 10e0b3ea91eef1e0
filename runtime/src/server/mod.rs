//! The protocol-level mock server: an HTTP server on 127.0.0.1 that speaks Tencent Cloud
//! API 3.0 as the real endpoint does, so clients in any language (the official SDKs
//! included) can be tested against it.
//!
//! Each request goes through the real service's checks, in this order, and the first
//! that fails answers with the service's error code: the protocol (POST with
//! `application/json`), the body size, the action (`X-TC-Action`) and version, the TC3
//! signature over the raw body bytes and the headers as received (with the clock skew and
//! the session token), the action's QPS, the CAM policies attached to the SecretId
//! (evaluated by [`crate::policy::evaluate`], source IP included), and the parameters
//! (decoded into the typed request). A request that passes is answered like the
//! in-process mock: programmed rules first, else the action's default response.
//!
//! Checks can be switched off per server ([`Checks`]); every decision goes to a log
//! ([`MockServer::log`]); a small admin endpoint under `/_mock/` resets state, loads
//! rules and policies, switches checks and reads the log, so non-Rust tests can drive
//! it too. Every API answer is HTTP 200 with `Content-Type: application/json` and a
//! `RequestId`, as the service answers.

mod admin;
pub mod cli;
mod http;
mod params;
mod tencent;

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use governor::DefaultDirectRateLimiter;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::credentials::Credentials;
use crate::mock::{MockTransport, Rule};
use crate::policy::Statement;
use crate::tables::ActionTable;

pub use self::http::Limits;
pub use params::{decode_request, ParamError};

/// Checks a request body against an action's typed request: `None` for an action
/// without a model, whose parameters are not checked.
pub type RequestCheck<A> = fn(A, &[u8]) -> Option<Result<(), ParamError>>;

/// What a generated crate tells the server about its service.
pub struct ServiceDef<A> {
    /// The short name (`intlpartnersmgt`): the credential scope's service.
    pub service: &'static str,
    /// The API version (`X-TC-Version`).
    pub version: &'static str,
    /// Checks a body against the action's typed request (actions on the CAM page only
    /// have no model).
    pub check_request: RequestCheck<A>,
    /// The action's default response document, as for the in-process mock.
    pub defaults: fn(A) -> Option<&'static str>,
}

impl<A> Clone for ServiceDef<A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A> Copy for ServiceDef<A> {}

/// The checks a server makes; each can be switched off for tests that need leniency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Checks {
    /// Verify the TC3 signature, the SecretId and the session token.
    pub signature: bool,
    /// Refuse timestamps more than five minutes from the server's clock.
    pub clock_skew: bool,
    /// Enforce each action's QPS from the permission table, per SecretId.
    pub qps: bool,
    /// Enforce the CAM policies attached to the SecretId.
    pub policies: bool,
    /// Decode the body into the action's typed request.
    pub parameters: bool,
}

impl Default for Checks {
    fn default() -> Self {
        Checks {
            signature: true,
            clock_skew: true,
            qps: true,
            policies: true,
            parameters: true,
        }
    }
}

impl Checks {
    /// The checks' names, as `cli` flags and the admin endpoint spell them.
    pub const NAMES: [&'static str; 5] =
        ["signature", "clock-skew", "qps", "policies", "parameters"];

    /// Switches the check called `name` (one of [`Checks::NAMES`]).
    pub fn set(&mut self, name: &str, on: bool) -> Result<(), String> {
        let flag = match name {
            "signature" => &mut self.signature,
            "clock-skew" | "clock_skew" => &mut self.clock_skew,
            "qps" => &mut self.qps,
            "policies" => &mut self.policies,
            "parameters" => &mut self.parameters,
            other => {
                return Err(format!(
                    "no check is named `{other}` (one of {})",
                    Checks::NAMES.join(", ")
                ))
            }
        };
        *flag = on;
        Ok(())
    }
}

/// One decision of the server: who asked for what, and what decided the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    /// Position in the server's life (1, 2, ...), kept across log trims.
    pub seq: u64,
    /// The `RequestId` of the answer.
    pub request_id: String,
    /// Seconds since the Unix epoch when the request was decided.
    pub time: u64,
    /// The connection's source address.
    pub source_ip: IpAddr,
    /// The SecretId of the `Authorization` header, if it had one.
    pub secret_id: Option<String>,
    /// `X-TC-Action`, if the request named one.
    pub action: Option<String>,
    /// The error code sent; `None` when answered with a response.
    pub error_code: Option<String>,
    /// What decided: `protocol`, `body`, `action`, `version`, `signature`, `clock-skew`,
    /// `token`, `qps`, `policies`, `parameters` (a check refused), `rule` or `default`
    /// (answered), or `unanswered` (no rule and no default).
    pub decided_by: &'static str,
    /// The policy statement that allowed or denied, when policies were evaluated
    /// (`policy 0, statement 1 (sid x)`), or the rule that answered (`rule 2`).
    pub statement: Option<String>,
    /// Why, for a person.
    pub reason: String,
}

/// The most log entries kept; older ones are dropped first.
pub const LOG_CAPACITY: usize = 100_000;

/// Why a server could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The address could not be bound.
    Bind(SocketAddr, std::io::Error),
    /// A policy is not a CAM policy document.
    Policy {
        /// The SecretId it was for.
        secret_id: String,
        /// What is wrong, with its JSON pointer.
        message: String,
    },
    /// The runtime of a blocking server could not be built.
    Runtime(std::io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind(addr, err) => write!(f, "cannot listen on {addr}: {err}"),
            StartError::Policy { secret_id, message } => {
                write!(f, "the policy for SecretId `{secret_id}`: {message}")
            }
            StartError::Runtime(err) => write!(f, "cannot start a runtime: {err}"),
        }
    }
}

impl std::error::Error for StartError {}

/// Parses CAM policy documents into the evaluator's statements.
fn parse_policies(documents: &[Value]) -> Result<Vec<Vec<Statement>>, String> {
    documents
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            crate::policy::statements(doc)
                .map_err(|(pointer, why)| format!("policy {i}: {why} (at `{pointer}`)"))
        })
        .collect()
}

/// The credentials and policies a server starts with (and returns to on reset).
#[derive(Clone, Default)]
struct Principals {
    credentials: HashMap<String, Credentials>,
    /// Policies by SecretId; a SecretId without any is not restricted (a root account).
    policies: HashMap<String, Arc<Vec<Vec<Statement>>>>,
}

/// State shared by the connections, the handle and the admin endpoint.
pub(crate) struct Shared<A: ActionTable> {
    service: ServiceDef<A>,
    max_clock_skew: i64,
    startup: (Checks, Principals),
    checks: RwLock<Checks>,
    principals: RwLock<Principals>,
    /// Per SecretId and action (by `ActionTable::index`).
    limiters: Mutex<HashMap<(String, usize), DefaultDirectRateLimiter>>,
    log: Mutex<VecDeque<LogEntry>>,
    mock: MockTransport<A>,
    sequence: AtomicU64,
    /// Print each decision to stderr as it is made.
    echo: bool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl<A: ActionTable + Send + Sync> Shared<A> {
    fn checks(&self) -> Checks {
        *self.checks.read().unwrap_or_else(|e| e.into_inner())
    }

    fn set_checks(&self, checks: Checks) {
        *self.checks.write().unwrap_or_else(|e| e.into_inner()) = checks;
    }

    fn principals(&self) -> std::sync::RwLockReadGuard<'_, Principals> {
        self.principals.read().unwrap_or_else(|e| e.into_inner())
    }

    fn set_policies(&self, secret_id: &str, documents: Option<&[Value]>) -> Result<(), String> {
        let parsed = documents.map(parse_policies).transpose()?;
        let mut principals = self.principals.write().unwrap_or_else(|e| e.into_inner());
        match parsed {
            Some(policies) => {
                principals
                    .policies
                    .insert(secret_id.to_owned(), Arc::new(policies));
            }
            None => {
                principals.policies.remove(secret_id);
            }
        }
        Ok(())
    }

    fn reset(&self) {
        self.mock.reset();
        lock(&self.log).clear();
        lock(&self.limiters).clear();
        self.set_checks(self.startup.0);
        *self.principals.write().unwrap_or_else(|e| e.into_inner()) = self.startup.1.clone();
    }

    /// The next request's sequence number and `RequestId` (shaped like the service's
    /// UUIDs).
    fn next_request(&self) -> (u64, String) {
        let seq = self.sequence.fetch_add(1, Ordering::Relaxed) + 1;
        let r = fastrand::u64(..);
        let id = format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            seq as u32,
            (seq >> 32) as u16,
            r & 0xfff,
            0x8000 | ((r >> 12) & 0x3fff),
            r >> 16
        );
        (seq, id)
    }

    fn record(&self, entry: LogEntry) {
        if self.echo {
            eprintln!(
                "{} {} {} {} -> {} ({}): {}",
                entry.request_id,
                entry.source_ip,
                entry.secret_id.as_deref().unwrap_or("-"),
                entry.action.as_deref().unwrap_or("-"),
                entry.error_code.as_deref().unwrap_or("ok"),
                entry.decided_by,
                entry.reason
            );
        }
        let mut log = lock(&self.log);
        if log.len() == LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(entry);
    }

    fn log(&self) -> Vec<LogEntry> {
        lock(&self.log).iter().cloned().collect()
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Configures and starts a [`MockServer`].
pub struct MockServerBuilder<A: ActionTable> {
    service: ServiceDef<A>,
    addr: SocketAddr,
    credentials: Vec<Credentials>,
    policies: Vec<(String, Value)>,
    checks: Checks,
    limits: Limits,
    mock: Option<MockTransport<A>>,
    rules: Vec<Rule<A>>,
    echo: bool,
}

impl<A: ActionTable + Send + Sync> MockServerBuilder<A> {
    /// A server for `service` on `127.0.0.1:0` (a free port), every check on, no
    /// credentials yet.
    pub fn new(service: ServiceDef<A>) -> Self {
        MockServerBuilder {
            service,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            credentials: Vec::new(),
            policies: Vec::new(),
            checks: Checks::default(),
            limits: Limits::default(),
            mock: None,
            rules: Vec::new(),
            echo: false,
        }
    }

    /// Also prints each decision to stderr as one line (the binary does, unless quiet).
    pub fn echo_log(mut self, echo: bool) -> Self {
        self.echo = echo;
        self
    }

    /// Where to listen (default `127.0.0.1:0`: loopback, a free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Accepts requests signed with these credentials (id, key, and a session token if
    /// they have one). May be given several times.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials.push(credentials);
        self
    }

    /// Attaches a CAM policy document to a SecretId; may be given several times. A
    /// SecretId with policies is evaluated like a CAM sub-user; one without is not
    /// restricted.
    pub fn policy(mut self, secret_id: impl Into<String>, document: Value) -> Self {
        self.policies.push((secret_id.into(), document));
        self
    }

    /// The checks to make (all on by default).
    pub fn checks(mut self, checks: Checks) -> Self {
        self.checks = checks;
        self
    }

    /// Size and time limits on what clients send.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Answers from this mock's rules and defaults (shared: rules added to it later
    /// apply too).
    pub fn mock(mut self, mock: MockTransport<A>) -> Self {
        self.mock = Some(mock);
        self
    }

    /// Adds a rule, as [`MockTransport::with_rule`].
    pub fn rule(mut self, rule: Rule<A>) -> Self {
        self.rules.push(rule);
        self
    }

    fn shared(self) -> Result<(Arc<Shared<A>>, SocketAddr, Limits), StartError> {
        let mut principals = Principals::default();
        for credentials in self.credentials {
            principals
                .credentials
                .insert(credentials.secret_id().to_owned(), credentials);
        }
        let mut documents: Vec<(String, Vec<Value>)> = Vec::new();
        for (secret_id, document) in self.policies {
            match documents.iter_mut().find(|(id, _)| *id == secret_id) {
                Some((_, list)) => list.push(document),
                None => documents.push((secret_id, vec![document])),
            }
        }
        for (secret_id, list) in documents {
            let parsed = parse_policies(&list).map_err(|message| StartError::Policy {
                secret_id: secret_id.clone(),
                message,
            })?;
            principals.policies.insert(secret_id, Arc::new(parsed));
        }
        let mock = self
            .mock
            .unwrap_or_else(|| MockTransport::new(self.service.defaults));
        for rule in self.rules {
            mock.add_rule(rule);
        }
        let shared = Shared {
            service: self.service,
            max_clock_skew: 300,
            startup: (self.checks, principals.clone()),
            checks: RwLock::new(self.checks),
            principals: RwLock::new(principals),
            limiters: Mutex::new(HashMap::new()),
            log: Mutex::new(VecDeque::new()),
            mock,
            sequence: AtomicU64::new(0),
            echo: self.echo,
        };
        Ok((Arc::new(shared), self.addr, self.limits))
    }

    /// Binds and starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<MockServer<A>, StartError> {
        let (shared, addr, limits) = self.shared()?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| StartError::Bind(addr, e))?;
        let local = listener
            .local_addr()
            .map_err(|e| StartError::Bind(addr, e))?;
        let handler = Arc::new(tencent::Tencent(Arc::clone(&shared)));
        let task = tokio::spawn(http::serve(listener, handler, limits));
        Ok(MockServer {
            shared,
            addr: local,
            running: Running::Task(task),
        })
    }

    /// Binds and starts serving on a runtime of its own (two worker threads), for
    /// tests that are not async; it stops when the handle is dropped.
    pub fn start_blocking(self) -> Result<MockServer<A>, StartError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("mock-server")
            .enable_all()
            .build()
            .map_err(StartError::Runtime)?;
        let mut server = runtime.block_on(self.start())?;
        server.running = match std::mem::replace(&mut server.running, Running::Stopped) {
            Running::Task(task) => Running::Own(task, Some(runtime)),
            other => other,
        };
        Ok(server)
    }
}

enum Running {
    Task(tokio::task::JoinHandle<()>),
    Own(tokio::task::JoinHandle<()>, Option<tokio::runtime::Runtime>),
    Stopped,
}

/// A running mock server. Dropping it stops it (its connections close).
pub struct MockServer<A: ActionTable> {
    shared: Arc<Shared<A>>,
    addr: SocketAddr,
    running: Running,
}

impl<A: ActionTable + Send + Sync> MockServer<A> {
    /// The builder.
    pub fn builder(service: ServiceDef<A>) -> MockServerBuilder<A> {
        MockServerBuilder::new(service)
    }

    /// The base URL, `http://127.0.0.1:PORT` (a client's endpoint).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The mock answering requests that pass the checks: add rules, read calls.
    pub fn mock(&self) -> &MockTransport<A> {
        &self.shared.mock
    }

    /// Every decision so far (the last [`LOG_CAPACITY`]), oldest first.
    pub fn log(&self) -> Vec<LogEntry> {
        self.shared.log()
    }

    /// The checks in force.
    pub fn checks(&self) -> Checks {
        self.shared.checks()
    }

    /// Switches checks from now on.
    pub fn set_checks(&self, checks: Checks) {
        self.shared.set_checks(checks);
    }

    /// Replaces the policies of a SecretId (an empty list denies everything, as for a
    /// CAM sub-user without policies); the error names the document and the position.
    pub fn set_policies(&self, secret_id: &str, documents: &[Value]) -> Result<(), String> {
        self.shared.set_policies(secret_id, Some(documents))
    }

    /// Removes every policy of a SecretId: it is no longer restricted.
    pub fn clear_policies(&self, secret_id: &str) {
        self.shared
            .set_policies(secret_id, None)
            .expect("removing cannot fail");
    }

    /// Back to how it started: rules, recorded calls, the log and the QPS budgets are
    /// cleared; checks and policies are those it was built with.
    pub fn reset(&self) {
        self.shared.reset();
    }
}

impl<A: ActionTable> Drop for MockServer<A> {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.running, Running::Stopped) {
            Running::Task(task) => task.abort(),
            Running::Own(task, runtime) => {
                task.abort();
                if let Some(runtime) = runtime {
                    if tokio::runtime::Handle::try_current().is_ok() {
                        // Inside an async context a runtime may not block to shut down.
                        runtime.shutdown_background();
                    } else {
                        // Waits for the listener to close, so the port is free on return.
                        runtime.shutdown_timeout(std::time::Duration::from_secs(1));
                    }
                }
            }
            Running::Stopped => {}
        }
    }
}

impl<A: ActionTable> std::fmt::Debug for MockServer<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("service", &self.shared.service.service)
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}
