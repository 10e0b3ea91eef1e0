//! A QPS budget shared beyond one process: the plug-in behind
//! [`Builder::shared_rate_limits`](super::Builder::shared_rate_limits).
//!
//! The documented limits are the vendor's, per credential and action, not one process's:
//! eight workers that each keep the limit in process send up to eight times it. A
//! [`SharedBudget`] is asked once per attempt, after the credentials are known, for one
//! more start of `key.action` under `key.access_key_id`; every client (in any process)
//! asking the same backend with the same key shares the one limit. The Redis backend is
//! `RedisBudget` (feature `redis`).

use std::fmt;
use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// What a budget is shared by: every process asking for the same key shares one limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BudgetKey<'a> {
    /// The service's short name (`intlpartnersmgt`).
    pub service: &'a str,
    /// The access key ID (Tencent's SecretId) the request is signed with: the vendor
    /// counts per credential. An identifier, not a secret.
    pub access_key_id: &'a str,
    /// The action's wire name.
    pub action: &'a str,
}

/// What [`SharedBudget::acquire`] returns.
pub type BudgetFuture<'a> = Pin<Box<dyn Future<Output = Result<(), BudgetError>> + Send + 'a>>;

/// A QPS budget shared by every client that asks it with the same [`BudgetKey`].
pub trait SharedBudget: Send + Sync + fmt::Debug + 'static {
    /// Waits until one more request under `key` may start, at most `qps` starts in any
    /// one-second window across everyone sharing the budget. An error means the request
    /// must not be sent (the engine fails the attempt with
    /// [`Error::RateBudget`](crate::error::Error::RateBudget)); never an unlimited start.
    fn acquire<'a>(&'a self, key: &'a BudgetKey<'a>, qps: NonZeroU32) -> BudgetFuture<'a>;
}

/// One budget shared by many clients (of several services, or built with other settings).
impl<B: SharedBudget + ?Sized> SharedBudget for Arc<B> {
    fn acquire<'a>(&'a self, key: &'a BudgetKey<'a>, qps: NonZeroU32) -> BudgetFuture<'a> {
        (**self).acquire(key, qps)
    }
}

/// Why a shared budget gave no start.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BudgetError {
    /// A setting of the backend is wrong (a URL that does not parse, a namespace with
    /// characters outside the allowed set, a fleet size of 0); found when it is made.
    InvalidSetting {
        /// The setting, e.g. `the Redis URL`.
        setting: &'static str,
        /// What is wrong with it (never a password).
        message: String,
    },
    /// The backend could not be reached (refused, reset, timed out) and the failure
    /// policy's bounded wait ran out; nothing was sent.
    Unavailable {
        /// How long the acquire waited for the backend.
        waited: Duration,
        /// The last failure, e.g. `connection refused`.
        cause: String,
    },
    /// The backend answered with an error that waiting does not cure (authentication
    /// refused, no permission for the script, a key of the wrong type).
    Refused {
        /// The backend's error.
        message: String,
    },
    /// The budget is booked further ahead than the backend's cap on waiting: more
    /// callers are queued than the limit serves within the cap. No slot was taken.
    QueueFull {
        /// How long this caller would have waited.
        wait: Duration,
        /// The cap.
        cap: Duration,
    },
}

impl fmt::Display for BudgetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BudgetError::InvalidSetting { setting, message } => {
                write!(f, "shared rate limits: invalid {setting}: {message}")
            }
            BudgetError::Unavailable { waited, cause } => write!(
                f,
                "shared rate limits: the budget's store was unavailable for {} ms \
                 (the failure policy's bound); nothing was sent: {cause}",
                waited.as_millis()
            ),
            BudgetError::Refused { message } => write!(
                f,
                "shared rate limits: the budget's store refused the request: {message}"
            ),
            BudgetError::QueueFull { wait, cap } => write!(
                f,
                "shared rate limits: the next free slot is {} ms ahead, beyond the cap of \
                 {} ms on waiting (more callers queued than the limit serves); nothing was \
                 sent",
                wait.as_millis(),
                cap.as_millis()
            ),
        }
    }
}

impl std::error::Error for BudgetError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_what_went_wrong() {
        let full = BudgetError::QueueFull {
            wait: Duration::from_millis(61_000),
            cap: Duration::from_secs(60),
        };
        assert!(full.to_string().contains("61000 ms ahead"), "{full}");
        let setting = BudgetError::InvalidSetting {
            setting: "namespace",
            message: "`a b`: a space".into(),
        };
        assert_eq!(
            setting.to_string(),
            "shared rate limits: invalid namespace: `a b`: a space"
        );
    }
}
