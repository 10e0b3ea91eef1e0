//! The policy document model every part of the library reads: statements, their
//! effect, actions, resources and IP conditions, how they are parsed from a CAM policy
//! document, and how patterns match the table's actions.

use std::fmt;
use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde_json::Value;

use crate::tables::ActionTable;
use crate::Granularity;

/// The choices made where CAM's documentation is silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assumption {
    /// A `qcs:ip` condition cannot restrict an action that does not support IP
    /// restriction: for such actions the condition is treated as satisfied (so an allow
    /// with an IP allow-list grants from anywhere, which is why the builder splits them
    /// out and warns).
    IpConditionIgnoredWithoutSupport,
    /// An operation-level action is outside the scope of a statement whose resource is
    /// narrower than `*`, for allows and denies alike (the CAM page: "CAM will determine
    /// that this API is not within the scope of authorization").
    NarrowResourceOutOfScope,
    /// A condition the evaluator cannot check (unknown operator or key, no source IP for
    /// an IP condition) fails closed: an allow does not apply, a deny does.
    UncheckableConditionFailsClosed,
    /// Action names match case-sensitively, as the docs spell them.
    CaseSensitiveActions,
}

impl Assumption {
    /// A short stable name.
    pub fn name(self) -> &'static str {
        match self {
            Assumption::IpConditionIgnoredWithoutSupport => "ip-condition-ignored-without-support",
            Assumption::NarrowResourceOutOfScope => "narrow-resource-out-of-scope",
            Assumption::UncheckableConditionFailsClosed => "uncheckable-condition-fails-closed",
            Assumption::CaseSensitiveActions => "case-sensitive-actions",
        }
    }
}

/// A statement's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// `allow`
    Allow,
    /// `deny`
    Deny,
}

/// The only condition key this service's policies use: the caller's source IP.
pub const IP_KEY: &str = "qcs:ip";
/// The IP condition operators.
pub const IP_OPERATORS: [&str; 2] = ["ip_equal", "ip_not_equal"];

/// One condition test: `operator: {key: [values]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// e.g. `ip_equal`.
    pub operator: String,
    /// e.g. `qcs:ip`.
    pub key: String,
    /// The values (CIDRs or addresses for IP conditions).
    pub values: Vec<String>,
}

/// A policy statement, read leniently (strings or arrays) from a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Its position in the document's `statement` array.
    pub index: usize,
    /// `sid`, if the statement has one.
    pub sid: Option<String>,
    /// The effect.
    pub effect: Effect,
    /// Action patterns as written.
    pub actions: Vec<String>,
    /// Resource patterns as written.
    pub resources: Vec<String>,
    /// Conditions (all must hold).
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// How traces and findings name the statement.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) => format!("statement {} (sid {sid})", self.index),
            None => format!("statement {}", self.index),
        }
    }
}

