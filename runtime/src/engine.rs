//! What both client engines share (the Tencent one in [`crate::client`], the Huawei one in
//! [`crate::rest_client`]): their builders' HTTP settings (endpoint, timeouts, retry policy,
//! a custom transport) and how they become a connection, the retry loop with its
//! per-attempt tracing span, the JSON in and out of a call, and the errors of requests
//! that cannot be encoded, get no response, get one that is refused (a redirect, a body
//! over the cap), or get one that cannot be read.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tracing::Instrument;

use crate::credentials::CredentialsError;
use crate::error::Error;
use crate::transport::{
    HttpRequest, HttpResponse, ReqwestTransport, Transport, TransportError,
    DEFAULT_MAX_RESPONSE_BODY,
};

/// Per-call choices (of both engines).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// Retry transient failures even for calls that are not read-only: Tencent actions
    /// whose CAM class is write or other (or unknown), Huawei operations other than GET.
    /// Off by default: repeating a credit allocation could allocate twice.
    pub retry_non_idempotent: bool,
}

impl CallOptions {
    /// Options that allow retrying this call whatever its CAM class (or HTTP method).
    pub fn retry_even_if_not_idempotent() -> Self {
        CallOptions {
            retry_non_idempotent: true,
        }
    }
}

/// How transient failures ([`Error::is_transient`]: rate limits, HTTP 5xx answers,
/// transport failures and timeouts) are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first (1 disables retries).
    pub max_attempts: u32,
    /// The backoff before the second attempt; it doubles per attempt.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// One attempt only.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The backoff after failed attempt `attempt` (1-based): exponential with equal
    /// jitter, so it grows while concurrent clients still spread out.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self
            .base_delay
            .saturating_mul(
                1u32.checked_shl(attempt.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_delay);
        let half = exponential / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// Whether a failed call may be repeated: `read_only` is whether the action's CAM class
    /// is read or list (Tencent), or the operation a GET (Huawei).
    pub fn allows(&self, read_only: bool, options: &CallOptions) -> bool {
        read_only || options.retry_non_idempotent
    }
}

/// Why a client could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// No credentials were given and none were found.
    Credentials(CredentialsError),
    /// The endpoint is not a `scheme://host[:port]` URL.
    Endpoint(String),
    /// The HTTP transport could not be set up.
    Transport(String),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // It says "no credentials found" itself.
            BuildError::Credentials(err @ CredentialsError::NotFound(_)) => write!(f, "{err}"),
            BuildError::Credentials(err) => write!(f, "no credentials: {err}"),
            BuildError::Endpoint(why) => write!(f, "bad endpoint: {why}"),
            BuildError::Transport(why) => write!(f, "cannot set up HTTP: {why}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// A successful answer as an engine reads it: the HTTP status, the request id, and the
/// JSON (the `Response` object of API 3.0, the body of a Huawei answer).
pub(crate) type Answer = (u16, Option<String>, Value);

/// The HTTP side of a builder.
pub(crate) struct HttpSettings {
    /// `scheme://host[:port]`.
    pub endpoint: String,
    /// The timeout of each attempt, connecting included.
    pub timeout: Duration,
    /// The timeout for establishing a connection.
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
    /// The largest response body read, in bytes.
    pub max_response_body: u64,
    /// Sends instead of HTTP when set (tests and mocks).
    pub transport: Option<Arc<dyn Transport>>,
}

/// Where and how a built engine sends.
pub(crate) struct Connection {
    /// `http` or `https`.
    pub scheme: String,
    /// `host[:port]`, as the `Host` header carries it.
    pub host: String,
    pub sender: Sender,
}

/// A transport and the checks every answer passes, whatever the transport: a redirect is
/// an [`Error::Redirect`], a body over the cap an [`Error::ResponseTooLarge`].
pub(crate) struct Sender {
    transport: Arc<dyn Transport>,
    max_response_body: u64,
}

/// The builder setters of the [`HttpSettings`] a builder keeps in its `http` field:
/// `endpoint`, `timeout`, `connect_timeout`, `retry_policy`, `max_response_body`,
/// `transport`. Both client
/// builders expand it, so the two have the same words for the same settings.
macro_rules! http_settings_setters {
    () => {
        /// Another endpoint: `scheme://host[:port]`, e.g. `http://127.0.0.1:8080`.
        pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
            self.http.endpoint = endpoint.into();
            self
        }

        /// The timeout of each attempt, connecting included.
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.http.timeout = timeout;
            self
        }

        /// The timeout for establishing a connection.
        pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.http.connect_timeout = timeout;
            self
        }

        /// How transient failures are retried.
        pub fn retry_policy(mut self, policy: crate::engine::RetryPolicy) -> Self {
            self.http.retry = policy;
            self
        }

        /// The largest response body read, in bytes (default
        /// [`DEFAULT_MAX_RESPONSE_BODY`](crate::transport::DEFAULT_MAX_RESPONSE_BODY),
        /// 10 MiB). The body is read chunk by chunk and never buffered beyond the cap; a
        /// larger one, or a Content-Length above the cap, fails the call with
        /// [`Error::ResponseTooLarge`](crate::error::Error::ResponseTooLarge).
        pub fn max_response_body(mut self, bytes: u64) -> Self {
            self.http.max_response_body = bytes;
            self
        }

        /// Sends through `transport` instead of HTTP (for tests and mocks). Redirects and
        /// the body cap are checked on its answers too.
        pub fn transport(
            mut self,
            transport: std::sync::Arc<dyn crate::transport::Transport>,
        ) -> Self {
            self.http.transport = Some(transport);
            self
        }
    };
}
pub(crate) use http_settings_setters;

