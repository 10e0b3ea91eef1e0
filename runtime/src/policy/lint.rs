//! Findings about a policy document, each with a code, a severity and its position (a JSON
//! pointer; line and column for syntax errors).

use std::collections::BTreeSet;
use std::fmt;

use ipnet::IpNet;
use serde_json::Value;

use super::statement::{
    expand, out_of_scope, parse_action, parse_ip_range, parse_ip_range_as_written, statements,
    strip_byte_order_mark, Effect, BYTE_ORDER_MARK_WARNING, IP_KEY, IP_OPERATORS,
};
use crate::tables::ActionTable;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The policy is wrong: it grants or denies something other than it says.
    Error,
    /// The policy is probably not what was meant.
    Warning,
    /// Good to know (e.g. what a wildcard expands to).
    Info,
}

impl Severity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A stable code, e.g. `unknown-action`.
    pub code: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// Where: a JSON pointer into the document (`/statement/0/action/2`).
    pub pointer: String,
    /// The 1-based line and column, for syntax errors.
    pub line_column: Option<(usize, usize)>,
    /// What is wrong, for a person.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}] ", self.severity.as_str(), self.code)?;
        match self.line_column {
            Some((line, column)) => write!(f, "line {line}, column {column}")?,
            None => write!(
                f,
                "{}",
                if self.pointer.is_empty() {
                    "/"
                } else {
                    &self.pointer
                }
            )?,
        }
        write!(f, ": {}", self.message)
    }
}

/// What the policy is meant to be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// The policy is declared read-only: allowing a write (or other) action is an error.
    pub read_only: bool,
}

struct Findings(Vec<Finding>);

impl Findings {
    fn add(
        &mut self,
        code: &'static str,
        severity: Severity,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(Finding {
            code,
            severity,
            pointer: pointer.into(),
            line_column: None,
            message: message.into(),
        });
    }
}

