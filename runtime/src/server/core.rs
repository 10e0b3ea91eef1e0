//! What every mock server is, whatever its protocol: the checks in force, the decision
//! log, the shared state and its handle, the settings every builder takes, and the running
//! server.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::mock::{Bounded, MockProtocol, MockTransport, Reply};

use super::http::{self, Limits};
use super::params::ParamError;
use super::temporary::TemporaryKeys;
use super::tls;

/// Checks a request body against an action's typed request: `None` for an action
/// without a model, whose parameters are not checked.
pub type RequestCheck<A> = fn(A, &[u8]) -> Option<Result<(), ParamError>>;

/// The checks a server makes; each can be switched off for tests that need leniency.
/// (`qps` and `policies` are Tencent's; `permissions` is Huawei's.)
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
    /// Enforce the operator account's permission actions (Huawei).
    pub permissions: bool,
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
            permissions: true,
            parameters: true,
        }
    }
}

impl Checks {
    /// The checks' names, as `cli` flags and the admin endpoint spell them.
    pub const NAMES: [&'static str; 6] = [
        "signature",
        "clock-skew",
        "qps",
        "policies",
        "permissions",
        "parameters",
    ];

    /// Switches the check called `name` (one of [`Checks::NAMES`]).
    pub fn set(&mut self, name: &str, on: bool) -> Result<(), String> {
        let flag = match name {
            "signature" => &mut self.signature,
            "clock-skew" | "clock_skew" => &mut self.clock_skew,
            "qps" => &mut self.qps,
            "policies" => &mut self.policies,
            "permissions" => &mut self.permissions,
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
    /// The access key id of the `Authorization` header (Tencent's SecretId, Huawei's AK),
    /// if it had one. (`secret_id` in the admin endpoint's JSON, as before.)
    #[serde(rename = "secret_id")]
    pub access_key_id: Option<String>,
    /// The action (`X-TC-Action`) or operation the request named, if any.
    pub action: Option<String>,
    /// The error code sent; `None` when answered with a response.
    pub error_code: Option<String>,
    /// What decided: `header` (a header the service reads is repeated or too long),
    /// `protocol`, `body`, `action` (or `route`), `version`, `signature`,
    /// `clock-skew`, `token`, `qps`, `policies`, `permissions`, `parameters` (a check
    /// refused), `rule` or `default` (answered), `unanswered` (no rule and no default), or
    /// the service the server also plays: `metadata` (an instance metadata endpoint),
    /// `sts`, `iam`.
    pub decided_by: &'static str,
    /// The policy statement that allowed or denied, when policies were evaluated
    /// (`policy 0, statement 1 (sid x)`), or the rule that answered (`rule 2`).
    pub statement: Option<String>,
    /// Why, for a person.
    pub reason: String,
}

/// The most log entries kept; older ones are dropped first. (The log is bounded in
/// bytes too: [`Limits::max_log_bytes`].)
pub const LOG_CAPACITY: usize = 100_000;

impl LogEntry {
    /// About how many bytes the entry holds: its fixed size and its texts.
    fn weight(&self) -> usize {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        std::mem::size_of::<LogEntry>()
            + self.request_id.len()
            + text(&self.access_key_id)
            + text(&self.action)
            + text(&self.error_code)
            + text(&self.statement)
            + self.reason.len()
    }
}

/// What a server holds in memory for the log and the recorded calls, so tests can see
/// that it stays within [`Limits::max_log_bytes`] and
/// [`Limits::max_recorded_call_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Memory {
    /// Log entries kept.
    pub log_entries: usize,
    /// About how many bytes they hold.
    pub log_bytes: usize,
    /// Calls recorded.
    pub calls: usize,
    /// About how many bytes they hold (requests and replies).
    pub call_bytes: usize,
}

/// A value as messages show it: long ones cut to their first 100 characters (what a
/// client sends is echoed in replies and the log, which must stay small).
pub(crate) fn shown(value: &str) -> std::borrow::Cow<'_, str> {
    const SHOWN: usize = 100;
    match value.char_indices().nth(SHOWN) {
        None => value.into(),
        Some((end, _)) => format!("{}... ({} bytes)", &value[..end], value.len()).into(),
    }
}

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
    /// The address is not loopback, and listening there was not allowed.
    NotLoopback(SocketAddr),
    /// Listening off loopback was allowed, but the operating system's random generator
    /// gave no admin token.
    NoAdminToken(getrandom::Error),
    /// The TLS mode's certificates or configuration could not be made.
    Tls(String),
    /// A setting of the builder is out of range: which, and why.
    Setting(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind(addr, err) => write!(f, "cannot listen on {addr}: {err}"),
            StartError::Policy { secret_id, message } => {
                write!(f, "the policy for SecretId `{secret_id}`: {message}")
            }
            StartError::Runtime(err) => write!(f, "cannot start a runtime: {err}"),
            StartError::NotLoopback(addr) => write!(
                f,
                "will not listen on {addr}: it is not a loopback address, and the admin endpoint \
                 (/_mock/) would be open to anyone who reaches it; allow it with \
                 `allow_remote(true)` (the binary's --allow-remote), which protects /_mock/ \
                 with a random token"
            ),
            StartError::NoAdminToken(err) => write!(
                f,
                "cannot make the admin endpoint's token (the operating system's random \
                 generator failed: {err}), so the server does not listen off loopback"
            ),
            StartError::Tls(why) => write!(f, "cannot set up TLS: {why}"),
            StartError::Setting(why) => write!(f, "bad setting: {why}"),
        }
    }
}