impl HttpSettings {
    /// The defaults: 30 s per attempt, 10 s to connect, the default retry policy, a body
    /// cap of [`DEFAULT_MAX_RESPONSE_BODY`].
    pub fn new(endpoint: String) -> Self {
        HttpSettings {
            endpoint,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            transport: None,
        }
    }

    /// Checks the endpoint (`scheme://host[:port]`, a trailing `/` allowed) and sets up
    /// the transport.
    pub fn connect(self) -> Result<Connection, BuildError> {
        let (scheme, rest) = self
            .endpoint
            .split_once("://")
            .ok_or_else(|| BuildError::Endpoint(format!("`{}` has no scheme", self.endpoint)))?;
        let host = rest.trim_end_matches('/');
        if !matches!(scheme, "http" | "https") || host.is_empty() || host.contains('/') {
            return Err(BuildError::Endpoint(format!(
                "`{}` is not scheme://host[:port]",
                self.endpoint
            )));
        }
        let transport = match self.transport {
            Some(t) => t,
            None => Arc::new(
                ReqwestTransport::new(self.timeout, self.connect_timeout)
                    .map_err(|e| BuildError::Transport(e.to_string()))?
                    .with_max_response_body(self.max_response_body),
            ),
        };
        Ok(Connection {
            scheme: scheme.to_owned(),
            host: host.to_owned(),
            sender: Sender {
                transport,
                max_response_body: self.max_response_body,
            },
        })
    }
}

impl Sender {
    /// Sends `request` for `action`. No response is an [`Error::Timeout`] or an
    /// [`Error::Transport`] (its cause kept); a 3xx answer an [`Error::Redirect`]; a body
    /// over the cap an [`Error::ResponseTooLarge`].
    pub async fn send(
        &self,
        action: &'static str,
        request: HttpRequest,
    ) -> Result<HttpResponse, Error> {
        let response = self
            .transport
            .send(request)
            .await
            .map_err(|err| match err {
                TransportError::Timeout => Error::Timeout { action },
                TransportError::Failed { message, source } => Error::Transport {
                    action,
                    message,
                    source,
                },
                TransportError::BodyTooLarge { status, limit } => Error::ResponseTooLarge {
                    action,
                    status,
                    limit,
                },
            })?;
        let status = response.status;
        // A custom transport may have read more than the cap: the caller's limit holds all
        // the same.
        if response.body.len() as u64 > self.max_response_body {
            return Err(Error::ResponseTooLarge {
                action,
                status,
                limit: self.max_response_body,
            });
        }
        if (300..400).contains(&status) {
            return Err(Error::Redirect {
                action,
                status,
                location: response.header("Location").map(str::to_owned),
            });
        }
        Ok(response)
    }
}

/// The JSON bytes of a request's body; a value that does not serialize is an
/// [`Error::InvalidRequest`] of `action`.
pub(crate) fn encode<T: Serialize + ?Sized>(action: &str, value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|err| Error::InvalidRequest {
        action: action.to_owned(),
        message: err.to_string(),
    })
}

