//! The mock server as a program: what a generated crate's `*-mock-server` binary runs
//! (through `crate::tencent::server::main` or `crate::huawei::server::main`), so tests in
//! any language can start it from a shell. The command line and the serving loop are
//! here, shared; each vendor's `main` picks its credentials and its access flags.
//!
//! ```text
//! intlpartnersmgt-mock-server [--addr 127.0.0.1:PORT] [--allow-remote] [--policy FILE]... [--role NAME]... [COMMON]...
//! partner-center-mock-server [--addr 127.0.0.1:PORT] [--allow-remote] [--permissions P1,P2,...] [COMMON]...
//! COMMON: [--tls [--ca-file PATH]] [--temporary-key-lifetime SECS] [--disable CHECK]... [--quiet]
//! ```
//!
//! With `--tls` it serves HTTPS with a certificate authority of its own, made at start
//! (`--ca-file` writes the CA's PEM there, whole or not at all, before the URL is
//! printed; the URL is then `https://`). `--temporary-key-lifetime` is how long the
//! temporary keys of its metadata endpoint and STS live (default 3600 s); `--role` names
//! the Tencent roles it knows (default `partnergen-mock-role`).
//!
//! Tencent: it accepts the credentials in `TENCENTCLOUD_SECRET_ID` and
//! `TENCENTCLOUD_SECRET_KEY` (and `TENCENTCLOUD_SESSION_TOKEN` if set) and attaches the
//! `--policy` documents to that SecretId. Huawei: it accepts `HUAWEICLOUD_SDK_AK` and
//! `HUAWEICLOUD_SDK_SK` (and `HUAWEICLOUD_SDK_SECURITY_TOKEN` if set), and `--permissions`
//! are the operator account's permission actions (without it, every operation is
//! allowed). It prints its URL as the first line on stdout, logs each decision to stderr
//! (unless `--quiet`), and serves until interrupted (SIGINT or SIGTERM).
//!
//! It listens on loopback only unless `--allow-remote` is given; then the admin
//! endpoint `/_mock/` wants the random token printed as the second line on stdout
//! (`admin-token: ...`) in `X-Mock-Admin-Token`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[cfg(feature = "policy")]
use serde_json::Value;

use super::Checks;
use crate::credentials::Credentials;

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Policy files for the SecretId of the environment (Tencent).
    pub policies: Vec<PathBuf>,
    /// The operator account's permission actions (Huawei).
    pub permissions: Option<Vec<String>>,
    /// The checks in force.
    pub checks: Checks,
    /// No decision lines on stderr.
    pub quiet: bool,
    /// May listen on a non-loopback address (the admin endpoint then wants a token).
    pub allow_remote: bool,
    /// Serve HTTPS with a CA made at start.
    pub tls: bool,
    /// Where to write the CA's PEM (with `tls`).
    pub ca_file: Option<PathBuf>,
    /// How long issued temporary keys live (the builder's default when `None`).
    pub temporary_key_lifetime: Option<std::time::Duration>,
    /// The roles the server knows (Tencent).
    pub roles: Vec<String>,
}

/// The longest `--temporary-key-lifetime`: STS's own longest, 12 hours.
pub const MAX_TEMPORARY_KEY_LIFETIME_SECS: u64 = 43_200;

fn usage(program: &str, huawei: bool) -> String {
    let (flags, credentials, access) = if huawei {
        (
            "[--permissions P1,P2,...] [--tls [--ca-file PATH]] [--temporary-key-lifetime SECS]",
            "HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (HUAWEICLOUD_SDK_SECURITY_TOKEN\n\
             too, if set)",
            "--permissions are the operator account's permission actions: an operation\n\
             is allowed when the account holds any one of its permissions (without the\n\
             flag, every operation is).",
        )
    } else {
        (
            "[--policy FILE]... [--role NAME]... [--tls [--ca-file PATH]] [--temporary-key-lifetime SECS]",
            "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (TENCENTCLOUD_SESSION_TOKEN\n\
             too, if set)",
            "Each --policy FILE is a CAM policy document attached to that SecretId.",
        )
    };
    format!(
        "usage: {program} [--addr ADDR] [--allow-remote] {flags} [--disable CHECK]... [--quiet]\n\
         \n\
         Serves the service's mock on ADDR (default 127.0.0.1:0, a free port) and prints\n\
         its URL as the first line on stdout. Requests must be signed with the credentials\n\
         in {credentials}. {access} CHECK is one of {}.\n\
         \n\
         ADDR must be a loopback address unless --allow-remote is given: the admin\n\
         endpoint /_mock/ then answers only requests carrying the random token printed as\n\
         the second line on stdout (`admin-token: ...`) in X-Mock-Admin-Token.\n\
         \n\
         --tls serves HTTPS with a certificate authority made at start; --ca-file PATH\n\
         writes its PEM to PATH (whole, before the URL is printed) for clients to trust.\n\
         --temporary-key-lifetime SECS (1 to {MAX_TEMPORARY_KEY_LIFETIME_SECS}, default 3600) is how long the\n\
         temporary keys of the metadata endpoint and STS live.",
        Checks::NAMES.join(", ")
    )
}

