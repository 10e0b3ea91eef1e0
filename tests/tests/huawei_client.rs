//! The generated Huawei client against an HTTP server on 127.0.0.1: what the server
//! receives (method, path, query, headers, and a signature `huawei_sign::verify` accepts
//! over exactly that), signing at a fixed time against the official SDK's vectors, every
//! typed method with a schema-filled request, error bodies, and retries by HTTP method.

mod huawei_common;
mod logs;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use huawei_common::{call_typed, huawei_spec, sample_text, TYPED};
use huaweicloud_partner_center::models;
use huaweicloud_partner_center::{
    ApiError, AuthFailure, CallOptions, Client, ClientBuilder, Credentials, Error, ErrorKind,
    Operation, OperationTable, RetryPolicy,
};
use partnergen_codegen::emit::mock::{sample_first_page, sample_value};
use partnergen_codegen::spec::{ParamLocation, TypeRef};
use partnergen_runtime::huawei::sign::{
    canonical_query_string, parse_sdk_date, verify, ReceivedRequest,
};
use partnergen_runtime::huawei::RequestParts;
use partnergen_tests::workspace_root;
use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const AK: &str = "HPUAtestAccessKey";
const SK: &str = "test-secret-key-never-sent";
const DOMAIN_ID: &str = "0a1b2c3d4e5f";

/// A builder with the test credentials and account, pointed at `endpoint`, with quick
/// retries.
fn builder(endpoint: impl Into<String>) -> ClientBuilder {
    Client::builder()
        .credentials(Credentials::new(AK, SK))
        .domain_id(DOMAIN_ID)
        .endpoint(endpoint)
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
        })
}

fn client(server: &MockServer) -> Client {
    builder(server.uri()).build().unwrap()
}

fn header<'r>(request: &'r Request, name: &str) -> &'r str {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Checks the received request's `Authorization` with the runtime's verifier, over the
/// method, path, query, headers and body exactly as the server got them.
fn verify_received(request: &Request) {
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.to_str().unwrap()))
        .collect();
    let received = ReceivedRequest {
        method: request.method.as_str(),
        path: request.url.path(),
        query: request.url.query().unwrap_or(""),
        headers: &headers,
        body: &request.body,
    };
    let parsed = verify(&received, |ak| (ak == AK).then_some(SK))
        .unwrap_or_else(|err| panic!("{} {}: {err}", request.method, request.url));
    assert_eq!(parsed.access_key, AK);
    // Everything we send is signed.
    for name in [
        "content-type",
        "host",
        "user-agent",
        "x-domain-id",
        "x-sdk-date",
    ] {
        assert!(
            parsed.signed_header_names().any(|n| n == name),
            "{name} is not signed: {}",
            parsed.signed_headers
        );
    }
    let all = format!("{:?} {:?}", request.headers, request.url);
    assert!(!all.contains(SK), "the secret key went over the wire");
}

/// The checks every request of ours passes: the headers the SDK sends, a fresh
/// `X-Sdk-Date`, the `Host` of the server, and a signature that verifies.
fn check_common(request: &Request, server: &MockServer) {
    assert_eq!(header(request, "Content-Type"), "application/json");
    assert_eq!(header(request, "X-Domain-Id"), DOMAIN_ID);
    assert!(header(request, "User-Agent").starts_with("partnergen/"));
    let date = header(request, "X-Sdk-Date");
    let signed_at = parse_sdk_date(date).unwrap_or_else(|| panic!("X-Sdk-Date {date:?}"));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - signed_at).abs() <= 5, "{date}");
    assert_eq!(header(request, "Host"), server.address().to_string());
    verify_received(request);
}

/// A JSON answer with `X-Request-Id`.
fn answer(status: u16, request_id: &str, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("X-Request-Id", request_id)
        .set_body_raw(body.to_string(), "application/json;charset=UTF-8")
}

fn error_body(code: &str) -> Value {
    json!({"error_code": code, "error_msg": format!("{code} for test"), "request_id": "body-id"})
}

async fn last_request(server: &MockServer) -> Request {
    server.received_requests().await.unwrap().pop().unwrap()
}

