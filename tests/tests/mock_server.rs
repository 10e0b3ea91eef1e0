//! The mock server over real HTTP on 127.0.0.1: the interoperability suite (all 46
//! actions, a wrong key, a CAM denial) run by our client and by the official Python SDK,
//! then each check the server makes, the decision log, the admin endpoint, and the
//! binary behind `cargo xtask mock-server`.

mod common;
mod wire;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{call_typed, tencent_spec, TYPED};
use partnergen_codegen::emit::mock::{sample_first_page, sample_value};
use partnergen_codegen::spec::TypeRef;
use partnergen_tests::workspace_root;
use serde_json::{json, Value};
use tencentcloud_intlpartnersmgt::mock::{self, Checks};
use tencentcloud_intlpartnersmgt::{models, Action, Client, Credentials, RetryPolicy};
use wire::{exchange, signed, unix_now, Raw};

const READER_ID: &str = "AKIDreader";
const READER_KEY: &str = "reader-secret-key";

/// A CAM policy that allows one action.
fn allow_only(action: &str) -> Value {
    json!({"version": "2.0", "statement": [{
        "effect": "allow", "action": [format!("intlpartnersmgt:{action}")], "resource": ["*"]
    }]})
}

/// The suite's server: the test credentials unrestricted, and a reader whose policy
/// allows only QueryPartnerCredit.
async fn suite_server() -> mock::Server {
    mock::server()
        .credentials(Credentials::new(READER_ID, READER_KEY))
        .policy(READER_ID, allow_only("QueryPartnerCredit"))
        .start()
        .await
        .unwrap()
}

/// One call of the suite and what it must get.
struct Planned {
    action: String,
    params: Value,
    secret_id: &'static str,
    secret_key: &'static str,
    /// `None`: a response; else the error code.
    expect: Option<&'static str>,
}

/// Every action of the API definition with a schema-built valid request, then a wrong
/// key, then the reader's allowed and denied actions.
fn suite() -> Vec<Planned> {
    let spec = tencent_spec();
    let mut plan: Vec<Planned> = spec
        .actions
        .iter()
        .filter(|a| a.in_api_definition)
        .map(|a| Planned {
            action: a.name.clone(),
            params: {
                let mut params =
                    sample_value(&TypeRef::Named(a.request.clone().unwrap()), &spec.types, 0);
                if let Some(pagination) = &a.pagination {
                    sample_first_page(&mut params, pagination);
                }
                params
            },
            secret_id: mock::SECRET_ID,
            secret_key: mock::SECRET_KEY,
            expect: None,
        })
        .collect();
    assert_eq!(plan.len(), 46);
    let call = |action: &str, id, key, expect| Planned {
        action: action.into(),
        params: json!({}),
        secret_id: id,
        secret_key: key,
        expect,
    };
    plan.push(call(
        "QueryPartnerCredit",
        mock::SECRET_ID,
        "not-the-key",
        Some("AuthFailure.SignatureFailure"),
    ));
    plan.push(call("QueryPartnerCredit", READER_ID, READER_KEY, None));
    plan.push(Planned {
        params: json!({"SubAgentUin": 1, "Credit": 2.0}),
        ..call(
            "AllocateCreditPool",
            READER_ID,
            READER_KEY,
            Some("AuthFailure.UnauthorizedOperation"),
        )
    });
    plan
}

/// What a client got for one call.
#[derive(Debug)]
struct Outcome {
    code: Option<String>,
    message: String,
    request_id: Option<String>,
}

