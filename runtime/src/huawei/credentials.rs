//! Where Huawei Cloud's SDK finds credentials: the environment variables
//! (`HUAWEICLOUD_SDK_AK`, ...); and the chain a builder without credentials follows.

use crate::credentials::{
    from_fn, snapshot, CredentialSource, Credentials, CredentialsChain, CredentialsError, Tried,
};

/// The environment variables the official Huawei Cloud SDK reads: the AK.
pub const ENV_HUAWEI_AK: &str = "HUAWEICLOUD_SDK_AK";
/// See [`ENV_HUAWEI_AK`]: the SK.
pub const ENV_HUAWEI_SK: &str = "HUAWEICLOUD_SDK_SK";
/// See [`ENV_HUAWEI_AK`]: the security token of temporary credentials.
pub const ENV_HUAWEI_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// See [`ENV_HUAWEI_AK`]: the account (domain) ID a global service such as BSS is called
/// for; read by the Huawei client builder.
pub const ENV_HUAWEI_DOMAIN_ID: &str = "HUAWEICLOUD_SDK_DOMAIN_ID";

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

    /// What a Huawei client builder without credentials uses: the environment
    /// ([`Credentials::from_huawei_lookup`] through `lookup`). Finding none is a
    /// [`CredentialsError::NotFound`] naming the variables.
    pub fn from_huawei_default_chain_with(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, CredentialsError> {
        Self::from_huawei_lookup(lookup).map_err(|failure| {
            CredentialsError::NotFound(vec![Tried {
                source: CredentialSource::Env {
                    id: ENV_HUAWEI_AK,
                    key: ENV_HUAWEI_SK,
                },
                failure,
            }])
        })
    }
}

/// The chain a Huawei client builder without credentials uses, its variables read
/// through `env` now: the environment variables.
pub fn default_chain(env: &dyn Fn(&str) -> Option<String>) -> CredentialsChain {
    let env = snapshot(
        env,
        &[ENV_HUAWEI_AK, ENV_HUAWEI_SK, ENV_HUAWEI_SECURITY_TOKEN],
    );
    CredentialsChain::new().or_else(from_fn(
        CredentialSource::Env {
            id: ENV_HUAWEI_AK,
            key: ENV_HUAWEI_SK,
        },
        move || Credentials::from_huawei_lookup(&env),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;

    #[test]
    fn environment_as_the_sdk_reads_it() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        // Huawei's variables, and only those.
        let c = Credentials::from_huawei_lookup(env(&[
            (ENV_HUAWEI_AK, "ak"),
            (ENV_HUAWEI_SK, "sk"),
            (ENV_HUAWEI_SECURITY_TOKEN, "st"),
            ("TENCENTCLOUD_SESSION_TOKEN", "tencent"),
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
            Credentials::from_huawei_lookup(env(&[
                ("TENCENTCLOUD_SECRET_ID", "id"),
                ("TENCENTCLOUD_SECRET_KEY", "k")
            ])),
            Err(CredentialsError::MissingEnv(ENV_HUAWEI_AK))
        );
        let c = Credentials::from_huawei_lookup(env(&[
            (ENV_HUAWEI_AK, "ak"),
            (ENV_HUAWEI_SK, "sk"),
            (ENV_HUAWEI_SECURITY_TOKEN, ""),
        ]))
        .unwrap();
        assert_eq!(c.token(), None);
    }

    #[test]
    fn the_default_chain_names_the_variables() {
        let env = |vars: Vec<(&'static str, String)>| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone())
            }
        };
        // Huawei: the variables.
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
}
