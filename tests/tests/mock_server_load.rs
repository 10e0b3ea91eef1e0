//! The mock server under load and under garbage: a thousand connections open at once each
//! get their own answer, and truncated bodies, huge headers, non-UTF-8, slow and stalled
//! clients and plain noise leave it serving. (Throughput is a benchmark, not a test:
//! `cargo xtask bench mock-server`.)

mod wire;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tencentcloud_intlpartnersmgt::mock::{self, Checks};
use tencentcloud_intlpartnersmgt::models;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wire::{as_sent, exchange, signed, unix_now, Raw};

const CONNECTIONS: usize = 1000;

/// A server whose QueryCreditAllocationHistory answers `Total` = the request's
/// `ClientUin`, so every answer shows which request it belongs to.
async fn echo_server(limits: partnergen_runtime::server::Limits) -> mock::Server {
    mock::server()
        .checks(Checks {
            qps: false,
            ..Checks::default()
        })
        .limits(limits)
        .rule(
            mock::query_credit_allocation_history()
                .respond_with(|req: &models::QueryCreditAllocationHistoryRequest| {
                    let mut response = models::QueryCreditAllocationHistoryResponse::default();
                    response.total = req.client_uin;
                    response
                })
                .build(),
        )
        .start()
        .await
        .unwrap()
}

fn echo_request(server: &mock::Server, uin: usize) -> Vec<u8> {
    let body = format!("{{\"ClientUin\": {uin}}}");
    let request = signed(
        &mock::server_client(server),
        "QueryCreditAllocationHistory",
        &body,
        unix_now(),
    );
    as_sent(&request)
}

/// The server still answers a well-formed request correctly.
async fn still_serving(server: &mock::Server, uin: usize) {
    let raw = exchange(server.addr(), &echo_request(server, uin)).await;
    raw.assert_service_shape();
    assert_eq!(raw.json()["Response"]["Total"], uin, "{raw:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_connections_each_get_their_own_answer() {
    let server = echo_server(Default::default()).await;
    // Every connection is open before any request is sent, so all are concurrent.
    let mut streams = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        streams.push(TcpStream::connect(server.addr()).await.unwrap());
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(CONNECTIONS));
    let tasks: Vec<_> = streams
        .into_iter()
        .enumerate()
        .map(|(uin, mut stream)| {
            let bytes = echo_request(&server, uin);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                stream.write_all(&bytes).await.unwrap();
                let mut answer = Vec::new();
                stream.read_to_end(&mut answer).await.unwrap();
                (uin, Raw::parse(&answer).expect("a whole response"))
            })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        let (uin, raw) = task.await.unwrap();
        raw.assert_service_shape();
        assert_eq!(
            raw.json()["Response"]["Total"],
            uin,
            "connection {uin}: {raw:?}"
        );
        ids.insert(raw.request_id().unwrap());
    }
    assert_eq!(ids.len(), CONNECTIONS, "every RequestId is distinct");
    let log = server.log();
    assert_eq!(log.len(), CONNECTIONS);
    assert!(log
        .iter()
        .all(|e| e.decided_by == "rule" && ids.contains(&e.request_id)));
    let calls = server.mock().calls();
    let uins: HashSet<u64> = calls
        .iter()
        .map(|c| c.request["ClientUin"].as_u64().unwrap())
        .collect();
    assert_eq!(uins.len(), CONNECTIONS);
}

