//! Both client engines (Tencent API 3.0 and Huawei REST, through the generated clients)
//! against hostile or broken endpoints on 127.0.0.1: redirects (to another server, in a
//! loop), endless and oversized bodies, refused and reset connections, and no credentials
//! anywhere. Every case must end in a typed error that says what happened, having sent
//! nothing anywhere else and buffered no more than the cap.

use std::error::Error as _;
use std::io::ErrorKind as IoErrorKind;
use std::time::Duration;

use huaweicloud_partner_center as huawei;
use partnergen_runtime::error::Error;
use tencentcloud_intlpartnersmgt as tencent;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Vendor {
    Tencent,
    Huawei,
}

const VENDORS: [Vendor; 2] = [Vendor::Tencent, Vendor::Huawei];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    /// Tencent `QueryPartnerCredit` (CAM class read), Huawei's quota GET: retried when
    /// transient.
    Read,
    /// Tencent `AllocateCustomerCredit` (write), Huawei's budget POST: never retried.
    Write,
}

/// The session token both clients carry: it must never reach another host.
const TOKEN: &str = "session-token-must-stay-home";

/// What a test changes on a builder (both builders have the same setters).
#[derive(Debug, Clone, Copy, Default)]
struct Settings {
    /// Retries off (the default policy, with quick backoff, otherwise).
    no_retries: bool,
    /// Another cap on response bodies.
    max_response_body: Option<u64>,
}

fn retry_policy(settings: Settings) -> tencent::RetryPolicy {
    if settings.no_retries {
        tencent::RetryPolicy::disabled()
    } else {
        tencent::RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
        }
    }
}

/// Makes one call of `vendor`'s generated client at `endpoint`.
async fn call(vendor: Vendor, endpoint: &str, what: Call, settings: Settings) -> Result<(), Error> {
    // Long enough that no case here ends by timing out when it works as it should.
    let timeout = Duration::from_secs(20);
    match vendor {
        Vendor::Tencent => {
            let mut builder = tencent::Client::builder()
                .credentials(tencent::Credentials::new("AKIDhostile", "key").with_token(TOKEN))
                .endpoint(endpoint)
                .timeout(timeout)
                .retry_policy(retry_policy(settings));
            if let Some(bytes) = settings.max_response_body {
                builder = builder.max_response_body(bytes);
            }
            let client = builder.build().unwrap();
            match what {
                Call::Read => client
                    .query_partner_credit(&tencent::models::QueryPartnerCreditRequest::new())
                    .await
                    .map(drop),
                Call::Write => client
                    .allocate_customer_credit(&tencent::models::AllocateCustomerCreditRequest::new(
                        tencent::models::AllocateCustomerCreditRequired {
                            added_credit: 500.0,
                            client_uin: 200000000001,
                        },
                    ))
                    .await
                    .map(drop),
            }
        }
        Vendor::Huawei => {
            let mut builder = huawei::Client::builder()
                .credentials(huawei::Credentials::new("HPUAhostile", "sk").with_token(TOKEN))
                .domain_id("0a1b2c")
                .endpoint(endpoint)
                .timeout(timeout)
                .retry_policy(retry_policy(settings));
            if let Some(bytes) = settings.max_response_body {
                builder = builder.max_response_body(bytes);
            }
            let client = builder.build().unwrap();
            match what {
                Call::Read => client
                    .show_partner_consumption_quota(
                        &huawei::models::ShowPartnerConsumptionQuotaRequest::new(),
                    )
                    .await
                    .map(drop),
                Call::Write => client
                    .update_sub_customer_budget(
                        &huawei::models::UpdateSubCustomerBudgetRequest::new(
                            huawei::models::UpdateSubCustomerBudgetRequired {
                                body: huawei::models::ModSubCustomerBudgetReq::new(
                                    huawei::models::ModSubCustomerBudgetReqRequired {
                                        customer_id: "c1".into(),
                                        budget_amount: 10.0,
                                    },
                                ),
                            },
                        ),
                    )
                    .await
                    .map(drop),
            }
        }
    }
}

/// The messages of `err` and of every error under it, outermost first.
fn causes(err: &Error) -> Vec<String> {
    let mut messages = vec![err.to_string()];
    let mut next = err.source();
    while let Some(cause) = next {
        messages.push(cause.to_string());
        next = cause.source();
    }
    messages
}

