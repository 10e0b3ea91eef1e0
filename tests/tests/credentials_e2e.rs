//! Our Tencent credential providers against our own mock server, end to end on one
//! machine: the default chain reaching the CVM role on the mock's metadata endpoint,
//! `StsAssumeRoleProvider` against the mock's STS over TLS, `OidcRoleProvider` (through
//! the default chain's TKE step) against its `AssumeRoleWithWebIdentity` with a token
//! file that rotates and goes missing, and the failure cases: each a typed
//! `Error::Credentials` naming the source, no call made with bad keys, recovery by a
//! later call. The mock refuses expired keys (`AuthFailure.TokenFailure`), so a run
//! without refusals is a run that never signed with an expired key.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use partnergen_runtime::credentials::{
    CredentialSource, CredentialsError, ProvideCredentials, Tried,
};
use partnergen_runtime::server::LogEntry;
use partnergen_runtime::tencent::credentials::{
    DefaultChain, StsAssumeRoleProvider, ENV_TKE_PROVIDER_ID, ENV_TKE_REGION, ENV_TKE_ROLE_ARN,
    ENV_TKE_WEB_IDENTITY_TOKEN_FILE,
};
use tencentcloud_intlpartnersmgt::mock;
use tencentcloud_intlpartnersmgt::{models, Client, Credentials, Error, RetryPolicy};

/// How long the mock's temporary keys live in these tests.
const LIFETIME: Duration = Duration::from_secs(2);

/// The longest any wait on a condition here may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(20);

fn role_arn(role: &str) -> String {
    format!("qcs::cam::uin/100000000001:roleName/{role}")
}

/// A mock server with short-lived keys and one role; QPS off (many calls in flight around
/// each expiry is the point).
fn server_builder(role: &str) -> mock::MockServerBuilder<tencentcloud_intlpartnersmgt::Action> {
    mock::server()
        .checks(mock::Checks {
            qps: false,
            ..mock::Checks::default()
        })
        .role(role)
        .temporary_key_lifetime(LIFETIME)
}

/// Variables as a test's environment: these only.
fn env(vars: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }
}

/// A home directory without a profile file.
fn empty_home() -> (tempfile::TempDir, String) {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().to_str().unwrap().to_owned();
    (home, path)
}

/// An address nothing listens on.
fn closed_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// The client on `provider`, calling the server; no retries (a refused call must show),
/// no client-side limits.
fn client_on(server_url: &str, ca: Option<&str>, provider: impl ProvideCredentials) -> Client {
    let mut builder = Client::builder()
        .credentials_provider(provider)
        .endpoint(server_url)
        .retry_policy(RetryPolicy::disabled())
        .without_rate_limits();
    if let Some(ca) = ca {
        builder = builder.add_root_certificate(ca);
    }
    builder.build().unwrap()
}

/// One of three parameterless actions of the service, by turn.
async fn call(client: &Client, turn: usize) -> Result<(), Error> {
    match turn % 3 {
        0 => client
            .query_partner_credit(&models::QueryPartnerCreditRequest::new())
            .await
            .map(drop),
        1 => client
            .query_voucher_pool(&models::QueryVoucherPoolRequest::new())
            .await
            .map(drop),
        _ => client
            .get_country_codes(&models::GetCountryCodesRequest::new())
            .await
            .map(drop),
    }
}

/// Whether the entry is an STS request's (answered or refused).
fn is_sts(entry: &LogEntry) -> bool {
    matches!(
        entry.action.as_deref(),
        Some("AssumeRole" | "AssumeRoleWithWebIdentity")
    )
}

/// The API calls the server decided (not metadata, not STS).
fn api_entries(log: &[LogEntry]) -> Vec<&LogEntry> {
    log.iter()
        .filter(|e| e.decided_by != "metadata" && !is_sts(e))
        .collect()
}

/// Keys that signed API calls the server answered, in the order first used.
fn keys_used(log: &[LogEntry]) -> Vec<String> {
    let mut seen = Vec::new();
    for entry in api_entries(log) {
        if let Some(id) = &entry.access_key_id {
            if !seen.contains(id) {
                seen.push(id.clone());
            }
        }
    }
    seen
}