/// Checks a runner's outcomes against the plan and the server's log.
fn check_suite(runner: &str, server: &mock::Server, plan: &[Planned], outcomes: &[Outcome]) {
    assert_eq!(outcomes.len(), plan.len(), "{runner}");
    let log = server.log();
    for (planned, got) in plan.iter().zip(outcomes) {
        let what = format!("{runner}: {} as {}", planned.action, planned.secret_id);
        assert_eq!(got.code.as_deref(), planned.expect, "{what}: {got:?}");
        let id = got
            .request_id
            .as_deref()
            .unwrap_or_else(|| panic!("{what}: no RequestId"));
        let entry = log
            .iter()
            .find(|e| e.request_id == id)
            .unwrap_or_else(|| panic!("{what}: {id} is not in the log"));
        assert_eq!(
            entry.action.as_deref(),
            Some(planned.action.as_str()),
            "{what}"
        );
        assert_eq!(entry.error_code.as_deref(), planned.expect, "{what}");
        if planned.expect.is_none() {
            assert_eq!(entry.decided_by, "default", "{what}: {entry:?}");
        }
        if planned.expect == Some("AuthFailure.UnauthorizedOperation") {
            let qualified = format!("intlpartnersmgt:{}", planned.action);
            assert!(got.message.contains(&qualified), "{what}: {}", got.message);
            assert_eq!(entry.decided_by, "policies");
        }
    }
}

