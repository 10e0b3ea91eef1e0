//! The engine: the one builder, the one engine, the plug-in trait of a vendor's protocol,
//! client-side QPS limits, and the run of a call (retries, signing, sending, reading).

use std::fmt;
use std::marker::PhantomData;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::budget::{BudgetKey, SharedBudget};
use super::options::{Answer, BuildError, CallOptions, Endpoint, Env};
use super::retry::{self, RetryPolicy};
use super::send::{self, unix_now, HttpSettings, Sender};
use crate::credentials::{Credentials, ProvideCredentials, SharedCredentials};
use crate::error::{shorten, Error};
use crate::tables::Catalog;
use crate::transport::{HttpRequest, HttpResponse, ProxySetting, Transport};

/// A vendor's wire protocol: everything the engine needs to know of it, called by the
/// engine only (never the other way round). `Op` is the generated table of actions or
/// operations.
pub trait ClientProtocol<Op: Copy + Eq + Send + Sync + 'static>:
    Catalog<Op> + Sized + Send + Sync + 'static
{
    /// What the vendor's own builder setters collect (Tencent: the service, the version,
    /// region and language; Huawei: the service, the account ID, the `User-Agent`).
    type Settings: Send + Sync + fmt::Debug;
    /// A request encoded once (its body, path, query), signed afresh for each attempt.
    type Prepared: Send + Sync;

    /// The client-side QPS limit an operation gets unless the builder says otherwise;
    /// `None` for none.
    fn qps(op: Op) -> Option<u32>;
    /// The service's short name (`intlpartnersmgt`): part of a shared budget's key.
    fn service(settings: &Self::Settings) -> &str;
    /// Whether a failed call may be repeated without the caller's leave.
    fn idempotent(op: Op) -> bool;
    /// The credentials provider of a builder given none: the vendor's default chain, its
    /// variables read through `env`. Asked at the first call, not at `build`.
    fn default_credentials(env: Env<'_>) -> Arc<dyn ProvideCredentials>;
    /// Fills the settings the builder was not given from `env` and checks them (at
    /// `build`): a setting the vendor would refuse fails the build, naming it.
    fn settle(settings: &mut Self::Settings, env: Env<'_>) -> Result<(), BuildError>;
    /// The tracing span of one attempt (1-based) of a prepared call; it must have an
    /// empty `request_id` field, which the engine fills from the answer.
    fn span(
        settings: &Self::Settings,
        op: Op,
        prepared: &Self::Prepared,
        attempt: u32,
    ) -> tracing::Span;
    /// The signed HTTP request of one attempt, at `timestamp` (seconds since the epoch).
    fn sign(
        settings: &Self::Settings,
        endpoint: &Endpoint,
        credentials: &Credentials,
        prepared: &Self::Prepared,
        timestamp: i64,
    ) -> HttpRequest;
    /// Reads an answer that passed the engine's checks: the status, the request id and
    /// the JSON of a success, or the error it carries. An error status without a vendor
    /// error code goes to the shared rule of `codeless_error` (in `send`).
    fn read(op: Op, response: HttpResponse) -> Result<Answer, Error>;
    /// The ID the client sent to trace a prepared call (Tencent: its `X-TC-TraceId`),
    /// which every error of the call then carries ([`Error::trace_id`]); `None` for a
    /// vendor without one.
    fn trace_id(prepared: &Self::Prepared) -> Option<&str> {
        let _ = prepared;
        None
    }
    /// The service's word that the operation of a successful answer is deprecated
    /// (Tencent: the `DeprecatedWarning` of the `Response` object), which the engine logs
    /// once per operation and client; `None` for a vendor without one.
    fn deprecation(answer: &Answer) -> Option<&str> {
        let _ = answer;
        None
    }
}

/// What a [`Builder`] builds: the engine itself, or a generated client wrapping it.
#[doc(hidden)]
pub trait FromEngine<Op: Copy + Eq + Send + Sync + 'static, P: ClientProtocol<Op>> {
    /// Wraps a freshly built engine.
    fn from_engine(engine: Engine<Op, P>) -> Self;
}

impl<Op: Copy + Eq + Send + Sync + 'static, P: ClientProtocol<Op>> FromEngine<Op, P>
    for Engine<Op, P>
{
    fn from_engine(engine: Engine<Op, P>) -> Self {
        engine
    }
}

/// Builds an [`Engine`], or a generated client (`C`) around one. The vendor adds its own
/// setters (`region`, `language`; `domain_id`, `user_agent`) and its `new`.
pub struct Builder<Op, P: ClientProtocol<Op>, C = Engine<Op, P>>
where
    Op: Copy + Eq + Send + Sync + 'static,
{
    pub(crate) settings: P::Settings,
    http: HttpSettings,
    credentials: Option<SharedCredentials>,
    rate_limits: bool,
    overrides: Vec<(Op, Option<u32>)>,
    shared_budget: Option<Arc<dyn SharedBudget>>,
    output: PhantomData<fn() -> C>,
}

impl<Op, P, C> Builder<Op, P, C>
where
    Op: Copy + Eq + Send + Sync + 'static,
    P: ClientProtocol<Op>,
    C: FromEngine<Op, P>,
{
    /// A builder with the vendor's settings, at `https://{host}`.
    pub(crate) fn with_settings(settings: P::Settings, host: &str) -> Self {
        Builder {
            settings,
            http: HttpSettings::new(format!("https://{host}")),
            credentials: None,
            rate_limits: true,
            overrides: Vec::new(),
            shared_budget: None,
            output: PhantomData,
        }
    }

    /// Fixed credentials to sign with. Without credentials of any kind, the client uses
    /// the vendor's default chain, in the official SDK's order (see the vendor module's
    /// `credentials`), asked at the first call.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(SharedCredentials::fixed(credentials));
        self
    }

    /// A credentials provider to sign with (a role, STS, a chain of the caller's): the
    /// client caches what it gives, shared by every clone, and refreshes temporary
    /// credentials ahead of their expiry (see [`SharedCredentials`]).
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials) -> Self {
        self.credentials = Some(SharedCredentials::new(provider));
        self
    }

    /// A credentials cache shared with other clients (of other services, or built with
    /// other settings): one refresh serves them all.
    pub fn shared_credentials(mut self, credentials: SharedCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Overrides one operation's client-side QPS limit; `None` lifts it. `Some(0)` fails
    /// `build` with [`BuildError::Setting`] (a limit of 0 would forbid every call, and
    /// taking it as "no limit" would turn a typo into an unlimited client).
    pub fn rate_limit(mut self, op: Op, qps: Option<u32>) -> Self {
        self.overrides.push((op, qps));
        self
    }

    /// Keeps the QPS limits in `budget`, shared with every client (in this process or
    /// any other) that asks the same budget with the same key: the service, the access
    /// key ID signing the request and the action. Each attempt of an operation with a
    /// limit gets the credentials, waits for the shared budget, then signs with a fresh
    /// timestamp. Without it, the limits are kept in this client (its clones share
    /// them): exact on one machine, `N` times the limit across `N` processes.
    ///
    /// Turns the limits on (as [`with_rate_limits`](Self::with_rate_limits)); a later
    /// [`without_rate_limits`](Self::without_rate_limits) fails `build` rather than
    /// silently dropping the shared limit. When the budget gives no start (its store is
    /// down past its failure policy), the attempt fails with
    /// [`Error::RateBudget`](crate::error::Error::RateBudget) and nothing is sent. Give an
    /// `Arc` of the budget to share one connection among many clients.
    pub fn shared_rate_limits(mut self, budget: impl SharedBudget) -> Self {
        self.shared_budget = Some(Arc::new(budget));
        self.rate_limits = true;
        self
    }

    /// No client-side QPS limits at all (the service still enforces its own).
    pub fn without_rate_limits(mut self) -> Self {
        self.rate_limits = false;
        self
    }

    /// Client-side QPS limits again (the default, except for clients the in-process mock
    /// builds, which start without them: a test asks for them with this).
    pub fn with_rate_limits(mut self) -> Self {
        self.rate_limits = true;
        self
    }

    /// Also trusts this certificate authority (PEM; a bundle of several is fine) for
    /// HTTPS, besides the built-in roots: a private deployment's, or a TLS mock
    /// server's (`MockServer::ca_pem`). May be given several times. A PEM without a
    /// certificate is a [`BuildError::Setting`] naming this setting.
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.http.root_certificates.push(pem.as_ref().to_vec());
        self
    }

    /// Another endpoint: `scheme://host[:port]`, e.g. `http://127.0.0.1:8080`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.http.endpoint = endpoint.into();
        self
    }

    /// The timeout of each attempt, connecting included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http.connection.timeout = timeout;
        self
    }

    /// The timeout for establishing a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http.connection.connect_timeout = timeout;
        self
    }

    /// Sends every request through this HTTP proxy, `http://[user:password@]host:port`
    /// (or `https://`; an HTTPS endpoint is tunnelled with `CONNECT`), as the official
    /// SDKs' `HttpProfile(proxy=...)`; the user and password go as `Proxy-Authorization`
    /// and never appear in errors or `Debug`. Without it, the environment's proxy is used
    /// (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`); this one wins over the
    /// environment, `NO_PROXY` included. A URL that is not `http`/`https` with a host
    /// fails `build` with [`BuildError::Setting`] naming the proxy. The last of `proxy`
    /// and [`no_proxy`](Self::no_proxy) counts.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.http.connection.proxy = ProxySetting::Url(url.into());
        self
    }

    /// No proxy at all, whatever the environment says.
    pub fn no_proxy(mut self) -> Self {
        self.http.connection.proxy = ProxySetting::Direct;
        self
    }

    /// The most idle connections kept open per host for reuse (default: no limit,
    /// [`DEFAULT_POOL_MAX_IDLE_PER_HOST`](crate::transport::DEFAULT_POOL_MAX_IDLE_PER_HOST));
    /// 0 closes each after its call. A low limit under concurrent calls closes and
    /// reopens connections, each close leaving a socket in TIME_WAIT (as the official Go
    /// SDK's default of 2 did: tencentcloud-sdk-go#69).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.http.connection.pool_max_idle_per_host = max;
        self
    }

    /// How long an idle connection is kept for reuse (default 90 s,
    /// [`DEFAULT_POOL_IDLE_TIMEOUT`](crate::transport::DEFAULT_POOL_IDLE_TIMEOUT)); `None`
    /// keeps it until the server closes it.
    pub fn pool_idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.http.connection.pool_idle_timeout = timeout.into();
        self
    }

    /// How transient failures are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.http.retry = policy;
        self
    }

    /// The largest response body read, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BODY`](crate::transport::DEFAULT_MAX_RESPONSE_BODY),
    /// 10 MiB). The body is read chunk by chunk and never buffered beyond the cap; a
    /// larger one, or a Content-Length above the cap, fails the call with
    /// [`Error::ResponseTooLarge`].
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.http.max_response_body = bytes;
        self
    }

    /// Sends through `transport` instead of HTTP (for tests and mocks). Redirects and
    /// the body cap are checked on its answers too.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.http.transport = Some(transport);
        self
    }

    /// Builds the client, reading what was not given from the environment.
    pub fn build(self) -> Result<C, BuildError> {
        self.build_with(&|name| std::env::var(name).ok())
    }

    /// Builds, reading what was not given through `env`.
    pub(crate) fn build_with(mut self, env: Env<'_>) -> Result<C, BuildError> {
        let credentials = match self.credentials {
            Some(c) => c,
            None => SharedCredentials::from_arc(P::default_credentials(env)),
        };
        P::settle(&mut self.settings, env)?;
        let retry = self.http.retry;
        let (endpoint, sender) = self.http.connect()?;
        if let Some((op, _)) = self.overrides.iter().find(|(_, qps)| *qps == Some(0)) {
            return Err(BuildError::Setting(format!(
                "rate_limit({}, Some(0)): a limit of 0 would forbid every call; \
                 None lifts the limit",
                P::name(*op)
            )));
        }
        if self.shared_budget.is_some() && !self.rate_limits {
            return Err(BuildError::Setting(
                "shared_rate_limits and without_rate_limits: a client without limits has \
                 nothing to share; drop one of them"
                    .into(),
            ));
        }
        let limits: Vec<Option<NonZeroU32>> = P::all()
            .iter()
            .map(|&op| {
                let configured = self
                    .overrides
                    .iter()
                    .rev()
                    .find(|(o, _)| *o == op)
                    .map(|(_, q)| *q);
                configured
                    .unwrap_or_else(|| P::qps(op))
                    .filter(|_| self.rate_limits)
                    .and_then(NonZeroU32::new)
            })
            .collect();
        let limiters = match &self.shared_budget {
            // The shared budget paces every start; an in-process limiter in front of it
            // would only add a second wait.
            Some(_) => limits.iter().map(|_| None).collect(),
            None => limits.iter().map(|qps| qps.map(limiter)).collect(),
        };
        let deprecation_logged = P::all().iter().map(|_| AtomicBool::new(false)).collect();
        Ok(C::from_engine(Engine {
            inner: Arc::new(Inner {
                settings: self.settings,
                endpoint,
                credentials,
                retry,
                limiters,
                limits,
                shared_budget: self.shared_budget,
                deprecation_logged,
                sender,
            }),
            ops: PhantomData,
        }))
    }
}

