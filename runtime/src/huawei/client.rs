//! The Huawei Cloud REST protocol of the client engine ([`crate::client`]); generated
//! clients call [`Engine::call`] once per typed operation. What is Huawei's is here:
//!
//! - **The request, as the official SDK sends it.** The method and path template come from
//!   the operation table; the path from [`RestRequest::path`] (parameters already
//!   percent-encoded); the query string is the canonical one the signer computes
//!   ([`canonical_query_string`]: sorted, every byte but `A-Z a-z 0-9 - . _ ~` encoded),
//!   which is also what the SDK sends; the JSON body when the request has one (every POST
//!   and PUT operation does), else no body. Headers: the request's header parameters,
//!   `Content-Type: application/json` (on GETs too, as the SDK does), a `User-Agent`,
//!   `X-Domain-Id` when the client has an account ID (BSS is a global service keyed by
//!   it), `X-Security-Token` for temporary credentials; the signer adds `X-Sdk-Date` and
//!   `Host`, then `Authorization`.
//! - **Signing**: SDK-HMAC-SHA256 ([`super::sign`]), afresh for every attempt.
//! - **Errors**: an error status with `{"error_code", "error_msg", "request_id"}` becomes
//!   [`Error::Api`] with the code's [`ErrorKind`] ([`ErrorKind::of_huawei`], from [`super::codes`]), the HTTP
//!   status, and the request id of the `X-Request-Id` header (else the body's). A 2xx body
//!   that carries an `error_code` is an error too, unless the code is a success code
//!   (`CBC.0000`, which `CheckUserIdentity` sends with every success). See
//!   [`read_response`] for the rest.
//! - **Retries** (the engine's one loop): rate limits (HTTP 429, `APIGW.0308`, a 429
//!   without a code), 5xx answers, transport failures
//!   and timeouts, with the jittered backoff of [`RetryPolicy`], for GET operations only
//!   unless the call opts in ([`CallOptions::retry_even_if_not_idempotent`]). When retries
//!   run out the last error is returned whole, code and request id included.
//! - **Tracing**: one `huaweicloud.call` span per attempt with `operation`, `method`,
//!   `attempt` and `request_id`.
//!
//! There are no client-side rate limits by default: the permission page documents none
//! (the builder's `rate_limit` sets one per operation).

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::credentials::domain::{checked_endpoint, AccountLookup};
use super::credentials::ProfileCredentialProvider;
use super::request::{RequestParts, RestRequest};
use super::sign::{self, canonical_query_string, SigningInput};
use crate::client::{
    codeless_error, encode, not_json, Answer, BuildError, Builder, CallOptions, ClientProtocol,
    Endpoint, Engine, Env, FromEngine, PageFetch, Pages,
};
use crate::credentials::{Credentials, ProvideCredentials};
use crate::error::{ApiError, Error, ErrorKind};
use crate::paging::Paged;
use crate::tables::{match_path, Catalog, OperationInfo, OperationTable};
use crate::transport::{HttpRequest, HttpResponse};
use crate::HttpMethod;

/// Huawei Cloud REST, as a plug-in of the shared core: the client engine's protocol
/// ([`crate::client::ClientProtocol`]) and the mocks' ([`crate::mock::MockProtocol`]).
#[derive(Debug, Clone, Copy)]
pub struct Huawei;

/// The Content-Type every request is sent and signed with, GETs included (as the SDK does).
pub const CONTENT_TYPE: &str = "application/json";
/// The response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";
/// The request header carrying the account (domain) ID.
pub const DOMAIN_ID_HEADER: &str = "X-Domain-Id";
/// The request header carrying the security token of temporary credentials.
pub const SECURITY_TOKEN_HEADER: &str = "X-Security-Token";
/// The `User-Agent` sent unless the builder sets another.
pub const USER_AGENT: &str = concat!("partnergen/", env!("CARGO_PKG_VERSION"));

/// The path placeholder the client fills from its account (domain) ID, as the official
/// SDK fills it from its credentials: requests do not carry it.
pub const ACCOUNT_PLACEHOLDER: &str = "domain_id";

/// What a Huawei client is built with beyond the shared settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The service's short name, for tracing.
    pub service: &'static str,
    /// The account (domain) ID: `X-Domain-Id`, and the `{domain_id}` of the paths that
    /// have one.
    pub domain_id: Option<String>,
    /// The `User-Agent` (signed, like every header).
    pub user_agent: String,
    /// Where to look the account ID up when it is not given (IAM); `None` for the
    /// profile file's `iam_endpoint`, else `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else
    /// [`DEFAULT_IAM_ENDPOINT`](super::credentials::DEFAULT_IAM_ENDPOINT).
    pub iam_endpoint: Option<String>,
    /// Where to ask for the account ID when IAM lists no domain (STS); `None` for
    /// `HUAWEICLOUD_SDK_STS_ENDPOINT`, else
    /// [`DEFAULT_STS_ENDPOINT`](super::credentials::DEFAULT_STS_ENDPOINT).
    pub sts_endpoint: Option<String>,
    /// The account ID looked up, shared by the clones of a client.
    pub(crate) account: Arc<AccountLookup>,
}

impl Settings {
    /// The account ID: given, or looked up already.
    pub fn account_id(&self) -> Option<&str> {
        self.domain_id.as_deref().or_else(|| self.account.found())
    }
}

/// Huawei's operations are those of a permission page's table.
impl<O: OperationTable> Catalog<O> for Huawei {
    fn all() -> &'static [O] {
        O::ALL
    }
    fn index(operation: O) -> usize {
        operation.index()
    }
    fn name(operation: O) -> &'static str {
        operation.info().name
    }
    fn lookup(name: &str) -> Option<O> {
        O::from_name(name)
    }
}

impl<O: OperationTable + Send + Sync> ClientProtocol<O> for Huawei {
    type Settings = Settings;
    type Prepared = Prepared;

