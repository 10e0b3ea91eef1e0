//! CAM policies over the real permission table: the builder, each linter rule, the
//! evaluator's semantics (table-driven), and a property: the evaluator never allows what
//! no statement allows.

use std::net::IpAddr;

use proptest::prelude::*;
use serde_json::{json, Value};
use tencentcloud_intlpartnersmgt::policy::{
    self, evaluate, lint, statements, Assumption, BuildWarning, Decision, Finding, LintOptions,
    PolicyBuilder, Request, Severity,
};
use tencentcloud_intlpartnersmgt::{Action, CamClass, SERVICE};

const NO_IP: [&str; 6] = [
    "CheckInQnList",
    "CheckPopUpPushStatus",
    "ContractModeSwitch",
    "QueryIndirectCustomersDetail",
    "QueryUser",
    "UpdatePopUpPushStatus",
];

fn builder() -> PolicyBuilder<Action> {
    PolicyBuilder::new(SERVICE)
}

fn findings(policy: &Value, options: LintOptions) -> Vec<Finding> {
    lint::<Action>(SERVICE, &policy.to_string(), &options)
}

fn decide(
    policies: &[Value],
    action: Action,
    ip: Option<&str>,
    resource: &str,
) -> (Decision, Option<String>) {
    let parsed: Vec<_> = policies.iter().map(|p| statements(p).unwrap()).collect();
    let request = Request {
        action,
        source_ip: ip.map(|i| i.parse::<IpAddr>().unwrap()),
        resource,
    };
    let trace = evaluate::<Action>(SERVICE, &parsed, &request);
    (trace.decision, trace.decided_by.map(|o| o.statement))
}

// ---------------------------------------------------------------------------------------
// Builder

#[test]
fn read_only_billing_policy_is_deterministic_and_lints_clean() {
    let build = || {
        builder()
            .category("Bill Management APIs")
            .cam_class(CamClass::Read)
            .cam_class(CamClass::List)
            .exclude(Action::DescribeBillSummaryByProduct)
    };
    let (policy, warnings) = build().build().unwrap();
    assert!(warnings.is_empty());
    assert_eq!(policy, build().build().unwrap().0, "deterministic");
    assert_eq!(policy["version"], "2.0");
    let statement = &policy["statement"][0];
    assert_eq!(
        (statement["effect"].as_str(), &statement["resource"]),
        (Some("allow"), &json!(["*"]))
    );
    let actions = statement["action"].as_array().unwrap();
    // The category's read and list actions, one excluded (the category and the classes
    // narrow each other: tests/tests/policy_selectors.rs).
    let billing_reads = Action::in_category("Bill Management APIs")
        .filter(|a| a.info().cam_class.is_some_and(|c| c.is_read_only()))
        .count();
    assert!(billing_reads > 1);
    assert_eq!(actions.len(), billing_reads - 1);
    assert!(actions
        .iter()
        .all(|a| a.as_str().unwrap().starts_with("intlpartnersmgt:")));
    assert!(!actions.contains(&json!("intlpartnersmgt:DescribeBillSummaryByProduct")));
    let mut sorted = actions.clone();
    sorted.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    assert_eq!(&sorted, actions);
    let found = findings(&policy, LintOptions { read_only: true });
    assert!(
        found.iter().all(|f| f.severity == Severity::Info),
        "{found:?}"
    );
}