/// A limiter that starts at most `qps` requests in any one-second window: one request per
/// period (no burst). The period is 1% longer than `1 s / qps`, so scheduling and network
/// jitter between the limiter's grant and the request reaching the server (up to about
/// `qps` percent of a period across a window) cannot squeeze `qps + 1` starts into one
/// second; it costs 1% of the budget.
fn limiter(qps: NonZeroU32) -> DefaultDirectRateLimiter {
    let period = (Duration::from_secs(1) / qps.get()).mul_f64(1.01);
    RateLimiter::direct(Quota::with_period(period).expect("a positive period"))
}

/// The shared core of a client: clones share the credentials cache, HTTP connections and
/// the rate limiters.
pub struct Engine<Op, P: ClientProtocol<Op>>
where
    Op: Copy + Eq + Send + Sync + 'static,
{
    inner: Arc<Inner<Op, P>>,
    ops: PhantomData<fn() -> Op>,
}

impl<Op: Copy + Eq + Send + Sync + 'static, P: ClientProtocol<Op>> Clone for Engine<Op, P> {
    fn clone(&self) -> Self {
        Engine {
            inner: Arc::clone(&self.inner),
            ops: PhantomData,
        }
    }
}

impl<Op: Copy + Eq + Send + Sync + 'static, P: ClientProtocol<Op>> fmt::Debug for Engine<Op, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("settings", &self.inner.settings)
            .field("url", &self.inner.endpoint.base_url)
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

