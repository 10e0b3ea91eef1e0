//! The mock server's credentials story on one machine: its CVM metadata endpoint and its
//! STS issue temporary keys, which the API accepts with their token until they expire
//! (then `AuthFailure.TokenFailure`); bad input to those endpoints; the TLS mode with our
//! client trusting its CA; the mock-server program's flags; the official Python SDK's
//! `STSAssumeRoleCredential` over TLS; and a client whose provider reads the metadata
//! endpoint surviving several expiries under concurrent calls.

mod wire;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use partnergen_runtime::credentials::{
    CredentialSource, CredentialsError, ProvideCredentials, ProvideFuture,
};
use partnergen_runtime::tencent::server::{DEFAULT_ROLE, METADATA_ROLES_PATH, STS_VERSION};
use partnergen_runtime::tencent::sign::{self as tc3, SigningInput};
use serde_json::{json, Value};
use tencentcloud_intlpartnersmgt::mock;
use tencentcloud_intlpartnersmgt::{models, BuildError, Client, Credentials, Error, RetryPolicy};
use wire::{exchange, unix_now, Raw};

/// A GET of `path`, as a metadata client sends it.
async fn get(server: &mock::Server, path: &str) -> Raw {
    let bytes = format!("GET {path} HTTP/1.1\r\nHost: metadata\r\nConnection: close\r\n\r\n");
    exchange(server.addr(), bytes.as_bytes()).await
}

/// The role's temporary key from the metadata endpoint: the JSON, checked for the
/// fields the official SDK reads.
async fn metadata_key(server: &mock::Server, role: &str) -> Value {
    let raw = get(server, &format!("{METADATA_ROLES_PATH}{role}")).await;
    assert_eq!(raw.status, 200, "{}", String::from_utf8_lossy(&raw.body));
    let body = raw.json();
    assert_eq!(body["Code"], "Success", "{body}");
    for field in ["TmpSecretId", "TmpSecretKey", "Token", "Expiration"] {
        assert!(
            body[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field}: {body}"
        );
    }
    let expired_time = body["ExpiredTime"]
        .as_i64()
        .expect("ExpiredTime is a number");
    assert!(expired_time > unix_now() - 1, "{body}");
    body
}

fn credentials_of(key: &Value) -> Credentials {
    Credentials::new(
        key["TmpSecretId"].as_str().unwrap(),
        key["TmpSecretKey"].as_str().unwrap(),
    )
    .with_token(key["Token"].as_str().unwrap())
}

fn client(server: &mock::Server, credentials: Credentials) -> Client {
    Client::builder()
        .credentials(credentials)
        .endpoint(server.url())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
}

async fn credit(client: &Client) -> Result<models::QueryPartnerCreditResponse, Error> {
    client
        .query_partner_credit(&models::QueryPartnerCreditRequest::default())
        .await
}

fn code(result: Result<impl std::fmt::Debug, Error>) -> String {
    let err = result.unwrap_err();
    err.api()
        .map(|e| e.code.clone())
        .unwrap_or_else(|| panic!("not an API error: {err}"))
}