/// A value that CAM allows as a string or an array of strings.
fn strings(value: Option<&Value>) -> Option<Vec<String>> {
    match value? {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

/// The statements of a parsed policy document, or why it is not one (a JSON pointer and
/// a message).
pub fn statements(document: &Value) -> Result<Vec<Statement>, (String, String)> {
    let list = match document.get("statement") {
        Some(Value::Array(list)) => list.as_slice(),
        Some(single @ Value::Object(_)) => std::slice::from_ref(single),
        _ => {
            return Err((
                "/statement".into(),
                "a policy needs a `statement` array".into(),
            ))
        }
    };
    list.iter()
        .enumerate()
        .map(|(index, s)| {
            let at = |field: &str| format!("/statement/{index}/{field}");
            let effect = match s.get("effect").and_then(Value::as_str) {
                Some("allow") => Effect::Allow,
                Some("deny") => Effect::Deny,
                _ => {
                    return Err((
                        at("effect"),
                        "`effect` must be \"allow\" or \"deny\"".into(),
                    ))
                }
            };
            let actions = strings(s.get("action")).ok_or_else(|| {
                (
                    at("action"),
                    "`action` must be a string or an array of strings".into(),
                )
            })?;
            let resources = match s.get("resource") {
                None => vec!["*".to_owned()],
                some => strings(some).ok_or_else(|| {
                    (
                        at("resource"),
                        "`resource` must be a string or an array of strings".into(),
                    )
                })?,
            };
            let mut conditions = Vec::new();
            if let Some(condition) = s.get("condition") {
                let Value::Object(operators) = condition else {
                    return Err((at("condition"), "`condition` must be an object".into()));
                };
                for (operator, tests) in operators {
                    let Value::Object(keys) = tests else {
                        return Err((
                            format!("{}/{operator}", at("condition")),
                            "a condition operator maps keys to values".into(),
                        ));
                    };
                    for (key, values) in keys {
                        let values = strings(Some(values)).ok_or_else(|| {
                            (
                                format!("{}/{operator}/{key}", at("condition")),
                                "condition values must be strings".into(),
                            )
                        })?;
                        conditions.push(Condition {
                            operator: operator.clone(),
                            key: key.clone(),
                            values,
                        });
                    }
                }
            }
            Ok(Statement {
                index,
                sid: s.get("sid").and_then(Value::as_str).map(str::to_owned),
                effect,
                actions,
                resources,
                conditions,
            })
        })
        .collect()
}

/// An action pattern split into service and name (`svc:Name`, `name/svc:Name`, `*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPattern<'p> {
    /// The service part (`*` for any).
    pub service: &'p str,
    /// The action part, possibly with `*` wildcards.
    pub name: &'p str,
}

/// Reads an action pattern; `None` if it is not of a known shape.
pub fn parse_action(pattern: &str) -> Option<ActionPattern<'_>> {
    if pattern == "*" {
        return Some(ActionPattern {
            service: "*",
            name: "*",
        });
    }
    // `name/svc:Action` is an older spelling of `svc:Action`.
    let pattern = pattern.strip_prefix("name/").unwrap_or(pattern);
    let (service, name) = pattern.split_once(':')?;
    (!service.is_empty() && !name.is_empty() && !name.contains(':'))
        .then_some(ActionPattern { service, name })
}

