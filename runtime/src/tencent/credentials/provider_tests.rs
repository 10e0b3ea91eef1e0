//! The Tencent providers against wiremock stand-ins for the metadata service and STS:
//! each happy path, refresh across expiries, and the bad inputs of issue 13.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::*;
use crate::credentials::{Secret, SharedCredentials};
use crate::tencent::sign::{parse_authorization, sign_canonical};

const ROLE_PATH: &str = "/latest/meta-data/cam/security-credentials/";
/// Every secret a test hands out contains this: no error, Debug or Display may.
const SECRET_MARK: &str = "never-shown";

fn unix(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn role_keys(n: u32, expires: u64) -> Value {
    json!({
        "TmpSecretId": format!("AKIDtmp{n}"),
        "TmpSecretKey": format!("tmpkey-{n}-{SECRET_MARK}"),
        "Token": format!("token-{n}-{SECRET_MARK}"),
        "ExpiredTime": expires,
        "Expiration": "2030-01-01T00:00:00Z",
        "Code": "Success",
    })
}

fn sts_answer(n: u32, expires: u64) -> Value {
    json!({"Response": {
        "Credentials": {
            "TmpSecretId": format!("AKIDsts{n}"),
            "TmpSecretKey": format!("stskey-{n}-{SECRET_MARK}"),
            "Token": format!("ststoken-{n}-{SECRET_MARK}"),
        },
        "ExpiredTime": expires,
        "Expiration": "2030-01-01T00:00:00Z",
        "RequestId": format!("req-{n}"),
    }})
}

fn sts_error(code: &str, message: &str) -> Value {
    json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "req-err"}})
}

/// Hands out fresh keys living `life` at each request, numbered.
struct FreshKeys {
    served: AtomicU32,
    life: Duration,
    sts: bool,
}

impl Respond for FreshKeys {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.served.fetch_add(1, Ordering::SeqCst) + 1;
        let expires = unix(SystemTime::now() + self.life);
        ResponseTemplate::new(200).set_body_json(if self.sts {
            sts_answer(n, expires)
        } else {
            role_keys(n, expires)
        })
    }
}

fn in_an_hour() -> u64 {
    unix(SystemTime::now() + Duration::from_secs(3600))
}

fn cvm(server: &MockServer) -> CvmRoleProviderBuilder {
    CvmRoleProvider::builder()
        .endpoint(server.uri())
        .timeout(Duration::from_millis(500))
}

/// Asserts no secret in the error's Display or Debug, and returns the Display.
fn shown(err: &CredentialsError) -> String {
    let text = format!("{err} {err:?}");
    assert!(!text.contains(SECRET_MARK), "{text}");
    err.to_string()
}

