//! Tencent Cloud API 3.0 as the mock server speaks it: the checks in the service's order,
//! each refusal with the service's error code, and answers from the mock's rules.
//!
//! The checks, in order (the first that fails answers): the protocol (POST with
//! `application/json`), the body size, the action (`X-TC-Action`) and version, the TC3
//! signature over the raw body bytes and the headers as received (with the clock skew and
//! the session token), the action's QPS, the CAM policies attached to the SecretId
//! (evaluated by [`crate::policy::evaluate`], source IP included), and the parameters
//! (decoded into the typed request). Every API answer is HTTP 200 with
//! `Content-Type: application/json` and a `RequestId`, as the service answers.
//!
//! The same port also serves what temporary credentials come from, so a whole
//! credentials story runs on one machine:
//!
//! - the CVM instance metadata endpoint: `GET /latest/meta-data/cam/security-credentials/`
//!   answers the role's name, `GET /latest/meta-data/cam/security-credentials/<role>` the
//!   role's temporary key as the real service does (`TmpSecretId`, `TmpSecretKey`,
//!   `Token`, `ExpiredTime`, `Expiration`, `Code: Success`), the same key until half its
//!   lifetime is gone, then a new one;
//! - STS (version 2018-08-13): `AssumeRole`, TC3-signed with the server's long-term
//!   credentials and credential scope service `sts`, and `AssumeRoleWithWebIdentity`,
//!   unsigned (`Authorization: SKIP`) as the SDKs send it. A request is STS's when its
//!   `X-TC-Version` is STS's, `2018-08-13`; the `Host` cannot tell (the SDKs send the
//!   endpoint they were given, here `127.0.0.1:PORT`), nor can the action alone.
//!
//! Both issue keys from the server's [`crate::server::TemporaryKeys`] (lifetime: the builder's
//! `temporary_key_lifetime`); the API then accepts a request signed with an issued key
//! and its `X-TC-Token` until the key expires, and refuses it afterwards with
//! `AuthFailure.TokenFailure`, as a wrong or missing token.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde_json::{json, Value};

use std::process::ExitCode;

use super::client::Tencent;
use super::mock::render;
use super::sign::{self as tc3, CanonicalRequest};
use crate::client::unix_now;
use crate::credentials::Credentials;
use crate::mock::{KnownCodes, Reply};
use crate::paging::Paging;
use crate::policy::{evaluate, Decision, Request, Statement};
use crate::server::cli;
use crate::server::http::Answer;
use crate::server::http::{Head, Limits};
use crate::server::{
    lock, refuse, server_settings_setters, shown, Checks, Core, HeaderRule, Issued, LogEntry,
    Pipeline, Refusal, RequestCheck, Serve, ServerSettings, ServerState, StartError,
};
use crate::tables::ActionTable;
use crate::tables::ServiceCodeInfo;
use crate::transport::HttpResponse;

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
    /// The action's paging facts, for a list action (the generated crate's table; see
    /// [`crate::mock::MockTransport::with_paging`]): it answers page by page.
    pub paging: fn(A) -> Option<&'static Paging>,
    /// The service's own error codes, sorted by code (the generated `ServiceError`'s
    /// table; empty where the spec lists none): rules given as JSON may answer with
    /// these and the [`COMMON_CODES`] only.
    pub error_codes: &'static [ServiceCodeInfo],
}

pub use super::codes::COMMON_CODES;

/// The codes a Tencent service's mocks answer with: its own (`error_codes`, the
/// generated `ServiceError`'s table) and the [`COMMON_CODES`]. With no codes of its own,
/// any code is accepted.
pub fn known_codes(error_codes: &'static [ServiceCodeInfo]) -> KnownCodes {
    KnownCodes {
        service: error_codes,
        common: COMMON_CODES,
    }
}

impl<A> Clone for ServiceDef<A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A> Copy for ServiceDef<A> {}

/// The role a server's metadata endpoint serves and its STS lets assume, unless the
/// builder names others ([`MockServerBuilder::role`]).
pub const DEFAULT_ROLE: &str = "partnergen-mock-role";

/// STS's API version: a request with this `X-TC-Version` is STS's.
pub const STS_VERSION: &str = "2018-08-13";

/// STS's service name, in the credential scope of a signed `AssumeRole`.
pub const STS_SERVICE: &str = "sts";

/// The path of the CVM metadata endpoint's roles; `<role>` after it gives the role's key.
pub const METADATA_ROLES_PATH: &str = "/latest/meta-data/cam/security-credentials/";

/// The longest role name CAM takes.
const MAX_ROLE_NAME: usize = 128;

