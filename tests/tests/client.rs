//! The generated client against an HTTP server on 127.0.0.1: signatures the server
//! recomputes independently, every action's request encoding, error decoding, retries by
//! CAM class, and the client-side QPS limit measured at the server.

mod common;
mod logs;

use std::collections::BTreeMap;

use common::{call_typed, tencent_spec, TYPED};
use partnergen_codegen::emit::mock::sample_value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use partnergen_codegen::spec::TypeRef;
use partnergen_runtime::transport::{HttpRequest, ReqwestTransport, SendFuture, Transport};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tencentcloud_intlpartnersmgt::{
    models, Action, ApiError, AuthFailure, CallOptions, Client, ClientBuilder, Credentials, Error,
    ErrorKind, RetryPolicy,
};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const SECRET_ID: &str = "AKIDtestSecretId";
const SECRET_KEY: &str = "test-secret-key-never-sent";

/// A builder with the test credentials, pointed at `endpoint`.
fn builder(endpoint: impl Into<String>) -> ClientBuilder {
    Client::builder()
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY))
        .endpoint(endpoint)
}

fn client(server: &MockServer) -> Client {
    builder(server.uri())
        .region("ap-singapore")
        .language("en-US")
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
        })
        .build()
        .unwrap()
}

/// An API 3.0 answer with HTTP 200 and exactly `application/json`.
fn answer(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json")
}

fn error_body(code: &str) -> Value {
    json!({"Response": {"Error": {"Code": code, "Message": format!("{code} for test")}, "RequestId": "req-err"}})
}

fn header<'r>(request: &'r Request, name: &str) -> &'r str {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// TC3-HMAC-SHA256 written out here from Tencent's documentation, sharing no code with
/// the runtime's signer: the server side of the check.
fn expected_authorization(request: &Request) -> String {
    fn hmac(key: &[u8], data: &str) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(data.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
    let timestamp: u64 = header(request, "X-TC-Timestamp").parse().unwrap();
    let date = {
        let days = timestamp / 86_400;
        // 2020-01-01 is day 18262; these tests run after it, so walk forward from there.
        let (mut year, mut day) = (2020u64, days - 18_262);
        loop {
            let len = if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) {
                366
            } else {
                365
            };
            if day < len {
                break;
            }
            day -= len;
            year += 1;
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let months = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        let mut month = 0;
        while day >= months[month] {
            day -= months[month];
            month += 1;
        }
        format!("{year:04}-{:02}-{:02}", month + 1, day + 1)
    };
    let canonical = format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{}",
        header(request, "Content-Type"),
        header(request, "Host"),
        hex::encode(Sha256::digest(&request.body))
    );
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{date}/intlpartnersmgt/tc3_request\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let key = hmac(
        &hmac(
            &hmac(format!("TC3{SECRET_KEY}").as_bytes(), &date),
            "intlpartnersmgt",
        ),
        "tc3_request",
    );
    format!(
        "TC3-HMAC-SHA256 Credential={SECRET_ID}/{date}/intlpartnersmgt/tc3_request, SignedHeaders=content-type;host, Signature={}",
        hex::encode(hmac(&key, &to_sign))
    )
}

#[tokio::test]
async fn requests_are_signed_as_the_server_recomputes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer(json!({"Response": {"TotalCredit": 1.5, "RemainingCredit": 1.0, "IssuedCredit": 0.5, "RequestId": "r1"}})))
        .mount(&server)
        .await;
    let token_client = Client::builder()
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY).with_token("session-token"))
        .endpoint(server.uri())
        .build()
        .unwrap();
    client(&server)
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap();
    token_client
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for request in &requests {
        assert_eq!(
            header(request, "Authorization"),
            expected_authorization(request)
        );
        assert_eq!(header(request, "Content-Type"), "application/json");
        assert_eq!(header(request, "X-TC-Action"), "QueryPartnerCredit");
        assert_eq!(header(request, "X-TC-Version"), "2022-09-28");
        let timestamp: i64 = header(request, "X-TC-Timestamp").parse().unwrap();
        assert!((now - timestamp).abs() <= 5);
        assert_eq!(header(request, "Host"), server.address().to_string());
        let all_headers = format!("{:?}", request.headers);
        assert!(
            !all_headers.contains(SECRET_KEY),
            "the secret key went over the wire"
        );
    }
    assert_eq!(header(&requests[0], "X-TC-Region"), "ap-singapore");
    assert_eq!(header(&requests[0], "X-TC-Language"), "en-US");
    assert_eq!(header(&requests[0], "X-TC-Token"), "");
    assert_eq!(header(&requests[1], "X-TC-Token"), "session-token");
}

