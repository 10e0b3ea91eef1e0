//! TC3-HMAC-SHA256, the request signature of Tencent Cloud API 3.0.
//!
//! The client signs with it and the mock server verifies with it, so both use these
//! functions. Signed headers are `content-type;host`, as the official SDKs sign them.
//! Tested against vectors computed by the official Python SDK
//! (`runtime/tests/data/tc3_vectors.json`).

pub use crate::crypto::CanonicalRequest;
use crate::crypto::{civil_from_days, hmac, sha256_hex};

/// The algorithm name at the head of the `Authorization` value.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The headers the signature covers, in canonical order.
pub const SIGNED_HEADERS: &str = "content-type;host";

/// What a TC3 signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SigningInput<'a> {
    /// The HTTP method (`POST`).
    pub method: &'a str,
    /// The `Content-Type` header value as sent.
    pub content_type: &'a str,
    /// The `Host` header value as sent (with `:port` when the URL has one).
    pub host: &'a str,
    /// The service's short name, e.g. `intlpartnersmgt`.
    pub service: &'a str,
    /// `X-TC-Timestamp`: seconds since the Unix epoch.
    pub timestamp: i64,
    /// The body bytes as sent.
    pub payload: &'a [u8],
}

/// The UTC date (`YYYY-MM-DD`) of a timestamp, the date of the credential scope.
pub fn scope_date(timestamp: i64) -> String {
    let (year, month, day) = civil_from_days(timestamp.div_euclid(86_400));
    format!("{year:04}-{month:02}-{day:02}")
}

/// The canonical request (POST, `/`, no query string).
pub fn canonical_request(input: &SigningInput<'_>) -> String {
    CanonicalRequest {
        method: input.method,
        uri: "/",
        query: "",
        headers: &[("content-type", input.content_type), ("host", input.host)],
        payload_hash: &sha256_hex(input.payload),
    }
    .to_string()
}

/// The hex SHA-256 of `bytes` (the payload hash of a canonical request).
pub fn payload_hash(bytes: &[u8]) -> String {
    sha256_hex(bytes)
}

/// The hex signature of `input` under `secret_key`.
pub fn signature(secret_key: &str, input: &SigningInput<'_>) -> String {
    sign_canonical(
        secret_key,
        input.service,
        input.timestamp,
        &canonical_request(input),
    )
}

/// The hex signature of a canonical request, for a service at a timestamp: what a
/// verifier compares with the `Signature` it received.
pub fn sign_canonical(
    secret_key: &str,
    service: &str,
    timestamp: i64,
    canonical_request: &str,
) -> String {
    let date = scope_date(timestamp);
    let string_to_sign = format!(
        "{ALGORITHM}\n{timestamp}\n{date}/{service}/tc3_request\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let k_date = hmac(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac(&k_date, service.as_bytes());
    let k_signing = hmac(&k_service, b"tc3_request");
    hex::encode(hmac(&k_signing, string_to_sign.as_bytes()))
}

/// The `Authorization` header value.
pub fn authorization(secret_id: &str, secret_key: &str, input: &SigningInput<'_>) -> String {
    format!(
        "{ALGORITHM} Credential={secret_id}/{}/{}/tc3_request, SignedHeaders={SIGNED_HEADERS}, Signature={}",
        scope_date(input.timestamp),
        input.service,
        signature(secret_key, input)
    )
}

/// The parts of an `Authorization` header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization<'a> {
    /// The SecretId of the credential.
    pub secret_id: &'a str,
    /// The credential scope's date.
    pub date: &'a str,
    /// The credential scope's service.
    pub service: &'a str,
    /// The signed header names.
    pub signed_headers: &'a str,
    /// The hex signature.
    pub signature: &'a str,
}

/// Reads an `Authorization` value; `None` if it is not a TC3 one.
pub fn parse_authorization(value: &str) -> Option<ParsedAuthorization<'_>> {
    let rest = value.strip_prefix(ALGORITHM)?.trim_start();
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (key, val) = part.trim().split_once('=')?;
        match key {
            "Credential" => credential = Some(val),
            "SignedHeaders" => signed_headers = Some(val),
            "Signature" => signature = Some(val),
            _ => return None,
        }
    }
    let mut scope = credential?.splitn(4, '/');
    let (secret_id, date, service, terminator) =
        (scope.next()?, scope.next()?, scope.next()?, scope.next()?);
    (terminator == "tc3_request").then_some(ParsedAuthorization {
        secret_id,
        date,
        service,
        signed_headers: signed_headers?,
        signature: signature?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_dates_on_day_boundaries() {
        assert_eq!(scope_date(0), "1970-01-01");
        assert_eq!(scope_date(1_700_000_000), "2023-11-14");
        assert_eq!(scope_date(1_735_689_599), "2024-12-31");
        assert_eq!(scope_date(1_735_689_600), "2025-01-01");
        assert_eq!(scope_date(951_782_400), "2000-02-29");
        assert_eq!(scope_date(-1), "1969-12-31");
    }

    #[test]
    fn authorization_parses_back() {
        let input = SigningInput {
            method: "POST",
            content_type: "application/json",
            host: "h",
            service: "svc",
            timestamp: 1_700_000_000,
            payload: b"{}",
        };
        let value = authorization("AKID", "key", &input);
        let parsed = parse_authorization(&value).unwrap();
        assert_eq!(
            (
                parsed.secret_id,
                parsed.date,
                parsed.service,
                parsed.signed_headers
            ),
            ("AKID", "2023-11-14", "svc", SIGNED_HEADERS)
        );
        assert_eq!(parsed.signature, signature("key", &input));
        assert_eq!(parse_authorization("Bearer x"), None);
        assert_eq!(
            parse_authorization("TC3-HMAC-SHA256 Credential=a/b, Signature=c"),
            None
        );
    }
}