/// Whether `name` is a CAM role name: 1 to 128 characters of letters, digits and
/// `+=,.@_-`.
fn is_role_name(name: &str) -> bool {
    (1..=MAX_ROLE_NAME).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// A running Tencent Cloud API 3.0 mock server.
pub type MockServer<A> = crate::server::MockServer<A, State<A>>;

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

/// The state of a Tencent Cloud API 3.0 mock server.
pub struct State<A: ActionTable> {
    core: Core<A, Tencent>,
    service: ServiceDef<A>,
    max_clock_skew: u64,
    startup_principals: Principals,
    principals: RwLock<Principals>,
    /// Per SecretId (per role for temporary keys), then per action (by
    /// `ActionTable::index`).
    limiters: Mutex<HashMap<String, HashMap<usize, DefaultDirectRateLimiter>>>,
    /// The roles the metadata endpoint serves (the first) and STS lets assume.
    roles: Vec<String>,
    /// STS's requests per second, all callers together, when the builder limits them.
    sts_limiter: Option<(std::num::NonZeroU32, DefaultDirectRateLimiter)>,
}

impl<A: ActionTable + Send + Sync> State<A> {
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
}

impl<A: ActionTable + Send + Sync> ServerState for State<A> {
    type Op = A;
    type Protocol = Tencent;

    fn core(&self) -> &Core<A, Tencent> {
        &self.core
    }

    fn reset(&self) {
        self.core.reset();
        lock(&self.limiters).clear();
        *self.principals.write().unwrap_or_else(|e| e.into_inner()) =
            self.startup_principals.clone();
    }

    const ADMIN_ROUTE: &'static str = "policies";

    fn admin(&self, body: &Value) -> Result<Value, String> {
        let secret_id = body["secret_id"]
            .as_str()
            .ok_or("`secret_id` is a string")?;
        let documents = match &body["policies"] {
            Value::Null => None,
            Value::Array(list) => Some(list.as_slice()),
            _ => return Err("`policies` is an array of policy documents or null".into()),
        };
        self.set_policies(secret_id, documents)?;
        Ok(json!({ "secret_id": secret_id }))
    }
}

impl<A: ActionTable + Send + Sync> crate::server::MockServer<A, State<A>> {
    /// The builder.
    pub fn builder(service: ServiceDef<A>) -> MockServerBuilder<A> {
        MockServerBuilder::new(service)
    }

    /// Replaces the policies of a SecretId (an empty list denies everything, as for a
    /// CAM sub-user without policies); the error names the document and the position.
    pub fn set_policies(&self, secret_id: &str, documents: &[Value]) -> Result<(), String> {
        self.state().set_policies(secret_id, Some(documents))
    }

    /// Removes every policy of a SecretId: it is no longer restricted.
    pub fn clear_policies(&self, secret_id: &str) {
        self.state()
            .set_policies(secret_id, None)
            .expect("removing cannot fail");
    }
}

/// Configures and starts a Tencent Cloud API 3.0 [`MockServer`].
pub struct MockServerBuilder<A: ActionTable> {
    service: ServiceDef<A>,
    settings: ServerSettings<A, Tencent>,
    policies: Vec<(String, Value)>,
    roles: Vec<String>,
    sts_qps: Option<u32>,
}

impl<A: ActionTable + Send + Sync> MockServerBuilder<A> {
    /// A server for `service` on `127.0.0.1:0` (a free port), every check on, no
    /// credentials yet.
    pub fn new(service: ServiceDef<A>) -> Self {
        MockServerBuilder {
            service,
            settings: ServerSettings::new(),
            policies: Vec::new(),
            roles: Vec::new(),
            sts_qps: None,
        }
    }

    server_settings_setters!(A, Tencent);

    /// A CAM role the server knows (may be given several times): its STS lets
    /// `AssumeRole` name it (`qcs::cam::uin/<any UIN>:roleName/<name>`), and the first
    /// one is the instance's role on the metadata endpoint. Without any, the one role is
    /// [`DEFAULT_ROLE`]. A name CAM would refuse (1 to 128 of letters, digits, `+=,.@_-`)
    /// is refused at start.
    pub fn role(mut self, name: impl Into<String>) -> Self {
        self.roles.push(name.into());
        self
    }

    /// Limits STS (`AssumeRole` and `AssumeRoleWithWebIdentity` together, whoever asks) to
    /// `per_second` requests per second, a burst of one second's worth: requests over it
    /// are refused with `RequestLimitExceeded`, as a throttled STS answers, so a client's
    /// handling of it can be tested. Unlimited unless set (the `qps` check is the API's
    /// and does not switch this). Zero is refused at start.
    pub fn sts_qps(mut self, per_second: u32) -> Self {
        self.sts_qps = Some(per_second);
        self
    }

    /// Attaches a CAM policy document to a SecretId; may be given several times. A
    /// SecretId with policies is evaluated like a CAM sub-user; one without is not
    /// restricted.
    pub fn policy(mut self, secret_id: impl Into<String>, document: Value) -> Self {
        self.policies.push((secret_id.into(), document));
        self
    }

    fn state(self) -> Result<(Arc<State<A>>, SocketAddr, Limits), StartError> {
        let roles = if self.roles.is_empty() {
            vec![DEFAULT_ROLE.to_owned()]
        } else {
            self.roles
        };
        if let Some(bad) = roles.iter().find(|r| !is_role_name(r)) {
            return Err(StartError::Setting(format!(
                "role `{}` is not a CAM role name (1 to {MAX_ROLE_NAME} of letters, digits and +=,.@_-)",
                shown(bad)
            )));
        }
        let sts_limiter = match self.sts_qps {
            None => None,
            Some(per_second) => {
                let per_second = std::num::NonZeroU32::new(per_second).ok_or_else(|| {
                    StartError::Setting(
                        "sts_qps: STS requests per second must be at least 1".into(),
                    )
                })?;
                Some((
                    per_second,
                    RateLimiter::direct(Quota::per_second(per_second)),
                ))
            }
        };
        let (core, credentials, addr, limits) = self
            .settings
            .into_parts(self.service.defaults, self.service.paging)?;
        core.mock
            .set_known_codes(known_codes(self.service.error_codes));
        let mut principals = Principals {
            credentials,
            ..Principals::default()
        };
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
        let state = State {
            core,
            service: self.service,
            max_clock_skew: 300,
            startup_principals: principals.clone(),
            principals: RwLock::new(principals),
            limiters: Mutex::new(HashMap::new()),
            roles,
            sts_limiter,
        };
        Ok((Arc::new(state), addr, limits))
    }

    /// Serves one connection over `stream` as if from `peer`, without a listener: the
    /// fuzz targets' way into the whole request path.
    #[doc(hidden)]
    pub async fn serve_stream<S>(self, stream: S, peer: SocketAddr) -> Result<(), StartError>
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
    {
        let (state, _, limits) = self.state()?;
        crate::server::http::connection(stream, peer, Arc::new(Serve(state)), limits).await;
        Ok(())
    }

    /// Binds and starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<MockServer<A>, StartError> {
        let (state, addr, limits) = self.state()?;
        let handler = Arc::new(Serve(Arc::clone(&state)));
        crate::server::MockServer::launch(state, handler, addr, limits).await
    }

    /// Binds and starts serving on a runtime of its own (two worker threads), for
    /// tests that are not async; it stops when the handle is dropped.
    pub fn start_blocking(self) -> Result<MockServer<A>, StartError> {
        let (state, addr, limits) = self.state()?;
        let handler = Arc::new(Serve(Arc::clone(&state)));
        crate::server::MockServer::launch_blocking(state, handler, addr, limits)
    }
}

