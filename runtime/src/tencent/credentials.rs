//! Where Tencent Cloud's official SDKs find credentials, as providers
//! ([`ProvideCredentials`]) that compose into a [`CredentialsChain`]:
//!
//! - [`EnvProvider`]: `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`,
//!   `TENCENTCLOUD_SESSION_TOKEN`;
//! - [`ProfileProvider`]: the file `TENCENTCLOUD_CREDENTIALS_FILE` names, else
//!   `~/.tencentcloud/credentials`, else `/etc/tencentcloud/credentials`;
//! - [`CvmRoleProvider`]: the CVM instance role, from the instance metadata service;
//! - [`StsAssumeRoleProvider`]: STS `AssumeRole`, with long-term keys;
//! - [`OidcRoleProvider`]: STS `AssumeRoleWithWebIdentity` with a TKE pod's token;
//! - [`default_chain`] / [`DefaultChain`]: environment, profile, CVM role, TKE OIDC, the
//!   official order, which a client builder without credentials follows.
//!
//! The temporary keys of the last three carry their expiry; the client's cache
//! ([`crate::credentials::SharedCredentials`]) refreshes them ahead of it, once for all
//! concurrent calls. Also: the tccli profiles ([`Credentials::from_cli_profile`]).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::client::BuildError;
// The core's types, so that this module is all a caller needs.
use crate::credentials::{from_fn, snapshot, CredentialSource, ProvideFuture, Tried};
pub use crate::credentials::{
    Credentials, CredentialsChain, CredentialsError, ProvideCredentials, SharedCredentials,
};

mod cvm;
mod oidc;
#[cfg(test)]
mod provider_tests;
mod service;
mod sts;

pub use cvm::{
    CvmRoleProvider, CvmRoleProviderBuilder, DEFAULT_METADATA_ENDPOINT, SECURITY_CREDENTIALS_PATH,
};
pub use oidc::{
    OidcRoleProvider, OidcRoleProviderBuilder, ENV_TKE_PROVIDER_ID, ENV_TKE_REGION,
    ENV_TKE_ROLE_ARN, ENV_TKE_WEB_IDENTITY_TOKEN_FILE,
};
pub use service::DEFAULT_STS_ENDPOINT;
pub use sts::{StsAssumeRoleProvider, StsAssumeRoleProviderBuilder};

/// The environment variables the official SDK reads.
pub const ENV_SECRET_ID: &str = "TENCENTCLOUD_SECRET_ID";
/// See [`ENV_SECRET_ID`].
pub const ENV_SECRET_KEY: &str = "TENCENTCLOUD_SECRET_KEY";
/// See [`ENV_SECRET_ID`].
pub const ENV_SESSION_TOKEN: &str = "TENCENTCLOUD_SESSION_TOKEN";
/// The profile file to read instead of `~/.tencentcloud/credentials` (the Go SDK's
/// `EnvCredentialFile`): when set, that file only; set but empty is an error.
pub const ENV_CREDENTIALS_FILE: &str = "TENCENTCLOUD_CREDENTIALS_FILE";