impl std::error::Error for StartError {}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

use crate::client::unix_now;

/// What every mock server keeps, whatever its protocol: the checks in force, the
/// decision log, request ids, and the mock that answers requests that pass. (Public
/// only as the return type of [`ServerState`]'s hidden accessor.)
#[doc(hidden)]
pub struct Core<A, P> {
    startup_checks: Checks,
    checks: RwLock<Checks>,
    log: Mutex<Bounded<LogEntry>>,
    /// What `/_mock/` requests must carry in `X-Mock-Admin-Token`; set exactly when the
    /// server may listen on a non-loopback address.
    pub(crate) admin_token: Option<String>,
    sequence: AtomicU64,
    /// Print each decision to stderr as it is made.
    echo: bool,
    pub(crate) mock: MockTransport<A, P>,
    /// The temporary keys issued by the metadata endpoint and STS.
    pub(crate) temporary: TemporaryKeys,
    /// The certificates of the TLS mode, when on.
    pub(crate) tls: Option<tls::Identity>,
}

impl<A: Copy + Eq + Send + Sync + 'static, P: MockProtocol<A>> Core<A, P> {
    /// [`TemporaryKeys::current`](super::temporary::TemporaryKeys::current) for a metadata endpoint's answer, with `entry` saying
    /// what was handed out (the key's id, to which `kind` of principal, when it expires;
    /// never its secret) or why none was.
    pub(crate) fn current_for_metadata(
        &self,
        principal: &str,
        kind: &str,
        entry: &mut LogEntry,
    ) -> Result<super::temporary::Issued, super::temporary::IssueError> {
        match self.temporary.current(principal) {
            Ok(issued) => {
                let id = issued.credentials().access_key_id();
                entry.access_key_id = Some(id.to_owned());
                entry.reason = format!(
                    "metadata: temporary key {id} of {kind} {principal}, expiring at {}",
                    humantime::format_rfc3339_seconds(issued.expiry())
                );
                Ok(issued)
            }
            Err(err) => {
                entry.reason = format!("metadata: {err}");
                Err(err)
            }
        }
    }

    pub(crate) fn new(
        checks: Checks,
        mock: MockTransport<A, P>,
        echo: bool,
        limits: &Limits,
        admin_token: Option<String>,
        temporary: TemporaryKeys,
        tls: Option<tls::Identity>,
    ) -> Self {
        mock.set_call_budget(limits.max_recorded_call_bytes);
        Core {
            startup_checks: checks,
            checks: RwLock::new(checks),
            log: Mutex::new(Bounded::new(LOG_CAPACITY, limits.max_log_bytes)),
            admin_token,
            sequence: AtomicU64::new(0),
            echo,
            mock,
            temporary,
            tls,
        }
    }

    pub(crate) fn checks(&self) -> Checks {
        *self.checks.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn set_checks(&self, checks: Checks) {
        *self.checks.write().unwrap_or_else(|e| e.into_inner()) = checks;
    }

    /// Rules, calls, the log and the temporary keys cleared; the startup checks back.
    pub(crate) fn reset(&self) {
        self.mock.reset();
        lock(&self.log).clear();
        self.temporary.clear();
        self.set_checks(self.startup_checks);
    }

    /// A new request's log entry: its sequence number and `RequestId` (shaped like the
    /// services' UUIDs), when and where it came from.
    pub(crate) fn entry(&self, peer: IpAddr) -> LogEntry {
        let seq = self.sequence.fetch_add(1, Ordering::Relaxed) + 1;
        let r = fastrand::u64(..);
        let request_id = format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            seq as u32,
            (seq >> 32) as u16,
            r & 0xfff,
            0x8000 | ((r >> 12) & 0x3fff),
            r >> 16
        );
        LogEntry {
            seq,
            request_id,
            time: unix_now() as u64,
            source_ip: peer,
            access_key_id: None,
            action: None,
            error_code: None,
            decided_by: "",
            statement: None,
            reason: String::new(),
        }
    }

    /// The mock's answer to a request that passed every check, with where it came from
    /// in the log entry; `unanswered` is the protocol's code for a call that no rule and
    /// no default covers.
    pub(crate) fn answer(
        &self,
        action: A,
        document: Value,
        entry: &mut LogEntry,
        unanswered: &'static str,
    ) -> Result<Reply, Refusal> {
        let (reply, source) = self
            .mock
            .answer(action, document)
            .map_err(|why| refuse(unanswered, "unanswered", format!("mock: {why}")))?;
        (entry.decided_by, entry.reason) = match source {
            crate::mock::Source::Rule(i) => {
                entry.statement.get_or_insert_with(|| format!("rule {i}"));
                ("rule", format!("answered by rule {i}"))
            }
            crate::mock::Source::Default => {
                ("default", "answered with the default response".into())
            }
        };
        Ok(reply)
    }

    pub(crate) fn record(&self, entry: LogEntry) {
        if self.echo {
            eprintln!(
                "{} {} {} {} -> {} ({}): {}",
                entry.request_id,
                entry.source_ip,
                entry.access_key_id.as_deref().unwrap_or("-"),
                entry.action.as_deref().unwrap_or("-"),
                entry.error_code.as_deref().unwrap_or("ok"),
                entry.decided_by,
                entry.reason
            );
        }
        let weight = entry.weight();
        lock(&self.log).push(entry, weight);
    }

    pub(crate) fn log(&self) -> Vec<LogEntry> {
        lock(&self.log).iter().cloned().collect()
    }

    pub(crate) fn memory(&self) -> Memory {
        let (log_entries, log_bytes) = {
            let log = lock(&self.log);
            (log.len(), log.bytes())
        };
        let calls = self.mock.held();
        Memory {
            log_entries,
            log_bytes,
            calls: calls.calls,
            call_bytes: calls.bytes,
        }
    }
}