/// Answers each action with its vendor example response, or a schema sample.
struct ByAction(BTreeMap<String, Value>);

impl Respond for ByAction {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        answer(self.0[header(request, "X-TC-Action")].clone())
    }
}

#[tokio::test]
async fn every_action_encodes_its_typed_request() {
    let spec = tencent_spec();
    let actions: Vec<_> = spec
        .actions
        .iter()
        .filter(|a| a.in_api_definition)
        .collect();
    let listed: Vec<&str> = TYPED.to_vec();
    let expected: Vec<&str> = actions.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        listed, expected,
        "the typed_calls! list must name every action of the API definition"
    );
    assert_eq!(listed.len(), 46);

    let mut answers = BTreeMap::new();
    for action in &actions {
        let response = action.response.as_ref().unwrap();
        let body = match action.examples.first() {
            Some(example) => serde_json::from_str(&example.response).unwrap(),
            None => {
                json!({"Response": sample_value(&TypeRef::Named(response.clone()), &spec.types, 0)})
            }
        };
        answers.insert(action.name.clone(), body);
    }
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ByAction(answers))
        .mount(&server)
        .await;
    let client = client(&server);

    for action in &actions {
        let request = sample_value(
            &TypeRef::Named(action.request.clone().unwrap()),
            &spec.types,
            0,
        );
        let response = call_typed(&client, &action.name, request.clone())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", action.name));
        assert!(response.is_object(), "{}", action.name);
        let received = server.received_requests().await.unwrap();
        let last = received.last().unwrap();
        assert_eq!(header(last, "X-TC-Action"), action.name);
        assert_eq!(
            header(last, "Authorization"),
            expected_authorization(last),
            "{}",
            action.name
        );
        // The body is the sample with the vendor's wire names, types and values.
        let sent: Value = serde_json::from_slice(&last.body).unwrap();
        assert_eq!(sent, request, "{}: request encoding", action.name);
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 46);
}

#[tokio::test]
async fn api_errors_decode_whatever_the_content_type() {
    for content_type in [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                error_body("AuthFailure.SignatureFailure").to_string(),
                content_type,
            ))
            .mount(&server)
            .await;
        let err = client(&server)
            .allocate_credit_pool(&models::AllocateCreditPoolRequest::new(
                models::AllocateCreditPoolRequired {
                    sub_agent_uin: 1,
                    credit: 2.0,
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            Some(ErrorKind::AuthFailure(AuthFailure::SignatureFailure)),
            "{content_type}"
        );
        let ApiError {
            code,
            message,
            request_id,
            ..
        } = err.api().unwrap().clone();
        assert_eq!(code, "AuthFailure.SignatureFailure");
        assert_eq!(message, "AuthFailure.SignatureFailure for test");
        assert_eq!(request_id.as_deref(), Some("req-err"));
        assert!(err.to_string().contains("AllocateCreditPool"));
        assert!(!err.to_string().contains(SECRET_KEY) && !format!("{err:?}").contains(SECRET_KEY));
    }
}

