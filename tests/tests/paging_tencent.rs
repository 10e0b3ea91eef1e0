//! Tencent paginators against the mock server: every paged action of the spec has one, and
//! scans exact item counts across page boundaries (0, 1, a page, a page and one, many
//! pages); a total that changes mid-scan, a server that repeats a page, an error on page 3,
//! and a scan resumed from a saved position; QPS limits and retries per page.

mod paging_common;

use std::collections::BTreeSet;
use std::time::Duration;

use paging_common::{assert_scanned, expected_pages, numbered_items, pages_until_error, texts};
use partnergen_codegen::emit::mock::sample_value;
use partnergen_codegen::spec::{Spec, TencentSpec, TypeRef};
use partnergen_codegen::specfile::load_spec;
use partnergen_tests::workspace_root;
use serde_json::{json, Value};
use tencentcloud_intlpartnersmgt::mock::{self, Checks};
use tencentcloud_intlpartnersmgt::{
    models, Action, Client, Credentials, Error, Paged, Position, RetryPolicy,
};

macro_rules! paged_calls {
    ($($name:literal => $method:ident($request:ident)),* $(,)?) => {
        /// Every action with a paginator, by wire name.
        const PAGED: &[&str] = &[$($name),*];

        /// Scans `name` from `request` (the JSON form of its request), `page_size` a page
        /// (the action's default when `None`): the items, as JSON.
        async fn scan(
            client: &Client,
            name: &str,
            request: Value,
            page_size: Option<u64>,
        ) -> Result<Vec<Value>, Error> {
            match name {
                $($name => {
                    let typed: models::$request = serde_json::from_value(request)
                        .unwrap_or_else(|e| panic!("{name}: sample request does not decode: {e}"));
                    let mut pages = client.$method(typed);
                    if let Some(size) = page_size {
                        pages = pages.page_size(size);
                    }
                    let items = pages.items().try_collect().await?;
                    Ok(items.into_iter().map(|i| serde_json::to_value(i).unwrap()).collect())
                })*
                other => panic!("{other} is not listed"),
            }
        }
    };
}

paged_calls! {
    "DescribeBillDetail" => describe_bill_detail_pages(DescribeBillDetailRequest),
    "DescribeCustomerBillDetail" => describe_customer_bill_detail_pages(DescribeCustomerBillDetailRequest),
    "DescribeCustomerOwnCostExplorerSummary" => describe_customer_own_cost_explorer_summary_pages(DescribeCustomerOwnCostExplorerSummaryRequest),
    "DescribeCustomerOwnVoucherList" => describe_customer_own_voucher_list_pages(DescribeCustomerOwnVoucherListRequest),
    "DescribeCustomerOwnVoucherUsageDetails" => describe_customer_own_voucher_usage_details_pages(DescribeCustomerOwnVoucherUsageDetailsRequest),
    "DescribeCustomerUin" => describe_customer_uin_pages(DescribeCustomerUinRequest),
    "DescribeCustomerVoucherList" => describe_customer_voucher_list_pages(DescribeCustomerVoucherListRequest),
    "DescribeCustomerVoucherUsageDetails" => describe_customer_voucher_usage_details_pages(DescribeCustomerVoucherUsageDetailsRequest),
    "QueryCreditAllocationHistory" => query_credit_allocation_history_pages(QueryCreditAllocationHistoryRequest),
    "QueryCustomersCredit" => query_customers_credit_pages(QueryCustomersCreditRequest),
    "QueryPendingClientsV2" => query_pending_clients_v2_pages(QueryPendingClientsV2Request),
    "QueryPendingSubAgentsV2" => query_pending_sub_agents_v2_pages(QueryPendingSubAgentsV2Request),
    "QueryPolicyProductListByCode" => query_policy_product_list_by_code_pages(QueryPolicyProductListByCodeRequest),
    "QuerySubAgentsDetailV2" => query_sub_agents_detail_v2_pages(QuerySubAgentsDetailV2Request),
    "QueryT1IndirectCustomersDetail" => query_t1_indirect_customers_detail_pages(QueryT1IndirectCustomersDetailRequest),
}

fn spec() -> TencentSpec {
    match load_spec(&workspace_root().join("spec/tencentcloud/intlpartnersmgt.yaml"))
        .unwrap()
        .spec
    {
        Spec::Tencent(spec) => spec,
        Spec::Huawei(_) => unreachable!(),
    }
}

