//! The protocol-level mock server's core: an HTTP server on 127.0.0.1 that speaks a
//! vendor's wire protocol as the real endpoint does, so clients in any language (the
//! official SDKs included) can be tested against it. Each vendor plugs in a pipeline
//! (its checks in the service's order, and how it renders answers): Tencent Cloud API 3.0
//! in `crate::tencent::server`, Huawei REST in `crate::huawei::server`. A request that
//! passes every check is answered like the in-process mock: programmed rules first, else
//! the operation's default response.
//!
//! Checks can be switched off per server ([`Checks`]); every decision goes to a log
//! ([`MockServer::log`]); a small admin endpoint under `/_mock/` resets state, loads
//! rules (and the vendor's policies or permissions), switches checks and reads the log,
//! so non-Rust tests can drive it too.

mod admin;
pub mod cli;
pub(crate) mod core;
pub(crate) mod http;
mod params;
mod serve;
#[cfg_attr(not(feature = "huawei"), allow(dead_code))]
pub(crate) mod session;
pub mod temporary;
mod tls;

#[cfg_attr(not(feature = "tencent"), allow(unused_imports))]
pub(crate) use self::core::{
    lock, refuse, server_settings_setters, shown, Refusal, ServerSettings,
};
pub use self::core::{
    Checks, Core, LogEntry, Memory, MockServer, RequestCheck, ServerState, StartError, LOG_CAPACITY,
};
pub use self::http::Limits;
pub use params::{decode_request, ParamError};
pub(crate) use serve::{HeaderRule, Pipeline, Serve};
pub use temporary::{
    IssueError, Issued, TemporaryKeys, DEFAULT_TEMPORARY_KEY_CAPACITY,
    DEFAULT_TEMPORARY_KEY_LIFETIME,
};