/// Whether at least `n` keys that signed calls have expired by now (calls went on past
/// their expiry, with the keys that followed).
fn expired_keys_used(server: &mock::Server, log: &[LogEntry], n: usize) -> bool {
    let now = SystemTime::now();
    keys_used(log)
        .iter()
        .filter_map(|id| server.temporary_keys().lookup(id))
        .filter(|issued| issued.is_expired_at(now))
        .count()
        >= n
}

/// Calls from `tasks` concurrent clones of `client` until `enough` says the server's log
/// shows enough (checked every 50 ms, failing after [`PATIENCE`]); the number of calls,
/// each of which must have succeeded.
async fn call_until(
    client: &Client,
    server: &mock::Server,
    tasks: usize,
    enough: impl Fn(&[LogEntry]) -> bool,
) -> usize {
    let done = Arc::new(AtomicBool::new(false));
    let callers: Vec<_> = (0..tasks)
        .map(|task| {
            let client = client.clone();
            let done = Arc::clone(&done);
            tokio::spawn(async move {
                let mut calls = 0;
                let mut failures = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    if let Err(err) = call(&client, task + calls).await {
                        failures.push(err.to_string());
                    }
                    calls += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                (calls, failures)
            })
        })
        .collect();
    let deadline = Instant::now() + PATIENCE;
    let reached = loop {
        if enough(&server.log()) {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    done.store(true, Ordering::Relaxed);
    let mut calls = 0;
    let mut failures = Vec::new();
    for caller in callers {
        let (n, failed) = caller.await.unwrap();
        calls += n;
        failures.extend(failed);
    }
    assert!(
        failures.is_empty(),
        "{} calls failed: {failures:#?}",
        failures.len()
    );
    assert!(
        reached,
        "not reached within {PATIENCE:?}: {:#?}",
        server.log()
    );
    calls
}

/// Checks the API log: every call answered without an error code (the mock refuses
/// expired keys, wrong tokens and bad signatures), as many as were made, each signed
/// with a temporary key of `role`.
fn assert_all_calls_served(server: &mock::Server, calls: usize, role: &str) {
    let log = server.log();
    let api = api_entries(&log);
    assert_eq!(api.len(), calls, "calls made and calls the server saw");
    let refused: Vec<_> = api.iter().filter(|e| e.error_code.is_some()).collect();
    assert!(refused.is_empty(), "refused: {refused:#?}");
    for entry in api {
        let id = entry.access_key_id.as_deref().expect("signed");
        let issued = server
            .temporary_keys()
            .lookup(id)
            .unwrap_or_else(|| panic!("{id} is not a temporary key the server issued"));
        assert_eq!(issued.principal(), role);
    }
}

/// Waits until `time` has passed (a known instant: no race).
async fn sleep_past(time: SystemTime) {
    let wait = time
        .duration_since(SystemTime::now())
        .unwrap_or_default()
        .saturating_add(Duration::from_millis(50));
    assert!(wait < PATIENCE, "waiting {wait:?}");
    tokio::time::sleep(wait).await;
}

/// The source a chain's `NotFound` tried whose name contains `named`, and why it failed.
fn tried<'a>(err: &'a CredentialsError, named: &str) -> &'a CredentialsError {
    let CredentialsError::NotFound(tried) = err else {
        panic!("not a chain's NotFound: {err:?}");
    };
    tried
        .iter()
        .find_map(|Tried { source, failure }| match source {
            CredentialSource::Service(name) if name.contains(named) => Some(failure),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no source named {named:?} was tried: {err}"))
}

/// The credentials error of a call, checked to be one (the call was never sent).
fn credentials_error(err: Error) -> CredentialsError {
    match err {
        Error::Credentials { error, .. } => error,
        other => panic!("not a credentials error: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_chain_on_the_cvm_role_survives_expiries_under_eight_callers() {
    let server = server_builder("node-role").start().await.unwrap();
    // No variables, no profile file: the chain reaches the CVM role.
    let (_home, home) = empty_home();
    let chain = DefaultChain::new()
        .metadata_endpoint(server.url())
        .build(&env(vec![("HOME", home)]))
        .unwrap();
    let client = client_on(&server.url(), None, chain);
    assert_eq!(client.engine().credentials().expiry(), None);

    // Calls go on until three keys that signed some have expired.
    let calls = call_until(&client, &server, 8, |log| {
        expired_keys_used(&server, log, 3)
    })
    .await;
    assert_all_calls_served(&server, calls, "node-role");

    let log = server.log();
    let used = keys_used(&log);
    // One metadata request for the role's name and one for its key per refresh, and one
    // refresh per key: never one per caller, never the same key fetched twice.
    let fetched: Vec<&str> = log
        .iter()
        .filter(|e| e.decided_by == "metadata")
        .filter_map(|e| e.access_key_id.as_deref())
        .collect();
    let mut per_key: BTreeMap<&str, usize> = BTreeMap::new();
    for id in &fetched {
        *per_key.entry(id).or_default() += 1;
    }
    assert!(
        per_key.values().all(|&n| n == 1),
        "keys fetched more than once: {per_key:?} ({} calls)",
        calls
    );
    eprintln!(
        "{calls} calls, {} keys used, {} key fetches",
        used.len(),
        fetched.len()
    );
    let role_lookups = log
        .iter()
        .filter(|e| e.decided_by == "metadata" && e.access_key_id.is_none())
        .count();
    assert_eq!(role_lookups, fetched.len(), "{log:#?}");
    // Every key fetched was used (at most the last one not yet).
    for id in &used {
        assert!(
            per_key.contains_key(id.as_str()),
            "{id} used, never fetched"
        );
    }
    assert!(fetched.len() <= used.len() + 1, "{fetched:?} vs {used:?}");

    // The client shows when its keys expire: the server's expiry of the key it holds.
    let held = client.engine().credentials().cached().unwrap();
    let issued = server
        .temporary_keys()
        .lookup(held.access_key_id())
        .unwrap();
    assert_eq!(
        client.engine().credentials().expiry(),
        Some(issued.expiry())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sts_assume_role_over_tls_across_expiries() {
    let server = server_builder("partner-admin")
        .tls(true)
        .start()
        .await
        .unwrap();
    let ca = server.ca_pem().unwrap().to_owned();
    assert!(server.url().starts_with("https://"));
    let provider = StsAssumeRoleProvider::builder(
        Credentials::new(mock::SECRET_ID, mock::SECRET_KEY),
        role_arn("partner-admin"),
    )
    .session_name("e2e-session")
    .endpoint(server.url())
    .root_certificate_pem(&ca)
    .build()
    .unwrap();
    let client = client_on(&server.url(), Some(&ca), provider);

    let calls = call_until(&client, &server, 8, |log| {
        expired_keys_used(&server, log, 3)
    })
    .await;
    assert_all_calls_served(&server, calls, "partner-admin");

    let log = server.log();
    let assumed: Vec<&LogEntry> = log.iter().filter(|e| is_sts(e)).collect();
    // Each AssumeRole signed with the long-term key, answered, and its key used.
    for entry in &assumed {
        assert_eq!(entry.action.as_deref(), Some("AssumeRole"));
        assert_eq!(entry.access_key_id.as_deref(), Some(mock::SECRET_ID));
        assert_eq!(entry.error_code, None, "{entry:?}");
        assert!(entry.reason.contains("session e2e-session"), "{entry:?}");
    }
    let used = keys_used(&log);
    // STS issues a new key per request: one request per key, the last perhaps unused yet.
    assert!(
        assumed.len() == used.len() || assumed.len() == used.len() + 1,
        "{} AssumeRole requests for {} keys used",
        assumed.len(),
        used.len()
    );
    // Without the CA the provider's STS is not trusted: a typed error naming STS.
    let untrusting = StsAssumeRoleProvider::builder(
        Credentials::new(mock::SECRET_ID, mock::SECRET_KEY),
        role_arn("partner-admin"),
    )
    .endpoint(server.url())
    .build()
    .unwrap();
    let before = server.log().len();
    let err = credentials_error(
        call(&client_on(&server.url(), Some(&ca), untrusting), 0)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&err, CredentialsError::Unavailable { source, .. }
            if source.contains("STS AssumeRole") && source.contains(&server.url())),
        "{err:?}"
    );
    // The handshake failed: the server decided nothing.
    assert_eq!(server.log().len(), before);
}

/// A JWT-shaped web identity token (the mock checks the shape only).
fn jwt(n: u32) -> String {
    format!("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2Qte{n}In0.c2lnbmF0dXJl{n}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_chain_on_tke_oidc_rereads_a_rotating_token_file() {
    let server = server_builder("tke-role").start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, jwt(1)).unwrap();
    // The TKE variables, no keys, no home; the metadata service is nowhere (off a CVM).
    let chain = DefaultChain::new()
        .metadata_endpoint(format!("http://{}", closed_port()))
        .sts_endpoint(server.url())
        .build(&env(vec![
            (ENV_TKE_REGION, "ap-singapore".into()),
            (ENV_TKE_PROVIDER_ID, "tke-oidc".into()),
            (ENV_TKE_ROLE_ARN, role_arn("tke-role")),
            (
                ENV_TKE_WEB_IDENTITY_TOKEN_FILE,
                token_file.to_str().unwrap().into(),
            ),
        ]))
        .unwrap();
    let client = client_on(&server.url(), None, chain);

    // Keys in turn, the token rotating between refreshes.
    let mut turn = 1;
    for _ in 0..3 {
        call(&client, 0).await.unwrap();
        let expiry = client.engine().credentials().expiry().unwrap();
        turn += 1;
        std::fs::write(&token_file, jwt(turn)).unwrap();
        sleep_past(expiry).await;
    }
    let web_identity = |server: &mock::Server| {
        server
            .log()
            .into_iter()
            .filter(|e| e.decided_by == "sts")
            .collect::<Vec<_>>()
    };
    assert_eq!(web_identity(&server).len(), 3);

    // The file rotated to something STS refuses: it was read again, and the refusal is
    // a typed error naming the TKE source and STS's code.
    std::fs::write(&token_file, "not-a-jwt\n").unwrap();
    let err = credentials_error(call(&client, 0).await.unwrap_err());
    eprintln!("token refused: {err}");
    let failure = tried(&err, "TKE OIDC role");
    assert!(
        matches!(failure, CredentialsError::Unavailable { message, .. }
            if message.contains("InvalidParameter.WebIdentityTokenError")),
        "{err}"
    );

    // The file gone: a typed error naming the file; no call was sent.
    std::fs::remove_file(&token_file).unwrap();
    let api_before = api_entries(&server.log()).len();
    let err = credentials_error(call(&client, 1).await.unwrap_err());
    eprintln!("token file missing: {err}");
    let failure = tried(&err, "TKE OIDC role");
    assert!(
        matches!(failure, CredentialsError::UnreadableFile(path, _) if path == &token_file),
        "{err}"
    );
    // The CVM step said why it gave nothing too.
    assert!(
        matches!(
            tried(&err, "CVM role"),
            CredentialsError::Unavailable { .. }
        ),
        "{err}"
    );
    assert_eq!(api_entries(&server.log()).len(), api_before);
    // Back: the next call recovers.
    std::fs::write(&token_file, jwt(99)).unwrap();
    call(&client, 2).await.unwrap();
    let log = server.log();
    let sts = web_identity(&server);
    let last = sts.last().unwrap();
    assert_eq!(last.action.as_deref(), Some("AssumeRoleWithWebIdentity"));
    assert_eq!(last.error_code, None);
    let api = api_entries(&log);
    assert!(api.iter().all(|e| e.error_code.is_none()), "{api:#?}");
    assert_eq!(keys_used(&log).len(), 4);
}

/// Starts a server like `builder` on `addr`, the port of one just stopped: binding is
/// retried (the stopped server's listener closes as its task ends), within [`PATIENCE`].
async fn restart_on(addr: SocketAddr, role: &str) -> mock::Server {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match server_builder(role).addr(addr).start().await {
            Ok(server) => return server,
            Err(err) if Instant::now() < deadline => {
                eprintln!("not yet: {err}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(err) => panic!("{err}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metadata_service_down_is_a_typed_error_and_its_return_recovers() {
    let server = server_builder("node-role").start().await.unwrap();
    let addr = server.addr();
    let (_home, home) = empty_home();
    let chain = DefaultChain::new()
        .metadata_endpoint(server.url())
        .build(&env(vec![("HOME", home)]))
        .unwrap();
    let client = client_on(&server.url(), None, chain);
    call(&client, 0).await.unwrap();
    let held = client.engine().credentials().cached().unwrap();
    let expiry = client.engine().credentials().expiry().unwrap();

    // Down, and the keys expired: the call fails before anything is sent, saying which
    // source failed and why (and every other source the chain tried).
    drop(server);
    sleep_past(expiry).await;
    let err = credentials_error(call(&client, 1).await.unwrap_err());
    eprintln!("metadata down: {err}");
    let failure = tried(&err, "CVM role from instance metadata at http://127.0.0.1:");
    assert!(
        matches!(failure, CredentialsError::Unavailable { message, .. }
            if message.contains("connect") || message.contains("refused")),
        "{err}"
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(held.secret_key().expose()), "{shown}");
    assert!(!shown.contains(held.token().unwrap().expose()), "{shown}");
    // Nothing was cached in its place: the expired keys are not handed out.
    assert_eq!(client.engine().credentials().expiry(), Some(expiry));

    // Back (a new instance of the service, new keys): the next call recovers.
    let server = restart_on(addr, "node-role").await;
    call(&client, 2).await.unwrap();
    let log = server.log();
    assert_eq!(api_entries(&log).len(), 1);
    assert_all_calls_served(&server, 1, "node-role");
    assert_ne!(
        client
            .engine()
            .credentials()
            .cached()
            .unwrap()
            .access_key_id(),
        held.access_key_id()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sts_refusals_are_typed_errors_naming_sts_and_no_call_is_sent() {
    let server = server_builder("partner-admin").start().await.unwrap();
    let assume = |long_term: Credentials, role: &str| {
        StsAssumeRoleProvider::builder(long_term, role_arn(role))
            .endpoint(server.url())
            .build()
            .unwrap()
    };
    let long_term = || Credentials::new(mock::SECRET_ID, mock::SECRET_KEY);
    // An unknown role, long-term keys STS does not know, a wrong long-term secret.
    for (provider, code) in [
        (
            assume(long_term(), "nobody"),
            "ResourceNotFound.RoleNotFound",
        ),
        (
            assume(Credentials::new("AKIDstranger", "k"), "partner-admin"),
            "AuthFailure.SecretIdNotFound",
        ),
        (
            assume(
                Credentials::new(mock::SECRET_ID, "not-the-key"),
                "partner-admin",
            ),
            "AuthFailure.SignatureFailure",
        ),
    ] {
        let client = client_on(&server.url(), None, provider);
        let err = credentials_error(call(&client, 0).await.unwrap_err());
        eprintln!("{code}: {err}");
        assert!(
            matches!(&err, CredentialsError::Unavailable { source, message }
                if source.starts_with("STS AssumeRole of qcs::cam::uin/")
                    && source.contains(&server.url())
                    && message.starts_with(code)),
            "{code}: {err:?}"
        );
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains(mock::SECRET_KEY) && !shown.contains("not-the-key"),
            "{shown}"
        );
        // Nothing cached, so the next call asks STS again (and is refused again).
        assert_eq!(client.engine().credentials().cached(), None);
        credentials_error(call(&client, 1).await.unwrap_err());
    }
    assert!(api_entries(&server.log()).is_empty(), "{:#?}", server.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_sts_is_a_typed_error_and_a_later_call_recovers() {
    let server = server_builder("partner-admin")
        .sts_qps(1)
        .start()
        .await
        .unwrap();
    let provider = || {
        StsAssumeRoleProvider::builder(
            Credentials::new(mock::SECRET_ID, mock::SECRET_KEY),
            role_arn("partner-admin"),
        )
        .endpoint(server.url())
        .build()
        .unwrap()
    };
    // Someone else takes STS's one request of this second; the client asks right after.
    provider().provide().await.unwrap();
    let second = client_on(&server.url(), None, provider());
    let err = credentials_error(call(&second, 0).await.unwrap_err());
    eprintln!("throttled: {err}");
    assert!(
        matches!(&err, CredentialsError::Unavailable { source, message }
            if source.starts_with("STS AssumeRole of")
                && message.starts_with("RequestLimitExceeded")),
        "{err:?}"
    );
    assert!(api_entries(&server.log()).is_empty());
    // Once STS has room again, a later call gets keys and goes through.
    let deadline = Instant::now() + PATIENCE;
    let mut refusals = 0;
    loop {
        match call(&second, 1).await {
            Ok(()) => break,
            Err(err) => {
                credentials_error(err);
                refusals += 1;
                assert!(Instant::now() < deadline, "{refusals} refusals");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    assert_all_calls_served(&server, 1, "partner-admin");
}

#[test]
fn a_zero_sts_qps_is_refused_at_start() {
    let err = server_builder("r").sts_qps(0).start_blocking().unwrap_err();
    assert!(err.to_string().contains("sts_qps"), "{err}");
}
