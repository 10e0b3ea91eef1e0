//! The Tencent Cloud API 3.0 protocol of the client engine: every call a POST of the JSON
//! request to `/`, the action in `X-TC-Action`, signed with TC3-HMAC-SHA256
//! ([`super::sign`]) afresh for each attempt; every answer an envelope
//! (`{"Response": {...}}`, with `Error` on failure) read from the body whatever the
//! Content-Type says. Each action is limited client-side to its documented QPS (else the
//! assumed default), and retried only when its CAM class is read or list.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::sign::{authorization, SigningInput};
use crate::client::{
    codeless_error, encode, not_json, Answer, BuildError, Builder, CallOptions, ClientProtocol,
    Endpoint, Engine, Env, FromEngine, PageFetch, Pages,
};
use crate::credentials::{Credentials, ProvideCredentials};
use crate::error::{ApiError, Error, ErrorKind};
use crate::paging::Paged;
use crate::tables::{ActionTable, Catalog};
use crate::transport::{HttpRequest, HttpResponse};

/// Tencent Cloud API 3.0, as a plug-in of the shared core: the client engine's protocol
/// ([`crate::client::ClientProtocol`]) and the mocks' ([`crate::mock::MockProtocol`]).
#[derive(Debug, Clone, Copy)]
pub struct Tencent;

/// The member of a success's `Response` object by which API 3.0 says the action is
/// deprecated (the official SDK warns with it); the generated response models carry it as
/// `deprecated_warning`.
const DEPRECATED_WARNING: &str = "DeprecatedWarning";

/// The `DeprecatedWarning` of a success's `Response` object, if any (text, as
/// [`read_envelope`] leaves it).
fn deprecated_warning(response: &Value) -> Option<&str> {
    response.get(DEPRECATED_WARNING).and_then(Value::as_str)
}

/// The Content-Type every request is sent and signed with.
const CONTENT_TYPE: &str = "application/json";

/// What a Tencent client is built with beyond the shared settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The service's short name (`intlpartnersmgt`): the signature's scope.
    pub service: &'static str,
    /// The API version (`X-TC-Version`).
    pub version: &'static str,
    /// `X-TC-Region`, if set.
    pub region: Option<String>,
    /// `X-TC-Language`, if set.
    pub language: Option<String>,
    /// The caller's part of `X-TC-RequestClient`, if given (checked at `build`).
    pub request_client: Option<String>,
    /// `X-TC-RequestClient`: [`REQUEST_CLIENT`], then `; ` and the caller's part.
    pub request_client_header: String,
}

/// Our part of `X-TC-RequestClient`, in the official SDKs' form (`SDK_PYTHON_3.0.1234`).
pub const REQUEST_CLIENT: &str = concat!("SDK_RUST_PARTNERGEN_", env!("CARGO_PKG_VERSION"));

/// The caller's part of `X-TC-RequestClient` as the official SDK accepts it: 1 to 128 of
/// `[0-9a-zA-Z-_,;.]` (the SDK truncates a longer one and drops one that does not match,
/// with a warning; a client here refuses to build instead, naming the setting).
fn check_request_client(part: &str) -> Result<(), BuildError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_,;.".contains(c);
    if part.is_empty() || part.len() > 128 || !part.chars().all(allowed) {
        return Err(BuildError::Setting(format!(
            "request client {part:?}: 1 to 128 of the letters, digits and `-_,;.` (as the official SDK takes it)"
        )));
    }
    Ok(())
}

/// A fresh `X-TC-TraceId`: a random (version 4) UUID, as the official SDK sends one per
/// call; a trace ID is not a secret, so the client's jitter generator serves.
fn new_trace_id() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes: [u8; 16] = std::array::from_fn(|_| fastrand::u8(..));
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // the RFC 4122 variant
    let mut id = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            id.push('-');
        }
        id.push(HEX[usize::from(byte >> 4)] as char);
        id.push(HEX[usize::from(byte & 0x0f)] as char);
    }
    id
}

/// A request ready to sign: the action's wire name, the JSON body, and the call's trace
/// ID (one for all its attempts).
pub struct Prepared {
    action: &'static str,
    body: Vec<u8>,
    trace_id: String,
}

/// Tencent's operations are the actions of a CAM table.
impl<A: ActionTable> Catalog<A> for Tencent {
    fn all() -> &'static [A] {
        A::ALL
    }
    fn index(action: A) -> usize {
        action.index()
    }
    fn name(action: A) -> &'static str {
        action.info().name
    }
    fn lookup(name: &str) -> Option<A> {
        A::from_name(name)
    }
}