/// Writes `bytes` and reads until the server closes or `wait` passes; returns what came.
async fn poke(addr: SocketAddr, bytes: &[u8], close_write: bool, wait: Duration) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // The server may close early (e.g. on a head too large): a failed write is fine.
    let _ = stream.write_all(bytes).await;
    if close_write {
        let _ = stream.shutdown().await;
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut answer)).await;
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_leaves_the_server_serving() {
    let limits = partnergen_runtime::server::Limits {
        max_body_bytes: 64 << 10,
        head_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(500),
        ..Default::default()
    };
    let server = echo_server(limits).await;
    let addr = server.addr();
    let valid = echo_request(&server, 1);
    let head_end = valid.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;

    // A body cut short: the connection ends before Content-Length bytes came.
    let truncated = poke(addr, &valid[..head_end + 3], true, Duration::from_secs(2)).await;
    if let Some(raw) = Raw::parse(&truncated) {
        raw.assert_service_shape();
        assert_eq!(raw.code().as_deref(), Some("InvalidParameter"), "{raw:?}");
    }
    still_serving(&server, 2).await;

    // A body over the limit, declared: refused without being read.
    let mut big = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-TC-Action: QueryCreditAllocationHistory\r\nContent-Length: 999999999\r\nConnection: close\r\n\r\n".to_vec();
    big.extend_from_slice(b"{\"ClientUin\": ");
    let raw = Raw::parse(&poke(addr, &big, false, Duration::from_secs(2)).await).unwrap();
    raw.assert_service_shape();
    assert_eq!(raw.code().as_deref(), Some("RequestSizeLimitExceeded"));
    // ... and over the limit, chunked (no length declared).
    let mut chunked = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for _ in 0..80 {
        chunked.extend_from_slice(b"400\r\n");
        chunked.extend_from_slice(&[b' '; 0x400]);
        chunked.extend_from_slice(b"\r\n");
    }
    let raw = Raw::parse(&poke(addr, &chunked, false, Duration::from_secs(2)).await).unwrap();
    assert_eq!(raw.code().as_deref(), Some("RequestSizeLimitExceeded"));

    // A head of 200 KB: hyper refuses it (431) or drops the connection.
    let mut huge = b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 200 << 10));
    huge.extend_from_slice(b"\r\n\r\n");
    let answer = poke(addr, &huge, false, Duration::from_secs(2)).await;
    if let Some(raw) = Raw::parse(&answer) {
        assert_eq!(raw.status, 431, "{raw:?}");
    }
    still_serving(&server, 3).await;

    // Non-UTF-8: in a header value (the action cannot be read), and in a signed body
    // (the signature over the raw bytes verifies; the body is not JSON).
    let mut bad_header = valid[..head_end].to_vec();
    let at = bad_header
        .windows(b"QueryCreditAllocationHistory".len())
        .position(|w| w == b"QueryCreditAllocationHistory")
        .unwrap();
    bad_header[at] = 0xff;
    bad_header.extend_from_slice(&valid[head_end..]);
    let raw = Raw::parse(&poke(addr, &bad_header, false, Duration::from_secs(2)).await).unwrap();
    raw.assert_service_shape();
    assert_eq!(raw.code().as_deref(), Some("MissingParameter"), "{raw:?}");
    let resigned = mock::server_client(&server).engine().signed_request(
        "QueryCreditAllocationHistory",
        vec![b'{', 0xff, 0xfe, b'}'],
        unix_now(),
    );
    let raw = exchange(addr, &as_sent(&resigned)).await;
    raw.assert_service_shape();
    assert_eq!(raw.code().as_deref(), Some("InvalidParameter"), "{raw:?}");
    assert!(raw.message().contains("not valid JSON"), "{raw:?}");

    // A slow client (a few bytes every few milliseconds) is served ...
    let slow = echo_request(&server, 4);
    let mut stream = TcpStream::connect(addr).await.unwrap();
    for piece in slow.chunks(24) {
        stream.write_all(piece).await.unwrap();
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    assert_eq!(Raw::parse(&answer).unwrap().json()["Response"]["Total"], 4);
    // ... a stalled one is cut off after the head timeout, and one that stalls in the
    // body after the body timeout.
    for (cut, timeout) in [
        (20, limits.head_timeout),
        (head_end + 2, limits.body_timeout),
    ] {
        let started = Instant::now();
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(&valid[..cut]).await.unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
            .await
            .expect("the server closes a stalled connection")
            .ok();
        assert!(
            started.elapsed() >= timeout,
            "closed after {:?}",
            started.elapsed()
        );
    }

    // Noise, and connections that say nothing at all.
    for noise in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"[..],
        b"GET\r\n\r\n",
        b"\0\0\0\0",
    ] {
        poke(addr, noise, true, Duration::from_secs(2)).await;
    }
    for _ in 0..50 {
        drop(TcpStream::connect(addr).await.unwrap());
    }
    still_serving(&server, 5).await;
    assert!(server.log().iter().any(|e| e.decided_by == "body"));
}
