//! Credentials, whatever the vendor: an access key id (Tencent's SecretId, Huawei's AK), a
//! secret key (SecretKey, SK) and, for temporary credentials, a token (session token,
//! security token); and the errors of looking for them. Where each vendor's SDK looks for
//! them (variables, profile files) is the vendor's: `crate::tencent` and `crate::huawei`
//! add those constructors and their providers. Secrets never appear in `Debug` output,
//! errors or logs.
//!
//! Credentials reach a client through a provider ([`ProvideCredentials`]): fixed ones, a
//! vendor's sources (environment, profile file, instance metadata, STS), or a
//! [`CredentialsChain`] of them. The client keeps what its provider gave in a
//! [`SharedCredentials`] cache that every clone shares, and refreshes temporary
//! credentials ahead of their expiry, one refresh at a time.

use std::fmt;
use std::path::PathBuf;
use std::time::SystemTime;

mod cache;
#[allow(dead_code)] // until the vendors' metadata and STS providers use it
mod fetch;
mod provider;

pub use cache::{SharedCredentials, DEFAULT_REFRESH_AHEAD};
#[allow(unused_imports)]
pub(crate) use fetch::{fetch_json, FetchSettings};
pub use provider::{from_fn, CredentialsChain, ProvideCredentials, ProvideFuture};

/// A secret string: compared and used, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for signing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// An access key id, a secret key and, for temporary credentials, a token and when they
/// expire (Tencent: a SecretId, a SecretKey, a session token; Huawei: an AK, an SK, a
/// security token).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_key: Secret,
    token: Option<Secret>,
    expiry: Option<SystemTime>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The id names the key (it is in every signed request); the key and the token are
        // secrets.
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_key", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field(
                "expiry",
                &self.expiry.map(crate::credentials::cache::Rfc3339),
            )
            .finish()
    }
}

/// Credentials could not be found or read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsError {
    /// An environment variable is missing or empty.
    MissingEnv(&'static str),
    /// No profile file exists at any of the places searched.
    NoProfileFile(Vec<PathBuf>),
    /// A profile file could not be read or parsed (the message names no secret).
    UnreadableProfile(PathBuf, String),
    /// The profile file has no such section, or it lacks `secret_id` / `secret_key`.
    IncompleteProfile(PathBuf, String),
    /// No source had credentials: every source tried, in the order tried (environment
    /// variables first), with why each gave none. Names variables and files, never values.
    NotFound(Vec<Tried>),
    /// A file a provider reads (an OIDC token file) is missing or unreadable.
    UnreadableFile(PathBuf, String),
    /// A credentials service (instance metadata, STS) could not be reached, timed out, or
    /// answered with an error status or error code: which service, and why.
    Unavailable {
        /// The service: e.g. `CVM instance metadata at http://…/security-credentials/`.
        source: String,
        /// Why, e.g. `connection refused`, `HTTP 404`, `AuthFailure.RoleNotExist: …`.
        message: String,
    },
    /// A credentials service answered, but not with usable credentials: not JSON, a field
    /// missing, or keys that have already expired.
    BadAnswer {
        /// The service.
        source: String,
        /// What is wrong with the answer (never its secrets).
        message: String,
    },
}

/// A place credentials are looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialSource {
    /// Environment variables: the id's and the key's (the token's is optional).
    Env {
        /// The id's variable (`TENCENTCLOUD_SECRET_ID`, `HUAWEICLOUD_SDK_AK`).
        id: &'static str,
        /// The key's variable.
        key: &'static str,
    },
    /// A profile file (`~/...` when the home directory is unknown).
    ProfileFile(PathBuf),
    /// A service that hands out temporary credentials, or a provider of the caller's:
    /// how it describes itself (`CVM role from instance metadata at http://…`).
    Service(String),
}

/// A source tried, and why it gave no credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tried {
    /// Where.
    pub source: CredentialSource,
    /// Why not: [`CredentialsError::MissingEnv`] for a variable that is not set (`HOME`
    /// for a file under an unknown home), [`CredentialsError::NoProfileFile`] for a file
    /// that does not exist, or the file's own error.
    pub failure: CredentialsError,
}

