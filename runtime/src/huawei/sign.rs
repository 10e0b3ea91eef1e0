//! SDK-HMAC-SHA256, the AK/SK request signature of Huawei Cloud APIs.
//!
//! The client signs with it and the mock server verifies with it, so both use these
//! functions. It follows the official Python SDK's signer (`huaweicloudsdkcore`, class
//! `signer.signer.Signer`) detail for detail, and is tested against vectors that SDK
//! computed (`runtime/tests/data/huawei_sign_vectors.json`).
//!
//! What the SDK's signer does, and so what this module does:
//!
//! - **Headers it adds.** `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`, UTC) unless one is already
//!   there (then that one is the signing time); `Host` unless one is already there; and
//!   `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` when a `Content-Type` header (that exact
//!   spelling) is there and does not start with `application/json` or `application/bson`.
//! - **Signed headers.** Every header except those whose name contains `_`; names
//!   lower-cased and sorted, values trimmed (the trimmed values are also what is sent).
//! - **Canonical URI.** The path as sent is percent-decoded, split on `/`, each segment
//!   percent-encoded again, and a `/` appended unless it already ends in one. So `/a/b`
//!   and `/a/b/` sign alike, and a path parameter's `%2F` signs as a plain `/`.
//! - **Canonical query string.** Pairs sorted by (key, value) *before* encoding, repeated
//!   keys kept, an empty value kept as `key=`; the SDK sends exactly this string.
//! - **Percent-encoding.** Everything but `A-Z a-z 0-9 - . _ ~` is escaped, as UTF-8
//!   bytes with upper-case hex (Python's `quote(s, safe='~')`): a space is `%20`, `+` is
//!   `%2B`.
//! - **Payload hash.** An empty body hashes as the empty string, whatever the headers say;
//!   otherwise a non-empty `X-Sdk-Content-Sha256` header's value stands in for the hash
//!   (so `UNSIGNED-PAYLOAD` bodies are not covered by the signature); otherwise the hex
//!   SHA-256 of the body.
//! - **Signature.** Hex HMAC-SHA256 of
//!   `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex SHA-256 of the canonical request>`, keyed with
//!   the SK itself (no key derivation).

use hmac::Mac;

use crate::crypto::{
    civil_from_days, days_from_civil, hmac, hmac_sha256, sha256_hex, CanonicalRequest,
};

/// The algorithm name at the head of the `Authorization` value.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// The header carrying the signing time.
pub const DATE_HEADER: &str = "X-Sdk-Date";
/// The header whose value, when present and the body is not empty, stands in for the
/// body's hash.
pub const CONTENT_SHA256_HEADER: &str = "X-Sdk-Content-Sha256";
/// The value the signer gives [`CONTENT_SHA256_HEADER`] for non-JSON bodies.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The hex SHA-256 of no bytes, the payload hash of an empty body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What an SDK-HMAC-SHA256 signature covers, as the client is about to send it.
#[derive(Debug, Clone, Copy)]
pub struct SigningInput<'a> {
    /// The HTTP method (`POST`); upper-cased for signing.
    pub method: &'a str,
    /// The `Host` header value to add (with `:port` when the URL has one), unless
    /// `headers` already has a `Host`.
    pub host: &'a str,
    /// The path as sent, path parameters already substituted and percent-encoded
    /// (`/v2/orders/customer-orders/details/CS24%2F01`).
    pub path: &'a str,
    /// The query parameters, not encoded, in any order; a key may repeat.
    pub query: &'a [(&'a str, &'a str)],
    /// The headers set before signing (`Content-Type`, `User-Agent`, ...). Not
    /// `Authorization`. An `X-Sdk-Date` here wins over `timestamp`, as in the SDK.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body bytes as sent.
    pub body: &'a [u8],
    /// The signing time, in seconds since the Unix epoch.
    pub timestamp: i64,
}

