//! Sign, then verify: whatever the request, what the signer signed verifies, and a
//! change to a covered byte does not.
//!
//! - TC3-HMAC-SHA256: signed with [`tc3::authorization`], verified by the mock server's
//!   own check (the whole request path, over an in-memory connection) for a one-action
//!   service declared here.
//! - SDK-HMAC-SHA256: signed with [`huawei_sign::sign`], verified with
//!   [`huawei_sign::verify`].
#![cfg(all(feature = "mock", feature = "tencent", feature = "huawei"))]

use std::net::SocketAddr;

use partnergen_runtime::credentials::Credentials;
use partnergen_runtime::huawei::sign::{self as huawei_sign, ReceivedRequest, VerifyError};
use partnergen_runtime::server::Checks;
use partnergen_runtime::tables::{ActionInfo, ActionTable, Qps};
use partnergen_runtime::tencent::server::{MockServerBuilder, ServiceDef};
use partnergen_runtime::tencent::sign::{self as tc3, SigningInput};
use proptest::prelude::*;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ping;

impl ActionTable for Ping {
    const ALL: &'static [Self] = &[Ping];
    const INFO: &'static [ActionInfo] = &[ActionInfo {
        name: "Ping",
        title: "Ping",
        category: None,
        cam_class: None,
        granularity: None,
        resource: None,
        ip_restriction: None,
        qps: Qps::Assumed(20),
        in_api_definition: false,
    }];
    fn index(self) -> usize {
        0
    }
}

const SERVICE: &str = "pingsvc";
const VERSION: &str = "2020-01-01";

fn service() -> ServiceDef<Ping> {
    ServiceDef {
        service: SERVICE,
        version: VERSION,
        check_request: |_, _| None,
        defaults: |_| Some(r#"{"Response": {"Pong": true}}"#),
        paging: |_| None,
        error_codes: &[],
    }
}

/// A TC3 request as the client sends it.
#[derive(Debug, Clone)]
struct Tc3Request {
    secret_id: String,
    secret_key: String,
    host: String,
    content_type: String,
    timestamp: i64,
    body: Vec<u8>,
}

impl Tc3Request {
    fn raw(&self, body: &[u8]) -> Vec<u8> {
        let input = SigningInput {
            method: "POST",
            content_type: &self.content_type,
            host: &self.host,
            service: SERVICE,
            timestamp: self.timestamp,
            payload: &self.body,
        };
        let authorization = tc3::authorization(&self.secret_id, &self.secret_key, &input);
        let mut raw = format!(
            "POST / HTTP/1.1\r\nhost: {}\r\ncontent-type: {}\r\nx-tc-action: Ping\r\nx-tc-version: {VERSION}\r\nx-tc-timestamp: {}\r\nauthorization: {authorization}\r\ncontent-length: {}\r\n\r\n",
            self.host,
            self.content_type,
            self.timestamp,
            body.len()
        )
        .into_bytes();
        raw.extend_from_slice(body);
        raw
    }
}

/// The `Response` object the server answers `raw` with (clock-skew check off, so any
/// timestamp is in range; QPS off, so cases do not run into the limit).
fn answer(request: &Tc3Request, raw: Vec<u8>) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let builder = MockServerBuilder::new(service())
        .credentials(Credentials::new(&request.secret_id, &request.secret_key))
        .checks(Checks {
            clock_skew: false,
            qps: false,
            ..Checks::default()
        });
    let peer: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let bytes = runtime.block_on(async {
        let (client, server) = tokio::io::duplex(1 << 20);
        let (mut from_server, mut to_server) = tokio::io::split(client);
        let send = async move {
            to_server.write_all(&raw).await.unwrap();
            // hyper drops a request in flight when its client half-closes: let the server
            // read and answer (a few polls, all in memory) before sending the end.
            for _ in 0..64 {
                tokio::task::yield_now().await;
            }
            to_server.shutdown().await.unwrap();
        };
        let mut answer = Vec::new();
        let (served, (), read) = tokio::join!(
            builder.serve_stream(server, peer),
            send,
            from_server.read_to_end(&mut answer)
        );
        served.unwrap();
        read.unwrap();
        answer
    });
    let text = String::from_utf8(bytes).unwrap();
    let (_, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("an HTTP answer: {text:?}"));
    let envelope: Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("a JSON body ({e}): {body:?}"));
    assert!(
        envelope["Response"].is_object(),
        "not an API answer: {text:?}"
    );
    envelope["Response"].clone()
}