#[tokio::test]
async fn our_client_passes_the_interop_suite() {
    let server = suite_server().await;
    let plan = suite();
    assert_eq!(
        plan.iter()
            .filter(|p| TYPED.contains(&p.action.as_str()))
            .count(),
        plan.len()
    );
    let mut outcomes = Vec::new();
    for planned in &plan {
        let client = Client::builder()
            .credentials(Credentials::new(planned.secret_id, planned.secret_key))
            .endpoint(server.url())
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap();
        outcomes.push(
            match call_typed(&client, &planned.action, planned.params.clone()).await {
                Ok(response) => Outcome {
                    code: None,
                    message: String::new(),
                    request_id: response["RequestId"].as_str().map(str::to_owned),
                },
                Err(err) => Outcome {
                    code: err.api().map(|e| e.code.clone()),
                    message: err.to_string(),
                    request_id: err.request_id().map(str::to_owned),
                },
            },
        );
    }
    check_suite("our client", &server, &plan, &outcomes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_passes_the_interop_suite() {
    let python = partnergen_tests::python_with(
        "tencentcloud.intlpartnersmgt.v20220928",
        "tencentcloud-sdk-python-intl-en",
    );
    let server = suite_server().await;
    let plan = suite();
    let calls: Vec<Value> = plan
        .iter()
        .map(|p| {
            json!({"action": p.action, "params": p.params,
                   "secret_id": p.secret_id, "secret_key": p.secret_key})
        })
        .collect();
    let document = json!({"url": server.url(), "calls": calls});
    let printed = tokio::task::spawn_blocking(move || {
        partnergen_tests::run_interop_script(&python, "tencent_sdk.py", &document)
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
                assert_eq!(r["response"]["RequestId"], r["request_id"], "{r}");
            }
            Outcome {
                code: r["code"].as_str().map(str::to_owned),
                message: r["message"].as_str().unwrap_or_default().to_owned(),
                request_id: r["request_id"].as_str().map(str::to_owned),
            }
        })
        .collect();
    check_suite("the official SDK", &server, &plan, &outcomes);
}

/// Sends a request signed by the test client of `server` (`edit` may change it first).
async fn send_signed(
    server: &mock::Server,
    action: &str,
    body: &str,
    timestamp: i64,
    edit: impl FnOnce(&mut partnergen_runtime::transport::HttpRequest),
) -> Raw {
    let mut request = signed(&mock::server_client(server), action, body, timestamp);
    edit(&mut request);
    exchange(server.addr(), &wire::as_sent(&request)).await
}

fn set_header(
    request: &mut partnergen_runtime::transport::HttpRequest,
    name: &'static str,
    value: &str,
) {
    request
        .headers
        .retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    request.headers.push((name, value.to_owned()));
}

#[tokio::test]
async fn signatures_are_verified_over_what_was_received() {
    let server = mock::server()
        .credentials(Credentials::new("AKIDtemp", "temp-key").with_token("session-token"))
        .start()
        .await
        .unwrap();
    let now = unix_now();
    let ok = send_signed(&server, "QueryPartnerCredit", "{}", now, |_| {}).await;
    assert_eq!(ok.code(), None, "{ok:?}");

    // A byte of the body changed after signing.
    let tampered = send_signed(&server, "QueryPartnerCredit", "{}", now, |r| {
        r.body = b"{ }".to_vec();
    })
    .await;
    // The Host as received differs from the Host signed.
    let other_host = send_signed(&server, "QueryPartnerCredit", "{}", now, |r| {
        set_header(r, "Host", "intlpartnersmgt.tencentcloudapi.com");
    })
    .await;
    let wrong_key = {
        let client = Client::builder()
            .credentials(Credentials::new(mock::SECRET_ID, "wrong"))
            .endpoint(server.url())
            .build()
            .unwrap();
        let request = signed(&client, "QueryPartnerCredit", "{}", now);
        exchange(server.addr(), &wire::as_sent(&request)).await
    };
    let unknown_id = {
        let client = Client::builder()
            .credentials(Credentials::new("AKIDnobody", "x"))
            .endpoint(server.url())
            .build()
            .unwrap();
        exchange(
            server.addr(),
            &wire::as_sent(&signed(&client, "QueryPartnerCredit", "{}", now)),
        )
        .await
    };
    let expired = send_signed(&server, "QueryPartnerCredit", "{}", now - 301, |_| {}).await;
    let future = send_signed(&server, "QueryPartnerCredit", "{}", now + 400, |_| {}).await;
    let within = send_signed(&server, "QueryPartnerCredit", "{}", now - 250, |_| {}).await;
    let missing = send_signed(&server, "QueryPartnerCredit", "{}", now, |r| {
        r.headers.retain(|(k, _)| *k != "Authorization");
    })
    .await;
    let malformed = send_signed(&server, "QueryPartnerCredit", "{}", now, |r| {
        set_header(r, "Authorization", "Bearer abc");
    })
    .await;
    let temp = |token: Option<&'static str>| {
        let server = &server;
        async move {
            let credentials = Credentials::new("AKIDtemp", "temp-key");
            let client = Client::builder()
                .credentials(match token {
                    Some(t) => credentials.with_token(t),
                    None => credentials,
                })
                .endpoint(server.url())
                .build()
                .unwrap();
            let request = signed(&client, "QueryPartnerCredit", "{}", now);
            exchange(server.addr(), &wire::as_sent(&request)).await
        }
    };
    for (name, raw, code) in [
        ("tampered body", &tampered, "AuthFailure.SignatureFailure"),
        ("other host", &other_host, "AuthFailure.SignatureFailure"),
        ("wrong key", &wrong_key, "AuthFailure.SignatureFailure"),
        (
            "unknown SecretId",
            &unknown_id,
            "AuthFailure.SecretIdNotFound",
        ),
        ("301 s old", &expired, "AuthFailure.SignatureExpire"),
        ("400 s ahead", &future, "AuthFailure.SignatureExpire"),
        ("no Authorization", &missing, "AuthFailure"),
        ("not TC3", &malformed, "AuthFailure.InvalidAuthorization"),
        ("no token", &temp(None).await, "AuthFailure.TokenFailure"),
        (
            "wrong token",
            &temp(Some("other")).await,
            "AuthFailure.TokenFailure",
        ),
    ] {
        assert_eq!(raw.code().as_deref(), Some(code), "{name}: {raw:?}");
        raw.assert_service_shape();
    }
    assert_eq!(within.code(), None, "250 s of skew is allowed: {within:?}");
    assert_eq!(temp(Some("session-token")).await.code(), None);

    // Headers signed beyond content-type and host (x-tc-action with its value in lower
    // case, as the docs' example signs it) verify too.
    let client = mock::server_client(&server);
    let body = b"{}";
    let host = server.addr().to_string();
    let canonical = format!(
        "POST\n/\n\ncontent-type:application/json\nhost:{host}\nx-tc-action:querypartnercredit\n\ncontent-type;host;x-tc-action\n{}",
        partnergen_runtime::tencent::sign::payload_hash(body)
    );
    let signature = partnergen_runtime::tencent::sign::sign_canonical(
        mock::SECRET_KEY,
        tencentcloud_intlpartnersmgt::SERVICE,
        now,
        &canonical,
    );
    let mut request = signed(&client, "QueryPartnerCredit", "{}", now);
    set_header(
        &mut request,
        "Authorization",
        &format!(
            "TC3-HMAC-SHA256 Credential={}/{}/intlpartnersmgt/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature={signature}",
            mock::SECRET_ID,
            partnergen_runtime::tencent::sign::scope_date(now)
        ),
    );
    let raw = exchange(server.addr(), &wire::as_sent(&request)).await;
    assert_eq!(raw.code(), None, "{raw:?}");
}

