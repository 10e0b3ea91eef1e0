//! Huawei Cloud REST as the mock server speaks it: the route by method and path
//! template, the AK/SK signature over the raw bytes and the headers `SignedHeaders`
//! lists, the `X-Sdk-Date` skew, the operator account's permission actions (any one of
//! an operation's is enough), the typed body, then the mock's rules and defaults. Errors
//! carry Huawei's error body (`error_code`, `error_msg`, `request_id`) with the status
//! the code implies, and every answer an `X-Request-Id`.
//!
//! The same port also plays what temporary credentials and the account ID come from, so
//! the whole credentials story runs on one machine:
//!
//! - the ECS metadata service as the SDK's `MetadataAccessor` reads it:
//!   `PUT /meta-data/latest/api/token` (with `X-Metadata-Token-Ttl-Seconds`, 1 to 21600)
//!   gives a session token; `GET /openstack/latest/securitykey` (with `X-Metadata-Token`)
//!   the instance agency's temporary keys, `{"credential": {"access", "secret",
//!   "securitytoken", "expires_at"}}`, `expires_at` as IAM writes it
//!   (`2024-05-01T08:00:00.000000Z`), the same key until half its lifetime is gone, then a
//!   new one. Once a session token was issued, a request without one (or with one the
//!   server did not issue, or expired) is refused with 401, as a service that enforces
//!   sessions refuses it (the SDK then asks for a new token and tries once more);
//! - IAM's `KeystoneListAuthDomains`, `GET /v3/auth/domains`, signed like any API call:
//!   the account's one domain ([`MockServerBuilder::domain_id`], default
//!   [`DEFAULT_DOMAIN_ID`]), so a client without an account ID finds it.
//!
//! Keys come from the server's [`crate::server::TemporaryKeys`] (lifetime: the builder's
//! `temporary_key_lifetime`); the API (and IAM) accept a request signed with an issued key
//! and carrying its `X-Security-Token` until the key expires, and refuse it afterwards, as
//! with a wrong or missing token, with `APIGW.0301` (HTTP 401) and a message about the
//! security token: API Gateway's code for IAM authentication that failed (its
//! `APIGW.0307` is about IAM tokens, `X-Auth-Token`, which these keys are not).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use serde_json::{json, Value};

use std::process::ExitCode;

use super::client::Huawei;
use super::sign::{self as huawei_sign, ReceivedRequest, VerifyError};
use crate::client::unix_now;
use crate::credentials::Credentials;
use crate::mock::{MockProtocol, Reply};
use crate::paging::Paging;
use crate::server::cli;
use crate::server::http::{Answer, Head, Limits};
use crate::server::session::{SessionProblem, SessionTokens};
use crate::server::{
    refuse, server_settings_setters, shown, Core, HeaderRule, Issued, LogEntry, Pipeline, Refusal,
    RequestCheck, Serve, ServerSettings, ServerState, StartError,
};
use crate::tables::{Access, OperationTable};
use crate::transport::HttpResponse;
use crate::HttpMethod;

/// What a generated Huawei crate tells the server about its service.
pub struct ServiceDef<O> {
    /// The service's name (`partner-center`), for messages.
    pub service: &'static str,
    /// Checks a body against the operation's typed body (operations without a body, or
    /// without a model, are not checked).
    pub check_request: RequestCheck<O>,
    /// The operation's default response body (JSON), as for the in-process mock.
    pub defaults: fn(O) -> Option<&'static str>,
    /// The operation's paging facts, for a list operation (the generated crate's
    /// table; see [`crate::mock::MockTransport::with_paging`]): it answers page by page.
    pub paging: fn(O) -> Option<&'static Paging>,
    /// The operation's path, query and header parameters, checked for presence and
    /// type as the body is.
    pub params: fn(O) -> &'static [Param],
}

/// A path, query or header parameter of a REST operation, as the server checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// The name on the wire: the path placeholder, the query key, the header name.
    pub name: &'static str,
    /// Where the request carries it.
    pub location: ParamIn,
    /// The type of its value (of each value, for a list).
    pub kind: ParamKind,
    /// A list: the query key may repeat.
    pub list: bool,
    /// Whether the request must carry it.
    pub required: bool,
}

