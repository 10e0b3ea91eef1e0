//! The Tencent Cloud API 3.0 client engine. Generated clients are thin: one method per
//! action, each a single call into [`Engine::call`]. Everything with logic is here:
//! signing every attempt afresh, client-side QPS limits from the permission table,
//! retries that respect the action's CAM class, error-envelope decoding, tracing.

use std::marker::PhantomData;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::credentials::Credentials;
pub use crate::engine::{BuildError, CallOptions, RetryPolicy};
use crate::engine::{self, not_json, unix_now, with_retries, Answer, HttpSettings, Sender};
use crate::error::{ApiError, Error, ErrorKind};
use crate::tables::ActionTable;
use crate::tc3::{authorization, SigningInput};
use crate::transport::{HttpRequest, HttpResponse};

/// The Content-Type every request is sent and signed with.
const CONTENT_TYPE: &str = "application/json";

/// What a [`Builder`] builds: the engine itself, or a generated client wrapping it.
pub trait FromEngine<A: ActionTable> {
    /// Wraps a freshly built engine.
    fn from_engine(engine: Engine<A>) -> Self;
}

impl<A: ActionTable> FromEngine<A> for Engine<A> {
    fn from_engine(engine: Engine<A>) -> Self {
        engine
    }
}

/// Builds an [`Engine`], or a generated client (`C`) around one.
pub struct Builder<A: ActionTable, C = Engine<A>> {
    service: &'static str,
    version: &'static str,
    http: HttpSettings,
    credentials: Option<Credentials>,
    region: Option<String>,
    language: Option<String>,
    rate_limits: bool,
    overrides: Vec<(A, Option<u32>)>,
    output: PhantomData<fn() -> C>,
}

impl<A: ActionTable, C: FromEngine<A>> Builder<A, C> {
    /// A builder for a service (its short name and API version) at its default host.
    pub fn new(service: &'static str, version: &'static str, host: &str) -> Self {
        Builder {
            service,
            version,
            http: HttpSettings::new(format!("https://{host}")),
            credentials: None,
            region: None,
            language: None,
            rate_limits: true,
            overrides: Vec::new(),
            output: PhantomData,
        }
    }

    /// The credentials to sign with. Without this, `build` reads the environment, then
    /// the SDK's profile file.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// `X-TC-Region`, e.g. `ap-singapore` (omitted when not set).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// `X-TC-Language`: `en-US` or `zh-CN`.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Overrides one action's client-side QPS limit; `None` lifts it.
    pub fn rate_limit(mut self, action: A, qps: Option<u32>) -> Self {
        self.overrides.push((action, qps));
        self
    }

    /// No client-side QPS limits at all (the service still enforces its own).
    pub fn without_rate_limits(mut self) -> Self {
        self.rate_limits = false;
        self
    }

    crate::engine::http_settings_setters!();

    /// Builds the client. Without credentials given, it reads them from the environment,
    /// then the SDK's profile file ([`Credentials::from_default_chain`]).
    pub fn build(self) -> Result<C, BuildError> {
        self.build_with(|name| std::env::var(name).ok())
    }

    /// Builds, reading what was not given from the environment through `env`.
    fn build_with(self, env: impl Fn(&str) -> Option<String>) -> Result<C, BuildError> {
        let credentials = match self.credentials {
            Some(c) => c,
            None => Credentials::from_default_chain_with(env).map_err(BuildError::Credentials)?,
        };
        let retry = self.http.retry;
        let connection = self.http.connect()?;
        let limiters = A::ALL
            .iter()
            .map(|action| {
                let configured = self
                    .overrides
                    .iter()
                    .rev()
                    .find(|(a, _)| a == action)
                    .map(|(_, q)| *q);
                let qps = configured.unwrap_or(Some(action.info().qps.get()));
                qps.filter(|_| self.rate_limits)
                    .and_then(NonZeroU32::new)
                    .map(limiter)
            })
            .collect();
        Ok(C::from_engine(Engine {
            inner: Arc::new(Inner {
                service: self.service,
                version: self.version,
                url: format!("{}://{}/", connection.scheme, connection.host),
                host: connection.host,
                credentials,
                region: self.region,
                language: self.language,
                retry,
                limiters,
                sender: connection.sender,
            }),
            actions: PhantomData,
        }))
    }
}