/// A server's shared state, as its handle and admin endpoint see it.
pub trait ServerState: Send + Sync + 'static {
    /// The operation table.
    type Op: Copy + Eq + Send + Sync + 'static;
    /// The wire protocol.
    type Protocol: MockProtocol<Self::Op>;
    #[doc(hidden)]
    fn core(&self) -> &Core<Self::Op, Self::Protocol>;
    /// Back to how it started.
    fn reset(&self);
    /// The protocol's own admin route under `/_mock/` (`policies`, `permissions`).
    const ADMIN_ROUTE: &'static str;
    /// Handles a POST to [`ServerState::ADMIN_ROUTE`]: the answer, or what is wrong.
    #[doc(hidden)]
    fn admin(&self, body: &Value) -> Result<Value, String>;
}

/// What every server builder configures, whatever the protocol.
pub(crate) struct ServerSettings<A, P> {
    pub(crate) addr: SocketAddr,
    pub(crate) credentials: Vec<crate::credentials::Credentials>,
    pub(crate) checks: Checks,
    pub(crate) limits: Limits,
    pub(crate) mock: Option<MockTransport<A, P>>,
    pub(crate) rules: Vec<crate::mock::Rule<A>>,
    pub(crate) echo: bool,
    pub(crate) allow_remote: bool,
    pub(crate) temporary_key_lifetime: std::time::Duration,
    /// What the ids of the temporary keys start with (the vendor's look).
    pub(crate) temporary_key_id_prefix: &'static str,
    pub(crate) tls: bool,
}

