//! Assure: an organisation assesses its security against the standards it is held to.
//!
//! - `framework`: the standards as versioned content files (the requirement tree, the answer
//!   scale, profiles by organisation type, sources), their checks, and reading OSCAL
//!   catalogs into the same shape.
//! - `mapping`: which requirements of one framework relate to which of another, and
//!   proposing answers in one framework from an assessment in another.
//! - `store`: the stored versions of each framework.

pub mod framework;
pub mod mapping;
pub mod rules;
pub mod service;
pub mod store;

pub use service::service;
