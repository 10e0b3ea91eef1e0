//! Both mock servers against hostile requests: extreme and duplicated header values,
//! oversized values (refused before they are logged), IPv4-mapped source addresses,
//! Huawei path and query parameters, `--disable signature` without a timestamp, and a
//! property test sending arbitrary values of every header the pipelines read. Every
//! request gets an HTTP reply in the service's error shape, never a closed connection.

mod wire;

use huaweicloud_partner_center::mock as hw;
use huaweicloud_partner_center::Operation;
use partnergen_runtime::huawei::RequestParts;
use partnergen_runtime::transport::HttpRequest;
use proptest::prelude::*;
use serde_json::json;
use tencentcloud_intlpartnersmgt::mock::{self as tc, Checks};
use tencentcloud_intlpartnersmgt::{models, Client, Credentials, RetryPolicy};
use wire::{exchange, exchange_blocking, signed, unix_now, Raw};

/// A request signed by the Tencent test client.
fn tencent_request(server: &tc::Server, timestamp: i64) -> HttpRequest {
    signed(
        &tc::server_client(server),
        "QueryPartnerCredit",
        "{}",
        timestamp,
    )
}

/// A Huawei request signed by the test client (ShowPartnerConsumptionQuota: no
/// parameters).
fn huawei_request(server: &hw::Server, timestamp: i64) -> HttpRequest {
    hw::server_client(server)
        .engine()
        .signed_request(
            &huaweicloud_partner_center::models::ShowPartnerConsumptionQuotaRequest::new(),
            timestamp,
        )
        .unwrap()
}

fn replace_header(request: &mut HttpRequest, name: &'static str, value: &str) {
    request
        .headers
        .retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    request.headers.push((name, value.to_owned()));
}

