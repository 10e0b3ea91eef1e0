//! Run-time support shared by the generated partner API crates.
//!
//! Generated crates stay thin: they hold declarations and tables, and everything with
//! logic in it lives here, written by hand and unit-tested. The layout shows what is
//! shared and what is a vendor's:
//!
//! - the shared core: the permission vocabulary and table lookups ([`vocabulary`],
//!   [`tables`]; the spec model in `partnergen-codegen` reads the same types, so a spec
//!   value and a table value can never disagree on spelling), the lenient integer
//!   decoding of the models ([`lenient`]), and with feature `client` the client engine
//!   ([`client`]: builder, retries, rate limits), its [`transport`], [`error`]s and
//!   [`credentials`]; with feature `mock` the in-process mock ([`mock`]) and the mock
//!   server's core ([`server`]);
//! - one module per vendor, [`tencent`] (feature `tencent`) and [`huawei`] (feature
//!   `huawei`), holding its signing, its protocol for the engine and the mocks, its
//!   credentials chain, its mock server pipeline and its error codes: the core calls
//!   them through the plug-in traits [`client::ClientProtocol`], [`mock::MockProtocol`]
//!   and the server's pipeline;
//! - the CAM policy library, [`policy`] (feature `policy`): it reads the permission
//!   tables only, and needs no client.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Without a vendor the core has no protocol to run: nothing calls its helpers.
#![cfg_attr(
    not(any(feature = "tencent", feature = "huawei")),
    allow(dead_code, unused_imports, unused_macros)
)]

#[cfg(all(feature = "tencent", feature = "mock", not(feature = "policy")))]
compile_error!(
    "the Tencent mock server evaluates CAM policies: enable `policy` with `tencent` and `mock`"
);

/// This crate's version: the generated crates require it (the generator reads it here).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod credentials;
#[cfg(feature = "sign")]
mod crypto;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod error;
#[cfg(feature = "huawei")]
#[cfg_attr(docsrs, doc(cfg(feature = "huawei")))]
pub mod huawei;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub mod lenient;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;
pub mod paging;
#[cfg(feature = "policy")]
#[cfg_attr(docsrs, doc(cfg(feature = "policy")))]
pub mod policy;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod server;
pub mod tables;
#[cfg(feature = "tencent")]
#[cfg_attr(docsrs, doc(cfg(feature = "tencent")))]
pub mod tencent;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
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

/// At most the first 60 characters of `text`, for messages that quote what a server or a
/// caller sent.
pub(crate) fn shortened(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}