#[tokio::test]
async fn common_codes_match_without_string_compares() {
    let server = MockServer::start().await;
    let codes = [
        (
            "RequestLimitExceeded.UinLimitExceeded",
            ErrorKind::RequestLimitExceeded,
        ),
        ("UnauthorizedOperation", ErrorKind::UnauthorizedOperation),
        (
            "InvalidParameterValue.Uin",
            ErrorKind::InvalidParameterValue,
        ),
        ("MissingParameter", ErrorKind::MissingParameter),
        ("InternalError", ErrorKind::InternalError),
        (
            "AuthFailure.SecretIdNotFound",
            ErrorKind::AuthFailure(AuthFailure::SecretIdNotFound),
        ),
    ];
    for (code, kind) in codes {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(answer(error_body(code)))
            .mount(&server)
            .await;
        // A write action: no retry even for the rate-limit code.
        let err = client(&server)
            .allocate_credit_pool(&models::AllocateCreditPoolRequest::new(
                models::AllocateCreditPoolRequired {
                    sub_agent_uin: 1,
                    credit: 2.0,
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), Some(kind), "{code}");
    }
}

#[tokio::test]
async fn transport_failures_timeouts_and_garbage_are_distinct() {
    // Nothing listens on a port we just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed: Client = builder(format!("http://127.0.0.1:{port}"))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = closed
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");

    let slow = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer(json!({"Response": {}})).set_delay(Duration::from_secs(3)))
        .mount(&slow)
        .await;
    let impatient: Client = builder(slow.uri())
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = impatient
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                action: "QueryPartnerCredit",
                trace_id: Some(_),
            }
        ),
        "{err:?}"
    );

    let garbage = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>busy</html>"))
        .mount(&garbage)
        .await;
    let err = client(&garbage)
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
    // A well-formed success of the wrong shape is a decode error too, with its RequestId.
    garbage.reset().await;
    Mock::given(method("POST"))
        .respond_with(answer(
            json!({"Response": {"TotalCredit": "lots", "RequestId": "r9"}}),
        ))
        .mount(&garbage)
        .await;
    let err = client(&garbage)
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Decode { .. }) && err.request_id() == Some("r9"),
        "{err:?}"
    );
}

/// A server that answers `RequestLimitExceeded` `failures` times, then succeeds.
async fn flaky_server(failures: u64, success: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer(error_body("RequestLimitExceeded")))
        .up_to_n_times(failures)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(answer(success))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn read_actions_retry_write_actions_do_not() {
    let credit = json!({"Response": {"TotalCredit": 1.0, "RemainingCredit": 1.0, "IssuedCredit": 0.0, "RequestId": "ok"}});
    // QueryPartnerCredit is a read action: two rate-limit answers, then success.
    let server = flaky_server(2, credit.clone()).await;
    client(&server)
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);

    // AllocateCreditPool is a write action: one attempt, the error surfaces.
    let pool = json!({"Response": {"TotalCredit": 1.0, "RemainingCredit": 1.0, "RequestId": "ok"}});
    let server = flaky_server(2, pool.clone()).await;
    let err = client(&server)
        .allocate_credit_pool(&models::AllocateCreditPoolRequest::new(
            models::AllocateCreditPoolRequired {
                sub_agent_uin: 1,
                credit: 2.0,
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::RequestLimitExceeded));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // ...unless the caller opts in for that call.
    let server = flaky_server(2, pool).await;
    let opted_in = client(&server).with_options(CallOptions::retry_even_if_not_idempotent());
    opted_in
        .allocate_credit_pool(&models::AllocateCreditPoolRequest::new(
            models::AllocateCreditPoolRequired {
                sub_agent_uin: 1,
                credit: 2.0,
            },
        ))
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);

    // Retries stop at max_attempts and the last error is returned.
    let server = flaky_server(10, credit).await;
    let err = client(&server)
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::RequestLimitExceeded));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn every_attempt_is_signed_afresh_and_the_last_is_not_followed_by_a_sleep() {
    let server = flaky_server(10, json!({"Response": {}})).await;
    let slow_retries: Client = builder(server.uri())
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(2200),
            max_delay: Duration::from_secs(3),
        })
        .build()
        .unwrap();
    let start = Instant::now();
    slow_retries
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap_err();
    let elapsed = start.elapsed();
    // One backoff (1.1 s to 2.2 s with equal jitter) between two attempts, none after.
    assert!(
        elapsed >= Duration::from_millis(1100) && elapsed < Duration::from_millis(3000),
        "{elapsed:?}"
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let stamps: Vec<i64> = requests
        .iter()
        .map(|r| header(r, "X-TC-Timestamp").parse().unwrap())
        .collect();
    assert!(
        stamps[1] > stamps[0],
        "the retry reused the first timestamp: {stamps:?}"
    );
    for request in &requests {
        assert_eq!(
            header(request, "Authorization"),
            expected_authorization(request)
        );
    }
}