impl Param {
    /// An optional, single-valued path placeholder (the generated tables build a
    /// parameter in one line: `Param::path("id", ParamKind::String).required()`).
    pub const fn path(name: &'static str, kind: ParamKind) -> Self {
        Self::at(name, ParamIn::Path, kind)
    }

    /// An optional, single-valued query parameter.
    pub const fn query(name: &'static str, kind: ParamKind) -> Self {
        Self::at(name, ParamIn::Query, kind)
    }

    /// An optional, single-valued header.
    pub const fn header(name: &'static str, kind: ParamKind) -> Self {
        Self::at(name, ParamIn::Header, kind)
    }

    const fn at(name: &'static str, location: ParamIn, kind: ParamKind) -> Self {
        Param {
            name,
            location,
            kind,
            list: false,
            required: false,
        }
    }

    /// The same parameter, which the request must carry.
    pub const fn required(self) -> Self {
        Param {
            required: true,
            ..self
        }
    }

    /// The same parameter as a list (the query key may repeat).
    pub const fn list(self) -> Self {
        Param { list: true, ..self }
    }
}

/// Where a request carries a [`Param`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamIn {
    /// A `{placeholder}` of the path template.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
}

/// The type of a [`Param`]'s value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// Any UTF-8 text.
    String,
    /// A signed 64-bit integer.
    Int64,
    /// An unsigned 64-bit integer.
    Uint64,
    /// A number.
    Float,
    /// `true` or `false`.
    Bool,
}

impl ParamKind {
    /// Why `value` is not of this type, if it is not.
    fn problem(self, value: &[u8]) -> Option<&'static str> {
        let Ok(text) = std::str::from_utf8(value) else {
            return Some("not UTF-8 text");
        };
        let (fits, problem) = match self {
            ParamKind::String => (true, ""),
            ParamKind::Int64 => (text.parse::<i64>().is_ok(), "not an integer (64-bit)"),
            ParamKind::Uint64 => (
                text.parse::<u64>().is_ok(),
                "not an unsigned integer (64-bit)",
            ),
            ParamKind::Float => (
                text.parse::<f64>().is_ok_and(f64::is_finite),
                "not a number",
            ),
            ParamKind::Bool => (matches!(text, "true" | "false"), "not `true` or `false`"),
        };
        (!fits).then_some(problem)
    }
}

/// Checks the path values, query and headers of a request against the operation's
/// parameters: each required one present, none but a list repeated, each value of its
/// type. The error names the parameter.
pub(crate) fn check_params(
    params: &[Param],
    path_names: &[&str],
    path_values: &[&str],
    query: &str,
    head: &Head,
) -> Result<(), String> {
    let pairs = super::request::parse_query(query);
    for param in params {
        let (where_, values): (&str, Vec<Vec<u8>>) = match param.location {
            ParamIn::Path => (
                "path parameter",
                path_names
                    .iter()
                    .zip(path_values)
                    .filter(|(name, _)| **name == param.name)
                    .map(|(_, value)| super::request::percent_decode(value.as_bytes()))
                    .collect(),
            ),
            ParamIn::Query => (
                "query parameter",
                pairs
                    .iter()
                    .filter(|(key, _)| key == param.name.as_bytes())
                    .map(|(_, value)| value.clone())
                    .collect(),
            ),
            ParamIn::Header => (
                "header",
                head.headers
                    .get_all(param.name)
                    .iter()
                    .map(|value| value.as_bytes().to_vec())
                    .collect(),
            ),
        };
        let name = param.name;
        match values.len() {
            0 if param.required => {
                return Err(format!("the required {where_} `{name}` is missing"));
            }
            0 | 1 => {}
            n if !param.list => {
                return Err(format!(
                    "the {where_} `{name}` is given {n} times; it takes one value"
                ));
            }
            _ => {}
        }
        for value in &values {
            if let Some(problem) = param.kind.problem(value) {
                let text = String::from_utf8_lossy(value);
                return Err(format!(
                    "the {where_} `{name}` is `{}`: {problem}",
                    shown(&text)
                ));
            }
        }
    }
    Ok(())
}

