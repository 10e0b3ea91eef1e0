//! Huawei Cloud error codes, stated once: each documented code with the HTTP status it
//! comes with and its [`ErrorKind`]. The client's classification
//! ([`ErrorKind::of_huawei`]) and the mocks' answers (the status of an error reply, in
//! `super::mock`) both read [`CODES`].

use crate::error::{AuthFailure, ErrorKind};

/// A documented Huawei Cloud error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The code, with API Gateway's `APIGW.` prefix (`APIG.` is read as the same).
    pub code: &'static str,
    /// The HTTP status it comes with.
    pub status: u16,
    /// Its kind (`APIGW.0301` is refined by its message: [`ErrorKind::of_huawei`]).
    pub kind: ErrorKind,
    /// What it means.
    pub meaning: &'static str,
}

const fn code(code: &'static str, status: u16, kind: ErrorKind, meaning: &'static str) -> Code {
    Code {
        code,
        status,
        kind,
        meaning,
    }
}

/// The codes API Gateway (`APIGW.*`) and BSS (`CBC.*`) document for these APIs.
pub const CODES: &[Code] = &[
    code(
        "APIGW.0101",
        404,
        ErrorKind::InvalidAction,
        "no such API (method and path)",
    ),
    code(
        "APIGW.0201",
        400,
        ErrorKind::InvalidParameter,
        "malformed request",
    ),
    code(
        "APIGW.0301",
        401,
        ErrorKind::AuthFailure(AuthFailure::SignatureFailure),
        "IAM authentication failed",
    ),
    code(
        "APIGW.0302",
        403,
        ErrorKind::AuthFailure(AuthFailure::UnauthorizedOperation),
        "the IAM user may not call the API",
    ),
    code(
        "APIGW.0303",
        401,
        ErrorKind::AuthFailure(AuthFailure::SignatureFailure),
        "app authentication failed",
    ),
    code(
        "APIGW.0304",
        403,
        ErrorKind::AuthFailure(AuthFailure::UnauthorizedOperation),
        "the app may not call the API",
    ),
    code(
        "APIGW.0306",
        403,
        ErrorKind::AuthFailure(AuthFailure::UnauthorizedOperation),
        "access denied",
    ),
    code(
        "APIGW.0307",
        401,
        ErrorKind::AuthFailure(AuthFailure::TokenFailure),
        "the token must be renewed",
    ),
    code(
        "APIGW.0308",
        429,
        ErrorKind::RequestLimitExceeded,
        "throttled",
    ),
    code(
        "CBC.0100",
        400,
        ErrorKind::InvalidParameter,
        "parameter error",
    ),
    code(
        "CBC.0101",
        400,
        ErrorKind::InvalidParameterValue,
        "invalid parameter value",
    ),
    code(
        "CBC.0151",
        403,
        ErrorKind::UnauthorizedOperation,
        "access denied",
    ),
    code(
        "CBC.0154",
        403,
        ErrorKind::AuthFailure(AuthFailure::TokenFailure),
        "invalid or expired token",
    ),
    code(
        "CBC.0155",
        403,
        ErrorKind::UnauthorizedOperation,
        "the request is not allowed",
    ),
    code(
        "CBC.0250",
        429,
        ErrorKind::RequestLimitExceeded,
        "flow control",
    ),
    code("CBC.0999", 500, ErrorKind::InternalError, "other error"),
];

/// The documented entry of `code` (`APIG.` read as `APIGW.`).
pub fn lookup(code: &str) -> Option<&'static Code> {
    let normalized = code.strip_prefix("APIG.");
    CODES.iter().find(|c| match normalized {
        Some(number) => c.code.strip_prefix("APIGW.") == Some(number),
        None => c.code == code,
    })
}

/// The HTTP status an error code comes with: its documented one; other API Gateway
/// authentication codes (`APIGW.03xx`) 401, other BSS parameter codes (`CBC.01xx`) 400,
/// anything else 500.
pub fn status_of(code: &str) -> u16 {
    match lookup(code) {
        Some(known) => known.status,
        None if is_gateway_auth(code) => 401,
        None if code.starts_with("CBC.01") => 400,
        None => 500,
    }
}

/// `APIGW.03xx` or `APIG.03xx`.
fn is_gateway_auth(code: &str) -> bool {
    let number = code
        .strip_prefix("APIGW.")
        .or_else(|| code.strip_prefix("APIG."));
    number.is_some_and(|n| n.starts_with("03"))
}

