//! Tencent Cloud: everything of the runtime that is Tencent's. The shared core (the
//! client engine, the mocks, the mock server) calls into it through [`Tencent`], the
//! plug-in of Cloud API 3.0.
//!
//! - [`sign`]: TC3-HMAC-SHA256 (feature `sign`);
//! - `client`: the protocol of the client engine: signing, the envelope, QPS limits,
//!   retries by CAM class (feature `client`); [`read_envelope`];
//! - [`credentials`]: where the SDKs find credentials (variables, profile files, the CVM
//!   role, STS, TKE OIDC) and the default chain;
//! - [`codes`]: the error codes' kinds;
//! - `mock`: the protocol of the in-process mock (feature `mock`);
//! - [`server`]: the mock server's pipeline and program (feature `mock`).

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod codes;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod credentials;
#[cfg(feature = "mock")]
mod mock;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod server;
#[cfg(feature = "sign")]
#[cfg_attr(docsrs, doc(cfg(feature = "sign")))]
pub mod sign;

#[cfg(feature = "client")]
pub use client::{read_envelope, Settings, Tencent, REQUEST_CLIENT};
#[cfg(feature = "client")]
pub use credentials::{ENV_SECRET_ID, ENV_SECRET_KEY, ENV_SESSION_TOKEN};
#[cfg(feature = "mock")]
pub use mock::render;
