//! Errors of an API call, one type for every vendor. Each vendor's protocol reads its own
//! error bodies (Tencent's API 3.0 envelope, Huawei's `error_code` body) and maps its codes
//! to an [`ErrorKind`] (`ErrorKind::of` in `crate::tencent::codes`, `ErrorKind::of_huawei`
//! in `crate::huawei::codes`), so the code is matchable without string compares, and
//! the HTTP status and the request id are kept; transport failures, timeouts and
//! undecodable responses stay distinct, and so do the answers a client refuses to read:
//! redirects and bodies over the cap.

use std::fmt;
use std::sync::Arc;

/// The family of an API error code, for `match`: for Tencent the part before the first
/// `.` (`ErrorKind::of`); Huawei's codes map by a table (`ErrorKind::of_huawei`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `AuthFailure`, `AuthFailure.*`: the request's credentials or signature.
    AuthFailure(AuthFailure),
    /// `RequestLimitExceeded`, `RequestLimitExceeded.*`: rate limited (retryable).
    RequestLimitExceeded,
    /// `UnauthorizedOperation`, `UnauthorizedOperation.*`: CAM denied the action.
    UnauthorizedOperation,
    /// `InvalidParameter`, `InvalidParameter.*`.
    InvalidParameter,
    /// `InvalidParameterValue`, `InvalidParameterValue.*`.
    InvalidParameterValue,
    /// `MissingParameter`, `MissingParameter.*`.
    MissingParameter,
    /// `InvalidAction`: no such action (or version).
    InvalidAction,
    /// `InternalError`, `InternalError.*`.
    InternalError,
    /// `ResourceNotFound`, `ResourceNotFound.*`.
    ResourceNotFound,
    /// `LimitExceeded`, `LimitExceeded.*` (a quota, not the request rate).
    LimitExceeded,
    /// `FailedOperation`, `FailedOperation.*`.
    FailedOperation,
    /// `UnsupportedOperation`, `UnsupportedOperation.*`.
    UnsupportedOperation,
    /// Any other code; the full code is in [`ApiError::code`].
    Other,
}

/// The sub-codes of `AuthFailure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthFailure {
    /// `AuthFailure.SignatureFailure`: the signature does not match.
    SignatureFailure,
    /// `AuthFailure.SignatureExpire`: the timestamp is too far from the server's clock.
    SignatureExpire,
    /// `AuthFailure.SecretIdNotFound`: no such SecretId.
    SecretIdNotFound,
    /// `AuthFailure.TokenFailure`: the session token is invalid.
    TokenFailure,
    /// `AuthFailure.UnauthorizedOperation`: CAM denied the action.
    UnauthorizedOperation,
    /// `AuthFailure.InvalidSecretId`.
    InvalidSecretId,
    /// `AuthFailure` itself or another sub-code.
    Other,
}

/// An error the service answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The code, matchable.
    pub kind: ErrorKind,
    /// The full code as sent, e.g. `AuthFailure.SignatureFailure` or `APIGW.0308`; empty
    /// for a Huawei 5xx answer whose body carried no code.
    pub code: String,
    /// The service's message.
    pub message: String,
    /// The request's id, for the vendor's support (Huawei: the `X-Request-Id` header, else
    /// the body's `request_id`).
    pub request_id: Option<String>,
    /// The HTTP status of the answer (Tencent sends its envelopes with 200; some Huawei
    /// operations answer errors with 200 too).
    pub status: u16,
}

