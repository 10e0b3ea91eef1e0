//! Allow or deny a request under a set of policies, with CAM's semantics: nothing matching
//! means deny, an explicit deny wins over any allow, conditional denies are evaluated, and
//! an operation-level action is outside statements with narrower resources. The trace
//! names the statement that decided.

use std::net::IpAddr;

use super::statement::{
    covers, out_of_scope, parse_ip_range, range_contains, Assumption, Condition, Effect, Statement,
    IP_KEY,
};
use crate::tables::ActionTable;

/// What is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'r, A> {
    /// The action called.
    pub action: A,
    /// The caller's source IP, if known.
    pub source_ip: Option<IpAddr>,
    /// The resource (`*` for operation-level actions).
    pub resource: &'r str,
}

/// Allowed or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// An allow statement matched and no deny did.
    Allow,
    /// A deny statement matched, or nothing matched.
    Deny,
}

/// Why one statement did or did not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementOutcome {
    /// Which policy (index into the slice given) and statement.
    pub policy: usize,
    /// The statement's label (`statement N (sid X)`).
    pub statement: String,
    /// The statement's effect.
    pub effect: Effect,
    /// Whether it applied to the request.
    pub applied: bool,
    /// Why (or why not), for a person.
    pub reason: String,
    /// The assumption the outcome relied on, if any.
    pub assumption: Option<super::statement::Assumption>,
}

/// The decision and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The decision.
    pub decision: Decision,
    /// The statement that decided (`None`: nothing matched, implicit deny).
    pub decided_by: Option<StatementOutcome>,
    /// Every statement looked at, in order.
    pub outcomes: Vec<StatementOutcome>,
}

/// Evaluates `request` under `policies` (each a list of statements) for service `service`.
pub fn evaluate<A: ActionTable>(
    service: &str,
    policies: &[Vec<Statement>],
    request: &Request<'_, A>,
) -> Trace {
    let mut outcomes = Vec::new();
    for (policy, statements) in policies.iter().enumerate() {
        for statement in statements {
            let (applied, reason, assumption) = applies(service, statement, request);
            outcomes.push(StatementOutcome {
                policy,
                statement: statement.label(),
                effect: statement.effect,
                applied,
                reason,
                assumption,
            });
        }
    }
    let decided_by = outcomes
        .iter()
        .find(|o| o.applied && o.effect == Effect::Deny)
        .or_else(|| {
            outcomes
                .iter()
                .find(|o| o.applied && o.effect == Effect::Allow)
        })
        .cloned();
    let decision = match &decided_by {
        Some(o) if o.effect == Effect::Allow => Decision::Allow,
        _ => Decision::Deny,
    };
    Trace {
        decision,
        decided_by,
        outcomes,
    }
}

fn applies<A: ActionTable>(
    service: &str,
    statement: &Statement,
    request: &Request<'_, A>,
) -> (bool, String, Option<Assumption>) {
    let info = request.action.info();
    let matched = statement
        .actions
        .iter()
        .find(|pattern| covers(service, pattern, info.name));
    let Some(pattern) = matched else {
        return (
            false,
            format!("no action pattern covers {}", info.name),
            None,
        );
    };
    if out_of_scope(info.granularity, &statement.resources) {
        return (
            false,
            format!(
                "{} is operation-level and the statement's resource is narrower than `*`",
                info.name
            ),
            Some(Assumption::NarrowResourceOutOfScope),
        );
    }
    if !statement
        .resources
        .iter()
        .any(|r| super::statement::glob(r, request.resource))
    {
        return (
            false,
            format!("no resource pattern covers `{}`", request.resource),
            None,
        );
    }
    let mut assumption = None;
    for condition in &statement.conditions {
        match check(condition, info.ip_restriction, request.source_ip) {
            Check::Holds => {}
            Check::Ignored => assumption = Some(Assumption::IpConditionIgnoredWithoutSupport),
            Check::Fails(why) => return (false, why, None),
            Check::Uncheckable(why) => {
                // Fail closed: a deny applies, an allow does not.
                let applies = statement.effect == Effect::Deny;
                return (
                    applies,
                    why,
                    Some(Assumption::UncheckableConditionFailsClosed),
                );
            }
        }
    }
    (
        true,
        format!("`{pattern}` covers {} and every condition holds", info.name),
        assumption,
    )
}

enum Check {
    Holds,
    Ignored,
    Fails(String),
    Uncheckable(String),
}

fn check(condition: &Condition, ip_support: Option<bool>, source_ip: Option<IpAddr>) -> Check {
    let negate = match condition.operator.as_str() {
        "ip_equal" => false,
        "ip_not_equal" => true,
        other => {
            return Check::Uncheckable(format!("condition operator `{other}` cannot be checked"))
        }
    };
    if condition.key != IP_KEY {
        return Check::Uncheckable(format!(
            "condition key `{}` cannot be checked",
            condition.key
        ));
    }
    if ip_support == Some(false) {
        return Check::Ignored;
    }
    // `::ffff:10.0.0.1` is 10.0.0.1 (a dual-stack listener's view of an IPv4 caller).
    let Some(ip) = source_ip.map(|ip| ip.to_canonical()) else {
        return Check::Uncheckable("an IP condition, and the request has no source IP".into());
    };
    let ranges: Option<Vec<_>> = condition.values.iter().map(|v| parse_ip_range(v)).collect();
    let Some(ranges) = ranges else {
        return Check::Uncheckable("an IP condition with a value that is not a CIDR".into());
    };
    let inside = ranges.iter().any(|r| range_contains(r, ip));
    if inside != negate {
        Check::Holds
    } else {
        Check::Fails(format!(
            "{} {ip} fails {}",
            condition.key, condition.operator
        ))
    }
}
