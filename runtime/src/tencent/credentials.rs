//! Where Tencent Cloud's SDK finds credentials: the environment variables
//! (`TENCENTCLOUD_SECRET_ID`, ...), the profile file (`~/.tencentcloud/credentials`) and
//! the tccli profiles; and the chain a builder without credentials follows.

use std::path::{Path, PathBuf};

use crate::credentials::{
    from_fn, snapshot, CredentialSource, Credentials, CredentialsChain, CredentialsError, Tried,
};

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
/// through `env` now: the environment variables, then the profile file (as
/// [`Credentials::from_default_chain_with`]), asked again at each refresh.
pub fn default_chain(env: &dyn Fn(&str) -> Option<String>) -> CredentialsChain {
    let env = snapshot(
        env,
        &[
            ENV_SECRET_ID,
            ENV_SECRET_KEY,
            ENV_SESSION_TOKEN,
            ENV_CREDENTIALS_FILE,
            "HOME",
            "USERPROFILE",
        ],
    );
    let from_env = env.clone();
    CredentialsChain::new()
        .or_else(from_fn(
            CredentialSource::Env {
                id: ENV_SECRET_ID,
                key: ENV_SECRET_KEY,
            },
            move || Credentials::from_lookup(&from_env),
        ))
        .or_else(from_fn(
            CredentialSource::Service("profile files".into()),
            move || profile_chain(&env),
        ))
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
