//! Run-time support shared by the generated partner API crates.
//!
//! Generated crates stay thin: they hold declarations and tables, and everything with
//! logic in it lives here, written by hand and unit-tested. Today that is the permission
//! vocabulary and the table lookups, and the lenient integer decoding of the models; the spec model in `partnergen-codegen` reads the
//! same types, so a spec value and a table value can never disagree on spelling.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod credentials;
#[cfg(any(feature = "tc3", feature = "huawei-sign"))]
mod crypto;
#[cfg(feature = "client")]
mod engine;
#[cfg(feature = "client")]
pub mod error;
#[cfg(feature = "huawei-sign")]
pub mod huawei_sign;
#[cfg(feature = "serde")]
pub mod lenient;
#[cfg(feature = "mock")]
pub mod mock;
#[cfg(feature = "policy")]
pub mod policy;
pub mod rest;
#[cfg(feature = "client")]
pub mod rest_client;
#[cfg(feature = "mock")]
pub mod server;
pub mod tables;
#[cfg(feature = "tc3")]
pub mod tc3;
#[cfg(feature = "client")]
pub mod transport;
pub mod vocabulary;

/// The JSON value type of by-name calls (re-exported so generated crates need no direct
/// serde_json dependency).
#[cfg(feature = "client")]
pub use serde_json::Value as JsonValue;
pub use tables::{
    Access, ActionInfo, ActionTable, OperationInfo, OperationTable, Qps, UnknownName,
};
pub use vocabulary::{CamClass, Granularity, HttpMethod, ParseVocabularyError, Support};