#[tokio::test]
async fn dispatch_version_and_protocol_are_checked() {
    let server = mock::server().start().await.unwrap();
    let now = unix_now();
    let unknown = send_signed(&server, "QueryEverything", "{}", now, |_| {}).await;
    let no_action = send_signed(&server, "QueryPartnerCredit", "{}", now, |r| {
        r.headers.retain(|(k, _)| *k != "X-TC-Action");
    })
    .await;
    let version = send_signed(&server, "QueryPartnerCredit", "{}", now, |r| {
        set_header(r, "X-TC-Version", "2017-03-12");
    })
    .await;
    let no_version = send_signed(&server, "QueryPartnerCredit", "{}", now, |r| {
        r.headers.retain(|(k, _)| *k != "X-TC-Version");
    })
    .await;
    let form = send_signed(&server, "QueryPartnerCredit", "{}", now, |r| {
        set_header(r, "Content-Type", "application/x-www-form-urlencoded");
    })
    .await;
    let request = signed(&mock::server_client(&server), "QueryPartnerCredit", "", now);
    let get = exchange(
        server.addr(),
        &wire::to_bytes(&request, "GET", "/?Action=X"),
    )
    .await;
    for (name, raw, code) in [
        ("unknown action", &unknown, "InvalidAction"),
        ("no action", &no_action, "MissingParameter"),
        ("other version", &version, "NoSuchVersion"),
        ("no version", &no_version, "MissingParameter"),
        ("form body", &form, "UnsupportedProtocol"),
        ("GET", &get, "UnsupportedProtocol"),
    ] {
        assert_eq!(raw.code().as_deref(), Some(code), "{name}: {raw:?}");
        raw.assert_service_shape();
    }
    assert!(unknown.message().contains("QueryEverything"));
    // A CAM-page action outside the API definition passes the checks but has no answer.
    let unanswered = send_signed(&server, "QueryUser", "{}", now, |_| {}).await;
    assert_eq!(unanswered.code().as_deref(), Some("InternalError"));
    assert!(
        unanswered.message().contains("QueryUser: no mock rule"),
        "{unanswered:?}"
    );
}

#[tokio::test]
async fn parameters_are_decoded_into_the_typed_request() {
    let no_qps = Checks {
        qps: false,
        ..Checks::default()
    };
    let server = mock::server().checks(no_qps).start().await.unwrap();
    let now = unix_now();
    for (body, code, needle) in [
        ("{\"SubAgentUin\": 1", "InvalidParameter", "not valid JSON"),
        (
            "{\"Credit\": 2.5}",
            "MissingParameter",
            "`SubAgentUin` is missing",
        ),
        (
            "{\"SubAgentUin\": [1], \"Credit\": 2.5}",
            "InvalidParameter",
            "`SubAgentUin` is invalid",
        ),
        (
            "{\"SubAgentUin\": 1, \"Credit\": 2.5, \"Amount\": 3}",
            "UnknownParameter",
            "`Amount`",
        ),
    ] {
        let raw = send_signed(&server, "AllocateCreditPool", body, now, |_| {}).await;
        assert_eq!(raw.code().as_deref(), Some(code), "{body}: {raw:?}");
        assert!(raw.message().contains(needle), "{body}: {raw:?}");
        assert!(raw.message().starts_with("AllocateCreditPool: "), "{raw:?}");
    }
    let ok = send_signed(
        &server,
        "AllocateCreditPool",
        "{\"SubAgentUin\": 1, \"Credit\": 2.5}",
        now,
        |_| {},
    )
    .await;
    assert_eq!(ok.code(), None, "{ok:?}");
    // With the check off, the same bad body is answered.
    server.set_checks(Checks {
        parameters: false,
        ..no_qps
    });
    let lenient = send_signed(
        &server,
        "AllocateCreditPool",
        "{\"Amount\": 3}",
        now,
        |_| {},
    )
    .await;
    assert_eq!(lenient.code(), None, "{lenient:?}");
}