#[tokio::test]
async fn a_post_with_a_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer(200, "r-1", json!({"count": "1"})))
        .mount(&server)
        .await;
    let request = models::ListSubCustomersRequest::new(models::ListSubCustomersRequired {
        body: models::QuerySubCustomerListReq::new()
            .with_account_name("客户 A")
            .with_limit(10),
    });
    let response = client(&server).list_sub_customers(&request).await.unwrap();
    assert_eq!(response.count, Some(1));
    let received = last_request(&server).await;
    assert_eq!(received.method.as_str(), "POST");
    assert_eq!(received.url.path(), "/v2/partners/sub-customers/query");
    assert_eq!(received.url.query(), None);
    assert_eq!(
        serde_json::from_slice::<Value>(&received.body).unwrap(),
        json!({"account_name": "客户 A", "limit": 10})
    );
    assert_eq!(header(&received, "X-Security-Token"), "");
    check_common(&received, &server);

    // Temporary credentials send their security token, signed.
    let with_token = builder(server.uri())
        .credentials(Credentials::new(AK, SK).with_token("security-token"))
        .build()
        .unwrap();
    with_token.list_sub_customers(&request).await.unwrap();
    let received = last_request(&server).await;
    assert_eq!(header(&received, "X-Security-Token"), "security-token");
    check_common(&received, &server);
    assert!(header(&received, "Authorization").contains("x-security-token"));
}

#[tokio::test]
async fn a_get_with_query_parameters_that_need_encoding() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(answer(
            200,
            "r-2",
            json!({"total_count": 0, "order_infos": []}),
        ))
        .mount(&server)
        .await;
    let request = models::ListCustomerOrdersRequest::new()
        .with_customer_id("客户 ID+1/2:3")
        .with_order_by("a b")
        .with_create_time_begin("2024-01-01T00:00:00Z")
        .with_status(2)
        .with_limit(10)
        .with_offset(0);
    client(&server)
        .list_customer_orders(&request)
        .await
        .unwrap();
    let received = last_request(&server).await;
    assert_eq!(received.method.as_str(), "GET");
    assert_eq!(received.url.path(), "/v2/orders/customer-orders");
    // Sorted by key, every byte but A-Z a-z 0-9 - . _ ~ percent-encoded, as the SDK sends.
    assert_eq!(
        received.url.query(),
        Some(
            "create_time_begin=2024-01-01T00%3A00%3A00Z\
             &customer_id=%E5%AE%A2%E6%88%B7%20ID%2B1%2F2%3A3\
             &limit=10&offset=0&order_by=a%20b&status=2"
        )
    );
    assert!(received.body.is_empty());
    check_common(&received, &server);
}

#[tokio::test]
async fn a_get_with_a_path_parameter_that_needs_encoding() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(answer(200, "r-3", json!({"total_count": 0})))
        .mount(&server)
        .await;
    let request =
        models::ShowCustomerOrderDetailsRequest::new(models::ShowCustomerOrderDetailsRequired {
            order_id: "CS24/01 ü+x:y~z%".into(),
        })
        .with_limit(10)
        .with_x_language("en_US");
    client(&server)
        .show_customer_order_details(&request)
        .await
        .unwrap();
    let received = last_request(&server).await;
    assert_eq!(received.method.as_str(), "GET");
    assert_eq!(
        received.url.path(),
        "/v2/orders/customer-orders/details/CS24%2F01%20%C3%BC%2Bx%3Ay~z%25"
    );
    assert_eq!(received.url.query(), Some("limit=10"));
    assert_eq!(header(&received, "X-Language"), "en_US");
    assert!(header(&received, "Authorization").contains("x-language"));
    check_common(&received, &server);

    // An empty path parameter would call another API (`.../details/`): refused unsent.
    let before = server.received_requests().await.unwrap().len();
    let err = client(&server)
        .show_customer_order_details(&models::ShowCustomerOrderDetailsRequest::new(
            models::ShowCustomerOrderDetailsRequired {
                order_id: String::new(),
            },
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), before);
}

fn vectors() -> Value {
    let path = workspace_root().join("runtime/tests/data/huawei_sign_vectors.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `[["name", "value"], ...]` or `{"name": "value"}` as owned pairs.
fn pairs(value: &Value) -> Vec<(String, String)> {
    match value {
        Value::Array(list) => list
            .iter()
            .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
            .collect(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().into()))
            .collect(),
        other => panic!("not pairs: {other}"),
    }
}

/// A name as `&'static str`, as request parts take them (leaked: a test's few names).
fn leak(name: String) -> &'static str {
    Box::leak(name.into_boxed_str())
}