/// Parses the arguments (without the program name). `Err` carries the message to print;
/// `Ok(None)` means `--help`.
pub fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    let mut options = Options {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        policies: Vec::new(),
        permissions: None,
        checks: Checks::default(),
        quiet: false,
        allow_remote: false,
        tls: false,
        ca_file: None,
        temporary_key_lifetime: None,
        roles: Vec::new(),
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
            "--permissions" => {
                let list = value()?;
                options.permissions = Some(
                    list.split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned)
                        .collect(),
                );
            }
            "--disable" => {
                for name in value()?.split(',') {
                    options.checks.set(name.trim(), false)?;
                }
            }
            "--quiet" => options.quiet = true,
            "--allow-remote" => options.allow_remote = true,
            "--tls" => options.tls = true,
            "--ca-file" => options.ca_file = Some(PathBuf::from(value()?)),
            "--role" => options.roles.push(value()?),
            "--temporary-key-lifetime" => {
                let text = value()?;
                let seconds = text
                    .parse::<u64>()
                    .ok()
                    .filter(|s| (1..=MAX_TEMPORARY_KEY_LIFETIME_SECS).contains(s))
                    .ok_or_else(|| {
                        format!(
                            "--temporary-key-lifetime `{}` is not a whole number of seconds \
                             from 1 to {MAX_TEMPORARY_KEY_LIFETIME_SECS}",
                            super::shown(&text)
                        )
                    })?;
                options.temporary_key_lifetime = Some(std::time::Duration::from_secs(seconds));
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if options.ca_file.is_some() && !options.tls {
        return Err("--ca-file writes the TLS mode's CA: give --tls too".into());
    }
    Ok(Some(options))
}

