//! The environment's proxy (`HTTP_PROXY`), which a client uses unless told otherwise, and
//! `no_proxy()`, which ignores it. Its own test program: the variable is the process's,
//! and would send the other tests' clients through the proxy too.

use std::time::Duration;

use serde_json::json;
use tencentcloud_intlpartnersmgt::{models, Client, ClientBuilder, Credentials, RetryPolicy};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn builder(endpoint: &str) -> ClientBuilder {
    Client::builder()
        .credentials(Credentials::new("AKIDtestSecretId", "test-secret-key"))
        .endpoint(endpoint)
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::disabled())
}

async fn answering(total: f64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"Response": {"TotalCredit": total, "RequestId": "r"}})),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_environments_proxy_is_used_unless_no_proxy() {
    let proxy = answering(1.0).await;
    let server = answering(2.0).await;
    for name in [
        "NO_PROXY",
        "no_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "http_proxy",
    ] {
        std::env::remove_var(name);
    }
    std::env::set_var("HTTP_PROXY", proxy.uri());
    let request = models::QueryPartnerCreditRequest::new();

    let through_env = builder(&server.uri()).build().unwrap();
    let credit = through_env.query_partner_credit(&request).await.unwrap();
    assert_eq!(credit.total_credit, 1.0, "answered by the proxy");
    let received = proxy.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    // In absolute form, naming the endpoint.
    assert_eq!(received[0].url.as_str(), format!("{}/", server.uri()));

    let direct = builder(&server.uri()).no_proxy().build().unwrap();
    let credit = direct.query_partner_credit(&request).await.unwrap();
    assert_eq!(credit.total_credit, 2.0, "answered by the server itself");
    assert_eq!(proxy.received_requests().await.unwrap().len(), 1);
}