/// The `X-Sdk-Date` value (`YYYYMMDDTHHMMSSZ`, UTC) of a time in seconds since the Unix
/// epoch.
pub fn sdk_date(unix_seconds: i64) -> String {
    let (year, month, day) = civil_from_days(unix_seconds.div_euclid(86_400));
    let secs = unix_seconds.rem_euclid(86_400);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// Reads an `X-Sdk-Date` value back into seconds since the Unix epoch (for a clock-skew
/// check); `None` unless it is exactly `YYYYMMDDTHHMMSSZ` with a valid date and time.
pub fn parse_sdk_date(value: &str) -> Option<i64> {
    let b = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        b[range].iter().try_fold(0i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    let days = days_from_civil(year, month, day);
    let valid = (1..=12).contains(&month)
        && day >= 1
        && civil_from_days(days) == (year, month, day)
        && hour < 24
        && minute < 60
        && second < 60;
    valid.then_some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Percent-encodes bytes as the SDK does (Python's `quote(s, safe='~')`): every byte but
/// `A-Z a-z 0-9 - . _ ~` becomes `%XX` with upper-case hex.
pub use super::request::percent_encode;
use super::request::{parse_query, percent_decode};

/// Python's `urllib.parse.unquote`: the `%XX` escapes of each run of ASCII characters are
/// decoded and the bytes read as UTF-8, each invalid sequence becoming U+FFFD; non-ASCII
/// characters pass through.
fn unquote(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        let ascii = rest.find(|c: char| !c.is_ascii()).unwrap_or(rest.len());
        out.push_str(&String::from_utf8_lossy(&percent_decode(
            &rest.as_bytes()[..ascii],
        )));
        rest = &rest[ascii..];
        let other = rest.find(|c: char| c.is_ascii()).unwrap_or(rest.len());
        out.push_str(&rest[..other]);
        rest = &rest[other..];
    }
    out
}

/// Python's `str.strip()`: trims what Python calls whitespace, which is Unicode
/// `White_Space` plus the separators U+001C to U+001F.
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// The canonical URI of a path as sent: percent-decoded, split on `/`, each segment
/// encoded with [`percent_encode`], and one `/` appended unless it ends in one already.
/// (The SDK fails on an empty path; this gives `/`.)
pub fn canonical_uri(path: &str) -> String {
    let decoded = unquote(path);
    let mut uri = decoded
        .split('/')
        .map(|segment| percent_encode(segment.as_bytes()))
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The canonical query string of unencoded pairs: sorted by key then value (by code
/// point, before encoding), each `key=value` encoded with [`percent_encode`], joined by
/// `&`. The SDK sends exactly this string as the request's query.
pub fn canonical_query_string<K: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: &[(K, V)]) -> String {
    let mut sorted: Vec<(&[u8], &[u8])> = pairs
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    // Byte order of UTF-8 is code-point order, Python's order for `str`.
    sorted.sort_unstable();
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The payload hash slot of the canonical request. `content_sha256` is the (trimmed)
/// `X-Sdk-Content-Sha256` header value if there is one.
fn payload_hash(body: &[u8], content_sha256: Option<&str>) -> String {
    match content_sha256 {
        _ if body.is_empty() => EMPTY_SHA256.to_owned(),
        // The SDK has already rewritten header values to their UTF-8 bytes read as
        // Latin-1 when it reads this one; for ASCII values that changes nothing.
        Some(value) if !value.is_empty() => value.bytes().map(char::from).collect(),
        _ => sha256_hex(body),
    }
}

/// The first header named `name`, any case.
fn header<'h, S: AsRef<str>>(headers: &'h [(S, S)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_ref())
}

/// Sets a header the way a Python dict does: replaces the value of the same exact name
/// in place, or appends.
fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    match headers.iter_mut().find(|(k, _)| k == name) {
        Some(slot) => slot.1 = value.to_owned(),
        None => headers.push((name.to_owned(), value.to_owned())),
    }
}

/// The headers the signed request carries, `Authorization` aside, in the SDK's order:
/// `input.headers` (values trimmed), then the ones the signer adds:
/// `X-Sdk-Content-Sha256` (non-JSON `Content-Type` only), `X-Sdk-Date` and `Host` (each
/// unless present).
pub fn headers_to_sign(input: &SigningInput<'_>) -> Vec<(String, String)> {
    headers_dated(input, &signing_date(input))
}

/// [`headers_to_sign`], with `date` ([`signing_date`]) as the `X-Sdk-Date` it adds.
fn headers_dated(input: &SigningInput<'_>, date: &str) -> Vec<(String, String)> {
    let mut headers = Vec::with_capacity(input.headers.len() + 4);
    for (name, value) in input.headers {
        set_header(&mut headers, name, value);
    }
    let content_type = headers
        .iter()
        .find(|(k, _)| k == "Content-Type")
        .map(|(_, v)| v.as_str());
    if content_type.is_some_and(|ct| {
        !ct.starts_with("application/json") && !ct.starts_with("application/bson")
    }) {
        set_header(&mut headers, CONTENT_SHA256_HEADER, UNSIGNED_PAYLOAD);
    }
    if header(&headers, DATE_HEADER).is_none() {
        set_header(&mut headers, DATE_HEADER, date);
    }
    if header(&headers, "host").is_none() {
        set_header(&mut headers, "Host", input.host);
    }
    for (_, value) in &mut headers {
        *value = py_strip(value).to_owned();
    }
    headers
}

/// The `SignedHeaders` list of a header set: the names without `_`, lower-cased, sorted,
/// joined by `;`.
pub fn signed_headers<S: AsRef<str>>(headers: &[(S, S)]) -> String {
    let mut names: Vec<String> = headers
        .iter()
        .map(|(k, _)| k.as_ref())
        .filter(|k| !k.contains('_'))
        .map(str::to_lowercase)
        .collect();
    names.sort_unstable();
    names.join(";")
}

/// The canonical request of a method, a path as sent, a canonical query string, the
/// signed headers (their names in `SignedHeaders` order) and a payload hash.
fn assemble(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    payload_hash: &str,
) -> String {
    CanonicalRequest {
        method: &method.to_uppercase(),
        uri: &canonical_uri(path),
        query,
        headers,
        payload_hash,
    }
    .to_string()
}

/// The canonical request of what the client is about to send.
pub fn canonical_request(input: &SigningInput<'_>) -> String {
    Signing::new(input).canonical_request()
}

/// The string to sign: the algorithm, the `X-Sdk-Date` value and the hex SHA-256 of the
/// canonical request, one per line.
pub fn string_to_sign(canonical_request: &str, sdk_date: &str) -> String {
    format!(
        "{ALGORITHM}\n{sdk_date}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// The date `input` is signed at: its `X-Sdk-Date` header if it has one, else its
/// timestamp's.
fn signing_date(input: &SigningInput<'_>) -> String {
    header(input.headers, DATE_HEADER)
        .map_or_else(|| sdk_date(input.timestamp), |d| py_strip(d).to_owned())
}

/// The hex signature of `input` under the secret key `sk`.
pub fn signature(sk: &str, input: &SigningInput<'_>) -> String {
    Signing::new(input).signature(sk)
}

/// The `Authorization` header value.
pub fn authorization(ak: &str, sk: &str, input: &SigningInput<'_>) -> String {
    Signing::new(input).authorization(ak, sk)
}

/// Every header of the signed request, in the order the SDK sends them:
/// [`headers_to_sign`] then `Authorization`. Send the path as given and the query as
/// [`canonical_query_string`].
pub fn sign(ak: &str, sk: &str, input: &SigningInput<'_>) -> Vec<(String, String)> {
    let signing = Signing::new(input);
    let authorization = signing.authorization(ak, sk);
    let mut headers = signing.headers;
    headers.push(("Authorization".to_owned(), authorization));
    headers
}

/// What signing one request is built from, each part worked out once: the signing date,
/// the headers to send ([`headers_to_sign`]) and their `SignedHeaders` list.
struct Signing<'a> {
    input: SigningInput<'a>,
    date: String,
    headers: Vec<(String, String)>,
    signed: String,
}

impl<'a> Signing<'a> {
    fn new(input: &SigningInput<'a>) -> Self {
        let date = signing_date(input);
        let headers = headers_dated(input, &date);
        let signed = signed_headers(&headers);
        Signing {
            input: *input,
            date,
            headers,
            signed,
        }
    }

    fn canonical_request(&self) -> String {
        // Lower-cased name to value; with names repeated in other cases the last one wins,
        // as in the SDK's dict.
        let lowered: Vec<(String, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.to_lowercase(), v.as_str()))
            .collect();
        let value_of = |name: &str| {
            lowered
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map_or("", |(_, v)| *v)
        };
        let canonical_headers: Vec<(&str, &str)> = self
            .signed
            .split(';')
            .map(|name| (name, value_of(name)))
            .collect();
        let input = &self.input;
        assemble(
            input.method,
            input.path,
            &canonical_query_string(input.query),
            &canonical_headers,
            &payload_hash(input.body, header(&self.headers, CONTENT_SHA256_HEADER)),
        )
    }

    fn signature(&self, sk: &str) -> String {
        let to_sign = string_to_sign(&self.canonical_request(), &self.date);
        hex::encode(hmac(sk.as_bytes(), to_sign.as_bytes()))
    }

    fn authorization(&self, ak: &str, sk: &str) -> String {
        format!(
            "{ALGORITHM} Access={ak}, SignedHeaders={}, Signature={}",
            self.signed,
            self.signature(sk)
        )
    }
}

/// The parts of an `Authorization` header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization<'a> {
    /// The access key (AK).
    pub access_key: &'a str,
    /// The `SignedHeaders` value as sent: header names joined by `;`.
    pub signed_headers: &'a str,
    /// The hex signature.
    pub signature: &'a str,
}

impl<'a> ParsedAuthorization<'a> {
    /// The signed header names, in the order listed.
    pub fn signed_header_names(&self) -> impl Iterator<Item = &'a str> {
        self.signed_headers.split(';')
    }
}

/// Reads an `Authorization` value; `None` if it is not an SDK-HMAC-SHA256 one with each of
/// `Access`, `SignedHeaders` and `Signature` exactly once and non-empty.
pub fn parse_authorization(value: &str) -> Option<ParsedAuthorization<'_>> {
    let rest = value.strip_prefix(ALGORITHM)?;
    if !rest.starts_with(' ') {
        return None;
    }
    let (mut access_key, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, val) = part.trim().split_once('=')?;
        let slot = match key {
            "Access" => &mut access_key,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => return None,
        };
        if slot.is_some() || val.is_empty() {
            return None;
        }
        *slot = Some(val);
    }
    let parsed = ParsedAuthorization {
        access_key: access_key?,
        signed_headers: signed_headers?,
        signature: signature?,
    };
    parsed
        .signed_header_names()
        .all(|name| !name.is_empty())
        .then_some(parsed)
}