/// Why a call failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error (an API 3.0 envelope, a Huawei error body).
    Api {
        /// The action or operation called.
        action: &'static str,
        /// The error.
        error: ApiError,
        /// The call's `X-TC-TraceId` (Tencent; `None` for Huawei, whose SDK sends no ID
        /// of its own): see [`Error::trace_id`].
        trace_id: Option<String>,
    },
    /// The request did not complete within the configured timeout.
    Timeout {
        /// The action or operation called.
        action: &'static str,
        /// The call's `X-TC-TraceId` (Tencent; `None` for Huawei, whose SDK sends no ID
        /// of its own): see [`Error::trace_id`].
        trace_id: Option<String>,
    },
    /// The request could not be sent or its response not received.
    Transport {
        /// The action or operation called.
        action: &'static str,
        /// What went wrong, with its causes (connection refused, reset, DNS); never
        /// includes credentials.
        message: String,
        /// The underlying error, when there is one: [`std::error::Error::source`] returns
        /// it, and its own `source()` chain leads to the I/O error.
        source: Option<Arc<dyn std::error::Error + Send + Sync>>,
        /// The call's `X-TC-TraceId` (Tencent; `None` for Huawei, whose SDK sends no ID
        /// of its own): see [`Error::trace_id`].
        trace_id: Option<String>,
    },
    /// The endpoint answered with a redirect (any 3xx), which is not followed: following
    /// it would send the signed request, its session token and its body wherever the
    /// `Location` points, and would repeat a write.
    Redirect {
        /// The action or operation called.
        action: &'static str,
        /// The HTTP status.
        status: u16,
        /// The `Location` header, when there was one.
        location: Option<String>,
        /// The call's `X-TC-TraceId` (Tencent; `None` for Huawei, whose SDK sends no ID
        /// of its own): see [`Error::trace_id`].
        trace_id: Option<String>,
    },
    /// The response body is larger than the cap (the builder's `max_response_body`);
    /// reading stopped at the cap, or before reading when the Content-Length exceeded it.
    ResponseTooLarge {
        /// The action or operation called.
        action: &'static str,
        /// The HTTP status.
        status: u16,
        /// The cap, in bytes.
        limit: u64,
        /// The call's `X-TC-TraceId` (Tencent; `None` for Huawei, whose SDK sends no ID
        /// of its own): see [`Error::trace_id`].
        trace_id: Option<String>,
    },
    /// The service answered, but not with a response this client can read.
    Decode {
        /// The action or operation called.
        action: &'static str,
        /// The HTTP status.
        status: u16,
        /// The request id, when the body carried one.
        request_id: Option<String>,
        /// What could not be read.
        message: String,
        /// The call's `X-TC-TraceId` (Tencent; `None` for Huawei, whose SDK sends no ID
        /// of its own): see [`Error::trace_id`].
        trace_id: Option<String>,
    },
    /// The operation needs a setting the client was built without (Huawei: the account
    /// ID that fills a `{domain_id}` path).
    MissingSetting {
        /// The action or operation called.
        action: &'static str,
        /// The setting, e.g. `the account (domain) ID`.
        setting: &'static str,
        /// How to give it, e.g. the builder method and the environment variable.
        how: &'static str,
    },
    /// No credentials to sign with: the provider (or every source of the default chain)
    /// failed; nothing was sent. The error names each source and why.
    Credentials {
        /// The action or operation called.
        action: &'static str,
        /// Why.
        error: crate::credentials::CredentialsError,
    },
    /// The shared QPS budget (the builder's `shared_rate_limits`) gave no start: its
    /// store stayed unreachable past the failure policy's bound, refused the request, or
    /// is booked beyond its cap on waiting. Nothing was sent. Not retried by the client:
    /// the budget's own policy already waited as long as it was told to.
    RateBudget {
        /// The action or operation called.
        action: &'static str,
        /// Why.
        error: crate::client::BudgetError,
    },
    /// The request could not be serialized, or a name passed to a by-name call is unknown
    /// (or its path parameters are missing).
    InvalidRequest {
        /// The action or operation (or the name given).
        action: String,
        /// What is wrong.
        message: String,
    },
    /// A paginator ([`crate::client::Pages`]) stopped a scan because the server's pages
    /// cannot be followed: a page repeating the previous one (the server ignores the
    /// position), a total that is not a count, a position past the largest number. The
    /// page at `position` was not yielded; earlier ones were.
    Paging {
        /// The list action.
        action: &'static str,
        /// The page the problem was found at (resuming from it fetches it again).
        position: crate::paging::Position,
        /// What is wrong, quoting (shortened) what the server sent.
        problem: String,
    },
}