impl<A: ActionTable + Send + Sync> ClientProtocol<A> for Tencent {
    type Settings = Settings;
    type Prepared = Prepared;

    fn qps(action: A) -> Option<u32> {
        Some(action.info().qps.get())
    }
    fn service(settings: &Settings) -> &str {
        settings.service
    }
    fn idempotent(action: A) -> bool {
        action.info().cam_class.is_some_and(|c| c.is_read_only())
    }
    fn default_credentials(env: Env<'_>) -> Arc<dyn ProvideCredentials> {
        Arc::new(super::credentials::default_chain(env))
    }
    fn settle(settings: &mut Settings, _: Env<'_>) -> Result<(), BuildError> {
        if let Some(part) = &settings.request_client {
            check_request_client(part)?;
            settings.request_client_header = format!("{REQUEST_CLIENT}; {part}");
        }
        Ok(())
    }
    fn span(settings: &Settings, action: A, prepared: &Prepared, attempt: u32) -> tracing::Span {
        tracing::info_span!(
            "tencentcloud.call",
            service = settings.service,
            action = action.info().name,
            trace_id = prepared.trace_id.as_str(),
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
        sign(
            settings,
            endpoint,
            credentials,
            prepared.action,
            prepared.body.clone(),
            Some(&prepared.trace_id),
            timestamp,
        )
    }
    fn read(action: A, response: HttpResponse) -> Result<Answer, Error> {
        read_envelope(action.info().name, response)
    }
    fn trace_id(prepared: &Prepared) -> Option<&str> {
        Some(&prepared.trace_id)
    }
    fn deprecation((_, _, response): &Answer) -> Option<&str> {
        deprecated_warning(response)
    }
}

impl<A: ActionTable + Send + Sync, C: FromEngine<A, Tencent>> Builder<A, Tencent, C> {
    /// A builder for a service (its short name and API version) at its default host (what the
    /// generated `Client::builder()` calls).
    #[doc(hidden)]
    #[allow(clippy::new_ret_no_self)]
    pub fn new(service: &'static str, version: &'static str, host: &str) -> Self {
        Builder::with_settings(
            Settings {
                service,
                version,
                region: None,
                language: None,
                request_client: None,
                request_client_header: REQUEST_CLIENT.to_owned(),
            },
            host,
        )
    }

    /// `X-TC-Region`, e.g. `ap-singapore` (omitted when not set).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.settings.region = Some(region.into());
        self
    }

    /// `X-TC-Language`: `en-US` or `zh-CN`.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.settings.language = Some(language.into());
        self
    }

    /// The caller's part of `X-TC-RequestClient` (after ours, `SDK_RUST_PARTNERGEN_<version>;`),
    /// as the SDK's `ClientProfile(request_client=...)`: 1 to 128 of the letters, digits and
    /// `-_,;.`; anything else fails `build` with [`BuildError::Setting`].
    pub fn request_client(mut self, part: impl Into<String>) -> Self {
        self.settings.request_client = Some(part.into());
        self
    }
}

impl<A: ActionTable + Send + Sync> Engine<A, Tencent> {
    /// Calls `action` with a typed request and decodes the typed response.
    pub async fn call<Req, Resp>(
        &self,
        action: A,
        request: &Req,
        options: &CallOptions,
    ) -> Result<Resp, Error>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
    {
        let name = action.info().name;
        let prepared = Prepared {
            action: name,
            body: encode(name, request)?,
            trace_id: new_trace_id(),
        };
        self.execute_typed(action, &prepared, options).await
    }

    /// The pages of a list action (`request` is its first page's request): each page one
    /// [`Engine::call`] with `options`, so the action's QPS limit, the retries and the
    /// credentials apply to each. See [`Pages`] for the positions and when a scan ends.
    pub fn pages<R>(&self, action: A, request: R, options: &CallOptions) -> Pages<R>
    where
        R: Paged + Serialize,
        R::Response: DeserializeOwned,
    {
        let engine = self.clone();
        let options = *options;
        let fetch: PageFetch<R> = Arc::new(move |page: R| {
            let engine = engine.clone();
            Box::pin(async move { engine.call(action, &page, &options).await })
        });
        Pages::new(action.info().name, request, fetch)
    }