impl<O> Clone for ServiceDef<O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O> Copy for ServiceDef<O> {}

/// How far `X-Sdk-Date` may be from the server's clock (APIGW allows 15 minutes).
const MAX_CLOCK_SKEW: u64 = 15 * 60;

/// The account (domain) ID IAM answers unless the builder names another
/// ([`MockServerBuilder::domain_id`]): the generated mocks' clients' `DOMAIN_ID`.
pub const DEFAULT_DOMAIN_ID: &str = "mockdomainid0000";

/// The agency of the ECS instance the metadata endpoint plays: whom its keys are issued to.
pub const DEFAULT_AGENCY: &str = "partnergen-mock-agency";

/// The metadata service's session tokens: `PUT` here.
pub const METADATA_TOKEN_PATH: &str = "/meta-data/latest/api/token";

/// The metadata service's temporary keys: `GET` here.
pub const METADATA_SECURITY_KEY_PATH: &str = "/openstack/latest/securitykey";

/// IAM's `KeystoneListAuthDomains`.
pub const IAM_DOMAINS_PATH: &str = "/v3/auth/domains";

/// The longest session token TTL the metadata service gives: 6 hours.
const MAX_SESSION_TTL: u64 = 6 * 60 * 60;

/// The longest account ID taken (Huawei's are 32 hex digits).
const MAX_DOMAIN_ID: usize = 64;

/// The state of a Huawei REST mock server.
pub struct State<O: OperationTable> {
    core: Core<O, Huawei>,
    service: ServiceDef<O>,
    credentials: HashMap<String, Credentials>,
    /// The account ID IAM answers.
    domain_id: String,
    /// The metadata endpoint's session tokens.
    sessions: SessionTokens,
    startup_permissions: Option<Vec<String>>,
    /// The operator account's permission actions; `None`: every operation is allowed.
    permissions: RwLock<Option<Vec<String>>>,
}

impl<O: OperationTable + Send + Sync> State<O> {
    fn set_permissions(&self, permissions: Option<Vec<String>>) {
        *self.permissions.write().unwrap_or_else(|e| e.into_inner()) = permissions;
    }
}

impl<O: OperationTable + Send + Sync> ServerState for State<O> {
    type Op = O;
    type Protocol = Huawei;

    fn core(&self) -> &Core<O, Huawei> {
        &self.core
    }

    fn reset(&self) {
        self.core.reset();
        self.sessions.clear();
        self.set_permissions(self.startup_permissions.clone());
    }

    const ADMIN_ROUTE: &'static str = "permissions";

    fn admin(&self, body: &Value) -> Result<Value, String> {
        let permissions = match &body["permissions"] {
            Value::Null => None,
            Value::Array(list) => Some(
                list.iter()
                    .map(|p| p.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or("`permissions` holds strings")?,
            ),
            _ => return Err("`permissions` is an array of permission actions or null".into()),
        };
        self.set_permissions(permissions);
        Ok(json!({ "permissions": body["permissions"] }))
    }
}

/// A running Huawei REST mock server.
pub type MockServer<O> = crate::server::MockServer<O, State<O>>;

impl<O: OperationTable + Send + Sync> crate::server::MockServer<O, State<O>> {
    /// Sets the operator account's permission actions (`None`: every operation allowed).
    pub fn set_permissions(&self, permissions: Option<&[&str]>) {
        self.state()
            .set_permissions(permissions.map(|p| p.iter().map(|s| (*s).to_owned()).collect()));
    }
}

/// Configures and starts a Huawei REST [`MockServer`].
pub struct MockServerBuilder<O: OperationTable> {
    service: ServiceDef<O>,
    settings: ServerSettings<O, Huawei>,
    permissions: Option<Vec<String>>,
    domain_id: String,
}

impl<O: OperationTable + Send + Sync> MockServerBuilder<O> {
    /// A server for `service` on `127.0.0.1:0` (a free port), every check on, no
    /// credentials yet, every operation allowed.
    pub fn new(service: ServiceDef<O>) -> Self {
        let mut settings = ServerSettings::new();
        // Huawei's AKs are letters and digits; `AKID` is Tencent's look.
        settings.temporary_key_id_prefix = "TMPAK";
        MockServerBuilder {
            service,
            settings,
            permissions: None,
            domain_id: DEFAULT_DOMAIN_ID.to_owned(),
        }
    }