    fn qps(_: O) -> Option<u32> {
        None
    }
    fn service(settings: &Settings) -> &str {
        settings.service
    }
    fn idempotent(operation: O) -> bool {
        operation.info().method == HttpMethod::Get
    }
    fn default_credentials(env: Env<'_>) -> Arc<dyn ProvideCredentials> {
        Arc::new(super::credentials::default_chain(env))
    }
    fn settle(settings: &mut Settings, env: Env<'_>) -> Result<(), BuildError> {
        settings.domain_id = settings
            .domain_id
            .take()
            .or_else(|| env(super::credentials::ENV_HUAWEI_DOMAIN_ID))
            .filter(|d| !d.is_empty());
        let endpoint = |what: &str, given: Option<String>| {
            given
                .filter(|e| !e.is_empty())
                .map(|e| checked_endpoint(what, &e).map_err(BuildError::Endpoint))
                .transpose()
        };
        settings.iam_endpoint = endpoint("IAM", settings.iam_endpoint.take())?;
        settings.sts_endpoint = endpoint("STS", settings.sts_endpoint.take())?;
        let env_iam = endpoint("IAM", env(super::credentials::ENV_HUAWEI_IAM_ENDPOINT))?;
        let sts = match settings.sts_endpoint.clone() {
            Some(given) => Some(given),
            None => endpoint("STS", env(super::credentials::ENV_HUAWEI_STS_ENDPOINT))?,
        };
        settings.account = Arc::new(AccountLookup::new(
            settings.iam_endpoint.clone(),
            env_iam,
            sts,
            Some(ProfileCredentialProvider::with_lookup(env)),
        ));
        Ok(())
    }
    fn span(settings: &Settings, operation: O, _: &Prepared, attempt: u32) -> tracing::Span {
        let info = operation.info();
        tracing::info_span!(
            "huaweicloud.call",
            service = settings.service,
            operation = info.name,
            method = info.method.as_str(),
            attempt,
            request_id = tracing::field::Empty
        )
    }
    fn sign(
        settings: &Settings,
        endpoint: &Endpoint,
        credentials: &Credentials,
        prepared: &Prepared,
        timestamp: i64,
    ) -> HttpRequest {
        sign_prepared(settings, endpoint, credentials, prepared, timestamp)
    }
    fn read(operation: O, response: HttpResponse) -> Result<Answer, Error> {
        read_response(operation.info().name, response)
    }
}

impl<O: OperationTable + Send + Sync, C: FromEngine<O, Huawei>> Builder<O, Huawei, C> {
    /// A builder for a service (its short name, for tracing) at its default host (what the
    /// generated `Client::builder()` calls).
    #[doc(hidden)]
    #[allow(clippy::new_ret_no_self)]
    pub fn new(service: &'static str, host: &str) -> Self {
        Builder::with_settings(
            Settings {
                service,
                domain_id: None,
                user_agent: USER_AGENT.to_owned(),
                iam_endpoint: None,
                sts_endpoint: None,
                account: Arc::default(),
            },
            host,
        )
    }

    /// The account (domain) ID, sent as `X-Domain-Id` (BSS is a global service, keyed by
    /// the account) and filling the `{domain_id}` of the paths that have one (requests do
    /// not carry it). Without this, `build` reads `HUAWEICLOUD_SDK_DOMAIN_ID`. Without
    /// either, the first call whose path needs the ID looks it up as the official SDK
    /// does, once for the client and its clones: the profile file's `domain_id` when the
    /// keys are the profile's, else IAM (`GET /v3/auth/domains`, signed with the keys),
    /// else, if IAM lists no domain, STS (`GET /v5/caller-identity`). From then on every
    /// call sends it. A failed lookup fails that call with [`Error::Credentials`] naming
    /// the service and why; the next call that needs the ID tries again.
    pub fn domain_id(mut self, domain_id: impl Into<String>) -> Self {
        self.settings.domain_id = Some(domain_id.into());
        self
    }

    /// The IAM endpoint the account ID is looked up from (`scheme://host[:port]`): a
    /// private deployment, a mock. Without it, the profile file's `iam_endpoint`, else
    /// `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else
    /// [`DEFAULT_IAM_ENDPOINT`](super::credentials::DEFAULT_IAM_ENDPOINT).
    pub fn iam_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.settings.iam_endpoint = Some(endpoint.into());
        self
    }

    /// The STS endpoint asked for the account ID when IAM lists no domain. Without it,
    /// `HUAWEICLOUD_SDK_STS_ENDPOINT`, else
    /// [`DEFAULT_STS_ENDPOINT`](super::credentials::DEFAULT_STS_ENDPOINT).
    pub fn sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.settings.sts_endpoint = Some(endpoint.into());
        self
    }

    /// Another `User-Agent` (it is signed, like every header).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.settings.user_agent = user_agent.into();
        self
    }
}