/// A header of API 3.0 that must be there at most once, within `max_bytes`.
const fn header(name: &'static str, max_bytes: usize) -> HeaderRule {
    HeaderRule {
        name,
        max_bytes,
        code: "InvalidParameter",
    }
}

impl<A: ActionTable + Send + Sync> Pipeline for State<A> {
    /// Each bound is far above any valid value (action names are under 64 bytes, a
    /// TC3 Authorization under 512 unless it signs many headers, STS tokens a few KB).
    const HEADERS: &'static [HeaderRule] = &[
        HeaderRule {
            name: "Authorization",
            max_bytes: 4096,
            code: "AuthFailure.InvalidAuthorization",
        },
        header("X-TC-Action", 128),
        header("X-TC-Version", 64),
        header("X-TC-Timestamp", 32),
        header("X-TC-Token", 16 << 10),
        header("X-TC-Content-SHA256", 128),
        header("Content-Type", 256),
        header("Host", 1024),
    ];
    const TOO_LARGE: &'static str = "RequestSizeLimitExceeded";
    const UNREADABLE: &'static str = "InvalidParameter";

    /// A new request's log entry: its id, where it came from, who it claims to be
    /// (verified or not, the log names it) and the action it names.
    fn entry(&self, head: &Head) -> LogEntry {
        let mut entry = self.core.entry(head.peer.ip());
        // Who the request claims to be, verified or not: the log names it either way.
        entry.access_key_id = claimed_secret_id(head);
        entry.action = head.header("x-tc-action").map(str::to_owned);
        entry
    }

    /// The envelope, with the entry's `RequestId` (a response's own, e.g. a vendor
    /// example's, is replaced so the log can be joined).
    fn render(&self, request_id: &str, reply: Reply) -> HttpResponse {
        let reply = match reply {
            Reply::Response(Value::Object(mut response)) => {
                response.insert("RequestId".into(), Value::from(request_id));
                Reply::Response(Value::Object(response))
            }
            other => other,
        };
        render(reply, request_id)
    }

    /// The CVM instance metadata endpoint, under `/latest/meta-data/`.
    fn outside_api(&self, head: &Head, entry: &mut LogEntry) -> Option<Answer> {
        head.path
            .starts_with("/latest/meta-data/")
            .then(|| self.metadata(head, entry))
    }

    /// The checks in the service's order; the reply of a request that passes them all.
    fn pipeline(&self, head: &Head, body: &[u8], entry: &mut LogEntry) -> Result<Reply, Refusal> {
        let checks = self.core.checks();
        if head.method != http::Method::POST {
            return Err(refuse(
                "UnsupportedProtocol",
                "protocol",
                format!(
                    "this mock server takes POST requests with a JSON body (the SDKs' default), not {}",
                    head.method
                ),
            ));
        }
        let content_type = head.header("content-type").unwrap_or_default();
        let media_type = content_type.split(';').next().unwrap_or_default().trim();
        if !media_type.eq_ignore_ascii_case("application/json") {
            return Err(refuse(
                "UnsupportedProtocol",
                "protocol",
                format!(
                    "this mock server takes Content-Type application/json, not `{}`",
                    shown(content_type)
                ),
            ));
        }
        let name = head.header("x-tc-action").ok_or_else(|| {
            let why = if head.count("x-tc-action") > 0 {
                "X-TC-Action has bytes that are not visible ASCII"
            } else {
                "the request has no X-TC-Action header"
            };
            refuse("MissingParameter", "action", why)
        })?;
        if head.header("x-tc-version") == Some(STS_VERSION) {
            return self.sts(head, body, &checks, name, entry);
        }
        let action = A::from_name(name).ok_or_else(|| {
            refuse(
                "InvalidAction",
                "action",
                format!(
                    "`{}` is not an action of {}",
                    shown(name),
                    self.service.service
                ),
            )
        })?;
        match head.header("x-tc-version") {
            None => {
                return Err(refuse(
                    "MissingParameter",
                    "version",
                    "the request has no X-TC-Version header",
                ))
            }
            Some(version) if version != self.service.version => {
                return Err(refuse(
                    "NoSuchVersion",
                    "version",
                    format!(
                        "{} has no version `{}` (this server serves {})",
                        self.service.service,
                        shown(version),
                        self.service.version
                    ),
                ))
            }
            Some(_) => {}
        }
        entry.access_key_id = self.authenticate(head, body, &checks, self.service.service)?;
        if checks.qps {
            // A role's temporary keys share the role's budget (and the limiters stay as
            // many as the principals, however many keys are issued).
            let budget =
                entry
                    .access_key_id
                    .as_deref()
                    .map(|id| match self.core.temporary.lookup(id) {
                        Some(issued) => format!("role:{}", issued.principal()),
                        None => id.to_owned(),
                    });
            self.within_qps(budget.as_deref(), action)?;
        }
        if checks.policies {
            self.authorize(head, action, entry)?;
        }
        if checks.parameters {
            if let Some(Err(problem)) = (self.service.check_request)(action, body) {
                return Err(refuse(
                    problem.code,
                    "parameters",
                    format!("{name}: {}", problem.message),
                ));
            }
        }
        let request: Value =
            serde_json::from_slice(body).unwrap_or_else(|_| Value::Object(Default::default()));
        self.core.answer(action, request, entry, "InternalError")
    }
}