    /// Calls an action by its wire name with a JSON request, returning the JSON
    /// `Response` object: for anything the models do not cover.
    pub async fn call_json(
        &self,
        action: &str,
        request: &Value,
        options: &CallOptions,
    ) -> Result<Value, Error> {
        let action = Self::op_named(action)?;
        let prepared = Prepared {
            action: action.info().name,
            body: serde_json::to_vec(request).expect("a JSON value serialises"),
            trace_id: new_trace_id(),
        };
        self.execute_json(action, &prepared, options).await
    }

    /// The signed HTTP request of one attempt of `action` with this body at `timestamp`.
    #[doc(hidden)]
    pub fn signed_request(&self, action: &str, body: Vec<u8>, timestamp: i64) -> HttpRequest {
        // The body moves into the request: no copy on this path.
        sign(
            self.settings(),
            self.endpoint(),
            &self.cached_credentials(),
            action,
            body,
            None,
            timestamp,
        )
    }
}

/// The signed request of `action` with `body` at `timestamp`.
fn sign(
    settings: &Settings,
    endpoint: &Endpoint,
    credentials: &Credentials,
    action: &str,
    body: Vec<u8>,
    trace_id: Option<&str>,
    timestamp: i64,
) -> HttpRequest {
    let input = SigningInput {
        method: "POST",
        content_type: CONTENT_TYPE,
        host: &endpoint.host,
        service: settings.service,
        timestamp,
        payload: &body,
    };
    let auth = authorization(
        credentials.access_key_id(),
        credentials.secret_key().expose(),
        &input,
    );
    let mut headers = vec![
        ("Authorization", auth),
        ("Content-Type", CONTENT_TYPE.to_owned()),
        ("Host", endpoint.host.clone()),
        ("X-TC-Action", action.to_owned()),
        ("X-TC-Timestamp", timestamp.to_string()),
        ("X-TC-Version", settings.version.to_owned()),
    ];
    if let Some(region) = &settings.region {
        headers.push(("X-TC-Region", region.clone()));
    }
    if let Some(token) = credentials.token() {
        headers.push(("X-TC-Token", token.expose().to_owned()));
    }
    if let Some(language) = &settings.language {
        headers.push(("X-TC-Language", language.clone()));
    }
    headers.push(("X-TC-RequestClient", settings.request_client_header.clone()));
    if let Some(trace_id) = trace_id {
        headers.push(("X-TC-TraceId", trace_id.to_owned()));
    }
    HttpRequest {
        method: crate::HttpMethod::Post,
        url: [endpoint.base_url.as_str(), "/"].concat(),
        headers,
        body,
    }
}

