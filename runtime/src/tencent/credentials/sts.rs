//! STS `AssumeRole`: temporary keys of a role, asked for with long-term keys, as the
//! official SDKs' `STSAssumeRoleCredential` / `RoleArnProvider` ask.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::service::{
    check_duration, check_session_name, default_session_name, Reach, ServiceUrl, StsCall,
    DEFAULT_DURATION, DEFAULT_STS_ENDPOINT, DEFAULT_STS_REGION,
};
use crate::client::BuildError;
use crate::credentials::{
    CredentialSource, CredentialsError, FetchSettings, ProvideCredentials, ProvideFuture,
};

/// How long one STS answer may take.
pub(super) const DEFAULT_STS_TIMEOUT: Duration = Duration::from_secs(10);

/// Temporary keys of a CAM role from STS `AssumeRole` (service `sts`, version
/// 2018-08-13, TC3-signed with the long-term keys of another provider), as the official
/// SDKs ask for them: role ARN, session name (`partnergen-rust-<µs>` unless given),
/// duration (7200 s unless given; at most 43200), region (`ap-guangzhou` unless given),
/// endpoint (`https://sts.tencentcloudapi.com` unless given). Each
/// [`provide`](ProvideCredentials::provide) asks the long-term provider, then STS,
/// afresh; the client's cache renews the keys ahead of their `ExpiredTime`.
///
/// An STS error (no such role, not allowed, throttled) is
/// [`CredentialsError::Unavailable`] naming STS and the role, with STS's code and
/// message; keys missing from the answer, or already expired, a
/// [`CredentialsError::BadAnswer`]. Secrets never appear in either, nor in `Debug`.
///
/// ```no_run
/// # fn main() -> Result<(), partnergen_runtime::client::BuildError> {
/// use partnergen_runtime::credentials::Credentials;
/// use partnergen_runtime::tencent::credentials::StsAssumeRoleProvider;
/// let long_term = Credentials::new("AKID...", "key");
/// let provider = StsAssumeRoleProvider::builder(long_term, "qcs::cam::uin/100000:roleName/reseller")
///     .session_name("billing-job")
///     .build()?;
/// # Ok(()) }
/// ```
pub struct StsAssumeRoleProvider {
    long_term: Arc<dyn ProvideCredentials>,
    role_arn: String,
    session_name: String,
    duration_secs: u64,
    region: String,
    url: ServiceUrl,
    fetch: FetchSettings,
    source: String,
}

/// Configures a [`StsAssumeRoleProvider`].
pub struct StsAssumeRoleProviderBuilder {
    long_term: Arc<dyn ProvideCredentials>,
    role_arn: String,
    session_name: Option<String>,
    duration: Duration,
    region: String,
    reach: Reach,
}

impl StsAssumeRoleProvider {
    /// A builder for `role_arn` (`qcs::cam::uin/<uin>:roleName/<name>`), signing with the
    /// keys `long_term` gives (fixed [`Credentials`](crate::credentials::Credentials), or
    /// any provider: the environment, a profile).
    pub fn builder(
        long_term: impl ProvideCredentials,
        role_arn: impl Into<String>,
    ) -> StsAssumeRoleProviderBuilder {
        StsAssumeRoleProviderBuilder {
            long_term: Arc::new(long_term),
            role_arn: role_arn.into(),
            session_name: None,
            duration: DEFAULT_DURATION,
            region: DEFAULT_STS_REGION.to_owned(),
            reach: Reach::new(DEFAULT_STS_ENDPOINT, DEFAULT_STS_TIMEOUT),
        }
    }
}

impl StsAssumeRoleProviderBuilder {
    /// `RoleSessionName`: 2 to 128 of the letters, digits and `_+=,.@-`.
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// `DurationSeconds`: how long the keys live, whole seconds, 1 to 43200.
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration = duration;
        self
    }

    /// `X-TC-Region` of the STS call.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
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

    /// Trusts the root certificates of a PEM bundle besides the built-in ones (an STS
    /// behind a private CA, the mock server's TLS mode). Checked at `build`.
    pub fn root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.reach.roots_pem.push(pem.as_ref().to_vec());
        self
    }

    /// The provider; a bad role ARN, session name, duration, region, endpoint or
    /// certificate fails here, naming it.
    pub fn build(self) -> Result<StsAssumeRoleProvider, BuildError> {
        check_role_arn(&self.role_arn)?;
        let session_name = self.session_name.unwrap_or_else(default_session_name);
        check_session_name(&session_name)?;
        let duration_secs = check_duration(self.duration)?;
        check_region(&self.region)?;
        let (url, fetch) = self.reach.connect("STS", "https")?;
        let source = format!("STS AssumeRole of {} at {}", self.role_arn, url.base_url);
        Ok(StsAssumeRoleProvider {
            long_term: self.long_term,
            role_arn: self.role_arn,
            session_name,
            duration_secs,
            region: self.region,
            url,
            fetch,
            source,
        })
    }
}

/// A role ARN: non-empty, printable, no spaces (its form is STS's to judge).
pub(super) fn check_role_arn(arn: &str) -> Result<(), BuildError> {
    if arn.is_empty() || arn.len() > 512 || !arn.chars().all(|c| c.is_ascii_graphic()) {
        return Err(BuildError::Setting(format!(
            "role ARN {arn:?}: expected qcs::cam::uin/<uin>:roleName/<name>"
        )));
    }
    Ok(())
}

/// A region: non-empty letters, digits and `-`.
pub(super) fn check_region(region: &str) -> Result<(), BuildError> {
    if region.is_empty()
        || region.len() > 64
        || !region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(BuildError::Setting(format!(
            "STS region {region:?}: expected a region such as ap-singapore"
        )));
    }
    Ok(())
}

impl ProvideCredentials for StsAssumeRoleProvider {
    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let source = self.source.as_str();
            let long_term =
                self.long_term
                    .provide()
                    .await
                    .map_err(|err| CredentialsError::Unavailable {
                        source: source.to_owned(),
                        message: format!("no long-term credentials to ask with: {err}"),
                    })?;
            StsCall {
                url: &self.url,
                action: "AssumeRole",
                region: &self.region,
                params: json!({
                    "RoleArn": self.role_arn,
                    "RoleSessionName": self.session_name,
                    "DurationSeconds": self.duration_secs,
                }),
                signer: Some(&long_term),
            }
            .send(&self.fetch, source)
            .await
        })
    }

    fn source(&self) -> CredentialSource {
        CredentialSource::Service(self.source.clone())
    }
}

impl fmt::Debug for StsAssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsAssumeRoleProvider")
            .field("long_term", &self.long_term)
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("duration_secs", &self.duration_secs)
            .field("region", &self.region)
            .field("endpoint", &self.url.base_url)
            .finish()
    }
}

impl fmt::Debug for StsAssumeRoleProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsAssumeRoleProviderBuilder")
            .field("long_term", &self.long_term)
            .field("role_arn", &self.role_arn)
            .field("endpoint", &self.reach.endpoint)
            .finish()
    }
}