/// `time` as RFC 3339 in UTC, whole seconds (`2024-05-01T12:00:00Z`), as the services
/// write expiries.
fn rfc3339(time: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

/// Seconds since the Unix epoch.
fn unix_seconds(time: std::time::SystemTime) -> u64 {
    time.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A plain-text answer of the metadata endpoint.
fn text(status: u16, body: impl Into<String>) -> Answer {
    let mut answer = Answer::new(status, body.into().into_bytes());
    answer
        .headers
        .push(("Content-Type".into(), "text/plain; charset=utf-8".into()));
    answer
}

/// The parameters of an STS request, as the body's JSON object.
struct StsParams(serde_json::Map<String, Value>);

impl StsParams {
    fn parse(body: &[u8]) -> Result<Self, Refusal> {
        let bad = |message: String| refuse("InvalidParameter.ParamError", "parameters", message);
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Ok(StsParams(map)),
            Ok(_) => Err(bad("the body is not a JSON object".into())),
            Err(err) => Err(bad(format!(
                "the body is not JSON (line {}, column {})",
                err.line(),
                err.column()
            ))),
        }
    }

    /// A string parameter of at most `max` bytes: required when `required`.
    fn text(&self, name: &str, max: usize, required: bool) -> Result<Option<&str>, Refusal> {
        match self.0.get(name) {
            None | Some(Value::Null) if required => Err(refuse(
                "MissingParameter",
                "parameters",
                format!("the request has no {name}"),
            )),
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(value)) if value.is_empty() && required => Err(refuse(
                "MissingParameter",
                "parameters",
                format!("{name} is empty"),
            )),
            Some(Value::String(value)) if value.len() > max => Err(refuse(
                "InvalidParameter.ParamError",
                "parameters",
                format!("{name} is {} bytes, more than {max}", value.len()),
            )),
            Some(Value::String(value)) => Ok(Some(value)),
            Some(_) => Err(refuse(
                "InvalidParameter.ParamError",
                "parameters",
                format!("{name} is not a string"),
            )),
        }
    }
}

