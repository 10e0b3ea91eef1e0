//! Where Huawei Cloud's SDK finds credentials, as its core (`huaweicloudsdkcore.auth.
//! provider`) looks: the environment variables ([`EnvCredentialProvider`]), the profile
//! file ([`ProfileCredentialProvider`]), the temporary keys of the ECS instance's agency
//! from the metadata service ([`MetadataCredentialProvider`]); the chain a builder without
//! credentials follows ([`default_chain`]: in that order); and the account (domain) ID a
//! global service such as BSS needs, looked up from IAM when not given.
//!
//! The official chain also asks, first, an OIDC identity provider
//! (`HUAWEICLOUD_OIDC_*` variables) and, last, the CCE pod identity endpoint
//! (`HC_CONTAINER_CREDENTIALS_FULL_URI`); and its environment and profile providers take a
//! federated identity (`idp_id` and an id token file) instead of keys. Those are not
//! supported here: a builder takes any [`ProvideCredentials`] of the caller's for them.

use std::fmt;
use std::sync::Arc;

pub use crate::credentials::Credentials;
use crate::credentials::{snapshot, CredentialSource, ProvideFuture, Tried};

pub(crate) mod domain;
mod metadata;
mod profile;

// The core's types, so that this module is all a caller needs.
pub use crate::credentials::{
    CredentialsChain, CredentialsError, ProvideCredentials, SharedCredentials,
};
pub use domain::{DEFAULT_IAM_ENDPOINT, DEFAULT_STS_ENDPOINT};
pub use metadata::{MetadataCredentialProvider, DEFAULT_METADATA_ENDPOINT};
pub use profile::{Profile, ProfileCredentialProvider, ENV_HUAWEI_CREDENTIALS_FILE};

/// The environment variables the official Huawei Cloud SDK reads: the AK.
pub const ENV_HUAWEI_AK: &str = "HUAWEICLOUD_SDK_AK";
/// See [`ENV_HUAWEI_AK`]: the SK.
pub const ENV_HUAWEI_SK: &str = "HUAWEICLOUD_SDK_SK";
/// See [`ENV_HUAWEI_AK`]: the security token of temporary credentials.
pub const ENV_HUAWEI_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// See [`ENV_HUAWEI_AK`]: the account (domain) ID a global service such as BSS is called
/// for; read by the Huawei client builder.
pub const ENV_HUAWEI_DOMAIN_ID: &str = "HUAWEICLOUD_SDK_DOMAIN_ID";
/// The IAM endpoint the account (domain) ID is looked up from, as the SDK reads it
/// (default [`DEFAULT_IAM_ENDPOINT`]).
pub const ENV_HUAWEI_IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
/// The STS endpoint the SDK asks for the account ID when IAM lists no domain (default
/// [`DEFAULT_STS_ENDPOINT`]).
pub const ENV_HUAWEI_STS_ENDPOINT: &str = "HUAWEICLOUD_SDK_STS_ENDPOINT";

/// A variable lookup a provider keeps.
type Lookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