#[test]
fn ip_allow_list_splits_out_the_six_actions_without_ip_restriction() {
    let (policy, warnings) = builder()
        .cam_class(CamClass::Read)
        .cam_class(CamClass::List)
        .cam_class(CamClass::Other)
        .cam_class(CamClass::Write)
        .allow_ips(["10.0.0.0/8", "203.0.113.7"])
        .build()
        .unwrap();
    let statements = policy["statement"].as_array().unwrap();
    assert_eq!(statements.len(), 2);
    assert_eq!(
        statements[0]["condition"],
        json!({"ip_equal": {"qcs:ip": ["10.0.0.0/8", "203.0.113.7/32"]}})
    );
    let unprotected: Vec<String> = statements[1]["action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().replace("intlpartnersmgt:", ""))
        .collect();
    assert_eq!(unprotected, NO_IP);
    assert!(statements[1].get("condition").is_none());
    assert_eq!(warnings, [BuildWarning::NoIpRestriction(NO_IP.to_vec())]);
    assert!(warnings[0].to_string().contains("cannot protect them"));
    assert_eq!(statements[0]["action"].as_array().unwrap().len(), 238 - 6);
}

#[test]
fn builder_rejects_bad_cidrs_and_empty_selections() {
    let err = builder()
        .action(Action::QueryUser)
        .allow_ips(["10.0.0.0/33"])
        .build()
        .unwrap_err();
    assert_eq!(err, policy::PolicyError::InvalidCidr("10.0.0.0/33".into()));
    let err = builder()
        .action(Action::QueryUser)
        .exclude(Action::QueryUser)
        .build()
        .unwrap_err();
    assert_eq!(err, policy::PolicyError::NoActions);
}

#[test]
fn minimising_uses_wildcards_only_where_they_expand_exactly() {
    let full = builder()
        .cam_class(CamClass::Read)
        .cam_class(CamClass::List)
        .cam_class(CamClass::Write)
        .cam_class(CamClass::Other);
    let (policy, _) = full.clone().minimise(true).build().unwrap();
    let actions = policy["statement"][0]["action"].as_array().unwrap();
    assert!(actions.len() < 60, "{} patterns", actions.len());
    // Every action is covered, and no more than the selection: expand each pattern.
    let mut expanded: Vec<&str> = actions
        .iter()
        .flat_map(|p| policy::expand::<Action>(SERVICE, p.as_str().unwrap()).map(|a| a.name()))
        .collect();
    expanded.sort();
    expanded.dedup();
    assert_eq!(expanded.len(), 238);

    // Reads only: `Query*` would take in Query* writes, so it must not appear.
    let (policy, _) = builder()
        .cam_class(CamClass::Read)
        .minimise(true)
        .build()
        .unwrap();
    let patterns: Vec<&str> = policy["statement"][0]["action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(!patterns.contains(&"intlpartnersmgt:Query*"));
    for pattern in &patterns {
        for action in policy::expand::<Action>(SERVICE, pattern) {
            assert_eq!(
                action.info().cam_class,
                Some(CamClass::Read),
                "{pattern} takes in {}",
                action.name()
            );
        }
    }
    let mut covered: Vec<Action> = patterns
        .iter()
        .flat_map(|p| policy::expand::<Action>(SERVICE, p))
        .collect();
    covered.sort();
    covered.dedup();
    assert_eq!(
        covered,
        Action::with_cam_class(CamClass::Read).collect::<Vec<_>>()
    );
    assert!(
        patterns.len() < covered.len(),
        "minimising should shorten the list"
    );
}

// ---------------------------------------------------------------------------------------
// Linter, one case per rule

#[test]
fn lint_rules() {
    let allow = |actions: Value| json!({"version": "2.0", "statement": [{"effect": "allow", "action": actions, "resource": ["*"]}]});
    let cases: Vec<(&str, String, LintOptions, &str, Severity, &str)> = vec![
        ("malformed json", "{\"version\": \"2.0\",\n \"statement\": [}".into(), LintOptions::default(), "malformed-json", Severity::Error, ""),
        ("element case", json!({"version": "2.0", "Statement": []}).to_string(), LintOptions::default(), "element-case", Severity::Error, "/Statement"),
        ("wrong version", json!({"version": "1.0", "statement": []}).to_string(), LintOptions::default(), "version", Severity::Error, "/version"),
        ("bad effect", json!({"version": "2.0", "statement": [{"effect": "permit", "action": "intlpartnersmgt:QueryUser"}]}).to_string(), LintOptions::default(), "not-a-policy", Severity::Error, "/statement/0/effect"),
        ("unknown action", allow(json!(["intlpartnersmgt:QueryPartnerCredits"])).to_string(), LintOptions::default(), "unknown-action", Severity::Error, "/statement/0/action/0"),
        ("no service", allow(json!(["QueryUser"])).to_string(), LintOptions::default(), "unknown-action", Severity::Error, "/statement/0/action/0"),
        ("wildcard", allow(json!(["intlpartnersmgt:Describe*"])).to_string(), LintOptions::default(), "wildcard", Severity::Info, "/statement/0/action/0"),
        ("empty wildcard", allow(json!(["intlpartnersmgt:Frobnicate*"])).to_string(), LintOptions::default(), "wildcard-matches-nothing", Severity::Warning, "/statement/0/action/0"),
        ("other service", allow(json!(["cvm:DescribeInstances"])).to_string(), LintOptions::default(), "other-service", Severity::Info, "/statement/0/action/0"),
        (
            "narrow resource",
            json!({"version": "2.0", "statement": [{"effect": "allow", "action": "intlpartnersmgt:QueryUser", "resource": "qcs::intlpartnersmgt::uin/1:user/2"}]}).to_string(),
            LintOptions::default(),
            "narrow-resource",
            Severity::Error,
            "/statement/0/resource",
        ),
        (
            "ip condition on unsupported actions",
            json!({"version": "2.0", "statement": [{"effect": "allow", "action": ["intlpartnersmgt:QueryUser"], "resource": "*", "condition": {"ip_equal": {"qcs:ip": ["10.0.0.0/8"]}}}]}).to_string(),
            LintOptions::default(),
            "ip-condition-unsupported",
            Severity::Warning,
            "/statement/0/condition/ip_equal",
        ),
        (
            "invalid cidr",
            json!({"version": "2.0", "statement": [{"effect": "allow", "action": ["intlpartnersmgt:QueryPartnerCredit"], "resource": "*", "condition": {"ip_equal": {"qcs:ip": ["10.0.0.300/8"]}}}]}).to_string(),
            LintOptions::default(),
            "invalid-cidr",
            Severity::Error,
            "/statement/0/condition/ip_equal/qcs:ip/0",
        ),
        (
            "unknown operator",
            json!({"version": "2.0", "statement": [{"effect": "allow", "action": ["intlpartnersmgt:QueryPartnerCredit"], "resource": "*", "condition": {"ip_equals": {"qcs:ip": ["10.0.0.0/8"]}}}]}).to_string(),
            LintOptions::default(),
            "unknown-operator",
            Severity::Error,
            "/statement/0/condition/ip_equals",
        ),
        ("write in read-only", allow(json!(["intlpartnersmgt:AllocateCreditPool"])).to_string(), LintOptions { read_only: true }, "write-in-read-only", Severity::Error, "/statement/0/action"),
    ];
    for (name, text, options, code, severity, pointer) in cases {
        let found = lint::<Action>(SERVICE, &text, &options);
        let hit = found
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("{name}: no {code} in {found:?}"));
        assert_eq!(hit.severity, severity, "{name}");
        assert_eq!(hit.pointer, pointer, "{name}");
    }
}

#[test]
fn lint_details() {
    // The nearest known name is suggested.
    let found = lint::<Action>(SERVICE, &json!({"version": "2.0", "statement": [{"effect": "allow", "action": "intlpartnersmgt:QueryPartnerCredits", "resource": "*"}]}).to_string(), &LintOptions::default());
    assert!(
        found[0]
            .message
            .contains("did you mean `intlpartnersmgt:QueryPartnerCredit`"),
        "{}",
        found[0]
    );
    assert_eq!(
        found[0].pointer, "/statement/0/action",
        "a single action string is pointed at directly"
    );
    // Both spellings of an action are accepted; `*` resources on operation-level actions
    // are correct and raise nothing.
    let found = lint::<Action>(SERVICE, &json!({"version": "2.0", "statement": [{"effect": "allow", "action": ["name/intlpartnersmgt:QueryUser", "intlpartnersmgt:QueryPartnerCredit"], "resource": "*"}]}).to_string(), &LintOptions::default());
    assert!(found.is_empty(), "{found:?}");
    // Wildcard expansion counts against the table.
    let found = lint::<Action>(SERVICE, &json!({"version": "2.0", "statement": [{"effect": "allow", "action": ["intlpartnersmgt:Describe*", "intlpartnersmgt:Query*"], "resource": "*"}]}).to_string(), &LintOptions::default());
    assert!(
        found[0].message.contains("expands to 24 action(s)"),
        "{}",
        found[0]
    );
    assert!(
        found[1].message.contains("expands to 129 action(s)"),
        "{}",
        found[1]
    );
    // Malformed JSON names line and column.
    let found = lint::<Action>(
        SERVICE,
        "{\"version\": \"2.0\",\n \"statement\": [}",
        &LintOptions::default(),
    );
    assert_eq!(found[0].line_column, Some((2, 16)));
    assert_eq!(found.len(), 1);
}

// ---------------------------------------------------------------------------------------
// Evaluator

fn allow_stmt(actions: &[&str], condition: Option<Value>) -> Value {
    let mut s = json!({"effect": "allow", "action": actions, "resource": "*"});
    if let Some(c) = condition {
        s["condition"] = c;
    }
    s
}

fn policy_of(statements: Vec<Value>) -> Value {
    json!({"version": "2.0", "statement": statements})
}

#[test]
fn evaluation_table() {
    let reads = policy_of(vec![allow_stmt(
        &["intlpartnersmgt:Query*", "intlpartnersmgt:Describe*"],
        None,
    )]);
    let office = Some(json!({"ip_equal": {"qcs:ip": ["10.0.0.0/8"]}}));
    let from_office = policy_of(vec![allow_stmt(&["intlpartnersmgt:*"], office.clone())]);
    let deny_credit = policy_of(vec![
        json!({"effect": "deny", "action": "intlpartnersmgt:QueryPartnerCredit", "resource": "*"}),
    ]);
    let deny_outside = policy_of(vec![
        json!({"effect": "deny", "action": "intlpartnersmgt:*", "resource": "*", "condition": {"ip_not_equal": {"qcs:ip": ["10.0.0.0/8"]}}}),
    ]);
    let narrow = policy_of(vec![
        json!({"effect": "allow", "action": "intlpartnersmgt:QueryUser", "resource": "qcs::intlpartnersmgt::uin/1:user/2"}),
    ]);
    let odd_condition = policy_of(vec![allow_stmt(
        &["intlpartnersmgt:QueryPartnerCredit"],
        Some(json!({"date_greater_than": {"qcs:current_time": ["2020-01-01"]}})),
    )]);
    /// Name, attached policies, action, source IP, expected decision.
    type Case<'a> = (&'a str, Vec<&'a Value>, Action, Option<&'a str>, Decision);
    let cases: Vec<Case> = vec![
        (
            "nothing matches: deny",
            vec![],
            Action::QueryUser,
            None,
            Decision::Deny,
        ),
        (
            "wildcard allow",
            vec![&reads],
            Action::QueryPartnerCredit,
            None,
            Decision::Allow,
        ),
        (
            "a write is outside Query*",
            vec![&reads],
            Action::AllocateCreditPool,
            None,
            Decision::Deny,
        ),
        (
            "explicit deny wins",
            vec![&reads, &deny_credit],
            Action::QueryPartnerCredit,
            None,
            Decision::Deny,
        ),
        (
            "deny does not spill over",
            vec![&reads, &deny_credit],
            Action::QueryCustomersCredit,
            None,
            Decision::Allow,
        ),
        (
            "ip allow from inside",
            vec![&from_office],
            Action::QueryPartnerCredit,
            Some("10.1.2.3"),
            Decision::Allow,
        ),
        (
            "ip allow from outside",
            vec![&from_office],
            Action::QueryPartnerCredit,
            Some("192.0.2.1"),
            Decision::Deny,
        ),
        (
            "ip allow without a source ip fails closed",
            vec![&from_office],
            Action::QueryPartnerCredit,
            None,
            Decision::Deny,
        ),
        (
            "ip condition cannot restrict QueryUser",
            vec![&from_office],
            Action::QueryUser,
            Some("192.0.2.1"),
            Decision::Allow,
        ),
        (
            "conditional deny applies outside",
            vec![&reads, &deny_outside],
            Action::QueryPartnerCredit,
            Some("192.0.2.1"),
            Decision::Deny,
        ),
        (
            "conditional deny spares inside",
            vec![&reads, &deny_outside],
            Action::QueryPartnerCredit,
            Some("10.0.0.9"),
            Decision::Allow,
        ),
        (
            "conditional deny without source ip fails closed",
            vec![&reads, &deny_outside],
            Action::QueryPartnerCredit,
            None,
            Decision::Deny,
        ),
        (
            "narrow resource grants nothing",
            vec![&narrow],
            Action::QueryUser,
            None,
            Decision::Deny,
        ),
        (
            "uncheckable allow does not grant",
            vec![&odd_condition],
            Action::QueryPartnerCredit,
            None,
            Decision::Deny,
        ),
    ];
    for (name, policies, action, ip, expected) in cases {
        let owned: Vec<Value> = policies.into_iter().cloned().collect();
        let (decision, _) = decide(&owned, action, ip, "*");
        assert_eq!(decision, expected, "{name}");
    }
}