impl Error {
    /// The API error, if the service answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The API error's kind, if the service answered with one.
    pub fn kind(&self) -> Option<ErrorKind> {
        self.api().map(|e| e.kind)
    }

    /// The API error's code as one of the service's own codes (the generated crate's
    /// `ServiceError`): `err.service_code() == Some(ServiceError::FailedOperationBalanceInsufficient)`.
    /// `None` when the call did not fail with an API error, or with a code the service's
    /// list lacks (`err.api()` still has its text).
    pub fn service_code<C: crate::tables::ServiceCode>(&self) -> Option<C> {
        self.api().and_then(|e| C::from_code(&e.code))
    }

    /// The request id, when the service's answer carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { error, .. } => error.request_id.as_deref(),
            Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The call's trace ID: the `X-TC-TraceId` a Tencent call sent (one per call, the
    /// same in each of its attempts and in its tracing spans), to find the call in the
    /// vendor's logs with [`Error::request_id`]; on every error after the call started
    /// (answers, timeouts, transport failures, redirects, bodies over the cap, unreadable
    /// answers). `None` before anything was sent (an invalid request, a missing setting,
    /// no credentials) and for
    /// Huawei, whose SDK sends no ID of its own (its `X-Request-Id` is the server's, in
    /// `request_id`).
    pub fn trace_id(&self) -> Option<&str> {
        match self {
            Error::Api { trace_id, .. }
            | Error::Timeout { trace_id, .. }
            | Error::Transport { trace_id, .. }
            | Error::Redirect { trace_id, .. }
            | Error::ResponseTooLarge { trace_id, .. }
            | Error::Decode { trace_id, .. } => trace_id.as_deref(),
            Error::MissingSetting { .. }
            | Error::InvalidRequest { .. }
            | Error::Credentials { .. }
            | Error::RateBudget { .. }
            | Error::Paging { .. } => None,
        }
    }

    /// The error with the call's trace ID, when it has none yet and is of a kind that
    /// happens after the call started (the engine attaches it once, as a call ends).
    pub(crate) fn with_trace_id(mut self, id: Option<&str>) -> Self {
        if let (
            Some(id),
            Error::Api { trace_id, .. }
            | Error::Timeout { trace_id, .. }
            | Error::Transport { trace_id, .. }
            | Error::Redirect { trace_id, .. }
            | Error::ResponseTooLarge { trace_id, .. }
            | Error::Decode { trace_id, .. },
        ) = (id, &mut self)
        {
            trace_id.get_or_insert_with(|| id.to_owned());
        }
        self
    }

    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { error, .. } => Some(error.status),
            Error::Decode { status, .. }
            | Error::Redirect { status, .. }
            | Error::ResponseTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether repeating the request may succeed: rate limits (the code's kind, or HTTP
    /// 429), HTTP 5xx answers, transport failures and timeouts (not redirects or bodies
    /// over the cap: the same request would get them again). Whether it is *safe* to
    /// repeat depends on the action too (see the retry policy).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Api { error, .. } => {
                error.kind == ErrorKind::RequestLimitExceeded
                    || error.status == 429
                    || error.status >= 500
            }
            Error::Timeout { .. } | Error::Transport { .. } => true,
            Error::Decode { status, .. } => *status >= 500,
            Error::Redirect { .. }
            | Error::ResponseTooLarge { .. }
            | Error::MissingSetting { .. }
            | Error::Credentials { .. }
            | Error::RateBudget { .. }
            | Error::InvalidRequest { .. }
            | Error::Paging { .. } => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe(f)?;
        match self.trace_id() {
            Some(id) => write!(f, " [TraceId {id}]"),
            None => Ok(()),
        }
    }
}