/// Whether an I/O error of `kind` is somewhere under `err`.
fn has_io_cause(err: &Error, kind: IoErrorKind) -> bool {
    let mut next = err.source();
    while let Some(cause) = next {
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
        {
            return true;
        }
        next = cause.source();
    }
    false
}

/// A server that answers anything with a Tencent- and Huawei-shaped success: where a
/// redirect would lead.
async fn elsewhere() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"Response":{"RequestId":"stolen"}}"#, "application/json"),
        )
        .mount(&server)
        .await;
    server
}

/// A server that answers everything with `status` and `Location: location`.
async fn redirecting(server: &MockServer, status: u16, location: &str) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).insert_header("Location", location))
        .mount(server)
        .await;
}

#[tokio::test]
async fn redirects_to_another_host_are_not_followed() {
    for vendor in VENDORS {
        for status in [307, 302, 301, 308] {
            for what in [Call::Read, Call::Write] {
                let target = elsewhere().await;
                let location = format!("{}/collect", target.uri());
                let server = MockServer::start().await;
                redirecting(&server, status, &location).await;

                let err = call(vendor, &server.uri(), what, Settings::default())
                    .await
                    .unwrap_err();

                let case = format!("{vendor:?} {what:?} {status}: {err}");
                let stolen = target.received_requests().await.unwrap();
                assert!(
                    stolen.is_empty(),
                    "{case}: the other server got {} request(s), the token among them: {}",
                    stolen.len(),
                    stolen
                        .iter()
                        .any(|r| r.headers.values().any(|v| v.as_bytes() == TOKEN.as_bytes()))
                );
                assert_eq!(server.received_requests().await.unwrap().len(), 1, "{case}");
                let shown = err.to_string();
                assert!(
                    shown.contains(&status.to_string()) && shown.contains(&location),
                    "{case}: the error names neither the status nor the Location"
                );
                assert_eq!(err.status(), Some(status), "{case}");
                assert!(
                    !err.is_transient(),
                    "{case}: a redirect is not worth retrying"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_redirect_loop_sends_each_call_once() {
    for vendor in VENDORS {
        for what in [Call::Read, Call::Write] {
            let server = MockServer::start().await;
            redirecting(&server, 307, &format!("{}/again", server.uri())).await;
            let err = call(vendor, &server.uri(), what, Settings::default())
                .await
                .unwrap_err();
            assert_eq!(
                server.received_requests().await.unwrap().len(),
                1,
                "{vendor:?} {what:?}: {err}"
            );
        }
    }
}

#[tokio::test]
async fn a_redirect_without_location_says_so() {
    for vendor in VENDORS {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(303))
            .mount(&server)
            .await;
        let err = call(vendor, &server.uri(), Call::Write, Settings::default())
            .await
            .unwrap_err();
        let shown = err.to_string();
        eprintln!("{vendor:?}: {shown}");
        assert!(
            shown.contains("303") && shown.contains("no Location"),
            "{vendor:?}: {shown}"
        );
    }
}

/// Reads one request (its head, then as many body bytes as its Content-Length says).
async fn read_request(stream: &mut TcpStream) -> std::io::Result<()> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Err(IoErrorKind::UnexpectedEof.into());
        }
        received.extend_from_slice(&buffer[..n]);
        if let Some(at) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&received[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    let mut body = received.len() - head_end;
    while body < length {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Err(IoErrorKind::UnexpectedEof.into());
        }
        body += n;
    }
    Ok(())
}

/// A server on 127.0.0.1 that serves one connection with `serve`; returns its URL and
/// what `serve` returns.
async fn one_connection<F, Fut, T>(serve: F) -> (String, JoinHandle<T>)
where
    F: FnOnce(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T> + Send,
    T: Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        serve(stream).await
    });
    (url, handle)
}

/// The most an endless-body server sends before giving up on a client that never stops
/// reading (so a client without a cap fails the test instead of growing for ever).
const ENDLESS_LIMIT: u64 = 256 << 20;

