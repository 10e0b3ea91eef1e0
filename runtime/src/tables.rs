//! Permission tables: what a generated crate declares about each action or operation, and
//! the lookups over it. Generated crates hold only the data (a sorted static slice and an
//! enum indexing it); the lookups live here, once, and none of them allocates.

use std::fmt;

use crate::vocabulary::{CamClass, Granularity, HttpMethod};

/// A client-side rate limit in requests per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qps {
    /// The vendor's docs give this limit.
    Documented(u32),
    /// The docs give none; this is the service's assumed default.
    Assumed(u32),
}

impl Qps {
    /// Requests per second, documented or assumed.
    pub const fn get(self) -> u32 {
        match self {
            Qps::Documented(n) | Qps::Assumed(n) => n,
        }
    }

    /// Whether the figure is from the vendor's docs.
    pub const fn is_documented(self) -> bool {
        matches!(self, Qps::Documented(_))
    }
}

/// What the docs say about one Tencent Cloud action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionInfo {
    /// The wire name (`X-TC-Action`, and `service:Name` in CAM policies).
    pub name: &'static str,
    /// A one-line title.
    pub title: &'static str,
    /// The API category page's group, if the page files the action under one.
    pub category: Option<&'static str>,
    /// The CAM page's operation class; `None` for actions not on the CAM page.
    pub cam_class: Option<CamClass>,
    /// Authorization granularity; `None` for actions not on the CAM page.
    pub granularity: Option<Granularity>,
    /// The six-segment resource description; `None` for actions not on the CAM page.
    pub resource: Option<&'static str>,
    /// Whether a CAM policy can restrict the action by source IP; `None` when unknown.
    pub ip_restriction: Option<bool>,
    /// The rate limit, documented or assumed.
    pub qps: Qps,
    /// Whether the public API definition has the action (and so typed models).
    pub in_api_definition: bool,
}

/// What the docs say about one REST operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// The operation name, e.g. `ListSubCustomers`.
    pub name: &'static str,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path template, e.g. `/v2/orders/customer-orders/details/{order_id}`.
    pub path: &'static str,
    /// The path template's placeholders, in order.
    pub path_params: &'static [&'static str],
    /// The permission page's scenario.
    pub scenario: &'static str,
    /// The permission page's sub-scenario, if any.
    pub sub_scenario: Option<&'static str>,
    /// A one-line description.
    pub description: &'static str,
    /// Permission actions; holding any one grants access.
    pub permissions: &'static [&'static str],
    /// Where the permission is granted in the console, if the page says.
    pub console_path: Option<&'static str>,
}

/// A name did not match any action or operation of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownName;

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no action or operation has this name")
    }
}

impl std::error::Error for UnknownName {}

/// The position of `name` in a table sorted by name (a binary search: no allocation).
fn find_by_name<T>(table: &[T], name: &str, name_of: impl Fn(&T) -> &str) -> Option<usize> {
    table
        .binary_search_by(|entry| name_of(entry).cmp(name))
        .ok()
}

/// A vendor's table of operations as the shared core (client engine, mocks) sees it: the
/// four facts both kinds of table ([`ActionTable`], [`OperationTable`]) give, said once
/// per vendor, for every plug-in trait of that vendor to build on.
pub trait Catalog<Op: Copy + 'static> {
    /// Every operation, in table order.
    fn all() -> &'static [Op];
    /// The position of `op` in [`Catalog::all`].
    fn index(op: Op) -> usize;
    /// Its name on the wire.
    fn name(op: Op) -> &'static str;
    /// The operation of a wire name.
    fn lookup(name: &str) -> Option<Op>;
}

/// Implemented by a generated `Action` enum: the enum indexes a static table sorted by
/// wire name, which makes every lookup a slice walk or a binary search.
pub trait ActionTable: Copy + Eq + 'static {
    /// Every action, sorted by wire name.
    const ALL: &'static [Self];
    /// `INFO[i]` describes `ALL[i]`.
    const INFO: &'static [ActionInfo];

    /// The action's position in [`Self::ALL`].
    fn index(self) -> usize;

    /// What the docs say about the action.
    fn info(self) -> &'static ActionInfo {
        &Self::INFO[self.index()]
    }

    /// The action with this wire name (exact, case-sensitive).
    fn from_name(name: &str) -> Option<Self> {
        find_by_name(Self::INFO, name, |info| info.name).map(|i| Self::ALL[i])
    }

    /// The actions of one CAM class, in name order.
    fn with_cam_class(class: CamClass) -> impl Iterator<Item = Self> {
        Self::ALL
            .iter()
            .copied()
            .filter(move |a| a.info().cam_class == Some(class))
    }

    /// The actions of one API category, in name order.
    fn in_category(category: &str) -> impl Iterator<Item = Self> + '_ {
        Self::ALL
            .iter()
            .copied()
            .filter(move |a| a.info().category == Some(category))
    }
}