/// Decodes a successful answer's JSON into the response model; JSON that does not match
/// it is an [`Error::Decode`] with the answer's status and request id.
pub(crate) fn decode<T: DeserializeOwned>(
    action: &'static str,
    (status, request_id, value): Answer,
) -> Result<T, Error> {
    serde_json::from_value(value).map_err(|err| Error::Decode {
        action,
        status,
        request_id,
        message: format!("the response does not match its model: {err}"),
    })
}

/// The first 120 characters of a body, for an error message.
pub(crate) fn preview(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(120).collect()
}

/// The [`Error::Decode`] of an answer whose body is not JSON.
pub(crate) fn not_json(
    action: &'static str,
    response: &HttpResponse,
    request_id: Option<String>,
    err: serde_json::Error,
) -> Error {
    Error::Decode {
        action,
        status: response.status,
        request_id,
        message: format!("not JSON ({err}): {:?}", preview(&response.body)),
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Runs `attempt` until it succeeds or fails for good: when `retryable`, again after a
/// transient error ([`Error::is_transient`]) up to `policy.max_attempts` attempts in all,
/// with `policy`'s backoff; otherwise once. Each attempt runs in the span `span(attempt)`
/// makes (1-based), which must have an empty `request_id` field: it is filled from the
/// answer, a success's or an error's. The last error is returned as it is, code and
/// request id included.
pub(crate) async fn with_retries<Fut>(
    policy: &RetryPolicy,
    retryable: bool,
    span: impl Fn(u32) -> tracing::Span,
    mut attempt: impl FnMut() -> Fut,
) -> Result<Answer, Error>
where
    Fut: Future<Output = Result<Answer, Error>>,
{
    let attempts = if retryable {
        policy.max_attempts.max(1)
    } else {
        1
    };
    let mut number = 1;
    loop {
        let span = span(number);
        let result = attempt().instrument(span.clone()).await;
        if let Some(id) = result
            .as_ref()
            .map_or_else(Error::request_id, |(_, id, _)| id.as_deref())
        {
            span.record("request_id", id);
        }
        match result {
            Err(err) if err.is_transient() && number < attempts => {
                let delay = policy.backoff(number);
                tracing::debug!(parent: &span, error = %err, ?delay, "retrying");
                tokio::time::sleep(delay).await;
                number += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::SendFuture;

    /// A transport that answers every request with one response, already read whole.
    struct Fixed(HttpResponse);

    impl Transport for Fixed {
        fn send(&self, _: HttpRequest) -> SendFuture<'_> {
            let response = self.0.clone();
            Box::pin(async move { Ok(response) })
        }
    }

    fn sender(response: HttpResponse, max_response_body: u64) -> Sender {
        Sender {
            transport: Arc::new(Fixed(response)),
            max_response_body,
        }
    }

    fn request() -> HttpRequest {
        HttpRequest {
            method: crate::HttpMethod::Post,
            url: "http://127.0.0.1:9/".into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    #[tokio::test]
    async fn custom_transports_get_the_same_checks() {
        let mut redirect = HttpResponse::new(302, Vec::new());
        redirect
            .headers
            .push(("location".into(), "http://elsewhere.invalid/x".into()));
        let err = sender(redirect, 100)
            .send("A", request())
            .await
            .unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Redirect { action: "A", status: 302, location: Some(l) }
                    if l == "http://elsewhere.invalid/x"
            ),
            "{err:?}"
        );

        let big = HttpResponse::new(200, vec![b' '; 101]);
        let err = sender(big, 100).send("A", request()).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::ResponseTooLarge {
                    action: "A",
                    status: 200,
                    limit: 100
                }
            ),
            "{err:?}"
        );

        let fits = HttpResponse::new(200, vec![b' '; 100]);
        assert!(sender(fits, 100).send("A", request()).await.is_ok());
    }

    #[test]
    fn a_long_location_is_shortened_in_the_message() {
        let err = Error::Redirect {
            action: "A",
            status: 307,
            location: Some(format!("http://x/{}", "a".repeat(10_000))),
        };
        let shown = err.to_string();
        assert!(shown.contains("HTTP 307") && shown.len() < 500, "{shown}");
    }
}