struct Inner<Op, P: ClientProtocol<Op>>
where
    Op: Copy + Eq + Send + Sync + 'static,
{
    settings: P::Settings,
    endpoint: Endpoint,
    credentials: SharedCredentials,
    retry: RetryPolicy,
    /// Per operation, by [`ClientProtocol::index`]; `None` for no client-side limit.
    limiters: Vec<Option<DefaultDirectRateLimiter>>,
    /// Per operation, by [`ClientProtocol::index`]: its QPS limit; `None` for none.
    limits: Vec<Option<NonZeroU32>>,
    /// Where the limits are kept when shared beyond this client.
    shared_budget: Option<Arc<dyn SharedBudget>>,
    /// Per operation, by [`ClientProtocol::index`]: whether its deprecation was logged (a
    /// flag per operation, so it never grows).
    deprecation_logged: Box<[AtomicBool]>,
    sender: Sender,
}

impl<Op: Copy + Eq + Send + Sync + 'static, P: ClientProtocol<Op>> Engine<Op, P> {
    /// The vendor's settings, as built.
    pub(crate) fn settings(&self) -> &P::Settings {
        &self.inner.settings
    }

    /// Where it sends.
    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// Its credentials cache: the credentials it signs with now
    /// ([`SharedCredentials::cached`]) and when they expire
    /// ([`SharedCredentials::expiry`]).
    pub fn credentials(&self) -> &SharedCredentials {
        &self.inner.credentials
    }

    /// Sends a request of the vendor's own (a lookup a call depends on) through the
    /// client's transport, with the checks every answer passes; `action` names it in errors.
    // Huawei's account-ID lookup is the one user so far.
    #[cfg_attr(not(feature = "huawei"), allow(dead_code))]
    pub(crate) async fn send_raw(
        &self,
        action: &'static str,
        request: HttpRequest,
    ) -> Result<HttpResponse, Error> {
        self.inner.sender.send(action, request).await
    }

    /// The operation of a by-name call; an unknown name is an [`Error::InvalidRequest`].
    pub(crate) fn op_named(name: &str) -> Result<Op, Error> {
        P::lookup(name).ok_or_else(|| Error::InvalidRequest {
            action: name.to_owned(),
            message: "no operation of this service has that name".into(),
        })
    }

    /// The signed HTTP request of `prepared` at `timestamp`, with the cached credentials
    /// (fixed ones are cached from the start; before a provider's first answer it signs
    /// with empty keys): for tests of what one attempt sends.
    // Huawei's test hooks sign a prepared request; Tencent's sign raw bodies.
    #[cfg_attr(not(feature = "huawei"), allow(dead_code))]
    pub(crate) fn sign(&self, prepared: &P::Prepared, timestamp: i64) -> HttpRequest {
        self.sign_with(&self.cached_credentials(), prepared, timestamp)
    }

    /// The cached credentials, or empty keys before a provider's first answer (for the
    /// test hooks that sign without sending).
    pub(crate) fn cached_credentials(&self) -> Credentials {
        self.inner
            .credentials
            .cached()
            .unwrap_or_else(|| Credentials::new("", ""))
    }

    fn sign_with(
        &self,
        credentials: &Credentials,
        prepared: &P::Prepared,
        timestamp: i64,
    ) -> HttpRequest {
        let inner = &self.inner;
        P::sign(
            &inner.settings,
            &inner.endpoint,
            credentials,
            prepared,
            timestamp,
        )
    }

    /// Runs a prepared call: as many attempts as the retry policy and the operation's
    /// idempotence allow, each waiting for the operation's QPS budget, signed afresh,
    /// sent, and read by the protocol. Returns the status, the request id and the JSON of
    /// the success, or the last error whole.
    pub(crate) async fn execute(
        &self,
        op: Op,
        prepared: &P::Prepared,
        options: &CallOptions,
    ) -> Result<Answer, Error> {
        let retry = &self.inner.retry;
        let result = retry::with_retries(
            retry,
            retry.allows(P::idempotent(op), options),
            |attempt| P::span(&self.inner.settings, op, prepared, attempt),
            || self.attempt(op, prepared),
        )
        .await;
        match result {
            Ok(answer) => {
                self.note_deprecation(op, &answer);
                Ok(answer)
            }
            // Once, as the call ends: its errors carry its trace ID.
            Err(err) => Err(err.with_trace_id(P::trace_id(prepared))),
        }
    }

    /// Logs the service's word that `op` is deprecated ([`ClientProtocol::deprecation`]),
    /// once per operation and client (clones share it), as a warning naming the action,
    /// with the first 200 characters of the service's text.
    fn note_deprecation(&self, op: Op, answer: &Answer) {
        let Some(warning) = P::deprecation(answer) else {
            return;
        };
        if !self.inner.deprecation_logged[P::index(op)].swap(true, Ordering::Relaxed) {
            tracing::warn!(
                action = P::name(op),
                warning = shorten(warning).as_str(),
                "the service says this action is deprecated"
            );
        }
    }

    /// [`Engine::execute`], then the answer's JSON decoded into the response model.
    pub(crate) async fn execute_typed<Resp: DeserializeOwned>(
        &self,
        op: Op,
        prepared: &P::Prepared,
        options: &CallOptions,
    ) -> Result<Resp, Error> {
        send::decode(P::name(op), self.execute(op, prepared, options).await?)
            .map_err(|err| err.with_trace_id(P::trace_id(prepared)))
    }

    /// [`Engine::execute`], returning the answer's JSON.
    pub(crate) async fn execute_json(
        &self,
        op: Op,
        prepared: &P::Prepared,
        options: &CallOptions,
    ) -> Result<Value, Error> {
        Ok(self.execute(op, prepared, options).await?.2)
    }

    async fn credentials_for(&self, op: Op) -> Result<Credentials, Error> {
        self.inner
            .credentials
            .get()
            .await
            .map_err(|error| Error::Credentials {
                action: P::name(op),
                error,
            })
    }

    async fn attempt(&self, op: Op, prepared: &P::Prepared) -> Result<Answer, Error> {
        let inner = &self.inner;
        if let Some(limiter) = &inner.limiters[P::index(op)] {
            limiter.until_ready().await;
        }
        let credentials = match (&inner.shared_budget, inner.limits[P::index(op)]) {
            (Some(budget), Some(qps)) => {
                // The budget is the credential's: the keys come first, and are kept
                // through the wait (a cached key is refreshed well ahead of its expiry).
                let credentials = self.credentials_for(op).await?;
                let key = BudgetKey {
                    service: P::service(&inner.settings),
                    access_key_id: credentials.access_key_id(),
                    action: P::name(op),
                };
                budget
                    .acquire(&key, qps)
                    .await
                    .map_err(|error| Error::RateBudget {
                        action: P::name(op),
                        error,
                    })?;
                credentials
            }
            // After the wait for the QPS budget: keys fetched before it could expire in it.
            _ => self.credentials_for(op).await?,
        };
        let request = self.sign_with(&credentials, prepared, unix_now());
        let response = inner.sender.send(P::name(op), request).await?;
        P::read(op, response)
    }
}