/// Header-value text as HTTP carries it: visible ASCII with inner spaces, no leading or
/// trailing whitespace (the wire trims those).
fn header_text() -> impl Strategy<Value = String> {
    "[!-~]([ -~]{0,30}[!-~])?"
}

fn tc3_request() -> impl Strategy<Value = Tc3Request> {
    (
        // The SecretId ends the credential scope's first part: no `/`, `,`, `=` or space.
        "[A-Za-z0-9_-]{1,40}",
        // Any key, non-ASCII included.
        any::<String>(),
        header_text(),
        prop_oneof![
            Just("application/json".to_owned()),
            Just("application/json; charset=utf-8".to_owned()),
            header_text().prop_map(|t| format!("application/json;{t}")),
        ],
        // 1900 to 2200, and the epoch's neighbours.
        prop_oneof![-2_208_988_800i64..7_258_118_400, -86_400i64..86_400],
        proptest::collection::vec(any::<u8>(), 0..512),
    )
        .prop_map(
            |(secret_id, secret_key, host, content_type, timestamp, body)| Tc3Request {
                secret_id,
                secret_key,
                host,
                content_type,
                timestamp,
                body,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tc3_signed_requests_verify(request in tc3_request()) {
        let response = answer(&request, request.raw(&request.body));
        prop_assert!(response.get("Error").is_none(), "refused: {response}");
        prop_assert_eq!(&response["Pong"], &Value::Bool(true), "{}", response);
    }

    #[test]
    fn tc3_changed_body_does_not_verify(request in tc3_request(), at in any::<prop::sample::Index>(), flip in 1u8..) {
        let mut body = request.body.clone();
        if body.is_empty() {
            body.push(flip);
        } else {
            let i = at.index(body.len());
            body[i] ^= flip;
        }
        let response = answer(&request, request.raw(&body));
        prop_assert_eq!(&response["Error"]["Code"], "AuthFailure.SignatureFailure", "{}", response);
    }

    #[test]
    fn tc3_authorization_parses_back(request in tc3_request()) {
        let input = SigningInput {
            method: "POST",
            content_type: &request.content_type,
            host: &request.host,
            service: SERVICE,
            timestamp: request.timestamp,
            payload: &request.body,
        };
        let value = tc3::authorization(&request.secret_id, &request.secret_key, &input);
        let parsed = tc3::parse_authorization(&value).expect("the signer's Authorization parses");
        let date = tc3::scope_date(request.timestamp);
        prop_assert_eq!(parsed.secret_id, request.secret_id.as_str());
        prop_assert_eq!(parsed.date, date.as_str());
        prop_assert_eq!(parsed.service, SERVICE);
        prop_assert_eq!(parsed.signed_headers, tc3::SIGNED_HEADERS);
        let signature = tc3::signature(&request.secret_key, &input);
        prop_assert_eq!(parsed.signature, signature.as_str());
    }
}

type Pairs<'a> = Vec<(&'a str, &'a str)>;

/// A Huawei request as the client builds it, before signing.
#[derive(Debug, Clone)]
struct HuaweiRequest {
    ak: String,
    sk: String,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    timestamp: i64,
}

impl HuaweiRequest {
    /// The query pairs and the headers, borrowed.
    fn input(&self) -> (Pairs<'_>, Pairs<'_>) {
        let query = self
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let headers = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        (query, headers)
    }

    /// The signed headers (`Authorization` last) and the query string as sent.
    fn sign(&self) -> (Vec<(String, String)>, String) {
        let (query, headers) = self.input();
        let input = huawei_sign::SigningInput {
            method: &self.method,
            host: "127.0.0.1:8443",
            path: &self.path,
            query: &query,
            headers: &headers,
            body: &self.body,
            timestamp: self.timestamp,
        };
        (
            huawei_sign::sign(&self.ak, &self.sk, &input),
            huawei_sign::canonical_query_string(&query),
        )
    }
}

fn verify_sent(
    request: &HuaweiRequest,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(), VerifyError> {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let received = ReceivedRequest {
        method: &request.method,
        path,
        query,
        headers: &headers,
        body,
    };
    huawei_sign::verify(&received, |ak| {
        (ak == request.ak).then_some(request.sk.as_bytes())
    })
    .map(|_| ())
}

fn huawei_request() -> impl Strategy<Value = HuaweiRequest> {
    let header = (
        prop_oneof![
            Just("Content-Type".to_owned()),
            Just("X-Language".to_owned()),
            Just("X-Project-Id".to_owned()),
            Just("User-Agent".to_owned()),
            Just("X_Not_Signed".to_owned()),
            "X-[A-Za-z0-9-]{1,12}",
        ],
        prop_oneof![
            Just("application/json".to_owned()),
            Just("text/plain".to_owned()),
            header_text(),
        ],
    );
    (
        // The access key ends at `,` in the Authorization value.
        "[A-Za-z0-9]{1,24}",
        any::<String>(),
        prop_oneof![
            Just("GET".to_owned()),
            Just("POST".to_owned()),
            Just("PUT".to_owned()),
            Just("delete".to_owned()),
        ],
        // Paths as sent: already percent-encoded, or not (unreserved and `%XX` text).
        prop_oneof![
            "(/[A-Za-z0-9._~-]{0,8}){1,5}/?",
            "(/([A-Za-z0-9]|%[0-9A-F]{2}){0,6}){1,4}",
        ],
        proptest::collection::vec((any::<String>(), any::<String>()), 0..4),
        proptest::collection::vec(header, 0..4),
        proptest::collection::vec(any::<u8>(), 0..256),
        -2_208_988_800i64..7_258_118_400,
    )
        .prop_map(|(ak, sk, method, path, query, headers, body, timestamp)| {
            // Each header once, any case: a repeated name would go out twice.
            let mut unique: Vec<(String, String)> = Vec::new();
            for (name, value) in headers {
                if !unique.iter().any(|(k, _)| k.eq_ignore_ascii_case(&name)) {
                    unique.push((name, value));
                }
            }
            HuaweiRequest {
                ak,
                sk,
                method,
                path,
                query,
                headers: unique,
                body,
                timestamp,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn huawei_signed_requests_verify(request in huawei_request()) {
        let (headers, query) = request.sign();
        let verified = verify_sent(&request, &request.path, &query, &headers, &request.body);
        prop_assert_eq!(verified, Ok(()));
    }

    #[test]
    fn huawei_changed_signed_header_does_not_verify(request in huawei_request(), suffix in "[A-Za-z0-9]{1,8}") {
        let (mut headers, query) = request.sign();
        // X-Sdk-Date is always signed.
        let date = headers
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(huawei_sign::DATE_HEADER))
            .expect("the signer adds X-Sdk-Date");
        date.1.push_str(&suffix);
        let verified = verify_sent(&request, &request.path, &query, &headers, &request.body);
        prop_assert_eq!(verified, Err(VerifyError::SignatureMismatch));
    }

    #[test]
    fn huawei_changed_query_or_path_does_not_verify(request in huawei_request(), extra in "[a-z]{1,6}") {
        let (headers, query) = request.sign();
        let more = if query.is_empty() { format!("{extra}=1") } else { format!("{query}&{extra}=1") };
        let verified = verify_sent(&request, &request.path, &more, &headers, &request.body);
        prop_assert_eq!(verified, Err(VerifyError::SignatureMismatch));
        let path = format!("{}/{extra}", request.path.trim_end_matches('/'));
        let verified = verify_sent(&request, &path, &query, &headers, &request.body);
        prop_assert_eq!(verified, Err(VerifyError::SignatureMismatch));
    }
}
