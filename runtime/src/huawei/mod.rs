//! Huawei Cloud: everything of the runtime that is Huawei's. The shared core (the client
//! engine, the mocks, the mock server) calls into it through [`Huawei`], the plug-in of
//! its REST APIs.
//!
//! - [`request`]: what a typed REST request tells a client ([`RestRequest`],
//!   [`RequestParts`]; always there: the generated models implement it);
//! - [`sign`]: SDK-HMAC-SHA256 (feature `sign`);
//! - `client`: the protocol of the client engine: the request as the SDK sends it,
//!   signing, error bodies, retries of GETs, the account ID (feature `client`);
//!   [`read_response`];
//! - [`credentials`]: where the SDK finds credentials (variables, the profile file, the ECS
//!   metadata service; [`credentials::default_chain`]) and the account ID lookup;
//! - [`codes`]: the error codes, each with its status and kind, stated once;
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
pub mod request;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod server;
#[cfg(feature = "sign")]
#[cfg_attr(docsrs, doc(cfg(feature = "sign")))]
pub mod sign;

#[cfg(feature = "client")]
pub use client::{
    read_response, Huawei, Settings, CONTENT_TYPE, DOMAIN_ID_HEADER, REQUEST_ID_HEADER,
    SECURITY_TOKEN_HEADER, USER_AGENT,
};
#[cfg(feature = "client")]
pub use credentials::{
    ENV_HUAWEI_AK, ENV_HUAWEI_DOMAIN_ID, ENV_HUAWEI_SECURITY_TOKEN, ENV_HUAWEI_SK,
};
pub use request::{RequestParts, RestRequest};
