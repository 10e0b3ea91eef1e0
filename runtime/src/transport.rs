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

/// Which proxy the real transport sends through.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// The environment's, as reqwest reads it (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`,
    /// `NO_PROXY`, in upper or lower case): the default.
    #[default]
    Environment,
    /// None at all, whatever the environment says.
    Direct,
    /// This one for every request (`http://[user:password@]host:port` or `https://...`),
    /// whatever the environment says (`NO_PROXY` included).
    Url(String),
}

/// Never shows the credentials a proxy URL may carry.
impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxySetting::Environment => f.write_str("Environment"),
            ProxySetting::Direct => f.write_str("Direct"),
            ProxySetting::Url(url) => f.debug_tuple("Url").field(&redact_userinfo(url)).finish(),
        }
    }
}

/// `text` (a URL, or what was meant as one) with the user and password of its authority
/// replaced by `***`, so it can be shown.
pub(crate) fn redact_userinfo(text: &str) -> String {
    let start = text.find("://").map_or(0, |i| i + 3);
    let authority_end = text[start..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |i| start + i);
    match text[start..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &text[..start], &text[start + at..]),
        None => text.to_owned(),
    }
}

impl ProxySetting {
    /// The reqwest proxy of a [`ProxySetting::Url`] after checking it (an `http` or
    /// `https` URL with a host); the error says what is wrong without the credentials.
    pub(crate) fn checked(url: &str) -> Result<reqwest::Proxy, String> {
        let shown = redact_userinfo(url);
        let parsed = reqwest::Url::parse(url).map_err(|err| format!("`{shown}`: {err}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "`{shown}`: the scheme is `{}`; an HTTP proxy is `http://` or `https://`",
                parsed.scheme()
            ));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(format!("`{shown}`: no host"));
        }
        // reqwest sends the user and password as Proxy-Authorization (Basic).
        reqwest::Proxy::all(parsed).map_err(|_| format!("`{shown}`: not a proxy URL"))
    }
}

/// How the real transport connects: its timeouts, its proxy, its connection pool and the
/// certificate authorities it trusts.
#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    /// The whole request, reading the body included.
    pub timeout: Duration,
    /// Establishing a connection.
    pub connect_timeout: Duration,
    /// The proxy.
    pub proxy: ProxySetting,
    /// The most idle connections kept per host: [`DEFAULT_POOL_MAX_IDLE_PER_HOST`].
    pub pool_max_idle_per_host: usize,
    /// How long an idle connection is kept; `None` for as long as the server keeps it:
    /// [`DEFAULT_POOL_IDLE_TIMEOUT`].
    pub pool_idle_timeout: Option<Duration>,
    /// Certificate authorities trusted besides the built-in roots (a private deployment's,
    /// a mock server's): see [`parse_root_certificates`].
    pub root_certificates: Vec<reqwest::Certificate>,
}

/// The default most idle connections kept per host: no limit, so every connection a
/// burst of concurrent calls opened stays for the next burst instead of being closed
/// and replaced by a new one, each close leaving a socket in TIME_WAIT (the official Go
/// SDK's default of 2 made bursts flood hosts with them: tencentcloud-sdk-go#69).
pub const DEFAULT_POOL_MAX_IDLE_PER_HOST: usize = usize::MAX;

/// The default time an idle connection is kept: 90 s (reqwest's and Go's default).
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

impl ConnectionSettings {
    /// These timeouts, the environment's proxy, and the default pool.
    pub fn new(timeout: Duration, connect_timeout: Duration) -> Self {
        ConnectionSettings {
            timeout,
            connect_timeout,
            proxy: ProxySetting::Environment,
            pool_max_idle_per_host: DEFAULT_POOL_MAX_IDLE_PER_HOST,
            pool_idle_timeout: Some(DEFAULT_POOL_IDLE_TIMEOUT),
            root_certificates: Vec::new(),
        }
    }
}

/// The certificates of a PEM bundle, to trust as roots: at least one, each well encoded
/// (the DER inside is checked when a client is built with them). The error says what is
/// wrong, never repeating the input.
pub fn parse_root_certificates(pem: &[u8]) -> Result<Vec<reqwest::Certificate>, String> {
    let certificates = reqwest::Certificate::from_pem_bundle(pem)
        .map_err(|_| "not a PEM certificate bundle (bad encoding)".to_owned())?;
    if certificates.is_empty() {
        return Err("no `-----BEGIN CERTIFICATE-----` block in it: not a PEM certificate".into());
    }
    Ok(certificates)
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
        Self::with_settings(&ConnectionSettings::new(timeout, connect_timeout))
    }

    /// A transport with these settings. A bad proxy URL is a [`TransportError::Failed`]
    /// that says what is wrong without its credentials.
    pub fn with_settings(settings: &ConnectionSettings) -> Result<Self, TransportError> {
        let builder = Self::client_builder(settings.timeout, settings.connect_timeout)
            .pool_max_idle_per_host(settings.pool_max_idle_per_host)
            .pool_idle_timeout(settings.pool_idle_timeout);
        let builder = settings
            .root_certificates
            .iter()
            .cloned()
            .fold(builder, reqwest::ClientBuilder::add_root_certificate);
        let builder = match &settings.proxy {
            ProxySetting::Environment => builder,
            ProxySetting::Direct => builder.no_proxy(),
            ProxySetting::Url(url) => builder.proxy(
                ProxySetting::checked(url)
                    .map_err(|why| TransportError::failed(format!("bad proxy {why}")))?,
            ),
        };
        let client = builder.build().map_err(TransportError::from_error)?;
        Ok(ReqwestTransport {
            client,
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
    fn proxy_credentials_are_never_shown() {
        assert_eq!(
            redact_userinfo("http://user:pw@proxy:3128/x?a@b"),
            "http://***@proxy:3128/x?a@b"
        );
        assert_eq!(redact_userinfo("u:p@w@proxy:3128"), "***@proxy:3128");
        assert_eq!(redact_userinfo("http://proxy:3128"), "http://proxy:3128");
        assert_eq!(redact_userinfo("not a url"), "not a url");
        let setting = ProxySetting::Url("http://user:pw-never-shown@127.0.0.1:3128".into());
        assert_eq!(format!("{setting:?}"), "Url(\"http://***@127.0.0.1:3128\")");
        let mut settings = ConnectionSettings::new(Duration::from_secs(5), Duration::from_secs(5));
        settings.proxy = setting;
        let transport = ReqwestTransport::with_settings(&settings).unwrap();
        assert!(!format!("{settings:?}").contains("pw-never-shown"));
        // reqwest's Debug of its client shows the proxy without them (checked here, in
        // case a reqwest version changes that).
        assert!(!format!("{transport:?}").contains("pw-never-shown"));
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
