//! IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, what a dual-stack listener reports for
//! an IPv4 caller) are the IPv4 address they map, in requests and in policies alike: a
//! deny on `10.0.0.0/8` applies to `::ffff:10.0.0.1`, an allow matches it, and a policy
//! range written `::ffff:10.0.0.0/104` is `10.0.0.0/8`.

use serde_json::{json, Value};
use tencentcloud_intlpartnersmgt::policy::{
    evaluate, lint, statements, Decision, LintOptions, PolicyBuilder, Request, Severity,
};
use tencentcloud_intlpartnersmgt::{Action, SERVICE};

fn policy(effect: &str, operator: &str, ranges: &[&str]) -> Value {
    json!({"version": "2.0", "statement": [
        {"effect": effect, "action": "intlpartnersmgt:QueryPartnerCredit", "resource": "*",
         "condition": {operator: {"qcs:ip": ranges}}}
    ]})
}

fn allow_all() -> Value {
    json!({"version": "2.0", "statement": [
        {"effect": "allow", "action": "intlpartnersmgt:*", "resource": "*"}
    ]})
}

fn decide(policies: &[Value], ip: &str) -> Decision {
    let parsed: Vec<_> = policies.iter().map(|p| statements(p).unwrap()).collect();
    let request = Request {
        action: Action::QueryPartnerCredit,
        source_ip: Some(ip.parse().unwrap()),
        resource: "*",
    };
    evaluate::<Action>(SERVICE, &parsed, &request).decision
}

#[test]
fn mapped_addresses_are_the_ipv4_address_they_map() {
    use Decision::{Allow, Deny};
    let cases: Vec<(&str, Vec<Value>, &str, Decision)> = vec![
        (
            "allow on an IPv4 range matches a mapped caller inside",
            vec![policy("allow", "ip_equal", &["10.0.0.0/8"])],
            "::ffff:10.0.0.1",
            Allow,
        ),
        (
            "allow on an IPv4 range does not match a mapped caller outside",
            vec![policy("allow", "ip_equal", &["10.0.0.0/8"])],
            "::ffff:192.0.2.1",
            Deny,
        ),
        (
            "deny on an IPv4 range applies to a mapped caller inside",
            vec![allow_all(), policy("deny", "ip_equal", &["10.0.0.0/8"])],
            "::ffff:10.0.0.1",
            Deny,
        ),
        (
            "deny outside an IPv4 range spares a mapped caller inside",
            vec![allow_all(), policy("deny", "ip_not_equal", &["10.0.0.0/8"])],
            "::ffff:10.0.0.1",
            Allow,
        ),
        (
            "deny outside an IPv4 range applies to a mapped caller outside",
            vec![allow_all(), policy("deny", "ip_not_equal", &["10.0.0.0/8"])],
            "::ffff:192.0.2.1",
            Deny,
        ),
        (
            "a mapped policy range is its IPv4 range: IPv4 caller",
            vec![policy("allow", "ip_equal", &["::ffff:10.0.0.0/104"])],
            "10.1.2.3",
            Allow,
        ),
        (
            "a mapped policy range is its IPv4 range: mapped caller",
            vec![policy("allow", "ip_equal", &["::ffff:10.0.0.0/104"])],
            "::ffff:10.1.2.3",
            Allow,
        ),
        (
            "a mapped policy range is its IPv4 range: outside",
            vec![policy("allow", "ip_equal", &["::ffff:10.0.0.0/104"])],
            "11.0.0.1",
            Deny,
        ),
        (
            "a mapped policy address is its IPv4 address",
            vec![policy("allow", "ip_equal", &["::ffff:10.0.0.1"])],
            "10.0.0.1",
            Allow,
        ),
        (
            "a deny on a mapped range applies to an IPv4 caller",
            vec![
                allow_all(),
                policy("deny", "ip_equal", &["::ffff:10.0.0.0/104"]),
            ],
            "10.9.9.9",
            Deny,
        ),
        (
            "an IPv6 range holding all of ::ffff:0:0/96 holds every IPv4 address",
            vec![policy("allow", "ip_equal", &["::/0"])],
            "192.0.2.1",
            Allow,
        ),
        (
            "an IPv6 range beside the mapped block holds no IPv4 address",
            vec![policy("allow", "ip_equal", &["2001:db8::/32"])],
            "192.0.2.1",
            Deny,
        ),
        (
            "plain IPv6 still works",
            vec![policy("allow", "ip_equal", &["2001:db8::/32"])],
            "2001:db8::1",
            Allow,
        ),
    ];
    for (name, policies, ip, expected) in cases {
        assert_eq!(decide(&policies, ip), expected, "{name}");
    }
}

#[test]
fn the_builder_writes_mapped_ranges_as_ipv4() {
    let (document, _) = PolicyBuilder::<Action>::new(SERVICE)
        .action(Action::QueryPartnerCredit)
        .allow_ips(["::ffff:10.0.0.0/104", "::ffff:203.0.113.7", "2001:db8::/32"])
        .build()
        .unwrap();
    assert_eq!(
        document["statement"][0]["condition"],
        json!({"ip_equal": {"qcs:ip": ["10.0.0.0/8", "203.0.113.7/32", "2001:db8::/32"]}})
    );
}

#[test]
fn the_linter_names_the_ipv4_range_of_a_mapped_one() {
    let text = policy("allow", "ip_equal", &["10.0.0.0/8", "::ffff:10.0.0.0/104"]).to_string();
    let findings = lint::<Action>(SERVICE, &text, &LintOptions::default());
    let mapped: Vec<_> = findings
        .iter()
        .filter(|f| f.code == "mapped-ipv4")
        .collect();
    assert_eq!(mapped.len(), 1, "{findings:?}");
    assert_eq!(mapped[0].severity, Severity::Warning);
    assert_eq!(
        mapped[0].pointer,
        "/statement/0/condition/ip_equal/qcs:ip/1"
    );
    assert!(mapped[0].message.contains("`10.0.0.0/8`"), "{}", mapped[0]);
    // A mapped range that is not a CIDR is still invalid, not mapped.
    let text = policy("allow", "ip_equal", &["::ffff:10.0.0.0/129"]).to_string();
    let findings = lint::<Action>(SERVICE, &text, &LintOptions::default());
    assert!(
        findings.iter().any(|f| f.code == "invalid-cidr"),
        "{findings:?}"
    );
}
