//! Temporary keys of an ECS instance's agency, from the metadata service, as the SDK's
//! `MetadataAccessor` asks for them.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::credentials::{
    CredentialSource, Credentials, CredentialsError, FetchSettings, ProvideCredentials,
    ProvideFuture,
};
use crate::transport::{HttpRequest, HttpResponse};
use crate::HttpMethod;

/// Where an ECS instance's metadata service answers.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://169.254.169.254";

/// The session token of the metadata service (its protection against request forgery):
/// asked for with a PUT, sent with each request.
const TOKEN_PATH: &str = "/meta-data/latest/api/token";
/// The agency's temporary keys.
const SECURITY_KEY_PATH: &str = "/openstack/latest/securitykey";
const TOKEN_HEADER: &str = "X-Metadata-Token";
const TOKEN_TTL_HEADER: &str = "X-Metadata-Token-Ttl-Seconds";
/// What the SDK asks for: a session token of 6 hours.
const TOKEN_TTL: Duration = Duration::from_secs(6 * 60 * 60);
/// A session token is asked for again this long before its TTL runs out.
const TOKEN_MARGIN: Duration = Duration::from_secs(10 * 60);
/// When the service gave no session token (an older service), the SDK asks again after a
/// day.
const TOKEN_RECHECK: Duration = Duration::from_secs(24 * 60 * 60);
/// The text of a 401 that means "no agency": asking for a new session token would not help.
const NO_AGENCY: &str = "Please configure Cloud Service Agency first";
/// The SDK's timeouts are 3 s to connect and 3 s to read.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// The temporary keys (AK, SK, security token, expiry) of the agency bound to the ECS
/// instance this runs on, from the metadata service, as the official SDK asks for them:
/// a session token from `PUT /meta-data/latest/api/token` (kept 6 hours, asked for again
/// after a `401`; an older service without sessions is asked without one), then
/// `GET /openstack/latest/securitykey`, whose answer is
/// `{"credential": {"access", "secret", "securitytoken", "expires_at"}}`.
///
/// The client caches the keys and asks again ahead of `expires_at`
/// ([`crate::credentials::SharedCredentials`]). A service that cannot be reached, times out
/// ([`timeout`](Self::timeout), 3 s by default) or answers an error status is
/// [`CredentialsError::Unavailable`]; an answer without usable keys (not JSON, a field
/// missing, keys already expired) is [`CredentialsError::BadAnswer`]; both name the
/// service, never a secret. The endpoint is overridable ([`endpoint`](Self::endpoint)) for
/// tests and private deployments. Clones share the session token.
#[derive(Clone)]
pub struct MetadataCredentialProvider {
    endpoint: String,
    timeout: Duration,
    state: Arc<State>,
}

#[derive(Default)]
struct State {
    fetch: OnceLock<FetchSettings>,
    session: Mutex<Session>,
}

#[derive(Default, Clone)]
struct Session {
    /// The session token and when it was given.
    token: Option<(String, Instant)>,
    /// When a session token was last asked for.
    last_try: Option<Instant>,
}