impl Credentials {
    /// From `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and, if set,
    /// `TENCENTCLOUD_SESSION_TOKEN`, as the official SDK reads them.
    pub fn from_env() -> Result<Self, CredentialsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Credentials::from_env`], reading variables through `lookup` (for tests and
    /// for callers with their own configuration source).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, CredentialsError> {
        Self::from_vars(lookup, [ENV_SECRET_ID, ENV_SECRET_KEY, ENV_SESSION_TOKEN])
    }

    /// From the profile file the official SDK reads: the file `TENCENTCLOUD_CREDENTIALS_FILE`
    /// names if it is set (that one only), else `~/.tencentcloud/credentials`, else
    /// `/etc/tencentcloud/credentials`; INI with `secret_id` and `secret_key` (and
    /// optionally `token`) under `[default]`.
    pub fn from_default_profile() -> Result<Self, CredentialsError> {
        if let Some(named) = std::env::var_os(ENV_CREDENTIALS_FILE) {
            let path = named_profile(&named.to_string_lossy()).map_err(|(_, failure)| failure)?;
            return Self::from_profile_file(&path, "default");
        }
        let candidates: Vec<PathBuf> = profile_candidates(|name| std::env::var(name).ok())
            .into_iter()
            .flatten()
            .collect();
        match candidates.iter().find(|p| p.exists()) {
            Some(path) => Self::from_profile_file(path, "default"),
            None => Err(CredentialsError::NoProfileFile(candidates)),
        }
    }

    /// What a Tencent client builder without credentials uses: the environment
    /// ([`Credentials::from_env`]), else the first profile file that exists
    /// ([`Credentials::from_default_profile`]). Finding none is a
    /// [`CredentialsError::NotFound`] listing every source tried.
    pub fn from_default_chain() -> Result<Self, CredentialsError> {
        Self::from_default_chain_with(|name| std::env::var(name).ok())
    }

    /// Like [`Credentials::from_default_chain`], reading variables (`HOME` and
    /// `USERPROFILE` too) through `lookup`.
    pub fn from_default_chain_with(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, CredentialsError> {
        let env_failure = match Self::from_lookup(&lookup) {
            Ok(credentials) => return Ok(credentials),
            Err(failure) => Tried {
                source: CredentialSource::Env {
                    id: ENV_SECRET_ID,
                    key: ENV_SECRET_KEY,
                },
                failure,
            },
        };
        profile_chain(&lookup).map_err(|err| match err {
            CredentialsError::NotFound(mut tried) => {
                tried.insert(0, env_failure);
                CredentialsError::NotFound(tried)
            }
            other => other,
        })
    }

    /// From a profile of the official CLI (tccli): `~/.tccli/<profile>.credential`, JSON
    /// with `secretId`, `secretKey` and optionally `token`.
    pub fn from_cli_profile(profile: &str) -> Result<Self, CredentialsError> {
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .unwrap_or_default();
        Self::from_cli_file(
            &Path::new(&home)
                .join(".tccli")
                .join(format!("{profile}.credential")),
        )
    }

    /// From a tccli credential file (see [`Credentials::from_cli_profile`]).
    pub fn from_cli_file(path: &Path) -> Result<Self, CredentialsError> {
        let text = std::fs::read_to_string(path).map_err(|err| {
            CredentialsError::UnreadableProfile(path.to_path_buf(), err.to_string())
        })?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|err| {
            CredentialsError::UnreadableProfile(
                path.to_path_buf(),
                format!("not JSON: line {}", err.line()),
            )
        })?;
        let get = |key: &str| {
            value
                .get(key)
                .and_then(serde_json::Value::as_str)
                .filter(|v| !v.is_empty())
        };
        let incomplete =
            || CredentialsError::IncompleteProfile(path.to_path_buf(), "secretId/secretKey".into());
        let credentials = Credentials::new(
            get("secretId").ok_or_else(incomplete)?,
            get("secretKey").ok_or_else(incomplete)?,
        );
        Ok(credentials.with_optional_token(get("token")))
    }

    /// From a section of an INI profile file.
    pub fn from_profile_file(path: &Path, section: &str) -> Result<Self, CredentialsError> {
        let ini = ini::Ini::load_from_file(path).map_err(|err| {
            CredentialsError::UnreadableProfile(path.to_path_buf(), err.to_string())
        })?;
        let incomplete =
            || CredentialsError::IncompleteProfile(path.to_path_buf(), section.to_owned());
        let props = ini.section(Some(section)).ok_or_else(incomplete)?;
        let get = |key: &str| props.get(key).map(str::trim).filter(|v| !v.is_empty());
        let credentials = Credentials::new(
            get("secret_id").ok_or_else(incomplete)?,
            get("secret_key").ok_or_else(incomplete)?,
        );
        Ok(credentials.with_optional_token(get("token")))
    }
}

/// The chain a Tencent client builder without credentials uses, its variables read
/// through `env` now, in the official SDK's order (`DefaultCredentialProvider`): the
/// environment variables, the profile file, the CVM instance role, the TKE OIDC role;
/// asked again, from the first, at each refresh. The services at their official
/// endpoints: [`DefaultChain`] points them elsewhere.
pub fn default_chain(env: &dyn Fn(&str) -> Option<String>) -> CredentialsChain {
    match DefaultChain::new().build(env) {
        Ok(chain) => chain,
        // Only the HTTP client can fail with the official endpoints: the two sources
        // that need it say why at each refresh, the others still serve.
        Err(err) => {
            let why = err.to_string();
            let failing = |what: &'static str| {
                let why = why.clone();
                from_fn(CredentialSource::Service(what.into()), move || {
                    Err(CredentialsError::Unavailable {
                        source: what.into(),
                        message: why.clone(),
                    })
                })
            };
            CredentialsChain::new()
                .or_else(EnvProvider::from_lookup(env))
                .or_else(ProfileProvider::from_lookup(env))
                .or_else(failing("CVM role from instance metadata"))
                .or_else(failing(TKE_SOURCE))
        }
    }
}

/// How the TKE OIDC source is named when its variables are not all set.
const TKE_SOURCE: &str = "TKE OIDC role via STS AssumeRoleWithWebIdentity";

/// The variables the environment and profile sources read.
const CHAIN_VARIABLES: &[&str] = &[
    ENV_SECRET_ID,
    ENV_SECRET_KEY,
    ENV_SESSION_TOKEN,
    ENV_CREDENTIALS_FILE,
    "HOME",
    "USERPROFILE",
];

/// [`default_chain`] with its services elsewhere: the metadata service and STS of a
/// private deployment, or the mock server's (and its CA).
///
/// ```no_run
/// # fn main() -> Result<(), partnergen_runtime::client::BuildError> {
/// use partnergen_runtime::tencent::credentials::DefaultChain;
/// let chain = DefaultChain::new()
///     .metadata_endpoint("http://127.0.0.1:8081")
///     .sts_endpoint("https://127.0.0.1:8443")
///     .build(&|name| std::env::var(name).ok())?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct DefaultChain {
    metadata: CvmRoleProviderBuilder,
    sts_endpoint: String,
    sts_roots_pem: Vec<Vec<u8>>,
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

impl DefaultChain {
    /// The official endpoints.
    pub fn new() -> Self {
        DefaultChain {
            metadata: CvmRoleProvider::builder(),
            sts_endpoint: DEFAULT_STS_ENDPOINT.to_owned(),
            sts_roots_pem: Vec::new(),
        }
    }