/// The Huawei error code and message of an answer.
fn huawei_error(raw: &Raw) -> (u16, Option<String>, String) {
    let json = raw.json();
    (
        raw.status,
        json["error_code"].as_str().map(str::to_owned),
        json["error_msg"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Huawei's error shape: a 4xx status, `error_code`, `error_msg`, `request_id` equal to
/// `X-Request-Id`.
fn assert_huawei_error_shape(raw: &Raw) {
    assert!((400..500).contains(&raw.status), "{raw:?}");
    assert_eq!(raw.header("content-type"), Some("application/json"));
    let json = raw.json();
    assert!(json["error_code"].is_string(), "{raw:?}");
    assert!(json["error_msg"].is_string(), "{raw:?}");
    assert_eq!(json["request_id"].as_str(), raw.header("x-request-id"));
}

#[tokio::test]
async fn extreme_timestamps_get_an_error_reply_never_a_closed_connection() {
    let server = tc::server().start().await.unwrap();
    let lenient = tc::server()
        .checks(Checks {
            signature: false,
            ..Checks::default()
        })
        .start()
        .await
        .unwrap();
    for server in [&server, &lenient] {
        for value in [
            "-9223372036854775808",
            "9223372036854775807",
            "-9223372036854775807",
            "99999999999999999999",
            "-1",
            "0",
            "1e9",
            "",
        ] {
            let mut request = tencent_request(server, unix_now());
            replace_header(&mut request, "X-TC-Timestamp", value);
            let raw = exchange(server.addr(), &wire::as_sent(&request)).await;
            raw.assert_service_shape();
            let code = raw.code().unwrap_or_else(|| panic!("{value}: {raw:?}"));
            assert!(
                [
                    "AuthFailure.SignatureExpire",
                    "InvalidParameter",
                    "MissingParameter"
                ]
                .contains(&code.as_str()),
                "{value}: {code}: {}",
                raw.message()
            );
        }
    }
    // With the skew check off too, the signature check meets the extreme value.
    let no_skew = tc::server()
        .checks(Checks {
            clock_skew: false,
            ..Checks::default()
        })
        .start()
        .await
        .unwrap();
    for timestamp in [i64::MIN, i64::MAX, -1] {
        let request = tencent_request(&no_skew, timestamp);
        let raw = exchange(no_skew.addr(), &wire::as_sent(&request)).await;
        raw.assert_service_shape();
    }

    let huawei = hw::server().start().await.unwrap();
    for value in [
        "99991231T235959Z",
        "00000101T000000Z",
        "00000229T000000Z",
        "20241301T000000Z",
        "-9223372036854775808",
        "",
    ] {
        let mut request = huawei_request(&huawei, unix_now());
        replace_header(&mut request, "X-Sdk-Date", value);
        let raw = exchange(huawei.addr(), &wire::as_sent(&request)).await;
        assert_huawei_error_shape(&raw);
    }
}

#[tokio::test]
async fn duplicated_headers_get_a_clear_error() {
    let server = tc::server().start().await.unwrap();
    for (name, code) in [
        ("Authorization", "AuthFailure.InvalidAuthorization"),
        ("X-TC-Action", "InvalidParameter"),
        ("X-TC-Timestamp", "InvalidParameter"),
        ("X-TC-Version", "InvalidParameter"),
        ("Content-Type", "InvalidParameter"),
    ] {
        let mut request = tencent_request(&server, unix_now());
        let value = request.header(name).unwrap().to_owned();
        // The same value twice: a server reading only the first would answer.
        request.headers.push((name, value));
        let raw = exchange(server.addr(), &wire::as_sent(&request)).await;
        raw.assert_service_shape();
        assert_eq!(raw.code().as_deref(), Some(code), "{name}: {raw:?}");
        assert!(raw.message().contains(name), "{name}: {}", raw.message());
        assert!(
            raw.message().contains("2 times"),
            "{name}: {}",
            raw.message()
        );
    }

    let huawei = hw::server().start().await.unwrap();
    for (name, code) in [
        ("Authorization", "APIGW.0301"),
        ("X-Sdk-Date", "APIGW.0301"),
        ("Host", "CBC.0100"),
    ] {
        let mut request = huawei_request(&huawei, unix_now());
        let value = request
            .header(name)
            .map(str::to_owned)
            .unwrap_or_else(|| huawei.addr().to_string());
        request.headers.push((name, value));
        let raw = exchange(huawei.addr(), &wire::as_sent(&request)).await;
        assert_huawei_error_shape(&raw);
        let (_, got, message) = huawei_error(&raw);
        assert_eq!(got.as_deref(), Some(code), "{name}: {raw:?}");
        assert!(message.contains(name), "{name}: {message}");
    }
}

#[tokio::test]
async fn oversized_header_values_are_refused_before_they_are_logged() {
    let server = tc::server().start().await.unwrap();
    let huge = "A".repeat(60 << 10);
    for name in [
        "X-TC-Action",
        "Authorization",
        "X-TC-Version",
        "Content-Type",
    ] {
        let mut request = tencent_request(&server, unix_now());
        replace_header(&mut request, name, &huge);
        let raw = exchange(server.addr(), &wire::as_sent(&request)).await;
        raw.assert_service_shape();
        assert!(raw.code().is_some(), "{name}: {raw:?}");
        assert!(raw.body.len() < 2048, "{name}: {} bytes", raw.body.len());
        let entry = server.log().pop().unwrap();
        let held = entry.reason.len()
            + entry.action.as_ref().map_or(0, String::len)
            + entry.access_key_id.as_ref().map_or(0, String::len)
            + entry.statement.as_ref().map_or(0, String::len);
        assert!(held < 1024, "{name}: the log holds {held} bytes: {entry:?}");
    }

    let huawei = hw::server().start().await.unwrap();
    let mut long_path = huawei_request(&huawei, unix_now());
    long_path.url = format!("{}/v2/{}", huawei.url(), huge);
    let mut long_authorization = huawei_request(&huawei, unix_now());
    replace_header(
        &mut long_authorization,
        "Authorization",
        &format!("SDK-HMAC-SHA256 Access={huge}, SignedHeaders=host, Signature=00"),
    );
    for request in [long_path, long_authorization] {
        let raw = exchange(huawei.addr(), &wire::as_sent(&request)).await;
        assert_huawei_error_shape(&raw);
        assert!(raw.body.len() < 2048, "{} bytes", raw.body.len());
        let entry = huawei.log().pop().unwrap();
        let held = entry.reason.len()
            + entry.action.as_ref().map_or(0, String::len)
            + entry.access_key_id.as_ref().map_or(0, String::len);
        assert!(held < 1024, "the log holds {held} bytes: {entry:?}");
    }
}

#[tokio::test]
async fn disabling_the_signature_check_does_not_require_a_timestamp() {
    let server = tc::server()
        .checks(Checks {
            signature: false,
            ..Checks::default()
        })
        .start()
        .await
        .unwrap();
    let mut request = tencent_request(&server, unix_now());
    request.headers.retain(|(k, _)| *k != "X-TC-Timestamp");
    request.headers.retain(|(k, _)| *k != "Authorization");
    let raw = exchange(server.addr(), &wire::as_sent(&request)).await;
    assert_eq!(raw.code(), None, "{}", raw.message());
    // A timestamp that is there is still held to the clock.
    let old = tencent_request(&server, unix_now() - 3600);
    let raw = exchange(server.addr(), &wire::as_sent(&old)).await;
    assert_eq!(raw.code().as_deref(), Some("AuthFailure.SignatureExpire"));

    let huawei = hw::server()
        .checks(hw::Checks {
            signature: false,
            ..hw::Checks::default()
        })
        .start()
        .await
        .unwrap();
    let mut request = huawei_request(&huawei, unix_now());
    request.headers.retain(|(k, _)| *k != "X-Sdk-Date");
    request.headers.retain(|(k, _)| *k != "Authorization");
    let raw = exchange(huawei.addr(), &wire::as_sent(&request)).await;
    assert_eq!(raw.status, 200, "{raw:?}");
}

#[tokio::test]
async fn ipv4_mapped_sources_are_seen_as_ipv4_by_policies_and_the_log() {
    const READER_ID: &str = "AKIDreader";
    const READER_KEY: &str = "reader-secret-key";
    let policy = |effect: &str| {
        json!({"version": "2.0", "statement": [
            {"effect": "allow", "action": ["intlpartnersmgt:*"], "resource": ["*"]},
            {"effect": effect, "sid": "loopback", "action": ["intlpartnersmgt:QueryPartnerCredit"],
             "resource": ["*"], "condition": {"ip_equal": {"qcs:ip": ["127.0.0.0/8"]}}}]})
    };
    // A dual-stack listener: IPv4 clients arrive as ::ffff:a.b.c.d.
    let server = tc::server()
        .addr("[::]:0".parse().unwrap())
        .allow_remote(true)
        .credentials(Credentials::new(READER_ID, READER_KEY))
        .policy(READER_ID, policy("deny"))
        .start()
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{}", server.addr().port());
    let client = Client::builder()
        .credentials(Credentials::new(READER_ID, READER_KEY))
        .endpoint(&url)
        .retry_policy(RetryPolicy::disabled())
        .without_rate_limits()
        .build()
        .unwrap();
    let denied = client
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap_err();
    assert_eq!(
        denied.api().unwrap().code,
        "AuthFailure.UnauthorizedOperation"
    );
    assert!(denied.to_string().contains("from 127.0.0.1:"), "{denied}");
    let entry = server.log().pop().unwrap();
    assert_eq!(entry.source_ip.to_string(), "127.0.0.1");
    assert_eq!(
        entry.statement.as_deref(),
        Some("policy 0, statement 1 (sid loopback)")
    );
}

#[tokio::test]
async fn huawei_path_and_query_parameters_are_checked() {
    let server = hw::server().start().await.unwrap();
    let client = hw::server_client(&server);
    let now = unix_now();
    let send = |parts: RequestParts| {
        let request = client
            .engine()
            .signed_raw_request(Operation::ListInvoices, &parts, Vec::new(), now)
            .unwrap();
        let addr = server.addr();
        async move { exchange(addr, &wire::as_sent(&request)).await }
    };
    let base = || {
        RequestParts::new()
            .path("domain_id", "d-1")
            .query("start_time", "2024-01")
            .query("end_time", "2024-02")
    };
    let ok = send(base().query("offset", &1i64).query("limit", &10i64)).await;
    assert_eq!(ok.status, 200, "{ok:?}");

    let cases = [
        (base().query("limit", &10i64), "`offset`", "missing"),
        (
            base().query("offset", &0i64).query("limit", "ten"),
            "`limit`",
            "integer",
        ),
        (
            base()
                .query("offset", &0i64)
                .query("limit", &1i64)
                .query("limit", &2i64),
            "`limit`",
            "2 times",
        ),
        (
            base()
                .query("offset", &0i64)
                .query("limit", "99999999999999999999"),
            "`limit`",
            "integer",
        ),
    ];
    for (parts, parameter, why) in cases {
        let raw = send(parts).await;
        assert_huawei_error_shape(&raw);
        let (status, code, message) = huawei_error(&raw);
        assert_eq!(
            (status, code.as_deref()),
            (400, Some("CBC.0100")),
            "{message}"
        );
        assert!(message.contains(parameter), "{message}");
        assert!(message.contains(why), "{message}");
        assert!(message.starts_with("ListInvoices: "), "{message}");
    }

    // A header parameter (X-Language of ShowCustomerOrderDetails) given twice.
    let parts = RequestParts::new()
        .path("order_id", "CS01")
        .header("X-Language", "en_US");
    let mut request = client
        .engine()
        .signed_raw_request(Operation::ShowCustomerOrderDetails, &parts, Vec::new(), now)
        .unwrap();
    let once = exchange(server.addr(), &wire::as_sent(&request)).await;
    assert_eq!(once.status, 200, "{once:?}");
    request.headers.push(("X-Language", "zh_CN".to_owned()));
    let twice = exchange(server.addr(), &wire::as_sent(&request)).await;
    // It is a signed header: the signature check refuses it first ...
    assert_eq!(huawei_error(&twice).1.as_deref(), Some("APIGW.0301"));
    // ... and without that check, the parameter check does.
    server.set_checks(hw::Checks {
        signature: false,
        ..hw::Checks::default()
    });
    let twice = exchange(server.addr(), &wire::as_sent(&request)).await;
    let (status, code, message) = huawei_error(&twice);
    assert_eq!(
        (status, code.as_deref()),
        (400, Some("CBC.0100")),
        "{message}"
    );
    assert!(
        message.contains("header `X-Language` is given 2 times"),
        "{message}"
    );
}

#[tokio::test]
async fn the_admin_endpoint_is_not_served_on_other_addresses_by_default() {
    for addr in ["0.0.0.0:0", "[::]:0"] {
        let err = tc::server()
            .addr(addr.parse().unwrap())
            .start()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("allow_remote"), "{addr}: {err}");
        let err = hw::server()
            .addr(addr.parse().unwrap())
            .start()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("allow_remote"), "{addr}: {err}");
    }
    // Loopback, IPv4 or IPv6, needs nothing.
    tc::server()
        .addr("[::1]:0".parse().unwrap())
        .start()
        .await
        .unwrap();
}

/// The headers each pipeline reads, with values no client would send.
fn hostile_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-9223372036854775808".to_owned()),
        Just("9223372036854775807".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just(String::new()),
        Just("TC3-HMAC-SHA256 Credential=/".to_owned()),
        Just("SDK-HMAC-SHA256 Access=, SignedHeaders=;;, Signature=".to_owned()),
        Just("TC3-HMAC-SHA256 Credential=AKIDmock/2024-01-01/intlpartnersmgt/tc3_request, SignedHeaders=content-type;host;x-tc-action;x-tc-action, Signature=00".to_owned()),
        "[0-9-]{0,25}",
        "[0-9TZ]{14,18}",
        "[ -~]{0,300}",
        // obs-text: bytes over 0x7f, which hyper passes on and `to_str` refuses.
        "[ -~\u{80}-\u{ff}]{0,64}",
        "[A-Za-z]{2000,5000}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_header_value_gets_the_service_s_error_shape(
        header in prop::sample::select(vec![
            "Authorization", "X-TC-Action", "X-TC-Version", "X-TC-Timestamp", "X-TC-Token",
            "X-TC-Content-SHA256", "Content-Type", "Host",
        ]),
        value in hostile_value(),
        signature in any::<bool>(),
    ) {
        let server = tc_server(signature);
        let mut request = tencent_request(server, unix_now());
        let bytes = request_bytes(&mut request, header, &value);
        let raw = exchange_blocking(server.addr(), &bytes);
        prop_assert_eq!(raw.status, 200, "{:?}", raw);
        let json = raw.json();
        prop_assert!(json["Response"]["RequestId"].is_string(), "{}", json);
    }

    #[test]
    fn any_huawei_header_value_gets_the_service_s_error_shape(
        header in prop::sample::select(vec![
            "Authorization", "X-Sdk-Date", "X-Security-Token", "Host", "Content-Type",
            "X-Language",
        ]),
        value in hostile_value(),
        signature in any::<bool>(),
    ) {
        let server = hw_server(signature);
        let mut request = huawei_request(server, unix_now());
        let bytes = request_bytes(&mut request, header, &value);
        let raw = exchange_blocking(server.addr(), &bytes);
        let json = raw.json();
        prop_assert!(raw.header("x-request-id").is_some(), "{:?}", raw);
        if raw.status != 200 {
            prop_assert!((400..500).contains(&raw.status), "{:?}", raw);
            prop_assert!(json["error_code"].is_string(), "{}", json);
            prop_assert_eq!(json["request_id"].as_str(), raw.header("x-request-id"));
        }
    }
}