    server_settings_setters!(O, Huawei);

    /// The account (domain) ID IAM's `GET /v3/auth/domains` answers (default
    /// [`DEFAULT_DOMAIN_ID`]): 1 to 64 letters, digits, `-` or `_`, else refused at start.
    pub fn domain_id(mut self, domain_id: impl Into<String>) -> Self {
        self.domain_id = domain_id.into();
        self
    }

    /// The operator account's permission actions (its role): an operation is allowed
    /// when the account holds any one of its permissions.
    pub fn permissions<S: Into<String>>(
        mut self,
        permissions: impl IntoIterator<Item = S>,
    ) -> Self {
        self.permissions = Some(permissions.into_iter().map(Into::into).collect());
        self
    }

    fn state(self) -> Result<(Arc<State<O>>, SocketAddr, Limits), StartError> {
        let domain_ok = (1..=MAX_DOMAIN_ID).contains(&self.domain_id.len())
            && self
                .domain_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !domain_ok {
            return Err(StartError::Setting(format!(
                "the account ID `{}` is not 1 to {MAX_DOMAIN_ID} letters, digits, - or _",
                shown(&self.domain_id)
            )));
        }
        let (core, credentials, addr, limits) = self
            .settings
            .into_parts(self.service.defaults, self.service.paging)?;
        let state = State {
            core,
            service: self.service,
            credentials,
            domain_id: self.domain_id,
            sessions: SessionTokens::default(),
            startup_permissions: self.permissions.clone(),
            permissions: RwLock::new(self.permissions),
        };
        Ok((Arc::new(state), addr, limits))
    }

    /// Serves one connection over `stream` as if from `peer`, without a listener: the
    /// fuzz targets' way into the whole request path.
    #[doc(hidden)]
    pub async fn serve_stream<S>(self, stream: S, peer: SocketAddr)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
    {
        // Only a server allowed off loopback makes a token (the one way `state` fails),
        // and a stream has no address to allow.
        let Ok((state, _, limits)) = self.state() else {
            return;
        };
        crate::server::http::connection(stream, peer, Arc::new(Serve(state)), limits).await;
    }

    /// Binds and starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<MockServer<O>, StartError> {
        let (state, addr, limits) = self.state()?;
        let handler = Arc::new(Serve(Arc::clone(&state)));
        crate::server::MockServer::launch(state, handler, addr, limits).await
    }

    /// Binds and starts serving on a runtime of its own, for tests that are not async.
    pub fn start_blocking(self) -> Result<MockServer<O>, StartError> {
        let (state, addr, limits) = self.state()?;
        let handler = Arc::new(Serve(Arc::clone(&state)));
        crate::server::MockServer::launch_blocking(state, handler, addr, limits)
    }
}

