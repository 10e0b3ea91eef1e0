//! The profile file, as the SDK's `ProfileCredentialProvider` reads it: an INI file at
//! `HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`, whose section is
//! the credential type (`[global]` for a global service such as BSS, `[basic]` for a
//! regional one), with `ak`, `sk` and optionally `security_token`, `domain_id` (global) and
//! `iam_endpoint`.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Lookup;
use crate::credentials::{
    snapshot, CredentialSource, Credentials, CredentialsError, ProvideCredentials, ProvideFuture,
};

/// The variable naming the profile file, when it is not `~/.huaweicloud/credentials`.
pub const ENV_HUAWEI_CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";

/// The file under the home directory.
const IN_HOME: &str = ".huaweicloud/credentials";

/// The section the global services' credentials (`GlobalCredentials`) are read from.
const GLOBAL_SECTION: &str = "global";

/// A credentials file is a few lines; anything larger is not one (or is `/dev/zero`).
const MAX_PROFILE_BYTES: u64 = 1024 * 1024;

/// What a profile section holds: the credentials, and the account (domain) ID and IAM
/// endpoint when given. `Debug` shows no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Profile {
    /// `ak`, `sk` and `security_token` if any.
    pub credentials: Credentials,
    /// `domain_id`: the account the keys belong to.
    pub domain_id: Option<String>,
    /// `iam_endpoint`: where to look the account ID up when `domain_id` is not given.
    pub iam_endpoint: Option<String>,
}

/// Credentials from the profile file, as the official SDK reads it. The file is read
/// again at each refresh (a rotated key is picked up); its path is the one given
/// ([`with_path`](Self::with_path)), else `HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else
/// `.huaweicloud/credentials` under `HOME` (`USERPROFILE` on Windows hosts that lack
/// `HOME`). The section is `[global]` (the SDK's `GlobalCredentials`, which global
/// services such as BSS take) unless [`section`](Self::section) says otherwise:
///
/// ```ini
/// [global]
/// ak = your-ak
/// sk = your-sk
/// domain_id = your-account-id
/// ```
///
/// A file that does not exist is [`CredentialsError::NoProfileFile`]; one that cannot be
/// read, is not INI, lacks the section or its `ak` / `sk` is
/// [`CredentialsError::UnreadableProfile`] naming the file and why (never a value).
#[derive(Clone)]
pub struct ProfileCredentialProvider {
    location: Location,
    section: String,
}

#[derive(Clone)]
enum Location {
    Path(PathBuf),
    Lookup(Lookup),
}

impl fmt::Debug for ProfileCredentialProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileCredentialProvider")
            .field("path", &self.path().unwrap_or_else(|(path, _)| path))
            .field("section", &self.section)
            .finish()
    }
}

impl Default for ProfileCredentialProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ProfileCredentialProvider {
    /// The file the process's environment names (see the type), found at each refresh.
    pub fn new() -> Self {
        ProfileCredentialProvider {
            location: Location::Lookup(Arc::new(|name| std::env::var(name).ok())),
            section: GLOBAL_SECTION.to_owned(),
        }
    }

    /// The file `env` names (its `HUAWEICLOUD_SDK_CREDENTIALS_FILE`, `HOME`,
    /// `USERPROFILE`, read once, now).
    pub fn with_lookup(env: &dyn Fn(&str) -> Option<String>) -> Self {
        ProfileCredentialProvider {
            location: Location::Lookup(Arc::new(snapshot(
                env,
                &[ENV_HUAWEI_CREDENTIALS_FILE, "HOME", "USERPROFILE"],
            ))),
            section: GLOBAL_SECTION.to_owned(),
        }
    }

    /// This file.
    pub fn with_path(path: impl Into<PathBuf>) -> Self {
        ProfileCredentialProvider {
            location: Location::Path(path.into()),
            section: GLOBAL_SECTION.to_owned(),
        }
    }

    /// Another section (`basic` for a regional service's `BasicCredentials`).
    pub fn section(mut self, section: impl Into<String>) -> Self {
        self.section = section.into();
        self
    }

