//! The mock servers page list actions: a small service of each vendor declared here, with
//! hand-written paging facts, answering over HTTP on 127.0.0.1 from the default
//! responses and from `items` rules loaded through the admin endpoint. The server's own
//! checks (parameters, permissions, the body limit) still come first.
#![cfg(all(feature = "mock", feature = "tencent", feature = "huawei"))]

use partnergen_runtime::huawei::server::{
    MockServerBuilder as HuaweiServerBuilder, Param, ParamKind, ServiceDef as HuaweiService,
};
use partnergen_runtime::mock::MockTransport;
use partnergen_runtime::paging::{Paging, PagingPlace, PagingStyle};
use partnergen_runtime::server::{decode_request, Checks, Limits, ParamError};
use partnergen_runtime::tables::{ActionInfo, ActionTable, OperationInfo, OperationTable, Qps};
use partnergen_runtime::tencent::server::{
    MockServerBuilder as TencentServerBuilder, ServiceDef as TencentService,
};
use partnergen_runtime::HttpMethod;
use serde_json::{json, Value};

// ---- Tencent: `DescribeThings` pages by page number; `Ping` does not page.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    DescribeThings,
    Ping,
}

const fn action(name: &'static str) -> ActionInfo {
    ActionInfo {
        name,
        title: name,
        category: None,
        cam_class: None,
        granularity: None,
        resource: None,
        ip_restriction: None,
        qps: Qps::Assumed(20),
        in_api_definition: true,
    }
}

impl ActionTable for Action {
    const ALL: &'static [Self] = &[Action::DescribeThings, Action::Ping];
    const INFO: &'static [ActionInfo] = &[action("DescribeThings"), action("Ping")];
    fn index(self) -> usize {
        self as usize
    }
}

const THINGS: Paging = Paging {
    action: "DescribeThings",
    style: PagingStyle::PageNumber { first: 1 },
    place: PagingPlace::Body,
    position: "Page",
    size: "PageSize",
    items: "Data",
    total: Some("Total"),
    page_size: 2,
    max_page_size: Some(5),
};

/// The typed request the parameters check decodes (numbers, or numbers in strings, as
/// the generated models take them).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct DescribeThingsRequest {
    #[serde(
        rename = "Page",
        default,
        deserialize_with = "partnergen_runtime::lenient::deserialize"
    )]
    page: Option<i64>,
    #[serde(
        rename = "PageSize",
        default,
        deserialize_with = "partnergen_runtime::lenient::deserialize"
    )]
    page_size: Option<i64>,
}

fn tencent_service() -> TencentService<Action> {
    TencentService {
        service: "thingsvc",
        version: "2020-01-01",
        check_request: |action, body| match action {
            Action::DescribeThings => Some(decode_request::<DescribeThingsRequest>(body)),
            Action::Ping => None,
        },
        // As DescribeCustomerUin's: a total of "123" (text) beside one item.
        defaults: |action| {
            Some(match action {
                Action::DescribeThings => {
                    r#"{"Response": {"Data": [{"Uin": "123"}], "Total": "123", "RequestId": "abc"}}"#
                }
                Action::Ping => r#"{"Response": {"Pong": true}}"#,
            })
        },
        paging: |action| match action {
            Action::DescribeThings => Some(&THINGS),
            Action::Ping => None,
        },
        error_codes: &[],
    }
}

/// Signatures and QPS off: these tests are about answers.
fn lenient_checks() -> Checks {
    Checks {
        signature: false,
        clock_skew: false,
        qps: false,
        ..Checks::default()
    }
}

/// The `Response` object of an API 3.0 call.
async fn call_tencent(url: &str, action: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/json")
        .header("X-TC-Action", action)
        .header("X-TC-Version", "2020-01-01")
        .body(body.to_string())
        .send()
        .await
        .expect("the server answers");
    assert_eq!(
        response.status(),
        200,
        "API 3.0 answers everything with 200"
    );
    let document: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    document["Response"].clone()
}