    /// The CVM metadata service: `scheme://host[:port]`.
    pub fn metadata_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.metadata = self.metadata.endpoint(endpoint);
        self
    }

    /// How long one answer of the metadata service may take.
    pub fn metadata_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.metadata = self.metadata.timeout(timeout);
        self
    }

    /// STS, for the TKE OIDC source: `scheme://host[:port]`, or a host (https).
    pub fn sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.sts_endpoint = endpoint.into();
        self
    }

    /// Trusts the root certificates of a PEM bundle for STS besides the built-in ones.
    pub fn sts_root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.sts_roots_pem.push(pem.as_ref().to_vec());
        self
    }

    /// The chain, its variables read through `env` now. A bad endpoint or certificate
    /// given here fails, naming it; the TKE variables missing or unusable make that
    /// source fail at each refresh instead, saying why (the chain goes on without it).
    pub fn build(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<CredentialsChain, BuildError> {
        let cvm = self.metadata.clone().build()?;
        let oidc = |builder: OidcRoleProviderBuilder| {
            let mut builder = builder.endpoint(self.sts_endpoint.clone());
            for pem in &self.sts_roots_pem {
                builder = builder.root_certificate_pem(pem);
            }
            builder.build()
        };
        // The STS settings are checked whether or not the TKE variables are set.
        oidc(OidcRoleProvider::builder(
            "ap-guangzhou",
            "check",
            "check",
            "check",
        ))?;
        let tke = match OidcRoleProvider::from_tke_env(env) {
            Ok(builder) => match oidc(builder) {
                Ok(provider) => Arc::new(provider) as Arc<dyn ProvideCredentials>,
                Err(err) => Arc::new(failing_source(TKE_SOURCE, err.to_string())),
            },
            Err(missing) => Arc::new(from_fn(
                CredentialSource::Service(TKE_SOURCE.into()),
                move || Err(missing.clone()),
            )),
        };
        Ok(CredentialsChain::new()
            .or_else(EnvProvider::from_lookup(env))
            .or_else(ProfileProvider::from_lookup(env))
            .or_else(cvm)
            .or_else(tke))
    }
}

/// A source that cannot be used: it fails at each refresh with `why`.
fn failing_source(what: &'static str, why: String) -> impl ProvideCredentials {
    from_fn(CredentialSource::Service(what.into()), move || {
        Err(CredentialsError::Unavailable {
            source: what.into(),
            message: why.clone(),
        })
    })
}

/// The environment variables as a source: `TENCENTCLOUD_SECRET_ID`,
/// `TENCENTCLOUD_SECRET_KEY` and, if set, `TENCENTCLOUD_SESSION_TOKEN`
/// ([`Credentials::from_env`]).
#[derive(Clone)]
pub struct EnvProvider {
    lookup: Lookup,
}