impl fmt::Display for Tried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            CredentialSource::Env { id, key } => write!(f, "environment variables {id} and {key}")?,
            CredentialSource::ProfileFile(path) => write!(f, "profile file {}", path.display())?,
            CredentialSource::Service(what) => f.write_str(what)?,
        }
        // The source names the file already: the reason without it.
        match &self.failure {
            CredentialsError::MissingEnv(var) => write!(f, " ({var} is not set)"),
            CredentialsError::NoProfileFile(_) => write!(f, " (does not exist)"),
            CredentialsError::UnreadableProfile(_, why) => write!(f, " (cannot read it: {why})"),
            CredentialsError::IncompleteProfile(_, section) => write!(
                f,
                " (section [{section}] is missing or lacks secret_id / secret_key)"
            ),
            CredentialsError::Unavailable { message, .. }
            | CredentialsError::BadAnswer { message, .. } => write!(f, " ({message})"),
            CredentialsError::NotFound(_) | CredentialsError::UnreadableFile(..) => {
                write!(f, " ({})", self.failure)
            }
        }
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsError::MissingEnv(var) => write!(f, "environment variable {var} is not set"),
            CredentialsError::NoProfileFile(paths) => {
                let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                write!(f, "no credentials file at {}", shown.join(" or "))
            }
            CredentialsError::UnreadableProfile(path, why) => {
                write!(f, "cannot read {}: {why}", path.display())
            }
            CredentialsError::IncompleteProfile(path, section) => write!(
                f,
                "{}: section [{section}] is missing or lacks secret_id / secret_key",
                path.display()
            ),
            CredentialsError::NotFound(tried) => {
                f.write_str("no credentials found; tried, in order: ")?;
                for (n, tried) in tried.iter().enumerate() {
                    if n > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{tried}")?;
                }
                Ok(())
            }
            CredentialsError::UnreadableFile(path, why) => {
                write!(f, "cannot read {}: {why}", path.display())
            }
            CredentialsError::Unavailable { source, message } => {
                write!(f, "{source}: unavailable: {message}")
            }
            CredentialsError::BadAnswer { source, message } => {
                write!(f, "{source}: unusable answer: {message}")
            }
        }
    }
}

impl std::error::Error for CredentialsError {}

impl Credentials {
    /// Long-term credentials.
    pub fn new(access_key_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_key: Secret::new(secret_key),
            token: None,
            expiry: None,
        }
    }

    /// The same credentials, valid until `expiry` (temporary credentials): a client
    /// refreshes them ahead of it and never signs with them after it.
    pub fn with_expiry(mut self, expiry: SystemTime) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// When they expire; `None` for long-term credentials.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }

    /// The same credentials with a session token (temporary credentials).
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Secret::new(token));
        self
    }

    /// The same credentials with a session token if there is one.
    pub fn with_optional_token(self, token: Option<impl Into<String>>) -> Self {
        match token {
            Some(token) => self.with_token(token),
            None => self,
        }
    }

    /// The access key id: Tencent's SecretId, Huawei's AK.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret key: Tencent's SecretKey, Huawei's SK.
    pub fn secret_key(&self) -> &Secret {
        &self.secret_key
    }

    /// The token of temporary credentials, if any.
    pub fn token(&self) -> Option<&Secret> {
        self.token.as_ref()
    }

    /// An id and a key (each required, non-empty) and an optional token, by variable name.
    pub(crate) fn from_vars(
        lookup: impl Fn(&str) -> Option<String>,
        [id, key, token]: [&'static str; 3],
    ) -> Result<Self, CredentialsError> {
        let get = |name: &'static str| {
            lookup(name)
                .filter(|v| !v.is_empty())
                .ok_or(CredentialsError::MissingEnv(name))
        };
        Ok(Credentials::new(get(id)?, get(key)?)
            .with_optional_token(lookup(token).filter(|t| !t.is_empty())))
    }
}

/// The variables among `names` that `env` has, read now: what a provider built at `build`
/// keeps (the builder's `env` is borrowed; the provider outlives it).
pub(crate) fn snapshot(
    env: &dyn Fn(&str) -> Option<String>,
    names: &[&'static str],
) -> impl Fn(&str) -> Option<String> + Clone + Send + Sync + 'static {
    let values: Vec<(&'static str, String)> = names
        .iter()
        .filter_map(|&name| env(name).map(|value| (name, value)))
        .collect();
    move |name: &str| {
        values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::new("AKIDvisible", "super-secret-key").with_token("session-token-xyz");
        let shown = format!("{c:?} {:?}", c.secret_key());
        assert!(shown.contains("AKIDvisible"));
        assert!(
            !shown.contains("super-secret-key") && !shown.contains("session-token-xyz"),
            "{shown}"
        );
    }
}
