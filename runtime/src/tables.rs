//! Permission tables: what a generated crate declares about each action or operation, and
//! the lookups over it. Generated crates hold only the data (a sorted static slice and an
//! enum indexing it); the lookups live here, once, and none of them allocates.

use std::fmt;

use crate::{CamClass, Granularity, HttpMethod};

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

/// Implemented by a generated `Operation` enum, like [`ActionTable`].
pub trait OperationTable: Copy + Eq + 'static {
    /// Every operation, sorted by name.
    const ALL: &'static [Self];
    /// `INFO[i]` describes `ALL[i]`.
    const INFO: &'static [OperationInfo];
    /// Each permission action with the operations it unlocks, sorted by permission.
    const BY_PERMISSION: &'static [(&'static str, &'static [Self])];

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

    #[test]
    fn qps_says_where_it_came_from() {
        assert_eq!(Qps::Documented(5).get(), 5);
        assert!(Qps::Documented(5).is_documented());
        assert!(!Qps::Assumed(20).is_documented());
    }
}
