//! TC3-HMAC-SHA256 verification as the Tencent mock server does it, over structured
//! requests: the harness signs with the test credentials (or with a wrong key, or sends
//! a fuzzed `Authorization`), over fuzzed signed-header lists, scopes, timestamps,
//! tokens, extra headers and bodies (changed after signing or not), and sends the result
//! through the whole server (in memory). Also the public TC3 helpers on fuzzed values.
#![no_main]
use std::net::SocketAddr;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use partnergen_fuzz::{exchange, http_request, one_line};
use partnergen_runtime::server::Checks;
use partnergen_runtime::tencent::sign::{self as tc3, CanonicalRequest};
use tencentcloud_intlpartnersmgt::mock::{server, SECRET_ID, SECRET_KEY};
use tencentcloud_intlpartnersmgt::{Action, ActionTable, Credentials, SERVICE};

const TOKEN_ID: &str = "AKIDwithtoken";
const TOKEN_KEY: &str = "token-secret-key";
const TOKEN: &str = "session-token";
const VERSION: &str = "2022-09-28";

#[derive(Arbitrary, Debug)]
enum Name {
    Index(u8),
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Timestamp {
    Now(i16),
    Unix(i64),
    Text(String),
    Absent,
}

#[derive(Arbitrary, Debug)]
enum Signature {
    Correct,
    WrongKey,
    Raw(String),
    Absent,
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// Bits: clock skew, QPS, policies, parameters (the signature check is always on).
    checks: u8,
    peer: u8,
    /// The SecretId with a session token and a policy, else the plain test one.
    with_token: bool,
    action: Name,
    version: Option<String>,
    content_type: Option<String>,
    host: String,
    target: Option<String>,
    timestamp: Timestamp,
    /// `None`: `content-type;host`.
    signed_headers: Option<Vec<String>>,
    scope_date: Option<String>,
    scope_service: Option<String>,
    secret_id: Option<String>,
    signature: Signature,
    /// `None`: the principal's own token (or none).
    token: Option<String>,
    unsigned_payload: bool,
    extra: Vec<(String, String)>,
    body: Vec<u8>,
    /// Sent instead of `body`, after signing.
    tampered_body: Option<Vec<u8>>,
}

fn header_name(name: &str) -> Option<String> {
    let name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fuzz_target!(|input: Input| {
    // The public helpers, on the fuzzed values.
    if let Signature::Raw(value) = &input.signature {
        let _ = tc3::parse_authorization(value);
    }
    if let Timestamp::Unix(t) = input.timestamp {
        let _ = tc3::scope_date(t);
    }

    let action = match &input.action {
        Name::Index(i) => Action::ALL[usize::from(*i) % Action::ALL.len()]
            .info()
            .name
            .to_owned(),
        Name::Text(text) => one_line(text),
    };
    let timestamp_text = match &input.timestamp {
        Timestamp::Now(offset) => Some((now() + i64::from(*offset)).to_string()),
        Timestamp::Unix(t) => Some(t.to_string()),
        Timestamp::Text(text) => Some(one_line(text)),
        Timestamp::Absent => None,
    };
    let (secret_id, secret_key, own_token) = if input.with_token {
        (TOKEN_ID, TOKEN_KEY, Some(TOKEN))
    } else {
        (SECRET_ID, SECRET_KEY, None)
    };
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), one_line(&input.host)),
        (
            "content-type".into(),
            input
                .content_type
                .as_deref()
                .map_or("application/json".into(), one_line),
        ),
        ("x-tc-action".into(), action),
        (
            "x-tc-version".into(),
            input.version.as_deref().map_or(VERSION.into(), one_line),
        ),
    ];
    if let Some(t) = &timestamp_text {
        headers.push(("x-tc-timestamp".into(), t.clone()));
    }
    match (&input.token, own_token) {
        (Some(token), _) => headers.push(("x-tc-token".into(), one_line(token))),
        (None, Some(token)) => headers.push(("x-tc-token".into(), token.into())),
        (None, None) => {}
    }
    if input.unsigned_payload {
        headers.push(("x-tc-content-sha256".into(), "UNSIGNED-PAYLOAD".into()));
    }
    for (name, value) in &input.extra {
        if let Some(name) = header_name(name) {
            headers.push((name, one_line(value)));
        }
    }
    let signed_names: Vec<String> = match &input.signed_headers {
        None => vec!["content-type".into(), "host".into()],
        Some(names) => names.iter().map(|n| one_line(n)).collect(),
    };
    let signed_list = signed_names.join(";");
    let target = input
        .target
        .as_deref()
        .map(|t| one_line(t).replace(' ', ""))
        .filter(|t| t.starts_with('/'))
        .unwrap_or_else(|| "/".into());
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));

    let timestamp: i64 = timestamp_text
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let authorization = match &input.signature {
        Signature::Raw(value) => Some(one_line(value)),
        Signature::Absent => None,
        Signature::Correct | Signature::WrongKey => {
            let key = match input.signature {
                Signature::Correct => secret_key,
                _ => "not-the-key",
            };
            // What the server will compute: each signed header's first value, trimmed,
            // X-TC-Action's lower-cased.
            let values: Vec<(String, String)> = signed_names
                .iter()
                .map(|name| {
                    let value = headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map_or(String::new(), |(_, v)| v.trim().to_owned());
                    let value = if name == "x-tc-action" {
                        value.to_ascii_lowercase()
                    } else {
                        value
                    };
                    (name.clone(), value)
                })
                .collect();
            let signed: Vec<(&str, &str)> = values
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let payload_hash = if input.unsigned_payload {
                tc3::payload_hash(b"UNSIGNED-PAYLOAD")
            } else {
                tc3::payload_hash(&input.body)
            };
            let canonical = CanonicalRequest {
                method: "POST",
                uri: path,
                query,
                headers: &signed,
                payload_hash: &payload_hash,
            }
            .to_string();
            let service = input
                .scope_service
                .as_deref()
                .map_or(SERVICE.into(), one_line);
            let signature = tc3::sign_canonical(key, &service, timestamp, &canonical);
            let date = input
                .scope_date
                .as_deref()
                .map_or_else(|| tc3::scope_date(timestamp), one_line);
            let id = input
                .secret_id
                .as_deref()
                .map_or(secret_id.into(), one_line);
            Some(format!(
                "{} Credential={id}/{date}/{service}/tc3_request, SignedHeaders={signed_list}, Signature={signature}",
                tc3::ALGORITHM
            ))
        }
    };
    if let Some(value) = authorization {
        headers.push(("authorization".into(), value));
    }
    let body = input.tampered_body.as_deref().unwrap_or(&input.body);
    let request = http_request("POST", &target, &headers, body);

    let checks = Checks {
        signature: true,
        clock_skew: input.checks & 1 != 0,
        qps: input.checks & 2 != 0,
        policies: input.checks & 4 != 0,
        parameters: input.checks & 8 != 0,
        ..Checks::default()
    };
    let peer: SocketAddr = match input.peer % 4 {
        0 => "127.0.0.1:40000",
        1 => "10.1.2.3:40000",
        2 => "[::ffff:10.1.2.3]:40000",
        _ => "[2001:db8::1]:40000",
    }
    .parse()
    .unwrap();
    let builder = server()
        .checks(checks)
        .credentials(Credentials::new(TOKEN_ID, TOKEN_KEY).with_token(TOKEN))
        .policy(
            TOKEN_ID,
            serde_json::json!({
                "version": "2.0",
                "statement": [
                    {"effect": "allow", "action": ["intlpartnersmgt:Describe*", "intlpartnersmgt:Query*"],
                     "resource": "*", "condition": {"ip_equal": {"qcs:ip": ["10.0.0.0/8"]}}},
                    {"effect": "deny", "action": "intlpartnersmgt:Create*", "resource": "*"}
                ]
            }),
        );
    let answer = exchange(
        |stream| async move {
            builder
                .serve_stream(stream, peer)
                .await
                .expect("the server starts");
        },
        &request,
    );
    assert!(
        answer.starts_with(b"HTTP/1.1 "),
        "no answer to a well-formed request: {:?}",
        String::from_utf8_lossy(&answer)
    );
});
