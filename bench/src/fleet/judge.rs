//! The judge: a small HTTP/1.1 server on 127.0.0.1 that answers every POST with an API 3.0
//! success envelope and records when each request arrived (nanoseconds since the Unix
//! epoch, the clock every process on the machine shares). `GET /arrivals` answers the
//! recorded times as a JSON array, so a judge can serve a bench run from another process
//! too (`--endpoint`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The largest request head or body the judge reads; anything larger closes the
/// connection (a judge has no use for it, and it must not grow without bound).
const MAX_REQUEST: usize = 64 * 1024;

/// A running judge; it stops when the runtime that spawned it does.
pub struct Judge {
    pub addr: SocketAddr,
    arrivals: Arc<Mutex<Vec<u64>>>,
}

impl Judge {
    /// Listens on a free loopback port.
    pub async fn start() -> Result<Judge> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("the judge cannot listen on 127.0.0.1")?;
        let addr = listener.local_addr()?;
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&arrivals);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let recorded = Arc::clone(&recorded);
                // A connection's failure ends that connection only.
                tokio::spawn(async move { drop(serve(stream, recorded).await) });
            }
        });
        Ok(Judge { addr, arrivals })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The arrivals recorded so far, sorted, and forgets them (each round starts afresh).
    pub fn take_arrivals(&self) -> Vec<u64> {
        let mut arrivals = std::mem::take(&mut *self.arrivals.lock().expect("not poisoned"));
        arrivals.sort_unstable();
        arrivals
    }
}

pub fn unix_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// One keep-alive connection: requests in, answers out, until the peer closes.
async fn serve(mut stream: TcpStream, arrivals: Arc<Mutex<Vec<u64>>>) -> Result<()> {
    stream.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(4096);
    loop {
        let Some((method, path)) = read_request(&mut stream, &mut buffer).await? else {
            return Ok(());
        };
        let body = if method == "GET" && path == "/arrivals" {
            let arrivals = arrivals.lock().expect("not poisoned").clone();
            serde_json::to_string(&arrivals)?
        } else {
            let at = unix_nanos();
            let mut arrivals = arrivals.lock().expect("not poisoned");
            arrivals.push(at);
            format!(
                r#"{{"Response":{{"RequestId":"judge-{}"}}}}"#,
                arrivals.len()
            )
        };
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(answer.as_bytes()).await?;
    }
}

/// Reads one request (head and Content-Length body); its method and path, or `None` once
/// the peer has closed between requests.
async fn read_request(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
) -> Result<Option<(String, String)>> {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buffer[..end])?.to_owned();
            let mut request_line = head.lines().next().unwrap_or("").split(' ');
            let method = request_line.next().unwrap_or("").to_owned();
            let path = request_line.next().unwrap_or("").to_owned();
            let length: usize = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length").then_some(value)
                })
                .map_or(Ok(0), |value| value.trim().parse())?;
            if length > MAX_REQUEST {
                bail!("a request body of {length} bytes");
            }
            if buffer.len() >= end + 4 + length {
                buffer.drain(..end + 4 + length);
                return Ok(Some((method, path)));
            }
        } else if buffer.len() > MAX_REQUEST {
            bail!("a request head over {MAX_REQUEST} bytes");
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return if buffer.is_empty() {
                Ok(None)
            } else {
                bail!("the peer closed mid-request")
            };
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}