impl<O: OperationTable + Send + Sync> Pipeline for State<O> {
    /// Each bound is far above any valid value (an AK/SK Authorization is under 512
    /// bytes unless it signs many headers; a security token is a few KB).
    const HEADERS: &'static [HeaderRule] = &[
        HeaderRule {
            name: "Authorization",
            max_bytes: 4096,
            code: "APIGW.0301",
        },
        HeaderRule {
            name: "X-Sdk-Date",
            max_bytes: 32,
            code: "APIGW.0301",
        },
        HeaderRule {
            name: "X-Security-Token",
            max_bytes: 32 << 10,
            code: "APIGW.0301",
        },
        HeaderRule {
            name: "Host",
            max_bytes: 1024,
            code: "CBC.0100",
        },
        HeaderRule {
            name: "Content-Type",
            max_bytes: 256,
            code: "CBC.0100",
        },
        // The metadata endpoint's (its tokens are under 100 bytes).
        HeaderRule {
            name: "X-Metadata-Token",
            max_bytes: 1024,
            code: "APIGW.0201",
        },
        HeaderRule {
            name: "X-Metadata-Token-Ttl-Seconds",
            max_bytes: 32,
            code: "APIGW.0201",
        },
    ];
    const TOO_LARGE: &'static str = "APIGW.0201";
    const UNREADABLE: &'static str = "CBC.0100";

    fn entry(&self, head: &Head) -> LogEntry {
        let mut entry = self.core.entry(head.peer.ip());
        entry.access_key_id = head
            .header("authorization")
            .and_then(huawei_sign::parse_authorization)
            .map(|p| p.access_key.to_owned());
        entry
    }

    fn render(&self, request_id: &str, reply: Reply) -> HttpResponse {
        <Huawei as MockProtocol<O>>::render(reply, request_id)
    }

    /// The ECS metadata endpoint, under `/meta-data/` and `/openstack/`.
    fn outside_api(&self, head: &Head, entry: &mut LogEntry) -> Option<Answer> {
        (head.path.starts_with("/meta-data/") || head.path.starts_with("/openstack/"))
            .then(|| self.metadata(head, entry))
    }

    fn pipeline(&self, head: &Head, body: &[u8], entry: &mut LogEntry) -> Result<Reply, Refusal> {
        let checks = self.core.checks();
        if head.path == IAM_DOMAINS_PATH && head.method == http::Method::GET {
            return self.iam_domains(head, body, entry);
        }
        let not_found = || {
            refuse(
                "APIGW.0101",
                "route",
                format!(
                    "{} has no API `{} {}`",
                    self.service.service,
                    head.method,
                    shown(&head.path)
                ),
            )
        };
        let method: HttpMethod = head.method.as_str().parse().map_err(|_| not_found())?;
        let (operation, path_values) = O::route(method, &head.path).ok_or_else(not_found)?;
        let name = operation.info().name;
        entry.action = Some(name.to_owned());
        // Without the signature X-Sdk-Date is not needed; one that is sent is still
        // held to the clock.
        if checks.clock_skew
            && (checks.signature || head.header(huawei_sign::DATE_HEADER).is_some())
        {
            self.within_clock_skew(head)?;
        }
        if checks.signature {
            self.authenticate(head, body)?;
        }
        if checks.permissions {
            self.authorize(operation, entry)?;
        }
        if checks.parameters {
            let info = operation.info();
            check_params(
                (self.service.params)(operation),
                info.path_params,
                &path_values,
                &head.query,
                head,
            )
            .map_err(|why| refuse("CBC.0100", "parameters", format!("{name}: {why}")))?;
        }
        if checks.parameters && !body.is_empty() {
            if let Some(Err(problem)) = (self.service.check_request)(operation, body) {
                return Err(refuse(
                    "CBC.0100",
                    "parameters",
                    format!("{name}: {} ({})", problem.message, problem.code),
                ));
            }
        }
        let document = Huawei::document(operation, &path_values, &head.query, body)
            .map_err(|why| refuse("CBC.0100", "parameters", why))?;
        self.core.answer(operation, document, entry, "CBC.0999")
    }
}

/// A plain-text answer of the metadata endpoint.
fn text(status: u16, body: impl Into<String>) -> Answer {
    let mut answer = Answer::new(status, body.into().into_bytes());
    answer
        .headers
        .push(("Content-Type".into(), "text/plain; charset=utf-8".into()));
    answer
}

/// `time` as IAM writes expiries: UTC, microseconds, a `Z` (`2024-05-01T08:00:00.000000Z`),
/// the format the SDK parses (`%Y-%m-%dT%H:%M:%S.%fZ`).
fn iam_time(time: std::time::SystemTime) -> String {
    humantime::format_rfc3339_micros(time).to_string()
}

