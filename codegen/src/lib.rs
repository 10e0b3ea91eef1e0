//! The generator: the spec model and its validation, the importers that build specs from
//! the vendors' doc pages, the changelog between two specs, and the emitters that turn a
//! spec into a crate.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod change;
pub mod changelog;
pub mod diag;
pub mod emit;
pub mod generate;
pub mod import;
pub mod names;
pub mod pinned;
pub mod release;
pub mod report;
pub mod semver;
pub mod spec;
pub mod specfile;
pub mod validate;