/// The longest STS lets a key live, in seconds (12 hours); the server's own lifetime
/// caps what it issues further.
const STS_MAX_DURATION: u64 = 43_200;

fn claimed_secret_id(head: &Head) -> Option<String> {
    let parsed = tc3::parse_authorization(head.header("authorization")?)?;
    Some(parsed.secret_id.to_owned())
}

impl<A: ActionTable + Send + Sync> State<A> {
    /// STS: `AssumeRole` (signed, scope service `sts`) and `AssumeRoleWithWebIdentity`
    /// (unsigned); each issues a temporary key of the role the `RoleArn` names.
    fn sts(
        &self,
        head: &Head,
        body: &[u8],
        checks: &Checks,
        action: &str,
        entry: &mut LogEntry,
    ) -> Result<Reply, Refusal> {
        let web_identity = match action {
            "AssumeRole" => false,
            "AssumeRoleWithWebIdentity" => true,
            other => {
                return Err(refuse(
                    "InvalidAction",
                    "action",
                    format!(
                        "`{}` is not an action of sts on this mock server (it serves AssumeRole \
                         and AssumeRoleWithWebIdentity)",
                        shown(other)
                    ),
                ))
            }
        };
        if web_identity {
            // Unsigned, as the SDKs send it: whatever the Authorization says, nobody is
            // authenticated (the web identity token stands for the caller).
            entry.access_key_id = None;
        } else {
            entry.access_key_id = self.authenticate(head, body, checks, STS_SERVICE)?;
        }
        if let Some((per_second, limiter)) = &self.sts_limiter {
            limiter.check().map_err(|_| {
                refuse(
                    "RequestLimitExceeded",
                    "qps",
                    format!(
                        "this mock server's STS allows {per_second} requests per second \
                         (its sts_qps); this one is over"
                    ),
                )
            })?;
        }
        let params = StsParams::parse(body)?;
        let role_arn = params.text("RoleArn", 1024, true)?.unwrap_or_default();
        let session = params
            .text("RoleSessionName", 1024, true)?
            .unwrap_or_default();
        let session_ok = (2..=128).contains(&session.len())
            && session
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
        if !session_ok {
            return Err(refuse(
                "InvalidParameter.ParamError",
                "parameters",
                format!(
                    "RoleSessionName `{}` is not 2 to 128 of letters, digits and +=,.@_-",
                    shown(session)
                ),
            ));
        }
        let duration = match params.0.get("DurationSeconds") {
            None | Some(Value::Null) => None,
            Some(value) => match value.as_u64() {
                Some(seconds @ 1..=STS_MAX_DURATION) => Some(seconds),
                _ => {
                    return Err(refuse(
                        "InvalidParameter.OverTimeError",
                        "parameters",
                        format!(
                            "DurationSeconds `{}` is not a whole number of seconds from 1 to {STS_MAX_DURATION}",
                            shown(&value.to_string())
                        ),
                    ))
                }
            },
        };
        params.text("Policy", 2048, false)?;
        if web_identity {
            params.text("ProviderId", 256, true)?;
            let token = params
                .text("WebIdentityToken", 16 << 10, true)?
                .unwrap_or_default();
            // An OIDC token is a JWT: three base64url parts, the first two not empty.
            let parts: Vec<&str> = token.trim().split('.').collect();
            let jwt = parts.len() == 3
                && parts[..2].iter().all(|p| !p.is_empty())
                && parts.iter().all(|p| {
                    p.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
                });
            if !jwt {
                return Err(refuse(
                    "InvalidParameter.WebIdentityTokenError",
                    "parameters",
                    "WebIdentityToken is not a JWT (three base64url parts separated by dots)",
                ));
            }
        }
        let role = self.assumable_role(role_arn)?;
        let issued = self
            .core
            .temporary
            .issue(role, duration.map(std::time::Duration::from_secs))
            .map_err(|err| refuse("LimitExceeded", "sts", err.to_string()))?;
        let credentials = issued.credentials();
        entry.decided_by = "sts";
        entry.reason = format!(
            "{action}: issued temporary key {} of role {role} (session {session}), expiring at {}",
            credentials.access_key_id(),
            rfc3339(issued.expiry())
        );
        Ok(Reply::Response(json!({
            "Credentials": {
                "Token": credentials.token().map(|t| t.expose()),
                "TmpSecretId": credentials.access_key_id(),
                "TmpSecretKey": credentials.secret_key().expose(),
            },
            "ExpiredTime": unix_seconds(issued.expiry()),
            "Expiration": rfc3339(issued.expiry()),
        })))
    }

