//! Tencent Cloud API 3.0 error codes: their family (the part before the first `.`) is the
//! [`ErrorKind`]. Every API 3.0 answer, errors included, is HTTP 200.

use crate::error::{AuthFailure, ErrorKind};

/// The common error codes of Cloud API 3.0, which any service may answer with besides its
/// own (the API 3.0 docs' "Common Error Codes" table).
pub const COMMON_CODES: &[&str] = &[
    "AuthFailure.InvalidAuthorization",
    "AuthFailure.InvalidSecretId",
    "AuthFailure.MFAFailure",
    "AuthFailure.SecretIdNotFound",
    "AuthFailure.SignatureExpire",
    "AuthFailure.SignatureFailure",
    "AuthFailure.TokenFailure",
    "AuthFailure.UnauthorizedOperation",
    "DryRunOperation",
    "FailedOperation",
    "InternalError",
    "InvalidAction",
    "InvalidParameter",
    "InvalidParameterValue",
    "InvalidRequest",
    "IpInBlacklist",
    "IpNotInWhitelist",
    "LimitExceeded",
    "MissingParameter",
    "NoSuchProduct",
    "NoSuchVersion",
    "RequestLimitExceeded",
    "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
    "RequestLimitExceeded.IPLimitExceeded",
    "RequestLimitExceeded.UinLimitExceeded",
    "RequestSizeLimitExceeded",
    "ResourceInUse",
    "ResourceInsufficient",
    "ResourceNotFound",
    "ResourceUnavailable",
    "ResponseSizeLimitExceeded",
    "ServiceUnavailable",
    "UnauthorizedOperation",
    "UnknownParameter",
    "UnsupportedOperation",
    "UnsupportedProtocol",
    "UnsupportedRegion",
];

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
}
