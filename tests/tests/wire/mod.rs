//! Raw HTTP/1.1 for the mock server tests: requests written byte by byte (so tests can
//! send what no client library would) and responses read back whole.

#![allow(dead_code)] // each test file uses its own part

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use partnergen_runtime::transport::HttpRequest;
use serde_json::Value;
use tencentcloud_intlpartnersmgt::Client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A request for `action` signed by `client` at `timestamp`, as the client would send it.
pub fn signed(client: &Client, action: &str, body: &str, timestamp: i64) -> HttpRequest {
    client
        .engine()
        .signed_request(action, body.as_bytes().to_vec(), timestamp)
}

/// `request` as HTTP/1.1 bytes with this method and target, closing the connection after.
pub fn to_bytes(request: &HttpRequest, method: &str, target: &str) -> Vec<u8> {
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        request.body.len()
    ));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&request.body);
    bytes
}

/// `request` as HTTP/1.1 bytes, with its own method and the path and query of its URL.
pub fn as_sent(request: &HttpRequest) -> Vec<u8> {
    let after_scheme = request
        .url
        .split_once("://")
        .map_or(&*request.url, |(_, r)| r);
    let target = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    to_bytes(request, request.method.as_str(), target)
}

/// An admin request (`body` JSON unless null).
pub fn admin_bytes(method: &str, path: &str, body: &Value) -> Vec<u8> {
    let body = if body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(body).unwrap()
    };
    let mut bytes = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend(body);
    bytes
}

/// A response as received.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Raw {
    /// Parses a whole response; `None` if it is not one.
    pub fn parse(bytes: &[u8]) -> Option<Raw> {
        let split = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = std::str::from_utf8(&bytes[..split]).ok()?;
        let mut lines = head.split("\r\n");
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Some(Raw {
            status,
            headers,
            body: bytes[split + 4..].to_vec(),
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The API error code, `None` for a response.
    pub fn code(&self) -> Option<String> {
        self.json()["Response"]["Error"]["Code"]
            .as_str()
            .map(str::to_owned)
    }

    pub fn message(&self) -> String {
        self.json()["Response"]["Error"]["Message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn request_id(&self) -> Option<String> {
        self.json()["Response"]["RequestId"]
            .as_str()
            .map(str::to_owned)
    }

    /// What the service always answers: HTTP 200, `Content-Type: application/json`
    /// exactly, and a `RequestId`.
    pub fn assert_service_shape(&self) {
        assert_eq!(self.status, 200, "{self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{self:?}"
        );
        assert!(
            self.request_id().is_some_and(|id| !id.is_empty()),
            "{self:?}"
        );
    }
}

/// Sends `bytes` on a fresh connection and reads until the server closes it.
pub async fn exchange(addr: SocketAddr, bytes: &[u8]) -> Raw {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    Raw::parse(&answer)
        .unwrap_or_else(|| panic!("not a response: {:?}", String::from_utf8_lossy(&answer)))
}

/// [`exchange`] without an async runtime.
pub fn exchange_blocking(addr: SocketAddr, bytes: &[u8]) -> Raw {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(bytes).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    Raw::parse(&answer).unwrap()
}