/// A port nothing listens on.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn cvm_role_discovered_then_its_keys() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ROLE_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string("reseller-role\n"))
        .expect(1)
        .mount(&server)
        .await;
    let expires = in_an_hour();
    Mock::given(method("GET"))
        .and(path(format!("{ROLE_PATH}reseller-role")))
        .respond_with(ResponseTemplate::new(200).set_body_json(role_keys(1, expires)))
        .mount(&server)
        .await;
    let provider = cvm(&server).build().unwrap();
    let keys = provider.provide().await.unwrap();
    assert_eq!(keys.access_key_id(), "AKIDtmp1");
    assert_eq!(
        keys.secret_key().expose(),
        format!("tmpkey-1-{SECRET_MARK}")
    );
    assert_eq!(
        keys.token().map(Secret::expose),
        Some(format!("token-1-{SECRET_MARK}").as_str())
    );
    assert_eq!(
        keys.expiry(),
        Some(UNIX_EPOCH + Duration::from_secs(expires))
    );
    let debug = format!("{provider:?} {keys:?}");
    assert!(!debug.contains(SECRET_MARK), "{debug}");

    // A role given: no lookup (the discovery mock expects exactly one call).
    let named = cvm(&server).role("reseller-role").build().unwrap();
    assert_eq!(named.provide().await.unwrap().access_key_id(), "AKIDtmp1");
    match named.source() {
        CredentialSource::Service(what) => assert_eq!(
            what,
            format!(
                "CVM role from instance metadata at {}{ROLE_PATH}reseller-role",
                server.uri()
            )
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn cvm_bad_answers_are_typed_errors_naming_the_metadata_service() {
    let past = unix(SystemTime::now()) - 10;
    let cases: Vec<(&str, ResponseTemplate, &str)> = vec![
        (
            "garbage",
            ResponseTemplate::new(200).set_body_string("<html>oops</html>"),
            "unusable answer: not JSON (line 1, column 1)",
        ),
        (
            "missing field",
            ResponseTemplate::new(200).set_body_json({
                let mut keys = role_keys(1, in_an_hour());
                keys.as_object_mut().unwrap().remove("TmpSecretKey");
                keys
            }),
            "unusable answer: no `TmpSecretKey`",
        ),
        (
            "no expiry",
            ResponseTemplate::new(200).set_body_json({
                let mut keys = role_keys(1, 0);
                let keys_map = keys.as_object_mut().unwrap();
                keys_map.remove("ExpiredTime");
                keys_map.remove("Expiration");
                keys
            }),
            "unusable answer: no `ExpiredTime` nor `Expiration`",
        ),
        (
            "already expired",
            ResponseTemplate::new(200).set_body_json(role_keys(1, past)),
            "unusable answer: the keys it gave expired at",
        ),
        (
            "failure code",
            ResponseTemplate::new(200).set_body_json({
                let mut keys = role_keys(1, in_an_hour());
                keys["Code"] = "InternalError".into();
                keys
            }),
            "unavailable: it answered Code \"InternalError\", not \"Success\"",
        ),
        (
            "JSON but not the keys",
            ResponseTemplate::new(200).set_body_string("[1, 2]"),
            "unusable answer: no `Code` in its answer",
        ),
        (
            "huge",
            ResponseTemplate::new(200).set_body_string("x".repeat(100 * 1024)),
            "unusable answer: the answer is larger than 65536 bytes",
        ),
        (
            "server error",
            ResponseTemplate::new(500).set_body_string(format!("token {SECRET_MARK}")),
            "unavailable: HTTP 500",
        ),
        (
            "slow",
            ResponseTemplate::new(200)
                .set_body_json(role_keys(1, in_an_hour()))
                .set_delay(Duration::from_secs(3)),
            "unavailable: timed out",
        ),
    ];
    for (case, answer, expected) in cases {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("{ROLE_PATH}r")))
            .respond_with(answer)
            .mount(&server)
            .await;
        let provider = cvm(&server).role("r").build().unwrap();
        let err = provider.provide().await.unwrap_err();
        let text = shown(&err);
        assert!(
            text.starts_with(&format!(
                "CVM role from instance metadata at {}",
                server.uri()
            )) && text.contains(expected),
            "{case}: {text}"
        );
    }
}

#[tokio::test]
async fn cvm_without_a_role_or_off_a_cvm_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ROLE_PATH))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let err = cvm(&server).build().unwrap().provide().await.unwrap_err();
    assert!(
        matches!(err, CredentialsError::Unavailable { .. })
            && shown(&err).ends_with("HTTP 404: no CAM role is bound to this instance"),
        "{err}"
    );

    // A role name that is not one (it would go into the URL).
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ROLE_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string("../../etc?x"))
        .mount(&server)
        .await;
    let err = cvm(&server).build().unwrap().provide().await.unwrap_err();
    assert!(
        shown(&err).ends_with("the role name it gave is not a CAM role name"),
        "{err}"
    );

    // Nothing listening: the connection fails, and the error says where.
    let endpoint = closed_port();
    let provider = CvmRoleProvider::builder()
        .endpoint(&endpoint)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = provider.provide().await.unwrap_err();
    eprintln!("refused after {:?}", started.elapsed());
    let text = shown(&err);
    assert!(
        matches!(err, CredentialsError::Unavailable { .. })
            && text.starts_with(&format!("CVM role from instance metadata at {endpoint}")),
        "{text}"
    );
}