/// A limiter that starts at most `qps` requests in any one-second window: one request per
/// period (no burst). The period is 1% longer than `1 s / qps`, so scheduling and network
/// jitter between the limiter's grant and the request reaching the server (up to about
/// `qps` percent of a period across a window) cannot squeeze `qps + 1` starts into one
/// second; it costs 1% of the budget.
fn limiter(qps: NonZeroU32) -> DefaultDirectRateLimiter {
    let period = (Duration::from_secs(1) / qps.get()).mul_f64(1.01);
    RateLimiter::direct(Quota::with_period(period).expect("a positive period"))
}

/// The shared core of a client: clones share credentials, HTTP connections and the rate
/// limiters.
#[derive(Clone)]
pub struct Engine<A: ActionTable> {
    inner: Arc<Inner>,
    actions: PhantomData<fn() -> A>,
}

impl<A: ActionTable> std::fmt::Debug for Engine<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("service", &self.inner.service)
            .field("url", &self.inner.url)
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

struct Inner {
    service: &'static str,
    version: &'static str,
    url: String,
    host: String,
    credentials: Credentials,
    region: Option<String>,
    language: Option<String>,
    retry: RetryPolicy,
    /// Per action, by `ActionTable::index`; `None` for no client-side limit.
    limiters: Vec<Option<DefaultDirectRateLimiter>>,
    sender: Sender,
}

impl<A: ActionTable> Engine<A> {
    /// Calls `action` with a typed request and decodes the typed response.
    pub async fn call<Req, Resp>(
        &self,
        action: A,
        request: &Req,
        options: &CallOptions,
    ) -> Result<Resp, Error>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
    {
        let name = action.info().name;
        let body = engine::encode(name, request)?;
        engine::decode(name, self.send(action, body, options).await?)
    }

    /// Calls an action by its wire name with a JSON request, returning the JSON
    /// `Response` object: for anything the models do not cover.
    pub async fn call_json(
        &self,
        action: &str,
        request: &Value,
        options: &CallOptions,
    ) -> Result<Value, Error> {
        let action = A::from_name(action).ok_or_else(|| Error::InvalidRequest {
            action: action.to_owned(),
            message: "no action of this service has that name".into(),
        })?;
        let body = serde_json::to_vec(request).expect("a JSON value serialises");
        Ok(self.send(action, body, options).await?.2)
    }

    /// Sends with rate limiting and retries; returns the status, the request id and the
    /// `Response` object of a success.
    async fn send(&self, action: A, body: Vec<u8>, options: &CallOptions) -> Result<Answer, Error> {
        let info = action.info();
        let retry = &self.inner.retry;
        let read_only = info.cam_class.is_some_and(|c| c.is_read_only());
        with_retries(
            retry,
            retry.allows(read_only, options),
            |attempt| {
                tracing::info_span!(
                    "tencentcloud.call",
                    service = self.inner.service,
                    action = info.name,
                    attempt,
                    request_id = tracing::field::Empty
                )
            },
            || self.attempt(action, &body),
        )
        .await
    }

    /// One attempt: wait for the action's budget, sign with a fresh timestamp, send,
    /// read the envelope.
    async fn attempt(&self, action: A, body: &[u8]) -> Result<Answer, Error> {
        let inner = &self.inner;
        let name = action.info().name;
        if let Some(limiter) = &inner.limiters[action.index()] {
            limiter.until_ready().await;
        }
        let request = self.signed_request(name, body.to_vec(), unix_now());
        let response = inner.sender.send(name, request).await?;
        read_envelope(name, response)
    }