/// An admin request's status and JSON answer.
async fn admin(url: &str, route: &str, body: String) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{url}/_mock/{route}"))
        .body(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn uins(response: &Value) -> Vec<&str> {
    response["Data"]
        .as_array()
        .unwrap_or_else(|| panic!("no Data list: {response}"))
        .iter()
        .map(|item| item["Uin"].as_str().unwrap())
        .collect()
}

fn numbered(count: usize) -> Vec<Value> {
    (0..count)
        .map(|i| json!({"Uin": format!("u{i}")}))
        .collect()
}

#[tokio::test]
async fn tencent_defaults_of_list_actions_are_consistent_pages() {
    let server = TencentServerBuilder::new(tencent_service())
        .checks(lenient_checks())
        .start()
        .await
        .unwrap();
    let url = server.url();
    let first = call_tencent(&url, "DescribeThings", json!({"Page": 1, "PageSize": 5})).await;
    assert_eq!(uins(&first), ["123"]);
    assert_eq!(first["Total"], "1", "the total counts the items, as text");
    let second = call_tencent(&url, "DescribeThings", json!({"Page": 2, "PageSize": 5})).await;
    assert_eq!((uins(&second).len(), &second["Total"]), (0, &json!("1")));
    // Defaults are paged with the rest of the response kept.
    assert!(second["RequestId"].is_string());
    let ping = call_tencent(&url, "Ping", json!({})).await;
    assert_eq!(ping["Pong"], true);
}

#[tokio::test]
async fn tencent_items_rules_answer_each_page_with_its_slice() {
    let server = TencentServerBuilder::new(tencent_service())
        .checks(lenient_checks())
        .start()
        .await
        .unwrap();
    let url = server.url();
    // Five items, then (for the pages after two calls) six: the list grows mid-scan.
    let rule = json!({"action": "DescribeThings", "replies": [
        {"items": numbered(5), "times": 2},
        {"items": numbered(6)},
    ]});
    assert_eq!(admin(&url, "rules", rule.to_string()).await.0, 200);
    let page = |n: u64| json!({"Page": n, "PageSize": 2});
    let one = call_tencent(&url, "DescribeThings", page(1)).await;
    assert_eq!((uins(&one), &one["Total"]), (vec!["u0", "u1"], &json!("5")));
    // Numbers in strings are numbers (the models take them so).
    let two = call_tencent(
        &url,
        "DescribeThings",
        json!({"Page": "2", "PageSize": "2"}),
    )
    .await;
    assert_eq!((uins(&two), &two["Total"]), (vec!["u2", "u3"], &json!("5")));
    let three = call_tencent(&url, "DescribeThings", page(3)).await;
    assert_eq!(
        (uins(&three), &three["Total"]),
        (vec!["u4", "u5"], &json!("6"))
    );
    let past = call_tencent(&url, "DescribeThings", page(9)).await;
    assert_eq!((uins(&past).len(), &past["Total"]), (0, &json!("6")));
    // Without a page size, the facts' default (2).
    let default_size = call_tencent(&url, "DescribeThings", json!({})).await;
    assert_eq!(uins(&default_size), ["u0", "u1"]);
    // Each answer is recorded as sent.
    let calls = server.mock().calls();
    assert_eq!(calls.len(), 5);
}

#[tokio::test]
async fn tencent_bad_pages_get_invalid_parameter_value_after_the_servers_own_checks() {
    let server = TencentServerBuilder::new(tencent_service())
        .checks(lenient_checks())
        .start()
        .await
        .unwrap();
    let url = server.url();
    for (body, says) in [
        (
            json!({"Page": 0, "PageSize": 2}),
            "Page 0 is before the first page, 1",
        ),
        (json!({"Page": -3}), "Page `-3` is not a whole number"),
        (
            json!({"Page": 1, "PageSize": 0}),
            "PageSize 0 is out of range (1 to 5)",
        ),
        (
            json!({"Page": 1, "PageSize": 6}),
            "PageSize 6 is out of range (1 to 5)",
        ),
    ] {
        let response = call_tencent(&url, "DescribeThings", body.clone()).await;
        assert_eq!(
            response["Error"]["Code"], "InvalidParameterValue",
            "{body}: {response}"
        );
        assert_eq!(
            response["Error"]["Message"],
            format!("DescribeThings: {says}"),
            "{body}"
        );
    }
    // A value the typed request does not take is the parameters check's, as before.
    let response = call_tencent(&url, "DescribeThings", json!({"Page": "one"})).await;
    assert_eq!(response["Error"]["Code"], "InvalidParameter", "{response}");
    let log = server.log();
    let last = log.last().unwrap();
    assert_eq!(
        (last.decided_by, last.error_code.as_deref()),
        ("parameters", Some("InvalidParameter"))
    );
    let before = &log[log.len() - 2];
    assert_eq!(
        (before.decided_by, before.error_code.as_deref()),
        ("default", Some("InvalidParameterValue"))
    );
}

#[tokio::test]
async fn tencent_items_rules_are_refused_where_they_cannot_apply() {
    let limits = Limits {
        max_body_bytes: 4096,
        ..Limits::default()
    };
    let server = TencentServerBuilder::new(tencent_service())
        .checks(lenient_checks())
        .limits(limits)
        .start()
        .await
        .unwrap();
    let url = server.url();
    let rule = json!({"action": "Ping", "replies": [{"items": [1, 2]}]});
    let (status, answer) = admin(&url, "rules", rule.to_string()).await;
    assert_eq!(status, 400);
    let why = answer["error"].as_str().unwrap();
    assert!(
        why.contains("Ping") && why.contains("does not page"),
        "{why}"
    );
    let rule = json!({"action": "DescribeThings", "replies": [{"items": {"Uin": "1"}}]});
    let (status, answer) = admin(&url, "rules", rule.to_string()).await;
    assert_eq!(status, 400);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("`items` is a JSON array"),
        "{answer}"
    );
    // A list past the body limit is not read, and no rule is added.
    let rule = json!({"action": "DescribeThings", "replies": [{"items": numbered(400)}]});
    let body = rule.to_string();
    assert!(body.len() > 4096);
    let (_, answer) = admin(&url, "rules", body).await;
    // (Refused before the admin endpoint sees it, so in the API's envelope.)
    assert_eq!(
        answer["Response"]["Error"]["Code"], "RequestSizeLimitExceeded",
        "{answer}"
    );
    let page = call_tencent(&url, "DescribeThings", json!({"Page": 1})).await;
    assert_eq!(uins(&page), ["123"], "still the default");
}

