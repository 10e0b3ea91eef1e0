//! The committed Huawei crate's models, as a thin client would use them: requests give
//! their path (parameters percent-encoded as the official SDK does), query and header
//! pairs and JSON body with the vendor's wire names; responses decode, camelCase wire
//! names and integers sent as strings included.

use huaweicloud_partner_center::models::{
    FreezeSubCustomersReq, FreezeSubCustomersReqRequired, FreezeSubCustomersRequest,
    FreezeSubCustomersRequired, ListInvoicesRequest, ListInvoicesRequired, ListInvoicesResponse,
    ListSubCustomersRequest, ListSubCustomersRequired, QuerySubCustomerListReq, RestRequest,
    ShowCustomerOrderDetailsRequest, ShowCustomerOrderDetailsRequired,
    ShowPartnerConsumptionQuotaRequest,
};
use huaweicloud_partner_center::{HttpMethod, Operation};

#[test]
fn a_request_with_path_query_and_header_parameters() {
    let request = ShowCustomerOrderDetailsRequest::new(ShowCustomerOrderDetailsRequired {
        order_id: "CS2024/01 x".into(),
    })
    .with_limit(10)
    .with_x_language("en_US");
    let info = ShowCustomerOrderDetailsRequest::OPERATION.info();
    assert_eq!(info.method, HttpMethod::Get);
    assert_eq!(info.path, "/v2/orders/customer-orders/details/{order_id}");
    assert_eq!(
        request.path(),
        "/v2/orders/customer-orders/details/CS2024%2F01%20x"
    );
    assert_eq!(request.parts().query_pairs(), [("limit", "10".to_owned())]);
    assert_eq!(
        request.parts().headers(),
        [("X-Language", "en_US".to_owned())]
    );
    assert!(request.body().is_none());
}

#[test]
fn the_account_id_fills_the_invoice_path() {
    // The account ID is the client's, not the request's (as the SDK takes it from its
    // credentials): the client fills `{domain_id}`.
    let request = ListInvoicesRequest::new(ListInvoicesRequired {
        start_time: "2024-01-01".into(),
        end_time: "2024-02-01".into(),
        offset: 0,
        limit: 10,
    });
    let client = huaweicloud_partner_center::Client::builder()
        .credentials(huaweicloud_partner_center::Credentials::new("ak", "sk"))
        .domain_id("0a1b")
        .build()
        .unwrap();
    let signed = client.engine().signed_request(&request, 0).unwrap();
    assert_eq!(
        signed.url.split('?').next().unwrap(),
        "https://bss-intl.myhuaweicloud.com/v1.0/0a1b/payments/intl-invoices"
    );
    let query: Vec<_> = request
        .parts()
        .query_pairs()
        .iter()
        .map(|(k, _)| *k)
        .collect();
    assert_eq!(query, ["start_time", "end_time", "offset", "limit"]);
    assert_eq!(ListInvoicesRequest::OPERATION, Operation::ListInvoices);
}

#[test]
fn bodies_serialize_with_the_wire_names_and_skip_what_is_unset() {
    let request = ListSubCustomersRequest::new(ListSubCustomersRequired {
        body: QuerySubCustomerListReq::new().with_limit(5),
    });
    let body = serde_json::to_value(request.body().unwrap()).unwrap();
    assert_eq!(body, serde_json::json!({"limit": 5}));
    assert_eq!(request.path(), "/v2/partners/sub-customers/query");
    assert!(request.parts().query_pairs().is_empty() && request.parts().headers().is_empty());

    let freeze = FreezeSubCustomersRequest::new(FreezeSubCustomersRequired {
        body: FreezeSubCustomersReq::new(FreezeSubCustomersReqRequired {
            customer_ids: vec!["c1".into()],
            reason: "overdue".into(),
        }),
    });
    let body = serde_json::to_value(freeze.body().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"customer_ids": ["c1"], "reason": "overdue"})
    );
}

#[test]
fn an_operation_without_arguments() {
    let request = ShowPartnerConsumptionQuotaRequest::new();
    assert_eq!(request, ShowPartnerConsumptionQuotaRequest::default());
    assert_eq!(request.path(), "/v2/partners/credit/consumption-quota");
}

#[test]
fn responses_decode_camel_case_names_and_numeric_strings() {
    let json = r#"{"count": "2", "invoices": [{"requestId": "r-1", "invoiceAmount": 12.5, "titleType": 1}, {}], "extra": true}"#;
    let response: ListInvoicesResponse = serde_json::from_str(json).unwrap();
    assert_eq!(response.count, Some(2));
    let invoices = response.invoices.unwrap();
    assert_eq!(invoices[0].request_id.as_deref(), Some("r-1"));
    assert_eq!(invoices[0].invoice_amount, Some(12.5));
    assert_eq!(invoices[0].title_type, Some(1));
    assert_eq!(invoices[1].request_id, None);
}
