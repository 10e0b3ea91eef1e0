//! The mock server as a program: what a generated crate's `*-mock-server` binary runs, so
//! tests in any language can start it from a shell.
//!
//! ```text
//! intlpartnersmgt-mock-server [--addr 127.0.0.1:PORT] [--policy FILE]... [--disable CHECK]... [--quiet]
//! ```
//!
//! It accepts the credentials in `TENCENTCLOUD_SECRET_ID` and `TENCENTCLOUD_SECRET_KEY`
//! (and `TENCENTCLOUD_SESSION_TOKEN` if set), attaches the `--policy` documents to that
//! SecretId, prints its URL as the first line on stdout, logs each decision to stderr
//! (unless `--quiet`), and serves until interrupted (SIGINT or SIGTERM).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::Value;

use super::{Checks, MockServerBuilder, ServiceDef};
use crate::credentials::Credentials;
use crate::tables::ActionTable;

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Policy files for the SecretId of the environment.
    pub policies: Vec<PathBuf>,
    /// The checks in force.
    pub checks: Checks,
    /// No decision lines on stderr.
    pub quiet: bool,
}

fn usage(program: &str) -> String {
    format!(
        "usage: {program} [--addr ADDR] [--policy FILE]... [--disable CHECK]... [--quiet]\n\
         \n\
         Serves the service's mock on ADDR (default 127.0.0.1:0, a free port) and prints\n\
         its URL as the first line on stdout. Requests must be signed with the credentials\n\
         in TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (TENCENTCLOUD_SESSION_TOKEN\n\
         too, if set). Each --policy FILE is a CAM policy document attached to that\n\
         SecretId. CHECK is one of {}.",
        Checks::NAMES.join(", ")
    )
}

/// Parses the arguments (without the program name). `Err` carries the message to print;
/// `Ok(None)` means `--help`.
pub fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    let mut options = Options {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        policies: Vec::new(),
        checks: Checks::default(),
        quiet: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag {
            "--addr" => {
                let text = value()?;
                options.addr = text
                    .parse()
                    .map_err(|_| format!("--addr `{text}` is not IP:PORT"))?;
            }
            "--policy" => options.policies.push(PathBuf::from(value()?)),
            "--disable" => {
                for name in value()?.split(',') {
                    options.checks.set(name.trim(), false)?;
                }
            }
            "--quiet" => options.quiet = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Some(options))
}

/// Reads a policy file: the error names the file, and the line and column of a syntax
/// error.
pub fn read_policy(path: &std::path::Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read policy {}: {e}", path.display()))?;
    let document: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    crate::policy::statements(&document).map_err(|(pointer, why)| {
        format!(
            "{}: not a CAM policy: {why} (at `{pointer}`)",
            path.display()
        )
    })?;
    Ok(document)
}

/// Runs the program; the generated binary's `main` is this one call.
pub fn main<A: ActionTable + Send + Sync>(service: ServiceDef<A>) -> ExitCode {
    let mut args = std::env::args();
    let program = args
        .next()
        .and_then(|p| {
            std::path::Path::new(&p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| format!("{}-mock-server", service.service));
    let args: Vec<String> = args.collect();
    match run(service, &program, &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{program}: {message}");
            ExitCode::from(2)
        }
    }
}

fn run<A: ActionTable + Send + Sync>(
    service: ServiceDef<A>,
    program: &str,
    args: &[String],
) -> Result<(), String> {
    let Some(options) = parse_args(args).map_err(|e| format!("{e}\n{}", usage(program)))? else {
        println!("{}", usage(program));
        return Ok(());
    };
    let credentials = Credentials::from_env().map_err(|e| {
        format!("{e:?}: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY to the credentials the server accepts")
    })?;
    let mut builder = MockServerBuilder::new(service)
        .addr(options.addr)
        .checks(options.checks)
        .echo_log(!options.quiet);
    for path in &options.policies {
        builder = builder.policy(credentials.secret_id(), read_policy(path)?);
    }
    let server = builder
        .credentials(credentials)
        .start_blocking()
        .map_err(|e| e.to_string())?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{}", server.url())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write the URL: {e}"))?;
    wait_for_signal()?;
    drop(server);
    Ok(())
}

/// Blocks until SIGINT or SIGTERM.
fn wait_for_signal() -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot wait for signals: {e}"))?;
    runtime.block_on(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let mut terminate = signal(SignalKind::terminate())
                .map_err(|e| format!("cannot watch SIGTERM: {e}"))?;
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| format!("cannot watch Ctrl-C: {e}"))?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn arguments() {
        let options = parse_args(&args(&[
            "--addr",
            "127.0.0.1:8080",
            "--policy=p.json",
            "--disable",
            "qps,clock-skew",
            "--quiet",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(options.addr, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(options.policies, vec![PathBuf::from("p.json")]);
        assert!(!options.checks.qps && !options.checks.clock_skew && options.checks.signature);
        assert!(options.quiet);
        assert_eq!(parse_args(&args(&["--help"])), Ok(None));
        for (bad, needle) in [
            (&["--addr", "nowhere"][..], "not IP:PORT"),
            (&["--addr"][..], "needs a value"),
            (
                &["--disable", "everything"][..],
                "no check is named `everything`",
            ),
            (&["--port", "1"][..], "unknown argument `--port`"),
        ] {
            let err = parse_args(&args(bad)).unwrap_err();
            assert!(err.contains(needle), "{bad:?}: {err}");
        }
    }
}
