//! The HTTP layer under the client, behind a small trait so tests and mocks can put a
//! fake transport under the real client pipeline (signing, envelope decoding, retries and
//! rate limits all still run).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::HttpMethod;

/// A request ready to send: signed, with every header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method (API 3.0 requests are all POSTs).
    pub method: HttpMethod,
    /// The full URL (`https://host/path?query`).
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
    /// The headers, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response with no headers.
    pub fn new(status: u16, body: Vec<u8>) -> Self {
        HttpResponse {
            status,
            headers: Vec::new(),
            body,
        }
    }

    /// The value of a header (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The default cap on a response body: 10 MiB. The partner APIs answer pages of at most a
/// few hundred records, well under 1 MiB; a body far beyond that is a broken or hostile
/// endpoint, and without a cap an endless body would grow the client until it is killed.
pub const DEFAULT_MAX_RESPONSE_BODY: u64 = 10 * 1024 * 1024;

/// Why a request got no (usable) response.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TransportError {
    /// The configured timeout passed.
    Timeout,
    /// Anything else: connection refused or reset, DNS, TLS, a malformed response.
    Failed {
        /// What went wrong, with every cause under it (`error sending request: client
        /// error (Connect): tcp connect error: Connection refused (os error 111)`).
        message: String,
        /// The error itself, when there is one (its `source()` chain leads to the I/O
        /// error).
        source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    },
    /// The response body is larger than the cap; reading stopped there (or before
    /// reading, when the Content-Length said so).
    BodyTooLarge {
        /// The HTTP status of the answer.
        status: u16,
        /// The cap, in bytes.
        limit: u64,
    },
}

impl TransportError {
    /// A [`TransportError::Failed`] with a message and no underlying error (for fakes).
    pub fn failed(message: impl Into<String>) -> Self {
        TransportError::Failed {
            message: message.into(),
            source: None,
        }
    }

    /// A [`TransportError::Failed`] of `error`: its message followed by those of its causes
    /// (reqwest's own message is only `error sending request`), and the error itself.
    pub fn from_error(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        TransportError::Failed {
            message: with_causes(&error),
            source: Some(Arc::new(error)),
        }
    }
}

/// An error's message and those of its causes, joined by `: `; a cause whose message the
/// text so far already ends with is skipped (some errors repeat their cause).
pub fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let message = cause.to_string();
        if !message.is_empty() && !text.ends_with(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        next = cause.source();
    }
    text
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Timeout => f.write_str("timed out"),
            TransportError::Failed { message, .. } => f.write_str(message),
            TransportError::BodyTooLarge { status, limit } => write!(
                f,
                "the response body (HTTP {status}) is larger than the cap of {limit} bytes"
            ),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TransportError::Failed {
                source: Some(source),
                ..
            } => Some(&**source as &(dyn std::error::Error + 'static)),
            _ => None,
        }
    }
}

/// The future a transport returns.
pub type SendFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'a>>;

/// Sends one HTTP request. Implemented over reqwest for real use, and by fakes in tests
/// and mocks.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and returns the response.
    fn send(&self, request: HttpRequest) -> SendFuture<'_>;
}

/// The real transport: reqwest over rustls. It follows no redirects (a redirect would carry
/// the signed request, its session token and its body to wherever `Location` points;
/// the engines turn a 3xx answer into an error), and reads a response body chunk by
/// chunk up to a cap ([`DEFAULT_MAX_RESPONSE_BODY`] unless set otherwise).
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_response_body: u64,
}

impl ReqwestTransport {
    /// A transport with a whole-request timeout (reading the body included) and a connect
    /// timeout.
    pub fn new(timeout: Duration, connect_timeout: Duration) -> Result<Self, TransportError> {
        let client = Self::client_builder(timeout, connect_timeout)
            .build()
            .map_err(TransportError::from_error)?;
        Ok(ReqwestTransport {
            client,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
        })
    }

