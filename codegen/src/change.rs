//! One change between two specs, as the changelog records it and the semver rules
//! classify it: the vocabulary both speak, so neither needs the other's internals.

use crate::spec::HuaweiOperation;

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An item is new.
    Added {
        /// `action`, `operation`, `error code` or `type`.
        kind: &'static str,
        /// Its name.
        name: String,
    },
    /// An item is gone.
    Removed {
        /// `action`, `operation`, `error code` or `type`.
        kind: &'static str,
        /// Its name.
        name: String,
    },
    /// A field of an item (or of the service) has a new value.
    Changed {
        /// `action`, `operation`, `type` or `service`.
        kind: &'static str,
        /// The item's name.
        name: String,
        /// The field's path inside the item, e.g. `qps` or `fields[Uin].type`.
        field: String,
        /// The old value (`(none)` where absent).
        old: String,
        /// The new value (`(none)` where absent).
        new: String,
    },
}

/// An operation's key in the changelog: its route, `METHOD /path` (so a renamed operation
/// reads as a changed name rather than one removed and one added).
pub(crate) fn operation_route(method: &str, path: &str) -> String {
    format!("{method} {path}")
}

/// How the changelog names an operation: `Name (METHOD /path)`. The changelog builds it
/// from the spec's serde form and the classifier from the typed operation (without
/// serialising it: it looks operations up by this label), both through here.
pub(crate) fn operation_named(name: &str, route: &str) -> String {
    format!("{name} ({route})")
}

/// [`operation_named`] of a typed operation.
pub(crate) fn operation_label(operation: &HuaweiOperation) -> String {
    // The method's Display is its serde spelling (`GET`): one vocabulary for both.
    let route = operation_route(&operation.method.to_string(), &operation.path);
    operation_named(&operation.name, &route)
}