/// Signs at the vectors' fixed time and compares with what the official SDK computed,
/// for every vector an operation of ours can send: same method and path template, and no
/// `Content-Type` but ours (the client always sends `application/json`).
#[test]
fn signing_at_a_fixed_time_matches_the_sdk_vectors() {
    let data = vectors();
    let client = Client::builder()
        .credentials(Credentials::new(
            data["access_key"].as_str().unwrap(),
            data["secret_key"].as_str().unwrap(),
        ))
        .user_agent("huaweicloud-usdk-python/3.0")
        .build()
        .unwrap();
    let mut matched = Vec::new();
    for v in data["vectors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let template = v["path_template"].as_str().unwrap();
        let method = v["method"].as_str().unwrap();
        let Some(operation) = Operation::ALL
            .iter()
            .copied()
            .find(|op| op.info().path == template && op.info().method.as_str() == method)
        else {
            continue;
        };
        let given = pairs(&v["headers_given"]);
        if given
            .iter()
            .any(|(k, value)| k == "Content-Type" && value != "application/json")
        {
            continue;
        }
        let mut parts = RequestParts::new();
        for (k, value) in pairs(&v["path_params"]) {
            parts = parts.path(leak(k), &value);
        }
        for (k, value) in pairs(&v["query"]) {
            parts = parts.query(leak(k), &value);
        }
        for (k, value) in given.into_iter().filter(|(k, _)| k != "Content-Type") {
            parts = parts.header(leak(k), &value);
        }
        let body = v["body"].as_str().unwrap().as_bytes().to_vec();
        let timestamp = v["timestamp"].as_i64().unwrap();
        let signed = client
            .engine()
            .signed_raw_request(operation, &parts, body.clone(), timestamp)
            .unwrap();
        let raw_query = v["raw_query"].as_str().unwrap();
        let mut url = format!(
            "https://{}{}",
            v["host"].as_str().unwrap(),
            v["path"].as_str().unwrap()
        );
        if !raw_query.is_empty() {
            url = format!("{url}?{raw_query}");
        }
        assert_eq!(signed.url, url, "{name}");
        assert_eq!(signed.method.as_str(), method, "{name}");
        assert_eq!(signed.body, body, "{name}");
        assert_eq!(
            signed.header("Authorization"),
            v["authorization"].as_str(),
            "{name}"
        );
        let mut sent: Vec<(String, String)> = signed
            .headers
            .iter()
            .map(|(k, value)| (k.to_string(), value.clone()))
            .collect();
        let mut expected = pairs(&v["headers_sent"]);
        sent.sort();
        expected.sort();
        assert_eq!(sent, expected, "{name}");
        matched.push(name);
    }
    assert_eq!(
        matched,
        ["post json body", "get query encoding", "get path parameter"]
    );

    // The typed path gives the same request as the SDK for the path-parameter vector...
    let v = &data["vectors"][2];
    let typed = client
        .engine()
        .signed_request(
            &models::ShowCustomerOrderDetailsRequest::new(
                models::ShowCustomerOrderDetailsRequired {
                    order_id: "CS24/01 ü+x:y~z%".into(),
                },
            )
            .with_limit(10),
            v["timestamp"].as_i64().unwrap(),
        )
        .unwrap();
    assert_eq!(typed.header("Authorization"), v["authorization"].as_str());
    // ...and serializes the POST vector's body byte for byte.
    let v = &data["vectors"][0];
    let typed = client
        .engine()
        .signed_request(
            &models::ListSubCustomersRequest::new(models::ListSubCustomersRequired {
                body: models::QuerySubCustomerListReq::new()
                    .with_account_name("客户 A")
                    .with_offset(0)
                    .with_limit(10),
            }),
            v["timestamp"].as_i64().unwrap(),
        )
        .unwrap();
    assert_eq!(typed.body, v["body"].as_str().unwrap().as_bytes());
    assert_eq!(typed.header("X-Sdk-Date"), v["x_sdk_date"].as_str());
}

/// Answers each operation (routed by method and path) with a response built from its
/// schema.
struct ByOperation(BTreeMap<&'static str, Value>);

impl Respond for ByOperation {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let method = request.method.as_str().parse().unwrap();
        match Operation::route(method, request.url.path()) {
            Some((operation, _)) => answer(200, "req-typed", self.0[operation.info().name].clone()),
            None => ResponseTemplate::new(404),
        }
    }
}