impl Credentials {
    /// Huawei Cloud credentials from `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK` and, if
    /// set, `HUAWEICLOUD_SDK_SECURITY_TOKEN`, as the official SDK reads them.
    pub fn from_huawei_env() -> Result<Self, CredentialsError> {
        Self::from_huawei_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Credentials::from_huawei_env`], reading variables through `lookup`.
    pub fn from_huawei_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, CredentialsError> {
        Self::from_vars(
            lookup,
            [ENV_HUAWEI_AK, ENV_HUAWEI_SK, ENV_HUAWEI_SECURITY_TOKEN],
        )
    }

    /// The environment only ([`Credentials::from_huawei_lookup`] through `lookup`),
    /// finding none a [`CredentialsError::NotFound`] naming the variables. A builder
    /// without credentials follows the whole [`default_chain`].
    pub fn from_huawei_default_chain_with(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, CredentialsError> {
        Self::from_huawei_lookup(lookup).map_err(|failure| {
            CredentialsError::NotFound(vec![Tried {
                source: EnvCredentialProvider::SOURCE,
                failure,
            }])
        })
    }
}

/// Credentials from the environment variables, as the SDK's `EnvCredentialProvider`
/// reads them: [`ENV_HUAWEI_AK`] and [`ENV_HUAWEI_SK`] (both required, non-empty) and
/// [`ENV_HUAWEI_SECURITY_TOKEN`] if set. [`new`](Self::new) reads the process's variables
/// at each refresh; [`with_lookup`](Self::with_lookup) reads them once, through a
/// function of the caller's.
#[derive(Clone)]
pub struct EnvCredentialProvider {
    lookup: Lookup,
}

impl fmt::Debug for EnvCredentialProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The lookup holds values, secrets among them: never shown.
        f.write_str("EnvCredentialProvider")
    }
}

impl Default for EnvCredentialProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl EnvCredentialProvider {
    const SOURCE: CredentialSource = CredentialSource::Env {
        id: ENV_HUAWEI_AK,
        key: ENV_HUAWEI_SK,
    };

    /// Reads the process's environment at each refresh.
    pub fn new() -> Self {
        EnvCredentialProvider {
            lookup: Arc::new(|name| std::env::var(name).ok()),
        }
    }

    /// Reads the variables through `env`, once, now (the provider keeps a copy of the
    /// three it needs).
    pub fn with_lookup(env: &dyn Fn(&str) -> Option<String>) -> Self {
        EnvCredentialProvider {
            lookup: Arc::new(snapshot(
                env,
                &[ENV_HUAWEI_AK, ENV_HUAWEI_SK, ENV_HUAWEI_SECURITY_TOKEN],
            )),
        }
    }
}

impl ProvideCredentials for EnvCredentialProvider {
    fn provide(&self) -> ProvideFuture<'_> {
        let result = Credentials::from_huawei_lookup(&*self.lookup);
        Box::pin(async move { result })
    }

    fn source(&self) -> CredentialSource {
        Self::SOURCE
    }
}

/// The chain a Huawei client builder without credentials uses, in the official SDK's
/// order: the environment ([`EnvCredentialProvider`], read through `env` now), the
/// profile file ([`ProfileCredentialProvider`], its path from `env`'s
/// `HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `HOME`), then the ECS metadata service
/// ([`MetadataCredentialProvider`] at [`DEFAULT_METADATA_ENDPOINT`]). Each refresh starts
/// again from the environment; finding nothing is a [`CredentialsError::NotFound`] that
/// says why each source gave none.
pub fn default_chain(env: &dyn Fn(&str) -> Option<String>) -> CredentialsChain {
    default_chain_with(env, MetadataCredentialProvider::new())
}

/// [`default_chain`] with another metadata provider (a mock's endpoint, a private
/// deployment, other timeouts): for a builder's `credentials_provider`.
pub fn default_chain_with(
    env: &dyn Fn(&str) -> Option<String>,
    metadata: MetadataCredentialProvider,
) -> CredentialsChain {
    CredentialsChain::new()
        .or_else(EnvCredentialProvider::with_lookup(env))
        .or_else(ProfileCredentialProvider::with_lookup(env))
        .or_else(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;

    fn env(vars: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn environment_as_the_sdk_reads_it() {
        // Huawei's variables, and only those.
        let c = Credentials::from_huawei_lookup(env(vec![
            (ENV_HUAWEI_AK, "ak".into()),
            (ENV_HUAWEI_SK, "sk".into()),
            (ENV_HUAWEI_SECURITY_TOKEN, "st".into()),
            ("TENCENTCLOUD_SESSION_TOKEN", "tencent".into()),
        ]))
        .unwrap();
        assert_eq!(
            (
                c.access_key_id(),
                c.secret_key().expose(),
                c.token().map(Secret::expose)
            ),
            ("ak", "sk", Some("st"))
        );
        assert_eq!(
            Credentials::from_huawei_lookup(env(vec![
                ("TENCENTCLOUD_SECRET_ID", "id".into()),
                ("TENCENTCLOUD_SECRET_KEY", "k".into())
            ])),
            Err(CredentialsError::MissingEnv(ENV_HUAWEI_AK))
        );
        let c = Credentials::from_huawei_lookup(env(vec![
            (ENV_HUAWEI_AK, "ak".into()),
            (ENV_HUAWEI_SK, "sk".into()),
            (ENV_HUAWEI_SECURITY_TOKEN, "".into()),
        ]))
        .unwrap();
        assert_eq!(c.token(), None);
    }

    #[tokio::test]
    async fn the_env_provider_keeps_what_it_read_at_build_and_shows_no_value() {
        let provider = EnvCredentialProvider::with_lookup(&env(vec![
            (ENV_HUAWEI_AK, "env-ak".into()),
            (ENV_HUAWEI_SK, "env-sk-never-shown".into()),
        ]));
        let c = provider.provide().await.unwrap();
        assert_eq!(c.access_key_id(), "env-ak");
        let shown = format!("{provider:?} {c:?}");
        assert!(!shown.contains("env-sk-never-shown"), "{shown}");
        let empty = EnvCredentialProvider::with_lookup(&env(vec![(ENV_HUAWEI_AK, "a".into())]));
        assert_eq!(
            empty.provide().await,
            Err(CredentialsError::MissingEnv(ENV_HUAWEI_SK))
        );
    }

    #[test]
    fn the_env_only_chain_names_the_variables() {
        let err = Credentials::from_huawei_default_chain_with(env(vec![(
            ENV_HUAWEI_SK,
            "sk-never-shown".into(),
        )]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no credentials found; tried, in order: environment variables HUAWEICLOUD_SDK_AK \
             and HUAWEICLOUD_SDK_SK (HUAWEICLOUD_SDK_AK is not set)"
        );
    }

    #[test]
    fn the_default_chain_asks_env_then_profile_then_metadata() {
        let chain = default_chain(&env(vec![(
            ENV_HUAWEI_CREDENTIALS_FILE,
            "/etc/hw/credentials".into(),
        )]));
        assert_eq!(
            chain.sources(),
            [
                EnvCredentialProvider::SOURCE,
                CredentialSource::ProfileFile("/etc/hw/credentials".into()),
                CredentialSource::Service(
                    "ECS instance metadata at http://169.254.169.254/openstack/latest/securitykey"
                        .into()
                ),
            ]
        );
    }
}
