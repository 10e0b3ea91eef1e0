//! The generated Tencent client on the default credentials chain, pointed at a stand-in
//! CVM metadata service handing out short-lived role keys, calling a stand-in API that
//! accepts only unexpired keys with their token: several expiries under concurrent calls,
//! every call signed with valid keys, one refresh per set of keys.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use partnergen_runtime::tencent::credentials::{DefaultChain, SECURITY_CREDENTIALS_PATH};
use partnergen_runtime::tencent::sign::{
    canonical_request, parse_authorization, sign_canonical, SigningInput,
};
use serde_json::json;
use tencentcloud_intlpartnersmgt::{models, Client};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Keys issued: id → (key, token, expiry in Unix seconds).
type Issued = Arc<Mutex<BTreeMap<String, (String, String, u64)>>>;

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The metadata service: fresh keys living `LIFE` at each request.
struct Metadata(Issued);

/// Long enough that a call signed just before its keys are due for renewal (halfway)
/// still reaches the API before they expire, even on a loaded machine.
const LIFE: u64 = 3;

impl Respond for Metadata {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut issued = self.0.lock().unwrap();
        let n = issued.len() + 1;
        let (id, key, token) = (
            format!("AKIDrole{n}"),
            format!("key-{n}"),
            format!("token-{n}"),
        );
        let expires = now_secs() + LIFE;
        issued.insert(id.clone(), (key.clone(), token.clone(), expires));
        ResponseTemplate::new(200).set_body_json(json!({
            "TmpSecretId": id, "TmpSecretKey": key, "Token": token,
            "ExpiredTime": expires, "Expiration": "", "Code": "Success",
        }))
    }
}

/// The API: a valid signature by an issued, unexpired key with its token, else
/// `AuthFailure.TokenFailure`; counts the calls each key signed.
struct Api {
    issued: Issued,
    used: Arc<Mutex<BTreeMap<String, u32>>>,
}

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let head = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let refuse = |why: &str| {
            ResponseTemplate::new(200).set_body_json(json!({"Response": {
                "Error": {"Code": "AuthFailure.TokenFailure", "Message": why},
                "RequestId": "refused"}}))
        };
        let authorization = head("authorization");
        let Some(parsed) = parse_authorization(&authorization) else {
            return refuse("no TC3 authorization");
        };
        let Some((key, token, expires)) =
            self.issued.lock().unwrap().get(parsed.secret_id).cloned()
        else {
            return refuse("unknown key");
        };
        if now_secs() >= expires {
            return refuse("expired key");
        }
        if head("x-tc-token") != token {
            return refuse("wrong token");
        }
        let timestamp: i64 = head("x-tc-timestamp").parse().unwrap_or(0);
        let canonical = canonical_request(&SigningInput {
            method: "POST",
            content_type: &head("content-type"),
            host: &head("host"),
            service: "intlpartnersmgt",
            timestamp,
            payload: &request.body,
        });
        if sign_canonical(&key, "intlpartnersmgt", timestamp, &canonical) != parsed.signature {
            return refuse("bad signature");
        }
        *self
            .used
            .lock()
            .unwrap()
            .entry(parsed.secret_id.to_owned())
            .or_default() += 1;
        ResponseTemplate::new(200).set_body_json(json!({"Response": {
            "TotalCredit": 1.0, "RemainingCredit": 1.0, "IssuedCredit": 0.0, "RequestId": "ok"}}))
    }
}

#[tokio::test]
async fn the_default_chain_survives_several_expiries_under_concurrent_calls() {
    let server = MockServer::start().await;
    let issued: Issued = Arc::default();
    let used = Arc::new(Mutex::new(BTreeMap::new()));
    Mock::given(method("GET"))
        .and(path(SECURITY_CREDENTIALS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string("node-role"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{SECURITY_CREDENTIALS_PATH}node-role")))
        .respond_with(Metadata(Arc::clone(&issued)))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(Api {
            issued: Arc::clone(&issued),
            used: Arc::clone(&used),
        })
        .mount(&server)
        .await;

    // No variables, no profile file: the chain reaches the CVM role.
    let home = tempfile::tempdir().unwrap();
    let home_path = home.path().to_str().unwrap().to_owned();
    let chain = DefaultChain::new()
        .metadata_endpoint(server.uri())
        .build(&move |name| (name == "HOME").then(|| home_path.clone()))
        .unwrap();
    let client = Client::builder()
        .credentials_provider(chain)
        .endpoint(server.uri())
        .without_rate_limits()
        .build()
        .unwrap();

    let deadline = Instant::now() + Duration::from_millis(7000);
    let callers: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut calls = 0;
                while Instant::now() < deadline {
                    client
                        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
                        .await
                        .unwrap();
                    calls += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                calls
            })
        })
        .collect();
    let mut calls = 0;
    for caller in callers {
        calls += caller.await.unwrap();
    }
    let issued = issued.lock().unwrap().len();
    let used = used.lock().unwrap();
    eprintln!("{calls} calls, {issued} sets of keys issued, used: {used:?}");
    // Every call succeeded (the API refuses expired keys), over several sets of keys,
    // with one metadata request per set: never a refresh per caller.
    assert_eq!(used.values().sum::<u32>(), calls);
    assert!(used.len() >= 3, "{used:?}");
    assert_eq!(issued, used.len(), "a set issued but never used: {used:?}");
    // The client shows when its keys expire.
    let expiry = client.engine().credentials().expiry().unwrap();
    assert!(expiry > SystemTime::now() - Duration::from_secs(LIFE));
}