    /// The role a `RoleArn` (`qcs::cam::uin/<UIN>:roleName/<name>`) names, if the server
    /// knows it.
    fn assumable_role(&self, role_arn: &str) -> Result<&str, Refusal> {
        let name = role_arn
            .strip_prefix("qcs::cam::uin/")
            .and_then(|rest| rest.split_once(":roleName/"))
            .filter(|(uin, _)| !uin.is_empty() && uin.bytes().all(|b| b.is_ascii_digit()))
            .map(|(_, name)| name)
            .ok_or_else(|| {
                refuse(
                    "InvalidParameter.ParamError",
                    "parameters",
                    format!(
                        "RoleArn `{}` is not qcs::cam::uin/UIN:roleName/NAME",
                        shown(role_arn)
                    ),
                )
            })?;
        self.roles
            .iter()
            .find(|role| *role == name)
            .map(String::as_str)
            .ok_or_else(|| {
                refuse(
                    "ResourceNotFound.RoleNotFound",
                    "sts",
                    format!("the account has no role `{}`", shown(name)),
                )
            })
    }

    /// The CVM instance metadata endpoint: the role's name, and its temporary key.
    fn metadata(&self, head: &Head, entry: &mut LogEntry) -> Answer {
        entry.decided_by = "metadata";
        let rest = head.path["/latest/meta-data/".len()..].to_owned();
        let not_found = |entry: &mut LogEntry, why: String| {
            entry.reason = why;
            text(404, "Not Found")
        };
        if head.method != http::Method::GET {
            entry.reason = format!("the metadata endpoint takes GET, not {}", head.method);
            return text(405, "Method Not Allowed");
        }
        let role = match rest.strip_prefix("cam/security-credentials") {
            Some("" | "/") => "",
            Some(tail) if tail.starts_with('/') => &tail[1..],
            _ => {
                return not_found(entry, format!("no metadata at `{}`", shown(&head.path)));
            }
        };
        if role.is_empty() {
            entry.reason = format!("metadata: the instance's role is {}", self.roles[0]);
            return text(200, self.roles[0].clone());
        }
        // One path segment naming a known role, exactly: `..`, `/` or an encoded name
        // name nothing.
        let Some(role) = self.roles.iter().find(|known| known.as_str() == role) else {
            return not_found(
                entry,
                format!("metadata: the instance has no role `{}`", shown(role)),
            );
        };
        match self.core.current_for_metadata(role, "role", entry) {
            Ok(issued) => {
                let credentials = issued.credentials();
                let body = json!({
                    "TmpSecretId": credentials.access_key_id(),
                    "TmpSecretKey": credentials.secret_key().expose(),
                    "ExpiredTime": unix_seconds(issued.expiry()),
                    "Expiration": rfc3339(issued.expiry()),
                    "Token": credentials.token().map(|t| t.expose()),
                    "Code": "Success",
                });
                Answer::new(200, body.to_string().into_bytes())
            }
            Err(err) => text(503, err.to_string()),
        }
    }