impl fmt::Debug for MetadataCredentialProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The session token is a secret.
        f.debug_struct("MetadataCredentialProvider")
            .field("endpoint", &self.endpoint)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Default for MetadataCredentialProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl MetadataCredentialProvider {
    /// At [`DEFAULT_METADATA_ENDPOINT`].
    pub fn new() -> Self {
        MetadataCredentialProvider {
            endpoint: DEFAULT_METADATA_ENDPOINT.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            state: Arc::default(),
        }
    }

    /// Another metadata service: `scheme://host[:port]` (a mock, a private deployment).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into().trim_end_matches('/').to_owned();
        self.state = Arc::default();
        self
    }

    /// The time one request may take, connecting included (at most 1 s of it to connect:
    /// off an ECS instance nothing answers).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.state = Arc::default();
        self
    }

    fn describe(&self) -> String {
        format!(
            "ECS instance metadata at {}{SECURITY_KEY_PATH}",
            self.endpoint
        )
    }

    fn settings(&self, source: &str) -> Result<&FetchSettings, CredentialsError> {
        if let Some(settings) = self.state.fetch.get() {
            return Ok(settings);
        }
        let settings =
            FetchSettings::new(self.timeout).map_err(|err| CredentialsError::Unavailable {
                source: source.to_owned(),
                message: err.to_string(),
            })?;
        Ok(self.state.fetch.get_or_init(|| settings))
    }

    fn session(&self) -> Session {
        self.state
            .session
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set_session(&self, session: Session) {
        *self
            .state
            .session
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = session;
    }

    /// Asks for a session token. A service without sessions (404, 405, 503) gives none:
    /// `None`, unless `required` (after a 401 that asked for one).
    async fn renew_token(
        &self,
        settings: &FetchSettings,
        source: &str,
        required: bool,
    ) -> Result<Option<String>, CredentialsError> {
        let now = Instant::now();
        let request = HttpRequest {
            method: HttpMethod::Put,
            url: format!("{}{TOKEN_PATH}", self.endpoint),
            headers: vec![(TOKEN_TTL_HEADER, TOKEN_TTL.as_secs().to_string())],
            body: Vec::new(),
        };
        let response = settings.exchange(request, source).await?;
        let token = match response.status {
            200 => {
                let token = String::from_utf8(response.body)
                    .ok()
                    .filter(|t| !t.trim().is_empty() && !t.contains(['\r', '\n']))
                    .ok_or_else(|| CredentialsError::BadAnswer {
                        source: source.to_owned(),
                        message: "the session token it gave is empty or not one line of text"
                            .into(),
                    })?;
                Some(token.trim().to_owned())
            }
            404 | 405 | 503 if !required => None,
            status => {
                return Err(CredentialsError::Unavailable {
                    source: source.to_owned(),
                    message: format!("HTTP {status} to the session token request"),
                })
            }
        };
        self.set_session(Session {
            token: token.clone().map(|t| (t, now)),
            last_try: Some(now),
        });
        Ok(token)
    }

    async fn security_key(
        &self,
        settings: &FetchSettings,
        source: &str,
        token: Option<&str>,
    ) -> Result<HttpResponse, CredentialsError> {
        let request = HttpRequest {
            method: HttpMethod::Get,
            url: format!("{}{SECURITY_KEY_PATH}", self.endpoint),
            headers: token
                .map(|t| (TOKEN_HEADER, t.to_owned()))
                .into_iter()
                .collect(),
            body: Vec::new(),
        };
        settings.exchange(request, source).await
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let source = self.describe();
        let settings = self.settings(&source)?;
        let session = self.session();
        let token = match session.token {
            Some((token, at)) if at.elapsed() < TOKEN_TTL - TOKEN_MARGIN => Some(token),
            Some(_) => self.renew_token(settings, &source, false).await?,
            None if session.last_try.is_none_or(|t| t.elapsed() > TOKEN_RECHECK) => {
                self.renew_token(settings, &source, false).await?
            }
            None => None,
        };
        let mut response = self
            .security_key(settings, &source, token.as_deref())
            .await?;
        if response.status == 401 && !contains(&response.body, NO_AGENCY) {
            // The session token expired or was revoked: a new one, and once more.
            let token = self.renew_token(settings, &source, true).await?;
            response = self
                .security_key(settings, &source, token.as_deref())
                .await?;
        }
        if !(200..300).contains(&response.status) {
            let why = if contains(&response.body, NO_AGENCY) {
                " (no agency is bound to this ECS instance)"
            } else {
                ""
            };
            return Err(CredentialsError::Unavailable {
                source,
                message: format!("HTTP {}{why}", response.status),
            });
        }
        let value: Value =
            serde_json::from_slice(&response.body).map_err(|err| CredentialsError::BadAnswer {
                source: source.clone(),
                message: format!("not JSON (line {}, column {})", err.line(), err.column()),
            })?;
        temporary_credentials(&value, &source, SystemTime::now())
    }
}