/// One error code of a service, as its official SDK lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceCodeInfo {
    /// The code as sent (`FailedOperation.BalanceInsufficient`).
    pub code: &'static str,
    /// What it means, one line (empty where the SDK gives none).
    pub description: &'static str,
}

/// The code in a sorted table of codes, if it is one of them.
pub fn find_code(
    codes: &'static [ServiceCodeInfo],
    code: &str,
) -> Option<&'static ServiceCodeInfo> {
    find_by_name(codes, code, |info| info.code).map(|i| &codes[i])
}

/// A service's own error codes: a generated enum (`ServiceError`) indexing a table sorted by
/// code. Any `Error` of a call (feature `client`) tells its code with
/// `err.service_code::<ServiceError>()` (or just `err.service_code() ==
/// Some(ServiceError::X)`, which infers the type); the mocks answer with one
/// (`Reply::service_error`).
pub trait ServiceCode: Copy + Eq + 'static {
    /// Every code, sorted by code.
    const ALL: &'static [Self];
    /// `CODES[i]` describes `ALL[i]`.
    const CODES: &'static [ServiceCodeInfo];

    /// The code's position in [`Self::ALL`].
    fn index(self) -> usize;

    /// The code as sent.
    fn code(self) -> &'static str {
        Self::CODES[self.index()].code
    }

    /// What it means, one line.
    fn description(self) -> &'static str {
        Self::CODES[self.index()].description
    }

    /// The member of this code (exact, case-sensitive); `None` for a code the service's
    /// list does not have (a common code such as `AuthFailure.SignatureFailure`, or one
    /// newer than the list).
    fn from_code(code: &str) -> Option<Self> {
        find_by_name(Self::CODES, code, |info| info.code).map(|i| Self::ALL[i])
    }
}

/// Whether an operator account may call an operation, by the permission page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The page does not list the operation, and unlisted APIs need no fine-grained
    /// permission.
    NoPermissionNeeded,
    /// Granted: the account holds this one of the operation's permission actions.
    Granted(&'static str),
    /// Not granted: holding any single one of these would unlock the operation.
    Denied {
        /// The operation's permission actions, in the page's order.
        unlock_with: &'static [&'static str],
    },
}

impl Access {
    /// Whether the call may go ahead.
    pub const fn is_allowed(self) -> bool {
        !matches!(self, Access::Denied { .. })
    }
}

/// Whether `path` fits a path `template` (`/v2/orders/{order_id}`): the same segments,
/// a `{placeholder}` standing for any one non-empty segment. Returns the placeholders'
/// values as received (still percent-encoded), in order.
pub fn match_path<'p>(template: &str, path: &'p str) -> Option<Vec<&'p str>> {
    let mut values = Vec::new();
    let mut template_segments = template.trim_end_matches('/').split('/');
    let mut path_segments = path.trim_end_matches('/').split('/');
    loop {
        match (template_segments.next(), path_segments.next()) {
            (None, None) => return Some(values),
            (Some(t), Some(p)) if t.starts_with('{') && t.ends_with('}') && !p.is_empty() => {
                values.push(p);
            }
            (Some(t), Some(p)) if t == p => {}
            _ => return None,
        }
    }
}

