//! The engine's HTTP side: the builder's HTTP settings (endpoint, timeouts, retry policy,
//! a custom transport) and how they become a connection; the checks every answer passes
//! whatever the vendor; the JSON in and out of a call; and the errors of requests that
//! cannot be encoded, get no response, get one that is refused (a redirect, a body over
//! the cap), or get one that cannot be read.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::options::{Answer, BuildError, Endpoint};
use super::retry::RetryPolicy;
use crate::error::{ApiError, Error, ErrorKind};
use crate::transport::{
    parse_root_certificates, ConnectionSettings, HttpRequest, HttpResponse, ProxySetting,
    ReqwestTransport, Transport, TransportError, DEFAULT_MAX_RESPONSE_BODY,
};

/// The HTTP side of a builder.
pub(crate) struct HttpSettings {
    /// `scheme://host[:port]`.
    pub endpoint: String,
    /// The timeouts, the proxy and the connection pool of the HTTP transport.
    pub connection: ConnectionSettings,
    pub retry: RetryPolicy,
    /// The largest response body read, in bytes.
    pub max_response_body: u64,
    /// Sends instead of HTTP when set (tests and mocks).
    pub transport: Option<Arc<dyn Transport>>,
    /// PEM certificate authorities to trust besides the built-in roots.
    pub root_certificates: Vec<Vec<u8>>,
}

/// A transport and the checks every answer passes, whatever the transport: a redirect is
/// an [`Error::Redirect`], a body over the cap an [`Error::ResponseTooLarge`].
pub(crate) struct Sender {
    transport: Arc<dyn Transport>,
    max_response_body: u64,
}

impl HttpSettings {
    /// The defaults: 30 s per attempt, 10 s to connect, the default retry policy, a body
    /// cap of [`DEFAULT_MAX_RESPONSE_BODY`].
    pub fn new(endpoint: String) -> Self {
        HttpSettings {
            endpoint,
            connection: ConnectionSettings::new(Duration::from_secs(30), Duration::from_secs(10)),
            retry: RetryPolicy::default(),
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            transport: None,
            root_certificates: Vec::new(),
        }
    }

    /// Checks the endpoint (`scheme://host[:port]`, a trailing `/` allowed) and sets up
    /// the transport.
    pub fn connect(self) -> Result<(Endpoint, Sender), BuildError> {
        let endpoint = Endpoint::parse(&self.endpoint, None).map_err(BuildError::Endpoint)?;
        // Checked even under a custom transport: a bad setting is refused wherever it goes.
        if let ProxySetting::Url(url) = &self.connection.proxy {
            ProxySetting::checked(url)
                .map_err(|why| BuildError::Setting(format!("proxy {why}")))?;
        }
        let mut connection = self.connection;
        connection.root_certificates = root_certificates(&self.root_certificates)?;
        let transport = match self.transport {
            Some(t) => t,
            None => Arc::new(
                ReqwestTransport::with_settings(&connection)
                    .map_err(|e| {
                        if connection.root_certificates.is_empty() {
                            BuildError::Transport(e.to_string())
                        } else {
                            BuildError::Setting(format!(
                                "add_root_certificate: the certificates were refused: {e}"
                            ))
                        }
                    })?
                    .with_max_response_body(self.max_response_body),
            ),
        };
        Ok((
            endpoint,
            Sender {
                transport,
                max_response_body: self.max_response_body,
            },
        ))
    }
}

/// The certificates of [`HttpSettings::root_certificates`], each PEM with at least one
/// certificate; the error names the setting and which one (counting from 1).
fn root_certificates(pems: &[Vec<u8>]) -> Result<Vec<reqwest::Certificate>, BuildError> {
    let mut roots = Vec::new();
    for (i, pem) in pems.iter().enumerate() {
        let bad = |why: String| {
            BuildError::Setting(format!(
                "add_root_certificate (the {} given): {why}",
                ordinal(i + 1)
            ))
        };
        roots.extend(parse_root_certificates(pem).map_err(bad)?);
    }
    Ok(roots)
}

/// `1st`, `2nd`, `3rd`, `4th`, ...
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
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
                TransportError::Timeout => Error::Timeout {
                    action,
                    trace_id: None,
                },
                TransportError::Failed { message, source } => Error::Transport {
                    action,
                    message,
                    source,
                    trace_id: None,
                },
                TransportError::BodyTooLarge { status, limit } => Error::ResponseTooLarge {
                    action,
                    status,
                    limit,
                    trace_id: None,
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
                trace_id: None,
            });
        }
        if (300..400).contains(&status) {
            return Err(Error::Redirect {
                action,
                status,
                location: response.header("Location").map(str::to_owned),
                trace_id: None,
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
        trace_id: None,
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
        trace_id: None,
    }
}

/// The error of an answer at an error status whose body carries no vendor error code,
/// whichever the vendor: a 429 is throttling ([`ErrorKind::RequestLimitExceeded`]) and a
/// 5xx a server error ([`ErrorKind::InternalError`]), whatever the body (empty, JSON, a
/// gateway's HTML page), each an [`Error::Api`] with an empty code and the status, so they
/// are retried as the vendor's own throttling and server errors are; `message` is what
/// the body said, if anything (the start of a body that is not JSON). Anything else (a
/// 4xx without a code) is an [`Error::Decode`] carrying the status.
pub(crate) fn codeless_error(
    action: &'static str,
    response: &HttpResponse,
    request_id: Option<String>,
    json: bool,
    message: String,
) -> Error {
    let status = response.status;
    let kind = match status {
        429 => Some(ErrorKind::RequestLimitExceeded),
        500.. => Some(ErrorKind::InternalError),
        _ => None,
    };
    match kind {
        Some(kind) => Error::Api {
            action,
            error: ApiError {
                kind,
                code: String::new(),
                message: if json || response.body.is_empty() {
                    message
                } else {
                    format!("not JSON: {:?}", preview(&response.body))
                },
                request_id,
                status,
            },
            trace_id: None,
        },
        None => Error::Decode {
            action,
            status,
            request_id,
            message: if json {
                format!(
                    "an HTTP {status} answer without an error code: {:?}",
                    preview(&response.body)
                )
            } else {
                format!("not JSON: {:?}", preview(&response.body))
            },
            trace_id: None,
        },
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
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
                Error::Redirect { action: "A", status: 302, location: Some(l), .. }
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
                    limit: 100,
                    ..
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
            trace_id: None,
        };
        let shown = err.to_string();
        assert!(shown.contains("HTTP 307") && shown.len() < 500, "{shown}");
    }
}