impl<O: OperationTable + Send + Sync> State<O> {
    /// The ECS metadata endpoint: session tokens, and the agency's temporary keys.
    fn metadata(&self, head: &Head, entry: &mut LogEntry) -> Answer {
        entry.decided_by = "metadata";
        let refused = |entry: &mut LogEntry, status: u16, shown_text: &str, why: String| {
            entry.reason = format!("metadata: {why}");
            text(status, shown_text)
        };
        let method_not_allowed = |entry: &mut LogEntry, allowed: &str| {
            let why = format!("{} takes {allowed}, not {}", head.path, head.method);
            let mut answer = refused(entry, 405, "Method Not Allowed", why);
            answer.headers.push(("Allow".into(), allowed.into()));
            answer
        };
        match head.path.as_str() {
            METADATA_TOKEN_PATH => {
                if head.method != http::Method::PUT {
                    return method_not_allowed(entry, "PUT");
                }
                let ttl = head.header("x-metadata-token-ttl-seconds");
                let Some(seconds) = ttl
                    .and_then(|t| t.trim().parse::<u64>().ok())
                    .filter(|s| (1..=MAX_SESSION_TTL).contains(s))
                else {
                    let why = match ttl {
                        None => "the session token request has no X-Metadata-Token-Ttl-Seconds"
                            .to_owned(),
                        Some(value) => format!(
                            "X-Metadata-Token-Ttl-Seconds `{}` is not a whole number of seconds from 1 to {MAX_SESSION_TTL}",
                            shown(value)
                        ),
                    };
                    return refused(entry, 400, "Bad Request", why);
                };
                match self.sessions.issue(std::time::Duration::from_secs(seconds)) {
                    Ok(token) => {
                        entry.reason = format!("metadata: session token issued for {seconds} s");
                        text(200, token)
                    }
                    Err(err) => refused(entry, 503, "Service Unavailable", err.to_string()),
                }
            }
            METADATA_SECURITY_KEY_PATH => {
                if head.method != http::Method::GET {
                    return method_not_allowed(entry, "GET");
                }
                let problem = match head.header("x-metadata-token") {
                    Some(token) => match self.sessions.check(token.trim()) {
                        Ok(()) => None,
                        Err(SessionProblem::Expired) => Some("the session token expired"),
                        Err(SessionProblem::Unknown) => {
                            Some("the session token is not one this service issued")
                        }
                    },
                    None if head.count("x-metadata-token") > 0 => {
                        Some("the session token is not visible ASCII")
                    }
                    None if self.sessions.any_issued() => Some(
                        "the request has no session token (X-Metadata-Token), and sessions are in use",
                    ),
                    None => None,
                };
                if let Some(why) = problem {
                    return refused(entry, 401, "Unauthorized", why.to_owned());
                }
                match self
                    .core
                    .current_for_metadata(DEFAULT_AGENCY, "agency", entry)
                {
                    Ok(issued) => {
                        let credentials = issued.credentials();
                        let body = json!({
                            "credential": {
                                "access": credentials.access_key_id(),
                                "secret": credentials.secret_key().expose(),
                                "securitytoken": credentials.token().map(|t| t.expose()),
                                "expires_at": iam_time(issued.expiry()),
                            }
                        });
                        let mut answer = Answer::new(200, body.to_string().into_bytes());
                        answer
                            .headers
                            .push(("Content-Type".into(), "application/json".into()));
                        answer
                    }
                    Err(err) => refused(entry, 503, "Service Unavailable", err.to_string()),
                }
            }
            other => {
                let why = format!("no metadata at `{}`", shown(other));
                refused(entry, 404, "Not Found", why)
            }
        }
    }

