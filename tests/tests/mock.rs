//! The in-process mock under the real client: defaults for every action, typed rules that
//! match on the typed request, sequences that exercise retries, raw replies, recorded
//! calls, and loud failures for unmatched calls.

mod common;

use std::time::Duration;

use common::{call_typed, tencent_spec, TYPED};
use partnergen_codegen::emit::mock::{sample_first_page, sample_value};
use partnergen_codegen::spec::TypeRef;
use serde_json::json;
use tencentcloud_intlpartnersmgt::mock::{self, Reply};
use tencentcloud_intlpartnersmgt::{models, Action, Client, ErrorKind, RetryPolicy};

/// A client over `mock` that retries fast and is not rate limited.
fn fast_client(mock: &mock::Mock) -> Client {
    mock::builder(mock)
        .without_rate_limits()
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_action_answers_its_default_response() {
    let spec = tencent_spec();
    let mock = mock::mock();
    let client = fast_client(&mock);
    assert_eq!(TYPED.len(), 46);
    for action in spec.actions.iter().filter(|a| a.in_api_definition) {
        let mut request = sample_value(
            &TypeRef::Named(action.request.clone().unwrap()),
            &spec.types,
            0,
        );
        if let Some(pagination) = &action.pagination {
            sample_first_page(&mut request, pagination);
        }
        let response = call_typed(&client, &action.name, request.clone())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", action.name));
        let typed = Action::from_name(&action.name).unwrap();
        assert_eq!(mock.count(typed), 1, "{}", action.name);
        assert_eq!(mock.calls().last().unwrap().request, request);
        // The four actions whose vendor example is broken answer a schema-built response.
        if action.examples.is_empty() {
            assert!(
                response.as_object().is_some_and(|o| !o.is_empty()),
                "{}: {response}",
                action.name
            );
        }
    }
    assert_eq!(mock.calls().len(), 46);
}

#[tokio::test]
async fn typed_rules_match_on_the_typed_request() {
    let mut big = models::QueryCreditAllocationHistoryResponse::default();
    big.total = 99;
    let mut small = models::QueryCreditAllocationHistoryResponse::default();
    small.total = 1;
    let mock = mock::mock()
        .with_rule(
            mock::query_credit_allocation_history()
                .matching(|req: &models::QueryCreditAllocationHistoryRequest| req.client_uin == 42)
                .respond(big)
                .build(),
        )
        .with_rule(
            mock::query_credit_allocation_history()
                .respond(small)
                .build(),
        );
    let client = fast_client(&mock);
    let answer = |uin| {
        models::QueryCreditAllocationHistoryRequest::new(
            models::QueryCreditAllocationHistoryRequired { client_uin: uin },
        )
        .with_page_size(10)
    };
    assert_eq!(
        client
            .query_credit_allocation_history(&answer(42))
            .await
            .unwrap()
            .total,
        99
    );
    assert_eq!(
        client
            .query_credit_allocation_history(&answer(7))
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        client
            .query_credit_allocation_history(&answer(42))
            .await
            .unwrap()
            .total,
        99,
        "a single reply repeats"
    );
    let calls = mock.calls();
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[1].request["ClientUin"], json!(7));
}