/// A client of `server` that neither paces itself nor waits long between retries.
fn fast_client(server: &mock::Server) -> Client {
    Client::builder()
        .credentials(Credentials::new(mock::SECRET_ID, mock::SECRET_KEY))
        .endpoint(server.url())
        .without_rate_limits()
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        })
        .build()
        .unwrap()
}

/// A server without its QPS check (the scans here make many calls quickly).
async fn unthrottled_server() -> mock::Server {
    mock::server()
        .checks(Checks {
            qps: false,
            ..Checks::default()
        })
        .start()
        .await
        .unwrap()
}

/// An item of the action's list: the first of its default response's, or (where that
/// list is empty) one built from the item's schema.
fn item_template(spec: &TencentSpec, action: Action, items_field: &str) -> Value {
    let name = action.info().name;
    let document: Value = serde_json::from_str(mock::default_response(action).unwrap()).unwrap();
    let template = document["Response"][items_field][0].clone();
    if !template.is_null() {
        return template;
    }
    let response = spec
        .actions
        .iter()
        .find(|a| a.name == name)
        .and_then(|a| a.response.as_deref())
        .unwrap();
    let field = spec.types[response]
        .fields
        .iter()
        .find(|f| f.name == items_field)
        .unwrap();
    let TypeRef::List(item) = &field.ty else {
        panic!("{name}: {items_field} is not a list")
    };
    sample_value(item, &spec.types, 0)
}

fn serve(server: &mock::Server, action: &str, replies: Value) {
    let rule = server
        .mock()
        .rule_from_json(&json!({"action": action, "replies": replies}))
        .unwrap();
    server.mock().add_rule(rule);
}

#[test]
fn every_paged_action_of_the_spec_has_a_paginator() {
    let spec = spec();
    let paged: BTreeSet<&str> = spec
        .actions
        .iter()
        .filter(|a| a.pagination.is_some())
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(paged.len(), 15);
    assert_eq!(paged, PAGED.iter().copied().collect());
    // And the crate's own table of paged requests says the same of one.
    assert_eq!(
        <models::DescribeCustomerUinRequest as Paged>::PAGING.total,
        Some("Total")
    );
}

#[tokio::test]
async fn every_paged_action_scans_exact_counts_across_page_boundaries() {
    let spec = spec();
    let server = unthrottled_server().await;
    let client = fast_client(&server);
    let size = 3u64;
    for action in spec.actions.iter().filter(|a| a.pagination.is_some()) {
        let facts = action.pagination.as_ref().unwrap();
        let table = Action::from_name(&action.name).unwrap();
        let request = sample_value(
            &TypeRef::Named(action.request.clone().unwrap()),
            &spec.types,
            0,
        );
        let template = item_template(&spec, table, &facts.items);
        for n in [0, 1, 3, 4, 11] {
            server.mock().reset();
            let items = numbered_items(&action.name, &template, n);
            serve(&server, &action.name, json!([{ "items": items }]));
            let context = format!("{} with {n} items", action.name);
            let got = scan(&client, &action.name, request.clone(), Some(size))
                .await
                .unwrap_or_else(|e| panic!("{context}: {e}"));
            assert_scanned(&context, &items, &got);
            assert_eq!(
                server.mock().count(table),
                expected_pages(n, size, facts.total.is_some()),
                "{context}: pages asked for"
            );
        }
    }
}

#[tokio::test]
async fn default_responses_page_consistently_and_the_default_page_size_is_sent() {
    let spec = spec();
    let server = unthrottled_server().await;
    let client = fast_client(&server);
    for action in spec.actions.iter().filter(|a| a.pagination.is_some()) {
        let facts = action.pagination.as_ref().unwrap();
        let table = Action::from_name(&action.name).unwrap();
        let document: Value = serde_json::from_str(mock::default_response(table).unwrap()).unwrap();
        let default_items = document["Response"][&facts.items]
            .as_array()
            .map_or(0, Vec::len);
        let request = sample_value(
            &TypeRef::Named(action.request.clone().unwrap()),
            &spec.types,
            0,
        );
        server.mock().reset();
        let got = scan(&client, &action.name, request, None).await.unwrap();
        assert_eq!(got.len(), default_items, "{}", action.name);
        let calls = server.mock().calls();
        let first = &calls[0].request;
        assert_eq!(first[&facts.position], json!(1), "{}", action.name);
        assert_eq!(
            first[&facts.size],
            json!(facts.page_size),
            "{}: the default page size is sent",
            action.name
        );
    }
}

