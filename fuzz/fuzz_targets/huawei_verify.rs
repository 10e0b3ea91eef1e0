//! SDK-HMAC-SHA256 over structured requests. The harness signs with the public signer
//! (fuzzed method, path, query, headers, body, time), then:
//! - verifies the request as sent with the public verifier: a request the signer signed,
//!   unchanged, must verify (names kept to what HTTP allows, each once);
//! - verifies it again after a fuzzed change (a header, the body, the path);
//! - sends it through the whole Huawei mock server (in memory), to a route of the
//!   generated table with fuzzed path parameters, permissions on or off.
#![no_main]
use std::net::SocketAddr;

use arbitrary::Arbitrary;
use huaweicloud_partner_center::mock::{server, ACCESS_KEY, SECRET_KEY};
use huaweicloud_partner_center::{Operation, OperationTable};
use libfuzzer_sys::fuzz_target;
use partnergen_fuzz::{exchange, http_request, one_line};
use partnergen_runtime::huawei::sign::{
    self as huawei_sign, parse_authorization, parse_sdk_date, sdk_date, verify, ReceivedRequest, SigningInput,
};
use partnergen_runtime::server::Checks;

#[derive(Arbitrary, Debug)]
enum Route {
    /// An operation of the table, its path parameters filled with these values.
    Operation(u8, Vec<String>),
    /// Any method and path.
    Free(String, String),
}

#[derive(Arbitrary, Debug)]
enum Change {
    None,
    Header(String, String),
    Body(Vec<u8>),
    Path(String),
    Authorization(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    route: Route,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Seconds from now.
    offset: i32,
    change: Change,
    /// Bits: clock skew, permissions, parameters.
    checks: u8,
    permissions: Option<Vec<String>>,
}

/// A header name HTTP allows, or none.
fn header_name(name: &str) -> Option<String> {
    let name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let reserved = [
        "authorization",
        "content-length",
        "transfer-encoding",
        "host",
    ];
    let lower = name.to_ascii_lowercase();
    // The signer adds `X-Sdk-Content-Sha256` by that exact spelling (as the SDK does), so
    // another spelling would go out twice.
    let other_spelling =
        lower == "x-sdk-content-sha256" && name != huawei_sign::CONTENT_SHA256_HEADER;
    (!name.is_empty() && !reserved.contains(&lower.as_str()) && !other_spelling).then_some(name)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fuzz_target!(|input: Input| {
    let (method, path) = match &input.route {
        Route::Operation(i, values) => {
            let op = Operation::ALL[usize::from(*i) % Operation::ALL.len()];
            let info = op.info();
            let mut path = info.path.to_owned();
            for (n, name) in info.path_params.iter().enumerate() {
                let value = values.get(n).map_or("x", String::as_str);
                let value = huawei_sign::percent_encode(value.as_bytes());
                path = path.replace(&format!("{{{name}}}"), &value);
            }
            (info.method.as_str().to_owned(), path)
        }
        Route::Free(method, path) => (one_line(method), one_line(path)),
    };
    // Each name once (any case), values on one line: what a request on the wire can be.
    let mut headers: Vec<(String, String)> = Vec::new();
    for (name, value) in &input.headers {
        if let Some(name) = header_name(name) {
            if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(&name)) {
                headers.push((name, one_line(value)));
            }
        }
    }
    let query: Vec<(&str, &str)> = input
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let timestamp = now() + i64::from(input.offset);
    let host = "127.0.0.1:1";
    let signing = SigningInput {
        method: &method,
        host,
        path: &path,
        query: &query,
        headers: &header_refs,
        body: &input.body,
        timestamp,
    };
    let signed = huawei_sign::sign(ACCESS_KEY, SECRET_KEY, &signing);
    let query_string = huawei_sign::canonical_query_string(&query);

    // The signer's own request verifies.
    let sent: Vec<(&str, &str)> = signed
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let received = ReceivedRequest {
        method: &method,
        path: &path,
        query: &query_string,
        headers: &sent,
        body: &input.body,
    };
    if let Err(err) = verify(&received, |ak| (ak == ACCESS_KEY).then_some(SECRET_KEY)) {
        panic!("a request the signer signed does not verify: {err}\n{received:#?}");
    }
    let date = sent
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(huawei_sign::DATE_HEADER))
        .map(|(_, v)| *v)
        .unwrap_or_default();
    if let Some(t) = parse_sdk_date(date) {
        assert_eq!(sdk_date(t), date, "an X-Sdk-Date does not print back");
    }

    // A changed request: no panic, and the verifier's answer is an answer.
    let mut changed_headers = signed.clone();
    let mut changed_body = input.body.clone();
    let mut changed_path = path.clone();
    match &input.change {
        Change::None => {}
        Change::Header(name, value) => {
            changed_headers.push((one_line(name), one_line(value)));
        }
        Change::Body(body) => changed_body = body.clone(),
        Change::Path(p) => changed_path = one_line(p),
        Change::Authorization(value) => {
            let _ = parse_authorization(value);
            for (k, v) in &mut changed_headers {
                if k == "Authorization" {
                    *v = one_line(value);
                }
            }
        }
    }
    let changed: Vec<(&str, &str)> = changed_headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let _ = verify(
        &ReceivedRequest {
            method: &method,
            path: &changed_path,
            query: &query_string,
            headers: &changed,
            body: &changed_body,
        },
        |ak| (ak == ACCESS_KEY).then_some(SECRET_KEY),
    )
    .map_err(|e| e.to_string());

    // The whole server.
    let target = if query_string.is_empty() {
        changed_path.clone()
    } else {
        format!("{changed_path}?{query_string}")
    };
    if !target.starts_with('/') || target.contains(' ') {
        return;
    }
    let checks = Checks {
        signature: true,
        clock_skew: input.checks & 1 != 0,
        permissions: input.checks & 2 != 0,
        parameters: input.checks & 4 != 0,
        ..Checks::default()
    };
    let mut builder = server().checks(checks);
    if let Some(permissions) = &input.permissions {
        builder = builder.permissions(permissions.iter().map(|p| one_line(p)));
    }
    let request = http_request(&method, &target, &changed_headers, &changed_body);
    let peer: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    exchange(|stream| builder.serve_stream(stream, peer), &request);
});
