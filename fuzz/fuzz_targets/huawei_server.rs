//! Raw bytes into the Huawei mock server over one in-memory connection: hyper's parser,
//! the size limits, the admin endpoint and the REST pipeline (route, path and query
//! parameters, head and body). The first byte switches checks off (bit set: check off),
//! so unsigned requests reach the later checks too.
#![no_main]
use std::net::SocketAddr;

use huaweicloud_partner_center::mock::server;
use libfuzzer_sys::fuzz_target;
use partnergen_fuzz::exchange;
use partnergen_runtime::server::{Checks, Limits};

fuzz_target!(|data: &[u8]| {
    let Some((&switches, request)) = data.split_first() else {
        return;
    };
    let bit = |n: u8| switches & (1 << n) == 0;
    let checks = Checks {
        signature: bit(0),
        clock_skew: bit(1),
        permissions: bit(2),
        parameters: bit(3),
        ..Checks::default()
    };
    let limits = Limits {
        max_body_bytes: 4096,
        max_head_bytes: 8192,
        ..Limits::default()
    };
    let mut builder = server().checks(checks).limits(limits);
    if switches & 0x80 != 0 {
        builder = builder.permissions(["BPC_ITEM_SUBCUSTSERV_010100"]);
    }
    let peer: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    exchange(|stream| builder.serve_stream(stream, peer), request);
});
