//! Huawei paginators against the mock server: every paged operation of the spec has one
//! (offsets and page numbers, in the query and in the body), and scans exact item counts
//! across page boundaries; a total that changes mid-scan, a server that repeats a page, an
//! error on page 3, and a scan resumed from a saved position.

mod paging_common;

use std::collections::BTreeSet;
use std::time::Duration;

use huaweicloud_partner_center::mock;
use huaweicloud_partner_center::{
    models, Client, Credentials, Error, Operation, Paged, Position, RetryPolicy,
};
use paging_common::{assert_scanned, expected_pages, numbered_items, pages_until_error, texts};
use partnergen_codegen::spec::{HuaweiSpec, ParamLocation, Spec};
use partnergen_codegen::specfile::load_spec;
use partnergen_tests::workspace_root;
use serde_json::{json, Value};

const S: &str = "text";

macro_rules! paged_calls {
    ($($name:literal => $method:ident($request:expr)),* $(,)?) => {
        /// Every operation with a paginator, by name.
        const PAGED: &[&str] = &[$($name),*];

        /// Scans `name` with a request of its required fields, `page_size` a page (the
        /// operation's default when `None`): the items, as JSON.
        async fn scan(client: &Client, name: &str, page_size: Option<u64>) -> Result<Vec<Value>, Error> {
            match name {
                $($name => {
                    let mut pages = client.$method($request);
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
    "ListCustomerOnDemandResources" => list_customer_on_demand_resources_pages(
        models::ListCustomerOnDemandResourcesRequest::new(models::ListCustomerOnDemandResourcesRequired {
            body: models::QueryCustomerOnDemandResourcesReq::new(models::QueryCustomerOnDemandResourcesReqRequired { customer_id: S.into() }),
        })
    ),
    "ListCustomerOrders" => list_customer_orders_pages(models::ListCustomerOrdersRequest::new()),
    "ListIndirectPartners" => list_indirect_partners_pages(
        models::ListIndirectPartnersRequest::new(models::ListIndirectPartnersRequired {
            body: models::QueryIndirectPartnersReq::new(),
        })
    ),
    "ListInvoices" => list_invoices_pages(invoices_request()),
    "ListSubCustomerCoupons" => list_sub_customer_coupons_pages(models::ListSubCustomerCouponsRequest::new()),
    "ListSubCustomers" => list_sub_customers_pages(customers_request()),
    "ShowCustomerOrderDetails" => show_customer_order_details_pages(
        models::ShowCustomerOrderDetailsRequest::new(models::ShowCustomerOrderDetailsRequired { order_id: S.into() })
    ),
}

fn invoices_request() -> models::ListInvoicesRequest {
    models::ListInvoicesRequest::new(models::ListInvoicesRequired {
        start_time: "2026-01-01T00:00:00Z".into(),
        end_time: "2026-02-01T00:00:00Z".into(),
        offset: 1,
        limit: 10,
    })
}

fn customers_request() -> models::ListSubCustomersRequest {
    models::ListSubCustomersRequest::new(models::ListSubCustomersRequired {
        body: models::QuerySubCustomerListReq::new(),
    })
}

fn spec() -> HuaweiSpec {
    match load_spec(&workspace_root().join("spec/huaweicloud/partner-center.yaml"))
        .unwrap()
        .spec
    {
        Spec::Huawei(spec) => spec,
        Spec::Tencent(_) => unreachable!(),
    }
}

/// A client of `server` that does not wait long between retries.
fn retrying_client(server: &mock::Server) -> Client {
    Client::builder()
        .credentials(Credentials::new(mock::ACCESS_KEY, mock::SECRET_KEY))
        .endpoint(server.url())
        .domain_id(mock::DOMAIN_ID)
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        })
        .build()
        .unwrap()
}

/// The first item of the operation's default response's list.
fn item_template(operation: Operation, items_field: &str) -> Value {
    let document: Value = serde_json::from_str(mock::default_response(operation).unwrap()).unwrap();
    document[items_field][0].clone()
}

fn serve(server: &mock::Server, operation: &str, replies: Value) {
    let rule = server
        .mock()
        .rule_from_json(&json!({"action": operation, "replies": replies}))
        .unwrap();
    server.mock().add_rule(rule);
}

#[test]
fn every_paged_operation_of_the_spec_has_a_paginator() {
    let spec = spec();
    let paged: BTreeSet<&str> = spec
        .operations
        .iter()
        .filter(|o| o.pagination.is_some())
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(paged.len(), 7);
    assert_eq!(paged, PAGED.iter().copied().collect());
    // ListInvoices's `offset` is a page number, counted from 1.
    assert_eq!(
        <models::ListInvoicesRequest as Paged>::PAGING.first_position(),
        1
    );
    assert_eq!(
        <models::ListSubCustomersRequest as Paged>::PAGING.first_position(),
        0
    );
}

#[tokio::test]
async fn every_paged_operation_scans_exact_counts_across_page_boundaries() {
    let spec = spec();
    let server = mock::server().start().await.unwrap();
    let client = retrying_client(&server);
    let size = 3u64;
    for op in spec.operations.iter().filter(|o| o.pagination.is_some()) {
        let facts = op.pagination.as_ref().unwrap();
        let table = Operation::from_name(&op.name).unwrap();
        let template = item_template(table, &facts.items);
        for n in [0, 1, 3, 4, 11] {
            server.mock().reset();
            let items = numbered_items(&op.name, &template, n);
            serve(&server, &op.name, json!([{ "items": items }]));
            let context = format!("{} with {n} items", op.name);
            let got = scan(&client, &op.name, Some(size))
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
    let server = mock::server().start().await.unwrap();
    let client = retrying_client(&server);
    for op in spec.operations.iter().filter(|o| o.pagination.is_some()) {
        let facts = op.pagination.as_ref().unwrap();
        let table = Operation::from_name(&op.name).unwrap();
        let document: Value = serde_json::from_str(mock::default_response(table).unwrap()).unwrap();
        let default_items = document[&facts.items].as_array().map_or(0, Vec::len);
        server.mock().reset();
        let got = scan(&client, &op.name, None).await.unwrap();
        assert_eq!(got.len(), default_items, "{}", op.name);
        let first = &server.mock().calls()[0].request;
        let first_position = facts.first_page.unwrap_or(0);
        let (position, size) = match facts.location {
            Some(ParamLocation::Query) => (
                first["query"][&facts.position].clone(),
                first["query"][&facts.size].clone(),
            ),
            _ => (
                first["body"][&facts.position].clone(),
                first["body"][&facts.size].clone(),
            ),
        };
        // The query carries text; the body numbers.
        let as_number = |v: &Value| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        };
        assert_eq!(as_number(&position), Some(first_position), "{}", op.name);
        assert_eq!(as_number(&size), Some(facts.page_size), "{}", op.name);
    }
}

fn customers(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"customer_id": format!("{i}")}))
        .collect()
}

fn ids(items: &[models::CustomerInformation]) -> Vec<String> {
    items.iter().map(|c| c.customer_id.clone()).collect()
}

#[tokio::test]
async fn offsets_follow_a_total_that_changes_mid_scan() {
    let server = mock::server().start().await.unwrap();
    let client = retrying_client(&server);
    let cases = [
        // Shrinks after two pages: offsets 0, 3, 6 (by the items each page held); the
        // third page is empty.
        (
            json!([{"items": customers(10), "times": 2}, {"items": customers(4)}]),
            6,
            vec![0, 3, 6],
        ),
        // Grows after the first page: the scan goes on to the new end.
        (
            json!([{"items": customers(4), "times": 1}, {"items": customers(10)}]),
            10,
            vec![0, 3, 6, 9],
        ),
    ];
    for (replies, items, offsets) in cases {
        server.mock().reset();
        serve(&server, "ListSubCustomers", replies);
        let got = client
            .list_sub_customers_pages(customers_request())
            .page_size(3)
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids(&got), texts(0..items));
        let sent: Vec<Value> = server
            .mock()
            .calls()
            .iter()
            .map(|c| c.request["body"]["offset"].clone())
            .collect();
        let offsets: Vec<Value> = offsets.into_iter().map(|o: i64| json!(o)).collect();
        assert_eq!(sent, offsets);
    }
}

