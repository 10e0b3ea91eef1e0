//! Parity with the official SDKs' client details (issue 13, item 2): the call's trace ID in
//! every error that happens after the call started, `DeprecatedWarning` answers, an
//! explicit proxy, and the connection pool settings.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use partnergen_runtime::transport::{
    HttpRequest, HttpResponse, SendFuture, Transport, TransportError,
};
use serde_json::{json, Value};
use tencentcloud_intlpartnersmgt::mock::{self, Reply};
use tencentcloud_intlpartnersmgt::{
    models, Client, ClientBuilder, Credentials, Error, RetryPolicy,
};

const SECRET_ID: &str = "AKIDtestSecretId";
const SECRET_KEY: &str = "test-secret-key-never-sent";

type Script = Box<dyn Fn(&HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync>;

/// A transport answering every request by a script, keeping each request's
/// `X-TC-TraceId`.
struct Scripted {
    script: Script,
    trace_ids: Arc<Mutex<Vec<String>>>,
}

impl Transport for Scripted {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        self.trace_ids.lock().unwrap().push(
            request
                .header("X-TC-TraceId")
                .unwrap_or("<none>")
                .to_owned(),
        );
        let answer = (self.script)(&request);
        Box::pin(async move { answer })
    }
}

/// A builder with the test credentials and quick retries (two attempts in all).
fn builder() -> ClientBuilder {
    Client::builder()
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY))
        .endpoint("http://127.0.0.1:9")
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        })
}