#[test]
fn traces_name_the_deciding_statement_and_assumption() {
    let policies = vec![
        policy_of(vec![allow_stmt(&["intlpartnersmgt:Query*"], None)]),
        policy_of(vec![
            json!({"sid": "no-credit", "effect": "deny", "action": "intlpartnersmgt:QueryPartnerCredit", "resource": "*"}),
        ]),
    ];
    let (decision, by) = decide(&policies, Action::QueryPartnerCredit, None, "*");
    assert_eq!(
        (decision, by.as_deref()),
        (Decision::Deny, Some("statement 0 (sid no-credit)"))
    );
    let (decision, by) = decide(&policies, Action::QueryUser, None, "*");
    assert_eq!(
        (decision, by.as_deref()),
        (Decision::Allow, Some("statement 0"))
    );

    let parsed = vec![statements(&policy_of(vec![allow_stmt(
        &["intlpartnersmgt:QueryUser"],
        Some(json!({"ip_equal": {"qcs:ip": ["10.0.0.0/8"]}})),
    )]))
    .unwrap()];
    let trace = evaluate::<Action>(
        SERVICE,
        &parsed,
        &Request {
            action: Action::QueryUser,
            source_ip: Some("192.0.2.1".parse().unwrap()),
            resource: "*",
        },
    );
    assert_eq!(
        trace.decided_by.unwrap().assumption,
        Some(Assumption::IpConditionIgnoredWithoutSupport)
    );
}

