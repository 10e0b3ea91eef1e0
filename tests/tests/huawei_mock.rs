//! The Huawei mocks: the in-process fake transport under the real client (all 21
//! operations, typed rules on the body, retries by HTTP method); the mock server's
//! interoperability suite (all 21 operations, a wrong SK, a role without the permission)
//! run by our client and by the official Python SDK; and the server's own checks.

mod huawei_common;
mod wire;

use std::time::Duration;

use huawei_common::{call_typed, huawei_spec, TYPED};
use huaweicloud_partner_center::mock::{self, Checks, Reply};
use huaweicloud_partner_center::{models, Client, Credentials, ErrorKind, Operation, RetryPolicy};
use partnergen_codegen::emit::mock::{sample_first_page, sample_value};
use partnergen_codegen::spec::ParamLocation;
use serde_json::{json, Value};
use wire::{exchange, unix_now, Raw};

/// A role that holds only the invoice permission.
const INVOICES_ONLY: &str = "BPC_ITEM_FINANCE_060100";

fn fast(builder: huaweicloud_partner_center::ClientBuilder) -> Client {
    builder
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_in_process_mock_answers_every_operation() {
    let mock = mock::mock();
    let client = fast(mock::builder(&mock));
    assert_eq!(TYPED.len(), 21);
    for name in TYPED {
        call_typed(&client, name)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let calls = mock.calls();
    assert_eq!(calls.len(), 21);
    // Calls are recorded as request documents: path, query and body, as received.
    let detail = calls
        .iter()
        .find(|c| c.action == Operation::ShowCustomerOrderDetails)
        .unwrap();
    assert_eq!(detail.request["path"], json!({"order_id": "text"}));
    assert_eq!(detail.request["query"]["limit"], json!("10"));
    assert_eq!(detail.request["body"], Value::Null);
}

#[tokio::test]
async fn typed_rules_match_on_the_body_and_errors_follow_the_http_method() {
    let mut many = models::ListSubCustomersResponse::default();
    many.count = Some(99);
    let mock = mock::mock()
        .with_rule(
            mock::list_sub_customers()
                .matching(|body: &models::QuerySubCustomerListReq| body.limit == Some(5))
                .respond(many)
                .build(),
        )
        .with_rule(
            // A GET: throttled twice, then the default response.
            mock::show_partner_consumption_quota()
                .times(Reply::api_error("APIGW.0308", "throttled"), 2)
                .respond(models::ShowPartnerConsumptionQuotaResponse::default())
                .build(),
        )
        .with_rule(
            // A POST: never retried unless the call opts in.
            mock::freeze_sub_customers()
                .error("APIGW.0308", "throttled")
                .build(),
        );
    let client = fast(mock::builder(&mock));
    let five = models::ListSubCustomersRequest::new(models::ListSubCustomersRequired {
        body: models::QuerySubCustomerListReq::new().with_limit(5),
    });
    assert_eq!(
        client.list_sub_customers(&five).await.unwrap().count,
        Some(99)
    );
    let six = models::ListSubCustomersRequest::new(models::ListSubCustomersRequired {
        body: models::QuerySubCustomerListReq::new().with_limit(6),
    });
    assert_ne!(
        client.list_sub_customers(&six).await.unwrap().count,
        Some(99)
    );

    client
        .show_partner_consumption_quota(&models::ShowPartnerConsumptionQuotaRequest::new())
        .await
        .unwrap();
    assert_eq!(mock.count(Operation::ShowPartnerConsumptionQuota), 3);

    let freeze = models::FreezeSubCustomersRequest::new(models::FreezeSubCustomersRequired {
        body: models::FreezeSubCustomersReq::new(models::FreezeSubCustomersReqRequired {
            customer_ids: vec!["c1".into()],
            reason: "overdue".into(),
        }),
    });
    let err = client.freeze_sub_customers(&freeze).await.unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::RequestLimitExceeded));
    assert_eq!(err.status(), Some(429));
    assert!(
        err.request_id().is_some_and(|id| id.starts_with("mock-")),
        "{err:?}"
    );
    assert_eq!(mock.count(Operation::FreezeSubCustomers), 1);
}

