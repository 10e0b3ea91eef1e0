//! Least-privilege policies from selectors: actions by name, CAM class or category, minus
//! exclusions; optionally limited to source IPs, optionally minimised with prefix
//! wildcards that expand to exactly the intended actions.

use std::collections::BTreeSet;

use ipnet::IpNet;
use serde_json::{json, Value};

use super::statement::{expand, parse_ip_range, PolicyError, IP_KEY};
use crate::tables::ActionTable;
use crate::CamClass;

/// Something the caller should know about the policy built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildWarning {
    /// These actions do not support IP restriction: they are in a statement of their own,
    /// and the IP allow-list cannot protect them.
    NoIpRestriction(Vec<&'static str>),
}

impl std::fmt::Display for BuildWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildWarning::NoIpRestriction(names) => write!(
                f,
                "{} action(s) do not support IP restriction, so the IP allow-list cannot protect them; they are in a separate statement without the condition: {}",
                names.len(),
                names.join(", ")
            ),
        }
    }
}

/// Builds an allow policy for a set of actions of table `A`.
///
/// Selectors compose the way a reader reads them: within one kind they add, across kinds
/// they narrow, then named actions add and exclusions subtract:
///
/// ```text
/// (category₁ ∪ category₂ …) ∩ (class₁ ∪ class₂ …) ∪ {named actions} − {excluded}
/// ```
///
/// A kind with no selector does not narrow; with neither categories nor classes, only
/// the named actions are selected. So `.category("Bill Management APIs")
/// .cam_class(Read).cam_class(List)` is the category's read and list actions, never
/// every list action of the service.
#[derive(Debug, Clone)]
pub struct PolicyBuilder<A: ActionTable> {
    service: &'static str,
    categories: BTreeSet<String>,
    classes: BTreeSet<CamClass>,
    named: BTreeSet<usize>,
    excluded: BTreeSet<usize>,
    ip_allow: Vec<String>,
    minimise: bool,
    _table: std::marker::PhantomData<A>,
}

impl<A: ActionTable> PolicyBuilder<A> {
    /// A builder for `service` (its CAM abbreviation, e.g. `intlpartnersmgt`).
    pub fn new(service: &'static str) -> Self {
        PolicyBuilder {
            service,
            categories: BTreeSet::new(),
            classes: BTreeSet::new(),
            named: BTreeSet::new(),
            excluded: BTreeSet::new(),
            ip_allow: Vec::new(),
            minimise: false,
            _table: std::marker::PhantomData,
        }
    }

    /// Adds one action by name, whatever the category and class selectors say.
    pub fn action(mut self, action: A) -> Self {
        self.named.insert(action.index());
        self
    }

    /// Selects a CAM class: classes add to each other (read or list) and narrow the
    /// categories (category and class).
    pub fn cam_class(mut self, class: CamClass) -> Self {
        self.classes.insert(class);
        self
    }

    /// Selects an API category: categories add to each other and narrow the classes.
    pub fn category(mut self, category: &str) -> Self {
        self.categories.insert(category.to_owned());
        self
    }

    /// Leaves an action out, whatever selected it (named actions included).
    pub fn exclude(mut self, action: A) -> Self {
        self.excluded.insert(action.index());
        self
    }

    /// Limits the policy to callers from these CIDRs (or addresses).
    pub fn allow_ips<S: Into<String>>(mut self, ranges: impl IntoIterator<Item = S>) -> Self {
        self.ip_allow.extend(ranges.into_iter().map(Into::into));
        self
    }

    /// Replaces runs of actions by prefix wildcards (`Query*`) where the wildcard covers
    /// exactly the intended actions under the current table.
    pub fn minimise(mut self, on: bool) -> Self {
        self.minimise = on;
        self
    }

    /// The actions the policy will allow, in name order.
    pub fn actions(&self) -> Vec<A> {
        let by_kind = !self.categories.is_empty() || !self.classes.is_empty();
        A::ALL
            .iter()
            .copied()
            .filter(|action| {
                let info = action.info();
                let in_categories = self.categories.is_empty()
                    || info.category.is_some_and(|c| self.categories.contains(c));
                let in_classes = self.classes.is_empty()
                    || info.cam_class.is_some_and(|c| self.classes.contains(&c));
                (by_kind && in_categories && in_classes) || self.named.contains(&action.index())
            })
            .filter(|action| !self.excluded.contains(&action.index()))
            .collect()
    }