/// Glob match with `*` as any run of characters (case-sensitive:
/// [`Assumption::CaseSensitiveActions`]). Allocates nothing and takes time linear in the
/// pattern and the text: it runs once per pattern and action on the linter's and the
/// evaluator's hot paths.
pub fn glob(pattern: &str, text: &str) -> bool {
    let Some((first, after_first)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let (middles, last) = after_first.rsplit_once('*').unwrap_or(("", after_first));
    let Some(rest) = text.strip_prefix(first) else {
        return false;
    };
    let Some(mut rest) = rest.strip_suffix(last) else {
        return false;
    };
    // Each middle part matches at its leftmost place after the previous one.
    for middle in middles.split('*').filter(|m| !m.is_empty()) {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// Whether `pattern` covers the action named `name` of service `service`: one parse and
/// one glob, where [`expand`] walks the whole table.
pub fn covers(service: &str, pattern: &str, name: &str) -> bool {
    parse_action(pattern)
        .is_some_and(|p| (p.service == "*" || p.service == service) && glob(p.name, name))
}

/// The actions of table `A` (of service `service`) that a pattern covers. The table is
/// sorted by name, so only the run of names that start with the pattern's literal prefix
/// (`Query` of `Query*Detail`) is matched against it.
pub fn expand<'t, A: ActionTable>(
    service: &'t str,
    pattern: &'t str,
) -> impl Iterator<Item = A> + 't {
    let parsed = parse_action(pattern).filter(|p| p.service == "*" || p.service == service);
    let (start, prefix) = match &parsed {
        Some(p) => {
            let prefix = p.name.split('*').next().unwrap_or("");
            (A::INFO.partition_point(|info| info.name < prefix), prefix)
        }
        None => (A::INFO.len(), ""),
    };
    A::INFO[start..]
        .iter()
        .zip(&A::ALL[start..])
        .take_while(move |(info, _)| info.name.starts_with(prefix))
        .filter(move |(info, _)| parsed.as_ref().is_some_and(|p| glob(p.name, info.name)))
        .map(|(_, &action)| action)
}

/// Whether a resource pattern is the whole-service `*` that operation-level actions need.
pub fn is_any_resource(resource: &str) -> bool {
    resource == "*"
}

/// Whether an operation-level action is outside a statement with these resources
/// ([`Assumption::NarrowResourceOutOfScope`]).
pub fn out_of_scope(granularity: Option<Granularity>, resources: &[String]) -> bool {
    granularity == Some(Granularity::Operation) && !resources.iter().any(|r| is_any_resource(r))
}

/// Parses an IP condition value: a CIDR, or a single address, as written.
pub(crate) fn parse_ip_range_as_written(value: &str) -> Option<IpNet> {
    value
        .parse::<IpNet>()
        .ok()
        .or_else(|| value.parse::<IpAddr>().ok().map(IpNet::from))
}

/// Parses an IP condition value: a CIDR, or a single address. An IPv4-mapped IPv6 range
/// (inside `::ffff:0:0/96`, e.g. `::ffff:10.0.0.0/104`) comes back as the IPv4 range it
/// maps (`10.0.0.0/8`).
pub fn parse_ip_range(value: &str) -> Option<IpNet> {
    parse_ip_range_as_written(value).map(canonical_range)
}

/// The IPv4 range an IPv4-mapped IPv6 range maps; any other range unchanged.
pub fn canonical_range(range: IpNet) -> IpNet {
    let IpNet::V6(v6) = range else { return range };
    match (v6.addr().to_ipv4_mapped(), v6.prefix_len().checked_sub(96)) {
        (Some(v4), Some(prefix)) => Ipv4Net::new(v4, prefix).map_or(range, IpNet::V4),
        _ => range,
    }
}

/// Whether `range` holds `ip`, an IPv4 address and its IPv4-mapped IPv6 form
/// (`::ffff:a.b.c.d`, what a dual-stack listener reports for an IPv4 caller) being one
/// address: `10.0.0.0/8` holds `::ffff:10.0.0.1`, and an IPv6 range that takes in
/// `::ffff:0:0/96` (e.g. `::/0`) holds every IPv4 address.
pub fn range_contains(range: &IpNet, ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    };
    let range = match range {
        IpNet::V4(v4) => match Ipv6Net::new(v4.addr().to_ipv6_mapped(), v4.prefix_len() + 96) {
            Ok(mapped) => mapped,
            Err(_) => return false,
        },
        IpNet::V6(v6) => *v6,
    };
    range.contains(&ip)
}

/// A policy file's bytes as text. UTF-16 (a Windows editor's "Unicode") and other
/// non-UTF-8 bytes are errors that say so (the caller names the file); a UTF-8 byte order
/// mark is kept, for [`strip_byte_order_mark`] and the linter to report.
pub fn policy_text(bytes: Vec<u8>) -> Result<String, String> {
    if let [first @ (0xFF | 0xFE), second @ (0xFF | 0xFE), ..] = bytes[..] {
        if first != second {
            return Err(format!(
                "is UTF-16 (it starts with the byte order mark {first:02X} {second:02X}): save it as UTF-8"
            ));
        }
    }
    String::from_utf8(bytes).map_err(|err| {
        format!(
            "is not UTF-8 (byte {} is not valid UTF-8): save it as UTF-8",
            err.utf8_error().valid_up_to()
        )
    })
}

/// The text without a leading UTF-8 byte order mark, and whether it had one. Editors on
/// Windows save one; it carries no meaning, so the linter and the evaluator accept it
/// with a warning (some tools, possibly CAM's console, refuse it).
pub fn strip_byte_order_mark(text: &str) -> (&str, bool) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, true),
        None => (text, false),
    }
}

/// What to say about a byte order mark.
pub const BYTE_ORDER_MARK_WARNING: &str = "the file starts with a UTF-8 byte order mark (bytes EF BB BF); it is skipped here, but some tools refuse it: save the file as UTF-8 without BOM";