/// The profile file as a source: the file `TENCENTCLOUD_CREDENTIALS_FILE` names, else the
/// first of `~/.tencentcloud/credentials` and `/etc/tencentcloud/credentials` that
/// exists, section `[default]` ([`Credentials::from_default_profile`]); read again at
/// each refresh (a rotated file is picked up).
#[derive(Clone)]
pub struct ProfileProvider {
    lookup: Lookup,
}

/// Variables, read now ([`snapshot`]) or at each refresh (the process's).
type Lookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

impl EnvProvider {
    /// The process's variables, read at each refresh.
    pub fn new() -> Self {
        EnvProvider {
            lookup: Arc::new(|name: &str| std::env::var(name).ok()),
        }
    }

    /// The variables of `env`, read now.
    pub fn from_lookup(env: &dyn Fn(&str) -> Option<String>) -> Self {
        EnvProvider {
            lookup: Arc::new(snapshot(env, CHAIN_VARIABLES)),
        }
    }
}

impl Default for EnvProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ProfileProvider {
    /// The process's variables (`TENCENTCLOUD_CREDENTIALS_FILE`, `HOME`), read at each
    /// refresh.
    pub fn new() -> Self {
        ProfileProvider {
            lookup: Arc::new(|name: &str| std::env::var(name).ok()),
        }
    }

    /// The variables of `env`, read now.
    pub fn from_lookup(env: &dyn Fn(&str) -> Option<String>) -> Self {
        ProfileProvider {
            lookup: Arc::new(snapshot(env, CHAIN_VARIABLES)),
        }
    }
}

impl Default for ProfileProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ProvideCredentials for EnvProvider {
    fn provide(&self) -> ProvideFuture<'_> {
        let result = Credentials::from_lookup(&*self.lookup);
        Box::pin(async move { result })
    }

    fn source(&self) -> CredentialSource {
        CredentialSource::Env {
            id: ENV_SECRET_ID,
            key: ENV_SECRET_KEY,
        }
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide(&self) -> ProvideFuture<'_> {
        let result = profile_chain(&*self.lookup);
        Box::pin(async move { result })
    }

    fn source(&self) -> CredentialSource {
        CredentialSource::Service("profile files".into())
    }
}

impl fmt::Debug for EnvProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnvProvider")
    }
}

impl fmt::Debug for ProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProfileProvider")
    }
}

/// The profile files, as the official SDK reads them: the first that exists, and only
/// that one. Finding none is a [`CredentialsError::NotFound`] naming each file.
fn profile_chain(lookup: impl Fn(&str) -> Option<String>) -> Result<Credentials, CredentialsError> {
    if let Some(named) = lookup(ENV_CREDENTIALS_FILE) {
        let (path, failure) = match named_profile(&named) {
            Ok(path) => match Credentials::from_profile_file(&path, "default") {
                Ok(credentials) => return Ok(credentials),
                Err(failure) => (path, failure),
            },
            Err(unusable) => unusable,
        };
        return Err(CredentialsError::NotFound(vec![Tried {
            source: CredentialSource::ProfileFile(path),
            failure,
        }]));
    }
    let mut tried = Vec::new();
    for candidate in profile_candidates(&lookup) {
        let (path, failure) = match candidate {
            Ok(path) if path.exists() => match Credentials::from_profile_file(&path, "default") {
                Ok(credentials) => return Ok(credentials),
                // The SDK reads the first file that exists, and only that one.
                Err(failure) => {
                    tried.push(Tried {
                        source: CredentialSource::ProfileFile(path),
                        failure,
                    });
                    break;
                }
            },
            Ok(path) => (path.clone(), CredentialsError::NoProfileFile(vec![path])),
            Err(unknown) => unknown,
        };
        tried.push(Tried {
            source: CredentialSource::ProfileFile(path),
            failure,
        });
    }
    Err(CredentialsError::NotFound(tried))
}

/// The file `TENCENTCLOUD_CREDENTIALS_FILE` names, as the Go SDK takes it: set but empty
/// is an error, and so is a file that does not exist (no fallback to the default places).
fn named_profile(named: &str) -> Result<PathBuf, (PathBuf, CredentialsError)> {
    if named.is_empty() {
        let shown = PathBuf::from(format!("${ENV_CREDENTIALS_FILE}"));
        return Err((
            shown.clone(),
            CredentialsError::UnreadableProfile(
                shown,
                "the variable is set but empty (unset it, or name a file)".into(),
            ),
        ));
    }
    let path = PathBuf::from(named);
    if !path.exists() {
        return Err((
            path.clone(),
            CredentialsError::UnreadableProfile(
                path,
                format!("it does not exist (named by {ENV_CREDENTIALS_FILE})"),
            ),
        ));
    }
    Ok(path)
}

