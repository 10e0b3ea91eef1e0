//! The Huawei Cloud REST client engine. Generated clients are thin: one method per typed
//! operation, each a single call into [`Engine::call`]. Everything with logic is here:
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
//! - **Signing**: SDK-HMAC-SHA256 ([`crate::huawei_sign`]), afresh for every attempt.
//! - **Errors**: an error status with `{"error_code", "error_msg", "request_id"}` becomes
//!   [`Error::Api`] with the code's [`ErrorKind`] ([`ErrorKind::of_huawei`]), the HTTP
//!   status, and the request id of the `X-Request-Id` header (else the body's). A 2xx body
//!   that carries an `error_code` is an error too, unless the code is a success code
//!   (`CBC.0000`, which `CheckUserIdentity` sends with every success). See
//!   [`read_response`] for the rest.
//! - **Retries**: rate limits (HTTP 429, `APIGW.0308`), 5xx answers, transport failures
//!   and timeouts, with the jittered backoff of [`RetryPolicy`], for GET operations only
//!   unless the call opts in ([`CallOptions::retry_even_if_not_idempotent`]). When retries
//!   run out the last error is returned whole, code and request id included.
//! - **Tracing**: one `huaweicloud.call` span per attempt with `operation`, `method`,
//!   `attempt` and `request_id`.
//!
//! There are no client-side rate limits: the permission page documents none.

use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::engine::{BuildError, CallOptions, RetryPolicy};
use crate::credentials::{Credentials, ENV_HUAWEI_DOMAIN_ID};
use crate::engine::{
    self, not_json, preview, unix_now, with_retries, Answer, HttpSettings, Sender,
};
use crate::error::{ApiError, Error, ErrorKind};
use crate::huawei_sign::{self, canonical_query_string, SigningInput};
use crate::rest::{RequestParts, RestRequest};
use crate::tables::{match_path, OperationInfo, OperationTable};
use crate::transport::{HttpRequest, HttpResponse};
use crate::HttpMethod;

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

/// What a [`Builder`] builds: the engine itself, or a generated client wrapping it.
pub trait FromEngine<O: OperationTable> {
    /// Wraps a freshly built engine.
    fn from_engine(engine: Engine<O>) -> Self;
}

impl<O: OperationTable> FromEngine<O> for Engine<O> {
    fn from_engine(engine: Engine<O>) -> Self {
        engine
    }
}

/// Builds an [`Engine`], or a generated client (`C`) around one.
pub struct Builder<O: OperationTable, C = Engine<O>> {
    service: &'static str,
    http: HttpSettings,
    credentials: Option<Credentials>,
    domain_id: Option<String>,
    user_agent: String,
    output: PhantomData<fn() -> (O, C)>,
}

impl<O: OperationTable, C: FromEngine<O>> Builder<O, C> {
    /// A builder for a service (its short name, for tracing) at its default host.
    pub fn new(service: &'static str, host: &str) -> Self {
        Builder {
            service,
            http: HttpSettings::new(format!("https://{host}")),
            credentials: None,
            domain_id: None,
            user_agent: USER_AGENT.to_owned(),
            output: PhantomData,
        }
    }

    /// The credentials to sign with: `Credentials::new(ak, sk)`, with
    /// `with_token(security_token)` for temporary ones. Without this, `build` reads
    /// `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK` and `HUAWEICLOUD_SDK_SECURITY_TOKEN`
    /// ([`Credentials::from_huawei_default_chain_with`]); finding none, the error names
    /// the variables.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The account (domain) ID, sent as `X-Domain-Id` (BSS is a global service, keyed by
    /// the account). Without this, `build` reads `HUAWEICLOUD_SDK_DOMAIN_ID`; without
    /// either the header is left out. (It does not fill a request's `{domain_id}` path
    /// parameter: the request carries that one.)
    pub fn domain_id(mut self, domain_id: impl Into<String>) -> Self {
        self.domain_id = Some(domain_id.into());
        self
    }

    /// Another `User-Agent` (it is signed, like every header).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    crate::engine::http_settings_setters!();

    /// Builds the client.
    pub fn build(self) -> Result<C, BuildError> {
        self.build_with(|name| std::env::var(name).ok())
    }

    /// Builds, reading what was not given from the environment through `env`.
    fn build_with(self, env: impl Fn(&str) -> Option<String>) -> Result<C, BuildError> {
        let credentials = match self.credentials {
            Some(c) => c,
            None => Credentials::from_huawei_default_chain_with(&env)
                .map_err(BuildError::Credentials)?,
        };
        let domain_id = self
            .domain_id
            .or_else(|| env(ENV_HUAWEI_DOMAIN_ID))
            .filter(|d| !d.is_empty());
        let retry = self.http.retry;
        let connection = self.http.connect()?;
        Ok(C::from_engine(Engine {
            inner: Arc::new(Inner {
                service: self.service,
                base_url: format!("{}://{}", connection.scheme, connection.host),
                host: connection.host,
                credentials,
                domain_id,
                user_agent: self.user_agent,
                retry,
                sender: connection.sender,
            }),
            operations: PhantomData,
        }))
    }
}