    /// The file it reads; when the home directory is unknown, `~/.huaweicloud/credentials`
    /// with the error [`CredentialsError::MissingEnv`] of `HOME`.
    pub fn path(&self) -> Result<PathBuf, (PathBuf, CredentialsError)> {
        let lookup = match &self.location {
            Location::Path(path) => return Ok(path.clone()),
            Location::Lookup(lookup) => lookup,
        };
        let set = |name: &str| lookup(name).filter(|v| !v.is_empty());
        if let Some(file) = set(ENV_HUAWEI_CREDENTIALS_FILE) {
            return Ok(PathBuf::from(file));
        }
        match set("HOME").or_else(|| set("USERPROFILE")) {
            Some(home) => Ok(Path::new(&home).join(IN_HOME)),
            None => Err((
                Path::new("~").join(IN_HOME),
                CredentialsError::MissingEnv("HOME"),
            )),
        }
    }

    /// Reads the profile now: the credentials, and the account ID and IAM endpoint if the
    /// section gives them.
    pub fn read(&self) -> Result<Profile, CredentialsError> {
        let path = self.path().map_err(|(_, missing)| missing)?;
        read_profile(&path, &self.section)
    }
}

impl ProvideCredentials for ProfileCredentialProvider {
    fn provide(&self) -> ProvideFuture<'_> {
        let result = self.read().map(|profile| profile.credentials);
        Box::pin(async move { result })
    }

    fn source(&self) -> CredentialSource {
        CredentialSource::ProfileFile(self.path().unwrap_or_else(|(path, _)| path))
    }
}

