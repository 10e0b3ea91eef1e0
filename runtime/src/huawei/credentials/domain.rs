//! The account (domain) ID of the keys, looked up when not given, as the SDK's
//! `GlobalCredentials` looks it up: the profile file's `domain_id` (for the profile's own
//! keys), else IAM's `KeystoneListAuthDomains` (`GET /v3/auth/domains`, signed with the
//! keys), else, when IAM lists no domain, STS's caller identity (`GET /v5/caller-identity`).

use std::fmt;
use std::future::Future;

use serde_json::Value;

use super::ProfileCredentialProvider;
use crate::credentials::{Credentials, CredentialsError};
use crate::error::Error;
use crate::huawei::sign::{self, SigningInput};
use crate::transport::{HttpRequest, HttpResponse};
use crate::HttpMethod;

/// The IAM endpoint the SDK asks when neither the builder, the profile file nor
/// `HUAWEICLOUD_SDK_IAM_ENDPOINT` names one.
pub const DEFAULT_IAM_ENDPOINT: &str = "https://iam.myhuaweicloud.com";
/// The STS endpoint the SDK asks when IAM lists no domain, unless
/// `HUAWEICLOUD_SDK_STS_ENDPOINT` names another.
pub const DEFAULT_STS_ENDPOINT: &str = "https://sts.cn-north-4.myhuaweicloud.com";

const DOMAINS_PATH: &str = "/v3/auth/domains";
const CALLER_IDENTITY_PATH: &str = "/v5/caller-identity";
/// The actions the lookups are sent as (named in transport errors).
const DOMAINS_ACTION: &str = "KeystoneListAuthDomains";
const CALLER_IDENTITY_ACTION: &str = "GetCallerIdentity";

/// A client's account ID lookup, shared by its clones: done once, one at a time (the
/// callers that come meanwhile wait for it), tried again at the next call if it failed.
pub(crate) struct AccountLookup {
    found: tokio::sync::OnceCell<String>,
    /// The builder's, else `HUAWEICLOUD_SDK_IAM_ENDPOINT`'s (the profile's comes between,
    /// as in the SDK).
    iam_endpoint: Option<String>,
    env_iam_endpoint: Option<String>,
    sts_endpoint: String,
    profile: Option<ProfileCredentialProvider>,
}

impl fmt::Debug for AccountLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountLookup")
            .field("found", &self.found.get())
            .finish_non_exhaustive()
    }
}

impl Default for AccountLookup {
    fn default() -> Self {
        AccountLookup {
            found: tokio::sync::OnceCell::new(),
            iam_endpoint: None,
            env_iam_endpoint: None,
            sts_endpoint: DEFAULT_STS_ENDPOINT.to_owned(),
            profile: None,
        }
    }
}

/// `scheme://host[:port]` (a trailing `/` dropped), or why not.
pub(crate) fn checked_endpoint(what: &str, endpoint: &str) -> Result<String, String> {
    crate::client::Endpoint::parse(endpoint, None)
        .map(|endpoint| endpoint.base_url)
        .map_err(|why| format!("the {what} endpoint {why}"))
}

impl AccountLookup {
    /// A lookup at these endpoints (already checked), reading the profile file of
    /// `profile` for its `domain_id` and `iam_endpoint`.
    pub(crate) fn new(
        iam_endpoint: Option<String>,
        env_iam_endpoint: Option<String>,
        sts_endpoint: Option<String>,
        profile: Option<ProfileCredentialProvider>,
    ) -> Self {
        AccountLookup {
            found: tokio::sync::OnceCell::new(),
            iam_endpoint,
            env_iam_endpoint,
            sts_endpoint: sts_endpoint.unwrap_or_else(|| DEFAULT_STS_ENDPOINT.to_owned()),
            profile,
        }
    }

    /// The ID found, if it has been.
    pub(crate) fn found(&self) -> Option<&str> {
        self.found.get().map(String::as_str)
    }