/// The shared core of a client: clones share credentials and HTTP connections.
#[derive(Clone)]
pub struct Engine<O: OperationTable> {
    inner: Arc<Inner>,
    operations: PhantomData<fn() -> O>,
}

impl<O: OperationTable> std::fmt::Debug for Engine<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("service", &self.inner.service)
            .field("url", &self.inner.base_url)
            .field("credentials", &self.inner.credentials)
            .field("domain_id", &self.inner.domain_id)
            .finish_non_exhaustive()
    }
}

struct Inner {
    service: &'static str,
    /// `scheme://host[:port]`, no trailing `/`.
    base_url: String,
    host: String,
    credentials: Credentials,
    domain_id: Option<String>,
    user_agent: String,
    retry: RetryPolicy,
    sender: Sender,
}

/// A request ready to sign: everything but the signing time.
struct Prepared {
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

impl<O: OperationTable> Engine<O> {
    /// The account (domain) ID sent as `X-Domain-Id`, if any.
    pub fn domain_id(&self) -> Option<&str> {
        self.inner.domain_id.as_deref()
    }

    /// Calls the operation of a typed request and decodes the typed response.
    pub async fn call<R>(&self, request: &R, options: &CallOptions) -> Result<R::Response, Error>
    where
        R: RestRequest<Operation = O>,
        R::Body: Serialize,
        R::Response: DeserializeOwned,
    {
        let prepared = self.typed(request)?;
        engine::decode(prepared.info.name, self.send(&prepared, options).await?)
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
        let operation = O::from_name(operation).ok_or_else(|| Error::InvalidRequest {
            action: operation.to_owned(),
            message: "no operation of this service has that name".into(),
        })?;
        let body = body.map_or_else(Vec::new, |b| {
            serde_json::to_vec(b).expect("a JSON value serialises")
        });
        let prepared = self.raw(operation, parts, body)?;
        Ok(self.send(&prepared, options).await?.2)
    }

    /// The signed HTTP request of a typed request, signed at `timestamp` (seconds since
    /// the Unix epoch): what one attempt of [`Engine::call`] sends.
    pub fn signed_request<R>(&self, request: &R, timestamp: i64) -> Result<HttpRequest, Error>
    where
        R: RestRequest<Operation = O>,
        R::Body: Serialize,
    {
        Ok(self.sign(&self.typed(request)?, timestamp))
    }