impl ErrorKind {
    /// The kind of a Huawei Cloud error code (`APIGW.0308`, `CBC.0151`), given its message
    /// and the HTTP status it came with: the documented codes by [`CODES`] (API Gateway
    /// codes with either prefix, `APIGW.` or `APIG.`, both in use); `APIGW.0301` by its
    /// message: `SecretIdNotFound` ("ak not exist"), `TokenFailure` (a message about a
    /// token), else `SignatureFailure`; other `APIGW.03xx` are `AuthFailure(Other)`.
    ///
    /// | code | HTTP | meaning | kind |
    /// |---|---|---|---|
    /// | `APIGW.0101` | 404 | no such API (method and path) | `InvalidAction` |
    /// | `APIGW.0201` | 400 | malformed request | `InvalidParameter` |
    /// | `APIGW.0301` | 401 | IAM authentication failed | `AuthFailure(..)`, by message |
    /// | `APIGW.0302` | 403 | the IAM user may not call the API | `AuthFailure(UnauthorizedOperation)` |
    /// | `APIGW.0303` | 401 | app authentication failed | `AuthFailure(SignatureFailure)` |
    /// | `APIGW.0304`, `APIGW.0306` | 403 | the app may not call the API; access denied | `AuthFailure(UnauthorizedOperation)` |
    /// | `APIGW.0307` | 401 | the token must be renewed | `AuthFailure(TokenFailure)` |
    /// | `APIGW.0308` | 429 | throttled | `RequestLimitExceeded` |
    /// | other `APIGW.03xx` | 401/403 | other authentication failures | `AuthFailure(Other)` |
    /// | `CBC.0100` | 400 | parameter error | `InvalidParameter` |
    /// | `CBC.0101` | 400 | invalid parameter value | `InvalidParameterValue` |
    /// | `CBC.0151`, `CBC.0155` | 403 | access denied; the request is not allowed | `UnauthorizedOperation` |
    /// | `CBC.0154` | 403 | invalid or expired token | `AuthFailure(TokenFailure)` |
    /// | `CBC.0250` | 429 | flow control | `RequestLimitExceeded` |
    /// | `CBC.0999` | 500 | other error | `InternalError` |
    ///
    /// Any other code is `RequestLimitExceeded` at HTTP 429, `InternalError` at 5xx, and
    /// `Other` otherwise (the full code is in [`crate::error::ApiError::code`]).
    pub fn of_huawei(code: &str, message: &str, status: u16) -> Self {
        match lookup(code) {
            Some(known) if known.code == "APIGW.0301" => {
                let message = message.to_ascii_lowercase();
                ErrorKind::AuthFailure(if message.contains("ak not exist") {
                    AuthFailure::SecretIdNotFound
                } else if message.contains("token") {
                    AuthFailure::TokenFailure
                } else {
                    AuthFailure::SignatureFailure
                })
            }
            Some(known) => known.kind,
            None if is_gateway_auth(code) => ErrorKind::AuthFailure(AuthFailure::Other),
            None if status == 429 => ErrorKind::RequestLimitExceeded,
            None if status >= 500 => ErrorKind::InternalError,
            None => ErrorKind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huawei_codes_map_by_table_then_by_status() {
        use AuthFailure as A;
        for (code, message, status, kind) in [
            ("APIGW.0308", "throttled", 429, ErrorKind::RequestLimitExceeded),
            ("APIG.0308", "", 429, ErrorKind::RequestLimitExceeded),
            ("APIGW.0101", "", 404, ErrorKind::InvalidAction),
            ("APIGW.0201", "", 400, ErrorKind::InvalidParameter),
            (
                "APIGW.0301",
                "Incorrect IAM authentication information: verify aksk signature fail",
                401,
                ErrorKind::AuthFailure(A::SignatureFailure),
            ),
            (
                "APIGW.0301",
                "Incorrect IAM authentication information: Get secretKey failed,ak:x,err:ak not exist",
                401,
                ErrorKind::AuthFailure(A::SecretIdNotFound),
            ),
            (
                "APIG.0301",
                "Incorrect IAM authentication information: decrypt token fail",
                401,
                ErrorKind::AuthFailure(A::TokenFailure),
            ),
            ("APIGW.0302", "", 403, ErrorKind::AuthFailure(A::UnauthorizedOperation)),
            ("APIGW.0303", "", 401, ErrorKind::AuthFailure(A::SignatureFailure)),
            ("APIGW.0304", "", 403, ErrorKind::AuthFailure(A::UnauthorizedOperation)),
            ("APIGW.0306", "", 403, ErrorKind::AuthFailure(A::UnauthorizedOperation)),
            ("APIGW.0307", "", 401, ErrorKind::AuthFailure(A::TokenFailure)),
            ("APIGW.0305", "", 401, ErrorKind::AuthFailure(A::Other)),
            ("APIGW.0311", "", 401, ErrorKind::AuthFailure(A::Other)),
            ("CBC.0100", "", 400, ErrorKind::InvalidParameter),
            ("CBC.0101", "", 400, ErrorKind::InvalidParameterValue),
            ("CBC.0151", "", 403, ErrorKind::UnauthorizedOperation),
            ("CBC.0155", "", 403, ErrorKind::UnauthorizedOperation),
            ("CBC.0154", "", 403, ErrorKind::AuthFailure(A::TokenFailure)),
            ("CBC.0250", "", 429, ErrorKind::RequestLimitExceeded),
            ("CBC.0999", "", 500, ErrorKind::InternalError),
            ("CBC.99007461", "", 500, ErrorKind::InternalError),
            ("CBC.99000047", "", 400, ErrorKind::Other),
            ("CBC.5002", "", 200, ErrorKind::Other),
            ("", "", 503, ErrorKind::InternalError),
            ("Whatever", "", 429, ErrorKind::RequestLimitExceeded),
        ] {
            assert_eq!(ErrorKind::of_huawei(code, message, status), kind, "{code} {status}");
        }
    }

    /// The status a code comes with and the kind the client reads it as agree, for every
    /// documented code: the mock's error replies and the client read one table.
    #[test]
    fn every_documented_code_has_one_status_and_one_kind() {
        for known in CODES {
            assert_eq!(status_of(known.code), known.status, "{}", known.code);
            assert_eq!(
                ErrorKind::of_huawei(known.code, "", known.status),
                known.kind,
                "{}",
                known.code
            );
            let apig = known.code.replace("APIGW.", "APIG.");
            assert_eq!(status_of(&apig), known.status, "{apig}");
        }
        for (code, status) in [("APIGW.0201", 400), ("CBC.0250", 429), ("CBC.0154", 403)] {
            assert_eq!(status_of(code), status, "{code}");
        }
    }
}
