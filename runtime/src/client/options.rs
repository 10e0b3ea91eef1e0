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