    /// [`ReqwestTransport::new`], also trusting `roots` as certificate authorities
    /// (besides the built-in ones): a private deployment's CA, a mock server's.
    pub(crate) fn with_root_certificates(
        timeout: Duration,
        connect_timeout: Duration,
        roots: Vec<reqwest::Certificate>,
    ) -> Result<Self, TransportError> {
        let builder = roots.into_iter().fold(
            Self::client_builder(timeout, connect_timeout),
            reqwest::ClientBuilder::add_root_certificate,
        );
        Ok(ReqwestTransport {
            client: builder.build().map_err(TransportError::from_error)?,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
        })
    }

    /// The same transport with another cap on response bodies, in bytes.
    pub fn with_max_response_body(mut self, bytes: u64) -> Self {
        self.max_response_body = bytes;
        self
    }

    fn client_builder(timeout: Duration, connect_timeout: Duration) -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
    }
}

/// A reqwest error as a [`TransportError`] (without the URL: the message stays short and
/// the query string out of logs).
fn classify(err: reqwest::Error) -> TransportError {
    if err.is_timeout() {
        TransportError::Timeout
    } else {
        TransportError::from_error(err.without_url())
    }
}

/// Reads `response`'s body, chunk by chunk, failing as soon as it exceeds `limit` bytes,
/// and before reading when its Content-Length already does.
async fn read_capped(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, TransportError> {
    let status = response.status().as_u16();
    let too_large = || TransportError::BodyTooLarge { status, limit };
    let announced = response.content_length();
    if announced.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    // Trust the Content-Length for the first allocation only up to a modest size.
    let first = announced.unwrap_or(0).min(limit).min(1 << 20);
    let mut body = Vec::with_capacity(usize::try_from(first).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if (body.len() as u64).saturating_add(chunk.len() as u64) > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl Transport for ReqwestTransport {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        Box::pin(async move {
            let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes())
                .expect("HTTP methods of the vocabulary are valid");
            let mut builder = self.client.request(method, &request.url);
            for (name, value) in &request.headers {
                builder = builder.header(*name, value);
            }
            let response = builder.body(request.body).send().await.map_err(classify)?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .filter_map(|(name, value)| {
                    Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
                })
                .collect();
            let body = read_capped(response, self.max_response_body).await?;
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    /// A resolver that knows no name: a DNS failure without asking the network.
    struct NoSuchHost;

    impl reqwest::dns::Resolve for NoSuchHost {
        fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
            Box::pin(async {
                Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such host (test resolver)",
                )
                .into())
            })
        }
    }

    #[tokio::test]
    async fn a_dns_failure_keeps_its_cause() {
        let client =
            ReqwestTransport::client_builder(Duration::from_secs(5), Duration::from_secs(5))
                .dns_resolver(Arc::new(NoSuchHost))
                .build()
                .unwrap();
        let transport = ReqwestTransport {
            client,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
        };
        let err = transport
            .send(HttpRequest {
                method: crate::HttpMethod::Get,
                url: "http://nonexistent.invalid/".into(),
                headers: Vec::new(),
                body: Vec::new(),
            })
            .await
            .unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.contains("dns error") && shown.contains("no such host (test resolver)"),
            "{shown}"
        );
        let mut next = err.source();
        let mut found = false;
        while let Some(cause) = next {
            found |= cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound);
            next = cause.source();
        }
        assert!(
            found,
            "source() does not lead to the resolver's error: {err:?}"
        );
    }

    #[test]
    fn causes_are_joined_once_each() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "outer: {}", self.0)
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let inner = || std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        // An error that repeats its cause shows it once; one that does not gets it added.
        assert_eq!(with_causes(&Outer(inner())), "outer: reset");
        let err = TransportError::from_error(std::io::Error::other(Outer(inner())));
        assert_eq!(err.to_string(), "outer: reset");
        assert!(err.source().is_some());
        assert_eq!(TransportError::failed("plain").to_string(), "plain");
        assert!(TransportError::failed("plain").source().is_none());
    }
}