/// A policy document could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// An IP allow-list entry is not a CIDR or an address.
    InvalidCidr(String),
    /// The selection is empty.
    NoActions,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::InvalidCidr(value) => write!(
                f,
                "`{value}` is not a CIDR (e.g. 10.0.0.0/8) or an IP address"
            ),
            PolicyError::NoActions => f.write_str(
                "the selection names no action (selectors of different kinds narrow each other: \
                 a category and a class select the category's actions of that class)",
            ),
        }
    }
}

impl std::error::Error for PolicyError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("Query*", "QueryUser"));
        assert!(glob("*", "X"));
        assert!(glob("Q*User", "QueryUser"));
        assert!(glob("*Credit*", "QueryPartnerCredit"));
        assert!(!glob("Query*", "query"));
        assert!(!glob("Q*r*z", "QueryUser"));
        assert!(glob("QueryUser", "QueryUser") && !glob("QueryUser", "QueryUsers"));
        assert!(!glob("ab*ba", "aba"));
        assert!(glob("a**b", "ab") && glob("**", "") && glob("a*b*c", "abc"));
        assert!(!glob("a*b*c", "acb") && !glob("*x*", "abc"));
        assert!(glob("é*ü", "éü") && !glob("é*ü", "é"));
    }

    #[test]
    fn action_spellings() {
        assert_eq!(
            parse_action("svc:Query*"),
            Some(ActionPattern {
                service: "svc",
                name: "Query*"
            })
        );
        assert_eq!(
            parse_action("name/svc:QueryUser"),
            Some(ActionPattern {
                service: "svc",
                name: "QueryUser"
            })
        );
        assert_eq!(
            parse_action("*"),
            Some(ActionPattern {
                service: "*",
                name: "*"
            })
        );
        assert_eq!(parse_action("QueryUser"), None);
        assert_eq!(parse_action("svc:"), None);
    }

    #[test]
    fn ip_ranges() {
        assert!(parse_ip_range("10.0.0.0/8").is_some());
        assert!(parse_ip_range("203.0.113.7").is_some());
        assert!(parse_ip_range("2001:db8::/32").is_some());
        assert!(parse_ip_range("10.0.0.0/33").is_none());
        assert!(parse_ip_range("ten").is_none());
        assert_eq!(
            parse_ip_range("::ffff:10.0.0.0/104"),
            parse_ip_range("10.0.0.0/8")
        );
        assert_eq!(
            parse_ip_range("::ffff:10.0.0.1"),
            parse_ip_range("10.0.0.1")
        );
        // Wider than the mapped block, or beside it: IPv6 as written.
        assert!(matches!(
            parse_ip_range("::ffff:0:0/95"),
            Some(IpNet::V6(v6)) if v6.prefix_len() == 95
        ));
        assert_eq!(parse_ip_range("::1").unwrap().to_string(), "::1/128");
    }

    #[test]
    fn mapped_addresses_are_their_ipv4_address() {
        let range = |r: &str| parse_ip_range(r).unwrap();
        let ip = |a: &str| a.parse::<IpAddr>().unwrap();
        assert!(range_contains(&range("10.0.0.0/8"), ip("::ffff:10.0.0.1")));
        assert!(range_contains(&range("10.0.0.0/8"), ip("10.0.0.1")));
        assert!(!range_contains(&range("10.0.0.0/8"), ip("::ffff:11.0.0.1")));
        assert!(!range_contains(&range("10.0.0.0/8"), ip("::10.0.0.1")));
        assert!(range_contains(&range("0.0.0.0/0"), ip("::ffff:1.2.3.4")));
        assert!(!range_contains(&range("0.0.0.0/0"), ip("2001:db8::1")));
        assert!(range_contains(&range("::/0"), ip("1.2.3.4")));
        assert!(!range_contains(&range("2001:db8::/32"), ip("1.2.3.4")));
    }
}