    /// IAM's `KeystoneListAuthDomains`: the account's domain, to a signed request.
    fn iam_domains(
        &self,
        head: &Head,
        body: &[u8],
        entry: &mut LogEntry,
    ) -> Result<Reply, Refusal> {
        entry.action = Some("KeystoneListAuthDomains".to_owned());
        let checks = self.core.checks();
        if checks.clock_skew
            && (checks.signature || head.header(huawei_sign::DATE_HEADER).is_some())
        {
            self.within_clock_skew(head)?;
        }
        if checks.signature {
            self.authenticate(head, body)?;
        }
        entry.decided_by = "iam";
        entry.reason = format!("IAM: the account's domain is {}", self.domain_id);
        let host = head.header("host").unwrap_or("iam.myhuaweicloud.com");
        Ok(Reply::Response(json!({
            "domains": [{
                "id": self.domain_id,
                "name": "partnergen-mock-account",
                "enabled": true,
                "description": "",
                "links": {"self": format!("https://{}/v3/domains/{}", shown(host), self.domain_id)},
            }],
            "links": {"self": format!("https://{}{IAM_DOMAINS_PATH}", shown(host))},
        })))
    }

    fn within_clock_skew(&self, head: &Head) -> Result<(), Refusal> {
        let value = head.header(huawei_sign::DATE_HEADER).ok_or_else(|| {
            refuse(
                "APIGW.0301",
                "signature",
                "the request has no X-Sdk-Date header",
            )
        })?;
        let date = huawei_sign::parse_sdk_date(value.trim()).ok_or_else(|| {
            refuse(
                "APIGW.0301",
                "signature",
                format!("X-Sdk-Date `{}` is not YYYYMMDDTHHMMSSZ", shown(value)),
            )
        })?;
        let skew = unix_now().abs_diff(date);
        if skew > MAX_CLOCK_SKEW {
            return Err(refuse(
                "APIGW.0303",
                "clock-skew",
                format!("X-Sdk-Date {value} is {skew} s from the server's clock (at most {MAX_CLOCK_SKEW} s)"),
            ));
        }
        Ok(())
    }

    /// The AK/SK signature over the raw bytes and the headers `SignedHeaders` lists, which
    /// must include `host` and `x-sdk-date`; and the security token, if the AK has one.
    fn authenticate(&self, head: &Head, body: &[u8]) -> Result<(), Refusal> {
        let failure = |message: String| refuse("APIGW.0301", "signature", message);
        let headers: Vec<(&str, &str)> = head
            .headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
            .collect();
        let received = ReceivedRequest {
            method: head.method.as_str(),
            path: &head.path,
            query: &head.query,
            headers: &headers,
            body,
        };
        // The server's long-term keys first, then the temporary keys it issued.
        let mut issued: Option<Issued> = None;
        let parsed = huawei_sign::verify(&received, |ak| match self.credentials.get(ak) {
            Some(c) => Some(c.secret_key().expose().to_owned()),
            None => {
                issued = self.core.temporary.lookup(ak);
                issued
                    .as_ref()
                    .map(|i| i.credentials().secret_key().expose().to_owned())
            }
        })
        .map_err(|err| {
            failure(match err {
                VerifyError::MissingAuthorization => "the request has no Authorization header".into(),
                VerifyError::MalformedAuthorization => {
                    "the Authorization header is not `SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`".into()
                }
                VerifyError::MissingDate => "the request has no X-Sdk-Date header".into(),
                VerifyError::MissingSignedHeader(name) => {
                    format!("the signed header `{}` is not in the request", shown(&name))
                }
                VerifyError::DuplicateSignedHeader(name) => {
                    format!("the signed header `{}` is in the request more than once", shown(&name))
                }
                VerifyError::UnknownAccessKey(ak) => {
                    format!("the access key `{}` is not known here", shown(&ak))
                }
                VerifyError::SignatureMismatch => format!(
                    "the signature does not match the request as received ({} body bytes)",
                    body.len()
                ),
            })
        })?;
        let signed: Vec<&str> = parsed.signed_header_names().collect();
        for required in ["host", "x-sdk-date"] {
            if !signed.contains(&required) {
                return Err(failure(format!("SignedHeaders must include `{required}`")));
            }
        }
        let credentials = match &issued {
            Some(issued) => issued.credentials(),
            None => &self.credentials[parsed.access_key],
        };
        let token = head.header("x-security-token").filter(|t| !t.is_empty());
        let token_ok = match (credentials.token(), token) {
            (Some(expected), Some(got)) => expected.expose() == got,
            (None, None) => true,
            _ => false,
        };
        let token_failure = |message: String| refuse("APIGW.0301", "token", message);
        if !token_ok {
            let message = "the security token (X-Security-Token) is missing or wrong";
            return Err(if issued.is_some() {
                token_failure(message.into())
            } else {
                failure(message.into())
            });
        }
        if let Some(issued) = issued.filter(Issued::is_expired) {
            return Err(token_failure(format!(
                "the security token of the temporary access key `{}` (agency {}) expired at {}",
                parsed.access_key,
                issued.principal(),
                humantime::format_rfc3339_seconds(issued.expiry())
            )));
        }
        Ok(())
    }

