//! The Huawei mock server's credentials story on one machine: its ECS metadata endpoint
//! (session token, then `GET /openstack/latest/securitykey`) issues temporary AK/SK with
//! a security token, which the API accepts until they expire (then `APIGW.0301` about the
//! token); its IAM answers `GET /v3/auth/domains` so the account ID lookup works; bad
//! input to those endpoints; the default chain surviving several expiries under
//! concurrent calls; and the official Python SDK's `MetadataAccessor` pointed at it.

mod wire;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use huaweicloud_partner_center::credentials::{default_chain_with, MetadataCredentialProvider};
use huaweicloud_partner_center::mock;
use huaweicloud_partner_center::{
    models, AuthFailure, Client, Credentials, Error, ErrorKind, Operation, RetryPolicy,
};
use partnergen_runtime::huawei::server::{
    DEFAULT_DOMAIN_ID, IAM_DOMAINS_PATH, METADATA_SECURITY_KEY_PATH, METADATA_TOKEN_PATH,
};
use partnergen_runtime::huawei::sign::{self as huawei_sign, SigningInput};
use serde_json::{json, Value};
use wire::{exchange, unix_now, Raw};

const TOKEN_TTL_HEADER: &str = "X-Metadata-Token-Ttl-Seconds";

async fn send(server: &mock::Server, request: String) -> Raw {
    exchange(server.addr(), request.as_bytes()).await
}