/// Implemented by a generated `Operation` enum, like [`ActionTable`].
pub trait OperationTable: Copy + Eq + 'static {
    /// Every operation, sorted by name.
    const ALL: &'static [Self];
    /// `INFO[i]` describes `ALL[i]`.
    const INFO: &'static [OperationInfo];
    /// Each permission action with the operations it unlocks, sorted by permission.
    const BY_PERMISSION: &'static [(&'static str, &'static [Self])];
    /// Whether APIs the permission page does not list need a fine-grained permission
    /// (the page says they do not).
    const UNLISTED_NEED_PERMISSION: bool;

    /// The operation's position in [`Self::ALL`].
    fn index(self) -> usize;

    /// What the docs say about the operation.
    fn info(self) -> &'static OperationInfo {
        &Self::INFO[self.index()]
    }

    /// The operation with this name (exact, case-sensitive).
    fn from_name(name: &str) -> Option<Self> {
        find_by_name(Self::INFO, name, |info| info.name).map(|i| Self::ALL[i])
    }

    /// The operations that holding `permission` unlocks (empty for an unknown one).
    fn unlocked_by(permission: &str) -> &'static [Self] {
        Self::BY_PERMISSION
            .binary_search_by(|(p, _)| (*p).cmp(permission))
            .map_or(&[], |i| Self::BY_PERMISSION[i].1)
    }

    /// Whether an account holding the permission actions `held` may call the operation:
    /// holding any one of its permissions is enough.
    fn access(self, held: &[&str]) -> Access {
        let permissions = self.info().permissions;
        if permissions.is_empty() {
            return Access::NoPermissionNeeded;
        }
        match permissions.iter().find(|p| held.contains(p)) {
            Some(permission) => Access::Granted(permission),
            None => Access::Denied {
                unlock_with: permissions,
            },
        }
    }

    /// The operations an account holding `held` may call, in name order.
    fn callable_with<'h>(held: &'h [&'h str]) -> impl Iterator<Item = Self> + 'h {
        Self::ALL
            .iter()
            .copied()
            .filter(move |op| op.access(held).is_allowed())
    }

    /// The operation a request goes to, by method and path (percent-encoded, without
    /// the query), with its path parameters' values as received.
    fn route(method: HttpMethod, path: &str) -> Option<(Self, Vec<&str>)> {
        Self::ALL.iter().find_map(|op| {
            let info = op.info();
            (info.method == method)
                .then(|| match_path(info.path, path))
                .flatten()
                .map(|values| (*op, values))
        })
    }

    /// [`OperationTable::access`] for any route: an API the page does not list needs a
    /// permission only if [`OperationTable::UNLISTED_NEED_PERMISSION`].
    fn access_to_route(method: HttpMethod, path: &str, held: &[&str]) -> Access {
        match Self::route(method, path) {
            Some((op, _)) => op.access(held),
            None if !Self::UNLISTED_NEED_PERMISSION => Access::NoPermissionNeeded,
            None => Access::Denied { unlock_with: &[] },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Demo {
        Alpha,
        Beta,
        Gamma,
    }

    const fn info(
        name: &'static str,
        class: Option<CamClass>,
        category: Option<&'static str>,
    ) -> ActionInfo {
        ActionInfo {
            name,
            title: name,
            category,
            cam_class: class,
            granularity: None,
            resource: None,
            ip_restriction: None,
            qps: Qps::Assumed(20),
            in_api_definition: false,
        }
    }

    impl ActionTable for Demo {
        const ALL: &'static [Self] = &[Demo::Alpha, Demo::Beta, Demo::Gamma];
        const INFO: &'static [ActionInfo] = &[
            info("Alpha", Some(CamClass::Read), Some("A")),
            info("Beta", Some(CamClass::Write), None),
            info("Gamma", Some(CamClass::Read), Some("A")),
        ];
        fn index(self) -> usize {
            self as usize
        }
    }

    #[test]
    fn lookups_by_name_class_and_category() {
        assert_eq!(Demo::from_name("Beta"), Some(Demo::Beta));
        assert_eq!(Demo::from_name("beta"), None);
        assert_eq!(Demo::from_name("Delta"), None);
        let reads: Vec<_> = Demo::with_cam_class(CamClass::Read).collect();
        assert_eq!(reads, [Demo::Alpha, Demo::Gamma]);
        assert_eq!(Demo::in_category("A").count(), 2);
        assert_eq!(Demo::in_category("B").count(), 0);
        assert_eq!(Demo::Gamma.info().name, "Gamma");
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Code {
        Auth,
        Balance,
    }

    impl ServiceCode for Code {
        const ALL: &'static [Self] = &[Code::Auth, Code::Balance];
        const CODES: &'static [ServiceCodeInfo] = &[
            ServiceCodeInfo {
                code: "AuthFailure",
                description: "CAM signature/authentication error.",
            },
            ServiceCodeInfo {
                code: "FailedOperation.BalanceInsufficient",
                description: "The account balance is insufficient.",
            },
        ];
        fn index(self) -> usize {
            self as usize
        }
    }

    #[test]
    fn service_codes_by_code() {
        assert_eq!(
            Code::from_code("FailedOperation.BalanceInsufficient"),
            Some(Code::Balance)
        );
        assert_eq!(Code::from_code("AuthFailure"), Some(Code::Auth));
        for unknown in [
            "",
            "AuthFailure.SignatureFailure",
            "authfailure",
            "FailedOperation",
        ] {
            assert_eq!(Code::from_code(unknown), None, "{unknown}");
        }
        assert_eq!(Code::Balance.code(), "FailedOperation.BalanceInsufficient");
        assert_eq!(
            Code::Auth.description(),
            "CAM signature/authentication error."
        );
        assert_eq!(
            find_code(Code::CODES, "AuthFailure").map(|c| c.description),
            Some("CAM signature/authentication error.")
        );
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Op {
        Detail,
        List,
    }

    const fn op(
        name: &'static str,
        method: HttpMethod,
        path: &'static str,
        permissions: &'static [&'static str],
    ) -> OperationInfo {
        OperationInfo {
            name,
            method,
            path,
            path_params: &[],
            scenario: "s",
            sub_scenario: None,
            description: name,
            permissions,
            console_path: None,
        }
    }

    impl OperationTable for Op {
        const ALL: &'static [Self] = &[Op::Detail, Op::List];
        const INFO: &'static [OperationInfo] = &[
            op(
                "Detail",
                HttpMethod::Get,
                "/v2/orders/{order_id}",
                &["P_ORDER", "P_ADMIN"],
            ),
            op("List", HttpMethod::Post, "/v2/orders/query", &["P_LIST"]),
        ];
        const BY_PERMISSION: &'static [(&'static str, &'static [Self])] = &[
            ("P_ADMIN", &[Op::Detail]),
            ("P_LIST", &[Op::List]),
            ("P_ORDER", &[Op::Detail]),
        ];
        const UNLISTED_NEED_PERMISSION: bool = false;
        fn index(self) -> usize {
            self as usize
        }
    }

    #[test]
    fn any_one_permission_grants_access() {
        assert_eq!(Op::Detail.access(&["P_ADMIN"]), Access::Granted("P_ADMIN"));
        assert_eq!(
            Op::Detail.access(&["P_LIST", "P_ORDER"]),
            Access::Granted("P_ORDER")
        );
        assert_eq!(
            Op::Detail.access(&["P_LIST"]),
            Access::Denied {
                unlock_with: &["P_ORDER", "P_ADMIN"]
            }
        );
        assert_eq!(
            Op::callable_with(&["P_LIST"]).collect::<Vec<_>>(),
            [Op::List]
        );
        assert_eq!(Op::callable_with(&[]).count(), 0);
    }

    #[test]
    fn routes_by_method_and_path_template() {
        assert_eq!(
            Op::route(HttpMethod::Get, "/v2/orders/CS%2F01"),
            Some((Op::Detail, vec!["CS%2F01"]))
        );
        assert_eq!(
            Op::route(HttpMethod::Post, "/v2/orders/query"),
            Some((Op::List, vec![]))
        );
        assert_eq!(
            Op::route(HttpMethod::Post, "/v2/orders/query/"),
            Some((Op::List, vec![]))
        );
        assert_eq!(Op::route(HttpMethod::Get, "/v2/orders/"), None);
        assert_eq!(Op::route(HttpMethod::Get, "/v2/orders/a/b"), None);
        assert_eq!(Op::route(HttpMethod::Delete, "/v2/orders/a"), None);
        // Unlisted APIs need no fine-grained permission on this page.
        assert_eq!(
            Op::access_to_route(HttpMethod::Get, "/v2/bills/x", &[]),
            Access::NoPermissionNeeded
        );
        assert!(!Op::access_to_route(HttpMethod::Post, "/v2/orders/query", &[]).is_allowed());
    }

    #[test]
    fn qps_says_where_it_came_from() {
        assert_eq!(Qps::Documented(5).get(), 5);
        assert!(Qps::Documented(5).is_documented());
        assert!(!Qps::Assumed(20).is_documented());
    }
}