fn uin_request() -> models::DescribeCustomerUinRequest {
    models::DescribeCustomerUinRequest::new(models::DescribeCustomerUinRequired {
        page: 1,
        page_size: 10,
    })
}

fn uins(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"CustomerUin": format!("{i}")}))
        .collect()
}

fn uin_texts(items: &[models::DescribeCustomerUinData]) -> Vec<String> {
    items
        .iter()
        .map(|i| i.customer_uin.clone().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn a_total_that_changes_mid_scan_is_followed() {
    let server = unthrottled_server().await;
    let client = fast_client(&server);
    let cases = [
        // Shrinks: two pages of a list of 10, then the list is 4 long: page 3 is empty.
        (
            json!([{"items": uins(10), "times": 2}, {"items": uins(4)}]),
            6,
            3,
        ),
        // Grows: a list of 4 on page 1, then of 10: the scan goes on to the new end.
        (
            json!([{"items": uins(4), "times": 1}, {"items": uins(10)}]),
            10,
            4,
        ),
    ];
    for (replies, items, pages) in cases {
        server.mock().reset();
        serve(&server, "DescribeCustomerUin", replies);
        let got = client
            .describe_customer_uin_pages(uin_request())
            .page_size(3)
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(uin_texts(&got), texts(0..items));
        assert_eq!(server.mock().count(Action::DescribeCustomerUin), pages);
    }
}

#[tokio::test]
async fn a_server_that_repeats_a_page_ends_the_scan_with_an_error() {
    let server = unthrottled_server().await;
    let client = fast_client(&server);
    // The server ignores Page: every request gets the same three items of ten.
    serve(
        &server,
        "DescribeCustomerUin",
        json!([{"response": {"Data": uins(3), "Total": "10"}}]),
    );
    let mut pages = client
        .describe_customer_uin_pages(uin_request())
        .page_size(3);
    let first = pages.next().await.unwrap().unwrap();
    assert_eq!(uin_texts(first.data.as_deref().unwrap()), texts(0..3));
    let error = pages.next().await.unwrap().unwrap_err();
    assert!(matches!(error, Error::Paging { .. }), "{error:?}");
    assert!(error.to_string().contains("repeated"), "{error}");
    assert!(pages.next().await.is_none());
    assert_eq!(server.mock().count(Action::DescribeCustomerUin), 2);
}

#[tokio::test]
async fn an_error_on_page_3_ends_the_stream_and_a_saved_position_resumes_it() {
    let server = unthrottled_server().await;
    let client = fast_client(&server);
    // Pages 1 and 2 answer; page 3 fails with an error the client does not retry.
    serve(
        &server,
        "DescribeCustomerUin",
        json!([
            {"items": uins(10), "times": 2},
            {"error": {"code": "InvalidParameterValue", "message": "page 3 broke"}},
            {"items": uins(10)}
        ]),
    );
    let mut pages = client
        .describe_customer_uin_pages(uin_request())
        .page_size(3);
    let (seen, error) = pages_until_error(&mut pages, |page| {
        uin_texts(page.data.as_deref().unwrap_or(&[]))
    })
    .await;
    assert_eq!(seen, texts(0..6));
    assert_eq!(error.api().unwrap().code, "InvalidParameterValue");
    // The position names the page that failed; saved as text, it resumes elsewhere.
    let saved = pages.position().unwrap().to_string();
    assert_eq!(saved, "page=3,size=3");
    let position: Position = saved.parse().unwrap();
    let other_client = fast_client(&server);
    let rest = other_client
        .describe_customer_uin_pages(uin_request())
        .resume_from(position)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(uin_texts(&rest), texts(6..10));
}

#[tokio::test]
async fn a_scan_checkpointed_between_pages_continues_exactly() {
    let server = unthrottled_server().await;
    let client = fast_client(&server);
    serve(&server, "DescribeCustomerUin", json!([{"items": uins(10)}]));
    let mut items = client
        .describe_customer_uin_pages(uin_request())
        .page_size(4)
        .items();
    let mut first = Vec::new();
    for _ in 0..4 {
        first.push(items.next().await.unwrap().unwrap());
    }
    // Every item of page 1 handed out: the checkpoint is page 2.
    let checkpoint = items.position().unwrap();
    assert_eq!(checkpoint.to_string(), "page=2,size=4");
    drop(items);
    let rest = client
        .describe_customer_uin_pages(uin_request())
        .resume_from(checkpoint)
        .items()
        .try_collect()
        .await
        .unwrap();
    let mut all = uin_texts(&first);
    all.extend(uin_texts(&rest));
    assert_eq!(all, texts(0..10));
}

#[tokio::test]
async fn a_bad_page_size_or_resume_position_sends_nothing() {
    let server = unthrottled_server().await;
    let client = fast_client(&server);
    // DescribeCustomerOwnVoucherList documents at most 100 a page.
    let request = models::DescribeCustomerOwnVoucherListRequest::new(
        models::DescribeCustomerOwnVoucherListRequired {
            page: 1,
            page_size: 10,
        },
    );
    for size in [0, 101] {
        let error = client
            .describe_customer_own_voucher_list_pages(request.clone())
            .page_size(size)
            .try_collect()
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidRequest { .. }),
            "{size}: {error:?}"
        );
    }
    let offset: Position = "offset=20,size=10".parse().unwrap();
    let error = client
        .describe_customer_own_voucher_list_pages(request)
        .resume_from(offset)
        .try_collect()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    assert!(server.mock().calls().is_empty());
}

