//! A CAM policy document (JSON text) through the linter (both modes), the parser and
//! the evaluator: every action of the generated intlpartnersmgt table, from IPv4, IPv6,
//! IPv4-mapped IPv6 and unknown source addresses.
#![no_main]
use std::net::IpAddr;

use libfuzzer_sys::fuzz_target;
use tencentcloud_intlpartnersmgt::policy::{evaluate, lint, statements, LintOptions, Request};
use tencentcloud_intlpartnersmgt::{Action, ActionTable, SERVICE};

fuzz_target!(|text: &str| {
    for read_only in [false, true] {
        for finding in lint::<Action>(SERVICE, text, &LintOptions { read_only }) {
            let _ = finding.to_string();
        }
    }
    let Ok(document) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let Ok(parsed) = statements(&document) else {
        return;
    };
    let policies = vec![parsed];
    let sources: [Option<IpAddr>; 4] = [
        Some("10.1.2.3".parse().unwrap()),
        Some("::ffff:10.1.2.3".parse().unwrap()),
        Some("2001:db8::1".parse().unwrap()),
        None,
    ];
    for &action in Action::ALL {
        for source_ip in sources {
            for resource in ["*", "qcs::intlpartnersmgt::uin/1:resource/x"] {
                let request = Request {
                    action,
                    source_ip,
                    resource,
                };
                let _ = evaluate::<Action>(SERVICE, &policies, &request);
            }
        }
    }
});