impl ProvideCredentials for MetadataCredentialProvider {
    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(self.fetch())
    }

    fn source(&self) -> CredentialSource {
        CredentialSource::Service(self.describe())
    }
}

fn contains(body: &[u8], text: &str) -> bool {
    body.windows(text.len()).any(|w| w == text.as_bytes())
}

/// The temporary keys of an answer, as the SDK's `StsAccessor` reads them: under
/// `credential` (or `credentials`, or at the top), `access` / `accessKeyId` /
/// `access_key_id`, `secret` / `secretAccessKey` / `secret_access_key`, `securitytoken` /
/// `securityToken` / `security_token`, `expires_at` / `expiration` (UTC, e.g.
/// `2024-05-01T08:00:00.000000Z`). Keys already expired at `now` are a bad answer.
pub(crate) fn temporary_credentials(
    answer: &Value,
    source: &str,
    now: SystemTime,
) -> Result<Credentials, CredentialsError> {
    let bad = |message: String| CredentialsError::BadAnswer {
        source: source.to_owned(),
        message,
    };
    let map = answer
        .get("credential")
        .or_else(|| answer.get("credentials"))
        .unwrap_or(answer);
    if !map.is_object() {
        return Err(bad("no credential object in the answer".into()));
    }
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| map.get(name).and_then(Value::as_str))
            .filter(|v| !v.is_empty())
            .ok_or_else(|| bad(format!("`{}` is missing or not a string", names[0])))
    };
    let access = field(&["access", "accessKeyId", "access_key_id"])?;
    let secret = field(&["secret", "secretAccessKey", "secret_access_key"])?;
    let token = field(&["securitytoken", "securityToken", "security_token"])?;
    let expires_at = field(&["expires_at", "expiration"])?;
    let expiry = humantime::parse_rfc3339_weak(expires_at.trim_end_matches('Z'))
        .ok()
        .filter(|_| expires_at.ends_with('Z'))
        .ok_or_else(|| {
            bad(format!(
                "`expires_at` is not a UTC time like 2024-05-01T08:00:00.000000Z: `{expires_at}`"
            ))
        })?;
    if expiry <= now {
        return Err(bad(format!(
            "the keys it gave expired at {expires_at}, before they could be used"
        )));
    }
    Ok(Credentials::new(access, secret)
        .with_token(token)
        .with_expiry(expiry))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::SharedCredentials;
    use std::sync::atomic::{AtomicU32, Ordering};
    use wiremock::matchers::{header, header_exists, method, path};
    use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

    fn rfc3339(at: SystemTime) -> String {
        // The SDK's format: microseconds and a Z.
        let seconds = humantime::format_rfc3339_seconds(at).to_string();
        format!("{}.000000Z", seconds.trim_end_matches('Z'))
    }

    fn answer(n: u32, life: Duration) -> Value {
        serde_json::json!({"credential": {
            "access": format!("temp-ak-{n}"),
            "secret": format!("temp-sk-{n}-never-shown"),
            "securitytoken": format!("temp-st-{n}-never-shown"),
            "expires_at": rfc3339(SystemTime::now() + life),
        }})
    }

    /// Hands out keys temp-ak-1, temp-ak-2, … living `life` each.
    struct Issuing {
        issued: Arc<AtomicU32>,
        life: Duration,
    }

    impl Respond for Issuing {
        fn respond(&self, _: &Request) -> ResponseTemplate {
            let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(answer(n, self.life))
        }
    }

    async fn metadata_server(life: Duration) -> (MockServer, Arc<AtomicU32>) {
        let server = MockServer::start().await;
        Mock::given(method("PUT"))
            .and(path(TOKEN_PATH))
            .and(header(TOKEN_TTL_HEADER, "21600"))
            .respond_with(ResponseTemplate::new(200).set_body_string("session-1"))
            .mount(&server)
            .await;
        let issued = Arc::new(AtomicU32::new(0));
        Mock::given(method("GET"))
            .and(path(SECURITY_KEY_PATH))
            .and(header(TOKEN_HEADER, "session-1"))
            .respond_with(Issuing {
                issued: issued.clone(),
                life,
            })
            .mount(&server)
            .await;
        (server, issued)
    }

    #[tokio::test]
    async fn temporary_keys_with_a_session_token_as_the_sdk_asks() {
        let (server, issued) = metadata_server(Duration::from_secs(3600)).await;
        let provider = MetadataCredentialProvider::new().endpoint(server.uri());
        let c = provider.provide().await.unwrap();
        assert_eq!(c.access_key_id(), "temp-ak-1");
        assert_eq!(c.secret_key().expose(), "temp-sk-1-never-shown");
        assert_eq!(
            c.token().map(|t| t.expose().to_owned()).as_deref(),
            Some("temp-st-1-never-shown")
        );
        let left = c
            .expiry()
            .unwrap()
            .duration_since(SystemTime::now())
            .unwrap();
        assert!(left > Duration::from_secs(3500), "{left:?}");
        // The session token is kept: one PUT for two GETs.
        provider.provide().await.unwrap();
        let requests = server.received_requests().await.unwrap();
        let puts = requests
            .iter()
            .filter(|r| r.method.as_str() == "PUT")
            .count();
        assert_eq!((puts, issued.load(Ordering::SeqCst)), (1, 2));
        let shown = format!("{provider:?} {c:?}");
        assert!(
            !shown.contains("never-shown") && !shown.contains("session-1"),
            "{shown}"
        );
    }

    #[tokio::test]
    async fn a_service_without_sessions_is_asked_without_a_token_and_a_401_renews_it() {
        // No session tokens (404 to the PUT): the keys without one.
        let server = MockServer::start().await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(answer(1, Duration::from_secs(600))),
            )
            .mount(&server)
            .await;
        let provider = MetadataCredentialProvider::new().endpoint(server.uri());
        assert_eq!(
            provider.provide().await.unwrap().access_key_id(),
            "temp-ak-1"
        );
        let get = &server.received_requests().await.unwrap()[1];
        assert!(get.headers.get(TOKEN_HEADER).is_none());

        // A 401 (the session token expired): a new token, and the keys.
        let server = MockServer::start().await;
        let tokens = Arc::new(AtomicU32::new(0));
        let counter = tokens.clone();
        Mock::given(method("PUT"))
            .respond_with(move |_: &Request| {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                ResponseTemplate::new(200).set_body_string(format!("session-{n}"))
            })
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(header(TOKEN_HEADER, "session-2"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(answer(2, Duration::from_secs(600))),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(header_exists(TOKEN_HEADER))
            .respond_with(ResponseTemplate::new(401).set_body_string("token expired"))
            .mount(&server)
            .await;
        let provider = MetadataCredentialProvider::new().endpoint(server.uri());
        assert_eq!(
            provider.provide().await.unwrap().access_key_id(),
            "temp-ak-2"
        );
        assert_eq!(tokens.load(Ordering::SeqCst), 2);
    }

    async fn failure(respond: ResponseTemplate) -> (String, CredentialsError) {
        let server = MockServer::start().await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(200).set_body_string("s"))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(respond)
            .mount(&server)
            .await;
        let provider = MetadataCredentialProvider::new()
            .endpoint(server.uri())
            .timeout(Duration::from_millis(300));
        let err = provider.provide().await.unwrap_err();
        (provider.describe(), err)
    }

    #[tokio::test]
    async fn bad_answers_are_typed_errors_naming_the_service_and_no_secret() {
        let expired = serde_json::json!({"credential": {
            "access": "a", "secret": "sk-never-shown", "securitytoken": "st-never-shown",
            "expires_at": "2020-01-01T00:00:00.000000Z"}});
        let mut missing = answer(1, Duration::from_secs(600));
        missing["credential"]
            .as_object_mut()
            .unwrap()
            .remove("securitytoken");
        let mut local_time = answer(1, Duration::from_secs(600));
        local_time["credential"]["expires_at"] = "2999-01-01T08:00:00+08:00".into();
        for (respond, unavailable, why) in [
            (
                ResponseTemplate::new(500).set_body_string("sk-never-shown"),
                true,
                "HTTP 500",
            ),
            (
                ResponseTemplate::new(401).set_body_string(NO_AGENCY),
                true,
                "HTTP 401 (no agency is bound to this ECS instance)",
            ),
            (
                ResponseTemplate::new(200).set_body_string("{\"credential\": sk-never-shown"),
                false,
                "not JSON (line 1, column 16)",
            ),
            (
                ResponseTemplate::new(200).set_body_json(missing),
                false,
                "`securitytoken` is missing or not a string",
            ),
            (
                ResponseTemplate::new(200).set_body_json(serde_json::json!([1])),
                false,
                "no credential object in the answer",
            ),
            (
                ResponseTemplate::new(200).set_body_json(local_time),
                false,
                "`expires_at` is not a UTC time",
            ),
            (
                ResponseTemplate::new(200).set_body_json(expired),
                false,
                "the keys it gave expired at 2020-01-01T00:00:00.000000Z",
            ),
            (
                ResponseTemplate::new(200)
                    .set_body_json(answer(1, Duration::from_secs(600)))
                    .set_delay(Duration::from_secs(3)),
                true,
                "timed out",
            ),
        ] {
            let (source, err) = failure(respond).await;
            let message = match &err {
                CredentialsError::Unavailable { source: s, message } if unavailable => {
                    assert_eq!(s, &source);
                    message
                }
                CredentialsError::BadAnswer { source: s, message } if !unavailable => {
                    assert_eq!(s, &source);
                    message
                }
                other => panic!("{why}: {other:?}"),
            };
            assert!(message.contains(why), "{why}: {message}");
            let shown = err.to_string();
            assert!(
                shown.starts_with("ECS instance metadata at http://127.0.0.1:")
                    && !shown.contains("never-shown"),
                "{shown}"
            );
        }
        // Nothing listening.
        let err = MetadataCredentialProvider::new()
            .endpoint("http://127.0.0.1:9")
            .provide()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, CredentialsError::Unavailable { source, .. } if source.contains("127.0.0.1:9")),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn the_cache_refreshes_across_expiries_and_recovers_after_an_outage() {
        // Keys living 2 s: refreshed at half their life.
        let (server, issued) = metadata_server(Duration::from_secs(2)).await;
        let shared =
            SharedCredentials::new(MetadataCredentialProvider::new().endpoint(server.uri()));
        let mut seen = Vec::new();
        let deadline = Instant::now() + Duration::from_millis(3500);
        while Instant::now() < deadline {
            let c = shared.get().await.unwrap();
            assert!(c.expiry().unwrap() > SystemTime::now(), "an expired key");
            if seen.last() != Some(&c.access_key_id().to_owned()) {
                seen.push(c.access_key_id().to_owned());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(seen.len() >= 3, "{seen:?}");
        assert_eq!(issued.load(Ordering::SeqCst) as usize, seen.len());

        // The service goes down: once the keys have expired, a typed error; back up, keys.
        server.reset().await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let err = shared.get().await.unwrap_err();
        assert!(
            matches!(&err, CredentialsError::Unavailable { message, .. } if message == "HTTP 503"),
            "{err:?}"
        );
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(answer(99, Duration::from_secs(600))),
            )
            .mount(&server)
            .await;
        assert_eq!(shared.get().await.unwrap().access_key_id(), "temp-ak-99");
    }
}
