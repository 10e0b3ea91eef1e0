//! Policy text as editors save it: a UTF-8 byte order mark is accepted with a warning that
//! says so (it carries no meaning, but some tools refuse it), never a confusing
//! "expected value at line 1 column 1".

use tencentcloud_intlpartnersmgt::policy::{lint, LintOptions, Severity};
use tencentcloud_intlpartnersmgt::{Action, SERVICE};

const POLICY: &str = r#"{"version":"2.0","statement":[{"effect":"allow","action":["intlpartnersmgt:QueryPartnerCredit"],"resource":["*"]}]}"#;

#[test]
fn a_byte_order_mark_is_named_and_the_policy_still_linted() {
    let findings = lint::<Action>(
        SERVICE,
        &format!("\u{feff}{POLICY}"),
        &LintOptions::default(),
    );
    assert_eq!(findings.len(), 1, "{findings:?}");
    let bom = &findings[0];
    assert_eq!(
        (bom.code, bom.severity),
        ("byte-order-mark", Severity::Warning)
    );
    assert_eq!(bom.line_column, Some((1, 1)));
    assert!(bom.message.contains("byte order mark"), "{bom}");
    // The rest of the document is linted as usual.
    let broken = POLICY.replace("QueryPartnerCredit", "QueryPartnerCredits");
    let findings = lint::<Action>(
        SERVICE,
        &format!("\u{feff}{broken}"),
        &LintOptions::default(),
    );
    let codes: Vec<&str> = findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, ["byte-order-mark", "unknown-action"]);
    // Only at the very start: elsewhere it is what JSON makes of it.
    let findings = lint::<Action>(
        SERVICE,
        &format!(" \u{feff}{POLICY}"),
        &LintOptions::default(),
    );
    assert_eq!(findings[0].code, "malformed-json", "{findings:?}");
}

/// Large input stays linear (the figures: `cargo xtask bench policy`);
/// here, what the findings say when there are many unknown names or a huge one.
#[test]
fn many_or_huge_unknown_names_get_findings_without_endless_suggestions() {
    let unknown: Vec<String> = (0..300)
        .map(|i| format!("intlpartnersmgt:QueryPartnerCredit{i}"))
        .collect();
    let text = serde_json::json!({"version": "2.0", "statement": [
        {"effect": "allow", "action": unknown, "resource": "*"}
    ]})
    .to_string();
    let findings = lint::<Action>(SERVICE, &text, &LintOptions::default());
    assert_eq!(findings.len(), 300);
    assert!(findings.iter().all(|f| f.code == "unknown-action"));
    let suggested = findings
        .iter()
        .filter(|f| {
            f.message
                .contains("did you mean `intlpartnersmgt:QueryPartnerCredit`")
        })
        .count();
    assert_eq!(
        suggested,
        tencentcloud_intlpartnersmgt::policy::SUGGESTION_BUDGET
    );
    assert!(findings[299]
        .message
        .contains("no nearest-name suggestion after the first"));
    // A repeated name costs nothing more and keeps its suggestion.
    let text = serde_json::json!({"version": "2.0", "statement": [
        {"effect": "allow", "action": vec!["intlpartnersmgt:QueryUsr"; 500], "resource": "*"}
    ]})
    .to_string();
    let findings = lint::<Action>(SERVICE, &text, &LintOptions::default());
    assert!(findings.iter().all(|f| f
        .message
        .contains("did you mean `intlpartnersmgt:QueryUser`")));
    // A name far longer than any action: an error with no suggestion.
    let text = serde_json::json!({"version": "2.0", "statement": [
        {"effect": "allow", "action": format!("intlpartnersmgt:{}", "Q".repeat(1_000_000)), "resource": "*"}
    ]})
    .to_string();
    let findings = lint::<Action>(SERVICE, &text, &LintOptions::default());
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0]
            .message
            .ends_with("is not an action of intlpartnersmgt"),
        "{}",
        &findings[0].message[findings[0].message.len() - 80..]
    );
}