#[tokio::test]
async fn sequences_exercise_retries_as_in_production() {
    let mut credit = models::QueryPartnerCreditResponse::default();
    credit.total_credit = 5.0;
    // A read action: RequestLimitExceeded twice, then the response.
    let mock = mock::mock().with_rule(
        mock::query_partner_credit()
            .times(Reply::api_error("RequestLimitExceeded", "slow down"), 2)
            .respond(credit)
            .build(),
    );
    let client = fast_client(&mock);
    let got = client
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap();
    assert_eq!(got.total_credit, 5.0);
    assert_eq!(mock.count(Action::QueryPartnerCredit), 3);

    // A write action is not retried: the first error surfaces, with its code.
    let mock = mock::mock().with_rule(
        mock::allocate_credit_pool()
            .error("RequestLimitExceeded", "slow down")
            .respond(models::AllocateCreditPoolResponse::default())
            .build(),
    );
    let err = fast_client(&mock)
        .allocate_credit_pool(&models::AllocateCreditPoolRequest::new(
            models::AllocateCreditPoolRequired {
                sub_agent_uin: 1,
                credit: 2.0,
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::RequestLimitExceeded));
    assert!(err.request_id().is_some_and(|id| id.starts_with("mock-")));
    assert_eq!(mock.count(Action::AllocateCreditPool), 1);
}

#[tokio::test]
async fn raw_replies_reach_the_client_as_sent() {
    let mock = mock::mock().with_rule(
        mock::query_partner_credit()
            .reply(Reply::Raw {
                status: 502,
                body: b"bad gateway".to_vec(),
            })
            .build(),
    );
    let client = mock::builder(&mock)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let client: Client = client;
    let err = client
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap_err();
    // Not JSON at 502: a typed server error carrying the status, not a decode error.
    assert_eq!(err.kind(), Some(ErrorKind::InternalError), "{err:?}");
    assert_eq!(err.status(), Some(502), "{err:?}");
    assert!(
        err.api().unwrap().message.contains("bad gateway"),
        "{err:?}"
    );
}

#[tokio::test]
#[should_panic(expected = "QueryUser: no mock rule matches this call")]
async fn an_unmatched_call_fails_loudly_with_the_action_name() {
    // QueryUser is on the CAM page but not in the API definition: no default response.
    let mock = mock::mock();
    let _ = fast_client(&mock).call_json("QueryUser", &json!({})).await;
}

#[tokio::test]
#[should_panic(expected = "AllocateCreditPool: no mock rule matches this call")]
async fn a_call_no_rule_matches_fails_loudly_when_there_is_no_default() {
    // A mock without defaults: the only rule's matcher rejects the request.
    let mock = mock::Mock::new(|_| None).with_rule(
        mock::allocate_credit_pool()
            .matching(|req: &models::AllocateCreditPoolRequest| req.sub_agent_uin == 1)
            .respond(models::AllocateCreditPoolResponse::default())
            .build(),
    );
    let _ = fast_client(&mock)
        .allocate_credit_pool(&models::AllocateCreditPoolRequest::new(
            models::AllocateCreditPoolRequired {
                sub_agent_uin: 2,
                credit: 1.0,
            },
        ))
        .await;
}

#[tokio::test]
async fn recorded_calls_stay_within_their_byte_budget() {
    let mock = mock::mock().with_call_budget(8 << 10);
    let client = fast_client(&mock);
    for uin in 0..200u64 {
        client
            .query_credit_allocation_history(&models::QueryCreditAllocationHistoryRequest::new(
                models::QueryCreditAllocationHistoryRequired { client_uin: uin },
            ))
            .await
            .unwrap();
    }
    let held = mock.held();
    assert!(held.bytes <= 8 << 10, "{held:?}");
    assert!(held.calls > 1 && held.calls < 200, "{held:?}");
    let calls = mock.calls();
    assert_eq!(calls.len(), held.calls);
    // The newest are kept.
    assert_eq!(calls.last().unwrap().request["ClientUin"], 199);
    // A budget smaller than one call still keeps the latest.
    mock.set_call_budget(1);
    assert_eq!(mock.held().calls, 1);
    mock.reset();
    assert_eq!((mock.held().calls, mock.held().bytes), (0, 0));
}

/// Five calls of a QPS-1 action: within two seconds exactly when no client-side limit
/// holds them (with the documented limit they take at least four).
async fn five_calls_of_a_qps_1_action(client: &Client) -> Result<(), tokio::time::error::Elapsed> {
    assert_eq!(Action::DescribeBillDetail.info().qps.get(), 1);
    tokio::time::timeout(Duration::from_secs(2), async {
        for _ in 0..5 {
            client
                .call_json("DescribeBillDetail", &json!({}))
                .await
                .unwrap();
        }
    })
    .await
}

#[tokio::test]
async fn mock_clients_impose_no_client_side_qps_limits_by_default() {
    let mock = mock::mock();
    let client = mock::client(&mock);
    assert!(
        five_calls_of_a_qps_1_action(&client).await.is_ok(),
        "the mock client waited on the documented QPS"
    );
    assert_eq!(mock.count(Action::DescribeBillDetail), 5);
}

#[tokio::test]
async fn a_mock_client_imposes_the_documented_qps_when_the_test_asks() {
    let mock = mock::mock();
    let client = mock::builder(&mock).with_rate_limits().build().unwrap();
    assert!(
        five_calls_of_a_qps_1_action(&client).await.is_err(),
        "five calls of a QPS-1 action finished within two seconds"
    );
}