// ---------------------------------------------------------------------------------------
// Property: the evaluator never allows what no statement allows.

fn any_action() -> impl Strategy<Value = Action> {
    (0..Action::all().len()).prop_map(|i| Action::all()[i])
}

fn any_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        any_action().prop_map(|a| format!("intlpartnersmgt:{}", a.name())),
        "(Query|Describe|Create|Modify|Get|Check|Allocate)"
            .prop_map(|p| format!("intlpartnersmgt:{p}*")),
        Just("intlpartnersmgt:*".to_owned()),
        Just("*".to_owned()),
        Just("cvm:*".to_owned()),
    ]
}

fn any_statement() -> impl Strategy<Value = Value> {
    (
        prop::bool::ANY,
        prop::collection::vec(any_pattern(), 1..4),
        prop_oneof![Just(json!("*")), Just(json!("qcs::intlpartnersmgt::uin/1:x/1"))],
        prop_oneof![
            Just(None),
            Just(Some(json!({"ip_equal": {"qcs:ip": ["10.0.0.0/8"]}}))),
            Just(Some(json!({"ip_not_equal": {"qcs:ip": ["10.0.0.0/8"]}}))),
            Just(Some(json!({"ip_equal": {"qcs:ip": ["not-a-cidr"]}}))),
        ],
    )
        .prop_map(|(allow, actions, resource, condition)| {
            let mut s = json!({"effect": if allow { "allow" } else { "deny" }, "action": actions, "resource": resource});
            if let Some(c) = condition {
                s["condition"] = c;
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn never_allows_what_no_allow_statement_covers(
        statements_in in prop::collection::vec(any_statement(), 0..5),
        action in any_action(),
        ip in prop_oneof![Just(None), Just(Some("10.1.1.1")), Just(Some("192.0.2.1"))],
    ) {
        let document = policy_of(statements_in);
        let parsed = statements(&document).unwrap();
        let request = Request { action, source_ip: ip.map(|i| i.parse().unwrap()), resource: "*" };
        let trace = evaluate::<Action>(SERVICE, std::slice::from_ref(&parsed), &request);
        if trace.decision == Decision::Allow {
            // Some allow statement covers the action, with `*` resource for this
            // operation-level action, and no deny statement applied.
            let decided = trace.decided_by.unwrap();
            prop_assert_eq!(decided.effect, policy::Effect::Allow);
            let statement = &parsed[decided.statement.trim_start_matches("statement ").parse::<usize>().unwrap()];
            prop_assert!(statement.actions.iter().any(|p| policy::expand::<Action>(SERVICE, p).any(|a| a == action)));
            prop_assert!(statement.resources.iter().any(|r| r == "*"));
            prop_assert!(trace.outcomes.iter().all(|o| !(o.applied && o.effect == policy::Effect::Deny)));
        }
        // With no allow statement at all, nothing is ever allowed.
        if parsed.iter().all(|s| s.effect == policy::Effect::Deny) {
            prop_assert_eq!(trace.decision, Decision::Deny);
        }
    }
}