#[tokio::test]
async fn a_server_that_repeats_a_page_ends_the_scan_with_an_error() {
    let server = mock::server().start().await.unwrap();
    let client = retrying_client(&server);
    // The server ignores the page number: every request gets the same two invoices.
    serve(
        &server,
        "ListInvoices",
        json!([{"response": {"count": 9, "invoices": [{"requestId": "a"}, {"requestId": "b"}]}}]),
    );
    let mut pages = client.list_invoices_pages(invoices_request()).page_size(2);
    assert!(pages.next().await.unwrap().is_ok());
    let error = pages.next().await.unwrap().unwrap_err();
    assert!(matches!(error, Error::Paging { .. }), "{error:?}");
    assert!(pages.next().await.is_none());
    // Page numbers 1, then 2, in the query.
    let sent: Vec<Value> = server
        .mock()
        .calls()
        .iter()
        .map(|c| c.request["query"]["offset"].clone())
        .collect();
    assert_eq!(sent, [json!("1"), json!("2")]);
}

#[tokio::test]
async fn an_error_on_page_3_ends_the_stream_and_a_saved_position_resumes_it() {
    let server = mock::server().start().await.unwrap();
    let client = retrying_client(&server);
    serve(
        &server,
        "ListSubCustomers",
        json!([
            {"items": customers(10), "times": 2},
            {"error": {"code": "CBC.0100", "message": "page 3 broke"}},
            {"items": customers(10)}
        ]),
    );
    let mut pages = client
        .list_sub_customers_pages(customers_request())
        .page_size(3);
    let (seen, error) = pages_until_error(&mut pages, |page| {
        ids(page.customer_infos.as_deref().unwrap_or(&[]))
    })
    .await;
    assert_eq!(seen, texts(0..6));
    assert_eq!(error.api().unwrap().code, "CBC.0100");
    let saved = pages.position().unwrap().to_string();
    assert_eq!(saved, "offset=6,size=3");
    let position: Position = saved.parse().unwrap();
    let rest = retrying_client(&server)
        .list_sub_customers_pages(customers_request())
        .resume_from(position)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&rest), texts(6..10));
}

