//! The client engine: one for every vendor. Generated clients are thin (one method per
//! action or operation, each a single call into the vendor's typed entry point); the
//! engine does the rest: the builder and its settings, credentials, client-side QPS
//! limits, the retry loop, the HTTP checks, typed errors.
//!
//! What differs between vendors is a [`ClientProtocol`], which the engine calls in one
//! direction: how a request is signed, how an answer (or error) body is read, each
//! operation's default QPS, what is idempotent, where default credentials come from.
//! The protocols are [`crate::tencent::Tencent`] (Cloud API 3.0) and
//! [`crate::huawei::Huawei`] (REST); each also adds its typed `call` and `call_json` to
//! [`Engine`] and its own setters to [`Builder`] (`region`, `domain_id`, ...).

mod budget;
mod engine;
mod options;
mod pages;
#[cfg(feature = "redis")]
mod redis_budget;
mod retry;
mod send;

pub use budget::{BudgetError, BudgetFuture, BudgetKey, SharedBudget};
pub use engine::{Builder, ClientProtocol, Engine, FromEngine};
pub use options::{Answer, BuildError, CallOptions, Endpoint, Env};
pub use pages::{Items, PageFetch, PageFuture, Pages};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis_budget::{BudgetStatus, OnUnavailable, RedisBudget};
pub use retry::RetryPolicy;
#[cfg(feature = "mock")]
pub(crate) use send::unix_now;
pub(crate) use send::{codeless_error, encode, not_json};
