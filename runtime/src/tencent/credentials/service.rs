//! What the Tencent providers that ask a service share: where the service is (an
//! overridable endpoint), how it is reached (timeouts, extra root certificates), STS
//! requests (TC3-signed or not, as the official SDKs send them) and reading their answers.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::client::{BuildError, Endpoint};
use crate::credentials::{fetch_json, Credentials, CredentialsError, FetchSettings};
use crate::tencent::sign::{authorization, SigningInput};
use crate::transport::{parse_root_certificates, HttpRequest};

/// STS as the official SDKs call it: service, version, default host and region.
pub(super) const STS_SERVICE: &str = "sts";
pub(super) const STS_VERSION: &str = "2018-08-13";
/// The default STS endpoint of the official SDKs (`sts.tencentcloudapi.com`, https).
pub const DEFAULT_STS_ENDPOINT: &str = "https://sts.tencentcloudapi.com";
/// The region the official SDKs send `AssumeRole` to.
pub(super) const DEFAULT_STS_REGION: &str = "ap-guangzhou";
/// How long temporary keys are asked for when not said (the SDKs' 7200 s).
pub(super) const DEFAULT_DURATION: Duration = Duration::from_secs(7200);
/// The longest STS grants.
const MAX_DURATION_SECS: u64 = 43_200;
/// The Content-Type STS requests are sent and signed with.
const CONTENT_TYPE: &str = "application/json";

/// A service's root: `scheme://host[:port]` and the `Host` header.
pub(super) type ServiceUrl = Endpoint;

/// Reads an endpoint: `scheme://host[:port]`, or a bare `host[:port]` (then
/// `default_scheme`, as the SDKs take a host).
pub(super) fn parse_endpoint(
    what: &str,
    endpoint: &str,
    default_scheme: &str,
) -> Result<ServiceUrl, BuildError> {
    Endpoint::parse(endpoint, Some(default_scheme))
        .map_err(|why| BuildError::Endpoint(format!("{what} endpoint {why}")))
}

/// How a provider reaches its service, as its builder was told.
#[derive(Clone)]
pub(super) struct Reach {
    pub(super) endpoint: String,
    pub(super) timeout: Duration,
    pub(super) roots_pem: Vec<Vec<u8>>,
}

impl Reach {
    pub(super) fn new(endpoint: &str, timeout: Duration) -> Self {
        Reach {
            endpoint: endpoint.to_owned(),
            timeout,
            roots_pem: Vec::new(),
        }
    }

    /// The endpoint checked and the HTTP client set up; a bad endpoint, timeout or
    /// certificate fails here, at build, naming the setting.
    pub(super) fn connect(
        &self,
        what: &str,
        default_scheme: &str,
    ) -> Result<(ServiceUrl, FetchSettings), BuildError> {
        let url = parse_endpoint(what, &self.endpoint, default_scheme)?;
        if self.timeout.is_zero() {
            return Err(BuildError::Setting(format!(
                "{what} timeout: must be above zero"
            )));
        }
        let mut roots = Vec::new();
        for (n, pem) in self.roots_pem.iter().enumerate() {
            let parsed = parse_root_certificates(pem).map_err(|why| {
                BuildError::Setting(format!("{what} root certificate #{}: {why}", n + 1))
            })?;
            roots.extend(parsed);
        }
        let fetch = FetchSettings::with_roots(self.timeout, &roots)
            .map_err(|err| BuildError::Transport(format!("{what}: {err}")))?;
        Ok((url, fetch))
    }
}

/// A role session name as STS takes it: 2 to 128 of `[A-Za-z0-9_+=,.@-]`.
pub(super) fn check_session_name(name: &str) -> Result<(), BuildError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
    if !(2..=128).contains(&name.len()) || !name.chars().all(allowed) {
        return Err(BuildError::Setting(format!(
            "role session name {:?}: 2 to 128 of the letters, digits and `_+=,.@-` (as STS takes it)",
            name
        )));
    }
    Ok(())
}

/// A default role session name, as the SDKs make one: a prefix and the time in
/// microseconds.
pub(super) fn default_session_name() -> String {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    format!("partnergen-rust-{micros}")
}

/// `DurationSeconds`: whole seconds, 1 to 43200.
pub(super) fn check_duration(duration: Duration) -> Result<u64, BuildError> {
    let secs = duration.as_secs();
    if secs == 0 || secs > MAX_DURATION_SECS {
        return Err(BuildError::Setting(format!(
            "temporary credentials' duration {secs} s: 1 to {MAX_DURATION_SECS} s (as STS grants them)"
        )));
    }
    Ok(secs)
}