    /// Who signed the request: the SecretId, verified when the signature check is on.
    fn authenticate(
        &self,
        head: &Head,
        body: &[u8],
        checks: &Checks,
        service: &str,
    ) -> Result<Option<String>, Refusal> {
        let authorization = head.header("authorization");
        let parsed = authorization.and_then(tc3::parse_authorization);
        let parse_timestamp = |value: &str| -> Result<i64, Refusal> {
            value.parse().map_err(|_| {
                refuse(
                    "InvalidParameter",
                    "signature",
                    format!(
                        "X-TC-Timestamp `{}` is not a Unix time in seconds",
                        shown(value)
                    ),
                )
            })
        };
        let timestamp = || -> Result<i64, Refusal> {
            let value = head.header("x-tc-timestamp").ok_or_else(|| {
                refuse(
                    "MissingParameter",
                    "signature",
                    "the request has no X-TC-Timestamp header",
                )
            })?;
            parse_timestamp(value)
        };
        let check_skew = |timestamp: i64| {
            // abs_diff: any two i64 are at most u64::MAX apart, so no value overflows.
            let skew = unix_now().abs_diff(timestamp);
            if skew > self.max_clock_skew {
                return Err(refuse(
                    "AuthFailure.SignatureExpire",
                    "clock-skew",
                    format!(
                        "X-TC-Timestamp {timestamp} is {skew} s from the server's clock (at most {} s)",
                        self.max_clock_skew
                    ),
                ));
            }
            Ok(())
        };
        if !checks.signature {
            // Without the signature a timestamp is not needed; one that is sent is
            // still held to the clock.
            if let (true, Some(value)) = (checks.clock_skew, head.header("x-tc-timestamp")) {
                check_skew(parse_timestamp(value)?)?;
            }
            return Ok(parsed.map(|p| p.secret_id.to_owned()));
        }
        if authorization.is_none() {
            return Err(refuse(
                "AuthFailure",
                "signature",
                "the request has no Authorization header",
            ));
        }
        let Some(parsed) = parsed else {
            return Err(refuse(
                "AuthFailure.InvalidAuthorization",
                "signature",
                format!(
                    "the Authorization header is not `{} Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=..., Signature=...`",
                    tc3::ALGORITHM
                ),
            ));
        };
        let timestamp = timestamp()?;
        if checks.clock_skew {
            check_skew(timestamp)?;
        }
        // The server's long-term keys first, then the temporary keys it issued.
        let long_term = self.principals().credentials.get(parsed.secret_id).cloned();
        let (credentials, issued): (Credentials, Option<Issued>) = match long_term {
            Some(credentials) => (credentials, None),
            None => match self.core.temporary.lookup(parsed.secret_id) {
                Some(issued) => (issued.credentials().clone(), Some(issued)),
                None => {
                    return Err(refuse(
                        "AuthFailure.SecretIdNotFound",
                        "signature",
                        format!(
                            "the SecretId `{}` is not known here",
                            shown(parsed.secret_id)
                        ),
                    ))
                }
            },
        };
        let failure =
            |message: String| refuse("AuthFailure.SignatureFailure", "signature", message);
        if parsed.service != service {
            return Err(failure(format!(
                "the credential scope names service `{}`, not `{service}`",
                shown(parsed.service),
            )));
        }
        let date = tc3::scope_date(timestamp);
        if parsed.date != date {
            return Err(failure(format!(
                "the credential scope's date {} is not the date of X-TC-Timestamp ({date})",
                shown(parsed.date)
            )));
        }
        let names: Vec<&str> = parsed.signed_headers.split(';').collect();
        if !names.contains(&"content-type") || !names.contains(&"host") {
            return Err(failure(format!(
                "SignedHeaders `{}` must include content-type and host",
                shown(parsed.signed_headers)
            )));
        }
        let values = names
            .iter()
            .map(|name| {
                let value = head.header(name).ok_or_else(|| {
                    failure(format!(
                        "the signed header `{}` is not in the request",
                        shown(name)
                    ))
                })?;
                if head.count(name) > 1 {
                    return Err(failure(format!(
                        "the signed header `{name}` is in the request more than once"
                    )));
                }
                // The docs' canonical form has X-TC-Action's value in lower case.
                Ok(if *name == "x-tc-action" {
                    value.trim().to_ascii_lowercase()
                } else {
                    value.trim().to_owned()
                })
            })
            .collect::<Result<Vec<String>, Refusal>>()?;
        let signed: Vec<(&str, &str)> = names
            .iter()
            .copied()
            .zip(values.iter().map(String::as_str))
            .collect();
        let payload_hash = if head.header("x-tc-content-sha256") == Some("UNSIGNED-PAYLOAD") {
            tc3::payload_hash(b"UNSIGNED-PAYLOAD")
        } else {
            tc3::payload_hash(body)
        };
        let canonical = CanonicalRequest {
            method: head.method.as_str(),
            uri: &head.path,
            query: &head.query,
            headers: &signed,
            payload_hash: &payload_hash,
        }
        .to_string();
        let expected = tc3::sign_canonical(
            credentials.secret_key().expose(),
            service,
            timestamp,
            &canonical,
        );
        if expected != parsed.signature {
            return Err(failure(format!(
                "the signature does not match the request as received ({} body bytes, signed headers {})",
                body.len(),
                shown(parsed.signed_headers)
            )));
        }
        let token = head.header("x-tc-token").filter(|t| !t.is_empty());
        match (credentials.token(), token) {
            (Some(expected), Some(got)) if expected.expose() == got => {}
            (None, None) => {}
            (Some(_), _) => {
                return Err(refuse(
                    "AuthFailure.TokenFailure",
                    "token",
                    "the session token (X-TC-Token) is missing or wrong",
                ))
            }
            (None, Some(_)) => {
                return Err(refuse(
                    "AuthFailure.TokenFailure",
                    "token",
                    format!(
                        "the SecretId `{}` has no session token, but X-TC-Token is set",
                        shown(parsed.secret_id)
                    ),
                ))
            }
        }
        if let Some(issued) = issued {
            if issued.is_expired() {
                return Err(refuse(
                    "AuthFailure.TokenFailure",
                    "token",
                    format!(
                        "the temporary key `{}` (role {}) expired at {}",
                        parsed.secret_id,
                        issued.principal(),
                        rfc3339(issued.expiry())
                    ),
                ));
            }
        }
        Ok(Some(parsed.secret_id.to_owned()))
    }

