//! Raw bytes into the Tencent mock server over one in-memory connection: hyper's
//! parser, the size limits, the admin endpoint and the API 3.0 pipeline (head and body).
//! The first byte switches checks off (bit set: check off), so unsigned requests reach
//! the later checks too.
#![no_main]
use std::net::SocketAddr;

use libfuzzer_sys::fuzz_target;
use partnergen_fuzz::exchange;
use partnergen_runtime::server::{Checks, Limits};
use tencentcloud_intlpartnersmgt::mock::server;

fuzz_target!(|data: &[u8]| {
    let Some((&switches, request)) = data.split_first() else {
        return;
    };
    let bit = |n: u8| switches & (1 << n) == 0;
    let checks = Checks {
        signature: bit(0),
        clock_skew: bit(1),
        qps: bit(2),
        policies: bit(3),
        parameters: bit(4),
        ..Checks::default()
    };
    let peer: SocketAddr = if switches & 0x80 == 0 {
        "127.0.0.1:40000"
    } else {
        "[::ffff:10.1.2.3]:40000"
    }
    .parse()
    .unwrap();
    // Small limits, so the fuzzer reaches them.
    let limits = Limits {
        max_body_bytes: 4096,
        max_head_bytes: 8192,
        ..Limits::default()
    };
    let builder = server().checks(checks).limits(limits).policy(
        tencentcloud_intlpartnersmgt::mock::SECRET_ID,
        serde_json::json!({"statement": [{"effect": "allow", "action": "intlpartnersmgt:*",
                "condition": {"ip_equal": {"qcs:ip": "10.0.0.0/8"}}}]}),
    );
    exchange(
        |stream| async move {
            builder
                .serve_stream(stream, peer)
                .await
                .expect("the server starts");
        },
        request,
    );
});