/// An STS request signed with `secret_id`/`secret_key` for credential scope `service`
/// (unsigned, `Authorization: SKIP`, when `secret_id` is empty), as raw HTTP.
fn sts_bytes(
    server: &mock::Server,
    action: &str,
    body: &str,
    (secret_id, secret_key): (&str, &str),
    service: &str,
) -> Vec<u8> {
    let host = server.addr().to_string();
    let timestamp = unix_now();
    let authorization = if secret_id.is_empty() {
        "SKIP".to_owned()
    } else {
        tc3::authorization(
            secret_id,
            secret_key,
            &SigningInput {
                method: "POST",
                content_type: "application/json",
                host: &host,
                service,
                timestamp,
                payload: body.as_bytes(),
            },
        )
    };
    let mut bytes = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         X-TC-Action: {action}\r\nX-TC-Version: {STS_VERSION}\r\nX-TC-Timestamp: {timestamp}\r\n\
         X-TC-Region: ap-guangzhou\r\nAuthorization: {authorization}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

const LONG_TERM: (&str, &str) = (mock::SECRET_ID, mock::SECRET_KEY);

fn role_arn(role: &str) -> String {
    format!("qcs::cam::uin/100000000001:roleName/{role}")
}

async fn assume_role(server: &mock::Server, body: Value) -> Raw {
    let bytes = sts_bytes(server, "AssumeRole", &body.to_string(), LONG_TERM, "sts");
    exchange(server.addr(), &bytes).await
}

/// Every log entry's text, to check no secret is in it.
fn log_text(server: &mock::Server) -> String {
    format!("{:?}", server.log())
}

#[tokio::test]
async fn metadata_keys_are_accepted_with_their_token_until_they_expire() {
    let server = mock::server()
        .temporary_key_lifetime(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let roles = get(&server, METADATA_ROLES_PATH).await;
    assert_eq!(roles.status, 200);
    assert_eq!(
        roles.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(String::from_utf8_lossy(&roles.body), DEFAULT_ROLE);

    let key = metadata_key(&server, DEFAULT_ROLE).await;
    let expired_time = key["ExpiredTime"].as_u64().unwrap();
    let expiration = key["Expiration"].as_str().unwrap();
    assert!(
        expiration.len() == 20 && expiration.ends_with('Z') && &expiration[10..11] == "T",
        "{expiration}"
    );
    // Half its life left: the same key again.
    assert_eq!(metadata_key(&server, DEFAULT_ROLE).await, key);
    let credentials = credentials_of(&key);
    credit(&client(&server, credentials.clone())).await.unwrap();

    // A wrong token, or none, is refused.
    let wrong = Credentials::new(
        credentials.access_key_id(),
        credentials.secret_key().expose(),
    )
    .with_token("not-the-token");
    assert_eq!(
        code(credit(&client(&server, wrong)).await),
        "AuthFailure.TokenFailure"
    );
    let none = Credentials::new(
        credentials.access_key_id(),
        credentials.secret_key().expose(),
    );
    assert_eq!(
        code(credit(&client(&server, none)).await),
        "AuthFailure.TokenFailure"
    );

    // Once expired, refused with TokenFailure, saying so.
    let wait = UNIX_EPOCH + Duration::from_secs(expired_time) + Duration::from_millis(100);
    tokio::time::sleep(wait.duration_since(SystemTime::now()).unwrap_or_default()).await;
    let err = credit(&client(&server, credentials.clone()))
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, "AuthFailure.TokenFailure", "{err}");
    assert!(err.to_string().contains("expired at"), "{err}");
    let entry = server.log().pop().unwrap();
    assert_eq!(entry.decided_by, "token");

    // The metadata endpoint has a new key by now.
    let fresh = metadata_key(&server, DEFAULT_ROLE).await;
    assert_ne!(fresh["TmpSecretId"], key["TmpSecretId"]);
    credit(&client(&server, credentials_of(&fresh)))
        .await
        .unwrap();

    // The log names the keys, never their secrets.
    let log = log_text(&server);
    assert!(log.contains(credentials.access_key_id()), "{log}");
    for secret in [&key["TmpSecretKey"], &key["Token"], &fresh["Token"]] {
        assert!(!log.contains(secret.as_str().unwrap()), "{log}");
    }
}

#[tokio::test]
async fn the_metadata_endpoint_refuses_bad_paths_plainly() {
    let server = mock::server().role("reader").start().await.unwrap();
    let roles = get(&server, METADATA_ROLES_PATH).await;
    assert_eq!(String::from_utf8_lossy(&roles.body), "reader");
    let huge = "a".repeat(50_000);
    for path in [
        format!("{METADATA_ROLES_PATH}{DEFAULT_ROLE}"),
        format!("{METADATA_ROLES_PATH}nobody"),
        format!("{METADATA_ROLES_PATH}../../../etc/passwd"),
        format!("{METADATA_ROLES_PATH}reader/../reader"),
        format!("{METADATA_ROLES_PATH}reader/"),
        format!("{METADATA_ROLES_PATH}%2e%2e"),
        format!("{METADATA_ROLES_PATH}{huge}"),
        "/latest/meta-data/instance-id".to_owned(),
        "/latest/meta-data/cam/security-credentialsX".to_owned(),
    ] {
        let raw = get(&server, &path).await;
        assert_eq!(raw.status, 404, "{}", &path[..path.len().min(80)]);
        assert_eq!(String::from_utf8_lossy(&raw.body), "Not Found");
    }
    let post = exchange(
        server.addr(),
        format!("POST {METADATA_ROLES_PATH}reader HTTP/1.1\r\nHost: m\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await;
    assert_eq!(post.status, 405);
    // Nothing was issued; the log stays small (long paths are cut).
    assert!(server.temporary_keys().is_empty());
    let log = server.log();
    assert!(
        log.iter()
            .all(|e| e.decided_by == "metadata" && e.reason.len() < 400),
        "{log:?}"
    );
    assert!(metadata_key(&server, "reader").await["TmpSecretId"].is_string());
}

#[tokio::test]
async fn sts_assume_role_issues_keys_the_api_accepts() {
    let server = mock::server()
        .role("partner-admin")
        .temporary_key_lifetime(Duration::from_secs(600))
        .start()
        .await
        .unwrap();
    let raw = assume_role(
        &server,
        json!({"RoleArn": role_arn("partner-admin"), "RoleSessionName": "test-session",
               "DurationSeconds": 120}),
    )
    .await;
    raw.assert_service_shape();
    let response = &raw.json()["Response"];
    assert!(response.get("Error").is_none(), "{response}");
    let expired_time = response["ExpiredTime"].as_i64().unwrap();
    // Asked for 120 s: got 120 s (rounded up to the second), under the server's 600.
    let life = expired_time - unix_now();
    assert!((119..=121).contains(&life), "{life}");
    let credentials = &response["Credentials"];
    credit(&client(&server, credentials_of(credentials)))
        .await
        .unwrap();
    let entry = server
        .log()
        .into_iter()
        .find(|e| e.decided_by == "sts")
        .unwrap();
    assert_eq!(entry.access_key_id.as_deref(), Some(mock::SECRET_ID));
    assert_eq!(entry.action.as_deref(), Some("AssumeRole"));

    // Asking for more than the server's lifetime gets the lifetime.
    let raw = assume_role(
        &server,
        json!({"RoleArn": role_arn("partner-admin"), "RoleSessionName": "s2",
               "DurationSeconds": 43200}),
    )
    .await;
    let life = raw.json()["Response"]["ExpiredTime"].as_i64().unwrap() - unix_now();
    assert!((599..=601).contains(&life), "{life}");

    // With a web identity: unsigned.
    let body = json!({"ProviderId": "OIDC", "WebIdentityToken": "eyJh.eyJz.c2ln",
                      "RoleArn": role_arn("partner-admin"), "RoleSessionName": "tke-pod"});
    let bytes = sts_bytes(
        &server,
        "AssumeRoleWithWebIdentity",
        &body.to_string(),
        ("", ""),
        "sts",
    );
    let raw = exchange(server.addr(), &bytes).await;
    let response = &raw.json()["Response"];
    assert!(response.get("Error").is_none(), "{response}");
    credit(&client(&server, credentials_of(&response["Credentials"])))
        .await
        .unwrap();
}

#[tokio::test]
async fn sts_refuses_bad_requests_with_the_services_codes() {
    let server = mock::server().role("partner-admin").start().await.unwrap();
    let good = |extra: Value| {
        let mut body = json!({"RoleArn": role_arn("partner-admin"), "RoleSessionName": "s"});
        body["RoleSessionName"] = json!("session");
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases: Vec<(String, &str, &str)> = vec![
        (
            json!({"RoleArn": role_arn("nobody"), "RoleSessionName": "session"}).to_string(),
            "ResourceNotFound.RoleNotFound",
            "no role `nobody`",
        ),
        (
            good(json!({"RoleArn": "arn:aws:iam::1:role/x"})).to_string(),
            "InvalidParameter.ParamError",
            "is not qcs::cam::uin/UIN:roleName/NAME",
        ),
        (
            good(json!({"RoleArn": format!("qcs::cam::uin/1:roleName/{}", "r".repeat(5000))}))
                .to_string(),
            "InvalidParameter.ParamError",
            "more than 1024",
        ),
        (
            "{\"RoleArn\": ".to_owned(),
            "InvalidParameter.ParamError",
            "not JSON",
        ),
        (
            "[1, 2]".to_owned(),
            "InvalidParameter.ParamError",
            "not a JSON object",
        ),
        (
            json!({"RoleArn": role_arn("partner-admin")}).to_string(),
            "MissingParameter",
            "no RoleSessionName",
        ),
        (
            good(json!({"RoleSessionName": "a b"})).to_string(),
            "InvalidParameter.ParamError",
            "RoleSessionName",
        ),
        (
            good(json!({"DurationSeconds": 0})).to_string(),
            "InvalidParameter.OverTimeError",
            "DurationSeconds",
        ),
        (
            good(json!({"DurationSeconds": 43201})).to_string(),
            "InvalidParameter.OverTimeError",
            "1 to 43200",
        ),
        (
            good(json!({"DurationSeconds": "7200"})).to_string(),
            "InvalidParameter.OverTimeError",
            "DurationSeconds",
        ),
        (
            good(json!({"RoleArn": 7})).to_string(),
            "InvalidParameter.ParamError",
            "RoleArn is not a string",
        ),
    ];
    for (body, expected, says) in &cases {
        let raw = exchange(
            server.addr(),
            &sts_bytes(&server, "AssumeRole", body, LONG_TERM, "sts"),
        )
        .await;
        raw.assert_service_shape();
        assert_eq!(raw.code().as_deref(), Some(*expected), "{body:.100}");
        assert!(
            raw.message().contains(says),
            "{body:.100}: {}",
            raw.message()
        );
    }
    let body = good(json!({})).to_string();
    let signed_as = |key, service| sts_bytes(&server, "AssumeRole", &body, key, service);
    for (bytes, expected, says) in [
        (
            signed_as((mock::SECRET_ID, "not-the-key"), "sts"),
            "AuthFailure.SignatureFailure",
            "signature does not match",
        ),
        (
            signed_as(LONG_TERM, "intlpartnersmgt"),
            "AuthFailure.SignatureFailure",
            "names service `intlpartnersmgt`, not `sts`",
        ),
        (
            signed_as(("AKIDnobody", "k"), "sts"),
            "AuthFailure.SecretIdNotFound",
            "AKIDnobody",
        ),
        (
            sts_bytes(&server, "AssumeRole", &body, ("", ""), "sts"),
            "AuthFailure.InvalidAuthorization",
            "Authorization",
        ),
        (
            sts_bytes(&server, "GetFederationToken", &body, LONG_TERM, "sts"),
            "InvalidAction",
            "not an action of sts",
        ),
        (
            sts_bytes(
                &server,
                "AssumeRoleWithWebIdentity",
                &json!({"ProviderId": "OIDC", "WebIdentityToken": "not a jwt",
                        "RoleArn": role_arn("partner-admin"), "RoleSessionName": "pod"})
                .to_string(),
                ("", ""),
                "sts",
            ),
            "InvalidParameter.WebIdentityTokenError",
            "not a JWT",
        ),
        (
            sts_bytes(
                &server,
                "AssumeRoleWithWebIdentity",
                &json!({"WebIdentityToken": "a.b.c", "RoleArn": role_arn("partner-admin"),
                        "RoleSessionName": "pod"})
                .to_string(),
                ("", ""),
                "sts",
            ),
            "MissingParameter",
            "ProviderId",
        ),
    ] {
        let raw = exchange(server.addr(), &bytes).await;
        assert_eq!(raw.code().as_deref(), Some(expected), "{}", raw.message());
        assert!(raw.message().contains(says), "{}", raw.message());
    }
    // Nothing was issued, and the log holds no long text.
    assert!(server.temporary_keys().is_empty());
    assert!(server.log().iter().all(|e| e.reason.len() < 400));
}

#[tokio::test]
async fn issued_keys_are_bounded_and_a_full_registry_answers_an_error() {
    let server = mock::server().start().await.unwrap();
    let keys = server.temporary_keys();
    assert_eq!(
        keys.capacity(),
        partnergen_runtime::server::DEFAULT_TEMPORARY_KEY_CAPACITY
    );
    for _ in 0..keys.capacity() {
        keys.issue("filler", None).unwrap();
    }
    let raw = assume_role(
        &server,
        json!({"RoleArn": role_arn(DEFAULT_ROLE), "RoleSessionName": "session"}),
    )
    .await;
    assert_eq!(
        raw.code().as_deref(),
        Some("LimitExceeded"),
        "{}",
        raw.message()
    );
    let metadata = get(&server, &format!("{METADATA_ROLES_PATH}{DEFAULT_ROLE}")).await;
    assert_eq!(metadata.status, 503);
    assert_eq!(keys.len(), keys.capacity());
    // A reset forgets them.
    server.reset();
    assert!(keys.is_empty());
    assert!(metadata_key(&server, DEFAULT_ROLE).await.is_object());
}

#[tokio::test]
async fn our_client_trusts_a_tls_servers_ca_and_only_then() {
    let server = mock::server().tls(true).start().await.unwrap();
    assert!(
        server.url().starts_with("https://127.0.0.1:"),
        "{}",
        server.url()
    );
    let ca = server.ca_pem().unwrap().to_owned();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");
    let trusting = Client::builder()
        .credentials(Credentials::new(mock::SECRET_ID, mock::SECRET_KEY))
        .endpoint(server.url())
        .add_root_certificate(&ca)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    credit(&trusting).await.unwrap();

    // Without the CA: a transport error (the certificate is unknown), no answer.
    let err = credit(&client(
        &server,
        Credentials::new(mock::SECRET_ID, mock::SECRET_KEY),
    ))
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    // Another server's CA is not this one's.
    let other = mock::server().tls(true).start().await.unwrap();
    let err = credit(
        &Client::builder()
            .credentials(Credentials::new(mock::SECRET_ID, mock::SECRET_KEY))
            .endpoint(server.url())
            .add_root_certificate(other.ca_pem().unwrap())
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");

    // Plain HTTP to the TLS port, and garbage: refused, and the server goes on.
    let plain = format!("http://{}", server.addr());
    let err = credit(
        &Client::builder()
            .credentials(Credentials::new(mock::SECRET_ID, mock::SECRET_KEY))
            .endpoint(plain)
            .timeout(Duration::from_secs(15))
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap(),
    )
    .await
    .unwrap_err();
    assert!(!matches!(err, Error::Api { .. }), "{err:?}");
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        stream
            .write_all(&[0x16, 0x03, 0x01, 0xff, 0xff, 0, 1, 2])
            .await
            .unwrap();
        let mut sink = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut sink))
            .await
            .expect("the server closes a garbage handshake");
    }
    credit(&trusting).await.unwrap();
}

#[test]
fn a_bad_root_certificate_is_a_setting_error_naming_it() {
    let build = |pem: &[u8]| {
        Client::builder()
            .credentials(Credentials::new("id", "key"))
            .add_root_certificate(pem)
            .build()
            .map(|_| ())
            .unwrap_err()
    };
    let armor =
        b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
    for (pem, says) in [
        (
            &b"not a certificate"[..],
            "no `-----BEGIN CERTIFICATE-----` block",
        ),
        (&b""[..], "no `-----BEGIN CERTIFICATE-----` block"),
        (&armor[..], "add_root_certificate"),
        (
            &b"-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n"[..],
            "not a PEM",
        ),
    ] {
        let err = build(pem);
        assert!(matches!(err, BuildError::Setting(_)), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains("add_root_certificate (the 1st given)")
                || text.contains("add_root_certificate:"),
            "{text}"
        );
        assert!(text.contains(says), "{text}");
    }
}

/// The generated mock-server program with these flags; its first stdout line (the URL)
/// and the process.
fn program(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tested-intlpartnersmgt-mock-server"));
    command
        .args(args)
        .env("TENCENTCLOUD_SECRET_ID", mock::SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", mock::SECRET_KEY)
        .env_remove("TENCENTCLOUD_SESSION_TOKEN");
    command
}

#[tokio::test]
async fn the_program_serves_tls_writes_its_ca_and_takes_a_key_lifetime() {
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    let mut child = program(&[
        "--tls",
        "--ca-file",
        ca_file.to_str().unwrap(),
        "--temporary-key-lifetime",
        "2",
        "--role",
        "ops",
        "--quiet",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    // Written whole before the URL was printed.
    let ca = std::fs::read_to_string(&ca_file).unwrap();
    assert!(ca.trim_end().ends_with("-----END CERTIFICATE-----"), "{ca}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    let client = Client::builder()
        .credentials(Credentials::new(mock::SECRET_ID, mock::SECRET_KEY))
        .endpoint(&url)
        .add_root_certificate(&ca)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let result = credit(&client).await;
    let _ = child.kill();
    let _ = child.wait();
    result.unwrap();

    for (args, says) in [
        (
            &["--ca-file", "x.pem"][..],
            "--ca-file writes the TLS mode's CA: give --tls too",
        ),
        (
            &["--temporary-key-lifetime", "0"][..],
            "not a whole number of seconds from 1 to 43200",
        ),
        (
            &["--temporary-key-lifetime", "1h"][..],
            "not a whole number of seconds",
        ),
        (&["--role", "a b"][..], "role `a b` is not a CAM role name"),
        (
            &["--tls", "--ca-file", "/nonexistent-dir/ca.pem"][..],
            "cannot write the CA to /nonexistent-dir/ca.pem",
        ),
    ] {
        let output = program(args).stdin(Stdio::null()).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_assumes_a_role_over_tls_and_calls_with_it() {
    let python = partnergen_tests::python_with(
        "tencentcloud.intlpartnersmgt.v20220928",
        "tencentcloud-sdk-python-intl-en",
    );
    let server = mock::server()
        .tls(true)
        .role("partner-admin")
        .temporary_key_lifetime(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, server.ca_pem().unwrap()).unwrap();
    let plan = json!({
        "host": server.addr().to_string(),
        "ca_file": ca_file,
        "secret_id": mock::SECRET_ID,
        "secret_key": mock::SECRET_KEY,
        "role_arn": role_arn("partner-admin"),
        "bad_role_arn": role_arn("nobody"),
        "wait_for_expiry": true,
        "max_wait_seconds": 10,
    });
    let out = tokio::task::spawn_blocking(move || {
        partnergen_tests::run_interop_script(&python, "tencent_sts.py", &plan)
    })
    .await
    .unwrap();
    let assumed = &out["assumed"];
    assert_eq!(assumed["ok"], true, "{out}");
    assert_eq!(out["again"]["ok"], true, "{out}");
    // The API calls were signed with keys the STS issued to the role, their tokens
    // checked. (The SDK asks STS again before each call here: it renews keys once 90% of
    // the 7200 s it asks for has passed, and the server's keys live 2 s.)
    let log = server.log();
    for outcome in [assumed, &out["again"]] {
        let used = log
            .iter()
            .find(|e| e.request_id == outcome["request_id"].as_str().unwrap())
            .unwrap();
        assert_eq!(used.decided_by, "default", "{used:?}");
        let id = used.access_key_id.as_deref().unwrap();
        let issued = server.temporary_keys().lookup(id).expect("an issued key");
        assert_eq!(issued.principal(), "partner-admin");
    }
    let secret_id = assumed["secret_id"].as_str().unwrap();
    assert!(server.temporary_keys().lookup(secret_id).is_some());
    assert!(log
        .iter()
        .any(|e| e.decided_by == "sts" && e.action.as_deref() == Some("AssumeRole")));
    assert_eq!(
        out["bad_role"]["code"], "ResourceNotFound.RoleNotFound",
        "{out}"
    );
    assert_eq!(out["expired"]["code"], "AuthFailure.TokenFailure", "{out}");
}

/// A provider reading the role's key from the metadata endpoint, as the CVM role provider
/// does (the Tencent providers are another part of the work; this one is the test's).
#[derive(Debug)]
struct MetadataProvider {
    addr: std::net::SocketAddr,
    fetches: Arc<AtomicUsize>,
}

impl ProvideCredentials for MetadataProvider {
    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            self.fetches.fetch_add(1, Ordering::Relaxed);
            let bytes = format!(
                "GET {METADATA_ROLES_PATH}{DEFAULT_ROLE} HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n"
            );
            let key = exchange(self.addr, bytes.as_bytes()).await.json();
            let expiry =
                key["ExpiredTime"]
                    .as_u64()
                    .ok_or_else(|| CredentialsError::BadAnswer {
                        source: "test metadata".into(),
                        message: "no ExpiredTime".into(),
                    })?;
            Ok(credentials_of(&key).with_expiry(UNIX_EPOCH + Duration::from_secs(expiry)))
        })
    }

    fn source(&self) -> CredentialSource {
        CredentialSource::Service("test metadata".into())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_on_the_metadata_role_survives_several_expiries_under_concurrent_calls() {
    // QPS off: many calls in flight around each expiry is the point.
    let server = mock::server()
        .checks(mock::Checks {
            qps: false,
            ..mock::Checks::default()
        })
        .temporary_key_lifetime(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let fetches = Arc::new(AtomicUsize::new(0));
    let client = Client::builder()
        .credentials_provider(MetadataProvider {
            addr: server.addr(),
            fetches: Arc::clone(&fetches),
        })
        .endpoint(server.url())
        .retry_policy(RetryPolicy::disabled())
        .without_rate_limits()
        .build()
        .unwrap();
    let until = std::time::Instant::now() + Duration::from_secs(7);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut calls = 0;
            while std::time::Instant::now() < until {
                credit(&client).await.unwrap();
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
    let log = server.log();
    let api: Vec<_> = log.iter().filter(|e| e.decided_by != "metadata").collect();
    assert_eq!(api.len(), calls);
    assert!(
        api.iter().all(|e| e.error_code.is_none()),
        "a call was refused"
    );
    let keys: std::collections::BTreeSet<&str> = api
        .iter()
        .filter_map(|e| e.access_key_id.as_deref())
        .collect();
    // A 2 s key over 7 s: at least three keys in turn, and each fetch served many calls.
    assert!(keys.len() >= 3, "{keys:?}");
    // One refresh at a time whatever the callers: a key is fetched when first needed,
    // perhaps again half-way (the same key), then replaced.
    let fetched = fetches.load(Ordering::Relaxed);
    assert!(
        fetched <= 3 * keys.len() + 1 && fetched * 10 < calls,
        "{fetched} fetches for {} keys and {calls} calls",
        keys.len()
    );
}
