//! What both client engines share (the Tencent one in [`crate::client`], the Huawei one in
//! [`crate::rest_client`]): their builders' HTTP settings (endpoint, timeouts, retry policy,
//! a custom transport) and how they become a connection, the retry loop with its
//! per-attempt tracing span, and the errors of transport failures.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tracing::Instrument;

use crate::client::{BuildError, RetryPolicy};
use crate::error::Error;
use crate::transport::{ReqwestTransport, Transport, TransportError};

/// The HTTP side of a builder.
pub(crate) struct HttpSettings {
    /// `scheme://host[:port]`.
    pub endpoint: String,
    /// The timeout of each attempt, connecting included.
    pub timeout: Duration,
    /// The timeout for establishing a connection.
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
    /// Sends instead of HTTP when set (tests and mocks).
    pub transport: Option<Arc<dyn Transport>>,
}

/// Where and how a built engine sends.
pub(crate) struct Connection {
    /// `http` or `https`.
    pub scheme: String,
    /// `host[:port]`, as the `Host` header carries it.
    pub host: String,
    pub transport: Arc<dyn Transport>,
}

/// The builder setters of the [`HttpSettings`] a builder keeps in its `http` field:
/// `endpoint`, `timeout`, `connect_timeout`, `retry_policy`, `transport`. Both client
/// builders expand it, so the two have the same words for the same settings.
macro_rules! http_settings_setters {
    () => {
        /// Another endpoint: `scheme://host[:port]`, e.g. `http://127.0.0.1:8080`.
        pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
            self.http.endpoint = endpoint.into();
            self
        }

        /// The timeout of each attempt, connecting included.
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.http.timeout = timeout;
            self
        }

        /// The timeout for establishing a connection.
        pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.http.connect_timeout = timeout;
            self
        }

        /// How transient failures are retried.
        pub fn retry_policy(mut self, policy: crate::client::RetryPolicy) -> Self {
            self.http.retry = policy;
            self
        }

        /// Sends through `transport` instead of HTTP (for tests and mocks).
        pub fn transport(
            mut self,
            transport: std::sync::Arc<dyn crate::transport::Transport>,
        ) -> Self {
            self.http.transport = Some(transport);
            self
        }
    };
}
pub(crate) use http_settings_setters;

impl HttpSettings {
    /// The defaults: 30 s per attempt, 10 s to connect, the default retry policy.
    pub fn new(endpoint: String) -> Self {
        HttpSettings {
            endpoint,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            transport: None,
        }
    }

    /// Checks the endpoint (`scheme://host[:port]`, a trailing `/` allowed) and sets up
    /// the transport.
    pub fn connect(self) -> Result<Connection, BuildError> {
        let (scheme, rest) = self
            .endpoint
            .split_once("://")
            .ok_or_else(|| BuildError::Endpoint(format!("`{}` has no scheme", self.endpoint)))?;
        let host = rest.trim_end_matches('/');
        if !matches!(scheme, "http" | "https") || host.is_empty() || host.contains('/') {
            return Err(BuildError::Endpoint(format!(
                "`{}` is not scheme://host[:port]",
                self.endpoint
            )));
        }
        let transport = match self.transport {
            Some(t) => t,
            None => Arc::new(
                ReqwestTransport::new(self.timeout, self.connect_timeout)
                    .map_err(|e| BuildError::Transport(format!("{e:?}")))?,
            ),
        };
        Ok(Connection {
            scheme: scheme.to_owned(),
            host: host.to_owned(),
            transport,
        })
    }
}

/// The error of a request that got no response.
pub(crate) fn transport_error(name: &'static str, err: TransportError) -> Error {
    match err {
        TransportError::Timeout => Error::Timeout { action: name },
        TransportError::Failed(message) => Error::Transport {
            action: name,
            message,
        },
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Runs `attempt` up to `attempts` times: again after a transient error
/// ([`Error::is_transient`]), with `policy`'s backoff. Each attempt runs in the span
/// `span(attempt)` makes (1-based), which must have an empty `request_id` field: it is
/// filled from the answer (`request_id_of` for a success). The last error is returned as
/// it is, code and request id included.
pub(crate) async fn with_retries<T, Fut>(
    policy: &RetryPolicy,
    attempts: u32,
    span: impl Fn(u32) -> tracing::Span,
    request_id_of: impl Fn(&T) -> Option<&str>,
    mut attempt: impl FnMut() -> Fut,
) -> Result<T, Error>
where
    Fut: Future<Output = Result<T, Error>>,
{
    let mut number = 1;
    loop {
        let span = span(number);
        let result = attempt().instrument(span.clone()).await;
        if let Some(id) = result
            .as_ref()
            .map_or_else(|e| e.request_id(), &request_id_of)
        {
            span.record("request_id", id);
        }
        match result {
            Err(err) if err.is_transient() && number < attempts => {
                let delay = policy.backoff(number);
                tracing::debug!(parent: &span, error = %err, ?delay, "retrying");
                tokio::time::sleep(delay).await;
                number += 1;
            }
            other => return other,
        }
    }
}