    /// The operator account's permission actions: any one of the operation's unlocks it.
    fn authorize(&self, operation: O, entry: &mut LogEntry) -> Result<(), Refusal> {
        let permissions = self.permissions.read().unwrap_or_else(|e| e.into_inner());
        let Some(held) = permissions.as_ref() else {
            return Ok(());
        };
        let held: Vec<&str> = held.iter().map(String::as_str).collect();
        match operation.access(&held) {
            Access::NoPermissionNeeded => Ok(()),
            Access::Granted(permission) => {
                entry.statement = Some(format!("granted by {permission}"));
                Ok(())
            }
            Access::Denied { unlock_with } => Err(refuse(
                "CBC.0151",
                "permissions",
                format!(
                    "Access denied: the operator account may not call {}; any one of {} would unlock it",
                    operation.info().name,
                    unlock_with.join(", ")
                ),
            )),
        }
    }
}

/// Runs a Huawei REST mock server program; the generated binary's `main` is this one
/// call.
pub fn main<O: OperationTable + Send + Sync>(service: ServiceDef<O>) -> ExitCode {
    cli::exit(service.service, |program, args| run(service, program, args))
}

fn run<O: OperationTable + Send + Sync>(
    service: ServiceDef<O>,
    program: &str,
    args: &[String],
) -> Result<(), String> {
    let Some(options) = cli::options(program, args, true)? else {
        return Ok(());
    };
    let credentials = cli::credentials_from(
        cli::env_var,
        [
            "HUAWEICLOUD_SDK_AK",
            "HUAWEICLOUD_SDK_SK",
            "HUAWEICLOUD_SDK_SECURITY_TOKEN",
        ],
    )?;
    let mut builder = MockServerBuilder::new(service)
        .addr(options.addr)
        .allow_remote(options.allow_remote)
        .checks(options.checks)
        .echo_log(!options.quiet)
        .credentials(credentials);
    if let Some(permissions) = options.permissions {
        builder = builder.permissions(permissions);
    }
    if let Some(lifetime) = options.temporary_key_lifetime {
        builder = builder.temporary_key_lifetime(lifetime);
    }
    let server = builder
        .tls(options.tls)
        .start_blocking()
        .map_err(|e| e.to_string())?;
    if let (Some(path), Some(pem)) = (&options.ca_file, server.ca_pem()) {
        cli::write_ca_file(path, pem)?;
    }
    cli::serve_until_signal(server.url(), server.admin_token())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_built_by_location_then_flags() {
        assert_eq!(
            Param::query("ids", ParamKind::Int64).list().required(),
            Param {
                name: "ids",
                location: ParamIn::Query,
                kind: ParamKind::Int64,
                list: true,
                required: true,
            }
        );
        let header = Param::header("X-Language", ParamKind::String);
        assert_eq!(
            (header.location, header.list, header.required),
            (ParamIn::Header, false, false)
        );
        assert_eq!(
            Param::path("id", ParamKind::String).required().location,
            ParamIn::Path
        );
    }
}