/// The section `section` of the profile file at `path`.
fn read_profile(path: &Path, section: &str) -> Result<Profile, CredentialsError> {
    let unreadable = |why: String| CredentialsError::UnreadableProfile(path.to_path_buf(), why);
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(CredentialsError::NoProfileFile(vec![path.to_path_buf()]))
        }
        Err(err) => return Err(unreadable(err.to_string())),
    };
    let mut bytes = Vec::new();
    file.take(MAX_PROFILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| unreadable(err.to_string()))?;
    if bytes.len() as u64 > MAX_PROFILE_BYTES {
        return Err(unreadable(format!(
            "larger than {} KiB, not a credentials file",
            MAX_PROFILE_BYTES / 1024
        )));
    }
    let text = String::from_utf8(bytes).map_err(|_| unreadable("not UTF-8 text".into()))?;
    // As Python's configparser reads it: values taken literally (no quotes, no escapes).
    let options = ini::ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        ..ini::ParseOption::default()
    };
    let ini = ini::Ini::load_from_str_opt(text.trim_start_matches('\u{feff}'), options).map_err(
        |err| {
            unreadable(format!(
                "not an INI file (line {}, column {}: {})",
                err.line + 1,
                err.col + 1,
                err.msg
            ))
        },
    )?;
    let Some(properties) = ini.section(Some(section)) else {
        return Err(unreadable(format!("it has no section [{section}]")));
    };
    // configparser lower-cases keys: `AK` is `ak`. Empty values count as missing.
    let get = |key: &str| {
        properties
            .iter()
            .filter(|(k, _)| k.trim().eq_ignore_ascii_case(key))
            .map(|(_, v)| v.trim())
            .next_back()
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let (Some(ak), Some(sk)) = (get("ak"), get("sk")) else {
        let why = if get("idp_id").is_some() && get("id_token_file").is_some() {
            "has a federated identity (idp_id, id_token_file), which is not supported; \
             give ak and sk"
        } else {
            "lacks ak or sk"
        };
        return Err(unreadable(format!("section [{section}] {why}")));
    };
    Ok(Profile {
        credentials: Credentials::new(ak, sk).with_optional_token(get("security_token")),
        domain_id: get("domain_id"),
        iam_endpoint: get("iam_endpoint"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "partnergen-hw-profile-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("credentials");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[tokio::test]
    async fn reads_the_global_section_as_the_sdk_does() {
        let dir = temp_dir("ok");
        let path = write(
            &dir,
            "; comment\n[basic]\nak = basic-ak\nsk = basic-sk\n\n[global]\nAK = global-ak\n\
             sk=global\\sk\"quoted\"\nsecurity_token = st\ndomain_id = acct-1\n\
             iam_endpoint = https://iam.example\n",
        );
        let provider = ProfileCredentialProvider::with_path(&path);
        let profile = provider.read().unwrap();
        assert_eq!(profile.credentials.access_key_id(), "global-ak");
        assert_eq!(
            profile.credentials.secret_key().expose(),
            "global\\sk\"quoted\""
        );
        assert_eq!(profile.credentials.token().map(Secret::expose), Some("st"));
        assert_eq!(profile.domain_id.as_deref(), Some("acct-1"));
        assert_eq!(profile.iam_endpoint.as_deref(), Some("https://iam.example"));
        let basic = provider.clone().section("basic").provide().await.unwrap();
        assert_eq!(basic.access_key_id(), "basic-ak");
        assert_eq!(basic.token(), None);
        let shown = format!("{provider:?} {profile:?}");
        assert!(
            !shown.contains("global\\sk") && !shown.contains("\"st\""),
            "{shown}"
        );
        // The variable names the file; else HOME.
        let by_var = ProfileCredentialProvider::with_lookup(&|name: &str| {
            (name == ENV_HUAWEI_CREDENTIALS_FILE).then(|| path.display().to_string())
        });
        assert_eq!(by_var.source(), CredentialSource::ProfileFile(path.clone()));
        assert_eq!(by_var.provide().await.unwrap().access_key_id(), "global-ak");
        std::fs::create_dir_all(dir.join(".huaweicloud")).unwrap();
        std::fs::copy(&path, dir.join(IN_HOME)).unwrap();
        let home = dir.display().to_string();
        let by_home = ProfileCredentialProvider::with_lookup(&|name: &str| {
            (name == "HOME").then(|| home.clone())
        });
        assert_eq!(by_home.path().unwrap(), dir.join(IN_HOME));
        assert!(by_home.provide().await.is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn bad_files_are_typed_errors_naming_the_file_and_no_value() {
        let dir = temp_dir("bad");
        let cases: [(&str, &str); 6] = [
            (
                "[global\nak = a\nsk = secret-never-shown\n",
                "not an INI file (line",
            ),
            (
                "[basic]\nak = a\nsk = secret-never-shown\n",
                "it has no section [global]",
            ),
            (
                "[Global]\nak = a\nsk = secret-never-shown\n",
                "it has no section [global]",
            ),
            ("[global]\nak = a\n", "section [global] lacks ak or sk"),
            (
                "[global]\nak = a\nsk =\n",
                "section [global] lacks ak or sk",
            ),
            (
                "[global]\nidp_id = idp\nid_token_file = /t\n",
                "federated identity (idp_id, id_token_file), which is not supported",
            ),
        ];
        for (text, why) in cases {
            let path = write(&dir, text);
            let err = ProfileCredentialProvider::with_path(&path)
                .provide()
                .await
                .unwrap_err();
            let CredentialsError::UnreadableProfile(named, _) = &err else {
                panic!("{text:?}: {err:?}");
            };
            assert_eq!(named, &path);
            let shown = err.to_string();
            assert!(
                shown.starts_with(&format!("cannot read {}: ", path.display()))
                    && shown.contains(why)
                    && !shown.contains("secret-never-shown"),
                "{text:?}: {shown}"
            );
        }
        // Not UTF-8, too large, a directory, missing, no home.
        std::fs::write(dir.join("binary"), [0xff, 0xfe, 0x00]).unwrap();
        let err = ProfileCredentialProvider::with_path(dir.join("binary"))
            .read()
            .unwrap_err();
        assert!(err.to_string().ends_with("not UTF-8 text"), "{err}");
        std::fs::write(dir.join("huge"), vec![b'#'; 2 * 1024 * 1024]).unwrap();
        let err = ProfileCredentialProvider::with_path(dir.join("huge"))
            .read()
            .unwrap_err();
        assert!(err.to_string().contains("larger than 1024 KiB"), "{err}");
        let err = ProfileCredentialProvider::with_path(&dir)
            .read()
            .unwrap_err();
        assert!(
            matches!(&err, CredentialsError::UnreadableProfile(p, _) if p == &dir),
            "{err:?}"
        );
        let missing = dir.join("missing");
        assert_eq!(
            ProfileCredentialProvider::with_path(&missing).read(),
            Err(CredentialsError::NoProfileFile(vec![missing]))
        );
        let homeless = ProfileCredentialProvider::with_lookup(&|_| None);
        assert_eq!(
            homeless.source(),
            CredentialSource::ProfileFile(Path::new("~").join(IN_HOME))
        );
        assert_eq!(
            homeless.provide().await,
            Err(CredentialsError::MissingEnv("HOME"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn an_unreadable_file_names_the_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("perm");
        let path = write(&dir, "[global]\nak = a\nsk = b\n");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        // Root reads it anyway: then there is nothing to test.
        if std::fs::read(&path).is_err() {
            let err = ProfileCredentialProvider::with_path(&path)
                .read()
                .unwrap_err();
            assert!(
                matches!(&err, CredentialsError::UnreadableProfile(p, why) if p == &path && why.contains("ermission")),
                "{err:?}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