/// A session token from the metadata endpoint.
async fn session_token(server: &mock::Server) -> String {
    let raw = send(
        server,
        format!(
            "PUT {METADATA_TOKEN_PATH} HTTP/1.1\r\nHost: m\r\n{TOKEN_TTL_HEADER}: 21600\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(raw.status, 200, "{}", String::from_utf8_lossy(&raw.body));
    String::from_utf8(raw.body).unwrap()
}

/// `GET /openstack/latest/securitykey` with these extra header lines.
async fn security_key(server: &mock::Server, headers: &str) -> Raw {
    send(
        server,
        format!(
            "GET {METADATA_SECURITY_KEY_PATH} HTTP/1.1\r\nHost: m\r\n{headers}Connection: close\r\n\r\n"
        ),
    )
    .await
}

/// The temporary keys of a metadata answer, checked for the SDK's format.
fn credentials_of(raw: &Raw) -> (Credentials, SystemTime) {
    assert_eq!(raw.status, 200, "{}", String::from_utf8_lossy(&raw.body));
    let body = raw.json();
    let credential = &body["credential"];
    for field in ["access", "secret", "securitytoken", "expires_at"] {
        assert!(
            credential[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field}: {body}"
        );
    }
    // The SDK parses `%Y-%m-%dT%H:%M:%S.%fZ`: microseconds and a Z, as IAM writes it.
    let expires_at = credential["expires_at"].as_str().unwrap();
    assert!(
        expires_at.len() == 27 && expires_at.ends_with('Z') && &expires_at[19..20] == ".",
        "{expires_at}"
    );
    let expiry = humantime_parse(expires_at);
    let credentials = Credentials::new(
        credential["access"].as_str().unwrap(),
        credential["secret"].as_str().unwrap(),
    )
    .with_token(credential["securitytoken"].as_str().unwrap());
    (credentials, expiry)
}

/// `2024-05-01T08:00:00.000000Z` as a time.
fn humantime_parse(text: &str) -> SystemTime {
    let seconds: Vec<u64> = [(0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19)]
        .iter()
        .map(|(a, b)| text[*a..*b].parse().unwrap())
        .collect();
    // Days since the epoch of a civil date (Howard Hinnant's algorithm).
    let (y, m, d) = (seconds[0] as i64, seconds[1] as i64, seconds[2] as i64);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe - 719_468) as u64;
    SystemTime::UNIX_EPOCH
        + Duration::from_secs(days * 86_400 + seconds[3] * 3600 + seconds[4] * 60 + seconds[5])
}

fn client(server: &mock::Server, credentials: Credentials) -> Client {
    Client::builder()
        .credentials(credentials)
        .endpoint(server.url())
        .domain_id(mock::DOMAIN_ID)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
}

async fn quota(client: &Client) -> Result<models::ShowPartnerConsumptionQuotaResponse, Error> {
    client
        .show_partner_consumption_quota(&models::ShowPartnerConsumptionQuotaRequest::new())
        .await
}

async fn invoices(client: &Client) -> Result<models::ListInvoicesResponse, Error> {
    let request = models::ListInvoicesRequest::new(models::ListInvoicesRequired {
        start_time: "2024-01".into(),
        end_time: "2024-02".into(),
        offset: 1, // a page number, from 1
        limit: 10,
    });
    client.list_invoices(&request).await
}

fn code(result: Result<impl std::fmt::Debug, Error>) -> (u16, String, String) {
    let err = result.unwrap_err();
    let api = err
        .api()
        .unwrap_or_else(|| panic!("not an API error: {err}"));
    (err.status().unwrap(), api.code.clone(), err.to_string())
}

#[test]
fn the_servers_account_id_is_the_mocks_clients() {
    assert_eq!(DEFAULT_DOMAIN_ID, mock::DOMAIN_ID);
}

#[tokio::test]
async fn metadata_keys_are_accepted_with_their_token_until_they_expire() {
    let server = mock::server()
        .temporary_key_lifetime(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let token = session_token(&server).await;
    let with_token = format!("X-Metadata-Token: {token}\r\n");
    let first = security_key(&server, &with_token).await;
    assert_eq!(first.header("content-type"), Some("application/json"));
    let (credentials, expiry) = credentials_of(&first);
    let left = expiry.duration_since(SystemTime::now()).unwrap();
    assert!(left <= Duration::from_secs(3), "{left:?}");
    // Half its life left: the same key again.
    assert_eq!(
        credentials_of(&security_key(&server, &with_token).await).0,
        credentials
    );
    quota(&client(&server, credentials.clone())).await.unwrap();
    invoices(&client(&server, credentials.clone()))
        .await
        .unwrap();

    // A wrong security token, or none, is refused as APIG refuses it.
    let wrong = Credentials::new(
        credentials.access_key_id(),
        credentials.secret_key().expose(),
    )
    .with_token("not-the-token");
    let none = Credentials::new(
        credentials.access_key_id(),
        credentials.secret_key().expose(),
    );
    for bad in [wrong, none] {
        let (status, code, text) = code(quota(&client(&server, bad)).await);
        assert_eq!((status, code.as_str()), (401, "APIGW.0301"), "{text}");
        assert!(text.contains("security token"), "{text}");
    }

    // Once expired: APIGW.0301 about the token, read as a token failure.
    let wait = expiry + Duration::from_millis(100);
    tokio::time::sleep(wait.duration_since(SystemTime::now()).unwrap_or_default()).await;
    let err = quota(&client(&server, credentials.clone()))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");
    assert_eq!(err.api().unwrap().code, "APIGW.0301", "{err}");
    assert_eq!(
        err.kind(),
        Some(ErrorKind::AuthFailure(AuthFailure::TokenFailure)),
        "{err}"
    );
    assert!(err.to_string().contains("expired at"), "{err}");
    let entry = server.log().pop().unwrap();
    assert_eq!(entry.decided_by, "token", "{entry:?}");

    // The metadata endpoint has a new key by now, which works.
    let (fresh, _) = credentials_of(&security_key(&server, &with_token).await);
    assert_ne!(fresh.access_key_id(), credentials.access_key_id());
    quota(&client(&server, fresh)).await.unwrap();

    // No secret in the log.
    let log = format!("{:?}", server.log());
    assert!(!log.contains(credentials.secret_key().expose()), "{log}");
    assert!(
        !log.contains(credentials.token().unwrap().expose()),
        "{log}"
    );
    assert!(!log.contains(&token), "{log}");
}

/// A signed `GET {path}` (IAM's `KeystoneListAuthDomains`), as the account ID lookup
/// sends it.
fn signed_get(server: &mock::Server, path: &str, credentials: &Credentials) -> String {
    let host = server.addr().to_string();
    let mut given = vec![("User-Agent", "test")];
    if let Some(token) = credentials.token() {
        given.push(("X-Security-Token", token.expose()));
    }
    let headers = huawei_sign::sign(
        credentials.access_key_id(),
        credentials.secret_key().expose(),
        &SigningInput {
            method: "GET",
            host: &host,
            path,
            query: &[],
            headers: &given,
            body: &[],
            timestamp: unix_now(),
        },
    );
    let mut request = format!("GET {path} HTTP/1.1\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("Connection: close\r\n\r\n");
    request
}

#[tokio::test]
async fn iam_answers_the_account_id_to_signed_requests_only() {
    let server = mock::server()
        .domain_id("acct0123456789")
        .start()
        .await
        .unwrap();
    let long_term = Credentials::new(mock::ACCESS_KEY, mock::SECRET_KEY);
    let ok = send(&server, signed_get(&server, IAM_DOMAINS_PATH, &long_term)).await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    assert_eq!(
        ok.json()["domains"][0]["id"],
        "acct0123456789",
        "{:?}",
        ok.json()
    );
    assert!(ok.header("x-request-id").is_some());
    let entry = server.log().pop().unwrap();
    assert_eq!(
        (entry.decided_by, entry.action.as_deref()),
        ("iam", Some("KeystoneListAuthDomains"))
    );

    // An issued key with its token, too.
    let issued = server.temporary_keys().issue("someone", None).unwrap();
    let ok = send(
        &server,
        signed_get(&server, IAM_DOMAINS_PATH, issued.credentials()),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));

    // Unsigned, a wrong SK, the wrong method: refused with APIG's codes.
    let unsigned = send(
        &server,
        format!("GET {IAM_DOMAINS_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(
        (unsigned.status, unsigned.json()["error_code"].as_str()),
        (401, Some("APIGW.0301"))
    );
    let wrong = Credentials::new(mock::ACCESS_KEY, "not-the-sk");
    let refused = send(&server, signed_get(&server, IAM_DOMAINS_PATH, &wrong)).await;
    assert_eq!(
        (refused.status, refused.json()["error_code"].as_str()),
        (401, Some("APIGW.0301"))
    );
    let post = send(
        &server,
        format!(
            "POST {IAM_DOMAINS_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(
        (post.status, post.json()["error_code"].as_str()),
        (404, Some("APIGW.0101"))
    );
}

#[tokio::test]
async fn the_metadata_endpoint_refuses_bad_requests_plainly() {
    let server = mock::server().start().await.unwrap();
    // Before any session token was asked for, a request without one is served (an
    // older client); afterwards, not.
    credentials_of(&security_key(&server, "").await);
    let token = session_token(&server).await;
    let with = |token: &str| format!("X-Metadata-Token: {token}\r\n");
    for (what, request, status) in [
        (
            "no session token once one was issued",
            format!(
                "GET {METADATA_SECURITY_KEY_PATH} HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n"
            ),
            401,
        ),
        (
            "a forged session token",
            format!(
                "GET {METADATA_SECURITY_KEY_PATH} HTTP/1.1\r\nHost: m\r\n{}Connection: close\r\n\r\n",
                with(&format!("{}0.00", unix_now() + 60))
            ),
            401,
        ),
        (
            "the wrong method",
            format!(
                "POST {METADATA_SECURITY_KEY_PATH} HTTP/1.1\r\nHost: m\r\n{}Content-Length: 0\r\nConnection: close\r\n\r\n",
                with(&token)
            ),
            405,
        ),
        (
            "GET for a session token",
            format!("GET {METADATA_TOKEN_PATH} HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n"),
            405,
        ),
        (
            "a session token without a TTL",
            format!(
                "PUT {METADATA_TOKEN_PATH} HTTP/1.1\r\nHost: m\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
            400,
        ),
        (
            "a TTL of zero",
            format!(
                "PUT {METADATA_TOKEN_PATH} HTTP/1.1\r\nHost: m\r\n{TOKEN_TTL_HEADER}: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
            400,
        ),
        (
            "a TTL over 6 hours",
            format!(
                "PUT {METADATA_TOKEN_PATH} HTTP/1.1\r\nHost: m\r\n{TOKEN_TTL_HEADER}: 21601\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
            400,
        ),
        (
            "a TTL that is not a number",
            format!(
                "PUT {METADATA_TOKEN_PATH} HTTP/1.1\r\nHost: m\r\n{TOKEN_TTL_HEADER}: -1e9\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
            400,
        ),
        (
            "another metadata path",
            format!(
                "GET /openstack/latest/securitykey/../meta_data.json HTTP/1.1\r\nHost: m\r\n{}Connection: close\r\n\r\n",
                with(&token)
            ),
            404,
        ),
        (
            "a path below the key",
            format!(
                "GET {METADATA_SECURITY_KEY_PATH}/x HTTP/1.1\r\nHost: m\r\n{}Connection: close\r\n\r\n",
                with(&token)
            ),
            404,
        ),
        (
            "a huge session token",
            format!(
                "GET {METADATA_SECURITY_KEY_PATH} HTTP/1.1\r\nHost: m\r\n{}Connection: close\r\n\r\n",
                with(&"a".repeat(40_000))
            ),
            400,
        ),
        (
            "two session tokens",
            format!(
                "GET {METADATA_SECURITY_KEY_PATH} HTTP/1.1\r\nHost: m\r\n{}{}Connection: close\r\n\r\n",
                with(&token),
                with(&token)
            ),
            400,
        ),
        (
            "a head over the server's limit",
            format!(
                "GET {METADATA_SECURITY_KEY_PATH} HTTP/1.1\r\nHost: m\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
                "b".repeat(200_000)
            ),
            431,
        ),
    ] {
        let raw = send(&server, request).await;
        assert_eq!(raw.status, status, "{what}: {raw:?}");
        // A short, plain answer: no key, no echo of what was sent.
        assert!(raw.body.len() < 1024, "{what}: {} bytes", raw.body.len());
        let body = String::from_utf8_lossy(&raw.body);
        assert!(!body.contains("secret"), "{what}: {body}");
    }
    // The server still serves afterwards, with the token.
    credentials_of(&security_key(&server, &with(&token)).await);
    // Every refusal is in the log, saying why.
    let log = server.log();
    assert!(
        log.iter()
            .any(|e| e.decided_by == "metadata" && e.reason.contains("session token")),
        "{log:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_chain_survives_several_expiries_under_concurrent_calls() {
    assert!(
        std::env::var_os("HUAWEICLOUD_SDK_DOMAIN_ID").is_none(),
        "the test looks the account ID up"
    );
    let server = mock::server()
        .temporary_key_lifetime(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    // An empty environment (no variables, no profile file), the metadata service at the
    // mock, no account ID: the chain ends at the metadata service, and the ID is looked
    // up from the mock's IAM.
    let chain = default_chain_with(
        &|_| None,
        MetadataCredentialProvider::new().endpoint(server.url()),
    );
    let client = Client::builder()
        .credentials_provider(chain)
        .endpoint(server.url())
        .iam_endpoint(server.url())
        .retry_policy(RetryPolicy::disabled())
        .without_rate_limits()
        .build()
        .unwrap();
    assert_eq!(client.engine().domain_id(), None);
    let until = std::time::Instant::now() + Duration::from_secs(7);
    let mut tasks = Vec::new();
    for task in 0..4 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut calls = 0;
            while std::time::Instant::now() < until {
                if (task + calls) % 2 == 0 {
                    invoices(&client).await.map(drop)
                } else {
                    quota(&client).await.map(drop)
                }
                .unwrap_or_else(|e| panic!("task {task}, call {calls}: {e}"));
                calls += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            calls
        }));
    }
    let mut calls = 0;
    for task in tasks {
        calls += task.await.unwrap();
    }
    assert_eq!(client.engine().domain_id(), Some(DEFAULT_DOMAIN_ID));
    let log = server.log();
    let api: Vec<_> = log
        .iter()
        .filter(|e| !matches!(e.decided_by, "metadata" | "iam"))
        .collect();
    assert_eq!(api.len(), calls);
    assert!(
        api.iter().all(|e| e.error_code.is_none()),
        "a call was refused: {:?}",
        api.iter().find(|e| e.error_code.is_some())
    );
    // The account ID was looked up once, from IAM, with an issued key.
    let iam: Vec<_> = log.iter().filter(|e| e.decided_by == "iam").collect();
    assert_eq!(iam.len(), 1, "{iam:?}");
    // The `{domain_id}` calls carried the ID IAM gave.
    let listed = server
        .mock()
        .calls()
        .into_iter()
        .filter(|c| c.action == Operation::ListInvoices)
        .collect::<Vec<_>>();
    assert!(!listed.is_empty());
    assert!(listed
        .iter()
        .all(|c| c.request["path"]["domain_id"] == json!(DEFAULT_DOMAIN_ID)));
    // Calls per key, and security key fetches per key.
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in &api {
        *used
            .entry(entry.access_key_id.as_deref().unwrap())
            .or_default() += 1;
    }
    let mut fetched: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in log.iter().filter(|e| e.decided_by == "metadata") {
        if let Some(id) = entry.access_key_id.as_deref() {
            *fetched.entry(id).or_default() += 1;
        }
    }
    // 2 s keys over 7 s: at least three keys in turn, every one issued by the metadata
    // endpoint, none fetched more than twice (when first needed, and perhaps half-way,
    // when the endpoint still hands the same key), whatever the number of callers.
    assert!(used.len() >= 3, "{used:?}");
    for id in used.keys() {
        let issued = server.temporary_keys().lookup(id).expect("an issued key");
        assert!(issued.credentials().token().is_some());
    }
    assert!(fetched.values().all(|&n| n <= 2), "{fetched:?}");
    let fetches: usize = fetched.values().sum();
    assert!(fetches * 10 < calls, "{fetches} fetches for {calls} calls");
    // One session token for the whole run (the provider keeps it six hours).
    let sessions = log
        .iter()
        .filter(|e| e.decided_by == "metadata" && e.reason.contains("session token issued"))
        .count();
    assert_eq!(sessions, 1, "{log:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_reads_the_metadata_endpoint_and_calls_with_its_keys() {
    let python = partnergen_tests::python_with("huaweicloudsdkbssintl.v2", "huaweicloudsdkbssintl");
    let server = mock::server()
        .temporary_key_lifetime(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let plan = json!({"url": server.url(), "wait_for_expiry": true, "max_wait_seconds": 10});
    let out: Value = tokio::task::spawn_blocking(move || {
        partnergen_tests::run_interop_script(&python, "huawei_metadata.py", &plan)
    })
    .await
    .unwrap();
    let log = server.log();
    // The SDK asked for a session token, read the key with it, looked the account ID up
    // from IAM, and called with the key and its security token, twice (the second time
    // after the first key expired: with a new one).
    for step in ["first", "again"] {
        assert_eq!(out[step]["ok"], true, "{step}: {out}");
        let id = out[step]["access"].as_str().unwrap();
        let issued = server.temporary_keys().lookup(id).expect("an issued key");
        assert!(issued.credentials().token().is_some());
    }
    assert_ne!(out["first"]["access"], out["again"]["access"], "{out}");
    assert!(log.iter().any(|e| e.decided_by == "iam"), "{log:?}");
    assert!(
        log.iter()
            .any(|e| e.decided_by == "metadata" && e.reason.contains("session token issued")),
        "{log:?}"
    );
    let api: Vec<_> = log
        .iter()
        .filter(|e| e.action.as_deref() == Some("ListInvoices"))
        .collect();
    assert!(api.len() >= 2, "{log:?}");
    assert!(api.iter().all(|e| e.error_code.is_none()), "{api:?}");
    let listed = server.mock().calls();
    assert!(listed
        .iter()
        .all(|c| c.request["path"]["domain_id"] == json!(DEFAULT_DOMAIN_ID)));
}