#[tokio::test]
async fn tencent_a_given_mock_keeps_its_own_paging_or_takes_the_services() {
    // A mock without paging facts takes the service's.
    let plain = MockTransport::new(tencent_service().defaults);
    let server = TencentServerBuilder::new(tencent_service())
        .checks(lenient_checks())
        .mock(plain.clone())
        .start()
        .await
        .unwrap();
    assert_eq!(plain.paging(Action::DescribeThings), Some(&THINGS));
    let page = call_tencent(&server.url(), "DescribeThings", json!({"Page": 2})).await;
    assert_eq!(page["Total"], "1");
    // One with its own keeps them.
    fn none(_: Action) -> Option<&'static Paging> {
        None
    }
    let own = MockTransport::new(tencent_service().defaults).with_paging(none);
    let server = TencentServerBuilder::new(tencent_service())
        .checks(lenient_checks())
        .mock(own)
        .start()
        .await
        .unwrap();
    let page = call_tencent(&server.url(), "DescribeThings", json!({"Page": 2})).await;
    assert_eq!(page["Total"], "123", "not paged: the mock's facts say so");
}

// ---- Huawei: `ListOrders` pages in the query, `QueryCustomers` in the body.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    ListOrders,
    Ping,
    QueryCustomers,
}

const fn operation(
    name: &'static str,
    method: HttpMethod,
    path: &'static str,
    permissions: &'static [&'static str],
) -> OperationInfo {
    OperationInfo {
        name,
        method,
        path,
        path_params: &[],
        scenario: "s",
        sub_scenario: None,
        description: name,
        permissions,
        console_path: None,
    }
}