/// A request ready to sign: everything but the signing time.
pub struct Prepared {
    info: &'static OperationInfo,
    /// Percent-encoded.
    path: String,
    /// Not encoded.
    query: Vec<(&'static str, String)>,
    /// Where it goes: the base URL, the path, and the canonical query string (what the
    /// SDK sends), worked out once for every attempt.
    url: String,
    /// The request's header parameters.
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Prepared {
    /// Refuses a path that leaves a placeholder unfilled or empty: `/orders/{id}` with an
    /// empty `id` would call another API (`/orders/`).
    fn new(
        info: &'static OperationInfo,
        base_url: &str,
        path: String,
        parts: &RequestParts,
        body: Vec<u8>,
    ) -> Result<Self, Error> {
        if path.contains('{') || match_path(info.path, &path).is_none() {
            return Err(Error::InvalidRequest {
                action: info.name.to_owned(),
                message: format!(
                    "a path parameter of `{}` is missing or empty (the path would be `{path}`)",
                    info.path
                ),
            });
        }
        let query = canonical_query_string(parts.query_pairs());
        let url = if query.is_empty() {
            format!("{base_url}{path}")
        } else {
            format!("{base_url}{path}?{query}")
        };
        Ok(Prepared {
            info,
            path,
            query: parts.query_pairs().to_vec(),
            url,
            headers: parts.headers().to_vec(),
            body,
        })
    }
}

impl<O: OperationTable + Send + Sync> Engine<O, Huawei> {
    /// The account (domain) ID sent as `X-Domain-Id`, if any: given, or looked up by an
    /// earlier call (see the builder's `domain_id`).
    pub fn domain_id(&self) -> Option<&str> {
        self.settings().account_id()
    }

    /// Looks the account ID up if the operation's path needs it, `parts` does not give it
    /// and the client has none yet (once for the client and its clones).
    async fn ensure_account(&self, operation: O, parts: &RequestParts) -> Result<(), Error> {
        let info = operation.info();
        if !info.path_params.contains(&ACCOUNT_PLACEHOLDER)
            || parts.has_path(ACCOUNT_PLACEHOLDER)
            || self.domain_id().is_some()
        {
            return Ok(());
        }
        let settings = self.settings();
        settings
            .account
            .get(
                info.name,
                || self.credentials().get(),
                &settings.user_agent,
                |action, request| self.send_raw(action, request),
            )
            .await?;
        Ok(())
    }

    /// Calls the operation of a typed request and decodes the typed response.
    pub async fn call<R>(&self, request: &R, options: &CallOptions) -> Result<R::Response, Error>
    where
        R: RestRequest<Operation = O>,
        R::Body: Serialize,
        R::Response: DeserializeOwned,
    {
        self.ensure_account(R::OPERATION, &request.parts()).await?;
        let prepared = self.typed(request)?;
        self.execute_typed(R::OPERATION, &prepared, options).await
    }

    /// The pages of a list operation (`request` is its first page's request): each page
    /// one [`Engine::call`] with `options`, so the operation's QPS limit, the retries, the
    /// credentials and the account lookup apply to each. See [`Pages`] for the positions
    /// and when a scan ends.
    pub fn pages<R>(&self, request: R, options: &CallOptions) -> Pages<R>
    where
        R: RestRequest<Operation = O> + Paged<Response = <R as RestRequest>::Response>,
        R::Body: Serialize,
        <R as RestRequest>::Response: DeserializeOwned,
    {
        let engine = self.clone();
        let options = *options;
        let fetch: PageFetch<R> = Arc::new(move |page: R| {
            let engine = engine.clone();
            Box::pin(async move { engine.call(&page, &options).await })
        });
        Pages::new(R::OPERATION.info().name, request, fetch)
    }

    /// Calls an operation by name with parameters and a JSON body of the caller's
    /// (`parts` fills the path's placeholders and gives the query and header parameters),
    /// returning the JSON body of the answer: for anything the models do not cover.
    pub async fn call_json(
        &self,
        operation: &str,
        parts: &RequestParts,
        body: Option<&Value>,
        options: &CallOptions,
    ) -> Result<Value, Error> {
        let operation = Self::op_named(operation)?;
        self.ensure_account(operation, parts).await?;
        let body = body.map_or_else(Vec::new, |b| {
            serde_json::to_vec(b).expect("a JSON value serialises")
        });
        let prepared = self.raw(operation, parts, body)?;
        self.execute_json(operation, &prepared, options).await
    }

    /// The signed HTTP request of a typed request, signed at `timestamp` (seconds since
    /// the Unix epoch): what one attempt of [`Engine::call`] sends.
    #[doc(hidden)]
    pub fn signed_request<R>(&self, request: &R, timestamp: i64) -> Result<HttpRequest, Error>
    where
        R: RestRequest<Operation = O>,
        R::Body: Serialize,
    {
        Ok(self.sign(&self.typed(request)?, timestamp))
    }

    /// The signed HTTP request of an operation with these parameters and body bytes,
    /// signed at `timestamp`: what one attempt of [`Engine::call_json`] sends.
    #[doc(hidden)]
    pub fn signed_raw_request(
        &self,
        operation: O,
        parts: &RequestParts,
        body: Vec<u8>,
        timestamp: i64,
    ) -> Result<HttpRequest, Error> {
        Ok(self.sign(&self.raw(operation, parts, body)?, timestamp))
    }

    fn typed<R>(&self, request: &R) -> Result<Prepared, Error>
    where
        R: RestRequest<Operation = O>,
        R::Body: Serialize,
    {
        let info = R::OPERATION.info();
        let body = match request.body() {
            Some(body) => encode(info.name, body)?,
            None => Vec::new(),
        };
        // One `parts()` for the path and the rest (`request.path()` would build them again).
        let parts = self.with_account(info, request.parts())?;
        let path = parts.fill_path(info.path);
        Prepared::new(info, &self.endpoint().base_url, path, &parts, body)
    }

    fn raw(&self, operation: O, parts: &RequestParts, body: Vec<u8>) -> Result<Prepared, Error> {
        let info = operation.info();
        let parts = self.with_account(info, parts.clone())?;
        let path = parts.fill_path(info.path);
        Prepared::new(info, &self.endpoint().base_url, path, &parts, body)
    }

    /// `parts` with the client's account ID as the `{domain_id}` of a path that has one
    /// (unless the parts give it, as a by-name call may).
    fn with_account(
        &self,
        info: &'static OperationInfo,
        parts: RequestParts,
    ) -> Result<RequestParts, Error> {
        if !info.path_params.contains(&ACCOUNT_PLACEHOLDER) || parts.has_path(ACCOUNT_PLACEHOLDER) {
            return Ok(parts);
        }
        match self.domain_id() {
            Some(domain_id) => Ok(parts.path(ACCOUNT_PLACEHOLDER, domain_id)),
            None => Err(Error::MissingSetting {
                action: info.name,
                setting: "the account (domain) ID for its path's `{domain_id}`",
                how: "set it with the builder's `domain_id(..)` or HUAWEICLOUD_SDK_DOMAIN_ID",
            }),
        }
    }
}

fn sign_prepared(
    settings: &Settings,
    endpoint: &Endpoint,
    credentials: &Credentials,
    prepared: &Prepared,
    timestamp: i64,
) -> HttpRequest {
    let mut given: Vec<(&'static str, &str)> = prepared
        .headers
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    given.push(("Content-Type", CONTENT_TYPE));
    given.push(("User-Agent", &settings.user_agent));
    if let Some(domain_id) = settings.account_id() {
        given.push((DOMAIN_ID_HEADER, domain_id));
    }
    if let Some(token) = credentials.token() {
        given.push((SECURITY_TOKEN_HEADER, token.expose()));
    }
    let query: Vec<(&str, &str)> = prepared
        .query
        .iter()
        .map(|(key, value)| (*key, value.as_str()))
        .collect();
    let input = SigningInput {
        method: prepared.info.method.as_str(),
        host: &endpoint.host,
        path: &prepared.path,
        query: &query,
        headers: &given,
        body: &prepared.body,
        timestamp,
    };
    let headers = sign::sign(
        credentials.access_key_id(),
        credentials.secret_key().expose(),
        &input,
    )
    .into_iter()
    .map(|(name, value)| (static_name(&name, &given), value))
    .collect();
    HttpRequest {
        method: prepared.info.method,
        url: prepared.url.clone(),
        headers,
        body: prepared.body.clone(),
    }
}

/// The `'static` spelling of a header name the signer returned: one of the names it was
/// given, or one of those it adds.
fn static_name(name: &str, given: &[(&'static str, &str)]) -> &'static str {
    given
        .iter()
        .map(|(given, _)| *given)
        .chain([
            sign::DATE_HEADER,
            sign::CONTENT_SHA256_HEADER,
            "Host",
            "Authorization",
        ])
        .find(|known| *known == name)
        .expect("the signer returns the headers it is given and the four it adds")
}

/// Whether an `error_code` in a 2xx body means success (`CBC.0000`, as the BSS docs list
/// it and `CheckUserIdentity` sends it).
fn is_success_code(code: &str) -> bool {
    code.ends_with(".0000")
}

/// A string, or a number as text.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The code and message of a JSON error body (`error_code` / `error_msg`; at an error
/// status also `code` / `message`, at the top or under `error`, as the SDK reads them);
/// `None` when there is no non-empty code.
fn error_fields(body: &Value, error_status: bool) -> Option<(String, String)> {
    let object = body.as_object()?;
    let nested = object.get("error").and_then(Value::as_object);
    let field = |primary: &str, secondary: &str| {
        object.get(primary).and_then(text).or_else(|| {
            let fallback = object.get(secondary).or_else(|| nested?.get(secondary));
            fallback.filter(|_| error_status).and_then(text)
        })
    };
    let code = field("error_code", "code").filter(|c| !c.is_empty())?;
    let message = field("error_msg", "message").unwrap_or_default();
    Some((code, message))
}

/// Reads a Huawei answer; returns the status, the request id and the JSON body of a
/// success (`{}` for an empty one).
///
/// - The request id is the `X-Request-Id` header's, else the body's `request_id`.
/// - A 2xx answer is a success unless its body has an `error_code` that is not a
///   success code (`CBC.0000`): then it is an [`Error::Api`] with status 200.
/// - Any other status with a JSON body that has a code (`error_code`, else `code`, at the
///   top or under `error`) is an [`Error::Api`] of that code.
/// - An error status without a code follows the engine's shared rule
///   (the same for every vendor): a 429 (whatever its body) is throttling and a 5xx with an empty
///   or JSON body a server error, each an [`Error::Api`] with an empty code; a 5xx whose
///   body is not JSON, or a 4xx without a code, is an [`Error::Decode`] carrying the status.
/// - A 2xx body that is not JSON is an [`Error::Decode`] too.
pub fn read_response(operation: &'static str, response: HttpResponse) -> Result<Answer, Error> {
    let status = response.status;
    let header_id = response
        .header(REQUEST_ID_HEADER)
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    let error_status = !(200..300).contains(&status);
    let document = if response.body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match serde_json::from_slice::<Value>(&response.body) {
            Ok(document) => Some(document),
            Err(_) if status == 429 || status >= 500 => {
                return Err(codeless_error(
                    operation,
                    &response,
                    header_id,
                    false,
                    String::new(),
                ))
            }
            Err(err) => return Err(not_json(operation, &response, header_id, err)),
        }
    };
    let request_id = header_id.or_else(|| document.as_ref()?.get("request_id").and_then(text));
    let error = document
        .as_ref()
        .and_then(|d| error_fields(d, error_status))
        .filter(|(code, _)| error_status || !is_success_code(code));
    match error {
        Some((code, message)) => Err(Error::Api {
            action: operation,
            error: ApiError {
                kind: ErrorKind::of_huawei(&code, &message, status),
                code,
                message,
                request_id,
                status,
            },
            trace_id: None,
        }),
        None if !error_status => {
            let body = document.unwrap_or_else(|| Value::Object(Default::default()));
            Ok((status, request_id, body))
        }
        None => {
            let message = document
                .as_ref()
                .and_then(|d| d.get("error_msg").or_else(|| d.get("message")))
                .and_then(text)
                .unwrap_or_default();
            Err(codeless_error(
                operation, &response, request_id, true, message,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::RetryPolicy;
    use crate::error::AuthFailure;
    use std::sync::Arc;

    fn response(status: u16, request_id: Option<&str>, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: request_id
                .map(|id| ("x-request-id".to_owned(), id.to_owned()))
                .into_iter()
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn api(result: Result<(u16, Option<String>, Value), Error>) -> ApiError {
        result.unwrap_err().api().expect("an API error").clone()
    }

    #[test]
    fn error_bodies_become_typed_errors() {
        let error = api(read_response(
            "Op",
            response(
                403,
                Some("hdr-1"),
                r#"{"error_code": "CBC.0151", "error_msg": "Access denied.", "request_id": "body-1"}"#,
            ),
        ));
        assert_eq!(
            error,
            ApiError {
                kind: ErrorKind::UnauthorizedOperation,
                code: "CBC.0151".into(),
                message: "Access denied.".into(),
                request_id: Some("hdr-1".into()),
                status: 403,
            }
        );
        // Without the header the body's id; `code` / `message` at an error status.
        let error = api(read_response(
            "Op",
            response(
                429,
                None,
                r#"{"code": "APIGW.0308", "message": "throttled", "request_id": "body-2"}"#,
            ),
        ));
        assert_eq!(
            (
                error.kind,
                error.request_id.as_deref(),
                error.message.as_str()
            ),
            (ErrorKind::RequestLimitExceeded, Some("body-2"), "throttled")
        );
        let error = api(read_response(
            "Op",
            response(
                401,
                None,
                r#"{"error": {"code": "APIGW.0301", "message": "verify aksk signature fail"}}"#,
            ),
        ));
        assert_eq!(
            error.kind,
            ErrorKind::AuthFailure(AuthFailure::SignatureFailure)
        );
    }

    #[test]
    fn a_2xx_body_with_an_error_code_is_an_error_unless_it_means_success() {
        let error = api(read_response(
            "Op",
            response(
                200,
                Some("r"),
                r#"{"error_code": "CBC.5002", "error_msg": "no such customer"}"#,
            ),
        ));
        assert_eq!((error.code.as_str(), error.status), ("CBC.5002", 200));
        let (status, id, body) = read_response(
            "Op",
            response(
                200,
                Some("r"),
                r#"{"error_code": "CBC.0000", "error_msg": "success", "check_result": "available"}"#,
            ),
        )
        .unwrap();
        assert_eq!((status, id.as_deref()), (200, Some("r")));
        assert_eq!(body["check_result"], "available");
        // `code` is an ordinary field of a success body.
        assert!(read_response("Op", response(200, None, r#"{"code": "X"}"#)).is_ok());
        let (_, _, empty) = read_response("Op", response(204, None, "")).unwrap();
        assert_eq!(empty, serde_json::json!({}));
    }

    #[test]
    fn unreadable_answers_keep_their_status() {
        for (status, body) in [(200, "not json"), (404, "{}")] {
            let err = read_response("Op", response(status, Some("r"), body)).unwrap_err();
            assert!(
                matches!(err, Error::Decode { .. }),
                "{status} {body}: {err:?}"
            );
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.request_id(), Some("r"));
            assert!(!err.is_transient());
        }
        // A gateway's HTML page at 5xx is a typed, retried server error.
        let err =
            read_response("Op", response(502, Some("r"), "<html>bad gateway</html>")).unwrap_err();
        assert_eq!(err.kind(), Some(ErrorKind::InternalError), "{err:?}");
        assert_eq!((err.status(), err.request_id()), (Some(502), Some("r")));
        assert!(err.is_transient());
        for body in ["", "{}", r#"{"message": "upstream down"}"#] {
            let error = api(read_response("Op", response(503, None, body)));
            assert_eq!(
                (error.kind, error.code.as_str()),
                (ErrorKind::InternalError, "")
            );
        }
    }

    #[test]
    fn a_429_or_5xx_without_a_vendor_code_is_typed_throttling_or_server_error() {
        for (status, body, kind) in [
            (429, "", ErrorKind::RequestLimitExceeded),
            (429, "{}", ErrorKind::RequestLimitExceeded),
            (
                429,
                r#"{"message": "slow down"}"#,
                ErrorKind::RequestLimitExceeded,
            ),
            (
                429,
                "<html>Too Many Requests</html>",
                ErrorKind::RequestLimitExceeded,
            ),
            (503, "", ErrorKind::InternalError),
        ] {
            let err = read_response("Op", response(status, Some("r"), body)).unwrap_err();
            let error = err
                .api()
                .unwrap_or_else(|| panic!("{status} {body}: {err:?}"));
            assert_eq!(
                (error.kind, error.code.as_str(), error.status),
                (kind, "", status),
                "{status} {body}"
            );
            assert_eq!(err.request_id(), Some("r"));
            assert!(err.is_transient(), "{status} {body}");
        }
    }

    /// Answers each request with the next of `replies` (the last repeats), counting them.
    struct Scripted {
        replies: std::sync::Mutex<Vec<HttpResponse>>,
        seen: std::sync::atomic::AtomicUsize,
    }

    impl crate::transport::Transport for Scripted {
        fn send(&self, _: HttpRequest) -> crate::transport::SendFuture<'_> {
            self.seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut replies = self.replies.lock().unwrap();
            let reply = if replies.len() > 1 {
                replies.remove(0)
            } else {
                replies[0].clone()
            };
            Box::pin(async move { Ok(reply) })
        }
    }

    #[tokio::test]
    async fn a_codeless_429_is_retried_like_vendor_throttling() {
        let transport = Arc::new(Scripted {
            replies: std::sync::Mutex::new(vec![
                response(429, None, "<html>Too Many Requests</html>"),
                response(429, None, "{}"),
                response(200, Some("ok"), r#"{"total": 1}"#),
            ]),
            seen: Default::default(),
        });
        let engine: Engine<Op, Huawei> = Builder::<Op, Huawei>::new("demo", "example.com")
            .credentials(Credentials::new("ak", "sk"))
            .retry_policy(RetryPolicy {
                max_attempts: 3,
                base_delay: std::time::Duration::from_millis(1),
                max_delay: std::time::Duration::from_millis(2),
            })
            .transport(transport.clone())
            .build_with(&|_| None)
            .unwrap();
        let parts = RequestParts::new().path("order_id", "o1");
        let answer = engine
            .call_json("Detail", &parts, None, &CallOptions::default())
            .await
            .unwrap();
        assert_eq!(answer["total"], 1);
        assert_eq!(transport.seen.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Op {
        Detail,
        Invoices,
    }

    impl OperationTable for Op {
        const ALL: &'static [Self] = &[Op::Detail, Op::Invoices];
        const INFO: &'static [OperationInfo] = &[
            OperationInfo {
                name: "Detail",
                method: HttpMethod::Get,
                path: "/v2/orders/{order_id}",
                path_params: &["order_id"],
                scenario: "s",
                sub_scenario: None,
                description: "d",
                permissions: &[],
                console_path: None,
            },
            OperationInfo {
                name: "Invoices",
                method: HttpMethod::Get,
                path: "/v1.0/{domain_id}/invoices",
                path_params: &["domain_id"],
                scenario: "s",
                sub_scenario: None,
                description: "d",
                permissions: &[],
                console_path: None,
            },
        ];
        const BY_PERMISSION: &'static [(&'static str, &'static [Self])] = &[];
        const UNLISTED_NEED_PERMISSION: bool = false;
        fn index(self) -> usize {
            self as usize
        }
    }

    #[tokio::test]
    async fn the_environment_fills_what_was_not_given() {
        let env = |name: &str| match name {
            "HUAWEICLOUD_SDK_AK" => Some("env-ak".to_owned()),
            "HUAWEICLOUD_SDK_SK" => Some("env-sk".to_owned()),
            "HUAWEICLOUD_SDK_DOMAIN_ID" => Some("env-domain".to_owned()),
            _ => None,
        };
        let engine: Engine<Op, Huawei> = Builder::<Op, Huawei>::new("demo", "example.com")
            .build_with(&env)
            .unwrap();
        assert_eq!(engine.domain_id(), Some("env-domain"));
        let credentials = engine.credentials().get().await.unwrap();
        assert_eq!(credentials.access_key_id(), "env-ak");
        let shown = format!("{engine:?}");
        assert!(
            shown.contains("env-ak") && !shown.contains("env-sk"),
            "{shown}"
        );

        let engine: Engine<Op, Huawei> = Builder::<Op, Huawei>::new("demo", "example.com")
            .credentials(Credentials::new("ak", "sk"))
            .domain_id("given")
            .build_with(&env)
            .unwrap();
        let given = engine.credentials().cached().unwrap();
        assert_eq!(
            (engine.domain_id(), given.access_key_id()),
            (Some("given"), "ak")
        );
        // The default chain is asked at the first call, and names what it tried.
        let missing: Engine<Op, Huawei> = Builder::<Op, Huawei>::new("demo", "example.com")
            .build_with(&|_| None)
            .unwrap();
        let err = missing.credentials().get().await.unwrap_err();
        assert!(
            err.to_string()
                .contains("environment variables HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK"),
            "{err}"
        );
        let bad = Builder::<Op, Huawei>::new("demo", "example.com")
            .credentials(Credentials::new("ak", "sk"))
            .endpoint("127.0.0.1:8080")
            .build_with(&|_| None);
        assert!(matches!(bad, Err(crate::client::BuildError::Endpoint(_))));
    }

    #[test]
    fn requests_carry_what_the_sdk_sends() {
        let engine: Engine<Op, Huawei> = Builder::<Op, Huawei>::new("demo", "example.com")
            .credentials(Credentials::new("ak", "sk").with_token("st"))
            .domain_id("d1")
            .endpoint("http://127.0.0.1:9/")
            .build_with(&|_| None)
            .unwrap();
        let parts = RequestParts::new()
            .path("order_id", "a/b")
            .query("z", "1")
            .query("a", "x y")
            .header("X-Language", "en_US");
        let request = engine
            .signed_raw_request(Op::Detail, &parts, Vec::new(), 1_700_000_000)
            .unwrap();
        assert_eq!(request.method, HttpMethod::Get);
        assert_eq!(
            request.url,
            "http://127.0.0.1:9/v2/orders/a%2Fb?a=x%20y&z=1"
        );
        for (name, value) in [
            ("X-Language", "en_US"),
            ("Content-Type", "application/json"),
            ("User-Agent", USER_AGENT),
            ("X-Domain-Id", "d1"),
            ("X-Security-Token", "st"),
            ("X-Sdk-Date", "20231114T221320Z"),
            ("Host", "127.0.0.1:9"),
        ] {
            assert_eq!(request.header(name), Some(value), "{name}");
        }
        assert!(request
            .header("Authorization")
            .unwrap()
            .contains("SignedHeaders=content-type;host;user-agent;x-domain-id;x-language;x-sdk-date;x-security-token,"));
    }

    #[test]
    fn the_client_s_account_id_fills_the_domain_id_path() {
        let build = |domain_id: Option<&str>| {
            let builder = Builder::<Op, Huawei>::new("demo", "example.com")
                .credentials(Credentials::new("ak", "sk"));
            match domain_id {
                Some(d) => builder.domain_id(d),
                None => builder,
            }
            .build_with(&|_| None)
            .unwrap()
        };
        let engine: Engine<Op, Huawei> = build(Some("acct/1"));
        let request = engine
            .signed_raw_request(Op::Invoices, &RequestParts::new(), Vec::new(), 0)
            .unwrap();
        assert_eq!(request.url, "https://example.com/v1.0/acct%2F1/invoices");
        // A by-name call may still give it.
        let parts = RequestParts::new().path("domain_id", "given");
        let request = engine
            .signed_raw_request(Op::Invoices, &parts, Vec::new(), 0)
            .unwrap();
        assert_eq!(request.url, "https://example.com/v1.0/given/invoices");
        // Without one: a typed error naming the operation and how to give the ID.
        let engine: Engine<Op, Huawei> = build(None);
        let err = engine
            .signed_raw_request(Op::Invoices, &RequestParts::new(), Vec::new(), 0)
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::MissingSetting {
                    action: "Invoices",
                    ..
                }
            ),
            "{err:?}"
        );
        let shown = err.to_string();
        assert!(
            shown.contains("domain_id(..)") && shown.contains("HUAWEICLOUD_SDK_DOMAIN_ID"),
            "{shown}"
        );
        // Operations without `{domain_id}` need no account ID.
        assert!(engine
            .signed_raw_request(
                Op::Detail,
                &RequestParts::new().path("order_id", "o"),
                Vec::new(),
                0
            )
            .is_ok());
    }

    #[test]
    fn empty_or_missing_path_parameters_are_refused() {
        let engine: Engine<Op, Huawei> = Builder::<Op, Huawei>::new("demo", "example.com")
            .credentials(Credentials::new("ak", "sk"))
            .build_with(&|_| None)
            .unwrap();
        for parts in [
            RequestParts::new(),
            RequestParts::new().path("order_id", ""),
        ] {
            let err = engine
                .signed_raw_request(Op::Detail, &parts, Vec::new(), 0)
                .unwrap_err();
            assert!(matches!(err, Error::InvalidRequest { .. }), "{err}");
        }
    }

    mod account_lookup {
        use super::*;
        use std::sync::atomic::{AtomicU32, Ordering};
        use wiremock::matchers::{header, method, path};
        use wiremock::{Mock, MockServer, Request, ResponseTemplate};

        fn client(api: &MockServer, iam: &MockServer, env: Env<'_>) -> Engine<Op, Huawei> {
            Builder::<Op, Huawei>::new("demo", "example.com")
                .credentials(
                    Credentials::new("ak-1", "sk-never-shown").with_token("st-never-shown"),
                )
                .endpoint(api.uri())
                .iam_endpoint(iam.uri())
                .sts_endpoint(format!("{}/", iam.uri()))
                .retry_policy(RetryPolicy::disabled())
                .build_with(env)
                .unwrap()
        }

        async fn api_server() -> MockServer {
            let api = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path("/v1.0/acct-9/invoices"))
                .and(header("X-Domain-Id", "acct-9"))
                .respond_with(ResponseTemplate::new(200).set_body_string("{\"total\": 7}"))
                .mount(&api)
                .await;
            api
        }

        async fn invoices(engine: &Engine<Op, Huawei>) -> Result<Value, Error> {
            engine
                .call_json(
                    "Invoices",
                    &RequestParts::new(),
                    None,
                    &CallOptions::default(),
                )
                .await
        }

        #[tokio::test]
        async fn the_account_id_is_looked_up_once_from_iam_after_a_failure() {
            let api = api_server().await;
            let iam = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path("/v3/auth/domains"))
                .respond_with(ResponseTemplate::new(403).set_body_string(
                    r#"{"error_code": "IAM.0002", "error_msg": "sk-never-shown forbidden"}"#,
                ))
                .up_to_n_times(1)
                .mount(&iam)
                .await;
            let asked = Arc::new(AtomicU32::new(0));
            let counter = asked.clone();
            Mock::given(method("GET"))
                .and(path("/v3/auth/domains"))
                .respond_with(move |request: &Request| {
                    counter.fetch_add(1, Ordering::SeqCst);
                    let signed = request
                        .headers
                        .get("authorization")
                        .unwrap()
                        .to_str()
                        .unwrap();
                    let token = request
                        .headers
                        .get("x-security-token")
                        .unwrap()
                        .to_str()
                        .unwrap();
                    assert!(signed.contains("Access=ak-1,"), "{signed}");
                    assert_eq!(token, "st-never-shown");
                    ResponseTemplate::new(200)
                        .set_body_string(r#"{"domains": [{"id": "acct-9", "name": "n"}]}"#)
                        .set_delay(std::time::Duration::from_millis(100))
                })
                .mount(&iam)
                .await;
            let engine = client(&api, &iam, &|_| None);
            assert_eq!(engine.domain_id(), None);
            let err = invoices(&engine).await.unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::Credentials {
                        action: "Invoices",
                        ..
                    }
                ),
                "{err:?}"
            );
            let shown = err.to_string();
            assert!(
                shown.contains(&format!("IAM at {}/v3/auth/domains", iam.uri()))
                    && shown.contains("HTTP 403 IAM.0002")
                    && !shown.contains("never-shown"),
                "{shown}"
            );
            // The next calls, concurrent, from clones: one lookup, then the ID everywhere.
            let calls: Vec<_> = (0..8)
                .map(|_| {
                    let engine = engine.clone();
                    tokio::spawn(async move { invoices(&engine).await })
                })
                .collect();
            for call in calls {
                assert_eq!(call.await.unwrap().unwrap()["total"], 7);
            }
            assert_eq!(asked.load(Ordering::SeqCst), 1);
            assert_eq!(engine.clone().domain_id(), Some("acct-9"));
            // Operations without `{domain_id}` send the ID once known, and never look it up.
            let request = engine
                .signed_raw_request(
                    Op::Detail,
                    &RequestParts::new().path("order_id", "o"),
                    Vec::new(),
                    0,
                )
                .unwrap();
            assert_eq!(request.header("X-Domain-Id"), Some("acct-9"));
        }

        #[tokio::test]
        async fn no_domain_in_iam_asks_sts_and_bad_answers_name_the_service() {
            let api = api_server().await;
            let iam = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path("/v3/auth/domains"))
                .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"domains": []}"#))
                .mount(&iam)
                .await;
            Mock::given(method("GET"))
                .and(path("/v5/caller-identity"))
                .respond_with(ResponseTemplate::new(200).set_body_string("not json"))
                .up_to_n_times(1)
                .mount(&iam)
                .await;
            Mock::given(method("GET"))
                .and(path("/v5/caller-identity"))
                .respond_with(
                    ResponseTemplate::new(200).set_body_string(r#"{"account_id": "acct-9"}"#),
                )
                .mount(&iam)
                .await;
            let engine = client(&api, &iam, &|_| None);
            let err = invoices(&engine).await.unwrap_err();
            assert!(
                err.to_string()
                    .ends_with(&format!("STS at {}/v5/caller-identity (looking up the account ID): unusable answer: not JSON", iam.uri())),
                "{err}"
            );
            assert_eq!(invoices(&engine).await.unwrap()["total"], 7);
            // IAM down (nothing listening): a typed error naming IAM.
            let down = Builder::<Op, Huawei>::new("demo", "example.com")
                .credentials(Credentials::new("ak", "sk"))
                .endpoint(api.uri())
                .iam_endpoint("http://127.0.0.1:9")
                .build_with(&|_| None)
                .unwrap();
            let err = invoices(&down).await.unwrap_err();
            assert!(
                err.to_string().contains("IAM at http://127.0.0.1:9/v3/auth/domains (looking up the account ID): unavailable: KeystoneListAuthDomains: "),
                "{err}"
            );
        }

        #[tokio::test]
        async fn the_profile_s_domain_id_serves_the_profile_s_keys_without_iam() {
            let api = api_server().await;
            let iam = MockServer::start().await;
            let dir =
                std::env::temp_dir().join(format!("partnergen-hw-acct-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let file = dir.join("credentials");
            std::fs::write(&file, "[global]\nak = ak-1\nsk = sk\ndomain_id = acct-9\n").unwrap();
            let file_name = file.display().to_string();
            let env = move |name: &str| {
                (name == "HUAWEICLOUD_SDK_CREDENTIALS_FILE").then(|| file_name.clone())
            };
            let engine = client(&api, &iam, &env);
            assert_eq!(invoices(&engine).await.unwrap()["total"], 7);
            assert!(iam.received_requests().await.unwrap().is_empty());
            // Another AK: the profile's ID is not its account; IAM is asked.
            std::fs::write(&file, "[global]\nak = other\nsk = sk\ndomain_id = acct-0\n").unwrap();
            Mock::given(method("GET"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_string(r#"{"domains": [{"id": "acct-9"}]}"#),
                )
                .mount(&iam)
                .await;
            let engine = client(&api, &iam, &env);
            assert_eq!(invoices(&engine).await.unwrap()["total"], 7);
            assert_eq!(iam.received_requests().await.unwrap().len(), 1);
            std::fs::remove_dir_all(&dir).unwrap();
            // A malformed IAM endpoint is refused at build, naming it.
            let bad = Builder::<Op, Huawei>::new("demo", "example.com")
                .iam_endpoint("iam.example.com/v3")
                .build_with(&|_| None);
            let Err(crate::client::BuildError::Endpoint(why)) = bad else {
                panic!("built");
            };
            assert!(why.contains("IAM endpoint `iam.example.com/v3`"), "{why}");
        }
    }

    #[tokio::test]
    async fn the_default_chain_on_ecs_metadata_survives_expiries_under_concurrent_calls() {
        use std::sync::atomic::{AtomicU32, Ordering};
        use std::sync::Mutex;
        use std::time::{Duration, Instant, SystemTime};
        use wiremock::matchers::method;
        use wiremock::{Mock, MockServer, Request, ResponseTemplate};

        // The metadata service hands out keys living 2 s; the API accepts each until its
        // expiry only.
        let expiries: Arc<Mutex<Vec<SystemTime>>> = Arc::default();
        let metadata = MockServer::start().await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(200).set_body_string("session"))
            .mount(&metadata)
            .await;
        let issued = expiries.clone();
        Mock::given(method("GET"))
            .respond_with(move |_: &Request| {
                let mut issued = issued.lock().unwrap();
                let expiry = SystemTime::now() + Duration::from_secs(2);
                issued.push(expiry);
                let seconds = humantime::format_rfc3339_seconds(expiry).to_string();
                ResponseTemplate::new(200).set_body_json(serde_json::json!({"credential": {
                    "access": format!("temp-ak-{}", issued.len()),
                    "secret": "temp-sk",
                    "securitytoken": format!("{}", issued.len()),
                    "expires_at": format!("{}.000000Z", seconds.trim_end_matches('Z')),
                }}))
            })
            .mount(&metadata)
            .await;
        let api = MockServer::start().await;
        let accepted = Arc::new(AtomicU32::new(0));
        let (valid, counter) = (expiries.clone(), accepted.clone());
        Mock::given(method("GET"))
            .respond_with(move |request: &Request| {
                let token: usize = request.headers["x-security-token"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                let expiry = valid.lock().unwrap()[token - 1];
                if SystemTime::now() >= expiry {
                    return ResponseTemplate::new(401).set_body_string(
                        r#"{"error_code": "APIGW.0307", "error_msg": "token expired"}"#,
                    );
                }
                counter.fetch_add(1, Ordering::SeqCst);
                ResponseTemplate::new(200).set_body_string(format!("{{\"token\": {token}}}"))
            })
            .mount(&api)
            .await;

        let engine: Engine<Op, Huawei> = Builder::<Op, Huawei>::new("demo", "example.com")
            .credentials_provider(super::super::credentials::default_chain_with(
                &|_| None,
                super::super::credentials::MetadataCredentialProvider::new()
                    .endpoint(metadata.uri()),
            ))
            .endpoint(api.uri())
            .retry_policy(RetryPolicy::disabled())
            .build_with(&|_| None)
            .unwrap();
        let deadline = Instant::now() + Duration::from_millis(4500);
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let engine = engine.clone();
                tokio::spawn(async move {
                    let mut tokens = Vec::new();
                    while Instant::now() < deadline {
                        let parts = RequestParts::new().path("order_id", "o1");
                        let answer = engine
                            .call_json("Detail", &parts, None, &CallOptions::default())
                            .await
                            .unwrap();
                        tokens.push(answer["token"].as_u64().unwrap());
                        tokio::time::sleep(Duration::from_millis(40)).await;
                    }
                    tokens
                })
            })
            .collect();
        let mut seen = Vec::new();
        for task in tasks {
            seen.extend(task.await.unwrap());
        }
        seen.sort_unstable();
        seen.dedup();
        let issued = expiries.lock().unwrap().len();
        // Several expiries, one refresh each (never one per caller), no call refused.
        assert!(issued >= 4, "{issued} keys");
        assert_eq!(seen, (1..=issued as u64).collect::<Vec<_>>());
        assert!(accepted.load(Ordering::SeqCst) > 100);
        assert!(engine.credentials().expiry().unwrap() > SystemTime::now());
    }

    mod pages {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Mutex;

        use serde::Deserialize;

        use super::*;
        use crate::client::RetryPolicy;
        use crate::paging::{Paging, PagingPlace, PagingStyle, RequestFields, ResponseFields};
        use crate::transport::{SendFuture, Transport};

        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum ListOp {
            ListThings,
        }

        impl OperationTable for ListOp {
            const ALL: &'static [Self] = &[ListOp::ListThings];
            const INFO: &'static [OperationInfo] = &[OperationInfo {
                name: "ListThings",
                method: HttpMethod::Get,
                path: "/v2/things",
                path_params: &[],
                scenario: "s",
                sub_scenario: None,
                description: "d",
                permissions: &[],
                console_path: None,
            }];
            const BY_PERMISSION: &'static [(&'static str, &'static [Self])] = &[];
            const UNLISTED_NEED_PERMISSION: bool = false;
            fn index(self) -> usize {
                self as usize
            }
        }

        #[derive(Clone, Debug, Default)]
        struct ListThingsRequest {
            offset: Option<i64>,
            limit: Option<i64>,
            status: Option<String>,
        }

        #[derive(Debug, Deserialize)]
        struct ListThingsResponse {
            things: Option<Vec<u32>>,
            count: Option<i64>,
        }

        impl RestRequest for ListThingsRequest {
            type Operation = ListOp;
            const OPERATION: ListOp = ListOp::ListThings;
            type Body = ();
            type Response = ListThingsResponse;
            fn parts(&self) -> RequestParts {
                RequestParts::new()
                    .query("offset", &self.offset)
                    .query("limit", &self.limit)
                    .query("status", &self.status)
            }
            fn body(&self) -> Option<&()> {
                None
            }
        }

        impl Paged for ListThingsRequest {
            type Response = ListThingsResponse;
            type Item = u32;
            const PAGING: Paging = Paging {
                action: "ListThings",
                style: PagingStyle::Offset,
                place: PagingPlace::Query,
                position: "offset",
                size: "limit",
                items: "things",
                total: Some("count"),
                page_size: 10,
                max_page_size: Some(100),
            };
            fn request_fields(&mut self) -> RequestFields<'_> {
                RequestFields {
                    position: &mut self.offset,
                    size: &mut self.limit,
                }
            }
            fn response_fields(response: &mut ListThingsResponse) -> ResponseFields<'_, u32> {
                ResponseFields {
                    items: &mut response.things,
                    total: Some(&mut response.count),
                }
            }
        }

        /// 25 things by offset; the first request at offset 10 is throttled (HTTP 429).
        #[derive(Default)]
        struct ThingServer {
            queries: Mutex<Vec<String>>,
            throttled: AtomicUsize,
        }

        impl Transport for ThingServer {
            fn send(&self, request: HttpRequest) -> SendFuture<'_> {
                let query = request
                    .url
                    .split_once('?')
                    .map_or("", |(_, q)| q)
                    .to_owned();
                self.queries.lock().unwrap().push(query.clone());
                let number = |key: &str| -> u64 {
                    query
                        .split('&')
                        .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
                        .and_then(|v| v.parse().ok())
                        .unwrap()
                };
                let (offset, limit) = (number("offset"), number("limit"));
                let reply = if offset == 10 && self.throttled.fetch_add(1, Ordering::SeqCst) == 0 {
                    response(429, None, "{}")
                } else {
                    let things: Vec<u64> = (offset..(offset + limit).min(25)).collect();
                    let body = serde_json::json!({"things": things, "count": 25});
                    response(200, Some("r"), &body.to_string())
                };
                Box::pin(async move { Ok(reply) })
            }
        }

        #[tokio::test]
        async fn each_page_is_one_call_with_the_query_set_and_retried_like_any() {
            let server = Arc::new(ThingServer::default());
            let engine: Engine<ListOp, Huawei> =
                Builder::<ListOp, Huawei>::new("demo", "example.com")
                    .credentials(Credentials::new("ak", "sk"))
                    .retry_policy(RetryPolicy {
                        max_attempts: 3,
                        base_delay: std::time::Duration::from_millis(1),
                        max_delay: std::time::Duration::from_millis(2),
                    })
                    .transport(server.clone())
                    .build_with(&|_| None)
                    .unwrap();
            let request = ListThingsRequest {
                offset: Some(500),
                limit: None,
                status: Some("active".into()),
            };
            let mut things = engine.pages(request, &CallOptions::default()).items();
            let mut got = Vec::new();
            while let Some(thing) = things.next().await {
                got.push(thing.unwrap());
            }
            assert_eq!(got, (0..25).collect::<Vec<_>>());
            let queries = server.queries.lock().unwrap().clone();
            assert_eq!(queries.len(), 4, "{queries:?}");
            for (query, offset) in queries.iter().zip([0, 10, 10, 20]) {
                assert!(query.contains(&format!("offset={offset}&")), "{query}");
                assert!(
                    query.contains("limit=10") && query.contains("status=active"),
                    "{query}"
                );
            }
        }
    }
}
