//! The small shared types of the engine: per-call options, build errors, where an engine
//! sends, and what an answer is.

use std::fmt;

use serde_json::Value;

use crate::credentials::CredentialsError;

/// Per-call choices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// Retry transient failures even for calls that are not read-only: Tencent actions
    /// whose CAM class is write or other (or unknown), Huawei operations other than GET.
    /// Off by default: repeating a credit allocation could allocate twice.
    pub retry_non_idempotent: bool,
}

impl CallOptions {
    /// Options that allow retrying this call whatever its CAM class (or HTTP method).
    pub fn retry_even_if_not_idempotent() -> Self {
        CallOptions {
            retry_non_idempotent: true,
        }
    }
}

/// Why a client could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// No credentials were given and none were found.
    Credentials(CredentialsError),
    /// The endpoint is not a `scheme://host[:port]` URL.
    Endpoint(String),
    /// The HTTP transport could not be set up.
    Transport(String),
    /// A vendor setting the vendor would refuse: which, and why.
    Setting(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // It says "no credentials found" itself.
            BuildError::Credentials(err @ CredentialsError::NotFound(_)) => write!(f, "{err}"),
            BuildError::Credentials(err) => write!(f, "no credentials: {err}"),
            BuildError::Endpoint(why) => write!(f, "bad endpoint: {why}"),
            BuildError::Transport(why) => write!(f, "cannot set up HTTP: {why}"),
            BuildError::Setting(why) => write!(f, "bad setting: {why}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// A successful answer as an engine reads it: the HTTP status, the request id, and the
/// JSON (the `Response` object of API 3.0, the body of a Huawei answer).
pub type Answer = (u16, Option<String>, Value);

/// Reads variables by name (the environment, or a test's stand-in).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Where a built engine sends: `scheme://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `http` or `https`.
    pub scheme: String,
    /// `host[:port]`, as the `Host` header carries it.
    pub host: String,
    /// `scheme://host[:port]`, no trailing `/` (worked out once, for every request).
    pub base_url: String,
}

impl Endpoint {
    /// Reads `scheme://host[:port]` (http or https, a trailing `/` allowed) or, given a
    /// `default_scheme`, a bare `host[:port]` too (as the SDKs take an STS host): the
    /// one reader of every endpoint setting, the client's and the credentials
    /// services'. The host is letters, digits and `-._:[]` (a name, an IPv4 or a
    /// bracketed IPv6 address, a port): no path, query, user or space. The error quotes
    /// the text and says what is expected.
    pub fn parse(text: &str, default_scheme: Option<&str>) -> Result<Endpoint, String> {
        let bad = || {
            format!(
                "`{}` is not scheme://host[:port] (http or https)",
                text.escape_debug()
            )
        };
        let (scheme, rest) = match (text.split_once("://"), default_scheme) {
            (Some(split), _) => split,
            (None, Some(scheme)) => (scheme, text),
            (None, None) => return Err(format!("{}: it has no scheme", bad())),
        };
        let host = rest.strip_suffix('/').unwrap_or(rest);
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._:[]".contains(c));
        if !matches!(scheme, "http" | "https") || !host_ok {
            return Err(bad());
        }
        Ok(Endpoint {
            scheme: scheme.to_owned(),
            host: host.to_owned(),
            base_url: format!("{scheme}://{host}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Endpoint;

    #[test]
    fn one_reader_for_every_endpoint() {
        let url = |text: &str, default| Endpoint::parse(text, default).map(|e| e.base_url);
        assert_eq!(
            url("https://a.example/", None).unwrap(),
            "https://a.example"
        );
        assert_eq!(
            url("http://127.0.0.1:8080", None).unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(url("http://[::1]:9", None).unwrap(), "http://[::1]:9");
        assert_eq!(
            url("sts.example", Some("https")).unwrap(),
            "https://sts.example"
        );
        let host = Endpoint::parse("https://h.example:443", None).unwrap().host;
        assert_eq!(host, "h.example:443");
        for bad in [
            "sts.example",
            "ftp://h",
            "https://",
            "https://h/path",
            "https://h?q",
            "https://u:p@h",
            "https://h x",
            "https://h//",
        ] {
            let err = Endpoint::parse(bad, None).unwrap_err();
            assert!(err.contains("is not scheme://host[:port]"), "{bad}: {err}");
        }
        assert!(Endpoint::parse("h", None)
            .unwrap_err()
            .ends_with("it has no scheme"));
        assert!(Endpoint::parse("ftp://h", Some("https")).is_err());
    }
}