/// Answers one request with a chunked body that never ends (up to [`ENDLESS_LIMIT`]);
/// returns how many body bytes it got out before the client hung up.
async fn endless_body(mut stream: TcpStream) -> u64 {
    read_request(&mut stream).await.unwrap();
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let payload = vec![b' '; 64 << 10];
    let mut chunk = format!("{:x}\r\n", payload.len()).into_bytes();
    chunk.extend_from_slice(&payload);
    chunk.extend_from_slice(b"\r\n");
    let mut sent = 0;
    while sent < ENDLESS_LIMIT {
        if stream.write_all(&chunk).await.is_err() {
            break;
        }
        sent += payload.len() as u64;
    }
    sent
}

#[tokio::test]
async fn an_endless_body_stops_at_the_default_cap() {
    for vendor in VENDORS {
        let (url, server) = one_connection(endless_body).await;
        let settings = Settings {
            no_retries: true,
            ..Settings::default()
        };
        let err = call(vendor, &url, Call::Read, settings).await.unwrap_err();
        let sent = server.await.unwrap();
        let shown = err.to_string();
        eprintln!("{vendor:?}: the server sent {sent} bytes; {shown}");
        assert!(
            shown.contains("larger than") && shown.contains("10485760"),
            "{vendor:?}: not the cap error: {shown}"
        );
        // The default cap is 10 MiB; loopback socket buffers hold some tens of MiB more.
        // A client that buffered the whole body would have let the server send it all.
        assert!(
            sent < ENDLESS_LIMIT / 4,
            "{vendor:?}: the server sent {sent} bytes before the client hung up"
        );
    }
}

#[tokio::test]
async fn the_cap_is_configurable() {
    for vendor in VENDORS {
        let (url, server) = one_connection(endless_body).await;
        let settings = Settings {
            no_retries: true,
            max_response_body: Some(100_000),
        };
        let err = call(vendor, &url, Call::Read, settings).await.unwrap_err();
        let sent = server.await.unwrap();
        eprintln!("{vendor:?}: the server sent {sent} bytes; {err}");
        assert!(
            matches!(
                err,
                Error::ResponseTooLarge {
                    limit: 100_000,
                    status: 200,
                    ..
                }
            ),
            "{vendor:?}: {err:?}"
        );
        assert!(err.to_string().contains("100000"), "{vendor:?}: {err}");
        assert!(
            sent < ENDLESS_LIMIT / 4,
            "{vendor:?}: the server sent {sent} bytes before the client hung up"
        );
    }
}

#[tokio::test]
async fn a_content_length_over_the_cap_fails_before_reading() {
    for vendor in VENDORS {
        // Announces a terabyte and sends none of it: a client that started reading would
        // wait for its timeout.
        let (url, server) = one_connection(|mut stream| async move {
            read_request(&mut stream).await.unwrap();
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1099511627776\r\n\r\n";
            stream.write_all(head.as_bytes()).await.unwrap();
            // Holds the connection until the client drops it.
            let mut rest = Vec::new();
            let _ = stream.read_to_end(&mut rest).await;
        })
        .await;
        let settings = Settings {
            no_retries: true,
            max_response_body: Some(1 << 20),
        };
        let err = call(vendor, &url, Call::Write, settings).await.unwrap_err();
        server.await.unwrap();
        assert!(
            matches!(err, Error::ResponseTooLarge { limit: 1048576, .. }),
            "{vendor:?}: {err:?}"
        );
        assert!(!err.is_transient(), "{vendor:?}");
    }
}

#[tokio::test]
async fn a_refused_connection_names_its_cause() {
    for vendor in VENDORS {
        // Nothing listens on a port just freed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let settings = Settings {
            no_retries: true,
            ..Settings::default()
        };
        let err = call(
            vendor,
            &format!("http://127.0.0.1:{port}"),
            Call::Read,
            settings,
        )
        .await
        .unwrap_err();
        eprintln!("{vendor:?}: {err}");
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        assert!(
            err.to_string()
                .to_lowercase()
                .contains("connection refused"),
            "{vendor:?}: {err}"
        );
        assert!(
            has_io_cause(&err, IoErrorKind::ConnectionRefused),
            "{vendor:?}: source() does not lead to the I/O error: {:?}",
            causes(&err)
        );
    }
}