/// A request as the server received it, over raw bytes.
#[derive(Debug, Clone, Copy)]
pub struct ReceivedRequest<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The path as received, still percent-encoded.
    pub path: &'a str,
    /// The query string as received, without `?` (empty if none).
    pub query: &'a str,
    /// Every header received, in any order, names in any case.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body bytes as received.
    pub body: &'a [u8],
}

/// Why a received request does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// No `Authorization` header, or more than one.
    MissingAuthorization,
    /// An `Authorization` value [`parse_authorization`] does not read.
    MalformedAuthorization,
    /// No `X-Sdk-Date` header, or more than one.
    MissingDate,
    /// A header `SignedHeaders` lists was not received.
    MissingSignedHeader(String),
    /// A header `SignedHeaders` lists was received more than once.
    DuplicateSignedHeader(String),
    /// The access key is not known.
    UnknownAccessKey(String),
    /// The signature is not the one the request's contents give.
    SignatureMismatch,
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MissingAuthorization => f.write_str("no single Authorization header"),
            Self::MalformedAuthorization => f.write_str("malformed SDK-HMAC-SHA256 Authorization"),
            Self::MissingDate => f.write_str("no single X-Sdk-Date header"),
            Self::MissingSignedHeader(name) => write!(f, "signed header `{name}` not received"),
            Self::DuplicateSignedHeader(name) => {
                write!(f, "signed header `{name}` received more than once")
            }
            Self::UnknownAccessKey(ak) => write!(f, "unknown access key `{ak}`"),
            Self::SignatureMismatch => f.write_str("signature mismatch"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// The value of the single header named `name` (any case) among `headers`; otherwise
/// how many there are.
fn single_header<'a>(headers: &[(&'a str, &'a str)], name: &str) -> Result<&'a str, usize> {
    let mut found = headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name));
    match (found.next(), found.count()) {
        (Some((_, value)), 0) => Ok(value),
        (first, more) => Err(usize::from(first.is_some()) + more),
    }
}

