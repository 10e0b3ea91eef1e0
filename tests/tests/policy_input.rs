//! Policy text as editors save it: a UTF-8 byte order mark is accepted with a warning that
//! says so (it carries no meaning, but some tools refuse it), never a confusing
//! "expected value at line 1 column 1".

use tencentcloud_intlpartnersmgt::policy::{lint, LintOptions, Severity};
use tencentcloud_intlpartnersmgt::{Action, SERVICE};

const POLICY: &str = r#"{"version":"2.0","statement":[{"effect":"allow","action":["intlpartnersmgt:QueryPartnerCredit"],"resource":["*"]}]}"#;

#[test]
fn a_byte_order_mark_is_named_and_the_policy_still_linted() {
    let findings = lint::<Action>(SERVICE, &format!("\u{feff}{POLICY}"), &LintOptions::default());
    assert_eq!(findings.len(), 1, "{findings:?}");
    let bom = &findings[0];
    assert_eq!((bom.code, bom.severity), ("byte-order-mark", Severity::Warning));
    assert_eq!(bom.line_column, Some((1, 1)));
    assert!(bom.message.contains("byte order mark"), "{bom}");
    // The rest of the document is linted as usual.
    let broken = POLICY.replace("QueryPartnerCredit", "QueryPartnerCredits");
    let findings = lint::<Action>(SERVICE, &format!("\u{feff}{broken}"), &LintOptions::default());
    let codes: Vec<&str> = findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, ["byte-order-mark", "unknown-action"]);
    // Only at the very start: elsewhere it is what JSON makes of it.
    let findings = lint::<Action>(SERVICE, &format!(" \u{feff}{POLICY}"), &LintOptions::default());
    assert_eq!(findings[0].code, "malformed-json", "{findings:?}");
}