/// One STS call: its action, region and parameters; signed with `signer` (TC3, as
/// `AssumeRole`) or not (`Authorization: SKIP`, as `AssumeRoleWithWebIdentity`).
pub(super) struct StsCall<'a> {
    pub(super) url: &'a ServiceUrl,
    pub(super) action: &'static str,
    pub(super) region: &'a str,
    pub(super) params: Value,
    pub(super) signer: Option<&'a Credentials>,
}

impl StsCall<'_> {
    /// The HTTP request at `timestamp`.
    pub(super) fn request(&self, timestamp: i64) -> HttpRequest {
        let body = serde_json::to_vec(&self.params).expect("a JSON value serialises");
        let mut headers = vec![
            ("Content-Type", CONTENT_TYPE.to_owned()),
            ("Host", self.url.host.clone()),
            ("X-TC-Action", self.action.to_owned()),
            ("X-TC-Timestamp", timestamp.to_string()),
            ("X-TC-Version", STS_VERSION.to_owned()),
            ("X-TC-Region", self.region.to_owned()),
            (
                "X-TC-RequestClient",
                crate::tencent::REQUEST_CLIENT.to_owned(),
            ),
        ];
        let authorization = match self.signer {
            Some(credentials) => {
                if let Some(token) = credentials.token() {
                    headers.push(("X-TC-Token", token.expose().to_owned()));
                }
                let input = SigningInput {
                    method: "POST",
                    content_type: CONTENT_TYPE,
                    host: &self.url.host,
                    service: STS_SERVICE,
                    timestamp,
                    payload: &body,
                };
                authorization(
                    credentials.access_key_id(),
                    credentials.secret_key().expose(),
                    &input,
                )
            }
            None => "SKIP".to_owned(),
        };
        headers.insert(0, ("Authorization", authorization));
        HttpRequest {
            method: crate::HttpMethod::Post,
            url: [self.url.base_url.as_str(), "/"].concat(),
            headers,
            body,
        }
    }

    /// Sends the call; the temporary credentials STS granted. An STS error (whatever the
    /// HTTP status) is [`CredentialsError::Unavailable`] with its code and message.
    pub(super) async fn send(
        &self,
        fetch: &FetchSettings,
        source: &str,
    ) -> Result<Credentials, CredentialsError> {
        let response = fetch.exchange(self.request(unix_now()), source).await?;
        let envelope: Option<Value> = serde_json::from_slice(&response.body).ok();
        if let Some(error) = envelope
            .as_ref()
            .and_then(|v| v.get("Response"))
            .and_then(|r| r.get("Error"))
        {
            return Err(sts_error(
                envelope.as_ref().unwrap_or(&Value::Null),
                error,
                source,
            ));
        }
        if !(200..300).contains(&response.status) {
            return Err(CredentialsError::Unavailable {
                source: source.to_owned(),
                message: format!("HTTP {}", response.status),
            });
        }
        let value = match envelope {
            Some(value) => value,
            // Again, for the error's line and column.
            None => fetch_json_error(&response.body, source)?,
        };
        read_sts_answer(&value, source)
    }
}

/// Seconds since the Unix epoch: `X-TC-Timestamp`.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The JSON error of a body that is not JSON (never its text).
fn fetch_json_error(body: &[u8], source: &str) -> Result<Value, CredentialsError> {
    serde_json::from_slice(body).map_err(|err| CredentialsError::BadAnswer {
        source: source.to_owned(),
        message: format!("not JSON (line {}, column {})", err.line(), err.column()),
    })
}

/// An STS `Error`: its code, its message (bounded, one line) and the request id.
fn sts_error(envelope: &Value, error: &Value, source: &str) -> CredentialsError {
    let code = error
        .get("Code")
        .and_then(Value::as_str)
        .unwrap_or("(no code)");
    let text = error.get("Message").and_then(Value::as_str).unwrap_or("");
    let mut message = format!("{}: {}", one_line(code, 100), one_line(text, 300));
    if let Some(id) = envelope
        .get("Response")
        .and_then(|r| r.get("RequestId"))
        .and_then(Value::as_str)
    {
        message.push_str(&format!(" (request id {})", one_line(id, 64)));
    }
    CredentialsError::Unavailable {
        source: source.to_owned(),
        message,
    }
}

/// `text` with control characters as spaces, cut at `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// Reads STS's `{"Response": {"Credentials": {...}, "ExpiredTime": ...}}`.
fn read_sts_answer(value: &Value, source: &str) -> Result<Credentials, CredentialsError> {
    let bad = |message: String| CredentialsError::BadAnswer {
        source: source.to_owned(),
        message,
    };
    let response = value
        .get("Response")
        .ok_or_else(|| bad("no `Response` object".into()))?;
    let keys = response
        .get("Credentials")
        .ok_or_else(|| bad("no `Response.Credentials` object".into()))?;
    temporary_credentials(keys, response, source)
}