/// The request's bytes with `header` set to `value` (latin-1 bytes for chars up to
/// U+00FF, as obs-text travels).
fn request_bytes(request: &mut HttpRequest, header: &'static str, value: &str) -> Vec<u8> {
    request
        .headers
        .retain(|(k, _)| !k.eq_ignore_ascii_case(header));
    let marker = "\u{1}MARK\u{1}";
    request.headers.push((header, marker.to_owned()));
    let bytes = wire::as_sent(request);
    let text = String::from_utf8(bytes).unwrap();
    let (before, after) = text.split_once(marker).unwrap();
    let mut out = before.as_bytes().to_vec();
    out.extend(value.chars().map(|c| c as u32 as u8));
    out.extend(after.as_bytes());
    out
}

/// One blocking server per configuration for the whole property run.
fn tc_server(signature: bool) -> &'static tc::Server {
    use std::sync::OnceLock;
    static SIGNED: OnceLock<tc::Server> = OnceLock::new();
    static UNSIGNED: OnceLock<tc::Server> = OnceLock::new();
    let cell = if signature { &SIGNED } else { &UNSIGNED };
    cell.get_or_init(|| {
        tc::server()
            .checks(Checks {
                signature,
                qps: false,
                ..Checks::default()
            })
            .start_blocking()
            .unwrap()
    })
}