#[tokio::test]
async fn each_action_s_qps_is_enforced_per_secret_id() {
    let server = mock::server()
        .credentials(Credentials::new(READER_ID, READER_KEY))
        .start()
        .await
        .unwrap();
    let qps = Action::GetCountryCodes.info().qps.get() as usize;
    assert_eq!(qps, 5);
    let now = unix_now();
    let mut codes = Vec::new();
    for _ in 0..=qps {
        let raw = send_signed(&server, "GetCountryCodes", "{}", now, |_| {}).await;
        codes.push(raw.code());
    }
    assert_eq!(
        codes.iter().filter(|c| c.is_none()).count(),
        qps,
        "{codes:?}"
    );
    assert_eq!(codes[qps].as_deref(), Some("RequestLimitExceeded"));
    // Another action's budget, and another SecretId's, are untouched.
    assert_eq!(
        send_signed(&server, "GetTradeConfigList", "{}", now, |_| {})
            .await
            .code(),
        None
    );
    let reader = Client::builder()
        .credentials(Credentials::new(READER_ID, READER_KEY))
        .endpoint(server.url())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    // Our client keeps to the documented limit, so twice the limit in calls is never
    // refused (it takes about two seconds).
    for i in 0..2 * qps {
        reader
            .get_country_codes(&models::GetCountryCodesRequest::new())
            .await
            .unwrap_or_else(|e| panic!("call {i}: {e}"));
    }
    let log = server.log();
    assert_eq!(log.iter().filter(|e| e.decided_by == "qps").count(), 1);
    // Switched off, the same burst passes.
    server.reset();
    server.set_checks(Checks {
        qps: false,
        ..Checks::default()
    });
    for _ in 0..=qps {
        let raw = send_signed(&server, "GetCountryCodes", "{}", now, |_| {}).await;
        assert_eq!(raw.code(), None);
    }
}

#[tokio::test]
async fn cam_policies_are_enforced_with_the_source_ip() {
    let no_qps = Checks {
        qps: false,
        ..Checks::default()
    };
    let server = mock::server()
        .checks(no_qps)
        .credentials(Credentials::new(READER_ID, READER_KEY))
        .start()
        .await
        .unwrap();
    let reader = || async {
        let client = Client::builder()
            .credentials(Credentials::new(READER_ID, READER_KEY))
            .endpoint(server.url())
            .retry_policy(RetryPolicy::disabled())
            .without_rate_limits()
            .build()
            .unwrap();
        client
            .query_partner_credit(&models::QueryPartnerCreditRequest::new())
            .await
    };
    let ip_policy = |range: &str| {
        json!({"version": "2.0", "statement": [{"effect": "allow", "sid": "from-range",
            "action": ["intlpartnersmgt:Query*"], "resource": ["*"],
            "condition": {"ip_equal": {"qcs:ip": [range]}}}]})
    };
    // Unrestricted until a policy is attached.
    reader().await.unwrap();
    server
        .set_policies(READER_ID, &[ip_policy("127.0.0.1/32")])
        .unwrap();
    reader().await.unwrap();
    let allowed = server.log().pop().unwrap();
    assert_eq!(
        allowed.statement.as_deref(),
        Some("policy 0, statement 0 (sid from-range)")
    );

    server
        .set_policies(READER_ID, &[ip_policy("10.0.0.0/8")])
        .unwrap();
    let err = reader().await.unwrap_err();
    assert_eq!(err.api().unwrap().code, "AuthFailure.UnauthorizedOperation");
    assert!(
        err.to_string()
            .contains("intlpartnersmgt:QueryPartnerCredit"),
        "{err}"
    );
    assert!(err.to_string().contains("127.0.0.1"), "{err}");

    // An explicit deny wins over the allow.
    let deny = json!({"version": "2.0", "statement": [{"effect": "deny", "sid": "no-credit",
        "action": ["intlpartnersmgt:QueryPartnerCredit"], "resource": ["*"]}]});
    server
        .set_policies(READER_ID, &[ip_policy("127.0.0.0/8"), deny])
        .unwrap();
    reader().await.unwrap_err();
    let denied = server.log().pop().unwrap();
    assert_eq!(
        (denied.decided_by, denied.statement.as_deref()),
        ("policies", Some("policy 1, statement 0 (sid no-credit)"))
    );
    assert_eq!(denied.access_key_id.as_deref(), Some(READER_ID));

    // Switched off, or lifted, the reader is allowed again; a bad policy is refused.
    server.set_checks(Checks {
        policies: false,
        ..no_qps
    });
    reader().await.unwrap();
    server.set_checks(no_qps);
    server.clear_policies(READER_ID);
    reader().await.unwrap();
    let err = server
        .set_policies(READER_ID, &[json!({"statement": "x"})])
        .unwrap_err();
    assert!(err.contains("policy 0"), "{err}");
}