    /// The policy document, and warnings. Deterministic: the same selection gives the
    /// same bytes.
    pub fn build(&self) -> Result<(Value, Vec<BuildWarning>), PolicyError> {
        let actions = self.actions();
        if actions.is_empty() {
            return Err(PolicyError::NoActions);
        }
        let ranges: Vec<IpNet> = self
            .ip_allow
            .iter()
            .map(|r| parse_ip_range(r).ok_or_else(|| PolicyError::InvalidCidr(r.clone())))
            .collect::<Result<_, _>>()?;
        let mut warnings = Vec::new();
        let mut statements = Vec::new();
        if ranges.is_empty() {
            statements.push(self.statement(&actions, None));
        } else {
            let (protected, unprotected): (Vec<A>, Vec<A>) = actions
                .iter()
                .partition(|a| a.info().ip_restriction != Some(false));
            if !protected.is_empty() {
                let cidrs: Vec<String> = ranges.iter().map(ToString::to_string).collect();
                statements
                    .push(self.statement(&protected, Some(json!({"ip_equal": {IP_KEY: cidrs}}))));
            }
            if !unprotected.is_empty() {
                warnings.push(BuildWarning::NoIpRestriction(
                    unprotected.iter().map(|a| a.info().name).collect(),
                ));
                statements.push(self.statement(&unprotected, None));
            }
        }
        Ok((json!({"version": "2.0", "statement": statements}), warnings))
    }

    fn statement(&self, actions: &[A], condition: Option<Value>) -> Value {
        let names = if self.minimise {
            self.minimised(actions)
        } else {
            actions.iter().map(|a| a.info().name.to_owned()).collect()
        };
        let patterns: Vec<String> = names
            .into_iter()
            .map(|n| format!("{}:{n}", self.service))
            .collect();
        let mut statement = json!({"effect": "allow", "action": patterns, "resource": ["*"]});
        if let Some(condition) = condition {
            statement["condition"] = condition;
        }
        statement
    }

    /// Action names with runs replaced by `Prefix*` where that expands to a subset of
    /// `actions`; candidates are each action's leading words (`Query`, `QueryVoucher`,
    /// ...), shortest first, so the widest exact wildcard wins.
    fn minimised(&self, actions: &[A]) -> Vec<String> {
        let wanted: BTreeSet<usize> = actions.iter().map(|a| a.index()).collect();
        let mut covered = BTreeSet::new();
        let mut out = BTreeSet::new();
        for action in actions {
            if covered.contains(&action.index()) {
                continue;
            }
            let name = action.info().name;
            let chosen = word_prefixes(name).into_iter().find_map(|prefix| {
                let pattern = format!("{}:{prefix}*", self.service);
                let expansion: BTreeSet<usize> =
                    expand::<A>(self.service, &pattern).map(A::index).collect();
                (expansion.len() > 1 && expansion.is_subset(&wanted)).then_some((prefix, expansion))
            });
            match chosen {
                Some((prefix, expansion)) => {
                    covered.extend(expansion);
                    out.insert(format!("{prefix}*"));
                }
                None => {
                    covered.insert(action.index());
                    out.insert(name.to_owned());
                }
            }
        }
        // An entry that another emitted wildcard covers says the same thing twice (e.g.
        // `DescribeBillSummary`, taken before `DescribeBillSummary*` came up for its
        // longer relatives): drop it. Every wildcard expands within the selection, so the
        // expansion stays the selection.
        let wildcards: Vec<String> = out.iter().filter(|e| e.ends_with('*')).cloned().collect();
        out.retain(|entry| {
            !wildcards.iter().any(|wildcard| {
                wildcard != entry && entry.starts_with(wildcard.trim_end_matches('*'))
            })
        });
        out.into_iter().collect()
    }
}

/// The leading-word prefixes of an UpperCamelCase name, shortest first:
/// `QueryVoucherPool` → `Query`, `QueryVoucher` (the whole name is not a prefix).
fn word_prefixes(name: &str) -> Vec<&str> {
    name.char_indices()
        .skip(1)
        .filter(|(_, c)| c.is_ascii_uppercase())
        .map(|(i, _)| &name[..i])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::word_prefixes;

    #[test]
    fn prefixes_by_word() {
        assert_eq!(word_prefixes("QueryVoucherPool"), ["Query", "QueryVoucher"]);
        assert_eq!(word_prefixes("ForceQN"), ["Force", "ForceQ"]);
        assert!(word_prefixes("Query").is_empty());
    }
}
