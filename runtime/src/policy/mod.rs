//! CAM policies from the permission tables: a builder of least-privilege policies, a
//! linter, and an evaluator with CAM's semantics. Generic over a generated action table,
//! so the facts (names, CAM classes, granularity, IP-restriction support) are the docs'.
//!
//! Where CAM's behaviour is not documented, the choice is a named assumption
//! ([`Assumption`]), listed in the README and referenced by findings and traces.

mod build;
#[cfg(feature = "policy-cli")]
pub mod cli;
mod eval;
mod lint;
mod statement;

pub use build::{BuildWarning, PolicyBuilder};
pub use eval::{evaluate, Decision, Request, StatementOutcome, Trace};
pub use lint::{lint, Finding, LintOptions, Severity, SUGGESTION_BUDGET};
pub use statement::{
    canonical_range, covers, expand, glob, is_any_resource, out_of_scope, parse_action,
    parse_ip_range, policy_text, range_contains, statements, strip_byte_order_mark, ActionPattern,
    Assumption, Condition, Effect, PolicyError, Statement, BYTE_ORDER_MARK_WARNING, IP_KEY,
    IP_OPERATORS,
};