/// The canonical request of a received request, over the headers `signed_headers` (a
/// `SignedHeaders` value) lists, in its order. Values are trimmed; each listed header
/// must have been received exactly once.
pub fn received_canonical_request(
    request: &ReceivedRequest<'_>,
    signed_headers: &str,
) -> Result<String, VerifyError> {
    let canonical_headers = signed_headers
        .split(';')
        .map(|name| match single_header(request.headers, name) {
            Ok(value) => Ok((name, py_strip(value))),
            Err(0) => Err(VerifyError::MissingSignedHeader(name.to_owned())),
            Err(_) => Err(VerifyError::DuplicateSignedHeader(name.to_owned())),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let content_sha256 = header(request.headers, CONTENT_SHA256_HEADER).map(py_strip);
    Ok(assemble(
        request.method,
        request.path,
        &canonical_query_string(&parse_query(request.query)),
        &canonical_headers,
        &payload_hash(request.body, content_sha256),
    ))
}

/// Verifies a received request's `Authorization`: `secret_key_of` gives the SK of an
/// access key (`None` if unknown). Returns the parsed `Authorization`. The signing time's
/// skew is the caller's to check ([`parse_sdk_date`]).
pub fn verify<'a, S: AsRef<[u8]>>(
    request: &ReceivedRequest<'a>,
    secret_key_of: impl FnOnce(&str) -> Option<S>,
) -> Result<ParsedAuthorization<'a>, VerifyError> {
    let value = single_header(request.headers, "Authorization")
        .map_err(|_| VerifyError::MissingAuthorization)?;
    let parsed = parse_authorization(value).ok_or(VerifyError::MalformedAuthorization)?;
    let date = single_header(request.headers, DATE_HEADER).map_err(|_| VerifyError::MissingDate)?;
    let sk = secret_key_of(parsed.access_key)
        .ok_or_else(|| VerifyError::UnknownAccessKey(parsed.access_key.to_owned()))?;
    let canonical = received_canonical_request(request, parsed.signed_headers)?;
    let expected = hex::decode(parsed.signature).map_err(|_| VerifyError::SignatureMismatch)?;
    let mut mac = hmac_sha256(sk.as_ref());
    mac.update(string_to_sign(&canonical, py_strip(date)).as_bytes());
    // Constant-time comparison.
    mac.verify_slice(&expected)
        .map_err(|_| VerifyError::SignatureMismatch)?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_dates_on_boundaries() {
        assert_eq!(sdk_date(0), "19700101T000000Z");
        assert_eq!(sdk_date(1_700_000_000), "20231114T221320Z");
        assert_eq!(sdk_date(1_735_689_599), "20241231T235959Z");
        assert_eq!(sdk_date(1_735_689_600), "20250101T000000Z");
        assert_eq!(sdk_date(951_782_400), "20000229T000000Z");
        assert_eq!(sdk_date(4_107_542_399), "21000228T235959Z");
        assert_eq!(sdk_date(-1), "19691231T235959Z");
    }

    #[test]
    fn sdk_dates_parse_back() {
        for t in [
            0,
            1,
            59,
            86_399,
            951_782_400,
            1_700_000_000,
            4_107_542_399,
            -1,
        ] {
            assert_eq!(parse_sdk_date(&sdk_date(t)), Some(t), "{t}");
        }
        for bad in [
            "",
            "20231114T221320",
            "20231114 221320Z",
            "2023-11-14T22:13:20Z",
            "20231114T221320z",
            "20230229T000000Z",
            "20231301T000000Z",
            "20231100T000000Z",
            "20231114T240000Z",
            "20231114T226000Z",
            "20231114T221360Z",
            "2023111+T221320Z",
            "２0231114T221320Z",
        ] {
            assert_eq!(parse_sdk_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn percent_encoding_leaves_only_unreserved() {
        assert_eq!(percent_encode(b"AZaz09-._~"), "AZaz09-._~");
        assert_eq!(
            percent_encode(b" +/:@!*'()&=?#%,;$[]\"<>\\^`{|}"),
            "%20%2B%2F%3A%40%21%2A%27%28%29%26%3D%3F%23%25%2C%3B%24%5B%5D%22%3C%3E%5C%5E%60%7B%7C%7D"
        );
        assert_eq!(percent_encode("客ü".as_bytes()), "%E5%AE%A2%C3%BC");
        assert_eq!(percent_encode(b"\x00\x7f\xff"), "%00%7F%FF");
        assert_eq!(percent_encode(b""), "");
    }

    #[test]
    fn percent_decoding_keeps_what_is_not_an_escape() {
        assert_eq!(percent_decode(b"a%20b%2fc%2F+"), b"a b/c/+");
        assert_eq!(percent_decode(b"%zz%4%"), b"%zz%4%");
        assert_eq!(percent_decode(b"%%41"), b"%A");
        assert_eq!(percent_decode(b"%e6%88%b7"), "户".as_bytes());
    }

    // Expected values are what the SDK's `Signer._process_canonical_uri` and
    // `_process_canonical_query_string` return for the same inputs (huaweicloudsdkcore
    // 3.1.219).
    #[test]
    fn canonical_uris_match_the_sdk() {
        for (path, uri) in [
            ("/", "/"),
            ("/a/b/", "/a/b/"),
            ("/a//b", "/a//b/"),
            ("/v2/x%2Fy/z", "/v2/x/y/z/"),
            ("/%E5%AE%A2%20x", "/%E5%AE%A2%20x/"),
            ("/bad%zz%4", "/bad%25zz%254/"),
            ("/%e6%88A%ff", "/%EF%BF%BDA%EF%BF%BD/"),
            ("/客户 x", "/%E5%AE%A2%E6%88%B7%20x/"),
            ("/a+b:c@d!e*f(g)h'i", "/a%2Bb%3Ac%40d%21e%2Af%28g%29h%27i/"),
            ("/~._-", "/~._-/"),
            ("/%7E%2e", "/~./"),
            ("", "/"),
        ] {
            assert_eq!(canonical_uri(path), uri, "{path}");
        }
    }

    #[test]
    fn unquote_reads_ascii_runs_like_python() {
        // Python: unquote('%C3é%A9') == '\ufffdé\ufffd' (each ASCII run decoded alone).
        assert_eq!(unquote("%C3é%A9"), "\u{fffd}é\u{fffd}");
        assert_eq!(unquote("plain é"), "plain é");
        // Maximal invalid subparts each become one U+FFFD, as in Python.
        assert_eq!(
            unquote("%e6%88A%ff%c0%af%ed%a0%80"),
            "\u{fffd}A\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}"
        );
    }

    #[test]
    fn canonical_query_strings_match_the_sdk() {
        assert_eq!(
            canonical_query_string(&[("b", "2"), ("a", "1"), ("a", "0")]),
            "a=0&a=1&b=2"
        );
        assert_eq!(canonical_query_string(&[("k", ""), (" ", "~")]), "%20=~&k=");
        // Sorted before encoding: `.` < `/` although `%2F` < `.`.
        assert_eq!(
            canonical_query_string(&[("a.", "1"), ("a/", "2"), ("a", "z"), ("a", "Z")]),
            "a=Z&a=z&a.=1&a%2F=2"
        );
        assert_eq!(
            canonical_query_string(&[("ü", "ß"), ("z", "😀")]),
            "z=%F0%9F%98%80&%C3%BC=%C3%9F"
        );
        assert_eq!(canonical_query_string::<&str, &str>(&[]), "");
    }

    #[test]
    fn received_queries_canonicalise_to_what_was_signed() {
        let pairs = [("客户 ID+1/2:3", "x y"), ("b", ""), ("a", "%")];
        let sent = canonical_query_string(&pairs);
        assert_eq!(canonical_query_string(&parse_query(&sent)), sent);
        assert_eq!(
            canonical_query_string(&parse_query("b=2&a=1&&flag")),
            "a=1&b=2&flag="
        );
        assert!(parse_query("").is_empty());
    }

    #[test]
    fn python_strip_includes_the_information_separators() {
        assert_eq!(py_strip(" \t\u{1c}v a\u{1f}\u{a0}\u{3000}\n"), "v a");
        assert_eq!(py_strip("\u{200b}v"), "\u{200b}v");
    }

    #[test]
    fn payload_hash_rules() {
        assert_eq!(payload_hash(b"", Some(UNSIGNED_PAYLOAD)), EMPTY_SHA256);
        assert_eq!(payload_hash(b"", None), EMPTY_SHA256);
        assert_eq!(payload_hash(b"x", Some(UNSIGNED_PAYLOAD)), UNSIGNED_PAYLOAD);
        assert_eq!(payload_hash(b"x", Some("")), sha256_hex(b"x"));
        assert_eq!(payload_hash(b"x", Some("é")), "Ã©");
    }

    fn input<'a>(headers: &'a [(&'a str, &'a str)], body: &'a [u8]) -> SigningInput<'a> {
        SigningInput {
            method: "post",
            host: "h.example",
            path: "/v2/x",
            query: &[("q", "1")],
            headers,
            body,
            timestamp: 1_700_000_000,
        }
    }

    #[test]
    fn signer_adds_date_host_and_unsigned_payload() {
        let headers = [
            ("Content-Type", "text/plain"),
            ("X_Skip", "v"),
            ("A", " b "),
        ];
        let sent = headers_to_sign(&input(&headers, b"body"));
        let names: Vec<_> = sent.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            names,
            [
                "Content-Type=text/plain",
                "X_Skip=v",
                "A=b",
                "X-Sdk-Content-Sha256=UNSIGNED-PAYLOAD",
                "X-Sdk-Date=20231114T221320Z",
                "Host=h.example",
            ]
        );
        assert_eq!(
            signed_headers(&sent),
            "a;content-type;host;x-sdk-content-sha256;x-sdk-date"
        );
        // JSON and BSON bodies are signed; the test is case-sensitive, as in the SDK.
        for ct in [
            "application/json",
            "application/json;charset=UTF-8",
            "application/bson",
        ] {
            let headers = [("Content-Type", ct)];
            assert!(header(
                &headers_to_sign(&input(&headers, b"")),
                CONTENT_SHA256_HEADER
            )
            .is_none());
        }
        for (name, ct) in [
            ("Content-Type", "Application/JSON"),
            ("Content-Type", " application/json"),
        ] {
            let headers = [(name, ct)];
            assert!(header(
                &headers_to_sign(&input(&headers, b"")),
                CONTENT_SHA256_HEADER
            )
            .is_some());
        }
        let headers = [("content-type", "text/plain")];
        assert!(header(
            &headers_to_sign(&input(&headers, b"")),
            CONTENT_SHA256_HEADER
        )
        .is_none());
    }

    #[test]
    fn given_host_and_date_win() {
        let headers = [("host", "other:8443"), ("x-sdk-date", "20200101T000000Z")];
        let i = input(&headers, b"");
        let sent = headers_to_sign(&i);
        assert_eq!(sent.len(), 2);
        assert!(canonical_request(&i).contains("\nhost:other:8443\nx-sdk-date:20200101T000000Z\n"));
        assert_eq!(signing_date(&i), "20200101T000000Z");
    }

    #[test]
    fn canonical_request_layout() {
        let headers = [("Content-Type", "application/json")];
        assert_eq!(
            canonical_request(&input(&headers, b"")),
            format!(
                "POST\n/v2/x/\nq=1\ncontent-type:application/json\nhost:h.example\n\
                 x-sdk-date:20231114T221320Z\n\ncontent-type;host;x-sdk-date\n{EMPTY_SHA256}"
            )
        );
    }

    #[test]
    fn authorization_parses_back_and_verifies() {
        let headers = [("Content-Type", "application/json"), ("X_Skip", "v")];
        let i = input(&headers, b"{}");
        let value = authorization("AK", "SK", &i);
        let parsed = parse_authorization(&value).unwrap();
        assert_eq!(parsed.access_key, "AK");
        assert_eq!(parsed.signed_headers, "content-type;host;x-sdk-date");
        assert_eq!(
            parsed.signed_header_names().collect::<Vec<_>>(),
            ["content-type", "host", "x-sdk-date"]
        );
        assert_eq!(parsed.signature, signature("SK", &i));
        assert_eq!(parsed.signature.len(), 64);

        let sent = sign("AK", "SK", &i);
        let received: Vec<(&str, &str)> =
            sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let request = ReceivedRequest {
            method: "POST",
            path: "/v2/x",
            query: "q=1",
            headers: &received,
            body: b"{}",
        };
        assert_eq!(
            verify(&request, |ak| (ak == "AK").then_some("SK")),
            Ok(parsed)
        );
        assert_eq!(
            verify(&request, |_| None::<&str>),
            Err(VerifyError::UnknownAccessKey("AK".into()))
        );
        assert_eq!(
            verify(&request, |_| Some("other")),
            Err(VerifyError::SignatureMismatch)
        );
        let no_date: Vec<_> = received
            .iter()
            .copied()
            .filter(|(k, _)| *k != DATE_HEADER)
            .collect();
        assert_eq!(
            verify(
                &ReceivedRequest {
                    headers: &no_date,
                    ..request
                },
                |_| Some("SK")
            ),
            Err(VerifyError::MissingDate)
        );
        let no_host: Vec<_> = received
            .iter()
            .copied()
            .filter(|(k, _)| *k != "Host")
            .collect();
        assert_eq!(
            verify(
                &ReceivedRequest {
                    headers: &no_host,
                    ..request
                },
                |_| Some("SK")
            ),
            Err(VerifyError::MissingSignedHeader("host".into()))
        );
        let mut two_hosts = received.clone();
        two_hosts.push(("host", "h.example"));
        assert_eq!(
            verify(
                &ReceivedRequest {
                    headers: &two_hosts,
                    ..request
                },
                |_| Some("SK")
            ),
            Err(VerifyError::DuplicateSignedHeader("host".into()))
        );
        let no_auth: Vec<_> = received
            .iter()
            .copied()
            .filter(|(k, _)| *k != "Authorization")
            .collect();
        assert_eq!(
            verify(
                &ReceivedRequest {
                    headers: &no_auth,
                    ..request
                },
                |_| Some("SK")
            ),
            Err(VerifyError::MissingAuthorization)
        );
    }

    #[test]
    fn malformed_authorizations_are_refused() {
        for bad in [
            "",
            "Bearer x",
            "SDK-HMAC-SHA256",
            "SDK-HMAC-SHA256X Access=a, SignedHeaders=host, Signature=00",
            "SDK-HMAC-SHA256 Access=a, Signature=00",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host;;x, Signature=00",
            "SDK-HMAC-SHA256 Access=a, Access=b, SignedHeaders=host, Signature=00",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=00, Extra=1",
            "TC3-HMAC-SHA256 Credential=a/b/c/tc3_request, SignedHeaders=host, Signature=00",
        ] {
            assert_eq!(parse_authorization(bad), None, "{bad}");
        }
        assert_eq!(
            parse_authorization("SDK-HMAC-SHA256 Access=a,SignedHeaders=host,Signature=00"),
            Some(ParsedAuthorization {
                access_key: "a",
                signed_headers: "host",
                signature: "00"
            })
        );
    }
}