/// Reads an API 3.0 response: `{"Response": {...}}` with `Error` on failure. The body
/// decides, not the Content-Type (the official SDK misses errors whose Content-Type
/// carries a charset). An HTTP 429 or 5xx without an error envelope (a gateway's page,
/// an empty body) is the shared codeless error ([`crate::client`]): throttling or a
/// server error carrying the status.
pub fn read_envelope(action: &'static str, response: HttpResponse) -> Result<Answer, Error> {
    let status = response.status;
    let error_status = status == 429 || status >= 500;
    let decode_error = |request_id: Option<String>, message: String| Error::Decode {
        action,
        status,
        request_id,
        message,
        trace_id: None,
    };
    let blank = response.body.iter().all(u8::is_ascii_whitespace);
    let mut document: Value = match serde_json::from_slice(&response.body) {
        Ok(document) => document,
        Err(_) if error_status => {
            return Err(codeless_error(
                action,
                &response,
                None,
                blank,
                String::new(),
            ))
        }
        Err(err) => return Err(not_json(action, &response, None, err)),
    };
    let Some(Value::Object(mut body)) = document.get_mut("Response").map(Value::take) else {
        if error_status {
            return Err(codeless_error(action, &response, None, true, String::new()));
        }
        return Err(decode_error(None, "no `Response` object".into()));
    };
    let request_id = body
        .get("RequestId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(error) = body.remove("Error") {
        let code = error.get("Code").and_then(Value::as_str);
        let Some(code) = code else {
            return Err(decode_error(
                request_id,
                "an `Error` without a `Code`".into(),
            ));
        };
        return Err(Error::Api {
            action,
            error: ApiError {
                kind: ErrorKind::of(code),
                code: code.to_owned(),
                message: error
                    .get("Message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                request_id,
                status,
            },
            trace_id: None,
        });
    }
    if error_status {
        return Err(codeless_error(
            action,
            &response,
            request_id,
            true,
            String::new(),
        ));
    }
    if status != 200 {
        return Err(decode_error(
            request_id,
            "a non-200 status without an error envelope".into(),
        ));
    }
    // The warning is text; anything else the service might send there is kept as its
    // JSON text, so it can never fail the decoding of the response model.
    match body.get(DEPRECATED_WARNING) {
        Some(Value::Null) => {
            body.remove(DEPRECATED_WARNING);
        }
        Some(other @ (Value::Bool(_) | Value::Number(_) | Value::Array(_) | Value::Object(_))) => {
            let text = other.to_string();
            body.insert(DEPRECATED_WARNING.into(), Value::String(text));
        }
        Some(Value::String(_)) | None => {}
    }
    Ok((status, request_id, Value::Object(body)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AuthFailure;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(status, body.as_bytes().to_vec())
    }

    #[test]
    fn envelopes_are_read_from_the_body() {
        let (status, id, value) = read_envelope(
            "A",
            response(200, r#"{"Response":{"Total":1,"RequestId":"r1"}}"#),
        )
        .unwrap();
        assert_eq!(
            (status, id.as_deref(), &value["Total"]),
            (200, Some("r1"), &Value::from(1))
        );
        let err = read_envelope(
            "A",
            response(200, r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},"RequestId":"r2"}}"#),
        )
        .unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(
            api.kind,
            ErrorKind::AuthFailure(AuthFailure::SignatureFailure)
        );
        assert_eq!(
            (api.message.as_str(), api.request_id.as_deref()),
            ("bad", Some("r2"))
        );
    }

    #[test]
    fn a_deprecated_warning_is_always_text() {
        let warning = |body: &str| {
            let (_, _, response) = read_envelope("A", response(200, body)).unwrap();
            deprecated_warning(&response).map(str::to_owned)
        };
        assert_eq!(
            warning(r#"{"Response":{"DeprecatedWarning":"use B","RequestId":"r"}}"#).as_deref(),
            Some("use B")
        );
        assert_eq!(
            warning(r#"{"Response":{"DeprecatedWarning":{"Use":"B"}}}"#).as_deref(),
            Some(r#"{"Use":"B"}"#)
        );
        assert_eq!(warning(r#"{"Response":{"DeprecatedWarning":null}}"#), None);
        assert_eq!(warning(r#"{"Response":{"RequestId":"r"}}"#), None);
    }

    #[test]
    fn unreadable_answers_are_decode_errors() {
        for (status, body) in [
            (200, "<html>"),
            (200, r#"{"x":1}"#),
            (200, r#"{"Response":{"Error":{}}}"#),
        ] {
            let err = read_envelope("A", response(status, body)).unwrap_err();
            assert!(
                matches!(err, Error::Decode { .. }),
                "{status} {body}: {err:?}"
            );
            assert!(!err.is_transient());
        }
        // At 5xx, a body that is not the envelope is the server's error all the same.
        let err = read_envelope("A", response(502, "gateway")).unwrap_err();
        assert_eq!(err.kind(), Some(ErrorKind::InternalError), "{err:?}");
        assert_eq!(err.status(), Some(502));
        assert!(err.is_transient());
    }

    #[test]
    fn a_429_or_5xx_without_an_envelope_is_typed_throttling_or_server_error() {
        for (status, body, kind) in [
            (
                429,
                "<html>Too Many Requests</html>",
                ErrorKind::RequestLimitExceeded,
            ),
            (429, "", ErrorKind::RequestLimitExceeded),
            (429, r#"{"x":1}"#, ErrorKind::RequestLimitExceeded),
            (503, r#"{"x":1}"#, ErrorKind::InternalError),
            (500, "", ErrorKind::InternalError),
        ] {
            let err = read_envelope("A", response(status, body)).unwrap_err();
            let error = err
                .api()
                .unwrap_or_else(|| panic!("{status} {body}: {err:?}"));
            assert_eq!(
                (error.kind, error.code.as_str(), error.status),
                (kind, "", status),
                "{status} {body}"
            );
            assert!(err.is_transient(), "{status} {body}");
        }
    }

    mod pages {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Mutex;

        use serde::Deserialize;

        use super::*;
        use crate::client::RetryPolicy;
        use crate::paging::{Paging, PagingPlace, PagingStyle, RequestFields, ResponseFields};
        use crate::tables::{ActionInfo, Qps};
        use crate::transport::{SendFuture, Transport};
        use crate::CamClass;

        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Act {
            DescribeThings,
        }

        impl ActionTable for Act {
            const ALL: &'static [Self] = &[Act::DescribeThings];
            const INFO: &'static [ActionInfo] = &[ActionInfo {
                name: "DescribeThings",
                title: "DescribeThings",
                category: None,
                cam_class: Some(CamClass::List),
                granularity: None,
                resource: None,
                ip_restriction: None,
                qps: Qps::Assumed(1000),
                in_api_definition: true,
            }];
            fn index(self) -> usize {
                self as usize
            }
        }

        #[derive(Clone, Debug, Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct DescribeThingsRequest {
            page: i64,
            page_size: i64,
            status: String,
        }

        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct DescribeThingsResponse {
            things: Vec<u32>,
            total: Option<String>,
        }

        impl Paged for DescribeThingsRequest {
            type Response = DescribeThingsResponse;
            type Item = u32;
            const PAGING: Paging = Paging {
                action: "DescribeThings",
                style: PagingStyle::PageNumber { first: 1 },
                place: PagingPlace::Body,
                position: "Page",
                size: "PageSize",
                items: "Things",
                total: Some("Total"),
                page_size: 10,
                max_page_size: Some(100),
            };
            fn request_fields(&mut self) -> RequestFields<'_> {
                RequestFields {
                    position: &mut self.page,
                    size: &mut self.page_size,
                }
            }
            fn response_fields(response: &mut DescribeThingsResponse) -> ResponseFields<'_, u32> {
                ResponseFields {
                    items: &mut response.things,
                    total: Some(&mut response.total),
                }
            }
        }

        /// 25 things by page; the first request for page 2 is throttled (HTTP 429).
        #[derive(Default)]
        struct ThingServer {
            bodies: Mutex<Vec<Value>>,
            throttled: AtomicUsize,
        }

        impl Transport for ThingServer {
            fn send(&self, request: HttpRequest) -> SendFuture<'_> {
                let body: Value = serde_json::from_slice(&request.body).unwrap();
                self.bodies.lock().unwrap().push(body.clone());
                let page = body["Page"].as_u64().unwrap();
                let size = body["PageSize"].as_u64().unwrap();
                let reply = if page == 2 && self.throttled.fetch_add(1, Ordering::SeqCst) == 0 {
                    HttpResponse::new(429, b"<html>Too Many Requests</html>".to_vec())
                } else {
                    let things: Vec<u64> = ((page - 1) * size..(page * size).min(25)).collect();
                    let envelope = serde_json::json!({"Response": {
                        "Things": things, "Total": "25", "RequestId": format!("r{page}")
                    }});
                    HttpResponse::new(200, serde_json::to_vec(&envelope).unwrap())
                };
                Box::pin(async move { Ok(reply) })
            }
        }

        #[tokio::test]
        async fn each_page_is_one_call_with_the_position_set_and_retried_like_any() {
            let server = Arc::new(ThingServer::default());
            let engine: Engine<Act, Tencent> =
                Builder::<Act, Tencent>::new("demo", "2020-01-01", "example.com")
                    .credentials(Credentials::new("id", "key"))
                    .retry_policy(RetryPolicy {
                        max_attempts: 3,
                        base_delay: std::time::Duration::from_millis(1),
                        max_delay: std::time::Duration::from_millis(2),
                    })
                    .transport(server.clone())
                    .build_with(&|_| None)
                    .unwrap();
            let request = DescribeThingsRequest {
                page: 9,
                page_size: 1,
                status: "active".into(),
            };
            let things = engine
                .pages(Act::DescribeThings, request, &CallOptions::default())
                .items()
                .try_collect()
                .await
                .unwrap();
            assert_eq!(things, (0..25).collect::<Vec<_>>());
            let sent: Vec<(u64, u64, String)> = server
                .bodies
                .lock()
                .unwrap()
                .iter()
                .map(|b| {
                    (
                        b["Page"].as_u64().unwrap(),
                        b["PageSize"].as_u64().unwrap(),
                        b["Status"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            let active = || "active".to_owned();
            assert_eq!(
                sent,
                [
                    (1, 10, active()),
                    (2, 10, active()),
                    (2, 10, active()),
                    (3, 10, active())
                ],
                "page 2 retried after the 429; no page 4"
            );
        }
    }
}
