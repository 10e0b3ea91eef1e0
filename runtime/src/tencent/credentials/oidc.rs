//! TKE OIDC: temporary keys of a role from STS `AssumeRoleWithWebIdentity`, with the
//! web identity token a Kubernetes pod is given in a file, as the official SDKs'
//! `OIDCRoleArnCredential` / `DefaultTkeOIDCRoleArnProvider` ask for them.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use super::service::{
    check_duration, check_session_name, default_session_name, Reach, ServiceUrl, StsCall,
    DEFAULT_DURATION, DEFAULT_STS_ENDPOINT,
};
use super::sts::{check_region, check_role_arn, DEFAULT_STS_TIMEOUT};
use crate::client::BuildError;
use crate::credentials::{
    CredentialSource, CredentialsError, FetchSettings, ProvideCredentials, ProvideFuture,
};

/// The variables TKE sets in a pod with an OIDC role, as the official SDKs read them.
pub const ENV_TKE_REGION: &str = "TKE_REGION";
/// See [`ENV_TKE_REGION`].
pub const ENV_TKE_PROVIDER_ID: &str = "TKE_PROVIDER_ID";
/// See [`ENV_TKE_REGION`]: the file holding the web identity token (it rotates).
pub const ENV_TKE_WEB_IDENTITY_TOKEN_FILE: &str = "TKE_WEB_IDENTITY_TOKEN_FILE";
/// See [`ENV_TKE_REGION`].
pub const ENV_TKE_ROLE_ARN: &str = "TKE_ROLE_ARN";

/// The largest token file read: a service account token is a few KiB.
const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// Temporary keys of a CAM role from STS `AssumeRoleWithWebIdentity` (service `sts`,
/// version 2018-08-13), with an OIDC web identity token read from a file: what a TKE pod
/// with an OIDC role uses. As the official SDKs send it, the request is not signed
/// (`Authorization: SKIP`): the token is the proof.
///
/// The token file is read again at every [`provide`](ProvideCredentials::provide) (the
/// kubelet rotates it), so the next refresh sends the new token; with no default session
/// name given, each refresh has a fresh one (`partnergen-rust-<µs>`), as the SDKs make
/// one per refresh. A missing, unreadable or empty token file is
/// [`CredentialsError::UnreadableFile`] naming it; an STS error (an expired or rejected
/// token, an unknown role, throttling) is [`CredentialsError::Unavailable`] with STS's
/// code and message. Never a panic; a later refresh recovers once the file or STS does.
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use partnergen_runtime::tencent::credentials::OidcRoleProvider;
/// // In a TKE pod: TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN.
/// let provider = OidcRoleProvider::from_tke_env(&|name| std::env::var(name).ok())?.build()?;
/// # Ok(()) }
/// ```
pub struct OidcRoleProvider {
    region: String,
    provider_id: String,
    role_arn: String,
    token_file: PathBuf,
    session_name: Option<String>,
    duration_secs: u64,
    url: ServiceUrl,
    fetch: FetchSettings,
    source: String,
}

/// Configures an [`OidcRoleProvider`].
#[derive(Clone)]
pub struct OidcRoleProviderBuilder {
    region: String,
    provider_id: String,
    role_arn: String,
    token_file: PathBuf,
    session_name: Option<String>,
    duration: Duration,
    reach: Reach,
}

impl OidcRoleProvider {
    /// A builder: STS in `region`, the identity provider `provider_id`, the role
    /// `role_arn`, the token read from `token_file` at each refresh.
    pub fn builder(
        region: impl Into<String>,
        provider_id: impl Into<String>,
        role_arn: impl Into<String>,
        token_file: impl Into<PathBuf>,
    ) -> OidcRoleProviderBuilder {
        OidcRoleProviderBuilder {
            region: region.into(),
            provider_id: provider_id.into(),
            role_arn: role_arn.into(),
            token_file: token_file.into(),
            session_name: None,
            duration: DEFAULT_DURATION,
            reach: Reach::new(DEFAULT_STS_ENDPOINT, DEFAULT_STS_TIMEOUT),
        }
    }

    /// A builder from the variables TKE sets (`TKE_REGION`, `TKE_PROVIDER_ID`,
    /// `TKE_WEB_IDENTITY_TOKEN_FILE`, `TKE_ROLE_ARN`), read through `env` now. A variable
    /// missing or empty is [`CredentialsError::MissingEnv`] naming it.
    pub fn from_tke_env(
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<OidcRoleProviderBuilder, CredentialsError> {
        let var = |name: &'static str| {
            env(name)
                .filter(|v| !v.is_empty())
                .ok_or(CredentialsError::MissingEnv(name))
        };
        Ok(Self::builder(
            var(ENV_TKE_REGION)?,
            var(ENV_TKE_PROVIDER_ID)?,
            var(ENV_TKE_ROLE_ARN)?,
            var(ENV_TKE_WEB_IDENTITY_TOKEN_FILE)?,
        ))
    }

