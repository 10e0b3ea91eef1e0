//! The HTTP layer under the client, behind a small trait so tests and mocks can put a
//! fake transport under the real client pipeline (signing, envelope decoding, retries and
//! rate limits all still run).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A request ready to send: signed, with every header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The full URL (`https://host/`).
    pub url: String,
    /// Headers in the order they were added (`Host` among them).
    pub headers: Vec<(&'static str, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The value of a header (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The configured timeout passed.
    Timeout,
    /// Anything else: connection refused or reset, TLS, a malformed response.
    Failed(String),
}

/// The future a transport returns.
pub type SendFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'a>>;

/// Sends one HTTP request. Implemented over reqwest for real use, and by fakes in tests
/// and mocks.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` (always a POST) and returns the response.
    fn send(&self, request: HttpRequest) -> SendFuture<'_>;
}

/// The real transport: reqwest over rustls.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// A transport with a whole-request timeout and a connect timeout.
    pub fn new(timeout: Duration, connect_timeout: Duration) -> Result<Self, TransportError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(connect_timeout)
            .build()
            .map_err(|err| TransportError::Failed(err.to_string()))?;
        Ok(ReqwestTransport { client })
    }
}

impl Transport for ReqwestTransport {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        Box::pin(async move {
            let mut builder = self.client.post(&request.url);
            for (name, value) in &request.headers {
                builder = builder.header(*name, value);
            }
            let classify = |err: reqwest::Error| {
                if err.is_timeout() {
                    TransportError::Timeout
                } else {
                    TransportError::Failed(err.without_url().to_string())
                }
            };
            let response = builder.body(request.body).send().await.map_err(classify)?;
            let status = response.status().as_u16();
            let body = response.bytes().await.map_err(classify)?.to_vec();
            Ok(HttpResponse { status, body })
        })
    }
}