    /// The signed HTTP request for one attempt.
    pub fn signed_request(&self, action: &str, body: Vec<u8>, timestamp: i64) -> HttpRequest {
        let inner = &self.inner;
        let credentials = &inner.credentials;
        let input = SigningInput {
            method: "POST",
            content_type: CONTENT_TYPE,
            host: &inner.host,
            service: inner.service,
            timestamp,
            payload: &body,
        };
        let auth = authorization(
            credentials.secret_id(),
            credentials.secret_key().expose(),
            &input,
        );
        let mut headers = vec![
            ("Authorization", auth),
            ("Content-Type", CONTENT_TYPE.to_owned()),
            ("Host", inner.host.clone()),
            ("X-TC-Action", action.to_owned()),
            ("X-TC-Timestamp", timestamp.to_string()),
            ("X-TC-Version", inner.version.to_owned()),
        ];
        if let Some(region) = &inner.region {
            headers.push(("X-TC-Region", region.clone()));
        }
        if let Some(token) = credentials.token() {
            headers.push(("X-TC-Token", token.expose().to_owned()));
        }
        if let Some(language) = &inner.language {
            headers.push(("X-TC-Language", language.clone()));
        }
        HttpRequest {
            method: crate::HttpMethod::Post,
            url: inner.url.clone(),
            headers,
            body,
        }
    }
}

/// Reads an API 3.0 response: `{"Response": {...}}` with `Error` on failure. The body
/// decides, not the Content-Type (the official SDK misses errors whose Content-Type
/// carries a charset).
pub fn read_envelope(action: &'static str, response: HttpResponse) -> Result<Answer, Error> {
    let status = response.status;
    let decode_error = |request_id: Option<String>, message: String| Error::Decode {
        action,
        status,
        request_id,
        message,
    };
    let mut document: Value = serde_json::from_slice(&response.body)
        .map_err(|err| not_json(action, &response, None, err))?;
    let Some(Value::Object(mut body)) = document.get_mut("Response").map(Value::take) else {
        return Err(decode_error(None, "no `Response` object".into()));
    };
    let request_id = body
        .get("RequestId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(error) = body.remove("Error") {
        let code = error.get("Code").and_then(Value::as_str);
        let Some(code) = code else {
            return Err(decode_error(
                request_id,
                "an `Error` without a `Code`".into(),
            ));
        };
        return Err(Error::Api {
            action,
            error: ApiError {
                kind: ErrorKind::of(code),
                code: code.to_owned(),
                message: error
                    .get("Message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                request_id,
                status,
            },
        });
    }
    if status != 200 {
        return Err(decode_error(
            request_id,
            "a non-200 status without an error envelope".into(),
        ));
    }
    Ok((status, request_id, Value::Object(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(status, body.as_bytes().to_vec())
    }

    #[test]
    fn envelopes_are_read_from_the_body() {
        let (status, id, value) = read_envelope(
            "A",
            response(200, r#"{"Response":{"Total":1,"RequestId":"r1"}}"#),
        )
        .unwrap();
        assert_eq!(
            (status, id.as_deref(), &value["Total"]),
            (200, Some("r1"), &Value::from(1))
        );
        let err = read_envelope(
            "A",
            response(200, r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},"RequestId":"r2"}}"#),
        )
        .unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(
            api.kind,
            ErrorKind::AuthFailure(crate::error::AuthFailure::SignatureFailure)
        );
        assert_eq!(
            (api.message.as_str(), api.request_id.as_deref()),
            ("bad", Some("r2"))
        );
    }

    #[test]
    fn unreadable_answers_are_decode_errors() {
        for (status, body) in [
            (200, "<html>"),
            (200, r#"{"x":1}"#),
            (502, "gateway"),
            (200, r#"{"Response":{"Error":{}}}"#),
        ] {
            let err = read_envelope("A", response(status, body)).unwrap_err();
            assert!(
                matches!(err, Error::Decode { .. }),
                "{status} {body}: {err:?}"
            );
            assert_eq!(err.is_transient(), status >= 500);
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        };
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let second = policy.backoff(2);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
            assert!(policy.backoff(10) <= Duration::from_millis(300));
        }
    }

    #[test]
    fn only_read_only_actions_retry_unless_the_caller_opts_in() {
        let policy = RetryPolicy::default();
        assert!(policy.allows(true, &CallOptions::default()));
        assert!(!policy.allows(false, &CallOptions::default()));
        assert!(policy.allows(false, &CallOptions::retry_even_if_not_idempotent()));
    }
}
