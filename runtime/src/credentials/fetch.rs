//! Asking a credentials service (instance metadata, STS) over HTTP: the shared part of
//! the vendors' providers. Bounded: short timeouts, a small body cap, and errors that
//! name the service and never repeat a body that could hold a secret.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::CredentialsError;
use crate::transport::{
    ConnectionSettings, HttpRequest, ReqwestTransport, Transport, TransportError,
};

/// The largest answer read from a credentials service: a role's keys are under 4 KiB.
const MAX_ANSWER: u64 = 64 * 1024;

/// How a provider reaches its service: the transport (reqwest unless a test gives
/// another), with its timeouts.
#[derive(Clone)]
pub(crate) struct FetchSettings {
    transport: Arc<dyn Transport>,
}

impl std::fmt::Debug for FetchSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FetchSettings")
    }
}

impl FetchSettings {
    /// Over reqwest: `timeout` for the whole exchange, a connect timeout of at most one
    /// second (a metadata service is one hop away; off a cloud VM nothing answers).
    pub(crate) fn new(timeout: Duration) -> Result<Self, TransportError> {
        Self::with_roots(timeout, &[])
    }

    /// Like [`FetchSettings::new`], trusting `roots` besides the built-in root
    /// certificates (a private CA in front of STS, the mock server's TLS mode).
    pub(crate) fn with_roots(
        timeout: Duration,
        roots: &[reqwest::Certificate],
    ) -> Result<Self, TransportError> {
        let mut connection = ConnectionSettings::new(timeout, timeout.min(Duration::from_secs(1)));
        connection.root_certificates = roots.to_vec();
        let transport =
            ReqwestTransport::with_settings(&connection)?.with_max_response_body(MAX_ANSWER);
        Ok(FetchSettings {
            transport: Arc::new(transport),
        })
    }

    /// Over another transport (tests, a custom HTTP stack).
    pub(crate) fn with_transport(transport: Arc<dyn Transport>) -> Self {
        FetchSettings { transport }
    }

    /// Sends `request` to the service described by `source`; the body of a 2xx answer.
    /// A transport failure, a timeout or another status is [`CredentialsError::Unavailable`]
    /// (the status, never the body: an error page might echo a token).
    pub(crate) async fn fetch(
        &self,
        request: HttpRequest,
        source: &str,
    ) -> Result<Vec<u8>, CredentialsError> {
        let response = self.exchange(request, source).await?;
        if !(200..300).contains(&response.status) {
            return Err(CredentialsError::Unavailable {
                source: source.to_owned(),
                message: format!("HTTP {}", response.status),
            });
        }
        Ok(response.body)
    }

    /// Sends `request` to the service described by `source`; the answer whatever its
    /// status (for a caller that reads a status itself: Tencent's metadata service's 404
    /// for "no role", Huawei's session-token statuses). A transport failure or a timeout
    /// is [`CredentialsError::Unavailable`]; a body over the cap
    /// [`CredentialsError::BadAnswer`].
    pub(crate) async fn exchange(
        &self,
        request: HttpRequest,
        source: &str,
    ) -> Result<crate::transport::HttpResponse, CredentialsError> {
        let unavailable = |message: String| CredentialsError::Unavailable {
            source: source.to_owned(),
            message,
        };
        let response = match self.transport.send(request).await {
            Ok(response) => response,
            Err(TransportError::Timeout) => return Err(unavailable("timed out".into())),
            // It answered, with more than credentials: not what was asked for.
            Err(TransportError::BodyTooLarge { .. }) => return Err(too_large(source)),
            Err(err) => return Err(unavailable(err.to_string())),
        };
        if response.body.len() as u64 > MAX_ANSWER {
            return Err(too_large(source));
        }
        Ok(response)
    }
}

/// An answer over [`MAX_ANSWER`].
fn too_large(source: &str) -> CredentialsError {
    CredentialsError::BadAnswer {
        source: source.to_owned(),
        message: format!("the answer is larger than {MAX_ANSWER} bytes"),
    }
}

/// [`FetchSettings::fetch`], then the body as JSON ([`CredentialsError::BadAnswer`] when
/// it is not: the line and column, never the text).
pub(crate) async fn fetch_json(
    settings: &FetchSettings,
    request: HttpRequest,
    source: &str,
) -> Result<Value, CredentialsError> {
    let body = settings.fetch(request, source).await?;
    serde_json::from_slice(&body).map_err(|err| CredentialsError::BadAnswer {
        source: source.to_owned(),
        message: format!("not JSON (line {}, column {})", err.line(), err.column()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{HttpResponse, SendFuture};
    use crate::HttpMethod;

    struct Answer(Result<HttpResponse, TransportError>);

    impl Transport for Answer {
        fn send(&self, _: HttpRequest) -> SendFuture<'_> {
            let answer = self.0.clone();
            Box::pin(async move { answer })
        }
    }

    async fn ask(answer: Result<HttpResponse, TransportError>) -> Result<Value, CredentialsError> {
        let settings = FetchSettings::with_transport(Arc::new(Answer(answer)));
        let request = HttpRequest {
            method: HttpMethod::Get,
            url: "http://169.254.0.23/creds".into(),
            headers: Vec::new(),
            body: Vec::new(),
        };
        fetch_json(&settings, request, "metadata at http://169.254.0.23/creds").await
    }

    #[tokio::test]
    async fn failures_name_the_service_and_never_echo_the_body() {
        let err = ask(Ok(HttpResponse::new(500, b"token=never-shown".to_vec())))
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "metadata at http://169.254.0.23/creds: unavailable: HTTP 500"
        );
        let err = ask(Ok(HttpResponse::new(
            200,
            b"{\"Token\": \"never-shown".to_vec(),
        )))
        .await
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "metadata at http://169.254.0.23/creds: unusable answer: not JSON (line 1, \
             column 22)"
        );
        let err = ask(Err(TransportError::Timeout)).await.unwrap_err();
        assert!(err.to_string().ends_with("unavailable: timed out"), "{err}");
        let value = ask(Ok(HttpResponse::new(200, b"{\"a\": 1}".to_vec())))
            .await
            .unwrap();
        assert_eq!(value["a"], 1);
    }
}
