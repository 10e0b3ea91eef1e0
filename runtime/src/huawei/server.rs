//! Huawei Cloud REST as the mock server speaks it: the route by method and path
//! template, the AK/SK signature over the raw bytes and the headers `SignedHeaders`
//! lists, the `X-Sdk-Date` skew, the operator account's permission actions (any one of
//! an operation's is enough), the typed body, then the mock's rules and defaults. Errors
//! carry Huawei's error body (`error_code`, `error_msg`, `request_id`) with the status
//! the code implies, and every answer an `X-Request-Id`.

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
use crate::server::cli;
use crate::server::http::{Head, Limits};
use crate::server::{
    refuse, server_settings_setters, shown, Core, HeaderRule, LogEntry, Pipeline, Refusal,
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

/// The state of a Huawei REST mock server.
pub struct State<O: OperationTable> {
    core: Core<O, Huawei>,
    service: ServiceDef<O>,
    credentials: HashMap<String, Credentials>,
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
}

impl<O: OperationTable + Send + Sync> MockServerBuilder<O> {
    /// A server for `service` on `127.0.0.1:0` (a free port), every check on, no
    /// credentials yet, every operation allowed.
    pub fn new(service: ServiceDef<O>) -> Self {
        MockServerBuilder {
            service,
            settings: ServerSettings::new(),
            permissions: None,
        }
    }

    server_settings_setters!(O, Huawei);

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
        let (core, credentials, addr, limits) = self.settings.into_parts(self.service.defaults)?;
        let state = State {
            core,
            service: self.service,
            credentials,
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

    fn pipeline(&self, head: &Head, body: &[u8], entry: &mut LogEntry) -> Result<Reply, Refusal> {
        let checks = self.core.checks();
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

impl<O: OperationTable + Send + Sync> State<O> {
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
        let parsed = huawei_sign::verify(&received, |ak| {
            self.credentials
                .get(ak)
                .map(|c| c.secret_key().expose().to_owned())
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
        let credentials = &self.credentials[parsed.access_key];
        let token = head.header("x-security-token").filter(|t| !t.is_empty());
        match (credentials.token(), token) {
            (Some(expected), Some(got)) if expected.expose() == got => Ok(()),
            (None, None) => Ok(()),
            _ => Err(failure(
                "the security token (X-Security-Token) is missing or wrong".into(),
            )),
        }
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