fn hw_server(signature: bool) -> &'static hw::Server {
    use std::sync::OnceLock;
    static SIGNED: OnceLock<hw::Server> = OnceLock::new();
    static UNSIGNED: OnceLock<hw::Server> = OnceLock::new();
    let cell = if signature { &SIGNED } else { &UNSIGNED };
    cell.get_or_init(|| {
        hw::server()
            .checks(hw::Checks {
                signature,
                ..hw::Checks::default()
            })
            .start_blocking()
            .unwrap()
    })
}

#[tokio::test]
async fn allowed_off_loopback_the_admin_endpoint_wants_the_token() {
    let server = tc::server()
        .addr("0.0.0.0:0".parse().unwrap())
        .allow_remote(true)
        .start()
        .await
        .unwrap();
    let token = server
        .admin_token()
        .expect("a token when allowed off loopback");
    assert_eq!(token.len(), 32);
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], server.addr().port()));
    let log = |header: Option<String>| {
        let mut bytes = "GET /_mock/log HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".to_owned();
        if let Some(header) = header {
            bytes.push_str(&header);
        }
        bytes.push_str("\r\n");
        async move { exchange(addr, bytes.as_bytes()).await }
    };
    for header in [
        None,
        Some("X-Mock-Admin-Token: wrong\r\n".to_owned()),
        Some(format!("X-Mock-Admin-Token: {}\r\n", &token[..31])),
        // The right token twice is not one token.
        Some(format!(
            "X-Mock-Admin-Token: {token}\r\nX-Mock-Admin-Token: {token}\r\n"
        )),
    ] {
        let raw = log(header.clone()).await;
        assert_eq!(raw.status, 401, "{header:?}: {raw:?}");
        let error = raw.json()["error"].as_str().unwrap().to_owned();
        assert!(error.contains("X-Mock-Admin-Token"), "{error}");
        assert!(!error.contains(token), "{error}");
    }
    let reset = exchange(
        addr,
        b"POST /_mock/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(reset.status, 401);
    let raw = log(Some(format!("X-Mock-Admin-Token: {token}\r\n"))).await;
    assert_eq!(raw.status, 200, "{raw:?}");
    // The API itself is served as ever.
    let request = tencent_request(&server, unix_now());
    let raw = exchange(addr, &wire::as_sent(&request)).await;
    assert_eq!(raw.code(), None, "{}", raw.message());

    // On loopback there is no token, and none is asked for.
    let local = hw::server().start().await.unwrap();
    assert_eq!(local.admin_token(), None);
    let raw = exchange(
        local.addr(),
        &wire::admin_bytes("GET", "/_mock/log", &serde_json::Value::Null),
    )
    .await;
    assert_eq!(raw.status, 200);
}

