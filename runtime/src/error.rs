//! Errors of an API call. The API 3.0 error envelope (HTTP 200 with `Response.Error`) is
//! detected from the body, whatever the Content-Type says, and its code is matchable
//! without string compares; transport failures, timeouts and undecodable responses stay
//! distinct.

use std::fmt;

/// The family of an API error code (the part before the first `.`), for `match`.
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

impl ErrorKind {
    /// The kind of an API error code.
    pub fn of(code: &str) -> Self {
        let (family, detail) = code.split_once('.').unwrap_or((code, ""));
        match family {
            "AuthFailure" => ErrorKind::AuthFailure(match detail {
                "SignatureFailure" => AuthFailure::SignatureFailure,
                "SignatureExpire" => AuthFailure::SignatureExpire,
                "SecretIdNotFound" => AuthFailure::SecretIdNotFound,
                "TokenFailure" => AuthFailure::TokenFailure,
                "UnauthorizedOperation" => AuthFailure::UnauthorizedOperation,
                "InvalidSecretId" => AuthFailure::InvalidSecretId,
                _ => AuthFailure::Other,
            }),
            "RequestLimitExceeded" => ErrorKind::RequestLimitExceeded,
            "UnauthorizedOperation" => ErrorKind::UnauthorizedOperation,
            "InvalidParameter" => ErrorKind::InvalidParameter,
            "InvalidParameterValue" => ErrorKind::InvalidParameterValue,
            "MissingParameter" => ErrorKind::MissingParameter,
            "InvalidAction" => ErrorKind::InvalidAction,
            "InternalError" => ErrorKind::InternalError,
            "ResourceNotFound" => ErrorKind::ResourceNotFound,
            "LimitExceeded" => ErrorKind::LimitExceeded,
            "FailedOperation" => ErrorKind::FailedOperation,
            "UnsupportedOperation" => ErrorKind::UnsupportedOperation,
            _ => ErrorKind::Other,
        }
    }
}

/// An error the service answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The code, matchable.
    pub kind: ErrorKind,
    /// The full code as sent, e.g. `AuthFailure.SignatureFailure`.
    pub code: String,
    /// The service's message.
    pub message: String,
    /// The request's id, for the vendor's support.
    pub request_id: Option<String>,
}

/// Why a call failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error envelope.
    Api {
        /// The action called.
        action: &'static str,
        /// The error.
        error: ApiError,
    },
    /// The request did not complete within the configured timeout.
    Timeout {
        /// The action called.
        action: &'static str,
    },
    /// The request could not be sent or its response not received.
    Transport {
        /// The action called.
        action: &'static str,
        /// What went wrong (never includes credentials).
        message: String,
    },
    /// The service answered, but not with a response this client can read.
    Decode {
        /// The action called.
        action: &'static str,
        /// The HTTP status.
        status: u16,
        /// The request id, when the body carried one.
        request_id: Option<String>,
        /// What could not be read.
        message: String,
    },
    /// The request could not be serialized, or a name passed to a by-name call is unknown.
    InvalidRequest {
        /// The action (or the name given).
        action: String,
        /// What is wrong.
        message: String,
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

    /// The request id, when the service's answer carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { error, .. } => error.request_id.as_deref(),
            Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether repeating the request may succeed: rate limits and transport failures.
    /// Whether it is *safe* to repeat depends on the action too (see the retry policy).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Api { error, .. } => error.kind == ErrorKind::RequestLimitExceeded,
            Error::Timeout { .. } | Error::Transport { .. } => true,
            Error::Decode { status, .. } => *status >= 500,
            Error::InvalidRequest { .. } => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api { action, error } => {
                write!(f, "{action}: {} ({})", error.code, error.message)?;
                if let Some(id) = &error.request_id {
                    write!(f, " [RequestId {id}]")?;
                }
                Ok(())
            }
            Error::Timeout { action } => write!(f, "{action}: timed out"),
            Error::Transport { action, message } => {
                write!(f, "{action}: transport failure: {message}")
            }
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
            Error::InvalidRequest { action, message } => {
                write!(f, "{action}: invalid request: {message}")
            }
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_matchable_by_family() {
        assert_eq!(
            ErrorKind::of("AuthFailure.SignatureFailure"),
            ErrorKind::AuthFailure(AuthFailure::SignatureFailure)
        );
        assert_eq!(
            ErrorKind::of("AuthFailure"),
            ErrorKind::AuthFailure(AuthFailure::Other)
        );
        assert_eq!(
            ErrorKind::of("RequestLimitExceeded.UinLimitExceeded"),
            ErrorKind::RequestLimitExceeded
        );
        assert_eq!(
            ErrorKind::of("InvalidParameterValue.Uin"),
            ErrorKind::InvalidParameterValue
        );
        assert_eq!(ErrorKind::of("Whatever.Else"), ErrorKind::Other);
    }

    #[test]
    fn only_rate_limits_and_transport_failures_are_transient() {
        let api = |code: &str| Error::Api {
            action: "A",
            error: ApiError {
                kind: ErrorKind::of(code),
                code: code.into(),
                message: String::new(),
                request_id: None,
            },
        };
        assert!(api("RequestLimitExceeded").is_transient());
        assert!(!api("InternalError").is_transient());
        assert!(!api("AuthFailure.SignatureFailure").is_transient());
        assert!(Error::Timeout { action: "A" }.is_transient());
    }
}