    /// The signed HTTP request of an operation with these parameters and body bytes,
    /// signed at `timestamp`: what one attempt of [`Engine::call_json`] sends.
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
            Some(body) => engine::encode(info.name, body)?,
            None => Vec::new(),
        };
        // One `parts()` for the path and the rest (`request.path()` would build them again).
        let parts = request.parts();
        let path = parts.fill_path(info.path);
        Prepared::new(info, &self.inner.base_url, path, &parts, body)
    }

    fn raw(&self, operation: O, parts: &RequestParts, body: Vec<u8>) -> Result<Prepared, Error> {
        let info = operation.info();
        let path = parts.fill_path(info.path);
        Prepared::new(info, &self.inner.base_url, path, parts, body)
    }

    /// Sends with retries; returns the status, the request id and the JSON body of a
    /// success.
    async fn send(&self, prepared: &Prepared, options: &CallOptions) -> Result<Answer, Error> {
        let info = prepared.info;
        let retry = &self.inner.retry;
        with_retries(
            retry,
            retry.allows(info.method == HttpMethod::Get, options),
            |attempt| {
                tracing::info_span!(
                    "huaweicloud.call",
                    service = self.inner.service,
                    operation = info.name,
                    method = info.method.as_str(),
                    attempt,
                    request_id = tracing::field::Empty
                )
            },
            || self.attempt(prepared),
        )
        .await
    }

    /// One attempt: sign with a fresh `X-Sdk-Date`, send, read the answer.
    async fn attempt(&self, prepared: &Prepared) -> Result<Answer, Error> {
        let name = prepared.info.name;
        let request = self.sign(prepared, unix_now());
        let response = self.inner.sender.send(name, request).await?;
        read_response(name, response)
    }

    fn sign(&self, prepared: &Prepared, timestamp: i64) -> HttpRequest {
        let inner = &self.inner;
        let credentials = &inner.credentials;
        let mut given: Vec<(&'static str, &str)> = prepared
            .headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        given.push(("Content-Type", CONTENT_TYPE));
        given.push(("User-Agent", &inner.user_agent));
        if let Some(domain_id) = &inner.domain_id {
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
            host: &inner.host,
            path: &prepared.path,
            query: &query,
            headers: &given,
            body: &prepared.body,
            timestamp,
        };
        let headers = huawei_sign::sign(
            credentials.secret_id(),
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
}

/// The `'static` spelling of a header name the signer returned: one of the names it was
/// given, or one of those it adds.
fn static_name(name: &str, given: &[(&'static str, &str)]) -> &'static str {
    given
        .iter()
        .map(|(given, _)| *given)
        .chain([
            huawei_sign::DATE_HEADER,
            huawei_sign::CONTENT_SHA256_HEADER,
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
/// - A 5xx without a code (an empty or JSON body) is an [`Error::Api`] of kind
///   `InternalError` with an empty code.
/// - A body that is not JSON, and an error status without a code below 500, are
///   [`Error::Decode`] errors carrying the status.
pub fn read_response(operation: &'static str, response: HttpResponse) -> Result<Answer, Error> {
    let status = response.status;
    let header_id = response
        .header(REQUEST_ID_HEADER)
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    let document = if response.body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match serde_json::from_slice::<Value>(&response.body) {
            Ok(document) => Some(document),
            Err(err) => return Err(not_json(operation, &response, header_id, err)),
        }
    };
    let request_id = header_id.or_else(|| document.as_ref()?.get("request_id").and_then(text));
    let success = (200..300).contains(&status);
    let error = document
        .as_ref()
        .and_then(|d| error_fields(d, !success))
        .filter(|(code, _)| !(success && is_success_code(code)));
    let api_error = |kind, code, message| Error::Api {
        action: operation,
        error: ApiError {
            kind,
            code,
            message,
            request_id: request_id.clone(),
            status,
        },
    };
    match error {
        Some((code, message)) => Err(api_error(
            ErrorKind::of_huawei(&code, &message, status),
            code,
            message,
        )),
        None if success => {
            let body = document.unwrap_or_else(|| Value::Object(Default::default()));
            Ok((status, request_id, body))
        }
        None if status >= 500 => {
            let message = document
                .as_ref()
                .and_then(|d| d.get("error_msg").or_else(|| d.get("message")))
                .and_then(text)
                .unwrap_or_default();
            Err(api_error(ErrorKind::InternalError, String::new(), message))
        }
        None => Err(Error::Decode {
            action: operation,
            status,
            request_id,
            message: format!(
                "an HTTP {status} answer without an error code: {:?}",
                preview(&response.body)
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AuthFailure;

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
        for (status, body) in [
            (502, "<html>bad gateway</html>"),
            (200, "not json"),
            (404, "{}"),
        ] {
            let err = read_response("Op", response(status, Some("r"), body)).unwrap_err();
            assert!(
                matches!(err, Error::Decode { .. }),
                "{status} {body}: {err:?}"
            );
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.request_id(), Some("r"));
            assert_eq!(err.is_transient(), status >= 500);
        }
        for body in ["", "{}", r#"{"message": "upstream down"}"#] {
            let error = api(read_response("Op", response(503, None, body)));
            assert_eq!(
                (error.kind, error.code.as_str()),
                (ErrorKind::InternalError, "")
            );
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Op {
        Detail,
    }

    impl OperationTable for Op {
        const ALL: &'static [Self] = &[Op::Detail];
        const INFO: &'static [OperationInfo] = &[OperationInfo {
            name: "Detail",
            method: HttpMethod::Get,
            path: "/v2/orders/{order_id}",
            path_params: &["order_id"],
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

    #[test]
    fn the_environment_fills_what_was_not_given() {
        let env = |name: &str| match name {
            "HUAWEICLOUD_SDK_AK" => Some("env-ak".to_owned()),
            "HUAWEICLOUD_SDK_SK" => Some("env-sk".to_owned()),
            "HUAWEICLOUD_SDK_DOMAIN_ID" => Some("env-domain".to_owned()),
            _ => None,
        };
        let engine: Engine<Op> = Builder::new("demo", "example.com").build_with(env).unwrap();
        assert_eq!(engine.domain_id(), Some("env-domain"));
        assert_eq!(engine.inner.credentials.secret_id(), "env-ak");
        let shown = format!("{engine:?}");
        assert!(
            shown.contains("env-ak") && !shown.contains("env-sk"),
            "{shown}"
        );

        let engine: Engine<Op> = Builder::new("demo", "example.com")
            .credentials(Credentials::new("ak", "sk"))
            .domain_id("given")
            .build_with(env)
            .unwrap();
        assert_eq!(
            (engine.domain_id(), engine.inner.credentials.secret_id()),
            (Some("given"), "ak")
        );
        let missing = Builder::<Op>::new("demo", "example.com").build_with(|_| None);
        assert!(matches!(missing, Err(BuildError::Credentials(_))));
        let bad = Builder::<Op>::new("demo", "example.com")
            .credentials(Credentials::new("ak", "sk"))
            .endpoint("127.0.0.1:8080")
            .build_with(|_| None);
        assert!(matches!(bad, Err(BuildError::Endpoint(_))));
    }

    #[test]
    fn requests_carry_what_the_sdk_sends() {
        let engine: Engine<Op> = Builder::new("demo", "example.com")
            .credentials(Credentials::new("ak", "sk").with_token("st"))
            .domain_id("d1")
            .endpoint("http://127.0.0.1:9/")
            .build_with(|_| None)
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
    fn empty_or_missing_path_parameters_are_refused() {
        let engine: Engine<Op> = Builder::new("demo", "example.com")
            .credentials(Credentials::new("ak", "sk"))
            .build_with(|_| None)
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
}
