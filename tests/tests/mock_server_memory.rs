//! What the mock servers keep stays bounded in bytes: the decision log and the recorded
//! calls drop their oldest entries past a byte budget, and oversized header values are
//! refused before they are logged. Its own test binary, so the resident-set measurement
//! sees only this server.

mod wire;

use partnergen_runtime::server::Limits;
use serde_json::json;
use tencentcloud_intlpartnersmgt::mock::{self, Checks};
use wire::{exchange, signed, unix_now};

/// The process's resident set in bytes (Linux; `None` elsewhere).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_thousand_unauthenticated_requests_with_huge_actions_stay_small() {
    let server = mock::server().start().await.unwrap();
    let action = "A".repeat(60 << 10);
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nX-TC-Action: {action}\r\nX-TC-Version: 2022-01-28\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}",
        server.addr()
    );
    // Warm up: the runtime's and allocator's first arenas are not growth.
    for _ in 0..50 {
        exchange(server.addr(), head.as_bytes()).await;
    }
    let before = resident_bytes();
    for _ in 0..3_000 {
        let raw = exchange(server.addr(), head.as_bytes()).await;
        raw.assert_service_shape();
    }
    let after = resident_bytes();
    let held = server.memory();
    assert_eq!(held.log_entries, 3_050);
    assert!(
        held.log_bytes < 3_050 * 1024,
        "{} bytes for {} entries",
        held.log_bytes,
        held.log_entries
    );
    match (before, after) {
        (Some(before), Some(after)) => {
            // 3,000 × 60 KB kept would be 180 MB; what is kept is under 3 MB. The rest
            // is room for the allocator's own slack.
            let growth = after.saturating_sub(before);
            assert!(growth < 48 << 20, "the process grew by {growth} bytes");
        }
        _ => eprintln!("no /proc/self/status here: the resident set is not measured"),
    }
}

#[tokio::test]
async fn the_log_and_the_recorded_calls_drop_their_oldest_entries_past_the_budget() {
    let limits = Limits {
        max_log_bytes: 16 << 10,
        max_recorded_call_bytes: 32 << 10,
        ..Limits::default()
    };
    let server = mock::server()
        .checks(Checks {
            qps: false,
            ..Checks::default()
        })
        .limits(limits)
        .start()
        .await
        .unwrap();
    let client = mock::server_client(&server);
    // Each call's body is about 1 KB: a few dozen fit the budget, 300 do not.
    let filler = "x".repeat(1000);
    let body = json!({"ClientUin": 1, "Filler": filler}).to_string();
    let valid = json!({}).to_string();
    for i in 0..300 {
        let body = if i % 2 == 0 { &body } else { &valid };
        let request = signed(&client, "QueryPartnerCredit", body, unix_now());
        exchange(server.addr(), &wire::as_sent(&request)).await;
    }
    let held = server.memory();
    assert!(held.log_bytes <= 16 << 10, "{held:?}");
    assert!(held.call_bytes <= 32 << 10, "{held:?}");
    assert!(held.log_entries > 10 && held.log_entries < 300, "{held:?}");
    assert!(held.calls > 10 && held.calls < 150, "{held:?}");
    let log = server.log();
    assert_eq!(log.len(), held.log_entries);
    // The newest are kept, in order.
    assert_eq!(log.last().unwrap().seq, 300);
    assert!(log.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
    assert_eq!(server.mock().calls().len(), held.calls);
    // The admin endpoint says the same.
    let raw = exchange(
        server.addr(),
        &wire::admin_bytes("GET", "/_mock/memory", &serde_json::Value::Null),
    )
    .await;
    assert_eq!(raw.status, 200, "{raw:?}");
    assert_eq!(raw.json()["log_entries"], held.log_entries);
    // Reset gives the bytes back.
    server.reset();
    let held = server.memory();
    assert_eq!((held.log_bytes, held.call_bytes), (0, 0));
}