/// A client over a scripted transport, and the trace IDs its requests carried.
fn scripted(
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
    script: impl Fn(&HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync + 'static,
) -> (Client, Arc<Mutex<Vec<String>>>) {
    let trace_ids = Arc::new(Mutex::new(Vec::new()));
    let transport = Scripted {
        script: Box::new(script),
        trace_ids: trace_ids.clone(),
    };
    let client = configure(builder().transport(Arc::new(transport)))
        .build()
        .unwrap();
    (client, trace_ids)
}

fn json_answer(status: u16, body: Value) -> HttpResponse {
    HttpResponse::new(status, body.to_string().into_bytes())
}

/// Checks that `err` carries the one trace ID every attempt of its call sent, in
/// `trace_id()` and in its message.
fn assert_traced(case: &str, err: &Error, sent: &[String], attempts: usize) {
    assert_eq!(sent.len(), attempts, "{case}: attempts: {sent:?}");
    let trace = &sent[0];
    assert!(
        sent.iter().all(|t| t == trace) && trace.len() == 36,
        "{case}: one UUID per call: {sent:?}"
    );
    assert_eq!(err.trace_id(), Some(trace.as_str()), "{case}: {err:?}");
    let shown = err.to_string();
    assert!(
        shown.contains(&format!("[TraceId {trace}]")),
        "{case}: {shown}"
    );
}

#[tokio::test]
async fn every_error_after_the_call_started_carries_its_trace_id() {
    let request = models::QueryPartnerCreditRequest::new();
    // (case, extra builder setting, script, attempts: the read action is retried when
    // the failure is transient)
    type Case = (
        &'static str,
        fn(ClientBuilder) -> ClientBuilder,
        fn(&HttpRequest) -> Result<HttpResponse, TransportError>,
        usize,
    );
    let cases: [Case; 8] = [
        (
            "api error",
            |b| b,
            |_| {
                Ok(json_answer(
                    200,
                    json!({"Response": {"Error": {"Code": "InvalidParameter", "Message": "no"}, "RequestId": "r1"}}),
                ))
            },
            1,
        ),
        (
            "throttled, retried",
            |b| b,
            |_| {
                Ok(json_answer(
                    200,
                    json!({"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "slow"}, "RequestId": "r2"}}),
                ))
            },
            2,
        ),
        ("timeout", |b| b, |_| Err(TransportError::Timeout), 2),
        (
            "transport failure",
            |b| b,
            |_| Err(TransportError::failed("connection reset by peer")),
            2,
        ),
        (
            "redirect",
            |b| b,
            |_| {
                let mut answer = HttpResponse::new(302, Vec::new());
                answer
                    .headers
                    .push(("location".into(), "http://elsewhere.invalid/".into()));
                Ok(answer)
            },
            1,
        ),
        (
            "too large",
            |b| b.max_response_body(100),
            |_| Ok(HttpResponse::new(200, vec![b' '; 101])),
            1,
        ),
        (
            "not JSON",
            |b| b,
            |_| Ok(HttpResponse::new(200, b"<html>busy</html>".to_vec())),
            1,
        ),
        (
            "does not match the model",
            |b| b,
            |_| {
                Ok(json_answer(
                    200,
                    json!({"Response": {"TotalCredit": "lots", "RequestId": "r9"}}),
                ))
            },
            1,
        ),
    ];
    for (case, configure, script, attempts) in cases {
        let (client, sent) = scripted(configure, script);
        let err = client.query_partner_credit(&request).await.unwrap_err();
        assert_traced(case, &err, &sent.lock().unwrap(), attempts);
        if case == "api error" {
            let trace = err.trace_id().unwrap();
            assert!(
                err.to_string()
                    .ends_with(&format!("[RequestId r1] [TraceId {trace}]")),
                "{err}"
            );
        }
    }
}

#[tokio::test]
async fn calls_by_name_carry_it_too_and_errors_before_the_call_have_none() {
    let (client, sent) = scripted(
        |b| b,
        |_| {
            Ok(json_answer(
                200,
                json!({"Response": {"Error": {"Code": "FailedOperation", "Message": "no"}, "RequestId": "r3"}}),
            ))
        },
    );
    let err = client
        .call_json("QueryPartnerCredit", &json!({}))
        .await
        .unwrap_err();
    assert_traced("by name", &err, &sent.lock().unwrap(), 1);

    // An unknown name fails before any call: no trace ID, and nothing sent.
    let err = client
        .call_json("NoSuchAction", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.trace_id(), None, "{err:?}");
    assert!(!err.to_string().contains("TraceId"), "{err}");
    assert_eq!(sent.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn two_calls_two_trace_ids() {
    let (client, sent) = scripted(|b| b, |_| Err(TransportError::failed("refused")));
    let request = models::QueryPartnerCreditRequest::new();
    let first = client.query_partner_credit(&request).await.unwrap_err();
    let second = client.query_partner_credit(&request).await.unwrap_err();
    assert!(first.trace_id().is_some());
    assert_ne!(first.trace_id(), second.trace_id());
    assert_eq!(sent.lock().unwrap().len(), 4);
}

/// The Huawei SDK sends no ID of its own (`X-Request-Id` is the server's, in
/// `request_id()`): a Huawei error has no trace ID.
#[tokio::test]
async fn huawei_errors_have_no_trace_id() {
    use huaweicloud_partner_center::models as hw;
    let (trace_ids, script) = (Arc::new(Mutex::new(Vec::new())), |_: &HttpRequest| {
        let mut answer = json_answer(
            400,
            json!({"error_code": "CBC.0100", "error_msg": "bad", "request_id": "body-id"}),
        );
        answer.headers.push(("x-request-id".into(), "hw-1".into()));
        Ok(answer)
    });
    let client = huaweicloud_partner_center::Client::builder()
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY))
        .domain_id("domain-1")
        .endpoint("http://127.0.0.1:9")
        .transport(Arc::new(Scripted {
            script: Box::new(script),
            trace_ids: trace_ids.clone(),
        }))
        .build()
        .unwrap();
    let request = hw::ListSubCustomersRequest::new(hw::ListSubCustomersRequired {
        body: hw::QuerySubCustomerListReq::new(),
    });
    let err = client.list_sub_customers(&request).await.unwrap_err();
    assert_eq!(err.request_id(), Some("hw-1"), "{err:?}");
    assert_eq!(err.trace_id(), None, "{err:?}");
    assert_eq!(trace_ids.lock().unwrap().as_slice(), ["<none>"]);
}

/// The log lines written while it lives (a subscriber of this thread only).
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    /// Collects this thread's events (warnings and above) until the guard drops.
    fn capture() -> (Self, tracing::subscriber::DefaultGuard) {
        let buffer = LogBuffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .finish();
        (buffer, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

const DEPRECATED: &str = "QueryPartnerCredit is deprecated: use QueryCreditQuota";

/// A mock whose `QueryPartnerCredit` and `GetCountryCodes` answers carry a
/// `DeprecatedWarning`, as API 3.0 puts it in the `Response` object.
fn deprecating_mock() -> mock::Mock {
    mock::mock()
        .with_rule(
            mock::query_partner_credit()
                .reply(Reply::Response(
                    json!({"TotalCredit": 5.0, "DeprecatedWarning": DEPRECATED}),
                ))
                .build(),
        )
        .with_rule(
            mock::get_country_codes()
                .reply(Reply::Response(
                    json!({"DeprecatedWarning": "GetCountryCodes too"}),
                ))
                .build(),
        )
}

#[tokio::test]
async fn a_deprecated_warning_is_logged_once_per_action_and_client() {
    let (log, _guard) = LogBuffer::capture();
    let mock = deprecating_mock();
    let client = mock::client(&mock);
    let request = models::QueryPartnerCreditRequest::new();
    for _ in 0..3 {
        client.query_partner_credit(&request).await.unwrap();
        // Clones share the client's memory of what it logged.
        client.clone().query_partner_credit(&request).await.unwrap();
    }
    client
        .call_json("QueryPartnerCredit", &json!({}))
        .await
        .unwrap();
    let quota = models::GetCountryCodesRequest::new();
    client.get_country_codes(&quota).await.unwrap();
    client.get_country_codes(&quota).await.unwrap();
    let text = log.text();
    assert_eq!(text.matches(DEPRECATED).count(), 1, "{text}");
    assert_eq!(text.matches("GetCountryCodes too").count(), 1, "{text}");
    assert!(
        text.contains("WARN") && text.contains("action=\"QueryPartnerCredit\""),
        "{text}"
    );
    // Another client logs it again (once).
    mock::client(&mock)
        .query_partner_credit(&request)
        .await
        .unwrap();
    assert_eq!(log.text().matches(DEPRECATED).count(), 2, "{}", log.text());
}

#[tokio::test]
async fn a_deprecated_warning_is_on_the_response() {
    let mock = deprecating_mock();
    let client = mock::client(&mock);
    let got = client
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap();
    assert_eq!(got.total_credit, 5.0);
    assert_eq!(got.deprecated_warning.as_deref(), Some(DEPRECATED));
    assert_eq!(
        serde_json::to_value(&got).unwrap()["DeprecatedWarning"],
        DEPRECATED
    );
    // An answer without one has none.
    let plain = mock::mock();
    let got = mock::client(&plain)
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap();
    assert_eq!(got.deprecated_warning, None);
    let json = client
        .call_json("QueryPartnerCredit", &json!({}))
        .await
        .unwrap();
    assert_eq!(json["DeprecatedWarning"], DEPRECATED);
}

/// The mock server answers a typed rule's warning as the service would, and the client
/// reads it back.
#[tokio::test]
async fn the_mock_server_answers_with_a_deprecated_warning() {
    let mut credit = models::QueryPartnerCreditResponse::default();
    credit.total_credit = 3.0;
    credit.deprecated_warning = Some(DEPRECATED.into());
    let server = mock::server()
        .rule(mock::query_partner_credit().respond(credit).build())
        .start()
        .await
        .unwrap();
    let (log, _guard) = LogBuffer::capture();
    let client = mock::server_client(&server);
    let request = models::QueryPartnerCreditRequest::new();
    let got = client.query_partner_credit(&request).await.unwrap();
    assert_eq!(
        (got.total_credit, got.deprecated_warning.as_deref()),
        (3.0, Some(DEPRECATED))
    );
    client.query_partner_credit(&request).await.unwrap();
    assert_eq!(log.text().matches(DEPRECATED).count(), 1, "{}", log.text());
}