impl OperationTable for Operation {
    const ALL: &'static [Self] = &[
        Operation::ListOrders,
        Operation::Ping,
        Operation::QueryCustomers,
    ];
    const INFO: &'static [OperationInfo] = &[
        operation("ListOrders", HttpMethod::Get, "/v2/orders", &["P_ORDERS"]),
        operation("Ping", HttpMethod::Get, "/v2/ping", &[]),
        operation(
            "QueryCustomers",
            HttpMethod::Post,
            "/v2/customers/query",
            &[],
        ),
    ];
    const BY_PERMISSION: &'static [(&'static str, &'static [Self])] =
        &[("P_ORDERS", &[Operation::ListOrders])];
    const UNLISTED_NEED_PERMISSION: bool = false;
    fn index(self) -> usize {
        self as usize
    }
}

const ORDERS: Paging = Paging {
    action: "ListOrders",
    style: PagingStyle::Offset,
    place: PagingPlace::Query,
    position: "offset",
    size: "limit",
    items: "orders",
    total: Some("count"),
    page_size: 2,
    max_page_size: Some(100),
};

const CUSTOMERS: Paging = Paging {
    action: "QueryCustomers",
    place: PagingPlace::Body,
    items: "customer_infos",
    ..ORDERS
};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct QueryCustomersBody {
    #[serde(default, deserialize_with = "partnergen_runtime::lenient::deserialize")]
    offset: Option<i64>,
    #[serde(default, deserialize_with = "partnergen_runtime::lenient::deserialize")]
    limit: Option<i64>,
}

fn huawei_service() -> HuaweiService<Operation> {
    HuaweiService {
        service: "partner-center",
        check_request: |operation, body| -> Option<Result<(), ParamError>> {
            match operation {
                Operation::QueryCustomers => Some(decode_request::<QueryCustomersBody>(body)),
                _ => None,
            }
        },
        // Schema-built, as the generated ones: `count: -7` beside one item.
        defaults: |operation| {
            Some(match operation {
                Operation::ListOrders => r#"{"orders": [{"id": "text"}], "count": -7}"#,
                Operation::QueryCustomers => {
                    r#"{"customer_infos": [{"id": "text"}], "count": -7, "error_code": "CBC.0000"}"#
                }
                Operation::Ping => r#"{"pong": true}"#,
            })
        },
        paging: |operation| match operation {
            Operation::ListOrders => Some(&ORDERS),
            Operation::QueryCustomers => Some(&CUSTOMERS),
            Operation::Ping => None,
        },
        params: |operation| match operation {
            Operation::ListOrders => {
                const {
                    &[
                        Param::query("offset", ParamKind::Int64),
                        Param::query("limit", ParamKind::Int64),
                    ]
                }
            }
            _ => &[],
        },
    }
}

/// The status and JSON body of a Huawei call: a GET with `query`, or a POST of `body`.
async fn call_huawei(url: &str, path_and_query: &str, body: Option<Value>) -> (u16, Value) {
    let client = reqwest::Client::new();
    let request = match body {
        None => client.get(format!("{url}{path_and_query}")),
        Some(body) => client
            .post(format!("{url}{path_and_query}"))
            .header("Content-Type", "application/json")
            .body(body.to_string()),
    };
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let body = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    (status, body)
}

fn ids(body: &Value, list: &str) -> Vec<Value> {
    body[list]
        .as_array()
        .unwrap_or_else(|| panic!("no `{list}` list: {body}"))
        .iter()
        .map(|item| item["id"].clone())
        .collect()
}