    /// The action's QPS from the permission table, per SecretId. The budget allows a
    /// burst of one second's worth, so a client that keeps to the limit is never refused.
    fn within_qps(&self, secret_id: Option<&str>, action: A) -> Result<(), Refusal> {
        let info = action.info();
        let qps = info.qps.get();
        let Some(per_second) = std::num::NonZeroU32::new(qps) else {
            return Ok(());
        };
        let secret_id = secret_id.unwrap_or_default();
        let mut limiters = lock(&self.limiters);
        // Looked up by &str first: a known SecretId costs no allocation per request.
        if !limiters.contains_key(secret_id) {
            limiters.insert(secret_id.to_owned(), HashMap::new());
        }
        let limiter = limiters
            .get_mut(secret_id)
            .expect("inserted above")
            .entry(action.index())
            .or_insert_with(|| RateLimiter::direct(Quota::per_second(per_second)));
        limiter.check().map_err(|_| {
            let source = if info.qps.is_documented() {
                "documented"
            } else {
                "assumed"
            };
            refuse(
                "RequestLimitExceeded",
                "qps",
                format!(
                    "{} allows {qps} requests per second ({source}); this one is over",
                    info.name
                ),
            )
        })
    }

    /// The CAM policies of the SecretId, if it has any.
    fn authorize(&self, head: &Head, action: A, entry: &mut LogEntry) -> Result<(), Refusal> {
        let Some(secret_id) = entry.access_key_id.as_deref() else {
            return Ok(());
        };
        let Some(policies) = self.principals().policies.get(secret_id).cloned() else {
            return Ok(());
        };
        let trace = evaluate(
            self.service.service,
            &policies,
            &Request {
                action,
                source_ip: Some(head.peer.ip()),
                resource: "*",
            },
        );
        let qualified = format!("{}:{}", self.service.service, action.info().name);
        entry.statement = trace
            .decided_by
            .as_ref()
            .map(|o| format!("policy {}, {}", o.policy, o.statement));
        match trace.decision {
            Decision::Allow => Ok(()),
            Decision::Deny => {
                let why = match &trace.decided_by {
                    Some(o) => format!(
                        "denied by policy {}, {}: {}",
                        o.policy, o.statement, o.reason
                    ),
                    None => "no statement of the SecretId's policies allows it".to_owned(),
                };
                Err(refuse(
                    "AuthFailure.UnauthorizedOperation",
                    "policies",
                    format!(
                        "you are not authorized to perform operation ({qualified}) from {}: {why}",
                        head.peer.ip()
                    ),
                ))
            }
        }
    }
}

/// Runs a Tencent Cloud API 3.0 mock server program; the generated binary's `main` is
/// this one call.
pub fn main<A: ActionTable + Send + Sync>(service: ServiceDef<A>) -> ExitCode {
    cli::exit(service.service, |program, args| run(service, program, args))
}

fn run<A: ActionTable + Send + Sync>(
    service: ServiceDef<A>,
    program: &str,
    args: &[String],
) -> Result<(), String> {
    let Some(options) = cli::options(program, args, false)? else {
        return Ok(());
    };
    let credentials = cli::credentials_from(
        cli::env_var,
        [
            "TENCENTCLOUD_SECRET_ID",
            "TENCENTCLOUD_SECRET_KEY",
            "TENCENTCLOUD_SESSION_TOKEN",
        ],
    )?;
    let mut builder = MockServerBuilder::new(service)
        .addr(options.addr)
        .allow_remote(options.allow_remote)
        .checks(options.checks)
        .echo_log(!options.quiet);
    for path in &options.policies {
        builder = builder.policy(credentials.access_key_id(), cli::read_policy(path)?);
    }
    for role in options.roles {
        builder = builder.role(role);
    }
    if let Some(lifetime) = options.temporary_key_lifetime {
        builder = builder.temporary_key_lifetime(lifetime);
    }
    let server = builder
        .tls(options.tls)
        .credentials(credentials)
        .start_blocking()
        .map_err(|e| e.to_string())?;
    if let (Some(path), Some(pem)) = (&options.ca_file, server.ca_pem()) {
        cli::write_ca_file(path, pem)?;
    }
    cli::serve_until_signal(server.url(), server.admin_token())
}