#[tokio::test]
async fn checks_switch_off_and_every_decision_is_logged() {
    let server = mock::server()
        .checks(Checks {
            signature: false,
            ..Checks::default()
        })
        .start()
        .await
        .unwrap();
    let now = unix_now();
    // Unsigned, but timestamped: answered.
    let unsigned = send_signed(&server, "QueryPartnerCredit", "{}", now, |r| {
        r.headers.retain(|(k, _)| *k != "Authorization");
    })
    .await;
    assert_eq!(unsigned.code(), None, "{unsigned:?}");
    // The clock-skew check still applies on its own.
    let old = send_signed(&server, "QueryPartnerCredit", "{}", now - 3600, |_| {}).await;
    assert_eq!(old.code().as_deref(), Some("AuthFailure.SignatureExpire"));
    server.set_checks(Checks {
        signature: false,
        clock_skew: false,
        ..Checks::default()
    });
    let old = send_signed(&server, "QueryPartnerCredit", "{}", now - 3600, |_| {}).await;
    assert_eq!(old.code(), None);
    let log = server.log();
    assert_eq!(log.len(), 3);
    assert_eq!(
        log.iter()
            .map(|e| (e.seq, e.decided_by))
            .collect::<Vec<_>>(),
        vec![(1, "default"), (2, "clock-skew"), (3, "default")]
    );
    assert_eq!(log[1].access_key_id.as_deref(), Some(mock::SECRET_ID));
    assert_eq!(log[0].request_id, unsigned.request_id().unwrap());
}

