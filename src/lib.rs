//! CareCERT: cyber security training, assurance, incident response and threat alerts for
//! healthcare organisations.
//!
//! The crate is sliced by feature. `platform` holds what every service stands on
//! (configuration, database, web shell, authorisation, jobs, email, operations); each other
//! top-level module is one capability with its own rules, storage, handlers and templates.

pub mod alerts;
pub mod api;
pub mod app;
pub mod assure;
pub mod audit;
pub mod cli;
pub mod demo;
pub mod identity;
pub mod knowledge;
pub mod organisations;
pub mod pages;
pub mod platform;
pub mod software;
pub mod staff;