/// Lints the policy text for service `service` of table `A`.
pub fn lint<A: ActionTable>(service: &str, text: &str, options: &LintOptions) -> Vec<Finding> {
    let mut out = Findings(Vec::new());
    let (text, had_bom) = strip_byte_order_mark(text);
    if had_bom {
        out.0.push(Finding {
            code: "byte-order-mark",
            severity: Severity::Warning,
            pointer: String::new(),
            line_column: Some((1, 1)),
            message: BYTE_ORDER_MARK_WARNING.into(),
        });
    }
    let document: Value = match serde_json::from_str(text) {
        Ok(document) => document,
        Err(err) => {
            out.0.push(Finding {
                code: "malformed-json",
                severity: Severity::Error,
                pointer: String::new(),
                line_column: Some((err.line(), err.column())),
                message: format!("not JSON: {err}"),
            });
            return out.0;
        }
    };
    element_case(&document, "", &mut out);
    match document.get("version").and_then(Value::as_str) {
        Some("2.0") => {}
        Some(other) => out.add(
            "version",
            Severity::Error,
            "/version",
            format!("CAM policies are version \"2.0\", not \"{other}\""),
        ),
        None => out.add(
            "version",
            Severity::Error,
            "/version",
            "a policy needs `\"version\": \"2.0\"`",
        ),
    }
    let statements = match statements(&document) {
        Ok(statements) => statements,
        Err((pointer, message)) => {
            out.add("not-a-policy", Severity::Error, pointer, message);
            return out.0;
        }
    };
    let mut suggestions = Suggestions::<A>::new();
    for statement in &statements {
        let at = |field: &str| format!("/statement/{}/{field}", statement.index);
        let single_action = document["statement"].is_object()
            || document["statement"][statement.index]["action"].is_string();
        let mut covered: BTreeSet<usize> = BTreeSet::new();
        for (j, pattern) in statement.actions.iter().enumerate() {
            let pointer = if single_action {
                at("action")
            } else {
                format!("{}/{j}", at("action"))
            };
            let Some(parsed) = parse_action(pattern) else {
                out.add(
                    "unknown-action",
                    Severity::Error,
                    pointer,
                    format!("`{pattern}` is not `service:Action`"),
                );
                continue;
            };
            if parsed.service != service && parsed.service != "*" {
                out.add(
                    "other-service",
                    Severity::Info,
                    pointer,
                    format!("`{pattern}` is for another service; not checked"),
                );
                continue;
            }
            // An exact name is a binary search; only a wildcard walks the table.
            let expansion: Vec<A> = if parsed.name.contains('*') {
                expand::<A>(service, pattern).collect()
            } else {
                A::from_name(parsed.name).into_iter().collect()
            };
            covered.extend(expansion.iter().map(|a| a.index()));
            if parsed.name.contains('*') {
                if expansion.is_empty() {
                    out.add(
                        "wildcard-matches-nothing",
                        Severity::Warning,
                        pointer,
                        format!("`{pattern}` matches no action"),
                    );
                } else {
                    let mut names: Vec<&str> = expansion.iter().map(|a| a.info().name).collect();
                    let more = names.len().saturating_sub(8);
                    names.truncate(8);
                    let tail = if more > 0 {
                        format!(", and {more} more")
                    } else {
                        String::new()
                    };
                    out.add(
                        "wildcard",
                        Severity::Info,
                        pointer,
                        format!(
                            "`{pattern}` expands to {} action(s): {}{tail}",
                            expansion.len(),
                            names.join(", ")
                        ),
                    );
                }
            } else if expansion.is_empty() {
                let hint = match suggestions.nearest(parsed.name) {
                    Suggestion::Name(nearest) => format!("; did you mean `{service}:{nearest}`?"),
                    Suggestion::TooFar => String::new(),
                    Suggestion::OverBudget => format!(
                        " (no nearest-name suggestion after the first {SUGGESTION_BUDGET} unknown names)"
                    ),
                };
                out.add(
                    "unknown-action",
                    Severity::Error,
                    pointer,
                    format!("`{}` is not an action of {service}{hint}", parsed.name),
                );
            }
        }
        let covered: Vec<A> = covered.into_iter().map(|i| A::ALL[i]).collect();
        let operation_level: Vec<&str> = covered
            .iter()
            .filter(|a| out_of_scope(a.info().granularity, &statement.resources))
            .map(|a| a.info().name)
            .collect();
        if !operation_level.is_empty() {
            let effect = if statement.effect == Effect::Allow {
                "grants nothing for them"
            } else {
                "does not deny them"
            };
            out.add(
                "narrow-resource",
                Severity::Error,
                at("resource"),
                format!(
                    "{} operation-level action(s) ({}) need resource `*`: CAM treats a narrower resource as outside the authorization, so this statement {effect}",
                    operation_level.len(),
                    preview(&operation_level)
                ),
            );
        }
        for condition in &statement.conditions {
            let pointer = format!("{}/{}", at("condition"), condition.operator);
            if !IP_OPERATORS.contains(&condition.operator.as_str()) {
                out.add(
                    "unknown-operator",
                    Severity::Error,
                    pointer,
                    format!(
                        "condition operator `{}` is not one this service's policies use ({})",
                        condition.operator,
                        IP_OPERATORS.join(", ")
                    ),
                );
                continue;
            }
            if condition.key != IP_KEY {
                out.add(
                    "unknown-condition-key",
                    Severity::Warning,
                    format!("{pointer}/{}", condition.key),
                    format!("condition key `{}` is not `{IP_KEY}`", condition.key),
                );
                continue;
            }
            for (k, value) in condition.values.iter().enumerate() {
                let at = format!("{pointer}/{IP_KEY}/{k}");
                match (parse_ip_range_as_written(value), parse_ip_range(value)) {
                    (Some(IpNet::V6(_)), Some(IpNet::V4(ipv4))) => out.add(
                        "mapped-ipv4",
                        Severity::Warning,
                        at,
                        format!("`{value}` is the IPv4-mapped form of `{ipv4}`: it is read as `{ipv4}` here, and IPv4 callers match it, but CAM's documentation does not say CAM does the same; write `{ipv4}`"),
                    ),
                    (Some(_), _) => {}
                    (None, _) => out.add(
                        "invalid-cidr",
                        Severity::Error,
                        at,
                        format!("`{value}` is not a CIDR or an IP address"),
                    ),
                }
            }
            let unprotected: Vec<&str> = covered
                .iter()
                .filter(|a| a.info().ip_restriction == Some(false))
                .map(|a| a.info().name)
                .collect();
            if !unprotected.is_empty() {
                out.add(
                    "ip-condition-unsupported",
                    Severity::Warning,
                    pointer,
                    format!(
                        "{} action(s) do not support IP restriction, so this condition does not restrict them: {}",
                        unprotected.len(),
                        preview(&unprotected)
                    ),
                );
            }
        }
        if options.read_only && statement.effect == Effect::Allow {
            let writes: Vec<&str> = covered
                .iter()
                .filter(|a| !a.info().cam_class.is_some_and(|c| c.is_read_only()))
                .map(|a| a.info().name)
                .collect();
            if !writes.is_empty() {
                out.add(
                    "write-in-read-only",
                    Severity::Error,
                    at("action"),
                    format!("the policy is declared read-only but allows {} action(s) that are not read or list: {}", writes.len(), preview(&writes)),
                );
            }
        }
    }
    out.0
}

