//! Parity with the official SDKs' client details (issue 13, item 2): the call's trace ID in
//! every error that happens after the call started, `DeprecatedWarning` answers, an
//! explicit proxy, and the connection pool settings.

mod logs;

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
    let log = logs::capture();
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
    let log = logs::capture();
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

/// A tiny HTTP/1.1 server on 127.0.0.1 that counts the TCP connections it accepts and
/// keeps each request's head; it answers every request with a Tencent success (keeping
/// the connection open), and a `CONNECT` with 403. As a proxy it receives the client's
/// requests in absolute form (`POST http://host/ HTTP/1.1`).
struct FakeHttp {
    url: String,
    connections: Arc<Mutex<usize>>,
    heads: Arc<Mutex<Vec<String>>>,
}

impl FakeHttp {
    async fn start() -> Self {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(Mutex::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (count, seen) = (connections.clone(), heads.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                *count.lock().unwrap() += 1;
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut stream = BufReader::new(stream);
                    loop {
                        let mut head = String::new();
                        loop {
                            let mut line = String::new();
                            match stream.read_line(&mut line).await {
                                Ok(0) | Err(_) => return,
                                Ok(_) if line == "\r\n" => break,
                                Ok(_) => head.push_str(&line),
                            }
                        }
                        let length = head
                            .lines()
                            .find_map(|l| {
                                let (name, value) = l.split_once(':')?;
                                name.eq_ignore_ascii_case("content-length")
                                    .then(|| value.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        let mut body = vec![0; length];
                        if stream.read_exact(&mut body).await.is_err() {
                            return;
                        }
                        let connect = head.starts_with("CONNECT ");
                        seen.lock().unwrap().push(head);
                        let answer = if connect {
                            "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                                .to_owned()
                        } else {
                            let body = r#"{"Response":{"TotalCredit":1.0,"RequestId":"fake-1"}}"#;
                            format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                                body.len()
                            )
                        };
                        if stream.get_mut().write_all(answer.as_bytes()).await.is_err() || connect {
                            return;
                        }
                    }
                });
            }
        });
        FakeHttp {
            url,
            connections,
            heads,
        }
    }

    fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

/// A builder for a client sending over real HTTP, no retries.
fn http_builder(endpoint: &str) -> ClientBuilder {
    Client::builder()
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY))
        .endpoint(endpoint)
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::disabled())
}

const PROXY_PASSWORD: &str = "proxy-pass-never-shown";

#[tokio::test]
async fn an_explicit_proxy_carries_every_request() {
    let proxy = FakeHttp::start().await;
    let proxied_url = proxy
        .url
        .replace("http://", &format!("http://squid-user:{PROXY_PASSWORD}@"));
    // An endpoint no resolver knows: only the proxy can reach it.
    let client = http_builder("http://intlpartnersmgt.proxied.invalid")
        .proxy(&proxied_url)
        .build()
        .unwrap();
    let credit = client
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap();
    assert_eq!(credit.total_credit, 1.0);
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with("POST http://intlpartnersmgt.proxied.invalid/ HTTP/1.1"),
        "{heads:?}"
    );
    // The proxy's user and password, as Basic Proxy-Authorization.
    let basic = "c3F1aWQtdXNlcjpwcm94eS1wYXNzLW5ldmVyLXNob3du"; // squid-user:proxy-pass-never-shown
    assert!(
        heads[0].to_ascii_lowercase().contains(&format!(
            "proxy-authorization: basic {}",
            basic.to_ascii_lowercase()
        )),
        "{heads:?}"
    );
    assert!(
        !format!("{client:?}").contains(PROXY_PASSWORD),
        "{client:?}"
    );

    // HTTPS is tunnelled: the proxy gets a CONNECT (which it refuses here), and the
    // failure does not show the password.
    let tunnelled = http_builder("https://intlpartnersmgt.proxied.invalid")
        .proxy(&proxied_url)
        .build()
        .unwrap();
    let err = tunnelled
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(
        !err.to_string().contains(PROXY_PASSWORD) && !format!("{err:?}").contains(PROXY_PASSWORD),
        "{err:?}"
    );
    let heads = proxy.heads();
    assert!(
        heads.len() == 2 && heads[1].starts_with("CONNECT intlpartnersmgt.proxied.invalid:443 "),
        "{heads:?}"
    );

    // A proxy that is down: a transport failure without the password.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let down = format!("http://u:{PROXY_PASSWORD}@{}", closed.local_addr().unwrap());
    drop(closed);
    let err = http_builder("http://intlpartnersmgt.proxied.invalid")
        .proxy(down)
        .build()
        .unwrap()
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(
        !err.to_string().contains(PROXY_PASSWORD) && !format!("{err:?}").contains(PROXY_PASSWORD),
        "{err:?}"
    );
}

#[tokio::test]
async fn no_proxy_goes_direct() {
    let proxy = FakeHttp::start().await;
    let server = FakeHttp::start().await;
    // The last of proxy and no_proxy counts.
    let client = http_builder(&server.url)
        .proxy(&proxy.url)
        .no_proxy()
        .build()
        .unwrap();
    client
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap();
    assert_eq!((proxy.heads().len(), server.heads().len()), (0, 1));
    assert!(server.heads()[0].starts_with("POST / HTTP/1.1"));
}

#[test]
fn a_bad_proxy_url_fails_the_build_naming_the_setting_without_its_password() {
    for (url, why) in [
        ("not a url", "relative URL without a base"),
        ("ftp://u:secret-pw@proxy.example:21", "the scheme is `ftp`"),
        (
            "socks5://u:secret-pw@proxy.example:1080",
            "the scheme is `socks5`",
        ),
        ("http://u:secret-pw@", "empty host"),
        ("http://u:secret-pw@:3128", "empty host"),
        ("u:secret-pw@proxy.example:3128", ""),
        ("http://u:secret-pw@proxy example:3128", "invalid"),
    ] {
        let err = builder().proxy(url).build().unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.starts_with("bad setting: proxy `") && shown.contains(why),
            "{url}: {shown}"
        );
        assert!(
            !shown.contains("secret-pw") && !format!("{err:?}").contains("secret-pw"),
            "{url}: {shown}"
        );
    }
}

/// `calls` sequential calls of a client built by `configure`, `pause` apart; the TCP
/// connections the server accepted.
async fn connections_for(
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
    calls: usize,
    pause: Duration,
) -> usize {
    let server = FakeHttp::start().await;
    let client = configure(http_builder(&server.url)).build().unwrap();
    for i in 0..calls {
        if i > 0 {
            tokio::time::sleep(pause).await;
        }
        client
            .query_partner_credit(&models::QueryPartnerCreditRequest::new())
            .await
            .unwrap();
    }
    assert_eq!(server.heads().len(), calls);
    server.connections()
}

#[tokio::test]
async fn the_connection_pool_settings_reach_the_connections() {
    let no_pause = Duration::ZERO;
    // By default one kept-alive connection serves sequential calls.
    assert_eq!(connections_for(|b| b, 3, no_pause).await, 1);
    // None kept idle: a connection per call.
    assert_eq!(
        connections_for(|b| b.pool_max_idle_per_host(0), 3, no_pause).await,
        3
    );
    // An idle connection older than the idle timeout is not reused.
    let pause = Duration::from_millis(300);
    assert_eq!(connections_for(|b| b, 2, pause).await, 1);
    assert_eq!(
        connections_for(|b| b.pool_idle_timeout(Duration::from_millis(50)), 2, pause).await,
        2
    );
}