#[tokio::test]
async fn refreshes_through_the_shared_cache_across_several_expiries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{ROLE_PATH}r")))
        .respond_with(FreshKeys {
            served: AtomicU32::new(0),
            life: Duration::from_secs(2),
            sts: false,
        })
        .mount(&server)
        .await;
    let shared = SharedCredentials::new(cvm(&server).role("r").build().unwrap());
    let seen = Arc::new(Mutex::new(std::collections::BTreeSet::new()));
    let deadline = std::time::Instant::now() + Duration::from_millis(4500);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (shared, seen) = (shared.clone(), Arc::clone(&seen));
            tokio::spawn(async move {
                while std::time::Instant::now() < deadline {
                    let keys = shared.get().await.unwrap();
                    // Never a key past its expiry.
                    assert!(keys.expiry().unwrap() > SystemTime::now());
                    seen.lock().unwrap().insert(keys.access_key_id().to_owned());
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let distinct = seen.lock().unwrap().len();
    let asked = server.received_requests().await.unwrap().len();
    // Keys live 1 to 2 s (ExpiredTime is in whole seconds) and are renewed halfway: at
    // least three sets in 4.5 s, and one request per set, whatever the 8 callers do.
    assert!(distinct >= 3, "{distinct} sets of keys");
    assert_eq!(asked, distinct, "one refresh per set of keys");
}

/// Checks the TC3 signature of an STS request against `secret_key`.
fn signed_with(request: &Request, secret_key: &str) -> bool {
    let head = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let authorization = head("authorization");
    let Some(parsed) = parse_authorization(&authorization) else {
        return false;
    };
    let timestamp: i64 = head("x-tc-timestamp").parse().unwrap();
    let canonical = crate::tencent::sign::canonical_request(&crate::tencent::sign::SigningInput {
        method: "POST",
        content_type: &head("content-type"),
        host: &head("host"),
        service: "sts",
        timestamp,
        payload: &request.body,
    });
    parsed.service == "sts"
        && sign_canonical(secret_key, "sts", timestamp, &canonical) == parsed.signature
}

#[tokio::test]
async fn sts_assume_role_signs_with_the_long_term_keys() {
    let server = MockServer::start().await;
    let expires = in_an_hour();
    Mock::given(method("POST"))
        .and(path("/"))
        .and(header("X-TC-Action", "AssumeRole"))
        .and(header("X-TC-Version", "2018-08-13"))
        .and(header("X-TC-Region", "ap-singapore"))
        .respond_with(move |request: &Request| {
            if !signed_with(request, "long-term-key") {
                return ResponseTemplate::new(200)
                    .set_body_json(sts_error("AuthFailure.SignatureFailure", "bad signature"));
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            assert_eq!(
                body,
                json!({"RoleArn": "qcs::cam::uin/100:roleName/r", "RoleSessionName": "job-1", "DurationSeconds": 900})
            );
            ResponseTemplate::new(200).set_body_json(sts_answer(1, expires))
        })
        .mount(&server)
        .await;
    let provider = StsAssumeRoleProvider::builder(
        Credentials::new("AKIDlong", "long-term-key"),
        "qcs::cam::uin/100:roleName/r",
    )
    .endpoint(server.uri())
    .region("ap-singapore")
    .session_name("job-1")
    .duration(Duration::from_secs(900))
    .build()
    .unwrap();
    let keys = provider.provide().await.unwrap();
    assert_eq!(
        (keys.access_key_id(), keys.expiry()),
        ("AKIDsts1", Some(UNIX_EPOCH + Duration::from_secs(expires)))
    );
    assert!(keys.token().is_some());
    let debug = format!("{provider:?}");
    assert!(!debug.contains("long-term-key"), "{debug}");

    // Other long-term keys: STS refuses the signature, and the error says so.
    let wrong = StsAssumeRoleProvider::builder(
        Credentials::new("AKIDlong", "other-key"),
        "qcs::cam::uin/100:roleName/r",
    )
    .endpoint(server.uri())
    .region("ap-singapore")
    .session_name("job-1")
    .duration(Duration::from_secs(900))
    .build()
    .unwrap();
    let text = shown(&wrong.provide().await.unwrap_err());
    assert!(!text.contains("other-key"));
    assert!(
        text.contains("AuthFailure.SignatureFailure: bad signature"),
        "{text}"
    );
}

#[tokio::test]
async fn sts_errors_name_sts_the_role_and_the_code() {
    let role = "qcs::cam::uin/100:roleName/missing";
    let cases = [
        (
            ResponseTemplate::new(200)
                .set_body_json(sts_error("ResourceNotFound.RoleNotExist", "role not exist")),
            "unavailable: ResourceNotFound.RoleNotExist: role not exist (request id req-err)",
        ),
        (
            ResponseTemplate::new(200)
                .set_body_json(sts_error("RequestLimitExceeded", "too many requests")),
            "unavailable: RequestLimitExceeded: too many requests",
        ),
        // An envelope behind a 4xx is still STS's error.
        (
            ResponseTemplate::new(429)
                .set_body_json(sts_error("RequestLimitExceeded", "slow down")),
            "unavailable: RequestLimitExceeded: slow down",
        ),
        (
            ResponseTemplate::new(502).set_body_string("bad gateway"),
            "unavailable: HTTP 502",
        ),
        (
            ResponseTemplate::new(200).set_body_string(format!("{{\"Response\": {SECRET_MARK}")),
            "unusable answer: not JSON (line 1, column 15)",
        ),
        (
            ResponseTemplate::new(200).set_body_json(json!({"Response": {"RequestId": "x"}})),
            "unusable answer: no `Response.Credentials` object",
        ),
        (
            ResponseTemplate::new(200).set_body_json(sts_answer(1, 1_000)),
            "unusable answer: the keys it gave expired at 1970-01-01T00:16:40Z",
        ),
    ];
    for (answer, expected) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(answer)
            .mount(&server)
            .await;
        let provider =
            StsAssumeRoleProvider::builder(Credentials::new("AKIDlong", SECRET_MARK), role)
                .endpoint(server.uri())
                .build()
                .unwrap();
        let text = shown(&provider.provide().await.unwrap_err());
        assert!(
            text.starts_with(&format!("STS AssumeRole of {role} at {}: ", server.uri()))
                && text.contains(expected),
            "{text}"
        );
    }

    // No long-term keys: said, naming where they were looked for.
    let server = MockServer::start().await;
    let provider = StsAssumeRoleProvider::builder(EnvProvider::from_lookup(&|_| None), role)
        .endpoint(server.uri())
        .build()
        .unwrap();
    let text = shown(&provider.provide().await.unwrap_err());
    assert!(
        text.contains("no long-term credentials to ask with: environment variable TENCENTCLOUD_SECRET_ID is not set"),
        "{text}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// An STS that answers `AssumeRoleWithWebIdentity` with keys when the token is one it
/// expects, else the expired-token error; records the tokens it got.
struct WebIdentitySts {
    valid: Mutex<Vec<String>>,
    got: Mutex<Vec<String>>,
    served: AtomicU32,
}

/// The mock's handle on a shared [`WebIdentitySts`].
struct Shared(Arc<WebIdentitySts>);

impl Respond for Shared {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let this = &self.0;
        let authorization = request
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap();
        assert_eq!(
            authorization, "SKIP",
            "AssumeRoleWithWebIdentity is not signed"
        );
        assert!(request.headers.get("x-tc-token").is_none());
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["ProviderId"], "tke-provider");
        assert_eq!(body["RoleArn"], "qcs::cam::uin/100:roleName/pod");
        let token = body["WebIdentityToken"].as_str().unwrap().to_owned();
        this.got.lock().unwrap().push(token.clone());
        if !this.valid.lock().unwrap().contains(&token) {
            return ResponseTemplate::new(200).set_body_json(sts_error(
                "InvalidParameter.WebIdentityTokenError",
                "Token expired",
            ));
        }
        let n = this.served.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(sts_answer(n, in_an_hour()))
    }
}

#[tokio::test]
async fn oidc_reads_the_token_file_at_each_refresh() {
    let server = MockServer::start().await;
    let sts = Arc::new(WebIdentitySts {
        valid: Mutex::new(vec!["jwt-1".into(), "jwt-2".into()]),
        got: Mutex::new(Vec::new()),
        served: AtomicU32::new(0),
    });
    Mock::given(method("POST"))
        .and(header("X-TC-Action", "AssumeRoleWithWebIdentity"))
        .and(header("X-TC-Region", "ap-singapore"))
        .respond_with(Shared(Arc::clone(&sts)))
        .mount(&server)
        .await;
    let dir = std::env::temp_dir().join(format!("tc-oidc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    let _ = std::fs::remove_file(&token_file);
    let env = {
        let token_file = token_file.to_str().unwrap().to_owned();
        move |name: &str| match name {
            ENV_TKE_REGION => Some("ap-singapore".to_owned()),
            ENV_TKE_PROVIDER_ID => Some("tke-provider".to_owned()),
            ENV_TKE_ROLE_ARN => Some("qcs::cam::uin/100:roleName/pod".to_owned()),
            ENV_TKE_WEB_IDENTITY_TOKEN_FILE => Some(token_file.clone()),
            _ => None,
        }
    };
    let provider = OidcRoleProvider::from_tke_env(&env)
        .unwrap()
        .endpoint(server.uri())
        .build()
        .unwrap();

    // No token file yet: named, and STS is not asked.
    let err = provider.provide().await.unwrap_err();
    assert!(
        matches!(&err, CredentialsError::UnreadableFile(p, _) if *p == token_file),
        "{err:?}"
    );
    assert!(shown(&err).starts_with(&format!("cannot read {}", token_file.display())));
    assert!(sts.got.lock().unwrap().is_empty());

    // It appears: the next refresh uses it.
    std::fs::write(&token_file, "jwt-1\n").unwrap();
    assert_eq!(
        provider.provide().await.unwrap().access_key_id(),
        "AKIDsts1"
    );

    // It rotates: the next refresh sends the new token.
    std::fs::write(&token_file, "jwt-2").unwrap();
    assert_eq!(
        provider.provide().await.unwrap().access_key_id(),
        "AKIDsts2"
    );

    // The token expired (go#253 panicked here): a typed error, then recovery.
    std::fs::write(&token_file, "jwt-stale").unwrap();
    let err = provider.provide().await.unwrap_err();
    let text = shown(&err);
    assert!(
        text.contains(
            "TKE OIDC role qcs::cam::uin/100:roleName/pod via STS AssumeRoleWithWebIdentity"
        ) && text.contains("InvalidParameter.WebIdentityTokenError: Token expired"),
        "{text}"
    );
    assert!(!text.contains("jwt-stale"), "{text}");
    sts.valid.lock().unwrap().push("jwt-3".into());
    std::fs::write(&token_file, "jwt-3").unwrap();
    assert_eq!(
        provider.provide().await.unwrap().access_key_id(),
        "AKIDsts3"
    );
    assert_eq!(
        *sts.got.lock().unwrap(),
        ["jwt-1", "jwt-2", "jwt-stale", "jwt-3"]
    );

    // An empty token file, or one too large, is named too.
    std::fs::write(&token_file, "\n").unwrap();
    let err = provider.provide().await.unwrap_err();
    assert!(shown(&err).ends_with("it is empty"), "{err}");
    std::fs::write(&token_file, vec![b'a'; 70 * 1024]).unwrap();
    let err = provider.provide().await.unwrap_err();
    assert!(shown(&err).contains("larger than"), "{err}");

    // A variable missing: named.
    let err =
        OidcRoleProvider::from_tke_env(&|name| (name != ENV_TKE_ROLE_ARN).then(|| "x".to_owned()))
            .unwrap_err();
    assert_eq!(err, CredentialsError::MissingEnv(ENV_TKE_ROLE_ARN));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn the_default_chain_in_the_official_order() {
    let metadata = MockServer::start().await;
    let sts = MockServer::start().await;
    let dir = std::env::temp_dir().join(format!("tc-default-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    std::fs::write(&token_file, "jwt").unwrap();
    let home = dir.to_str().unwrap().to_owned();
    let tke = [
        (ENV_TKE_REGION, "ap-singapore".to_owned()),
        (ENV_TKE_PROVIDER_ID, "tke-provider".to_owned()),
        (
            ENV_TKE_ROLE_ARN,
            "qcs::cam::uin/100:roleName/pod".to_owned(),
        ),
        (
            ENV_TKE_WEB_IDENTITY_TOKEN_FILE,
            token_file.to_str().unwrap().to_owned(),
        ),
    ];
    let env = |vars: Vec<(&'static str, String)>| {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        }
    };
    let chain = |vars: Vec<(&'static str, String)>| {
        DefaultChain::new()
            .metadata_endpoint(metadata.uri())
            .metadata_timeout(Duration::from_millis(500))
            .sts_endpoint(sts.uri())
            .build(&env(vars))
            .unwrap()
    };

    // Nothing anywhere: every source named, in order, with why.
    Mock::given(method("GET"))
        .and(path(ROLE_PATH))
        .respond_with(ResponseTemplate::new(404))
        .mount(&metadata)
        .await;
    let err = chain(vec![("HOME", home.clone())])
        .provide()
        .await
        .unwrap_err();
    let CredentialsError::NotFound(tried) = &err else {
        panic!("{err:?}");
    };
    let text = shown(&err);
    assert_eq!(tried.len(), 5, "{text}");
    assert_eq!(
        tried[0].failure,
        CredentialsError::MissingEnv(ENV_SECRET_ID)
    );
    assert!(
        matches!(tried[1].source, CredentialSource::ProfileFile(_)),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "CVM role from instance metadata at {}{ROLE_PATH} (HTTP 404: no CAM role is bound to this instance); TKE OIDC role via STS AssumeRoleWithWebIdentity (TKE_REGION is not set)",
            metadata.uri()
        )),
        "{text}"
    );

    // In a TKE pod without a CVM role: the OIDC role.
    Mock::given(method("POST"))
        .and(header("X-TC-Action", "AssumeRoleWithWebIdentity"))
        .respond_with(ResponseTemplate::new(200).set_body_json(sts_answer(7, in_an_hour())))
        .mount(&sts)
        .await;
    let mut vars = vec![("HOME", home.clone())];
    vars.extend(tke.iter().cloned());
    let keys = chain(vars.clone()).provide().await.unwrap();
    assert_eq!(keys.access_key_id(), "AKIDsts7");

    // With a CVM role: the role, before OIDC.
    metadata.reset().await;
    Mock::given(method("GET"))
        .and(path(ROLE_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string("node-role"))
        .mount(&metadata)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{ROLE_PATH}node-role")))
        .respond_with(ResponseTemplate::new(200).set_body_json(role_keys(3, in_an_hour())))
        .mount(&metadata)
        .await;
    assert_eq!(
        chain(vars.clone()).provide().await.unwrap().access_key_id(),
        "AKIDtmp3"
    );

    // A profile file: before the role.
    let profile = dir.join("credentials.ini");
    std::fs::write(
        &profile,
        "[default]\nsecret_id = AKIDprofile\nsecret_key = k\n",
    )
    .unwrap();
    vars.push((ENV_CREDENTIALS_FILE, profile.to_str().unwrap().to_owned()));
    assert_eq!(
        chain(vars.clone()).provide().await.unwrap().access_key_id(),
        "AKIDprofile"
    );

    // The environment: first of all.
    vars.push((ENV_SECRET_ID, "AKIDenv".into()));
    vars.push((ENV_SECRET_KEY, "k".into()));
    assert_eq!(
        chain(vars).provide().await.unwrap().access_key_id(),
        "AKIDenv"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_settings_fail_at_build_naming_them() {
    let sts = |f: fn(StsAssumeRoleProviderBuilder) -> StsAssumeRoleProviderBuilder| {
        f(StsAssumeRoleProvider::builder(
            Credentials::new("AKID", SECRET_MARK),
            "qcs::cam::uin/1:roleName/r",
        ))
        .build()
        .unwrap_err()
        .to_string()
    };
    let cases = [
        (
            sts(|b| b.endpoint("ftp://sts")),
            "bad endpoint: STS endpoint `ftp://sts`",
        ),
        (
            sts(|b| b.endpoint("https://sts/x")),
            "is not scheme://host[:port]",
        ),
        (
            sts(|b| b.duration(Duration::ZERO)),
            "duration 0 s: 1 to 43200 s",
        ),
        (
            sts(|b| b.duration(Duration::from_secs(86_400))),
            "duration 86400 s",
        ),
        (
            sts(|b| b.session_name("has space")),
            "role session name \"has space\"",
        ),
        (
            sts(|b| b.region("ap singapore")),
            "STS region \"ap singapore\"",
        ),
        (
            sts(|b| b.timeout(Duration::ZERO)),
            "STS timeout: must be above zero",
        ),
        (
            sts(|b| b.root_certificate_pem("not a certificate")),
            "STS root certificate #1: no `-----BEGIN CERTIFICATE-----` block in it",
        ),
        (
            sts(|b| {
                b.root_certificate_pem(
                    "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
                )
            }),
            "STS root certificate #1: not a PEM certificate bundle",
        ),
        (
            sts(|b| {
                b.root_certificate_pem(
                    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                )
            }),
            "cannot set up HTTP: STS",
        ),
        (
            CvmRoleProvider::builder()
                .role("a/b")
                .build()
                .unwrap_err()
                .to_string(),
            "CVM role name \"a/b\"",
        ),
        (
            StsAssumeRoleProvider::builder(Credentials::new("AKID", "k"), "")
                .build()
                .unwrap_err()
                .to_string(),
            "role ARN \"\"",
        ),
    ];
    for (err, expected) in cases {
        assert!(
            err.contains(expected) && !err.contains(SECRET_MARK),
            "{err}"
        );
    }
}

#[test]
fn a_real_root_certificate_is_accepted() {
    let pem = include_str!("../../../tests/data/test-ca.pem");
    let provider =
        StsAssumeRoleProvider::builder(Credentials::new("AKID", "k"), "qcs::cam::uin/1:roleName/r")
            .endpoint("https://127.0.0.1:8443")
            .root_certificate_pem(pem)
            .build();
    assert!(provider.is_ok(), "{provider:?}");
}

#[tokio::test]
async fn profile_files_that_cannot_serve_are_named() {
    let dir = std::env::temp_dir().join(format!("tc-badprofile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: Vec<(&str, Option<&[u8]>, &str)> = vec![
        (
            "malformed.ini",
            Some(b"[default\nsecret_id = AKID\nsecret_key = key-never-shown\n"),
            "(cannot read it: ",
        ),
        (
            "wrong-section.ini",
            Some(b"[prod]\nsecret_id = AKID\nsecret_key = key-never-shown\n"),
            "(section [default] is missing or lacks secret_id / secret_key)",
        ),
        (
            "binary.ini",
            Some(b"\xff\xfe[default]\nsecret_key = key-never-shown\n"),
            "(cannot read it: ",
        ),
        // A directory where the file should be: unreadable.
        ("a-directory", None, "(cannot read it: "),
    ];
    for (name, content, expected) in cases {
        let file = dir.join(name);
        match content {
            Some(bytes) => std::fs::write(&file, bytes).unwrap(),
            None => std::fs::create_dir_all(&file).unwrap(),
        }
        let named = file.to_str().unwrap().to_owned();
        let provider = ProfileProvider::from_lookup(&move |var| {
            (var == ENV_CREDENTIALS_FILE).then(|| named.clone())
        });
        let err = provider.provide().await.unwrap_err();
        let text = shown(&err);
        assert!(
            text.contains(&format!("profile file {}", file.display())) && text.contains(expected),
            "{name}: {text}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Serves one HTTPS exchange on 127.0.0.1 with the test server certificate (signed by
/// `tests/data/test-ca.pem`): reads a request, answers `answer` as JSON.
async fn one_tls_answer(answer: Value) -> (String, tokio::task::JoinHandle<Vec<u8>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio_rustls::rustls::{crypto::ring, ServerConfig};

    let pem = include_bytes!("../../../tests/data/test-server.pem");
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(pem).unwrap();
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let served = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let Ok(mut tls) = acceptor.accept(tcp).await else {
            return Vec::new(); // the client refused the certificate
        };
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        // Headers, then as much body as Content-Length says.
        loop {
            let n = tls.read(&mut buf).await.unwrap();
            request.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&request).to_lowercase();
            if let Some(end) = text.find("\r\n\r\n") {
                let length: usize = text
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().unwrap());
                if request.len() >= end + 4 + length || n == 0 {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        let body = answer.to_string();
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        tls.write_all(response.as_bytes()).await.unwrap();
        tls.shutdown().await.ok();
        request
    });
    (url, served)
}

#[tokio::test]
async fn sts_behind_a_private_ca_is_trusted_only_with_its_root_certificate() {
    let role = "qcs::cam::uin/100:roleName/r";
    let builder = |url: &str| {
        StsAssumeRoleProvider::builder(Credentials::new("AKIDlong", "long-term-key"), role)
            .endpoint(url)
            .timeout(Duration::from_secs(5))
    };

    // Without the CA: the TLS handshake fails, and the error says where.
    let (url, served) = one_tls_answer(sts_answer(1, in_an_hour())).await;
    let err = builder(&url).build().unwrap().provide().await.unwrap_err();
    let text = shown(&err);
    eprintln!("untrusted: {text}");
    assert!(
        matches!(err, CredentialsError::Unavailable { .. })
            && text.starts_with(&format!("STS AssumeRole of {role} at {url}: unavailable: ")),
        "{text}"
    );
    assert!(
        served.await.unwrap().is_empty(),
        "no request over an untrusted link"
    );

    // With it: the keys.
    let (url, served) = one_tls_answer(sts_answer(2, in_an_hour())).await;
    let provider = builder(&url)
        .root_certificate_pem(include_str!("../../../tests/data/test-ca.pem"))
        .build()
        .unwrap();
    assert_eq!(
        provider.provide().await.unwrap().access_key_id(),
        "AKIDsts2"
    );
    let request = String::from_utf8(served.await.unwrap()).unwrap();
    assert!(request.starts_with("POST / HTTP/1.1"), "{request}");
    assert!(
        request.to_lowercase().contains("x-tc-action: assumerole"),
        "{request}"
    );
}