fn preview(names: &[&str]) -> String {
    if names.len() <= 8 {
        names.join(", ")
    } else {
        format!("{}, and {} more", names[..8].join(", "), names.len() - 8)
    }
}

/// How many distinct unknown names get a nearest-name suggestion in one lint. Each costs
/// an edit distance to every action of the table; past this many, a suggestion helps no
/// one and 100,000 of them took minutes.
pub const SUGGESTION_BUDGET: usize = 100;

enum Suggestion {
    Name(&'static str),
    /// The name is so long that every action is too far from it to be what was meant.
    TooFar,
    /// [`SUGGESTION_BUDGET`] is spent.
    OverBudget,
}

/// Nearest-name suggestions for unknown action names, each distinct name looked up once,
/// the table's names lower-cased once.
struct Suggestions<A> {
    /// The table's names lower-cased, with their length in characters, in name order.
    lower_names: Vec<(String, usize, &'static str)>,
    longest: usize,
    seen: std::collections::HashMap<String, Option<&'static str>>,
    _table: std::marker::PhantomData<A>,
}

impl<A: ActionTable> Suggestions<A> {
    fn new() -> Self {
        Suggestions {
            lower_names: Vec::new(),
            longest: 0,
            seen: std::collections::HashMap::new(),
            _table: std::marker::PhantomData,
        }
    }

    /// The known action name closest to `name` (fewest edits, ignoring case).
    fn nearest(&mut self, name: &str) -> Suggestion {
        if self.lower_names.is_empty() {
            self.lower_names = A::INFO
                .iter()
                .map(|info| {
                    let lower = info.name.to_lowercase();
                    let length = lower.chars().count();
                    (lower, length, info.name)
                })
                .collect();
            self.longest = A::INFO
                .iter()
                .map(|i| i.name.chars().count())
                .max()
                .unwrap_or(0);
        }
        // Longer than twice the longest name: at least that many edits from every action.
        if name.chars().count() > 2 * self.longest {
            return Suggestion::TooFar;
        }
        if let Some(found) = self.seen.get(name) {
            return found.map_or(Suggestion::TooFar, Suggestion::Name);
        }
        if self.seen.len() >= SUGGESTION_BUDGET {
            return Suggestion::OverBudget;
        }
        let lower = name.to_lowercase();
        let length = lower.chars().count();
        let mut best: Option<(usize, &'static str)> = None;
        // In name order, so a later name wins only with fewer edits (ties go to the first);
        // the edit distance is at least the difference in length, which skips most.
        for (candidate, candidate_length, original) in &self.lower_names {
            if best.is_some_and(|(d, _)| candidate_length.abs_diff(length) >= d) {
                continue;
            }
            let distance = strsim::levenshtein(&lower, candidate);
            if best.is_none_or(|(d, _)| distance < d) {
                best = Some((distance, original));
            }
        }
        let found = best.map(|(_, n)| n);
        self.seen.insert(name.to_owned(), found);
        found.map_or(Suggestion::TooFar, Suggestion::Name)
    }
}

/// CAM's element names are lower-case; `Statement` is not `statement`.
fn element_case(value: &Value, pointer: &str, out: &mut Findings) {
    let Value::Object(map) = value else { return };
    for (key, child) in map {
        let here = format!("{pointer}/{key}");
        let element = matches!(
            key.to_lowercase().as_str(),
            "version"
                | "statement"
                | "effect"
                | "action"
                | "resource"
                | "condition"
                | "sid"
                | "principal"
        );
        if element && key.chars().any(|c| c.is_ascii_uppercase()) {
            out.add(
                "element-case",
                Severity::Error,
                here.clone(),
                format!(
                    "element names are lower-case: `{key}` should be `{}`",
                    key.to_lowercase()
                ),
            );
        }
        if key.eq_ignore_ascii_case("statement") {
            match child {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .for_each(|(i, s)| element_case(s, &format!("{here}/{i}"), out)),
                single => element_case(single, &here, out),
            }
        }
    }
}