/// Temporary keys from `keys` (`TmpSecretId`, `TmpSecretKey`, `Token`) expiring as `times`
/// says (`ExpiredTime`, Unix seconds, else `Expiration`, RFC 3339): what the CVM metadata
/// service and STS both answer. Keys already expired are a [`CredentialsError::BadAnswer`]
/// (so a chain goes on to its next source).
pub(super) fn temporary_credentials(
    keys: &Value,
    times: &Value,
    source: &str,
) -> Result<Credentials, CredentialsError> {
    let bad = |message: String| CredentialsError::BadAnswer {
        source: source.to_owned(),
        message,
    };
    let field = |name: &str| {
        keys.get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| bad(format!("no `{name}`")))
    };
    let (id, key, token) = (
        field("TmpSecretId")?,
        field("TmpSecretKey")?,
        field("Token")?,
    );
    let expiry = match times.get("ExpiredTime") {
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|secs| UNIX_EPOCH + Duration::from_secs(secs))
            .ok_or_else(|| bad("`ExpiredTime` is not a time in Unix seconds".into()))?,
        Some(Value::String(s)) => s
            .parse::<u64>()
            .map(|secs| UNIX_EPOCH + Duration::from_secs(secs))
            .map_err(|_| bad("`ExpiredTime` is not a time in Unix seconds".into()))?,
        Some(_) => return Err(bad("`ExpiredTime` is not a time in Unix seconds".into())),
        None => match times.get("Expiration").and_then(Value::as_str) {
            Some(text) => humantime::parse_rfc3339_weak(text)
                .map_err(|_| bad("`Expiration` is not an RFC 3339 time".into()))?,
            None => return Err(bad("no `ExpiredTime` nor `Expiration`".into())),
        },
    };
    if expiry <= SystemTime::now() {
        return Err(bad(format!(
            "the keys it gave expired at {}",
            humantime::format_rfc3339_seconds(expiry)
        )));
    }
    Ok(Credentials::new(id, key)
        .with_token(token)
        .with_expiry(expiry))
}

/// [`fetch_json`] of a GET.
pub(super) async fn get_json(
    fetch: &FetchSettings,
    url: String,
    source: &str,
) -> Result<Value, CredentialsError> {
    fetch_json(fetch, get(url), source).await
}

/// A plain GET.
pub(super) fn get(url: String) -> HttpRequest {
    HttpRequest {
        method: crate::HttpMethod::Get,
        url,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_as_urls_or_hosts() {
        let url = parse_endpoint("STS", "https://127.0.0.1:8443/", "https").unwrap();
        assert_eq!(
            (url.base_url.as_str(), url.host.as_str()),
            ("https://127.0.0.1:8443", "127.0.0.1:8443")
        );
        let url = parse_endpoint("STS", "sts.tencentcloudapi.com", "https").unwrap();
        assert_eq!(url.base_url, "https://sts.tencentcloudapi.com");
        for bad in [
            "",
            "ftp://h",
            "http://",
            "http://h/path",
            "http://h?q",
            "http://user@h",
            "http://h h",
            "http://h\n",
        ] {
            let err = parse_endpoint("STS", bad, "https").unwrap_err();
            assert!(
                err.to_string().starts_with("bad endpoint: STS endpoint"),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn session_names_and_durations_as_sts_takes_them() {
        assert!(check_session_name(&default_session_name()).is_ok());
        for bad in ["", "a", "has space", "ünicode", &"x".repeat(129)] {
            assert!(check_session_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(check_duration(Duration::from_secs(43_200)).unwrap(), 43_200);
        assert!(check_duration(Duration::from_millis(999)).is_err());
        assert!(check_duration(Duration::from_secs(43_201)).is_err());
    }

    #[test]
    fn sts_errors_are_bounded_single_lines() {
        let envelope: Value = serde_json::from_str(
            r#"{"Response":{"Error":{"Code":"ResourceNotFound.RoleNotExist","Message":"role\nnot found"},"RequestId":"r-1"}}"#,
        )
        .unwrap();
        let err = sts_error(&envelope, &envelope["Response"]["Error"], "STS");
        assert_eq!(
            err.to_string(),
            "STS: unavailable: ResourceNotFound.RoleNotExist: role not found (request id r-1)"
        );
        assert_eq!(one_line(&"x".repeat(5), 3), "xxx…");
    }
}