impl<A: Copy + Eq + Send + Sync + 'static, P: MockProtocol<A>> ServerSettings<A, P> {
    /// `127.0.0.1:0` (a free port), every check on, no credentials, no rules.
    pub(crate) fn new() -> Self {
        ServerSettings {
            addr: SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0)),
            credentials: Vec::new(),
            checks: Checks::default(),
            limits: Limits::default(),
            mock: None,
            rules: Vec::new(),
            echo: false,
            allow_remote: false,
            temporary_key_lifetime: super::temporary::DEFAULT_TEMPORARY_KEY_LIFETIME,
            temporary_key_id_prefix: "AKID",
            tls: false,
        }
    }

    /// The core (the given mock, or a new one over `defaults`, with the rules added;
    /// paging by `paging` unless the given mock has paging facts of its own), the
    /// credentials by id, where to listen and the limits.
    #[allow(clippy::type_complexity)]
    pub(crate) fn into_parts(
        self,
        defaults: fn(A) -> Option<&'static str>,
        paging: fn(A) -> Option<&'static crate::paging::Paging>,
    ) -> Result<
        (
            Core<A, P>,
            std::collections::HashMap<String, crate::credentials::Credentials>,
            SocketAddr,
            Limits,
        ),
        StartError,
    > {
        let mock = self.mock.unwrap_or_else(|| MockTransport::new(defaults));
        if !mock.has_paging() {
            mock.set_paging(paging);
        }
        for rule in self.rules {
            mock.add_rule(rule);
        }
        let credentials = self
            .credentials
            .into_iter()
            .map(|c| (c.access_key_id().to_owned(), c))
            .collect();
        let admin_token = if self.allow_remote {
            Some(admin_token()?)
        } else {
            None
        };
        if self.temporary_key_lifetime.is_zero() {
            return Err(StartError::Setting(
                "the temporary key lifetime is zero: every key would be expired when issued".into(),
            ));
        }
        let temporary = TemporaryKeys::new(self.temporary_key_lifetime)
            .with_id_prefix(self.temporary_key_id_prefix);
        let tls = if self.tls {
            Some(tls::generate().map_err(StartError::Tls)?)
        } else {
            None
        };
        Ok((
            Core::new(
                self.checks,
                mock,
                self.echo,
                &self.limits,
                admin_token,
                temporary,
                tls,
            ),
            credentials,
            self.addr,
            self.limits,
        ))
    }
}