    /// The token file's text, trimmed; bounded, never echoed.
    fn read_token(&self) -> Result<String, CredentialsError> {
        read_token(&self.token_file)
    }
}

/// Reads a web identity token file.
fn read_token(path: &Path) -> Result<String, CredentialsError> {
    let unreadable = |why: String| CredentialsError::UnreadableFile(path.to_path_buf(), why);
    let file = std::fs::File::open(path).map_err(|err| unreadable(err.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_TOKEN_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| unreadable(err.to_string()))?;
    if bytes.len() as u64 > MAX_TOKEN_FILE {
        return Err(unreadable(format!(
            "larger than {MAX_TOKEN_FILE} bytes, not a token"
        )));
    }
    let text = String::from_utf8(bytes).map_err(|_| unreadable("not UTF-8 text".into()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(unreadable("it is empty".into()));
    }
    Ok(token.to_owned())
}

impl OidcRoleProviderBuilder {
    /// `RoleSessionName`: 2 to 128 of the letters, digits and `_+=,.@-` (else a fresh
    /// one per refresh).
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// `DurationSeconds`: how long the keys live, whole seconds, 1 to 43200.
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration = duration;
        self
    }

    /// Another STS: `scheme://host[:port]`, or a host (https).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.reach.endpoint = endpoint.into();
        self
    }

    /// How long one STS answer may take (connecting: at most one second of it).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.reach.timeout = timeout;
        self
    }

    /// Trusts the root certificates of a PEM bundle besides the built-in ones. Checked at
    /// `build`.
    pub fn root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.reach.roots_pem.push(pem.as_ref().to_vec());
        self
    }

    /// The provider; a bad setting fails here, naming it. The token file is not read yet:
    /// a missing one fails each refresh until it appears.
    pub fn build(self) -> Result<OidcRoleProvider, BuildError> {
        check_region(&self.region)?;
        if self.provider_id.is_empty() || self.provider_id.chars().any(char::is_control) {
            return Err(BuildError::Setting(format!(
                "OIDC provider id {:?}: must be a name",
                self.provider_id
            )));
        }
        check_role_arn(&self.role_arn)?;
        if let Some(name) = &self.session_name {
            check_session_name(name)?;
        }
        let duration_secs = check_duration(self.duration)?;
        let (url, fetch) = self.reach.connect("STS", "https")?;
        let source = format!(
            "TKE OIDC role {} via STS AssumeRoleWithWebIdentity at {} (token file {})",
            self.role_arn,
            url.base_url,
            self.token_file.display()
        );
        Ok(OidcRoleProvider {
            region: self.region,
            provider_id: self.provider_id,
            role_arn: self.role_arn,
            token_file: self.token_file,
            session_name: self.session_name,
            duration_secs,
            url,
            fetch,
            source,
        })
    }
}

impl ProvideCredentials for OidcRoleProvider {
    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let token = self.read_token()?;
            let session_name = self
                .session_name
                .clone()
                .unwrap_or_else(default_session_name);
            StsCall {
                url: &self.url,
                action: "AssumeRoleWithWebIdentity",
                region: &self.region,
                params: json!({
                    "ProviderId": self.provider_id,
                    "WebIdentityToken": token,
                    "RoleArn": self.role_arn,
                    "RoleSessionName": session_name,
                    "DurationSeconds": self.duration_secs,
                }),
                signer: None,
            }
            .send(&self.fetch, &self.source)
            .await
        })
    }

    fn source(&self) -> CredentialSource {
        CredentialSource::Service(self.source.clone())
    }
}

impl fmt::Debug for OidcRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcRoleProvider")
            .field("region", &self.region)
            .field("provider_id", &self.provider_id)
            .field("role_arn", &self.role_arn)
            .field("token_file", &self.token_file)
            .field("endpoint", &self.url.base_url)
            .finish()
    }
}

impl fmt::Debug for OidcRoleProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcRoleProviderBuilder")
            .field("region", &self.region)
            .field("provider_id", &self.provider_id)
            .field("role_arn", &self.role_arn)
            .field("token_file", &self.token_file)
            .field("endpoint", &self.reach.endpoint)
            .finish()
    }
}
