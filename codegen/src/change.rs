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

/// How the changelog names an operation: `Name (METHOD /path)`, as the changelog's `label` does from
/// its serde form.
/// (Without serialising the operation: the classifier looks operations up by it.)
pub(crate) fn operation_label(operation: &HuaweiOperation) -> String {
    // The method's Display is its serde spelling (`GET`): one vocabulary for both.
    format!(
        "{} ({} {})",
        operation.name, operation.method, operation.path
    )
}