#[tokio::test]
async fn qps_limits_and_retries_apply_to_each_page() {
    // The server enforces the documented QPS; the client paces itself by the same table,
    // so a many-page scan is never refused for its rate.
    let server = mock::server().start().await.unwrap();
    let client = Client::builder()
        .credentials(Credentials::new(mock::SECRET_ID, mock::SECRET_KEY))
        .endpoint(server.url())
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        })
        .build()
        .unwrap();
    // Page 2's first attempt is throttled; the retry gets it.
    serve(
        &server,
        "DescribeCustomerUin",
        json!([
            {"items": uins(25), "times": 1},
            {"error": {"code": "RequestLimitExceeded", "message": "slow down"}, "times": 1},
            {"items": uins(25)}
        ]),
    );
    let got = client
        .describe_customer_uin_pages(uin_request())
        .page_size(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(uin_texts(&got), texts(0..25));
    // 13 pages, and one retry.
    assert_eq!(server.mock().count(Action::DescribeCustomerUin), 14);
    let refused_by_the_server = server
        .log()
        .iter()
        .filter(|entry| entry.decided_by == "qps")
        .count();
    assert_eq!(refused_by_the_server, 0);
}

#[tokio::test]
async fn a_typed_items_rule_pages_in_process() {
    let list: Vec<models::DescribeCustomerUinData> = (0..7)
        .map(|i| {
            let mut item = models::DescribeCustomerUinData::default();
            item.customer_uin = Some(i.to_string());
            item
        })
        .collect();
    let mock = mock::mock().with_rule(mock::describe_customer_uin().items(list).build());
    let client = mock::client(&mock);
    let pages = client
        .describe_customer_uin_pages(uin_request())
        .page_size(3)
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages
        .iter()
        .map(|p| p.data.as_ref().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, [3, 3, 1]);
    assert!(pages.iter().all(|p| p.total.as_deref() == Some("7")));
    assert_eq!(mock.count(Action::DescribeCustomerUin), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_pages_through_the_mock_server() {
    let python = partnergen_tests::python_with(
        "tencentcloud.intlpartnersmgt.v20220928",
        "tencentcloud-sdk-python-intl-en",
    );
    let server = unthrottled_server().await;
    serve(&server, "DescribeCustomerUin", json!([{"items": uins(10)}]));
    // The loop an SDK user writes by hand: pages 1 to 4, 3 a page.
    let calls: Vec<Value> = (1..=4)
        .map(|page| {
            json!({"action": "DescribeCustomerUin", "params": {"Page": page, "PageSize": 3},
                   "secret_id": mock::SECRET_ID, "secret_key": mock::SECRET_KEY})
        })
        .collect();
    let document = json!({"url": server.url(), "calls": calls});
    let printed = tokio::task::spawn_blocking(move || {
        partnergen_tests::run_interop_script(&python, "tencent_sdk.py", &document)
    })
    .await
    .unwrap();
    let results: Vec<Value> = serde_json::from_value(printed).unwrap();
    let pages: Vec<(Vec<String>, Value)> = results
        .iter()
        .map(|r| {
            assert_eq!(r["ok"], json!(true), "{r}");
            let uins = r["response"]["Data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["CustomerUin"].as_str().unwrap().to_owned())
                .collect();
            (uins, r["response"]["Total"].clone())
        })
        .collect();
    assert_eq!(
        pages,
        [
            (texts(0..3), json!("10")),
            (texts(3..6), json!("10")),
            (texts(6..9), json!("10")),
            (texts(9..10), json!("10")),
        ]
    );
}