/// Writes the CA's PEM to `path` whole or not at all (a file beside it, then a rename),
/// so a test waiting for the file never reads half of it.
pub(crate) fn write_ca_file(path: &std::path::Path, pem: &str) -> Result<(), String> {
    let name = path
        .file_name()
        .ok_or_else(|| format!("--ca-file `{}` names no file", path.display()))?;
    let partial = path.with_file_name(format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::write(&partial, pem).and_then(|()| std::fs::rename(&partial, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        format!("cannot write the CA to {}: {e}", path.display())
    })
}

#[cfg(feature = "policy")]
/// Reads a policy file: the error names the file, and the line and column of a syntax
/// error.
pub fn read_policy(path: &std::path::Path) -> Result<Value, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read policy {}: {e}", path.display()))?;
    let text =
        crate::policy::policy_text(bytes).map_err(|why| format!("{} {why}", path.display()))?;
    let (text, had_bom) = crate::policy::strip_byte_order_mark(&text);
    if had_bom {
        eprintln!(
            "warning: {}: {}",
            path.display(),
            crate::policy::BYTE_ORDER_MARK_WARNING
        );
    }
    let document: Value = serde_json::from_str(text).map_err(|e| {
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

pub(crate) fn exit(
    service: &str,
    run: impl FnOnce(&str, &[String]) -> Result<(), String>,
) -> ExitCode {
    let mut args = std::env::args();
    let program = args
        .next()
        .and_then(|p| {
            std::path::Path::new(&p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| format!("{service}-mock-server"));
    let args: Vec<String> = args.collect();
    match run(&program, &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{program}: {message}");
            ExitCode::from(2)
        }
    }
}

/// The options, or `None` after printing the usage for `--help`.
pub(crate) fn options(
    program: &str,
    args: &[String],
    huawei: bool,
) -> Result<Option<Options>, String> {
    let options = parse_args(args).map_err(|e| format!("{e}\n{}", usage(program, huawei)))?;
    let Some(options) = options else {
        println!("{}", usage(program, huawei));
        return Ok(None);
    };
    if huawei && !options.policies.is_empty() {
        return Err("--policy is for Tencent CAM policies; use --permissions".into());
    }
    if !huawei && options.permissions.is_some() {
        return Err("--permissions is for Huawei; use --policy FILE".into());
    }
    if huawei && !options.roles.is_empty() {
        return Err("--role names Tencent CAM roles; the Huawei server has none".into());
    }
    Ok(Some(options))
}

/// Prints the URL as the first line (and the admin token, if any, as the second), then
/// serves until a signal.
pub(crate) fn serve_until_signal(url: String, admin_token: Option<&str>) -> Result<(), String> {
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{url}")
        .and_then(|()| match admin_token {
            Some(token) => writeln!(stdout, "admin-token: {token}"),
            None => Ok(()),
        })
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write the URL: {e}"))?;
    wait_for_signal()
}

/// The credentials the server accepts, from the environment variables `id`, `key` and
/// `token` (read through `env`); the error names each variable that is missing, in
/// words.
pub(crate) fn credentials_from(
    env: impl Fn(&str) -> Option<String>,
    [id, key, token]: [&str; 3],
) -> Result<Credentials, String> {
    let value = |name: &str| env(name).filter(|v| !v.is_empty());
    match (value(id), value(key)) {
        (Some(id), Some(key)) => Ok(Credentials::new(id, key).with_optional_token(value(token))),
        (found_id, _) => {
            let missing = match found_id {
                None if value(key).is_none() => format!("{id} and {key} are not set"),
                None => format!("{id} is not set"),
                Some(_) => format!("{key} is not set"),
            };
            Err(format!(
                "{missing}: the mock server accepts requests signed with the credentials in \
                 {id} and {key} (and {token}, if set); set both"
            ))
        }
    }
}

pub(crate) fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
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

    #[cfg(feature = "policy")]
    /// A policy file with a UTF-8 byte order mark is read (with a warning); UTF-16 and
    /// other non-UTF-8 files are refused, naming the file and the encoding.
    #[test]
    fn policy_files_in_other_encodings() {
        let dir = std::env::temp_dir().join(format!("partnergen-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let policy = r#"{"version":"2.0","statement":[{"effect":"allow","action":["intlpartnersmgt:*"],"resource":["*"]}]}"#;
        let with_bom = dir.join("bom.json");
        std::fs::write(
            &with_bom,
            [&b"\xEF\xBB\xBF"[..], policy.as_bytes()].concat(),
        )
        .unwrap();
        assert!(read_policy(&with_bom).is_ok());
        let utf16 = dir.join("utf16.json");
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(policy.encode_utf16().flat_map(u16::to_le_bytes));
        std::fs::write(&utf16, bytes).unwrap();
        let err = read_policy(&utf16).unwrap_err();
        assert!(err.contains("utf16.json is UTF-16"), "{err}");
        let latin1 = dir.join("latin1.json");
        std::fs::write(&latin1, b"{\"version\": \"2.0\xE9\"}").unwrap();
        let err = read_policy(&latin1).unwrap_err();
        assert!(err.contains("latin1.json is not UTF-8"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

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
            "--permissions",
            "BPC_A, BPC_B",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(options.addr, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(options.policies, vec![PathBuf::from("p.json")]);
        assert!(!options.checks.qps && !options.checks.clock_skew && options.checks.signature);
        assert!(options.quiet);
        assert!(!options.allow_remote);
        let remote = parse_args(&args(&["--addr", "0.0.0.0:0", "--allow-remote"]))
            .unwrap()
            .unwrap();
        assert!(remote.allow_remote);
        assert_eq!(
            options.permissions,
            Some(vec!["BPC_A".to_owned(), "BPC_B".to_owned()])
        );
        assert_eq!(parse_args(&args(&["--help"])), Ok(None));
        let tls = parse_args(&args(&[
            "--tls",
            "--ca-file=ca.pem",
            "--temporary-key-lifetime",
            "2",
            "--role",
            "a",
            "--role",
            "b",
        ]))
        .unwrap()
        .unwrap();
        assert!(tls.tls);
        assert_eq!(tls.ca_file, Some(PathBuf::from("ca.pem")));
        assert_eq!(
            tls.temporary_key_lifetime,
            Some(std::time::Duration::from_secs(2))
        );
        assert_eq!(tls.roles, ["a", "b"]);
        for (bad, needle) in [
            (&["--addr", "nowhere"][..], "not IP:PORT"),
            (&["--addr"][..], "needs a value"),
            (
                &["--disable", "everything"][..],
                "no check is named `everything`",
            ),
            (&["--port", "1"][..], "unknown argument `--port`"),
            (&["--ca-file", "x"][..], "give --tls too"),
            (&["--temporary-key-lifetime", "0"][..], "from 1 to 43200"),
            (
                &["--temporary-key-lifetime", "43201"][..],
                "from 1 to 43200",
            ),
            (
                &["--temporary-key-lifetime", "-1"][..],
                "not a whole number",
            ),
        ] {
            let err = parse_args(&args(bad)).unwrap_err();
            assert!(err.contains(needle), "{bad:?}: {err}");
        }
    }

    #[test]
    fn missing_credentials_are_named_in_words() {
        const NAMES: [&str; 3] = ["ID", "KEY", "TOKEN"];
        let env = |set: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                set.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        for (set, says) in [
            (&[][..], "ID and KEY are not set: "),
            (&[("KEY", "k")][..], "ID is not set: "),
            (&[("ID", "i"), ("KEY", "")][..], "KEY is not set: "),
        ] {
            let err = credentials_from(env(set), NAMES).unwrap_err();
            assert!(err.starts_with(says), "{set:?}: {err}");
            assert!(err.contains("credentials in ID and KEY"), "{err}");
            assert!(!err.contains("MissingEnv"), "{err}");
        }
        let credentials =
            credentials_from(env(&[("ID", "i"), ("KEY", "k"), ("TOKEN", "t")]), NAMES).unwrap();
        assert_eq!(credentials.access_key_id(), "i");
        assert!(credentials.token().is_some());
    }
}