/// The real HTTP transport, recording when each request starts (the moment the client
/// hands it to HTTP, after rate limiting and signing).
struct RecordStarts {
    inner: ReqwestTransport,
    starts: Arc<Mutex<Vec<Instant>>>,
}

impl Transport for RecordStarts {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        self.starts.lock().unwrap().push(Instant::now());
        self.inner.send(request)
    }
}

/// A client whose request starts are recorded.
fn recording_client(
    server: &MockServer,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> (Client, Arc<Mutex<Vec<Instant>>>) {
    let starts = Arc::new(Mutex::new(Vec::new()));
    let transport = RecordStarts {
        inner: ReqwestTransport::new(Duration::from_secs(5), Duration::from_secs(5)).unwrap(),
        starts: starts.clone(),
    };
    let client = configure(builder(server.uri()).transport(Arc::new(transport)))
        .build()
        .unwrap();
    (client, starts)
}

/// The most instants in any window [t, t + 1 s), less 10 ms for the jitter between the
/// limiter's grant and the recorded start on a busy machine (a limiter running even 2%
/// fast still fails this).
fn busiest_second(instants: &[Instant]) -> usize {
    let window = Duration::from_millis(990);
    let mut sorted = instants.to_vec();
    sorted.sort();
    (0..sorted.len())
        .map(|i| {
            sorted[i..]
                .iter()
                .take_while(|t| t.duration_since(sorted[i]) < window)
                .count()
        })
        .max()
        .unwrap_or(0)
}

/// `calls` concurrent calls, each from its own clone of the client.
async fn burst(client: &Client, calls: usize) {
    let tasks: Vec<_> = (0..calls)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .query_partner_credit(&models::QueryPartnerCreditRequest::new())
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
}

fn span(instants: &[Instant]) -> Duration {
    *instants.iter().max().unwrap() - *instants.iter().min().unwrap()
}

#[tokio::test]
async fn a_concurrent_burst_never_exceeds_the_documented_qps_and_uses_it() {
    let documented = Action::QueryPartnerCredit.info().qps;
    assert_eq!(
        documented.get(),
        5,
        "the category page gives QueryPartnerCredit 5 per second"
    );
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer(json!({"Response": {"TotalCredit": 1.0, "RemainingCredit": 1.0, "IssuedCredit": 0.0, "RequestId": "ok"}})))
        .mount(&server)
        .await;
    let (client, starts) = recording_client(&server, |b| b);
    burst(&client, 16).await;
    let starts = starts.lock().unwrap().clone();
    assert_eq!(starts.len(), 16);
    assert_eq!(server.received_requests().await.unwrap().len(), 16);
    assert!(
        busiest_second(&starts) <= 5,
        "{} request starts in one second",
        busiest_second(&starts)
    );
    // Full use: 16 starts at 5 per second need 3 s (3.03 s with the limiter's 1% margin);
    // allow 10% for scheduling.
    let taken = span(&starts);
    assert!(
        taken >= Duration::from_millis(2990) && taken <= Duration::from_millis(3300),
        "{taken:?}"
    );

    // A per-action override and the opt-out apply to every clone of the client.
    let (fast, starts) = recording_client(&server, |b| {
        b.rate_limit(Action::QueryPartnerCredit, Some(40))
    });
    burst(&fast, 41).await;
    let starts = starts.lock().unwrap().clone();
    assert!(busiest_second(&starts) <= 40);
    assert!(span(&starts) >= Duration::from_millis(990));

    let (unlimited, starts) = recording_client(&server, |b| b.without_rate_limits());
    burst(&unlimited, 41).await;
    assert!(span(&starts.lock().unwrap()) < Duration::from_millis(500));
}