#[tokio::test]
async fn every_typed_method_sends_its_schema_filled_request() {
    let spec = huawei_spec();
    let typed: Vec<_> = spec.operations.iter().filter(|o| o.is_typed()).collect();
    let names: Vec<&str> = typed.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        TYPED, names,
        "the typed_calls! list must name every typed operation"
    );
    assert_eq!(TYPED.len(), 21);

    let answers = Operation::ALL
        .iter()
        .map(|op| {
            let response = spec
                .operations
                .iter()
                .find(|o| o.name == op.info().name)
                .and_then(|o| o.response.clone())
                .unwrap();
            let mut body = sample_value(&TypeRef::Named(response), &spec.types, 0);
            // A response model with `error_code` (CheckUserIdentity) carries the success
            // code in a success; any other code makes the answer an error.
            if let Some(code) = body.get_mut("error_code") {
                *code = json!("CBC.0000");
            }
            (op.info().name, body)
        })
        .collect();
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ByOperation(answers))
        .mount(&server)
        .await;
    let client = client(&server);

    for op in typed {
        let name = op.name.as_str();
        let response = call_typed(&client, name)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(response.contains("Response"), "{name}: {response}");
        let received = last_request(&server).await;
        assert_eq!(received.method.as_str(), op.method.as_str(), "{name}");
        let mut path = op.path.clone();
        let mut query = Vec::new();
        for param in &op.params {
            // The account ID is the client's (its `domain_id`), not the request's.
            let paging = op
                .pagination
                .as_ref()
                .filter(|p| p.location == Some(ParamLocation::Query));
            let text = if param.from_credentials {
                DOMAIN_ID.to_owned()
            } else if let Some(paging) = paging.filter(|p| p.position == param.wire_name) {
                // The list operations' requests ask for a first page (huawei_common).
                paging.first_page.unwrap_or(0).to_string()
            } else if let Some(paging) = paging.filter(|p| p.size == param.wire_name) {
                paging.page_size.to_string()
            } else {
                sample_text(&param.ty, &spec)
            };
            match param.location {
                ParamLocation::Path => {
                    path = path.replace(&format!("{{{}}}", param.wire_name), &text)
                }
                ParamLocation::Query => query.push((param.wire_name.clone(), text)),
                ParamLocation::Header => {
                    assert_eq!(
                        header(&received, &param.wire_name),
                        text,
                        "{name}: {}",
                        param.wire_name
                    )
                }
                ParamLocation::Body => {
                    let mut expected = sample_value(&param.ty, &spec.types, 0);
                    if let Some(paging) = op
                        .pagination
                        .as_ref()
                        .filter(|p| p.location == Some(ParamLocation::Body))
                    {
                        sample_first_page(&mut expected, paging);
                    }
                    assert_eq!(
                        serde_json::from_slice::<Value>(&received.body).unwrap(),
                        expected,
                        "{name}: body"
                    )
                }
            }
        }
        if op.body().is_none() {
            assert!(
                received.body.is_empty(),
                "{name}: a body without a body parameter"
            );
        }
        assert_eq!(received.url.path(), path, "{name}");
        assert_eq!(
            received.url.query().unwrap_or(""),
            canonical_query_string(&query),
            "{name}"
        );
        check_common(&received, &server);
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 21);
}