#[tokio::test]
async fn a_reset_connection_names_its_cause() {
    for vendor in VENDORS {
        let (url, server) = one_connection(|mut stream| async move {
            read_request(&mut stream).await.unwrap();
            // SO_LINGER 0: closing sends RST, not FIN.
            stream.set_zero_linger().unwrap();
            drop(stream);
        })
        .await;
        let settings = Settings {
            no_retries: true,
            ..Settings::default()
        };
        let err = call(vendor, &url, Call::Read, settings).await.unwrap_err();
        server.await.unwrap();
        eprintln!("{vendor:?}: {err}");
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        assert!(
            err.to_string().to_lowercase().contains("reset"),
            "{vendor:?}: {err}"
        );
        assert!(
            has_io_cause(&err, IoErrorKind::ConnectionReset),
            "{vendor:?}: source() does not lead to the I/O error: {:?}",
            causes(&err)
        );
    }
}

/// The child half of [`without_credentials_the_error_lists_every_source_tried`]: builds
/// each client without credentials, asks for them and prints the errors.
const CHILD: &str = "PARTNERGEN_TEST_NO_CREDENTIALS_CHILD";

#[test]
fn without_credentials_the_error_lists_every_source_tried() {
    if std::env::var_os(CHILD).is_some() {
        // The default chain is asked at the first call (a role's metadata service can
        // only be asked then): the engine's credentials cache is what the call asks.
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let tencent = tencent::Client::builder().build().unwrap();
        let tencent = runtime
            .block_on(tencent.engine().credentials().get())
            .unwrap_err();
        let huawei = huawei::Client::builder().build().unwrap();
        let huawei = runtime
            .block_on(huawei.engine().credentials().get())
            .unwrap_err();
        // Each on a line of its own, after libtest's `test ... ` prefix.
        println!("\nTENCENT: {tencent}\nHUAWEI: {huawei}");
        return;
    }
    // The environment is the process's, shared by the test threads: the builders run in a
    // child process with an environment of our choosing.
    let run = |vars: &[(&str, &str)]| {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "without_credentials_the_error_lists_every_source_tried",
                "--nocapture",
                "--test-threads=1",
            ])
            .env_clear()
            .env(CHILD, "1")
            .envs(vars.iter().copied())
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(output.status.success(), "{stdout}");
        let line = |prefix: &str| {
            stdout
                .lines()
                .find_map(|l| l.split_once(prefix).map(|(_, rest)| rest))
                .unwrap_or_else(|| panic!("no {prefix}line in {stdout}"))
                .to_owned()
        };
        (line("TENCENT: "), line("HUAWEI: "))
    };
    let before = |text: &str, first: &str, then: &str| {
        let (a, b) = (text.find(first), text.find(then));
        assert!(
            a.is_some() && b.is_some() && a < b,
            "`{first}` then `{then}` in: {text}"
        );
    };

    let (tencent, huawei) = run(&[]);
    eprintln!("{tencent}\n{huawei}");
    for name in [
        "TENCENTCLOUD_SECRET_ID",
        "TENCENTCLOUD_SECRET_KEY",
        ".tencentcloud/credentials",
        "/etc/tencentcloud/credentials",
    ] {
        assert!(tencent.contains(name), "{name} in: {tencent}");
    }
    before(
        &tencent,
        "TENCENTCLOUD_SECRET_ID",
        ".tencentcloud/credentials",
    );
    before(
        &tencent,
        "TENCENTCLOUD_SECRET_ID",
        "/etc/tencentcloud/credentials",
    );
    for name in ["HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"] {
        assert!(huawei.contains(name), "{name} in: {huawei}");
    }

    // Half-set variables: the error names what is missing, never a value.
    let home = tempfile::tempdir().unwrap();
    let (tencent, huawei) = run(&[
        ("HOME", home.path().to_str().unwrap()),
        ("TENCENTCLOUD_SECRET_ID", "AKIDvalue-shown-nowhere"),
        ("TENCENTCLOUD_SESSION_TOKEN", "token-value-shown-nowhere"),
        ("HUAWEICLOUD_SDK_SK", "sk-value-shown-nowhere"),
        ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "st-value-shown-nowhere"),
    ]);
    assert!(tencent.contains("TENCENTCLOUD_SECRET_KEY"), "{tencent}");
    before(
        &tencent,
        "TENCENTCLOUD_SECRET_KEY",
        &home
            .path()
            .join(".tencentcloud/credentials")
            .display()
            .to_string(),
    );
    assert!(huawei.contains("HUAWEICLOUD_SDK_AK"), "{huawei}");
    for shown in [&tencent, &huawei] {
        assert!(!shown.contains("shown-nowhere"), "a value leaked: {shown}");
    }
}
