//! The HTTP layer of the mock server: accepting connections, bounding what a client may
//! send (header size, body size, how long it may take), and handing each whole request to
//! a protocol handler. Protocol logic (signatures, dispatch, policies) is the handler's.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// What a client may send, and what the server keeps of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body (larger ones are refused without being read).
    pub max_body_bytes: usize,
    /// The largest request head (request line and headers); hyper answers 431 past it.
    pub max_head_bytes: usize,
    /// How long a client may take to send a request's head.
    pub head_timeout: Duration,
    /// How long a client may take to send a request's body.
    pub body_timeout: Duration,
    /// The most bytes the decision log holds; the oldest entries are dropped past it.
    pub max_log_bytes: usize,
    /// The most bytes the recorded calls hold (requests and replies); the oldest calls
    /// are dropped past it, though the latest is always kept.
    pub max_recorded_call_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // The API 3.0 limit for a POST body.
            max_body_bytes: 10 << 20,
            max_head_bytes: 64 << 10,
            head_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            // Thousands of entries or calls: enough for any test, small for any machine.
            max_log_bytes: 16 << 20,
            max_recorded_call_bytes: 64 << 20,
        }
    }
}

/// A request's head as received.
#[derive(Debug)]
pub(crate) struct Head {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub peer: SocketAddr,
}

impl Head {
    /// A header's value, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    #[cfg_attr(not(feature = "tencent"), allow(dead_code))]
    /// How many times a header is in the request.
    pub fn count(&self, name: &str) -> usize {
        self.headers.get_all(name).iter().count()
    }
}

/// Why a body could not be had.
#[derive(Debug)]
pub(crate) enum BodyProblem {
    /// Over [`Limits::max_body_bytes`].
    TooLarge,
    /// Cut short, or too slow.
    Unreadable(String),
}

/// What the server sends back (with `Content-Type: application/json` unless its headers
/// name another).
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    /// Headers besides Content-Type.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn new(status: u16, body: Vec<u8>) -> Self {
        Answer {
            status,
            headers: Vec::new(),
            body,
        }
    }
}

/// A protocol: turns whole requests into answers. Sync on purpose: every check is CPU
/// work of a few microseconds, and nothing waits.
pub(crate) trait Handler: Send + Sync + 'static {
    /// Answers a request whose body was read whole.
    fn handle(&self, head: Head, body: Bytes) -> Answer;
    /// Answers a request whose body could not be read.
    fn reject(&self, head: Head, problem: BodyProblem) -> Answer;
}

/// Serves `listener` until the returned future is dropped (which drops every connection);
/// over TLS when given an acceptor.
pub(crate) async fn serve(
    listener: TcpListener,
    handler: Arc<dyn Handler>,
    limits: Limits,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d: policies
                    // and the log see the IPv4 address the client has.
                    let peer = SocketAddr::new(peer.ip().to_canonical(), peer.port());
                    let handler = Arc::clone(&handler);
                    match &tls {
                        None => {
                            connections.spawn(connection(stream, peer, handler, limits));
                        }
                        Some(acceptor) => {
                            let accept = acceptor.accept(stream);
                            connections.spawn(async move {
                                // The handshake in the connection's own task, within the
                                // head's time limit: a slow or garbage handshake ends only
                                // that connection.
                                if let Ok(Ok(stream)) =
                                    tokio::time::timeout(limits.head_timeout, accept).await
                                {
                                    connection(stream, peer, handler, limits).await;
                                }
                            });
                        }
                    }
                }
                // Out of file descriptors, or a connection reset before it was accepted:
                // keep serving the connections there are, and try again shortly.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

pub(crate) async fn connection(
    stream: impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
    peer: SocketAddr,
    handler: Arc<dyn Handler>,
    limits: Limits,
) {
    let service = service_fn(move |request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Infallible>(respond(&*handler, request, peer, limits).await) }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.head_timeout)
        .max_buf_size(limits.max_head_bytes.max(8192));
    // A failed connection (garbage, a reset, a timeout) ends only itself.
    let _ = builder
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn respond(
    handler: &dyn Handler,
    request: hyper::Request<Incoming>,
    peer: SocketAddr,
    limits: Limits,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let head = Head {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers,
        peer,
    };
    let declared = head
        .header("content-length")
        .and_then(|n| n.parse::<u64>().ok());
    let answer = if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
        handler.reject(head, BodyProblem::TooLarge)
    } else {
        let read = Limited::new(body, limits.max_body_bytes).collect();
        match tokio::time::timeout(limits.body_timeout, read).await {
            Ok(Ok(collected)) => handler.handle(head, collected.to_bytes()),
            Ok(Err(err)) if err.is::<LengthLimitError>() => {
                handler.reject(head, BodyProblem::TooLarge)
            }
            Ok(Err(err)) => handler.reject(head, BodyProblem::Unreadable(err.to_string())),
            Err(_) => handler.reject(
                head,
                BodyProblem::Unreadable(format!(
                    "the body took longer than {:?}",
                    limits.body_timeout
                )),
            ),
        }
    };
    // Exactly this value unless the handler says otherwise (the metadata endpoints'
    // plain text): the official Python SDK reads error envelopes only under
    // `application/json` or `text/plain`, with no parameters.
    let content_type = answer
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map_or("application/json", |(_, value)| value.as_str());
    let mut response = hyper::Response::builder()
        .status(answer.status)
        .header(http::header::CONTENT_TYPE, content_type);
    for (name, value) in &answer.headers {
        if !name.eq_ignore_ascii_case("content-type") {
            response = response.header(name, value);
        }
    }
    response
        .body(Full::new(Bytes::from(answer.body)))
        .expect("a valid status and headers")
}