/// A new admin token: 128 bits from the operating system's generator, in hex.
fn admin_token() -> Result<String, StartError> {
    let mut bytes = [0u8; 16];
    // Without the OS generator there is no secret to be had: a server that cannot make
    // one must not open its admin endpoint, so it does not start.
    getrandom::getrandom(&mut bytes).map_err(StartError::NoAdminToken)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The setters of the [`ServerSettings`] a server builder keeps in its `settings` field.
macro_rules! server_settings_setters {
    ($op:ty, $protocol:ty) => {
        /// Where to listen (default `127.0.0.1:0`: loopback, a free port). A
        /// non-loopback address needs [`Self::allow_remote`].
        pub fn addr(mut self, addr: std::net::SocketAddr) -> Self {
            self.settings.addr = addr;
            self
        }

        /// Allows listening on a non-loopback address (`0.0.0.0`, `[::]`, a LAN
        /// address). The admin endpoint `/_mock/` then answers only requests carrying
        /// the server's random token ([`crate::server::MockServer::admin_token`]) in
        /// `X-Mock-Admin-Token`: whoever reaches the API port must not be able to load
        /// rules, switch checks or read the log.
        pub fn allow_remote(mut self, allow: bool) -> Self {
            self.settings.allow_remote = allow;
            self
        }

        /// Accepts requests signed with these credentials (id, key, and a session or
        /// security token if they have one). May be given several times.
        pub fn credentials(mut self, credentials: crate::credentials::Credentials) -> Self {
            self.settings.credentials.push(credentials);
            self
        }

        /// The checks to make (all on by default).
        pub fn checks(mut self, checks: crate::server::core::Checks) -> Self {
            self.settings.checks = checks;
            self
        }

        /// Size and time limits on what clients send.
        pub fn limits(mut self, limits: crate::server::http::Limits) -> Self {
            self.settings.limits = limits;
            self
        }

        /// Answers from this mock's rules and defaults (shared: rules added to it later
        /// apply too).
        pub fn mock(mut self, mock: crate::mock::MockTransport<$op, $protocol>) -> Self {
            self.settings.mock = Some(mock);
            self
        }

        /// Adds a rule, as [`crate::mock::MockTransport::with_rule`].
        pub fn rule(mut self, rule: crate::mock::Rule<$op>) -> Self {
            self.settings.rules.push(rule);
            self
        }

        /// Also prints each decision to stderr as one line (the binary does, unless
        /// quiet).
        pub fn echo_log(mut self, echo: bool) -> Self {
            self.settings.echo = echo;
            self
        }

        /// How long the temporary keys the server issues (instance metadata, STS) are
        /// valid, at most: a caller asking STS for less gets less. Default
        /// [`crate::server::DEFAULT_TEMPORARY_KEY_LIFETIME`]; tests use a second or two
        /// to see keys expire. Zero is refused at start.
        pub fn temporary_key_lifetime(mut self, lifetime: std::time::Duration) -> Self {
            self.settings.temporary_key_lifetime = lifetime;
            self
        }

        /// Serves HTTPS: at start the server makes a certificate authority of its own
        /// and a certificate for `localhost`, `127.0.0.1` and `::1` signed by it; clients
        /// trust [`crate::server::MockServer::ca_pem`]. The URL is then `https://`.
        pub fn tls(mut self, on: bool) -> Self {
            self.settings.tls = on;
            self
        }
    };
}
pub(crate) use server_settings_setters;

/// A check refused the request: the error code, the check's name for the log, why.
pub(crate) struct Refusal {
    pub(crate) code: &'static str,
    pub(crate) check: &'static str,
    pub(crate) message: String,
}

pub(crate) fn refuse(
    code: &'static str,
    check: &'static str,
    message: impl Into<String>,
) -> Refusal {
    Refusal {
        code,
        check,
        message: message.into(),
    }
}

enum Running {
    Task(tokio::task::JoinHandle<()>),
    Own(tokio::task::JoinHandle<()>, Option<tokio::runtime::Runtime>),
    Stopped,
}

/// A running mock server. Dropping it stops it (its connections close).
pub struct MockServer<A, S> {
    shared: Arc<S>,
    addr: SocketAddr,
    running: Running,
    op: std::marker::PhantomData<fn() -> A>,
}

impl<A: Copy + Eq + Send + Sync + 'static, S: ServerState<Op = A>> MockServer<A, S> {
    /// Binds `addr` and serves `handler` on the current tokio runtime.
    pub(crate) async fn launch(
        shared: Arc<S>,
        handler: Arc<dyn http::Handler>,
        addr: SocketAddr,
        limits: Limits,
    ) -> Result<Self, StartError> {
        if shared.core().admin_token.is_none() && !addr.ip().to_canonical().is_loopback() {
            return Err(StartError::NotLoopback(addr));
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| StartError::Bind(addr, e))?;
        let local = listener
            .local_addr()
            .map_err(|e| StartError::Bind(addr, e))?;
        let acceptor = shared.core().tls.as_ref().map(|tls| tls.acceptor.clone());
        let task = tokio::spawn(http::serve(listener, handler, limits, acceptor));
        Ok(MockServer {
            shared,
            addr: local,
            running: Running::Task(task),
            op: std::marker::PhantomData,
        })
    }

    /// [`MockServer::launch`] on a runtime of its own (two worker threads), for tests
    /// that are not async; it stops when the handle is dropped.
    pub(crate) fn launch_blocking(
        shared: Arc<S>,
        handler: Arc<dyn http::Handler>,
        addr: SocketAddr,
        limits: Limits,
    ) -> Result<Self, StartError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("mock-server")
            .enable_all()
            .build()
            .map_err(StartError::Runtime)?;
        let mut server = runtime.block_on(Self::launch(shared, handler, addr, limits))?;
        server.running = match std::mem::replace(&mut server.running, Running::Stopped) {
            Running::Task(task) => Running::Own(task, Some(runtime)),
            other => other,
        };
        Ok(server)
    }

    /// The base URL, `http://127.0.0.1:PORT` (a client's endpoint); `https://` in the
    /// TLS mode.
    pub fn url(&self) -> String {
        let scheme = if self.shared.core().tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// The PEM of the certificate authority that signed the server's certificate, in
    /// the TLS mode (the builder's `tls`): what a client must trust.
    pub fn ca_pem(&self) -> Option<&str> {
        self.shared
            .core()
            .tls
            .as_ref()
            .map(|tls| tls.ca_pem.as_str())
    }

    /// The temporary keys the server issued (its metadata endpoint, its STS): look one
    /// up, or issue one directly.
    pub fn temporary_keys(&self) -> &TemporaryKeys {
        &self.shared.core().temporary
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The mock answering requests that pass the checks: add rules, read calls.
    pub fn mock(&self) -> &MockTransport<A, S::Protocol> {
        &self.shared.core().mock
    }

    /// Every decision so far (the newest, within [`LOG_CAPACITY`] entries and
    /// [`Limits::max_log_bytes`]), oldest first.
    pub fn log(&self) -> Vec<LogEntry> {
        self.shared.core().log()
    }

    /// What the log and the recorded calls hold now.
    pub fn memory(&self) -> Memory {
        self.shared.core().memory()
    }

    /// The token `/_mock/` requests must carry in `X-Mock-Admin-Token`: set when the
    /// builder allowed a non-loopback address (the builder's `allow_remote`).
    pub fn admin_token(&self) -> Option<&str> {
        self.shared.core().admin_token.as_deref()
    }

    /// The checks in force.
    pub fn checks(&self) -> Checks {
        self.shared.core().checks()
    }

    /// Switches checks from now on.
    pub fn set_checks(&self, checks: Checks) {
        self.shared.core().set_checks(checks);
    }

    /// Back to how it started: rules, recorded calls, the log (and QPS budgets) are
    /// cleared; checks, policies and permissions are those it was built with.
    pub fn reset(&self) {
        self.shared.reset();
    }

    pub(crate) fn state(&self) -> &S {
        &self.shared
    }
}

impl<A, S> Drop for MockServer<A, S> {
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

impl<A, S> std::fmt::Debug for MockServer<A, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}