#[tokio::test]
async fn a_typed_items_rule_pages_in_process() {
    let list: Vec<models::CustomerInformation> = (0..5)
        .map(|i| {
            let mut customer = models::CustomerInformation::default();
            customer.customer_id = i.to_string();
            customer
        })
        .collect();
    let mock = mock::mock().with_rule(mock::list_sub_customers().items(list).build());
    let client = mock::client(&mock);
    let got = client
        .list_sub_customers_pages(customers_request())
        .page_size(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&got), texts(0..5));
    assert_eq!(mock.count(Operation::ListSubCustomers), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_pages_through_the_mock_server() {
    let python = partnergen_tests::python_with("huaweicloudsdkbssintl.v2", "huaweicloudsdkbssintl");
    let server = mock::server().start().await.unwrap();
    serve(
        &server,
        "ListSubCustomers",
        json!([{"items": customers(10)}]),
    );
    let invoices: Vec<Value> = (0..5)
        .map(|i| json!({"requestId": format!("{i}")}))
        .collect();
    serve(&server, "ListInvoices", json!([{"items": invoices}]));
    let call = |operation: &str, params: Value| {
        let op = Operation::from_name(operation).unwrap();
        json!({"operation": operation,
               "method": partnergen_codegen::names::method_name(operation, None),
               "params": params, "ak": mock::ACCESS_KEY, "sk": mock::SECRET_KEY,
               "path": op.info().path})
    };
    // The loops an SDK user writes by hand: offsets in the body; page numbers (named
    // `offset`) in the query.
    let mut calls: Vec<Value> = [0, 3, 6, 9]
        .iter()
        .map(|offset| {
            call(
                "ListSubCustomers",
                json!({"body": {"offset": offset, "limit": 3}}),
            )
        })
        .collect();
    calls.extend([1, 2, 3].iter().map(|page| {
        call(
            "ListInvoices",
            json!({"start_time": "2026-01-01T00:00:00Z", "end_time": "2026-02-01T00:00:00Z",
                   "offset": page, "limit": 2}),
        )
    }));
    let document = json!({"url": server.url(), "calls": calls});
    let printed = tokio::task::spawn_blocking(move || {
        partnergen_tests::run_interop_script(&python, "huawei_sdk.py", &document)
    })
    .await
    .unwrap();
    let results: Vec<Value> = serde_json::from_value(printed).unwrap();
    let pages: Vec<(Vec<String>, Value)> = results
        .iter()
        .map(|r| {
            assert_eq!(r["ok"], json!(true), "{r}");
            let (list, key) = match r["operation"].as_str() {
                Some("ListSubCustomers") => ("customer_infos", "customer_id"),
                // The SDK's dict uses its attribute names.
                _ => ("invoices", "request_id"),
            };
            let ids = r["response"][list]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item[key].as_str().unwrap().to_owned())
                .collect();
            (ids, r["response"]["count"].clone())
        })
        .collect();
    assert_eq!(
        pages,
        [
            (texts(0..3), json!(10)),
            (texts(3..6), json!(10)),
            (texts(6..9), json!(10)),
            (texts(9..10), json!(10)),
            (texts(0..2), json!(5)),
            (texts(2..4), json!(5)),
            (texts(4..5), json!(5)),
        ]
    );
}