/// The profile files the official SDK reads, in order: under the home directory (`HOME`,
/// else `USERPROFILE`; when neither is set, `~/...` and the variable missing), then
/// `/etc/tencentcloud/credentials`.
fn profile_candidates(
    lookup: impl Fn(&str) -> Option<String>,
) -> [Result<PathBuf, (PathBuf, CredentialsError)>; 2] {
    const IN_HOME: &str = ".tencentcloud/credentials";
    let home = lookup("HOME")
        .filter(|h| !h.is_empty())
        .or_else(|| lookup("USERPROFILE").filter(|h| !h.is_empty()));
    [
        home.map(|home| Path::new(&home).join(IN_HOME))
            .ok_or_else(|| {
                (
                    Path::new("~").join(IN_HOME),
                    CredentialsError::MissingEnv("HOME"),
                )
            }),
        Ok(PathBuf::from("/etc/tencentcloud/credentials")),
    ]
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
        let c = Credentials::from_lookup(env(&[(ENV_SECRET_ID, "id"), (ENV_SECRET_KEY, "key")]))
            .unwrap();
        assert_eq!(
            (c.access_key_id(), c.secret_key().expose(), c.token()),
            ("id", "key", None)
        );
        let c = Credentials::from_lookup(env(&[
            (ENV_SECRET_ID, "id"),
            (ENV_SECRET_KEY, "key"),
            (ENV_SESSION_TOKEN, "t"),
        ]))
        .unwrap();
        assert_eq!(c.token().map(Secret::expose), Some("t"));
        assert_eq!(
            Credentials::from_lookup(env(&[(ENV_SECRET_ID, "id"), (ENV_SECRET_KEY, "")])),
            Err(CredentialsError::MissingEnv(ENV_SECRET_KEY))
        );
    }

    #[test]
    fn profile_file_sections() {
        let dir = std::env::temp_dir().join(format!("tc-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("credentials");
        std::fs::write(
            &path,
            "[default]\nsecret_id = AKIDfile \nsecret_key=filekey\n\n[other]\nsecret_id=x\n",
        )
        .unwrap();
        let c = Credentials::from_profile_file(&path, "default").unwrap();
        assert_eq!(
            (c.access_key_id(), c.secret_key().expose()),
            ("AKIDfile", "filekey")
        );
        let err = Credentials::from_profile_file(&path, "other").unwrap_err();
        assert!(matches!(err, CredentialsError::IncompleteProfile(_, ref s) if s == "other"));
        assert!(!err.to_string().contains("filekey"));

        let cli = dir.join("default.credential");
        std::fs::write(
            &cli,
            r#"{"secretId": "AKIDcli", "secretKey": "clikey", "token": "tok"}"#,
        )
        .unwrap();
        let c = Credentials::from_cli_file(&cli).unwrap();
        assert_eq!(
            (
                c.access_key_id(),
                c.secret_key().expose(),
                c.token().map(Secret::expose)
            ),
            ("AKIDcli", "clikey", Some("tok"))
        );
        std::fs::write(
            &cli,
            r#"{"secretId": "AKIDcli", "secretKey": "clikey-but-broken"#,
        )
        .unwrap();
        let err = Credentials::from_cli_file(&cli).unwrap_err();
        assert!(!err.to_string().contains("clikey"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_default_chain_lists_every_source_it_tried() {
        let dir = std::env::temp_dir().join(format!("tc-chain-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".tencentcloud")).unwrap();
        let home = dir.to_str().unwrap().to_owned();
        let env = |vars: Vec<(&'static str, String)>| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone())
            }
        };
        let etc = CredentialSource::ProfileFile(PathBuf::from("/etc/tencentcloud/credentials"));

        // Nothing anywhere: the variables first, then each file, with why not.
        let Err(CredentialsError::NotFound(tried)) =
            Credentials::from_default_chain_with(env(vec![]))
        else {
            panic!("found credentials in an empty environment");
        };
        assert_eq!(
            tried[..2],
            [
                Tried {
                    source: CredentialSource::Env {
                        id: ENV_SECRET_ID,
                        key: ENV_SECRET_KEY
                    },
                    failure: CredentialsError::MissingEnv(ENV_SECRET_ID),
                },
                Tried {
                    source: CredentialSource::ProfileFile(PathBuf::from(
                        "~/.tencentcloud/credentials"
                    )),
                    failure: CredentialsError::MissingEnv("HOME"),
                },
            ]
        );
        assert_eq!(tried.get(2).map(|t| &t.source), Some(&etc));

        // USERPROFILE stands in for HOME; a missing file is named.
        let Err(err) =
            Credentials::from_default_chain_with(env(vec![("USERPROFILE", home.clone())]))
        else {
            panic!("no profile file was written yet");
        };
        let in_home = dir.join(".tencentcloud/credentials");
        assert!(
            err.to_string().contains(&format!(
                "profile file {} (does not exist)",
                in_home.display()
            )),
            "{err}"
        );

        // A profile file that exists but lacks the key: the SDK reads no further file.
        std::fs::write(
            &in_home,
            "[default]\nsecret_id = AKIDnot-a-secret-but-hidden\n",
        )
        .unwrap();
        let err = Credentials::from_default_chain_with(env(vec![
            ("HOME", home.clone()),
            (ENV_SECRET_KEY, "key-value-never-shown".into()),
        ]))
        .unwrap_err();
        let CredentialsError::NotFound(tried) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(tried.len(), 2, "{err}");
        assert_eq!(
            tried[0].failure,
            CredentialsError::MissingEnv(ENV_SECRET_ID)
        );
        assert!(matches!(
            tried[1].failure,
            CredentialsError::IncompleteProfile(..)
        ));
        let shown = err.to_string();
        assert!(
            shown.starts_with("no credentials found; tried, in order: environment variables")
                && shown.contains("section [default] is missing or lacks")
                && !shown.contains("key-value-never-shown")
                && !shown.contains("hidden"),
            "{shown}"
        );

        // A complete profile file is used; the environment still comes first.
        std::fs::write(
            &in_home,
            "[default]\nsecret_id = AKIDfile\nsecret_key = filekey\n",
        )
        .unwrap();
        let c = Credentials::from_default_chain_with(env(vec![("HOME", home.clone())])).unwrap();
        assert_eq!(c.access_key_id(), "AKIDfile");
        let c = Credentials::from_default_chain_with(env(vec![
            ("HOME", home.clone()),
            (ENV_SECRET_ID, "AKIDenv".into()),
            (ENV_SECRET_KEY, "envkey".into()),
        ]))
        .unwrap();
        assert_eq!(c.access_key_id(), "AKIDenv");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_credentials_file_variable_overrides_the_default_places() {
        let dir = std::env::temp_dir().join(format!("tc-credfile-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".tencentcloud")).unwrap();
        let home = dir.to_str().unwrap().to_owned();
        std::fs::write(
            dir.join(".tencentcloud/credentials"),
            "[default]\nsecret_id = AKIDhome\nsecret_key = homekey\n",
        )
        .unwrap();
        let chosen = dir.join("chosen.ini");
        std::fs::write(
            &chosen,
            "[default]\nsecret_id = AKIDchosen\nsecret_key = chosenkey\n",
        )
        .unwrap();
        let env = |vars: Vec<(&'static str, String)>| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone())
            }
        };
        // Set: that file, not the one in the home directory (the Go SDK's rule).
        let c = Credentials::from_default_chain_with(env(vec![
            ("HOME", home.clone()),
            (ENV_CREDENTIALS_FILE, chosen.to_str().unwrap().to_owned()),
        ]))
        .unwrap();
        assert_eq!(c.access_key_id(), "AKIDchosen");

        // Set to a file that does not exist: an error naming it, no fallback.
        let missing = dir.join("missing.ini");
        let err = Credentials::from_default_chain_with(env(vec![
            ("HOME", home.clone()),
            (ENV_CREDENTIALS_FILE, missing.to_str().unwrap().to_owned()),
        ]))
        .unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.contains(&missing.display().to_string()) && !shown.contains("AKIDhome"),
            "{shown}"
        );

        // Set but empty: the SDK refuses it, naming the variable.
        let err = Credentials::from_default_chain_with(env(vec![
            ("HOME", home.clone()),
            (ENV_CREDENTIALS_FILE, String::new()),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains(ENV_CREDENTIALS_FILE), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