#[tokio::test]
async fn rules_answer_through_the_server_and_the_admin_endpoint_drives_it() {
    let mut credit = models::QueryPartnerCreditResponse::default();
    credit.total_credit = 77.0;
    let server = mock::server()
        .rule(mock::query_partner_credit().respond(credit).build())
        .start()
        .await
        .unwrap();
    let client = mock::server_client(&server);
    let got = client
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap();
    assert_eq!(got.total_credit, 77.0);

    let admin = |method: &'static str, path: &'static str, body: Value| {
        let addr = server.addr();
        async move { exchange(addr, &wire::admin_bytes(method, path, &body)).await }
    };
    // A JSON rule: a sequence for retries (RequestLimitExceeded twice, then a response).
    let rule = json!({"action": "QueryCreditAllocationHistory", "match": {"ClientUin": 7}, "replies": [
        {"error": {"code": "RequestLimitExceeded", "message": "slow down"}, "times": 2},
        {"response": {"Total": 3}}]});
    let added = admin("POST", "/_mock/rules", rule).await;
    assert_eq!(
        (added.status, added.json()["added"].clone()),
        (200, json!(1))
    );
    let retrying = Client::builder()
        .credentials(Credentials::new(mock::SECRET_ID, mock::SECRET_KEY))
        .endpoint(server.url())
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        })
        .build()
        .unwrap();
    let history = retrying
        .query_credit_allocation_history(&models::QueryCreditAllocationHistoryRequest::new(
            models::QueryCreditAllocationHistoryRequired { client_uin: 7 },
        ))
        .await
        .unwrap();
    assert_eq!(history.total, 3);
    let calls = admin("GET", "/_mock/calls", Value::Null).await.json();
    let actions: Vec<&str> = calls["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "QueryPartnerCredit",
            "QueryCreditAllocationHistory",
            "QueryCreditAllocationHistory",
            "QueryCreditAllocationHistory"
        ]
    );
    let log = admin("GET", "/_mock/log", Value::Null).await.json();
    let decided: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["decided_by"].as_str().unwrap())
        .collect();
    assert_eq!(decided, ["rule", "rule", "rule", "rule"]);

    // Checks and policies over HTTP.
    let checks = admin("POST", "/_mock/checks", json!({"qps": false}))
        .await
        .json();
    assert_eq!(checks["qps"], json!(false));
    assert!(!server.checks().qps);
    let policies = admin(
        "POST",
        "/_mock/policies",
        json!({"secret_id": mock::SECRET_ID, "policies": [allow_only("GetCountryCodes")]}),
    )
    .await;
    assert_eq!(policies.status, 200, "{policies:?}");
    let denied = client
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap_err();
    assert_eq!(
        denied.api().unwrap().code,
        "AuthFailure.UnauthorizedOperation"
    );

    // Bad admin requests are named; reset returns to the start.
    for (method, path, body, status, needle) in [
        (
            "POST",
            "/_mock/rules",
            json!({"action": "Nope", "replies": [{"response": {}}]}),
            400,
            "no action is named `Nope`",
        ),
        (
            "POST",
            "/_mock/rules",
            json!([{"action": "QueryPartnerCredit"}]),
            400,
            "rule 0: QueryPartnerCredit: a rule needs `replies`",
        ),
        (
            "POST",
            "/_mock/checks",
            json!({"speed": true}),
            400,
            "no check is named `speed`",
        ),
        (
            "POST",
            "/_mock/policies",
            json!({"secret_id": 1}),
            400,
            "`secret_id`",
        ),
        (
            "GET",
            "/_mock/everything",
            Value::Null,
            404,
            "no admin endpoint",
        ),
    ] {
        let answer = admin(method, path, body).await;
        assert_eq!(answer.status, status, "{path}: {answer:?}");
        assert!(
            answer.json()["error"].as_str().unwrap().contains(needle),
            "{path}: {answer:?}"
        );
    }
    assert_eq!(admin("POST", "/_mock/reset", Value::Null).await.status, 200);
    assert!(server.log().is_empty());
    assert!(server.checks().qps);
    let default = client
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap();
    assert_ne!(default.total_credit, 77.0, "the rule is gone after reset");
}

#[test]
fn a_blocking_server_serves_tests_that_are_not_async() {
    let server = mock::server().start_blocking().unwrap();
    let request = signed(
        &mock::server_client(&server),
        "QueryPartnerCredit",
        "{}",
        unix_now(),
    );
    let raw = wire::exchange_blocking(server.addr(), &wire::as_sent(&request));
    assert_eq!(raw.code(), None, "{raw:?}");
    raw.assert_service_shape();
    let addr = server.addr();
    drop(server);
    assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
}

/// Runs `cargo xtask mock-server intlpartnersmgt` with these arguments and environment;
/// returns the child and the first line of its stdout.
fn xtask_mock_server(args: &[&str]) -> (std::process::Child, String) {
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(workspace_root())
        .args(["xtask", "mock-server", "intlpartnersmgt"]);
    let (child, mut stdout) = mock_server_with(command, args, true);
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    (child, first.trim().to_owned())
}

/// The generated mock-server program, built by `cargo test` with the dependencies it
/// has already built (tests/Cargo.toml `[[bin]]`): what `cargo xtask mock-server
/// intlpartnersmgt` runs, without a second cargo build of its own feature set. One test
/// (`the_binary_runs_from_cargo_xtask_with_a_policy_file`) runs the real command.
fn built_mock_server_with(
    args: &[&str],
    credentials: bool,
) -> (std::process::Child, BufReader<std::process::ChildStdout>) {
    let command = Command::new(env!("CARGO_BIN_EXE_tested-intlpartnersmgt-mock-server"));
    mock_server_with(command, args, credentials)
}