impl Error {
    /// The message without the trace ID.
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api { action, error, .. } if error.code.is_empty() => {
                write!(f, "{action}: HTTP {}", error.status)?;
                if !error.message.is_empty() {
                    write!(f, " ({})", error.message)?;
                }
                if let Some(id) = &error.request_id {
                    write!(f, " [RequestId {id}]")?;
                }
                Ok(())
            }
            Error::Api { action, error, .. } => {
                write!(f, "{action}: {} ({})", error.code, error.message)?;
                if let Some(id) = &error.request_id {
                    write!(f, " [RequestId {id}]")?;
                }
                Ok(())
            }
            Error::Timeout { action, .. } => write!(f, "{action}: timed out"),
            Error::Transport {
                action, message, ..
            } => {
                write!(f, "{action}: transport failure: {message}")
            }
            Error::Redirect {
                action,
                status,
                location,
                ..
            } => {
                write!(f, "{action}: HTTP {status}, a redirect ")?;
                match location {
                    Some(location) => write!(f, "to `{}`", shorten(location))?,
                    None => write!(f, "with no Location header")?,
                }
                write!(
                    f,
                    ", not followed (it would carry the signed request elsewhere); \
                     set the endpoint to the service itself"
                )
            }
            Error::ResponseTooLarge {
                action,
                status,
                limit,
                ..
            } => write!(
                f,
                "{action}: the response body (HTTP {status}) is larger than the cap of \
                 {limit} bytes (the builder's max_response_body)"
            ),
            Error::Decode {
                action,
                status,
                message,
                ..
            } => {
                write!(
                    f,
                    "{action}: unreadable response (HTTP {status}): {message}"
                )
            }
            Error::MissingSetting {
                action,
                setting,
                how,
            } => write!(
                f,
                "{action}: needs {setting}, and the client was built without it: {how}"
            ),
            Error::InvalidRequest { action, message } => {
                write!(f, "{action}: invalid request: {message}")
            }
            Error::Credentials { action, error } => {
                write!(f, "{action}: no credentials to sign with: {error}")
            }
            Error::RateBudget { action, error } => write!(f, "{action}: {error}"),
            Error::Paging {
                action,
                position,
                problem,
            } => write!(f, "{action}: paging stopped at {position}: {problem}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport {
                source: Some(source),
                ..
            } => Some(&**source as &(dyn std::error::Error + 'static)),
            Error::Credentials { error, .. } => Some(error),
            Error::RateBudget { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// At most the first 200 characters of a server-chosen text, for a message.
pub(crate) fn shorten(text: &str) -> String {
    const MOST: usize = 200;
    match text.char_indices().nth(MOST) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_5xx_answers_and_transport_failures_are_transient() {
        let api = |code: &str| Error::Api {
            action: "A",
            error: ApiError {
                kind: match code {
                    "RequestLimitExceeded" => ErrorKind::RequestLimitExceeded,
                    "InternalError" => ErrorKind::InternalError,
                    _ => ErrorKind::AuthFailure(AuthFailure::SignatureFailure),
                },
                code: code.into(),
                message: String::new(),
                request_id: None,
                status: 200,
            },
            trace_id: None,
        };
        assert!(api("RequestLimitExceeded").is_transient());
        assert!(!api("InternalError").is_transient());
        assert!(!api("AuthFailure.SignatureFailure").is_transient());
        assert!(Error::Timeout {
            action: "A",
            trace_id: None
        }
        .is_transient());
        // Huawei answers errors by status: 429 and 5xx are transient whatever the code.
        let answered = |code: &str, status: u16| Error::Api {
            action: "A",
            error: ApiError {
                kind: match status {
                    429 => ErrorKind::RequestLimitExceeded,
                    500.. => ErrorKind::InternalError,
                    _ => ErrorKind::UnauthorizedOperation,
                },
                code: code.into(),
                message: String::new(),
                request_id: None,
                status,
            },
            trace_id: None,
        };
        assert!(answered("APIGW.0308", 429).is_transient());
        assert!(answered("CBC.0999", 500).is_transient());
        assert!(answered("", 503).is_transient());
        assert!(!answered("CBC.0151", 403).is_transient());
        assert_eq!(answered("CBC.0151", 403).status(), Some(403));
        assert_eq!(
            answered("", 503).to_string(),
            "A: HTTP 503",
            "a code-less answer shows its status"
        );
    }
}