/// One call of the suite and what it must get.
struct Planned {
    operation: &'static str,
    role: bool,
    sk: &'static str,
    /// `None`: a response; else (status, error code).
    expect: Option<(u16, &'static str)>,
}

/// Every typed operation, then a wrong SK, then the invoices-only role's allowed and
/// denied operations.
fn suite() -> Vec<Planned> {
    let ok = |operation| Planned {
        operation,
        role: false,
        sk: mock::SECRET_KEY,
        expect: None,
    };
    let mut plan: Vec<Planned> = TYPED.iter().map(|name| ok(name)).collect();
    plan.push(Planned {
        sk: "not-the-secret-key",
        expect: Some((401, "APIGW.0301")),
        ..ok("ShowPartnerConsumptionQuota")
    });
    plan.push(Planned {
        role: true,
        ..ok("ListInvoices")
    });
    plan.push(Planned {
        role: true,
        expect: Some((403, "CBC.0151")),
        ..ok("ListSubCustomers")
    });
    plan
}

/// What a client got for one call.
#[derive(Debug)]
struct Outcome {
    status: Option<u16>,
    code: Option<String>,
    message: String,
}

/// The suite's two servers: every operation allowed, and the invoices-only role.
async fn suite_servers() -> (mock::Server, mock::Server) {
    let open = mock::server().start().await.unwrap();
    let role = mock::server()
        .permissions([INVOICES_ONLY])
        .start()
        .await
        .unwrap();
    (open, role)
}

fn check_suite(
    runner: &str,
    servers: &(mock::Server, mock::Server),
    plan: &[Planned],
    outcomes: &[Outcome],
) {
    assert_eq!(outcomes.len(), plan.len(), "{runner}");
    for (planned, got) in plan.iter().zip(outcomes) {
        let what = format!("{runner}: {} (role: {})", planned.operation, planned.role);
        match planned.expect {
            None => assert_eq!(got.code, None, "{what}: {got:?}"),
            Some((status, code)) => {
                assert_eq!(got.status, Some(status), "{what}: {got:?}");
                assert_eq!(got.code.as_deref(), Some(code), "{what}: {got:?}");
            }
        }
        if planned.expect.is_some_and(|(_, code)| code == "CBC.0151") {
            assert!(
                got.message.contains(planned.operation),
                "{what}: {}",
                got.message
            );
            assert!(
                got.message.contains("BPC_ITEM_SUBCUSTSERV_010100"),
                "{what}: {}",
                got.message
            );
        }
    }
    // Every call reached a server and was decided there.
    let (open, role) = servers;
    let answered = |server: &mock::Server| {
        server
            .log()
            .iter()
            .filter(|e| matches!(e.decided_by, "default" | "rule"))
            .count()
    };
    assert_eq!(answered(open), 21, "{runner}");
    assert_eq!(answered(role), 1, "{runner}");
    assert_eq!(open.log().len() + role.log().len(), plan.len(), "{runner}");
}

#[tokio::test]
async fn our_client_passes_the_interop_suite() {
    let servers = suite_servers().await;
    let plan = suite();
    let mut outcomes = Vec::new();
    for planned in &plan {
        let server = if planned.role { &servers.1 } else { &servers.0 };
        let client = Client::builder()
            .credentials(Credentials::new(mock::ACCESS_KEY, planned.sk))
            .domain_id(mock::DOMAIN_ID)
            .endpoint(server.url())
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap();
        outcomes.push(match call_typed(&client, planned.operation).await {
            Ok(_) => Outcome {
                status: Some(200),
                code: None,
                message: String::new(),
            },
            Err(err) => Outcome {
                status: err.status(),
                code: err.api().map(|e| e.code.clone()),
                message: err.to_string(),
            },
        });
    }
    check_suite("our client", &servers, &plan, &outcomes);
}

/// The SDK's request attributes for an operation: each parameter's sample by its
/// attribute name, the body as JSON with the wire names.
fn sdk_params(operation: &str) -> Value {
    let spec = huawei_spec();
    let op = spec
        .operations
        .iter()
        .find(|o| o.name == operation)
        .unwrap();
    let params: serde_json::Map<String, Value> = op
        .params
        .iter()
        .map(|p| {
            let value = sample_value(&p.ty, &spec.types, 0);
            let key = if p.location == ParamLocation::Body {
                "body".to_owned()
            } else {
                p.name.clone()
            };
            (key, value)
        })
        .collect();
    let mut params = Value::Object(params);
    // The paging parameters of a list operation: the first page, which its mock accepts.
    if let Some(pagination) = &op.pagination {
        match pagination.location {
            Some(ParamLocation::Body) => sample_first_page(&mut params["body"], pagination),
            _ => sample_first_page(&mut params, pagination),
        }
    }
    params
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_passes_the_interop_suite() {
    let python = partnergen_tests::python_with("huaweicloudsdkbssintl.v2", "huaweicloudsdkbssintl");
    let servers = suite_servers().await;
    let plan = suite();
    let calls: Vec<Value> = plan
        .iter()
        .map(|p| {
            let server = if p.role { &servers.1 } else { &servers.0 };
            let op = Operation::from_name(p.operation).unwrap();
            json!({"url": server.url(), "operation": p.operation,
                   "method": partnergen_codegen::names::method_name(p.operation, None),
                   "params": sdk_params(p.operation),
                   "ak": mock::ACCESS_KEY, "sk": p.sk, "path": op.info().path})
        })
        .collect();
    let document = json!({"url": servers.0.url(), "calls": calls});
    let printed = tokio::task::spawn_blocking(move || {
        partnergen_tests::run_interop_script(&python, "huawei_sdk.py", &document)
    })
    .await
    .unwrap();
    let results: Vec<Value> = serde_json::from_value(printed).unwrap();
    let outcomes: Vec<Outcome> = results
        .iter()
        .map(|r| {
            if r["ok"] == json!(true) {
                // The SDK decoded the answer into its own response model.
                assert!(r["response"].is_object(), "{r}");
            }
            Outcome {
                status: r["status"].as_u64().map(|s| s as u16),
                code: r["error_code"].as_str().map(str::to_owned),
                message: r["error_msg"].as_str().unwrap_or_default().to_owned(),
            }
        })
        .collect();
    check_suite("the official SDK", &servers, &plan, &outcomes);
}

/// The Huawei error code of an answer.
fn code(raw: &Raw) -> Option<String> {
    raw.json()["error_code"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn the_server_checks_skew_routes_signed_headers_bodies_and_permissions() {
    let server = mock::server().start().await.unwrap();
    let client = mock::server_client(&server);
    let quota = models::ShowPartnerConsumptionQuotaRequest::new();
    let now = unix_now();
    let signed = |timestamp| client.engine().signed_request(&quota, timestamp).unwrap();

    let ok = exchange(server.addr(), &wire::as_sent(&signed(now))).await;
    assert_eq!((ok.status, code(&ok)), (200, None), "{ok:?}");
    assert!(ok.header("x-request-id").is_some());

    // 16 minutes off: APIGW.0303 (15 are allowed).
    let skewed = exchange(server.addr(), &wire::as_sent(&signed(now - 16 * 60))).await;
    assert_eq!(
        (skewed.status, code(&skewed).as_deref()),
        (401, Some("APIGW.0303")),
        "{skewed:?}"
    );
    let within = exchange(server.addr(), &wire::as_sent(&signed(now - 14 * 60))).await;
    assert_eq!(within.status, 200, "{within:?}");

    // An unknown route: 404 with Huawei's error body and a request id.
    let mut lost = signed(now);
    lost.url = lost.url.replace("consumption-quota", "everything");
    let lost = exchange(server.addr(), &wire::as_sent(&lost)).await;
    assert_eq!(
        (lost.status, code(&lost).as_deref()),
        (404, Some("APIGW.0101"))
    );
    assert_eq!(
        lost.json()["request_id"].as_str(),
        lost.header("x-request-id")
    );

    // A signature that leaves out `host` is refused even though it verifies.
    let mut unsigned_host = signed(now);
    let date = unsigned_host.header("X-Sdk-Date").unwrap().to_owned();
    let canonical = format!(
        "GET\n/v2/partners/credit/consumption-quota/\n\nx-sdk-date:{date}\n\nx-sdk-date\n{}",
        hex_sha256(b"")
    );
    let string_to_sign = partnergen_runtime::huawei::sign::string_to_sign(&canonical, &date);
    let signature = hmac_hex(mock::SECRET_KEY.as_bytes(), string_to_sign.as_bytes());
    unsigned_host.headers.retain(|(k, _)| *k != "Authorization");
    unsigned_host.headers.push((
        "Authorization",
        format!(
            "SDK-HMAC-SHA256 Access={}, SignedHeaders=x-sdk-date, Signature={signature}",
            mock::ACCESS_KEY
        ),
    ));
    let refused = exchange(server.addr(), &wire::as_sent(&unsigned_host)).await;
    assert_eq!(code(&refused).as_deref(), Some("APIGW.0301"), "{refused:?}");
    assert!(
        refused.json()["error_msg"]
            .as_str()
            .unwrap()
            .contains("`host`"),
        "{refused:?}"
    );

    // A body of the wrong type: 400 CBC.0100 naming the field.
    let request = client
        .engine()
        .signed_raw_request(
            Operation::ListSubCustomers,
            &Default::default(),
            br#"{"limit": "five"}"#.to_vec(),
            now,
        )
        .unwrap();
    let bad = exchange(server.addr(), &wire::as_sent(&request)).await;
    assert_eq!(
        (bad.status, code(&bad).as_deref()),
        (400, Some("CBC.0100")),
        "{bad:?}"
    );
    assert!(
        bad.json()["error_msg"]
            .as_str()
            .unwrap()
            .contains("`limit`"),
        "{bad:?}"
    );

    // Permissions over the admin endpoint: any one of an operation's unlocks it.
    let set = |permissions: Value| {
        let addr = server.addr();
        async move {
            exchange(
                addr,
                &wire::admin_bytes(
                    "POST",
                    "/_mock/permissions",
                    &json!({"permissions": permissions}),
                ),
            )
            .await
        }
    };
    assert_eq!(set(json!([INVOICES_ONLY])).await.status, 200);
    let denied = client
        .show_partner_consumption_quota(&quota)
        .await
        .unwrap_err();
    assert_eq!(
        (denied.status(), denied.kind()),
        (Some(403), Some(ErrorKind::UnauthorizedOperation))
    );
    let unlock = Operation::ShowPartnerConsumptionQuota.info().permissions[0];
    set(json!([INVOICES_ONLY, unlock])).await;
    client.show_partner_consumption_quota(&quota).await.unwrap();
    let granted = server.log().pop().unwrap();
    assert_eq!(granted.statement, Some(format!("granted by {unlock}")));
    // Switched off, the check lets everything through; reset restores the start.
    set(json!([])).await;
    server.set_checks(Checks {
        permissions: false,
        ..Checks::default()
    });
    client.show_partner_consumption_quota(&quota).await.unwrap();
    server.reset();
    client.show_partner_consumption_quota(&quota).await.unwrap();
    assert_eq!(server.log().len(), 1);
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}