#[tokio::test]
async fn calls_by_name_take_and_give_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer(
            json!({"Response": {"Anything": [1, 2], "RequestId": "r"}}),
        ))
        .mount(&server)
        .await;
    let client = client(&server);
    let value = client
        .call_json("QueryUser", &json!({"Uin": 1}))
        .await
        .unwrap();
    assert_eq!(value["Anything"], json!([1, 2]));
    let received = server.received_requests().await.unwrap();
    assert_eq!(header(&received[0], "X-TC-Action"), "QueryUser");
    let err = client
        .call_json("NoSuchAction", &json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn spans_name_the_action_attempt_and_request_id_but_no_secret() {
    let log = logs::capture();
    let server = flaky_server(1, json!({"Response": {"TotalCredit": 1.0, "RemainingCredit": 1.0, "IssuedCredit": 0.0, "RequestId": "req-ok"}})).await;
    client(&server)
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap();
    let log = log.text();
    assert!(log.contains("action=\"QueryPartnerCredit\""), "{log}");
    assert!(
        log.contains("attempt=1") && log.contains("attempt=2"),
        "{log}"
    );
    assert!(
        log.contains("request_id=\"req-err\"") && log.contains("request_id=\"req-ok\""),
        "{log}"
    );
    assert!(!log.contains(SECRET_KEY), "{log}");
    // The call's X-TC-TraceId is in its spans, to find a call in the vendor's logs.
    let received = server.received_requests().await.unwrap();
    let trace = header(&received[0], "X-TC-TraceId");
    assert!(
        log.contains(&format!("trace_id=\"{trace}\"")),
        "{trace}: {log}"
    );
}

#[tokio::test]
async fn calls_carry_the_sdk_request_client_and_one_trace_id_across_retries() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(answer(
            json!({"Response": {"RequestId": "r1", "Credit": 1.5, "AllocatedCredit": 0, "RemainingCredit": 1.5}}),
        ))
        .mount(&server)
        .await;
    let client = builder(server.uri())
        .request_client("reseller-sync")
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
        .build()
        .unwrap();
    let request = models::QueryPartnerCreditRequest::new();
    client.query_partner_credit(&request).await.unwrap();
    client.query_partner_credit(&request).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3, "a retried call, then one more");
    for request in &received {
        // The official SDK's form: its name and version, then the caller's part.
        let client_header = header(request, "X-TC-RequestClient");
        assert!(
            client_header.starts_with("SDK_RUST_PARTNERGEN_"),
            "{client_header}"
        );
        assert!(
            client_header.ends_with("; reseller-sync"),
            "{client_header}"
        );
    }
    let traces: Vec<&str> = received.iter().map(|r| header(r, "X-TC-TraceId")).collect();
    assert_eq!(
        traces[0], traces[1],
        "one trace ID across a call's attempts"
    );
    assert_ne!(traces[1], traces[2], "a trace ID per call");
    for trace in &traces {
        // A UUID, as the SDK sends: 8-4-4-4-12 lower-case hex digits, version 4.
        let groups: Vec<usize> = trace.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{trace}");
        assert!(trace
            .chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(&trace[14..15], "4", "{trace}");
    }
}

#[test]
fn a_request_client_the_sdk_would_not_send_is_refused_at_build() {
    for bad in ["has space", "slash/", "ü", "", &"x".repeat(129)] {
        let err = builder("https://127.0.0.1:1")
            .request_client(bad)
            .build()
            .map(|_| ())
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("request client"), "{bad:?}: {text}");
    }
    // What the SDK accepts passes: letters, digits and `-_,;.`, up to 128 characters.
    builder("https://127.0.0.1:1")
        .request_client(format!("a-b_c,d;e.{}", "x".repeat(118)))
        .build()
        .unwrap();
}
