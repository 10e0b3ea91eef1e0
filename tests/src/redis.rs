//! A `redis-server` of a test's (or a benchmark's) own: on a free loopback port, with no
//! persistence and a temporary directory, stopped when dropped. Debian's `redis-server`
//! package provides it (`.ci/run` installs it when missing).

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a starting server may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A running `redis-server`, killed on drop.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    extra: Vec<String>,
}

impl RedisServer {
    /// A server with the defaults.
    pub fn start() -> Result<RedisServer, String> {
        RedisServer::start_with(&[])
    }

    /// A server with `extra` arguments too (`--requirepass`, say).
    pub fn start_with(extra: &[&str]) -> Result<RedisServer, String> {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|listener| listener.local_addr())
            .map_err(|err| format!("no free loopback port: {err}"))?
            .port();
        let mut server = RedisServer {
            child: None,
            port,
            dir: tempfile::tempdir().map_err(|err| format!("no temporary directory: {err}"))?,
            extra: extra.iter().map(|s| s.to_string()).collect(),
        };
        server.run()?;
        Ok(server)
    }

    fn run(&mut self) -> Result<(), String> {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|err| {
                format!(
                    "cannot start redis-server ({err}): a real Redis is needed; install it \
                     with `apt-get install -y redis-server` (the Debian package; .ci/run \
                     installs it when missing)"
                )
            })?;
        let child = self.child.insert(child);
        let deadline = Instant::now() + START_TIMEOUT;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        while TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "redis-server on port {} exited at start ({status})",
                    self.port
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "redis-server on port {} did not listen within {} s",
                    self.port,
                    START_TIMEOUT.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops it (it can be started again on the same port with [`RedisServer::restart`]).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops it and starts it again on the same port, empty.
    pub fn restart(&mut self) -> Result<(), String> {
        self.kill();
        self.run()
    }

    /// Sends a signal (`-STOP`, `-CONT`) to the running server.
    pub fn signal(&self, signal: &str) -> Result<(), String> {
        let pid = self.child.as_ref().ok_or("the server is not running")?.id();
        let status = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .map_err(|err| format!("cannot run kill: {err}"))?;
        status
            .success()
            .then_some(())
            .ok_or_else(|| format!("kill {signal} {pid}: {status}"))
    }

    /// `redis-cli` on this server: its output, trimmed.
    pub fn cli(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .output()
            .map_err(|err| {
                format!("cannot run redis-cli ({err}); it comes with redis-server (redis-tools)")
            })?;
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