#[tokio::test]
async fn error_bodies_become_typed_errors_with_the_header_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer(403, "hdr-id", error_body("CBC.0151")))
        .mount(&server)
        .await;
    let err = client(&server)
        .freeze_sub_customers(&models::FreezeSubCustomersRequest::new(
            models::FreezeSubCustomersRequired {
                body: models::FreezeSubCustomersReq::new(models::FreezeSubCustomersReqRequired {
                    customer_ids: vec!["c1".into()],
                    reason: "overdue".into(),
                }),
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(
        err.api(),
        Some(&ApiError {
            kind: ErrorKind::UnauthorizedOperation,
            code: "CBC.0151".into(),
            message: "CBC.0151 for test".into(),
            request_id: Some("hdr-id".into()),
            status: 403,
        })
    );
    assert_eq!(err.status(), Some(403));
    assert!(err.to_string().contains("FreezeSubCustomers"), "{err}");
    assert!(!err.to_string().contains(SK) && !format!("{err:?}").contains(SK));

    // Codes are matchable without string compares; without the header, the body's id.
    for (status, code, kind) in [
        (429, "APIGW.0308", ErrorKind::RequestLimitExceeded),
        (
            401,
            "APIGW.0301",
            ErrorKind::AuthFailure(AuthFailure::SignatureFailure),
        ),
        (
            401,
            "APIGW.0303",
            ErrorKind::AuthFailure(AuthFailure::SignatureFailure),
        ),
        (
            403,
            "APIGW.0302",
            ErrorKind::AuthFailure(AuthFailure::UnauthorizedOperation),
        ),
        (404, "APIGW.0101", ErrorKind::InvalidAction),
        (400, "CBC.0100", ErrorKind::InvalidParameter),
        (500, "CBC.0999", ErrorKind::InternalError),
    ] {
        let err = list_error(
            &server,
            ResponseTemplate::new(status)
                .set_body_raw(error_body(code).to_string(), "application/json"),
        )
        .await;
        assert_eq!(err.kind(), Some(kind), "{code}");
        assert_eq!(err.api().unwrap().code, code);
        assert_eq!(err.request_id(), Some("body-id"), "{code}");
        assert_eq!(err.status(), Some(status), "{code}");
    }

    // A gateway's page that is not JSON is still a typed server error carrying the
    // status (retried like the vendor's own), with the page's start as its message.
    let err = list_error(
        &server,
        ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"),
    )
    .await;
    assert_eq!(err.kind(), Some(ErrorKind::InternalError), "{err:?}");
    assert_eq!(err.status(), Some(502), "{err:?}");
    assert!(err.is_transient(), "{err:?}");
    assert!(
        err.api().unwrap().message.contains("bad gateway"),
        "{err:?}"
    );
}

/// The error of a `ListSubCustomers` call once the server answers every POST with
/// `template` (instead of what it answered before).
async fn list_error(server: &MockServer, template: ResponseTemplate) -> Error {
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(template)
        .mount(server)
        .await;
    client(server)
        .list_sub_customers(&models::ListSubCustomersRequest::new(
            models::ListSubCustomersRequired {
                body: models::QuerySubCustomerListReq::new(),
            },
        ))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_2xx_body_with_an_error_code_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer(
            200,
            "r-2xx",
            json!({"error_code": "CBC.99000047", "error_msg": "The account does not exist."}),
        ))
        .mount(&server)
        .await;
    let request = models::CheckUserIdentityRequest::new(models::CheckUserIdentityRequired {
        body: models::CheckSubcustomerUserReq::new(models::CheckSubcustomerUserReqRequired {
            search_type: "email".into(),
            search_value: "a@example.com".into(),
        }),
    });
    let err = client(&server)
        .check_user_identity(&request)
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(
        (api.code.as_str(), api.status, api.request_id.as_deref()),
        ("CBC.99000047", 200, Some("r-2xx"))
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // CBC.0000 is BSS's success code: CheckUserIdentity sends it with every success.
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(answer(
            200,
            "r-ok",
            json!({"error_code": "CBC.0000", "error_msg": "success", "check_result": "available"}),
        ))
        .mount(&server)
        .await;
    let response = client(&server).check_user_identity(&request).await.unwrap();
    assert_eq!(response.check_result.as_deref(), Some("available"));
    assert_eq!(response.error_code.as_deref(), Some("CBC.0000"));
}

/// A server that answers `status` with `code` `failures` times (each with its own
/// request id, `fail-1`, `fail-2`, ...), then succeeds with `{}`.
async fn flaky_server(failures: u64, status: u16, code: &str) -> MockServer {
    struct Failing {
        status: u16,
        body: Value,
        count: AtomicUsize,
    }
    impl Respond for Failing {
        fn respond(&self, _: &Request) -> ResponseTemplate {
            let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
            answer(self.status, &format!("fail-{n}"), self.body.clone())
        }
    }
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(Failing {
            status,
            body: error_body(code),
            count: AtomicUsize::new(0),
        })
        .up_to_n_times(failures)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(answer(200, "ok", json!({})))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

fn quota() -> models::ShowPartnerConsumptionQuotaRequest {
    models::ShowPartnerConsumptionQuotaRequest::new()
}

fn budget() -> models::UpdateSubCustomerBudgetRequest {
    models::UpdateSubCustomerBudgetRequest::new(models::UpdateSubCustomerBudgetRequired {
        body: models::ModSubCustomerBudgetReq::new(models::ModSubCustomerBudgetReqRequired {
            customer_id: "c1".into(),
            budget_amount: 10.0,
        }),
    })
}

#[tokio::test]
async fn gets_are_retried_on_429_then_succeed() {
    let server = flaky_server(2, 429, "APIGW.0308").await;
    client(&server)
        .show_partner_consumption_quota(&quota())
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        check_common(request, &server);
    }
}

#[tokio::test]
async fn posts_are_not_retried_on_429_unless_the_call_opts_in() {
    let server = flaky_server(2, 429, "APIGW.0308").await;
    let err = client(&server)
        .update_sub_customer_budget(&budget())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::RequestLimitExceeded));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    let server = flaky_server(2, 429, "APIGW.0308").await;
    client(&server)
        .with_options(CallOptions::retry_even_if_not_idempotent())
        .update_sub_customer_budget(&budget())
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn the_last_code_and_request_id_survive_retries_running_out() {
    let server = flaky_server(10, 429, "APIGW.0308").await;
    let err = client(&server)
        .show_partner_consumption_quota(&quota())
        .await
        .unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    let api = err.api().unwrap();
    assert_eq!(
        (
            api.kind,
            api.code.as_str(),
            api.request_id.as_deref(),
            api.status
        ),
        (
            ErrorKind::RequestLimitExceeded,
            "APIGW.0308",
            Some("fail-3"),
            429
        )
    );
}

#[tokio::test]
async fn server_errors_are_retried_for_gets_only() {
    let server = flaky_server(2, 503, "CBC.0999").await;
    client(&server)
        .show_partner_consumption_quota(&quota())
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);

    let server = flaky_server(2, 500, "CBC.0999").await;
    let err = client(&server)
        .update_sub_customer_budget(&budget())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::InternalError));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // A 5xx without a code (an empty body) is InternalError, retried for a GET.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("X-Request-Id", "empty"))
        .mount(&server)
        .await;
    let err = client(&server)
        .show_partner_consumption_quota(&quota())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::InternalError));
    assert_eq!((err.request_id(), err.status()), (Some("empty"), Some(503)));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn timeouts_are_retried_for_gets_only() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(answer(200, "late", json!({})).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let impatient = builder(server.uri())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = impatient
        .show_partner_consumption_quota(&quota())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                action: "ShowPartnerConsumptionQuota",
                trace_id: None,
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    let err = impatient
        .update_sub_customer_budget(&budget())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn calls_by_name_take_parts_and_json() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(answer(200, "r", json!({"anything": [1, 2]})))
        .mount(&server)
        .await;
    let client = client(&server);
    let value = client
        .call_json(
            "ShowCustomerOrderDetails",
            &RequestParts::new()
                .path("order_id", "CS/1")
                .query("not_modelled", "x y"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(value["anything"], json!([1, 2]));
    let received = last_request(&server).await;
    assert_eq!(
        received.url.path(),
        "/v2/orders/customer-orders/details/CS%2F1"
    );
    assert_eq!(received.url.query(), Some("not_modelled=x%20y"));
    check_common(&received, &server);

    client
        .call_json(
            "ListSubCustomers",
            &RequestParts::new(),
            Some(&json!({"limit": 1})),
        )
        .await
        .unwrap();
    let received = last_request(&server).await;
    assert_eq!(received.body, br#"{"limit":1}"#);
    check_common(&received, &server);

    for (name, parts) in [
        ("NoSuchOperation", RequestParts::new()),
        ("ShowCustomerOrderDetails", RequestParts::new()),
    ] {
        let err = client.call_json(name, &parts, None).await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { .. }),
            "{name}: {err:?}"
        );
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn spans_name_the_operation_attempt_and_request_id_but_no_secret() {
    let log = logs::capture();
    let server = flaky_server(1, 429, "APIGW.0308").await;
    client(&server)
        .show_partner_consumption_quota(&quota())
        .await
        .unwrap();
    let log = log.text();
    assert!(log.contains("huaweicloud.call"), "{log}");
    assert!(
        log.contains("operation=\"ShowPartnerConsumptionQuota\""),
        "{log}"
    );
    assert!(
        log.contains("attempt=1") && log.contains("attempt=2"),
        "{log}"
    );
    assert!(
        log.contains("request_id=\"fail-1\"") && log.contains("request_id=\"ok\""),
        "{log}"
    );
    assert!(!log.contains(SK), "{log}");
}
