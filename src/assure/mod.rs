//! Assure: an organisation assesses its security against the standards it is held to.
//!
//! - `framework`: the standards as versioned content files (the requirement tree, the answer
//!   scale, profiles by organisation type, sources), their checks, and reading OSCAL
//!   catalogs into the same shape.
//! - `rules`: what an answer is, the assessment year and an assessment's life (pure).
//! - `store`: all SQL of the service: framework versions, assessments, answers and
//!   assignments.
//! - `starting`: starting an assessment, with last year's answers carried over.
//! - `pages`: the organisation's assessment and evidence pages.
//! - `demo`: assessments at every stage for `serve --demo`.
//! - `evidence_reminders`: emailing owners before their evidence expires.
//! - `mapping`: which requirements of one framework relate to which of another, and
//!   proposing answers in one framework from an assessment in another.

pub mod demo;
pub mod evidence_reminders;
pub mod framework;
pub mod mapping;
pub mod pages;
pub mod rules;
pub mod service;
pub mod starting;
pub mod store;

pub use service::service;
