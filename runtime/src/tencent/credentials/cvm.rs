//! The CVM instance role: temporary keys from the instance metadata service, as the
//! official SDKs' `CVMRoleCredential` / `CvmRoleProvider` fetch them.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::service::{get, get_json, temporary_credentials, Reach, ServiceUrl};
use crate::client::BuildError;
use crate::credentials::{
    CredentialSource, CredentialsError, FetchSettings, ProvideCredentials, ProvideFuture,
};

/// The metadata service the official SDKs ask (`http://metadata.tencentyun.com`).
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://metadata.tencentyun.com";

/// The path of the role credentials under the metadata service: alone, it answers the
/// instance's role name; followed by the name, that role's temporary keys.
pub const SECURITY_CREDENTIALS_PATH: &str = "/latest/meta-data/cam/security-credentials/";

/// How long one answer of the metadata service may take: it is one hop away.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Temporary keys of the CAM role bound to the CVM instance this runs on, from the
/// instance metadata service: `GET …/cam/security-credentials/` answers the role's name
/// (unless the builder was given it), `GET …/cam/security-credentials/<role>` its keys
/// (`TmpSecretId`, `TmpSecretKey`, `Token`, `ExpiredTime`, `Code: "Success"`), as the
/// official SDKs ask. Each [`provide`](ProvideCredentials::provide) asks afresh (the role
/// is looked up again, so a role bound anew is found); the client's cache refreshes the
/// keys ahead of `ExpiredTime`.
///
/// Off a CVM instance nothing answers: the connection fails within a second (or the
/// name does not resolve) and the error says so. No role bound (HTTP 404), another
/// status, an answer that is not the keys, or keys already expired: each a
/// [`CredentialsError`] naming the metadata service, never its secrets.
///
/// ```no_run
/// # fn main() -> Result<(), partnergen_runtime::client::BuildError> {
/// use partnergen_runtime::tencent::credentials::CvmRoleProvider;
/// let provider = CvmRoleProvider::builder().role("my-role").build()?;
/// # Ok(()) }
/// ```
pub struct CvmRoleProvider {
    role: Option<String>,
    url: ServiceUrl,
    fetch: FetchSettings,
    source: String,
}

/// Configures a [`CvmRoleProvider`].
#[derive(Clone)]
pub struct CvmRoleProviderBuilder {
    role: Option<String>,
    reach: Reach,
}

impl CvmRoleProvider {
    /// A builder: the role looked up, the official metadata endpoint, a 5 s timeout (1 s
    /// to connect).
    pub fn builder() -> CvmRoleProviderBuilder {
        CvmRoleProviderBuilder {
            role: None,
            reach: Reach::new(DEFAULT_METADATA_ENDPOINT, DEFAULT_TIMEOUT),
        }
    }

    fn credentials_url(&self, role: &str) -> String {
        format!("{}{SECURITY_CREDENTIALS_PATH}{role}", self.url.base_url)
    }

    /// The role given, or the one the metadata service names.
    async fn role(&self) -> Result<String, CredentialsError> {
        if let Some(role) = &self.role {
            return Ok(role.clone());
        }
        let source = self.source.as_str();
        let response = self
            .fetch
            .exchange(get(self.credentials_url("")), source)
            .await?;
        let unavailable = |message: String| CredentialsError::Unavailable {
            source: source.to_owned(),
            message,
        };
        match response.status {
            200..=299 => {}
            404 => {
                return Err(unavailable(
                    "HTTP 404: no CAM role is bound to this instance".into(),
                ))
            }
            status => return Err(unavailable(format!("HTTP {status}"))),
        }
        let bad = |message: &str| CredentialsError::BadAnswer {
            source: source.to_owned(),
            message: message.to_owned(),
        };
        let text = std::str::from_utf8(&response.body)
            .map_err(|_| bad("the role name it gave is not UTF-8"))?
            .trim();
        if text.is_empty() {
            return Err(bad("it gave an empty role name"));
        }
        // Not echoed: the name goes into a URL, so it must be a CAM role name.
        if check_role_name(text).is_err() {
            return Err(bad("the role name it gave is not a CAM role name"));
        }
        Ok(text.to_owned())
    }
}

impl CvmRoleProviderBuilder {
    /// The role's name, not looked up (1 to 128 of the letters, digits and `_+=,.@-`).
    pub fn role(mut self, name: impl Into<String>) -> Self {
        self.role = Some(name.into());
        self
    }

    /// Another metadata service: `scheme://host[:port]` (a private deployment, the mock
    /// server); [`SECURITY_CREDENTIALS_PATH`] is appended.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.reach.endpoint = endpoint.into();
        self
    }

    /// How long one answer may take (connecting: at most one second of it).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.reach.timeout = timeout;
        self
    }

    /// The provider; a bad role name, endpoint or timeout fails here, naming it.
    pub fn build(self) -> Result<CvmRoleProvider, BuildError> {
        if let Some(role) = &self.role {
            check_role_name(role)?;
        }
        let (url, fetch) = self.reach.connect("CVM metadata", "http")?;
        let source = format!(
            "CVM role from instance metadata at {}{SECURITY_CREDENTIALS_PATH}{}",
            url.base_url,
            self.role.as_deref().unwrap_or("")
        );
        Ok(CvmRoleProvider {
            role: self.role,
            url,
            fetch,
            source,
        })
    }
}

/// A CAM role name: 1 to 128 of `[A-Za-z0-9_+=,.@-]`.
fn check_role_name(name: &str) -> Result<(), BuildError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
    if name.is_empty() || name.len() > 128 || !name.chars().all(allowed) {
        return Err(BuildError::Setting(format!(
            "CVM role name {name:?}: 1 to 128 of the letters, digits and `_+=,.@-`"
        )));
    }
    Ok(())
}

impl ProvideCredentials for CvmRoleProvider {
    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let role = self.role().await?;
            let source = self.source.as_str();
            let answer = get_json(&self.fetch, self.credentials_url(&role), source).await?;
            match answer.get("Code").and_then(Value::as_str) {
                Some("Success") => {}
                // The service says it has no keys for us: unavailable, not garbage.
                Some(code) => {
                    return Err(CredentialsError::Unavailable {
                        source: source.to_owned(),
                        message: format!(
                            "it answered Code {:?}, not \"Success\"",
                            code.chars().take(64).collect::<String>()
                        ),
                    })
                }
                None => {
                    return Err(CredentialsError::BadAnswer {
                        source: source.to_owned(),
                        message: "no `Code` in its answer".into(),
                    })
                }
            }
            temporary_credentials(&answer, &answer, source)
        })
    }

    fn source(&self) -> CredentialSource {
        CredentialSource::Service(self.source.clone())
    }
}

impl fmt::Debug for CvmRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CvmRoleProvider")
            .field("role", &self.role)
            .field("endpoint", &self.url.base_url)
            .finish()
    }
}

impl fmt::Debug for CvmRoleProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CvmRoleProviderBuilder")
            .field("role", &self.role)
            .field("endpoint", &self.reach.endpoint)
            .finish()
    }
}