#[tokio::test]
async fn the_admin_endpoint_holds_a_bounded_number_of_rules() {
    let server = tc::server().start().await.unwrap();
    let rule = serde_json::json!({"action": "QueryPartnerCredit", "replies": [{"response": {}}]});
    let post = |count: usize| {
        let rules = serde_json::Value::Array(vec![rule.clone(); count]);
        let addr = server.addr();
        async move { exchange(addr, &wire::admin_bytes("POST", "/_mock/rules", &rules)).await }
    };
    let max = partnergen_runtime::mock::MAX_RULES;
    let filled = post(max).await;
    assert_eq!(filled.status, 200, "{}", filled.message());
    // One more is refused, naming the bound and the way out; nothing is added.
    let over = post(1).await;
    assert_eq!(over.status, 400);
    let said = String::from_utf8_lossy(&over.body).into_owned();
    assert!(
        said.contains(&max.to_string()) && said.contains("reset"),
        "{said}"
    );
    assert_eq!(server.mock().rule_count(), max);
    // After a reset there is room again.
    let reset = exchange(
        server.addr(),
        &wire::admin_bytes("POST", "/_mock/reset", &serde_json::Value::Null),
    )
    .await;
    assert_eq!(reset.status, 200);
    assert_eq!(post(1).await.status, 200);
}