    /// The ID: found already, or looked up now for the operation `action` with
    /// `credentials` (asked for only when a lookup is needed) through `send`. Its failure
    /// is an [`Error::Credentials`] of `action` naming the service that failed.
    pub(crate) async fn get<C, CF, S, SF>(
        &self,
        action: &'static str,
        credentials: C,
        user_agent: &str,
        send: S,
    ) -> Result<&str, Error>
    where
        C: FnOnce() -> CF,
        CF: Future<Output = Result<Credentials, CredentialsError>>,
        S: Fn(&'static str, HttpRequest) -> SF,
        SF: Future<Output = Result<HttpResponse, Error>>,
    {
        let found = self
            .found
            .get_or_try_init(|| async {
                let credentials = credentials().await?;
                self.look_up(&credentials, user_agent, send).await
            })
            .await
            .map_err(|error| Error::Credentials { action, error })?;
        Ok(found)
    }

    async fn look_up<S, SF>(
        &self,
        credentials: &Credentials,
        user_agent: &str,
        send: S,
    ) -> Result<String, CredentialsError>
    where
        S: Fn(&'static str, HttpRequest) -> SF,
        SF: Future<Output = Result<HttpResponse, Error>>,
    {
        // The profile file's ID belongs to the profile's keys only.
        let profile = self
            .profile
            .as_ref()
            .and_then(|p| p.read().ok())
            .filter(|p| p.credentials.access_key_id() == credentials.access_key_id());
        if let Some(domain_id) = profile.as_ref().and_then(|p| p.domain_id.clone()) {
            return Ok(domain_id);
        }
        let iam = self
            .iam_endpoint
            .clone()
            .or_else(|| profile.and_then(|p| p.iam_endpoint))
            .or_else(|| self.env_iam_endpoint.clone())
            .unwrap_or_else(|| DEFAULT_IAM_ENDPOINT.to_owned());
        let url = format!("{}{DOMAINS_PATH}", iam.trim_end_matches('/'));
        let source = format!("IAM at {url} (looking up the account ID)");
        let answer = ask(
            &url,
            &source,
            DOMAINS_ACTION,
            credentials,
            user_agent,
            &send,
        )
        .await?;
        let domains = answer
            .get("domains")
            .and_then(Value::as_array)
            .ok_or_else(|| bad(&source, "no `domains` list in the answer".into()))?;
        if let Some(first) = domains.first() {
            return first
                .get("id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| bad(&source, "the first domain has no `id`".into()));
        }
        tracing::info!(iam = %url, "IAM lists no domain; asking STS for the account ID");
        let url = format!("{}{CALLER_IDENTITY_PATH}", self.sts_endpoint);
        let source = format!("STS at {url} (looking up the account ID)");
        let answer = ask(
            &url,
            &source,
            CALLER_IDENTITY_ACTION,
            credentials,
            user_agent,
            &send,
        )
        .await?;
        answer
            .get("account_id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| bad(&source, "no `account_id` in the answer".into()))
    }
}

fn bad(source: &str, message: String) -> CredentialsError {
    CredentialsError::BadAnswer {
        source: source.to_owned(),
        message,
    }
}

/// A signed GET of `url`; the JSON of a 2xx answer. Another status is
/// [`CredentialsError::Unavailable`] with the status and the service's error code if it
/// gives one (never its message or body).
async fn ask<S, SF>(
    url: &str,
    source: &str,
    action: &'static str,
    credentials: &Credentials,
    user_agent: &str,
    send: &S,
) -> Result<Value, CredentialsError>
where
    S: Fn(&'static str, HttpRequest) -> SF,
    SF: Future<Output = Result<HttpResponse, Error>>,
{
    let unavailable = |message: String| CredentialsError::Unavailable {
        source: source.to_owned(),
        message,
    };
    let (_, rest) = url.split_once("://").unwrap_or(("", url));
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut given: Vec<(&'static str, &str)> = vec![("User-Agent", user_agent)];
    if let Some(token) = credentials.token() {
        given.push((super::super::SECURITY_TOKEN_HEADER, token.expose()));
    }
    let input = SigningInput {
        method: "GET",
        host,
        path,
        query: &[],
        headers: &given,
        body: &[],
        timestamp: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    };
    let headers = sign::sign(
        credentials.access_key_id(),
        credentials.secret_key().expose(),
        &input,
    )
    .into_iter()
    .filter_map(|(name, value)| {
        let name = given
            .iter()
            .map(|(n, _)| *n)
            .chain([
                sign::DATE_HEADER,
                sign::CONTENT_SHA256_HEADER,
                "Host",
                "Authorization",
            ])
            .find(|known| known.eq_ignore_ascii_case(&name))?;
        Some((name, value))
    })
    .collect();
    let request = HttpRequest {
        method: HttpMethod::Get,
        url: url.to_owned(),
        headers,
        body: Vec::new(),
    };
    let response = send(action, request)
        .await
        .map_err(|err| unavailable(err.to_string()))?;
    let json: Option<Value> = serde_json::from_slice(&response.body).ok();
    if !(200..300).contains(&response.status) {
        let code = json.as_ref().and_then(|body| {
            body.get("error_code")
                .or_else(|| body.pointer("/error/code"))
                .and_then(|code| match code {
                    Value::String(code) => Some(code.clone()),
                    Value::Number(code) => Some(code.to_string()),
                    _ => None,
                })
        });
        let code = code.map(|c| format!(" {c}")).unwrap_or_default();
        return Err(unavailable(format!("HTTP {}{code}", response.status)));
    }
    json.ok_or_else(|| bad(source, "not JSON".into()))
}