async fn huawei_server() -> partnergen_runtime::huawei::server::MockServer<Operation> {
    HuaweiServerBuilder::new(huawei_service())
        .checks(lenient_checks())
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn huawei_defaults_count_their_own_items() {
    let server = huawei_server().await;
    let url = server.url();
    let (status, body) = call_huawei(&url, "/v2/orders", None).await;
    assert_eq!(status, 200);
    assert_eq!((ids(&body, "orders").len(), &body["count"]), (1, &json!(1)));
    let (_, body) = call_huawei(&url, "/v2/orders?offset=1&limit=5", None).await;
    assert_eq!((ids(&body, "orders").len(), &body["count"]), (0, &json!(1)));
    let (_, body) = call_huawei(&url, "/v2/customers/query", Some(json!({"limit": 10}))).await;
    assert_eq!(
        (ids(&body, "customer_infos").len(), &body["count"]),
        (1, &json!(1))
    );
    assert_eq!(
        body["error_code"], "CBC.0000",
        "the rest of the default kept"
    );
}

#[tokio::test]
async fn huawei_pages_read_the_query_or_the_body_as_the_facts_say() {
    let server = huawei_server().await;
    let url = server.url();
    let items: Vec<Value> = (0..5).map(|i| json!({"id": i})).collect();
    let rules = json!([
        {"action": "ListOrders", "replies": [{"items": items}]},
        {"action": "QueryCustomers", "replies": [{"items": items}]},
    ]);
    assert_eq!(admin(&url, "rules", rules.to_string()).await.0, 200);
    for (query, expected) in [
        ("", vec![0, 1]),
        ("?offset=0&limit=2", vec![0, 1]),
        ("?offset=3&limit=2", vec![3, 4]),
        ("?offset=4&limit=2", vec![4]),
        ("?offset=5&limit=2", vec![]),
        ("?limit=100", vec![0, 1, 2, 3, 4]),
    ] {
        let (status, body) = call_huawei(&url, &format!("/v2/orders{query}"), None).await;
        assert_eq!(status, 200, "{query}: {body}");
        let expected: Vec<Value> = expected.into_iter().map(Value::from).collect();
        assert_eq!(ids(&body, "orders"), expected, "{query}");
        assert_eq!(body["count"], 5, "{query}");
    }
    // The body's offset and limit, not the query's, for an operation that pages in its body.
    let (status, body) = call_huawei(
        &url,
        "/v2/customers/query?offset=0&limit=1",
        Some(json!({"offset": 1, "limit": 3})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body, "customer_infos"), [json!(1), json!(2), json!(3)]);
    assert_eq!(body["count"], 5);
}

#[tokio::test]
async fn huawei_bad_pages_get_cbc_0100_after_the_servers_own_checks() {
    let server = huawei_server().await;
    let url = server.url();
    for (path, body, says) in [
        (
            "/v2/orders?offset=-1",
            None,
            "offset `-1` is not a whole number",
        ),
        (
            "/v2/orders?limit=0",
            None,
            "limit 0 is out of range (1 to 100)",
        ),
        (
            "/v2/orders?limit=101",
            None,
            "limit 101 is out of range (1 to 100)",
        ),
        (
            "/v2/customers/query",
            Some(json!({"offset": -2})),
            "offset `-2` is not a whole number",
        ),
    ] {
        let (status, answer) = call_huawei(&url, path, body).await;
        assert_eq!(status, 400, "{path}: {answer}");
        assert_eq!(answer["error_code"], "CBC.0100", "{path}");
        let operation = if path.starts_with("/v2/orders") {
            "ListOrders"
        } else {
            "QueryCustomers"
        };
        assert_eq!(
            answer["error_msg"],
            format!("{operation}: {says}"),
            "{path}"
        );
    }
    // Not an integer: the parameters check refuses it first, as before.
    let (status, answer) = call_huawei(&url, "/v2/orders?offset=abc", None).await;
    assert_eq!((status, &answer["error_code"]), (400, &json!("CBC.0100")));
    assert!(
        answer["error_msg"]
            .as_str()
            .unwrap()
            .contains("not an integer"),
        "{answer}"
    );
    assert_eq!(server.log().last().unwrap().decided_by, "parameters");
    // A permission the operator lacks: refused before any page is made.
    server.set_permissions(Some(&["P_OTHER"]));
    let calls = server.mock().calls().len();
    let (status, answer) = call_huawei(&url, "/v2/orders?offset=0", None).await;
    assert_eq!(
        (status, &answer["error_code"]),
        (403, &json!("CBC.0151")),
        "{answer}"
    );
    assert_eq!(server.mock().calls().len(), calls);
}