/// Runs the mock server `command` with these arguments, with the reader's credentials
/// in the environment or without any; returns the child and its stdout.
fn mock_server_with(
    mut command: Command,
    args: &[&str],
    credentials: bool,
) -> (std::process::Child, BufReader<std::process::ChildStdout>) {
    command
        .args(args)
        .env_remove("TENCENTCLOUD_SECRET_ID")
        .env_remove("TENCENTCLOUD_SECRET_KEY")
        .env_remove("TENCENTCLOUD_SESSION_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if credentials {
        command
            .env("TENCENTCLOUD_SECRET_ID", READER_ID)
            .env("TENCENTCLOUD_SECRET_KEY", READER_KEY);
    }
    let mut child = command.spawn().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    (child, stdout)
}

/// Waits for the child to exit; its status and stderr.
fn exit_and_stderr(mut child: std::process::Child) -> (std::process::ExitStatus, String) {
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status, stderr)
}

#[test]
fn the_binary_names_missing_credentials_in_words() {
    let (child, _) = built_mock_server_with(&["--quiet"], false);
    let (status, stderr) = exit_and_stderr(child);
    assert!(!status.success());
    assert!(
        stderr.contains(
            "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are not set: the mock server"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("MissingEnv"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_listens_off_loopback_only_when_allowed_and_then_wants_the_token() {
    let (child, _) = built_mock_server_with(&["--addr", "0.0.0.0:0", "--quiet"], true);
    let (status, stderr) = exit_and_stderr(child);
    assert!(!status.success());
    assert!(stderr.contains("not a loopback address"), "{stderr}");
    assert!(stderr.contains("--allow-remote"), "{stderr}");

    let (mut child, mut stdout) =
        built_mock_server_with(&["--addr", "0.0.0.0:0", "--allow-remote", "--quiet"], true);
    let (mut url, mut token) = (String::new(), String::new());
    stdout.read_line(&mut url).unwrap();
    stdout.read_line(&mut token).unwrap();
    let port: u16 = url
        .trim()
        .strip_prefix("http://0.0.0.0:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| {
            let _ = child.kill();
            panic!("first line: {url:?}")
        });
    let token = token
        .trim()
        .strip_prefix("admin-token: ")
        .unwrap_or_default()
        .to_owned();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let without = exchange(addr, &wire::admin_bytes("GET", "/_mock/log", &Value::Null)).await;
    let with = exchange(
        addr,
        format!(
            "GET /_mock/log HTTP/1.1\r\nHost: x\r\nX-Mock-Admin-Token: {token}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(token.len(), 32, "second line: {token:?}");
    assert_eq!(without.status, 401, "{without:?}");
    assert_eq!(with.status, 200, "{with:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_runs_from_cargo_xtask_with_a_policy_file() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, allow_only("QueryPartnerCredit").to_string()).unwrap();
    let (mut child, url) = xtask_mock_server(&[
        "--addr",
        "127.0.0.1:0",
        "--quiet",
        "--policy",
        policy.to_str().unwrap(),
    ]);
    if !url.starts_with("http://127.0.0.1:") {
        let mut stderr = String::new();
        let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr);
        panic!("first line: {url:?}; stderr: {stderr}");
    }
    let client = Client::builder()
        .credentials(Credentials::new(READER_ID, READER_KEY))
        .endpoint(&url)
        .build()
        .unwrap();
    let allowed = client
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await;
    let denied = client
        .allocate_credit_pool(&models::AllocateCreditPoolRequest::new(
            models::AllocateCreditPoolRequired {
                sub_agent_uin: 1,
                credit: 2.0,
            },
        ))
        .await;
    child.kill().unwrap();
    child.wait().unwrap();
    allowed.unwrap();
    assert_eq!(
        denied.unwrap_err().api().unwrap().code,
        "AuthFailure.UnauthorizedOperation"
    );

    // A broken policy file: a non-zero exit naming the file and the position.
    std::fs::write(&policy, "{\"version\": \"2.0\",\n \"statement\": [}").unwrap();
    let (child, first) = xtask_mock_server(&["--policy", policy.to_str().unwrap()]);
    let (status, stderr) = exit_and_stderr(child);
    assert!(!status.success());
    assert_eq!(first, "", "nothing on stdout");
    assert!(stderr.contains("policy.json:2:"), "{stderr}");
}
